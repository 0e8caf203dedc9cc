"""Python: the yunhuni binding against what a Python application would write without it.

Rows (one JSON object per line on stdout, the fields of bench/src/main.rs, with a stable ``key``):

- ``Client.duo_callback`` vs ``http.client`` + ``hmac``/``hashlib`` and vs ``requests.Session``
  + ``hmac``/``hashlib`` (bench/baselines), sequential, interleaved repetition by repetition;
- ``Client`` shared by 8 and by 64 threads vs ``http.client``, one connection per thread;
- 8 threads sharing one ``Client`` vs 1 thread, same total number of requests;
- ``AsyncClient`` with 1, 8, 64 and 1,000 requests in flight vs ``asyncio`` streams with a pool of
  kept-alive connections (HTTP/1.1 by hand);
- ``parse_event`` of a real ``duo_callback.end`` body vs ``json.loads`` plus a dataclass with
  the same fields, each reading all 13 fields.

The round-trip rows are meant for the trivial loopback server (``yunhuni-bench serve``).

    py/.venv/bin/python bench/python/bench.py --base-url URL [--quick] [--only GROUP]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "baselines"))

import yunhuni  # noqa: E402
from python_http_client import AsyncioClient, HttpClientClient  # noqa: E402
from python_requests import RequestsClient  # noqa: E402

APP_ID = os.environ.get("YUNHUNI_APP_ID", "b0a5d1e5a2c64f0e9a7e3c1d5f000001")
CERT_ID = os.environ.get("YUNHUNI_CERT_ID", "c3e7a9f1d2b44e8c8a6b1f0e2d000001")
SECRET_KEY = os.environ.get("YUNHUNI_SECRET_KEY", "5d8f2a7c9e1b4d6fa3c0e8b7d9000001")
# The body the platform POSTs at the end of a connected callback (the same bytes as the Rust row).
END_EVENT = (
    b'{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify",'
    b'"id":"8a2bc6725b1d2e3f015b1d2f40a10001","answer_time2":1490930420000,"user_data":"order-42",'
    b'"event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}'
)


def stats(samples: list[float]) -> tuple[float, float]:
    s = sorted(samples)
    mid = len(s) // 2
    median = s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
    return median, (s[-1] - s[0]) / median if median > 0 else 0.0


def rate(work: float, run: Callable[[], None]) -> float:
    start = time.perf_counter()
    run()
    return work / (time.perf_counter() - start)


def interleaved(
    reps: int, work: float, ours: Callable[[], None], baseline: Callable[[], None]
) -> tuple[list[float], list[float]]:
    """Warms both up, then alternates one repetition of each; returns both lists of rates."""
    ours()
    baseline()
    o: list[float] = []
    b: list[float] = []
    for _ in range(reps):
        o.append(rate(work, ours))
        b.append(rate(work, baseline))
    return o, b


def row(
    name: str,
    ours: list[float],
    baseline: Optional[list[float]],
    unit: str,
    target: Union[float, str],
    note: str,
    key: str = "",
) -> None:
    o, o_spread = stats(ours)
    b, b_spread = stats(baseline) if baseline else (None, None)
    print(
        json.dumps(
            {
                "name": name,
                "key": key,
                "ours": o,
                "baseline": b,
                "unit": unit,
                "target": target,
                "ours_spread": o_spread,
                "baseline_spread": b_spread,
                "samples": len(ours),
                "note": note,
            },
            ensure_ascii=False,
        ),
        flush=True,
    )


def sequential(base_url: str, n: int, reps: int) -> None:
    ours = yunhuni.Client(APP_ID, CERT_ID, SECRET_KEY, base_url=base_url)
    with_requests = RequestsClient(APP_ID, CERT_ID, SECRET_KEY, base_url)
    with_http_client = HttpClientClient(APP_ID, CERT_ID, SECRET_KEY, base_url)

    def run_ours() -> None:
        for _ in range(n):
            assert len(ours.duo_callback("13800000001", "13800000002", 60).call_id) == 32

    def run_requests() -> None:
        for _ in range(n):
            assert len(with_requests.duo_callback("13800000001", "13800000002", 60)) == 32

    def run_http_client() -> None:
        for _ in range(n):
            assert len(with_http_client.duo_callback("13800000001", "13800000002", 60)) == 32

    # Interleaved: ours, http.client, ours, requests, ... after a warm-up of each.
    o, h = interleaved(reps, n, run_ours, run_http_client)
    o2, r = interleaved(reps, n, run_ours, run_requests)
    versions = f"Python {sys.version.split()[0]}"
    row(
        "Python yunhuni.Client vs http.client + hmac, sequential",
        o,
        h,
        "requests/s",
        1,
        f"{n} requests per sample; one kept-alive http.client.HTTPConnection; {versions}",
        "python_vs_http_client",
    )
    row(
        "Python yunhuni.Client vs requests.Session + hmac, sequential",
        o2,
        r,
        "requests/s",
        2,
        f"{n} requests per sample; requests {sys.modules['requests'].__version__}, {versions}",
        "python_vs_requests",
    )


def concurrent(base_url: str, n: int, reps: int, counts: tuple[int, ...] = (8, 64)) -> None:
    """One Client shared by `count` threads vs `count` threads with an http.client connection each."""
    client = yunhuni.Client(APP_ID, CERT_ID, SECRET_KEY, base_url=base_url)

    def on_threads(count: int, work: Callable[[int], None]) -> None:
        workers = [threading.Thread(target=work, args=(n // count,)) for _ in range(count)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    def ours_calls(k: int) -> None:
        for _ in range(k):
            assert len(client.duo_callback("13800000001", "13800000002", 60).call_id) == 32

    def baseline_calls(k: int) -> None:
        conn = HttpClientClient(APP_ID, CERT_ID, SECRET_KEY, base_url)
        for _ in range(k):
            assert len(conn.duo_callback("13800000001", "13800000002", 60)) == 32
        conn.conn.close()

    for count in counts:
        o, b = interleaved(
            reps, n // count * count, lambda: on_threads(count, ours_calls), lambda: on_threads(count, baseline_calls)
        )
        row(
            f"Python yunhuni.Client vs http.client + hmac, {count} threads",
            o,
            b,
            "requests/s",
            1,
            f"{n // count * count} requests per sample; one Client shared by the threads, one http.client "
            "connection per baseline thread",
            f"python_vs_http_client_c{count}",
        )


def threads(base_url: str, n: int, reps: int, count: int = 8) -> None:
    client = yunhuni.Client(APP_ID, CERT_ID, SECRET_KEY, base_url=base_url)

    def calls(k: int) -> None:
        for _ in range(k):
            assert len(client.duo_callback("13800000001", "13800000002", 60).call_id) == 32

    def run_threads() -> None:
        workers = [threading.Thread(target=calls, args=(n // count,)) for _ in range(count)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()

    def run_one() -> None:
        calls(n // count * count)

    o, b = interleaved(reps, n // count * count, run_threads, run_one)
    row(
        f"Python {count} threads sharing one Client vs 1 thread",
        o,
        b,
        "requests/s",
        1.5,
        f"{n // count * count} requests per sample",
        f"python_threads_{count}_vs_1",
    )


def in_flight(base_url: str, n: int, reps: int, counts: tuple[int, ...] = (1, 8, 64, 1000)) -> None:
    """AsyncClient with `count` requests in flight (its pool of 64 worker threads, the default,
    runs them) vs asyncio streams with as many kept-alive connections."""

    async def main() -> None:
        ours = yunhuni.AsyncClient(APP_ID, CERT_ID, SECRET_KEY, base_url=base_url)
        baseline = AsyncioClient(APP_ID, CERT_ID, SECRET_KEY, base_url)

        async def run(count: int, call: Callable[[], Any]) -> float:
            total = n // count * count if count <= n else count

            async def worker(k: int) -> None:
                for _ in range(k):
                    assert len(await call()) == 32

            start = time.perf_counter()
            await asyncio.gather(*(worker(total // count) for _ in range(count)))
            return total / (time.perf_counter() - start)

        async def ours_call() -> str:
            return (await ours.duo_callback("13800000001", "13800000002", 60)).call_id

        def baseline_call() -> Any:
            return baseline.duo_callback("13800000001", "13800000002", 60)

        for count in counts:
            await run(count, ours_call)
            await run(count, baseline_call)
            o: list[float] = []
            b: list[float] = []
            for _ in range(reps):
                o.append(await run(count, ours_call))
                b.append(await run(count, baseline_call))
            total = n // count * count if count <= n else count
            row(
                f"Python AsyncClient vs asyncio streams + hmac, {count} in flight",
                o,
                b,
                "requests/s",
                1,
                f"{total} requests per sample; AsyncClient's default pool of 64 worker threads; the baseline keeps "
                "one connection per request in flight",
                f"python_async_vs_asyncio_c{count}",
            )
        await baseline.close()
        await ours.__aexit__(None, None, None)

    asyncio.run(main())


@dataclass
class DuoCallbackEndRecord:
    """What an application would define for ``duo_callback.end`` without the SDK."""

    event: Optional[str]
    id: Optional[str]
    subaccount_id: Optional[str]
    begin_time: Optional[int]
    answer_time1: Optional[int]
    answer_time2: Optional[int]
    end_time: Optional[int]
    hangup_by: Optional[str]
    duration: Optional[int]
    reason: Optional[str]
    error: Optional[str]
    user_data: Optional[str]
    record_file: Optional[str]


def baseline_parse(body: bytes) -> DuoCallbackEndRecord:
    d = json.loads(body)
    return DuoCallbackEndRecord(
        event=d.get("event"),
        id=d.get("id"),
        subaccount_id=d.get("subaccount_id"),
        begin_time=d.get("begin_time"),
        answer_time1=d.get("answer_time1"),
        answer_time2=d.get("answer_time2"),
        end_time=d.get("end_time"),
        hangup_by=d.get("hangup_by"),
        duration=d.get("duration"),
        reason=d.get("reason"),
        error=d.get("error"),
        user_data=d.get("user_data"),
        record_file=d.get("record_file"),
    )


def parse(n: int, reps: int) -> None:
    def parse_event(body: bytes) -> yunhuni.DuoCallbackEnd:
        event = yunhuni.parse_event(body)
        assert isinstance(event, yunhuni.DuoCallbackEnd)
        return event

    ours_event = parse_event(END_EVENT)
    theirs = baseline_parse(END_EVENT)
    assert ours_event.id == theirs.id and ours_event.user_data == theirs.user_data
    assert ours_event.answer_time2 == theirs.answer_time2

    # Both read all 13 fields: ours converts its fields to Python objects when they are read, the
    # dataclass has them all already.
    def run_ours() -> None:
        parse = yunhuni.parse_event
        for _ in range(n):
            e = parse(END_EVENT)
            (e.event, e.id, e.subaccount_id, e.begin_time, e.answer_time1, e.answer_time2,  # type: ignore[union-attr]
             e.end_time, e.hangup_by, e.duration, e.reason, e.error, e.user_data,  # type: ignore[union-attr]
             e.record_file)  # type: ignore[union-attr]

    def run_baseline() -> None:
        for _ in range(n):
            e = baseline_parse(END_EVENT)
            (e.event, e.id, e.subaccount_id, e.begin_time, e.answer_time1, e.answer_time2, e.end_time, e.hangup_by,
             e.duration, e.reason, e.error, e.user_data, e.record_file)

    o, b = interleaved(reps, n, run_ours, run_baseline)
    row(
        "Python parse_event vs json.loads + dataclass",
        o,
        b,
        "events/s",
        1,
        f"{len(END_EVENT)} byte duo_callback.end body, {n} per sample; each reads all 13 fields",
        "python_parse_vs_json",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["sequential", "concurrent", "threads", "async", "parse"])
    args = parser.parse_args()
    reps = 2 if args.quick else 7
    if args.only in (None, "sequential"):
        sequential(args.base_url, 50 if args.quick else 1000, reps)
    if args.only in (None, "concurrent"):
        concurrent(args.base_url, 128 if args.quick else 4096, reps)
    if args.only in (None, "threads"):
        threads(args.base_url, 80 if args.quick else 2000, reps)
    if args.only in (None, "async"):
        in_flight(args.base_url, 200 if args.quick else 4000, reps)
    if args.only in (None, "parse"):
        parse(2_000 if args.quick else 200_000, reps)


if __name__ == "__main__":
    main()
