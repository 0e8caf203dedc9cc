//! What the library tells about its requests: a `yh_request_log` handed to the client's
//! callback after each request, and, when `YUNHUNI_LOG` asks for it, the core's log records
//! (each request, each parsed event) as lines on stderr.

use crate::error::kind_name;
use crate::util::{c_string, opt_ptr, value_guard};
use std::ffi::{c_char, c_void, CStr, CString};
use std::io::Write;
use std::ptr;
use std::sync::Once;
use yunhuni::RequestLog;

/// The environment variable that turns the library's stderr log on.
use yunhuni::logging::VARIABLE;

/// What one request did, handed to the callback set by `yh_client_builder_set_log`: method,
/// path, HTTP status, platform code, error kind, duration and attempts. It never holds the
/// secret key or the signature.
///
/// Borrowed by the callback: the object and every string read from it are valid only until the
/// callback returns. Copy what you keep; never free it.
pub struct yh_request_log {
    line: CString,
    method: CString,
    path: CString,
    status: u16,
    code: Option<CString>,
    error: Option<&'static CStr>,
    duration_us: u64,
    attempts: u32,
}

impl From<&RequestLog> for yh_request_log {
    fn from(log: &RequestLog) -> Self {
        yh_request_log {
            line: c_string(&yunhuni::escape_control(&log.to_string())),
            method: c_string(log.method),
            path: c_string(&log.path),
            status: log.status.unwrap_or(0),
            code: log.code.as_deref().map(c_string),
            error: log.error.map(kind_name),
            duration_us: u64::try_from(log.duration.as_micros()).unwrap_or(u64::MAX),
            attempts: log.attempts,
        }
    }
}

/// A function the library calls after each request a client made (see
/// `yh_client_builder_set_log`), with what the request did and the `user` pointer given with it.
/// It is called on the thread that made the request, before the `yh_client_*` call returns; a
/// client shared by several threads calls it from each of them, possibly at the same time.
pub type yh_log_fn = Option<unsafe extern "C" fn(log: *const yh_request_log, user: *mut c_void)>;

/// A callback and its user pointer, as a client keeps them.
#[derive(Clone, Copy)]
pub(crate) struct LogCallback {
    f: unsafe extern "C" fn(*const yh_request_log, *mut c_void),
    user: *mut c_void,
}

// SAFETY: the pointer is only handed back to the caller's function, which the API documents as
// called from any thread that uses the client; making it safe to share is the caller's part.
unsafe impl Send for LogCallback {}
// SAFETY: as above.
unsafe impl Sync for LogCallback {}

impl LogCallback {
    pub(crate) fn new(f: yh_log_fn, user: *mut c_void) -> Option<Self> {
        f.map(|f| LogCallback { f, user })
    }

    /// Hands `log` to the callback. A failure to make the C view (a bug) skips the call rather
    /// than fail the request it reports on.
    pub(crate) fn call(&self, log: &RequestLog) {
        let Some(view) = value_guard(None, || Some(yh_request_log::from(log))) else {
            return;
        };
        // SAFETY: a function pointer the caller gave for this purpose, with its own user
        // pointer; `view` outlives the call.
        unsafe { (self.f)(&view, self.user) };
    }
}

/// Runs `body` with this thread's stderr log of requests turned off when `quiet` (core's).
pub(crate) use yunhuni::logging::quietly;

/// Turns the stderr log on, once per process, when `YUNHUNI_LOG` names a level (`debug` shows
/// each request and each parsed event); called when a client is built and when an event is
/// parsed. A value that is not a level is named on stderr once and ignored.
pub(crate) fn init_from_env() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if let Err(bad) = yunhuni::logging::init_from_env() {
            let _ = writeln!(
                std::io::stderr().lock(),
                "[yunhuni warn] {VARIABLE}={bad} is not one of off, error, warn, info, debug, trace; ignored"
            );
        }
    });
}

/// The request as one line: `POST call/duo_callback -> 200 000000 in 12.3 ms` (the path after
/// `/v1/account/{id}/` with its query; `-> no answer` when the server did not answer; the error
/// kind in parentheses when the request failed; `after N attempts` when connecting was tried
/// again). The same line `YUNHUNI_LOG=debug` prints. NULL if `log` is NULL.
#[no_mangle]
pub extern "C" fn yh_request_log_line(log: *const yh_request_log) -> *const c_char {
    value_guard(ptr::null(), || {
        opt_ptr(unsafe { log.as_ref() }.map(|l| &l.line))
    })
}

