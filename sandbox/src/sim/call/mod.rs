//! The simple calls: `duo_callback` (two legs, bridged), `notify_call` and `verify_call` (one
//! leg that plays content).
//!
//! This file holds a call's record, the store of calls and the entry points the API and the
//! inspection endpoints use; `steps.rs` is the state machine (what each timer does to a call)
//! and `end.rs` builds the end event once a call is closed.

mod end;
mod steps;

use std::collections::{hash_map, HashSet, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use steps::BridgeEnd;
pub(in crate::sim) use steps::{dial_outcome_for, DialFailure, Step};

use super::engine::{Engine, IdMap, Timers, Wake};
use super::{lock, Shared};
use crate::behavior::{Answer, Behavior};
use crate::inspect::{
    CallInfo, CallKind, CallState, Delivery, EndEventState, TimelineEntry, WebhookAttempt,
};
use steps::dial_outcome;

/// How long a ring tone played to leg 1 before dialling leg 2 (ring tone mode 3) lasts.
pub(crate) const RING_TONE_MS: i64 = 3000;
/// Most calls kept for inspection (running calls are always kept).
pub(crate) const CALL_HISTORY: usize = 10_000;
/// Timeline steps of a call that runs its course (placed, answered, dialling leg 2, bridged,
/// hung up, released, queued): room for them is made once.
const TIMELINE_STEPS: usize = 7;

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
    /// The engine has not confirmed the call yet (`000004`).
    Unconfirmed,
    /// Unknown id, or the call is already over (`020000`).
    NotExists,
}

/// How one leg of a call behaves: the parts of the number's [`Behavior`] a simple call uses,
/// fixed when the call is placed (inline, so that a call in flight allocates nothing for them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Leg {
    answer: Answer,
    hangup_after_ms: Option<u64>,
    bridge_error: bool,
}

impl From<&Behavior> for Leg {
    fn from(b: &Behavior) -> Self {
        Leg {
            answer: b.answer,
            hangup_after_ms: b.hangup_after_ms,
            bridge_error: b.bridge_error,
        }
    }
}

/// What a call does, as its record keeps it: [`Plan`] with the numbers boxed.
#[derive(Debug)]
enum Route {
    Duo {
        to1: Box<str>,
        to2: Box<str>,
        ring_tone_ms: i64,
        max_dial_ms: i64,
        max_call_ms: i64,
    },
    Single {
        to: Box<str>,
        max_dial_ms: i64,
        play_ms: i64,
    },
}

impl From<Plan> for Route {
    fn from(plan: Plan) -> Self {
        match plan {
            Plan::Duo {
                to1,
                to2,
                ring_tone_ms,
                max_dial_ms,
                max_call_ms,
            } => Route::Duo {
                to1: to1.into(),
                to2: to2.into(),
                ring_tone_ms,
                max_dial_ms,
                max_call_ms,
            },
            Plan::Single {
                to,
                max_dial_ms,
                play_ms,
            } => Route::Single {
                to: to.into(),
                max_dial_ms,
                play_ms,
            },
        }
    }
}

/// What happened at a step of a call's timeline, as a code: the words are written only when
/// the timeline is read ([`What::text`]), from the call's own record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    /// "placed; dialling leg 1 to {first number}"
    Placed,
    /// "cancelled by the API: leg 1 hung up"
    Cancelled,
    /// "cancel accepted by the API but ignored by the engine"
    CancelIgnored,
    /// "engine failure: the call could not be started (调用失败)"
    EngineFailed,
    /// "released"
    Released,
    /// "leg 1 answered"
    Leg1Answered,
    /// "playing the ring tone to leg 1 ({ring tone} s)"
    RingTone,
    /// "dialling leg 2 to {to2}"
    Dialing2,
    /// "leg 2 answered; legs bridged"
    Bridged,
    /// "leg {leg} {why}"
    LegFailed { leg: u8, why: DialFailure },
    /// How a bridge ended.
    BridgeEnded(BridgeEnd),
    /// "answered; playing"
    Playing,
    /// "{why} ({error})"
    DialFailed(DialFailure),
    /// The content of a single-leg call ended, by the user or not.
    PlayEnded { by_user: bool },
    /// "end event queued for {callback URL}"
    Queued,
    /// "no callback URL; no end event sent"
    NoCallbackUrl,
}

