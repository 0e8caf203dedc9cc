//! IVR: the shared vectors (`tests/vectors/ivr.json`), documents read back by an independent
//! XML reader, and bounded fuzz runs of the builder and the two request parsers.

use proptest::prelude::*;
use serde_json::{json, Value};
use yunhuni::ivr::{
    self, parse_ivr_next, Agent, Connect, Dial, Enqueue, Get, IvrNext, IvrStart, Node, Play,
    Playlist, Record, Response, ELEMENTS,
};
use yunhuni::{Casing, ErrorKind};

fn load() -> Value {
    let path = format!("{}/../tests/vectors/ivr.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).unwrap()
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn cases<'a>(doc: &'a Value, group: &str) -> &'a Vec<Value> {
    doc[group]
        .as_array()
        .unwrap_or_else(|| panic!("no {group}"))
}

#[test]
fn document_vectors() {
    let doc = load();
    let cases = cases(&doc, "documents");
    let written = cases
        .iter()
        .filter(|c| c["expect"].get("xml").is_some())
        .count();
    assert!(written >= 20, "only {written} written documents");
    assert!(cases.len() - written >= 40, "too few refusals");
    let mut elements_seen = std::collections::BTreeSet::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let expect = &case["expect"];
        let got = Response::from_value(&case["response"], Casing::Snake).and_then(|r| r.to_xml());
        match expect.get("xml").and_then(Value::as_str) {
            Some(xml) => {
                let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(got, xml, "{name}");
                let tree = read_xml(&got).unwrap_or_else(|e| panic!("{name}: {e}"));
                collect_names(&tree, &mut elements_seen);
            }
            None => {
                let err = got.expect_err(name);
                assert_eq!(err.kind(), ErrorKind::Validation, "{name}");
                assert_eq!(
                    Some(err.field().unwrap_or_default()),
                    expect["field"].as_str(),
                    "{name}: {err}"
                );
                assert!(!err.detail().is_empty());
            }
        }
    }
    for e in ELEMENTS {
        assert!(
            elements_seen.contains(e.name),
            "no written document holds <{}>",
            e.name
        );
    }
}

fn collect_names(el: &XmlElement, out: &mut std::collections::BTreeSet<String>) {
    out.insert(el.name.clone());
    for c in &el.children {
        collect_names(c, out);
    }
}

#[test]
fn ivr_start_vectors() {
    let doc = load();
    let cases = cases(&doc, "ivr_start");
    let mut sources = std::collections::BTreeMap::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let body = hex_decode(case["body_hex"].as_str().unwrap());
        if let Some(text) = case.get("body").and_then(Value::as_str) {
            assert_eq!(text.as_bytes(), body.as_slice(), "{name}");
        }
        let expect = &case["expect"];
        match IvrStart::parse(&body) {
            Ok(start) => {
                assert_eq!(start.to_value(), *expect, "{name}");
                assert!(!start.raw.is_empty() || body.is_empty());
            }
            Err(err) => {
                assert_eq!(expect["error"], "decode", "{name}: {err}");
                assert_eq!(err.kind(), ErrorKind::Decode, "{name}");
                assert_eq!(err.field(), expect["field"].as_str(), "{name}: {err}");
            }
        }
        *sources
            .entry(case["source"].as_str().unwrap().to_owned())
            .or_insert(0) += 1;
    }
    assert_eq!(
        sources.keys().collect::<Vec<_>>(),
        ["docs", "malformed", "server"]
    );
}

#[test]
fn ivr_start_through_event_parse() {
    // The same bodies through the one parser of what the platform POSTs: ivr_start is typed,
    // the same view; a body that is not ivr_start is read as the webhook event it is, or fails.
    let doc = load();
    for case in cases(&doc, "ivr_start") {
        let name = case["name"].as_str().unwrap();
        let body = hex_decode(case["body_hex"].as_str().unwrap());
        let expect = &case["expect"];
        match yunhuni::Event::parse(&body) {
            Ok(yunhuni::Event::IvrStart(start)) => {
                assert_eq!(start.to_value(), *expect, "{name}");
                let event = yunhuni::Event::IvrStart(start);
                assert_eq!(event.name(), "ivr_start");
                assert_eq!(event.to_value(), *expect, "{name}");
                assert_eq!(event.id(), expect["call_id"].as_str(), "{name}");
            }
            Ok(other) => assert_eq!(expect["field"], "action", "{name}: {other:?}"),
            Err(err) => {
                assert_eq!(expect["error"], "decode", "{name}: {err}");
                assert_eq!(err.kind(), ErrorKind::Decode, "{name}");
            }
        }
    }
}

