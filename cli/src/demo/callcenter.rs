//! `yunhuni demo --callcenter`: a call center rehearsed against the built-in sandbox: two
//! agents log in with skills, three inbound callers reach an IVR served by this process on
//! 127.0.0.1 and are queued by its `<enqueue>`, one call is transferred from agent to agent,
//! and every `callcenter.*` event is shown, typed, as it arrives.
//!
//! The application is what a user would write: the setup (extensions, agents, queue
//! conditions) and the agents' actions go through the SDK's [`Client`]; the IVR documents are
//! built with `yunhuni::ivr::Response` and the platform's requests and events are read with
//! `IvrStart::parse`, `parse_ivr_next` and `Event::parse`. The sandbox plays the platform and
//! the people: the callers press their keys, the agents' softphones answer.
//!
//! The story is driven by the events: each step waits for the event that makes it possible
//! (an agent enters a conversation only once it has begun), so it reads the same at any time
//! scale.

use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use yunhuni::ivr::{parse_ivr_next, Enqueue, Get, IvrStart, Response as Ivr};
use yunhuni::{
    AgentEnter, AgentExit, AgentList, AgentLogin, Client, ConditionCreate, ConversationDismiss,
    ConversationGet, Event, ExtCreate, Skill,
};
use yunhuni_sandbox::http::{Request, Response, Server};
use yunhuni_sandbox::{Behavior, Sandbox};

use super::{fail, DemoArgs};
use crate::listen;
use crate::output::{self, clean};

/// The number the callers dial.
const SERVICE_NUMBER: &str = "4001000000";
/// How long the demo waits, in real time, for each step: this, plus the longest step of the
/// story (a caller's menu and an agent's ringing, about 5 s) in simulated time at least six
/// times over.
const WAIT: Duration = Duration::from_secs(60);
const STEP_SIM_SECS: f64 = 30.0;
/// How long a caller may wait in a queue, simulated seconds (the platform's longest).
const QUEUE_TIMEOUT_S: i64 = 1000;
/// How long the agents' softphones ring before they answer, simulated milliseconds.
const AGENT_ANSWER_MS: u64 = 2000;

