//! The IVR engine end to end over real HTTP on 127.0.0.1: `ivr_call` and inbound calls, the
//! `ivr_start` bytes, the next requests, the `ivr.*` events, the scripted caller, and hostile
//! applications (invalid, huge, slow, redirecting, garbage replies).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{eventually, flat_json, place, post, Creds};
use yunhuni_sandbox::http::{Request, Response, Server};
use yunhuni_sandbox::{Behavior, CallState, Sandbox, Service};

const WAIT: Duration = Duration::from_secs(20);

/// What the application received.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: Option<String>,
    content_type: Option<String>,
    accept: Option<String>,
    body: Vec<u8>,
}

type Reply = Box<dyn Fn(&Seen) -> Response + Send + Sync>;

/// An IVR application: `/events` takes the events, every other path is answered by `reply`.
struct App {
    server: Server,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl App {
    fn start(reply: impl Fn(&Seen) -> Response + Send + Sync + 'static) -> App {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let reply: Reply = Box::new(reply);
        let handler = {
            let seen = Arc::clone(&seen);
            Arc::new(move |r: &Request| {
                let s = Seen {
                    method: r.method.clone(),
                    path: r.path.clone(),
                    query: r.query.clone(),
                    content_type: r.header("Content-Type").map(str::to_owned),
                    accept: r.header("accept").map(str::to_owned),
                    body: r.body.clone(),
                };
                seen.lock().unwrap().push(s.clone());
                if r.path == "/events" {
                    Response::new(200)
                } else {
                    reply(&s)
                }
            })
        };
        let server = Server::start("127.0.0.1:0", handler).unwrap();
        App { server, seen }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.server.local_addr())
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path != "/events")
            .cloned()
            .collect()
    }

    /// The events received for a call, as (name, flat JSON tokens).
    fn events(&self, call_id: &str) -> Vec<(String, Vec<(String, String)>)> {
        self.seen
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.path == "/events")
            .map(|s| flat_json(&s.body))
            .filter(|t| {
                t.iter()
                    .any(|(k, v)| k == "id" && v.trim_matches('"') == call_id)
            })
            .map(|t| {
                let name = t
                    .iter()
                    .find(|(k, _)| k == "event")
                    .map(|(_, v)| v.trim_matches('"').to_owned())
                    .unwrap_or_default();
                (name, t)
            })
            .collect()
    }
}

fn xml(body: &str) -> Response {
    Response::new(200)
        .header("Content-Type", "text/xml")
        .body(body.as_bytes().to_vec())
}

fn sandbox(app: &App) -> Sandbox {
    Sandbox::builder()
        .callback_url(app.url("/events"))
        .ivr_url(app.url("/ivr"))
        .time_scale(1000.0)
        .ivr_timeout(Duration::from_millis(300))
        .start()
        .unwrap()
}

fn ivr_call(sb: &Sandbox, to: &str, extra: &str) -> String {
    let body = format!(r#"{{"to":"{to}","max_call_duration":600{extra}}}"#);
    place(sb.local_addr(), &Creds::of(sb), "ivr_call", &body)
}

fn keys(tokens: &[(String, String)]) -> Vec<&str> {
    tokens.iter().map(|(k, _)| k.as_str()).collect()
}

fn value<'a>(tokens: &'a [(String, String)], key: &str) -> Option<&'a str> {
    tokens
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim_matches('"'))
}

fn param(query: &str, key: &str) -> Option<String> {
    query.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k == key).then(|| v.to_owned())
    })
}

/// Waits for the call's `ivr.call_end` to be delivered and for every event queued for the
/// call to arrive; returns the events in the order the sandbox queued them (the platform
/// posts events concurrently, so they may arrive in another order).
fn finished(sb: &Sandbox, app: &App, id: &str) -> Vec<(String, Vec<(String, String)>)> {
    let end = sb.wait_for_end(id, WAIT).expect("ivr.call_end settled");
    assert_eq!(end.event, "ivr.call_end");
    assert!(end.delivered, "{end:?}");
    let queued: Vec<String> = sb
        .call(id)
        .unwrap()
        .timeline
        .iter()
        .filter_map(|t| t.what.split_once(" queued for ").map(|(n, _)| n.to_owned()))
        .collect();
    let mut events = eventually(WAIT, "every event at the app", || {
        let events = app.events(id);
        (events.len() >= queued.len()).then_some(events)
    });
    assert_eq!(events.len(), queued.len(), "{events:?}");
    let mut ordered = Vec::new();
    for name in &queued {
        let i = events.iter().position(|(n, _)| n == name).unwrap();
        ordered.push(events.remove(i));
    }
    ordered
}

