//! Parsing what the platform POSTs to your webhook URL.
//!
//! The platform's webhooks are not signed. Its bodies differ from its docs: times are epoch
//! milliseconds, absent values are omitted, `hangup_by` is a string, and the bytes are
//! ISO-8859-1 (every character outside Latin-1 arrives as `?`). [`Event::parse`] accepts what
//! the real server sends and what the docs show, and never panics.

use crate::error::{escape_text, quote_text, Error, Result};
pub use crate::events_typed::{
    CallcenterAgentConversationChanged, CallcenterAgentStateChanged, CallcenterConversationBegin,
    CallcenterConversationEnd, CallcenterConversationPartsChanged, CallcenterQueueFail,
    CallcenterQueueSelect, CallcenterQueueSuccess, ConfCreateSucc, ConfEnd, ConfJoinFail,
    ConfJoined, ConfPlayEnd, ConfQuit, ConfRecordEnd, DuoCallbackEnd, Event, IvrCallEnd,
    IvrConnectBegin, IvrConnectEnd, IvrDialEnd, IvrFormatError, IvrGetEnd, IvrPlayEnd, IvrPutEnd,
    IvrRecordEnd, MsgSendingComplete, MsgTemplateComplete, NotifyCallEnd, RecordingUrlGenerate,
    VerifyCallEnd,
};
use crate::ivr::IVR_START;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::fmt;

/// The event times [`Event::parse`] accepts, in epoch milliseconds: from 1970-01-01 to the
/// end of 9999-12-31 (UTC), which every language's date type can hold. A time outside it
/// (which the platform never sends) makes the body a `decode` error naming the key, so a
/// forged webhook fails where it is parsed, the same way in every language.
pub const TIME_RANGE_MS: std::ops::RangeInclusive<i64> = 0..=253_402_300_799_999;

/// The largest webhook body [`Event::parse`] accepts.
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// Every event name the platform documents. Names other than the simple-call end events
/// parse as [`Event::Other`]; so do names not in this list.
pub const DOCUMENTED_EVENTS: [&str; 29] = [
    "duo_callback.end",
    "notify_call.end",
    "verify_call.end",
    "ivr.call_end",
    "ivr.play_end",
    "ivr.record_end",
    "ivr.get_end",
    "ivr.put_end",
    "ivr.dial_end",
    "ivr.connect_begin",
    "ivr.connect_end",
    "conf.create.succ",
    "conf.end",
    "conf.joined",
    "conf.join.fail",
    "conf.quit",
    "conf.play_end",
    "conf.record_end",
    "callcenter.queue.select",
    "callcenter.queue.success",
    "callcenter.queue.fail",
    "callcenter.agent.state_changed",
    "callcenter.agent.conversation_changed",
    "callcenter.conversation.begin",
    "callcenter.conversation.end",
    "callcenter.conversation.parts_changed",
    "recording.url_generate",
    "msg.sending_complete",
    "msg.template_complete",
];

/// How a voice callback ended, read from its `duo_callback.end` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Both parties talked; one of them hung up.
    Connected,
    /// Party 1 never answered: busy, rejected, unreachable, no answer in time, or cancelled.
    Party1NotReached,
    /// Party 1 answered but party 2 never did (or party 1 hung up, or the call was cancelled,
    /// while party 2 rang).
    Party2NotReached,
    /// Both talked until `max_call_duration`, when the platform hung up.
    MaxDurationReached,
    /// Both were connected and the bridge failed.
    BridgeError,
    /// The platform could not start the call at all (`调用失败`, which arrives as `????`).
    PlatformFailure,
}

