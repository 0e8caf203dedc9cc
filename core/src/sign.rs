//! Request signing, exactly as the platform's API gateway checks it.
//!
//! The string to sign is six parts joined by `\n` (no trailing newline):
//!
//! ```text
//! METHOD \n CONTENT_MD5 \n CONTENT_TYPE \n TIMESTAMP \n APPID \n PATH
//! ```
//!
//! `CONTENT_MD5` is the lowercase hex MD5 of the exact body bytes and `CONTENT_TYPE` the
//! `Content-Type` header exactly as sent; both are empty unless the method is `POST` or `PUT`.
//! `PATH` is the request URI without its query string. The signature is the standard Base64
//! (with padding) of HMAC-SHA256 keyed with the secret key's own bytes.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use std::time::{SystemTime, UNIX_EPOCH};

/// The `Content-Type` this SDK sends and signs, like the vendor's own SDKs.
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// The platform's time zone offset: timestamps are local time in China (UTC+8, no DST).
const UTC_OFFSET_SECONDS: i64 = 8 * 3600;

/// Everything that goes into a request signature, except the secret key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInput<'a> {
    /// The HTTP method, as sent (for example `POST`).
    pub method: &'a str,
    /// The request URI or path. Any query string (from the first `?`) is not signed.
    pub uri: &'a str,
    /// The `Content-Type` header exactly as sent. Ignored unless the method is POST or PUT.
    pub content_type: &'a str,
    /// The `Timestamp` header: `yyyyMMddHHmmss` in UTC+8.
    pub timestamp: &'a str,
    /// The `AppID` header.
    pub app_id: &'a str,
    /// The exact body bytes. Ignored unless the method is POST or PUT.
    pub body: &'a [u8],
}

impl<'a> SignInput<'a> {
    /// A POST of `body` to `uri`, sent with this SDK's [`CONTENT_TYPE`].
    pub fn post(uri: &'a str, timestamp: &'a str, app_id: &'a str, body: &'a [u8]) -> Self {
        SignInput {
            method: "POST",
            uri,
            content_type: CONTENT_TYPE,
            timestamp,
            app_id,
            body,
        }
    }

    fn has_content(&self) -> bool {
        self.method.eq_ignore_ascii_case("POST") || self.method.eq_ignore_ascii_case("PUT")
    }
}

/// Lowercase hex MD5 of `body`, as it appears in the string to sign.
pub fn content_md5(body: &[u8]) -> String {
    hex(&Md5::digest(body))
}

/// The canonical string that the platform signs for this request.
///
/// ```
/// let input = yunhuni::SignInput {
///     method: "GET",
///     uri: "/v1/account/fedcba9876543210fedcba9876543210/management/telnum?page=2",
///     content_type: "",
///     timestamp: "20170301120000",
///     app_id: "0123456789abcdef0123456789abcdef",
///     body: b"",
/// };
/// assert_eq!(
///     yunhuni::string_to_sign(&input),
///     "GET\n\n\n20170301120000\n0123456789abcdef0123456789abcdef\n/v1/account/fedcba9876543210fedcba9876543210/management/telnum"
/// );
/// ```
pub fn string_to_sign(input: &SignInput<'_>) -> String {
    let (md5, content_type) = if input.has_content() {
        (content_md5(input.body), input.content_type)
    } else {
        (String::new(), "")
    };
    let path = input.uri.split('?').next().unwrap_or("");
    [
        input.method,
        &md5,
        content_type,
        input.timestamp,
        input.app_id,
        path,
    ]
    .join("\n")
}

/// The `Signature` header for this request: Base64 of HMAC-SHA256 keyed with `secret_key`.
///
/// ```
/// let body = br#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60}"#;
/// let input = yunhuni::SignInput::post(
///     "/v1/account/fedcba9876543210fedcba9876543210/call/duo_callback",
///     "20170301120000",
///     "0123456789abcdef0123456789abcdef",
///     body,
/// );
/// assert_eq!(
///     yunhuni::sign(&input, "00112233445566778899aabbccddeeff"),
///     "bar4Dt4Md26FtWJ6BkfMhl5HdzkOLAkh6FFxVlMYcQI="
/// );
/// ```
pub fn sign(input: &SignInput<'_>, secret_key: &str) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret_key.as_bytes())
        .expect("HMAC-SHA256 takes a key of any length");
    mac.update(string_to_sign(input).as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The current time as a `Timestamp` header value: `yyyyMMddHHmmss` in UTC+8,
/// whatever the machine's time zone.
pub fn timestamp_now() -> String {
    let secs = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    format_timestamp(secs)
}

/// Formats Unix seconds as a `Timestamp` header value (`yyyyMMddHHmmss`, UTC+8).
///
/// ```
/// // 2017-03-01 04:00:00 UTC is noon in Beijing.
/// assert_eq!(yunhuni::format_timestamp(1488340800), "20170301120000");
/// ```
pub fn format_timestamp(unix_seconds: i64) -> String {
    let local = unix_seconds + UTC_OFFSET_SECONDS;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Proleptic Gregorian date from days since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_edges() {
        assert_eq!(format_timestamp(0), "19700101080000");
        // 2016-12-31 16:00:00 UTC is midnight of the new year in UTC+8.
        assert_eq!(format_timestamp(1483200000), "20170101000000");
        assert_eq!(format_timestamp(1483199999), "20161231235959");
        // Leap day.
        assert_eq!(format_timestamp(951782400), "20000229080000");
        assert_eq!(format_timestamp(-1), "19700101075959");
    }

    #[test]
    fn query_string_is_not_signed() {
        let a = SignInput::post("/v1/x?y=1", "20170301120000", "app", b"{}");
        let b = SignInput::post("/v1/x", "20170301120000", "app", b"{}");
        assert_eq!(string_to_sign(&a), string_to_sign(&b));
    }

    #[test]
    fn content_parts_only_for_post_and_put() {
        let mut input = SignInput::post("/p", "t", "a", b"x");
        input.method = "DELETE";
        assert_eq!(string_to_sign(&input), "DELETE\n\n\nt\na\n/p");
        input.method = "put";
        assert_eq!(
            string_to_sign(&input),
            format!("put\n{}\n{CONTENT_TYPE}\nt\na\n/p", content_md5(b"x"))
        );
    }
}
