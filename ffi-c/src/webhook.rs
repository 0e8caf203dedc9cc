//! Receiving webhooks: core's `yunhuni::webhook::Receiver` as opaque C handles.
//!
//! A receiver checks the URL token and the size (`yh_webhook_check_head` before the body is
//! read, `yh_webhook_receive` with it), parses the event and remembers the deliveries it has
//! seen; a delivery hands back the event (read with the `yh_event_*` accessors), its key, whether
//! it is a duplicate, and the response to send.

use crate::boundary::{arg_bytes, arg_out, arg_ref, guard};
use crate::error::{yh_error, yh_result, Fail};
use crate::events::yh_event;
use crate::logging::init_from_env;
use crate::util::{c_string, free_box, value_guard};
use std::borrow::Cow;
use std::ffi::{c_char, CStr, CString};
use std::ptr;
use std::time::Duration;
use yunhuni::webhook::{self, MemoryStore, Receiver};

/// `store` of `yh_webhook_receiver_new`: remember deliveries in this process, bounded in entries
/// and in time (its `capacity` and `ttl_ms`). Processes do not share it.
pub const YH_WEBHOOK_STORE_MEMORY: u32 = 0;
/// `store` of `yh_webhook_receiver_new`: remember nothing, every delivery is reported as new.
/// For code that claims the delivery's key in a store of its own (Redis: `SET <prefix><key> 1
/// NX PX <ttl>`, see `yh_webhook_redis_key_prefix` and `yh_webhook_default_ttl_ms`).
pub const YH_WEBHOOK_STORE_NONE: u32 = 1;

/// A webhook receiver. Made by `yh_webhook_receiver_new`, freed once by
/// `yh_webhook_receiver_free`. May be used by several threads at once.
pub struct yh_webhook_receiver {
    inner: Receiver,
}

/// One delivery received: the event and the answer to send. Made by `yh_webhook_receive`,
/// freed once by `yh_webhook_delivery_free`. Never changed after it is made.
pub struct yh_webhook_delivery {
    event: yh_event,
    key: CString,
    duplicate: bool,
    to_claim: bool,
    status: u16,
    body: CString,
}

/// Makes a webhook receiver.
///
/// - `token`: the URL token required in each delivery's query (`?token=...`, compared in
///   constant time; 1 to 256 bytes), or NULL for none. Put it, percent-encoded, in the callback
///   URL you give the platform.
/// - `token_param`: the query parameter that carries it, or NULL for `"token"`.
/// - `max_body`: the largest body accepted, in bytes (1 to 1 MiB); 0 for 1 MiB.
/// - `store`: `YH_WEBHOOK_STORE_MEMORY` (0) or `YH_WEBHOOK_STORE_NONE` (1).
/// - `capacity`: the most deliveries the memory store remembers (1 to 10,000,000; the oldest
///   is forgotten first); 0 for 100,000. Ignored without a store.
/// - `ttl_ms`: how long the memory store remembers a delivery, in milliseconds (at most 30
///   days); 0 for `yh_webhook_default_ttl_ms()` (one hour). Ignored without a store.
///
/// A value out of its range fails with `YH_ERR_VALIDATION` naming it (`token`, `token_param`,
/// `max_body`, `store`, `capacity`, `ttl_ms`). On success writes a new receiver to `*receiver_out`.
#[no_mangle]
pub extern "C" fn yh_webhook_receiver_new(
    token: *const c_char,
    token_param: *const c_char,
    max_body: usize,
    store: u32,
    capacity: usize,
    ttl_ms: u64,
    receiver_out: *mut *mut yh_webhook_receiver,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let out = arg_out(receiver_out, "receiver_out")?;
        init_from_env();
        let mut builder = Receiver::builder();
        if !token.is_null() {
            builder = builder.token(crate::boundary::arg_str(token, "token")?);
        }
        if !token_param.is_null() {
            builder = builder.token_param(crate::boundary::arg_str(token_param, "token_param")?);
        }
        if max_body != 0 {
            builder = builder.max_body(max_body);
        }
        builder = match store {
            YH_WEBHOOK_STORE_NONE => builder.no_store(),
            YH_WEBHOOK_STORE_MEMORY => {
                let capacity = match capacity {
                    0 => MemoryStore::DEFAULT_CAPACITY,
                    n => n,
                };
                let ttl = match ttl_ms {
                    0 => webhook::DEFAULT_TTL,
                    ms => Duration::from_millis(ms),
                };
                let memory = MemoryStore::new(capacity, ttl).map_err(|e| {
                    e.rename_field(|f| {
                        if f == "ttl" {
                            "ttl_ms".into()
                        } else {
                            f.into()
                        }
                    })
                })?;
                builder.store(memory)
            }
            other => {
                return Err(yunhuni::Error::validation(
                    "store",
                    format!("is {other}; it must be YH_WEBHOOK_STORE_MEMORY (0) or YH_WEBHOOK_STORE_NONE (1)"),
                )
                .into())
            }
        };
        out.write_box(yh_webhook_receiver {
            inner: builder.build()?,
        });
        Ok(())
    })
}

