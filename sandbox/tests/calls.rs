//! Calls end to end: webhook bodies against the shared vectors, retries, cancel, validation,
//! admin endpoints and API delay. Real HTTP on 127.0.0.1 throughout.

mod common;

use common::*;
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use yunhuni_sandbox::{Behavior, CallState, EndEventState, Sandbox, SubAccount};

const WAIT: Duration = Duration::from_secs(30);
const TIME_KEYS: [&str; 5] = [
    "begin_time",
    "answer_time1",
    "answer_time2",
    "answer_time",
    "end_time",
];

#[derive(Clone, Copy, PartialEq)]
enum Cancel {
    No,
    AtOnce,
    WhenDialing2,
}

struct Scenario {
    vector: &'static str,
    op: &'static str,
    sub: bool,
    body: String,
    cancel: Cancel,
    /// Expected `time - begin_time` of every other time key, in simulated milliseconds.
    deltas: &'static [(&'static str, i64)],
}

fn duo(to1: &str, to2: &str, max_call: u32, user_data: Option<&str>) -> String {
    let mut v = serde_json::json!({"to1": to1, "to2": to2, "max_call_duration": max_call});
    if let Some(u) = user_data {
        v["user_data"] = u.into();
    }
    v.to_string()
}

fn with_user_data(mut v: serde_json::Value, user_data: Option<&str>) -> String {
    if let Some(u) = user_data {
        v["user_data"] = u.into();
    }
    v.to_string()
}

/// A never-hanging-up number besides the reserved one, and a number whose bridge fails.
const NEVER_HANGS_UP: &str = "13700000002";
const BRIDGE_ERROR: &str = "13700000001";
const DEFAULT1: &str = "13800000001";
const DEFAULT2: &str = "13800000002";

fn scenarios() -> Vec<Scenario> {
    use Cancel::*;
    let s = |vector, op, sub, body, cancel, deltas| Scenario {
        vector,
        op,
        sub,
        body,
        cancel,
        deltas,
    };
    let long_notify = serde_json::json!({"to": "13800000003", "play_content": [["hello", 0], ["42", 1], ["3.5", 2]], "repeat": 1});
    vec![
        s(
            "server-duo-cti-failure",
            "duo_callback",
            false,
            duo("13900000009", DEFAULT2, 60, Some("order-1")),
            No,
            &[],
        ),
        s(
            "server-duo-leg1-not-reached",
            "duo_callback",
            false,
            duo("13900000001", DEFAULT2, 60, Some("order-2")),
            No,
            &[],
        ),
        s(
            "server-duo-leg2-not-reached",
            "duo_callback",
            false,
            duo(DEFAULT1, "13900000001", 60, Some("order-3")),
            No,
            &[("answer_time1", 2000)],
        ),
        s(
            "server-duo-cancelled-before-leg1-answered",
            "duo_callback",
            false,
            duo("13900000002", DEFAULT2, 60, Some("order-4")),
            AtOnce,
            &[],
        ),
        s(
            "server-duo-cancelled-after-leg1-answered",
            "duo_callback",
            false,
            duo(DEFAULT1, "13900000002", 60, Some("order-5")),
            WhenDialing2,
            &[("answer_time1", 2000)],
        ),
        s(
            "server-duo-connected-party1-hangup",
            "duo_callback",
            false,
            duo("13900000004", DEFAULT2, 60, Some("order-42")),
            No,
            &[
                ("answer_time1", 2000),
                ("answer_time2", 4000),
                ("end_time", 7000),
            ],
        ),
        s(
            "server-duo-connected-party2-hangup",
            "duo_callback",
            false,
            duo(DEFAULT1, DEFAULT2, 60, Some("order-7")),
            No,
            &[
                ("answer_time1", 2000),
                ("answer_time2", 4000),
                ("end_time", 9000),
            ],
        ),
        s(
            "server-duo-connected-max-call-duration",
            "duo_callback",
            false,
            duo("13900000005", NEVER_HANGS_UP, 10, Some("order-8")),
            No,
            &[
                ("answer_time1", 2000),
                ("answer_time2", 4000),
                ("end_time", 14000),
            ],
        ),
        s(
            "server-duo-connected-bridge-error",
            "duo_callback",
            false,
            duo(DEFAULT1, BRIDGE_ERROR, 60, Some("order-9")),
            No,
            &[
                ("answer_time1", 2000),
                ("answer_time2", 4000),
                ("end_time", 4000),
            ],
        ),
        s(
            "server-duo-connected-no-user-data",
            "duo_callback",
            false,
            duo("13900000004", DEFAULT2, 60, None),
            No,
            &[
                ("answer_time1", 2000),
                ("answer_time2", 4000),
                ("end_time", 7000),
            ],
        ),
        s(
            "server-duo-user-data-json-escapes",
            "duo_callback",
            false,
            duo(DEFAULT1, DEFAULT2, 60, Some("say \"hi\"\\path/x")),
            No,
            &[
                ("answer_time1", 2000),
                ("answer_time2", 4000),
                ("end_time", 9000),
            ],
        ),
        s(
            "server-duo-user-data-emoji",
            "duo_callback",
            false,
            duo("13900000001", DEFAULT2, 60, Some("ok😀")),
            No,
            &[],
        ),
        s(
            "server-duo-sub-connected-party2-no-user-data",
            "duo_callback",
            true,
            duo(DEFAULT1, DEFAULT2, 60, None),
            No,
            &[
                ("answer_time1", 2000),
                ("answer_time2", 4000),
                ("end_time", 9000),
            ],
        ),
        s(
            "server-duo-sub-leg1-not-reached-chinese-user-data",
            "duo_callback",
            true,
            duo("13900000001", DEFAULT2, 60, Some("订单-42")),
            No,
            &[],
        ),
        s(
            "server-duo-sub-connected-party1-latin1-user-data",
            "duo_callback",
            true,
            duo("13900000004", DEFAULT2, 60, Some("café")),
            No,
            &[
                ("answer_time1", 2000),
                ("answer_time2", 4000),
                ("end_time", 7000),
            ],
        ),
        s(
            "server-duo-sub-cti-failure-chinese-user-data",
            "duo_callback",
            true,
            duo("13900000009", DEFAULT2, 60, Some("订单-43")),
            No,
            &[],
        ),
        s(
            "server-duo-sub-cti-failure-no-user-data",
            "duo_callback",
            true,
            duo(DEFAULT1, "13900000009", 60, None),
            No,
            &[],
        ),
        s(
            "server-duo-sub-max-call-duration",
            "duo_callback",
            true,
            duo("13900000005", NEVER_HANGS_UP, 30, Some("sub-order")),
            No,
            &[
                ("answer_time1", 2000),
                ("answer_time2", 4000),
                ("end_time", 34000),
            ],
        ),
        s(
            "server-duo-sub-cancelled-after-leg1-answered",
            "duo_callback",
            true,
            duo(DEFAULT1, "13900000002", 60, Some("été")),
            WhenDialing2,
            &[("answer_time1", 2000)],
        ),
        s(
            "server-notify-answered-system-finished",
            "notify_call",
            false,
            with_user_data(
                serde_json::json!({"to": "13800000003", "play_file": "welcome.wav", "repeat": 0}),
                Some("notify-1"),
            ),
            No,
            &[("answer_time", 2000), ("end_time", 4000)],
        ),
        s(
            "server-notify-answered-user-hangup",
            "notify_call",
            false,
            with_user_data(long_notify.clone(), Some("notify-2")),
            No,
            &[("answer_time", 2000), ("end_time", 7000)],
        ),
        s(
            "server-notify-not-answered-ring-timeout",
            "notify_call",
            false,
            with_user_data(
                serde_json::json!({"to": "13900000002", "play_file": "a.wav"}),
                Some("notify-3"),
            ),
            No,
            &[("end_time", 45000)],
        ),
        s(
            "server-notify-dial-failed",
            "notify_call",
            false,
            serde_json::json!({"to": "13900000001", "play_file": "a.wav"}).to_string(),
            No,
            &[("end_time", 1000)],
        ),
        s(
            "server-notify-sub-chinese-user-data",
            "notify_call",
            true,
            with_user_data(long_notify, Some("订单-1")),
            No,
            &[("answer_time", 2000), ("end_time", 7000)],
        ),
        s(
            "server-verify-normal-end-as-notify-user-hangup",
            "verify_call",
            false,
            with_user_data(
                serde_json::json!({"to": "13800000003", "verify_code": "12345678"}),
                Some("v-1"),
            ),
            No,
            &[("answer_time", 2000), ("end_time", 7000)],
        ),
        s(
            "server-verify-normal-end-as-notify-system-finished",
            "verify_call",
            false,
            serde_json::json!({"to": "13800000003", "verify_code": "1234"}).to_string(),
            No,
            &[("answer_time", 2000), ("end_time", 6000)],
        ),
        s(
            "server-verify-normal-end-as-notify-ring-timeout-sub",
            "verify_call",
            true,
            with_user_data(
                serde_json::json!({"to": "13900000002", "verify_code": "1234"}),
                Some("café"),
            ),
            No,
            &[("end_time", 50000)],
        ),
        s(
            "server-verify-cti-failure",
            "verify_call",
            false,
            with_user_data(
                serde_json::json!({"to": "13900000009", "verify_code": "1234"}),
                Some("v-2"),
            ),
            No,
            &[],
        ),
        s(
            "server-notify-cti-failure",
            "notify_call",
            false,
            with_user_data(
                serde_json::json!({"to": "13900000009", "play_file": "a.wav"}),
                Some("订单-2"),
            ),
            No,
            &[],
        ),
        s(
            "server-verify-cti-failure-sub-no-user-data",
            "verify_call",
            true,
            serde_json::json!({"to": "13900000009", "play_file": "code.wav"}).to_string(),
            No,
            &[],
        ),
    ]
}

