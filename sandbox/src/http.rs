//! A small HTTP/1.1 server on `std::net`: keep-alive, pipelining, clean shutdown.
//!
//! Public so that tools built on the sandbox (the `yunhuni` command's webhook listener, tests in
//! other languages' bindings) receive webhooks with the same server instead of another one.
//!
//! It is just enough of HTTP for the platform's API and the sandbox's admin endpoints:
//! `Content-Length` and chunked request bodies, `Expect: 100-continue`, persistent connections
//! for HTTP/1.1 (and HTTP/1.0 with `Connection: keep-alive`). Header values are decoded as
//! ISO-8859-1, as the platform's web server does, so they can be signed byte for byte.
//!
//! On Linux a few threads share one epoll instance and serve every connection (`pool`); a
//! handler may still block, the pool adds a thread when all of its threads are held up. Elsewhere
//! (and with the feature `thread-per-connection`, which the tests use to run this module's tests
//! on it too) each connection has its own thread (`threads`). Both drive the same connection state
//! (`conn`) and the same incremental parser (`parse`).

mod conn;
/// How connections are served: `http/pool.rs` (epoll) on Linux, `http/threads.rs` elsewhere
/// and with the feature `thread-per-connection`.
#[cfg_attr(
    all(
        any(target_os = "linux", target_os = "android"),
        not(feature = "thread-per-connection")
    ),
    path = "http/pool.rs"
)]
#[cfg_attr(
    any(
        not(any(target_os = "linux", target_os = "android")),
        feature = "thread-per-connection"
    ),
    path = "http/threads.rs"
)]
mod model;
mod parse;

use std::borrow::Cow;
use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

// Locks a mutex, also after a thread panicked while holding it (for the submodules).
use crate::sim::lock;

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
/// Stack size of the server's threads.
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
        if std::str::from_utf8(&self.body).is_ok() {
            return Cow::Borrowed(&self.body);
        }
        Cow::Owned(
            String::from_utf8_lossy(&self.body)
                .into_owned()
                .into_bytes(),
        )
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

/// A running server. Dropping it does not stop it; call [`Server::shutdown`].
pub struct Server {
    local_addr: SocketAddr,
    running: Mutex<Option<model::Running>>,
}

