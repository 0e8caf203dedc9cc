//! `yunhuni demo`: a whole voice callback against the built-in sandbox, with its events;
//! `yunhuni demo --ivr`: a two-level IVR menu rehearsed with a scripted caller (`demo/ivr.rs`);
//! `yunhuni demo --callcenter`: agents, queues, routing and a transfer (`demo/callcenter.rs`).

mod callcenter;
mod ivr;

use crate::listen;
use crate::output::{self, clean, Spinner};
use clap::{Args, ValueEnum};
use serde_json::json;
use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use yunhuni::{Client, DuoCallback, Event};
use yunhuni_sandbox::http::{Request, Response, Server};
use yunhuni_sandbox::{Behavior, CallState, Sandbox, TimelineEntry};

/// What the demo call runs into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// Both answer and talk; party 2 hangs up after 5 s
    Connected,
    /// Party 1 is busy
    Busy,
    /// Party 1 does not answer within max_dial_duration
    NoAnswer,
    /// Party 1 answers, party 2 is busy
    Party2Busy,
    /// Nobody hangs up: the platform ends the call at max_call_duration
    Timeout,
    /// The call is cancelled through the API while party 2 rings
    Cancel,
}

/// Arguments of `yunhuni demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Which outcome to show
    #[arg(long, value_enum, default_value_t = Scenario::Connected)]
    pub scenario: Scenario,
    /// Simulated time runs this many times faster than real time
    #[arg(long, default_value_t = 5.0)]
    pub time_scale: f64,
    /// Rehearse a two-level IVR menu instead: an application served by this command on
    /// 127.0.0.1, a caller dialling it, every request, XML reply, action, key and event shown
    #[arg(long, conflicts_with = "scenario")]
    pub ivr: bool,
    /// With --ivr: the keys the caller presses, one entry per menu, comma-separated (1 sales,
    /// then 2 order status; an empty entry presses nothing)
    #[arg(long, default_value = "1,2", requires = "ivr")]
    pub keys: String,
    /// Rehearse a call center instead: two agents log in with skills, three callers reach an
    /// IVR served by this command and are queued by its <enqueue>; the routing, a transfer
    /// and every callcenter.* event are shown
    #[arg(long, conflicts_with_all = ["scenario", "ivr"])]
    pub callcenter: bool,
}

const PARTY1: &str = "13800000001";
const PARTY2: &str = "13800000002";
const USER_DATA: &str = "demo-order-42";
/// How long the demo waits, in real time, for the end event.
const WAIT: Duration = Duration::from_secs(120);

struct Plan {
    request: DuoCallback,
    cancel_when: Option<CallState>,
}

fn plan(sandbox: &Sandbox, scenario: Scenario) -> Plan {
    let base = |to1: &str, to2: &str| {
        DuoCallback::new(to1, to2, 60)
            .max_dial_duration(30)
            .user_data(USER_DATA)
    };
    let (request, cancel_when) = match scenario {
        Scenario::Connected => (base(PARTY1, PARTY2), None),
        Scenario::Busy => (base("13900000001", PARTY2), None),
        Scenario::NoAnswer => (base("13900000002", PARTY2), None),
        Scenario::Party2Busy => (base(PARTY1, "13900000001"), None),
        Scenario::Timeout => {
            sandbox.set_behavior(PARTY1, Behavior::answer_after(2000));
            sandbox.set_behavior(PARTY2, Behavior::answer_after(2000));
            (
                DuoCallback {
                    max_call_duration: 10,
                    ..base(PARTY1, PARTY2)
                },
                None,
            )
        }
        Scenario::Cancel => (base(PARTY1, "13900000002"), Some(CallState::Dialing2)),
    };
    Plan {
        request,
        cancel_when,
    }
}

/// How the demo shows one step of the sandbox's timeline, if at all.
fn step_words(entry: &TimelineEntry, call: &DuoCallback) -> Option<String> {
    Some(match entry.state {
        CallState::Dialing1 => format!("dialing party 1 ({})", call.to1),
        CallState::Answered1 => "party 1 answered".into(),
        CallState::Dialing2 => format!("dialing party 2 ({})", call.to2),
        CallState::Connected => "connected: the two parties are talking".into(),
        CallState::Releasing => format!("hung up: {}", entry.what),
        CallState::Closed if entry.what.contains("end event") => {
            format!("released: {}", entry.what)
        }
        // `incoming` is an inbound IVR call's state, never a callback's.
        CallState::Closed | CallState::Incoming => return None,
    })
}

fn fail(message: &str, json_out: bool) -> ExitCode {
    if json_out {
        output::print_json(&json!({"error": {"kind": "demo", "message": message}}));
    } else {
        eprintln!("error: {}", clean(message));
    }
    ExitCode::from(1)
}

