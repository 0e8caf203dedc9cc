//! The state machine of a simple call: what each scheduled step does to it.
//!
//! A two-leg callback dials leg 1, plays an optional ring tone, dials leg 2, bridges the legs
//! until a party hangs up or `max_call_duration` is reached, then releases. A single-leg call
//! (`notify_call`, `verify_call`) dials, plays its content, and releases. Every change is a
//! [`Step`] set as a timer on the engine; `create` and `cancel` (in `mod.rs`) start and cut
//! the sequence.

use super::{Call, Ctx, Route, What};
use crate::behavior::{Answer, Behavior};
use crate::events;
use crate::inspect::CallState;
use crate::sim::Shared;

/// How long the engine waits after a call is over before reporting it released.
const RELEASE_WAIT_MS: i64 = 1000;
/// How long a busy number rings before rejecting.
const BUSY_RING_MS: i64 = 1000;

/// Why a dial did not get an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) enum DialFailure {
    Busy,
    NoAnswer,
    Unreachable,
}

impl DialFailure {
    /// The error a single-leg call reports.
    pub(in crate::sim) fn error(self) -> &'static str {
        match self {
            DialFailure::NoAnswer => "ring timeout",
            DialFailure::Busy | DialFailure::Unreachable => "dial failed",
        }
    }

    pub(in crate::sim) fn describe(self) -> &'static str {
        match self {
            DialFailure::Busy => "busy",
            DialFailure::NoAnswer => "not answered within max_dial_duration",
            DialFailure::Unreachable => "unreachable",
        }
    }
}

/// How a bridge ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) enum BridgeEnd {
    Party1,
    Party2,
    Timeout,
    Error,
}

/// A scheduled state change of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::sim) enum Step {
    EngineFailed,
    Answered { leg: u8 },
    DialFailed { leg: u8, why: DialFailure },
    RingToneDone,
    BridgeEnded(BridgeEnd),
    PlayEnded { by_user: bool },
    Released,
}

impl Ctx<'_> {
    pub(super) fn release(&mut self, call: &mut Call, at: i64, what: What) {
        call.enter(at, CallState::Releasing, what);
        self.schedule_call(call, at + RELEASE_WAIT_MS, Step::Released);
    }

    pub(super) fn step(&mut self, shared: &Shared, call: &mut Call, at: i64, step: Step) {
        match (step, &call.route) {
            (Step::EngineFailed, _) => {
                call.error = Some(events::ENGINE_FAILURE);
                call.enter(at, CallState::Closed, What::EngineFailed);
                self.finish(shared, call, at);
            }
            (Step::Released, _) => {
                call.enter(at, CallState::Closed, What::Released);
                self.finish(shared, call, at);
            }
            (
                Step::Answered { leg: 1 },
                &Route::Duo {
                    ring_tone_ms,
                    max_dial_ms,
                    ..
                },
            ) => {
                call.answer1 = Some(at);
                call.enter(at, CallState::Answered1, What::Leg1Answered);
                if ring_tone_ms > 0 {
                    call.note(at, CallState::Answered1, What::RingTone);
                    self.schedule_call(call, at + ring_tone_ms, Step::RingToneDone);
                } else {
                    self.dial_leg2(call, at, max_dial_ms);
                }
            }
            (Step::RingToneDone, &Route::Duo { max_dial_ms, .. }) => {
                self.dial_leg2(call, at, max_dial_ms);
            }
            (Step::Answered { .. }, &Route::Duo { max_call_ms, .. }) => {
                call.answer2 = Some(at);
                call.enter(at, CallState::Connected, What::Bridged);
                let (b1, b2) = (call.leg(0), call.leg(1));
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
                self.schedule_call(call, end.0, Step::BridgeEnded(end.1));
            }
            (Step::DialFailed { leg, why }, Route::Duo { .. }) => {
                self.release(call, at, What::LegFailed { leg, why });
            }
            (Step::BridgeEnded(how), Route::Duo { .. }) => {
                call.end = Some(at);
                match how {
                    BridgeEnd::Party1 => call.hangup_by = 1,
                    BridgeEnd::Party2 => call.hangup_by = 2,
                    BridgeEnd::Timeout => call.error = Some("connect timeout"),
                    BridgeEnd::Error => call.error = Some("connect error"),
                }
                self.release(call, at, What::BridgeEnded(how));
            }
            (Step::Answered { .. }, &Route::Single { play_ms, .. }) => {
                call.answer1 = Some(at);
                call.enter(at, CallState::Answered1, What::Playing);
                let play_end = at + play_ms;
                let by_user = call
                    .leg(0)
                    .hangup_after_ms
                    .map(|ms| at.saturating_add(i64::try_from(ms).unwrap_or(i64::MAX)))
                    .filter(|&t| t < play_end);
                match by_user {
                    Some(t) => self.schedule_call(call, t, Step::PlayEnded { by_user: true }),
                    None => self.schedule_call(call, play_end, Step::PlayEnded { by_user: false }),
                }
            }
            (Step::DialFailed { why, .. }, Route::Single { .. }) => {
                call.end = Some(at);
                call.error = Some(why.error());
                call.dropped_by_user = Some(false);
                self.release(call, at, What::DialFailed(why));
            }
            (Step::PlayEnded { by_user }, Route::Single { .. }) => {
                call.end = Some(at);
                call.dropped_by_user = Some(by_user);
                self.release(call, at, What::PlayEnded { by_user });
            }
            (step, _) => unreachable!("step {step:?} does not apply to this call"),
        }
    }

    fn dial_leg2(&mut self, call: &mut Call, at: i64, max_dial_ms: i64) {
        call.enter(at, CallState::Dialing2, What::Dialing2);
        let (due, step) = dial_outcome(call.leg(1).answer, 2, at, max_dial_ms);
        self.schedule_call(call, due, step);
    }
}

/// When a dial ends and whether it was answered, for a number's behaviour.
pub(in crate::sim) fn dial_outcome_for(
    behavior: &Behavior,
    start: i64,
    max_dial_ms: i64,
) -> (i64, Result<(), DialFailure>) {
    match dial_outcome(behavior.answer, 0, start, max_dial_ms) {
        (due, Step::DialFailed { why, .. }) => (due, Err(why)),
        (due, _) => (due, Ok(())),
    }
}

/// When and how a dial ends, for a number's behaviour.
pub(super) fn dial_outcome(answer: Answer, leg: u8, start: i64, max_dial_ms: i64) -> (i64, Step) {
    let fail = |due, why| (due, Step::DialFailed { leg, why });
    match answer {
        Answer::After(ms) if i64::try_from(ms).is_ok_and(|ms| ms < max_dial_ms) => {
            (start + ms as i64, Step::Answered { leg })
        }
        Answer::After(_) | Answer::NoAnswer => fail(start + max_dial_ms, DialFailure::NoAnswer),
        Answer::Busy => fail(start + BUSY_RING_MS.min(max_dial_ms), DialFailure::Busy),
        Answer::Unreachable | Answer::EngineFailure => fail(start, DialFailure::Unreachable),
    }
}
