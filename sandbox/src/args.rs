//! Command-line options of the sandbox, shared by the `yunhuni-sandbox` binary and the
//! `yunhuni sandbox` subcommand.

use std::time::Duration;

use crate::config::{DEV_APP_ID, DEV_CERT_ID, DEV_SECRET_KEY};
use crate::{SandboxBuilder, RESERVED_NUMBERS};

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

    /// Simulated time runs this many times faster than real time
    #[arg(
        long,
        id = "sandbox_time_scale",
        value_name = "N",
        default_value_t = 1.0
    )]
    pub time_scale: f64,

    /// Minutes a request's Timestamp stays valid (future timestamps are always accepted)
    #[arg(
        long,
        id = "sandbox_expiry_minutes",
        value_name = "MIN",
        default_value_t = 5
    )]
    pub expiry_minutes: u64,

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
            time_scale: 1.0,
            expiry_minutes: 5,
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
        ])
        .unwrap();
        assert_eq!(cli.args.time_scale, 100.0);
        assert!(cli.args.utf8_webhooks);
        assert_eq!(cli.args.callback_url.as_deref(), Some("http://h/"));
    }
}
