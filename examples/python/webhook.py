"""A webhook receiver on the standard library's ``http.server``, with ``yunhuni.webhook.Receiver``.

For every POST it checks the URL token and the declared length before reading the body, then
lets the receiver parse the event (typed) and tell whether it was seen before: the platform
POSTs each event up to four times, one right after the other, until it gets HTTP 200, and its
webhooks are not signed, so the token in the callback URL is the guard. Each new event is
handled (one log line) and answered 200; when handling raises, the receiver forgets the event
and the answer is 500, so that the platform sends it again::

    python examples/python/webhook.py --port 8000 --token SECRET   # serve until interrupted
    python examples/python/webhook.py --demo                         # sandbox -> this receiver, then exit

For Flask, Django or FastAPI see webhook_flask.py, webhook_django.py and webhook_fastapi.py.
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, List, Optional, Tuple
from urllib.parse import urlsplit

import yunhuni
from yunhuni.testing import Sandbox
from yunhuni.webhook import Receiver

log = logging.getLogger("webhook")

#: What the receiver hands over: a typed event class (DuoCallbackEnd, IvrGetEnd, ...), an
#: IvrStart, or an Event for the others. Each has `event`, `id` and `to_dict()`.
AnyEvent = Any


def describe(event: AnyEvent) -> str:
    """One log line for an event."""
    if isinstance(event, yunhuni.DuoCallbackEnd):
        return (
            f"duo_callback.end {event.id}: {event.outcome}, talked {event.talk_seconds} s, "
            f"user_data={event.user_data!r}"
        )
    if isinstance(event, (yunhuni.NotifyCallEnd, yunhuni.VerifyCallEnd)):
        return f"{event.event} {event.id}: ended by {event.ended_by}, error={event.error!r}, user_data={event.user_data!r}"
    if isinstance(event, yunhuni.Event):
        return f"{event.event} {event.id}: {len(event.fields)} fields"
    return f"{event.event} {event.id}: {event.to_dict()}"


class WebhookServer(ThreadingHTTPServer):
    """The HTTP server: one thread per request; `on_event` gets each new event once."""

    daemon_threads = True

    def __init__(
        self, address: Tuple[str, int], on_event: Callable[[AnyEvent], None], receiver: Optional[Receiver] = None
    ) -> None:
        super().__init__(address, Handler)
        self.on_event = on_event
        self.receiver = receiver or Receiver()  # in-process dedup; RedisStore for several processes

    def handle_event(self, event: AnyEvent) -> None:
        log.info("%s", describe(event))
        self.on_event(event)


class Handler(BaseHTTPRequestHandler):
    server: WebhookServer

    def do_POST(self) -> None:
        receiver = self.server.receiver
        query = urlsplit(self.path).query
        declared = self.headers.get("Content-Length")
        try:
            length = int(declared) if declared is not None else None
        except ValueError:
            return self.answer(400, "Content-Length is not a number")
        try:
            # Before reading: a wrong token (401/403) or a body too large (413) is refused unread.
            receiver.check_head(query, length)
            delivery = receiver.receive(query, self.rfile.read(length) if length else b"")
        except yunhuni.YunhuniError as e:
            log.warning("refused a POST: %s", e)
            # What was wrong with the request is told to the client; a failure here (503) is not.
            status = e.status or 400
            return self.answer(status, str(e) if status < 500 else "try again")
        if delivery.duplicate:
            log.info("repeated delivery %s answered 200", delivery.key)
        else:
            try:
                self.server.handle_event(delivery.event)
            except Exception:
                log.exception("handling %s failed; the platform will send it again", delivery.key)
                receiver.release(delivery.key)
                return self.answer(500, "handling failed; send it again")
        self.answer(delivery.status, delivery.body)

    def answer(self, status: int, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per event is logged by handle_event


def demo() -> int:
    """Starts the receiver and the sandbox, places three calls, and replays one delivery."""
    received: List[AnyEvent] = []
    server = WebhookServer(("127.0.0.1", 0), received.append, Receiver("demo-token"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/yunhuni/events?token=demo-token"
    try:
        with Sandbox(callback_url=url, time_scale=100) as sandbox:
            client = sandbox.client()
            calls = [
                client.duo_callback("13800000001", "13800000002", 600, user_data="order-1"),
                client.duo_callback("13900000001", "13800000002", 600, user_data="order-2"),  # busy
                client.notify_call("13800000003", play_file="reminder.wav", user_data="order-3"),
            ]
            deliveries = [sandbox.wait_for_end(call.call_id, timeout=30) for call in calls]
            assert all(d.delivered for d in deliveries)
            # What the platform does when it did not get 200 in time: the same bytes again.
            request = urllib.request.Request(url, data=deliveries[0].body, method="POST")
            with urllib.request.urlopen(request, timeout=5) as response:
                assert response.status == 200
            # Without the token: refused.
            anonymous = urllib.request.Request(url.split("?")[0], data=deliveries[0].body, method="POST")
            try:
                urllib.request.urlopen(anonymous, timeout=5)
                raise AssertionError("a POST without the token was accepted")
            except urllib.error.HTTPError as e:
                assert e.code == 401
    finally:
        server.shutdown()
        server.server_close()
    assert sorted(e.id or "" for e in received) == sorted(c.call_id for c in calls), "each event handled once"
    print(f"demo: {len(received)} events handled, 1 repeated delivery ignored, 1 POST without the token refused")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="A webhook receiver for the platform's events.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--token", help="the secret the callback URL must carry as ?token=...")
    parser.add_argument("--demo", action="store_true", help="run against the sandbox, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.demo:
        return demo()
    server = WebhookServer((args.host, args.port), lambda event: None, Receiver(args.token))
    log.info("listening on http://%s:%d/", args.host, server.server_address[1])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
