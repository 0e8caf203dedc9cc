//! What the SDK tells about its requests and events: to the `onRequest` hook of a client, or,
//! for clients without one, to stderr when `YUNHUNI_LOG` asks for it.
//!
//! Core reports each request to the observer of its client ([`observe`], set on clients that
//! have a hook) on the worker thread that made it. The worker only keeps the report
//! ([`capture`]); the hook is called on the JavaScript thread just before the call's Promise
//! settles ([`deliver`]), so the worker never waits for JavaScript and the hook has seen a
//! request by the time `await` returns.
//!
//! Core also logs every request and every parsed event through the `log` facade (target
//! `yunhuni`, level debug). With `YUNHUNI_LOG=debug` (or `trace`) in the environment when the
//! addon loads, [`init`] installs a logger that writes those records to stderr, one line each
//! (`[yunhuni debug] POST call/duo_callback -> 200 000000 in 3.1 ms`), except the requests of
//! clients that have a hook. Nothing is written otherwise. No record holds the secret key or a
//! signature.

use napi::bindgen_prelude::*;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::sync::Arc;
use yunhuni::RequestLog;

/// A client's hook: `onRequest(log)`, called with the object of [`js_log`].
pub(crate) type Hook = Arc<FunctionRef<Value, Unknown<'static>>>;

thread_local! {
    /// While a worker runs a call of a client with a hook: `Some`, then the report of its
    /// request once core has made it.
    static CAPTURED: RefCell<Option<Option<Value>>> = const { RefCell::new(None) };
}

/// The observer of a client with a hook: keeps the report for [`capture`].
pub(crate) fn observe(log: &RequestLog) {
    CAPTURED.with(|slot| {
        if let Some(captured) = slot.borrow_mut().as_mut() {
            *captured = Some(js_log(log));
        }
    });
}

/// Runs `call` (on a worker), keeping the report of its request when `hooked` (and then
/// keeping it off stderr: the hook has it). The report is `None` when nothing was sent.
pub(crate) fn capture<T>(hooked: bool, call: impl FnOnce() -> T) -> (T, Option<Value>) {
    if !hooked {
        return (call(), None);
    }
    CAPTURED.with(|slot| *slot.borrow_mut() = Some(None));
    // The hook has the report: core's stderr logger keeps this request's line to itself.
    let result = yunhuni::logging::quietly(true, call);
    let seen = CAPTURED.with(|slot| slot.borrow_mut().take()).flatten();
    (result, seen)
}

/// Calls the hook with a report, on the JavaScript thread. The hook `index.js` passes never
/// throws (it hands its own exceptions on as uncaught ones); a failure here has no one to go
/// to, so it is dropped.
pub(crate) fn deliver(env: &Env, hook: &Hook, seen: Value) {
    if let Ok(hook) = hook.borrow_back(env) {
        let _ = hook.call(seen);
    }
}

/// The report as JavaScript sees it: `{ method, path, status, code, errorKind, durationMs,
/// attempts }`.
fn js_log(log: &RequestLog) -> Value {
    json!({
        "method": log.method,
        "path": log.path,
        "status": log.status,
        "code": log.code,
        "errorKind": log.error.map(|kind| kind.as_str()),
        "durationMs": log.duration.as_secs_f64() * 1000.0,
        "attempts": log.attempts,
    })
}

/// Reads `YUNHUNI_LOG` and installs core's stderr logger when it names a level (`off`,
/// `error`, `warn`, `info`, `debug`, `trace`; core logs at debug). Returns the value when it is
/// not a level, for `index.js` to warn about; `None` otherwise. A second load of the addon (a
/// worker thread) finds the logger already installed.
pub(crate) fn init() -> Option<String> {
    yunhuni::logging::init_from_env().err()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_has_the_keys_of_the_hook() {
        let log = RequestLog {
            method: "GET",
            path: "callcenter/extension?pageNo=2".into(),
            status: None,
            code: None,
            error: Some(yunhuni::ErrorKind::Timeout),
            duration: std::time::Duration::from_micros(1500),
            attempts: 1,
        };
        assert_eq!(
            js_log(&log),
            json!({
                "method": "GET",
                "path": "callcenter/extension?pageNo=2",
                "status": null,
                "code": null,
                "errorKind": "timeout",
                "durationMs": 1.5,
                "attempts": 1,
            })
        );
    }

    #[test]
    fn capture_keeps_the_report_of_the_call_only_when_hooked() {
        let log = RequestLog {
            method: "POST",
            path: "call/duo_callback".into(),
            status: Some(200),
            code: Some("000000".into()),
            error: None,
            duration: std::time::Duration::from_millis(2),
            attempts: 1,
        };
        let ((), seen) = capture(true, || observe(&log));
        assert_eq!(seen.unwrap()["status"], 200);
        let ((), seen) = capture(true, || {});
        assert_eq!(seen, None);
        let ((), seen) = capture(false, || observe(&log));
        assert_eq!(seen, None);
        // Nothing is kept between calls.
        observe(&log);
        assert!(CAPTURED.with(|slot| slot.borrow().is_none()));
    }
}