/// The HTTP method: `"GET"`, `"POST"`, `"PUT"` or `"DELETE"`. NULL if `log` is NULL.
#[no_mangle]
pub extern "C" fn yh_request_log_method(log: *const yh_request_log) -> *const c_char {
    value_guard(ptr::null(), || {
        opt_ptr(unsafe { log.as_ref() }.map(|l| &l.method))
    })
}

/// The path after `/v1/account/{account_id}/`, with its query string (`"call/duo_callback"`,
/// `"callcenter/extension?pageNo=2"`). NULL if `log` is NULL.
#[no_mangle]
pub extern "C" fn yh_request_log_path(log: *const yh_request_log) -> *const c_char {
    value_guard(ptr::null(), || {
        opt_ptr(unsafe { log.as_ref() }.map(|l| &l.path))
    })
}

/// The HTTP status the server answered with; 0 when it did not answer (or if `log` is NULL).
#[no_mangle]
pub extern "C" fn yh_request_log_status(log: *const yh_request_log) -> u16 {
    value_guard(0, || unsafe { log.as_ref() }.map_or(0, |l| l.status))
}

/// The platform code of the answer (`"000000"` on success, `"020000"`, ...); NULL when the
/// answer had none (or if `log` is NULL).
#[no_mangle]
pub extern "C" fn yh_request_log_code(log: *const yh_request_log) -> *const c_char {
    value_guard(ptr::null(), || {
        opt_ptr(unsafe { log.as_ref() }.and_then(|l| l.code.as_ref()))
    })
}

/// The kind of the error the request failed with (`"api"`, `"auth"`, `"http"`, `"timeout"`,
/// `"transport"`, `"decode"`), as `yh_error_kind` gives it; NULL when it succeeded (or if `log`
/// is NULL). A request refused by validation is never sent, so never logged. Static.
#[no_mangle]
pub extern "C" fn yh_request_log_error_kind(log: *const yh_request_log) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { log.as_ref() }
            .and_then(|l| l.error)
            .map_or(ptr::null(), CStr::as_ptr)
    })
}

/// How long the request took, every attempt included, in microseconds. 0 if `log` is NULL.
#[no_mangle]
pub extern "C" fn yh_request_log_duration_us(log: *const yh_request_log) -> u64 {
    value_guard(0, || unsafe { log.as_ref() }.map_or(0, |l| l.duration_us))
}

/// How many times the request was tried: 1, or more when connecting failed and the client's
/// connect retries allowed another try. 0 if `log` is NULL.
#[no_mangle]
pub extern "C" fn yh_request_log_attempts(log: *const yh_request_log) -> u32 {
    value_guard(0, || unsafe { log.as_ref() }.map_or(0, |l| l.attempts))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn text(p: *const c_char) -> Option<String> {
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
    }

    #[test]
    fn the_view_carries_every_field_and_escapes_the_line() {
        let log = RequestLog {
            method: "GET",
            path: "callcenter/extension?pageNo=2".into(),
            status: Some(200),
            code: Some("02\u{1b}[2J".into()),
            error: Some(yunhuni::ErrorKind::Api),
            duration: Duration::from_micros(12_345),
            attempts: 2,
        };
        let view = yh_request_log::from(&log);
        let line = text(yh_request_log_line(&view)).unwrap();
        assert!(
            line.starts_with("GET callcenter/extension?pageNo=2 -> 200"),
            "{line}"
        );
        assert!(
            line.contains("\\u{1b}[2J") && !line.contains('\u{1b}'),
            "{line}"
        );
        assert_eq!(text(yh_request_log_method(&view)).as_deref(), Some("GET"));
        assert_eq!(yh_request_log_status(&view), 200);
        assert_eq!(
            text(yh_request_log_error_kind(&view)).as_deref(),
            Some("api")
        );
        assert_eq!(yh_request_log_duration_us(&view), 12_345);
        assert_eq!(yh_request_log_attempts(&view), 2);
        assert!(yh_request_log_line(ptr::null()).is_null());
        assert_eq!(yh_request_log_status(ptr::null()), 0);
    }
}
