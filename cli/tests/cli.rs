//! The built `yunhuni` binary, run as a process.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use yunhuni_sandbox::Sandbox;

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
    ] {
        cmd.env_remove(var);
    }
    cmd.stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn json_of(stdout: &str) -> Value {
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

fn with_sandbox_env<'a>(cmd: &'a mut Command, sb: &Sandbox) -> &'a mut Command {
    cmd.env("YUNHUNI_APP_ID", sb.app_id())
        .env("YUNHUNI_CERT_ID", sb.cert_id())
        .env("YUNHUNI_SECRET_KEY", sb.secret_key())
        .env("YUNHUNI_BASE_URL", sb.base_url())
}

#[test]
fn demo_shows_every_scenario() {
    for (scenario, outcome, hangup_by) in [
        ("connected", "connected", 2),
        ("busy", "party1_not_reached", 0),
        ("no-answer", "party1_not_reached", 0),
        ("party2-busy", "party2_not_reached", 0),
        ("timeout", "max_duration_reached", 0),
        ("cancel", "party2_not_reached", 0),
    ] {
        let (code, out, err) = run(yunhuni().args([
            "demo",
            "--json",
            "--time-scale",
            "100",
            "--scenario",
            scenario,
        ]));
        assert_eq!(code, 0, "{scenario}: {err}");
        let v = json_of(&out);
        assert_eq!(v["event"]["outcome"], outcome, "{scenario}: {out}");
        assert_eq!(v["event"]["hangup_by"], hangup_by, "{scenario}");
        assert_eq!(v["event"]["user_data"], "demo-order-42");
        assert!(
            v["timeline"].as_array().unwrap().len() >= 2,
            "{scenario}: {out}"
        );
        assert!(v["raw"]
            .as_str()
            .unwrap()
            .contains("\"action\":\"event_notify\""));
    }
}

