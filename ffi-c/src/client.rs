//! Client settings, the client, and the result of a placed call.

use crate::boundary::{arg_mut, arg_out, arg_ref, arg_str, guard, Res};
use crate::error::{yh_error, yh_result};
use crate::logging::{init_from_env, quietly, yh_log_fn, LogCallback};
use crate::util::{c_string, free_box, opt_ptr, value_guard};
use serde_json::Value;
use std::ffi::{c_char, c_void, CString};
use std::ptr;
use std::time::Duration;
use yunhuni::{CallCreated, CallOptions, Client, ClientBuilder, Request};

/// Settings for a client: credentials, base URL, account id, timeouts, user agent, retries,
/// proxy, and the function told of each request.
///
/// Made by `yh_client_builder_new` or `yh_client_builder_from_env`, changed by the
/// `yh_client_builder_set_*` functions, turned into clients by `yh_client_builder_build` (as many
/// as you like), freed once by `yh_client_builder_free`. Not to be changed by two threads at once.
pub struct yh_client_builder {
    inner: ClientBuilder,
    log: Option<LogCallback>,
}

impl yh_client_builder {
    fn new(inner: ClientBuilder) -> Self {
        yh_client_builder { inner, log: None }
    }

    fn update(&mut self, f: impl FnOnce(ClientBuilder) -> ClientBuilder) {
        self.inner = f(self.inner.clone());
    }

    fn build(&self) -> Res<yh_client> {
        init_from_env();
        let mut builder = self.inner.clone();
        if let Some(callback) = self.log {
            builder = builder.on_request(move |log| callback.call(log));
        }
        Ok(yh_client::new(builder.build()?, self.log.is_some()))
    }
}

/// A client of the platform's REST API. It signs every request and keeps connections alive.
///
/// Thread safety: one client may be used by any number of threads at the same time, with no
/// locking on your side; every `yh_client_*` function only reads it. Free it once, with
/// `yh_client_free`, after every thread is done with it.
pub struct yh_client {
    pub(crate) inner: Client,
    app_id: CString,
    cert_id: CString,
    account_id: CString,
    api_root: CString,
    /// A callback receives the request log: `YUNHUNI_LOG` does not print it.
    quiet: bool,
}

impl yh_client {
    fn new(inner: Client, quiet: bool) -> Self {
        yh_client {
            app_id: c_string(inner.app_id()),
            cert_id: c_string(inner.cert_id()),
            account_id: c_string(inner.account_id()),
            api_root: c_string(inner.api_root()),
            inner,
            quiet,
        }
    }

    /// Sends `request` with `options`: every network call of the library goes through here.
    pub(crate) fn send(&self, request: &Request, options: &CallOptions) -> yunhuni::Result<Value> {
        quietly(self.quiet, || self.inner.send_with(request, options))
    }
}

/// A call the platform accepted: its id and the `user_data` echoed back.
///
/// Made by the `yh_client_<operation>` functions of the operations that place a call
/// (`yh_client_duo_callback`, `yh_client_notify_call`, `yh_client_verify_call`,
/// `yh_client_ivr_call`, `yh_client_conf_invite_call`); free it once with `yh_call_created_free`.
pub struct yh_call_created {
    call_id: CString,
    user_data: Option<CString>,
}

impl From<CallCreated> for yh_call_created {
    fn from(c: CallCreated) -> Self {
        yh_call_created {
            call_id: c_string(&c.call_id),
            user_data: c.user_data.as_deref().map(c_string),
        }
    }
}

/// Starts client settings for an app (`AppID`) and its credentials (`CertID` and secret key).
/// Defaults: base URL `https://api.yunhuni.com`, account id = `cert_id`, timeout 30 s, connect
/// timeout 5 s, no retries. The values are checked by `yh_client_builder_build`.
///
/// On success writes a new builder to `*builder_out` (free it with `yh_client_builder_free`).
/// The strings are copied; they need not outlive the call.
#[no_mangle]
pub extern "C" fn yh_client_builder_new(
    app_id: *const c_char,
    cert_id: *const c_char,
    secret_key: *const c_char,
    builder_out: *mut *mut yh_client_builder,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let app_id = arg_str(app_id, "app_id")?;
        let cert_id = arg_str(cert_id, "cert_id")?;
        let secret_key = arg_str(secret_key, "secret_key")?;
        let out = arg_out(builder_out, "builder_out")?;
        out.write_box(yh_client_builder::new(Client::builder(
            app_id, cert_id, secret_key,
        )));
        Ok(())
    })
}

/// Starts client settings from the environment: `YUNHUNI_APP_ID`, `YUNHUNI_CERT_ID` and
/// `YUNHUNI_SECRET_KEY` (required), `YUNHUNI_BASE_URL` and `YUNHUNI_ACCOUNT_ID` (optional).
/// Fails with `YH_ERR_VALIDATION`, the field naming the variable, when a required one is unset.
///
/// On success writes a new builder to `*builder_out` (free it with `yh_client_builder_free`).
#[no_mangle]
pub extern "C" fn yh_client_builder_from_env(
    builder_out: *mut *mut yh_client_builder,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let out = arg_out(builder_out, "builder_out")?;
        out.write_box(yh_client_builder::new(Client::builder_from_env()?));
        Ok(())
    })
}

