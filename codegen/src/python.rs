//! Python: the typed methods of `Client` and `AsyncClient`, one per operation
//! (`py/python/yunhuni/_ops.py`), and the `TypedDict`s of what they answer and of the objects
//! that list fields take (`py/python/yunhuni/types.py`). Both are plain, annotated Python: type
//! checkers read them as they are, and each method only calls the native
//! `request(name, **fields)`, which converts the values by type and hands them to core. The
//! typed webhook event classes are [`events`]'s, `yunhuni.ivr` is [`ivr`]'s.

mod events;
mod ivr;

use crate::names::{quoted, GENERATED};
use crate::Output;
use std::collections::BTreeSet;
use std::fmt::Write;
use yunhuni::ops::{
    Casing, Data, DataType, Field, Operation, Shape, Type, OPERATIONS, RECORDS, SHAPES,
};

pub fn outputs() -> Vec<Output> {
    vec![
        Output {
            path: "py/python/yunhuni/_ops.py",
            text: ops_module(),
        },
        Output {
            path: "py/python/yunhuni/types.py",
            text: types_module(),
        },
    ]
    .into_iter()
    .chain(events::outputs())
    .chain(ivr::outputs())
    .collect()
}

/// Optional fields that stay positional-or-keyword (after the required ones), as the methods
/// that existed before the declarations had them: `verify_call(to, verify_code)`.
const KEEP_POSITIONAL: &[(&str, &str)] = &[("verify_call", "verify_code")];

/// The longest line the generator writes on one line before it breaks it up.
const LINE: usize = 99;

/// The keys of a page, in the server's order (`Data::Page`).
const PAGE_KEYS: [(&str, &str); 5] = [
    ("pageSize", "Items per page."),
    ("startIndex", "The 1-based index of the first item."),
    ("totalCount", "How many items there are in all."),
    ("totalPageCount", "How many pages there are."),
    ("currentPageNo", "This page's number, from 1."),
];

/// A name as a Python parameter or key (`from` → `from_`).
fn py_name(snake: &str) -> String {
    Casing::Python.name(snake).into_owned()
}

/// Text inside a `"""` docstring.
fn doc_text(s: &str) -> String {
    s.replace('\\', "\\\\").replace("\"\"\"", "\\\"\\\"\\\"")
}

/// The annotation of a field's value.
fn param_type(ty: Type) -> String {
    match ty {
        Type::Str => "str".into(),
        Type::Int => "int".into(),
        Type::Bool => "bool".into(),
        Type::StrList => "StrList".into(),
        Type::PlayRows => "Sequence[PlayItemLike]".into(),
        Type::Objects(r) => format!("Sequence[{}]", r.name),
    }
}

fn page_name(shape: &Shape) -> String {
    format!("{}Page", shape.name)
}

/// The annotation of what an operation answers.
fn return_type(data: Data) -> String {
    match data {
        Data::Null => "None".into(),
        Data::Bool => "bool".into(),
        Data::Str => "str".into(),
        Data::Call => "CallCreated".into(),
        Data::Object(s) => s.name.into(),
        Data::ObjectOrNull(s) => format!("Optional[{}]", s.name),
        Data::List(s) => format!("List[{}]", s.name),
        Data::ListOrNull(s) => format!("Optional[List[{}]]", s.name),
        Data::Page(s) => page_name(s),
        Data::Unknown => "Any".into(),
    }
}

/// What an operation answers, for its docstring.
fn answer_text(data: Data) -> String {
    match data {
        Data::Null => "``None``".into(),
        Data::Bool => "``True``".into(),
        Data::Str => "a string".into(),
        Data::Call => "the call the platform placed (``CallCreated``)".into(),
        Data::Object(s) => format!("a ``{}``", s.name),
        Data::ObjectOrNull(s) => format!("a ``{}``, or ``None`` when there is none", s.name),
        Data::List(s) => format!("a list of ``{}``", s.name),
        Data::ListOrNull(s) => format!("a list of ``{}``, or ``None``", s.name),
        Data::Page(s) => format!("a page of ``{}`` (``{}``)", s.name, page_name(s)),
        Data::Unknown => "what the server answers, as plain data".into(),
    }
}

/// The type names an annotation mentions (to import them for type checkers).
fn mentioned(annotation: &str, names: &mut BTreeSet<String>) {
    for word in annotation.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        if !word.is_empty() {
            names.insert(word.to_owned());
        }
    }
}

