//! Messaging in the sandbox: every case of tests/cases/messaging.json sent as its wire request
//! (without any SDK check) gets the server's answer; the template audit life cycle and the
//! states of sends and mass tasks, with the `msg.*` events they raise, byte for byte.

mod common;

use common::*;
use serde_json::{json, Value};
use std::time::Duration;
use yunhuni_sandbox::{AppSettings, MobileOutcome, Sandbox, Service, TemplateAudit};

const WAIT: Duration = Duration::from_secs(30);

fn table() -> Value {
    let path = format!(
        "{}/../tests/cases/messaging.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn send(sb: &Sandbox, creds: &Creds, method: &str, rest: &str, query: &str, body: &[u8]) -> Value {
    let path = format!("/v1/account/{}/{rest}", creds.account);
    let target = if query.is_empty() {
        path.clone()
    } else {
        format!("{path}?{query}")
    };
    let r = raw(
        sb.local_addr(),
        method,
        &target,
        &creds.headers(method, &path, body),
        body,
    );
    assert_eq!(r.status, 200, "{method} {rest}: {}", r.text());
    r.json()
}

/// The wire form of the operations the fixtures use (the sandbox's tests do not use the
/// SDK): method, path, and the body's names for the fields.
fn wire_of(op: &str, fields: &Value) -> (&'static str, String, Value) {
    let temp_id = fields["temp_id"].as_str().unwrap_or_default();
    let (method, path) = match op {
        "template_create" => ("POST", "msg/template".to_owned()),
        "template_get" => ("GET", format!("msg/template/{temp_id}")),
        "sms_send" => ("POST", "msg/sms/send".to_owned()),
        "ussd_mass_task" => ("POST", "msg/ussd/mass/task".to_owned()),
        other => panic!("no wire form for {other}"),
    };
    let mut body = serde_json::Map::new();
    for (k, v) in fields.as_object().unwrap() {
        let name = match k.as_str() {
            "temp_id" => "tempId",
            "temp_args" => "tempArgs",
            "task_name" => "taskName",
            other => other,
        };
        body.insert(name.to_owned(), v.clone());
    }
    let body = if method == "GET" {
        Value::Null
    } else {
        Value::Object(body)
    };
    (method, path, body)
}

/// Replaces each `$NAME` (longer names first).
fn substitute(text: &str, vars: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = vars.iter().collect();
    sorted.sort_by_key(|(k, _)| std::cmp::Reverse(k.len()));
    let mut out = text.to_owned();
    for (k, v) in sorted {
        out = out.replace(&format!("${k}"), v);
    }
    out
}

fn admin(sb: &Sandbox, method: &str, path: &str, body: &[u8]) -> RawResponse {
    raw(
        sb.local_addr(),
        method,
        path,
        &[("Content-Type".into(), "application/json".into())],
        body,
    )
}

/// Runs a fixture's steps as wire requests, saving values of the answers.
fn run_fixture(sb: &Sandbox, creds: &Creds, steps: &Value, vars: &mut Vec<(String, String)>) {
    for step in steps.as_array().unwrap() {
        let op = step["op"].as_str().unwrap();
        let fields: Value =
            serde_json::from_str(&substitute(&step["fields"].to_string(), vars)).unwrap();
        let (method, path, body) = wire_of(op, &fields);
        let body = match body {
            Value::Null => Vec::new(),
            b => b.to_string().into_bytes(),
        };
        let v = eventually(WAIT, op, || {
            let v = send(sb, creds, method, &path, "", &body);
            assert_eq!(v["code"], "000000", "fixture {op}: {v}");
            match step["until"].as_str() {
                Some(key) if v["data"][key].is_null() => None,
                _ => Some(v),
            }
        });
        if let Some(save) = step["save"].as_object() {
            for (var, key) in save {
                let value = v["data"][key.as_str().unwrap()].as_str().unwrap();
                vars.push((var.clone(), value.to_owned()));
            }
        }
    }
}

#[test]
fn every_case_gets_the_servers_answer() {
    let table = table();
    let hooks = Listener::ok();
    let sb = Sandbox::builder()
        .callback_url(hooks.url())
        .time_scale(200.0)
        .start()
        .unwrap();
    let creds = Creds::of(&sb);
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 60);
    let mut codes = std::collections::BTreeSet::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let mut vars: Vec<(String, String)> = vec![(
            "UNKNOWN".into(),
            table["unknown_id"].as_str().unwrap().into(),
        )];
        if let Some(need) = case["needs"].as_str() {
            run_fixture(&sb, &creds, &table["fixtures"][need], &mut vars);
        }
        let wire = &case["wire"];
        let method = wire["method"].as_str().unwrap();
        let path = substitute(wire["path"].as_str().unwrap(), &vars);
        let query = wire["query"].as_str().unwrap();
        let body = match &wire["body"] {
            Value::Null => Vec::new(),
            b => substitute(&b.to_string(), &vars).into_bytes(),
        };
        let v = send(&sb, &creds, method, &path, query, &body);
        let want = case["server"].as_str().unwrap();
        codes.insert(want.to_owned());
        assert_eq!(v["code"], want, "{name}: {v}");
        if want != "000000" {
            assert_eq!(v["data"], Value::Null, "{name}");
            continue;
        }
        match &case["data"] {
            Value::Object(keys) => {
                for (k, expected) in keys {
                    let expected = substitute(&expected.to_string(), &vars);
                    let got = &v["data"][k];
                    if expected == "\"$ANY\"" {
                        assert!(got.as_str().is_some_and(|s| !s.is_empty()), "{name}: {v}");
                    } else {
                        let expected: Value = serde_json::from_str(&expected).unwrap();
                        assert_eq!(got, &expected, "{name}: {k}: {v}");
                    }
                }
            }
            expected => assert_eq!(&v["data"], expected, "{name}: {v}"),
        }
    }
    // Every code of the family that a request alone can reach is in the table.
    for code in [
        "000000", "000001", "000002", "050101", "050102", "050103", "050104", "050106", "050108",
    ] {
        assert!(codes.contains(code), "no case answers {code}");
    }
}

