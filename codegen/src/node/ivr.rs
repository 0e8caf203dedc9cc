//! Node: `ivr` from core's IVR declarations.
//!
//! - `node/ivr.js`: `Response` and one class per element that holds others (`Get`, `Dial`, ...),
//!   a method per element (camelCase: `sendDtmf`) taking the element's text and an options
//!   object of its attributes (camelCase: `maxKeys`). The document is kept as its neutral
//!   description; core reads it with its generic builder and checks every rule when it is
//!   written (`toXml`), naming attributes in camelCase.
//! - `node/ivr.d.ts`: their types, an options interface per element, and the two requests the
//!   platform sends (`IvrStart`, from `parseEvent`, and `IvrNext`), a key per declared key.

use super::{js_doc, property, single_quoted};
use crate::ivr::{attr_line, element, holders, kept_attrs, limits};
use crate::names::{camel, pascal, GENERATED};
use crate::Output;
use std::fmt::Write;
use yunhuni::ivr::{Attr, Child, Element, IvrRequest, ValueType, ELEMENTS, IVR_NEXT, IVR_START};

pub fn outputs() -> Vec<Output> {
    vec![
        Output {
            path: "node/ivr.js",
            text: js(),
        },
        Output {
            path: "node/ivr.d.ts",
            text: dts(),
        },
    ]
}

fn ts_type(ty: ValueType) -> String {
    match ty {
        ValueType::Int { .. } => "number".into(),
        ValueType::Bool => "boolean".into(),
        ValueType::OneOf { values, prefixes } => values
            .iter()
            .map(|v| single_quoted(v))
            .chain(prefixes.iter().map(|p| format!("`{p}${{string}}`")))
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "string".into(),
    }
}

/// The class a method for `el` returns: its builder when it holds others, else `current`.
fn returns(el: &Element, current: &str) -> String {
    if el.children.list().is_empty() {
        current.to_owned()
    } else {
        pascal(el.name)
    }
}

/// The name of the options interface of `el` with the attributes `attrs`, when it has any
/// that are not required.
fn options_type(el: &Element, attrs: &[&Attr], child_of: Option<&Element>) -> Option<String> {
    if attrs.iter().all(|a| a.required) {
        return None;
    }
    Some(match child_of {
        Some(parent) if attrs.len() != el.attrs.len() => {
            format!("{}{}Options", pascal(parent.name), pascal(el.name))
        }
        _ => format!("{}Options", pascal(el.name)),
    })
}

/// A method's JavaScript parameters: the text, the required attributes, then `options`.
fn params(el: &Element, attrs: &[&Attr], typed: bool, options: &Option<String>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = el.content {
        out.push(if typed {
            format!("{}: string", c.name)
        } else {
            c.name.to_owned()
        });
    }
    for a in attrs.iter().filter(|a| a.required) {
        out.push(if typed {
            format!("{}: {}", camel(a.name), ts_type(a.ty))
        } else {
            camel(a.name)
        });
    }
    match options {
        Some(o) if typed => out.push(format!("options?: {o}")),
        // JavaScript takes options even where the types declare none, so that what a caller
        // gives is never dropped: core refuses an attribute the platform would ignore there.
        _ if !typed => out.push("options".into()),
        _ => {}
    }
    out
}

fn js_method(out: &mut String, el: &Element, attrs: &[&Attr], current: &str, action: bool) {
    let options = options_type(el, attrs, None);
    let ps = params(el, attrs, false, &options);
    let _ = writeln!(out, "  {}({}) {{", camel(el.name), ps.join(", "));
    let required: Vec<String> = attrs
        .iter()
        .filter(|a| a.required)
        .map(|a| format!("{}: {}", property(&camel(a.name)), camel(a.name)))
        .collect();
    let opts = "options";
    let _ = options;
    let text = el.content.map_or("undefined", |c| c.name);
    let _ = writeln!(
        out,
        "    const el = element('{}', {text}, attrs({opts}, {{ {} }}));",
        el.name,
        required.join(", ")
    );
    if action {
        let _ = writeln!(out, "    this._response._doc.actions.push(el);");
    } else {
        let _ = writeln!(out, "    (this._element.children ??= []).push(el);");
    }
    if el.children.list().is_empty() {
        let _ = writeln!(out, "    return this;\n  }}\n");
    } else {
        let _ = writeln!(
            out,
            "    return new {}(this._response, el);\n  }}\n",
            returns(el, current)
        );
    }
}

