"""The platform's webhooks in a Django application, with ``yunhuni.webhook``: a whole project
in one file (in yours, the view goes in ``views.py`` and its path in ``urls.py``).

Each event reaches ``handle`` once, typed, even when the platform sends it again, and even
across the server's processes when ``REDIS_URL`` is set (they share what was seen)::

    pip install django gunicorn redis
    export YUNHUNI_WEBHOOK_TOKEN=$(python -c 'import secrets; print(secrets.token_urlsafe(24))')
    export REDIS_URL=redis://127.0.0.1:6379/0
    gunicorn -w 4 -b 0.0.0.0:8000 'webhook_django:create_application()'
    # callback URL for the platform: https://your.host/yunhuni/events?token=$YUNHUNI_WEBHOOK_TOKEN

The view hands the helper Django's ``request.META`` (the WSGI environ, whose body is still
unread). The helper answers 200 once ``handle`` returns; when it raises, it forgets the delivery
and answers 500, so the platform sends it again.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, List, Optional

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

import yunhuni
from yunhuni.webhook import Receiver, RedisStore, WSGIApp

log = logging.getLogger("webhook")

_hook: Optional[WSGIApp] = None


def handle(event: Any) -> None:
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


@csrf_exempt  # the platform cannot send a CSRF token; the URL token guards this view
def events(request: HttpRequest) -> HttpResponse:
    assert _hook is not None, "create_application() sets up the helper"
    status, headers, body = _hook.respond(request.META)
    response = HttpResponse(body, status=status)
    for name, value in headers:
        response[name] = value
    return response


urlpatterns: List[URLPattern] = [path("yunhuni/events", events)]


def create_application(
    handler: Callable[[Any], None] = handle, receiver: Optional[Receiver] = None
) -> WSGIHandler:
    """The WSGI application (what ``wsgi.py`` holds in a project)."""
    global _hook
    _hook = WSGIApp(receiver or receiver_from_env(), handler)
    if not settings.configured:
        settings.configure(
            DEBUG=False,
            SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "only-for-this-example"),
            ROOT_URLCONF=__name__,
            ALLOWED_HOSTS=["*"],
            MIDDLEWARE=["django.middleware.common.CommonMiddleware"],
            APPEND_SLASH=False,
        )
        django.setup()
    return WSGIHandler()
