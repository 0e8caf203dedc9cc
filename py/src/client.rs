//! `yunhuni.Client`, `yunhuni.CallCreated` and `yunhuni.PlayItem`.

use crate::convert::{
    integer, opt_bool, opt_integer, opt_text, py_to_value, seconds, text, value_to_py,
};
use crate::errors::{invalid, IntoPyResult};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyList, PySequence, PyString, PyTuple};
use yunhuni::{DuoCallback, NotifyCall, PlayItem, VerifyCall};

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

/// `play_content`: a list or tuple of `PlayItem`s or `(content, play_type[, options])` tuples.
fn play_content(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<PlayItem>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let is_text = obj.is_instance_of::<PyString>()
        || obj.is_instance_of::<PyBytes>()
        || obj.is_instance_of::<PyByteArray>();
    if is_text
        || !(obj.is_instance_of::<PyList>()
            || obj.is_instance_of::<PyTuple>()
            || obj.cast::<PySequence>().is_ok())
    {
        let name = obj.get_type().name()?;
        return Err(invalid(
            py,
            "play_content",
            format!("expected a sequence of PlayItem, got {name}"),
        ));
    }
    let mut items = Vec::new();
    for (i, item) in obj.try_iter()?.enumerate() {
        let item = item?;
        let field = format!("play_content[{i}]");
        if let Ok(p) = item.cast::<PyPlayItem>() {
            let p = p.get();
            items.push(PlayItem {
                content: p.content.clone(),
                play_type: p.play_type,
                options: p.options.clone(),
            });
            continue;
        }
        let parts: Vec<Bound<'_, PyAny>> = match item.cast::<PyTuple>() {
            Ok(t) if (2..=3).contains(&t.len()) => t.iter().collect(),
            _ => {
                let name = item.get_type().name()?;
                return Err(invalid(
                    py,
                    &field,
                    format!("expected PlayItem or (content, play_type), got {name}"),
                ));
            }
        };
        items.push(PlayItem {
            content: text(py, &field, &parts[0])?,
            play_type: integer(py, &field, &parts[1])?,
            options: match parts.get(2) {
                Some(o) => text(py, &field, o)?,
                None => String::new(),
            },
        });
    }
    Ok(Some(items))
}

/// A client for the platform's REST API.
///
/// It signs every request, keeps connections alive, holds no per-request state, and may be
/// shared by any number of threads; the GIL is released while a request is on the network.
/// Every method raises a subclass of `YunhuniError` on failure; a request is checked against
/// the platform's rules before it is sent (`ValidationError`, nothing sent) and is never sent
/// twice.
///
/// `timeout` bounds a whole request in seconds, `connect_timeout` the connection;
/// `connect_retries` retries only connections that could not be made. `base_url` defaults to
/// the production API; a URL ending in `/v1/account/{id}/` also sets the account id, which
/// otherwise defaults to `cert_id`.
#[pyclass(frozen, module = "yunhuni", name = "Client")]
pub struct PyClient {
    inner: yunhuni::Client,
}

