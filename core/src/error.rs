//! The one error type of the SDK.

use std::fmt;

/// The stable category of an [`Error`]. Its string form (`as_str`) is the same in every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The request broke a rule the server enforces; nothing was sent. [`Error::field`] names the field.
    Validation,
    /// The server answered HTTP 200 with a code other than `000000`. [`Error::code`] has the code.
    Api,
    /// The server answered HTTP 401: the signature, credentials or timestamp were refused.
    Auth,
    /// The server answered with another HTTP status. The message carries the start of the body.
    Http,
    /// The request did not complete within the configured timeout.
    Timeout,
    /// The connection failed or broke, or the peer did not speak HTTP.
    Transport,
    /// A body was not what the platform sends: a response that is not the expected JSON, or an
    /// event body that cannot be parsed.
    Decode,
}

impl ErrorKind {
    /// `validation`, `api`, `auth`, `http`, `timeout`, `transport` or `decode`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Validation => "validation",
            ErrorKind::Api => "api",
            ErrorKind::Auth => "auth",
            ErrorKind::Http => "http",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Transport => "transport",
            ErrorKind::Decode => "decode",
        }
    }

    /// Every kind, in a fixed order.
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::Validation,
        ErrorKind::Api,
        ErrorKind::Auth,
        ErrorKind::Http,
        ErrorKind::Timeout,
        ErrorKind::Transport,
        ErrorKind::Decode,
    ];
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error from any part of the SDK: validation, the HTTP exchange, or parsing.
///
/// It never contains a secret key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    code: Option<String>,
    status: Option<u16>,
    field: Option<String>,
    platform_message: Option<String>,
    /// For validation errors: the length of the `field: ` prefix of `message`.
    detail_at: usize,
}

/// The SDK's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            code: None,
            status: None,
            field: None,
            platform_message: None,
            detail_at: 0,
        }
    }

    /// A validation error about `field`, for code that checks its own inputs the way the SDK
    /// does (bindings, command line tools).
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = format!("{field}: {}", message.into());
        Error {
            detail_at: field.len() + 2,
            field: Some(field),
            ..Error::new(ErrorKind::Validation, message)
        }
    }

    /// The same error naming its field as `rename` turns it (a binding's casing: `maxDuration`
    /// for `max_duration`); other errors unchanged.
    pub fn rename_field(self, rename: impl FnOnce(&str) -> String) -> Self {
        match (&self.field, self.kind) {
            (Some(field), ErrorKind::Validation) if self.detail_at > 0 => {
                let renamed = rename(field);
                Error::validation(renamed, self.detail())
            }
            _ => self,
        }
    }

    pub(crate) fn decode(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::Decode, message)
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    pub(crate) fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// An `api` error for a platform code and the server's `msg`.
    pub(crate) fn api(code: &str, msg: &str) -> Self {
        let meaning = crate::codes::lookup(code)
            .map(|c| c.en)
            .unwrap_or("unknown code");
        let message = if msg.is_empty() {
            format!("platform returned {code}: {meaning}")
        } else {
            format!("platform returned {code} {msg}: {meaning}")
        };
        Error {
            code: Some(code.to_owned()),
            platform_message: Some(msg.to_owned()),
            ..Error::new(ErrorKind::Api, message)
        }
        .with_status(200)
    }

    /// The stable category.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// A readable description of what went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The platform's six-digit code, for `api` errors.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The message without the `field: ` that starts it for validation errors; for other
    /// errors, the message.
    pub fn detail(&self) -> &str {
        &self.message[self.detail_at..]
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The server's own `msg` text (Chinese), for `api` errors, exactly as it was received.
    pub fn platform_message(&self) -> Option<&str> {
        self.platform_message.as_deref()
    }

    /// The field at fault, for `validation` errors (and event fields that fail to decode).
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// True for errors raised before any byte of the request was sent.
    pub fn is_validation(&self) -> bool {
        self.kind == ErrorKind::Validation
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} error: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {}
