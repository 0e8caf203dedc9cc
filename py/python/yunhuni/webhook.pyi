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
    ``release`` forgets a key."""

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
    ) -> Receiver: ...
    def check_head(self, query: str | bytes, content_length: int | None) -> None: ...
    def receive(self, query: str | bytes, body: bytes | bytearray | memoryview | str) -> Delivery: ...
    def release(self, key: str) -> None: ...
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