/// An agent of the demo: name, SIP user of its softphone, skills (name, score).
struct AgentPlan {
    name: &'static str,
    sip_user: &'static str,
    skills: [(&'static str, i64); 2],
}

const AGENTS: [AgentPlan; 2] = [
    AgentPlan {
        name: "alice",
        sip_user: "100001",
        skills: [("sales", 90), ("support", 30)],
    },
    AgentPlan {
        name: "bob",
        sip_user: "100002",
        skills: [("sales", 60), ("support", 80)],
    },
];

/// A queue condition of the demo: its name, where, sort, priority, and what they mean.
struct ConditionPlan {
    name: &'static str,
    skill: &'static str,
    r#where: &'static str,
    sort: &'static str,
    priority: i64,
    meaning: &'static str,
}

const CONDITIONS: [ConditionPlan; 2] = [
    ConditionPlan {
        name: "sales",
        skill: "sales",
        r#where: "has(\"sales\");",
        sort: "get(\"sales\");",
        priority: 0,
        meaning: "agents with the sales skill, the highest sales score first",
    },
    ConditionPlan {
        name: "support",
        skill: "support",
        r#where: "get(\"support\") >= 50;",
        sort: "get(\"support\");",
        priority: 1,
        meaning: "agents whose support score is at least 50",
    },
];

/// The callers: number and the key each presses at the menu (1 sales, 2 support).
const CALLERS: [(&str, &str); 3] = [
    ("13800000011", "1"),
    ("13800000012", "2"),
    ("13800000013", "1"),
];

/// What the application saw, for the main thread.
enum AppStep {
    /// A request of the platform to the IVR application, and the document answered.
    Ivr {
        call_id: String,
        target: String,
        reply: String,
    },
    Event(Box<Event>),
    Error(String),
}

/// What the IVR application needs to know: its own base URL and the conditions' ids.
#[derive(Default)]
struct AppConfig {
    base: String,
    /// Condition ids by name (`sales`, `support`).
    conditions: HashMap<&'static str, String>,
}

/// The application's documents: a menu (1 sales, 2 support), the queue, goodbye.
fn document(
    config: &AppConfig,
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
) -> Result<(String, Ivr), String> {
    let url = |p: &str| format!("{}{p}", config.base);
    if method == "POST" {
        let start = IvrStart::parse(body).map_err(|e| format!("ivr_start: {e}"))?;
        let menu = Ivr::new()
            .get(
                Get::new()
                    .max_keys(1)
                    .play("welcome_press_1_sales_2_support.wav"),
            )
            .next(url("/menu"));
        return Ok((start.call_id.unwrap_or_default(), menu));
    }
    let next = parse_ivr_next(query).map_err(|e| format!("next request: {e}"))?;
    let call_id = next.call_id.clone().unwrap_or_default();
    let queue = |name: &str| -> Result<Ivr, String> {
        let id = config
            .conditions
            .get(name)
            .ok_or_else(|| format!("no queue condition {name:?}"))?;
        Ok(Ivr::new()
            .enqueue(
                Enqueue::condition(id.clone())
                    .choice("lru")
                    .wait_voice("hold_music.wav")
                    .user_data(format!("line={name}")),
            )
            .next(url("/after")))
    };
    let doc = match (path, next.keys.as_deref(), next.error.as_deref()) {
        ("/menu", Some("1"), _) => queue("sales")?,
        ("/menu", Some("2"), _) => queue("support")?,
        ("/menu", _, _) => Ivr::new().play("invalid_choice.wav").end_call(),
        // After the queue: `error` when no agent took the call, nothing when the conversation
        // is over.
        ("/after", _, Some(_)) => Ivr::new().play("all_agents_busy.wav").end_call(),
        _ => Ivr::new().play("goodbye.wav").end_call(),
    };
    Ok((call_id, doc))
}

/// The application's HTTP handler: events on `/events`, IVR requests on the other paths.
fn app(
    config: Arc<Mutex<AppConfig>>,
    tx: Mutex<mpsc::Sender<AppStep>>,
) -> impl Fn(&Request) -> Response {
    move |req: &Request| {
        let send = |step: AppStep| {
            if let Ok(tx) = tx.lock() {
                let _ = tx.send(step);
            }
        };
        if req.path == "/events" {
            match Event::parse(&req.body) {
                Ok(event) => send(AppStep::Event(Box::new(event))),
                Err(e) => send(AppStep::Error(format!("an event the SDK cannot read: {e}"))),
            }
            return Response::new(200);
        }
        let query = req.query.clone().unwrap_or_default();
        let target = if query.is_empty() {
            format!("{} {}", req.method, req.path)
        } else {
            format!("{} {}?{query}", req.method, req.path)
        };
        let doc = match config.lock() {
            Ok(config) => document(&config, &req.method, &req.path, &query, &req.body),
            Err(_) => Err("the application's state is poisoned".to_owned()),
        };
        match doc
            .and_then(|(call_id, d)| d.to_xml().map(|x| (call_id, x)).map_err(|e| e.to_string()))
        {
            Ok((call_id, xml)) => {
                send(AppStep::Ivr {
                    call_id,
                    target,
                    reply: xml.clone(),
                });
                Response::new(200)
                    .header("Content-Type", "application/xml; charset=utf-8")
                    .body(xml.into_bytes())
            }
            Err(e) => {
                send(AppStep::Error(e.clone()));
                Response::new(400).body(e.into_bytes())
            }
        }
    }
}

/// Readable names for the ids the platform hands out.
#[derive(Default)]
struct Names {
    /// Caller call id → "caller 1 (13800000011)".
    callers: HashMap<String, String>,
    /// Queue task id → caller call id.
    tasks: HashMap<String, String>,
    /// Condition id → name.
    conditions: HashMap<String, &'static str>,
    /// Extension id → SIP user as stored.
    extensions: HashMap<String, String>,
    /// Conversation id → "conversation 1".
    conversations: HashMap<String, String>,
    /// Agent call id → "alice's phone".
    agent_calls: HashMap<String, String>,
}

impl Names {
    fn caller(&self, call_id: Option<&str>) -> String {
        let id = call_id.unwrap_or("-");
        self.callers
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("call {id}"))
    }

    fn task(&self, task_id: Option<&str>) -> String {
        let caller = task_id.and_then(|t| self.tasks.get(t));
        caller.map_or_else(
            || format!("task {}", task_id.unwrap_or("-")),
            |c| format!("the queued call of {}", self.caller(Some(c))),
        )
    }

    fn condition(&self, id: Option<&str>) -> String {
        let id = id.unwrap_or("-");
        self.conditions
            .get(id)
            .map_or_else(|| format!("condition {id}"), |n| format!("condition {n:?}"))
    }

    fn extension(&self, id: Option<&str>) -> String {
        let id = id.unwrap_or("-");
        self.extensions
            .get(id)
            .map_or_else(|| format!("extension {id}"), |u| format!("extension {u}"))
    }

    fn conversation(&mut self, id: Option<&str>) -> String {
        let id = id.unwrap_or("-").to_owned();
        let n = self.conversations.len() + 1;
        self.conversations
            .entry(id)
            .or_insert_with(|| format!("conversation {n}"))
            .clone()
    }

    /// One readable line for an event, from its typed fields.
    fn describe(&mut self, event: &Event) -> String {
        let o = |v: &Option<String>| v.as_deref().unwrap_or("-").to_owned();
        let text = match event {
            Event::CallcenterQueueSelect(e) => {
                if let (Some(call), Some(agent)) = (&e.agent_call_id, &e.agent_name) {
                    self.agent_calls
                        .insert(call.clone(), format!("{agent}'s phone"));
                }
                format!(
                    "{} -> {} by {}: {} rings",
                    self.task(e.id.as_deref()),
                    o(&e.agent_name),
                    self.condition(e.condition_id.as_deref()),
                    self.extension(e.agent_extension_id.as_deref())
                )
            }
            Event::CallcenterQueueSuccess(e) => format!(
                "{} answered {}",
                o(&e.agent_name),
                self.task(e.id.as_deref())
            ),
            Event::CallcenterQueueFail(e) => format!(
                "{} found no agent: cause {}",
                self.task(e.id.as_deref()),
                o(&e.cause)
            ),
            Event::CallcenterAgentStateChanged(e) => format!(
                "{} {} -> {}",
                o(&e.name),
                o(&e.previous_state),
                o(&e.latest_state)
            ),
            Event::CallcenterAgentConversationChanged(e) => format!(
                "{} {} {} (now {})",
                o(&e.name),
                if e.kind.as_deref() == Some("exit") {
                    "left"
                } else {
                    "entered"
                },
                self.conversation(e.conversation_id.as_deref()),
                o(&e.latest_state)
            ),
            Event::CallcenterConversationBegin(e) => format!(
                "{} began ({}, {}, agent call {})",
                self.conversation(e.id.as_deref()),
                o(&e.kind),
                self.task(e.queue_id.as_deref()),
                e.agent_call_id
                    .as_deref()
                    .and_then(|c| self.agent_calls.get(c).cloned())
                    .unwrap_or_else(|| o(&e.agent_call_id))
            ),
            Event::CallcenterConversationPartsChanged(e) => format!(
                "{}: a member joined (user_data {})",
                self.conversation(e.id.as_deref()),
                o(&e.user_data)
            ),
            Event::CallcenterConversationEnd(e) => {
                let secs = match (e.begin_time, e.end_time) {
                    (Some(b), Some(end)) => format!(" after {} s", (end - b) / 1000),
                    _ => String::new(),
                };
                format!("{} ended{secs}", self.conversation(e.id.as_deref()))
            }
            Event::IvrGetEnd(e) => format!(
                "{} pressed {}",
                self.caller(e.id.as_deref()),
                e.keys
                    .as_deref()
                    .map_or("nothing".to_owned(), |k| format!("{k:?}"))
            ),
            Event::IvrPlayEnd(e) => format!(
                "{}: the prompt finished{}",
                self.caller(e.id.as_deref()),
                e.error
                    .as_deref()
                    .map_or(String::new(), |x| format!(" ({x})"))
            ),
            Event::IvrCallEnd(e) => format!(
                "{}: the call ended (end_by {})",
                self.caller(e.id.as_deref()),
                o(&e.end_by)
            ),
            other => return listen::describe(other),
        };
        format!("{:<38} {text}", event.name())
    }
}

/// A step of the story is over when the application has seen this.
type Until<'a> = dyn FnMut(&Seen) -> bool + 'a;

/// What arrived, as the wait predicates see it.
enum Seen<'a> {
    Ivr { call_id: &'a str, reply: &'a str },
    Event(&'a Event),
}

/// The running demo: the sandbox, the client, what was printed.
struct Run<'a> {
    rx: mpsc::Receiver<AppStep>,
    sandbox: &'a Sandbox,
    client: &'a Client,
    json_out: bool,
    t0: i64,
    /// How long to wait for one step, in real time.
    step_wait: Duration,
    names: Names,
    steps: Vec<Value>,
    events: Vec<Value>,
    routing: Vec<Value>,
    transfer: Value,
    errors: Vec<String>,
    /// Caller call id → condition name it queued for, until an agent is chosen.
    waiting: BTreeMap<String, &'static str>,
    /// Caller call id → condition it queued for.
    queued_for: HashMap<String, &'static str>,
    /// Conversation id by queue task id (once begun).
    conversations: HashMap<String, String>,
    /// Agent by caller call id (the one who answered last).
    agent_of: HashMap<String, String>,
    /// Callers whose call has ended.
    hung_up: std::collections::HashSet<String>,
    /// Callers whose queue failed, with the cause.
    failed: HashMap<String, String>,
    /// `ivr.call_end` and `callcenter.conversation.end` events seen.
    calls_ended: usize,
    conversations_ended: usize,
}

