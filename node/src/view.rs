//! Core's canonical view of an event (a JSON value) made into JavaScript values directly through
//! N-API, with keys in camelCase (`talk_seconds` becomes `talkSeconds`) except under a `fields`
//! key (the fields of other events, kept as they came): the same object `JSON.parse` would make of
//! the view's JSON text, without writing and re-reading that text.
//!
//! One conversion per JSON type. The top-level object of a view whose keys were seen before
//! (every typed event has the same keys each time) is made by one call of a small function that
//! returns an object literal of those keys, made once per key list and environment, which is
//! how JavaScript itself makes an object fastest; other objects are made key by key. A
//! `__proto__` key becomes an own property, as `JSON.parse` makes it.
//!
//! A typed event (every declared event) skips the JSON value: core hands its view key by key
//! ([`yunhuni::Event::typed_view`]), each value is made a JavaScript value at once, and its
//! key list's function makes the object.
//!
//! A number a JavaScript number cannot hold exactly (beyond `Number.MAX_SAFE_INTEGER` in size)
//! makes the whole view a `decode` error naming its key path ([`crate::events`]' rule).

use crate::args::MAX_SAFE_INTEGER;
use crate::error::JsError;
use crate::events::{camel_view, exact_numbers, is_exact};
use crate::names::camel_case;
use napi::bindgen_prelude::*;
use napi::sys;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ptr;
use yunhuni::events::{ViewSink, ViewValue};
use yunhuni::Event;

type R<T> = std::result::Result<T, JsError>;

/// The most keys an object may have to be made by a shape function; more are set key by key.
const MAX_SHAPE_KEYS: usize = 64;
/// The most shapes remembered per environment (other events' key lists vary with each body).
const MAX_SHAPES: usize = 256;

/// A function that makes an object of fixed keys from its arguments, for one key list.
struct Shape {
    /// The keys as the view has them (snake_case), in order.
    keys: Vec<String>,
    /// For each argument of the function, the index of its value's entry in the map.
    order: Vec<usize>,
    function: sys::napi_ref,
}

thread_local! {
    /// The shapes of the environment that runs on this thread, by event name.
    static SHAPES: RefCell<(usize, HashMap<String, Shape>)> = RefCell::new((0, HashMap::new()));
}

/// The JavaScript object of a parsed event: made from its typed view when it has one and the
/// object can be made that way, else from [`Event::to_value`] by [`event_object`] (which also
/// names the key of a number beyond what JavaScript holds exactly).
pub(crate) fn parsed_event_object(env: &Env, event: &Event) -> R<sys::napi_value> {
    match typed_object(env.raw(), event) {
        Some(object) => Ok(object),
        None => event_object(env, &event.to_value()),
    }
}

/// The values of a typed event's view made JavaScript values as core hands them over, with
/// their keys (core's, snake_case), in core's order.
struct Sink {
    env: sys::napi_env,
    keys: [&'static str; MAX_SHAPE_KEYS],
    values: [sys::napi_value; MAX_SHAPE_KEYS],
    len: usize,
    failed: bool,
    /// The address and length of the last text made a string, and that string: the same text
    /// next (`type`, then `event`, give the same name) is the same string.
    last: (*const u8, usize, sys::napi_value),
    /// `null`, once asked for.
    null: sys::napi_value,
}

impl ViewSink for Sink {
    fn put(&mut self, key: &'static str, value: ViewValue<'_>) {
        if self.failed || self.len == MAX_SHAPE_KEYS {
            self.failed = true;
            return;
        }
        let mut out = ptr::null_mut();
        let env = self.env;
        // SAFETY (each call): N-API on the JavaScript thread with its live `env`.
        let status = unsafe {
            match value {
                ViewValue::Null if !self.null.is_null() => {
                    out = self.null;
                    sys::Status::napi_ok
                }
                ViewValue::Null => {
                    let status = sys::napi_get_null(env, &mut out);
                    self.null = out;
                    status
                }
                ViewValue::Str(s) if (s.as_ptr(), s.len()) == (self.last.0, self.last.1) => {
                    out = self.last.2;
                    sys::Status::napi_ok
                }
                // ASCII is Latin-1: V8 copies it as it is, without decoding UTF-8.
                ViewValue::Str(s) if s.is_ascii() => sys::napi_create_string_latin1(
                    env,
                    s.as_ptr().cast(),
                    s.len() as isize,
                    &mut out,
                ),
                ViewValue::Str(s) => {
                    sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut out)
                }
                ViewValue::Int(i) => match i32::try_from(i) {
                    Ok(i) => sys::napi_create_int32(env, i, &mut out),
                    // Beyond Number.MAX_SAFE_INTEGER: the JSON view's path names the key.
                    Err(_) if i.unsigned_abs() > MAX_SAFE_INTEGER as u64 => {
                        self.failed = true;
                        return;
                    }
                    Err(_) => sys::napi_create_double(env, i as f64, &mut out),
                },
            }
        };
        if status != sys::Status::napi_ok {
            self.failed = true;
            return;
        }
        if let ViewValue::Str(s) = value {
            self.last = (s.as_ptr(), s.len(), out);
        }
        self.keys[self.len] = key;
        self.values[self.len] = out;
        self.len += 1;
    }
}

