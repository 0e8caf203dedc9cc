//! Java: the typed requests (`Requests.java`), the client's typed methods
//! (`ClientOperations.java`), the typed events (`Events.java`) and the IVR elements
//! (`ivr/Ivr.java`), from core's declarations. Each method converts nothing itself: it hands a
//! request, a body or a document description to the native library (core) and casts what
//! comes back.

use crate::names::{camel, pascal, GENERATED};
use crate::Output;
use std::fmt::Write;
use yunhuni::event_decls::{EventDecl, KeyType, EVENTS};
use yunhuni::ivr::{Children, Element, IvrRequest, ValueType, ELEMENTS, IVR_NEXT, IVR_START};
use yunhuni::ops::{Data, Field, Operation, Type, OPERATIONS};

pub fn outputs() -> Vec<Output> {
    vec![
        Output {
            path: "java/src/main/java/com/yunhuni/Requests.java",
            text: requests(),
        },
        Output {
            path: "java/src/main/java/com/yunhuni/ClientOperations.java",
            text: operations(),
        },
        Output {
            path: "java/src/main/java/com/yunhuni/Events.java",
            text: events(),
        },
        Output {
            path: "java/src/main/java/com/yunhuni/ivr/Ivr.java",
            text: ivr(),
        },
    ]
}

const KEYWORDS: &[&str] = &[
    "abstract",
    "assert",
    "boolean",
    "break",
    "byte",
    "case",
    "catch",
    "char",
    "class",
    "const",
    "continue",
    "default",
    "do",
    "double",
    "else",
    "enum",
    "extends",
    "final",
    "finally",
    "float",
    "for",
    "goto",
    "if",
    "implements",
    "import",
    "instanceof",
    "int",
    "interface",
    "long",
    "native",
    "new",
    "package",
    "private",
    "protected",
    "public",
    "return",
    "short",
    "static",
    "strictfp",
    "super",
    "switch",
    "synchronized",
    "this",
    "throw",
    "throws",
    "transient",
    "try",
    "void",
    "volatile",
    "while",
    "true",
    "false",
    "null",
    "var",
];

/// A Java identifier for a declared name: its camelCase, with `Value` added when it is a
/// keyword or a method the base class already has.
fn ident(snake: &str, taken: &[&str]) -> String {
    let name = camel(snake);
    if KEYWORDS.contains(&name.as_str()) || taken.contains(&name.as_str()) {
        format!("{name}Value")
    } else {
        name
    }
}

/// A Java string literal.
fn lit(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a Javadoc comment.
fn doc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace("*/", "*&#47;")
        .replace('@', "&#64;")
        .replace('\n', " ")
}

fn header(package: &str) -> String {
    format!("// {GENERATED}\n\npackage {package};\n\n")
}

/// The Java type of a request field's value.
fn field_type(ty: Type) -> &'static str {
    match ty {
        Type::Str => "String",
        Type::Int => "int",
        Type::Bool => "boolean",
        Type::StrList => "List<String>",
        Type::PlayRows => "List<?>",
        Type::Objects(_) => "List<? extends Map<String, ?>>",
    }
}

