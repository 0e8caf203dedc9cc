"""The handler of the webhook load run and of the Python webhook tests: it records each event
it handles in Redis, and misbehaves on purpose for a share of the events, chosen by the
``user_data`` the driver gives each call:

- ``fail-...``: the first handling raises, so the helper releases the key and answers 500, and
  the platform sends the event again;
- ``slow-...``: the first handling sleeps ``WEBHOOK_SLOW_S`` seconds (longer than the platform
  waits), so the platform sends the event again while it is being handled.

Each handling that returns is counted with ``HINCRBY <prefix>handled <call id> 1``, and the
process that did it with ``HINCRBY <prefix>pids <pid> 1``: the driver (run.py) compares these
counts with the sandbox's record of what it delivered. Configured by the environment:
``WEBHOOK_REDIS_URL`` (required), ``WEBHOOK_RECORD_PREFIX`` (default ``rec:``),
``WEBHOOK_SLOW_S`` (default 1.0).
"""

from __future__ import annotations

import os
import time
from typing import Any, Optional

import redis

_client: Optional["redis.Redis"] = None


def client() -> "redis.Redis":
    """This process's Redis client (made on first use, after the server forked the worker)."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(os.environ["WEBHOOK_REDIS_URL"])
    return _client


def prefix() -> str:
    return os.environ.get("WEBHOOK_RECORD_PREFIX", "rec:")


class HandlingFailed(RuntimeError):
    """Raised on purpose for the ``fail-`` share, on the first handling."""


def handle(event: Any) -> None:
    """Handles one event: counts the first try of each, fails or dawdles on purpose for a share
    of them, and records each handling that returns."""
    r = client()
    p = prefix()
    call_id = event.id or "-"
    user_data = getattr(event, "user_data", None) or ""
    tries = r.hincrby(p + "tries", call_id, 1)
    if tries == 1 and user_data.startswith("fail-"):
        raise HandlingFailed(f"failing the first handling of {call_id} on purpose")
    if tries == 1 and user_data.startswith("slow-"):
        time.sleep(float(os.environ.get("WEBHOOK_SLOW_S", "1.0")))
    pipe = r.pipeline(transaction=False)
    pipe.hincrby(p + "handled", call_id, 1)
    pipe.hincrby(p + "pids", str(os.getpid()), 1)
    pipe.execute()
