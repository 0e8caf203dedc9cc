//! The signed HTTP client.

use crate::error::{escape_text, quote_text, Error, ErrorKind, Result};
use crate::ops::{Casing, Method, Request, Wire};
use crate::sign::{Signer, Timestamp, CONTENT_TYPE};
use serde::Serialize;
use serde_json::Value;
use std::fmt;
use std::io::Read;
use std::time::Duration;

/// The platform's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.yunhuni.com";

/// The longest timeout a client takes: longer ones cannot be honoured by every platform's clock
/// arithmetic, and no request to the platform needs them.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// The largest successful response body read, in bytes.
const MAX_RESPONSE_BYTES: u64 = 1024 * 1024;
/// How much of an unexpected response body an `http` error carries.
const ERROR_BODY_BYTES: u64 = 1024;
/// Idle connections kept per client unless [`ClientBuilder::max_idle_connections`] says otherwise.
pub const DEFAULT_MAX_IDLE_CONNECTIONS: usize = 64;
/// The most idle connections a client may be asked to keep.
const MAX_IDLE_LIMIT: usize = 65_536;

/// A call the platform accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallCreated {
    /// The platform's id for the call (32 lowercase hex characters). Events carry it as `id`.
    pub call_id: String,
    /// The `user_data` echoed back (`None` when not given, and always for verify_call).
    pub user_data: Option<String>,
}

impl CallCreated {
    /// The call in an answer's `data`: `{"callId": ..., "user_data": ...}`.
    pub fn from_data(data: Value) -> Result<CallCreated> {
        let call_id = data
            .get("callId")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let Some(call_id) = call_id else {
            return Err(Error::decode("response `data` has no `callId`").with_status(200));
        };
        let user_data = data
            .get("user_data")
            .and_then(Value::as_str)
            .map(str::to_owned);
        Ok(CallCreated {
            call_id: call_id.to_owned(),
            user_data,
        })
    }
}

/// Settings for a [`Client`], made by [`Client::builder`].
#[derive(Clone)]
pub struct ClientBuilder {
    app_id: String,
    cert_id: String,
    secret_key: String,
    base_url: String,
    account_id: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent_suffix: Option<String>,
    connect_retries: u32,
    proxy: ProxySetting,
    on_request: Option<RequestObserver>,
    max_idle_connections: usize,
}

/// Where requests go through.
#[derive(Clone, Debug, PartialEq, Eq)]
enum ProxySetting {
    /// `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` (and lower-case), as most tools read them.
    FromEnv,
    /// This proxy.
    Url(String),
    /// Straight to the server, whatever the environment says.
    Direct,
}

/// A function told of every request a client made (see [`ClientBuilder::on_request`]).
pub type RequestObserver = std::sync::Arc<dyn Fn(&RequestLog) + Send + Sync>;

/// What one request did, for logs: never the secret key or the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestLog {
    /// `GET`, `POST`, `PUT` or `DELETE`.
    pub method: &'static str,
    /// The path after `/v1/account/{account_id}/`, with its query string.
    pub path: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// The platform code, when the answer had one.
    pub code: Option<String>,
    /// The error kind, when the request failed (`validation` never reaches here: nothing was sent).
    pub error: Option<ErrorKind>,
    /// How long it took, all attempts included.
    pub duration: Duration,
    /// How many times it was tried (more than 1 only when connecting failed).
    pub attempts: u32,
}

impl fmt::Display for RequestLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, escape_text(&self.path))?;
        match self.status {
            Some(status) => write!(f, " -> {status}")?,
            None => f.write_str(" -> no answer")?,
        }
        if let Some(code) = &self.code {
            write!(f, " {}", escape_text(code))?;
        }
        if let Some(kind) = self.error {
            write!(f, " ({kind} error)")?;
        }
        write!(f, " in {:.1} ms", self.duration.as_secs_f64() * 1000.0)?;
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

/// Settings of one call that override the client's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// The longest this call may take, connecting included (default: the client's timeout).
    pub timeout: Option<Duration>,
}

