//! `yunhuni.webhook`'s native half: core's webhook [`Receiver`] (URL token, body limit, typed
//! events, dedup store, the answer to send), its [`Delivery`], and core's in-process
//! [`MemoryStore`]. A store written in Python (`yunhuni.webhook.RedisStore`, or any object with
//! `claim(key) -> bool` and `release(key)`) is called through [`PyStore`]; what to do with a
//! delivery stays in core. The WSGI and ASGI helpers are in `yunhuni/webhook.py`.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyString};
use std::time::Duration;
use yunhuni::webhook::{self, Claim, MemoryStore, Receiver, Store};

use crate::client::repr_str;
use crate::convert::{body_bytes, integer, seconds, text, type_name};
use crate::errors::{invalid, IntoPyResult};
use crate::events::PyEvent;
use crate::events_gen;

/// Core's in-process dedup store: at most `capacity` keys (the oldest forgotten first), each
/// for `ttl` seconds. Not shared between processes: use `RedisStore` for several.
#[pyclass(frozen, module = "yunhuni.webhook", name = "MemoryStore")]
pub struct PyMemoryStore(Arc<MemoryStore>);

#[pymethods]
impl PyMemoryStore {
    #[new]
    #[pyo3(
        signature = (capacity = None, ttl = None),
        text_signature = "(capacity=100000, ttl=3600.0)"
    )]
    fn new(
        py: Python<'_>,
        capacity: Option<&Bound<'_, PyAny>>,
        ttl: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let capacity = match capacity.filter(|c| !c.is_none()) {
            None => MemoryStore::DEFAULT_CAPACITY,
            Some(c) => {
                let n = integer(py, "capacity", c)?;
                usize::try_from(n)
                    .map_err(|_| invalid(py, "capacity", format!("is {n}; it must be positive")))?
            }
        };
        let ttl = match ttl.filter(|t| !t.is_none()) {
            None => webhook::DEFAULT_TTL,
            Some(t) => seconds(py, "ttl", t)?,
        };
        Ok(PyMemoryStore(Arc::new(
            MemoryStore::new(capacity, ttl).or_raise(py)?,
        )))
    }

    /// The most keys held.
    #[getter]
    fn capacity(&self) -> usize {
        self.0.capacity()
    }

    /// How long a key is remembered, in seconds.
    #[getter]
    fn ttl(&self) -> f64 {
        self.0.ttl().as_secs_f64()
    }

    /// Marks `key` as seen; True when it was not seen before (or its time ran out).
    fn claim(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        let key = text(py, "key", key)?;
        self.0.claim(&key).or_raise(py)
    }

    /// Forgets `key`.
    fn release(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = text(py, "key", key)?;
        self.0.release(&key).or_raise(py)
    }

    /// Claims `key` for `owner` (a value from `new_owner()`) for `lease` seconds when it is
    /// absent: `'claimed'`; else `'pending'` (another owner holds it) or `'done'`.
    fn claim_lease(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        owner: &Bound<'_, PyAny>,
        lease: &Bound<'_, PyAny>,
    ) -> PyResult<&'static str> {
        let (key, owner) = (text(py, "key", key)?, text(py, "owner", owner)?);
        let lease = seconds(py, "lease", lease)?;
        Ok(self
            .0
            .claim_lease(&key, &owner, lease)
            .or_raise(py)?
            .as_str())
    }

    /// Extends `owner`'s lease on `key` to `lease` seconds from now; False when it does not
    /// hold it.
    fn renew(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        owner: &Bound<'_, PyAny>,
        lease: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let (key, owner) = (text(py, "key", key)?, text(py, "owner", owner)?);
        let lease = seconds(py, "lease", lease)?;
        self.0.renew(&key, &owner, lease).or_raise(py)
    }

    /// Marks `key` done when `owner` holds it or nobody does; False otherwise.
    fn complete(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        owner: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let (key, owner) = (text(py, "key", key)?, text(py, "owner", owner)?);
        self.0.complete(&key, &owner).or_raise(py)
    }

    /// Forgets `key` when `owner` holds it; False otherwise.
    fn release_owned(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        owner: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let (key, owner) = (text(py, "key", key)?, text(py, "owner", owner)?);
        self.0.release_owned(&key, &owner).or_raise(py)
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "MemoryStore(capacity={}, ttl={:?})",
            self.0.capacity(),
            self.0.ttl().as_secs_f64()
        )
    }
}

