//! Python: the typed webhook event classes, from core's event declarations
//! (`yunhuni::event_decls::EVENTS`, the events whose `rust_type` is set).
//!
//! - `py/src/events_gen.rs`: one pyo3 class per typed event, a getter per declared key (and an
//!   aware `datetime` beside each time key), `event`, `raw`, `to_dict`, `__repr__`, and the
//!   values Python derives from core's methods ([`DERIVED`]); how each *type* of key converts
//!   and the derived values themselves are hand-written in `py/src/events.rs`.
//! - `py/python/yunhuni/_events.py`: the classes and `parse_event`, re-exported from the native
//!   module for `yunhuni` (`from ._events import *`).
//! - `py/python/yunhuni/_events.pyi`: their stubs.

use crate::names::{quoted, GENERATED};
use crate::Output;
use std::fmt::Write;
use yunhuni::event_decls::{EventDecl, EventKey, KeyType, EVENTS};

pub fn outputs() -> Vec<Output> {
    vec![
        Output {
            path: "py/src/events_gen.rs",
            text: crate::rust::rustfmt(&native()),
        },
        Output {
            path: "py/python/yunhuni/_events.py",
            text: module(),
        },
        Output {
            path: "py/python/yunhuni/_events.pyi",
            text: stubs(),
        },
    ]
}

/// A value that Python derives from a typed event with one of core's methods: the getter
/// `name` of every class of the Rust type `rust_type` returns `crate::events::derived::name`
/// of the event (hand-written in `py/src/events.rs`).
struct Derived {
    rust_type: &'static str,
    name: &'static str,
    /// Its annotation in the stubs.
    annotation: &'static str,
    doc: &'static str,
}

const DERIVED: &[Derived] = &[
    Derived {
        rust_type: "DuoCallbackEnd",
        name: "outcome",
        annotation: "_Outcome",
        doc: "How the call ended: `connected`, `party1_not_reached`, `party2_not_reached`, `max_duration_reached`, `bridge_error` or `platform_failure`.",
    },
    Derived {
        rust_type: "DuoCallbackEnd",
        name: "outcome_text",
        annotation: "str",
        doc: "`outcome` as a short English sentence.",
    },
    Derived {
        rust_type: "DuoCallbackEnd",
        name: "talk_seconds",
        annotation: "int",
        doc: "Seconds the two parties talked: `duration` when sent, else `end_time - answer_time2`, else 0.",
    },
    Derived {
        rust_type: "NotifyCallEnd",
        name: "ended_by",
        annotation: "_EndedBy | None",
        doc: "Who ended the call: `user`, `platform`, or `None` when not said.",
    },
];

/// The private aliases the derived annotations use.
const ALIASES: &[(&str, &str)] = &[
    (
        "_Outcome",
        "Literal[\n    \"connected\",\n    \"party1_not_reached\",\n    \"party2_not_reached\",\n    \"max_duration_reached\",\n    \"bridge_error\",\n    \"platform_failure\",\n]",
    ),
    ("_EndedBy", "Literal[\"user\", \"platform\"]"),
];

/// What `repr()` shows, per Rust type; other types show `id` and `user_data` when declared.
const REPR: &[(&str, &[&str])] = &[
    (
        "DuoCallbackEnd",
        &["id", "outcome", "talk_seconds", "user_data"],
    ),
    ("NotifyCallEnd", &["id", "ended_by", "error", "user_data"]),
    (
        "CallcenterAgentStateChanged",
        &["name", "previous_state", "latest_state"],
    ),
    (
        "CallcenterAgentConversationChanged",
        &["name", "conversation_id", "kind"],
    ),
    ("MsgSendingComplete", &["msgKey", "state", "kind"]),
    ("MsgTemplateComplete", &["tempId", "status", "reason"]),
];

/// The typed events: declaration, Python class name, Rust type.
fn typed() -> impl Iterator<Item = (&'static EventDecl, String, &'static str)> {
    EVENTS
        .iter()
        .filter_map(|e| e.rust_type.map(|t| (e, crate::events::variant(e.name), t)))
}

fn derived(rust_type: &str) -> impl Iterator<Item = &'static Derived> + '_ {
    DERIVED.iter().filter(move |d| d.rust_type == rust_type)
}

