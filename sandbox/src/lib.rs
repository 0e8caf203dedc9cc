//! # yunhuni-sandbox
//!
//! A local simulator of the Yunhuni (oneyun.com, 云呼你) cloud telephony REST API, so that the
//! whole voice-callback flow can run without an account: start it in-process from a test (in
//! any language, through the bindings) or run the `yunhuni-sandbox` binary.
//!
//! It serves the platform's call API on loopback, checks every request as the real gateway
//! does (signature, timestamp, credentials, with the exact `401` responses), validates bodies
//! with the server's leniency and error codes, simulates the two-leg call in simulated time,
//! and POSTs the end events to your webhook byte for byte as the real server does (key order,
//! ISO-8859-1 encoding, four immediate attempts).
//!
//! ```no_run
//! use std::time::Duration;
//! use yunhuni_sandbox::{Behavior, Sandbox};
//!
//! let sb = Sandbox::builder()
//!     .callback_url("http://127.0.0.1:9000/hook")
//!     .time_scale(100.0)
//!     .start()?;
//! sb.set_behavior("13800000002", Behavior::busy());
//! // ... place a call at sb.base_url() with sb.app_id(), sb.cert_id(), sb.secret_key() ...
//! # let call_id = "";
//! let delivery = sb.wait_for_end(call_id, Duration::from_secs(5));
//! sb.shutdown();
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ## Served API
//!
//! `POST /v1/account/{account_id}/call/duo_callback`, `.../duo_callback_cancel`,
//! `.../notify_call`, `.../verify_call` and `.../ivr_call`. Every path starting with `/v` goes through the
//! signature check first; then an unknown path gets `404` and a method other than `POST` gets
//! `405`. There is no way around the signature check.
//!
//! ## Management
//!
//! `management/subaccount` and `management/telnum` (primary account only): sub-accounts and
//! the accounts' rented numbers live in the sandbox's state, as the platform keeps them. A
//! sub-account made through the API signs at once; a disabled one gets `401 子账号被禁用`, a
//! deleted one `401 Bad credentials`; a sub-account calling management gets
//! `401 不是PRIMARY_ACCOUNT`. Answered calls are billed to the sub-account's `CallQuota` (each
//! answered leg's talk time plus one second, rounded up to the minute); past it, its calls and
//! conferences get `010006`. The default account rents `02088880000`, `02088880001` (default
//! app) and `02088880002` (no app yet).
//!
//! ## Development credentials
//!
//! | | |
//! | --- | --- |
//! | AppID | `b0a5d1e5a2c64f0e9a7e3c1d5f000001` ([`DEV_APP_ID`]) |
//! | CertID, also the account id in paths | `c3e7a9f1d2b44e8c8a6b1f0e2d000001` ([`DEV_CERT_ID`]) |
//! | Secret key | `5d8f2a7c9e1b4d6fa3c0e8b7d9000001` ([`DEV_SECRET_KEY`]) |
//! | Sub-account id | `5ab0c0d1e2f34a5b6c7d8e9f00000002` ([`DEV_SUB_ACCOUNT_ID`]) |
//! | Sub-account CertID | `c3e7a9f1d2b44e8c8a6b1f0e2d000002` ([`DEV_SUB_CERT_ID`]) |
//! | Sub-account secret key | `5d8f2a7c9e1b4d6fa3c0e8b7d9000002` ([`DEV_SUB_SECRET_KEY`]) |
//!
//! The default sub-account is enabled, belongs to the default app and has no callback URL of
//! its own (its events go to the app's URL, with `subaccount_id` set). More apps and
//! sub-accounts can be added with [`SandboxBuilder::app`] and [`SandboxBuilder::sub_account`].
//!
//! ## Called numbers
//!
//! Every number behaves as [`Behavior::default`] (rings 2 s, answers, hangs up 5 s after being
//! connected) unless scripted with [`Sandbox::set_behavior`] or `PUT /sandbox/numbers/{number}`,
//! or it is one of the [`RESERVED_NUMBERS`]:
//!
//! | Number | Behaviour |
//! | --- | --- |
//! | `13900000001` | busy: rejects after 1 s of ringing |
//! | `13900000002` | no answer: rings until `max_dial_duration` |
//! | `13900000003` | unreachable: fails at once |
//! | `13900000004` | answers after 2 s, hangs up 3 s after being connected (as `to1`: party 1 hangs up) |
//! | `13900000005` | answers after 2 s, never hangs up (two of them: the call runs to `max_call_duration`) |
//! | `13900000009` | engine failure: the whole call fails with `调用失败` |
//!
//! ## IVR
//!
//! An `ivr_call` (once the callee answers) and a simulated inbound call
//! ([`Sandbox::inbound_call`], `POST /sandbox/inbound_call`) run the application's IVR
//! documents as the platform does (platform notes 2 §2): `ivr_start` is POSTed to the app's
//! IVR URL ([`SandboxBuilder::ivr_url`], else its callback URL) with the platform's bytes and
//! headers; the reply is decoded as UTF-8 whatever its content type and validated against the
//! server's schema (an invalid document gives `ivr.format_error` and a hangup; a blank one or
//! four failed attempts, nothing more); the first action runs in simulated time, its `ivr.*`
//! event is POSTed, and its `<next>` URL is requested with `call_id`, `type` and the results
//! (`keys`, `record_id`, `error`). No `<next>` after an action: the platform hangs up. The
//! caller is the number's [`Behavior`]: [`Behavior::keys`] are the keys it presses in each
//! `<get>`, [`Behavior::hangup_after_ms`] counts from the answer; a `<dial>`ed number behaves
//! as its own behaviour says. Recordings made by `<record>` are kept ([`Sandbox::recordings`]).
//! Every request to the app, attempt by attempt, is kept ([`Sandbox::ivr_requests`]).
//! `<enqueue>` is read and validated, but the sandbox's apps are not call-center apps, so, as
//! on the platform for those, nothing happens. Simulated durations: 2 s per played file,
//! 250 ms per sent key, `max_duration` (default 60 s) per recording.
//!
//! ## Simulated time
//!
//! Simulated now = the wall clock at start + elapsed real time × [`SandboxBuilder::time_scale`].
//! Event times are the scheduled simulated times of each change, truncated to whole seconds
//! and sent as epoch milliseconds, as the platform's call engine reports them.
//!
//! ## Admin endpoints (sandbox only, no signature)
//!
//! | Request | Answer |
//! | --- | --- |
//! | `GET /sandbox/health` | `200 {"status":"ok"}` |
//! | `GET /sandbox/info` | base URL, credentials, time scale, simulated now |
//! | `GET /sandbox/calls` | every call kept, as [`CallInfo`] |
//! | `GET /sandbox/calls/{id}` | one call, or `404` |
//! | `GET /sandbox/calls/{id}/wait?timeout_ms=N` | waits for the end event to settle: [`Delivery`], or `408` after the timeout, `404` for an unknown call |
//! | `GET /sandbox/webhooks[?call_id=ID]` | every webhook attempt, as [`WebhookAttempt`] |
//! | `GET /sandbox/numbers` | default, reserved and scripted behaviours |
//! | `GET, PUT, DELETE /sandbox/numbers/{number}` | a number's behaviour; `PUT` takes [`Behavior`] JSON |
//! | `GET, PUT /sandbox/callback_url` | the default app's callback URL, `{"url":"..."}` or `{"url":null}` |
//! | `GET, PUT /sandbox/ivr_url` | the default app's own IVR URL, `{"url":"..."}` or `{"url":null}` |
//! | `POST /sandbox/inbound_call` | `{"from":"...","to":"..."}`: a caller dials the default app; `200 {"call_id":"..."}`, `409` when the platform would ignore the call, `400` for blank numbers |
//! | `GET /sandbox/calls/{id}/ivr` | every request made to the app for an IVR call, as [`IvrRequest`] |
//! | `GET /sandbox/recordings` | the recordings made by `<record>`, as [`Recording`] |
//! | `GET /sandbox/apps` | every app's [`AppSettings`], by app id |
//! | `GET, PUT /sandbox/apps/{app_id}` | one app's [`AppSettings`]; `PUT` takes its JSON |
//! | `GET, PUT /sandbox/msg/audit` | the rule that audits templates, as [`TemplateAudit`] JSON |
//! | `GET /sandbox/msg/templates/{id}` | a template, as [`TemplateInfo`] |
//! | `POST /sandbox/msg/templates/{id}/audit` | `{"approve":true}` or `{"approve":false,"reason":"..."}`: [`Sandbox::audit_template`] |
//! | `GET /sandbox/msg/requests/{msgKey}` | an SMS/USSD request, as [`MsgRequestInfo`] |
//! | `GET, PUT, DELETE /sandbox/mobiles/{mobile}` | what the SMS/USSD supplier does with a number, as [`MobileOutcome`] JSON |
//!
//! ## Business errors
//!
//! After validation, each call goes through the server's business checks in its order: a
//! callee with a forced code ([`Behavior::code`]), then the app's [`AppSettings`] (a forced
//! code, services `010002`, balance `010003`, quota `010006`, line `020002` or test numbers
//! `020001`, audited files `010005`). A cancel before the engine confirms the call
//! ([`SandboxBuilder::confirm_delay`]) gets `000004`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod admin;
mod api;
mod args;
mod behavior;
mod business;
mod cc_api;
mod conf_api;
mod config;
#[cfg(test)]
mod cpu_bench;
mod events;
mod gateway;
pub mod http;
mod inspect;
mod ivr_fetch;
mod ivr_url;
mod ivr_xml;
mod lenient;
mod mgmt;
mod msg_api;
mod negotiate;
pub mod signing;
mod sim;
mod time;
mod webhook;

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

