//! The IVR family (platform notes 2 §2): calls placed with `ivr_call` and simulated inbound
//! calls, driven by the application's XML documents.
//!
//! A call asks its application what to do (`ivr_start`, then a request to each `<next>` URL);
//! the HTTP exchanges run on the IVR fetch workers (`crate::ivr_fetch`), never under the
//! engine's lock, and hand the reply back to [`Shared::ivr_reply`]. Each action then runs in
//! simulated time as timers on the engine ([`Step`]); its end posts its `ivr.*` event through
//! the webhook workers and asks for the next document. The caller is the number's
//! [`Behavior`]: when it answers (`ivr_call`), the keys it presses in each `<get>`, when it
//! hangs up; a `<dial>`ed number behaves as its own behaviour says.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use serde::Serialize;

use super::call::dial_outcome_for;
use super::engine::{Engine, Wake};
use super::{lock, Job, Shared};
use crate::behavior::Behavior;
use crate::events::{self, EventMap};
use crate::inspect::{CallInfo, CallKind, CallState, EndEventState, TimelineEntry};
use crate::ivr_xml::{Action, Reply};
use crate::time::floor_to_second;

/// Ring timeout of the `ivr_call` leg and of a `<dial>` when none is given.
const DEFAULT_RING_MS: i64 = 50_000;
/// Longest an answered IVR call lasts (`max_answer_seconds` 21600 of inbound calls, and the
/// `<dial>` bridge default).
const MAX_DURATION_MS: i64 = 21_600_000;
/// How long an inbound caller waits for an answer before giving up.
pub(crate) const INBOUND_RING_MS: i64 = 60_000;
/// Play time of one file.
const PLAY_FILE_MS: i64 = 2000;
/// Send time of one DTMF key.
const DTMF_KEY_MS: i64 = 250;
/// Length of a `<record>` without `max_duration` (the engine's default is not known).
const DEFAULT_RECORD_MS: i64 = 60_000;
/// Engine defaults of `<get>` (platform notes 2 §9, from the engine's docs).
const GET_VALID_KEYS: &str = "0123456789*#ABCD";
const GET_MAX_KEYS: i64 = 11;
const GET_FINISH_KEYS: &str = "#";
const GET_FIRST_KEY_TIMEOUT_S: i64 = 45;
const GET_CONTINUES_KEYS_TIMEOUT_S: i64 = 30;
/// How long after the end of a call the engine reports it released.
const RELEASE_WAIT_MS: i64 = 1000;
/// Most IVR calls kept for inspection (running calls are always kept).
const IVR_HISTORY: usize = 10_000;
/// Most recordings kept.
const RECORDING_HISTORY: usize = 10_000;
/// Most requests to the application kept per call.
const REQUESTS_PER_CALL: usize = 500;
/// Most timeline steps kept per call (its end is always kept).
const TIMELINE_STEPS: usize = 5000;
/// A timer generation that every state of the call accepts (call-level timers).
const ANY_GENERATION: u64 = u64::MAX;

/// Key order of the `ivr_start` body (platform notes 2 §2.3).
const START_ORDER: &[&str] = &[
    "action",
    "subaccount_id",
    "from",
    "user_data",
    "type",
    "call_id",
];

/// Wire orders of the `ivr.*` events (platform notes 2 §8).
fn event_order(event: &str) -> &'static [&'static str] {
    match event {
        "ivr.call_end" => &[
            "answer_time",
            "end_time",
            "begin_time",
            "cause",
            "action",
            "subaccount_id",
            "id",
            "user_data",
            "event",
            "end_by",
        ],
        "ivr.dial_end" => &[
            "end_time",
            "begin_time",
            "action",
            "subaccount_id",
            "id",
            "user_data",
            "event",
            "error",
        ],
        "ivr.play_end" | "ivr.record_end" => &[
            "end_time",
            "begin_time",
            "action",
            "subaccount_id",
            "id",
            "event",
            "error",
            "key",
        ],
        "ivr.get_end" => &[
            "keys",
            "end_time",
            "begin_time",
            "action",
            "subaccount_id",
            "id",
            "event",
            "error",
        ],
        "ivr.connect_begin" => &["action", "subaccount_id", "id", "event"],
        "ivr.format_error" => &["action", "subaccount_id", "id", "user_data", "event"],
        // ivr.put_end, ivr.connect_end
        _ => &[
            "end_time",
            "begin_time",
            "action",
            "subaccount_id",
            "id",
            "event",
            "error",
        ],
    }
}

/// One request the platform made to the application for a call (one attempt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IvrRequest {
    /// The call.
    pub call_id: String,
    /// `POST` (`ivr_start`) or `GET` (a `<next>` URL).
    pub method: String,
    /// The URL requested (after redirects: the last one).
    pub url: String,
    /// 1 to 4.
    pub attempt: u32,
    /// The `ivr_start` body as sent (ISO-8859-1 decoded); `None` for `GET`.
    pub body: Option<String>,
    /// The HTTP status, if a response came back.
    pub status: Option<u16>,
    /// Why the attempt failed (timeout, connection refused, redirect loop, too large, ...).
    pub error: Option<String>,
    /// The reply body as the platform decodes it (UTF-8), when the status was 200; at most
    /// 64 KiB of it are kept here.
    pub reply: Option<String>,
    /// Simulated epoch milliseconds when the attempt ended.
    pub sim_time_ms: i64,
}

