//! Requests for any of the platform's operations, made by name and filled field by field, and
//! the one function that sends them.
//!
//! Every check is core's: an unknown operation or field, a value of the wrong type, a missing
//! required field and every rule of the server fail with a validation error naming the field.
//! This module only converts C values (strings, integers, booleans, JSON text) into core's
//! values, one conversion per type; the typed functions generated into `ops.rs` use the same
//! conversions.

use crate::boundary::{arg_mut, arg_out, arg_ref, arg_str, guard, Res};
use crate::client::{yh_call_created, yh_client};
use crate::error::{yh_error, yh_result};
use crate::util::{c_string, free_box, value_guard};
use serde_json::Value;
use std::ffi::{c_char, CString};
use std::ptr;
use std::sync::OnceLock;
use std::time::Duration;
use yunhuni::ops::{Data, OPERATIONS};
use yunhuni::{CallCreated, CallOptions, Request};

/// A request for one of the platform's operations: the operation and the values of its fields.
///
/// Made by `yh_request_new` (any operation, by name) or by an operation's own `yh_<operation>_new`
/// (its required fields as typed arguments); filled by `yh_request_set_*` (any field, by name)
/// or by the operation's `yh_<operation>_set_<field>` functions; sent by `yh_client_send` (as
/// often as you like); freed once by `yh_request_free`. Not to be changed while another thread
/// uses it.
///
/// Each operation also names this type after itself (`yh_conf_create` is a `yh_request`), so
/// that a declaration says which operation a request is for.
pub struct yh_request {
    pub(crate) inner: Request,
}

/// The answer to a request: the platform's `data`, and the call id for operations that place a
/// call. Made by `yh_client_send`; free it once with `yh_response_free`. Never changed after it
/// is made.
pub struct yh_response {
    json: CString,
    len: usize,
    call_id: Option<CString>,
}

/// Settings of one request that override the client's: its timeout.
///
/// Made by `yh_call_options_new`, changed by `yh_call_options_set_*`, given to
/// `yh_client_send_with` (as often as you like, from any thread while nobody changes it), freed
/// once by `yh_call_options_free`.
pub struct yh_call_options {
    inner: CallOptions,
}

/// The operations' names as static C strings, in the order of the platform's route list.
fn names() -> &'static [CString] {
    static NAMES: OnceLock<Vec<CString>> = OnceLock::new();
    NAMES.get_or_init(|| OPERATIONS.iter().map(|op| c_string(op.name)).collect())
}

/// The static C string of the operation called `name`.
fn static_name(name: &str) -> *const c_char {
    OPERATIONS
        .iter()
        .position(|op| op.name == name)
        .and_then(|i| names().get(i))
        .map_or(ptr::null(), |s| s.as_ptr())
}

/// How many operations the platform has (73): the names `yh_operation_name` lists.
#[no_mangle]
pub extern "C" fn yh_operation_count() -> usize {
    value_guard(0, || OPERATIONS.len())
}

/// The name of the operation at `index` (0 to `yh_operation_count() - 1`), such as
/// `"conf_create"`: what `yh_request_new` takes. NULL when `index` is out of range. The string is
/// static: it never needs freeing.
#[no_mangle]
pub extern "C" fn yh_operation_name(index: usize) -> *const c_char {
    value_guard(ptr::null(), || {
        names().get(index).map_or(ptr::null(), |s| s.as_ptr())
    })
}

/// Makes a request for `operation`, run by the typed `yh_<operation>_new` functions: `fill`
/// sets the required fields; the request is written to `*request_out` only if all succeeds.
pub(crate) fn new_request(
    operation: &str,
    request_out: *mut *mut yh_request,
    err_out: *mut *mut yh_error,
    fill: impl FnOnce(&mut Request) -> Res,
) -> yh_result {
    guard(err_out, || {
        let mut inner = Request::new(operation)?;
        fill(&mut inner)?;
        arg_out(request_out, "request_out")?.write_box(yh_request { inner });
        Ok(())
    })
}

/// Changes a request, run by every setter: a failed change leaves it as it was.
pub(crate) fn change(
    request: *mut yh_request,
    err_out: *mut *mut yh_error,
    body: impl FnOnce(&mut Request) -> Res,
) -> yh_result {
    guard(err_out, || body(&mut arg_mut(request, "request")?.inner))
}