impl Outcome {
    /// `connected`, `party1_not_reached`, `party2_not_reached`, `max_duration_reached`,
    /// `bridge_error` or `platform_failure`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Connected => "connected",
            Outcome::Party1NotReached => "party1_not_reached",
            Outcome::Party2NotReached => "party2_not_reached",
            Outcome::MaxDurationReached => "max_duration_reached",
            Outcome::BridgeError => "bridge_error",
            Outcome::PlatformFailure => "platform_failure",
        }
    }

    /// A short English sentence for people.
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Connected => "both parties talked and one hung up",
            Outcome::Party1NotReached => {
                "party 1 did not answer (busy, no answer, unreachable or cancelled)"
            }
            Outcome::Party2NotReached => "party 1 answered but party 2 was not reached",
            Outcome::MaxDurationReached => {
                "the call reached max_call_duration and the platform hung up"
            }
            Outcome::BridgeError => "the parties were connected and the bridge failed",
            Outcome::PlatformFailure => "the platform could not start the call",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl DuoCallbackEnd {
    /// How the call ended.
    pub fn outcome(&self) -> Outcome {
        if self.error.is_some() && self.answer_time1.is_none() && self.begin_time.is_none() {
            Outcome::PlatformFailure
        } else if self.answer_time1.is_none() {
            Outcome::Party1NotReached
        } else if self.answer_time2.is_none() {
            Outcome::Party2NotReached
        } else {
            match self.error.as_deref() {
                Some("connect timeout") => Outcome::MaxDurationReached,
                Some("connect error") => Outcome::BridgeError,
                _ => Outcome::Connected,
            }
        }
    }

    /// Who hung up, from `hangup_by` (0 the platform, 1 party 1, 2 party 2); `None` when it is
    /// absent or another number.
    pub fn hung_up_by(&self) -> Option<HungUpBy> {
        match self.hangup_by? {
            0 => Some(HungUpBy::Platform),
            1 => Some(HungUpBy::Party1),
            2 => Some(HungUpBy::Party2),
            _ => None,
        }
    }

    /// Seconds the two parties talked: `duration` when sent, else derived from
    /// `end_time - answer_time2`, else 0.
    pub fn talk_seconds(&self) -> i64 {
        if let Some(d) = self.duration {
            return d.max(0);
        }
        match (self.answer_time2, self.end_time) {
            (Some(a), Some(e)) if e >= a => e.saturating_sub(a) / 1000,
            _ => 0,
        }
    }
}

/// Who hung up a voice callback (`hangup_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HungUpBy {
    /// The platform: the call failed, was cancelled, or reached `max_call_duration`.
    Platform,
    /// Party 1 (`to1`).
    Party1,
    /// Party 2 (`to2`).
    Party2,
}

impl HungUpBy {
    /// `platform`, `party1` or `party2`.
    pub fn as_str(self) -> &'static str {
        match self {
            HungUpBy::Platform => "platform",
            HungUpBy::Party1 => "party1",
            HungUpBy::Party2 => "party2",
        }
    }

    /// Words for people: `the platform`, `party 1`, `party 2`.
    pub fn describe(self) -> &'static str {
        match self {
            HungUpBy::Platform => "the platform",
            HungUpBy::Party1 => "party 1",
            HungUpBy::Party2 => "party 2",
        }
    }
}

/// Who ended a notification or verification call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndedBy {
    /// The called person hung up.
    User,
    /// The platform hung up (the content finished, or the call failed).
    Platform,
}

impl EndedBy {
    /// `user` or `platform`.
    pub fn as_str(self) -> &'static str {
        match self {
            EndedBy::User => "user",
            EndedBy::Platform => "platform",
        }
    }
}

impl NotifyCallEnd {
    /// Who ended the call, from `dropped_by` (else `hangup_by`): `usr`/`1` is the user,
    /// `sys`/`0` the platform.
    pub fn ended_by(&self) -> Option<EndedBy> {
        match self.dropped_by.as_deref().or(self.hangup_by.as_deref()) {
            Some("usr") | Some("1") => Some(EndedBy::User),
            Some("sys") | Some("0") => Some(EndedBy::Platform),
            _ => None,
        }
    }
}

/// One value of a typed event's canonical view, as [`Event::typed_view`] hands it to a
/// [`ViewSink`]: what [`Event::to_value`] makes a JSON `null`, string or number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewValue<'a> {
    /// An absent value.
    Null,
    /// Text.
    Str(&'a str),
    /// An integer (a time in epoch milliseconds, a count, a code).
    Int(i64),
}

impl From<ViewValue<'_>> for Value {
    fn from(v: ViewValue<'_>) -> Value {
        match v {
            ViewValue::Null => Value::Null,
            ViewValue::Str(s) => s.into(),
            ViewValue::Int(i) => i.into(),
        }
    }
}