fn js() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}");
    out.push_str(
        r#"'use strict';
// IVR applications: the documents they answer the platform with (`Response`), and the query of
// the request to a `<next>` URL (`parseIvrNext`). A document is kept as its neutral description;
// core checks and writes it.

const binding = require('./native.js');

function element(name, text, attrs) {
  const el = { name };
  if (attrs !== undefined) el.attrs = attrs;
  if (text !== undefined) el.text = text;
  return el;
}

// The attributes of an element: the options given (copied), with the required ones. Options
// that are not an object are handed on as they are, for core to refuse naming them.
function attrs(options, required) {
  const none = Object.keys(required).length === 0;
  if (options === undefined || options === null) return none ? undefined : { ...required };
  if (typeof options !== 'object' || Array.isArray(options)) return options;
  return { ...options, ...required };
}

/** Where a document is being written: the last element added, with the document's own methods. */
class Step {
  constructor(response, el) {
    Object.defineProperty(this, '_response', { value: response ?? this });
    Object.defineProperty(this, '_element', { value: el });
  }

  /** `<next>`: the URL the platform requests (GET) once the action completes, with its results in the query. */
  next(url) {
    this._response._doc.next = url;
    return this._response;
  }

  /** Ends the call once the action completes: no `<next>`, the platform hangs up then. */
  endCall() {
    this._response._doc.endCall = true;
    return this._response;
  }

  /** True when the call ends after the document's action (it has no `<next>`). */
  get endsCall() {
    return this._response._doc.next === undefined || this._response._doc.next === null;
  }

  /** Throws a `YunhuniError` (kind `validation`) naming the element and attribute for anything the platform would refuse or misread. */
  validate() {
    binding.__ivrValidate(this._response._doc);
  }

  /** The document as the platform reads it (send it as UTF-8), once it passes `validate()`. */
  toXml() {
    return binding.__ivrXml(this._response._doc);
  }

  /** The document's neutral description (`{ actions, next, endCall }`). */
  toJSON() {
    return structuredClone(this._response._doc);
  }

  toString() {
    return this.toXml();
  }
}

"#,
    );
    for el in holders() {
        let class = pascal(el.name);
        let _ = writeln!(
            out,
            "/** A `<{}>` being written: add what it holds, then go on with the document. */",
            el.name
        );
        let _ = writeln!(out, "class {class} extends Step {{");
        for child in el.children.list() {
            let attrs = kept_attrs(child);
            js_method(&mut out, element(child.name), &attrs, &class, false);
        }
        let _ = writeln!(out, "}}\n");
    }
    out.push_str(
        "/** An IVR document: one action, then `.next(url)` or `.endCall()`; `toXml()` gives what to answer the platform with. */\n\
         class Response extends Step {\n  constructor() {\n    super(null, null);\n    \
         Object.defineProperty(this, '_doc', { value: { actions: [] } });\n  }\n\n",
    );
    let mut body = String::new();
    for el in ELEMENTS.iter().filter(|e| e.action) {
        let attrs: Vec<&Attr> = el.attrs.iter().collect();
        js_method(&mut body, el, &attrs, "Response", true);
    }
    out.push_str(&body);
    out.push_str("}\n\n");
    out.push_str(
        "/** Parses the query of the request to a `<next>` URL (a string, `Buffer` or `Uint8Array`). */\n\
         function parseIvrNext(query) {\n  return JSON.parse(binding.__parseIvrNext(query));\n}\n\n",
    );
    let mut names: Vec<String> = vec!["Response".into()];
    names.extend(holders().map(|e| pascal(e.name)));
    names.push("parseIvrNext".into());
    let _ = writeln!(out, "module.exports = {{ {} }};", names.join(", "));
    out
}

