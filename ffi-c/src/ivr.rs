//! IVR applications: the documents they answer the platform with (`yh_ivr_node`,
//! `yh_ivr_response`), and the request to a `<next>` URL (`yh_ivr_next`). The `ivr_start`
//! request is parsed by `yh_event_parse` (type `YH_EVENT_IVR_START`).
//!
//! Everything is core's: the elements and attributes are those of core's declarations
//! (`yunhuni::ivr::ELEMENTS`), set through its one generic builder (`yunhuni::ivr::Node`), and
//! every rule is checked by `Response::to_xml`. This file converts and delegates.

use crate::boundary::{arg_bytes, arg_mut, arg_out, arg_ref, arg_str, guard, Res};
use crate::error::{yh_error, yh_result};
use crate::util::{c_string, free_box, opt_ptr, value_guard};
use serde_json::Value;
use std::ffi::{c_char, CString};
use std::ptr;
use yunhuni::ivr::{IvrNext, Node, Response, IVR_NEXT};
use yunhuni::ops::Casing;

/// How the names of attributes are spelled, in what a function reads and in the fields of its
/// errors.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum yh_casing {
    /// `max_keys`: the platform's own names, and C's.
    YH_CASING_SNAKE = 0,
    /// `maxKeys`: the names of the SDK's PHP, Node and Java builders.
    YH_CASING_CAMEL = 1,
}

impl From<yh_casing> for Casing {
    fn from(c: yh_casing) -> Casing {
        match c {
            yh_casing::YH_CASING_SNAKE => Casing::Snake,
            yh_casing::YH_CASING_CAMEL => Casing::Camel,
        }
    }
}

/// One element of an IVR document (`play`, `get`, `number`, ...), with its attributes, text and
/// children. Made by `yh_ivr_node_new`, freed once by `yh_ivr_node_free`. Adding it to a
/// response or to another element copies it, so it may be freed at any time after, changed
/// and added again.
pub struct yh_ivr_node {
    inner: Node,
}

/// An IVR document: one action, then a `<next>` URL or the choice to end the call. Made by
/// `yh_ivr_response_new` (or `yh_ivr_response_from_json`), freed once by
/// `yh_ivr_response_free`.
pub struct yh_ivr_response {
    inner: Response,
}

/// The request to a `<next>` URL, parsed: the results of the action that ran. Made by
/// `yh_ivr_next_parse`, freed once by `yh_ivr_next_free`. Never changed after parsing.
pub struct yh_ivr_next {
    /// The value of each key of core's declaration of the request (`IVR_NEXT`), by its name.
    keys: Vec<(&'static str, Option<CString>)>,
    params: Vec<(CString, CString)>,
    json: CString,
}

impl From<IvrNext> for yh_ivr_next {
    fn from(next: IvrNext) -> Self {
        let view = next.to_value();
        let keys = IVR_NEXT
            .keys
            .iter()
            .map(|k| {
                (
                    k.name,
                    view.get(k.name).and_then(Value::as_str).map(c_string),
                )
            })
            .collect();
        yh_ivr_next {
            keys,
            params: next
                .params
                .iter()
                .map(|(n, v)| (c_string(n), c_string(v)))
                .collect(),
            json: c_string(&view.to_string()),
        }
    }
}

fn node_change(
    node: *mut yh_ivr_node,
    err_out: *mut *mut yh_error,
    body: impl FnOnce(&mut Node) -> Res,
) -> yh_result {
    guard(err_out, || {
        // Work on a copy: a failed change leaves the element as it was.
        let node = arg_mut(node, "node")?;
        let mut copy = node.inner.clone();
        body(&mut copy)?;
        node.inner = copy;
        Ok(())
    })
}

fn set(node: &mut Node, name: *const c_char, value: Value) -> Res {
    let name = arg_str(name, "name")?;
    node.set_cased(name, value, Casing::Snake)?;
    Ok(())
}

/// Makes an empty element called `name`: one of the elements of the platform's IVR documents
/// (`play`, `playlist`, `record`, `send_dtmf`, `get`, `hangup`, `pause`, `dial`, `enqueue`,
/// `number`, `connect`, `route`, `condition`, `agent`). Another name fails with
/// `YH_ERR_VALIDATION`, field `name`, listing them.
///
/// On success writes a new element to `*node_out` (free it with `yh_ivr_node_free`).
#[no_mangle]
pub extern "C" fn yh_ivr_node_new(
    name: *const c_char,
    node_out: *mut *mut yh_ivr_node,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let name = arg_str(name, "name")?;
        let out = arg_out(node_out, "node_out")?;
        out.write_box(yh_ivr_node {
            inner: Node::new(name)?,
        });
        Ok(())
    })
}

