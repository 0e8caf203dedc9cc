//! Conferences and recordings end to end, over real HTTP on 127.0.0.1: the conference and
//! member state machine walked through every transition, checked by the order and contents of
//! the `conf.*` events (the order the sandbox queued them in, the bytes the listener received,
//! the server's key order); every request rule and code; `recording/plist`, `recording/url/gen`,
//! `recording.url_generate` and the download of the WAV file it names.

mod common;

use common::*;
use std::net::SocketAddr;
use std::time::Duration;
use yunhuni_sandbox::{AppSettings, Behavior, Sandbox, Service};

const WAIT: Duration = Duration::from_secs(30);
/// Scripted numbers.
const STAYS: &str = "13900000005"; // answers after 2 s, never hangs up
const BUSY: &str = "13900000001";
const NO_ANSWER: &str = "13900000002";
const LEAVES: &str = "13700000010"; // answers after 1 s, hangs up 3 s after joining

/// The server's key order of each event (platform notes 2 §8).
fn order(event: &str) -> &'static [&'static str] {
    match event {
        "conf.create.succ" => &[
            "begin_time",
            "action",
            "subaccount_id",
            "id",
            "user_data",
            "event",
        ],
        "conf.joined" => &[
            "action",
            "subaccount_id",
            "id",
            "user_data",
            "event",
            "join_time",
            "call_id",
        ],
        "conf.join.fail" => &[
            "action",
            "subaccount_id",
            "id",
            "time",
            "user_data",
            "event",
            "call_id",
        ],
        "conf.quit" => &[
            "action",
            "subaccount_id",
            "id",
            "user_data",
            "event",
            "quit_time",
            "join_time",
            "call_id",
        ],
        "recording.url_generate" => &["action", "subaccount_id", "id", "event", "url"],
        _ => &[
            "end_time",
            "begin_time",
            "action",
            "subaccount_id",
            "id",
            "user_data",
            "event",
        ],
    }
}

fn conf_path(creds: &Creds, rest: &str) -> String {
    format!("/v1/account/{}/{rest}", creds.account)
}