/// A sandbox whose events go to a listener, time running 50 times faster.
fn sandbox(hooks: &Listener) -> (Sandbox, Creds) {
    let sb = Sandbox::builder()
        .callback_url(hooks.url())
        .time_scale(50.0)
        .start()
        .unwrap();
    let creds = Creds::of(&sb);
    (sb, creds)
}

fn create_template(sb: &Sandbox, creds: &Creds, content: &str) -> String {
    let body = json!({"name": "n", "content": content, "remark": "r"}).to_string();
    let v = send(sb, creds, "POST", "msg/template", "", body.as_bytes());
    assert_eq!(v["code"], "000000", "{v}");
    assert_eq!(v["data"]["status"], 0);
    v["data"]["tempId"].as_str().unwrap().to_owned()
}

fn get_template(sb: &Sandbox, creds: &Creds, id: &str) -> Value {
    let v = send(sb, creds, "GET", &format!("msg/template/{id}"), "", b"");
    assert_eq!(v["code"], "000000", "{v}");
    v["data"].clone()
}

/// The bodies of the events named `event` that reached the listener, as text.
fn bodies(hooks: &Listener, event: &str) -> Vec<String> {
    hooks
        .hooks()
        .iter()
        .map(|h| h.body.iter().map(|&b| char::from(b)).collect::<String>())
        .filter(|b| b.contains(&format!("\"event\":\"{event}\"")))
        .collect()
}

fn wait_bodies(hooks: &Listener, event: &str, n: usize) -> Vec<String> {
    eventually(WAIT, event, || {
        let b = bodies(hooks, event);
        (b.len() >= n).then_some(b)
    })
}

