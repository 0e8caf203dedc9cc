//! The requests the platform sends to an IVR application: `ivr_start` (a POSTed JSON body)
//! and the request to a `<next>` URL (a GET whose query carries the action's results).

use super::decl::Element;
use super::table::{ELEMENTS, IVR_NEXT, IVR_START};
use crate::error::{escape_text, quote_text, Error, Result};
use crate::events::{decode_text, put, read_fields, read_text, Fields};
use serde_json::{Map, Value};

/// The largest `<next>` query [`IvrNext::parse`] accepts.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;

/// How an IVR call started (`type` of `ivr_start`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IvrStartKind {
    /// `ivr_call`: the platform called the customer for you (`ivr_call`); the call is answered.
    Call,
    /// `ivr_incoming`: the customer called one of your numbers. The call is not answered yet:
    /// a `<hangup>` rejects it, any other action answers it first.
    Incoming,
}

impl IvrStartKind {
    /// `ivr_call` or `ivr_incoming`, as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            IvrStartKind::Call => "ivr_call",
            IvrStartKind::Incoming => "ivr_incoming",
        }
    }
}

/// The `ivr_start` request: an IVR call starts, and the platform asks for its first document.
///
/// The platform POSTs it to your application's URL as JSON (`Content-Type:
/// application/json;charset=utf-8`, the bytes ISO-8859-1 like its webhooks), unsigned, and
/// waits up to 5 seconds for HTTP 200 with the document; it tries 4 times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IvrStart {
    /// The call's id (`call_id`).
    pub call_id: Option<String>,
    /// How the call started (`type`).
    pub kind: Option<IvrStartKind>,
    /// The customer's number: the called party of `ivr_call`, the caller of an inbound call.
    pub from: Option<String>,
    /// The sub-account of the call; absent for the primary account.
    pub subaccount_id: Option<String>,
    /// The `user_data` given to `ivr_call` (absent for inbound calls).
    pub user_data: Option<String>,
    /// The body as text (UTF-8, or ISO-8859-1 when it is not UTF-8).
    pub raw: String,
}

impl IvrStart {
    /// Parses an `ivr_start` body as the real server sends it (strings or numbers, absent or
    /// `null` keys, ISO-8859-1 bytes) and as the docs show it. A body over 1 MiB, not a JSON
    /// object, whose `action` is not `ivr_start` (a webhook event, for instance), or whose
    /// `type` is neither `ivr_call` nor `ivr_incoming` is a `decode` error naming the key.
    ///
    /// ```
    /// use yunhuni::ivr::{IvrStart, IvrStartKind};
    ///
    /// let body = br#"{"action":"ivr_start","from":"13800000001","type":"ivr_incoming","call_id":"8a2bc6725b1d2e3f015b1d2f40a10001"}"#;
    /// let start = IvrStart::parse(body)?;
    /// assert_eq!(start.kind, Some(IvrStartKind::Incoming));
    /// assert_eq!(start.from.as_deref(), Some("13800000001"));
    /// # Ok::<(), yunhuni::Error>(())
    /// ```
    pub fn parse(body: &[u8]) -> Result<IvrStart> {
        let text = read_text(body, "ivr_start")?;
        let entries = read_fields(&text, "ivr_start")?;
        IvrStart::from_fields(&Fields(&entries), text.to_string())
    }

    /// The request from its body, already read as a JSON object's fields (by
    /// [`IvrStart::parse`], or by [`Event::parse`](crate::Event::parse) for a body whose
    /// `action` is `ivr_start`).
    pub(crate) fn from_fields(f: &Fields<'_>, raw: String) -> Result<IvrStart> {
        match f.string("action")?.as_deref() {
            Some("ivr_start") => {}
            other => {
                let what = match (other, f.string("event").ok().flatten()) {
                    (_, Some(event)) => format!(
                        "this is the event {} (parse it with Event::parse), not an ivr_start request",
                        quote_text(&event)
                    ),
                    (Some(action), None) => {
                        format!("`action` is {}, not \"ivr_start\"", quote_text(action))
                    }
                    (None, None) => "the body has no `action`: \"ivr_start\" expected".into(),
                };
                return Err(Error::decode(what).with_field("action"));
            }
        }
        let kind = match f.string("type")?.as_deref() {
            None => None,
            Some("ivr_call") => Some(IvrStartKind::Call),
            Some("ivr_incoming") => Some(IvrStartKind::Incoming),
            Some(other) => {
                return Err(Error::decode(format!(
                    "`type` is {}, not \"ivr_call\" or \"ivr_incoming\"",
                    quote_text(other)
                ))
                .with_field("type"))
            }
        };
        Ok(IvrStart {
            call_id: f.string("call_id")?,
            kind,
            from: f.string("from")?,
            subaccount_id: f.string("subaccount_id")?,
            user_data: f.string("user_data")?,
            raw,
        })
    }

