//! C: the typed functions of every operation (`ffi-c/src/ops.rs`), which cbindgen turns into
//! `include/yunhuni.h`. Per operation: a name for its request type (`yh_conf_create`, the same
//! type as `yh_request`), `yh_<op>_new` taking the required fields, `yh_<op>_set_<field>` for
//! each optional field, and for the operations that place a call `yh_client_<op>` answering a
//! `yh_call_created`. Each function's doc comment (and so the header) lists every field with its
//! C type, whether it is required, the server's rules and its doc, and the shape of the answer.
//! The bodies only call the C crate's per-type conversions (`put_str`, `put_int`, `put_bool`,
//! `put_json`).
//!
//! And the accessor of each key of the typed webhook events (`ffi-c/src/events_gen.rs`):
//! `yh_event_<event>_<key>`, documented from the key's declaration, its body one call of the C
//! crate's per-type readers (`str_key`, `int_key`).
//!
//! The text helpers for rules and answers are shared with the PHP generator.

use crate::names::{quoted, GENERATED};
use crate::Output;
use std::collections::HashSet;
use std::fmt::Write;
use yunhuni::event_decls::{EventDecl, KeyType, EVENTS};
use yunhuni::ops::{Data, DataType, Field, Operation, Rule, Shape, Type, OPERATIONS};

pub fn outputs() -> Vec<Output> {
    vec![
        Output {
            path: "ffi-c/src/ops.rs",
            text: crate::rust::rustfmt(&ops()),
        },
        Output {
            path: "ffi-c/src/events_gen.rs",
            text: crate::rust::rustfmt(&events()),
        },
    ]
}

/// Names the C crate already exports, which a generated name must not take.
const TAKEN: &[&str] = &[
    "yh_request",
    "yh_response",
    "yh_client",
    "yh_client_builder",
    "yh_call_created",
    "yh_error",
    "yh_event",
    "yh_result",
    "yh_client_send",
    "yh_client_cancel_duo_callback",
    "yh_notify_call_add_play_item",
    "yh_duo_callback_free",
    "yh_notify_call_free",
    "yh_verify_call_free",
];

/// Parameter names of the generated functions besides the fields.
const PARAMS: &[&str] = &["request", "request_out", "client", "call_out", "err_out"];

/// The Rust parameter type of a field, and the C crate's conversion that sets it.
fn param(ty: Type) -> (&'static str, &'static str) {
    match ty {
        Type::Str => ("*const c_char", "put_str"),
        Type::Int => ("i64", "put_int"),
        Type::Bool => ("bool", "put_bool"),
        Type::StrList | Type::PlayRows | Type::Objects(_) => ("*const c_char", "put_json"),
    }
}

/// The C type of a field as the header shows it, with what the value holds.
pub fn c_type(ty: Type) -> String {
    match ty {
        Type::Str => "`const char *`".into(),
        Type::Int => "`int64_t`".into(),
        Type::Bool => "`bool`".into(),
        Type::StrList => "`const char *` JSON text, a list of strings: `[\"a\",\"b\"]`".into(),
        Type::PlayRows => {
            "`const char *` JSON text, rows of [content, play_type]: `[[\"123\",1]]` (play types: \
             the `YH_PLAY_*` values)"
                .into()
        }
        Type::Objects(r) => format!(
            "`const char *` JSON text, a list of objects: `[{}]`",
            record_shape(r.fields)
        ),
    }
}

/// A record's keys as a JSON-like shape with types and rules: `{"name": string, ...}`.
pub fn record_shape(fields: &[Field]) -> String {
    let keys: Vec<String> = fields
        .iter()
        .map(|f| {
            let mut notes = Vec::new();
            if f.required {
                notes.push("required".to_owned());
            }
            let rules = rules_text(f.rules);
            if !rules.is_empty() {
                notes.push(rules);
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join(", "))
            };
            format!("\"{}\": {}{notes}", f.wire, f.ty.describe())
        })
        .collect();
    format!("{{{}}}", keys.join(", "))
}