/// Why the demo stopped: a message, or an error of the SDK at a named step.
enum Stop {
    Message(String),
    Sdk(String, Box<yunhuni::Error>),
}

impl<'a> Run<'a> {
    fn print(&mut self, kind: &str, text: &str) {
        let secs = (self.sandbox.sim_now_ms() - self.t0) as f64 / 1000.0;
        self.steps
            .push(json!({"t": secs, "step": kind, "text": text}));
        if !self.json_out {
            let mut lines = text.lines();
            line_out(&format!(
                "  [{secs:5.1}s] {kind:<8} {}",
                clean(lines.next().unwrap_or(""))
            ));
            for line in lines {
                line_out(&format!("                     {}", clean(line)));
            }
        }
    }

    /// Calls the SDK, naming the step if it fails.
    fn sdk<T>(&self, what: &str, r: yunhuni::Result<T>) -> Result<T, Stop> {
        r.map_err(|e| Stop::Sdk(what.to_owned(), Box::new(e)))
    }

    /// Shows what arrives until `until` says the step is over.
    fn wait(&mut self, what: &str, until: &mut Until<'_>) -> Result<(), Stop> {
        let started = Instant::now();
        loop {
            let step = match self.rx.recv_timeout(Duration::from_millis(20)) {
                Ok(step) => step,
                Err(mpsc::RecvTimeoutError::Timeout) if started.elapsed() < self.step_wait => {
                    continue
                }
                Err(_) => {
                    return Err(Stop::Message(format!(
                        "the demo waited {} s for {what}, in vain{}",
                        self.step_wait.as_secs(),
                        self.last_steps()
                    )))
                }
            };
            let failed = matches!(step, AppStep::Error(_));
            if self.show(step, until) {
                return Ok(());
            }
            if failed {
                return Err(Stop::Message(format!(
                    "the application failed while waiting for {what}: {}",
                    self.errors.last().map_or("", String::as_str)
                )));
            }
        }
    }

