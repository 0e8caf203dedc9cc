//! `yunhuni._native._Sandbox`: the platform simulator (crate `yunhuni-sandbox`), in-process.
//! `yunhuni/testing.py` wraps it in the public `yunhuni.testing.Sandbox`.
//!
//! Every call that may wait (start, stop, waiting for an event) releases the GIL: the
//! sandbox's webhook workers may be posting to a receiver written in Python in this very
//! process.

use crate::convert::{text, value_to_py};
use pyo3::exceptions::{PyKeyError, PyOSError, PyPermissionError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use std::time::Duration;
use yunhuni_sandbox::{Behavior, Delivery, MobileOutcome, Sandbox, TemplateAudit, WebhookAttempt};

/// The running simulator. Use `yunhuni.testing.Sandbox`.
#[pyclass(frozen, module = "yunhuni._native", name = "_Sandbox")]
pub struct PySandbox {
    inner: Sandbox,
}

/// A setting of the sandbox in seconds: finite, non-negative and at most a day (longer ones
/// would overflow the clock arithmetic of the sandbox's threads).
fn duration(field: &str, secs: f64) -> PyResult<Duration> {
    match Duration::try_from_secs_f64(secs) {
        Ok(d) if d <= yunhuni::MAX_TIMEOUT => Ok(d),
        _ => Err(PyValueError::new_err(format!(
            "{field} must be a number of seconds from 0 to {} (a day), not {secs:?}",
            yunhuni::MAX_TIMEOUT.as_secs()
        ))),
    }
}

fn attempt_dict<'py>(py: Python<'py>, a: &WebhookAttempt) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("call_id", &a.call_id)?;
    d.set_item("event", &a.event)?;
    d.set_item("url", &a.url)?;
    d.set_item("attempt", a.attempt)?;
    d.set_item("status", a.status)?;
    d.set_item("error", a.error.as_deref())?;
    d.set_item("sim_time_ms", a.sim_time_ms)?;
    d.set_item("body", PyBytes::new(py, &a.body))?;
    d.set_item("utf8", a.utf8)?;
    Ok(d)
}

fn delivery_dict<'py>(py: Python<'py>, d: &Delivery) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("call_id", &d.call_id)?;
    out.set_item("event", &d.event)?;
    out.set_item("url", d.url.as_deref())?;
    out.set_item("body", PyBytes::new(py, &d.body))?;
    out.set_item("utf8", d.utf8)?;
    out.set_item("delivered", d.delivered)?;
    let attempts = PyList::empty(py);
    for a in &d.attempts {
        attempts.append(attempt_dict(py, a)?)?;
    }
    out.set_item("attempts", attempts)?;
    Ok(out)
}

/// App settings from their JSON form.
fn settings_from(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
) -> PyResult<yunhuni_sandbox::AppSettings> {
    let value = crate::convert::py_to_value(py, "app_settings", value, 0)?;
    serde_json::from_value(value)
        .map_err(|e| PyValueError::new_err(format!("not sandbox app settings: {e}")))
}

fn json<'py, T: serde::Serialize>(py: Python<'py>, value: &T) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(value).map_err(|e| PyValueError::new_err(e.to_string()))?;
    value_to_py(py, &value)
}