/// Frees a receiver. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_webhook_receiver_free(receiver: *mut yh_webhook_receiver) {
    free_box(receiver);
}

/// The query string as text: it comes from the network, so bytes that are not UTF-8 are read
/// as U+FFFD (a token can then only fail to match) rather than refused as an argument.
fn query_text<'a>(query: *const c_char) -> Result<Cow<'a, str>, Fail> {
    if query.is_null() {
        return Err(Fail::null("query"));
    }
    // SAFETY: non-NULL and, by the API's contract, NUL-terminated.
    Ok(unsafe { CStr::from_ptr(query) }.to_string_lossy())
}

/// The checks to run BEFORE reading a request's body: the URL token in `query` (the request
/// URL's query string, without `?`; `""` when it has none) and `content_length` (the request's
/// `Content-Length`; -1 when it has none) against the receiver's `max_body`.
///
/// `YH_OK` when the body may be read. Otherwise the error's `yh_error_status` is the status to
/// answer: 401 (`YH_ERR_AUTH`, field `token`: the URL has no token), 403 (`YH_ERR_AUTH`, field
/// `token`: a wrong token), 413 (`YH_ERR_DECODE`, field `body`: too large; do not read it).
/// Bytes of `query` that are not UTF-8 are read as U+FFFD (so a token containing them fails to
/// match) rather than refused.
#[no_mangle]
pub extern "C" fn yh_webhook_check_head(
    receiver: *const yh_webhook_receiver,
    query: *const c_char,
    content_length: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let receiver = arg_ref(receiver, "receiver")?;
        let query = query_text(query)?;
        let length = u64::try_from(content_length).ok();
        receiver.inner.check_head(&query, length)?;
        Ok(())
    })
}

/// Receives one delivery: the `len` bytes at `body`, exactly as POSTed, and the request's
/// `query` (as for `yh_webhook_check_head`). Checks the token and the size again, parses the
/// event (as `yh_event_parse` does) and claims its key in the receiver's store.
///
/// On success writes a new delivery to `*delivery_out` (free it with
/// `yh_webhook_delivery_free`): answer `yh_webhook_delivery_status` with
/// `yh_webhook_delivery_body` (as `text/plain`) at once, then handle the event unless
/// `yh_webhook_delivery_duplicate`. On failure the error's `yh_error_status` is the status to
/// answer: 401 or 403 (token), 413 (too large), 400 (`YH_ERR_DECODE`: not an event the
/// platform sends; the field names the key at fault when there is one).
#[no_mangle]
pub extern "C" fn yh_webhook_receive(
    receiver: *const yh_webhook_receiver,
    query: *const c_char,
    body: *const u8,
    len: usize,
    delivery_out: *mut *mut yh_webhook_delivery,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let receiver = arg_ref(receiver, "receiver")?;
        let query = query_text(query)?;
        let body = arg_bytes(body, len, "body")?;
        let out = arg_out(delivery_out, "delivery_out")?;
        let d = receiver.inner.receive(&query, body)?;
        out.write_box(yh_webhook_delivery {
            key: c_string(&d.key),
            duplicate: d.duplicate,
            to_claim: d.to_claim,
            status: d.status,
            body: c_string(d.body),
            event: yh_event::from(d.event),
        });
        Ok(())
    })
}

/// Forgets a delivery's key in the receiver's store, so that the platform's next attempt with
/// the same body is handled as new: call it when handling the event failed, and answer a
/// status other than 200 (500) so that the platform sends it again. `YH_OK` without a store.
#[no_mangle]
pub extern "C" fn yh_webhook_release(
    receiver: *const yh_webhook_receiver,
    key: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let receiver = arg_ref(receiver, "receiver")?;
        let key = crate::boundary::arg_str(key, "key")?;
        receiver.inner.release(key)?;
        Ok(())
    })
}

/// Frees a delivery (and its event). NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_webhook_delivery_free(delivery: *mut yh_webhook_delivery) {
    free_box(delivery);
}

