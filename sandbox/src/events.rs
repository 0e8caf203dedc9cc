//! Webhook bodies, byte for byte as the platform writes them (platform notes §4.1, §4.3, §4.4).
//!
//! The platform puts the event's keys in a hash map and serialises it, so the keys appear in
//! the map's iteration order, which is fixed per set of keys; keys without a value are left out,
//! never `null`. The JSON text is then encoded as ISO-8859-1, every character outside Latin-1
//! becoming a single `?`.

/// Wire order of the keys of `duo_callback.end` (normal release).
pub(crate) const DUO_END_ORDER: &[&str] = &[
    "reason",
    "end_time",
    "begin_time",
    "action",
    "subaccount_id",
    "id",
    "answer_time2",
    "user_data",
    "event",
    "answer_time1",
    "error",
    "hangup_by",
];

/// Wire order of the keys of every end event sent when the call engine could not start the
/// call (`error` `调用失败`).
pub(crate) const FAILURE_ORDER: &[&str] = &[
    "action",
    "subaccount_id",
    "id",
    "user_data",
    "event",
    "error",
];

/// Wire order of the keys of `notify_call.end` (normal release of a notify call).
pub(crate) const NOTIFY_END_ORDER: &[&str] = &[
    "answer_time",
    "reason",
    "dropped_by",
    "end_time",
    "begin_time",
    "action",
    "subaccount_id",
    "id",
    "user_data",
    "event",
    "error",
];

/// Wire order of the keys of the normal end of a verify call (sent as `notify_call.end` with
/// `hangup_by`).
pub(crate) const VERIFY_END_ORDER: &[&str] = &[
    "answer_time",
    "reason",
    "end_time",
    "begin_time",
    "action",
    "subaccount_id",
    "id",
    "user_data",
    "event",
    "error",
    "hangup_by",
];

/// The error text of the engine-failure path.
pub(crate) const ENGINE_FAILURE: &str = "调用失败";

/// A value in an event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EventValue {
    Text(String),
    Number(i64),
}

/// An event under construction: keys and values in any order, rendered in wire order.
#[derive(Debug, Clone, Default)]
pub(crate) struct EventMap {
    entries: Vec<(&'static str, EventValue)>,
}

impl EventMap {
    /// Adds a text value unless it is absent or blank (the platform's "put if not empty").
    pub(crate) fn text(&mut self, key: &'static str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            if !crate::lenient::is_blank(v) {
                self.entries.push((key, EventValue::Text(v.to_owned())));
            }
        }
        self
    }

    /// Adds a number unless absent.
    pub(crate) fn number(&mut self, key: &'static str, value: Option<i64>) -> &mut Self {
        if let Some(v) = value {
            self.entries.push((key, EventValue::Number(v)));
        }
        self
    }

    /// Renders the compact JSON text with the keys in `order`; keys not in `order` are dropped.
    pub(crate) fn render(&self, order: &[&str]) -> String {
        let mut out = String::with_capacity(256);
        out.push('{');
        for key in order {
            if let Some((_, value)) = self.entries.iter().find(|(k, _)| k == key) {
                if out.len() > 1 {
                    out.push(',');
                }
                push_json_string(&mut out, key);
                out.push(':');
                match value {
                    EventValue::Text(s) => push_json_string(&mut out, s),
                    EventValue::Number(n) => out.push_str(&n.to_string()),
                }
            }
        }
        out.push('}');
        out
    }
}

/// Appends `s` as a JSON string the way the platform's serialiser escapes it: `"` and `\`,
/// the short escapes `\b \t \n \f \r`, other control characters as `\u00XX` (uppercase hex);
/// everything else, non-ASCII included, as it is.
pub(crate) fn push_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('"');
    // Most text needs no escape: it is written at once.
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{0C}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if u32::from(c) < 0x20 => {
                let b = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[b >> 4]));
                out.push(char::from(HEX[b & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON string literal (see [`push_json_string`]).
pub(crate) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_json_string(&mut out, s);
    out
}

/// Encodes the body: UTF-8 when `utf8`, otherwise ISO-8859-1 with `?` for every character
/// outside Latin-1 (as the platform does).
pub(crate) fn encode_body(json: &str, utf8: bool) -> Vec<u8> {
    if utf8 {
        json.as_bytes().to_vec()
    } else {
        json.chars()
            .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
            .collect()
    }
}

/// Decodes a body for display, in the charset it was encoded with.
pub(crate) fn decode_body(bytes: &[u8], utf8: bool) -> String {
    if utf8 {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_example_is_reproduced() {
        let mut m = EventMap::default();
        m.text("event", Some("duo_callback.end"))
            .text("id", Some("8a2bc6725b1d2e3f015b1d2f40a10001"))
            .text("subaccount_id", None)
            .number("begin_time", Some(1_490_930_400_000))
            .number("answer_time1", Some(1_490_930_410_000))
            .number("answer_time2", Some(1_490_930_420_000))
            .number("end_time", Some(1_490_930_460_000))
            .text("hangup_by", Some("1"))
            .text("error", None)
            .text("user_data", Some("order-42"))
            .text("action", Some("event_notify"));
        assert_eq!(
            m.render(DUO_END_ORDER),
            r#"{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","answer_time2":1490930420000,"user_data":"order-42","event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}"#
        );
    }

    #[test]
    fn blank_text_is_omitted_and_escapes_match() {
        let mut m = EventMap::default();
        m.text("user_data", Some("  \t"))
            .text("id", Some("x\"\\\n\u{1f}é"));
        assert_eq!(m.render(FAILURE_ORDER), "{\"id\":\"x\\\"\\\\\\n\\u001Fé\"}");
    }

    #[test]
    fn latin1_encoding() {
        assert_eq!(encode_body("a调用失败é😀", false), b"a????\xE9?".to_vec());
        assert_eq!(encode_body("é", true), "é".as_bytes().to_vec());
        assert_eq!(decode_body(b"\xE9?", false), "é?");
    }
}