/// A dedup store written in Python, as core's [`Store`]: `claim(key)` must return a `bool`,
/// `release(key)` anything. A store that also has `claim_lease(key, owner, lease_s)` (returning
/// `'claimed'`, `'pending'`, `'done'`, or the answer of core's claim script, 1, 0, 2),
/// `renew(key, owner, lease_s)`, `complete(key, owner)` and `release_owned(key, owner)` (each a
/// `bool`) takes part in the lease protocol; one without them falls back on `claim`/`release`.
/// What it raises becomes a store failure (core answers 503, so that the platform sends the
/// event again).
struct PyStore {
    store: Py<PyAny>,
    leased: bool,
}

/// The lease methods a Python store needs to take part in the lease protocol.
const LEASE_METHODS: [&str; 4] = ["claim_lease", "renew", "complete", "release_owned"];

impl PyStore {
    fn failure(py: Python<'_>, method: &str, e: PyErr) -> yunhuni::Error {
        let shown = e.value(py).str().map(|s| s.to_string()).unwrap_or_default();
        let class = type_name(e.value(py).as_any());
        yunhuni::Error::decode(format!("store.{method}() raised {class}: {shown}"))
    }
}

impl PyStore {
    fn call_bool<A>(&self, method: &str, args: A) -> Result<bool, yunhuni::Error>
    where
        A: for<'py> pyo3::call::PyCallArgs<'py>,
    {
        Python::attach(|py| {
            let result = self
                .store
                .call_method1(py, method, args)
                .map_err(|e| Self::failure(py, method, e))?;
            let result = result.bind(py);
            match result.cast::<PyBool>() {
                Ok(b) => Ok(b.is_true()),
                Err(_) => Err(yunhuni::Error::decode(format!(
                    "store.{method}() returned {}, not a bool",
                    type_name(result)
                ))),
            }
        })
    }
}

impl Store for PyStore {
    fn claim_lease(
        &self,
        key: &str,
        owner: &str,
        lease: Duration,
    ) -> Result<Claim, yunhuni::Error> {
        if !self.leased {
            return Ok(if self.claim(key)? {
                Claim::Claimed
            } else {
                Claim::Done
            });
        }
        Python::attach(|py| {
            let result = self
                .store
                .call_method1(py, "claim_lease", (key, owner, lease.as_secs_f64()))
                .map_err(|e| Self::failure(py, "claim_lease", e))?;
            let result = result.bind(py);
            let claim = if result.is_instance_of::<PyBool>() {
                None
            } else if let Ok(n) = result.extract::<i64>() {
                Claim::from_script(n)
            } else if let Ok(s) = result.extract::<String>() {
                [Claim::Claimed, Claim::Pending, Claim::Done]
                    .into_iter()
                    .find(|c| c.as_str() == s)
            } else {
                None
            };
            claim.ok_or_else(|| {
                let shown = result.repr().map(|r| r.to_string()).unwrap_or_default();
                yunhuni::Error::decode(format!(
                    "store.claim_lease() returned {}, not 'claimed', 'pending' or 'done' (or 1, 0, 2)",
                    yunhuni::escape_text(&shown)
                ))
            })
        })
    }

    fn renew(&self, key: &str, owner: &str, lease: Duration) -> Result<bool, yunhuni::Error> {
        if !self.leased {
            return Ok(true);
        }
        self.call_bool("renew", (key, owner, lease.as_secs_f64()))
    }

    fn complete(&self, key: &str, owner: &str) -> Result<bool, yunhuni::Error> {
        if !self.leased {
            return Ok(true);
        }
        self.call_bool("complete", (key, owner))
    }

