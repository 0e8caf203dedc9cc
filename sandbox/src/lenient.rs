//! Reading request bodies as the platform's JSON binding does (platform notes §2.1).
//!
//! Unknown fields are ignored; numbers and booleans are accepted for string fields; numeric
//! strings for integer fields (trimmed; empty or `"null"` meaning null); floats are truncated
//! for integer fields; `0`/`1` for booleans; an explicit `null` replaces the field's default.
//! A value of the wrong shape (an object for a string, `"abc"` for an integer) is a mapping
//! error (`000001`); malformed JSON is a parse error (`000002`), except where the binding reads
//! it: the body is read field by field in order, and the text of a string value is only
//! decoded when a field of the request reads it, so a syntax error inside the string value of
//! a known field (a bad escape, a raw control character, invalid UTF-8, the end of the body)
//! is a mapping error, as is any syntax error inside a known list field (`play_content`). The
//! first error in the body decides. Untyped bodies (`duo_callback_cancel`) have no known
//! field. Anything after the object is ignored.

use std::borrow::Cow;
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
            Item::Float(f) => Some(java_double_text(*f)),
            Item::Bool(b) => Some(b.to_string()),
        }
    }
}

/// A double as Java's `Double.toString` writes it: plain decimals with at least one digit after
/// the point from 10^-3 to 10^7, `1.0E7` notation outside.
fn java_double_text(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let plain = f == 0.0 || (1.0e-3..1.0e7).contains(&f.abs());
    if plain {
        let text = format!("{f}");
        if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        }
    } else {
        let text = format!("{f:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        if mantissa.contains('.') {
            format!("{mantissa}E{exponent}")
        } else {
            format!("{mantissa}.0E{exponent}")
        }
    }
}

/// A JSON value as the binding keeps it. Arrays are kept as values two levels deep (a
/// list of rows of items); deeper arrays and every object are kept as their text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    /// A number, as written.
    Number(String),
    Text(String),
    Array(Vec<Value>),
    /// An object, or an array nested too deep to matter, as its JSON text.
    Composite(String),
}

/// The type of a known field of a request DTO.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A list of objects (`List<SomeDto>`), each item an object or null.
    Objects,
    Text,
    Int,
    Bool,
    /// A list of lists of untyped items (`play_content`).
    Rows,
    /// A list of strings (`List<String>`: strings, numbers and booleans as text, nulls kept).
    Texts,
}

/// The known fields of a request body, or `None` for an untyped map.
pub(crate) type Schema = Option<&'static [(&'static str, Kind)]>;

