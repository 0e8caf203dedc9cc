//! What the call-center tests share: a sandbox with an IVR application on 127.0.0.1 whose
//! first document is an `<enqueue>` (set per test), signed API requests, and the
//! `callcenter.*` events checked against the server's key order and value types (platform
//! notes 2 §4.7 and §8, restated here on their own).

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::common::{eventually, flat_json, raw, Creds};
use yunhuni_sandbox::http::{Request, Response, Server};
use yunhuni_sandbox::{Behavior, Sandbox};

pub const WAIT: Duration = Duration::from_secs(30);
/// A phone that answers after 2 s and never hangs up (reserved number).
pub const STAYS: &str = "13900000005";

/// Every key each event may carry, in wire order, and whether its value is a number.
pub fn wire_order(event: &str) -> &'static [(&'static str, bool)] {
    match event {
        "callcenter.queue.select" | "callcenter.queue.success" | "callcenter.queue.fail" => &[
            ("agent_name", false),
            ("agent_extension_id", false),
            ("cause", false),
            ("action", false),
            ("subaccount_id", false),
            ("id", false),
            ("user_data", false),
            ("event", false),
            ("type", false),
            ("origin_call_id", false),
            ("condition_id", false),
            ("agent_call_id", false),
        ],
        "callcenter.agent.state_changed" => &[
            ("previous_state", false),
            ("name", false),
            ("latest_state", false),
            ("action", false),
            ("subaccount_id", false),
            ("user_data", false),
            ("event", false),
            ("current_time", true),
        ],
        "callcenter.agent.conversation_changed" => &[
            ("conversation_id", false),
            ("name", false),
            ("latest_state", false),
            ("action", false),
            ("subaccount_id", false),
            ("user_data", false),
            ("event", false),
            ("type", false),
            ("current_time", true),
        ],
        "callcenter.conversation.begin" => &[
            ("action", false),
            ("subaccount_id", false),
            ("id", false),
            ("user_data", false),
            ("event", false),
            ("type", false),
            ("queue_id", false),
            ("agent_call_id", false),
        ],
        "callcenter.conversation.end" => &[
            ("end_time", true),
            ("begin_time", true),
            ("action", false),
            ("subaccount_id", false),
            ("id", false),
            ("user_data", false),
            ("event", false),
            ("type", false),
        ],
        "callcenter.conversation.parts_changed" => &[
            ("action", false),
            ("subaccount_id", false),
            ("id", false),
            ("user_data", false),
            ("event", false),
        ],
        other => panic!("{other} is not a call-center event"),
    }
}

/// One `callcenter.*` event: name and its keys with raw JSON values, in order.
#[derive(Debug, Clone)]
pub struct Ev {
    pub name: String,
    pub keys: Vec<(String, String)>,
}

impl Ev {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.keys
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim_matches('"'))
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// Reads an event body and checks it: `action` first among what is sent as the server
/// orders it, only the event's keys, in the server's order, numbers where numbers go.
pub fn read_event(name: &str, body: &[u8]) -> Ev {
    let keys = flat_json(body);
    let order = wire_order(name);
    let mut last = None;
    for (k, v) in &keys {
        let pos = order
            .iter()
            .position(|(n, _)| n == k)
            .unwrap_or_else(|| panic!("{name}: unexpected key {k} in {keys:?}"));
        assert!(
            last.is_none_or(|l| pos > l),
            "{name}: {k} out of order in {keys:?}"
        );
        last = Some(pos);
        let number = order[pos].1;
        assert_eq!(
            !v.starts_with('"'),
            number,
            "{name}: {k} should be a {}: {v}",
            if number { "number" } else { "string" }
        );
    }
    let ev = Ev {
        name: name.to_owned(),
        keys,
    };
    assert_eq!(ev.get("event"), Some(name));
    assert_eq!(ev.get("action"), Some("event_notify"));
    ev
}

/// The IVR application: `ivr_start` gets `first` (changeable), a next request gets
/// `<hangup/>`; every request's query is kept.
pub struct IvrApp {
    pub server: Server,
    pub first: Arc<Mutex<String>>,
    pub nexts: Arc<Mutex<Vec<String>>>,
}

impl IvrApp {
    pub fn start() -> IvrApp {
        let first = Arc::new(Mutex::new(String::new()));
        let nexts = Arc::new(Mutex::new(Vec::new()));
        let handler = {
            let (first, nexts) = (Arc::clone(&first), Arc::clone(&nexts));
            Arc::new(move |r: &Request| {
                if r.path == "/events" {
                    return Response::new(200);
                }
                let doc = if r.method == "POST" {
                    first.lock().unwrap().clone()
                } else {
                    nexts
                        .lock()
                        .unwrap()
                        .push(r.query.clone().unwrap_or_default());
                    "<response><hangup/></response>".to_owned()
                };
                Response::new(200)
                    .header("Content-Type", "text/xml")
                    .body(doc.into_bytes())
            })
        };
        let server = Server::start("127.0.0.1:0", handler).unwrap();
        IvrApp {
            server,
            first,
            nexts,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.local_addr())
    }

