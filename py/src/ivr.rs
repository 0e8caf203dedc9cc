//! `yunhuni.ivr`'s native half: the elements and documents of IVR replies over core's generic
//! builder (`yunhuni::ivr::Node`, `Response`), and `parse_ivr_next`.
//!
//! The classes of `yunhuni/ivr.py` (generated from core's `ELEMENTS`) hold one `_Node` per
//! element and one `_Response` per document; every attribute is set by its name and every rule
//! is checked by core, which names attributes in Python's casing (`dial.from_`). What is kept
//! here is only the tree of elements while a document is being written, because Python code
//! adds children to an element after the element was added to its parent.

use crate::convert::{body_bytes, py_to_value, text, value_to_py};
use crate::errors::{invalid, IntoPyResult};
use crate::ivr_gen::PyIvrNext;
use pyo3::prelude::*;
use yunhuni::ivr::{IvrNext, Node, Response};
use yunhuni::ops::Casing;

/// How deep elements may nest (the platform's deepest is four: enqueue, route, agent).
const MAX_DEPTH: usize = 8;

/// One element of a document being written: its attributes and text (a core `Node`), and its
/// children, which may still change.
#[pyclass(module = "yunhuni.ivr", name = "_Node")]
pub struct PyIvrNode {
    node: Node,
    children: Vec<Py<PyIvrNode>>,
}

impl PyIvrNode {
    /// The core element with its children, as written now.
    fn assemble(&self, py: Python<'_>, depth: usize) -> PyResult<Node> {
        if depth > MAX_DEPTH {
            return Err(invalid(
                py,
                self.node.name(),
                "elements nest deeper than any IVR document (an element inside itself?)",
            ));
        }
        let mut node = self.node.clone();
        for child in &self.children {
            let child = child.borrow(py).assemble(py, depth + 1)?;
            node.push(child).or_raise(py)?;
        }
        Ok(node)
    }
}

#[pymethods]
impl PyIvrNode {
    /// An empty element called `name` (`play`, `get`, `number`, ...).
    #[new]
    fn new(py: Python<'_>, name: &Bound<'_, PyAny>) -> PyResult<Self> {
        let name = text(py, "name", name)?;
        Ok(PyIvrNode {
            node: Node::new(&name).or_raise(py)?,
            children: Vec::new(),
        })
    }

    /// The element's name.
    #[getter]
    fn name(&self) -> &'static str {
        self.node.name()
    }

    /// Sets the attribute `name` (Python's spelling: `from_`); `None` unsets it.
    fn set(&mut self, py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        // Floats too: core takes a whole one for an integer and names the attribute otherwise.
        let value = py_to_value(py, name, value, 0)?;
        self.node
            .set_cased(name, value, Casing::Python)
            .or_raise(py)
    }

    /// Sets the element's text (a `<play>`'s file, a `<number>`'s number).
    fn set_text(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let field = self
            .node
            .element()
            .content
            .map_or(self.node.name(), |c| c.name);
        let value = text(py, field, value)?;
        self.node.set_text(value).or_raise(py)?;
        Ok(())
    }

    /// Adds `child` inside the element (it stays shared: later changes to it are written).
    fn add(&mut self, py: Python<'_>, child: Py<PyIvrNode>) -> PyResult<()> {
        // Core says whether such an element may stand here.
        let name = child.borrow(py).node.name();
        let decl = yunhuni::ivr::element(name).ok_or_else(|| invalid(py, name, "unknown"))?;
        Node::of(self.node.element())
            .push(Node::of(decl))
            .or_raise(py)?;
        self.children.push(child);
        Ok(())
    }
}

/// A document being written: its actions, and its `<next>` or the choice to end the call.
#[pyclass(module = "yunhuni.ivr", name = "_Response")]
#[derive(Default)]
pub struct PyIvrResponse {
    actions: Vec<Py<PyIvrNode>>,
    next: Option<String>,
    end_call: bool,
}

