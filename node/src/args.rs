//! Reading JavaScript option objects into core's request structs.
//!
//! Only conversion: each value must have the JavaScript type that the Rust field can hold
//! (a string, an integral number, a boolean), and every key must be one the function takes.
//! A mistake is a `validation` error that names the key as the caller spelled it. Whether
//! a value is acceptable (ranges, lengths, required text) is core's business.

use crate::error::JsError;
use crate::names::camel_case;
use napi::bindgen_prelude::*;
use napi::{JsValue, ValueType};

type R<T> = std::result::Result<T, JsError>;

/// The largest integer a JavaScript number holds exactly.
pub(crate) const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// A short name of a JavaScript value's type, for error messages. Never the value itself:
/// it may be a secret.
pub(crate) fn type_name(value: &Unknown<'_>) -> &'static str {
    match value.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "a boolean",
        Ok(ValueType::Number) => "a number",
        Ok(ValueType::String) => "a string",
        Ok(ValueType::Symbol) => "a symbol",
        Ok(ValueType::Function) => "a function",
        Ok(ValueType::BigInt) => "a bigint",
        Ok(ValueType::Object) if value.is_array().unwrap_or(false) => "an array",
        Ok(ValueType::Object) => "an object",
        _ => "a value of another type",
    }
}

/// The type of a value (`None` if it cannot be told).
pub(crate) fn ty(value: &Unknown<'_>) -> Option<ValueType> {
    value.get_type().ok()
}

/// The value, unless it is absent, `undefined` or `null`.
pub(crate) fn present(value: Option<Unknown<'_>>) -> Option<Unknown<'_>> {
    value.filter(|v| !matches!(ty(v), Some(ValueType::Undefined | ValueType::Null)))
}

/// Reads a string argument (`callId`, an event body's method...). `None` when absent.
pub(crate) fn opt_string(field: &str, value: Option<Unknown<'_>>) -> R<Option<String>> {
    let Some(value) = present(value) else {
        return Ok(None);
    };
    if ty(&value) != Some(ValueType::String) {
        return Err(JsError::validation(
            field,
            format!("expected a string, got {}", type_name(&value)),
        ));
    }
    text(field, &value).map(Some)
}

/// A JavaScript string as Rust text. A string holding a lone surrogate (`'\ud800'`) is not
/// text: N-API would hand it over with U+FFFD in its place, so it is refused naming `field`,
/// as every language of the SDK refuses it, before anything is sent.
pub(crate) fn text(field: &str, value: &Unknown<'_>) -> R<String> {
    let napi = |e: napi::Error| JsError::validation(field, e.reason);
    // SAFETY (both casts): the callers checked that the value is a string.
    let s = unsafe { value.cast::<String>() }.map_err(napi)?;
    // Only a string with U+FFFD in it can hide a lone surrogate: read those again as UTF-16,
    // which keeps the surrogates as they are.
    if s.contains('\u{fffd}') {
        let units = unsafe { value.cast::<Utf16String>() }.map_err(napi)?;
        if String::from_utf16(&units).is_err() {
            return Err(JsError::validation(
                field,
                "is not valid Unicode text (it contains a lone surrogate)",
            ));
        }
    }
    Ok(s)
}

/// A JavaScript number as a message shows it: `Infinity`, `-Infinity`, `NaN`, `1.5`, `1e+21`.
pub(crate) fn shown_number(n: f64) -> String {
    if n.is_nan() {
        "NaN".to_owned()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        n.to_string()
    }
}

/// The object's own enumerable string keys, in order: what `Object.keys` gives. (N-API's
/// plain list of property names also has the enumerable keys of the prototype chain: a
/// prototype's getters would be read as fields.) A key with a lone surrogate is refused.
pub(crate) fn own_keys(object: &Object<'_>, field: &str) -> R<Vec<String>> {
    let napi = |e: napi::Error| JsError::validation(field, e.reason);
    let names = object
        .get_all_property_names(
            KeyCollectionMode::OwnOnly,
            KeyFilter::Enumerable,
            KeyConversion::NumbersToStrings,
        )
        .map_err(napi)?;
    // SAFETY: N-API returns an array.
    let names = unsafe { names.to_unknown().cast::<Array>() }.map_err(napi)?;
    let mut keys = Vec::with_capacity(names.len() as usize);
    for i in 0..names.len() {
        let name = names.get::<Unknown>(i).map_err(napi)?;
        // Symbols are no fields.
        if let Some(name) = name.filter(|n| ty(n) == Some(ValueType::String)) {
            keys.push(text(field, &name)?);
        }
    }
    Ok(keys)
}

/// Reads an integral number. `None` when absent.
pub(crate) fn opt_int(field: &str, value: Option<Unknown<'_>>) -> R<Option<i64>> {
    let Some(value) = present(value) else {
        return Ok(None);
    };
    let expected = || {
        JsError::validation(
            field,
            format!("expected an integer, got {}", type_name(&value)),
        )
    };
    if ty(&value) != Some(ValueType::Number) {
        return Err(expected());
    }
    // SAFETY: the type was checked just above.
    let n = unsafe { value.cast::<f64>() }.map_err(|e| JsError::validation(field, e.reason))?;
    if !n.is_finite() || n.fract() != 0.0 {
        return Err(JsError::validation(
            field,
            format!("expected an integer, got {}", shown_number(n)),
        ));
    }
    if n.abs() > MAX_SAFE_INTEGER {
        return Err(JsError::validation(
            field,
            format!(
                "expected an integer of at most {MAX_SAFE_INTEGER} in size \
                 (Number.MAX_SAFE_INTEGER), got {}",
                shown_number(n)
            ),
        ));
    }
    Ok(Some(n as i64))
}

/// Reads a boolean. `None` when absent.
pub(crate) fn opt_bool(field: &str, value: Option<Unknown<'_>>) -> R<Option<bool>> {
    let Some(value) = present(value) else {
        return Ok(None);
    };
    if ty(&value) != Some(ValueType::Boolean) {
        return Err(JsError::validation(
            field,
            format!("expected a boolean, got {}", type_name(&value)),
        ));
    }
    // SAFETY: the type was checked just above.
    unsafe { value.cast::<bool>() }
        .map(Some)
        .map_err(|e| JsError::validation(field, e.reason))
}

/// The keys of an options object, read one by one; [`Args::finish`] refuses keys that were
/// not read, so that a misspelt option is an error rather than silently ignored.
pub(crate) struct Args<'e> {
    obj: Option<Object<'e>>,
    /// Prefix of the field names in errors: empty, or for example `playContent[2].`.
    prefix: String,
    /// What the object is, for messages: `duoCallback request`, `Client options`.
    what: String,
    known: Vec<&'static str>,
}

