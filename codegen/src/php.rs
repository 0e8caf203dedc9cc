//! PHP: the trait `Yunhuni\Operations` (`php/src/Operations.php`) that `Yunhuni\Client`
//! uses: one camelCase method per operation (and per alias), required fields as typed
//! parameters, optional ones in `array $options` by their snake_case names, with a docblock
//! giving each field's type, rules and doc, an array shape of the options for static analysers,
//! and the answer's type. Every method is one call of the hand-written `Client::request()`.

use crate::c::{rules_text, shape_text};
use crate::names::{camel, GENERATED};
use crate::Output;
use std::fmt::Write;
use yunhuni::ops::{Data, DataType, Field, Operation, Shape, Type, OPERATIONS};

pub fn outputs() -> Vec<Output> {
    vec![Output {
        path: "php/src/Operations.php",
        text: operations(),
    }]
}

/// The native PHP type of a parameter.
fn native(ty: Type) -> &'static str {
    match ty {
        Type::Str => "string",
        Type::Int => "int",
        Type::Bool => "bool",
        Type::StrList | Type::PlayRows | Type::Objects(_) => "array",
    }
}

/// The docblock type of a field's value.
fn doc_type(ty: Type) -> String {
    match ty {
        Type::Str => "string".into(),
        Type::Int => "int".into(),
        Type::Bool => "bool".into(),
        Type::StrList => "list<string>".into(),
        Type::PlayRows => "list<array{0: string, 1: int, 2?: string}>".into(),
        Type::Objects(r) => format!(
            "list<{}>",
            fields_shape(&r.fields.iter().collect::<Vec<_>>(), true)
        ),
    }
}

/// An array shape of fields: `array{name: string, score?: int}`; unless `keys_required`, every
/// key is optional (the options array).
fn fields_shape(fields: &[&Field], keys_required: bool) -> String {
    let keys: Vec<String> = fields
        .iter()
        .map(|f| {
            let opt = if keys_required && f.required { "" } else { "?" };
            format!("{}{opt}: {}", f.name, doc_type(f.ty))
        })
        .collect();
    format!("array{{{}}}", keys.join(", "))
}

fn data_type(ty: DataType) -> String {
    match ty {
        DataType::Str => "string".into(),
        DataType::Int => "int".into(),
        DataType::Bool => "bool".into(),
        DataType::StrList => "list<string>".into(),
        DataType::List(s) => format!("list<{}>", shape(s)),
        DataType::Any => "mixed".into(),
    }
}

/// An answer object as an array shape.
fn shape(s: &Shape) -> String {
    let keys: Vec<String> = s
        .fields
        .iter()
        .map(|k| {
            let null = if k.nullable { "|null" } else { "" };
            format!("{}: {}{null}", shape_key(k.name), data_type(k.ty))
        })
        .collect();
    format!("array{{{}}}", keys.join(", "))
}

/// A key of an array shape, quoted when it is not a plain identifier.
fn shape_key(name: &str) -> String {
    if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        name.to_owned()
    } else {
        format!("'{name}'")
    }
}

/// The native return type and the docblock return type.
fn returns(data: Data) -> (&'static str, String) {
    match data {
        Data::Call => ("CallCreated", "CallCreated".into()),
        Data::Null => ("void", "void".into()),
        Data::Bool => ("mixed", "bool".into()),
        Data::Str => ("mixed", "string".into()),
        Data::Object(s) => ("mixed", shape(s)),
        Data::ObjectOrNull(s) => ("mixed", format!("{}|null", shape(s))),
        Data::List(s) => ("mixed", format!("list<{}>", shape(s))),
        Data::ListOrNull(s) => ("mixed", format!("list<{}>|null", shape(s))),
        Data::Page(s) => (
            "mixed",
            format!(
                "array{{pageSize: int, startIndex: int, totalCount: int, totalPageCount: int, \
                 currentPageNo: int, result: list<{}>}}",
                shape(s)
            ),
        ),
        Data::Unknown => ("mixed", "mixed".into()),
    }
}

/// What the answer is, in words, for the `@return` line.
fn answer_words(data: Data) -> String {
    match data {
        Data::Call => "the call the platform placed".into(),
        Data::Null => String::new(),
        Data::Bool => "true".into(),
        Data::Str => "a string".into(),
        Data::Object(s) | Data::ObjectOrNull(s) => format!("the answer's data, {}", shape_text(s)),
        Data::List(s) | Data::ListOrNull(s) => format!("a list of {}", shape_text(s)),
        Data::Page(s) => format!("a page of {}", shape_text(s)),
        Data::Unknown => "the answer's data".into(),
    }
}

/// Text made safe inside a PHP docblock.
fn safe(text: &str) -> String {
    text.replace("*/", "* /")
}

