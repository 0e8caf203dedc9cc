//! The client's own HTTP/1.1 transport for `http://` base URLs reached without a proxy.
//!
//! A request to the platform is small and its answer is small, so most of a round trip through
//! a general HTTP agent is the agent's own machinery (building a header map, 128 KiB buffers,
//! per-request timeout syscalls and liveness probes, a resolver call). This transport does only
//! what such an exchange needs, on kept-alive connections:
//!
//! - one write per request (head and body from one reused buffer);
//! - a pool of idle connections sized by the client's `max_idle_connections` (no connection is
//!   ever closed for lack of room while at most that many requests are in flight);
//! - one non-blocking peek before reusing a pooled connection (a connection the server closed
//!   while idle is replaced before anything is written to it);
//! - socket timeouts set only when they would otherwise outlast the request's deadline by more
//!   than a small slack, so a run of quick requests makes no timeout syscalls at all;
//! - answers framed by `Content-Length`, chunked encoding, or the end of the connection; heads
//!   up to 64 KiB; bodies up to the client's limits.
//!
//! `https://` and proxies go through the HTTP agent (ureq) as before. The rules are the same on
//! both paths: nothing that may have reached the server is sent again, every failure after the
//! first byte was written says `maybe_sent`, and the whole request stays within its timeout.

use crate::error::{escape_text, Error, ErrorKind};
use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The largest response head read.
const MAX_HEAD: usize = 64 * 1024;
/// How long a resolved address list is reused.
const RESOLVE_TTL: Duration = Duration::from_secs(30);
/// Idle connections older than this are closed rather than reused (servers close idle
/// connections after a while, typically 20 s to 60 s; a request should not race that).
const IDLE_MAX: Duration = Duration::from_secs(15);
/// A pooled connection found closed this soon after its last answer means the server closes
/// connections after each answer (without saying `Connection: close`).
const QUICK_CLOSE: Duration = Duration::from_secs(2);
/// The most a socket timeout may outlast a request's deadline before it is set again.
const MAX_SLACK: Duration = Duration::from_millis(250);

/// One request, ready to be written.
pub(crate) struct Outgoing<'a> {
    pub method: &'static str,
    /// Path and query, as sent on the request line.
    pub target: &'a str,
    /// Header lines, name and value.
    pub headers: &'a [(&'a str, &'a str)],
    /// `Some` for methods with content (even empty): sends `Content-Length`.
    pub body: Option<&'a [u8]>,
}

/// Where the body of an answer is: still in the connection's input (most answers, read in
/// place), or gathered apart (chunked, or delimited by the end of the connection).
enum Body {
    /// `input[range]`.
    InInput(std::ops::Range<usize>),
    Apart(Vec<u8>),
}

/// Why an exchange failed.
pub(crate) struct Failure {
    pub error: Error,
    /// True when nothing was sent because no connection could be made: the client may try again.
    pub may_retry: bool,
}

/// Limits on what is read of an answer.
pub(crate) struct Limits {
    /// A 200 answer's body larger than this fails with a `decode` error.
    pub success_body: usize,
    /// Of any other answer, this much of the body is kept.
    pub error_body: usize,
}

struct Conn {
    stream: TcpStream,
    /// Bytes read and not yet used.
    input: Vec<u8>,
    /// Where reads land before they join `input`.
    scratch: Box<[u8]>,
    /// The request being written.
    output: Vec<u8>,
    read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    /// When its last answer was read.
    last_used: Instant,
}

/// Connections to one `host:port`, and how to open more.
pub(crate) struct Plain {
    /// `host:port` as written in the base URL (the `Host` header).
    authority: String,
    host: String,
    port: u16,
    max_idle: usize,
    idle: Mutex<Vec<Conn>>,
    resolved: Mutex<Option<(Instant, Arc<[SocketAddr]>)>>,
    quick_closes: Arc<AtomicU32>,
}

impl std::fmt::Debug for Plain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plain")
            .field("authority", &self.authority)
            .field("max_idle", &self.max_idle)
            .finish_non_exhaustive()
    }
}

