//! `NativeReceiver`: core's webhook [`Receiver`], converted. `webhook.js` wraps it (the
//! `Receiver` class, the stores and the node:http, Express and Fastify helpers).
//!
//! The token check, the size limit, the parse, the delivery key and the in-process store are
//! core's. A store written in JavaScript (the Redis store on `ioredis`) is asynchronous, so a
//! receiver made for one has no store in core: `receive` then reports every delivery as new
//! and says whether its key is to be claimed (`claim`), and `webhook.js` claims it.

use crate::args::{opt_int, opt_string, Args};
use crate::error::{JsError, OrThrow};
use crate::events::bytes;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::{json, Value};
use std::time::Duration;
use yunhuni::webhook::{self, MemoryStore, Receiver};

type R<T> = std::result::Result<T, JsError>;

/// One of core's errors about an option, named as JavaScript spells it (`maxBody`, and the
/// memory store's `capacity` and `ttlMs`).
fn option_error(e: yunhuni::Error) -> JsError {
    JsError::renamed(e.rename_field(|f| match f {
        "ttl" => "ttlMs".to_owned(),
        "lease" => "leaseMs".to_owned(),
        "wait" => "waitMs".to_owned(),
        "poll" => "pollMs".to_owned(),
        other => other.to_owned(),
    }))
}

/// The store's `ttlMs` option as a duration (core checks its range).
fn millis(value: Option<i64>) -> Option<Duration> {
    value.map(|ms| Duration::from_millis(ms.max(0) as u64))
}

#[napi]
pub struct NativeReceiver {
    inner: Receiver,
}

#[napi]
impl NativeReceiver {
    /// `new NativeReceiver({ token?, tokenParam?, maxBody?, store?, capacity?, ttlMs? })`:
    /// `store` is `'memory'` (default: core's in-process store, of `capacity` keys each kept
    /// `ttlMs`) or `'none'` (every delivery new; the caller claims keys in a store of its own).
    #[napi(constructor, catch_unwind)]
    pub fn new(env: &Env, options: Option<Unknown>) -> Result<Self> {
        let build = || -> R<NativeReceiver> {
            let mut a = Args::new(options, "", "Receiver options", true)?;
            let mut b = Receiver::builder();
            if let Some(token) = a.string("token")? {
                b = b.token(token);
            }
            if let Some(param) = a.string("tokenParam")? {
                b = b.token_param(param);
            }
            if let Some(max) = a.int("maxBody")? {
                // Out of range (negative or huge) is core's to refuse: saturate, never wrap.
                b = b.max_body(usize::try_from(max.max(0)).unwrap_or(usize::MAX));
            }
            let store = a.string("store")?;
            let capacity = a.int("capacity")?;
            let ttl = millis(a.int("ttlMs")?);
            if let Some(lease) = millis(a.int("leaseMs")?) {
                b = b.lease(lease);
            }
            if let Some(wait) = millis(a.int("waitMs")?) {
                b = b.wait(wait);
            }
            if let Some(poll) = millis(a.int("pollMs")?) {
                b = b.poll(poll);
            }
            a.finish()?;
            match store.as_deref() {
                None | Some("memory") => {
                    if capacity.is_some() || ttl.is_some() {
                        let capacity = capacity.map_or(MemoryStore::DEFAULT_CAPACITY, |c| {
                            usize::try_from(c.max(0)).unwrap_or(usize::MAX)
                        });
                        let store = MemoryStore::new(capacity, ttl.unwrap_or(webhook::DEFAULT_TTL))
                            .map_err(option_error)?;
                        b = b.store(store);
                    }
                }
                Some("none") => {
                    if capacity.is_some() || ttl.is_some() {
                        return Err(JsError::validation(
                            if capacity.is_some() {
                                "capacity"
                            } else {
                                "ttlMs"
                            },
                            "is an option of the in-process store; this receiver has none",
                        ));
                    }
                    b = b.no_store();
                }
                Some(other) => {
                    let shown: String = other.chars().take(40).collect();
                    return Err(JsError::validation(
                        "store",
                        format!("expected 'memory' or 'none', got {shown:?}"),
                    ));
                }
            }
            Ok(NativeReceiver {
                inner: b.build().map_err(option_error)?,
            })
        };
        build().or_throw(env)
    }

    /// The largest body accepted, in bytes.
    #[napi(getter, catch_unwind)]
    pub fn max_body(&self) -> u32 {
        u32::try_from(self.inner.max_body()).unwrap_or(u32::MAX)
    }

    #[napi(getter, catch_unwind)]
    pub fn has_token(&self) -> bool {
        self.inner.has_token()
    }

    #[napi(getter, catch_unwind)]
    pub fn has_store(&self) -> bool {
        self.inner.has_store()
    }

