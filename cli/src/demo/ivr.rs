//! `yunhuni demo --ivr`: a two-level IVR menu, served by this process on 127.0.0.1, rehearsed
//! against the built-in sandbox with a scripted caller.
//!
//! The application is what a user would write: it reads the platform's requests with the SDK
//! (`IvrStart::parse`, `parse_ivr_next`, `Event::parse`) and answers with documents built by
//! `yunhuni::ivr::Response`. The sandbox plays the platform: it POSTs `ivr_start`, runs each
//! action in simulated time, presses the caller's keys, GETs each `<next>` URL and POSTs the
//! `ivr.*` events. Every step is printed as it happens.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use yunhuni::ivr::{parse_ivr_next, Get, IvrStart, Response as Ivr};
use yunhuni::Event;
use yunhuni_sandbox::http::{Request, Response, Server};
use yunhuni_sandbox::{Behavior, Sandbox};

use super::{fail, DemoArgs};
use crate::listen;
use crate::output::{self, clean};
use std::process::ExitCode;

/// The caller's number and the number it dials.
const CALLER: &str = "13800000001";
const SERVICE_NUMBER: &str = "4001000000";
/// How long the demo waits, in real time, for the call to end.
const WAIT: Duration = Duration::from_secs(120);

/// What the application saw or did, for the printout.
enum AppStep {
    Request {
        method: String,
        target: String,
        body: String,
    },
    Reply(String),
    Event(String),
    Ended,
    Error(String),
}

/// The application's documents: a main menu (1 sales, 2 support, anything else or nothing:
/// goodbye), the sales menu (1 new orders, 2 order status), and goodbye.
fn document(base: &str, method: &str, path: &str, query: &str, body: &[u8]) -> Result<Ivr, String> {
    let url = |p: &str| format!("{base}{p}");
    let main_menu = || {
        Ivr::new()
            .get(
                Get::new()
                    .max_keys(1)
                    .finish_keys("#")
                    .play("main_menu.wav"),
            )
            .next(url("/menu"))
    };
    if method == "POST" {
        IvrStart::parse(body).map_err(|e| format!("ivr_start: {e}"))?;
        return Ok(main_menu());
    }
    let next = parse_ivr_next(query).map_err(|e| format!("next request: {e}"))?;
    let keys = next.keys.as_deref().unwrap_or("");
    Ok(match (path, keys) {
        ("/menu", "1") => Ivr::new()
            .get(Get::new().max_keys(1).play("sales_menu.wav"))
            .next(url("/sales")),
        ("/menu", "2") => Ivr::new().play("support_busy.wav").next(url("/goodbye")),
        // No key (the prompt timed out) or one not on the menu.
        ("/menu", _) => Ivr::new().play("invalid_choice.wav").next(url("/goodbye")),
        ("/sales", "1") => Ivr::new().play("new_orders.wav").next(url("/goodbye")),
        ("/sales", "2") => Ivr::new().play("order_status.wav").next(url("/goodbye")),
        ("/sales", _) => Ivr::new().play("sorry.wav").next(url("/goodbye")),
        _ => Ivr::new().play("goodbye.wav").end_call(),
    })
}

/// The application's HTTP handler: events, `ivr_start` and next requests on one server.
fn app(
    base: Arc<Mutex<String>>,
    tx: Mutex<mpsc::Sender<AppStep>>,
) -> impl Fn(&Request) -> Response {
    move |req: &Request| {
        let send = |step: AppStep| {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(step);
            }
        };
        if req.path == "/events" {
            match Event::parse(&req.body) {
                Ok(event) => {
                    let ended = event.name() == "ivr.call_end";
                    send(AppStep::Event(listen::describe(&event)));
                    if ended {
                        send(AppStep::Ended);
                    }
                }
                Err(e) => send(AppStep::Error(format!("an event the SDK cannot read: {e}"))),
            }
            return Response::new(200);
        }
        let query = req.query.clone().unwrap_or_default();
        let target = if query.is_empty() {
            req.path.clone()
        } else {
            format!("{}?{query}", req.path)
        };
        send(AppStep::Request {
            method: req.method.clone(),
            target,
            body: String::from_utf8_lossy(&req.body).into_owned(),
        });
        let base = base.lock().map(|b| b.clone()).unwrap_or_default();
        let doc = document(&base, &req.method, &req.path, &query, &req.body)
            .and_then(|d| d.to_xml().map_err(|e| e.to_string()));
        match doc {
            Ok(xml) => {
                send(AppStep::Reply(xml.clone()));
                Response::new(200)
                    .header("Content-Type", "application/xml; charset=utf-8")
                    .body(xml.into_bytes())
            }
            Err(e) => {
                send(AppStep::Error(e.clone()));
                Response::new(400).body(e.into_bytes())
            }
        }
    }
}

