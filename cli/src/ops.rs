//! `call`, `cancel`, `notify`, `verify` and `sign`: the platform's operations from the shell.

use crate::output;
use clap::{Arg, ArgAction, ArgMatches, Args, FromArgMatches};
use serde_json::json;
use std::marker::PhantomData;
use std::time::Duration;
use yunhuni::ops::{operation, Field, Request, Rule, Type};
use yunhuni::{CallCreated, Client, Error, PlayItem, SignInput};

/// Credentials, from flags or the `YUNHUNI_*` environment variables.
#[derive(Args, Debug, Clone)]
pub struct Credentials {
    /// App id (AppID header) [env: YUNHUNI_APP_ID]
    #[arg(long, env = "YUNHUNI_APP_ID", hide_env = true)]
    pub app_id: Option<String>,
    /// Cert id (CertID header) [env: YUNHUNI_CERT_ID]
    #[arg(long, env = "YUNHUNI_CERT_ID", hide_env = true)]
    pub cert_id: Option<String>,
    /// Secret key; prefer the environment variable, flags are visible to other users of the machine [env: YUNHUNI_SECRET_KEY]
    #[arg(long, env = "YUNHUNI_SECRET_KEY", hide_env = true)]
    pub secret_key: Option<String>,
}

/// Credentials and connection settings of the commands that talk to the API.
#[derive(Args, Debug, Clone)]
pub struct Connection {
    #[command(flatten)]
    pub credentials: Credentials,
    /// API base URL (default https://api.yunhuni.com) [env: YUNHUNI_BASE_URL]
    #[arg(long, env = "YUNHUNI_BASE_URL", hide_env = true)]
    pub base_url: Option<String>,
    /// Account id in /v1/account/{id}/ (default: the cert id) [env: YUNHUNI_ACCOUNT_ID]
    #[arg(long, env = "YUNHUNI_ACCOUNT_ID", hide_env = true)]
    pub account_id: Option<String>,
    /// Whole-request timeout in seconds, connecting included (above 0, at most 86400)
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub timeout: f64,
    /// Send requests through this proxy: http://host:port, https://..., socks5://...
    /// (user:password@ allowed). Without it, ALL_PROXY, HTTPS_PROXY or HTTP_PROXY (or their
    /// lower-case forms; the first one set) names the proxy, and hosts in NO_PROXY go direct
    /// [env: YUNHUNI_PROXY]
    #[arg(long, value_name = "URL", env = "YUNHUNI_PROXY", hide_env = true)]
    pub proxy: Option<String>,
    /// Connect straight to the server, whatever --proxy, YUNHUNI_PROXY or the *_PROXY
    /// variables say
    #[arg(long)]
    pub no_proxy: bool,
}

/// The timeout given in seconds, or a validation error naming `timeout` when it cannot be
/// honoured (not a number, not above 0, or longer than the client's 24 hours).
pub fn timeout_of(seconds: f64) -> Result<Duration, Error> {
    Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|d| !d.is_zero() && *d <= yunhuni::MAX_TIMEOUT)
        .ok_or_else(|| {
            Error::validation(
                "timeout",
                format!(
                    "{seconds} is not a number of seconds above 0 and at most {} (24 hours)",
                    yunhuni::MAX_TIMEOUT.as_secs()
                ),
            )
        })
}

impl Connection {
    pub fn client(&self) -> Result<Client, Error> {
        let required = |value: &Option<String>, flag: &str, var: &str| {
            value.clone().ok_or_else(|| {
                Error::validation(var, format!("is not set; pass {flag} or set {var}"))
            })
        };
        let timeout = timeout_of(self.timeout)?;
        let creds = &self.credentials;
        let mut builder = Client::builder(
            required(&creds.app_id, "--app-id", "YUNHUNI_APP_ID")?,
            required(&creds.cert_id, "--cert-id", "YUNHUNI_CERT_ID")?,
            required(&creds.secret_key, "--secret-key", "YUNHUNI_SECRET_KEY")?,
        )
        .user_agent(format!("yunhuni-cli/{}", env!("CARGO_PKG_VERSION")))
        .timeout(timeout);
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url);
        }
        if let Some(id) = &self.account_id {
            builder = builder.account_id(id);
        }
        match self.proxy.as_deref().filter(|p| !p.trim().is_empty()) {
            _ if self.no_proxy => builder = builder.no_proxy(),
            Some(url) => builder = builder.proxy(url),
            None => {}
        }
        builder.build()
    }
}

/// A command that sends one operation (`call`, `cancel`, `notify`, `verify`): which operation,
/// and which of its fields are positional arguments rather than flags. Its flags come from
/// the operation's declaration in core ([`yunhuni::ops::OPERATIONS`]), so a new field needs no
/// change here.
pub trait OpCommand {
    /// The declared name of the operation.
    const OPERATION: &'static str;
    /// Fields taken as positional arguments, in this order, instead of `--flags`.
    const POSITIONAL: &'static [&'static str] = &[];
}

