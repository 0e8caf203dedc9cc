//! The addon's own worker threads, and how their results come back to JavaScript.
//!
//! Every blocking call (an HTTP request, waiting for a sandbox event) runs on a worker, never on
//! the JavaScript thread and never in libuv's pool (4 threads by default, shared with `fs`,
//! `dns` and `crypto`). There are two pools, each a queue in front of a bounded set of threads:
//!
//! - [`Lane::Request`]: client requests. At most [`request_threads`] workers (64 unless
//!   `YUNHUNI_NODE_THREADS` says otherwise), started as the queue needs them; more requests in
//!   flight wait in the queue, so 1,000 Promises pending are 64 threads, not 1,000. A request's
//!   own timeout starts when a worker takes it.
//! - [`Lane::Wait`]: the sandbox's long waits (an event that comes after a call ends), start and
//!   close, which may block for seconds and must never hold up requests; up to 512 workers.
//!
//! A worker idle for [`IDLE_EXIT`] ends. Results come back through one thread-safe function per
//! JavaScript environment ([`Completions`]), not one per Promise: a worker pushes the
//! settlement onto the environment's list and wakes the event loop only when the list was empty,
//! and the JavaScript thread settles every Promise on the list in one turn. The thread-safe
//! function holds the event loop open only while Promises are pending.

use crate::error::JsError;
use napi::bindgen_prelude::*;
use napi::sys;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread;
use std::time::Duration;

/// The request workers unless `YUNHUNI_NODE_THREADS` sets another number.
const DEFAULT_REQUEST_THREADS: usize = 64;
/// The most `YUNHUNI_NODE_THREADS` may ask for.
const MAX_REQUEST_THREADS: usize = 1024;
/// The most workers waiting on the sandbox at once.
const MAX_WAIT_THREADS: usize = 512;
/// A worker with nothing to do for this long ends.
const IDLE_EXIT: Duration = Duration::from_secs(30);

/// Which pool a job runs on.
#[derive(Clone, Copy)]
pub(crate) enum Lane {
    Request,
    Wait,
}

