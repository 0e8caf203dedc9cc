//! The Node.js binding of the `yunhuni` crate (napi-rs v3), loaded by `index.js`.
//!
//! Thin by design: every function converts its JavaScript arguments, calls the core crate and
//! converts the result or the error. No validation, signing, parsing or HTTP logic lives here.
//!
//! Errors cross into JavaScript as an `Error` whose message is [`ERROR_MARK`] followed by a
//! JSON object `{kind, message, code, status, field}`; `index.js` turns it into a
//! `YunhuniError`. Network calls run on the worker pool of [`pool`] and settle a Promise, so
//! the event loop never waits for the network.

#![deny(clippy::all)]
// The napi macros register nothing in unit-test builds, so the exported functions look unused.
#![cfg_attr(test, allow(dead_code))]

mod args;
mod client;
mod events;
mod pool;
mod sandbox;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::json;

/// The start of the message of every error that `index.js` converts to a `YunhuniError`.
pub(crate) const ERROR_MARK: &str = "\u{1}yunhuni-error\u{1}";

/// An error on its way to JavaScript: one of core's errors, an argument of the wrong type
/// (`validation`), or a failure of the sandbox (`timeout` while waiting for an event,
/// `transport` when it cannot listen).
#[derive(Debug, Clone)]
pub(crate) struct JsError {
    kind: &'static str,
    message: String,
    code: Option<String>,
    status: Option<u16>,
    field: Option<String>,
}

impl JsError {
    /// A `validation` error about the argument `field` (already in its JavaScript spelling).
    pub(crate) fn validation(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        let field = field.into();
        JsError {
            kind: "validation",
            message: format!("{field}: {message}"),
            code: None,
            status: None,
            field: Some(field),
        }
    }

    /// An error of another kind made by the binding itself (the sandbox's `timeout` or
    /// `transport`), with no code, status or field.
    pub(crate) fn other(kind: &'static str, message: impl Into<String>) -> Self {
        JsError {
            kind,
            message: message.into(),
            code: None,
            status: None,
            field: None,
        }
    }

    pub(crate) fn into_napi(self) -> napi::Error {
        let payload = json!({
            "kind": self.kind,
            "message": self.message,
            "code": self.code,
            "status": self.status,
            "field": self.field,
        });
        napi::Error::from_reason(format!("{ERROR_MARK}{payload}"))
    }
}

impl From<yunhuni::Error> for JsError {
    fn from(e: yunhuni::Error) -> Self {
        let field = e.field().map(js_field);
        // A validation message starts with the field's name: spell it as JavaScript does.
        let message = match (e.field(), &field) {
            (Some(core), Some(js)) if e.kind() == yunhuni::ErrorKind::Validation => {
                match e
                    .message()
                    .strip_prefix(core)
                    .and_then(|rest| rest.strip_prefix(": "))
                {
                    Some(rest) => format!("{js}: {rest}"),
                    None => e.message().to_owned(),
                }
            }
            _ => e.message().to_owned(),
        };
        JsError {
            kind: e.kind().as_str(),
            message,
            code: e.code().map(str::to_owned),
            status: e.status(),
            field,
        }
    }
}

impl From<JsError> for napi::Error {
    fn from(e: JsError) -> Self {
        e.into_napi()
    }
}

/// A field name of core (`max_call_duration`, `play_content[0]`) as JavaScript spells it
/// (`maxCallDuration`, `playContent[0]`). Environment variable names stay as they are.
pub(crate) fn js_field(field: &str) -> String {
    match field {
        "timeout" => "timeoutMs".to_owned(),
        "connect_timeout" => "connectTimeoutMs".to_owned(),
        other => camel_case(other),
    }
}

/// `snake_case` to `camelCase`: an underscore followed by a lowercase letter becomes that
/// letter in upper case; everything else is kept.
pub(crate) fn camel_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('_', Some(next)) if next.is_ascii_lowercase() && !out.is_empty() => {
                out.push(next.to_ascii_uppercase());
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// The version of the core library.
#[napi(catch_unwind)]
pub fn core_version() -> String {
    yunhuni::VERSION.to_owned()
}

/// Throws an error that carries `kind` etc. like every error of this module; used by the
/// tests of `index.js` to check the conversion of a panic and of each field.
#[napi(catch_unwind, js_name = "__testThrow")]
pub fn test_throw(what: String) -> Result<()> {
    match what.as_str() {
        "panic" => panic!("deliberate panic for a test"),
        _ => Err(JsError::validation("what", "deliberate error for a test").into_napi()),
    }
}

/// Returns a Promise that is settled by a panic on the worker pool.
#[napi(catch_unwind, js_name = "__testPanicAsync")]
pub fn test_panic_async(env: &Env) -> Result<Object<'_>> {
    pool::promise(env, || -> std::result::Result<(), JsError> {
        panic!("deliberate panic on a worker for a test")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel() {
        assert_eq!(camel_case("max_call_duration"), "maxCallDuration");
        assert_eq!(camel_case("answer_time1"), "answerTime1");
        assert_eq!(camel_case("play_content[0]"), "playContent[0]");
        assert_eq!(camel_case("YUNHUNI_APP_ID"), "YUNHUNI_APP_ID");
        assert_eq!(camel_case("to1"), "to1");
        assert_eq!(camel_case("_x"), "_x");
        assert_eq!(js_field("timeout"), "timeoutMs");
        assert_eq!(js_field("call_id"), "callId");
    }

    #[test]
    fn validation_messages_name_the_javascript_field() {
        let core = yunhuni::DuoCallback::new("1", "2", 0)
            .validate()
            .unwrap_err();
        let js = JsError::from(core);
        assert_eq!(js.field.as_deref(), Some("maxCallDuration"));
        assert!(
            js.message.starts_with("maxCallDuration: 0 is out of range"),
            "{}",
            js.message
        );
        let timeout = yunhuni::Client::builder("a", "c", "s")
            .timeout(std::time::Duration::ZERO)
            .build()
            .unwrap_err();
        let js = JsError::from(timeout);
        assert_eq!(js.field.as_deref(), Some("timeoutMs"));
        assert!(js.message.starts_with("timeoutMs: "), "{}", js.message);
    }
}
