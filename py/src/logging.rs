//! Records for Python's `logging` (logger `yunhuni`): one DEBUG record per request and one per
//! parsed event.
//!
//! Whether to log is decided on every call, while the binding holds the GIL anyway (before it
//! releases it for the network wait, or after parsing), by the logger's own `isEnabledFor`:
//! a change of level takes effect at the next call, and the GIL is never taken for logging.
//! When `logging` has not even been imported, nobody can have turned the logger on, and it is
//! not imported. During the request, core's observer (which runs with the GIL released, on
//! the calling thread) only copies its `RequestLog` into a slot of that thread when the call
//! asked for it; the record is made after the request, once the call holds the GIL again.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString};
use std::cell::RefCell;
use yunhuni::{escape_text, RequestLog};

/// `logging.DEBUG`.
const DEBUG: i32 = 10;
/// The logger's name.
const NAME: &str = "yunhuni";

/// `logging.getLogger("yunhuni")`, once `logging` has been imported by someone.
static LOGGER: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
/// `sys.modules`.
static MODULES: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

thread_local! {
    /// `Some` while a call on this thread wants its request's log; the observer fills it.
    static CAPTURE: RefCell<Option<Option<RequestLog>>> = const { RefCell::new(None) };
}

/// The `yunhuni` logger when it is enabled for DEBUG records, else `None`. Never imports
/// `logging`; errors from a misbehaving `logging` are treated as "not enabled".
pub(crate) fn debug_logger(py: Python<'_>) -> Option<Bound<'_, PyAny>> {
    let logger = match LOGGER.get(py) {
        Some(logger) => logger.bind(py).clone(),
        None => {
            let modules = MODULES
                .get_or_try_init(py, || -> PyResult<Py<PyDict>> {
                    Ok(py.import("sys")?.getattr("modules")?.cast_into()?.unbind())
                })
                .ok()?
                .bind(py);
            let logging = modules.get_item("logging").ok()??;
            let logger = logging.call_method1("getLogger", (NAME,)).ok()?;
            LOGGER.get_or_init(py, || logger.unbind()).bind(py).clone()
        }
    };
    let enabled = logger
        .call_method1("isEnabledFor", (DEBUG,))
        .and_then(|on| on.is_truthy())
        .unwrap_or(false);
    enabled.then_some(logger)
}

/// The observer given to core: keeps the request's log when the call on this thread asked.
pub(crate) fn observe(log: &RequestLog) {
    CAPTURE.with(|slot| {
        if let Some(kept) = slot.borrow_mut().as_mut() {
            *kept = Some(log.clone());
        }
    });
}

/// Runs `f` (which releases the GIL for a request), keeping the request's log when `capture`,
/// and returns both.
pub(crate) fn capturing<T>(capture: bool, f: impl FnOnce() -> T) -> (T, Option<RequestLog>) {
    if !capture {
        return (f(), None);
    }
    /// Clears this thread's slot whatever happens (a panic included).
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            CAPTURE.with(|slot| slot.borrow_mut().take());
        }
    }
    CAPTURE.with(|slot| *slot.borrow_mut() = Some(None));
    let reset = Reset;
    let out = f();
    let log = CAPTURE.with(|slot| slot.borrow_mut().take().flatten());
    drop(reset);
    (out, log)
}

/// Emits one DEBUG record: `message` as is (it is not %-formatted), with `extra` attributes.
fn emit(logger: &Bound<'_, PyAny>, message: &str, extra: Bound<'_, PyDict>) {
    let py = logger.py();
    let kwargs = PyDict::new(py);
    let emitted = kwargs
        .set_item("extra", extra)
        .and_then(|()| logger.call_method("debug", (PyString::new(py, message),), Some(&kwargs)));
    if let Err(e) = emitted {
        // A handler that raises must not turn a successful request into a failure; `logging`
        // reports its own handlers' errors on stderr, so this only happens for a broken logger.
        e.write_unraisable(py, Some(logger));
    }
}

/// The record of one request: core's line, with `method`, `path`, `status`, `code` (escaped:
/// it comes from the server), `error_kind`, `duration` (seconds) and `attempts` as attributes.
pub(crate) fn request(logger: &Bound<'_, PyAny>, log: &RequestLog) {
    let py = logger.py();
    let extra = PyDict::new(py);
    let filled = (|| -> PyResult<()> {
        extra.set_item("method", log.method)?;
        extra.set_item("path", &log.path)?;
        extra.set_item("status", log.status)?;
        extra.set_item("code", log.code.as_deref().map(escape_text))?;
        extra.set_item("error_kind", log.error.map(|k| k.as_str()))?;
        extra.set_item("duration", log.duration.as_secs_f64())?;
        extra.set_item("attempts", log.attempts)
    })();
    match filled {
        Ok(()) => emit(logger, &log.to_string(), extra),
        Err(e) => e.write_unraisable(py, Some(logger)),
    }
}

/// The record of one parsed event: `event NAME id=ID` (core's line), with `event` and
/// `event_id` as attributes. Both come from outside: they are escaped and cut as in messages.
pub(crate) fn event(logger: &Bound<'_, PyAny>, event: &yunhuni::Event) {
    let py = logger.py();
    let name = escape_text(event.name());
    let id = event.id().map(escape_text);
    let line = format!("event {name} id={}", id.as_deref().unwrap_or("-"));
    let extra = PyDict::new(py);
    let filled = extra
        .set_item("event", name)
        .and_then(|()| extra.set_item("event_id", id));
    match filled {
        Ok(()) => emit(logger, &line, extra),
        Err(e) => e.write_unraisable(py, Some(logger)),
    }
}
