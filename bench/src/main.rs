//! Benchmarks of the Rust core and the sandbox. Prints one JSON row per line on stdout;
//! `bench/run` collects the rows of every language into one table.
//!
//! ```text
//! yunhuni-bench client --base-url URL [--quick]   Rust client vs the raw-socket floor (sandbox)
//! yunhuni-bench client --loopback --base-url URL [--concurrency 1,8,64] [--label L] [--quick]
//!                                                  Rust client vs a raw socket doing the same work
//!                                                  and vs the pre-signed floor, against `serve`
//! yunhuni-bench socket --base-url URL [--concurrency C] [--presigned]
//!                                                  the raw socket alone (the C rows' baseline)
//! yunhuni-bench serve [--listen ADDR]              the trivial keep-alive loopback server
//! yunhuni-bench floor --base-url URL [--quick]    the floor alone (the C row's baseline)
//! yunhuni-bench sign [--quick]                     signatures per second
//! yunhuni-bench parse [--quick]                    Event::parse, events/s and MB/s
//! yunhuni-bench scale [--quick] [--sandbox-bin P] [--calls N] [--time-scale X]
//!                                                  2,000 simultaneous calls in a sandbox process
//! yunhuni-bench conf-scale [--quick] [--sandbox-bin P] [--conferences N] [--members M]
//!                                                  500 conferences of 5 members at once
//! yunhuni-bench cc-scale [--quick] [--sandbox-bin P] [--agents N] [--callers M]
//!                                                  200 agents, 2,000 queued callers by conditions
//! yunhuni-bench calls-scale [--quick] [--sandbox-bin P] [--calls N] [--time-scale X]
//!                                                  100,000 calls in flight at once: peak RSS
//! yunhuni-bench load --sandbox-bin P [--baseline-bin P] [--connections 64] [--seconds S] [--reps R]
//!                    [--op duo_callback|query] [--quick]
//!                                                  the sandbox under wrk-style load: requests/s, p99
//! ```
//!
//! `--n N` (requests per repetition) and `--reps R` override the counts of `client` and `floor`.

mod calls_scale;
mod cc_scale;
mod load;
mod loopback;
#[path = "../baselines/rust_floor.rs"]
mod rust_floor;

use serde_json::json;
use std::collections::HashSet;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use yunhuni::{Client, DuoCallback, Event, SignInput};
use yunhuni_sandbox::http::{Request, Response, Server};
use yunhuni_sandbox::{DEV_APP_ID, DEV_CERT_ID, DEV_SECRET_KEY};

const BODY: &str = r#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60}"#;
const END_EVENT: &[u8] = br#"{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","answer_time2":1490930420000,"user_data":"order-42","event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}"#;

/// Median and relative spread ((max - min) / median) of repeated measurements.
fn stats(samples: &[f64]) -> (f64, f64) {
    let mut s = samples.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let median = if s.len() % 2 == 1 {
        s[s.len() / 2]
    } else {
        (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
    };
    let spread = if median > 0.0 {
        (s[s.len() - 1] - s[0]) / median
    } else {
        0.0
    };
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

fn row_value(
    name: &str,
    ours: &[f64],
    baseline: Option<&[f64]>,
    unit: &str,
    target: serde_json::Value,
    note: &str,
) -> serde_json::Value {
    let (o, o_spread) = stats(ours);
    let (b, b_spread) = baseline
        .map(stats)
        .map_or((None, None), |(m, s)| (Some(m), Some(s)));
    json!({"name": name, "ours": o, "baseline": b, "unit": unit, "target": target,
           "ours_spread": o_spread, "baseline_spread": b_spread, "samples": ours.len(), "note": note})
}

fn row(
    name: &str,
    ours: &[f64],
    baseline: Option<&[f64]>,
    unit: &str,
    target: serde_json::Value,
    note: &str,
) {
    println!("{}", row_value(name, ours, baseline, unit, target, note));
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn arg_usize(name: &str) -> Option<usize> {
    arg(name).map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} takes a number, not {v:?}"))
    })
}

/// Requests per repetition and repetitions for the round-trip rows.
fn round_trip_counts(quick: bool) -> (usize, usize) {
    let (n, reps) = if quick { (50, 2) } else { (2000, 7) };
    (
        arg_usize("--n").unwrap_or(n),
        arg_usize("--reps").unwrap_or(reps),
    )
}