fn type_doc(f: &Field) -> String {
    match f.ty {
        Type::PlayRows => " Rows {@code [content, playType]} or {@code [content, playType, options]} (Lists or arrays).".to_owned(),
        Type::Objects(r) => format!(
            " Maps with the keys of {} ({}), in camelCase.",
            r.name,
            r.fields
                .iter()
                .map(|k| camel(k.name))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => String::new(),
    }
}

fn requests() -> String {
    let mut out = header("com.yunhuni");
    out.push_str("import java.util.Arrays;\nimport java.util.List;\nimport java.util.Map;\n\n");
    out.push_str(
        "/**\n * The typed request of each of the platform's operations, generated from core's declarations:\n * the required fields in the constructor, the others set by methods of the same (camelCase)\n * names. Core checks every value when the request is sent.\n */\npublic final class Requests {\n    private Requests() {}\n",
    );
    for op in OPERATIONS {
        request_class(&mut out, op);
    }
    out.push_str("}\n");
    out
}

fn request_class(out: &mut String, op: &Operation) {
    let class = pascal(op.name);
    let taken = ["operation", "fields", "set", "put", "toString"];
    let _ = writeln!(
        out,
        "\n    /** {{@code {}}} ({} {}): {} */",
        op.name,
        op.method.as_str(),
        doc(op.path),
        doc(op.doc)
    );
    let _ = writeln!(
        out,
        "    public static final class {class} extends Request {{"
    );
    let required: Vec<&Field> = op.fields.iter().filter(|f| f.required).collect();
    let params: Vec<String> = required
        .iter()
        .map(|f| format!("{} {}", field_type(f.ty), ident(f.name, &taken)))
        .collect();
    let _ = writeln!(out, "        /** A request with its required fields. */");
    let _ = writeln!(out, "        public {class}({}) {{", params.join(", "));
    let _ = writeln!(out, "            super({});", lit(op.name));
    for f in &required {
        let _ = writeln!(
            out,
            "            put({}, {});",
            lit(&camel(f.name)),
            ident(f.name, &taken)
        );
    }
    let _ = writeln!(out, "        }}");
    for f in op.fields {
        let name = ident(f.name, &taken);
        let _ = writeln!(out, "\n        /** {}{} */", doc(f.doc), type_doc(f));
        let _ = writeln!(
            out,
            "        public {class} {name}({} value) {{",
            field_type(f.ty)
        );
        let _ = writeln!(out, "            put({}, value);", lit(&camel(f.name)));
        let _ = writeln!(out, "            return this;\n        }}");
        if f.ty == Type::StrList {
            let _ = writeln!(out, "\n        /** {} */", doc(f.doc));
            let _ = writeln!(out, "        public {class} {name}(String... values) {{");
            let _ = writeln!(
                out,
                "            put({}, values == null ? null : Arrays.asList(values));",
                lit(&camel(f.name))
            );
            let _ = writeln!(out, "            return this;\n        }}");
        }
    }
    let _ = writeln!(out, "\n        @Override");
    let _ = writeln!(
        out,
        "        public {class} set(String field, Object value) {{"
    );
    let _ = writeln!(
        out,
        "            put(field, value);\n            return this;\n        }}"
    );
    let _ = writeln!(out, "    }}");
}

/// The return type of an operation's method, and how the answer becomes it.
fn answer(data: Data) -> (&'static str, &'static str, &'static str) {
    // (sync type, async type argument, converter applied to the native answer)
    match data {
        Data::Null => ("void", "Void", "ClientOperations::none"),
        Data::Call => ("CallCreated", "CallCreated", "CallCreated::fromNative"),
        Data::Bool => ("Boolean", "Boolean", "ClientOperations::<Boolean>cast"),
        Data::Str => ("String", "String", "ClientOperations::<String>cast"),
        Data::Object(_) | Data::ObjectOrNull(_) | Data::Page(_) => (
            "Map<String, Object>",
            "Map<String, Object>",
            "ClientOperations::<Map<String, Object>>cast",
        ),
        Data::List(_) | Data::ListOrNull(_) => (
            "List<Map<String, Object>>",
            "List<Map<String, Object>>",
            "ClientOperations::<List<Map<String, Object>>>cast",
        ),
        Data::Unknown => ("Object", "Object", "ClientOperations::<Object>cast"),
    }
}

fn data_doc(data: Data) -> &'static str {
    match data {
        Data::Null => "",
        Data::Call => " Returns the call the platform placed.",
        Data::Bool | Data::Str => " Returns the answer's data.",
        Data::Object(_) => " Returns the answer's data (keys as the platform sends them).",
        Data::ObjectOrNull(_) => {
            " Returns the answer's data (keys as the platform sends them), or null."
        }
        Data::Page(_) => " Returns the page (pageSize, startIndex, totalCount, totalPageCount, currentPageNo, result).",
        Data::List(_) => " Returns the answer's list.",
        Data::ListOrNull(_) => " Returns the answer's list, or null.",
        Data::Unknown => " Returns the answer's data as it came.",
    }
}

fn operations() -> String {
    let mut out = header("com.yunhuni");
    out.push_str(
        "import java.util.List;\nimport java.util.Map;\nimport java.util.concurrent.CompletableFuture;\n\n",
    );
    out.push_str(
        "/**\n * The typed methods of {@link Client}, one per operation and its {@code ...Async} variant,\n * generated from core's declarations. Each sends its request through the client.\n */\npublic abstract class ClientOperations {\n    ClientOperations() {}\n\n    /** Sends a request and returns the answer as the native library gives it. */\n    protected abstract Object send(Request request);\n\n    /** {@link #send} on the client's executor. */\n    protected abstract CompletableFuture<Object> sendAsync(Request request);\n\n    @SuppressWarnings(\"unchecked\")\n    static <T> T cast(Object value) {\n        return (T) value;\n    }\n\n    static Void none(Object value) {\n        return null;\n    }\n",
    );
    for op in OPERATIONS {
        let class = pascal(op.name);
        let method = camel(op.name);
        let (sync, asynch, convert) = answer(op.data);
        let _ = writeln!(
            out,
            "\n    /** {{@code {}}}: {}{} */",
            op.name,
            doc(op.doc),
            data_doc(op.data)
        );
        let _ = writeln!(
            out,
            "    public {sync} {method}(Requests.{class} request) {{"
        );
        if sync == "void" {
            let _ = writeln!(out, "        send(request);");
        } else {
            let sync_convert = if convert.contains("::<") {
                "cast"
            } else {
                "CallCreated.fromNative"
            };
            let _ = writeln!(out, "        return {sync_convert}(send(request));");
        }
        out.push_str("    }\n");
        let _ = writeln!(
            out,
            "\n    /** {{@code {}}} on the client's executor. */",
            op.name
        );
        let _ = writeln!(
            out,
            "    public CompletableFuture<{asynch}> {method}Async(Requests.{class} request) {{"
        );
        let _ = writeln!(
            out,
            "        return sendAsync(request).thenApply({convert});"
        );
        out.push_str("    }\n");
    }
    out.push_str("}\n");
    out
}

