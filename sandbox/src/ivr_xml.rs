//! The IVR document an application answers with, read as the platform reads it (platform notes
//! 2 §2.4–§2.5): parsed as XML, validated against the server's schema (`ivraction.xsd`), then
//! the first action child of `<response>` and the trimmed `<next>` text are taken.
//!
//! The schema's rules are stated here on their own, element by element; the verdicts on the
//! edge cases (empty `<dial>`, two `<next>`, whitespace in typed values, namespaces) were
//! checked against the JDK's schema validator with the server's XSD.

use roxmltree::{Document, Node, NodeType, ParsingOptions};

/// The namespace of `xsi:` attributes, which a schema validator accepts on any element.
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// The action elements, each with a handler on the platform.
const ACTIONS: [&str; 9] = [
    "play",
    "playlist",
    "record",
    "send_dtmf",
    "get",
    "hangup",
    "pause",
    "dial",
    "enqueue",
];

/// What the platform makes of a reply body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// Blank (or absent): the platform does nothing more.
    Blank,
    /// Not well-formed or not valid against the schema: `ivr.format_error`, then hangup.
    Invalid(String),
    /// Valid, but with no action (only `<next>`): the platform fails on a null action and the
    /// call stalls, with no event.
    NoAction,
    /// A valid document.
    Document(Doc),
}

/// A valid document: its first action and its `<next>` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Doc {
    /// The first action child of `<response>`; a second one is ignored.
    pub(crate) action: Action,
    /// The trimmed text of the first `<next>`; empty when missing or blank (no next).
    pub(crate) next: String,
}

/// A `<play>`'s file list (a `<playlist>` joins its children).
pub(crate) type Files = Vec<String>;

/// One action, with the values the platform hands its engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// `<play>` or `<playlist>` (`list`).
    Play {
        list: bool,
        files: Files,
        finish_keys: Option<String>,
        repeat: Option<i64>,
    },
    /// `<get>` with its prompt.
    Get {
        prompt: Files,
        valid_keys: Option<String>,
        max_keys: Option<i64>,
        finish_keys: Option<String>,
        first_key_timeout: Option<i64>,
        continues_keys_timeout: Option<i64>,
        play_repeat: Option<i64>,
        break_on_key: Option<bool>,
    },
    /// `<record>`.
    Record {
        max_duration: Option<i64>,
        beeping: Option<bool>,
        finish_keys: Option<String>,
    },
    /// `<send_dtmf>`.
    SendDtmf { keys: String },
    /// `<hangup>`.
    Hangup,
    /// `<pause>`: `None` when the duration is not plain digits (`+5`): no delay.
    Pause { seconds: Option<i64> },
    /// `<dial>`: the first `<number>` is dialled.
    Dial {
        number: Option<String>,
        ring: Option<String>,
        max_call_duration: Option<i64>,
        max_dial_duration: Option<i64>,
        connect_max_duration: Option<i64>,
    },
    /// `<enqueue>`: routed by the call center.
    Enqueue(Box<crate::sim::Enqueue>),
}

impl Action {
    /// The tag name, sent as `type` in the next request.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Action::Play { list: false, .. } => "play",
            Action::Play { list: true, .. } => "playlist",
            Action::Get { .. } => "get",
            Action::Record { .. } => "record",
            Action::SendDtmf { .. } => "send_dtmf",
            Action::Hangup => "hangup",
            Action::Pause { .. } => "pause",
            Action::Dial { .. } => "dial",
            Action::Enqueue(_) => "enqueue",
        }
    }
}

/// Reads a reply body as the platform does: decoded as UTF-8 whatever its content type
/// (invalid sequences replaced), blank means "nothing more", then parsed and validated.
pub(crate) fn read_reply(body: &[u8]) -> Reply {
    let text = String::from_utf8_lossy(body);
    if is_java_blank(&text) {
        return Reply::Blank;
    }
    read_text(&text)
}

/// `StringUtils.isBlank`: empty or every character Java whitespace.
fn is_java_blank(s: &str) -> bool {
    s.chars().all(|c| {
        matches!(c, '\t'..='\r' | '\u{1C}'..='\u{1F}')
            || (c.is_whitespace() && !matches!(c, '\u{85}' | '\u{A0}' | '\u{2007}' | '\u{202F}'))
    })
}

