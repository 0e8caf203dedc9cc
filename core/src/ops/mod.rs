//! Every REST operation of the platform, declared once.
//!
//! [`OPERATIONS`] lists the 73 operations with their method, path, fields (path placeholders,
//! query parameters and body keys, with wire names, types, rules and docs) and the shape of
//! their answer. A [`Request`] is an operation with values for its fields: it checks each value
//! against the declaration as it is set, checks the server's rules before anything is sent,
//! and lays itself out on the wire ([`Request::to_wire`]). The typed request structs
//! ([`ConfCreate`](crate::ConfCreate) and the others) and the client's methods are generated
//! from the same declarations by `scripts/codegen`.
//!
//! ```
//! use yunhuni::ops::{Casing, Request};
//!
//! let mut request = Request::new("conf_start_play")?;
//! request.set("conf_id", "3f2a")?.set("files", vec!["hello.wav"])?;
//! let wire = request.to_wire()?;
//! assert_eq!(wire.method.as_str(), "POST");
//! assert_eq!(wire.path, "conf/start_play/3f2a");
//! assert_eq!(wire.body.as_deref(), Some(&br#"{"files":["hello.wav"]}"#[..]));
//!
//! // A binding passes its own casing; errors name fields the caller's way.
//! let err = Request::from_fields("conf_create", [("maxDuration", 0.into())], Casing::Camel)?
//!     .validate_cased(Casing::Camel)
//!     .unwrap_err();
//! assert_eq!(err.field(), Some("maxDuration"));
//! # Ok::<(), yunhuni::Error>(())
//! ```

mod checks;
mod decl;
mod table;

pub use decl::*;
pub use table::{OPERATIONS, QUOTA, RECORDS, SHAPES, SKILL, SKILL_OP};

use crate::error::{quote_text, Error, Result};
use serde_json::{Map, Value};
use std::borrow::Cow;

/// The operation called `name`, or known by it as an alias (`cancel_duo_callback`).
pub fn operation(name: &str) -> Option<&'static Operation> {
    OPERATIONS
        .iter()
        .find(|op| op.name == name || op.alias == Some(name))
}

/// How a binding spells names: the declarations are snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Casing {
    /// `max_call_duration` (Rust, C, PHP arrays, the CLI).
    Snake,
    /// `maxCallDuration` (Node, Java).
    Camel,
    /// snake_case, with a `_` after names that are Python keywords (`from_`).
    Python,
}

impl Casing {
    /// `snake` (a declared name) as this casing spells it.
    pub fn name(self, snake: &str) -> Cow<'_, str> {
        match self {
            Casing::Snake => Cow::Borrowed(snake),
            Casing::Python if PYTHON_KEYWORDS.contains(&snake) => Cow::Owned(format!("{snake}_")),
            Casing::Python => Cow::Borrowed(snake),
            Casing::Camel => {
                if !snake.contains('_') {
                    return Cow::Borrowed(snake);
                }
                // An underscore before a lowercase letter (not at the start) goes, and the letter
                // is raised; anything else is kept (`YUNHUNI_APP_ID`, `_x`).
                let mut out = String::with_capacity(snake.len());
                let mut chars = snake.chars().peekable();
                while let Some(c) = chars.next() {
                    match (c, chars.peek()) {
                        ('_', Some(next)) if next.is_ascii_lowercase() && !out.is_empty() => {
                            out.push(next.to_ascii_uppercase());
                            chars.next();
                        }
                        _ => out.push(c),
                    }
                }
                Cow::Owned(out)
            }
        }
    }

    /// A field path such as `skills[0].max_score` in this casing.
    pub fn path(self, snake_path: &str) -> String {
        let mut out = String::with_capacity(snake_path.len());
        let mut word = String::new();
        for c in snake_path.chars() {
            if c.is_alphanumeric() || c == '_' {
                word.push(c);
            } else {
                out.push_str(&self.name(&word));
                word.clear();
                out.push(c);
            }
        }
        out.push_str(&self.name(&word));
        out
    }

    /// The declared field of `fields` that this casing spells `name`.
    fn find(self, fields: &'static [Field], name: &str) -> Option<&'static Field> {
        fields.iter().find(|f| self.name(f.name) == name)
    }
}