fn call(addr: SocketAddr, creds: &Creds, rest: &str, body: &str) -> serde_json::Value {
    let path = conf_path(creds, rest);
    let r = raw(
        addr,
        "POST",
        &path,
        &creds.headers("POST", &path, body.as_bytes()),
        body.as_bytes(),
    );
    assert_eq!(
        r.status,
        200,
        "{rest}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}

fn get(addr: SocketAddr, creds: &Creds, rest: &str) -> serde_json::Value {
    let path = conf_path(creds, rest);
    let r = raw(addr, "GET", &path, &creds.headers("GET", &path, b""), b"");
    assert_eq!(
        r.status,
        200,
        "{rest}: {}",
        String::from_utf8_lossy(&r.body)
    );
    r.json()
}

fn code(v: &serde_json::Value) -> &str {
    v["code"].as_str().unwrap_or("?")
}

fn ok(v: &serde_json::Value) -> &serde_json::Value {
    assert_eq!(code(v), "000000", "{v}");
    &v["data"]
}

fn create(addr: SocketAddr, creds: &Creds, body: &str) -> String {
    let v = call(addr, creds, "conf/create", body);
    ok(&v)["confId"].as_str().unwrap().to_owned()
}

fn invite(addr: SocketAddr, creds: &Creds, conf: &str, to: &str, extra: &str) -> String {
    let body = format!("{{\"to\":\"{to}\",\"max_duration\":600{extra}}}");
    let v = call(addr, creds, &format!("conf/invite_call/{conf}"), &body);
    ok(&v)["callId"].as_str().unwrap().to_owned()
}

/// The names of the events queued for a conference, in order.
fn names(sb: &Sandbox, conf: &str) -> Vec<String> {
    sb.conference(conf)
        .unwrap()
        .events
        .into_iter()
        .map(|(n, _)| n)
        .collect()
}

/// Waits until the conference has queued `n` events.
fn wait_events(sb: &Sandbox, conf: &str, n: usize) -> Vec<String> {
    eventually(WAIT, &format!("{n} events of {conf}"), || {
        let got = names(sb, conf);
        (got.len() >= n).then_some(got)
    })
}

/// The value of a key of a flat JSON body, unquoted.
fn value(body: &[u8], key: &str) -> Option<String> {
    flat_json(body)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim_matches('"').to_owned())
}

/// Every queued event of the conference arrived at the listener byte for byte, with its keys
/// in the server's order.
fn check_delivered(sb: &Sandbox, hooks: &Listener, conf: &str) {
    let queued = sb.conference(conf).unwrap().events;
    let received = hooks.wait_for(0, Duration::ZERO);
    for (name, body) in &queued {
        let keys: Vec<String> = flat_json(body).into_iter().map(|(k, _)| k).collect();
        let want: Vec<&str> = order(name)
            .iter()
            .copied()
            .filter(|k| keys.iter().any(|x| x == k))
            .collect();
        assert_eq!(keys, want, "{name}: key order");
        assert_eq!(value(body, "event").as_deref(), Some(name.as_str()));
        assert_eq!(value(body, "action").as_deref(), Some("event_notify"));
        assert_eq!(
            value(body, "id").as_deref(),
            Some(conf),
            "{name}: id is the conference"
        );
        eventually(WAIT, &format!("{name} delivered"), || {
            hooks.hooks().iter().any(|h| &h.body == body).then_some(())
        });
    }
    drop(received);
}

/// A play of 100 files: 200 s simulated, long enough to be stopped or cut while it runs.
fn long_play() -> String {
    let files: Vec<String> = (0..100).map(|i| format!("\"part{i}.wav\"")).collect();
    format!("{{\"files\":[{}]}}", files.join(","))
}

fn sandbox(hooks: &Listener) -> Sandbox {
    Sandbox::builder()
        .callback_url(hooks.url())
        .time_scale(100.0)
        .behavior(LEAVES, Behavior::answer_after(1000).hangup_after(3000))
        .start()
        .unwrap()
}

#[test]
fn state_machine_walk() {
    let hooks = Listener::ok();
    let sb = Sandbox::builder()
        .callback_url(hooks.url())
        .time_scale(100.0)
        .confirm_delay(Duration::from_secs(100))
        .behavior(LEAVES, Behavior::answer_after(1000).hangup_after(3000))
        .start()
        .unwrap();
    let addr = sb.local_addr();
    let creds = Creds::of(&sb);

    // created: every operation gets 000004 until the engine confirms the conference.
    let conf = create(
        addr,
        &creds,
        r#"{"max_duration":3600,"user_data":"room-7","recording":true}"#,
    );
    assert_eq!(sb.conference(&conf).unwrap().state, "created");
    let v = call(
        addr,
        &creds,
        &format!("conf/start_play/{conf}"),
        r#"{"files":["a.wav"]}"#,
    );
    assert_eq!(code(&v), "000004", "{v}");
    // running: conf.create.succ.
    assert_eq!(wait_events(&sb, &conf, 1), ["conf.create.succ"]);
    assert_eq!(sb.conference(&conf).unwrap().state, "running");

    // Members: one stays, one hangs up after 3 s, one is busy, one never answers.
    let a = invite(addr, &creds, &conf, STAYS, "");
    let b = invite(addr, &creds, &conf, LEAVES, "");
    let c = invite(addr, &creds, &conf, BUSY, "");
    let d = invite(addr, &creds, &conf, NO_ANSWER, ",\"max_dial_duration\":5");
    let got = wait_events(&sb, &conf, 6);
    let info = sb.conference(&conf).unwrap();
    assert_eq!(info.members, std::slice::from_ref(&a), "{got:?}");
    assert!(info.recording, "recording started with the first member");
    // Each member's own events in its order.
    let events = info.events;
    let of = |id: &str| -> Vec<String> {
        events
            .iter()
            .filter(|(_, body)| value(body, "call_id").as_deref() == Some(id))
            .map(|(n, _)| n.clone())
            .collect()
    };
    assert_eq!(of(&a), ["conf.joined"]);
    assert_eq!(of(&b), ["conf.joined", "conf.quit"]);
    assert_eq!(of(&c), ["conf.join.fail"]);
    assert_eq!(of(&d), ["conf.join.fail"]);
    // The quit's times are whole seconds, joined's are milliseconds, quit after join.
    let quit = &events
        .iter()
        .find(|(n, body)| n == "conf.quit" && value(body, "call_id").as_deref() == Some(b.as_str()))
        .unwrap()
        .1;
    let join_t: i64 = value(quit, "join_time").unwrap().parse().unwrap();
    let quit_t: i64 = value(quit, "quit_time").unwrap().parse().unwrap();
    assert_eq!(join_t % 1000, 0);
    assert_eq!(quit_t - join_t, 3000, "hangs up 3 s after joining");
    assert_eq!(
        value(quit, "user_data"),
        None,
        "invited members have no user_data"
    );

    // set_voice_mode: the member's mode; an unknown call gets 020000.
    ok(&call(
        addr,
        &creds,
        &format!("conf/set_voice_mode/{conf}"),
        &format!(r#"{{"call_id":"{a}","voice_mode":3}}"#),
    ));
    assert_eq!(sb.conference(&conf).unwrap().voice_modes, [3]);
    let v = call(
        addr,
        &creds,
        &format!("conf/set_voice_mode/{conf}"),
        r#"{"call_id":"nope","voice_mode":2}"#,
    );
    assert_eq!(code(&v), "020000");

    // play: two files end by themselves; a play stopped ends at once; stop with nothing
    // playing sends nothing.
    let before = names(&sb, &conf).len();
    ok(&call(
        addr,
        &creds,
        &format!("conf/start_play/{conf}"),
        r#"{"files":["a.wav","b.wav"]}"#,
    ));
    let got = wait_events(&sb, &conf, before + 1);
    assert_eq!(got.last().unwrap(), "conf.play_end");
    ok(&call(
        addr,
        &creds,
        &format!("conf/start_play/{conf}"),
        &long_play(),
    ));
    assert!(sb.conference(&conf).unwrap().playing);
    ok(&call(addr, &creds, &format!("conf/stop_play/{conf}"), ""));
    assert!(!sb.conference(&conf).unwrap().playing);
    ok(&call(addr, &creds, &format!("conf/stop_play/{conf}"), ""));
    assert_eq!(names(&sb, &conf).len(), before + 2);

    // record: the automatic recording stopped, a recording with its own limit (the key
    // with the trailing space), one ended by the dismiss.
    ok(&call(addr, &creds, &format!("conf/stop_record/{conf}"), ""));
    assert_eq!(names(&sb, &conf).last().unwrap(), "conf.record_end");
    ok(&call(
        addr,
        &creds,
        &format!("conf/start_record/{conf}"),
        r#"{"max_duration ":2}"#,
    ));
    let got = wait_events(&sb, &conf, before + 4);
    assert_eq!(got.last().unwrap(), "conf.record_end");
    let rec = &sb
        .conference(&conf)
        .unwrap()
        .events
        .last()
        .unwrap()
        .1
        .clone();
    let span = value(rec, "end_time").unwrap().parse::<i64>().unwrap()
        - value(rec, "begin_time").unwrap().parse::<i64>().unwrap();
    assert!(
        (1000..=3000).contains(&span),
        "a 2 s recording spans {span} ms"
    );

    // quit: the member leaves (conf.quit); quitting again gets 020000 (the call is gone).
    ok(&call(
        addr,
        &creds,
        &format!("conf/quit/{conf}"),
        &format!(r#"{{"call_id":"{a}"}}"#),
    ));
    assert_eq!(names(&sb, &conf).last().unwrap(), "conf.quit");
    let v = call(
        addr,
        &creds,
        &format!("conf/quit/{conf}"),
        &format!(r#"{{"call_id":"{a}"}}"#),
    );
    assert_eq!(code(&v), "020000");

    // dismiss: the member still in quits, the running recording and play end, then conf.end.
    let e = invite(addr, &creds, &conf, STAYS, "");
    eventually(WAIT, "e joined", || {
        sb.conference(&conf)
            .unwrap()
            .members
            .contains(&e)
            .then_some(())
    });
    ok(&call(
        addr,
        &creds,
        &format!("conf/start_record/{conf}"),
        "{}",
    ));
    ok(&call(
        addr,
        &creds,
        &format!("conf/start_play/{conf}"),
        &long_play(),
    ));
    let n = names(&sb, &conf).len();
    ok(&call(addr, &creds, &format!("conf/dismiss/{conf}"), ""));
    let tail: Vec<String> = names(&sb, &conf)[n..].to_vec();
    assert_eq!(
        tail,
        ["conf.quit", "conf.play_end", "conf.record_end", "conf.end"]
    );
    assert_eq!(sb.conference(&conf).unwrap().state, "released");
    let end = &sb
        .conference(&conf)
        .unwrap()
        .events
        .last()
        .unwrap()
        .1
        .clone();
    assert_eq!(value(end, "user_data").as_deref(), Some("room-7"));

    // released: every operation gets 030100.
    for (op, body) in [
        ("dismiss", ""),
        ("invite_call", r#"{"to":"13800000001","max_duration":60}"#),
        ("start_play", r#"{"files":["a.wav"]}"#),
        ("stop_play", ""),
        ("start_record", "{}"),
        ("stop_record", ""),
    ] {
        let v = call(addr, &creds, &format!("conf/{op}/{conf}"), body);
        assert_eq!(code(&v), "030100", "{op}: {v}");
    }
    // set_voice_mode and quit check the call first: a call that is gone gets 020000.
    for op in ["set_voice_mode", "quit"] {
        let body = format!(r#"{{"call_id":"{e}","voice_mode":1}}"#);
        let v = call(addr, &creds, &format!("conf/{op}/{conf}"), &body);
        assert_eq!(code(&v), "020000", "{op}: {v}");
    }
    check_delivered(&sb, &hooks, &conf);
}

#[test]
fn max_duration_and_max_parts() {
    let hooks = Listener::ok();
    let sb = sandbox(&hooks);
    let addr = sb.local_addr();
    let creds = Creds::of(&sb);
    // max_parts 2: a third invite once two have joined gets 030101; above 8 is stored as 8.
    let conf = create(addr, &creds, r#"{"max_duration":120,"max_parts":2}"#);
    assert_eq!(sb.conference(&conf).unwrap().max_parts, 2);
    let a = invite(addr, &creds, &conf, STAYS, "");
    let b = invite(addr, &creds, &conf, STAYS, ",\"voice_mode\":2");
    eventually(WAIT, "two joined", || {
        (sb.conference(&conf).unwrap().members.len() == 2).then_some(())
    });
    let v = call(
        addr,
        &creds,
        &format!("conf/invite_call/{conf}"),
        r#"{"to":"13800000009","max_duration":60}"#,
    );
    assert_eq!(code(&v), "030101", "{v}");
    assert_eq!(sb.conference(&conf).unwrap().voice_modes, [1, 2]);
    // The conference ends at its max_duration: both members quit, then conf.end, 120 s after
    // conf.create.succ.
    let got = wait_events(&sb, &conf, 6);
    assert_eq!(got[got.len() - 3..], ["conf.quit", "conf.quit", "conf.end"]);
    let events = sb.conference(&conf).unwrap().events;
    let end = &events.last().unwrap().1;
    let span = value(end, "end_time").unwrap().parse::<i64>().unwrap()
        - value(end, "begin_time").unwrap().parse::<i64>().unwrap();
    assert!((119_000..=121_000).contains(&span), "{span}");
    for id in [&a, &b] {
        assert!(events
            .iter()
            .any(|(n, body)| n == "conf.quit"
                && value(body, "call_id").as_deref() == Some(id.as_str())));
    }
    check_delivered(&sb, &hooks, &conf);

    let big = create(addr, &creds, r#"{"max_duration":60,"max_parts":20}"#);
    assert_eq!(sb.conference(&big).unwrap().max_parts, 8);
    let none = create(addr, &creds, r#"{"max_duration":60}"#);
    assert_eq!(sb.conference(&none).unwrap().max_parts, 8);

    // A member's own max_duration: it quits after it.
    let conf = create(addr, &creds, r#"{"max_duration":600}"#);
    let body = format!("{{\"to\":\"{STAYS}\",\"max_duration\":4}}");
    let m = ok(&call(
        addr,
        &creds,
        &format!("conf/invite_call/{conf}"),
        &body,
    ))["callId"]
        .as_str()
        .unwrap()
        .to_owned();
    let got = wait_events(&sb, &conf, 3);
    assert_eq!(got, ["conf.create.succ", "conf.joined", "conf.quit"]);
    let quit = sb.conference(&conf).unwrap().events[2].1.clone();
    assert_eq!(value(&quit, "call_id").as_deref(), Some(m.as_str()));
    let d = value(&quit, "quit_time").unwrap().parse::<i64>().unwrap()
        - value(&quit, "join_time").unwrap().parse::<i64>().unwrap();
    assert_eq!(d, 4000);
}

#[test]
fn request_rules_and_codes() {
    let hooks = Listener::ok();
    let sb = sandbox(&hooks);
    let addr = sb.local_addr();
    let creds = Creds::of(&sb);
    let sub = Creds::sub(&sb);
    let conf = create(addr, &creds, r#"{"max_duration":600}"#);
    let long = "x".repeat(129);
    let cases: Vec<(String, String, &str)> = vec![
        // create: each field's rule.
        ("conf/create".into(), "{}".into(), "000001"),
        ("conf/create".into(), r#"{"max_duration":null}"#.into(), "000001"),
        ("conf/create".into(), r#"{"max_duration":0}"#.into(), "000001"),
        ("conf/create".into(), r#"{"max_duration":21601}"#.into(), "000001"),
        ("conf/create".into(), r#"{"max_duration":"x"}"#.into(), "000001"),
        ("conf/create".into(), r#"{"max_duration":60,"max_parts":0}"#.into(), "000001"),
        ("conf/create".into(), r#"{"max_duration":60,"recording":"maybe"}"#.into(), "000001"),
        ("conf/create".into(), r#"{"max_duration":60,"auto_hangup":[]}"#.into(), "000001"),
        ("conf/create".into(), format!(r#"{{"max_duration":60,"bgm_file":"{long}"}}"#), "000001"),
        ("conf/create".into(), format!(r#"{{"max_duration":60,"user_data":"{long}"}}"#), "000001"),
        ("conf/create".into(), "not json".into(), "000002"),
        ("conf/create".into(), "".into(), "000002"),
        ("conf/create".into(), r#"{"max_duration":21600,"max_parts":1,"recording":true,"auto_hangup":false,"bgm_file":"bg.wav","user_data":"u"}"#.into(), "000000"),
        // invite_call.
        (format!("conf/invite_call/{conf}"), r#"{"max_duration":60}"#.into(), "000001"),
        (format!("conf/invite_call/{conf}"), r#"{"to":"","max_duration":60}"#.into(), "000001"),
        (format!("conf/invite_call/{conf}"), r#"{"to":"1380000000"}"#.into(), "000001"),
        (format!("conf/invite_call/{conf}"), r#"{"to":"13800000001","max_duration":60,"max_dial_duration":301}"#.into(), "000001"),
        (format!("conf/invite_call/{conf}"), r#"{"to":"13800000001","max_duration":60,"dial_voice_stop_cond":2}"#.into(), "000001"),
        (format!("conf/invite_call/{conf}"), r#"{"to":"13800000001","max_duration":60,"voice_mode":5}"#.into(), "000001"),
        (format!("conf/invite_call/{conf}"), format!(r#"{{"to":"13800000001","max_duration":60,"from":"{long}"}}"#), "000001"),
        (format!("conf/invite_call/{conf}"), format!(r#"{{"to":"13800000001","max_duration":60,"play_file":"{long}"}}"#), "000001"),
        ("conf/invite_call/unknown".into(), r#"{"to":"13800000001","max_duration":60}"#.into(), "030100"),
        // join: each field, then an unknown call.
        (format!("conf/join/{conf}"), r#"{"max_duration":60}"#.into(), "000001"),
        (format!("conf/join/{conf}"), r#"{"call_id":"c"}"#.into(), "000001"),
        (format!("conf/join/{conf}"), r#"{"call_id":"c","max_duration":60,"voice_mode":0}"#.into(), "000001"),
        (format!("conf/join/{conf}"), format!(r#"{{"call_id":"c","max_duration":60,"play_file":"{long}"}}"#), "000001"),
        (format!("conf/join/{conf}"), r#"{"call_id":"c","max_duration":60}"#.into(), "020000"),
        // quit, set_voice_mode, start_play, start_record.
        (format!("conf/quit/{conf}"), "{}".into(), "000001"),
        (format!("conf/quit/{conf}"), r#"{"call_id":"c"}"#.into(), "020000"),
        (format!("conf/set_voice_mode/{conf}"), r#"{"call_id":"c"}"#.into(), "000001"),
        (format!("conf/set_voice_mode/{conf}"), r#"{"voice_mode":1}"#.into(), "000001"),
        (format!("conf/start_play/{conf}"), "{}".into(), "000001"),
        (format!("conf/start_play/{conf}"), r#"{"files":"a.wav"}"#.into(), "000001"),
        (format!("conf/start_play/{conf}"), r#"{"files":[]}"#.into(), "000000"),
        (format!("conf/start_record/{conf}"), "".into(), "000002"),
        (format!("conf/start_record/{conf}"), r#"{"max_duration ":0}"#.into(), "000001"),
        (format!("conf/start_record/{conf}"), r#"{"max_duration":0}"#.into(), "000000"),
    ];
    for (rest, body, want) in &cases {
        let v = call(addr, &creds, rest, body);
        assert_eq!(code(&v), *want, "{rest} {body}: {v}");
    }
    // The docs' stop_play path is not a route; GET on a POST route is 405.
    let path = conf_path(&creds, &format!("conf/{conf}/stop_play"));
    let r = raw(addr, "POST", &path, &creds.headers("POST", &path, b""), b"");
    assert_eq!(r.status, 404);
    let path = conf_path(&creds, "conf/create");
    let r = raw(addr, "GET", &path, &creds.headers("GET", &path, b""), b"");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("POST"));

    // Another sub-account's (or the primary's) conference does not exist for the caller.
    let v = call(addr, &sub, &format!("conf/dismiss/{conf}"), "");
    assert_eq!(code(&v), "030100");
    let sub_conf = create(addr, &sub, r#"{"max_duration":60}"#);
    // Its events carry the sub-account's id.
    wait_events(&sb, &sub_conf, 1);
    let succ = sb.conference(&sub_conf).unwrap().events[0].1.clone();
    assert_eq!(
        value(&succ, "subaccount_id").as_deref(),
        Some(sb.sub_account().0)
    );
    let v = call(addr, &creds, &format!("conf/stop_play/{sub_conf}"), "");
    assert_eq!(code(&v), "030100");
    ok(&call(addr, &sub, &format!("conf/stop_play/{sub_conf}"), ""));

    // The app's settings: the conference service, the balance, audited files, the red list.
    let settings = |s: AppSettings| sb.set_app_settings(sb.app_id(), s).unwrap();
    settings(AppSettings {
        audited_files: Some(vec!["ok.wav".into()]),
        ..Default::default()
    });
    let v = call(
        addr,
        &creds,
        "conf/create",
        r#"{"max_duration":60,"bgm_file":"no.wav"}"#,
    );
    assert_eq!(code(&v), "010005");
    let v = call(
        addr,
        &creds,
        &format!("conf/start_play/{conf}"),
        r#"{"files":["ok.wav","no.wav"]}"#,
    );
    assert_eq!(code(&v), "010005");
    ok(&call(
        addr,
        &creds,
        &format!("conf/start_play/{conf}"),
        r#"{"files":["ok.wav"]}"#,
    ));
    settings(AppSettings {
        disabled_services: vec![Service::Conference],
        ..Default::default()
    });
    let v = call(addr, &creds, "conf/create", r#"{"max_duration":60}"#);
    assert_eq!(code(&v), "010002");
    let v = call(addr, &creds, &format!("conf/dismiss/{conf}"), "");
    assert_eq!(code(&v), "010002");
    settings(AppSettings {
        balance_exhausted: true,
        ..Default::default()
    });
    let v = call(addr, &creds, "conf/create", r#"{"max_duration":60}"#);
    assert_eq!(code(&v), "010003");
    let v = call(
        addr,
        &creds,
        &format!("conf/invite_call/{conf}"),
        r#"{"to":"13800000001","max_duration":60}"#,
    );
    assert_eq!(code(&v), "010003");
    // Only create, invite_call and join check the balance.
    ok(&call(addr, &creds, &format!("conf/stop_play/{conf}"), ""));
    settings(AppSettings {
        quota_exhausted: true,
        ..Default::default()
    });
    ok(&call(addr, &creds, "conf/create", r#"{"max_duration":60}"#));
    let v = call(addr, &sub, "conf/create", r#"{"max_duration":60}"#);
    assert_eq!(code(&v), "010006");
    settings(AppSettings {
        no_line: true,
        ..Default::default()
    });
    let v = call(
        addr,
        &creds,
        &format!("conf/invite_call/{conf}"),
        r#"{"to":"13800000001","max_duration":60}"#,
    );
    assert_eq!(code(&v), "020002");
    settings(AppSettings::default());
    sb.set_behavior(
        "13800000666",
        Behavior::default().with_code(yunhuni_sandbox::BusinessCode::new("020001").unwrap()),
    );
    let v = call(
        addr,
        &creds,
        &format!("conf/invite_call/{conf}"),
        r#"{"to":"13800000666","max_duration":60}"#,
    );
    assert_eq!(code(&v), "020001");
    // An invited member whose play_file is not audited fails to join.
    settings(AppSettings {
        audited_files: Some(vec![]),
        ..Default::default()
    });
    let m = invite(addr, &creds, &conf, STAYS, ",\"play_file\":\"no.wav\"");
    eventually(WAIT, "join fail", || {
        sb.conference(&conf)
            .unwrap()
            .events
            .iter()
            .any(|(n, b)| n == "conf.join.fail" && value(b, "call_id").as_deref() == Some(&m))
            .then_some(())
    });
}

#[test]
fn recordings_end_to_end() {
    let hooks = Listener::ok();
    let sb = sandbox(&hooks);
    let addr = sb.local_addr();
    let creds = Creds::of(&sb);
    let conf = create(addr, &creds, r#"{"max_duration":600,"recording":true}"#);
    invite(addr, &creds, &conf, STAYS, "");
    eventually(WAIT, "recording", || {
        sb.conference(&conf).unwrap().recording.then_some(())
    });
    std::thread::sleep(Duration::from_millis(60)); // some seconds of simulated time
    ok(&call(addr, &creds, &format!("conf/stop_record/{conf}"), ""));

    let q = |s: &str| s.replace(' ', "%20");
    let list = get(
        addr,
        &creds,
        &format!(
            "recording/plist?start={}&end={}",
            q("2000-01-01 00:00:00"),
            q("2999-01-01 00:00:00")
        ),
    );
    let page = ok(&list);
    assert_eq!(page["totalCount"], 1, "{page}");
    assert_eq!(page["startIndex"], 1);
    assert_eq!(page["currentPageNo"], 1);
    assert_eq!(page["pageSize"], 10);
    let item = &page["result"][0];
    let keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 4);
    let id = item["id"].as_str().unwrap().to_owned();
    let size = item["size"].as_i64().unwrap();
    assert!(item["duration"].as_i64().unwrap() >= 1, "{item}");
    assert_eq!(item["date"].as_str().unwrap().len(), 19);
    // Other callers do not see it; rules of the query.
    let sub = Creds::sub(&sb);
    let other = get(
        addr,
        &sub,
        &format!(
            "recording/plist?start={}&end={}",
            q("2000-01-01 00:00:00"),
            q("2999-01-01 00:00:00")
        ),
    );
    assert_eq!(ok(&other)["totalCount"], 0);
    for (query, want) in [
        ("end=2999-01-01%2000:00:00".to_owned(), "000002"),
        ("start=&end=x".to_owned(), "000001"),
        ("start=x&end=y".to_owned(), "000000"),
        ("start=x&end=y&pageSize=1001".to_owned(), "000002"),
        ("start=x&end=y&pageNo=0".to_owned(), "000002"),
        ("start=x&end=y&pageNo=a".to_owned(), "000002"),
    ] {
        let v = get(addr, &creds, &format!("recording/plist?{query}"));
        assert_eq!(code(&v), want, "{query}: {v}");
    }

    // url/gen: the upload starts (state 0), recording.url_generate follows with a URL the
    // sandbox serves; then state 1 with that URL.
    let v = get(addr, &creds, &format!("recording/url/gen?id={id}"));
    assert_eq!(ok(&v), &serde_json::json!({"state": 0, "url": null}));
    assert_eq!(
        code(&get(addr, &creds, "recording/url/gen?id=nope")),
        "000001"
    );
    assert_eq!(code(&get(addr, &creds, "recording/url/gen")), "000002");
    assert_eq!(
        code(&get(addr, &sub, &format!("recording/url/gen?id={id}"))),
        "000001"
    );
    let hook = eventually(WAIT, "recording.url_generate", || {
        hooks
            .hooks()
            .into_iter()
            .find(|h| value(&h.body, "event").as_deref() == Some("recording.url_generate"))
    });
    let keys: Vec<String> = flat_json(&hook.body).into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys, ["action", "id", "event", "url"]);
    assert_eq!(value(&hook.body, "id").as_deref(), Some(id.as_str()));
    let url = value(&hook.body, "url").unwrap().replace("\\/", "/");
    let v = get(addr, &creds, &format!("recording/url/gen?id={id}"));
    assert_eq!(ok(&v)["state"], 1);
    assert_eq!(ok(&v)["url"].as_str(), Some(url.as_str()));
    // The download: a WAV file of the listed size.
    let target = url.strip_prefix(&format!("http://{addr}")).unwrap();
    let r = raw(addr, "GET", target, &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Type"), Some("audio/wav"));
    assert_eq!(&r.body[..4], b"RIFF");
    assert_eq!(&r.body[8..12], b"WAVE");
    assert_eq!(r.body.len() as i64, size);
    let r = raw(addr, "GET", "/sandbox/recordings/nope.wav", &[], b"");
    assert_eq!(r.status, 404);
}

#[test]
fn join_an_ivr_call_and_quit_when_it_ends() {
    // An IVR application that keeps its caller waiting in a <get> (45 s without a key), again
    // and again.
    let app = yunhuni_sandbox::http::Server::start(
        "127.0.0.1:0",
        std::sync::Arc::new(|r: &yunhuni_sandbox::http::Request| {
            if r.path == "/events" {
                return yunhuni_sandbox::http::Response::new(200);
            }
            yunhuni_sandbox::http::Response::new(200)
                .header("Content-Type", "text/xml")
                .body(
                    b"<response><get><play>hold.wav</play></get><next>/again</next></response>"
                        .to_vec(),
                )
        }),
    )
    .unwrap();
    let hooks = Listener::ok();
    let sb = Sandbox::builder()
        .callback_url(hooks.url())
        .ivr_url(format!("http://{}/ivr", app.local_addr()))
        .time_scale(100.0)
        // Answers after 1 s, hangs up 200 s after answering.
        .behavior(
            "13700000020",
            Behavior::answer_after(1000).hangup_after(200_000),
        )
        .start()
        .unwrap();
    let addr = sb.local_addr();
    let creds = Creds::of(&sb);
    let body = r#"{"to":"13700000020","max_call_duration":600,"user_data":"order-42"}"#;
    let ivr = place(addr, &creds, "ivr_call", body);
    let conf = create(addr, &creds, r#"{"max_duration":600}"#);
    // The IVR call must be answered to join; until then it is not a live call of the engine's
    // conference (join fails), so wait for the answer.
    eventually(WAIT, "the IVR call answered", || {
        let state = sb.call(&ivr)?.state;
        (state != yunhuni_sandbox::CallState::Dialing1).then_some(())
    });
    let join = format!(r#"{{"call_id":"{ivr}","max_duration":600,"voice_mode":2}}"#);
    // A play file that is not audited (010005), a full conference (030101).
    let audited = AppSettings {
        audited_files: Some(vec![]),
        ..Default::default()
    };
    sb.set_app_settings(sb.app_id(), audited).unwrap();
    let unaudited = format!(r#"{{"call_id":"{ivr}","max_duration":600,"play_file":"x.wav"}}"#);
    let v = call(addr, &creds, &format!("conf/join/{conf}"), &unaudited);
    assert_eq!(code(&v), "010005", "{v}");
    sb.set_app_settings(sb.app_id(), AppSettings::default())
        .unwrap();
    let full = create(addr, &creds, r#"{"max_duration":600,"max_parts":1}"#);
    invite(addr, &creds, &full, STAYS, "");
    eventually(WAIT, "full", || {
        (sb.conference(&full).unwrap().members.len() == 1).then_some(())
    });
    let v = call(addr, &creds, &format!("conf/join/{full}"), &join);
    assert_eq!(code(&v), "030101", "{v}");
    ok(&call(addr, &creds, &format!("conf/join/{conf}"), &join));
    eventually(WAIT, "joined", || {
        sb.conference(&conf)
            .unwrap()
            .members
            .contains(&ivr)
            .then_some(())
    });
    assert_eq!(sb.conference(&conf).unwrap().voice_modes, [2]);
    // The member's user_data is the IVR call's; another app's or an unknown call cannot join.
    let events = sb.conference(&conf).unwrap().events;
    let joined = &events.iter().find(|(n, _)| n == "conf.joined").unwrap().1;
    assert_eq!(value(joined, "user_data").as_deref(), Some("order-42"));
    assert_eq!(value(joined, "call_id").as_deref(), Some(ivr.as_str()));
    // The caller hangs up: the IVR call ends, and it leaves the conference.
    let got = wait_events(&sb, &conf, 3);
    assert_eq!(got, ["conf.create.succ", "conf.joined", "conf.quit"]);
    let quit = sb.conference(&conf).unwrap().events[2].1.clone();
    assert_eq!(value(&quit, "user_data").as_deref(), Some("order-42"));
    assert!(sb.conference(&conf).unwrap().members.is_empty());
    assert_eq!(sb.conference(&conf).unwrap().state, "running");
    // A call that is over cannot join (020000).
    eventually(WAIT, "the IVR call closed", || {
        (sb.call(&ivr)?.state == yunhuni_sandbox::CallState::Closed).then_some(())
    });
    let v = call(addr, &creds, &format!("conf/join/{conf}"), &join);
    assert_eq!(code(&v), "020000");
    check_delivered(&sb, &hooks, &conf);
}

#[test]
fn ivr_recordings_are_listed_and_downloaded() {
    // An IVR application that records 5 s, then plays and ends the call.
    let app = yunhuni_sandbox::http::Server::start(
        "127.0.0.1:0",
        std::sync::Arc::new(|r: &yunhuni_sandbox::http::Request| {
            let body: &[u8] = match r.path.as_str() {
                "/events" => return yunhuni_sandbox::http::Response::new(200),
                "/ivr" => {
                    b"<response><record max_duration=\"5\"/><next>/recorded</next></response>"
                }
                _ => b"<response><play>thanks.wav</play></response>",
            };
            yunhuni_sandbox::http::Response::new(200)
                .header("Content-Type", "text/xml")
                .body(body.to_vec())
        }),
    )
    .unwrap();
    let hooks = Listener::ok();
    let sb = Sandbox::builder()
        .callback_url(hooks.url())
        .ivr_url(format!("http://{}/ivr", app.local_addr()))
        .time_scale(100.0)
        .start()
        .unwrap();
    let addr = sb.local_addr();
    let creds = Creds::of(&sb);
    let ivr = place(
        addr,
        &creds,
        "ivr_call",
        &format!(r#"{{"to":"{STAYS}","max_call_duration":600}}"#),
    );
    let rec = eventually(WAIT, "the <record> result", || {
        sb.recordings().into_iter().find(|r| r.call_id == ivr)
    });
    let q = |s: &str| s.replace(' ', "%20");
    let list = get(
        addr,
        &creds,
        &format!(
            "recording/plist?start={}&end={}&pageSize=1000",
            q("2000-01-01 00:00:00"),
            q("2999-01-01 00:00:00")
        ),
    );
    let page = ok(&list);
    let item = page["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == rec.id.as_str())
        .unwrap_or_else(|| panic!("{page}"))
        .clone();
    assert_eq!(item["duration"], rec.duration);
    assert_eq!(item["size"], rec.size);
    let v = get(addr, &creds, &format!("recording/url/gen?id={}", rec.id));
    assert_eq!(ok(&v)["state"], 0);
    let hook = eventually(WAIT, "recording.url_generate", || {
        hooks.hooks().into_iter().find(|h| {
            value(&h.body, "event").as_deref() == Some("recording.url_generate")
                && value(&h.body, "id").as_deref() == Some(rec.id.as_str())
        })
    });
    let url = value(&hook.body, "url").unwrap().replace("\\/", "/");
    let target = url.strip_prefix(&format!("http://{addr}")).unwrap();
    let r = raw(addr, "GET", target, &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(&r.body[..4], b"RIFF");
    assert_eq!(r.body.len() as i64, rec.size);
}

#[test]
fn key_orders_match_the_server_vectors() {
    // The wire order this test holds the sandbox's bodies to is the one of every conf.* and
    // recording.* body of tests/vectors/events.json (generated independently).
    let v = vectors("events.json");
    let mut seen = 0;
    for case in v["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        if case["source"] != "server"
            || !(name.starts_with("server-conf-") || name.starts_with("server-recording-"))
        {
            continue;
        }
        let body = hex_decode(case["body_hex"].as_str().unwrap());
        let keys: Vec<String> = flat_json(&body).into_iter().map(|(k, _)| k).collect();
        let event = value(&body, "event").unwrap();
        if keys.iter().any(|k| k == "error") {
            // The failed creation's conf.end (not simulated): no times, `error` last.
            assert_eq!(keys.last().map(String::as_str), Some("error"), "{name}");
            continue;
        }
        let want: Vec<&str> = order(&event)
            .iter()
            .copied()
            .filter(|k| keys.iter().any(|x| x == k))
            .collect();
        assert_eq!(keys, want, "{name}");
        seen += 1;
    }
    assert!(seen >= 10, "{seen} vectors");
}