fn read_text(text: &str) -> Reply {
    // The text is parsed from a string: a byte order mark decoded into U+FEFF is content
    // before the prolog, which the platform's parser refuses.
    if text.starts_with('\u{FEFF}') {
        return Reply::Invalid("content is not allowed in prolog (a byte order mark)".into());
    }
    let options = ParsingOptions {
        allow_dtd: true,
        nodes_limit: 1_000_000,
        ..ParsingOptions::default()
    };
    let doc = match Document::parse_with_options(text, options) {
        Ok(doc) => doc,
        Err(e) => return Reply::Invalid(format!("not well-formed XML: {e}")),
    };
    let root = doc.root_element();
    if let Err(why) = validate_response(root) {
        return Reply::Invalid(why);
    }
    let elements: Vec<Node> = root.children().filter(Node::is_element).collect();
    let next = elements
        .iter()
        .find(|e| e.tag_name().name() == "next")
        .map(|e| text_of(*e).trim().to_owned())
        .filter(|n| !is_java_blank(n))
        .unwrap_or_default();
    let Some(action) = elements
        .iter()
        .find(|e| ACTIONS.contains(&e.tag_name().name()))
    else {
        return Reply::NoAction;
    };
    Reply::Document(Doc {
        action: action_of(*action),
        next,
    })
}

// ---------------------------------------------------------------------------------------
// Validation against the schema.

type Check = Result<(), String>;

/// The simple types of the schema's attributes and text.
#[derive(Debug, Clone, Copy)]
enum Type {
    /// `xs:string`: anything.
    Text,
    /// `xs:int` between the bounds.
    Int(i64, i64),
    /// `xs:boolean`.
    Bool,
    /// `[0123456789*#ABCD]+` (`finish_keys`, `dtmf`).
    Keys,
    /// `\s*\S+\.wav\s*`.
    PlayFile,
    /// A string of this many characters, inclusive.
    Len(usize, usize),
}

const POSITIVE: Type = Type::Int(1, i32::MAX as i64);
const NON_NEGATIVE: Type = Type::Int(0, i32::MAX as i64);
const REPEAT: Type = Type::Int(1, 10);