/// One method: `name` is the method's name, `op` the operation it sends.
fn method(
    out: &mut String,
    name: &str,
    op: &Operation,
    is_async: bool,
    names: &mut BTreeSet<String>,
) {
    let keep: Vec<&str> = KEEP_POSITIONAL
        .iter()
        .filter(|(o, _)| *o == op.name)
        .map(|(_, f)| *f)
        .collect();
    let positional: Vec<&Field> = op
        .fields
        .iter()
        .filter(|f| f.required)
        .chain(
            op.fields
                .iter()
                .filter(|f| !f.required && keep.contains(&f.name)),
        )
        .collect();
    let keyword: Vec<&Field> = op
        .fields
        .iter()
        .filter(|f| !f.required && !keep.contains(&f.name))
        .collect();
    let ret = return_type(op.data);
    mentioned(&ret, names);

    let def = if is_async { "async def" } else { "def" };
    let mut params: Vec<String> = vec!["self".into()];
    for f in &positional {
        let ty = param_type(f.ty);
        mentioned(&ty, names);
        params.push(if f.required {
            format!("{}: {ty}", py_name(f.name))
        } else {
            format!("{}: Optional[{ty}] = None", py_name(f.name))
        });
    }
    if !keyword.is_empty() {
        params.push("*".into());
    }
    for f in &keyword {
        let ty = param_type(f.ty);
        mentioned(&ty, names);
        params.push(format!("{}: Optional[{ty}] = None", py_name(f.name)));
    }
    if params.iter().any(|p| p.contains("Optional[")) {
        names.insert("Optional".into());
    }
    let line = format!("    {def} {name}({}) -> {ret}:", params.join(", "));
    if line.len() <= LINE {
        let _ = writeln!(out, "{line}");
    } else {
        let _ = writeln!(out, "    {def} {name}(");
        for p in &params {
            let _ = writeln!(out, "        {p},");
        }
        let _ = writeln!(out, "    ) -> {ret}:");
    }

    let _ = writeln!(out, "        \"\"\"{}", doc_text(op.doc));
    let _ = writeln!(out);
    let also = if name == op.name {
        String::new()
    } else {
        format!(" Another name of ``{}``.", op.name)
    };
    let _ = writeln!(
        out,
        "        ``{} {}``. Answers {}.{also}",
        op.method.as_str(),
        op.path,
        answer_text(op.data)
    );
    if !op.fields.is_empty() {
        let _ = writeln!(out, "\n        Args:");
        for f in positional.iter().chain(&keyword) {
            let required = if f.required { " Required." } else { "" };
            let _ = writeln!(
                out,
                "            {}: {}{required}",
                py_name(f.name),
                doc_text(f.doc)
            );
        }
    }
    let _ = writeln!(out, "        \"\"\"");

    let args: Vec<String> = std::iter::once(quoted(op.name))
        .chain(op.fields.iter().map(|f| {
            let p = py_name(f.name);
            format!("{p}={p}")
        }))
        .collect();
    let (assign, ret_line) = if op.data == Data::Null {
        (String::new(), "")
    } else {
        (format!("result: {ret} = "), "        return result\n")
    };
    let awaiting = if is_async { "await " } else { "" };
    let line = format!(
        "        {assign}{awaiting}self.request({})",
        args.join(", ")
    );
    if line.len() <= LINE {
        let _ = writeln!(out, "{line}");
    } else {
        let _ = writeln!(out, "        {assign}{awaiting}self.request(");
        for a in &args {
            let _ = writeln!(out, "            {a},");
        }
        let _ = writeln!(out, "        )");
    }
    let _ = writeln!(out, "{ret_line}");
}

fn mixin(out: &mut String, class: &str, doc: &str, is_async: bool, names: &mut BTreeSet<String>) {
    let _ = writeln!(
        out,
        "\n\nclass {class}:\n    \"\"\"{doc}\"\"\"\n\n    __slots__ = ()\n"
    );
    let (def, client) = if is_async {
        ("async def", "AsyncClient")
    } else {
        ("def", "Client")
    };
    let _ = writeln!(
        out,
        "    {def} request(self, name: str, /, **fields: Any) -> Any:\n        \"\"\"Sends the operation called ``name`` with ``fields``; see ``{client}.request``.\"\"\"\n        raise NotImplementedError\n"
    );
    for op in OPERATIONS {
        method(out, op.name, op, is_async, names);
        if let Some(alias) = op.alias {
            method(out, alias, op, is_async, names);
        }
    }
}