impl What {
    fn text(self, call: &Call) -> String {
        match self {
            What::Placed => format!("placed; dialling leg 1 to {}", call.first_number()),
            What::Cancelled => "cancelled by the API: leg 1 hung up".into(),
            What::CancelIgnored => "cancel accepted by the API but ignored by the engine".into(),
            What::EngineFailed => "engine failure: the call could not be started (调用失败)".into(),
            What::Released => "released".into(),
            What::Leg1Answered => "leg 1 answered".into(),
            What::RingTone => {
                let ring_tone_ms = match call.route {
                    Route::Duo { ring_tone_ms, .. } => ring_tone_ms,
                    Route::Single { .. } => 0,
                };
                format!("playing the ring tone to leg 1 ({} s)", ring_tone_ms / 1000)
            }
            What::Dialing2 => match &call.route {
                Route::Duo { to2, .. } => format!("dialling leg 2 to {to2}"),
                Route::Single { .. } => String::new(),
            },
            What::Bridged => "leg 2 answered; legs bridged".into(),
            What::LegFailed { leg, why } => format!("leg {leg} {}", why.describe()),
            What::BridgeEnded(how) => match how {
                BridgeEnd::Party1 => "party 1 hung up",
                BridgeEnd::Party2 => "party 2 hung up",
                BridgeEnd::Timeout => {
                    "max_call_duration reached; the platform hung up (connect timeout)"
                }
                BridgeEnd::Error => "bridge failed (connect error)",
            }
            .into(),
            What::Playing => "answered; playing".into(),
            What::DialFailed(why) => format!("{} ({})", why.describe(), why.error()),
            What::PlayEnded { by_user: true } => "the called party hung up".into(),
            What::PlayEnded { by_user: false } => "content played; the platform hung up".into(),
            What::Queued => format!(
                "end event queued for {}",
                call.callback_url.as_deref().unwrap_or_default()
            ),
            What::NoCallbackUrl => "no callback URL; no end event sent".into(),
        }
    }
}

/// One step of a call's timeline (16 bytes).
#[derive(Debug, Clone, Copy)]
struct Entry {
    at: i64,
    state: CallState,
    what: What,
}

/// One attempt to deliver a call's end event; the URL, event, body and charset are the call's
/// own ([`Call::delivery`] puts them back).
#[derive(Debug, Clone)]
struct AttemptNote {
    attempt: u32,
    status: Option<u16>,
    error: Option<Box<str>>,
    sim_time_ms: i64,
}

/// One call's record. Kept boxed in the store and small: strings shared by many calls (app,
/// sub-account, callback URL) are shared, the timeline holds codes rather than words, and the
/// end event's body is built when it is sent (and again when it is inspected).
#[derive(Debug)]
struct Call {
    id: Arc<str>,
    /// Creation order among the calls (for listing).
    seq: u64,
    app_id: Arc<str>,
    subaccount_id: Option<Arc<str>>,
    callback_url: Option<Arc<str>>,
    user_data: Option<Box<str>>,
    route: Route,
    /// The legs' behaviours, fixed when the call was placed (a single-leg call uses the
    /// first); `None` for the default behaviour, which most numbers have.
    legs: [Option<Box<Leg>>; 2],
    timeline: Vec<Entry>,
    /// Bumped to invalidate the pending timer (on cancel).
    generation: u64,
    /// When the engine confirms the call (before then a cancel gets `000004`).
    confirmed_at: i64,
    begin: i64,
    answer1: Option<i64>,
    answer2: Option<i64>,
    end: Option<i64>,
    error: Option<&'static str>,
    attempts: Vec<AttemptNote>,
    kind: CallKind,
    state: CallState,
    /// `0`, `1` or `2`: who hung up a callback.
    hangup_by: u8,
    /// `usr`/`sys` of a single-leg call: `Some(true)` for `usr`.
    dropped_by_user: Option<bool>,
    end_event: EndEventState,
    /// Whether the body is UTF-8 (otherwise ISO-8859-1).
    utf8: bool,
}

impl Call {
    fn first_number(&self) -> &str {
        match &self.route {
            Route::Duo { to1, .. } => to1,
            Route::Single { to, .. } => to,
        }
    }

    /// The behaviour of leg 1 (`0`) or leg 2 (`1`).
    fn leg(&self, i: usize) -> Leg {
        match &self.legs[i] {
            Some(leg) => **leg,
            None => Leg::from(&Behavior::default()),
        }
    }

