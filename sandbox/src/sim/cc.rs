//! The call center (platform notes 2 §4): extensions, agents, queue conditions, queue tasks
//! (`<enqueue>` of an IVR call, `agent/{n}/call_agent`), agent and outside calls, and
//! conversations, with every `callcenter.*` event byte for byte (§4.7, §8).
//!
//! Agents: `online`, `idle`, `fetching`, `talking`, `busy`, `away` (with `/suffix` for busy and
//! away). Only platform-made transitions send `callcenter.agent.state_changed`: chosen by a
//! task or called by an operation (`idle` → `fetching`), its extension answers (`fetching` →
//! `talking`), its call ends (→ the reserve state, `idle` by default; a failed ring → `idle`).
//! An agent that becomes `idle` (login, API, end of call) takes the oldest waiting task of
//! its conditions, highest condition priority first.
//!
//! A queue task waits for an agent (`queue_timeout`: `callcenter.queue.fail` `timeout`),
//! selects one (`callcenter.queue.select`; `choice` `lru` = highest `sort` score then oldest
//! activity, anything else uniformly random among the eligible), rings its extension
//! (`fetch_timeout`; failure `call_fail`; the caller gone `hangup`), and on answer
//! (`callcenter.queue.success`) the conversation begins. A conversation ends when one member
//! or none is left, when it is dismissed, or at its longest duration; an IVR caller then
//! goes on with its script (the next request without result).
//!
//! An extension's phone rings as the number's behaviour says: the `telnum` of a gateway or
//! phone extension, the `user` (as given) of a SIP extension. SIP extensions stay disabled
//! until their terminal registers (`Sandbox::register_extension`).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Instant;

use super::call::dial_outcome_for;
use super::cc_expr::{self, Program, Skills};
use super::engine::{Engine, Wake};
use super::{lock, Job, Shared};
use crate::behavior::Behavior;
use crate::business::BusinessCode as Code;
use crate::events::{self, json_string, EventMap};

/// An agent's registration lapses 24 hours after its login or last keepalive.
pub(crate) const REG_EXPIRE_MS: i64 = 24 * 3600 * 1000;
/// Most members of a conversation.
pub(crate) const MAX_MEMBERS: usize = 8;
/// Longest conversation, seconds.
const MAX_CONVERSATION_S: i64 = 21_600;
/// Ring timeout of an agent call without `fetch_timeout` (a condition's default).
const DEFAULT_FETCH_S: i64 = 45;
/// Ring timeout of an outside call without one.
const DEFAULT_DIAL_MS: i64 = 50_000;
/// Most `callcenter.*` events kept for inspection.
const EVENT_HISTORY: usize = 50_000;
/// Finished tasks, calls and conversations kept.
const HISTORY: usize = 20_000;

const QUEUE_ORDER: &[&str] = &[
    "agent_name",
    "agent_extension_id",
    "cause",
    "action",
    "subaccount_id",
    "id",
    "user_data",
    "event",
    "type",
    "origin_call_id",
    "condition_id",
    "agent_call_id",
];
const STATE_ORDER: &[&str] = &[
    "previous_state",
    "name",
    "latest_state",
    "action",
    "subaccount_id",
    "user_data",
    "event",
    "current_time",
];
const CONV_CHANGED_ORDER: &[&str] = &[
    "conversation_id",
    "name",
    "latest_state",
    "action",
    "subaccount_id",
    "user_data",
    "event",
    "type",
    "current_time",
];
const BEGIN_ORDER: &[&str] = &[
    "action",
    "subaccount_id",
    "id",
    "user_data",
    "event",
    "type",
    "queue_id",
    "agent_call_id",
];
const END_ORDER: &[&str] = &[
    "end_time",
    "begin_time",
    "action",
    "subaccount_id",
    "id",
    "user_data",
    "event",
    "type",
];
const PARTS_ORDER: &[&str] = &["action", "subaccount_id", "id", "user_data", "event"];

fn order_of(event: &str) -> &'static [&'static str] {
    match event {
        "callcenter.agent.state_changed" => STATE_ORDER,
        "callcenter.agent.conversation_changed" => CONV_CHANGED_ORDER,
        "callcenter.conversation.begin" => BEGIN_ORDER,
        "callcenter.conversation.end" => END_ORDER,
        "callcenter.conversation.parts_changed" => PARTS_ORDER,
        _ => QUEUE_ORDER,
    }
}

/// The `<enqueue>` of an IVR document or of `call_agent`, with what the platform uses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Enqueue {
    pub(crate) choice: Option<String>,
    pub(crate) conversation_timeout: Option<i64>,
    pub(crate) reserve_state: Option<String>,
    pub(crate) wait_voice: Option<String>,
    pub(crate) hold_voice: Option<String>,
    pub(crate) play_num: bool,
    pub(crate) pre_num_voice: Option<String>,
    pub(crate) post_num_voice: Option<String>,
    pub(crate) user_data: Option<String>,
    pub(crate) route: Route,
}

/// Where a task looks for an agent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) enum Route {
    /// `<route/>` without a target: the queue fails.
    #[default]
    Nothing,
    Condition(String),
    Agent {
        name: String,
        priority: Option<i64>,
        queue_timeout: Option<i64>,
        fetch_timeout: Option<i64>,
    },
}

impl Enqueue {
    /// Reads a valid `<enqueue>` element.
    pub(crate) fn from_node(node: roxmltree::Node) -> Enqueue {
        let text = |n: roxmltree::Node, a: &str| n.attribute(a).map(|v| v.trim().to_owned());
        let int = |n: roxmltree::Node, a: &str| n.attribute(a).and_then(|v| v.trim().parse().ok());
        let route = node
            .children()
            .find(|c| c.is_element())
            .and_then(|r| r.children().find(|c| c.is_element()));
        let route = match route {
            Some(t) if t.tag_name().name() == "condition" => {
                Route::Condition(text(t, "id").unwrap_or_default())
            }
            Some(t) if t.tag_name().name() == "agent" => Route::Agent {
                name: text(t, "name").unwrap_or_default(),
                priority: int(t, "priority"),
                queue_timeout: int(t, "queue_timeout"),
                fetch_timeout: int(t, "fetch_timeout"),
            },
            _ => Route::Nothing,
        };
        Enqueue {
            choice: text(node, "choice"),
            conversation_timeout: int(node, "conversation_timeout"),
            reserve_state: text(node, "reserve_state"),
            wait_voice: text(node, "wait_voice"),
            hold_voice: text(node, "hold_voice"),
            play_num: matches!(
                node.attribute("play_num").map(str::trim),
                Some("true" | "1")
            ),
            pre_num_voice: text(node, "pre_num_voice"),
            post_num_voice: text(node, "post_num_voice"),
            user_data: node.attribute("user_data").map(str::to_owned),
            route,
        }
    }
}

/// A scheduled state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) enum Step {
    /// A call of the call center (agent or outside) answers.
    Answered,
    /// A call of the call center is not answered (or rejected).
    DialFailed,
    /// A party of a call of the call center hangs up.
    Hangup,
    /// A task's `queue_timeout` is over.
    QueueTimeout,
    /// A conversation reaches its longest duration.
    ConversationMax,
    /// An IVR caller's call was released.
    CallerGone,
}

#[derive(Debug, Clone)]
struct Skill {
    name: String,
    score: i64,
    enabled: bool,
}

#[derive(Debug, Clone)]
struct Ext {
    id: String,
    app_id: String,
    sub: Option<String>,
    kind: &'static str,
    user: Option<String>,
    /// The user as given (a SIP extension's behaviour is the behaviour of this number).
    given_user: Option<String>,
    password: Option<String>,
    telnum: Option<String>,
    enable: bool,
    agent: Option<String>,
}

#[derive(Debug, Clone)]
struct Agent {
    name: String,
    app_id: String,
    sub: Option<String>,
    url: Option<String>,
    num: Option<String>,
    state: String,
    ext: Option<String>,
    skills: Vec<Skill>,
    last_reg: i64,
    last_active: i64,
    /// The agent's live call.
    call: Option<Arc<str>>,
}

impl Skills for Agent {
    fn score(&self, skill: &str) -> Option<i64> {
        self.skills
            .iter()
            .find(|s| s.name == skill && s.enabled)
            .map(|s| s.score)
    }
}

