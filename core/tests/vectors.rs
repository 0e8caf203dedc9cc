//! The shared vectors in `tests/vectors/`, which every language's tests load.

use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;
use yunhuni::{sign, string_to_sign, Casing, Client, Event, Request, SignInput};

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

/// The `requests.json` cases, checked to have the shape the README describes.
fn request_cases() -> Vec<Value> {
    let doc = load("requests.json");
    let cases = doc["cases"].as_array().unwrap().clone();
    assert!(cases.len() >= 300, "only {} request cases", cases.len());
    for case in &cases {
        let expect = &case["expect"];
        let keys: Vec<&str> = expect
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut keys = keys;
        keys.sort_unstable();
        assert!(
            keys == ["body", "method", "path", "query"] || keys == ["error", "field"],
            "{}: expect has {keys:?}",
            case["name"]
        );
    }
    cases
}

fn params(case: &Value) -> serde_json::Map<String, Value> {
    case["params"].as_object().unwrap().clone()
}

/// What core lays on the wire for a case, in the vectors' form.
fn wire_of(case: &Value) -> yunhuni::Result<Value> {
    let op = case["operation"].as_str().unwrap();
    let wire = Request::from_fields(op, params(case), Casing::Snake)?.to_wire()?;
    let body = wire
        .body
        .map(|b| Value::String(String::from_utf8(b).expect("UTF-8 body")));
    Ok(json!({
        "method": wire.method.as_str(),
        "path": wire.path,
        "query": wire.query,
        "body": body.unwrap_or(Value::Null),
    }))
}

/// Compares an outcome with `expect`; `Some(reason)` when they differ.
fn differs(got: yunhuni::Result<Value>, expect: &Value) -> Option<String> {
    match (got, expect.get("error")) {
        (Ok(got), None) if got == *expect => None,
        (Ok(got), None) => Some(format!("sent {got}, expected {expect}")),
        (Err(e), Some(kind)) => {
            let same = e.kind().as_str() == kind.as_str().unwrap()
                && e.field() == expect["field"].as_str();
            (!same).then(|| {
                format!(
                    "refused {:?} at {:?} ({e}), expected {expect}",
                    e.kind(),
                    e.field()
                )
            })
        }
        (Ok(got), Some(_)) => Some(format!("sent {got}, expected {expect}")),
        (Err(e), None) => Some(format!(
            "refused at {:?} ({e}), expected {expect}",
            e.field()
        )),
    }
}

#[test]
fn request_vectors() {
    let cases = request_cases();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            differs(wire_of(case), &case["expect"]).map(|why| format!("{}: {why}", case["name"]))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} request vectors differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// Every operation of core's table has a vector that goes out, and no vector names an
/// operation core does not know.
#[test]
fn request_vectors_cover_every_operation() {
    let cases = request_cases();
    for op in yunhuni::ops::OPERATIONS {
        assert!(
            cases.iter().any(|c| {
                c["expect"].get("method").is_some()
                    && yunhuni::ops::operation(c["operation"].as_str().unwrap())
                        .is_some_and(|o| o.name == op.name)
            }),
            "no request vector sends {}",
            op.name
        );
    }
    assert_eq!(yunhuni::ops::OPERATIONS.len(), 73);
}

/// One request as the stub received it.
struct Received {
    line: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

const ANSWER: &[u8] = br#"{"code":"000000","msg":"ok","data":null}"#;

/// A loopback server that records every request (kept-alive connections included) and answers
/// each with a success envelope whose data is null.
fn recording_stub() -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let tx = tx.clone();
            std::thread::spawn(move || serve_connection(stream, tx));
        }
    });
    (url, rx)
}

fn serve_connection(mut stream: TcpStream, tx: mpsc::Sender<Received>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        // One request: the head up to the blank line, then Content-Length bytes of body.
        let head_end = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8(buf[..head_end].to_vec()).expect("ASCII head");
        let mut lines = head.split("\r\n");
        let line = lines.next().unwrap_or_default().to_owned();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let length = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map_or(0, |(_, v)| v.parse::<usize>().unwrap());
        while buf.len() < head_end + 4 + length {
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buf[head_end + 4..head_end + 4 + length].to_vec();
        buf.drain(..head_end + 4 + length);
        let _ = tx.send(Received {
            line,
            headers,
            body,
        });
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: {}\r\n\r\n",
            ANSWER.len()
        );
        if stream.write_all(reply.as_bytes()).is_err() || stream.write_all(ANSWER).is_err() {
            return;
        }
    }
}

