//! The native client (`yunhuni._native.Client`, which `yunhuni.Client` wraps),
//! `yunhuni.CallCreated` and `yunhuni.PlayItem`.

use crate::convert::{
    field_value, integer, opt_integer, opt_text, py_to_value, seconds, text, type_name, value_to_py,
};
use crate::errors::{invalid, IntoPyResult};
use crate::logging;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString};
use serde_json::Value;
use std::sync::Arc;
use yunhuni::ops::{Casing, Data};
use yunhuni::{CallOptions, PlayItem};

/// Python's `repr` of an optional string: `'text'` or `None`.
pub(crate) fn repr_str(py: Python<'_>, value: Option<&str>) -> String {
    match value {
        None => "None".to_owned(),
        Some(s) => PyString::new(py, s)
            .repr()
            .map(|r| r.to_string())
            .unwrap_or_else(|_| format!("{s:?}")),
    }
}

/// A call the platform accepted: its `call_id` and the `user_data` echoed back.
#[pyclass(frozen, eq, hash, module = "yunhuni", name = "CallCreated")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyCallCreated {
    call_id: String,
    user_data: Option<String>,
}

#[pymethods]
impl PyCallCreated {
    /// The platform's id for the call (32 lowercase hex characters). End events carry it as
    /// `id`; `cancel_duo_callback` takes it.
    #[getter]
    fn call_id(&self) -> &str {
        &self.call_id
    }

    /// The `user_data` echoed back by the platform (`None` when not given, and always for
    /// `verify_call`).
    #[getter]
    fn user_data(&self) -> Option<&str> {
        self.user_data.as_deref()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "CallCreated(call_id={}, user_data={})",
            repr_str(py, Some(&self.call_id)),
            repr_str(py, self.user_data.as_deref())
        )
    }
}

impl PyPlayItem {
    /// The `[content, play_type, options]` row that a `play_content` field holds.
    pub(crate) fn to_value(&self) -> Value {
        Value::Array(vec![
            self.content.clone().into(),
            self.play_type.into(),
            self.options.clone().into(),
        ])
    }
}

impl From<yunhuni::CallCreated> for PyCallCreated {
    fn from(c: yunhuni::CallCreated) -> Self {
        PyCallCreated {
            call_id: c.call_id,
            user_data: c.user_data,
        }
    }
}

/// One item of a voice notification's `play_content`: what to play and how to read it.
///
/// `play_type` is one of the class constants: `FILE` (an uploaded voice file), `DIGITS` (read
/// digit by digit), `NUMBER` (read as a quantity), `AMOUNT` (an amount of money), `DATE_TIME`
/// (`2020-05-09 14:30` and shorter forms) or `DURATION` (`HH:MM:SS` or `HH:MM`). A plain tuple
/// `(content, play_type)` is accepted wherever a `PlayItem` is.
#[pyclass(frozen, eq, hash, module = "yunhuni", name = "PlayItem")]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyPlayItem {
    content: String,
    play_type: i64,
    options: String,
}

#[pymethods]
impl PyPlayItem {
    /// Play type: an uploaded voice file.
    #[classattr]
    const FILE: i64 = PlayItem::FILE;
    /// Play type: a decimal integer read digit by digit.
    #[classattr]
    const DIGITS: i64 = PlayItem::DIGITS;
    /// Play type: a decimal number read as a quantity.
    #[classattr]
    const NUMBER: i64 = PlayItem::NUMBER;
    /// Play type: an amount of money.
    #[classattr]
    const AMOUNT: i64 = PlayItem::AMOUNT;
    /// Play type: a date and/or time such as `2020-05-09` or `2020-05-09 14:30`.
    #[classattr]
    const DATE_TIME: i64 = PlayItem::DATE_TIME;
    /// Play type: a duration `HH:MM:SS` or `HH:MM`.
    #[classattr]
    const DURATION: i64 = PlayItem::DURATION;

