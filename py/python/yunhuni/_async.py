"""``AsyncClient``: the blocking client's methods, awaitable, run off the event loop. Its typed
method per operation comes from ``_ops.AsyncClientOps``; each awaits ``request``."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Literal, Optional, TypeVar, Union

from ._client import Client
from ._ops import AsyncClientOps

__all__ = ["AsyncClient"]

_T = TypeVar("_T")

#: Requests in flight at once per client, unless ``max_workers`` says otherwise. Threads are
#: started only when needed.
DEFAULT_MAX_WORKERS = 64


class AsyncClient(AsyncClientOps):
    """The asyncio counterpart of ``Client``: the same constructor and methods, awaitable.

    Each request runs on a worker thread of the client's own pool (at most ``max_workers``
    at once, started on demand) with the GIL released while it waits on the network, so the
    event loop is never blocked. Cancelling an awaiting task does not recall a request that
    was already sent. Use ``async with`` or ``close()`` to stop the pool's threads.

    ``proxy`` and the other settings are those of ``Client``; ``with_options(timeout=...)``
    gives a view whose calls have their own timeout.
    """

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
        max_workers: int = DEFAULT_MAX_WORKERS,
    ) -> None:
        client = Client(
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
        self._setup(client, max_workers)

    def _setup(self, client: Client, max_workers: int) -> None:
        self._client = client
        self._executor = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="yunhuni")

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
        max_workers: int = DEFAULT_MAX_WORKERS,
    ) -> "AsyncClient":
        """A client from the environment, like ``Client.from_env()``."""
        client = Client.from_env(
            timeout=timeout,
            connect_timeout=connect_timeout,
            user_agent=user_agent,
            connect_retries=connect_retries,
            proxy=proxy,
            max_idle_connections=max_idle_connections,
        )
        return cls.from_client(client, max_workers=max_workers)

    def with_options(self, *, timeout: Optional[float] = None) -> "AsyncClient":
        """A view of this client whose calls have their own ``timeout`` in seconds (``None``:
        the client's own); see ``Client.with_options``::

            await client.with_options(timeout=5.0).conf_create(3600)

        The view shares this client's connections and worker threads: closing either closes
        both."""
        view = type(self).__new__(type(self))
        view._client = self._client.with_options(timeout=timeout)
        view._executor = self._executor
        return view

    @classmethod
    def from_client(cls, client: Client, *, max_workers: int = DEFAULT_MAX_WORKERS) -> "AsyncClient":
        """An asyncio client that sends its requests through an existing ``Client``."""
        self = cls.__new__(cls)
        self._setup(client, max_workers)
        return self

    @property
    def client(self) -> Client:
        """The blocking ``Client`` underneath (shareable with threads)."""
        return self._client

    @property
    def app_id(self) -> str:
        """The ``AppID`` this client sends."""
        return self._client.app_id

    @property
    def cert_id(self) -> str:
        """The ``CertID`` this client sends."""
        return self._client.cert_id

    @property
    def account_id(self) -> str:
        """The account id in the request paths."""
        return self._client.account_id

    @property
    def api_root(self) -> str:
        """The URL that operations are relative to, ending in ``/v1/account/{id}/``."""
        return self._client.api_root

    async def _run(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def request(self, name: str, /, **fields: Any) -> Any:
        """Sends the operation called ``name`` with ``fields``; see ``Client.request``."""
        return await self._run(self._client.request, name, **fields)

    async def post(self, operation: str, body: Any) -> Any:
        """Sends a signed POST to any operation; see ``Client.post``."""
        return await self._run(self._client.post, operation, body)

    def close(self) -> None:
        """Stops the worker threads once the requests in flight are done. Idempotent."""
        self._executor.shutdown(wait=False)

    async def aclose(self) -> None:
        """Like ``close()``, awaitable."""
        self.close()

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return "Async" + repr(self._client)


AsyncClient.__module__ = "yunhuni"
