//! Errors on their way to JavaScript.
//!
//! Every error crosses as a structured value: Rust creates the JavaScript error object (a
//! `YunhuniError`, the class `index.js` registers with [`register_error_class`]) and sets its
//! `kind`, `code`, `status`, `field`, `platformMessage` and `maybeSent` properties. The
//! message is core's, unchanged.

use crate::names::js_field;
use napi::bindgen_prelude::*;
use napi::JsValue;

/// The constructor of `YunhuniError` in one JavaScript environment (the main thread or a
/// worker), kept in that environment's instance data.
type ErrorClass = FunctionRef<FnArgs<(String, String)>, Unknown<'static>>;

/// Makes `class` (`new class(kind, message)`) the class of every error this environment
/// receives from the addon. Until it is called, errors are plain `Error`s with the same
/// properties.
pub(crate) fn register_error_class(
    env: &Env,
    class: Function<'_, FnArgs<(String, String)>, Unknown<'static>>,
) -> Result<()> {
    let class: ErrorClass = class.create_ref()?;
    env.set_instance_data(class, (), |_| {})
}

/// An error on its way to JavaScript: one of core's errors, an argument of the wrong type
/// (`validation`), or a failure of the sandbox (`timeout` while waiting for an event,
/// `transport` when it cannot listen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsError {
    pub(crate) kind: &'static str,
    pub(crate) message: String,
    pub(crate) code: Option<String>,
    pub(crate) status: Option<u16>,
    pub(crate) field: Option<String>,
    pub(crate) platform_message: Option<String>,
    /// For `transport` and `timeout` errors: bytes of the request were written, so the server
    /// may have acted on it (core's `Error::maybe_sent`).
    pub(crate) maybe_sent: bool,
}

impl JsError {
    /// A `validation` error about the argument `field` (already in its JavaScript spelling).
    pub(crate) fn validation(field: impl Into<String>, message: impl std::fmt::Display) -> Self {
        JsError::from(yunhuni::Error::validation(field, message.to_string()))
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
            platform_message: None,
            maybe_sent: false,
        }
    }

    /// One of core's errors about a client setting or an event field, which core names in
    /// snake_case (`connect_timeout`, `hangup_by`): the field as JavaScript spells it
    /// (`connectTimeoutMs`, `hangupBy`), through core's own renaming.
    pub(crate) fn renamed(e: yunhuni::Error) -> Self {
        let mut error = JsError::from(e.rename_field(js_field));
        error.field = error.field.map(|f| js_field(&f));
        error
    }

    /// The JavaScript error, as a `napi::Error` that throws or rejects with exactly it.
    pub(crate) fn to_js(&self, env: &Env) -> napi::Error {
        match self.object(env) {
            Ok(object) => napi::Error::from(object.to_unknown()),
            // Only when the environment is shutting down.
            Err(_) => napi::Error::from_reason(self.message.clone()),
        }
    }

    fn object<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        let mut object = match env.get_instance_data::<ErrorClass>()? {
            Some(class) => class
                .borrow_back(env)?
                .new_instance(FnArgs::from((self.kind.to_owned(), self.message.clone())))?
                .coerce_to_object()?,
            None => env.create_error(napi::Error::from_reason(self.message.clone()))?,
        };
        object.set("kind", self.kind)?;
        object.set("code", self.code.as_deref())?;
        object.set("status", self.status.map(u32::from))?;
        object.set("field", self.field.as_deref())?;
        object.set("platformMessage", self.platform_message.as_deref())?;
        object.set("maybeSent", self.maybe_sent)?;
        Ok(object)
    }
}

impl From<yunhuni::Error> for JsError {
    /// Core's error as it is: its message, and its field in the casing core was asked for.
    fn from(e: yunhuni::Error) -> Self {
        JsError {
            kind: e.kind().as_str(),
            message: e.message().to_owned(),
            code: e.code().map(str::to_owned),
            status: e.status(),
            field: e.field().map(str::to_owned),
            platform_message: e.platform_message().map(str::to_owned),
            maybe_sent: e.maybe_sent(),
        }
    }
}

/// `result.or_throw(env)`: a synchronous function's error as the JavaScript error it throws.
pub(crate) trait OrThrow<T> {
    fn or_throw(self, env: &Env) -> Result<T>;
}

impl<T> OrThrow<T> for std::result::Result<T, JsError> {
    fn or_throw(self, env: &Env) -> Result<T> {
        self.map_err(|e| e.to_js(env))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_settings_are_named_the_javascript_way_with_core_s_message() {
        let timeout = yunhuni::Client::builder("a", "c", "s")
            .timeout(std::time::Duration::ZERO)
            .build()
            .unwrap_err();
        let detail = timeout.detail().to_owned();
        let js = JsError::renamed(timeout);
        assert_eq!(js.kind, "validation");
        assert_eq!(js.field.as_deref(), Some("timeoutMs"));
        assert_eq!(js.message, format!("timeoutMs: {detail}"));
    }

    #[test]
    fn operation_errors_keep_core_s_field_and_message() {
        let core = yunhuni::Client::builder("a", "c", "s")
            .build()
            .unwrap()
            .call(
                "duo_callback",
                [("maxCallDuration", serde_json::Value::from(0))],
                yunhuni::ops::Casing::Camel,
            )
            .unwrap_err();
        let js = JsError::from(core.clone());
        assert_eq!(js.field.as_deref(), core.field());
        assert_eq!(js.message, core.message());
        assert_eq!(js.kind, "validation");
    }

    #[test]
    fn binding_validation_errors_read_like_core_s() {
        let js = JsError::validation("appId", "expected a string, got a number");
        assert_eq!(js.field.as_deref(), Some("appId"));
        assert_eq!(js.message, "appId: expected a string, got a number");
        assert_eq!(js.platform_message, None);
    }
}
