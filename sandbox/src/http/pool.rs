//! The threads that serve connections: a few threads share one epoll instance and take one
//! ready connection at a time (`EPOLLONESHOT`, so no two threads ever hold the same one).
//! Under load a thread goes from one ready connection to the next without sleeping; nothing
//! wakes a thread per request.
//!
//! A handler may block (the sandbox's `wait` endpoint, its `api_delay`, a webhook receiver
//! that calls back into the server). A watcher thread sees when every thread is inside a
//! handler and none has finished for a tick, and adds a thread; threads beyond the usual
//! number leave after a second with nothing to do. The watcher also closes connections idle
//! for longer than the idle timeout.

use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, TcpListener};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rustix::event::epoll;

use super::conn::{self, Conn, HandlerCounts, Wait};
use super::{lock, Handler, Response, CONNECTION_STACK, IDLE_TIMEOUT, MAX_CONNECTIONS};

/// The event data of the listening socket and of the stop signal; connections use their id.
const LISTENER: u64 = u64::MAX;
const STOP: u64 = u64::MAX - 1;
/// How often the watcher looks at the threads.
const TICK: Duration = Duration::from_millis(20);
/// A thread beyond the usual number leaves after this long with nothing to do.
const SPARE_IDLE: Duration = Duration::from_secs(1);

struct Slot {
    conn: Mutex<Conn>,
}

struct Pool {
    epoll: rustix::fd::OwnedFd,
    listener: TcpListener,
    handler: Handler,
    stopping: AtomicBool,
    counts: HandlerCounts,
    /// Threads serving, and how many of them wait in `epoll_wait` now.
    threads: AtomicUsize,
    waiting: AtomicUsize,
    /// Threads kept even when idle.
    usual: usize,
    conns: Mutex<Connections>,
    handles: Mutex<Vec<JoinHandle<()>>>,
    /// Wakes the watcher early when the server stops.
    watcher_wake: Condvar,
    watcher_lock: Mutex<()>,
    /// Written once at stop; readable from then on, so every waiting thread wakes.
    stop_signal: (UnixStream, UnixStream),
}

#[derive(Default)]
struct Connections {
    next_id: u64,
    open: HashMap<u64, Arc<Slot>>,
}

/// A running pool.
pub(super) struct Running {
    pool: Arc<Pool>,
    watcher: Option<JoinHandle<()>>,
}

fn flags_in() -> epoll::EventFlags {
    epoll::EventFlags::IN | epoll::EventFlags::ONESHOT
}

pub(super) fn start(listener: TcpListener, handler: Handler) -> io::Result<Running> {
    listener.set_nonblocking(true)?;
    let epoll = epoll::create(epoll::CreateFlags::CLOEXEC)?;
    let stop_signal = UnixStream::pair()?;
    stop_signal.1.set_nonblocking(true)?;
    epoll::add(
        &epoll,
        &listener,
        epoll::EventData::new_u64(LISTENER),
        flags_in(),
    )?;
    epoll::add(
        &epoll,
        &stop_signal.1,
        epoll::EventData::new_u64(STOP),
        epoll::EventFlags::IN,
    )?;
    let usual = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
    let pool = Arc::new(Pool {
        epoll,
        listener,
        handler,
        stopping: AtomicBool::new(false),
        counts: HandlerCounts::default(),
        threads: AtomicUsize::new(0),
        waiting: AtomicUsize::new(0),
        usual,
        conns: Mutex::new(Connections::default()),
        handles: Mutex::new(Vec::new()),
        watcher_wake: Condvar::new(),
        watcher_lock: Mutex::new(()),
        stop_signal,
    });
    let mut running = Running {
        pool: Arc::clone(&pool),
        watcher: None,
    };
    for _ in 0..usual {
        if let Err(e) = spawn_worker(&pool) {
            running.stop();
            return Err(e);
        }
    }
    let watched = Arc::clone(&pool);
    match std::thread::Builder::new()
        .name("sandbox-http-watch".into())
        .spawn(move || watch(&watched))
    {
        Ok(handle) => running.watcher = Some(handle),
        Err(e) => {
            running.stop();
            return Err(e);
        }
    }
    Ok(running)
}

impl Running {
    /// Stops accepting, lets handlers that are running finish and write their responses,
    /// closes every connection and joins every thread.
    pub(super) fn stop(&mut self) {
        let pool = &self.pool;
        pool.stopping.store(true, Ordering::SeqCst);
        let _ = io::Write::write_all(&mut &pool.stop_signal.0, b"x");
        {
            let _guard = lock(&pool.watcher_lock);
            pool.watcher_wake.notify_all();
        }
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
        // Threads may still be added until the watcher has stopped; none after.
        loop {
            let handles = std::mem::take(&mut *lock(&pool.handles));
            if handles.is_empty() {
                break;
            }
            for handle in handles {
                let _ = handle.join();
            }
        }
        let open = std::mem::take(&mut lock(&pool.conns).open);
        for slot in open.values() {
            let conn = lock(&slot.conn);
            let _ = conn.stream.shutdown(Shutdown::Both);
        }
    }
}

fn spawn_worker(pool: &Arc<Pool>) -> io::Result<()> {
    pool.threads.fetch_add(1, Ordering::SeqCst);
    let worker_pool = Arc::clone(pool);
    let spawned = std::thread::Builder::new()
        .name("sandbox-http".into())
        .stack_size(CONNECTION_STACK)
        .spawn(move || serve(&worker_pool));
    match spawned {
        Ok(handle) => {
            lock(&pool.handles).push(handle);
            Ok(())
        }
        Err(e) => {
            pool.threads.fetch_sub(1, Ordering::SeqCst);
            Err(e)
        }
    }
}

