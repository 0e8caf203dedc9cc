//! Bounded hostile-input runs with fixed seeds: events, requests built from random fields, and a
//! server that answers garbage. Each run prints its counts.
//!
//! `YUNHUNI_HOSTILE_SCALE` multiplies the counts (default 1: a few seconds in all) and
//! `YUNHUNI_HOSTILE_SEED` changes the seed; `bench/hostile` runs them longer.

use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex, Once};
use std::thread;
use std::time::{Duration, Instant};
use yunhuni::events::TIME_RANGE_MS;
use yunhuni::ops::{Field, Operation, Rule, Type, OPERATIONS};
use yunhuni::{Casing, Client, ErrorKind, Event, Request};

const SECRET: &str = "hostile-secret-0123456789abcdef";

/// How many times the default counts to run (`YUNHUNI_HOSTILE_SCALE`, default 1).
fn scale() -> usize {
    std::env::var("YUNHUNI_HOSTILE_SCALE")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .filter(|&n| n >= 1)
        .unwrap_or(1)
}

/// The seed of every run (`YUNHUNI_HOSTILE_SEED`, default fixed).
fn seed() -> u64 {
    std::env::var("YUNHUNI_HOSTILE_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0x5eed_1234_abcd_0042)
}

/// splitmix64: small, fast, the same sequence everywhere for a seed.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Records of the `log` facade with target `yunhuni`, checked as they come: none may show a
/// secret or a control character.
struct CheckingLog {
    records: Mutex<(usize, Vec<String>)>,
}

impl log::Log for CheckingLog {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.target() == "yunhuni"
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let text = record.args().to_string();
        let mut records = self.records.lock().unwrap();
        records.0 += 1;
        if text.contains(SECRET) || text.chars().any(char::is_control) || text.len() > 2000 {
            records.1.push(text);
        }
    }

    fn flush(&self) {}
}

static LOG: CheckingLog = CheckingLog {
    records: Mutex::new((0, Vec::new())),
};

fn install_log() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&LOG).expect("the only logger");
        log::set_max_level(log::LevelFilter::Debug);
    });
}

/// Log records that broke the rules so far, and how many there were in all.
fn log_violations() -> (usize, Vec<String>) {
    let records = LOG.records.lock().unwrap();
    (records.0, records.1.clone())
}

/// A message as the SDK may show it: no secret, no control character, not huge.
fn check_message(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "{what}: the secret in {text:?}");
    assert!(
        !text.chars().any(char::is_control),
        "{what}: a control character in {text:?}"
    );
    assert!(
        text.len() <= 2000,
        "{what}: {} bytes of message",
        text.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Events

/// The bodies of the event vectors: what the platform really sends.
fn event_corpus() -> Vec<Vec<u8>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/events.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["body_hex"].as_str())
        .map(|hex| {
            (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect()
        })
        .collect()
}

const EVENT_KEYS: [&str; 20] = [
    "event",
    "action",
    "id",
    "subaccount_id",
    "begin_time",
    "answer_time1",
    "answer_time2",
    "answer_time",
    "end_time",
    "end_tinme",
    "hangup_by",
    "dropped_by",
    "duration",
    "reason",
    "error",
    "user_data",
    "record_file",
    "conf_id",
    "",
    "\u{0}",
];

const EVENT_NAMES: [&str; 8] = [
    "duo_callback.end",
    "notify_call.end",
    "verify_call.end",
    "ivr.start",
    "conf.end",
    "",
    "duo_callback.end\u{1b}[2J",
    "x",
];

