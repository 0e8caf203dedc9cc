//! Business errors of the simple calls as the server gives them (platform notes §2, §3): apps
//! not online with test numbers, services, balance, quota, lines, audited files, the window
//! before the engine confirms a call, and codes forced per number or per app.

mod common;

use common::*;
use std::net::SocketAddr;
use std::time::Duration;
use yunhuni_sandbox::{AppSettings, Behavior, BusinessCode, Sandbox, Service};

const A: &str = "13800000001";
const B: &str = "13800000002";
const C: &str = "13800000003";

fn duo(to1: &str, to2: &str) -> String {
    format!(r#"{{"to1":"{to1}","to2":"{to2}","max_call_duration":60}}"#)
}

fn notify(to: &str) -> String {
    format!(r#"{{"to":"{to}","play_content":[["hello",0]]}}"#)
}

fn verify(to: &str) -> String {
    format!(r#"{{"to":"{to}","verify_code":"1234"}}"#)
}

/// Posts and checks the whole envelope of a refusal: code, the table's message, `data` null.
fn assert_code(addr: SocketAddr, creds: &Creds, op: &str, body: &str, code: &str, msg: &str) {
    let r = post(addr, creds, op, body);
    assert_eq!(r.status, 200, "{op} {body}");
    assert_eq!(
        r.text(),
        format!(r#"{{"code":"{code}","msg":"{msg}","data":null}}"#),
        "{op} {body}"
    );
}

fn assert_ok(addr: SocketAddr, creds: &Creds, op: &str, body: &str) -> String {
    place(addr, creds, op, body)
}

fn calls_placed(sb: &Sandbox) -> usize {
    sb.calls().len()
}

#[test]
fn an_offline_app_may_call_only_its_test_numbers() {
    let sb = Sandbox::builder()
        .default_app_settings(AppSettings {
            online: false,
            test_numbers: vec![A.into(), B.into()],
            ..AppSettings::default()
        })
        .start()
        .unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    assert_ok(addr, &creds, "duo_callback", &duo(A, B));
    assert_ok(addr, &creds, "notify_call", &notify(A));
    assert_ok(addr, &creds, "verify_call", &verify(B));
    let before = calls_placed(&sb);
    for (op, body) in [
        ("duo_callback", duo(A, C)),
        ("duo_callback", duo(C, B)),
        ("notify_call", notify(C)),
        ("verify_call", verify(C)),
    ] {
        assert_code(addr, &creds, op, &body, "020001", "号码不允许呼叫");
    }
    assert_eq!(calls_placed(&sb), before, "refused calls are not placed");
    // Test numbers compare exactly.
    assert_code(
        addr,
        &creds,
        "notify_call",
        &notify(&format!("+86{A}")),
        "020001",
        "号码不允许呼叫",
    );

    // Online again (through the admin endpoint): any number.
    let r = raw(
        addr,
        "PUT",
        &format!("/sandbox/apps/{}", sb.app_id()),
        &[],
        br#"{"online":true}"#,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["online"], true);
    assert_ok(addr, &creds, "duo_callback", &duo(A, C));

    // Offline without any test number: every call is refused.
    sb.set_app_settings(
        sb.app_id(),
        AppSettings {
            online: false,
            ..AppSettings::default()
        },
    )
    .unwrap();
    assert_code(
        addr,
        &creds,
        "notify_call",
        &notify(A),
        "020001",
        "号码不允许呼叫",
    );
    let (status, json) = admin_get(addr, &format!("/sandbox/apps/{}", sb.app_id()));
    assert_eq!((status, &json["online"]), (200, &serde_json::json!(false)));
    assert!(sb
        .set_app_settings("no-such-app", AppSettings::default())
        .is_err());
    let r = raw(addr, "PUT", "/sandbox/apps/no-such-app", &[], b"{}");
    assert_eq!(r.status, 404);
    let r = raw(
        addr,
        "PUT",
        &format!("/sandbox/apps/{}", sb.app_id()),
        &[],
        br#"{"online":"no"}"#,
    );
    assert_eq!(r.status, 400);
}

#[test]
fn a_cancel_before_the_engine_confirms_the_call_is_000004() {
    let sb = Sandbox::builder()
        .confirm_delay(Duration::from_millis(1500))
        .start()
        .unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    // Leg 1 never answers, so the call is still ringing when it is cancelled.
    let body = r#"{"to1":"13900000002","to2":"13800000002","max_call_duration":60,"max_dial_duration":300}"#;
    let id = place(addr, &creds, "duo_callback", body);
    let cancel = format!(r#"{{"callId":"{id}"}}"#);
    assert_code(
        addr,
        &creds,
        "duo_callback_cancel",
        &cancel,
        "000004",
        "系统繁忙",
    );
    let call = sb.call(&id).unwrap();
    assert!(
        call.timeline.iter().all(|t| !t.what.contains("cancel")),
        "{:?}",
        call.timeline
    );
    std::thread::sleep(Duration::from_millis(1700));
    let r = post(addr, &creds, "duo_callback_cancel", &cancel);
    assert_eq!(r.json()["code"], "000000", "{}", r.text());
    let delivery = sb.wait_for_end(&id, Duration::from_secs(10));
    assert!(delivery.is_some());
    // An unknown call is still 020000 at once.
    assert_code(
        addr,
        &creds,
        "duo_callback_cancel",
        r#"{"callId":"0123456789abcdef0123456789abcdef"}"#,
        "020000",
        "呼叫不存在",
    );
    // By default every call is confirmed at once.
    let sb = Sandbox::builder().start().unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    let id = place(addr, &creds, "duo_callback", body);
    let r = post(
        addr,
        &creds,
        "duo_callback_cancel",
        &format!(r#"{{"callId":"{id}"}}"#),
    );
    assert_eq!(r.json()["code"], "000000");
}

#[test]
fn a_service_the_app_has_not_enabled_is_010002() {
    let sb = Sandbox::builder()
        .default_app_settings(AppSettings {
            disabled_services: vec![Service::NotifyCall],
            ..AppSettings::default()
        })
        .start()
        .unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    assert_code(
        addr,
        &creds,
        "notify_call",
        &notify(A),
        "010002",
        "app没开通该服务",
    );
    assert_ok(addr, &creds, "duo_callback", &duo(A, B));
    assert_ok(addr, &creds, "verify_call", &verify(A));
    // Cancels are not checked.
    assert_code(
        addr,
        &creds,
        "duo_callback_cancel",
        r#"{"callId":"x"}"#,
        "020000",
        "呼叫不存在",
    );
    for (service, op, body) in [
        (Service::DuoCallback, "duo_callback", duo(A, B)),
        (Service::VerifyCall, "verify_call", verify(A)),
    ] {
        sb.set_app_settings(
            sb.app_id(),
            AppSettings {
                disabled_services: vec![service],
                ..AppSettings::default()
            },
        )
        .unwrap();
        assert_code(addr, &creds, op, &body, "010002", "app没开通该服务");
    }
}

#[test]
fn an_exhausted_balance_is_010003_and_quota_010006_for_sub_accounts() {
    let sb = Sandbox::builder()
        .default_app_settings(AppSettings {
            quota_exhausted: true,
            ..AppSettings::default()
        })
        .start()
        .unwrap();
    let (addr, main, sub) = (sb.local_addr(), Creds::of(&sb), Creds::sub(&sb));
    // The primary account has no quota.
    assert_ok(addr, &main, "duo_callback", &duo(A, B));
    for (op, body) in [
        ("duo_callback", duo(A, B)),
        ("notify_call", notify(A)),
        ("verify_call", verify(A)),
    ] {
        assert_code(addr, &sub, op, &body, "010006", "配额不足");
    }
    // The balance is checked first, for every caller.
    let mut settings = sb.app_settings(sb.app_id()).unwrap();
    settings.balance_exhausted = true;
    sb.set_app_settings(sb.app_id(), settings).unwrap();
    for creds in [&main, &sub] {
        for (op, body) in [
            ("duo_callback", duo(A, B)),
            ("notify_call", notify(A)),
            ("verify_call", verify(A)),
        ] {
            assert_code(addr, creds, op, &body, "010003", "余额不足");
        }
    }
    // Validation comes before the business checks.
    assert_code(
        addr,
        &main,
        "duo_callback",
        r#"{"to1":"1","to2":"2"}"#,
        "000001",
        "参数错误",
    );
    assert_code(
        addr,
        &main,
        "duo_callback",
        &duo(A, A),
        "030500",
        "双向回拔的号码不能是同一号码",
    );
}

#[test]
fn files_that_are_not_audited_are_010005() {
    let sb = Sandbox::builder()
        .default_app_settings(AppSettings {
            audited_files: Some(vec!["welcome.wav".into(), "code.wav".into()]),
            ..AppSettings::default()
        })
        .start()
        .unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    let file_error = |op: &str, body: &str| {
        assert_code(addr, &creds, op, body, "010005", "放音文件不存在或未审核");
    };
    let ring = |tone: &str| {
        format!(r#"{{"to1":"{A}","to2":"{B}","max_call_duration":60,"ring_tone":"{tone}"}}"#)
    };
    assert_ok(addr, &creds, "duo_callback", &ring("welcome.wav"));
    assert_ok(addr, &creds, "duo_callback", &ring("welcome.wav|code.wav"));
    file_error("duo_callback", &ring("other.wav"));
    file_error("duo_callback", &ring("welcome.wav|other.wav"));
    file_error("duo_callback", &ring("|"));
    assert_ok(
        addr,
        &creds,
        "notify_call",
        &format!(r#"{{"to":"{A}","play_file":"code.wav"}}"#),
    );
    file_error(
        "notify_call",
        &format!(r#"{{"to":"{A}","play_file":"x.wav"}}"#),
    );
    for row in [r#"["x.wav",0]"#, r#"["x.wav",7]"#, r#"["x.wav","7"]"#] {
        file_error(
            "notify_call",
            &format!(r#"{{"to":"{A}","play_content":[["1",1],{row}]}}"#),
        );
    }
    assert_ok(
        addr,
        &creds,
        "notify_call",
        &format!(r#"{{"to":"{A}","play_content":[["welcome.wav",7],["42",1]]}}"#),
    );
    // Rows are checked in order, play_file first: the first failing row decides.
    file_error(
        "notify_call",
        &format!(r#"{{"to":"{A}","play_content":[["x.wav",0],["y",6]]}}"#),
    );
    assert_code(
        addr,
        &creds,
        "notify_call",
        &format!(r#"{{"to":"{A}","play_content":[["y",6],["x.wav",0]]}}"#),
        "000001",
        "参数错误",
    );
    file_error(
        "notify_call",
        &format!(r#"{{"to":"{A}","play_file":"x.wav","play_content":[["y",6]]}}"#),
    );
    file_error(
        "verify_call",
        &format!(r#"{{"to":"{A}","play_file":"x.wav"}}"#),
    );
    assert_ok(
        addr,
        &creds,
        "verify_call",
        &format!(r#"{{"to":"{A}","play_file":"code.wav","verify_code":"12"}}"#),
    );
    // Files are checked after the number and line.
    let mut settings = sb.app_settings(sb.app_id()).unwrap();
    settings.no_line = true;
    sb.set_app_settings(sb.app_id(), settings).unwrap();
    assert_code(
        addr,
        &creds,
        "duo_callback",
        &ring("other.wav"),
        "020002",
        "没有可用线路",
    );
}

#[test]
fn an_online_app_without_a_line_is_020002() {
    let sb = Sandbox::builder()
        .default_app_settings(AppSettings {
            no_line: true,
            ..AppSettings::default()
        })
        .start()
        .unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    for (op, body) in [
        ("duo_callback", duo(A, B)),
        ("notify_call", notify(A)),
        ("verify_call", verify(A)),
    ] {
        assert_code(addr, &creds, op, &body, "020002", "没有可用线路");
    }
    // The other message of 020002, forced.
    let code = BusinessCode::with_msg("020002", "用户号码没有可用线路").unwrap();
    sb.set_app_settings(
        sb.app_id(),
        AppSettings {
            code: Some(code),
            ..AppSettings::default()
        },
    )
    .unwrap();
    assert_code(
        addr,
        &creds,
        "notify_call",
        &notify(A),
        "020002",
        "用户号码没有可用线路",
    );
}

#[test]
fn every_code_of_the_table_can_be_forced_per_app() {
    let sb = Sandbox::builder().start().unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    let target = format!("/sandbox/apps/{}", sb.app_id());
    let mut forced = 0;
    for code in BusinessCode::table() {
        let settings = format!(r#"{{"code":"{}","msg":"{}"}}"#, code.code(), code.msg());
        let r = raw(addr, "PUT", &target, &[], settings.as_bytes());
        assert_eq!(r.status, 200, "{}", r.text());
        for (op, body) in [
            ("duo_callback", duo(A, B)),
            ("notify_call", notify(A)),
            ("verify_call", verify(A)),
            ("duo_callback_cancel", r#"{"callId":"x"}"#.to_owned()),
        ] {
            assert_code(addr, &creds, op, &body, code.code(), code.msg());
        }
        forced += 1;
    }
    assert_eq!(forced, 43);
    assert_eq!(calls_placed(&sb), 0);
    // A code outside the table is refused with 400.
    let r = raw(addr, "PUT", &target, &[], br#"{"code":"123456"}"#);
    assert_eq!(r.status, 400);
    let r = raw(addr, "PUT", &target, &[], b"{}");
    assert_eq!(r.status, 200);
    assert_ok(addr, &creds, "duo_callback", &duo(A, B));
}

#[test]
fn a_code_forced_on_a_number_comes_before_the_app_checks() {
    let sb = Sandbox::builder()
        .behavior(
            C,
            Behavior::default().with_code(BusinessCode::new("020001").unwrap()),
        )
        .start()
        .unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    assert_code(
        addr,
        &creds,
        "duo_callback",
        &duo(A, C),
        "020001",
        "号码不允许呼叫",
    );
    assert_code(
        addr,
        &creds,
        "duo_callback",
        &duo(C, A),
        "020001",
        "号码不允许呼叫",
    );
    assert_code(
        addr,
        &creds,
        "notify_call",
        &notify(C),
        "020001",
        "号码不允许呼叫",
    );
    assert_code(
        addr,
        &creds,
        "verify_call",
        &verify(C),
        "020001",
        "号码不允许呼叫",
    );
    assert_ok(addr, &creds, "duo_callback", &duo(A, B));

    // Through the admin endpoint, with one of the two messages of 050105; `to1` is checked
    // before `to2`; the number's code comes before the app's balance.
    let r = raw(
        addr,
        "PUT",
        &format!("/sandbox/numbers/{A}"),
        &[],
        r#"{"code":"050105","msg":"发送消息失败"}"#.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["behavior"]["code"], "050105");
    sb.set_app_settings(
        sb.app_id(),
        AppSettings {
            balance_exhausted: true,
            ..AppSettings::default()
        },
    )
    .unwrap();
    assert_code(
        addr,
        &creds,
        "duo_callback",
        &duo(A, C),
        "050105",
        "发送消息失败",
    );
    assert_code(
        addr,
        &creds,
        "duo_callback",
        &duo(C, A),
        "020001",
        "号码不允许呼叫",
    );
    assert_code(
        addr,
        &creds,
        "duo_callback",
        &duo(B, "13800000009"),
        "010003",
        "余额不足",
    );
    // Cleared, the number is called again (and the app's balance decides).
    sb.clear_behavior(A);
    assert_code(
        addr,
        &creds,
        "notify_call",
        &notify(A),
        "010003",
        "余额不足",
    );
    let r = raw(
        addr,
        "PUT",
        "/sandbox/numbers/1",
        &[],
        br#"{"code":"999999"}"#,
    );
    assert_eq!(r.status, 400);
}
