//! The call engine: every call's state machine, driven by one scheduler thread.
//!
//! Calls do not get threads. Each pending state change is a timer in one heap, ordered by its
//! scheduled simulated time; the scheduler thread sleeps on a condition variable until the
//! earliest timer is due. Any thread that touches the engine first catches up with the
//! simulated clock, so an API request (a cancel, say) always sees every change that was due
//! before it. Event fields use the scheduled time of each change, never a measured one, so
//! they are exact whatever the load.
//!
//! Memory stays bounded: finished calls are forgotten oldest first once more than
//! [`CALL_HISTORY`] calls are kept, and webhook attempts beyond [`ATTEMPT_HISTORY`]. The
//! platform keeps a finished call's state for 30 minutes so that a late cancel gets `020000`;
//! here a kept finished call and a forgotten one both get `020000`, so no separate expiry is
//! needed.

use std::cmp::Ordering as CmpOrdering;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use crate::behavior::{reserved_behavior, Answer, Behavior};
use crate::config::Credentials;
use crate::events::{self, EventMap};
use crate::inspect::{
    CallInfo, CallKind, CallState, Delivery, EndEventState, TimelineEntry, WebhookAttempt,
};
use crate::time::{floor_to_second, SimClock};

/// How long the engine waits after a call is over before reporting it released.
const RELEASE_WAIT_MS: i64 = 1000;
/// How long a busy number rings before rejecting.
const BUSY_RING_MS: i64 = 1000;
/// How long a ring tone played to leg 1 before dialling leg 2 (ring tone mode 3) lasts.
pub(crate) const RING_TONE_MS: i64 = 3000;
/// Most calls kept for inspection (running calls are always kept).
pub(crate) const CALL_HISTORY: usize = 10_000;
/// Most webhook attempts kept for inspection.
pub(crate) const ATTEMPT_HISTORY: usize = 10_000;

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) time_scale: f64,
    pub(crate) expiry_minutes: u64,
    pub(crate) utf8_webhooks: bool,
    pub(crate) webhook_timeout: Duration,
    pub(crate) api_delay: Duration,
    pub(crate) log: bool,
}

/// What a call does, decided by the API from the request.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    /// Two legs, bridged.
    Duo {
        to1: String,
        to2: String,
        /// Time spent playing a ring tone to leg 1 before dialling leg 2.
        ring_tone_ms: i64,
        /// Ring timeout of each leg.
        max_dial_ms: i64,
        /// Longest bridge.
        max_call_ms: i64,
    },
    /// One leg that plays content.
    Single {
        to: String,
        max_dial_ms: i64,
        /// How long the content plays once answered.
        play_ms: i64,
    },
}

/// A call accepted by the API.
#[derive(Debug, Clone)]
pub(crate) struct NewCall {
    pub(crate) kind: CallKind,
    pub(crate) app_id: String,
    pub(crate) subaccount_id: Option<String>,
    pub(crate) callback_url: Option<String>,
    pub(crate) user_data: Option<String>,
    pub(crate) plan: Plan,
}

/// The result of a cancel request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CancelOutcome {
    /// Leg 1 is hung up; the call releases normally.
    Cancelled,
    /// Accepted by the API but ignored by the engine (already connected, or not a callback).
    Ignored,
    /// Unknown id, or the call is already over (`020000`).
    NotExists,
}

/// A webhook delivery waiting for a worker.
#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub(crate) call_id: Arc<str>,
    pub(crate) event: &'static str,
    pub(crate) url: String,
    pub(crate) body: Arc<[u8]>,
    pub(crate) utf8: bool,
}

/// Everything the sandbox's threads share.
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    /// `http://host:port`, set once the server is bound.
    pub(crate) base_url: std::sync::OnceLock<String>,
    pub(crate) credentials: Credentials,
    pub(crate) clock: SimClock,
    /// The current callback URL of each app (the default app's can change at run time).
    pub(crate) app_urls: RwLock<HashMap<String, Option<String>>>,
    /// Behaviours scripted through the library or the admin endpoint.
    pub(crate) behaviors: RwLock<HashMap<String, Behavior>>,
    pub(crate) engine: Mutex<Engine>,
    /// Wakes the scheduler when a timer is added or the sandbox stops.
    pub(crate) scheduler_wake: Condvar,
    /// Signalled (with the engine lock) when an end event is settled.
    pub(crate) ended: Condvar,
    pub(crate) outbox: Mutex<VecDeque<Job>>,
    pub(crate) outbox_ready: Condvar,
    pub(crate) stopping: AtomicBool,
    /// Wakes sleeping request handlers (`api_delay`) when the sandbox stops.
    pub(crate) stop_lock: Mutex<()>,
    pub(crate) stop_signal: Condvar,
}