#[test]
fn ivr_event_vectors() {
    let doc = load();
    let cases = cases(&doc, "events");
    let mut typed = std::collections::BTreeSet::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let body = hex_decode(case["body_hex"].as_str().unwrap());
        let expect = &case["expect"];
        match yunhuni::Event::parse(&body) {
            Ok(event) => {
                assert_eq!(event.to_value(), *expect, "{name}");
                assert!(
                    !matches!(event, yunhuni::Event::Other(_)),
                    "{name}: ivr.* events are typed"
                );
                typed.insert(event.name().to_owned());
            }
            Err(err) => {
                assert_eq!(expect["error"], "decode", "{name}: {err}");
                assert_eq!(err.kind(), ErrorKind::Decode, "{name}");
            }
        }
    }
    let declared: std::collections::BTreeSet<String> = yunhuni::event_decls::EVENTS
        .iter()
        .filter(|e| e.family == "ivr")
        .map(|e| e.name.to_owned())
        .collect();
    assert_eq!(typed, declared, "a vector for every ivr.* event");
}

#[test]
fn next_vectors() {
    let doc = load();
    let cases = cases(&doc, "next");
    let mut actions = std::collections::BTreeSet::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let query = case["query"].as_str().unwrap();
        let expect = &case["expect"];
        match parse_ivr_next(query) {
            Ok(next) => {
                assert_eq!(next.to_value(), *expect, "{name}");
                assert_eq!(IvrNext::parse(query.as_bytes()).unwrap(), next);
                if let Some(a) = next.action {
                    actions.insert(a.as_str());
                }
            }
            Err(err) => {
                assert_eq!(expect["error"], "decode", "{name}: {err}");
                assert_eq!(err.kind(), ErrorKind::Decode, "{name}");
                assert_eq!(err.field(), expect["field"].as_str(), "{name}: {err}");
            }
        }
    }
    let followed: Vec<&str> = ELEMENTS
        .iter()
        .filter(|e| e.action && e.name != "hangup")
        .map(|e| e.name)
        .collect();
    for a in followed {
        assert!(actions.contains(a), "no next case after <{a}>");
    }
}

/// A document built in Camel casing refuses with the attribute in that casing.
#[test]
fn casing_reaches_the_field() {
    let description = json!({
        "actions": [{"name": "dial", "attrs": {"maxCallDuration": 0},
                     "children": [{"name": "number", "text": "13800000002"}]}],
        "endCall": true
    });
    let response = Response::from_value(&description, Casing::Camel).unwrap();
    let err = response.to_xml_cased(Casing::Camel).unwrap_err();
    assert_eq!(err.field(), Some("dial.maxCallDuration"));
    assert!(
        err.detail().starts_with("<dial max_call_duration> is 0"),
        "{err}"
    );
    let err = Response::from_value(&json!({"end_call": true}), Casing::Camel).unwrap_err();
    assert_eq!(err.field(), Some("end_call"));
}

// A small XML reader, independent of the writer: elements, attributes in double or single
// quotes, text, the five entities and character references. Enough to read back what the
// builder writes and fail on anything malformed.

#[derive(Debug, PartialEq)]
struct XmlElement {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<XmlElement>,
}

fn read_xml(doc: &str) -> Result<XmlElement, String> {
    let body = doc
        .strip_prefix(ivr::XML_DECLARATION)
        .ok_or("no XML declaration")?;
    let chars: Vec<char> = body.chars().collect();
    let mut at = 0;
    let root = read_element(&chars, &mut at)?;
    if at != chars.len() {
        return Err(format!("text after the root at {at}"));
    }
    Ok(root)
}