#[test]
fn ivr_call_runs_a_two_level_menu() {
    let app = App::start(|s| {
        match (s.path.as_str(), s.query.as_deref()) {
        ("/ivr", None) => xml(
            "<response><get max_keys=\"1\"><play>menu.wav</play></get><next>menu</next></response>",
        ),
        ("/menu", Some(q)) if param(q, "keys").as_deref() == Some("1") => xml(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><response><get finish_keys=\"#\"><playlist><play>sub.wav</play><play>more.wav</play></playlist></get><next>/sub?level=2</next></response>",
        ),
        ("/sub", Some(q)) if param(q, "keys").as_deref() == Some("42") => {
            xml("<response><play>bye.wav</play><next>/bye</next></response>")
        }
        ("/bye", _) => xml("<response><hangup/></response>"),
        _ => xml("<response><hangup/></response>"),
    }
    });
    let sb = sandbox(&app);
    sb.set_behavior(
        "13800000101",
        Behavior::answer_after(1000).presses(["1", "42#"]),
    );
    let id = ivr_call(&sb, "13800000101", r#","user_data":"order-42""#);
    let events = finished(&sb, &app, &id);

    // ivr_start: the platform's bytes and headers.
    let requests = app.requests();
    let start = &requests[0];
    assert_eq!(
        (start.method.as_str(), start.path.as_str()),
        ("POST", "/ivr")
    );
    assert_eq!(
        String::from_utf8(start.body.clone()).unwrap(),
        format!(
            r#"{{"action":"ivr_start","from":"13800000101","user_data":"order-42","type":"ivr_call","call_id":"{id}"}}"#
        )
    );
    assert_eq!(
        start.content_type.as_deref(),
        Some("application/json;charset=utf-8")
    );
    assert_eq!(start.accept.as_deref(), Some("text/plain;charset=utf-8"));
    // The next requests: GET, the relative <next> resolved, call_id and type first.
    let gets: Vec<(String, String)> = requests[1..]
        .iter()
        .map(|s| (s.path.clone(), s.query.clone().unwrap_or_default()))
        .collect();
    assert_eq!(
        gets,
        [
            ("/menu".to_owned(), format!("call_id={id}&type=get&keys=1")),
            (
                "/sub".to_owned(),
                format!("level=2&call_id={id}&type=get&keys=42")
            ),
            ("/bye".to_owned(), format!("call_id={id}&type=play")),
        ]
    );
    assert!(requests[1..].iter().all(|s| s.method == "GET"));

    // The events, each with the platform's keys in its order.
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "ivr.dial_end",
            "ivr.get_end",
            "ivr.get_end",
            "ivr.play_end",
            "ivr.call_end"
        ]
    );
    assert_eq!(
        keys(&events[0].1),
        [
            "end_time",
            "begin_time",
            "action",
            "id",
            "user_data",
            "event"
        ]
    );
    assert_eq!(
        keys(&events[1].1),
        ["keys", "end_time", "begin_time", "action", "id", "event"]
    );
    assert_eq!(value(&events[1].1, "keys"), Some("1"));
    assert_eq!(value(&events[2].1, "keys"), Some("42"));
    assert_eq!(
        keys(&events[3].1),
        ["end_time", "begin_time", "action", "id", "event"]
    );
    assert_eq!(
        keys(&events[4].1),
        [
            "answer_time",
            "end_time",
            "begin_time",
            "action",
            "id",
            "user_data",
            "event",
            "end_by"
        ]
    );
    assert_eq!(value(&events[4].1, "end_by"), Some("sys"));
    for (_, tokens) in &events {
        for key in ["begin_time", "end_time", "answer_time"] {
            if let Some(t) = value(tokens, key) {
                assert!(t.ends_with("000"), "{key} {t}: engine seconds x 1000");
            }
        }
    }
    let call = sb.call(&id).unwrap();
    assert_eq!(call.state, CallState::Closed);
    assert_eq!(call.kind.as_str(), "ivr_call");
    let exchanges = sb.ivr_requests(&id).unwrap();
    assert_eq!(exchanges.len(), 4);
    assert_eq!(exchanges[0].method, "POST");
    assert!(exchanges[1].reply.as_deref().unwrap().contains("sub.wav"));
}