/// XML Schema's whitespace (`\s`): space, tab, newline, carriage return.
fn is_xs_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// An `xs:int` as the schema reads it: surrounding whitespace collapsed, an optional sign,
/// digits, within 32 bits.
fn xs_int(value: &str) -> Option<i64> {
    let v = value.trim_matches(is_xs_space);
    let (negative, digits) = match v.as_bytes().first() {
        Some(b'+') => (false, &v[1..]),
        Some(b'-') => (true, &v[1..]),
        _ => (false, v),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Longer than i64: out of xs:int's range either way.
    let n = digits.parse::<i64>().unwrap_or(i64::MAX);
    Some(if negative { -n } else { n })
}

fn xs_bool(value: &str) -> Option<bool> {
    match value.trim_matches(is_xs_space) {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn is_keys(value: &str) -> bool {
    !value.is_empty() && value.chars().all(|c| "0123456789*#ABCD".contains(c))
}

fn is_play_file(value: &str) -> bool {
    let core = value.trim_matches(is_xs_space);
    core.strip_suffix(".wav")
        .is_some_and(|name| !name.is_empty() && !name.chars().any(is_xs_space))
}

fn check_value(what: &str, ty: Type, value: &str) -> Check {
    let ok = match ty {
        Type::Text => true,
        Type::Int(min, max) => {
            let Some(n) = xs_int(value) else {
                return Err(format!("{what}: {value:?} is not an integer"));
            };
            if n < i64::from(i32::MIN) || n > i64::from(i32::MAX) {
                return Err(format!("{what}: {value:?} is out of the range of xs:int"));
            }
            if n < min || n > max {
                return Err(format!("{what}: {value} is not between {min} and {max}"));
            }
            true
        }
        Type::Bool => xs_bool(value).is_some(),
        Type::Keys => is_keys(value),
        Type::PlayFile => is_play_file(value),
        Type::Len(min, max) => (min..=max).contains(&value.chars().count()),
    };
    if ok {
        Ok(())
    } else {
        let rule = match ty {
            Type::Bool => "true, false, 1 or 0".to_owned(),
            Type::Keys => "one or more of 0123456789*#ABCD".to_owned(),
            Type::PlayFile => "a file name ending in .wav".to_owned(),
            Type::Len(min, max) => format!("{min} to {max} characters"),
            Type::Text | Type::Int(..) => String::new(),
        };
        Err(format!("{what}: {value:?} is not {rule}"))
    }
}

/// The attributes an element accepts (`required` marks the mandatory ones).
fn check_attributes(node: Node, allowed: &[(&str, Type, bool)]) -> Check {
    let element = node.tag_name().name();
    for attr in node.attributes() {
        if attr.namespace() == Some(XSI) {
            continue;
        }
        let name = attr.name();
        let found = allowed.iter().find(|(n, _, _)| *n == name);
        match (attr.namespace(), found) {
            (None, Some((_, ty, _))) => {
                check_value(&format!("<{element} {name}>"), *ty, attr.value())?
            }
            _ => return Err(format!("attribute {name:?} is not allowed on <{element}>")),
        }
    }
    for (name, _, required) in allowed {
        if *required && node.attribute(*name).is_none() {
            return Err(format!("<{element}> needs the attribute {name}"));
        }
    }
    Ok(())
}

/// The concatenated character data of an element (text and CDATA, across comments).
fn text_of(node: Node) -> String {
    node.children()
        .filter(|c| c.node_type() == NodeType::Text)
        .filter_map(|c| c.text())
        .collect()
}

/// The child elements of an element whose content is elements only: text other than
/// whitespace is refused.
fn element_children<'a>(node: Node<'a, 'a>) -> Result<Vec<Node<'a, 'a>>, String> {
    if !text_of(node).chars().all(is_xs_space) {
        return Err(format!(
            "<{}> cannot contain text, only elements",
            node.tag_name().name()
        ));
    }
    let children: Vec<Node> = node.children().filter(Node::is_element).collect();
    for child in &children {
        if child.tag_name().namespace().is_some() {
            return Err(format!(
                "<{}> in a namespace is not an element of the schema",
                child.tag_name().name()
            ));
        }
    }
    Ok(children)
}

/// An element whose content is a value (no child elements), checked against `ty`.
fn check_simple(node: Node, ty: Type) -> Check {
    let name = node.tag_name().name();
    if node.children().any(|c| c.is_element()) {
        return Err(format!("<{name}> cannot contain elements"));
    }
    check_value(&format!("<{name}>"), ty, &text_of(node))
}

/// An element with no content at all (not even whitespace).
fn check_empty(node: Node) -> Check {
    let has_content = node
        .children()
        .any(|c| c.is_element() || c.node_type() == NodeType::Text);
    if has_content {
        return Err(format!("<{}> must be empty", node.tag_name().name()));
    }
    Ok(())
}

fn names(children: &[Node]) -> Vec<String> {
    children
        .iter()
        .map(|c| format!("<{}>", c.tag_name().name()))
        .collect()
}

fn validate_response(root: Node) -> Check {
    if root.tag_name().name() != "response" || root.tag_name().namespace().is_some() {
        return Err(format!(
            "the root element must be <response> in no namespace, not <{}>",
            root.tag_name().name()
        ));
    }
    check_attributes(root, &[])?;
    let children = element_children(root)?;
    if children.is_empty() || children.len() > 2 {
        return Err(format!(
            "<response> must have one or two elements (an action, <next>), not {}",
            children.len()
        ));
    }
    for child in children {
        let name = child.tag_name().name();
        if name == "next" {
            check_attributes(child, &[])?;
            check_simple(child, Type::Len(0, 1024))?;
        } else if ACTIONS.contains(&name) {
            validate_action(child)?;
        } else {
            return Err(format!("<{name}> is not an action of the schema"));
        }
    }
    Ok(())
}

fn validate_play(node: Node) -> Check {
    check_attributes(
        node,
        &[
            ("finish_keys", Type::Keys, false),
            ("repeat", REPEAT, false),
        ],
    )?;
    check_simple(node, Type::PlayFile)
}

fn validate_playlist(node: Node) -> Check {
    check_attributes(
        node,
        &[
            ("finish_keys", Type::Keys, false),
            ("repeat", REPEAT, false),
        ],
    )?;
    let children = element_children(node)?;
    if children.is_empty() || children.len() > 10 {
        return Err(format!(
            "<playlist> must hold 1 to 10 <play>, not {}",
            children.len()
        ));
    }
    for child in children {
        if child.tag_name().name() != "play" {
            return Err(format!(
                "<playlist> holds only <play>, not <{}>",
                child.tag_name().name()
            ));
        }
        validate_play(child)?;
    }
    Ok(())
}

fn validate_action(node: Node) -> Check {
    match node.tag_name().name() {
        "play" => validate_play(node),
        "playlist" => validate_playlist(node),
        "record" => {
            check_attributes(
                node,
                &[
                    ("max_duration", POSITIVE, false),
                    ("beeping", Type::Bool, false),
                    ("finish_keys", Type::Keys, false),
                ],
            )?;
            check_simple(node, Type::Text)
        }
        "send_dtmf" => {
            check_attributes(node, &[])?;
            check_simple(node, Type::Keys)
        }
        "hangup" => {
            check_attributes(node, &[])?;
            check_simple(node, Type::Text)
        }
        "pause" => {
            check_attributes(node, &[("duration", POSITIVE, true)])?;
            check_simple(node, Type::Text)
        }
        "get" => {
            check_attributes(
                node,
                &[
                    ("valid_keys", Type::Keys, false),
                    ("max_keys", POSITIVE, false),
                    ("finish_keys", Type::Keys, false),
                    ("first_key_timeout", POSITIVE, false),
                    ("continues_keys_timeout", POSITIVE, false),
                    ("play_repeat", REPEAT, false),
                    ("if_break_on_key", Type::Bool, false),
                ],
            )?;
            let children = element_children(node)?;
            match children.as_slice() {
                [one] if one.tag_name().name() == "play" => validate_play(*one),
                [one] if one.tag_name().name() == "playlist" => validate_playlist(*one),
                _ => Err(format!(
                    "<get> must hold exactly one <play> or <playlist>, not {:?}",
                    names(&children)
                )),
            }
        }
        "dial" => {
            check_attributes(
                node,
                &[
                    ("from", Type::Text, false),
                    ("max_call_duration", POSITIVE, false),
                    ("max_dial_duration", POSITIVE, false),
                    ("dial_voice_stop_cond", Type::Int(0, 1), false),
                ],
            )?;
            let children = element_children(node)?;
            if children.len() > 3 {
                return Err(format!(
                    "<dial> holds at most 3 elements, not {}",
                    children.len()
                ));
            }
            for child in children {
                match child.tag_name().name() {
                    "play" => validate_play(child)?,
                    "number" => {
                        check_attributes(child, &[])?;
                        check_simple(child, Type::Len(1, 128))?;
                    }
                    "connect" => validate_connect(child)?,
                    other => return Err(format!("<dial> cannot hold <{other}>")),
                }
            }
            Ok(())
        }
        "enqueue" => validate_enqueue(node),
        other => Err(format!("<{other}> is not an action")),
    }
}

fn validate_connect(node: Node) -> Check {
    check_attributes(
        node,
        &[
            ("max_duration", POSITIVE, false),
            ("mode", Type::Int(1, 3), false),
            ("recording", Type::Bool, false),
            ("volume1", POSITIVE, false),
            ("volume2", POSITIVE, false),
            ("play_time", POSITIVE, false),
        ],
    )?;
    let children = element_children(node)?;
    match children.as_slice() {
        [] => Ok(()),
        [one] if one.tag_name().name() == "play" => validate_play(*one),
        _ => Err(format!(
            "<connect> holds at most one <play>, not {:?}",
            names(&children)
        )),
    }
}

fn validate_enqueue(node: Node) -> Check {
    check_attributes(
        node,
        &[
            ("conversation_level", POSITIVE, false),
            ("conversation_timeout", POSITIVE, false),
            ("choice", Type::Text, false),
            ("reserve_state", Type::Text, false),
            ("fail_overflow", Type::Bool, false),
            ("wait_voice", Type::PlayFile, false),
            ("ring_mode", Type::Int(1, 4), false),
            ("ring_voice", Type::PlayFile, false),
            ("hold_voice", Type::PlayFile, false),
            ("play_num", Type::Bool, false),
            ("pre_num_voice", Type::PlayFile, false),
            ("post_num_voice", Type::PlayFile, false),
            ("user_data", Type::Len(0, 128), false),
        ],
    )?;
    let children = element_children(node)?;
    let [route] = children.as_slice() else {
        return Err(format!(
            "<enqueue> must hold exactly one <route>, not {:?}",
            names(&children)
        ));
    };
    if route.tag_name().name() != "route" {
        return Err(format!(
            "<enqueue> holds only <route>, not <{}>",
            route.tag_name().name()
        ));
    }
    check_attributes(*route, &[])?;
    let targets = element_children(*route)?;
    match targets.as_slice() {
        [] => Ok(()),
        [t] if t.tag_name().name() == "condition" => {
            check_attributes(*t, &[("id", Type::Len(32, 32), false)])?;
            check_empty(*t)
        }
        [t] if t.tag_name().name() == "agent" => {
            check_attributes(
                *t,
                &[
                    ("name", Type::Len(1, 128), true),
                    ("priority", NON_NEGATIVE, false),
                    ("queue_timeout", POSITIVE, false),
                    ("fetch_timeout", POSITIVE, false),
                ],
            )?;
            check_empty(*t)
        }
        _ => Err(format!(
            "<route> holds one <condition> or one <agent>, not {:?}",
            names(&targets)
        )),
    }
}

// ---------------------------------------------------------------------------------------
// Reading the action of a valid document.

fn int_attr(node: Node, name: &str) -> Option<i64> {
    node.attribute(name).and_then(xs_int)
}

fn keys_attr(node: Node, name: &str) -> Option<String> {
    node.attribute(name).map(str::to_owned)
}

fn child<'a>(node: Node<'a, 'a>, name: &str) -> Option<Node<'a, 'a>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn play_files(node: Node) -> Files {
    match node.tag_name().name() {
        "playlist" => node
            .children()
            .filter(|c| c.is_element())
            .map(|p| text_of(p).trim().to_owned())
            .collect(),
        _ => vec![text_of(node).trim().to_owned()],
    }
}

fn action_of(node: Node) -> Action {
    match node.tag_name().name() {
        name @ ("play" | "playlist") => Action::Play {
            list: name == "playlist",
            files: play_files(node),
            finish_keys: keys_attr(node, "finish_keys"),
            repeat: int_attr(node, "repeat"),
        },
        "get" => {
            let prompt = node
                .children()
                .find(|c| c.is_element())
                .map(play_files)
                .unwrap_or_default();
            Action::Get {
                prompt,
                valid_keys: keys_attr(node, "valid_keys"),
                max_keys: int_attr(node, "max_keys"),
                finish_keys: keys_attr(node, "finish_keys"),
                first_key_timeout: int_attr(node, "first_key_timeout"),
                continues_keys_timeout: int_attr(node, "continues_keys_timeout"),
                play_repeat: int_attr(node, "play_repeat"),
                break_on_key: node.attribute("if_break_on_key").and_then(xs_bool),
            }
        }
        "record" => Action::Record {
            max_duration: int_attr(node, "max_duration"),
            beeping: node.attribute("beeping").and_then(xs_bool),
            finish_keys: keys_attr(node, "finish_keys"),
        },
        "send_dtmf" => Action::SendDtmf {
            keys: text_of(node),
        },
        "pause" => {
            // The handler takes the duration only when it is plain digits.
            let seconds = node
                .attribute("duration")
                .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|d| d.parse::<i64>().ok());
            Action::Pause { seconds }
        }
        "dial" => {
            let connect = child(node, "connect");
            Action::Dial {
                number: child(node, "number").map(|n| text_of(n).trim().to_owned()),
                ring: child(node, "play").map(|p| text_of(p).trim().to_owned()),
                max_call_duration: int_attr(node, "max_call_duration"),
                max_dial_duration: int_attr(node, "max_dial_duration"),
                connect_max_duration: connect.and_then(|c| int_attr(c, "max_duration")),
            }
        }
        "enqueue" => Action::Enqueue(Box::new(crate::sim::Enqueue::from_node(node))),
        _ => Action::Hangup,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(xml: &str) -> bool {
        !matches!(read_reply(xml.as_bytes()), Reply::Invalid(_))
    }

    /// Each case's verdict from the JDK's schema validator with the server's XSD.
    #[test]
    fn agrees_with_the_schema_validator() {
        let cases: &[(&str, bool)] = &[
            ("<response><dial></dial></response>", true),
            ("<response><dial><number>1</number><number>2</number><number>3</number></dial></response>", true),
            ("<response><dial><number>1</number><number>2</number><number>3</number><number>4</number></dial></response>", false),
            ("<response><dial><play>a.wav</play><play>a.wav</play></dial></response>", true),
            ("<response><enqueue><route></route></enqueue></response>", true),
            ("<response><enqueue><route><agent name=\"a\"/></route></enqueue></response>", true),
            ("<response><enqueue><route><agent name=\"a\"> </agent></route></enqueue></response>", false),
            ("<response><enqueue><route><condition/><condition/></route></enqueue></response>", false),
            ("<response><next/><next/></response>", true),
            ("<response><next/></response>", true),
            ("<response> x <next/></response>", false),
            ("<response><play repeat=\" +5 \">a.wav</play></response>", true),
            ("<response><play repeat=\"5.0\">a.wav</play></response>", false),
            ("<response><play> a.wav </play></response>", true),
            ("<response><play><![CDATA[a.wav]]></play></response>", true),
            ("<response><play>a<!-- c -->.wav</play></response>", true),
            ("<response><play>a.WAV</play></response>", false),
            ("<response><play>.wav</play></response>", false),
            ("<response><play>x.wav.wav</play></response>", true),
            ("<response><play finish_keys=\" 1\">a.wav</play></response>", false),
            ("<response><send_dtmf>12</send_dtmf></response>", true),
            ("<response><send_dtmf> 12</send_dtmf></response>", false),
            ("<response><send_dtmf></send_dtmf></response>", false),
            ("<response><get><play>a.wav</play></get></response>", true),
            ("<response><get></get></response>", false),
            ("<response><get if_break_on_key=\"TRUE\"><play>a.wav</play></get></response>", false),
            ("<response><get if_break_on_key=\" true \"><play>a.wav</play></get></response>", true),
            ("<response><pause/></response>", false),
            ("<response><pause duration=\"0\"/></response>", false),
            ("<response><pause duration=\"2147483648\"/></response>", false),
            ("<response><hangup>bye</hangup></response>", true),
            ("<response><hangup a=\"1\"/></response>", false),
            ("<response xmlns=\"x\"><hangup/></response>", false),
            ("<response xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"a\"><hangup/></response>", true),
            ("<response xmlns:p=\"urn:p\" p:x=\"1\"><hangup/></response>", false),
            ("<?xml version=\"1.0\"?><!DOCTYPE response><response><hangup/></response>", true),
            ("<response><hangup/><hangup/></response>", true),
            ("<response><hangup/><play>a.wav</play><next/></response>", false),
            ("<response><record><x/></record></response>", false),
            ("<response><connect/></response>", false),
            ("<response><dial><connect><play>a.wav</play><play>a.wav</play></connect></dial></response>", false),
            ("<response><dial><connect> </connect></dial></response>", true),
            ("<response><dial><number></number></dial></response>", false),
            ("<response><next>x</next><play>a.wav</play></response>", true),
            ("<response><playlist><play>a.wav</play></playlist></response>", true),
            ("<response><playlist></playlist></response>", false),
            ("<response><enqueue><route><condition id=\"0123456789abcdef0123456789abcdef\"/></route></enqueue></response>", true),
            ("<response><enqueue><route><condition id=\"x\"/></route></enqueue></response>", false),
            ("<response><dial from=\"\"><number>1</number></dial></response>", true),
            ("<response><play repeat=\"\">a.wav</play></response>", false),
            ("<response><record beeping=\"yes\"/></response>", false),
            ("<response><agent name=\"a\"/></response>", false),
            // The declaration of a document read from a string: its encoding is not used.
            ("<?xml version=\"1.0\" encoding=\"GBK\"?><response><hangup/></response>", true),
            ("<?xml version=\"1.0\" encoding=\"UTF-16\"?><response><hangup/></response>", true),
            ("<?xml version=\"1.0\" standalone=\"yes\"?><response><hangup/></response>", true),
            (" <?xml version=\"1.0\"?><response><hangup/></response>", false),
            ("<response><hangup>&#0;</hangup></response>", false),
            ("<?xml version=\"1.1\"?><response><hangup/></response>", true),
        ];
        for (xml, valid) in cases {
            assert_eq!(verdict(xml), *valid, "{xml}");
        }
        let eleven = format!(
            "<response><playlist>{}</playlist></response>",
            "<play>a.wav</play>".repeat(11)
        );
        assert!(!verdict(&eleven));
    }

    /// Every document the vectors pin as the builder's output is one the platform runs.
    #[test]
    fn the_vectors_documents_are_valid() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/ivr.json");
        let vectors: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut checked = 0;
        for v in vectors["documents"].as_array().unwrap() {
            let Some(xml) = v["expect"]["xml"].as_str() else {
                continue;
            };
            let reply = read_reply(xml.as_bytes());
            assert!(
                matches!(reply, Reply::Document(_)),
                "{}: {reply:?}",
                v["name"]
            );
            checked += 1;
        }
        assert!(checked >= 20, "only {checked} documents");
    }

    #[test]
    fn deep_and_wide_documents_are_refused_without_a_crash() {
        let deep = format!(
            "<response>{}{}</response>",
            "<a>".repeat(200_000),
            "</a>".repeat(200_000)
        );
        assert!(matches!(read_reply(deep.as_bytes()), Reply::Invalid(_)));
        let deep_valid_prefix = format!(
            "<response><record>{}</record></response>",
            "<x>".repeat(100_000) + &"</x>".repeat(100_000)
        );
        assert!(matches!(
            read_reply(deep_valid_prefix.as_bytes()),
            Reply::Invalid(_)
        ));
        let entities = format!(
            "<!DOCTYPE r [<!ENTITY a \"{}\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><response><record>&c;&c;&c;&c;&c;&c;&c;&c;</record></response>",
            "x".repeat(1000)
        );
        // 888 expansions, 800,000 characters: within the limits of the platform's parser.
        let r = read_reply(entities.as_bytes());
        assert!(matches!(r, Reply::Document(_)), "{r:?}");
    }

    #[test]
    fn first_action_and_trimmed_next() {
        let reply = read_reply(
            b"<response><next> http://h/n </next><get max_keys=\"1\"><playlist><play>a.wav</play><play> b.wav</play></playlist></get></response>",
        );
        let Reply::Document(doc) = reply else {
            panic!("{reply:?}")
        };
        assert_eq!(doc.next, "http://h/n");
        assert_eq!(doc.action.name(), "get");
        let Action::Get {
            prompt, max_keys, ..
        } = doc.action
        else {
            panic!()
        };
        assert_eq!(prompt, ["a.wav", "b.wav"]);
        assert_eq!(max_keys, Some(1));
        assert_eq!(
            read_reply(b"<response><next>x</next></response>"),
            Reply::NoAction
        );
        assert_eq!(read_reply(b" \r\n\t"), Reply::Blank);
        assert!(matches!(read_reply(b"<response>"), Reply::Invalid(_)));
        assert!(matches!(
            read_reply("\u{FEFF}<response><hangup/></response>".as_bytes()),
            Reply::Invalid(_)
        ));
        let Reply::Document(d) = read_reply(b"<response><pause duration=\"+5\"/></response>")
        else {
            panic!()
        };
        assert_eq!(d.action, Action::Pause { seconds: None });
        assert_eq!(d.next, "");
    }
}