fn read_name(c: &[char], at: &mut usize) -> Result<String, String> {
    let start = *at;
    while *at < c.len() && (c[*at].is_ascii_alphanumeric() || c[*at] == '_') {
        *at += 1;
    }
    if start == *at {
        return Err(format!("a name expected at {start}"));
    }
    Ok(c[start..*at].iter().collect())
}

fn read_entity(c: &[char], at: &mut usize) -> Result<char, String> {
    let end = (*at..c.len())
        .find(|&i| c[i] == ';')
        .ok_or("unterminated entity")?;
    let name: String = c[*at + 1..end].iter().collect();
    *at = end + 1;
    Ok(match name.as_str() {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16)
            .ok()
            .and_then(char::from_u32)
            .ok_or("bad reference")?,
        n if n.starts_with('#') => n[1..]
            .parse::<u32>()
            .ok()
            .and_then(char::from_u32)
            .ok_or("bad reference")?,
        other => return Err(format!("unknown entity {other}")),
    })
}

fn legal(ch: char) -> bool {
    !matches!(ch, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

fn read_element(c: &[char], at: &mut usize) -> Result<XmlElement, String> {
    if c.get(*at) != Some(&'<') {
        return Err(format!("`<` expected at {}", *at));
    }
    *at += 1;
    let name = read_name(c, at)?;
    let mut el = XmlElement {
        name,
        attrs: Vec::new(),
        text: String::new(),
        children: Vec::new(),
    };
    loop {
        match c.get(*at) {
            Some(' ') => {
                *at += 1;
                let attr = read_name(c, at)?;
                if c.get(*at) != Some(&'=') {
                    return Err("`=` expected".into());
                }
                *at += 1;
                let quote = *c.get(*at).ok_or("eof")?;
                if quote != '"' && quote != '\'' {
                    return Err("quote expected".into());
                }
                *at += 1;
                let mut value = String::new();
                loop {
                    match c.get(*at) {
                        None => return Err("unterminated attribute".into()),
                        Some(&q) if q == quote => break,
                        Some('<') => return Err("`<` in an attribute".into()),
                        Some('&') => value.push(read_entity(c, at)?),
                        // Attribute-value normalisation turns literal white space into spaces.
                        Some('\t' | '\n' | '\r') => {
                            value.push(' ');
                            *at += 1;
                        }
                        Some(&ch) => {
                            if !legal(ch) {
                                return Err(format!("U+{:04X} in an attribute", ch as u32));
                            }
                            value.push(ch);
                            *at += 1;
                        }
                    }
                }
                *at += 1;
                if el.attrs.iter().any(|(n, _)| *n == attr) {
                    return Err(format!("attribute {attr} twice"));
                }
                el.attrs.push((attr, value));
            }
            Some('/') if c.get(*at + 1) == Some(&'>') => {
                *at += 2;
                return Ok(el);
            }
            Some('>') => {
                *at += 1;
                break;
            }
            other => return Err(format!("unexpected {other:?} in a tag")),
        }
    }
    loop {
        match c.get(*at) {
            None => return Err(format!("<{}> not closed", el.name)),
            Some('<') if c.get(*at + 1) == Some(&'/') => {
                *at += 2;
                let close = read_name(c, at)?;
                if close != el.name || c.get(*at) != Some(&'>') {
                    return Err(format!("</{close}> closes <{}>", el.name));
                }
                *at += 1;
                return Ok(el);
            }
            Some('<') => el.children.push(read_element(c, at)?),
            Some('&') => el.text.push(read_entity(c, at)?),
            Some('>') => return Err("a literal `>` in text".into()),
            Some('\r') => return Err("a literal CR in text (a parser makes it LF)".into()),
            Some(&ch) => {
                if !legal(ch) {
                    return Err(format!("U+{:04X} in text", ch as u32));
                }
                el.text.push(ch);
                *at += 1;
            }
        }
    }
}

fn text_of(el: &XmlElement) -> &str {
    &el.text
}

fn attr_of<'a>(el: &'a XmlElement, name: &str) -> Option<&'a str> {
    el.attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn the_reader_reads_what_the_builder_writes() {
    let xml = Response::new()
        .enqueue(Enqueue::agent(Agent::new("A&<\"'>\t\n\r z")).user_data("订单 & <42>"))
        .next("https://app.example.com/菜单?a=1&b=2")
        .to_xml()
        .unwrap();
    let root = read_xml(&xml).unwrap();
    assert_eq!(root.name, "response");
    let enqueue = &root.children[0];
    assert_eq!(attr_of(enqueue, "user_data"), Some("订单 & <42>"));
    assert_eq!(
        attr_of(&enqueue.children[0].children[0], "name"),
        Some("A&<\"'>\t\n\r z")
    );
    assert_eq!(
        text_of(&root.children[1]),
        "https://app.example.com/菜单?a=1&b=2"
    );
    assert!(read_xml(&format!("{}<a b=\"<\"/>", ivr::XML_DECLARATION)).is_err());
    assert!(read_xml(&format!("{}<a>&</a>", ivr::XML_DECLARATION)).is_err());
    assert!(read_xml(&format!("{}<a></b>", ivr::XML_DECLARATION)).is_err());
}

// Fuzz runs, bounded and with a fixed seed: the same inputs on every run.

fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9#*]{0,6}",
        "[a-z]{1,5}\\.wav",
        "[&<>\"' \t\r\n=a-z订é😀\u{0}\u{1}\u{7f}\u{2028}\u{fffe}]{0,12}",
        Just("0123456789*#ABCD".to_owned()),
        Just(String::new()),
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        (-3i64..25).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        hostile_text().prop_map(Value::from),
        Just(Value::Null),
        Just(json!(1.5)),
        Just(json!([1])),
    ]
}

