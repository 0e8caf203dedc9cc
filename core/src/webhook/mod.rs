//! Receiving the platform's webhooks: one routine for every language.
//!
//! # Design
//!
//! The platform POSTs each event to the application's URL, unsigned, and sends the same bytes
//! again (at once, up to 4 attempts in all) whenever it does not get HTTP 200 within 5 seconds
//! (platform-notes §4.2). So a receiver must answer 200 fast, notice the re-sends of what it
//! already handled, and guard a URL that anyone can POST to. [`Receiver`] does all of it in
//! one place, so that every binding and framework helper only adapts requests and responses:
//!
//! 1. [`Receiver::check_head`], before the body is read: the URL token (a secret the
//!    application puts in its callback URL's query, `?token=...`, compared in constant time:
//!    the platform cannot sign, so this is the guard it allows) and the declared length
//!    (a body over [`Receiver::max_body`] is refused unread).
//! 2. [`Receiver::receive`], with the body: the same checks, then core's event parser
//!    ([`Event::parse`], every event typed as core declares it), then "seen before?" in the
//!    dedup [`Store`]. The answer is a [`Delivery`]: the event, its [`delivery_key`], whether
//!    it is a duplicate, and the response to send ([`Delivery::status`], [`Delivery::body`]).
//!    Duplicates are answered 200 as well, so that the platform stops re-sending.
//! 3. [`Receiver::release`], when the application's handling failed: the key is forgotten,
//!    and the platform's re-send (which the application asks for by answering non-200) is
//!    handled as new.
//!
//! A handler can die while it handles a delivery (its process killed): with [`Receiver::receive`]
//! its key stays claimed, the platform's re-send is answered as a duplicate, and the event is
//! lost. [`Receiver::begin`] (what every framework helper uses) claims the key under a short
//! lease instead: a key is absent, pending (held by one handler, value `p:<random owner>`,
//! expiring after [`DEFAULT_LEASE`] unless the handler's helper renews it) or done (value
//! [`DONE_VALUE`], for the dedup time [`DEFAULT_TTL`]). A re-send that finds its key pending
//! waits (up to [`DEFAULT_WAIT`], below the platform's 5 s per attempt) until it is done (a
//! duplicate, 200) or absent (released after a failure, or the lease ran out because its handler
//! died: claimed and handled), else answers 503 so that the platform sends it again. The Redis
//! side of this protocol is the four scripts declared here ([`REDIS_CLAIM_SCRIPT`],
//! [`REDIS_RENEW_SCRIPT`], [`REDIS_COMPLETE_SCRIPT`], [`REDIS_RELEASE_SCRIPT`]), which every
//! language's Redis store runs; [`MemoryStore`] keeps the same states in the process. A helper
//! that answers 200 before handling cannot do this: a worker that dies after its 200 loses the
//! event (the platform got its answer).
//!
//! Every refusal is an [`Error`] that names what was wrong and carries the HTTP status to
//! answer in [`Error::status`]: 401 (no token in the URL) and 403 (wrong token), kind `auth`,
//! field `token`; 413 (body too large), kind `decode`, field `body`; 400 (not an event the
//! platform sends), kind `decode`, with the field at fault when there is one; 503 (the dedup
//! store failed, so the platform should try again), kind `transport`; 503, kind `timeout`, from
//! [`Receiver::begin`] when another handler still holds the key after the wait.
//!
//! Dedup stores: [`MemoryStore`] (the default; in-process, bounded in entries and in time), a
//! Redis store for applications that run many processes (in Rust behind the `redis` cargo
//! feature; in other languages with their own Redis client, using [`REDIS_KEY_PREFIX`] and
//! [`DEFAULT_TTL`] from here), or none ([`ReceiverBuilder::no_store`]: every delivery is new,
//! for a binding that claims keys in its own store).
//!
//! IVR requests (`ivr_start`, which the platform POSTs to the same URL and which expects an
//! IVR document in answer) parse as [`Event::IvrStart`]; they are never claimed in the store
//! (the answer is the document, not [`Delivery::body`]).
//!
//! ```
//! use yunhuni::webhook::Receiver;
//! use yunhuni::Event;
//!
//! let receiver = Receiver::builder().token("s3cret-in-the-url").build()?;
//! let body = br#"{"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","event":"duo_callback.end","hangup_by":"1"}"#;
//!
//! receiver.check_head("token=s3cret-in-the-url", Some(body.len() as u64))?;
//! let delivery = receiver.receive("token=s3cret-in-the-url", body)?;
//! assert_eq!((delivery.status, delivery.body), (200, "ok"));
//! assert!(!delivery.duplicate);
//! assert!(matches!(delivery.event, Event::DuoCallbackEnd(_)));
//!
//! // The platform's re-send of the same bytes is a duplicate, answered 200 too.
//! let again = receiver.receive("token=s3cret-in-the-url", body)?;
//! assert!(again.duplicate);
//! assert_eq!(again.key, delivery.key);
//!
//! // A POST without the right token is refused before anything is parsed.
//! let refused = receiver.receive("token=guess", body).unwrap_err();
//! assert_eq!(refused.status(), Some(403));
//! assert_eq!(refused.field(), Some("token"));
//! # Ok::<(), yunhuni::Error>(())
//! ```