fn dts_method(
    out: &mut String,
    el: &Element,
    attrs: &[&Attr],
    current: &str,
    doc: &str,
    child_of: Option<&Element>,
) {
    let options = options_type(el, attrs, child_of);
    let ps = params(el, attrs, true, &options);
    let mut lines = vec![doc.to_owned()];
    if let Some(c) = el.content {
        lines.push(format!("@param {} {} ({})", c.name, c.doc, limits(c.ty)));
    }
    for a in attrs.iter().filter(|a| a.required) {
        lines.push(format!("@param {}", attr_line(&camel(a.name), a)));
    }
    js_doc(out, "  ", &lines);
    let _ = writeln!(
        out,
        "  {}({}): {};",
        camel(el.name),
        ps.join(", "),
        returns(el, current)
    );
}

fn options_interface(out: &mut String, name: &str, el: &Element, attrs: &[&Attr]) {
    js_doc(
        out,
        "",
        &[format!("The attributes of `<{}>` (all optional).", el.name)],
    );
    let _ = writeln!(out, "export interface {name} {{");
    for a in attrs.iter().filter(|a| !a.required) {
        js_doc(out, "  ", &[attr_line(&camel(a.name), a)]);
        let _ = writeln!(out, "  {}?: {};", property(&camel(a.name)), ts_type(a.ty));
    }
    let _ = writeln!(out, "}}\n");
}

fn child_doc(parent: &Element, child: &Child) -> String {
    let el = element(child.name);
    let count = if child.min == child.max {
        format!("exactly {}", child.min)
    } else {
        format!("{} to {}", child.min, child.max)
    };
    let mut s = format!(
        "`<{}>` inside `<{}>` ({count}): {}",
        child.name, parent.name, el.doc
    );
    if let Some(why) = child.why {
        let _ = write!(s, " ({why})");
    }
    s
}

fn request_interface(out: &mut String, req: &IvrRequest, name: &str, doc: &str, extra: &str) {
    js_doc(out, "", &[doc.to_owned()]);
    let _ = writeln!(out, "export interface {name} {{");
    let _ = writeln!(out, "  type: {};", single_quoted(req.name));
    out.push_str(extra);
    for k in req.keys {
        js_doc(out, "  ", &[format!("{} (`{}`)", k.doc, k.wire)]);
        let ty = match (req.name, k.name) {
            ("ivr_start", "kind") => "'ivr_call' | 'ivr_incoming' | null".to_owned(),
            ("ivr_next", "action") => {
                let actions: Vec<String> = ELEMENTS
                    .iter()
                    .filter(|e| e.action)
                    .map(|e| single_quoted(e.name))
                    .collect();
                format!("{} | null", actions.join(" | "))
            }
            _ => "string | null".to_owned(),
        };
        let _ = writeln!(out, "  {}: {ty};", property(&camel(k.name)));
    }
    if req.name == "ivr_next" {
        js_doc(
            out,
            "  ",
            &["The URL's own parameters (those your `<next>` URL carried), as `[name, value]` pairs in order.".into()],
        );
        let _ = writeln!(out, "  params: Array<[string, string]>;");
    }
    let _ = writeln!(out, "}}\n");
}

