//! The Java binding of the `yunhuni` crate (JNI), loaded by `com.yunhuni.internal.Native`.
//!
//! Thin by design: every native method converts its Java arguments, calls the core crate and
//! converts the result or the error. No validation, signing, parsing or HTTP logic lives here.
//! Errors cross as `com.yunhuni.YunhuniException` ([`error`]); values as plain Java objects
//! ([`convert`]). Native state (a client, a sandbox) is a boxed Rust value whose address the
//! Java object holds; Java frees it once, after every call using it has returned.

mod convert;
mod error;
mod sandbox;

use convert::{bytes, opt_string, string, to_java, to_value};
use error::{invalid, JErr, ThrowYunhuni, R};
use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString};
use jni::sys::{jint, jlong};
use jni::{Env, EnvUnowned};
use serde_json::{json, Value};
use std::time::Duration;
use yunhuni::ops::{Casing, Data, Request};
use yunhuni::{CallCreated, CallOptions, Client, SignInput};

/// Runs a native method's body with core's errors thrown as `YunhuniException`s and panics
/// caught.
fn run<'l, T: Default>(env: &mut EnvUnowned<'l>, f: impl FnOnce(&mut Env<'l>) -> R<T>) -> T {
    env.with_env(f).resolve::<ThrowYunhuni>()
}

/// Milliseconds from Java, where a negative value means "not given".
fn millis(ms: jlong) -> Option<Duration> {
    u64::try_from(ms).ok().map(Duration::from_millis)
}

/// The client behind a handle (never 0: Java refuses a closed client before calling).
fn client<'a>(handle: jlong) -> R<&'a Client> {
    if handle == 0 {
        return Err(JErr::Other("validation", "the client is closed".into()));
    }
    // SAFETY: the handle is the address of a Box<Client> made by clientNew, which Java frees
    // once, with clientFree, after every call using it has returned (NativeHandle's lock).
    Ok(unsafe { &*(handle as *const Client) })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_coreVersion<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
) -> JString<'l> {
    run(&mut env, |env| Ok(env.new_string(yunhuni::VERSION)?))
}

#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_com_yunhuni_internal_Native_clientNew<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    from_env: bool,
    app_id: JString<'l>,
    cert_id: JString<'l>,
    secret_key: JString<'l>,
    base_url: JString<'l>,
    account_id: JString<'l>,
    timeout_ms: jlong,
    connect_timeout_ms: jlong,
    user_agent: JString<'l>,
    connect_retries: jint,
    max_idle_connections: jint,
    proxy: JString<'l>,
    no_proxy: bool,
) -> jlong {
    run(&mut env, |env| {
        let mut b = if from_env {
            Client::builder_from_env()?
        } else {
            Client::builder(
                string(env, &app_id, "appId")?,
                string(env, &cert_id, "certId")?,
                string(env, &secret_key, "secretKey")?,
            )
        };
        if let Some(url) = opt_string(env, &base_url, "baseUrl")? {
            b = b.base_url(url);
        }
        if let Some(id) = opt_string(env, &account_id, "accountId")? {
            b = b.account_id(id);
        }
        if let Some(t) = millis(timeout_ms) {
            b = b.timeout(t);
        }
        if let Some(t) = millis(connect_timeout_ms) {
            b = b.connect_timeout(t);
        }
        if let Some(ua) = opt_string(env, &user_agent, "userAgent")? {
            b = b.user_agent(ua);
        }
        if connect_retries >= 0 {
            b = b.connect_retries(connect_retries as u32);
        }
        // Negative: not set (the Java builder refuses negative counts).
        if let Ok(n) = usize::try_from(max_idle_connections) {
            b = b.max_idle_connections(n);
        }
        if no_proxy {
            b = b.no_proxy();
        } else if let Some(p) = opt_string(env, &proxy, "proxy")? {
            b = b.proxy(p);
        }
        let client = b.build()?;
        Ok(Box::into_raw(Box::new(client)) as jlong)
    })
}

#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_clientFree<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    run(&mut env, |_| {
        if handle != 0 {
            // SAFETY: see `client`; Java calls this once per handle.
            drop(unsafe { Box::from_raw(handle as *mut Client) });
        }
        Ok(())
    })
}

/// `[appId, certId, accountId, apiRoot]`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_clientInfo<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
) -> JObject<'l> {
    run(&mut env, |env| {
        let c = client(handle)?;
        let info = json!([c.app_id(), c.cert_id(), c.account_id(), c.api_root()]);
        to_java(env, &info)
    })
}

/// `clientCall(handle, operation, keys, values, timeoutMs)`: the operation called `operation`
/// with fields keyed in camelCase. Returns `{callId, userData}` for an operation that places a
/// call, `null` for one whose answer is declared null, else the answer's `data` as it came.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_clientCall<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    handle: jlong,
    operation: JString<'l>,
    keys: JObjectArray<'l>,
    values: JObjectArray<'l>,
    timeout_ms: jlong,
) -> JObject<'l> {
    run(&mut env, |env| {
        let c = client(handle)?;
        let name = opt_string(env, &operation, "operation")?.ok_or_else(|| {
            invalid(
                "operation",
                "is required: an operation's name, such as 'conf_create'",
            )
        })?;
        let op = Request::new(&name)?.operation();
        let mut fields: Vec<(String, Value)> = Vec::new();
        if !keys.is_null() && !values.is_null() {
            let n = keys.len(env)?;
            if values.len(env)? != n {
                return Err(invalid("fields", "keys and values differ in number"));
            }
            for i in 0..n {
                let (key, value) = env.with_local_frame(8, |env| -> R<(String, Value)> {
                    let key = keys.get_element(env, i)?;
                    // SAFETY: the native method's parameter is a String[], whose elements the
                    // JVM guarantees to be strings (or null, refused by `string`).
                    let key = unsafe { env.as_cast_unchecked::<JString>(&key) };
                    let key = string(env, &key, "fields")?;
                    let value = values.get_element(env, i)?;
                    let value = to_value(env, &value, &key, 0)?;
                    Ok((key, value))
                })?;
                let declared = op.fields.iter().any(|f| Casing::Camel.name(f.name) == key);
                // A field that is not the operation's is handed on: core refuses it, naming it.
                if !(declared && value.is_null()) {
                    fields.push((key, value));
                }
            }
        }
        let options = CallOptions {
            timeout: millis(timeout_ms),
        };
        let data = c.call_with(op.name, fields, Casing::Camel, &options)?;
        let out = match op.data {
            Data::Call => {
                let created = CallCreated::from_data(data)?;
                json!({ "callId": created.call_id, "userData": created.user_data })
            }
            _ => data,
        };
        to_java(env, &out)
    })
}