/// A recording made by `<record>`, kept by the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recording {
    /// The recording id (32 lowercase hex), sent as `record_id` to the next URL.
    pub id: String,
    /// The call it was made in.
    pub call_id: String,
    /// The app of the call.
    pub app_id: String,
    /// The sub-account of the call, if any.
    pub subaccount_id: Option<String>,
    /// Simulated epoch milliseconds of its start and end.
    pub begin_ms: i64,
    /// See `begin_ms`.
    pub end_ms: i64,
    /// Whole seconds.
    pub duration: i64,
    /// Bytes (8 kHz, 16-bit mono).
    pub size: i64,
}

/// What the next request carries after an action, and its event.
#[derive(Debug, Clone, Default)]
struct Outcome {
    /// The `ivr.*` event and its values, if one is sent.
    event: Option<EventMap>,
    event_name: &'static str,
    /// Result parameters of the next request, in the platform's order.
    results: Vec<(&'static str, String)>,
    /// What happened, for the timeline.
    what: String,
}

/// A scheduled state change of an IVR call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) enum Step {
    /// The `ivr_call` leg answered.
    CustomerAnswered,
    /// The `ivr_call` leg was not answered.
    CustomerFailed(super::call::DialFailure),
    /// The platform answered an inbound call: the stored document runs.
    PlatformAnswered,
    /// The running action is over (its outcome is stored on the call).
    ActionDone,
    /// The `<dial>`ed number answered: the legs are bridged.
    DialedAnswered,
    /// The `<dial>`ed number did not answer.
    DialedFailed(super::call::DialFailure),
    /// The caller hangs up.
    CallerHangup,
    /// The inbound caller gives up waiting for an answer.
    CallerGivesUp,
    /// `max_call_duration` (or the platform's longest call) is reached.
    MaxDuration,
    /// The engine reports the call released: `ivr.call_end`.
    Released,
    /// The call center is done with the caller (queue failed or conversation over): the
    /// next request, with the results stored in the call center's `resume`.
    QueueDone,
}

/// One IVR call.
#[derive(Debug)]
struct IvrCall {
    id: Arc<str>,
    kind: CallKind,
    app_id: String,
    subaccount_id: Option<String>,
    /// Where `ivr_start` goes.
    ivr_url: Option<String>,
    /// Where the `ivr.*` events go.
    event_url: Option<String>,
    user_data: Option<String>,
    /// The customer's number (`from` of `ivr_start`).
    customer: String,
    /// The called platform number of an inbound call.
    called: Option<String>,
    caller: Behavior,
    state: CallState,
    /// Bumped when the running action is cut (hangup), cancelling its timers.
    generation: u64,
    timeline: Vec<TimelineEntry>,
    begin: i64,
    answer: Option<i64>,
    end: Option<i64>,
    end_by: &'static str,
    max_call_ms: i64,
    max_dial_ms: i64,
    /// An inbound call waiting to be answered keeps the first document here.
    waiting_answer: bool,
    stored: Option<crate::ivr_xml::Doc>,
    /// `None` before the first document; `Some("")` when the last one had no `<next>`.
    next_url: Option<String>,
    /// The tag name of the action that ran last (`type` of the next request).
    last_action: Option<&'static str>,
    /// How many `<get>`s ran (the index into the caller's keys).
    gets: usize,
    /// The outcome of the running action, applied at [`Step::ActionDone`].
    pending: Option<Outcome>,
    /// The `<dial>` in progress: number, its behaviour, connect limit.
    dialed: Option<(String, Behavior, i64)>,
    /// Numbers the replies of stale fetches are told apart by.
    fetch_seq: u64,
    requests: Vec<IvrRequest>,
    end_event: EndEventState,
    end_body: Option<Arc<[u8]>>,
    /// Whether the event bodies are UTF-8 (otherwise ISO-8859-1).
    utf8: bool,
}

impl IvrCall {
    fn enter(&mut self, at: i64, state: CallState, what: String) {
        self.state = state;
        self.push(at, what);
    }

    fn note(&mut self, at: i64, what: String) {
        self.push(at, what);
    }

    /// Adds a step to the timeline, up to [`TIMELINE_STEPS`] (an application answering in a
    /// loop with no delay would otherwise grow it for as long as the call lasts); the end of
    /// the call is always kept.
    fn push(&mut self, at: i64, what: String) {
        let state = self.state;
        let full = self.timeline.len() >= TIMELINE_STEPS;
        if full && !matches!(state, CallState::Releasing | CallState::Closed) {
            if self.timeline.len() == TIMELINE_STEPS {
                self.timeline.push(TimelineEntry {
                    sim_time_ms: at,
                    state,
                    what: format!("(more steps than {TIMELINE_STEPS}: the next ones are not kept)"),
                });
            }
            return;
        }
        self.timeline.push(TimelineEntry {
            sim_time_ms: at,
            state,
            what,
        });
    }

    fn is_over(&self) -> bool {
        matches!(self.state, CallState::Releasing | CallState::Closed)
    }

    fn info(&self) -> CallInfo {
        let mut numbers = vec![self.customer.clone()];
        numbers.extend(self.called.clone());
        CallInfo {
            id: self.id.to_string(),
            kind: self.kind,
            state: self.state,
            app_id: self.app_id.clone(),
            subaccount_id: self.subaccount_id.clone(),
            numbers,
            user_data: self.user_data.clone(),
            callback_url: self.event_url.clone(),
            timeline: self.timeline.clone(),
            end_event: self.end_event,
            end_event_delivered: self.end_event == EndEventState::Delivered,
        }
    }

    fn base_event(&self, name: &'static str) -> EventMap {
        let mut m = EventMap::default();
        m.text("action", Some("event_notify"))
            .text("event", Some(name))
            .text("id", Some(&self.id))
            .text("subaccount_id", self.subaccount_id.as_deref());
        m
    }
}