fn timeout_error(stage: &str, limit: Duration) -> Error {
    Error::new(
        ErrorKind::Timeout,
        format!("request timed out ({stage}; whole-request limit {limit:?})"),
    )
}

impl Plain {
    /// A transport for the origin `http://authority`, or `None` when the authority is not one
    /// this transport reads (the HTTP agent then handles it).
    pub(crate) fn new(
        authority: &str,
        max_idle: usize,
        quick_closes: Arc<AtomicU32>,
    ) -> Option<Plain> {
        let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
            let (host, after) = rest.split_once(']')?;
            host.parse::<std::net::Ipv6Addr>().ok()?;
            let port = match after {
                "" => 80,
                p => p.strip_prefix(':')?.parse().ok()?,
            };
            (host, port)
        } else {
            match authority.split_once(':') {
                Some((host, port)) => (host, port.parse().ok()?),
                None => (authority, 80),
            }
        };
        if host.is_empty() || (!authority.starts_with('[') && host.contains(['[', ']', '@', ':'])) {
            return None;
        }
        Some(Plain {
            authority: authority.to_owned(),
            host: host.to_owned(),
            port,
            max_idle,
            idle: Mutex::new(Vec::new()),
            resolved: Mutex::new(None),
            quick_closes,
        })
    }

    /// One request and its answer, within `limit` from now: what `read` makes of the answer's
    /// status and body (the body read up to the limit of its kind).
    pub(crate) fn exchange<R>(
        &self,
        request: &Outgoing<'_>,
        limit: Duration,
        connect_timeout: Duration,
        limits: &Limits,
        read: impl FnOnce(u16, &[u8]) -> R,
    ) -> Result<R, Failure> {
        let deadline = Instant::now() + limit;
        loop {
            let (mut conn, reused) = match self.take_idle() {
                Some(conn) => (conn, true),
                None => (self.connect(deadline, limit, connect_timeout)?, false),
            };
            let close = request.headers.iter().any(|(n, v)| {
                n.eq_ignore_ascii_case("connection") && v.eq_ignore_ascii_case("close")
            });
            encode(&mut conn.output, &self.authority, request);
            match write_request(&mut conn, deadline, limit) {
                Ok(()) => {}
                // A kept-alive connection that fails before taking a byte: the server closed it
                // between the peek and the write. Nothing was sent; use another.
                Err(Written::Nothing(_)) if reused => continue,
                Err(Written::Nothing(error)) => {
                    return Err(Failure {
                        error,
                        may_retry: false,
                    })
                }
                Err(Written::Some(error)) => {
                    return Err(Failure {
                        error: error.sent_maybe(),
                        may_retry: false,
                    })
                }
            }
            return match read_answer(&mut conn, deadline, limit, limits) {
                Ok((status, body, keep)) => {
                    let answer = match body {
                        Body::InInput(range) => read(status, &conn.input[range]),
                        Body::Apart(body) => read(status, &body),
                    };
                    conn.input.clear();
                    if keep && !close {
                        conn.last_used = Instant::now();
                        self.put_idle(conn);
                    }
                    Ok(answer)
                }
                // A body too large to read is an answer, not a broken exchange.
                Err(error) if error.kind() == ErrorKind::Decode => Err(Failure {
                    error,
                    may_retry: false,
                }),
                Err(error) => Err(Failure {
                    error: error.sent_maybe(),
                    may_retry: false,
                }),
            };
        }
    }

    /// The most recently used idle connection that is still open.
    fn take_idle(&self) -> Option<Conn> {
        loop {
            let conn = self.idle.lock().ok()?.pop()?;
            let idle_for = conn.last_used.elapsed();
            if idle_for >= IDLE_MAX {
                continue;
            }
            if is_open(&conn.stream) {
                return Some(conn);
            }
            if idle_for < QUICK_CLOSE {
                self.quick_closes.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn put_idle(&self, conn: Conn) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < self.max_idle {
                idle.push(conn);
            }
        }
    }

    fn addresses(&self, deadline: Instant, limit: Duration) -> Result<Arc<[SocketAddr]>, Failure> {
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return Ok(Arc::from([SocketAddr::new(ip, self.port)]));
        }
        if let Ok(cached) = self.resolved.lock() {
            if let Some((at, addrs)) = cached.as_ref() {
                if at.elapsed() < RESOLVE_TTL {
                    return Ok(addrs.clone());
                }
            }
        }
        // The system resolver has no timeout of its own: ask it on a thread, wait at most
        // until the deadline.
        let (tx, rx) = std::sync::mpsc::channel();
        let (host, port) = (self.host.clone(), self.port);
        let spawned = std::thread::Builder::new()
            .name("yunhuni-resolve".into())
            .spawn(move || {
                let _ = tx.send((host.as_str(), port).to_socket_addrs().map(Vec::from_iter));
            });
        let not_sent = |error: Error| Failure {
            error,
            may_retry: true,
        };
        if let Err(e) = spawned {
            return Err(not_sent(Error::new(
                ErrorKind::Transport,
                format!("could not connect: cannot start the resolver: {e}"),
            )));
        }
        let wait = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(wait) {
            Ok(Ok(addrs)) if !addrs.is_empty() => {
                let addrs: Arc<[SocketAddr]> = Arc::from(addrs);
                if let Ok(mut cached) = self.resolved.lock() {
                    *cached = Some((Instant::now(), addrs.clone()));
                }
                Ok(addrs)
            }
            Ok(Ok(_)) | Ok(Err(_)) => Err(not_sent(Error::new(
                ErrorKind::Transport,
                format!(
                    "could not connect: host not found: {}",
                    escape_text(&self.host)
                ),
            ))),
            Err(_) => Err(not_sent(timeout_error("resolving the host", limit))),
        }
    }

    fn connect(
        &self,
        deadline: Instant,
        limit: Duration,
        connect_timeout: Duration,
    ) -> Result<Conn, Failure> {
        let addrs = self.addresses(deadline, limit)?;
        let not_sent = |error: Error| Failure {
            error,
            may_retry: true,
        };
        let until = deadline.min(Instant::now() + connect_timeout);
        let mut last = None;
        for addr in addrs.iter() {
            let wait = until.saturating_duration_since(Instant::now());
            if wait.is_zero() {
                break;
            }
            match TcpStream::connect_timeout(addr, wait) {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    return Ok(Conn {
                        stream,
                        input: Vec::with_capacity(4096),
                        scratch: vec![0; 16 * 1024].into_boxed_slice(),
                        output: Vec::with_capacity(1024),
                        read_timeout: None,
                        write_timeout: None,
                        last_used: Instant::now(),
                    });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(not_sent(match last {
            Some(e)
                if !matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                Error::new(
                    ErrorKind::Transport,
                    format!("could not connect: {}", escape_text(&e.to_string())),
                )
            }
            _ => timeout_error("connecting", limit),
        }))
    }
}

