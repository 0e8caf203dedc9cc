//! The gateway's request signature, as the platform computes it (platform notes §1.3–1.4).
//!
//! This is the sandbox's own implementation, written from the specification and independent
//! of the client crate, so that a mistake in one cannot hide in the other. It is public so that
//! the `sign` helper of the binary can print ready-to-run requests; clients should use their
//! own signing code.
//!
//! The string to sign is six parts joined with `\n` and no trailing newline:
//!
//! ```text
//! METHOD \n CONTENT_MD5 \n CONTENT_TYPE \n TIMESTAMP \n APPID \n REQUEST_URI
//! ```
//!
//! For `POST` and `PUT` (any letter case) `CONTENT_MD5` is the lowercase hex MD5 of the body and
//! `CONTENT_TYPE` the `Content-Type` header exactly as sent (the text `null` when the header is
//! absent); for every other method both are empty. The signature is the standard Base64 (with
//! padding) of HMAC-SHA256 keyed with the secret string's bytes (not hex-decoded).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

/// Whether the gateway hashes a body and a content type for this method (`POST` or `PUT`, in
/// any letter case).
pub fn method_has_content(method: &str) -> bool {
    method.eq_ignore_ascii_case("POST") || method.eq_ignore_ascii_case("PUT")
}

/// Lowercase hex MD5 of `body` (32 characters).
pub fn content_md5(body: &[u8]) -> String {
    hex(&Md5::digest(body))
}

/// The lowercase hex MD5 of `body` written into `out`.
fn content_md5_into<'a>(body: &[u8], out: &'a mut [u8; 32]) -> &'a str {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for (pair, b) in out.chunks_exact_mut(2).zip(Md5::digest(body)) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 15)];
    }
    std::str::from_utf8(out).expect("hex digits are ASCII")
}

/// The six parts of the string to sign, in order (it is them joined with `\n`). `md5` is the
/// buffer the body's hash is written into, for the methods that hash it.
fn parts<'a>(
    method: &'a str,
    body: &[u8],
    content_type: Option<&'a str>,
    timestamp: &'a str,
    app_id: &'a str,
    uri: &'a str,
    md5: &'a mut [u8; 32],
) -> [&'a str; 6] {
    let (md5, content_type) = if method_has_content(method) {
        (content_md5_into(body, md5), content_type.unwrap_or("null"))
    } else {
        ("", "")
    };
    [method, md5, content_type, timestamp, app_id, uri]
}

/// The canonical string to sign.
///
/// `content_type` is the header value exactly as sent, or `None` when the request has no
/// `Content-Type` header. `uri` is the request path without the query string, as it appears on
/// the request line (not URL-decoded).
pub fn string_to_sign(
    method: &str,
    body: &[u8],
    content_type: Option<&str>,
    timestamp: &str,
    app_id: &str,
    uri: &str,
) -> String {
    let mut md5 = [0; 32];
    parts(method, body, content_type, timestamp, app_id, uri, &mut md5).join("\n")
}

/// Base64 (standard alphabet, padded) HMAC-SHA256 of `string_to_sign` keyed with the bytes of
/// `secret_key`.
pub fn signature(secret_key: &str, string_to_sign: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(mac(secret_key, &[string_to_sign]))
}

/// HMAC-SHA256 keyed with the bytes of `secret_key` over `pieces`, one after the other.
fn mac(secret_key: &str, pieces: &[&str]) -> [u8; 32] {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret_key.as_bytes())
        .expect("HMAC-SHA256 accepts any key length");
    for piece in pieces {
        mac.update(piece.as_bytes());
    }
    mac.finalize().into_bytes().into()
}