impl CallOptions {
    /// Options with this timeout.
    pub fn timeout(timeout: Duration) -> Self {
        CallOptions {
            timeout: Some(timeout),
        }
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("app_id", &self.app_id)
            .field("cert_id", &self.cert_id)
            .field("secret_key", &"<redacted>")
            .field("base_url", &self.base_url)
            .field("account_id", &self.account_id)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API's base URL (default `https://api.yunhuni.com`). A URL that ends with
    /// `/v1/account/{id}/`, as the console shows it, also sets the account id.
    #[must_use]
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The id in `/v1/account/{id}/` (default: the cert id, or the one in the base URL).
    #[must_use]
    pub fn account_id(mut self, id: impl Into<String>) -> Self {
        self.account_id = Some(id.into());
        self
    }

    /// The longest a whole request may take, connecting included (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest connecting may take (default 5 s).
    #[must_use]
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Text appended to the `User-Agent` header, for example `my-app/1.2`.
    #[must_use]
    pub fn user_agent(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// How many times a request is tried again when the connection could not be made
    /// (default 0). Nothing is ever sent again once a byte of it may have reached the server.
    #[must_use]
    pub fn connect_retries(mut self, retries: u32) -> Self {
        self.connect_retries = retries;
        self
    }

    /// Sends every request through this proxy (`http://host:port`, `https://...`,
    /// `socks5://...`; `user:password@` allowed). Without it the client uses the proxy named by
    /// `HTTPS_PROXY`, `HTTP_PROXY` or `ALL_PROXY` (or their lower-case forms), if any.
    #[must_use]
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxySetting::Url(url.into());
        self
    }

    /// Connects straight to the server, whatever the `*_PROXY` variables say.
    #[must_use]
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxySetting::Direct;
        self
    }

    /// How many idle connections the client keeps open for reuse (default 64). Set it to the
    /// number of requests the application has in flight at once (threads sharing the client,
    /// an async pool's size): with at most that many in flight, every request after the first
    /// of each goes on a kept-alive connection and none is reopened. 0 closes each connection
    /// after its answer.
    #[must_use]
    pub fn max_idle_connections(mut self, connections: usize) -> Self {
        self.max_idle_connections = connections;
        self
    }

    /// Calls `observer` after every request with what it did (method, path, status, platform
    /// code, duration, attempts; never a secret). Each request is also logged through the
    /// `log` facade at debug level, target `yunhuni`.
    #[must_use]
    pub fn on_request(mut self, observer: impl Fn(&RequestLog) + Send + Sync + 'static) -> Self {
        self.on_request = Some(std::sync::Arc::new(observer));
        self
    }