impl Shared {
    pub(crate) fn new(settings: Settings, credentials: Credentials, clock: SimClock) -> Self {
        let app_urls = credentials
            .apps
            .iter()
            .map(|a| (a.app_id.clone(), a.callback_url.clone()))
            .collect();
        Shared {
            settings,
            base_url: std::sync::OnceLock::new(),
            credentials,
            clock,
            app_urls: RwLock::new(app_urls),
            behaviors: RwLock::new(HashMap::new()),
            engine: Mutex::new(Engine::new()),
            scheduler_wake: Condvar::new(),
            ended: Condvar::new(),
            outbox: Mutex::new(VecDeque::new()),
            outbox_ready: Condvar::new(),
            stopping: AtomicBool::new(false),
            stop_lock: Mutex::new(()),
            stop_signal: Condvar::new(),
        }
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Locks the engine and brings it up to the simulated now.
    pub(crate) fn engine_now(&self) -> MutexGuard<'_, Engine> {
        let mut engine = lock(&self.engine);
        engine.advance(self, self.clock.now_ms());
        engine
    }

    /// The behaviour a number has now: scripted, else reserved, else the default.
    pub(crate) fn behavior_of(&self, number: &str) -> Behavior {
        if let Some(b) = read(&self.behaviors).get(number) {
            return *b;
        }
        reserved_behavior(number).unwrap_or_default()
    }

    /// Where events of a call placed by this app (and sub-account) go; `None` when blank.
    pub(crate) fn callback_url_for(
        &self,
        app_id: &str,
        subaccount: Option<usize>,
    ) -> Option<String> {
        let non_blank = |u: &Option<String>| u.clone().filter(|u| !crate::lenient::is_blank(u));
        if let Some(index) = subaccount {
            if let Some(url) = non_blank(&self.credentials.sub_accounts[index].callback_url) {
                return Some(url);
            }
        }
        read(&self.app_urls).get(app_id).and_then(non_blank)
    }

    /// Accepts a call and schedules its first step. Returns the call id.
    pub(crate) fn place_call(&self, new: NewCall) -> String {
        let behaviors: Vec<Behavior> = match &new.plan {
            Plan::Duo { to1, to2, .. } => vec![self.behavior_of(to1), self.behavior_of(to2)],
            Plan::Single { to, .. } => vec![self.behavior_of(to)],
        };
        let id = {
            let mut engine = self.engine_now();
            let now = self.clock.now_ms();
            engine.create(new, behaviors, now)
        };
        self.scheduler_wake.notify_one();
        id
    }

    /// Handles `duo_callback_cancel`.
    pub(crate) fn cancel(&self, call_id: &str) -> CancelOutcome {
        let outcome = {
            let mut engine = self.engine_now();
            let now = self.clock.now_ms();
            engine.cancel(call_id, now)
        };
        self.scheduler_wake.notify_one();
        outcome
    }

