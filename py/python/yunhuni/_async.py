"""``AsyncClient``: the blocking client's methods, awaitable, run off the event loop."""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional, Sequence, Tuple, TypeVar, Union

from ._native import CallCreated, Client, PlayItem

__all__ = ["AsyncClient"]

_T = TypeVar("_T")

#: Requests in flight at once per client, unless ``max_workers`` says otherwise. Threads are
#: started only when needed.
DEFAULT_MAX_WORKERS = 64


class AsyncClient:
    """The asyncio counterpart of ``Client``: the same constructor and methods, awaitable.

    Each request runs on a worker thread of the client's own pool (at most ``max_workers``
    at once, started on demand) with the GIL released while it waits on the network, so the
    event loop is never blocked. Cancelling an awaiting task does not recall a request that
    was already sent. Use ``async with`` or ``close()`` to stop the pool's threads.
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
        max_workers: int = DEFAULT_MAX_WORKERS,
    ) -> "AsyncClient":
        """A client from the environment, like ``Client.from_env()``."""
        client = Client.from_env(
            timeout=timeout,
            connect_timeout=connect_timeout,
            user_agent=user_agent,
            connect_retries=connect_retries,
        )
        return cls.from_client(client, max_workers=max_workers)

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

    async def _run(self, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def duo_callback(
        self,
        to1: str,
        to2: str,
        max_call_duration: int,
        *,
        from1: Optional[str] = None,
        from2: Optional[str] = None,
        ring_tone: Optional[str] = None,
        ring_tone_mode: Optional[int] = None,
        max_dial_duration: Optional[int] = None,
        recording: Optional[bool] = None,
        record_mode: Optional[int] = None,
        user_data: Optional[str] = None,
    ) -> CallCreated:
        """Places a voice callback; see ``Client.duo_callback``."""
        return await self._run(
            self._client.duo_callback,
            to1,
            to2,
            max_call_duration,
            from1=from1,
            from2=from2,
            ring_tone=ring_tone,
            ring_tone_mode=ring_tone_mode,
            max_dial_duration=max_dial_duration,
            recording=recording,
            record_mode=record_mode,
            user_data=user_data,
        )

    async def cancel_duo_callback(self, call_id: str) -> None:
        """Cancels a voice callback; see ``Client.cancel_duo_callback``."""
        await self._run(self._client.cancel_duo_callback, call_id)

    async def notify_call(
        self,
        to: str,
        *,
        play_file: Optional[str] = None,
        play_content: Optional[Sequence[Union[PlayItem, Tuple[str, int], Tuple[str, int, str]]]] = None,
        from_: Optional[str] = None,
        repeat: Optional[int] = None,
        max_dial_duration: Optional[int] = None,
        user_data: Optional[str] = None,
    ) -> CallCreated:
        """Calls a number and plays a voice notification; see ``Client.notify_call``."""
        return await self._run(
            self._client.notify_call,
            to,
            play_file=play_file,
            play_content=play_content,
            from_=from_,
            repeat=repeat,
            max_dial_duration=max_dial_duration,
            user_data=user_data,
        )

    async def verify_call(
        self,
        to: str,
        verify_code: Optional[str] = None,
        *,
        play_file: Optional[str] = None,
        from_: Optional[str] = None,
        repeat: Optional[int] = None,
        max_dial_duration: Optional[int] = None,
        user_data: Optional[str] = None,
    ) -> CallCreated:
        """Calls a number and reads out a verification code; see ``Client.verify_call``."""
        return await self._run(
            self._client.verify_call,
            to,
            verify_code,
            play_file=play_file,
            from_=from_,
            repeat=repeat,
            max_dial_duration=max_dial_duration,
            user_data=user_data,
        )

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