/// Writes `request` into `out`: request line, `Host`, the given headers, `Content-Length`.
fn encode(out: &mut Vec<u8>, authority: &str, request: &Outgoing<'_>) {
    out.clear();
    let mut put = |parts: &[&[u8]]| parts.iter().for_each(|p| out.extend_from_slice(p));
    put(&[
        request.method.as_bytes(),
        b" ",
        request.target.as_bytes(),
        b" HTTP/1.1\r\nHost: ",
        authority.as_bytes(),
        b"\r\n",
    ]);
    for (name, value) in request.headers {
        put(&[name.as_bytes(), b": ", value.as_bytes(), b"\r\n"]);
    }
    if let Some(body) = request.body {
        out.extend_from_slice(b"Content-Length: ");
        let _ = write!(out, "{}", body.len());
        out.extend_from_slice(b"\r\n\r\n");
        out.extend_from_slice(body);
    } else {
        out.extend_from_slice(b"\r\n");
    }
}

/// The socket timeout may outlast `deadline` by at most this much before it is set again.
fn slack(limit: Duration) -> Duration {
    (limit / 16).min(MAX_SLACK)
}

/// Makes sure a blocking call on the socket returns by about `deadline`: sets the timeout
/// only when the one in place would outlast it by more than the slack.
fn arm(
    current: &mut Option<Duration>,
    set: impl FnOnce(Option<Duration>) -> io::Result<()>,
    deadline: Instant,
    limit: Duration,
) -> io::Result<()> {
    let remaining = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(1));
    if matches!(current, Some(c) if *c <= remaining + slack(limit)) {
        return Ok(());
    }
    set(Some(remaining))?;
    *current = Some(remaining);
    Ok(())
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

