//! `yunhuni-bench load`: the sandbox as a load-test target, measured as `wrk` measures a
//! server: a fixed number of keep-alive connections (64), each sending one request, waiting
//! for the whole answer, then sending the next, for a fixed time; requests per second and the
//! latency percentiles of every answered request.
//!
//! The generator must cost the server as little CPU as possible, since both share the
//! machine: requests are signed before the clock starts (a set of distinct `duo_callback`s,
//! replayed in turn; the sandbox accepts a signature until its timestamp expires, 50 minutes),
//! and one thread drives every connection through `epoll`, one `write` and usually one `read`
//! per request. Its own CPU time and the sandbox's are reported per request.
//!
//! With `--baseline-bin`, a second sandbox binary (the server as it was before) is measured in
//! the same run, alternately with ours, so that the ratio compares the two on the same machine
//! under the same load.

use serde_json::json;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{arg, arg_usize, rust_floor, stats, SandboxProcess};
use yunhuni_sandbox::{DEV_APP_ID, DEV_CERT_ID, DEV_SECRET_KEY, DEV_SUB_ACCOUNT_ID};

/// Distinct requests signed up front; the connections replay them in turn.
const PRESIGNED: usize = 4096;

/// What one run measured.
struct Run {
    requests: u64,
    seconds: f64,
    /// Latency of every answered request, in microseconds, sorted.
    latencies_us: Vec<u32>,
    /// CPU seconds (user + system) of the generator and of the server during the run.
    generator_cpu: f64,
    server_cpu: f64,
}

impl Run {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// The latency at `q` (0..1), in milliseconds.
    fn percentile_ms(&self, q: f64) -> f64 {
        let l = &self.latencies_us;
        if l.is_empty() {
            return 0.0;
        }
        let i = ((l.len() as f64 * q).ceil() as usize).clamp(1, l.len()) - 1;
        f64::from(l[i]) / 1000.0
    }
}

/// Which request the connections send.
#[derive(Clone, Copy, PartialEq)]
enum Op {
    /// `call/duo_callback`: places a call (the operation of every other sandbox row).
    DuoCallback,
    /// `GET management/subaccount/{id}`: a cheap query, no body, no call placed.
    Query,
}

impl Op {
    fn presigned(self, host: &str, n: usize) -> Vec<Vec<u8>> {
        let timestamp = rust_floor::timestamp();
        (0..n)
            .map(|i| match self {
                Op::DuoCallback => {
                    let body = format!(
                        r#"{{"to1":"1380{:07}","to2":"1370{:07}","max_call_duration":60,"user_data":"load-{i}"}}"#,
                        i % 10_000_000,
                        i % 10_000_000
                    );
                    rust_floor::presigned(
                        host,
                        DEV_CERT_ID,
                        DEV_APP_ID,
                        DEV_CERT_ID,
                        DEV_SECRET_KEY,
                        &timestamp,
                        &body,
                    )
                }
                Op::Query => signed_get(
                    host,
                    &format!("/v1/account/{DEV_CERT_ID}/management/subaccount/{DEV_SUB_ACCOUNT_ID}"),
                    &timestamp,
                ),
            })
            .collect()
    }

    /// How a successful answer's body starts.
    fn success(self) -> &'static [u8] {
        b"{\"code\":\"000000\""
    }
}

/// A signed GET (no body: the string to sign has empty MD5 and content type).
fn signed_get(host: &str, path: &str, timestamp: &str) -> Vec<u8> {
    use base64::Engine as _;
    use hmac::{Hmac, Mac};
    let text = format!("GET\n\n\n{timestamp}\n{DEV_APP_ID}\n{path}");
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(DEV_SECRET_KEY.as_bytes()).unwrap();
    mac.update(text.as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAppID: {DEV_APP_ID}\r\nCertID: {DEV_CERT_ID}\r\n\
         Signature: {signature}\r\nTimestamp: {timestamp}\r\n\r\n"
    )
    .into_bytes()
}