/// Sets the string field `name` from a C string; a NULL or non-UTF-8 value names the field.
pub(crate) fn put_str(request: &mut Request, name: &str, value: *const c_char) -> Res {
    let value = arg_str(value, name)?;
    request.set(name, value)?;
    Ok(())
}

/// Sets the integer field `name`.
pub(crate) fn put_int(request: &mut Request, name: &str, value: i64) -> Res {
    request.set(name, value)?;
    Ok(())
}

/// Sets the boolean field `name`.
pub(crate) fn put_bool(request: &mut Request, name: &str, value: bool) -> Res {
    request.set(name, value)?;
    Ok(())
}

/// Sets the field `name` from JSON text (lists and objects, or any value); JSON `null` unsets it.
pub(crate) fn put_json(request: &mut Request, name: &str, json: *const c_char) -> Res {
    let text = arg_str(json, name)?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| yunhuni::Error::validation(name, format!("is not JSON text: {e}")))?;
    request.set(name, value)?;
    Ok(())
}

/// Sets the field `name` from text read as the field's declared type (as on a command line).
pub(crate) fn put_text(request: &mut Request, name: &str, text: *const c_char) -> Res {
    let text = arg_str(text, name)?;
    request.set_text(name, text)?;
    Ok(())
}

/// Starts a request for the operation called `operation` (`"conf_create"`, or an alias such as
/// `"cancel_duo_callback"`), with no field set. An unknown name fails with
/// `YH_ERR_VALIDATION`, field `operation`. `yh_operation_name` lists the names; each operation's
/// `yh_<operation>_new` documents its fields and answer.
///
/// On success writes a new request to `*request_out` (free it with `yh_request_free`).
#[no_mangle]
pub extern "C" fn yh_request_new(
    operation: *const c_char,
    request_out: *mut *mut yh_request,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let inner = Request::new(arg_str(operation, "operation")?)?;
        arg_out(request_out, "request_out")?.write_box(yh_request { inner });
        Ok(())
    })
}

/// The name of the request's operation (`"duo_callback_cancel"` for a request made as
/// `"cancel_duo_callback"`). Static: never free it. NULL if `request` is NULL.
#[no_mangle]
pub extern "C" fn yh_request_operation(request: *const yh_request) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { request.as_ref() }.map_or(ptr::null(), |r| static_name(r.inner.operation().name))
    })
}

/// Sets the field called `name` (snake_case, as the operation's `yh_<operation>_new` lists it)
/// to the string `value`.
///
/// Fails with `YH_ERR_VALIDATION`, the field named, when the operation has no such field or the
/// field is not a string; a NULL or non-UTF-8 `value` fails naming the field (`name` itself is
/// reported as `name`). The request is unchanged on failure. The server's rules are checked
/// when the request is sent.
#[no_mangle]
pub extern "C" fn yh_request_set_str(
    request: *mut yh_request,
    name: *const c_char,
    value: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    change(request, err_out, |r| {
        put_str(r, arg_str(name, "name")?, value)
    })
}

/// Sets the integer field called `name` (snake_case). The server reads 32-bit integers: a value
/// outside that range, a field that is not an integer, or an unknown field fails with
/// `YH_ERR_VALIDATION` naming the field. The request is unchanged on failure.
#[no_mangle]
pub extern "C" fn yh_request_set_int(
    request: *mut yh_request,
    name: *const c_char,
    value: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    change(request, err_out, |r| {
        put_int(r, arg_str(name, "name")?, value)
    })
}

/// Sets the boolean field called `name` (snake_case). A field that is not a boolean, or an
/// unknown field, fails with `YH_ERR_VALIDATION` naming the field. The request is unchanged on
/// failure.
#[no_mangle]
pub extern "C" fn yh_request_set_bool(
    request: *mut yh_request,
    name: *const c_char,
    value: bool,
    err_out: *mut *mut yh_error,
) -> yh_result {
    change(request, err_out, |r| {
        put_bool(r, arg_str(name, "name")?, value)
    })
}

/// Sets the field called `name` (snake_case) from text read as the field's declared type, as a
/// command line gives it: strings as they are, integers in decimal (`"30"`), booleans `true`,
/// `false`, `1` or `0`, lists as JSON text (a list of strings also as `a,b,c`). Text that is not
/// of the field's type fails with `YH_ERR_VALIDATION` naming the field. The request is
/// unchanged on failure.
#[no_mangle]
pub extern "C" fn yh_request_set_text(
    request: *mut yh_request,
    name: *const c_char,
    text: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    change(request, err_out, |r| {
        put_text(r, arg_str(name, "name")?, text)
    })
}