/// A JSON object body.
#[derive(Debug)]
pub(crate) struct JsonObject {
    /// The known fields found, under the schema's names (a few: searched in order).
    known: Vec<(&'static str, Value)>,
    /// Every other field (the body chooses these keys: a map with the standard hasher).
    others: HashMap<String, Value>,
}

/// Trims as the platform does: every char up to U+0020 at either end.
pub(crate) fn platform_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Whether a string is blank in the platform's sense (empty after `platform_trim`).
pub(crate) fn is_blank(s: &str) -> bool {
    platform_trim(s).is_empty()
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

/// Parses a body that must be a JSON object with the given known fields.
///
/// Like the platform: an empty body, a bare `null` or malformed JSON outside the known fields
/// is [`BindError::Parse`]; whitespace only or any other JSON value (array, string, number) is
/// [`BindError::Mapping`], as is a value a known field cannot take.
pub(crate) fn parse_object(body: &[u8], schema: Schema) -> Result<JsonObject, BindError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    if body.is_empty() {
        return Err(BindError::Parse);
    }
    let mut sc = Scanner { b: body, i: 0 };
    sc.ws();
    let parse = |_: Syntax| BindError::Parse;
    match sc.peek() {
        None => Err(BindError::Mapping),
        Some(b'{') => sc.object(schema),
        Some(b'[') => Err(BindError::Mapping),
        Some(b'"') => {
            sc.string().map_err(parse)?;
            Err(BindError::Mapping)
        }
        Some(b'-' | b'0'..=b'9') => {
            sc.number().map_err(parse)?;
            // A number at the top level must be followed by whitespace or the end.
            match sc.peek() {
                None | Some(b' ' | b'\t' | b'\r' | b'\n') => Err(BindError::Mapping),
                Some(_) => Err(BindError::Parse),
            }
        }
        Some(b't' | b'f' | b'n') => {
            let null = sc.peek() == Some(b'n');
            sc.literal().map_err(parse)?;
            // A word character right after the literal makes it an unknown word.
            match sc.peek() {
                Some(b) if b >= 0x80 || b.is_ascii_alphanumeric() || b == b'_' || b == b'$' => {
                    Err(BindError::Parse)
                }
                // A `null` body is a missing body.
                _ if null => Err(BindError::Parse),
                _ => Err(BindError::Mapping),
            }
        }
        Some(_) => Err(BindError::Parse),
    }
}

/// A syntax error; whether it is a parse or a mapping error depends on where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Syntax;

/// A reader of JSON bytes with the platform parser's grammar: whitespace is space, tab, CR and
/// LF; strings reject raw control characters and unknown escapes, decode UTF-8 as the parser
/// does (overlong forms and encoded surrogates pass; a lone surrogate becomes U+FFFD here);
/// numbers have no leading zeros, no lone `-`, no `.` or exponent without digits.
struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), Syntax> {
        if self.peek() == Some(byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(Syntax)
        }
    }

    /// The top-level object, field by field.
    fn object(&mut self, schema: Schema) -> Result<JsonObject, BindError> {
        let parse = |_: Syntax| BindError::Parse;
        let mut fields = JsonObject {
            known: Vec::new(),
            others: HashMap::new(),
        };
        self.i += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            return Ok(fields);
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(BindError::Parse);
            }
            let key = self.string_ref().map_err(parse)?;
            self.ws();
            self.expect(b':').map_err(parse)?;
            self.ws();
            let known = schema.and_then(|s| s.iter().find(|(k, _)| *k == key));
            match known {
                None => {
                    let value = self.value(2).map_err(parse)?;
                    fields.others.insert(key.into_owned(), value);
                }
                Some(&(name, kind)) => {
                    let value = self.known_value(kind)?;
                    // A repeated key keeps its last value, as a map would.
                    match fields.known.iter_mut().find(|(k, _)| *k == name) {
                        Some(field) => field.1 = value,
                        None => fields.known.push((name, value)),
                    }
                }
            }
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                }
                Some(b'}') => return Ok(fields),
                _ => return Err(BindError::Parse),
            }
        }
    }

    /// The value of a known field: its first token is read by the parser (errors are parse
    /// errors), the rest by the field's binding (errors are mapping errors).
    fn known_value(&mut self, kind: Kind) -> Result<Value, BindError> {
        let mapping = |_: Syntax| BindError::Mapping;
        if kind == Kind::Objects && self.peek() == Some(b'[') {
            let value = self.value(1).map_err(mapping)?;
            check(kind, &value)?;
            return Ok(value);
        }
        let value = match self.peek() {
            Some(b'"') => Value::Text(self.string().map_err(mapping)?),
            Some(b'[') if matches!(kind, Kind::Rows | Kind::Texts) => {
                self.value(2).map_err(mapping)?
            }
            // An object or a list for a scalar (or an object for a list) fails at its first
            // token, before anything inside it is read.
            Some(b'{' | b'[') => return Err(BindError::Mapping),
            _ => self.value(0).map_err(|_| BindError::Parse)?,
        };
        check(kind, &value)?;
        Ok(value)
    }

    /// Any value; arrays are kept as values `depth` levels deep.
    fn value(&mut self, depth: usize) -> Result<Value, Syntax> {
        match self.peek() {
            Some(b'"') => Ok(Value::Text(self.string()?)),
            Some(b'-' | b'0'..=b'9') => Ok(Value::Number(self.number()?)),
            Some(b't' | b'f' | b'n') => {
                let first = self.peek();
                self.literal()?;
                Ok(match first {
                    Some(b't') => Value::Bool(true),
                    Some(b'f') => Value::Bool(false),
                    _ => Value::Null,
                })
            }
            Some(b'[') if depth > 0 => {
                self.i += 1;
                self.ws();
                let mut items = Vec::new();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth - 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => {
                            self.i += 1;
                            self.ws();
                        }
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Value::Array(items));
                        }
                        _ => return Err(Syntax),
                    }
                }
            }
            Some(b'[' | b'{') => {
                let start = self.i;
                self.skip_composite()?;
                Ok(Value::Composite(
                    String::from_utf8_lossy(&self.b[start..self.i]).into_owned(),
                ))
            }
            _ => Err(Syntax),
        }
    }

    /// Skips an array or object of any depth (without recursion), checking its syntax.
    fn skip_composite(&mut self) -> Result<(), Syntax> {
        let mut closers: Vec<u8> = Vec::new();
        'value: loop {
            // A value is expected here.
            match self.peek() {
                Some(b'[') => {
                    self.i += 1;
                    closers.push(b']');
                    self.ws();
                    if self.peek() != Some(b']') {
                        continue 'value;
                    }
                    self.i += 1;
                    closers.pop();
                }
                Some(b'{') => {
                    self.i += 1;
                    closers.push(b'}');
                    self.ws();
                    if self.peek() != Some(b'}') {
                        self.member_name()?;
                        continue 'value;
                    }
                    self.i += 1;
                    closers.pop();
                }
                _ => {
                    self.value(0)?;
                }
            }
            // After a value: a comma or the closer of the innermost open composite.
            loop {
                let Some(&closer) = closers.last() else {
                    return Ok(());
                };
                self.ws();
                match self.peek() {
                    Some(b',') => {
                        self.i += 1;
                        self.ws();
                        if closer == b'}' {
                            self.member_name()?;
                        }
                        continue 'value;
                    }
                    Some(b) if b == closer => {
                        self.i += 1;
                        closers.pop();
                    }
                    _ => return Err(Syntax),
                }
            }
        }
    }

    /// `"name"` and the colon of an object member, and the whitespace after them.
    fn member_name(&mut self) -> Result<(), Syntax> {
        if self.peek() != Some(b'"') {
            return Err(Syntax);
        }
        self.string()?;
        self.ws();
        self.expect(b':')?;
        self.ws();
        Ok(())
    }

    fn literal(&mut self) -> Result<(), Syntax> {
        let word: &[u8] = match self.peek() {
            Some(b't') => b"true",
            Some(b'f') => b"false",
            _ => b"null",
        };
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(Syntax)
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<String, Syntax> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let int_start = self.i;
        let n = self.digits();
        if n == 0 || (n > 1 && self.b[int_start] == b'0') {
            return Err(Syntax);
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(Syntax);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(Syntax);
            }
        }
        Ok(String::from_utf8_lossy(&self.b[start..self.i]).into_owned())
    }

    fn hex4(&mut self) -> Result<u32, Syntax> {
        let mut v = 0;
        for _ in 0..4 {
            let d = self
                .peek()
                .and_then(|b| char::from(b).to_digit(16))
                .ok_or(Syntax)?;
            v = v * 16 + d;
            self.i += 1;
        }
        Ok(v)
    }

    /// A string, from its opening quote; decoded as the platform's parser decodes it.
    fn string(&mut self) -> Result<String, Syntax> {
        self.string_ref().map(Cow::into_owned)
    }

    /// A string as [`Scanner::string`] reads it, borrowed from the body when it is printable
    /// ASCII without escapes (most strings: keys, numbers, ids); the rest is decoded unit by
    /// unit.
    fn string_ref(&mut self) -> Result<Cow<'a, str>, Syntax> {
        self.i += 1;
        let b: &'a [u8] = self.b;
        let rest = &b[self.i..];
        let plain = rest
            .iter()
            .position(|&b| !(0x20..=0x7F).contains(&b) || b == b'"' || b == b'\\')
            .unwrap_or(rest.len());
        let ascii = std::str::from_utf8(&rest[..plain]).map_err(|_| Syntax)?;
        self.i += plain;
        if self.peek() == Some(b'"') {
            self.i += 1;
            return Ok(Cow::Borrowed(ascii));
        }
        let mut out = ascii.to_owned();
        let mut units: Vec<u16> = Vec::new();
        let flush = |units: &mut Vec<u16>, out: &mut String| {
            out.extend(char::decode_utf16(units.drain(..)).map(|c| c.unwrap_or('\u{FFFD}')));
        };
        loop {
            let b = self.peek().ok_or(Syntax)?;
            self.i += 1;
            let code = match b {
                b'"' => break,
                0..=0x1F => return Err(Syntax),
                b'\\' => {
                    let e = self.peek().ok_or(Syntax)?;
                    self.i += 1;
                    match e {
                        b'"' => 0x22,
                        b'\\' => 0x5C,
                        b'/' => 0x2F,
                        b'b' => 0x08,
                        b'f' => 0x0C,
                        b'n' => 0x0A,
                        b'r' => 0x0D,
                        b't' => 0x09,
                        b'u' => self.hex4()?,
                        _ => return Err(Syntax),
                    }
                }
                0x20..=0x7F => u32::from(b),
                0xC0..=0xDF => self.continuation(u32::from(b & 0x1F), 1)?,
                0xE0..=0xEF => self.continuation(u32::from(b & 0x0F), 2)?,
                0xF0..=0xF7 => self.continuation(u32::from(b & 0x07), 3)?,
                _ => return Err(Syntax),
            };
            if code <= 0xFFFF {
                units.push(code as u16);
            } else {
                flush(&mut units, &mut out);
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
        }
        flush(&mut units, &mut out);
        Ok(Cow::Owned(out))
    }

    /// The continuation bytes of a UTF-8 sequence (each `10xxxxxx`).
    fn continuation(&mut self, mut code: u32, n: usize) -> Result<u32, Syntax> {
        for _ in 0..n {
            let b = self.peek().ok_or(Syntax)?;
            if b & 0xC0 != 0x80 {
                return Err(Syntax);
            }
            self.i += 1;
            code = (code << 6) | u32::from(b & 0x3F);
        }
        Ok(code)
    }
}

