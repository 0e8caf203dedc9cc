//! Webhook events: parsing, the generic view, and typed accessors for the simple-call events.
//!
//! Typed accessors share one convention: they return `YH_OK` and write `*out` when the field is
//! present, `YH_ABSENT` (nothing written) when the event does not carry it,
//! `YH_ERR_WRONG_EVENT` when the event is of another type, and `YH_ERR_NULL_ARGUMENT` when a
//! pointer is NULL. They make no error object.

use crate::boundary::{arg_bytes, arg_out, guard};
use crate::error::{yh_error, yh_result};
use crate::logging::init_from_env;
use crate::util::{c_string, free_box, value_guard};
use std::ffi::{c_char, CString};
use std::ptr;
use yunhuni::{DuoCallbackEnd, Event, NotifyCallEnd};

/// The type of a parsed event, from `yh_event_get_type`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum yh_event_type {
    /// Returned for a NULL event.
    YH_EVENT_NONE = 0,
    /// `duo_callback.end`: read it with the `yh_event_duo_*` accessors.
    YH_EVENT_DUO_CALLBACK_END = 1,
    /// `notify_call.end` (also the normal end of a verification call): read it with the
    /// `yh_event_notify_*` accessors.
    YH_EVENT_NOTIFY_CALL_END = 2,
    /// `verify_call.end`: same fields as `notify_call.end`, read with the `yh_event_notify_*`
    /// accessors.
    YH_EVENT_VERIFY_CALL_END = 3,
    /// Any other event, documented or not: read it with `yh_event_json`.
    YH_EVENT_OTHER = 4,
}

/// A parsed webhook event. Made by `yh_event_parse`, freed once by `yh_event_free`. Never
/// changed after parsing, so it may be read from several threads at once. Strings read from it
/// are borrowed from it and stay valid until it is freed.
pub struct yh_event {
    inner: Event,
    name: CString,
    raw: CString,
    json: CString,
    id: Option<CString>,
    text: Text,
}

/// C copies of the string fields of a typed event.
enum Text {
    Duo(DuoText),
    Notify(NotifyText),
    Other,
}

struct DuoText {
    id: Option<CString>,
    subaccount_id: Option<CString>,
    reason: Option<CString>,
    error: Option<CString>,
    user_data: Option<CString>,
    record_file: Option<CString>,
    outcome: CString,
}

struct NotifyText {
    id: Option<CString>,
    subaccount_id: Option<CString>,
    hangup_by: Option<CString>,
    dropped_by: Option<CString>,
    reason: Option<CString>,
    error: Option<CString>,
    user_data: Option<CString>,
    ended_by: Option<CString>,
}

fn opt(s: &Option<String>) -> Option<CString> {
    s.as_deref().map(c_string)
}

impl From<Event> for yh_event {
    fn from(inner: Event) -> Self {
        let text = match &inner {
            Event::DuoCallbackEnd(e) => Text::Duo(DuoText {
                id: opt(&e.id),
                subaccount_id: opt(&e.subaccount_id),
                reason: opt(&e.reason),
                error: opt(&e.error),
                user_data: opt(&e.user_data),
                record_file: opt(&e.record_file),
                outcome: c_string(e.outcome().as_str()),
            }),
            Event::NotifyCallEnd(e) | Event::VerifyCallEnd(e) => Text::Notify(NotifyText {
                id: opt(&e.id),
                subaccount_id: opt(&e.subaccount_id),
                hangup_by: opt(&e.hangup_by),
                dropped_by: opt(&e.dropped_by),
                reason: opt(&e.reason),
                error: opt(&e.error),
                user_data: opt(&e.user_data),
                ended_by: e.ended_by().map(|b| c_string(b.as_str())),
            }),
            Event::Other(_) => Text::Other,
        };
        yh_event {
            name: c_string(inner.name()),
            raw: c_string(inner.raw_json()),
            json: c_string(&inner.to_value().to_string()),
            id: inner.id().map(c_string),
            text,
            inner,
        }
    }
}

