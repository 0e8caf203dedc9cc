//! Benchmarks of the Rust core and the sandbox. Prints one JSON row per line on stdout;
//! `bench/run` collects the rows of every language into one table.
//!
//! ```text
//! yunhuni-bench client --base-url URL [--quick]   Rust client vs the raw-socket floor
//! yunhuni-bench sign [--quick]                     signatures per second
//! yunhuni-bench parse [--quick]                    Event::parse, events/s and MB/s
//! yunhuni-bench scale [--quick]                    2,000 simultaneous calls in the sandbox
//! ```

#[path = "../baselines/rust_floor.rs"]
mod rust_floor;

use serde_json::json;
use std::collections::HashSet;
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use yunhuni::{Client, DuoCallback, Event, SignInput};
use yunhuni_sandbox::http::{Request, Response, Server};
use yunhuni_sandbox::Sandbox;

const BODY: &str = r#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60}"#;
const END_EVENT: &[u8] = br#"{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","answer_time2":1490930420000,"user_data":"order-42","event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}"#;

/// Median and relative spread ((max - min) / median) of repeated measurements.
fn stats(samples: &[f64]) -> (f64, f64) {
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let median = if s.len() % 2 == 1 { s[s.len() / 2] } else { (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0 };
    let spread = if median > 0.0 { (s[s.len() - 1] - s[0]) / median } else { 0.0 };
    (median, spread)
}

/// Runs `f` once to warm up, then `reps` times, and returns the rates `work / seconds`.
fn rates(reps: usize, work: f64, mut f: impl FnMut()) -> Vec<f64> {
    f();
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            work / t.elapsed().as_secs_f64()
        })
        .collect()
}