/// Field names that Python cannot take as keyword arguments.
const PYTHON_KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// An operation and the values of its fields, checked against its declaration.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    op: &'static Operation,
    values: Vec<Option<Value>>,
}

/// A request laid out as it goes on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wire {
    /// The HTTP method.
    pub method: Method,
    /// The path after `/v1/account/{account_id}/`, placeholders filled and percent-encoded.
    pub path: String,
    /// The query string without its `?` (empty when there is none).
    pub query: String,
    /// The JSON body, or `None` when the request has none.
    pub body: Option<Vec<u8>>,
}

impl Request {
    /// An empty request for the operation called `name` (or an alias of it).
    pub fn new(name: &str) -> Result<Request> {
        operation(name)
            .map(Request::of)
            .ok_or_else(|| unknown_operation(name))
    }

    /// An empty request for `op`.
    pub fn of(op: &'static Operation) -> Request {
        Request {
            op,
            values: vec![None; op.fields.len()],
        }
    }

    /// A request for `name` with `fields` named in `casing`; errors name fields in `casing`.
    pub fn from_fields<K: AsRef<str>>(
        name: &str,
        fields: impl IntoIterator<Item = (K, Value)>,
        casing: Casing,
    ) -> Result<Request> {
        let mut request = Request::new(name)?;
        for (key, value) in fields {
            request.set_cased(key.as_ref(), value, casing)?;
        }
        Ok(request)
    }