/// The number of request workers: `YUNHUNI_NODE_THREADS` when it is an integer from 1 to 1024,
/// else 64. Read once, when the first request is made.
pub(crate) fn request_threads() -> usize {
    static N: OnceLock<usize> = OnceLock::new();
    *N.get_or_init(|| {
        std::env::var("YUNHUNI_NODE_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| (1..=MAX_REQUEST_THREADS).contains(n))
            .unwrap_or(DEFAULT_REQUEST_THREADS)
    })
}

/// A unit of work. It is called with `true` on a worker, or with `false` on the caller's
/// thread when no worker could be started (then it must settle its Promise at once).
type Job = Box<dyn FnOnce(bool) + Send>;

struct Pool {
    name: &'static str,
    max: usize,
    state: Mutex<State>,
    work: Condvar,
}

struct State {
    jobs: VecDeque<Job>,
    idle: usize,
    threads: usize,
}

fn pool(lane: Lane) -> &'static Pool {
    static REQUEST: OnceLock<Pool> = OnceLock::new();
    static WAIT: OnceLock<Pool> = OnceLock::new();
    let new = |name, max| Pool {
        name,
        max,
        state: Mutex::new(State {
            jobs: VecDeque::new(),
            idle: 0,
            threads: 0,
        }),
        work: Condvar::new(),
    };
    match lane {
        Lane::Request => REQUEST.get_or_init(|| new("yunhuni-worker", request_threads())),
        Lane::Wait => WAIT.get_or_init(|| new("yunhuni-wait", MAX_WAIT_THREADS)),
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing runs user code under these locks, so a poisoned one still holds a consistent state.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn submit(pool: &'static Pool, job: Job) {
    let mut state = lock(&pool.state);
    // Each queued job is owed one idle worker; start another when none is left over.
    if state.jobs.len() >= state.idle && state.threads < pool.max {
        match thread::Builder::new()
            .name(pool.name.into())
            .spawn(move || worker(pool))
        {
            Ok(_) => state.threads += 1,
            Err(_) if state.threads == 0 => {
                drop(state);
                job(false);
                return;
            }
            // Some workers exist: the job waits for one of them.
            Err(_) => {}
        }
    }
    state.jobs.push_back(job);
    let wake = state.idle > 0;
    drop(state);
    if wake {
        pool.work.notify_one();
    }
}

fn worker(pool: &'static Pool) {
    let mut state = lock(&pool.state);
    loop {
        if let Some(job) = state.jobs.pop_front() {
            drop(state);
            // A job settles its own Promise and catches its own panics; this is a second net
            // so that the worker count stays right whatever happens.
            let _ = catch_unwind(AssertUnwindSafe(|| job(true)));
            state = lock(&pool.state);
            continue;
        }
        state.idle += 1;
        let (guard, wait) = pool
            .work
            .wait_timeout(state, IDLE_EXIT)
            .unwrap_or_else(PoisonError::into_inner);
        state = guard;
        state.idle -= 1;
        if wait.timed_out() && state.jobs.is_empty() {
            state.threads -= 1;
            return;
        }
    }
}

// --- completions ---------------------------------------------------------------------------

/// What the JavaScript thread does to settle one Promise.
type Settle = Box<dyn FnOnce(sys::napi_env) + Send>;

/// A raw pointer that may cross threads: a `napi_deferred`, or the thread-safe function (used
/// off the JavaScript thread only through `napi_call_threadsafe_function`, as documented).
struct Raw<T>(*mut T);
// SAFETY: see above; each is only dereferenced by N-API on the JavaScript thread.
unsafe impl<T> Send for Raw<T> {}

impl<T> Raw<T> {
    /// The pointer (a method, so that a closure captures the whole `Raw`, which is `Send`).
    fn get(&self) -> *mut T {
        self.0
    }
}

/// The way back to one JavaScript environment (the main thread or a worker thread).
struct Completions {
    /// The thread-safe function; `None` once the environment finalized it, so that no worker
    /// calls into it afterwards (the lock is held across each call).
    tsfn: Mutex<Option<Raw<sys::napi_threadsafe_function__>>>,
    /// Settlements waiting for the JavaScript thread.
    done: Mutex<Vec<Settle>>,
    /// Promises made and not yet settled (changed on the JavaScript thread only). While it is
    /// above zero, the thread-safe function holds the event loop open.
    pending: AtomicUsize,
}

impl Completions {
    /// Hands a settlement to the JavaScript thread. When the environment is gone it is leaked,
    /// not dropped: it may hold references of that environment (a client's `onRequest` hook),
    /// which must not be released from a worker after the environment ended.
    fn push(&self, settle: Settle) {
        let tsfn = lock(&self.tsfn);
        let Some(function) = tsfn.as_ref() else {
            std::mem::forget(settle);
            return;
        };
        let was_empty = {
            let mut done = lock(&self.done);
            let was_empty = done.is_empty();
            done.push(settle);
            was_empty
        };
        // A call is already on its way when the list was not empty; it takes this one too.
        if was_empty {
            // SAFETY: the function is alive while it is in `tsfn` (its finalizer takes it out
            // under this lock). Non-blocking; the queue is unbounded.
            unsafe {
                sys::napi_call_threadsafe_function(
                    function.get(),
                    ptr::null_mut(),
                    sys::ThreadsafeFunctionCallMode::nonblocking,
                )
            };
        }
    }
}

thread_local! {
    /// The completions of the environment that runs on this thread, with its `napi_env`.
    static COMPLETIONS: RefCell<Option<(usize, Arc<Completions>)>> = const { RefCell::new(None) };
}

/// The completions of `env`, made the first time it is asked for.
fn completions(env: &Env) -> Result<Arc<Completions>> {
    let raw = env.raw() as usize;
    let current = COMPLETIONS.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(e, c)| *e == raw && lock(&c.tsfn).is_some())
            .map(|(_, c)| Arc::clone(c))
    });
    if let Some(c) = current {
        return Ok(c);
    }
    let c = Arc::new(Completions {
        tsfn: Mutex::new(None),
        done: Mutex::new(Vec::new()),
        pending: AtomicUsize::new(0),
    });
    let context = Arc::into_raw(Arc::clone(&c)) as *mut std::ffi::c_void;
    let mut name = ptr::null_mut();
    let mut tsfn = ptr::null_mut();
    // SAFETY: plain N-API calls on the JavaScript thread; `context` stays valid until
    // `finalize` takes it back.
    unsafe {
        let text = "yunhuni";
        check(sys::napi_create_string_utf8(
            env.raw(),
            text.as_ptr().cast(),
            text.len() as isize,
            &mut name,
        ))?;
        let made = check(sys::napi_create_threadsafe_function(
            env.raw(),
            ptr::null_mut(),
            ptr::null_mut(),
            name,
            0,
            1,
            context,
            Some(finalize),
            context,
            Some(drain),
            &mut tsfn,
        ));
        if let Err(e) = made {
            drop(Arc::from_raw(context as *const Completions));
            return Err(e);
        }
        // Held open only while Promises are pending.
        check(sys::napi_unref_threadsafe_function(env.raw(), tsfn))?;
    }
    *lock(&c.tsfn) = Some(Raw(tsfn));
    COMPLETIONS.with(|slot| *slot.borrow_mut() = Some((raw, Arc::clone(&c))));
    Ok(c)
}