impl<'e> Args<'e> {
    /// `value` must be an object (not an array). When `optional`, `undefined` and `null` are
    /// read as an empty object.
    pub(crate) fn new(
        value: Option<Unknown<'e>>,
        field: &str,
        what: &str,
        optional: bool,
    ) -> R<Self> {
        let prefix = if field.is_empty() {
            String::new()
        } else {
            format!("{field}.")
        };
        let empty = Args {
            obj: None,
            prefix: prefix.clone(),
            what: what.to_owned(),
            known: Vec::new(),
        };
        let Some(value) = value else {
            return if optional {
                Ok(empty)
            } else {
                Err(missing(field, what))
            };
        };
        match value.get_type() {
            Ok(ValueType::Undefined | ValueType::Null) if optional => Ok(empty),
            Ok(ValueType::Undefined | ValueType::Null) => Err(missing(field, what)),
            Ok(ValueType::Object) if !value.is_array().unwrap_or(false) => {
                // SAFETY: the type was checked just above.
                let obj = unsafe { value.cast::<Object>() }
                    .map_err(|e| JsError::validation(field_or(field, what), e.reason))?;
                Ok(Args {
                    obj: Some(obj),
                    ..empty
                })
            }
            _ => Err(JsError::validation(
                field_or(field, what),
                format!("expected an object, got {}", type_name(&value)),
            )),
        }
    }

    pub(crate) fn raw(&mut self, key: &'static str) -> R<Option<Unknown<'e>>> {
        self.known.push(key);
        let Some(obj) = &self.obj else {
            return Ok(None);
        };
        obj.get::<Unknown>(key)
            .map_err(|e| JsError::validation(self.field(key), e.reason))
    }

    fn field(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    pub(crate) fn string(&mut self, key: &'static str) -> R<Option<String>> {
        let v = self.raw(key)?;
        opt_string(&self.field(key), v)
    }

    /// A string the request must have: absent is read as empty, which core refuses with a
    /// message of its own.
    pub(crate) fn text(&mut self, key: &'static str) -> R<String> {
        Ok(self.string(key)?.unwrap_or_default())
    }

    pub(crate) fn int(&mut self, key: &'static str) -> R<Option<i64>> {
        let v = self.raw(key)?;
        opt_int(&self.field(key), v)
    }

    /// A finite number.
    pub(crate) fn number(&mut self, key: &'static str) -> R<Option<f64>> {
        let field = self.field(key);
        let Some(value) = present(self.raw(key)?) else {
            return Ok(None);
        };
        if ty(&value) != Some(ValueType::Number) {
            return Err(JsError::validation(
                &field,
                format!("expected a number, got {}", type_name(&value)),
            ));
        }
        // SAFETY: the type was checked just above.
        let n =
            unsafe { value.cast::<f64>() }.map_err(|e| JsError::validation(&field, e.reason))?;
        Ok(Some(n))
    }

    pub(crate) fn bool(&mut self, key: &'static str) -> R<Option<bool>> {
        let v = self.raw(key)?;
        opt_bool(&self.field(key), v)
    }

    /// A non-negative integral number of milliseconds.
    pub(crate) fn millis(&mut self, key: &'static str) -> R<Option<std::time::Duration>> {
        match self.int(key)? {
            None => Ok(None),
            Some(ms) if ms < 0 => Err(JsError::validation(
                self.field(key),
                format!("expected milliseconds >= 0, got {ms}"),
            )),
            Some(ms) => Ok(Some(std::time::Duration::from_millis(ms as u64))),
        }
    }

    /// Refuses any key that was not read.
    pub(crate) fn finish(self) -> R<()> {
        let Some(obj) = &self.obj else {
            return Ok(());
        };
        let keys = own_keys(obj, self.prefix.trim_end_matches('.'))?;
        for key in keys {
            if self.known.contains(&key.as_str()) {
                continue;
            }
            let camel = camel_case(&key);
            let hint = if camel != key && self.known.contains(&camel.as_str()) {
                format!(" (did you mean `{camel}`?)")
            } else {
                format!(" (expected one of: {})", self.known.join(", "))
            };
            return Err(JsError::validation(
                self.field(&key),
                format!("is not an option of {}{hint}", self.what),
            ));
        }
        Ok(())
    }
}

fn field_or(field: &str, what: &str) -> String {
    if field.is_empty() {
        what.split(' ').next_back().unwrap_or(what).to_owned()
    } else {
        field.to_owned()
    }
}

fn missing(field: &str, what: &str) -> JsError {
    JsError::validation(field_or(field, what), "is required (an object)")
}
