//! Node: one method per operation on `Client` (`node/ops.js`, each calling
//! `this.request(name, fields, options)`) and their TypeScript declarations (`node/ops.d.ts`: the fields
//! of each operation, the shapes of the answers, the record types, `Page<T>`), merged into
//! `Client` by `node/index.d.ts`; and the parsed webhook events (`node/events.d.ts`: an
//! interface per typed event of core's `EVENTS`, `OtherEvent`, the union `Event`), which
//! `parseEvent` returns as core's canonical view with camelCase keys.

mod ivr;

use crate::names::{camel, pascal, quoted, GENERATED};
use crate::Output;
use std::collections::BTreeSet;
use std::fmt::Write;
use yunhuni::event_decls::{EventDecl, KeyType, EVENTS};
use yunhuni::events::DOCUMENTED_EVENTS;
use yunhuni::ops::{
    Data, DataType, Field, Operation, Rule, Shape, Type, OPERATIONS, RECORDS, SHAPES,
};
use yunhuni::MAX_TIMEOUT;

/// The members `Client` has besides the generated methods (node/index.js): a method of an
/// operation must not take one of these names.
const CLIENT_MEMBERS: [&str; 7] = [
    "request",
    "appId",
    "certId",
    "accountId",
    "apiRoot",
    "fromEnv",
    "constructor",
];

/// The largest value of the server's 32-bit integer, the open end of a range rule.
const I32_MAX: i64 = i32::MAX as i64;

pub fn outputs() -> Vec<Output> {
    check_names();
    vec![
        Output {
            path: "node/ops.js",
            text: ops_js(),
        },
        Output {
            path: "node/ops.d.ts",
            text: ops_dts(),
        },
        Output {
            path: "node/events.d.ts",
            text: events_dts(),
        },
    ]
    .into_iter()
    .chain(ivr::outputs())
    .collect()
}

/// The JavaScript method of an operation (`confCreate`).
fn method(op: &Operation) -> String {
    camel(op.name)
}

/// The name of the interface of an operation's fields (`ConfCreateRequest`).
fn request_type(op: &Operation) -> String {
    format!("{}Request", pascal(op.name))
}

/// Every generated TypeScript name and method is unique and clear of `Client`'s own members.
fn check_names() {
    let mut types = BTreeSet::new();
    let fixed = [
        "Page",
        "CallCreated",
        "PlayItem",
        "PlayRow",
        "PlayTypeValue",
        "CallOptions",
    ];
    let fixed = fixed.iter().map(|s| (*s).to_owned());
    let records = RECORDS.iter().map(|r| r.name.to_owned());
    let shapes = SHAPES.iter().map(|s| s.name.to_owned());
    let requests = OPERATIONS.iter().map(request_type);
    for name in fixed.chain(records).chain(shapes).chain(requests) {
        assert!(
            types.insert(name.clone()),
            "two TypeScript types named {name}"
        );
    }
    let mut methods = BTreeSet::new();
    let aliases = OPERATIONS.iter().filter_map(|op| op.alias.map(camel));
    for name in OPERATIONS.iter().map(method).chain(aliases) {
        assert!(
            !CLIENT_MEMBERS.contains(&name.as_str()),
            "the method {name} would hide Client's own member"
        );
        assert!(methods.insert(name.clone()), "two methods named {name}");
    }
}

/// The one field an alias takes by itself (the signature it had before every operation was
/// declared: `cancelDuoCallback(callId)`).
fn alias_field(op: &Operation) -> &'static Field {
    match op.fields {
        [only] => only,
        _ => panic!(
            "{}: an alias takes its operation's one field; this one has {}",
            op.name,
            op.fields.len()
        ),
    }
}

