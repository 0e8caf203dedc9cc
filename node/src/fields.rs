//! The `fields` of `client.request(name, fields)` as core takes them: `(camelCase key, JSON
//! value)` pairs for `yunhuni::Client::call(name, fields, Casing::Camel)`.
//!
//! One conversion per declared *type*, never per field. Strings, integers, booleans, lists of
//! strings and lists of records are JSON values whose types core checks (an integral number
//! becomes a JSON integer; `1.5` stays a number and core refuses it for an integer field).
//! Play rows also come as `{ content, playType, options? }` objects. `undefined` and `null`
//! mean "not given". What JSON cannot carry (NaN, Infinity, a symbol, a function, a string
//! with a lone surrogate...) is refused here, naming the field; every other mistake is core's
//! to name.

use crate::args::{own_keys, present, shown_number, text, ty, type_name, MAX_SAFE_INTEGER};
use crate::error::JsError;
use napi::bindgen_prelude::*;
use napi::{JsValue, ValueType};
use serde_json::{Map, Number, Value};
use yunhuni::ops::{Casing, Operation, Type};

type R<T> = std::result::Result<T, JsError>;

/// Objects and arrays nested deeper than this are refused (a cycle would never end).
const MAX_DEPTH: usize = 32;

/// The keys of a play item object, in the order of the row they make.
const PLAY_ITEM_KEYS: [&str; 3] = ["content", "playType", "options"];

/// The fields object of a request for `op` (`undefined` or `null` for none).
pub(crate) fn read(op: &Operation, fields: Option<Unknown<'_>>) -> R<Vec<(String, Value)>> {
    let Some(fields) = present(fields) else {
        return Ok(Vec::new());
    };
    let object = plain_object(&fields, "fields")?;
    let mut out = Vec::new();
    for (key, value) in entries(&object, "fields")? {
        let declared = op.fields.iter().find(|f| Casing::Camel.name(f.name) == key);
        match (declared, present(value)) {
            (Some(_), None) => {}
            (Some(field), Some(value)) => {
                let value = convert(field.ty, value, &key)?;
                out.push((key, value));
            }
            // Not a field of the operation: core refuses it, naming it and the fields it takes.
            (None, _) => out.push((key, Value::Null)),
        }
    }
    Ok(out)
}

/// A value of a field of type `ty`.
fn convert(ty: Type, value: Unknown<'_>, path: &str) -> R<Value> {
    match ty {
        Type::PlayRows => play_rows(value, path),
        Type::Str | Type::Int | Type::Bool | Type::StrList | Type::Objects(_) => {
            json(value, path, 0)
        }
    }
}

/// Play rows: each item a `[content, playType, options?]` row or a `{ content, playType,
/// options? }` object.
fn play_rows(value: Unknown<'_>, path: &str) -> R<Value> {
    if !value.is_array().unwrap_or(false) {
        return json(value, path, 0);
    }
    let items = array_items(&value, path)?;
    let mut rows = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let at = format!("{path}[{i}]");
        let row = match item {
            Some(item) if is_plain_object(&item) => play_item(&plain_object(&item, &at)?, &at)?,
            Some(item) => json(item, &at, 1)?,
            None => Value::Null,
        };
        rows.push(row);
    }
    Ok(Value::Array(rows))
}