enum Written {
    Nothing(Error),
    Some(Error),
}

fn write_request(conn: &mut Conn, deadline: Instant, limit: Duration) -> Result<(), Written> {
    let mut at = 0;
    let out = std::mem::take(&mut conn.output);
    let result = (|| {
        while at < out.len() {
            let stream = &conn.stream;
            arm(
                &mut conn.write_timeout,
                |t| stream.set_write_timeout(t),
                deadline,
                limit,
            )
            .map_err(|e| (e, false))?;
            match (&conn.stream).write(&out[at..]) {
                Ok(0) => return Err((io::ErrorKind::WriteZero.into(), false)),
                Ok(n) => at += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) && Instant::now() < deadline => {
                    conn.write_timeout = None; // set it again to what remains
                }
                Err(e) => {
                    let timed_out = is_timeout(&e);
                    return Err((e, timed_out));
                }
            }
        }
        Ok(())
    })();
    conn.output = out;
    result.map_err(|(e, timed_out)| {
        let error = if timed_out {
            timeout_error("sending the request", limit)
        } else {
            Error::new(
                ErrorKind::Transport,
                format!("connection failed: {}", escape_text(&e.to_string())),
            )
        };
        if at == 0 {
            Written::Nothing(error)
        } else {
            Written::Some(error)
        }
    })
}

/// Reads more input; `Ok(0)` at the end of the connection.
fn fill(conn: &mut Conn, deadline: Instant, limit: Duration) -> Result<usize, Error> {
    let result = loop {
        let stream = &conn.stream;
        if let Err(e) = arm(
            &mut conn.read_timeout,
            |t| stream.set_read_timeout(t),
            deadline,
            limit,
        ) {
            break Err(Error::new(
                ErrorKind::Transport,
                format!("connection failed: {}", escape_text(&e.to_string())),
            ));
        }
        match (&conn.stream).read(&mut conn.scratch) {
            Ok(n) if Instant::now() > deadline && n > 0 => {
                break Err(timeout_error("waiting for the answer", limit))
            }
            Ok(n) => break Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if is_timeout(&e) => {
                if Instant::now() >= deadline {
                    break Err(timeout_error("waiting for the answer", limit));
                }
                conn.read_timeout = None; // set it again to what remains
            }
            Err(e) => {
                break Err(Error::new(
                    ErrorKind::Transport,
                    format!("connection failed: {}", escape_text(&e.to_string())),
                ))
            }
        }
    };
    if let Ok(n) = result {
        conn.input.extend_from_slice(&conn.scratch[..n]);
    }
    result
}

fn broken(what: &str) -> Error {
    Error::new(ErrorKind::Transport, format!("connection failed: {what}"))
}

/// How an answer's body is delimited.
enum Framing {
    Length(usize),
    Chunked,
    Close,
}

struct Head {
    status: u16,
    framing: Framing,
    keep_alive: bool,
}

