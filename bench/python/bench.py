"""Python: the yunhuni binding against what a Python application would write without it.

Rows (one JSON object per line on stdout, the fields of bench/src/main.rs):

- ``Client.duo_callback`` vs ``requests.Session`` + ``hmac``/``hashlib`` (bench/baselines),
  sequential, interleaved repetition by repetition;
- 8 threads sharing one ``Client`` vs 1 thread, same total number of requests;
- ``parse_event`` of a real ``duo_callback.end`` body vs ``json.loads`` plus a dataclass with
  the same fields.

    py/.venv/bin/python bench/python/bench.py --base-url URL [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional, Union

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "baselines"))

import yunhuni  # noqa: E402
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
) -> None:
    o, o_spread = stats(ours)
    b, b_spread = stats(baseline) if baseline else (None, None)
    print(
        json.dumps(
            {
                "name": name,
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
    baseline = RequestsClient(APP_ID, CERT_ID, SECRET_KEY, base_url)

    def run_ours() -> None:
        for _ in range(n):
            assert len(ours.duo_callback("13800000001", "13800000002", 60).call_id) == 32

    def run_baseline() -> None:
        for _ in range(n):
            assert len(baseline.duo_callback("13800000001", "13800000002", 60)) == 32

    o, b = interleaved(reps, n, run_ours, run_baseline)
    row(
        "Python yunhuni.Client vs requests.Session + hmac, sequential",
        o,
        b,
        "requests/s",
        2,
        f"{n} requests per sample; requests {sys.modules['requests'].__version__}, "
        f"Python {sys.version.split()[0]}",
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
        f"{n // count * count} requests per sample; unpinned: the client and the sandbox share all "
        f"{len(os.sched_getaffinity(0))} cores",
    )


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

    # Both read the fields a webhook handler typically uses: ours converts its fields to Python
    # objects when they are read, the dataclass has them all already.
    def run_ours() -> None:
        parse = yunhuni.parse_event
        for _ in range(n):
            e = parse(END_EVENT)
            e.id, e.end_time, e.user_data  # type: ignore[union-attr]

    def run_baseline() -> None:
        for _ in range(n):
            e = baseline_parse(END_EVENT)
            e.id, e.end_time, e.user_data

    o, b = interleaved(reps, n, run_ours, run_baseline)
    row(
        "Python parse_event vs json.loads + dataclass",
        o,
        b,
        "events/s",
        1,
        f"{len(END_EVENT)} byte duo_callback.end body, {n} per sample; each reads id, end_time and user_data",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", choices=["sequential", "threads", "parse"])
    args = parser.parse_args()
    reps = 2 if args.quick else 7
    if args.only in (None, "sequential"):
        sequential(args.base_url, 50 if args.quick else 1000, reps)
    if args.only in (None, "threads"):
        threads(args.base_url, 80 if args.quick else 2000, reps)
    if args.only in (None, "parse"):
        parse(2_000 if args.quick else 200_000, reps)


if __name__ == "__main__":
    main()