/// The keys the caller presses, one entry per menu: `1,2` presses 1, then 2.
fn caller_keys(keys: &str) -> Result<Vec<String>, String> {
    let entries: Vec<String> = keys.split(',').map(|k| k.trim().to_owned()).collect();
    for entry in &entries {
        if let Some(bad) = entry.chars().find(|c| !"0123456789*#ABCD".contains(*c)) {
            return Err(format!(
                "--keys: {entry:?} has {bad:?}; keys are 0-9 * # A B C D, one entry per menu, comma-separated"
            ));
        }
    }
    Ok(entries)
}

pub(super) fn run(args: &DemoArgs, json_out: bool) -> ExitCode {
    let keys = match caller_keys(&args.keys) {
        Ok(k) => k,
        Err(e) => return fail(&e, json_out),
    };
    // 1. The IVR application, on a free loopback port.
    let (tx, rx) = mpsc::channel::<AppStep>();
    let base = Arc::new(Mutex::new(String::new()));
    let server = match Server::start(
        "127.0.0.1:0",
        Arc::new(app(Arc::clone(&base), Mutex::new(tx))),
    ) {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot start the IVR application: {e}"), json_out),
    };
    let app_url = format!("http://{}", server.local_addr());
    if let Ok(mut b) = base.lock() {
        b.clone_from(&app_url);
    }

    // 2. The sandbox: ivr_start and next requests to the app, events to its /events.
    let sandbox = match Sandbox::builder()
        .callback_url(format!("{app_url}/events"))
        .ivr_url(format!("{app_url}/ivr"))
        .time_scale(args.time_scale)
        .log(false)
        .start()
    {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot start the sandbox: {e}"), json_out),
    };
    sandbox.set_behavior(
        CALLER,
        Behavior::answer_after(0)
            .presses(keys.clone())
            .key_interval(1500),
    );
    let say = |line: &str| {
        if !json_out {
            line_out(&clean(line));
        }
    };
    say(&format!(
        "sandbox running at {} ({}x time); IVR application at {app_url}/ivr",
        sandbox.base_url(),
        args.time_scale
    ));
    say(&format!(
        "caller {CALLER} dials {SERVICE_NUMBER} and will press {}",
        keys.iter()
            .map(|k| if k.is_empty() {
                "nothing".to_owned()
            } else {
                format!("{k:?}")
            })
            .collect::<Vec<_>>()
            .join(", then ")
    ));

    // 3. The call, and every step as it happens.
    let call_id = match sandbox.inbound_call(CALLER, SERVICE_NUMBER) {
        Ok(id) => id,
        Err(e) => return fail(&format!("the inbound call was refused: {e}"), json_out),
    };
    say(&format!("inbound call {call_id}"));
    let t0 = sandbox
        .call(&call_id)
        .and_then(|c| c.timeline.first().map(|t| t.sim_time_ms))
        .unwrap_or_else(|| sandbox.sim_now_ms());
    let mut steps: Vec<Value> = Vec::new();
    let mut print = |kind: &str, text: &str, sim_ms: i64| {
        let secs = (sim_ms - t0) as f64 / 1000.0;
        steps.push(json!({"t": secs, "step": kind, "text": text}));
        if !json_out {
            let mut lines = text.lines();
            line_out(&format!(
                "  [{secs:5.1}s] {kind:<8} {}",
                clean(lines.next().unwrap_or(""))
            ));
            for line in lines {
                line_out(&format!("                     {}", clean(line)));
            }
        }
    };
    let started = Instant::now();
    let mut shown = 0;
    let mut ended = false;
    let mut errors = Vec::new();
    while !ended {
        let received = rx.recv_timeout(Duration::from_millis(5));
        // The platform's steps up to now first: they come before what the app then sees.
        if let Some(info) = sandbox.call(&call_id) {
            for entry in &info.timeline[shown..] {
                if let Some((kind, text)) = timeline_words(&entry.what) {
                    print(kind, &text, entry.sim_time_ms);
                }
            }
            shown = info.timeline.len();
        }
        match received {
            Ok(step) => {
                let now = sandbox.sim_now_ms();
                match step {
                    AppStep::Request {
                        method,
                        target,
                        body,
                    } => {
                        let text = if body.is_empty() {
                            format!("{method} {target}")
                        } else {
                            format!("{method} {target}\n{body}")
                        };
                        print("request", &text, now);
                    }
                    AppStep::Reply(xml) => print("reply", &xml, now),
                    AppStep::Event(words) => print("event", &words, now),
                    AppStep::Ended => ended = true,
                    AppStep::Error(e) => {
                        print("error", &e, now);
                        errors.push(e);
                    }
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) if started.elapsed() < WAIT => {}
            Err(_) => {
                sandbox.shutdown();
                server.shutdown();
                return fail("the call did not end in time", json_out);
            }
        }
    }
    // The last steps of the timeline.
    if let Some(info) = sandbox.call(&call_id) {
        for entry in &info.timeline[shown..] {
            if let Some((kind, text)) = timeline_words(&entry.what) {
                print(kind, &text, entry.sim_time_ms);
            }
        }
    }
    let requests = sandbox.ivr_requests(&call_id).unwrap_or_default();
    sandbox.shutdown();
    server.shutdown();
    if json_out {
        output::print_json(&json!({
            "call_id": call_id,
            "caller": CALLER,
            "keys": keys,
            "steps": steps,
            "requests": requests,
            "errors": errors,
        }));
    } else {
        say(&format!(
            "the call ended after {} request(s) to the application",
            requests.len()
        ));
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Writes a line to stdout; a closed stdout (`| head`) is not an error worth a panic.
fn line_out(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// How a sandbox timeline entry is shown: the platform's side of the story (actions, keys
/// pressed, the requests it sends, hangups). Entries the application's side already shows
/// (events queued) are left out.
fn timeline_words(what: &str) -> Option<(&'static str, String)> {
    if what.contains(" queued for ") {
        return None;
    }
    let kind = if what.starts_with("POST ") || what.starts_with("GET ") {
        "platform"
    } else if what.starts_with('<') {
        "action"
    } else if what.contains("pressed") {
        "caller"
    } else {
        "call"
    };
    Some((kind, what.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert_eq!(caller_keys("1,2").unwrap(), ["1", "2"]);
        assert_eq!(caller_keys("12#, 3").unwrap(), ["12#", "3"]);
        assert!(caller_keys("1,x").unwrap_err().contains("\"x\""));
    }

    #[test]
    fn the_menu() {
        let doc = |method, path, query: &str| {
            document(
                "http://h",
                method,
                path,
                query,
                b"{\"action\":\"ivr_start\"}",
            )
            .unwrap()
            .to_xml()
            .unwrap()
        };
        assert!(doc("POST", "/ivr", "").contains("main_menu.wav"));
        assert!(doc("GET", "/menu", "call_id=c&type=get&keys=1").contains("sales_menu.wav"));
        assert!(doc("GET", "/sales", "call_id=c&type=get&keys=2").contains("order_status.wav"));
        assert!(doc("GET", "/menu", "call_id=c&type=get").contains("invalid_choice.wav"));
        assert!(!doc("GET", "/goodbye", "call_id=c&type=play").contains("<next>"));
        assert!(document("http://h", "POST", "/ivr", "", b"not json").is_err());
    }
}
