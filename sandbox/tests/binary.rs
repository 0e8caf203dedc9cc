//! The `yunhuni-sandbox` binary: start, place a call with the command printed by `sign`,
//! receive the end event, stop on SIGINT.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_yunhuni-sandbox");

/// Undoes the shell quoting of one word printed by `sign`.
fn unquote(word: &str) -> String {
    match word.strip_prefix('\'').and_then(|w| w.strip_suffix('\'')) {
        Some(inner) => inner.replace(r"'\''", "'"),
        None => word.to_owned(),
    }
}

#[test]
fn sign_prints_a_correctly_signed_curl_command() {
    let out = Command::new(BIN)
        .args([
            "sign",
            "--path",
            "call/notify_call",
            "--body",
            r#"{"to":"1","user_data":"it's"}"#,
        ])
        .args([
            "--timestamp",
            "20170301120000",
            "--base-url",
            "http://127.0.0.1:9",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let path = format!(
        "/v1/account/{}/call/notify_call",
        yunhuni_sandbox::DEV_CERT_ID
    );
    let body = r#"{"to":"1","user_data":"it's"}"#;
    let ct = "application/json; charset=utf-8";
    let expected = hmac_b64(
        yunhuni_sandbox::DEV_SECRET_KEY,
        &to_sign(
            "POST",
            &path,
            Some(ct),
            body.as_bytes(),
            "20170301120000",
            yunhuni_sandbox::DEV_APP_ID,
        ),
    );
    assert!(
        text.contains(&format!("-H 'Signature: {expected}'")),
        "{text}"
    );
    assert!(
        text.contains(&format!("http://127.0.0.1:9{path}")),
        "{text}"
    );
    assert!(
        text.contains(r#"--data-binary '{"to":"1","user_data":"it'\''s"}'"#),
        "{text}"
    );

    let out = Command::new(BIN)
        .args(["sign", "--path", "call/duo_callback", "--sub-account"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("CertID: {}", yunhuni_sandbox::DEV_SUB_CERT_ID)),
        "{text}"
    );
    assert!(
        text.contains(&format!("/v1/account/{}/", yunhuni_sandbox::DEV_CERT_ID)),
        "{text}"
    );
}

#[test]
fn binary_serves_signs_and_stops_on_sigint() {
    let hooks = Listener::ok();
    let mut child = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--time-scale",
            "100",
            "--callback-url",
            &hooks.url(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let base_url = first.trim().rsplit(' ').next().unwrap().to_owned();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{first}");
    let mut banner = String::new();
    for _ in 0..6 {
        stdout.read_line(&mut banner).unwrap();
    }
    assert!(banner.contains(yunhuni_sandbox::DEV_SECRET_KEY), "{banner}");

    // The command printed by `sign`, taken apart and sent.
    let body =
        r#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60,"user_data":"订单-42"}"#;
    let out = Command::new(BIN)
        .args([
            "sign",
            "--base-url",
            &base_url,
            "--path",
            "call/duo_callback",
            "--body",
            body,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut url = String::new();
    let mut headers = Vec::new();
    let mut sent_body = String::new();
    for line in text.lines() {
        let line = line.trim().trim_end_matches(" \\");
        if let Some(rest) = line.strip_prefix("curl -sS -i -X POST ") {
            url = unquote(rest);
        } else if let Some(rest) = line.strip_prefix("-H ") {
            let h = unquote(rest);
            let (n, v) = h.split_once(": ").unwrap();
            headers.push((n.to_owned(), v.to_owned()));
        } else if let Some(rest) = line.strip_prefix("--data-binary ") {
            sent_body = unquote(rest);
        }
    }
    assert_eq!(sent_body, body);
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let target = &url[url.find("/v1/").unwrap()..];
    let r = raw(addr, "POST", target, &headers, sent_body.as_bytes());
    let v = r.json();
    assert_eq!(v["code"], "000000", "{v}");
    let id = v["data"]["callId"].as_str().unwrap();
    let received = hooks.wait_for(1, Duration::from_secs(30));
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].call_id().as_deref(), Some(id));
    assert!(String::from_utf8_lossy(&received[0].body).contains(r#""user_data":"??-42""#));

    // SIGINT: a clean exit, with the request and webhook lines logged on stderr.
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut log).unwrap();
    assert!(log.contains(&format!("POST {target} 200")), "{log}");
    assert!(
        log.contains(&format!(
            "webhook {id} duo_callback.end attempt 1 POST {} -> 200",
            hooks.url()
        )),
        "{log}"
    );
    assert!(log.contains("shutting down"), "{log}");
}

#[test]
fn binary_flags_set_the_default_app_and_numbers() {
    let mut child = Command::new(BIN)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--json",
            "--no-log",
            "--app-offline",
            "--test-number",
            "13800000001",
            "--test-number",
            "13800000002",
            "--number-code",
            "13800000002=020002:用户号码没有可用线路",
            "--app-settings",
            r#"{"audited_files":["welcome.wav"]}"#,
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let banner: serde_json::Value = serde_json::from_str(&first).unwrap();
    let addr = banner["base_url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let creds = Creds {
        account: yunhuni_sandbox::DEV_CERT_ID.into(),
        app_id: yunhuni_sandbox::DEV_APP_ID.into(),
        cert_id: yunhuni_sandbox::DEV_CERT_ID.into(),
        secret: yunhuni_sandbox::DEV_SECRET_KEY.into(),
    };
    let code = |op: &str, body: &str| post(addr, &creds, op, body).json();
    // A test number: placed; another number: 020001; the number with a forced code: its code.
    let v = code(
        "notify_call",
        r#"{"to":"13800000001","play_file":"welcome.wav"}"#,
    );
    assert_eq!(v["code"], "000000", "{v}");
    let v = code(
        "notify_call",
        r#"{"to":"13800000003","play_file":"welcome.wav"}"#,
    );
    assert_eq!(
        (v["code"].as_str(), v["msg"].as_str()),
        (Some("020001"), Some("号码不允许呼叫"))
    );
    let v = code(
        "notify_call",
        r#"{"to":"13800000002","play_file":"welcome.wav"}"#,
    );
    assert_eq!(v["msg"], "用户号码没有可用线路", "{v}");
    let v = code(
        "notify_call",
        r#"{"to":"13800000001","play_file":"other.wav"}"#,
    );
    assert_eq!(v["code"], "010005", "{v}");
    let (status, apps) = admin_get(addr, "/sandbox/apps");
    assert_eq!(status, 200);
    assert_eq!(apps[yunhuni_sandbox::DEV_APP_ID]["online"], false, "{apps}");

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
}

#[test]
fn binary_ivr_url_and_inbound_calls() {
    let app = Listener::ok();
    let ivr_url = format!("http://{}/ivr", app.addr);
    let mut child = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0", "--json", "--no-log"])
        .args(["--ivr-url", &ivr_url, "--ivr-timeout-ms", "1000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let banner: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(banner["ivr_url"], ivr_url.as_str());
    let addr = banner["base_url"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://")
        .parse()
        .unwrap();
    let r = raw(
        addr,
        "POST",
        "/sandbox/inbound_call",
        &[],
        br#"{"from":"13600000001","to":"02088880000"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let call_id = r.json()["call_id"].as_str().unwrap().to_owned();
    let hooks = app.wait_for(1, Duration::from_secs(10));
    assert_eq!(hooks[0].path, "/ivr");
    assert_eq!(
        String::from_utf8_lossy(&hooks[0].body),
        format!(
            r#"{{"action":"ivr_start","from":"13600000001","type":"ivr_incoming","call_id":"{call_id}"}}"#
        )
    );
    let r = raw(
        addr,
        "POST",
        "/sandbox/inbound_call",
        &[],
        br#"{"from":" ","to":"1"}"#,
    );
    assert_eq!(r.status, 400);
    // The attempt is recorded once its answer has been read.
    let requests = eventually(Duration::from_secs(10), "the recorded attempt", || {
        let (status, requests) = admin_get(addr, &format!("/sandbox/calls/{call_id}/ivr"));
        assert_eq!(status, 200);
        (!requests.as_array().unwrap().is_empty()).then_some(requests)
    });
    assert_eq!(requests[0]["method"], "POST");
    assert_eq!(requests[0]["status"], 200);

    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert!(child.wait().unwrap().success());
}
