//! The in-process dedup store.

use super::{Claim, Store, DEFAULT_TTL, MAX_TTL};
use crate::error::Error;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Remembers delivery keys in this process, bounded in entries and in time.
///
/// - Time: a key is forgotten [`MemoryStore::ttl`] after it was claimed (default
///   [`DEFAULT_TTL`], one hour; the platform's re-sends all come within about a minute).
/// - Entries: at most [`MemoryStore::capacity`] keys are held (default
///   [`MemoryStore::DEFAULT_CAPACITY`], 100,000); claiming one more forgets the oldest first.
///   Each entry keeps a 16-byte digest of the key, not the key, so an entry costs under 100
///   bytes whatever was POSTed: about 8 MiB at the default capacity.
///
/// A key forgotten early (more than `capacity` deliveries within the platform's re-send window,
/// about a minute) would let its re-send be handled twice; size `capacity` above the deliveries
/// a minute brings, or use a Redis store. Processes do not share it: an application that runs
/// several processes needs a Redis store.
///
/// ```
/// use yunhuni::webhook::{MemoryStore, Store};
/// use std::time::Duration;
///
/// let store = MemoryStore::new(2, Duration::from_secs(60))?;
/// assert!(store.claim("a")?);
/// assert!(!store.claim("a")?); // seen
/// store.release("a")?;
/// assert!(store.claim("a")?); // new again
/// assert!(store.claim("b")? && store.claim("c")?);
/// assert_eq!(store.len(), 2); // "a", the oldest, was forgotten
/// # Ok::<(), yunhuni::Error>(())
/// ```
pub struct MemoryStore {
    inner: Mutex<Inner>,
    capacity: usize,
    ttl: Duration,
}

/// One key: when it expires, and who holds it while it is pending (a digest of the owner's
/// value; `None` once done). `seq` ties it to its entry in [`Inner::order`].
struct Entry {
    expiry: Instant,
    owner: Option<u128>,
    seq: u64,
}

#[derive(Default)]
struct Inner {
    /// Key digest → its state.
    live: HashMap<u128, Entry>,
    /// Claims in the order they were made: the key digest and the claim's sequence number. An
    /// entry whose number no longer matches `live` (the key was released, or released and
    /// claimed again) is stale and only dropped.
    order: VecDeque<(u128, u64)>,
    next_seq: u64,
}

impl Inner {
    fn drop_front(&mut self) {
        if let Some((id, seq)) = self.order.pop_front() {
            if self.live.get(&id).is_some_and(|e| e.seq == seq) {
                self.live.remove(&id);
            }
        }
    }

    /// Drops the stale and expired entries at the front (a lease expires before the dedup
    /// time of the keys claimed after it; such a key is seen as absent when looked up).
    fn drop_expired(&mut self, now: Instant) {
        while let Some(&(id, seq)) = self.order.front() {
            match self.live.get(&id) {
                Some(e) if e.seq == seq && e.expiry > now => break,
                _ => self.drop_front(),
            }
        }
    }

    /// The live entry of `id` at `now` (an expired one is as good as absent).
    fn get(&self, id: u128, now: Instant) -> Option<&Entry> {
        self.live.get(&id).filter(|e| e.expiry > now)
    }
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &self.capacity)
            .field("ttl", &self.ttl)
            .field("len", &self.len())
            .finish()
    }
}

impl Default for MemoryStore {
    /// [`MemoryStore::DEFAULT_CAPACITY`] entries, [`DEFAULT_TTL`].
    fn default() -> Self {
        MemoryStore {
            inner: Mutex::new(Inner::default()),
            capacity: Self::DEFAULT_CAPACITY,
            ttl: DEFAULT_TTL,
        }
    }
}

impl MemoryStore {
    /// The entries held unless told otherwise.
    pub const DEFAULT_CAPACITY: usize = 100_000;

    /// The most entries a store may be given.
    pub const MAX_CAPACITY: usize = 10_000_000;

    /// A store of at most `capacity` keys (1 to [`MemoryStore::MAX_CAPACITY`]), each
    /// remembered for `ttl` (1 ms to [`MAX_TTL`]); a `validation` error naming `capacity` or
    /// `ttl` otherwise.
    pub fn new(capacity: usize, ttl: Duration) -> Result<Self, Error> {
        if capacity == 0 || capacity > Self::MAX_CAPACITY {
            return Err(Error::validation(
                "capacity",
                format!("is {capacity}; it must be 1 to {}", Self::MAX_CAPACITY),
            ));
        }
        if ttl < Duration::from_millis(1) || ttl > MAX_TTL {
            return Err(Error::validation(
                "ttl",
                format!(
                    "is {} ms; it must be 1 ms to {} ms (30 days)",
                    ttl.as_millis(),
                    MAX_TTL.as_millis()
                ),
            ));
        }
        Ok(MemoryStore {
            inner: Mutex::new(Inner::default()),
            capacity,
            ttl,
        })
    }