#[cfg(feature = "axum")]
pub mod axum;
mod memory;
#[cfg(feature = "redis")]
mod redis_store;

pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis_store::RedisStore;

use crate::error::{Error, ErrorKind};
use crate::events::{Event, MAX_EVENT_BYTES};
use sha2::{Digest, Sha256};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The status that tells the platform a delivery was received (any other is a failure, and
/// the platform sends the same bytes again, up to 4 attempts in all).
pub const RESPONSE_STATUS: u16 = 200;

/// The body answered with [`RESPONSE_STATUS`] (the platform ignores it), as `text/plain`.
pub const RESPONSE_BODY: &str = "ok";

/// The largest body a [`Receiver`] accepts unless told otherwise: 1 MiB, the most
/// [`Event::parse`] reads. The platform's events are a few hundred bytes.
pub const DEFAULT_MAX_BODY: usize = MAX_EVENT_BYTES;

/// The query parameter that carries the URL token unless told otherwise.
pub const DEFAULT_TOKEN_PARAM: &str = "token";

/// The longest URL token accepted, in bytes.
pub const MAX_TOKEN_BYTES: usize = 256;

/// How long a delivery key is remembered unless told otherwise: one hour, far beyond the
/// platform's re-sends (4 attempts of at most 5 s connect + 5 s read + 5 s pool wait each,
/// sent one after the other, so all within about a minute). The in-process store and the
/// Redis stores of every language use it.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

/// The longest time a store remembers a key: 30 days.
pub const MAX_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

/// What every Redis store puts before a [`delivery_key`] (`SET yunhuni:webhook:<key> 1 NX
/// PX <ttl ms>` to claim, `DEL yunhuni:webhook:<key>` to release), in every language, so that
/// processes written in different languages share what they have seen.
pub const REDIS_KEY_PREFIX: &str = "yunhuni:webhook:";

/// The most characters of the event name, and of its id, that a [`delivery_key`] keeps.
pub const KEY_PART_CHARS: usize = 64;

/// The keys whose value identifies the resource of an event that has no `id`, in the order
/// they are looked for (`msgKey` and `tempId` in messaging events, `conversation_id` and the
/// agent `name` in call-center agent events).
pub const ID_KEYS: [&str; 5] = ["id", "msgKey", "tempId", "conversation_id", "name"];

/// How long a handler holds a delivery's key before it must renew it (see [`Receiver::begin`]):
/// 2 s. The helpers renew it every third of that while the handler runs, so a live handler
/// keeps it whatever it takes, and the key of a handler that died is free again within 2 s.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(2);

/// How long [`Receiver::begin`] waits for a delivery whose key another handler holds: 4 s,
/// below the platform's 5 s per attempt, so that the answer (200 once the other handler is done,
/// or 503 when it is still at it) reaches the platform before it gives the attempt up.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(4);

/// How often [`Receiver::begin`] looks at a key another handler holds while it waits: 50 ms.
pub const DEFAULT_POLL: Duration = Duration::from_millis(50);

/// The lease for a helper that cannot renew it on its own while the handler runs (PHP under
/// PHP-FPM has no threads nor timers: the handler renews by hand): 10 s. Long enough for most
/// handlers, short enough that a dead worker's key is free again before the platform's last
/// re-send has waited ([`DEFAULT_WAIT`] each, one after the other).
pub const UNRENEWED_LEASE: Duration = Duration::from_secs(10);

/// The shortest lease a receiver takes (renewed every third of it).
pub const MIN_LEASE: Duration = Duration::from_millis(30);

/// The longest lease, and the longest wait, a receiver takes: one hour.
pub const MAX_LEASE: Duration = Duration::from_secs(3600);

/// What the value of a pending key starts with, in every store: `p:` and the owner's random
/// part ([`new_owner`] makes the whole value). A key whose value does not start with it is done
/// (the value [`DONE_VALUE`], or `1` as keys claimed by [`Receiver::receive`] and by earlier
/// versions are).
pub const PENDING_PREFIX: &str = "p:";

/// The value of a done key: handled, its re-sends are duplicates until it expires.
pub const DONE_VALUE: &str = "d";

/// The Redis script that claims a key under a lease: `EVAL <it> 1 <prefix><key> <owner>
/// <lease ms>`. Answers `1` (claimed: the key was absent, it is now pending, held by `owner`),
/// `0` (pending: another handler holds it) or `2` (done). Every language's Redis store runs
/// this text ([`Claim::from_script`] reads the answer).
pub const REDIS_CLAIM_SCRIPT: &str = "\
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 2) == 'p:' then return 0 end
return 2";

/// The Redis script that renews a lease, only for its owner: `EVAL <it> 1 <prefix><key> <owner>
/// <lease ms>`. Answers `1` (renewed) or `0` (not this owner's any more).
pub const REDIS_RENEW_SCRIPT: &str = "\
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0";

/// The Redis script that marks a key done after its handling succeeded: `EVAL <it> 1
/// <prefix><key> <owner> <ttl ms>`. When `owner` holds it, or nobody does (the lease ran out
/// and no re-send took it), the value becomes [`DONE_VALUE`] for the time to live, answer `1`;
/// when another handler holds it or it is done already, it is left alone, answer `0`.
pub const REDIS_COMPLETE_SCRIPT: &str = "\
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or not v then redis.call('SET', KEYS[1], 'd', 'PX', ARGV[2]) return 1 end
return 0";

/// The Redis script that releases a key after its handling failed, only for its owner: `EVAL
/// <it> 1 <prefix><key> <owner>`. Answers `1` (deleted) or `0` (not this owner's).
pub const REDIS_RELEASE_SCRIPT: &str = "\
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

/// What a store says of a key it was asked to claim under a lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Claim {
    /// The key was absent: it is now pending, held by the caller; handle the delivery.
    Claimed,
    /// Another handler holds the key (its lease runs): wait, then look again.
    Pending,
    /// The key is done: a duplicate.
    Done,
}

