//! The one generic builder: an element of a document, checked against its declaration.

use super::decl::{Attr, Child, Children, Element, ValueType};
use super::table::ELEMENTS;
use super::url::check_next_url;
use crate::error::{escape_text, Error, Result};
use crate::ops::Casing;
use serde_json::{Map, Value};

/// What happens to a document the platform's schema refuses.
pub(crate) const REFUSED: &str =
    "the platform's schema refuses the document: it posts ivr.format_error and hangs up";

/// The declaration of the element called `name`.
pub fn element(name: &str) -> Option<&'static Element> {
    ELEMENTS.iter().find(|e| e.name == name)
}

/// One element of an IVR document (an action, or an element inside one), with its attributes,
/// text and children, each checked against the element's declaration in [`ELEMENTS`].
///
/// This is the generic form behind the typed builders ([`Play`](super::Play),
/// [`Get`](super::Get), ...), for code that builds documents from the declarations (the
/// bindings). Setting an attribute checks its name and the type of its value; the rules
/// (ranges, key sets, file names, counts of children) are checked by
/// [`Response::validate`](super::Response::validate) and [`Node::validate`].
///
/// ```
/// use yunhuni::ivr::Node;
///
/// let mut get = Node::new("get")?;
/// get.set("max_keys", 1)?.set("finish_keys", "#")?;
/// get.push(Node::new("play")?.with_text("menu.wav")?)?;
/// assert_eq!(
///     get.to_xml()?,
///     r##"<get max_keys="1" finish_keys="#"><play>menu.wav</play></get>"##
/// );
/// # Ok::<(), yunhuni::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    decl: &'static Element,
    attrs: Vec<Option<Value>>,
    text: Option<String>,
    children: Vec<Node>,
}

impl Node {
    /// An empty element called `name` (`play`, `get`, `number`, ...); a name the platform does
    /// not have is a validation error.
    pub fn new(name: &str) -> Result<Node> {
        element(name).map(Node::of).ok_or_else(|| {
            let known: Vec<&str> = ELEMENTS.iter().map(|e| e.name).collect();
            Error::validation(
                "name",
                format!(
                    "\"{}\" is not an element of the platform's IVR documents (they are {})",
                    escape_text(name),
                    known.join(", ")
                ),
            )
        })
    }

    /// An empty element of the declaration `decl`.
    pub fn of(decl: &'static Element) -> Node {
        Node {
            decl,
            attrs: vec![None; decl.attrs.len()],
            text: None,
            children: Vec::new(),
        }
    }

