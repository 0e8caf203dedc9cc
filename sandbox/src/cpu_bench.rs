//! A measurement, not a check: the sandbox's CPU time per placed `call/duo_callback`, outside
//! the HTTP server. Run it by hand (release build; it asserts only that every call succeeds):
//!
//! ```text
//! SANDBOX_CPU_CALLS=100000 cargo test --release -p yunhuni-sandbox --lib cpu_bench -- --ignored --nocapture
//! ```
//!
//! It starts a sandbox as the binary does (time scale 1000, no callback URL), presigns N
//! requests like the load generator's, hands each to the request router directly (no socket),
//! then waits for every call to close, and prints the process CPU time per call.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::http::Request;
use crate::{serve, signing, Sandbox};

/// User + system CPU seconds in the text of a `/proc/.../stat` file (fields 14 and 15, after
/// the command name, which may hold spaces; Linux counts them in ticks of 1/100 s).
fn cpu_seconds_of(stat: &str) -> f64 {
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let ticks: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .map(|v| v.parse().unwrap_or(0.0))
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}

/// User + system CPU seconds of this process.
fn process_cpu_seconds() -> f64 {
    cpu_seconds_of(&std::fs::read_to_string("/proc/self/stat").unwrap_or_default())
}

/// CPU seconds of this process's threads with this name.
fn threads_cpu_seconds(name: &str) -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    tasks
        .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("stat")).ok())
        .filter(|stat| stat.contains(&format!("({name})")))
        .map(|stat| cpu_seconds_of(&stat))
        .sum()
}

fn presigned(sandbox: &Sandbox, n: usize) -> Vec<Request> {
    let timestamp = signing::timestamp_now();
    let path = format!("/v1/account/{}/call/duo_callback", sandbox.account_id());
    let content_type = "application/json; charset=utf-8";
    (0..n)
        .map(|i| {
            let body = format!(
                r#"{{"to1":"1380{:07}","to2":"1370{:07}","max_call_duration":60,"user_data":"load-{i}"}}"#,
                i % 10_000_000,
                i % 10_000_000
            );
            let text = signing::string_to_sign(
                "POST",
                body.as_bytes(),
                Some(content_type),
                &timestamp,
                sandbox.app_id(),
                &path,
            );
            let signature = signing::signature(sandbox.secret_key(), &text);
            let headers = [
                ("Host", "127.0.0.1"),
                ("Content-Type", content_type),
                ("AppID", sandbox.app_id()),
                ("CertID", sandbox.cert_id()),
                ("Signature", &signature),
                ("Timestamp", &timestamp),
                ("Content-Length", &body.len().to_string()),
            ]
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
            Request {
                method: "POST".into(),
                path: path.clone(),
                query: None,
                headers,
                body: body.into_bytes(),
            }
        })
        .collect()
}

#[test]
#[ignore = "a measurement: run by hand in release"]
fn cpu_per_duo_callback() {
    let n: usize = std::env::var("SANDBOX_CPU_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let threads: usize = std::env::var("SANDBOX_CPU_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let sandbox = Sandbox::builder()
        .listen("127.0.0.1:0")
        .time_scale(1000.0)
        .start()
        .unwrap();
    let t_sign = Instant::now();
    let requests = Arc::new(presigned(&sandbox, n));
    println!("presigned in {:.3} s", t_sign.elapsed().as_secs_f64());
    let shared = Arc::clone(&sandbox.shared);
    let cpu0 = process_cpu_seconds();
    let scheduler0 = threads_cpu_seconds("sandbox-schedul");
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for t in 0..threads {
            let requests = Arc::clone(&requests);
            let shared = &shared;
            s.spawn(move || {
                for r in requests.iter().skip(t).step_by(threads) {
                    let response = serve(shared, r);
                    assert!(response.body.starts_with(b"{\"code\":\"000000\""));
                }
            });
        }
    });
    let placed = t0.elapsed();
    // Every call runs its course (about 70 s simulated, 70 ms real).
    while sandbox.shared.engine_now().running() > 0 {
        std::thread::sleep(Duration::from_millis(5));
    }
    let cpu = process_cpu_seconds() - cpu0;
    let scheduler = threads_cpu_seconds("sandbox-schedul") - scheduler0;
    println!(
        "{n} duo_callbacks on {threads} threads: placed in {:.3} s, {:.2} us CPU per call (process, until every call closed; the scheduler thread {:.2} us)",
        placed.as_secs_f64(),
        cpu * 1e6 / n as f64,
        scheduler * 1e6 / n as f64
    );
}