    fn release_owned(&self, key: &str, owner: &str) -> Result<bool, yunhuni::Error> {
        if !self.leased {
            return self.release(key).map(|()| true);
        }
        self.call_bool("release_owned", (key, owner))
    }

    fn claim(&self, key: &str) -> Result<bool, yunhuni::Error> {
        Python::attach(|py| {
            let result = self
                .store
                .call_method1(py, "claim", (key,))
                .map_err(|e| Self::failure(py, "claim", e))?;
            let result = result.bind(py);
            match result.cast::<PyBool>() {
                Ok(b) => Ok(b.is_true()),
                Err(_) => Err(yunhuni::Error::decode(format!(
                    "store.claim() returned {}, not a bool",
                    type_name(result)
                ))),
            }
        })
    }

    fn release(&self, key: &str) -> Result<(), yunhuni::Error> {
        Python::attach(|py| {
            self.store
                .call_method1(py, "release", (key,))
                .map(|_| ())
                .map_err(|e| Self::failure(py, "release", e))
        })
    }
}

/// The `store` argument as given: absent (the default, `'memory'`) or an object (`None` included).
enum StoreParam<'py> {
    Default,
    Given(Bound<'py, PyAny>),
}

impl<'py> FromPyObject<'_, 'py> for StoreParam<'py> {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'_, 'py, PyAny>) -> Result<Self, Self::Error> {
        Ok(StoreParam::Given(obj.to_owned()))
    }
}

/// What a receiver remembers deliveries in, as given.
enum StoreArg {
    Memory(Py<PyMemoryStore>),
    Python(Py<PyAny>),
    None,
}

/// Checks, parses and deduplicates the platform's webhook deliveries (core's receiver).
#[pyclass(frozen, module = "yunhuni.webhook", name = "Receiver")]
pub struct PyReceiver {
    inner: Receiver,
    store: StoreArg,
}

/// A query string given as `str` or `bytes` (bytes that are not UTF-8 are decoded leniently:
/// a token never matches them).
fn query_text(py: Python<'_>, query: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(b) = query.cast::<PyBytes>() {
        return Ok(String::from_utf8_lossy(b.as_bytes()).into_owned());
    }
    if query.is_instance_of::<PyString>() {
        return text(py, "query", query);
    }
    Err(invalid(
        py,
        "query",
        format!("expected str or bytes, got {}", type_name(query)),
    ))
}