pub use args::SandboxArgs;
pub use behavior::{
    reserved_behavior, Answer, Behavior, DEFAULT_KEY_INTERVAL_MS, RESERVED_NUMBERS,
};
pub use business::{AppSettings, BusinessCode, CodeError, Service};
pub use config::{
    App, SubAccount, DEV_APP_ID, DEV_CERT_ID, DEV_SECRET_KEY, DEV_SUB_ACCOUNT_ID, DEV_SUB_CERT_ID,
    DEV_SUB_SECRET_KEY,
};
pub use inspect::{
    CallInfo, CallKind, CallState, Delivery, EndEventState, TimelineEntry, WebhookAttempt,
};
pub use sim::{CcEvent, RoutingStats};
pub use sim::{ConfInfo, IvrRequest, Recording};
pub use sim::{
    MobileOutcome, MsgRequestInfo, TemplateAudit, TemplateInfo, REJECT_REASON, REMARK_PENDING,
    REMARK_REJECT,
};

use config::Credentials;
use sim::{lock, read, write, Settings, Shared};

/// The longest real-time wait a builder setting takes: longer ones are taken as this.
const LONGEST_WAIT: Duration = Duration::from_secs(24 * 3600);

/// Configures and starts a [`Sandbox`]. Made by [`Sandbox::builder`].
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    listen: String,
    callback_url: Option<String>,
    time_scale: f64,
    expiry_minutes: u64,
    utf8_webhooks: bool,
    webhook_timeout: Duration,
    api_delay: Duration,
    app_id: String,
    cert_id: String,
    secret_key: String,
    apps: Vec<App>,
    sub_accounts: Vec<SubAccount>,
    log: bool,
    confirm_delay: Duration,
    app_settings: Vec<(Option<String>, AppSettings)>,
    behaviors: Vec<(String, Behavior)>,
    ivr_url: Option<String>,
    ivr_timeout: Duration,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            listen: "127.0.0.1:0".into(),
            callback_url: None,
            time_scale: 1.0,
            expiry_minutes: 50,
            utf8_webhooks: false,
            webhook_timeout: Duration::from_secs(5),
            api_delay: Duration::ZERO,
            app_id: DEV_APP_ID.into(),
            cert_id: DEV_CERT_ID.into(),
            secret_key: DEV_SECRET_KEY.into(),
            apps: Vec::new(),
            sub_accounts: Vec::new(),
            log: false,
            confirm_delay: Duration::ZERO,
            app_settings: Vec::new(),
            behaviors: Vec::new(),
            ivr_url: None,
            ivr_timeout: Duration::from_secs(5),
        }
    }
}

