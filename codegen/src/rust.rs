//! Rust: a typed request struct with a builder per operation, a struct per record type, and
//! the client's method per operation (`core/src/typed.rs`).

use crate::names::{pascal, quoted, GENERATED};
use crate::Output;
use std::fmt::Write;
use yunhuni::ops::{Data, Field, Operation, Type, OPERATIONS, RECORDS};

pub fn outputs() -> Vec<Output> {
    vec![Output {
        path: "core/src/typed.rs",
        text: rustfmt(&typed()),
    }]
}

/// The text as `rustfmt` lays it out, so that `cargo fmt --check` and the generator agree.
pub fn rustfmt(text: &str) -> String {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("rustfmt runs (rustup component add rustfmt)");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().expect("rustfmt finishes");
    writer
        .join()
        .expect("writer thread")
        .expect("write to rustfmt");
    assert!(output.status.success(), "rustfmt failed on generated Rust");
    String::from_utf8(output.stdout).expect("rustfmt writes UTF-8")
}

/// A Rust identifier for a field name (`type` → `r#type`).
pub fn ident(name: &str) -> String {
    const KEYWORDS: [&str; 12] = [
        "type", "where", "match", "mod", "ref", "move", "loop", "use", "fn", "impl", "self",
        "static",
    ];
    if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_owned()
    }
}

fn rust_type(ty: Type) -> String {
    match ty {
        Type::Str => "String".into(),
        Type::Int => "i64".into(),
        Type::Bool => "bool".into(),
        Type::StrList => "Vec<String>".into(),
        Type::PlayRows => "Vec<PlayItem>".into(),
        Type::Objects(r) => format!("Vec<{}>", r.name),
    }
}

/// The argument type a constructor or setter takes, and how it becomes the stored value.
fn arg(ty: Type) -> (String, &'static str) {
    match ty {
        Type::Str => ("impl Into<String>".into(), ".into()"),
        Type::StrList => (
            "impl IntoIterator<Item = impl Into<String>>".into(),
            ".into_iter().map(Into::into).collect()",
        ),
        other => (rust_type(other), ""),
    }
}

/// An expression turning `self.NAME` (of the field's Rust type) into a `serde_json::Value`.
fn to_value(ty: Type, expr: &str) -> String {
    match ty {
        Type::Int | Type::Bool if expr == "v" => format!("Value::from(*{expr})"),
        Type::Int | Type::Bool => format!("Value::from({expr})"),
        Type::Str => format!("Value::from({expr}.clone())"),
        Type::StrList => format!("Value::from({expr}.clone())"),
        Type::PlayRows => format!("Value::Array({expr}.iter().map(PlayItem::to_value).collect())"),
        Type::Objects(r) => format!(
            "Value::Array({expr}.iter().map({}::to_value).collect())",
            r.name
        ),
    }
}

fn doc_lines(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        let _ = writeln!(out, "{indent}/// {line}");
    }
}

fn record_struct(
    out: &mut String,
    name: &str,
    doc: &str,
    fields: &[Field],
    wire_name: Option<&str>,
) {
    doc_lines(out, "", doc);
    if let Some(op) = wire_name {
        let _ = writeln!(out, "///\n/// Sent by [`Client::{op}`]; [`{name}::to_request`] gives the generic [`Request`].");
    }
    let default = if fields.iter().any(|f| f.required) {
        ""
    } else {
        ", Default"
    };
    let _ = writeln!(out, "#[derive(Debug, Clone, PartialEq, Eq{default})]");
    let _ = writeln!(out, "pub struct {name} {{");
    for f in fields {
        doc_lines(out, "    ", f.doc);
        let ty = rust_type(f.ty);
        let ty = if f.required {
            ty
        } else {
            format!("Option<{ty}>")
        };
        let _ = writeln!(out, "    pub {}: {ty},", ident(f.name));
    }
    let _ = writeln!(out, "}}\n");

    let required: Vec<&Field> = fields.iter().filter(|f| f.required).collect();
    let _ = writeln!(out, "impl {name} {{");
    let params: Vec<String> = required
        .iter()
        .map(|f| format!("{}: {}", ident(f.name), arg(f.ty).0))
        .collect();
    let _ = writeln!(out, "    /// A value with its required fields; set the others with the methods of the same names.");
    if params.len() > 6 {
        let _ = writeln!(out, "    #[allow(clippy::too_many_arguments)]");
    }
    let _ = writeln!(out, "    pub fn new({}) -> Self {{", params.join(", "));
    let _ = writeln!(out, "        {name} {{");
    for f in fields {
        let id = ident(f.name);
        if f.required {
            let conv = arg(f.ty).1;
            if conv.is_empty() {
                let _ = writeln!(out, "            {id},");
            } else {
                let _ = writeln!(out, "            {id}: {id}{conv},");
            }
        } else {
            let _ = writeln!(out, "            {id}: None,");
        }
    }
    let _ = writeln!(out, "        }}\n    }}");
    for f in fields.iter().filter(|f| !f.required) {
        let id = ident(f.name);
        let (ty, conv) = arg(f.ty);
        let _ = writeln!(out, "\n    /// Sets `{}`.\n    #[must_use]", f.name);
        let _ = writeln!(out, "    pub fn {id}(mut self, value: {ty}) -> Self {{");
        let _ = writeln!(
            out,
            "        self.{id} = Some(value{conv});\n        self\n    }}"
        );
    }
    if wire_name.is_none() {
        // A record: its JSON object, keys by their declared (snake) names.
        let _ = writeln!(out, "\n    /// The object as a request field holds it.");
        let _ = writeln!(out, "    pub fn to_value(&self) -> Value {{");
        let _ = writeln!(out, "        let mut map = serde_json::Map::new();");
        for f in fields {
            let id = ident(f.name);
            if f.required {
                let _ = writeln!(
                    out,
                    "        map.insert({}.into(), {});",
                    quoted(f.name),
                    to_value(f.ty, &format!("self.{id}"))
                );
            } else {
                let _ = writeln!(out, "        if let Some(v) = &self.{id} {{\n            map.insert({}.into(), {});\n        }}", quoted(f.name), to_value(f.ty, "v"));
            }
        }
        let _ = writeln!(out, "        Value::Object(map)\n    }}");
    }
    let _ = writeln!(out, "}}\n");
}

