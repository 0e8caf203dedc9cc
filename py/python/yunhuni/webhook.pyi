"""Receiving the platform's webhooks: a guarded URL, typed events, duplicate deliveries.
Type stub."""

import logging
from typing import Any, Awaitable, Callable, Iterable, Literal, Mapping, NamedTuple, Protocol, final

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
    "MAX_TTL",
    "DEFAULT_MAX_BODY",
    "DEFAULT_TOKEN_PARAM",
    "RESPONSE_STATUS",
    "RESPONSE_BODY",
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
]

#: What every Redis store puts before a delivery key, in every language of the SDK.
REDIS_KEY_PREFIX: str
#: How long a delivery key is remembered unless told otherwise, in seconds (one hour).
DEFAULT_TTL: float
#: The longest a store remembers a key, in seconds (30 days).
MAX_TTL: float
#: The largest body a receiver accepts unless told otherwise (1 MiB).
DEFAULT_MAX_BODY: int
#: The query parameter that carries the URL token unless told otherwise.
DEFAULT_TOKEN_PARAM: str
#: The status that tells the platform a delivery was received (200).
RESPONSE_STATUS: int
#: The body answered with it (``'ok'``).
RESPONSE_BODY: str
#: How long a handler holds a delivery's key before it must renew it, in seconds (2).
DEFAULT_LEASE: float
#: How long ``Receiver.begin`` waits for a key another handler holds, in seconds (4).
DEFAULT_WAIT: float
#: How often it looks at that key while it waits, in seconds (0.05).
DEFAULT_POLL: float
#: What the value of a pending key starts with (``'p:'``).
PENDING_PREFIX: str
#: The value of a done key (``'d'``).
DONE_VALUE: str
#: Core's Redis scripts of the lease protocol (claim, renew, complete, release).
REDIS_CLAIM_SCRIPT: str
REDIS_RENEW_SCRIPT: str
REDIS_COMPLETE_SCRIPT: str
REDIS_RELEASE_SCRIPT: str

def new_owner() -> str:
    """A new lease owner value: ``'p:'`` and 32 random hex digits."""

#: The answer when the handler raised.
HANDLER_FAILED_STATUS: int

log: logging.Logger

#: The typed event a handler gets (``DuoCallbackEnd``, ``IvrGetEnd``, ``ConfEnd``, ...,
#: ``IvrStart``, or ``Event``); narrow it with ``isinstance``.
AnyEvent = Any
HandlerResult = Any
Handler = Callable[[AnyEvent], HandlerResult]
ASGIReceive = Callable[[], Awaitable[Mapping[str, Any]]]
ASGISend = Callable[[Mapping[str, Any]], Awaitable[None]]

class Store(Protocol):
    """A dedup store: ``claim`` is an atomic set-if-absent with expiry (True: first time),
    ``release`` forgets a key. With ``claim_lease``, ``renew``, ``complete`` and
    ``release_owned`` as well it takes part in the lease protocol (``Receiver.begin``)."""

    def claim(self, key: str) -> bool: ...
    def release(self, key: str) -> None: ...

@final
class MemoryStore:
    """Core's in-process dedup store: at most ``capacity`` keys (the oldest forgotten first),
    each for ``ttl`` seconds. Not shared between processes: use ``RedisStore`` for several."""

    def __new__(cls, capacity: int = 100000, ttl: float = 3600.0) -> MemoryStore: ...
    @property
    def capacity(self) -> int: ...
    @property
    def ttl(self) -> float: ...
    def claim(self, key: str) -> bool: ...
    def release(self, key: str) -> None: ...
    def claim_lease(self, key: str, owner: str, lease: float) -> Literal["claimed", "pending", "done"]: ...
    def renew(self, key: str, owner: str, lease: float) -> bool: ...
    def complete(self, key: str, owner: str) -> bool: ...
    def release_owned(self, key: str, owner: str) -> bool: ...
    def __len__(self) -> int: ...

@final
class Delivery:
    """One delivery as the receiver saw it: the typed event, its key, whether it was seen
    before, and the response to send."""

    @property
    def event(self) -> AnyEvent: ...
    @property
    def key(self) -> str: ...
    @property
    def duplicate(self) -> bool: ...
    @property
    def owner(self) -> str | None: ...
    @property
    def status(self) -> int: ...
    @property
    def body(self) -> str: ...

@final
class Receiver:
    """Checks, parses and deduplicates the platform's webhook deliveries (core's receiver)."""

    def __new__(
        cls,
        token: str | None = None,
        *,
        token_param: str = "token",
        max_body: int = 1048576,
        store: MemoryStore | Store | Literal["memory"] | None = "memory",
        lease: float = 2.0,
        wait: float = 4.0,
        poll: float = 0.05,
    ) -> Receiver: ...
    def check_head(self, query: str | bytes, content_length: int | None) -> None: ...
    def receive(self, query: str | bytes, body: bytes | bytearray | memoryview | str) -> Delivery: ...
    def begin(self, query: str | bytes, body: bytes | bytearray | memoryview | str) -> Delivery: ...
    def release(self, key: str) -> None: ...
    def renew(self, key: str, owner: str) -> bool: ...
    def complete(self, key: str, owner: str) -> bool: ...
    def release_owned(self, key: str, owner: str) -> bool: ...
    @property
    def lease(self) -> float: ...
    @property
    def renew_every(self) -> float: ...
    @property
    def wait(self) -> float: ...
    @property
    def poll(self) -> float: ...
    @property
    def max_body(self) -> int: ...
    @property
    def has_token(self) -> bool: ...
    @property
    def store(self) -> MemoryStore | Store | None: ...

class RedisStore:
    """Delivery keys in Redis (``SET <prefix><key> 1 NX PX <ttl ms>``, ``DEL``), shared by
    every process of the application."""

    def __init__(self, client: redis.Redis, *, ttl: float = ..., prefix: str = ...) -> None: ...
    @classmethod
    def from_url(cls, url: str, *, ttl: float = ..., prefix: str = ...) -> RedisStore: ...
    @property
    def client(self) -> redis.Redis: ...
    @property
    def ttl(self) -> float: ...
    @property
    def prefix(self) -> str: ...
    def claim(self, key: str) -> bool: ...
    def release(self, key: str) -> None: ...
    def claim_lease(self, key: str, owner: str, lease: float) -> int: ...
    def renew(self, key: str, owner: str, lease: float) -> bool: ...
    def complete(self, key: str, owner: str) -> bool: ...
    def release_owned(self, key: str, owner: str) -> bool: ...

class Response(NamedTuple):
    """What to answer: status, headers, body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

class WSGIApp:
    """A WSGI application that receives the platform's webhooks."""

    receiver: Receiver
    handler: Handler
    def __init__(self, receiver: Receiver, handler: Handler) -> None: ...
    def respond(self, environ: Mapping[str, Any]) -> Response: ...
    def __call__(self, environ: Mapping[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]: ...

class ASGIApp:
    """An ASGI application that receives the platform's webhooks."""

    receiver: Receiver
    handler: Handler
    def __init__(self, receiver: Receiver, handler: Handler) -> None: ...
    async def respond(self, scope: Mapping[str, Any], receive: ASGIReceive) -> Response: ...
    async def __call__(self, scope: Mapping[str, Any], receive: ASGIReceive, send: ASGISend) -> None: ...