fn ops_js() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}");
    out.push_str(
        "'use strict';\n\
         // One method per operation of the platform, added to `Client.prototype` by index.js.\n\
         // Each calls `this.request(name, fields, options)`; the types are in ops.d.ts.\n\n\
         module.exports = {\n",
    );
    for op in OPERATIONS {
        let _ = writeln!(out, "  /** {} */", js_doc_text(op.doc));
        let _ = writeln!(
            out,
            "  {}(fields, options) {{ return this.request({}, fields, options); }},",
            method(op),
            quoted(op.name)
        );
        if let Some(alias) = op.alias {
            let field = camel(alias_field(op).name);
            let _ = writeln!(
                out,
                "  /** `{}` under its former name, taking the `{field}` alone. */",
                method(op)
            );
            let _ = writeln!(
                out,
                "  {}({field}, options) {{ return this.request({}, {{ {field} }}, options); }},",
                camel(alias),
                quoted(op.name)
            );
        }
    }
    out.push_str("};\n");
    out
}

/// Text safe inside a `/** ... */` comment.
fn js_doc_text(text: &str) -> String {
    text.replace("*/", "*\\/")
}

/// Writes a JSDoc comment of `lines` (empty lines dropped) at `indent`.
fn js_doc(out: &mut String, indent: &str, lines: &[String]) {
    let lines: Vec<&String> = lines.iter().filter(|l| !l.is_empty()).collect();
    match lines.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(out, "{indent}/** {} */", js_doc_text(one));
        }
        many => {
            let _ = writeln!(out, "{indent}/**");
            for line in many {
                let _ = writeln!(out, "{indent} * {}", js_doc_text(line));
            }
            let _ = writeln!(out, "{indent} */");
        }
    }
}

/// A property name as TypeScript takes it: bare when it is an identifier, else quoted.
fn property(name: &str) -> String {
    let mut chars = name.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if identifier {
        name.to_owned()
    } else {
        quoted(name)
    }
}

/// The TypeScript type of a request field's value.
fn field_type(ty: Type) -> String {
    match ty {
        Type::Str => "string".into(),
        Type::Int => "number".into(),
        Type::Bool => "boolean".into(),
        Type::StrList => "string[]".into(),
        Type::PlayRows => "Array<PlayItem | PlayRow>".into(),
        Type::Objects(record) => format!("{}[]", record.name),
    }
}

/// The TypeScript type of a request field: its type's, narrowed to the values a string field
/// may take when a rule lists them (`'CallQuota' | 'AgentQuota' | ...`).
fn declared_type(field: &Field) -> String {
    if field.ty != Type::Str {
        return field_type(field.ty);
    }
    for rule in field.rules {
        let (values, prefixes): (&[&str], &[&str]) = match *rule {
            Rule::OneOf(values) => (values, &[]),
            Rule::OneOfOrPrefix(values, prefixes) => (values, prefixes),
            _ => continue,
        };
        let values = values.iter().map(|v| single_quoted(v));
        let prefixes = prefixes
            .iter()
            .map(|p| format!("`{}${{string}}`", p.replace('`', "\\`").replace('$', "\\$")));
        return values.chain(prefixes).collect::<Vec<_>>().join(" | ");
    }
    field_type(field.ty)
}

/// A TypeScript string literal type in single quotes.
fn single_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The TypeScript type of a key of an answer.
fn data_type(ty: DataType) -> String {
    match ty {
        DataType::Str => "string".into(),
        DataType::Int => "number".into(),
        DataType::Bool => "boolean".into(),
        DataType::StrList => "string[]".into(),
        DataType::List(shape) => format!("{}[]", shape.name),
        DataType::Any => "unknown".into(),
    }
}

/// The TypeScript type a method resolves to.
fn answer_type(data: Data) -> String {
    match data {
        Data::Null => "void".into(),
        Data::Bool => "boolean".into(),
        Data::Str => "string".into(),
        Data::Call => "CallCreated".into(),
        Data::Object(s) => s.name.into(),
        Data::ObjectOrNull(s) => format!("{} | null", s.name),
        Data::List(s) => format!("{}[]", s.name),
        Data::ListOrNull(s) => format!("{}[] | null", s.name),
        Data::Page(s) => format!("Page<{}>", s.name),
        Data::Unknown => "unknown".into(),
    }
}