/// Parses a webhook body: the `len` bytes at `body`, exactly as POSTed (UTF-8, or the ISO-8859-1
/// the platform really sends). Bodies that are not a JSON object with a string `event`, or whose
/// fields have the wrong types, fail with `YH_ERR_DECODE` (the field, when known, names the key).
/// Never crashes on any input. With `YUNHUNI_LOG=debug` in the environment each parsed event is
/// logged to stderr (its name and id).
///
/// On success writes a new event to `*event_out` (free it with `yh_event_free`). The bytes are
/// copied; they need not outlive the call.
#[no_mangle]
pub extern "C" fn yh_event_parse(
    body: *const u8,
    len: usize,
    event_out: *mut *mut yh_event,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let body = arg_bytes(body, len, "body")?;
        let out = arg_out(event_out, "event_out")?;
        init_from_env();
        out.write_box(yh_event::from(Event::parse(body)?));
        Ok(())
    })
}

/// Frees an event. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_event_free(event: *mut yh_event) {
    free_box(event);
}

/// The type of the event; `YH_EVENT_NONE` if `event` is NULL.
#[no_mangle]
pub extern "C" fn yh_event_get_type(event: *const yh_event) -> yh_event_type {
    value_guard(yh_event_type::YH_EVENT_NONE, || {
        match unsafe { event.as_ref() }.map(|e| &e.inner) {
            None => yh_event_type::YH_EVENT_NONE,
            Some(Event::DuoCallbackEnd(_)) => yh_event_type::YH_EVENT_DUO_CALLBACK_END,
            Some(Event::NotifyCallEnd(_)) => yh_event_type::YH_EVENT_NOTIFY_CALL_END,
            Some(Event::VerifyCallEnd(_)) => yh_event_type::YH_EVENT_VERIFY_CALL_END,
            Some(Event::Other(_)) => yh_event_type::YH_EVENT_OTHER,
        }
    })
}

/// The `event` name, for example `"duo_callback.end"`. Borrowed from `event`. NULL if `event` is
/// NULL.
#[no_mangle]
pub extern "C" fn yh_event_name(event: *const yh_event) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { event.as_ref() }.map_or(ptr::null(), |e| e.name.as_ptr())
    })
}

/// The call or resource id (`id`) of any event that has one, else NULL. Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_id(event: *const yh_event) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { event.as_ref() }
            .and_then(|e| e.id.as_ref())
            .map_or(ptr::null(), |s| s.as_ptr())
    })
}

/// The body as text (decoded as UTF-8, or as ISO-8859-1 when it is not UTF-8). Writes its
/// length in bytes to `*len_out` unless `len_out` is NULL. Borrowed from `event`. NULL if
/// `event` is NULL.
#[no_mangle]
pub extern "C" fn yh_event_raw_json(event: *const yh_event, len_out: *mut usize) -> *const c_char {
    value_guard(ptr::null(), || text_with_len(event, len_out, |e| &e.raw))
}

/// The canonical view of the event as compact JSON, the same in every language of the SDK: an
/// object with snake_case keys, every typed field present (`null` when absent), `type`, and for
/// `duo_callback.end` also `outcome` and `talk_seconds`; other events are
/// `{"type":"event","event":...,"fields":{...}}`. Writes its length in bytes to `*len_out`
/// unless `len_out` is NULL. Borrowed from `event`. NULL if `event` is NULL.
#[no_mangle]
pub extern "C" fn yh_event_json(event: *const yh_event, len_out: *mut usize) -> *const c_char {
    value_guard(ptr::null(), || text_with_len(event, len_out, |e| &e.json))
}

fn text_with_len(
    event: *const yh_event,
    len_out: *mut usize,
    pick: impl FnOnce(&yh_event) -> &CString,
) -> *const c_char {
    let Some(event) = (unsafe { event.as_ref() }) else {
        return ptr::null();
    };
    let s = pick(event);
    if !len_out.is_null() {
        // SAFETY: checked non-NULL; points to writable storage by contract.
        unsafe { len_out.write(s.as_bytes().len()) };
    }
    s.as_ptr()
}