/// Sets the API's base URL, for example `http://127.0.0.1:8080` for the sandbox. A URL that ends
/// with `/v1/account/{id}/`, as the console shows it, also sets the account id.
#[no_mangle]
pub extern "C" fn yh_client_builder_set_base_url(
    builder: *mut yh_client_builder,
    base_url: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let builder = arg_mut(builder, "builder")?;
        let url = arg_str(base_url, "base_url")?;
        builder.update(|b| b.base_url(url));
        Ok(())
    })
}

/// Sets the id in `/v1/account/{id}/` (default: the cert id, or the one in the base URL).
#[no_mangle]
pub extern "C" fn yh_client_builder_set_account_id(
    builder: *mut yh_client_builder,
    account_id: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let builder = arg_mut(builder, "builder")?;
        let id = arg_str(account_id, "account_id")?;
        builder.update(|b| b.account_id(id));
        Ok(())
    })
}

/// Sets the longest a whole request may take, connecting included, in milliseconds (default
/// 30000). `yh_client_builder_build` refuses 0 and anything above 86400000 (24 hours) with
/// `YH_ERR_VALIDATION`, field `timeout`. A request that takes longer fails with
/// `YH_ERR_TIMEOUT`; `yh_client_send_with` sets another limit for one request.
#[no_mangle]
pub extern "C" fn yh_client_builder_set_timeout_ms(
    builder: *mut yh_client_builder,
    timeout_ms: u64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        arg_mut(builder, "builder")?.update(|b| b.timeout(Duration::from_millis(timeout_ms)));
        Ok(())
    })
}

/// Sets the longest connecting may take, in milliseconds (default 5000). `yh_client_builder_build`
/// refuses 0 and anything above 86400000 (24 hours) with `YH_ERR_VALIDATION`, field
/// `connect_timeout`.
#[no_mangle]
pub extern "C" fn yh_client_builder_set_connect_timeout_ms(
    builder: *mut yh_client_builder,
    connect_timeout_ms: u64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        arg_mut(builder, "builder")?
            .update(|b| b.connect_timeout(Duration::from_millis(connect_timeout_ms)));
        Ok(())
    })
}

/// Sets text appended to the `User-Agent` header, for example `my-app/1.2`.
#[no_mangle]
pub extern "C" fn yh_client_builder_set_user_agent(
    builder: *mut yh_client_builder,
    user_agent: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let builder = arg_mut(builder, "builder")?;
        let suffix = arg_str(user_agent, "user_agent")?;
        builder.update(|b| b.user_agent(suffix));
        Ok(())
    })
}

/// Sets how many times a request is tried again when the connection could not be made
/// (default 0). A request that may have reached the server is never sent again.
#[no_mangle]
pub extern "C" fn yh_client_builder_set_connect_retries(
    builder: *mut yh_client_builder,
    connect_retries: u32,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        arg_mut(builder, "builder")?.update(|b| b.connect_retries(connect_retries));
        Ok(())
    })
}

/// Sets how many idle connections the client keeps open for reuse (default 64): set it to the
/// number of requests the application has in flight at once (threads sharing the client), so
/// that none is reopened. 0 closes each connection after its answer. `yh_client_builder_build`
/// refuses more than 65536 with `YH_ERR_VALIDATION`, field `max_idle_connections`.
#[no_mangle]
pub extern "C" fn yh_client_builder_set_max_idle_connections(
    builder: *mut yh_client_builder,
    max_idle_connections: u64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let n = usize::try_from(max_idle_connections).unwrap_or(usize::MAX);
        arg_mut(builder, "builder")?.update(|b| b.max_idle_connections(n));
        Ok(())
    })
}

/// Sends every request through the proxy at `url`: `http://host:port`, `https://...` or
/// `socks5://...`, `user:password@` allowed (never shown in messages). Without this setting the
/// client uses the proxy named by the environment variable `HTTPS_PROXY`, `HTTP_PROXY` or
/// `ALL_PROXY` (or their lower-case forms), read when the client is built, if one is set.
/// A URL that is not a proxy URL is refused by `yh_client_builder_build` with
/// `YH_ERR_VALIDATION`, field `proxy`.
#[no_mangle]
pub extern "C" fn yh_client_builder_set_proxy(
    builder: *mut yh_client_builder,
    url: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let builder = arg_mut(builder, "builder")?;
        let url = arg_str(url, "url")?;
        builder.update(|b| b.proxy(url));
        Ok(())
    })
}

/// Connects straight to the server, whatever `HTTPS_PROXY`, `HTTP_PROXY` and `ALL_PROXY` say
/// (and undoes `yh_client_builder_set_proxy`).
#[no_mangle]
pub extern "C" fn yh_client_builder_set_no_proxy(
    builder: *mut yh_client_builder,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        arg_mut(builder, "builder")?.update(ClientBuilder::no_proxy);
        Ok(())
    })
}

