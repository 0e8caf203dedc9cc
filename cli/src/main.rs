//! `yunhuni`: place voice callbacks, call any operation, receive events, run the sandbox, debug
//! signatures.

#![forbid(unsafe_code)]

mod api;
mod demo;
mod listen;
mod logging;
mod ops;
mod output;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  yunhuni demo                                   # a whole voice callback against the built-in sandbox
  yunhuni demo --scenario busy                   # other outcomes: busy, no-answer, party2-busy, timeout, cancel
  yunhuni demo --ivr                             # an IVR menu rehearsed with a scripted caller, step by step
  yunhuni demo --callcenter                      # two agents, three callers queued by an IVR <enqueue>, a transfer
  yunhuni call --to1 13800000001 --to2 13800000002 --max-call-duration 600
  yunhuni api --list                             # every operation of the platform
  yunhuni api conf_create max_duration=600 max_parts=5
  yunhuni listen --port 8090                     # print the events POSTed to http://127.0.0.1:8090/
  yunhuni sign --uri /v1/account/ID/call/duo_callback --body '{...}'

Credentials come from --app-id/--cert-id/--secret-key or YUNHUNI_APP_ID, YUNHUNI_CERT_ID,
YUNHUNI_SECRET_KEY (and YUNHUNI_BASE_URL, YUNHUNI_ACCOUNT_ID).

Proxy: --proxy URL or YUNHUNI_PROXY (http://host:port, https://..., socks5://...); without them
ALL_PROXY, HTTPS_PROXY or HTTP_PROXY (or lower-case; the first one set) is used, except for the
hosts in NO_PROXY; --no-proxy connects straight to the server whatever they say.

Logging: YUNHUNI_LOG=debug (or --verbose) prints each request (method, path, status, platform
code, duration; never the secret key or the signature) and each parsed event to stderr.
YUNHUNI_LOG takes off, error, warn, info, debug or trace; it is off by default.";

/// Voice callback (语音回拨) and every other operation of the Yunhuni (oneyun.com) platform,
/// from the shell.
#[derive(Debug, Parser)]
#[command(name = "yunhuni", version, after_help = format!("{EXAMPLES}\n\n{}", output::EXIT_CODES_HELP))]
struct Cli {
    /// Machine-readable JSON output
    #[arg(long, global = true)]
    json: bool,

    /// Print each request and each parsed event to stderr (as YUNHUNI_LOG=debug does)
    #[arg(long, short = 'v', global = true)]
    verbose: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a whole voice callback (or, with --ivr, an IVR menu; with --callcenter, a call
    /// center) against the built-in sandbox and show its events
    #[command(after_help = "\
Examples:
  yunhuni demo
  yunhuni demo --scenario party2-busy --time-scale 20
  yunhuni demo --scenario cancel --json
  yunhuni demo --ivr                   # caller presses 1 (sales), then 2 (order status)
  yunhuni demo --ivr --keys 2          # support
  yunhuni demo --ivr --keys 9 --json   # a key that is not on the menu
  yunhuni demo --callcenter            # agents, queues, routing, a transfer, callcenter.* events")]
    Demo(demo::DemoArgs),

    /// Place a voice callback (call/duo_callback) and print its call id
    #[command(after_help = "\
Examples:
  yunhuni call --to1 13800000001 --to2 13800000002 --max-call-duration 600 --user-data order-42
  YUNHUNI_BASE_URL=http://127.0.0.1:8080 yunhuni call --to1 13800000001 --to2 13800000002 --max-call-duration 60")]
    Call {
        #[command(flatten)]
        call: ops::OpFields<ops::CallOp>,
        #[command(flatten)]
        conn: ops::Connection,
    },

    /// Cancel a voice callback before party 2 is connected
    #[command(after_help = "Example:\n  yunhuni cancel 8a2bc6725b1d2e3f015b1d2f40a10001")]
    Cancel {
        #[command(flatten)]
        cancel: ops::OpFields<ops::CancelOp>,
        #[command(flatten)]
        conn: ops::Connection,
    },

    /// Call a number and play a voice notification (call/notify_call)
    #[command(after_help = "\
Example:
  yunhuni notify --to 13800000001 --play file:hello.wav --play amount:3245.24 --play datetime:2020-05-09")]
    Notify {
        #[command(flatten)]
        notify: ops::NotifyArgs,
        #[command(flatten)]
        conn: ops::Connection,
    },

    /// Call a number and read out a verification code (call/verify_call)
    #[command(after_help = "Example:\n  yunhuni verify --to 13800000001 --verify-code 759345")]
    Verify {
        #[command(flatten)]
        verify: ops::OpFields<ops::VerifyOp>,
        #[command(flatten)]
        conn: ops::Connection,
    },

    /// Call any of the platform's operations by name and print the answer's data as JSON
    #[command(
        after_help = "\
Each FIELD=VALUE sets a field of the operation, its value read as the field's type: integers,
true|false, lists as JSON or comma-separated. `yunhuni api NAME --help` lists the fields.

Examples:
  yunhuni api --list
  yunhuni api conf_create --help
  yunhuni api conf_create max_duration=600 max_parts=5 user_data=room-7
  yunhuni api conf_start_play conf_id=3f2a files=hello.wav,bye.wav --compact",
        override_usage = "yunhuni api OPERATION [FIELD=VALUE]... [OPTIONS]\n       yunhuni api OPERATION --help\n       yunhuni api --list",
        subcommand_value_name = "OPERATION",
        subcommand_help_heading = "Operations"
    )]
    Api(api::ApiArgs),

    /// Receive webhooks for development: print each event, answer 200 at once
    #[command(after_help = "\
Examples:
  yunhuni listen --port 8090
  yunhuni listen --port 8090 --json --count 1     # exit after the first event
  yunhuni listen --token s3cret                   # refuse POSTs without ?token=s3cret (401/403)
  yunhuni listen --redis redis://127.0.0.1:6379/  # duplicates remembered in Redis, shared")]
    Listen(listen::ListenArgs),

    /// Run the platform simulator (same options as yunhuni-sandbox)
    #[command(after_help = "\
Examples:
  yunhuni sandbox --listen 127.0.0.1:8080 --callback-url http://127.0.0.1:8090/ --time-scale 10")]
    Sandbox(yunhuni_sandbox::SandboxArgs),

    /// Print the string to sign and the signature of a request, to debug signing code
    #[command(after_help = "\
Example:
  yunhuni sign --app-id 0123456789abcdef0123456789abcdef --secret-key 00112233445566778899aabbccddeeff \\
    --timestamp 20170301120000 --uri /v1/account/fedcba9876543210fedcba9876543210/call/duo_callback \\
    --body '{\"to1\":\"13800000001\",\"to2\":\"13800000002\",\"max_call_duration\":60}'")]
    Sign {
        #[command(flatten)]
        sign: ops::SignArgs,
        #[command(flatten)]
        conn: ops::Credentials,
    },
}