/// What receives the canonical view of a typed event key by key, in the order of its
/// declaration: `type`, `event`, every declared key, then the derived values (`outcome`, ...).
/// A JSON object is one ([`Event::to_value`]); a binding makes its own language's object with
/// another, without a JSON value in between.
pub trait ViewSink {
    /// The value of `key` (a key of the view: snake_case, as [`Event::to_value`] has it).
    fn put(&mut self, key: &'static str, value: ViewValue<'_>);
}

impl ViewSink for Map<String, Value> {
    fn put(&mut self, key: &'static str, value: ViewValue<'_>) {
        self.insert(key.to_owned(), value.into());
    }
}

/// A typed field's value as a [`ViewValue`].
pub(crate) trait AsView {
    fn as_view(&self) -> ViewValue<'_>;
}

impl AsView for String {
    fn as_view(&self) -> ViewValue<'_> {
        ViewValue::Str(self)
    }
}

impl AsView for &str {
    fn as_view(&self) -> ViewValue<'_> {
        ViewValue::Str(self)
    }
}

impl AsView for i64 {
    fn as_view(&self) -> ViewValue<'_> {
        ViewValue::Int(*self)
    }
}

/// What a typed event adds to its canonical view beyond its keys (`outcome`, ...).
pub(crate) trait Derived {
    fn put_derived<S: ViewSink + ?Sized>(&self, _m: &mut S) {}
}

impl Derived for DuoCallbackEnd {
    fn put_derived<S: ViewSink + ?Sized>(&self, m: &mut S) {
        m.put("outcome", ViewValue::Str(self.outcome().as_str()));
        m.put("talk_seconds", ViewValue::Int(self.talk_seconds()));
    }
}

impl Derived for NotifyCallEnd {
    fn put_derived<S: ViewSink + ?Sized>(&self, m: &mut S) {
        put(m, "ended_by", &self.ended_by().map(EndedBy::as_str));
    }
}

// The IVR, conference and recording events derive nothing beyond their keys.
impl Derived for IvrCallEnd {}
impl Derived for IvrPlayEnd {}
impl Derived for IvrRecordEnd {}
impl Derived for IvrGetEnd {}
impl Derived for IvrPutEnd {}
impl Derived for IvrDialEnd {}
impl Derived for IvrConnectBegin {}
impl Derived for IvrConnectEnd {}
impl Derived for IvrFormatError {}
impl Derived for ConfCreateSucc {}
impl Derived for ConfEnd {}
impl Derived for ConfJoined {}
impl Derived for ConfJoinFail {}
impl Derived for ConfQuit {}
impl Derived for ConfPlayEnd {}
impl Derived for ConfRecordEnd {}
impl Derived for RecordingUrlGenerate {}
// The call-center and messaging events derive nothing beyond their keys either.
impl Derived for CallcenterQueueSelect {}
impl Derived for CallcenterQueueSuccess {}
impl Derived for CallcenterQueueFail {}
impl Derived for CallcenterAgentStateChanged {}
impl Derived for CallcenterAgentConversationChanged {}
impl Derived for CallcenterConversationBegin {}
impl Derived for CallcenterConversationEnd {}
impl Derived for CallcenterConversationPartsChanged {}
impl Derived for MsgSendingComplete {}
impl Derived for MsgTemplateComplete {}

/// Any event other than the typed ones.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OtherEvent {
    /// The `event` name.
    pub name: String,
    /// Every field of the body, unchanged.
    pub fields: Map<String, Value>,
    /// The body as text.
    pub raw: String,
}