/// The server's rules of a field in words, for its doc.
fn rules_text(rules: &[Rule]) -> String {
    let mut words: Vec<String> = Vec::new();
    for rule in rules {
        let text = match *rule {
            Rule::NotBlank => "not blank".to_owned(),
            Rule::Range(min, I32_MAX) => format!("at least {min}"),
            Rule::Range(min, max) => format!("{min}-{max}"),
            Rule::MinLen(n) => format!("at least {n} characters"),
            Rule::MaxLen(n) => format!("at most {n} characters"),
            Rule::OneOf(values) => format!("one of {}", values.join(", ")),
            Rule::OneOfOrPrefix(values, prefixes) => {
                let prefixes: Vec<String> = prefixes.iter().map(|p| format!("{p}...")).collect();
                format!("one of {}, {}", values.join(", "), prefixes.join(", "))
            }
            Rule::Not(value) => format!("not {value}"),
            Rule::MinItems(n) => format!("at least {n} items"),
            Rule::Url => "a URL (scheme://...)".to_owned(),
            Rule::Mobile => "a mobile number (1 and ten digits)".to_owned(),
            Rule::Digits(n) => format!("1-{n} decimal digits"),
        };
        if !words.contains(&text) {
            words.push(text);
        }
    }
    if words.is_empty() {
        String::new()
    } else {
        format!("Checked before sending: {}.", words.join("; "))
    }
}

/// An interface of request fields (an operation's, or a record's), keys in camelCase.
fn fields_interface(out: &mut String, name: &str, doc: &[String], fields: &[Field]) {
    js_doc(out, "", doc);
    if fields.is_empty() {
        let _ = writeln!(out, "export type {name} = Record<string, never>;\n");
        return;
    }
    let _ = writeln!(out, "export interface {name} {{");
    for f in fields {
        js_doc(out, "  ", &[f.doc.to_owned(), rules_text(f.rules)]);
        let optional = if f.required { "" } else { "?" };
        let _ = writeln!(
            out,
            "  {}{optional}: {};",
            property(&camel(f.name)),
            declared_type(f)
        );
    }
    let _ = writeln!(out, "}}\n");
}

/// An interface of an answer's object, keys as the server sends them.
fn shape_interface(out: &mut String, shape: &Shape) {
    let _ = writeln!(
        out,
        "/** An object the platform answers with (`{}`). */",
        shape.name
    );
    let _ = writeln!(out, "export interface {} {{", shape.name);
    for key in shape.fields {
        js_doc(out, "  ", &[key.doc.to_owned()]);
        let (optional, null) = if key.nullable {
            ("?", " | null")
        } else {
            ("", "")
        };
        let _ = writeln!(
            out,
            "  {}{optional}: {}{null};",
            property(key.name),
            data_type(key.ty)
        );
    }
    let _ = writeln!(out, "}}\n");
}

/// The types that stand for one kind of value whatever the operation: a page, a placed call,
/// a row of dynamic content.
const PRELUDE: &str = r#"/** A page of a list, as the platform answers `*_list` operations. */
export interface Page<T> {
  /** Items per page. */
  pageSize: number;
  /** The index of the first item of this page, from 0. */
  startIndex: number;
  /** Items in the whole list. */
  totalCount: number;
  /** Pages in the whole list. */
  totalPageCount: number;
  /** The number of this page, from 1. */
  currentPageNo: number;
  /** The items of this page. */
  result: T[];
}

/** A call the platform accepted. */
export interface CallCreated {
  /** The platform's id for the call; its events carry it as `id`. */
  callId: string;
  /** The `userData` echoed back; `null` when not given, and always for `verifyCall`. */
  userData: string | null;
}

/** How the `content` of dynamic voice content is read: 0 file, 1 digits, 2 number, 3 amount, 4 date/time, 5 duration (see `PlayType`). */
export type PlayTypeValue = 0 | 1 | 2 | 3 | 4 | 5;

