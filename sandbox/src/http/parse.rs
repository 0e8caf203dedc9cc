//! Requests parsed from a connection's buffered input, a piece at a time: the server reads
//! whatever has arrived and asks for the next complete request, so one thread can serve many
//! connections and a slow client costs nothing while it is slow.
//!
//! Every byte is looked at once: the end of the head is searched from where the last search
//! stopped, and a chunked body is decoded as it arrives.

use super::{Request, MAX_BODY, MAX_HEADERS, MAX_LINE};

/// Why no request could be parsed.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Reject {
    /// Answer with this status and close the connection.
    Status(u16),
}

/// What the parser has of the request being read.
#[derive(Default)]
enum Stage {
    /// Looking for the empty line that ends the head.
    #[default]
    Head,
    /// The head is parsed; the body is being read.
    Body(Pending),
}

struct Pending {
    request: Request,
    keep_alive: bool,
    body: BodyStage,
}

enum BodyStage {
    /// This many bytes still to come.
    Length(usize),
    /// A chunk-size line.
    ChunkSize,
    /// This many bytes of chunk data still to come.
    ChunkData(usize),
    /// The line ending after a chunk's data.
    ChunkEnd,
    /// Trailer lines, up to the empty line.
    Trailers,
}

/// The incremental parser of one connection.
#[derive(Default)]
pub(super) struct Parser {
    stage: Stage,
    scan: Scan,
}

/// Where the search for a line's end stands.
#[derive(Default)]
struct Scan {
    /// Bytes from the start of the unparsed input already searched for a line's end.
    scanned: usize,
    /// Where the line being scanned starts, from the start of the unparsed input.
    line_start: usize,
    /// Non-empty lines of the head seen so far.
    lines: usize,
}

/// What [`Parser::next`] found.
pub(super) enum Parsed {
    /// A whole request, and whether the connection stays open after it.
    Request(Request, bool),
    /// More input is needed.
    Incomplete,
}

impl Parser {
    /// Parses from `input`, advancing `*consumed` past what has been used for good. Returns a
    /// request once all of it has arrived. `continue_due` is set when the client waits for
    /// `100 Continue` before sending the body.
    pub(super) fn next(
        &mut self,
        input: &[u8],
        consumed: &mut usize,
        continue_due: &mut bool,
    ) -> Result<Parsed, Reject> {
        loop {
            let rest = &input[*consumed..];
            match &mut self.stage {
                Stage::Head => {
                    let Some(head_len) = self.scan.head(rest)? else {
                        return Ok(Parsed::Incomplete);
                    };
                    let (request, keep_alive, body) = parse_head(&rest[..head_len])?;
                    *consumed += head_len;
                    self.scan = Scan::default();
                    let expects_body = match body {
                        BodyStage::Length(n) => n > 0,
                        _ => true,
                    };
                    if expects_body {
                        if let Some(expect) = request.header("Expect") {
                            if !expect.eq_ignore_ascii_case("100-continue") {
                                return Err(Reject::Status(417));
                            }
                            *continue_due = true;
                        }
                    }
                    self.stage = Stage::Body(Pending {
                        request,
                        keep_alive,
                        body,
                    });
                }
                Stage::Body(pending) => match pending.body {
                    BodyStage::Length(0) => {
                        let Stage::Body(done) = std::mem::take(&mut self.stage) else {
                            unreachable!("the stage was just matched as Body");
                        };
                        return Ok(Parsed::Request(done.request, done.keep_alive));
                    }
                    BodyStage::Length(n) | BodyStage::ChunkData(n) => {
                        if rest.is_empty() {
                            return Ok(Parsed::Incomplete);
                        }
                        let take = n.min(rest.len());
                        pending.request.body.extend_from_slice(&rest[..take]);
                        *consumed += take;
                        pending.body = match pending.body {
                            BodyStage::Length(n) => BodyStage::Length(n - take),
                            _ if n == take => BodyStage::ChunkEnd,
                            _ => BodyStage::ChunkData(n - take),
                        };
                    }
                    BodyStage::ChunkSize | BodyStage::ChunkEnd | BodyStage::Trailers => {
                        let Some((line, used)) = self.scan.line(rest)? else {
                            return Ok(Parsed::Incomplete);
                        };
                        let next = match pending.body {
                            BodyStage::ChunkSize => {
                                let size = chunk_size(line)?;
                                if size == 0 {
                                    BodyStage::Trailers
                                } else if pending.request.body.len() + size > MAX_BODY {
                                    return Err(Reject::Status(413));
                                } else {
                                    BodyStage::ChunkData(size)
                                }
                            }
                            BodyStage::ChunkEnd if line.is_empty() => BodyStage::ChunkSize,
                            BodyStage::ChunkEnd => return Err(Reject::Status(400)),
                            _ if line.is_empty() => BodyStage::Length(0),
                            _ => BodyStage::Trailers,
                        };
                        *consumed += used;
                        self.scan = Scan::default();
                        pending.body = next;
                    }
                },
            }
        }
    }
}