impl Event {
    /// Parses a webhook body, or the `ivr_start` request the platform POSTs to an IVR
    /// application's URL (a body whose `action` is `ivr_start` and which has no `event`), which
    /// gives [`Event::IvrStart`].
    ///
    /// Bodies that are valid UTF-8 are read as UTF-8; others as ISO-8859-1, which is what the
    /// platform really sends. Bodies over 1 MiB, bodies that are not a JSON object, and objects
    /// without a string `event` give a `decode` error.
    ///
    /// ```
    /// let body = br#"{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","answer_time2":1490930420000,"user_data":"order-42","event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}"#;
    /// let yunhuni::Event::DuoCallbackEnd(end) = yunhuni::Event::parse(body).unwrap() else { panic!() };
    /// assert_eq!(end.outcome(), yunhuni::Outcome::Connected);
    /// assert_eq!(end.talk_seconds(), 40);
    /// assert_eq!(end.hangup_by, Some(1));
    /// ```
    pub fn parse(body: &[u8]) -> Result<Event> {
        let text = read_text(body, "event")?;
        let entries = read_fields(&text, "event")?;
        let f = Fields(&entries);
        let name = match f.get("event") {
            Some(Scalar::Str(s)) => s,
            None if matches!(f.get("action"), Some(Scalar::Str(a)) if a == IVR_START.name) => {
                let start = crate::ivr::IvrStart::from_fields(&f, text.to_string())?;
                log::debug!(
                    target: "yunhuni",
                    "ivr_start call_id={}",
                    escape_text(start.call_id.as_deref().unwrap_or("-"))
                );
                return Ok(Event::IvrStart(start));
            }
            None => {
                return Err(Error::decode("event body has no `event` field").with_field("event"))
            }
            Some(other) => {
                return Err(Error::decode(format!(
                    "`event` is {}, not a string",
                    other.type_name()
                ))
                .with_field("event"));
            }
        };
        let event = match Event::parse_typed(name, &f, text.to_string())? {
            Some(event) => event,
            None => {
                let name = name.to_string();
                drop(entries);
                let raw = text.into_owned();
                // Kept whole: the fields as JSON values, read again from the text (which
                // parsed once already) only for the events that are not typed.
                let fields = serde_json::from_str(&raw)
                    .map_err(|e| Error::decode(format!("event body is not valid JSON: {e}")))?;
                Event::Other(OtherEvent { name, fields, raw })
            }
        };
        log::debug!(
            target: "yunhuni",
            "event {} id={}",
            escape_text(event.name()),
            escape_text(event.id().unwrap_or("-"))
        );
        Ok(event)
    }
}

/// Puts a typed field's value (`null` when absent) into a view.
pub(crate) fn put<S: ViewSink + ?Sized, T: AsView>(m: &mut S, key: &'static str, v: &Option<T>) {
    m.put(key, v.as_ref().map_or(ViewValue::Null, AsView::as_view));
}

/// The text of a body the platform POSTs (a webhook event, `ivr_start`): at most
/// [`MAX_EVENT_BYTES`], decoded as UTF-8 (borrowed) or ISO-8859-1; `what` names it in errors.
pub(crate) fn read_text<'a>(body: &'a [u8], what: &str) -> Result<Cow<'a, str>> {
    if body.len() > MAX_EVENT_BYTES {
        return Err(Error::decode(format!(
            "{what} body is {} bytes; at most {MAX_EVENT_BYTES} are accepted",
            body.len()
        )));
    }
    Ok(decode(body))
}

/// The keys of a body's JSON object in the order they came, each with its value as a
/// [`Scalar`] (text borrowed from `raw` unless it has escapes; nested values read and kept
/// only by their type): what the typed events are read from, without a JSON map in between.
/// Text that is not JSON, or not an object, is a `decode` error; `what` names the body.
pub(crate) fn read_fields<'a>(raw: &'a str, what: &str) -> Result<Vec<(Cow<'a, str>, Scalar<'a>)>> {
    if let Some(entries) = flat_object(raw) {
        return Ok(entries);
    }
    match serde_json::from_str::<Body<'a>>(raw) {
        Ok(Body::Object(entries)) => Ok(entries),
        Ok(Body::Not(kind)) => Err(Error::decode(format!(
            "{what} body is {kind}, not a JSON object"
        ))),
        Err(e) => Err(Error::decode(format!("{what} body is not valid JSON: {e}"))),
    }
}