    fn numbers(&self) -> Vec<String> {
        match &self.route {
            Route::Duo { to1, to2, .. } => vec![to1.to_string(), to2.to_string()],
            Route::Single { to, .. } => vec![to.to_string()],
        }
    }

    fn hangup_by(&self) -> &'static str {
        match self.hangup_by {
            1 => "1",
            2 => "2",
            _ => "0",
        }
    }

    fn dropped_by(&self) -> Option<&'static str> {
        self.dropped_by_user
            .map(|usr| if usr { "usr" } else { "sys" })
    }

    fn enter(&mut self, at: i64, state: CallState, what: What) {
        self.state = state;
        self.note(at, state, what);
    }

    fn note(&mut self, at: i64, state: CallState, what: What) {
        self.timeline.push(Entry { at, state, what });
    }

    fn info(&self) -> CallInfo {
        CallInfo {
            id: self.id.to_string(),
            kind: self.kind,
            state: self.state,
            app_id: self.app_id.to_string(),
            subaccount_id: self.subaccount_id.as_deref().map(str::to_owned),
            numbers: self.numbers(),
            user_data: self.user_data.as_deref().map(str::to_owned),
            callback_url: self.callback_url.as_deref().map(str::to_owned),
            timeline: self
                .timeline
                .iter()
                .map(|e| TimelineEntry {
                    sim_time_ms: e.at,
                    state: e.state,
                    what: e.what.text(self),
                })
                .collect(),
            end_event: self.end_event,
            end_event_delivered: self.end_event == EndEventState::Delivered,
        }
    }

    /// The end event and its attempts, once the call is closed (its end event built).
    fn delivery(&self) -> Option<Delivery> {
        if self.state != CallState::Closed {
            return None;
        }
        let body = end::body(self, self.utf8);
        let event = end::event_name(self);
        let url = self.callback_url.as_deref().map(str::to_owned);
        let attempts = self
            .attempts
            .iter()
            .map(|a| WebhookAttempt {
                call_id: self.id.to_string(),
                event: event.to_owned(),
                url: url.clone().unwrap_or_default(),
                attempt: a.attempt,
                status: a.status,
                error: a.error.as_deref().map(str::to_owned),
                sim_time_ms: a.sim_time_ms,
                body: body.clone(),
                utf8: self.utf8,
            })
            .collect();
        Some(Delivery {
            call_id: self.id.to_string(),
            event: event.to_owned(),
            url,
            body,
            utf8: self.utf8,
            attempts,
            delivered: self.end_event == EndEventState::Delivered,
        })
    }
}

/// What a step of a call changes besides the call itself: the timers and the list of closed
/// calls. Steps borrow these two and the call (in place in the store) at once.
struct Ctx<'a> {
    timers: &'a mut Timers,
    closed: &'a mut VecDeque<Arc<str>>,
}

impl Ctx<'_> {
    /// Sets a timer for a step of `call`.
    fn schedule_call(&mut self, call: &Call, due: i64, step: Step) {
        self.timers
            .schedule(&call.id, call.generation, due, Wake::Call(step));
    }
}

/// Strings that many calls hold the same (app ids, sub-account ids, callback URLs), kept once.
#[derive(Default)]
struct Interned(HashSet<Arc<str>>);

impl Interned {
    /// Most distinct strings kept before those no call holds any more are dropped.
    const PRUNE_AT: usize = 1024;

    fn get(&mut self, s: String) -> Arc<str> {
        if let Some(shared) = self.0.get(s.as_str()) {
            return Arc::clone(shared);
        }
        if self.0.len() >= Self::PRUNE_AT {
            self.0.retain(|s| Arc::strong_count(s) > 1);
        }
        let shared: Arc<str> = s.into();
        self.0.insert(Arc::clone(&shared));
        shared
    }
}

/// Every call kept, with the order to forget them in.
pub(in crate::sim) struct Calls {
    map: IdMap<Arc<str>, Box<Call>>,
    /// Closed calls, oldest first, for eviction.
    closed: VecDeque<Arc<str>>,
    /// The `seq` of the next call.
    next_seq: u64,
    /// Most calls kept (running calls are never forgotten).
    cap: usize,
    interned: Interned,
    /// Calls just forgotten, freed once the engine's lock is released ([`Calls::take_forgotten`]).
    /// The boxes are kept as they are: freeing them is the work put off.
    #[allow(clippy::vec_box)]
    forgotten: Vec<Box<Call>>,
}