fn check(status: sys::napi_status) -> Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(
            Status::from(status),
            "yunhuni: an N-API call failed",
        ))
    }
}

/// The thread-safe function's finalizer: the environment is going away. Settlements waiting or
/// still to come are leaked (their Promises cannot be observed any more).
unsafe extern "C" fn finalize(
    _env: sys::napi_env,
    data: *mut std::ffi::c_void,
    _hint: *mut std::ffi::c_void,
) {
    // SAFETY: `data` is the `Arc` given to the function when it was made, taken back once.
    let c = unsafe { Arc::from_raw(data as *const Completions) };
    let mut tsfn = lock(&c.tsfn);
    tsfn.take();
    // Leaked, as `push` leaks what comes later.
    std::mem::forget(std::mem::take(&mut *lock(&c.done)));
    drop(tsfn);
}

/// On the JavaScript thread: settles every Promise whose result is waiting.
unsafe extern "C" fn drain(
    env: sys::napi_env,
    _callback: sys::napi_value,
    context: *mut std::ffi::c_void,
    _data: *mut std::ffi::c_void,
) {
    // A null environment: the queue is emptied while the environment tears down.
    if env.is_null() || context.is_null() {
        return;
    }
    // SAFETY: `context` is the `Arc` of the function, alive until `finalize`, which cannot run
    // while this does.
    let c = unsafe { &*(context as *const Completions) };
    let items = std::mem::take(&mut *lock(&c.done));
    let n = items.len();
    for settle in items {
        let mut scope = ptr::null_mut();
        // SAFETY (each call): N-API on the JavaScript thread with its live `env`.
        unsafe { sys::napi_open_handle_scope(env, &mut scope) };
        let _ = catch_unwind(AssertUnwindSafe(|| settle(env)));
        // Nothing here throws on purpose (an `onRequest` hook's exception is caught where it is
        // called); should anything be left pending, it must not stop the other settlements.
        let mut pending = false;
        unsafe { sys::napi_is_exception_pending(env, &mut pending) };
        if pending {
            let mut error = ptr::null_mut();
            unsafe { sys::napi_get_and_clear_last_exception(env, &mut error) };
        }
        unsafe { sys::napi_close_handle_scope(env, scope) };
    }
    if c.pending.fetch_sub(n, Ordering::Relaxed) == n {
        if let Some(tsfn) = lock(&c.tsfn).as_ref() {
            unsafe { sys::napi_unref_threadsafe_function(env, tsfn.get()) };
        }
    }
}

/// Settles `deferred` with `result` (after `before`), on the JavaScript thread.
fn settle_with<T: ToNapiValue>(
    env: sys::napi_env,
    deferred: sys::napi_deferred,
    result: std::result::Result<T, JsError>,
    before: Option<Before>,
) {
    let js_env = Env::from_raw(env);
    if let Some(before) = before {
        before(&js_env);
    }
    let value = settle_value(env, &js_env, result);
    // SAFETY: on the JavaScript thread, `deferred` settled once.
    unsafe {
        match value {
            Ok(v) => sys::napi_resolve_deferred(env, deferred, v),
            Err(v) => sys::napi_reject_deferred(env, deferred, v),
        }
    };
}

/// The value a Promise settles with: `Ok` resolves, `Err` rejects.
fn settle_value<T: ToNapiValue>(
    env: sys::napi_env,
    js_env: &Env,
    result: std::result::Result<T, JsError>,
) -> std::result::Result<sys::napi_value, sys::napi_value> {
    let error = match result {
        // SAFETY: conversion on the JavaScript thread.
        Ok(value) => match unsafe { T::to_napi_value(env, value) } {
            Ok(v) => return Ok(v),
            Err(e) => e,
        },
        Err(e) => e.to_js(js_env),
    };
    Err(reject_value(env, error))
}

/// The value a Promise rejects with for `error` (on the JavaScript thread).
fn reject_value(env: sys::napi_env, error: napi::Error) -> sys::napi_value {
    // SAFETY: conversion on the JavaScript thread; it fails only while the environment shuts
    // down, when a null value makes the rejection fail harmlessly.
    unsafe { napi::Error::to_napi_value(env, error) }.unwrap_or(ptr::null_mut())
}