/// Sets the field called `name` (snake_case) from JSON text: any value, and the only way (with
/// the typed setters, which also take JSON text) to give lists and objects, for example
/// `[["123",1],["hello.wav",0]]` for `play_content` or `[{"name":"sales","score":5}]` for
/// `skills`. JSON `null` unsets the field. Text that is not JSON, or a value of the wrong type
/// (a list item included), fails with `YH_ERR_VALIDATION` naming the field
/// (`play_content[1]`, `skills[0].score`). The request is unchanged on failure.
#[no_mangle]
pub extern "C" fn yh_request_set_json(
    request: *mut yh_request,
    name: *const c_char,
    json: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    change(request, err_out, |r| {
        put_json(r, arg_str(name, "name")?, json)
    })
}

/// Unsets the field called `name` (snake_case): it is left out of the request, as if never
/// set. An unknown field fails with `YH_ERR_VALIDATION` naming it.
#[no_mangle]
pub extern "C" fn yh_request_unset(
    request: *mut yh_request,
    name: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    change(request, err_out, |r| {
        r.set(arg_str(name, "name")?, Value::Null)?;
        Ok(())
    })
}

/// Frees a request. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_request_free(request: *mut yh_request) {
    free_box(request);
}

/// Sends a request of any operation and waits for the answer. The request is checked first: a
/// missing required field or a broken rule fails with `YH_ERR_VALIDATION` naming the field, and
/// nothing is sent. Blocks until the platform answers or the client's timeout passes. Safe to
/// call from several threads on one client; `request` is only read and may be sent again.
///
/// On success writes a new `yh_response` to `*response_out` (free it with `yh_response_free`).
/// For an operation that places a call, an answer without a call id fails with
/// `YH_ERR_DECODE`. A `YH_ERR_TRANSPORT` or `YH_ERR_TIMEOUT` for which `yh_error_maybe_sent`
/// is true may have reached the platform: do not simply send it again.
#[no_mangle]
pub extern "C" fn yh_client_send(
    client: *const yh_client,
    request: *const yh_request,
    response_out: *mut *mut yh_response,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || send(client, request, None, response_out))
}

/// `yh_client_send` with settings for this request only (`yh_call_options`): its own timeout
/// instead of the client's. A timeout of 0 or above 24 hours fails with `YH_ERR_VALIDATION`,
/// field `timeout`, and nothing is sent.
#[no_mangle]
pub extern "C" fn yh_client_send_with(
    client: *const yh_client,
    request: *const yh_request,
    options: *const yh_call_options,
    response_out: *mut *mut yh_response,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let options = arg_ref(options, "options")?;
        send(client, request, Some(&options.inner), response_out)
    })
}

/// The body of `yh_client_send` and `yh_client_send_with`.
fn send(
    client: *const yh_client,
    request: *const yh_request,
    options: Option<&CallOptions>,
    response_out: *mut *mut yh_response,
) -> Res {
    let client = arg_ref(client, "client")?;
    let request = arg_ref(request, "request")?;
    let out = arg_out(response_out, "response_out")?;
    let data = client.send(&request.inner, options.unwrap_or(&CallOptions::default()))?;
    let call_id = match request.inner.operation().data {
        Data::Call => Some(c_string(&CallCreated::from_data(data.clone())?.call_id)),
        _ => None,
    };
    let json = c_string(&data.to_string());
    out.write_box(yh_response {
        len: json.as_bytes().len(),
        json,
        call_id,
    });
    Ok(())
}

/// Makes settings for one request, with nothing set: the client's apply.
///
/// On success writes a new `yh_call_options` to `*options_out` (free it with
/// `yh_call_options_free`).
#[no_mangle]
pub extern "C" fn yh_call_options_new(
    options_out: *mut *mut yh_call_options,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        arg_out(options_out, "options_out")?.write_box(yh_call_options {
            inner: CallOptions::default(),
        });
        Ok(())
    })
}

