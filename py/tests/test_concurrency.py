"""Threads sharing one client, the GIL released on the network, and the asyncio client."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Iterator, List

import pytest

import yunhuni
from yunhuni.testing import Sandbox

DELAY = 0.3
N = 8


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[Sandbox]:
    """Every API answer takes DELAY seconds; requests are served concurrently."""
    with Sandbox(time_scale=100, api_delay=DELAY) as sb:
        yield sb


def test_one_call_takes_the_delay(slow_sandbox: Sandbox) -> None:
    client = slow_sandbox.client()
    start = time.monotonic()
    client.duo_callback("13800000001", "13800000002", 60)
    assert time.monotonic() - start >= DELAY * 0.9


def test_threads_sharing_one_client_complete_together(slow_sandbox: Sandbox) -> None:
    client = slow_sandbox.client()
    client.duo_callback("13800000001", "13800000002", 60)  # warm up
    results: List[yunhuni.CallCreated] = []
    errors: List[BaseException] = []
    barrier = threading.Barrier(N)

    def work(i: int) -> None:
        barrier.wait()
        try:
            results.append(client.duo_callback("13800000001", "13800000002", 60, user_data=f"t{i}"))
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(N)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    assert not errors
    assert sorted(r.user_data or "" for r in results) == sorted(f"t{i}" for i in range(N))
    assert len({r.call_id for r in results}) == N
    # Serialised, 8 calls would take 8 x 0.3 s = 2.4 s.
    assert elapsed < N * DELAY / 2, f"{N} calls took {elapsed:.2f} s"


def test_the_gil_is_released_while_waiting(slow_sandbox: Sandbox) -> None:
    client = slow_sandbox.client()
    done = threading.Event()
    ticks = 0

    def call() -> None:
        try:
            client.duo_callback("13800000001", "13800000002", 60)
        finally:
            done.set()

    thread = threading.Thread(target=call)
    thread.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    thread.join()
    # The main thread kept running Python code during the whole request.
    assert ticks > 50, ticks


def test_async_client_every_operation(slow_sandbox: Sandbox) -> None:
    async def main() -> None:
        async with slow_sandbox.async_client() as client:
            assert isinstance(client, yunhuni.AsyncClient)
            assert client.app_id == slow_sandbox.app_id
            assert client.cert_id == slow_sandbox.cert_id
            assert client.account_id == slow_sandbox.account_id
            assert client.api_root.startswith(slow_sandbox.base_url)
            assert isinstance(client.client, yunhuni.Client)
            call = await client.duo_callback("13800000001", "13800000002", 60, user_data="async")
            assert call.user_data == "async"
            with pytest.raises(yunhuni.ApiError) as err:
                await client.cancel_duo_callback("0123456789abcdef0123456789abcdef")
            assert err.value.code == "020000"
            n = await client.notify_call("13800000001", play_content=[("123", 1)], from_="1", repeat=0)
            assert n.call_id
            v = await client.verify_call("13800000001", "1234", max_dial_duration=30)
            assert v.call_id
            data = await client.post("call/duo_callback", {"to1": "1", "to2": "2", "max_call_duration": 5})
            assert data["callId"]
            with pytest.raises(yunhuni.ValidationError):
                await client.duo_callback("1", "1", 60)
            end = slow_sandbox.wait_for_end(call.call_id, timeout=10).parse()
            assert isinstance(end, yunhuni.DuoCallbackEnd) and end.user_data == "async"

    asyncio.run(main())


def test_async_calls_run_concurrently_off_the_loop(slow_sandbox: Sandbox) -> None:
    async def main() -> float:
        client = yunhuni.AsyncClient(
            slow_sandbox.app_id,
            slow_sandbox.cert_id,
            slow_sandbox.secret_key,
            base_url=slow_sandbox.base_url,
            timeout=10,
        )
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.005)

        tick_task = asyncio.create_task(ticker())
        start = time.monotonic()
        calls = await asyncio.gather(
            *(client.duo_callback("13800000001", "13800000002", 60) for _ in range(N))
        )
        elapsed = time.monotonic() - start
        stop.set()
        await tick_task
        await client.aclose()
        assert len({c.call_id for c in calls}) == N
        assert ticks > 10, "the event loop was blocked"
        return elapsed

    elapsed = asyncio.run(main())
    assert elapsed < N * DELAY / 2, f"{N} calls took {elapsed:.2f} s"


def test_async_from_env(monkeypatch: pytest.MonkeyPatch, slow_sandbox: Sandbox) -> None:
    monkeypatch.setenv("YUNHUNI_APP_ID", slow_sandbox.app_id)
    monkeypatch.setenv("YUNHUNI_CERT_ID", slow_sandbox.cert_id)
    monkeypatch.setenv("YUNHUNI_SECRET_KEY", slow_sandbox.secret_key)
    monkeypatch.setenv("YUNHUNI_BASE_URL", slow_sandbox.base_url)

    async def main() -> str:
        client = yunhuni.AsyncClient.from_env(max_workers=2)
        try:
            return (await client.duo_callback("13800000001", "13800000002", 60)).call_id
        finally:
            client.close()

    assert asyncio.run(main())