impl PyIvrResponse {
    fn assemble(&self, py: Python<'_>) -> PyResult<Response> {
        let mut response = Response::new();
        for action in &self.actions {
            response = response.action(action.borrow(py).assemble(py, 0)?);
        }
        if let Some(url) = &self.next {
            response = response.next(url.clone());
        }
        if self.end_call {
            response = response.end_call();
        }
        Ok(response)
    }
}

#[pymethods]
impl PyIvrResponse {
    #[new]
    fn new() -> Self {
        PyIvrResponse::default()
    }

    /// Adds an action.
    fn add(&mut self, action: Py<PyIvrNode>) {
        self.actions.push(action);
    }

    /// Sets the `<next>` URL.
    fn next(&mut self, py: Python<'_>, url: &Bound<'_, PyAny>) -> PyResult<()> {
        self.next = Some(text(py, "next", url)?);
        Ok(())
    }

    /// Marks the document as ending the call after its action.
    fn end_call(&mut self) {
        self.end_call = true;
    }

    /// True when the call ends after the document's action (no `<next>`).
    #[getter]
    fn ends_call(&self) -> bool {
        self.next.is_none()
    }

    /// Checks the document as the platform would read it.
    fn validate(&self, py: Python<'_>) -> PyResult<()> {
        self.assemble(py)?
            .validate_cased(Casing::Python)
            .or_raise(py)
    }

    /// The document's XML, once it passes `validate`.
    fn to_xml(&self, py: Python<'_>) -> PyResult<String> {
        self.assemble(py)?.to_xml_cased(Casing::Python).or_raise(py)
    }

    /// The document's neutral description (`{"actions": [...], "next": ..., "end_call": ...}`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        value_to_py(py, &self.assemble(py)?.to_value())
    }
}

/// The XML of a document given by its neutral description (`tests/vectors/ivr.json`'s
/// `response`), attribute names in snake_case (`casing="snake"`) or Python's (`"python"`).
#[pyfunction]
#[pyo3(signature = (description, casing = "python"))]
pub fn _ivr_xml_of(
    py: Python<'_>,
    description: &Bound<'_, PyAny>,
    casing: &str,
) -> PyResult<String> {
    let casing = match casing {
        "snake" => Casing::Snake,
        "python" => Casing::Python,
        other => return Err(invalid(py, "casing", format!("{other:?}: snake or python"))),
    };
    let value = py_to_value(py, "response", description, 0)?;
    Response::from_value(&value, casing)
        .and_then(|r| r.to_xml_cased(casing))
        .or_raise(py)
}

/// Parses the query of the request the platform sends to a `<next>` URL (`str` or `bytes`:
/// the query alone, or the request target or URL it ends) into an `IvrNext`: the results of the
/// action that just ran (`keys` after `<get>`, `record_id` after `<record>`, `error`), and the
/// URL's own parameters. Raises `DecodeError` naming the key for a query over 64 KiB, a `%`
/// not followed by two hex digits, or a `type` that is not an action.
#[pyfunction]
pub fn parse_ivr_next(py: Python<'_>, query: &Bound<'_, PyAny>) -> PyResult<PyIvrNext> {
    let bytes = body_bytes(query, "query")?;
    Ok(PyIvrNext::from(IvrNext::parse(&bytes).or_raise(py)?))
}

/// Adds the IVR classes and functions to the native module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyIvrNode>()?;
    m.add_class::<PyIvrResponse>()?;
    crate::ivr_gen::add_classes(m)?;
    m.add_function(wrap_pyfunction!(parse_ivr_next, m)?)?;
    m.add_function(wrap_pyfunction!(_ivr_xml_of, m)?)?;
    Ok(())
}

/// Core's canonical view of a request, as the map the generated getters read.
pub(crate) fn object(view: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match view {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

/// The text of the key `key` of a canonical view; `None` when absent.
pub(crate) fn view_text<'a>(
    view: &'a serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Option<&'a str> {
    view.get(key).and_then(serde_json::Value::as_str)
}