/// The entries of the plainest bodies, which are what the platform sends: one object of
/// strings without escapes, integers (of at most 18 digits, not `-0`), `null`, `true` and
/// `false`, with JSON's white space. `None` for anything else (valid or not), which serde_json
/// reads, and names the fault of; what this accepts, serde_json reads the same (a test
/// compares them).
fn flat_object(raw: &str) -> Option<Vec<(Cow<'_, str>, Scalar<'_>)>> {
    let b = raw.as_bytes();
    let mut i = 0;
    let ws = |i: &mut usize| {
        while matches!(b.get(*i), Some(b' ' | b'\n' | b'\t' | b'\r')) {
            *i += 1;
        }
    };
    // A string's text after its opening quote, up to its closing one.
    let string = |i: &mut usize| -> Option<&str> {
        let start = *i;
        // Eight bytes at a time: the first quote, backslash or control among them ends the
        // text or declines it.
        const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        const ONES: u64 = 0x0101_0101_0101_0101;
        // 0x80 in each byte of `x` that is zero, exactly (no carries between bytes).
        let zeros = |x: u64| !(((x & LOW) + LOW) | x | LOW);
        while let Some(chunk) = b.get(*i..*i + 8) {
            let x = u64::from_le_bytes(chunk.try_into().ok()?);
            let found = zeros(x & (ONES * 0xe0))
                | zeros(x ^ (ONES * u64::from(b'"')))
                | zeros(x ^ (ONES * u64::from(b'\\')));
            if found != 0 {
                *i += (found.trailing_zeros() / 8) as usize;
                break;
            }
            *i += 8;
        }
        loop {
            match *b.get(*i)? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => *i += 1,
            }
        }
        // Both ends are ASCII quotes, so this is a slice of whole characters.
        let text = raw.get(start..*i)?;
        *i += 1;
        Some(text)
    };
    ws(&mut i);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i += 1;
    ws(&mut i);
    let mut entries = Vec::with_capacity(16);
    if b.get(i) == Some(&b'}') {
        i += 1;
    } else {
        loop {
            if b.get(i) != Some(&b'"') {
                return None;
            }
            i += 1;
            let key = string(&mut i)?;
            ws(&mut i);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i += 1;
            ws(&mut i);
            let value = match *b.get(i)? {
                b'"' => {
                    i += 1;
                    Scalar::Str(Cow::Borrowed(string(&mut i)?))
                }
                b'n' if b[i..].starts_with(b"null") => {
                    i += 4;
                    Scalar::Null
                }
                b't' if b[i..].starts_with(b"true") => {
                    i += 4;
                    Scalar::Bool
                }
                b'f' if b[i..].starts_with(b"false") => {
                    i += 5;
                    Scalar::Bool
                }
                b'-' | b'0'..=b'9' => {
                    let negative = b[i] == b'-';
                    let start = i + usize::from(negative);
                    let (mut end, mut n) = (start, 0i64);
                    while let Some(d) = b.get(end).filter(|d| d.is_ascii_digit()) {
                        if end - start == 18 {
                            return None;
                        }
                        n = n * 10 + i64::from(d - b'0');
                        end += 1;
                    }
                    if end == start
                        || (b[start] == b'0' && (end - start > 1 || negative))
                        || matches!(b.get(end), Some(b'.' | b'e' | b'E'))
                    {
                        return None;
                    }
                    i = end;
                    Scalar::Number(if negative {
                        (-n).into()
                    } else {
                        (n as u64).into()
                    })
                }
                _ => return None,
            };
            entries.push((Cow::Borrowed(key), value));
            ws(&mut i);
            match *b.get(i)? {
                b',' => {
                    i += 1;
                    ws(&mut i);
                }
                b'}' => {
                    i += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    ws(&mut i);
    (i == b.len()).then_some(entries)
}

/// UTF-8 when valid, else ISO-8859-1 (each byte is the code point of the same value).
pub(crate) fn decode_text(body: &[u8]) -> String {
    decode(body).into_owned()
}

/// [`decode_text`], borrowed when the body is UTF-8.
fn decode(body: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(body) {
        Ok(s) => Cow::Borrowed(s.strip_prefix('\u{feff}').unwrap_or(s)),
        Err(_) => Cow::Owned(body.iter().map(|&b| char::from(b)).collect()),
    }
}

/// One top-level value of a body, as [`read_fields`] reads it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool,
    Number(Number),
    Str(Cow<'a, str>),
    Array,
    Object,
}

impl Scalar<'_> {
    /// As errors name it: `a string`, `an object`...
    fn type_name(&self) -> &'static str {
        match self {
            Scalar::Null => "null",
            Scalar::Bool => "a boolean",
            Scalar::Number(_) => "a number",
            Scalar::Str(_) => "a string",
            Scalar::Array => "an array",
            Scalar::Object => "an object",
        }
    }
}

/// A whole body: its object's entries, or what it is instead.
enum Body<'a> {
    Object(Vec<(Cow<'a, str>, Scalar<'a>)>),
    Not(&'static str),
}

/// A whole body: its object's entries, else what it is (`a string`, ...).
struct BodyVisitor;

impl<'de> Visitor<'de> for BodyVisitor {
    type Value = Body<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> std::result::Result<Body<'de>, E> {
        Ok(Body::Not(Scalar::Null.type_name()))
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Body<'de>, E> {
        Ok(Body::Not(Scalar::Bool.type_name()))
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Body<'de>, E> {
        Ok(Body::Not("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Body<'de>, E> {
        Ok(Body::Not("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Body<'de>, E> {
        Ok(Body::Not("a number"))
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Body<'de>, E> {
        Ok(Body::Not("a string"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<Body<'de>, A::Error> {
        ScalarVisitor.visit_seq(seq)?;
        Ok(Body::Not(Scalar::Array.type_name()))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Body<'de>, A::Error> {
        let mut entries = Vec::with_capacity(16);
        while let Some((Key(k), v)) = map.next_entry::<Key<'de>, Scalar<'de>>()? {
            entries.push((k, v));
        }
        Ok(Body::Object(entries))
    }
}

impl<'de> Deserialize<'de> for Body<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(BodyVisitor)
    }
}

/// A value in a body's object, read as a [`Scalar`].
struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> std::result::Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }
    fn visit_none<E>(self) -> std::result::Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Scalar<'de>, E> {
        Ok(Scalar::Bool)
    }
    fn visit_i64<E>(self, v: i64) -> std::result::Result<Scalar<'de>, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> std::result::Result<Scalar<'de>, E> {
        Ok(Scalar::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> std::result::Result<Scalar<'de>, E> {
        // As serde_json's own values read it.
        Ok(Number::from_f64(v).map_or(Scalar::Null, Scalar::Number))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Scalar<'de>, E> {
        Ok(Scalar::Str(Cow::Owned(v)))
    }
    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Scalar<'de>, A::Error> {
        // Read as values (not skipped), so that serde_json's limit of nesting holds as for a map.
        while seq.next_element::<Scalar<'de>>()?.is_some() {}
        Ok(Scalar::Array)
    }
    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Scalar<'de>, A::Error> {
        while map.next_entry::<Key<'de>, Scalar<'de>>()?.is_some() {}
        Ok(Scalar::Object)
    }
}

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// An object's key, borrowed from the text unless it has escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Lenient typed access to an event's fields: absent, `null` and `""` are all "not given".
/// Of a key given twice, the last value counts (as in a JSON map).
pub(crate) struct Fields<'a>(pub(crate) &'a [(Cow<'a, str>, Scalar<'a>)]);