/// Every IVR call kept, and the recordings.
pub(in crate::sim) struct IvrCalls {
    map: HashMap<Arc<str>, IvrCall>,
    order: VecDeque<Arc<str>>,
    closed: VecDeque<Arc<str>>,
    recordings: VecDeque<Recording>,
}

impl IvrCalls {
    pub(in crate::sim) fn new() -> Self {
        IvrCalls {
            map: HashMap::new(),
            order: VecDeque::new(),
            closed: VecDeque::new(),
            recordings: VecDeque::new(),
        }
    }

    pub(in crate::sim) fn contains(&self, id: &str) -> bool {
        self.map.contains_key(id)
    }

    pub(in crate::sim) fn info(&self, id: &str) -> Option<CallInfo> {
        self.map.get(id).map(IvrCall::info)
    }

    pub(in crate::sim) fn infos(&self) -> impl Iterator<Item = (&Arc<str>, CallInfo)> + '_ {
        self.order
            .iter()
            .filter_map(|id| self.map.get(id).map(|c| (id, c.info())))
    }

    pub(in crate::sim) fn running(&self) -> usize {
        self.map
            .values()
            .filter(|c| c.state != CallState::Closed)
            .count()
    }

    /// `Some(final?)` for an IVR call, `None` for an unknown id.
    pub(in crate::sim) fn end_settled(&self, id: &str) -> Option<bool> {
        self.map.get(id).map(|c| c.end_event.is_final())
    }

    pub(in crate::sim) fn settle(&mut self, id: &str, delivered: bool) {
        if let Some(call) = self.map.get_mut(id) {
            call.end_event = if delivered {
                EndEventState::Delivered
            } else {
                EndEventState::Failed
            };
        }
        self.evict();
    }

    fn evict(&mut self) {
        while self.map.len() > IVR_HISTORY {
            let Some(oldest) = self.closed.front() else {
                break;
            };
            if self
                .map
                .get(oldest)
                .is_some_and(|c| !c.end_event.is_final())
            {
                break;
            }
            if let Some(id) = self.closed.pop_front() {
                self.map.remove(&id);
            }
        }
        if self.order.len() > 2 * IVR_HISTORY.max(self.map.len()) {
            let map = &self.map;
            self.order.retain(|id| map.contains_key(id));
        }
    }

    /// The end event of a settled call: URL, body, charset, delivered.
    pub(in crate::sim) fn end_delivery(
        &self,
        id: &str,
    ) -> Option<(Option<String>, Vec<u8>, bool, bool)> {
        let call = self.map.get(id)?;
        let body = call.end_body.as_ref()?;
        Some((
            call.event_url.clone(),
            body.to_vec(),
            call.utf8,
            call.end_event == EndEventState::Delivered,
        ))
    }

    pub(in crate::sim) fn requests(&self, id: &str) -> Option<Vec<IvrRequest>> {
        self.map.get(id).map(|c| c.requests.clone())
    }

    pub(in crate::sim) fn recordings(&self) -> Vec<Recording> {
        self.recordings.iter().cloned().collect()
    }

    pub(in crate::sim) fn note_request(&mut self, request: IvrRequest) {
        if let Some(call) = self.map.get_mut(request.call_id.as_str()) {
            if call.requests.len() < REQUESTS_PER_CALL {
                call.requests.push(request);
            }
        }
    }
}

/// An IVR call accepted by the API or arriving from a caller.
#[derive(Debug, Clone)]
pub(crate) struct NewIvrCall {
    pub(crate) kind: CallKind,
    pub(crate) app_id: String,
    pub(crate) subaccount_id: Option<String>,
    pub(crate) ivr_url: Option<String>,
    pub(crate) event_url: Option<String>,
    pub(crate) user_data: Option<String>,
    /// The customer: the callee of `ivr_call`, the caller of an inbound call.
    pub(crate) customer: String,
    /// The called platform number of an inbound call.
    pub(crate) called: Option<String>,
    pub(crate) max_call_ms: i64,
    pub(crate) max_dial_ms: Option<i64>,
}

/// A request for the fetch workers: `ivr_start` or a next request.
#[derive(Debug, Clone)]
pub(crate) struct IvrJob {
    pub(crate) call_id: Arc<str>,
    pub(crate) seq: u64,
    /// `POST` with this body, or `GET`.
    pub(crate) post_body: Option<Arc<[u8]>>,
    /// The URL to request, or why none can be requested (each attempt then fails with it).
    pub(crate) url: Result<String, String>,
    /// The URL a relative `<next>` in the reply is resolved against.
    pub(crate) base: Option<String>,
}

impl Shared {
    /// Accepts an IVR call (`ivr_call` or inbound) and starts it. Returns the call id.
    pub(crate) fn place_ivr_call(&self, new: NewIvrCall) -> String {
        let caller = self.behavior_of(&new.customer);
        let (id, job) = {
            let mut engine = self.engine_now();
            let now = self.clock.now_ms();
            engine.create_ivr(self, new, caller, now)
        };
        if let Some(job) = job {
            self.queue_ivr_job(job);
        }
        self.scheduler_wake.notify_one();
        id
    }

    pub(crate) fn queue_ivr_job(&self, job: IvrJob) {
        lock(&self.ivr_outbox).push_back(job);
        self.ivr_ready.notify_one();
    }