/// Whether a known field can take a value, as its binding decides (the value is bound again,
/// the same way, when the request reads the field).
fn check(kind: Kind, value: &Value) -> Result<(), BindError> {
    match kind {
        Kind::Objects => to_objects(value).map(drop),
        Kind::Text => text_of(value).map(drop),
        Kind::Int => to_int(value).map(drop),
        Kind::Bool => to_bool(value).map(drop),
        Kind::Rows => to_rows(value).map(drop),
        Kind::Texts => to_texts(value).map(drop),
    }
}

/// A list of strings; `None` items are JSON nulls.
fn to_texts(value: &Value) -> Result<Field<Vec<Option<String>>>, BindError> {
    let items = match value {
        Value::Null => return Ok(Field::Null),
        Value::Array(items) => items,
        _ => return Err(BindError::Mapping),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match to_string(item)? {
            Field::Value(s) => out.push(Some(s)),
            _ => out.push(None),
        }
    }
    Ok(Field::Value(out))
}

/// A string field: strings as they are, numbers as written, booleans as `true`/`false`.
fn to_string(value: &Value) -> Result<Field<String>, BindError> {
    Ok(match text_of(value)? {
        Field::Value(text) => Field::Value(text.to_owned()),
        Field::Null => Field::Null,
        Field::Absent => Field::Absent,
    })
}