impl Claim {
    /// The answer of [`REDIS_CLAIM_SCRIPT`] (`1`, `0`, `2`); `None` for anything else.
    pub fn from_script(answer: i64) -> Option<Claim> {
        match answer {
            1 => Some(Claim::Claimed),
            0 => Some(Claim::Pending),
            2 => Some(Claim::Done),
            _ => None,
        }
    }

    /// `claimed`, `pending` or `done`.
    pub fn as_str(self) -> &'static str {
        match self {
            Claim::Claimed => "claimed",
            Claim::Pending => "pending",
            Claim::Done => "done",
        }
    }
}

/// A new owner value for a lease: [`PENDING_PREFIX`] and 32 random hex digits, different in
/// every call, process and machine (for all practical purposes).
pub fn new_owner() -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut seed = Sha256::new();
    seed.update(n.to_le_bytes());
    seed.update(nanos.to_le_bytes());
    seed.update(std::process::id().to_le_bytes());
    for _ in 0..2 {
        // Each RandomState is keyed from the system's randomness.
        let mut h = RandomState::new().build_hasher();
        h.write_u64(n);
        seed.update(h.finish().to_le_bytes());
    }
    let mut owner = String::with_capacity(PENDING_PREFIX.len() + 32);
    owner.push_str(PENDING_PREFIX);
    for b in &seed.finalize()[..16] {
        owner.push_str(&format!("{b:02x}"));
    }
    owner
}

