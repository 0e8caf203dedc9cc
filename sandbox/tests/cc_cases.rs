//! Every case of tests/cases/callcenter.json sent to the sandbox as its wire request (without
//! any SDK check), over HTTP on 127.0.0.1: the sandbox answers the server's code. The table's
//! fixtures are made with wire requests too. The same table is run from Python, Node and C
//! through the SDK.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use serde_json::Value;
use yunhuni_sandbox::{Behavior, Sandbox};

fn table() -> Value {
    let path = format!(
        "{}/../tests/cases/callcenter.json",
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

fn substitute(text: &str, vars: &HashMap<String, String>) -> String {
    let mut out = text.to_owned();
    // Longer names first, so that $EXT2 is not read as $EXT followed by 2.
    let mut names: Vec<&String> = vars.keys().collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.len()));
    for name in names {
        out = out.replace(&format!("${name}"), &vars[name]);
    }
    out
}

fn at_path<'a>(data: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = data;
    for part in path.split('.') {
        v = match part.parse::<usize>() {
            Ok(i) => v.get(i)?,
            Err(_) => v.get(part)?,
        };
    }
    (!v.is_null()).then_some(v)
}

/// The wire request of a fixture step (the few operations the fixtures use).
fn step_wire(op: &str, fields: &Value) -> (&'static str, String, Value) {
    let f = |k: &str| fields[k].as_str().unwrap_or_default().to_owned();
    match op {
        "ext_create" => ("POST", "callcenter/extension".into(), fields.clone()),
        "agent_login" => ("POST", "callcenter/agent".into(), fields.clone()),
        "condition_create" => ("POST", "callcenter/condition".into(), fields.clone()),
        "agent_call_out" => {
            let mut body = fields.clone();
            body.as_object_mut().unwrap().remove("agent_name");
            (
                "POST",
                format!("callcenter/agent/{}/call_out", f("agent_name")),
                body,
            )
        }
        "agent_conversations" => (
            "GET",
            format!("callcenter/agent/{}/conversation", f("agent_name")),
            Value::Null,
        ),
        other => panic!("no wire form for the fixture step {other}"),
    }
}

#[test]
fn every_case_gets_the_servers_answer() {
    let table = table();
    let hooks = Listener::ok();
    let mut builder = Sandbox::builder()
        .callback_url(hooks.url())
        .time_scale(200.0);
    for (number, behavior) in table["scripted"].as_object().unwrap() {
        let b: Behavior = serde_json::from_value(behavior.clone()).unwrap();
        builder = builder.behavior(number, b);
    }
    let sb = builder.start().unwrap();
    let creds = Creds::of(&sb);
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 150);
    let mut ops = std::collections::BTreeSet::new();
    for (n, case) in cases.iter().enumerate() {
        let name = case["name"].as_str().unwrap();
        ops.insert(case["op"].as_str().unwrap().to_owned());
        let mut vars = HashMap::from([
            ("N".to_owned(), n.to_string()),
            (
                "UNKNOWN".to_owned(),
                table["unknown_id"].as_str().unwrap().to_owned(),
            ),
        ]);
        if let Some(fixture) = case["needs"].as_str() {
            for step in table["fixtures"][fixture].as_array().unwrap() {
                let fields: Value =
                    serde_json::from_str(&substitute(&step["fields"].to_string(), &vars)).unwrap();
                let (method, rest, body) = step_wire(step["op"].as_str().unwrap(), &fields);
                let body = if body.is_null() {
                    Vec::new()
                } else {
                    body.to_string().into_bytes()
                };
                let data = eventually(Duration::from_secs(30), &format!("{name}: {step}"), || {
                    let r = send(&sb, &creds, method, &rest, "", &body).json();
                    assert_eq!(r["code"], "000000", "{name}: fixture {step}: {r}");
                    let data = r["data"].clone();
                    match step["until"].as_str() {
                        Some(path) => at_path(&data, path).is_some().then_some(data),
                        None => Some(data),
                    }
                });
                if let Some(save) = step["save"].as_object() {
                    for (var, path) in save {
                        let v = at_path(&data, path.as_str().unwrap()).unwrap();
                        vars.insert(var.clone(), v.as_str().unwrap().to_owned());
                    }
                }
            }
        }
        let wire = &case["wire"];
        let method = wire["method"].as_str().unwrap();
        let path = substitute(wire["path"].as_str().unwrap(), &vars);
        let query = substitute(wire["query"].as_str().unwrap(), &vars);
        let body = match &wire["body"] {
            Value::Null => Vec::new(),
            b => substitute(&b.to_string(), &vars).into_bytes(),
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
            assert_eq!(v["data"], Value::Null, "{name}");
            continue;
        }
        let Some(expected) = case.get("data") else {
            continue;
        };
        let expected: Value =
            serde_json::from_str(&substitute(&expected.to_string(), &vars)).unwrap();
        match &expected {
            Value::Object(keys) => {
                for (k, e) in keys {
                    if e == "$ANY" {
                        assert!(
                            v["data"][k].as_str().is_some_and(|s| !s.is_empty()),
                            "{name}: {v}"
                        );
                    } else {
                        assert_eq!(&v["data"][k], e, "{name}: {k}: {v}");
                    }
                }
            }
            Value::String(s) if s == "$ANY" => {
                assert!(
                    v["data"].as_str().is_some_and(|s| !s.is_empty()),
                    "{name}: {v}"
                );
            }
            e => assert_eq!(&v["data"], e, "{name}: {v}"),
        }
    }
    // Every call-center operation of the platform (spec routes.json; the debug route aside)
    // has cases.
    for op in [
        "ext_create",
        "ext_delete",
        "ext_get",
        "ext_list",
        "agent_login",
        "agent_logout",
        "agent_keepalive",
        "agent_get",
        "agent_list",
        "agent_set_extension",
        "agent_set_state",
        "agent_set_skills",
        "agent_reject",
        "agent_call_out",
        "agent_call_agent",
        "agent_fwd_agent",
        "agent_xfer_agent",
        "agent_xfer_out",
        "agent_lsm",
        "agent_enter",
        "agent_exit",
        "agent_merge",
        "agent_conversations",
        "condition_create",
        "condition_modify",
        "condition_delete",
        "condition_list",
        "condition_get",
        "conversation_dismiss",
        "conversation_lsm",
        "conversation_invite_agent",
        "conversation_invite_out",
        "conversation_get",
        "conversation_list",
    ] {
        assert!(ops.contains(op), "no case for {op}");
    }
}