    #[new]
    #[pyo3(signature = (content, play_type, options = None), text_signature = "(content, play_type, options='')")]
    fn new(
        py: Python<'_>,
        content: &Bound<'_, PyAny>,
        play_type: &Bound<'_, PyAny>,
        options: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Ok(PyPlayItem {
            content: text(py, "content", content)?,
            play_type: integer(py, "play_type", play_type)?,
            options: opt_text(py, "options", options)?.unwrap_or_default(),
        })
    }

    /// What to play: a file name, digits, a number, an amount, a date/time or a duration.
    #[getter]
    fn content(&self) -> &str {
        &self.content
    }

    /// How to read `content`: one of the class constants (0-5).
    #[getter]
    fn play_type(&self) -> i64 {
        self.play_type
    }

    /// Play options; unused by the platform, sent as `''`.
    #[getter]
    fn options(&self) -> &str {
        &self.options
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "PlayItem(content={}, play_type={}, options={})",
            repr_str(py, Some(&self.content)),
            self.play_type,
            repr_str(py, Some(&self.options))
        )
    }
}

/// The native client that `yunhuni.Client` wraps (adding a typed method per operation).
///
/// It signs every request, keeps connections alive, holds no per-request state, and may be
/// shared by any number of threads; the GIL is released while a request is on the network.
/// Every method raises a subclass of `YunhuniError` on failure; a request is checked against
/// the platform's rules before it is sent (`ValidationError`, nothing sent) and is never sent
/// twice.
///
/// `timeout` bounds a whole request in seconds, `connect_timeout` the connection;
/// `connect_retries` retries only connections that could not be made; `max_idle_connections`
/// (default 64) is how many idle connections are kept for reuse. `base_url` defaults to
/// the production API; a URL ending in `/v1/account/{id}/` also sets the account id, which
/// otherwise defaults to `cert_id`. `proxy` is a proxy URL, `False` for none, or `None` for
/// the one the environment names (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`).
/// `with_options(timeout=...)` is a view of the same client whose calls have their own
/// settings.
#[pyclass(frozen, module = "yunhuni._native", name = "Client")]
pub struct PyClient {
    /// Shared by the views that `with_options` makes.
    inner: Arc<yunhuni::Client>,
    /// This view's settings for each call.
    options: CallOptions,
}

/// The keyword settings shared by `Client(...)` and `Client.from_env(...)`.
struct Settings<'a, 'py> {
    timeout: Option<&'a Bound<'py, PyAny>>,
    connect_timeout: Option<&'a Bound<'py, PyAny>>,
    user_agent: Option<&'a Bound<'py, PyAny>>,
    connect_retries: Option<&'a Bound<'py, PyAny>>,
    proxy: Option<&'a Bound<'py, PyAny>>,
    max_idle_connections: Option<&'a Bound<'py, PyAny>>,
}