/// Sets the longest the request may take, connecting included, in milliseconds, instead of the
/// client's timeout. 0 and values above 86400000 (24 hours) are refused when the request is
/// sent (`YH_ERR_VALIDATION`, field `timeout`; nothing is sent).
#[no_mangle]
pub extern "C" fn yh_call_options_set_timeout_ms(
    options: *mut yh_call_options,
    timeout_ms: u64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        arg_mut(options, "options")?.inner.timeout = Some(Duration::from_millis(timeout_ms));
        Ok(())
    })
}

/// Frees settings for one request. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_call_options_free(options: *mut yh_call_options) {
    free_box(options);
}

/// Sends a request of an operation that places a call (run by the typed `yh_client_<operation>`
/// functions): a request of another operation fails with `YH_ERR_VALIDATION`, field `request`.
pub(crate) fn place_call(
    operation: &str,
    client: *const yh_client,
    request: *const yh_request,
    call_out: *mut *mut yh_call_created,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let client = arg_ref(client, "client")?;
        let request = arg_ref(request, "request")?;
        let out = arg_out(call_out, "call_out")?;
        let actual = request.inner.operation().name;
        if actual != operation {
            return Err(yunhuni::Error::validation(
                "request",
                format!("is a {actual} request; this function sends {operation} requests"),
            )
            .into());
        }
        let data = client.send(&request.inner, &CallOptions::default())?;
        out.write_box(CallCreated::from_data(data)?.into());
        Ok(())
    })
}

/// The answer's `data` as compact JSON text (`null`, `true`, a string, an object or a list, as
/// the operation's `yh_<operation>_new` describes it). Writes its length in bytes to `*len_out`
/// unless `len_out` is NULL. Borrowed from `response`: valid until `yh_response_free(response)`.
/// NULL if `response` is NULL.
#[no_mangle]
pub extern "C" fn yh_response_json(
    response: *const yh_response,
    len_out: *mut usize,
) -> *const c_char {
    value_guard(ptr::null(), || {
        let Some(r) = (unsafe { response.as_ref() }) else {
            return ptr::null();
        };
        if let Some(len) = unsafe { len_out.as_mut() } {
            *len = r.len;
        }
        r.json.as_ptr()
    })
}

/// The id of the call the platform placed, for the operations that place one (`duo_callback`,
/// `notify_call`, `verify_call`, `ivr_call`, `conf_invite_call`); NULL for other operations or if
/// `response` is NULL. Borrowed from `response`: valid until `yh_response_free(response)`.
#[no_mangle]
pub extern "C" fn yh_response_call_id(response: *const yh_response) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { response.as_ref() }
            .and_then(|r| r.call_id.as_ref())
            .map_or(ptr::null(), |c| c.as_ptr())
    })
}

/// Frees a response. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_response_free(response: *mut yh_response) {
    free_box(response);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn text(p: *const c_char) -> Option<String> {
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
    }

    #[test]
    fn operations_are_listed_with_static_names() {
        assert_eq!(yh_operation_count(), OPERATIONS.len());
        assert_eq!(
            text(yh_operation_name(0)).as_deref(),
            Some(OPERATIONS[0].name)
        );
        assert!(yh_operation_name(OPERATIONS.len()).is_null());
    }

    #[test]
    fn setters_name_the_field_and_leave_the_request_unchanged() {
        let mut request: *mut yh_request = ptr::null_mut();
        assert_eq!(
            yh_request_new(
                c"cancel_duo_callback".as_ptr(),
                &mut request,
                ptr::null_mut()
            ),
            yh_result::YH_OK
        );
        assert_eq!(
            text(yh_request_operation(request)).as_deref(),
            Some("duo_callback_cancel")
        );
        let mut err: *mut yh_error = ptr::null_mut();
        let r = yh_request_set_int(request, c"call_id".as_ptr(), 5, &mut err);
        assert_eq!(r, yh_result::YH_ERR_VALIDATION);
        assert_eq!(text(crate::yh_error_field(err)).as_deref(), Some("call_id"));
        crate::yh_error_free(err);
        let r = yh_request_set_json(request, c"call_id".as_ptr(), c"[1,".as_ptr(), &mut err);
        assert_eq!(r, yh_result::YH_ERR_VALIDATION);
        assert_eq!(text(crate::yh_error_field(err)).as_deref(), Some("call_id"));
        crate::yh_error_free(err);
        assert!(unsafe { &*request }.inner.get("call_id").is_none());
        yh_request_free(request);
    }
}