fn element_description() -> impl Strategy<Value = Value> {
    let names: Vec<&'static str> = ELEMENTS
        .iter()
        .map(|e| e.name)
        .chain(["skill", "create_conf"])
        .collect();
    let attr_names: Vec<&'static str> = ELEMENTS
        .iter()
        .flat_map(|e| e.attrs.iter().map(|a| a.name))
        .chain(["tag", "data"])
        .collect();
    let leaf = (
        prop::sample::select(names.clone()),
        prop::collection::vec((prop::sample::select(attr_names.clone()), scalar()), 0..4),
        prop::option::of(hostile_text()),
    )
        .prop_map(|(name, attrs, text)| {
            let mut m = serde_json::Map::new();
            m.insert("name".into(), name.into());
            m.insert(
                "attrs".into(),
                Value::Object(attrs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()),
            );
            if let Some(t) = text {
                m.insert("text".into(), t.into());
            }
            Value::Object(m)
        });
    leaf.prop_recursive(3, 24, 4, move |inner| {
        (inner.clone(), prop::collection::vec(inner, 0..4)).prop_map(|(mut parent, kids)| {
            parent["children"] = Value::Array(kids);
            parent
        })
    })
}

/// A small deterministic generator (the fuzz input is its seed).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const HOSTILE: [&str; 10] = [
    "",
    " ",
    "a&b",
    "<x>",
    "\"q\"",
    "'",
    "订单 café",
    "\t\n\r",
    "x\u{1}",
    "😀.wav",
];

fn plausible_value(ty: ivr::ValueType, rng: &mut Rng) -> Value {
    use ivr::ValueType as T;
    if rng.one_in(12) {
        return Value::from(*rng.pick(&HOSTILE));
    }
    match ty {
        T::Int { min, max } => {
            let span = (max - min).min(30) as u64;
            let v = min + rng.below(span + 1) as i64;
            Value::from(if rng.one_in(10) {
                max.saturating_add(1)
            } else {
                v
            })
        }
        T::Bool => Value::from(rng.one_in(2)),
        T::Keys => Value::from(*rng.pick(&["#", "0123456789*#ABCD", "12", "*", "x"])),
        T::File => Value::from(*rng.pick(&["a.wav", "订单&<>.wav", "a\"b'.wav", "a.mp3"])),
        T::Text { min, .. } => Value::from(if min == 32 {
            "c".repeat(32)
        } else {
            rng.pick(&["4008000000", "a&<b>\"c'\t\n\r", "订单-42 😀", "x"])
                .to_string()
        }),
        T::OneOf { values, prefixes } => Value::from(if !prefixes.is_empty() && rng.one_in(3) {
            format!("{}x", rng.pick(prefixes))
        } else {
            rng.pick(values).to_string()
        }),
        T::Url => Value::from("https://app.example.com/ivr?a=1&b=2"),
    }
}

