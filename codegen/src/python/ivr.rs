//! Python: `yunhuni.ivr` from core's IVR declarations.
//!
//! - `py/python/yunhuni/ivr.py`: `Response` and one builder class per element that holds
//!   others (`Get`, `Dial`, ...), a method per element with a keyword per attribute (Python's
//!   spelling: `from_`); each method only hands the element's name, text and attributes to the
//!   native `_Node`, and core checks everything when the document is written.
//! - `py/src/ivr_gen.rs`: the native classes `IvrStart` and `IvrNext`, a getter per key of core's
//!   declarations of the two requests (`IVR_START`, `IVR_NEXT`).

use crate::ivr::{attr_line, element, holders, kept_attrs};
use crate::names::{pascal, quoted, GENERATED};
use crate::Output;
use std::fmt::Write;
use yunhuni::ivr::{Attr, Child, Element, IvrRequest, ValueType, ELEMENTS, IVR_NEXT, IVR_START};
use yunhuni::ops::Casing;

pub fn outputs() -> Vec<Output> {
    vec![
        Output {
            path: "py/python/yunhuni/ivr.py",
            text: module(false),
        },
        Output {
            path: "py/python/yunhuni/ivr.pyi",
            text: module(true),
        },
        Output {
            path: "py/src/ivr_gen.rs",
            text: crate::rust::rustfmt(&natives()),
        },
    ]
}

fn py_name(name: &str) -> String {
    Casing::Python.name(name).into_owned()
}