    /// The operation.
    pub fn operation(&self) -> &'static Operation {
        self.op
    }

    /// Sets the field called `name` (snake_case). `null` unsets it. A value of the wrong type,
    /// or a field the operation does not have, is a validation error naming the field.
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> Result<&mut Self> {
        self.set_cased(name, value.into(), Casing::Snake)?;
        Ok(self)
    }

    /// [`Request::set`], consuming and returning the request.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Result<Self> {
        self.set(name, value)?;
        Ok(self)
    }

    /// Sets the field that `casing` spells `name`; errors name fields in `casing`.
    pub fn set_cased(&mut self, name: &str, value: Value, casing: Casing) -> Result<()> {
        let Some(index) = self
            .op
            .fields
            .iter()
            .position(|f| casing.name(f.name) == name)
        else {
            return Err(self.unknown_field(name, casing));
        };
        let field = &self.op.fields[index];
        self.values[index] = if value.is_null() {
            None
        } else {
            Some(convert(field, value, field.name, casing).map_err(|e| recase(e, casing))?)
        };
        Ok(())
    }

    /// Sets the field called `name` (snake_case) from text, read as its declared type:
    /// integers in decimal, booleans `true`/`false` (or `1`/`0`), lists as JSON arrays
    /// (a list of strings also as comma-separated text). For command lines and C.
    pub fn set_text(&mut self, name: &str, text: &str) -> Result<&mut Self> {
        let Some(field) = self.op.field(name) else {
            return Err(self.unknown_field(name, Casing::Snake));
        };
        let value = match field.ty {
            Type::Str => Value::String(text.to_owned()),
            Type::Int => text.trim().parse::<i64>().map(Value::from).map_err(|_| {
                Error::validation(name, format!("{} is not an integer", quote_text(text)))
            })?,
            Type::Bool => match text.trim() {
                "true" | "1" => Value::Bool(true),
                "false" | "0" => Value::Bool(false),
                _ => {
                    return Err(Error::validation(
                        name,
                        format!("{} is not true or false", quote_text(text)),
                    ))
                }
            },
            Type::StrList if !text.trim_start().starts_with('[') => Value::Array(
                text.split(',')
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            ),
            Type::StrList | Type::PlayRows | Type::Objects(_) => serde_json::from_str(text)
                .map_err(|e| Error::validation(name, format!("is not a JSON list: {e}")))?,
        };
        self.set(name, value)
    }

    /// The value of the field called `name` (snake_case), if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        let index = self.op.fields.iter().position(|f| f.name == name)?;
        self.values[index].as_ref()
    }

    /// The text of the string field `name`, if set.
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// The set fields and their values, in declaration order.
    pub fn fields(&self) -> impl Iterator<Item = (&'static Field, &Value)> + '_ {
        self.op
            .fields
            .iter()
            .zip(&self.values)
            .filter_map(|(f, v)| v.as_ref().map(|v| (f, v)))
    }

    /// Checks every rule the server enforces; errors name fields in snake_case.
    pub fn validate(&self) -> Result<()> {
        for (field, value) in self.op.fields.iter().zip(&self.values) {
            check_field(field, value.as_ref(), field.name)?;
            if let Some(value) = value {
                check_path_value(self.op, field, value)?;
            }
        }
        if let Some(check) = self.op.check {
            check(self)?;
        }
        Ok(())
    }

    /// [`Request::validate`] with errors naming fields in `casing`.
    pub fn validate_cased(&self, casing: Casing) -> Result<()> {
        self.validate().map_err(|e| recase(e, casing))
    }

    /// Checks the request, then lays it out as it goes on the wire.
    pub fn to_wire(&self) -> Result<Wire> {
        self.validate()?;
        let mut path = String::with_capacity(self.op.path.len() + 32);
        let mut rest = self.op.path;
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}').unwrap_or(rest.len() - open);
            path.push_str(&rest[..open]);
            let placeholder = &rest[open + 1..close];
            let value = self
                .fields()
                .find(|(f, _)| f.wire == placeholder && is_path(f.location))
                .and_then(|(_, v)| v.as_str())
                .unwrap_or_default();
            percent_encode(&mut path, value);
            rest = &rest[(close + 1).min(rest.len())..];
        }
        path.push_str(rest);

        let mut query = String::new();
        for (field, value) in self.fields() {
            let name = match field.location {
                Location::Query => field.wire,
                Location::PathAndQuery(name) => name,
                _ => continue,
            };
            if !query.is_empty() {
                query.push('&');
            }
            percent_encode(&mut query, name);
            query.push('=');
            match value {
                Value::String(s) => percent_encode(&mut query, s),
                other => percent_encode(&mut query, &other.to_string()),
            }
        }

        let body = match self.op.body {
            BodyKind::None => None,
            BodyKind::Json => {
                let mut body = Vec::with_capacity(128);
                body.push(b'{');
                for (field, value) in self.fields() {
                    if field.location != Location::Body {
                        continue;
                    }
                    if body.len() > 1 {
                        body.push(b',');
                    }
                    write_json(&mut body, &Value::String(field.wire.to_owned()));
                    body.push(b':');
                    write_value(&mut body, field.ty, value);
                }
                body.push(b'}');
                Some(body)
            }
        };
        Ok(Wire {
            method: self.op.method,
            path,
            query,
            body,
        })
    }

    fn unknown_field(&self, name: &str, casing: Casing) -> Error {
        let known: Vec<_> = self
            .op
            .fields
            .iter()
            .map(|f| casing.name(f.name).into_owned())
            .collect();
        let known = if known.is_empty() {
            "it takes no fields".to_owned()
        } else {
            format!("it takes {}", known.join(", "))
        };
        Error::validation(
            name,
            format!("is not a field of {} ({known})", self.op.name),
        )
    }
}

fn unknown_operation(name: &str) -> Error {
    Error::validation(
        "operation",
        format!(
            "{} is not an operation of the platform (see yunhuni::ops::OPERATIONS)",
            quote_text(name)
        ),
    )
}

fn recase(e: Error, casing: Casing) -> Error {
    if casing == Casing::Snake {
        e
    } else {
        e.rename_field(|f| casing.path(f))
    }
}

fn is_path(location: Location) -> bool {
    matches!(location, Location::Path | Location::PathAndQuery(_))
}

/// The largest and smallest values of the server's 32-bit `Integer`.
pub(crate) const I32_MAX: i64 = i32::MAX as i64;
pub(crate) const I32_MIN: i64 = i32::MIN as i64;

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number with a fraction",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn wrong_type(path: &str, expected: &str, value: &Value) -> Error {
    Error::validation(
        path,
        format!("expected {expected}, got {}", type_name(value)),
    )
}

