//! Management (platform notes 2 §5, §1.3) over real HTTP: the life cycle of a sub-account made
//! through the API (it signs at once; disabled, quota-limited and deleted as the server
//! refuses), the numbers (list, bind, unbind and their rules), the routing of the management
//! paths, and every case of tests/cases/management.json sent as it is on the wire.

mod common;

use common::*;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;
use yunhuni_sandbox::{App, Sandbox, DEV_CERT_ID, DEV_SECRET_KEY};

const UNKNOWN: &str = "00000000000000000000000000000000";

/// A signed management request: `rest` after `/v1/account/{account}/`, an optional query and
/// JSON body.
fn call(
    addr: SocketAddr,
    creds: &Creds,
    method: &str,
    rest: &str,
    query: &str,
    body: Option<&str>,
) -> RawResponse {
    let path = format!("/v1/account/{}/{rest}", creds.account);
    let target = if query.is_empty() {
        path.clone()
    } else {
        format!("{path}?{query}")
    };
    let body = body.unwrap_or("").as_bytes();
    raw(
        addr,
        method,
        &target,
        &creds.headers(method, &path, body),
        body,
    )
}

/// The envelope of a successful answer's `data`, asserting the code.
fn ok(r: &RawResponse) -> Value {
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    let v = r.json();
    assert_eq!(v["code"], "000000", "{v}");
    assert_eq!(v["msg"], "请求成功");
    v["data"].clone()
}

fn assert_code(r: &RawResponse, code: &str, msg: &str) {
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(
        r.text(),
        format!(r#"{{"code":"{code}","msg":"{msg}","data":null}}"#)
    );
}

fn assert_401(r: &RawResponse, message: &str) {
    assert_eq!(r.status, 401, "{}", String::from_utf8_lossy(&r.body));
    assert_eq!(r.text(), format!("HTTP Status 401 - {message}\n"));
    assert_eq!(
        r.header("WWW-Authenticate"),
        Some("Basic realm=\"Secure realm\"")
    );
}

fn creds_of(sb: &Sandbox, sub: &Value) -> Creds {
    Creds {
        cert_id: sub["certId"].as_str().unwrap().into(),
        secret: sub["secretKey"].as_str().unwrap().into(),
        ..Creds::of(sb)
    }
}

fn notify_body() -> &'static str {
    r#"{"to":"13800000001","play_content":[["hello",0]]}"#
}

