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
    /// For transport and timeout errors: bytes of the request may have reached the server.
    maybe_sent: bool,
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
            maybe_sent: false,
        }
    }

    /// A validation error about `field`, for code that checks its own inputs the way the SDK
    /// does (bindings, command line tools).
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let shown = escape_text(&field);
        let message = format!("{shown}: {}", message.into());
        Error {
            detail_at: shown.len() + 2,
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

    /// A decode error: a body that is not what the platform sends (for bindings that find one
    /// while converting a body they were given).
    pub fn decode(message: impl Into<String>) -> Self {
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

    /// The same error with `note` added to its message.
    pub(crate) fn with_note(mut self, note: &str) -> Self {
        self.message.push_str(note);
        self
    }

    /// Marks a transport or timeout error whose request may have reached the server, and says
    /// so in its message.
    pub(crate) fn sent_maybe(mut self) -> Self {
        self.maybe_sent = true;
        self.message.push_str(
            "; the request may have reached the server: check the call's events (or query it) \
             before trying again, or the call may be placed twice",
        );
        self
    }

    /// An `api` error for a platform code and the server's `msg`.
    pub(crate) fn api(code: &str, msg: &str) -> Self {
        let meaning = crate::codes::lookup(code)
            .map(|c| c.en)
            .unwrap_or("unknown code");
        let shown = escape_text(msg);
        let shown_code = escape_text(code);
        let message = if msg.is_empty() {
            format!("platform returned {shown_code}: {meaning}")
        } else {
            format!("platform returned {shown_code} {shown}: {meaning}")
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

    /// For `transport` and `timeout` errors: true when bytes of the request were written, so
    /// the server may have received and acted on it. Such a request must not simply be sent
    /// again (a call placed twice rings a person twice); the SDK never resends it itself.
    pub fn maybe_sent(&self) -> bool {
        self.maybe_sent
    }

    /// The HTTP status, when the server answered; for a webhook delivery refused by
    /// [`crate::webhook::Receiver`], the status to answer it with.
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

/// Text from outside (a server's answer, a caller's value) as a message may show it: control
/// characters (terminal escape sequences among them) written as `\u{..}`, and cut after
/// `MAX_SHOWN` characters with a note of the full length. The raw text stays available as data
/// where it matters (`platform_message`). Bindings use it for the outside text they show
/// (an event's name and id in their log records).
pub fn escape_text(text: &str) -> String {
    let mut end = text.len();
    if let Some((at, _)) = text.char_indices().nth(MAX_SHOWN) {
        end = at;
    }
    let mut out = escape_control(&text[..end]);
    if end < text.len() {
        out.push_str(&format!("... ({} bytes in all)", text.len()));
    }
    out
}

/// Text with every character a terminal would act on written as `\u{..}`: control characters
/// (escape sequences among them), the line and paragraph separators, and the direction marks
/// and overrides. Nothing is cut (see [`escape_text`]).
pub fn escape_control(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// True for the characters [`escape_control`] escapes.
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// [`escape_text`] in double quotes, for values quoted in messages.
pub(crate) fn quote_text(text: &str) -> String {
    format!("\"{}\"", escape_text(text))
}

/// The most characters of an outside value that a message shows.
const MAX_SHOWN: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_is_escaped_and_cut() {
        assert_eq!(escape_text("ok \u{1b}[2J\r\n"), "ok \\u{1b}[2J\\u{d}\\u{a}");
        let long = "x".repeat(10_000_000);
        let shown = escape_text(&long);
        assert!(shown.len() < 300, "{}", shown.len());
        assert!(shown.ends_with("(10000000 bytes in all)"));
        assert_eq!(quote_text("a\"b"), "\"a\"b\"");
        let e = Error::api("\u{1b}[2J0002", "\u{1b}]0;pwned\u{7}");
        assert!(!e.message().contains('\u{1b}'), "{}", e.message());
        assert_eq!(e.platform_message(), Some("\u{1b}]0;pwned\u{7}"));
    }
}