/// A JSON fragment as text, at times one no encoder would write.
fn json_fragment(rng: &mut Rng, depth: usize) -> String {
    let scalars = [
        "null",
        "true",
        "false",
        "0",
        "-1",
        "1",
        "2",
        "253402300799999",
        "253402300800000",
        "-62135596800000",
        "9007199254740993",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775809",
        "1e400",
        "-1e400",
        "1.5",
        "1490930460000.0",
        "\"1490930460000\"",
        "\" 1490930460000 \"",
        "\"\"",
        "\"????\"",
        "\"\\u0000\"",
        "\"\\ud800\"",
        "\"\\udc00\\ud800\"",
        "\"\\u001b[2J\\u0007\"",
        "\"connect timeout\"",
        "\"connect error\"",
        "\"\u{e9}\u{8ba2}\"",
    ];
    match rng.below(if depth > 3 { 3 } else { 6 }) {
        0 | 1 => (*rng.pick(&scalars)).to_owned(),
        2 => format!("\"{}\"", rng.pick(&EVENT_NAMES).escape_default()),
        3 => {
            let items: Vec<String> = (0..rng.below(5))
                .map(|_| json_fragment(rng, depth + 1))
                .collect();
            format!("[{}]", items.join(","))
        }
        _ => json_object(rng, depth + 1),
    }
}

fn json_object(rng: &mut Rng, depth: usize) -> String {
    let mut parts = Vec::new();
    if rng.chance(80) {
        parts.push(format!("\"event\":\"{}\"", rng.pick(&EVENT_NAMES)));
    }
    for _ in 0..rng.below(10) {
        let key = rng.pick(&EVENT_KEYS);
        parts.push(format!(
            "{}:{}",
            serde_json::to_string(key).unwrap(),
            json_fragment(rng, depth)
        ));
    }
    format!("{{{}}}", parts.join(","))
}

/// One hostile event body.
fn hostile_event(rng: &mut Rng, corpus: &[Vec<u8>]) -> Vec<u8> {
    match rng.below(6) {
        0 => {
            let len = rng.below(600);
            rng.bytes(len)
        }
        1 | 2 => {
            // A real body, mutated: bytes changed, inserted, removed, then maybe cut.
            let mut body = rng.pick(corpus).clone();
            for _ in 0..1 + rng.below(6) {
                if body.is_empty() {
                    break;
                }
                let at = rng.below(body.len());
                match rng.below(3) {
                    0 => body[at] = rng.next() as u8,
                    1 => body.insert(at, *rng.pick(b"{}[]\",:\\0-e.\x1b\xff\xc3")),
                    _ => {
                        body.remove(at);
                    }
                }
            }
            if rng.chance(30) && !body.is_empty() {
                body.truncate(rng.below(body.len()));
            }
            body
        }
        3 | 4 => json_object(rng, 0).into_bytes(),
        _ => {
            // Deep nesting, or Latin-1 bytes inside a string.
            if rng.chance(50) {
                let depth = 1 + rng.below(20_000);
                let open = if rng.chance(50) { "[" } else { "{\"a\":" };
                open.repeat(depth).into_bytes()
            } else {
                let mut body = b"{\"event\":\"duo_callback.end\",\"user_data\":\"".to_vec();
                let len = rng.below(64);
                body.extend(rng.bytes(len).into_iter().map(|b| b | 0x80));
                body.extend_from_slice(b"\",\"id\":\"x\"}");
                body
            }
        }
    }
}

#[test]
fn hostile_events_never_panic() {
    install_log();
    let corpus = event_corpus();
    assert!(!corpus.is_empty());
    let inputs = 6000 * scale();
    let mut rng = Rng::new(seed());
    let (mut ok, mut refused, mut panics) = (0usize, 0usize, Vec::new());
    for i in 0..inputs {
        let body = hostile_event(&mut rng, &corpus);
        let result = catch_unwind(|| {
            let parsed = Event::parse(&body);
            if let Ok(event) = &parsed {
                let _ = (event.to_value(), event.raw_json(), event.id(), event.name());
                if let Event::DuoCallbackEnd(e) = event {
                    let _ = (e.outcome(), e.hung_up_by());
                    assert!(e.talk_seconds() >= 0);
                    for t in [e.begin_time, e.answer_time1, e.answer_time2, e.end_time]
                        .into_iter()
                        .flatten()
                    {
                        assert!(TIME_RANGE_MS.contains(&t), "time {t} accepted");
                    }
                }
            }
            parsed
        });
        match result {
            Ok(Ok(_)) => ok += 1,
            Ok(Err(e)) => {
                refused += 1;
                assert_eq!(e.kind(), ErrorKind::Decode, "input {i}: {e}");
                check_message(&format!("event input {i}"), &e.to_string());
            }
            Err(_) => panics.push(i),
        }
    }
    println!(
        "hostile events: seed {} inputs {inputs} parsed {ok} refused {refused} panics {}",
        seed(),
        panics.len()
    );
    assert!(panics.is_empty(), "panics on inputs {panics:?}");
    assert!(ok > inputs / 10 && refused > inputs / 10, "{ok} {refused}");
    let (_, bad) = log_violations();
    assert!(bad.is_empty(), "log records: {bad:?}");
}