    /// True for a call someone made to one of your numbers (not yet answered).
    pub fn is_inbound(&self) -> bool {
        self.kind == Some(IvrStartKind::Incoming)
    }

    /// The same canonical view in every language: `{"type": "ivr_start", ...}` with every key
    /// of [`IVR_START`] by its typed name (`null` when absent). The `expect` of the
    /// `ivr_start` cases of `tests/vectors/ivr.json`.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), IVR_START.name.into());
        for key in IVR_START.keys {
            let v = match key.name {
                "call_id" => self.call_id.clone(),
                "kind" => self.kind.map(|k| k.as_str().to_owned()),
                "from" => self.from.clone(),
                "subaccount_id" => self.subaccount_id.clone(),
                "user_data" => self.user_data.clone(),
                _ => None,
            };
            put(&mut m, key.name, &v);
        }
        Value::Object(m)
    }
}

/// The action a `<next>` request follows (`type`): an action element of [`ELEMENTS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Action(&'static Element);

impl Action {
    /// The action called `name` (`play`, `get`, ...).
    pub fn from_name(name: &str) -> Option<Action> {
        ELEMENTS
            .iter()
            .find(|e| e.action && e.name == name)
            .map(Action)
    }

    /// Its name: `play`, `playlist`, `get`, `record`, `send_dtmf`, `pause`, `dial`,
    /// `enqueue` (or `hangup`, which no request follows).
    pub fn as_str(self) -> &'static str {
        self.0.name
    }

    /// Its declaration.
    pub fn element(self) -> &'static Element {
        self.0
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The request to a `<next>` URL: the action of the previous document completed, and the
/// platform asks for the next document.
///
/// The platform GETs the URL with its own parameters added after the URL's own: `call_id`,
/// `type` (the action that ran), then the action's results: `keys` after `<get>`,
/// `record_id` after `<record>`, and `error` when it failed. The URL's own parameters are in
/// [`IvrNext::params`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IvrNext {
    /// The call's id (`call_id`; the docs do not show it, the server always sends it).
    pub call_id: Option<String>,
    /// The action that ran (`type`).
    pub action: Option<Action>,
    /// After `<get>`: the keys pressed, without the finish key; absent when none was.
    pub keys: Option<String>,
    /// After `<record>`: the recording's id.
    pub record_id: Option<String>,
    /// What failed (`play error`, `receive error`, `record error`, `send error`, `dial error`,
    /// the engine's text, or `timeout`/`error` after `<enqueue>`); absent on success.
    pub error: Option<String>,
    /// The other parameters (the URL's own, from your `<next>`), decoded, in order.
    pub params: Vec<(String, String)>,
    /// The query as text.
    pub raw: String,
}

/// Parses the query of a `<next>` request (see [`IvrNext::parse`]).
///
/// ```
/// let next = yunhuni::ivr::parse_ivr_next(
///     "step=menu&call_id=8a2bc6725b1d2e3f015b1d2f40a10001&type=get&keys=2",
/// )?;
/// assert_eq!(next.action.map(|a| a.as_str()), Some("get"));
/// assert_eq!(next.keys.as_deref(), Some("2"));
/// assert_eq!(next.param("step"), Some("menu"));
/// assert!(next.succeeded());
/// # Ok::<(), yunhuni::Error>(())
/// ```
pub fn parse_ivr_next(query: &str) -> Result<IvrNext> {
    IvrNext::parse(query.as_bytes())
}

