//! IVR applications: the documents they answer with, and the requests the platform sends them.
//!
//! An IVR call runs as a conversation between the platform and your application:
//!
//! 1. the call starts (someone calls one of your numbers, or you placed it with `ivr_call`):
//!    the platform POSTs `ivr_start` to your application's URL ([`IvrStart::parse`]);
//! 2. you answer with a document ([`Response`]) holding **one action** (play, get keys,
//!    record, dial, ...) and, usually, a `<next>` URL;
//! 3. the platform runs the action, then GETs the `<next>` URL with the action's results in
//!    the query ([`parse_ivr_next`]: the keys pressed, the recording's id, the error), and
//!    you answer with the next document, and so on.
//!
//! **An action without `<next>` ends the call once it completes**: the platform hangs up
//! then. The builder makes you say which you want: a [`Response`] needs either
//! [`Response::next`] or [`Response::end_call`] (only `<hangup>` needs neither), and
//! [`Response::ends_call`] tells which it is.
//!
//! ```
//! use yunhuni::ivr::{Get, Response};
//!
//! let menu = Response::new()
//!     .get(Get::new().max_keys(1).finish_keys("#").play("menu.wav"))
//!     .next("https://app.example.com/ivr/menu");
//! assert_eq!(
//!     menu.to_xml()?,
//!     concat!(
//!         r#"<?xml version="1.0" encoding="UTF-8"?><response>"#,
//!         r##"<get max_keys="1" finish_keys="#"><play>menu.wav</play></get>"##,
//!         "<next>https://app.example.com/ivr/menu</next></response>"
//!     )
//! );
//!
//! let goodbye = Response::new().play("bye.wav").end_call();
//! assert!(goodbye.ends_call());
//!
//! // What the platform would refuse is refused here, naming the element and attribute.
//! let err = Response::new().play("bye.mp3").end_call().to_xml().unwrap_err();
//! assert_eq!(err.field(), Some("play"));
//! let err = Response::new().get(Get::new().max_keys(0).play("menu.wav")).end_call().to_xml().unwrap_err();
//! assert_eq!(err.field(), Some("get.max_keys"));
//! # Ok::<(), yunhuni::Error>(())
//! ```
//!
//! The documents follow the platform's schema (`ivraction.xsd`) and what its handlers read
//! (`spec/platform-notes-2.md` §2.4-§2.7), not the docs where they differ: `<next>` has no
//! `tag`; voice files end in `.wav`; a document runs only its first action; `<dial>` dials only
//! its first `<number>`; there is no conference verb and no `<skill>`. Every element and
//! attribute is declared once in [`ELEMENTS`]; the typed builders ([`Play`], [`Get`], ...)
//! and the generic one ([`Node`], for bindings) are both checked against it, by one routine.
//!
//! [`Response::to_xml`] gives the bytes to send (as UTF-8, which is how the platform reads
//! every reply whatever its `Content-Type`): the declaration `<?xml version="1.0"
//! encoding="UTF-8"?>`, then the document on one line, attributes in declaration order, `&`
//! `<` `>` `"` escaped, no empty attribute.

mod decl;
mod node;
mod requests;
mod table;
mod url;
mod verbs;

#[cfg(test)]
mod tests;

pub use decl::*;
pub use node::{element, Node};
pub use requests::{parse_ivr_next, Action, IvrNext, IvrStart, IvrStartKind, MAX_QUERY_BYTES};
pub use table::{ELEMENTS, IVR_NEXT, IVR_START};
pub use url::{check_next_url, MAX_URL_CHARS, PLATFORM_PARAMS};
pub use verbs::{Agent, Connect, Dial, Enqueue, Get, Pause, Play, Playlist, Record, SendDtmf};

use crate::error::{escape_text, Error, Result};
use crate::ops::Casing;
use node::json_kind;
use serde_json::{Map, Value};
use table::{HANGUP, NEXT};

/// The XML declaration every document starts with.
pub const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8"?>"#;

/// The document an IVR application answers the platform with: one action, then either the
/// `<next>` URL the platform requests once the action completes, or the explicit choice to
/// end the call there.
///
/// Build it like the document reads, then [`Response::to_xml`] checks it against everything
/// the platform would refuse or misread and writes it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Response {
    actions: Vec<Node>,
    next: Option<String>,
    end_call: bool,
}