/** One item of dynamic voice content (`playContent`). */
export interface PlayItem {
  /** A file name, digits, a number, an amount, a date/time (`2020-05-09 14:30`) or a duration (`01:30`). */
  content: string;
  /** How `content` is read: see `PlayType`. */
  playType: PlayTypeValue;
  /** Unused by the platform; default `''`. */
  options?: string;
}

/** One item of dynamic voice content as the platform's row: `[content, playType, options?]`. */
export type PlayRow = [content: string, playType: PlayTypeValue, options?: string];

"#;

/// The options of one call, after [`PRELUDE`].
fn call_options() -> String {
    format!(
        "/** Settings of one call, the second argument of every method (the third of `client.request`). */\n\
         export interface CallOptions {{\n  \
         /**\n   \
         * The longest this call may take, connecting included, in milliseconds (default: the\n   \
         * client's `timeoutMs`); 1 to {} ({} hours).\n   \
         */\n  \
         timeoutMs?: number;\n\
         }}\n\n",
        MAX_TIMEOUT.as_millis(),
        MAX_TIMEOUT.as_secs() / 3600
    )
}

fn ops_dts() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}");
    out.push_str(
        "// The platform's operations as methods of `Client` (merged into it by index.d.ts), the\n\
         // fields each takes (camelCase), and the shapes of what they resolve to (the server's keys).\n\n",
    );
    out.push_str(PRELUDE);
    out.push_str(&call_options());

    for record in RECORDS {
        fields_interface(
            &mut out,
            record.name,
            &[record.doc.to_owned()],
            record.fields,
        );
    }
    for shape in SHAPES {
        shape_interface(&mut out, shape);
    }
    for op in OPERATIONS {
        let doc = [
            format!(
                "The fields of `{}` (`{}`, `{} {}`).",
                method(op),
                op.name,
                op.method.as_str(),
                op.path
            ),
            op.doc.to_owned(),
        ];
        fields_interface(&mut out, &request_type(op), &doc, op.fields);
    }

    out.push_str(
        "/** Every operation by its name (and alias) for `client.request(name, fields)`: what it takes and what it resolves to. */\n\
         export interface OperationTypes {\n",
    );
    for op in OPERATIONS {
        let entry = format!(
            "{{ fields: {}; data: {} }}",
            request_type(op),
            answer_type(op.data)
        );
        let _ = writeln!(out, "  {}: {entry};", op.name);
        if let Some(alias) = op.alias {
            let _ = writeln!(out, "  {alias}: {entry};");
        }
    }
    out.push_str("}\n\n");
    out.push_str(
        "/** The name of an operation, as `client.request` takes it. */\n\
         export type OperationName = keyof OperationTypes;\n\n\
         /** The arguments after the name of `client.request(name, fields, options)`: `fields` may be left out when nothing is required. */\n\
         export type FieldsArgument<N extends OperationName> = {} extends OperationTypes[N]['fields']\n  \
         ? [fields?: OperationTypes[N]['fields'], options?: CallOptions]\n  \
         : [fields: OperationTypes[N]['fields'], options?: CallOptions];\n\n",
    );

    out.push_str(
        "/**\n * One method per operation of the platform, each resolving to the answer's `data`.\n * `Client` has them all (index.d.ts merges this interface into it).\n */\n\
         export interface Operations {\n",
    );
    for op in OPERATIONS {
        let lines = [
            op.doc.to_owned(),
            format!("`{} {}` (`{}`).", op.method.as_str(), op.path, op.name),
        ];
        js_doc(&mut out, "  ", &lines);
        let optional = if op.fields.iter().any(|f| f.required) {
            ""
        } else {
            "?"
        };
        let _ = writeln!(
            out,
            "  {}(fields{optional}: {}, options?: CallOptions): Promise<{}>;",
            method(op),
            request_type(op),
            answer_type(op.data)
        );
        if let Some(alias) = op.alias {
            let field = alias_field(op);
            js_doc(
                &mut out,
                "  ",
                &[format!(
                    "`{}` under its former name, taking the `{}` alone.",
                    method(op),
                    camel(field.name)
                )],
            );
            let _ = writeln!(
                out,
                "  {}({}: {}, options?: CallOptions): Promise<{}>;",
                camel(alias),
                camel(field.name),
                field_type(field.ty),
                answer_type(op.data)
            );
        }
    }
    out.push_str("}\n");
    out
}

