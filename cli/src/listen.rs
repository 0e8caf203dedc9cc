//! `yunhuni listen`: a webhook receiver for development.
//!
//! Deliveries go through core's [`Receiver`]: the URL token (`--token`), the body limit, the
//! event parser, and the dedup store (in process, bounded in entries and time; or Redis with
//! `--redis URL`, shared with the application's own processes). Nothing else is kept per
//! delivery, so hostile POSTs cannot grow it; every outside text it prints (the server's
//! bodies, the request's path, the caller's arguments) has its control characters escaped.

use crate::output::{self, clean};
use clap::Args;
use serde_json::json;
use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};
use yunhuni::webhook::{MemoryStore, Receiver, RedisStore};
use yunhuni::{escape_text, Event};
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
    /// Refuse deliveries whose URL lacks `?token=TOKEN` (401 when absent, 403 when wrong)
    #[arg(long, env = "YUNHUNI_WEBHOOK_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Remember deliveries in this Redis (redis://host:port/db) instead of in process, shared
    /// with other receivers
    #[arg(long, value_name = "URL")]
    pub redis: Option<String>,
    /// How many deliveries the in-process store remembers (the oldest are forgotten first)
    #[arg(long, default_value_t = MemoryStore::DEFAULT_CAPACITY)]
    pub capacity: usize,
}

impl ListenArgs {
    /// The receiver these arguments describe.
    pub fn receiver(&self) -> Result<Receiver, yunhuni::Error> {
        let mut builder = Receiver::builder();
        if let Some(token) = &self.token {
            builder = builder.token(token.clone());
        }
        builder = match &self.redis {
            Some(url) => builder.store(RedisStore::open(url)?),
            None => builder.store(MemoryStore::new(
                self.capacity,
                yunhuni::webhook::DEFAULT_TTL,
            )?),
        };
        builder.build()
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

/// The line printed for one delivery: JSON, or a readable line, with no raw control character.
fn line(
    req: &Request,
    result: &Result<yunhuni::webhook::Delivery, yunhuni::Error>,
    json_out: bool,
) -> String {
    if json_out {
        let value = match result {
            Ok(d) => json!({"received_ms": now_ms(), "path": req.path, "key": d.key,
                            "duplicate": d.duplicate, "event": d.event.to_value(),
                            "raw": d.event.raw_json()}),
            Err(e) => json!({"received_ms": now_ms(), "path": req.path, "status": e.status(),
                             "error": e.message(), "field": e.field(),
                             "raw": (e.status() == Some(400))
                                 .then(|| String::from_utf8_lossy(&req.body))}),
        };
        return output::json_text(&value, false);
    }
    match result {
        Ok(d) => format!(
            "{}{}",
            describe(&d.event),
            if d.duplicate { " [duplicate]" } else { "" }
        ),
        // The body was not an event: at most its first 200 characters, escaped.
        Err(e) if e.status() == Some(400) => format!(
            "unparseable body ({}): {}",
            clean(e.message()),
            escape_text(&String::from_utf8_lossy(&req.body))
        ),
        // A wrong token, a body too large, a store that failed: the body is not shown (it was
        // not looked at).
        Err(e) => format!(
            "refused ({}): {}",
            e.status().unwrap_or(0),
            clean(e.message())
        ),
    }
}

pub fn run(args: &ListenArgs, json_out: bool) -> ExitCode {
    let receiver = match args.receiver() {
        Ok(receiver) => receiver,
        Err(e) => return ExitCode::from(output::report(&e, json_out)),
    };
    let (tx, rx) = mpsc::channel::<()>();
    let tx = Mutex::new(tx);
    let handler = Arc::new(move |req: &Request| {
        if req.method != "POST" {
            return Response::new(405).header("Allow", "POST");
        }
        let query = req.query.as_deref().unwrap_or("");
        let result = receiver.receive(query, &req.body);
        println!("{}", line(req, &result, json_out));
        if let Ok(tx) = tx.lock() {
            let _ = tx.send(());
        }
        let (status, body) = match &result {
            Ok(d) => (d.status, d.body.to_owned()),
            Err(e) => (e.status().unwrap_or(400), format!("{e}\n")),
        };
        Response::new(status)
            .header("Content-Type", "text/plain;charset=utf-8")
            .body(body.into_bytes())
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
