//! The binary against hostile servers and webhooks: no terminal escape sequence reaches the
//! terminal, errors say whether a call may have been placed, proxies and timeouts as asked,
//! and request logs on demand without secrets.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SECRET: &str = "secret-never-shown-0123456789";

/// The binary with none of the caller's settings: no credentials, proxies or log level.
fn yunhuni() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_yunhuni"));
    for var in [
        "YUNHUNI_APP_ID",
        "YUNHUNI_CERT_ID",
        "YUNHUNI_SECRET_KEY",
        "YUNHUNI_BASE_URL",
        "YUNHUNI_ACCOUNT_ID",
        "YUNHUNI_PROXY",
        "YUNHUNI_LOG",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
    ] {
        cmd.env_remove(var);
    }
    cmd.stdin(Stdio::null());
    cmd
}

/// The binary with credentials and the base URL `url`.
fn against(url: &str) -> Command {
    let mut cmd = yunhuni();
    cmd.env("YUNHUNI_APP_ID", "app-1")
        .env("YUNHUNI_CERT_ID", "cert-1")
        .env("YUNHUNI_SECRET_KEY", SECRET)
        .env("YUNHUNI_BASE_URL", url);
    cmd
}

/// Exit code, stdout and stderr, as bytes.
fn run(cmd: &mut Command) -> (i32, Vec<u8>, Vec<u8>) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("runs");
    (status.code().unwrap_or(-1), stdout, stderr)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Characters a terminal acts on: ESC, BEL, CSI (C1), and the other controls but line breaks.
fn terminal_controls(bytes: &[u8]) -> Vec<char> {
    text(bytes)
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect()
}

fn assert_no_escapes(what: &str, out: &[u8], err: &[u8]) {
    assert!(
        !out.contains(&0x1b) && !err.contains(&0x1b),
        "{what}: an ESC byte reached the terminal:\nstdout: {}\nstderr: {}",
        text(out).escape_debug(),
        text(err).escape_debug()
    );
    for (stream, bytes) in [("stdout", out), ("stderr", err)] {
        let controls = terminal_controls(bytes);
        assert!(
            controls.is_empty(),
            "{what}: control characters {controls:?} on {stream}: {}",
            text(bytes).escape_debug()
        );
    }
}

/// One request as a stub received it.
#[derive(Debug, Clone, Default)]
struct Recorded {
    /// The request line and headers.
    head: String,
    body: Vec<u8>,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_owned())
        })
    }
}

fn read_request(reader: &mut BufReader<&TcpStream>) -> Option<Recorded> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let mut request = Recorded {
        head,
        body: Vec::new(),
    };
    let length = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    request.body = vec![0; length];
    reader.read_exact(&mut request.body).ok()?;
    Some(request)
}

/// A loopback server that records each request and answers it with `reply`.
struct Stub {
    url: String,
    seen: Arc<Mutex<Vec<Recorded>>>,
}

impl Stub {
    fn start(reply: impl Fn(&TcpStream, &Recorded) + Send + Sync + 'static) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = seen.clone();
        let reply = Arc::new(reply);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (record, reply) = (record.clone(), reply.clone());
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut reader = BufReader::new(&stream);
                    if let Some(request) = read_request(&mut reader) {
                        record.lock().unwrap().push(request.clone());
                        reply(&stream, &request);
                    }
                });
            }
        });
        Stub { url, seen }
    }

    /// A stub answering every request with these bytes.
    fn answering(raw: Vec<u8>) -> Stub {
        Stub::start(move |mut s, _| {
            let _ = s.write_all(&raw);
        })
    }

    /// A stub answering HTTP 200 with this JSON envelope.
    fn envelope(json: &str) -> Stub {
        Stub::answering(response(200, json.as_bytes()))
    }

    fn seen(&self) -> Vec<Recorded> {
        self.seen.lock().unwrap().clone()
    }
}

fn response(status: u16, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json;charset=utf-8\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    [head.as_bytes(), body].concat()
}