// ---------------------------------------------------------------------------------------------
// Requests from random fields

/// Strings that reach the corners of the server's rules.
fn hostile_string(rng: &mut Rng, op: &Operation) -> String {
    let mut allowed: Vec<&str> = Vec::new();
    for f in op.fields {
        for rule in f.rules {
            match rule {
                Rule::OneOf(values) | Rule::OneOfOrPrefix(values, _) => allowed.extend(*values),
                _ => {}
            }
        }
    }
    match rng.below(12) {
        0 if !allowed.is_empty() => (*rng.pick(&allowed)).to_owned(),
        1 => format!("1{}", 3_800_000_000u64 + rng.below(100_000_000) as u64),
        2 => "x".repeat(rng.below(300)),
        3 => "\u{4e2d}".repeat(rng.below(200)),
        4 => {
            let len = rng.below(40);
            String::from_utf8_lossy(&rng.bytes(len)).into_owned()
        }
        5 => "y".repeat(100_000),
        _ => (*rng.pick(&[
            "",
            " ",
            "\u{3000}",
            "\t\r\n",
            "0",
            "-1",
            "1",
            "13800000001",
            "075500000001",
            "http://example.com/a?b=c#d",
            "https://",
            "file:hello.wav",
            "a,b,c",
            "[1,2]",
            "{}",
            "\u{1b}[2J\u{7}",
            "\u{0}",
            "\u{202e}abc",
            "\u{1f642}",
            "%2F../..",
            "{extension_id}",
            "a/b?c=d&e",
            ".",
            "..",
            "true",
            "null",
            "9223372036854775808",
        ]))
        .to_owned(),
    }
}

fn hostile_value(rng: &mut Rng, op: &Operation, depth: usize) -> Value {
    match rng.below(if depth > 2 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => json!(*rng.pick(&[
            0i64,
            1,
            -1,
            2,
            5,
            8,
            60,
            300,
            21_600,
            21_601,
            i64::from(i32::MAX),
            i64::from(i32::MAX) + 1,
            i64::from(i32::MIN),
            i64::from(i32::MIN) - 1,
            i64::MAX,
            i64::MIN,
        ])),
        3 => match rng.below(5) {
            0 => json!(u64::MAX),
            1 => json!(1.5),
            2 => json!(1e300),
            3 => json!(-0.0),
            _ => json!(9_007_199_254_740_993u64),
        },
        4 => Value::String(hostile_string(rng, op)),
        5 | 6 => Value::Array(
            (0..rng.below(5))
                .map(|_| hostile_value(rng, op, depth + 1))
                .collect(),
        ),
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.below(4) {
                let key = match op.fields.get(rng.below(op.fields.len().max(1))) {
                    Some(f) if rng.chance(50) => f.name.to_owned(),
                    _ => hostile_string(rng, op),
                };
                map.insert(key, hostile_value(rng, op, depth + 1));
            }
            Value::Object(map)
        }
    }
}

fn hostile_key(rng: &mut Rng, op: &Operation, casing: Casing) -> String {
    let field: Option<&Field> = (!op.fields.is_empty()).then(|| rng.pick(op.fields));
    match (rng.below(10), field) {
        (0..=5, Some(f)) => casing.name(f.name).into_owned(),
        (6, Some(f)) => Casing::Camel.name(f.name).into_owned(),
        (7, Some(f)) => f.wire.to_owned(),
        _ => hostile_string(rng, op),
    }
}

