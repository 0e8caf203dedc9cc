//! Where there is no epoll: one thread per connection, each driving its connection with
//! blocking reads and writes through the same state as the pool does.

use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::conn::{self, Conn, HandlerCounts, Wait};
use super::{lock, Handler, Response, CONNECTION_STACK, IDLE_TIMEOUT, MAX_CONNECTIONS};

#[derive(Default)]
struct Connections {
    next_id: u64,
    open: HashMap<u64, TcpStream>,
    threads: Vec<JoinHandle<()>>,
}

pub(super) struct Running {
    local_addr: SocketAddr,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
    connections: Arc<Mutex<Connections>>,
}

pub(super) fn start(listener: TcpListener, handler: Handler) -> io::Result<Running> {
    let local_addr = listener.local_addr()?;
    let stopping = Arc::new(AtomicBool::new(false));
    let connections = Arc::new(Mutex::new(Connections::default()));
    let acceptor = {
        let stopping = Arc::clone(&stopping);
        let connections = Arc::clone(&connections);
        std::thread::Builder::new()
            .name("sandbox-http-accept".into())
            .spawn(move || accept_loop(listener, handler, stopping, connections))?
    };
    Ok(Running {
        local_addr,
        stopping,
        acceptor: Some(acceptor),
        connections,
    })
}

impl Running {
    pub(super) fn stop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            // Wake the blocking accept() with a connection of our own.
            let mut wake = self.local_addr;
            if wake.ip().is_unspecified() {
                wake.set_ip(match wake {
                    SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                    SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
                });
            }
            let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(2));
            let _ = acceptor.join();
        }
        let threads = {
            let mut conns = lock(&self.connections);
            // Only the read side: idle connections see end of input and close, while a
            // request being handled still gets its response written.
            for stream in conns.open.values() {
                let _ = stream.shutdown(Shutdown::Read);
            }
            std::mem::take(&mut conns.threads)
        };
        for thread in threads {
            let _ = thread.join();
        }
    }
}

fn accept_loop(
    listener: TcpListener,
    handler: Handler,
    stopping: Arc<AtomicBool>,
    connections: Arc<Mutex<Connections>>,
) {
    for incoming in listener.incoming() {
        if stopping.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = incoming else {
            // Out of descriptors or a connection reset before accept: back off briefly.
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let mut conns = lock(&connections);
        conns.threads.retain(|t| !t.is_finished());
        if conns.open.len() >= MAX_CONNECTIONS {
            drop(conns);
            let _ = conn::write_now(&stream, &Response::new(503));
            continue;
        }
        let id = conns.next_id;
        conns.next_id += 1;
        let Ok(registered) = stream.try_clone() else {
            continue;
        };
        conns.open.insert(id, registered);
        let handler = Arc::clone(&handler);
        let stopping = Arc::clone(&stopping);
        let connections_for_thread = Arc::clone(&connections);
        let spawned = std::thread::Builder::new()
            .name("sandbox-http-conn".into())
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                serve(stream, &handler, &stopping);
                lock(&connections_for_thread).open.remove(&id);
            });
        match spawned {
            Ok(thread) => conns.threads.push(thread),
            Err(_) => {
                if let Some(stream) = conns.open.remove(&id) {
                    let _ = stream.shutdown(Shutdown::Both);
                }
            }
        }
    }
}

fn serve(stream: TcpStream, handler: &Handler, stopping: &AtomicBool) {
    if stream.set_read_timeout(Some(IDLE_TIMEOUT)).is_err() {
        return;
    }
    let counts = HandlerCounts::default();
    let mut conn = Conn::new(stream);
    // Blocking sockets: a step returns for more input only after a read timed out or when
    // the last read took everything there was.
    while conn.step(handler, stopping, &counts) != Wait::Close {
        if conn.last_active.elapsed() > IDLE_TIMEOUT {
            break;
        }
    }
}