impl Response {
    /// An empty document: add one action, then [`Response::next`] or [`Response::end_call`].
    pub fn new() -> Self {
        Response::default()
    }

    /// Adds an action given as a [`Node`] (or any typed builder). A document holds one action:
    /// the platform runs only the first and ignores the others, so a second one is refused.
    pub fn action(mut self, action: impl Into<Node>) -> Self {
        self.actions.push(action.into());
        self
    }

    /// `<play>`: plays a voice file (a file name, or a [`Play`] with attributes).
    pub fn play(self, play: impl Into<Play>) -> Self {
        self.action(play.into())
    }

    /// `<playlist>`: plays several voice files.
    pub fn playlist(self, list: Playlist) -> Self {
        self.action(list)
    }

    /// `<record>`: records the caller.
    pub fn record(self, record: Record) -> Self {
        self.action(record)
    }

    /// `<send_dtmf>`: sends telephone keys.
    pub fn send_dtmf(self, keys: impl Into<String>) -> Self {
        self.action(SendDtmf::new(keys))
    }

    /// `<get>`: plays a prompt and collects keys.
    pub fn get(self, get: Get) -> Self {
        self.action(get)
    }

    /// `<hangup>`: ends the call (rejects an inbound call not yet answered). No `<next>`.
    pub fn hangup(self) -> Self {
        self.action(Node::of(&HANGUP))
    }

    /// `<pause>`: waits `seconds`, then requests `<next>`.
    pub fn pause(self, seconds: i64) -> Self {
        self.action(Pause::new(seconds))
    }

    /// `<dial>`: calls a number and connects the caller to it.
    pub fn dial(self, dial: Dial) -> Self {
        self.action(dial)
    }

    /// `<enqueue>`: queues the caller for a call-center agent.
    pub fn enqueue(self, enqueue: Enqueue) -> Self {
        self.action(enqueue)
    }

    /// `<next>`: the absolute `http://` or `https://` URL the platform requests (GET) once the
    /// action completes, adding `call_id`, `type` and the action's results to its query.
    pub fn next(mut self, url: impl Into<String>) -> Self {
        self.next = Some(url.into());
        self
    }

    /// Says that the call ends when the action completes: the document has no `<next>`, and
    /// the platform hangs up once the action is over.
    pub fn end_call(mut self) -> Self {
        self.end_call = true;
        self
    }

    /// True when the call ends after this document's action (`<hangup>`, or no `<next>`).
    pub fn ends_call(&self) -> bool {
        self.next.is_none()
    }

    /// The actions added (one, in a valid document).
    pub fn actions(&self) -> &[Node] {
        &self.actions
    }

    /// The `<next>` URL, if set.
    pub fn next_url(&self) -> Option<&str> {
        self.next.as_deref()
    }

    /// Checks the document against everything the platform would refuse or misread; errors
    /// name the element and attribute (`get.max_keys`, `dial.connect.mode`, `next`).
    pub fn validate(&self) -> Result<()> {
        self.check(Casing::Snake)
    }

    /// [`Response::validate`] with errors naming attributes in `casing`.
    pub fn validate_cased(&self, casing: Casing) -> Result<()> {
        self.check(casing)
    }

