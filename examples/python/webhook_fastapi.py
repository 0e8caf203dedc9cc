"""The platform's webhooks in a FastAPI application, with ``yunhuni.webhook``.

Each event reaches ``handle`` once, typed, even when the platform sends it again, and even
across the server's processes when ``REDIS_URL`` is set (they share what was seen)::

    pip install fastapi uvicorn redis
    export YUNHUNI_WEBHOOK_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(24))')
    export REDIS_URL=redis://127.0.0.1:6379/0
    uvicorn --workers 4 --host 0.0.0.0 --port 8000 --factory webhook_fastapi:create_app
    # callback URL for the platform: https://your.host/yunhuni/events?token=$YUNHUNI_WEBHOOK_TOKEN

``handle`` may be ``async def`` (awaited) or a plain function (run in a thread). The helper
answers 200 once it returns; when it raises, the helper forgets the delivery and answers 500, so
the platform sends it again. A POST without the token (401/403) or with a body over 1 MiB (413)
is refused before the body is read.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Optional

from fastapi import FastAPI, Request, Response

import yunhuni
from yunhuni.webhook import ASGIApp, Receiver, RedisStore

log = logging.getLogger("webhook")


async def handle(event: Any) -> None:
    """What the application does with each event (here: one log line)."""
    if isinstance(event, yunhuni.DuoCallbackEnd):
        log.info("call %s ended: %s, user_data=%r", event.id, event.outcome, event.user_data)
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


def create_app(handler: Callable[[Any], Any] = handle, receiver: Optional[Receiver] = None) -> FastAPI:
    hook = ASGIApp(receiver or receiver_from_env(), handler)
    app = FastAPI()

    @app.post("/yunhuni/events")
    async def events(request: Request) -> Response:
        # The raw request (the body is read by the helper, after the token and length checks).
        status, headers, body = await hook.respond(request.scope, request.receive)
        return Response(body, status_code=status, headers=dict(headers))

    return app