    /// Waits until the call's end event is settled or `timeout` passes.
    pub(crate) fn wait_for_end(&self, call_id: &str, timeout: Duration) -> Option<Delivery> {
        let deadline = Instant::now().checked_add(timeout);
        let mut engine = self.engine_now();
        loop {
            let call = engine.calls.get(call_id)?;
            if call.end_event.is_final() {
                return call.delivery();
            }
            if self.is_stopping() {
                return None;
            }
            let now = Instant::now();
            let wait = match deadline {
                Some(d) if d <= now => return None,
                Some(d) => d - now,
                None => Duration::from_secs(3600),
            };
            engine = self
                .ended
                .wait_timeout(engine, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Sleeps for `duration` of real time, returning early if the sandbox stops.
    pub(crate) fn sleep(&self, duration: Duration) {
        let Some(deadline) = Instant::now().checked_add(duration) else {
            return;
        };
        let mut guard = lock(&self.stop_lock);
        while !self.is_stopping() {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            guard = self
                .stop_signal
                .wait_timeout(guard, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Records one webhook attempt.
    pub(crate) fn record_attempt(&self, attempt: WebhookAttempt) {
        let mut engine = lock(&self.engine);
        if let Some(call) = engine.calls.get_mut(attempt.call_id.as_str()) {
            call.attempts.push(attempt.clone());
        }
        engine.attempts.push_back(attempt);
        while engine.attempts.len() > engine.attempt_cap {
            engine.attempts.pop_front();
        }
    }

    /// Records the final outcome of a delivery and wakes waiters.
    pub(crate) fn settle_delivery(&self, call_id: &str, delivered: bool) {
        let mut engine = lock(&self.engine);
        if let Some(call) = engine.calls.get_mut(call_id) {
            call.end_event = if delivered {
                EndEventState::Delivered
            } else {
                EndEventState::Failed
            };
        }
        engine.evict();
        drop(engine);
        self.ended.notify_all();
    }

    /// Stops everything that waits: scheduler, workers, waiters, sleeping handlers.
    pub(crate) fn signal_stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        {
            let _engine = lock(&self.engine);
            self.scheduler_wake.notify_all();
            self.ended.notify_all();
        }
        {
            let _outbox = lock(&self.outbox);
            self.outbox_ready.notify_all();
        }
        let _stop = lock(&self.stop_lock);
        self.stop_signal.notify_all();
    }
}

/// Locks a mutex, ignoring poisoning (a panicking thread leaves consistent data here).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

/// The scheduler thread's body: runs timers when they fall due until the sandbox stops.
pub(crate) fn run_scheduler(shared: &Shared) {
    let mut engine = lock(&shared.engine);
    loop {
        if shared.is_stopping() {
            return;
        }
        let now = shared.clock.now_ms();
        engine.advance(shared, now);
        let wait = match engine.timers.peek() {
            None => Duration::from_secs(3600),
            Some(next) => {
                let due = shared.clock.real_instant(next.due);
                let real_now = Instant::now();
                if due <= real_now {
                    // Due in real time, though the millisecond clock may not show it yet.
                    let due_sim = next.due;
                    engine.advance(shared, due_sim.max(now));
                    continue;
                }
                due - real_now
            }
        };
        engine = shared
            .scheduler_wake
            .wait_timeout(engine, wait)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

/// Why a dial did not get an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DialFailure {
    Busy,
    NoAnswer,
    Unreachable,
}

impl DialFailure {
    /// The error a single-leg call reports.
    fn error(self) -> &'static str {
        match self {
            DialFailure::NoAnswer => "ring timeout",
            DialFailure::Busy | DialFailure::Unreachable => "dial failed",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            DialFailure::Busy => "busy",
            DialFailure::NoAnswer => "not answered within max_dial_duration",
            DialFailure::Unreachable => "unreachable",
        }
    }
}

/// How a bridge ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BridgeEnd {
    Party1,
    Party2,
    Timeout,
    Error,
}

/// A scheduled state change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    EngineFailed,
    Answered { leg: u8 },
    DialFailed { leg: u8, why: DialFailure },
    RingToneDone,
    BridgeEnded(BridgeEnd),
    PlayEnded { by_user: bool },
    Released,
}

#[derive(Debug)]
struct Timer {
    due: i64,
    seq: u64,
    call: Arc<str>,
    generation: u64,
    step: Step,
}

impl PartialEq for Timer {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}
impl Eq for Timer {}
impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}
impl Ord for Timer {
    /// Reversed, so that the max-heap pops the earliest (then first scheduled) timer.
    fn cmp(&self, other: &Self) -> CmpOrdering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}

/// One call's record.
#[derive(Debug)]
struct Call {
    id: Arc<str>,
    kind: CallKind,
    app_id: String,
    subaccount_id: Option<String>,
    callback_url: Option<String>,
    user_data: Option<String>,
    plan: Plan,
    behaviors: Vec<Behavior>,
    state: CallState,
    /// Bumped to invalidate the pending timer (on cancel).
    generation: u64,
    timeline: Vec<TimelineEntry>,
    begin: i64,
    answer1: Option<i64>,
    answer2: Option<i64>,
    end: Option<i64>,
    hangup_by: &'static str,
    error: Option<&'static str>,
    /// `usr`/`sys` of a single-leg call.
    dropped_by: Option<&'static str>,
    end_event: EndEventState,
    event_name: &'static str,
    body: Option<Arc<[u8]>>,
    /// Whether the body is UTF-8 (otherwise ISO-8859-1).
    utf8: bool,
    attempts: Vec<WebhookAttempt>,
}

impl Call {
    fn numbers(&self) -> Vec<String> {
        match &self.plan {
            Plan::Duo { to1, to2, .. } => vec![to1.clone(), to2.clone()],
            Plan::Single { to, .. } => vec![to.clone()],
        }
    }

    fn enter(&mut self, at: i64, state: CallState, what: String) {
        self.state = state;
        self.timeline.push(TimelineEntry {
            sim_time_ms: at,
            state,
            what,
        });
    }

    pub(crate) fn info(&self) -> CallInfo {
        CallInfo {
            id: self.id.to_string(),
            kind: self.kind,
            state: self.state,
            app_id: self.app_id.clone(),
            subaccount_id: self.subaccount_id.clone(),
            numbers: self.numbers(),
            user_data: self.user_data.clone(),
            callback_url: self.callback_url.clone(),
            timeline: self.timeline.clone(),
            end_event: self.end_event,
            end_event_delivered: self.end_event == EndEventState::Delivered,
        }
    }

    fn delivery(&self) -> Option<Delivery> {
        let body = self.body.as_ref()?;
        Some(Delivery {
            call_id: self.id.to_string(),
            event: self.event_name.to_owned(),
            url: self.callback_url.clone(),
            body: body.to_vec(),
            utf8: self.utf8,
            attempts: self.attempts.clone(),
            delivered: self.end_event == EndEventState::Delivered,
        })
    }
}

/// Call ids: 32 lowercase hex characters, unique within a sandbox, unpredictable across runs.
#[derive(Debug)]
struct IdGenerator {
    seed: u64,
    counter: u64,
}

impl IdGenerator {
    fn new() -> Self {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(crate::time::wall_clock_ms() as u128);
        h.write_u32(std::process::id());
        IdGenerator {
            seed: h.finish(),
            counter: 0,
        }
    }

    /// A bijective 64-bit mix, so distinct inputs give distinct outputs.
    fn mix(mut z: u64) -> u64 {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn next(&mut self) -> String {
        self.counter += 1;
        let unique = Self::mix(self.seed.wrapping_add(self.counter));
        let noise = Self::mix(unique ^ self.seed.rotate_left(17));
        format!("{unique:016x}{noise:016x}")
    }
}

/// All calls and timers.
pub(crate) struct Engine {
    calls: HashMap<Arc<str>, Call>,
    /// Closed calls, oldest first, for eviction.
    closed: VecDeque<Arc<str>>,
    /// Creation order, for listing.
    order: VecDeque<Arc<str>>,
    timers: BinaryHeap<Timer>,
    next_seq: u64,
    ids: IdGenerator,
    attempts: VecDeque<WebhookAttempt>,
    /// Most calls kept (running calls are never forgotten).
    call_cap: usize,
    /// Most webhook attempts kept.
    attempt_cap: usize,
}

impl Engine {
    fn new() -> Self {
        Engine {
            calls: HashMap::new(),
            closed: VecDeque::new(),
            order: VecDeque::new(),
            timers: BinaryHeap::new(),
            next_seq: 0,
            ids: IdGenerator::new(),
            attempts: VecDeque::new(),
            call_cap: CALL_HISTORY,
            attempt_cap: ATTEMPT_HISTORY,
        }
    }

    /// Snapshots of every call kept, oldest first.
    pub(crate) fn call_infos(&self) -> Vec<CallInfo> {
        self.order
            .iter()
            .filter_map(|id| self.calls.get(id))
            .map(Call::info)
            .collect()
    }

    /// Snapshot of one call.
    pub(crate) fn call_info(&self, id: &str) -> Option<CallInfo> {
        self.calls.get(id).map(Call::info)
    }

    /// Whether a call with this id is kept.
    pub(crate) fn has_call(&self, id: &str) -> bool {
        self.calls.contains_key(id)
    }

    /// Webhook attempts kept, oldest first, optionally for one call.
    pub(crate) fn attempts(&self, call_id: Option<&str>) -> Vec<WebhookAttempt> {
        self.attempts
            .iter()
            .filter(|a| call_id.is_none_or(|id| a.call_id == id))
            .cloned()
            .collect()
    }

    /// Number of calls not yet closed.
    pub(crate) fn running(&self) -> usize {
        self.calls
            .values()
            .filter(|c| c.state != CallState::Closed)
            .count()
    }

    fn schedule(&mut self, call: &Call, due: i64, step: Step) {
        self.next_seq += 1;
        self.timers.push(Timer {
            due,
            seq: self.next_seq,
            call: Arc::clone(&call.id),
            generation: call.generation,
            step,
        });
    }

    /// Runs every timer due at or before `now`, in order.
    fn advance(&mut self, shared: &Shared, now: i64) {
        while self.timers.peek().is_some_and(|t| t.due <= now) {
            let Some(timer) = self.timers.pop() else {
                break;
            };
            let Some(mut call) = self.calls.remove(&timer.call) else {
                continue;
            };
            if call.generation == timer.generation {
                self.step(shared, &mut call, timer.due, timer.step);
            }
            let closed = call.state == CallState::Closed;
            self.calls.insert(Arc::clone(&call.id), call);
            if closed {
                self.evict();
            }
        }
    }

    fn create(&mut self, new: NewCall, behaviors: Vec<Behavior>, now: i64) -> String {
        let id: Arc<str> = loop {
            let id = self.ids.next();
            if !self.calls.contains_key(id.as_str()) {
                break id.into();
            }
        };
        let mut call = Call {
            id: Arc::clone(&id),
            kind: new.kind,
            app_id: new.app_id,
            subaccount_id: new.subaccount_id,
            callback_url: new.callback_url,
            user_data: new.user_data,
            plan: new.plan,
            behaviors,
            state: CallState::Dialing1,
            generation: 0,
            timeline: Vec::new(),
            begin: now,
            answer1: None,
            answer2: None,
            end: None,
            hangup_by: "0",
            error: None,
            dropped_by: None,
            end_event: EndEventState::Pending,
            event_name: "",
            body: None,
            utf8: false,
            attempts: Vec::new(),
        };
        let first = call.numbers()[0].clone();
        call.enter(
            now,
            CallState::Dialing1,
            format!("placed; dialling leg 1 to {first}"),
        );
        if call
            .behaviors
            .iter()
            .any(|b| b.answer == Answer::EngineFailure)
        {
            self.schedule(&call, now, Step::EngineFailed);
        } else {
            let max_dial_ms = match call.plan {
                Plan::Duo { max_dial_ms, .. } | Plan::Single { max_dial_ms, .. } => max_dial_ms,
            };
            let (due, step) = dial_outcome(call.behaviors[0], 1, now, max_dial_ms);
            self.schedule(&call, due, step);
        }
        self.order.push_back(Arc::clone(&id));
        self.calls.insert(Arc::clone(&id), call);
        id.to_string()
    }

    fn cancel(&mut self, call_id: &str, now: i64) -> CancelOutcome {
        let Some(mut call) = self.calls.remove(call_id) else {
            return CancelOutcome::NotExists;
        };
        let outcome = match (call.kind, call.state) {
            (_, CallState::Closed) => CancelOutcome::NotExists,
            (
                CallKind::DuoCallback,
                CallState::Dialing1 | CallState::Answered1 | CallState::Dialing2,
            ) => {
                call.generation += 1;
                self.release(&mut call, now, "cancelled by the API: leg 1 hung up".into());
                CancelOutcome::Cancelled
            }
            (_, state) => {
                call.timeline.push(TimelineEntry {
                    sim_time_ms: now,
                    state,
                    what: "cancel accepted by the API but ignored by the engine".into(),
                });
                CancelOutcome::Ignored
            }
        };
        self.calls.insert(Arc::clone(&call.id), call);
        outcome
    }

    fn release(&mut self, call: &mut Call, at: i64, what: String) {
        call.enter(at, CallState::Releasing, what);
        self.schedule(call, at + RELEASE_WAIT_MS, Step::Released);
    }

    fn step(&mut self, shared: &Shared, call: &mut Call, at: i64, step: Step) {
        match (step, call.plan.clone()) {
            (Step::EngineFailed, _) => {
                call.error = Some(events::ENGINE_FAILURE);
                call.enter(
                    at,
                    CallState::Closed,
                    "engine failure: the call could not be started (调用失败)".into(),
                );
                self.finish(shared, call, at);
            }
            (Step::Released, _) => {
                call.enter(at, CallState::Closed, "released".into());
                self.finish(shared, call, at);
            }
            (
                Step::Answered { leg: 1 },
                Plan::Duo {
                    ring_tone_ms,
                    to2,
                    max_dial_ms,
                    ..
                },
            ) => {
                call.answer1 = Some(at);
                call.enter(at, CallState::Answered1, "leg 1 answered".into());
                if ring_tone_ms > 0 {
                    call.timeline.push(TimelineEntry {
                        sim_time_ms: at,
                        state: CallState::Answered1,
                        what: format!("playing the ring tone to leg 1 ({} s)", ring_tone_ms / 1000),
                    });
                    self.schedule(call, at + ring_tone_ms, Step::RingToneDone);
                } else {
                    self.dial_leg2(call, at, &to2, max_dial_ms);
                }
            }
            (
                Step::RingToneDone,
                Plan::Duo {
                    to2, max_dial_ms, ..
                },
            ) => {
                self.dial_leg2(call, at, &to2, max_dial_ms);
            }
            (Step::Answered { .. }, Plan::Duo { max_call_ms, .. }) => {
                call.answer2 = Some(at);
                call.enter(
                    at,
                    CallState::Connected,
                    "leg 2 answered; legs bridged".into(),
                );
                let (b1, b2) = (call.behaviors[0], call.behaviors[1]);
                // Candidates in tie-break order: party 2, party 1, the duration limit.
                let mut end = (at + max_call_ms, BridgeEnd::Timeout);
                for (after, who) in [
                    (b1.hangup_after_ms, BridgeEnd::Party1),
                    (b2.hangup_after_ms, BridgeEnd::Party2),
                ] {
                    if let Some(ms) = after {
                        let t = at.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX));
                        if t < end.0
                            || (t == end.0
                                && (end.1 == BridgeEnd::Timeout || who == BridgeEnd::Party2))
                        {
                            end = (t, who);
                        }
                    }
                }
                if b1.bridge_error || b2.bridge_error {
                    end = (at, BridgeEnd::Error);
                }
                self.schedule(call, end.0, Step::BridgeEnded(end.1));
            }
            (Step::DialFailed { leg, why }, Plan::Duo { .. }) => {
                self.release(call, at, format!("leg {leg} {}", why.describe()));
            }
            (Step::BridgeEnded(how), Plan::Duo { .. }) => {
                call.end = Some(at);
                let what = match how {
                    BridgeEnd::Party1 => {
                        call.hangup_by = "1";
                        "party 1 hung up"
                    }
                    BridgeEnd::Party2 => {
                        call.hangup_by = "2";
                        "party 2 hung up"
                    }
                    BridgeEnd::Timeout => {
                        call.error = Some("connect timeout");
                        "max_call_duration reached; the platform hung up (connect timeout)"
                    }
                    BridgeEnd::Error => {
                        call.error = Some("connect error");
                        "bridge failed (connect error)"
                    }
                };
                self.release(call, at, what.into());
            }
            (Step::Answered { .. }, Plan::Single { play_ms, .. }) => {
                call.answer1 = Some(at);
                call.enter(at, CallState::Answered1, "answered; playing".into());
                let play_end = at + play_ms;
                let by_user = call.behaviors[0]
                    .hangup_after_ms
                    .map(|ms| at.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX)))
                    .filter(|&t| t < play_end);
                match by_user {
                    Some(t) => self.schedule(call, t, Step::PlayEnded { by_user: true }),
                    None => self.schedule(call, play_end, Step::PlayEnded { by_user: false }),
                }
            }
            (Step::DialFailed { why, .. }, Plan::Single { .. }) => {
                call.end = Some(at);
                call.error = Some(why.error());
                call.dropped_by = Some("sys");
                self.release(call, at, format!("{} ({})", why.describe(), why.error()));
            }
            (Step::PlayEnded { by_user }, Plan::Single { .. }) => {
                call.end = Some(at);
                call.dropped_by = Some(if by_user { "usr" } else { "sys" });
                let what = if by_user {
                    "the called party hung up"
                } else {
                    "content played; the platform hung up"
                };
                self.release(call, at, what.into());
            }
            (step, _) => unreachable!("step {step:?} does not apply to this call"),
        }
    }

    fn dial_leg2(&mut self, call: &mut Call, at: i64, to2: &str, max_dial_ms: i64) {
        call.enter(at, CallState::Dialing2, format!("dialling leg 2 to {to2}"));
        let (due, step) = dial_outcome(call.behaviors[1], 2, at, max_dial_ms);
        self.schedule(call, due, step);
    }

    /// The call is closed: build its end event and hand it to the webhook workers.
    fn finish(&mut self, shared: &Shared, call: &mut Call, at: i64) {
        let json = end_event_json(call);
        let utf8 = shared.settings.utf8_webhooks;
        let body: Arc<[u8]> = events::encode_body(&json, utf8).into();
        call.body = Some(Arc::clone(&body));
        call.utf8 = utf8;
        self.closed.push_back(Arc::clone(&call.id));
        match call.callback_url.clone() {
            Some(url) => {
                call.timeline.push(TimelineEntry {
                    sim_time_ms: at,
                    state: CallState::Closed,
                    what: format!("end event queued for {url}"),
                });
                lock(&shared.outbox).push_back(Job {
                    call_id: Arc::clone(&call.id),
                    event: call.event_name,
                    url,
                    body,
                    utf8,
                });
                shared.outbox_ready.notify_one();
            }
            None => {
                call.end_event = EndEventState::NoCallbackUrl;
                call.timeline.push(TimelineEntry {
                    sim_time_ms: at,
                    state: CallState::Closed,
                    what: "no callback URL; no end event sent".into(),
                });
                shared.ended.notify_all();
            }
        }
        if shared.settings.log {
            eprintln!("call {} {} closed", call.id, call.kind.as_str());
        }
    }

    /// Forgets the oldest settled calls beyond the history size. Must not run while a call is
    /// taken out of the map to be processed.
    fn evict(&mut self) {
        while self.calls.len() > self.call_cap {
            let Some(oldest) = self.closed.front() else {
                break;
            };
            match self.calls.get(oldest) {
                Some(c) if !c.end_event.is_final() => break,
                _ => {}
            }
            if let Some(id) = self.closed.pop_front() {
                self.calls.remove(&id);
            }
        }
        // The creation-order list only needs trimming when it has grown well past the map.
        if self.order.len() > 2 * self.call_cap.max(self.calls.len()) {
            let calls = &self.calls;
            self.order.retain(|id| calls.contains_key(id));
        }
    }
}

