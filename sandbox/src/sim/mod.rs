//! The simulated platform: one scheduler thread, one clock, one store of everything that runs.
//!
//! Calls do not get threads. Each pending state change is a timer in one heap, ordered by its
//! scheduled simulated time; the scheduler thread sleeps on a condition variable until the
//! earliest timer is due. Any thread that touches the engine first catches up with the
//! simulated clock, so an API request (a cancel, say) always sees every change that was due
//! before it. Event fields use the scheduled time of each change, never a measured one, so
//! they are exact whatever the load.
//!
//! Memory stays bounded: finished calls are forgotten oldest first once more than
//! [`CALL_HISTORY`](call::CALL_HISTORY) calls are kept, and webhook attempts beyond
//! [`ATTEMPT_HISTORY`](engine::ATTEMPT_HISTORY). The
//! platform keeps a finished call's state for 30 minutes so that a late cancel gets `020000`;
//! here a kept finished call and a forgotten one both get `020000`, so no separate expiry is
//! needed.
//!
//! ## Layout
//!
//! - this file: what every thread shares ([`Shared`]: settings, credentials, clock, scripted
//!   behaviours, the engine's lock, the webhook outbox, stopping) and the scheduler thread;
//! - [`engine`]: the store and the timer heap ([`Engine`]): ids, timers ordered by simulated
//!   time, webhook attempts, and one store per family; a timer names the family it wakes
//!   ([`engine::Wake`]);
//! - [`call`]: the family of the simple calls (`duo_callback`, `notify_call`, `verify_call`):
//!   its records and store, its state machine (`call/steps.rs`) and its end events
//!   (`call/end.rs`).
//!
//! A new family (conference, call center, IVR, messaging) is a module of its own beside
//! `call`: its records and store (a field of [`Engine`]), its steps (a variant of
//! [`engine::Wake`] and one arm in [`Engine::advance`](engine::Engine)), and the
//! `impl Shared` / `impl Engine` blocks that the API handlers call.

mod call;
mod cc;
mod cc_expr;
mod conf;
mod engine;
mod ivr;
mod mgmt;
mod msg;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use crate::behavior::{reserved_behavior, Behavior};
use crate::business::AppSettings;
use crate::config::Credentials;
use crate::inspect::WebhookAttempt;
use crate::time::SimClock;

pub(crate) use call::{CancelOutcome, NewCall, Plan, RING_TONE_MS};
pub(crate) use cc::{CcAsker, CondInput, Enqueue, Login, SkillOp};
pub use cc::{CcEvent, RoutingStats};
pub use conf::ConfInfo;
pub(crate) use conf::{Asker, NewConf, NewInvite, MAX_DURATION_S, MAX_PARTS, WAV_MAX_SECONDS};
pub(crate) use engine::Engine;
pub(crate) use ivr::{IvrJob, NewIvrCall};
pub use ivr::{IvrRequest, Recording};
pub(crate) use mgmt::{Quota, Store as MgmtStore, Sub, QUOTA_TYPES};
pub use msg::{
    MobileOutcome, MsgRequestInfo, TemplateAudit, TemplateInfo, REJECT_REASON, REMARK_PENDING,
    REMARK_REJECT,
};
pub(crate) use msg::{
    MsgRequest, NewRequest, NewTemplate, Template, TemplateChange, GLOBAL_TEMPLATE,
};

/// Settings fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) time_scale: f64,
    pub(crate) expiry_minutes: u64,
    pub(crate) utf8_webhooks: bool,
    pub(crate) webhook_timeout: Duration,
    pub(crate) api_delay: Duration,
    pub(crate) log: bool,
    /// Simulated milliseconds between accepting a call and the engine confirming it; a cancel
    /// before then gets `000004`.
    pub(crate) confirm_delay_ms: i64,
    /// Connect and read timeout of each request to an IVR application.
    pub(crate) ivr_timeout: Duration,
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

/// What waits in the webhook outbox: a delivery ready to send, or the end event of a simple
/// call, built from the call's record when a worker takes it (so that a backlog of end events,
/// when calls close faster than they are delivered, holds no bodies).
#[derive(Debug)]
pub(crate) enum Outgoing {
    /// Boxed, so that an entry of the outbox takes 24 bytes, not a whole job's.
    Ready(Box<Job>),
    CallEnd(Arc<str>),
}

impl From<Job> for Outgoing {
    fn from(job: Job) -> Self {
        Outgoing::Ready(Box::new(job))
    }
}

