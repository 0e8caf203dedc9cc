//! Python values to what the core takes, and back. No rule of the platform lives here: an
//! argument of the wrong Python type becomes a `ValidationError` naming its field, and every
//! value of the right type goes to the core, which checks it.

use crate::client::PyPlayItem;
use crate::errors::invalid;
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PySequence, PyString, PyTuple,
};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::time::Duration;

pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// A `str` argument.
pub(crate) fn text(py: Python<'_>, field: &str, obj: &Bound<'_, PyAny>) -> PyResult<String> {
    let Ok(s) = obj.cast::<PyString>() else {
        return Err(invalid(
            py,
            field,
            format!("expected str, got {}", type_name(obj)),
        ));
    };
    match s.to_cow() {
        Ok(s) => Ok(s.into_owned()),
        Err(_) => Err(invalid(
            py,
            field,
            "is not valid Unicode text (it contains a lone surrogate)",
        )),
    }
}

/// An optional `str` argument (`None` is "not given").
pub(crate) fn opt_text(
    py: Python<'_>,
    field: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<String>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => text(py, field, o).map(Some),
    }
}

/// An `int` argument: any `int` (or object with `__index__`) except `bool`.
pub(crate) fn integer(py: Python<'_>, field: &str, obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    if obj.is_instance_of::<PyBool>() {
        return Err(invalid(py, field, "expected int, got bool"));
    }
    let index = if obj.is_instance_of::<PyInt>() {
        obj.clone()
    } else if !obj.is_instance_of::<PyFloat>() && obj.get_type().hasattr("__index__")? {
        obj.call_method0("__index__")?
    } else {
        return Err(invalid(
            py,
            field,
            format!("expected int, got {}", type_name(obj)),
        ));
    };
    index.extract::<i64>().map_err(|_| {
        let shown = index.str().map(|s| s.to_string()).unwrap_or_default();
        invalid(
            py,
            field,
            format!("{shown} is out of range (not a 64-bit integer)"),
        )
    })
}

/// An optional `int` argument (`None` is "not given").
pub(crate) fn opt_integer(
    py: Python<'_>,
    field: &str,
    obj: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<i64>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => integer(py, field, o).map(Some),
    }
}

/// A duration in seconds (`int` or `float`), converted without loss of range: what cannot be
/// a duration at all (negative, NaN, infinite) is refused here, naming `field`; a finite value
/// too large for a `Duration` becomes the largest one. Core refuses what it cannot honour
/// (zero, more than `yunhuni::MAX_TIMEOUT`) with its own message, naming the same field.
pub(crate) fn seconds(py: Python<'_>, field: &str, obj: &Bound<'_, PyAny>) -> PyResult<Duration> {
    if obj.is_instance_of::<PyBool>()
        || !(obj.is_instance_of::<PyInt>() || obj.is_instance_of::<PyFloat>())
    {
        return Err(invalid(
            py,
            field,
            format!("expected a number of seconds, got {}", type_name(obj)),
        ));
    }
    let refuse = || {
        let shown = obj.repr().map(|r| r.to_string()).unwrap_or_default();
        invalid(
            py,
            field,
            format!(
                "{} is not a finite, non-negative number of seconds",
                yunhuni::escape_text(&shown)
            ),
        )
    };
    if obj.is_instance_of::<PyInt>() {
        return match obj.extract::<u64>() {
            Ok(secs) => Ok(Duration::from_secs(secs)),
            Err(_) if obj.lt(0).unwrap_or(true) => Err(refuse()),
            Err(_) => Ok(Duration::MAX),
        };
    }
    let secs: f64 = obj.extract()?;
    if !secs.is_finite() || secs < 0.0 {
        return Err(refuse());
    }
    Ok(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
}

/// Bytes of a `bytes`, `bytearray`, `memoryview` or `str` (encoded as UTF-8). Anything else is
/// a `TypeError` naming `what`.
pub(crate) fn body_bytes<'a>(obj: &'a Bound<'_, PyAny>, what: &str) -> PyResult<Cow<'a, [u8]>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Cow::Borrowed(b.as_bytes()));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Cow::Owned(b.to_vec()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let text = s.to_cow().map_err(|_| {
            crate::errors::to_py(
                obj.py(),
                &yunhuni::Error::decode(format!(
                    "{what} is text with a lone surrogate, which no JSON text can hold"
                )),
            )
        })?;
        return match text {
            Cow::Borrowed(s) => Ok(Cow::Borrowed(s.as_bytes())),
            Cow::Owned(s) => Ok(Cow::Owned(s.into_bytes())),
        };
    }
    if obj.get_type().name()?.to_cow()? == "memoryview" {
        let copy = obj.py().get_type::<PyBytes>().call1((obj,))?;
        return Ok(Cow::Owned(copy.cast::<PyBytes>()?.as_bytes().to_vec()));
    }
    Err(pyo3::exceptions::PyTypeError::new_err(format!(
        "{what} must be bytes, bytearray, memoryview or str, not {}",
        type_name(obj)
    )))
}