fn num(v: &str) -> i64 {
    v.parse().unwrap_or_else(|_| panic!("not a number: {v}"))
}

/// Compares a received body with a vector: same keys in the same order, same values except
/// ids and times, ids well formed, times whole seconds in the same order as the vector's and
/// at the scripted offsets; and byte-identical once ids and times are swapped in.
fn compare(name: &str, vector: &[u8], mine: &[u8], sub_id: &str, deltas: &[(&str, i64)]) {
    let v = flat_json(vector);
    let m = flat_json(mine);
    assert_eq!(flat_bytes(&m), mine, "{name}: tokenizer");
    let v_keys: Vec<&str> = v.iter().map(|(k, _)| k.as_str()).collect();
    let m_keys: Vec<&str> = m.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        m_keys,
        v_keys,
        "{name}: key order\n mine:   {}\n vector: {}",
        String::from_utf8_lossy(mine),
        String::from_utf8_lossy(vector)
    );
    let mut swapped = m.clone();
    for (i, ((k, mv), (_, vv))) in m.iter().zip(&v).enumerate() {
        match k.as_str() {
            "id" => {
                let id = mv.trim_matches('"');
                assert!(
                    id.len() == 32
                        && id
                            .bytes()
                            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
                    "{name}: id {mv}"
                );
                swapped[i].1 = vv.clone();
            }
            "subaccount_id" => {
                assert_eq!(mv, &format!("\"{sub_id}\""), "{name}");
                swapped[i].1 = vv.clone();
            }
            k if TIME_KEYS.contains(&k) => {
                assert!(
                    num(mv) > 1_400_000_000_000 && num(mv) % 1000 == 0,
                    "{name}: {k} {mv}"
                );
                swapped[i].1 = vv.clone();
            }
            _ => assert_eq!(mv, vv, "{name}: {k}"),
        }
    }
    assert_eq!(
        flat_bytes(&swapped),
        vector,
        "{name}: bytes with ids and times swapped in"
    );
    // Times: the same order as in the vector, and the scripted offsets.
    let times = |t: &[(String, String)]| -> Vec<i64> {
        t.iter()
            .filter(|(k, _)| TIME_KEYS.contains(&k.as_str()))
            .map(|(_, v)| num(v))
            .collect()
    };
    let (vt, mt) = (times(&v), times(&m));
    for i in 0..vt.len() {
        for j in 0..vt.len() {
            assert_eq!(vt[i].cmp(&vt[j]), mt[i].cmp(&mt[j]), "{name}: time order");
        }
    }
    let get = |key: &str| m.iter().find(|(k, _)| k == key).map(|(_, v)| num(v));
    let others: BTreeSet<&str> = m_keys
        .iter()
        .copied()
        .filter(|k| TIME_KEYS.contains(k) && *k != "begin_time")
        .collect();
    let scripted: BTreeSet<&str> = deltas.iter().map(|(k, _)| *k).collect();
    assert_eq!(others, scripted, "{name}: time keys");
    if let Some(begin) = get("begin_time") {
        for (key, delta) in deltas {
            assert_eq!(
                get(key).unwrap() - begin,
                *delta,
                "{name}: {key} - begin_time"
            );
        }
    }
}

fn server_vectors() -> HashMap<String, (Option<String>, Vec<u8>)> {
    let v = vectors("events.json");
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        // The simple calls' vectors (tests/conf.rs checks the conference ones).
        .filter(|c| {
            let name = c["name"].as_str().unwrap_or("");
            c["source"] == "server"
                && ["server-duo-", "server-notify-", "server-verify-"]
                    .iter()
                    .any(|p| name.starts_with(p))
        })
        .map(|c| {
            let row = c["outcome_row"].as_str().map(str::to_owned);
            (
                c["name"].as_str().unwrap().to_owned(),
                (row, hex_decode(c["body_hex"].as_str().unwrap())),
            )
        })
        .collect()
}

