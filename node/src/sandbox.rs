//! `NativeSandbox`: the platform simulator of `yunhuni-sandbox`, started in-process, for
//! `require('yunhuni/testing')`.

use crate::args::{opt_int, opt_string, Args};
use crate::error::{JsError, OrThrow};
use crate::names::camel_case;
use crate::pool;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;
use yunhuni_sandbox::{AppSettings, Behavior, MobileOutcome, Sandbox, TemplateAudit};

type R<T> = std::result::Result<T, JsError>;

/// How long `waitForEnd` waits when not told.
const DEFAULT_WAIT: Duration = Duration::from_secs(30);

/// A serialisable value of the sandbox with camelCase keys.
fn camel_json<T: serde::Serialize>(value: &T) -> Value {
    fn convert(v: Value) -> Value {
        match v {
            Value::Object(m) => Value::Object(
                m.into_iter()
                    .map(|(k, v)| (camel_case(&k), convert(v)))
                    .collect::<Map<_, _>>(),
            ),
            Value::Array(items) => Value::Array(items.into_iter().map(convert).collect()),
            other => other,
        }
    }
    convert(serde_json::to_value(value).unwrap_or(Value::Null))
}

/// `hangupAfterMs` to `hangup_after_ms`.
fn snake_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A behaviour as JavaScript gives it (`{ answer: 'after', ms: 2000, hangupAfterMs: 5000 }`)
/// read by the sandbox's own JSON form.
fn behavior(value: Option<Unknown>) -> R<Behavior> {
    let bad = |why: String| JsError::validation("behavior", why);
    let value = value.ok_or_else(|| bad("is required".into()))?;
    // SAFETY: any JavaScript value converts to JSON or fails with an error.
    let json: Value = unsafe { value.cast::<Value>() }.map_err(|e| bad(e.reason))?;
    let Value::Object(map) = json else {
        return Err(bad("expected an object such as { answer: 'busy' }".into()));
    };
    let json = Value::Object(map.into_iter().map(|(k, v)| (snake_case(&k), v)).collect());
    serde_json::from_value::<Behavior>(json).map_err(|e| bad(e.to_string()))
}

/// App settings as JavaScript gives them (`{ online: false, testNumbers: [...] }`), read by the
/// sandbox's own JSON form.
fn app_settings(value: Value) -> R<AppSettings> {
    let bad = |why: String| JsError::validation("appSettings", why);
    let Value::Object(map) = value else {
        return Err(bad("expected an object such as { online: false }".into()));
    };
    let json = Value::Object(map.into_iter().map(|(k, v)| (snake_case(&k), v)).collect());
    serde_json::from_value::<AppSettings>(json).map_err(|e| bad(e.to_string()))
}

fn behavior_js(b: Behavior) -> Value {
    camel_json(&b)
}

/// The sandbox, as `testing.js` wraps it in `Sandbox`.
#[napi]
pub struct NativeSandbox {
    inner: Arc<Sandbox>,
}

impl Drop for NativeSandbox {
    fn drop(&mut self) {
        // Stopping joins the sandbox's threads; never on the JavaScript thread.
        let inner = Arc::clone(&self.inner);
        let _ = std::thread::Builder::new()
            .name("yunhuni-sandbox-drop".into())
            .spawn(move || drop(inner));
    }
}

