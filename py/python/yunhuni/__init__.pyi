"""yunhuni: the Yunhuni (oneyun.com, 云呼你) cloud telephony REST API, centred on voice
callback (``call/duo_callback``). Type stub for the whole public API."""

import builtins
from typing import Any, ClassVar, Literal, Union, final

from ._events import *
from ._events import __all__ as __all__
from ._ops import AsyncClientOps, ClientOps
from . import ivr as ivr
from .ivr import IvrNext as IvrNext
from .ivr import IvrStart as IvrStart
from .ivr import parse_ivr_next as parse_ivr_next

__version__: str
#: The ``Content-Type`` this SDK sends and signs: ``application/json; charset=utf-8``.
CONTENT_TYPE: str
#: The platform's production API, ``https://api.yunhuni.com``.
DEFAULT_BASE_URL: str

_Bytes = Union[bytes, bytearray, memoryview]
#: A proxy URL, ``False`` for none, or ``None`` for the environment's.
_Proxy = Union[str, Literal[False], None]

@final
class CallCreated:
    """A call the platform accepted: its ``call_id`` and the ``user_data`` echoed back."""

    @property
    def call_id(self) -> str:
        """The platform's id for the call (32 lowercase hex characters); end events carry it
        as ``id``."""

    @property
    def user_data(self) -> str | None:
        """The ``user_data`` echoed back (``None`` when not given, and always for
        ``verify_call``)."""

    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class PlayItem:
    """One item of a voice notification's ``play_content``: what to play and how to read it.
    A plain tuple ``(content, play_type)`` is accepted wherever a ``PlayItem`` is."""

    #: Play type: an uploaded voice file.
    FILE: ClassVar[int]
    #: Play type: a decimal integer read digit by digit.
    DIGITS: ClassVar[int]
    #: Play type: a decimal number read as a quantity.
    NUMBER: ClassVar[int]
    #: Play type: an amount of money.
    AMOUNT: ClassVar[int]
    #: Play type: a date and/or time such as ``2020-05-09`` or ``2020-05-09 14:30``.
    DATE_TIME: ClassVar[int]
    #: Play type: a duration ``HH:MM:SS`` or ``HH:MM``.
    DURATION: ClassVar[int]

    def __new__(cls, content: str, play_type: int, options: str = "") -> PlayItem: ...
    @property
    def content(self) -> str:
        """What to play: a file name, digits, a number, an amount, a date/time or a duration."""

    @property
    def play_type(self) -> int:
        """How to read ``content``: one of the class constants (0-5)."""

    @property
    def options(self) -> str:
        """Play options; unused by the platform, sent as ``''``."""

    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Client(ClientOps):
    """A client for the platform's REST API: signs every request, keeps connections alive,
    and may be shared by any number of threads (the GIL is released on the network).

    One typed method per operation of the platform (``duo_callback``, ``conf_create``,
    ``ext_list``, ...; see ``ClientOps``), and ``request(name, **fields)`` for any of them by
    name. Every method raises a subclass of ``YunhuniError`` on failure. A request is checked
    against the platform's rules before it is sent (``ValidationError``: nothing sent) and is
    never sent twice.

    ``timeout`` (at most 24 hours) and ``connect_timeout`` are in seconds. ``proxy`` is a proxy
    URL, ``False`` to connect directly, or ``None`` for the environment's (``ALL_PROXY``,
    ``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``). ``with_options(timeout=...)`` gives a view
    whose calls have their own timeout.
    """

    def __init__(
        self,
        app_id: str,
        cert_id: str,
        secret_key: str,
        *,
        base_url: str | None = None,
        account_id: str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        user_agent: str | None = None,
        connect_retries: int = 0,
        proxy: _Proxy = None,
        max_idle_connections: int = 64,
    ) -> None: ...
    @classmethod
    def from_env(
        cls,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        user_agent: str | None = None,
        connect_retries: int = 0,
        proxy: _Proxy = None,
        max_idle_connections: int = 64,
    ) -> Client:
        """A client from ``YUNHUNI_APP_ID``, ``YUNHUNI_CERT_ID``, ``YUNHUNI_SECRET_KEY``
        (required), ``YUNHUNI_BASE_URL`` and ``YUNHUNI_ACCOUNT_ID`` (optional)."""

    def with_options(self, *, timeout: float | None = None) -> Client:
        """A view of this client (the same connections and settings) whose calls have their
        own ``timeout`` in seconds (``None``: the client's own):
        ``client.with_options(timeout=5.0).conf_create(3600)``."""

    @property
    def app_id(self) -> str:
        """The ``AppID`` this client sends."""

    @property
    def cert_id(self) -> str:
        """The ``CertID`` this client sends."""

    @property
    def account_id(self) -> str:
        """The account id in the request paths."""

    @property
    def api_root(self) -> str:
        """The URL that operations are relative to, ending in ``/v1/account/{id}/``."""

    def request(self, name: str, /, **fields: Any) -> Any:
        """Sends the operation called ``name`` (``"conf_create"``, ...) with ``fields`` named
        the Python way (``from_`` for ``from``; ``None`` is "not given"). Returns a
        ``CallCreated`` for the operations that place a call, otherwise the response's
        ``data`` as plain Python values with the server's keys."""

    def post(self, operation: str, body: Any) -> Any:
        """Sends a signed POST of ``body`` (plain JSON data) to ``operation`` (relative to
        ``api_root``) and returns the response's ``data``. Nothing is validated first."""

