//! The sandbox as a load-test target: `--calls` calls (100,000) in flight at once in one
//! release sandbox process, every end event delivered to a receiver and counted. Rows: the
//! sandbox's peak RSS (target ≤ 100 MiB, about 1 KiB per call in flight) and the end events
//! lost (target 0).
//!
//! Each call is a `duo_callback` to two numbers of their own with the default behaviour (ring
//! 2 s, answer, ring 2 s, talk 5 s, release 1 s: 10 s of simulated time); the time scale
//! (`--time-scale`, 0.4 by default) stretches that to 25 s of real time, so that every call
//! placed is still in flight when the last one is placed. How many were is read from the
//! sandbox itself (`running_calls` of `GET /sandbox/info`, a count: listing 100,000 calls would
//! itself cost the sandbox more memory than the calls do).

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use yunhuni::Event;
use yunhuni_sandbox::http::{Request, Response, Server};

use super::{arg, arg_usize, place_calls, row_value, SandboxProcess};

/// Client threads placing the calls (one keep-alive connection each).
const THREADS: usize = 4;

pub(crate) fn calls_scale(quick: bool) {
    let calls = arg_usize("--calls").unwrap_or(if quick { 2000 } else { 100_000 });
    let time_scale =
        arg("--time-scale").unwrap_or_else(|| (if quick { "5" } else { "0.4" }).into());
    let bin = arg("--sandbox-bin").map(PathBuf::from).unwrap_or_else(|| {
        std::env::current_exe()
            .unwrap()
            .with_file_name("yunhuni-sandbox")
    });
    // The receiver: every delivery counted, the end events' call ids kept.
    let received = Arc::new(Mutex::new(HashSet::with_capacity(calls)));
    let deliveries = Arc::new(AtomicUsize::new(0));
    let receiver = {
        let (received, deliveries) = (received.clone(), deliveries.clone());
        Server::start(
            "127.0.0.1:0",
            Arc::new(move |req: &Request| {
                deliveries.fetch_add(1, Ordering::Relaxed);
                if let Ok(Event::DuoCallbackEnd(e)) = Event::parse(&req.body) {
                    received.lock().unwrap().insert(e.id.unwrap_or_default());
                }
                Response::new(200)
            }),
        )
        .unwrap()
    };
    let sb = SandboxProcess::with_hook(&bin, &time_scale, &receiver.local_addr().to_string(), &[]);
    let idle_rss = sb.mib("VmRSS:");
    let client = sb.client();
    let started = Instant::now();
    let ids = place_calls(&client, calls, THREADS);
    let placed = started.elapsed();
    let in_flight = sb.get("/sandbox/info")["running_calls"]
        .as_u64()
        .unwrap_or(0);
    let rss_in_flight = sb.mib("VmRSS:");
    let deadline = Instant::now() + Duration::from_secs(if quick { 60 } else { 300 });
    let mut last_report = Instant::now();
    while received.lock().unwrap().len() < ids.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        if last_report.elapsed() > Duration::from_secs(10) {
            last_report = Instant::now();
            eprintln!(
                "calls-scale: {} of {} end events in after {:.0} s",
                received.lock().unwrap().len(),
                ids.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    let total = started.elapsed();
    // Late duplicates would arrive right after the last event: give them a moment.
    std::thread::sleep(Duration::from_millis(200));
    let running_at_end = sb.get("/sandbox/info")["running_calls"]
        .as_u64()
        .unwrap_or(0);
    let peak_rss = sb.mib("VmHWM:");
    let rss_at_end = sb.mib("VmRSS:");
    drop(sb);
    receiver.shutdown();
    let got = received.lock().unwrap().clone();
    let lost = ids.iter().filter(|id| !got.contains(*id)).count();
    let extra = deliveries.load(Ordering::Relaxed).saturating_sub(got.len());
    let per_call_kib = (peak_rss - idle_rss).max(0.0) * 1024.0 / calls.max(1) as f64;
    let note = format!(
        "{} duo_callback calls placed in {:.2} s from {THREADS} threads at time scale {time_scale} (a call lasts 10 s \
         simulated); {in_flight} in flight at once right after the last was placed ({rss_in_flight:.1} MiB RSS then); \
         all end events in after {:.1} s; {extra} other or duplicate deliveries; {running_at_end} calls still running \
         at the end ({rss_at_end:.1} MiB RSS then); {idle_rss:.1} MiB right after start, so {per_call_kib:.2} KiB per \
         call",
        ids.len(),
        placed.as_secs_f64(),
        total.as_secs_f64(),
    );
    let mut rss_row = row_value(
        &format!("Sandbox: peak RSS with {calls} calls in flight"),
        &[peak_rss],
        None,
        "MiB",
        json!(100),
        &format!("VmHWM of the release binary; {note}"),
    );
    rss_row["target_kind"] = json!("max");
    rss_row["key"] = json!("sandbox_100k_calls_rss_mib");
    println!("{rss_row}");
    let mut lost_row = row_value(
        &format!("Sandbox: {calls} calls in flight, end events lost"),
        &[lost as f64],
        None,
        "events",
        json!(0),
        "end events of placed calls that never reached the receiver",
    );
    lost_row["target_kind"] = json!("max");
    lost_row["key"] = json!("sandbox_100k_calls_events_lost");
    println!("{lost_row}");
}