fn ops_module() -> String {
    let mut body = String::new();
    let mut names = BTreeSet::new();
    mixin(
        &mut body,
        "ClientOps",
        "One method per operation of the platform, mixed into ``Client``. Each sends\n    ``self.request(name, **fields)``: ``None`` is \"not given\", and core checks every value\n    before anything is sent (``ValidationError`` naming the field).",
        false,
        &mut names,
    );
    mixin(
        &mut body,
        "AsyncClientOps",
        "The methods of ``ClientOps``, awaitable, mixed into ``AsyncClient``.",
        true,
        &mut names,
    );

    let typing = ["Any", "List", "Optional", "Sequence"];
    let native = ["CallCreated"];
    let from_typing: Vec<&str> = typing
        .iter()
        .copied()
        .filter(|n| *n == "Any" || names.contains(*n))
        .collect();
    let from_types: Vec<String> = names
        .iter()
        .filter(|n| {
            !typing.contains(&n.as_str())
                && !native.contains(&n.as_str())
                && !["str", "int", "bool", "None"].contains(&n.as_str())
        })
        .cloned()
        .collect();

    let mut out = String::new();
    let _ = writeln!(out, "# {GENERATED}");
    let _ = writeln!(
        out,
        "\"\"\"The typed methods of ``Client`` and ``AsyncClient``: one per operation of the platform.\"\"\"\n"
    );
    let _ = writeln!(out, "from __future__ import annotations\n");
    let _ = writeln!(
        out,
        "TYPE_CHECKING = False\nif TYPE_CHECKING:  # annotations only: nothing is imported at run time"
    );
    let _ = writeln!(out, "    from typing import {}\n", from_typing.join(", "));
    let _ = writeln!(out, "    from ._native import CallCreated");
    let _ = writeln!(out, "    from .types import (");
    for n in &from_types {
        let _ = writeln!(out, "        {n},");
    }
    let _ = writeln!(out, "    )\n");
    let _ = writeln!(out, "__all__ = [\"ClientOps\", \"AsyncClientOps\"]\n");
    out.push_str(&body);
    // At most two blank lines in a row, and none at the end of the file.
    while out.contains("\n\n\n\n") {
        out = out.replace("\n\n\n\n", "\n\n\n");
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The annotation of a response key.
fn data_type(ty: DataType) -> String {
    match ty {
        DataType::Str => "str".into(),
        DataType::Int => "int".into(),
        DataType::Bool => "bool".into(),
        DataType::StrList => "List[str]".into(),
        DataType::List(s) => format!("List[{}]", s.name),
        DataType::Any => "Any".into(),
    }
}

/// True when `key` can be written as a `TypedDict` class attribute.
fn is_attribute(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && py_name(key) == key
}

/// A `TypedDict` of `keys` (name, annotation, doc); the class form when every key can be an
/// attribute, the functional form otherwise.
fn typed_dict(
    out: &mut String,
    name: &str,
    doc: &str,
    keys: &[(String, String, String)],
    base: &str,
) {
    if keys.iter().all(|(k, _, _)| is_attribute(k)) {
        let _ = writeln!(
            out,
            "\n\nclass {name}({base}):\n    \"\"\"{}\"\"\"\n",
            doc_text(doc)
        );
        for (key, ty, doc) in keys {
            if !doc.is_empty() {
                let _ = writeln!(out, "    #: {doc}");
            }
            let _ = writeln!(out, "    {key}: {ty}");
        }
    } else {
        let total = if base.contains("total=False") {
            ", total=False"
        } else {
            ""
        };
        let _ = writeln!(out, "\n\n#: {doc}");
        let _ = writeln!(out, "{name} = TypedDict(\n    {},\n    {{", quoted(name));
        for (key, ty, _) in keys {
            let _ = writeln!(out, "        {}: {},", quoted(key), quoted(ty));
        }
        let _ = writeln!(out, "    }}{total},\n)");
    }
}

/// The operations that answer with `shape`: whole (one, several, or a list of them) and in pages.
fn answered_by(shape: &Shape) -> (Vec<String>, Vec<String>) {
    let mut whole = Vec::new();
    let mut paged = Vec::new();
    for op in OPERATIONS {
        match op.data {
            Data::Object(s) | Data::ObjectOrNull(s) | Data::List(s) | Data::ListOrNull(s)
                if s.name == shape.name =>
            {
                whole.push(format!("``{}``", op.name));
            }
            Data::Page(s) if s.name == shape.name => paged.push(format!("``{}``", op.name)),
            _ => {}
        }
    }
    (whole, paged)
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

fn types_module() -> String {
    let mut out = String::new();
    let mut all: Vec<String> = vec!["StrList".into(), "PlayItemLike".into()];
    let _ = writeln!(
        out,
        "\n#: A list of strings (a list or a tuple), as list fields take it."
    );
    let _ = writeln!(out, "StrList = Union[List[str], Tuple[str, ...]]");
    let _ = writeln!(
        out,
        "#: One ``play_content`` row: a ``PlayItem`` or a ``(content, play_type[, options])`` tuple."
    );
    let _ = writeln!(
        out,
        "PlayItemLike = Union[PlayItem, Tuple[str, int], Tuple[str, int, str]]"
    );

    // Records: the objects of list fields, keys the Python way; optional keys may be left out.
    for record in RECORDS {
        let key = |f: &Field| {
            let ty = param_type(f.ty);
            let ty = if f.required {
                ty
            } else {
                format!("Optional[{ty}]")
            };
            (py_name(f.name), ty, f.doc.to_owned())
        };
        let required: Vec<_> = record
            .fields
            .iter()
            .filter(|f| f.required)
            .map(key)
            .collect();
        let optional: Vec<_> = record
            .fields
            .iter()
            .filter(|f| !f.required)
            .map(key)
            .collect();
        let doc = format!(
            "{} A ``dict``; keys other than the required ones may be left out.",
            record.doc
        );
        if optional.is_empty() {
            typed_dict(&mut out, record.name, &doc, &required, "TypedDict");
        } else if required.is_empty() {
            typed_dict(
                &mut out,
                record.name,
                &doc,
                &optional,
                "TypedDict, total=False",
            );
        } else {
            let base = format!("_{}Required", record.name);
            typed_dict(
                &mut out,
                &base,
                &format!("The required keys of ``{}``.", record.name),
                &required,
                "TypedDict",
            );
            typed_dict(
                &mut out,
                record.name,
                &doc,
                &optional,
                &format!("{base}, total=False"),
            );
        }
        all.push(record.name.to_owned());
    }

    // Shapes: what the server answers, keys as it sends them (null-valued keys included).
    for shape in SHAPES {
        let keys: Vec<_> = shape
            .fields
            .iter()
            .map(|f| {
                let ty = data_type(f.ty);
                let ty = if f.nullable {
                    format!("Optional[{ty}]")
                } else {
                    ty
                };
                (f.name.to_owned(), ty, f.doc.to_owned())
            })
            .collect();
        let (whole, paged) = answered_by(shape);
        let verb = |ops: &[String]| if ops.len() == 1 { "answers" } else { "answer" };
        let mut doc = match (whole.is_empty(), paged.is_empty()) {
            (true, true) => format!("``{}``: an object inside other answers", shape.name),
            (false, _) => format!(
                "``{}``: what {} {}",
                shape.name,
                and_list(&whole),
                verb(&whole)
            ),
            (true, false) => format!("``{}``: an item of a page", shape.name),
        };
        if !paged.is_empty() {
            let _ = write!(
                doc,
                " ({} {} pages of them, ``{}``)",
                and_list(&paged),
                verb(&paged),
                page_name(shape)
            );
        }
        doc.push_str(", with the server's keys.");
        typed_dict(&mut out, shape.name, &doc, &keys, "TypedDict");
        all.push(shape.name.to_owned());
    }

    // Pages, for the shapes that come in pages.
    let mut paged: Vec<&Shape> = Vec::new();
    for op in OPERATIONS {
        if let Data::Page(s) = op.data {
            if !paged.iter().any(|p| p.name == s.name) {
                paged.push(s);
            }
        }
    }
    for shape in paged {
        let mut keys: Vec<_> = PAGE_KEYS
            .iter()
            .map(|(k, d)| ((*k).to_owned(), "int".to_owned(), (*d).to_owned()))
            .collect();
        keys.push((
            "result".into(),
            format!("Optional[List[{}]]", shape.name),
            "The items of this page (``None`` when there are none, for some lists).".into(),
        ));
        let name = page_name(shape);
        let doc = format!("A page of ``{}``, as the server sends it.", shape.name);
        typed_dict(&mut out, &name, &doc, &keys, "TypedDict");
        all.push(name);
    }

    let mut head = String::new();
    let _ = writeln!(head, "# {GENERATED}");
    let _ = writeln!(
        head,
        "\"\"\"The types of the operations' answers and arguments.\n\nWhat each operation answers, as ``TypedDict``s with the server's keys (``ConfCreated``,\n``Extension``, ``ExtensionPage``, ...), and the objects that list fields take (``Skill``,\n``SkillChange``, ``Quota``), keyed the Python way. At run time they are plain ``dict``s.\n\"\"\"\n"
    );
    let _ = writeln!(head, "from __future__ import annotations\n");
    let _ = writeln!(
        head,
        "from typing import Any, List, Optional, Tuple, TypedDict, Union\n"
    );
    let _ = writeln!(head, "from ._native import PlayItem\n");
    let _ = writeln!(head, "__all__ = [");
    for name in &all {
        let _ = writeln!(head, "    {},", quoted(name));
    }
    let _ = writeln!(head, "]");
    head + &out
}