/// The text a string field takes from a value ([`to_string`]), borrowed.
fn text_of(value: &Value) -> Result<Field<&str>, BindError> {
    match value {
        Value::Text(s) | Value::Number(s) => Ok(Field::Value(s)),
        Value::Null => Ok(Field::Null),
        Value::Bool(b) => Ok(Field::Value(if *b { "true" } else { "false" })),
        Value::Array(_) | Value::Composite(_) => Err(BindError::Mapping),
    }
}

/// An integer field (32-bit): integers, truncated floats, numeric strings.
fn to_int(value: &Value) -> Result<Field<i32>, BindError> {
    match value {
        Value::Null => Ok(Field::Null),
        Value::Text(s) => {
            let t = platform_trim(s);
            if t.is_empty() || t == "null" {
                return Ok(Field::Null);
            }
            parse_int(t).map(Field::Value).ok_or(BindError::Mapping)
        }
        Value::Number(text) => {
            if is_float_text(text) {
                let f: f64 = text.parse().map_err(|_| BindError::Mapping)?;
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
fn to_bool(value: &Value) -> Result<Field<bool>, BindError> {
    match value {
        Value::Null => Ok(Field::Null),
        Value::Bool(b) => Ok(Field::Value(*b)),
        Value::Text(s) => match platform_trim(s) {
            "" | "null" => Ok(Field::Null),
            "true" | "True" => Ok(Field::Value(true)),
            "false" | "False" => Ok(Field::Value(false)),
            _ => Err(BindError::Mapping),
        },
        Value::Number(text) if !is_float_text(text) => Ok(Field::Value(
            !text.trim_start_matches(['-', '0']).is_empty(),
        )),
        _ => Err(BindError::Mapping),
    }
}

/// A list of lists of untyped items; `None` rows are JSON nulls.
fn to_rows(value: &Value) -> Result<Field<Vec<Option<Vec<Item>>>>, BindError> {
    let rows = match value {
        Value::Null => return Ok(Field::Null),
        Value::Array(rows) => rows,
        _ => return Err(BindError::Mapping),
    };
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        match row {
            Value::Null => out.push(None),
            Value::Array(items) => out.push(Some(items.iter().map(item).collect())),
            _ => return Err(BindError::Mapping),
        }
    }
    Ok(Field::Value(out))
}

fn item(value: &Value) -> Item {
    match value {
        Value::Null => Item::Null,
        Value::Bool(b) => Item::Bool(*b),
        Value::Text(s) => Item::Text(s.clone()),
        Value::Number(text) if is_float_text(text) => Item::Float(text.parse().unwrap_or(0.0)),
        Value::Number(text) => Item::Integer(text.clone()),
        Value::Array(_) => Item::Composite(String::new()),
        Value::Composite(text) => Item::Composite(text.clone()),
    }
}

/// A list of objects: each item an object (kept as its text) or null.
fn to_objects(value: &Value) -> Result<Field<Vec<Option<JsonObject>>>, BindError> {
    let items = match value {
        Value::Null => return Ok(Field::Null),
        Value::Array(items) => items,
        _ => return Err(BindError::Mapping),
    };
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Value::Null => out.push(None),
            Value::Composite(text) if text.starts_with('{') => {
                let object = parse_object(text.as_bytes(), None).map_err(|_| BindError::Mapping)?;
                out.push(Some(object));
            }
            _ => return Err(BindError::Mapping),
        }
    }
    Ok(Field::Value(out))
}

/// A 64-bit integer field, read as [`to_int`] reads 32-bit ones.
fn to_long(value: &Value) -> Result<Field<i64>, BindError> {
    let parse = |t: &str| {
        let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| t.parse::<i64>().ok())
            .flatten()
    };
    match value {
        Value::Null => Ok(Field::Null),
        Value::Text(s) => {
            let t = platform_trim(s);
            if t.is_empty() || t == "null" {
                return Ok(Field::Null);
            }
            parse(t).map(Field::Value).ok_or(BindError::Mapping)
        }
        Value::Number(text) if is_float_text(text) => {
            let f: f64 = text.parse().map_err(|_| BindError::Mapping)?;
            if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
                return Err(BindError::Mapping);
            }
            Ok(Field::Value(f.trunc() as i64))
        }
        Value::Number(text) => parse(text).map(Field::Value).ok_or(BindError::Mapping),
        _ => Err(BindError::Mapping),
    }
}