/// CPU seconds (user + system) of a process, or of this thread with `None`.
fn cpu_seconds(pid: Option<u32>) -> f64 {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/thread-self/stat".to_owned(),
    };
    let stat = std::fs::read_to_string(path).unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime is the 14th field overall.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    (ticks(11) + ticks(12)) / hz
}

/// One keep-alive connection of the generator.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    sent_at: Instant,
    next: usize,
}

/// How much of `buf` one whole response takes, once it is all there; panics on an answer that
/// is not a success.
fn response_len(buf: &[u8], success: &[u8]) -> Option<usize> {
    let head_end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = &buf[..head_end];
    let mut length = None;
    for line in head.split(|&b| b == b'\n') {
        let line = std::str::from_utf8(line).unwrap_or("");
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let total = head_end + length.expect("a Content-Length in every answer");
    if buf.len() < total {
        return None;
    }
    let body = &buf[head_end..total];
    assert!(
        head.starts_with(b"HTTP/1.1 200 ") && body.starts_with(success),
        "an answer that is not a success: {}",
        String::from_utf8_lossy(&buf[..total])
    );
    Some(total)
}

/// Drives `connections` keep-alive connections for `duration` after `warmup`, replaying
/// `requests` in turn; counts only the answers that arrive within the measured window.
fn drive(
    addr: &str,
    requests: &[Vec<u8>],
    success: &[u8],
    connections: usize,
    warmup: Duration,
    duration: Duration,
    server_pid: Option<u32>,
) -> Run {
    // SAFETY: epoll_create1 has no preconditions; the descriptor is closed below.
    let epoll = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
    assert!(epoll >= 0, "epoll_create1 failed");
    let mut conns: Vec<Conn> = (0..connections)
        .map(|i| {
            let stream = TcpStream::connect(addr).expect("connect to the sandbox");
            stream.set_nodelay(true).unwrap();
            stream.set_nonblocking(true).unwrap();
            let mut event = libc::epoll_event {
                events: libc::EPOLLIN as u32,
                u64: i as u64,
            };
            // SAFETY: both descriptors are open and `event` is a valid epoll_event.
            let rc = unsafe {
                libc::epoll_ctl(epoll, libc::EPOLL_CTL_ADD, stream.as_raw_fd(), &mut event)
            };
            assert_eq!(rc, 0, "epoll_ctl failed");
            Conn {
                stream,
                buf: Vec::with_capacity(4096),
                sent_at: Instant::now(),
                next: i * requests.len() / connections.max(1),
            }
        })
        .collect();

    let send = |c: &mut Conn| {
        let request = &requests[c.next % requests.len()];
        c.next += 1;
        c.sent_at = Instant::now();
        let mut written = 0;
        while written < request.len() {
            match (&c.stream).write(&request[written..]) {
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::yield_now(),
                Err(e) => panic!("write to the sandbox: {e}"),
            }
        }
    };
    for c in &mut conns {
        send(c);
    }

    let started = Instant::now();
    let measure_from = started + warmup;
    let end = measure_from + duration;
    let mut measuring = false;
    let (mut cpu0, mut server0) = (0.0, 0.0);
    let mut latencies: Vec<u32> = Vec::with_capacity(1 << 20);
    let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; connections.max(1)];
    let mut chunk = [0u8; 16 * 1024];
    let mut open = connections;
    let mut window_start = measure_from;
    while open > 0 {
        // SAFETY: `events` has room for `events.len()` entries.
        let n = unsafe { libc::epoll_wait(epoll, events.as_mut_ptr(), events.len() as i32, 1000) };
        if n < 0 {
            assert_eq!(
                std::io::Error::last_os_error().kind(),
                ErrorKind::Interrupted,
                "epoll_wait failed"
            );
            continue;
        }
        let now = Instant::now();
        if !measuring && now >= measure_from {
            measuring = true;
            window_start = now;
            latencies.clear();
            cpu0 = cpu_seconds(None);
            server0 = server_pid.map_or(0.0, |p| cpu_seconds(Some(p)));
        }
        for event in &events[..n as usize] {
            let c = &mut conns[event.u64 as usize];
            loop {
                match (&c.stream).read(&mut chunk) {
                    Ok(0) => panic!("the sandbox closed a keep-alive connection"),
                    Ok(k) => {
                        c.buf.extend_from_slice(&chunk[..k]);
                        if k < chunk.len() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(e) => panic!("read from the sandbox: {e}"),
                }
            }
            let Some(used) = response_len(&c.buf, success) else {
                continue;
            };
            assert_eq!(used, c.buf.len(), "an answer nobody asked for");
            c.buf.clear();
            let done = Instant::now();
            if done < end {
                if measuring {
                    let us = done.duration_since(c.sent_at).as_micros();
                    latencies.push(u32::try_from(us).unwrap_or(u32::MAX));
                }
                send(c);
            } else {
                open -= 1;
            }
        }
        if Instant::now() > end + Duration::from_secs(30) {
            panic!("the sandbox stopped answering");
        }
    }
    let seconds = end.duration_since(window_start).as_secs_f64();
    let generator_cpu = cpu_seconds(None) - cpu0;
    let server_cpu = server_pid.map_or(0.0, |p| cpu_seconds(Some(p))) - server0;
    // SAFETY: closing the descriptor made above.
    unsafe { libc::close(epoll) };
    latencies.sort_unstable();
    Run {
        requests: latencies.len() as u64,
        seconds,
        latencies_us: latencies,
        generator_cpu,
        server_cpu,
    }
}

/// A release sandbox as the other sandbox rows start it: quiet, time scale 1000.
fn start(bin: &Path) -> SandboxProcess {
    let args: Vec<String> = [
        "--listen",
        "127.0.0.1:0",
        "--no-log",
        "--time-scale",
        "1000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    SandboxProcess::start(bin, &args)
}

/// Measures `op` against one sandbox binary: `reps` runs, each on fresh connections.
fn measure(sb: &Server, op: Op, connections: usize, warmup: Duration, duration: Duration) -> Run {
    let host = sb
        .base_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let requests = op.presigned(&host, PRESIGNED);
    drive(
        &host,
        &requests,
        op.success(),
        connections,
        warmup,
        duration,
        sb.pid,
    )
}

/// The server under load: a sandbox started here, or one at `--base-url` (its process id,
/// for its CPU time, from `--server-pid`).
struct Server {
    base_url: String,
    pid: Option<u32>,
    _process: Option<SandboxProcess>,
}

impl Server {
    fn started(bin: &Path) -> Server {
        let process = start(bin);
        Server {
            base_url: process.base_url.clone(),
            pid: Some(process.child.id()),
            _process: Some(process),
        }
    }
}

fn describe(r: &Run) -> String {
    format!(
        "{:.0}/s, p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms, CPU per request: sandbox {:.1} µs, generator {:.1} µs",
        r.rate(),
        r.percentile_ms(0.5),
        r.percentile_ms(0.99),
        r.percentile_ms(1.0),
        r.server_cpu / r.requests.max(1) as f64 * 1e6,
        r.generator_cpu / r.requests.max(1) as f64 * 1e6,
    )
}

fn median_run(runs: &[Run]) -> &Run {
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| runs[a].rate().total_cmp(&runs[b].rate()));
    &runs[order[order.len() / 2]]
}

pub fn load(quick: bool) {
    let bin = arg("--sandbox-bin").map(PathBuf::from);
    let baseline_bin = arg("--baseline-bin").map(PathBuf::from);
    let connections = arg_usize("--connections").unwrap_or(64);
    let reps = arg_usize("--reps").unwrap_or(if quick { 1 } else { 5 });
    let seconds: f64 = arg("--seconds")
        .map(|s| s.parse().expect("--seconds takes a number"))
        .unwrap_or(if quick { 0.3 } else { 3.0 });
    let duration = Duration::from_secs_f64(seconds);
    let warmup = Duration::from_secs_f64(if quick { 0.1 } else { 0.5 });
    let ops: Vec<Op> = match arg("--op").as_deref() {
        None => vec![Op::DuoCallback, Op::Query],
        Some("duo_callback") => vec![Op::DuoCallback],
        Some("query") => vec![Op::Query],
        Some(other) => panic!("--op takes duo_callback or query, not {other:?}"),
    };

    let ours_sb = match (&bin, arg("--base-url")) {
        (Some(bin), _) => Server::started(bin),
        (None, Some(base_url)) => Server {
            base_url,
            pid: arg("--server-pid").map(|p| p.parse().expect("--server-pid takes a process id")),
            _process: None,
        },
        (None, None) => panic!("--sandbox-bin (a release yunhuni-sandbox) or --base-url"),
    };
    let base_sb = baseline_bin.as_deref().map(Server::started);
    for op in ops {
        // Alternate ours and the baseline, so that a disturbance on the machine hits both.
        let (mut ours, mut base) = (Vec::new(), Vec::new());
        for _ in 0..reps {
            if let Some(b) = &base_sb {
                base.push(measure(b, op, connections, warmup, duration));
            }
            ours.push(measure(&ours_sb, op, connections, warmup, duration));
        }
        let rates = |runs: &[Run]| runs.iter().map(Run::rate).collect::<Vec<f64>>();
        let (ours_rates, base_rates) = (rates(&ours), rates(&base));
        let (o, o_spread) = stats(&ours_rates);
        let (b, b_spread) = if base.is_empty() {
            (None, None)
        } else {
            let (m, s) = stats(&base_rates);
            (Some(m), Some(s))
        };
        let om = median_run(&ours);
        let p99s: Vec<f64> = ours.iter().map(|r| r.percentile_ms(0.99)).collect();
        let (p99, p99_spread) = stats(&p99s);
        let method = format!(
            "{connections} keep-alive connections, one request in flight on each, {seconds} s per run after {:.1} s of warm-up, \
             {reps} runs{}; {PRESIGNED} distinct requests signed up front; one generator thread on epoll; \
             sandbox: release, --no-log, --time-scale 1000",
            warmup.as_secs_f64(),
            if base.is_empty() { "" } else { " alternating with the baseline" },
        );
        let baseline_text = if base.is_empty() {
            String::new()
        } else {
            format!(
                "; baseline (the sandbox before, {}): {}",
                baseline_bin
                    .as_deref()
                    .map_or(String::new(), |p| p.display().to_string()),
                describe(median_run(&base))
            )
        };
        let (name, key, target) = match op {
            Op::DuoCallback => (
                "Sandbox under load: signed duo_callback requests/s at 64 connections (wrk-style)",
                "sandbox_requests_per_s",
                json!(2.0),
            ),
            Op::Query => (
                "Sandbox under load: signed GET management/subaccount/{id} requests/s at 64 connections",
                "sandbox_query_requests_per_s",
                json!("report"),
            ),
        };
        println!(
            "{}",
            json!({
                "name": name, "key": key, "ours": o, "baseline": b, "unit": "requests/s",
                "target": target, "ours_spread": o_spread, "baseline_spread": b_spread,
                "samples": ours.len(),
                "p50_ms": om.percentile_ms(0.5), "p99_ms": p99,
                "baseline_p99_ms": (!base.is_empty()).then(|| {
                    stats(&base.iter().map(|r| r.percentile_ms(0.99)).collect::<Vec<_>>()).0
                }),
                "note": format!("ours: {}{baseline_text}; {method}", describe(om)),
            })
        );
        if op == Op::DuoCallback {
            println!(
                "{}",
                json!({
                    "name": "Sandbox under load: p99 latency of duo_callback at 64 connections",
                    "key": "sandbox_requests_p99_ms", "ours": p99, "baseline": null, "unit": "ms",
                    "target": "report", "ours_spread": p99_spread, "samples": ours.len(),
                    "note": "the 99th percentile of every answered request's time from its write to its last byte, median of the runs",
                })
            );
        }
    }
}
