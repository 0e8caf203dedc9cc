//! Reading request bodies as leniently as the platform's JSON binding does (platform notes §2.1).
//!
//! Unknown fields are ignored; numbers and booleans are accepted for string fields; numeric
//! strings for integer fields (trimmed; empty or `"null"` meaning null); floats are truncated
//! for integer fields; `0`/`1` for booleans; an explicit `null` replaces the field's default.
//! A value of the wrong shape (an object for a string, `"abc"` for an integer) is a mapping
//! error (`000001`); JSON that cannot be parsed at all is a parse error (`000002`).

use serde_json::value::RawValue;
use std::collections::HashMap;

/// Why a body could not be bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BindError {
    /// The JSON is malformed or the body is missing (`000002`).
    Parse,
    /// The JSON is well formed but a value does not fit its field (`000001`).
    Mapping,
}

/// A field as found in the body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Field<T> {
    /// The key is not in the object: the field keeps its default.
    Absent,
    /// The key is there with `null` (or a value that binds to null): the default is replaced.
    Null,
    /// A value.
    Value(T),
}

impl<T> Field<T> {
    /// The value, with `default` when absent; `None` when explicitly null.
    pub(crate) fn or_default(self, default: T) -> Option<T> {
        match self {
            Field::Absent => Some(default),
            Field::Null => None,
            Field::Value(v) => Some(v),
        }
    }

    /// The value, `None` when absent or null.
    pub(crate) fn value(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// An item of an untyped list (`play_content` rows hold these).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Null,
    Text(String),
    Integer(String),
    Float(f64),
    Bool(bool),
    Composite(String),
}

impl Item {
    /// The item's text as the platform would print it; `None` for null.
    pub(crate) fn text(&self) -> Option<String> {
        match self {
            Item::Null => None,
            Item::Text(s) | Item::Composite(s) => Some(s.clone()),
            Item::Integer(s) => Some(
                s.parse::<i128>()
                    .map_or_else(|_| s.clone(), |n| n.to_string()),
            ),
            Item::Float(f) => Some(if f.fract() == 0.0 && f.abs() < 1.0e7 {
                format!("{f:.1}")
            } else {
                format!("{f}")
            }),
            Item::Bool(b) => Some(b.to_string()),
        }
    }
}

/// A JSON object body, its values kept as raw JSON text.
#[derive(Debug)]
pub(crate) struct JsonObject {
    fields: HashMap<String, Box<RawValue>>,
}

/// Trims as the platform does: every char up to U+0020 at either end.
pub(crate) fn platform_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Whether a string is blank in the platform's sense (empty after `platform_trim`).
pub(crate) fn is_blank(s: &str) -> bool {
    platform_trim(s).is_empty()
}

/// Parses a body that must be a JSON object.
///
/// Like the platform: an empty body, malformed JSON or a bare `null` is [`BindError::Parse`];
/// whitespace only or any other JSON value (array, string, number) is [`BindError::Mapping`].
/// Anything after the first complete JSON value is ignored.
pub(crate) fn parse_object(body: &[u8]) -> Result<JsonObject, BindError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if body.is_empty() {
        return Err(BindError::Parse);
    }
    if body
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    {
        return Err(BindError::Mapping);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let raw: Box<RawValue> =
        serde::Deserialize::deserialize(&mut de).map_err(|_| BindError::Parse)?;
    match raw.get().as_bytes().first() {
        Some(b'{') => {
            let fields: HashMap<String, Box<RawValue>> =
                serde_json::from_str(raw.get()).map_err(|_| BindError::Parse)?;
            Ok(JsonObject { fields })
        }
        Some(b'n') => Err(BindError::Parse),
        _ => Err(BindError::Mapping),
    }
}

fn first_byte(raw: &RawValue) -> u8 {
    raw.get().as_bytes().first().copied().unwrap_or(b'n')
}

fn is_float_text(text: &str) -> bool {
    text.contains(['.', 'e', 'E'])
}

/// Parses a 32-bit integer as the platform does: an optional sign, then one or more ASCII
/// digits, in range.
pub(crate) fn parse_int(s: &str) -> Option<i32> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i32>().ok()
}

/// Parses a floating-point number as the platform does, near enough: trimmed decimal or
/// exponent notation, an optional `d`/`f` suffix, `NaN` and `Infinity`.
pub(crate) fn parse_double(s: &str) -> Option<f64> {
    let t = platform_trim(s);
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if unsigned == "NaN" || unsigned == "Infinity" {
        return Some(0.0);
    }
    let t = t.strip_suffix(['d', 'D', 'f', 'F']).unwrap_or(t);
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let ok_chars = unsigned
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !ok_chars || !unsigned.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<f64>().ok()
}

impl JsonObject {
    fn raw(&self, key: &str) -> Option<&RawValue> {
        self.fields.get(key).map(|b| &**b)
    }

    /// The first byte of a value's JSON text (`"`, `{`, `n`, ...), `None` when absent.
    pub(crate) fn first_byte(&self, key: &str) -> Option<u8> {
        self.raw(key).map(first_byte)
    }