    /// The most keys held at once.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// How long a key is remembered.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The keys held now (expired ones are counted until the next claim drops them).
    pub fn len(&self) -> usize {
        self.lock().live.len()
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The state stays consistent at every step, so a panic elsewhere leaves it usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Claims in order, stale ones included (never above `capacity`).
    #[cfg(test)]
    pub(crate) fn order_len(&self) -> usize {
        self.lock().order.len()
    }

    pub(crate) fn claim_at(&self, key: &str, now: Instant) -> bool {
        self.insert_at(key, None, self.ttl, now) == Claim::Claimed
    }

    /// Claims `key` for `owner` (pending, for `lease`) or, with `owner` `None`, as done (for
    /// the store's time to live), when the key is absent; else tells what it is.
    fn insert_at(&self, key: &str, owner: Option<&str>, time: Duration, now: Instant) -> Claim {
        let id = key_digest(key);
        let mut inner = self.lock();
        inner.drop_expired(now);
        if let Some(e) = inner.get(id, now) {
            return if e.owner.is_some() {
                Claim::Pending
            } else {
                Claim::Done
            };
        }
        while inner.order.len() >= self.capacity {
            inner.drop_front();
        }
        let seq = inner.next_seq;
        inner.next_seq += 1;
        let expiry = now.checked_add(time).unwrap_or(now);
        inner.live.insert(
            id,
            Entry {
                expiry,
                owner: owner.map(key_digest),
                seq,
            },
        );
        inner.order.push_back((id, seq));
        Claim::Claimed
    }

    pub(crate) fn claim_lease_at(
        &self,
        key: &str,
        owner: &str,
        lease: Duration,
        now: Instant,
    ) -> Claim {
        self.insert_at(key, Some(owner), lease, now)
    }

    /// Runs `f` on the entry of `key` when `owner` holds it now; false otherwise.
    fn owned_at(&self, key: &str, owner: &str, now: Instant, f: impl FnOnce(&mut Entry)) -> bool {
        let id = key_digest(key);
        let owner = key_digest(owner);
        let mut inner = self.lock();
        match inner.live.get_mut(&id) {
            Some(e) if e.expiry > now && e.owner == Some(owner) => {
                f(e);
                true
            }
            _ => false,
        }
    }

    pub(crate) fn renew_at(&self, key: &str, owner: &str, lease: Duration, now: Instant) -> bool {
        self.owned_at(key, owner, now, |e| {
            e.expiry = now.checked_add(lease).unwrap_or(now)
        })
    }

    pub(crate) fn complete_at(&self, key: &str, owner: &str, now: Instant) -> bool {
        let ttl = self.ttl;
        if self.owned_at(key, owner, now, |e| {
            e.expiry = now.checked_add(ttl).unwrap_or(now);
            e.owner = None;
        }) {
            return true;
        }
        // The lease ran out and nobody claimed the key since: it was handled, so remember it.
        self.insert_at(key, None, ttl, now) == Claim::Claimed
    }

    pub(crate) fn release_owned_at(&self, key: &str, owner: &str, now: Instant) -> bool {
        let id = key_digest(key);
        let owner = key_digest(owner);
        let mut inner = self.lock();
        let owned = inner
            .live
            .get(&id)
            .is_some_and(|e| e.expiry > now && e.owner == Some(owner));
        if owned {
            inner.live.remove(&id);
        }
        owned
    }
}

impl Store for MemoryStore {
    fn claim(&self, key: &str) -> Result<bool, Error> {
        Ok(self.claim_at(key, Instant::now()))
    }

    fn release(&self, key: &str) -> Result<(), Error> {
        self.lock().live.remove(&key_digest(key));
        Ok(())
    }

    fn claim_lease(&self, key: &str, owner: &str, lease: Duration) -> Result<Claim, Error> {
        Ok(self.claim_lease_at(key, owner, lease, Instant::now()))
    }

    fn renew(&self, key: &str, owner: &str, lease: Duration) -> Result<bool, Error> {
        Ok(self.renew_at(key, owner, lease, Instant::now()))
    }

    fn complete(&self, key: &str, owner: &str) -> Result<bool, Error> {
        Ok(self.complete_at(key, owner, Instant::now()))
    }

    fn release_owned(&self, key: &str, owner: &str) -> Result<bool, Error> {
        Ok(self.release_owned_at(key, owner, Instant::now()))
    }
}

fn key_digest(key: &str) -> u128 {
    let d = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&d[..16]);
    u128::from_le_bytes(first)
}
