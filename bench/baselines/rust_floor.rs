//! The floor: what a loopback HTTP round trip costs with nothing else in the way.
//!
//! Requests are signed up front (with its own signing, not the SDK's), then replayed one after
//! another on a single keep-alive socket; each response is read by its Content-Length.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

/// One signed `duo_callback` request as raw bytes.
pub fn presigned(
    host: &str,
    account: &str,
    app_id: &str,
    cert_id: &str,
    secret: &str,
    timestamp: &str,
    body: &str,
) -> Vec<u8> {
    let path = format!("/v1/account/{account}/call/duo_callback");
    let content_type = "application/json; charset=utf-8";
    let md5: String = Md5::digest(body.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let text = format!("POST\n{md5}\n{content_type}\n{timestamp}\n{app_id}\n{path}");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {content_type}\r\nAppID: {app_id}\r\nCertID: {cert_id}\r\n\
         Signature: {signature}\r\nTimestamp: {timestamp}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends every request on one connection and checks each answer is a success.
pub fn replay(addr: &str, requests: &[Vec<u8>]) {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    let mut body = Vec::new();
    for request in requests {
        writer.write_all(request).unwrap();
        line.clear();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        let mut length = 0;
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap();
                }
            }
        }
        body.resize(length, 0);
        reader.read_exact(&mut body).unwrap();
        assert!(
            body.starts_with(b"{\"code\":\"000000\""),
            "{}",
            String::from_utf8_lossy(&body)
        );
    }
}
