//! `NativeClient`: core's `Client`, with every network call on the worker pool.

use crate::args::{opt_string, Args};
use crate::{pool, JsError};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{json, Value};
use yunhuni::{CallCreated, Client, ClientBuilder, DuoCallback, NotifyCall, PlayItem, VerifyCall};

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

fn created(c: CallCreated) -> Value {
    json!({ "callId": c.call_id, "userData": c.user_data })
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
    pub fn new(options: Option<Unknown>) -> Result<Self> {
        let build = || -> R<Client> {
            let mut a = Args::new(options, "", "Client options", false)?;
            let builder =
                Client::builder(a.text("appId")?, a.text("certId")?, a.text("secretKey")?);
            let builder = apply_common(builder, &mut a)?;
            a.finish()?;
            Ok(builder.build()?)
        };
        Ok(NativeClient { inner: build()? })
    }

    /// A client from `YUNHUNI_APP_ID`, `YUNHUNI_CERT_ID`, `YUNHUNI_SECRET_KEY` and the optional
    /// `YUNHUNI_BASE_URL`, `YUNHUNI_ACCOUNT_ID`; `options` override the optional settings.
    #[napi(factory, catch_unwind)]
    pub fn from_env(options: Option<Unknown>) -> Result<Self> {
        let build = || -> R<Client> {
            let mut a = Args::new(options, "", "Client.fromEnv options", true)?;
            let builder = Client::builder_from_env().map_err(JsError::from);
            let builder = apply_common(builder?, &mut a)?;
            a.finish()?;
            Ok(builder.build()?)
        };
        Ok(NativeClient { inner: build()? })
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

    /// Resolves to `{ callId, userData }`.
    #[napi(catch_unwind)]
    pub fn duo_callback<'e>(&self, env: &'e Env, request: Option<Unknown>) -> Result<Object<'e>> {
        let read = || -> R<DuoCallback> {
            let mut a = Args::new(request, "", "duoCallback request", false)?;
            let req = DuoCallback {
                to1: a.text("to1")?,
                to2: a.text("to2")?,
                max_call_duration: a.required_int("maxCallDuration")?,
                from1: a.string("from1")?,
                from2: a.string("from2")?,
                ring_tone: a.string("ringTone")?,
                ring_tone_mode: a.int("ringToneMode")?,
                max_dial_duration: a.int("maxDialDuration")?,
                recording: a.bool("recording")?,
                record_mode: a.int("recordMode")?,
                user_data: a.string("userData")?,
            };
            a.finish()?;
            Ok(req)
        };
        let client = self.inner.clone();
        pool::promise_with(env, read(), move |req| {
            client
                .duo_callback(&req)
                .map(created)
                .map_err(JsError::from)
        })
    }

    /// Resolves to `undefined` once the platform accepted the cancel.
    #[napi(catch_unwind)]
    pub fn cancel_duo_callback<'e>(
        &self,
        env: &'e Env,
        call_id: Option<Unknown>,
    ) -> Result<Object<'e>> {
        let client = self.inner.clone();
        pool::promise_with(env, opt_string("callId", call_id), move |id| {
            client
                .cancel_duo_callback(&id.unwrap_or_default())
                .map_err(JsError::from)
        })
    }

    /// Resolves to `{ callId, userData }`.
    #[napi(catch_unwind)]
    pub fn notify_call<'e>(&self, env: &'e Env, request: Option<Unknown>) -> Result<Object<'e>> {
        let read = || -> R<NotifyCall> {
            let mut a = Args::new(request, "", "notifyCall request", false)?;
            let req = NotifyCall {
                to: a.text("to")?,
                from: a.string("from")?,
                play_file: a.string("playFile")?,
                play_content: a.array("playContent", |item, field| {
                    let mut p = Args::new(Some(item), field, "play item", false)?;
                    let play = PlayItem {
                        content: p.text("content")?,
                        play_type: p.required_int("playType")?,
                        options: p.string("options")?.unwrap_or_default(),
                    };
                    p.finish()?;
                    Ok(play)
                })?,
                repeat: a.int("repeat")?,
                max_dial_duration: a.int("maxDialDuration")?,
                user_data: a.string("userData")?,
            };
            a.finish()?;
            Ok(req)
        };
        let client = self.inner.clone();
        pool::promise_with(env, read(), move |req| {
            client.notify_call(&req).map(created).map_err(JsError::from)
        })
    }

    /// Resolves to `{ callId, userData: null }`.
    #[napi(catch_unwind)]
    pub fn verify_call<'e>(&self, env: &'e Env, request: Option<Unknown>) -> Result<Object<'e>> {
        let read = || -> R<VerifyCall> {
            let mut a = Args::new(request, "", "verifyCall request", false)?;
            let req = VerifyCall {
                to: a.text("to")?,
                from: a.string("from")?,
                verify_code: a.string("verifyCode")?,
                play_file: a.string("playFile")?,
                repeat: a.int("repeat")?,
                max_dial_duration: a.int("maxDialDuration")?,
                user_data: a.string("userData")?,
            };
            a.finish()?;
            Ok(req)
        };
        let client = self.inner.clone();
        pool::promise_with(env, read(), move |req| {
            client.verify_call(&req).map(created).map_err(JsError::from)
        })
    }
}
