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

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Now as `yyyyMMddHHmmss` in UTC+8, the platform's timestamp.
pub fn timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 8 * 3600;
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{d:02}{:02}{:02}{:02}",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// What the SDK does for each request, written by hand on one keep-alive socket: the body
/// encoded from its fields, a fresh timestamp and signature, the request in one write, the
/// answer read by its Content-Length and decoded (`code` checked, `data.callId` taken).
pub struct WorkingSocket {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    host: String,
    account: String,
    app_id: String,
    cert_id: String,
    secret: String,
    line: String,
    body: Vec<u8>,
}

impl WorkingSocket {
    pub fn connect(host: &str, account: &str, app_id: &str, cert_id: &str, secret: &str) -> Self {
        let stream = TcpStream::connect(host).unwrap();
        stream.set_nodelay(true).unwrap();
        WorkingSocket {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
            host: host.to_owned(),
            account: account.to_owned(),
            app_id: app_id.to_owned(),
            cert_id: cert_id.to_owned(),
            secret: secret.to_owned(),
            line: String::new(),
            body: Vec::new(),
        }
    }

    /// One duo_callback; returns the call id.
    pub fn duo_callback(&mut self, to1: &str, to2: &str, max_call_duration: u32) -> String {
        let body =
            serde_json::json!({"to1": to1, "to2": to2, "max_call_duration": max_call_duration})
                .to_string();
        let request = presigned(
            &self.host,
            &self.account,
            &self.app_id,
            &self.cert_id,
            &self.secret,
            &timestamp(),
            &body,
        );
        self.writer.write_all(&request).unwrap();
        let line = &mut self.line;
        line.clear();
        self.reader.read_line(line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(line).unwrap();
            if line == "\r\n" {
                break;
            }
            if let Some((k, v)) = line.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap();
                }
            }
        }
        self.body.resize(length, 0);
        self.reader.read_exact(&mut self.body).unwrap();
        let answer: serde_json::Value = serde_json::from_slice(&self.body).unwrap();
        assert_eq!(answer["code"], "000000", "{answer}");
        answer["data"]["callId"].as_str().unwrap().to_owned()
    }
}