impl Scan {
    /// Searches `rest` for the end of the head; `Some(length of the head)` once found. Empty
    /// lines before the request line are part of no request and are skipped.
    fn head(&mut self, rest: &[u8]) -> Result<Option<usize>, Reject> {
        while let Some(i) = memchr::memchr(b'\n', &rest[self.scanned..]) {
            let end = self.scanned + i + 1;
            if end - self.line_start > MAX_LINE {
                return Err(Reject::Status(431));
            }
            let line = trim_line(&rest[self.line_start..end]);
            self.scanned = end;
            self.line_start = end;
            if !line.is_empty() {
                self.lines += 1;
                // The request line and MAX_HEADERS header lines.
                if self.lines > MAX_HEADERS + 1 {
                    return Err(Reject::Status(431));
                }
            } else if self.lines > 0 {
                return Ok(Some(end));
            }
        }
        self.scanned = rest.len();
        if rest.len() - self.line_start > MAX_LINE {
            return Err(Reject::Status(431));
        }
        Ok(None)
    }

    /// One whole line of `rest` (without its line ending) and the bytes it used, or `None`
    /// while its end has not arrived.
    fn line<'a>(&mut self, rest: &'a [u8]) -> Result<Option<(&'a [u8], usize)>, Reject> {
        match memchr::memchr(b'\n', &rest[self.scanned..]) {
            Some(i) => {
                let end = self.scanned + i + 1;
                if end > MAX_LINE {
                    return Err(Reject::Status(431));
                }
                Ok(Some((trim_line(&rest[..end]), end)))
            }
            None if rest.len() > MAX_LINE => Err(Reject::Status(431)),
            None => {
                self.scanned = rest.len();
                Ok(None)
            }
        }
    }
}

/// A line without its LF and the CR before it, if any.
fn trim_line(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn chunk_size(line: &[u8]) -> Result<usize, Reject> {
    let text = latin1(line);
    let size_text = text.split(';').next().unwrap_or("").trim();
    usize::from_str_radix(size_text, 16).map_err(|_| Reject::Status(400))
}

/// Bytes decoded as ISO-8859-1 (each byte is the code point of its value).
fn latin1(bytes: &[u8]) -> String {
    if bytes.is_ascii() {
        // ASCII, the usual case, is the same text in both encodings.
        String::from_utf8(bytes.to_vec()).unwrap_or_default()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
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

/// Parses a whole head (the request line, the header lines and the empty line ending it;
/// empty lines before the request line allowed).
fn parse_head(head: &[u8]) -> Result<(Request, bool, BodyStage), Reject> {
    let mut lines = head
        .split(|&b| b == b'\n')
        .map(trim_line)
        .skip_while(|l| l.is_empty());
    let request_line = latin1(lines.next().unwrap_or_default());
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Reject::Status(400));
    };
    let http11 = match version {
        "HTTP/1.1" => true,
        "HTTP/1.0" => false,
        _ => return Err(Reject::Status(505)),
    };
    if !is_token(method) || target.is_empty() {
        return Err(Reject::Status(400));
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
    for raw in lines.take_while(|l| !l.is_empty()) {
        if raw[0] == b' ' || raw[0] == b'\t' {
            return Err(Reject::Status(400)); // obsolete line folding
        }
        // The name is a token (ASCII), so the first `:` of the bytes is the first of the text.
        let Some(colon) = raw.iter().position(|&b| b == b':') else {
            return Err(Reject::Status(400));
        };
        let name = latin1(&raw[..colon]);
        if !is_token(&name) {
            return Err(Reject::Status(400));
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
    let request = Request {
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

    let body = match request.header("Transfer-Encoding") {
        Some(te) if lists_token(te, "chunked") => BodyStage::ChunkSize,
        Some(_) => return Err(Reject::Status(501)),
        None => {
            let mut length = None;
            for (_, v) in request
                .headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
            {
                let n: usize = v.parse().map_err(|_| Reject::Status(400))?;
                if length.is_some_and(|l| l != n) {
                    return Err(Reject::Status(400));
                }
                length = Some(n);
            }
            let n = length.unwrap_or(0);
            if n > MAX_BODY {
                return Err(Reject::Status(413));
            }
            BodyStage::Length(n)
        }
    };
    Ok((request, keep_alive, body))
}
