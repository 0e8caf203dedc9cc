//! A small HTTP/1.1 server on `std::net`: one thread per connection, keep-alive, clean shutdown.
//!
//! Public so that tools built on the sandbox (the `yunhuni` command's webhook listener, tests in
//! other languages' bindings) receive webhooks with the same server instead of another one.
//!
//! It is just enough of HTTP for the platform's API and the sandbox's admin endpoints:
//! `Content-Length` and chunked request bodies, `Expect: 100-continue`, persistent connections
//! for HTTP/1.1 (and HTTP/1.0 with `Connection: keep-alive`). Header values are decoded as
//! ISO-8859-1, as the platform's web server does, so they can be signed byte for byte.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// Longest request line or header line accepted.
const MAX_LINE: usize = 16 * 1024;
/// Most header lines accepted in one request.
const MAX_HEADERS: usize = 100;
/// Largest request body accepted.
const MAX_BODY: usize = 2 * 1024 * 1024;
/// Most connections served at once; more are answered 503 and closed.
const MAX_CONNECTIONS: usize = 4096;
/// An idle keep-alive connection is closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(20);
/// Stack size of connection threads.
const CONNECTION_STACK: usize = 512 * 1024;

/// One parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method exactly as sent.
    pub method: String,
    /// The path of the request target, without the query string, not decoded.
    pub path: String,
    /// The query string (after `?`), if any.
    pub query: Option<String>,
    /// Header names and values in the order received; values decoded as ISO-8859-1.
    pub headers: Vec<(String, String)>,
    /// The request body.
    pub body: Vec<u8>,
}

impl Request {
    /// The first value of a header, with the name compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as the platform reads it for hashing: decoded as UTF-8 (invalid sequences
    /// replaced by U+FFFD) and encoded again.
    pub fn body_as_text_bytes(&self) -> Cow<'_, [u8]> {
        match String::from_utf8_lossy(&self.body) {
            Cow::Borrowed(_) => Cow::Borrowed(&self.body),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        }
    }

    /// A query parameter's raw value.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query.as_deref()?.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (k == name).then_some(v)
        })
    }
}

/// A response to write.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status code.
    pub status: u16,
    /// Header names and values, written in this order.
    pub headers: Vec<(String, String)>,
    /// The body (its `Content-Length` is added when written).
    pub body: Vec<u8>,
}

impl Response {
    /// An empty response with this status.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets the body.
    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }

    /// A JSON response (`application/json;charset=UTF-8`).
    pub fn json(status: u16, body: Vec<u8>) -> Self {
        Response::new(status)
            .header("Content-Type", "application/json;charset=UTF-8")
            .body(body)
    }
}

/// The function that answers every request.
pub type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

#[derive(Default)]
struct Connections {
    next_id: u64,
    open: HashMap<u64, TcpStream>,
    threads: Vec<JoinHandle<()>>,
}

/// A running server. Dropping it does not stop it; call [`Server::shutdown`].
pub struct Server {
    local_addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    acceptor: Mutex<Option<JoinHandle<()>>>,
    connections: Arc<Mutex<Connections>>,
}