/// Something to do on the JavaScript thread just before a Promise settles (call a client's
/// `onRequest` hook).
pub(crate) type Before = Box<dyn FnOnce(&Env) + Send>;

/// Runs `job` on a worker of `lane` and returns a Promise of its result. An `Err` rejects the
/// Promise with the `YunhuniError` it stands for (made on the JavaScript thread); a panic
/// rejects it with a plain `Error`.
pub(crate) fn promise<'e, T, F>(env: &'e Env, lane: Lane, job: F) -> Result<Object<'e>>
where
    T: ToNapiValue + Send + 'static,
    F: FnOnce() -> std::result::Result<T, JsError> + Send + 'static,
{
    promise_before(env, lane, move || (job(), None))
}

/// [`promise`] of a job that also says what to do on the JavaScript thread before its Promise
/// settles.
pub(crate) fn promise_before<'e, T, F>(env: &'e Env, lane: Lane, job: F) -> Result<Object<'e>>
where
    T: ToNapiValue + Send + 'static,
    F: FnOnce() -> (std::result::Result<T, JsError>, Option<Before>) + Send + 'static,
{
    let completions = completions(env)?;
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: on the JavaScript thread.
    check(unsafe { sys::napi_create_promise(env.raw(), &mut deferred, &mut promise) })?;
    if completions.pending.fetch_add(1, Ordering::Relaxed) == 0 {
        if let Some(tsfn) = lock(&completions.tsfn).as_ref() {
            // SAFETY: on the JavaScript thread, the function alive.
            unsafe { sys::napi_ref_threadsafe_function(env.raw(), tsfn.get()) };
        }
    }
    let deferred = Raw(deferred);
    submit(
        pool(lane),
        Box::new(move |on_worker: bool| {
            let outcome = if on_worker {
                catch_unwind(AssertUnwindSafe(job)).map_err(|panic| {
                    format!(
                        "yunhuni: internal error (a worker thread panicked: {}); please report it",
                        panic_message(panic.as_ref())
                    )
                })
            } else {
                Err("yunhuni: could not start a worker thread".to_owned())
            };
            completions.push(Box::new(move |env| {
                let deferred = deferred.get();
                match outcome {
                    Ok((result, before)) => settle_with(env, deferred, result, before),
                    Err(message) => {
                        let value = reject_value(env, napi::Error::from_reason(message));
                        // SAFETY: on the JavaScript thread, `deferred` settled once.
                        unsafe { sys::napi_reject_deferred(env, deferred, value) };
                    }
                }
            }));
        }),
    );
    Ok(Object::from_raw(env.raw(), promise))
}

/// A Promise of `job(args)` run on a worker, or, when reading the arguments failed, a Promise
/// rejected with that error: a Promise-returning function never throws synchronously.
pub(crate) fn promise_with<'e, A, T, F>(
    env: &'e Env,
    lane: Lane,
    args: std::result::Result<A, JsError>,
    job: F,
) -> Result<Object<'e>>
where
    A: Send + 'static,
    T: ToNapiValue + Send + 'static,
    F: FnOnce(A) -> std::result::Result<T, JsError> + Send + 'static,
{
    match args {
        Ok(args) => promise(env, lane, move || job(args)),
        Err(error) => rejected(env, error),
    }
}

/// [`promise_with`] of a job that also says what to do before its Promise settles.
pub(crate) fn promise_with_before<'e, A, T, F>(
    env: &'e Env,
    lane: Lane,
    args: std::result::Result<A, JsError>,
    job: F,
) -> Result<Object<'e>>
where
    A: Send + 'static,
    T: ToNapiValue + Send + 'static,
    F: FnOnce(A) -> (std::result::Result<T, JsError>, Option<Before>) + Send + 'static,
{
    match args {
        Ok(args) => promise_before(env, lane, move || job(args)),
        Err(error) => rejected(env, error),
    }
}

/// A Promise rejected with `error`: how a Promise-returning function reports an argument
/// mistake, so that it never throws synchronously.
fn rejected(env: &Env, error: JsError) -> Result<Object<'_>> {
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: on the JavaScript thread.
    unsafe {
        check(sys::napi_create_promise(
            env.raw(),
            &mut deferred,
            &mut promise,
        ))?;
        let value = reject_value(env.raw(), error.to_js(env));
        check(sys::napi_reject_deferred(env.raw(), deferred, value))?;
    }
    Ok(Object::from_raw(env.raw(), promise))
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "no message"
    }
}