fn repr_names(decl: &EventDecl, rust_type: &str) -> Vec<&'static str> {
    match REPR.iter().find(|(t, _)| *t == rust_type) {
        Some((_, names)) => names.to_vec(),
        None => ["id", "user_data"]
            .into_iter()
            .filter(|n| decl.keys.iter().any(|k| k.field == *n))
            .collect(),
    }
}

/// The name of the `datetime` beside a time key: `begin_time` → `begin_at`, `answer_time1` →
/// `answer1_at`, `time` → `time_at`.
fn at_name(key: &str) -> String {
    if key.contains("_time") {
        format!("{}_at", key.replacen("_time", "", 1))
    } else {
        format!("{key}_at")
    }
}

/// The class's docstring (Markdown quotes, as the Rust docs write them).
fn class_doc(decl: &EventDecl, class: &str, rust_type: &str) -> String {
    let mut doc = format!("`{}`: {}", decl.name, decl.doc);
    if rust_type != class {
        let _ = write!(doc, " Same keys as `{rust_type}`.");
    }
    if decl.keys.iter().any(|k| k.ty == KeyType::Time) {
        doc.push_str(
            "\n\nTimes are epoch milliseconds (`begin_time`, ...) and aware datetimes in UTC+8 \
             (`begin_at`, ...; in UTC for the last eight hours of 9999, which UTC+8 cannot show).",
        );
    }
    doc.push_str(" Absent values are `None`; reading a property never raises.");
    doc
}

fn key_doc(k: &EventKey) -> String {
    match k.ty {
        KeyType::Time => format!("{} In epoch milliseconds.", k.doc),
        KeyType::Str | KeyType::Int => k.doc.to_owned(),
    }
}

fn at_doc(k: &EventKey) -> String {
    format!("`{}` as an aware datetime in UTC+8.", k.name)
}