/// The parsed command line; on a usage error, the error printed with any control character of
/// the arguments escaped, and its exit code (2).
fn parse() -> Result<Cli, ExitCode> {
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        // Help and version go to stdout as clap writes them.
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            eprint!("{}", output::clean_lines(&e.render().to_string()));
            Err(ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)))
        }
    }
}

fn main() -> ExitCode {
    let cli = match parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    logging::init(cli.verbose);
    let json = cli.json;
    let result = match &cli.command {
        Command::Demo(args) => return demo::run(args, json),
        Command::Listen(args) => return listen::run(args, json),
        Command::Sandbox(args) => return args.run(json),
        Command::Api(args) => return api::run(args, json),
        Command::Call { call, conn } => {
            ops::place(call.request(), conn).map(|c| ops::print_created(&c, json))
        }
        Command::Cancel { cancel, conn } => cancel.request().and_then(|request| {
            conn.client()?.send(&request)?;
            let call_id = request.get_str("call_id").unwrap_or_default();
            if json {
                output::print_json(&serde_json::json!({"cancelled": call_id}));
            } else {
                println!("cancelled {}", output::clean(call_id));
            }
            Ok(())
        }),
        Command::Notify { notify, conn } => {
            ops::place(notify.request(), conn).map(|c| ops::print_created(&c, json))
        }
        Command::Verify { verify, conn } => {
            ops::place(verify.request(), conn).map(|c| ops::print_created(&c, json))
        }
        Command::Sign { sign, conn } => ops::sign(sign, conn, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(output::report(&e, json)),
    }
}