/// The element's name (`"get"`). Static: never free it. NULL if `node` is NULL.
#[no_mangle]
pub extern "C" fn yh_ivr_node_name(node: *const yh_ivr_node) -> *const c_char {
    value_guard(ptr::null(), || {
        unsafe { node.as_ref() }.map_or(ptr::null(), |n| static_name(n.inner.name()))
    })
}

fn static_name(name: &str) -> *const c_char {
    use std::sync::OnceLock;
    static NAMES: OnceLock<Vec<(&'static str, CString)>> = OnceLock::new();
    NAMES
        .get_or_init(|| {
            yunhuni::ivr::ELEMENTS
                .iter()
                .map(|e| (e.name, c_string(e.name)))
                .collect()
        })
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(ptr::null(), |(_, c)| c.as_ptr())
}

/// Sets the string attribute called `name` (snake_case, as the platform writes it:
/// `finish_keys`). An attribute the element does not have (the error lists those it has), an
/// attribute that is not a string, or a NULL or non-UTF-8 `value` fails with
/// `YH_ERR_VALIDATION` or the argument's code, naming the attribute. The element is unchanged
/// on failure. The value's rules (keys, `.wav` files, lengths) are checked by
/// `yh_ivr_response_to_xml`.
#[no_mangle]
pub extern "C" fn yh_ivr_node_set_str(
    node: *mut yh_ivr_node,
    name: *const c_char,
    value: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    node_change(node, err_out, |n| {
        let attr = arg_str(name, "name")?;
        let value = arg_str(value, attr)?;
        set(n, name, value.into())
    })
}

/// Sets the integer attribute called `name` (snake_case: `max_keys`). An attribute the element
/// does not have, or one that is not an integer, fails with `YH_ERR_VALIDATION` naming it. The
/// element is unchanged on failure. Its range is checked by `yh_ivr_response_to_xml`.
#[no_mangle]
pub extern "C" fn yh_ivr_node_set_int(
    node: *mut yh_ivr_node,
    name: *const c_char,
    value: i64,
    err_out: *mut *mut yh_error,
) -> yh_result {
    node_change(node, err_out, |n| set(n, name, value.into()))
}

/// Sets the boolean attribute called `name` (snake_case: `if_break_on_key`), written `true` or
/// `false`. An attribute the element does not have, or one that is not a boolean, fails with
/// `YH_ERR_VALIDATION` naming it. The element is unchanged on failure.
#[no_mangle]
pub extern "C" fn yh_ivr_node_set_bool(
    node: *mut yh_ivr_node,
    name: *const c_char,
    value: bool,
    err_out: *mut *mut yh_error,
) -> yh_result {
    node_change(node, err_out, |n| set(n, name, value.into()))
}

/// Unsets the attribute called `name` (snake_case): it is left out of the document. An
/// attribute the element does not have fails with `YH_ERR_VALIDATION` naming it.
#[no_mangle]
pub extern "C" fn yh_ivr_node_unset(
    node: *mut yh_ivr_node,
    name: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    node_change(node, err_out, |n| set(n, name, Value::Null))
}

/// Sets the element's text: the voice file of a `<play>` (`"menu.wav"`), the keys of a
/// `<send_dtmf>`, the number of a `<number>`. An element without text (`<get>`) fails with
/// `YH_ERR_VALIDATION`, field the element's name; a NULL or non-UTF-8 `text` fails naming
/// `text`. The text's rules are checked by `yh_ivr_response_to_xml`.
#[no_mangle]
pub extern "C" fn yh_ivr_node_set_text(
    node: *mut yh_ivr_node,
    text: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    node_change(node, err_out, |n| {
        n.set_text(arg_str(text, "text")?)?;
        Ok(())
    })
}

/// Adds a copy of `child` inside `node` (a `<play>` inside a `<get>`, a `<number>` inside a
/// `<dial>`). `child` stays yours: free it when you like. An element that cannot stand inside
/// `node` fails with `YH_ERR_VALIDATION`, field the child's name, saying what `node` holds.
/// How many of each may stand there is checked by `yh_ivr_response_to_xml`.
#[no_mangle]
pub extern "C" fn yh_ivr_node_add(
    node: *mut yh_ivr_node,
    child: *const yh_ivr_node,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let child = arg_ref(child, "child")?.inner.clone();
        let node = arg_mut(node, "node")?;
        node.inner.push(child)?;
        Ok(())
    })
}