#[test]
fn demo_plain_output_tells_the_story_without_escape_codes() {
    let (code, out, err) = run(yunhuni().args(["demo", "--time-scale", "100"]));
    assert_eq!(code, 0, "{err}");
    for needle in [
        "dialing party 1",
        "party 1 answered",
        "dialing party 2",
        "connected",
        "hung up",
        "outcome      connected",
        "talk time    5 s",
        "hung up by   party 2",
        "raw body",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert!(
        !out.contains('\x1b') && !err.contains('\x1b'),
        "escape codes in piped output"
    );
}

#[test]
fn call_and_cancel_against_a_sandbox() {
    let sb = Sandbox::builder()
        .time_scale(100.0)
        .log(false)
        .start()
        .unwrap();
    sb.set_behavior("13800000002", yunhuni_sandbox::Behavior::no_answer());
    let (code, out, err) = run(with_sandbox_env(&mut yunhuni(), &sb).args([
        "call",
        "--to1",
        "13800000001",
        "--to2",
        "13800000002",
        "--max-call-duration",
        "60",
        "--max-dial-duration",
        "300",
        "--user-data",
        "cli-1",
        "--ring-tone-mode",
        "0",
        "--record-mode",
        "0",
        "--recording",
        "false",
        "--from1",
        "075500000001",
        "--from2",
        "075500000002",
    ]));
    assert_eq!(code, 0, "{err}");
    let id = out.trim().to_owned();
    assert_eq!(id.len(), 32, "{out}");
    let info = sb.call(&id).expect("the sandbox knows the call");
    assert_eq!(info.user_data.as_deref(), Some("cli-1"));
    // Party 2 never answers, so the call can be cancelled while it rings.
    for _ in 0..500 {
        if sb.call(&id).unwrap().state == yunhuni_sandbox::CallState::Dialing2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let (code, out, err) =
        run(with_sandbox_env(&mut yunhuni(), &sb).args(["cancel", &id, "--json"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json_of(&out)["cancelled"], id.as_str());
    let end = sb
        .wait_for_end(&id, Duration::from_secs(10))
        .expect("end event after cancel");
    assert!(String::from_utf8_lossy(&end.body).contains("\"hangup_by\":\"0\""));

    // A second cancel: the platform says the call does not exist.
    let (code, _, err) = run(with_sandbox_env(&mut yunhuni(), &sb).args(["cancel", &id]));
    assert_eq!(code, 11, "{err}");
    assert!(
        err.contains("020000") && err.contains("呼叫不存在") && err.contains("what to do"),
        "{err}"
    );
}

#[test]
fn notify_and_verify_against_a_sandbox() {
    let sb = Sandbox::builder()
        .time_scale(100.0)
        .log(false)
        .start()
        .unwrap();
    let (code, out, err) = run(with_sandbox_env(&mut yunhuni(), &sb).args([
        "notify",
        "--to",
        "13800000001",
        "--play",
        "file:hello.wav",
        "--play",
        "amount:3245.24",
        "--play",
        "4:2020-05-09",
        "--repeat",
        "0",
        "--user-data",
        "n",
        "--json",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(json_of(&out)["user_data"], "n");
    let (code, out, err) = run(with_sandbox_env(&mut yunhuni(), &sb).args([
        "verify",
        "--to",
        "13800000001",
        "--verify-code",
        "759345",
    ]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim().len(), 32);
    let (code, _, err) =
        run(with_sandbox_env(&mut yunhuni(), &sb)
            .args(["notify", "--to", "1", "--play", "weird:x"]));
    assert_eq!(code, 10, "{err}");
    assert!(err.contains("play[0]"), "{err}");
}

#[test]
fn listen_prints_events_and_marks_duplicates() {
    let mut child = yunhuni()
        .args(["listen", "--port", "0", "--count", "3", "--json"])
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
        .expect("prints its URL")
        .to_owned();
    let body = br#"{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","answer_time2":1490930420000,"user_data":"??-42","event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}"#;
    let agent = ureq::Agent::new_with_defaults();
    for payload in [
        &body[..],
        &body[..],
        b"{\"event\":\"conf.end\",\"id\":\"c1\"}",
    ] {
        let resp = agent
            .post(format!("{url}hook?token=abc"))
            .header("Content-Type", "application/json;charset=utf-8")
            .send(payload)
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
    }
    let status = child.wait().unwrap();
    assert!(status.success());
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert_eq!(lines[0]["event"]["outcome"], "connected");
    assert_eq!(lines[0]["duplicate"], false);
    assert_eq!(lines[1]["duplicate"], true);
    assert_eq!(lines[2]["event"]["event"], "conf.end");
    assert_eq!(lines[2]["duplicate"], false);
}

#[test]
fn listen_plain_line() {
    let mut child = yunhuni()
        .args(["listen", "--port", "0", "--count", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_owned();
    ureq::post(&url).send(&b"{\"event\":\"duo_callback.end\",\"id\":\"x\",\"hangup_by\":\"0\",\"error\":\"????\"}"[..]).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("duo_callback.end id=x outcome=platform_failure"),
        "{text}"
    );
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn sign_matches_every_vector() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/signing.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let dir = std::env::temp_dir().join(format!("yunhuni-cli-sign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for case in doc["cases"].as_array().unwrap() {
        let s = |k: &str| case[k].as_str().unwrap().to_owned();
        let body_file = dir.join("body");
        std::fs::write(&body_file, hex_decode(&s("body_hex"))).unwrap();
        let (code, out, err) = run(yunhuni().args([
            "sign",
            "--json",
            "--method",
            &s("method"),
            "--uri",
            &s("uri"),
            "--timestamp",
            &s("timestamp"),
            "--app-id",
            &s("app_id"),
            "--secret-key",
            &s("secret_key"),
            "--content-type",
            &s("content_type"),
            "--body-file",
            body_file.to_str().unwrap(),
        ]));
        assert_eq!(code, 0, "{}: {err}", s("name"));
        let v = json_of(&out);
        assert_eq!(v["string_to_sign"], s("string_to_sign"), "{}", s("name"));
        assert_eq!(v["signature"], s("signature"), "{}", s("name"));
    }
    // Plain output shows the signature on its own line.
    let (code, out, _) = run(yunhuni().args([
        "sign",
        "--app-id",
        "a",
        "--secret-key",
        "k",
        "--uri",
        "/x",
        "--timestamp",
        "20170301120000",
    ]));
    assert_eq!(code, 0);
    assert!(
        out.lines()
            .any(|l| l.starts_with("signature: ") && l.len() == "signature: ".len() + 44),
        "{out}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A listener answering every connection with `raw` (or never, when `raw` is empty).
fn fake_server(raw: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 8192];
                let _ = stream.set_read_timeout(Some(Duration::from_millis(300)));
                let _ = stream.read(&mut buf);
                if raw.is_empty() {
                    std::thread::sleep(Duration::from_secs(20));
                } else {
                    let _ = stream.write_all(raw);
                }
            });
        }
    });
    url
}

#[test]
fn errors_have_distinct_exit_codes_and_hints() {
    let sb = Sandbox::builder().log(false).start().unwrap();
    let call = [
        "call",
        "--to1",
        "13800000001",
        "--to2",
        "13800000002",
        "--max-call-duration",
        "60",
    ];
    let closed_port = format!(
        "http://127.0.0.1:{}",
        TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
    );
    // (credentials of the sandbox?, extra environment, arguments, exit code, text in the error)
    type Case<'a> = (bool, Vec<(&'a str, String)>, Vec<&'a str>, i32, &'a str);
    let cases: Vec<Case> = vec![
        (false, vec![], call.to_vec(), 10, "YUNHUNI_APP_ID"),
        (
            true,
            vec![("YUNHUNI_SECRET_KEY", "wrong".into())],
            call.to_vec(),
            12,
            "Bad credentials",
        ),
        (
            true,
            vec![],
            vec![
                "call",
                "--to1",
                "1",
                "--to2",
                "1",
                "--max-call-duration",
                "60",
            ],
            10,
            "to2",
        ),
        (
            true,
            vec![],
            vec![
                "call",
                "--to1",
                "1",
                "--to2",
                "2",
                "--max-call-duration",
                "0",
            ],
            10,
            "max_call_duration",
        ),
        (
            true,
            vec![(
                "YUNHUNI_BASE_URL",
                fake_server(b"HTTP/1.1 500 Oops\r\nContent-Length: 9\r\n\r\n<h1>x</h1"),
            )],
            call.to_vec(),
            13,
            "500",
        ),
        (
            true,
            vec![(
                "YUNHUNI_BASE_URL",
                fake_server(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\njunk"),
            )],
            call.to_vec(),
            16,
            "could not be read as JSON",
        ),
        (
            true,
            vec![("YUNHUNI_BASE_URL", fake_server(b""))],
            [&call[..], &["--timeout", "0.5"]].concat(),
            14,
            "timed out",
        ),
        (
            true,
            vec![("YUNHUNI_BASE_URL", closed_port)],
            call.to_vec(),
            15,
            "could not connect",
        ),
    ];
    for (with_credentials, env, args, want, needle) in cases {
        let command = |json: bool| {
            let mut cmd = yunhuni();
            if with_credentials {
                with_sandbox_env(&mut cmd, &sb);
            }
            cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())))
                .args(&args);
            if json {
                cmd.arg("--json");
            }
            cmd
        };
        let (code, _, err) = run(&mut command(false));
        assert_eq!(code, want, "{args:?} {env:?}: {err}");
        assert!(
            err.contains(needle) && err.contains("what to do"),
            "{args:?}: {err}"
        );
        assert!(!err.contains(sb.secret_key()), "secret in error output");
        // The same error as JSON on stdout.
        let (code, out, _) = run(&mut command(true));
        assert_eq!(code, want);
        let v = json_of(&out);
        assert!(
            v["error"]["kind"].is_string() && v["error"]["hint"].is_string(),
            "{out}"
        );
    }
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for sub in [
        "demo", "call", "cancel", "notify", "verify", "api", "listen", "sandbox", "sign",
    ] {
        let (code, out, _) = run(yunhuni().args([sub, "--help"]));
        assert_eq!(code, 0, "{sub}");
        assert!(
            out.contains("Example"),
            "{sub} --help has no example:\n{out}"
        );
    }
    let (_, out, _) = run(yunhuni().arg("--help"));
    assert!(out.contains("Exit codes"));
    // The secret's environment value is never shown in help.
    let (_, out, _) = run(yunhuni()
        .args(["call", "--help"])
        .env("YUNHUNI_SECRET_KEY", "do-not-show-me"));
    assert!(!out.contains("do-not-show-me"));
}

#[test]
fn sandbox_subcommand_serves_and_prints_credentials() {
    let mut child = yunhuni()
        .args(["sandbox", "--listen", "127.0.0.1:0", "--no-log"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut banner = String::new();
    let mut base = None;
    for _ in 0..30 {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(url) = line.trim().strip_prefix("export YUNHUNI_BASE_URL=") {
            base = Some(url.to_owned());
        }
        banner.push_str(&line);
        if line.contains("YUNHUNI_SECRET_KEY") {
            break;
        }
    }
    let base = base.unwrap_or_else(|| panic!("no base URL in:\n{banner}"));
    let (code, out, err) = run(yunhuni()
        .env("YUNHUNI_BASE_URL", &base)
        .env("YUNHUNI_APP_ID", yunhuni_sandbox::DEV_APP_ID)
        .env("YUNHUNI_CERT_ID", yunhuni_sandbox::DEV_CERT_ID)
        .env("YUNHUNI_SECRET_KEY", yunhuni_sandbox::DEV_SECRET_KEY)
        .args([
            "call",
            "--to1",
            "13800000001",
            "--to2",
            "13800000002",
            "--max-call-duration",
            "60",
        ]));
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim().len(), 32);
    let _ = TcpStream::connect(base.trim_start_matches("http://")).is_err();
}

#[test]
fn sandbox_subcommand_json_banner() {
    let mut child = yunhuni()
        .args(["sandbox", "--listen", "127.0.0.1:0", "--no-log", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let v = json_of(&line);
    assert!(
        v["base_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:"),
        "{line}"
    );
    assert_eq!(v["app_id"], yunhuni_sandbox::DEV_APP_ID);
    assert_eq!(v["secret_key"], yunhuni_sandbox::DEV_SECRET_KEY);
}

/// One request as the recording stub received it.
#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    /// The request target: path and query string.
    target: String,
    body: Vec<u8>,
}

/// A stand-in for the platform that records each request and answers `data`.
struct RecordingStub {
    url: String,
    seen: std::sync::Arc<std::sync::Mutex<Vec<Recorded>>>,
}

impl RecordingStub {
    fn start(data: &str) -> RecordingStub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let answer = format!(r#"{{"code":"000000","msg":"ok","data":{data}}}"#);
        let record = seen.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if let Some(request) = read_http_request(&stream) {
                    record.lock().unwrap().push(request);
                }
                let mut stream = stream;
                let _ = write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=utf-8\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{answer}",
                    answer.len()
                );
            }
        });
        RecordingStub { url, seen }
    }

    /// The requests received since the last call.
    fn take(&self) -> Vec<Recorded> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }

    fn command(&self) -> Command {
        let mut cmd = yunhuni();
        cmd.env("YUNHUNI_APP_ID", "app-1")
            .env("YUNHUNI_CERT_ID", "cert-1")
            .env("YUNHUNI_SECRET_KEY", "secret-1")
            .env("YUNHUNI_BASE_URL", &self.url);
        cmd
    }
}