    /// The last step of each caller's call as the sandbox recorded it, for an error message.
    fn last_steps(&self) -> String {
        let mut lines: Vec<String> = self
            .names
            .callers
            .iter()
            .filter_map(|(id, who)| {
                let info = self.sandbox.call(id)?;
                let last = info.timeline.last()?;
                Some(format!("{who}: {}", last.what))
            })
            .collect();
        lines.sort();
        if lines.is_empty() {
            String::new()
        } else {
            format!("; the calls' last steps: {}", lines.join("; "))
        }
    }

    /// Prints one thing the application saw; `true` when it ends the step.
    fn show(&mut self, step: AppStep, until: &mut Until<'_>) -> bool {
        match step {
            AppStep::Ivr {
                call_id,
                target,
                reply,
            } => {
                let who = self.names.caller(Some(&call_id));
                let what = if reply.contains("<enqueue") {
                    "queue it"
                } else if reply.contains("<get") {
                    "menu"
                } else {
                    "goodbye"
                };
                self.print("ivr", &format!("{who}: {target}\n{what}: {reply}"));
                if let Some(name) = CONDITIONS.iter().find(|c| {
                    self.names
                        .conditions
                        .iter()
                        .any(|(id, n)| *n == c.name && reply.contains(id.as_str()))
                }) {
                    self.queued_for.insert(call_id.clone(), name.name);
                    self.waiting.insert(call_id.clone(), name.name);
                }
                until(&Seen::Ivr {
                    call_id: &call_id,
                    reply: &reply,
                })
            }
            AppStep::Event(event) => {
                self.note(&event);
                let text = self.names.describe(&event);
                self.print("event", &text);
                self.events.push(json!({
                    "name": event.name(),
                    "text": text,
                    "event": event.to_value(),
                }));
                until(&Seen::Event(&event))
            }
            AppStep::Error(e) => {
                self.print("error", &e);
                self.errors.push(e);
                false
            }
        }
    }

    /// Keeps track of tasks, conversations and routing from the events; a routing decision
    /// is printed with its reasons.
    fn note(&mut self, event: &Event) {
        match event {
            Event::CallcenterQueueSelect(e) => {
                let (Some(task), Some(caller)) = (&e.id, &e.origin_call_id) else {
                    return;
                };
                self.names.tasks.insert(task.clone(), caller.clone());
                self.waiting.remove(caller);
                let agent = e.agent_name.clone().unwrap_or_default();
                self.agent_of.insert(caller.clone(), agent.clone());
                let condition = self.queued_for.get(caller).copied();
                self.route(caller, &agent, condition);
            }
            Event::CallcenterConversationBegin(e) => {
                if let (Some(conv), Some(task)) = (&e.id, &e.queue_id) {
                    self.conversations.insert(task.clone(), conv.clone());
                }
            }
            Event::CallcenterQueueFail(e) => {
                if let Some(caller) = &e.origin_call_id {
                    self.waiting.remove(caller);
                    let cause = e.cause.clone().unwrap_or_else(|| "unknown".into());
                    self.failed.insert(caller.clone(), cause);
                }
            }
            Event::CallcenterConversationEnd(_) => self.conversations_ended += 1,
            Event::IvrCallEnd(e) => {
                self.calls_ended += 1;
                if let Some(id) = &e.id {
                    self.hung_up.insert(id.clone());
                }
            }
            _ => {}
        }
    }