/// Forgotten calls, to be dropped outside the engine's lock.
pub(in crate::sim) struct Forgotten {
    #[allow(clippy::vec_box)]
    calls: Vec<Box<Call>>,
}

impl Forgotten {
    pub(in crate::sim) fn is_empty(&self) -> bool {
        self.calls.is_empty()
    }
}

impl Calls {
    pub(in crate::sim) fn new() -> Self {
        Calls {
            map: IdMap::default(),
            closed: VecDeque::new(),
            next_seq: 0,
            cap: CALL_HISTORY,
            interned: Interned::default(),
            forgotten: Vec::new(),
        }
    }

    /// Adds a webhook attempt to the record of its call, if the call is kept.
    pub(in crate::sim) fn note_attempt(&mut self, attempt: &WebhookAttempt) {
        if let Some(call) = self.map.get_mut(attempt.call_id.as_str()) {
            call.attempts.push(AttemptNote {
                attempt: attempt.attempt,
                status: attempt.status,
                error: attempt.error.as_deref().map(Box::from),
                sim_time_ms: attempt.sim_time_ms,
            });
        }
    }

    /// The calls forgotten since the last call, to drop once the engine's lock is released
    /// (freeing a call's parts is work no other thread needs to wait for).
    pub(in crate::sim) fn take_forgotten(&mut self) -> Forgotten {
        Forgotten {
            calls: std::mem::take(&mut self.forgotten),
        }
    }

    /// Forgets the oldest settled calls beyond the history size.
    fn evict(&mut self) {
        while self.map.len() > self.cap {
            let Some(oldest) = self.closed.front() else {
                break;
            };
            // One look-up: the oldest closed call is forgotten unless its end event is still
            // on its way.
            if let hash_map::Entry::Occupied(entry) = self.map.entry(Arc::clone(oldest)) {
                if !entry.get().end_event.is_final() {
                    break;
                }
                self.forgotten.push(entry.remove());
            }
            self.closed.pop_front();
        }
    }
}