impl SandboxBuilder {
    /// The address to listen on; default `127.0.0.1:0` (port 0 picks a free port).
    pub fn listen(mut self, addr: impl Into<String>) -> Self {
        self.listen = addr.into();
        self
    }

    /// The default app's callback URL, where end events are POSTed. Default: none (no events
    /// are sent, but they are still built and can be inspected).
    pub fn callback_url(mut self, url: impl Into<String>) -> Self {
        self.callback_url = Some(url.into());
        self
    }

    /// The default app's IVR URL: where `ivr_start` is POSTed for its `ivr_call`s and inbound
    /// calls. On the platform an app has one URL for both its events and its IVR requests;
    /// here, when only one of `callback_url` and `ivr_url` is set it serves both, as on the
    /// platform, and when both are set `ivr_start` goes to this one and the events to the
    /// callback URL. A sub-account's own callback URL serves both for its calls.
    pub fn ivr_url(mut self, url: impl Into<String>) -> Self {
        self.ivr_url = Some(url.into());
        self
    }

    /// Connect and read timeout of each request to an IVR application; default 5 s, as the
    /// platform. Longer than a day is taken as a day.
    pub fn ivr_timeout(mut self, timeout: Duration) -> Self {
        self.ivr_timeout = timeout.min(LONGEST_WAIT);
        self
    }