#[napi]
impl NativeSandbox {
    /// Starts a sandbox on a worker: `{ callbackUrl?, timeScale?, utf8Webhooks?,
    /// webhookTimeoutMs?, apiDelayMs?, expiryMinutes?, listen?, log? }`.
    #[napi(catch_unwind)]
    pub fn start<'e>(env: &'e Env, options: Option<Unknown>) -> Result<Object<'e>> {
        let read = || -> R<_> {
            let mut a = Args::new(options, "", "Sandbox options", true)?;
            let mut b = Sandbox::builder();
            if let Some(listen) = a.string("listen")? {
                b = b.listen(listen);
            }
            if let Some(url) = a.string("callbackUrl")? {
                b = b.callback_url(url);
            }
            if let Some(scale) = a.number("timeScale")? {
                b = b.time_scale(scale);
            }
            if let Some(utf8) = a.bool("utf8Webhooks")? {
                b = b.utf8_webhooks(utf8);
            }
            if let Some(t) = a.millis("webhookTimeoutMs")? {
                b = b.webhook_timeout(t);
            }
            if let Some(t) = a.millis("apiDelayMs")? {
                b = b.api_delay(t);
            }
            if let Some(m) = a.int("expiryMinutes")? {
                let m = u64::try_from(m).map_err(|_| {
                    JsError::validation(
                        "expiryMinutes",
                        format!("expected an integer >= 0, got {m}"),
                    )
                })?;
                b = b.expiry_minutes(m);
            }
            if let Some(log) = a.bool("log")? {
                b = b.log(log);
            }
            if let Some(t) = a.millis("confirmDelayMs")? {
                b = b.confirm_delay(t);
            }
            if let Some(url) = a.string("ivrUrl")? {
                b = b.ivr_url(url);
            }
            if let Some(t) = a.millis("ivrTimeoutMs")? {
                b = b.ivr_timeout(t);
            }
            if let Some(settings) = crate::args::present(a.raw("appSettings")?) {
                // SAFETY: any JavaScript value converts to JSON or fails with an error.
                let json: Value = unsafe { settings.cast::<Value>() }
                    .map_err(|e| JsError::validation("appSettings", e.reason))?;
                b = b.default_app_settings(app_settings(json)?);
            }
            a.finish()?;
            Ok(b)
        };
        pool::promise_with(env, pool::Lane::Wait, read(), move |builder| {
            let sandbox = builder.start().map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidInput => {
                    JsError::validation("options", format!("the sandbox could not start: {e}"))
                }
                _ => JsError::other("transport", format!("the sandbox could not start: {e}")),
            })?;
            Ok(NativeSandbox {
                inner: Arc::new(sandbox),
            })
        })
    }

    /// The numbers that behave in a fixed way with no setup: `{ number: behavior }`.
    #[napi(catch_unwind)]
    pub fn reserved_numbers() -> Value {
        Value::Object(
            yunhuni_sandbox::RESERVED_NUMBERS
                .iter()
                .map(|(n, b)| ((*n).to_owned(), behavior_js(b.clone())))
                .collect(),
        )
    }

    #[napi(getter, catch_unwind)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
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
    pub fn secret_key(&self) -> String {
        self.inner.secret_key().to_owned()
    }

    #[napi(getter, catch_unwind)]
    pub fn account_id(&self) -> String {
        self.inner.account_id().to_owned()
    }

    /// `{ id, certId, secretKey }` of the default sub-account.
    #[napi(getter, catch_unwind)]
    pub fn sub_account(&self) -> Value {
        let (id, cert_id, secret_key) = self.inner.sub_account();
        serde_json::json!({ "id": id, "certId": cert_id, "secretKey": secret_key })
    }

    #[napi(getter, catch_unwind)]
    pub fn callback_url(&self) -> Option<String> {
        self.inner.callback_url()
    }

    /// Sets (a string) or removes (`null`) the callback URL for calls placed from now.
    #[napi(catch_unwind)]
    pub fn set_callback_url(&self, env: &Env, url: Option<Unknown>) -> Result<()> {
        let url = opt_string("url", url).or_throw(env)?;
        self.inner.set_callback_url(url.as_deref());
        Ok(())
    }

    /// The default app's own IVR URL (`null`: its callback URL serves, as on the platform).
    #[napi(getter, catch_unwind)]
    pub fn ivr_url(&self) -> Option<String> {
        self.inner.ivr_url()
    }

    /// Sets (a string) or removes (`null`) the IVR URL for calls from now.
    #[napi(catch_unwind)]
    pub fn set_ivr_url(&self, env: &Env, url: Option<Unknown>) -> Result<()> {
        let url = opt_string("url", url).or_throw(env)?;
        self.inner.set_ivr_url(url.as_deref());
        Ok(())
    }

    /// A caller dials `to`: the sandbox runs the app's IVR documents; returns the call id.
    #[napi(catch_unwind)]
    pub fn inbound_call(
        &self,
        env: &Env,
        from: Option<Unknown>,
        to: Option<Unknown>,
    ) -> Result<String> {
        let read = || -> R<(String, String)> {
            let from = opt_string("from", from)?.ok_or_else(|| {
                JsError::validation("from", "is required (a phone number string)")
            })?;
            let to = opt_string("to", to)?
                .ok_or_else(|| JsError::validation("to", "is required (a phone number string)"))?;
            Ok((from, to))
        };
        let (from, to) = read().or_throw(env)?;
        self.inner
            .inbound_call(&from, &to)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::InvalidInput => {
                    let field = if e.to_string().contains("from") {
                        "from"
                    } else {
                        "to"
                    };
                    JsError::validation(field, e.to_string())
                }
                _ => JsError::other("api", e.to_string()),
            })
            .or_throw(env)
    }

    /// Audits a pending template now (`msg.template_complete` follows): a `validation` error
    /// names `tempId` when it is unknown or not pending.
    #[napi(catch_unwind)]
    pub fn audit_template(
        &self,
        env: &Env,
        temp_id: Option<Unknown>,
        approve: Option<Unknown>,
        reason: Option<Unknown>,
    ) -> Result<()> {
        let run = || -> R<()> {
            let temp_id = opt_string("tempId", temp_id)?
                .ok_or_else(|| JsError::validation("tempId", "is required (a string)"))?;
            let bad = || JsError::validation("approve", "is required (true or false)");
            let approve = approve.ok_or_else(bad)?;
            // SAFETY: any JavaScript value converts to JSON or fails with an error.
            let approve = match unsafe { approve.cast::<Value>() } {
                Ok(Value::Bool(b)) => b,
                _ => return Err(bad()),
            };
            let reason = opt_string("reason", reason)?;
            self.inner
                .audit_template(&temp_id, approve, reason.as_deref())
                .map_err(|e| JsError::validation("tempId", e.to_string()))
        };
        run().or_throw(env)
    }

    /// Sets the rule that audits new and updated templates: `{ rule: 'approve', afterMs }`,
    /// `{ rule: 'reject', afterMs, reason? }` or `{ rule: 'manual' }`.
    #[napi(catch_unwind)]
    pub fn set_template_audit(&self, env: &Env, rule: Option<Unknown>) -> Result<()> {
        let run = || -> R<()> {
            let bad = |why: String| JsError::validation("templateAudit", why);
            let value = rule.ok_or_else(|| bad("is required".into()))?;
            // SAFETY: any JavaScript value converts to JSON or fails with an error.
            let json: Value = unsafe { value.cast::<Value>() }.map_err(|e| bad(e.reason))?;
            let Value::Object(map) = json else {
                return Err(bad("expected an object such as { rule: 'manual' }".into()));
            };
            let json = Value::Object(map.into_iter().map(|(k, v)| (snake_case(&k), v)).collect());
            let rule: TemplateAudit =
                serde_json::from_value(json).map_err(|e| bad(e.to_string()))?;
            self.inner.set_template_audit(rule);
            Ok(())
        };
        run().or_throw(env)
    }

    /// The rule that audits templates.
    #[napi(catch_unwind)]
    pub fn template_audit(&self) -> Value {
        camel_json(&self.inner.template_audit())
    }

    /// What the SMS/USSD supplier does with messages to a number: `'delivered'`,
    /// `'undelivered'`, `'refused'`, `'no_supplier'`, `'supplier_down'`, or `null` (delivered).
    #[napi(catch_unwind)]
    pub fn set_mobile_outcome(
        &self,
        env: &Env,
        mobile: Option<Unknown>,
        outcome: Option<Unknown>,
    ) -> Result<()> {
        let run = || -> R<()> {
            let mobile = opt_string("mobile", mobile)?
                .ok_or_else(|| JsError::validation("mobile", "is required (a string)"))?;
            let outcome = match opt_string("outcome", outcome)? {
                None => None,
                Some(o) => Some(
                    serde_json::from_value::<MobileOutcome>(Value::String(o))
                        .map_err(|e| JsError::validation("outcome", e.to_string()))?,
                ),
            };
            self.inner.set_mobile_outcome(&mobile, outcome);
            Ok(())
        };
        run().or_throw(env)
    }

    /// A template's status and its `msg.template_complete` bodies, or `null`.
    #[napi(catch_unwind)]
    pub fn template(&self, env: &Env, temp_id: Option<Unknown>) -> Result<Value> {
        let id = opt_string("tempId", temp_id)
            .or_throw(env)?
            .unwrap_or_default();
        Ok(self
            .inner
            .template(&id)
            .map_or(Value::Null, |t| camel_json(&t)))
    }

    /// An SMS/USSD request's state and its `msg.sending_complete` bodies, or `null`.
    #[napi(catch_unwind)]
    pub fn msg_request(&self, env: &Env, msg_key: Option<Unknown>) -> Result<Value> {
        let key = opt_string("msgKey", msg_key)
            .or_throw(env)?
            .unwrap_or_default();
        Ok(self
            .inner
            .msg_request(&key)
            .map_or(Value::Null, |r| camel_json(&r)))
    }

    /// Every request made to the IVR application for a call (one per attempt), or `null`.
    #[napi(catch_unwind)]
    pub fn ivr_requests(&self, env: &Env, call_id: Option<Unknown>) -> Result<Value> {
        let id = opt_string("callId", call_id)
            .or_throw(env)?
            .unwrap_or_default();
        Ok(self
            .inner
            .ivr_requests(&id)
            .map_or(Value::Null, |r| camel_json(&r)))
    }

    /// The recordings made by `<record>`.
    #[napi(catch_unwind)]
    pub fn recordings(&self) -> Value {
        camel_json(&self.inner.recordings())
    }

    /// Scripts a number: `{ answer: 'after', ms, hangupAfterMs? }`, `{ answer: 'busy' }`,
    /// `'no_answer'`, `'unreachable'` or `'engine_failure'`.
    #[napi(catch_unwind)]
    pub fn set_behavior(
        &self,
        env: &Env,
        number: Option<Unknown>,
        value: Option<Unknown>,
    ) -> Result<()> {
        let number = required_number(number).or_throw(env)?;
        self.inner
            .set_behavior(&number, behavior(value).or_throw(env)?);
        Ok(())
    }

    #[napi(catch_unwind)]
    pub fn clear_behavior(&self, env: &Env, number: Option<Unknown>) -> Result<()> {
        self.inner
            .clear_behavior(&required_number(number).or_throw(env)?);
        Ok(())
    }

    /// Sets an app's state as the platform sees it (default: the sandbox's own app).
    #[napi(catch_unwind)]
    pub fn set_app_settings(
        &self,
        env: &Env,
        settings: Option<Unknown>,
        app_id: Option<String>,
    ) -> Result<()> {
        let set = || -> R<()> {
            let value =
                settings.ok_or_else(|| JsError::validation("appSettings", "is required"))?;
            // SAFETY: any JavaScript value converts to JSON or fails with an error.
            let json: Value = unsafe { value.cast::<Value>() }
                .map_err(|e| JsError::validation("appSettings", e.reason))?;
            let settings = app_settings(json)?;
            let app_id = app_id.unwrap_or_else(|| self.inner.app_id().to_owned());
            self.inner
                .set_app_settings(&app_id, settings)
                .map_err(|e| JsError::validation("appId", e.to_string()))
        };
        set().or_throw(env)
    }

    /// An app's settings now (default: the sandbox's own app), or `null` for an unknown app.
    #[napi(catch_unwind)]
    pub fn app_settings(&self, app_id: Option<String>) -> Value {
        let app_id = app_id.unwrap_or_else(|| self.inner.app_id().to_owned());
        self.inner
            .app_settings(&app_id)
            .map_or(Value::Null, |s| camel_json(&s))
    }

    /// The behaviour a number has now.
    #[napi(catch_unwind)]
    pub fn behavior(&self, env: &Env, number: Option<Unknown>) -> Result<Value> {
        let number = required_number(number).or_throw(env)?;
        Ok(behavior_js(self.inner.behavior(&number)))
    }

    /// Simulated now, in epoch milliseconds.
    #[napi(catch_unwind)]
    pub fn sim_now_ms(&self) -> i64 {
        self.inner.sim_now_ms()
    }

    /// Every call kept, oldest first.
    #[napi(catch_unwind)]
    pub fn calls(&self) -> Value {
        camel_json(&self.inner.calls())
    }

    /// One call, or `null`.
    #[napi(catch_unwind)]
    pub fn call(&self, env: &Env, id: Option<Unknown>) -> Result<Value> {
        let id = opt_string("callId", id).or_throw(env)?.unwrap_or_default();
        Ok(self.inner.call(&id).map_or(Value::Null, |c| camel_json(&c)))
    }

    /// Every webhook attempt, or those of one call.
    #[napi(catch_unwind)]
    pub fn webhooks(&self, env: &Env, call_id: Option<Unknown>) -> Result<Value> {
        Ok(match opt_string("callId", call_id).or_throw(env)? {
            Some(id) => camel_json(&self.inner.webhooks_for(&id)),
            None => camel_json(&self.inner.webhooks()),
        })
    }

    /// Resolves to the end event's exact body bytes once it is settled (delivered, failed four
    /// times, or not sent for lack of a callback URL); rejects with a `timeout` error.
    #[napi(catch_unwind)]
    pub fn wait_for_end<'e>(
        &self,
        env: &'e Env,
        call_id: Option<Unknown>,
        timeout_ms: Option<Unknown>,
    ) -> Result<Object<'e>> {
        self.wait(env, call_id, timeout_ms, |d| {
            Ok(Either::A(Buffer::from(d.body)))
        })
    }

    /// Like `waitForEnd`, resolving to the whole delivery record (`body` decoded as text,
    /// `bodyHex`, `delivered`, `attempts`, ...).
    #[napi(catch_unwind)]
    pub fn wait_for_delivery<'e>(
        &self,
        env: &'e Env,
        call_id: Option<Unknown>,
        timeout_ms: Option<Unknown>,
    ) -> Result<Object<'e>> {
        self.wait(env, call_id, timeout_ms, |d| Ok(Either::B(camel_json(&d))))
    }

    /// Stops the sandbox (on a worker: it joins the sandbox's threads).
    #[napi(catch_unwind)]
    pub fn close<'e>(&self, env: &'e Env) -> Result<Object<'e>> {
        let inner = Arc::clone(&self.inner);
        pool::promise(env, pool::Lane::Wait, move || {
            inner.shutdown();
            Ok(())
        })
    }
}