/// The server's rules of a field in words, each once: `1-21600, at most 128 characters`.
pub fn rules_text(rules: &[Rule]) -> String {
    const I32_MAX: i64 = i32::MAX as i64;
    const I32_MIN: i64 = i32::MIN as i64;
    let mut out: Vec<String> = Vec::new();
    for rule in rules {
        let text = match *rule {
            Rule::NotBlank => "not blank".to_owned(),
            Rule::Range(min, I32_MAX) => format!("at least {min}"),
            Rule::Range(I32_MIN, max) => format!("at most {max}"),
            Rule::Range(min, max) => format!("{min}-{max}"),
            Rule::MinLen(n) => format!("at least {n} characters"),
            Rule::MaxLen(n) => format!("at most {n} characters"),
            Rule::OneOf(values) => format!("one of {}", quoted_list(values)),
            Rule::OneOfOrPrefix(values, prefixes) => format!(
                "one of {}, or starting with {}",
                quoted_list(values),
                quoted_list(prefixes)
            ),
            Rule::Not(v) => format!("not {v}"),
            Rule::MinItems(n) => format!("at least {n} items"),
            Rule::Url => "a URL (scheme://...)".to_owned(),
            Rule::Mobile => "a mobile number (1 and ten digits)".to_owned(),
            Rule::Digits(n) => format!("1-{n} decimal digits"),
        };
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out.join(", ")
}

fn quoted_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| quoted(v))
        .collect::<Vec<_>>()
        .join(", ")
}

fn data_type(ty: DataType) -> String {
    match ty {
        DataType::Str => "string".into(),
        DataType::Int => "integer".into(),
        DataType::Bool => "boolean".into(),
        DataType::StrList => "[string]".into(),
        DataType::List(s) => format!("[{}]", shape_text(s)),
        DataType::Any => "any".into(),
    }
}

/// An answer object as a JSON-like shape: `{"confId": string, "user": string or null}`.
pub fn shape_text(shape: &Shape) -> String {
    let keys: Vec<String> = shape
        .fields
        .iter()
        .map(|k| {
            let null = if k.nullable { " or null" } else { "" };
            format!("\"{}\": {}{null}", k.name, data_type(k.ty))
        })
        .collect();
    format!("{{{}}}", keys.join(", "))
}

/// What an operation answers, in words and shapes.
pub fn answer_text(data: Data) -> String {
    match data {
        Data::Call => {
            "the call placed, `{\"callId\": string, \"user_data\": string or null}`".into()
        }
        Data::Null => "`null`".into(),
        Data::Bool => "`true`".into(),
        Data::Str => "a string".into(),
        Data::Object(s) => format!("an object `{}`", shape_text(s)),
        Data::ObjectOrNull(s) => format!("an object `{}`, or `null`", shape_text(s)),
        Data::List(s) => format!("a list of objects `{}`", shape_text(s)),
        Data::ListOrNull(s) => format!("a list of objects `{}`, or `null`", shape_text(s)),
        Data::Page(s) => format!(
            "a page `{{\"pageSize\": integer, \"startIndex\": integer, \"totalCount\": integer, \
             \"totalPageCount\": integer, \"currentPageNo\": integer, \"result\": [{}]}}`",
            shape_text(s)
        ),
        Data::Unknown => "what the server answers (not declared)".into(),
    }
}

/// Text made safe inside a C block comment.
fn comment_safe(text: &str) -> String {
    text.replace("*/", "* /").replace("/*", "/ *")
}

/// `text` as `///` lines of at most `width` characters after `indent`, continuation lines
/// indented by `hang` spaces.
fn doc(out: &mut String, text: &str, hang: usize) {
    const WIDTH: usize = 96;
    let text = comment_safe(text);
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > WIDTH {
            let _ = writeln!(out, "/// {line}");
            line = " ".repeat(hang);
        } else if !line.is_empty() && !line.ends_with(' ') {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.trim().is_empty() {
        let _ = writeln!(out, "/// {line}");
    }
}

fn blank(out: &mut String) {
    out.push_str("///\n");
}

/// One `- name: type, required, rules. doc` line of a field.
fn field_line(f: &Field) -> String {
    let mut what = vec![c_type(f.ty)];
    what.push(if f.required { "required" } else { "optional" }.to_owned());
    let rules = rules_text(f.rules);
    if !rules.is_empty() {
        what.push(rules);
    }
    format!("- `{}`: {}. {}", f.name, what.join(", "), f.doc)
}

fn ops() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}");
    out.push_str(
        "//! The typed C functions of every operation of the platform, from core's declarations.\n\
         //! Each sets fields through the per-type conversions of `request.rs`; core checks them.\n\n\
         use crate::client::{yh_call_created, yh_client};\n\
         use crate::error::{yh_error, yh_result};\n\
         use crate::request::{change, new_request, place_call, put_bool, put_int, put_json, put_str, yh_request};\n\
         use std::ffi::c_char;\n\n",
    );
    let mut names: HashSet<String> = TAKEN.iter().map(|s| s.to_string()).collect();
    let mut claim = |name: String| {
        assert!(
            names.insert(name.clone()),
            "generated C name {name} is taken twice"
        );
        name
    };
    for op in OPERATIONS {
        operation(&mut out, op, &mut claim);
    }
    out
}

