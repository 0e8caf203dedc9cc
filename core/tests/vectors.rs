//! The shared vectors in `tests/vectors/`, which every language's tests load.

use serde_json::Value;
use yunhuni::{sign, string_to_sign, Event, SignInput};

fn load(name: &str) -> Value {
    let path = format!("{}/../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).unwrap()
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn signing_vectors() {
    let doc = load("signing.json");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 30, "only {} signing cases", cases.len());
    for case in cases {
        let s = |k: &str| case[k].as_str().unwrap_or_else(|| panic!("{k} in {case}"));
        let body = hex_decode(s("body_hex"));
        assert_eq!(body, s("body").as_bytes(), "{}", s("name"));
        let input = SignInput {
            method: s("method"),
            uri: s("uri"),
            content_type: s("content_type"),
            timestamp: s("timestamp"),
            app_id: s("app_id"),
            body: &body,
        };
        assert_eq!(
            string_to_sign(&input),
            s("string_to_sign"),
            "string_to_sign of {}",
            s("name")
        );
        assert_eq!(
            sign(&input, s("secret_key")),
            s("signature"),
            "signature of {}",
            s("name")
        );
        if !s("content_md5").is_empty() {
            assert_eq!(
                yunhuni::content_md5(&body),
                s("content_md5"),
                "{}",
                s("name")
            );
        }
    }
    let names: Vec<&str> = cases.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"known-answer-post") && names.contains(&"known-answer-get"));
}

#[test]
fn event_vectors() {
    let doc = load("events.json");
    let cases = doc["cases"].as_array().unwrap();
    let mut seen = std::collections::BTreeMap::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let body = hex_decode(case["body_hex"].as_str().unwrap());
        let expect = &case["expect"];
        let got = Event::parse(&body);
        if expect.get("type").is_none() {
            let err = got.expect_err(name);
            assert_eq!(
                err.kind().as_str(),
                expect["error"].as_str().unwrap(),
                "{name}"
            );
        } else {
            let event = got.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(event.to_value(), *expect, "{name}");
            assert_eq!(event.name(), expect["event"].as_str().unwrap(), "{name}");
            assert!(!event.raw_json().is_empty());
        }
        *seen
            .entry(case["source"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    for source in ["server", "docs", "malformed"] {
        assert!(
            seen.get(source).copied().unwrap_or(0) > 0,
            "no {source} cases: {seen:?}"
        );
    }
}

#[test]
fn timestamp_is_utc_plus_8_whatever_tz() {
    // Ask the system's `date` (an independent clock formatter) for Asia/Shanghai time while
    // this process runs with a very different TZ.
    std::env::set_var("TZ", "America/Los_Angeles");
    for _ in 0..5 {
        let ours = yunhuni::timestamp_now();
        let out = std::process::Command::new("date")
            .env("TZ", "Asia/Shanghai")
            .arg("+%Y%m%d%H%M%S")
            .output()
            .expect("date");
        let theirs = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        if ours == theirs {
            return;
        }
        // A second boundary fell between the two readings; try again.
    }
    panic!("timestamp_now() never matched Asia/Shanghai time");
}

/// Builds the request of a `requests.json` case, validates it, and returns the JSON body.
fn request_body(operation: &str, p: &Value) -> yunhuni::Result<String> {
    let fields = p.as_object().unwrap().clone();
    let request = yunhuni::Request::from_fields(operation, fields, yunhuni::Casing::Snake)?;
    let wire = request.to_wire()?;
    Ok(String::from_utf8(wire.body.unwrap_or_default()).unwrap())
}

#[test]
fn request_vectors() {
    let doc = load("requests.json");
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 30);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let got = request_body(case["operation"].as_str().unwrap(), &case["params"]);
        let expect = &case["expect"];
        match (got, expect.get("body")) {
            (Ok(body), Some(want)) => assert_eq!(body, want.as_str().unwrap(), "{name}"),
            (Err(e), None) => {
                assert_eq!(
                    e.kind().as_str(),
                    expect["error"].as_str().unwrap(),
                    "{name}"
                );
                assert_eq!(e.field(), expect["field"].as_str(), "{name}: {e}");
            }
            (got, _) => panic!("{name}: got {got:?}, expected {expect}"),
        }
    }
}