    /// Checks the settings and makes the client.
    pub fn build(self) -> Result<Client> {
        for (field, value) in [
            ("app_id", &self.app_id),
            ("cert_id", &self.cert_id),
            ("secret_key", &self.secret_key),
        ] {
            if value.trim().is_empty() {
                return Err(Error::validation(
                    field,
                    "is required and must not be empty",
                ));
            }
            if value.chars().any(|c| c.is_control() || !c.is_ascii()) {
                return Err(Error::validation(
                    field,
                    "must be printable ASCII (it is sent in an HTTP header)",
                ));
            }
        }
        for (field, value) in [
            ("timeout", self.timeout),
            ("connect_timeout", self.connect_timeout),
        ] {
            if value.is_zero() || value > MAX_TIMEOUT {
                return Err(Error::validation(
                    field,
                    format!("{value:?} is not between 1 ns and {MAX_TIMEOUT:?} (24 hours)"),
                ));
            }
        }
        if self.max_idle_connections > MAX_IDLE_LIMIT {
            return Err(Error::validation(
                "max_idle_connections",
                format!(
                    "{} is more than {MAX_IDLE_LIMIT}",
                    self.max_idle_connections
                ),
            ));
        }
        let (origin, prefix, url_account) = split_base_url(&self.base_url)?;
        let account_id = match (&self.account_id, url_account) {
            (Some(id), _) => id.clone(),
            (None, Some(id)) => id,
            (None, None) => self.cert_id.clone(),
        };
        if account_id.is_empty()
            || !account_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(Error::validation(
                "account_id",
                "must be letters, digits, '-' or '_'",
            ));
        }
        let mut user_agent = format!("yunhuni/{} (rust)", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = self
            .user_agent_suffix
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            if suffix.chars().any(char::is_control) {
                return Err(Error::validation(
                    "user_agent",
                    "must not contain control characters",
                ));
            }
            user_agent = format!("{user_agent} {suffix}");
        }
        let proxy = match &self.proxy {
            ProxySetting::FromEnv => ureq::Proxy::try_from_env(),
            ProxySetting::Direct => None,
            ProxySetting::Url(url) => Some(ureq::Proxy::new(url).map_err(|e| {
                Error::validation(
                    "proxy",
                    format!(
                        "{} is not a proxy URL: {}",
                        quote_text(&redact_userinfo(url)),
                        escape_text(&e.to_string())
                    ),
                )
            })?),
        };
        let proxy_shown = proxy
            .as_ref()
            .map(|p| escape_text(&redact_userinfo(&p.uri().to_string())));
        let config = ureq::Agent::config_builder()
            .proxy(proxy)
            .http_status_as_error(false)
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.connect_timeout.min(self.timeout)))
            .max_redirects(0)
            .user_agent(user_agent.as_str())
            // The pool holds as many connections as requests in flight (the pool-wide limit
            // defaults to 10, which reopens connections above 10 concurrent requests).
            .max_idle_connections(self.max_idle_connections)
            .max_idle_connections_per_host(self.max_idle_connections)
            // Trust what the operating system trusts (a company's own CA included), not only a
            // certificate list compiled into the library.
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .build();
        let quick_closes = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let agent = ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::Connector::chain(
                ureq::unversioned::transport::DefaultConnector::default(),
                crate::coalesce::CoalescingConnector {
                    quick_closes: quick_closes.clone(),
                },
            ),
            crate::resolver::CachingResolver::default(),
        );
        // Plain HTTP without a proxy goes through the client's own transport.
        let plain = match (origin.strip_prefix("http://"), &proxy_shown) {
            (Some(authority), None) => crate::transport::Plain::new(
                authority,
                self.max_idle_connections,
                quick_closes.clone(),
            )
            .map(std::sync::Arc::new),
            _ => None,
        };
        let user_agent_header = user_agent;
        Ok(Client {
            agent,
            plain,
            user_agent: user_agent_header,
            api_root: format!("{origin}{prefix}/v1/account/{account_id}/"),
            path_root: format!("{prefix}/v1/account/{account_id}/"),
            signer: Signer::new(&self.secret_key),
            app_id: self.app_id,
            cert_id: self.cert_id,
            account_id,
            timeout: self.timeout,
            connect_retries: self.connect_retries,
            connect_timeout: self.connect_timeout,
            on_request: self.on_request,
            quick_closes,
            proxy_shown,
        })
    }
}

/// Splits a base URL into origin (`scheme://host[:port]`), a path prefix without trailing
/// slash, and the account id when the path ends with `/v1/account/{id}`.
fn split_base_url(url: &str) -> Result<(String, String, Option<String>)> {
    let bad = |why: &str| {
        Error::validation(
            "base_url",
            format!("{} {why}", quote_text(&redact_userinfo(url))),
        )
    };
    let rest = url
        .strip_prefix("https://")
        .map(|r| ("https://", r))
        .or_else(|| url.strip_prefix("http://").map(|r| ("http://", r)));
    let Some((scheme, rest)) = rest else {
        return Err(bad("must start with http:// or https://"));
    };
    if rest.contains(['?', '#']) || rest.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("must not contain a query, a fragment or spaces"));
    }
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    if host.contains('@') {
        return Err(bad(
            "must not carry user:password@: the platform authenticates by signature, and a \
             password in a URL would be sent to it",
        ));
    }
    if host.is_empty() {
        return Err(bad("must name a host"));
    }
    let mut path = path.trim_end_matches('/').to_owned();
    let mut account = None;
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() >= 4 && parts[parts.len() - 2] == "account" && parts[parts.len() - 3] == "v1" {
        account = Some(parts[parts.len() - 1].to_owned()).filter(|s| !s.is_empty());
        path = parts[..parts.len() - 3].join("/");
    } else if path.ends_with("/v1/account") || path.contains("/v1/account/") {
        return Err(bad(
            "has /v1/account/ but not as /v1/account/{account id} at its end",
        ));
    }
    Ok((format!("{scheme}{host}"), path, account))
}

