//! `yunhuni`: place voice callbacks, receive their events, run the sandbox, debug signatures.

mod demo;
mod listen;
mod ops;
mod output;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

const EXAMPLES: &str = "\
Examples:
  yunhuni demo                                   # a whole voice callback against the built-in sandbox
  yunhuni demo --scenario busy                   # other outcomes: busy, no-answer, party2-busy, timeout, cancel
  yunhuni call --to1 13800000001 --to2 13800000002 --max-call-duration 600
  yunhuni listen --port 8090                     # print the events POSTed to http://127.0.0.1:8090/
  yunhuni sign --uri /v1/account/ID/call/duo_callback --body '{...}'

Credentials come from --app-id/--cert-id/--secret-key or YUNHUNI_APP_ID, YUNHUNI_CERT_ID,
YUNHUNI_SECRET_KEY (and YUNHUNI_BASE_URL, YUNHUNI_ACCOUNT_ID).";

/// Voice callback (语音回拨) and the other simple calls of the Yunhuni (oneyun.com) platform,
/// from the shell.
#[derive(Debug, Parser)]
#[command(name = "yunhuni", version, after_help = format!("{EXAMPLES}\n\n{}", output::EXIT_CODES_HELP))]
struct Cli {
    /// Machine-readable JSON output
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a whole voice callback against the built-in sandbox and show its events
    #[command(after_help = "\
Examples:
  yunhuni demo
  yunhuni demo --scenario party2-busy --time-scale 20
  yunhuni demo --scenario cancel --json")]
    Demo(demo::DemoArgs),

    /// Place a voice callback (call/duo_callback) and print its call id
    #[command(after_help = "\
Examples:
  yunhuni call --to1 13800000001 --to2 13800000002 --max-call-duration 600 --user-data order-42
  YUNHUNI_BASE_URL=http://127.0.0.1:8080 yunhuni call --to1 13800000001 --to2 13800000002 --max-call-duration 60")]
    Call {
        #[command(flatten)]
        call: ops::CallArgs,
        #[command(flatten)]
        conn: ops::Connection,
    },

    /// Cancel a voice callback before party 2 is connected
    #[command(after_help = "Example:\n  yunhuni cancel 8a2bc6725b1d2e3f015b1d2f40a10001")]
    Cancel {
        /// The call id printed by `yunhuni call`
        call_id: String,
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
        verify: ops::VerifyArgs,
        #[command(flatten)]
        conn: ops::Connection,
    },

    /// Receive webhooks for development: print each event, answer 200 at once
    #[command(after_help = "\
Examples:
  yunhuni listen --port 8090
  yunhuni listen --port 8090 --json --count 1     # exit after the first event")]
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
        conn: ops::Connection,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    let result = match &cli.command {
        Command::Demo(args) => return demo::run(args, json),
        Command::Listen(args) => return listen::run(args, json),
        Command::Sandbox(args) => return args.run(json),
        Command::Call { call, conn } => conn
            .client()
            .and_then(|c| c.duo_callback(&call.request()))
            .map(|c| ops::print_created(&c, json)),
        Command::Cancel { call_id, conn } => conn
            .client()
            .and_then(|c| c.cancel_duo_callback(call_id))
            .map(|()| {
                if json {
                    println!("{}", serde_json::json!({"cancelled": call_id}));
                } else {
                    println!("cancelled {call_id}");
                }
            }),
        Command::Notify { notify, conn } => notify
            .request()
            .and_then(|req| conn.client().and_then(|c| c.notify_call(&req)))
            .map(|c| ops::print_created(&c, json)),
        Command::Verify { verify, conn } => conn
            .client()
            .and_then(|c| c.verify_call(&verify.request()))
            .map(|c| ops::print_created(&c, json)),
        Command::Sign { sign, conn } => ops::sign(sign, conn, json),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => ExitCode::from(output::report(&e, json)),
    }
}