/// The credentials and host of the sandbox named on the command line.
struct Target {
    base: String,
    host: String,
    app: String,
    cert: String,
    secret: String,
}

fn target() -> Target {
    let base = arg("--base-url").expect("--base-url of a running sandbox");
    let host = base
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    Target {
        host,
        base,
        app: arg("--app-id").unwrap_or_else(|| DEV_APP_ID.into()),
        cert: arg("--cert-id").unwrap_or_else(|| DEV_CERT_ID.into()),
        secret: arg("--secret-key").unwrap_or_else(|| DEV_SECRET_KEY.into()),
    }
}

/// `n` requests signed up front by the floor's own signing, with a timestamp of now.
fn presigned(t: &Target, n: usize) -> Vec<Vec<u8>> {
    let timestamp = yunhuni::timestamp_now();
    (0..n)
        .map(|_| {
            rust_floor::presigned(
                &t.host, &t.cert, &t.app, &t.cert, &t.secret, &timestamp, BODY,
            )
        })
        .collect()
}

fn client_vs_floor(quick: bool) {
    let t = target();
    let (n, reps) = round_trip_counts(quick);
    let client = Client::builder(&t.app, &t.cert, &t.secret)
        .base_url(&t.base)
        .build()
        .unwrap();
    let request = DuoCallback::new("13800000001", "13800000002", 60);
    let presigned = presigned(&t, n);
    // Interleave the two so that drift on the machine affects both alike.
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..reps + 1 {
        floor.extend(rates(1, n as f64, || {
            rust_floor::replay(&t.host, &presigned)
        }));
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
        &format!("{n} requests per sample; the client signs each request, the floor replays pre-signed bytes"),
    );
}

