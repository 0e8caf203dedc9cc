//! The store of everything that runs and the heap of its pending state changes.
//!
//! Each family keeps its records in a store of its own (a field of [`Engine`]); the heap,
//! the ids and the webhook attempts are shared. A timer names the family it wakes with a
//! variant of [`Wake`], and [`Engine::advance`] hands it to that family.

use std::cmp::Ordering as CmpOrdering;
use std::collections::{BinaryHeap, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::call::{self, Calls};
use super::cc::{self, Cc};
use super::conf::{self, Confs};
use super::ivr::{self, IvrCalls, IvrRequest, Recording};
use super::msg::{self, Msgs};
use super::Shared;
use crate::inspect::Delivery;
use crate::inspect::WebhookAttempt;

/// Most webhook attempts kept for inspection.
pub(crate) const ATTEMPT_HISTORY: usize = 10_000;

/// What a timer wakes: a step of one family's state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Wake {
    /// A step of a simple call.
    Call(call::Step),
    /// A step of an IVR call.
    Ivr(ivr::Step),
    /// A step of a conference or of one of its members.
    Conf(conf::Step),
    /// A step of a template's audit or of an SMS/USSD request.
    Msg(msg::Step),
    /// A step of the call center (a task, an agent or outside call, a conversation).
    Cc(cc::Step),
}

#[derive(Debug)]
struct Timer {
    due: i64,
    seq: u64,
    /// The id of the record the step applies to.
    target: Arc<str>,
    /// The record's generation when the timer was set; a bumped generation cancels it.
    generation: u64,
    wake: Wake,
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

/// Call ids: 32 lowercase hex characters, unique within a sandbox, unpredictable across runs.
#[derive(Debug)]
pub(super) struct IdGenerator {
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

    pub(super) fn next(&mut self) -> String {
        let mut hex = [0; 32];
        self.next_into(&mut hex).to_owned()
    }

    /// The next id, shared (one allocation).
    pub(super) fn next_shared(&mut self) -> Arc<str> {
        let mut hex = [0; 32];
        Arc::from(self.next_into(&mut hex))
    }

    /// Writes the next id into `hex` (the text of `{unique:016x}{noise:016x}`).
    fn next_into<'a>(&mut self, hex: &'a mut [u8; 32]) -> &'a str {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        self.counter += 1;
        let unique = Self::mix(self.seed.wrapping_add(self.counter));
        let noise = Self::mix(unique ^ self.seed.rotate_left(17));
        for (i, digit) in hex.iter_mut().enumerate() {
            let word = if i < 16 { unique } else { noise };
            let shift = 60 - 4 * (i % 16);
            *digit = DIGITS[((word >> shift) & 15) as usize];
        }
        std::str::from_utf8(hex).expect("hex digits are ASCII")
    }
}

/// A fast hasher (multiply and rotate, eight bytes at a time) for maps keyed by ids the
/// sandbox generates itself. Those keys are random, so no one can choose keys that collide;
/// maps keyed by what clients choose (numbers, JSON keys) keep the standard hasher.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl IdHasher {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    fn add(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(Self::K).rotate_left(26);
    }
}

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by ids the sandbox generates (see [`IdHasher`]).
pub(crate) type IdMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// The pending state changes, earliest first.
#[derive(Default)]
pub(super) struct Timers {
    heap: BinaryHeap<Timer>,
    next_seq: u64,
}

impl Timers {
    /// Sets a timer: `wake` applies to the record `target` at simulated time `due`, unless
    /// the record's generation has moved past `generation` by then.
    pub(super) fn schedule(&mut self, target: &Arc<str>, generation: u64, due: i64, wake: Wake) {
        self.next_seq += 1;
        self.heap.push(Timer {
            due,
            seq: self.next_seq,
            target: Arc::clone(target),
            generation,
            wake,
        });
    }
}

/// Every record and timer.
pub(crate) struct Engine {
    /// The simple calls.
    pub(super) calls: Calls,
    /// The IVR calls and their recordings.
    pub(super) ivr: IvrCalls,
    /// The conferences, their members and recordings.
    pub(super) confs: Confs,
    /// Messaging: templates and SMS/USSD requests.
    pub(super) msgs: Msgs,
    /// The call center: extensions, agents, conditions, tasks, conversations.
    pub(super) cc: Cc,
    pub(super) timers: Timers,
    pub(super) ids: IdGenerator,
    attempts: VecDeque<WebhookAttempt>,
    /// Most webhook attempts kept.
    attempt_cap: usize,
}