/// Derived values: each key (as core's view names it), its TypeScript type and its doc.
type DerivedKeys = &'static [(&'static str, &'static str, &'static str)];

/// What core's canonical view of a typed event adds to its keys (`Event::to_value`, written by
/// hand in core beside the typed structs), by its Rust type: the key, its TypeScript type and
/// its doc. `events_dts` checks this against core's view, so a derived value core adds or
/// drops fails `scripts/codegen` until it is stated here; a typed event without one needs
/// nothing here.
const DERIVED: &[(&str, DerivedKeys)] = &[
    (
        "DuoCallbackEnd",
        &[
            ("outcome", "Outcome", "How the call ended."),
            (
                "talk_seconds",
                "number",
                "Seconds the parties talked: `duration`, else `(endTime - answerTime2) / 1000`, else 0.",
            ),
        ],
    ),
    (
        "NotifyCallEnd",
        &[(
            "ended_by",
            "'user' | 'platform' | null",
            "Who ended the call, from `droppedBy` (else `hangupBy`).",
        )],
    ),
];

/// The name of the interface of an event (`DuoCallbackEndEvent`).
fn event_type(decl: &EventDecl) -> String {
    format!("{}Event", crate::events::variant(decl.name))
}

/// The derived values of a typed event, checked against the keys of core's canonical view of
/// the event (parsed from a body with its name alone): every key of the view is `type`,
/// `event`, a declared key or one of these.
fn derived(decl: &EventDecl, rust_type: &str, table: &[(&str, DerivedKeys)]) -> DerivedKeys {
    let derived = table
        .iter()
        .find(|(ty, _)| *ty == rust_type)
        .map_or(&[][..], |(_, d)| *d);
    let body = format!("{{\"event\":{}}}", quoted(decl.name));
    let view = yunhuni::Event::parse(body.as_bytes())
        .unwrap_or_else(|e| panic!("{}: core does not parse its own event: {e}", decl.name))
        .to_value();
    let mut in_view: Vec<&str> = view
        .as_object()
        .expect("core's canonical view is an object")
        .keys()
        .map(String::as_str)
        .collect();
    let mut stated: Vec<&str> = ["type", "event"]
        .into_iter()
        .chain(decl.keys.iter().map(|k| k.field))
        .chain(derived.iter().map(|(k, _, _)| *k))
        .collect();
    in_view.sort_unstable();
    stated.sort_unstable();
    assert_eq!(
        in_view, stated,
        "{}: the keys of core's view differ from its declared keys and DERIVED in codegen/src/node.rs",
        decl.name
    );
    derived
}