const APP: &str = "0123456789abcdef0123456789abcdef";
const CERT: &str = "fedcba9876543210fedcba9876543210";
const SECRET: &str = "00112233445566778899aabbccddeeff";

/// Checks what the stub received for a case that goes out: the request line, the body, and a
/// signature that verifies as the server computes it.
fn check_received(name: &str, got: &Received, expect: &Value) -> Result<(), String> {
    let method = expect["method"].as_str().unwrap();
    let query = expect["query"].as_str().unwrap();
    let path = format!("/v1/account/{CERT}/{}", expect["path"].as_str().unwrap());
    let target = if query.is_empty() {
        path.clone()
    } else {
        format!("{path}?{query}")
    };
    let line = format!("{method} {target} HTTP/1.1");
    if got.line != line {
        return Err(format!(
            "{name}: request line {:?}, expected {line:?}",
            got.line
        ));
    }
    let body = expect["body"].as_str().unwrap_or_default().as_bytes();
    if got.body != body {
        return Err(format!(
            "{name}: body {:?}, expected {:?}",
            String::from_utf8_lossy(&got.body),
            expect["body"]
        ));
    }
    let has_content = matches!(method, "POST" | "PUT");
    let content_type = got.header("Content-Type").unwrap_or_default();
    if has_content && content_type.is_empty() {
        return Err(format!("{name}: {method} without a Content-Type"));
    }
    if got.header("AppID") != Some(APP) || got.header("CertID") != Some(CERT) {
        return Err(format!("{name}: AppID/CertID headers {:?}", got.headers));
    }
    // Verify as the server does: the path as received (no query), the body as received.
    let uri = got.line.split(' ').nth(1).unwrap_or_default();
    let input = SignInput {
        method,
        uri: uri.split('?').next().unwrap_or_default(),
        content_type: if has_content { content_type } else { "" },
        timestamp: got.header("Timestamp").unwrap_or_default(),
        app_id: APP,
        body: &got.body,
    };
    let want = sign(&input, SECRET);
    if got.header("Signature") != Some(want.as_str()) {
        return Err(format!(
            "{name}: signature {:?} does not verify (expected {want})",
            got.header("Signature")
        ));
    }
    Ok(())
}

/// Every case through `Client::call` to a recording stub: what goes out arrives exactly as the
/// vector says and signed so that it verifies; what is refused sends nothing.
#[test]
fn request_vectors_through_the_client() {
    let cases = request_cases();
    let (url, received) = recording_stub();
    let client = Client::builder(APP, CERT, SECRET)
        .base_url(url)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let op = case["operation"].as_str().unwrap();
        let expect = &case["expect"];
        let result = client.call(op, params(case), Casing::Snake);
        match (result, expect.get("error")) {
            (Ok(data), None) => {
                assert_eq!(data, Value::Null, "{name}");
                match received.recv_timeout(Duration::from_secs(10)) {
                    Ok(got) => {
                        if let Err(why) = check_received(name, &got, expect) {
                            failures.push(why);
                        }
                    }
                    Err(_) => failures.push(format!("{name}: nothing arrived")),
                }
            }
            (Err(e), Some(kind)) => {
                if e.kind().as_str() != kind.as_str().unwrap()
                    || e.field() != expect["field"].as_str()
                {
                    failures.push(format!(
                        "{name}: refused at {:?} ({e}), expected {expect}",
                        e.field()
                    ));
                }
            }
            (Ok(_), Some(_)) => {
                failures.push(format!("{name}: sent, expected {expect}"));
                let _ = received.recv_timeout(Duration::from_secs(10));
            }
            (Err(e), None) => failures.push(format!("{name}: {e}, expected {expect}")),
        }
        if let Ok(extra) = received.try_recv() {
            failures.push(format!(
                "{name}: an extra request arrived: {:?}",
                extra.line
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} request vectors differ through the client:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