fn cancel(addr: SocketAddr, creds: &Creds, id: &str) -> String {
    post(
        addr,
        creds,
        "duo_callback_cancel",
        &serde_json::json!({ "callId": id }).to_string(),
    )
    .text()
}

#[test]
fn webhook_bodies_match_the_server_vectors() {
    let vectors = server_vectors();
    let scenarios = scenarios();
    // Every server vector is played, so every outcome row of the table is covered.
    let played: BTreeSet<&str> = scenarios.iter().map(|s| s.vector).collect();
    let all: BTreeSet<&str> = vectors.keys().map(String::as_str).collect();
    assert_eq!(played, all);
    let rows: BTreeSet<&str> = vectors.values().filter_map(|(r, _)| r.as_deref()).collect();
    assert_eq!(rows.len(), 8, "outcome rows: {rows:?}");

    let listener = Listener::ok();
    let sb = Sandbox::builder()
        .time_scale(100.0)
        .callback_url(listener.url())
        .start()
        .unwrap();
    sb.set_behavior(NEVER_HANGS_UP, Behavior::answer_after(2000));
    sb.set_behavior(
        BRIDGE_ERROR,
        Behavior::answer_after(2000).with_bridge_error(),
    );
    let addr = sb.local_addr();
    let (main, sub) = (Creds::of(&sb), Creds::sub(&sb));
    let (sub_id, _, _) = sb.sub_account();

    let mut placed = Vec::new();
    for s in &scenarios {
        let creds = if s.sub { &sub } else { &main };
        let id = place(addr, creds, s.op, &s.body);
        if s.cancel == Cancel::AtOnce {
            assert_eq!(
                cancel(addr, creds, &id),
                r#"{"code":"000000","msg":"请求成功","data":null}"#
            );
        }
        placed.push((s, id));
    }
    for (s, id) in &placed {
        if s.cancel == Cancel::WhenDialing2 {
            eventually(WAIT, "leg 2 dialling", || {
                (sb.call(id)?.state == CallState::Dialing2).then_some(())
            });
            let creds = if s.sub { &sub } else { &main };
            assert_eq!(
                cancel(addr, creds, id),
                r#"{"code":"000000","msg":"请求成功","data":null}"#
            );
        }
    }
    for (s, id) in &placed {
        let delivery = sb
            .wait_for_end(id, WAIT)
            .unwrap_or_else(|| panic!("{}: no end event", s.vector));
        assert!(delivery.delivered, "{}", s.vector);
        assert_eq!(delivery.attempts.len(), 1);
        let hooks = listener.hooks_for(id);
        assert_eq!(hooks.len(), 1, "{}", s.vector);
        let hook = &hooks[0];
        assert_eq!(hook.body, delivery.body);
        assert_eq!(
            (hook.method.as_str(), hook.path.as_str()),
            ("POST", "/hook")
        );
        assert_eq!(
            hook.header("Content-Type"),
            Some("application/json;charset=utf-8")
        );
        assert_eq!(hook.header("accept"), Some("text/plain;charset=utf-8"));
        assert_eq!(
            hook.header("User-Agent"),
            Some("Apache-HttpAsyncClient/4.1.1 (Java/1.8.0_121)")
        );
        compare(s.vector, &vectors[s.vector].1, &hook.body, sub_id, s.deltas);
        let info = sb.call(id).unwrap();
        assert_eq!(info.state, CallState::Closed);
        assert!(info.end_event_delivered);
        assert_eq!(info.subaccount_id.as_deref(), s.sub.then_some(sub_id));
    }
    // Nothing else was sent.
    assert_eq!(listener.hooks().len(), scenarios.len());
}