    /// The routing line: who took the caller and why, with the other agents as they are now.
    fn route(&mut self, caller: &str, agent: &str, condition: Option<&'static str>) {
        let who = self.names.caller(Some(caller));
        let Some(plan) = condition.and_then(|n| CONDITIONS.iter().find(|c| c.name == n)) else {
            self.print("route", &format!("{who} -> {agent}"));
            return;
        };
        let states = self.agent_states();
        let others: Vec<String> = AGENTS
            .iter()
            .map(|a| {
                let score = a
                    .skills
                    .iter()
                    .find(|(s, _)| *s == plan.skill)
                    .map_or(0, |(_, v)| *v);
                let state = if a.name == agent {
                    "chosen".to_owned()
                } else {
                    states
                        .get(a.name)
                        .cloned()
                        .unwrap_or_else(|| "unknown".to_owned())
                };
                format!("{} {}={score} ({state})", a.name, plan.skill)
            })
            .collect();
        let text = format!(
            "{who} -> {agent} by condition {:?} ({}); agents now: {}",
            plan.name,
            plan.meaning,
            others.join(", ")
        );
        self.routing.push(json!({
            "caller": who,
            "agent": agent,
            "condition": plan.name,
            "why": text,
        }));
        self.print("route", &text);
    }

    /// The agents' states, as `agent_list` answers now (empty if it fails: the line is then
    /// shorter, the demo goes on).
    fn agent_states(&self) -> HashMap<String, String> {
        let page = self.client.agent_list(&AgentList::new());
        let mut states = HashMap::new();
        if let Ok(page) = page {
            for a in page["result"].as_array().into_iter().flatten() {
                if let (Some(n), Some(s)) = (a["name"].as_str(), a["state"].as_str()) {
                    states.insert(n.to_owned(), s.to_owned());
                }
            }
        }
        states
    }

    /// The queue as it stands: who waits for which condition, what each agent does.
    fn print_queue(&mut self) {
        let states = self.agent_states();
        let waiting: Vec<String> = self
            .waiting
            .iter()
            .map(|(c, cond)| format!("{} for {cond:?}", self.names.caller(Some(c))))
            .collect();
        let agents: Vec<String> = AGENTS
            .iter()
            .map(|a| {
                format!(
                    "{} {}",
                    a.name,
                    states.get(a.name).map_or("unknown", String::as_str)
                )
            })
            .collect();
        let waiting = if waiting.is_empty() {
            "nobody".to_owned()
        } else {
            waiting.join(", ")
        };
        self.print(
            "queue",
            &format!("waiting: {waiting}; agents: {}", agents.join(", ")),
        );
    }

    /// A caller dials in; its keys were scripted beforehand.
    fn call_in(&mut self, index: usize) -> Result<String, Stop> {
        let (number, key) = CALLERS[index];
        let call_id = self
            .sandbox
            .inbound_call(number, SERVICE_NUMBER)
            .map_err(|e| Stop::Message(format!("the inbound call of {number} was refused: {e}")))?;
        let label = format!("caller {} ({number})", index + 1);
        self.names.callers.insert(call_id.clone(), label.clone());
        let line = if key == "1" { "sales" } else { "support" };
        self.print(
            "call",
            &format!("{label} dials {SERVICE_NUMBER} and will press {key} ({line})"),
        );
        Ok(call_id)
    }

    /// Waits until an agent was chosen for the caller and their conversation has begun (the
    /// two events may arrive in either order); the conversation's id.
    fn conversation_of(&mut self, caller: &str, who: &str) -> Result<String, Stop> {
        loop {
            let task = self
                .names
                .tasks
                .iter()
                .find(|(_, c)| c.as_str() == caller)
                .map(|(t, _)| t);
            if let Some(conv) = task.and_then(|t| self.conversations.get(t)) {
                return Ok(conv.clone());
            }
            if self.hung_up.contains(caller) {
                return Err(Stop::Message(format!(
                    "{who}'s call ended before an agent took it{}",
                    self.last_steps()
                )));
            }
            if let Some(cause) = self.failed.get(caller) {
                return Err(Stop::Message(format!(
                    "the queue failed for {who} (cause {cause}){}",
                    if cause == "timeout" {
                        ": the wait ran out in simulated time; try a lower --time-scale"
                    } else {
                        ""
                    }
                )));
            }
            self.wait(&format!("the conversation of {who}"), &mut |_| true)?;
        }
    }