fn read_http_request(stream: &TcpStream) -> Option<Recorded> {
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let target = parts.next()?.to_owned();
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some(Recorded {
        method,
        target,
        body,
    })
}

const API_ROOT: &str = "/v1/account/cert-1/";

#[test]
fn api_list_shows_every_operation_by_family() {
    assert_eq!(yunhuni::ops::OPERATIONS.len(), 73);
    let (code, out, err) = run(yunhuni().args(["api", "--list", "--json"]));
    assert_eq!(code, 0, "{err}");
    let listed = json_of(&out);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 73, "{out}");
    for (entry, op) in listed.iter().zip(yunhuni::ops::OPERATIONS) {
        assert_eq!(entry["name"], op.name);
        assert_eq!(entry["method"], op.method.as_str());
        assert_eq!(entry["path"], op.path);
        assert_eq!(entry["family"], op.family);
    }
    let (code, out, _) = run(yunhuni().args(["api", "--list"]));
    assert_eq!(code, 0);
    assert!(out.contains("73 operations"), "{out}");
    for op in yunhuni::ops::OPERATIONS {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(op.name))
            .unwrap_or_else(|| panic!("{} not listed:\n{out}", op.name));
        assert!(
            line.contains(op.method.as_str()) && line.contains(op.path),
            "{line}"
        );
        assert!(
            out.contains(&format!("\n{} (", op.family)) || out.starts_with(op.family),
            "family {} has no heading",
            op.family
        );
    }
}