    /// The element's declaration.
    pub fn element(&self) -> &'static Element {
        self.decl
    }

    /// The element's name.
    pub fn name(&self) -> &'static str {
        self.decl.name
    }

    /// Sets the attribute called `name` (snake_case); `null` unsets it. An attribute the
    /// element does not have, or a value of the wrong JSON type (a string for an integer), is
    /// a validation error naming the attribute.
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> Result<&mut Self> {
        self.set_cased(name, value.into(), Casing::Snake)?;
        Ok(self)
    }

    /// [`Node::set`], consuming and returning the element.
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Result<Self> {
        self.set(name, value)?;
        Ok(self)
    }

    /// Sets the attribute that `casing` spells `name`; errors name it in `casing`.
    pub fn set_cased(&mut self, name: &str, value: Value, casing: Casing) -> Result<()> {
        let Some(index) = self
            .decl
            .attrs
            .iter()
            .position(|a| casing.name(a.name) == name)
        else {
            let known: Vec<String> = self
                .decl
                .attrs
                .iter()
                .map(|a| casing.name(a.name).into_owned())
                .collect();
            let known = if known.is_empty() {
                "it has none".to_owned()
            } else {
                format!("it has {}", known.join(", "))
            };
            return Err(Error::validation(
                escape_text(name),
                format!("is not an attribute of <{}> ({known})", self.decl.name),
            ));
        };
        let attr = &self.decl.attrs[index];
        self.attrs[index] = convert(attr.ty, value).map_err(|got| {
            Error::validation(
                casing.name(attr.name),
                format!(
                    "<{} {}> takes {}, not {got}",
                    self.decl.name,
                    attr.name,
                    a_json_type(attr.ty)
                ),
            )
        })?;
        Ok(())
    }

    /// Sets an attribute the typed builders know to exist, with a value of its type.
    pub(crate) fn put(mut self, name: &'static str, value: Value) -> Self {
        if let Some(index) = self.decl.attrs.iter().position(|a| a.name == name) {
            self.attrs[index] = Some(value);
        } else {
            debug_assert!(false, "<{}> has no attribute {name}", self.decl.name);
        }
        self
    }

    /// The value of the attribute called `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        let index = self.decl.attrs.iter().position(|a| a.name == name)?;
        self.attrs[index].as_ref()
    }

    /// The attributes set, in the order they are written.
    pub fn attrs(&self) -> impl Iterator<Item = (&'static Attr, &Value)> + '_ {
        self.decl
            .attrs
            .iter()
            .zip(&self.attrs)
            .filter_map(|(a, v)| v.as_ref().map(|v| (a, v)))
    }

    /// Sets the element's text (the file of a `<play>`, the keys of a `<send_dtmf>`, the
    /// number of a `<number>`, the URL of a `<next>`); an element without text refuses it.
    pub fn set_text(&mut self, text: impl Into<String>) -> Result<&mut Self> {
        if self.decl.content.is_none() {
            return Err(Error::validation(
                self.decl.name,
                format!("<{}> holds no text", self.decl.name),
            ));
        }
        self.text = Some(text.into());
        Ok(self)
    }

    /// [`Node::set_text`], consuming and returning the element.
    pub fn with_text(mut self, text: impl Into<String>) -> Result<Self> {
        self.set_text(text)?;
        Ok(self)
    }

    pub(crate) fn put_text(mut self, text: String) -> Self {
        self.text = Some(text);
        self
    }

    /// The element's text, if set.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// Adds `child` inside the element; an element that may not stand here is a validation
    /// error (how many of each may stand here is checked with the rest of the document).
    pub fn push(&mut self, child: Node) -> Result<&mut Self> {
        if self.decl.children.find(child.decl.name).is_none() {
            let allowed: Vec<String> = self
                .decl
                .children
                .list()
                .iter()
                .map(|c| format!("<{}>", c.name))
                .collect();
            let allowed = if allowed.is_empty() {
                "no element".to_owned()
            } else {
                allowed.join(", ")
            };
            return Err(Error::validation(
                child.decl.name,
                format!(
                    "<{}> cannot hold a <{}> (it holds {allowed})",
                    self.decl.name, child.decl.name
                ),
            ));
        }
        self.children.push(child);
        Ok(self)
    }

    /// [`Node::push`], consuming and returning the element.
    pub fn with_child(mut self, child: Node) -> Result<Self> {
        self.push(child)?;
        Ok(self)
    }

    pub(crate) fn put_child(mut self, child: Node) -> Self {
        self.children.push(child);
        self
    }

    /// Replaces every child called `name` by `child`.
    pub(crate) fn replace_child(mut self, child: Node) -> Self {
        self.children.retain(|c| c.decl.name != child.decl.name);
        self.children.push(child);
        self
    }

    /// The children, in the order they were added.
    pub fn children(&self) -> &[Node] {
        &self.children
    }

    /// Checks the element and everything inside it, as the action of a document (errors name
    /// `get.max_keys`, `dial.connect.play.repeat`, `playlist.play[3]`).
    pub fn validate(&self) -> Result<()> {
        self.check(self.decl.name, None, Casing::Snake)
    }

    /// [`Node::validate`] with errors naming attributes in `casing`.
    pub fn validate_cased(&self, casing: Casing) -> Result<()> {
        self.check(self.decl.name, None, casing)
    }

    /// The element as XML, once it passes [`Node::validate`].
    pub fn to_xml(&self) -> Result<String> {
        self.validate()?;
        let mut out = String::new();
        self.write(&mut out);
        Ok(out)
    }

    /// `path` is where this element stands; `inside` is the child declaration and the parent's
    /// name when it stands inside another element.
    pub(crate) fn check(
        &self,
        path: &str,
        inside: Option<(&Child, &str)>,
        casing: Casing,
    ) -> Result<()> {
        let el = self.decl.name;
        if let Some(content) = &self.decl.content {
            let shown = format!("<{el}> {}", content.name);
            match &self.text {
                None => {
                    return Err(Error::validation(
                        path,
                        format!("{shown} is missing; {REFUSED}"),
                    ))
                }
                Some(text) => check_text(content.ty, text, &shown, None, true)
                    .map_err(|m| Error::validation(path, m))?,
            }
        }
        for (attr, value) in self.decl.attrs.iter().zip(&self.attrs) {
            let field = format!("{path}.{}", casing.name(attr.name));
            let shown = format!("<{el} {}>", attr.name);
            let Some(value) = value else {
                if attr.required {
                    let why = attr.why.unwrap_or(REFUSED);
                    return Err(Error::validation(
                        field,
                        format!("{shown} is required; {why}"),
                    ));
                }
                continue;
            };
            if let Some((child, parent)) = inside {
                if child.keeps.is_some_and(|keeps| !keeps.contains(&attr.name)) {
                    return Err(Error::validation(
                        field,
                        format!(
                            "{shown} is ignored by the platform on a <{el}> inside <{parent}>: leave it out"
                        ),
                    ));
                }
            }
            check_value(attr, value, &shown).map_err(|m| Error::validation(field, m))?;
        }
        self.check_children(path)?;
        for (child, child_path) in self.children.iter().zip(self.child_paths(path)) {
            let Some(decl) = self.decl.children.find(child.decl.name) else {
                return Err(Error::validation(
                    child_path,
                    format!("<{el}> cannot hold a <{}>", child.decl.name),
                ));
            };
            child.check(&child_path, Some((decl, el)), casing)?;
        }
        Ok(())
    }

    /// The path of each child: `parent.name`, with `[i]` when the parent holds more than one
    /// child of that name.
    fn child_paths(&self, path: &str) -> Vec<String> {
        let mut seen: Vec<(&str, usize)> = Vec::new();
        self.children
            .iter()
            .map(|c| {
                let name = c.decl.name;
                let total = self.count(name);
                let index = match seen.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, i)) => {
                        *i += 1;
                        *i
                    }
                    None => {
                        seen.push((name, 0));
                        0
                    }
                };
                if total > 1 {
                    format!("{path}.{name}[{index}]")
                } else {
                    format!("{path}.{name}")
                }
            })
            .collect()
    }

    fn count(&self, name: &str) -> usize {
        self.children.iter().filter(|c| c.decl.name == name).count()
    }

    fn check_children(&self, path: &str) -> Result<()> {
        let el = self.decl.name;
        let paths = self.child_paths(path);
        match self.decl.children {
            Children::None => Ok(()),
            Children::Each(list) => {
                for c in list {
                    let count = self.count(c.name);
                    if count < c.min && !c.implicit {
                        let needs = if c.min == 1 {
                            format!("<{el}> needs a <{}>", c.name)
                        } else {
                            format!("<{el}> needs at least {} <{}>", c.min, c.name)
                        };
                        return Err(Error::validation(
                            format!("{path}.{}", c.name),
                            format!("{needs}; {REFUSED}"),
                        ));
                    }
                    if count > c.max {
                        let excess = self
                            .children
                            .iter()
                            .zip(&paths)
                            .filter(|(n, _)| n.decl.name == c.name)
                            .nth(c.max)
                            .map(|(_, p)| p.clone())
                            .unwrap_or_default();
                        let takes = if c.max == 1 {
                            format!("<{el}> takes one <{}>", c.name)
                        } else {
                            format!("<{el}> takes at most {} <{}>", c.max, c.name)
                        };
                        return Err(Error::validation(
                            excess,
                            format!("{takes}; {}", c.why.unwrap_or(REFUSED)),
                        ));
                    }
                }
                Ok(())
            }
            Children::OneOf(list) => {
                let names: Vec<String> = list.iter().map(|c| format!("<{}>", c.name)).collect();
                let names = names.join(" or ");
                match self.children.len() {
                    1 => Ok(()),
                    0 => Err(Error::validation(
                        format!("{path}.{}", list[0].name),
                        format!("<{el}> needs one {names}; {REFUSED}"),
                    )),
                    _ => Err(Error::validation(
                        paths[1].clone(),
                        format!("<{el}> takes only one {names}; {REFUSED}"),
                    )),
                }
            }
        }
    }

    /// The children in the order they are written, with the implicit ones.
    fn written_children(&self) -> Vec<std::borrow::Cow<'_, Node>> {
        use std::borrow::Cow;
        match self.decl.children {
            Children::None => Vec::new(),
            Children::OneOf(_) => self.children.iter().map(Cow::Borrowed).collect(),
            Children::Each(list) => {
                let mut out = Vec::with_capacity(self.children.len() + 1);
                for c in list {
                    let before = out.len();
                    out.extend(
                        self.children
                            .iter()
                            .filter(|n| n.decl.name == c.name)
                            .map(Cow::Borrowed),
                    );
                    if out.len() == before && c.implicit {
                        if let Some(decl) = element(c.name) {
                            out.push(Cow::Owned(Node::of(decl)));
                        }
                    }
                }
                out
            }
        }
    }

    /// Writes the element (already checked) as XML.
    pub(crate) fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(self.decl.name);
        for (attr, value) in self.attrs() {
            out.push(' ');
            out.push_str(attr.name);
            out.push_str("=\"");
            escape_attr(out, &value_text(value));
            out.push('"');
        }
        let children = self.written_children();
        if self.text.is_none() && children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        if let Some(text) = &self.text {
            escape_content(out, text);
        }
        for child in children {
            child.write(out);
        }
        out.push_str("</");
        out.push_str(self.decl.name);
        out.push('>');
    }

    /// An element from its neutral JSON description: `{"name": "get", "attrs": {...},
    /// "text": "...", "children": [...]}` (`attrs`, `text` and `children` optional; attribute
    /// names in `casing`). This is the form of the `response` of `tests/vectors/ivr.json`.
    pub fn from_value(value: &Value, casing: Casing) -> Result<Node> {
        Node::from_value_at(value, "", casing)
    }

    pub(crate) fn from_value_at(value: &Value, at: &str, casing: Casing) -> Result<Node> {
        let Value::Object(map) = value else {
            return Err(Error::validation(
                or_root(at, "element"),
                format!(
                    "an element is described by a JSON object, not {}",
                    json_kind(value)
                ),
            ));
        };
        let name = match map.get("name") {
            Some(Value::String(s)) => s.as_str(),
            _ => {
                return Err(Error::validation(
                    join(at, "name"),
                    "an element needs its \"name\" as a string",
                ))
            }
        };
        let mut node =
            Node::new(name).map_err(|e| Error::validation(join(at, "name"), e.detail()))?;
        let here = join(at, name);
        if let Some(other) = sorted_keys(map)
            .into_iter()
            .find(|k| !["name", "attrs", "text", "children"].contains(&k.as_str()))
        {
            return Err(Error::validation(
                join(&here, &escape_text(other)),
                "is not a key of an element description (name, attrs, text, children)",
            ));
        }
        match map.get("attrs") {
            None | Some(Value::Null) => {}
            Some(Value::Object(attrs)) => {
                for k in sorted_keys(attrs) {
                    node.set_cased(k, attrs[k].clone(), casing)
                        .map_err(|e| Error::validation(join(&here, &escape_text(k)), e.detail()))?;
                }
            }
            Some(v) => {
                return Err(Error::validation(
                    join(&here, "attrs"),
                    format!("is {}, not an object", json_kind(v)),
                ))
            }
        }
        match map.get("text") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                node.set_text(s.clone())
                    .map_err(|e| Error::validation(here.clone(), e.detail()))?;
            }
            Some(other) => {
                return Err(Error::validation(
                    here.clone(),
                    format!("the text of <{name}> is {}, not a string", json_kind(other)),
                ))
            }
        }
        match map.get("children") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let child = Node::from_value_at(item, &here, casing)?;
                    let child_name = child.decl.name;
                    node.push(child)
                        .map_err(|e| Error::validation(join(&here, child_name), e.detail()))?;
                }
            }
            Some(v) => {
                return Err(Error::validation(
                    join(&here, "children"),
                    format!("is {}, not a list", json_kind(v)),
                ))
            }
        }
        Ok(node)
    }

    /// The element's neutral JSON description (see [`Node::from_value`]), attribute names in
    /// snake_case.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), self.decl.name.into());
        let attrs: Map<String, Value> = self
            .attrs()
            .map(|(a, v)| (a.name.to_owned(), v.clone()))
            .collect();
        if !attrs.is_empty() {
            m.insert("attrs".into(), Value::Object(attrs));
        }
        if let Some(text) = &self.text {
            m.insert("text".into(), text.clone().into());
        }
        if !self.children.is_empty() {
            m.insert(
                "children".into(),
                self.children.iter().map(Node::to_value).collect(),
            );
        }
        Value::Object(m)
    }
}