/// The URL with any `user:password@` before its host replaced by `***@`.
fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// A client for the platform's REST API.
///
/// It signs every request, keeps connections alive, holds no per-request state, and may be
/// shared by many threads at once (`Send + Sync`; clone it or put it in an `Arc`). HTTPS
/// certificates are checked against the operating system's trust store.
///
/// ```no_run
/// use yunhuni::{Client, DuoCallback};
/// let client = Client::builder("your-app-id", "your-cert-id", "your-secret-key").build()?;
/// let call = client.duo_callback(&DuoCallback::new("13800000001", "13800000002", 600))?;
/// println!("placed {}", call.call_id);
/// # Ok::<(), yunhuni::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    /// The client's own transport, for `http://` without a proxy.
    plain: Option<std::sync::Arc<crate::transport::Plain>>,
    user_agent: String,
    api_root: String,
    path_root: String,
    app_id: String,
    cert_id: String,
    /// HMAC keyed with the secret key, made once (the key itself is not kept).
    signer: Signer,
    account_id: String,
    timeout: Duration,
    connect_retries: u32,
    connect_timeout: Duration,
    on_request: Option<RequestObserver>,
    /// Pooled connections found closed right after an answer. Once the server is seen closing
    /// connections after each answer, requests ask for `Connection: close` and go on fresh
    /// connections: reusing one races the server's close, and a request lost in that race may
    /// not be sent again.
    quick_closes: std::sync::Arc<std::sync::atomic::AtomicU32>,
    /// The proxy requests go through (its password redacted), named in transport errors.
    proxy_shown: Option<String>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_root", &self.api_root)
            .field("app_id", &self.app_id)
            .field("cert_id", &self.cert_id)
            .field("secret_key", &"<redacted>")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts building a client for an app (`AppID`) and credentials (`CertID` and its secret).
    pub fn builder(
        app_id: impl Into<String>,
        cert_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> ClientBuilder {
        ClientBuilder {
            app_id: app_id.into(),
            cert_id: cert_id.into(),
            secret_key: secret_key.into(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            account_id: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            user_agent_suffix: None,
            connect_retries: 0,
            proxy: ProxySetting::FromEnv,
            on_request: None,
            max_idle_connections: DEFAULT_MAX_IDLE_CONNECTIONS,
        }
    }

    /// A builder from the environment: `YUNHUNI_APP_ID`, `YUNHUNI_CERT_ID` and
    /// `YUNHUNI_SECRET_KEY` (required), `YUNHUNI_BASE_URL` and `YUNHUNI_ACCOUNT_ID` (optional).
    pub fn builder_from_env() -> Result<ClientBuilder> {
        let var = |name: &str| match std::env::var(name) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(v)),
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::validation(
                name,
                "environment variable is not valid UTF-8",
            )),
        };
        let required = |name: &str| {
            var(name)?.ok_or_else(|| Error::validation(name, "environment variable is not set"))
        };
        let mut builder = Client::builder(
            required("YUNHUNI_APP_ID")?,
            required("YUNHUNI_CERT_ID")?,
            required("YUNHUNI_SECRET_KEY")?,
        );
        if let Some(url) = var("YUNHUNI_BASE_URL")? {
            builder = builder.base_url(url);
        }
        if let Some(id) = var("YUNHUNI_ACCOUNT_ID")? {
            builder = builder.account_id(id);
        }
        Ok(builder)
    }

    /// A client from the environment (see [`Client::builder_from_env`]). The error names the
    /// variable that is missing.
    pub fn from_env() -> Result<Client> {
        Client::builder_from_env()?.build()
    }

    /// The `AppID` this client sends.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// The `CertID` this client sends.
    pub fn cert_id(&self) -> &str {
        &self.cert_id
    }

    /// The account id in the request paths.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }

    /// The URL that request paths are relative to, ending in `/v1/account/{id}/`.
    pub fn api_root(&self) -> &str {
        &self.api_root
    }

    /// Cancels a voice callback while party 2 is not yet connected. An end event still follows.
    /// The same as [`Client::duo_callback_cancel`], by the call id alone.
    pub fn cancel_duo_callback(&self, call_id: &str) -> Result<()> {
        let request = Request::new("duo_callback_cancel")?.with("call_id", call_id)?;
        self.send(&request).map(drop)
    }

    /// Sends a signed POST of `body` to `operation` (relative to [`Client::api_root`]) and
    /// returns the response's `data` once `code` is `000000`.
    pub fn post<T: Serialize + ?Sized>(&self, operation: &str, body: &T) -> Result<Value> {
        self.post_with(operation, body, &CallOptions::default())
    }

    /// [`Client::post`] with settings for this call only.
    pub fn post_with<T: Serialize + ?Sized>(
        &self,
        operation: &str,
        body: &T,
        options: &CallOptions,
    ) -> Result<Value> {
        check_call_options(options)?;
        let body = crate::ops::to_ascii_json(body).map_err(|e| {
            Error::new(
                ErrorKind::Validation,
                format!("request cannot be encoded as JSON: {e}"),
            )
        })?;
        let wire = Wire {
            method: Method::Post,
            path: operation.to_owned(),
            query: String::new(),
            body: Some(body),
        };
        self.execute(&wire, options.timeout)
    }

    /// Checks `request` against its declaration, sends it, and returns the response's `data`
    /// once `code` is `000000`. Every operation of [`ops::OPERATIONS`] goes through here.
    pub fn send(&self, request: &Request) -> Result<Value> {
        self.send_with(request, &CallOptions::default())
    }

    /// [`Client::send`] with settings for this call only (its own timeout).
    pub fn send_with(&self, request: &Request, options: &CallOptions) -> Result<Value> {
        check_call_options(options)?;
        let wire = request.to_wire()?;
        self.execute(&wire, options.timeout)
    }

    /// The operation called `name` (or its alias) with `fields` named in `casing`: what the
    /// bindings' generic `request(name, fields)` does. Errors name fields in `casing`.
    pub fn call<K: AsRef<str>>(
        &self,
        name: &str,
        fields: impl IntoIterator<Item = (K, Value)>,
        casing: Casing,
    ) -> Result<Value> {
        self.call_with(name, fields, casing, &CallOptions::default())
    }

    /// [`Client::call`] with settings for this call only.
    pub fn call_with<K: AsRef<str>>(
        &self,
        name: &str,
        fields: impl IntoIterator<Item = (K, Value)>,
        casing: Casing,
        options: &CallOptions,
    ) -> Result<Value> {
        let request = Request::from_fields(name, fields, casing)?;
        request.validate_cased(casing)?;
        self.send_with(&request, options)
    }

    /// One signed exchange of `wire`, the query not signed, as the server does; logged and
    /// reported to the observer.
    fn execute(&self, wire: &Wire, timeout: Option<Duration>) -> Result<Value> {
        let started = std::time::Instant::now();
        let mut attempts = 0;
        let result = self.exchange(wire, timeout, &mut attempts);
        // The log is made only for someone to read it.
        if self.on_request.is_none() && !log::log_enabled!(target: "yunhuni", log::Level::Debug) {
            return result;
        }
        let (status, code, error) = match &result {
            Ok(_) => (Some(200), Some("000000".to_owned()), None),
            Err(e) => (e.status(), e.code().map(str::to_owned), Some(e.kind())),
        };
        let log = RequestLog {
            method: wire.method.as_str(),
            path: if wire.query.is_empty() {
                wire.path.clone()
            } else {
                format!("{}?{}", wire.path, wire.query)
            },
            status,
            code,
            error,
            duration: started.elapsed(),
            attempts,
        };
        log::debug!(target: "yunhuni", "{log}");
        if let Some(observer) = &self.on_request {
            observer(&log);
        }
        result
    }

    fn exchange(
        &self,
        wire: &Wire,
        timeout: Option<Duration>,
        attempts: &mut u32,
    ) -> Result<Value> {
        let method = wire.method;
        // The URL is what the HTTP agent needs; the client's own transport writes the path.
        let url = if self.plain.is_some() {
            String::new()
        } else {
            let mut url = format!("{}{}", self.api_root, wire.path);
            if !wire.query.is_empty() {
                url.push('?');
                url.push_str(&wire.query);
            }
            url
        };
        let body = if method.has_content() {
            wire.body.as_deref().unwrap_or_default()
        } else {
            &[]
        };
        let limit = timeout.unwrap_or(self.timeout);
        loop {
            *attempts += 1;
            // A fresh timestamp and signature for each attempt.
            let timestamp = Timestamp::now();
            let timestamp = timestamp.as_str();
            let signature = self.signer.sign(
                method.as_str(),
                &[&self.path_root, &wire.path],
                method.has_content(),
                CONTENT_TYPE,
                timestamp,
                &self.app_id,
                body,
            );
            let signature = signature.as_str();
            if let Some(plain) = &self.plain {
                match self.exchange_plain(plain, wire, body, signature, timestamp, limit) {
                    Ok(value) => return value,
                    Err(f) if *attempts <= self.connect_retries && f.may_retry => continue,
                    Err(f) => return Err(f.error),
                }
            }
            let result = match method {
                Method::Post | Method::Put => {
                    let builder = if method == Method::Post {
                        self.agent.post(&url)
                    } else {
                        self.agent.put(&url)
                    };
                    self.headers(builder, signature, timestamp, timeout)
                        .header("Content-Type", CONTENT_TYPE)
                        .send(body)
                }
                Method::Get => self
                    .headers(self.agent.get(&url), signature, timestamp, timeout)
                    .call(),
                Method::Delete => self
                    .headers(self.agent.delete(&url), signature, timestamp, timeout)
                    .call(),
            };
            match result {
                Ok(response) => return read_response(response, limit),
                Err(e) if *attempts <= self.connect_retries && not_sent(&e) => {}
                Err(e) => return Err(transport_error(e, limit, self.proxy_shown.as_deref())),
            }
        }
    }

    /// One attempt through the client's own transport: `Ok` holds the outcome once the server
    /// answered; `Err` a failure to reach it (or to hear its answer).
    fn exchange_plain(
        &self,
        plain: &crate::transport::Plain,
        wire: &Wire,
        body: &[u8],
        signature: &str,
        timestamp: &str,
        limit: Duration,
    ) -> std::result::Result<Result<Value>, crate::transport::Failure> {
        let mut target =
            String::with_capacity(self.path_root.len() + wire.path.len() + wire.query.len() + 1);
        target.push_str(&self.path_root);
        target.push_str(&wire.path);
        if !wire.query.is_empty() {
            target.push('?');
            target.push_str(&wire.query);
        }
        if !target.bytes().all(|b| b.is_ascii_graphic()) {
            return Ok(Err(Error::new(
                ErrorKind::Transport,
                format!(
                    "could not send: the request path {} is not printable ASCII",
                    quote_text(&target)
                ),
            )));
        }
        let close = self.quick_closes.load(std::sync::atomic::Ordering::Relaxed) > 0;
        let mut headers: [(&str, &str); 8] = [
            ("User-Agent", &self.user_agent),
            ("AppID", &self.app_id),
            ("CertID", &self.cert_id),
            ("Signature", signature),
            ("Timestamp", timestamp),
            ("Accept", "application/json"),
            ("Content-Type", CONTENT_TYPE),
            ("Connection", "close"),
        ];
        let mut count = 6;
        if wire.method.has_content() {
            count += 1;
        }
        if close {
            headers[count] = ("Connection", "close");
            count += 1;
        }
        let outgoing = crate::transport::Outgoing {
            method: wire.method.as_str(),
            target: &target,
            headers: &headers[..count],
            body: wire.method.has_content().then_some(body),
        };
        let limits = crate::transport::Limits {
            success_body: MAX_RESPONSE_BYTES as usize,
            error_body: ERROR_BODY_BYTES as usize,
        };
        plain.exchange(
            &outgoing,
            limit,
            self.connect_timeout.min(limit),
            &limits,
            interpret,
        )
    }

    fn headers<B>(
        &self,
        builder: ureq::RequestBuilder<B>,
        signature: &str,
        timestamp: &str,
        timeout: Option<Duration>,
    ) -> ureq::RequestBuilder<B> {
        let builder = match timeout {
            Some(t) => builder
                .config()
                .timeout_global(Some(t))
                .timeout_connect(Some(self.connect_timeout.min(t)))
                .build(),
            None => builder,
        };
        let builder = if self.quick_closes.load(std::sync::atomic::Ordering::Relaxed) > 0 {
            builder.header("Connection", "close")
        } else {
            builder
        };
        builder
            .header("AppID", &self.app_id)
            .header("CertID", &self.cert_id)
            .header("Signature", signature)
            .header("Timestamp", timestamp)
            .header("Accept", "application/json")
    }
}