/// `yunhuni call`: `duo_callback`.
#[derive(Debug, Clone)]
pub struct CallOp;
impl OpCommand for CallOp {
    const OPERATION: &'static str = "duo_callback";
}

/// `yunhuni cancel CALL_ID`: `duo_callback_cancel`.
#[derive(Debug, Clone)]
pub struct CancelOp;
impl OpCommand for CancelOp {
    const OPERATION: &'static str = "duo_callback_cancel";
    const POSITIONAL: &'static [&'static str] = &["call_id"];
}

/// `yunhuni notify`: `notify_call`.
#[derive(Debug, Clone)]
pub struct NotifyOp;
impl OpCommand for NotifyOp {
    const OPERATION: &'static str = "notify_call";
}

/// `yunhuni verify`: `verify_call`.
#[derive(Debug, Clone)]
pub struct VerifyOp;
impl OpCommand for VerifyOp {
    const OPERATION: &'static str = "verify_call";
}

/// The fields of an operation as given on the command line: one `--kebab-case` flag (or
/// positional argument) per declared field, its text read as the field's type by
/// [`Request::set_text`].
#[derive(Debug, Clone)]
pub struct OpFields<T> {
    values: Vec<(&'static str, String)>,
    op: PhantomData<T>,
}

impl<T: OpCommand> OpFields<T> {
    /// The request these flags describe (not yet checked against the server's rules: sending
    /// does that).
    pub fn request(&self) -> Result<Request, Error> {
        let mut request = Request::new(T::OPERATION)?;
        for (name, text) in &self.values {
            request.set_text(name, text)?;
        }
        Ok(request)
    }
}

impl<T: OpCommand> FromArgMatches for OpFields<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let fields = operation(T::OPERATION).map_or(&[][..], |op| op.fields);
        let values = fields
            .iter()
            .filter_map(|f| {
                let text = matches.try_get_one::<String>(f.name).ok().flatten()?;
                Some((f.name, text.clone()))
            })
            .collect();
        Ok(OpFields {
            values,
            op: PhantomData,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl<T: OpCommand> Args for OpFields<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        let Some(op) = operation(T::OPERATION) else {
            return cmd;
        };
        let positional = |f: &Field| T::POSITIONAL.contains(&f.name);
        // Positional arguments first, in their declared order, then the flags.
        let ordered = T::POSITIONAL
            .iter()
            .filter_map(|name| op.field(name))
            .chain(op.fields.iter().filter(|f| !positional(f)));
        ordered.fold(cmd, |cmd, f| cmd.arg(field_arg(f, positional(f))))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// The argument for a declared field: `--max-call-duration <INTEGER>`, or `<CALL_ID>`.
fn field_arg(field: &'static Field, positional: bool) -> Arg {
    let arg = Arg::new(field.name)
        .help(field_help(field))
        .required(field.required)
        .action(ArgAction::Set)
        .allow_negative_numbers(field.ty == Type::Int);
    if positional {
        arg.value_name(field.name.to_uppercase())
    } else {
        arg.long(field.name.replace('_', "-"))
            .value_name(value_name(field.ty))
    }
}

/// How a value of this type is written on the command line.
pub fn value_name(ty: Type) -> &'static str {
    match ty {
        Type::Str => "TEXT",
        Type::Int => "INTEGER",
        Type::Bool => "true|false",
        Type::StrList => "A,B,...",
        Type::PlayRows | Type::Objects(_) => "JSON",
    }
}

/// A field's help: its doc line, then its type and the server's rules.
fn field_help(field: &Field) -> String {
    let mut facts = vec![field.ty.describe().to_owned()];
    facts.extend(field.rules.iter().map(|r| describe_rule(*r)));
    format!("{} [{}]", field.doc, facts.join(", "))
}

/// A rule of the server in a few words.
pub fn describe_rule(rule: Rule) -> String {
    match rule {
        Rule::NotBlank => "not blank".into(),
        Rule::Range(min, max) if max == i64::from(i32::MAX) => format!("at least {min}"),
        Rule::Range(min, max) if min == i64::from(i32::MIN) => format!("at most {max}"),
        Rule::Range(min, max) => format!("{min}-{max}"),
        Rule::MinLen(n) => format!("at least {n} characters"),
        Rule::MaxLen(n) => format!("at most {n} characters"),
        Rule::OneOf(values) => format!("one of {}", values.join("|")),
        Rule::OneOfOrPrefix(values, prefixes) => format!(
            "one of {}, or starting with {}",
            values.join("|"),
            prefixes.join("|")
        ),
        Rule::Not(value) => format!("not {value}"),
        Rule::MinItems(n) => format!("at least {n} items"),
        Rule::Url => "a URL (scheme://...)".into(),
        Rule::Mobile => "a mobile number (1 and ten digits)".into(),
        Rule::Digits(n) => format!("1-{n} decimal digits"),
    }
}

/// Arguments of `yunhuni notify`: every field of `notify_call`, and `--play` for its content
/// rows.
#[derive(Args, Debug)]
pub struct NotifyArgs {
    #[command(flatten)]
    pub fields: OpFields<NotifyOp>,
    /// A content item TYPE:CONTENT, repeatable, instead of --play-content; TYPE is file,
    /// digits, number, amount, datetime, duration, or 0-5 (for example amount:3245.24)
    #[arg(
        long = "play",
        value_name = "TYPE:CONTENT",
        conflicts_with = "play_content"
    )]
    pub play: Vec<String>,
}

