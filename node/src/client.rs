//! `NativeClient`: core's `Client`, with every network call on the worker pool. One entry,
//! `request(name, fields, options)`, reaches every operation; `ops.js` (generated) names them.

use crate::args::{opt_bool, opt_string, present, text, ty, type_name, Args};
use crate::error::{JsError, OrThrow};
use crate::logging::{self, Hook};
use crate::{fields, pool};
use napi::bindgen_prelude::*;
use napi::ValueType;
use napi_derive::napi;
use serde_json::{json, Value};
use std::sync::Arc;
use yunhuni::ops::{Casing, Data, Operation, Request};
use yunhuni::{CallCreated, CallOptions, Client, ClientBuilder};

type R<T> = std::result::Result<T, JsError>;

/// The options that `new Client()` and `Client.fromEnv()` both take, applied to a builder;
/// with the client's `onRequest` hook, if any.
fn apply_common(mut builder: ClientBuilder, a: &mut Args<'_>) -> R<(ClientBuilder, Option<Hook>)> {
    if let Some(url) = a.string("baseUrl")? {
        builder = builder.base_url(url);
    }
    if let Some(id) = a.string("accountId")? {
        builder = builder.account_id(id);
    }
    if let Some(timeout) = a.millis("timeoutMs")? {
        builder = builder.timeout(timeout);
    }
    if let Some(timeout) = a.millis("connectTimeoutMs")? {
        builder = builder.connect_timeout(timeout);
    }
    if let Some(suffix) = a.string("userAgent")? {
        builder = builder.user_agent(suffix);
    }
    if let Some(retries) = a.int("connectRetries")? {
        let retries = u32::try_from(retries).map_err(|_| {
            JsError::validation(
                "connectRetries",
                format!("expected an integer 0-{}, got {retries}", u32::MAX),
            )
        })?;
        builder = builder.connect_retries(retries);
    }
    if let Some(n) = a.int("maxIdleConnections")? {
        // What cannot be a count is refused here; core refuses a count it does not take.
        let n = usize::try_from(n).map_err(|_| {
            JsError::validation(
                "maxIdleConnections",
                format!("expected a number of connections (an integer, 0 or more), got {n}"),
            )
        })?;
        builder = builder.max_idle_connections(n);
    }
    builder = match proxy(a)? {
        Proxy::FromEnv => builder,
        Proxy::Url(url) => builder.proxy(url),
        Proxy::Direct => builder.no_proxy(),
    };
    let hook = on_request(a)?;
    if hook.is_some() {
        builder = builder.on_request(logging::observe);
    }
    Ok((builder, hook))
}

/// The `proxy` option: a URL, `false` for none, or absent for the `HTTPS_PROXY`/`HTTP_PROXY`/
/// `ALL_PROXY` variables.
enum Proxy {
    FromEnv,
    Url(String),
    Direct,
}

fn proxy(a: &mut Args<'_>) -> R<Proxy> {
    let Some(value) = present(a.raw("proxy")?) else {
        return Ok(Proxy::FromEnv);
    };
    match ty(&value) {
        Some(ValueType::String) => Ok(Proxy::Url(text("proxy", &value)?)),
        Some(ValueType::Boolean) if opt_bool("proxy", Some(value))? == Some(false) => {
            Ok(Proxy::Direct)
        }
        _ => Err(JsError::validation(
            "proxy",
            format!(
                "expected a proxy URL (a string) or false, got {}",
                if ty(&value) == Some(ValueType::Boolean) {
                    "true"
                } else {
                    type_name(&value)
                }
            ),
        )),
    }
}

/// The `onRequest` option: a function.
fn on_request(a: &mut Args<'_>) -> R<Option<Hook>> {
    let Some(value) = present(a.raw("onRequest")?) else {
        return Ok(None);
    };
    if ty(&value) != Some(ValueType::Function) {
        return Err(JsError::validation(
            "onRequest",
            format!("expected a function, got {}", type_name(&value)),
        ));
    }
    let napi = |e: napi::Error| JsError::validation("onRequest", e.reason);
    // SAFETY: the type was checked just above.
    let function =
        unsafe { value.cast::<Function<'_, Value, Unknown<'static>>>() }.map_err(napi)?;
    Ok(Some(Arc::new(function.create_ref().map_err(napi)?)))
}

/// The options of one call: `{ timeoutMs }`.
fn call_options(options: Option<Unknown<'_>>) -> R<CallOptions> {
    let mut a = Args::new(options, "", "call options", true)?;
    let timeout = a.millis("timeoutMs")?;
    a.finish()?;
    Ok(CallOptions { timeout })
}

/// What a request resolves to: `{ callId, userData }` for an operation that places a call,
/// `undefined` for one whose answer is declared `null`, else the answer's `data` as it came.
fn answer(op: &Operation, data: Value) -> R<Either<(), Value>> {
    match op.data {
        Data::Call => {
            let c = CallCreated::from_data(data)?;
            Ok(Either::B(
                json!({ "callId": c.call_id, "userData": c.user_data }),
            ))
        }
        Data::Null if data.is_null() => Ok(Either::A(())),
        _ => Ok(Either::B(data)),
    }
}

