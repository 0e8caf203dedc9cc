//! Core errors as Python exceptions.
//!
//! The exception classes are defined in Python (`yunhuni/_errors.py`) because two of them have
//! two bases (`ValidationError` is also a `ValueError`, `TimeoutError` also the builtin one).
//! This file only maps a core [`yunhuni::Error`] onto the class of its kind.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString};

/// `yunhuni._errors._BY_KIND`: kind string -> exception class.
static BY_KIND: PyOnceLock<Py<PyDict>> = PyOnceLock::new();

/// The Python exception for a core error: the class of its kind, with the core message as its
/// text and `.kind`, `.code`, `.status`, `.field`, `.platform_message` and `.maybe_sent` set.
pub(crate) fn to_py(py: Python<'_>, error: &yunhuni::Error) -> PyErr {
    match build(py, error) {
        Ok(err) => err,
        // Only reachable when the Python half of the package is broken; keep the message.
        Err(import_failure) => {
            let err = pyo3::exceptions::PyRuntimeError::new_err(error.to_string());
            err.set_cause(py, Some(import_failure));
            err
        }
    }
}

fn build(py: Python<'_>, error: &yunhuni::Error) -> PyResult<PyErr> {
    let by_kind = BY_KIND.import(py, "yunhuni._errors", "_BY_KIND")?;
    let class = by_kind.get_item(error.kind().as_str())?.ok_or_else(|| {
        pyo3::exceptions::PyRuntimeError::new_err(format!("no class for {}", error.kind()))
    })?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("code", error.code())?;
    kwargs.set_item("status", error.status())?;
    kwargs.set_item("field", error.field())?;
    kwargs.set_item("platform_message", error.platform_message())?;
    kwargs.set_item("maybe_sent", error.maybe_sent())?;
    let exception = class.call((PyString::new(py, error.message()),), Some(&kwargs))?;
    Ok(PyErr::from_value(exception))
}

/// Converts a core result, raising the matching exception.
pub(crate) trait IntoPyResult<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for yunhuni::Result<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, &e))
    }
}

/// A `ValidationError` raised by the binding itself, when an argument cannot be converted to
/// what the core takes (a `str` where a number belongs, for example). Uses the core's own
/// constructor so that the message has the core's shape (`field: problem`).
pub(crate) fn invalid(py: Python<'_>, field: &str, problem: impl Into<String>) -> PyErr {
    to_py(py, &yunhuni::Error::validation(field, problem))
}