fn plausible_element(
    decl: &ivr::Element,
    keeps: Option<&[&str]>,
    rng: &mut Rng,
    depth: u32,
) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("name".into(), decl.name.into());
    let mut attrs = serde_json::Map::new();
    for a in decl.attrs {
        let kept = keeps.is_none_or(|k| k.contains(&a.name));
        if a.required || (kept && rng.one_in(2)) || rng.one_in(40) {
            attrs.insert(a.name.into(), plausible_value(a.ty, rng));
        }
    }
    m.insert("attrs".into(), Value::Object(attrs));
    if let Some(content) = decl.content {
        m.insert("text".into(), plausible_value(content.ty, rng));
    }
    let mut children = Vec::new();
    let list = decl.children.list();
    let one_of = matches!(decl.children, ivr::Children::OneOf(_));
    if depth < 4 && !list.is_empty() {
        if one_of {
            let n = if rng.one_in(15) { rng.below(3) } else { 1 };
            for _ in 0..n {
                let c = rng.pick(list);
                let d = ivr::element(c.name).unwrap();
                children.push(plausible_element(d, c.keeps, rng, depth + 1));
            }
        } else {
            for c in list {
                let hi = c.max.min(3) as u64;
                let mut n = c.min as u64 + rng.below(hi - c.min as u64 + 1);
                if rng.one_in(15) {
                    n += 1;
                }
                let d = ivr::element(c.name).unwrap();
                for _ in 0..n {
                    children.push(plausible_element(d, c.keeps, rng, depth + 1));
                }
            }
        }
    }
    if !children.is_empty() {
        m.insert("children".into(), Value::Array(children));
    }
    Value::Object(m)
}

