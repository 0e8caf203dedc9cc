//! Command-line options of the sandbox, shared by the `yunhuni-sandbox` binary and the
//! `yunhuni sandbox` subcommand.

use std::time::Duration;

use crate::config::{DEV_APP_ID, DEV_CERT_ID, DEV_SECRET_KEY};
use crate::{reserved_behavior, AppSettings, BusinessCode, SandboxBuilder, RESERVED_NUMBERS};

/// The sandbox's options, to flatten into a command line parser.
///
/// Argument ids are prefixed with `sandbox_` so that they do not collide with the ids of an
/// enclosing parser.
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct SandboxArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(
        long,
        id = "sandbox_listen",
        value_name = "ADDR",
        default_value = "127.0.0.1:8080"
    )]
    pub listen: String,

    /// Callback URL of the default app: end events are POSTed there
    #[arg(long, id = "sandbox_callback_url", value_name = "URL")]
    pub callback_url: Option<String>,

    /// IVR URL of the default app: ivr_start is POSTed there for ivr_call and inbound calls
    /// (default: the callback URL, as on the platform, where one URL serves both)
    #[arg(long, id = "sandbox_ivr_url", value_name = "URL")]
    pub ivr_url: Option<String>,

    /// Connect and read timeout of each request to the IVR application, in milliseconds
    #[arg(
        long,
        id = "sandbox_ivr_timeout_ms",
        value_name = "MS",
        default_value_t = 5000
    )]
    pub ivr_timeout_ms: u64,

    /// Simulated time runs this many times faster than real time
    #[arg(
        long,
        id = "sandbox_time_scale",
        value_name = "N",
        default_value_t = 1.0
    )]
    pub time_scale: f64,

    /// Minutes a request's Timestamp stays valid (the server's production setting; future
    /// timestamps are always accepted)
    #[arg(
        long,
        id = "sandbox_expiry_minutes",
        value_name = "MIN",
        default_value_t = 50
    )]
    pub expiry_minutes: u64,

    /// Simulated milliseconds before the call engine confirms a call; a cancel before then
    /// gets 000004
    #[arg(
        long,
        id = "sandbox_confirm_delay_ms",
        value_name = "MS",
        default_value_t = 0
    )]
    pub confirm_delay_ms: u64,

    /// The default app is not online: it may only call its test numbers (others get 020001)
    #[arg(long, id = "sandbox_app_offline")]
    pub app_offline: bool,

    /// A test number of the default app (repeatable)
    #[arg(long, id = "sandbox_test_number", value_name = "NUMBER")]
    pub test_number: Vec<String>,

    /// Business settings of the default app as JSON, e.g. '{"balance_exhausted":true}' (the
    /// other app options apply on top)
    #[arg(long, id = "sandbox_app_settings", value_name = "JSON", value_parser = parse_app_settings)]
    pub app_settings: Option<AppSettings>,

    /// Answer every request of the default app with this code of the platform's table
    /// (CODE or CODE:MSG)
    #[arg(long, id = "sandbox_app_code", value_name = "CODE", value_parser = parse_code)]
    pub app_code: Option<BusinessCode>,

    /// Answer every call to NUMBER with this code of the platform's table (repeatable)
    #[arg(
        long,
        id = "sandbox_number_code",
        value_name = "NUMBER=CODE",
        value_parser = parse_number_code
    )]
    pub number_code: Vec<(String, BusinessCode)>,

    /// Send webhook bodies as UTF-8 instead of the platform's ISO-8859-1 (`?` for non-Latin-1)
    #[arg(long, id = "sandbox_utf8_webhooks")]
    pub utf8_webhooks: bool,

    /// Connect and read timeout of each webhook attempt, in milliseconds
    #[arg(
        long,
        id = "sandbox_webhook_timeout_ms",
        value_name = "MS",
        default_value_t = 5000
    )]
    pub webhook_timeout_ms: u64,

    /// Delay every API response by this many milliseconds (real time)
    #[arg(
        long,
        id = "sandbox_api_delay_ms",
        value_name = "MS",
        default_value_t = 0
    )]
    pub api_delay_ms: u64,

    /// AppID of the default app
    #[arg(long, id = "sandbox_app_id", value_name = "ID", default_value = DEV_APP_ID)]
    pub app_id: String,

    /// CertID (and account id) of the default account
    #[arg(long, id = "sandbox_cert_id", value_name = "ID", default_value = DEV_CERT_ID)]
    pub cert_id: String,

    /// Secret key of the default account
    #[arg(long, id = "sandbox_secret_key", value_name = "KEY", default_value = DEV_SECRET_KEY)]
    pub secret_key: String,

    /// Do not log requests and webhook attempts to stderr
    #[arg(long, id = "sandbox_no_log")]
    pub no_log: bool,
}