/// `///` lines.
fn rust_doc(out: &mut String, indent: &str, doc: &str) {
    for line in doc.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

fn native() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}\n");
    let _ = writeln!(
        out,
        "//! The typed event classes of `yunhuni`: one per typed event of core's declarations, a\n//! getter per declared key. How each type of key converts, and the derived values, are in\n//! `events.rs`.\n"
    );
    let _ = writeln!(
        out,
        "use crate::events::{{datetime_from_ms, derived, repr_of, to_dict}};"
    );
    let _ = writeln!(out, "use pyo3::prelude::*;");
    if typed().any(|(_, _, t)| derived(t).next().is_some()) {
        let _ = writeln!(out, "use pyo3::IntoPyObjectExt;");
    }
    let mut types: Vec<&str> = typed().map(|(_, _, t)| t).collect();
    types.sort_unstable();
    types.dedup();
    let _ = writeln!(
        out,
        "use yunhuni::{{Event, OtherEvent, {}}};\n",
        types.join(", ")
    );

    for (decl, class, rust_type) in typed() {
        rust_doc(&mut out, "", &class_doc(decl, &class, rust_type));
        let _ = writeln!(
            out,
            "#[pyclass(frozen, eq, module = \"yunhuni\", name = {})]",
            quoted(&class)
        );
        let _ = writeln!(out, "#[derive(PartialEq)]");
        let _ = writeln!(out, "pub struct Py{class}({rust_type});\n");
        let _ = writeln!(out, "#[pymethods]\nimpl Py{class} {{");
        let _ = writeln!(out, "    /// The event name, `'{}'`.", decl.name);
        let _ = writeln!(
            out,
            "    #[getter]\n    fn event(&self) -> &'static str {{\n        {}\n    }}\n",
            quoted(decl.name)
        );
        for k in decl.keys {
            let field = crate::rust::ident(k.field);
            rust_doc(&mut out, "    ", &key_doc(k));
            if k.field.chars().any(|c| c.is_ascii_uppercase()) {
                let _ = writeln!(out, "    #[allow(non_snake_case)]");
            }
            let _ = writeln!(out, "    #[getter]");
            match k.ty {
                KeyType::Str => {
                    let _ = writeln!(
                        out,
                        "    fn {field}(&self) -> Option<&str> {{\n        self.0.{field}.as_deref()\n    }}\n"
                    );
                }
                KeyType::Int | KeyType::Time => {
                    let _ = writeln!(
                        out,
                        "    fn {field}(&self) -> Option<i64> {{\n        self.0.{field}\n    }}\n"
                    );
                }
            }
            if k.ty == KeyType::Time {
                rust_doc(&mut out, "    ", &at_doc(k));
                let _ = writeln!(
                    out,
                    "    #[getter]\n    fn {}<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {{\n        datetime_from_ms(py, self.0.{field})\n    }}\n",
                    at_name(k.field)
                );
            }
        }
        for d in derived(rust_type) {
            rust_doc(&mut out, "    ", d.doc);
            let _ = writeln!(
                out,
                "    #[getter]\n    fn {0}<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {{\n        derived::{0}(&self.0).into_bound_py_any(py)\n    }}\n",
                d.name
            );
        }
        let _ = writeln!(
            out,
            "    /// The body as text (decoded as UTF-8, or as ISO-8859-1 when it is not UTF-8).\n    #[getter]\n    fn raw(&self) -> &str {{\n        &self.0.raw\n    }}\n"
        );
        let _ = writeln!(
            out,
            "    /// The canonical view shared by every language of the SDK: `type`, `event`, every\n    /// declared key (`None` when absent) and the derived values.\n    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {{\n        to_dict(py, Event::{class}(self.0.clone()))\n    }}\n"
        );
        let names = repr_names(decl, rust_type);
        let pattern: Vec<String> = names.iter().map(|n| format!("{n}={{}}")).collect();
        let args: Vec<String> = names
            .iter()
            .map(|n| {
                if derived(rust_type).any(|d| d.name == *n) {
                    format!("repr_of(py, derived::{n}(&self.0))?")
                } else if decl
                    .keys
                    .iter()
                    .any(|k| k.field == *n && k.ty != KeyType::Str)
                {
                    // An integer is `Copy`: passed by value.
                    format!("repr_of(py, self.0.{})?", crate::rust::ident(n))
                } else {
                    format!("repr_of(py, &self.0.{})?", crate::rust::ident(n))
                }
            })
            .collect();
        let _ = writeln!(
            out,
            "    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {{\n        Ok(format!({}, {}))\n    }}\n}}\n",
            quoted(&format!("{class}({})", pattern.join(", "))),
            args.join(", ")
        );
    }

    let _ = writeln!(
        out,
        "/// Adds the typed event classes to the native module."
    );
    let _ = writeln!(
        out,
        "pub fn add_classes(m: &Bound<'_, PyModule>) -> PyResult<()> {{"
    );
    for (_, class, _) in typed() {
        let _ = writeln!(out, "    m.add_class::<Py{class}>()?;");
    }
    let _ = writeln!(out, "    Ok(())\n}}\n");

    let _ = writeln!(
        out,
        "/// A typed event as its class, or `Err` with the event kept whole (`Event::Other`)."
    );
    let _ = writeln!(
        out,
        "pub fn typed_to_py(py: Python<'_>, event: Event) -> PyResult<Result<Py<PyAny>, OtherEvent>> {{"
    );
    let _ = writeln!(out, "    Ok(Ok(match event {{");
    for (_, class, _) in typed() {
        let _ = writeln!(
            out,
            "        Event::{class}(e) => Py::new(py, Py{class}(e))?.into_any(),"
        );
    }
    let _ = writeln!(
        out,
        "        Event::IvrStart(e) => Py::new(py, crate::ivr_gen::PyIvrStart::from(e))?.into_any(),"
    );
    let _ = writeln!(
        out,
        "        Event::Other(e) => return Ok(Err(e)),\n    }}))\n}}"
    );
    out
}

/// The names `_events` exports: the classes, then `parse_event`.
fn exports() -> Vec<String> {
    typed()
        .map(|(_, class, _)| class)
        .chain(std::iter::once("parse_event".to_owned()))
        .collect()
}

fn all_list(out: &mut String) {
    let _ = writeln!(out, "__all__ = [");
    for name in exports() {
        let _ = writeln!(out, "    {},", quoted(&name));
    }
    let _ = writeln!(out, "]");
}