/// The delivery's event, read with the `yh_event_*` accessors (`yh_event_get_type`,
/// `yh_event_name`, the typed accessors...). Borrowed from `delivery`: never pass it to
/// `yh_event_free`. NULL if `delivery` is NULL.
#[no_mangle]
pub extern "C" fn yh_webhook_delivery_event(
    delivery: *const yh_webhook_delivery,
) -> *const yh_event {
    value_guard(ptr::null(), || {
        unsafe { delivery.as_ref() }.map_or(ptr::null(), |d| &d.event as *const yh_event)
    })
}

/// What identifies the delivery (`<event>:<id>:<16 hex digits of the body's digest>`, at most
/// 147 bytes of ASCII letters, digits and `._-:`), the key to claim in a store of your own or to
/// pass to `yh_webhook_release`. Borrowed from `delivery`. NULL if `delivery` is NULL.
#[no_mangle]
pub extern "C" fn yh_webhook_delivery_key(delivery: *const yh_webhook_delivery) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { delivery.as_ref() }.map_or(ptr::null(), |d| d.key.as_ptr())
    })
}

/// True when the receiver's store had seen this delivery (the platform sent it again because an
/// earlier attempt got no 200 in time): answer it, and do not handle it again. False if
/// `delivery` is NULL.
#[no_mangle]
pub extern "C" fn yh_webhook_delivery_duplicate(delivery: *const yh_webhook_delivery) -> bool {
    value_guard(false, || {
        unsafe { delivery.as_ref() }.is_some_and(|d| d.duplicate)
    })
}

/// True when the delivery's key is still to be claimed in a store of your own (a receiver made
/// with `YH_WEBHOOK_STORE_NONE`, and a delivery that is an event, not `ivr_start`): claim it
/// (Redis: `SET <prefix><key> 1 NX PX <ttl>`); when it was there already, the delivery is a
/// duplicate. False if `delivery` is NULL.
#[no_mangle]
pub extern "C" fn yh_webhook_delivery_to_claim(delivery: *const yh_webhook_delivery) -> bool {
    value_guard(false, || {
        unsafe { delivery.as_ref() }.is_some_and(|d| d.to_claim)
    })
}

/// The HTTP status to answer (200). 0 if `delivery` is NULL.
#[no_mangle]
pub extern "C" fn yh_webhook_delivery_status(delivery: *const yh_webhook_delivery) -> u16 {
    value_guard(0, || unsafe { delivery.as_ref() }.map_or(0, |d| d.status))
}

/// The body to answer, as `text/plain` (`"ok"`). Borrowed from `delivery`. NULL if `delivery`
/// is NULL.
#[no_mangle]
pub extern "C" fn yh_webhook_delivery_body(delivery: *const yh_webhook_delivery) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { delivery.as_ref() }.map_or(ptr::null(), |d| d.body.as_ptr())
    })
}

/// What Redis stores put before a delivery's key, in every language (`"yunhuni:webhook:"`):
/// claim with `SET <prefix><key> 1 NX PX <ttl ms>`, release with `DEL <prefix><key>`. Static.
#[no_mangle]
pub extern "C" fn yh_webhook_redis_key_prefix() -> *const c_char {
    static PREFIX: std::sync::OnceLock<CString> = std::sync::OnceLock::new();
    value_guard(ptr::null(), || {
        PREFIX
            .get_or_init(|| c_string(webhook::REDIS_KEY_PREFIX))
            .as_ptr()
    })
}

/// How long stores remember a delivery by default, in milliseconds (one hour; the platform's
/// re-sends all come within about a minute).
#[no_mangle]
pub extern "C" fn yh_webhook_default_ttl_ms() -> u64 {
    webhook::DEFAULT_TTL.as_millis() as u64
}