fn operation(out: &mut String, op: &Operation) {
    let name = pascal(op.name);
    let doc = format!("`{} {}`: {}", op.method.as_str(), op.path, op.doc);
    record_struct(out, &name, &doc, op.fields, Some(op.name));
    let _ = writeln!(out, "impl {name} {{");
    let _ = writeln!(
        out,
        "    /// The generic request of these values (it checks each value's type)."
    );
    let _ = writeln!(out, "    pub fn to_request(&self) -> Result<Request> {{");
    let binding = if op.fields.is_empty() {
        "request"
    } else {
        "mut request"
    };
    let _ = writeln!(
        out,
        "        let {binding} = Request::new({})?;",
        quoted(op.name)
    );
    for f in op.fields {
        let id = ident(f.name);
        if f.required {
            let _ = writeln!(
                out,
                "        request.set({}, {})?;",
                quoted(f.name),
                to_value(f.ty, &format!("self.{id}"))
            );
        } else {
            let _ = writeln!(out, "        if let Some(v) = &self.{id} {{\n            request.set({}, {})?;\n        }}", quoted(f.name), to_value(f.ty, "v"));
        }
    }
    let _ = writeln!(out, "        Ok(request)\n    }}\n");
    let _ = writeln!(
        out,
        "    /// Checks every rule the server enforces, before anything is sent."
    );
    let _ = writeln!(out, "    pub fn validate(&self) -> Result<()> {{\n        self.to_request()?.validate()\n    }}\n}}\n");
}

fn client_method(out: &mut String, op: &Operation) {
    let name = pascal(op.name);
    let (ret, wrap) = match op.data {
        Data::Call => (
            "CallCreated",
            "CallCreated::from_data(self.send(&request.to_request()?)?)",
        ),
        _ => ("Value", "self.send(&request.to_request()?)"),
    };
    let _ = writeln!(
        out,
        "    /// `{} {}`: {}",
        op.method.as_str(),
        op.path,
        op.doc
    );
    let answer = match op.data {
        Data::Call => "the call the platform placed".to_owned(),
        Data::Null => "`null`".to_owned(),
        Data::Bool => "`true`".to_owned(),
        Data::Str => "a string".to_owned(),
        Data::Object(s) => format!("a `{}` object", s.name),
        Data::ObjectOrNull(s) => format!("a `{}` object or `null`", s.name),
        Data::List(s) => format!("a list of `{}` objects", s.name),
        Data::ListOrNull(s) => format!("a list of `{}` objects or `null`", s.name),
        Data::Page(s) => format!("a page of `{}` objects", s.name),
        Data::Unknown => "what the server answers".to_owned(),
    };
    let _ = writeln!(out, "    ///\n    /// Answers {answer}.");
    let _ = writeln!(
        out,
        "    pub fn {}(&self, request: &{name}) -> Result<{ret}> {{\n        {wrap}\n    }}\n",
        op.name
    );
}

fn typed() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}\n");
    let _ = writeln!(
        out,
        "//! Typed requests, one per operation, and the client's method for each.\n"
    );
    let _ = writeln!(out, "use crate::client::{{CallCreated, Client}};");
    let _ = writeln!(out, "use crate::error::Result;");
    let _ = writeln!(out, "use crate::ops::Request;");
    let _ = writeln!(out, "use crate::requests::PlayItem;");
    let _ = writeln!(out, "use serde_json::Value;\n");
    for r in RECORDS {
        record_struct(&mut out, r.name, r.doc, r.fields, None);
    }
    for op in OPERATIONS {
        operation(&mut out, op);
    }
    let _ = writeln!(out, "impl Client {{");
    for op in OPERATIONS {
        client_method(&mut out, op);
    }
    let _ = writeln!(out, "}}");
    out
}
