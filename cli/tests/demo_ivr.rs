//! `yunhuni demo --ivr`, run as a process: the menu is walked as the caller's keys say, and
//! every step (request, XML reply, action, keys, next, events) is shown.

use serde_json::Value;

mod common;

fn demo(args: &[&str]) -> (i32, String, String) {
    let all: Vec<&str> = ["demo", "--ivr", "--time-scale", "500"]
        .iter()
        .chain(args)
        .copied()
        .collect();
    common::yunhuni(&all)
}

fn steps(v: &Value, kind: &str) -> Vec<String> {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["step"] == kind)
        .map(|s| s["text"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_caller_walks_both_levels() {
    let (code, out, err) = demo(&["--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    let call_id = v["call_id"].as_str().unwrap();
    assert_eq!(v["keys"], serde_json::json!(["1", "2"]));
    let requests = steps(&v, "request");
    assert!(requests[0].starts_with("POST /ivr\n"), "{requests:?}");
    assert!(requests[0].contains(&format!(
        r#"{{"action":"ivr_start","from":"13800000001","type":"ivr_incoming","call_id":"{call_id}"}}"#
    )));
    assert_eq!(
        requests[1..],
        [
            format!("GET /menu?call_id={call_id}&type=get&keys=1"),
            format!("GET /sales?call_id={call_id}&type=get&keys=2"),
            format!("GET /goodbye?call_id={call_id}&type=play"),
        ]
    );
    let replies = steps(&v, "reply");
    assert_eq!(replies.len(), 4);
    assert!(replies[0].starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><response><get"));
    assert!(replies[1].contains("sales_menu.wav"));
    assert!(replies[2].contains("order_status.wav"));
    assert!(
        !replies[3].contains("<next>"),
        "the last document ends the call"
    );
    let callers = steps(&v, "caller");
    assert_eq!(callers.len(), 2, "{callers:?}");
    assert!(callers[0].contains("\"1\"") && callers[1].contains("\"2\""));
    let events = steps(&v, "event");
    for name in ["ivr.get_end", "ivr.play_end", "ivr.call_end"] {
        assert!(
            events.iter().any(|e| e.starts_with(name)),
            "{name}: {events:?}"
        );
    }
    assert!(steps(&v, "action")
        .iter()
        .any(|a| a.contains("<get> prompt main_menu.wav")));
    assert_eq!(v["requests"].as_array().unwrap().len(), 4);
    assert_eq!(v["errors"], serde_json::json!([]));
}

#[test]
fn other_keys_take_other_branches() {
    let (code, out, err) = demo(&["--keys", "2"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("support_busy.wav"), "{out}");
    assert!(
        !out.contains('\x1b') && !err.contains('\x1b'),
        "escape codes in piped output"
    );
    for needle in [
        "request  POST /ivr",
        "reply    <?xml",
        "caller   the caller pressed \"2\"",
        "event    ivr.call_end",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    // Nothing pressed: the prompt times out and the app says goodbye.
    let (code, out, _) = demo(&["--keys", "", "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(steps(&v, "reply")
        .iter()
        .any(|r| r.contains("invalid_choice.wav")));
}

#[test]
fn bad_arguments() {
    let (code, _, err) = demo(&["--keys", "1,x"]);
    assert_eq!(code, 1);
    assert!(err.contains("--keys") && err.contains("'x'"), "{err}");
    let (code, _, err) = demo(&["--scenario", "busy"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = common::yunhuni(&["demo", "--keys", "1"]);
    assert_eq!(code, 2, "--keys needs --ivr");
    let (_, help, _) = common::yunhuni(&["demo", "--help"]);
    assert!(help.contains("--ivr"));
}