/// A value that keeps to the field's type and, mostly, to its rules: near their limits, at
/// times one step past them.
fn plausible_value(rng: &mut Rng, field: &Field, op: &Operation) -> Value {
    let past = rng.chance(10);
    match field.ty {
        Type::Int => {
            let (mut min, mut max) = (0i64, 1000i64);
            for rule in field.rules {
                if let Rule::Range(lo, hi) = rule {
                    (min, max) = (*lo, *hi);
                }
            }
            let value = match rng.below(4) {
                0 => min,
                1 => max,
                2 => min + (max - min) / 2,
                _ => min.saturating_add(rng.below(10) as i64).min(max),
            };
            json!(if past { value.saturating_add(1) } else { value })
        }
        Type::Bool => json!(rng.chance(50)),
        Type::StrList => {
            let n = rng.below(4) + usize::from(!past);
            json!((0..n).map(|i| format!("f{i}.wav")).collect::<Vec<_>>())
        }
        Type::PlayRows => {
            let rows: Vec<Value> = (0..rng.below(3) + 1)
                .map(|_| {
                    json!([
                        *rng.pick(&["hello.wav", "3245.24", "2020-05-09", "12", "x"]),
                        rng.below(if past { 9 } else { 6 })
                    ])
                })
                .collect();
            Value::Array(rows)
        }
        Type::Objects(record) => {
            let items: Vec<Value> = (0..rng.below(3) + 1)
                .map(|_| {
                    let mut map = Map::new();
                    for f in record.fields {
                        if f.required || rng.chance(50) {
                            map.insert(f.name.to_owned(), plausible_value(rng, f, op));
                        }
                    }
                    Value::Object(map)
                })
                .collect();
            Value::Array(items)
        }
        Type::Str => {
            let mut text = "abc".to_owned();
            for rule in field.rules {
                text = match rule {
                    Rule::OneOf(values) => (*rng.pick(values)).to_owned(),
                    Rule::OneOfOrPrefix(values, prefixes) if rng.chance(50) => {
                        format!("{}x", rng.pick(prefixes))
                    }
                    Rule::OneOfOrPrefix(values, _) => (*rng.pick(values)).to_owned(),
                    Rule::Mobile => format!("1{}", 3_800_000_000u64 + rng.below(1000) as u64),
                    Rule::Url => "http://example.com/hook?a=1".to_owned(),
                    Rule::Digits(n) => "7".repeat(1 + rng.below(*n)),
                    Rule::MaxLen(n) if text.chars().count() > *n => text.chars().take(*n).collect(),
                    Rule::MaxLen(n) if past => "x".repeat(n + 1),
                    Rule::MinLen(n) if text.chars().count() < *n => "x".repeat(*n),
                    _ => text,
                };
            }
            Value::String(if past && rng.chance(50) {
                hostile_string(rng, op)
            } else {
                text
            })
        }
    }
}

/// Fields for `op`: every required one and some others, valid or nearly.
fn plausible_fields(rng: &mut Rng, op: &Operation, casing: Casing) -> Vec<(String, Value)> {
    let mut fields = Vec::new();
    for f in op.fields {
        if f.required || rng.chance(40) {
            let value = plausible_value(rng, f, op);
            fields.push((casing.name(f.name).into_owned(), value));
        }
    }
    fields
}

/// True when `named` is what an error about these fields may name: a key the caller gave, or
/// a declared field (in the caller's casing), alone or with an index or key after it.
fn names_a_field(named: &str, op: &Operation, casing: Casing, keys: &[String]) -> bool {
    let root = named.split(['[', '.']).next().unwrap_or(named);
    keys.iter().any(|k| k == named) || op.fields.iter().any(|f| casing.name(f.name) == root)
}