/// The head at the start of `input` (its length in bytes), if it is all there.
fn parse_head(input: &[u8]) -> Result<Option<(Head, usize)>, Error> {
    let Some(end) = input
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
    else {
        if input.len() > MAX_HEAD {
            return Err(broken("the answer's head is larger than 64 KiB"));
        }
        // Something other than HTTP needs no more bytes to be refused.
        let start = &input[..input.len().min(5)];
        if !b"HTTP/".starts_with(start) {
            return Err(not_http(input));
        }
        return Ok(None);
    };
    if end > MAX_HEAD {
        return Err(broken("the answer's head is larger than 64 KiB"));
    }
    let text = &input[..end - 4];
    let mut lines = text
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status_line = lines.next().unwrap_or_default();
    let (version, rest) = match status_line {
        [b'H', b'T', b'T', b'P', b'/', b'1', b'.', v @ (b'0' | b'1'), b' ', rest @ ..] => {
            (*v, rest)
        }
        _ => return Err(not_http(input)),
    };
    let status = match rest {
        [a, b, c, ..] if rest.len() == 3 || rest[3] == b' ' => [a, b, c]
            .iter()
            .try_fold(0u16, |n, d| {
                d.is_ascii_digit().then(|| n * 10 + u16::from(*d - b'0'))
            })
            .filter(|s| *s >= 100)
            .ok_or_else(|| not_http(input))?,
        _ => return Err(not_http(input)),
    };
    let mut length: Option<usize> = None;
    let mut chunked = false;
    let mut close = version == b'0';
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(broken("the answer has a header line without a colon"));
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"content-length") {
            let n = std::str::from_utf8(value)
                .ok()
                .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|v| v.parse::<usize>().ok())
                .ok_or_else(|| broken("the answer's Content-Length is not a length"))?;
            if length.is_some_and(|l| l != n) {
                return Err(broken("the answer has two different Content-Lengths"));
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            let last = value.rsplit(|&b| b == b',').next().unwrap_or_default();
            if last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                chunked = true;
            } else if !value.eq_ignore_ascii_case(b"identity") {
                return Err(broken("the answer's Transfer-Encoding is not chunked"));
            }
        } else if name.eq_ignore_ascii_case(b"connection") {
            for token in value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                if token.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") && version == b'0' {
                    close = false;
                }
            }
        }
    }
    let framing = if status == 204 || status == 304 || (100..200).contains(&status) {
        Framing::Length(0)
    } else if chunked {
        Framing::Chunked
    } else if let Some(n) = length {
        Framing::Length(n)
    } else {
        Framing::Close
    };
    let keep_alive = !close && !matches!(framing, Framing::Close);
    Ok(Some((
        Head {
            status,
            framing,
            keep_alive,
        },
        end,
    )))
}

fn not_http(input: &[u8]) -> Error {
    let head = String::from_utf8_lossy(&input[..input.len().min(60)]).into_owned();
    broken(&format!(
        "the server did not answer in HTTP/1.x: {}",
        escape_text(&head)
    ))
}