    /// How many times faster than real time simulated time runs; default 1.0. At 100, a 60 s
    /// call takes 0.6 s.
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.time_scale = scale;
        self
    }

    /// How old (in minutes of the wall clock) a request's `Timestamp` may be; default 50, the
    /// server's production configuration (its code's default and its docs say 5).
    /// Timestamps in the future are always accepted, as on the platform.
    pub fn expiry_minutes(mut self, minutes: u64) -> Self {
        self.expiry_minutes = minutes;
        self
    }

    /// `false` (the default) encodes webhook bodies as the platform does: ISO-8859-1, with `?`
    /// for every character outside Latin-1. `true` sends UTF-8 instead.
    pub fn utf8_webhooks(mut self, utf8: bool) -> Self {
        self.utf8_webhooks = utf8;
        self
    }

    /// Connect and read timeout of each webhook attempt; default 5 s, as the platform. Longer
    /// than a day is taken as a day (clock arithmetic cannot honour any length).
    pub fn webhook_timeout(mut self, timeout: Duration) -> Self {
        self.webhook_timeout = timeout.min(LONGEST_WAIT);
        self
    }

    /// Makes every REST API response (`/v...` paths) wait this long in real time; default
    /// zero. Requests are served concurrently, so parallel clients wait in parallel. Longer
    /// than a day is taken as a day.
    pub fn api_delay(mut self, delay: Duration) -> Self {
        self.api_delay = delay.min(LONGEST_WAIT);
        self
    }

    /// The default app's AppID; default [`DEV_APP_ID`].
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = app_id.into();
        self
    }

    /// The default account's CertID (also its account id); default [`DEV_CERT_ID`].
    pub fn cert_id(mut self, cert_id: impl Into<String>) -> Self {
        self.cert_id = cert_id.into();
        self
    }

    /// The default account's secret key; default [`DEV_SECRET_KEY`].
    pub fn secret_key(mut self, secret_key: impl Into<String>) -> Self {
        self.secret_key = secret_key.into();
        self
    }

    /// Adds an application (with its owning account's credentials).
    pub fn app(mut self, app: App) -> Self {
        self.apps.push(app);
        self
    }

    /// Adds a sub-account. Its app must be the default app or one added with [`Self::app`].
    pub fn sub_account(mut self, sub_account: SubAccount) -> Self {
        self.sub_accounts.push(sub_account);
        self
    }

    /// How long (simulated time) after accepting a call the call engine confirms it; a cancel
    /// before then gets `000004` (`系统繁忙`) and changes nothing. Default zero: every call is
    /// confirmed at once.
    pub fn confirm_delay(mut self, delay: Duration) -> Self {
        self.confirm_delay = delay;
        self
    }

    /// The business settings of the default app (online or not, test numbers, services,
    /// balance, quota, lines, audited files, a forced code): see [`AppSettings`].
    pub fn default_app_settings(mut self, settings: AppSettings) -> Self {
        self.app_settings.push((None, settings));
        self
    }

    /// The business settings of an app (the default app or one added with [`Self::app`]);
    /// [`Self::start`] fails for an unknown app id.
    pub fn app_settings(mut self, app_id: impl Into<String>, settings: AppSettings) -> Self {
        self.app_settings.push((Some(app_id.into()), settings));
        self
    }

    /// Scripts a number's behaviour from the start, as [`Sandbox::set_behavior`] does.
    pub fn behavior(mut self, number: impl Into<String>, behavior: Behavior) -> Self {
        self.behaviors.push((number.into(), behavior));
        self
    }

    /// Logs one line per request and per webhook attempt to stderr; default off.
    pub fn log(mut self, log: bool) -> Self {
        self.log = log;
        self
    }

    /// Binds the address and starts the server, the scheduler and the webhook workers.
    ///
    /// Fails if the address cannot be bound, the time scale is not a positive finite number,
    /// or the credentials conflict (the same CertID with two secrets, a sub-account of an
    /// unknown app, ...).
    pub fn start(self) -> io::Result<Sandbox> {
        if !(self.time_scale.is_finite() && self.time_scale > 0.0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "time scale must be a positive number",
            ));
        }
        let default_app = App {
            app_id: self.app_id.clone(),
            cert_id: self.cert_id.clone(),
            secret_key: self.secret_key.clone(),
            callback_url: self.callback_url.clone(),
        };
        let default_sub = SubAccount {
            id: DEV_SUB_ACCOUNT_ID.into(),
            app_id: self.app_id.clone(),
            cert_id: DEV_SUB_CERT_ID.into(),
            secret_key: DEV_SUB_SECRET_KEY.into(),
            enabled: true,
            callback_url: None,
        };
        let apps = std::iter::once(default_app).chain(self.apps).collect();
        let subs = std::iter::once(default_sub)
            .chain(self.sub_accounts)
            .collect();
        let credentials = Credentials::new(apps, subs)?;
        let mut app_settings = Vec::new();
        for (app_id, settings) in self.app_settings {
            let app_id = app_id.unwrap_or_else(|| self.app_id.clone());
            if credentials.app(&app_id).is_none() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("settings for unknown app {app_id:?}"),
                ));
            }
            app_settings.push((app_id, settings));
        }
        let confirm_delay_ms = i64::try_from(self.confirm_delay.as_millis()).unwrap_or(i64::MAX);
        let settings = Settings {
            time_scale: self.time_scale,
            expiry_minutes: self.expiry_minutes,
            utf8_webhooks: self.utf8_webhooks,
            webhook_timeout: self.webhook_timeout,
            api_delay: self.api_delay,
            log: self.log,
            confirm_delay_ms,
            ivr_timeout: self.ivr_timeout,
        };
        let shared = Arc::new(Shared::new(
            settings,
            credentials,
            time::SimClock::new(self.time_scale),
        ));
        write(&shared.app_settings).extend(app_settings);
        write(&shared.behaviors).extend(self.behaviors);
        if let Some(url) = self.ivr_url {
            write(&shared.ivr_urls).insert(self.app_id.clone(), Some(url));
        }

        let handler: http::Handler = {
            let shared = Arc::clone(&shared);
            Arc::new(move |request: &http::Request| {
                let response = serve(&shared, request);
                if shared.settings.log {
                    let query = request
                        .query
                        .as_deref()
                        .map(|q| format!("?{q}"))
                        .unwrap_or_default();
                    eprintln!(
                        "{} {}{} {}",
                        request.method, request.path, query, response.status
                    );
                }
                response
            })
        };
        let server = http::Server::start(&self.listen, handler)?;
        let addr = server.local_addr();
        let base_url = format!("http://{addr}");
        let _ = shared.base_url.set(base_url.clone());

        let sandbox = Sandbox {
            shared,
            server,
            addr,
            base_url,
            threads: Mutex::new(Vec::new()),
        };
        sandbox
            .spawn_threads()
            .inspect_err(|_| sandbox.shutdown())?;
        Ok(sandbox)
    }
}

