//! Test helpers written independently of the sandbox's code: a signer, a raw HTTP client, a
//! webhook listener and a flat-JSON tokenizer.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use sha2::Sha256;

/// The repository's test vectors.
pub fn vectors(name: &str) -> serde_json::Value {
    let path = format!("{}/../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

pub fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Signing, from the specification (not the sandbox's `signing` module).

pub fn md5_hex(body: &[u8]) -> String {
    Md5::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Builds the string to sign. `content_type` `None` means "no header" (signed as `null`).
pub fn to_sign(
    method: &str,
    uri_path: &str,
    content_type: Option<&str>,
    body: &[u8],
    ts: &str,
    app_id: &str,
) -> String {
    let upper = method.to_uppercase();
    let (md5, ct) = if upper == "POST" || upper == "PUT" {
        (md5_hex(body), content_type.unwrap_or("null").to_owned())
    } else {
        (String::new(), String::new())
    };
    [method, &md5, &ct, ts, app_id, uri_path].join("\n")
}

pub fn hmac_b64(secret: &str, text: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// `yyyyMMddHHmmss` in UTC+8 of epoch seconds, by counting days through the calendar.
pub fn timestamp_utc8(epoch_secs: i64) -> String {
    let local = epoch_secs + 8 * 3600;
    let mut days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let mut year = 1970;
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    loop {
        let len = if leap(year) { 366 } else { 365 };
        if days < len {
            break;
        }
        days -= len;
        year += 1;
    }
    let lengths = [
        31,
        if leap(year) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    let mut month = 0;
    while days >= lengths[month] {
        days -= lengths[month];
        month += 1;
    }
    format!(
        "{year:04}{:02}{:02}{:02}{:02}{:02}",
        month + 1,
        days + 1,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

pub fn timestamp_now() -> String {
    timestamp_utc8(now_secs())
}

/// Credentials to sign with.
#[derive(Clone, Debug)]
pub struct Creds {
    pub account: String,
    pub app_id: String,
    pub cert_id: String,
    pub secret: String,
}

impl Creds {
    pub fn of(sb: &yunhuni_sandbox::Sandbox) -> Creds {
        Creds {
            account: sb.account_id().into(),
            app_id: sb.app_id().into(),
            cert_id: sb.cert_id().into(),
            secret: sb.secret_key().into(),
        }
    }

    pub fn sub(sb: &yunhuni_sandbox::Sandbox) -> Creds {
        let (_, cert, secret) = sb.sub_account();
        Creds {
            cert_id: cert.into(),
            secret: secret.into(),
            ..Creds::of(sb)
        }
    }

    pub fn path(&self, op: &str) -> String {
        format!("/v1/account/{}/call/{op}", self.account)
    }

    /// Headers for a JSON POST of `body` to `path`, signed now.
    pub fn headers(&self, method: &str, path: &str, body: &[u8]) -> Vec<(String, String)> {
        let ct = "application/json; charset=utf-8";
        let ts = timestamp_now();
        let sig = hmac_b64(
            &self.secret,
            &to_sign(
                method,
                path.split('?').next().unwrap(),
                Some(ct),
                body,
                &ts,
                &self.app_id,
            ),
        );
        vec![
            ("AppID".into(), self.app_id.clone()),
            ("CertID".into(), self.cert_id.clone()),
            ("Timestamp".into(), ts),
            ("Signature".into(), sig),
            ("Content-Type".into(), ct.into()),
        ]
    }
}

// ---------------------------------------------------------------------------------------
// A raw HTTP/1.1 client: exact control of every byte sent.

#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

fn read_response(reader: &mut impl BufRead) -> std::io::Result<RawResponse> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("bad status line {line:?}"),
            )
        })?;
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        let (n, v) = h.split_once(':').unwrap();
        headers.push((n.to_owned(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

fn request_bytes(
    method: &str,
    target: &str,
    host: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!("{method} {target} HTTP/1.1\r\nHost: {host}\r\n").into_bytes();
    for (n, v) in headers {
        out.extend_from_slice(n.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

/// One request on a fresh connection.
pub fn raw(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> RawResponse {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .write_all(&request_bytes(
            method,
            target,
            &addr.to_string(),
            headers,
            body,
        ))
        .unwrap();
    read_response(&mut BufReader::new(stream)).unwrap()
}

/// A persistent connection for many requests.
pub struct Conn {
    addr: SocketAddr,
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Conn {
    pub fn open(addr: SocketAddr) -> Conn {
        let writer = TcpStream::connect(addr).unwrap();
        writer
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let reader = BufReader::new(writer.try_clone().unwrap());
        Conn {
            addr,
            writer,
            reader,
        }
    }

    /// Reads whatever arrives until the peer closes (0 bytes means closed at once).
    pub fn read_rest(&mut self, out: &mut Vec<u8>) -> usize {
        self.reader.read_to_end(out).unwrap_or(0)
    }

    pub fn send(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> RawResponse {
        let bytes = request_bytes(method, target, &self.addr.to_string(), headers, body);
        self.writer.write_all(&bytes).unwrap();
        read_response(&mut self.reader).unwrap()
    }
}

/// A signed JSON POST to a call endpoint.
pub fn post(addr: SocketAddr, creds: &Creds, op: &str, body: &str) -> RawResponse {
    let path = creds.path(op);
    raw(
        addr,
        "POST",
        &path,
        &creds.headers("POST", &path, body.as_bytes()),
        body.as_bytes(),
    )
}

/// Places a call and returns its id, asserting success.
pub fn place(addr: SocketAddr, creds: &Creds, op: &str, body: &str) -> String {
    let r = post(addr, creds, op, body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!(v["code"], "000000", "{v} for {body}");
    v["data"]["callId"].as_str().unwrap().to_owned()
}

/// A GET of an admin endpoint, returning the status and JSON.
pub fn admin_get(addr: SocketAddr, target: &str) -> (u16, serde_json::Value) {
    let r = raw(addr, "GET", target, &[], b"");
    (
        r.status,
        serde_json::from_slice(&r.body).unwrap_or(serde_json::Value::Null),
    )
}

// ---------------------------------------------------------------------------------------
// A webhook listener.

#[derive(Debug, Clone)]
pub struct Hook {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub status_sent: u16,
}

impl Hook {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body's `"id"` value (the call id).
    pub fn call_id(&self) -> Option<String> {
        flat_json(&self.body)
            .into_iter()
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.trim_matches('"').to_owned())
    }
}

type Responder = dyn Fn(usize) -> u16 + Send + Sync;

pub struct Listener {
    pub addr: SocketAddr,
    hooks: Arc<(Mutex<Vec<Hook>>, Condvar)>,
    stop: Arc<AtomicBool>,
    count: Arc<AtomicUsize>,
}

impl Listener {
    /// A listener answering each request with `respond(n)` (n counts from 0 over all requests).
    pub fn start(respond: impl Fn(usize) -> u16 + Send + Sync + 'static) -> Listener {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let hooks = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let count = Arc::new(AtomicUsize::new(0));
        let respond: Arc<Responder> = Arc::new(respond);
        {
            let (hooks, stop, count) = (hooks.clone(), stop.clone(), count.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (hooks, count, respond) = (hooks.clone(), count.clone(), respond.clone());
                    std::thread::spawn(move || serve_hooks(stream, &hooks, &count, &*respond));
                }
            });
        }
        Listener {
            addr,
            hooks,
            stop,
            count,
        }
    }

    /// A listener answering 200 to everything.
    pub fn ok() -> Listener {
        Listener::start(|_| 200)
    }

    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    pub fn hooks(&self) -> Vec<Hook> {
        self.hooks.0.lock().unwrap().clone()
    }

    pub fn hooks_for(&self, call_id: &str) -> Vec<Hook> {
        self.hooks()
            .into_iter()
            .filter(|h| h.call_id().as_deref() == Some(call_id))
            .collect()
    }

    /// Waits until at least `n` requests have arrived.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Hook> {
        let deadline = Instant::now() + timeout;
        let mut hooks = self.hooks.0.lock().unwrap();
        while hooks.len() < n {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            hooks = self.hooks.1.wait_timeout(hooks, deadline - now).unwrap().0;
        }
        hooks.clone()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

fn serve_hooks(
    stream: TcpStream,
    hooks: &(Mutex<Vec<Hook>>, Condvar),
    count: &AtomicUsize,
    respond: &Responder,
) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.trim_end().split(' ');
        let method = parts.next().unwrap_or("").to_owned();
        let path = parts.next().unwrap_or("").to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end_matches(['\r', '\n']);
            if h.is_empty() {
                break;
            }
            if let Some((n, v)) = h.split_once(':') {
                headers.push((n.to_owned(), v.trim().to_owned()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let n = count.fetch_add(1, Ordering::SeqCst);
        let status = respond(n);
        {
            let mut all = hooks.0.lock().unwrap();
            all.push(Hook {
                method,
                path,
                headers,
                body,
                status_sent: status,
            });
            hooks.1.notify_all();
        }
        let reply = format!("HTTP/1.1 {status} X\r\nContent-Length: 2\r\n\r\nok");
        if writer.write_all(reply.as_bytes()).is_err() {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------
// A tokenizer for flat JSON objects (string and number values): keys and raw values in order.

pub fn flat_json(bytes: &[u8]) -> Vec<(String, String)> {
    let text: String = bytes.iter().map(|&b| char::from(b)).collect(); // byte-preserving
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let string_end = |mut j: usize| -> usize {
        // j at the opening quote; returns the index after the closing quote
        j += 1;
        while chars[j] != '"' {
            if chars[j] == '\\' {
                j += 1;
            }
            j += 1;
        }
        j + 1
    };
    assert_eq!(chars[i], '{', "not an object: {text}");
    i += 1;
    while chars[i] != '}' {
        if chars[i] == ',' {
            i += 1;
        }
        let k_end = string_end(i);
        let key: String = chars[i + 1..k_end - 1].iter().collect();
        assert_eq!(chars[k_end], ':');
        let v_start = k_end + 1;
        let v_end = if chars[v_start] == '"' {
            string_end(v_start)
        } else {
            let mut j = v_start;
            while chars[j] != ',' && chars[j] != '}' {
                j += 1;
            }
            j
        };
        out.push((key, chars[v_start..v_end].iter().collect()));
        i = v_end;
    }
    assert_eq!(i, chars.len() - 1, "trailing data in {text}");
    out
}

/// Rebuilds the bytes of a flat object from its tokens (inverse of [`flat_json`]).
pub fn flat_bytes(tokens: &[(String, String)]) -> Vec<u8> {
    let mut s = String::from("{");
    for (i, (k, v)) in tokens.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push('"');
        s.push_str(k);
        s.push_str("\":");
        s.push_str(v);
    }
    s.push('}');
    s.chars().map(|c| c as u32 as u8).collect()
}

/// Polls `f` until it returns `Some`, or panics after `timeout`.
pub fn eventually<T>(timeout: Duration, what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

pub fn queue<T>(items: impl IntoIterator<Item = T>) -> Arc<Mutex<VecDeque<T>>> {
    Arc::new(Mutex::new(items.into_iter().collect()))
}