impl Default for SandboxArgs {
    fn default() -> Self {
        SandboxArgs {
            listen: "127.0.0.1:8080".into(),
            callback_url: None,
            ivr_url: None,
            ivr_timeout_ms: 5000,
            time_scale: 1.0,
            expiry_minutes: 50,
            confirm_delay_ms: 0,
            app_offline: false,
            test_number: Vec::new(),
            app_settings: None,
            app_code: None,
            number_code: Vec::new(),
            utf8_webhooks: false,
            webhook_timeout_ms: 5000,
            api_delay_ms: 0,
            app_id: DEV_APP_ID.into(),
            cert_id: DEV_CERT_ID.into(),
            secret_key: DEV_SECRET_KEY.into(),
            no_log: false,
        }
    }
}

impl SandboxArgs {
    /// A builder configured from these options.
    pub fn builder(&self) -> SandboxBuilder {
        let mut builder = SandboxBuilder::default()
            .listen(self.listen.clone())
            .time_scale(self.time_scale)
            .expiry_minutes(self.expiry_minutes)
            .utf8_webhooks(self.utf8_webhooks)
            .webhook_timeout(Duration::from_millis(self.webhook_timeout_ms))
            .api_delay(Duration::from_millis(self.api_delay_ms))
            .app_id(self.app_id.clone())
            .cert_id(self.cert_id.clone())
            .secret_key(self.secret_key.clone())
            .log(!self.no_log);
        if let Some(url) = &self.callback_url {
            builder = builder.callback_url(url.clone());
        }
        if let Some(url) = &self.ivr_url {
            builder = builder.ivr_url(url.clone());
        }
        builder = builder.ivr_timeout(Duration::from_millis(self.ivr_timeout_ms));
        builder = builder.confirm_delay(Duration::from_millis(self.confirm_delay_ms));
        let mut settings = self.app_settings.clone().unwrap_or_default();
        if self.app_offline {
            settings.online = false;
        }
        settings
            .test_numbers
            .extend(self.test_number.iter().cloned());
        if let Some(code) = self.app_code {
            settings.code = Some(code);
        }
        if settings != AppSettings::default() {
            builder = builder.default_app_settings(settings);
        }
        for (number, code) in &self.number_code {
            let behavior = reserved_behavior(number)
                .unwrap_or_default()
                .with_code(*code);
            builder = builder.behavior(number.clone(), behavior);
        }
        builder
    }

    /// Starts the sandbox, prints its base URL and credentials to stdout, and serves until
    /// Ctrl-C (SIGINT) or SIGTERM. This is the whole of the `yunhuni-sandbox` binary, and of
    /// `yunhuni sandbox`.
    /// With `json`, the start-up banner is one JSON object on one line instead of text.
    pub fn run(&self, json: bool) -> std::process::ExitCode {
        use std::io::Write;
        use std::process::ExitCode;

        let sandbox = match self.builder().start() {
            Ok(sandbox) => sandbox,
            Err(e) => {
                eprintln!("yunhuni-sandbox: cannot start on {}: {e}", self.listen);
                return ExitCode::FAILURE;
            }
        };
        let (sub_id, sub_cert, sub_secret) = sandbox.sub_account();
        if json {
            let banner = serde_json::json!({
                "base_url": sandbox.base_url(),
                "account_id": sandbox.account_id(),
                "app_id": sandbox.app_id(),
                "cert_id": sandbox.cert_id(),
                "secret_key": sandbox.secret_key(),
                "sub_account": {"id": sub_id, "cert_id": sub_cert, "secret_key": sub_secret},
                "callback_url": sandbox.callback_url(),
                "ivr_url": sandbox.ivr_url(),
                "time_scale": self.time_scale,
                "reserved_numbers": RESERVED_NUMBERS.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            });
            println!("{banner}");
            return wait_for_interrupt(sandbox);
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "yunhuni-sandbox listening on {}", sandbox.base_url());
        let _ = writeln!(out, "  base URL      {}", sandbox.base_url());
        let _ = writeln!(out, "  account id    {}", sandbox.account_id());
        let _ = writeln!(out, "  AppID         {}", sandbox.app_id());
        let _ = writeln!(out, "  CertID        {}", sandbox.cert_id());
        let _ = writeln!(out, "  secret key    {}", sandbox.secret_key());
        let _ = writeln!(
            out,
            "  sub-account   id {sub_id}, CertID {sub_cert}, secret key {sub_secret}"
        );
        let _ = writeln!(
            out,
            "  callback URL  {}",
            sandbox
                .callback_url()
                .as_deref()
                .unwrap_or("(none: events are not sent)")
        );
        if let Some(url) = sandbox.ivr_url() {
            let _ = writeln!(out, "  IVR URL       {url}");
        }
        let _ = writeln!(
            out,
            "  time scale    {}x, timestamps valid {} min",
            self.time_scale, self.expiry_minutes
        );
        let _ = writeln!(
            out,
            "  webhooks      {}",
            if self.utf8_webhooks {
                "UTF-8"
            } else {
                "ISO-8859-1 (as the platform)"
            }
        );
        let reserved: Vec<&str> = RESERVED_NUMBERS.iter().map(|(n, _)| *n).collect();
        let _ = writeln!(out, "  reserved numbers {}", reserved.join(" "));
        let _ = writeln!(
            out,
            "  inspect       {0}/sandbox/calls  {0}/sandbox/webhooks",
            sandbox.base_url()
        );
        let _ = writeln!(out, "To point a client at it, in another shell:");
        let _ = writeln!(out, "  export YUNHUNI_BASE_URL={}", sandbox.base_url());
        let _ = writeln!(out, "  export YUNHUNI_APP_ID={}", sandbox.app_id());
        let _ = writeln!(out, "  export YUNHUNI_CERT_ID={}", sandbox.cert_id());
        let _ = writeln!(out, "  export YUNHUNI_SECRET_KEY={}", sandbox.secret_key());
        let _ = out.flush();
        drop(out);

        wait_for_interrupt(sandbox)
    }
}