/// The value as an integer: JSON integers, and numbers with no fractional part.
fn as_integer(value: &Value) -> Option<i64> {
    if let Some(i) = value.as_i64() {
        return Some(i);
    }
    let f = value.as_f64()?;
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// Checks `value` against the field's type and returns it in its canonical form (integers as
/// integers, play rows as `[content, type, options]`, objects with their declared keys in order).
fn convert(field: &Field, value: Value, path: &str, casing: Casing) -> Result<Value> {
    match field.ty {
        Type::Str => match value {
            Value::String(_) => Ok(value),
            other => Err(wrong_type(path, "a string", &other)),
        },
        Type::Bool => match value {
            Value::Bool(_) => Ok(value),
            other => Err(wrong_type(path, "true or false", &other)),
        },
        Type::Int => {
            let Some(i) = as_integer(&value).filter(|_| value.is_number()) else {
                // A whole number too large for any integer type (u64 above i64, or a float
                // beyond 2^53) is out of range, not of the wrong type.
                let whole = value.is_u64()
                    || value
                        .as_f64()
                        .is_some_and(|f| f.is_finite() && f.fract() == 0.0);
                if whole {
                    return Err(Error::validation(
                        path,
                        format!("{value} does not fit the server's 32-bit integer"),
                    ));
                }
                return Err(wrong_type(path, "an integer", &value));
            };
            if !(I32_MIN..=I32_MAX).contains(&i) {
                return Err(Error::validation(
                    path,
                    format!("{i} does not fit the server's 32-bit integer"),
                ));
            }
            Ok(Value::from(i))
        }
        Type::StrList => {
            let Value::Array(items) = value else {
                return Err(wrong_type(path, "a list of strings", &value));
            };
            for (i, item) in items.iter().enumerate() {
                if !item.is_string() {
                    return Err(wrong_type(&format!("{path}[{i}]"), "a string", item));
                }
            }
            Ok(Value::Array(items))
        }
        Type::PlayRows => {
            let Value::Array(rows) = value else {
                return Err(wrong_type(
                    path,
                    "a list of [content, play_type] rows",
                    &value,
                ));
            };
            let mut out = Vec::with_capacity(rows.len());
            for (i, row) in rows.into_iter().enumerate() {
                let at = format!("{path}[{i}]");
                let parts = match row {
                    Value::Array(parts) if (2..=3).contains(&parts.len()) => parts,
                    other => {
                        return Err(wrong_type(&at, "a [content, play_type] row", &other));
                    }
                };
                let mut parts = parts.into_iter();
                let content = parts.next().unwrap_or_default();
                let play_type = parts.next().unwrap_or_default();
                let options = parts.next().unwrap_or(Value::String(String::new()));
                if !content.is_string() {
                    return Err(wrong_type(&at, "a string content", &content));
                }
                let Some(play_type) = as_integer(&play_type).filter(|_| play_type.is_number())
                else {
                    return Err(wrong_type(&at, "an integer play type", &play_type));
                };
                if !options.is_string() {
                    return Err(wrong_type(&at, "string options", &options));
                }
                out.push(Value::Array(vec![content, play_type.into(), options]));
            }
            Ok(Value::Array(out))
        }
        Type::Objects(record) => {
            let fields = record.fields;
            let Value::Array(items) = value else {
                return Err(wrong_type(path, "a list of objects", &value));
            };
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                let at = format!("{path}[{i}]");
                let Value::Object(map) = item else {
                    return Err(wrong_type(&at, "an object", &item));
                };
                let mut values: Vec<Option<Value>> = vec![None; fields.len()];
                for (key, v) in map {
                    let Some(index) = casing
                        .find(fields, &key)
                        .and_then(|f| fields.iter().position(|g| g == f))
                    else {
                        let known: Vec<_> = fields.iter().map(|f| casing.name(f.name)).collect();
                        return Err(Error::validation(
                            format!("{at}.{key}"),
                            format!(
                                "is not a key of these objects (they take {})",
                                known.join(", ")
                            ),
                        ));
                    };
                    let sub = &fields[index];
                    if !v.is_null() {
                        values[index] =
                            Some(convert(sub, v, &format!("{at}.{}", sub.name), casing)?);
                    }
                }
                let mut object = Map::new();
                for (sub, v) in fields.iter().zip(values) {
                    if let Some(v) = v {
                        object.insert(sub.wire.to_owned(), v);
                    }
                }
                out.push(Value::Object(object));
            }
            Ok(Value::Array(out))
        }
    }
}