    /// A fetch worker's result: the reply body after the attempts (`None` when every attempt
    /// failed).
    pub(crate) fn ivr_reply(&self, job: &IvrJob, reply: Option<Vec<u8>>) {
        let next_job = {
            let mut engine = self.engine_now();
            let now = self.clock.now_ms();
            engine.on_reply(self, job, reply, now)
        };
        if let Some(job) = next_job {
            self.queue_ivr_job(job);
        }
        self.scheduler_wake.notify_one();
    }

    /// Records one attempt of a request to the application.
    pub(crate) fn record_ivr_request(&self, request: IvrRequest) {
        lock(&self.engine).ivr.note_request(request);
    }

    fn queue_event(&self, call: &mut IvrCall, at: i64, name: &'static str, event: &EventMap) {
        let utf8 = self.settings.utf8_webhooks;
        let body: Arc<[u8]> = events::encode_body(&event.render(event_order(name)), utf8).into();
        if name == "ivr.call_end" {
            call.end_body = Some(Arc::clone(&body));
        }
        match call.event_url.clone() {
            Some(url) => {
                call.note(at, format!("{name} queued for {url}"));
                lock(&self.outbox).push_back(
                    Job {
                        call_id: Arc::clone(&call.id),
                        event: name,
                        url,
                        body,
                        utf8,
                    }
                    .into(),
                );
                self.outbox_ready.notify_one();
            }
            None => {
                call.note(at, format!("{name} not sent: no callback URL"));
                if name == "ivr.call_end" {
                    call.end_event = EndEventState::NoCallbackUrl;
                    self.ended.notify_all();
                }
            }
        }
    }
}

/// The `ivr_start` body, ISO-8859-1 (or UTF-8 when the sandbox sends UTF-8 webhooks).
fn start_body(call: &IvrCall, utf8: bool) -> Arc<[u8]> {
    let mut m = EventMap::default();
    let kind = match call.kind {
        CallKind::IvrIncoming => "ivr_incoming",
        _ => "ivr_call",
    };
    m.text("action", Some("ivr_start"))
        .text("subaccount_id", call.subaccount_id.as_deref())
        .text("type", Some(kind))
        .text("call_id", Some(&call.id))
        .text("from", Some(&call.customer))
        .text("user_data", call.user_data.as_deref());
    events::encode_body(&m.render(START_ORDER), utf8).into()
}

/// When a `<get>` ends and with which keys, for the keys the caller presses.
#[allow(clippy::too_many_arguments)]
fn get_outcome(
    start: i64,
    prompt_ms: i64,
    script: &str,
    interval_ms: i64,
    valid: &str,
    max_keys: i64,
    finish: &str,
    first_timeout_ms: i64,
    next_timeout_ms: i64,
) -> (i64, String) {
    let mut keys = String::new();
    let mut deadline = start + prompt_ms + first_timeout_ms;
    let mut t = start;
    for c in script.chars() {
        t += interval_ms;
        if t > deadline {
            break;
        }
        if finish.contains(c) {
            return (t, keys);
        }
        if !valid.contains(c) {
            continue;
        }
        keys.push(c);
        if keys.chars().count() as i64 >= max_keys {
            return (t, keys);
        }
        deadline = t + next_timeout_ms;
    }
    (deadline, keys)
}

fn ms(secs: Option<i64>, default_ms: i64) -> i64 {
    secs.map_or(default_ms, |s| s.saturating_mul(1000))
}

impl Engine {
    fn create_ivr(
        &mut self,
        shared: &Shared,
        new: NewIvrCall,
        caller: Behavior,
        now: i64,
    ) -> (String, Option<IvrJob>) {
        let id: Arc<str> = loop {
            let id = self.ids.next();
            if !self.has_call(&id) && !self.ivr.contains(&id) {
                break id.into();
            }
        };
        let mut call = IvrCall {
            id: Arc::clone(&id),
            kind: new.kind,
            app_id: new.app_id,
            subaccount_id: new.subaccount_id,
            ivr_url: new.ivr_url,
            event_url: new.event_url,
            user_data: new.user_data,
            customer: new.customer,
            called: new.called,
            caller,
            state: CallState::Dialing1,
            generation: 0,
            timeline: Vec::new(),
            begin: now,
            answer: None,
            end: None,
            end_by: "sys",
            max_call_ms: new.max_call_ms,
            max_dial_ms: new.max_dial_ms.unwrap_or(DEFAULT_RING_MS),
            waiting_answer: false,
            stored: None,
            next_url: None,
            last_action: None,
            gets: 0,
            pending: None,
            dialed: None,
            fetch_seq: 0,
            requests: Vec::new(),
            end_event: EndEventState::Pending,
            end_body: None,
            utf8: shared.settings.utf8_webhooks,
        };
        let mut job = None;
        if call.kind == CallKind::IvrIncoming {
            call.waiting_answer = true;
            let what = format!(
                "inbound call from {} to {}",
                call.customer,
                call.called.as_deref().unwrap_or("")
            );
            call.enter(now, CallState::Incoming, what);
            self.schedule_ivr(
                &call,
                now + INBOUND_RING_MS,
                ANY_GENERATION,
                Step::CallerGivesUp,
            );
            job = Some(self.start_request(shared, &mut call, now));
        } else {
            call.enter(
                now,
                CallState::Dialing1,
                format!("dialling {}", call.customer),
            );
            let (due, answered) = dial_outcome_for(&call.caller, now, call.max_dial_ms);
            let step = match answered {
                Ok(()) => Step::CustomerAnswered,
                Err(why) => Step::CustomerFailed(why),
            };
            self.schedule_ivr(&call, due, call.generation, step);
        }
        self.ivr.order.push_back(Arc::clone(&id));
        self.ivr.map.insert(Arc::clone(&id), call);
        (id.to_string(), job)
    }