#[pymethods]
impl PySandbox {
    #[new]
    #[pyo3(signature = (*, listen, callback_url, time_scale, api_delay, utf8_webhooks, webhook_timeout, log, app_settings, confirm_delay, expiry_minutes, ivr_url = None, ivr_timeout = 5.0))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        listen: String,
        callback_url: Option<String>,
        time_scale: f64,
        api_delay: f64,
        utf8_webhooks: bool,
        webhook_timeout: f64,
        log: bool,
        app_settings: Option<&Bound<'_, PyAny>>,
        confirm_delay: f64,
        expiry_minutes: i64,
        ivr_url: Option<String>,
        ivr_timeout: f64,
    ) -> PyResult<Self> {
        let expiry_minutes = u64::try_from(expiry_minutes).map_err(|_| {
            PyValueError::new_err(format!(
                "expiry_minutes: {expiry_minutes} is not a number of minutes (0 or more)"
            ))
        })?;
        let mut builder = Sandbox::builder()
            .listen(listen)
            .time_scale(time_scale)
            .api_delay(duration("api_delay", api_delay)?)
            .utf8_webhooks(utf8_webhooks)
            .webhook_timeout(duration("webhook_timeout", webhook_timeout)?)
            .confirm_delay(duration("confirm_delay", confirm_delay)?)
            .expiry_minutes(expiry_minutes)
            .ivr_timeout(duration("ivr_timeout", ivr_timeout)?)
            .log(log);
        if let Some(url) = ivr_url {
            builder = builder.ivr_url(url);
        }
        if let Some(settings) = app_settings.filter(|s| !s.is_none()) {
            builder = builder.default_app_settings(settings_from(py, settings)?);
        }
        if let Some(url) = callback_url {
            builder = builder.callback_url(url);
        }
        let inner = py.detach(|| builder.start()).map_err(|e| match e.kind() {
            std::io::ErrorKind::InvalidInput => PyValueError::new_err(e.to_string()),
            _ => PyOSError::new_err(format!("the sandbox could not start: {e}")),
        })?;
        Ok(PySandbox { inner })
    }

    #[getter]
    fn base_url(&self) -> &str {
        self.inner.base_url()
    }

    #[getter]
    fn app_id(&self) -> &str {
        self.inner.app_id()
    }

    #[getter]
    fn cert_id(&self) -> &str {
        self.inner.cert_id()
    }

    #[getter]
    fn secret_key(&self) -> &str {
        self.inner.secret_key()
    }

    #[getter]
    fn account_id(&self) -> &str {
        self.inner.account_id()
    }

    #[getter]
    fn sub_account(&self) -> (String, String, String) {
        let (id, cert, secret) = self.inner.sub_account();
        (id.to_owned(), cert.to_owned(), secret.to_owned())
    }

    #[getter]
    fn sim_now_ms(&self) -> i64 {
        self.inner.sim_now_ms()
    }

    /// `behavior` is the sandbox's JSON form, e.g. `{"answer": "busy"}`.
    fn set_behavior(
        &self,
        py: Python<'_>,
        number: &Bound<'_, PyAny>,
        behavior: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let number = text(py, "number", number)?;
        let value = crate::convert::py_to_value(py, "behavior", behavior, 0)?;
        let behavior: Behavior = serde_json::from_value(value)
            .map_err(|e| PyValueError::new_err(format!("not a sandbox behaviour: {e}")))?;
        self.inner.set_behavior(&number, behavior);
        Ok(())
    }

    /// `settings` is the sandbox's JSON form, e.g. `{"online": false, "test_numbers": [...]}`.
    fn set_app_settings(
        &self,
        py: Python<'_>,
        app_id: String,
        settings: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let settings = settings_from(py, settings)?;
        self.inner
            .set_app_settings(&app_id, settings)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    fn app_settings<'py>(&self, py: Python<'py>, app_id: String) -> PyResult<Bound<'py, PyAny>> {
        match self.inner.app_settings(&app_id) {
            Some(settings) => json(py, &settings),
            None => Err(PyValueError::new_err(format!(
                "no app {app_id:?} in this sandbox"
            ))),
        }
    }

    fn clear_behavior(&self, number: String) {
        self.inner.clear_behavior(&number);
    }

    fn behavior<'py>(&self, py: Python<'py>, number: String) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.behavior(&number))
    }

    #[getter]
    fn get_callback_url(&self) -> Option<String> {
        self.inner.callback_url()
    }

    fn set_callback_url(&self, url: Option<String>) {
        self.inner.set_callback_url(url.as_deref());
    }

    #[getter]
    fn get_ivr_url(&self) -> Option<String> {
        self.inner.ivr_url()
    }

    fn set_ivr_url(&self, url: Option<String>) {
        self.inner.set_ivr_url(url.as_deref());
    }

    /// A caller dials `to`; returns the new call id. `ValueError` for a blank number,
    /// `PermissionError` when the platform would ignore the call.
    fn inbound_call(
        &self,
        py: Python<'_>,
        from_: &Bound<'_, PyAny>,
        to: &Bound<'_, PyAny>,
    ) -> PyResult<String> {
        let from = text(py, "from_", from_)?;
        let to = text(py, "to", to)?;
        self.inner
            .inbound_call(&from, &to)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(e.to_string()),
                _ => PyValueError::new_err(e.to_string()),
            })
    }

    /// Audits a pending template now; `KeyError` for an unknown one, `ValueError` for one that
    /// is not pending.
    #[pyo3(signature = (temp_id, approve, reason = None))]
    fn audit_template(
        &self,
        py: Python<'_>,
        temp_id: &Bound<'_, PyAny>,
        approve: bool,
        reason: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let temp_id = text(py, "temp_id", temp_id)?;
        let reason = reason.map(|r| text(py, "reason", r)).transpose()?;
        self.inner
            .audit_template(&temp_id, approve, reason.as_deref())
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => PyKeyError::new_err(e.to_string()),
                _ => PyValueError::new_err(e.to_string()),
            })
    }

    /// `rule` is the sandbox's JSON form, e.g. `{"rule": "approve", "after_ms": 10000}`.
    fn set_template_audit(&self, py: Python<'_>, rule: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = crate::convert::py_to_value(py, "rule", rule, 0)?;
        let rule: TemplateAudit = serde_json::from_value(value)
            .map_err(|e| PyValueError::new_err(format!("not a template audit rule: {e}")))?;
        self.inner.set_template_audit(rule);
        Ok(())
    }

    fn template_audit<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.template_audit())
    }

    /// `outcome` is `"delivered"`, `"undelivered"`, `"refused"`, `"no_supplier"`,
    /// `"supplier_down"`, or `None` (back to delivered).
    fn set_mobile_outcome(
        &self,
        py: Python<'_>,
        mobile: &Bound<'_, PyAny>,
        outcome: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let mobile = text(py, "mobile", mobile)?;
        let outcome = match outcome {
            None => None,
            Some(o) => {
                let value = crate::convert::py_to_value(py, "outcome", o, 0)?;
                Some(
                    serde_json::from_value::<MobileOutcome>(value)
                        .map_err(|e| PyValueError::new_err(format!("not a mobile outcome: {e}")))?,
                )
            }
        };
        self.inner.set_mobile_outcome(&mobile, outcome);
        Ok(())
    }

    fn template<'py>(
        &self,
        py: Python<'py>,
        temp_id: String,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .template(&temp_id)
            .map(|t| json(py, &t))
            .transpose()
    }

    fn msg_request<'py>(
        &self,
        py: Python<'py>,
        msg_key: String,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .msg_request(&msg_key)
            .map(|r| json(py, &r))
            .transpose()
    }

    fn ivr_requests<'py>(
        &self,
        py: Python<'py>,
        call_id: String,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .ivr_requests(&call_id)
            .map(|r| json(py, &r))
            .transpose()
    }

    fn recordings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.recordings())
    }

    fn calls<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        json(py, &self.inner.calls())
    }

    fn call<'py>(&self, py: Python<'py>, call_id: String) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner.call(&call_id).map(|c| json(py, &c)).transpose()
    }

    #[pyo3(signature = (call_id = None))]
    fn webhooks<'py>(
        &self,
        py: Python<'py>,
        call_id: Option<String>,
    ) -> PyResult<Bound<'py, PyList>> {
        let attempts = match call_id {
            Some(id) => self.inner.webhooks_for(&id),
            None => self.inner.webhooks(),
        };
        let list = PyList::empty(py);
        for a in &attempts {
            list.append(attempt_dict(py, a)?)?;
        }
        Ok(list)
    }

    fn wait_for_end<'py>(
        &self,
        py: Python<'py>,
        call_id: String,
        timeout: f64,
    ) -> PyResult<Option<Bound<'py, PyDict>>> {
        // Any wait from 0 to forever (inf, or a time too long to matter).
        let timeout = match Duration::try_from_secs_f64(timeout) {
            Ok(d) => d,
            Err(_) if timeout > 0.0 => Duration::MAX,
            Err(_) => {
                return Err(PyValueError::new_err(format!(
                    "timeout must be a non-negative number of seconds, not {timeout:?}"
                )))
            }
        };
        let inner = &self.inner;
        let delivery = py.detach(|| inner.wait_for_end(&call_id, timeout));
        delivery.map(|d| delivery_dict(py, &d)).transpose()
    }

    fn close(&self, py: Python<'_>) {
        let inner = &self.inner;
        py.detach(|| inner.shutdown());
    }
}

impl Drop for PySandbox {
    fn drop(&mut self) {
        // Stop with the GIL released: a webhook worker may be posting to a Python receiver.
        let inner = &self.inner;
        Python::attach(|py| py.detach(|| inner.shutdown()));
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySandbox>()
}
