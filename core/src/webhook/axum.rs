//! The axum extractor (cargo feature `axum`): a handler takes a [`Webhook`] and gets the typed
//! event of a new delivery; everything else is answered for it.
//!
//! The extractor runs the [`Receiver`] of the router's state: the URL token and the declared
//! length before the body is read ([`Receiver::check_head`]), the body read up to
//! [`Receiver::max_body`], then [`Receiver::begin`] (on the blocking pool, since a Redis store
//! does network I/O and a re-send may wait for a key another handler holds). A refused delivery
//! is answered with the error's status and message (the handler is not called); a duplicate is
//! answered `200 ok` (the handler is not called either). While the [`Webhook`] lives, a task
//! renews its key's lease every [`Receiver::renew_every`]. The handler answers `200 ok` by
//! returning the [`Webhook`], which marks the key done first ([`Receiver::complete`]; a handler
//! that answers otherwise calls [`Webhook::complete`] itself), and asks for a re-send when its
//! handling failed by returning [`Webhook::retry`], which releases the key before answering 500.
//!
//! The platform waits 5 s for an answer, then closes the connection and sends the event again;
//! the re-send waits (up to [`Receiver::wait`]) while this handler holds the key, and is a
//! duplicate once it completed. A server may drop (cancel) a handler whose connection closed:
//! the key is then marked done (as if returned), so keep handlers short, and run work that must
//! finish whatever happens to the request in its own task (`tokio::spawn(work).await`: the task
//! goes on when the handler is dropped). A handler that panics releases the key. A process that
//! dies (killed) renews nothing: its lease runs out and the platform's re-send is handled.
//!
//! ```no_run
//! use axum::{routing::post, Router};
//! use yunhuni::webhook::axum::{Retry, Webhook};
//! use yunhuni::webhook::Receiver;
//! use yunhuni::Event;
//!
//! async fn on_event(hook: Webhook) -> Result<Webhook, Retry> {
//!     if let Event::DuoCallbackEnd(end) = &hook.event {
//!         save(end.id.as_deref(), end.outcome().as_str()).map_err(|_| hook.retry())?;
//!     }
//!     Ok(hook) // 200 ok
//! }
//! # fn save(_: Option<&str>, _: &str) -> Result<(), ()> { Ok(()) }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let receiver = Receiver::builder().token("s3cret").build()?;
//! let app = Router::new().route("/yunhuni/events", post(on_event)).with_state(receiver);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8090").await?;
//! axum::serve(listener, app).await?;
//! # Ok(()) }
//! ```

use super::{Receiver, RESPONSE_BODY};
use crate::error::Error;
use crate::events::Event;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// A new delivery: its typed event and key. Extracted from a request by the router state's
/// [`Receiver`] (`Receiver: FromRef<S>`); returning it marks the key done and answers `200 ok`.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// The event, typed.
    pub event: Event,
    /// The delivery's key ([`super::delivery_key`]).
    pub key: String,
    /// The lease's owner ([`super::Delivery::owner`]); `None` when the key was not claimed under
    /// a lease (`ivr_start`, no store).
    pub owner: Option<String>,
    receiver: Receiver,
    _renewal: Option<std::sync::Arc<Renewal>>,
}

/// The lease of a [`Webhook`]: renewed by a task until the last clone (of the webhook and its
/// [`Retry`]) is dropped. Dropped without an outcome (the server cancelled the handler, whose
/// connection the platform closed), the key is marked done, as the handler's own spawned work
/// goes on; dropped while a panic unwinds, it is released.
struct Renewal {
    task: tokio::task::JoinHandle<()>,
    receiver: Receiver,
    key: String,
    owner: String,
    settled: std::sync::atomic::AtomicBool,
}

impl Drop for Renewal {
    fn drop(&mut self) {
        self.task.abort();
        if self.settled.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let (r, key, owner) = (self.receiver.clone(), self.key.clone(), self.owner.clone());
        let panicking = std::thread::panicking();
        let settle = move || {
            let _ = if panicking {
                r.release_owned(&key, &owner)
            } else {
                r.complete(&key, &owner)
            };
        };
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => drop(handle.spawn_blocking(settle)),
            Err(_) => settle(),
        }
    }
}

impl std::fmt::Debug for Renewal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Renewal")
    }
}

/// Runs `f` (a store call) where blocking is allowed: on a multi-threaded runtime without
/// holding up other tasks.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

impl Webhook {
    /// Marks the key done (the handling succeeded): what returning the [`Webhook`] does before
    /// answering 200; call it when the handler answers in another way. False when the lease had
    /// run out and another handler holds the key.
    pub fn complete(&self) -> Result<bool, Error> {
        match &self.owner {
            Some(owner) => {
                self.settle();
                blocking(|| self.receiver.complete(&self.key, owner))
            }
            None => Ok(true),
        }
    }