impl Server {
    /// Binds `addr` and starts accepting connections.
    pub fn start(addr: &str, handler: Handler) -> io::Result<Server> {
        let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
        let listener = TcpListener::bind(&addrs[..])?;
        let local_addr = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(Mutex::new(Connections::default()));
        let acceptor = {
            let stopping = Arc::clone(&stopping);
            let connections = Arc::clone(&connections);
            std::thread::Builder::new()
                .name("sandbox-http-accept".into())
                .spawn(move || accept_loop(listener, handler, stopping, connections))?
        };
        Ok(Server {
            local_addr,
            stopping,
            acceptor: Mutex::new(Some(acceptor)),
            connections,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, closes every connection and joins every thread. Idempotent.
    ///
    /// Handlers still running are waited for; the caller makes them return promptly.
    pub fn shutdown(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        let acceptor = self
            .acceptor
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(acceptor) = acceptor {
            // Wake the blocking accept() with a connection of our own.
            let mut wake = self.local_addr;
            if wake.ip().is_unspecified() {
                wake.set_ip(match wake {
                    SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                    SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
                });
            }
            let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(2));
            let _ = acceptor.join();
        }
        let threads = {
            let mut conns = self.connections.lock().unwrap_or_else(|e| e.into_inner());
            // Only the read side: idle connections see end of input and close, while a
            // request being handled still gets its response written.
            for stream in conns.open.values() {
                let _ = stream.shutdown(Shutdown::Read);
            }
            std::mem::take(&mut conns.threads)
        };
        for thread in threads {
            let _ = thread.join();
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    handler: Handler,
    stopping: Arc<AtomicBool>,
    connections: Arc<Mutex<Connections>>,
) {
    for incoming in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = incoming else {
            // Out of descriptors or a connection reset before accept: back off briefly.
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let mut conns = connections.lock().unwrap_or_else(|e| e.into_inner());
        conns.threads.retain(|t| !t.is_finished());
        if conns.open.len() >= MAX_CONNECTIONS {
            drop(conns);
            let _ = write_response(&stream, &Response::new(503), false, false);
            continue;
        }
        let id = conns.next_id;
        conns.next_id += 1;
        let Ok(registered) = stream.try_clone() else {
            continue;
        };
        conns.open.insert(id, registered);
        let handler = Arc::clone(&handler);
        let stopping = Arc::clone(&stopping);
        let connections_for_thread = Arc::clone(&connections);
        let spawned = std::thread::Builder::new()
            .name("sandbox-http-conn".into())
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                serve_connection(stream, &handler, &stopping);
                let mut conns = connections_for_thread
                    .lock()
                    .unwrap_or_else(|e| e.into_inner());
                conns.open.remove(&id);
            });
        match spawned {
            Ok(thread) => conns.threads.push(thread),
            Err(_) => {
                if let Some(stream) = conns.open.remove(&id) {
                    let _ = stream.shutdown(Shutdown::Both);
                }
            }
        }
    }
}

/// Why no request could be read.
enum ReadError {
    /// The peer closed the connection, timed out or failed: just close.
    Closed,
    /// A malformed or unacceptable request: answer with this status and close.
    Reject(u16),
}

impl From<io::Error> for ReadError {
    fn from(_: io::Error) -> Self {
        ReadError::Closed
    }
}

fn serve_connection(stream: TcpStream, handler: &Handler, stopping: &AtomicBool) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut line = Vec::with_capacity(256);
    loop {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        match read_request(&mut reader, &stream, &mut line) {
            Ok((request, keep_alive)) => {
                let response = handler(&request);
                let keep_alive = keep_alive && !stopping.load(Ordering::SeqCst);
                let head_only = request.method == "HEAD";
                if write_response(&stream, &response, keep_alive, head_only).is_err() || !keep_alive
                {
                    return;
                }
            }
            Err(ReadError::Closed) => return,
            Err(ReadError::Reject(status)) => {
                let body = format!("{} {}\n", status, reason_phrase(status)).into_bytes();
                let response = Response::new(status)
                    .header("Content-Type", "text/plain;charset=UTF-8")
                    .body(body);
                let _ = write_response(&stream, &response, false, false);
                return;
            }
        }
    }
}

/// Reads one line ending in LF into `line` (cleared first; the CR before the LF, if any, is
/// removed). `false` at a clean EOF before any byte. One buffer serves every line of a
/// connection, so reading a request allocates nothing for its lines.
fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> Result<bool, ReadError> {
    line.clear();
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return if line.is_empty() {
                Ok(false)
            } else {
                Err(ReadError::Closed)
            };
        }
        let (chunk, found) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        line.extend_from_slice(chunk);
        let used = chunk.len();
        reader.consume(used);
        if line.len() > MAX_LINE {
            return Err(ReadError::Reject(431));
        }
        if found {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(true);
        }
    }
}