/// The keys of `map` in code-point order, whatever order the map keeps.
pub(crate) fn sorted_keys(map: &Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    keys
}

fn join(at: &str, name: &str) -> String {
    if at.is_empty() {
        name.to_owned()
    } else {
        format!("{at}.{name}")
    }
}

fn or_root(at: &str, root: &str) -> String {
    if at.is_empty() {
        root.to_owned()
    } else {
        at.to_owned()
    }
}

pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn a_json_type(ty: ValueType) -> &'static str {
    match ty.json_type() {
        "integer" => "an integer",
        "boolean" => "a boolean (true or false)",
        _ => "a string",
    }
}

/// The value in its stored form, or what was given instead (for the error).
fn convert(ty: ValueType, value: Value) -> std::result::Result<Option<Value>, &'static str> {
    if value.is_null() {
        return Ok(None);
    }
    let ok = match ty {
        ValueType::Int { .. } => {
            if let Some(i) = value.as_i64() {
                return Ok(Some(Value::from(i)));
            }
            match value.as_f64() {
                Some(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    return Ok(Some(Value::from(f as i64)))
                }
                _ => false,
            }
        }
        ValueType::Bool => value.is_boolean(),
        _ => value.is_string(),
    };
    if ok {
        Ok(Some(value))
    } else {
        Err(json_kind(&value))
    }
}