/// `duo_callback.end` → `DuoCallbackEnd`.
fn event_class(name: &str) -> String {
    pascal(&name.replace('.', "_"))
}

fn events() -> String {
    let mut out = header("com.yunhuni");
    out.push_str("import com.yunhuni.internal.Native;\nimport java.nio.charset.StandardCharsets;\nimport java.util.Map;\n\n");
    out.push_str(
        "/**\n * The platform's webhook events, parsed by core: {@link #parse} returns the typed event of each\n * event declared with a type, generated from core's declarations, and an {@link OtherEvent}\n * for any other (its fields kept whole). A body that is not an event is a {@code decode}\n * {@link YunhuniException}.\n */\npublic final class Events {\n    private Events() {}\n\n    /** Parses a webhook body as it arrived (UTF-8, or ISO-8859-1 as the real server sends it). */\n    public static Event parse(byte[] body) {\n        return of(Native.parseEvent(body));\n    }\n\n    /** Parses a webhook body given as text (its UTF-8 bytes). */\n    public static Event parse(String body) {\n        if (body == null) {\n            throw YunhuniException.validation(\"body\", \"is required (a byte array or a string)\");\n        }\n        return parse(body.getBytes(StandardCharsets.UTF_8));\n    }\n\n    @SuppressWarnings(\"unchecked\")\n    static Event of(Object view) {\n        Map<String, Object> m = (Map<String, Object>) view;\n        String type = (String) m.get(\"type\");\n        switch (type == null ? \"\" : type) {\n",
    );
    let typed: Vec<(&EventDecl, &str)> = EVENTS
        .iter()
        .filter_map(|e| e.rust_type.map(|t| (e, t)))
        .collect();
    for (decl, _) in &typed {
        let _ = writeln!(
            out,
            "            case {}:\n                return new {}(m);",
            lit(decl.name),
            event_class(decl.name)
        );
    }
    for req in [&IVR_START, &IVR_NEXT] {
        let _ = writeln!(
            out,
            "            case {}:\n                return new {}(m);",
            lit(req.name),
            event_class(req.name)
        );
    }
    out.push_str(
        "            default:\n                return new OtherEvent(m);\n        }\n    }\n",
    );
    out.push_str(
        "\n    /**\n     * Parses the query of the platform's request to a {@code <next>} URL ({@code call_id=...&type=get&keys=12},\n     * with or without the leading {@code ?}): the results of the action that ran.\n     */\n    public static IvrNext parseIvrNext(String query) {\n        return (IvrNext) of(Native.parseIvrNext(query));\n    }\n",
    );
    let taken = [
        "type", "event", "toMap", "get", "string", "integer", "toString",
    ];
    let mut done: Vec<(&str, String)> = Vec::new();
    for (decl, ty) in &typed {
        let class = event_class(decl.name);
        if let Some((_, first)) = done.iter().find(|(t, _)| t == ty) {
            let _ = writeln!(
                out,
                "\n    /** {{@code {}}}: {} It has the keys of {{@link {first}}}. */",
                decl.name,
                doc(decl.doc)
            );
            let _ = writeln!(
                out,
                "    public static class {class} extends {first} {{\n        {class}(Map<String, Object> view) {{\n            super(view);\n        }}\n    }}"
            );
            continue;
        }
        done.push((ty, class.clone()));
        let _ = writeln!(
            out,
            "\n    /** {{@code {}}}: {} Times are epoch milliseconds. */",
            decl.name,
            doc(decl.doc)
        );
        let _ = writeln!(
            out,
            "    public static class {class} extends Event {{\n        {class}(Map<String, Object> view) {{\n            super(view);\n        }}"
        );
        for k in decl.keys {
            let (jt, read) = match k.ty {
                KeyType::Str => ("String", "string"),
                KeyType::Int | KeyType::Time => ("Long", "integer"),
            };
            let _ = writeln!(out, "\n        /** {} */", doc(k.doc));
            let _ = writeln!(
                out,
                "        public {jt} {}() {{\n            return {read}({});\n        }}",
                ident(k.field, &taken),
                lit(k.field)
            );
        }
        out.push_str("    }\n");
    }
    for req in [&IVR_START, &IVR_NEXT] {
        ivr_request_class(&mut out, req, &taken);
    }
    out.push_str(
        "\n    /** An event that is not typed: its name and its fields as they came. */\n    public static class OtherEvent extends Event {\n        OtherEvent(Map<String, Object> view) {\n            super(view);\n        }\n\n        /** The body's fields, unchanged (the whole view when it has no {@code fields}). */\n        @SuppressWarnings(\"unchecked\")\n        public Map<String, Object> fields() {\n            Object f = get(\"fields\");\n            return f instanceof Map ? (Map<String, Object>) f : toMap();\n        }\n    }\n}\n",
    );
    out
}