/// A text of core's lease protocol, by name: `"claim"`, `"renew"`, `"complete"`, `"release"` (the
/// Redis Lua scripts every language's Redis store runs: `EVAL <it> 1 <prefix><key> <owner>
/// [<ms>]`, see core's `webhook::REDIS_CLAIM_SCRIPT` and the others), `"pending_prefix"` (`p:`,
/// what a pending key's value, its owner, starts with) or `"done_value"` (`d`). NULL for another
/// name or NULL. Static.
#[no_mangle]
pub extern "C" fn yh_webhook_lease_text(name: *const c_char) -> *const c_char {
    static TEXTS: std::sync::OnceLock<Vec<(&'static str, CString)>> = std::sync::OnceLock::new();
    value_guard(ptr::null(), || {
        if name.is_null() {
            return ptr::null();
        }
        // SAFETY: the caller passes a NUL-terminated string (checked for NULL above).
        let name = unsafe { std::ffi::CStr::from_ptr(name) };
        let texts = TEXTS.get_or_init(|| {
            [
                ("claim", webhook::REDIS_CLAIM_SCRIPT),
                ("renew", webhook::REDIS_RENEW_SCRIPT),
                ("complete", webhook::REDIS_COMPLETE_SCRIPT),
                ("release", webhook::REDIS_RELEASE_SCRIPT),
                ("pending_prefix", webhook::PENDING_PREFIX),
                ("done_value", webhook::DONE_VALUE),
            ]
            .into_iter()
            .map(|(n, t)| (n, c_string(t)))
            .collect()
        });
        texts
            .iter()
            .find(|(n, _)| n.as_bytes() == name.to_bytes())
            .map_or(ptr::null(), |(_, t)| t.as_ptr())
    })
}

/// A time of core's lease protocol, in milliseconds, by name: `"lease"` (how long a handler holds
/// a key before it must renew it, 2,000), `"wait"` (how long a re-send waits for a key another
/// handler holds, 4,000), `"poll"` (how often it looks, 50), `"unrenewed_lease"` (the lease for a
/// helper that cannot renew on its own, 10,000), `"min_lease"`, `"max_lease"`. -1 for another
/// name or NULL.
#[no_mangle]
pub extern "C" fn yh_webhook_lease_ms(name: *const c_char) -> i64 {
    value_guard(-1, || {
        if name.is_null() {
            return -1;
        }
        // SAFETY: the caller passes a NUL-terminated string (checked for NULL above).
        let name = unsafe { std::ffi::CStr::from_ptr(name) };
        let ms = |d: std::time::Duration| d.as_millis() as i64;
        match name.to_bytes() {
            b"lease" => ms(webhook::DEFAULT_LEASE),
            b"wait" => ms(webhook::DEFAULT_WAIT),
            b"poll" => ms(webhook::DEFAULT_POLL),
            b"unrenewed_lease" => ms(webhook::UNRENEWED_LEASE),
            b"min_lease" => ms(webhook::MIN_LEASE),
            b"max_lease" => ms(webhook::MAX_LEASE),
            _ => -1,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_texts_and_times_are_cores() {
        let text = |n: &std::ffi::CStr| {
            let p = yh_webhook_lease_text(n.as_ptr());
            (!p.is_null()).then(|| unsafe { std::ffi::CStr::from_ptr(p) }.to_str().unwrap())
        };
        assert_eq!(text(c"claim"), Some(webhook::REDIS_CLAIM_SCRIPT));
        assert_eq!(text(c"release"), Some(webhook::REDIS_RELEASE_SCRIPT));
        assert_eq!(text(c"pending_prefix"), Some("p:"));
        assert_eq!(text(c"nope"), None);
        assert!(yh_webhook_lease_text(ptr::null()).is_null());
        assert_eq!(yh_webhook_lease_ms(c"lease".as_ptr()), 2000);
        assert_eq!(yh_webhook_lease_ms(c"wait".as_ptr()), 4000);
        assert_eq!(yh_webhook_lease_ms(c"x".as_ptr()), -1);
        assert_eq!(yh_webhook_lease_ms(ptr::null()), -1);
    }

    fn receiver(token: Option<&CStr>) -> *mut yh_webhook_receiver {
        let mut r = ptr::null_mut();
        let code = yh_webhook_receiver_new(
            token.map_or(ptr::null(), CStr::as_ptr),
            ptr::null(),
            0,
            YH_WEBHOOK_STORE_MEMORY,
            0,
            0,
            &mut r,
            ptr::null_mut(),
        );
        assert_eq!(code, yh_result::YH_OK);
        r
    }

    #[test]
    fn receive_and_duplicate() {
        let r = receiver(Some(c"k"));
        let body = br#"{"event":"conf.end","id":"c1"}"#;
        let mut d = ptr::null_mut();
        let code = yh_webhook_receive(
            r,
            c"token=k".as_ptr(),
            body.as_ptr(),
            body.len(),
            &mut d,
            ptr::null_mut(),
        );
        assert_eq!(code, yh_result::YH_OK);
        assert!(!yh_webhook_delivery_duplicate(d));
        assert_eq!(yh_webhook_delivery_status(d), 200);
        assert!(!yh_webhook_delivery_event(d).is_null());
        yh_webhook_delivery_free(d);
        let mut err = ptr::null_mut();
        let code = yh_webhook_receive(
            r,
            c"token=x".as_ptr(),
            body.as_ptr(),
            body.len(),
            &mut d,
            &mut err,
        );
        assert_eq!(code, yh_result::YH_ERR_AUTH);
        assert_eq!(crate::yh_error_status(err), 403);
        crate::yh_error_free(err);
        yh_webhook_receiver_free(r);
    }
}