#[test]
fn utf8_switch_sends_utf8() {
    let listener = Listener::ok();
    let sb = Sandbox::builder()
        .time_scale(100.0)
        .utf8_webhooks(true)
        .callback_url(listener.url())
        .start()
        .unwrap();
    let creds = Creds::of(&sb);
    let busy = place(
        sb.local_addr(),
        &creds,
        "duo_callback",
        &duo("13900000001", DEFAULT2, 60, Some("订单-42")),
    );
    let failed = place(
        sb.local_addr(),
        &creds,
        "duo_callback",
        &duo("13900000009", DEFAULT2, 60, Some("café")),
    );
    let d = sb.wait_for_end(&busy, WAIT).unwrap();
    let text = String::from_utf8(d.body.clone()).unwrap();
    assert!(text.contains(r#""user_data":"订单-42""#), "{text}");
    assert_eq!(listener.hooks_for(&busy)[0].body, d.body);
    let d = sb.wait_for_end(&failed, WAIT).unwrap();
    let text = String::from_utf8(d.body.clone()).unwrap();
    assert!(
        text.ends_with(r#""user_data":"café","event":"duo_callback.end","error":"调用失败"}"#),
        "{text}"
    );
    assert_eq!(d.body_text(), text);
    assert_eq!(
        listener.hooks_for(&failed)[0].header("Content-Type"),
        Some("application/json;charset=utf-8")
    );
}

#[test]
fn faithful_encoding_replaces_non_latin1() {
    let sb = Sandbox::builder().time_scale(100.0).start().unwrap();
    let creds = Creds::of(&sb);
    let id = place(
        sb.local_addr(),
        &creds,
        "duo_callback",
        &duo("13900000009", DEFAULT2, 60, Some("订单é😀")),
    );
    // No callback URL: the body is still built, and nothing is sent.
    let d = sb.wait_for_end(&id, WAIT).unwrap();
    assert_eq!(d.url, None);
    assert!(d.attempts.is_empty() && !d.delivered);
    let expected = format!(
        r#"{{"action":"event_notify","id":"{id}","user_data":"??é?","event":"duo_callback.end","error":"????"}}"#
    );
    assert_eq!(
        d.body,
        expected
            .chars()
            .map(|c| c as u32 as u8)
            .collect::<Vec<u8>>()
    );
    assert_eq!(d.body_text(), expected);
    assert_eq!(
        sb.call(&id).unwrap().end_event,
        EndEventState::NoCallbackUrl
    );
}

#[test]
fn responses_have_the_platform_shape() {
    let sb = Sandbox::builder().start().unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    let check = |r: &RawResponse, before: &str, after: &str| {
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("Content-Type"),
            Some("application/json;charset=UTF-8")
        );
        let text = r.text();
        assert!(text.starts_with(before) && text.ends_with(after), "{text}");
        let id = &text[before.len()..text.len() - after.len()];
        assert!(
            id.len() == 32
                && id
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{id}"
        );
    };
    let ok = r#"{"code":"000000","msg":"请求成功","data":{"callId":""#;
    check(
        &post(
            addr,
            &creds,
            "duo_callback",
            &duo(DEFAULT1, DEFAULT2, 60, None),
        ),
        ok,
        r#"","user_data":null}}"#,
    );
    check(
        &post(
            addr,
            &creds,
            "duo_callback",
            &duo(DEFAULT1, DEFAULT2, 60, Some("订单\"1\"")),
        ),
        ok,
        r#"","user_data":"订单\"1\""}}"#,
    );
    let body = r#"{"to1":13800000001,"to2":"13800000002","max_call_duration":"60","user_data":42}"#;
    check(
        &post(addr, &creds, "duo_callback", body),
        ok,
        r#"","user_data":"42"}}"#,
    );
    check(
        &post(
            addr,
            &creds,
            "notify_call",
            r#"{"to":"1","play_file":"a.wav"}"#,
        ),
        ok,
        r#"","user_data":null}}"#,
    );
    check(
        &post(
            addr,
            &creds,
            "notify_call",
            r#"{"to":"1","play_file":"a.wav","user_data":"u"}"#,
        ),
        ok,
        r#"","user_data":"u"}}"#,
    );
    check(
        &post(
            addr,
            &creds,
            "verify_call",
            r#"{"to":"1","verify_code":"1234","user_data":"u"}"#,
        ),
        ok,
        r#""}}"#,
    );
}

#[test]
fn validation_table() {
    let sb = Sandbox::builder().start().unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    let long = |n: usize, c: &str| c.repeat(n);
    let duo_cases: Vec<(String, &str)> = vec![
        (r#"{"to1":"1","to2":"2","max_call_duration":60}"#.into(), "000000"),
        ("{}".into(), "000001"),
        (r#"{"to2":"2","max_call_duration":60}"#.into(), "000001"),
        (r#"{"to1":"  ","to2":"2","max_call_duration":60}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"","max_call_duration":60}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"1","max_call_duration":60}"#.into(), "030500"),
        (r#"{"to1":"1","to2":"1"}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"1","max_call_duration":60,"ring_tone_mode":1}"#.into(), "030500"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"ring_tone_mode":1}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"ring_tone_mode":"1"}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"ring_tone_mode":4}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"ring_tone_mode":3,"ring_tone":"r.wav"}"#.into(), "000000"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"ring_tone_mode":"2"}"#.into(), "000000"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"max_dial_duration":0}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"max_dial_duration":301}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"max_dial_duration":"300"}"#.into(), "000000"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"max_dial_duration":null}"#.into(), "000000"),
        (r#"{"to1":"1","to2":"2","max_call_duration":0}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":21601}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":21600}"#.into(), "000000"),
        (r#"{"to1":"1","to2":"2","max_call_duration":"abc"}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":"5.5"}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":5.5}"#.into(), "000000"),
        (r#"{"to1":"1","to2":"2","max_call_duration":" 60 "}"#.into(), "000000"),
        (r#"{"to1":"1","to2":"2","max_call_duration":null}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":""}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":true}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":99999999999}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"record_mode":4}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"record_mode":3}"#.into(), "000000"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"recording":1}"#.into(), "000000"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"recording":"yes"}"#.into(), "000001"),
        (format!(r#"{{"to1":"1","to2":"2","max_call_duration":60,"user_data":"{}"}}"#, long(128, "a")), "000000"),
        (format!(r#"{{"to1":"1","to2":"2","max_call_duration":60,"user_data":"{}"}}"#, long(129, "a")), "000001"),
        (format!(r#"{{"to1":"1","to2":"2","max_call_duration":60,"user_data":"{}"}}"#, long(128, "订")), "000000"),
        (format!(r#"{{"to1":"1","to2":"2","max_call_duration":60,"user_data":"{}"}}"#, long(65, "😀")), "000001"),
        (r#"{"to1":13800000001,"to2":13800000002,"max_call_duration":60}"#.into(), "000000"),
        (r#"{"to1":{"n":1},"to2":"2","max_call_duration":60}"#.into(), "000001"),
        (r#"{"to1":["1"],"to2":"2","max_call_duration":60}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"unknown":{"x":[1,2]}}"#.into(), "000000"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60,"from1":{"x":1}}"#.into(), "000001"),
        (r#"{"to1":"1","to2":"2","max_call_duration":60} trailing"#.into(), "000000"),
        ("[1]".into(), "000001"),
        (r#""text""#.into(), "000001"),
        ("42".into(), "000001"),
        ("  ".into(), "000001"),
        ("null".into(), "000002"),
        ("".into(), "000002"),
        ("not json".into(), "000002"),
        (r#"{"to1":"1","#.into(), "000002"),
        (r#"{"to1":"1",}"#.into(), "000002"),
    ];
    let notify_cases: Vec<(&str, &str)> = vec![
        (r#"{"to":"1","play_file":"a.wav"}"#, "000000"),
        (r#"{"play_file":"a.wav"}"#, "000001"),
        (r#"{"to":" ","play_file":"a.wav"}"#, "000001"),
        (r#"{"to":"1"}"#, "000001"),
        (r#"{"to":"1","play_file":" "}"#, "000001"),
        (
            r#"{"to":"1","play_content":[["",0],["x"],["y",null]]}"#,
            "000001",
        ),
        // A null row fails the controller's loop (a null dereference): 000002.
        (r#"{"to":"1","play_content":[["x",0],null]}"#, "000002"),
        (r#"{"to":"1","play_content":[["",0],["x",0]]}"#, "000000"),
        (r#"{"to":"1","play_content":[["x",6]]}"#, "000001"),
        (r#"{"to":"1","play_content":[["x","0"]]}"#, "000000"),
        (r#"{"to":"1","play_content":[["abc",1]]}"#, "000001"),
        (r#"{"to":"1","play_content":[["12",1]]}"#, "000000"),
        (r#"{"to":"1","play_content":[["1.5",2]]}"#, "000000"),
        (r#"{"to":"1","play_content":[["x",3]]}"#, "000001"),
        (r#"{"to":"1","play_content":[["2017-01-01",4]]}"#, "000000"),
        (
            r#"{"to":"1","play_content":[["2017-01-01 08:00",4]]}"#,
            "000000",
        ),
        (r#"{"to":"1","play_content":[["2017/01/01",4]]}"#, "000001"),
        (r#"{"to":"1","play_content":[["12:30",5]]}"#, "000000"),
        (r#"{"to":"1","play_content":[["2017-01-01",5]]}"#, "000001"),
        (r#"{"to":"1","play_content":"x"}"#, "000001"),
        (r#"{"to":"1","play_content":["x"]}"#, "000001"),
        (r#"{"to":"1","play_file":"a.wav","repeat":11}"#, "000001"),
        (r#"{"to":"1","play_file":"a.wav","repeat":10}"#, "000000"),
        (
            r#"{"to":"1","play_file":"a.wav","max_dial_duration":301}"#,
            "000001",
        ),
    ];
    let verify_cases: Vec<(String, &str)> = vec![
        (r#"{"to":"1","verify_code":"1234"}"#.into(), "000000"),
        (r#"{"to":"1","play_file":"a.wav"}"#.into(), "000000"),
        (r#"{"to":"1","verify_code":1234}"#.into(), "000000"),
        (r#"{"verify_code":"1234"}"#.into(), "000001"),
        (
            format!(r#"{{"to":"{}","verify_code":"1"}}"#, long(129, "1")),
            "000001",
        ),
        (
            format!(
                r#"{{"to":"1","verify_code":"1","from":"{}"}}"#,
                long(129, "1")
            ),
            "000001",
        ),
        (
            format!(r#"{{"to":"1","play_file":"{}"}}"#, long(513, "a")),
            "000001",
        ),
        (r#"{"to":"1","verify_code":"12a"}"#.into(), "000001"),
        (
            r#"{"to":"1","verify_code":"1234567890123"}"#.into(),
            "000001",
        ),
        (
            r#"{"to":"1","verify_code":"123456789012"}"#.into(),
            "000000",
        ),
        (r#"{"to":"1"}"#.into(), "000001"),
        (
            r#"{"to":"1","verify_code":"","play_file":""}"#.into(),
            "000001",
        ),
        (
            r#"{"to":"1","verify_code":"1","repeat":11}"#.into(),
            "000001",
        ),
        (
            r#"{"to":"1","verify_code":"1","max_dial_duration":0}"#.into(),
            "000001",
        ),
    ];
    let cancel_cases: Vec<(&str, &str)> = vec![
        (r#"{"callId":"0123456789abcdef0123456789abcdef"}"#, "020000"),
        (r#"{}"#, "020000"),
        (r#"{"callId":null}"#, "020000"),
        (r#"{"callId":123}"#, "000002"),
        ("[]", "000001"),
        ("", "000002"),
    ];
    let mut all: Vec<(&str, String, &str)> = Vec::new();
    all.extend(
        duo_cases
            .iter()
            .map(|(b, c)| ("duo_callback", b.clone(), *c)),
    );
    all.extend(
        notify_cases
            .iter()
            .map(|(b, c)| ("notify_call", b.to_string(), *c)),
    );
    all.extend(
        verify_cases
            .iter()
            .map(|(b, c)| ("verify_call", b.clone(), *c)),
    );
    all.extend(
        cancel_cases
            .iter()
            .map(|(b, c)| ("duo_callback_cancel", b.to_string(), *c)),
    );
    let msgs: HashMap<&str, &str> = [
        ("000000", "请求成功"),
        ("000001", "参数错误"),
        ("000002", "未知错误"),
        ("020000", "呼叫不存在"),
        ("030500", "双向回拔的号码不能是同一号码"),
    ]
    .into();
    for (op, body, code) in all {
        let r = post(addr, &creds, op, &body);
        assert_eq!(r.status, 200);
        let v = r.json();
        assert_eq!(v["code"], code, "{op} {body}: {v}");
        if code != "000000" {
            assert_eq!(
                r.text(),
                format!(r#"{{"code":"{code}","msg":"{}","data":null}}"#, msgs[code])
            );
        }
    }
    // A non-JSON content type, correctly signed, is 000002.
    let path = creds.path("duo_callback");
    let body = r#"{"to1":"1","to2":"2","max_call_duration":60}"#;
    for ct in ["text/plain", "application/x-www-form-urlencoded", "json"] {
        let ts = timestamp_now();
        let sig = hmac_b64(
            &creds.secret,
            &to_sign("POST", &path, Some(ct), body.as_bytes(), &ts, &creds.app_id),
        );
        let headers = vec![
            ("AppID".to_owned(), creds.app_id.clone()),
            ("CertID".to_owned(), creds.cert_id.clone()),
            ("Timestamp".to_owned(), ts),
            ("Signature".to_owned(), sig),
            ("Content-Type".to_owned(), ct.to_owned()),
        ];
        let r = raw(addr, "POST", &path, &headers, body.as_bytes());
        assert_eq!(
            r.text(),
            r#"{"code":"000002","msg":"未知错误","data":null}"#,
            "{ct}"
        );
    }
}

#[test]
fn cancel_rules() {
    let listener = Listener::ok();
    let sb = Sandbox::builder()
        .time_scale(100.0)
        .callback_url(listener.url())
        .start()
        .unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    let success = r#"{"code":"000000","msg":"请求成功","data":null}"#;
    let missing = r#"{"code":"020000","msg":"呼叫不存在","data":null}"#;
    assert_eq!(
        cancel(addr, &creds, "0123456789abcdef0123456789abcdef"),
        missing
    );

    // Before leg 2: hang-up of leg 1, normal release, end event with hangup_by "0".
    let id = place(
        addr,
        &creds,
        "duo_callback",
        &duo("13900000002", DEFAULT2, 60, None),
    );
    assert_eq!(cancel(addr, &creds, &id), success);
    let d = sb.wait_for_end(&id, WAIT).unwrap();
    let body = flat_json(&d.body);
    assert!(body.contains(&("hangup_by".into(), "\"0\"".into())));
    assert!(!body
        .iter()
        .any(|(k, _)| k.starts_with("answer_time") || k == "end_time"));
    let info = sb.call(&id).unwrap();
    let releasing = info
        .timeline
        .iter()
        .find(|e| e.state == CallState::Releasing)
        .unwrap();
    let closed = info
        .timeline
        .iter()
        .find(|e| e.state == CallState::Closed)
        .unwrap();
    assert_eq!(
        closed.sim_time_ms - releasing.sim_time_ms,
        1000,
        "the 1 s wait before release"
    );
    // After close: 020000, and no second event.
    assert_eq!(cancel(addr, &creds, &id), missing);

    // After leg 2 is connected: accepted but ignored; the call ends normally.
    let id = place(
        addr,
        &creds,
        "duo_callback",
        &duo(DEFAULT1, DEFAULT2, 60, None),
    );
    eventually(WAIT, "connected", || {
        (sb.call(&id)?.state == CallState::Connected).then_some(())
    });
    assert_eq!(cancel(addr, &creds, &id), success);
    let d = sb.wait_for_end(&id, WAIT).unwrap();
    let body = flat_json(&d.body);
    assert!(
        body.contains(&("hangup_by".into(), "\"2\"".into())),
        "{body:?}"
    );
    assert_eq!(listener.hooks_for(&id).len(), 1);

    // A sub-account can cancel a call of the main account (no ownership check).
    let id = place(
        addr,
        &creds,
        "duo_callback",
        &duo("13900000002", DEFAULT2, 60, None),
    );
    assert_eq!(cancel(addr, &Creds::sub(&sb), &id), success);
    sb.wait_for_end(&id, WAIT).unwrap();
}

#[test]
fn timing_rules() {
    let sb = Sandbox::builder().time_scale(200.0).start().unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    sb.set_behavior("13600000001", Behavior::answer_after(10_000));
    let times = |id: &str| -> HashMap<String, i64> {
        let d = sb.wait_for_end(id, WAIT).unwrap();
        flat_json(&d.body)
            .into_iter()
            .filter(|(k, _)| TIME_KEYS.contains(&k.as_str()))
            .map(|(k, v)| (k, num(&v)))
            .collect()
    };
    // Ring tone mode 3 with a file: 3 s played to leg 1 before leg 2 is dialled.
    let body = r#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60,"ring_tone":"r.wav","ring_tone_mode":3}"#;
    let t = times(&place(addr, &creds, "duo_callback", body));
    assert_eq!(t["answer_time2"] - t["answer_time1"], 5000);
    // Mode 0, or mode 3 without a file: leg 2 is dialled at once.
    for body in [
        r#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60,"ring_tone":"r.wav"}"#,
        r#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60,"ring_tone_mode":3}"#,
    ] {
        let t = times(&place(addr, &creds, "duo_callback", body));
        assert_eq!(t["answer_time2"] - t["answer_time1"], 2000, "{body}");
    }
    // max_dial_duration applies to each leg.
    let body =
        r#"{"to1":"13600000001","to2":"13800000002","max_call_duration":60,"max_dial_duration":5}"#;
    let id = place(addr, &creds, "duo_callback", body);
    let t = times(&id);
    assert_eq!(t.len(), 1, "{t:?}");
    let timeline = sb.call(&id).unwrap().timeline;
    assert_eq!(
        timeline.last().unwrap().sim_time_ms - timeline[0].sim_time_ms,
        6000,
        "{timeline:?}"
    );
    let body = r#"{"to1":"13800000001","to2":"13600000001","max_call_duration":60,"max_dial_duration":11}"#;
    let t = times(&place(addr, &creds, "duo_callback", body));
    assert_eq!(t["end_time"] - t["answer_time2"], 5000);
    assert_eq!(t["answer_time2"] - t["answer_time1"], 10_000);
    // Timeline of a full call, with the state names of the inspection API.
    let id = place(
        addr,
        &creds,
        "duo_callback",
        &duo(DEFAULT1, DEFAULT2, 60, None),
    );
    sb.wait_for_end(&id, WAIT).unwrap();
    let states: Vec<&str> = sb
        .call(&id)
        .unwrap()
        .timeline
        .iter()
        .map(|e| e.state.as_str())
        .collect();
    assert_eq!(
        states,
        [
            "dialing1",
            "answered1",
            "dialing2",
            "connected",
            "releasing",
            "closed",
            "closed"
        ]
    );
    // Notify content length: rows and files times (repeat + 1); verify digits.
    sb.set_behavior("13600000002", Behavior::answer_after(1000));
    let body =
        r#"{"to":"13600000002","play_file":"a.wav|b.wav","play_content":[["x",0]],"repeat":2}"#;
    let t = times(&place(addr, &creds, "notify_call", body));
    assert_eq!(t["end_time"] - t["answer_time"], 18_000);
    let body = r#"{"to":"13600000002","play_file":"a.wav","verify_code":"123","repeat":1}"#;
    let t = times(&place(addr, &creds, "verify_call", body));
    assert_eq!(t["end_time"] - t["answer_time"], 10_000);
    // Default notify repeat is 1: one file plays twice.
    let t = times(&place(
        addr,
        &creds,
        "notify_call",
        r#"{"to":"13600000002","play_file":"a.wav"}"#,
    ));
    assert_eq!(t["end_time"] - t["answer_time"], 4000);
}

#[test]
fn retries_then_success() {
    let listener = Listener::start(|n| if n < 3 { 500 } else { 200 });
    let sb = Sandbox::builder()
        .time_scale(100.0)
        .callback_url(listener.url())
        .start()
        .unwrap();
    let id = place(
        sb.local_addr(),
        &Creds::of(&sb),
        "duo_callback",
        &duo("13900000001", DEFAULT2, 60, None),
    );
    let d = sb.wait_for_end(&id, WAIT).unwrap();
    assert!(d.delivered);
    let statuses: Vec<Option<u16>> = d.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(500), Some(500), Some(500), Some(200)]);
    assert_eq!(
        d.attempts.iter().map(|a| a.attempt).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    let hooks = listener.hooks_for(&id);
    assert_eq!(hooks.len(), 4);
    assert!(hooks.iter().all(|h| h.body == d.body));
    assert_eq!(sb.webhooks_for(&id), d.attempts);
}

#[test]
fn failing_receivers_get_exactly_four_attempts() {
    let always_500 = Listener::start(|_| 500);
    let always_204 = Listener::start(|_| 204);
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/hook", l.local_addr().unwrap())
    };
    let sb = Sandbox::builder()
        .time_scale(100.0)
        .callback_url(always_500.url())
        .start()
        .unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    let first = place(
        addr,
        &creds,
        "duo_callback",
        &duo("13900000001", DEFAULT2, 60, None),
    );
    sb.set_callback_url(Some(&always_204.url()));
    let second = place(
        addr,
        &creds,
        "duo_callback",
        &duo("13900000001", DEFAULT2, 60, None),
    );
    sb.set_callback_url(Some(&refused));
    let third = place(
        addr,
        &creds,
        "duo_callback",
        &duo("13900000001", DEFAULT2, 60, None),
    );
    sb.set_callback_url(Some("not a url"));
    let fourth = place(
        addr,
        &creds,
        "duo_callback",
        &duo("13900000001", DEFAULT2, 60, None),
    );
    for id in [&first, &second, &third, &fourth] {
        let d = sb.wait_for_end(id, WAIT).unwrap();
        assert!(!d.delivered);
        assert_eq!(d.attempts.len(), 4, "{d:?}");
        assert_eq!(sb.call(id).unwrap().end_event, EndEventState::Failed);
    }
    assert_eq!(always_500.hooks_for(&first).len(), 4);
    assert_eq!(always_204.hooks_for(&second).len(), 4);
    let d = sb.wait_for_end(&third, WAIT).unwrap();
    assert!(
        d.attempts
            .iter()
            .all(|a| a.status.is_none() && a.error.is_some()),
        "{d:?}"
    );

    // The sandbox stays healthy: the next call is delivered.
    let good = Listener::ok();
    sb.set_callback_url(Some(&good.url()));
    let next = place(
        addr,
        &creds,
        "duo_callback",
        &duo(DEFAULT1, DEFAULT2, 60, None),
    );
    assert!(sb.wait_for_end(&next, WAIT).unwrap().delivered);
    assert_eq!(admin_get(addr, "/sandbox/health").0, 200);
}

#[test]
fn slow_receivers_time_out() {
    let slow = Listener::start(|_| {
        std::thread::sleep(Duration::from_millis(600));
        200
    });
    let sb = Sandbox::builder()
        .time_scale(100.0)
        .callback_url(slow.url())
        .webhook_timeout(Duration::from_millis(150))
        .start()
        .unwrap();
    let id = place(
        sb.local_addr(),
        &Creds::of(&sb),
        "duo_callback",
        &duo("13900000001", DEFAULT2, 60, None),
    );
    let d = sb.wait_for_end(&id, WAIT).unwrap();
    assert!(!d.delivered);
    assert_eq!(d.attempts.len(), 4);
    assert!(
        d.attempts.iter().all(|a| a.error.is_some()),
        "{:?}",
        d.attempts
    );
    // The receiver saw (and accepted, too late) every attempt: duplicates, as on the platform.
    assert_eq!(slow.wait_for(4, WAIT).len(), 4);
}

#[test]
fn sub_account_callback_urls() {
    let app_hooks = Listener::ok();
    let own_hooks = Listener::ok();
    let own = SubAccount {
        id: "99990000000000000000000000000009".into(),
        app_id: yunhuni_sandbox::DEV_APP_ID.into(),
        cert_id: "99990000000000000000000000000019".into(),
        secret_key: "99990000000000000000000000000029".into(),
        enabled: true,
        callback_url: Some(own_hooks.url()),
    };
    let sb = Sandbox::builder()
        .time_scale(100.0)
        .callback_url(app_hooks.url())
        .sub_account(own.clone())
        .start()
        .unwrap();
    let addr = sb.local_addr();
    let own_creds = Creds {
        cert_id: own.cert_id.clone(),
        secret: own.secret_key.clone(),
        ..Creds::of(&sb)
    };
    let a = place(
        addr,
        &own_creds,
        "duo_callback",
        &duo("13900000001", DEFAULT2, 60, None),
    );
    let b = place(
        addr,
        &Creds::sub(&sb),
        "duo_callback",
        &duo("13900000001", DEFAULT2, 60, None),
    );
    assert!(sb.wait_for_end(&a, WAIT).unwrap().delivered);
    assert!(sb.wait_for_end(&b, WAIT).unwrap().delivered);
    let hook = &own_hooks.hooks_for(&a)[0];
    assert!(
        String::from_utf8_lossy(&hook.body).contains(&format!(r#""subaccount_id":"{}""#, own.id))
    );
    assert!(app_hooks.hooks_for(&a).is_empty());
    let hook = &app_hooks.hooks_for(&b)[0];
    assert!(String::from_utf8_lossy(&hook.body)
        .contains(&format!(r#""subaccount_id":"{}""#, sb.sub_account().0)));
}

#[test]
fn admin_endpoints() {
    let listener = Listener::ok();
    let sb = Sandbox::builder()
        .time_scale(100.0)
        .callback_url(listener.url())
        .start()
        .unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    assert_eq!(
        admin_get(addr, "/sandbox/health"),
        (200, serde_json::json!({"status": "ok"}))
    );
    let (status, info) = admin_get(addr, "/sandbox/info");
    assert_eq!(status, 200);
    assert_eq!(info["app_id"], sb.app_id());
    assert_eq!(info["base_url"], sb.base_url());

    // Scripting numbers.
    let r = raw(
        addr,
        "PUT",
        "/sandbox/numbers/13500000001",
        &[],
        br#"{"answer":"busy"}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(sb.behavior("13500000001"), Behavior::busy());
    let r = raw(
        addr,
        "PUT",
        "/sandbox/numbers/13500000002",
        &[],
        br#"{"answer":"after","ms":300,"hangup_after_ms":700}"#,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        sb.behavior("13500000002"),
        Behavior::answer_after(300).hangup_after(700)
    );
    let r = raw(
        addr,
        "PUT",
        "/sandbox/numbers/13500000003",
        &[],
        br#"{"answer":"sometimes"}"#,
    );
    assert_eq!(r.status, 400);
    let (_, numbers) = admin_get(addr, "/sandbox/numbers");
    assert_eq!(numbers["scripted"]["13500000001"]["answer"], "busy");
    assert_eq!(numbers["reserved"]["13900000002"]["answer"], "no_answer");
    assert_eq!(
        numbers["default"],
        serde_json::json!({"answer": "after", "ms": 2000, "hangup_after_ms": 5000})
    );
    let (_, n) = admin_get(addr, "/sandbox/numbers/13900000004");
    assert_eq!(n["source"], "reserved");
    let r = raw(addr, "DELETE", "/sandbox/numbers/13500000001", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(sb.behavior("13500000001"), Behavior::default());

    // A call scripted through the admin endpoint, inspected and waited for over HTTP.
    let id = place(
        addr,
        &creds,
        "duo_callback",
        &duo(DEFAULT1, "13500000002", 60, Some("x")),
    );
    let (status, d) = admin_get(addr, &format!("/sandbox/calls/{id}/wait?timeout_ms=20000"));
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["delivered"], true);
    assert_eq!(d["call_id"], id.as_str());
    let body = sb.wait_for_end(&id, WAIT).unwrap().body;
    assert_eq!(
        d["body_hex"].as_str().unwrap(),
        body.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    assert!(d["body"].as_str().unwrap().contains(r#""hangup_by":"2""#));
    let (status, call) = admin_get(addr, &format!("/sandbox/calls/{id}"));
    assert_eq!(status, 200);
    assert_eq!(call["state"], "closed");
    assert_eq!(call["kind"], "duo_callback");
    assert_eq!(
        call["numbers"],
        serde_json::json!([DEFAULT1, "13500000002"])
    );
    assert_eq!(call["user_data"], "x");
    assert_eq!(call["end_event"], "delivered");
    assert_eq!(call["end_event_delivered"], true);
    let connected = call["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["state"] == "connected")
        .unwrap();
    let released = call["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["state"] == "releasing")
        .unwrap();
    assert_eq!(
        released["sim_time_ms"].as_i64().unwrap() - connected["sim_time_ms"].as_i64().unwrap(),
        700
    );
    let (_, calls) = admin_get(addr, "/sandbox/calls");
    assert!(calls
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == id.as_str()));
    let (_, hooks) = admin_get(addr, &format!("/sandbox/webhooks?call_id={id}"));
    let hooks = hooks.as_array().unwrap();
    assert_eq!(hooks.len(), 1);
    assert_eq!(
        (hooks[0]["attempt"].as_u64(), hooks[0]["status"].as_u64()),
        (Some(1), Some(200))
    );
    assert_eq!(hooks[0]["url"], listener.url());
    assert_eq!(hooks[0]["charset"], "ISO-8859-1");

    // Waiting: unknown call, timeout.
    assert_eq!(
        admin_get(
            addr,
            "/sandbox/calls/ffffffffffffffffffffffffffffffff/wait?timeout_ms=10"
        )
        .0,
        404
    );
    assert_eq!(
        admin_get(addr, "/sandbox/calls/ffffffffffffffffffffffffffffffff").0,
        404
    );
    let slow = place(
        addr,
        &creds,
        "duo_callback",
        r#"{"to1":"13900000002","to2":"2","max_call_duration":60,"max_dial_duration":300}"#,
    );
    assert_eq!(
        admin_get(addr, &format!("/sandbox/calls/{slow}/wait?timeout_ms=20")).0,
        408
    );
    assert!(sb.wait_for_end(&slow, Duration::from_millis(20)).is_none());

    // The callback URL, changed over HTTP.
    let r = raw(
        addr,
        "PUT",
        "/sandbox/callback_url",
        &[],
        br#"{"url":null}"#,
    );
    assert_eq!(r.status, 200);
    assert_eq!(sb.callback_url(), None);
    let id = place(
        addr,
        &creds,
        "duo_callback",
        &duo("13900000001", DEFAULT2, 60, None),
    );
    let (status, d) = admin_get(addr, &format!("/sandbox/calls/{id}/wait?timeout_ms=20000"));
    assert_eq!(
        (status, d["url"].clone(), d["delivered"].clone()),
        (200, serde_json::Value::Null, serde_json::Value::Bool(false))
    );

    // Methods and unknown paths.
    assert_eq!(raw(addr, "POST", "/sandbox/health", &[], b"").status, 405);
    assert_eq!(raw(addr, "GET", "/sandbox/nothing", &[], b"").status, 404);
}

#[test]
fn api_delay_is_served_concurrently() {
    let sb = Sandbox::builder()
        .api_delay(Duration::from_millis(300))
        .start()
        .unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    for clients in [8, 64] {
        let start = Instant::now();
        let threads: Vec<_> = (0..clients)
            .map(|_| {
                let creds = creds.clone();
                std::thread::spawn(move || {
                    place(
                        addr,
                        &creds,
                        "duo_callback",
                        &duo(DEFAULT1, DEFAULT2, 60, None),
                    )
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let elapsed = start.elapsed();
        println!("{clients} calls delayed 300 ms each, in parallel: {elapsed:?}");
        assert!(elapsed >= Duration::from_millis(300));
        assert!(
            elapsed < Duration::from_millis(1500),
            "{clients} clients took {elapsed:?}"
        );
    }
    // Admin endpoints are not delayed.
    let start = Instant::now();
    admin_get(addr, "/sandbox/health");
    assert!(start.elapsed() < Duration::from_millis(250));
}

#[test]
fn keep_alive_connections_serve_many_requests() {
    let sb = Sandbox::builder().start().unwrap();
    let creds = Creds::of(&sb);
    let mut conn = Conn::open(sb.local_addr());
    let path = creds.path("duo_callback");
    for _ in 0..20 {
        let body = duo(DEFAULT1, DEFAULT2, 60, None);
        let r = conn.send(
            "POST",
            &path,
            &creds.headers("POST", &path, body.as_bytes()),
            body.as_bytes(),
        );
        assert_eq!(r.json()["code"], "000000");
        assert!(r.header("Connection").is_none());
    }
    assert_eq!(sb.calls().len(), 20);
}

#[test]
fn http_details() {
    use std::io::{Read, Write};
    let sb = Sandbox::builder().start().unwrap();
    let addr = sb.local_addr();
    let exchange = |request: &[u8]| -> String {
        let mut s = std::net::TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(request).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    };
    // A chunked body after `Expect: 100-continue`.
    let reply = exchange(
        b"PUT /sandbox/numbers/13400000001 HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\n{\"ans\r\nc\r\nwer\":\"busy\"}\r\n0\r\n\r\n",
    );
    assert!(
        reply.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"),
        "{reply}"
    );
    assert_eq!(sb.behavior("13400000001"), Behavior::busy());
    // HTTP/1.0 closes after one response; two pipelined HTTP/1.1 requests get two answers.
    let reply = exchange(b"GET /sandbox/health HTTP/1.0\r\n\r\n");
    assert!(
        reply.starts_with("HTTP/1.1 200 OK\r\n") && reply.contains("Connection: close\r\n"),
        "{reply}"
    );
    let reply = exchange(b"GET /sandbox/health HTTP/1.1\r\nHost: x\r\n\r\nGET /sandbox/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(reply.matches("HTTP/1.1 200 OK").count(), 2, "{reply}");
    // Malformed requests.
    assert!(exchange(b"NONSENSE\r\n\r\n").starts_with("HTTP/1.1 400 "));
    assert!(exchange(b"GET / HTTP/2.0\r\n\r\n").starts_with("HTTP/1.1 505 "));
    assert!(
        exchange(b"POST /x HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n")
            .starts_with("HTTP/1.1 413 ")
    );
    // Still healthy.
    assert_eq!(admin_get(addr, "/sandbox/health").0, 200);
}

#[test]
fn waits_longer_than_a_day_are_taken_as_a_day() {
    // Duration::MAX used to overflow the webhook thread's clock arithmetic and kill it.
    // A webhook listener that answers 200 to every delivery.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 8192];
            let _ = std::io::Read::read(&mut stream, &mut buf);
            let _ = std::io::Write::write_all(
                &mut stream,
                b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let sandbox = Sandbox::builder()
        .webhook_timeout(Duration::MAX)
        .api_delay(Duration::MAX)
        .api_delay(Duration::ZERO)
        .time_scale(1000.0)
        .callback_url(hook)
        .start()
        .unwrap();
    let creds = Creds::of(&sandbox);
    let id = place(
        sandbox.local_addr(),
        &creds,
        "duo_callback",
        &duo("13800000001", "13800000002", 2, None),
    );
    let delivery = sandbox.wait_for_end(&id, Duration::from_secs(20));
    assert!(delivery.is_some(), "the end event was not delivered");
    sandbox.shutdown();
}
