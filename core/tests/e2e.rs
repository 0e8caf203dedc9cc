//! Every operation over real HTTP against the sandbox on 127.0.0.1.

use serde_json::json;
use std::time::Duration;
use yunhuni::{Client, DuoCallback, ErrorKind, Event, NotifyCall, Outcome, PlayItem, VerifyCall};
use yunhuni_sandbox::{Behavior, Sandbox};

const WAIT: Duration = Duration::from_secs(20);

fn sandbox() -> Sandbox {
    Sandbox::builder()
        .time_scale(200.0)
        .start()
        .expect("sandbox starts")
}

fn client(sb: &Sandbox) -> Client {
    Client::builder(sb.app_id(), sb.cert_id(), sb.secret_key())
        .base_url(sb.base_url())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn end_event(sb: &Sandbox, call_id: &str) -> Event {
    let delivery = sb.wait_for_end(call_id, WAIT).expect("end event delivered");
    Event::parse(&delivery.body).expect("end event parses")
}

fn is_call_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[test]
fn duo_callback_connects_and_ends() {
    let sb = sandbox();
    let call = client(&sb)
        .duo_callback(
            &DuoCallback::new("13800000001", "13800000002", 60)
                .user_data("order-42")
                .max_dial_duration(30),
        )
        .unwrap();
    assert!(is_call_id(&call.call_id), "{}", call.call_id);
    assert_eq!(call.user_data.as_deref(), Some("order-42"));
    let Event::DuoCallbackEnd(end) = end_event(&sb, &call.call_id) else {
        panic!("not a duo end")
    };
    assert_eq!(end.id.as_deref(), Some(call.call_id.as_str()));
    assert_eq!(end.outcome(), Outcome::Connected);
    assert_eq!(end.hangup_by, Some(2));
    assert_eq!(end.hung_up_by(), Some(yunhuni::HungUpBy::Party2));
    assert_eq!(end.talk_seconds(), 5);
    assert_eq!(end.user_data.as_deref(), Some("order-42"));
    assert_eq!(end.subaccount_id, None);
}

#[test]
fn user_data_absent_is_null_and_chinese_arrives_as_question_marks() {
    let sb = sandbox();
    let c = client(&sb);
    let call = c
        .duo_callback(&DuoCallback::new("13800000011", "13800000012", 60))
        .unwrap();
    assert_eq!(call.user_data, None);
    let call = c
        .duo_callback(&DuoCallback::new("13800000013", "13800000014", 60).user_data("订单-42"))
        .unwrap();
    assert_eq!(call.user_data.as_deref(), Some("订单-42"));
    let Event::DuoCallbackEnd(end) = end_event(&sb, &call.call_id) else {
        panic!()
    };
    assert_eq!(end.user_data.as_deref(), Some("??-42"));
}

#[test]
fn failure_outcomes_from_reserved_numbers() {
    let sb = sandbox();
    let c = client(&sb);
    for (to1, to2, outcome) in [
        ("13900000001", "13800000002", Outcome::Party1NotReached),
        ("13800000001", "13900000002", Outcome::Party2NotReached),
        ("13900000009", "13800000002", Outcome::PlatformFailure),
        ("13900000005", "13800000021", Outcome::Connected),
    ] {
        let call = c
            .duo_callback(&DuoCallback::new(to1, to2, 60).max_dial_duration(5))
            .unwrap();
        let Event::DuoCallbackEnd(end) = end_event(&sb, &call.call_id) else {
            panic!()
        };
        assert_eq!(end.outcome(), outcome, "{to1} -> {to2}: {}", end.raw);
    }
    sb.set_behavior("13800000031", Behavior::answer_after(1000));
    sb.set_behavior("13800000032", Behavior::answer_after(1000));
    let call = c
        .duo_callback(&DuoCallback::new("13800000031", "13800000032", 3))
        .unwrap();
    let Event::DuoCallbackEnd(end) = end_event(&sb, &call.call_id) else {
        panic!()
    };
    assert_eq!(end.outcome(), Outcome::MaxDurationReached);
    assert_eq!(end.talk_seconds(), 3);
}

#[test]
fn cancel_before_party_2_and_unknown_ids() {
    let sb = sandbox();
    let c = client(&sb);
    let call = c
        .duo_callback(&DuoCallback::new("13900000002", "13800000002", 60).max_dial_duration(300))
        .unwrap();
    c.cancel_duo_callback(&call.call_id).unwrap();
    let Event::DuoCallbackEnd(end) = end_event(&sb, &call.call_id) else {
        panic!()
    };
    assert_eq!(end.outcome(), Outcome::Party1NotReached);
    assert_eq!(end.hangup_by, Some(0));
    let err = c.cancel_duo_callback(&call.call_id).unwrap_err();
    assert_eq!((err.kind(), err.code()), (ErrorKind::Api, Some("020000")));
    let err = c
        .cancel_duo_callback("0123456789abcdef0123456789abcdef")
        .unwrap_err();
    assert_eq!((err.kind(), err.code()), (ErrorKind::Api, Some("020000")));
    assert!(err.message().contains("呼叫不存在"), "{err}");
}

#[test]
fn notify_and_verify_calls() {
    let sb = sandbox();
    let c = client(&sb);
    // Listens to the end: the platform hangs up once the content has played.
    sb.set_behavior("13800000041", Behavior::answer_after(1000));
    let req = NotifyCall::new("13800000041")
        .play_content(vec![
            PlayItem::new("hello.wav", PlayItem::FILE),
            PlayItem::new("3245.24", PlayItem::AMOUNT),
        ])
        .user_data("n-1");
    let call = c.notify_call(&req).unwrap();
    assert!(is_call_id(&call.call_id));
    assert_eq!(call.user_data.as_deref(), Some("n-1"));
    let Event::NotifyCallEnd(end) = end_event(&sb, &call.call_id) else {
        panic!("not notify end")
    };
    assert_eq!(end.ended_by(), Some(yunhuni::EndedBy::Platform));
    assert!(end.answer_time.is_some());

    let call = c
        .verify_call(
            &VerifyCall::new("13800000042")
                .verify_code("759345")
                .user_data("v-1"),
        )
        .unwrap();
    assert!(is_call_id(&call.call_id));
    assert_eq!(call.user_data, None, "verify_call returns only callId");
    // The platform reports a verification call's normal end as notify_call.end.
    let Event::NotifyCallEnd(end) = end_event(&sb, &call.call_id) else {
        panic!("not notify end")
    };
    assert!(
        end.hangup_by.is_some() && end.dropped_by.is_none(),
        "{}",
        end.raw
    );
}

#[test]
fn sub_account_events_carry_its_id() {
    let sb = sandbox();
    let sub = sb.default_sub_account().clone();
    let c = Client::builder(sb.app_id(), sub.cert_id.as_str(), sub.secret_key.as_str())
        .base_url(sb.base_url())
        .account_id(sb.account_id())
        .build()
        .unwrap();
    let call = c
        .duo_callback(&DuoCallback::new("13800000051", "13800000052", 60))
        .unwrap();
    let Event::DuoCallbackEnd(end) = end_event(&sb, &call.call_id) else {
        panic!()
    };
    assert_eq!(end.subaccount_id.as_deref(), Some(sub.id.as_str()));
}

#[test]
fn console_style_base_url_sets_the_account() {
    let sb = sandbox();
    let url = format!("{}/v1/account/{}/", sb.base_url(), sb.account_id());
    let c = Client::builder(sb.app_id(), sb.cert_id(), sb.secret_key())
        .base_url(url)
        .build()
        .unwrap();
    assert_eq!(c.account_id(), sb.account_id());
    c.duo_callback(&DuoCallback::new("13800000061", "13800000062", 60))
        .unwrap();
}

#[test]
fn wrong_credentials_are_auth_errors() {
    let sb = sandbox();
    for (app, cert, secret) in [
        (sb.app_id(), sb.cert_id(), "not-the-secret"),
        (
            "ffffffffffffffffffffffffffffffff",
            sb.cert_id(),
            sb.secret_key(),
        ),
        (
            sb.app_id(),
            "ffffffffffffffffffffffffffffffff",
            sb.secret_key(),
        ),
    ] {
        let c = Client::builder(app, cert, secret)
            .base_url(sb.base_url())
            .build()
            .unwrap();
        let err = c
            .duo_callback(&DuoCallback::new("13800000071", "13800000072", 60))
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.status()),
            (ErrorKind::Auth, Some(401)),
            "{err}"
        );
        assert!(err.message().contains("Bad credentials"), "{err}");
        assert!(!err.to_string().contains(sb.secret_key()));
    }
}

