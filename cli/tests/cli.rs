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
            "not JSON",
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
        "demo", "call", "cancel", "notify", "verify", "listen", "sandbox", "sign",
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