impl Engine {
    pub(super) fn new() -> Self {
        Engine {
            calls: Calls::new(),
            ivr: IvrCalls::new(),
            confs: Confs::new(),
            msgs: Msgs::new(),
            cc: Cc::new(),
            timers: Timers::default(),
            ids: IdGenerator::new(),
            attempts: VecDeque::new(),
            attempt_cap: ATTEMPT_HISTORY,
        }
    }

    /// Webhook attempts kept, oldest first, optionally for one call.
    pub(crate) fn attempts(&self, call_id: Option<&str>) -> Vec<WebhookAttempt> {
        self.attempts
            .iter()
            .filter(|a| call_id.is_none_or(|id| a.call_id == id))
            .cloned()
            .collect()
    }

    /// The requests made to the application for an IVR call; `None` for an unknown call.
    pub(crate) fn ivr_requests(&self, call_id: &str) -> Option<Vec<IvrRequest>> {
        self.ivr.requests(call_id)
    }

    /// The recordings kept, oldest first.
    pub(crate) fn recordings(&self) -> Vec<Recording> {
        self.ivr.recordings()
    }

    /// The `ivr.call_end` of an IVR call and its attempts.
    pub(super) fn ivr_delivery(&self, call_id: &str) -> Option<Delivery> {
        let (url, body, utf8, delivered) = self.ivr.end_delivery(call_id)?;
        Some(Delivery {
            call_id: call_id.to_owned(),
            event: "ivr.call_end".into(),
            url,
            body,
            utf8,
            attempts: self
                .attempts
                .iter()
                .filter(|a| a.call_id == call_id && a.event == "ivr.call_end")
                .cloned()
                .collect(),
            delivered,
        })
    }

    /// Keeps a webhook attempt, forgetting the oldest beyond the history size.
    pub(super) fn keep_attempt(&mut self, attempt: WebhookAttempt) {
        self.attempts.push_back(attempt);
        while self.attempts.len() > self.attempt_cap {
            self.attempts.pop_front();
        }
    }

    /// Sets a timer: `wake` applies to the record `target` at simulated time `due`, unless
    /// the record's generation has moved past `generation` by then.
    pub(super) fn schedule(&mut self, target: &Arc<str>, generation: u64, due: i64, wake: Wake) {
        self.timers.schedule(target, generation, due, wake);
    }

    /// When the earliest timer falls due.
    pub(super) fn next_due(&self) -> Option<i64> {
        self.timers.heap.peek().map(|t| t.due)
    }

    /// Runs every timer due at or before `now`, in order.
    pub(super) fn advance(&mut self, shared: &Shared, now: i64) {
        while self.timers.heap.peek().is_some_and(|t| t.due <= now) {
            let Some(timer) = self.timers.heap.pop() else {
                break;
            };
            match timer.wake {
                Wake::Call(step) => {
                    self.wake_call(shared, &timer.target, timer.generation, timer.due, step)
                }
                Wake::Ivr(step) => {
                    self.wake_ivr(shared, &timer.target, timer.generation, timer.due, step)
                }
                Wake::Conf(step) => {
                    self.wake_conf(shared, &timer.target, timer.generation, timer.due, step)
                }
                Wake::Msg(step) => {
                    self.wake_msg(shared, &timer.target, timer.generation, timer.due, step)
                }
                Wake::Cc(step) => {
                    self.wake_cc(shared, &timer.target, timer.generation, timer.due, step)
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn ids_are_written_as_two_hex_words() {
        let mut ids = IdGenerator::new();
        let seed = ids.seed;
        let expected = |counter: u64| {
            let unique = IdGenerator::mix(seed.wrapping_add(counter));
            let noise = IdGenerator::mix(unique ^ seed.rotate_left(17));
            format!("{unique:016x}{noise:016x}")
        };
        for counter in 1..=100 {
            if counter % 2 == 0 {
                assert_eq!(*ids.next_shared(), *expected(counter));
            } else {
                assert_eq!(ids.next(), expected(counter));
            }
        }
    }

    #[test]
    fn id_hasher_tells_strings_apart() {
        let hash = |s: &str| BuildHasherDefault::<IdHasher>::default().hash_one(s);
        let texts = [
            "",
            "a",
            "ab",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefghi",
            "b",
            "ba",
        ];
        for (i, a) in texts.iter().enumerate() {
            for b in &texts[i + 1..] {
                assert_ne!(hash(a), hash(b), "{a:?} {b:?}");
            }
        }
        let mut map: IdMap<String, usize> = IdMap::default();
        let mut ids = IdGenerator::new();
        let keys: Vec<String> = (0..1000).map(|_| ids.next()).collect();
        for (i, k) in keys.iter().enumerate() {
            map.insert(k.clone(), i);
        }
        assert!(keys.iter().enumerate().all(|(i, k)| map[k.as_str()] == i));
        assert_eq!(map.get("not an id"), None);
    }
}
