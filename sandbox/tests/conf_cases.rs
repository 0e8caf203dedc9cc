//! Every case of tests/cases/conference.json sent to the sandbox as its wire request (without
//! any SDK check), over HTTP on 127.0.0.1: the sandbox answers the server's code. The same
//! table is run from Python, Node and C through the SDK.

mod common;

use common::*;
use std::time::Duration;
use yunhuni_sandbox::{Behavior, BusinessCode, Sandbox};

fn table() -> serde_json::Value {
    let path = format!(
        "{}/../tests/cases/conference.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn send(
    sb: &Sandbox,
    creds: &Creds,
    method: &str,
    rest: &str,
    query: &str,
    body: &[u8],
) -> RawResponse {
    let path = format!("/v1/account/{}/{rest}", creds.account);
    let target = if query.is_empty() {
        path.clone()
    } else {
        format!("{path}?{query}")
    };
    raw(
        sb.local_addr(),
        method,
        &target,
        &creds.headers(method, &path, body),
        body,
    )
}

fn substitute(text: &str, conf: &str, call: &str, unknown: &str) -> String {
    text.replace("$CONF", conf)
        .replace("$CALL", call)
        .replace("$UNKNOWN", unknown)
}

#[test]
fn every_case_gets_the_servers_answer() {
    let table = table();
    let unknown = table["unknown_id"].as_str().unwrap();
    let red = table["red_listed"].as_str().unwrap();
    let hooks = Listener::ok();
    let sb = Sandbox::builder()
        .callback_url(hooks.url())
        .time_scale(200.0)
        .behavior(
            red,
            Behavior::default().with_code(BusinessCode::new("020001").unwrap()),
        )
        .start()
        .unwrap();
    let creds = Creds::of(&sb);
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let needs = case["needs"].as_str().unwrap_or("");
        let (mut conf, mut call) = (String::new(), String::new());
        if needs == "conf" || needs == "member" {
            let r = send(
                &sb,
                &creds,
                "POST",
                "conf/create",
                "",
                br#"{"max_duration":600}"#,
            );
            conf = r.json()["data"]["confId"].as_str().unwrap().to_owned();
        }
        if needs == "member" {
            let body = br#"{"to":"13900000005","max_duration":600}"#;
            let r = send(
                &sb,
                &creds,
                "POST",
                &format!("conf/invite_call/{conf}"),
                "",
                body,
            );
            call = r.json()["data"]["callId"].as_str().unwrap().to_owned();
            eventually(Duration::from_secs(30), "the member joins", || {
                sb.conference(&conf)
                    .unwrap()
                    .members
                    .contains(&call)
                    .then_some(())
            });
        }
        let wire = &case["wire"];
        let method = wire["method"].as_str().unwrap();
        let path = substitute(wire["path"].as_str().unwrap(), &conf, &call, unknown);
        let query = substitute(wire["query"].as_str().unwrap(), &conf, &call, unknown);
        let body = match &wire["body"] {
            serde_json::Value::Null => Vec::new(),
            b => substitute(&b.to_string(), &conf, &call, unknown).into_bytes(),
        };
        let r = send(&sb, &creds, method, &path, &query, &body);
        let want = case["server"].as_str().unwrap();
        if want.len() == 3 {
            assert_eq!(r.status.to_string(), want, "{name}");
            continue;
        }
        assert_eq!(r.status, 200, "{name}");
        let v = r.json();
        assert_eq!(v["code"], want, "{name}: {v}");
        if want != "000000" {
            assert_eq!(v["data"], serde_json::Value::Null, "{name}");
            continue;
        }
        match &case["data"] {
            serde_json::Value::Object(keys) => {
                for (k, expected) in keys {
                    if expected == "$ANY" {
                        assert!(
                            v["data"][k].as_str().is_some_and(|s| !s.is_empty()),
                            "{name}: {v}"
                        );
                    } else {
                        assert_eq!(&v["data"][k], expected, "{name}: {v}");
                    }
                }
            }
            expected => assert_eq!(&v["data"], expected, "{name}: {v}"),
        }
    }
}