/// The client, as `index.js` wraps it in `Client`. It holds the secret key only inside core's
/// `Client`, so no JavaScript property of it ever shows the key.
#[napi]
pub struct NativeClient {
    inner: Client,
    hook: Option<Hook>,
}

#[napi]
impl NativeClient {
    /// `new NativeClient({ appId, certId, secretKey, baseUrl?, accountId?, timeoutMs?,
    /// connectTimeoutMs?, userAgent?, connectRetries?, maxIdleConnections?, proxy?, onRequest? })`.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: &Env, options: Option<Unknown>) -> Result<Self> {
        let build = || -> R<NativeClient> {
            let mut a = Args::new(options, "", "Client options", false)?;
            let builder =
                Client::builder(a.text("appId")?, a.text("certId")?, a.text("secretKey")?);
            let (builder, hook) = apply_common(builder, &mut a)?;
            a.finish()?;
            let inner = builder.build().map_err(JsError::renamed)?;
            Ok(NativeClient { inner, hook })
        };
        build().or_throw(env)
    }

    /// A client from `YUNHUNI_APP_ID`, `YUNHUNI_CERT_ID`, `YUNHUNI_SECRET_KEY` and the optional
    /// `YUNHUNI_BASE_URL`, `YUNHUNI_ACCOUNT_ID`; `options` override the optional settings.
    #[napi(factory, catch_unwind)]
    pub fn from_env(env: &Env, options: Option<Unknown>) -> Result<Self> {
        let build = || -> R<NativeClient> {
            let mut a = Args::new(options, "", "Client.fromEnv options", true)?;
            let builder = Client::builder_from_env().map_err(JsError::renamed)?;
            let (builder, hook) = apply_common(builder, &mut a)?;
            a.finish()?;
            let inner = builder.build().map_err(JsError::renamed)?;
            Ok(NativeClient { inner, hook })
        };
        build().or_throw(env)
    }

    #[napi(getter, catch_unwind)]
    pub fn app_id(&self) -> String {
        self.inner.app_id().to_owned()
    }

    #[napi(getter, catch_unwind)]
    pub fn cert_id(&self) -> String {
        self.inner.cert_id().to_owned()
    }

    #[napi(getter, catch_unwind)]
    pub fn account_id(&self) -> String {
        self.inner.account_id().to_owned()
    }

    #[napi(getter, catch_unwind)]
    pub fn api_root(&self) -> String {
        self.inner.api_root().to_owned()
    }

    /// `request(name, fields, options?)`: the operation called `name` (`conf_create`, or an
    /// alias such as `cancel_duo_callback`) with `fields` keyed in camelCase, and the options
    /// of this call (`{ timeoutMs }`). Core checks every field and option before anything is
    /// sent. Resolves to what [`answer`] makes of the response's `data`; the client's hook
    /// hears of the request first.
    #[napi(catch_unwind)]
    pub fn request<'e>(
        &self,
        env: &'e Env,
        name: Option<Unknown>,
        fields: Option<Unknown>,
        options: Option<Unknown>,
    ) -> Result<Object<'e>> {
        type Read = (&'static Operation, Vec<(String, Value)>, CallOptions);
        let read = || -> R<Read> {
            let name = opt_string("operation", name)?.ok_or_else(|| {
                JsError::validation(
                    "operation",
                    "is required: an operation's name, such as 'conf_create'",
                )
            })?;
            let op = Request::new(&name)?.operation();
            let fields = fields::read(op, fields)?;
            Ok((op, fields, call_options(options)?))
        };
        let client = self.inner.clone();
        let hook = self.hook.clone();
        pool::promise_with_before(
            env,
            pool::Lane::Request,
            read(),
            move |(op, fields, options)| {
                let (result, seen) = logging::capture(hook.is_some(), || {
                    client
                        .call_with(op.name, fields, Casing::Camel, &options)
                        .map_err(|e| call_error(op, e))
                });
                // The hook goes back to the JavaScript thread even with nothing to hear, so that
                // its reference is never released on a worker.
                let before = hook.map(|hook| -> pool::Before {
                    Box::new(move |env: &Env| {
                        if let Some(seen) = seen {
                            logging::deliver(env, &hook, seen);
                        }
                    })
                });
                (result.and_then(|data| answer(op, data)), before)
            },
        )
    }
}

/// An error of a call: core's, with its own option `timeout` named as JavaScript passes it
/// (`timeoutMs`), which no operation has as a field.
fn call_error(op: &Operation, e: yunhuni::Error) -> JsError {
    let own_option = e.kind() == yunhuni::ErrorKind::Validation
        && e.field() == Some("timeout")
        && !op.fields.iter().any(|f| f.name == "timeout");
    if own_option {
        JsError::renamed(e)
    } else {
        JsError::from(e)
    }
}
