//! The platform simulator of `yunhuni-sandbox`, started in-process for
//! `com.yunhuni.testing.Sandbox`. Values cross with camelCase keys, read by the sandbox's own
//! JSON forms (`Behavior`, `AppSettings`).

use crate::convert::{opt_string, string, to_java, to_value};
use crate::error::{invalid, JErr, R};
use crate::run;
use jni::objects::{JByteArray, JClass, JObject, JString};
use jni::sys::{jint, jlong};
use jni::EnvUnowned;
use serde_json::{Map, Value};
use std::time::Duration;
use yunhuni_sandbox::{AppSettings, Behavior, Sandbox};

fn sandbox<'a>(handle: jlong) -> R<&'a Sandbox> {
    if handle == 0 {
        return Err(JErr::Other("validation", "the sandbox is closed".into()));
    }
    // SAFETY: the address of a Box<Sandbox> made by sandboxStart, freed once by sandboxFree
    // after every call using it has returned (NativeHandle's lock on the Java side).
    Ok(unsafe { &*(handle as *const Sandbox) })
}

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

fn camel_case(s: &str) -> String {
    yunhuni::ops::Casing::Camel.name(s).into_owned()
}

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

fn snake_keys(field: &str, value: Value, example: &str) -> R<Value> {
    let Value::Object(map) = value else {
        return Err(invalid(field, format!("expected a Map such as {example}")));
    };
    Ok(Value::Object(
        map.into_iter().map(|(k, v)| (snake_case(&k), v)).collect(),
    ))
}

#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_com_yunhuni_internal_Native_sandboxStart<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    listen: JString<'l>,
    callback_url: JString<'l>,
    time_scale: f64,
    webhook_timeout_ms: jlong,
    api_delay_ms: jlong,
    expiry_minutes: jlong,
    utf8_webhooks: jint,
    log: bool,
) -> jlong {
    run(&mut env, |env| {
        let mut b = Sandbox::builder().log(log);
        if let Some(l) = opt_string(env, &listen, "listen")? {
            b = b.listen(l);
        }
        if let Some(url) = opt_string(env, &callback_url, "callbackUrl")? {
            b = b.callback_url(url);
        }
        if !time_scale.is_nan() {
            b = b.time_scale(time_scale);
        }
        if let Ok(ms) = u64::try_from(webhook_timeout_ms) {
            b = b.webhook_timeout(Duration::from_millis(ms));
        }
        if let Ok(ms) = u64::try_from(api_delay_ms) {
            b = b.api_delay(Duration::from_millis(ms));
        }
        if let Ok(m) = u64::try_from(expiry_minutes) {
            b = b.expiry_minutes(m);
        }
        if utf8_webhooks >= 0 {
            b = b.utf8_webhooks(utf8_webhooks != 0);
        }
        let started = b.start().map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidInput => {
                invalid("options", format!("the sandbox could not start: {e}"))
            }
            _ => JErr::Other("transport", format!("the sandbox could not start: {e}")),
        })?;
        Ok(Box::into_raw(Box::new(started)) as jlong)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_sandboxFree<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_| {
        if handle != 0 {
            // SAFETY: see `sandbox`; Java calls this once per handle. Dropping stops it.
            drop(unsafe { Box::from_raw(handle as *mut Sandbox) });
        }
        Ok(())
    })
}

/// `[baseUrl, appId, certId, secretKey, accountId, callbackUrl]`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_sandboxInfo<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) -> JObject<'l> {
    run(&mut env, |env| {
        let s = sandbox(handle)?;
        let info = serde_json::json!([
            s.base_url(),
            s.app_id(),
            s.cert_id(),
            s.secret_key(),
            s.account_id(),
            s.callback_url()
        ]);
        to_java(env, &info)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_sandboxSetBehavior<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    number: JString<'l>,
    behavior: JObject<'l>,
) {
    run(&mut env, |env| {
        let s = sandbox(handle)?;
        let number = string(env, &number, "number")?;
        if behavior.is_null() {
            return Err(invalid("behavior", "is required"));
        }
        let value = to_value(env, &behavior, "behavior", 0)?;
        let value = snake_keys("behavior", value, "{answer=busy}")?;
        let b: Behavior =
            serde_json::from_value(value).map_err(|e| invalid("behavior", e.to_string()))?;
        s.set_behavior(&number, b);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_sandboxClearBehavior<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    number: JString<'l>,
) {
    run(&mut env, |env| {
        let s = sandbox(handle)?;
        s.clear_behavior(&string(env, &number, "number")?);
        Ok(())
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_sandboxSetAppSettings<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    settings: JObject<'l>,
) {
    run(&mut env, |env| {
        let s = sandbox(handle)?;
        if settings.is_null() {
            return Err(invalid("appSettings", "is required"));
        }
        let value = to_value(env, &settings, "appSettings", 0)?;
        let value = snake_keys("appSettings", value, "{online=false}")?;
        let settings: AppSettings =
            serde_json::from_value(value).map_err(|e| invalid("appSettings", e.to_string()))?;
        s.set_app_settings(s.app_id(), settings)
            .map_err(|e| invalid("appSettings", e.to_string()))
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_sandboxSetCallbackUrl<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    url: JString<'l>,
) {
    run(&mut env, |env| {
        let s = sandbox(handle)?;
        let url = opt_string(env, &url, "url")?;
        s.set_callback_url(url.as_deref());
        Ok(())
    })
}

/// Every call kept (`callId` null) or one call (a Map, or null).
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_sandboxCalls<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    call_id: JString<'l>,
) -> JObject<'l> {
    run(&mut env, |env| {
        let s = sandbox(handle)?;
        let value = match opt_string(env, &call_id, "callId")? {
            Some(id) => s.call(&id).map_or(Value::Null, |c| camel_json(&c)),
            None => camel_json(&s.calls()),
        };
        to_java(env, &value)
    })
}

/// Every webhook attempt, or those of one call.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_sandboxWebhooks<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    call_id: JString<'l>,
) -> JObject<'l> {
    run(&mut env, |env| {
        let s = sandbox(handle)?;
        let value = match opt_string(env, &call_id, "callId")? {
            Some(id) => camel_json(&s.webhooks_for(&id)),
            None => camel_json(&s.webhooks()),
        };
        to_java(env, &value)
    })
}

/// The end event's exact body bytes once it is settled; a `timeout` error otherwise.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_sandboxWaitForEnd<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    call_id: JString<'l>,
    timeout_ms: jlong,
) -> JByteArray<'l> {
    run(&mut env, |env| {
        let s = sandbox(handle)?;
        let id = string(env, &call_id, "callId")?;
        let timeout = u64::try_from(timeout_ms)
            .map(Duration::from_millis)
            .map_err(|_| {
                invalid(
                    "timeout",
                    format!("expected milliseconds >= 0, got {timeout_ms}"),
                )
            })?;
        match s.wait_for_end(&id, timeout) {
            Some(d) => Ok(env.byte_array_from_slice(&d.body)?),
            None => Err(JErr::Other(
                "timeout",
                format!(
                    "no end event settled for call {id:?} within {} ms (unknown call, still running, or the sandbox stopped)",
                    timeout.as_millis()
                ),
            )),
        }
    })
}