fn py_type(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Int { .. } => "int",
        ValueType::Bool => "bool",
        _ => "str",
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

/// A method adding the element `el` (with the attributes `attrs`) to `target` (`"action"` or
/// `"child"`), on a class whose own type is `current`.
fn method(
    out: &mut String,
    el: &Element,
    attrs: &[&Attr],
    current: &str,
    summary: &str,
    stub: bool,
) {
    let mut params = vec!["self".to_owned()];
    let mut doc_lines = Vec::new();
    if let Some(c) = el.content {
        params.push(format!("{}: str", c.name));
        doc_lines.push(format!(
            "{}: {} ({})",
            c.name,
            c.doc,
            crate::ivr::limits(c.ty)
        ));
    }
    for a in attrs.iter().filter(|a| a.required) {
        params.push(format!("{}: {}", py_name(a.name), py_type(a.ty)));
        doc_lines.push(attr_line(&py_name(a.name), a));
    }
    let optional: Vec<&&Attr> = attrs.iter().filter(|a| !a.required).collect();
    if !optional.is_empty() {
        params.push("*".into());
        for a in &optional {
            params.push(format!(
                "{}: {} | None = None",
                py_name(a.name),
                py_type(a.ty)
            ));
            doc_lines.push(attr_line(&py_name(a.name), a));
        }
    }
    let ret = returns(el, current);
    let _ = writeln!(out, "    def {}({}) -> {ret}:", el.name, params.join(", "));
    let _ = writeln!(out, "        \"\"\"{summary}");
    if !doc_lines.is_empty() {
        let _ = writeln!(out);
        for l in &doc_lines {
            let _ = writeln!(out, "        - {}", l.replace('\\', "\\\\"));
        }
    }
    let _ = writeln!(out, "        \"\"\"");
    if stub {
        let _ = writeln!(out, "        ...\n");
        return;
    }
    let text = el.content.map_or("None".to_owned(), |c| c.name.to_owned());
    let kwargs: Vec<String> = attrs
        .iter()
        .map(|a| format!("{}={}", quoted(&py_name(a.name)), py_name(a.name)))
        .collect();
    let call = format!(
        "_element({}, {text}, {{{}}})",
        quoted(el.name),
        kwargs
            .iter()
            .map(|k| k.replacen('=', ": ", 1))
            .collect::<Vec<_>>()
            .join(", ")
    );
    if current == "Response" {
        let _ = writeln!(out, "        node = {call}");
        let _ = writeln!(out, "        self._response._native.add(node)");
    } else {
        let _ = writeln!(out, "        node = {call}");
        let _ = writeln!(out, "        self._node.add(node)");
    }
    if el.children.list().is_empty() {
        let _ = writeln!(out, "        return self\n");
    } else {
        let _ = writeln!(out, "        return {ret}(self._response, node)\n");
    }
}

fn action_summary(el: &Element) -> String {
    let mut s = format!("`<{}>`: {}", el.name, el.doc);
    if el.name != "hangup" {
        s.push_str(
            "\n\n        The document holds one action: follow it with `.next(url)`, or with \
             `.end_call()` to end\n        the call once it completes.",
        );
    }
    s
}

fn child_summary(parent: &Element, child: &Child) -> String {
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
    if child.keeps == Some(&[]) && !el.attrs.is_empty() {
        s.push_str(" Its own attributes are ignored here, so it takes none.");
    }
    s
}

fn module(stub: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {GENERATED}");
    out.push_str(
        r##""""IVR applications: the documents they answer the platform with, and the requests the
platform sends them.

An IVR call runs as a conversation: the platform POSTs ``ivr_start`` to your application's URL
(``yunhuni.parse_event`` gives an ``IvrStart``); you answer with a document holding **one
action** (play, get keys, record, dial, ...) and usually a ``<next>`` URL; the platform runs
the action, then GETs the ``<next>`` URL with the results in its query (``parse_ivr_next``
gives an ``IvrNext``), and so on::

    from yunhuni.ivr import Response

    xml = (Response()
           .get(max_keys=1, finish_keys="#").play("menu.wav")
           .next("https://app.example.com/ivr/menu")
           .to_xml())

An action without ``<next>`` ends the call once it completes, so a document needs either
``.next(url)`` or ``.end_call()`` (only ``hangup()`` needs neither). ``to_xml()`` raises
``ValidationError`` naming the element and attribute (``get.max_keys``) for anything the
platform would refuse or misread.

Every element and attribute comes from core's declarations of the platform's schema; the
checks are core's.
"""

"##,
    );
    if stub {
        let text = r##"from __future__ import annotations

from typing import Any

class _Step:
    """Where a document is being written: the last element added, with the document's own
    methods (``next``, ``end_call``, ``to_xml``) at hand."""

    def __init__(self, response: Response, node: Any) -> None: ...
    def next(self, url: str) -> Response:
        """`<next>`: the absolute ``http://`` or ``https://`` URL the platform requests (GET)
        once the action completes, with ``call_id``, ``type`` and the action's results added
        to its query (read them with ``parse_ivr_next``)."""
    def end_call(self) -> Response:
        """Ends the call once the action completes: the document has no ``<next>``, and the
        platform hangs up then."""
    @property
    def ends_call(self) -> bool:
        """True when the call ends after the document's action (it has no ``<next>``)."""
    def validate(self) -> None:
        """Raises ``ValidationError`` naming the element and attribute for anything the
        platform would refuse or misread."""
    def to_xml(self) -> str:
        """The document as the platform reads it (send it as UTF-8), once it passes
        ``validate``."""
    def to_dict(self) -> dict[str, Any]:
        """The document's neutral description: ``{"actions": [...], "next": ...}``."""

@final
class IvrStart:
STARTSTUB
@final
class IvrNext:
NEXTSTUB
def parse_ivr_next(query: bytes | bytearray | memoryview | str) -> IvrNext:
    """Parses the query of the request the platform sends to a ``<next>`` URL (the query alone,
    or the request target or URL it ends): the results of the action that just ran. Raises
    ``DecodeError`` naming the key for a query over 64 KiB, a ``%`` not followed by two hex
    digits, or a ``type`` that is not an action."""
"##
            .replace("from typing import Any", "from typing import Any, final")
            .replace("STARTSTUB", &request_stub(&IVR_START, "`ivr_start`: an IVR call starts (the platform POSTs it to your application's URL; ``yunhuni.parse_event`` gives it): answer with the first document.", &[("is_inbound", "bool", "True for a call someone made to one of your numbers (``kind`` ``ivr_incoming``; not yet answered)."), ("event", "str", "``'ivr_start'``, as ``event`` names the webhook events."), ("id", "str | None", "The call's id (``call_id``), as ``id`` names it in the webhook events.")]))
            .replace("NEXTSTUB", &request_stub(&IVR_NEXT, "The request to a ``<next>`` URL (``parse_ivr_next`` gives it): the results of the action that just ran.", &[("succeeded", "bool", "True when the action succeeded (no ``error``)."), ("params", "list[tuple[str, str]]", "The URL's own parameters, as ``(name, value)`` pairs in order.")]));
        out.push_str(&text);
    } else {
        out.push_str(
            r##"from __future__ import annotations

from typing import Any

from ._native import IvrNext, IvrStart, _Node, _Response, parse_ivr_next


def _element(name: str, text: str | None, attrs: dict[str, object]) -> _Node:
    node = _Node(name)
    if text is not None:
        node.set_text(text)
    for key, value in attrs.items():
        if value is not None:
            node.set(key, value)
    return node


class _Step:
    """Where a document is being written: the last element added, with the document's own
    methods (``next``, ``end_call``, ``to_xml``) at hand."""

    __slots__ = ("_response", "_node")

    def __init__(self, response: Response, node: _Node | None) -> None:
        self._response = response
        self._node = node

    def next(self, url: str) -> Response:
        """`<next>`: the absolute ``http://`` or ``https://`` URL the platform requests (GET)
        once the action completes, with ``call_id``, ``type`` and the action's results added
        to its query (read them with ``parse_ivr_next``)."""
        self._response._native.next(url)
        return self._response

    def end_call(self) -> Response:
        """Ends the call once the action completes: the document has no ``<next>``, and the
        platform hangs up then."""
        self._response._native.end_call()
        return self._response

    @property
    def ends_call(self) -> bool:
        """True when the call ends after the document's action (it has no ``<next>``)."""
        return self._response._native.ends_call

    def validate(self) -> None:
        """Raises ``ValidationError`` naming the element and attribute for anything the
        platform would refuse or misread."""
        self._response._native.validate()

    def to_xml(self) -> str:
        """The document as the platform reads it (send it as UTF-8), once it passes
        ``validate``."""
        return self._response._native.to_xml()

    def to_dict(self) -> dict[str, Any]:
        """The document's neutral description: ``{"actions": [...], "next": ...}``."""
        return self._response._native.to_dict()

    def __str__(self) -> str:
        return self.to_xml()

"##,
        );
    }
    for el in holders() {
        let class = pascal(el.name);
        let _ = writeln!(out, "\nclass {class}(_Step):");
        let _ = writeln!(
            out,
            "    \"\"\"A `<{}>` being written: add what it holds, then go on with the document.\"\"\"\n",
            el.name
        );
        if !stub {
            let _ = writeln!(out, "    __slots__ = ()\n");
        }
        for child in el.children.list() {
            let c = element(child.name);
            let attrs = kept_attrs(child);
            method(&mut out, c, &attrs, &class, &child_summary(el, child), stub);
        }
    }
    let _ = writeln!(out, "\nclass Response(_Step):");
    out.push_str(
        "    \"\"\"An IVR document: one action, then ``.next(url)`` or ``.end_call()``; ``to_xml()``\n    \
         gives what to answer the platform with.\"\"\"\n\n",
    );
    if stub {
        out.push_str("    def __init__(self) -> None: ...\n\n");
    } else {
        out.push_str(
            "    __slots__ = (\"_native\",)\n\n    \
             def __init__(self) -> None:\n        self._native = _Response()\n        \
             _Step.__init__(self, self, None)\n\n",
        );
    }
    for el in ELEMENTS.iter().filter(|e| e.action) {
        let attrs: Vec<&Attr> = el.attrs.iter().collect();
        method(&mut out, el, &attrs, "Response", &action_summary(el), stub);
    }
    let mut all: Vec<String> = vec![
        "Response".into(),
        "IvrStart".into(),
        "IvrNext".into(),
        "parse_ivr_next".into(),
    ];
    all.extend(holders().map(|e| pascal(e.name)));
    let _ = writeln!(out, "__all__ = [");
    for n in all {
        let _ = writeln!(out, "    {},", quoted(&n));
    }
    let _ = writeln!(out, "]");
    out
}

/// The stub of a request's class: a property per key, the extras, `raw` and `to_dict`.
fn request_stub(req: &IvrRequest, doc: &str, extras: &[(&str, &str, &str)]) -> String {
    let mut out = format!("    \"\"\"{doc} Absent values are ``None``.\"\"\"\n\n");
    for k in req.keys {
        let _ = writeln!(
            out,
            "    @property\n    def {}(self) -> str | None:\n        \"\"\"{} (``{}``)\"\"\"",
            py_name(k.name),
            k.doc,
            k.wire
        );
    }
    for (name, ty, doc) in extras {
        let _ = writeln!(
            out,
            "    @property\n    def {name}(self) -> {ty}:\n        \"\"\"{doc}\"\"\""
        );
    }
    if req.name == "ivr_next" {
        out.push_str(
            "    def param(self, name: str, default: str | None = None) -> str | None:\n        \
             \"\"\"The first of the URL's own parameters called ``name``, else ``default``.\"\"\"\n",
        );
    }
    out.push_str(
        "    @property\n    def raw(self) -> str:\n        \"\"\"The request as text.\"\"\"\n    \
         def to_dict(self) -> dict[str, Any]:\n        \
         \"\"\"The canonical view shared by every language of the SDK.\"\"\"\n    \
         def __eq__(self, value: object, /) -> bool: ...\n",
    );
    out
}

/// A native class with a getter per key of `req`.
fn native_class(
    out: &mut String,
    req: &IvrRequest,
    class: &str,
    rust: &str,
    doc: &str,
    extra: &str,
) {
    let _ = writeln!(out, "/// {doc}");
    let _ = writeln!(
        out,
        "#[pyclass(frozen, eq, module = \"yunhuni\", name = {})]",
        quoted(class)
    );
    let _ = writeln!(out, "#[derive(PartialEq)]");
    let _ = writeln!(
        out,
        "pub struct Py{class} {{\n    inner: {rust},\n    view: Map<String, Value>,\n}}\n"
    );
    let _ = writeln!(
        out,
        "impl From<{rust}> for Py{class} {{\n    fn from(inner: {rust}) -> Self {{\n        \
         let view = object(inner.to_value());\n        Py{class} {{ inner, view }}\n    }}\n}}\n"
    );
    let _ = writeln!(out, "#[pymethods]\nimpl Py{class} {{");
    for k in req.keys {
        let name = py_name(k.name);
        let _ = writeln!(out, "    /// {} (`{}`)", k.doc, k.wire);
        if name != k.name {
            let _ = writeln!(out, "    #[getter({name})]");
        } else {
            let _ = writeln!(out, "    #[getter]");
        }
        let _ = writeln!(
            out,
            "    fn {name}(&self) -> Option<&str> {{\n        view_text(&self.view, {})\n    }}\n",
            quoted(k.name)
        );
    }
    out.push_str(extra);
    let _ = writeln!(
        out,
        "    /// The request as text (decoded as UTF-8, or as ISO-8859-1 when it is not UTF-8).\n    \
         #[getter]\n    fn raw(&self) -> &str {{\n        &self.inner.raw\n    }}\n"
    );
    let _ = writeln!(
        out,
        "    /// The canonical view shared by every language of the SDK (`type` {}).\n    \
         fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {{\n        \
         value_to_py(py, &Value::Object(self.view.clone()))\n    }}\n",
        quoted(req.name).replace('"', "`")
    );
    let shown: Vec<String> = req
        .keys
        .iter()
        .take(3)
        .map(|k| {
            format!(
                "format!(\"{}={{}}\", repr_str(py, view_text(&self.view, {})))",
                py_name(k.name),
                quoted(k.name)
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "    fn __repr__(&self, py: Python<'_>) -> String {{\n        \
         let parts: Vec<String> = vec![{}];\n        format!(\"{class}({{}})\", parts.join(\", \"))\n    }}\n}}\n",
        shown.join(", ")
    );
}

fn natives() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}\n");
    out.push_str(
        "//! The classes of the requests the platform sends to an IVR application, a getter per\n\
         //! key of core's declarations (`yunhuni::ivr::IVR_START`, `IVR_NEXT`); the conversions\n\
         //! are `ivr.rs`'s.\n\n\
         use crate::client::repr_str;\n\
         use crate::convert::value_to_py;\n\
         use crate::ivr::{object, view_text};\n\
         use pyo3::prelude::*;\n\
         use serde_json::{Map, Value};\n\
         use yunhuni::ivr::{IvrNext, IvrStart};\n\n",
    );
    native_class(
        &mut out,
        &IVR_START,
        "IvrStart",
        "IvrStart",
        "`ivr_start`: an IVR call starts (the platform POSTs it to your application's URL; \
         `yunhuni.parse_event` gives it): answer with the first document. Absent values are \
         `None`.",
        "    /// True for a call someone made to one of your numbers (`kind` `ivr_incoming`; not \
         yet answered: a `hangup()` rejects it).\n    #[getter]\n    fn is_inbound(&self) -> bool \
         {\n        self.inner.is_inbound()\n    }\n\n    \
         /// `'ivr_start'`, as `event` names the webhook events.\n    #[getter]\n    \
         fn event(&self) -> &'static str {\n        \"ivr_start\"\n    }\n\n    \
         /// The call's id (`call_id`), as `id` names it in the webhook events.\n    #[getter]\n    \
         fn id(&self) -> Option<&str> {\n        self.inner.call_id.as_deref()\n    }\n\n",
    );
    native_class(
        &mut out,
        &IVR_NEXT,
        "IvrNext",
        "IvrNext",
        "The request to a `<next>` URL (`yunhuni.ivr.parse_ivr_next` gives it): the results of \
         the action that just ran; answer with the next document. Absent values are `None`.",
        "    /// True when the action succeeded (no `error`).\n    #[getter]\n    fn \
         succeeded(&self) -> bool {\n        self.inner.succeeded()\n    }\n\n    \
         /// The URL's own parameters (those your `<next>` URL carried), as `(name, value)` \
         pairs in order.\n    #[getter]\n    fn params(&self) -> Vec<(String, String)> {\n        \
         self.inner.params.clone()\n    }\n\n    \
         /// The first of the URL's own parameters called `name`, else `default`.\n    \
         #[pyo3(signature = (name, default = None))]\n    fn param(&self, name: &str, default: \
         Option<String>) -> Option<String> {\n        \
         self.inner.param(name).map(str::to_owned).or(default)\n    }\n\n",
    );
    out.push_str(
        "/// Adds the request classes to the native module.\n\
         pub fn add_classes(m: &Bound<'_, PyModule>) -> PyResult<()> {\n    \
         m.add_class::<PyIvrStart>()?;\n    m.add_class::<PyIvrNext>()?;\n    Ok(())\n}\n",
    );
    out
}