/// Sets the function told of every request the clients built from these settings make:
/// `callback(log, user)` runs after each request (success or failure, never for a request
/// refused before sending) on the thread that made it, before the `yh_client_*` call returns,
/// with a `yh_request_log` (method, path, status, platform code, error kind, duration,
/// attempts; never the secret key or the signature) valid only during the call. A client shared
/// by several threads calls it from each of them, possibly at the same time: `callback` and
/// whatever `user` points to must allow that. `callback` must not free the client.
///
/// `callback` NULL removes the function. While one is set, `YUNHUNI_LOG` does not print these
/// requests to stderr (it still prints parsed events).
#[no_mangle]
pub extern "C" fn yh_client_builder_set_log(
    builder: *mut yh_client_builder,
    callback: yh_log_fn,
    user: *mut c_void,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        arg_mut(builder, "builder")?.log = LogCallback::new(callback, user);
        Ok(())
    })
}

/// Checks the settings and makes a client. Fails with `YH_ERR_VALIDATION` (the field names the
/// setting) when a credential is empty or not printable ASCII, a timeout is 0 or above 24 hours,
/// or the base URL, account id or proxy URL is malformed. The builder is not consumed: free it
/// with `yh_client_builder_free`.
///
/// On success writes a new client to `*client_out` (free it with `yh_client_free`).
#[no_mangle]
pub extern "C" fn yh_client_builder_build(
    builder: *const yh_client_builder,
    client_out: *mut *mut yh_client,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let builder = arg_ref(builder, "builder")?;
        let out = arg_out(client_out, "client_out")?;
        out.write_box(builder.build()?);
        Ok(())
    })
}

/// Frees client settings. NULL is ignored. Clients built from them are not affected.
#[no_mangle]
pub extern "C" fn yh_client_builder_free(builder: *mut yh_client_builder) {
    free_box(builder);
}

/// Makes a client from the environment with default timeouts (see `yh_client_builder_from_env`).
///
/// On success writes a new client to `*client_out` (free it with `yh_client_free`).
#[no_mangle]
pub extern "C" fn yh_client_from_env(
    client_out: *mut *mut yh_client,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let out = arg_out(client_out, "client_out")?;
        out.write_box(yh_client_builder::new(Client::builder_from_env()?).build()?);
        Ok(())
    })
}

/// The `AppID` this client sends. Borrowed from `client`: valid until `yh_client_free(client)`.
/// NULL if `client` is NULL.
#[no_mangle]
pub extern "C" fn yh_client_app_id(client: *const yh_client) -> *const c_char {
    value_guard(ptr::null(), || {
        opt_ptr(unsafe { client.as_ref() }.map(|c| &c.app_id))
    })
}

/// The `CertID` this client sends. Borrowed from `client`: valid until `yh_client_free(client)`.
/// NULL if `client` is NULL.
#[no_mangle]
pub extern "C" fn yh_client_cert_id(client: *const yh_client) -> *const c_char {
    value_guard(ptr::null(), || {
        opt_ptr(unsafe { client.as_ref() }.map(|c| &c.cert_id))
    })
}

/// The account id in the request paths. Borrowed from `client`: valid until
/// `yh_client_free(client)`. NULL if `client` is NULL.
#[no_mangle]
pub extern "C" fn yh_client_account_id(client: *const yh_client) -> *const c_char {
    value_guard(ptr::null(), || {
        opt_ptr(unsafe { client.as_ref() }.map(|c| &c.account_id))
    })
}

/// The URL request paths are relative to, ending in `/v1/account/{id}/`. Borrowed from
/// `client`: valid until `yh_client_free(client)`. NULL if `client` is NULL.
#[no_mangle]
pub extern "C" fn yh_client_api_root(client: *const yh_client) -> *const c_char {
    value_guard(ptr::null(), || {
        opt_ptr(unsafe { client.as_ref() }.map(|c| &c.api_root))
    })
}

/// Frees a client. NULL is ignored. No thread may be using it, or use it afterwards.
#[no_mangle]
pub extern "C" fn yh_client_free(client: *mut yh_client) {
    free_box(client);
}

/// The platform's id for the call (32 lowercase hex characters); events carry it as `id`.
/// Borrowed from `call`: valid until `yh_call_created_free(call)`. NULL if `call` is NULL.
#[no_mangle]
pub extern "C" fn yh_call_created_call_id(call: *const yh_call_created) -> *const c_char {
    value_guard(ptr::null(), || {
        opt_ptr(unsafe { call.as_ref() }.map(|c| &c.call_id))
    })
}

/// The `user_data` the platform echoed back, or NULL when the answer carries none (the
/// platform's answer to a verification call never does) or if `call` is NULL. Borrowed from `call`: valid until
/// `yh_call_created_free(call)`.
#[no_mangle]
pub extern "C" fn yh_call_created_user_data(call: *const yh_call_created) -> *const c_char {
    value_guard(ptr::null(), || {
        opt_ptr(unsafe { call.as_ref() }.and_then(|c| c.user_data.as_ref()))
    })
}

/// Frees a placed call's result. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_call_created_free(call: *mut yh_call_created) {
    free_box(call);
}