    /// Waits for an agent's `conversation_changed` of `kind` in `conv`.
    fn agent_moved(&mut self, agent: &str, kind: &str, conv: &str) -> Result<(), Stop> {
        let mut until = |seen: &Seen| {
            matches!(seen, Seen::Event(Event::CallcenterAgentConversationChanged(e))
                if e.name.as_deref() == Some(agent)
                    && e.kind.as_deref() == Some(kind)
                    && e.conversation_id.as_deref() == Some(conv))
        };
        self.wait(&format!("{agent} to {kind} the conversation"), &mut until)
    }

    /// Waits until the sandbox has queued the caller and no agent was chosen for it.
    fn waits_in_queue(&mut self, caller: &str) -> Result<(), Stop> {
        let mut served = false;
        let mut until = |seen: &Seen| matches!(seen, Seen::Ivr { call_id, reply } if *call_id == caller && reply.contains("<enqueue"));
        self.wait("the caller's <enqueue>", &mut until)?;
        // The platform runs the action once it has read the document: its note on the
        // caller's timeline says the call is queued.
        let started = Instant::now();
        while !served {
            served = self.sandbox.call(caller).is_some_and(|c| {
                c.timeline
                    .iter()
                    .any(|t| t.what.starts_with("<enqueue>: waiting"))
            });
            if !served {
                if started.elapsed() > self.step_wait {
                    return Err(Stop::Message("the caller was never queued".into()));
                }
                if let Ok(step) = self.rx.recv_timeout(Duration::from_millis(5)) {
                    self.show(step, &mut |_| false);
                }
            }
        }
        // The sandbox's own record of the events it sent: no agent was chosen for the caller.
        let routed = self.sandbox.cc_events().iter().any(|e| {
            e.event == "callcenter.queue.select"
                && String::from_utf8_lossy(&e.body).contains(caller)
        });
        if routed {
            return Err(Stop::Message(format!(
                "{} was routed at once, where the story expects it to wait",
                self.names.caller(Some(caller))
            )));
        }
        Ok(())
    }
}

/// A text the platform's answer must hold.
fn answered(data: &Value, key: &str, op: &str) -> Result<String, Stop> {
    data[key]
        .as_str()
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| Stop::Message(format!("{op} answered without {key:?}: {data}")))
}