/// Bytes decoded as ISO-8859-1 (each byte is the code point of its value).
fn latin1(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        // ASCII, the usual case, is the same text in both encodings.
        Ok(ascii) if bytes.is_ascii() => ascii.to_owned(),
        _ => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// Whether a comma-separated header value lists `token` (compared case-insensitively).
fn lists_token(value: &str, token: &str) -> bool {
    value
        .split(',')
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn read_request(
    reader: &mut BufReader<TcpStream>,
    stream: &TcpStream,
    line: &mut Vec<u8>,
) -> Result<(Request, bool), ReadError> {
    // Request line; empty lines before it are allowed.
    loop {
        if !read_line(reader, line)? {
            return Err(ReadError::Closed);
        }
        if !line.is_empty() {
            break;
        }
    }
    let request_line = latin1(line);
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Reject(400));
    };
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(ReadError::Reject(505)),
    };
    if !is_token(method) || target.is_empty() {
        return Err(ReadError::Reject(400));
    }
    // Absolute-form targets keep only their path, as the platform's request URI does.
    let origin = match target.find("://") {
        Some(i) if !target.starts_with('/') => {
            let rest = &target[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        _ => target,
    };
    let (path, query) = match origin.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (origin.to_owned(), None),
    };

    let mut headers = Vec::with_capacity(12);
    loop {
        if !read_line(reader, line)? {
            return Err(ReadError::Closed);
        }
        let raw = &line[..];
        if raw.is_empty() {
            break;
        }
        if headers.len() >= MAX_HEADERS {
            return Err(ReadError::Reject(431));
        }
        if raw[0] == b' ' || raw[0] == b'\t' {
            return Err(ReadError::Reject(400)); // obsolete line folding
        }
        // The name is a token (ASCII), so the first `:` of the bytes is the first of the text.
        let Some(colon) = raw.iter().position(|&b| b == b':') else {
            return Err(ReadError::Reject(400));
        };
        let name = latin1(&raw[..colon]);
        if !is_token(&name) {
            return Err(ReadError::Reject(400));
        }
        let value = &raw[colon + 1..];
        let start = value
            .iter()
            .position(|&b| b != b' ' && b != b'\t')
            .unwrap_or(value.len());
        let end = value
            .iter()
            .rposition(|&b| b != b' ' && b != b'\t')
            .map_or(start, |i| i + 1);
        headers.push((name, latin1(&value[start..end])));
    }
    let mut request = Request {
        method: method.to_owned(),
        path,
        query,
        headers,
        body: Vec::new(),
    };

    let connection = request.header("Connection").unwrap_or("");
    let keep_alive = if http11 {
        !lists_token(connection, "close")
    } else {
        lists_token(connection, "keep-alive")
    };

    let chunked = request
        .header("Transfer-Encoding")
        .map(|te| lists_token(te, "chunked"));
    let length = if chunked.is_some() {
        None
    } else {
        let mut length = None;
        for (_, v) in request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
        {
            let n: usize = v.parse().map_err(|_| ReadError::Reject(400))?;
            if length.is_some_and(|l| l != n) {
                return Err(ReadError::Reject(400));
            }
            length = Some(n);
        }
        length
    };
    if chunked == Some(false) {
        return Err(ReadError::Reject(501));
    }
    if length.is_some_and(|n| n > MAX_BODY) {
        return Err(ReadError::Reject(413));
    }
    let expects_body = chunked.is_some() || length.is_some_and(|n| n > 0);
    if expects_body {
        if let Some(expect) = request.header("Expect") {
            if !expect.eq_ignore_ascii_case("100-continue") {
                return Err(ReadError::Reject(417));
            }
            let mut w = stream;
            w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
    }
    if chunked.is_some() {
        request.body = read_chunked(reader, line)?;
    } else if let Some(n) = length {
        let mut body = vec![0; n];
        reader.read_exact(&mut body)?;
        request.body = body;
    }
    Ok((request, keep_alive))
}

fn read_chunked(
    reader: &mut BufReader<TcpStream>,
    line: &mut Vec<u8>,
) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        if !read_line(reader, line)? {
            return Err(ReadError::Closed);
        }
        let text = latin1(line);
        let size_text = text.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16).map_err(|_| ReadError::Reject(400))?;
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                if !read_line(reader, line)? {
                    return Err(ReadError::Closed);
                }
                if line.is_empty() {
                    return Ok(body);
                }
            }
        }
        if body.len() + size > MAX_BODY {
            return Err(ReadError::Reject(413));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        if !read_line(reader, line)? || !line.is_empty() {
            return Err(ReadError::Reject(400));
        }
    }
}