/// Reads a field of a typed event into `*out`.
fn read<T, V>(
    event: *const yh_event,
    out: *mut V,
    pick: impl FnOnce(&yh_event) -> Option<&T>,
    field: impl FnOnce(&T) -> Option<V>,
) -> yh_result {
    value_guard(yh_result::YH_ERR_PANIC, || {
        let (Some(event), false) = (unsafe { event.as_ref() }, out.is_null()) else {
            return yh_result::YH_ERR_NULL_ARGUMENT;
        };
        let Some(typed) = pick(event) else {
            return yh_result::YH_ERR_WRONG_EVENT;
        };
        match field(typed) {
            Some(value) => {
                // SAFETY: checked non-NULL; points to writable storage by contract.
                unsafe { out.write(value) };
                yh_result::YH_OK
            }
            None => yh_result::YH_ABSENT,
        }
    })
}

fn duo(e: &yh_event) -> Option<&DuoCallbackEnd> {
    match &e.inner {
        Event::DuoCallbackEnd(d) => Some(d),
        _ => None,
    }
}

fn duo_text(e: &yh_event) -> Option<&DuoText> {
    match &e.text {
        Text::Duo(t) => Some(t),
        _ => None,
    }
}

fn notify(e: &yh_event) -> Option<&NotifyCallEnd> {
    match &e.inner {
        Event::NotifyCallEnd(n) | Event::VerifyCallEnd(n) => Some(n),
        _ => None,
    }
}

fn notify_text(e: &yh_event) -> Option<&NotifyText> {
    match &e.text {
        Text::Notify(t) => Some(t),
        _ => None,
    }
}

fn c(s: &Option<CString>) -> Option<*const c_char> {
    s.as_ref().map(|s| s.as_ptr())
}

/// `duo_callback.end` `id`: the call id returned when the callback was placed. Borrowed from
/// `event`.
#[no_mangle]
pub extern "C" fn yh_event_duo_id(event: *const yh_event, out: *mut *const c_char) -> yh_result {
    read(event, out, duo_text, |t| c(&t.id))
}

/// `duo_callback.end` `subaccount_id`: the sub-account that placed the call. Borrowed from
/// `event`.
#[no_mangle]
pub extern "C" fn yh_event_duo_subaccount_id(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, duo_text, |t| c(&t.subaccount_id))
}

/// `duo_callback.end` `begin_time`: when dialling party 1 started, epoch milliseconds.
#[no_mangle]
pub extern "C" fn yh_event_duo_begin_time(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, duo, |d| d.begin_time)
}

/// `duo_callback.end` `answer_time1`: when party 1 answered, epoch milliseconds.
#[no_mangle]
pub extern "C" fn yh_event_duo_answer_time1(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, duo, |d| d.answer_time1)
}

/// `duo_callback.end` `answer_time2`: when party 2 answered (the two were connected), epoch
/// milliseconds.
#[no_mangle]
pub extern "C" fn yh_event_duo_answer_time2(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, duo, |d| d.answer_time2)
}

/// `duo_callback.end` `end_time`: when the conversation ended, epoch milliseconds (only sent when
/// the parties were connected).
#[no_mangle]
pub extern "C" fn yh_event_duo_end_time(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, duo, |d| d.end_time)
}

/// `duo_callback.end` `hangup_by`: who hung up, 0 the platform, 1 party 1, 2 party 2.
#[no_mangle]
pub extern "C" fn yh_event_duo_hangup_by(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, duo, |d| d.hangup_by)
}

/// `duo_callback.end` `duration`: conversation seconds as the docs show it (the real server does
/// not send it; see `yh_event_duo_talk_seconds`).
#[no_mangle]
pub extern "C" fn yh_event_duo_duration(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, duo, |d| d.duration)
}

/// `duo_callback.end` `reason`: failure reason (documented, never sent in practice). Borrowed
/// from `event`.
#[no_mangle]
pub extern "C" fn yh_event_duo_reason(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, duo_text, |t| c(&t.reason))
}

