"""The exception classes of the SDK: one base class and one subclass per error kind.

The native module raises these; it looks them up by kind in ``_BY_KIND``.
"""

from __future__ import annotations

import builtins

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing would double the package's import time
    from typing import Dict, Optional, Type

__all__ = [
    "YunhuniError",
    "ValidationError",
    "ApiError",
    "AuthError",
    "HttpError",
    "TimeoutError",
    "TransportError",
    "DecodeError",
]


class YunhuniError(Exception):
    """Base class of every error raised by the SDK.

    ``kind`` is the stable category (the same string in every language of the SDK):
    ``validation``, ``api``, ``auth``, ``http``, ``timeout``, ``transport`` or ``decode``.
    ``code`` is the platform's six-digit code (``ApiError`` only), ``status`` the HTTP status
    when the server answered, ``field`` the field at fault (``ValidationError``, and
    ``DecodeError`` for an event field), ``platform_message`` the server's own ``msg``
    (``ApiError`` only). ``maybe_sent`` is true for a ``TransportError`` or ``TimeoutError``
    whose request was written, at least in part: the server may have received it and acted on
    it (placed the call), so check the call's events (or query it) before sending it again;
    the SDK never sends it again itself. It is false for every other error, and when nothing
    of the request was written (the connection could not be made). ``str(error)`` is the
    message. No error ever contains a secret key.
    """

    kind: str = ""

    def __init__(
        self,
        message: str,
        *,
        code: Optional[str] = None,
        status: Optional[int] = None,
        field: Optional[str] = None,
        platform_message: Optional[str] = None,
        maybe_sent: bool = False,
    ) -> None:
        super().__init__(message)
        #: What went wrong, for people.
        self.message: str = message
        #: The platform's six-digit code, for ``api`` errors.
        self.code: Optional[str] = code
        #: The HTTP status, when the server answered.
        self.status: Optional[int] = status
        #: The field at fault, for ``validation`` errors (and event fields that fail to decode).
        self.field: Optional[str] = field
        #: The server's ``msg`` as it sent it, for ``api`` errors.
        self.platform_message: Optional[str] = platform_message
        #: Whether bytes of the request were written (``transport`` and ``timeout`` errors): the
        #: server may have acted on it. Check before sending it again.
        self.maybe_sent: bool = maybe_sent

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        extras = "".join(
            f", {name}={value!r}"
            for name, value in (
                ("code", self.code),
                ("status", self.status),
                ("field", self.field),
                ("platform_message", self.platform_message),
                ("maybe_sent", self.maybe_sent or None),
            )
            if value is not None
        )
        return f"{type(self).__name__}({self.message!r}{extras})"


class ValidationError(YunhuniError, ValueError):
    """A request broke a rule the platform enforces, or an argument had the wrong type;
    nothing was sent. ``field`` names the field. Also a ``ValueError``."""

    kind = "validation"


class ApiError(YunhuniError):
    """The platform answered with a code other than ``000000``; ``code`` has it (for example
    ``020000``: the call does not exist)."""

    kind = "api"


class AuthError(YunhuniError):
    """The platform answered HTTP 401: the signature, credentials or timestamp were refused."""

    kind = "auth"


class HttpError(YunhuniError):
    """The server answered with an unexpected HTTP status (``status``); the message carries
    the start of its body."""

    kind = "http"


class TimeoutError(YunhuniError, builtins.TimeoutError):
    """The request did not complete within the client's timeout (or the call's own, see
    ``Client.with_options``). Also the builtin ``TimeoutError``. When ``maybe_sent`` is true
    the request may have reached the platform: it is not sent again."""

    kind = "timeout"


class TransportError(YunhuniError):
    """The connection could not be made or broke, or the peer did not speak HTTP. When
    ``maybe_sent`` is true it broke after the request was written: the platform may have
    acted on it."""

    kind = "transport"


class DecodeError(YunhuniError):
    """A body was not what the platform sends: a response that is not the expected JSON, or a
    webhook body that cannot be parsed."""

    kind = "decode"


_BY_KIND: Dict[str, Type[YunhuniError]] = {
    cls.kind: cls
    for cls in (
        ValidationError,
        ApiError,
        AuthError,
        HttpError,
        TimeoutError,
        TransportError,
        DecodeError,
    )
}

for _cls in (YunhuniError, *_BY_KIND.values()):
    _cls.__module__ = "yunhuni"
del _cls