impl JsonObject {
    fn get(&self, key: &str) -> Option<&Value> {
        match self.known.iter().find(|(k, _)| *k == key) {
            Some((_, value)) => Some(value),
            None => self.others.get(key),
        }
    }

    /// A string field.
    pub(crate) fn string(&self, key: &str) -> Result<Field<String>, BindError> {
        self.get(key).map_or(Ok(Field::Absent), to_string)
    }

    /// An integer field.
    pub(crate) fn int(&self, key: &str) -> Result<Field<i32>, BindError> {
        self.get(key).map_or(Ok(Field::Absent), to_int)
    }

    /// A boolean field.
    pub(crate) fn boolean(&self, key: &str) -> Result<Field<bool>, BindError> {
        self.get(key).map_or(Ok(Field::Absent), to_bool)
    }

    /// A list of lists of untyped items.
    pub(crate) fn rows(&self, key: &str) -> Result<Field<Vec<Option<Vec<Item>>>>, BindError> {
        self.get(key).map_or(Ok(Field::Absent), to_rows)
    }

    /// A list of strings.
    pub(crate) fn texts(&self, key: &str) -> Result<Field<Vec<Option<String>>>, BindError> {
        self.get(key).map_or(Ok(Field::Absent), to_texts)
    }

    /// A value of an untyped body: `None` when absent or null, `Some(Ok(text))` for a
    /// string, `Some(Err(()))` for any other value.
    pub(crate) fn untyped_text(&self, key: &str) -> Option<Result<String, ()>> {
        match self.get(key)? {
            Value::Null => None,
            Value::Text(s) => Some(Ok(s.clone())),
            _ => Some(Err(())),
        }
    }