fn check_call_options(options: &CallOptions) -> Result<()> {
    match options.timeout {
        Some(timeout) if timeout.is_zero() || timeout > MAX_TIMEOUT => Err(Error::validation(
            "timeout",
            format!("{timeout:?} is not between 1 ns and {MAX_TIMEOUT:?} (24 hours)"),
        )),
        _ => Ok(()),
    }
}

/// True when the error happened before any byte of the request could have been written.
fn not_sent(e: &ureq::Error) -> bool {
    use std::io::ErrorKind as Io;
    match e {
        ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => true,
        ureq::Error::Timeout(t) => matches!(t, ureq::Timeout::Resolve | ureq::Timeout::Connect),
        ureq::Error::Io(io) => matches!(
            io.kind(),
            Io::ConnectionRefused
                | Io::AddrNotAvailable
                | Io::NetworkUnreachable
                | Io::HostUnreachable
        ),
        _ => false,
    }
}

fn transport_error(e: ureq::Error, timeout: Duration, proxy: Option<&str>) -> Error {
    let mut error = transport_error_text(&e, timeout);
    if let Some(proxy) = proxy {
        error = error.with_note(&format!(" (through the proxy {proxy})"));
    }
    if not_sent(&e) {
        error
    } else {
        error.sent_maybe()
    }
}