    /// The outcome is decided here: dropping the lease no longer settles it.
    fn settle(&self) {
        if let Some(r) = &self._renewal {
            r.settled.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    /// The answer for a delivery whose handling failed: when it is turned into the response, the
    /// key is released in the store, then `500` is answered, so that the platform's re-send of
    /// the same bytes (at once, up to 4 attempts in all) is handled as new.
    pub fn retry(&self) -> Retry {
        self.settle();
        Retry {
            receiver: self.receiver.clone(),
            key: self.key.clone(),
            owner: self.owner.clone(),
        }
    }
}

impl IntoResponse for Webhook {
    fn into_response(self) -> Response {
        match self.complete() {
            Ok(true) => ok(),
            Ok(false) => {
                log::warn!(target: "yunhuni", "webhook {}: handled, but its lease had run out and another handler holds it", self.key);
                ok()
            }
            // Not marked done: the key stays pending until its lease runs out. The handling is
            // done, so the answer is still 200.
            Err(e) => {
                log::warn!(target: "yunhuni", "webhook {}: could not mark the delivery done: {e}", self.key);
                ok()
            }
        }
    }
}

/// A failed delivery: releases its key, answers 500. Made by [`Webhook::retry`].
#[derive(Debug)]
pub struct Retry {
    receiver: Receiver,
    key: String,
    owner: Option<String>,
}

impl IntoResponse for Retry {
    fn into_response(self) -> Response {
        // The key must be released before the platform gets the 500 (it re-sends at once), so
        // this waits for the store; on a multi-threaded runtime, without holding up other tasks.
        let released = blocking(|| match &self.owner {
            Some(owner) => self.receiver.release_owned(&self.key, owner).map(|_| ()),
            None => self.receiver.release(&self.key),
        });
        match released {
            Ok(()) => text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "handling failed; send it again".to_owned(),
            ),
            // Not released: a re-send would be taken for a duplicate, but answering non-200
            // still asks for one; say why in the body.
            Err(e) => text(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    }
}

/// Why no [`Webhook`] was extracted: a duplicate (answered `200 ok`) or a refused delivery
/// (answered with [`Error::status`] and the error's text).
#[derive(Debug)]
pub enum WebhookRejection {
    /// The store had seen this delivery: answered `200 ok`, not handled again.
    Duplicate {
        /// The event, typed.
        event: Box<Event>,
        /// The delivery's key.
        key: String,
    },
    /// The token, the size or the body was refused, or the store failed.
    Refused(Error),
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        match self {
            WebhookRejection::Duplicate { .. } => ok(),
            WebhookRejection::Refused(e) => {
                let status = e
                    .status()
                    .and_then(|s| StatusCode::from_u16(s).ok())
                    .unwrap_or(StatusCode::BAD_REQUEST);
                text(status, e.to_string())
            }
        }
    }
}

fn ok() -> Response {
    text(StatusCode::OK, RESPONSE_BODY.to_owned())
}

fn text(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain;charset=utf-8")],
        body,
    )
        .into_response()
}

impl<S> FromRequest<S> for Webhook
where
    Receiver: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let receiver = Receiver::from_ref(state);
        let query = req.uri().query().unwrap_or("").to_owned();
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        receiver
            .check_head(&query, declared)
            .map_err(WebhookRejection::Refused)?;
        let max = receiver.max_body();
        let body = match axum::body::to_bytes(req.into_body(), max).await {
            Ok(body) => body,
            // Over the limit (a body without a Content-Length, or a wrong one), or a connection
            // that broke while it was sent.
            Err(e) => {
                return Err(WebhookRejection::Refused(
                    Error::decode(format!(
                        "body: the request body was not read whole within the limit of {max} bytes ({})",
                        crate::error::escape_text(&e.to_string())
                    ))
                    .with_field("body")
                    .with_status(413),
                ))
            }
        };
        let r = receiver.clone();
        let delivery = tokio::task::spawn_blocking(move || r.begin(&query, &body))
            .await
            .map_err(|e| {
                WebhookRejection::Refused(
                    Error::decode(format!("the receiver stopped: {e}")).with_status(500),
                )
            })?
            .map_err(WebhookRejection::Refused)?;
        if delivery.duplicate {
            return Err(WebhookRejection::Duplicate {
                event: Box::new(delivery.event),
                key: delivery.key,
            });
        }
        let renewal = delivery.owner.clone().map(|owner| {
            let (r, key) = (receiver.clone(), delivery.key.clone());
            let every = receiver.renew_every();
            let settle = (receiver.clone(), delivery.key.clone(), owner.clone());
            let task = tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    let (r, key, owner) = (r.clone(), key.clone(), owner.clone());
                    match tokio::task::spawn_blocking(move || r.renew(&key, &owner)).await {
                        Ok(Ok(true)) => {}
                        // The lease ran out and another handler holds the key: stop.
                        Ok(Ok(false)) | Err(_) => return,
                        // The store failed: try again next time.
                        Ok(Err(_)) => {}
                    }
                }
            });
            std::sync::Arc::new(Renewal {
                task,
                receiver: settle.0,
                key: settle.1,
                owner: settle.2,
                settled: std::sync::atomic::AtomicBool::new(false),
            })
        });
        Ok(Webhook {
            event: delivery.event,
            owner: delivery.owner,
            key: delivery.key,
            receiver,
            _renewal: renewal,
        })
    }
}