#[derive(Debug)]
struct Cond {
    id: String,
    created: i64,
    last: i64,
    tenant: String,
    app_id: String,
    sub: Option<String>,
    where_: String,
    sort: Option<String>,
    priority: Option<i32>,
    queue_timeout: i32,
    fetch_timeout: Option<i32>,
    remark: Option<String>,
    where_prog: Program,
    sort_prog: Program,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TaskState {
    Waiting,
    Fetching,
    Done,
}

#[derive(Debug)]
struct Task {
    id: Arc<str>,
    kind: &'static str,
    origin: Arc<str>,
    /// Whether the origin is an IVR call (its script goes on when the task is over).
    ivr: bool,
    app_id: String,
    sub: Option<String>,
    url: Option<String>,
    user_data: Option<String>,
    cond: Option<String>,
    agent_route: Option<String>,
    priority: i64,
    fetch_ms: i64,
    lru: bool,
    reserve: Option<String>,
    max_conv_s: i64,
    hold_voice: Option<String>,
    num_voice: Option<String>,
    seq: u64,
    state: TaskState,
    /// The conversation the chosen agent joins (`call_agent`: the caller's).
    conv: Option<Arc<str>>,
    agent: Option<String>,
    agent_call: Option<Arc<str>>,
    /// Whether the task waits where nothing will find it (an agent route whose agent was
    /// busy, as on the server).
    lost: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallState {
    Ringing,
    Talking,
    Over,
}

/// What a call of the call center is for.
#[derive(Debug, Clone)]
enum Purpose {
    /// The extension of an agent chosen by a task.
    Fetch(Arc<str>),
    /// `call_out`: the agent first, then `to`.
    CallOut { to: String, max_dial_ms: i64 },
    /// `call_agent`: the agent first, then a task for another agent.
    CallAgent(Box<Enqueue>),
    /// `enter`: the agent joins a conversation.
    Enter,
    /// An outside number dialled into a conversation.
    Outside,
}

#[derive(Debug)]
struct Call {
    agent: Option<String>,
    number: String,
    ext: Option<String>,
    app_id: String,
    state: CallState,
    behavior: Behavior,
    purpose: Purpose,
    conv: Option<Arc<str>>,
    mode: i32,
    generation: u64,
    max_ms: i64,
}

#[derive(Debug, Clone)]
struct Member {
    name: Option<String>,
    ext: Option<String>,
    telnumber: Option<String>,
    call: Arc<str>,
    begin: i64,
    end: Option<i64>,
    mode: i32,
}

#[derive(Debug)]
struct Conv {
    id: Arc<str>,
    kind: &'static str,
    app_id: String,
    sub: Option<String>,
    url: Option<String>,
    user_data: Option<String>,
    queue_id: Option<Arc<str>>,
    agent_call: Option<Arc<str>>,
    begin: Option<i64>,
    end: Option<i64>,
    max_s: i64,
    hold_voice: Option<String>,
    reserve: Option<String>,
    members: Vec<Member>,
    /// The IVR caller of a queue conversation.
    caller: Option<Arc<str>>,
}

impl Conv {
    fn active(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| m.end.is_none())
    }
}

/// Everything of the call center.
pub(in crate::sim) struct Cc {
    exts: HashMap<String, Ext>,
    ext_order: Vec<String>,
    agents: HashMap<(String, String), Agent>,
    agent_order: Vec<(String, String)>,
    conds: HashMap<String, Cond>,
    cond_order: Vec<String>,
    tasks: HashMap<Arc<str>, Task>,
    waiting: VecDeque<Arc<str>>,
    finished_tasks: VecDeque<Arc<str>>,
    calls: HashMap<Arc<str>, Call>,
    finished_calls: VecDeque<Arc<str>>,
    convs: HashMap<Arc<str>, Conv>,
    conv_order: VecDeque<Arc<str>>,
    /// IVR caller → the task or conversation it is in.
    callers: HashMap<Arc<str>, Arc<str>>,
    /// IVR call id → the results of its next request, once its queue is over.
    pub(in crate::sim) resume: HashMap<Arc<str>, Vec<(&'static str, String)>>,
    events: VecDeque<(&'static str, Arc<[u8]>)>,
    seq: u64,
    rng: u64,
    pub(in crate::sim) queued: u64,
    pub(in crate::sim) delivered: u64,
    pub(in crate::sim) failed: u64,
    routing_ns: u128,
    routing_count: u64,
}

/// Routing decisions made and the time they took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoutingStats {
    /// Decisions (an agent chosen for a task, or a task for an agent that became idle).
    pub decisions: u64,
    /// Real nanoseconds spent in them.
    pub total_ns: u128,
}

/// A call-center event as queued: name and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CcEvent {
    /// The event name (`callcenter.queue.select`, ...).
    pub event: String,
    /// The body as sent.
    pub body: Vec<u8>,
}

impl Cc {
    pub(in crate::sim) fn new() -> Self {
        Cc {
            exts: HashMap::new(),
            ext_order: Vec::new(),
            agents: HashMap::new(),
            agent_order: Vec::new(),
            conds: HashMap::new(),
            cond_order: Vec::new(),
            tasks: HashMap::new(),
            waiting: VecDeque::new(),
            finished_tasks: VecDeque::new(),
            calls: HashMap::new(),
            finished_calls: VecDeque::new(),
            convs: HashMap::new(),
            conv_order: VecDeque::new(),
            callers: HashMap::new(),
            resume: HashMap::new(),
            events: VecDeque::new(),
            seq: 0,
            rng: 0x9E37_79B9_7F4A_7C15,
            queued: 0,
            delivered: 0,
            failed: 0,
            routing_ns: 0,
            routing_count: 0,
        }
    }

    pub(in crate::sim) fn settle(&mut self, delivered: bool) {
        if delivered {
            self.delivered += 1;
        } else {
            self.failed += 1;
        }
    }

    fn random(&mut self, n: usize) -> usize {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        (x % n.max(1) as u64) as usize
    }

    fn evict(&mut self) {
        while self.finished_tasks.len() > HISTORY {
            if let Some(id) = self.finished_tasks.pop_front() {
                self.tasks.remove(&id);
            }
        }
        while self.finished_calls.len() > HISTORY {
            if let Some(id) = self.finished_calls.pop_front() {
                self.calls.remove(&id);
            }
        }
        while self.conv_order.len() > HISTORY {
            let Some(id) = self.conv_order.front().cloned() else {
                break;
            };
            if self.convs.get(&id).is_some_and(|c| c.end.is_none()) {
                break;
            }
            self.conv_order.pop_front();
            self.convs.remove(&id);
        }
    }
}

/// Who asks: app and sub-account.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CcAsker<'a> {
    pub(crate) app_id: &'a str,
    pub(crate) sub: Option<&'a str>,
    pub(crate) tenant: &'a str,
    pub(crate) url: Option<&'a str>,
}

/// A skill change of `agent/{n}/skills`.
#[derive(Debug, Clone)]
pub(crate) struct SkillOp {
    pub(crate) opt: i32,
    pub(crate) name: Option<String>,
    pub(crate) score: Option<i64>,
    pub(crate) enabled: Option<bool>,
}

/// A login.
#[derive(Debug, Clone)]
pub(crate) struct Login {
    pub(crate) name: String,
    pub(crate) num: Option<String>,
    pub(crate) state: String,
    pub(crate) ext: String,
    pub(crate) skills: Vec<(String, i64, bool)>,
}

/// A condition's fields.
#[derive(Debug, Clone)]
pub(crate) struct CondInput {
    pub(crate) where_: String,
    pub(crate) sort: Option<String>,
    pub(crate) priority: Option<i32>,
    pub(crate) queue_timeout: i32,
    pub(crate) fetch_timeout: Option<i32>,
    pub(crate) remark: Option<String>,
}

fn busy_state(state: &str) -> bool {
    state.contains("fetching") || state.contains("talking")
}

fn opt_json(v: Option<&str>) -> String {
    v.map_or_else(|| "null".into(), json_string)
}

fn opt_num<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "null".into(), |n| n.to_string())
}