fn dts() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}");
    out.push_str(
        "// IVR applications: `Response` (the documents to answer the platform with), the two requests\n\
         // the platform sends (`IvrStart` from `parseEvent`, `IvrNext` from `parseIvrNext`).\n\n",
    );
    request_interface(
        &mut out,
        &IVR_START,
        "IvrStart",
        "`ivr_start`: an IVR call starts (the platform POSTs it to your application's URL; `parseEvent` gives it): answer with the first document. Absent values are `null`.",
        "  /** Not a webhook event: `type` tells it apart. */\n  event?: undefined;\n",
    );
    request_interface(
        &mut out,
        &IVR_NEXT,
        "IvrNext",
        "The request to a `<next>` URL (`parseIvrNext` gives it): the results of the action that just ran. Absent values are `null`.",
        "",
    );
    out.push_str(
        "/** Parses the query of the request to a `<next>` URL (the query alone, or the request target or URL it ends). */\n\
         export declare function parseIvrNext(query: string | Uint8Array): IvrNext;\n\n\
         /** A document's neutral description. */\n\
         export interface IvrElement {\n  name: string;\n  attrs?: Record<string, unknown>;\n  text?: string;\n  children?: IvrElement[];\n}\n\n\
         export interface IvrDescription {\n  actions: IvrElement[];\n  next?: string;\n  endCall?: boolean;\n}\n\n",
    );
    // Options interfaces: every action's, then each child's restricted set.
    for el in ELEMENTS.iter().filter(|e| e.action) {
        let attrs: Vec<&Attr> = el.attrs.iter().collect();
        if let Some(name) = options_type(el, &attrs, None) {
            options_interface(&mut out, &name, el, &attrs);
        }
    }
    let mut done: Vec<String> = ELEMENTS
        .iter()
        .filter(|e| e.action)
        .filter_map(|e| options_type(e, &e.attrs.iter().collect::<Vec<_>>(), None))
        .collect();
    for parent in holders() {
        for child in parent.children.list() {
            let el = element(child.name);
            let attrs = kept_attrs(child);
            if let Some(name) = options_type(el, &attrs, Some(parent)) {
                if !done.contains(&name) {
                    options_interface(&mut out, &name, el, &attrs);
                    done.push(name);
                }
            }
        }
    }
    out.push_str(
        "/** Where a document is being written: the last element added, with the document's own methods. */\n\
         export declare abstract class Step {\n  \
         /** `<next>`: the absolute `http://` or `https://` URL the platform requests (GET) once the action completes, with `call_id`, `type` and the action's results in its query (read them with `parseIvrNext`). */\n  \
         next(url: string): Response;\n  \
         /** Ends the call once the action completes: the document has no `<next>`, and the platform hangs up then. */\n  \
         endCall(): Response;\n  \
         /** True when the call ends after the document's action (it has no `<next>`). */\n  \
         readonly endsCall: boolean;\n  \
         /** Throws a `YunhuniError` (kind `validation`) naming the element and attribute (`get.maxKeys`) for anything the platform would refuse or misread. */\n  \
         validate(): void;\n  \
         /** The document as the platform reads it (send it as UTF-8), once it passes `validate()`. */\n  \
         toXml(): string;\n  \
         /** The document's neutral description. */\n  \
         toJSON(): IvrDescription;\n  toString(): string;\n}\n\n",
    );
    for el in holders() {
        let class = pascal(el.name);
        js_doc(
            &mut out,
            "",
            &[format!(
                "A `<{}>` being written: add what it holds, then go on with the document.",
                el.name
            )],
        );
        let _ = writeln!(out, "export declare class {class} extends Step {{");
        for child in el.children.list() {
            let attrs = kept_attrs(child);
            dts_method(
                &mut out,
                element(child.name),
                &attrs,
                &class,
                &child_doc(el, child),
                Some(el),
            );
        }
        let _ = writeln!(out, "}}\n");
    }
    js_doc(
        &mut out,
        "",
        &[
            "An IVR document: one action, then `.next(url)` or `.endCall()` (an action without `<next>` ends the call once it completes); `toXml()` gives what to answer the platform with.".into(),
        ],
    );
    let _ = writeln!(out, "export declare class Response extends Step {{");
    let _ = writeln!(out, "  constructor();");
    for el in ELEMENTS.iter().filter(|e| e.action) {
        let attrs: Vec<&Attr> = el.attrs.iter().collect();
        let doc = format!("`<{}>`: {}", el.name, el.doc);
        dts_method(&mut out, el, &attrs, "Response", &doc, None);
    }
    let _ = writeln!(out, "}}");
    out
}
