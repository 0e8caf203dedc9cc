//! Sends a request's head and body in one write.
//!
//! The HTTP agent writes the head of a request and then its body, two writes and so two
//! segments on the wire. The server then wakes once for the head and again for the body, which
//! costs more than the rest of a loopback round trip. This transport holds the head back and
//! sends it together with the first piece of the body, or before waiting for the response
//! when there is no body.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};

/// Heads larger than this are sent at once.
const HOLD_MAX: usize = 16 * 1024;

/// A pooled connection found closed this soon after its last answer means the server closes
/// connections after each answer (without saying `Connection: close`).
const QUICK_CLOSE: Duration = Duration::from_secs(2);

/// Wraps the transport that another connector made.
#[derive(Debug, Default)]
pub(crate) struct CoalescingConnector {
    /// Counts pooled connections found closed within [`QUICK_CLOSE`] of their last answer; the
    /// client reads it to stop reusing connections to a server that closes them.
    pub(crate) quick_closes: Arc<AtomicU32>,
}

impl Connector<Box<dyn Transport>> for CoalescingConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<Box<dyn Transport>>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        Ok(chained.map(|inner| {
            Box::new(Coalescing {
                inner,
                held: Vec::new(),
                last_answer: None,
                quick_closes: self.quick_closes.clone(),
            }) as Box<dyn Transport>
        }))
    }
}

#[derive(Debug)]
struct Coalescing {
    inner: Box<dyn Transport>,
    /// Output written by the agent and not yet sent.
    held: Vec<u8>,
    /// When input last arrived (the end of the last answer, for a pooled connection).
    last_answer: Option<Instant>,
    quick_closes: Arc<AtomicU32>,
}

impl Coalescing {
    /// Sends `data` through the inner transport, in as many writes as its buffer needs.
    fn send(&mut self, mut data: &[u8], timeout: NextTimeout) -> Result<(), ureq::Error> {
        while !data.is_empty() {
            let out = self.inner.buffers().output();
            let n = out.len().min(data.len());
            out[..n].copy_from_slice(&data[..n]);
            self.inner.transmit_output(n, timeout)?;
            data = &data[n..];
        }
        Ok(())
    }

    fn flush(&mut self, timeout: NextTimeout) -> Result<(), ureq::Error> {
        if self.held.is_empty() {
            return Ok(());
        }
        let held = std::mem::take(&mut self.held);
        self.send(&held, timeout)
    }
}

impl Transport for Coalescing {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        // Hold only the first piece of a request, and only while no input is waiting: input
        // only arrives through `await_input`, which sends what is held first.
        if self.held.is_empty() && amount <= HOLD_MAX && !self.inner.buffers().can_use_input() {
            let out = self.inner.buffers().output();
            self.held.extend_from_slice(&out[..amount]);
            return Ok(());
        }
        if self.held.is_empty() {
            return self.inner.transmit_output(amount, timeout);
        }
        let mut data = std::mem::take(&mut self.held);
        data.extend_from_slice(&self.inner.buffers().output()[..amount]);
        self.send(&data, timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.flush(timeout)?;
        let arrived = self.inner.await_input(timeout)?;
        self.last_answer = Some(Instant::now());
        Ok(arrived)
    }

    fn is_open(&mut self) -> bool {
        let open = self.held.is_empty() && self.inner.is_open();
        if !open && self.last_answer.is_some_and(|t| t.elapsed() < QUICK_CLOSE) {
            self.quick_closes.fetch_add(1, Ordering::Relaxed);
        }
        open
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}