/// When and how a dial ends, for a number's behaviour.
fn dial_outcome(behavior: Behavior, leg: u8, start: i64, max_dial_ms: i64) -> (i64, Step) {
    let fail = |due, why| (due, Step::DialFailed { leg, why });
    match behavior.answer {
        Answer::After(ms) if i64::try_from(ms).is_ok_and(|ms| ms < max_dial_ms) => {
            (start + ms as i64, Step::Answered { leg })
        }
        Answer::After(_) | Answer::NoAnswer => fail(start + max_dial_ms, DialFailure::NoAnswer),
        Answer::Busy => fail(start + BUSY_RING_MS.min(max_dial_ms), DialFailure::Busy),
        Answer::Unreachable | Answer::EngineFailure => fail(start, DialFailure::Unreachable),
    }
}

/// The end event's JSON text, in the platform's key order.
fn end_event_json(call: &mut Call) -> String {
    let mut m = EventMap::default();
    m.text("action", Some("event_notify"))
        .text("id", Some(&call.id))
        .text("subaccount_id", call.subaccount_id.as_deref())
        .text("user_data", call.user_data.as_deref());
    if call.error == Some(events::ENGINE_FAILURE) {
        call.event_name = match call.kind {
            CallKind::DuoCallback => "duo_callback.end",
            CallKind::NotifyCall => "notify_call.end",
            CallKind::VerifyCall => "verify_call.end",
        };
        m.text("event", Some(call.event_name))
            .text("error", call.error);
        return m.render(events::FAILURE_ORDER);
    }
    let cti = |t: Option<i64>| t.map(floor_to_second);
    m.number("begin_time", cti(Some(call.begin)))
        .number("end_time", cti(call.end))
        .text("error", call.error);
    match call.kind {
        CallKind::DuoCallback => {
            call.event_name = "duo_callback.end";
            m.text("event", Some(call.event_name))
                .number("answer_time1", cti(call.answer1))
                .number("answer_time2", cti(call.answer2))
                .text("hangup_by", Some(call.hangup_by));
            m.render(events::DUO_END_ORDER)
        }
        CallKind::NotifyCall => {
            call.event_name = "notify_call.end";
            m.text("event", Some(call.event_name))
                .number("answer_time", cti(call.answer1))
                .text("dropped_by", call.dropped_by);
            m.render(events::NOTIFY_END_ORDER)
        }
        CallKind::VerifyCall => {
            // The normal end of a verify call is reported under the notify event's name.
            call.event_name = "notify_call.end";
            m.text("event", Some(call.event_name))
                .number("answer_time", cti(call.answer1))
                .text("hangup_by", call.dropped_by);
            m.render(events::VERIFY_END_ORDER)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{App, SubAccount};

    fn shared() -> Shared {
        let app = App {
            app_id: "a".into(),
            cert_id: "c".into(),
            secret_key: "s".into(),
            callback_url: None,
        };
        let sub = SubAccount {
            id: "i".into(),
            app_id: "a".into(),
            cert_id: "sc".into(),
            secret_key: "ss".into(),
            enabled: true,
            callback_url: None,
        };
        let settings = Settings {
            time_scale: 1.0,
            expiry_minutes: 5,
            utf8_webhooks: false,
            webhook_timeout: Duration::from_secs(1),
            api_delay: Duration::ZERO,
            log: false,
        };
        Shared::new(
            settings,
            Credentials::new(vec![app], vec![sub]).unwrap(),
            SimClock::new(1.0),
        )
    }

    fn duo_call(to1: &str) -> NewCall {
        NewCall {
            kind: CallKind::DuoCallback,
            app_id: "a".into(),
            subaccount_id: None,
            callback_url: None,
            user_data: None,
            plan: Plan::Duo {
                to1: to1.into(),
                to2: "2".into(),
                ring_tone_ms: 0,
                max_dial_ms: 45_000,
                max_call_ms: 60_000,
            },
        }
    }

    #[test]
    fn finished_calls_are_forgotten_beyond_the_cap() {
        let shared = shared();
        let mut engine = lock(&shared.engine);
        engine.call_cap = 5;
        let t0 = 1_500_000_000_000;
        // One call that keeps running (rings for a long time) and 20 that finish.
        let long = engine.create(
            NewCall {
                plan: Plan::Duo {
                    to1: "1".into(),
                    to2: "2".into(),
                    ring_tone_ms: 0,
                    max_dial_ms: 1_000_000,
                    max_call_ms: 1000,
                },
                ..duo_call("1")
            },
            vec![Behavior::no_answer(), Behavior::default()],
            t0,
        );
        let ids: Vec<String> = (0..20)
            .map(|i| {
                engine.create(
                    duo_call("1"),
                    vec![Behavior::busy(), Behavior::default()],
                    t0 + i,
                )
            })
            .collect();
        assert_eq!(engine.calls.len(), 21);
        engine.advance(&shared, t0 + 100_000);
        assert_eq!(engine.calls.len(), 5);
        assert!(engine.has_call(&long), "a running call is never forgotten");
        assert!(
            ids[16..].iter().all(|id| engine.has_call(id)),
            "the newest finished calls are kept"
        );
        assert!(!engine.has_call(&ids[0]));
        assert_eq!(
            engine.cancel(&ids[0], t0 + 100_000),
            CancelOutcome::NotExists
        );
        assert_eq!(
            engine.cancel(&ids[19], t0 + 100_000),
            CancelOutcome::NotExists
        );
        assert_eq!(engine.cancel(&long, t0 + 100_000), CancelOutcome::Cancelled);
        assert_eq!(engine.call_infos().len(), 5);
    }

    #[test]
    fn ids_are_unique_lowercase_hex() {
        let mut ids = IdGenerator::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..10_000 {
            let id = ids.next();
            assert_eq!(id.len(), 32);
            assert!(id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
            assert!(seen.insert(id));
        }
    }
}