#[pymethods]
impl PyReceiver {
    #[new]
    #[pyo3(
        signature = (token = None, *, token_param = None, max_body = None, store = StoreParam::Default, lease = None, wait = None, poll = None),
        text_signature = "(token=None, *, token_param='token', max_body=1048576, store='memory', lease=2.0, wait=4.0, poll=0.05)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        token: Option<&Bound<'_, PyAny>>,
        token_param: Option<&Bound<'_, PyAny>>,
        max_body: Option<&Bound<'_, PyAny>>,
        store: StoreParam<'_>,
        lease: Option<&Bound<'_, PyAny>>,
        wait: Option<&Bound<'_, PyAny>>,
        poll: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut builder = Receiver::builder();
        if let Some(lease) = lease.filter(|v| !v.is_none()) {
            builder = builder.lease(seconds(py, "lease", lease)?);
        }
        if let Some(wait) = wait.filter(|v| !v.is_none()) {
            builder = builder.wait(seconds(py, "wait", wait)?);
        }
        if let Some(poll) = poll.filter(|v| !v.is_none()) {
            builder = builder.poll(seconds(py, "poll", poll)?);
        }
        if let Some(token) = token.filter(|t| !t.is_none()) {
            builder = builder.token(text(py, "token", token)?);
        }
        if let Some(param) = token_param {
            builder = builder.token_param(text(py, "token_param", param)?);
        }
        if let Some(max) = max_body {
            let n = integer(py, "max_body", max)?;
            // Out of range either way: core names the limits.
            builder = builder.max_body(usize::try_from(n).unwrap_or(0));
        }
        let store = match store {
            StoreParam::Default => None,
            StoreParam::Given(s) => {
                let memory = s
                    .cast::<PyString>()
                    .is_ok_and(|s| s.to_cow().is_ok_and(|s| s == "memory"));
                (!memory).then_some(s)
            }
        };
        let store = match store.as_ref() {
            // The default: core's in-process store with its default bounds.
            None => {
                let memory = Arc::new(MemoryStore::default());
                builder = builder.shared_store(memory.clone());
                StoreArg::Memory(Py::new(py, PyMemoryStore(memory))?)
            }
            Some(s) if s.is_none() => {
                builder = builder.no_store();
                StoreArg::None
            }
            Some(s) => {
                if let Ok(memory) = s.cast::<PyMemoryStore>() {
                    builder = builder.shared_store(memory.get().0.clone());
                    StoreArg::Memory(memory.clone().unbind())
                } else if s.hasattr("claim")? && s.hasattr("release")? {
                    let mut leased = true;
                    for m in LEASE_METHODS {
                        leased &= s.hasattr(m)?;
                    }
                    builder = builder.store(PyStore {
                        store: s.clone().unbind(),
                        leased,
                    });
                    StoreArg::Python(s.clone().unbind())
                } else {
                    return Err(invalid(
                        py,
                        "store",
                        format!(
                            "expected 'memory', a MemoryStore, an object with claim() and release() (such as RedisStore), or None for no dedup; got {}",
                            type_name(s)
                        ),
                    ));
                }
            }
        };
        Ok(PyReceiver {
            inner: builder.build().or_raise(py)?,
            store,
        })
    }

    /// The checks that need no body, to run before reading it: the URL token in `query` (the
    /// request URL's query string) and the declared `content_length` (`None` when the request
    /// has none) against `max_body`. Raises `AuthError` (status 401 or 403) or `DecodeError`
    /// (status 413); the exception's `.status` is the status to answer.
    #[pyo3(signature = (query, content_length))]
    fn check_head(
        &self,
        py: Python<'_>,
        query: &Bound<'_, PyAny>,
        content_length: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let query = query_text(py, query)?;
        let length = match content_length.filter(|c| !c.is_none()) {
            None => None,
            Some(c) => {
                let n = integer(py, "content_length", c)?;
                Some(u64::try_from(n).map_err(|_| {
                    invalid(
                        py,
                        "content_length",
                        format!("is {n}; it cannot be negative"),
                    )
                })?)
            }
        };
        self.inner.check_head(&query, length).or_raise(py)
    }

    /// Checks the token and the body's size, parses the body (the typed event classes), and
    /// claims its key in the store. Returns a `Delivery`; raises `AuthError` (401/403),
    /// `DecodeError` (413 too large, 400 not an event) or `TransportError` (503, the store
    /// failed), each with `.status` set to the status to answer.
    fn receive(
        &self,
        py: Python<'_>,
        query: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<PyDelivery> {
        self.deliver(py, query, body, Receiver::receive)
    }

    /// Like `receive`, but claims the key under a lease (`lease` seconds): a handler that dies
    /// leaves it free again when the lease runs out, instead of marked handled. The delivery's
    /// `owner` is set when it was claimed; renew the lease every `renew_every` seconds while
    /// handling (`renew`), then `complete` (before answering 200) or `release_owned` (after a
    /// failure, before answering non-200). A key another handler holds is waited for (up to
    /// `wait` seconds, with the GIL released): done → a duplicate; released or its lease ran
    /// out → claimed; still held → `TimeoutError` with `.status` 503. The WSGI and ASGI helpers
    /// do all of this.
    fn begin(
        &self,
        py: Python<'_>,
        query: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<PyDelivery> {
        self.deliver(py, query, body, Receiver::begin)
    }

    /// Extends `owner`'s lease on `key` by `lease` seconds; False when it no longer holds it.
    fn renew(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        owner: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        self.owned(py, key, owner, Receiver::renew)
    }

    /// Marks `key` done after its handling succeeded; False when another handler holds it now.
    fn complete(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        owner: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        self.owned(py, key, owner, Receiver::complete)
    }

    /// Forgets `key` when `owner` holds it (after its handling failed); False otherwise.
    fn release_owned(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        owner: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        self.owned(py, key, owner, Receiver::release_owned)
    }

    /// How long a handler holds a key before it must renew it, in seconds.
    #[getter]
    fn lease(&self) -> f64 {
        self.inner.lease().as_secs_f64()
    }

    /// How often the helpers renew a lease while the handler runs, in seconds (a third of it).
    #[getter]
    fn renew_every(&self) -> f64 {
        self.inner.renew_every().as_secs_f64()
    }

    /// How long `begin` waits for a key another handler holds, in seconds.
    #[getter]
    fn wait(&self) -> f64 {
        self.inner.wait().as_secs_f64()
    }

    /// How often `begin` looks at such a key while it waits, in seconds.
    #[getter]
    fn poll(&self) -> f64 {
        self.inner.poll().as_secs_f64()
    }

    /// Forgets a delivery's key in the store, so that the platform's re-send of it is handled
    /// as new (call it when handling failed, then answer non-200).
    fn release(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let key = text(py, "key", key)?;
        let inner = &self.inner;
        py.detach(|| inner.release(&key)).or_raise(py)
    }

    /// The largest body accepted, in bytes.
    #[getter]
    fn max_body(&self) -> usize {
        self.inner.max_body()
    }

    /// True when a URL token is required.
    #[getter]
    fn has_token(&self) -> bool {
        self.inner.has_token()
    }

    /// The dedup store: a `MemoryStore`, the store object given, or `None`.
    #[getter]
    fn store(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        match &self.store {
            StoreArg::Memory(m) => Some(m.clone_ref(py).into_any()),
            StoreArg::Python(s) => Some(s.clone_ref(py)),
            StoreArg::None => None,
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let store = match &self.store {
            StoreArg::None => "None".to_owned(),
            StoreArg::Memory(m) => m.bind(py).repr()?.to_string(),
            StoreArg::Python(s) => s.bind(py).repr()?.to_string(),
        };
        Ok(format!(
            "Receiver(token={}, max_body={}, store={store})",
            if self.inner.has_token() {
                "'<set>'"
            } else {
                "None"
            },
            self.inner.max_body()
        ))
    }
}

impl PyReceiver {
    /// Runs core's `receive` or `begin` on the request without the GIL; the typed delivery.
    fn deliver(
        &self,
        py: Python<'_>,
        query: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
        op: fn(&Receiver, &str, &[u8]) -> Result<webhook::Delivery, yunhuni::Error>,
    ) -> PyResult<PyDelivery> {
        let query = query_text(py, query)?;
        let bytes = body_bytes(body, "body")?;
        let bytes: &[u8] = &bytes;
        let inner = &self.inner;
        let delivery = py.detach(|| op(inner, &query, bytes)).or_raise(py)?;
        to_py_delivery(py, delivery)
    }

    /// Runs one of core's owner-checked lease operations on `key` without the GIL.
    fn owned(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        owner: &Bound<'_, PyAny>,
        op: fn(&Receiver, &str, &str) -> Result<bool, yunhuni::Error>,
    ) -> PyResult<bool> {
        let (key, owner) = (text(py, "key", key)?, text(py, "owner", owner)?);
        let inner = &self.inner;
        py.detach(|| op(inner, &key, &owner)).or_raise(py)
    }
}

fn to_py_delivery(py: Python<'_>, delivery: webhook::Delivery) -> PyResult<PyDelivery> {
    let event = match events_gen::typed_to_py(py, delivery.event)? {
        Ok(typed) => typed,
        Err(other) => Py::new(py, PyEvent(other))?.into_any(),
    };
    Ok(PyDelivery {
        event,
        key: delivery.key,
        duplicate: delivery.duplicate,
        owner: delivery.owner,
        status: delivery.status,
        body: delivery.body,
    })
}

/// A new lease owner value: `p:` and 32 random hex digits (core's `new_owner`).
#[pyfunction]
fn new_owner() -> String {
    webhook::new_owner()
}

/// One delivery as the receiver saw it: the typed event, its key, whether it was seen before,
/// and the response to send.
#[pyclass(frozen, module = "yunhuni.webhook", name = "Delivery")]
pub struct PyDelivery {
    event: Py<PyAny>,
    key: String,
    duplicate: bool,
    owner: Option<String>,
    status: u16,
    body: &'static str,
}

#[pymethods]
impl PyDelivery {
    /// The event, typed (`DuoCallbackEnd`, `IvrGetEnd`, `ConfEnd`, ..., `IvrStart`), or an
    /// `Event` for the others.
    #[getter]
    fn event(&self, py: Python<'_>) -> Py<PyAny> {
        self.event.clone_ref(py)
    }

    /// What identifies this delivery in the store: `<event>:<id>:<digest of the body>`.
    #[getter]
    fn key(&self) -> &str {
        &self.key
    }

    /// True when the key was seen before: the platform sent the event again (its earlier
    /// attempt got no 200 in time), so it was probably handled already.
    #[getter]
    fn duplicate(&self) -> bool {
        self.duplicate
    }

    /// The lease's owner value when `Receiver.begin` claimed this delivery (this handler holds
    /// its key); None otherwise.
    #[getter]
    fn owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }

    /// The HTTP status to answer (200).
    #[getter]
    fn status(&self) -> u16 {
        self.status
    }

    /// The body to answer, as `text/plain` (`'ok'`).
    #[getter]
    fn body(&self) -> &'static str {
        self.body
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "Delivery(event={}, key={}, duplicate={})",
            self.event.bind(py).repr()?,
            repr_str(py, Some(&self.key)),
            if self.duplicate { "True" } else { "False" }
        ))
    }
}