fn operation(out: &mut String, op: &Operation, claim: &mut impl FnMut(String) -> String) {
    for f in op.fields {
        assert!(
            !PARAMS.contains(&f.name),
            "field {} of {} is a parameter name",
            f.name,
            op.name
        );
    }
    let ty = claim(format!("yh_{}", op.name));
    let new = claim(format!("yh_{}_new", op.name));
    let line = format!("`{} {}`", op.method.as_str(), op.path);
    let required: Vec<&Field> = op.fields.iter().filter(|f| f.required).collect();
    let optional: Vec<&Field> = op.fields.iter().filter(|f| !f.required).collect();
    let client = (op.data == Data::Call).then(|| claim(format!("yh_client_{}", op.name)));

    // The request type.
    doc(
        out,
        &format!(
            "The request type of `{}` ({line}): a `yh_request`, made by `{new}`.",
            op.name
        ),
        0,
    );
    let _ = writeln!(out, "pub type {ty} = yh_request;\n");

    // `_new`, documenting the whole operation.
    doc(
        out,
        &format!("{} ({line}, operation `{}`)", op.doc, op.name),
        0,
    );
    blank(out);
    let mut how = String::from("Starts the request with its required fields as arguments. ");
    if !optional.is_empty() {
        let _ = write!(
            how,
            "Set optional fields with the `yh_{}_set_*` functions. ",
            op.name
        );
    }
    how.push_str("Any field can also be set by name with the `yh_request_set_*` functions. ");
    match &client {
        Some(c) => {
            let _ = write!(
                how,
                "Send it with `{c}` (a `yh_call_created`) or `yh_client_send`; free it with \
                 `yh_request_free`."
            );
        }
        None => how.push_str("Send it with `yh_client_send`; free it with `yh_request_free`."),
    }
    doc(out, &how, 0);
    blank(out);
    if op.fields.is_empty() {
        doc(out, "Fields: none.", 0);
    } else {
        doc(out, "Fields:", 0);
        for f in op.fields {
            doc(out, &field_line(f), 2);
        }
    }
    if op.status != "stable" {
        blank(out);
        doc(
            out,
            &format!("The platform marks this operation `{}`.", op.status),
            0,
        );
    }
    blank(out);
    doc(
        out,
        &format!("Answers (`yh_response_json`): {}.", answer_text(op.data)),
        0,
    );
    blank(out);
    doc(out, "On success writes a new request to `*request_out`.", 0);
    if required.len() + 2 > 7 {
        let _ = writeln!(out, "#[allow(clippy::too_many_arguments)]");
    }
    let _ = writeln!(out, "#[no_mangle]\npub extern \"C\" fn {new}(");
    for f in &required {
        let _ = writeln!(
            out,
            "    {}: {},",
            crate::rust::ident(f.name),
            param(f.ty).0
        );
    }
    let _ = writeln!(
        out,
        "    request_out: *mut *mut {ty},\n    err_out: *mut *mut yh_error,\n) -> yh_result {{"
    );
    if required.is_empty() {
        let _ = writeln!(
            out,
            "    new_request({}, request_out, err_out, |_| Ok(()))",
            quoted(op.name)
        );
    } else {
        let _ = writeln!(
            out,
            "    new_request({}, request_out, err_out, |r| {{",
            quoted(op.name)
        );
        for f in &required {
            let _ = writeln!(
                out,
                "        {}(r, {}, {})?;",
                param(f.ty).1,
                quoted(f.name),
                crate::rust::ident(f.name)
            );
        }
        let _ = writeln!(out, "        Ok(())\n    }})");
    }
    let _ = writeln!(out, "}}\n");

    // A setter per optional field.
    for f in &optional {
        let name = claim(format!("yh_{}_set_{}", op.name, f.name));
        let rules = rules_text(f.rules);
        let rules = if rules.is_empty() {
            String::new()
        } else {
            format!(", {rules}")
        };
        doc(
            out,
            &format!(
                "Sets `{}` of a `{}` request ({}{rules}): {}",
                f.name,
                op.name,
                c_type(f.ty),
                f.doc
            ),
            0,
        );
        let _ = writeln!(
            out,
            "#[no_mangle]\npub extern \"C\" fn {name}(\n    request: *mut {ty},\n    {}: {},\n    err_out: *mut *mut yh_error,\n) -> yh_result {{\n    change(request, err_out, |r| {}(r, {}, {}))\n}}\n",
            crate::rust::ident(f.name),
            param(f.ty).0,
            param(f.ty).1,
            quoted(f.name),
            crate::rust::ident(f.name)
        );
    }

    // The typed send of an operation that places a call.
    if let Some(c) = client {
        doc(
            out,
            &format!(
                "Sends the `{}` request ({line}): {} Checked first (`YH_ERR_VALIDATION`, nothing \
                 sent); a request of another operation fails with `YH_ERR_VALIDATION`, field \
                 `request`. Blocks until the platform answers or the client's timeout passes; \
                 safe to call from several threads on one client.",
                op.name, op.doc
            ),
            0,
        );
        blank(out);
        doc(
            out,
            "On success writes a new `yh_call_created` to `*call_out` (free it with \
             `yh_call_created_free`). `request` is only read and may be sent again.",
            0,
        );
        let _ = writeln!(
            out,
            "#[no_mangle]\npub extern \"C\" fn {c}(\n    client: *const yh_client,\n    request: *const {ty},\n    call_out: *mut *mut yh_call_created,\n    err_out: *mut *mut yh_error,\n) -> yh_result {{\n    place_call({}, client, request, call_out, err_out)\n}}\n",
            quoted(op.name)
        );
    }
}

