//! PHP: `Yunhuni\Ivr\Response` (`php/src/Ivr/Response.php`) from core's IVR declarations
//! (`yunhuni::ivr::ELEMENTS`): `Response` with a method per action, and one class per element
//! that holds others (`Get`, `Dial`, ...) with a method per child. A method takes the element's
//! text and required attributes as arguments and its other attributes in `array $options` by
//! their snake_case names (null: not written); it only records the element. `toXml()` hands the
//! document's description to core (through the extension or FFI), which checks everything and
//! writes the XML.

use crate::ivr::{attr_line, element, holders, kept_attrs, limits};
use crate::names::{camel, pascal, quoted, GENERATED};
use crate::Output;
use std::fmt::Write;
use yunhuni::ivr::{Attr, Child, Element, ValueType, ELEMENTS};

pub fn outputs() -> Vec<Output> {
    vec![Output {
        path: "php/src/Ivr/Response.php",
        text: module(),
    }]
}

fn php_type(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Int { .. } => "int",
        ValueType::Bool => "bool",
        _ => "string",
    }
}

/// A PHP variable name for an attribute or text (`from` stays `from`; snake → camel).
fn var(name: &str) -> String {
    camel(name)
}

/// A method adding `el` with the attributes `attrs`, on the class `current`; `action` when it
/// is added to the document, else to the element being written.
fn method(
    out: &mut String,
    el: &Element,
    attrs: &[&Attr],
    current: &str,
    summary: &str,
    action: bool,
) {
    let mut params = Vec::new();
    let mut doc = Vec::new();
    if let Some(c) = el.content {
        params.push(format!("string ${}", var(c.name)));
        doc.push(format!(
            "@param string ${} {} ({})",
            var(c.name),
            c.doc,
            limits(c.ty)
        ));
    }
    let required: Vec<&&Attr> = attrs.iter().filter(|a| a.required).collect();
    let optional: Vec<&&Attr> = attrs.iter().filter(|a| !a.required).collect();
    for a in &required {
        params.push(format!("{} ${}", php_type(a.ty), var(a.name)));
        doc.push(format!(
            "@param {} ${} {}",
            php_type(a.ty),
            var(a.name),
            attr_line(a.name, a)
        ));
    }
    if !optional.is_empty() {
        params.push("array $options = []".into());
        let shape: Vec<String> = optional
            .iter()
            .map(|a| format!("{}?: {}|null", a.name, php_type(a.ty)))
            .collect();
        doc.push(format!("@param array{{{}}} $options", shape.join(", ")));
        for a in &optional {
            doc.push(format!("    - {}", attr_line(a.name, a)));
        }
    }
    let holds = !el.children.list().is_empty();
    let ret = if holds {
        pascal(el.name)
    } else {
        current.to_owned()
    };
    let _ = writeln!(out, "    /**");
    for line in summary.lines() {
        let _ = writeln!(out, "{}", format!("     * {line}").trim_end());
    }
    if !doc.is_empty() {
        let _ = writeln!(out, "     *");
        for l in &doc {
            let _ = writeln!(out, "     * {l}");
        }
    }
    let _ = writeln!(out, "     */");
    let ret_decl = if holds { ret.clone() } else { "static".into() };
    let _ = writeln!(
        out,
        "    public function {}({}): {ret_decl}\n    {{",
        camel(el.name),
        params.join(", ")
    );
    let text = el
        .content
        .map_or("null".to_owned(), |c| format!("${}", var(c.name)));
    let mut attr_pairs: Vec<String> = required
        .iter()
        .map(|a| format!("{} => ${}", quoted(a.name), var(a.name)))
        .collect();
    let opts = if optional.is_empty() {
        "[]"
    } else {
        "$options"
    };
    let fixed = format!("[{}]", attr_pairs.join(", "));
    attr_pairs.clear();
    let _ = writeln!(
        out,
        "        $element = new Element({}, {text}, {fixed}, {opts});",
        quoted(el.name)
    );
    if action {
        let _ = writeln!(out, "        $this->document()->actions[] = $element;");
    } else {
        let _ = writeln!(out, "        $this->element->children[] = $element;");
    }
    if holds {
        let _ = writeln!(
            out,
            "        return new {ret}($this->document(), $element);\n    }}\n"
        );
    } else {
        let _ = writeln!(out, "        return $this;\n    }}\n");
    }
}

