//! What the IVR builders of every language share: the words of their docs, from core's
//! declarations of the platform's IVR documents (`yunhuni::ivr::ELEMENTS`).

use yunhuni::ivr::{Attr, Child, Element, ValueType, ELEMENTS};

/// The element called `name`.
pub fn element(name: &str) -> &'static Element {
    ELEMENTS
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no IVR element {name}"))
}

/// The attributes of `child` that its parent's declaration keeps in that place.
pub fn kept_attrs(child: &Child) -> Vec<&'static Attr> {
    let decl = element(child.name);
    decl.attrs
        .iter()
        .filter(|a| child.keeps.is_none_or(|keeps| keeps.contains(&a.name)))
        .collect()
}

/// The limits of a type, in words: `1 to 10`, `at least 1`, `keys 0-9 * # A B C D`.
pub fn limits(ty: ValueType) -> String {
    match ty {
        ValueType::Int { min, max } if max == i32::MAX as i64 => {
            format!("an integer, at least {min}")
        }
        ValueType::Int { min, max } => format!("an integer, {min} to {max}"),
        ValueType::Bool => "a boolean".into(),
        ValueType::Keys => "keys, one or more of 0-9 * # A B C D".into(),
        ValueType::File => "a voice file name ending in .wav".into(),
        ValueType::Text { min, max } if min == max => format!("text of {min} characters"),
        ValueType::Text { min, max } if max == usize::MAX => {
            format!(
                "text of at least {min} character{}",
                if min == 1 { "" } else { "s" }
            )
        }
        ValueType::Text { min, max } => format!("text of {min} to {max} characters"),
        ValueType::OneOf { values, prefixes } => {
            let mut all: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            all.extend(prefixes.iter().map(|p| format!("`{p}...`")));
            format!("one of {}", all.join(", "))
        }
        ValueType::Url => "an absolute http:// or https:// URL".into(),
    }
}

/// One line of docs for an attribute: `name`: doc (limits; default).
pub fn attr_line(name: &str, a: &Attr) -> String {
    let mut line = format!("{name}: {} ({}", a.doc, limits(a.ty));
    if let Some(d) = a.default {
        line.push_str("; default ");
        line.push_str(d);
    }
    if a.required {
        line.push_str("; required");
    }
    line.push(')');
    line
}

/// The elements that hold others, in declaration order: each gets a builder class.
pub fn holders() -> impl Iterator<Item = &'static Element> {
    ELEMENTS.iter().filter(|e| !e.children.list().is_empty())
}