impl Settings<'_, '_> {
    /// Applies the settings to `builder` and makes the client.
    fn build(self, py: Python<'_>, mut builder: yunhuni::ClientBuilder) -> PyResult<PyClient> {
        if let Some(t) = self.timeout.filter(|t| !t.is_none()) {
            builder = builder.timeout(seconds(py, "timeout", t)?);
        }
        if let Some(t) = self.connect_timeout.filter(|t| !t.is_none()) {
            builder = builder.connect_timeout(seconds(py, "connect_timeout", t)?);
        }
        if let Some(ua) = opt_text(py, "user_agent", self.user_agent)? {
            builder = builder.user_agent(ua);
        }
        if let Some(n) = opt_integer(py, "connect_retries", self.connect_retries)? {
            let n = u32::try_from(n).map_err(|_| {
                invalid(
                    py,
                    "connect_retries",
                    format!("{n} is out of range 0-4294967295"),
                )
            })?;
            builder = builder.connect_retries(n);
        }
        if let Some(n) = opt_integer(py, "max_idle_connections", self.max_idle_connections)? {
            // What cannot be a count is refused here; core refuses a count it does not take.
            let n = usize::try_from(n).map_err(|_| {
                invalid(
                    py,
                    "max_idle_connections",
                    format!("{n} is not a number of connections (0 or more)"),
                )
            })?;
            builder = builder.max_idle_connections(n);
        }
        match self.proxy.filter(|p| !p.is_none()) {
            None => {}
            Some(p) if p.is(PyBool::new(py, false).as_any()) => builder = builder.no_proxy(),
            Some(p) if p.is_instance_of::<PyString>() => {
                builder = builder.proxy(text(py, "proxy", p)?);
            }
            Some(p) => {
                return Err(invalid(
                    py,
                    "proxy",
                    format!(
                        "expected a proxy URL (str), False or None, got {}",
                        type_name(p)
                    ),
                ))
            }
        }
        let inner = builder.on_request(logging::observe).build().or_raise(py)?;
        Ok(PyClient {
            inner: Arc::new(inner),
            options: CallOptions::default(),
        })
    }
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(
        signature = (app_id, cert_id, secret_key, *, base_url = None, account_id = None, timeout = None, connect_timeout = None, user_agent = None, connect_retries = None, proxy = None, max_idle_connections = None),
        text_signature = "(app_id, cert_id, secret_key, *, base_url=None, account_id=None, timeout=30.0, connect_timeout=5.0, user_agent=None, connect_retries=0, proxy=None, max_idle_connections=64)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        app_id: &Bound<'_, PyAny>,
        cert_id: &Bound<'_, PyAny>,
        secret_key: &Bound<'_, PyAny>,
        base_url: Option<&Bound<'_, PyAny>>,
        account_id: Option<&Bound<'_, PyAny>>,
        timeout: Option<&Bound<'_, PyAny>>,
        connect_timeout: Option<&Bound<'_, PyAny>>,
        user_agent: Option<&Bound<'_, PyAny>>,
        connect_retries: Option<&Bound<'_, PyAny>>,
        proxy: Option<&Bound<'_, PyAny>>,
        max_idle_connections: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut builder = yunhuni::Client::builder(
            text(py, "app_id", app_id)?,
            text(py, "cert_id", cert_id)?,
            text(py, "secret_key", secret_key)?,
        );
        if let Some(url) = opt_text(py, "base_url", base_url)? {
            builder = builder.base_url(url);
        }
        if let Some(id) = opt_text(py, "account_id", account_id)? {
            builder = builder.account_id(id);
        }
        Settings {
            timeout,
            connect_timeout,
            user_agent,
            connect_retries,
            proxy,
            max_idle_connections,
        }
        .build(py, builder)
    }