fn plausible_document(seed: u64) -> Value {
    let mut rng = Rng(seed);
    let actions: Vec<&ivr::Element> = ELEMENTS.iter().filter(|e| e.action).collect();
    let action = *rng.pick(&actions);
    let mut doc = json!({"actions": [plausible_element(action, None, &mut rng, 0)]});
    if rng.one_in(20) {
        doc["actions"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "hangup"}));
    }
    if action.name != "hangup" || rng.one_in(10) {
        if rng.one_in(2) {
            doc["next"] = (*rng.pick(&[
                "https://app.example.com/ivr/next?step=1&lang=zh",
                "http://10.0.0.1:8080/菜单",
                "/relative",
            ]))
            .into();
        } else {
            doc["end_call"] = true.into();
        }
    }
    doc
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("https://app.example.com/ivr/next".to_owned()),
        "(https?|ftp)://[a-z_.:@\\[\\]0-9-]{0,12}(/[a-z%0-9&=?#+ 订]{0,16})?",
        "[ -~]{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x1f2_2026),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Whatever the description, the builder answers (an error naming a field, or a document
    /// that an XML reader reads back to the same values) and never panics.
    #[test]
    fn descriptions_never_panic_and_written_documents_read_back(
        actions in prop::collection::vec(element_description(), 0..3),
        next in prop::option::of(url()),
        end_call in any::<bool>(),
    ) {
        let mut description = json!({"actions": actions, "end_call": end_call});
        if let Some(next) = next {
            description["next"] = next.into();
        }
        let built = Response::from_value(&description, Casing::Snake);
        let response = match built {
            Ok(r) => r,
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::Validation);
                prop_assert!(e.field().is_some());
                return Ok(());
            }
        };
        match response.to_xml() {
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::Validation);
                prop_assert!(e.field().is_some_and(|f| !f.is_empty()));
                prop_assert!(!e.message().contains('\u{1}'), "{}", e.message());
            }
            Ok(xml) => {
                let root = read_xml(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml}")))?;
                let action = &response.actions()[0];
                let read = &root.children[0];
                prop_assert_eq!(&read.name, action.name());
                for (attr, value) in action.attrs() {
                    let written = match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    prop_assert_eq!(attr_of(read, attr.name), Some(written.as_str()));
                }
                if let Some(text) = action.text() {
                    prop_assert_eq!(text_of(read), text);
                }
                prop_assert_eq!(root.children.len(), 1 + usize::from(!response.ends_call()));
                let again = Response::from_value(&response.to_value(), Casing::Snake).unwrap();
                prop_assert_eq!(again.to_xml().unwrap(), xml);
            }
        }
    }

    /// Documents shaped by the declarations (mostly valid, some values hostile): each is written
    /// and read back to the same values, or refused naming a field.
    #[test]
    fn plausible_documents_write_exactly_or_are_refused(seed in any::<u64>()) {
        let description = plausible_document(seed);
        let response = match Response::from_value(&description, Casing::Snake) {
            Ok(r) => r,
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::Validation);
                prop_assert!(e.detail().contains(" takes a"), "{}", e);
                return Ok(());
            }
        };
        match response.to_xml() {
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::Validation);
                prop_assert!(e.field().is_some_and(|f| !f.is_empty()));
            }
            Ok(xml) => {
                let root = read_xml(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml}")))?;
                same_tree(&root.children[0], &response.actions()[0])?;
                prop_assert_eq!(root.children.len(), 1 + usize::from(!response.ends_call()));
            }
        }
    }

    #[test]
    fn ivr_start_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Err(e) = IvrStart::parse(&bytes) {
            prop_assert_eq!(e.kind(), ErrorKind::Decode);
        }
    }

    #[test]
    fn ivr_start_json_like_never_panics(
        pairs in prop::collection::vec((
            prop::sample::select(vec!["action", "type", "call_id", "from", "subaccount_id", "user_data", "event"]),
            prop_oneof![
                Just("\"ivr_start\"".to_owned()),
                Just("\"ivr_call\"".to_owned()),
                Just("\"ivr_incoming\"".to_owned()),
                any::<i64>().prop_map(|n| n.to_string()),
                any::<f64>().prop_map(|n| format!("{n:e}")),
                Just("null".to_owned()), Just("true".to_owned()), Just("[]".to_owned()),
                "[a-z\u{e9}\u{8ba2}?]{0,6}".prop_map(|s| format!("{s:?}")),
            ],
        ), 0..8)
    ) {
        let body: Vec<String> = pairs.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
        let body = format!("{{{}}}", body.join(","));
        match IvrStart::parse(body.as_bytes()) {
            Ok(start) => {
                let view = start.to_value();
                prop_assert_eq!(view["type"].as_str(), Some("ivr_start"));
            }
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::Decode),
        }
    }

    #[test]
    fn next_queries_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Err(e) = IvrNext::parse(&bytes) {
            prop_assert_eq!(e.kind(), ErrorKind::Decode);
        }
    }

    #[test]
    fn query_like_next_requests(query in "[?/#&=+%0-9a-fA-Fz_\u{e9}\u{8ba2}]{0,40}|(call_id|type|keys|error|record_id)=[a-z%0-9+]{0,8}(&(type|keys)=[a-z_%0-9]{0,6}){0,3}") {
        match parse_ivr_next(&query) {
            Ok(next) => {
                let v = next.to_value();
                prop_assert_eq!(v["type"].as_str(), Some("ivr_next"));
                if let Some(a) = next.action {
                    prop_assert!(ivr::element(a.as_str()).is_some_and(|e| e.action));
                }
            }
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::Decode);
                prop_assert!(e.field().is_some());
            }
        }
    }

    /// Every value a typed builder is given either writes and reads back unchanged, or is
    /// refused naming that attribute.
    #[test]
    fn typed_values_write_exactly_or_are_refused(
        file in hostile_text(),
        keys in hostile_text(),
        n in any::<i64>(),
        user_data in hostile_text(),
    ) {
        let documents: Vec<(Response, &str)> = vec![
            (Response::new().play(Play::new(file.clone()).finish_keys(keys.clone())).end_call(), "play"),
            (Response::new().record(Record::new().max_duration(n)).end_call(), "record.max_duration"),
            (Response::new().get(Get::new().valid_keys(keys.clone()).play("a.wav")).end_call(), "get.valid_keys"),
            (Response::new().playlist(Playlist::of([file.clone()])).end_call(), "playlist.play"),
            (Response::new().dial(Dial::new(user_data.clone()).connect(Connect::new().mode(n))).end_call(), "dial"),
            (Response::new().enqueue(Enqueue::agent(Agent::new("a")).user_data(user_data.clone())).end_call(), "enqueue.user_data"),
        ];
        for (response, prefix) in documents {
            match response.to_xml() {
                Ok(xml) => {
                    let root = read_xml(&xml).map_err(|e| TestCaseError::fail(format!("{e}: {xml}")))?;
                    prop_assert_eq!(&root.children[0].name, response.actions()[0].name());
                }
                Err(e) => {
                    let field = e.field().unwrap_or_default();
                    prop_assert!(field.starts_with(prefix), "{} for {}", field, prefix);
                }
            }
        }
        let ok = Response::new().send_dtmf(keys.clone()).end_call().to_xml();
        let valid = !keys.is_empty() && keys.chars().all(|c| "0123456789*#ABCD".contains(c));
        prop_assert_eq!(ok.is_ok(), valid);
    }
}

