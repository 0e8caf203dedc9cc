//! The vocabulary of the IVR declarations: what an element, an attribute, a text content and a
//! child are. Everything here is plain data (see [`ELEMENTS`](super::ELEMENTS)), so that other
//! code (the bindings' generators, the CLI, tests) can drive the one generic builder,
//! [`Node`](super::Node), from it.

/// The type of an attribute's value or of an element's text, with its limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// An integer (the schema's `xs:int`, so within Java's 32-bit range) within `min..=max`,
    /// written in decimal.
    Int {
        /// The smallest value.
        min: i64,
        /// The largest value.
        max: i64,
    },
    /// `true` or `false` (the schema's `xs:boolean`).
    Bool,
    /// Telephone keys: one or more of `0-9 * # A B C D` (the schema's `dtmf`/`finish_keys`).
    Keys,
    /// A voice file name: no white space, ending in lower-case `.wav` (the schema's `playfile`).
    File,
    /// Text of `min..=max` characters (Unicode scalar values, as the schema counts them), never
    /// blank.
    Text {
        /// The fewest characters.
        min: usize,
        /// The most characters.
        max: usize,
    },
    /// One of `values`, or a value starting with one of `prefixes`.
    OneOf {
        /// The exact values accepted.
        values: &'static [&'static str],
        /// The prefixes accepted (`busy/` admits `busy/lunch`).
        prefixes: &'static [&'static str],
    },
    /// An absolute `http://` or `https://` URL of at most 1024 characters that the platform
    /// requests unchanged (see [`check_next_url`](super::check_next_url)).
    Url,
}

impl ValueType {
    /// A short name of the type, as messages and generated docs show it.
    pub fn describe(self) -> &'static str {
        match self {
            ValueType::Int { .. } => "integer",
            ValueType::Bool => "boolean",
            ValueType::Keys => "keys",
            ValueType::File => "voice file",
            ValueType::Text { .. } => "string",
            ValueType::OneOf { .. } => "string",
            ValueType::Url => "URL",
        }
    }

    /// The JSON type a value of this type is given as: `integer`, `boolean` or `string`.
    pub fn json_type(self) -> &'static str {
        match self {
            ValueType::Int { .. } => "integer",
            ValueType::Bool => "boolean",
            _ => "string",
        }
    }
}

/// One attribute of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attr {
    /// The attribute's name in the document (and the builder's name for it, snake_case).
    pub name: &'static str,
    /// The type and limits of its value.
    pub ty: ValueType,
    /// True when the element is refused without it.
    pub required: bool,
    /// What applies when it is left out, for the docs (`None` when nothing is known).
    pub default: Option<&'static str>,
    /// Why its limits are narrower than the schema's, when they are (shown in the refusal).
    pub why: Option<&'static str>,
    /// One line for the docs.
    pub doc: &'static str,
}

/// The text inside an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Content {
    /// What the text is, as the builder calls it: `file`, `keys`, `number`, `url`.
    pub name: &'static str,
    /// Its type and limits.
    pub ty: ValueType,
    /// One line for the docs.
    pub doc: &'static str,
}

/// An element that may appear inside another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Child {
    /// The element's name.
    pub name: &'static str,
    /// The fewest it may appear (for [`Children::Each`]).
    pub min: usize,
    /// The most it may appear.
    pub max: usize,
    /// The attributes of the child that the platform reads in this place; `None` for all of
    /// them. Any other attribute set on the child here is refused, because the platform would
    /// ignore it.
    pub keeps: Option<&'static [&'static str]>,
    /// True when the document carries the child (empty) even when it is not given: the
    /// platform's defaults then apply (`<dial>` always holds a `<connect>`).
    pub implicit: bool,
    /// Why `max` is narrower than the schema's, when it is (shown in the refusal).
    pub why: Option<&'static str>,
}

/// The elements an element holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Children {
    /// None.
    None,
    /// Each of these within its count, written in this order whatever the order they were
    /// given in (children of the same name keep their order).
    Each(&'static [Child]),
    /// Exactly one of these.
    OneOf(&'static [Child]),
}

impl Children {
    /// The children declared, whatever the kind.
    pub fn list(self) -> &'static [Child] {
        match self {
            Children::None => &[],
            Children::Each(list) | Children::OneOf(list) => list,
        }
    }

    /// The declaration of the child called `name`, if it may appear here.
    pub fn find(self, name: &str) -> Option<&'static Child> {
        self.list().iter().find(|c| c.name == name)
    }
}

/// What the platform does when an action completes: the webhook it posts and the query
/// parameters it adds to the `<next>` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ending {
    /// The `ivr.*` event posted when it ends (`None` for actions that post none).
    pub event: Option<&'static str>,
    /// The parameters of the next request besides `call_id` and `type`, in the server's order.
    pub results: &'static [&'static str],
}

/// One element of the platform's IVR documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Element {
    /// Its name in the document: `play`, `get`, `number`, ...
    pub name: &'static str,
    /// True for the actions: the elements that may stand directly inside `<response>`.
    pub action: bool,
    /// Its text, when it has one (always required then).
    pub content: Option<Content>,
    /// Its attributes, in the order they are written.
    pub attrs: &'static [Attr],
    /// The elements it holds.
    pub children: Children,
    /// For actions: what the platform sends when the action completes.
    pub ending: Option<Ending>,
    /// One line for the docs.
    pub doc: &'static str,
}

impl Element {
    /// The declaration of the attribute called `name`.
    pub fn attr(&self, name: &str) -> Option<&'static Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

/// One key of a request the platform sends to an IVR application (all are text).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestKey {
    /// The key as it arrives (a JSON key or a query parameter).
    pub wire: &'static str,
    /// The typed field it is read into (`type` is read into `kind` or `action`).
    pub name: &'static str,
    /// One line for the docs.
    pub doc: &'static str,
}

/// A request the platform sends to an IVR application, which answers it with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IvrRequest {
    /// `ivr_start` or `ivr_next`.
    pub name: &'static str,
    /// `POST` (a JSON body) or `GET` (a query string).
    pub method: &'static str,
    /// Its keys, in the order of the typed view.
    pub keys: &'static [RequestKey],
    /// One line for the docs.
    pub doc: &'static str,
}