fn hex32(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[test]
fn a_sub_account_lives_and_dies_as_on_the_platform() {
    let hooks = Listener::ok();
    let sb = Sandbox::builder().time_scale(200.0).start().unwrap();
    let addr = sb.local_addr();
    let primary = Creds::of(&sb);

    // Create: the answer's keys in the server's order, fresh 32-hex ids, enabled 1, quotas / 60.
    let body = json!({"callbackUrl": hooks.url(), "remark": "customer 1",
                      "quotas": [{"type": "CallQuota", "value": 1}, {"type": "AgentQuota", "value": 1000}]})
    .to_string();
    let r = call(
        addr,
        &primary,
        "POST",
        "management/subaccount",
        "",
        Some(&body),
    );
    let created = ok(&r);
    let keys: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let text = r.text();
    let positions: Vec<usize> = [
        "\"id\"",
        "\"appId\"",
        "\"parentId\"",
        "\"callbackUrl\"",
        "\"enabled\"",
        "\"remark\"",
        "\"certId\"",
        "\"secretKey\"",
        "\"quotas\"",
    ]
    .iter()
    .map(|k| text.find(k).unwrap_or_else(|| panic!("{k} in {text}")))
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert_eq!(keys.len(), 9);
    for key in ["id", "certId", "secretKey"] {
        assert!(hex32(&created[key]), "{key}: {created}");
    }
    assert_eq!(created["appId"], sb.app_id());
    assert_eq!(created["parentId"], sb.cert_id());
    assert_eq!(created["enabled"], 1);
    assert_eq!(created["remark"], "customer 1");
    assert_eq!(
        created["quotas"],
        json!([{"type": "AgentQuota", "value": 16}, {"type": "CallQuota", "value": 1}])
    );
    let id = created["id"].as_str().unwrap().to_owned();
    let sub = creds_of(&sb, &created);

    // It signs at once; its call carries its id and goes to its own URL.
    let call_id = place(addr, &sub, "notify_call", notify_body());
    let info = sb.call(&call_id).unwrap();
    assert_eq!(info.subaccount_id.as_deref(), Some(id.as_str()));
    assert_eq!(info.callback_url.as_deref(), Some(hooks.url().as_str()));
    assert!(sb.wait_for_end(&call_id, Duration::from_secs(20)).is_some());
    let end = hooks.wait_for(1, Duration::from_secs(10));
    let text = String::from_utf8_lossy(&end[0].body).into_owned();
    assert!(
        text.contains(&format!("\"subaccount_id\":\"{id}\"")),
        "{text}"
    );

    // It may not manage: 401 不是PRIMARY_ACCOUNT, for every management path, known or not.
    for (method, rest) in [
        ("GET", "management/subaccount"),
        ("GET", "management/telnum"),
        ("GET", "management/nothing/here"),
        ("POST", "management"),
    ] {
        assert_401(
            &call(addr, &sub, method, rest, "", None),
            "不是PRIMARY_ACCOUNT",
        );
    }

    // Update: callbackUrl and enabled written as sent, remark echoed but not kept.
    let r = call(
        addr,
        &primary,
        "PUT",
        &format!("management/subaccount/{id}"),
        "",
        Some(r#"{"enabled":1,"remark":"renamed"}"#),
    );
    let updated = ok(&r);
    assert_eq!(updated["remark"], "renamed");
    assert_eq!(updated["callbackUrl"], Value::Null);
    assert_eq!(updated["quotas"], Value::Null);
    let got = ok(&call(
        addr,
        &primary,
        "GET",
        &format!("management/subaccount/{id}"),
        "",
        None,
    ));
    assert_eq!(got["remark"], "customer 1");
    assert_eq!(got["callbackUrl"], Value::Null);
    assert_eq!(got["certId"], created["certId"]);
    // Without its own URL, its calls' events go to the app's (none here).
    let call_id = place(addr, &sub, "notify_call", notify_body());
    assert_eq!(sb.call(&call_id).unwrap().callback_url, None);
    assert!(sb.wait_for_end(&call_id, Duration::from_secs(20)).is_some());

    // Disable: refused exactly as the gateway refuses, for calls and management alike.
    let r = call(
        addr,
        &primary,
        "POST",
        &format!("management/subaccount/{id}"),
        "",
        Some(r#"{"enabled":0}"#),
    );
    assert_eq!(ok(&r)["enabled"], 0);
    assert_401(
        &post(addr, &sub, "notify_call", notify_body()),
        "子账号被禁用",
    );
    assert_401(
        &call(addr, &sub, "GET", "management/telnum", "", None),
        "子账号被禁用",
    );
    // An update without `enabled` writes null: still disabled.
    let r = call(
        addr,
        &primary,
        "PUT",
        &format!("management/subaccount/{id}"),
        "",
        Some("{}"),
    );
    assert_eq!(ok(&r)["enabled"], Value::Null);
    assert_401(
        &post(addr, &sub, "notify_call", notify_body()),
        "子账号被禁用",
    );

    // Enable again.
    let r = call(
        addr,
        &primary,
        "PUT",
        &format!("management/subaccount/{id}"),
        "",
        Some(r#"{"enabled":1}"#),
    );
    assert_eq!(ok(&r)["enabled"], 1);

    // Quota: the two answered calls so far were billed 60 s each (talk + 1 s, rounded up to
    // the minute): 120 s > the 1-minute CallQuota, so the next call gets 010006 (after
    // validation, which still comes first); the primary account has no quota; raising the
    // quota lets the sub-account call again.
    assert_code(
        &post(addr, &sub, "notify_call", notify_body()),
        "010006",
        "配额不足",
    );
    assert_code(
        &post(
            addr,
            &sub,
            "duo_callback",
            r#"{"to1":"13800000001","to2":"13800000002","max_call_duration":60}"#,
        ),
        "010006",
        "配额不足",
    );
    place(addr, &primary, "notify_call", notify_body());
    // Validation comes first: a bad request still gets 000001.
    assert_code(
        &post(addr, &sub, "notify_call", r#"{"to":""}"#),
        "000001",
        "参数错误",
    );
    let r = call(
        addr,
        &primary,
        "PUT",
        &format!("management/subaccount/{id}/quotas"),
        "",
        Some(r#"{"quotas":[{"type":"CallQuota","value":3}]}"#),
    );
    assert_eq!(ok(&r), json!(true));
    let got = ok(&call(
        addr,
        &primary,
        "GET",
        &format!("management/subaccount/{id}"),
        "",
        None,
    ));
    assert_eq!(
        got["quotas"],
        json!([{"type": "AgentQuota", "value": 16}, {"type": "CallQuota", "value": 3}])
    );
    place(addr, &sub, "notify_call", notify_body());

    // Delete: the path id is ignored, the query's subaccountId is deleted.
    let r = call(
        addr,
        &primary,
        "DELETE",
        &format!("management/subaccount/{UNKNOWN}"),
        &format!("subaccountId={id}"),
        None,
    );
    assert_eq!(ok(&r), json!(true));
    assert_401(
        &post(addr, &sub, "notify_call", notify_body()),
        "Bad credentials",
    );
    assert_code(
        &call(
            addr,
            &primary,
            "GET",
            &format!("management/subaccount/{id}"),
            "",
            None,
        ),
        "000002",
        "未知错误",
    );
    assert_code(
        &call(
            addr,
            &primary,
            "DELETE",
            &format!("management/subaccount/{id}"),
            &format!("subaccountId={id}"),
            None,
        ),
        "000002",
        "未知错误",
    );
    // Without subaccountId the server deletes id "1".
    assert_code(
        &call(
            addr,
            &primary,
            "DELETE",
            &format!("management/subaccount/{id}"),
            "",
            None,
        ),
        "000002",
        "未知错误",
    );
    let page = ok(&call(
        addr,
        &primary,
        "GET",
        "management/subaccount",
        "",
        None,
    ));
    let ids: Vec<&str> = page["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&id.as_str()));
    assert!(ids.contains(&sb.sub_account().0));
}

#[test]
fn the_default_sub_account_is_managed_like_any_other() {
    let sb = Sandbox::builder().start().unwrap();
    let addr = sb.local_addr();
    let primary = Creds::of(&sb);
    let (id, cert, secret) = sb.sub_account();
    let got = ok(&call(
        addr,
        &primary,
        "GET",
        &format!("management/subaccount/{id}"),
        "",
        None,
    ));
    assert_eq!(got["certId"], cert);
    assert_eq!(got["secretKey"], secret);
    assert_eq!(got["quotas"], json!([{"type": "CallQuota", "value": 0}]));
    ok(&call(
        addr,
        &primary,
        "PUT",
        &format!("management/subaccount/{id}"),
        "",
        Some(r#"{"enabled":0}"#),
    ));
    assert_401(
        &post(addr, &Creds::sub(&sb), "notify_call", notify_body()),
        "子账号被禁用",
    );
}

#[test]
fn lists_page_as_the_platform_does() {
    let sb = Sandbox::builder().start().unwrap();
    let addr = sb.local_addr();
    let primary = Creds::of(&sb);
    for _ in 0..11 {
        ok(&call(
            addr,
            &primary,
            "POST",
            "management/subaccount",
            "",
            Some("{}"),
        ));
    }
    // 12 sub-accounts (the default one first), pages of 5: the third page has 2; the
    // platform's totals are wrong (totalCount = the source's page count).
    let page = ok(&call(
        addr,
        &primary,
        "GET",
        "management/subaccount",
        "pageNo=3&pageSize=5",
        None,
    ));
    assert_eq!(page["pageSize"], 5);
    assert_eq!(page["startIndex"], 11);
    assert_eq!(page["totalCount"], 3);
    assert_eq!(page["totalPageCount"], 1);
    assert_eq!(page["currentPageNo"], 3);
    assert_eq!(page["result"].as_array().unwrap().len(), 2);
    assert!(page["result"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["quotas"].is_null()));
    let first = ok(&call(
        addr,
        &primary,
        "GET",
        "management/subaccount",
        "",
        None,
    ));
    assert_eq!(first["result"][0]["id"], sb.sub_account().0);
    assert_eq!(first["result"].as_array().unwrap().len(), 10);
    // Query values as the gateway converts them: blanks removed, hex, empty = default.
    let page = ok(&call(
        addr,
        &primary,
        "GET",
        "management/subaccount",
        "pageSize=0x5&pageNo=%203",
        None,
    ));
    assert_eq!(
        (page["pageSize"].clone(), page["currentPageNo"].clone()),
        (json!(5), json!(3))
    );
    let page = ok(&call(
        addr,
        &primary,
        "GET",
        "management/subaccount",
        "pageSize=&pageNo=",
        None,
    ));
    assert_eq!(page["pageSize"], 10);
    for query in [
        "pageSize=1001",
        "pageSize=0",
        "pageSize=-1",
        "pageNo=0",
        "pageNo=x",
        "pageSize=1.5",
    ] {
        assert_code(
            &call(addr, &primary, "GET", "management/subaccount", query, None),
            "000002",
            "未知错误",
        );
    }
    // Far pages are empty.
    let page = ok(&call(
        addr,
        &primary,
        "GET",
        "management/subaccount",
        "pageNo=100",
        None,
    ));
    assert_eq!(page["result"], json!([]));
}

#[test]
fn numbers_bind_and_unbind_with_the_servers_rules() {
    let other_app = "b0a5d1e5a2c64f0e9a7e3c1d5f0000ff";
    let sb = Sandbox::builder()
        .app(App {
            app_id: other_app.into(),
            cert_id: DEV_CERT_ID.into(),
            secret_key: DEV_SECRET_KEY.into(),
            callback_url: None,
        })
        .start()
        .unwrap();
    let addr = sb.local_addr();
    let primary = Creds::of(&sb);
    let other = Creds {
        app_id: other_app.into(),
        ..Creds::of(&sb)
    };
    let list = |creds: &Creds| -> Vec<Value> {
        ok(&call(addr, creds, "GET", "management/telnum", "", None))["result"]
            .as_array()
            .unwrap()
            .clone()
    };
    // Every rented number of the account, newest first, whatever the app.
    let numbers = list(&primary);
    let telnums: Vec<&str> = numbers
        .iter()
        .map(|n| n["telnum"].as_str().unwrap())
        .collect();
    assert_eq!(telnums, ["02088880002", "02088880001", "02088880000"]);
    assert_eq!(list(&other), numbers);
    assert_eq!(numbers[0]["appId"], Value::Null);
    assert_eq!(numbers[1]["appId"], sb.app_id());
    assert!(numbers.iter().all(|n| n["subaccountId"].is_null()));
    let text = call(addr, &primary, "GET", "management/telnum", "", None).text();
    assert!(text.contains(r#"{"id":"7e1a0c5d3b2f4a6e9c8d0b1a2f000003","appId":null,"subaccountId":null,"telnum":"02088880002"}"#), "{text}");
    let free = numbers[0]["id"].as_str().unwrap().to_owned();
    let in_app = numbers[1]["id"].as_str().unwrap().to_owned();

    let mk = || {
        ok(&call(
            addr,
            &primary,
            "POST",
            "management/subaccount",
            "",
            Some("{}"),
        ))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (s1, s2) = (mk(), mk());
    let bind = |creds: &Creds, number: &str, sub: &str| {
        call(
            addr,
            creds,
            "POST",
            &format!("management/telnum/{number}/subaccount"),
            "",
            Some(&json!({"subaccountId": sub}).to_string()),
        )
    };
    let unbind = |number: &str, query: &str| {
        call(
            addr,
            &primary,
            "DELETE",
            &format!("management/{number}/subaccount"),
            query,
            None,
        )
    };
    let sub_of = |number: &str| -> Value {
        list(&primary)
            .into_iter()
            .find(|n| n["id"] == number)
            .unwrap()["subaccountId"]
            .clone()
    };

    assert_eq!(ok(&bind(&primary, &in_app, &s1)), json!(true));
    assert_eq!(sub_of(&in_app), json!(s1));
    // Already bound: left as it is, still true.
    assert_eq!(ok(&bind(&primary, &in_app, &s2)), json!(true));
    assert_eq!(sub_of(&in_app), json!(s1));
    // A number of another app: 000002; a number in no app joins the caller's app.
    assert_code(&bind(&other, &in_app, &s1), "000002", "未知错误");
    assert_eq!(ok(&bind(&other, &free, &s2)), json!(true));
    let joined = list(&primary)
        .into_iter()
        .find(|n| n["id"] == free.as_str())
        .unwrap();
    assert_eq!(
        (joined["appId"].clone(), joined["subaccountId"].clone()),
        (json!(other_app), json!(s2))
    );
    // The sub-account id is not checked.
    assert_eq!(
        ok(&bind(
            &primary,
            numbers[2]["id"].as_str().unwrap(),
            "nobody"
        )),
        json!(true)
    );
    assert_code(&bind(&primary, UNKNOWN, &s1), "000002", "未知错误");
    assert_code(
        &call(
            addr,
            &primary,
            "POST",
            &format!("management/telnum/{in_app}/subaccount"),
            "",
            Some("{}"),
        ),
        "000001",
        "参数错误",
    );

    // Unbind: only with the matching sub-account (and app); otherwise nothing, still true.
    assert_eq!(
        ok(&unbind(&in_app, &format!("subaccountId={s2}"))),
        json!(true)
    );
    assert_eq!(sub_of(&in_app), json!(s1));
    assert_eq!(ok(&unbind(&in_app, "")), json!(true));
    assert_eq!(sub_of(&in_app), json!(s1));
    assert_eq!(
        ok(&unbind(&in_app, &format!("subaccountId={s1}"))),
        json!(true)
    );
    assert_eq!(sub_of(&in_app), Value::Null);
    assert_code(
        &unbind(UNKNOWN, &format!("subaccountId={s1}")),
        "000002",
        "未知错误",
    );

    // Deleting a sub-account unbinds its numbers in the caller's app.
    ok(&bind(&primary, &in_app, &s1));
    ok(&call(
        addr,
        &primary,
        "DELETE",
        &format!("management/subaccount/{s1}"),
        &format!("subaccountId={s1}"),
        None,
    ));
    assert_eq!(sub_of(&in_app), Value::Null);
    // ... but not when another app deletes it (the row is deleted all the same).
    ok(&call(
        addr,
        &other,
        "DELETE",
        &format!("management/subaccount/{s2}"),
        &format!("subaccountId={s2}"),
        None,
    ));
    assert_eq!(sub_of(&free), json!(s2));
    assert_code(
        &call(
            addr,
            &primary,
            "GET",
            &format!("management/subaccount/{s2}"),
            "",
            None,
        ),
        "000002",
        "未知错误",
    );
}

#[test]
fn management_paths_route_as_the_gateway_maps_them() {
    let sb = Sandbox::builder().start().unwrap();
    let addr = sb.local_addr();
    let primary = Creds::of(&sb);
    // The documented unbind path only exists for POST (bind): 405.
    let r = call(
        addr,
        &primary,
        "DELETE",
        "management/telnum/x/subaccount",
        "subaccountId=1",
        None,
    );
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("POST"));
    assert_eq!(r.json()["message"], "Request method 'DELETE' not supported");
    let r = call(addr, &primary, "PATCH", "management/subaccount", "", None);
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("POST, GET"));
    let r = call(addr, &primary, "GET", "management/nothing", "", None);
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json()["path"],
        format!("/v1/account/{}/management/nothing", primary.account)
    );
    // Suffixes and a trailing slash.
    ok(&call(
        addr,
        &primary,
        "GET",
        "management/telnum.json",
        "",
        None,
    ));
    ok(&call(addr, &primary, "GET", "management/telnum/", "", None));
    let (id, ..) = sb.sub_account();
    assert_eq!(
        ok(&call(
            addr,
            &primary,
            "GET",
            &format!("management/subaccount/{id}.json"),
            "",
            None
        ))["id"],
        id
    );
    // POST updates as PUT does; a body that is not JSON is 000002, a body of the wrong shape 000001.
    ok(&call(
        addr,
        &primary,
        "POST",
        &format!("management/subaccount/{id}"),
        "",
        Some(r#"{"enabled":1}"#),
    ));
    assert_code(
        &call(
            addr,
            &primary,
            "PUT",
            &format!("management/subaccount/{id}"),
            "",
            Some("{"),
        ),
        "000002",
        "未知错误",
    );
    assert_code(
        &call(
            addr,
            &primary,
            "PUT",
            &format!("management/subaccount/{id}"),
            "",
            Some(r#"{"enabled":"yes"}"#),
        ),
        "000001",
        "参数错误",
    );
    assert_code(
        &call(
            addr,
            &primary,
            "POST",
            "management/subaccount",
            "",
            Some(r#"{"quotas":[1]}"#),
        ),
        "000001",
        "参数错误",
    );
    assert_code(
        &call(
            addr,
            &primary,
            "POST",
            "management/subaccount",
            "",
            Some(r#"{"quotas":[null]}"#),
        ),
        "000002",
        "未知错误",
    );
    // An unknown quota type fails the whole creation: nothing is made.
    let before = ok(&call(
        addr,
        &primary,
        "GET",
        "management/subaccount",
        "",
        None,
    ))["result"]
        .as_array()
        .unwrap()
        .len();
    assert_code(
        &call(
            addr,
            &primary,
            "POST",
            "management/subaccount",
            "",
            Some(r#"{"quotas":[{"type":"CallQuota","value":1},{"type":"X","value":1}]}"#),
        ),
        "000002",
        "未知错误",
    );
    let after = ok(&call(
        addr,
        &primary,
        "GET",
        "management/subaccount",
        "",
        None,
    ))["result"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after);
    // A blank type is skipped; the first row of a type wins; a null non-call value is -1 (reads 0).
    let made = ok(&call(
        addr,
        &primary,
        "POST",
        "management/subaccount",
        "",
        Some(
            r#"{"quotas":[{"type":" ","value":1},{"type":"AgentQuota","value":120},{"type":"AgentQuota","value":600},{"type":"SmsQuota"}]}"#,
        ),
    ));
    assert_eq!(
        made["quotas"],
        json!([{"type": "AgentQuota", "value": 2}, {"type": "CallQuota", "value": 0}, {"type": "SmsQuota", "value": 0}])
    );
}

fn substitute(v: &Value, sub: &str, telnum: &str) -> Value {
    match v {
        Value::String(s) => Value::String(
            s.replace("$SUB", sub)
                .replace("$TELNUM", telnum)
                .replace("$UNKNOWN", UNKNOWN),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|i| substitute(i, sub, telnum)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, sub, telnum)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn every_case_of_the_shared_table_on_the_wire() {
    let table: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/cases/management.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let telnum = table["telnum_id"].as_str().unwrap();
    assert_eq!(table["unknown_id"], UNKNOWN);
    let cases = table["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let sb = Sandbox::builder().start().unwrap();
        let addr = sb.local_addr();
        let primary = Creds::of(&sb);
        let sub = if case["needs"] == "sub" {
            ok(&call(
                addr,
                &primary,
                "POST",
                "management/subaccount",
                "",
                Some("{}"),
            ))["id"]
                .as_str()
                .unwrap()
                .to_owned()
        } else {
            String::new()
        };
        let wire = substitute(&case["wire"], &sub, telnum);
        let body = (!wire["body"].is_null()).then(|| wire["body"].to_string());
        let r = call(
            addr,
            &primary,
            wire["method"].as_str().unwrap(),
            wire["path"].as_str().unwrap(),
            wire["query"].as_str().unwrap(),
            body.as_deref(),
        );
        let name = case["name"].as_str().unwrap();
        let server = case["server"].as_str().unwrap();
        if server.len() == 3 {
            assert_eq!(r.status.to_string(), server, "{name}");
            continue;
        }
        assert_eq!(r.status, 200, "{name}: {}", r.text());
        let v = r.json();
        assert_eq!(v["code"], server, "{name}: {v}");
        if let Some(expected) = case.get("data") {
            let expected = substitute(expected, &sub, telnum);
            match &expected {
                Value::Object(map) => {
                    for (k, want) in map {
                        assert_eq!(&v["data"][k], want, "{name}: {k} in {v}");
                    }
                }
                _ => assert_eq!(v["data"], expected, "{name}"),
            }
        }
    }
}

#[test]
fn ivr_calls_are_billed_to_the_quota_and_conferences_check_it() {
    let sb = Sandbox::builder().time_scale(200.0).start().unwrap();
    let addr = sb.local_addr();
    let primary = Creds::of(&sb);
    let body = r#"{"quotas":[{"type":"CallQuota","value":0}]}"#;
    let made = ok(&call(
        addr,
        &primary,
        "POST",
        "management/subaccount",
        "",
        Some(body),
    ));
    let sub = creds_of(&sb, &made);
    let ivr = r#"{"to":"13800000001","max_call_duration":600}"#;
    // A quota of 0 refuses only once something is used: the first call goes through.
    let id = place(addr, &sub, "ivr_call", ivr);
    assert!(sb.wait_for_end(&id, Duration::from_secs(20)).is_some());
    assert!(sb.call(&id).unwrap().timeline.len() > 1);
    assert_code(&post(addr, &sub, "ivr_call", ivr), "010006", "配额不足");
    // The conference service checks the same quota.
    let conf = call(
        addr,
        &sub,
        "POST",
        "conf/create",
        "",
        Some(r#"{"max_duration":600}"#),
    );
    assert_code(&conf, "010006", "配额不足");
    ok(&call(
        addr,
        &primary,
        "POST",
        "conf/create",
        "",
        Some(r#"{"max_duration":600}"#),
    ));
    // An unanswered call costs nothing.
    let made = ok(&call(
        addr,
        &primary,
        "POST",
        "management/subaccount",
        "",
        Some(body),
    ));
    let sub = creds_of(&sb, &made);
    let unanswered = r#"{"to":"13900000001","max_call_duration":600}"#;
    let id = place(addr, &sub, "ivr_call", unanswered);
    assert!(sb.wait_for_end(&id, Duration::from_secs(20)).is_some());
    place(addr, &sub, "ivr_call", ivr);
}

#[test]
fn an_inbound_call_to_a_bound_number_belongs_to_its_sub_account() {
    let sb = Sandbox::builder().time_scale(200.0).start().unwrap();
    let addr = sb.local_addr();
    let primary = Creds::of(&sb);
    let numbers = ok(&call(addr, &primary, "GET", "management/telnum", "", None));
    let number = numbers["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["telnum"] == "02088880000")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Not bound: the primary account's call.
    let id = sb.inbound_call("13600000001", "02088880000").unwrap();
    assert_eq!(sb.call(&id).unwrap().subaccount_id, None);
    let made = ok(&call(
        addr,
        &primary,
        "POST",
        "management/subaccount",
        "",
        Some("{}"),
    ));
    let sub = made["id"].as_str().unwrap();
    let bind = json!({ "subaccountId": sub }).to_string();
    ok(&call(
        addr,
        &primary,
        "POST",
        &format!("management/telnum/{number}/subaccount"),
        "",
        Some(&bind),
    ));
    let id = sb.inbound_call("13600000001", "02088880000").unwrap();
    assert_eq!(sb.call(&id).unwrap().subaccount_id.as_deref(), Some(sub));
    // Disabled: the platform ignores the call.
    ok(&call(
        addr,
        &primary,
        "PUT",
        &format!("management/subaccount/{sub}"),
        "",
        Some(r#"{"enabled":0}"#),
    ));
    let err = sb.inbound_call("13600000001", "02088880000").unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
    assert!(err.to_string().contains("disabled"), "{err}");
    // Bound to an id that is no sub-account (the bind does not check it): ignored too.
    ok(&call(
        addr,
        &primary,
        "DELETE",
        &format!("management/{number}/subaccount"),
        &format!("subaccountId={sub}"),
        None,
    ));
    ok(&call(
        addr,
        &primary,
        "POST",
        &format!("management/telnum/{number}/subaccount"),
        "",
        Some(r#"{"subaccountId":"nobody"}"#),
    ));
    let err = sb.inbound_call("13600000001", "02088880000").unwrap_err();
    assert!(err.to_string().contains("does not exist"), "{err}");
    // Another number of the app is unaffected.
    assert!(sb.inbound_call("13600000001", "02088880001").is_ok());
}