/// The element read back holds the node's attributes, text and children (an implicit empty
/// `<connect>` aside).
fn same_tree(read: &XmlElement, node: &Node) -> Result<(), TestCaseError> {
    prop_assert_eq!(&read.name, node.name());
    let want: Vec<(String, String)> = node
        .attrs()
        .map(|(a, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (a.name.to_owned(), text)
        })
        .collect();
    prop_assert_eq!(&read.attrs, &want);
    prop_assert_eq!(read.text.as_str(), node.text().unwrap_or(""));
    let written: Vec<&XmlElement> = read
        .children
        .iter()
        .filter(|c| c.name != "connect" || node.children().iter().any(|n| n.name() == "connect"))
        .collect();
    prop_assert_eq!(written.len(), node.children().len());
    for child in node.children() {
        let same_name: Vec<&&XmlElement> =
            written.iter().filter(|c| c.name == child.name()).collect();
        let index = node
            .children()
            .iter()
            .filter(|c| c.name() == child.name())
            .position(|c| std::ptr::eq(c, child))
            .unwrap();
        same_tree(same_name[index], child)?;
    }
    Ok(())
}

#[test]
fn plausible_documents_are_mostly_written() {
    let mut written = 0;
    for seed in 0..400u64 {
        let description = plausible_document(seed);
        if let Ok(xml) = Response::from_value(&description, Casing::Snake).and_then(|r| r.to_xml())
        {
            read_xml(&xml).unwrap();
            written += 1;
        }
    }
    assert!(
        written > 80,
        "only {written} of 400 plausible documents were written"
    );
    assert!(
        written < 390,
        "{written} of 400 plausible documents were written: too few refusals"
    );
}

#[test]
fn generic_nodes_match_typed_builders() {
    let typed = Response::new()
        .get(
            Get::new()
                .max_keys(2)
                .finish_keys("#")
                .playlist(Playlist::of(["a.wav", "b.wav"])),
        )
        .next("https://app.example.com/ivr/menu");
    let mut get = Node::new("get").unwrap();
    get.set("finish_keys", "#")
        .unwrap()
        .set("max_keys", 2)
        .unwrap();
    let mut list = Node::new("playlist").unwrap();
    for f in ["a.wav", "b.wav"] {
        list.push(Node::new("play").unwrap().with_text(f).unwrap())
            .unwrap();
    }
    get.push(list).unwrap();
    let generic = Response::new()
        .action(get)
        .next("https://app.example.com/ivr/menu");
    assert_eq!(generic.to_xml().unwrap(), typed.to_xml().unwrap());
    assert_eq!(generic, typed);
}