class AsyncClient(AsyncClientOps):
    """The asyncio counterpart of ``Client``: the same constructor and methods, awaitable,
    run on the client's own worker threads with the GIL released."""

    def __init__(
        self,
        app_id: str,
        cert_id: str,
        secret_key: str,
        *,
        base_url: str | None = None,
        account_id: str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        user_agent: str | None = None,
        connect_retries: int = 0,
        proxy: _Proxy = None,
        max_idle_connections: int = 64,
        max_workers: int = 64,
    ) -> None: ...
    @classmethod
    def from_env(
        cls,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        user_agent: str | None = None,
        connect_retries: int = 0,
        proxy: _Proxy = None,
        max_idle_connections: int = 64,
        max_workers: int = 64,
    ) -> AsyncClient:
        """A client from the environment, like ``Client.from_env()``."""

    def with_options(self, *, timeout: float | None = None) -> AsyncClient:
        """A view of this client whose calls have their own ``timeout`` in seconds; it shares
        the client's connections and worker threads (closing either closes both)."""

    @classmethod
    def from_client(cls, client: Client, *, max_workers: int = 64) -> AsyncClient:
        """An asyncio client that sends its requests through an existing ``Client``."""

    @property
    def client(self) -> Client:
        """The blocking ``Client`` underneath."""

    @property
    def app_id(self) -> str:
        """The ``AppID`` this client sends."""

    @property
    def cert_id(self) -> str:
        """The ``CertID`` this client sends."""

    @property
    def account_id(self) -> str:
        """The account id in the request paths."""

    @property
    def api_root(self) -> str:
        """The URL that operations are relative to."""

    async def request(self, name: str, /, **fields: Any) -> Any:
        """Sends the operation called ``name`` with ``fields``; see ``Client.request``."""

    async def post(self, operation: str, body: Any) -> Any:
        """Sends a signed POST to any operation; see ``Client.post``."""

    def close(self) -> None:
        """Stops the worker threads once the requests in flight are done."""

    async def aclose(self) -> None:
        """Like ``close()``, awaitable."""

    async def __aenter__(self) -> AsyncClient: ...
    async def __aexit__(self, *exc_info: object) -> None: ...

@final
class Event:
    """Any other event, documented or not, kept whole."""

    @property
    def event(self) -> str:
        """The event name, for example ``'ivr.call_end'``."""

    @property
    def id(self) -> str | None:
        """The ``id`` field when it is a string."""

    @property
    def fields(self) -> dict[str, Any]:
        """Every field of the body, unchanged, as a new dict."""

    def get(self, key: str, default: Any = None) -> Any:
        """The value of one field of the body, or ``default`` when absent."""

    @property
    def raw(self) -> str:
        """The body as text."""

    def to_dict(self) -> dict[str, Any]:
        """The canonical view: ``{'type': 'event', 'event': name, 'fields': {...}}``."""

    def __eq__(self, value: object, /) -> bool: ...

def sign(
    method: str,
    uri: str,
    timestamp: str,
    app_id: str,
    secret_key: str,
    *,
    body: _Bytes | str = b"",
    content_type: str = "application/json; charset=utf-8",
) -> str:
    """The platform's request signature (the ``Signature`` header). The query string of
    ``uri`` is not signed; ``body`` and ``content_type`` only for POST and PUT."""

def string_to_sign(
    method: str,
    uri: str,
    timestamp: str,
    app_id: str,
    *,
    body: _Bytes | str = b"",
    content_type: str = "application/json; charset=utf-8",
) -> str:
    """The canonical string the platform signs."""

def timestamp_now() -> str:
    """The current time as a ``Timestamp`` header value: ``yyyyMMddHHmmss`` in UTC+8."""

class YunhuniError(Exception):
    """Base class of every error raised by the SDK."""

    #: ``validation``, ``api``, ``auth``, ``http``, ``timeout``, ``transport`` or ``decode``.
    kind: str
    #: What went wrong, for people (also ``str(error)``).
    message: str
    #: The platform's six-digit code, for ``api`` errors.
    code: str | None
    #: The HTTP status, when the server answered.
    status: int | None
    #: The field at fault, for ``validation`` errors (and event fields that fail to decode).
    field: str | None
    #: The server's ``msg`` as it sent it, for ``api`` errors.
    platform_message: str | None
    #: For ``transport`` and ``timeout`` errors: whether bytes of the request were written, so
    #: that the server may have acted on it (check the call's events before sending it again).
    #: False for every other error.
    maybe_sent: bool
    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        field: str | None = None,
        platform_message: str | None = None,
        maybe_sent: bool = False,
    ) -> None: ...

class ValidationError(YunhuniError, ValueError):
    """A request broke a platform rule or an argument had the wrong type; nothing was sent."""

class ApiError(YunhuniError):
    """The platform answered with a code other than ``000000`` (in ``code``)."""

class AuthError(YunhuniError):
    """The platform answered HTTP 401: signature, credentials or timestamp refused."""

class HttpError(YunhuniError):
    """The server answered with an unexpected HTTP status (in ``status``)."""

class TimeoutError(YunhuniError, builtins.TimeoutError):
    """The request did not complete within the client's timeout."""

class TransportError(YunhuniError):
    """The connection could not be made or broke, or the peer did not speak HTTP."""

class DecodeError(YunhuniError):
    """A body was not what the platform sends (a response or a webhook body)."""

__all__ += [
    "__version__",
    "CONTENT_TYPE",
    "DEFAULT_BASE_URL",
    "Client",
    "AsyncClient",
    "CallCreated",
    "PlayItem",
    "Event",
    "sign",
    "string_to_sign",
    "timestamp_now",
    "YunhuniError",
    "ValidationError",
    "ApiError",
    "AuthError",
    "HttpError",
    "TransportError",
    "DecodeError",
    "ivr",
    "IvrStart",
    "IvrNext",
    "parse_ivr_next",
]