/// Adds the webhook classes and core's constants to the native module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyReceiver>()?;
    m.add_class::<PyDelivery>()?;
    m.add_class::<PyMemoryStore>()?;
    m.add("WEBHOOK_REDIS_KEY_PREFIX", webhook::REDIS_KEY_PREFIX)?;
    m.add("WEBHOOK_DEFAULT_TTL", webhook::DEFAULT_TTL.as_secs_f64())?;
    m.add("WEBHOOK_MAX_TTL", webhook::MAX_TTL.as_secs_f64())?;
    m.add("WEBHOOK_DEFAULT_MAX_BODY", webhook::DEFAULT_MAX_BODY)?;
    m.add("WEBHOOK_DEFAULT_TOKEN_PARAM", webhook::DEFAULT_TOKEN_PARAM)?;
    m.add("WEBHOOK_RESPONSE_STATUS", webhook::RESPONSE_STATUS)?;
    m.add("WEBHOOK_RESPONSE_BODY", webhook::RESPONSE_BODY)?;
    m.add("WEBHOOK_MAX_TOKEN_BYTES", webhook::MAX_TOKEN_BYTES)?;
    m.add(
        "WEBHOOK_DEFAULT_LEASE",
        webhook::DEFAULT_LEASE.as_secs_f64(),
    )?;
    m.add("WEBHOOK_DEFAULT_WAIT", webhook::DEFAULT_WAIT.as_secs_f64())?;
    m.add("WEBHOOK_DEFAULT_POLL", webhook::DEFAULT_POLL.as_secs_f64())?;
    m.add("WEBHOOK_PENDING_PREFIX", webhook::PENDING_PREFIX)?;
    m.add("WEBHOOK_DONE_VALUE", webhook::DONE_VALUE)?;
    m.add("WEBHOOK_REDIS_CLAIM_SCRIPT", webhook::REDIS_CLAIM_SCRIPT)?;
    m.add("WEBHOOK_REDIS_RENEW_SCRIPT", webhook::REDIS_RENEW_SCRIPT)?;
    m.add(
        "WEBHOOK_REDIS_COMPLETE_SCRIPT",
        webhook::REDIS_COMPLETE_SCRIPT,
    )?;
    m.add(
        "WEBHOOK_REDIS_RELEASE_SCRIPT",
        webhook::REDIS_RELEASE_SCRIPT,
    )?;
    m.add_function(wrap_pyfunction!(new_owner, m)?)?;
    Ok(())
}
