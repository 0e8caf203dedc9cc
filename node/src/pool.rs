//! The addon's own worker threads.
//!
//! Every blocking call (an HTTP request, waiting for a sandbox event) runs here, never on the
//! JavaScript thread and never in libuv's pool (4 threads by default, shared with `fs`, `dns`
//! and `crypto`), so 64 calls in flight wait side by side. The pool grows by one thread
//! whenever a job finds no idle worker, up to [`MAX_THREADS`]; a worker idle for
//! [`IDLE_EXIT`] ends.

use crate::error::JsError;
use napi::bindgen_prelude::*;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread;
use std::time::Duration;

/// At most this many workers at once; more jobs wait in the queue.
const MAX_THREADS: usize = 512;
/// A worker with nothing to do for this long ends.
const IDLE_EXIT: Duration = Duration::from_secs(30);

/// A unit of work. It is called with `true` on a worker, or with `false` on the caller's
/// thread when no worker could be started (then it must settle its Promise at once).
type Job = Box<dyn FnOnce(bool) + Send>;

struct Pool {
    state: Mutex<State>,
    work: Condvar,
}

struct State {
    jobs: VecDeque<Job>,
    idle: usize,
    threads: usize,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| Pool {
        state: Mutex::new(State {
            jobs: VecDeque::new(),
            idle: 0,
            threads: 0,
        }),
        work: Condvar::new(),
    })
}

fn lock(pool: &Pool) -> MutexGuard<'_, State> {
    // Jobs never run under the lock, so a poisoned lock still holds a consistent state.
    pool.state.lock().unwrap_or_else(PoisonError::into_inner)
}

fn submit(job: Job) {
    let pool = pool();
    let mut state = lock(pool);
    // Each queued job is owed one idle worker; start another when none is left over.
    if state.jobs.len() >= state.idle && state.threads < MAX_THREADS {
        match thread::Builder::new()
            .name("yunhuni-worker".into())
            .spawn(worker)
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
    drop(state);
    pool.work.notify_one();
}

fn worker() {
    let pool = pool();
    let mut state = lock(pool);
    loop {
        if let Some(job) = state.jobs.pop_front() {
            drop(state);
            // A job settles its own Promise and catches its own panics; this is a second net
            // so that the worker count stays right whatever happens.
            let _ = catch_unwind(AssertUnwindSafe(|| job(true)));
            state = lock(pool);
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

/// Something to do on the JavaScript thread just before a Promise settles (call a client's
/// `onRequest` hook).
pub(crate) type Before = Box<dyn FnOnce(&Env) + Send>;

/// Runs `job` on a worker and returns a Promise of its result. An `Err` rejects the Promise
/// with the `YunhuniError` it stands for (made on the JavaScript thread); a panic rejects it
/// with a plain `Error`.
pub(crate) fn promise<'e, T, F>(env: &'e Env, job: F) -> Result<Object<'e>>
where
    T: ToNapiValue + Send + 'static,
    F: FnOnce() -> std::result::Result<T, JsError> + Send + 'static,
{
    promise_before(env, move || (job(), None))
}

/// [`promise`] of a job that also says what to do on the JavaScript thread before its Promise
/// settles.
pub(crate) fn promise_before<'e, T, F>(env: &'e Env, job: F) -> Result<Object<'e>>
where
    T: ToNapiValue + Send + 'static,
    F: FnOnce() -> (std::result::Result<T, JsError>, Option<Before>) + Send + 'static,
{
    let (deferred, promise) = env.create_deferred()?;
    submit(Box::new(move |on_worker: bool| {
        if !on_worker {
            deferred.reject(napi::Error::from_reason(
                "yunhuni: could not start a worker thread",
            ));
            return;
        }
        match catch_unwind(AssertUnwindSafe(job)) {
            Ok((result, before)) => deferred.resolve(move |env| {
                if let Some(before) = before {
                    before(&env);
                }
                result.map_err(|e| e.to_js(&env))
            }),
            Err(panic) => deferred.reject(napi::Error::from_reason(format!(
                "yunhuni: internal error (a worker thread panicked: {}); please report it",
                panic_message(panic.as_ref())
            ))),
        }
    }));
    Ok(promise)
}

/// A Promise of `job(args)` run on a worker, or, when reading the arguments failed, a Promise
/// rejected with that error: a Promise-returning function never throws synchronously.
pub(crate) fn promise_with<'e, A, T, F>(
    env: &'e Env,
    args: std::result::Result<A, JsError>,
    job: F,
) -> Result<Object<'e>>
where
    A: Send + 'static,
    T: ToNapiValue + Send + 'static,
    F: FnOnce(A) -> std::result::Result<T, JsError> + Send + 'static,
{
    match args {
        Ok(args) => promise(env, move || job(args)),
        Err(error) => rejected(env, error),
    }
}

/// [`promise_with`] of a job that also says what to do before its Promise settles.
pub(crate) fn promise_with_before<'e, A, T, F>(
    env: &'e Env,
    args: std::result::Result<A, JsError>,
    job: F,
) -> Result<Object<'e>>
where
    A: Send + 'static,
    T: ToNapiValue + Send + 'static,
    F: FnOnce(A) -> (std::result::Result<T, JsError>, Option<Before>) + Send + 'static,
{
    match args {
        Ok(args) => promise_before(env, move || job(args)),
        Err(error) => rejected(env, error),
    }
}

/// A Promise rejected with `error`: how a Promise-returning function reports an argument
/// mistake, so that it never throws synchronously.
fn rejected(env: &Env, error: JsError) -> Result<Object<'_>> {
    let (deferred, promise) = env.create_deferred::<(), _>()?;
    deferred.resolve(move |env| Err(error.to_js(&env)));
    Ok(promise)
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
