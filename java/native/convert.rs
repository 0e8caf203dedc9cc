//! Java values to JSON and back: one conversion per *type*, never one per field.
//!
//! In: `String`, `Boolean`, `Integer`/`Long`/`Short`/`Byte`, `Float`/`Double`, `java.util.Map`
//! (string keys), `java.util.Collection` and `Object[]`; `null` is "not given". Anything else is
//! a `validation` error naming the field and the class it got. Whether a value is acceptable
//! (ranges, lengths, required text) is core's business.
//!
//! Out: JSON as `String`, `Boolean`, `Long`, `Double`, `java.util.ArrayList` and
//! `java.util.LinkedHashMap` (keys in the order they came), `null`.

use crate::error::{invalid, R};
use jni::objects::{JByteArray, JClass, JObject, JObjectArray, JString};
use jni::refs::Global;
use jni::strings::JNIStr;
use jni::{jni_sig, jni_str, Env, JValue};
use serde_json::{Map, Number, Value};
use std::sync::OnceLock;

type Class = Global<JClass<'static>>;

/// The classes every conversion checks or makes, looked up once (a lookup by name for every
/// value would cost more than the conversion).
struct Classes {
    string: Class,
    boolean: Class,
    integral: [Class; 4],
    floating: [Class; 2],
    map: Class,
    collection: Class,
    object_array: Class,
    long: Class,
    double: Class,
    array_list: Class,
    linked_hash_map: Class,
}

static CLASSES: OnceLock<Classes> = OnceLock::new();