impl Shared {
    /// Accepts a call and schedules its first step. Returns the call id.
    pub(crate) fn place_call(&self, new: NewCall) -> Arc<str> {
        let (first, second) = match &new.plan {
            Plan::Duo { to1, to2, .. } => (self.behavior_of(to1), Some(self.behavior_of(to2))),
            Plan::Single { to, .. } => (self.behavior_of(to), None),
        };
        let both;
        let behaviors: &[Behavior] = match second {
            Some(second) => {
                both = [first, second];
                &both
            }
            None => std::slice::from_ref(&first),
        };
        let (id, earliest, forgotten) = {
            let mut engine = self.engine_now();
            let now = self.clock.now_ms();
            let before = engine.next_due();
            let id = engine.create(new, behaviors, now, self.settings.confirm_delay_ms);
            let earliest = engine.next_due() != before;
            (id, earliest, engine.calls.take_forgotten())
        };
        // The scheduler sleeps until the earliest timer: it needs waking only when the new
        // call's first step is now the earliest (a context switch saved on most calls).
        if earliest {
            self.scheduler_wake.notify_one();
        }
        drop(forgotten);
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
            if let Some(settled) = engine.ivr.end_settled(call_id) {
                if settled {
                    return engine.ivr_delivery(call_id);
                }
            } else {
                let call = engine.calls.map.get(call_id)?;
                if call.end_event.is_final() {
                    return call.delivery();
                }
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
            self.end_waiters.fetch_add(1, Ordering::SeqCst);
            engine = self
                .ended
                .wait_timeout(engine, wait)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            self.end_waiters.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Records the final outcome of a delivery and wakes waiters.
    pub(crate) fn settle_delivery(&self, call_id: &str, event: &str, delivered: bool) {
        let mut engine = lock(&self.engine);
        if event.starts_with("conf.") || event.starts_with("recording.") {
            engine.confs.settle(delivered);
            return;
        }
        if event.starts_with("callcenter.") {
            engine.cc.settle(delivered);
            return;
        }
        if event.starts_with("ivr.") {
            if event == "ivr.call_end" {
                engine.ivr.settle(call_id, delivered);
                drop(engine);
                self.notify_ended();
            }
            return;
        }
        if let Some(call) = engine.calls.map.get_mut(call_id) {
            call.end_event = if delivered {
                EndEventState::Delivered
            } else {
                EndEventState::Failed
            };
        }
        engine.calls.evict();
        let forgotten = engine.calls.take_forgotten();
        drop(engine);
        drop(forgotten);
        self.notify_ended();
    }
}

impl Engine {
    /// Snapshots of every call kept, oldest first.
    pub(crate) fn call_infos(&self) -> Vec<CallInfo> {
        let mut calls: Vec<&Call> = self.calls.map.values().map(|c| &**c).collect();
        calls.sort_unstable_by_key(|c| c.seq);
        let mut all: Vec<CallInfo> = calls
            .into_iter()
            .map(Call::info)
            .chain(self.ivr.infos().map(|(_, info)| info))
            .collect();
        all.sort_by_key(|c| c.timeline.first().map_or(0, |t| t.sim_time_ms));
        all
    }

    /// Snapshot of one call.
    pub(crate) fn call_info(&self, id: &str) -> Option<CallInfo> {
        self.calls
            .map
            .get(id)
            .map(|c| c.info())
            .or_else(|| self.ivr.info(id))
    }

    /// Whether a call with this id is kept.
    pub(crate) fn has_call(&self, id: &str) -> bool {
        self.calls.map.contains_key(id) || self.ivr.contains(id)
    }

    /// Number of calls not yet closed.
    pub(crate) fn running(&self) -> usize {
        self.calls
            .map
            .values()
            .filter(|c| c.state != CallState::Closed)
            .count()
            + self.ivr.running()
    }

    /// Runs a step that fell due at `at`, unless the call moved on (cancelled) since it was set.
    pub(in crate::sim) fn wake_call(
        &mut self,
        shared: &Shared,
        id: &Arc<str>,
        generation: u64,
        at: i64,
        step: Step,
    ) {
        let calls = &mut self.calls;
        let Some(call) = calls.map.get_mut(id) else {
            return;
        };
        if call.generation == generation {
            let mut ctx = Ctx {
                timers: &mut self.timers,
                closed: &mut calls.closed,
            };
            ctx.step(shared, call, at, step);
        }
        if call.state == CallState::Closed {
            calls.evict();
        }
    }

    fn create(
        &mut self,
        new: NewCall,
        behaviors: &[Behavior],
        now: i64,
        confirm_delay_ms: i64,
    ) -> Arc<str> {
        let id: Arc<str> = loop {
            let id = self.ids.next_shared();
            if !self.calls.map.contains_key(&id) {
                break id;
            }
        };
        let seq = self.calls.next_seq;
        self.calls.next_seq += 1;
        let default = Leg::from(&Behavior::default());
        let leg = |i: usize| {
            let leg = behaviors.get(i).map_or(default, Leg::from);
            (leg != default).then(|| Box::new(leg))
        };
        let interned = &mut self.calls.interned;
        let mut call = Box::new(Call {
            id: Arc::clone(&id),
            seq,
            app_id: interned.get(new.app_id),
            subaccount_id: new.subaccount_id.map(|s| interned.get(s)),
            callback_url: new.callback_url.map(|u| interned.get(u)),
            user_data: new.user_data.map(String::into_boxed_str),
            route: new.plan.into(),
            legs: [leg(0), leg(1)],
            timeline: Vec::with_capacity(TIMELINE_STEPS),
            generation: 0,
            confirmed_at: now.saturating_add(confirm_delay_ms),
            begin: now,
            answer1: None,
            answer2: None,
            end: None,
            error: None,
            attempts: Vec::new(),
            kind: new.kind,
            state: CallState::Dialing1,
            hangup_by: 0,
            dropped_by_user: None,
            end_event: EndEventState::Pending,
            utf8: false,
        });
        call.enter(now, CallState::Dialing1, What::Placed);
        let mut ctx = Ctx {
            timers: &mut self.timers,
            closed: &mut self.calls.closed,
        };
        if behaviors.iter().any(|b| b.answer == Answer::EngineFailure) {
            ctx.schedule_call(&call, now, Step::EngineFailed);
        } else {
            let max_dial_ms = match call.route {
                Route::Duo { max_dial_ms, .. } | Route::Single { max_dial_ms, .. } => max_dial_ms,
            };
            let (due, step) = dial_outcome(call.leg(0).answer, 1, now, max_dial_ms);
            ctx.schedule_call(&call, due, step);
        }
        self.calls.map.insert(Arc::clone(&id), call);
        id
    }

    fn cancel(&mut self, call_id: &str, now: i64) -> CancelOutcome {
        let Some(call) = self.calls.map.get_mut(call_id) else {
            return CancelOutcome::NotExists;
        };
        // The server checks that the engine has confirmed the call before that it has ended.
        match (call.kind, call.state) {
            _ if now < call.confirmed_at => CancelOutcome::Unconfirmed,
            (_, CallState::Closed) => CancelOutcome::NotExists,
            (
                CallKind::DuoCallback,
                CallState::Dialing1 | CallState::Answered1 | CallState::Dialing2,
            ) => {
                call.generation += 1;
                let mut ctx = Ctx {
                    timers: &mut self.timers,
                    closed: &mut self.calls.closed,
                };
                ctx.release(call, now, What::Cancelled);
                CancelOutcome::Cancelled
            }
            (_, state) => {
                call.note(now, state, What::CancelIgnored);
                CancelOutcome::Ignored
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{App, Credentials, SubAccount};
    use crate::sim::{Outgoing, Settings};
    use crate::time::SimClock;

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
            confirm_delay_ms: 0,
            ivr_timeout: Duration::from_secs(1),
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
        engine.calls.cap = 5;
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
            &[Behavior::no_answer(), Behavior::default()],
            t0,
            0,
        );
        let ids: Vec<Arc<str>> = (0..20)
            .map(|i| {
                engine.create(
                    duo_call("1"),
                    &[Behavior::busy(), Behavior::default()],
                    t0 + i,
                    0,
                )
            })
            .collect();
        assert_eq!(engine.calls.map.len(), 21);
        engine.advance(&shared, t0 + 100_000);
        assert_eq!(engine.calls.map.len(), 5);
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

    /// The words of a call's timeline, oldest first.
    fn words(engine: &Engine, id: &str) -> Vec<String> {
        engine
            .call_info(id)
            .unwrap()
            .timeline
            .into_iter()
            .map(|t| t.what)
            .collect()
    }

    fn single(kind: CallKind, to: &str, play_ms: i64) -> NewCall {
        NewCall {
            kind,
            plan: Plan::Single {
                to: to.into(),
                max_dial_ms: 45_000,
                play_ms,
            },
            ..duo_call(to)
        }
    }

    #[test]
    fn timelines_and_end_events_are_written_from_the_record() {
        let shared = shared();
        let t0 = 1_500_000_000_000;
        let url = "http://127.0.0.1:9/hook";
        let mut engine = lock(&shared.engine);
        // A callback with a ring tone that runs its course, its end event queued.
        let full = engine.create(
            NewCall {
                callback_url: Some(url.into()),
                user_data: Some("u1".into()),
                plan: Plan::Duo {
                    to1: "13800000001".into(),
                    to2: "13800000002".into(),
                    ring_tone_ms: 3000,
                    max_dial_ms: 45_000,
                    max_call_ms: 60_000,
                },
                ..duo_call("13800000001")
            },
            &[Behavior::default(), Behavior::default()],
            t0,
            0,
        );
        let busy = engine.create(
            duo_call("1"),
            &[Behavior::default(), Behavior::busy()],
            t0,
            0,
        );
        let timeout = engine.create(
            duo_call("1"),
            &[
                Behavior::answer_after(1000),
                Behavior::answer_after(1000).with_bridge_error(),
            ],
            t0,
            0,
        );
        let unreachable = engine.create(
            single(CallKind::NotifyCall, "5", 10_000),
            &[Behavior::unreachable()],
            t0,
            0,
        );
        let hung_up = engine.create(
            single(CallKind::VerifyCall, "6", 10_000),
            &[Behavior::answer_after(1000).hangup_after(2000)],
            t0,
            0,
        );
        let played = engine.create(
            single(CallKind::NotifyCall, "7", 3000),
            &[Behavior::answer_after(1000)],
            t0,
            0,
        );
        let failed = engine.create(
            single(CallKind::VerifyCall, "8", 3000),
            &[Behavior::engine_failure()],
            t0,
            0,
        );
        let cancelled = engine.create(
            duo_call("1"),
            &[Behavior::no_answer(), Behavior::default()],
            t0,
            0,
        );
        let ignored = engine.create(
            duo_call("1"),
            &[Behavior::default(), Behavior::default()],
            t0,
            0,
        );
        engine.advance(&shared, t0 + 2500);
        assert_eq!(
            engine.cancel(&cancelled, t0 + 2500),
            CancelOutcome::Cancelled
        );
        engine.advance(&shared, t0 + 4500);
        assert_eq!(engine.cancel(&ignored, t0 + 4500), CancelOutcome::Ignored);
        engine.advance(&shared, t0 + 100_000);
        let w = |id: &str| words(&engine, id);
        assert_eq!(
            w(&full),
            [
                "placed; dialling leg 1 to 13800000001",
                "leg 1 answered",
                "playing the ring tone to leg 1 (3 s)",
                "dialling leg 2 to 13800000002",
                "leg 2 answered; legs bridged",
                "party 2 hung up",
                "released",
                "end event queued for http://127.0.0.1:9/hook",
            ]
        );
        let none = "no callback URL; no end event sent";
        assert_eq!(
            w(&busy),
            [
                "placed; dialling leg 1 to 1",
                "leg 1 answered",
                "dialling leg 2 to 2",
                "leg 2 busy",
                "released",
                none
            ]
        );
        assert_eq!(
            w(&timeout)[3..5],
            [
                "leg 2 answered; legs bridged",
                "bridge failed (connect error)"
            ]
        );
        assert_eq!(
            w(&unreachable),
            [
                "placed; dialling leg 1 to 5",
                "unreachable (dial failed)",
                "released",
                none
            ]
        );
        assert_eq!(
            w(&hung_up),
            [
                "placed; dialling leg 1 to 6",
                "answered; playing",
                "the called party hung up",
                "released",
                none
            ]
        );
        assert_eq!(w(&played)[2], "content played; the platform hung up");
        assert_eq!(
            w(&failed),
            [
                "placed; dialling leg 1 to 8",
                "engine failure: the call could not be started (调用失败)",
                none
            ]
        );
        assert_eq!(
            w(&cancelled)[1..],
            ["cancelled by the API: leg 1 hung up", "released", none]
        );
        assert_eq!(
            w(&ignored)[1..5],
            [
                "leg 1 answered",
                "dialling leg 2 to 2",
                "leg 2 answered; legs bridged",
                "cancel accepted by the API but ignored by the engine"
            ]
        );
        // The end event sent is the one inspected, byte for byte, and says what happened.
        let end = |id: &str| {
            let d = engine.calls.map[id].delivery().unwrap();
            (
                d.event.clone(),
                serde_json::from_slice::<serde_json::Value>(&d.body).unwrap(),
                d,
            )
        };
        let (event, body, delivery) = end(&full);
        assert_eq!(event, "duo_callback.end");
        assert_eq!(delivery.url.as_deref(), Some(url));
        assert_eq!(
            body,
            serde_json::json!({"action": "event_notify", "id": &*full, "user_data": "u1",
                "event": "duo_callback.end", "begin_time": t0, "end_time": t0 + 12_000,
                "answer_time1": t0 + 2000, "answer_time2": t0 + 7000, "hangup_by": "2"})
        );
        let (event, body, _) = end(&timeout);
        assert_eq!(
            (event.as_str(), &body["error"], &body["hangup_by"]),
            (
                "duo_callback.end",
                &serde_json::json!("connect error"),
                &serde_json::json!("0")
            )
        );
        let (event, body, _) = end(&unreachable);
        assert_eq!(
            (event.as_str(), &body["dropped_by"]),
            ("notify_call.end", &serde_json::json!("sys"))
        );
        let (event, body, _) = end(&hung_up);
        assert_eq!(
            (event.as_str(), &body["hangup_by"]),
            ("notify_call.end", &serde_json::json!("usr"))
        );
        // In ISO-8859-1 (the default charset of events) each Chinese character is a `?`.
        let (event, body, _) = end(&failed);
        assert_eq!(
            (event.as_str(), &body["error"]),
            ("verify_call.end", &serde_json::json!("????"))
        );
        drop(engine);
        // Only the call with a callback URL queued its event; the worker's job carries the
        // same bytes.
        let queued: Vec<Outgoing> = lock(&shared.outbox).drain(..).collect();
        assert_eq!(queued.len(), 1);
        let job = queued
            .into_iter()
            .next()
            .and_then(|o| shared.job_of(o))
            .unwrap();
        assert_eq!(
            (&*job.call_id, job.event, job.url.as_str()),
            (&*full, "duo_callback.end", url)
        );
        assert_eq!(&job.body[..], &delivery.body[..]);
    }
}