    /// Callers are put in the queue of this condition.
    pub fn enqueue(&self, attrs: &str, route: &str) {
        // The first document of an inbound call runs with no base URL: the next is absolute.
        let next = self.url("/after");
        *self.first.lock().unwrap() = format!(
            "<response><enqueue {attrs}><route>{route}</route></enqueue><next>{next}</next></response>"
        );
    }
}

/// A sandbox with the call center's app and an IVR application.
pub struct Cc {
    pub sb: Sandbox,
    pub app: IvrApp,
    pub creds: Creds,
}

impl Cc {
    pub fn start() -> Cc {
        let app = IvrApp::start();
        let sb = Sandbox::builder()
            .callback_url(app.url("/events"))
            .ivr_url(app.url("/ivr"))
            .time_scale(200.0)
            .start()
            .unwrap();
        let creds = Creds::of(&sb);
        Cc { sb, app, creds }
    }

    /// A signed request; the envelope.
    pub fn api(&self, method: &str, rest: &str, body: &str) -> serde_json::Value {
        self.api_as(&self.creds, method, rest, body)
    }

    pub fn api_as(&self, creds: &Creds, method: &str, rest: &str, body: &str) -> serde_json::Value {
        let path = format!("/v1/account/{}/{rest}", creds.account);
        let bytes = body.as_bytes();
        let r = raw(
            self.sb.local_addr(),
            method,
            &path,
            &creds.headers(method, &path, bytes),
            bytes,
        );
        assert_eq!(r.status, 200, "{method} {rest}: {}", r.text());
        r.json()
    }

    /// The raw text of a request's answer.
    pub fn text(&self, method: &str, rest: &str) -> String {
        let path = format!("/v1/account/{}/{rest}", self.creds.account);
        raw(
            self.sb.local_addr(),
            method,
            &path,
            &self.creds.headers(method, &path, b""),
            b"",
        )
        .text()
    }

    /// A request that must succeed; its data.
    pub fn ok(&self, method: &str, rest: &str, body: &str) -> serde_json::Value {
        let v = self.api(method, rest, body);
        assert_eq!(v["code"], "000000", "{method} {rest} {body}: {v}");
        v["data"].clone()
    }

    /// The code of a request.
    pub fn code(&self, method: &str, rest: &str, body: &str) -> String {
        self.api(method, rest, body)["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A phone extension (type 3) ringing `number`.
    pub fn phone(&self, number: &str) -> String {
        let d = self.ok(
            "POST",
            "callcenter/extension",
            &format!(r#"{{"type":"3","telnum":"{number}"}}"#),
        );
        d["id"].as_str().unwrap().to_owned()
    }

    /// Logs in an agent on a new phone extension ringing `number`.
    pub fn agent(&self, name: &str, number: &str, state: &str, skills: &str) -> String {
        let ext = self.phone(number);
        self.ok(
            "POST",
            "callcenter/agent",
            &format!(
                r#"{{"name":"{name}","extension":"{ext}","state":"{state}","skills":[{skills}],"num":"{name}-num"}}"#
            ),
        );
        ext
    }

    pub fn condition(&self, body: &str) -> String {
        let d = self.ok("POST", "callcenter/condition", body);
        d["conditionId"].as_str().unwrap().to_owned()
    }

    pub fn agent_state(&self, name: &str) -> String {
        self.ok("GET", &format!("callcenter/agent/{name}"), "")["state"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Waits until the agent is in `state`.
    pub fn wait_state(&self, name: &str, state: &str) {
        eventually(WAIT, &format!("{name} {state}"), || {
            (self.agent_state(name) == state).then_some(())
        });
    }

    /// Every event queued so far, checked.
    pub fn events(&self) -> Vec<Ev> {
        self.sb
            .cc_events()
            .iter()
            .map(|e| read_event(&e.event, &e.body))
            .collect()
    }

    /// The events from `from` on.
    pub fn events_from(&self, from: usize) -> Vec<Ev> {
        self.events().into_iter().skip(from).collect()
    }

    /// Waits until an event passes `pred`; returns it.
    pub fn wait_event(&self, what: &str, pred: impl Fn(&Ev) -> bool) -> Ev {
        eventually(WAIT, what, || self.events().into_iter().find(|e| pred(e)))
    }

    /// An inbound caller from `from` (scripted to stay) to the app's number.
    pub fn caller(&self, from: &str) -> String {
        self.sb.set_behavior(from, Behavior::answer_after(0));
        self.sb.inbound_call(from, "02088880000").unwrap()
    }
}

/// The names of events, for order checks.
pub fn names(events: &[Ev]) -> Vec<&str> {
    events.iter().map(|e| e.name.as_str()).collect()
}