#[test]
fn requests_from_random_fields_never_panic_and_name_a_field() {
    install_log();
    let per_operation = 60 * scale();
    let mut rng = Rng::new(seed() ^ 0x0f0f);
    let casings = [Casing::Snake, Casing::Camel, Casing::Python];
    let (mut built, mut wired, mut refused) = (0usize, 0usize, 0usize);
    let mut panics = Vec::new();
    let mut names: Vec<&str> = OPERATIONS.iter().map(|op| op.name).collect();
    names.extend(OPERATIONS.iter().filter_map(|op| op.alias));
    for name in names {
        let op = yunhuni::ops::operation(name).unwrap();
        for i in 0..per_operation {
            let casing = *rng.pick(&casings);
            let fields: Vec<(String, Value)> = if rng.chance(40) {
                plausible_fields(&mut rng, op, casing)
            } else {
                (0..rng.below(op.fields.len() + 3))
                    .map(|_| {
                        (
                            hostile_key(&mut rng, op, casing),
                            hostile_value(&mut rng, op, 0),
                        )
                    })
                    .collect()
            };
            let keys: Vec<String> = fields.iter().map(|(k, _)| k.clone()).collect();
            let what = format!("{name} #{i} {casing:?}");
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let request = Request::from_fields(name, fields.clone(), casing)?;
                request.validate_cased(casing).map(|()| request.to_wire())
            }));
            let error = match outcome {
                Err(_) => {
                    panics.push(what);
                    continue;
                }
                Ok(Ok(wire)) => {
                    built += 1;
                    // Valid by every rule: it goes on the wire, as readable ASCII.
                    let wire = wire.unwrap_or_else(|e| panic!("{what}: valid but {e}"));
                    wired += 1;
                    for part in [&wire.path, &wire.query] {
                        assert!(
                            part.bytes().all(|b| b.is_ascii_graphic()),
                            "{what}: {part:?}"
                        );
                    }
                    assert!(!wire.path.contains('{'), "{what}: {}", wire.path);
                    if let Some(body) = &wire.body {
                        assert!(body.is_ascii(), "{what}: body not ASCII");
                        let v: Value = serde_json::from_slice(body)
                            .unwrap_or_else(|e| panic!("{what}: body not JSON ({e})"));
                        assert!(v.is_object(), "{what}");
                    }
                    continue;
                }
                Ok(Err(e)) => e,
            };
            refused += 1;
            assert_eq!(error.kind(), ErrorKind::Validation, "{what}: {error}");
            let named = error
                .field()
                .unwrap_or_else(|| panic!("{what}: no field in {error}"));
            assert!(
                names_a_field(named, op, casing, &keys),
                "{what}: names {named:?}, not a field given or declared: {error}"
            );
            check_message(&what, error.message());
        }
    }
    // Names that are no operation.
    for i in 0..200 * scale() {
        let name = hostile_string(&mut rng, &OPERATIONS[0]);
        if yunhuni::ops::operation(&name).is_some() {
            continue;
        }
        let e =
            Request::from_fields(&name, Vec::<(String, Value)>::new(), Casing::Snake).unwrap_err();
        assert_eq!(e.field(), Some("operation"), "#{i}: {e}");
        check_message(&format!("operation #{i}"), e.message());
    }
    println!(
        "hostile requests: seed {} operations {} per operation {per_operation} valid {built} \
         sent-as-wire {wired} refused {refused} panics {}",
        seed(),
        OPERATIONS.len(),
        panics.len()
    );
    assert!(panics.is_empty(), "panics: {panics:?}");
    assert!(built > 0 && refused > 0);
}

// ---------------------------------------------------------------------------------------------
// A hostile server

/// What the server does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    /// A success with `Connection: close`.
    Ok,
    /// A success, the connection kept for the next request.
    OkKeepAlive,
    /// A success without `Connection: close`, then the connection closed.
    OkThenClose,
    /// A platform error whose `msg` carries escape sequences.
    Api,
    /// 401 with the request's own headers echoed and escape sequences.
    Unauthorized,
    /// 500 with random bytes.
    ServerError,
    /// A 200 body over the client's 1 MB limit.
    HugeBody,
    /// Random bytes, then close.
    Garbage,
    /// A valid answer cut short, then close.
    Truncated,
    /// A 256 KB header line.
    HugeHeader,
    /// 20,000 headers.
    ManyHeaders,
    /// A Content-Length that is not a length.
    BadLength,
    /// Chunked with broken chunk sizes.
    BadChunks,
    /// A redirect (never followed).
    Redirect,
    /// Close at once, nothing written.
    Close,
    /// A valid answer one byte at a time, slower than the client's timeout.
    Slow,
    /// Nothing, longer than the client's timeout.
    Silent,
}

