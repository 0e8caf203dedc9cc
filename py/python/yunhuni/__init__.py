"""yunhuni: the Yunhuni (oneyun.com, 云呼你) cloud telephony REST API, centred on voice
callback (``call/duo_callback``).

- ``Client`` / ``AsyncClient``: signed requests for every operation of the platform, one
  typed method each (``duo_callback``, ``conf_create``, ``ext_list``, ...) and
  ``request(name, **fields)`` for any of them by name; thread-safe, GIL released on the
  network. ``yunhuni.types`` has the ``TypedDict``s of what they answer.
- ``parse_event``: the webhook bodies the platform POSTs, as ``DuoCallbackEnd``,
  ``NotifyCallEnd``, ``VerifyCallEnd`` or ``Event``.
- ``sign`` / ``string_to_sign``: the platform's request signature, as pure functions.
- ``YunhuniError`` and one subclass per error kind.
- ``yunhuni.testing.Sandbox``: the platform simulator, in-process, for your tests.
- Logging: one DEBUG record per request and per parsed event on the standard ``logging``
  logger ``yunhuni``; off unless your logging configuration enables it, or ``YUNHUNI_LOG=debug``
  is in the environment.

Example::

    import yunhuni

    client = yunhuni.Client.from_env()  # YUNHUNI_APP_ID, YUNHUNI_CERT_ID, YUNHUNI_SECRET_KEY
    call = client.duo_callback("13800000001", "13800000002", 600, user_data="order-42")
    print(call.call_id)
"""

from ._errors import (
    ApiError,
    AuthError,
    DecodeError,
    HttpError,
    TimeoutError,
    TransportError,
    ValidationError,
    YunhuniError,
)
from ._client import Client
from ._native import (
    CONTENT_TYPE,
    DEFAULT_BASE_URL,
    CallCreated,
    Event,
    PlayItem,
    sign,
    string_to_sign,
    timestamp_now,
)
from ._native import VERSION as _VERSION
from . import _events
from ._events import *  # the typed event classes and parse_event (generated)
from . import ivr
from .ivr import IvrNext, IvrStart, parse_ivr_next

import os as _os

if (_os.environ.get("YUNHUNI_LOG") or "").strip():
    from ._log import configure_from_env as _configure_from_env

    _configure_from_env(_os.environ["YUNHUNI_LOG"])
    del _configure_from_env
del _os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._async import AsyncClient


def __getattr__(name: str) -> object:
    # AsyncClient pulls in asyncio, most of this package's import time: load it on first use.
    if name == "AsyncClient":
        from ._async import AsyncClient

        globals()["AsyncClient"] = AsyncClient
        return AsyncClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


#: The version of this package (the same as the Rust core's).
__version__: str = _VERSION

__all__ = [
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
    # TimeoutError is left out on purpose: a star import would shadow the builtin of the same
    # name. Use yunhuni.TimeoutError (a subclass of the builtin).
    "TransportError",
    "DecodeError",
    "ivr",
    "IvrStart",
    "IvrNext",
    "parse_ivr_next",
]
__all__ += _events.__all__