    /// A 64-bit integer field (`Long`): integers, truncated floats, numeric strings.
    pub(crate) fn long(&self, key: &str) -> Result<Field<i64>, BindError> {
        self.get(key).map_or(Ok(Field::Absent), to_long)
    }

    /// A list of objects; `None` items are JSON nulls. Each object is read without known
    /// fields: its values are bound when read.
    pub(crate) fn objects(&self, key: &str) -> Result<Field<Vec<Option<JsonObject>>>, BindError> {
        self.get(key).map_or(Ok(Field::Absent), to_objects)
    }
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
        parse_object(json.as_bytes(), None).unwrap()
    }

    #[test]
    fn top_level() {
        assert_eq!(parse_object(b"", None).unwrap_err(), BindError::Parse);
        assert_eq!(parse_object(b"{", None).unwrap_err(), BindError::Parse);
        assert_eq!(parse_object(b"null", None).unwrap_err(), BindError::Parse);
        assert_eq!(parse_object(b"  \n", None).unwrap_err(), BindError::Mapping);
        assert_eq!(parse_object(b"[1]", None).unwrap_err(), BindError::Mapping);
        assert_eq!(
            parse_object(b"\"x\"", None).unwrap_err(),
            BindError::Mapping
        );
        assert_eq!(parse_object(b"12", None).unwrap_err(), BindError::Mapping);
        assert!(parse_object(b"{\"a\":1} trailing", None).is_ok());
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
        assert_eq!(
            item(&Value::Number("1.5e3".into())).text().as_deref(),
            Some("1500.0")
        );
        assert_eq!(
            item(&Value::Number("1e7".into())).text().as_deref(),
            Some("1.0E7")
        );
        assert_eq!(
            item(&Value::Number("-1.5e-4".into())).text().as_deref(),
            Some("-1.5E-4")
        );
        assert_eq!(
            item(&Value::Number("0.001".into())).text().as_deref(),
            Some("0.001")
        );
        assert_eq!(
            item(&Value::Number("-0".into())).text().as_deref(),
            Some("0")
        );
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

    const DUO: Schema = Some(&[
        ("from1", Kind::Text),
        ("to1", Kind::Text),
        ("to2", Kind::Text),
        ("max_call_duration", Kind::Int),
        ("recording", Kind::Bool),
    ]);
    const NOTIFY: Schema = Some(&[("to", Kind::Text), ("play_content", Kind::Rows)]);

    /// Outcomes computed with the server's JSON binding (its parser and data-binding versions,
    /// the DTOs' field types): `Ok`, or 000001 (`Mapping`) / 000002 (`Parse`).
    #[test]
    fn errors_where_the_binding_reads_them() {
        use BindError::{Mapping as M, Parse as P};
        let duo: &[(&[u8], Option<BindError>)] = &[
            (br#"{"to1":"138","to2":"139","max_call_duration":60}"#, None),
            (br#"{"to1":"a\x","to2":"139"}"#, Some(M)),
            (br#"{"zz":"a\x","to1":"138"}"#, Some(P)),
            (b"{\"to1\":\"a\x01b\"}", Some(M)),
            (b"{\"zz\":\"a\x01b\"}", Some(P)),
            (b"{\"to1\":\"tab\tin\"}", Some(M)),
            (b"{\"to1\":\"del\x7f\"}", None),
            (br#"{"to1":"\ud800"}"#, None),
            (b"{\"to1\":\"\xc0\x80\"}", None),
            (b"{\"to1\":\"\xed\xa0\x80\"}", None),
            (b"{\"to1\":\"\xf4\x90\x80\x80\"}", None),
            (b"{\"to1\":\"\xff\"}", Some(M)),
            (b"{\"zz\":\"\xff\"}", Some(P)),
            (b"{\"to1\":\"\x80\"}", Some(M)),
            (b"{\"to1\":\"\xf8\x80\"}", Some(M)),
            (b"{\"to1\":\"\xc3x\"}", Some(M)),
            (b"{\"to1\":\"\xe4\xbd\"}", Some(M)),
            (b"{\"to1\xc3x\":\"x\"}", Some(P)),
            (br#"{"to1":"abc"#, Some(M)),
            (br#"{"to1":"x\u12"}"#, Some(M)),
            (br#"{"to1":"x\u12zz"}"#, Some(M)),
            (br#"{"to1":"x\'"}"#, Some(M)),
            (br#"{"to1":"\/\b\f\n\r\t\"\\\u00e9"}"#, None),
            (br#"{"max_call_duration":"6\q0"}"#, Some(M)),
            (br#"{"recording":"tr\ue"}"#, Some(M)),
            (br#"{"max_call_duration":01}"#, Some(P)),
            (br#"{"max_call_duration":-01}"#, Some(P)),
            (br#"{"max_call_duration":1.}"#, Some(P)),
            (br#"{"max_call_duration":1e}"#, Some(P)),
            (br#"{"max_call_duration":tru}"#, Some(P)),
            (br#"{"to1":-}"#, Some(P)),
            (br#"{"to1":x}"#, Some(P)),
            (br#"{"to1":truex}"#, Some(P)),
            (br#"{"to1":'x'}"#, Some(P)),
            (br#"{"to1":"x"/*c*/}"#, Some(P)),
            (br#"{"max_call_duration":0.5e-3}"#, None),
            (br#"{"max_call_duration":1E+2}"#, None),
            (br#"{"max_call_duration":99999999999}"#, Some(M)),
            (br#"{"max_call_duration":1e400}"#, Some(M)),
            (br#"{"max_call_duration":"abc","zz":"\q"}"#, Some(M)),
            (br#"{"zz":"\q","max_call_duration":"abc"}"#, Some(P)),
            (
                br#"{"max_call_duration":"abc","max_call_duration":60}"#,
                Some(M),
            ),
            (
                br#"{"max_call_duration":60,"max_call_duration":"abc"}"#,
                Some(M),
            ),
            (br#"{"to1":"x","to1":"y\q"}"#, Some(M)),
            (br#"{"to1":{"a":"\q"}}"#, Some(M)),
            (br#"{"to1":[1,}"#, Some(M)),
            (br#"{"max_call_duration":[1]}"#, Some(M)),
            (br#"{"recording":[1,}"#, Some(M)),
            (br#"{"zz":[1,}"#, Some(P)),
            (br#"{"zz":{"a":"\q"}}"#, Some(P)),
            (br#"{"zz":{"a":1},"to1":"x"}"#, None),
            (br#"{"to1":"x","zz":[[[[[[[[[[1]]]]]]]]]]}"#, None),
            (br#"{"t\o1":"x"}"#, Some(P)),
            (br#"{"to1":"x",}"#, Some(P)),
            (br#"{"to1":"x" "to2":"y"}"#, Some(P)),
            (b"{\"to1\":\"x\",\x0c\"to2\":\"y\"}", Some(P)),
            (br#"{"to1":"x""#, Some(P)),
            (br#"{"to1":"#, Some(P)),
            (br#"{"to1""#, Some(P)),
            (b"{", Some(P)),
            (br#"{"to1":"x"} garbage"#, None),
            (b"{\"to1\":\"x\"}\x00", None),
            (b"\xef\xbb\xbf{\"to1\":\"bom\"}", None),
            (br#"{"to1":true}"#, None),
            (br#"{"to1":1.5}"#, None),
            (b"[1,", Some(M)),
            (b"[", Some(M)),
            (br#""x\q""#, Some(P)),
            (br#""x"#, Some(P)),
            (br#""x""#, Some(M)),
            (b"01", Some(P)),
            (b"12", Some(M)),
            (b"12x", Some(P)),
            (b"12 x", Some(M)),
            (b"1.5", Some(M)),
            (b"-", Some(P)),
            (b"true", Some(M)),
            (b"truex", Some(P)),
            (b"null", Some(P)),
            (b"nullx", Some(P)),
            (b"nul", Some(P)),
            (b"x", Some(P)),
            (b"]", Some(P)),
            (b"}", Some(P)),
            (b"\x0c{}", Some(P)),
            (b"   ", Some(M)),
            (b"{}", None),
        ];
        for (body, expected) in duo {
            let got = parse_object(body, DUO).err();
            assert_eq!(got, *expected, "{}", String::from_utf8_lossy(body));
        }
        let notify: &[(&[u8], Option<BindError>)] = &[
            (br#"{"to":"1","play_content":[["a",0],["b",1,]]}"#, Some(M)),
            (br#"{"to":"1","play_content":[["a",0],["b\q",1]]}"#, Some(M)),
            (br#"{"to":"1","play_content":[["a",0],[01,1]]}"#, Some(M)),
            (br#"{"to":"1","play_content":[["a",0],{"x":1}]}"#, Some(M)),
            (br#"{"to":"1","play_content":["a"]}"#, Some(M)),
            (
                br#"{"to":"1","play_content":[["a",[1,{"b":2}]],[1.5e3,true,null]]}"#,
                None,
            ),
            (
                br#"{"to":"1","play_content":[["a",0]] ,"zz": "\q"}"#,
                Some(P),
            ),
            (br#"{"play_content":[["a",0]]x}"#, Some(P)),
            (br#"{"play_content":[["a",0]],}"#, Some(P)),
            (br#"{"play_content":[["a",0]]"#, Some(P)),
            (br#"{"play_content":[["a",0],"#, Some(M)),
            (br#"{"play_content":"x"}"#, Some(M)),
            (br#"{"play_content":{}}"#, Some(M)),
            (br#"{"play_content":[[01]]}"#, Some(M)),
            (br#"{"play_content":[[1,2] [3]]}"#, Some(M)),
            (br#"{"to":"1","play_content":null}"#, None),
            (br#"{"to":"1","play_content":[null,["a",0]]}"#, None),
        ];
        for (body, expected) in notify {
            let got = parse_object(body, NOTIFY).err();
            assert_eq!(got, *expected, "{}", String::from_utf8_lossy(body));
        }
        // An untyped body (the cancel's map) has no known field.
        let untyped: &[(&[u8], Option<BindError>)] = &[
            (br#"{"callId":"ab\q"}"#, Some(P)),
            (br#"{"zz":{"a":[1,}}"#, Some(P)),
            (br#"{"zz":01}"#, Some(P)),
            (b"{\"callId\":\"\xff\"}", Some(P)),
            (br#"{"callId":"x""#, Some(P)),
            (b"[1,", Some(M)),
            (b"12", Some(M)),
            (br#""x\q""#, Some(P)),
            (br#"{"a":[1,2,{"b":"c"}],"callId":"x"}"#, None),
            (br#"{"callId":{"a":1}}"#, None),
        ];
        for (body, expected) in untyped {
            let got = parse_object(body, None).err();
            assert_eq!(got, *expected, "{}", String::from_utf8_lossy(body));
        }
        let o = parse_object(br#"{"to1":"\ud83d\ude00\ud800x","from1":"\u00e9"}"#, DUO).unwrap();
        assert_eq!(o.string("to1"), Ok(Field::Value("😀\u{FFFD}x".into())));
        assert_eq!(o.string("from1"), Ok(Field::Value("é".into())));
        let o = parse_object(br#"{"callId":"x","n":1}"#, None).unwrap();
        assert_eq!(o.untyped_text("callId"), Some(Ok("x".into())));
        assert_eq!(o.untyped_text("n"), Some(Err(())));
        assert_eq!(o.untyped_text("missing"), None);
    }
}
