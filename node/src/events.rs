//! `parseEvent`, `sign` and `stringToSign`: pure functions of core, converted.

use crate::args::{opt_string, present, ty, type_name, Args};
use crate::error::{JsError, OrThrow};
use crate::names::camel_case;
use napi::bindgen_prelude::*;
use napi::{JsValue, ValueType};
use napi_derive::napi;
use serde_json::{Map, Value};
use yunhuni::{Event, SignInput};

type R<T> = std::result::Result<T, JsError>;

/// The bytes of a body given as a string (its UTF-8 bytes), a `Buffer` or a `Uint8Array`.
fn bytes(field: &str, value: Option<Unknown<'_>>, required: bool) -> R<Vec<u8>> {
    let Some(value) = present(value) else {
        return if required {
            Err(JsError::validation(
                field,
                "is required (a string, Buffer or Uint8Array)",
            ))
        } else {
            Ok(Vec::new())
        };
    };
    if ty(&value) == Some(ValueType::String) {
        return Ok(opt_string(field, Some(value))?
            .unwrap_or_default()
            .into_bytes());
    }
    let expected = || {
        JsError::validation(
            field,
            format!(
                "expected a string, Buffer or Uint8Array, got {}",
                type_name(&value)
            ),
        )
    };
    if !value.is_typedarray().unwrap_or(false) {
        return Err(expected());
    }
    // SAFETY: checked to be a typed array just above; the element type is checked by `cast`.
    let slice = unsafe { value.cast::<Uint8ArraySlice>() }.map_err(|_| expected())?;
    Ok(slice.to_vec())
}

/// Core's canonical view of an event with camelCase keys (`talk_seconds` becomes
/// `talkSeconds`); the `fields` of other events are kept as they came.
fn camel_view(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let v = if k == "fields" { v } else { camel_view(v) };
                    (camel_case(&k), v)
                })
                .collect::<Map<_, _>>(),
        ),
        other => other,
    }
}

/// Parses a webhook body (a string, `Buffer` or `Uint8Array`) into the JSON text of a plain
/// object, which `index.js` hands to `JSON.parse` (much faster than building the object through
/// N-API property by property): `event` and `type` discriminate; `duo_callback.end` also has
/// `outcome` and `talkSeconds`.
#[napi(catch_unwind)]
pub fn parse_event(env: &Env, body: Option<Unknown>) -> Result<String> {
    let parse = || -> R<String> {
        let body = bytes("body", body, true)?;
        let event = Event::parse(&body).map_err(JsError::renamed)?;
        Ok(camel_view(event.to_value()).to_string())
    };
    parse().or_throw(env)
}

/// Reads the arguments of `sign` and `stringToSign`, then calls `f` with them.
fn with_sign_input<T>(
    input: Option<Unknown>,
    what: &str,
    with_secret: bool,
    f: impl FnOnce(&SignInput<'_>, Option<&str>) -> T,
) -> R<T> {
    let mut a = Args::new(input, "", what, false)?;
    let required = |a: &mut Args<'_>, key: &'static str| {
        a.string(key)?
            .ok_or_else(|| JsError::validation(key, "is required (a string)"))
    };
    let method = required(&mut a, "method")?;
    let uri = required(&mut a, "uri")?;
    let timestamp = required(&mut a, "timestamp")?;
    let app_id = required(&mut a, "appId")?;
    let secret = if with_secret {
        Some(required(&mut a, "secretKey")?)
    } else {
        None
    };
    let content_type = a.string("contentType")?;
    let body = bytes("body", a.raw("body")?, false)?;
    a.finish()?;
    let input = SignInput {
        method: &method,
        uri: &uri,
        content_type: content_type.as_deref().unwrap_or(yunhuni::CONTENT_TYPE),
        timestamp: &timestamp,
        app_id: &app_id,
        body: &body,
    };
    Ok(f(&input, secret.as_deref()))
}

/// The `Signature` header for a request: `{ method, uri, timestamp, appId, secretKey, body?,
/// contentType? }`. The query string of `uri` is not signed.
#[napi(catch_unwind)]
pub fn sign(env: &Env, input: Option<Unknown>) -> Result<String> {
    with_sign_input(input, "sign input", true, |i, secret| {
        yunhuni::sign(i, secret.unwrap_or_default())
    })
    .or_throw(env)
}

/// The string that `sign` signs: `{ method, uri, timestamp, appId, body?, contentType? }`.
#[napi(catch_unwind)]
pub fn string_to_sign(env: &Env, input: Option<Unknown>) -> Result<String> {
    with_sign_input(input, "stringToSign input", false, |i, _| {
        yunhuni::string_to_sign(i)
    })
    .or_throw(env)
}

/// The platform's meaning of a return code: `{ code, name, zh, en }`, or `null`.
#[napi(catch_unwind)]
pub fn lookup_code(env: &Env, code: Option<Unknown>) -> Result<Value> {
    let code = opt_string("code", code).or_throw(env)?.unwrap_or_default();
    Ok(yunhuni::codes::lookup(&code).map_or(
        Value::Null,
        |c| serde_json::json!({ "code": c.code, "name": c.name, "zh": c.zh, "en": c.en }),
    ))
}
