//! `NativeClient`: core's `Client`, with every network call on the worker pool. One entry,
//! `request(name, fields)`, reaches every operation; `ops.js` (generated) names them.

use crate::args::{opt_string, Args};
use crate::error::{JsError, OrThrow};
use crate::{fields, pool};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{json, Value};
use yunhuni::ops::{Casing, Data, Operation, Request};
use yunhuni::{CallCreated, Client, ClientBuilder};

type R<T> = std::result::Result<T, JsError>;

/// The options that `new Client()` and `Client.fromEnv()` both take, applied to a builder.
fn apply_common(mut builder: ClientBuilder, a: &mut Args<'_>) -> R<ClientBuilder> {
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
    Ok(builder)
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
}

#[napi]
impl NativeClient {
    /// `new NativeClient({ appId, certId, secretKey, baseUrl?, accountId?, timeoutMs?,
    /// connectTimeoutMs?, userAgent?, connectRetries? })`.
    #[napi(constructor, catch_unwind)]
    pub fn new(env: &Env, options: Option<Unknown>) -> Result<Self> {
        let build = || -> R<Client> {
            let mut a = Args::new(options, "", "Client options", false)?;
            let builder =
                Client::builder(a.text("appId")?, a.text("certId")?, a.text("secretKey")?);
            let builder = apply_common(builder, &mut a)?;
            a.finish()?;
            builder.build().map_err(JsError::renamed)
        };
        Ok(NativeClient {
            inner: build().or_throw(env)?,
        })
    }

    /// A client from `YUNHUNI_APP_ID`, `YUNHUNI_CERT_ID`, `YUNHUNI_SECRET_KEY` and the optional
    /// `YUNHUNI_BASE_URL`, `YUNHUNI_ACCOUNT_ID`; `options` override the optional settings.
    #[napi(factory, catch_unwind)]
    pub fn from_env(env: &Env, options: Option<Unknown>) -> Result<Self> {
        let build = || -> R<Client> {
            let mut a = Args::new(options, "", "Client.fromEnv options", true)?;
            let builder = Client::builder_from_env().map_err(JsError::renamed)?;
            let builder = apply_common(builder, &mut a)?;
            a.finish()?;
            builder.build().map_err(JsError::renamed)
        };
        Ok(NativeClient {
            inner: build().or_throw(env)?,
        })
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

    /// `request(name, fields)`: the operation called `name` (`conf_create`, or an alias such as
    /// `cancel_duo_callback`) with `fields` keyed in camelCase. Core checks every field before
    /// anything is sent. Resolves to what [`answer`] makes of the response's `data`.
    #[napi(catch_unwind)]
    pub fn request<'e>(
        &self,
        env: &'e Env,
        name: Option<Unknown>,
        fields: Option<Unknown>,
    ) -> Result<Object<'e>> {
        let read = || -> R<(&'static Operation, Vec<(String, Value)>)> {
            let name = opt_string("operation", name)?.unwrap_or_default();
            let op = Request::new(&name)?.operation();
            Ok((op, fields::read(op, fields)?))
        };
        let client = self.inner.clone();
        pool::promise_with(env, read(), move |(op, fields)| {
            let data = client.call(op.name, fields, Casing::Camel)?;
            answer(op, data)
        })
    }
}