/// Names of the C crate's hand-written event functions, which a generated accessor must not take.
const EVENT_TAKEN: &[&str] = &[
    "yh_event_parse",
    "yh_event_free",
    "yh_event_get_type",
    "yh_event_name",
    "yh_event_id",
    "yh_event_raw_json",
    "yh_event_json",
    "yh_event_duo_outcome",
    "yh_event_duo_talk_seconds",
    "yh_event_notify_ended_by",
];

/// The accessors' infix of the typed events that had C accessors before the declarations
/// (their exported names stay); any later typed event takes its Rust type in snake_case.
const EVENT_PREFIXES: &[(&str, &str)] = &[("DuoCallbackEnd", "duo"), ("NotifyCallEnd", "notify")];

/// `yh_event_<prefix>_`: `DuoCallbackEnd` → `duo`, `ConfJoined` → `conf_joined`.
fn event_prefix(rust_type: &str) -> String {
    if let Some((_, prefix)) = EVENT_PREFIXES.iter().find(|(t, _)| *t == rust_type) {
        return (*prefix).to_owned();
    }
    let mut snake = String::new();
    for c in rust_type.chars() {
        if c.is_ascii_uppercase() && !snake.is_empty() {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    snake
}

/// A declaration's doc sentence continuing a line: its first letter lower-cased unless the first
/// word is an acronym (`SMS`).
fn continuing(doc: &str) -> String {
    let mut chars = doc.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second))
            if first.is_ascii_uppercase() && !second.is_ascii_uppercase() =>
        {
            format!("{}{second}{}", first.to_ascii_lowercase(), chars.as_str())
        }
        _ => doc.to_owned(),
    }
}

/// The event types that had C values before the declarations (their values stay), then
/// `YH_EVENT_OTHER` (4) and `YH_EVENT_IVR_START` (5); any later typed event takes the next value
/// in the order of the declarations.
const EVENT_TYPE_VALUES: &[(&str, u32)] = &[
    ("duo_callback.end", 1),
    ("notify_call.end", 2),
    ("verify_call.end", 3),
];

/// `ivr.call_end` → `YH_EVENT_IVR_CALL_END`.
fn event_type_name(event: &str) -> String {
    format!("YH_EVENT_{}", event.replace('.', "_").to_ascii_uppercase())
}

