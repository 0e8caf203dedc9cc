//! `yunhuni.parse_event` and the event classes.

use crate::client::repr_str;
use crate::convert::{body_bytes, map_to_py, value_to_py};
use crate::errors::IntoPyResult;
use crate::logging;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use yunhuni::{DuoCallbackEnd, Event, NotifyCallEnd, OtherEvent};

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
fn datetime_from_ms<'py>(py: Python<'py>, ms: Option<i64>) -> PyResult<Option<Bound<'py, PyAny>>> {
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

fn to_dict<'py>(py: Python<'py>, event: Event) -> PyResult<Bound<'py, PyAny>> {
    value_to_py(py, &event.to_value())
}

/// The end of a voice callback (`duo_callback.end`).
///
/// Times are epoch milliseconds (`begin_time`, ...) and aware datetimes in UTC+8 (`begin_at`,
/// ...); absent values are `None`. `outcome` says how the call ended and `talk_seconds` how
/// long the two parties talked.
#[pyclass(frozen, eq, module = "yunhuni", name = "DuoCallbackEnd")]
#[derive(PartialEq)]
pub struct PyDuoCallbackEnd(DuoCallbackEnd);

#[pymethods]
impl PyDuoCallbackEnd {
    /// The event name, `'duo_callback.end'`.
    #[getter]
    fn event(&self) -> &'static str {
        "duo_callback.end"
    }

    /// The call id: the `call_id` returned when the callback was placed.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.0.id.as_deref()
    }

    /// The sub-account that placed the call, if any.
    #[getter]
    fn subaccount_id(&self) -> Option<&str> {
        self.0.subaccount_id.as_deref()
    }

    /// When dialling party 1 started, in epoch milliseconds.
    #[getter]
    fn begin_time(&self) -> Option<i64> {
        self.0.begin_time
    }

    /// When party 1 answered, in epoch milliseconds.
    #[getter]
    fn answer_time1(&self) -> Option<i64> {
        self.0.answer_time1
    }

    /// When party 2 answered (the two were connected), in epoch milliseconds.
    #[getter]
    fn answer_time2(&self) -> Option<i64> {
        self.0.answer_time2
    }

    /// When the conversation ended, in epoch milliseconds (only sent when they were connected).
    #[getter]
    fn end_time(&self) -> Option<i64> {
        self.0.end_time
    }

    /// `begin_time` as an aware datetime in UTC+8.
    #[getter]
    fn begin_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        datetime_from_ms(py, self.0.begin_time)
    }

    /// `answer_time1` as an aware datetime in UTC+8.
    #[getter]
    fn answer1_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        datetime_from_ms(py, self.0.answer_time1)
    }

    /// `answer_time2` as an aware datetime in UTC+8.
    #[getter]
    fn answer2_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        datetime_from_ms(py, self.0.answer_time2)
    }

    /// `end_time` as an aware datetime in UTC+8.
    #[getter]
    fn end_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        datetime_from_ms(py, self.0.end_time)
    }

    /// Who hung up: 0 the platform, 1 party 1, 2 party 2.
    #[getter]
    fn hangup_by(&self) -> Option<i64> {
        self.0.hangup_by
    }

    /// Conversation seconds as the docs show it (the real server does not send it; see
    /// `talk_seconds`).
    #[getter]
    fn duration(&self) -> Option<i64> {
        self.0.duration
    }

    /// Failure reason (documented, never sent in practice).
    #[getter]
    fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// `'connect timeout'`, `'connect error'`, or `'????'` when the platform failed to start
    /// the call.
    #[getter]
    fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }

    /// The `user_data` given when the call was placed.
    #[getter]
    fn user_data(&self) -> Option<&str> {
        self.0.user_data.as_deref()
    }

    /// Recording file name (documented, never sent in practice).
    #[getter]
    fn record_file(&self) -> Option<&str> {
        self.0.record_file.as_deref()
    }

    /// How the call ended: `'connected'`, `'party1_not_reached'`, `'party2_not_reached'`,
    /// `'max_duration_reached'`, `'bridge_error'` or `'platform_failure'`.
    #[getter]
    fn outcome(&self) -> &'static str {
        self.0.outcome().as_str()
    }

    /// `outcome` as a short English sentence.
    #[getter]
    fn outcome_text(&self) -> &'static str {
        self.0.outcome().describe()
    }

    /// Seconds the two parties talked: `duration` when sent, else `end_time - answer_time2`,
    /// else 0.
    #[getter]
    fn talk_seconds(&self) -> i64 {
        self.0.talk_seconds()
    }

    /// The body as text (decoded as UTF-8, or as ISO-8859-1 when it is not UTF-8).
    #[getter]
    fn raw(&self) -> &str {
        &self.0.raw
    }

    /// The canonical view shared by every language of the SDK: every field (`None` when
    /// absent), `type`, `event`, `outcome` and `talk_seconds`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_dict(py, Event::DuoCallbackEnd(self.0.clone()))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "DuoCallbackEnd(id={}, outcome={}, talk_seconds={}, user_data={})",
            repr_str(py, self.0.id.as_deref()),
            repr_str(py, Some(self.0.outcome().as_str())),
            self.0.talk_seconds(),
            repr_str(py, self.0.user_data.as_deref())
        )
    }
}

