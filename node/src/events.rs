//! `parseEvent`, `sign` and `stringToSign`: pure functions of core, converted.

use crate::args::{opt_string, present, ty, type_name, Args, MAX_SAFE_INTEGER};
use crate::error::{JsError, OrThrow};
use crate::names::camel_case;
use napi::bindgen_prelude::*;
use napi::{JsValue, ValueType};
use napi_derive::napi;
use serde_json::{Map, Value};
use std::fmt::Write;
use yunhuni::{Event, SignInput};

type R<T> = std::result::Result<T, JsError>;

/// The bytes of a body given as a string (its UTF-8 bytes), a `Buffer` or a `Uint8Array`.
pub(crate) fn bytes(field: &str, value: Option<Unknown<'_>>, required: bool) -> R<Vec<u8>> {
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
pub(crate) fn camel_view(value: Value) -> Value {
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

/// Every number of the view must reach JavaScript as the same number: one beyond
/// `Number.MAX_SAFE_INTEGER` in size (which `JSON.parse` would round, and which no event of
/// the platform carries) makes the body a `decode` error naming its key (`duration`, or the
/// path of a key of `fields` as sent: `conf.parts[2]`), never a silently different value.
pub(crate) fn exact_numbers(view: &Value) -> R<()> {
    let Value::Object(map) = view else {
        return Ok(());
    };
    for (key, value) in map {
        let mut path = if key == "fields" {
            String::new()
        } else {
            key.clone()
        };
        exact(value, &mut path)?;
    }
    Ok(())
}

/// Whether a JavaScript number holds `n` exactly (at most `Number.MAX_SAFE_INTEGER` in size).
pub(crate) fn is_exact(n: &serde_json::Number) -> bool {
    match (n.as_i64(), n.as_u64(), n.as_f64()) {
        (Some(i), _, _) => i.unsigned_abs() <= MAX_SAFE_INTEGER as u64,
        (None, Some(u), _) => u <= MAX_SAFE_INTEGER as u64,
        (None, None, Some(f)) => f.abs() <= MAX_SAFE_INTEGER,
        (None, None, None) => false,
    }
}

/// Refuses a number that a JavaScript number cannot hold exactly anywhere in `value`; `path`
/// is where `value` is (its key path).
fn exact(value: &Value, path: &mut String) -> R<()> {
    match value {
        Value::Number(n) => {
            if is_exact(n) {
                return Ok(());
            }
            // The key comes from outside: escaped (as `Debug` escapes) and cut in the message.
            let cut: String = path.chars().take(100).collect();
            let shown = format!("{cut:?}");
            let shown = &shown[1..shown.len() - 1];
            Err(JsError {
                field: Some(path.clone()),
                ..JsError::other(
                    "decode",
                    format!(
                        "`{shown}` is {n}, beyond the integers a JavaScript number holds \
                         exactly (Number.MAX_SAFE_INTEGER, {MAX_SAFE_INTEGER})"
                    ),
                )
            })
        }
        Value::Array(items) => {
            let len = path.len();
            for (i, item) in items.iter().enumerate() {
                let _ = write!(path, "[{i}]");
                exact(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(map) => {
            let len = path.len();
            for (key, item) in map {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                exact(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

/// Parses a webhook body (a string, `Buffer` or `Uint8Array`) into a plain object, made
/// directly through N-API from core's canonical view ([`crate::view`]), keys in camelCase, with
/// no code per event or per key here. `event` and `type` discriminate; a typed event has every
/// declared key and the values core derives (`outcome`, ...), as `events.d.ts` (generated from
/// core's event declarations) types them.
#[napi(catch_unwind)]
pub fn parse_event<'e>(env: &'e Env, body: Option<Unknown>) -> Result<Unknown<'e>> {
    let parse = || -> R<Unknown<'e>> {
        let event = with_bytes("body", body, |body| {
            Event::parse(body).map_err(JsError::renamed)
        })?;
        let object = crate::view::parsed_event_object(env, &event)?;
        // SAFETY: a value just made in this environment.
        Ok(unsafe { Unknown::from_raw_unchecked(env.raw(), object) })
    };
    parse().or_throw(env)
}

/// `f` of the bytes of a body given as a string (its UTF-8 bytes), a `Buffer` or a
/// `Uint8Array`, borrowed rather than copied when it is binary.
fn with_bytes<T>(field: &str, value: Option<Unknown<'_>>, f: impl FnOnce(&[u8]) -> R<T>) -> R<T> {
    if let Some(v) = &value {
        // A `Buffer` or `Uint8Array` asked for at once (one N-API call, which refuses every
        // other value without throwing).
        let (mut kind, mut len, mut data, mut buffer, mut offset) =
            (0, 0, std::ptr::null_mut(), std::ptr::null_mut(), 0);
        // SAFETY: N-API on the JavaScript thread with the value's live environment.
        let raw = v.value();
        let status = unsafe {
            napi::sys::napi_get_typedarray_info(
                raw.env,
                raw.value,
                &mut kind,
                &mut len,
                &mut data,
                &mut buffer,
                &mut offset,
            )
        };
        if status == napi::sys::Status::napi_ok && kind == napi::sys::TypedarrayType::uint8_array {
            if len == 0 || data.is_null() {
                return f(&[]);
            }
            // SAFETY: the array's bytes, alive while the argument is (this call).
            return f(unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) });
        }
    }
    if let Some(v) = present(value) {
        if ty(&v) != Some(ValueType::String) && v.is_typedarray().unwrap_or(false) {
            // SAFETY: a typed array; the element type is checked by `cast`.
            if let Ok(slice) = unsafe { v.cast::<Uint8ArraySlice>() } {
                return f(&slice);
            }
        }
    }
    f(&bytes(field, value, true)?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(body: &str) -> Option<String> {
        let view = camel_view(Event::parse(body.as_bytes()).unwrap().to_value());
        exact_numbers(&view).err().map(|e| {
            assert_eq!(e.kind, "decode");
            e.field.unwrap()
        })
    }

    #[test]
    fn numbers_beyond_the_exact_integers_are_refused_naming_the_key() {
        let big = "9007199254740992";
        let field = |body: String| refused(&body);
        assert_eq!(
            field(format!(
                r#"{{"event":"duo_callback.end","duration":{big}}}"#
            ))
            .as_deref(),
            Some("duration")
        );
        assert_eq!(
            field(format!(
                r#"{{"event":"duo_callback.end","hangup_by":-{big}}}"#
            ))
            .as_deref(),
            Some("hangupBy")
        );
        assert_eq!(
            field(format!(r#"{{"event":"x.y","a":{{"b_c":[1,{big}]}}}}"#)).as_deref(),
            Some("a.b_c[1]")
        );
        assert_eq!(
            field(r#"{"event":"x.y","f":1e300}"#.to_owned()).as_deref(),
            Some("f")
        );
        assert_eq!(
            field(r#"{"event":"x.y","u":18446744073709551615}"#.to_owned()).as_deref(),
            Some("u")
        );
    }

    #[test]
    fn exact_numbers_pass() {
        let max = MAX_SAFE_INTEGER as i64;
        for body in [
            format!(r#"{{"event":"duo_callback.end","duration":{max}}}"#),
            format!(r#"{{"event":"x.y","a":[-{max},0.5,-0.0,1e15]}}"#),
            r#"{"event":"notify_call.end","end_time":253402300799999}"#.to_owned(),
        ] {
            assert_eq!(refused(&body), None, "{body}");
        }
    }

    #[test]
    fn a_key_from_outside_is_escaped_and_cut_in_the_message() {
        let key = format!("\u{1b}[2J{}", "k".repeat(500));
        let value = json!({ "event": "x.y", "fields": { key.clone(): 9007199254740993u64 } });
        let err = exact_numbers(&value).unwrap_err();
        assert_eq!(err.field.as_deref(), Some(key.as_str()));
        assert!(!err.message.contains('\u{1b}'), "{}", err.message);
        assert!(err.message.len() < 400, "{}", err.message.len());
    }
}