#[test]
fn ivr_start_bytes_match_the_vectors() {
    let vectors = common::vectors("ivr.json");
    let app = App::start(|_| Response::new(200));
    let sb = sandbox(&app);
    sb.set_behavior("13800000001", Behavior::answer_after(100));
    let sub_id = sb.sub_account().0.to_owned();
    /// How a vector's call is made.
    enum How {
        /// `ivr_call` with these extra fields, with the sub-account or not.
        Call(&'static str, bool),
        /// An inbound call from this number.
        Inbound(&'static str),
    }
    let cases = [
        (
            "server-ivr-call",
            How::Call(r#","user_data":"order-42""#, false),
        ),
        (
            "server-ivr-call-sub-account",
            How::Call(r#","user_data":"order-43""#, true),
        ),
        (
            "server-ivr-call-chinese-user-data",
            How::Call(r#","user_data":"订单-42""#, false),
        ),
        (
            "server-ivr-call-latin1-user-data",
            How::Call(r#","user_data":"café""#, false),
        ),
        ("server-ivr-call-no-user-data", How::Call("", false)),
        ("server-ivr-incoming", How::Inbound("13692206627")),
    ];
    for (name, how) in cases {
        let vector = vectors["ivr_start"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("vector {name}"));
        let expected = common::hex_decode(vector["body_hex"].as_str().unwrap());
        let vector_id = vector["expect"]["call_id"].as_str().unwrap();
        let id = match how {
            How::Call(extra, false) => ivr_call(&sb, "13800000001", extra),
            How::Call(extra, true) => {
                let body = format!(r#"{{"to":"13800000001","max_call_duration":600{extra}}}"#);
                place(sb.local_addr(), &Creds::sub(&sb), "ivr_call", &body)
            }
            How::Inbound(from) => sb.inbound_call(from, "02088880000").unwrap(),
        };
        let body = eventually(WAIT, "ivr_start", || {
            app.requests()
                .into_iter()
                .find(|s| s.body.windows(id.len()).any(|w| w == id.as_bytes()))
                .map(|s| s.body)
        });
        // The ids are the sandbox's: put the vector's in their place.
        let mut text = String::from_utf8_lossy(&body).replace(&id, vector_id);
        if let Some(vector_sub) = vector["expect"]["subaccount_id"].as_str() {
            text = text.replace(&sub_id, vector_sub);
        }
        let ours: Vec<u8> = if body.iter().any(|b| *b >= 0x80) {
            // Latin-1: rebuild byte for byte rather than through a lossy string.
            let mut b = body.clone();
            let at = b
                .windows(id.len())
                .position(|w| w == id.as_bytes())
                .unwrap();
            b.splice(at..at + id.len(), vector_id.bytes());
            b
        } else {
            text.into_bytes()
        };
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&expected),
            "{name}"
        );
        assert_eq!(ours, expected, "{name}");
    }
}

#[test]
fn inbound_call_is_answered_by_its_first_action() {
    let host = Arc::new(Mutex::new(String::new()));
    let app = {
        let host = Arc::clone(&host);
        App::start(move |s| {
            match s.path.as_str() {
            "/ivr" => xml(&format!(
                "<response><record max_duration=\"5\" beeping=\"true\"/><next>http://{}/recorded</next></response>",
                host.lock().unwrap()
            )),
            _ => xml("<response><play>thanks.wav</play></response>"),
        }
        })
    };
    *host.lock().unwrap() = app.server.local_addr().to_string();
    let sb = sandbox(&app);
    // The caller never hangs up: the script ends the call.
    sb.set_behavior("13600000001", Behavior::answer_after(0));
    let id = sb.inbound_call("13600000001", "02088880000").unwrap();
    let events = finished(&sb, &app, &id);
    let requests = app.requests();
    assert_eq!(
        String::from_utf8(requests[0].body.clone()).unwrap(),
        format!(
            r#"{{"action":"ivr_start","from":"13600000001","type":"ivr_incoming","call_id":"{id}"}}"#
        )
    );
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ivr.record_end", "ivr.play_end", "ivr.call_end"]);
    let recordings = sb.recordings();
    assert_eq!(recordings.len(), 1);
    assert_eq!(
        (recordings[0].call_id.as_str(), recordings[0].duration),
        (id.as_str(), 5)
    );
    assert_eq!(
        requests[1].query.as_deref().unwrap(),
        format!("call_id={id}&type=record&record_id={}", recordings[0].id)
    );
    // No <next> after the play: the platform hangs up.
    let end = &events[2].1;
    assert!(value(end, "answer_time").is_some());
    assert_eq!(value(end, "end_by"), Some("sys"));
    let call = sb.call(&id).unwrap();
    assert_eq!(call.timeline[0].state, CallState::Incoming);
    assert!(call.timeline.iter().any(|t| t.what.contains("answering")));
}

#[test]
fn a_relative_next_in_the_first_inbound_document_stalls() {
    let app = App::start(|_| xml("<response><play>hi.wav</play><next>/n</next></response>"));
    let sb = sandbox(&app);
    sb.set_behavior(
        "13600000003",
        Behavior::answer_after(0).hangup_after(20_000),
    );
    let id = sb.inbound_call("13600000003", "02088880000").unwrap();
    let events = finished(&sb, &app, &id);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ivr.call_end"]);
    assert_eq!(value(&events[0].1, "end_by"), Some("usr"));
    assert_eq!(app.requests().len(), 1);
}

#[test]
fn hangup_rejects_an_unanswered_inbound_call() {
    let app = App::start(|_| xml("<response><hangup/></response>"));
    let sb = sandbox(&app);
    let id = sb.inbound_call("13600000002", "02088880000").unwrap();
    let events = finished(&sb, &app, &id);
    assert_eq!(events.len(), 1);
    let end = &events[0].1;
    assert_eq!(value(end, "answer_time"), None, "never answered");
    assert_eq!(value(end, "end_by"), Some("sys"));
    assert!(sb
        .call(&id)
        .unwrap()
        .timeline
        .iter()
        .any(|t| t.what.contains("rejected")));
    // The platform ignores inbound calls the app cannot take.
    let mut settings = sb.app_settings(sb.app_id()).unwrap();
    settings.disabled_services = vec![yunhuni_sandbox::Service::Ivr];
    sb.set_app_settings(sb.app_id(), settings).unwrap();
    let err = sb.inbound_call("13600000002", "02088880000").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(err.to_string().contains("IVR service"), "{err}");
    let err = sb.inbound_call(" ", "02088880000").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}

#[test]
fn ivr_call_validation_and_codes() {
    let app = App::start(|_| xml("<response><hangup/></response>"));
    let sb = Sandbox::builder()
        .ivr_url(app.url("/ivr"))
        .behavior(
            "13800000666",
            Behavior::default().with_code(yunhuni_sandbox::BusinessCode::new("020001").unwrap()),
        )
        .start()
        .unwrap();
    let creds = Creds::of(&sb);
    let code = |body: &str| {
        post(sb.local_addr(), &creds, "ivr_call", body).json()["code"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(code(r#"{"max_call_duration":60}"#), "000001");
    assert_eq!(code(r#"{"to":"","max_call_duration":60}"#), "000001");
    assert_eq!(code(r#"{"to":"1"}"#), "000001");
    assert_eq!(code(r#"{"to":"1","max_call_duration":21601}"#), "000001");
    assert_eq!(
        code(r#"{"to":"1","max_call_duration":60,"max_dial_duration":301}"#),
        "000001"
    );
    assert_eq!(
        code(r#"{"to":"13800000666","max_call_duration":60}"#),
        "020001"
    );
    let answer = post(
        sb.local_addr(),
        &creds,
        "ivr_call",
        r#"{"to":"13900000001","max_call_duration":60}"#,
    )
    .json();
    assert_eq!(answer["code"], "000000");
    let data = answer["data"].as_object().unwrap();
    assert_eq!(data.keys().collect::<Vec<_>>(), ["callId"]);
    let mut settings = sb.app_settings(sb.app_id()).unwrap();
    settings.disabled_services = vec![yunhuni_sandbox::Service::Ivr];
    sb.set_app_settings(sb.app_id(), settings).unwrap();
    assert_eq!(code(r#"{"to":"1","max_call_duration":60}"#), "010002");
}

#[test]
fn a_busy_callee_ends_with_dial_end_and_no_ivr_start() {
    let app = App::start(|_| xml("<response><hangup/></response>"));
    let sb = sandbox(&app);
    let id = ivr_call(&sb, "13900000001", "");
    let events = finished(&sb, &app, &id);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ivr.dial_end", "ivr.call_end"]);
    assert!(value(&events[0].1, "error").is_some());
    assert!(app.requests().is_empty(), "no ivr_start for a failed dial");
}

#[test]
fn dial_bridges_the_caller_with_a_number() {
    let app = App::start(|s| {
        match s.path.as_str() {
        "/ivr" => xml("<response><dial max_dial_duration=\"30\"><number>13800000202</number><connect max_duration=\"60\"/></dial><next>/after</next></response>"),
        "/after" => xml("<response><hangup/></response>"),
        _ => xml("<response><hangup/></response>"),
    }
    });
    let sb = sandbox(&app);
    sb.set_behavior("13800000201", Behavior::answer_after(500));
    sb.set_behavior(
        "13800000202",
        Behavior::answer_after(1000).hangup_after(3000),
    );
    let id = ivr_call(&sb, "13800000201", "");
    let events = finished(&sb, &app, &id);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "ivr.dial_end",
            "ivr.connect_begin",
            "ivr.connect_end",
            "ivr.call_end"
        ]
    );
    assert_eq!(keys(&events[1].1), ["action", "id", "event"]);
    let after = app
        .requests()
        .into_iter()
        .find(|s| s.path == "/after")
        .unwrap();
    assert_eq!(after.query.unwrap(), format!("call_id={id}&type=dial"));
    // A number that does not answer: connect_end with the engine's error, next with dial error.
    let app = App::start(|s| match s.path.as_str() {
        "/ivr" => {
            xml("<response><dial><number>13900000001</number></dial><next>/after</next></response>")
        }
        _ => xml("<response><hangup/></response>"),
    });
    let sb = sandbox(&app);
    sb.set_behavior("13800000201", Behavior::answer_after(500));
    let id = ivr_call(&sb, "13800000201", "");
    let events = finished(&sb, &app, &id);
    let end = events.iter().find(|(n, _)| n == "ivr.connect_end").unwrap();
    assert!(value(&end.1, "error").is_some());
    let after = app
        .requests()
        .into_iter()
        .find(|s| s.path == "/after")
        .unwrap();
    assert_eq!(
        after.query.unwrap(),
        format!("call_id={id}&type=dial&error=dial+error")
    );
}

#[test]
fn pause_send_dtmf_and_an_unaudited_file() {
    let app = App::start(|s| match s.path.as_str() {
        "/ivr" => xml("<response><pause duration=\"3\"/><next>/dtmf</next></response>"),
        "/dtmf" => xml("<response><send_dtmf>12#</send_dtmf><next>/play</next></response>"),
        "/play" => xml("<response><play>unknown.wav</play><next>/end</next></response>"),
        _ => xml("<response><hangup/></response>"),
    });
    let sb = sandbox(&app);
    let mut settings = sb.app_settings(sb.app_id()).unwrap();
    settings.audited_files = Some(vec!["menu.wav".into()]);
    sb.set_app_settings(sb.app_id(), settings).unwrap();
    sb.set_behavior("13800000301", Behavior::answer_after(0));
    let id = ivr_call(&sb, "13800000301", "");
    let events = finished(&sb, &app, &id);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "ivr.dial_end",
            "ivr.put_end",
            "ivr.play_end",
            "ivr.call_end"
        ]
    );
    assert_eq!(value(&events[2].1, "error"), Some("play error"));
    let queries: Vec<String> = app
        .requests()
        .iter()
        .skip(1)
        .map(|s| s.query.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        queries,
        [
            format!("call_id={id}&type=pause"),
            format!("call_id={id}&type=send_dtmf"),
            format!("call_id={id}&type=play&error=play+error"),
        ]
    );
}

#[test]
fn the_caller_hangs_up_during_a_get() {
    let app = App::start(|_| {
        xml("<response><get><play>menu.wav</play></get><next>/never</next></response>")
    });
    let sb = sandbox(&app);
    sb.set_behavior("13800000401", Behavior::answer_after(0).hangup_after(1000));
    let id = ivr_call(&sb, "13800000401", "");
    let events = finished(&sb, &app, &id);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ivr.dial_end", "ivr.call_end"]);
    assert_eq!(value(&events[1].1, "end_by"), Some("usr"));
    assert!(app.requests().iter().all(|s| s.path != "/never"));
}

// ---------------------------------------------------------------------------------------
// Hostile applications. Each call ends the way the platform ends it, and the sandbox keeps
// serving afterwards.

fn still_serving(sb: &Sandbox) {
    let (status, body) = common::admin_get(sb.local_addr(), "/sandbox/health");
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
}

/// A document the platform refuses: `ivr.format_error`, then hangup.
fn assert_format_error(app: &App, sb: &Sandbox, id: &str) {
    let events = finished(sb, app, id);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ivr.dial_end", "ivr.format_error", "ivr.call_end"]);
    assert_eq!(keys(&events[1].1), ["action", "id", "user_data", "event"]);
    assert_eq!(value(&events[2].1, "end_by"), Some("sys"));
    still_serving(sb);
}

/// A reply the platform cannot get (no 200 after 4 attempts): nothing more happens; the call
/// lasts until the caller hangs up.
fn assert_stalls(app: &App, sb: &Sandbox, id: &str, error: &str) {
    let events = finished(sb, app, id);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ivr.dial_end", "ivr.call_end"]);
    assert_eq!(value(&events[1].1, "end_by"), Some("usr"));
    // The attempts go on after the caller hung up (their reply is then ignored).
    let attempts = eventually(WAIT, "four attempts", || {
        let attempts = sb.ivr_requests(id).unwrap();
        (attempts.len() >= 4).then_some(attempts)
    });
    assert_eq!(attempts.len(), 4, "{attempts:?}");
    for a in &attempts {
        let seen = format!("{:?} {:?}", a.status, a.error);
        assert!(seen.contains(error), "{seen} should mention {error}");
    }
    still_serving(sb);
}

/// A call whose caller never hangs up: the platform ends it.
fn hostile_call(sb: &Sandbox, number: &str) -> String {
    sb.set_behavior(number, Behavior::answer_after(0));
    ivr_call(sb, number, r#","user_data":"u""#)
}

/// A call whose caller hangs up 30 s (simulated) after answering: for the calls that stall.
fn stalled_call(sb: &Sandbox, number: &str) -> String {
    sb.set_behavior(number, Behavior::answer_after(0).hangup_after(30_000));
    ivr_call(sb, number, r#","user_data":"u""#)
}

#[test]
fn invalid_xml_and_schema_errors_give_format_error() {
    for (i, doc) in [
        "<response><play>menu.wav</play>",
        "<response><play>menu.mp3</play><next>/n</next></response>",
        "<response><next tag=\"x\">/n</next><play>a.wav</play></response>",
        "not xml at all",
        "\u{FEFF}<response><hangup/></response>",
    ]
    .into_iter()
    .enumerate()
    {
        let doc = doc.to_owned();
        let app = App::start(move |_| xml(&doc));
        let sb = sandbox(&app);
        let id = hostile_call(&sb, &format!("1380000050{i}"));
        assert_format_error(&app, &sb, &id);
    }
}

#[test]
fn huge_documents() {
    // 2 MiB of invalid XML: read whole, refused.
    let app = App::start(|_| xml(&format!("<response>{}</response>", "<x/>".repeat(500_000))));
    let sb = sandbox(&app);
    let id = hostile_call(&sb, "13800000601");
    assert_format_error(&app, &sb, &id);
    // 2 MiB of comment in a valid document: it runs.
    let app = App::start(|_| {
        xml(&format!(
            "<response><!--{}--><hangup/></response>",
            "x".repeat(2 * 1024 * 1024)
        ))
    });
    let sb = sandbox(&app);
    let id = hostile_call(&sb, "13800000602");
    let events = finished(&sb, &app, &id);
    assert_eq!(events.last().unwrap().0, "ivr.call_end");
    assert!(events.iter().all(|(n, _)| n != "ivr.format_error"));
    // Beyond the sandbox's reading limit: each attempt fails, the call stalls.
    let big = Arc::new(vec![b' '; 9 * 1024 * 1024]);
    let app = App::start(move |_| Response::new(200).body(big.to_vec()));
    let sb = sandbox(&app);
    let id = stalled_call(&sb, "13800000603");
    assert_stalls(&app, &sb, &id, "larger");
}

#[test]
fn the_content_type_is_ignored() {
    let app = App::start(|_| {
        Response::new(200)
            .header("Content-Type", "image/png")
            .body(b"<response><hangup/></response>".to_vec())
    });
    let sb = sandbox(&app);
    let id = hostile_call(&sb, "13800000701");
    let events = finished(&sb, &app, &id);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["ivr.dial_end", "ivr.call_end"]);
    assert_eq!(value(&events[1].1, "end_by"), Some("sys"));
    // A blank reply: the platform does nothing more.
    let app = App::start(|_| Response::new(200).body(b" \n ".to_vec()));
    let sb = sandbox(&app);
    let id = stalled_call(&sb, "13800000702");
    let events = finished(&sb, &app, &id);
    assert_eq!(value(&events.last().unwrap().1, "end_by"), Some("usr"));
    assert_eq!(sb.ivr_requests(&id).unwrap().len(), 1);
}

#[test]
fn a_url_that_never_answers() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let held = Arc::new(Mutex::new(Vec::new()));
    {
        let held = Arc::clone(&held);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                held.lock().unwrap().push(stream);
            }
        });
    }
    let events = App::start(|_| Response::new(200));
    let sb = Sandbox::builder()
        .callback_url(events.url("/events"))
        .ivr_url(format!("http://{addr}/ivr"))
        .time_scale(1000.0)
        .ivr_timeout(Duration::from_millis(200))
        .start()
        .unwrap();
    let id = stalled_call(&sb, "13800000801");
    assert_stalls(&events, &sb, &id, "imeout");
    assert_eq!(held.lock().unwrap().len(), 4, "four attempts, no more");
}

#[test]
fn garbage_instead_of_http() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(b"\x00\xff garbage \r\n\r\n\x01\x02");
        }
    });
    let events = App::start(|_| Response::new(200));
    let sb = Sandbox::builder()
        .callback_url(events.url("/events"))
        .ivr_url(format!("http://{addr}/ivr"))
        .time_scale(1000.0)
        .ivr_timeout(Duration::from_millis(300))
        .start()
        .unwrap();
    let id = stalled_call(&sb, "13800000901");
    assert_stalls(&events, &sb, &id, "");
    assert!(sb
        .ivr_requests(&id)
        .unwrap()
        .iter()
        .all(|a| a.status.is_none() && a.error.is_some()));
    // A 200 with binary garbage: read, not XML.
    let app = App::start(|_| Response::new(200).body(vec![0xff, 0xfe, 0x00, 0x3c, 0x80]));
    let sb = sandbox(&app);
    let id = hostile_call(&sb, "13800000902");
    assert_format_error(&app, &sb, &id);
}

#[test]
fn redirects() {
    // A redirect loop on a next request: a circular redirect, four times.
    let app = App::start(|s| match s.path.as_str() {
        "/ivr" => xml("<response><pause duration=\"1\"/><next>/loop</next></response>"),
        "/loop" => Response::new(302).header("Location", "/loop2"),
        "/loop2" => Response::new(302).header("Location", "/loop"),
        _ => xml("<response><hangup/></response>"),
    });
    let sb = sandbox(&app);
    let id = stalled_call(&sb, "13800001001");
    let events = finished(&sb, &app, &id);
    assert_eq!(value(&events.last().unwrap().1, "end_by"), Some("usr"));
    let attempts = sb.ivr_requests(&id).unwrap();
    assert_eq!(
        attempts.len(),
        5,
        "ivr_start, then 4 attempts: {attempts:?}"
    );
    assert!(attempts[1..]
        .iter()
        .all(|a| a.error.as_deref().is_some_and(|e| e.contains("circular"))));
    still_serving(&sb);

    // ivr_start answered 302: a POST is not redirected; 4 attempts see 302.
    let app = App::start(|s| match s.path.as_str() {
        "/ivr" => Response::new(302).header("Location", "/elsewhere"),
        _ => xml("<response><hangup/></response>"),
    });
    let sb = sandbox(&app);
    let id = stalled_call(&sb, "13800001002");
    assert_stalls(&app, &sb, &id, "302");
    assert!(app.requests().iter().all(|s| s.path == "/ivr"));

    // 303 after a POST is followed with a GET.
    let app = App::start(|s| match s.path.as_str() {
        "/ivr" => Response::new(303).header("Location", "/doc"),
        "/doc" => xml("<response><hangup/></response>"),
        _ => xml("<response><hangup/></response>"),
    });
    let sb = sandbox(&app);
    let id = hostile_call(&sb, "13800001003");
    let events = finished(&sb, &app, &id);
    assert_eq!(value(&events.last().unwrap().1, "end_by"), Some("sys"));
    let doc = app
        .requests()
        .into_iter()
        .find(|s| s.path == "/doc")
        .unwrap();
    assert_eq!(doc.method, "GET");
}

#[test]
fn a_document_without_action_or_with_enqueue_stalls() {
    for (i, doc) in [
        "<response><next>/n</next></response>",
        "<response><enqueue><route><agent name=\"a\"/></route></enqueue><next>/n</next></response>",
        "<response><dial><connect/></dial><next>/n</next></response>",
    ]
    .into_iter()
    .enumerate()
    {
        let app = App::start(move |_| xml(doc));
        let sb = sandbox(&app);
        if doc.contains("<enqueue>") {
            // Without the call-center service nothing routes the caller.
            let mut settings = sb.app_settings(sb.app_id()).unwrap();
            settings.disabled_services.push(Service::CallCenter);
            sb.set_app_settings(sb.app_id(), settings).unwrap();
        }
        let id = stalled_call(&sb, &format!("1380000110{i}"));
        let events = finished(&sb, &app, &id);
        let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["ivr.dial_end", "ivr.call_end"], "{doc}");
        assert_eq!(value(&events[1].1, "end_by"), Some("usr"));
        assert_eq!(app.requests().len(), 1, "{doc}");
    }
}

#[test]
fn ivr_urls_per_app() {
    let app = App::start(|_| xml("<response><hangup/></response>"));
    let sb = Sandbox::builder().start().unwrap();
    assert_eq!(sb.ivr_url(), None);
    let err = sb
        .set_app_ivr_url("no-such-app", Some("http://x/"))
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    sb.set_app_ivr_url(sb.app_id(), Some(&app.url("/ivr")))
        .unwrap();
    assert_eq!(sb.ivr_url(), Some(app.url("/ivr")));
    let id = sb.inbound_call("13600000009", "02088880000").unwrap();
    eventually(WAIT, "ivr_start", || {
        app.requests()
            .iter()
            .any(|s| s.body.windows(id.len()).any(|w| w == id.as_bytes()))
            .then_some(())
    });
    sb.set_ivr_url(None);
    assert_eq!(sb.ivr_url(), None);
}

#[test]
fn an_app_answering_in_a_loop_with_no_delay() {
    // `duration="+5"` is valid for the schema but not plain digits: the platform waits
    // nothing, so the app is asked again at once, as fast as it answers.
    let app =
        App::start(|_| xml("<response><pause duration=\"+5\"/><next>/again</next></response>"));
    let sb = Sandbox::builder()
        .callback_url(app.url("/events"))
        .ivr_url(app.url("/ivr"))
        .time_scale(1.0)
        .start()
        .unwrap();
    sb.set_behavior("13800001201", Behavior::answer_after(0).hangup_after(1500));
    let id = ivr_call(&sb, "13800001201", "");
    let end = sb.wait_for_end(&id, WAIT).expect("the caller hangs up");
    assert!(end.delivered);
    let call = sb.call(&id).unwrap();
    assert_eq!(call.state, CallState::Closed);
    // The cap, its marker, and the end of the call (hangup, a late reply, release, event).
    assert!(
        call.timeline.len() <= 5000 + 1 + 10,
        "{}",
        call.timeline.len()
    );
    let tail: Vec<&str> = call.timeline[call.timeline.len() - 3..]
        .iter()
        .map(|t| t.what.as_str())
        .collect();
    assert!(tail.contains(&"released"), "{tail:?}");
    assert!(sb.ivr_requests(&id).unwrap().len() <= 500);
    assert!(app.requests().len() > 1, "asked again and again");
    still_serving(&sb);
}