    /// A client from the environment: `YUNHUNI_APP_ID`, `YUNHUNI_CERT_ID` and
    /// `YUNHUNI_SECRET_KEY` (required), `YUNHUNI_BASE_URL` and `YUNHUNI_ACCOUNT_ID` (optional).
    /// A missing variable raises `ValidationError` naming it.
    #[staticmethod]
    #[pyo3(
        signature = (*, timeout = None, connect_timeout = None, user_agent = None, connect_retries = None, proxy = None, max_idle_connections = None),
        text_signature = "(*, timeout=30.0, connect_timeout=5.0, user_agent=None, connect_retries=0, proxy=None, max_idle_connections=64)"
    )]
    fn from_env(
        py: Python<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
        connect_timeout: Option<&Bound<'_, PyAny>>,
        user_agent: Option<&Bound<'_, PyAny>>,
        connect_retries: Option<&Bound<'_, PyAny>>,
        proxy: Option<&Bound<'_, PyAny>>,
        max_idle_connections: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let builder = yunhuni::Client::builder_from_env().or_raise(py)?;
        Settings {
            timeout,
            connect_timeout,
            user_agent,
            connect_retries,
            proxy,
            max_idle_connections,
        }
        .build(py, builder)
    }

    /// A view of this client (the same connections and settings) whose calls have their own
    /// `timeout` in seconds, the whole call included (`None`: the client's own). A timeout
    /// core refuses (0, more than 24 hours) raises `ValidationError` naming `timeout` when a
    /// call is made, before anything is sent.
    #[pyo3(signature = (*, timeout = None))]
    fn with_options(&self, py: Python<'_>, timeout: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let timeout = match timeout.filter(|t| !t.is_none()) {
            Some(t) => Some(seconds(py, "timeout", t)?),
            None => None,
        };
        Ok(PyClient {
            inner: Arc::clone(&self.inner),
            options: CallOptions { timeout },
        })
    }

    /// The `AppID` this client sends.
    #[getter]
    fn app_id(&self) -> &str {
        self.inner.app_id()
    }

    /// The `CertID` this client sends.
    #[getter]
    fn cert_id(&self) -> &str {
        self.inner.cert_id()
    }

    /// The account id in the request paths.
    #[getter]
    fn account_id(&self) -> &str {
        self.inner.account_id()
    }

    /// The URL that operations are relative to, ending in `/v1/account/{id}/`.
    #[getter]
    fn api_root(&self) -> &str {
        self.inner.api_root()
    }

    /// Sends the operation called `name` (its name in the platform's route list, such as
    /// `"conf_create"`, or an alias such as `"cancel_duo_callback"`) with `fields` named the
    /// Python way (`from_` for `from`; `None` is "not given"), and returns what it answers: a
    /// `CallCreated` for the operations that place a call, otherwise the response's `data` as
    /// plain Python values with the server's keys. Unknown fields, wrong types, missing
    /// required fields and broken rules raise `ValidationError` naming the field before
    /// anything is sent.
    #[pyo3(signature = (name, /, **fields))]
    fn request<'py>(
        &self,
        py: Python<'py>,
        name: &Bound<'py, PyAny>,
        fields: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let name = text(py, "operation", name)?;
        let mut values = Vec::with_capacity(fields.map_or(0, |f| f.len()));
        for (key, value) in fields.into_iter().flat_map(|f| f.iter()) {
            let key = text(py, "fields", &key)?;
            let value = field_value(py, &key, &value)?;
            values.push((key, value));
        }
        let (client, options) = (&*self.inner, &self.options);
        let logger = logging::debug_logger(py);
        let (result, log) = logging::capturing(logger.is_some(), || {
            py.detach(|| client.call_with(&name, values, Casing::Python, options))
        });
        if let (Some(logger), Some(log)) = (&logger, &log) {
            logging::request(logger, log);
        }
        let data = result.or_raise(py)?;
        if yunhuni::ops::operation(&name).is_some_and(|op| op.data == Data::Call) {
            let created = yunhuni::CallCreated::from_data(data).or_raise(py)?;
            return Ok(Bound::new(py, PyCallCreated::from(created))?.into_any());
        }
        value_to_py(py, &data)
    }

    /// Sends a signed POST of `body` (plain JSON data: dict, list, str, int, float, bool,
    /// None) to `operation`, a path relative to `api_root` such as `"call/duo_callback"`, and
    /// returns the response's `data` once its `code` is `000000`. For operations this SDK has
    /// no method for; nothing is validated before sending. It always has the client's own
    /// timeout: on a view with its own, it raises `ValidationError` naming `timeout`.
    fn post<'py>(
        &self,
        py: Python<'py>,
        operation: &Bound<'py, PyAny>,
        body: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if self.options.timeout.is_some() {
            return Err(invalid(
                py,
                "timeout",
                "post() has no timeout of its own: call it on the client, not on a view of \
                 with_options()",
            ));
        }
        let operation = text(py, "operation", operation)?;
        let body = py_to_value(py, "body", body, 0)?;
        let client = &*self.inner;
        let logger = logging::debug_logger(py);
        let (result, log) = logging::capturing(logger.is_some(), || {
            py.detach(|| client.post(&operation, &body))
        });
        if let (Some(logger), Some(log)) = (&logger, &log) {
            logging::request(logger, log);
        }
        value_to_py(py, &result.or_raise(py)?)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let timeout = match self.options.timeout {
            Some(t) => format!(
                ", timeout={}",
                pyo3::types::PyFloat::new(py, t.as_secs_f64())
                    .repr()
                    .map(|r| r.to_string())
                    .unwrap_or_default()
            ),
            None => String::new(),
        };
        format!(
            "Client(app_id={}, cert_id={}, api_root={}{timeout})",
            repr_str(py, Some(self.inner.app_id())),
            repr_str(py, Some(self.inner.cert_id())),
            repr_str(py, Some(self.inner.api_root()))
        )
    }
}
