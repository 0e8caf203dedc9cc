//! The conversation's state machine (platform notes 2 §4.5, §4.6): made by `call_out` and
//! `call_agent` (and queues, see cc_agent.rs), not begun until the first answer (`000004`),
//! begun (`conversation.begin`), members joining (`parts_changed`, `conversation_changed`
//! enter) and leaving (`conversation_changed` exit), modes, the 8-member limit, and its end by
//! dismiss, by the last member but one leaving, or by its longest duration; the events checked
//! for keys, order and types.

mod cc_support;
mod common;

use std::time::Duration;

use cc_support::*;
use common::{eventually, Creds};
use yunhuni_sandbox::Behavior;

/// The agent's conversation once it has begun.
fn conversation_of(cc: &Cc, agent: &str) -> String {
    eventually(WAIT, "the conversation", || {
        let data = cc.ok("GET", &format!("callcenter/agent/{agent}/conversation"), "");
        data[0]["id"].as_str().map(str::to_owned)
    })
}

fn members(cc: &Cc, conv: &str) -> Vec<serde_json::Value> {
    cc.ok("GET", &format!("callcenter/conversation/{conv}"), "")["members"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn call_out_invite_out_lsm_and_dismiss() {
    let cc = Cc::start();
    let phone = "13800020001";
    // 40 s simulated (200 ms at the test's time scale, under the 45 s ring timeout): long enough
    // that the two requests below see the call still ringing on a loaded machine.
    cc.sb.set_behavior(phone, Behavior::answer_after(40_000));
    cc.agent("mia", phone, "idle", "");
    let body = r#"{"to":"13900000005","user_data":"out-1","max_answer_seconds":600}"#;
    assert_eq!(
        cc.code("POST", "callcenter/agent/mia/call_out", body),
        "000000"
    );
    // Not begun yet: the agent is fetching, no conversation is listed.
    assert_eq!(cc.agent_state("mia"), "fetching");
    assert_eq!(
        cc.ok("GET", "callcenter/agent/mia/conversation", "")[0]["id"],
        serde_json::Value::Null
    );
    let conv = conversation_of(&cc, "mia");
    eventually(WAIT, "the outside party joins", || {
        (members(&cc, &conv).len() == 2).then_some(())
    });
    let detail = cc.ok("GET", &format!("callcenter/conversation/{conv}"), "");
    assert_eq!(detail["type"], "call_out");
    assert_eq!(detail["queue_id"], serde_json::Value::Null);
    let m = members(&cc, &conv);
    assert_eq!(m[0]["name"], "mia");
    assert_eq!(m[1]["telnumber"], "13900000005");
    let text = cc.text("GET", &format!("callcenter/conversation/{conv}"));
    assert!(
        text.contains(r#""members":[{"name":"mia","extension_id":""#),
        "{text}"
    );
    // A third party, then modes.
    let out = cc.ok(
        "POST",
        &format!("callcenter/conversation/{conv}/invite_out"),
        r#"{"to":"13900000005","max_call_duration":60,"mode":2}"#,
    );
    let third = out.as_str().unwrap().to_owned();
    eventually(WAIT, "the third party joins", || {
        (members(&cc, &conv).len() == 3).then_some(())
    });
    assert_eq!(members(&cc, &conv)[2]["call_id"], third.as_str());
    assert_eq!(members(&cc, &conv)[2]["mode"], 2);
    let lsm = format!("callcenter/conversation/{conv}/agent/mia/lsm");
    assert_eq!(cc.code("POST", &lsm, r#"{"mode":4}"#), "000000");
    assert_eq!(members(&cc, &conv)[0]["mode"], 4);
    let body = format!(r#"{{"conversation_id":"{conv}","mode":3}}"#);
    assert_eq!(cc.code("POST", "callcenter/agent/mia/lsm", &body), "000000");
    assert_eq!(members(&cc, &conv)[0]["mode"], 3);
    // The primary account's list is always empty (the server filters on a null sub-account).
    let list = cc.text("GET", "callcenter/conversation");
    assert!(
        list.contains(r#""totalCount":0"#) && list.contains(r#""result":null"#),
        "{list}"
    );
    // Dismiss: the agent leaves (conversation_changed exit, talking → idle), then the end.
    let before = cc.events().len();
    assert_eq!(
        cc.code("DELETE", &format!("callcenter/conversation/{conv}"), ""),
        "000000"
    );
    assert_eq!(
        cc.code("DELETE", &format!("callcenter/conversation/{conv}"), ""),
        "040501"
    );
    let after = cc.events_from(before);
    assert_eq!(
        names(&after),
        [
            "callcenter.agent.state_changed",
            "callcenter.agent.conversation_changed",
            "callcenter.conversation.end",
        ]
    );
    assert_eq!(after[2].get("user_data"), Some("out-1"));
    assert_eq!(after[2].get("type"), Some("call_out"));
    assert_eq!(cc.agent_state("mia"), "idle");
    let detail = cc.ok("GET", &format!("callcenter/conversation/{conv}"), "");
    assert!(detail["end_time"].as_i64().is_some());
    // Every event of this conversation, from the start.
    let all = cc.events();
    assert_eq!(
        names(&all),
        [
            "callcenter.agent.state_changed",
            "callcenter.agent.state_changed",
            "callcenter.conversation.begin",
            "callcenter.agent.conversation_changed",
            "callcenter.conversation.parts_changed",
            "callcenter.conversation.parts_changed",
            "callcenter.conversation.parts_changed",
            "callcenter.agent.state_changed",
            "callcenter.agent.conversation_changed",
            "callcenter.conversation.end",
        ]
    );
    assert!(!all[2].has("queue_id"));
}

#[test]
fn enter_and_exit_of_a_second_agent_and_the_end_when_one_is_left() {
    let cc = Cc::start();
    cc.agent("nia", STAYS, "idle", "");
    cc.agent("otto", STAYS, "idle", "");
    let body = r#"{"to":"13800021001"}"#;
    cc.sb
        .set_behavior("13800021001", Behavior::answer_after(1000));
    assert_eq!(
        cc.code("POST", "callcenter/agent/nia/call_out", body),
        "000000"
    );
    let conv = conversation_of(&cc, "nia");
    let enter = format!(r#"{{"conversation_id":"{conv}","mode":2,"holding":true}}"#);
    assert_eq!(
        cc.code("POST", "callcenter/agent/otto/enter", &enter),
        "000000"
    );
    cc.wait_state("otto", "talking");
    eventually(WAIT, "three members", || {
        (members(&cc, &conv).len() == 3).then_some(())
    });
    // `mode` of enter is validated but the member joins with mode 1.
    assert_eq!(members(&cc, &conv)[2]["mode"], 1);
    let enters: Vec<Ev> = cc
        .events()
        .into_iter()
        .filter(|e| {
            e.name == "callcenter.agent.conversation_changed" && e.get("name") == Some("otto")
        })
        .collect();
    assert_eq!(enters[0].get("type"), Some("enter"));
    assert_eq!(enters[0].get("conversation_id"), Some(conv.as_str()));
    // Otto exits: two members are left, the conversation goes on.
    let exit = format!(r#"{{"conversation_id":"{conv}"}}"#);
    assert_eq!(
        cc.code("POST", "callcenter/agent/otto/exit", &exit),
        "000000"
    );
    assert_eq!(cc.agent_state("otto"), "idle");
    assert_eq!(
        cc.code("POST", "callcenter/agent/otto/exit", &exit),
        "020000"
    );
    assert!(!cc
        .events()
        .iter()
        .any(|e| e.name == "callcenter.conversation.end"));
    // Nia exits: one member is left, the conversation ends.
    assert_eq!(
        cc.code("POST", "callcenter/agent/nia/exit", &exit),
        "000000"
    );
    cc.wait_event("end", |e| e.name == "callcenter.conversation.end");
    assert_eq!(
        cc.code("POST", "callcenter/agent/nia/enter", &exit),
        "040501"
    );
}

#[test]
fn call_agent_queues_the_second_agent_into_the_conversation() {
    let cc = Cc::start();
    cc.agent("pia", STAYS, "idle", "");
    cc.agent(
        "quin",
        STAYS,
        "idle",
        r#"{"name":"fr","score":5,"enabled":true}"#,
    );
    let cond = cc.condition(r#"{"where":"has(\"fr\");","queue_timeout":100}"#);
    let enqueue = format!(
        r#"{{"enqueue":"<enqueue user_data=\"transfer\"><route><condition id=\"{cond}\"/></route></enqueue>"}}"#
    );
    assert_eq!(
        cc.code("POST", "callcenter/agent/pia/call_agent", &enqueue),
        "000000"
    );
    cc.wait_state("quin", "talking");
    let conv = conversation_of(&cc, "pia");
    eventually(WAIT, "two agents", || {
        (members(&cc, &conv).len() == 2).then_some(())
    });
    let events = cc.events();
    let select = events
        .iter()
        .find(|e| e.name == "callcenter.queue.select")
        .unwrap();
    assert_eq!(select.get("type"), Some("call_agent"));
    assert_eq!(select.get("agent_name"), Some("quin"));
    assert_eq!(select.get("user_data"), Some("transfer"));
    let begin = events
        .iter()
        .find(|e| e.name == "callcenter.conversation.begin")
        .unwrap();
    assert_eq!(begin.get("type"), Some("call_agent"));
    // The origin of the task is the first agent's call.
    assert_eq!(select.get("origin_call_id"), begin.get("agent_call_id"));
    // Without <response> around it only; an invalid document is 000001.
    let wrapped = format!(
        r#"{{"enqueue":"<response><enqueue><route><condition id=\"{cond}\"/></route></enqueue></response>"}}"#
    );
    assert_eq!(
        cc.code("POST", "callcenter/agent/pia/call_agent", &wrapped),
        "000001"
    );
    // invite_agent: no input succeeds (derived from the server's code).
    assert_eq!(
        cc.code(
            "POST",
            &format!("callcenter/conversation/{conv}/invite_agent"),
            &enqueue
        ),
        "000002"
    );
    assert_eq!(
        cc.code(
            "POST",
            &format!("callcenter/conversation/{conv}/invite_agent"),
            &wrapped
        ),
        "000001"
    );
}

#[test]
fn eight_members_at_most_and_the_longest_duration() {
    let cc = Cc::start();
    cc.agent("rex", STAYS, "idle", "");
    assert_eq!(
        cc.code(
            "POST",
            "callcenter/agent/rex/call_out",
            r#"{"to":"13900000005"}"#
        ),
        "000000"
    );
    let conv = conversation_of(&cc, "rex");
    eventually(WAIT, "two members", || {
        (members(&cc, &conv).len() == 2).then_some(())
    });
    let invite = format!("callcenter/conversation/{conv}/invite_out");
    for _ in 0..6 {
        assert_eq!(
            cc.code(
                "POST",
                &invite,
                r#"{"to":"13900000005","max_call_duration":600}"#
            ),
            "000000"
        );
    }
    eventually(WAIT, "eight members", || {
        (members(&cc, &conv).len() == 8).then_some(())
    });
    assert_eq!(
        cc.code(
            "POST",
            &invite,
            r#"{"to":"13900000005","max_call_duration":600}"#
        ),
        "040502"
    );
    // call_out's max_answer_seconds is the conversation's longest duration.
    let cc = Cc::start();
    cc.agent("sam", STAYS, "idle", "");
    let body = r#"{"to":"13900000005","max_answer_seconds":20}"#;
    assert_eq!(
        cc.code("POST", "callcenter/agent/sam/call_out", body),
        "000000"
    );
    let end = cc.wait_event("end", |e| e.name == "callcenter.conversation.end");
    let span = end.get("end_time").unwrap().parse::<i64>().unwrap()
        - end.get("begin_time").unwrap().parse::<i64>().unwrap();
    assert_eq!(span, 20_000);
    cc.wait_state("sam", "idle");
}

#[test]
fn a_sub_accounts_conversations_are_its_own() {
    let cc = Cc::start();
    let sub = Creds::sub(&cc.sb);
    let ext = cc.api_as(
        &sub,
        "POST",
        "callcenter/extension",
        r#"{"type":"3","telnum":"13900000005"}"#,
    );
    let ext = ext["data"]["id"].as_str().unwrap().to_owned();
    let login = format!(r#"{{"name":"tom","extension":"{ext}","state":"idle"}}"#);
    assert_eq!(
        cc.api_as(&sub, "POST", "callcenter/agent", &login)["code"],
        "000000"
    );
    // The primary account does not see the sub-account's agent or extension.
    assert_eq!(cc.code("GET", "callcenter/agent/tom", ""), "040202");
    assert_eq!(
        cc.code("GET", &format!("callcenter/extension/{ext}"), ""),
        "040103"
    );
    let r = cc.api_as(
        &sub,
        "POST",
        "callcenter/agent/tom/call_out",
        r#"{"to":"13900000005"}"#,
    );
    assert_eq!(r["code"], "000000");
    let conv = eventually(WAIT, "the conversation", || {
        let d = cc.api_as(&sub, "GET", "callcenter/agent/tom/conversation", "");
        d["data"][0]["id"].as_str().map(str::to_owned)
    });
    let list = cc.api_as(&sub, "GET", "callcenter/conversation?page=1&size=5", "");
    assert_eq!(list["data"]["totalCount"], 1);
    assert_eq!(list["data"]["result"][0]["id"], conv.as_str());
    assert_eq!(
        list["data"]["result"][0]["members"],
        serde_json::Value::Null
    );
    // Another account's view: data null, dismiss 040501.
    assert_eq!(
        cc.ok("GET", &format!("callcenter/conversation/{conv}"), ""),
        serde_json::Value::Null
    );
    assert_eq!(
        cc.code("DELETE", &format!("callcenter/conversation/{conv}"), ""),
        "040501"
    );
    let begin = cc.wait_event("begin", |e| e.name == "callcenter.conversation.begin");
    let sub_id = cc.sb.default_sub_account().id.clone();
    assert_eq!(begin.get("subaccount_id"), Some(sub_id.as_str()));
    std::thread::sleep(Duration::from_millis(10));
}