/// Whether `claimed` is the [`signature`] of the [`string_to_sign`] of these parts: the same
/// computation, without building the string or the expected signature's text.
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify(
    secret_key: &str,
    method: &str,
    body: &[u8],
    content_type: Option<&str>,
    timestamp: &str,
    app_id: &str,
    uri: &str,
    claimed: &str,
) -> bool {
    let mut md5 = [0; 32];
    let [a, b, c, d, e, f] = parts(method, body, content_type, timestamp, app_id, uri, &mut md5);
    let digest = mac(
        secret_key,
        &[a, "\n", b, "\n", c, "\n", d, "\n", e, "\n", f],
    );
    // Base64 of 32 bytes is 44 characters.
    let mut expected = [0u8; 44];
    let written = base64::engine::general_purpose::STANDARD
        .encode_slice(digest, &mut expected)
        .expect("44 bytes hold the Base64 of 32");
    claimed.as_bytes() == &expected[..written]
}

/// Formats epoch milliseconds as the platform's `yyyyMMddHHmmss` timestamp in UTC+8.
pub fn format_timestamp(epoch_ms: i64) -> String {
    crate::time::format_timestamp_utc8(epoch_ms)
}

/// The current wall-clock time as a `yyyyMMddHHmmss` timestamp in UTC+8.
pub fn timestamp_now() -> String {
    format_timestamp(crate::time::wall_clock_ms())
}

/// Parses a `yyyyMMddHHmmss` timestamp (UTC+8) as the gateway does, leniently: the first five
/// fields take at most 4, 2, 2, 2 and 2 characters, the seconds take the rest (so 13 and 15
/// digits parse), spaces and tabs before a field are skipped, a field may carry a `-` sign or
/// an exponent, and out-of-range fields roll over into the next larger field. Returns epoch
/// milliseconds, or `None` when the server refuses it (`时间戳参数不正确`).
pub fn parse_timestamp(text: &str) -> Option<i64> {
    crate::time::parse_timestamp_utc8(text)
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // The worked example of platform notes §1.4.
    const SECRET: &str = "00112233445566778899aabbccddeeff";
    const APP: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn worked_example_post() {
        let body = br#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60}"#;
        assert_eq!(content_md5(body), "740379286bb79dcbbdb921b922c321c2");
        let s = string_to_sign(
            "POST",
            body,
            Some("application/json; charset=utf-8"),
            "20170301120000",
            APP,
            "/v1/account/fedcba9876543210fedcba9876543210/call/duo_callback",
        );
        assert_eq!(
            signature(SECRET, &s),
            "bar4Dt4Md26FtWJ6BkfMhl5HdzkOLAkh6FFxVlMYcQI="
        );
    }

    #[test]
    fn worked_example_get() {
        let s = string_to_sign(
            "GET",
            b"ignored",
            Some("ignored"),
            "20170301120000",
            APP,
            "/v1/account/fedcba9876543210fedcba9876543210/management/telnum",
        );
        assert!(s.starts_with("GET\n\n\n20170301120000\n"));
        assert_eq!(
            signature(SECRET, &s),
            "NOaoP+AnaFSQeStI7O+IWhSaRRwAv2mggBQoezifWZI="
        );
    }

    #[test]
    fn missing_content_type_is_the_text_null() {
        let s = string_to_sign("post", b"", None, "t", "a", "/u");
        assert_eq!(s, "post\nd41d8cd98f00b204e9800998ecf8427e\nnull\nt\na\n/u");
    }

    #[test]
    fn verify_agrees_with_the_signature_of_the_string_to_sign() {
        let body = "{\"to1\":\"é\"}".as_bytes();
        for (method, content_type) in [
            ("POST", Some("application/json")),
            ("put", None),
            ("GET", Some("ignored")),
            ("DELETE", None),
        ] {
            let s = string_to_sign(method, body, content_type, "20170301120000", APP, "/v1/x");
            let good = signature(SECRET, &s);
            let verify = |claimed: &str| {
                verify(
                    SECRET,
                    method,
                    body,
                    content_type,
                    "20170301120000",
                    APP,
                    "/v1/x",
                    claimed,
                )
            };
            assert!(verify(&good), "{method}");
            assert!(!verify(&good[..43]), "{method}");
            assert!(!verify(&format!("{good}=")), "{method}");
            assert!(!verify(""), "{method}");
            assert!(!verify(&signature("another secret", &s)), "{method}");
        }
    }
}
