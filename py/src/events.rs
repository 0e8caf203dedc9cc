//! `yunhuni.parse_event`, the class of the events kept whole (`Event`), and what the generated
//! typed event classes (`events_gen.rs`) use: how a time converts, the derived values, `repr`.

use crate::client::repr_str;
use crate::convert::{body_bytes, map_to_py, value_to_py};
use crate::errors::IntoPyResult;
use crate::events_gen;
use crate::logging;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use pyo3::IntoPyObjectExt;
use yunhuni::{Event, OtherEvent};

/// `datetime.timedelta`.
static TIMEDELTA: PyOnceLock<Py<PyType>> = PyOnceLock::new();
/// The Unix epoch as aware datetimes: in UTC+8 (1970-01-01 08:00, the platform's zone), and in
/// UTC.
static EPOCHS: PyOnceLock<(Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();

/// Epoch milliseconds as an aware `datetime` in UTC+8 (China Standard Time, the platform's
/// zone). Exact: no float rounding.
///
/// Every time of a parsed event is within `yunhuni::events::TIME_RANGE_MS` (1970 to the end of
/// 9999, UTC). The last eight hours of that range are in the year 10000 in UTC+8, which a
/// `datetime` cannot hold: those few are given in UTC (the same instant, also aware), so that
/// no property of a parsed event ever raises.
pub(crate) fn datetime_from_ms<'py>(
    py: Python<'py>,
    ms: Option<i64>,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(ms) = ms else { return Ok(None) };
    let timedelta = TIMEDELTA.import(py, "datetime", "timedelta")?;
    let (utc8, utc) = EPOCHS.get_or_try_init(py, || -> PyResult<(Py<PyAny>, Py<PyAny>)> {
        let datetime = py.import("datetime")?;
        let timezone = datetime.getattr("timezone")?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("hours", 8)?;
        let tz8 = timezone.call1((timedelta.call((), Some(&kwargs))?,))?;
        let epoch = |hour: i32, tz: Bound<'py, PyAny>| -> PyResult<Py<PyAny>> {
            let kwargs = PyDict::new(py);
            kwargs.set_item("tzinfo", tz)?;
            Ok(datetime
                .getattr("datetime")?
                .call((1970, 1, 1, hour), Some(&kwargs))?
                .unbind())
        };
        Ok((epoch(8, tz8)?, epoch(0, timezone.getattr("utc")?)?))
    })?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("milliseconds", ms)?;
    let delta = timedelta.call((), Some(&kwargs))?;
    match utc8.bind(py).add(&delta) {
        Ok(at) => Ok(Some(at)),
        Err(_) => utc.bind(py).add(&delta).map(Some),
    }
}

pub(crate) fn to_dict<'py>(py: Python<'py>, event: Event) -> PyResult<Bound<'py, PyAny>> {
    value_to_py(py, &event.to_value())
}

/// The values Python derives from the typed events, from core's methods (the generated classes'
/// getters of the same names; `codegen/src/python/events.rs` lists them with their stubs).
pub(crate) mod derived {
    use yunhuni::{DuoCallbackEnd, NotifyCallEnd};

    pub(crate) fn outcome(e: &DuoCallbackEnd) -> &'static str {
        e.outcome().as_str()
    }

    pub(crate) fn outcome_text(e: &DuoCallbackEnd) -> &'static str {
        e.outcome().describe()
    }

    pub(crate) fn talk_seconds(e: &DuoCallbackEnd) -> i64 {
        e.talk_seconds()
    }

    pub(crate) fn ended_by(e: &NotifyCallEnd) -> Option<&'static str> {
        e.ended_by().map(|e| e.as_str())
    }
}

/// A value as Python's `repr()` shows it (one conversion for every type a `__repr__` shows).
pub(crate) fn repr_of<'py>(py: Python<'py>, value: impl IntoPyObject<'py>) -> PyResult<String> {
    Ok(value.into_bound_py_any(py)?.repr()?.to_string())
}

/// Any other event, documented or not (`ivr.call_end`, `conf.end`, ...), kept whole: `event`
/// is its name and `fields` every key of its body.
#[pyclass(frozen, eq, module = "yunhuni", name = "Event")]
#[derive(PartialEq)]
pub struct PyEvent(pub(crate) OtherEvent);

#[pymethods]
impl PyEvent {
    /// The event name, for example `'ivr.call_end'`.
    #[getter]
    fn event(&self) -> &str {
        &self.0.name
    }

    /// The `id` field when it is a string (the call or resource id), else `None`.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.0.fields.get("id").and_then(|v| v.as_str())
    }

    /// Every field of the body, unchanged, as a new dict.
    #[getter]
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        map_to_py(py, &self.0.fields)
    }

    /// The value of one field of the body, or `default` when it is absent.
    #[pyo3(signature = (key, default = None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: String,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match self.0.fields.get(&key) {
            Some(v) => value_to_py(py, v),
            None => Ok(default.unwrap_or_else(|| py.None().into_bound(py))),
        }
    }

    /// The body as text (decoded as UTF-8, or as ISO-8859-1 when it is not UTF-8).
    #[getter]
    fn raw(&self) -> &str {
        &self.0.raw
    }

    /// The canonical view shared by every language of the SDK:
    /// `{'type': 'event', 'event': name, 'fields': {...}}`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_dict(py, Event::Other(self.0.clone()))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Event(event={}, id={})",
            repr_str(py, Some(&self.0.name)),
            repr_str(py, self.id())
        )
    }
}

/// Parses a webhook body as the platform POSTs it (`bytes`, or `str`).
///
/// Returns a `DuoCallbackEnd`, `NotifyCallEnd` or `VerifyCallEnd`, or an `Event` for any other
/// event name. Accepts what the real server sends (ISO-8859-1 bytes, numbers as strings,
/// absent keys) as well as what the docs show. A body that is not a JSON object with a string
/// `event`, or whose fields have impossible types or times outside 1970-9999, raises
/// `DecodeError` naming the key. Each parsed event is a DEBUG record of the `yunhuni` logger.
#[pyfunction]
pub fn parse_event(py: Python<'_>, body: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let bytes = body_bytes(body, "body")?;
    let bytes: &[u8] = &bytes;
    let event = py.detach(|| Event::parse(bytes)).or_raise(py)?;
    if let Some(logger) = logging::debug_logger(py) {
        logging::event(&logger, &event);
    }
    match events_gen::typed_to_py(py, event)? {
        Ok(typed) => Ok(typed),
        Err(other) => Ok(Py::new(py, PyEvent(other))?.into_any()),
    }
}