/// Frees an element. NULL is ignored. Responses and elements it was added to keep their copies.
#[no_mangle]
pub extern "C" fn yh_ivr_node_free(node: *mut yh_ivr_node) {
    free_box(node);
}

/// Makes an empty document: add one action with `yh_ivr_response_add`, then either
/// `yh_ivr_response_next` or `yh_ivr_response_end_call` (only `<hangup>` needs neither).
///
/// On success writes a new document to `*response_out` (free it with `yh_ivr_response_free`).
#[no_mangle]
pub extern "C" fn yh_ivr_response_new(
    response_out: *mut *mut yh_ivr_response,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        arg_out(response_out, "response_out")?.write_box(yh_ivr_response {
            inner: Response::new(),
        });
        Ok(())
    })
}

/// Makes a document from its description as JSON text: `{"actions": [element],
/// "next": "https://..." | null, "end_call": true | false}`, each element
/// `{"name": "get", "attrs": {...}, "text": "...", "children": [element]}`, the attributes'
/// names (and `end_call`) spelled as `casing` says. This is the `response` of the documents of
/// `tests/vectors/ivr.json`. Text that is not JSON, or an element, attribute or value the
/// platform's documents do not have, fails with `YH_ERR_VALIDATION` naming where
/// (`get.max_keys`). The rules are checked by `yh_ivr_response_to_xml`.
///
/// On success writes a new document to `*response_out` (free it with `yh_ivr_response_free`).
#[no_mangle]
pub extern "C" fn yh_ivr_response_from_json(
    json: *const c_char,
    casing: yh_casing,
    response_out: *mut *mut yh_ivr_response,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let text = arg_str(json, "json")?;
        let out = arg_out(response_out, "response_out")?;
        let value: Value = serde_json::from_str(text).map_err(|e| {
            yunhuni::Error::validation("response", format!("is not JSON text: {e}"))
        })?;
        out.write_box(yh_ivr_response {
            inner: Response::from_value(&value, casing.into())?,
        });
        Ok(())
    })
}

fn response_change(
    response: *mut yh_ivr_response,
    err_out: *mut *mut yh_error,
    body: impl FnOnce(Response) -> Res<Response>,
) -> yh_result {
    guard(err_out, || {
        let response = arg_mut(response, "response")?;
        response.inner = body(response.inner.clone())?;
        Ok(())
    })
}