/// `duo_callback.end` `error`: `"connect timeout"`, `"connect error"`, or `"????"` when the
/// platform could not start the call. Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_duo_error(event: *const yh_event, out: *mut *const c_char) -> yh_result {
    read(event, out, duo_text, |t| c(&t.error))
}

/// `duo_callback.end` `user_data`: the data given when the call was placed. Borrowed from
/// `event`.
#[no_mangle]
pub extern "C" fn yh_event_duo_user_data(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, duo_text, |t| c(&t.user_data))
}

/// `duo_callback.end` `record_file`: recording file name (documented, never sent in practice).
/// Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_duo_record_file(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, duo_text, |t| c(&t.record_file))
}

/// How the voice callback ended, always present: `"connected"`, `"party1_not_reached"`,
/// `"party2_not_reached"`, `"max_duration_reached"`, `"bridge_error"` or `"platform_failure"`.
/// Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_duo_outcome(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, duo_text, |t| Some(t.outcome.as_ptr()))
}

/// Seconds the two parties talked, always present: `duration` when sent, else
/// `(end_time - answer_time2) / 1000`, else 0.
#[no_mangle]
pub extern "C" fn yh_event_duo_talk_seconds(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, duo, |d| Some(d.talk_seconds()))
}

/// `notify_call.end` / `verify_call.end` `id`: the call id. Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_notify_id(event: *const yh_event, out: *mut *const c_char) -> yh_result {
    read(event, out, notify_text, |t| c(&t.id))
}

/// `notify_call.end` / `verify_call.end` `subaccount_id`. Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_notify_subaccount_id(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, notify_text, |t| c(&t.subaccount_id))
}

/// `notify_call.end` / `verify_call.end` `begin_time`: when dialling started, epoch milliseconds.
#[no_mangle]
pub extern "C" fn yh_event_notify_begin_time(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, notify, |n| n.begin_time)
}

/// `notify_call.end` / `verify_call.end` `answer_time`: when the call was answered, epoch
/// milliseconds.
#[no_mangle]
pub extern "C" fn yh_event_notify_answer_time(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, notify, |n| n.answer_time)
}

/// `notify_call.end` / `verify_call.end` `end_time` (or the docs' spelling `end_tinme`): when the
/// call ended, epoch milliseconds.
#[no_mangle]
pub extern "C" fn yh_event_notify_end_time(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, notify, |n| n.end_time)
}

/// `notify_call.end` / `verify_call.end` `duration`: call seconds as the docs show it (the real
/// server does not send it).
#[no_mangle]
pub extern "C" fn yh_event_notify_duration(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, notify, |n| n.duration)
}

/// `notify_call.end` / `verify_call.end` `hangup_by` as sent: `"usr"`/`"sys"` from the server
/// for a verification call, `"0"`/`"1"` in the docs. Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_notify_hangup_by(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, notify_text, |t| c(&t.hangup_by))
}

/// `notify_call.end` / `verify_call.end` `dropped_by` as sent by the server for a notification:
/// `"usr"` or `"sys"`. Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_notify_dropped_by(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, notify_text, |t| c(&t.dropped_by))
}

/// Who ended the call, from `dropped_by` (else `hangup_by`): `"user"` or `"platform"`;
/// `YH_ABSENT` when neither says. Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_notify_ended_by(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, notify_text, |t| c(&t.ended_by))
}

/// `notify_call.end` / `verify_call.end` `reason` (documented, never sent in practice).
/// Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_notify_reason(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, notify_text, |t| c(&t.reason))
}

/// `notify_call.end` / `verify_call.end` `error`: `"ring timeout"`, `"dial failed"`,
/// `"dial error"`, `"play error"` or `"????"`. Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_notify_error(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, notify_text, |t| c(&t.error))
}

/// `notify_call.end` / `verify_call.end` `user_data`: the data given when the call was placed.
/// Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_notify_user_data(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, notify_text, |t| c(&t.user_data))
}