/// The shape functions of the typed events (of the environment that runs on this thread), by
/// event name: their key lists are fixed (core's declarations), so the list is compared by
/// address first.
struct TypedShape {
    name: &'static str,
    keys: Vec<&'static str>,
    order: Vec<usize>,
    function: sys::napi_ref,
}

thread_local! {
    static TYPED: RefCell<(usize, Vec<TypedShape>)> = const { RefCell::new((0, Vec::new())) };
}

/// The object of a typed event made from its view through its key list's function, or `None`
/// (an event without a typed view, a number beyond what JavaScript holds exactly, no function).
fn typed_object(env: sys::napi_env, event: &Event) -> Option<sys::napi_value> {
    let mut sink = Sink {
        env,
        keys: [""; MAX_SHAPE_KEYS],
        values: [ptr::null_mut(); MAX_SHAPE_KEYS],
        len: 0,
        failed: false,
        last: (ptr::null(), 0, ptr::null_mut()),
        null: ptr::null_mut(),
    };
    if !event.typed_view(&mut sink) || sink.failed {
        return None;
    }
    let keys = &sink.keys[..sink.len];
    let name = event.name();
    let same_text = |a: &str, b: &str| (a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b;
    TYPED.with(|shapes| {
        let mut shapes = shapes.borrow_mut();
        if shapes.0 != env as usize {
            // Another environment on this thread (the first one ended): its functions are gone.
            *shapes = (env as usize, Vec::new());
        }
        let at = shapes.1.iter().position(|s| same_text(s.name, name));
        let current = at.filter(|&i| {
            let s = &shapes.1[i];
            s.keys.len() == keys.len() && s.keys.iter().zip(keys).all(|(a, b)| same_text(a, b))
        });
        let i = match current {
            Some(i) => i,
            None => {
                let shape = make_shape(env, keys)?;
                let Some(name) = yunhuni::event_decls::EVENTS
                    .iter()
                    .map(|d| d.name)
                    .find(|n| *n == name)
                else {
                    // SAFETY: a reference of this environment, not kept.
                    unsafe { sys::napi_delete_reference(env, shape.function) };
                    return None;
                };
                let typed = TypedShape {
                    name,
                    keys: keys.to_vec(),
                    order: shape.order,
                    function: shape.function,
                };
                match at {
                    Some(i) => {
                        let old = std::mem::replace(&mut shapes.1[i], typed);
                        // SAFETY: a reference of this environment, no longer used.
                        unsafe { sys::napi_delete_reference(env, old.function) };
                        i
                    }
                    None => {
                        shapes.1.push(typed);
                        shapes.1.len() - 1
                    }
                }
            }
        };
        let shape = &shapes.1[i];
        let mut args = [ptr::null_mut(); MAX_SHAPE_KEYS];
        for (slot, &i) in args.iter_mut().zip(&shape.order) {
            *slot = sink.values[i];
        }
        call(env, shape.function, &args[..shape.order.len()]).ok()
    })
}

/// The JavaScript object of `view` (core's canonical view of one event, an object).
pub(crate) fn event_object(env: &Env, view: &Value) -> R<sys::napi_value> {
    let raw = env.raw();
    let made = match view {
        Value::Object(map) => match shaped(raw, map) {
            Some(made) => made,
            None => object(raw, map, false),
        },
        other => value(raw, other, false),
    };
    match made {
        Ok(value) => Ok(value),
        Err(Failure::Inexact) => {
            // Name the number's key path as the JSON view's check names it.
            exact_numbers(&camel_view(view.clone()))?;
            Err(JsError::other(
                "decode",
                "a number beyond what JavaScript holds exactly",
            ))
        }
        Err(Failure::Napi(status)) => Err(JsError::other(
            "decode",
            format!(
                "yunhuni: could not make the event's JavaScript object (N-API status {status})"
            ),
        )),
    }
}

enum Failure {
    /// A number beyond `Number.MAX_SAFE_INTEGER` in size.
    Inexact,
    /// An N-API call failed (only while the environment shuts down).
    Napi(sys::napi_status),
}

type Made = std::result::Result<sys::napi_value, Failure>;

fn ok(status: sys::napi_status) -> std::result::Result<(), Failure> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(Failure::Napi(status))
    }
}