/// `f(i, k)` on `c` threads at once, thread `i` doing its share `k` of `n`; what each thread
/// returned, in thread order.
fn on_threads<T: Send>(c: usize, n: usize, f: impl Fn(usize, usize) -> T + Sync) -> Vec<T> {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..c)
            .map(|i| {
                let f = &f;
                s.spawn(move || f(i, n / c + usize::from(i < n % c)))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn concurrencies() -> Vec<usize> {
    arg("--concurrency")
        .unwrap_or_else(|| "1,8,64".into())
        .split(',')
        .map(|c| {
            c.trim()
                .parse()
                .expect("--concurrency takes numbers: 1,8,64")
        })
        .collect()
}

/// Requests per sample at `c` in flight.
fn loopback_n(quick: bool, c: usize) -> usize {
    arg_usize("--n").unwrap_or(if quick {
        50.max(c * 2)
    } else {
        4000.max(c * 100)
    })
}

/// The Rust client against the raw socket doing the SDK's work and against the pre-signed
/// floor, at each concurrency, against the trivial loopback server (`serve`). Each thread of a
/// socket row has a connection of its own; the client's threads share one `Client`.
fn client_vs_socket(quick: bool) {
    let t = target();
    let reps = arg_usize("--reps").unwrap_or(if quick { 2 } else { 7 });
    let label = arg("--label").unwrap_or_default();
    let suffix = if label.is_empty() {
        String::new()
    } else {
        format!("_{label}")
    };
    let shown = if label.is_empty() {
        String::new()
    } else {
        format!(", {label}")
    };
    let client = Client::builder(&t.app, &t.cert, &t.secret)
        .base_url(&t.base)
        .build()
        .unwrap();
    let request = DuoCallback::new("13800000001", "13800000002", 60);
    for c in concurrencies() {
        let n = loopback_n(quick, c);
        let presigned = presigned(&t, n);
        let (mut ours, mut work, mut floor) = (Vec::new(), Vec::new(), Vec::new());
        // Every connection the client opens, warm-up included: at most `c` means none was
        // reopened (its pool keeps up to 64 idle).
        let mut connections = 0;
        // The first round warms up (and opens the client's connections); interleaved so that
        // drift on the machine affects all three alike.
        for _ in 0..reps + 1 {
            work.extend(rates(1, n as f64, || {
                on_threads(c, n, |_, k| {
                    let mut s = rust_floor::WorkingSocket::connect(
                        &t.host, &t.cert, &t.app, &t.cert, &t.secret,
                    );
                    for _ in 0..k {
                        black_box(s.duo_callback("13800000001", "13800000002", 60));
                    }
                });
            }));
            floor.extend(rates(1, n as f64, || {
                on_threads(c, n, |i, k| {
                    let share = &presigned[i * (n / c)..][..k.min(n - i * (n / c))];
                    rust_floor::replay(&t.host, share)
                });
            }));
            let before = loopback::stats(&t.host).0;
            ours.extend(rates(1, n as f64, || {
                on_threads(c, n, |_, k| {
                    for _ in 0..k {
                        black_box(client.duo_callback(&request).unwrap());
                    }
                });
            }));
            connections += loopback::stats(&t.host).0 - before;
        }
        let note = format!(
            "{n} requests per sample, {c} in flight, against the trivial loopback server; the client opened \
             {connections} connections in all ({reps} samples and a warm-up round)"
        );
        let mut r = row_value(
            &format!("Rust client vs raw socket doing the same work (encode, sign, decode), {c} in flight{shown}"),
            &ours[1..],
            Some(&work[1..]),
            "requests/s",
            json!(0.9),
            &format!("{note}; the socket builds the JSON body, signs, and decodes the answer per request"),
        );
        r["key"] = json!(format!("rust_vs_socket_c{c}{suffix}"));
        r["connections"] = json!(connections);
        println!("{r}");
        let mut r = row_value(
            &format!("Rust client vs pre-signed raw socket (floor), {c} in flight{shown}"),
            &ours[1..],
            Some(&floor[1..]),
            "requests/s",
            json!("report"),
            &format!("{note}; the floor replays bytes signed up front"),
        );
        r["key"] = json!(format!("rust_vs_floor_c{c}{suffix}"));
        println!("{r}");
    }
}

/// The raw socket alone at `--concurrency C` (one value), doing the SDK's work per request, or
/// replaying pre-signed requests with `--presigned`: the baseline of the C rows.
fn socket_alone(quick: bool) {
    let t = target();
    let c = concurrencies()[0];
    let n = loopback_n(quick, c);
    let reps = arg_usize("--reps").unwrap_or(if quick { 2 } else { 7 });
    let presigned_only = std::env::args().any(|a| a == "--presigned");
    let presigned = presigned(&t, n);
    let samples = rates(reps, n as f64, || {
        on_threads(c, n, |i, k| {
            if presigned_only {
                rust_floor::replay(&t.host, &presigned[i * (n / c)..][..k.min(n - i * (n / c))]);
            } else {
                let mut s = rust_floor::WorkingSocket::connect(
                    &t.host, &t.cert, &t.app, &t.cert, &t.secret,
                );
                for _ in 0..k {
                    black_box(s.duo_callback("13800000001", "13800000002", 60));
                }
            }
        });
    });
    row(
        &format!(
            "Raw socket{}, {c} in flight",
            if presigned_only {
                ", pre-signed"
            } else {
                " doing the SDK's work"
            }
        ),
        &samples,
        None,
        "requests/s",
        json!("report"),
        &format!("{n} requests per sample"),
    );
}

/// The floor alone, for rows whose own client is another program (C).
fn floor(quick: bool) {
    let t = target();
    let (n, reps) = round_trip_counts(quick);
    let presigned = presigned(&t, n);
    let samples = rates(reps, n as f64, || rust_floor::replay(&t.host, &presigned));
    row(
        "Floor: raw keep-alive socket, pre-signed duo_callback",
        &samples,
        None,
        "requests/s",
        json!("report"),
        &format!("{n} requests per sample"),
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
            black_box(yunhuni::sign(
                black_box(&input),
                "00112233445566778899aabbccddeeff",
            ));
        }
    });
    row(
        "Rust sign()",
        &samples,
        None,
        "signatures/s",
        json!("report"),
        "MD5 + HMAC-SHA256 + Base64 of a duo_callback",
    );
}

fn parse(quick: bool) {
    let n = if quick { 2_000 } else { 300_000 };
    let reps = if quick { 2 } else { 7 };
    let samples = rates(reps, n as f64, || {
        for _ in 0..n {
            black_box(Event::parse(black_box(END_EVENT)).unwrap());
        }
    });
    row(
        "Rust Event::parse of a real duo_callback.end",
        &samples,
        None,
        "events/s",
        json!("report"),
        "",
    );
    let mb: Vec<f64> = samples
        .iter()
        .map(|r| r * END_EVENT.len() as f64 / 1e6)
        .collect();
    row(
        "Rust Event::parse throughput",
        &mb,
        None,
        "MB/s",
        json!("report"),
        &format!("{} byte body", END_EVENT.len()),
    );
}