    fn check(&self, casing: Casing) -> Result<()> {
        for node in &self.actions {
            if !node.element().action {
                return Err(Error::validation(
                    node.name(),
                    format!(
                        "<{}> is not an action: only {} can stand in <response>",
                        node.name(),
                        action_names()
                    ),
                ));
            }
        }
        let Some(action) = self.actions.first() else {
            return Err(Error::validation(
                "response",
                format!(
                    "has no action: the platform stalls the call on a document without one; add one of {}",
                    action_names()
                ),
            ));
        };
        if let Some(second) = self.actions.get(1) {
            return Err(Error::validation(
                second.name(),
                format!(
                    "<response> already holds the action <{}>: the platform runs only the first action of a document and ignores <{}>; send it in the reply to the next request",
                    action.name(),
                    second.name()
                ),
            ));
        }
        action.check(action.name(), None, casing)?;
        let hangup = action.name() == HANGUP.name;
        let end_call = casing.name("end_call");
        match &self.next {
            Some(url) => {
                if hangup {
                    return Err(Error::validation(
                        "next",
                        "<hangup> ends the call: the platform never requests its <next>; leave it out",
                    ));
                }
                if self.end_call {
                    return Err(Error::validation(
                        end_call,
                        "contradicts the <next> URL: a document either ends the call after its action or names a <next>",
                    ));
                }
                Node::of(&NEXT)
                    .put_text(url.clone())
                    .check("next", None, casing)?;
            }
            None if !hangup && !self.end_call => {
                return Err(Error::validation(
                    "next",
                    format!(
                        "<{}> has no <next>, so the platform hangs up once it completes: give a <next> URL to go on, or mark the response {end_call} to end the call there",
                        action.name()
                    ),
                ));
            }
            None => {}
        }
        Ok(())
    }

    /// The document as the platform reads it, once it passes [`Response::validate`]: the XML
    /// declaration, then `<response>`, the action and `<next>`, on one line. Send it as UTF-8.
    pub fn to_xml(&self) -> Result<String> {
        self.validate()?;
        Ok(self.write())
    }

    /// [`Response::to_xml`] with errors naming attributes in `casing`.
    pub fn to_xml_cased(&self, casing: Casing) -> Result<String> {
        self.validate_cased(casing)?;
        Ok(self.write())
    }

    fn write(&self) -> String {
        let mut out = String::with_capacity(256);
        out.push_str(XML_DECLARATION);
        out.push_str("<response>");
        for action in &self.actions {
            action.write(&mut out);
        }
        if let Some(url) = &self.next {
            out.push_str("<next>");
            node::escape_content_to(&mut out, url);
            out.push_str("</next>");
        }
        out.push_str("</response>");
        out
    }

    /// A document from its neutral JSON description: `{"actions": [element, ...], "next":
    /// "https://..." | null, "end_call": true | false}`, each element as [`Node::from_value`]
    /// reads it; keys of attributes (and `end_call`) in `casing`. This is the `response` of
    /// `tests/vectors/ivr.json`.
    pub fn from_value(value: &Value, casing: Casing) -> Result<Response> {
        let Value::Object(map) = value else {
            return Err(Error::validation(
                "response",
                format!("is {}, not an object", json_kind(value)),
            ));
        };
        let end_call_key = casing.name("end_call");
        if let Some(other) = node::sorted_keys(map)
            .into_iter()
            .find(|k| *k != "actions" && *k != "next" && **k != *end_call_key)
        {
            return Err(Error::validation(
                escape_text(other),
                format!("is not a key of a response description (actions, next, {end_call_key})"),
            ));
        }
        let mut response = Response::new();
        match map.get("actions") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    response = response.action(Node::from_value_at(item, "", casing)?);
                }
            }
            Some(v) => {
                return Err(Error::validation(
                    "actions",
                    format!("is {}, not a list", json_kind(v)),
                ))
            }
        }
        match map.get("next") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => response.next = Some(s.clone()),
            Some(other) => {
                return Err(Error::validation(
                    "next",
                    format!("is {}, not a string", json_kind(other)),
                ))
            }
        }
        match map.get(end_call_key.as_ref()) {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => response.end_call = *b,
            Some(other) => {
                return Err(Error::validation(
                    end_call_key.into_owned(),
                    format!("is {}, not a boolean", json_kind(other)),
                ))
            }
        }
        Ok(response)
    }

    /// The document's neutral JSON description (see [`Response::from_value`]).
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert(
            "actions".into(),
            self.actions.iter().map(Node::to_value).collect(),
        );
        if let Some(next) = &self.next {
            m.insert("next".into(), next.clone().into());
        }
        if self.end_call {
            m.insert("end_call".into(), true.into());
        }
        Value::Object(m)
    }
}

fn action_names() -> String {
    let names: Vec<String> = ELEMENTS
        .iter()
        .filter(|e| e.action)
        .map(|e| format!("<{}>", e.name))
        .collect();
    names.join(", ")
}
