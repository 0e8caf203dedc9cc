//! How the command speaks: plain or JSON output, errors with a hint, exit codes, a spinner.
//!
//! Text that comes from outside (the server's answers, webhooks, the caller's own arguments)
//! never reaches the terminal raw: [`clean`] writes its control characters (escape sequences
//! among them) as `\u{..}`, and [`json_text`] leaves none in JSON output either.

use serde_json::{json, Value};
use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;
use yunhuni::{Error, ErrorKind};

/// Exit codes: 0 success, 2 usage (from the argument parser), 1 other failures, and one per
/// error kind.
pub fn exit_code(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::Validation => 10,
        ErrorKind::Api => 11,
        ErrorKind::Auth => 12,
        ErrorKind::Http => 13,
        ErrorKind::Timeout => 14,
        ErrorKind::Transport => 15,
        ErrorKind::Decode => 16,
    }
}

/// The table of exit codes, for `--help`.
pub const EXIT_CODES_HELP: &str =
    "Exit codes: 0 success, 1 other failure, 2 bad usage, 10 validation, 11 api (platform code), \
12 auth (401), 13 http (other status), 14 timeout, 15 transport, 16 decode.";

// Characters a terminal may act on rather than show (control characters, separators, direction
// marks): core decides which, for its messages and for this output alike.
use yunhuni::is_unsafe_char as is_unsafe;

/// Outside text as the terminal may show it: every unsafe character written as `\u{1b}`, the
/// way core's messages write them (so text that core already escaped comes out unchanged).
pub fn clean(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(yunhuni::escape_control(text))
}