fn module() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {GENERATED}");
    let _ = writeln!(
        out,
        "\"\"\"The typed webhook event classes (native), one per typed event that core declares, and\n``parse_event``; ``yunhuni`` re-exports them.\"\"\"\n"
    );
    let _ = writeln!(out, "from ._native import (");
    for name in exports() {
        let _ = writeln!(out, "    {name},");
    }
    let _ = writeln!(out, ")\n");
    all_list(&mut out);
    out
}

/// Markdown quotes as reST literals: `a` → ``a``.
fn rst(text: &str) -> String {
    text.replace('`', "``")
}

/// A docstring at `indent`, wrapped at 96 columns.
fn docstring(out: &mut String, indent: &str, text: &str) {
    let text = rst(text).replace('\\', "\\\\");
    let width = 96;
    let mut lines: Vec<String> = Vec::new();
    for (i, para) in text.split("\n\n").enumerate() {
        if i > 0 {
            lines.push(String::new());
        }
        let mut line = String::new();
        for word in para.split_whitespace() {
            let first = lines.is_empty() && line.is_empty();
            let used = indent.len() + if first { 3 } else { 0 } + line.len();
            if !line.is_empty() && used + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    let body = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 || l.is_empty() {
                l.clone()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let _ = writeln!(out, "{indent}\"\"\"{body}\"\"\"");
}

fn property(out: &mut String, name: &str, annotation: &str, doc: &str) {
    let _ = writeln!(
        out,
        "\n    @property\n    def {name}(self) -> {annotation}:"
    );
    docstring(out, "        ", doc);
}

fn stubs() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {GENERATED}");
    let _ = writeln!(
        out,
        "\"\"\"The typed webhook event classes and ``parse_event`` (stub).\"\"\"\n"
    );
    let _ = writeln!(out, "from datetime import datetime");
    let _ = writeln!(out, "from typing import Any, Literal, final\n");
    let _ = writeln!(out, "from . import Event, _Bytes");
    let _ = writeln!(out, "from .ivr import IvrStart\n");
    for (name, value) in ALIASES {
        let _ = writeln!(out, "{name} = {value}");
    }
    for (decl, class, rust_type) in typed() {
        let _ = writeln!(out, "\n@final\nclass {class}:");
        docstring(&mut out, "    ", &class_doc(decl, &class, rust_type));
        property(
            &mut out,
            "event",
            &format!("Literal[{}]", quoted(decl.name)),
            "The event name.",
        );
        for k in decl.keys {
            let ty = match k.ty {
                KeyType::Str => "str | None",
                KeyType::Int | KeyType::Time => "int | None",
            };
            property(&mut out, k.field, ty, &key_doc(k));
            if k.ty == KeyType::Time {
                property(&mut out, &at_name(k.field), "datetime | None", &at_doc(k));
            }
        }
        for d in derived(rust_type) {
            property(&mut out, d.name, d.annotation, d.doc);
        }
        property(
            &mut out,
            "raw",
            "str",
            "The body as text (decoded as UTF-8, or as ISO-8859-1 when it is not UTF-8).",
        );
        let _ = writeln!(out, "\n    def to_dict(self) -> dict[str, Any]:");
        docstring(
            &mut out,
            "        ",
            "The canonical view shared by every language of the SDK.",
        );
        let _ = writeln!(out, "\n    def __eq__(self, value: object, /) -> bool: ...");
    }
    let classes: Vec<String> = typed().map(|(_, class, _)| class).collect();
    let _ = writeln!(
        out,
        "\ndef parse_event(body: _Bytes | str) -> {} | IvrStart | Event:",
        classes.join(" | ")
    );
    docstring(
        &mut out,
        "    ",
        &format!(
            "Parses a webhook body as the platform POSTs it (`bytes`, or `str`): a {}, an `IvrStart` for the `ivr_start` request the platform POSTs to an IVR application's URL, or an `Event` for any other event name. Raises `DecodeError` for a body that is not a JSON object with a string `event`, or whose keys have impossible types or times outside 1970-9999 (naming the key).",
            classes
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    let _ = writeln!(out);
    all_list(&mut out);
    out
}