impl Server {
    /// Binds `addr` and starts accepting connections.
    pub fn start(addr: &str, handler: Handler) -> io::Result<Server> {
        let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
        let listener = TcpListener::bind(&addrs[..])?;
        let local_addr = listener.local_addr()?;
        let running = model::start(listener, handler)?;
        Ok(Server {
            local_addr,
            running: Mutex::new(Some(running)),
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, closes every connection and joins every thread. Idempotent.
    ///
    /// Handlers still running are waited for, and their responses written; the caller makes
    /// them return promptly.
    pub fn shutdown(&self) {
        if let Some(mut running) = lock(&self.running).take() {
            running.stop();
        }
    }
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
    use std::net::{Shutdown, TcpStream};

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

    /// Handlers that block until all of them have started: more of them than the server's
    /// usual threads, so each is answered only if the server adds threads for them.
    #[test]
    fn handlers_that_block_do_not_hold_up_other_connections() {
        const N: usize = 12;
        let barrier = Arc::new(std::sync::Barrier::new(N));
        let handler: Handler = Arc::new(move |r: &Request| {
            if r.path == "/wait" {
                barrier.wait();
            }
            Response::new(200).body(r.path.clone().into_bytes())
        });
        let server = Server::start("127.0.0.1:0", handler).unwrap();
        let addr = server.local_addr();
        let waiting: Vec<_> = (0..N)
            .map(|_| {
                std::thread::spawn(move || {
                    let mut s = TcpStream::connect(addr).unwrap();
                    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
                    s.write_all(b"GET /wait HTTP/1.1\r\nConnection: close\r\n\r\n")
                        .unwrap();
                    let mut out = String::new();
                    let _ = s.read_to_string(&mut out);
                    out
                })
            })
            .collect();
        for w in waiting {
            let reply = w.join().unwrap();
            assert!(reply.starts_with("HTTP/1.1 200 "), "{reply}");
            assert!(reply.ends_with("/wait"), "{reply}");
        }
        server.shutdown();
    }

    #[test]
    fn a_handler_that_panics_gets_a_500_and_the_server_goes_on() {
        let handler: Handler = Arc::new(|r: &Request| {
            assert!(r.path != "/panic", "the handler fails on purpose");
            Response::new(200).body(b"fine".to_vec())
        });
        let server = Server::start("127.0.0.1:0", handler).unwrap();
        let reply = exchange(
            &server,
            b"GET /panic HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\n",
            4096,
        );
        assert!(reply.starts_with("HTTP/1.1 500 "), "{reply}");
        assert!(reply.contains("Connection: close\r\n"), "{reply}");
        assert_eq!(reply.matches("HTTP/1.1").count(), 1, "{reply}");
        let ok = exchange(
            &server,
            b"GET /x HTTP/1.1\r\nConnection: close\r\n\r\n",
            4096,
        );
        assert!(
            ok.starts_with("HTTP/1.1 200 ") && ok.ends_with("fine"),
            "{ok}"
        );
        server.shutdown();
    }

    /// A response larger than the socket's buffers, to a client that starts reading late, and
    /// then a second one on the same connection.
    #[test]
    fn a_large_response_reaches_a_slow_reader_whole() {
        const SIZE: usize = 8 * 1024 * 1024;
        let handler: Handler = Arc::new(|r: &Request| {
            let fill = if r.path == "/a" { b'a' } else { b'b' };
            Response::new(200).body(vec![fill; SIZE])
        });
        let server = Server::start("127.0.0.1:0", handler).unwrap();
        let mut s = TcpStream::connect(server.local_addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\nConnection: close\r\n\r\n")
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        // Two heads, each followed by its whole body.
        let mut rest = &out[..];
        for fill in [b'a', b'b'] {
            let head_end = rest.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            assert!(rest.starts_with(b"HTTP/1.1 200 OK\r\n"));
            let body = &rest[head_end..head_end + SIZE];
            assert!(body.iter().all(|&b| b == fill));
            rest = &rest[head_end + SIZE..];
        }
        assert!(rest.is_empty());
        server.shutdown();
    }

    /// A request whose handler is running when the server stops still gets its answer, with
    /// `Connection: close`; shutdown waits for it.
    #[test]
    fn shutdown_lets_a_running_handler_answer() {
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let release_rx = Mutex::new(release_rx);
        let handler: Handler = Arc::new(move |_: &Request| {
            let _ = started_tx.send(());
            let _ = lock(&release_rx).recv_timeout(Duration::from_secs(30));
            Response::new(200).body(b"late".to_vec())
        });
        let server = Arc::new(Server::start("127.0.0.1:0", handler).unwrap());
        let mut s = TcpStream::connect(server.local_addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
        started_rx.recv_timeout(Duration::from_secs(30)).unwrap();
        let stopping = {
            let server = Arc::clone(&server);
            std::thread::spawn(move || server.shutdown())
        };
        std::thread::sleep(Duration::from_millis(100));
        release_tx.send(()).unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        stopping.join().unwrap();
        assert!(out.starts_with("HTTP/1.1 200 "), "{out}");
        assert!(out.contains("Connection: close\r\n"), "{out}");
        assert!(out.ends_with("late"), "{out}");
        // Stopped: nothing is accepted any more.
        assert!(TcpStream::connect(server.local_addr())
            .and_then(|mut c| {
                c.set_read_timeout(Some(Duration::from_secs(5)))?;
                c.write_all(b"GET / HTTP/1.1\r\n\r\n")?;
                let mut buf = [0u8; 1];
                c.read(&mut buf)
            })
            .map_or(true, |n| n == 0));
    }

    /// A client that pipelines requests and never reads the answers: once the answers fill
    /// the socket, the server stops reading, so the client's writes block instead of the
    /// server buffering its requests without bound (about 4 MiB are written here before that).
    #[test]
    fn a_client_that_never_reads_is_held_back() {
        let handler: Handler =
            Arc::new(|_: &Request| Response::new(200).body(vec![b'x'; 64 * 1024]));
        let server = Server::start("127.0.0.1:0", handler).unwrap();
        let mut s = TcpStream::connect(server.local_addr()).unwrap();
        s.set_nonblocking(true).unwrap();
        let batch = b"GET / HTTP/1.1\r\n\r\n".repeat(4096);
        let mut written = 0usize;
        let mut stalled_since = None;
        while written < 256 * 1024 * 1024 {
            match s.write(&batch) {
                Ok(n) => {
                    written += n;
                    stalled_since = None;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    let since = *stalled_since.get_or_insert_with(std::time::Instant::now);
                    if since.elapsed() > Duration::from_millis(500) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => panic!("write: {e}"),
            }
        }
        assert!(
            written < 64 * 1024 * 1024,
            "the server read {written} bytes of requests it could not answer"
        );
        drop(s);
        server.shutdown();
    }
}