/// Applies the keyword settings shared by `Client(...)` and `Client.from_env(...)`.
fn configure(
    py: Python<'_>,
    mut builder: yunhuni::ClientBuilder,
    timeout: Option<&Bound<'_, PyAny>>,
    connect_timeout: Option<&Bound<'_, PyAny>>,
    user_agent: Option<&Bound<'_, PyAny>>,
    connect_retries: Option<&Bound<'_, PyAny>>,
) -> PyResult<yunhuni::Client> {
    if let Some(t) = timeout.filter(|t| !t.is_none()) {
        builder = builder.timeout(seconds(py, "timeout", t)?);
    }
    if let Some(t) = connect_timeout.filter(|t| !t.is_none()) {
        builder = builder.connect_timeout(seconds(py, "connect_timeout", t)?);
    }
    if let Some(ua) = opt_text(py, "user_agent", user_agent)? {
        builder = builder.user_agent(ua);
    }
    if let Some(n) = opt_integer(py, "connect_retries", connect_retries)? {
        let n = u32::try_from(n).map_err(|_| {
            invalid(
                py,
                "connect_retries",
                format!("{n} is out of range 0-4294967295"),
            )
        })?;
        builder = builder.connect_retries(n);
    }
    builder.build().or_raise(py)
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(
        signature = (app_id, cert_id, secret_key, *, base_url = None, account_id = None, timeout = None, connect_timeout = None, user_agent = None, connect_retries = None),
        text_signature = "(app_id, cert_id, secret_key, *, base_url=None, account_id=None, timeout=30.0, connect_timeout=5.0, user_agent=None, connect_retries=0)"
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
        let inner = configure(
            py,
            builder,
            timeout,
            connect_timeout,
            user_agent,
            connect_retries,
        )?;
        Ok(PyClient { inner })
    }

    /// A client from the environment: `YUNHUNI_APP_ID`, `YUNHUNI_CERT_ID` and
    /// `YUNHUNI_SECRET_KEY` (required), `YUNHUNI_BASE_URL` and `YUNHUNI_ACCOUNT_ID` (optional).
    /// A missing variable raises `ValidationError` naming it.
    #[staticmethod]
    #[pyo3(
        signature = (*, timeout = None, connect_timeout = None, user_agent = None, connect_retries = None),
        text_signature = "(*, timeout=30.0, connect_timeout=5.0, user_agent=None, connect_retries=0)"
    )]
    fn from_env(
        py: Python<'_>,
        timeout: Option<&Bound<'_, PyAny>>,
        connect_timeout: Option<&Bound<'_, PyAny>>,
        user_agent: Option<&Bound<'_, PyAny>>,
        connect_retries: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let builder = yunhuni::Client::builder_from_env().or_raise(py)?;
        let inner = configure(
            py,
            builder,
            timeout,
            connect_timeout,
            user_agent,
            connect_retries,
        )?;
        Ok(PyClient { inner })
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

    /// Places a voice callback: the platform calls `to1`, then `to2`, and connects them for at
    /// most `max_call_duration` seconds (1-21600). Its end arrives at your webhook as a
    /// `duo_callback.end` event, whose `id` is the returned `call_id`.
    ///
    /// `from1`/`from2` are caller-number hints, `ring_tone` a voice file played to party 1 while
    /// party 2 rings (`ring_tone_mode` 0, 2 or 3), `max_dial_duration` the longest ringing per
    /// leg (1-300 s), `user_data` (at most 128 characters) comes back in the end event.
    #[pyo3(signature = (to1, to2, max_call_duration, *, from1 = None, from2 = None, ring_tone = None, ring_tone_mode = None, max_dial_duration = None, recording = None, record_mode = None, user_data = None))]
    #[allow(clippy::too_many_arguments)]
    fn duo_callback(
        &self,
        py: Python<'_>,
        to1: &Bound<'_, PyAny>,
        to2: &Bound<'_, PyAny>,
        max_call_duration: &Bound<'_, PyAny>,
        from1: Option<&Bound<'_, PyAny>>,
        from2: Option<&Bound<'_, PyAny>>,
        ring_tone: Option<&Bound<'_, PyAny>>,
        ring_tone_mode: Option<&Bound<'_, PyAny>>,
        max_dial_duration: Option<&Bound<'_, PyAny>>,
        recording: Option<&Bound<'_, PyAny>>,
        record_mode: Option<&Bound<'_, PyAny>>,
        user_data: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCallCreated> {
        let request = DuoCallback {
            to1: text(py, "to1", to1)?,
            to2: text(py, "to2", to2)?,
            max_call_duration: integer(py, "max_call_duration", max_call_duration)?,
            from1: opt_text(py, "from1", from1)?,
            from2: opt_text(py, "from2", from2)?,
            ring_tone: opt_text(py, "ring_tone", ring_tone)?,
            ring_tone_mode: opt_integer(py, "ring_tone_mode", ring_tone_mode)?,
            max_dial_duration: opt_integer(py, "max_dial_duration", max_dial_duration)?,
            recording: opt_bool(py, "recording", recording)?,
            record_mode: opt_integer(py, "record_mode", record_mode)?,
            user_data: opt_text(py, "user_data", user_data)?,
        };
        let client = &self.inner;
        py.detach(|| client.duo_callback(&request))
            .or_raise(py)
            .map(Into::into)
    }

    /// Cancels a voice callback while party 2 is not yet connected. The call's end event still
    /// follows. An unknown or finished call raises `ApiError` with code `020000`.
    fn cancel_duo_callback(&self, py: Python<'_>, call_id: &Bound<'_, PyAny>) -> PyResult<()> {
        let call_id = text(py, "call_id", call_id)?;
        let client = &self.inner;
        py.detach(|| client.cancel_duo_callback(&call_id))
            .or_raise(py)
    }

    /// Calls `to` and plays a voice notification: `play_file` (voice file names joined with
    /// `|`) and/or `play_content` (a list of `PlayItem` or `(content, play_type)` tuples).
    /// `repeat` is 0-10 extra repetitions. `from_` is the caller-number hint (`from` is a
    /// Python keyword). Its end arrives as a `notify_call.end` event.
    #[pyo3(signature = (to, *, play_file = None, play_content = None, from_ = None, repeat = None, max_dial_duration = None, user_data = None))]
    #[allow(clippy::too_many_arguments)]
    fn notify_call(
        &self,
        py: Python<'_>,
        to: &Bound<'_, PyAny>,
        play_file: Option<&Bound<'_, PyAny>>,
        play_content: Option<&Bound<'_, PyAny>>,
        from_: Option<&Bound<'_, PyAny>>,
        repeat: Option<&Bound<'_, PyAny>>,
        max_dial_duration: Option<&Bound<'_, PyAny>>,
        user_data: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCallCreated> {
        let request = NotifyCall {
            to: text(py, "to", to)?,
            from: opt_text(py, "from", from_)?,
            play_file: opt_text(py, "play_file", play_file)?,
            play_content: self::play_content(py, play_content)?,
            repeat: opt_integer(py, "repeat", repeat)?,
            max_dial_duration: opt_integer(py, "max_dial_duration", max_dial_duration)?,
            user_data: opt_text(py, "user_data", user_data)?,
        };
        let client = &self.inner;
        py.detach(|| client.notify_call(&request))
            .or_raise(py)
            .map(Into::into)
    }

    /// Calls `to` and reads out `verify_code` (1-12 digits), after the optional prompt
    /// `play_file`. `repeat` is 0-10 extra repetitions. `from_` is the caller-number hint. Its
    /// end arrives as a `notify_call.end` event (as a `verify_call.end` event when the call
    /// could not start). The returned `user_data` is always `None`.
    #[pyo3(signature = (to, verify_code = None, *, play_file = None, from_ = None, repeat = None, max_dial_duration = None, user_data = None))]
    #[allow(clippy::too_many_arguments)]
    fn verify_call(
        &self,
        py: Python<'_>,
        to: &Bound<'_, PyAny>,
        verify_code: Option<&Bound<'_, PyAny>>,
        play_file: Option<&Bound<'_, PyAny>>,
        from_: Option<&Bound<'_, PyAny>>,
        repeat: Option<&Bound<'_, PyAny>>,
        max_dial_duration: Option<&Bound<'_, PyAny>>,
        user_data: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PyCallCreated> {
        let request = VerifyCall {
            to: text(py, "to", to)?,
            from: opt_text(py, "from", from_)?,
            verify_code: opt_text(py, "verify_code", verify_code)?,
            play_file: opt_text(py, "play_file", play_file)?,
            repeat: opt_integer(py, "repeat", repeat)?,
            max_dial_duration: opt_integer(py, "max_dial_duration", max_dial_duration)?,
            user_data: opt_text(py, "user_data", user_data)?,
        };
        let client = &self.inner;
        py.detach(|| client.verify_call(&request))
            .or_raise(py)
            .map(Into::into)
    }

    /// Sends a signed POST of `body` (plain JSON data: dict, list, str, int, float, bool,
    /// None) to `operation`, a path relative to `api_root` such as `"call/duo_callback"`, and
    /// returns the response's `data` once its `code` is `000000`. For operations this SDK has
    /// no method for; nothing is validated before sending.
    fn post<'py>(
        &self,
        py: Python<'py>,
        operation: &Bound<'py, PyAny>,
        body: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let operation = text(py, "operation", operation)?;
        let body = py_to_value(py, "body", body, 0)?;
        let client = &self.inner;
        let data = py.detach(|| client.post(&operation, &body)).or_raise(py)?;
        value_to_py(py, &data)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Client(app_id={}, cert_id={}, api_root={})",
            repr_str(py, Some(self.inner.app_id())),
            repr_str(py, Some(self.inner.cert_id())),
            repr_str(py, Some(self.inner.api_root()))
        )
    }
}