impl Answer {
    fn of(rng: &mut Rng) -> Answer {
        use Answer::*;
        let table = [
            (Ok, 10),
            (OkKeepAlive, 12),
            (OkThenClose, 10),
            (Api, 8),
            (Unauthorized, 5),
            (ServerError, 5),
            (HugeBody, 3),
            (Garbage, 8),
            (Truncated, 10),
            (HugeHeader, 3),
            (ManyHeaders, 3),
            (BadLength, 4),
            (BadChunks, 4),
            (Redirect, 3),
            (Close, 6),
            (Slow, 3),
            (Silent, 3),
        ];
        let total: usize = table.iter().map(|(_, w)| w).sum();
        let mut at = rng.below(total);
        for (answer, weight) in table {
            if at < weight {
                return answer;
            }
            at -= weight;
        }
        Ok
    }
}

const CODES: [&str; 6] = ["000001", "000002", "010001", "020000", "030500", "999999"];

fn success(keep_alive: Option<bool>) -> Vec<u8> {
    let body =
        br#"{"code":"000000","msg":"ok","data":{"callId":"0123456789abcdef0123456789abcdef"}}"#;
    let connection = match keep_alive {
        Some(true) => "Connection: keep-alive\r\n",
        Some(false) => "Connection: close\r\n",
        None => "",
    };
    [
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=utf-8\r\n{connection}Content-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
        body,
    ]
    .concat()
}

fn with_status(status: u16, body: &[u8]) -> Vec<u8> {
    [
        format!(
            "HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .as_bytes(),
        body,
    ]
    .concat()
}

/// One request as read: its head and body (bounded), or `None` when the peer went away.
fn read_request(reader: &mut BufReader<&TcpStream>) -> Option<(String, Vec<u8>)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || head.len() > 65_536 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    Some((head, body))
}

/// The request number in `h<digits>x`, where the client put it (path or body).
fn marker(text: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'h' {
            let digits = text[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            if digits > 0 && text.get(i + 1 + digits) == Some(&b'x') {
                return std::str::from_utf8(&text[i + 1..i + 1 + digits])
                    .ok()?
                    .parse()
                    .ok();
            }
        }
        i += 1;
    }
    None
}

struct ServerLog {
    /// How many times each request number arrived.
    seen: HashMap<usize, usize>,
    /// What each request number was answered with.
    answers: HashMap<usize, Answer>,
    /// The signatures the requests carried.
    signatures: HashSet<String>,
}