/// The canonical view of a webhook body (core's `Event::to_value`), as a `Map`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_parseEvent<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    body: JByteArray<'l>,
) -> JObject<'l> {
    run(&mut env, |env| {
        let body = bytes(env, &body, "body")?;
        let event = yunhuni::Event::parse(&body)?;
        to_java(env, &event.to_value())
    })
}

#[allow(clippy::too_many_arguments)]
fn sign_input<'l, T>(
    env: &mut Env<'l>,
    method: &JString<'l>,
    uri: &JString<'l>,
    content_type: &JString<'l>,
    timestamp: &JString<'l>,
    app_id: &JString<'l>,
    body: &JByteArray<'l>,
    f: impl FnOnce(&SignInput<'_>) -> T,
) -> R<T> {
    let method = string(env, method, "method")?;
    let uri = string(env, uri, "uri")?;
    let content_type = opt_string(env, content_type, "contentType")?;
    let timestamp = string(env, timestamp, "timestamp")?;
    let app_id = string(env, app_id, "appId")?;
    let body = if body.is_null() {
        Vec::new()
    } else {
        bytes(env, body, "body")?
    };
    Ok(f(&SignInput {
        method: &method,
        uri: &uri,
        content_type: content_type.as_deref().unwrap_or(yunhuni::CONTENT_TYPE),
        timestamp: &timestamp,
        app_id: &app_id,
        body: &body,
    }))
}

#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_com_yunhuni_internal_Native_sign<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    method: JString<'l>,
    uri: JString<'l>,
    content_type: JString<'l>,
    timestamp: JString<'l>,
    app_id: JString<'l>,
    secret_key: JString<'l>,
    body: JByteArray<'l>,
) -> JString<'l> {
    run(&mut env, |env| {
        let secret = string(env, &secret_key, "secretKey")?;
        let s = sign_input(
            env,
            &method,
            &uri,
            &content_type,
            &timestamp,
            &app_id,
            &body,
            |i| yunhuni::sign(i, &secret),
        )?;
        Ok(env.new_string(s)?)
    })
}

#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "system" fn Java_com_yunhuni_internal_Native_stringToSign<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    method: JString<'l>,
    uri: JString<'l>,
    content_type: JString<'l>,
    timestamp: JString<'l>,
    app_id: JString<'l>,
    body: JByteArray<'l>,
) -> JString<'l> {
    run(&mut env, |env| {
        let s = sign_input(
            env,
            &method,
            &uri,
            &content_type,
            &timestamp,
            &app_id,
            &body,
            yunhuni::string_to_sign,
        )?;
        Ok(env.new_string(s)?)
    })
}

/// The XML of an IVR response from its neutral description (`{actions, next, endCall}`, as
/// `yunhuni::ivr::Response::from_value` reads it with camelCase attribute names).
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_ivrToXml<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    description: JObject<'l>,
) -> JString<'l> {
    run(&mut env, |env| {
        if description.is_null() {
            return Err(invalid("response", "is required"));
        }
        let value = to_value(env, &description, "", 0)?;
        let response = yunhuni::ivr::Response::from_value(&value, Casing::Camel)?;
        let xml = response.to_xml_cased(Casing::Camel)?;
        Ok(env.new_string(xml)?)
    })
}

/// The canonical view of the query of a request to a `<next>` URL (core's `parse_ivr_next`).
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_parseIvrNext<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    query: JString<'l>,
) -> JObject<'l> {
    run(&mut env, |env| {
        let query = string(env, &query, "query")?;
        let next = yunhuni::ivr::parse_ivr_next(&query)?;
        to_java(env, &next.to_value())
    })
}

/// Called once when the library loads: writes the SDK's log records to stderr at the level
/// `YUNHUNI_LOG` names (core's logger). Returns the value when it is not a level, else null.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_initLog<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
) -> JString<'l> {
    run(&mut env, |env| match yunhuni::logging::init_from_env() {
        Ok(()) => Ok(JString::default()),
        Err(value) => Ok(env.new_string(value)?),
    })
}

/// The platform's meaning of a return code: `{code, name, zh, en}`, or `null`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_com_yunhuni_internal_Native_lookupCode<'l>(
    mut env: EnvUnowned<'l>,
    _class: JClass<'l>,
    code: JString<'l>,
) -> JObject<'l> {
    run(&mut env, |env| {
        let code = opt_string(env, &code, "code")?.unwrap_or_default();
        let value = yunhuni::codes::lookup(&code).map_or(
            Value::Null,
            |c| json!({ "code": c.code, "name": c.name, "zh": c.zh, "en": c.en }),
        );
        to_java(env, &value)
    })
}