    fn schedule_ivr(&mut self, call: &IvrCall, due: i64, generation: u64, step: Step) {
        self.schedule(&call.id, generation, due, Wake::Ivr(step));
    }

    /// The `ivr_start` request of a call.
    fn start_request(&mut self, shared: &Shared, call: &mut IvrCall, at: i64) -> IvrJob {
        call.fetch_seq += 1;
        let url = call.ivr_url.clone();
        call.note(
            at,
            format!(
                "POST ivr_start to {}",
                url.as_deref().unwrap_or("(no IVR URL)")
            ),
        );
        IvrJob {
            call_id: Arc::clone(&call.id),
            seq: call.fetch_seq,
            post_body: Some(start_body(call, shared.settings.utf8_webhooks)),
            url: url
                .clone()
                .ok_or_else(|| "the app has no IVR URL".to_owned()),
            base: url,
        }
    }

    /// Runs a step that fell due at `at`.
    pub(in crate::sim) fn wake_ivr(
        &mut self,
        shared: &Shared,
        id: &Arc<str>,
        generation: u64,
        at: i64,
        step: Step,
    ) {
        let Some(mut call) = self.ivr.map.remove(id) else {
            return;
        };
        let current = generation == ANY_GENERATION || generation == call.generation;
        let job = if current {
            self.ivr_step(shared, &mut call, at, step)
        } else {
            None
        };
        let closed = call.state == CallState::Closed;
        self.ivr.map.insert(Arc::clone(&call.id), call);
        if closed {
            self.ivr.evict();
        }
        if let Some(job) = job {
            shared.queue_ivr_job(job);
        }
    }