/// The `yh_event_type` enum and the function that gives an event's value.
fn event_types(out: &mut String) {
    let mut rows: Vec<(u32, String, String, String)> = Vec::new();
    let mut next = 6;
    for decl in EVENTS {
        let Some(_) = decl.rust_type else { continue };
        let value = match EVENT_TYPE_VALUES.iter().find(|(n, _)| *n == decl.name) {
            Some((_, v)) => *v,
            None => {
                next += 1;
                next - 1
            }
        };
        let same: Vec<&str> = EVENTS
            .iter()
            .filter(|e| e.rust_type == decl.rust_type)
            .map(|e| e.name)
            .collect();
        let doc = format!(
            "`{}`: {} Read its keys with the `yh_event_{}_*` accessors{}.",
            decl.name,
            decl.doc,
            event_prefix(decl.rust_type.unwrap_or_default()),
            if same.len() > 1 {
                format!(" (the same keys for {})", same.join(" and "))
            } else {
                String::new()
            }
        );
        rows.push((
            value,
            event_type_name(decl.name),
            doc,
            crate::events::variant(decl.name),
        ));
    }
    rows.push((
        4,
        "YH_EVENT_OTHER".into(),
        "Any other event, documented or not: read it with `yh_event_json`.".into(),
        "Other".into(),
    ));
    rows.push((
        5,
        "YH_EVENT_IVR_START".into(),
        "`ivr_start`: not a webhook event but the request the platform POSTs to an IVR application's URL when an IVR call starts; read its keys with the `yh_event_ivr_start_*` accessors.".into(),
        "IvrStart".into(),
    ));
    rows.sort_by_key(|r| r.0);
    out.push_str(
        "/// The type of a parsed event, from `yh_event_get_type`.\n\
         #[repr(C)]\n\
         #[derive(Debug, Clone, Copy, PartialEq, Eq)]\n\
         pub enum yh_event_type {\n\
         /// Returned for a NULL event.\n\
         YH_EVENT_NONE = 0,\n",
    );
    for (value, name, text, _) in &rows {
        doc(out, text, 0);
        let _ = writeln!(out, "{name} = {value},");
    }
    out.push_str("}\n\n/// The type of `event`.\npub(crate) fn event_type(event: &Event) -> yh_event_type {\nmatch event {\n");
    for (_, name, _, variant) in &rows {
        let _ = writeln!(out, "Event::{variant}(_) => yh_event_type::{name},");
    }
    out.push_str("}\n}\n");
}

fn events() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}");
    out.push_str(
        "//! The types of the parsed events (`yh_event_type`) and the accessor of each key of the\n\
         //! typed webhook events and of `ivr_start`, from core's declarations. Each accessor reads\n\
         //! the key through the per-type readers of `events.rs`.\n\n\
         use crate::error::yh_result;\n\
         use crate::events::{int_key, str_key, yh_event};\n\
         use std::ffi::c_char;\n\
         use yunhuni::Event;\n\n",
    );
    event_types(&mut out);
    let mut names: HashSet<String> = EVENT_TAKEN.iter().map(|s| s.to_string()).collect();
    for k in yunhuni::ivr::IVR_START.keys {
        let name = format!("yh_event_ivr_start_{}", k.name);
        assert!(
            names.insert(name.clone()),
            "generated C name {name} is taken twice"
        );
        out.push('\n');
        doc(
            &mut out,
            &format!(
                "`ivr_start` `{}`: {} Borrowed from `event`.",
                k.wire,
                continuing(k.doc)
            ),
            0,
        );
        let _ = writeln!(
            out,
            "#[no_mangle]\n\
             pub extern \"C\" fn {name}(event: *const yh_event, out: *mut *const c_char) -> yh_result {{\n\
             str_key(event, out, \"IvrStart\", {})\n}}",
            quoted(k.name)
        );
    }
    let mut done: Vec<&str> = Vec::new();
    for decl in EVENTS {
        let Some(rust_type) = decl.rust_type else {
            continue;
        };
        if done.contains(&rust_type) {
            continue;
        }
        done.push(rust_type);
        let same: Vec<&EventDecl> = EVENTS
            .iter()
            .filter(|e| e.rust_type == Some(rust_type))
            .collect();
        for e in &same {
            assert_eq!(
                e.keys, decl.keys,
                "{} and {} share {rust_type} but not their keys",
                e.name, decl.name
            );
        }
        let events: Vec<String> = same.iter().map(|e| format!("`{}`", e.name)).collect();
        let events = events.join(" / ");
        let prefix = event_prefix(rust_type);
        for k in decl.keys {
            let name = format!("yh_event_{prefix}_{}", k.field);
            assert!(
                names.insert(name.clone()),
                "generated C name {name} is taken twice"
            );
            let mut text = format!("{events} `{}`: {}", k.name, continuing(k.doc));
            if let Some(fallback) = k.fallback {
                if !k.doc.contains(fallback) {
                    let _ = write!(text, " Read from `{fallback}` when absent.");
                }
            }
            let (c_out, reader) = match k.ty {
                KeyType::Str => {
                    text.push_str(" Borrowed from `event`.");
                    ("*mut *const c_char", "str_key")
                }
                KeyType::Int => ("*mut i64", "int_key"),
                KeyType::Time => {
                    text.push_str(" Epoch milliseconds.");
                    ("*mut i64", "int_key")
                }
            };
            out.push('\n');
            doc(&mut out, &text, 0);
            let _ = writeln!(
                out,
                "#[no_mangle]\n\
                 pub extern \"C\" fn {name}(event: *const yh_event, out: {c_out}) -> yh_result {{\n\
                 {reader}(event, out, {}, {})\n}}",
                quoted(rust_type),
                quoted(k.field)
            );
        }
    }
    out
}