/// Writes a line to stdout; a closed stdout (`| head`) is not an error worth a panic.
fn line_out(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

pub(super) fn run(args: &DemoArgs, json_out: bool) -> ExitCode {
    // 1. The application (IVR documents and the events' receiver), on a free loopback port.
    let (tx, rx) = mpsc::channel::<AppStep>();
    let config = Arc::new(Mutex::new(AppConfig::default()));
    let server = match Server::start(
        "127.0.0.1:0",
        Arc::new(app(Arc::clone(&config), Mutex::new(tx))),
    ) {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot start the application: {e}"), json_out),
    };
    let app_url = format!("http://{}", server.local_addr());
    if let Ok(mut c) = config.lock() {
        c.base.clone_from(&app_url);
    }

    // 2. The sandbox: IVR requests to the app, events to its /events.
    let sandbox = match Sandbox::builder()
        .callback_url(format!("{app_url}/events"))
        .ivr_url(format!("{app_url}/ivr"))
        .time_scale(args.time_scale)
        .log(false)
        .start()
    {
        Ok(s) => s,
        Err(e) => return fail(&format!("cannot start the sandbox: {e}"), json_out),
    };
    // The people: the agents' softphones answer after ringing, the callers press their key;
    // nobody hangs up on their own (the agents end the conversations).
    for a in &AGENTS {
        sandbox.set_behavior(a.sip_user, Behavior::answer_after(AGENT_ANSWER_MS));
    }
    for (number, key) in CALLERS {
        sandbox.set_behavior(number, Behavior::answer_after(0).presses([key]));
    }
    // The sandbox is on loopback in this process: no proxy of the environment applies.
    let client = Client::builder(sandbox.app_id(), sandbox.cert_id(), sandbox.secret_key())
        .base_url(sandbox.base_url())
        .no_proxy()
        .user_agent(format!("yunhuni-cli/{}", env!("CARGO_PKG_VERSION")))
        .build();
    let client = match client {
        Ok(c) => c,
        Err(e) => return ExitCode::from(output::report(&e, json_out)),
    };
    let mut run = Run {
        rx,
        sandbox: &sandbox,
        client: &client,
        json_out,
        t0: sandbox.sim_now_ms(),
        step_wait: WAIT + Duration::from_secs_f64(STEP_SIM_SECS / args.time_scale),
        names: Names::default(),
        steps: Vec::new(),
        events: Vec::new(),
        routing: Vec::new(),
        transfer: Value::Null,
        errors: Vec::new(),
        waiting: BTreeMap::new(),
        queued_for: HashMap::new(),
        conversations: HashMap::new(),
        agent_of: HashMap::new(),
        failed: HashMap::new(),
        hung_up: std::collections::HashSet::new(),
        calls_ended: 0,
        conversations_ended: 0,
    };
    run.print(
        "setup",
        &format!(
            "sandbox running at {} ({}x time); IVR application at {app_url}/ivr",
            sandbox.base_url(),
            args.time_scale
        ),
    );
    let result = story(&mut run, &config);
    sandbox.shutdown();
    server.shutdown();
    let Run {
        steps,
        events,
        routing,
        transfer,
        errors,
        ..
    } = run;
    match result {
        Ok(()) if errors.is_empty() => {
            if json_out {
                output::print_json(&json!({
                    "steps": steps,
                    "routing": routing,
                    "transfer": transfer,
                    "events": events,
                    "errors": errors,
                }));
            }
            ExitCode::SUCCESS
        }
        Ok(()) => fail(
            &format!(
                "the application met {} error(s): {}",
                errors.len(),
                errors.join("; ")
            ),
            json_out,
        ),
        Err(Stop::Message(m)) => fail(&m, json_out),
        Err(Stop::Sdk(step, e)) => {
            if !json_out {
                eprintln!("error: the demo stopped at {step}");
            }
            ExitCode::from(output::report(&e, json_out))
        }
    }
}

/// The whole rehearsal, step by step.
fn story(run: &mut Run<'_>, config: &Mutex<AppConfig>) -> Result<(), Stop> {
    let client = run.client;
    // Extensions: a SIP softphone per agent, registered.
    let mut extensions = Vec::new();
    for a in &AGENTS {
        let ext = run.sdk(
            &format!("ext_create for {}", a.name),
            client.ext_create(&ExtCreate::new("1").user(a.sip_user).password("123456")),
        )?;
        let id = answered(&ext, "id", "ext_create")?;
        let user = answered(&ext, "user", "ext_create")?;
        run.sandbox.register_extension(&id, true);
        run.names.extensions.insert(id.clone(), user.clone());
        run.print(
            "setup",
            &format!(
                "ext_create: SIP extension {user} ({id}) for {}; its softphone registers",
                a.name
            ),
        );
        extensions.push(id);
    }
    // Agents, idle, with their skills.
    for (a, ext) in AGENTS.iter().zip(&extensions) {
        let skills = a
            .skills
            .iter()
            .map(|(s, score)| Skill::new(*s).score(*score).enabled(true))
            .collect();
        run.sdk(
            &format!("agent_login {}", a.name),
            client.agent_login(
                &AgentLogin::new(a.name, ext.clone())
                    .state("idle")
                    .skills(skills),
            ),
        )?;
        let skills: Vec<String> = a.skills.iter().map(|(s, v)| format!("{s}={v}")).collect();
        run.print(
            "setup",
            &format!(
                "agent_login: {} on {}, idle, skills {}",
                a.name,
                run.names.extension(Some(ext)),
                skills.join(" ")
            ),
        );
    }
    // Queue conditions.
    for c in &CONDITIONS {
        let created = run.sdk(
            &format!("condition_create {}", c.name),
            client.condition_create(
                &ConditionCreate::new(c.r#where, QUEUE_TIMEOUT_S)
                    .sort(c.sort)
                    .priority(c.priority)
                    .fetch_timeout(30)
                    .remark(format!("{} line", c.name)),
            ),
        )?;
        let id = answered(&created, "conditionId", "condition_create")?;
        run.names.conditions.insert(id.clone(), c.name);
        if let Ok(mut config) = config.lock() {
            config.conditions.insert(c.name, id.clone());
        }
        run.print(
            "setup",
            &format!(
                "condition_create {:?} ({id}): where {} sort {} priority {}: {}",
                c.name, c.r#where, c.sort, c.priority, c.meaning
            ),
        );
    }
    run.print_queue();

    // Caller 1 (sales): both agents idle; the highest sales score takes it.
    let caller1 = run.call_in(0)?;
    let conv1 = run.conversation_of(&caller1, "caller 1")?;
    let first = run.agent_of.get(&caller1).cloned().unwrap_or_default();
    let other = AGENTS
        .iter()
        .map(|a| a.name)
        .find(|n| *n != first)
        .unwrap_or("bob");
    run.print_queue();

    // The transfer: the other agent enters the conversation, then the first leaves it.
    let conv_name = run.names.conversation(Some(&conv1));
    run.print(
        "transfer",
        &format!(
            "{first} transfers caller 1 to {other}: agent_enter {other} into {conv_name}, then agent_exit {first} (xfer_agent is a stub on the platform: it answers true and does nothing)"
        ),
    );
    run.sdk(
        &format!("agent_enter {other}"),
        client.agent_enter(&AgentEnter::new(other, conv1.clone())),
    )?;
    run.agent_moved(other, "enter", &conv1)?;
    run.sdk(
        &format!("agent_exit {first}"),
        client.agent_exit(&AgentExit::new(first.clone(), conv1.clone())),
    )?;
    run.agent_moved(&first, "exit", &conv1)?;
    let members = run.sdk(
        "conversation_get",
        client.conversation_get(&ConversationGet::new(conv1.clone())),
    )?;
    let now_in: Vec<String> = members["members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["end_time"].is_null())
        .map(|m| match m["name"].as_str() {
            Some(agent) => agent.to_owned(),
            None => run.names.caller(m["call_id"].as_str()),
        })
        .collect();
    run.print(
        "transfer",
        &format!("done: {conv_name} now holds {}", now_in.join(" and ")),
    );
    run.transfer = json!({
        "caller": run.names.caller(Some(&caller1)),
        "from": first,
        "to": other,
        "conversation_id": conv1,
        "members_after": now_in,
    });
    if let Some(a) = run.agent_of.get_mut(&caller1) {
        other.clone_into(a);
    }

    // Caller 2 (support): only bob matches, and bob is talking: the caller waits.
    let caller2 = run.call_in(1)?;
    run.waits_in_queue(&caller2)?;
    run.print(
        "queue",
        "caller 2 waits: no idle agent matches condition \"support\" (get(\"support\") >= 50)",
    );
    run.print_queue();

    // Caller 3 (sales): the one idle agent takes it.
    let caller3 = run.call_in(2)?;
    let conv3 = run.conversation_of(&caller3, "caller 3")?;
    run.print_queue();

    // The agent with caller 1 hangs up: free again, it takes the waiting caller 2.
    run.print(
        "agent",
        &format!("{other} finishes with caller 1 (agent_exit): an agent that becomes idle takes the oldest waiting caller it matches"),
    );
    run.sdk(
        &format!("agent_exit {other}"),
        client.agent_exit(&AgentExit::new(other, conv1.clone())),
    )?;
    let conv2 = run.conversation_of(&caller2, "caller 2")?;
    run.print_queue();

    // The end: caller 3's agent hangs up, caller 2's conversation is dismissed.
    let third = run.agent_of.get(&caller3).cloned().unwrap_or_default();
    run.print(
        "agent",
        &format!("{third} finishes with caller 3 (agent_exit)"),
    );
    run.sdk(
        &format!("agent_exit {third}"),
        client.agent_exit(&AgentExit::new(third.clone(), conv3.clone())),
    )?;
    run.print(
        "agent",
        "caller 2's conversation is dismissed (conversation_dismiss)",
    );
    run.sdk(
        "conversation_dismiss",
        client.conversation_dismiss(&ConversationDismiss::new(conv2.clone())),
    )?;
    // Every caller hears goodbye and the call ends; every conversation has ended.
    while run.calls_ended < CALLERS.len() || run.conversations_ended < 3 {
        run.wait("the three calls and conversations to end", &mut |_| true)?;
    }
    run.print_queue();
    let routed = run.routing.len();
    let events = run
        .events
        .iter()
        .filter(|e| {
            e["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("callcenter."))
        })
        .count();
    run.print(
        "done",
        &format!("3 callers served, {routed} routing decisions, 1 transfer, {events} callcenter.* events"),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> AppConfig {
        let mut c = AppConfig {
            base: "http://h".into(),
            ..AppConfig::default()
        };
        c.conditions.insert("sales", "a".repeat(32));
        c.conditions.insert("support", "b".repeat(32));
        c
    }

    #[test]
    fn the_documents() {
        let c = config();
        let doc = |method, path, query: &str| {
            let (_, d) = document(
                &c,
                method,
                path,
                query,
                br#"{"action":"ivr_start","from":"13800000011","type":"ivr_incoming","call_id":"x"}"#,
            )
            .unwrap();
            d.to_xml().unwrap()
        };
        assert!(doc("POST", "/ivr", "").contains("<get"));
        let sales = doc("GET", "/menu", "call_id=x&type=get&keys=1");
        assert!(
            sales.contains("<enqueue") && sales.contains(&"a".repeat(32)),
            "{sales}"
        );
        assert!(doc("GET", "/menu", "call_id=x&type=get&keys=2").contains(&"b".repeat(32)));
        assert!(doc("GET", "/menu", "call_id=x&type=get&keys=9").contains("invalid_choice.wav"));
        assert!(doc("GET", "/after", "call_id=x&type=enqueue&error=timeout")
            .contains("all_agents_busy.wav"));
        assert!(doc("GET", "/after", "call_id=x&type=enqueue").contains("goodbye.wav"));
        assert!(document(&c, "POST", "/ivr", "", b"not json").is_err());
        let empty = AppConfig::default();
        assert!(
            document(&empty, "GET", "/menu", "call_id=x&type=get&keys=1", b"")
                .unwrap_err()
                .contains("sales")
        );
    }
}