/// Checks presence and the rules of one field whose value has the right type.
fn check_field(field: &Field, value: Option<&Value>, path: &str) -> Result<()> {
    let Some(value) = value else {
        if field.required {
            return Err(Error::validation(path, "is required"));
        }
        return Ok(());
    };
    for rule in field.rules {
        check_rule(*rule, value, path)?;
    }
    if let (Type::Objects(record), Value::Array(items)) = (field.ty, value) {
        let fields = record.fields;
        for (i, item) in items.iter().enumerate() {
            for sub in fields {
                let at = format!("{path}[{i}].{}", sub.name);
                check_field(sub, item.get(sub.wire), &at)?;
            }
        }
    }
    Ok(())
}

fn check_rule(rule: Rule, value: &Value, path: &str) -> Result<()> {
    let text = value.as_str();
    let fail = |message: String| Err(Error::validation(path, message));
    match rule {
        Rule::NotBlank => {
            if text.is_some_and(|s| java_trim(s).is_empty()) {
                return fail("is required and must not be empty".into());
            }
        }
        Rule::Range(min, max) => {
            if let Some(i) = value.as_i64() {
                if !(min..=max).contains(&i) {
                    return match (min, max) {
                        (_, I32_MAX) => fail(format!("{i} is less than {min}")),
                        (I32_MIN, _) => fail(format!("{i} is more than {max}")),
                        _ => fail(format!("{i} is out of range {min}-{max}")),
                    };
                }
            }
        }
        Rule::MinLen(min) => {
            let len = text.map_or(0, |s| s.encode_utf16().count());
            if len < min {
                return fail(format!("is {len} characters long; at least {min} needed"));
            }
        }
        Rule::MaxLen(max) => {
            let len = text.map_or(0, |s| s.encode_utf16().count());
            if len > max {
                return fail(format!("is {len} characters long; at most {max} allowed"));
            }
        }
        Rule::OneOf(allowed) => {
            if let Some(s) = text {
                if !allowed.contains(&s) {
                    return fail(format!(
                        "{} is not one of {}",
                        quote_text(s),
                        allowed.join(", ")
                    ));
                }
            }
        }
        Rule::OneOfOrPrefix(allowed, prefixes) => {
            if let Some(s) = text {
                if !allowed.contains(&s) && !prefixes.iter().any(|p| s.starts_with(p)) {
                    let prefixes: Vec<_> = prefixes.iter().map(|p| format!("{p}...")).collect();
                    return fail(format!(
                        "{} is not one of {}, {}",
                        quote_text(s),
                        allowed.join(", "),
                        prefixes.join(", ")
                    ));
                }
            }
        }
        Rule::Not(bad) => {
            if value.as_i64() == Some(bad) {
                return fail(format!("{bad} is not accepted by the platform"));
            }
        }
        Rule::MinItems(min) => {
            let n = value.as_array().map_or(0, Vec::len);
            if n < min {
                return fail(format!("has {n} items; at least {min} needed"));
            }
        }
        Rule::Url => {
            if let Some(s) = text {
                if !is_server_url(s) {
                    return fail(format!("{} is not a URL (scheme://host...)", quote_text(s)));
                }
            }
        }
        Rule::Mobile => {
            if let Some(s) = text {
                let t = s.trim();
                let ok =
                    t.len() == 11 && t.starts_with('1') && t.bytes().all(|b| b.is_ascii_digit());
                if !ok {
                    return fail(format!(
                        "{} is not a mobile number (1 and ten more digits)",
                        quote_text(s)
                    ));
                }
            }
        }
        Rule::Digits(max) => {
            if let Some(s) = text {
                if !(s.is_empty() || (s.len() <= max && s.bytes().all(|b| b.is_ascii_digit()))) {
                    return fail(format!("must be 1-{max} decimal digits"));
                }
            }
        }
    }
    Ok(())
}