/// The text an attribute's value is written as.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn check_value(attr: &Attr, value: &Value, shown: &str) -> std::result::Result<(), String> {
    let why = attr.why.unwrap_or(REFUSED);
    match (attr.ty, value) {
        (ValueType::Int { min, max }, v) => {
            let n = v.as_i64().unwrap_or(i64::MIN);
            if n < min || n > max {
                return Err(format!(
                    "{shown} is {n}; it must be {}; {why}",
                    range(min, max)
                ));
            }
            Ok(())
        }
        (ValueType::Bool, _) => Ok(()),
        (ty, Value::String(s)) => check_text(ty, s, shown, attr.why, false),
        _ => Ok(()),
    }
}

fn range(min: i64, max: i64) -> String {
    if max == i32::MAX as i64 {
        format!("at least {min}")
    } else {
        format!("between {min} and {max}")
    }
}

/// The characters XML 1.0 cannot carry (in any form).
pub(crate) fn xml_illegal(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// White space as the schema's patterns (`\s`) and Java's `trim` of short texts see it.
fn xsd_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", escape_text(s))
}

/// Checks a string value or text; `content` is true for an element's text (required).
fn check_text(
    ty: ValueType,
    s: &str,
    shown: &str,
    why: Option<&str>,
    content: bool,
) -> std::result::Result<(), String> {
    let why = why.unwrap_or(REFUSED);
    if let Some(c) = s.chars().find(|&c| xml_illegal(c)) {
        return Err(format!(
            "{shown} contains U+{:04X}, which no XML document can carry; the platform cannot parse it (ivr.format_error) and hangs up",
            c as u32
        ));
    }
    if s.chars().all(|c| c <= ' ') {
        let what = if s.is_empty() { "empty" } else { "blank" };
        return Err(if content {
            format!("{shown} is {what}; it is required")
        } else {
            format!("{shown} is {what}: leave the attribute out instead")
        });
    }
    match ty {
        ValueType::Keys => {
            if !s.chars().all(|c| "0123456789*#ABCD".contains(c)) {
                return Err(format!(
                    "{shown} is {}; it must be one or more of the keys 0-9 * # A B C D; {why}",
                    quoted(s)
                ));
            }
        }
        ValueType::File => {
            let bad = s.chars().any(xsd_space)
                || !s.ends_with(".wav")
                || s.chars().count() < ".wav".len() + 1;
            if bad {
                return Err(format!(
                    "{shown} is {}; it must name a voice file ending in .wav (lower case), with no white space; {why}",
                    quoted(s)
                ));
            }
        }
        ValueType::Text { min, max } => {
            let n = s.chars().count();
            if n < min || n > max {
                let takes = if min == max {
                    format!("exactly {min}")
                } else if max == usize::MAX {
                    format!("at least {min}")
                } else {
                    format!("{min} to {max}")
                };
                return Err(format!(
                    "{shown} has {n} characters; it takes {takes}; {why}"
                ));
            }
        }
        ValueType::OneOf { values, prefixes } => {
            let ok = values.contains(&s)
                || prefixes
                    .iter()
                    .any(|p| s.len() > p.len() && s.starts_with(p));
            if !ok {
                let mut allowed: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                allowed.extend(prefixes.iter().map(|p| format!("{p}...")));
                return Err(format!(
                    "{shown} is {}; it must be one of {}; {why}",
                    quoted(s),
                    allowed.join(", ")
                ));
            }
        }
        ValueType::Url => {
            check_next_url(s).map_err(|m| format!("{shown} {m}"))?;
        }
        ValueType::Int { .. } | ValueType::Bool => {}
    }
    Ok(())
}

/// Escapes element text: `&`, `<`, `>`, and CR (which a parser would turn into LF).
fn escape_content(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// Escapes an attribute value in double quotes: also `"`, and tab, LF and CR (which a parser
/// would turn into spaces).
fn escape_attr(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

pub(crate) fn escape_content_to(out: &mut String, s: &str) {
    escape_content(out, s)
}