const PLAY_TYPES: [(&str, i64); 6] = [
    ("file", PlayItem::FILE),
    ("digits", PlayItem::DIGITS),
    ("number", PlayItem::NUMBER),
    ("amount", PlayItem::AMOUNT),
    ("datetime", PlayItem::DATE_TIME),
    ("duration", PlayItem::DURATION),
];

impl NotifyArgs {
    pub fn request(&self) -> Result<Request, Error> {
        let mut request = self.fields.request()?;
        let mut rows = Vec::new();
        for (i, spec) in self.play.iter().enumerate() {
            let field = format!("play[{i}]");
            let (kind, content) = spec.split_once(':').ok_or_else(|| {
                Error::validation(&field, format!("{spec:?} is not TYPE:CONTENT"))
            })?;
            let play_type = PLAY_TYPES
                .iter()
                .find(|(name, _)| *name == kind)
                .map(|(_, t)| *t)
                .or_else(|| kind.parse().ok())
                .ok_or_else(|| Error::validation(&field, format!("unknown play type {kind:?}")))?;
            rows.push(json!([content, play_type]));
        }
        if !rows.is_empty() {
            request.set("play_content", rows)?;
        }
        Ok(request)
    }
}

/// Sends a request whose answer is a placed call (`call`, `notify`, `verify`).
pub fn place(request: Result<Request, Error>, conn: &Connection) -> Result<CallCreated, Error> {
    let request = request?;
    CallCreated::from_data(conn.client()?.send(&request)?)
}

/// Prints a placed call: the id alone, or JSON.
pub fn print_created(call: &CallCreated, json_out: bool) {
    if json_out {
        output::print_json(&json!({"call_id": call.call_id, "user_data": call.user_data}));
    } else {
        println!("{}", output::clean(&call.call_id));
    }
}

/// Arguments of `yunhuni sign`.
#[derive(Args, Debug)]
pub struct SignArgs {
    /// HTTP method, as sent
    #[arg(long, default_value = "POST")]
    pub method: String,
    /// Request URI or path; a query string is not signed
    #[arg(long)]
    pub uri: String,
    /// Timestamp header, yyyyMMddHHmmss in UTC+8 (default: now)
    #[arg(long)]
    pub timestamp: Option<String>,
    /// Body text (default empty)
    #[arg(long, conflicts_with = "body_file")]
    pub body: Option<String>,
    /// Read the body bytes from a file ('-' for stdin)
    #[arg(long)]
    pub body_file: Option<std::path::PathBuf>,
    /// Content-Type header exactly as sent
    #[arg(long, default_value = yunhuni::CONTENT_TYPE)]
    pub content_type: String,
}

pub fn sign(args: &SignArgs, conn: &Credentials, json_out: bool) -> Result<(), Error> {
    let app_id = conn.app_id.clone().ok_or_else(|| {
        Error::validation(
            "YUNHUNI_APP_ID",
            "is not set; pass --app-id or set YUNHUNI_APP_ID",
        )
    })?;
    let secret = conn.secret_key.clone().ok_or_else(|| {
        Error::validation(
            "YUNHUNI_SECRET_KEY",
            "is not set; pass --secret-key or set YUNHUNI_SECRET_KEY",
        )
    })?;
    let body = match (&args.body, &args.body_file) {
        (Some(text), _) => text.clone().into_bytes(),
        (None, Some(path)) if path.as_os_str() == "-" => {
            let mut buf = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf)
                .map_err(|e| Error::validation("body_file", format!("cannot read stdin: {e}")))?;
            buf
        }
        (None, Some(path)) => std::fs::read(path).map_err(|e| {
            Error::validation("body_file", format!("cannot read {}: {e}", path.display()))
        })?,
        (None, None) => Vec::new(),
    };
    let timestamp = args
        .timestamp
        .clone()
        .unwrap_or_else(yunhuni::timestamp_now);
    let input = SignInput {
        method: &args.method,
        uri: &args.uri,
        content_type: &args.content_type,
        timestamp: &timestamp,
        app_id: &app_id,
        body: &body,
    };
    let string_to_sign = yunhuni::string_to_sign(&input);
    let signature = yunhuni::sign(&input, &secret);
    if json_out {
        output::print_json(
            &json!({"string_to_sign": string_to_sign, "signature": signature, "timestamp": timestamp,
                   "body_md5": yunhuni::content_md5(&body)}),
        );
    } else {
        println!("string to sign (between the lines; each part on its own line):");
        println!("----");
        println!("{}", output::clean_lines(&string_to_sign));
        println!("----");
        println!("timestamp: {}", output::clean(&timestamp));
        println!("signature: {signature}");
    }
    Ok(())
}
