//! Gateway details as the server has them: `Accept` without JSON (406, empty), `.suffix`
//! routing, lenient 13- and 15-digit timestamps, syntax errors inside string values, and
//! `play_content` row types.

mod common;

use common::*;
use std::net::SocketAddr;
use yunhuni_sandbox::Sandbox;

const BODY: &str = r#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60}"#;
const CT: &str = "application/json; charset=utf-8";

/// A request to `path` signed with the timestamp `ts`, with extra headers.
fn signed(
    addr: SocketAddr,
    creds: &Creds,
    path: &str,
    ts: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> RawResponse {
    let sig = hmac_b64(
        &creds.secret,
        &to_sign("POST", path, Some(CT), body.as_bytes(), ts, &creds.app_id),
    );
    let mut headers: Vec<(String, String)> = vec![
        ("AppID".into(), creds.app_id.clone()),
        ("CertID".into(), creds.cert_id.clone()),
        ("Timestamp".into(), ts.into()),
        ("Signature".into(), sig),
        ("Content-Type".into(), CT.into()),
    ];
    headers.extend(extra.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    raw(addr, "POST", path, &headers, body.as_bytes())
}

fn assert_406_empty(r: &RawResponse, what: &str) {
    assert_eq!(
        r.status,
        406,
        "{what}: {}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(r.body.is_empty(), "{what}");
    assert_eq!(r.header("Content-Length"), Some("0"), "{what}");
    assert_eq!(r.header("Content-Type"), None, "{what}");
}

#[test]
fn an_accept_without_json_gets_406_with_an_empty_body_after_the_call_is_placed() {
    let sb = Sandbox::builder().start().unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    let path = creds.path("duo_callback");
    for accept in [
        "text/plain",
        "text/html",
        "application/xml",
        "application/*+json",
        "nonsense",
    ] {
        let before = sb.calls().len();
        let r = signed(
            addr,
            &creds,
            &path,
            &timestamp_now(),
            BODY,
            &[("Accept", accept)],
        );
        assert_406_empty(&r, accept);
        // The handler ran: the call is placed, only its answer could not be written.
        assert_eq!(sb.calls().len(), before + 1, "{accept}");
    }
    // Business errors are refused the same way.
    let r = signed(
        addr,
        &creds,
        &path,
        &timestamp_now(),
        "{}",
        &[("Accept", "text/plain")],
    );
    assert_406_empty(&r, "a 000001 answer");
    for accept in [
        "*/*",
        "application/json",
        "application/*",
        "text/plain, application/json;q=0.1",
        "application/vnd.x+json",
        "",
    ] {
        let r = signed(
            addr,
            &creds,
            &path,
            &timestamp_now(),
            BODY,
            &[("Accept", accept)],
        );
        assert_eq!(r.status, 200, "{accept:?}");
        assert_eq!(r.json()["code"], "000000", "{accept:?}");
    }
    // Error pages are JSON too: a 404 or 405 becomes 406.
    let unknown = format!("/v1/account/{}/call/nothing", creds.account);
    let r = signed(
        addr,
        &creds,
        &unknown,
        &timestamp_now(),
        BODY,
        &[("Accept", "text/plain")],
    );
    assert_406_empty(&r, "unknown path");
    let r = signed(addr, &creds, &unknown, &timestamp_now(), BODY, &[]);
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["status"], 404);
    // The 401s are written before any of this.
    let r = signed(addr, &creds, &path, "x", BODY, &[("Accept", "text/plain")]);
    assert_eq!(r.status, 401);
    assert_eq!(r.text(), "HTTP Status 401 - 时间戳参数不正确\n");
}

#[test]
fn a_suffix_on_the_last_segment_still_routes() {
    let sb = Sandbox::builder().start().unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    let base = creds.path("duo_callback");
    // `.json` asks for JSON whatever `Accept` says.
    let path = format!("{base}.json");
    let r = signed(
        addr,
        &creds,
        &path,
        &timestamp_now(),
        BODY,
        &[("Accept", "text/plain")],
    );
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.json()["code"], "000000");
    // Any other suffix routes too; known non-JSON types are 406, unknown ones follow Accept.
    for (suffix, accept, status) in [
        (".x.y", "", 200),
        (".foo", "text/plain", 406),
        (".xml", "", 406),
        (".txt", "application/json", 406),
        ("/", "", 200),
        ("//", "", 200),
        (".json/", "", 404),
    ] {
        let path = format!("{base}{suffix}");
        let extra: &[(&str, &str)] = if accept.is_empty() {
            &[]
        } else {
            &[("Accept", accept)]
        };
        let r = signed(addr, &creds, &path, &timestamp_now(), BODY, extra);
        assert_eq!(
            r.status,
            status,
            "{suffix} {accept}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let cancel = format!("{}.json", creds.path("duo_callback_cancel"));
    let r = signed(
        addr,
        &creds,
        &cancel,
        &timestamp_now(),
        r#"{"callId":"x"}"#,
        &[],
    );
    assert_eq!(r.json()["code"], "020000");
    // The signature covers the path as sent: a request signed without the suffix fails.
    let ts = timestamp_now();
    let sig = hmac_b64(
        &creds.secret,
        &to_sign("POST", &base, Some(CT), BODY.as_bytes(), &ts, &creds.app_id),
    );
    let headers = vec![
        ("AppID".to_owned(), creds.app_id.clone()),
        ("CertID".to_owned(), creds.cert_id.clone()),
        ("Timestamp".to_owned(), ts),
        ("Signature".to_owned(), sig),
        ("Content-Type".to_owned(), CT.to_owned()),
    ];
    let r = raw(addr, "POST", &path, &headers, BODY.as_bytes());
    assert_eq!(r.status, 401);
    let r = raw(addr, "POST", &base, &headers, BODY.as_bytes());
    assert_eq!(r.status, 200);
}

#[test]
fn thirteen_and_fifteen_digit_timestamps_are_read_leniently() {
    let sb = Sandbox::builder().start().unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    let path = creds.path("duo_callback");
    let now = timestamp_now();
    // 13 digits: the seconds field has one digit (yyyyMMddHHmm + s).
    let thirteen = &now[..13];
    let r = signed(addr, &creds, &path, thirteen, BODY, &[]);
    assert_eq!(
        r.status,
        200,
        "{thirteen}: {}",
        String::from_utf8_lossy(&r.body)
    );
    // 15 digits: the seconds field takes three (`ss0` is ten times the seconds, at most
    // 990 s ahead, and the future is always accepted).
    let fifteen = format!("{now}0");
    let r = signed(addr, &creds, &path, &fifteen, BODY, &[]);
    assert_eq!(
        r.status,
        200,
        "{fifteen}: {}",
        String::from_utf8_lossy(&r.body)
    );
    // 15 digits an hour ago read as an hour ago: expired under a 5-minute window.
    let sb5 = Sandbox::builder().expiry_minutes(5).start().unwrap();
    let hour_ago = format!("{}0", timestamp_utc8(now_secs() - 3600));
    let r = signed(sb5.local_addr(), &creds, &path, &hour_ago, BODY, &[]);
    assert_eq!(r.text(), "HTTP Status 401 - Bad credentials\n");
    // Epoch milliseconds are 13 digits too: the year 1488 or so, parsed and long expired.
    let millis = (now_secs() * 1000).to_string();
    let r = signed(addr, &creds, &path, &millis, BODY, &[]);
    assert_eq!(r.text(), "HTTP Status 401 - Bad credentials\n", "{millis}");
    // 12 digits leave no seconds: not a timestamp.
    let r = signed(addr, &creds, &path, &now[..12], BODY, &[]);
    assert_eq!(r.text(), "HTTP Status 401 - 时间戳参数不正确\n");
}

#[test]
fn a_syntax_error_inside_a_string_value_is_000001() {
    let sb = Sandbox::builder().start().unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    for (op, body, code) in [
        // In the string value of a known field: the field's binding reads it.
        (
            "duo_callback",
            r#"{"to1":"1380000000\q","to2":"2","max_call_duration":60}"#,
            "000001",
        ),
        (
            "duo_callback",
            "{\"to1\":\"1\",\"to2\":\"2\",\"max_call_duration\":60,\"user_data\":\"a\u{1}b\"}",
            "000001",
        ),
        (
            "duo_callback",
            r#"{"to1":"1","to2":"2","max_call_duration":"6\u00"}"#,
            "000001",
        ),
        (
            "notify_call",
            r#"{"to":"1","play_content":[["a",0],["b\q",1]]}"#,
            "000001",
        ),
        (
            "notify_call",
            r#"{"to":"1","play_content":[["a",0],"#,
            "000001",
        ),
        (
            "verify_call",
            r#"{"to":"1","verify_code":"12\x"}"#,
            "000001",
        ),
        // Elsewhere, the parser finds it: 000002.
        (
            "duo_callback",
            r#"{"x":"\q","to1":"1","to2":"2","max_call_duration":60}"#,
            "000002",
        ),
        (
            "duo_callback",
            r#"{"to1":"1","to2":"2","max_call_duration":06}"#,
            "000002",
        ),
        (
            "duo_callback",
            r#"{"to1":"1","to2":"2","max_call_duration":60,}"#,
            "000002",
        ),
        ("duo_callback_cancel", r#"{"callId":"a\q"}"#, "000002"),
        // The first error decides.
        (
            "duo_callback",
            r#"{"max_call_duration":"abc","x":"\q"}"#,
            "000001",
        ),
        (
            "duo_callback",
            r#"{"x":"\q","max_call_duration":"abc"}"#,
            "000002",
        ),
    ] {
        let r = post(addr, &creds, op, body);
        assert_eq!(r.json()["code"], code, "{op} {body}");
    }
    // A lone surrogate escape is a string like any other.
    let id = place(
        addr,
        &creds,
        "duo_callback",
        r#"{"to1":"1","to2":"2","max_call_duration":60,"user_data":"\ud800"}"#,
    );
    assert_eq!(id.len(), 32);
}

#[test]
fn play_content_row_types_are_read_as_the_server_reads_them() {
    let sb = Sandbox::builder().start().unwrap();
    let (addr, creds) = (sb.local_addr(), Creds::of(&sb));
    for (rows, code) in [
        (r#"[["2017-03-01 12:00"," 4"]]"#, "000001"),
        (r#"[["2017-03-01 12:00","4 "]]"#, "000001"),
        (r#"[["2017-03-01 12:00",4.0]]"#, "000001"),
        (r#"[["2017-03-01 12:00","4"]]"#, "000000"),
        (r#"[["2017-03-01 12:00","+4"]]"#, "000000"),
        (r#"[["2017-03-01 12:00",4]]"#, "000000"),
        (r#"[["a.wav",7]]"#, "000000"),
        (r#"[["a.wav","7"]]"#, "000000"),
        (r#"[["a.wav",6]]"#, "000001"),
        (r#"[["a.wav",8]]"#, "000001"),
        (r#"[["a.wav",true]]"#, "000001"),
        // Only null and "" items drop a row: a blank one is kept (and " " plays no file).
        (r#"[[" ",0]]"#, "000000"),
        (r#"[["",0]]"#, "000001"),
    ] {
        let body = format!(r#"{{"to":"13800000001","play_content":{rows}}}"#);
        let r = post(addr, &creds, "notify_call", &body);
        assert_eq!(r.json()["code"], code, "{rows}");
    }
}