/// [`clean`] for text of several lines: each line cleaned, the line breaks kept.
pub fn clean_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| clean(line).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A value as JSON text (one line, or indented when `pretty`) with no character a terminal
/// acts on: serde already writes C0 controls as `\u00XX`; DEL, C1 controls and the separators
/// and reordering marks are written as `\uXXXX` too. The value read back is the same.
pub fn json_text(value: &Value, pretty: bool) -> String {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    // Serializing a `Value` cannot fail.
    let text = text.unwrap_or_default();
    if !text.chars().any(is_unsafe) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        // Outside strings JSON text is ASCII without controls (the indentation's line breaks
        // aside), so every such character is inside a string, where `\uXXXX` means it.
        if is_unsafe(c) && c != '\n' {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Prints a value as one line of JSON on stdout.
pub fn print_json(value: &Value) {
    println!("{}", json_text(value, false));
}

/// What to do about an error.
pub fn hint(err: &Error) -> String {
    match err.kind() {
        ErrorKind::Validation => match err.field() {
            Some(f) if f.starts_with("YUNHUNI_") => format!("set {f}, or pass the matching flag (see --help)"),
            Some("operation") => "`yunhuni api --list` lists the operations; nothing was sent".into(),
            Some("timeout") => "give --timeout as seconds above 0 and at most 86400; nothing was sent".into(),
            Some("proxy") => "give --proxy as http://host:port, https://... or socks5://..., or pass \
--no-proxy; nothing was sent"
                .into(),
            Some(f) => format!("fix the value of `{}`; nothing was sent", clean(&cut(f))),
            None => "fix the arguments; nothing was sent".into(),
        },
        ErrorKind::Api => match err.code() {
            Some("000001") => "a parameter broke a platform rule; check the values against the API docs".into(),
            Some("000002") => "the platform could not read the request; check --base-url points at the API".into(),
            Some("020000") => "the call id is unknown or the call has already ended".into(),
            Some("030500") => "use two different numbers for to1 and to2".into(),
            Some("010001") | Some("020001") => {
                "an app that is not online may only call its bound test numbers; bind them in the console".into()
            }
            Some("010003") | Some("010006") => "top up the account or raise the quota in the console".into(),
            Some(code) if yunhuni::codes::lookup(code).is_some() => {
                "see the platform's meaning of this code above".into()
            }
            _ => "the platform's table has no such code; read the platform's message above".into(),
        },
        ErrorKind::Auth => "check the app id, cert id and secret key, and that this machine's clock is right \
(requests older than 5 minutes are refused)"
            .into(),
        ErrorKind::Http => "the server is not the platform's API, or it failed; check --base-url".into(),
        ErrorKind::Timeout | ErrorKind::Transport if err.maybe_sent() => "the request was sent and may have \
reached the platform, so the call may have been placed: check its events (`yunhuni listen`, or the call \
records in the platform's console) before retrying; a callback placed twice rings twice"
            .into(),
        ErrorKind::Timeout => "nothing was sent (the connection was not made in time); retrying is safe; \
check --base-url, the proxy (--proxy, HTTPS_PROXY) and the network"
            .into(),
        ErrorKind::Transport => "nothing was sent (could not connect); retrying is safe; check --base-url, \
the proxy (--proxy, HTTPS_PROXY) and the network"
            .into(),
        ErrorKind::Decode => "the answer was not what the platform sends; check --base-url".into(),
    }
}

/// The error as JSON, for `--json`.
pub fn error_json(err: &Error) -> Value {
    let meaning = err.code().and_then(yunhuni::codes::lookup);
    json!({
        "error": {
            "kind": err.kind().as_str(),
            "message": err.message(),
            "code": err.code(),
            "code_meaning": meaning.map(|m| m.en),
            "code_meaning_zh": meaning.map(|m| m.zh),
            "status": err.status(),
            "field": err.field(),
            "platform_message": err.platform_message(),
            "maybe_sent": err.maybe_sent(),
            "hint": hint(err),
        }
    })
}

/// A field name as a hint shows it: at most 200 characters.
fn cut(text: &str) -> Cow<'_, str> {
    match text.char_indices().nth(200) {
        Some((at, _)) => Cow::Owned(format!("{}...", &text[..at])),
        None => Cow::Borrowed(text),
    }
}

/// Prints an error (to stderr, or as JSON on stdout) and returns its exit code.
pub fn report(err: &Error, json_out: bool) -> u8 {
    if json_out {
        print_json(&error_json(err));
    } else {
        eprintln!("error ({}): {}", err.kind(), clean(err.message()));
        if let Some(info) = err.code().and_then(yunhuni::codes::lookup) {
            eprintln!("  code {}: {} ({})", info.code, info.zh, info.en);
        }
        if let Some(status) = err.status() {
            eprintln!("  HTTP status {status}");
        }
        eprintln!("  what to do: {}", hint(err));
    }
    exit_code(err.kind())
}

/// A spinner with a status text on stderr, shown only when stderr is a terminal.
pub struct Spinner {
    text: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    handle: Option<thread::JoinHandle<()>>,
}

impl Spinner {
    pub fn start(enabled: bool) -> Spinner {
        let text = Arc::new(Mutex::new(String::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let handle = (enabled && std::io::stderr().is_terminal()).then(|| {
            let (text, stop) = (text.clone(), stop.clone());
            thread::spawn(move || {
                let frames = ['|', '/', '-', '\\'];
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let t = text.lock().map(|t| t.clone()).unwrap_or_default();
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "\r\x1b[K{} {t}", frames[i % frames.len()]);
                    let _ = err.flush();
                    i += 1;
                    drop(err);
                    thread::sleep(Duration::from_millis(90));
                }
                let _ = write!(std::io::stderr(), "\r\x1b[K");
            })
        });
        Spinner { text, stop, handle }
    }

    pub fn set(&self, text: impl Into<String>) {
        if let Ok(mut t) = self.text.lock() {
            *t = clean(&text.into()).into_owned();
        }
    }

    /// Prints a line above the spinner.
    pub fn println(&self, line: &str) {
        if self.handle.is_some() {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
        println!("{}", clean(line));
    }

    /// Stops and clears the spinner.
    pub fn finish(self) {}
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