/// White space collapsed, so that text wrapped by the help printer can be searched.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn api_help_of_each_operation_shows_its_declared_fields() {
    for op in yunhuni::ops::OPERATIONS {
        let (code, out, err) = run(yunhuni().args(["api", op.name, "--help"]));
        assert_eq!(code, 0, "{}: {err}", op.name);
        let help = squeeze(&out);
        assert!(
            help.contains(&squeeze(op.doc)),
            "{}: no doc:\n{out}",
            op.name
        );
        assert!(
            help.contains(&format!("{} {}", op.method.as_str(), op.path)),
            "{}: no method and path:\n{out}",
            op.name
        );
        for f in op.fields {
            let required = if f.required { "required" } else { "optional" };
            let facts = format!("{}=<", f.name);
            let at = help
                .find(&facts)
                .unwrap_or_else(|| panic!("{}: field {} missing:\n{out}", op.name, f.name));
            let rest = &help[at..];
            assert!(
                rest.contains(&format!("{}, {required}", f.ty.describe())),
                "{}.{}: type or required missing:\n{out}",
                op.name,
                f.name
            );
            assert!(
                rest.contains(&squeeze(f.doc)),
                "{}.{}: doc missing:\n{out}",
                op.name,
                f.name
            );
        }
    }
    // A field's rules appear in words.
    let (_, out, _) = run(yunhuni().args(["api", "conf_create", "--help"]));
    assert!(
        squeeze(&out).contains("max_duration=<INTEGER> integer, required, 1-21600"),
        "{out}"
    );
    // The alias names the same operation.
    let (code, out, _) = run(yunhuni().args(["api", "cancel_duo_callback", "--help"]));
    assert_eq!(code, 0);
    assert!(out.contains("call_id=<TEXT>"), "{out}");
}