/// `value` as JavaScript; `raw_keys` when it is under a `fields` key (keys kept as they came).
fn value(env: sys::napi_env, value: &Value, raw_keys: bool) -> Made {
    let mut out = ptr::null_mut();
    // SAFETY (each call): N-API on the JavaScript thread with its live `env`.
    unsafe {
        match value {
            Value::Null => ok(sys::napi_get_null(env, &mut out))?,
            Value::Bool(b) => ok(sys::napi_get_boolean(env, *b, &mut out))?,
            Value::Number(n) => {
                if !is_exact(n) {
                    return Err(Failure::Inexact);
                }
                match n.as_i64() {
                    Some(i) if i32::try_from(i).is_ok() => {
                        ok(sys::napi_create_int32(env, i as i32, &mut out))?
                    }
                    Some(i) => ok(sys::napi_create_double(env, i as f64, &mut out))?,
                    None => ok(sys::napi_create_double(
                        env,
                        n.as_f64().unwrap_or(f64::NAN),
                        &mut out,
                    ))?,
                }
            }
            Value::String(s) => ok(sys::napi_create_string_utf8(
                env,
                s.as_ptr().cast(),
                s.len() as isize,
                &mut out,
            ))?,
            Value::Array(items) => {
                ok(sys::napi_create_array_with_length(
                    env,
                    items.len(),
                    &mut out,
                ))?;
                for (i, item) in items.iter().enumerate() {
                    let item = self::value(env, item, raw_keys)?;
                    ok(sys::napi_set_element(env, out, i as u32, item))?;
                }
            }
            Value::Object(map) => return object(env, map, raw_keys),
        }
    }
    Ok(out)
}

/// An object made key by key.
fn object(env: sys::napi_env, map: &Map<String, Value>, raw_keys: bool) -> Made {
    let mut out = ptr::null_mut();
    // SAFETY (each call): N-API on the JavaScript thread with its live `env`.
    unsafe { ok(sys::napi_create_object(env, &mut out))? };
    let entries: Vec<(std::borrow::Cow<'_, str>, &Value, bool)> = if raw_keys {
        map.iter()
            .map(|(k, v)| (k.as_str().into(), v, true))
            .collect()
    } else {
        camel_entries(map.keys().map(String::as_str))
            .into_iter()
            .map(|(k, i)| {
                let (snake, v) = map.iter().nth(i).expect("an index of the map");
                (k.into(), v, snake == "fields")
            })
            .collect()
    };
    for (name, item, raw) in entries {
        let name: &str = &name;
        let item = value(env, item, raw)?;
        let mut js_key = ptr::null_mut();
        unsafe {
            ok(sys::napi_create_string_utf8(
                env,
                name.as_ptr().cast(),
                name.len() as isize,
                &mut js_key,
            ))?;
            if name == "__proto__" {
                // An own property, as JSON.parse makes it (setting it would set the prototype).
                let descriptor = sys::napi_property_descriptor {
                    utf8name: ptr::null(),
                    name: js_key,
                    method: None,
                    getter: None,
                    setter: None,
                    value: item,
                    attributes: sys::PropertyAttributes::writable
                        | sys::PropertyAttributes::enumerable
                        | sys::PropertyAttributes::configurable,
                    data: ptr::null_mut(),
                };
                ok(sys::napi_define_properties(env, out, 1, &descriptor))?;
            } else {
                ok(sys::napi_set_property(env, out, js_key, item))?;
            }
        }
    }
    Ok(out)
}

/// The camelCase keys of a map's `keys` in the order of the view's JSON text (sorted, as core's map
/// sorts them), each with the index of its entry in `map`; of two keys with one camelCase
/// spelling, the later one's value is kept, as in the view.
fn camel_entries<'k>(keys: impl IntoIterator<Item = &'k str>) -> Vec<(String, usize)> {
    let mut keys: Vec<(String, usize)> = keys.into_iter().map(camel_case).zip(0..).collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<(String, usize)> = Vec::with_capacity(keys.len());
    for (key, i) in keys {
        match out.last_mut() {
            Some(last) if last.0 == key => last.1 = i,
            _ => out.push((key, i)),
        }
    }
    out
}

