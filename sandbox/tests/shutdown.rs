//! Clean shutdown: the port is released, connections are closed, every thread is joined.
//! Alone in its test binary so that the thread count is not disturbed by other tests.

mod common;

use common::*;
use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};
use yunhuni_sandbox::Sandbox;

/// Threads of this process whose name starts with `sandbox-`.
fn sandbox_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .map(|tasks| {
            tasks
                .filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok())
                .filter(|name| name.starts_with("sandbox-"))
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn shutdown_releases_everything() {
    let listener = Listener::ok();
    let sb = Sandbox::builder()
        .time_scale(10.0)
        .callback_url(listener.url())
        .start()
        .unwrap();
    let addr = sb.local_addr();
    let creds = Creds::of(&sb);
    // A running call, an idle keep-alive connection, and a request blocked in a wait.
    let id = place(
        addr,
        &creds,
        "duo_callback",
        r#"{"to1":"13900000005","to2":"13800000002","max_call_duration":600}"#,
    );
    let mut idle = Conn::open(addr);
    assert_eq!(idle.send("GET", "/sandbox/health", &[], b"").status, 200);
    let waiter = std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        std::io::Write::write_all(
            &mut s,
            format!("GET /sandbox/calls/{id}/wait?timeout_ms=600000 HTTP/1.1\r\nHost: x\r\n\r\n")
                .as_bytes(),
        )
        .unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        out
    });
    std::thread::sleep(Duration::from_millis(100));
    assert!(sandbox_threads() >= 7, "{} threads", sandbox_threads());

    let start = Instant::now();
    sb.shutdown();
    let took = start.elapsed();
    println!("shutdown took {took:?}");
    assert!(took < Duration::from_secs(5));
    assert_eq!(sandbox_threads(), 0, "every sandbox thread is joined");
    // The port is free again, the idle connection is closed, the waiter got an answer or EOF.
    TcpListener::bind(addr).expect("port released");
    let mut rest = Vec::new();
    assert_eq!(idle.read_rest(&mut rest), 0, "idle connection closed");
    assert!(
        TcpStream::connect(addr).is_err(),
        "nothing listens any more"
    );
    waiter.join().unwrap();
    sb.shutdown(); // idempotent

    // Dropping a sandbox shuts it down too.
    let sb = Sandbox::builder().start().unwrap();
    let addr = sb.local_addr();
    // A new thread names itself once it runs, so give the threads a moment to appear.
    let appeared = Instant::now();
    while sandbox_threads() == 0 && appeared.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(sandbox_threads() > 0);
    drop(sb);
    assert_eq!(sandbox_threads(), 0);
    TcpListener::bind(addr).expect("port released after drop");
}