/// Reads the answer to the request just written. `keep` is true when the connection is ready
/// for another request.
fn read_answer(
    conn: &mut Conn,
    deadline: Instant,
    limit: Duration,
    limits: &Limits,
) -> Result<(u16, Body, bool), Error> {
    conn.input.clear();
    let (head, at) = loop {
        match parse_head(&conn.input)? {
            Some((head, at)) if (100..200).contains(&head.status) => {
                if head.status == 101 {
                    return Err(broken("the server switched protocols"));
                }
                conn.input.drain(..at);
            }
            Some(found) => break found,
            None => {
                if fill(conn, deadline, limit)? == 0 {
                    return Err(if conn.input.is_empty() {
                        broken("the server closed the connection without answering")
                    } else {
                        broken("the server closed the connection in the middle of its answer")
                    });
                }
            }
        }
    };
    let cap = if head.status == 200 {
        limits.success_body
    } else {
        limits.error_body
    };
    let too_large = || {
        Error::decode(format!(
            "response body is larger than {} bytes",
            limits.success_body
        ))
        .with_status(200)
    };
    let partial_ok = head.status != 200;
    let mut body = Vec::new();
    let mut complete = true;
    if !matches!(head.framing, Framing::Length(_)) {
        conn.input.drain(..at);
    }
    match head.framing {
        Framing::Length(n) => {
            if n > cap && !partial_ok {
                return Err(too_large());
            }
            // The body is read in place, after the head.
            let want = n.min(cap);
            while conn.input.len() - at < want {
                match fill(conn, deadline, limit) {
                    Ok(0) if partial_ok => break,
                    Ok(0) => {
                        return Err(broken(
                            "the server closed the connection in the middle of its answer",
                        ))
                    }
                    Ok(_) => {}
                    Err(_) if partial_ok => break,
                    Err(e) => return Err(e),
                }
            }
            let got = (conn.input.len() - at).min(want);
            complete = got == n && conn.input.len() - at == n;
            return Ok((
                head.status,
                Body::InInput(at..at + got),
                complete && head.keep_alive,
            ));
        }
        Framing::Close => loop {
            if conn.input.len() > cap {
                if !partial_ok {
                    return Err(too_large());
                }
                complete = false;
                break;
            }
            match fill(conn, deadline, limit) {
                Ok(0) => break,
                Ok(_) => {}
                Err(_) if partial_ok => {
                    complete = false;
                    break;
                }
                Err(e) => return Err(e),
            }
        },
        Framing::Chunked => {
            match read_chunks(conn, deadline, limit, cap, &mut body) {
                Ok(true) => complete = conn.input.is_empty(),
                Ok(false) if !partial_ok => return Err(too_large()),
                Ok(false) => complete = false,
                Err(_) if partial_ok => complete = false,
                Err(e) => return Err(e),
            }
            conn.input.clear();
        }
    }
    if matches!(head.framing, Framing::Close) {
        body = std::mem::take(&mut conn.input);
        body.truncate(cap);
    }
    Ok((head.status, Body::Apart(body), complete && head.keep_alive))
}

/// Reads a chunked body into `body`: `Ok(true)` when it ended, `Ok(false)` when it grew past
/// `cap` (what fits is kept).
fn read_chunks(
    conn: &mut Conn,
    deadline: Instant,
    limit: Duration,
    cap: usize,
    body: &mut Vec<u8>,
) -> Result<bool, Error> {
    let bad = || broken("the answer's chunked encoding is broken");
    let cut = || broken("the server closed the connection in the middle of its answer");
    loop {
        // The chunk-size line.
        let line_end = loop {
            if let Some(i) = conn.input.windows(2).position(|w| w == b"\r\n") {
                break i;
            }
            if conn.input.len() > 1024 {
                return Err(bad());
            }
            if fill(conn, deadline, limit)? == 0 {
                return Err(cut());
            }
        };
        let line = &conn.input[..line_end];
        let digits = line
            .split(|&b| b == b';')
            .next()
            .unwrap_or_default()
            .trim_ascii();
        if digits.is_empty() || digits.len() > 12 || !digits.iter().all(u8::is_ascii_hexdigit) {
            return Err(bad());
        }
        let size = usize::from_str_radix(std::str::from_utf8(digits).map_err(|_| bad())?, 16)
            .map_err(|_| bad())?;
        conn.input.drain(..line_end + 2);
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                if let Some(i) = conn.input.windows(2).position(|w| w == b"\r\n") {
                    conn.input.drain(..i + 2);
                    if i == 0 {
                        return Ok(true);
                    }
                    continue;
                }
                if conn.input.len() > MAX_HEAD {
                    return Err(bad());
                }
                if fill(conn, deadline, limit)? == 0 {
                    return Err(cut());
                }
            }
        }
        if body.len() + size > cap {
            let room = cap - body.len();
            while conn.input.len() < room {
                if fill(conn, deadline, limit)? == 0 {
                    break;
                }
            }
            body.extend_from_slice(&conn.input[..room.min(conn.input.len())]);
            return Ok(false);
        }
        while conn.input.len() < size + 2 {
            if fill(conn, deadline, limit)? == 0 {
                return Err(cut());
            }
        }
        if &conn.input[size..size + 2] != b"\r\n" {
            return Err(bad());
        }
        body.extend_from_slice(&conn.input[..size]);
        conn.input.drain(..size + 2);
    }
}