/// Where a [`Receiver`] remembers which deliveries it has seen.
///
/// A key is absent, pending (held by one handler, under a short lease: the value is the owner's,
/// `p:<random>`) or done (handled; remembered for the dedup time). `claim` and `release` are
/// the first protocol, kept for stores written before leases: `claim` is an atomic
/// set-if-absent with expiry (true when the key was not there), `release` forgets a key.
/// The lease protocol ([`Receiver::begin`]) uses `claim_lease`, `renew`, `complete` and
/// `release_owned`; their defaults fall back on `claim` and `release` (a claimed key is then done
/// at once, so a handler that dies leaves its delivery marked as handled). Errors are reported,
/// never panicked.
pub trait Store: Send + Sync {
    /// Marks `key` as seen (done); true when it was not seen before (or its time ran out).
    fn claim(&self, key: &str) -> Result<bool, Error>;
    /// Forgets `key`.
    fn release(&self, key: &str) -> Result<(), Error>;
    /// Claims `key` for `owner` for `lease` when it is absent ([`Claim::Claimed`]); else tells
    /// whether it is pending or done. Atomic (what [`REDIS_CLAIM_SCRIPT`] does).
    fn claim_lease(&self, key: &str, owner: &str, lease: Duration) -> Result<Claim, Error> {
        let _ = (owner, lease);
        Ok(if self.claim(key)? {
            Claim::Claimed
        } else {
            Claim::Done
        })
    }
    /// Extends `owner`'s lease on `key` to `lease` from now; false when `owner` does not hold it
    /// ([`REDIS_RENEW_SCRIPT`]).
    fn renew(&self, key: &str, owner: &str, lease: Duration) -> Result<bool, Error> {
        let _ = (key, owner, lease);
        Ok(true)
    }
    /// Marks `key` done (for the store's time to live) when `owner` holds it or nobody does;
    /// false when another handler holds it ([`REDIS_COMPLETE_SCRIPT`]).
    fn complete(&self, key: &str, owner: &str) -> Result<bool, Error> {
        let _ = (key, owner);
        Ok(true)
    }
    /// Forgets `key` when `owner` holds it; false otherwise ([`REDIS_RELEASE_SCRIPT`]).
    fn release_owned(&self, key: &str, owner: &str) -> Result<bool, Error> {
        let _ = owner;
        self.release(key).map(|()| true)
    }
}

/// The answer of [`Receiver::receive`]: the event and what to send back.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The event, typed.
    pub event: Event,
    /// What identifies this delivery in the store ([`delivery_key`]).
    pub key: String,
    /// True when this key was seen before: the platform sent it again (its earlier attempt got
    /// no 200 in time), so it was probably handled already.
    pub duplicate: bool,
    /// True when the key is still to be claimed in a store outside the receiver (code that
    /// keeps its own store, such as another language's Redis client): the receiver has no store
    /// and the delivery is an event. Claim it (`SET <prefix><key> 1 NX PX <ttl>`); when the key
    /// was there, the delivery is a duplicate. Always false for `ivr_start`, which is never
    /// claimed.
    pub to_claim: bool,
    /// The lease's owner value when the delivery was claimed by [`Receiver::begin`] (pending,
    /// held by this handler until [`Receiver::complete`] or [`Receiver::release_owned`]);
    /// `None` for [`Receiver::receive`], a duplicate, `ivr_start` and a receiver without store.
    pub owner: Option<String>,
    /// The HTTP status to answer: [`RESPONSE_STATUS`].
    pub status: u16,
    /// The body to answer, as `text/plain`: [`RESPONSE_BODY`].
    pub body: &'static str,
}

/// Checks, parses and deduplicates webhook deliveries; see the [module](self) docs.
///
/// Shared freely across threads (`Send + Sync`); it holds no per-request state.
#[derive(Clone)]
pub struct Receiver {
    token_digest: Option<[u8; 32]>,
    token_param: String,
    max_body: usize,
    store: Option<Arc<dyn Store>>,
    lease: Duration,
    wait: Duration,
    poll: Duration,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("token", &self.token_digest.map(|_| "<set>"))
            .field("token_param", &self.token_param)
            .field("max_body", &self.max_body)
            .field("store", &self.store.as_ref().map(|_| "<store>"))
            .field("lease", &self.lease)
            .field("wait", &self.wait)
            .finish()
    }
}

impl Default for Receiver {
    /// No token, a 1 MiB body limit, a default [`MemoryStore`].
    fn default() -> Self {
        Receiver {
            token_digest: None,
            token_param: DEFAULT_TOKEN_PARAM.to_owned(),
            max_body: DEFAULT_MAX_BODY,
            store: Some(Arc::new(MemoryStore::default())),
            lease: DEFAULT_LEASE,
            wait: DEFAULT_WAIT,
            poll: DEFAULT_POLL,
        }
    }
}

/// Builds a [`Receiver`]: `Receiver::builder().token(..).build()`.
#[derive(Clone)]
pub struct ReceiverBuilder {
    token: Option<String>,
    token_param: String,
    max_body: usize,
    store: Option<Arc<dyn Store>>,
    lease: Duration,
    wait: Duration,
    poll: Duration,
}

