//! The queue task's state machine (platform notes 2 §4.4): waiting, selecting an agent
//! (condition and agent routes, `choice` lru and random, priorities), the failures (`timeout`,
//! `error`, `hangup`, `call_fail` by a ring that fails or a reject) and the caller's next
//! request after each; the events checked for keys, order and types. A bounded load run:
//! agents and queued callers routed by conditions, no event lost.

mod cc_support;
mod common;

use std::collections::HashSet;
use std::time::Duration;

use cc_support::*;
use common::eventually;
use yunhuni_sandbox::Behavior;

fn next_request(cc: &Cc) -> String {
    eventually(WAIT, "the next request", || {
        cc.app.nexts.lock().unwrap().first().cloned()
    })
}

#[test]
fn a_queue_timeout_fails_with_timeout_and_the_script_goes_on() {
    let cc = Cc::start();
    let cond = cc.condition(r#"{"where":"has(\"x\");","queue_timeout":5}"#);
    cc.app.enqueue("", &format!(r#"<condition id="{cond}"/>"#));
    let caller = cc.caller("13800007001");
    let fail = cc.wait_event("queue.fail", |e| e.name == "callcenter.queue.fail");
    assert_eq!(fail.get("cause"), Some("timeout"));
    assert_eq!(fail.get("origin_call_id"), Some(caller.as_str()));
    assert_eq!(fail.get("condition_id"), Some(cond.as_str()));
    // No agent was chosen: no agent keys.
    assert!(
        !fail.has("agent_name") && !fail.has("agent_extension_id") && !fail.has("agent_call_id")
    );
    let next = next_request(&cc);
    assert!(
        next.contains("error=timeout") && next.contains("type=enqueue"),
        "{next}"
    );
    assert_eq!(names(&cc.events()), ["callcenter.queue.fail"]);
}

#[test]
fn unknown_routes_fail_with_error() {
    for route in [
        r#"<condition id="00000000000000000000000000000000"/>"#.to_owned(),
        r#"<agent name="nobody"/>"#.to_owned(),
        String::new(),
    ] {
        let cc = Cc::start();
        cc.app.enqueue("", &route);
        cc.caller("13800007002");
        let fail = cc.wait_event("queue.fail", |e| e.name == "callcenter.queue.fail");
        assert_eq!(fail.get("cause"), Some("error"), "{route}");
        assert!(next_request(&cc).contains("error=error"), "{route}");
    }
}

#[test]
fn an_agent_route_takes_its_agent_or_waits_for_ever() {
    let cc = Cc::start();
    let ext = cc.agent("hana", STAYS, "idle", "");
    cc.app.enqueue(
        "",
        r#"<agent name="hana" queue_timeout="2" fetch_timeout="10"/>"#,
    );
    cc.caller("13800008001");
    let select = cc.wait_event("select", |e| e.name == "callcenter.queue.select");
    assert_eq!(select.get("agent_name"), Some("hana"));
    assert_eq!(select.get("agent_extension_id"), Some(ext.as_str()));
    assert!(!select.has("condition_id"));
    cc.wait_state("hana", "talking");
    // The agent is busy now: a second caller waits where nothing finds it (the server's
    // defect): no timeout, no select, until the caller hangs up (cause hangup).
    let from = "13800008002";
    cc.sb
        .set_behavior(from, Behavior::answer_after(0).hangup_after(20_000));
    cc.sb.inbound_call(from, "02088880000").unwrap();
    let fail = cc.wait_event("queue.fail", |e| e.name == "callcenter.queue.fail");
    assert_eq!(fail.get("cause"), Some("hangup"));
    let selects = cc
        .events()
        .iter()
        .filter(|e| e.name == "callcenter.queue.select")
        .count();
    assert_eq!(selects, 1);
}

#[test]
fn the_caller_hangs_up_while_the_agent_rings() {
    let cc = Cc::start();
    let phone = "13800009001";
    cc.sb.set_behavior(phone, Behavior::answer_after(30_000));
    cc.agent("ivan", phone, "idle", "");
    let cond = cc.condition(r#"{"where":"true;","queue_timeout":100,"fetch_timeout":60}"#);
    cc.app.enqueue("", &format!(r#"<condition id="{cond}"/>"#));
    let from = "13800009002";
    cc.sb
        .set_behavior(from, Behavior::answer_after(0).hangup_after(5_000));
    cc.sb.inbound_call(from, "02088880000").unwrap();
    let fail = cc.wait_event("queue.fail", |e| e.name == "callcenter.queue.fail");
    assert_eq!(fail.get("cause"), Some("hangup"));
    assert_eq!(fail.get("agent_name"), Some("ivan"));
    assert!(fail.has("agent_call_id"));
    cc.wait_state("ivan", "idle");
    assert_eq!(
        names(&cc.events()),
        [
            "callcenter.agent.state_changed",
            "callcenter.queue.select",
            "callcenter.queue.fail",
            "callcenter.agent.state_changed",
        ]
    );
    // The caller is gone: no next request.
    std::thread::sleep(Duration::from_millis(50));
    assert!(cc.app.nexts.lock().unwrap().is_empty());
}

#[test]
fn reject_hangs_up_the_ringing_agent_call() {
    let cc = Cc::start();
    let phone = "13800010001";
    cc.sb.set_behavior(phone, Behavior::no_answer());
    cc.agent("jack", phone, "idle", "");
    let cond = cc.condition(r#"{"where":"true;","queue_timeout":100,"fetch_timeout":60}"#);
    cc.app.enqueue("", &format!(r#"<condition id="{cond}"/>"#));
    cc.caller("13800010002");
    let select = cc.wait_event("select", |e| e.name == "callcenter.queue.select");
    let task = select.get("id").unwrap().to_owned();
    let body = format!(r#"{{"queue_id":"{task}","data":"busy now"}}"#);
    assert_eq!(
        cc.code("POST", "callcenter/agent/jack/reject", &body),
        "000000"
    );
    let fail = cc.wait_event("queue.fail", |e| e.name == "callcenter.queue.fail");
    assert_eq!(fail.get("cause"), Some("call_fail"));
    assert_eq!(fail.get("id"), Some(task.as_str()));
    assert_eq!(cc.agent_state("jack"), "idle");
    // The task is over: rejecting it again finds no ringing call.
    assert_eq!(
        cc.code("POST", "callcenter/agent/jack/reject", &body),
        "000004"
    );
    assert!(next_request(&cc).contains("error=error"));
}

#[test]
fn lru_takes_the_highest_sort_and_random_takes_any() {
    let cc = Cc::start();
    for (name, score) in [("k1", 10), ("k2", 90), ("k3", 50)] {
        cc.agent(
            name,
            STAYS,
            "idle",
            &format!(r#"{{"name":"s","score":{score},"enabled":true}}"#),
        );
    }
    let cond = cc.condition(r#"{"where":"has(\"s\");","sort":"get(\"s\");","queue_timeout":100}"#);
    cc.app
        .enqueue(r#"choice="lru""#, &format!(r#"<condition id="{cond}"/>"#));
    cc.caller("13800011001");
    let select = cc.wait_event("select", |e| e.name == "callcenter.queue.select");
    assert_eq!(select.get("agent_name"), Some("k2"));
    // Random: over many tasks every eligible agent is chosen at some point.
    let cc = Cc::start();
    for name in ["r1", "r2", "r3"] {
        cc.agent(name, "13800011002", "idle", "");
    }
    // The phones answer after 2 s and hang up 5 s later: each agent takes task after task.
    cc.sb.set_behavior(
        "13800011002",
        Behavior::answer_after(2000).hangup_after(5000),
    );
    let cond = cc.condition(r#"{"where":"true;","sort":"1;","queue_timeout":1000}"#);
    cc.app.enqueue("", &format!(r#"<condition id="{cond}"/>"#));
    for i in 0..30 {
        cc.caller(&format!("138000111{i:02}"));
    }
    eventually(WAIT, "30 selects", || {
        let chosen: Vec<String> = cc
            .events()
            .iter()
            .filter(|e| e.name == "callcenter.queue.select")
            .map(|e| e.get("agent_name").unwrap().to_owned())
            .collect();
        (chosen.len() == 30).then_some(chosen)
    });
    let chosen: HashSet<String> = cc
        .events()
        .iter()
        .filter(|e| e.name == "callcenter.queue.select")
        .map(|e| e.get("agent_name").unwrap().to_owned())
        .collect();
    assert_eq!(chosen.len(), 3, "{chosen:?}");
}

#[test]
fn an_agent_that_becomes_idle_takes_the_highest_priority_condition_first() {
    let cc = Cc::start();
    cc.agent("lena", STAYS, "busy", "");
    let low = cc.condition(r#"{"where":"true;","priority":1,"queue_timeout":1000}"#);
    let high = cc.condition(r#"{"where":"true;","priority":9,"queue_timeout":1000}"#);
    cc.app.enqueue("", &format!(r#"<condition id="{low}"/>"#));
    let first = cc.caller("13800012001");
    // The first caller has its document before the application changes it.
    eventually(WAIT, "the first document", || {
        let requests = cc.sb.ivr_requests(&first).unwrap_or_default();
        requests.iter().any(|r| r.reply.is_some()).then_some(())
    });
    cc.app.enqueue("", &format!(r#"<condition id="{high}"/>"#));
    let second = cc.caller("13800012002");
    std::thread::sleep(Duration::from_millis(50));
    assert!(cc.events().is_empty());
    assert_eq!(
        cc.code("POST", "callcenter/agent/lena/state", r#"{"state":"idle"}"#),
        "000000"
    );
    let select = cc.wait_event("select", |e| e.name == "callcenter.queue.select");
    assert_eq!(select.get("origin_call_id"), Some(second.as_str()));
    assert_eq!(select.get("condition_id"), Some(high.as_str()));
}

#[test]
fn a_bounded_load_routes_every_caller_and_loses_no_event() {
    let cc = Cc::start();
    let agents = 20;
    let callers = 200;
    cc.sb.set_behavior(
        "13800013000",
        Behavior::answer_after(1000).hangup_after(2000),
    );
    for i in 0..agents {
        let skill = if i % 2 == 0 { "even" } else { "odd" };
        cc.agent(
            &format!("load{i}"),
            "13800013000",
            "idle",
            &format!(r#"{{"name":"{skill}","score":{i},"enabled":true}}"#),
        );
    }
    let even =
        cc.condition(r#"{"where":"has(\"even\");","sort":"get(\"even\");","queue_timeout":1000}"#);
    let odd = cc.condition(r#"{"where":"get(\"odd\") >= 1;","queue_timeout":1000}"#);
    for i in 0..callers {
        let cond = if i % 2 == 0 { &even } else { &odd };
        cc.app
            .enqueue(r#"choice="lru""#, &format!(r#"<condition id="{cond}"/>"#));
        let id = cc.caller(&format!("1380001{i:04}"));
        // One document at a time: each caller is answered with the document of its condition
        // (and is not left ringing behind a queue of requests to the application).
        eventually(WAIT, "the caller's document", || {
            let requests = cc.sb.ivr_requests(&id).unwrap_or_default();
            requests.iter().any(|r| r.reply.is_some()).then_some(())
        });
    }
    let ends = eventually(Duration::from_secs(120), "every conversation ends", || {
        let ends = cc
            .events()
            .iter()
            .filter(|e| e.name == "callcenter.conversation.end")
            .count();
        (ends == callers).then_some(ends)
    });
    assert_eq!(ends, callers);
    let events = cc.events();
    // Each caller: select, success, begin, 2 parts_changed, end; each agent call 3 state
    // changes and 2 conversation changes.
    assert_eq!(events.len(), callers * (6 + 5));
    // Even callers were served by even agents, odd by odd.
    for e in events
        .iter()
        .filter(|e| e.name == "callcenter.queue.select")
    {
        let agent: usize = e.get("agent_name").unwrap()[4..].parse().unwrap();
        let cond = e.get("condition_id").unwrap();
        assert_eq!(agent % 2 == 0, cond == even, "{e:?}");
    }
    let (queued, delivered, failed) = eventually(WAIT, "every event delivered", || {
        let c = cc.sb.cc_event_counts();
        (c.1 + c.2 == c.0).then_some(c)
    });
    assert_eq!(
        (queued, delivered, failed),
        (events.len() as u64, events.len() as u64, 0)
    );
    assert!(cc.sb.cc_routing_stats().decisions >= callers as u64);
}
