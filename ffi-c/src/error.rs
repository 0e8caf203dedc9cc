//! Result codes and the error object.

use crate::util::{c_string, free_box, value_guard};
use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::sync::OnceLock;
use yunhuni::ErrorKind;

/// The result of every fallible function. `YH_OK` is 0; each error kind of the SDK has its own
/// code, so a caller can branch on the code alone.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum yh_result {
    /// Success. The outputs were written.
    YH_OK = 0,
    /// A request, a setting or an argument broke a rule; nothing was sent. The error's field
    /// names the culprit. Kind `validation`.
    YH_ERR_VALIDATION = 1,
    /// The platform answered with a code other than `000000`; see `yh_error_code`. Kind `api`.
    YH_ERR_API = 2,
    /// The platform answered HTTP 401: credentials, signature or clock refused. Kind `auth`.
    YH_ERR_AUTH = 3,
    /// The platform answered with another unexpected HTTP status. Kind `http`.
    YH_ERR_HTTP = 4,
    /// The request did not complete within the client's timeout. Kind `timeout`.
    YH_ERR_TIMEOUT = 5,
    /// The connection could not be made or broke. Kind `transport`.
    YH_ERR_TRANSPORT = 6,
    /// A response or an event body was not what the platform sends. Kind `decode`.
    YH_ERR_DECODE = 7,
    /// A pointer argument was NULL; the error's field names the parameter. Kind `validation`.
    YH_ERR_NULL_ARGUMENT = 8,
    /// A string argument was not valid UTF-8; the error's field names the parameter.
    /// Kind `validation`.
    YH_ERR_INVALID_UTF8 = 9,
    /// The library panicked (a bug in the library). The process goes on; the object passed in
    /// is left as it was. Kind `panic`.
    YH_ERR_PANIC = 10,
    /// Not an error: the event field read by a `yh_event_*` accessor is not in this event.
    /// Nothing was written.
    YH_ABSENT = 11,
    /// A `yh_event_duo_*` or `yh_event_notify_*` accessor was called on an event of another type.
    /// Nothing was written.
    YH_ERR_WRONG_EVENT = 12,
}

/// A failure inside the library, before it becomes a `yh_error` object.
#[derive(Debug)]
pub(crate) struct Fail {
    result: yh_result,
    kind: &'static CStr,
    message: String,
    code: Option<String>,
    /// The HTTP status; 0 when none (kept small: every fallible function returns this type).
    status: u16,
    field: Option<String>,
    platform_message: Option<String>,
    maybe_sent: bool,
}

impl From<yunhuni::Error> for Fail {
    fn from(e: yunhuni::Error) -> Self {
        let result = match e.kind() {
            ErrorKind::Validation => yh_result::YH_ERR_VALIDATION,
            ErrorKind::Api => yh_result::YH_ERR_API,
            ErrorKind::Auth => yh_result::YH_ERR_AUTH,
            ErrorKind::Http => yh_result::YH_ERR_HTTP,
            ErrorKind::Timeout => yh_result::YH_ERR_TIMEOUT,
            ErrorKind::Transport => yh_result::YH_ERR_TRANSPORT,
            ErrorKind::Decode => yh_result::YH_ERR_DECODE,
        };
        Fail {
            result,
            kind: kind_name(e.kind()),
            message: e.message().to_owned(),
            code: e.code().map(str::to_owned),
            status: e.status().unwrap_or(0),
            field: e.field().map(str::to_owned),
            platform_message: e.platform_message().map(str::to_owned),
            maybe_sent: e.maybe_sent(),
        }
    }
}

impl Fail {
    fn argument(result: yh_result, arg: &str, what: &str) -> Self {
        Fail {
            result,
            kind: kind_name(ErrorKind::Validation),
            message: format!("{arg}: {what}"),
            code: None,
            status: 0,
            field: Some(arg.to_owned()),
            platform_message: None,
            maybe_sent: false,
        }
    }

    /// A NULL pointer passed as `arg`.
    pub(crate) fn null(arg: &str) -> Self {
        Fail::argument(yh_result::YH_ERR_NULL_ARGUMENT, arg, "must not be NULL")
    }

    /// A string argument `arg` that is not UTF-8.
    pub(crate) fn utf8(arg: &str) -> Self {
        Fail::argument(yh_result::YH_ERR_INVALID_UTF8, arg, "is not valid UTF-8")
    }

    /// A panic caught at the boundary.
    pub(crate) fn panic(payload: &(dyn std::any::Any + Send)) -> Self {
        let what = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("unknown cause");
        Fail {
            result: yh_result::YH_ERR_PANIC,
            kind: c"panic",
            message: format!("internal error in the yunhuni library (panic: {what})"),
            code: None,
            status: 0,
            field: None,
            platform_message: None,
            maybe_sent: false,
        }
    }

    pub(crate) fn result(&self) -> yh_result {
        self.result
    }
}

/// The static C string of an error kind, made from core's own names.
pub(crate) fn kind_name(kind: ErrorKind) -> &'static CStr {
    static NAMES: OnceLock<Vec<(ErrorKind, CString)>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        ErrorKind::ALL
            .iter()
            .map(|&k| (k, c_string(k.as_str())))
            .collect()
    });
    names
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(c"unknown", |(_, name)| name.as_c_str())
}