/// Whether a pooled connection is still open: one non-blocking peek, which finds the end of
/// the connection (or unasked-for bytes, which make it unusable too) without waiting.
#[cfg(unix)]
fn is_open(stream: &TcpStream) -> bool {
    let mut byte = [std::mem::MaybeUninit::<u8>::uninit()];
    matches!(
        socket2::SockRef::from(stream).recv_with_flags(&mut byte, libc::MSG_PEEK | libc::MSG_DONTWAIT),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock
    )
}

#[cfg(not(unix))]
fn is_open(stream: &TcpStream) -> bool {
    let mut byte = [0u8; 1];
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let open = matches!(stream.peek(&mut byte), Err(e) if e.kind() == io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false).is_ok() && open
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &[u8]) -> Result<Option<(Head, usize)>, Error> {
        parse_head(raw)
    }

    #[test]
    fn heads() {
        let (h, at) = head(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
            .unwrap()
            .unwrap();
        assert_eq!((h.status, at, h.keep_alive), (200, 38, true));
        assert!(matches!(h.framing, Framing::Length(2)));
        let (h, _) = head(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n")
            .unwrap()
            .unwrap();
        assert!(!h.keep_alive);
        let (h, _) =
            head(b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n")
                .unwrap()
                .unwrap();
        assert!(h.keep_alive);
        let (h, _) =
            head(b"HTTP/1.1 500 X\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                .unwrap()
                .unwrap();
        assert!(matches!(h.framing, Framing::Chunked) && !h.keep_alive);
        let (h, _) = head(b"HTTP/1.1 200\r\n\r\n").unwrap().unwrap();
        assert!(matches!(h.framing, Framing::Close) && !h.keep_alive);
        assert!(head(b"HTTP/1.1 200 OK\r\nContent-").unwrap().is_none());
        assert!(head(b"HTT").unwrap().is_none());
        for bad in [
            &b"this is not HTTP at all\r\n\r\n"[..],
            b"SSH-2.0",
            b"HTTP/2 200\r\n\r\n",
            b"HTTP/1.1 20 OK\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n",
        ] {
            let e = head(bad)
                .err()
                .unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert_eq!(e.kind(), ErrorKind::Transport, "{e}");
        }
        let mut huge = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
        huge.resize(MAX_HEAD + 10, b'z');
        assert!(head(&huge).is_err());
    }

    #[test]
    fn requests_are_encoded_in_one_buffer() {
        let mut out = Vec::new();
        encode(
            &mut out,
            "127.0.0.1:8080",
            &Outgoing {
                method: "POST",
                target: "/v1/account/a/call/duo_callback",
                headers: &[("AppID", "x")],
                body: Some(b"{}"),
            },
        );
        assert_eq!(
            out,
            b"POST /v1/account/a/call/duo_callback HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAppID: x\r\nContent-Length: 2\r\n\r\n{}"
        );
        encode(
            &mut out,
            "h",
            &Outgoing {
                method: "GET",
                target: "/x?y=1",
                headers: &[],
                body: None,
            },
        );
        assert_eq!(out, b"GET /x?y=1 HTTP/1.1\r\nHost: h\r\n\r\n");
    }

    #[test]
    fn authorities() {
        let q = Arc::new(AtomicU32::new(0));
        let p = |a: &str| Plain::new(a, 1, q.clone()).map(|p| (p.host, p.port));
        assert_eq!(p("127.0.0.1:8080"), Some(("127.0.0.1".into(), 8080)));
        assert_eq!(p("example.com"), Some(("example.com".into(), 80)));
        assert_eq!(p("[::1]:9"), Some(("::1".into(), 9)));
        assert_eq!(p("[::1]"), Some(("::1".into(), 80)));
        assert_eq!(p("h:notaport"), None);
        assert_eq!(p("[::1"), None);
    }
}
