//! The trivial keep-alive loopback server of the client rows.
//!
//! It answers every request with the platform's success body for a call and does nothing else:
//! read the head, read `Content-Length` bytes of body, write one canned answer (head and body in
//! one write). What a client row measures against it is then the client, not a server's work.
//! One thread per connection, so that a connection is never starved by others; it counts the
//! connections it accepted and the requests it answered, served at `GET /stats` (on a
//! connection of its own, not counted), so that a benchmark can tell whether a client reopened
//! connections.
//!
//! ```text
//! yunhuni-bench serve [--listen 127.0.0.1:0]
//! ```
//! prints `export YUNHUNI_BASE_URL=http://ADDR` once listening (the line the sandbox prints).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The answer to every call: the platform's envelope with a call id (`id_and_user_data`).
pub const ANSWER_BODY: &str = "{\"code\":\"000000\",\"msg\":\"请求成功\",\"data\":\
{\"callId\":\"8a2bc6725b1d2e3f015b1d2f40a10001\",\"user_data\":null}}";

#[derive(Default)]
struct Counts {
    connections: AtomicU64,
    requests: AtomicU64,
}

/// Serves until the process is killed.
pub fn serve(listen: &str) {
    let listener =
        TcpListener::bind(listen).unwrap_or_else(|e| panic!("cannot bind {listen}: {e}"));
    println!(
        "export YUNHUNI_BASE_URL=http://{}",
        listener.local_addr().unwrap()
    );
    let answer: Arc<[u8]> = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\n\r\n{ANSWER_BODY}",
        ANSWER_BODY.len()
    )
    .into_bytes()
    .into();
    let counts = Arc::new(Counts::default());
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let (answer, counts) = (answer.clone(), counts.clone());
        let _ = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || connection(stream, &answer, &counts));
    }
}

/// Where the head ends (after `\r\n\r\n`), if it has.
fn head_end(buf: &[u8]) -> Option<usize> {
    buf.windows(4).position(|w| w == b"\r\n\r\n").map(|i| i + 4)
}

fn content_length(head: &[u8]) -> usize {
    head.split(|&b| b == b'\n')
        .find_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            line[..colon]
                .eq_ignore_ascii_case(b"content-length")
                .then(|| {
                    std::str::from_utf8(&line[colon + 1..])
                        .ok()?
                        .trim()
                        .parse()
                        .ok()
                })
                .flatten()
        })
        .unwrap_or(0)
}

fn connection(mut stream: TcpStream, answer: &[u8], counts: &Counts) {
    let _ = stream.set_nodelay(true);
    let mut buf = vec![0u8; 16 * 1024];
    let mut filled = 0;
    let mut counted = false;
    loop {
        // A whole request in the buffer?
        if let Some(end) = head_end(&buf[..filled]) {
            let total = end + content_length(&buf[..end]);
            if total > buf.len() {
                buf.resize(total, 0);
            }
            if filled >= total {
                let reply: Vec<u8>;
                let out = if buf.starts_with(b"GET /stats ") {
                    let body = format!(
                        "{{\"connections\":{},\"requests\":{}}}",
                        counts.connections.load(Ordering::Relaxed),
                        counts.requests.load(Ordering::Relaxed)
                    );
                    reply = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    )
                    .into_bytes();
                    &reply[..]
                } else {
                    if !counted {
                        counts.connections.fetch_add(1, Ordering::Relaxed);
                        counted = true;
                    }
                    counts.requests.fetch_add(1, Ordering::Relaxed);
                    answer
                };
                if stream.write_all(out).is_err() {
                    return;
                }
                buf.copy_within(total..filled, 0);
                filled -= total;
                continue;
            }
        }
        if filled == buf.len() {
            if buf.len() >= 1 << 20 {
                return; // not a request this server answers
            }
            buf.resize(buf.len() * 2, 0);
        }
        match stream.read(&mut buf[filled..]) {
            Ok(0) | Err(_) => return,
            Ok(n) => filled += n,
        }
    }
}

/// The server's counts, read on a connection of its own.
pub fn stats(host: &str) -> (u64, u64) {
    let mut stream = TcpStream::connect(host).unwrap();
    write!(stream, "GET /stats HTTP/1.1\r\nHost: {host}\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0, "the loopback server closed before answering /stats");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = head_end(&buf) {
            if buf.len() >= end + content_length(&buf[..end]) {
                let v: serde_json::Value = serde_json::from_slice(&buf[end..]).unwrap();
                return (
                    v["connections"].as_u64().unwrap(),
                    v["requests"].as_u64().unwrap(),
                );
            }
        }
    }
}