fn transport_error_text(e: &ureq::Error, timeout: Duration) -> Error {
    match e {
        ureq::Error::Timeout(which) => Error::new(
            ErrorKind::Timeout,
            format!("request timed out ({which:?}; whole-request limit {timeout:?})"),
        ),
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) =>
        {
            Error::new(ErrorKind::Timeout, format!("request timed out: {io}"))
        }
        _ => {
            let stage = if not_sent(e) {
                "could not connect"
            } else {
                "connection failed"
            };
            Error::new(
                ErrorKind::Transport,
                format!("{stage}: {}", escape_text(&e.to_string())),
            )
        }
    }
}

fn read_response(
    mut response: ureq::http::Response<ureq::Body>,
    timeout: Duration,
) -> Result<Value> {
    let status = response.status().as_u16();
    if status != 200 {
        let mut head = Vec::new();
        let _ = response
            .body_mut()
            .as_reader()
            .take(ERROR_BODY_BYTES)
            .read_to_end(&mut head);
        return interpret(status, &head);
    }
    let bytes = response
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BYTES)
        .read_to_vec()
        .map_err(|e| match e {
            ureq::Error::BodyExceedsLimit(_) => Error::decode(format!(
                "response body is larger than {MAX_RESPONSE_BYTES} bytes"
            ))
            .with_status(200),
            other => transport_error(other, timeout, None).with_status(200),
        })?;
    interpret(200, &bytes)
}