impl IvrNext {
    /// Parses the query of a `<next>` request: the query alone (with or without its `?`), or
    /// the request target or URL it ends (`/ivr/next?call_id=...`, `https://...?...`).
    ///
    /// Names and values are form-decoded (`+` is a space, `%XX` a byte); the bytes of each are
    /// read as UTF-8, or as ISO-8859-1 when they are not UTF-8. Empty values are absent. When a
    /// name of the platform's appears more than once, the last is the platform's (it adds its
    /// parameters after the URL's own) and the others stay in [`IvrNext::params`]. A query
    /// over 64 KiB, a `%` not followed by two hex digits, or a `type` that is not an action is
    /// a `decode` error naming the key.
    pub fn parse(query: &[u8]) -> Result<IvrNext> {
        if query.len() > MAX_QUERY_BYTES {
            return Err(Error::decode(format!(
                "next request query is {} bytes; at most {MAX_QUERY_BYTES} are accepted",
                query.len()
            )));
        }
        let raw = decode_text(query);
        let query = query_part(query);
        let mut pairs: Vec<(String, String)> = Vec::new();
        for piece in query.split(|&b| b == b'&') {
            if piece.is_empty() {
                continue;
            }
            let (name, value) = match piece.iter().position(|&b| b == b'=') {
                Some(at) => (&piece[..at], &piece[at + 1..]),
                None => (piece, &piece[piece.len()..]),
            };
            let name = form_decode(name).map_err(|m| {
                Error::decode(format!("a parameter name {m}")).with_field(lossy(name))
            })?;
            let value = form_decode(value).map_err(|m| {
                Error::decode(format!("`{}` {m}", escape_text(&name))).with_field(name.clone())
            })?;
            pairs.push((name, value));
        }
        let mut next = IvrNext {
            raw,
            ..IvrNext::default()
        };
        let last = |wire: &str| pairs.iter().rposition(|(n, _)| n == wire);
        let mut taken = Vec::new();
        for key in IVR_NEXT.keys {
            let Some(at) = last(key.wire) else { continue };
            taken.push(at);
            let value = Some(pairs[at].1.clone()).filter(|v| !v.is_empty());
            match key.name {
                "call_id" => next.call_id = value,
                "keys" => next.keys = value,
                "record_id" => next.record_id = value,
                "error" => next.error = value,
                "action" => {
                    next.action = match value {
                        None => None,
                        Some(v) => Some(Action::from_name(&v).ok_or_else(|| {
                            Error::decode(format!(
                                "`type` is {}, not an action of the platform",
                                quote_text(&v)
                            ))
                            .with_field(key.wire)
                        })?),
                    }
                }
                _ => {}
            }
        }
        next.params = pairs
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !taken.contains(i))
            .map(|(_, p)| p)
            .collect();
        Ok(next)
    }

    /// True when the action succeeded (no `error`).
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }

    /// The first of the URL's own parameters called `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The same canonical view in every language: `{"type": "ivr_next", ...}` with every key of
    /// [`IVR_NEXT`] by its typed name (`null` when absent) and `params` as `[name, value]`
    /// pairs. The `expect` of the next cases of `tests/vectors/ivr.json`.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("type".into(), IVR_NEXT.name.into());
        for key in IVR_NEXT.keys {
            let v = match key.name {
                "call_id" => self.call_id.clone(),
                "action" => self.action.map(|a| a.as_str().to_owned()),
                "keys" => self.keys.clone(),
                "record_id" => self.record_id.clone(),
                "error" => self.error.clone(),
                _ => None,
            };
            put(&mut m, key.name, &v);
        }
        m.insert(
            "params".into(),
            self.params
                .iter()
                .map(|(n, v)| Value::from(vec![n.clone(), v.clone()]))
                .collect(),
        );
        Value::Object(m)
    }
}

/// The query of `input`: after the first `?` of a request target or URL, before its `#`; a
/// bare query loses a leading `?`.
fn query_part(input: &[u8]) -> &[u8] {
    let lower: Vec<u8> = input.iter().take(8).map(u8::to_ascii_lowercase).collect();
    let is_target = input.first() == Some(&b'/')
        || lower.starts_with(b"http://")
        || lower.starts_with(b"https://");
    if is_target {
        let Some(q) = input.iter().position(|&b| b == b'?') else {
            return &[];
        };
        let rest = &input[q + 1..];
        let end = rest.iter().position(|&b| b == b'#').unwrap_or(rest.len());
        &rest[..end]
    } else {
        input.strip_prefix(b"?").unwrap_or(input)
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Form-decodes `bytes` (`+` is a space), then reads them as UTF-8, or ISO-8859-1.
fn form_decode(bytes: &[u8]) -> std::result::Result<String, String> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let pair = (
                    bytes.get(i + 1).copied().and_then(hex),
                    bytes.get(i + 2).copied().and_then(hex),
                );
                let (Some(h), Some(l)) = pair else {
                    let end = bytes.len().min(i + 3);
                    return Err(format!(
                        "has a `%` not followed by two hex digits ({})",
                        quote_text(&lossy(&bytes[i..end]))
                    ));
                };
                out.push(h * 16 + l);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Ok(lossy(&out))
}

/// UTF-8 when valid, else ISO-8859-1 (nothing stripped).
fn lossy(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}
