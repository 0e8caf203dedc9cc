"""The platform's webhooks in a Flask application, with ``yunhuni.webhook``.

Each event reaches ``handle`` once, typed, even when the platform sends it again, and even
across the processes of the server when ``REDIS_URL`` is set (they share what was seen)::

    pip install flask gunicorn redis
    export YUNHUNI_WEBHOOK_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(24))')
    export REDIS_URL=redis://127.0.0.1:6379/0
    gunicorn -w 4 -b 0.0.0.0:8000 'webhook_flask:create_app()'
    # callback URL for the platform: https://your.host/yunhuni/events?token=$YUNHUNI_WEBHOOK_TOKEN

The helper answers 200 once ``handle`` returns; when it raises, the helper forgets the delivery
and answers 500, so the platform sends it again (up to 4 attempts in all). A POST without the
token is refused (401/403) and a body over 1 MiB is refused (413), both before the body is read.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Optional

from flask import Flask, Response, request

import yunhuni
from yunhuni.webhook import Receiver, RedisStore, WSGIApp

log = logging.getLogger("webhook")


def handle(event: Any) -> None:
    """What the application does with each event (here: one log line)."""
    if isinstance(event, yunhuni.DuoCallbackEnd):
        log.info("call %s ended: %s, talked %s s, user_data=%r", event.id, event.outcome,
                 event.talk_seconds, event.user_data)
    else:
        log.info("%s %s", event.event, event.id)


def receiver_from_env() -> Receiver:
    """The URL token from ``YUNHUNI_WEBHOOK_TOKEN``; Redis dedup when ``REDIS_URL`` is set,
    else in-process (enough for one process)."""
    url = os.environ.get("REDIS_URL")
    return Receiver(
        os.environ.get("YUNHUNI_WEBHOOK_TOKEN") or None,
        store=RedisStore.from_url(url) if url else "memory",
    )


def create_app(handler: Callable[[Any], None] = handle, receiver: Optional[Receiver] = None) -> Flask:
    hook = WSGIApp(receiver or receiver_from_env(), handler)
    app = Flask(__name__)

    @app.post("/yunhuni/events")
    def events() -> Response:
        # The raw request (the body is read by the helper, after the token and length checks).
        status, headers, body = hook.respond(request.environ)
        return Response(body, status=status, headers=headers)

    return app