/// A worker: waits for one ready connection, moves it along, hands it back to epoll.
fn serve(pool: &Pool) {
    let mut events = [epoll::Event {
        flags: epoll::EventFlags::empty(),
        data: epoll::EventData::new_u64(0),
    }];
    let timeout = rustix::event::Timespec {
        tv_sec: SPARE_IDLE.as_secs() as _,
        tv_nsec: 0,
    };
    loop {
        if pool.stopping.load(Ordering::SeqCst) {
            break;
        }
        pool.waiting.fetch_add(1, Ordering::SeqCst);
        let ready = epoll::wait(&pool.epoll, &mut events, Some(&timeout));
        pool.waiting.fetch_sub(1, Ordering::SeqCst);
        match ready {
            Ok(0) => {
                // A second with nothing to do: a thread beyond the usual number leaves.
                let threads = pool.threads.load(Ordering::SeqCst);
                if threads > pool.usual
                    && pool
                        .threads
                        .compare_exchange(threads, threads - 1, Ordering::SeqCst, Ordering::SeqCst)
                        .is_ok()
                {
                    return;
                }
            }
            Ok(_) => match events[0].data.u64() {
                STOP => break,
                LISTENER => accept(pool),
                id => serve_connection(pool, id),
            },
            Err(e) if e == rustix::io::Errno::INTR => {}
            Err(_) => std::thread::sleep(Duration::from_millis(5)),
        }
    }
    pool.threads.fetch_sub(1, Ordering::SeqCst);
}

/// Accepts every connection waiting, then listens again.
fn accept(pool: &Pool) {
    loop {
        match pool.listener.accept() {
            Ok((stream, _)) => admit(pool, stream),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::ConnectionAborted => {}
            Err(_) => {
                // Out of descriptors: back off briefly, then try again.
                std::thread::sleep(Duration::from_millis(5));
                break;
            }
        }
    }
    if !pool.stopping.load(Ordering::SeqCst) {
        let _ = epoll::modify(
            &pool.epoll,
            &pool.listener,
            epoll::EventData::new_u64(LISTENER),
            flags_in(),
        );
    }
}

fn admit(pool: &Pool, stream: std::net::TcpStream) {
    let mut conns = lock(&pool.conns);
    if conns.open.len() >= MAX_CONNECTIONS || pool.stopping.load(Ordering::SeqCst) {
        drop(conns);
        let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
        let _ = conn::write_now(&stream, &Response::new(503));
        return;
    }
    if stream.set_nonblocking(true).is_err() {
        return;
    }
    let id = conns.next_id;
    conns.next_id += 1;
    let added = epoll::add(
        &pool.epoll,
        &stream,
        epoll::EventData::new_u64(id),
        flags_in(),
    );
    if added.is_ok() {
        let slot = Slot {
            conn: Mutex::new(Conn::new(stream)),
        };
        conns.open.insert(id, Arc::new(slot));
    }
}

fn serve_connection(pool: &Pool, id: u64) {
    let Some(slot) = lock(&pool.conns).open.get(&id).cloned() else {
        return; // closed meanwhile
    };
    let mut conn = lock(&slot.conn);
    let flags = match conn.step(&pool.handler, &pool.stopping, &pool.counts) {
        Wait::Readable => flags_in(),
        Wait::Writable => epoll::EventFlags::OUT | epoll::EventFlags::ONESHOT,
        Wait::Close => {
            let _ = epoll::delete(&pool.epoll, &conn.stream);
            let _ = conn.stream.shutdown(Shutdown::Both);
            drop(conn);
            lock(&pool.conns).open.remove(&id);
            return;
        }
    };
    let _ = epoll::modify(
        &pool.epoll,
        &conn.stream,
        epoll::EventData::new_u64(id),
        flags,
    );
}

/// The watcher: adds a thread when every thread is held up in a handler, and closes idle
/// connections.
fn watch(pool: &Arc<Pool>) {
    let mut last_finished = pool.counts.finished.load(Ordering::SeqCst);
    let mut last_sweep = Instant::now();
    let mut guard = lock(&pool.watcher_lock);
    while !pool.stopping.load(Ordering::SeqCst) {
        guard = pool
            .watcher_wake
            .wait_timeout(guard, TICK)
            .unwrap_or_else(|e| e.into_inner())
            .0;
        if pool.stopping.load(Ordering::SeqCst) {
            break;
        }
        let finished = pool.counts.finished.load(Ordering::SeqCst);
        let held_up = pool.waiting.load(Ordering::SeqCst) == 0
            && pool.counts.running.load(Ordering::SeqCst) > 0
            && finished == last_finished;
        last_finished = finished;
        if held_up && pool.threads.load(Ordering::SeqCst) < MAX_CONNECTIONS + pool.usual {
            let _ = spawn_worker(pool);
        }
        if last_sweep.elapsed() >= Duration::from_secs(1) {
            last_sweep = Instant::now();
            lock(&pool.handles).retain(|h| !h.is_finished());
            close_idle(pool);
        }
    }
}

/// Closes connections that have moved no byte for the idle timeout. A connection being
/// served is skipped; closing its socket makes epoll report it, and the thread that takes
/// it sees the end of its input and drops it.
fn close_idle(pool: &Pool) {
    let slots: Vec<Arc<Slot>> = lock(&pool.conns).open.values().cloned().collect();
    for slot in slots {
        if let Ok(conn) = slot.conn.try_lock() {
            if conn.last_active.elapsed() > IDLE_TIMEOUT {
                let _ = conn.stream.shutdown(Shutdown::Both);
            }
        }
    }
}
