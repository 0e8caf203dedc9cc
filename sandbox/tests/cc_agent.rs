//! The agent state machine through every transition the server has (platform notes 2 §4.2):
//! login states, API state changes (and what they refuse), the platform's transitions with
//! their `callcenter.agent.state_changed` (idle → fetching → talking → the reserve state; a
//! failed ring → idle), keepalive and the 24 h expiry, logout (refused while busy, forced),
//! skills and the extension; each step's events checked for keys, order and types.

mod cc_support;
mod common;

use std::time::Duration;

use cc_support::*;
use common::eventually;
use yunhuni_sandbox::Behavior;

#[test]
fn login_and_api_states_send_no_event() {
    let cc = Cc::start();
    let ext = cc.agent("alice", STAYS, "online", "");
    assert_eq!(cc.agent_state("alice"), "online");
    for (state, code) in [
        ("idle", "000000"),
        ("busy", "000000"),
        ("busy/lunch", "000000"),
        ("away", "000000"),
        ("away/meeting", "000000"),
        ("online", "000001"),
        ("talking", "000001"),
        ("fetching", "000001"),
        ("offline", "000001"),
        ("", "000001"),
    ] {
        let body = format!(r#"{{"state":"{state}"}}"#);
        assert_eq!(
            cc.code("POST", "callcenter/agent/alice/state", &body),
            code,
            "{state}"
        );
        if code == "000000" {
            assert_eq!(cc.agent_state("alice"), state);
        }
    }
    // A non-string value fails the untyped map's cast.
    assert_eq!(
        cc.code("POST", "callcenter/agent/alice/state", r#"{"state":1}"#),
        "000002"
    );
    assert_eq!(
        cc.code(
            "POST",
            "callcenter/agent/nobody/state",
            r#"{"state":"idle"}"#
        ),
        "040202"
    );
    // Login and API changes are not platform transitions: no event at all.
    assert!(cc.events().is_empty());
    let agent = cc.ok("GET", "callcenter/agent/alice", "");
    assert_eq!(agent["extension"], ext.as_str());
    assert_eq!(agent["num"], "alice-num");
    assert_eq!(agent["subaccountId"], serde_json::Value::Null);
    // The AgentVO's keys in bean order.
    let text = cc.text("GET", "callcenter/agent/alice");
    let want = format!(
        r#""data":{{"name":"alice","subaccountId":null,"num":"alice-num","state":"away/meeting","extension":"{ext}","skills":[]}}"#
    );
    assert!(text.contains(&want), "{text}");
    // Login with each allowed state; other states refused.
    for (i, state) in ["idle", "busy", "away", "busy/x", "away/y"]
        .iter()
        .enumerate()
    {
        let ext = cc.phone(&format!("1380000200{i}"));
        let body = format!(r#"{{"name":"a{i}","extension":"{ext}","state":"{state}"}}"#);
        assert_eq!(
            cc.code("POST", "callcenter/agent", &body),
            "000000",
            "{state}"
        );
        assert_eq!(cc.agent_state(&format!("a{i}")), *state);
    }
    let ext = cc.phone("13800002099");
    for state in ["talking", "fetching", "x"] {
        let body = format!(r#"{{"name":"z","extension":"{ext}","state":"{state}"}}"#);
        assert_eq!(
            cc.code("POST", "callcenter/agent", &body),
            "000001",
            "{state}"
        );
    }
}

#[test]
fn a_queued_call_walks_idle_fetching_talking_idle() {
    let cc = Cc::start();
    // The agent's phone answers after 2 s and hangs up 30 s later.
    let phone = "13800003001";
    cc.sb
        .set_behavior(phone, Behavior::answer_after(2000).hangup_after(30_000));
    let ext = cc.agent(
        "bob",
        phone,
        "idle",
        r#"{"name":"sales","score":80,"enabled":true}"#,
    );
    let cond = cc.condition(r#"{"where":"has(\"sales\");","queue_timeout":100}"#);
    cc.app.enqueue(
        r#"user_data="vip""#,
        &format!(r#"<condition id="{cond}"/>"#),
    );
    let caller = cc.caller("13800003002");
    cc.wait_state("bob", "talking");
    // While the agent is fetching or talking, the API cannot change its state or log it out.
    assert_eq!(
        cc.code("POST", "callcenter/agent/bob/state", r#"{"state":"idle"}"#),
        "040203"
    );
    assert_eq!(cc.code("DELETE", "callcenter/agent/bob", ""), "040203");
    let end = cc.wait_event("conversation end", |e| {
        e.name == "callcenter.conversation.end"
    });
    cc.wait_state("bob", "idle");
    let events = cc.events();
    assert_eq!(
        names(&events),
        [
            "callcenter.agent.state_changed",
            "callcenter.queue.select",
            "callcenter.agent.state_changed",
            "callcenter.queue.success",
            "callcenter.conversation.begin",
            "callcenter.agent.conversation_changed",
            "callcenter.conversation.parts_changed",
            "callcenter.conversation.parts_changed",
            "callcenter.agent.state_changed",
            "callcenter.agent.conversation_changed",
            "callcenter.conversation.end",
        ]
    );
    let states: Vec<(Option<&str>, Option<&str>)> = events
        .iter()
        .filter(|e| e.name == "callcenter.agent.state_changed")
        .map(|e| (e.get("previous_state"), e.get("latest_state")))
        .collect();
    assert_eq!(
        states,
        [
            (Some("idle"), Some("fetching")),
            (Some("fetching"), Some("talking")),
            (Some("talking"), Some("idle")),
        ]
    );
    let select = &events[1];
    assert_eq!(select.get("agent_name"), Some("bob"));
    assert_eq!(select.get("agent_extension_id"), Some(ext.as_str()));
    assert_eq!(select.get("origin_call_id"), Some(caller.as_str()));
    assert_eq!(select.get("condition_id"), Some(cond.as_str()));
    assert_eq!(select.get("type"), Some("ivr"));
    assert_eq!(select.get("user_data"), Some("vip"));
    assert!(!select.has("cause") && !select.has("subaccount_id"));
    let task = select.get("id").unwrap();
    let success = &events[3];
    assert_eq!(success.get("id"), Some(task));
    assert_eq!(success.get("agent_call_id"), select.get("agent_call_id"));
    let begin = &events[4];
    assert_eq!(begin.get("type"), Some("queue"));
    assert_eq!(begin.get("queue_id"), Some(task));
    assert_eq!(begin.get("agent_call_id"), select.get("agent_call_id"));
    let conv = begin.get("id").unwrap();
    let enter = &events[5];
    assert_eq!(enter.get("conversation_id"), Some(conv));
    assert_eq!(enter.get("type"), Some("enter"));
    assert_eq!(enter.get("latest_state"), Some("talking"));
    let exit = &events[9];
    assert_eq!(exit.get("type"), Some("exit"));
    assert_eq!(exit.get("latest_state"), Some("idle"));
    assert_eq!(end.get("id"), Some(conv));
    assert_eq!(end.get("type"), Some("queue"));
    let (b, e) = (end.get("begin_time").unwrap(), end.get("end_time").unwrap());
    assert!(e.parse::<i64>().unwrap() - b.parse::<i64>().unwrap() >= 30_000);
    // The caller goes on with its script: the next request carries no error.
    eventually(WAIT, "the next request", || {
        cc.app.nexts.lock().unwrap().first().cloned()
    });
    let next = cc.app.nexts.lock().unwrap()[0].clone();
    assert!(next.contains("type=enqueue"), "{next}");
    assert!(!next.contains("error"), "{next}");
}

#[test]
fn the_reserve_state_a_failed_ring_and_a_forced_logout() {
    let cc = Cc::start();
    cc.sb.set_behavior(
        "13800004001",
        Behavior::answer_after(1000).hangup_after(5000),
    );
    cc.agent("carol", "13800004001", "idle", "");
    let cond = cc.condition(r#"{"where":"true;","queue_timeout":100,"fetch_timeout":10}"#);
    cc.app.enqueue(
        r#"reserve_state="away/wrapup""#,
        &format!(r#"<condition id="{cond}"/>"#),
    );
    cc.caller("13800004002");
    cc.wait_event("end", |e| e.name == "callcenter.conversation.end");
    cc.wait_state("carol", "away/wrapup");
    let last_state = cc
        .events()
        .into_iter()
        .rfind(|e| e.name == "callcenter.agent.state_changed")
        .unwrap();
    assert_eq!(last_state.get("latest_state"), Some("away/wrapup"));
    // A phone that is busy: the ring fails, queue.fail call_fail, the agent is idle again.
    let cc = Cc::start();
    cc.agent("dave", "13900000001", "idle", "");
    let cond = cc.condition(r#"{"where":"true;","queue_timeout":100}"#);
    cc.app.enqueue("", &format!(r#"<condition id="{cond}"/>"#));
    cc.caller("13800004003");
    let fail = cc.wait_event("fail", |e| e.name == "callcenter.queue.fail");
    assert_eq!(fail.get("cause"), Some("call_fail"));
    assert_eq!(fail.get("agent_name"), Some("dave"));
    let states: Vec<_> = cc
        .events()
        .into_iter()
        .filter(|e| e.name == "callcenter.agent.state_changed")
        .map(|e| e.get("latest_state").map(str::to_owned))
        .collect();
    assert_eq!(states, [Some("fetching".into()), Some("idle".into())]);
    eventually(WAIT, "the next request", || {
        cc.app.nexts.lock().unwrap().first().cloned()
    });
    assert!(cc.app.nexts.lock().unwrap()[0].contains("error=error"));
    // A forced logout while talking: the agent is gone, its call goes on.
    let cc = Cc::start();
    cc.agent("erin", STAYS, "idle", "");
    let cond = cc.condition(r#"{"where":"true;","queue_timeout":100}"#);
    cc.app.enqueue("", &format!(r#"<condition id="{cond}"/>"#));
    cc.caller("13800004004");
    cc.wait_state("erin", "talking");
    assert_eq!(cc.code("DELETE", "callcenter/agent/erin", ""), "040203");
    assert_eq!(
        cc.code("DELETE", "callcenter/agent/erin?force=x", ""),
        "000002"
    );
    assert_eq!(
        cc.code("DELETE", "callcenter/agent/erin?force=true", ""),
        "000000"
    );
    assert_eq!(cc.code("GET", "callcenter/agent/erin", ""), "040202");
    assert!(!cc
        .events()
        .iter()
        .any(|e| e.name == "callcenter.conversation.end"));
}

#[test]
fn keepalive_and_the_24_hour_expiry() {
    let cc = Cc::start();
    cc.agent("frank", STAYS, "idle", "");
    let cond = cc.condition(r#"{"where":"true;","queue_timeout":1000}"#);
    assert!(cc.sb.age_agent("frank", Duration::from_secs(24 * 3600)));
    // Expired: operations get 040204, queue matching skips it, no event says so.
    let out = r#"{"to":"13800005001"}"#;
    assert_eq!(
        cc.code("POST", "callcenter/agent/frank/call_out", out),
        "040204"
    );
    cc.app.enqueue("", &format!(r#"<condition id="{cond}"/>"#));
    cc.caller("13800005002");
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(cc.agent_state("frank"), "idle");
    assert!(cc.events().is_empty());
    // Keepalive renews the registration: a login under the same name is refused again,
    // and setting idle makes the agent look for the waiting task.
    let ext = cc.phone("13800005003");
    let body = format!(r#"{{"name":"frank","extension":"{ext}"}}"#);
    assert_eq!(
        cc.code("GET", "callcenter/agent/frank/keepalive", ""),
        "000000"
    );
    assert_eq!(cc.code("POST", "callcenter/agent", &body), "040201");
    assert_eq!(
        cc.code(
            "POST",
            "callcenter/agent/frank/state",
            r#"{"state":"idle"}"#
        ),
        "000000"
    );
    cc.wait_state("frank", "talking");
    // A registration older than 24 h is logged out silently by a new login of the name.
    assert!(cc.sb.age_agent("frank", Duration::from_secs(24 * 3600 + 1)));
    assert_eq!(cc.code("POST", "callcenter/agent", &body), "000000");
    let agent = cc.ok("GET", "callcenter/agent/frank", "");
    assert_eq!(
        (agent["state"].as_str(), agent["extension"].as_str()),
        (Some("online"), Some(ext.as_str()))
    );
    assert_eq!(
        cc.code("GET", "callcenter/agent/nobody/keepalive", ""),
        "040202"
    );
}

#[test]
fn skills_and_the_extension() {
    let cc = Cc::start();
    cc.agent(
        "gina",
        STAYS,
        "busy",
        r#"{"name":"en","score":50,"enabled":true},{"name":"fr"}"#,
    );
    let skills = |cc: &Cc| cc.ok("GET", "callcenter/agent/gina", "")["skills"].clone();
    assert_eq!(
        skills(&cc),
        serde_json::json!([{"name":"en","score":50,"enabled":true},{"name":"fr","score":0,"enabled":false}])
    );
    let set = |body: &str| cc.code("POST", "callcenter/agent/gina/skills", body);
    assert_eq!(
        set(r#"{"opts":[{"opt":1,"name":"fr","enabled":true}]}"#),
        "000000"
    );
    assert_eq!(
        set(r#"{"opts":[{"opt":1,"name":"de","score":7}]}"#),
        "000000"
    );
    assert_eq!(set(r#"{"opts":[{"opt":2,"name":"en"}]}"#), "000000");
    assert_eq!(
        skills(&cc),
        serde_json::json!([{"name":"fr","score":0,"enabled":true},{"name":"de","score":7,"enabled":false}])
    );
    assert_eq!(set(r#"{"opts":[{"opt":0}]}"#), "000000");
    assert_eq!(skills(&cc), serde_json::json!([]));
    assert_eq!(set(r#"{"opts":[{"opt":9,"name":"x"}]}"#), "000001");
    assert_eq!(set(r#"{"opts":[]}"#), "000001");
    assert_eq!(set(r#"{"opts":[{"opt":null}]}"#), "000002");
    assert_eq!(
        cc.code(
            "POST",
            "callcenter/agent/nobody/skills",
            r#"{"opts":[{"opt":0}]}"#
        ),
        "040202"
    );
    // The extension: another one, one bound elsewhere, an unknown one, the same one.
    let other = cc.phone("13800006001");
    let mine = cc.ok("GET", "callcenter/agent/gina", "")["extension"]
        .as_str()
        .unwrap()
        .to_owned();
    let ext = |id: &str| {
        cc.code(
            "POST",
            "callcenter/agent/gina/extension",
            &format!(r#"{{"id":"{id}"}}"#),
        )
    };
    assert_eq!(ext(&mine), "000000");
    assert_eq!(ext("00000000000000000000000000000000"), "040103");
    assert_eq!(ext(&other), "000000");
    assert_eq!(
        cc.code("DELETE", &format!("callcenter/extension/{mine}"), ""),
        "000000"
    );
    assert_eq!(
        cc.code("DELETE", &format!("callcenter/extension/{other}"), ""),
        "040102"
    );
    assert_eq!(
        cc.code("POST", "callcenter/agent/gina/extension", r#"{"id":5}"#),
        "000002"
    );
    assert_eq!(
        cc.code("POST", "callcenter/agent/gina/extension", r#"{}"#),
        "000001"
    );
    // An agent that learns the skill a waiting task needs takes it at once (when idle).
    let cond = cc.condition(r#"{"where":"get(\"pt\") > 3;","queue_timeout":1000}"#);
    cc.app.enqueue("", &format!(r#"<condition id="{cond}"/>"#));
    cc.caller("13800006002");
    assert_eq!(
        cc.code("POST", "callcenter/agent/gina/state", r#"{"state":"idle"}"#),
        "000000"
    );
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(cc.agent_state("gina"), "idle");
    assert_eq!(
        set(r#"{"opts":[{"opt":1,"name":"pt","score":4,"enabled":true}]}"#),
        "000000"
    );
    cc.wait_state("gina", "talking");
}
