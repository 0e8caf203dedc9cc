//! Webhook events: parsing, the generic view, and typed accessors for the typed events.
//!
//! The accessor of each key of a typed event (`events_gen.rs`) is generated from core's event
//! declarations and calls one of the per-type readers here (`str_key`, `int_key`); the derived
//! values (outcome, talk seconds, ended by) are written here.
//!
//! Typed accessors share one convention: they return `YH_OK` and write `*out` when the field is
//! present, `YH_ABSENT` (nothing written) when the event does not carry it,
//! `YH_ERR_WRONG_EVENT` when the event is of another type, and `YH_ERR_NULL_ARGUMENT` when a
//! pointer is NULL. They make no error object.

use crate::boundary::{arg_bytes, arg_out, guard};
use crate::error::{yh_error, yh_result};
use crate::events_gen::event_type;
pub use crate::events_gen::yh_event_type;
use crate::logging::init_from_env;
use crate::util::{c_string, free_box, value_guard};
use serde_json::Value;
use std::ffi::{c_char, CString};
use std::ptr;
use yunhuni::event_decls::{self, KeyType};
use yunhuni::ivr::IVR_START;
use yunhuni::{DuoCallbackEnd, Event};

/// A parsed webhook event. Made by `yh_event_parse`, freed once by `yh_event_free`. Never
/// changed after parsing, so it may be read from several threads at once. Strings read from it
/// are borrowed from it and stay valid until it is freed.
pub struct yh_event {
    inner: Event,
    name: CString,
    raw: CString,
    json: CString,
    id: Option<CString>,
    /// The Rust type of a typed event (`DuoCallbackEnd`) from its declaration, `IvrStart` for
    /// `ivr_start`, else `None`.
    rust_type: Option<&'static str>,
    /// The keys of a typed event that it carries, from core's canonical view.
    keys: Vec<(&'static str, KeyValue)>,
    /// `duo_callback.end`'s outcome.
    outcome: Option<CString>,
    /// `notify_call.end` / `verify_call.end`'s ended-by, when known.
    ended_by: Option<CString>,
}

/// A key of a typed event as C reads it: a C copy of its text, or its integer (times included).
enum KeyValue {
    Str(CString),
    Int(i64),
}

impl KeyValue {
    /// The value of a key of type `ty` in core's canonical view; `None` when it is absent.
    fn from_view(ty: KeyType, value: &Value) -> Option<Self> {
        match ty {
            KeyType::Str => value.as_str().map(|s| KeyValue::Str(c_string(s))),
            KeyType::Int | KeyType::Time => value.as_i64().map(KeyValue::Int),
        }
    }
}

impl From<Event> for yh_event {
    fn from(inner: Event) -> Self {
        let view = inner.to_value();
        let decl = match &inner {
            Event::Other(_) | Event::IvrStart(_) => None,
            typed => event_decls::event(typed.name()),
        };
        let (rust_type, keys) = match (&inner, decl) {
            (Event::IvrStart(_), _) => (
                Some("IvrStart"),
                IVR_START
                    .keys
                    .iter()
                    .filter_map(|k| {
                        Some((
                            k.name,
                            KeyValue::from_view(KeyType::Str, view.get(k.name)?)?,
                        ))
                    })
                    .collect(),
            ),
            (_, Some(d)) => (
                d.rust_type,
                d.keys
                    .iter()
                    .filter_map(|k| Some((k.field, KeyValue::from_view(k.ty, view.get(k.field)?)?)))
                    .collect(),
            ),
            (_, None) => (None, Vec::new()),
        };
        let (outcome, ended_by) = match &inner {
            Event::DuoCallbackEnd(e) => (Some(c_string(e.outcome().as_str())), None),
            Event::NotifyCallEnd(e) | Event::VerifyCallEnd(e) => {
                (None, e.ended_by().map(|b| c_string(b.as_str())))
            }
            _ => (None, None),
        };
        yh_event {
            name: c_string(inner.name()),
            raw: c_string(inner.raw_json()),
            json: c_string(&view.to_string()),
            id: inner.id().map(c_string),
            rust_type,
            keys,
            outcome,
            ended_by,
            inner,
        }
    }
}

/// Parses a webhook body: the `len` bytes at `body`, exactly as POSTed (UTF-8, or the ISO-8859-1
/// the platform really sends). Also parses the `ivr_start` request the platform POSTs to an IVR
/// application's URL (type `YH_EVENT_IVR_START`, read with the `yh_event_ivr_start_*`
/// accessors). Bodies that are not a JSON object with a string `event` (or an `action`
/// `ivr_start`), or whose fields have the wrong types, fail with `YH_ERR_DECODE` (the field, when
/// known, names the key).
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
        unsafe { event.as_ref() }.map_or(yh_event_type::YH_EVENT_NONE, |e| event_type(&e.inner))
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
fn read<T: ?Sized, V>(
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

/// Reads the key `key` of a typed event whose Rust type is `rust_type` into `*out`: the
/// `yh_event_<event>_<key>` accessors of the keys of every type. `pick` takes the value when it
/// is of the accessor's C type.
fn read_key<V>(
    event: *const yh_event,
    out: *mut V,
    rust_type: &str,
    key: &str,
    pick: impl FnOnce(&KeyValue) -> Option<V>,
) -> yh_result {
    read(
        event,
        out,
        |e| (e.rust_type == Some(rust_type)).then_some(e),
        |e| {
            let (_, value) = e.keys.iter().find(|(name, _)| *name == key)?;
            pick(value)
        },
    )
}

/// The accessor of a text key: borrowed from `event`.
pub(crate) fn str_key(
    event: *const yh_event,
    out: *mut *const c_char,
    rust_type: &str,
    key: &str,
) -> yh_result {
    read_key(event, out, rust_type, key, |v| match v {
        KeyValue::Str(s) => Some(s.as_ptr()),
        KeyValue::Int(_) => None,
    })
}

/// The accessor of an integer key, and of a time key (epoch milliseconds).
pub(crate) fn int_key(
    event: *const yh_event,
    out: *mut i64,
    rust_type: &str,
    key: &str,
) -> yh_result {
    read_key(event, out, rust_type, key, |v| match v {
        KeyValue::Int(i) => Some(*i),
        KeyValue::Str(_) => None,
    })
}

fn duo(e: &yh_event) -> Option<&DuoCallbackEnd> {
    match &e.inner {
        Event::DuoCallbackEnd(d) => Some(d),
        _ => None,
    }
}

fn notify(e: &yh_event) -> Option<&yh_event> {
    match &e.inner {
        Event::NotifyCallEnd(_) | Event::VerifyCallEnd(_) => Some(e),
        _ => None,
    }
}

// The accessors of each key of the typed events (`yh_event_duo_begin_time`, ...) are generated
// into `events_gen.rs`; the derived values below call core's methods.

/// How the voice callback ended, always present: `"connected"`, `"party1_not_reached"`,
/// `"party2_not_reached"`, `"max_duration_reached"`, `"bridge_error"` or `"platform_failure"`.
/// Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_duo_outcome(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(
        event,
        out,
        |e| duo(e).and(e.outcome.as_ref()),
        |s| Some(s.as_ptr()),
    )
}

/// Seconds the two parties talked, always present: `duration` when sent, else
/// `(end_time - answer_time2) / 1000`, else 0.
#[no_mangle]
pub extern "C" fn yh_event_duo_talk_seconds(event: *const yh_event, out: *mut i64) -> yh_result {
    read(event, out, duo, |d| Some(d.talk_seconds()))
}

/// Who ended the call, from `dropped_by` (else `hangup_by`): `"user"` or `"platform"`;
/// `YH_ABSENT` when neither says. Borrowed from `event`.
#[no_mangle]
pub extern "C" fn yh_event_notify_ended_by(
    event: *const yh_event,
    out: *mut *const c_char,
) -> yh_result {
    read(event, out, notify, |e| {
        e.ended_by.as_ref().map(|s| s.as_ptr())
    })
}