    /// Core's checks before the body is read: the URL token in `query` (the URL's query
    /// string, with or without `?`; `null` for none) and `contentLength` (`null` when the
    /// request declares none). Throws an error whose `status` is the one to answer.
    #[napi(catch_unwind)]
    pub fn check_head(
        &self,
        env: &Env,
        query: Option<Unknown>,
        content_length: Option<Unknown>,
    ) -> Result<()> {
        let check = || -> R<()> {
            let query = opt_string("query", query)?.unwrap_or_default();
            let length = match opt_int("contentLength", content_length)? {
                Some(n) if n < 0 => {
                    return Err(JsError::validation(
                        "contentLength",
                        format!("expected a length >= 0, got {n}"),
                    ))
                }
                n => n.map(|n| n as u64),
            };
            self.inner
                .check_head(&query, length)
                .map_err(JsError::renamed)
        };
        check().or_throw(env)
    }

    /// Core's `receive`: `{ event, key, duplicate, status, body, claim }`, where `event` is the
    /// object `parseEvent` gives (made by the same conversion, [`crate::view`]), and `claim` is
    /// core's `to_claim`: whether a store of the caller's own is to claim `key` (this receiver
    /// has no store, and the delivery is an event, not `ivr_start`).
    #[napi(catch_unwind)]
    pub fn receive<'e>(
        &self,
        env: &'e Env,
        query: Option<Unknown>,
        body: Option<Unknown>,
    ) -> Result<Object<'e>> {
        let receive = || -> R<yunhuni::webhook::Delivery> {
            let query = opt_string("query", query)?.unwrap_or_default();
            let body = bytes("body", body, false)?;
            self.inner.receive(&query, &body).map_err(JsError::renamed)
        };
        let d = receive().or_throw(env)?;
        delivery_object(env, d)
    }

    /// Core's `parse`: the checks and the parse of `receive` without touching the store,
    /// `{ event, key, duplicate: false, status, body, claim }` where `claim` is true for an
    /// event (false for `ivr_start`). `webhook.js` then claims under a lease, looking again
    /// every `pollMs` without blocking the event loop.
    #[napi(catch_unwind)]
    pub fn parse<'e>(
        &self,
        env: &'e Env,
        query: Option<Unknown>,
        body: Option<Unknown>,
    ) -> Result<Object<'e>> {
        let parse = || -> R<yunhuni::webhook::Delivery> {
            let query = opt_string("query", query)?.unwrap_or_default();
            let body = bytes("body", body, false)?;
            self.inner.parse(&query, &body).map_err(JsError::renamed)
        };
        let d = parse().or_throw(env)?;
        delivery_object(env, d)
    }

    /// One look at `key` for `owner` in core's store under the lease: `'claimed'`, `'pending'`
    /// or `'done'` (`'claimed'` without a store).
    #[napi(catch_unwind)]
    pub fn claim_lease(
        &self,
        env: &Env,
        key: Option<Unknown>,
        owner: Option<Unknown>,
    ) -> Result<&'static str> {
        let claim = || -> R<&'static str> {
            let (key, owner) = key_owner(key, owner)?;
            Ok(self
                .inner
                .claim_lease(&key, &owner)
                .map_err(JsError::renamed)?
                .as_str())
        };
        claim().or_throw(env)
    }

    /// Renews `owner`'s lease on `key` in core's store; false when it no longer holds it.
    #[napi(catch_unwind)]
    pub fn renew(&self, env: &Env, key: Option<Unknown>, owner: Option<Unknown>) -> Result<bool> {
        let renew = || -> R<bool> {
            let (key, owner) = key_owner(key, owner)?;
            self.inner.renew(&key, &owner).map_err(JsError::renamed)
        };
        renew().or_throw(env)
    }

    /// Marks `key` done in core's store; false when another handler holds it.
    #[napi(catch_unwind)]
    pub fn complete(
        &self,
        env: &Env,
        key: Option<Unknown>,
        owner: Option<Unknown>,
    ) -> Result<bool> {
        let complete = || -> R<bool> {
            let (key, owner) = key_owner(key, owner)?;
            self.inner.complete(&key, &owner).map_err(JsError::renamed)
        };
        complete().or_throw(env)
    }

    /// Forgets `key` in core's store when `owner` holds it.
    #[napi(catch_unwind)]
    pub fn release_owned(
        &self,
        env: &Env,
        key: Option<Unknown>,
        owner: Option<Unknown>,
    ) -> Result<bool> {
        let release = || -> R<bool> {
            let (key, owner) = key_owner(key, owner)?;
            self.inner
                .release_owned(&key, &owner)
                .map_err(JsError::renamed)
        };
        release().or_throw(env)
    }

    /// Throws core's error for a key still pending after the wait (kind `timeout`, status 503).
    #[napi(catch_unwind)]
    pub fn pending_error(&self, env: &Env, key: Option<Unknown>) -> Result<()> {
        let pending = || -> R<()> {
            let key = opt_string("key", key)?.unwrap_or_default();
            Err(JsError::renamed(self.inner.pending_error(&key)))
        };
        pending().or_throw(env)
    }

    /// The lease, in milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn lease_ms(&self) -> u32 {
        self.inner.lease().as_millis() as u32
    }

    /// How often a lease is renewed while the handler runs, in milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn renew_every_ms(&self) -> u32 {
        self.inner.renew_every().as_millis().max(1) as u32
    }

    /// How long a key another handler holds is waited for, in milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn wait_ms(&self) -> u32 {
        self.inner.wait().as_millis() as u32
    }

    /// How often such a key is looked at while waiting, in milliseconds.
    #[napi(getter, catch_unwind)]
    pub fn poll_ms(&self) -> u32 {
        self.inner.poll().as_millis().max(1) as u32
    }

    /// Forgets `key` in core's store (nothing to do without one).
    #[napi(catch_unwind)]
    pub fn release(&self, env: &Env, key: Option<Unknown>) -> Result<()> {
        let release = || -> R<()> {
            let key = opt_string("key", key)?
                .ok_or_else(|| JsError::validation("key", "is required (a string)"))?;
            self.inner.release(&key).map_err(JsError::renamed)
        };
        release().or_throw(env)
    }
}

