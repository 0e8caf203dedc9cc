//! The native half of the `yunhuni` Python package (`yunhuni._native`).
//!
//! A thin layer over the `yunhuni` crate: it converts arguments, calls the core with the GIL
//! released for every network wait, and converts results and errors. Validation, signing,
//! parsing and HTTP all live in the core. The Python half (`py/python/yunhuni`) adds the
//! exception classes, the asyncio client and the type stubs.

use pyo3::prelude::*;

mod client;
mod convert;
mod errors;
mod events;
mod events_gen;
mod ivr;
mod ivr_gen;
mod logging;
mod sandbox;
mod webhook;

use convert::{body_bytes, text};

/// The converted arguments of `sign` and `stringToSign`, owned until `SignInput` borrows them.
struct SignArgs {
    method: String,
    uri: String,
    timestamp: String,
    app_id: String,
    body: Vec<u8>,
    content_type: String,
}

impl SignArgs {
    fn new(
        py: Python<'_>,
        [method, uri, timestamp, app_id]: [&Bound<'_, PyAny>; 4],
        body: Option<&Bound<'_, PyAny>>,
        content_type: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        Ok(SignArgs {
            method: text(py, "method", method)?,
            uri: text(py, "uri", uri)?,
            timestamp: text(py, "timestamp", timestamp)?,
            app_id: text(py, "app_id", app_id)?,
            body: match body {
                Some(b) if !b.is_none() => body_bytes(b, "body")?.into_owned(),
                _ => Vec::new(),
            },
            content_type: match content_type {
                Some(c) if !c.is_none() => text(py, "content_type", c)?,
                _ => yunhuni::CONTENT_TYPE.to_owned(),
            },
        })
    }

    fn input(&self) -> yunhuni::SignInput<'_> {
        yunhuni::SignInput {
            method: &self.method,
            uri: &self.uri,
            content_type: &self.content_type,
            timestamp: &self.timestamp,
            app_id: &self.app_id,
            body: &self.body,
        }
    }
}

/// The platform's request signature: Base64 of HMAC-SHA256, keyed with `secret_key`, of
/// `string_to_sign(...)`. Send it as the `Signature` header.
///
/// `timestamp` is the `Timestamp` header (`yyyyMMddHHmmss` in UTC+8, see `timestamp_now`).
/// `body` (bytes or str) and `content_type` are signed only for POST and PUT. Any query string
/// in `uri` is not signed.
#[pyfunction]
#[pyo3(
    signature = (method, uri, timestamp, app_id, secret_key, *, body = None, content_type = None),
    text_signature = "(method, uri, timestamp, app_id, secret_key, *, body=b'', content_type='application/json; charset=utf-8')"
)]
#[allow(clippy::too_many_arguments)]
fn sign(
    py: Python<'_>,
    method: &Bound<'_, PyAny>,
    uri: &Bound<'_, PyAny>,
    timestamp: &Bound<'_, PyAny>,
    app_id: &Bound<'_, PyAny>,
    secret_key: &Bound<'_, PyAny>,
    body: Option<&Bound<'_, PyAny>>,
    content_type: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let args = SignArgs::new(py, [method, uri, timestamp, app_id], body, content_type)?;
    Ok(yunhuni::sign(
        &args.input(),
        &text(py, "secret_key", secret_key)?,
    ))
}

/// The canonical string the platform signs: method, body MD5, content type, timestamp, app id
/// and path (the `uri` without its query string), joined by newlines. Body MD5 and content
/// type are empty unless the method is POST or PUT.
#[pyfunction]
#[pyo3(
    signature = (method, uri, timestamp, app_id, *, body = None, content_type = None),
    text_signature = "(method, uri, timestamp, app_id, *, body=b'', content_type='application/json; charset=utf-8')"
)]
fn string_to_sign(
    py: Python<'_>,
    method: &Bound<'_, PyAny>,
    uri: &Bound<'_, PyAny>,
    timestamp: &Bound<'_, PyAny>,
    app_id: &Bound<'_, PyAny>,
    body: Option<&Bound<'_, PyAny>>,
    content_type: Option<&Bound<'_, PyAny>>,
) -> PyResult<String> {
    let args = SignArgs::new(py, [method, uri, timestamp, app_id], body, content_type)?;
    Ok(yunhuni::string_to_sign(&args.input()))
}

/// The current time as a `Timestamp` header value: `yyyyMMddHHmmss` in UTC+8, whatever the
/// machine's time zone.
#[pyfunction]
fn timestamp_now() -> String {
    yunhuni::timestamp_now()
}

/// The native half of the `yunhuni` package; import `yunhuni` instead.
#[pymodule(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("VERSION", yunhuni::VERSION)?;
    m.add("CONTENT_TYPE", yunhuni::CONTENT_TYPE)?;
    m.add("DEFAULT_BASE_URL", yunhuni::DEFAULT_BASE_URL)?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<client::PyCallCreated>()?;
    m.add_class::<client::PyPlayItem>()?;
    events_gen::add_classes(m)?;
    m.add_class::<events::PyEvent>()?;
    m.add_function(wrap_pyfunction!(events::parse_event, m)?)?;
    ivr::register(m)?;
    m.add_function(wrap_pyfunction!(sign, m)?)?;
    m.add_function(wrap_pyfunction!(string_to_sign, m)?)?;
    m.add_function(wrap_pyfunction!(timestamp_now, m)?)?;
    sandbox::register(m)?;
    webhook::register(m)?;
    Ok(())
}
