//! `yunhuni listen`: a webhook receiver for development.

use crate::output::{self, clean};
use clap::Args;
use serde_json::json;
use std::collections::HashSet;
use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use yunhuni::Event;
use yunhuni_sandbox::http::{Request, Response, Server};

/// Arguments of `yunhuni listen`.
#[derive(Args, Debug)]
pub struct ListenArgs {
    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 8090)]
    pub port: u16,
    /// Address to listen on; the platform needs a public one, the sandbox reaches loopback
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// Exit after this many deliveries
    #[arg(long)]
    pub count: Option<u64>,
}

/// Remembers which events were seen, to mark the platform's repeated deliveries.
#[derive(Default)]
pub struct Seen(Mutex<HashSet<String>>);

impl Seen {
    /// True the first time an event (by name and id, or by its whole body) is seen.
    pub fn first_time(&self, event: Option<&Event>, body: &[u8]) -> bool {
        let key = match event.and_then(|e| e.id().map(|id| format!("{} {id}", e.name()))) {
            Some(key) => key,
            None => String::from_utf8_lossy(body).into_owned(),
        };
        self.0
            .lock()
            .map(|mut seen| seen.insert(key))
            .unwrap_or(true)
    }
}

/// One readable line about an event, with no control character of its text left raw.
pub fn describe(event: &Event) -> String {
    clean(&describe_raw(event)).into_owned()
}

fn describe_raw(event: &Event) -> String {
    match event {
        Event::DuoCallbackEnd(e) => format!(
            "duo_callback.end id={} outcome={} talk={}s hangup_by={} user_data={}{}",
            e.id.as_deref().unwrap_or("-"),
            e.outcome(),
            e.talk_seconds(),
            e.hung_up_by().map_or("-", |by| by.as_str()),
            quoted(&e.user_data),
            error_suffix(&e.error),
        ),
        Event::NotifyCallEnd(e) | Event::VerifyCallEnd(e) => format!(
            "{} id={} answered={} ended_by={} user_data={}{}",
            event.name(),
            e.id.as_deref().unwrap_or("-"),
            e.answer_time.is_some(),
            e.ended_by().map_or("-", |b| b.as_str()),
            quoted(&e.user_data),
            error_suffix(&e.error),
        ),
        other => format!("{} {}", other.name(), other.raw_json()),
    }
}

/// A text field as a quoted string, or `-` when absent.
fn quoted(value: &Option<String>) -> String {
    value
        .as_deref()
        .map_or("-".to_owned(), |v| format!("{v:?}"))
}

/// ` error="..."` when the event carries an error.
fn error_suffix(error: &Option<String>) -> String {
    error
        .as_deref()
        .map_or(String::new(), |e| format!(" error={e:?}"))
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

pub fn run(args: &ListenArgs, json_out: bool) -> ExitCode {
    let seen = Arc::new(Seen::default());
    let (tx, rx) = mpsc::channel::<()>();
    let tx = Mutex::new(tx);
    let handler = Arc::new(move |req: &Request| {
        if req.method != "POST" {
            return Response::new(405).header("Allow", "POST");
        }
        let parsed = Event::parse(&req.body);
        let first = seen.first_time(parsed.as_ref().ok(), &req.body);
        let line = if json_out {
            output::json_text(
                &match &parsed {
                    Ok(event) => {
                        json!({"received_ms": now_ms(), "path": req.path, "duplicate": !first,
                               "event": event.to_value(), "raw": event.raw_json()})
                    }
                    Err(e) => {
                        json!({"received_ms": now_ms(), "path": req.path, "duplicate": !first,
                               "error": e.message(), "raw": String::from_utf8_lossy(&req.body)})
                    }
                },
                false,
            )
        } else {
            let text = match &parsed {
                Ok(event) => describe(event),
                Err(e) => format!(
                    "unparseable body ({}): {}",
                    clean(e.message()),
                    clean(&String::from_utf8_lossy(&req.body))
                ),
            };
            format!("{text}{}", if first { "" } else { " [duplicate]" })
        };
        println!("{line}");
        if let Ok(tx) = tx.lock() {
            let _ = tx.send(());
        }
        Response::new(200)
            .header("Content-Type", "text/plain;charset=utf-8")
            .body(b"ok".to_vec())
    });
    let server = match Server::start(&format!("{}:{}", args.host, args.port), handler) {
        Ok(server) => server,
        Err(e) => {
            eprintln!(
                "error: cannot listen on {}:{}: {}",
                clean(&args.host),
                args.port,
                clean(&e.to_string())
            );
            return ExitCode::from(1);
        }
    };
    eprintln!(
        "listening on http://{}/ (any path); Ctrl-C stops",
        server.local_addr()
    );
    let mut received = 0;
    while rx.recv().is_ok() {
        received += 1;
        if args.count.is_some_and(|n| received >= n) {
            break;
        }
    }
    server.shutdown();
    ExitCode::SUCCESS
}