pub fn run(args: &DemoArgs, json_out: bool) -> ExitCode {
    if !(args.time_scale.is_finite() && args.time_scale > 0.0 && args.time_scale <= 10_000.0) {
        return fail(
            "--time-scale must be a number above 0 and at most 10000",
            json_out,
        );
    }
    if args.ivr {
        return ivr::run(args, json_out);
    }
    if args.callcenter {
        return callcenter::run(args, json_out);
    }
    // 1. A webhook listener on a free loopback port.
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let tx = Mutex::new(tx);
    let receiver = Server::start(
        "127.0.0.1:0",
        Arc::new(move |req: &Request| {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(req.body.clone());
            }
            Response::new(200)
        }),
    );
    let receiver = match receiver {
        Ok(r) => r,
        Err(e) => return fail(&format!("cannot start the webhook listener: {e}"), json_out),
    };
    let webhook_url = format!("http://{}/yunhuni/events", receiver.local_addr());

    // 2. The sandbox, in this process.
    let sandbox = match Sandbox::builder()
        .callback_url(&webhook_url)
        .time_scale(args.time_scale)
        .log(false)
        .start()
    {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot start the sandbox: {e}"), json_out),
    };
    let Plan {
        request,
        cancel_when,
    } = plan(&sandbox, args.scenario);
    let say = |line: String| {
        if !json_out {
            println!("{}", clean(&line));
        }
    };
    say(format!(
        "sandbox running at {} ({}x time)",
        sandbox.base_url(),
        args.time_scale
    ));
    say(format!("webhook listener at {webhook_url}"));

    // 3. Place the callback with the SDK, as an application would.
    // The sandbox is on loopback in this process: no proxy of the environment applies.
    let client = Client::builder(sandbox.app_id(), sandbox.cert_id(), sandbox.secret_key())
        .base_url(sandbox.base_url())
        .no_proxy()
        .user_agent(format!("yunhuni-cli/{}", env!("CARGO_PKG_VERSION")))
        .build()
        .and_then(|c| c.duo_callback(&request).map(|created| (c, created)));
    let (client, created) = match client {
        Ok(ok) => ok,
        Err(e) => return ExitCode::from(output::report(&e, json_out)),
    };
    say(format!(
        "placed voice callback {} ({} -> {}, user_data {:?})",
        created.call_id, request.to1, request.to2, USER_DATA
    ));

    // 4. Show the call's progress as the sandbox reports it.
    let spinner = Spinner::start(!json_out);
    let started = Instant::now();
    let mut shown = 0;
    let mut first_ms = None;
    let mut timeline = Vec::new();
    let mut cancelled = false;
    let mut show_progress = |info: &yunhuni_sandbox::CallInfo| {
        for entry in &info.timeline[shown..] {
            let t0 = *first_ms.get_or_insert(entry.sim_time_ms);
            let secs = (entry.sim_time_ms - t0) as f64 / 1000.0;
            timeline.push(json!({"t": secs, "state": entry.state.as_str(), "what": entry.what}));
            if let Some(words) = step_words(entry, &request) {
                if !json_out {
                    spinner.println(&format!("  [{secs:5.1}s] {words}"));
                }
                spinner.set(format!("{words} ..."));
            }
        }
        shown = info.timeline.len();
    };
    let body = loop {
        if let Some(info) = sandbox.call(&created.call_id) {
            show_progress(&info);
            if !cancelled && cancel_when == Some(info.state) {
                cancelled = true;
                match client.cancel_duo_callback(&created.call_id) {
                    Ok(()) => {
                        if !json_out {
                            spinner.println(
                                "          cancelled through the API (duo_callback_cancel)",
                            );
                        }
                    }
                    Err(e) => {
                        spinner.finish();
                        return ExitCode::from(output::report(&e, json_out));
                    }
                }
            }
        }
        match rx.recv_timeout(Duration::from_millis(10)) {
            Ok(body) => break body,
            Err(mpsc::RecvTimeoutError::Timeout) if started.elapsed() < WAIT => {}
            Err(_) => {
                spinner.finish();
                return fail("no end event arrived in time", json_out);
            }
        }
    };
    // The steps recorded while the event was on its way.
    if let Some(info) = sandbox.call(&created.call_id) {
        show_progress(&info);
    }
    spinner.finish();
    sandbox.shutdown();
    receiver.shutdown();

    // 5. Parse the end event with the SDK.
    let event = match Event::parse(&body) {
        Ok(e) => e,
        Err(e) => return ExitCode::from(output::report(&e, json_out)),
    };
    if json_out {
        output::print_json(
            &json!({"call_id": created.call_id, "scenario": format!("{:?}", args.scenario),
                   "timeline": timeline, "event": event.to_value(), "raw": event.raw_json()}),
        );
        return ExitCode::SUCCESS;
    }
    println!("end event received: {}", listen::describe(&event));
    if let Event::DuoCallbackEnd(end) = &event {
        let outcome = end.outcome();
        println!("  outcome      {outcome} ({})", outcome.describe());
        println!("  talk time    {} s", end.talk_seconds());
        let by = end.hung_up_by().map_or("unknown", |by| by.describe());
        println!("  hung up by   {by}");
        if let Some(error) = &end.error {
            println!("  error        {}", clean(error));
        }
        println!(
            "  user_data    {}",
            clean(end.user_data.as_deref().unwrap_or("(none)"))
        );
    }
    println!("  raw body     {}", clean(event.raw_json()));
    ExitCode::SUCCESS
}
