//! `yunhuni demo --callcenter`, run as a process: two agents, three callers queued by an IVR
//! `<enqueue>`, the routing with its reasons, a transfer, and the `callcenter.*` events.
//!
//! Events reach the application through the sandbox's delivery workers, so two events sent at
//! the same moment may arrive in either order: the order asserted here is only the one the
//! story itself imposes (each step waits for the event that allows it).

use serde_json::Value;

mod common;

fn demo(args: &[&str]) -> (i32, String, String) {
    let all: Vec<&str> = ["demo", "--callcenter"]
        .iter()
        .chain(args)
        .copied()
        .collect();
    common::yunhuni(&all)
}

/// The position of the first line containing `needle`, after `from`.
fn find(out: &str, needle: &str, from: usize) -> usize {
    out[from..]
        .find(needle)
        .map(|i| i + from)
        .unwrap_or_else(|| panic!("missing {needle:?} after byte {from} in:\n{out}"))
}

#[test]
fn the_story_in_text() {
    let (code, out, err) = demo(&["--time-scale", "50"]);
    assert_eq!(code, 0, "{err}\n{out}");
    assert!(
        !out.contains('\x1b') && !err.contains('\x1b'),
        "escape codes in piped output"
    );
    // The setup, through the SDK.
    for needle in [
        "ext_create: SIP extension 8000100001",
        "ext_create: SIP extension 8000100002",
        "agent_login: alice on extension 8000100001, idle, skills sales=90 support=30",
        "agent_login: bob on extension 8000100002, idle, skills sales=60 support=80",
        "condition_create \"sales\"",
        "condition_create \"support\"",
        "queue    waiting: nobody; agents: alice idle, bob idle",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    // The IVR document that queues the caller.
    assert!(
        out.contains(
            "queue it: <?xml version=\"1.0\" encoding=\"UTF-8\"?><response><enqueue choice=\"lru\""
        ),
        "{out}"
    );
    // The story, in the order the demo drives it.
    let route1 = find(
        &out,
        "route    caller 1 (13800000011) -> alice by condition \"sales\"",
        0,
    );
    let begin1 = find(&out, "conversation 1 began (queue", 0);
    let transfer = find(&out, "transfer alice transfers caller 1 to bob", 0);
    assert!(route1 < transfer && begin1 < transfer, "{out}");
    let entered = find(&out, "bob entered conversation 1", transfer);
    let left = find(&out, "alice left conversation 1", entered);
    let done = find(
        &out,
        "transfer done: conversation 1 now holds caller 1 (13800000011) and bob",
        left,
    );
    let waits = find(
        &out,
        "queue    caller 2 waits: no idle agent matches condition \"support\"",
        done,
    );
    find(
        &out,
        "waiting: caller 2 (13800000012) for \"support\"; agents: alice idle, bob talking",
        waits,
    );
    let route3 = find(
        &out,
        "route    caller 3 (13800000013) -> alice by condition \"sales\"",
        waits,
    );
    // Bob is talking to caller 1 when caller 3 is routed: the line says so.
    assert!(
        out[route3..]
            .lines()
            .next()
            .unwrap()
            .contains("bob sales=60 (talking)"),
        "{out}"
    );
    let bob_done = find(&out, "bob finishes with caller 1", route3);
    let route2 = find(
        &out,
        "route    caller 2 (13800000012) -> bob by condition \"support\"",
        bob_done,
    );
    assert!(
        out[route2..]
            .lines()
            .next()
            .unwrap()
            .contains("alice support=30"),
        "{out}"
    );
    let end = find(
        &out,
        "done     3 callers served, 3 routing decisions, 1 transfer",
        route2,
    );
    find(
        &out,
        "queue    waiting: nobody; agents: alice idle, bob idle",
        bob_done,
    );
    assert!(end > route2);
    // Every event of the story, shown typed and readable.
    for needle in [
        "callcenter.queue.select                the queued call of caller 1 (13800000011) -> alice by condition \"sales\": extension 8000100001 rings",
        "callcenter.queue.success               alice answered the queued call of caller 1 (13800000011)",
        "callcenter.agent.state_changed         alice idle -> fetching",
        "callcenter.agent.state_changed         alice fetching -> talking",
        "callcenter.agent.conversation_changed  bob entered conversation 1 (now talking)",
        "callcenter.conversation.parts_changed  conversation 1: a member joined",
        "callcenter.conversation.end            conversation 1 ended after",
        "callcenter.conversation.end            conversation 3 ended after",
        "ivr.get_end                            caller 2 (13800000012) pressed \"2\"",
        "ivr.call_end                           caller 3 (13800000013): the call ended",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
    assert!(!out.contains("callcenter.queue.fail"), "{out}");
}

#[test]
fn the_story_in_json() {
    let (code, out, err) = demo(&["--time-scale", "200", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(v["errors"], serde_json::json!([]));
    let routing: Vec<(&str, &str, &str)> = v["routing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["caller"].as_str().unwrap(),
                r["agent"].as_str().unwrap(),
                r["condition"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        routing,
        [
            ("caller 1 (13800000011)", "alice", "sales"),
            ("caller 3 (13800000013)", "alice", "sales"),
            ("caller 2 (13800000012)", "bob", "support"),
        ]
    );
    let t = &v["transfer"];
    assert_eq!(
        (t["from"].as_str(), t["to"].as_str()),
        (Some("alice"), Some("bob"))
    );
    assert_eq!(
        t["members_after"],
        serde_json::json!(["caller 1 (13800000011)", "bob"])
    );
    let events = v["events"].as_array().unwrap();
    let named = |name: &str| -> Vec<&Value> {
        events
            .iter()
            .filter(|e| e["name"] == name)
            .map(|e| &e["event"])
            .collect()
    };
    // Typed fields of the events, as the SDK parsed them.
    let selects = named("callcenter.queue.select");
    assert_eq!(selects.len(), 3);
    for s in &selects {
        assert_eq!(s["kind"], "ivr", "{s}");
        assert_eq!(s["condition_id"].as_str().map(str::len), Some(32), "{s}");
        assert_eq!(s["origin_call_id"].as_str().map(str::len), Some(32), "{s}");
    }
    let mut agents: Vec<&str> = selects
        .iter()
        .map(|s| s["agent_name"].as_str().unwrap())
        .collect();
    agents.sort_unstable();
    assert_eq!(agents, ["alice", "alice", "bob"]);
    assert_eq!(named("callcenter.queue.success").len(), 3);
    assert_eq!(named("callcenter.conversation.begin").len(), 3);
    assert_eq!(named("callcenter.conversation.end").len(), 3);
    assert_eq!(named("ivr.call_end").len(), 3);
    assert!(named("callcenter.queue.fail").is_empty());
    let moves: Vec<(String, String)> = named("callcenter.agent.conversation_changed")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_owned(),
                e["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // Every agent that entered a conversation left it: 4 entries (alice twice, bob twice, as
    // caller 1 moved from alice to bob) and 4 exits.
    assert_eq!(
        moves.iter().filter(|m| m.1 == "enter").count(),
        4,
        "{moves:?}"
    );
    assert_eq!(
        moves.iter().filter(|m| m.1 == "exit").count(),
        4,
        "{moves:?}"
    );
    // The conversation of the transfer: begun by alice, bob in, alice out, then over.
    let conv = t["conversation_id"].as_str().unwrap();
    let in_conv: Vec<(String, String)> = named("callcenter.agent.conversation_changed")
        .iter()
        .filter(|e| e["conversation_id"] == conv)
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_owned(),
                e["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let pos = |name: &str, kind: &str| {
        in_conv
            .iter()
            .position(|m| m.0 == name && m.1 == kind)
            .unwrap_or_else(|| panic!("{name} {kind}: {in_conv:?}"))
    };
    assert!(pos("bob", "enter") < pos("alice", "exit"), "{in_conv:?}");
    assert!(pos("alice", "exit") < pos("bob", "exit"), "{in_conv:?}");
    // Every agent is idle at the end, as agent_list answers.
    let queues: Vec<&str> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["step"] == "queue")
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        queues.last(),
        Some(&"waiting: nobody; agents: alice idle, bob idle")
    );
}

#[test]
fn bad_arguments_fail_clearly() {
    // A time scale the sandbox cannot run: named, exit 1, no hang.
    let (code, out, err) = demo(&["--time-scale", "0"]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("--time-scale"), "{err}");
    let (code, out, _) = demo(&["--time-scale", "nan", "--json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(out.trim()).unwrap();
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("--time-scale"));
    // --callcenter with another rehearsal is a usage error.
    for other in [&["--ivr"][..], &["--scenario", "busy"]] {
        let (code, _, err) = demo(other);
        assert_eq!(code, 2, "{other:?}: {err}");
        assert!(err.contains("--callcenter"), "{err}");
    }
    let (_, help, _) = common::yunhuni(&["demo", "--help"]);
    assert!(
        help.contains("--callcenter") && help.contains("yunhuni demo --callcenter"),
        "{help}"
    );
}
