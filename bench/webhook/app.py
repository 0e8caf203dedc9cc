"""The applications that the webhook load run (run.py) and the Python webhook tests serve, each
with the recording handler of recorder.py and a Redis dedup store shared by every worker:

- ``app``: ``yunhuni.webhook.WSGIApp`` alone (the load run: gunicorn, 4 workers);
- ``flask_app()``, ``django_app()``, ``fastapi_app()``: the examples of examples/python, built
  with that handler (gunicorn for the first two, uvicorn for FastAPI).

The token and Redis come from the environment: ``YUNHUNI_WEBHOOK_TOKEN`` and
``WEBHOOK_REDIS_URL`` (the examples' ``REDIS_URL`` is set from it). ``WEBHOOK_LEASE_S``,
``WEBHOOK_WAIT_S`` and ``WEBHOOK_POLL_S`` set the receiver's lease, wait and poll interval (the
load run scales them with the platform's per-attempt wait, as the sandbox's time scale does;
core's defaults, 2 s, 4 s and 50 ms, are for the platform's real 5 s).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent / "examples" / "python"))

import recorder  # noqa: E402
from yunhuni.webhook import Receiver, RedisStore, WSGIApp  # noqa: E402

os.environ.setdefault("REDIS_URL", os.environ.get("WEBHOOK_REDIS_URL", ""))


def _seconds(name: str) -> Any:
    value = os.environ.get(name)
    return float(value) if value else None


def receiver() -> Receiver:
    return Receiver(
        os.environ.get("YUNHUNI_WEBHOOK_TOKEN") or None,
        store=RedisStore.from_url(os.environ["WEBHOOK_REDIS_URL"]),
        lease=_seconds("WEBHOOK_LEASE_S"),
        wait=_seconds("WEBHOOK_WAIT_S"),
        poll=_seconds("WEBHOOK_POLL_S"),
    )


def plain_app() -> WSGIApp:
    return WSGIApp(receiver(), recorder.handle)


def flask_app() -> Any:
    import webhook_flask

    return webhook_flask.create_app(recorder.handle)


def django_app() -> Any:
    import webhook_django

    return webhook_django.create_application(recorder.handle)


def fastapi_app() -> Any:
    import webhook_fastapi

    return webhook_fastapi.create_app(recorder.handle)


if os.environ.get("WEBHOOK_REDIS_URL"):
    app = plain_app()
