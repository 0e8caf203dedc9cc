//! Many simultaneous calls: every one delivers exactly one end event.

mod common;

use common::*;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use yunhuni_sandbox::{Behavior, CallState, EndEventState, Sandbox};

const CALLS: usize = 2000;
const CLIENTS: usize = 4;

#[test]
fn two_thousand_simultaneous_calls() {
    let listener = Listener::ok();
    let sb = Sandbox::builder()
        .time_scale(1000.0)
        .callback_url(listener.url())
        .start()
        .unwrap();
    // Every call lasts 2 + 2 + 900 simulated seconds (about 0.9 s real), so that all of them
    // are running at the same time: party 1 is the reserved never-hanging-up number, party 2
    // is scripted the same way, and the calls end by max_call_duration.
    sb.set_behavior("13700000005", Behavior::answer_after(2000));
    let addr = sb.local_addr();
    let creds = Creds::of(&sb);
    let start = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let creds = creds.clone();
            std::thread::spawn(move || {
                let mut conn = Conn::open(addr);
                let path = creds.path("duo_callback");
                (0..CALLS / CLIENTS)
                    .map(|i| {
                        let body = format!(
                            r#"{{"to1":"13900000005","to2":"13700000005","max_call_duration":900,"user_data":"{c}-{i}"}}"#
                        );
                        let r = conn.send("POST", &path, &creds.headers("POST", &path, body.as_bytes()), body.as_bytes());
                        let v = r.json();
                        assert_eq!(v["code"], "000000", "{v}");
                        v["data"]["callId"].as_str().unwrap().to_owned()
                    })
                    .collect::<Vec<String>>()
            })
        })
        .collect();
    let ids: Vec<String> = clients
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let placed = start.elapsed();
    assert_eq!(ids.len(), CALLS);
    let running = sb
        .calls()
        .iter()
        .filter(|c| c.state != CallState::Closed)
        .count();
    println!("{running} of {CALLS} calls running at once after placing them all");

    for id in &ids {
        let d = sb
            .wait_for_end(id, Duration::from_secs(120))
            .unwrap_or_else(|| panic!("no end event for {id}"));
        assert!(d.delivered, "{d:?}");
        assert_eq!(d.attempts.len(), 1);
    }
    let elapsed = start.elapsed();
    println!("{CALLS} calls placed in {placed:?} from {CLIENTS} keep-alive clients; all end events delivered after {elapsed:?}");
    assert!(elapsed < Duration::from_secs(120));

    let hooks = listener.wait_for(CALLS, Duration::from_secs(10));
    assert_eq!(hooks.len(), CALLS, "nothing lost, nothing duplicated");
    let mut per_call: HashMap<String, usize> = HashMap::new();
    for h in &hooks {
        *per_call.entry(h.call_id().unwrap()).or_default() += 1;
    }
    assert_eq!(per_call.len(), CALLS);
    assert!(ids.iter().all(|id| per_call.get(id) == Some(&1)));
    assert!(hooks.iter().all(|h| String::from_utf8_lossy(&h.body)
        .contains(r#""error":"connect timeout","hangup_by":"0""#)));

    let calls = sb.calls();
    assert_eq!(calls.len(), CALLS);
    assert!(calls
        .iter()
        .all(|c| c.state == CallState::Closed && c.end_event == EndEventState::Delivered));
    assert_eq!(sb.webhooks().len(), CALLS);
    assert!(sb.webhooks().iter().all(|a| a.status == Some(200)));
}