    /// A string field: strings as they are, numbers as written, booleans as `true`/`false`.
    pub(crate) fn string(&self, key: &str) -> Result<Field<String>, BindError> {
        let Some(raw) = self.raw(key) else {
            return Ok(Field::Absent);
        };
        match first_byte(raw) {
            b'"' => serde_json::from_str(raw.get())
                .map(Field::Value)
                .map_err(|_| BindError::Parse),
            b'n' => Ok(Field::Null),
            b't' => Ok(Field::Value("true".into())),
            b'f' => Ok(Field::Value("false".into())),
            b'{' | b'[' => Err(BindError::Mapping),
            _ => Ok(Field::Value(raw.get().to_owned())),
        }
    }

    /// An integer field (32-bit): integers, truncated floats, numeric strings.
    pub(crate) fn int(&self, key: &str) -> Result<Field<i32>, BindError> {
        let Some(raw) = self.raw(key) else {
            return Ok(Field::Absent);
        };
        match first_byte(raw) {
            b'n' => Ok(Field::Null),
            b'"' => {
                let s: String = serde_json::from_str(raw.get()).map_err(|_| BindError::Parse)?;
                let t = platform_trim(&s);
                if t.is_empty() || t == "null" {
                    return Ok(Field::Null);
                }
                parse_int(t).map(Field::Value).ok_or(BindError::Mapping)
            }
            b'-' | b'0'..=b'9' => {
                let text = raw.get();
                if is_float_text(text) {
                    let f: f64 = text.parse().map_err(|_| BindError::Parse)?;
                    if !(-2_147_483_648.0..=2_147_483_647.0).contains(&f) {
                        return Err(BindError::Mapping);
                    }
                    Ok(Field::Value(f.trunc() as i32))
                } else {
                    text.parse::<i32>()
                        .map(Field::Value)
                        .map_err(|_| BindError::Mapping)
                }
            }
            _ => Err(BindError::Mapping),
        }
    }

    /// A boolean field: `true`/`false`, integers (non-zero is true), `"true"`/`"false"`.
    pub(crate) fn boolean(&self, key: &str) -> Result<Field<bool>, BindError> {
        let Some(raw) = self.raw(key) else {
            return Ok(Field::Absent);
        };
        match first_byte(raw) {
            b'n' => Ok(Field::Null),
            b't' => Ok(Field::Value(true)),
            b'f' => Ok(Field::Value(false)),
            b'"' => {
                let s: String = serde_json::from_str(raw.get()).map_err(|_| BindError::Parse)?;
                match platform_trim(&s) {
                    "" | "null" => Ok(Field::Null),
                    "true" | "True" => Ok(Field::Value(true)),
                    "false" | "False" => Ok(Field::Value(false)),
                    _ => Err(BindError::Mapping),
                }
            }
            b'-' | b'0'..=b'9' if !is_float_text(raw.get()) => Ok(Field::Value(
                !raw.get().trim_start_matches(['-', '0']).is_empty(),
            )),
            _ => Err(BindError::Mapping),
        }
    }

    /// A list of lists of untyped items; `None` rows are JSON nulls.
    pub(crate) fn rows(&self, key: &str) -> Result<Field<Vec<Option<Vec<Item>>>>, BindError> {
        let Some(raw) = self.raw(key) else {
            return Ok(Field::Absent);
        };
        match first_byte(raw) {
            b'n' => return Ok(Field::Null),
            b'[' => {}
            _ => return Err(BindError::Mapping),
        }
        let rows: Vec<Box<RawValue>> =
            serde_json::from_str(raw.get()).map_err(|_| BindError::Parse)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            match first_byte(&row) {
                b'n' => out.push(None),
                b'[' => {
                    let items: Vec<Box<RawValue>> =
                        serde_json::from_str(row.get()).map_err(|_| BindError::Parse)?;
                    out.push(Some(
                        items.iter().map(|i| item(i)).collect::<Result<_, _>>()?,
                    ));
                }
                _ => return Err(BindError::Mapping),
            }
        }
        Ok(Field::Value(out))
    }
}

fn item(raw: &RawValue) -> Result<Item, BindError> {
    let text = raw.get();
    Ok(match first_byte(raw) {
        b'n' => Item::Null,
        b't' => Item::Bool(true),
        b'f' => Item::Bool(false),
        b'"' => Item::Text(serde_json::from_str(text).map_err(|_| BindError::Parse)?),
        b'{' | b'[' => Item::Composite(text.to_owned()),
        _ if is_float_text(text) => Item::Float(text.parse().map_err(|_| BindError::Parse)?),
        _ => Item::Integer(text.to_owned()),
    })
}

/// Whether `text` parses with one of the date patterns (`yyyy-MM-dd HH:mm:ss` style) leniently:
/// each letter run is a number of one or more digits, everything else must match exactly, and
/// the whole text must be consumed.
pub(crate) fn matches_date_patterns(text: &str, patterns: &[&str]) -> bool {
    patterns
        .iter()
        .any(|p| matches_pattern(text.as_bytes(), p.as_bytes()))
}

