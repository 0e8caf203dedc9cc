//! The Node.js binding of the `yunhuni` crate (napi-rs v3), loaded by `index.js`.
//!
//! Thin by design: every function converts its JavaScript arguments, calls the core crate and
//! converts the result or the error. No validation, signing, parsing or HTTP logic lives here.
//!
//! Errors cross into JavaScript as `YunhuniError` objects made here with their `kind`, `code`,
//! `status`, `field` and `platformMessage` set ([`error`]). Network calls run on the worker
//! pool of [`pool`] and settle a Promise, so the event loop never waits for the network.
//!
//! Modules depend one way, and none on this file: `names` ← `error` ← `args` ← `fields`;
//! `error` ← `pool`; `logging`; `client`, `events`, `ivr` and `sandbox` use those (`ivr` also
//! `events`' body reader and view); this file
//! declares them all.

#![deny(clippy::all)]
// The napi macros register nothing in unit-test builds, so the exported functions look unused.
#![cfg_attr(test, allow(dead_code))]

mod args;
mod client;
mod error;
mod events;
mod fields;
mod ivr;
mod logging;
mod names;
mod pool;
mod sandbox;
mod view;
mod webhook;

use error::{JsError, OrThrow};
use napi::bindgen_prelude::*;
use napi_derive::napi;

/// The version of the core library.
#[napi(catch_unwind)]
pub fn core_version() -> String {
    yunhuni::VERSION.to_owned()
}

/// Called once by `index.js` with `YunhuniError`: every error of this module is then made by
/// `new YunhuniError(kind, message)` with its other properties set.
#[napi(catch_unwind, js_name = "__setErrorClass")]
pub fn set_error_class(
    env: &Env,
    class: Function<'_, FnArgs<(String, String)>, Unknown<'static>>,
) -> Result<()> {
    error::register_error_class(env, class)
}

/// Called once by `index.js` when the addon loads: reads `YUNHUNI_LOG` and writes the SDK's
/// log records to stderr when it names a level ([`logging::init`]). Returns the value when it
/// is not a level (for a warning), else `null`.
#[napi(catch_unwind, js_name = "__initLog")]
pub fn init_log() -> Option<String> {
    logging::init()
}

/// Throws an error that carries `kind` etc. like every error of this module; used by the
/// tests to check the conversion of a panic and of each property.
#[napi(catch_unwind, js_name = "__testThrow")]
pub fn test_throw(env: &Env, what: String) -> Result<()> {
    match what.as_str() {
        "panic" => panic!("deliberate panic for a test"),
        _ => Err(JsError::validation("what", "deliberate error for a test")).or_throw(env),
    }
}

/// Returns a Promise that is settled by a panic on the worker pool.
#[napi(catch_unwind, js_name = "__testPanicAsync")]
pub fn test_panic_async(env: &Env) -> Result<Object<'_>> {
    pool::promise(
        env,
        pool::Lane::Request,
        || -> std::result::Result<(), JsError> {
            panic!("deliberate panic on a worker for a test")
        },
    )
}