#[test]
fn template_audit_life_cycle() {
    let hooks = Listener::ok();
    let (sb, creds) = sandbox(&hooks);
    assert_eq!(
        sb.template_audit(),
        TemplateAudit::Approve { after_ms: 10_000 }
    );

    // The default rule approves 10 simulated seconds later: 0 -> 1, with the event.
    let a = create_template(&sb, &creds, "x#*#");
    let events = wait_bodies(&hooks, "msg.template_complete", 1);
    let t = get_template(&sb, &creds, &a);
    assert_eq!(t["status"], 1);
    let check_time = t["checkTime"].as_str().unwrap().to_owned();
    assert_eq!(check_time.len(), 19);
    assert_eq!(t["reason"], Value::Null);
    assert_eq!(
        events[0],
        format!(
            r#"{{"checkTime":"{check_time}","action":"event_notify","tempId":"{a}","event":"msg.template_complete","status":1}}"#
        )
    );
    assert_eq!(sb.template(&a).unwrap().events, events);

    // A rule that rejects: 0 -> -1 with its reason (Latin-1 on the wire: `?` for each CJK
    // character).
    sb.set_template_audit(TemplateAudit::Reject {
        after_ms: 5_000,
        reason: Some("签名 bad".into()),
    });
    let b = create_template(&sb, &creds, "y");
    let events = wait_bodies(&hooks, "msg.template_complete", 2);
    let t = get_template(&sb, &creds, &b);
    assert_eq!(
        (t["status"].clone(), t["reason"].clone()),
        (json!(-1), json!("签名 bad"))
    );
    let check_time = t["checkTime"].as_str().unwrap();
    assert_eq!(
        events[1],
        format!(
            r#"{{"reason":"?? bad","checkTime":"{check_time}","action":"event_notify","tempId":"{b}","event":"msg.template_complete","status":-1}}"#
        )
    );
    // A decided template cannot be audited again; an unknown one is not found.
    assert!(sb.audit_template(&b, true, None).is_err());
    assert_eq!(
        sb.audit_template("424242", true, None).unwrap_err().kind(),
        std::io::ErrorKind::NotFound
    );

    // An update sets a rejected template back to 0, and the rule audits it again.
    sb.set_template_audit(TemplateAudit::Manual);
    let body = json!({"name": "n2", "content": "", "remark": ""}).to_string();
    let v = send(
        &sb,
        &creds,
        "PUT",
        &format!("msg/template/{b}"),
        "",
        body.as_bytes(),
    );
    assert_eq!(
        (v["data"]["status"].clone(), v["data"]["checkTime"].clone()),
        (json!(0), Value::Null)
    );
    // Manual: it stays pending, whatever the time, until a script decides.
    let c = create_template(&sb, &creds, "z");
    std::thread::sleep(Duration::from_millis(400));
    assert_eq!(get_template(&sb, &creds, &b)["status"], 0);
    assert_eq!(sb.template(&c).unwrap().status, 0);
    sb.audit_template(&c, false, Some("no")).unwrap();
    sb.audit_template(&b, true, None).unwrap();
    let events = wait_bodies(&hooks, "msg.template_complete", 4);
    // Delivered by several workers: in either order.
    let of = |id: &str| {
        let needle = format!(r#""tempId":"{id}""#);
        events[2..]
            .iter()
            .find(|e| e.contains(&needle))
            .cloned()
            .unwrap()
    };
    assert!(of(&c).ends_with(r#""status":-1}"#));
    assert!(of(&b).ends_with(r#""status":1}"#));
    assert_eq!(get_template(&sb, &creds, &c)["reason"], "no");
    assert_eq!(sb.template(&b).unwrap().events.len(), 2);

    // The admin endpoints do the same.
    let d = create_template(&sb, &creds, "w");
    let r = admin(
        &sb,
        "POST",
        &format!("/sandbox/msg/templates/{d}/audit"),
        br#"{"approve":true}"#,
    );
    assert_eq!((r.status, r.json()["status"].clone()), (200, json!(1)));
    let r = admin(
        &sb,
        "POST",
        &format!("/sandbox/msg/templates/{d}/audit"),
        br#"{"approve":true}"#,
    );
    assert_eq!(r.status, 409);
    let r = admin(
        &sb,
        "POST",
        "/sandbox/msg/templates/1/audit",
        br#"{"approve":true}"#,
    );
    assert_eq!(r.status, 404);
    let r = admin(
        &sb,
        "POST",
        &format!("/sandbox/msg/templates/{d}/audit"),
        br#"{"ok":1}"#,
    );
    assert_eq!(r.status, 400);
    let r = admin(
        &sb,
        "PUT",
        "/sandbox/msg/audit",
        br#"{"rule":"approve","after_ms":1}"#,
    );
    assert_eq!(r.status, 200);
    assert_eq!(sb.template_audit(), TemplateAudit::Approve { after_ms: 1 });
    assert_eq!(admin(&sb, "PUT", "/sandbox/msg/audit", b"{}").status, 400);
    // An update that changes nothing keeps the status and its time.
    let before = get_template(&sb, &creds, &d);
    let body = json!({"name": " ", "content": "", "remark": "\t"}).to_string();
    let v = send(
        &sb,
        &creds,
        "POST",
        &format!("msg/template/{d}"),
        "",
        body.as_bytes(),
    );
    assert_eq!(v["data"], before);
    // Deleted: gone for get (050102) and delete (000002).
    let v = send(&sb, &creds, "DELETE", &format!("msg/template/{d}"), "", b"");
    assert_eq!(
        (v["code"].clone(), v["data"].clone()),
        (json!("000000"), Value::Null)
    );
    let v = send(&sb, &creds, "GET", &format!("msg/template/{d}"), "", b"");
    assert_eq!(v["code"], "050102");
    let v = send(&sb, &creds, "DELETE", &format!("msg/template/{d}"), "", b"");
    assert_eq!(v["code"], "000002");
    assert!(hooks.hooks().iter().all(|h| h.status_sent == 200));
}

#[test]
fn templates_belong_to_their_sub_account() {
    let hooks = Listener::ok();
    let (sb, creds) = sandbox(&hooks);
    let sub = Creds::sub(&sb);
    let mine = create_template(&sb, &sub, "x");
    let v = send(&sb, &creds, "GET", &format!("msg/template/{mine}"), "", b"");
    assert_eq!(v["code"], "050102");
    let v = send(&sb, &creds, "GET", "msg/template", "", b"");
    assert_eq!(v["data"]["totalCount"], 0);
    let v = send(&sb, &sub, "GET", "msg/template", "pageSize=1", b"");
    assert_eq!(v["data"]["totalCount"], 1);
    assert_eq!(v["data"]["result"][0]["tempId"], mine.as_str());
    // Template ids count up from 10001.
    assert!(mine.parse::<u64>().unwrap() > 10_000);
}

fn sms(sb: &Sandbox, creds: &Creds, mobile: &str, temp: &str, args: &str) -> Value {
    let body = json!({"mobile": mobile, "tempId": temp, "tempArgs": args}).to_string();
    send(sb, creds, "POST", "msg/sms/send", "", body.as_bytes())
}

#[test]
fn single_sends_and_their_events() {
    let hooks = Listener::ok();
    let (sb, creds) = sandbox(&hooks);
    // Delivered: the request goes 0 -> 1; msg.sending_complete with type 0 and no failMobiles.
    let v = sms(&sb, &creds, "13000000001", "1001", "1234");
    assert_eq!(v["data"]["state"], 1, "{v}");
    let ok = v["data"]["msgKey"].as_str().unwrap().to_owned();
    let q = send(&sb, &creds, "GET", &format!("msg/sms/{ok}"), "", b"");
    let pending = &q["data"];
    assert_eq!(
        (
            pending["state"].clone(),
            pending["pendingNum"].clone(),
            pending["sumNum"].clone()
        ),
        (json!(0), json!(1), json!(1))
    );
    let events = wait_bodies(&hooks, "msg.sending_complete", 1);
    assert_eq!(
        events[0],
        format!(
            r#"{{"action":"event_notify","msgKey":"{ok}","state":1,"event":"msg.sending_complete","type":0}}"#
        )
    );
    let q = send(&sb, &creds, "GET", &format!("msg/sms/{ok}"), "", b"");
    // The keys in the order of MsgRequestVO.
    let path = format!("/v1/account/{}/msg/sms/{ok}", creds.account);
    let text = raw(
        sb.local_addr(),
        "GET",
        &path,
        &creds.headers("GET", &path, b""),
        b"",
    )
    .text();
    let order = [
        "msgKey",
        "taskName",
        "tempId",
        "tempArgs",
        "sendTime",
        "sendType",
        "isMass",
        "sumNum",
        "state",
        "succNum",
        "failNum",
        "pendingNum",
        "mobile",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|k| text.find(&format!("\"{k}\":")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert_eq!(
        (
            q["data"]["state"].clone(),
            q["data"]["succNum"].clone(),
            q["data"]["pendingNum"].clone()
        ),
        (json!(1), json!(1), json!(0))
    );
    assert_eq!(sb.msg_request(&ok).unwrap().events, events);

    // Undelivered: state -1, the number in failMobiles.
    sb.set_mobile_outcome("13300000002", Some(MobileOutcome::Undelivered));
    let v = sms(&sb, &creds, "13300000002", "1001", "1");
    let bad = v["data"]["msgKey"].as_str().unwrap().to_owned();
    let events = wait_bodies(&hooks, "msg.sending_complete", 2);
    assert_eq!(
        events[1],
        format!(
            r#"{{"failMobiles":"13300000002","action":"event_notify","msgKey":"{bad}","state":-1,"event":"msg.sending_complete","type":0}}"#
        )
    );
    let q = send(&sb, &creds, "GET", &format!("msg/sms/{bad}"), "", b"");
    assert_eq!(
        (q["data"]["state"].clone(), q["data"]["failNum"].clone()),
        (json!(-1), json!(1))
    );

    // Refused by the supplier: state 0 in the answer, the request failed at once, no event.
    sb.set_mobile_outcome("13300000003", Some(MobileOutcome::Refused));
    let v = sms(&sb, &creds, "13300000003", "1001", "1");
    assert_eq!(v["data"]["state"], 0);
    let refused = v["data"]["msgKey"].as_str().unwrap().to_owned();
    assert_eq!(sb.msg_request(&refused).unwrap().state, -1);
    // No supplier, supplier down.
    sb.set_mobile_outcome("13300000004", Some(MobileOutcome::NoSupplier));
    assert_eq!(
        sms(&sb, &creds, "13300000004", "1001", "1")["code"],
        "050106"
    );
    sb.set_mobile_outcome("13300000004", Some(MobileOutcome::SupplierDown));
    let v = sms(&sb, &creds, "13300000004", "1001", "1");
    assert_eq!(
        (v["code"].clone(), v["msg"].clone()),
        (json!("050105"), json!("发送消息失败"))
    );
    let r = admin(
        &sb,
        "PUT",
        "/sandbox/mobiles/13300000004",
        br#""delivered""#,
    );
    assert_eq!(
        (r.status, r.json()["outcome"].clone()),
        (200, json!("delivered"))
    );
    assert_eq!(
        admin(&sb, "PUT", "/sandbox/mobiles/1", br#""lost""#).status,
        400
    );

    // The list: oldest first, pageSize 10 by default.
    let v = send(&sb, &creds, "GET", "msg/sms", "", b"");
    assert_eq!(v["data"]["totalCount"], 3);
    assert_eq!(v["data"]["result"][0]["msgKey"], ok.as_str());
    assert_eq!(v["data"]["pageSize"], 10);
    // USSD lists nothing of these, and knows none of them.
    let v = send(&sb, &creds, "GET", &format!("msg/ussd/{ok}"), "", b"");
    assert_eq!(v["code"], "000002");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(bodies(&hooks, "msg.sending_complete").len(), 2);
}

#[test]
fn mass_tasks_and_their_events() {
    let hooks = Listener::ok();
    let (sb, creds) = sandbox(&hooks);
    sb.set_mobile_outcome("13300000009", Some(MobileOutcome::Undelivered));
    sb.set_mobile_outcome("13300000008", Some(MobileOutcome::Refused));
    let mobiles = "13000000001,13300000009,13800000003,13300000008,13000000001";
    let body = json!({"taskName": " t ", "tempId": "1001", "tempArgs": "9", "mobiles": mobiles});
    let v = send(
        &sb,
        &creds,
        "POST",
        "msg/ussd/mass/task",
        "",
        body.to_string().as_bytes(),
    );
    assert_eq!(v["code"], "000000", "{v}");
    assert_eq!(v["data"]["state"], 1);
    let key = v["data"]["msgKey"].as_str().unwrap().to_owned();
    // China Mobile refused; the supplier's refusal added after.
    assert_eq!(
        v["data"]["invalidMobiles"],
        json!(["13800000003", "13300000008"])
    );
    let q = send(&sb, &creds, "GET", &format!("msg/sms/{key}"), "", b"");
    let d = &q["data"];
    assert_eq!(
        (
            d["isMass"].clone(),
            d["sumNum"].clone(),
            d["state"].clone(),
            d["taskName"].clone()
        ),
        (json!(true), json!(2), json!(0), json!("t"))
    );
    assert_eq!(
        (d["sendType"].clone(), d["mobile"].clone()),
        (json!("msg_sms"), Value::Null)
    );
    let events = wait_bodies(&hooks, "msg.sending_complete", 1);
    // Success when any number succeeded; type 1.
    assert_eq!(
        events[0],
        format!(
            r#"{{"failMobiles":"13300000009","action":"event_notify","msgKey":"{key}","state":1,"event":"msg.sending_complete","type":1}}"#
        )
    );
    let q = send(&sb, &creds, "GET", &format!("msg/sms/{key}"), "", b"");
    assert_eq!(
        (
            q["data"]["succNum"].clone(),
            q["data"]["failNum"].clone(),
            q["data"]["pendingNum"].clone()
        ),
        (json!(1), json!(1), json!(0))
    );

    // Every number failing: state -1.
    let body =
        json!({"taskName": "u", "tempId": "1001", "tempArgs": "9", "mobiles": "13300000009"});
    let v = send(
        &sb,
        &creds,
        "POST",
        "msg/sms/mass/task",
        "",
        body.to_string().as_bytes(),
    );
    let key2 = v["data"]["msgKey"].as_str().unwrap().to_owned();
    let events = wait_bodies(&hooks, "msg.sending_complete", 2);
    assert!(events[1].contains(&key2) && events[1].contains(r#""state":-1"#));

    // Every number refused by the supplier: answered state 0, no event.
    let body =
        json!({"taskName": "v", "tempId": "1001", "tempArgs": "9", "mobiles": "13300000008"});
    let v = send(
        &sb,
        &creds,
        "POST",
        "msg/sms/mass/task",
        "",
        body.to_string().as_bytes(),
    );
    assert_eq!(
        (
            v["data"]["state"].clone(),
            v["data"]["invalidMobiles"].clone()
        ),
        (json!(0), json!(["13300000008"]))
    );

    // More than 10,000 numbers.
    let many = vec!["13000000001"; 10_001].join(",");
    let body = json!({"taskName": "w", "tempId": "1001", "tempArgs": "9", "mobiles": many});
    let v = send(
        &sb,
        &creds,
        "POST",
        "msg/sms/mass/task",
        "",
        body.to_string().as_bytes(),
    );
    assert_eq!(
        (v["code"].clone(), v["msg"].clone()),
        (json!("050105"), json!("手机号码集合数量大于最大限制"))
    );
    // Exactly 10,000 (all the same number): one sent.
    let many = vec!["13000000001"; 10_000].join(",");
    let body = json!({"taskName": "w", "tempId": "1001", "tempArgs": "9", "mobiles": many});
    let v = send(
        &sb,
        &creds,
        "POST",
        "msg/sms/mass/task",
        "",
        body.to_string().as_bytes(),
    );
    assert_eq!(v["code"], "000000");

    // A task at a set time waits for it.
    let at = sb.sim_now_ms() + 3_600_000;
    let when = {
        let t = yunhuni_sandbox::signing::format_timestamp(at);
        format!(
            "{}-{}-{} {}:{}:{}",
            &t[0..4],
            &t[4..6],
            &t[6..8],
            &t[8..10],
            &t[10..12],
            &t[12..14]
        )
    };
    let body = json!({"taskName": "x", "tempId": "1001", "tempArgs": "9", "mobiles": "13000000001", "sendTime": when});
    let v = send(
        &sb,
        &creds,
        "POST",
        "msg/sms/mass/task",
        "",
        body.to_string().as_bytes(),
    );
    let later = v["data"]["msgKey"].as_str().unwrap().to_owned();
    let q = send(&sb, &creds, "GET", &format!("msg/sms/{later}"), "", b"");
    assert_eq!(q["data"]["sendTime"], when.as_str());
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(sb.msg_request(&later).unwrap().state, 0);
}

#[test]
fn the_apps_settings_come_first() {
    let hooks = Listener::ok();
    let (sb, creds) = sandbox(&hooks);
    let app = sb.app_id().to_owned();
    // An offline app sends only to its test numbers (010001), before the number's format.
    sb.set_app_settings(
        &app,
        AppSettings {
            online: false,
            test_numbers: vec!["13000000001".into()],
            ..AppSettings::default()
        },
    )
    .unwrap();
    assert_eq!(
        sms(&sb, &creds, "13000000002", "1001", "1")["code"],
        "010001"
    );
    assert_eq!(sms(&sb, &creds, "x", "1001", "1")["code"], "010001");
    assert_eq!(
        sms(&sb, &creds, "13000000001", "1001", "1")["code"],
        "000000"
    );
    let body = json!({"taskName": "", "tempId": "1", "mobiles": "13000000001,13000000002"});
    let v = send(
        &sb,
        &creds,
        "POST",
        "msg/sms/mass/task",
        "",
        body.to_string().as_bytes(),
    );
    assert_eq!(v["code"], "010001");
    // Services: the route's (010002), and a template's type picks its service.
    sb.set_app_settings(
        &app,
        AppSettings {
            disabled_services: vec![Service::Sms],
            balance_exhausted: true,
            ..AppSettings::default()
        },
    )
    .unwrap();
    assert_eq!(
        sms(&sb, &creds, "13000000001", "1001", "1")["code"],
        "010002"
    );
    let v = send(&sb, &creds, "GET", "msg/sms", "", b"");
    assert_eq!(v["code"], "010002");
    let body = json!({"name": "n", "content": "c", "remark": "r"}).to_string();
    let v = send(&sb, &creds, "POST", "msg/template", "", body.as_bytes());
    assert_eq!(v["code"], "010002");
    let body = json!({"name": "n", "content": "c", "remark": "r", "type": "msg_ussd"}).to_string();
    let v = send(&sb, &creds, "POST", "msg/template", "", body.as_bytes());
    assert_eq!(v["code"], "000000");
    // The balance comes after the template and its arguments.
    let v = send(&sb, &creds, "GET", "msg/ussd", "", b"");
    assert_eq!(v["code"], "000000");
    sb.set_app_settings(
        &app,
        AppSettings {
            balance_exhausted: true,
            ..AppSettings::default()
        },
    )
    .unwrap();
    assert_eq!(
        sms(&sb, &creds, "13000000001", "1001", "")["code"],
        "050104"
    );
    assert_eq!(
        sms(&sb, &creds, "13000000001", "1001", "1")["code"],
        "010003"
    );
    // Routes: an unknown path 404, a wrong method 405 with Allow.
    let path = format!("/v1/account/{}/msg/sms/mass/task", creds.account);
    let r = raw(
        sb.local_addr(),
        "GET",
        &path,
        &creds.headers("GET", &path, b""),
        b"",
    );
    assert_eq!((r.status, r.header("Allow")), (405, Some("POST")));
    let path = format!("/v1/account/{}/msg/fax", creds.account);
    let r = raw(
        sb.local_addr(),
        "GET",
        &path,
        &creds.headers("GET", &path, b""),
        b"",
    );
    assert_eq!(r.status, 404);
    // Bodies: not JSON 000002, a list where a text goes 000001.
    let path = format!("/v1/account/{}/msg/sms/send", creds.account);
    let r = raw(
        sb.local_addr(),
        "POST",
        &path,
        &creds.headers("POST", &path, b"{"),
        b"{",
    );
    assert_eq!(r.json()["code"], "000002");
    let body = br#"{"mobile":["13000000001"],"tempId":"1001"}"#;
    let r = raw(
        sb.local_addr(),
        "POST",
        &path,
        &creds.headers("POST", &path, body),
        body,
    );
    assert_eq!(r.json()["code"], "000001");
}