fn action_summary(el: &Element) -> String {
    let mut s = format!("`<{}>`: {}", el.name, el.doc);
    if el.name != "hangup" {
        s.push_str(
            "\n\nThe document holds one action: follow it with next($url), or with endCall() to end the\ncall once it completes.",
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

const HEAD: &str = r#"
declare(strict_types=1);

namespace Yunhuni\Ivr;

use Yunhuni\Exception;
use Yunhuni\Native;

/**
 * Where an IVR document is being written: the last element added, with the document's own
 * methods (next(), endCall(), toXml()) at hand.
 */
abstract class Step
{
    /** @var list<Element> the document's actions (on the Response) */
    protected array $actions = [];
    protected ?string $nextUrl = null;
    protected bool $endCall = false;

    /**
     * @param Response|null $document the document being written (null on the Response itself,
     *                                so that it holds no reference to itself)
     */
    protected function __construct(
        private ?Response $document,
        protected ?Element $element,
    ) {
    }

    /** The document being written. */
    protected function document(): Response
    {
        return $this->document ?? $this;
    }

    /**
     * `<next>`: the absolute http:// or https:// URL the platform requests (GET) once the action
     * completes, with call_id, type and the action's results added to its query (read them with
     * Yunhuni\parse_ivr_next()).
     */
    public function next(string $url): Response
    {
        $doc = $this->document();
        $doc->nextUrl = $url;
        return $doc;
    }

    /** Ends the call once the action completes: the document has no `<next>`, and the platform hangs up then. */
    public function endCall(): Response
    {
        $doc = $this->document();
        $doc->endCall = true;
        return $doc;
    }

    /** True when the call ends after the document's action (it has no `<next>`). */
    public function endsCall(): bool
    {
        return $this->document()->nextUrl === null;
    }

    /**
     * Throws Yunhuni\Exception (kind validation) naming the element and attribute (`get.max_keys`)
     * for anything the platform would refuse or misread.
     */
    public function validate(): void
    {
        $this->toXml();
    }

    /** The document as the platform reads it (send it as UTF-8), once it passes validate(). */
    public function toXml(): string
    {
        try {
            $json = json_encode($this->toArray(), JSON_THROW_ON_ERROR | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES);
        } catch (\JsonException $e) {
            throw new Exception('validation', 'response: cannot be written: ' . $e->getMessage(), null, 0, 'response', 1);
        }
        return Native::ivrXml($json);
    }

    /**
     * The document's neutral description, as in every language of the SDK:
     * `['actions' => [...], 'next' => ..., 'end_call' => ...]`.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        $doc = $this->document();
        $out = ['actions' => array_map(fn (Element $e) => $e->toArray(), $doc->actions)];
        if ($doc->nextUrl !== null) {
            $out['next'] = $doc->nextUrl;
        }
        if ($doc->endCall) {
            $out['end_call'] = true;
        }
        return $out;
    }

    public function __toString(): string
    {
        return $this->toXml();
    }
}

/**
 * One element of a document: its name, text, attributes (snake_case names; null ones are not
 * written) and the elements it holds.
 *
 * @internal
 */
final class Element
{
    /** @var array<string, mixed> */
    public array $attrs;
    /** @var list<Element> */
    public array $children = [];

    /**
     * @param array<string, mixed> $fixed the required attributes
     * @param array<string, mixed> $options the others, by name
     */
    public function __construct(public readonly string $name, public readonly ?string $text, array $fixed, array $options)
    {
        $this->attrs = array_filter($fixed + $options, fn ($v) => $v !== null);
    }

    /** @return array<string, mixed> */
    public function toArray(): array
    {
        $out = ['name' => $this->name];
        if ($this->attrs !== []) {
            $out['attrs'] = $this->attrs;
        }
        if ($this->text !== null) {
            $out['text'] = $this->text;
        }
        if ($this->children !== []) {
            $out['children'] = array_map(fn (Element $e) => $e->toArray(), $this->children);
        }
        return $out;
    }
}
"#;

fn module() -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<?php\n\n// {GENERATED}");
    out.push_str(HEAD);
    for el in holders() {
        let class = pascal(el.name);
        let _ = writeln!(
            out,
            "\n/** A `<{}>` being written: add what it holds, then go on with the document. */\nfinal class {class} extends Step\n{{\n    /** @internal */\n    public function __construct(Response $document, Element $element)\n    {{\n        parent::__construct($document, $element);\n    }}\n",
            el.name
        );
        for child in el.children.list() {
            let c = element(child.name);
            let attrs = kept_attrs(child);
            method(
                &mut out,
                c,
                &attrs,
                &class,
                &child_summary(el, child),
                false,
            );
        }
        trim_blank(&mut out);
        out.push_str("}\n");
    }
    out.push_str(
        "\n/**\n * An IVR document: one action, then next($url) or endCall(); toXml() gives what to answer\n \
         * the platform with.\n *\n \
         *     $xml = (new Yunhuni\\Ivr\\Response())\n \
         *         ->get(['max_keys' => 1, 'finish_keys' => '#'])->play('menu.wav')\n \
         *         ->next('https://app.example.com/ivr/menu')\n \
         *         ->toXml();\n *\n \
         * An action without `<next>` ends the call once it completes, so a document needs either\n \
         * next($url) or endCall() (only hangup() needs neither). toXml() throws Yunhuni\\Exception\n \
         * (kind validation) naming the element and attribute (`get.max_keys`) for anything the\n \
         * platform would refuse or misread. Every element and attribute comes from core's\n \
         * declarations of the platform's schema; the checks are core's.\n */\n\
         final class Response extends Step\n{\n    public function __construct()\n    {\n        \
         parent::__construct(null, null);\n    }\n\n",
    );
    for el in ELEMENTS.iter().filter(|e| e.action) {
        let attrs: Vec<&Attr> = el.attrs.iter().collect();
        method(&mut out, el, &attrs, "Response", &action_summary(el), true);
    }
    trim_blank(&mut out);
    out.push_str("}\n");
    out
}

/// Drops the blank line left after a class's last method.
fn trim_blank(out: &mut String) {
    while out.ends_with("\n\n") {
        out.pop();
    }
}