/// A `{ content, playType, options? }` object as the row `[content, playType, options?]`.
fn play_item(object: &Object<'_>, at: &str) -> R<Value> {
    let mut parts: [Option<Unknown<'_>>; 3] = [None, None, None];
    for (key, value) in entries(object, at)? {
        let Some(index) = PLAY_ITEM_KEYS.iter().position(|k| *k == key) else {
            return Err(JsError::validation(
                format!("{at}.{key}"),
                format!(
                    "is not a key of play items (they take {})",
                    PLAY_ITEM_KEYS.join(", ")
                ),
            ));
        };
        parts[index] = present(value);
    }
    let mut row = Vec::with_capacity(3);
    for (key, part) in PLAY_ITEM_KEYS.iter().zip(parts) {
        let field = format!("{at}.{key}");
        match part {
            Some(value) => row.push(json(value, &field, 2)?),
            None if *key == "options" => {}
            None => return Err(JsError::validation(field, "is required")),
        }
    }
    Ok(Value::Array(row))
}

/// Any JavaScript value that JSON can carry, as JSON.
pub(crate) fn json(value: Unknown<'_>, path: &str, depth: usize) -> R<Value> {
    if depth > MAX_DEPTH {
        return Err(JsError::validation(
            path,
            format!("is nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    let napi = |e: napi::Error| JsError::validation(path, e.reason);
    match ty(&value) {
        Some(ValueType::Undefined | ValueType::Null) => Ok(Value::Null),
        // SAFETY (each cast): the type was checked by the match.
        Some(ValueType::Boolean) => Ok(Value::Bool(unsafe { value.cast::<bool>() }.map_err(napi)?)),
        Some(ValueType::String) => Ok(Value::String(text(path, &value)?)),
        Some(ValueType::Number) => number(unsafe { value.cast::<f64>() }.map_err(napi)?, path),
        Some(ValueType::Object) if value.is_array().unwrap_or(false) => {
            let items = array_items(&value, path)?;
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                out.push(match item {
                    Some(item) => json(item, &format!("{path}[{i}]"), depth + 1)?,
                    None => Value::Null,
                });
            }
            Ok(Value::Array(out))
        }
        Some(ValueType::Object) if is_plain_object(&value) => {
            let object = plain_object(&value, path)?;
            let mut out = Map::new();
            for (key, item) in entries(&object, path)? {
                if let Some(item) = present(item) {
                    let item = json(item, &format!("{path}.{key}"), depth + 1)?;
                    out.insert(key, item);
                }
            }
            Ok(Value::Object(out))
        }
        _ => Err(not_json(&value, path)),
    }
}

/// A JavaScript number as JSON: an integral one as an integer, NaN and the infinities refused.
fn number(n: f64, path: &str) -> R<Value> {
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE_INTEGER {
        return Ok(Value::from(n as i64));
    }
    match Number::from_f64(n) {
        Some(n) => Ok(Value::Number(n)),
        None => Err(JsError::validation(
            path,
            format!("expected a finite number, got {}", shown_number(n)),
        )),
    }
}

fn not_json(value: &Unknown<'_>, path: &str) -> JsError {
    let what = if value.is_typedarray().unwrap_or(false) || value.is_buffer().unwrap_or(false) {
        "a typed array"
    } else {
        type_name(value)
    };
    JsError::validation(path, format!("expected a value JSON can hold, got {what}"))
}

/// An object that is neither an array nor binary data.
fn is_plain_object(value: &Unknown<'_>) -> bool {
    ty(value) == Some(ValueType::Object)
        && !value.is_array().unwrap_or(false)
        && !value.is_typedarray().unwrap_or(false)
        && !value.is_arraybuffer().unwrap_or(false)
        && !value.is_buffer().unwrap_or(false)
}

fn plain_object<'e>(value: &Unknown<'e>, path: &str) -> R<Object<'e>> {
    if !is_plain_object(value) {
        return Err(JsError::validation(
            path,
            format!("expected an object, got {}", type_name(value)),
        ));
    }
    value
        .coerce_to_object()
        .map_err(|e| JsError::validation(path, e.reason))
}

/// The own enumerable string keys of an object and their values.
fn entries<'e>(object: &Object<'e>, path: &str) -> R<Vec<(String, Option<Unknown<'e>>)>> {
    let napi = |e: napi::Error| JsError::validation(path, e.reason);
    let keys = own_keys(object, path)?;
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        let value = object.get::<Unknown>(&key).map_err(napi)?;
        out.push((key, value));
    }
    Ok(out)
}

/// The elements of an array (`None` for holes and `undefined`).
fn array_items<'e>(value: &Unknown<'e>, path: &str) -> R<Vec<Option<Unknown<'e>>>> {
    let napi = |e: napi::Error| JsError::validation(path, e.reason);
    // SAFETY: the callers checked that it is an array.
    let array = unsafe { value.cast::<Array>() }.map_err(napi)?;
    let mut out = Vec::with_capacity(array.len() as usize);
    for i in 0..array.len() {
        out.push(present(array.get::<Unknown>(i).map_err(napi)?));
    }
    Ok(out)
}
