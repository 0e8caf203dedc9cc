//! `call`, `cancel`, `notify`, `verify` and `sign`: the platform's operations from the shell.

use clap::Args;
use serde_json::json;
use std::time::Duration;
use yunhuni::{Client, DuoCallback, Error, NotifyCall, PlayItem, SignInput, VerifyCall};

/// Credentials and connection settings, from flags or the `YUNHUNI_*` environment variables.
#[derive(Args, Debug, Clone)]
pub struct Connection {
    /// App id (AppID header) [env: YUNHUNI_APP_ID]
    #[arg(long, env = "YUNHUNI_APP_ID", hide_env = true)]
    pub app_id: Option<String>,
    /// Cert id (CertID header) [env: YUNHUNI_CERT_ID]
    #[arg(long, env = "YUNHUNI_CERT_ID", hide_env = true)]
    pub cert_id: Option<String>,
    /// Secret key; prefer the environment variable, flags are visible to other users of the machine [env: YUNHUNI_SECRET_KEY]
    #[arg(long, env = "YUNHUNI_SECRET_KEY", hide_env = true)]
    pub secret_key: Option<String>,
    /// API base URL (default https://api.yunhuni.com) [env: YUNHUNI_BASE_URL]
    #[arg(long, env = "YUNHUNI_BASE_URL", hide_env = true)]
    pub base_url: Option<String>,
    /// Account id in /v1/account/{id}/ (default: the cert id) [env: YUNHUNI_ACCOUNT_ID]
    #[arg(long, env = "YUNHUNI_ACCOUNT_ID", hide_env = true)]
    pub account_id: Option<String>,
    /// Whole-request timeout in seconds
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
}

impl Connection {
    pub fn client(&self) -> Result<Client, Error> {
        let required = |value: &Option<String>, flag: &str, var: &str| {
            value.clone().ok_or_else(|| {
                Error::validation(var, format!("is not set; pass {flag} or set {var}"))
            })
        };
        let mut builder = Client::builder(
            required(&self.app_id, "--app-id", "YUNHUNI_APP_ID")?,
            required(&self.cert_id, "--cert-id", "YUNHUNI_CERT_ID")?,
            required(&self.secret_key, "--secret-key", "YUNHUNI_SECRET_KEY")?,
        )
        .user_agent(format!("yunhuni-cli/{}", env!("CARGO_PKG_VERSION")));
        if let Some(url) = &self.base_url {
            builder = builder.base_url(url);
        }
        if let Some(id) = &self.account_id {
            builder = builder.account_id(id);
        }
        if !(self.timeout.is_finite() && self.timeout > 0.0 && self.timeout < 86_400.0) {
            return Err(Error::validation(
                "timeout",
                "must be a number of seconds between 0 and 86400",
            ));
        }
        builder
            .timeout(Duration::from_secs_f64(self.timeout))
            .build()
    }
}

/// Arguments of `yunhuni call`: every parameter of `call/duo_callback`.
#[derive(Args, Debug)]
pub struct CallArgs {
    /// Party 1's number, called first
    #[arg(long)]
    pub to1: String,
    /// Party 2's number, called when party 1 answers
    #[arg(long)]
    pub to2: String,
    /// Longest conversation in seconds (1-21600)
    #[arg(long, allow_negative_numbers = true)]
    pub max_call_duration: i64,
    /// Caller number shown to party 1 (a hint)
    #[arg(long)]
    pub from1: Option<String>,
    /// Caller number shown to party 2 (a hint)
    #[arg(long)]
    pub from2: Option<String>,
    /// Uploaded voice file played to party 1 while party 2 rings
    #[arg(long)]
    pub ring_tone: Option<String>,
    /// When the ring tone plays: 0, 2 or 3
    #[arg(long, allow_negative_numbers = true)]
    pub ring_tone_mode: Option<i64>,
    /// Longest ringing per leg in seconds (1-300)
    #[arg(long, allow_negative_numbers = true)]
    pub max_dial_duration: Option<i64>,
    /// Record the call (not available on the platform yet)
    #[arg(long)]
    pub recording: Option<bool>,
    /// When recording starts, 0-3 (not available on the platform yet)
    #[arg(long, allow_negative_numbers = true)]
    pub record_mode: Option<i64>,
    /// Your data (at most 128 characters), echoed in the end event
    #[arg(long)]
    pub user_data: Option<String>,
}

