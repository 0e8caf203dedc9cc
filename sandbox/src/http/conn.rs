//! One connection: its buffered input, the parser, the response being written, and the step
//! that moves it along as far as its socket allows.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::parse::{Parsed, Parser, Reject};
use super::{reason_phrase, Handler, Response};

/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 16 * 1024;
/// A connection's buffers are given back once empty when they have grown beyond this.
const KEEP_CAPACITY: usize = 64 * 1024;

/// Counts the server keeps of its handlers, so that it can tell when every thread is held up.
#[derive(Default)]
pub(super) struct HandlerCounts {
    /// Handlers running now.
    pub(super) running: AtomicUsize,
    /// Handlers finished since the start.
    pub(super) finished: AtomicU64,
}

/// What a connection waits for after a step.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Wait {
    /// More input.
    Readable,
    /// Room to write the rest of a response.
    Writable,
    /// Nothing: close it.
    Close,
}

pub(super) struct Conn {
    pub(super) stream: TcpStream,
    input: Vec<u8>,
    /// Bytes of `input` parsed for good.
    consumed: usize,
    parser: Parser,
    output: Vec<u8>,
    /// Bytes of `output` written.
    written: usize,
    /// Close once `output` is written.
    closing: bool,
    /// The last read filled its whole buffer: more may be waiting.
    more_input: bool,
    /// When bytes last moved on this connection.
    pub(super) last_active: Instant,
}

impl Conn {
    pub(super) fn new(stream: TcpStream) -> Conn {
        let _ = stream.set_nodelay(true);
        Conn {
            stream,
            input: Vec::new(),
            consumed: 0,
            parser: Parser::default(),
            output: Vec::new(),
            written: 0,
            closing: false,
            more_input: true,
            last_active: Instant::now(),
        }
    }

    /// Writes what is pending, answers every whole request that has arrived, and reads more,
    /// until the socket would block (non-blocking sockets) or the connection is done.
    pub(super) fn step(
        &mut self,
        handler: &Handler,
        stopping: &AtomicBool,
        counts: &HandlerCounts,
    ) -> Wait {
        loop {
            while self.written < self.output.len() {
                match self.stream.write(&self.output[self.written..]) {
                    Ok(0) => return Wait::Close,
                    Ok(n) => {
                        self.written += n;
                        self.last_active = Instant::now();
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        if !stopping.load(Ordering::SeqCst) {
                            return Wait::Writable;
                        }
                        // Stopping: no thread will come back for it, so finish it here.
                        if self.stream.set_nonblocking(false).is_err()
                            || self
                                .stream
                                .set_write_timeout(Some(Duration::from_secs(2)))
                                .is_err()
                        {
                            return Wait::Close;
                        }
                    }
                    Err(_) => return Wait::Close,
                }
            }
            self.output.clear();
            self.written = 0;
            // A large answer (a recording) does not keep its buffer for the connection's life.
            if self.output.capacity() > KEEP_CAPACITY {
                self.output = Vec::new();
            }
            if self.closing || stopping.load(Ordering::SeqCst) {
                return Wait::Close;
            }

            let mut continue_due = false;
            let parsed = self
                .parser
                .next(&self.input, &mut self.consumed, &mut continue_due);
            if continue_due {
                self.output
                    .extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
            }
            match parsed {
                Ok(Parsed::Request(request, keep_alive)) => {
                    self.compact();
                    counts.running.fetch_add(1, Ordering::SeqCst);
                    let response = catch_unwind(AssertUnwindSafe(|| handler(&request)));
                    counts.running.fetch_sub(1, Ordering::SeqCst);
                    counts.finished.fetch_add(1, Ordering::SeqCst);
                    let response = response.unwrap_or_else(|_| {
                        // A handler that panicked: the client still gets an answer.
                        self.closing = true;
                        plain(500)
                    });
                    let keep_alive =
                        keep_alive && !self.closing && !stopping.load(Ordering::SeqCst);
                    self.closing = !keep_alive;
                    encode(
                        &mut self.output,
                        &response,
                        keep_alive,
                        request.method == "HEAD",
                    );
                }
                Ok(Parsed::Incomplete) => {
                    self.compact();
                    if !self.output.is_empty() {
                        continue;
                    }
                    // A response was just written and the last read took everything there
                    // was: wait for readiness instead of a read that would only block.
                    if !self.more_input {
                        self.more_input = true;
                        return Wait::Readable;
                    }
                    match self.read_more() {
                        Ok(0) => return Wait::Close,
                        Ok(n) => self.more_input = n == READ_CHUNK,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Wait::Readable,
                        Err(_) => return Wait::Close,
                    }
                }
                Err(Reject::Status(status)) => {
                    self.closing = true;
                    encode(&mut self.output, &plain(status), false, false);
                }
            }
        }
    }

    fn read_more(&mut self) -> io::Result<usize> {
        // One buffer per thread, zeroed once, instead of one per read.
        thread_local! {
            static CHUNK: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; READ_CHUNK]);
        }
        let n = CHUNK.with_borrow_mut(|chunk| {
            let n = self.stream.read(chunk)?;
            self.input.extend_from_slice(&chunk[..n]);
            Ok::<_, io::Error>(n)
        })?;
        if n > 0 {
            self.last_active = Instant::now();
        }
        Ok(n)
    }

    /// Drops the parsed input.
    fn compact(&mut self) {
        if self.consumed == self.input.len() {
            self.input.clear();
            self.consumed = 0;
            if self.input.capacity() > KEEP_CAPACITY {
                self.input = Vec::new();
            }
        } else if self.consumed > READ_CHUNK {
            self.input.drain(..self.consumed);
            self.consumed = 0;
        }
    }
}

/// The plain-text answer of an error status.
fn plain(status: u16) -> Response {
    Response::new(status)
        .header("Content-Type", "text/plain;charset=UTF-8")
        .body(format!("{} {}\n", status, reason_phrase(status)).into_bytes())
}

/// Appends a response's bytes to `out`.
fn encode(out: &mut Vec<u8>, response: &Response, keep_alive: bool, head_only: bool) {
    out.reserve(256 + response.body.len());
    let now_secs = crate::time::wall_clock_ms().div_euclid(1000);
    out.extend_from_slice(b"HTTP/1.1 ");
    push_decimal(out, response.status.into());
    out.push(b' ');
    out.extend_from_slice(reason_phrase(response.status).as_bytes());
    out.extend_from_slice(b"\r\nDate: ");
    // The date changes once a second: each thread formats it once per second.
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
    out.extend_from_slice(b"Content-Length: ");
    push_decimal(out, response.body.len());
    out.extend_from_slice(b"\r\n");
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    if !head_only {
        out.extend_from_slice(&response.body);
    }
}

/// Appends a number in decimal.
fn push_decimal(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Writes a whole response on a blocking socket (the answer to a connection refused because
/// too many are open).
pub(super) fn write_now(mut stream: &TcpStream, response: &Response) -> io::Result<()> {
    let mut out = Vec::new();
    encode(&mut out, response, false, false);
    stream.write_all(&out)
}