impl fmt::Debug for ReceiverBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiverBuilder")
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("token_param", &self.token_param)
            .field("max_body", &self.max_body)
            .finish()
    }
}

impl ReceiverBuilder {
    /// The URL token: deliveries whose query lacks `token=<this>` are refused (401 when absent,
    /// 403 when different). 1 to [`MAX_TOKEN_BYTES`] bytes; put it percent-encoded in the
    /// callback URL you give the platform.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The query parameter that carries the token (default [`DEFAULT_TOKEN_PARAM`]).
    pub fn token_param(mut self, name: impl Into<String>) -> Self {
        self.token_param = name.into();
        self
    }

    /// The largest body accepted, in bytes: 1 to [`DEFAULT_MAX_BODY`] (the default).
    pub fn max_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// The dedup store (default: [`MemoryStore::default`]).
    pub fn store(mut self, store: impl Store + 'static) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// A dedup store shared with other code.
    pub fn shared_store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// How long [`Receiver::begin`] holds a key before it must be renewed: [`MIN_LEASE`] to
    /// [`MAX_LEASE`], default [`DEFAULT_LEASE`].
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long [`Receiver::begin`] waits for a key another handler holds before answering
    /// 503: zero (do not wait) to [`MAX_LEASE`], default [`DEFAULT_WAIT`]. Keep it below the
    /// platform's 5 s per attempt.
    pub fn wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// How often [`Receiver::begin`] looks at a key while it waits: 1 ms to 10 s, default
    /// [`DEFAULT_POLL`].
    pub fn poll(mut self, poll: Duration) -> Self {
        self.poll = poll;
        self
    }

    /// No dedup store: every delivery is reported as new (for code that claims
    /// [`Delivery::key`] in a store of its own).
    pub fn no_store(mut self) -> Self {
        self.store = None;
        self
    }

    /// The receiver; a `validation` error naming `token`, `token_param` or `max_body` when one
    /// is out of its range.
    pub fn build(self) -> Result<Receiver, Error> {
        let token_digest = match self.token {
            None => None,
            Some(t) if t.is_empty() || t.len() > MAX_TOKEN_BYTES => {
                return Err(Error::validation(
                    "token",
                    format!(
                        "is {} bytes long; a URL token has 1 to {MAX_TOKEN_BYTES}",
                        t.len()
                    ),
                ))
            }
            Some(t) => Some(digest(t.as_bytes())),
        };
        if self.token_param.is_empty()
            || self.token_param.len() > 64
            || !self
                .token_param
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        {
            return Err(Error::validation(
                "token_param",
                "must be 1 to 64 characters of letters, digits, `_`, `-` and `.`",
            ));
        }
        if self.max_body == 0 || self.max_body > DEFAULT_MAX_BODY {
            return Err(Error::validation(
                "max_body",
                format!(
                    "is {}; it must be 1 to {DEFAULT_MAX_BODY} bytes",
                    self.max_body
                ),
            ));
        }
        if self.lease < MIN_LEASE || self.lease > MAX_LEASE {
            return Err(Error::validation(
                "lease",
                format!(
                    "is {} ms; it must be {} ms to {} ms",
                    self.lease.as_millis(),
                    MIN_LEASE.as_millis(),
                    MAX_LEASE.as_millis()
                ),
            ));
        }
        if self.wait > MAX_LEASE {
            return Err(Error::validation(
                "wait",
                format!(
                    "is {} ms; it must be 0 to {} ms",
                    self.wait.as_millis(),
                    MAX_LEASE.as_millis()
                ),
            ));
        }
        if self.poll < Duration::from_millis(1) || self.poll > Duration::from_secs(10) {
            return Err(Error::validation(
                "poll",
                format!(
                    "is {} ms; it must be 1 ms to 10000 ms",
                    self.poll.as_millis()
                ),
            ));
        }
        Ok(Receiver {
            token_digest,
            token_param: self.token_param,
            max_body: self.max_body,
            store: self.store,
            lease: self.lease,
            wait: self.wait,
            poll: self.poll,
        })
    }
}

impl Receiver {
    /// A builder with the defaults: no token, a 1 MiB body limit, a [`MemoryStore`].
    pub fn builder() -> ReceiverBuilder {
        ReceiverBuilder {
            token: None,
            token_param: DEFAULT_TOKEN_PARAM.to_owned(),
            max_body: DEFAULT_MAX_BODY,
            store: Some(Arc::new(MemoryStore::default())),
            lease: DEFAULT_LEASE,
            wait: DEFAULT_WAIT,
            poll: DEFAULT_POLL,
        }
    }