fn classes(env: &mut Env<'_>) -> R<&'static Classes> {
    if let Some(c) = CLASSES.get() {
        return Ok(c);
    }
    fn load(env: &mut Env<'_>, name: &JNIStr) -> R<Class> {
        let class = env.find_class(name)?;
        Ok(env.new_global_ref(class)?)
    }
    let c = Classes {
        string: load(env, jni_str!("java/lang/String"))?,
        boolean: load(env, jni_str!("java/lang/Boolean"))?,
        integral: [
            load(env, jni_str!("java/lang/Long"))?,
            load(env, jni_str!("java/lang/Integer"))?,
            load(env, jni_str!("java/lang/Short"))?,
            load(env, jni_str!("java/lang/Byte"))?,
        ],
        floating: [
            load(env, jni_str!("java/lang/Double"))?,
            load(env, jni_str!("java/lang/Float"))?,
        ],
        map: load(env, jni_str!("java/util/Map"))?,
        collection: load(env, jni_str!("java/util/Collection"))?,
        object_array: load(env, jni_str!("[Ljava/lang/Object;"))?,
        long: load(env, jni_str!("java/lang/Long"))?,
        double: load(env, jni_str!("java/lang/Double"))?,
        array_list: load(env, jni_str!("java/util/ArrayList"))?,
        linked_hash_map: load(env, jni_str!("java/util/LinkedHashMap"))?,
    };
    Ok(CLASSES.get_or_init(|| c))
}

/// Objects and lists nested deeper than this are refused (a cycle would never end).
const MAX_DEPTH: usize = 32;

/// The text of a Java string. A string with a lone surrogate is not text: refused naming
/// `field`, as every language of the SDK refuses it.
pub(crate) fn text(env: &mut Env<'_>, s: &JString<'_>, field: &str) -> R<String> {
    let out = s.try_to_string(env)?;
    if out.contains('\u{fffd}') {
        // Read the UTF-16 units again, which keep surrogates as they are.
        let units = utf16(env, s)?;
        if String::from_utf16(&units).is_err() {
            return Err(invalid(
                field,
                "is not valid Unicode text (it contains a lone surrogate)",
            ));
        }
    }
    Ok(out)
}

fn utf16(env: &mut Env<'_>, s: &JString<'_>) -> R<Vec<u16>> {
    let chars = env
        .call_method(s, jni_str!("toCharArray"), jni_sig!("()[C"), &[])?
        .l()?;
    let chars = env.cast_local::<jni::objects::JCharArray>(chars)?;
    let len = chars.len(env)?;
    let mut buf = vec![0u16; len];
    chars.get_region(env, 0, &mut buf)?;
    Ok(buf)
}

/// An optional string argument (`null` is `None`).
pub(crate) fn opt_string(env: &mut Env<'_>, s: &JString<'_>, field: &str) -> R<Option<String>> {
    if s.is_null() {
        Ok(None)
    } else {
        text(env, s, field).map(Some)
    }
}

/// A required string argument.
pub(crate) fn string(env: &mut Env<'_>, s: &JString<'_>, field: &str) -> R<String> {
    opt_string(env, s, field)?.ok_or_else(|| invalid(field, "is required (a string)"))
}

/// The bytes of a `byte[]` (`null` is refused).
pub(crate) fn bytes(env: &mut Env<'_>, b: &JByteArray<'_>, field: &str) -> R<Vec<u8>> {
    if b.is_null() {
        return Err(invalid(field, "is required (a byte array)"));
    }
    Ok(env.convert_byte_array(b)?)
}

fn class_name(env: &mut Env<'_>, obj: &JObject<'_>) -> R<String> {
    let class = env
        .call_method(
            obj,
            jni_str!("getClass"),
            jni_sig!("()Ljava/lang/Class;"),
            &[],
        )?
        .l()?;
    let name = env
        .call_method(
            &class,
            jni_str!("getName"),
            jni_sig!("()Ljava/lang/String;"),
            &[],
        )?
        .l()?;
    let name = env.cast_local::<JString>(name)?;
    Ok(name.try_to_string(env)?)
}

/// Any Java value of the types above, as JSON; `path` names it in errors.
pub(crate) fn to_value(env: &mut Env<'_>, obj: &JObject<'_>, path: &str, depth: usize) -> R<Value> {
    if depth > MAX_DEPTH {
        return Err(invalid(
            path,
            format!("is nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    if obj.is_null() {
        return Ok(Value::Null);
    }
    let c = classes(env)?;
    env.with_local_frame(16, |env| -> R<Value> {
        if env.is_instance_of(obj, &c.string)? {
            let s = env.as_cast::<JString>(obj)?;
            return Ok(Value::String(text(env, &s, path)?));
        }
        if env.is_instance_of(obj, &c.boolean)? {
            let b = env
                .call_method(obj, jni_str!("booleanValue"), jni_sig!("()Z"), &[])?
                .z()?;
            return Ok(Value::Bool(b));
        }
        for integral in &c.integral {
            if env.is_instance_of(obj, integral)? {
                let n = env
                    .call_method(obj, jni_str!("longValue"), jni_sig!("()J"), &[])?
                    .j()?;
                return Ok(Value::from(n));
            }
        }
        for floating in &c.floating {
            if env.is_instance_of(obj, floating)? {
                let n = env
                    .call_method(obj, jni_str!("doubleValue"), jni_sig!("()D"), &[])?
                    .d()?;
                return match Number::from_f64(n) {
                    Some(n) => Ok(Value::Number(n)),
                    None => Err(invalid(path, format!("expected a finite number, got {n}"))),
                };
            }
        }
        if env.is_instance_of(obj, &c.map)? {
            let entries = env
                .call_method(
                    obj,
                    jni_str!("entrySet"),
                    jni_sig!("()Ljava/util/Set;"),
                    &[],
                )?
                .l()?;
            let array = to_array(env, &entries)?;
            let len = array.len(env)?;
            let mut out = Map::new();
            for i in 0..len {
                let (key, value) = env.with_local_frame(8, |env| -> R<(String, Value)> {
                    let entry = array.get_element(env, i)?;
                    let key = env
                        .call_method(
                            &entry,
                            jni_str!("getKey"),
                            jni_sig!("()Ljava/lang/Object;"),
                            &[],
                        )?
                        .l()?;
                    if key.is_null() || !env.is_instance_of(&key, &c.string)? {
                        return Err(invalid(path, "has a key that is not a string"));
                    }
                    let key = env.as_cast::<JString>(&key)?;
                    let key = text(env, &key, path)?;
                    let value = env
                        .call_method(
                            &entry,
                            jni_str!("getValue"),
                            jni_sig!("()Ljava/lang/Object;"),
                            &[],
                        )?
                        .l()?;
                    let at = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    let value = to_value(env, &value, &at, depth + 1)?;
                    Ok((key, value))
                })?;
                if !value.is_null() {
                    out.insert(key, value);
                }
            }
            return Ok(Value::Object(out));
        }
        let array = if env.is_instance_of(obj, &c.collection)? {
            Some(to_array(env, obj)?)
        } else if env.is_instance_of(obj, &c.object_array)? {
            let local = env.new_local_ref(obj)?;
            Some(env.cast_local::<JObjectArray>(local)?)
        } else {
            None
        };
        if let Some(array) = array {
            let len = array.len(env)?;
            let mut out = Vec::with_capacity(len);
            for i in 0..len {
                let item = env.with_local_frame(8, |env| -> R<Value> {
                    let item = array.get_element(env, i)?;
                    to_value(env, &item, &format!("{path}[{i}]"), depth + 1)
                })?;
                out.push(item);
            }
            return Ok(Value::Array(out));
        }
        let name = class_name(env, obj)?;
        Err(invalid(
            path,
            format!(
                "expected a String, Boolean, Integer, Long, Double, Map, List or array, got {name}"
            ),
        ))
    })
}

fn to_array<'l>(env: &mut Env<'l>, collection: &JObject<'_>) -> R<JObjectArray<'l>> {
    let array = env
        .call_method(
            collection,
            jni_str!("toArray"),
            jni_sig!("()[Ljava/lang/Object;"),
            &[],
        )?
        .l()?;
    Ok(env.cast_local::<JObjectArray>(array)?)
}

/// JSON as a Java value (see the module's doc).
pub(crate) fn to_java<'l>(env: &mut Env<'l>, value: &Value) -> R<JObject<'l>> {
    let c = classes(env)?;
    match value {
        Value::Null => Ok(JObject::null()),
        Value::String(s) => Ok(env.new_string(s)?.into()),
        Value::Bool(b) => Ok(env
            .call_static_method(
                &c.boolean,
                jni_str!("valueOf"),
                jni_sig!("(Z)Ljava/lang/Boolean;"),
                &[JValue::Bool(*b)],
            )?
            .l()?),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(env
                .call_static_method(
                    &c.long,
                    jni_str!("valueOf"),
                    jni_sig!("(J)Ljava/lang/Long;"),
                    &[JValue::Long(i)],
                )?
                .l()?),
            None => Ok(env
                .call_static_method(
                    &c.double,
                    jni_str!("valueOf"),
                    jni_sig!("(D)Ljava/lang/Double;"),
                    &[JValue::Double(n.as_f64().unwrap_or(f64::NAN))],
                )?
                .l()?),
        },
        Value::Array(items) => {
            let list = env.new_object(
                &c.array_list,
                jni_sig!("(I)V"),
                &[JValue::Int(items.len().min(i32::MAX as usize) as i32)],
            )?;
            for item in items {
                env.with_local_frame(8, |env| -> R<()> {
                    let item = to_java(env, item)?;
                    env.call_method(
                        &list,
                        jni_str!("add"),
                        jni_sig!("(Ljava/lang/Object;)Z"),
                        &[JValue::Object(&item)],
                    )?;
                    Ok(())
                })?;
            }
            Ok(list)
        }
        Value::Object(map) => {
            let out = env.new_object(&c.linked_hash_map, jni_sig!("()V"), &[])?;
            for (key, item) in map {
                env.with_local_frame(8, |env| -> R<()> {
                    let key: JObject = env.new_string(key)?.into();
                    let item = to_java(env, item)?;
                    env.call_method(
                        &out,
                        jni_str!("put"),
                        jni_sig!("(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;"),
                        &[JValue::Object(&key), JValue::Object(&item)],
                    )?;
                    Ok(())
                })?;
            }
            Ok(out)
        }
    }
}
