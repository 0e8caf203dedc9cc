"""A webhook receiver on the standard library's ``http.server``.

For every POST it answers 200 at once, parses the body with ``yunhuni.parse_event``, logs one
line, and ignores the platform's repeated deliveries of the same event (the platform POSTs each
event up to four times, one right after the other, until it gets HTTP 200; its webhooks are not
signed, so keep the URL private)::

    python examples/python/webhook.py --port 8000   # serve until interrupted
    python examples/python/webhook.py --demo        # sandbox -> this receiver, then exit
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
import threading
import urllib.request
from collections import OrderedDict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, List, Optional, Tuple

import yunhuni
from yunhuni.testing import Sandbox

log = logging.getLogger("webhook")

#: The largest body read; the platform's are a few hundred bytes.
MAX_BODY = 1024 * 1024

#: What yunhuni.parse_event returns: a typed event class (DuoCallbackEnd, IvrGetEnd, ...), an
#: IvrStart, or an Event for the others. Each has `event`, `id` and `to_dict()`.
AnyEvent = Any


class SeenEvents:
    """The keys of the most recent events, to recognise a repeated delivery."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._keys: "OrderedDict[Tuple[str, str], None]" = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def first_time(self, key: Tuple[str, str]) -> bool:
        """Records `key`; False if it was already there."""
        with self._lock:
            if key in self._keys:
                return False
            self._keys[key] = None
            if len(self._keys) > self._capacity:
                self._keys.popitem(last=False)
            return True


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


class Receiver(ThreadingHTTPServer):
    """The HTTP server: one thread per request; `on_event` gets each new event once."""

    daemon_threads = True

    def __init__(self, address: Tuple[str, int], on_event: Callable[[AnyEvent], None]) -> None:
        super().__init__(address, Handler)
        self.on_event = on_event
        self.seen = SeenEvents()

    def handle_body(self, body: bytes) -> None:
        try:
            event = yunhuni.parse_event(body)
        except yunhuni.DecodeError as e:
            log.warning("ignored a body that is not an event: %s", e)
            return
        key = (event.event, event.id or hashlib.sha256(body).hexdigest())
        if not self.seen.first_time(key):
            log.info("repeated delivery of %s %s ignored", key[0], key[1])
            return
        log.info("%s", describe(event))
        self.on_event(event)


class Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, MAX_BODY))
        # Answer at once: the platform waits at most 5 s and then delivers the event again.
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
        self.wfile.flush()
        self.server.handle_body(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per event is logged by handle_body


def demo() -> int:
    """Starts the receiver and the sandbox, places three calls, and replays one delivery."""
    received: List[AnyEvent] = []
    receiver = Receiver(("127.0.0.1", 0), received.append)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{receiver.server_address[1]}/yunhuni/events"
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
    finally:
        receiver.shutdown()
        receiver.server_close()
    assert sorted(e.id or "" for e in received) == sorted(c.call_id for c in calls), "each event handled once"
    print(f"demo: {len(received)} events handled, 1 repeated delivery ignored")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="A webhook receiver for the platform's events.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--demo", action="store_true", help="run against the sandbox, then exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.demo:
        return demo()
    receiver = Receiver((args.host, args.port), lambda event: None)
    log.info("listening on http://%s:%d/", args.host, receiver.server_address[1])
    try:
        receiver.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        receiver.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