    /// How long [`Receiver::begin`] holds a key before it must be renewed.
    pub fn lease(&self) -> Duration {
        self.lease
    }

    /// How often a helper renews a lease while its handler runs: a third of the lease.
    pub fn renew_every(&self) -> Duration {
        self.lease / 3
    }

    /// How long [`Receiver::begin`] waits for a key another handler holds.
    pub fn wait(&self) -> Duration {
        self.wait
    }

    /// How often [`Receiver::begin`] looks at a key while it waits.
    pub fn poll(&self) -> Duration {
        self.poll
    }

    /// The largest body accepted, in bytes.
    pub fn max_body(&self) -> usize {
        self.max_body
    }

    /// True when a URL token is required.
    pub fn has_token(&self) -> bool {
        self.token_digest.is_some()
    }

    /// True when deliveries are deduplicated in a store.
    pub fn has_store(&self) -> bool {
        self.store.is_some()
    }

    /// The checks that need no body, to run before reading it: the URL token in `query` (the
    /// request URL's query string, without `?`), and `content_length` (the request's
    /// `Content-Length`, `None` when it has none) against [`Receiver::max_body`].
    ///
    /// ```
    /// let receiver = yunhuni::webhook::Receiver::builder().token("k").build()?;
    /// assert_eq!(receiver.check_head("", Some(10)).unwrap_err().status(), Some(401));
    /// assert_eq!(receiver.check_head("token=k", Some(100_000_000)).unwrap_err().status(), Some(413));
    /// receiver.check_head("a=1&token=k", Some(300))?;
    /// # Ok::<(), yunhuni::Error>(())
    /// ```
    pub fn check_head(&self, query: &str, content_length: Option<u64>) -> Result<(), Error> {
        self.check_token(query)?;
        if let Some(len) = content_length {
            if len > self.max_body as u64 {
                return Err(too_large(len, self.max_body));
            }
        }
        Ok(())
    }

    /// Checks the token and the body's size, parses the body ([`Event::parse`]) and claims its
    /// [`delivery_key`] in the store. See the [module](self) docs for the errors.
    pub fn receive(&self, query: &str, body: &[u8]) -> Result<Delivery, Error> {
        self.check_token(query)?;
        if body.len() > self.max_body {
            return Err(too_large(body.len() as u64, self.max_body));
        }
        let event = Event::parse(body).map_err(|e| e.with_status(400))?;
        let key = delivery_key(&event);
        let is_event = !matches!(event, Event::IvrStart(_));
        let duplicate = match &self.store {
            Some(store) if is_event => !store.claim(&key).map_err(store_failed)?,
            _ => false,
        };
        Ok(Delivery {
            to_claim: is_event && self.store.is_none(),
            event,
            key,
            duplicate,
            owner: None,
            status: RESPONSE_STATUS,
            body: RESPONSE_BODY,
        })
    }

    /// Like [`Receiver::receive`], but the key is claimed under a lease, so that a handler that
    /// dies (its process killed) does not leave its delivery marked as handled:
    ///
    /// - absent: claimed for a new owner ([`Delivery::owner`], pending for [`Receiver::lease`]);
    ///   handle it, renew the lease every [`Receiver::renew_every`] while handling
    ///   ([`Receiver::renew`]), then [`Receiver::complete`] and answer 200, or on failure
    ///   [`Receiver::release_owned`] and answer non-200;
    /// - done: a duplicate (answer 200, do not handle);
    /// - pending (another handler holds it): looked at again every [`Receiver::poll`] for up to
    ///   [`Receiver::wait`]: done → a duplicate; absent (released, or its lease ran out because
    ///   its handler died) → claimed as above; still pending → a `timeout` error with status
    ///   503, so that the platform sends it again (the live handler finishes it meanwhile).
    ///
    /// This call blocks while it waits (it runs on a worker thread in the helpers). Without a
    /// store, or for `ivr_start`, it is [`Receiver::receive`].
    ///
    /// ```
    /// use yunhuni::webhook::Receiver;
    /// let receiver = Receiver::builder().wait(std::time::Duration::ZERO).build()?;
    /// let body = br#"{"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","event":"duo_callback.end","hangup_by":"1"}"#;
    /// let first = receiver.begin("", body)?;
    /// let owner = first.owner.clone().expect("claimed");
    /// // While it is handled, a re-send finds it pending: 503 (after the wait, here none).
    /// assert_eq!(receiver.begin("", body).unwrap_err().status(), Some(503));
    /// assert!(receiver.complete(&first.key, &owner)?);
    /// // Once done, a re-send is a duplicate.
    /// assert!(receiver.begin("", body)?.duplicate);
    /// # Ok::<(), yunhuni::Error>(())
    /// ```
    pub fn begin(&self, query: &str, body: &[u8]) -> Result<Delivery, Error> {
        let store = match &self.store {
            Some(store) => store.clone(),
            None => return self.receive(query, body),
        };
        let mut delivery = self.parse(query, body)?;
        if !delivery.to_claim {
            return Ok(delivery);
        }
        delivery.to_claim = false;
        let owner = new_owner();
        let started = std::time::Instant::now();
        loop {
            match store
                .claim_lease(&delivery.key, &owner, self.lease)
                .map_err(store_failed)?
            {
                Claim::Claimed => {
                    delivery.owner = Some(owner);
                    return Ok(delivery);
                }
                Claim::Done => {
                    delivery.duplicate = true;
                    return Ok(delivery);
                }
                Claim::Pending => {
                    let waited = started.elapsed();
                    if waited >= self.wait {
                        return Err(still_pending(&delivery.key, waited));
                    }
                    std::thread::sleep(self.poll.min(self.wait - waited));
                }
            }
        }
    }