fn matches_pattern(text: &[u8], pattern: &[u8]) -> bool {
    let (mut t, mut p) = (0, 0);
    while p < pattern.len() {
        if pattern[p].is_ascii_alphabetic() {
            let letter = pattern[p];
            while p < pattern.len() && pattern[p] == letter {
                p += 1;
            }
            let start = t;
            while t < text.len() && text[t].is_ascii_digit() {
                t += 1;
            }
            if t == start {
                return false;
            }
        } else {
            if t >= text.len() || text[t] != pattern[p] {
                return false;
            }
            t += 1;
            p += 1;
        }
    }
    t == text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(json: &str) -> JsonObject {
        parse_object(json.as_bytes()).unwrap()
    }

    #[test]
    fn top_level() {
        assert_eq!(parse_object(b"").unwrap_err(), BindError::Parse);
        assert_eq!(parse_object(b"{").unwrap_err(), BindError::Parse);
        assert_eq!(parse_object(b"null").unwrap_err(), BindError::Parse);
        assert_eq!(parse_object(b"  \n").unwrap_err(), BindError::Mapping);
        assert_eq!(parse_object(b"[1]").unwrap_err(), BindError::Mapping);
        assert_eq!(parse_object(b"\"x\"").unwrap_err(), BindError::Mapping);
        assert_eq!(parse_object(b"12").unwrap_err(), BindError::Mapping);
        assert!(parse_object(b"{\"a\":1} trailing").is_ok());
        assert_eq!(obj(r#"{"a":1,"a":2}"#).int("a"), Ok(Field::Value(2)));
    }

    #[test]
    fn strings() {
        let o = obj(r#"{"s":"x","n":13800000001,"f":1.50,"t":true,"z":null,"o":{},"a":[]}"#);
        assert_eq!(o.string("s"), Ok(Field::Value("x".into())));
        assert_eq!(o.string("n"), Ok(Field::Value("13800000001".into())));
        assert_eq!(o.string("f"), Ok(Field::Value("1.50".into())));
        assert_eq!(o.string("t"), Ok(Field::Value("true".into())));
        assert_eq!(o.string("z"), Ok(Field::Null));
        assert_eq!(o.string("missing"), Ok(Field::Absent));
        assert_eq!(o.string("o"), Err(BindError::Mapping));
        assert_eq!(o.string("a"), Err(BindError::Mapping));
    }

    #[test]
    fn integers() {
        let o = obj(
            r#"{"a":5,"b":"50","c":5.9,"d":-0.5,"e":" 7 ","f":"","g":"null","h":"abc","i":"5.5","j":true,"k":3000000000,"l":"+4","m":1e2}"#,
        );
        assert_eq!(o.int("a"), Ok(Field::Value(5)));
        assert_eq!(o.int("b"), Ok(Field::Value(50)));
        assert_eq!(o.int("c"), Ok(Field::Value(5)));
        assert_eq!(o.int("d"), Ok(Field::Value(0)));
        assert_eq!(o.int("e"), Ok(Field::Value(7)));
        assert_eq!(o.int("f"), Ok(Field::Null));
        assert_eq!(o.int("g"), Ok(Field::Null));
        assert_eq!(o.int("h"), Err(BindError::Mapping));
        assert_eq!(o.int("i"), Err(BindError::Mapping));
        assert_eq!(o.int("j"), Err(BindError::Mapping));
        assert_eq!(o.int("k"), Err(BindError::Mapping));
        assert_eq!(o.int("l"), Ok(Field::Value(4)));
        assert_eq!(o.int("m"), Ok(Field::Value(100)));
    }

    #[test]
    fn booleans() {
        let o = obj(r#"{"a":0,"b":1,"c":"true","d":"yes","e":1.0,"f":true}"#);
        assert_eq!(o.boolean("a"), Ok(Field::Value(false)));
        assert_eq!(o.boolean("b"), Ok(Field::Value(true)));
        assert_eq!(o.boolean("c"), Ok(Field::Value(true)));
        assert_eq!(o.boolean("d"), Err(BindError::Mapping));
        assert_eq!(o.boolean("e"), Err(BindError::Mapping));
        assert_eq!(o.boolean("f"), Ok(Field::Value(true)));
    }

    #[test]
    fn rows_and_dates() {
        let o = obj(r#"{"p":[["a",0],null,[1.0,"2"]],"q":"x","r":[1]}"#);
        let rows = o.rows("p").unwrap().value().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].as_ref().unwrap()[0], Item::Text("a".into()));
        assert_eq!(rows[2].as_ref().unwrap()[0].text().as_deref(), Some("1.0"));
        assert_eq!(o.rows("q"), Err(BindError::Mapping));
        assert_eq!(o.rows("r"), Err(BindError::Mapping));
        let formats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd", "HH:mm"];
        assert!(matches_date_patterns("2017-3-1 12:00:00", &formats));
        assert!(matches_date_patterns("2017-03-01", &formats));
        assert!(matches_date_patterns("12:30", &formats));
        assert!(!matches_date_patterns("12:30:", &formats));
        assert!(!matches_date_patterns("tomorrow", &formats));
    }
}