/// `node/events.d.ts`: the parsed webhook events, from core's `EVENTS`.
fn events_dts() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}");
    out.push_str(
        "// The parsed webhook events, as `parseEvent` returns them (index.d.ts): one interface per\n\
         // typed event of core (its keys in camelCase, `null` when not sent, and the values core\n\
         // derives), `OtherEvent` for every other event, and their union `Event`.\n\n\
         import type { Outcome } from './index';\n\
         import type { IvrStart } from './ivr';\n\n",
    );
    let typed: Vec<(&EventDecl, &str)> = EVENTS
        .iter()
        .filter_map(|e| e.rust_type.map(|t| (e, t)))
        .collect();
    let mut first_of_type: Vec<(&str, &EventDecl)> = Vec::new();
    for &(decl, rust_type) in &typed {
        let name = event_type(decl);
        let derived = derived(decl, rust_type, DERIVED);
        let tag = single_quoted(decl.name);
        if let Some((_, first)) = first_of_type.iter().find(|(t, _)| *t == rust_type) {
            js_doc(
                &mut out,
                "",
                &[format!(
                    "`{}`: {} The same keys as `{}`.",
                    decl.name, decl.doc, first.name
                )],
            );
            let _ = writeln!(
                out,
                "export interface {name} extends Omit<{}, 'type' | 'event'> {{\n  type: {tag};\n  event: {tag};\n}}\n",
                event_type(first)
            );
            continue;
        }
        first_of_type.push((rust_type, decl));
        js_doc(
            &mut out,
            "",
            &[format!(
                "`{}`: {} Times are epoch milliseconds; every key is present, `null` when not sent.",
                decl.name, decl.doc
            )],
        );
        let _ = writeln!(out, "export interface {name} {{");
        let _ = writeln!(out, "  type: {tag};\n  event: {tag};");
        for key in decl.keys {
            js_doc(&mut out, "  ", &[key.doc.to_owned()]);
            let ty = match key.ty {
                KeyType::Str => "string",
                KeyType::Int | KeyType::Time => "number",
            };
            let _ = writeln!(out, "  {}: {ty} | null;", property(&camel(key.field)));
        }
        for (key, ty, doc) in derived {
            js_doc(&mut out, "  ", &[(*doc).to_owned()]);
            let _ = writeln!(out, "  {}: {ty};", property(&camel(key)));
        }
        out.push_str("}\n\n");
    }

    let typed_names: Vec<String> = typed.iter().map(|(d, _)| format!("`{}`", d.name)).collect();
    let untyped = EVENTS
        .iter()
        .any(|d| d.rust_type.is_none() && DOCUMENTED_EVENTS.contains(&d.name));
    let doc = if untyped {
        format!(
            "The documented event names other than the typed ones ({}).",
            typed_names.join(", ")
        )
    } else {
        format!(
            "Every documented event is typed ({}): an `OtherEvent` is one the platform does not document, its name typed by the placeholder `'(undocumented)'`.",
            typed_names.join(", ")
        )
    };
    js_doc(&mut out, "", &[doc]);
    out.push_str("export type OtherEventName =\n");
    let mut others = 0;
    for decl in EVENTS {
        if decl.rust_type.is_none() && DOCUMENTED_EVENTS.contains(&decl.name) {
            let _ = writeln!(out, "  | {}", single_quoted(decl.name));
            others += 1;
        }
    }
    if others == 0 {
        // Every documented event is typed: only undocumented names are left, which no literal
        // type lists. A placeholder literal keeps `OtherEvent` in the `default` of a `switch`
        // on `event` and out of its cases.
        out.push_str("  | '(undocumented)'");
    }
    out.truncate(out.trim_end().len());
    out.push_str(";\n\n");
    js_doc(
        &mut out,
        "",
        &[
            "Any other event, its body kept whole in `fields` (keys as sent). Event names the platform".into(),
            "does not document arrive here too; to compare one, widen the name first:".into(),
            "`(ev.event as string) === 'x.y'`.".into(),
        ],
    );
    out.push_str(
        "export interface OtherEvent {\n  type: 'event';\n  event: OtherEventName;\n  fields: Record<string, unknown>;\n}\n\n",
    );
    out.push_str(
        "/** A parsed webhook body: switch on `event` (or `type`, which is `'event'` for every {@link OtherEvent}, and `'ivr_start'` for the {@link IvrStart} request, which has no `event`). */\n",
    );
    let members: Vec<String> = typed
        .iter()
        .map(|(d, _)| event_type(d))
        .chain(["IvrStart".to_owned(), "OtherEvent".to_owned()])
        .collect();
    let _ = writeln!(out, "export type Event = {};", members.join(" | "));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_a_method_and_a_type() {
        let js = ops_js();
        let dts = ops_dts();
        assert!(js.starts_with(&format!("// {GENERATED}\n")));
        assert!(dts.starts_with(&format!("// {GENERATED}\n")));
        for op in OPERATIONS {
            let call = format!(
                "{}(fields, options) {{ return this.request({}, fields, options); }}",
                method(op),
                quoted(op.name)
            );
            assert!(js.contains(&call), "{}", op.name);
            assert!(
                dts.contains(&format!("  {}(fields", method(op))),
                "{}",
                op.name
            );
            assert!(
                dts.contains(&format!("  {}: {{ fields: ", op.name)),
                "{}",
                op.name
            );
        }
        assert!(js.contains(
            "cancelDuoCallback(callId, options) { return this.request(\"duo_callback_cancel\", { callId }, options); }"
        ));
        assert!(dts.contains(
            "  cancelDuoCallback(callId: string, options?: CallOptions): Promise<void>;"
        ));
        assert!(dts.contains(
            "  duoCallback(fields: DuoCallbackRequest, options?: CallOptions): Promise<CallCreated>;"
        ));
        assert!(dts.contains("  extList(fields?: ExtListRequest, options?: CallOptions)"));
    }

    #[test]
    fn fields_are_typed_and_required_as_declared() {
        let dts = ops_dts();
        assert!(dts.contains("  maxCallDuration: number;"));
        assert!(dts.contains("  ringToneMode?: number;"));
        assert!(dts.contains("  playContent?: Array<PlayItem | PlayRow>;"));
        assert!(dts.contains("Checked before sending: 1-21600."));
        assert!(dts.contains("  type: 'CallQuota' | 'AgentQuota' | 'SmsQuota' | 'UssdQuota';"));
    }

    #[test]
    fn property_names_are_quoted_when_not_identifiers() {
        assert_eq!(property("confId"), "confId");
        assert_eq!(property("conf id"), "\"conf id\"");
        assert_eq!(property("1a"), "\"1a\"");
    }

    #[test]
    fn every_typed_event_has_an_interface_with_its_keys() {
        let dts = events_dts();
        assert!(dts.starts_with(&format!("// {GENERATED}\n")));
        let typed: Vec<_> = EVENTS.iter().filter(|e| e.rust_type.is_some()).collect();
        for decl in &typed {
            assert!(
                dts.contains(&format!("  event: '{}';", decl.name)),
                "{}",
                decl.name
            );
            assert!(
                dts.contains(&format!(" {} ", event_type(decl))),
                "{}",
                decl.name
            );
        }
        assert!(dts.contains("  answerTime1: number | null;"));
        assert!(dts.contains("  droppedBy: string | null;"));
        assert!(dts.contains("  talkSeconds: number;"));
        assert!(dts.contains(
            "export interface VerifyCallEndEvent extends Omit<NotifyCallEndEvent, 'type' | 'event'> {"
        ));
        assert!(dts.contains("  | 'conf.joined'\n"));
        assert!(!dts.contains("  | 'duo_callback.end'"));
        let union: Vec<String> = typed
            .iter()
            .map(|d| event_type(d))
            .chain(["IvrStart".to_owned(), "OtherEvent".to_owned()])
            .collect();
        assert!(dts.contains(&format!("export type Event = {};\n", union.join(" | "))));
    }

    #[test]
    #[should_panic(expected = "the keys of core's view differ")]
    fn a_derived_value_not_stated_fails_the_generation() {
        let decl = EVENTS
            .iter()
            .find(|e| e.name == "duo_callback.end")
            .unwrap();
        derived(decl, "DuoCallbackEnd", &[]);
    }

    #[test]
    #[should_panic(expected = "the keys of core's view differ")]
    fn a_derived_value_core_lacks_fails_the_generation() {
        let decl = EVENTS.iter().find(|e| e.name == "verify_call.end").unwrap();
        derived(
            decl,
            "NotifyCallEnd",
            &[("NotifyCallEnd", &[("x", "number", "")])],
        );
    }
}