    /// The checks and the parse of [`Receiver::receive`], without touching the store: for a
    /// binding that claims under a lease in its own way (an event loop that must not block:
    /// [`Receiver::claim_lease`] in a loop, or a store of its own running core's scripts).
    /// [`Delivery::to_claim`] is true for an event (false for `ivr_start`, never claimed).
    pub fn parse(&self, query: &str, body: &[u8]) -> Result<Delivery, Error> {
        self.check_token(query)?;
        if body.len() > self.max_body {
            return Err(too_large(body.len() as u64, self.max_body));
        }
        let event = Event::parse(body).map_err(|e| e.with_status(400))?;
        let key = delivery_key(&event);
        Ok(Delivery {
            to_claim: !matches!(event, Event::IvrStart(_)),
            event,
            key,
            duplicate: false,
            owner: None,
            status: RESPONSE_STATUS,
            body: RESPONSE_BODY,
        })
    }

    /// One look at `key` for `owner` ([`Store::claim_lease`] under [`Receiver::lease`]), without
    /// waiting: for a binding that waits in its own way (an event loop) and calls
    /// [`Receiver::pending_error`] when its wait is over. [`Claim::Claimed`] without a store.
    pub fn claim_lease(&self, key: &str, owner: &str) -> Result<Claim, Error> {
        match &self.store {
            Some(store) => store
                .claim_lease(key, owner, self.lease)
                .map_err(store_failed),
            None => Ok(Claim::Claimed),
        }
    }

    /// The error [`Receiver::begin`] gives when a key was still pending after the wait: kind
    /// `timeout`, status 503.
    pub fn pending_error(&self, key: &str) -> Error {
        still_pending(key, self.wait)
    }

    /// Renews `owner`'s lease on `key` for [`Receiver::lease`]; false when `owner` no longer
    /// holds it (its lease ran out and another handler took it). True without a store.
    pub fn renew(&self, key: &str, owner: &str) -> Result<bool, Error> {
        match &self.store {
            Some(store) => store.renew(key, owner, self.lease).map_err(store_failed),
            None => Ok(true),
        }
    }

    /// Marks `key` done after its handling succeeded (call it before answering 200); false when
    /// another handler holds it now (this one's lease ran out). True without a store.
    pub fn complete(&self, key: &str, owner: &str) -> Result<bool, Error> {
        match &self.store {
            Some(store) => store.complete(key, owner).map_err(store_failed),
            None => Ok(true),
        }
    }

    /// Forgets `key` when `owner` holds it (after its handling failed; then answer non-200);
    /// false when it does not. True without a store.
    pub fn release_owned(&self, key: &str, owner: &str) -> Result<bool, Error> {
        match &self.store {
            Some(store) => store.release_owned(key, owner).map_err(store_failed),
            None => Ok(true),
        }
    }

    /// Forgets `key` in the store (a handler that failed calls it, then answers non-200 so
    /// that the platform sends the event again). Nothing to do without a store.
    pub fn release(&self, key: &str) -> Result<(), Error> {
        match &self.store {
            Some(store) => store.release(key).map_err(store_failed),
            None => Ok(()),
        }
    }