/// A JSON value as plain Python objects (`dict`, `list`, `str`, `int`, `float`, `bool`, `None`).
pub(crate) fn value_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => map_to_py(py, map)?.into_any(),
    })
}

/// A JSON object as a `dict`, keys in their order.
pub(crate) fn map_to_py<'py>(
    py: Python<'py>,
    map: &Map<String, Value>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (k, v) in map {
        dict.set_item(k, value_to_py(py, v)?)?;
    }
    Ok(dict)
}

/// Plain Python data as JSON, for a request body. `field` names the place in messages.
pub(crate) fn py_to_value(
    py: Python<'_>,
    field: &str,
    obj: &Bound<'_, PyAny>,
    depth: usize,
) -> PyResult<Value> {
    to_json(py, field, obj, depth, true)
}

/// The value of an operation's field, for core: `str`, `int` (or an object with `__index__`;
/// never `bool`), `bool`, `list`, `tuple` (and other sequences), `dict` with `str` keys, `PlayItem` (a
/// `[content, play_type, options]` row) and `None` ("not given"). Core checks it against the
/// field's declared type; a Python type that no field takes (`float`, `bytes`, ...) is a
/// `ValidationError` naming `field` here.
pub(crate) fn field_value(py: Python<'_>, field: &str, obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    to_json(py, field, obj, 0, false)
}

/// One conversion per Python type. `floats` admits `float`s (plain JSON bodies).
fn to_json(
    py: Python<'_>,
    field: &str,
    obj: &Bound<'_, PyAny>,
    depth: usize,
    floats: bool,
) -> PyResult<Value> {
    if depth > 64 {
        return Err(invalid(py, field, "is nested too deeply"));
    }
    if obj.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = obj.cast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if obj.is_instance_of::<PyInt>() {
        int_value(py, field, obj)
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        if !floats {
            return Err(not_a_value(py, field, obj));
        }
        Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| {
                invalid(
                    py,
                    field,
                    "a float is NaN or infinite, which JSON cannot carry",
                )
            })
    } else if obj.is_instance_of::<PyString>() {
        text(py, field, obj).map(Value::String)
    } else if let Ok(item) = obj.cast::<PyPlayItem>() {
        Ok(item.get().to_value())
    } else if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in dict.iter() {
            let key = text(py, field, &k)?;
            let inner = format!("{field}.{key}");
            map.insert(key, to_json(py, &inner, &v, depth + 1, floats)?);
        }
        Ok(Value::Object(map))
    } else if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        Err(not_a_value(py, field, obj))
    } else if obj.is_instance_of::<PyList>()
        || obj.is_instance_of::<PyTuple>()
        || obj.cast::<PySequence>().is_ok()
    {
        let mut items = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            let inner = format!("{field}[{i}]");
            items.push(to_json(py, &inner, &item?, depth + 1, floats)?);
        }
        Ok(Value::Array(items))
    } else if obj.get_type().hasattr("__index__")? {
        int_value(py, field, &obj.call_method0("__index__")?)
    } else {
        Err(not_a_value(py, field, obj))
    }
}

/// An `int` as a JSON integer (64 bits, signed or not).
fn int_value(py: Python<'_>, field: &str, obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if let Ok(i) = obj.extract::<i64>() {
        Ok(Value::from(i))
    } else if let Ok(u) = obj.extract::<u64>() {
        Ok(Value::from(u))
    } else {
        let shown = obj.str().map(|s| s.to_string()).unwrap_or_default();
        Err(invalid(
            py,
            field,
            format!("{shown} is out of range (not a 64-bit integer)"),
        ))
    }
}

fn not_a_value(py: Python<'_>, field: &str, obj: &Bound<'_, PyAny>) -> PyErr {
    invalid(
        py,
        field,
        format!(
            "got {}, which cannot be sent (use str, int, bool, list, dict or None)",
            type_name(obj)
        ),
    )
}