/// The platform's answer envelope, its strings borrowed where they have no escapes.
#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    code: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    msg: Option<std::borrow::Cow<'a, str>>,
    data: Option<Value>,
}

/// The outcome of an answer: `data` for a 200 whose `code` is `000000`, else the error it
/// means (`auth` for 401, `http` for other statuses, `api` for a platform code, `decode` for
/// a body that is not the platform's envelope). `body` is at most 1 KiB unless `status` is 200.
fn interpret(status: u16, body: &[u8]) -> Result<Value> {
    if status != 200 {
        let text = String::from_utf8_lossy(body);
        let text = escape_text(text.trim());
        return Err(if status == 401 {
            let reason = text.strip_prefix("HTTP Status 401 - ").unwrap_or(&text);
            Error::new(
                ErrorKind::Auth,
                format!("authentication refused (HTTP 401): {reason}"),
            )
            .with_status(401)
        } else {
            Error::new(
                ErrorKind::Http,
                format!("unexpected HTTP status {status}: {text}"),
            )
            .with_status(status)
        });
    }
    let bytes = body;
    // The usual answer, an object with a string `code` (and `msg`), read without making a map
    // of it; anything else (another shape, a repeated key) is read the general way below.
    if bytes.trim_ascii_start().first() == Some(&b'{') {
        if let Ok(envelope) = serde_json::from_slice::<Envelope<'_>>(bytes) {
            if let Some(code) = envelope.code {
                if code != "000000" {
                    return Err(Error::api(&code, envelope.msg.as_deref().unwrap_or("")));
                }
                return Ok(envelope.data.unwrap_or(Value::Null));
            }
        }
    }
    let envelope: Value = serde_json::from_slice(bytes).map_err(|e| {
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
        Error::decode(format!(
            "response could not be read as JSON ({e}): {}",
            quote_text(&head)
        ))
        .with_status(200)
    })?;
    let code = envelope.get("code").and_then(Value::as_str);
    let Some(code) = code else {
        return Err(Error::decode("response JSON has no string `code`").with_status(200));
    };
    if code != "000000" {
        let msg = envelope.get("msg").and_then(Value::as_str).unwrap_or("");
        return Err(Error::api(code, msg));
    }
    let mut envelope = envelope;
    Ok(envelope
        .get_mut("data")
        .map(Value::take)
        .unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes() {
        let ok = |b: &str| interpret(200, b.as_bytes()).unwrap();
        let err = |b: &str| interpret(200, b.as_bytes()).unwrap_err();
        assert_eq!(
            ok(r#" {"code":"000000","msg":"ok","data":{"callId":"x"}}"#),
            serde_json::json!({"callId": "x"})
        );
        assert_eq!(
            ok(r#"{"data":[1],"code":"000\u0030\u00300"}"#),
            serde_json::json!([1])
        );
        assert_eq!(ok(r#"{"code":"000000"}"#), Value::Null);
        assert_eq!(ok(r#"{"code":"000000","data":null,"x":{}}"#), Value::Null);
        // A repeated key: the last one counts, as when read into a map.
        assert_eq!(
            ok(r#"{"code":"030500","code":"000000","data":2}"#),
            serde_json::json!(2)
        );
        let e = err(r#"{"code":"030500","msg":"\u6821\u9a8c"}"#);
        assert_eq!((e.kind(), e.code()), (ErrorKind::Api, Some("030500")));
        assert!(e.to_string().contains("校验"), "{e}");
        let e = err(r#"{"code":"030500","msg":5}"#);
        assert_eq!((e.kind(), e.code()), (ErrorKind::Api, Some("030500")));
        for bad in [
            r#"["000000","ok",{}]"#,
            r#"{"code":0,"data":1}"#,
            r#"{"code":null}"#,
            r#"{"msg":"no code"}"#,
            r#""000000""#,
        ] {
            assert_eq!(err(bad).kind(), ErrorKind::Decode, "{bad}");
        }
        assert_eq!(err(r#"{"code":"000000"} x"#).kind(), ErrorKind::Decode);
    }

    #[test]
    fn base_url_forms() {
        let s = |u: &str| split_base_url(u).unwrap();
        assert_eq!(
            s("https://api.yunhuni.com"),
            ("https://api.yunhuni.com".into(), "".into(), None)
        );
        assert_eq!(
            s("http://127.0.0.1:8080/"),
            ("http://127.0.0.1:8080".into(), "".into(), None)
        );
        assert_eq!(
            s("http://api.yunhuni.com/v1/account/c1d2/"),
            (
                "http://api.yunhuni.com".into(),
                "".into(),
                Some("c1d2".into())
            )
        );
        assert_eq!(
            s("http://h/proxy/v1/account/x"),
            ("http://h".into(), "/proxy".into(), Some("x".into()))
        );
        assert_eq!(
            s("http://h/proxy/"),
            ("http://h".into(), "/proxy".into(), None)
        );
        for bad in [
            "",
            "ftp://h",
            "http://",
            "http://h?x=1",
            "api.yunhuni.com",
            "http://h /x",
            "http://h/v1/account/",
            "http://h/v1/account/id/call/duo_callback",
        ] {
            assert_eq!(
                split_base_url(bad).unwrap_err().field(),
                Some("base_url"),
                "{bad}"
            );
        }
    }

    #[test]
    fn client_is_send_sync_and_redacts() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Client>();
        let c = Client::builder("app", "cert", "TOPSECRET").build().unwrap();
        assert!(!format!("{c:?}").contains("TOPSECRET"));
        assert_eq!(c.api_root(), "https://api.yunhuni.com/v1/account/cert/");
        let b = Client::builder("app", "cert", "TOPSECRET");
        assert!(!format!("{b:?}").contains("TOPSECRET"));
    }
}
