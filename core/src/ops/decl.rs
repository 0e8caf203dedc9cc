//! The vocabulary of the declarations: what an operation, a field, a rule and a response are.
//!
//! Everything here is plain data, readable by other code (the bindings' code generator, the
//! CLI's help, tests): see [`OPERATIONS`](super::OPERATIONS).

/// An HTTP method the platform's routes use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`: no body; query parameters only.
    Get,
    /// `POST`: a JSON body (or none), signed with its MD5 and content type.
    Post,
    /// `PUT`: like `POST`.
    Put,
    /// `DELETE`: no body; query parameters only.
    Delete,
}

impl Method {
    /// The method as sent: `GET`, `POST`, `PUT` or `DELETE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }

    /// True for the methods whose body is signed (POST and PUT).
    pub fn has_content(self) -> bool {
        matches!(self, Method::Post | Method::Put)
    }
}

/// Where a field goes on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// A `{placeholder}` of the path; the placeholder is the field's wire name.
    Path,
    /// A query parameter named by the field's wire name.
    Query,
    /// A key of the JSON body named by the field's wire name.
    Body,
    /// Both the `{placeholder}` named by the wire name and the query parameter named here: the
    /// server reads one of them and the docs name the other.
    PathAndQuery(&'static str),
}

/// The type of a field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// A string.
    Str,
    /// An integer that fits the server's 32-bit `Integer`.
    Int,
    /// `true` or `false`.
    Bool,
    /// A list of strings.
    StrList,
    /// `play_content` rows of a voice notification: `[content, play_type, options]`.
    PlayRows,
    /// A list of objects of this record type.
    Objects(&'static Record),
}

impl Type {
    /// A short name of the type, as messages and generated docs show it.
    pub fn describe(self) -> &'static str {
        match self {
            Type::Str => "string",
            Type::Int => "integer",
            Type::Bool => "boolean",
            Type::StrList => "list of strings",
            Type::PlayRows => "list of [content, play_type] rows",
            Type::Objects(_) => "list of objects",
        }
    }
}

/// A rule the server enforces on a field, checked before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// Not empty or all white space.
    NotBlank,
    /// An integer within `min..=max`.
    Range(i64, i64),
    /// At least this many characters (UTF-16 units, as Java counts them).
    MinLen(usize),
    /// At most this many characters (UTF-16 units, as Java counts them).
    MaxLen(usize),
    /// One of these exact values.
    OneOf(&'static [&'static str]),
    /// One of these exact values, or a value starting with one of the prefixes.
    OneOfOrPrefix(&'static [&'static str], &'static [&'static str]),
    /// Not this integer.
    Not(i64),
    /// At least this many items.
    MinItems(usize),
    /// `scheme://rest` with an ASCII letter scheme and no white space (the server's URL pattern).
    Url,
    /// A mainland mobile number after trimming: `1` and ten more digits.
    Mobile,
    /// Empty, or 1 to this many ASCII decimal digits.
    Digits(usize),
}

/// The type of the objects of a list field (an agent's skills, a sub-account's quotas).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Record {
    /// Its name in the generated types: `Skill`.
    pub name: &'static str,
    /// One line for the docs.
    pub doc: &'static str,
    /// Its keys.
    pub fields: &'static [Field],
}

/// One field of an operation (or of an object inside a list field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    /// The name users write, snake_case (each binding converts it to its casing).
    pub name: &'static str,
    /// The name the server reads: the path placeholder, query parameter or JSON key.
    pub wire: &'static str,
    /// Where it goes.
    pub location: Location,
    /// The type of its value.
    pub ty: Type,
    /// True when a request without it is refused.
    pub required: bool,
    /// The server's rules, checked in this order.
    pub rules: &'static [Rule],
    /// One line for the docs.
    pub doc: &'static str,
}

/// The body a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyKind {
    /// A JSON object of the body fields (`{}` when none is set).
    Json,
    /// No body: the server does not read one.
    None,
}

/// The type of one key of a response object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataType {
    /// A string.
    Str,
    /// An integer (epoch milliseconds for times).
    Int,
    /// A boolean.
    Bool,
    /// A list of strings.
    StrList,
    /// A list of objects of this shape.
    List(&'static Shape),
    /// Anything (the server's value is not typed further).
    Any,
}

/// One key of a response object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DataField {
    /// The key as the server sends it.
    pub name: &'static str,
    /// The type of its value.
    pub ty: DataType,
    /// True when the server may send `null`.
    pub nullable: bool,
    /// One line for the docs.
    pub doc: &'static str,
}

/// The shape of an object the server answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape {
    /// Its name in the generated types (for example `Extension`).
    pub name: &'static str,
    /// Its keys, in the server's order.
    pub fields: &'static [DataField],
}

/// What the response's `data` holds once `code` is `000000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Data {
    /// `null`.
    Null,
    /// `true`.
    Bool,
    /// A bare string.
    Str,
    /// A call the platform placed: `{"callId": ..., "user_data": ...}`.
    Call,
    /// An object of this shape.
    Object(&'static Shape),
    /// An object of this shape, or `null` when there is none.
    ObjectOrNull(&'static Shape),
    /// A list of objects of this shape.
    List(&'static Shape),
    /// A list of objects of this shape, or `null`.
    ListOrNull(&'static Shape),
    /// A page (`pageSize`, `startIndex`, `totalCount`, `totalPageCount`, `currentPageNo`,
    /// `result`) of objects of this shape.
    Page(&'static Shape),
    /// Not known: the server has no route for it.
    Unknown,
}

/// A rule of an operation that spans several fields, written by hand beside the declaration.
pub type Check = fn(&crate::ops::Request) -> crate::Result<()>;

/// One REST operation of the platform.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// Its name (as the platform's route list names it): `conf_create`.
    pub name: &'static str,
    /// The family it belongs to: `conference`, `callcenter_agent`, ...
    pub family: &'static str,
    /// The HTTP method the server maps.
    pub method: Method,
    /// The path after `/v1/account/{account_id}/`, with `{placeholders}`.
    pub path: &'static str,
    /// The body it carries.
    pub body: BodyKind,
    /// Its fields: path placeholders, query parameters and body keys.
    pub fields: &'static [Field],
    /// What the answer's `data` holds.
    pub data: Data,
    /// One line for the docs.
    pub doc: &'static str,
    /// The server's state of it: `stable`, `beta`, `developing`, `stub`, `documented_only`, ...
    pub status: &'static str,
    /// Another name it is also known by in this SDK (the name it had before all operations
    /// were declared).
    pub alias: Option<&'static str>,
    /// A rule across fields that data cannot state.
    pub check: Option<Check>,
}

impl Operation {
    /// The field called `name` (snake_case).
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

impl PartialEq for Operation {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Operation {}
