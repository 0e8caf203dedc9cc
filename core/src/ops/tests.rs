use super::*;
use serde_json::json;

fn field_of(r: Result<()>) -> String {
    r.unwrap_err().field().unwrap().to_owned()
}

#[test]
fn seventy_three_operations_with_unique_names_and_fields() {
    assert_eq!(OPERATIONS.len(), 73);
    let mut names: Vec<_> = OPERATIONS.iter().map(|o| o.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), 73);
    for op in OPERATIONS {
        let mut fields: Vec<_> = op.fields.iter().map(|f| f.name).collect();
        fields.sort_unstable();
        fields.dedup();
        assert_eq!(fields.len(), op.fields.len(), "{}", op.name);
        for f in op.fields {
            assert!(!f.doc.is_empty(), "{}.{} has no doc", op.name, f.name);
            if matches!(f.location, Location::Path | Location::PathAndQuery(_)) {
                assert!(op.path.contains(&format!("{{{}}}", f.wire)), "{}", op.name);
            }
        }
        for placeholder in op.path.split('{').skip(1) {
            let wire = placeholder.split('}').next().unwrap();
            assert!(
                op.fields.iter().any(|f| f.wire == wire),
                "{}: {wire}",
                op.name
            );
        }
        if !op.method.has_content() {
            assert_eq!(op.body, BodyKind::None, "{}", op.name);
        }
    }
    assert_eq!(
        operation("cancel_duo_callback").unwrap().name,
        "duo_callback_cancel"
    );
}

#[test]
fn casing() {
    assert_eq!(Casing::Camel.name("max_call_duration"), "maxCallDuration");
    assert_eq!(Casing::Camel.name("to1"), "to1");
    assert_eq!(Casing::Python.name("from"), "from_");
    assert_eq!(Casing::Python.name("to"), "to");
    assert_eq!(
        Casing::Camel.path("skills[0].max_score"),
        "skills[0].maxScore"
    );
}

#[test]
fn types_are_checked_as_they_are_set() {
    let mut r = Request::new("conf_create").unwrap();
    assert_eq!(
        r.set("max_duration", "60").unwrap_err().message(),
        "max_duration: expected an integer, got a string"
    );
    assert_eq!(
        r.set("max_duration", 60.5).unwrap_err().field(),
        Some("max_duration")
    );
    assert!(r.set("max_duration", 60.0).is_ok());
    assert_eq!(r.get("max_duration"), Some(&json!(60)));
    assert_eq!(
        r.set("recording", 1).unwrap_err().field(),
        Some("recording")
    );
    assert_eq!(r.set("nope", 1).unwrap_err().field(), Some("nope"));
    assert_eq!(
        r.set("max_duration", 1i64 << 31).unwrap_err().field(),
        Some("max_duration")
    );
    // null unsets
    r.set("max_duration", Value::Null).unwrap();
    assert_eq!(r.get("max_duration"), None);
    assert_eq!(Request::new("nope").unwrap_err().field(), Some("operation"));
}

#[test]
fn errors_name_fields_in_the_callers_casing() {
    let e = Request::from_fields(
        "duo_callback",
        [("maxCallDuration", json!("x"))],
        Casing::Camel,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("maxCallDuration"));
    assert_eq!(e.detail(), "expected an integer, got a string");
    let e = Request::from_fields(
        "duo_callback",
        [("max_call_duration", json!(1))],
        Casing::Camel,
    )
    .unwrap_err();
    assert_eq!(e.field(), Some("max_call_duration"));
    assert!(e.message().contains("maxCallDuration"), "{}", e.message());
    let r = Request::from_fields(
        "agent_login",
        [
            ("name", json!("a")),
            ("extension", json!("e")),
            ("skills", json!([{"score": 3}])),
        ],
        Casing::Camel,
    )
    .unwrap();
    assert_eq!(field_of(r.validate_cased(Casing::Camel)), "skills[0].name");
    let e = Request::from_fields("notify_call", [("from_", json!(1))], Casing::Python).unwrap_err();
    assert_eq!(e.field(), Some("from_"));
}