#[test]
fn api_sends_each_method_path_query_and_body() {
    let stub = RecordingStub::start(r#"{"confId":"c-1","名":"会议"}"#);
    // (arguments, method, target after the account root, body)
    let cases: [(&[&str], &str, &str, Option<&str>); 6] = [
        (
            &[
                "conf_create",
                "max_duration=600",
                "recording=true",
                "max_parts=5",
            ],
            "POST",
            "conf/create",
            Some(r#"{"max_duration":600,"max_parts":5,"recording":true}"#),
        ),
        (
            &["conf_start_play", "conf_id=3f 2a", "files=a.wav,b.wav"],
            "POST",
            "conf/start_play/3f%202a",
            Some(r#"{"files":["a.wav","b.wav"]}"#),
        ),
        (
            &["ext_list", "page_size=50", "page_no=2"],
            "GET",
            "callcenter/extension?pageNo=2&pageSize=50",
            None,
        ),
        (
            &["ext_delete", "extension_id=e1"],
            "DELETE",
            "callcenter/extension/e1",
            None,
        ),
        (
            &["subaccount_update", "subaccount_id=s1", "enabled=0"],
            "PUT",
            "management/subaccount/s1",
            Some(r#"{"enabled":0}"#),
        ),
        (
            &[
                "agent_set_skills",
                "agent_name=alice",
                r#"opts=[{"opt":1,"name":"sales","score":5}]"#,
            ],
            "POST",
            "callcenter/agent/alice/skills",
            Some(r#"{"opts":[{"opt":1,"name":"sales","score":5}]}"#),
        ),
    ];
    for (args, method, target, body) in cases {
        let (code, out, err) = run(stub.command().arg("api").args(args));
        assert_eq!(code, 0, "{args:?}: {err}");
        let seen = stub.take();
        assert_eq!(seen.len(), 1, "{args:?}");
        assert_eq!(seen[0].method, method, "{args:?}");
        assert_eq!(seen[0].target, format!("{API_ROOT}{target}"), "{args:?}");
        match body {
            Some(body) => assert_eq!(String::from_utf8_lossy(&seen[0].body), body, "{args:?}"),
            None => assert!(seen[0].body.is_empty(), "{args:?}"),
        }
        // The answer's data, pretty by default.
        assert_eq!(
            json_of(&out),
            serde_json::json!({"confId":"c-1","名":"会议"})
        );
        assert!(out.trim().lines().count() > 1, "{out}");
    }
    // --compact: one line; the alias reaches the same operation.
    let (code, out, err) =
        run(stub
            .command()
            .args(["api", "cancel_duo_callback", "call_id=8a2b", "--compact"]));
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "{\"confId\":\"c-1\",\"名\":\"会议\"}\n");
    let seen = stub.take();
    assert_eq!(
        seen[0].target,
        format!("{API_ROOT}call/duo_callback_cancel")
    );
    assert_eq!(seen[0].body, br#"{"callId":"8a2b"}"#);
}

#[test]
fn api_refuses_bad_input_naming_it_before_sending() {
    let stub = RecordingStub::start("null");
    // (arguments, the field named)
    let cases: [(&[&str], &str); 8] = [
        (&["no_such_operation", "a=1"], "operation"),
        (&["conf_create", "=60"], "=60"),
        (&["conf_create", "max_duration=60", "colour=red"], "colour"),
        (&["conf_create", "max_duration=sixty"], "max_duration"),
        (
            &["conf_create", "max_duration=60", "recording=maybe"],
            "recording",
        ),
        (&["conf_create", "max_duration=0"], "max_duration"),
        (&["conf_create", "max_parts=5"], "max_duration"),
        (&["conf_create", "max_duration"], "max_duration"),
    ];
    for (args, field) in cases {
        let (code, _, err) = run(stub.command().arg("api").args(args));
        assert_eq!(code, 10, "{args:?}: {err}");
        assert!(
            err.contains(&format!("{field}:")) && err.contains("what to do"),
            "{args:?}: {err}"
        );
        let (code, out, _) = run(stub.command().arg("api").args(args).arg("--json"));
        assert_eq!(code, 10, "{args:?}");
        let v = json_of(&out);
        assert_eq!(v["error"]["kind"], "validation", "{out}");
        assert_eq!(v["error"]["field"], field, "{out}");
    }
    assert!(stub.take().is_empty(), "a refused request was sent");
    let (_, _, err) = run(stub.command().args(["api", "no_such_operation"]));
    assert!(err.contains("yunhuni api --list"), "{err}");
}

#[test]
fn api_refuses_a_placed_call_answer_without_a_call_id() {
    // The platform placed the call only if it answered a call id: an answer without one is a
    // decode error, as the typed surface of every language makes it, never a success.
    for data in ["null", r#""surprise""#, "{}"] {
        let stub = RecordingStub::start(data);
        let args = [
            "api",
            "duo_callback",
            "to1=13800000001",
            "to2=13800000002",
            "max_call_duration=60",
        ];
        let (code, out, err) = run(stub.command().args(args));
        assert_eq!(code, 16, "{data}: {out} {err}");
        assert!(
            err.contains("callId") && out.is_empty(),
            "{data}: {out} {err}"
        );
        assert_eq!(stub.take().len(), 1, "{data}: sent once");
    }
    let stub = RecordingStub::start(r#"{"callId":"c-9","user_data":"u"}"#);
    let (code, out, err) = run(stub.command().args([
        "api",
        "duo_callback",
        "to1=13800000001",
        "to2=13800000002",
        "max_call_duration=60",
        "--compact",
    ]));
    assert_eq!(
        (code, out.trim()),
        (0, r#"{"callId":"c-9","user_data":"u"}"#),
        "{err}"
    );
}

/// A vector parameter as command-line text, or `None` when text cannot carry its JSON type
/// (the command line reads every value as the field's declared type).
fn as_text(ty: yunhuni::ops::Type, value: &Value) -> Option<String> {
    use yunhuni::ops::Type;
    match (ty, value) {
        (Type::Str, Value::String(s)) => Some(s.clone()),
        (Type::Int, Value::Number(n)) if n.is_i64() => Some(n.to_string()),
        (Type::Bool, Value::Bool(b)) => Some(b.to_string()),
        (Type::StrList | Type::PlayRows | Type::Objects(_), Value::Array(_)) => {
            Some(value.to_string())
        }
        _ => None,
    }
}

#[test]
fn api_sends_every_request_vector_as_expected() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/requests.json"
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let stub = RecordingStub::start(r#"{"callId":"0123456789abcdef0123456789abcdef"}"#);
    let mut ran = std::collections::BTreeSet::new();
    let mut skipped = Vec::new();
    let mut failures = Vec::new();
    'cases: for case in doc["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let op_name = case["operation"].as_str().unwrap();
        let op = yunhuni::ops::operation(op_name).expect("a declared operation");
        let mut args = vec!["api", op_name, "--json", "--compact"]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        for (key, value) in case["params"].as_object().unwrap() {
            let text = match op.field(key) {
                _ if value.is_null() => continue,
                Some(field) => as_text(field.ty, value),
                None => Some(
                    value
                        .as_str()
                        .map_or_else(|| value.to_string(), str::to_owned),
                ),
            };
            let Some(text) = text else {
                skipped.push(name);
                continue 'cases;
            };
            args.push(format!("{key}={text}"));
        }
        let (code, out, err) = run(stub.command().args(&args));
        let seen = stub.take();
        ran.insert(op_name.to_owned());
        let expect = &case["expect"];
        let mut differ = |what: String| failures.push(format!("{name}: {what}"));
        if expect["error"].is_string() {
            let got = (!out.trim().is_empty()).then(|| json_of(&out));
            let field = got.as_ref().map(|v| &v["error"]["field"]);
            if code != 10 || field != Some(&expect["field"]) || !seen.is_empty() {
                differ(format!(
                    "exit {code}, sent {}, printed {out} {err}; expected {expect}",
                    seen.len()
                ));
            }
            continue;
        }
        let [got] = &seen[..] else {
            differ(format!(
                "exit {code}, {} requests sent: {out} {err}",
                seen.len()
            ));
            continue;
        };
        let (path, query) = got.target.split_once('?').unwrap_or((&got.target, ""));
        let body = (!got.body.is_empty()).then(|| String::from_utf8_lossy(&got.body));
        let checks = [
            ("method", expect["method"].as_str().map(|m| m == got.method)),
            (
                "path",
                expect["path"]
                    .as_str()
                    .map(|p| format!("{API_ROOT}{p}") == path),
            ),
            ("query", expect["query"].as_str().map(|q| q == query)),
            (
                "body",
                expect.get("body").map(|b| b.as_str() == body.as_deref()),
            ),
        ];
        for (what, same) in checks {
            if same == Some(false) {
                differ(format!(
                    "{what} differs: sent {} {} {body:?}; expected {expect}",
                    got.method, got.target
                ));
            }
        }
        if code != 0 {
            differ(format!("exit {code}: {err}"));
        }
    }
    eprintln!(
        "{} request vectors; {} not expressible as text (a value of another type than declared)",
        doc["cases"].as_array().unwrap().len(),
        skipped.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} request vectors differ through the command line:\n{}",
        failures.len(),
        doc["cases"].as_array().unwrap().len(),
        failures.join("\n")
    );
    // Every operation the vectors cover was exercised by at least one case.
    let covered: std::collections::BTreeSet<_> = doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["operation"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ran, covered, "skipped: {skipped:?}");
}