/// `ivr_start` (a body `Events.parse` reads) and `ivr_next` (a query): the requests the platform
/// sends to an IVR application, each key text.
fn ivr_request_class(out: &mut String, req: &IvrRequest, taken: &[&str]) {
    let class = event_class(req.name);
    let _ = writeln!(
        out,
        "\n    /** {{@code {}}} ({} request to the application): {} */",
        req.name,
        req.method,
        doc(req.doc)
    );
    let _ = writeln!(
        out,
        "    public static class {class} extends Event {{\n        {class}(Map<String, Object> view) {{\n            super(view);\n        }}"
    );
    for k in req.keys {
        let _ = writeln!(out, "\n        /** {} */", doc(k.doc));
        let _ = writeln!(
            out,
            "        public String {}() {{\n            return string({});\n        }}",
            ident(k.name, taken),
            lit(k.name)
        );
    }
    out.push_str("    }\n");
}

fn attr_type(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Int { .. } => "int",
        ValueType::Bool => "boolean",
        _ => "String",
    }
}

fn ivr() -> String {
    let mut out = header("com.yunhuni.ivr");
    out.push_str(
        "/**\n * The elements of the platform's IVR documents, one class per element declared in core\n * ({@code yunhuni::ivr::ELEMENTS}): a setter per attribute, the text in the constructor, children\n * added with {@code child}. Core checks the document in {@link Response#toXml}.\n */\npublic final class Ivr {\n    private Ivr() {}\n",
    );
    for e in ELEMENTS {
        element_class(&mut out, e);
    }
    out.push_str("}\n");
    out
}

fn element_class(out: &mut String, e: &Element) {
    let class = pascal(e.name);
    let taken = ["name", "attr", "child", "text", "toMap", "toString"];
    let what = if e.action { "An action" } else { "An element" };
    let _ = writeln!(
        out,
        "\n    /** {what}: {{@code <{}>}}. {} */",
        e.name,
        doc(e.doc)
    );
    let _ = writeln!(
        out,
        "    public static final class {class} extends Element {{"
    );
    let _ = writeln!(
        out,
        "        public {class}() {{\n            super({});\n        }}",
        lit(e.name)
    );
    if let Some(c) = e.content {
        let _ = writeln!(out, "\n        /** With its {}: {} */", c.name, doc(c.doc));
        let _ = writeln!(
            out,
            "        public {class}(String {}) {{\n            this();\n            setText({});\n        }}",
            ident(c.name, &taken),
            ident(c.name, &taken)
        );
        let _ = writeln!(out, "\n        @Override");
        let _ = writeln!(
            out,
            "        public {class} text(String text) {{\n            setText(text);\n            return this;\n        }}"
        );
    }
    for a in e.attrs {
        let mut d = doc(a.doc);
        if let Some(default) = a.default {
            let _ = write!(d, " Default: {}.", doc(default));
        }
        let _ = writeln!(out, "\n        /** {d} */");
        let _ = writeln!(
            out,
            "        public {class} {}({} value) {{\n            putAttr({}, value);\n            return this;\n        }}",
            ident(a.name, &taken),
            attr_type(a.ty),
            lit(&camel(a.name))
        );
    }
    if !matches!(e.children, Children::None) {
        let names: Vec<String> = e
            .children
            .list()
            .iter()
            .map(|c| format!("{{@code <{}>}}", c.name))
            .collect();
        let _ = writeln!(
            out,
            "\n        /** Adds a child: {}. */\n        @Override",
            names.join(", ")
        );
        let _ = writeln!(
            out,
            "        public {class} child(Element child) {{\n            addChild(child);\n            return this;\n        }}"
        );
    }
    let _ = writeln!(out, "    }}");
}