#[test]
fn wire_layout() {
    let w = Request::new("ext_list")
        .unwrap()
        .with("page_size", 50)
        .unwrap()
        .to_wire()
        .unwrap();
    assert_eq!(
        (w.method, w.path.as_str(), w.query.as_str()),
        (Method::Get, "callcenter/extension", "pageSize=50")
    );
    assert_eq!(w.body, None);

    let w = Request::new("subaccount_delete")
        .unwrap()
        .with("subaccount_id", "ab c")
        .unwrap()
        .to_wire()
        .unwrap();
    assert_eq!(w.path, "management/subaccount/ab%20c");
    assert_eq!(w.query, "subaccountId=ab%20c");

    let w = Request::new("conf_start_record")
        .unwrap()
        .with("conf_id", "c1")
        .unwrap()
        .to_wire()
        .unwrap();
    assert_eq!(w.body.as_deref(), Some(&b"{}"[..]));
    let w = Request::new("conf_start_record")
        .unwrap()
        .with("conf_id", "c1")
        .unwrap()
        .with("max_duration", 30)
        .unwrap()
        .to_wire()
        .unwrap();
    assert_eq!(w.body.as_deref(), Some(&br#"{"max_duration ":30}"#[..]));

    let w = Request::new("conversation_invite_out")
        .unwrap()
        .with("conversation_id", "v")
        .unwrap()
        .with("to", "13800000001")
        .unwrap()
        .with("max_answer_seconds", 60)
        .unwrap()
        .to_wire()
        .unwrap();
    assert_eq!(
        String::from_utf8(w.body.unwrap()).unwrap(),
        r#"{"to":"13800000001","max_call_duration":60}"#
    );

    let w = Request::new("agent_set_skills")
        .unwrap()
        .with("agent_name", "alice")
        .unwrap()
        .with(
            "opts",
            json!([{"enabled": true, "name": "sales", "opt": 1}]),
        )
        .unwrap()
        .to_wire()
        .unwrap();
    assert_eq!(
        String::from_utf8(w.body.unwrap()).unwrap(),
        r#"{"opts":[{"opt":1,"name":"sales","enabled":true}]}"#
    );
    let w = Request::new("conf_dismiss")
        .unwrap()
        .with("conf_id", "x")
        .unwrap()
        .to_wire()
        .unwrap();
    assert_eq!(w.body, None);
}

#[test]
fn rules() {
    let get = |name: &str, value: Value| {
        Request::new("agent_get")
            .unwrap()
            .with(name, value)
            .unwrap()
            .validate()
    };
    assert!(get("agent_name", json!("alice")).is_ok());
    assert_eq!(field_of(get("agent_name", json!("a.b"))), "agent_name");
    assert_eq!(field_of(get("agent_name", json!("a/b"))), "agent_name");
    assert_eq!(field_of(get("agent_name", json!(" "))), "agent_name");
    assert_eq!(
        field_of(Request::new("agent_get").unwrap().validate()),
        "agent_name"
    );
    // a dot is fine in a segment that is not the last
    let r = Request::new("agent_keepalive")
        .unwrap()
        .with("agent_name", "a.b")
        .unwrap();
    assert!(r.validate().is_ok());

    let list = |size: i64| {
        Request::new("ext_list")
            .unwrap()
            .with("page_size", size)
            .unwrap()
            .validate()
    };
    assert!(list(1000).is_ok());
    assert_eq!(field_of(list(1001)), "page_size");
    assert_eq!(field_of(list(0)), "page_size");

    let sub = |url: &str| {
        Request::new("subaccount_create")
            .unwrap()
            .with("callback_url", url)
            .unwrap()
            .validate()
    };
    assert!(sub("https://example.com/hook?x=1").is_ok());
    assert!(sub("a_b://x").is_ok());
    assert_eq!(field_of(sub("example.com")), "callback_url");
    assert_eq!(field_of(sub("https://a b")), "callback_url");
    assert_eq!(field_of(sub("1http://a")), "callback_url");

    let sms = |m: &str| {
        Request::new("sms_send")
            .unwrap()
            .with("mobile", m)
            .unwrap()
            .with("temp_id", "t")
            .unwrap()
            .validate()
    };
    assert!(sms(" 13800000000 ").is_ok());
    assert_eq!(field_of(sms("23800000000")), "mobile");
    assert_eq!(field_of(sms("1380000000")), "mobile");

    let state = |s: &str| {
        Request::new("agent_set_state")
            .unwrap()
            .with("agent_name", "a")
            .unwrap()
            .with("state", s)
            .unwrap()
            .validate()
    };
    assert!(state("busy/lunch").is_ok());
    assert!(state("idle").is_ok());
    assert_eq!(field_of(state("online")), "state");
    assert!(state("busy").is_ok());
    assert_eq!(field_of(state("busy-ish")), "state");

    let ext = |fields: Value| {
        Request::from_fields(
            "ext_create",
            fields.as_object().unwrap().clone(),
            Casing::Snake,
        )
        .unwrap()
        .validate()
    };
    assert!(ext(json!({"type": "1", "user": "123456", "password": "654321"})).is_ok());
    assert_eq!(
        field_of(ext(
            json!({"type": "1", "user": "12345", "password": "654321"})
        )),
        "user"
    );
    assert_eq!(field_of(ext(json!({"type": "4"}))), "type");
    assert_eq!(field_of(ext(json!({"type": "3"}))), "telnum");
}

#[test]
fn set_text_reads_the_declared_type() {
    let mut r = Request::new("conf_start_play").unwrap();
    r.set_text("files", "a.wav,b.wav").unwrap();
    assert_eq!(r.get("files"), Some(&json!(["a.wav", "b.wav"])));
    r.set_text("files", r#"["a,b.wav"]"#).unwrap();
    assert_eq!(r.get("files"), Some(&json!(["a,b.wav"])));
    let mut r = Request::new("conf_create").unwrap();
    r.set_text("max_duration", "60").unwrap();
    r.set_text("recording", "true").unwrap();
    assert_eq!(
        r.set_text("max_duration", "x").unwrap_err().field(),
        Some("max_duration")
    );
    assert_eq!(
        r.set_text("recording", "yes").unwrap_err().field(),
        Some("recording")
    );
}

#[test]
fn bodies_are_ascii_with_escapes() {
    let w = Request::new("duo_callback_cancel")
        .unwrap()
        .with("call_id", "订单-42 😀 café")
        .unwrap()
        .to_wire()
        .unwrap();
    assert_eq!(
        String::from_utf8(w.body.unwrap()).unwrap(),
        r#"{"callId":"\u8ba2\u5355-42 \ud83d\ude00 caf\u00e9"}"#
    );
}

#[test]
fn whole_numbers_beyond_any_integer_are_out_of_range() {
    let mut r = Request::new("conf_create").unwrap();
    for v in [
        json!(u64::MAX),
        json!(1e20),
        json!(9_007_199_254_740_993u64),
    ] {
        let e = r.set("max_duration", v).unwrap_err();
        assert!(e.message().contains("does not fit"), "{}", e.message());
    }
    let e = r.set("max_duration", json!(1.5)).unwrap_err();
    assert_eq!(
        e.detail(),
        "expected an integer, got a number with a fraction"
    );
}