/// Text without what Java's `String.trim` removes at both ends: every character up to U+0020
/// (control characters and the space), and nothing else.
pub(crate) fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// The server's `[a-zA-z]+://[^\s]*`, matched against the whole value (note `A-z`, which also
/// admits `[ \ ] ^ _` and the backquote).
fn is_server_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once("://") else {
        return false;
    };
    !scheme.is_empty()
        && scheme
            .bytes()
            .all(|b| b.is_ascii_lowercase() || (b'A'..=b'z').contains(&b))
        && !rest.chars().any(is_java_space)
}

/// Java's `\s`: space, tab, newline, vertical tab, form feed, carriage return.
fn is_java_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
}

/// Path values the server would misread: a `/` or `\` splits the path, a `;` starts path
/// parameters that the server drops, and in the last segment everything from the last `.` is
/// taken as a file suffix and cut.
fn check_path_value(op: &Operation, field: &Field, value: &Value) -> Result<()> {
    if !is_path(field.location) {
        return Ok(());
    }
    let s = value.as_str().unwrap_or_default();
    if let Some(c) = s.chars().find(|c| matches!(c, '/' | '\\' | ';')) {
        return Err(Error::validation(
            field.name,
            format!("must not contain {c:?}: the server would read another path"),
        ));
    }
    // The path value of `subaccount_delete` is not read by the server (it reads the query), so
    // a dot that the server would cut there does no harm.
    let read = !matches!(field.location, Location::PathAndQuery(_));
    let last = read && op.path.ends_with(&format!("{{{}}}", field.wire));
    if last && s.contains('.') {
        return Err(Error::validation(
            field.name,
            format!(
                "{} contains '.': the server cuts a last path segment at its last dot",
                quote_text(s)
            ),
        ));
    }
    Ok(())
}

/// Appends `s` percent-encoded: everything but the unreserved characters of RFC 3986.
fn percent_encode(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Writes a field's value; objects of a list keep their declared key order.
fn write_value(out: &mut Vec<u8>, ty: Type, value: &Value) {
    let (Type::Objects(record), Value::Array(items)) = (ty, value) else {
        return write_json(out, value);
    };
    let fields = record.fields;
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.push(b'{');
        let mut first = true;
        for sub in fields {
            if let Some(v) = item.get(sub.wire) {
                if !first {
                    out.push(b',');
                }
                first = false;
                write_json(out, &Value::String(sub.wire.to_owned()));
                out.push(b':');
                write_value(out, sub.ty, v);
            }
        }
        out.push(b'}');
    }
    out.push(b']');
}

fn write_json(out: &mut Vec<u8>, value: &Value) {
    use serde::Serialize;
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, AsciiFormatter);
    // Writing a `Value` to a `Vec` cannot fail.
    let _ = value.serialize(&mut serializer);
}

/// Compact JSON with every character outside ASCII written as a `\uXXXX` escape (a surrogate
/// pair beyond U+FFFF). The server hashes a body through its platform's default character set,
/// so raw UTF-8 is refused (401) on a server whose default is not UTF-8; escaped ASCII passes
/// either way.
pub(crate) struct AsciiFormatter;

impl serde_json::ser::Formatter for AsciiFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some(at) = rest.find(|c: char| !c.is_ascii()) {
            writer.write_all(&rest.as_bytes()[..at])?;
            let c = rest[at..].chars().next().unwrap_or_default();
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(writer, "\\u{unit:04x}")?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        writer.write_all(rest.as_bytes())
    }
}

/// `value` as compact JSON, every non-ASCII character escaped.
pub(crate) fn to_ascii_json<T: serde::Serialize + ?Sized>(
    value: &T,
) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        AsciiFormatter,
    ))?;
    Ok(out)
}

#[cfg(test)]
mod tests;