/// Answers every request on `stream` as its number's seeded answer says, until one closes it.
fn serve_connection(stream: TcpStream, base_seed: u64, log: Arc<Mutex<ServerLog>>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
    let mut reader = BufReader::new(&stream);
    let mut out = &stream;
    while let Some((head, body)) = read_request(&mut reader) {
        let number = marker(head.lines().next().unwrap_or("").as_bytes())
            .or_else(|| marker(&body))
            .unwrap_or(usize::MAX);
        let mut rng = Rng::new(base_seed ^ (number as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let answer = Answer::of(&mut rng);
        {
            let mut log = log.lock().unwrap();
            *log.seen.entry(number).or_default() += 1;
            log.answers.insert(number, answer);
            let signature = head.lines().find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("signature")
                    .then(|| value.trim().to_owned())
            });
            log.signatures.extend(signature);
        }
        let nasty = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m";
        let bytes = match answer {
            Answer::Ok => success(Some(false)),
            Answer::OkKeepAlive => success(Some(true)),
            Answer::OkThenClose => success(None),
            Answer::Api => {
                let code = rng.pick(&CODES);
                let body = json!({"code": code, "msg": format!("{nasty}{}", "m".repeat(rng.below(5000)))});
                with_status(200, body.to_string().as_bytes())
            }
            Answer::Unauthorized => {
                with_status(401, format!("HTTP Status 401 - {nasty}{head}").as_bytes())
            }
            Answer::ServerError => {
                let len = rng.below(3000);
                with_status(500, &rng.bytes(len))
            }
            Answer::HugeBody => {
                let filler = "a".repeat((1 << 20) + 10);
                with_status(
                    200,
                    format!(r#"{{"code":"000000","data":"{filler}"}}"#).as_bytes(),
                )
            }
            Answer::Garbage => {
                let len = rng.below(2000);
                rng.bytes(len)
            }
            Answer::Truncated => {
                let mut full = success(Some(false));
                full.truncate(rng.below(full.len() - 1));
                full
            }
            Answer::HugeHeader => [
                b"HTTP/1.1 200 OK\r\nX-Big: ".as_slice(),
                &vec![b'z'; 256 * 1024],
                b"\r\n\r\n",
            ]
            .concat(),
            Answer::ManyHeaders => {
                let mut raw = b"HTTP/1.1 200 OK\r\n".to_vec();
                for i in 0..20_000 {
                    raw.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
                }
                raw.extend_from_slice(b"Content-Length: 2\r\n\r\n{}");
                raw
            }
            Answer::BadLength => (*rng.pick(&[
                "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n{}",
                "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n{}",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\n{}",
                "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"code\":\"000000\"}",
            ]))
            .as_bytes()
            .to_vec(),
            Answer::BadChunks => (*rng.pick(&[
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n{}",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"co",
            ]))
            .as_bytes()
            .to_vec(),
            Answer::Redirect => {
                b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
            }
            Answer::Close => Vec::new(),
            Answer::Slow => {
                for b in success(Some(false)) {
                    if out.write_all(&[b]).is_err() {
                        break;
                    }
                    thread::sleep(Duration::from_millis(40));
                }
                return;
            }
            Answer::Silent => {
                thread::sleep(Duration::from_millis(2500));
                return;
            }
        };
        if out.write_all(&bytes).is_err() || answer != Answer::OkKeepAlive {
            return;
        }
    }
}

/// A request's number and what sending it gave (`Err(())` when sending panicked).
type Sent = (usize, Result<yunhuni::Result<Value>, ()>);

/// The request with number `i`, the number where the server finds it.
fn numbered_request(i: usize) -> Request {
    let mark = format!("h{i}x");
    match i % 3 {
        0 => Request::new("duo_callback")
            .and_then(|r| r.with("to1", "13800000001"))
            .and_then(|r| r.with("to2", "13800000002"))
            .and_then(|r| r.with("max_call_duration", 60))
            .and_then(|r| r.with("user_data", mark)),
        1 => Request::new("ext_get").and_then(|r| r.with("extension_id", mark)),
        _ => Request::new("ext_delete").and_then(|r| r.with("extension_id", mark)),
    }
    .unwrap()
}

#[test]
fn a_hostile_server_gets_each_request_once_and_learns_no_secret() {
    install_log();
    let requests = 240 * scale();
    let threads = 12;
    let timeout = Duration::from_millis(1000);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server_log = Arc::new(Mutex::new(ServerLog {
        seen: HashMap::new(),
        answers: HashMap::new(),
        signatures: HashSet::new(),
    }));
    let base_seed = seed() ^ 0x5e12;
    {
        let log = server_log.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let log = log.clone();
                thread::spawn(move || serve_connection(stream, base_seed, log));
            }
        });
    }
    let observed = Arc::new(Mutex::new(Vec::new()));
    let sink = observed.clone();
    let client = Client::builder("app", "cert", SECRET)
        .base_url(&url)
        .timeout(timeout)
        .connect_retries(2)
        .no_proxy()
        .on_request(move |log| sink.lock().unwrap().push(log.clone()))
        .build()
        .unwrap();
    let started = Instant::now();
    let results: Vec<Sent> = thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let client = &client;
                s.spawn(move || {
                    (t..requests)
                        .step_by(threads)
                        .map(|i| {
                            let request = numbered_request(i);
                            let result = catch_unwind(AssertUnwindSafe(|| client.send(&request)))
                                .map_err(drop);
                            (i, result)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let elapsed = started.elapsed();
    let server = server_log.lock().unwrap();
    let mut by_kind: HashMap<&str, usize> = HashMap::new();
    let (mut panics, mut maybe_sent) = (0, 0);
    for (i, result) in &results {
        let seen = server.seen.get(i).copied().unwrap_or(0);
        assert!(seen <= 1, "request {i} arrived {seen} times");
        let answer = server.answers.get(i).copied();
        let what = format!("request {i} ({answer:?})");
        let result = match result {
            Ok(result) => result,
            Err(()) => {
                panics += 1;
                continue;
            }
        };
        match result {
            Ok(_) => {
                *by_kind.entry("ok").or_default() += 1;
                assert_eq!(seen, 1, "{what}: a success the server never gave");
                assert!(
                    matches!(
                        answer,
                        Some(Answer::Ok | Answer::OkKeepAlive | Answer::OkThenClose)
                    ),
                    "{what}: accepted"
                );
            }
            Err(e) => {
                *by_kind.entry(e.kind().as_str()).or_default() += 1;
                for text in [e.to_string(), format!("{e:?}")] {
                    assert!(!text.contains(SECRET), "{what}: {text}");
                }
                check_message(&what, e.message());
                if matches!(e.kind(), ErrorKind::Transport | ErrorKind::Timeout) {
                    if e.maybe_sent() {
                        maybe_sent += 1;
                    } else {
                        // Said not sent: then it never arrived.
                        assert_eq!(seen, 0, "{what}: not maybe_sent, but it arrived: {e}");
                    }
                } else {
                    assert!(!e.maybe_sent(), "{what}: {e}");
                }
                // An answer the server wrote whole is read as what it is (or the client ran
                // out of time first).
                let expected = match answer.filter(|_| seen == 1) {
                    Some(Answer::Api) => Some(ErrorKind::Api),
                    Some(Answer::Unauthorized) => Some(ErrorKind::Auth),
                    Some(Answer::ServerError) => Some(ErrorKind::Http),
                    Some(Answer::HugeBody) => Some(ErrorKind::Decode),
                    Some(Answer::Slow | Answer::Silent) => Some(ErrorKind::Timeout),
                    _ => None,
                };
                if let Some(kind) = expected {
                    assert!(
                        e.kind() == kind || e.kind() == ErrorKind::Timeout,
                        "{what}: {kind} expected, got {e}"
                    );
                }
                if answer == Some(Answer::Api) && e.kind() == ErrorKind::Api {
                    assert!(CODES.contains(&e.code().unwrap_or("")), "{what}: {e}");
                }
            }
        }
    }
    // What the client reported and logged never carries a secret or a signature.
    let observed = observed.lock().unwrap();
    assert_eq!(observed.len(), requests, "one report per request");
    for log in observed.iter() {
        let text = format!("{log} {log:?}");
        assert!(!text.contains(SECRET), "{text}");
        for sig in &server.signatures {
            assert!(!text.contains(sig.as_str()), "a signature in {text}");
        }
    }
    let (records, bad) = log_violations();
    assert!(bad.is_empty(), "log records: {bad:?}");
    let arrived: usize = server.seen.values().sum();
    let mut kinds: Vec<_> = by_kind.into_iter().collect();
    kinds.sort();
    println!(
        "hostile server: seed {} requests {requests} arrived {arrived} twice 0 panics {panics} \
         maybe_sent {maybe_sent} outcomes {kinds:?} log records {records} in {:.1} s",
        seed(),
        elapsed.as_secs_f64()
    );
    assert_eq!(panics, 0);
    assert_eq!(
        server.signatures.len(),
        arrived,
        "a fresh signature each request"
    );
}
