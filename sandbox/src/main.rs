//! `yunhuni-sandbox`: runs the platform simulator, or prints a signed `curl` command for it.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use yunhuni_sandbox::{
    signing, SandboxArgs, DEV_APP_ID, DEV_CERT_ID, DEV_SECRET_KEY, DEV_SUB_CERT_ID,
    DEV_SUB_SECRET_KEY,
};

const EXAMPLES: &str = "\
Examples:
  # Run on port 8080, POSTing end events to a local listener, 10x faster than real time:
  yunhuni-sandbox --listen 127.0.0.1:8080 --callback-url http://127.0.0.1:9000/hook --time-scale 10

  # Print a signed curl command that places a callback (run it within 50 minutes):
  yunhuni-sandbox sign --path call/duo_callback \\
      --body '{\"to1\":\"13800000001\",\"to2\":\"13800000002\",\"max_call_duration\":60}'

  # An app that is not online, with two test numbers, and a number refused with 010003:
  yunhuni-sandbox --app-offline --test-number 13800000001 --test-number 13800000002 \\
      --number-code 13800000003=010003

  # Script a number while the sandbox runs:
  curl -X PUT http://127.0.0.1:8080/sandbox/numbers/13800000002 -d '{\"answer\":\"busy\"}'";

/// A local simulator of the Yunhuni (oneyun.com) cloud telephony REST API.
///
/// Serves the call API with the platform's signature check, simulates calls, and POSTs their
/// end events to the callback URL byte for byte as the platform does. Prints the development
/// credentials and the base URL at start; Ctrl-C stops it.
#[derive(Debug, Parser)]
#[command(name = "yunhuni-sandbox", version, after_help = EXAMPLES)]
struct Cli {
    #[command(flatten)]
    args: SandboxArgs,

    /// Print the start-up banner (base URL, credentials) as one JSON object
    #[arg(long)]
    json: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print a ready-to-run curl command for a signed API request
    Sign(SignArgs),
}

/// Signs a request with the sandbox's own signing code and prints it as a curl command.
#[derive(Debug, clap::Args)]
struct SignArgs {
    /// Request path: a full `/v1/account/<id>/...` path, or a short one such as
    /// `call/duo_callback` (expanded with the account id = the CertID)
    #[arg(long, value_name = "PATH")]
    path: String,

    /// Request body (for POST/PUT)
    #[arg(long, value_name = "JSON", default_value = "")]
    body: String,

    /// HTTP method
    #[arg(long, default_value = "POST")]
    method: String,

    /// Content-Type header to send and sign (for POST/PUT)
    #[arg(
        long,
        value_name = "TYPE",
        default_value = "application/json; charset=utf-8"
    )]
    content_type: String,

    /// Base URL of the sandbox
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8080")]
    base_url: String,

    /// AppID to sign with
    #[arg(long, value_name = "ID", default_value = DEV_APP_ID)]
    app_id: String,

    /// CertID to sign with (default: the development account's)
    #[arg(long, value_name = "ID")]
    cert_id: Option<String>,

    /// Secret key to sign with (default: the development account's)
    #[arg(long, value_name = "KEY")]
    secret_key: Option<String>,

    /// Sign with the default sub-account's CertID and secret key
    #[arg(long, conflicts_with_all = ["cert_id", "secret_key"])]
    sub_account: bool,

    /// Timestamp to sign (yyyyMMddHHmmss, UTC+8); default: now
    #[arg(long, value_name = "TS")]
    timestamp: Option<String>,
}

/// Quotes a string for a POSIX shell (plain words are left as they are).
fn shell_quote(s: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:@%+=,-".contains(c);
    if !s.is_empty() && s.chars().all(plain) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn curl_command(args: &SignArgs) -> String {
    let (cert_id, secret_key) = if args.sub_account {
        (DEV_SUB_CERT_ID.to_owned(), DEV_SUB_SECRET_KEY.to_owned())
    } else {
        (
            args.cert_id.clone().unwrap_or_else(|| DEV_CERT_ID.into()),
            args.secret_key
                .clone()
                .unwrap_or_else(|| DEV_SECRET_KEY.into()),
        )
    };
    // The account id in the path is the main account's CertID (a sub-account signs with its
    // own CertID but keeps its account's path).
    let account = match (&args.cert_id, args.sub_account) {
        (Some(cert_id), false) => cert_id.as_str(),
        _ => DEV_CERT_ID,
    };
    let path = if args.path.starts_with('/') {
        args.path.clone()
    } else {
        format!(
            "/v1/account/{account}/{}",
            args.path.trim_start_matches('/')
        )
    };
    let timestamp = args
        .timestamp
        .clone()
        .unwrap_or_else(signing::timestamp_now);
    let has_content = signing::method_has_content(&args.method);
    let uri = path.split('?').next().unwrap_or(&path);
    let to_sign = signing::string_to_sign(
        &args.method,
        args.body.as_bytes(),
        Some(&args.content_type),
        &timestamp,
        &args.app_id,
        uri,
    );
    let signature = signing::signature(&secret_key, &to_sign);
    let url = format!("{}{}", args.base_url.trim_end_matches('/'), path);
    let mut lines = vec![
        format!(
            "curl -sS -i -X {} {}",
            shell_quote(&args.method),
            shell_quote(&url)
        ),
        format!("-H {}", shell_quote(&format!("AppID: {}", args.app_id))),
        format!("-H {}", shell_quote(&format!("CertID: {cert_id}"))),
        format!("-H {}", shell_quote(&format!("Timestamp: {timestamp}"))),
        format!("-H {}", shell_quote(&format!("Signature: {signature}"))),
    ];
    if has_content {
        lines.push(format!(
            "-H {}",
            shell_quote(&format!("Content-Type: {}", args.content_type))
        ));
        lines.push(format!("--data-binary {}", shell_quote(&args.body)));
    }
    lines.join(" \\\n  ")
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Some(Command::Sign(sign)) => {
            println!("{}", curl_command(sign));
            ExitCode::SUCCESS
        }
        None => cli.args.run(cli.json),
    }
}