/// Everything the sandbox's threads share.
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    /// `http://host:port`, set once the server is bound.
    pub(crate) base_url: std::sync::OnceLock<String>,
    pub(crate) credentials: Credentials,
    /// Sub-accounts (their certificates, state and quotas) and rented numbers.
    pub(crate) mgmt: MgmtStore,
    pub(crate) clock: SimClock,
    /// The current callback URL of each app (the default app's can change at run time).
    pub(crate) app_urls: RwLock<HashMap<String, Option<String>>>,
    /// The IVR URL of each app that has one of its own (else its callback URL serves).
    pub(crate) ivr_urls: RwLock<HashMap<String, Option<String>>>,
    /// Requests to IVR applications waiting for a fetch worker.
    pub(crate) ivr_outbox: Mutex<VecDeque<IvrJob>>,
    pub(crate) ivr_ready: Condvar,
    /// Behaviours scripted through the library or the admin endpoint.
    pub(crate) behaviors: RwLock<HashMap<String, Behavior>>,
    /// The business settings of each app (every app of the credentials has an entry).
    pub(crate) app_settings: RwLock<HashMap<String, AppSettings>>,
    pub(crate) engine: Mutex<Engine>,
    /// Wakes the scheduler when a timer is added or the sandbox stops.
    pub(crate) scheduler_wake: Condvar,
    /// Signalled (with the engine lock) when an end event is settled.
    pub(crate) ended: Condvar,
    /// How many threads wait on `ended`; changed only under the engine lock, so that a
    /// settled end event wakes someone only when someone waits (see [`Shared::notify_ended`]).
    pub(crate) end_waiters: AtomicUsize,
    pub(crate) outbox: Mutex<VecDeque<Outgoing>>,
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
        let app_settings = credentials
            .apps
            .iter()
            .map(|a| (a.app_id.clone(), AppSettings::default()))
            .collect();
        Shared {
            settings,
            base_url: std::sync::OnceLock::new(),
            mgmt: MgmtStore::new(&credentials),
            credentials,
            clock,
            app_urls: RwLock::new(app_urls),
            ivr_urls: RwLock::new(HashMap::new()),
            ivr_outbox: Mutex::new(VecDeque::new()),
            ivr_ready: Condvar::new(),
            behaviors: RwLock::new(HashMap::new()),
            app_settings: RwLock::new(app_settings),
            engine: Mutex::new(Engine::new()),
            scheduler_wake: Condvar::new(),
            ended: Condvar::new(),
            end_waiters: AtomicUsize::new(0),
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

    /// Wakes the threads waiting for an end event, if any. The end event's state must have
    /// been changed under the engine lock: a waiter checks that state and counts itself in
    /// `end_waiters` under the same lock, so it either sees the change or is counted here.
    pub(crate) fn notify_ended(&self) {
        if self.end_waiters.load(Ordering::SeqCst) > 0 {
            self.ended.notify_all();
        }
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
            return b.clone();
        }
        reserved_behavior(number).unwrap_or_default()
    }

    /// The business settings of an app now (the defaults for an unknown one).
    pub(crate) fn app_settings_of(&self, app_id: &str) -> AppSettings {
        read(&self.app_settings)
            .get(app_id)
            .cloned()
            .unwrap_or_default()
    }

    /// Where events of a call placed by this app (and sub-account) go; `None` when blank.
    pub(crate) fn callback_url_for(
        &self,
        app_id: &str,
        subaccount: Option<usize>,
    ) -> Option<String> {
        let non_blank = |u: &Option<String>| u.clone().filter(|u| !crate::lenient::is_blank(u));
        if let Some(index) = subaccount {
            if let Some(url) = non_blank(&self.mgmt.callback_url_of(index)) {
                return Some(url);
            }
        }
        read(&self.app_urls).get(app_id).and_then(non_blank)
    }

    /// Where an IVR call of this app (and sub-account) asks for its documents, and where its
    /// events go. As on the platform, one URL serves both when only one is set: the
    /// sub-account's own URL, else the app's IVR URL or callback URL.
    pub(crate) fn ivr_urls_for(
        &self,
        app_id: &str,
        subaccount: Option<usize>,
    ) -> (Option<String>, Option<String>) {
        let non_blank = |u: Option<String>| u.filter(|u| !crate::lenient::is_blank(u));
        if let Some(index) = subaccount {
            if let Some(url) = non_blank(self.mgmt.callback_url_of(index)) {
                return (Some(url.clone()), Some(url));
            }
        }
        let ivr = non_blank(read(&self.ivr_urls).get(app_id).cloned().flatten());
        let callback = non_blank(read(&self.app_urls).get(app_id).cloned().flatten());
        (ivr.clone().or_else(|| callback.clone()), callback.or(ivr))
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

    /// The delivery an outbox entry stands for; `None` for the end event of a call no longer
    /// kept.
    pub(crate) fn job_of(&self, outgoing: Outgoing) -> Option<Job> {
        match outgoing {
            Outgoing::Ready(job) => Some(*job),
            Outgoing::CallEnd(id) => lock(&self.engine).calls.end_job(&id),
        }
    }

    /// Records one webhook attempt.
    pub(crate) fn record_attempt(&self, attempt: WebhookAttempt) {
        let mut engine = lock(&self.engine);
        engine.calls.note_attempt(&attempt);
        engine.keep_attempt(attempt);
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
        {
            let _outbox = lock(&self.ivr_outbox);
            self.ivr_ready.notify_all();
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

/// The shortest real time the scheduler sleeps between two rounds of timers. Timers keep
/// their exact simulated times (a round runs each at its own), and every request catches the
/// engine up before it reads it, so the tick only delays the real moment a webhook or an IVR
/// fetch leaves, by less than a tick; it spares a wake-up for each of the many distinct due
/// times a busy sandbox has (one every simulated millisecond, a microsecond apart at time
/// scale 1000).
const SCHEDULER_TICK: Duration = Duration::from_millis(1);

/// The scheduler thread's body: runs timers when they fall due until the sandbox stops.
pub(crate) fn run_scheduler(shared: &Shared) {
    let mut engine = lock(&shared.engine);
    loop {
        if shared.is_stopping() {
            return;
        }
        let now = shared.clock.now_ms();
        engine.advance(shared, now);
        let forgotten = engine.calls.take_forgotten();
        if !forgotten.is_empty() {
            // Calls forgotten in this round are freed without holding the lock.
            drop(engine);
            drop(forgotten);
            engine = lock(&shared.engine);
            continue;
        }
        let wait = match engine.next_due() {
            None => Duration::from_secs(3600),
            Some(next_due) => {
                let due = shared.clock.real_instant(next_due);
                let real_now = Instant::now();
                if due <= real_now {
                    // Due in real time, though the millisecond clock may not show it yet.
                    engine.advance(shared, next_due.max(now));
                    continue;
                }
                (due - real_now).max(SCHEDULER_TICK)
            }
        };
        engine = shared
            .scheduler_wake
            .wait_timeout(engine, wait)
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}