/// Adds a copy of the action `action` (`<play>`, `<get>`, `<dial>`, ...) to the document.
/// `action` stays yours: free it when you like. A document holds one action (the platform runs
/// only the first): a second one, or an element that is not an action, is refused by
/// `yh_ivr_response_to_xml` naming it.
#[no_mangle]
pub extern "C" fn yh_ivr_response_add(
    response: *mut yh_ivr_response,
    action: *const yh_ivr_node,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let action = arg_ref(action, "action")?.inner.clone();
        let response = arg_mut(response, "response")?;
        response.inner = response.inner.clone().action(action);
        Ok(())
    })
}

/// Sets the `<next>` URL: the absolute `http://` or `https://` URL the platform requests (GET)
/// once the action completes, adding `call_id`, `type` and the action's results to its query
/// (read them with `yh_ivr_next_parse`). The URL's rules are checked by
/// `yh_ivr_response_to_xml`.
#[no_mangle]
pub extern "C" fn yh_ivr_response_next(
    response: *mut yh_ivr_response,
    url: *const c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    response_change(response, err_out, |r| Ok(r.next(arg_str(url, "url")?)))
}

/// Says that the call ends once the action completes: the document has no `<next>`, and the
/// platform hangs up then. A document with an action other than `<hangup>` needs this or
/// `yh_ivr_response_next`; `yh_ivr_response_to_xml` refuses it otherwise (field `next`).
#[no_mangle]
pub extern "C" fn yh_ivr_response_end_call(
    response: *mut yh_ivr_response,
    err_out: *mut *mut yh_error,
) -> yh_result {
    response_change(response, err_out, |r| Ok(r.end_call()))
}

/// True when the call ends after the document's action (it has no `<next>`); false if
/// `response` is NULL.
#[no_mangle]
pub extern "C" fn yh_ivr_response_ends_call(response: *const yh_ivr_response) -> bool {
    value_guard(false, || {
        unsafe { response.as_ref() }.is_some_and(|r| r.inner.ends_call())
    })
}

/// The document as the platform reads it: `<?xml version="1.0" encoding="UTF-8"?>`, then
/// `<response>`, the action and `<next>`, on one line. Send it as UTF-8.
///
/// First checks it against everything the platform would refuse or misread, and fails with
/// `YH_ERR_VALIDATION` naming the element and attribute (`get.max_keys`, `play`,
/// `dial.connect.mode`, `next`) and saying why: an attribute out of range, keys other than
/// 0-9 * # A B C D, a voice file not ending in `.wav`, a second action, an action with neither
/// a `<next>` nor `yh_ivr_response_end_call`. Attributes are named as `casing` spells them.
///
/// On success writes a new string to `*xml_out`; free it with `yh_string_free`.
#[no_mangle]
pub extern "C" fn yh_ivr_response_to_xml(
    response: *const yh_ivr_response,
    casing: yh_casing,
    xml_out: *mut *mut c_char,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let response = arg_ref(response, "response")?;
        let out = arg_out(xml_out, "xml_out")?;
        let xml = response.inner.to_xml_cased(casing.into())?;
        out.write(c_string(&xml).into_raw());
        Ok(())
    })
}

/// Frees a document. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_ivr_response_free(response: *mut yh_ivr_response) {
    free_box(response);
}

/// Parses the request the platform sends to a `<next>` URL: its query string, the `len` bytes
/// at `query` (the query alone, with or without its `?`, or the request target or URL it ends,
/// such as `/ivr/next?call_id=...&type=get&keys=2`). Values are form-decoded and read as
/// UTF-8, or ISO-8859-1 when they are not UTF-8. A query over 64 KiB, a `%` not followed by two
/// hex digits, or a `type` that is not an action fails with `YH_ERR_DECODE` naming the key.
///
/// On success writes a new `yh_ivr_next` to `*next_out` (free it with `yh_ivr_next_free`).
#[no_mangle]
pub extern "C" fn yh_ivr_next_parse(
    query: *const u8,
    len: usize,
    next_out: *mut *mut yh_ivr_next,
    err_out: *mut *mut yh_error,
) -> yh_result {
    guard(err_out, || {
        let query = arg_bytes(query, len, "query")?;
        let out = arg_out(next_out, "next_out")?;
        out.write_box(IvrNext::parse(query)?.into());
        Ok(())
    })
}