    fn check_token(&self, query: &str) -> Result<(), Error> {
        let Some(expected) = &self.token_digest else {
            return Ok(());
        };
        let given = query_param(query, &self.token_param);
        match given {
            None => Err(Error::new(
                ErrorKind::Auth,
                format!(
                    "token: the request URL has no `{}` query parameter; this webhook URL requires one",
                    self.token_param
                ),
            )
            .with_field("token")
            .with_status(401)),
            Some(given) if !same_digest(&digest(&given), expected) => Err(Error::new(
                ErrorKind::Auth,
                format!(
                    "token: the request URL's `{}` query parameter is not this webhook's token",
                    self.token_param
                ),
            )
            .with_field("token")
            .with_status(403)),
            Some(_) => Ok(()),
        }
    }
}

fn too_large(len: u64, max: usize) -> Error {
    Error::decode(format!(
        "body: the request body is {len} bytes; this webhook accepts at most {max}"
    ))
    .with_field("body")
    .with_status(413)
}

fn still_pending(key: &str, waited: Duration) -> Error {
    Error::new(
        ErrorKind::Timeout,
        format!(
            "{key} is still being handled by another worker after {} ms; send it again",
            waited.as_millis()
        ),
    )
    .with_status(503)
}

fn store_failed(e: Error) -> Error {
    let message = format!("the webhook's dedup store failed: {}", e.message());
    Error::new(ErrorKind::Transport, message).with_status(503)
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Compares two digests in time that does not depend on where they differ (and, the inputs
/// being hashed first, not on the token's length either).
fn same_digest(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The percent-decoded value of the first `name=` parameter of a query string (`+` is a
/// space); `None` when there is none.
fn query_param(query: &str, name: &str) -> Option<Vec<u8>> {
    let query = query.strip_prefix('?').unwrap_or(query);
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k) == name.as_bytes()).then(|| percent_decode(v))
    })
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    out
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// What identifies a delivery of an event: `<event>:<id>:<digest>`, where `<id>` is the
/// resource the event is about (`id`, else `msgKey`, `tempId`, `conversation_id` or the agent
/// `name`, as the server sends them; `-` when none) and `<digest>` 16 hex digits of the SHA-256
/// of the body. The platform's re-send of a delivery is byte-identical, so it has the same
/// key; two events of one call (an IVR call has many `ivr.play_end`) have different bodies and
/// so different keys.
///
/// The name and the id are cut to [`KEY_PART_CHARS`] characters, and every character other than
/// ASCII letters, digits, `.`, `_` and `-` becomes `_`, so that a key is at most 147 bytes of
/// plain ASCII whatever was POSTed (safe in a Redis key, a log line or a C string).
///
/// ```
/// let body = br#"{"action":"event_notify","id":"8a2bc6725b1d2e3f015b1d2f40a10001","event":"duo_callback.end","hangup_by":"1"}"#;
/// let event = yunhuni::Event::parse(body)?;
/// let key = yunhuni::webhook::delivery_key(&event);
/// assert!(key.starts_with("duo_callback.end:8a2bc6725b1d2e3f015b1d2f40a10001:"), "{key}");
/// assert_eq!(key.len(), "duo_callback.end:8a2bc6725b1d2e3f015b1d2f40a10001:".len() + 16);
/// # Ok::<(), yunhuni::Error>(())
/// ```
pub fn delivery_key(event: &Event) -> String {
    let raw = event.raw_json();
    let id = match event.id() {
        Some(id) if !id.is_empty() => Some(id.to_owned()),
        _ => resource_id(raw),
    };
    let mut key = String::with_capacity(2 * KEY_PART_CHARS + 18);
    push_part(&mut key, event.name());
    key.push(':');
    push_part(&mut key, id.as_deref().unwrap_or("-"));
    key.push(':');
    for b in &Sha256::digest(raw.as_bytes())[..8] {
        key.push_str(&format!("{b:02x}"));
    }
    key
}

/// The first of [`ID_KEYS`] that the body has as a non-empty string or number.
fn resource_id(raw: &str) -> Option<String> {
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(raw).ok()?;
    ID_KEYS.iter().find_map(|k| match map.get(*k)? {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn push_part(key: &mut String, part: &str) {
    for c in part.chars().take(KEY_PART_CHARS) {
        key.push(
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            },
        );
    }
}

#[cfg(test)]
mod tests;
