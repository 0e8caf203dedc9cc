//! Rust: the typed webhook events, their parsing and their canonical view, from core's event
//! declarations (`core/src/events_typed.rs`).

use crate::names::{pascal, quoted, GENERATED};
use crate::rust::ident;
use crate::Output;
use std::fmt::Write;
use yunhuni::event_decls::{EventDecl, KeyType, EVENTS};

pub fn outputs() -> Vec<Output> {
    vec![Output {
        path: "core/src/events_typed.rs",
        text: crate::rust::rustfmt(&typed()),
    }]
}

/// `duo_callback.end` → `DuoCallbackEnd`.
pub fn variant(event: &str) -> String {
    pascal(&event.replace('.', "_"))
}

fn typed_events() -> impl Iterator<Item = (&'static EventDecl, &'static str)> {
    EVENTS.iter().filter_map(|e| e.rust_type.map(|t| (e, t)))
}

fn typed() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}\n");
    let _ = writeln!(
        out,
        "//! The typed webhook events: their structs, their parsing, and the `Event` enum.\n"
    );
    let _ = writeln!(out, "use crate::error::Result;");
    let _ = writeln!(
        out,
        "use crate::events::{{put, Derived, Fields, OtherEvent, ViewSink, ViewValue}};"
    );
    let _ = writeln!(out, "use crate::ivr::{{IvrStart, IVR_START}};");
    let _ = writeln!(out, "use serde_json::{{Map, Value}};\n");

    let mut done: Vec<&str> = Vec::new();
    for (decl, ty) in typed_events() {
        if done.contains(&ty) {
            let _ = writeln!(out, "/// `{}` has the same keys as [`{ty}`].", decl.name);
            let _ = writeln!(out, "pub type {} = {ty};\n", variant(decl.name));
            continue;
        }
        done.push(ty);
        let _ = writeln!(
            out,
            "/// `{}`: {} Times are epoch milliseconds.",
            decl.name, decl.doc
        );
        if decl
            .keys
            .iter()
            .any(|k| k.field.chars().any(|c| c.is_ascii_uppercase()))
        {
            // The wire's camelCase names (`msgKey`) are kept as they are.
            let _ = writeln!(out, "#[allow(non_snake_case)]");
        }
        let _ = writeln!(out, "#[derive(Debug, Clone, PartialEq, Eq, Default)]");
        let _ = writeln!(out, "pub struct {ty} {{");
        for k in decl.keys {
            let _ = writeln!(out, "    /// {}", k.doc);
            let rust = match k.ty {
                KeyType::Str => "String",
                KeyType::Int | KeyType::Time => "i64",
            };
            let _ = writeln!(out, "    pub {}: Option<{rust}>,", ident(k.field));
        }
        let _ = writeln!(out, "    /// The body as text.\n    pub raw: String,\n}}\n");
        let _ = writeln!(out, "impl {ty} {{");
        let _ = writeln!(
            out,
            "    pub(crate) fn from_fields(f: &Fields<'_>, raw: String) -> Result<Self> {{"
        );
        let _ = writeln!(out, "        Ok({ty} {{");
        for k in decl.keys {
            let read = match k.ty {
                KeyType::Str => "string",
                KeyType::Int => "integer",
                KeyType::Time => "time",
            };
            match k.fallback {
                None => {
                    let _ = writeln!(
                        out,
                        "            {}: f.{read}({})?,",
                        ident(k.field),
                        quoted(k.name)
                    );
                }
                Some(alt) => {
                    let _ = writeln!(
                        out,
                        "            {}: match f.{read}({})? {{ Some(v) => Some(v), None => f.{read}({})? }},",
                        ident(k.field),
                        quoted(k.name),
                        quoted(alt)
                    );
                }
            }
        }
        let _ = writeln!(out, "            raw,\n        }})\n    }}\n");
        let _ = writeln!(
            out,
            "    pub(crate) fn put_fields<S: ViewSink + ?Sized>(&self, m: &mut S) {{"
        );
        for k in decl.keys {
            let _ = writeln!(
                out,
                "        put(m, {}, &self.{});",
                quoted(k.field),
                ident(k.field)
            );
        }
        let _ = writeln!(out, "        self.put_derived(m);\n    }}\n}}\n");
    }

    let _ = writeln!(out, "/// A parsed webhook event.");
    let _ = writeln!(out, "#[derive(Debug, Clone, PartialEq)]");
    let _ = writeln!(out, "pub enum Event {{");
    for (decl, _) in typed_events() {
        let v = variant(decl.name);
        let _ = writeln!(out, "    /// `{}`: {}", decl.name, decl.doc);
        let _ = writeln!(out, "    {v}({v}),");
    }
    let _ = writeln!(
        out,
        "    /// `ivr_start`: not a webhook event but the request the platform POSTs to an IVR\n    /// application's URL when an IVR call starts (see [`crate::ivr`]).\n    IvrStart(IvrStart),"
    );
    let _ = writeln!(
        out,
        "    /// Any other event, documented or not, kept whole.\n    Other(OtherEvent),\n}}\n"
    );

    let _ = writeln!(out, "impl Event {{");
    let _ = writeln!(
        out,
        "    /// The typed event for a declared name, or `None` for the others."
    );
    let _ = writeln!(out, "    pub(crate) fn parse_typed(name: &str, f: &Fields<'_>, raw: String) -> Result<Option<Event>> {{");
    let _ = writeln!(out, "        Ok(Some(match name {{");
    for (decl, ty) in typed_events() {
        let _ = writeln!(
            out,
            "            {} => Event::{}({ty}::from_fields(f, raw)?),",
            quoted(decl.name),
            variant(decl.name)
        );
    }
    let _ = writeln!(
        out,
        "            _ => return Ok(None),\n        }}))\n    }}\n"
    );

    let _ = writeln!(
        out,
        "    /// The `event` name, for example `duo_callback.end`."
    );
    let _ = writeln!(
        out,
        "    pub fn name(&self) -> &str {{\n        match self {{"
    );
    for (decl, _) in typed_events() {
        let _ = writeln!(
            out,
            "            Event::{}(_) => {},",
            variant(decl.name),
            quoted(decl.name)
        );
    }
    let _ = writeln!(
        out,
        "            Event::IvrStart(_) => IVR_START.name,\n            Event::Other(e) => &e.name,\n        }}\n    }}\n"
    );

    let _ = writeln!(
        out,
        "    /// The call or resource id (`id`), when the event has one."
    );
    let _ = writeln!(
        out,
        "    pub fn id(&self) -> Option<&str> {{\n        match self {{"
    );
    for (decl, _) in typed_events() {
        let has_id = decl.keys.iter().any(|k| k.name == "id");
        let body = if has_id { "e.id.as_deref()" } else { "None" };
        let bind = if has_id { "e" } else { "_" };
        let _ = writeln!(
            out,
            "            Event::{}({bind}) => {body},",
            variant(decl.name)
        );
    }
    let _ = writeln!(
        out,
        "            Event::IvrStart(e) => e.call_id.as_deref(),"
    );
    let _ = writeln!(out, "            Event::Other(e) => e.fields.get(\"id\").and_then(Value::as_str),\n        }}\n    }}\n");

    let _ = writeln!(
        out,
        "    /// The body as text (decoded as UTF-8, or as ISO-8859-1 when it is not UTF-8)."
    );
    let _ = writeln!(
        out,
        "    pub fn raw_json(&self) -> &str {{\n        match self {{"
    );
    for (decl, _) in typed_events() {
        let _ = writeln!(
            out,
            "            Event::{}(e) => &e.raw,",
            variant(decl.name)
        );
    }
    let _ = writeln!(
        out,
        "            Event::IvrStart(e) => &e.raw,\n            Event::Other(e) => &e.raw,\n        }}\n    }}\n"
    );

    let _ = writeln!(
        out,
        "    /// The canonical view of a typed event ([`Event::to_value`]) handed to `m` key by key,"
    );
    let _ = writeln!(out, "    /// in the order of its declaration, without a JSON value in between; `false` (and nothing");
    let _ = writeln!(out, "    /// handed) for `ivr_start` and the other events.");
    let _ = writeln!(
        out,
        "    pub fn typed_view<S: ViewSink + ?Sized>(&self, m: &mut S) -> bool {{\n        match self {{"
    );
    for (decl, _) in typed_events() {
        let _ = writeln!(out, "            Event::{}(e) => {{", variant(decl.name));
        let _ = writeln!(
            out,
            "                m.put(\"type\", ViewValue::Str({}));",
            quoted(decl.name)
        );
        let _ = writeln!(
            out,
            "                m.put(\"event\", ViewValue::Str({}));",
            quoted(decl.name)
        );
        let _ = writeln!(out, "                e.put_fields(m);\n            }}");
    }
    let _ = writeln!(
        out,
        "            Event::IvrStart(_) | Event::Other(_) => return false,\n        }}\n        true\n    }}\n"
    );

    let _ = writeln!(
        out,
        "    /// The same canonical view in every language: a JSON object with `type` and `event`,"
    );
    let _ = writeln!(out, "    /// every declared key (`null` when absent) and the derived values of the typed events;");
    let _ = writeln!(out, "    /// other events are `{{\"type\":\"event\",\"event\":..,\"fields\":{{..}}}}`, and `ivr_start` is");
    let _ = writeln!(out, "    /// [`IvrStart::to_value`]. This is the");
    let _ = writeln!(
        out,
        "    /// `expect` shape of `tests/vectors/events.json`."
    );
    let _ = writeln!(out, "    pub fn to_value(&self) -> Value {{");
    let _ = writeln!(
        out,
        "        let mut m = Map::new();\n        match self {{"
    );
    let _ = writeln!(
        out,
        "            Event::IvrStart(e) => return e.to_value(),"
    );
    let _ = writeln!(out, "            Event::Other(e) => {{");
    let _ = writeln!(
        out,
        "                m.insert(\"type\".into(), \"event\".into());"
    );
    let _ = writeln!(
        out,
        "                m.insert(\"event\".into(), e.name.clone().into());"
    );
    let _ = writeln!(out, "                m.insert(\"fields\".into(), Value::Object(e.fields.clone()));\n            }}");
    let _ = writeln!(
        out,
        "            typed => {{\n                typed.typed_view(&mut m);\n            }}"
    );
    let _ = writeln!(out, "        }}\n        Value::Object(m)\n    }}\n}}");
    out
}