/// The client's checks and the server's agree: what the client refuses, the server refuses too.
#[test]
fn server_refuses_what_client_validation_refuses() {
    let sb = sandbox();
    let c = client(&sb);
    let cases = [
        (
            json!({"to1": "1", "to2": "1", "max_call_duration": 60}),
            "030500",
            DuoCallback::new("1", "1", 60),
        ),
        (
            json!({"to1": "1", "to2": "2", "max_call_duration": 0}),
            "000001",
            DuoCallback::new("1", "2", 0),
        ),
        (
            json!({"to1": "1", "to2": "2", "max_call_duration": 21601}),
            "000001",
            DuoCallback::new("1", "2", 21601),
        ),
        (
            json!({"to1": "1", "to2": "2", "max_call_duration": 60, "ring_tone_mode": 1}),
            "000001",
            DuoCallback::new("1", "2", 60).ring_tone_mode(1),
        ),
        (
            json!({"to1": "1", "to2": "2", "max_call_duration": 60, "max_dial_duration": 301}),
            "000001",
            DuoCallback::new("1", "2", 60).max_dial_duration(301),
        ),
        (
            json!({"to1": "1", "to2": "2", "max_call_duration": 60, "user_data": "x".repeat(129)}),
            "000001",
            DuoCallback::new("1", "2", 60).user_data("x".repeat(129)),
        ),
    ];
    for (raw, code, typed) in cases {
        let err = c.post("call/duo_callback", &raw).unwrap_err();
        assert_eq!(err.code(), Some(code), "server on {raw}: {err}");
        let err = c.duo_callback(&typed).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation, "client on {raw}");
    }
    // And what the client accepts at the limits, the server accepts.
    c.duo_callback(
        &DuoCallback::new("13800000081", "13800000082", 21_600)
            .max_dial_duration(300)
            .user_data("x".repeat(128))
            .ring_tone_mode(3)
            .record_mode(3),
    )
    .unwrap();
}

