"""Receiving the platform's webhooks: a guarded URL, typed events, duplicate deliveries.

The platform POSTs each event to your URL, unsigned, and sends the same bytes again (at once,
up to 4 attempts in all) whenever it does not get HTTP 200 within 5 seconds. ``Receiver``
(core's receiving routine) checks the URL token and the body size, parses the event into its
typed class, and tells whether this delivery was seen before; the WSGI and ASGI helpers here
only adapt requests and responses around it::

    from yunhuni.webhook import Receiver, WSGIApp

    def handle(event):            # each event once; raise to have the platform send it again
        print(event.event, event.id)

    receiver = Receiver(token="a-long-random-secret")   # give the platform .../events?token=...
    app = WSGIApp(receiver, handle)                     # gunicorn module:app

- ``Receiver(token=None, *, token_param='token', max_body=1 MiB, store='memory', lease=2.0,
  wait=4.0, poll=0.05)``: the store
  is core's in-process ``MemoryStore`` by default (bounded: 100,000 keys, one hour each), a
  ``RedisStore`` when the application runs several processes, any object with ``claim(key) ->
  bool`` and ``release(key)``, or ``None`` for no dedup.
- ``WSGIApp(receiver, handler)`` and ``ASGIApp(receiver, handler)``: read ``Content-Length``
  first and refuse unread a request with the wrong token or a body over ``max_body``; read the
  raw body, call ``receiver.begin``, which claims the delivery's key under a lease (``lease``,
  default 2 s; a thread renews it every third of that while the handler runs); call
  ``handler(event)`` for a new delivery (not for a duplicate), mark the key done and answer 200;
  when the handler raises, release the key and answer 500 so that the platform sends the event
  again. A re-send whose key another worker holds waits (``wait``, default 4 s): done → 200 as a
  duplicate; free again (released, or the lease of a worker that died ran out) → handled; still
  held → 503. ``respond(...)`` gives the same answer to a framework's own view (Flask, Django,
  FastAPI: see examples/python).
- A handler may return an IVR document (an ``ivr.Response``, ``str`` or ``bytes``) for the
  platform's ``ivr_start`` requests, which come to the same URL unless an IVR URL is set; it
  is answered as XML.

Refusals are answered with the status core gives (401 no token, 403 wrong token, 413 too
large, 400 not an event, 503 the store failed or another worker still holds the key) and a
short plain-text reason.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import threading
from typing import (
    TYPE_CHECKING,
    Any,
    Awaitable,
    Callable,
    Iterable,
    List,
    Mapping,
    NamedTuple,
    Optional,
    Protocol,
    Tuple,
)

from ._errors import YunhuniError, ValidationError
from ._native import (
    WEBHOOK_DEFAULT_LEASE as DEFAULT_LEASE,
    WEBHOOK_DEFAULT_POLL as DEFAULT_POLL,
    WEBHOOK_DEFAULT_WAIT as DEFAULT_WAIT,
    WEBHOOK_DONE_VALUE as DONE_VALUE,
    WEBHOOK_PENDING_PREFIX as PENDING_PREFIX,
    WEBHOOK_REDIS_CLAIM_SCRIPT as REDIS_CLAIM_SCRIPT,
    WEBHOOK_REDIS_COMPLETE_SCRIPT as REDIS_COMPLETE_SCRIPT,
    WEBHOOK_REDIS_RELEASE_SCRIPT as REDIS_RELEASE_SCRIPT,
    WEBHOOK_REDIS_RENEW_SCRIPT as REDIS_RENEW_SCRIPT,
    WEBHOOK_DEFAULT_MAX_BODY as DEFAULT_MAX_BODY,
    WEBHOOK_DEFAULT_TOKEN_PARAM as DEFAULT_TOKEN_PARAM,
    WEBHOOK_DEFAULT_TTL as DEFAULT_TTL,
    WEBHOOK_MAX_TTL as MAX_TTL,
    WEBHOOK_REDIS_KEY_PREFIX as REDIS_KEY_PREFIX,
    WEBHOOK_RESPONSE_BODY as RESPONSE_BODY,
    WEBHOOK_RESPONSE_STATUS as RESPONSE_STATUS,
    Delivery,
    MemoryStore,
    Receiver,
    new_owner,
)

if TYPE_CHECKING:
    import redis

__all__ = [
    "Receiver",
    "Delivery",
    "MemoryStore",
    "RedisStore",
    "Store",
    "Response",
    "WSGIApp",
    "ASGIApp",
    "REDIS_KEY_PREFIX",
    "DEFAULT_TTL",
    "DEFAULT_LEASE",
    "DEFAULT_WAIT",
    "DEFAULT_POLL",
    "PENDING_PREFIX",
    "DONE_VALUE",
    "REDIS_CLAIM_SCRIPT",
    "REDIS_RENEW_SCRIPT",
    "REDIS_COMPLETE_SCRIPT",
    "REDIS_RELEASE_SCRIPT",
    "new_owner",
    "MAX_TTL",
    "DEFAULT_MAX_BODY",
    "DEFAULT_TOKEN_PARAM",
    "RESPONSE_STATUS",
    "RESPONSE_BODY",
]

log = logging.getLogger("yunhuni.webhook")

#: What a handler gets: a typed event (``DuoCallbackEnd``, ``IvrGetEnd``, ``ConfEnd``, ...,
#: ``IvrStart``) or an ``Event`` for the others. Typed as ``Any`` so that a handler may take
#: the one class it expects.
AnyEvent = Any

#: What a handler returns: nothing, or an IVR document for ``ivr_start``.
HandlerResult = Any

#: A handler; a coroutine function is awaited by ``ASGIApp``.
Handler = Callable[[AnyEvent], HandlerResult]

#: The answer when the handler raised: any status but 200 makes the platform send it again.
HANDLER_FAILED_STATUS = 500


class Store(Protocol):
    """A dedup store: ``claim`` is an atomic set-if-absent with expiry (True: first time),
    ``release`` forgets a key. A store that also has ``claim_lease(key, owner, lease_s)``
    (``'claimed'``, ``'pending'`` or ``'done'``), ``renew(key, owner, lease_s)``,
    ``complete(key, owner)`` and ``release_owned(key, owner)`` (each a bool) takes part in the
    lease protocol (see ``Receiver.begin``); without them a claimed key is done at once, so a
    worker that dies while handling loses that event."""

    def claim(self, key: str) -> bool: ...

    def release(self, key: str) -> None: ...


class RedisStore:
    """Delivery keys in Redis, shared by every process of the application (and with the
    receivers of the other languages of this SDK: the same prefix and commands).

    Under a lease (``Receiver.begin``, what the WSGI and ASGI helpers use) it runs core's Redis
    scripts (``REDIS_CLAIM_SCRIPT``, ``REDIS_RENEW_SCRIPT``, ``REDIS_COMPLETE_SCRIPT``,
    ``REDIS_RELEASE_SCRIPT``, with ``EVALSHA``) to claim, renew, complete and release a key,
    checking its owner. ``claim`` (``SET <prefix><key> 1 NX PX <ttl ms>``) and ``release``
    (``DEL``) are the first protocol, kept for ``Receiver.receive``. ``client``
    is a ``redis.Redis`` (the ``redis`` package, installed by you); ``ttl`` (seconds) and
    ``prefix`` default to core's ``DEFAULT_TTL`` (one hour) and ``REDIS_KEY_PREFIX``. An error
    of Redis makes the receiver answer 503, so that the platform sends the event again.
    """

    def __init__(
        self, client: "redis.Redis", *, ttl: float = DEFAULT_TTL, prefix: str = REDIS_KEY_PREFIX
    ) -> None:
        if isinstance(ttl, bool) or not isinstance(ttl, (int, float)):
            raise ValidationError(f"ttl: expected seconds (int or float), got {type(ttl).__name__}", field="ttl")
        if not 0.001 <= ttl <= MAX_TTL:
            raise ValidationError(
                f"ttl: is {ttl!r} s; it must be 0.001 to {MAX_TTL:g} s (30 days)", field="ttl"
            )
        if not isinstance(prefix, str):
            raise ValidationError(f"prefix: expected str, got {type(prefix).__name__}", field="prefix")
        self._client = client
        self._ttl_ms = int(round(ttl * 1000))
        self._prefix = prefix
        self._scripts: Optional[Tuple[Any, Any, Any, Any]] = None

    @classmethod
    def from_url(cls, url: str, *, ttl: float = DEFAULT_TTL, prefix: str = REDIS_KEY_PREFIX) -> "RedisStore":
        """A store on a new ``redis.Redis.from_url(url)`` (``redis://host:6379/0``)."""
        import redis

        return cls(redis.Redis.from_url(url), ttl=ttl, prefix=prefix)

    @property
    def client(self) -> "redis.Redis":
        """The Redis client."""
        return self._client

    @property
    def ttl(self) -> float:
        """How long a key is remembered, in seconds."""
        return self._ttl_ms / 1000

    @property
    def prefix(self) -> str:
        """What is put before each delivery key."""
        return self._prefix

    def claim(self, key: str) -> bool:
        """``SET prefix+key 1 NX PX ttl``: True when the key was not there."""
        return bool(self._client.set(self._prefix + key, b"1", nx=True, px=self._ttl_ms))

    def release(self, key: str) -> None:
        """``DEL prefix+key``."""
        self._client.delete(self._prefix + key)

    def _script(self, which: int) -> Any:
        if self._scripts is None:
            register = self._client.register_script
            self._scripts = (
                register(REDIS_CLAIM_SCRIPT),
                register(REDIS_RENEW_SCRIPT),
                register(REDIS_COMPLETE_SCRIPT),
                register(REDIS_RELEASE_SCRIPT),
            )
        return self._scripts[which]

    def claim_lease(self, key: str, owner: str, lease: float) -> int:
        """Core's claim script: 1 claimed (for ``owner``, ``lease`` seconds), 0 pending
        (another owner holds it), 2 done."""
        return int(self._script(0)(keys=[self._prefix + key], args=[owner, _ms(lease)]))

    def renew(self, key: str, owner: str, lease: float) -> bool:
        """Core's renew script: True when ``owner`` held the key and its lease was extended."""
        return int(self._script(1)(keys=[self._prefix + key], args=[owner, _ms(lease)])) == 1

    def complete(self, key: str, owner: str) -> bool:
        """Core's complete script: the key done for ``ttl`` (when ``owner`` or nobody held it)."""
        return int(self._script(2)(keys=[self._prefix + key], args=[owner, self._ttl_ms])) == 1

    def release_owned(self, key: str, owner: str) -> bool:
        """Core's release script: the key deleted when ``owner`` held it."""
        return int(self._script(3)(keys=[self._prefix + key], args=[owner])) == 1

    def __repr__(self) -> str:
        return f"RedisStore(ttl={self.ttl!r}, prefix={self._prefix!r})"


def _ms(seconds: float) -> int:
    return max(1, int(round(seconds * 1000)))


class _Renewer:
    """Renews the leases of the deliveries being handled in this process, every
    ``receiver.renew_every`` seconds, from one daemon thread (started on first use, and again
    in a forked worker, where the parent's thread does not exist)."""

    def __init__(self, receiver: Receiver) -> None:
        self._receiver = receiver
        self._lock = threading.Lock()
        self._held: dict = {}
        self._pid = -1
        self._wake = threading.Event()

    def hold(self, delivery: Delivery) -> None:
        with self._lock:
            self._held[(delivery.key, delivery.owner)] = True
            if self._pid != os.getpid():
                self._pid = os.getpid()
                self._wake = threading.Event()
                threading.Thread(target=self._run, name="yunhuni-webhook-lease", daemon=True).start()

    def drop(self, delivery: Delivery) -> None:
        with self._lock:
            self._held.pop((delivery.key, delivery.owner), None)

    def _run(self) -> None:
        every = self._receiver.renew_every
        wake = self._wake
        while not wake.wait(every):
            with self._lock:
                held = list(self._held)
            for key, owner in held:
                try:
                    if not self._receiver.renew(key, owner):
                        log.warning("the lease on %s ran out while it was handled; a re-send may be handled "
                                    "again (is the store reachable? is the lease long enough?)", key)
                        self.drop_key(key, owner)
                except Exception as e:  # the store failed: try again next time
                    log.error("could not renew the lease on %s: %s", key, e)

    def drop_key(self, key: str, owner: str) -> None:
        with self._lock:
            self._held.pop((key, owner), None)


class Response(NamedTuple):
    """What to answer: status, headers, body."""

    status: int
    headers: List[Tuple[str, str]]
    body: bytes


_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    405: "Method Not Allowed",
    413: "Payload Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


def _text(status: int, text: str, extra: Iterable[Tuple[str, str]] = ()) -> Response:
    body = text.encode("utf-8")
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    headers.extend(extra)
    return Response(status, headers, body)


def _refusal(error: YunhuniError) -> Response:
    """A refusal, with the status core gives. What was wrong with the request (token, size,
    body) is told to the client; a failure on this side (503: the store) only to the log."""
    status = error.status if error.status and error.status != 200 else 400
    if status == 503 and error.kind == "timeout":
        # Receiver.begin: another worker still holds the key after the wait.
        log.warning("webhook delivery not taken: %s", error)
        return _text(status, "another worker is still handling this delivery; send it again\n")
    if status >= 500:
        log.error("webhook delivery not received: %s", error)
        return _text(status, "the webhook could not record this delivery; send it again\n")
    return _text(status, f"{error}\n")


def _ivr_document(result: Any) -> Optional[Response]:
    """A handler's IVR document as an XML answer; None when it returned nothing."""
    if result is None:
        return None
    if hasattr(result, "to_xml"):
        result = result.to_xml()
    if isinstance(result, str):
        body = result.encode("utf-8")
    elif isinstance(result, (bytes, bytearray)):
        body = bytes(result)
    else:
        raise TypeError(
            f"the webhook handler returned {type(result).__name__}; return None, or an IVR document "
            "(ivr.Response, str or bytes) for ivr_start"
        )
    return Response(200, [("Content-Type", "application/xml; charset=utf-8"), ("Content-Length", str(len(body)))], body)


def _content_length(value: Optional[str]) -> Tuple[Optional[int], Optional[Response]]:
    """The declared length, or the answer to a malformed one."""
    if value is None or value == "":
        return None, None
    value = value.strip()
    if not value.isdigit() or not value.isascii():
        return None, _text(400, "Content-Length: not a non-negative integer\n")
    return int(value), None


def _method_not_allowed() -> Response:
    return _text(405, "POST the platform's events here\n", [("Allow", "POST")])


def _answer(delivery: Delivery, result: Any) -> Response:
    document = _ivr_document(result)
    return document or _text(delivery.status, delivery.body)


def _log_failure(delivery: Delivery) -> None:
    """Called in the handler's ``except`` block: the traceback goes to the log."""
    log.exception("webhook handler failed for %s; answering %d so that the platform sends it again",
                  delivery.key, HANDLER_FAILED_STATUS)


def _release(receiver: Receiver, delivery: Delivery) -> Response:
    """The handler failed: forget the key (when this handler still holds it) so that the
    re-send is handled, and ask for it."""
    try:
        if delivery.owner is None:
            receiver.release(delivery.key)
        else:
            receiver.release_owned(delivery.key, delivery.owner)
    except YunhuniError as e:
        log.error("could not release %s: %s", delivery.key, e)
    return _text(HANDLER_FAILED_STATUS, "the handler failed; send the event again\n")


def _complete(receiver: Receiver, delivery: Delivery) -> None:
    """The handler succeeded: the key is done (its re-sends are duplicates)."""
    if delivery.owner is None:
        return
    try:
        if not receiver.complete(delivery.key, delivery.owner):
            log.warning("%s was handled, but its lease had run out and another handler holds it", delivery.key)
    except YunhuniError as e:
        # The key stays pending until its lease runs out; a re-send after that is handled again.
        log.error("could not mark %s done: %s", delivery.key, e)


class WSGIApp:
    """A WSGI application that receives the platform's webhooks (mount it at the callback
    URL's path, or call ``respond(environ)`` from a framework's view).

    The handler runs before the answer, holding the delivery's key under a lease
    (``Receiver.begin``) that a thread of this process renews while it runs: a slow handler
    (over the platform's 5 s) makes the platform send the event again, and that re-send waits
    (up to ``receiver.wait``) and is answered 200 as a duplicate once the handler is done, or
    503 while it is still at it; a worker that dies while handling leaves the key free once the
    lease runs out, and the re-send is handled.
    """

    def __init__(self, receiver: Receiver, handler: Handler) -> None:
        if not isinstance(receiver, Receiver):
            raise TypeError(f"receiver must be a yunhuni.webhook.Receiver, not {type(receiver).__name__}")
        if not callable(handler):
            raise TypeError(f"handler must be callable, not {type(handler).__name__}")
        self.receiver = receiver
        self.handler = handler
        self._renewer = _Renewer(receiver)

    def respond(self, environ: Mapping[str, Any]) -> Response:
        """Reads the request of a WSGI ``environ`` (its ``wsgi.input`` only when the head
        passed), runs the handler, and returns what to answer."""
        if environ.get("REQUEST_METHOD", "GET") != "POST":
            return _method_not_allowed()
        query = environ.get("QUERY_STRING", "")
        length, bad = _content_length(environ.get("CONTENT_LENGTH"))
        if bad:
            return bad
        receiver = self.receiver
        try:
            receiver.check_head(query, length)
        except YunhuniError as e:
            return _refusal(e)
        stream = environ.get("wsgi.input")
        body = _read_wsgi(stream, length, receiver.max_body) if stream is not None else b""
        try:
            delivery = receiver.begin(query, body)
        except YunhuniError as e:
            return _refusal(e)
        if delivery.duplicate:
            return _text(delivery.status, delivery.body)
        if delivery.owner is not None:
            self._renewer.hold(delivery)
        try:
            result = self.handler(delivery.event)
            answer = _answer(delivery, result)
        except Exception:
            self._renewer.drop(delivery)
            _log_failure(delivery)
            return _release(receiver, delivery)
        except BaseException:
            # SystemExit (a server's worker timeout), KeyboardInterrupt: not handled either.
            self._renewer.drop(delivery)
            _release(receiver, delivery)
            raise
        self._renewer.drop(delivery)
        _complete(receiver, delivery)
        return answer

    def __call__(self, environ: Mapping[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        status, headers, body = self.respond(environ)
        start_response(f"{status} {_REASONS.get(status, 'Status')}", headers)
        return [body]


def _read_wsgi(stream: Any, length: Optional[int], limit: int) -> bytes:
    """The body: exactly ``length`` bytes when declared (fewer if the client stopped), else up
    to ``limit + 1`` (so that core sees a body that is too large)."""
    want = length if length is not None else limit + 1
    chunks: List[bytes] = []
    got = 0
    while got < want:
        chunk = stream.read(min(want - got, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


ASGIReceive = Callable[[], Awaitable[Mapping[str, Any]]]
ASGISend = Callable[[Mapping[str, Any]], Awaitable[None]]


class ASGIApp:
    """An ASGI application that receives the platform's webhooks (mount it, or ``await
    respond(scope, receive)`` from a framework's route: FastAPI, Starlette).

    A coroutine-function handler is awaited; a plain function runs in the loop's default
    executor so that it does not block the loop. A store written in Python (``RedisStore``)
    is called in the executor as well.
    """

    def __init__(self, receiver: Receiver, handler: Handler) -> None:
        if not isinstance(receiver, Receiver):
            raise TypeError(f"receiver must be a yunhuni.webhook.Receiver, not {type(receiver).__name__}")
        if not callable(handler):
            raise TypeError(f"handler must be callable, not {type(handler).__name__}")
        self.receiver = receiver
        self.handler = handler
        self._is_async = inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(
            getattr(handler, "__call__", None)
        )
        self._blocking_store = not isinstance(receiver.store, (MemoryStore, type(None)))
        self._renewer = _Renewer(receiver)

    async def respond(self, scope: Mapping[str, Any], receive: ASGIReceive) -> Response:
        """Reads the request (its body only when the head passed), runs the handler, and
        returns what to answer."""
        if scope.get("method") != "POST":
            return _method_not_allowed()
        raw_query = scope.get("query_string", b"")
        query = raw_query.decode("latin-1") if isinstance(raw_query, (bytes, bytearray)) else str(raw_query)
        declared: Optional[str] = None
        for name, value in scope.get("headers", ()):
            if name.lower() == b"content-length":
                declared = value.decode("latin-1")
                break
        length, bad = _content_length(declared)
        if bad:
            return bad
        receiver = self.receiver
        try:
            receiver.check_head(query, length)
        except YunhuniError as e:
            return _refusal(e)
        body = await _read_asgi(receive, length, receiver.max_body)
        if body is None:  # the client went away
            return _text(400, "the request ended before its body\n")
        loop = asyncio.get_running_loop()
        try:
            # In the executor: begin may wait for a key another handler holds.
            delivery = await loop.run_in_executor(None, receiver.begin, query, body)
        except YunhuniError as e:
            return _refusal(e)
        if delivery.duplicate:
            return _text(delivery.status, delivery.body)
        if delivery.owner is not None:
            self._renewer.hold(delivery)
        try:
            if self._is_async:
                result = await self.handler(delivery.event)
            else:
                result = await loop.run_in_executor(None, self.handler, delivery.event)
            answer = _answer(delivery, result)
        except Exception:
            self._renewer.drop(delivery)
            _log_failure(delivery)
            if self._blocking_store:
                return await loop.run_in_executor(None, _release, receiver, delivery)
            return _release(receiver, delivery)
        except BaseException:
            # Cancelled (the client went away, the server stops): not handled either.
            self._renewer.drop(delivery)
            _release(receiver, delivery)
            raise
        self._renewer.drop(delivery)
        if self._blocking_store:
            await loop.run_in_executor(None, _complete, receiver, delivery)
        else:
            _complete(receiver, delivery)
        return answer

    async def __call__(self, scope: Mapping[str, Any], receive: ASGIReceive, send: ASGISend) -> None:
        if scope.get("type") == "lifespan":
            while True:
                message = await receive()
                if message.get("type") == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message.get("type") == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope.get("type") != "http":
            return
        status, headers, body = await self.respond(scope, receive)
        await send({
            "type": "http.response.start",
            "status": status,
            "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        })
        await send({"type": "http.response.body", "body": body})


async def _read_asgi(receive: ASGIReceive, length: Optional[int], limit: int) -> Optional[bytes]:
    """The body (at most ``length``, or ``limit + 1`` bytes when undeclared); None when the
    client disconnected first."""
    want = length if length is not None else limit + 1
    chunks: List[bytes] = []
    got = 0
    while True:
        message = await receive()
        kind = message.get("type")
        if kind == "http.disconnect":
            return None
        if kind != "http.request":
            continue
        chunk = message.get("body", b"")
        if chunk:
            chunks.append(chunk)
            got += len(chunk)
        if got >= want or not message.get("more_body", False):
            break
    return b"".join(chunks)[:want]