/// Reads the key `key` of the request into `*out`: `"call_id"`, `"action"` (the action that
/// ran: `"play"`, `"get"`, ...), `"keys"` (after `<get>`: the keys pressed), `"record_id"`
/// (after `<record>`) or `"error"` (what failed; absent on success). Returns `YH_OK` with `*out`
/// written (borrowed from `next`), `YH_ABSENT` when the request does not carry it,
/// `YH_ERR_VALIDATION` for another key, `YH_ERR_NULL_ARGUMENT` for a NULL pointer. Makes no
/// error object.
#[no_mangle]
pub extern "C" fn yh_ivr_next_get(
    next: *const yh_ivr_next,
    key: *const c_char,
    out: *mut *const c_char,
) -> yh_result {
    value_guard(yh_result::YH_ERR_PANIC, || {
        let (Some(next), false, false) = (unsafe { next.as_ref() }, key.is_null(), out.is_null())
        else {
            return yh_result::YH_ERR_NULL_ARGUMENT;
        };
        // SAFETY: checked non-NULL; NUL-terminated by contract.
        let key = unsafe { std::ffi::CStr::from_ptr(key) }.to_bytes();
        match next.keys.iter().find(|(name, _)| name.as_bytes() == key) {
            None => yh_result::YH_ERR_VALIDATION,
            Some((_, None)) => yh_result::YH_ABSENT,
            Some((_, Some(value))) => {
                // SAFETY: checked non-NULL; points to writable storage by contract.
                unsafe { out.write(value.as_ptr()) };
                yh_result::YH_OK
            }
        }
    })
}

/// The value of the first of the URL's own parameters called `name` (those your `<next>` URL
/// carried, such as `step=menu`), borrowed from `next`; NULL when there is none, or if a
/// pointer is NULL.
#[no_mangle]
pub extern "C" fn yh_ivr_next_param(
    next: *const yh_ivr_next,
    name: *const c_char,
) -> *const c_char {
    value_guard(ptr::null(), || {
        let Some(next) = (unsafe { next.as_ref() }) else {
            return ptr::null();
        };
        if name.is_null() {
            return ptr::null();
        }
        // SAFETY: checked non-NULL; NUL-terminated by contract.
        let name = unsafe { std::ffi::CStr::from_ptr(name) };
        opt_ptr(
            next.params
                .iter()
                .find(|(n, _)| n.as_c_str() == name)
                .map(|(_, v)| v),
        )
    })
}

/// The canonical view of the request as compact JSON, the same in every language of the SDK:
/// `{"type":"ivr_next","call_id":...,"action":...,"keys":...,"record_id":...,"error":...,
/// "params":[[name,value],...]}`, absent keys `null`. Writes its length in bytes to `*len_out`
/// unless `len_out` is NULL. Borrowed from `next`. NULL if `next` is NULL.
#[no_mangle]
pub extern "C" fn yh_ivr_next_json(next: *const yh_ivr_next, len_out: *mut usize) -> *const c_char {
    value_guard(ptr::null(), || {
        let Some(next) = (unsafe { next.as_ref() }) else {
            return ptr::null();
        };
        if let Some(len) = unsafe { len_out.as_mut() } {
            *len = next.json.as_bytes().len();
        }
        next.json.as_ptr()
    })
}