    fn ivr_step(
        &mut self,
        shared: &Shared,
        call: &mut IvrCall,
        at: i64,
        step: Step,
    ) -> Option<IvrJob> {
        if call.state == CallState::Closed || (call.is_over() && step != Step::Released) {
            return None;
        }
        match step {
            Step::CustomerAnswered => {
                call.answer = Some(at);
                call.enter(
                    at,
                    CallState::Answered1,
                    format!("{} answered", call.customer),
                );
                let mut ev = call.base_event("ivr.dial_end");
                ev.number("begin_time", Some(floor_to_second(call.begin)))
                    .number("end_time", Some(floor_to_second(at)))
                    .text("user_data", call.user_data.as_deref());
                shared.queue_event(call, at, "ivr.dial_end", &ev);
                self.answered(call, at);
                Some(self.start_request(shared, call, at))
            }
            Step::CustomerFailed(why) => {
                let mut ev = call.base_event("ivr.dial_end");
                ev.number("begin_time", Some(floor_to_second(call.begin)))
                    .number("end_time", Some(floor_to_second(at)))
                    .text("user_data", call.user_data.as_deref())
                    .text("error", Some(why.error()));
                shared.queue_event(call, at, "ivr.dial_end", &ev);
                self.release_ivr(
                    call,
                    at,
                    "sys",
                    format!("{} {}", call.customer, why.describe()),
                );
                None
            }
            Step::PlatformAnswered => {
                call.answer = Some(at);
                call.waiting_answer = false;
                call.enter(
                    at,
                    CallState::Answered1,
                    "the platform answered the call".into(),
                );
                self.answered(call, at);
                let doc = call.stored.take()?;
                // The stored document runs with no base URL.
                self.run_document(shared, call, at, doc, None)
            }
            Step::ActionDone => {
                let outcome = call.pending.take().unwrap_or_default();
                if call.state == CallState::Connected {
                    call.enter(at, CallState::Answered1, outcome.what.clone());
                } else {
                    call.note(at, outcome.what.clone());
                }
                if let Some(event) = &outcome.event {
                    shared.queue_event(call, at, outcome.event_name, event);
                }
                self.after_action(call, at, &outcome.results)
            }
            Step::DialedAnswered => {
                let (number, behavior, connect_ms) = call.dialed.clone()?;
                call.enter(
                    at,
                    CallState::Connected,
                    format!("{number} answered; bridged with the caller"),
                );
                let ev = call.base_event("ivr.connect_begin");
                shared.queue_event(call, at, "ivr.connect_begin", &ev);
                let by_party = behavior
                    .hangup_after_ms
                    .map(|ms| at.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX)));
                let end = by_party.map_or(at + connect_ms, |t| t.min(at + connect_ms));
                let what = if by_party.is_some_and(|t| t <= at + connect_ms) {
                    format!("{number} hung up; the bridge ended")
                } else {
                    "the connect max_duration was reached; the bridge ended".into()
                };
                let mut ev = call.base_event("ivr.connect_end");
                ev.number("begin_time", Some(floor_to_second(at)))
                    .number("end_time", Some(floor_to_second(end)));
                call.pending = Some(Outcome {
                    event: Some(ev),
                    event_name: "ivr.connect_end",
                    results: Vec::new(),
                    what,
                });
                self.schedule_ivr(call, end, call.generation, Step::ActionDone);
                None
            }
            Step::DialedFailed(why) => {
                let number = call
                    .dialed
                    .as_ref()
                    .map(|d| d.0.clone())
                    .unwrap_or_default();
                // The platform's own failure event: times are its clock, in milliseconds.
                let mut ev = call.base_event("ivr.connect_end");
                ev.number("begin_time", Some(at))
                    .number("end_time", Some(at))
                    .text("error", Some(why.error()));
                call.pending = Some(Outcome {
                    event: Some(ev),
                    event_name: "ivr.connect_end",
                    results: vec![("error", "dial error".into())],
                    what: format!("the dial to {number} failed: {}", why.describe()),
                });
                self.ivr_step(shared, call, at, Step::ActionDone)
            }
            Step::QueueDone => {
                let results = self.cc.resume.remove(&call.id).unwrap_or_default();
                let what = match results.first() {
                    Some((_, e)) => format!("the queue failed ({e})"),
                    None => "the conversation is over for the caller".into(),
                };
                call.note(at, what);
                self.after_action(call, at, &results)
            }
            Step::CallerHangup => {
                self.release_ivr(call, at, "usr", format!("{} hung up", call.customer));
                None
            }
            Step::CallerGivesUp => {
                if call.answer.is_none() {
                    self.release_ivr(
                        call,
                        at,
                        "usr",
                        format!("{} gave up: the call was not answered", call.customer),
                    );
                }
                None
            }
            Step::MaxDuration => {
                self.release_ivr(
                    call,
                    at,
                    "sys",
                    "max_call_duration reached; the platform hung up".into(),
                );
                None
            }
            Step::Released => {
                call.enter(at, CallState::Closed, "released".into());
                // The call record bills the answered call to the sub-account's call quota.
                if let (Some(sub), Some(end)) = (call.subaccount_id.as_deref(), call.end) {
                    shared.mgmt.charge_call(sub, &[call.answer], end);
                }
                let mut ev = call.base_event("ivr.call_end");
                let cti = |t: Option<i64>| t.map(floor_to_second);
                ev.number("begin_time", cti(Some(call.begin)))
                    .number("answer_time", cti(call.answer))
                    .number("end_time", cti(call.end))
                    .text("end_by", Some(call.end_by))
                    .text("user_data", call.user_data.as_deref());
                shared.queue_event(call, at, "ivr.call_end", &ev);
                self.ivr.closed.push_back(Arc::clone(&call.id));
                if shared.settings.log {
                    eprintln!("call {} {} closed", call.id, call.kind.as_str());
                }
                None
            }
        }
    }

    /// The call is answered: the caller's hangup and the longest duration are set.
    fn answered(&mut self, call: &IvrCall, at: i64) {
        if let Some(after) = call.caller.hangup_after_ms {
            let t = at.saturating_add(i64::try_from(after).unwrap_or(i64::MAX));
            self.schedule_ivr(call, t, ANY_GENERATION, Step::CallerHangup);
        }
        self.schedule_ivr(
            call,
            at.saturating_add(call.max_call_ms),
            ANY_GENERATION,
            Step::MaxDuration,
        );
    }

    fn release_ivr(&mut self, call: &mut IvrCall, at: i64, by: &'static str, what: String) {
        call.generation += 1;
        call.end = Some(at);
        call.end_by = by;
        call.pending = None;
        call.enter(at, CallState::Releasing, what);
        self.conf_call_released(&call.id, at);
        self.cc_call_released(&call.id, at);
        self.schedule_ivr(call, at + RELEASE_WAIT_MS, ANY_GENERATION, Step::Released);
    }

    /// The call center is done with a caller: its script goes on with the next request.
    pub(in crate::sim) fn resume_after_queue(
        &mut self,
        call_id: &Arc<str>,
        results: Vec<(&'static str, String)>,
        at: i64,
    ) {
        self.cc.resume.insert(Arc::clone(call_id), results);
        self.schedule(call_id, ANY_GENERATION, at, Wake::Ivr(Step::QueueDone));
    }

    /// The platform hangs up: a call not yet answered is rejected, others dropped.
    fn hang_up(&mut self, call: &mut IvrCall, at: i64, what: String) {
        self.release_ivr(call, at, "sys", what);
    }

    /// After an action: the next request, or the end of the script.
    fn after_action(
        &mut self,
        call: &mut IvrCall,
        at: i64,
        results: &[(&'static str, String)],
    ) -> Option<IvrJob> {
        let next = call.next_url.clone().unwrap_or_default();
        if next.is_empty() {
            self.hang_up(
                call,
                at,
                "no <next>: the script is over; the platform hung up".into(),
            );
            return None;
        }
        call.fetch_seq += 1;
        let url = crate::ivr_url::next_request_url(&next, &call.id, call.last_action, results);
        call.note(
            at,
            match &url {
                Ok(u) => format!("GET {u}"),
                Err(e) => format!("GET {next} cannot be sent: {e}"),
            },
        );
        Some(IvrJob {
            call_id: Arc::clone(&call.id),
            seq: call.fetch_seq,
            post_body: None,
            url,
            base: Some(next),
        })
    }

    fn on_reply(
        &mut self,
        shared: &Shared,
        job: &IvrJob,
        reply: Option<Vec<u8>>,
        now: i64,
    ) -> Option<IvrJob> {
        let mut call = self.ivr.map.remove(&job.call_id)?;
        let result = if call.is_over() || call.fetch_seq != job.seq {
            call.note(now, "a reply came after the call ended: ignored".into());
            None
        } else {
            self.handle_reply(shared, &mut call, job, reply, now)
        };
        self.ivr.map.insert(Arc::clone(&call.id), call);
        result
    }

    fn handle_reply(
        &mut self,
        shared: &Shared,
        call: &mut IvrCall,
        job: &IvrJob,
        reply: Option<Vec<u8>>,
        now: i64,
    ) -> Option<IvrJob> {
        let Some(body) = reply else {
            call.note(
                now,
                "no answer with HTTP 200 after 4 attempts: the platform does nothing more".into(),
            );
            return None;
        };
        match crate::ivr_xml::read_reply(&body) {
            Reply::Blank => {
                call.note(now, "blank reply: the platform does nothing more".into());
                None
            }
            Reply::Invalid(why) => {
                call.note(now, format!("invalid document: {why}"));
                let mut ev = call.base_event("ivr.format_error");
                ev.text("user_data", call.user_data.as_deref());
                shared.queue_event(call, now, "ivr.format_error", &ev);
                self.hang_up(
                    call,
                    now,
                    "the platform hung up after ivr.format_error".into(),
                );
                None
            }
            Reply::NoAction => {
                call.note(
                    now,
                    "the document has no action: the platform fails on it and the call stalls"
                        .into(),
                );
                None
            }
            Reply::Document(doc) => {
                let call_center_off = shared
                    .app_settings_of(&call.app_id)
                    .disabled_services
                    .contains(&crate::business::Service::CallCenter);
                if matches!(doc.action, Action::Enqueue(_)) && call_center_off {
                    call.note(
                        now,
                        "<enqueue>: the app is not a call-center app, nothing happens".into(),
                    );
                    return None;
                }
                if call.waiting_answer && !matches!(doc.action, Action::Hangup) {
                    call.note(
                        now,
                        format!(
                            "<{}> kept until the call is answered; answering",
                            doc.action.name()
                        ),
                    );
                    call.stored = Some(doc);
                    self.schedule_ivr(call, now, call.generation, Step::PlatformAnswered);
                    return None;
                }
                self.run_document(shared, call, now, doc, job.base.as_deref())
            }
        }
    }

    fn run_document(
        &mut self,
        shared: &Shared,
        call: &mut IvrCall,
        at: i64,
        doc: crate::ivr_xml::Doc,
        base: Option<&str>,
    ) -> Option<IvrJob> {
        let next = if doc.next.is_empty() {
            String::new()
        } else {
            match crate::ivr_url::resolve(base, &doc.next) {
                Ok(url) => url,
                Err(why) => {
                    call.note(at, format!("{why}: the action fails and the call stalls"));
                    return None;
                }
            }
        };
        call.last_action = Some(doc.action.name());
        call.next_url = Some(next);
        self.run_action(shared, call, at, doc.action)
    }

    fn run_action(
        &mut self,
        shared: &Shared,
        call: &mut IvrCall,
        at: i64,
        action: Action,
    ) -> Option<IvrJob> {
        let settings = shared.app_settings_of(&call.app_id);
        let audited = |f: &str| settings.check_files(f).is_ok();
        let done = |engine: &mut Engine, call: &mut IvrCall, end: i64, outcome: Outcome| {
            call.pending = Some(outcome);
            engine.schedule_ivr(call, end, call.generation, Step::ActionDone);
        };
        let timed_event = |call: &IvrCall, name: &'static str, begin: i64, end: i64| {
            let mut ev = call.base_event(name);
            ev.number("begin_time", Some(floor_to_second(begin)))
                .number("end_time", Some(floor_to_second(end)));
            ev
        };
        match action {
            Action::Play {
                list,
                files,
                repeat,
                ..
            } => {
                let tag = if list { "playlist" } else { "play" };
                call.note(at, format!("<{tag}> {}", files.join(", ")));
                if let Some(bad) = files.iter().find(|f| !audited(f)) {
                    let mut ev = call.base_event("ivr.play_end");
                    ev.number("begin_time", Some(at))
                        .number("end_time", Some(at))
                        .text("error", Some("play error"));
                    done(
                        self,
                        call,
                        at,
                        Outcome {
                            event: Some(ev),
                            event_name: "ivr.play_end",
                            results: vec![("error", "play error".into())],
                            what: format!("{bad} is not an audited file: play error"),
                        },
                    );
                    return None;
                }
                let end = at + files.len() as i64 * PLAY_FILE_MS * repeat.unwrap_or(1).max(1);
                let ev = timed_event(call, "ivr.play_end", at, end);
                done(
                    self,
                    call,
                    end,
                    Outcome {
                        event: Some(ev),
                        event_name: "ivr.play_end",
                        results: Vec::new(),
                        what: format!("<{tag}> finished"),
                    },
                );
                None
            }
            Action::Get {
                prompt,
                valid_keys,
                max_keys,
                finish_keys,
                first_key_timeout,
                continues_keys_timeout,
                ..
            } => {
                let script = call.caller.keys.get(call.gets).cloned().unwrap_or_default();
                call.gets += 1;
                call.note(at, format!("<get> prompt {}", prompt.join(", ")));
                let (end, keys) = get_outcome(
                    at,
                    prompt.len() as i64 * PLAY_FILE_MS,
                    &script,
                    i64::try_from(call.caller.key_interval_ms).unwrap_or(i64::MAX / 4),
                    valid_keys.as_deref().unwrap_or(GET_VALID_KEYS),
                    max_keys.unwrap_or(GET_MAX_KEYS),
                    finish_keys.as_deref().unwrap_or(GET_FINISH_KEYS),
                    ms(first_key_timeout, GET_FIRST_KEY_TIMEOUT_S * 1000),
                    ms(continues_keys_timeout, GET_CONTINUES_KEYS_TIMEOUT_S * 1000),
                );
                let mut ev = timed_event(call, "ivr.get_end", at, end);
                ev.text("keys", Some(&keys));
                let what = if script.is_empty() {
                    "the caller pressed nothing".to_owned()
                } else {
                    format!("the caller pressed {script:?}: keys {keys:?}")
                };
                let results = if keys.is_empty() {
                    Vec::new()
                } else {
                    vec![("keys", keys)]
                };
                done(
                    self,
                    call,
                    end,
                    Outcome {
                        event: Some(ev),
                        event_name: "ivr.get_end",
                        results,
                        what,
                    },
                );
                None
            }
            Action::Record { max_duration, .. } => {
                let end = at + ms(max_duration, DEFAULT_RECORD_MS);
                let record_id = self.ids.next();
                call.note(at, format!("<record> as {record_id}"));
                let duration = (end - at) / 1000;
                self.ivr.recordings.push_back(Recording {
                    id: record_id.clone(),
                    call_id: call.id.to_string(),
                    app_id: call.app_id.clone(),
                    subaccount_id: call.subaccount_id.clone(),
                    begin_ms: at,
                    end_ms: end,
                    duration,
                    size: duration * 16_000,
                });
                while self.ivr.recordings.len() > RECORDING_HISTORY {
                    self.ivr.recordings.pop_front();
                }
                let ev = timed_event(call, "ivr.record_end", at, end);
                done(
                    self,
                    call,
                    end,
                    Outcome {
                        event: Some(ev),
                        event_name: "ivr.record_end",
                        results: vec![("record_id", record_id)],
                        what: "recording finished".into(),
                    },
                );
                None
            }
            Action::SendDtmf { keys } => {
                call.note(at, format!("<send_dtmf> {keys}"));
                let end = at + keys.chars().count() as i64 * DTMF_KEY_MS;
                let ev = timed_event(call, "ivr.put_end", at, end);
                done(
                    self,
                    call,
                    end,
                    Outcome {
                        event: Some(ev),
                        event_name: "ivr.put_end",
                        results: Vec::new(),
                        what: "keys sent".into(),
                    },
                );
                None
            }
            Action::Pause { seconds } => {
                call.note(at, format!("<pause> {} s", seconds.unwrap_or(0)));
                let end = at + seconds.unwrap_or(0).saturating_mul(1000);
                done(
                    self,
                    call,
                    end,
                    Outcome {
                        what: "pause over".into(),
                        ..Outcome::default()
                    },
                );
                None
            }
            Action::Hangup => {
                let what = if call.answer.is_none() {
                    "<hangup>: the platform rejected the call"
                } else {
                    "<hangup>: the platform hung up"
                };
                self.hang_up(call, at, what.into());
                None
            }
            Action::Dial {
                number,
                max_dial_duration,
                connect_max_duration,
                ..
            } => {
                let Some(number) = number else {
                    call.note(
                        at,
                        "<dial> without <number>: no number is selected and the call stalls".into(),
                    );
                    return None;
                };
                let behavior = shared.behavior_of(&number);
                if let Some(code) = behavior.code {
                    call.note(
                        at,
                        format!(
                            "<dial> {number}: number selection fails ({}): the call stalls",
                            code.code()
                        ),
                    );
                    return None;
                }
                call.note(at, format!("<dial> {number}"));
                let ring = ms(max_dial_duration, DEFAULT_RING_MS);
                let (due, answered) = dial_outcome_for(&behavior, at, ring);
                let connect_ms = ms(connect_max_duration, MAX_DURATION_MS);
                call.dialed = Some((number, behavior, connect_ms));
                let step = match answered {
                    Ok(()) => Step::DialedAnswered,
                    Err(why) => Step::DialedFailed(why),
                };
                self.schedule_ivr(call, due, call.generation, step);
                None
            }
            Action::Enqueue(enqueue) => {
                // The call center routes the caller; its script goes on when the queue or the
                // conversation is over (`resume_after_queue`).
                if let Some(ud) = enqueue.user_data.clone() {
                    call.user_data = Some(ud);
                }
                if let Some(voice) = &enqueue.wait_voice {
                    call.note(at, format!("<enqueue>: waiting, {voice} loops (repeat 10)"));
                } else {
                    call.note(at, "<enqueue>: waiting for an agent".into());
                }
                let (id, app, sub, url, ud) = (
                    Arc::clone(&call.id),
                    call.app_id.clone(),
                    call.subaccount_id.clone(),
                    call.event_url.clone(),
                    call.user_data.clone(),
                );
                self.cc_enqueue(
                    shared,
                    &id,
                    &app,
                    sub.as_deref(),
                    url.as_deref(),
                    ud.as_deref(),
                    &enqueue,
                    at,
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_outcomes() {
        let get = |script: &str, max: i64| {
            get_outcome(
                0,
                2000,
                script,
                1000,
                GET_VALID_KEYS,
                max,
                "#",
                45_000,
                30_000,
            )
        };
        assert_eq!(get("1", 1), (1000, "1".into()));
        assert_eq!(get("12#", 11), (3000, "12".into()));
        assert_eq!(get("", 1), (47_000, String::new()));
        assert_eq!(get("12", 11), (32_000, "12".into()));
        assert_eq!(get("#", 11), (1000, String::new()));
        // A key not in valid_keys is ignored.
        assert_eq!(
            get_outcome(0, 0, "x91", 1000, "1", 1, "#", 10_000, 10_000),
            (3000, "1".into())
        );
        // A key after the timeout is not heard.
        assert_eq!(
            get_outcome(0, 0, "1", 5000, GET_VALID_KEYS, 1, "#", 2000, 2000),
            (2000, String::new())
        );
    }

    #[test]
    fn caller_answers_as_scripted() {
        let b = Behavior::answer_after(300);
        assert_eq!(dial_outcome_for(&b, 0, 1000), (300, Ok(())));
        assert!(dial_outcome_for(&Behavior::busy(), 0, 5000).1.is_err());
        assert_eq!(crate::Answer::NoAnswer, Behavior::no_answer().answer);
    }
}
