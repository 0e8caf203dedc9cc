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
    Signer::new(secret_key)
        .sign(
            input.method,
            &[input.uri],
            input.has_content(),
            input.content_type,
            input.timestamp,
            input.app_id,
            input.body,
        )
        .as_str()
        .to_owned()
}

/// HMAC-SHA256 keyed with one secret key, made once (a client's) and copied for each
/// signature, which it computes without building the string to sign: the same bytes as
/// [`string_to_sign`] go through the MAC part by part.
#[derive(Clone)]
pub(crate) struct Signer {
    mac: Hmac<Sha256>,
}

/// A signature: 44 characters of Base64.
pub(crate) struct Signature([u8; 44]);

impl Signature {
    pub(crate) fn as_str(&self) -> &str {
        // Base64's alphabet is ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl Signer {
    pub(crate) fn new(secret_key: &str) -> Signer {
        // HMAC accepts keys of any length, so this cannot fail.
        let mac = <Hmac<Sha256> as Mac>::new_from_slice(secret_key.as_bytes())
            .expect("HMAC-SHA256 takes a key of any length");
        Signer { mac }
    }

    /// The signature of a request whose URI is `uri` (its parts joined; the query, from the
    /// first `?`, is not signed). `has_content`: the method is POST or PUT, so the body's MD5
    /// and the content type are signed.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn sign(
        &self,
        method: &str,
        uri: &[&str],
        has_content: bool,
        content_type: &str,
        timestamp: &str,
        app_id: &str,
        body: &[u8],
    ) -> Signature {
        let mut mac = self.mac.clone();
        mac.update(method.as_bytes());
        mac.update(b"\n");
        if has_content {
            mac.update(&hex_digest(&Md5::digest(body)));
            mac.update(b"\n");
            mac.update(content_type.as_bytes());
        } else {
            mac.update(b"\n");
        }
        for part in [b"\n", timestamp.as_bytes(), b"\n", app_id.as_bytes(), b"\n"] {
            mac.update(part);
        }
        for part in uri {
            match part.find('?') {
                Some(at) => {
                    mac.update(&part.as_bytes()[..at]);
                    break;
                }
                None => mac.update(part.as_bytes()),
            }
        }
        let mut out = [0u8; 44];
        let written = base64::engine::general_purpose::STANDARD
            .encode_slice(mac.finalize().into_bytes(), &mut out)
            .unwrap_or(0);
        debug_assert_eq!(written, 44);
        Signature(out)
    }
}

/// Lowercase hex of an MD5 digest, on the stack.
fn hex_digest(bytes: &[u8]) -> [u8; 32] {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 32];
    for (i, b) in bytes.iter().take(16).enumerate() {
        out[2 * i] = DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = DIGITS[usize::from(b & 15)];
    }
    out
}

/// The current time as a `Timestamp` header value: `yyyyMMddHHmmss` in UTC+8,
/// whatever the machine's time zone.
pub fn timestamp_now() -> String {
    Timestamp::now().as_str().to_owned()
}

/// A `Timestamp` header value on the stack: `yyyyMMddHHmmss`, UTC+8.
pub(crate) struct Timestamp([u8; 14]);

impl Timestamp {
    /// The current time.
    pub(crate) fn now() -> Timestamp {
        let secs = match SystemTime::now().duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        };
        Timestamp::at(secs)
    }

    /// Unix seconds as a timestamp, or `None` outside the years 0 to 9999 (which need
    /// more or other characters).
    fn try_at(unix_seconds: i64) -> Option<Timestamp> {
        let local = unix_seconds.checked_add(UTC_OFFSET_SECONDS)?;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        if !(0..=9999).contains(&y) {
            return None;
        }
        let mut out = [0u8; 14];
        let mut put = |at: usize, width: usize, mut n: u64| {
            for i in (at..at + width).rev() {
                out[i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        put(0, 4, y as u64);
        put(4, 2, u64::from(m));
        put(6, 2, u64::from(d));
        put(8, 2, (secs / 3600) as u64);
        put(10, 2, (secs % 3600 / 60) as u64);
        put(12, 2, (secs % 60) as u64);
        Some(Timestamp(out))
    }

    fn at(unix_seconds: i64) -> Timestamp {
        // A clock outside years 0-9999 is broken; the server refuses such a timestamp anyway.
        Timestamp::try_at(unix_seconds).unwrap_or(Timestamp(*b"00000000000000"))
    }

    pub(crate) fn as_str(&self) -> &str {
        // Digits only.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Formats Unix seconds as a `Timestamp` header value (`yyyyMMddHHmmss`, UTC+8).
///
/// ```
/// // 2017-03-01 04:00:00 UTC is noon in Beijing.
/// assert_eq!(yunhuni::format_timestamp(1488340800), "20170301120000");
/// ```
pub fn format_timestamp(unix_seconds: i64) -> String {
    if let Some(t) = Timestamp::try_at(unix_seconds) {
        return t.as_str().to_owned();
    }
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
    fn the_signer_signs_the_string_to_sign() {
        let times = [
            0,
            1488340800,
            951782400,
            -1,
            253402300799 - 8 * 3600,
            i64::MIN / 2,
        ];
        for t in times {
            assert_eq!(
                Timestamp::try_at(t).map(|s| s.as_str().to_owned()),
                Some(format_timestamp(t)).filter(|f| f.len() == 14),
                "{t}"
            );
        }
        for (method, uri, body) in [
            (
                "POST",
                &["/v1/account/a/", "call/duo_callback"][..],
                &b"{}"[..],
            ),
            ("GET", &["/v1/x/", "y?page=2&z=?"][..], b""),
            ("PUT", &["/p?", "q"][..], b"\xff\x00 body"),
            ("DELETE", &["/v1/", "", "d"][..], b"ignored"),
            ("post", &[""][..], b""),
        ] {
            let joined = uri.concat();
            let input = SignInput {
                method,
                uri: &joined,
                content_type: CONTENT_TYPE,
                timestamp: "20170301120000",
                app_id: "app",
                body,
            };
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"secret").unwrap();
            mac.update(string_to_sign(&input).as_bytes());
            let expected =
                base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
            let streamed = Signer::new("secret").sign(
                method,
                uri,
                input.has_content(),
                CONTENT_TYPE,
                "20170301120000",
                "app",
                body,
            );
            assert_eq!(streamed.as_str(), expected, "{method} {joined}");
            assert_eq!(sign(&input, "secret"), expected);
        }
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