/// `text` as docblock lines (`     * ...`) wrapped at about 100 columns, continuation lines
/// indented by `hang` spaces.
fn lines(out: &mut String, text: &str, hang: usize) {
    const WIDTH: usize = 92;
    let text = safe(text);
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.trim().is_empty() && line.chars().count() + 1 + word.chars().count() > WIDTH {
            let _ = writeln!(out, "     * {}", line.trim_end());
            line = " ".repeat(hang);
        } else if !line.is_empty() && !line.ends_with(' ') {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.trim().is_empty() {
        let _ = writeln!(out, "     * {line}");
    }
}

fn field_note(f: &Field) -> String {
    let rules = rules_text(f.rules);
    if rules.is_empty() {
        f.doc.to_owned()
    } else {
        format!("{} ({rules})", f.doc)
    }
}

fn method(out: &mut String, op: &Operation, name: &str, alias_of: Option<&str>) {
    let required: Vec<&Field> = op.fields.iter().filter(|f| f.required).collect();
    let optional: Vec<&Field> = op.fields.iter().filter(|f| !f.required).collect();
    let (native_ret, doc_ret) = returns(op.data);
    out.push_str("    /**\n");
    lines(out, op.doc, 0);
    out.push_str("     *\n");
    let mut about = format!(
        "`{} {}` (operation `{}`",
        op.method.as_str(),
        op.path,
        op.name
    );
    if let Some(target) = alias_of {
        let _ = write!(about, "; the same as {target}()");
    }
    about.push_str(").");
    if op.status != "stable" {
        let _ = write!(about, " The platform marks it `{}`.", op.status);
    }
    lines(out, &about, 0);
    if !optional.is_empty() {
        out.push_str("     *\n");
        lines(out, "Options (a field absent or null is not sent):", 0);
        for f in &optional {
            lines(
                out,
                &format!("- {} ({}): {}", f.name, doc_type(f.ty), field_note(f)),
                2,
            );
        }
    }
    out.push_str("     *\n");
    for f in &required {
        lines(
            out,
            &format!(
                "@param {} ${} {}",
                doc_type(f.ty),
                camel(f.name),
                field_note(f)
            ),
            7,
        );
    }
    if !optional.is_empty() {
        lines(
            out,
            &format!("@param {} $options", fields_shape(&optional, false)),
            7,
        );
    }
    lines(
        out,
        "@param array{timeout?: int|float} $callOptions for this call only: timeout in seconds",
        7,
    );
    let words = answer_words(op.data);
    if words.is_empty() {
        lines(out, &format!("@return {doc_ret}"), 8);
    } else {
        lines(out, &format!("@return {doc_ret} {words}"), 8);
    }
    lines(
        out,
        "@throws Exception kind `validation` (a field unknown, of the wrong type, missing or breaking a rule; nothing sent), or how the exchange failed",
        8,
    );
    out.push_str("     */\n");
    let mut params: Vec<String> = required
        .iter()
        .map(|f| format!("{} ${}", native(f.ty), camel(f.name)))
        .collect();
    if !optional.is_empty() {
        params.push("array $options = []".into());
    }
    params.push("array $callOptions = []".into());
    let _ = writeln!(
        out,
        "    public function {name}({}): {native_ret}\n    {{",
        params.join(", ")
    );
    let fields: Vec<String> = required
        .iter()
        .map(|f| format!("'{}' => ${}", f.name, camel(f.name)))
        .collect();
    let mut args = format!("[{}]", fields.join(", "));
    if !optional.is_empty() {
        args = if required.is_empty() {
            "$options".to_owned()
        } else {
            format!("{args} + $options")
        };
    }
    let call = format!("$this->request('{}', {args}, $callOptions);", op.name);
    if native_ret == "void" {
        let _ = writeln!(out, "        {call}");
    } else {
        let _ = writeln!(out, "        return {call}");
    }
    out.push_str("    }\n");
}

fn operations() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<?php\n\n// {GENERATED}\n");
    out.push_str(
        "declare(strict_types=1);\n\n\
         namespace Yunhuni;\n\n\
         /**\n \
         * One method per operation of the platform, used by Yunhuni\\Client: required fields as\n \
         * arguments, optional ones in `$options` by their snake_case names, settings of the call in\n \
         * `$callOptions`. Each method is a call of request(), which sends any operation by name; the\n \
         * core checks every field before sending.\n \
         */\n\
         trait Operations\n{\n",
    );
    out.push_str(
        "    /**\n\
         \x20    * Sends the operation called `$name` with `$fields` (snake_case keys; a null value is not\n\
         \x20    * sent) and returns the answer's data as PHP arrays, or a CallCreated for an operation that\n\
         \x20    * places a call. `$callOptions` apply to this call only ('timeout' in seconds).\n\
         \x20    *\n\
         \x20    * @param array<string, mixed> $fields\n\
         \x20    * @param array{timeout?: int|float} $callOptions\n\
         \x20    * @throws Exception\n\
         \x20    */\n\
         \x20   abstract public function request(string $name, array $fields = [], array $callOptions = []): mixed;\n",
    );
    for op in OPERATIONS {
        out.push('\n');
        method(&mut out, op, &camel(op.name), None);
        if let Some(alias) = op.alias {
            out.push('\n');
            method(&mut out, op, &camel(alias), Some(&camel(op.name)));
        }
    }
    out.push_str("}\n");
    out
}
