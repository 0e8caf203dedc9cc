//! The call center at scale: `--agents` agents (200) logged in with skills and `--callers`
//! inbound callers (2,000) queued at once through an IVR `<enqueue>` by two conditions, in the
//! release sandbox process; every `callcenter.*` event received by a webhook. Rows: events
//! lost, the sandbox's peak RSS, and the real time per routing decision (the sandbox's own
//! count, `GET /sandbox/callcenter/stats`).

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use yunhuni::Client;
use yunhuni_sandbox::http::{Request, Response, Server};

use super::{arg, arg_usize, row_value, SandboxProcess};

/// Events of one routed caller: select, success, begin, two parts_changed, end; and of its
/// agent: three state changes, enter and exit.
const EVENTS_PER_CALLER: usize = 11;

/// A request to the sandbox's admin endpoints; the status.
fn admin(base_url: &str, method: &str, path: &str, body: &str) -> u16 {
    let host = base_url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = TcpStream::connect(host).unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let head = String::from_utf8_lossy(&response[..response.len().min(12)]).into_owned();
    head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0)
}

fn send(client: &Client, op: &str, fields: &[(&str, serde_json::Value)]) -> serde_json::Value {
    let mut request = yunhuni::Request::new(op).unwrap();
    for (name, value) in fields {
        request = request.with(name, value.clone()).unwrap();
    }
    client.send(&request).unwrap()
}