fn row(name: &str, ours: &[f64], baseline: Option<&[f64]>, unit: &str, target: serde_json::Value, note: &str) {
    let (o, o_spread) = stats(ours);
    let (b, b_spread) = baseline.map(stats).map_or((None, None), |(m, s)| (Some(m), Some(s)));
    println!(
        "{}",
        json!({"name": name, "ours": o, "baseline": b, "unit": unit, "target": target,
               "ours_spread": o_spread, "baseline_spread": b_spread, "samples": ours.len(), "note": note})
    );
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn client_vs_floor(quick: bool) {
    let base = arg("--base-url").expect("--base-url of a running sandbox");
    let app = arg("--app-id").unwrap_or_else(|| yunhuni_sandbox::DEV_APP_ID.into());
    let cert = arg("--cert-id").unwrap_or_else(|| yunhuni_sandbox::DEV_CERT_ID.into());
    let secret = arg("--secret-key").unwrap_or_else(|| yunhuni_sandbox::DEV_SECRET_KEY.into());
    let (n, reps) = if quick { (50, 2) } else { (2000, 7) };
    let client = Client::builder(&app, &cert, &secret).base_url(&base).build().unwrap();
    let request = DuoCallback::new("13800000001", "13800000002", 60);
    let host = base.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let timestamp = yunhuni::timestamp_now();
    let presigned: Vec<Vec<u8>> =
        (0..n).map(|_| rust_floor::presigned(&host, &cert, &app, &cert, &secret, &timestamp, BODY)).collect();
    // Interleave the two so that drift on the machine affects both alike.
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..reps + 1 {
        floor.extend(rates(1, n as f64, || rust_floor::replay(&host, &presigned)));
        ours.extend(rates(1, n as f64, || {
            for _ in 0..n {
                black_box(client.duo_callback(&request).unwrap());
            }
        }));
    }
    row(
        "Rust client sequential duo_callback vs raw keep-alive socket (floor)",
        &ours[1..],
        Some(&floor[1..]),
        "requests/s",
        json!(0.6),
        "both sign every request; the floor replays pre-signed bytes",
    );
}

fn sign(quick: bool) {
    let n = if quick { 2_000 } else { 200_000 };
    let input = SignInput::post(
        "/v1/account/fedcba9876543210fedcba9876543210/call/duo_callback",
        "20170301120000",
        "0123456789abcdef0123456789abcdef",
        BODY.as_bytes(),
    );
    let samples = rates(if quick { 2 } else { 7 }, n as f64, || {
        for _ in 0..n {
            black_box(yunhuni::sign(black_box(&input), "00112233445566778899aabbccddeeff"));
        }
    });
    row("Rust sign()", &samples, None, "signatures/s", json!("report"), "MD5 + HMAC-SHA256 + Base64 of a duo_callback");
}

fn parse(quick: bool) {
    let n = if quick { 2_000 } else { 300_000 };
    let reps = if quick { 2 } else { 7 };
    let samples = rates(reps, n as f64, || {
        for _ in 0..n {
            black_box(Event::parse(black_box(END_EVENT)).unwrap());
        }
    });
    row("Rust Event::parse of a real duo_callback.end", &samples, None, "events/s", json!("report"), "");
    let mb: Vec<f64> = samples.iter().map(|r| r * END_EVENT.len() as f64 / 1e6).collect();
    row("Rust Event::parse throughput", &mb, None, "MB/s", json!("report"), &format!("{} byte body", END_EVENT.len()));
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn scale(quick: bool) {
    let calls = if quick { 200 } else { 2000 };
    let received = Arc::new(Mutex::new(HashSet::new()));
    let deliveries = Arc::new(Mutex::new(0usize));
    let (r, d) = (received.clone(), deliveries.clone());
    let receiver = Server::start(
        "127.0.0.1:0",
        Arc::new(move |req: &Request| {
            if let Ok(Event::DuoCallbackEnd(e)) = Event::parse(&req.body) {
                r.lock().unwrap().insert(e.id.unwrap_or_default());
            }
            *d.lock().unwrap() += 1;
            Response::new(200)
        }),
    )
    .unwrap();
    // 1000x: the default call (ring 2 s, talk 5 s, release 1 s) lasts about 10 ms of real time.
    let sb = Sandbox::builder()
        .time_scale(1000.0)
        .log(false)
        .callback_url(format!("http://{}/hook", receiver.local_addr()))
        .start()
        .unwrap();
    let client = Client::builder(sb.app_id(), sb.cert_id(), sb.secret_key()).base_url(sb.base_url()).build().unwrap();
    let started = Instant::now();
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let client = &client;
                s.spawn(move || {
                    (0..calls / 4)
                        .map(|i| {
                            let req = DuoCallback::new(format!("138{t:02}{i:06}"), format!("139{t:02}{i:06}"), 60);
                            client.duo_callback(&req).unwrap().call_id
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let placed = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(120);
    while received.lock().unwrap().len() < ids.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    let total = started.elapsed();
    let got = received.lock().unwrap().clone();
    let lost = ids.iter().filter(|id| !got.contains(*id)).count();
    let extra = deliveries.lock().unwrap().saturating_sub(ids.len());
    let running = sb.calls().iter().filter(|c| !c.state.as_str().eq("closed")).count();
    sb.shutdown();
    receiver.shutdown();
    let note = format!(
        "{} calls placed in {:.2} s from 4 threads at 1000x; {} duplicate deliveries; {} calls not closed",
        ids.len(),
        placed.as_secs_f64(),
        extra,
        running
    );
    row(&format!("Sandbox: {calls} simultaneous calls, end-to-end"), &[total.as_secs_f64()], None, "s", json!("report"), &note);
    row("Sandbox: peak RSS (sandbox, clients and receiver in one process)", &[peak_rss_mib()], None, "MiB", json!("report"), "");
    println!(
        "{}",
        json!({"name": format!("Sandbox: {calls} calls, end events lost"), "ours": lost as f64, "baseline": null,
               "unit": "events", "target": 0, "target_kind": "equal", "ours_spread": 0.0, "samples": 1, "note": ""})
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    match std::env::args().nth(1).as_deref() {
        Some("client") => client_vs_floor(quick),
        Some("sign") => sign(quick),
        Some("parse") => parse(quick),
        Some("scale") => scale(quick),
        _ => {
            eprintln!("usage: yunhuni-bench client|sign|parse|scale [--quick] [--base-url URL]");
            std::process::exit(2);
        }
    }
}