/// The page object of the lists.
pub(crate) fn page(items: &[String], page_no: i64, page_size: i64) -> String {
    let total = items.len() as i64;
    let pages = (total + page_size - 1) / page_size;
    let first = (page_no - 1) * page_size;
    let result: Vec<&String> = items
        .iter()
        .skip(usize::try_from(first).unwrap_or(usize::MAX))
        .take(usize::try_from(page_size).unwrap_or(0))
        .collect();
    let result = if result.is_empty() && total == 0 {
        "[]".to_owned()
    } else {
        format!(
            "[{}]",
            result
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    format!(
        "{{\"pageSize\":{page_size},\"startIndex\":{},\"totalCount\":{total},\"totalPageCount\":{pages},\"currentPageNo\":{page_no},\"result\":{result}}}",
        first + 1
    )
}

impl Ext {
    fn json(&self) -> String {
        format!(
            "{{\"id\":{},\"type\":{},\"user\":{},\"password\":{},\"ipaddr\":null,\"telnum\":{},\"enable\":{}}}",
            json_string(&self.id),
            json_string(self.kind),
            opt_json(self.user.as_deref()),
            opt_json(self.password.as_deref()),
            opt_json(self.telnum.as_deref()),
            self.enable
        )
    }

    /// The number whose behaviour the extension's phone has.
    fn number(&self) -> String {
        self.telnum
            .clone()
            .or_else(|| self.given_user.clone())
            .unwrap_or_default()
    }
}

impl Agent {
    fn json(&self) -> String {
        let skills: Vec<String> = self
            .skills
            .iter()
            .map(|s| {
                format!(
                    "{{\"name\":{},\"score\":{},\"enabled\":{}}}",
                    json_string(&s.name),
                    s.score,
                    s.enabled
                )
            })
            .collect();
        format!(
            "{{\"name\":{},\"subaccountId\":{},\"num\":{},\"state\":{},\"extension\":{},\"skills\":[{}]}}",
            json_string(&self.name),
            opt_json(self.sub.as_deref()),
            opt_json(self.num.as_deref()),
            json_string(&self.state),
            opt_json(self.ext.as_deref()),
            skills.join(",")
        )
    }
}

impl Cond {
    fn json(&self) -> String {
        format!(
            "{{\"id\":{},\"createTime\":{},\"lastTime\":{},\"tenantId\":{},\"appId\":{},\"subaccount_id\":{},\"where\":{},\"sort\":{},\"priority\":{},\"queue_timeout\":{},\"fetch_timeout\":{},\"remark\":{}}}",
            json_string(&self.id),
            self.created,
            self.last,
            json_string(&self.tenant),
            json_string(&self.app_id),
            opt_json(self.sub.as_deref()),
            json_string(&self.where_),
            opt_json(self.sort.as_deref()),
            opt_num(self.priority),
            self.queue_timeout,
            opt_num(self.fetch_timeout),
            opt_json(self.remark.as_deref()),
        )
    }
}

impl Conv {
    fn json(&self, with_members: bool) -> String {
        let members = if with_members {
            let m: Vec<String> = self
                .members
                .iter()
                .map(|m| {
                    format!(
                        "{{\"name\":{},\"extension_id\":{},\"telnumber\":{},\"call_id\":{},\"begin_time\":{},\"end_time\":{},\"mode\":{}}}",
                        opt_json(m.name.as_deref()),
                        opt_json(m.ext.as_deref()),
                        opt_json(m.telnumber.as_deref()),
                        json_string(&m.call),
                        m.begin,
                        opt_num(m.end),
                        m.mode
                    )
                })
                .collect();
            format!("[{}]", m.join(","))
        } else {
            "null".into()
        };
        format!(
            "{{\"id\":{},\"type\":{},\"subaccount_id\":{},\"queue_id\":{},\"begin_time\":{},\"end_time\":{},\"end_reason\":null,\"members\":{members}}}",
            json_string(&self.id),
            json_string(self.kind),
            opt_json(self.sub.as_deref()),
            opt_json(self.queue_id.as_deref()),
            opt_num(self.begin),
            opt_num(self.end),
        )
    }
}

type R<T> = Result<T, Code>;

impl Shared {
    /// Runs `f` on the engine brought up to now, then wakes the scheduler.
    pub(crate) fn cc<T>(&self, f: impl FnOnce(&mut Engine, &Shared, i64) -> T) -> T {
        let out = {
            let mut engine = self.engine_now();
            let now = self.clock.now_ms();
            f(&mut engine, self, now)
        };
        self.scheduler_wake.notify_one();
        out
    }

    fn queue_cc_event(&self, cc: &mut Cc, url: Option<&str>, name: &'static str, m: &EventMap) {
        let utf8 = self.settings.utf8_webhooks;
        let body: Arc<[u8]> = events::encode_body(&m.render(order_of(name)), utf8).into();
        cc.events.push_back((name, Arc::clone(&body)));
        while cc.events.len() > EVENT_HISTORY {
            cc.events.pop_front();
        }
        let Some(url) = url.filter(|u| !crate::lenient::is_blank(u)) else {
            return;
        };
        cc.queued += 1;
        cc.seq += 1;
        lock(&self.outbox).push_back(
            Job {
                call_id: format!("cc-{}", cc.seq).into(),
                event: name,
                url: url.to_owned(),
                body,
                utf8,
            }
            .into(),
        );
        self.outbox_ready.notify_one();
    }

    /// The call-center events queued so far (at most the last 50,000), in order.
    pub(crate) fn cc_events(&self) -> Vec<CcEvent> {
        let engine = lock(&self.engine);
        engine
            .cc
            .events
            .iter()
            .map(|(n, b)| CcEvent {
                event: (*n).to_owned(),
                body: b.to_vec(),
            })
            .collect()
    }

    /// Call-center events queued for a URL, delivered, given up on.
    pub(crate) fn cc_event_counts(&self) -> (u64, u64, u64) {
        let engine = lock(&self.engine);
        (engine.cc.queued, engine.cc.delivered, engine.cc.failed)
    }

    pub(crate) fn cc_routing_stats(&self) -> RoutingStats {
        let engine = lock(&self.engine);
        RoutingStats {
            decisions: engine.cc.routing_count,
            total_ns: engine.cc.routing_ns,
        }
    }
}

fn base(event: &'static str, sub: Option<&str>) -> EventMap {
    let mut m = EventMap::default();
    m.text("action", Some("event_notify"))
        .text("event", Some(event))
        .text("subaccount_id", sub);
    m
}

impl Engine {
    fn cc_new_id(&mut self) -> Arc<str> {
        self.ids.next().into()
    }

    // ---------------------------------------------------------------------------------
    // Extensions

    pub(crate) fn ext_create(
        &mut self,
        asker: CcAsker<'_>,
        kind: &str,
        user: Option<String>,
        password: Option<String>,
        telnum: Option<String>,
    ) -> R<String> {
        let kind: &'static str = match kind {
            "1" => "1",
            "2" => "2",
            "3" => "3",
            _ => return Err(Code::ILLEGAL_ARGUMENT),
        };
        let digits = |v: &Option<String>| {
            v.as_deref().is_some_and(|s| {
                (6..=12).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
            })
        };
        let mut ext = Ext {
            id: String::new(),
            app_id: asker.app_id.to_owned(),
            sub: asker.sub.map(str::to_owned),
            kind,
            user: None,
            given_user: None,
            password: None,
            telnum: None,
            enable: kind != "1",
            agent: None,
        };
        if kind == "1" {
            if !digits(&user) || !digits(&password) {
                return Err(Code::ILLEGAL_ARGUMENT);
            }
            let prefix = if asker.sub.is_some() { "8100" } else { "8000" };
            let stored = format!("{prefix}{}", user.as_deref().unwrap_or(""));
            if self
                .cc
                .exts
                .values()
                .any(|e| e.app_id == asker.app_id && e.user.as_deref() == Some(stored.as_str()))
            {
                return Err(Code::new("040101").unwrap_or(Code::UNKNOWN_FAIL));
            }
            ext.user = Some(stored);
            ext.given_user = user;
            ext.password = password;
        } else {
            let Some(t) = telnum.filter(|t| !crate::lenient::is_blank(t)) else {
                return Err(Code::ILLEGAL_ARGUMENT);
            };
            ext.telnum = Some(t);
        }
        ext.id = self.ids.next();
        let json = ext.json();
        self.cc.ext_order.push(ext.id.clone());
        self.cc.exts.insert(ext.id.clone(), ext);
        Ok(json)
    }

    fn visible_ext(&self, asker: CcAsker<'_>, id: &str) -> Option<&Ext> {
        self.cc
            .exts
            .get(id)
            .filter(|e| e.app_id == asker.app_id && e.sub.as_deref() == asker.sub)
    }

    pub(crate) fn ext_delete(&mut self, asker: CcAsker<'_>, id: &str) -> R<String> {
        let Some(ext) = self.cc.exts.get(id) else {
            return Err(code("040103"));
        };
        if ext.app_id != asker.app_id {
            return Err(Code::ILLEGAL_ARGUMENT);
        }
        if ext.sub.as_deref() != asker.sub {
            return Err(code("040103"));
        }
        if ext.agent.is_some() {
            return Err(code("040102"));
        }
        self.cc.exts.remove(id);
        self.cc.ext_order.retain(|e| e != id);
        Ok("null".into())
    }

    pub(crate) fn ext_get(&self, asker: CcAsker<'_>, id: &str) -> R<String> {
        self.visible_ext(asker, id)
            .map(Ext::json)
            .ok_or_else(|| code("040103"))
    }

    pub(crate) fn ext_list(&self, asker: CcAsker<'_>, page_no: i64, size: i64) -> String {
        let items: Vec<String> = self
            .cc
            .ext_order
            .iter()
            .filter_map(|id| self.visible_ext(asker, id))
            .map(Ext::json)
            .collect();
        page(&items, page_no, size)
    }

    /// `extensionlisttest`: one `{id: enabled}` map per extension of the app.
    pub(crate) fn ext_list_test(&self, asker: CcAsker<'_>) -> String {
        let items: Vec<String> = self
            .cc
            .ext_order
            .iter()
            .filter_map(|id| self.cc.exts.get(id))
            .filter(|e| e.app_id == asker.app_id)
            .map(|e| format!("{{{}:{}}}", json_string(&e.id), e.enable))
            .collect();
        format!("[{}]", items.join(","))
    }

    pub(crate) fn ext_set_enabled(&mut self, id: &str, enabled: bool) -> bool {
        match self.cc.exts.get_mut(id) {
            Some(e) => {
                e.enable = enabled;
                true
            }
            None => false,
        }
    }

    // ---------------------------------------------------------------------------------
    // Agents

    fn agent_key(app: &str, name: &str) -> (String, String) {
        (app.to_owned(), name.to_owned())
    }

    fn visible_agent(&self, asker: CcAsker<'_>, name: &str) -> Option<&Agent> {
        self.cc
            .agents
            .get(&Self::agent_key(asker.app_id, name))
            .filter(|a| a.sub.as_deref() == asker.sub)
    }

    pub(crate) fn agent_login(
        &mut self,
        shared: &Shared,
        asker: CcAsker<'_>,
        login: Login,
        now: i64,
    ) -> R<String> {
        let key = Self::agent_key(asker.app_id, &login.name);
        if let Some(old) = self.cc.agents.get(&key) {
            if now - old.last_reg < REG_EXPIRE_MS {
                return Err(code("040201"));
            }
            // An older registration is logged out first.
            self.remove_agent(&key);
        }
        if crate::lenient::is_blank(&login.ext) {
            return Err(Code::ILLEGAL_ARGUMENT);
        }
        let Some(ext) = self.visible_ext(asker, &login.ext) else {
            return Err(code("040103"));
        };
        if ext.agent.as_deref().is_some_and(|a| a != login.name) {
            return Err(code("040102"));
        }
        if login.skills.iter().any(|(n, _, _)| n.is_empty()) {
            return Err(Code::ILLEGAL_ARGUMENT);
        }
        let agent = Agent {
            name: login.name.clone(),
            app_id: asker.app_id.to_owned(),
            sub: asker.sub.map(str::to_owned),
            url: asker.url.map(str::to_owned),
            num: login.num,
            state: login.state.clone(),
            ext: Some(login.ext.clone()),
            skills: login
                .skills
                .into_iter()
                .map(|(name, score, enabled)| Skill {
                    name,
                    score,
                    enabled,
                })
                .collect(),
            last_reg: now,
            last_active: now,
            call: None,
        };
        if let Some(e) = self.cc.exts.get_mut(&login.ext) {
            e.agent = Some(login.name.clone());
        }
        self.cc.agent_order.push(key.clone());
        self.cc.agents.insert(key.clone(), agent);
        if login.state == "idle" {
            self.agent_idle(shared, &key, now);
        }
        Ok("null".into())
    }

    fn remove_agent(&mut self, key: &(String, String)) {
        if let Some(agent) = self.cc.agents.remove(key) {
            if let Some(e) = agent.ext.as_deref().and_then(|e| self.cc.exts.get_mut(e)) {
                e.agent = None;
            }
        }
        self.cc.agent_order.retain(|k| k != key);
    }

    pub(crate) fn agent_logout(
        &mut self,
        asker: CcAsker<'_>,
        name: &str,
        force: bool,
    ) -> R<String> {
        let agent = self
            .visible_agent(asker, name)
            .ok_or_else(|| code("040202"))?;
        if !force && busy_state(&agent.state) {
            return Err(code("040203"));
        }
        // The extension's call, if any, goes on (force does not hang it up).
        self.remove_agent(&Self::agent_key(asker.app_id, name));
        Ok("null".into())
    }

    pub(crate) fn agent_keepalive(
        &mut self,
        asker: CcAsker<'_>,
        name: &str,
        now: i64,
    ) -> R<String> {
        self.visible_agent(asker, name)
            .ok_or_else(|| code("040202"))?;
        if let Some(a) = self.cc.agents.get_mut(&Self::agent_key(asker.app_id, name)) {
            a.last_reg = now;
        }
        Ok("null".into())
    }

    /// Moves an agent's registration `ms` into the past (the sandbox's way to let 24 h pass).
    pub(crate) fn agent_age(&mut self, app_id: &str, name: &str, ms: i64) -> bool {
        match self.cc.agents.get_mut(&Self::agent_key(app_id, name)) {
            Some(a) => {
                a.last_reg -= ms;
                true
            }
            None => false,
        }
    }

    pub(crate) fn agent_get(&self, asker: CcAsker<'_>, name: &str) -> R<String> {
        self.visible_agent(asker, name)
            .map(Agent::json)
            .ok_or_else(|| code("040202"))
    }

    pub(crate) fn agent_list(&self, asker: CcAsker<'_>, page_no: i64, size: i64) -> String {
        let items: Vec<String> = self
            .cc
            .agent_order
            .iter()
            .filter_map(|k| self.cc.agents.get(k))
            .filter(|a| a.app_id == asker.app_id && a.sub.as_deref() == asker.sub)
            .map(Agent::json)
            .collect();
        page(&items, page_no, size)
    }

    pub(crate) fn agent_set_state(
        &mut self,
        shared: &Shared,
        asker: CcAsker<'_>,
        name: &str,
        state: &str,
        now: i64,
    ) -> R<String> {
        let agent = self
            .visible_agent(asker, name)
            .ok_or_else(|| code("040202"))?;
        if busy_state(&agent.state) {
            return Err(code("040203"));
        }
        let key = Self::agent_key(asker.app_id, name);
        if let Some(a) = self.cc.agents.get_mut(&key) {
            a.state = state.to_owned();
        }
        if state == "idle" {
            self.agent_idle(shared, &key, now);
        }
        Ok("null".into())
    }

    pub(crate) fn agent_set_extension(
        &mut self,
        asker: CcAsker<'_>,
        name: &str,
        ext_id: &str,
    ) -> R<String> {
        let agent = self
            .visible_agent(asker, name)
            .ok_or_else(|| code("040202"))?;
        if agent.ext.as_deref() == Some(ext_id) {
            return Ok("null".into());
        }
        let old = agent.ext.clone();
        let ext = self
            .visible_ext(asker, ext_id)
            .ok_or_else(|| code("040103"))?;
        if ext.agent.as_deref().is_some_and(|a| a != name) {
            return Err(code("040102"));
        }
        if let Some(e) = old.and_then(|o| self.cc.exts.get_mut(&o)) {
            e.agent = None;
        }
        if let Some(e) = self.cc.exts.get_mut(ext_id) {
            e.agent = Some(name.to_owned());
        }
        if let Some(a) = self.cc.agents.get_mut(&Self::agent_key(asker.app_id, name)) {
            a.ext = Some(ext_id.to_owned());
        }
        Ok("null".into())
    }

    pub(crate) fn agent_set_skills(
        &mut self,
        shared: &Shared,
        asker: CcAsker<'_>,
        name: &str,
        ops: &[SkillOp],
        now: i64,
    ) -> R<String> {
        self.visible_agent(asker, name)
            .ok_or_else(|| code("040202"))?;
        let key = Self::agent_key(asker.app_id, name);
        let Some(agent) = self.cc.agents.get_mut(&key) else {
            return Err(code("040202"));
        };
        let mut effective = false;
        for op in ops {
            let named = op.name.as_deref().filter(|n| !n.is_empty());
            match (op.opt, named) {
                (0, _) => {
                    agent.skills.clear();
                    effective = true;
                }
                (1, Some(n)) => {
                    match agent.skills.iter_mut().find(|s| s.name == n) {
                        Some(s) => {
                            if let Some(score) = op.score {
                                s.score = score;
                            }
                            if let Some(en) = op.enabled {
                                s.enabled = en;
                            }
                        }
                        None => agent.skills.push(Skill {
                            name: n.to_owned(),
                            score: op.score.unwrap_or(0),
                            enabled: op.enabled.unwrap_or(false),
                        }),
                    }
                    effective = true;
                }
                (2, Some(n)) => {
                    agent.skills.retain(|s| s.name != n);
                    effective = true;
                }
                _ => {}
            }
        }
        if !effective {
            return Err(Code::ILLEGAL_ARGUMENT);
        }
        // The agent's conditions are recomputed: an idle agent may now match a waiting task.
        if agent.state == "idle" {
            self.agent_idle(shared, &key, now);
        }
        Ok("null".into())
    }

    // ---------------------------------------------------------------------------------
    // Conditions

    pub(crate) fn cond_create(
        &mut self,
        asker: CcAsker<'_>,
        input: CondInput,
        now: i64,
    ) -> R<String> {
        let (w, s) =
            cc_expr::check(&input.where_, input.sort.as_deref()).map_err(|_| code("040402"))?;
        let id = self.ids.next();
        let cond = Cond {
            id: id.clone(),
            created: now,
            last: now,
            tenant: asker.tenant.to_owned(),
            app_id: asker.app_id.to_owned(),
            sub: asker.sub.map(str::to_owned),
            where_: input.where_,
            sort: input.sort,
            priority: Some(input.priority.unwrap_or(0)),
            queue_timeout: input.queue_timeout,
            fetch_timeout: Some(input.fetch_timeout.unwrap_or(45)),
            remark: input.remark,
            where_prog: w,
            sort_prog: s,
        };
        self.cc.cond_order.push(id.clone());
        self.cc.conds.insert(id.clone(), cond);
        Ok(format!("{{\"conditionId\":{}}}", json_string(&id)))
    }

    pub(crate) fn cond_modify(
        &mut self,
        shared: &Shared,
        asker: CcAsker<'_>,
        id: &str,
        input: CondInput,
        now: i64,
    ) -> R<String> {
        if self
            .cc
            .conds
            .get(id)
            .is_none_or(|c| c.app_id != asker.app_id)
        {
            return Err(code("040401"));
        }
        let (w, s) =
            cc_expr::check(&input.where_, input.sort.as_deref()).map_err(|_| code("040402"))?;
        if let Some(c) = self.cc.conds.get_mut(id) {
            c.where_ = input.where_;
            c.sort = input.sort;
            c.priority = input.priority;
            c.queue_timeout = input.queue_timeout;
            c.fetch_timeout = input.fetch_timeout;
            c.remark = input.remark;
            c.where_prog = w;
            c.sort_prog = s;
            c.last = now;
        }
        // Agents are attached again: idle ones may now match waiting tasks.
        let idle: Vec<(String, String)> = self
            .cc
            .agent_order
            .iter()
            .filter(|k| self.cc.agents.get(*k).is_some_and(|a| a.state == "idle"))
            .cloned()
            .collect();
        for key in idle {
            self.agent_idle(shared, &key, now);
        }
        Ok("true".into())
    }

    pub(crate) fn cond_delete(&mut self, asker: CcAsker<'_>, id: &str) -> R<String> {
        if self
            .cc
            .conds
            .get(id)
            .is_none_or(|c| c.app_id != asker.app_id)
        {
            return Err(code("040401"));
        }
        self.cc.conds.remove(id);
        self.cc.cond_order.retain(|c| c != id);
        Ok("true".into())
    }

    pub(crate) fn cond_get(&self, asker: CcAsker<'_>, id: &str) -> R<String> {
        self.cc
            .conds
            .get(id)
            .filter(|c| c.app_id == asker.app_id)
            .map(Cond::json)
            .ok_or_else(|| code("040401"))
    }

    pub(crate) fn cond_list(&self, asker: CcAsker<'_>) -> String {
        let items: Vec<String> = self
            .cc
            .cond_order
            .iter()
            .filter_map(|id| self.cc.conds.get(id))
            .filter(|c| c.app_id == asker.app_id && c.sub.as_deref() == asker.sub)
            .map(Cond::json)
            .collect();
        format!("[{}]", items.join(","))
    }

    // ---------------------------------------------------------------------------------
    // Events

    fn agent_event(
        &mut self,
        shared: &Shared,
        key: &(String, String),
        previous: &str,
        user_data: Option<&str>,
        at: i64,
    ) {
        let Some(a) = self.cc.agents.get(key) else {
            return;
        };
        let mut m = base("callcenter.agent.state_changed", a.sub.as_deref());
        m.text("previous_state", Some(previous))
            .text("name", Some(&a.name))
            .text("latest_state", Some(&a.state))
            .text("user_data", user_data)
            .number("current_time", Some(at));
        let url = a.url.clone();
        shared.queue_cc_event(
            &mut self.cc,
            url.as_deref(),
            "callcenter.agent.state_changed",
            &m,
        );
    }

    fn set_agent_state(
        &mut self,
        shared: &Shared,
        key: &(String, String),
        state: &str,
        user_data: Option<&str>,
        at: i64,
    ) {
        let Some(a) = self.cc.agents.get_mut(key) else {
            return;
        };
        let previous = std::mem::replace(&mut a.state, state.to_owned());
        a.last_active = at;
        self.agent_event(shared, key, &previous, user_data, at);
    }

    fn conv_changed(
        &mut self,
        shared: &Shared,
        key: &(String, String),
        conv: &Arc<str>,
        kind: &str,
        at: i64,
    ) {
        let Some(a) = self.cc.agents.get(key) else {
            return;
        };
        let (sub, url, ud) = match self.cc.convs.get(conv) {
            Some(c) => (c.sub.clone(), c.url.clone(), c.user_data.clone()),
            None => (a.sub.clone(), a.url.clone(), None),
        };
        let mut m = base("callcenter.agent.conversation_changed", sub.as_deref());
        m.text("conversation_id", Some(conv))
            .text("name", Some(&a.name))
            .text("latest_state", Some(&a.state))
            .text("user_data", ud.as_deref())
            .text("type", Some(kind))
            .number("current_time", Some(at));
        shared.queue_cc_event(
            &mut self.cc,
            url.as_deref(),
            "callcenter.agent.conversation_changed",
            &m,
        );
    }

    fn queue_event(
        &mut self,
        shared: &Shared,
        task_id: &Arc<str>,
        name: &'static str,
        cause: Option<&str>,
    ) {
        let Some(t) = self.cc.tasks.get(task_id) else {
            return;
        };
        let mut m = base(name, t.sub.as_deref());
        let ext = t
            .agent
            .as_ref()
            .and_then(|n| self.cc.agents.get(&Self::agent_key(&t.app_id, n)))
            .and_then(|a| a.ext.clone());
        let ext = t
            .agent_call
            .as_ref()
            .and_then(|c| self.cc.calls.get(c))
            .and_then(|c| c.ext.clone())
            .or(ext);
        m.text("agent_name", t.agent.as_deref())
            .text("agent_extension_id", ext.as_deref())
            .text("cause", cause)
            .text("id", Some(&t.id))
            .text("user_data", t.user_data.as_deref())
            .text("type", Some(t.kind))
            .text("origin_call_id", Some(&t.origin))
            .text("condition_id", t.cond.as_deref())
            .text("agent_call_id", t.agent_call.as_deref());
        let url = t.url.clone();
        shared.queue_cc_event(&mut self.cc, url.as_deref(), name, &m);
    }

    fn conv_event(&mut self, shared: &Shared, conv: &Arc<str>, name: &'static str, at: i64) {
        let Some(c) = self.cc.convs.get(conv) else {
            return;
        };
        let mut m = base(name, c.sub.as_deref());
        m.text("id", Some(&c.id))
            .text("user_data", c.user_data.as_deref());
        match name {
            "callcenter.conversation.begin" => {
                m.text("type", Some(c.kind))
                    .text("queue_id", c.queue_id.as_deref())
                    .text("agent_call_id", c.agent_call.as_deref());
            }
            "callcenter.conversation.end" => {
                m.text("type", Some(c.kind))
                    .number("begin_time", c.begin)
                    .number("end_time", Some(at));
            }
            _ => {}
        }
        let url = c.url.clone();
        shared.queue_cc_event(&mut self.cc, url.as_deref(), name, &m);
    }

    // ---------------------------------------------------------------------------------
    // Queue tasks and routing

    /// Whether an agent can be chosen now.
    fn eligible(&self, a: &Agent, now: i64) -> bool {
        a.state == "idle"
            && a.call.is_none()
            && now - a.last_reg < REG_EXPIRE_MS
            && a.ext
                .as_deref()
                .and_then(|e| self.cc.exts.get(e))
                .is_some_and(|e| e.enable)
    }

    /// `<enqueue>` of an IVR call: a task, routed at once or waiting.
    #[allow(clippy::too_many_arguments)]
    pub(in crate::sim) fn cc_enqueue(
        &mut self,
        shared: &Shared,
        caller: &Arc<str>,
        app_id: &str,
        sub: Option<&str>,
        url: Option<&str>,
        user_data: Option<&str>,
        enqueue: &Enqueue,
        at: i64,
    ) {
        let id = self.new_task(
            shared, "ivr", caller, true, app_id, sub, url, user_data, enqueue, None, at,
        );
        self.cc.callers.insert(Arc::clone(caller), id);
    }

    #[allow(clippy::too_many_arguments)]
    fn new_task(
        &mut self,
        shared: &Shared,
        kind: &'static str,
        origin: &Arc<str>,
        ivr: bool,
        app_id: &str,
        sub: Option<&str>,
        url: Option<&str>,
        user_data: Option<&str>,
        enqueue: &Enqueue,
        conv: Option<Arc<str>>,
        at: i64,
    ) -> Arc<str> {
        let id = self.cc_new_id();
        self.cc.seq += 1;
        let mut task = Task {
            id: Arc::clone(&id),
            kind,
            origin: Arc::clone(origin),
            ivr,
            app_id: app_id.to_owned(),
            sub: sub.map(str::to_owned),
            url: url.map(str::to_owned),
            user_data: enqueue.user_data.clone().or(user_data.map(str::to_owned)),
            cond: None,
            agent_route: None,
            priority: 0,
            fetch_ms: DEFAULT_FETCH_S * 1000,
            lru: enqueue.choice.as_deref() == Some("lru"),
            reserve: enqueue.reserve_state.clone(),
            max_conv_s: enqueue
                .conversation_timeout
                .map_or(MAX_CONVERSATION_S, |t| t.min(MAX_CONVERSATION_S)),
            hold_voice: enqueue.hold_voice.clone(),
            num_voice: enqueue.play_num.then(|| {
                format!(
                    "{} <agent num> {}",
                    enqueue.pre_num_voice.as_deref().unwrap_or(""),
                    enqueue.post_num_voice.as_deref().unwrap_or("")
                )
            }),
            seq: self.cc.seq,
            state: TaskState::Waiting,
            conv,
            agent: None,
            agent_call: None,
            lost: false,
        };
        let mut queue_timeout_s: Option<i64> = None;
        let failed = match &enqueue.route {
            Route::Nothing => true,
            Route::Condition(cid) => match self.cc.conds.get(cid.as_str()) {
                Some(c) if c.app_id == app_id && c.sub.as_deref() == sub => {
                    task.cond = Some(cid.clone());
                    task.priority = i64::from(c.priority.unwrap_or(0));
                    task.fetch_ms =
                        i64::from(c.fetch_timeout.unwrap_or(DEFAULT_FETCH_S as i32)) * 1000;
                    queue_timeout_s = Some(i64::from(c.queue_timeout));
                    false
                }
                _ => true,
            },
            Route::Agent {
                name,
                priority,
                queue_timeout,
                fetch_timeout,
            } => {
                let found = self
                    .cc
                    .agents
                    .get(&Self::agent_key(app_id, name))
                    .is_some_and(|a| a.sub.as_deref() == sub);
                task.agent_route = Some(name.clone());
                task.priority = priority.unwrap_or(0);
                task.fetch_ms = fetch_timeout.unwrap_or(DEFAULT_FETCH_S) * 1000;
                queue_timeout_s = *queue_timeout;
                !found
            }
        };
        self.cc.tasks.insert(Arc::clone(&id), task);
        if failed {
            self.task_failed(shared, &id, "error", at);
            return id;
        }
        if !self.route_task(shared, &id, at) {
            let is_agent_route = matches!(enqueue.route, Route::Agent { .. });
            if let Some(t) = self.cc.tasks.get_mut(&id) {
                // The server registers an agent route's waiting task under nobody: it is never
                // matched, and its timeout never fires.
                t.lost = is_agent_route;
            }
            if !is_agent_route {
                self.cc.waiting.push_back(Arc::clone(&id));
                if let Some(s) = queue_timeout_s {
                    self.schedule(&id, 0, at + s * 1000, Wake::Cc(Step::QueueTimeout));
                }
            }
        }
        id
    }

    /// Looks for an agent for a task; `true` when one was chosen.
    fn route_task(&mut self, shared: &Shared, task_id: &Arc<str>, at: i64) -> bool {
        let started = Instant::now();
        let Some(t) = self.cc.tasks.get(task_id) else {
            return false;
        };
        let mut candidates: Vec<(i64, i64, (String, String))> = Vec::new();
        if let Some(name) = &t.agent_route {
            let key = Self::agent_key(&t.app_id, name);
            if self
                .cc
                .agents
                .get(&key)
                .is_some_and(|a| self.eligible(a, at))
            {
                candidates.push((0, 0, key));
            }
        } else if let Some(cond) = t.cond.as_deref().and_then(|c| self.cc.conds.get(c)) {
            for key in &self.cc.agent_order {
                let Some(a) = self.cc.agents.get(key) else {
                    continue;
                };
                if a.app_id == t.app_id
                    && a.sub == t.sub
                    && self.eligible(a, at)
                    && cond.where_prog.matches(a)
                {
                    let score = if t.lru { cond.sort_prog.score(a) } else { 0 };
                    candidates.push((score, a.last_active, key.clone()));
                }
            }
        }
        let lru = t.lru;
        let chosen = if candidates.is_empty() {
            None
        } else if lru {
            candidates.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)));
            Some(candidates.swap_remove(0).2)
        } else {
            let i = self.cc.random(candidates.len());
            Some(candidates.swap_remove(i).2)
        };
        self.cc.routing_ns += started.elapsed().as_nanos();
        self.cc.routing_count += 1;
        match chosen {
            Some(key) => {
                self.select(shared, task_id, &key, at);
                true
            }
            None => false,
        }
    }

    /// An agent became idle: it takes the oldest waiting task of its conditions, highest
    /// condition priority first.
    fn agent_idle(&mut self, shared: &Shared, key: &(String, String), at: i64) {
        let started = Instant::now();
        let Some(a) = self.cc.agents.get(key) else {
            return;
        };
        if !self.eligible(a, at) {
            return;
        }
        let mut best: Option<(i64, u64, Arc<str>)> = None;
        for id in &self.cc.waiting {
            let Some(t) = self.cc.tasks.get(id) else {
                continue;
            };
            if t.state != TaskState::Waiting || t.app_id != a.app_id || t.sub != a.sub {
                continue;
            }
            let Some(cond) = t.cond.as_deref().and_then(|c| self.cc.conds.get(c)) else {
                continue;
            };
            let pri = i64::from(cond.priority.unwrap_or(0));
            if best.as_ref().is_some_and(|(p, s, _)| {
                (pri, std::cmp::Reverse(t.seq)) <= (*p, std::cmp::Reverse(*s))
            }) {
                continue;
            }
            if cond.where_prog.matches(a) {
                best = Some((pri, t.seq, Arc::clone(id)));
            }
        }
        self.cc.routing_ns += started.elapsed().as_nanos();
        self.cc.routing_count += 1;
        if let Some((_, _, id)) = best {
            self.cc.waiting.retain(|w| *w != id);
            self.select(shared, &id, key, at);
        }
    }

    /// A task chose an agent: `fetching`, `queue.select`, its extension rings.
    fn select(&mut self, shared: &Shared, task_id: &Arc<str>, key: &(String, String), at: i64) {
        let Some(t) = self.cc.tasks.get(task_id) else {
            return;
        };
        let (fetch_ms, user_data) = (t.fetch_ms, t.user_data.clone());
        let call = self.dial_agent(
            shared,
            key,
            Purpose::Fetch(Arc::clone(task_id)),
            fetch_ms,
            user_data.as_deref(),
            at,
        );
        if let Some(t) = self.cc.tasks.get_mut(task_id) {
            t.state = TaskState::Fetching;
            t.agent = Some(key.1.clone());
            t.agent_call = call;
        }
        self.queue_event(shared, task_id, "callcenter.queue.select", None);
    }

    /// Rings an agent's extension: the agent goes `fetching`.
    fn dial_agent(
        &mut self,
        shared: &Shared,
        key: &(String, String),
        purpose: Purpose,
        ring_ms: i64,
        user_data: Option<&str>,
        at: i64,
    ) -> Option<Arc<str>> {
        let a = self.cc.agents.get(key)?;
        let ext = a.ext.clone();
        let number = ext
            .as_deref()
            .and_then(|e| self.cc.exts.get(e))
            .map(Ext::number)
            .unwrap_or_default();
        let behavior = shared.behavior_of(&number);
        let id = self.cc_new_id();
        let (due, outcome) = dial_outcome_for(&behavior, at, ring_ms);
        let step = if outcome.is_ok() {
            Step::Answered
        } else {
            Step::DialFailed
        };
        self.schedule(&id, 0, due, Wake::Cc(step));
        self.cc.calls.insert(
            Arc::clone(&id),
            Call {
                agent: Some(key.1.clone()),
                number,
                ext,
                app_id: key.0.clone(),
                state: CallState::Ringing,
                behavior,
                purpose,
                conv: None,
                mode: 1,
                generation: 0,
                max_ms: MAX_CONVERSATION_S * 1000,
            },
        );
        if let Some(a) = self.cc.agents.get_mut(key) {
            a.call = Some(Arc::clone(&id));
        }
        self.set_agent_state(shared, key, "fetching", user_data, at);
        Some(id)
    }

    fn finish_task(&mut self, id: &Arc<str>) {
        if let Some(t) = self.cc.tasks.get_mut(id) {
            t.state = TaskState::Done;
            self.cc.finished_tasks.push_back(Arc::clone(id));
        }
        self.cc.waiting.retain(|w| w != id);
        self.cc.evict();
    }

    /// The queue fails: `queue.fail` with `cause`; an IVR caller goes on with `error`.
    fn task_failed(&mut self, shared: &Shared, id: &Arc<str>, cause: &str, at: i64) {
        self.queue_event(shared, id, "callcenter.queue.fail", Some(cause));
        let Some(t) = self.cc.tasks.get(id) else {
            return;
        };
        let (origin, ivr) = (Arc::clone(&t.origin), t.ivr);
        self.finish_task(id);
        if ivr && cause != "hangup" {
            self.cc.callers.remove(&origin);
            let error = if cause == "timeout" {
                "timeout"
            } else {
                "error"
            };
            self.resume_after_queue(&origin, vec![("error", error.to_owned())], at);
        }
    }

    // ---------------------------------------------------------------------------------
    // Timers

    pub(in crate::sim) fn wake_cc(
        &mut self,
        shared: &Shared,
        target: &Arc<str>,
        generation: u64,
        at: i64,
        step: Step,
    ) {
        match step {
            Step::QueueTimeout => {
                if self
                    .cc
                    .tasks
                    .get(target)
                    .is_some_and(|t| t.state == TaskState::Waiting)
                {
                    self.task_failed(shared, target, "timeout", at);
                }
            }
            Step::ConversationMax => self.end_conv(shared, target, at),
            Step::CallerGone => self.caller_gone(shared, target, at),
            Step::Answered | Step::DialFailed | Step::Hangup => {
                let Some(call) = self.cc.calls.get(target) else {
                    return;
                };
                if call.generation != generation || call.state == CallState::Over {
                    return;
                }
                match step {
                    Step::Answered => self.call_answered(shared, target, at),
                    Step::DialFailed => self.call_failed(shared, target, at),
                    _ => self.call_hangup(shared, target, at),
                }
            }
        }
    }

    fn end_call(&mut self, id: &Arc<str>) -> Option<(Option<String>, String)> {
        let call = self.cc.calls.get_mut(id)?;
        call.state = CallState::Over;
        call.generation += 1;
        let agent = call.agent.clone();
        let app = call.app_id.clone();
        self.cc.finished_calls.push_back(Arc::clone(id));
        if let Some(name) = &agent {
            if let Some(a) = self.cc.agents.get_mut(&Self::agent_key(&app, name)) {
                if a.call.as_deref() == Some(&**id) {
                    a.call = None;
                }
            }
        }
        Some((agent, app))
    }

    fn call_failed(&mut self, shared: &Shared, id: &Arc<str>, at: i64) {
        let Some(call) = self.cc.calls.get(id) else {
            return;
        };
        let purpose = call.purpose.clone();
        let conv = call.conv.clone();
        let Some((agent, app)) = self.end_call(id) else {
            return;
        };
        if let Some(name) = agent {
            let key = Self::agent_key(&app, &name);
            let ud = match &purpose {
                Purpose::Fetch(t) => self.cc.tasks.get(t).and_then(|t| t.user_data.clone()),
                _ => None,
            };
            if let Purpose::Fetch(task) = &purpose {
                self.drop_unbegun(task);
                self.task_failed(shared, task, "call_fail", at);
            }
            self.set_agent_state(shared, &key, "idle", ud.as_deref(), at);
            self.agent_idle(shared, &key, at);
        }
        // A conversation that was waiting for this call to begin is dropped; an outside call
        // that failed leaves a running one as it was.
        if let Some(c) = conv {
            if self.cc.convs.get(&c).is_some_and(|c| c.begin.is_none()) {
                self.cc.convs.remove(&c);
                self.cc.conv_order.retain(|x| *x != c);
            }
        }
    }

    /// A conversation made for a task that never began is dropped.
    fn drop_unbegun(&mut self, task: &Arc<str>) {
        let conv = self.cc.tasks.get(task).and_then(|t| t.conv.clone());
        if let Some(c) = conv {
            if self
                .cc
                .convs
                .get(&c)
                .is_some_and(|c| c.begin.is_none() && c.kind == "queue")
            {
                self.cc.convs.remove(&c);
                self.cc.conv_order.retain(|x| *x != c);
            }
        }
    }

    fn new_conv(
        &mut self,
        kind: &'static str,
        app: &str,
        sub: Option<String>,
        url: Option<String>,
        user_data: Option<String>,
        max_s: i64,
    ) -> Arc<str> {
        let id = self.cc_new_id();
        self.cc.conv_order.push_back(Arc::clone(&id));
        self.cc.convs.insert(
            Arc::clone(&id),
            Conv {
                id: Arc::clone(&id),
                kind,
                app_id: app.to_owned(),
                sub,
                url,
                user_data,
                queue_id: None,
                agent_call: None,
                begin: None,
                end: None,
                max_s,
                hold_voice: None,
                reserve: None,
                members: Vec::new(),
                caller: None,
            },
        );
        self.cc.evict();
        id
    }

    fn begin_conv(&mut self, shared: &Shared, conv: &Arc<str>, at: i64) {
        let Some(c) = self.cc.convs.get_mut(conv) else {
            return;
        };
        if c.begin.is_some() {
            return;
        }
        c.begin = Some(at);
        let max = c.max_s * 1000;
        self.schedule(conv, 0, at + max, Wake::Cc(Step::ConversationMax));
        self.conv_event(shared, conv, "callcenter.conversation.begin", at);
    }

    /// A call joins a conversation: `parts_changed`, and for an agent `conversation_changed`.
    #[allow(clippy::too_many_arguments)]
    fn join(
        &mut self,
        shared: &Shared,
        conv: &Arc<str>,
        call: &Arc<str>,
        name: Option<String>,
        ext: Option<String>,
        telnumber: Option<String>,
        mode: i32,
        at: i64,
    ) -> bool {
        let Some(c) = self.cc.convs.get_mut(conv) else {
            return false;
        };
        if c.end.is_some() || c.active().count() >= MAX_MEMBERS {
            return false;
        }
        c.members.push(Member {
            name: name.clone(),
            ext,
            telnumber,
            call: Arc::clone(call),
            begin: at,
            end: None,
            mode,
        });
        let app = c.app_id.clone();
        if let Some(cc_call) = self.cc.calls.get_mut(call) {
            cc_call.conv = Some(Arc::clone(conv));
        }
        if let Some(n) = name {
            self.conv_changed(shared, &Self::agent_key(&app, &n), conv, "enter", at);
        }
        self.conv_event(shared, conv, "callcenter.conversation.parts_changed", at);
        true
    }

    fn call_answered(&mut self, shared: &Shared, id: &Arc<str>, at: i64) {
        let Some(call) = self.cc.calls.get_mut(id) else {
            return;
        };
        call.state = CallState::Talking;
        let purpose = call.purpose.clone();
        let (agent, ext, number, app) = (
            call.agent.clone(),
            call.ext.clone(),
            call.number.clone(),
            call.app_id.clone(),
        );
        let hangup = call.behavior.hangup_after_ms;
        let generation = call.generation;
        // The party hangs up as its behaviour says, the platform at the call's longest
        // duration.
        let by_party = hangup.map(|ms| at.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX)));
        let due = by_party.map_or(at + call.max_ms, |t| t.min(at + call.max_ms));
        self.schedule(id, generation, due, Wake::Cc(Step::Hangup));
        let key = agent.as_ref().map(|n| Self::agent_key(&app, n));
        match purpose {
            Purpose::Fetch(task) => {
                let Some(key) = key else { return };
                let Some(t) = self.cc.tasks.get(&task) else {
                    return;
                };
                let (ud, reserve, origin, kind, conv, hold, num_voice, max_s, sub, url) = (
                    t.user_data.clone(),
                    t.reserve.clone(),
                    Arc::clone(&t.origin),
                    t.kind,
                    t.conv.clone(),
                    t.hold_voice.clone(),
                    t.num_voice.clone(),
                    t.max_conv_s,
                    t.sub.clone(),
                    t.url.clone(),
                );
                self.set_agent_state(shared, &key, "talking", ud.as_deref(), at);
                self.queue_event(shared, &task, "callcenter.queue.success", None);
                self.finish_task(&task);
                let conv = match conv {
                    Some(c) => c,
                    None => {
                        let c = self.new_conv("queue", &app, sub, url, ud.clone(), max_s);
                        if let Some(cv) = self.cc.convs.get_mut(&c) {
                            cv.queue_id = Some(Arc::clone(&task));
                            cv.agent_call = Some(Arc::clone(id));
                            cv.hold_voice = hold;
                            cv.reserve = reserve.clone();
                            cv.caller = Some(Arc::clone(&origin));
                        }
                        c
                    }
                };
                if let Some(cv) = self.cc.convs.get_mut(&conv) {
                    if kind == "call_agent" {
                        cv.reserve = cv.reserve.clone().or(reserve);
                    }
                }
                self.begin_conv(shared, &conv, at);
                if !self.join(shared, &conv, id, agent, ext, None, 1, at) {
                    self.call_hangup(shared, id, at);
                    return;
                }
                if kind == "ivr" {
                    self.cc
                        .callers
                        .insert(Arc::clone(&origin), Arc::clone(&conv));
                    self.join(shared, &conv, &origin, None, None, None, 1, at);
                    let _ = num_voice;
                }
            }
            Purpose::CallOut { to, max_dial_ms } => {
                let Some(key) = key else { return };
                self.set_agent_state(shared, &key, "talking", None, at);
                let conv = self.conv_of_call(id);
                if let Some(conv) = conv {
                    self.begin_conv(shared, &conv, at);
                    self.join(shared, &conv, id, agent, ext, None, 1, at);
                    self.dial_outside(shared, &conv, &app, &to, max_dial_ms, None, 1, at);
                }
            }
            Purpose::CallAgent(enqueue) => {
                let Some(key) = key else { return };
                self.set_agent_state(shared, &key, "talking", None, at);
                if let Some(conv) = self.conv_of_call(id) {
                    self.begin_conv(shared, &conv, at);
                    self.join(shared, &conv, id, agent, ext, None, 1, at);
                    let (sub, url) = self
                        .cc
                        .convs
                        .get(&conv)
                        .map(|c| (c.sub.clone(), c.url.clone()))
                        .unwrap_or_default();
                    self.new_task(
                        shared,
                        "call_agent",
                        id,
                        false,
                        &app,
                        sub.as_deref(),
                        url.as_deref(),
                        None,
                        &enqueue,
                        Some(conv),
                        at,
                    );
                }
            }
            Purpose::Enter => {
                let Some(key) = key else { return };
                self.set_agent_state(shared, &key, "talking", None, at);
                if let Some(conv) = self.conv_of_call(id) {
                    if !self.join(shared, &conv, id, agent, ext, None, 1, at) {
                        self.call_hangup(shared, id, at);
                    }
                }
            }
            Purpose::Outside => {
                let mode = self.cc.calls.get(id).map_or(1, |c| c.mode);
                if let Some(conv) = self.conv_of_call(id) {
                    self.begin_conv(shared, &conv, at);
                    if !self.join(shared, &conv, id, None, None, Some(number), mode, at) {
                        self.call_hangup(shared, id, at);
                    }
                }
            }
        }
    }

    /// The conversation a call was made for (stored before it joins).
    fn conv_of_call(&self, id: &Arc<str>) -> Option<Arc<str>> {
        self.cc.calls.get(id).and_then(|c| c.conv.clone())
    }

    #[allow(clippy::too_many_arguments)]
    fn dial_outside(
        &mut self,
        shared: &Shared,
        conv: &Arc<str>,
        app: &str,
        to: &str,
        max_dial_ms: i64,
        max_ms: Option<i64>,
        mode: i32,
        at: i64,
    ) -> Arc<str> {
        let behavior = shared.behavior_of(to);
        let id = self.cc_new_id();
        let (due, outcome) = dial_outcome_for(&behavior, at, max_dial_ms);
        let step = if outcome.is_ok() {
            Step::Answered
        } else {
            Step::DialFailed
        };
        self.schedule(&id, 0, due, Wake::Cc(step));
        self.cc.calls.insert(
            Arc::clone(&id),
            Call {
                agent: None,
                number: to.to_owned(),
                ext: None,
                app_id: app.to_owned(),
                state: CallState::Ringing,
                behavior,
                purpose: Purpose::Outside,
                conv: Some(Arc::clone(conv)),
                mode,
                generation: 0,
                max_ms: max_ms.unwrap_or(MAX_CONVERSATION_S * 1000),
            },
        );
        id
    }

    /// A call of the call center hangs up (its party, or the platform).
    fn call_hangup(&mut self, shared: &Shared, id: &Arc<str>, at: i64) {
        let Some(call) = self.cc.calls.get(id) else {
            return;
        };
        let (was, conv, purpose) = (call.state, call.conv.clone(), call.purpose.clone());
        let Some((agent, app)) = self.end_call(id) else {
            return;
        };
        if was == CallState::Ringing {
            if let Some(name) = agent {
                let key = Self::agent_key(&app, &name);
                self.set_agent_state(shared, &key, "idle", None, at);
                self.agent_idle(shared, &key, at);
            }
            let _ = purpose;
            return;
        }
        if let Some(conv) = conv {
            if self.leave(shared, &conv, id, at) {
                return;
            }
        }
        // Not (or no longer) a member: the agent's call is simply over.
        if let Some(name) = agent {
            let key = Self::agent_key(&app, &name);
            self.set_agent_state(shared, &key, "idle", None, at);
            self.agent_idle(shared, &key, at);
        }
    }

    /// A member leaves; the conversation ends when one member or none is left.
    fn leave(&mut self, shared: &Shared, conv: &Arc<str>, call: &Arc<str>, at: i64) -> bool {
        let Some(c) = self.cc.convs.get_mut(conv) else {
            return false;
        };
        let Some(m) = c
            .members
            .iter_mut()
            .find(|m| m.call == *call && m.end.is_none())
        else {
            return false;
        };
        m.end = Some(at);
        let name = m.name.clone();
        let app = c.app_id.clone();
        let reserve = c.reserve.clone().unwrap_or_else(|| "idle".into());
        let left = c.active().count();
        if let Some(n) = name {
            let key = Self::agent_key(&app, &n);
            self.set_agent_state(shared, &key, &reserve, None, at);
            self.conv_changed(shared, &key, conv, "exit", at);
        }
        if left <= 1 {
            self.end_conv(shared, conv, at);
        }
        if let Some(n) = self.cc.calls.get(call).and_then(|c| c.agent.clone()) {
            let key = Self::agent_key(&app, &n);
            if reserve == "idle" {
                self.agent_idle(shared, &key, at);
            }
        }
        true
    }

    /// The conversation is released: every member leaves, IVR callers go on with their script.
    fn end_conv(&mut self, shared: &Shared, conv: &Arc<str>, at: i64) {
        let Some(c) = self.cc.convs.get_mut(conv) else {
            return;
        };
        if c.end.is_some() {
            return;
        }
        c.end = Some(at);
        let began = c.begin.is_some();
        let app = c.app_id.clone();
        let reserve = c.reserve.clone().unwrap_or_else(|| "idle".into());
        let caller = c.caller.clone();
        let mut leaving = Vec::new();
        for m in c.members.iter_mut().filter(|m| m.end.is_none()) {
            m.end = Some(at);
            leaving.push((m.call.clone(), m.name.clone()));
        }
        let mut idle = Vec::new();
        for (call, name) in leaving {
            if Some(&call) == caller.as_ref() {
                continue;
            }
            self.end_call(&call);
            if let Some(n) = name {
                let key = Self::agent_key(&app, &n);
                self.set_agent_state(shared, &key, &reserve, None, at);
                self.conv_changed(shared, &key, conv, "exit", at);
                idle.push(key);
            }
        }
        if began {
            self.conv_event(shared, conv, "callcenter.conversation.end", at);
        }
        if let Some(caller) = caller {
            if self.cc.callers.remove(&caller).is_some() {
                self.resume_after_queue(&caller, Vec::new(), at);
            }
        }
        if reserve == "idle" {
            for key in idle {
                self.agent_idle(shared, &key, at);
            }
        }
        self.cc.evict();
    }

    /// The IVR caller's call was released (hung up, longest duration).
    pub(in crate::sim) fn cc_call_released(&mut self, call_id: &Arc<str>, at: i64) {
        if self.cc.callers.contains_key(call_id) {
            self.schedule(call_id, 0, at, Wake::Cc(Step::CallerGone));
        }
    }

    fn caller_gone(&mut self, shared: &Shared, caller: &Arc<str>, at: i64) {
        self.cc.resume.remove(caller);
        let Some(where_) = self.cc.callers.remove(caller) else {
            return;
        };
        if let Some(t) = self.cc.tasks.get(&where_) {
            let (state, call, agent, app) = (
                t.state,
                t.agent_call.clone(),
                t.agent.clone(),
                t.app_id.clone(),
            );
            match state {
                TaskState::Waiting => {
                    self.task_failed(shared, &where_, "hangup", at);
                }
                TaskState::Fetching => {
                    if let Some(call) = call {
                        self.end_call(&call);
                    }
                    self.drop_unbegun(&where_);
                    self.task_failed(shared, &where_, "hangup", at);
                    if let Some(n) = agent {
                        let key = Self::agent_key(&app, &n);
                        self.set_agent_state(shared, &key, "idle", None, at);
                        self.agent_idle(shared, &key, at);
                    }
                }
                TaskState::Done => {}
            }
            return;
        }
        if self.cc.convs.contains_key(&where_) {
            self.leave(shared, &where_, caller, at);
        }
    }

    // ---------------------------------------------------------------------------------
    // Agent operations

    /// The checks of `call_out`, `call_agent` and `enter`: exists (`040202`), has an
    /// extension (`040103`), registered within 24 h (`040204`), extension enabled (`040104`),
    /// exactly idle (`040203`). `Ok(true)` when the agent already has a live call.
    fn agent_ready(&self, asker: CcAsker<'_>, name: &str, now: i64) -> R<bool> {
        let a = self
            .visible_agent(asker, name)
            .ok_or_else(|| code("040202"))?;
        let ext = a
            .ext
            .as_deref()
            .and_then(|e| self.cc.exts.get(e))
            .ok_or_else(|| code("040103"))?;
        if now - a.last_reg >= REG_EXPIRE_MS {
            return Err(code("040204"));
        }
        if !ext.enable {
            return Err(code("040104"));
        }
        if a.call.is_some() {
            return Ok(true);
        }
        if a.state != "idle" {
            return Err(code("040203"));
        }
        Ok(false)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn agent_call_out(
        &mut self,
        shared: &Shared,
        asker: CcAsker<'_>,
        name: &str,
        to: &str,
        max_dial_s: Option<i32>,
        max_answer_s: Option<i32>,
        user_data: Option<String>,
        now: i64,
    ) -> R<String> {
        if self.agent_ready(asker, name, now)? {
            return Ok("true".into());
        }
        let max_s =
            max_answer_s.map_or(MAX_CONVERSATION_S, |s| i64::from(s).min(MAX_CONVERSATION_S));
        let conv = self.new_conv(
            "call_out",
            asker.app_id,
            asker.sub.map(str::to_owned),
            asker.url.map(str::to_owned),
            user_data.clone(),
            max_s,
        );
        let max_dial_ms = max_dial_s.map_or(DEFAULT_DIAL_MS, |s| i64::from(s) * 1000);
        let key = Self::agent_key(asker.app_id, name);
        let call = self.dial_agent(
            shared,
            &key,
            Purpose::CallOut {
                to: to.to_owned(),
                max_dial_ms,
            },
            max_dial_ms,
            user_data.as_deref(),
            now,
        );
        if let Some(call) = call {
            if let Some(c) = self.cc.calls.get_mut(&call) {
                c.conv = Some(Arc::clone(&conv));
            }
            if let Some(cv) = self.cc.convs.get_mut(&conv) {
                cv.agent_call = Some(call);
            }
        }
        Ok("true".into())
    }

    pub(crate) fn agent_call_agent(
        &mut self,
        shared: &Shared,
        asker: CcAsker<'_>,
        name: &str,
        enqueue: Enqueue,
        now: i64,
    ) -> R<String> {
        if self.agent_ready(asker, name, now)? {
            return Ok("true".into());
        }
        let conv = self.new_conv(
            "call_agent",
            asker.app_id,
            asker.sub.map(str::to_owned),
            asker.url.map(str::to_owned),
            enqueue.user_data.clone(),
            enqueue
                .conversation_timeout
                .map_or(MAX_CONVERSATION_S, |t| t.min(MAX_CONVERSATION_S)),
        );
        let key = Self::agent_key(asker.app_id, name);
        if let Some(cv) = self.cc.convs.get_mut(&conv) {
            cv.reserve = enqueue.reserve_state.clone();
        }
        let call = self.dial_agent(
            shared,
            &key,
            Purpose::CallAgent(Box::new(enqueue)),
            DEFAULT_FETCH_S * 1000,
            None,
            now,
        );
        if let Some(call) = call {
            if let Some(c) = self.cc.calls.get_mut(&call) {
                c.conv = Some(Arc::clone(&conv));
            }
            if let Some(cv) = self.cc.convs.get_mut(&conv) {
                cv.agent_call = Some(call);
            }
        }
        Ok("true".into())
    }

    /// `reject`: the task's agent call must be ringing; the platform hangs it up.
    pub(crate) fn agent_reject(
        &mut self,
        shared: &Shared,
        asker: CcAsker<'_>,
        queue_id: &str,
        now: i64,
    ) -> R<String> {
        let task = self
            .cc
            .tasks
            .get(queue_id)
            .filter(|t| t.app_id == asker.app_id && t.sub.as_deref() == asker.sub)
            .ok_or_else(|| code("040601"))?;
        let call = task.agent_call.clone().ok_or(Code::CALL_NOT_EXISTS)?;
        let ringing = self
            .cc
            .calls
            .get(&call)
            .is_some_and(|c| c.state == CallState::Ringing);
        if !ringing || task.state != TaskState::Fetching {
            return Err(Code::SYSTEM_BUSY);
        }
        self.call_failed(shared, &call, now);
        Ok("true".into())
    }

    /// The conversation checks: unknown, over or of another sub-account `040501`; not begun
    /// `000004`.
    fn live_conv(&self, asker: CcAsker<'_>, id: &str) -> R<Arc<str>> {
        let c = self
            .cc
            .convs
            .get(id)
            .filter(|c| {
                c.app_id == asker.app_id && c.sub.as_deref() == asker.sub && c.end.is_none()
            })
            .ok_or_else(|| code("040501"))?;
        if c.begin.is_none() {
            return Err(Code::SYSTEM_BUSY);
        }
        Ok(Arc::clone(&c.id))
    }

    pub(crate) fn agent_enter(
        &mut self,
        shared: &Shared,
        asker: CcAsker<'_>,
        name: &str,
        conv: &str,
        now: i64,
    ) -> R<String> {
        self.visible_agent(asker, name)
            .ok_or_else(|| code("040202"))?;
        let conv = self.live_conv(asker, conv)?;
        if self.agent_ready(asker, name, now)? {
            return Ok("true".into());
        }
        if self
            .cc
            .convs
            .get(&conv)
            .is_some_and(|c| c.active().count() >= MAX_MEMBERS)
        {
            return Err(code("040502"));
        }
        let key = Self::agent_key(asker.app_id, name);
        if let Some(call) = self.dial_agent(
            shared,
            &key,
            Purpose::Enter,
            DEFAULT_FETCH_S * 1000,
            None,
            now,
        ) {
            if let Some(c) = self.cc.calls.get_mut(&call) {
                c.conv = Some(conv);
            }
        }
        Ok("true".into())
    }

    /// The agent's live call and the conversation it is a member of (`040202`, `020000`).
    fn agent_member(&self, asker: CcAsker<'_>, name: &str) -> R<(Arc<str>, Option<Arc<str>>)> {
        let a = self
            .visible_agent(asker, name)
            .ok_or_else(|| code("040202"))?;
        let call = a.call.clone().ok_or(Code::CALL_NOT_EXISTS)?;
        let conv = self.cc.calls.get(&call).and_then(|c| c.conv.clone());
        Ok((call, conv))
    }

    pub(crate) fn agent_exit(
        &mut self,
        shared: &Shared,
        asker: CcAsker<'_>,
        name: &str,
        conv: &str,
        now: i64,
    ) -> R<String> {
        let (call, member_of) = self.agent_member(asker, name)?;
        let is_member = member_of.as_deref() == Some(conv)
            && self
                .cc
                .convs
                .get(conv)
                .is_some_and(|c| c.active().any(|m| m.call == call));
        if !is_member {
            return Err(code("040503"));
        }
        self.call_hangup(shared, &call, now);
        Ok("true".into())
    }

    pub(crate) fn agent_lsm(
        &mut self,
        asker: CcAsker<'_>,
        name: &str,
        conv: &str,
        mode: i32,
    ) -> R<String> {
        let (call, _) = self.agent_member(asker, name)?;
        self.set_mode(conv, &call, mode)
    }

    fn set_mode(&mut self, conv: &str, call: &Arc<str>, mode: i32) -> R<String> {
        let m = self
            .cc
            .convs
            .get_mut(conv)
            .filter(|c| c.end.is_none())
            .and_then(|c| {
                c.members
                    .iter_mut()
                    .find(|m| m.call == *call && m.end.is_none())
            })
            .ok_or_else(|| code("040503"))?;
        m.mode = mode;
        Ok("true".into())
    }

    pub(crate) fn agent_conversations(&self, asker: CcAsker<'_>, name: &str) -> R<String> {
        let a = self
            .visible_agent(asker, name)
            .ok_or_else(|| code("040202"))?;
        let Some(call) = &a.call else {
            return Ok("null".into());
        };
        let list: Vec<String> = self
            .cc
            .calls
            .get(call)
            .and_then(|c| c.conv.as_ref())
            .and_then(|c| self.cc.convs.get(c))
            .filter(|c| c.begin.is_some() && c.end.is_none())
            .map(|c| c.json(false))
            .into_iter()
            .collect();
        Ok(format!("[{}]", list.join(",")))
    }

    // ---------------------------------------------------------------------------------
    // Conversations

    pub(crate) fn conv_dismiss(
        &mut self,
        shared: &Shared,
        asker: CcAsker<'_>,
        id: &str,
        now: i64,
    ) -> R<String> {
        let conv = self.live_conv(asker, id)?;
        self.end_conv(shared, &conv, now);
        Ok("true".into())
    }

    pub(crate) fn conv_lsm(
        &mut self,
        asker: CcAsker<'_>,
        id: &str,
        name: &str,
        mode: i32,
    ) -> R<String> {
        let conv = self.live_conv(asker, id)?;
        let (call, _) = self.agent_member(asker, name)?;
        self.set_mode(&conv, &call, mode)
    }

    /// `invite_out`: the conversation checks, then the number (a forced code), then the dial.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn conv_invite_out(
        &mut self,
        shared: &Shared,
        asker: CcAsker<'_>,
        id: &str,
        to: &str,
        max_call_s: i32,
        max_dial_s: Option<i32>,
        mode: Option<i32>,
        before_dial: impl FnOnce() -> Result<(), Code>,
        now: i64,
    ) -> R<String> {
        let conv = self.live_conv(asker, id)?;
        if self
            .cc
            .convs
            .get(&conv)
            .is_some_and(|c| c.active().count() >= MAX_MEMBERS)
        {
            return Err(code("040502"));
        }
        before_dial()?;
        let call = self.dial_outside(
            shared,
            &conv,
            asker.app_id,
            to,
            max_dial_s.map_or(DEFAULT_DIAL_MS, |s| i64::from(s) * 1000),
            Some(i64::from(max_call_s) * 1000),
            mode.unwrap_or(1),
            now,
        );
        Ok(json_string(&call))
    }

    pub(crate) fn conv_check(&self, asker: CcAsker<'_>, id: &str) -> R<()> {
        self.live_conv(asker, id).map(drop)
    }

    pub(crate) fn conv_get(&self, asker: CcAsker<'_>, id: &str) -> String {
        self.cc
            .convs
            .get(id)
            .filter(|c| c.app_id == asker.app_id && c.sub.as_deref() == asker.sub)
            .map_or_else(|| "null".into(), |c| c.json(true))
    }

    pub(crate) fn conv_list(&self, asker: CcAsker<'_>, page_no: i64, size: i64) -> String {
        // The server filters `subaccountId = ?` with the caller's sub-account: the primary
        // account's null matches nothing.
        let items: Vec<String> = match asker.sub {
            None => Vec::new(),
            Some(sub) => self
                .cc
                .conv_order
                .iter()
                .filter_map(|id| self.cc.convs.get(id))
                .filter(|c| {
                    c.app_id == asker.app_id
                        && c.sub.as_deref() == Some(sub)
                        && c.begin.is_some()
                        && c.end.is_none()
                })
                .map(|c| c.json(false))
                .collect(),
        };
        if items.is_empty() {
            let total_pages = 0;
            return format!(
                "{{\"pageSize\":{size},\"startIndex\":{},\"totalCount\":0,\"totalPageCount\":{total_pages},\"currentPageNo\":{page_no},\"result\":null}}",
                (page_no - 1) * size + 1
            );
        }
        page(&items, page_no, size)
    }
}

fn code(c: &str) -> Code {
    Code::new(c).unwrap_or(Code::UNKNOWN_FAIL)
}