pub(crate) fn cc_scale(quick: bool) {
    let agents = arg_usize("--agents").unwrap_or(if quick { 20 } else { 200 });
    let callers = arg_usize("--callers").unwrap_or(if quick { 200 } else { 2000 });
    let time_scale = arg("--time-scale").unwrap_or_else(|| "20".into());
    let bin = arg("--sandbox-bin").map(PathBuf::from).unwrap_or_else(|| {
        std::env::current_exe()
            .unwrap()
            .with_file_name("yunhuni-sandbox")
    });
    // The application: ivr_start gets an <enqueue> by one of the two conditions (set once they
    // exist), a next request <hangup/>; events are kept as (event, id) pairs.
    let conditions: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let received = Arc::new(Mutex::new(HashSet::new()));
    let deliveries = Arc::new(AtomicUsize::new(0));
    let starts = Arc::new(AtomicUsize::new(0));
    let app = {
        let (conditions, received, deliveries, starts) = (
            conditions.clone(),
            received.clone(),
            deliveries.clone(),
            starts.clone(),
        );
        Server::start(
            "127.0.0.1:0",
            Arc::new(move |req: &Request| {
                if req.path == "/hook" {
                    // The callers' ivr.* events come here too; only callcenter.* are counted.
                    let text = String::from_utf8_lossy(&req.body);
                    if text.contains("\"event\":\"callcenter.") {
                        deliveries.fetch_add(1, Ordering::Relaxed);
                        // Two parts_changed of one conversation are the same bytes: a count,
                        // and the set of distinct bodies for the note.
                        received.lock().unwrap().insert(req.body.clone());
                    }
                    return Response::new(200);
                }
                let doc = if req.method == "POST" {
                    let n = starts.fetch_add(1, Ordering::Relaxed);
                    let conds = conditions.lock().unwrap();
                    format!(
                        "<response><enqueue choice=\"lru\"><route><condition id=\"{}\"/></route></enqueue><next>http://{}/next</next></response>",
                        conds[n % conds.len()],
                        req.header("Host").unwrap_or("127.0.0.1")
                    )
                } else {
                    "<response><hangup/></response>".to_owned()
                };
                Response::new(200)
                    .header("Content-Type", "text/xml")
                    .body(doc.into_bytes())
            }),
        )
        .unwrap()
    };
    let addr = app.local_addr();
    let sb = SandboxProcess::with_hook(
        &bin,
        &time_scale,
        &addr.to_string(),
        &["--ivr-url".into(), format!("http://{addr}/ivr")],
    );
    let idle_rss = sb.mib("VmRSS:");
    let client = sb.client();
    // The agents' phones answer after 2 s and hang up 10 s later; the callers (the reserved
    // number 13900000005) never hang up.
    let phone = "13800099000";
    let scripted = admin(
        &sb.base_url,
        "PUT",
        &format!("/sandbox/numbers/{phone}"),
        r#"{"answer":"after","ms":2000,"hangup_after_ms":10000}"#,
    );
    assert_eq!(scripted, 200, "the agents' phone is scripted");
    for i in 0..agents {
        let ext = send(
            &client,
            "ext_create",
            &[("type", json!("3")), ("telnum", json!(phone))],
        );
        let skill = if i % 2 == 0 { "sales" } else { "support" };
        send(
            &client,
            "agent_login",
            &[
                ("name", json!(format!("agent{i}"))),
                ("extension", ext["id"].clone()),
                ("state", json!("idle")),
                (
                    "skills",
                    // Scores 1 to 99: has() needs a score of at least 1.
                    json!([{"name": skill, "score": 1 + i % 99, "enabled": true}]),
                ),
            ],
        );
    }
    for (where_, sort) in [
        ("has(\"sales\");", "get(\"sales\");"),
        ("get(\"support\") >= 0 && has(\"support\");", "1;"),
    ] {
        let made = send(
            &client,
            "condition_create",
            &[
                ("where", json!(where_)),
                ("sort", json!(sort)),
                ("queue_timeout", json!(1000)),
                ("fetch_timeout", json!(30)),
            ],
        );
        conditions
            .lock()
            .unwrap()
            .push(made["conditionId"].as_str().unwrap().to_owned());
    }
    let started = Instant::now();
    for _ in 0..callers {
        let status = admin(
            &sb.base_url,
            "POST",
            "/sandbox/inbound_call",
            r#"{"from":"13900000005","to":"02088880000"}"#,
        );
        assert_eq!(status, 200, "an inbound call is taken");
    }
    let placed = started.elapsed();
    let expected = callers * EVENTS_PER_CALLER;
    let deadline = Instant::now() + Duration::from_secs(600);
    let mut last_report = Instant::now();
    while deliveries.load(Ordering::Relaxed) < expected && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        if last_report.elapsed() > Duration::from_secs(10) {
            last_report = Instant::now();
            eprintln!(
                "cc-scale: {} of {expected} events in after {:.0} s",
                deliveries.load(Ordering::Relaxed),
                started.elapsed().as_secs_f64()
            );
        }
    }
    let total = started.elapsed();
    std::thread::sleep(Duration::from_millis(200));
    let got = deliveries.load(Ordering::Relaxed);
    let distinct = received.lock().unwrap().len();
    let stats = sb.get("/sandbox/callcenter/stats");
    let decisions = stats["routing_decisions"].as_u64().unwrap_or(0);
    let routing_ns = stats["routing_ns"].as_u64().unwrap_or(0);
    let sent = stats["events_queued"].as_u64().unwrap_or(0) as usize;
    let peak_rss = sb.mib("VmHWM:");
    drop(sb);
    app.shutdown();
    // Lost: what the sandbox sent (and what the routed callers make) that never arrived.
    let lost = expected.max(sent).saturating_sub(got);
    let per_decision_us = routing_ns as f64 / decisions.max(1) as f64 / 1000.0;
    let note = format!(
        "{agents} agents (two skills), {callers} inbound callers queued in {:.2} s by two conditions (lru by a sort \
         expression; the other where has two terms) at time scale {time_scale}; each agent call lasts 12 s \
         simulated; {sent} callcenter.* events sent, {got} received ({distinct} distinct bodies; {expected} \
         expected); all in after {:.2} s; {decisions} routing decisions",
        placed.as_secs_f64(),
        total.as_secs_f64(),
    );
    let mut rss_row = row_value(
        &format!("Sandbox: peak RSS with {agents} agents and {callers} queued callers"),
        &[peak_rss],
        None,
        "MiB",
        json!("report"),
        &format!("VmHWM of the release binary; {idle_rss:.1} MiB right after start; {note}"),
    );
    rss_row["key"] = json!(format!(
        "sandbox_cc_{agents}_agents_{callers}_callers_rss_mib"
    ));
    println!("{rss_row}");
    let mut routing_row = row_value(
        "Sandbox: time per call-center routing decision",
        &[per_decision_us],
        None,
        "µs",
        json!("report"),
        "real time inside the sandbox to choose an agent for a task (condition where/sort evaluated per idle agent) or a \
         task for an agent that became idle, averaged over the run",
    );
    routing_row["key"] = json!("sandbox_cc_routing_us");
    println!("{routing_row}");
    let mut lost_row = row_value(
        &format!("Sandbox: {agents} agents, {callers} queued callers, callcenter.* events lost"),
        &[lost as f64],
        None,
        "events",
        json!(0),
        "",
    );
    lost_row["target_kind"] = json!("max");
    lost_row["key"] = json!("sandbox_cc_events_lost");
    println!("{lost_row}");
}