#[test]
fn one_client_shared_by_threads() {
    let sb = sandbox();
    let c = client(&sb);
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let c = &c;
                s.spawn(move || {
                    c.duo_callback(&DuoCallback::new(
                        format!("1380000010{i}"),
                        format!("1380000020{i}"),
                        60,
                    ))
                    .unwrap()
                    .call_id
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), 8);
    for id in &ids {
        assert!(matches!(end_event(&sb, id), Event::DuoCallbackEnd(_)));
    }
}

/// The README's Rust program, run as a process against the sandbox.
#[test]
fn readme_example_places_a_callback() {
    let sb = sandbox();
    let exe = std::env::current_exe().unwrap();
    let examples = exe.parent().unwrap().parent().unwrap().join("examples");
    let out = std::process::Command::new(examples.join("callback"))
        .env("YUNHUNI_APP_ID", sb.app_id())
        .env("YUNHUNI_CERT_ID", sb.cert_id())
        .env("YUNHUNI_SECRET_KEY", sb.secret_key())
        .env("YUNHUNI_BASE_URL", sb.base_url())
        .env_remove("YUNHUNI_ACCOUNT_ID")
        .output()
        .expect("the callback example is built by cargo test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = stdout
        .trim()
        .strip_prefix("placed voice callback ")
        .expect("prints the call id");
    assert!(is_call_id(id));
    let delivery = sb.wait_for_end(id, WAIT).expect("end event");

    let mut child = std::process::Command::new(examples.join("webhook"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), &delivery.body).unwrap();
    let out = child.wait_with_output().unwrap();
    let line = String::from_utf8_lossy(&out.stdout);
    assert!(line.contains(id) && line.contains("connected"), "{line}");
}

#[test]
fn from_env_names_the_missing_variable() {
    // Run in a child process so this test's environment changes touch no other test.
    if std::env::var_os("YUNHUNI_E2E_CHILD").is_some() {
        std::env::remove_var("YUNHUNI_CERT_ID");
        std::env::set_var("YUNHUNI_APP_ID", "app");
        let err = Client::from_env().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert_eq!(err.field(), Some("YUNHUNI_CERT_ID"));
        return;
    }
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "from_env_names_the_missing_variable",
            "--nocapture",
        ])
        .env("YUNHUNI_E2E_CHILD", "1")
        .status()
        .unwrap();
    assert!(status.success());
}