fn parse_app_settings(json: &str) -> Result<AppSettings, String> {
    serde_json::from_str(json).map_err(|e| format!("not app settings: {e}"))
}

fn parse_code(text: &str) -> Result<BusinessCode, String> {
    text.parse().map_err(|e: crate::CodeError| e.to_string())
}

fn parse_number_code(text: &str) -> Result<(String, BusinessCode), String> {
    let (number, code) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NUMBER=CODE, not {text:?}"))?;
    if number.is_empty() {
        return Err(format!("expected NUMBER=CODE, not {text:?}"));
    }
    Ok((number.to_owned(), parse_code(code)?))
}

/// Serves until Ctrl-C (SIGINT) or SIGTERM, then shuts the sandbox down.
fn wait_for_interrupt(sandbox: crate::Sandbox) -> std::process::ExitCode {
    let (tx, rx) = std::sync::mpsc::channel();
    if let Err(e) = ctrlc::set_handler(move || {
        let _ = tx.send(());
    }) {
        eprintln!("yunhuni-sandbox: cannot install the signal handler: {e}");
        sandbox.shutdown();
        return std::process::ExitCode::FAILURE;
    }
    let _ = rx.recv();
    eprintln!("yunhuni-sandbox: shutting down");
    sandbox.shutdown();
    std::process::ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: SandboxArgs,
    }

    #[test]
    fn defaults_match() {
        let cli = Cli::try_parse_from(["x"]).unwrap();
        assert_eq!(cli.args, SandboxArgs::default());
        let cli = Cli::try_parse_from([
            "x",
            "--time-scale",
            "100",
            "--utf8-webhooks",
            "--callback-url",
            "http://h/",
            "--ivr-url",
            "http://h/ivr",
        ])
        .unwrap();
        assert_eq!(cli.args.ivr_url.as_deref(), Some("http://h/ivr"));
        assert_eq!(cli.args.time_scale, 100.0);
        assert!(cli.args.utf8_webhooks);
        assert_eq!(cli.args.callback_url.as_deref(), Some("http://h/"));
        assert_eq!(cli.args.expiry_minutes, 50);
    }

    #[test]
    fn business_options() {
        let cli = Cli::try_parse_from([
            "x",
            "--app-offline",
            "--test-number",
            "13800000001",
            "--test-number",
            "13800000002",
            "--app-settings",
            r#"{"balance_exhausted":true}"#,
            "--number-code",
            "13800000003=020002:用户号码没有可用线路",
            "--number-code",
            "13900000001=010003",
            "--confirm-delay-ms",
            "500",
        ])
        .unwrap();
        let args = &cli.args;
        assert!(args.app_offline);
        assert_eq!(args.test_number, ["13800000001", "13800000002"]);
        assert!(args.app_settings.as_ref().unwrap().balance_exhausted);
        assert_eq!(args.number_code[0].0, "13800000003");
        assert_eq!(args.number_code[0].1.msg(), "用户号码没有可用线路");
        assert_eq!(args.confirm_delay_ms, 500);
        let sb = args
            .builder()
            .listen("127.0.0.1:0")
            .log(false)
            .start()
            .unwrap();
        let settings = sb.app_settings(sb.app_id()).unwrap();
        assert!(!settings.online && settings.balance_exhausted);
        assert_eq!(settings.test_numbers, ["13800000001", "13800000002"]);
        // The reserved behaviour stays, with the code added.
        let busy = sb.behavior("13900000001");
        assert_eq!(busy.answer, crate::Answer::Busy);
        assert_eq!(busy.code.unwrap().code(), "010003");
        for bad in [
            &["x", "--app-code", "999999"][..],
            &["x", "--app-code", "000000"],
            &["x", "--number-code", "13800000001"],
            &["x", "--number-code", "=010003"],
            &["x", "--app-settings", "{\"x\":1}"],
        ] {
            assert!(Cli::try_parse_from(bad).is_err(), "{bad:?}");
        }
    }
}