/// The two classes with `notify_call.end`'s fields.
macro_rules! notify_like {
    ($ty:ident, $py_name:literal, $event:literal, $variant:ident, $doc:literal) => {
        #[doc = $doc]
        #[pyclass(frozen, eq, module = "yunhuni", name = $py_name)]
        #[derive(PartialEq)]
        pub struct $ty(NotifyCallEnd);

        #[pymethods]
        impl $ty {
            #[doc = concat!("The event name, `'", $event, "'`.")]
            #[getter]
            fn event(&self) -> &'static str {
                $event
            }

            /// The call id: the `call_id` returned when the call was placed.
            #[getter]
            fn id(&self) -> Option<&str> {
                self.0.id.as_deref()
            }

            /// The sub-account that placed the call, if any.
            #[getter]
            fn subaccount_id(&self) -> Option<&str> {
                self.0.subaccount_id.as_deref()
            }

            /// When dialling started, in epoch milliseconds.
            #[getter]
            fn begin_time(&self) -> Option<i64> {
                self.0.begin_time
            }

            /// When the call was answered, in epoch milliseconds.
            #[getter]
            fn answer_time(&self) -> Option<i64> {
                self.0.answer_time
            }

            /// When it ended, in epoch milliseconds (`end_time`, or the docs' `end_tinme`).
            #[getter]
            fn end_time(&self) -> Option<i64> {
                self.0.end_time
            }

            /// `begin_time` as an aware datetime in UTC+8.
            #[getter]
            fn begin_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
                datetime_from_ms(py, self.0.begin_time)
            }

            /// `answer_time` as an aware datetime in UTC+8.
            #[getter]
            fn answer_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
                datetime_from_ms(py, self.0.answer_time)
            }

            /// `end_time` as an aware datetime in UTC+8.
            #[getter]
            fn end_at<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
                datetime_from_ms(py, self.0.end_time)
            }

            /// Call seconds as the docs show it (the real server does not send it).
            #[getter]
            fn duration(&self) -> Option<i64> {
                self.0.duration
            }

            /// As sent: `'usr'`/`'sys'` from the server for a verification call, `'0'`/`'1'`
            /// in the docs.
            #[getter]
            fn hangup_by(&self) -> Option<&str> {
                self.0.hangup_by.as_deref()
            }

            /// As sent by the server for a notification: `'usr'` or `'sys'`.
            #[getter]
            fn dropped_by(&self) -> Option<&str> {
                self.0.dropped_by.as_deref()
            }

            /// Who ended the call: `'user'`, `'platform'`, or `None` when not said.
            #[getter]
            fn ended_by(&self) -> Option<&'static str> {
                self.0.ended_by().map(|e| e.as_str())
            }

            /// Failure reason (documented, never sent in practice).
            #[getter]
            fn reason(&self) -> Option<&str> {
                self.0.reason.as_deref()
            }

            /// `'ring timeout'`, `'dial failed'`, `'dial error'`, `'play error'`, or `'????'`.
            #[getter]
            fn error(&self) -> Option<&str> {
                self.0.error.as_deref()
            }

            /// The `user_data` given when the call was placed.
            #[getter]
            fn user_data(&self) -> Option<&str> {
                self.0.user_data.as_deref()
            }

            /// The body as text (decoded as UTF-8, or as ISO-8859-1 when it is not UTF-8).
            #[getter]
            fn raw(&self) -> &str {
                &self.0.raw
            }

            /// The canonical view shared by every language of the SDK: every field (`None`
            /// when absent), `type`, `event` and `ended_by`.
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                to_dict(py, Event::$variant(self.0.clone()))
            }

            fn __repr__(&self, py: Python<'_>) -> String {
                format!(
                    concat!($py_name, "(id={}, ended_by={}, error={}, user_data={})"),
                    repr_str(py, self.0.id.as_deref()),
                    repr_str(py, self.0.ended_by().map(|e| e.as_str())),
                    repr_str(py, self.0.error.as_deref()),
                    repr_str(py, self.0.user_data.as_deref())
                )
            }
        }
    };
}

notify_like!(
    PyNotifyCallEnd,
    "NotifyCallEnd",
    "notify_call.end",
    NotifyCallEnd,
    "The end of a voice notification (`notify_call.end`). The platform also reports the normal \
     end of a verification call with this event.\n\nTimes are epoch milliseconds (`begin_time`, \
     ...) and aware datetimes in UTC+8 (`begin_at`, ...); absent values are `None`."
);

notify_like!(
    PyVerifyCallEnd,
    "VerifyCallEnd",
    "verify_call.end",
    VerifyCallEnd,
    "The end of a verification call (`verify_call.end`); in practice only sent when the call \
     could not start. Same fields as `NotifyCallEnd`."
);

/// Any other event, documented or not (`ivr.call_end`, `conf.end`, ...), kept whole: `event`
/// is its name and `fields` every key of its body.
#[pyclass(frozen, eq, module = "yunhuni", name = "Event")]
#[derive(PartialEq)]
pub struct PyEvent(OtherEvent);

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
    Ok(match event {
        Event::DuoCallbackEnd(e) => Py::new(py, PyDuoCallbackEnd(e))?.into_any(),
        Event::NotifyCallEnd(e) => Py::new(py, PyNotifyCallEnd(e))?.into_any(),
        Event::VerifyCallEnd(e) => Py::new(py, PyVerifyCallEnd(e))?.into_any(),
        Event::Other(e) => Py::new(py, PyEvent(e))?.into_any(),
    })
}