impl CallArgs {
    pub fn request(&self) -> DuoCallback {
        DuoCallback {
            from1: self.from1.clone(),
            from2: self.from2.clone(),
            ring_tone: self.ring_tone.clone(),
            ring_tone_mode: self.ring_tone_mode,
            max_dial_duration: self.max_dial_duration,
            recording: self.recording,
            record_mode: self.record_mode,
            user_data: self.user_data.clone(),
            ..DuoCallback::new(&self.to1, &self.to2, self.max_call_duration)
        }
    }
}

/// Arguments of `yunhuni notify`: every parameter of `call/notify_call`.
#[derive(Args, Debug)]
pub struct NotifyArgs {
    /// The number to call
    #[arg(long)]
    pub to: String,
    /// Caller number (a hint)
    #[arg(long)]
    pub from: Option<String>,
    /// Voice file name(s), several joined with |
    #[arg(long)]
    pub play_file: Option<String>,
    /// A content item TYPE:CONTENT, repeatable; TYPE is file, digits, number, amount, datetime,
    /// duration, or 0-5 (for example amount:3245.24)
    #[arg(long = "play", value_name = "TYPE:CONTENT")]
    pub play: Vec<String>,
    /// Extra repetitions (0-10)
    #[arg(long, allow_negative_numbers = true)]
    pub repeat: Option<i64>,
    /// Longest ringing in seconds (1-300)
    #[arg(long, allow_negative_numbers = true)]
    pub max_dial_duration: Option<i64>,
    /// Your data, echoed in the end event
    #[arg(long)]
    pub user_data: Option<String>,
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
    pub fn request(&self) -> Result<NotifyCall, Error> {
        let mut items = Vec::new();
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
            items.push(PlayItem::new(content, play_type));
        }
        Ok(NotifyCall {
            from: self.from.clone(),
            play_file: self.play_file.clone(),
            play_content: (!items.is_empty()).then_some(items),
            repeat: self.repeat,
            max_dial_duration: self.max_dial_duration,
            user_data: self.user_data.clone(),
            ..NotifyCall::new(&self.to)
        })
    }
}

/// Arguments of `yunhuni verify`: every parameter of `call/verify_call`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The number to call
    #[arg(long)]
    pub to: String,
    /// The code to read out (1-12 digits)
    #[arg(long)]
    pub verify_code: Option<String>,
    /// Prompt file name(s) played first
    #[arg(long)]
    pub play_file: Option<String>,
    /// Caller number (a hint)
    #[arg(long)]
    pub from: Option<String>,
    /// Extra repetitions (0-10)
    #[arg(long, allow_negative_numbers = true)]
    pub repeat: Option<i64>,
    /// Longest ringing in seconds (1-300)
    #[arg(long, allow_negative_numbers = true)]
    pub max_dial_duration: Option<i64>,
    /// Your data, echoed in the end event
    #[arg(long)]
    pub user_data: Option<String>,
}

impl VerifyArgs {
    pub fn request(&self) -> VerifyCall {
        VerifyCall {
            from: self.from.clone(),
            verify_code: self.verify_code.clone(),
            play_file: self.play_file.clone(),
            repeat: self.repeat,
            max_dial_duration: self.max_dial_duration,
            user_data: self.user_data.clone(),
            ..VerifyCall::new(&self.to)
        }
    }
}

/// Prints a placed call: the id alone, or JSON.
pub fn print_created(call: &yunhuni::CallCreated, json_out: bool) {
    if json_out {
        println!(
            "{}",
            json!({"call_id": call.call_id, "user_data": call.user_data})
        );
    } else {
        println!("{}", call.call_id);
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

pub fn sign(args: &SignArgs, conn: &Connection, json_out: bool) -> Result<(), Error> {
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
        println!(
            "{}",
            json!({"string_to_sign": string_to_sign, "signature": signature, "timestamp": timestamp,
                   "body_md5": yunhuni::content_md5(&body)})
        );
    } else {
        println!("string to sign (between the lines; each part on its own line):");
        println!("----");
        println!("{string_to_sign}");
        println!("----");
        println!("timestamp: {timestamp}");
        println!("signature: {signature}");
    }
    Ok(())
}
