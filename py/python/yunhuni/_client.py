"""``Client``: the native client, with one typed method per operation (``_ops.ClientOps``)."""

from __future__ import annotations

from ._native import Client as _NativeClient
from ._ops import ClientOps

TYPE_CHECKING = False
if TYPE_CHECKING:  # annotations only: importing typing would double the package's import time
    from typing import Any, Literal, Optional, Union

__all__ = ["Client"]


class Client(ClientOps):
    """A client for the platform's REST API.

    It signs every request, keeps connections alive, holds no per-request state, and may be
    shared by any number of threads; the GIL is released while a request is on the network.
    Every method raises a subclass of ``YunhuniError`` on failure; a request is checked against
    the platform's rules before it is sent (``ValidationError``, nothing sent) and is never
    sent twice.

    It has a method for each operation of the platform (``conf_create``, ``ext_list``, ...,
    from core's declarations) and ``request(name, **fields)`` for any of them by name.

    ``timeout`` bounds a whole request in seconds (at most 24 hours), ``connect_timeout`` the
    connection; ``connect_retries`` retries only connections that could not be made.
    ``max_idle_connections`` (default 64, at most 65536) is how many idle connections are kept
    open for reuse: set it to the number of threads sharing the client so that none is
    reopened; 0 closes each connection after its answer.
    ``base_url`` defaults to the production API; a URL ending in ``/v1/account/{id}/`` also
    sets the account id, which otherwise defaults to ``cert_id``.

    ``proxy`` is the proxy every request goes through (``http://host:port``, ``https://...``,
    ``socks5://...``; ``user:password@`` allowed), or ``False`` to connect straight to the
    server. By default (``None``) the environment decides, when the client is made:
    ``ALL_PROXY``, ``HTTPS_PROXY`` or ``HTTP_PROXY`` (or their lower-case forms; the first one
    set) names the proxy, and the hosts in ``NO_PROXY`` are reached directly.

    ``with_options(timeout=...)`` gives a view of the client whose calls have their own
    timeout.
    """

    __slots__ = ("_native",)

    def __init__(
        self,
        app_id: str,
        cert_id: str,
        secret_key: str,
        *,
        base_url: Optional[str] = None,
        account_id: Optional[str] = None,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        user_agent: Optional[str] = None,
        connect_retries: int = 0,
        proxy: Union[str, Literal[False], None] = None,
        max_idle_connections: int = 64,
    ) -> None:
        self._native = _NativeClient(
            app_id,
            cert_id,
            secret_key,
            base_url=base_url,
            account_id=account_id,
            timeout=timeout,
            connect_timeout=connect_timeout,
            user_agent=user_agent,
            connect_retries=connect_retries,
            proxy=proxy,
            max_idle_connections=max_idle_connections,
        )

    @classmethod
    def from_env(
        cls,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        user_agent: Optional[str] = None,
        connect_retries: int = 0,
        proxy: Union[str, Literal[False], None] = None,
        max_idle_connections: int = 64,
    ) -> Client:
        """A client from the environment: ``YUNHUNI_APP_ID``, ``YUNHUNI_CERT_ID`` and
        ``YUNHUNI_SECRET_KEY`` (required), ``YUNHUNI_BASE_URL`` and ``YUNHUNI_ACCOUNT_ID``
        (optional). A missing variable raises ``ValidationError`` naming it. ``proxy`` as for
        ``Client(...)`` (by default, ``ALL_PROXY``, ``HTTPS_PROXY``, ``HTTP_PROXY``,
        ``NO_PROXY``)."""
        self = cls.__new__(cls)
        self._native = _NativeClient.from_env(
            timeout=timeout,
            connect_timeout=connect_timeout,
            user_agent=user_agent,
            connect_retries=connect_retries,
            proxy=proxy,
            max_idle_connections=max_idle_connections,
        )
        return self

    def with_options(self, *, timeout: Optional[float] = None) -> Client:
        """A view of this client whose calls have their own settings: ``timeout`` bounds each
        whole call in seconds (``None``: the client's own)::

            client.with_options(timeout=5.0).conf_create(3600)

        The view shares the client's connections and settings and costs little to make: make
        one per call, or keep it. A timeout the client cannot honour (``0``, more than 24
        hours) raises ``ValidationError`` naming ``timeout``, before anything is sent.
        ``post`` has no timeout of its own: on a view with one it raises
        ``ValidationError``."""
        view = type(self).__new__(type(self))
        view._native = self._native.with_options(timeout=timeout)
        return view

    @property
    def app_id(self) -> str:
        """The ``AppID`` this client sends."""
        return self._native.app_id

    @property
    def cert_id(self) -> str:
        """The ``CertID`` this client sends."""
        return self._native.cert_id

    @property
    def account_id(self) -> str:
        """The account id in the request paths."""
        return self._native.account_id

    @property
    def api_root(self) -> str:
        """The URL that operations are relative to, ending in ``/v1/account/{id}/``."""
        return self._native.api_root

    def request(self, name: str, /, **fields: Any) -> Any:
        """Sends the operation called ``name`` (as the platform's route list names it, such as
        ``"conf_create"``) with ``fields`` named the Python way (``from_`` for ``from``;
        ``None`` is "not given"), and returns what it answers: a ``CallCreated`` for the
        operations that place a call, otherwise the response's ``data`` as plain Python values
        with the server's keys. Unknown fields, wrong types, missing required fields and
        broken rules raise ``ValidationError`` naming the field, before anything is sent."""
        return self._native.request(name, **fields)

    def post(self, operation: str, body: Any) -> Any:
        """Sends a signed POST of ``body`` (plain JSON data) to ``operation`` (a path relative
        to ``api_root``, such as ``"call/duo_callback"``) and returns the response's ``data``.
        Nothing is validated first: prefer ``request`` or the typed methods."""
        return self._native.post(operation, body)

    def __repr__(self) -> str:
        return repr(self._native)


Client.__module__ = "yunhuni"