/// A `VmHWM:`/`VmRSS:`-style line of `/proc/PID/status`, in MiB.
fn proc_status_mib(pid: &str, key: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A `yunhuni-sandbox` child process; killed when dropped, so a failing run leaves none behind.
struct SandboxProcess {
    child: Child,
    base_url: String,
}

impl SandboxProcess {
    /// Starts `bin` listening on a free port at `time_scale`, its webhooks to
    /// `http://{hook_addr}/hook`, plus `extra` arguments.
    fn with_hook(
        bin: &Path,
        time_scale: &str,
        hook_addr: &str,
        extra: &[String],
    ) -> SandboxProcess {
        let mut args: Vec<String> = vec![
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--no-log".into(),
            "--time-scale".into(),
            time_scale.into(),
            "--callback-url".into(),
            format!("http://{hook_addr}/hook"),
        ];
        args.extend_from_slice(extra);
        SandboxProcess::start(bin, &args)
    }

    /// A client of the sandbox's development account.
    fn client(&self) -> Client {
        Client::builder(DEV_APP_ID, DEV_CERT_ID, DEV_SECRET_KEY)
            .base_url(&self.base_url)
            .build()
            .unwrap()
    }

    fn start(bin: &Path, args: &[String]) -> SandboxProcess {
        let mut child = Command::new(bin)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base_url = loop {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(url) = line.trim().strip_prefix("export YUNHUNI_BASE_URL=") {
                        break url.to_owned();
                    }
                }
                _ => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("{} exited before printing its base URL", bin.display());
                }
            }
        };
        // Nothing more is printed, but keep the pipe drained all the same.
        std::thread::spawn(move || lines.for_each(drop));
        SandboxProcess { child, base_url }
    }

    fn mib(&self, key: &str) -> f64 {
        proc_status_mib(&self.child.id().to_string(), key)
    }

    /// A GET on the sandbox's admin endpoints, on a connection of its own.
    fn get(&self, path: &str) -> serde_json::Value {
        let host = self
            .base_url
            .trim_start_matches("http://")
            .trim_end_matches('/');
        let mut stream = TcpStream::connect(host).unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let at = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("an HTTP response");
        assert!(
            response.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&response[..at])
        );
        serde_json::from_slice(&response[at + 4..]).unwrap()
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Places `calls` duo_callbacks from `threads` threads sharing `client` (one keep-alive
/// connection each), each to two numbers of its own; returns the call ids.
fn place_calls(client: &Client, calls: usize, threads: usize) -> Vec<String> {
    on_threads(threads, calls, |t, share| {
        (0..share)
            .map(|i| {
                // Not 139000000xx: those are the sandbox's reserved numbers (busy, no answer, ...).
                let req =
                    DuoCallback::new(format!("138{t:02}{i:06}"), format!("137{t:02}{i:06}"), 60);
                client.duo_callback(&req).unwrap().call_id
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect()
}

/// Calls of the sandbox not yet closed.
fn calls_in_progress(sb: &SandboxProcess) -> usize {
    let calls = sb.get("/sandbox/calls");
    calls
        .as_array()
        .expect("a list of calls")
        .iter()
        .filter(|c| c["state"] != "closed")
        .count()
}

fn scale(quick: bool) {
    let calls = arg_usize("--calls").unwrap_or(if quick { 200 } else { 2000 });
    let threads = 4;
    let time_scale = arg("--time-scale").unwrap_or_else(|| "20".into());
    let bin = arg("--sandbox-bin").map(PathBuf::from).unwrap_or_else(|| {
        std::env::current_exe()
            .unwrap()
            .with_file_name("yunhuni-sandbox")
    });
    let received = Arc::new(Mutex::new(HashSet::new()));
    let deliveries = Arc::new(AtomicUsize::new(0));
    let (r, d) = (received.clone(), deliveries.clone());
    let receiver = Server::start(
        "127.0.0.1:0",
        Arc::new(move |req: &Request| {
            if let Ok(Event::DuoCallbackEnd(e)) = Event::parse(&req.body) {
                r.lock().unwrap().insert(e.id.unwrap_or_default());
            }
            d.fetch_add(1, Ordering::Relaxed);
            Response::new(200)
        }),
    )
    .unwrap();
    // The sandbox runs in its own (release) process, so that its memory is measured alone. At
    // 20x the default call (ring 2 s, answer, ring 2 s, talk 5 s, release 1 s) lasts about half a
    // second of real time: long enough for every call to be in progress once all are placed.
    let sb = SandboxProcess::with_hook(&bin, &time_scale, &receiver.local_addr().to_string(), &[]);
    let idle_rss = sb.mib("VmRSS:");
    let client = sb.client();
    let started = Instant::now();
    let ids = place_calls(&client, calls, threads);
    let placed = started.elapsed();
    let in_progress = calls_in_progress(&sb);
    let deadline = Instant::now() + Duration::from_secs(120);
    while received.lock().unwrap().len() < ids.len() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    let total = started.elapsed();
    // Late duplicates would arrive right after the last event: give them a moment.
    std::thread::sleep(Duration::from_millis(100));
    let got = received.lock().unwrap().clone();
    let lost = ids.iter().filter(|id| !got.contains(*id)).count();
    let extra = deliveries.load(Ordering::Relaxed).saturating_sub(ids.len());
    let not_closed = calls_in_progress(&sb);
    let peak_rss = sb.mib("VmHWM:");
    drop(sb);
    receiver.shutdown();
    let note = format!(
        "{} calls placed in {:.2} s from {threads} threads at time scale {time_scale} (a call lasts 10 s simulated); \
         {in_progress} in progress right after the last was placed; {extra} duplicate deliveries; {not_closed} calls \
         not closed at the end",
        ids.len(),
        placed.as_secs_f64(),
    );
    row(
        &format!("Sandbox: {calls} simultaneous calls, end-to-end"),
        &[total.as_secs_f64()],
        None,
        "s",
        json!("report"),
        &note,
    );
    row(
        "Sandbox: peak RSS of the yunhuni-sandbox process",
        &[peak_rss],
        None,
        "MiB",
        json!("report"),
        &format!("VmHWM of the release binary; {idle_rss:.1} MiB right after start"),
    );
    let mut lost_row = row_value(
        &format!("Sandbox: {calls} calls, end events lost"),
        &[lost as f64],
        None,
        "events",
        json!(0),
        "",
    );
    lost_row["target_kind"] = json!("max");
    println!("{lost_row}");
}

/// Conferences at scale: `--conferences` conferences (500) of `--members` invited members (5)
/// each, all running at once in the release sandbox, every `conf.*` event received by a
/// webhook: how many were lost, and the sandbox's peak memory.
fn conf_scale(quick: bool) {
    let conferences = arg_usize("--conferences").unwrap_or(if quick { 50 } else { 500 });
    let members = arg_usize("--members").unwrap_or(5);
    let threads = 4;
    let time_scale = arg("--time-scale").unwrap_or_else(|| "20".into());
    let bin = arg("--sandbox-bin").map(PathBuf::from).unwrap_or_else(|| {
        std::env::current_exe()
            .unwrap()
            .with_file_name("yunhuni-sandbox")
    });
    // Every event received, as (conference, event, member call), and every POST.
    let received = Arc::new(Mutex::new(HashSet::new()));
    let deliveries = Arc::new(AtomicUsize::new(0));
    let (r, d) = (received.clone(), deliveries.clone());
    let receiver = Server::start(
        "127.0.0.1:0",
        Arc::new(move |req: &Request| {
            let key = match Event::parse(&req.body) {
                Ok(Event::ConfCreateSucc(e)) => {
                    e.id.map(|id| (id, "conf.create.succ", String::new()))
                }
                Ok(Event::ConfJoined(e)) => {
                    e.id.map(|id| (id, "conf.joined", e.call_id.unwrap_or_default()))
                }
                Ok(Event::ConfQuit(e)) => {
                    e.id.map(|id| (id, "conf.quit", e.call_id.unwrap_or_default()))
                }
                Ok(Event::ConfEnd(e)) => e.id.map(|id| (id, "conf.end", String::new())),
                _ => None,
            };
            if let Some(key) = key {
                r.lock().unwrap().insert(key);
            }
            d.fetch_add(1, Ordering::Relaxed);
            Response::new(200)
        }),
    )
    .unwrap();
    let sb = SandboxProcess::with_hook(&bin, &time_scale, &receiver.local_addr().to_string(), &[]);
    let idle_rss = sb.mib("VmRSS:");
    let client = sb.client();
    // Each conference lasts 120 s simulated (6 s of real time at 20x): long enough for all to
    // be running with every member in before the first ends. The members answer after 2 s and
    // never hang up (the reserved number 13900000005); they quit when their conference ends.
    let started = Instant::now();
    let created: Vec<(String, Vec<String>)> = on_threads(threads, conferences, |_, share| {
        (0..share)
            .map(|_| {
                let create = yunhuni::Request::new("conf_create")
                    .and_then(|r| r.with("max_duration", 120))
                    .unwrap();
                let conf = client.send(&create).unwrap()["confId"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                let calls = (0..members)
                    .map(|_| {
                        let invite = yunhuni::Request::new("conf_invite_call")
                            .and_then(|r| r.with("conf_id", conf.as_str()))
                            .and_then(|r| r.with("to", "13900000005"))
                            .and_then(|r| r.with("max_duration", 600))
                            .unwrap();
                        client.send(&invite).unwrap()["callId"]
                            .as_str()
                            .unwrap()
                            .to_owned()
                    })
                    .collect();
                (conf, calls)
            })
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    let placed = started.elapsed();
    let mut expected = HashSet::new();
    for (conf, calls) in &created {
        expected.insert((conf.clone(), "conf.create.succ", String::new()));
        expected.insert((conf.clone(), "conf.end", String::new()));
        for call in calls {
            expected.insert((conf.clone(), "conf.joined", call.clone()));
            expected.insert((conf.clone(), "conf.quit", call.clone()));
        }
    }
    let deadline = Instant::now() + Duration::from_secs(180);
    while !expected.is_subset(&received.lock().unwrap()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let total = started.elapsed();
    std::thread::sleep(Duration::from_millis(100));
    let got = received.lock().unwrap().clone();
    let lost = expected.difference(&got).count();
    let extra = deliveries
        .load(Ordering::Relaxed)
        .saturating_sub(expected.len());
    let peak_rss = sb.mib("VmHWM:");
    drop(sb);
    receiver.shutdown();
    let note = format!(
        "{conferences} conferences of {members} members created and invited in {:.2} s from {threads} threads at \
         time scale {time_scale} (each lasts 120 s simulated); {} conf.* events expected; {extra} other or duplicate \
         deliveries; all events in after {:.2} s",
        placed.as_secs_f64(),
        expected.len(),
        total.as_secs_f64(),
    );
    let mut rss_row = row_value(
        &format!("Sandbox: peak RSS with {conferences} conferences of {members} members at once"),
        &[peak_rss],
        None,
        "MiB",
        json!("report"),
        &format!("VmHWM of the release binary; {idle_rss:.1} MiB right after start; {note}"),
    );
    rss_row["key"] = json!(format!("sandbox_{conferences}_conferences_rss_mib"));
    println!("{rss_row}");
    let mut lost_row = row_value(
        &format!("Sandbox: {conferences} conferences of {members} members, conf.* events lost"),
        &[lost as f64],
        None,
        "events",
        json!(0),
        "",
    );
    lost_row["target_kind"] = json!("max");
    lost_row["key"] = json!(format!("sandbox_{conferences}_conferences_events_lost"));
    println!("{lost_row}");
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    match std::env::args().nth(1).as_deref() {
        Some("client") if std::env::args().any(|a| a == "--loopback") => client_vs_socket(quick),
        Some("client") => client_vs_floor(quick),
        Some("socket") => socket_alone(quick),
        Some("serve") => loopback::serve(&arg("--listen").unwrap_or_else(|| "127.0.0.1:0".into())),
        Some("floor") => floor(quick),
        Some("sign") => sign(quick),
        Some("parse") => parse(quick),
        Some("scale") => scale(quick),
        Some("conf-scale") => conf_scale(quick),
        Some("cc-scale") => cc_scale::cc_scale(quick),
        Some("calls-scale") => calls_scale::calls_scale(quick),
        Some("load") => load::load(quick),
        _ => {
            eprintln!("usage: yunhuni-bench client|floor|socket|serve|sign|parse|scale|conf-scale|cc-scale|load [--quick] [--base-url URL] [--n N] [--reps R]");
            std::process::exit(2);
        }
    }
}