fn json_of(bytes: &[u8]) -> Value {
    let text = text(bytes);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

const CALL: [&str; 7] = [
    "call",
    "--to1",
    "13800000001",
    "--to2",
    "13800000002",
    "--max-call-duration",
    "60",
];

/// Escape sequences as a hostile server writes them: clear the screen, set the window title,
/// ring the bell, a C1 CSI, a bidirectional override, a carriage return that hides text.
const NASTY: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m\u{202e}txt\rX";

#[test]
fn server_text_never_reaches_the_terminal_raw() {
    let nasty_json = serde_json::to_string(NASTY).unwrap();
    let nasty_field = format!("{NASTY}=1");
    // (what, answer, arguments, exit code)
    let cases: Vec<(&str, Vec<u8>, Vec<&str>, i32)> = vec![
        (
            "platform msg",
            response(
                200,
                format!(r#"{{"code":"000001","msg":{nasty_json},"data":null}}"#).as_bytes(),
            ),
            CALL.to_vec(),
            11,
        ),
        (
            "platform code",
            response(
                200,
                format!(r#"{{"code":{nasty_json},"msg":{nasty_json}}}"#).as_bytes(),
            ),
            CALL.to_vec(),
            11,
        ),
        (
            "HTTP error body",
            response(500, NASTY.as_bytes()),
            CALL.to_vec(),
            13,
        ),
        (
            "401 body",
            response(401, format!("HTTP Status 401 - {NASTY}").as_bytes()),
            CALL.to_vec(),
            12,
        ),
        (
            "not JSON",
            response(200, NASTY.as_bytes()),
            CALL.to_vec(),
            16,
        ),
        (
            "call id",
            response(
                200,
                format!(
                    r#"{{"code":"000000","data":{{"callId":{nasty_json},"user_data":{nasty_json}}}}}"#
                )
                .as_bytes(),
            ),
            CALL.to_vec(),
            0,
        ),
        (
            "cancelled id",
            response(200, br#"{"code":"000000","data":null}"#),
            vec!["cancel", NASTY],
            0,
        ),
        (
            "api data",
            response(
                200,
                format!(r#"{{"code":"000000","data":{{"name":{nasty_json},"list":[{nasty_json}]}}}}"#)
                    .as_bytes(),
            ),
            vec!["api", "conf_create", "max_duration=600"],
            0,
        ),
        (
            "api field name",
            response(200, br#"{"code":"000000","data":null}"#),
            vec!["api", "conf_create", &nasty_field],
            10,
        ),
    ];
    for (what, answer, args, want) in cases {
        let stub = Stub::answering(answer);
        for extra in [&[][..], &["--json"], &["--compact"], &["--verbose"]] {
            if extra == ["--compact"] && args[0] != "api" {
                continue;
            }
            let (code, out, err) = run(against(&stub.url).args(&args).args(extra));
            assert_eq!(code, want, "{what} {extra:?}: {}", text(&err));
            assert_no_escapes(&format!("{what} {extra:?}"), &out, &err);
            if extra == ["--json"] {
                // Still the server's text, only written safely.
                let v = json_of(&out);
                let shown = v.to_string();
                if want == 0 {
                    assert!(shown.contains("pwned"), "{what}: {shown}");
                } else {
                    assert!(v["error"]["message"].is_string(), "{what}: {shown}");
                }
                if what == "platform code" {
                    // A code the platform's table lacks gets no meaning to point at.
                    let hint = v["error"]["hint"].as_str().unwrap();
                    assert!(hint.contains("no such code"), "{hint}");
                }
            }
        }
    }
    // The C1 CSI and the override are escaped in JSON too, and the value reads back whole.
    let stub = Stub::answering(response(
        200,
        format!(r#"{{"code":"000000","data":{nasty_json}}}"#).as_bytes(),
    ));
    let (code, out, _) =
        run(against(&stub.url).args(["api", "conf_create", "max_duration=1", "--compact"]));
    assert_eq!(code, 0);
    let shown = text(&out);
    assert!(
        shown.contains("\\u009b") && shown.contains("\\u202e"),
        "{shown}"
    );
    assert_eq!(json_of(&out), Value::String(NASTY.to_owned()));
}

/// `yunhuni listen` on a free port, and the URL it prints.
fn listen(args: &[&str], log: bool) -> (Child, String, BufReader<std::process::ChildStderr>) {
    let mut cmd = yunhuni();
    if log {
        cmd.env("YUNHUNI_LOG", "debug");
    }
    let mut child = cmd
        .args(["listen", "--port", "0"])
        .args(args)
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
    (child, url, stderr)
}

#[test]
fn webhooks_never_reach_the_terminal_raw() {
    let nasty_json = serde_json::to_string(NASTY).unwrap();
    let bodies: Vec<Vec<u8>> = vec![
        format!(
            r#"{{"event":"duo_callback.end","id":{nasty_json},"user_data":{nasty_json},"error":{nasty_json},"hangup_by":"1","end_time":1490930460000}}"#
        )
        .into_bytes(),
        format!(r#"{{"event":"notify_call.end","id":{nasty_json},"user_data":{nasty_json},"error":{nasty_json}}}"#).into_bytes(),
        format!(r#"{{"event":{nasty_json},"id":{nasty_json},"x":{nasty_json}}}"#).into_bytes(),
        // Raw bytes: ESC, BEL, a C1 CSI in Latin-1 and in UTF-8, not JSON at all.
        [&b"\x1b[2J\x07\x9b31m"[..], "\u{9b}6n".as_bytes(), b"{"].concat(),
        format!("{{\"event\":\"duo_callback.end\",\"id\":\"{}\"}}", "\u{1b}[31m").into_bytes(),
    ];
    for (json, log) in [(false, false), (true, false), (false, true)] {
        let count = bodies.len().to_string();
        let mut args = vec!["--count", count.as_str()];
        if json {
            args.push("--json");
        }
        let (mut child, url, mut stderr) = listen(&args, log);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        for (i, body) in bodies.iter().enumerate() {
            let resp = agent
                .post(format!("{url}hook"))
                .header("Content-Type", "application/json;charset=utf-8")
                .send(&body[..])
                .unwrap();
            // The bodies that are not JSON (raw bytes; a raw ESC inside a string) are answered
            // 400, as core's receiver answers them.
            let want = if i >= 3 { 400 } else { 200 };
            assert_eq!(resp.status().as_u16(), want, "body {i}");
        }
        assert!(child.wait().unwrap().success());
        let mut out = Vec::new();
        child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
        let mut err = Vec::new();
        stderr.read_to_end(&mut err).unwrap();
        let what = format!("listen json={json} log={log}");
        assert_no_escapes(&what, &out, &err);
        let lines: Vec<&str> = std::str::from_utf8(&out).unwrap().lines().collect();
        assert_eq!(lines.len(), bodies.len(), "{what}: {}", text(&out));
        if json {
            for line in &lines {
                let v: Value = serde_json::from_str(line).unwrap();
                assert!(v["raw"].is_string(), "{line}");
            }
            let first: Value = serde_json::from_str(lines[0]).unwrap();
            assert_eq!(first["event"]["user_data"], NASTY, "the data stays whole");
        } else {
            assert!(lines[0].starts_with("duo_callback.end id="), "{}", lines[0]);
            assert!(lines[3].starts_with("unparseable body"), "{}", lines[3]);
        }
        if log {
            // Each parsed event is logged on stderr.
            let logged = text(&err);
            assert!(
                logged.contains("[yunhuni debug] event duo_callback.end"),
                "{logged}"
            );
        }
    }
}

#[test]
fn errors_say_whether_the_call_may_have_been_placed() {
    // The request arrives, then the connection breaks in the middle of the answer.
    let reset = Stub::start(|mut s, _| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"code\":\"00");
        let _ = s.flush();
        let _ = s.shutdown(Shutdown::Both);
    });
    // The request arrives and nothing comes back in time.
    let silent = Stub::start(|_, _| std::thread::sleep(Duration::from_secs(10)));
    let refused = format!(
        "http://127.0.0.1:{}",
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    // (what, base URL, extra arguments, exit code, maybe sent)
    let cases = [
        ("reset", reset.url.as_str(), &[][..], 15, true),
        (
            "timeout",
            silent.url.as_str(),
            &["--timeout", "0.5"][..],
            14,
            true,
        ),
        ("refused", refused.as_str(), &[][..], 15, false),
    ];
    for (what, url, extra, want, maybe_sent) in cases {
        let (code, _, err) = run(against(url).args(CALL).args(extra));
        let err = text(&err);
        assert_eq!(code, want, "{what}: {err}");
        let hint = err
            .lines()
            .find_map(|l| l.trim().strip_prefix("what to do: "))
            .unwrap_or_else(|| panic!("{what}: no hint in {err}"));
        if maybe_sent {
            for needle in [
                "may have been placed",
                "check its events",
                "yunhuni listen",
                "before retrying",
            ] {
                assert!(hint.contains(needle), "{what}: {needle:?} not in {hint}");
            }
            assert!(!hint.contains("retrying is safe"), "{what}: {hint}");
        } else {
            assert!(
                hint.contains("nothing was sent") && hint.contains("retrying is safe"),
                "{what}: {hint}"
            );
            assert!(!hint.contains("may have been placed"), "{what}: {hint}");
        }
        let (code, out, _) = run(against(url).args(CALL).args(extra).arg("--json"));
        assert_eq!(code, want);
        let v = json_of(&out);
        assert_eq!(v["error"]["maybe_sent"], maybe_sent, "{what}: {v}");
        assert_eq!(
            v["error"]["hint"]
                .as_str()
                .unwrap()
                .contains("may have been placed"),
            maybe_sent
        );
    }
    // The two servers did receive the calls: that is what the hint warns of.
    assert_eq!(reset.seen().len(), 2);
    assert_eq!(silent.seen().len(), 2);
}

/// A proxy that opens the tunnel asked for and answers the request inside it itself,
/// recording what went through.
fn tunnel_proxy() -> Stub {
    Stub::start(|s, connect| {
        assert!(connect.head.starts_with("CONNECT "), "{}", connect.head);
        let mut w = s;
        let _ = w.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
        let mut reader = BufReader::new(s);
        if read_request(&mut reader).is_some() {
            let _ = w.write_all(&response(
                200,
                br#"{"code":"000000","data":{"callId":"via-proxy"}}"#,
            ));
        }
    })
}

#[test]
fn proxy_flags_and_variables() {
    let unreachable = "http://api.invalid:8080";
    // --proxy, and YUNHUNI_PROXY for it, and the usual variables without either.
    for (how, flag, env) in [
        ("--proxy", true, None),
        ("YUNHUNI_PROXY", false, Some("YUNHUNI_PROXY")),
        ("HTTPS_PROXY", false, Some("HTTPS_PROXY")),
        ("HTTP_PROXY", false, Some("HTTP_PROXY")),
        ("https_proxy", false, Some("https_proxy")),
    ] {
        let proxy = tunnel_proxy();
        let mut cmd = against(unreachable);
        cmd.args(CALL);
        if flag {
            cmd.args(["--proxy", &proxy.url]);
        }
        if let Some(var) = env {
            cmd.env(var, &proxy.url);
        }
        let (code, out, err) = run(&mut cmd);
        assert_eq!(code, 0, "{how}: {}", text(&err));
        assert_eq!(text(&out).trim(), "via-proxy", "{how}");
        let seen = proxy.seen();
        assert_eq!(seen.len(), 1, "{how}");
        assert!(
            seen[0]
                .head
                .starts_with("CONNECT api.invalid:8080 HTTP/1.1"),
            "{how}: {}",
            seen[0].head
        );
    }
    // --no-proxy goes straight to the server, whatever the variables and --proxy say.
    let direct = Stub::envelope(r#"{"code":"000000","data":{"callId":"direct"}}"#);
    let dead = "http://127.0.0.1:9";
    let (code, out, err) = run(against(&direct.url)
        .args(CALL)
        .args(["--no-proxy", "--proxy", dead])
        .env("YUNHUNI_PROXY", dead)
        .env("HTTPS_PROXY", dead)
        .env("HTTP_PROXY", dead)
        .env("ALL_PROXY", dead));
    assert_eq!(code, 0, "{}", text(&err));
    assert_eq!(text(&out).trim(), "direct");
    assert_eq!(direct.seen().len(), 1);
    // Without --no-proxy the same variables are used: the dead proxy refuses, nothing is sent.
    let (code, _, err) = run(against(&direct.url).args(CALL).env("HTTP_PROXY", dead));
    assert_eq!(code, 15, "{}", text(&err));
    assert_eq!(direct.seen().len(), 1);
    // A proxy URL that is not one: validation, naming it, without its password.
    for args in [
        vec!["--proxy", "ftp://user:hunter2@proxy.example"],
        vec!["--proxy", "::not a url::"],
    ] {
        let (code, out, err) = run(against(&direct.url).args(CALL).args(&args).arg("--json"));
        assert_eq!(code, 10, "{args:?}: {}", text(&err));
        let v = json_of(&out);
        assert_eq!(v["error"]["field"], "proxy", "{v}");
        assert!(!v.to_string().contains("hunter2"), "{v}");
    }
    assert_eq!(direct.seen().len(), 1);
    // The help documents the flags with the variables; so does the README.
    let (_, out, _) = run(yunhuni().args(["call", "--help"]));
    let help = text(&out);
    for needle in [
        "--proxy",
        "--no-proxy",
        "YUNHUNI_PROXY",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "NO_PROXY",
    ] {
        assert!(help.contains(needle), "{needle} not in call --help");
    }
    let (_, out, _) = run(yunhuni().args(["api", "conf_create", "--help"]));
    assert!(text(&out).contains("--no-proxy"));
    let (_, out, _) = run(yunhuni().arg("--help"));
    let help = text(&out);
    for needle in ["HTTPS_PROXY", "HTTP_PROXY", "YUNHUNI_PROXY", "YUNHUNI_LOG"] {
        assert!(help.contains(needle), "{needle} not in --help");
    }
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let section = readme
        .split("## The command line")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .unwrap();
    for needle in [
        "--proxy",
        "--no-proxy",
        "YUNHUNI_PROXY",
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "YUNHUNI_LOG",
        "--timeout",
    ] {
        assert!(
            section.contains(needle),
            "{needle} not in the README's command-line section"
        );
    }
}

#[test]
fn timeouts_that_cannot_be_honoured_are_refused_before_sending() {
    let stub = Stub::envelope(r#"{"code":"000000","data":{"callId":"ok"}}"#);
    for bad in [
        "0", "-1", "-0", "nan", "inf", "-inf", "1e300", "86401", "86400.5", "1e-12",
    ] {
        let (code, out, err) = run(against(&stub.url)
            .args(CALL)
            .arg(format!("--timeout={bad}"))
            .arg("--json"));
        assert_eq!(code, 10, "--timeout {bad}: {}", text(&err));
        let v = json_of(&out);
        assert_eq!(v["error"]["field"], "timeout", "{bad}: {v}");
        assert_eq!(v["error"]["kind"], "validation");
    }
    let (code, _, err) =
        run(against(&stub.url).args(["api", "conf_create", "max_duration=60", "--timeout", "nan"]));
    assert_eq!(code, 10);
    assert!(text(&err).contains("timeout"), "{}", text(&err));
    assert!(stub.seen().is_empty(), "a refused timeout sent a request");
    // The longest one is taken, and the call goes out.
    for good in ["86400", "0.25"] {
        let (code, out, err) = run(against(&stub.url).args(CALL).args(["--timeout", good]));
        assert_eq!(code, 0, "{good}: {}", text(&err));
        assert_eq!(text(&out).trim(), "ok");
    }
    assert_eq!(stub.seen().len(), 2);
    // And it is the limit of the whole call.
    let silent = Stub::start(|_, _| std::thread::sleep(Duration::from_secs(20)));
    let started = Instant::now();
    let (code, _, _) = run(against(&silent.url).args(CALL).args(["--timeout", "0.4"]));
    assert_eq!(code, 14);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn request_logs_on_demand_without_secrets() {
    let stub = Stub::envelope(r#"{"code":"000000","data":{"confId":"c-1"}}"#);
    let args = ["api", "conf_create", "max_duration=600", "--compact"];
    // Off by default, and off when asked.
    for env in [None, Some("off"), Some("")] {
        let mut cmd = against(&stub.url);
        if let Some(level) = env {
            cmd.env("YUNHUNI_LOG", level);
        }
        let (code, out, err) = run(cmd.args(args));
        assert_eq!(code, 0, "{}", text(&err));
        assert_eq!(json_of(&out)["confId"], "c-1");
        assert!(err.is_empty(), "{env:?}: {}", text(&err));
    }
    // On with the variable (any case) or --verbose.
    for (env, verbose) in [
        (Some("debug"), false),
        (Some("DEBUG"), false),
        (Some("trace"), false),
        (None, true),
        (Some("warn"), true),
    ] {
        let mut cmd = against(&stub.url);
        if let Some(level) = env {
            cmd.env("YUNHUNI_LOG", level);
        }
        if verbose {
            cmd.arg("--verbose");
        }
        let before = stub.seen().len();
        let (code, out, err) = run(cmd.args(args));
        assert_eq!(code, 0, "{}", text(&err));
        assert_eq!(json_of(&out)["confId"], "c-1", "stdout keeps only the data");
        let seen = stub.seen();
        assert_eq!(seen.len(), before + 1);
        let signature = seen[before].header("signature").expect("signed");
        let err = text(&err);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{env:?} {verbose}: {err}");
        assert!(
            lines[0].starts_with("[yunhuni debug] POST conf/create -> 200 000000 in "),
            "{err}"
        );
        assert!(!err.contains(SECRET), "the secret key in the log: {err}");
        assert!(!err.contains(&signature), "the signature in the log: {err}");
    }
    // A failing request is logged too, with its code.
    let refusing = Stub::envelope(r#"{"code":"010003","msg":"x"}"#);
    let (code, _, err) =
        run(against(&refusing.url).args(["api", "conf_create", "max_duration=600", "--verbose"]));
    assert_eq!(code, 11);
    assert!(
        text(&err).contains("POST conf/create -> 200 010003 (api error)"),
        "{}",
        text(&err)
    );
    // A value that is not a level is named, and logging stays off.
    let (code, _, err) = run(against(&stub.url)
        .env("YUNHUNI_LOG", "loud\u{1b}[2J")
        .args(args));
    assert_eq!(code, 0);
    let err_text = text(&err);
    assert!(
        err_text.contains("YUNHUNI_LOG=loud\\u{1b}[2J is not one of"),
        "{err_text}"
    );
    assert!(!err_text.contains("POST"), "{err_text}");
    assert_no_escapes("bad YUNHUNI_LOG", b"", &err);
}

#[test]
fn usage_errors_escape_the_arguments() {
    let (code, out, err) = run(yunhuni().args(["call", "--to1", "1", &format!("--{NASTY}")]));
    assert_eq!(code, 2, "{}", text(&err));
    assert_no_escapes("usage error", &out, &err);
    // What clap leaves of the argument is shown escaped.
    assert!(text(&err).contains("\\u{9b}31m"), "{}", text(&err));
    let (code, out, err) = run(yunhuni().arg(NASTY));
    assert_eq!(code, 2);
    assert_no_escapes("unknown command", &out, &err);
}