/// The object made by the shape function of its key list (made now if it is new), or `None`
/// when it cannot have one (an unnamed event, too many keys, a `__proto__` key, no room left).
fn shaped(env: sys::napi_env, map: &Map<String, Value>) -> Option<Made> {
    let Some(Value::String(name)) = map.get("event") else {
        return None;
    };
    if map.len() > MAX_SHAPE_KEYS {
        return None;
    }
    SHAPES.with(|shapes| {
        let mut shapes = shapes.borrow_mut();
        if shapes.0 != env as usize {
            // Another environment on this thread (the first one ended): its functions are gone.
            *shapes = (env as usize, HashMap::new());
        }
        let same = |s: &Shape| {
            s.keys.len() == map.len() && s.keys.iter().zip(map.keys()).all(|(a, b)| a == b)
        };
        if !shapes.1.get(name.as_str()).is_some_and(same) {
            if shapes.1.len() >= MAX_SHAPES && !shapes.1.contains_key(name.as_str()) {
                return None;
            }
            let keys: Vec<&str> = map.keys().map(String::as_str).collect();
            let shape = make_shape(env, &keys)?;
            if let Some(old) = shapes.1.insert(name.clone(), shape) {
                // SAFETY: a reference of this environment, no longer used.
                unsafe { sys::napi_delete_reference(env, old.function) };
            }
        }
        let shape = shapes.1.get(name.as_str())?;
        Some(call_shape(env, shape.function, &shape.order, map))
    })
}

/// The function `(a0, a1, ...) => ({ "camelKey0": a0, ... })` of a view's keys (snake_case, in
/// the view's order).
fn make_shape(env: sys::napi_env, keys: &[&str]) -> Option<Shape> {
    let entries = camel_entries(keys.iter().copied());
    let mut body = String::from("return {");
    for (i, (camel, _)) in entries.iter().enumerate() {
        if camel == "__proto__" {
            return None;
        }
        // A JSON string is a JavaScript string literal.
        body.push_str(&serde_json::to_string(&camel).ok()?);
        body.push_str(&format!(":a{i},"));
    }
    body.push_str("};");
    let mut args = Vec::with_capacity(entries.len() + 1);
    // SAFETY (each call): N-API on the JavaScript thread with its live `env`.
    unsafe {
        let text = |s: &str| {
            let mut out = ptr::null_mut();
            (sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut out)
                == sys::Status::napi_ok)
                .then_some(out)
        };
        for i in 0..entries.len() {
            args.push(text(&format!("a{i}"))?);
        }
        args.push(text(&body)?);
        let mut global = ptr::null_mut();
        let mut constructor = ptr::null_mut();
        let mut function = ptr::null_mut();
        let mut reference = ptr::null_mut();
        let name = c"Function";
        let made = sys::napi_get_global(env, &mut global) == sys::Status::napi_ok
            && sys::napi_get_named_property(env, global, name.as_ptr(), &mut constructor)
                == sys::Status::napi_ok
            && sys::napi_new_instance(env, constructor, args.len(), args.as_ptr(), &mut function)
                == sys::Status::napi_ok
            && sys::napi_create_reference(env, function, 1, &mut reference) == sys::Status::napi_ok;
        if !made {
            // Code generation from strings is disallowed (a flag of node): key by key, then.
            let mut pending = false;
            sys::napi_is_exception_pending(env, &mut pending);
            if pending {
                let mut error = ptr::null_mut();
                sys::napi_get_and_clear_last_exception(env, &mut error);
            }
            return None;
        }
        Some(Shape {
            keys: keys.iter().map(|k| k.to_string()).collect(),
            order: entries.iter().map(|(_, i)| *i).collect(),
            function: reference,
        })
    }
}

fn call_shape(
    env: sys::napi_env,
    function: sys::napi_ref,
    order: &[usize],
    map: &Map<String, Value>,
) -> Made {
    let mut entries: [Option<(&String, &Value)>; MAX_SHAPE_KEYS] = [None; MAX_SHAPE_KEYS];
    for (slot, entry) in entries.iter_mut().zip(map) {
        *slot = Some(entry);
    }
    let mut args = [ptr::null_mut(); MAX_SHAPE_KEYS];
    for (slot, &i) in args.iter_mut().zip(order) {
        let (key, item) = entries[i].expect("an index of the map");
        *slot = value(env, item, key == "fields")?;
    }
    call(env, function, &args[..order.len()])
}

/// Calls a shape function with its arguments.
fn call(env: sys::napi_env, function: sys::napi_ref, args: &[sys::napi_value]) -> Made {
    let mut f = ptr::null_mut();
    let mut undefined = ptr::null_mut();
    let mut out = ptr::null_mut();
    // SAFETY (each call): N-API on the JavaScript thread with its live `env`; the reference is
    // this environment's.
    unsafe {
        ok(sys::napi_get_reference_value(env, function, &mut f))?;
        ok(sys::napi_get_undefined(env, &mut undefined))?;
        ok(sys::napi_call_function(
            env,
            undefined,
            f,
            args.len(),
            args.as_ptr(),
            &mut out,
        ))?;
    }
    Ok(out)
}