fn key_owner(key: Option<Unknown>, owner: Option<Unknown>) -> R<(String, String)> {
    let key = opt_string("key", key)?
        .ok_or_else(|| JsError::validation("key", "is required (a string)"))?;
    let owner = opt_string("owner", owner)?
        .ok_or_else(|| JsError::validation("owner", "is required (a string)"))?;
    Ok((key, owner))
}

fn delivery_object(env: &Env, d: yunhuni::webhook::Delivery) -> Result<Object<'_>> {
    // A number beyond what JavaScript holds exactly: not an event this app can take (400).
    let event = crate::view::event_object(env, &d.event.to_value())
        .map_err(|e| JsError {
            status: Some(400),
            ..e
        })
        .or_throw(env)?;
    let mut out = Object::new(env)?;
    // SAFETY: a value just made in this environment.
    out.set("event", unsafe {
        Unknown::from_raw_unchecked(env.raw(), event)
    })?;
    out.set("key", d.key.as_str())?;
    out.set("duplicate", d.duplicate)?;
    out.set("status", u32::from(d.status))?;
    out.set("body", d.body)?;
    out.set("claim", d.to_claim)?;
    Ok(out)
}

/// A new lease owner value: `p:` and 32 random hex digits (core's `new_owner`).
#[napi(catch_unwind, js_name = "webhookNewOwner")]
pub fn webhook_new_owner() -> String {
    webhook::new_owner()
}

/// Core's constants that the JavaScript side uses rather than re-declares: the Redis key
/// prefix and the default time a key is remembered, the body limit, the token parameter and
/// the response to a delivery.
#[napi(catch_unwind, js_name = "webhookConstants")]
pub fn webhook_constants() -> Value {
    json!({
        "redisKeyPrefix": webhook::REDIS_KEY_PREFIX,
        "defaultTtlMs": webhook::DEFAULT_TTL.as_millis() as u64,
        "maxTtlMs": webhook::MAX_TTL.as_millis() as u64,
        "defaultMaxBody": webhook::DEFAULT_MAX_BODY,
        "defaultTokenParam": webhook::DEFAULT_TOKEN_PARAM,
        "defaultCapacity": MemoryStore::DEFAULT_CAPACITY,
        "responseStatus": webhook::RESPONSE_STATUS,
        "responseBody": webhook::RESPONSE_BODY,
        "defaultLeaseMs": webhook::DEFAULT_LEASE.as_millis() as u64,
        "defaultWaitMs": webhook::DEFAULT_WAIT.as_millis() as u64,
        "defaultPollMs": webhook::DEFAULT_POLL.as_millis() as u64,
        "pendingPrefix": webhook::PENDING_PREFIX,
        "doneValue": webhook::DONE_VALUE,
        "redisClaimScript": webhook::REDIS_CLAIM_SCRIPT,
        "redisRenewScript": webhook::REDIS_RENEW_SCRIPT,
        "redisCompleteScript": webhook::REDIS_COMPLETE_SCRIPT,
        "redisReleaseScript": webhook::REDIS_RELEASE_SCRIPT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::js_field;

    #[test]
    fn store_option_errors_are_named_as_javascript_spells_them() {
        let ttl = MemoryStore::new(1, Duration::ZERO).err().unwrap();
        let ttl = option_error(ttl);
        assert_eq!(ttl.field.as_deref(), Some("ttlMs"));
        assert!(ttl.message.starts_with("ttlMs: "), "{}", ttl.message);
        let max = Receiver::builder().max_body(0).build().err().unwrap();
        assert_eq!(option_error(max).field.as_deref(), Some("maxBody"));
        assert_eq!(js_field("token_param"), "tokenParam");
    }
}