fn write_response(
    mut stream: &TcpStream,
    response: &Response,
    keep_alive: bool,
    head_only: bool,
) -> io::Result<()> {
    let mut out = Vec::with_capacity(256 + response.body.len());
    let now_secs = crate::time::wall_clock_ms().div_euclid(1000);
    write!(
        out,
        "HTTP/1.1 {} {}\r\n",
        response.status,
        reason_phrase(response.status)
    )?;
    out.extend_from_slice(b"Date: ");
    // The date changes once a second: each connection's thread formats it once per second.
    thread_local! {
        static DATE: std::cell::RefCell<(i64, String)> = const { std::cell::RefCell::new((i64::MIN, String::new())) };
    }
    DATE.with_borrow_mut(|(secs, text)| {
        if *secs != now_secs {
            *secs = now_secs;
            *text = crate::time::http_date(now_secs);
        }
        out.extend_from_slice(text.as_bytes());
    });
    out.extend_from_slice(b"\r\n");
    for (name, value) in &response.headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        if value.is_ascii() {
            out.extend_from_slice(value.as_bytes());
        } else {
            out.extend(
                value
                    .chars()
                    .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')),
            );
        }
        out.extend_from_slice(b"\r\n");
    }
    write!(out, "Content-Length: {}\r\n", response.body.len())?;
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head_only {
        out.extend_from_slice(&response.body);
    }
    stream.write_all(&out)?;
    stream.flush()
}

