//! The axum extractor (cargo feature `axum`): a handler takes a [`Webhook`] and gets the typed
//! event of a new delivery; everything else is answered for it.
//!
//! The extractor runs the [`Receiver`] of the router's state: the URL token and the declared
//! length before the body is read ([`Receiver::check_head`]), the body read up to
//! [`Receiver::max_body`], then [`Receiver::receive`] (on the blocking pool, since a Redis store
//! does network I/O). A refused delivery is answered with the error's status and message (the
//! handler is not called); a duplicate is answered `200 ok` (the handler is not called either).
//! The handler answers `200 ok` by returning the [`Webhook`] (or anything that is a 200), and
//! asks for a re-send when its handling failed by returning [`Webhook::retry`], which releases
//! the key before answering 500.
//!
//! The platform waits 5 s for an answer, then closes the connection and sends the event again;
//! the server then drops (cancels) a handler still running, while the re-send, its key being
//! claimed, is answered as a duplicate. So keep handlers short, and run work that must finish
//! whatever happens to the request in its own task (`tokio::spawn(work).await`: the task goes on
//! when the handler is dropped).
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
/// [`Receiver`] (`Receiver: FromRef<S>`); returning it answers `200 ok`.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// The event, typed.
    pub event: Event,
    /// The delivery's key ([`super::delivery_key`]).
    pub key: String,
    receiver: Receiver,
}

impl Webhook {
    /// The answer for a delivery whose handling failed: when it is turned into the response, the
    /// key is released in the store, then `500` is answered, so that the platform's re-send of
    /// the same bytes (at once, up to 4 attempts in all) is handled as new.
    pub fn retry(&self) -> Retry {
        Retry {
            receiver: self.receiver.clone(),
            key: self.key.clone(),
        }
    }
}

impl IntoResponse for Webhook {
    fn into_response(self) -> Response {
        ok()
    }
}

/// A failed delivery: releases its key, answers 500. Made by [`Webhook::retry`].
#[derive(Debug)]
pub struct Retry {
    receiver: Receiver,
    key: String,
}

impl IntoResponse for Retry {
    fn into_response(self) -> Response {
        // The key must be released before the platform gets the 500 (it re-sends at once), so
        // this waits for the store; on a multi-threaded runtime, without holding up other tasks.
        let release = || self.receiver.release(&self.key);
        let released = match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(release),
            _ => release(),
        };
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
        let delivery = tokio::task::spawn_blocking(move || r.receive(&query, &body))
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
        Ok(Webhook {
            event: delivery.event,
            key: delivery.key,
            receiver,
        })
    }
}