/// An error: what failed, with the SDK's kind, message, platform code, HTTP status and field.
///
/// Made by the library and handed to you through a `yh_error **err_out` parameter; free it once
/// with `yh_error_free`. Strings read from it are borrowed from it and stay valid until then.
pub struct yh_error {
    result: yh_result,
    kind: &'static CStr,
    message: CString,
    code: Option<CString>,
    status: u16,
    field: Option<CString>,
    platform_message: Option<CString>,
    maybe_sent: bool,
}

impl From<Fail> for yh_error {
    fn from(f: Fail) -> Self {
        yh_error {
            result: f.result,
            kind: f.kind,
            message: c_string(&f.message),
            code: f.code.as_deref().map(c_string),
            status: f.status,
            field: f.field.as_deref().map(c_string),
            platform_message: f.platform_message.as_deref().map(c_string),
            maybe_sent: f.maybe_sent,
        }
    }
}

/// The result code this error was returned with, for example `YH_ERR_API`. Returns `YH_OK` if
/// `err` is NULL.
#[no_mangle]
pub extern "C" fn yh_error_result(err: *const yh_error) -> yh_result {
    value_guard(yh_result::YH_OK, || {
        unsafe { err.as_ref() }.map_or(yh_result::YH_OK, |e| e.result)
    })
}

/// The stable kind: `"validation"`, `"api"`, `"auth"`, `"http"`, `"timeout"`, `"transport"` or
/// `"decode"` (the same strings in every language of the SDK), or `"panic"` for `YH_ERR_PANIC`.
/// NULL-pointer and invalid-UTF-8 arguments are `"validation"`.
///
/// The string is static: it never needs freeing and outlives `err`. Returns NULL if `err` is NULL.
#[no_mangle]
pub extern "C" fn yh_error_kind(err: *const yh_error) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { err.as_ref() }.map_or(ptr::null(), |e| e.kind.as_ptr())
    })
}

/// A readable English description of what went wrong. It never contains a secret key.
///
/// Borrowed from `err`: valid until `yh_error_free(err)`. Returns NULL if `err` is NULL.
#[no_mangle]
pub extern "C" fn yh_error_message(err: *const yh_error) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { err.as_ref() }.map_or(ptr::null(), |e| e.message.as_ptr())
    })
}

/// The platform's six-digit return code (for example `"020000"`) for `api` errors; NULL for
/// other errors or if `err` is NULL.
///
/// Borrowed from `err`: valid until `yh_error_free(err)`.
#[no_mangle]
pub extern "C" fn yh_error_code(err: *const yh_error) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { err.as_ref() }
            .and_then(|e| e.code.as_ref())
            .map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// The server's own `msg` text for `api` errors, exactly as received (Chinese, for example
/// `"呼叫不存在"`); NULL for other errors or if `err` is NULL.
///
/// Borrowed from `err`: valid until `yh_error_free(err)`.
#[no_mangle]
pub extern "C" fn yh_error_platform_message(err: *const yh_error) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { err.as_ref() }
            .and_then(|e| e.platform_message.as_ref())
            .map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// The HTTP status the server answered with (200 for `api` errors, 401 for `auth`, ...); for a
/// delivery refused by `yh_webhook_check_head` or `yh_webhook_receive`, the status to answer it
/// with (400, 401, 403, 413, 503). 0 when no answer was received or if `err` is NULL.
#[no_mangle]
pub extern "C" fn yh_error_status(err: *const yh_error) -> u16 {
    value_guard(0, || unsafe { err.as_ref() }.map_or(0, |e| e.status))
}

/// The field or parameter at fault: the request field for `validation` errors (`"to2"`), the
/// C parameter for NULL and UTF-8 errors (`"to1"`), the event field for some `decode` errors.
/// NULL when there is none or if `err` is NULL.
///
/// Borrowed from `err`: valid until `yh_error_free(err)`.
#[no_mangle]
pub extern "C" fn yh_error_field(err: *const yh_error) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { err.as_ref() }
            .and_then(|e| e.field.as_ref())
            .map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// For `YH_ERR_TRANSPORT` and `YH_ERR_TIMEOUT`: true when bytes of the request were written
/// before the failure, so the platform may have received it and acted on it (placed the call).
/// Such a request must not simply be sent again, or a person may be called twice: check the
/// call's events (or query it) first. The library itself never sends it again. False when the
/// request certainly did not leave (the connection was refused, the host not found, connecting
/// timed out), for every other kind of error, and if `err` is NULL.
#[no_mangle]
pub extern "C" fn yh_error_maybe_sent(err: *const yh_error) -> bool {
    value_guard(false, || {
        unsafe { err.as_ref() }.is_some_and(|e| e.maybe_sent)
    })
}

/// Frees an error. NULL is ignored. Do not use `err`, or any string read from it, afterwards.
#[no_mangle]
pub extern "C" fn yh_error_free(err: *mut yh_error) {
    free_box(err);
}