/// The standard reason phrase of the statuses this server uses.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        417 => "Expectation Failed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A server whose handler answers with what it parsed: method, path, query, each header
    /// as `name=value` with the value's code points in hex, and the body's length.
    fn echo_server() -> Server {
        let handler: Handler = Arc::new(|r: &Request| {
            let mut text = format!("{} {} {:?}\n", r.method, r.path, r.query);
            for (name, value) in &r.headers {
                let points: Vec<String> =
                    value.chars().map(|c| format!("{:x}", c as u32)).collect();
                text.push_str(&format!("{name}={}\n", points.join(" ")));
            }
            text.push_str(&format!("body {}\n", r.body.len()));
            Response::new(200).body(text.into_bytes())
        });
        Server::start("127.0.0.1:0", handler).unwrap()
    }

    /// Sends `request` (in pieces of `step` bytes, flushed one by one) and reads until the
    /// server closes the connection.
    fn exchange(server: &Server, request: &[u8], step: usize) -> String {
        let mut s = TcpStream::connect(server.local_addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_nodelay(true).unwrap();
        for piece in request.chunks(step) {
            if s.write_all(piece).is_err() {
                break;
            }
        }
        let _ = s.shutdown(Shutdown::Write);
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    const REQUEST: &[u8] = b"POST /v1/x?a=1 HTTP/1.1\r\nHost: h\r\nX-Pad:  \t v a l \t \r\nX-Latin: caf\xe9\r\nConnection: Keep-Alive, CLOSE\r\nContent-Length: 3\r\n\r\nabc";

    #[test]
    fn a_request_parses_the_same_however_it_is_split() {
        let server = echo_server();
        let whole = exchange(&server, REQUEST, REQUEST.len());
        assert!(whole.starts_with("HTTP/1.1 200 OK\r\n"), "{whole}");
        assert!(whole.contains("Connection: close\r\n"), "{whole}");
        let body = whole.split("\r\n\r\n").nth(1).unwrap();
        assert_eq!(
            body,
            "POST /v1/x Some(\"a=1\")\nHost=68\nX-Pad=76 20 61 20 6c\nX-Latin=63 61 66 e9\n\
             Connection=4b 65 65 70 2d 41 6c 69 76 65 2c 20 43 4c 4f 53 45\nContent-Length=33\nbody 3\n"
        );
        // A slow client, one byte per write, gets the same answer (but for the Date header).
        let slow = exchange(&server, REQUEST, 1);
        assert_eq!(slow.split("\r\n\r\n").nth(1), Some(body));
        server.shutdown();
    }

    #[test]
    fn oversized_and_malformed_heads_are_refused() {
        let server = echo_server();
        let long_line = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_LINE));
        assert!(exchange(&server, long_line.as_bytes(), 4096).starts_with("HTTP/1.1 431 "));
        let long_target = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_LINE));
        assert!(exchange(&server, long_target.as_bytes(), 4096).starts_with("HTTP/1.1 431 "));
        let mut many = String::from("GET / HTTP/1.1\r\n");
        for i in 0..=MAX_HEADERS {
            many.push_str(&format!("X-{i}: v\r\n"));
        }
        many.push_str("\r\n");
        assert!(exchange(&server, many.as_bytes(), 4096).starts_with("HTTP/1.1 431 "));
        let mut just = String::from("GET / HTTP/1.1\r\nConnection: close\r\n");
        for i in 1..MAX_HEADERS {
            just.push_str(&format!("X-{i}: v\r\n"));
        }
        just.push_str("\r\n");
        assert!(exchange(&server, just.as_bytes(), 4096).starts_with("HTTP/1.1 200 "));
        for bad in [
            &b"GET / HTTP/1.1\r\n folded: x\r\n\r\n"[..],
            b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
            b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
            b"GET / HTTP/1.1\r\n\xe9: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
            b"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        ] {
            let reply = exchange(&server, bad, 4096);
            assert!(reply.starts_with("HTTP/1.1 400 "), "{reply}");
        }
        let huge = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n300000\r\n";
        assert!(exchange(&server, huge, 4096).starts_with("HTTP/1.1 413 "));
        assert!(exchange(
            &server,
            b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
            4096
        )
        .starts_with("HTTP/1.1 501 "));
        // A head cut off by the client gets no answer and does not stop the server.
        assert_eq!(exchange(&server, b"GET / HTTP/1.1\r\nHost: h", 4096), "");
        let ok = exchange(&server, b"GET / HTTP/1.0\r\n\r\n", 4096);
        assert!(ok.starts_with("HTTP/1.1 200 "), "{ok}");
        server.shutdown();
    }

    #[test]
    fn chunked_bodies_and_pipelined_requests() {
        let server = echo_server();
        let reply = exchange(
            &server,
            b"POST /a HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\nGET /b HTTP/1.1\r\nConnection: close\r\n\r\n",
            7,
        );
        assert_eq!(reply.matches("HTTP/1.1 200 OK").count(), 2, "{reply}");
        assert!(reply.contains("POST /a None\n"), "{reply}");
        assert!(reply.contains("body 3\n"), "{reply}");
        assert!(reply.contains("GET /b None\n"), "{reply}");
        server.shutdown();
    }

    #[test]
    fn many_idle_connections_do_not_block_a_request() {
        let server = echo_server();
        let idle: Vec<TcpStream> = (0..300)
            .map(|_| TcpStream::connect(server.local_addr()).unwrap())
            .collect();
        let reply = exchange(
            &server,
            b"GET /x HTTP/1.1\r\nConnection: close\r\n\r\n",
            4096,
        );
        assert!(reply.starts_with("HTTP/1.1 200 "), "{reply}");
        drop(idle);
        server.shutdown();
    }
}