/// Frees a parsed `<next>` request. NULL is ignored.
#[no_mangle]
pub extern "C" fn yh_ivr_next_free(next: *mut yh_ivr_next) {
    free_box(next);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn text(p: *const c_char) -> Option<String> {
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_owned())
    }

    #[test]
    fn a_menu_is_written_and_a_failed_change_leaves_the_element() {
        let mut get: *mut yh_ivr_node = ptr::null_mut();
        let mut play: *mut yh_ivr_node = ptr::null_mut();
        let mut err: *mut yh_error = ptr::null_mut();
        assert_eq!(
            yh_ivr_node_new(c"get".as_ptr(), &mut get, ptr::null_mut()),
            yh_result::YH_OK
        );
        assert_eq!(
            yh_ivr_node_set_int(get, c"max_keys".as_ptr(), 1, ptr::null_mut()),
            yh_result::YH_OK
        );
        assert_eq!(
            yh_ivr_node_set_int(get, c"finish_keys".as_ptr(), 1, &mut err),
            yh_result::YH_ERR_VALIDATION
        );
        assert_eq!(
            text(crate::yh_error_field(err)).as_deref(),
            Some("finish_keys")
        );
        crate::yh_error_free(err);
        yh_ivr_node_new(c"play".as_ptr(), &mut play, ptr::null_mut());
        yh_ivr_node_set_text(play, c"menu.wav".as_ptr(), ptr::null_mut());
        assert_eq!(
            yh_ivr_node_add(get, play, ptr::null_mut()),
            yh_result::YH_OK
        );
        yh_ivr_node_free(play);
        let mut response: *mut yh_ivr_response = ptr::null_mut();
        yh_ivr_response_new(&mut response, ptr::null_mut());
        yh_ivr_response_add(response, get, ptr::null_mut());
        yh_ivr_node_free(get);
        let mut xml: *mut c_char = ptr::null_mut();
        err = ptr::null_mut();
        assert_eq!(
            yh_ivr_response_to_xml(response, yh_casing::YH_CASING_SNAKE, &mut xml, &mut err),
            yh_result::YH_ERR_VALIDATION
        );
        assert_eq!(text(crate::yh_error_field(err)).as_deref(), Some("next"));
        crate::yh_error_free(err);
        yh_ivr_response_next(response, c"https://app/ivr".as_ptr(), ptr::null_mut());
        assert_eq!(
            yh_ivr_response_to_xml(
                response,
                yh_casing::YH_CASING_SNAKE,
                &mut xml,
                ptr::null_mut()
            ),
            yh_result::YH_OK
        );
        assert_eq!(
            text(xml).as_deref(),
            Some(
                r##"<?xml version="1.0" encoding="UTF-8"?><response><get max_keys="1"><play>menu.wav</play></get><next>https://app/ivr</next></response>"##
            )
        );
        crate::yh_string_free(xml);
        yh_ivr_response_free(response);
    }

    #[test]
    fn next_keys_come_from_the_declaration() {
        let q = b"step=2&call_id=c1&type=get&keys=12";
        let mut next: *mut yh_ivr_next = ptr::null_mut();
        assert_eq!(
            yh_ivr_next_parse(q.as_ptr(), q.len(), &mut next, ptr::null_mut()),
            yh_result::YH_OK
        );
        let mut out: *const c_char = ptr::null();
        assert_eq!(
            yh_ivr_next_get(next, c"keys".as_ptr(), &mut out),
            yh_result::YH_OK
        );
        assert_eq!(text(out).as_deref(), Some("12"));
        assert_eq!(
            yh_ivr_next_get(next, c"action".as_ptr(), &mut out),
            yh_result::YH_OK
        );
        assert_eq!(text(out).as_deref(), Some("get"));
        assert_eq!(
            yh_ivr_next_get(next, c"error".as_ptr(), &mut out),
            yh_result::YH_ABSENT
        );
        assert_eq!(
            yh_ivr_next_get(next, c"type".as_ptr(), &mut out),
            yh_result::YH_ERR_VALIDATION
        );
        assert_eq!(
            text(yh_ivr_next_param(next, c"step".as_ptr())).as_deref(),
            Some("2")
        );
        assert!(yh_ivr_next_param(next, c"nope".as_ptr()).is_null());
        yh_ivr_next_free(next);
    }
}
