//! `yunhuni listen` as a process: bounded in memory under hostile POSTs, no raw control
//! character on the terminal, the URL token, and duplicates shared through Redis by two
//! listeners.

#[path = "../../core/tests/redis_server/mod.rs"]
mod redis_server;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};

/// A running `yunhuni listen`, its URL, and its stdout read as it comes (so that a full pipe
/// never blocks it).
struct Listener {
    child: Child,
    stdout: Option<std::thread::JoinHandle<Vec<u8>>>,
}

fn listen(args: &[&str]) -> (Listener, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yunhuni"))
        .args(["listen", "--port", "0"])
        .args(args)
        .env_remove("YUNHUNI_WEBHOOK_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_owned();
    // The rest of stderr is drained so that the child never blocks on it.
    std::thread::spawn(move || {
        let mut rest = Vec::new();
        let _ = stderr.read_to_end(&mut rest);
        assert!(!rest.contains(&0x1b), "raw ESC on stderr");
    });
    let mut out = child.stdout.take().unwrap();
    let stdout = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = out.read_to_end(&mut all);
        all
    });
    (
        Listener {
            child,
            stdout: Some(stdout),
        },
        url,
    )
}

impl Drop for Listener {
    fn drop(&mut self) {
        // A test that failed midway leaves no process behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn post(agent: &ureq::Agent, url: &str, body: &[u8]) -> u16 {
    agent
        .post(url)
        .header("Content-Type", "application/json;charset=utf-8")
        .send(body)
        .unwrap()
        .status()
        .as_u16()
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Everything it printed, once it exited by itself (`--count`).
fn stdout_of(mut l: Listener) -> Vec<u8> {
    assert!(l.child.wait().unwrap().success());
    l.stdout.take().unwrap().join().unwrap()
}

/// No byte a terminal acts on: ESC, BEL, other C0 controls but the line feed, and C1 controls
/// (encoded in UTF-8).
fn assert_clean(out: &[u8]) {
    for (i, &b) in out.iter().enumerate() {
        assert!(
            b == b'\n' || b >= 0x20 && b != 0x7f,
            "control byte {b:#x} at {i}"
        );
    }
    let text = String::from_utf8(out.to_vec()).expect("UTF-8 output");
    assert!(
        !text
            .chars()
            .any(|c| c != '\n' && yunhuni::is_unsafe_char(c)),
        "unsafe character in the output"
    );
}

#[test]
fn hostile_posts_do_not_grow_it_and_never_reach_the_terminal() {
    let total = 100;
    // One delivery more than the hostile ones: it exits after the last, once measured.
    let (child, url) = listen(&["--count", &(total + 1).to_string()]);
    let pid = child.child.id();
    let agent = agent();
    // Distinct bodies of 900 KB that are not events, full of terminal escapes.
    let body = |i: usize| {
        let mut b = format!("\u{1b}]0;pwned {i}\u{7}\u{1b}[2J\u{9b}6n").into_bytes();
        b.extend(std::iter::repeat_n(b"\x1b[31m\x07"[i % 6], 900_000));
        b.extend_from_slice(format!("{i}").as_bytes());
        b
    };
    for i in 0..10 {
        assert_eq!(post(&agent, &format!("{url}hook"), &body(i)), 400);
    }
    let warm = rss_kib(pid);
    for i in 10..total {
        assert_eq!(post(&agent, &format!("{url}hook"), &body(i)), 400);
    }
    let after = rss_kib(pid);
    // 90 more bodies of 900 KB (81 MB) posted; kept, they would show here.
    assert!(
        after < warm + 20 * 1024,
        "grew from {warm} KiB to {after} KiB"
    );
    let last = br#"{"event":"conf.end","id":"last"}"#;
    assert_eq!(post(&agent, &format!("{url}hook"), last), 200);
    let out = stdout_of(child);
    assert_clean(&out);
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), total + 1, "one line each");
    assert!(text
        .lines()
        .take(total)
        .all(|l| l.starts_with("unparseable body")));
    assert!(text.lines().all(|l| l.len() < 2000), "lines are cut");
}

#[test]
fn distinct_events_are_remembered_within_the_capacity() {
    let (child, url) = listen(&["--count", "8", "--capacity", "2"]);
    let agent = agent();
    let event = |id: &str| format!(r#"{{"event":"conf.end","id":"{id}"}}"#).into_bytes();
    for id in ["a", "a", "b", "c", "a", "c", "\\u001b[2J", "\\u001b[2J"] {
        assert_eq!(post(&agent, &format!("{url}hook"), &event(id)), 200);
    }
    let out = stdout_of(child);
    assert_clean(&out);
    let dup: Vec<bool> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| l.ends_with("[duplicate]"))
        .collect();
    // "a" was forgotten once "b" and "c" filled the two places.
    assert_eq!(
        dup,
        [false, true, false, false, false, true, false, true],
        "duplicates"
    );
}

#[test]
fn the_url_token_is_required() {
    let (child, url) = listen(&["--count", "4", "--token", "s3cret"]);
    let agent = agent();
    let event = br#"{"event":"conf.end","id":"c1"}"#;
    assert_eq!(post(&agent, &format!("{url}hook"), event), 401);
    assert_eq!(post(&agent, &format!("{url}hook?token=s3cre"), event), 403);
    assert_eq!(
        post(
            &agent,
            &format!("{url}hook?token=s3cret"),
            b"\x1b[2J not json"
        ),
        400
    );
    assert_eq!(post(&agent, &format!("{url}hook?token=s3cret"), event), 200);
    let out = stdout_of(child);
    assert_clean(&out);
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("refused (401): token:"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("refused (403): token:"),
        "{}",
        lines[1]
    );
    assert!(!text.contains("s3cret"), "the token is not printed: {text}");
    assert!(lines[2].starts_with("unparseable body"), "{}", lines[2]);
    assert!(lines[3].starts_with("conf.end"), "{}", lines[3]);
}

#[test]
fn two_listeners_share_duplicates_through_redis() {
    let redis = redis_server::RedisServer::start();
    let (a, url_a) = listen(&["--count", "2", "--json", "--redis", &redis.url()]);
    let (b, url_b) = listen(&["--count", "1", "--json", "--redis", &redis.url()]);
    let agent = agent();
    let event =
        br#"{"action":"event_notify","event":"duo_callback.end","id":"r1","hangup_by":"1"}"#;
    assert_eq!(post(&agent, &format!("{url_a}hook"), event), 200);
    assert_eq!(post(&agent, &format!("{url_b}hook"), event), 200);
    assert_eq!(
        post(
            &agent,
            &format!("{url_a}hook"),
            br#"{"event":"conf.end","id":"r2"}"#
        ),
        200
    );
    let lines = |out: Vec<u8>| -> Vec<serde_json::Value> {
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    let a = lines(stdout_of(a));
    let b = lines(stdout_of(b));
    assert_eq!(a[0]["duplicate"], false);
    assert_eq!(
        b[0]["duplicate"], true,
        "the second listener saw it in Redis"
    );
    assert_eq!(a[0]["key"], b[0]["key"]);
    assert_eq!(a[1]["duplicate"], false);

    // A listener whose Redis URL is not one says so and exits.
    let out = Command::new(env!("CARGO_BIN_EXE_yunhuni"))
        .args(["listen", "--port", "0", "--redis", "http://\u{1b}[2J"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(10));
    assert_clean(&out.stderr);
    assert!(String::from_utf8_lossy(&out.stderr).contains("url"));
}