impl<'a> Fields<'a> {
    pub(crate) fn get(&self, key: &str) -> Option<&'a Scalar<'a>> {
        // The length and the first byte first: most keys differ there.
        let first = key.as_bytes().first();
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k.len() == key.len() && k.as_bytes().first() == first && k == key)
            .map(|(_, v)| v)
    }

    fn wrong(&self, key: &str, v: &Scalar<'_>, expected: &str) -> Error {
        Error::decode(format!("`{key}` is {}, expected {expected}", v.type_name())).with_field(key)
    }

    pub(crate) fn string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None | Some(Scalar::Null) => Ok(None),
            Some(Scalar::Str(s)) if s.is_empty() => Ok(None),
            Some(Scalar::Str(s)) => Ok(Some(s.to_string())),
            Some(Scalar::Number(n)) => Ok(Some(n.to_string())),
            Some(v) => Err(self.wrong(key, v, "a string")),
        }
    }

    /// An integer given as a JSON number (fractions truncated) or a decimal string.
    pub(crate) fn integer(&self, key: &str) -> Result<Option<i64>> {
        match self.get(key) {
            None | Some(Scalar::Null) => Ok(None),
            Some(Scalar::Str(s)) if s.trim().is_empty() => Ok(None),
            Some(Scalar::Str(s)) => s.trim().parse::<i64>().map(Some).map_err(|_| {
                Error::decode(format!("`{key}` is {}, expected an integer", quote_text(s)))
                    .with_field(key)
            }),
            Some(Scalar::Number(n)) => match n.as_i64() {
                Some(i) => Ok(Some(i)),
                None => match n.as_f64() {
                    Some(f) if f.is_finite() && f.abs() < 9.0e18 => Ok(Some(f.trunc() as i64)),
                    _ => {
                        Err(Error::decode(format!("`{key}` is {n}, out of range")).with_field(key))
                    }
                },
            },
            Some(v) => Err(self.wrong(key, v, "an integer")),
        }
    }

    /// Epoch milliseconds within [`TIME_RANGE_MS`].
    pub(crate) fn time(&self, key: &str) -> Result<Option<i64>> {
        match self.integer(key)? {
            Some(t) if !TIME_RANGE_MS.contains(&t) => Err(Error::decode(format!(
                "`{key}` is {t}, not a time between 1970 and 9999 in epoch milliseconds"
            ))
            .with_field(key)),
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_fallback() {
        let body = b"{\"event\":\"duo_callback.end\",\"user_data\":\"caf\xe9\",\"error\":\"????\"}";
        let Event::DuoCallbackEnd(e) = Event::parse(body).unwrap() else {
            panic!()
        };
        assert_eq!(e.user_data.as_deref(), Some("café"));
        assert_eq!(e.outcome(), Outcome::PlatformFailure);
    }

    #[test]
    fn docs_shape() {
        let body = br#"{"action":"event_notify","event":"notify_call.end","id":"x","subaccount_id":null,
            "begin_time":1491444000000,"end_tinme":1491444040000,"answer_time":1491444008000,"duration":32,
            "hangup_by":0,"reason":null,"error":null,"user_data":"your data"}"#;
        let Event::NotifyCallEnd(e) = Event::parse(body).unwrap() else {
            panic!()
        };
        assert_eq!(e.end_time, Some(1491444040000));
        assert_eq!(e.hangup_by.as_deref(), Some("0"));
        assert_eq!(e.ended_by(), Some(EndedBy::Platform));
    }

    #[test]
    fn hung_up_by_reads_hangup_by() {
        let by = |v: &str| match Event::parse(
            format!(r#"{{"event":"duo_callback.end","hangup_by":{v}}}"#).as_bytes(),
        ) {
            Ok(Event::DuoCallbackEnd(e)) => e.hung_up_by(),
            other => panic!("{other:?}"),
        };
        assert_eq!(by(r#""0""#), Some(HungUpBy::Platform));
        assert_eq!(by("1"), Some(HungUpBy::Party1));
        assert_eq!(by(r#""2""#), Some(HungUpBy::Party2));
        assert_eq!(by("3"), None);
        assert_eq!(by("null"), None);
    }

    #[test]
    fn times_out_of_range_are_decode_errors() {
        for t in ["253402300800000", "-1", "9223372036854775807"] {
            let body = format!(r#"{{"event":"duo_callback.end","end_time":{t}}}"#);
            let err = Event::parse(body.as_bytes()).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Decode, "{t}");
            assert_eq!(err.field(), Some("end_time"));
        }
        let body = br#"{"event":"duo_callback.end","end_time":253402300799999,"begin_time":0}"#;
        assert!(Event::parse(body).is_ok());
    }

    /// What serde_json reads of `raw`, as `read_fields` gives it when the fast path declines.
    fn by_serde(raw: &str) -> Option<Vec<(Cow<'_, str>, Scalar<'_>)>> {
        match serde_json::from_str::<Body<'_>>(raw) {
            Ok(Body::Object(entries)) => Some(entries),
            _ => None,
        }
    }

    /// Whatever the fast path accepts, serde_json reads the same; it declines what it must.
    fn agrees(raw: &str) -> bool {
        match flat_object(raw) {
            Some(fast) => {
                assert_eq!(Some(fast), by_serde(raw), "{raw:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn the_fast_path_reads_every_vector_as_serde_json_does() {
        let text = include_str!("../../tests/vectors/events.json");
        let vectors: Value = serde_json::from_str(text).unwrap();
        let mut fast = 0;
        for case in vectors["cases"].as_array().unwrap() {
            let hex = case["body_hex"].as_str().unwrap();
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            fast += usize::from(agrees(&decode_text(&bytes)));
        }
        // The server's own bodies are flat: most vectors take the fast path.
        assert!(fast > 50, "{fast}");
    }

    #[test]
    fn the_fast_path_declines_what_it_does_not_read() {
        for raw in [
            r#"{"a":-0}"#,
            r#"{"a":01}"#,
            r#"{"a":1.5}"#,
            r#"{"a":1e3}"#,
            r#"{"a":1E3}"#,
            r#"{"a":-}"#,
            r#"{"a":1234567890123456789}"#,
            r#"{"a":"\n"}"#,
            "{\"a\":\"\u{1}\"}",
            r#"{"a\u0062":1}"#,
            r#"{"a":{}}"#,
            r#"{"a":[]}"#,
            r#"{"a":1,}"#,
            r#"{"a":1}x"#,
            r#"{"a":1"#,
            r#"{"a" 1}"#,
            r#"{"a":nul}"#,
            r#"{"a":tru}"#,
            r#"{a:1}"#,
            r#"[1]"#,
            r#""x""#,
            "",
            "{",
            "\u{a0}{}",
        ] {
            assert!(flat_object(raw).is_none(), "{raw:?}");
        }
        for raw in [
            "{}",
            " \t\r\n{ } \n",
            r#"{"a":-123456789012345678,"b":123456789012345678,"c":0,"d":-1}"#,
            r#"{"":null,"t":true,"f":false,"s":"","u":"café ☎ ????"}"#,
            r#"{ "a" : 1 , "a" : "two" }"#,
            r#"{"event":"duo_callback.end","hangup_by":"1"}"#,
        ] {
            assert!(agrees(raw), "{raw:?}");
        }
    }

    #[test]
    fn the_fast_path_agrees_with_serde_json_on_mangled_bodies() {
        let base = br#" {"end_time":1490930460000,"begin_time":-1490930400000,"action":"event_notify","id":"8a2bc6725b1d2e3f0","answer_time2":0,"user_data":"order-42","event":"duo_callback.end","ok":true,"no":false,"x":null,"hangup_by":"1"} "#;
        let alphabet = b" \t\n{}[]:,\"\\-0123456789.eEtrufalsn\x01\xe9a";
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut fast, mut declined) = (0, 0);
        for _ in 0..20_000 {
            let mut body = base.to_vec();
            for _ in 0..1 + next(3) {
                let at = next(body.len());
                match next(3) {
                    0 => body[at] = alphabet[next(alphabet.len())],
                    1 => body.insert(at, alphabet[next(alphabet.len())]),
                    _ => {
                        body.remove(at);
                    }
                }
            }
            let raw = decode_text(&body);
            if agrees(&raw) {
                fast += 1;
            } else {
                declined += 1;
            }
        }
        assert!(fast > 1000 && declined > 1000, "{fast} {declined}");
    }

    #[test]
    fn nesting_beyond_serde_jsons_limit_is_refused_as_before() {
        for (open, close) in [("[", "]"), ("{\"k\":", "}")] {
            let deep = format!(
                r#"{{"event":"duo_callback.end","x":{}1{}}}"#,
                open.repeat(200),
                close.repeat(200)
            );
            let err = Event::parse(deep.as_bytes()).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Decode);
            assert!(err.to_string().contains("recursion limit"), "{err}");
            let fine = format!(
                r#"{{"event":"duo_callback.end","x":{}1{}}}"#,
                open.repeat(100),
                close.repeat(100)
            );
            assert!(Event::parse(fine.as_bytes()).is_ok());
        }
    }

    #[test]
    fn wrong_types_name_the_field() {
        let err = Event::parse(br#"{"event":"duo_callback.end","hangup_by":true}"#).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Decode);
        assert_eq!(err.field(), Some("hangup_by"));
        let err = Event::parse(br#"{"event":5}"#).unwrap_err();
        assert_eq!(err.field(), Some("event"));
        assert!(Event::parse(&vec![b' '; MAX_EVENT_BYTES + 1]).is_err());
    }
}