/// Routes one request: the sandbox's own endpoints, the gateway, or 404.
fn serve(shared: &Shared, request: &http::Request) -> http::Response {
    if request.path.starts_with("/sandbox/recordings/") && request.method == "GET" {
        conf_api::serve_recording(shared, &request.path)
    } else if request.path == "/sandbox" || request.path.starts_with("/sandbox/") {
        admin::handle(shared, request)
    } else if api::is_gateway_path(&request.path) {
        let response = api::handle(shared, request);
        if !shared.settings.api_delay.is_zero() {
            shared.sleep(shared.settings.api_delay);
        }
        response
    } else {
        api::error_page(404, "No message available", &request.path)
    }
}

/// A running simulator. Stops on [`Sandbox::shutdown`] or when dropped.
///
/// All methods take `&self`; a `Sandbox` can be shared between threads.
pub struct Sandbox {
    shared: Arc<Shared>,
    server: http::Server,
    addr: SocketAddr,
    base_url: String,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// A builder with the defaults: `127.0.0.1:0`, no callback URL, time scale 1, 50-minute
    /// expiry, faithful ISO-8859-1 webhooks, 5 s webhook timeout, no API delay, the development
    /// credentials.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    fn spawn_threads(&self) -> io::Result<()> {
        let mut threads = lock(&self.threads);
        let shared = Arc::clone(&self.shared);
        threads.push(
            std::thread::Builder::new()
                .name("sandbox-scheduler".into())
                .spawn(move || sim::run_scheduler(&shared))?,
        );
        let ivr_agent = ivr_fetch::agent(self.shared.settings.ivr_timeout);
        for i in 0..ivr_fetch::WORKERS {
            let shared = Arc::clone(&self.shared);
            let agent = ivr_agent.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("sandbox-ivr-{i}"))
                    .spawn(move || ivr_fetch::run_worker(&shared, &agent))?,
            );
        }
        let agent = webhook::agent(self.shared.settings.webhook_timeout);
        for i in 0..webhook::WORKERS {
            let shared = Arc::clone(&self.shared);
            let agent = agent.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("sandbox-webhook-{i}"))
                    .spawn(move || webhook::run_worker(&shared, &agent))?,
            );
        }
        Ok(())
    }

    /// `http://127.0.0.1:PORT` (the bound address).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The default app's AppID.
    pub fn app_id(&self) -> &str {
        &self.shared.credentials.apps[0].app_id
    }

    /// The default account's CertID.
    pub fn cert_id(&self) -> &str {
        &self.shared.credentials.apps[0].cert_id
    }

    /// The default account's secret key.
    pub fn secret_key(&self) -> &str {
        &self.shared.credentials.apps[0].secret_key
    }

    /// The default account id used in API paths (the same as the CertID).
    pub fn account_id(&self) -> &str {
        self.cert_id()
    }

    /// The default sub-account: `(sub_account_id, cert_id, secret_key)`. It starts enabled,
    /// belongs to the default app and has no callback URL of its own (the management API can
    /// change both, or delete it).
    pub fn sub_account(&self) -> (&str, &str, &str) {
        let sub = &self.shared.credentials.sub_accounts[0];
        (&sub.id, &sub.cert_id, &sub.secret_key)
    }

    /// The default sub-account in full (the same credentials as [`Sandbox::sub_account`]), as
    /// configured at start: its `enabled` and `callback_url` now are what the management API
    /// (`GET management/subaccount/{id}`) answers.
    pub fn default_sub_account(&self) -> &SubAccount {
        &self.shared.credentials.sub_accounts[0]
    }

    /// Scripts a number's behaviour (replacing a reserved number's) for calls placed from now.
    pub fn set_behavior(&self, number: &str, behavior: Behavior) {
        write(&self.shared.behaviors).insert(number.to_owned(), behavior);
    }

    /// Removes a number's script: it behaves as reserved or by default again.
    pub fn clear_behavior(&self, number: &str) {
        write(&self.shared.behaviors).remove(number);
    }

    /// The behaviour a number has now.
    pub fn behavior(&self, number: &str) -> Behavior {
        self.shared.behavior_of(number)
    }

    /// The business settings of an app now; `None` for an unknown app id.
    pub fn app_settings(&self, app_id: &str) -> Option<AppSettings> {
        read(&self.shared.app_settings).get(app_id).cloned()
    }

    /// Replaces the business settings of an app (see [`AppSettings`]) for requests from now.
    /// Fails (`InvalidInput`) for an app id the sandbox does not know.
    pub fn set_app_settings(&self, app_id: &str, settings: AppSettings) -> io::Result<()> {
        if self.shared.credentials.app(app_id).is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("no app {app_id:?} in this sandbox"),
            ));
        }
        write(&self.shared.app_settings).insert(app_id.to_owned(), settings);
        Ok(())
    }

    /// Changes the default app's callback URL (`None` or blank: no events) for calls placed
    /// from now; a call keeps the URL it was placed with, as on the platform.
    pub fn set_callback_url(&self, url: Option<&str>) {
        let app = self.app_id().to_owned();
        write(&self.shared.app_urls).insert(app, url.map(str::to_owned));
    }

    /// The default app's callback URL.
    pub fn callback_url(&self) -> Option<String> {
        read(&self.shared.app_urls)
            .get(self.app_id())
            .cloned()
            .flatten()
    }

    /// Changes the default app's IVR URL (`None` or blank: its callback URL serves, as on the
    /// platform) for calls from now; see [`SandboxBuilder::ivr_url`].
    pub fn set_ivr_url(&self, url: Option<&str>) {
        let app = self.app_id().to_owned();
        write(&self.shared.ivr_urls).insert(app, url.map(str::to_owned));
    }

    /// The default app's own IVR URL (`None`: its callback URL serves).
    pub fn ivr_url(&self) -> Option<String> {
        read(&self.shared.ivr_urls)
            .get(self.app_id())
            .cloned()
            .flatten()
    }

    /// Changes the IVR URL of any app of this sandbox (the default app or one added with
    /// [`SandboxBuilder::app`]) for its calls from now; `None` or blank: its callback URL
    /// serves. Fails (`InvalidInput`) for an app id the sandbox does not know.
    pub fn set_app_ivr_url(&self, app_id: &str, url: Option<&str>) -> io::Result<()> {
        if self.shared.credentials.app(app_id).is_none() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("no app {app_id:?} in this sandbox"),
            ));
        }
        write(&self.shared.ivr_urls).insert(app_id.to_owned(), url.map(str::to_owned));
        Ok(())
    }

    /// A caller dials `to`, a number of the default app: the platform POSTs `ivr_start`
    /// (`type` `ivr_incoming`, `from` the caller) to the app's IVR URL and runs the
    /// application's documents, answering the call with the first action that is not
    /// `<hangup>`. The caller behaves as `from`'s [`Behavior`] says (the keys it presses, when
    /// it hangs up after the answer); unanswered, it gives up after 60 s. Returns the new call
    /// id (inspect it with [`Sandbox::call`], [`Sandbox::ivr_requests`],
    /// [`Sandbox::webhooks_for`], [`Sandbox::wait_for_end`]).
    ///
    /// Fails (`InvalidInput`) when `from` or `to` is blank, and (`PermissionDenied`) when the
    /// platform would ignore the call (nothing sent, nothing answered): the app has the IVR
    /// service disabled, no balance, no line, or is offline and `from` is not one of its test
    /// numbers; or `to` is bound to a sub-account that is gone, disabled or over its call quota.
    /// A call to a number bound to a live sub-account is that sub-account's call.
    pub fn inbound_call(&self, from: &str, to: &str) -> io::Result<String> {
        api::inbound_call(&self.shared, from, to)
    }

    /// Every request the platform made to the application for an IVR call (one per attempt),
    /// oldest first; `None` for an unknown call.
    pub fn ivr_requests(&self, call_id: &str) -> Option<Vec<IvrRequest>> {
        self.shared.engine_now().ivr_requests(call_id)
    }

    /// The recordings made by `<record>` (the last 10,000), oldest first.
    pub fn recordings(&self) -> Vec<Recording> {
        self.shared.engine_now().recordings()
    }

    /// A conference kept by the sandbox: its state, members, and the events queued for it, in
    /// order (`None` for an unknown id).
    pub fn conference(&self, conf_id: &str) -> Option<ConfInfo> {
        self.shared.conf_info(conf_id)
    }

    /// Events of conferences and `recording.url_generate`: queued, delivered (HTTP 200),
    /// given up after every attempt.
    pub fn conf_event_counts(&self) -> (u64, u64, u64) {
        self.shared.conf_event_counts()
    }

    /// The `callcenter.*` events queued so far (the last 50,000), in the order the platform
    /// sent them, with their bodies as sent.
    pub fn cc_events(&self) -> Vec<CcEvent> {
        self.shared.cc_events()
    }

    /// Call-center events queued for delivery, delivered (HTTP 200), and given up on.
    pub fn cc_event_counts(&self) -> (u64, u64, u64) {
        self.shared.cc_event_counts()
    }

    /// The call center's routing decisions so far and the real time they took.
    pub fn cc_routing_stats(&self) -> RoutingStats {
        self.shared.cc_routing_stats()
    }

    /// A SIP extension's terminal registers (`true`) or unregisters: the extension is enabled
    /// or not, as the platform's SIP proxy reports it. `false` for an unknown extension.
    pub fn register_extension(&self, extension_id: &str, registered: bool) -> bool {
        self.shared
            .cc(|e, _, _| e.ext_set_enabled(extension_id, registered))
    }

    /// Moves an agent's last registration (login or keepalive) `ms` simulated milliseconds
    /// into the past: `Duration::from_secs(24 * 3600)` lets its registration lapse without
    /// waiting a day. `false` for an unknown agent of the default app.
    pub fn age_agent(&self, name: &str, by: Duration) -> bool {
        let app = self.shared.credentials.apps[0].app_id.clone();
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 2);
        self.shared.cc(|e, _, _| e.agent_age(&app, name, ms))
    }

    /// Audits a pending template (status 0) now, as the platform's operator console does:
    /// approves it (status 1) or rejects it (status -1, with `reason`), and sends
    /// `msg.template_complete`. Fails for an unknown template or one that is not pending.
    pub fn audit_template(
        &self,
        temp_id: &str,
        approve: bool,
        reason: Option<&str>,
    ) -> io::Result<()> {
        self.shared.audit_template(temp_id, approve, reason)
    }

    /// Sets the rule that audits templates created or updated from now on (default: approve
    /// after 10 simulated seconds).
    pub fn set_template_audit(&self, audit: TemplateAudit) {
        self.shared.set_template_audit(audit);
    }

    /// The rule that audits templates.
    pub fn template_audit(&self) -> TemplateAudit {
        self.shared.template_audit()
    }

    /// Scripts what the SMS/USSD supplier does with messages to `mobile` (`None`: back to
    /// [`MobileOutcome::Delivered`]).
    pub fn set_mobile_outcome(&self, mobile: &str, outcome: Option<MobileOutcome>) {
        self.shared.set_mobile_outcome(mobile, outcome);
    }

    /// A template's status and the `msg.template_complete` events sent for it.
    pub fn template(&self, temp_id: &str) -> Option<TemplateInfo> {
        self.shared.template_info(temp_id)
    }

    /// An SMS or USSD request's state and the `msg.sending_complete` events sent for it.
    pub fn msg_request(&self, msg_key: &str) -> Option<MsgRequestInfo> {
        self.shared.msg_request_info(msg_key)
    }

    /// The simulated time now, in epoch milliseconds.
    pub fn sim_now_ms(&self) -> i64 {
        self.shared.clock.now_ms()
    }

    /// Every call kept, oldest first: running calls, and finished ones up to 10,000 calls in
    /// all (the oldest finished calls are forgotten first).
    pub fn calls(&self) -> Vec<CallInfo> {
        self.shared.engine_now().call_infos()
    }

    /// One call, if kept.
    pub fn call(&self, id: &str) -> Option<CallInfo> {
        self.shared.engine_now().call_info(id)
    }

    /// Every webhook attempt kept (the last 10,000), oldest first.
    pub fn webhooks(&self) -> Vec<WebhookAttempt> {
        self.shared.engine_now().attempts(None)
    }

    /// The webhook attempts for one call.
    pub fn webhooks_for(&self, call_id: &str) -> Vec<WebhookAttempt> {
        self.shared.engine_now().attempts(Some(call_id))
    }

    /// Waits until the call's end event (`ivr.call_end` for IVR calls) is settled: delivered,
    /// failed four times, or not sent for lack of a callback URL. `None` if that does not happen within `timeout` (real
    /// time), if the call is unknown, or if the sandbox stops.
    pub fn wait_for_end(&self, call_id: &str, timeout: Duration) -> Option<Delivery> {
        self.shared.wait_for_end(call_id, timeout)
    }

    /// Stops accepting connections, closes open ones, stops the scheduler and the webhook
    /// workers, and joins every thread. Idempotent; also done on drop. Events not yet
    /// delivered are dropped. A request to an IVR application in flight is let finish (at
    /// most the IVR timeout); no other is started.
    pub fn shutdown(&self) {
        self.shared.signal_stop();
        self.server.shutdown();
        let threads = std::mem::take(&mut *lock(&self.threads));
        for thread in threads {
            let _ = thread.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown();
    }
}