impl NativeSandbox {
    fn wait<'e>(
        &self,
        env: &'e Env,
        call_id: Option<Unknown>,
        timeout_ms: Option<Unknown>,
        convert: fn(yunhuni_sandbox::Delivery) -> R<Either<Buffer, Value>>,
    ) -> Result<Object<'e>> {
        let read = || -> R<(String, Duration)> {
            let id = opt_string("callId", call_id)?.unwrap_or_default();
            let timeout = match opt_int("timeoutMs", timeout_ms)? {
                None => DEFAULT_WAIT,
                Some(ms) if ms >= 0 => Duration::from_millis(ms as u64),
                Some(ms) => {
                    return Err(JsError::validation(
                        "timeoutMs",
                        format!("expected milliseconds >= 0, got {ms}"),
                    ))
                }
            };
            Ok((id, timeout))
        };
        let inner = Arc::clone(&self.inner);
        pool::promise_with(env, pool::Lane::Wait, read(), move |(id, timeout)| {
            match inner.wait_for_end(&id, timeout) {
                Some(delivery) => convert(delivery),
                None => Err(JsError::other("timeout", format!(
                    "no end event settled for call {id:?} within {} ms (unknown call, still running, or the sandbox stopped)",
                    timeout.as_millis()
                ))),
            }
        })
    }
}

fn required_number(value: Option<Unknown>) -> R<String> {
    opt_string("number", value)?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| JsError::validation("number", "is required (a phone number string)"))
}
