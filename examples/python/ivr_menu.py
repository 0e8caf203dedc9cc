"""An IVR menu as a WSGI application: three levels of ``<get>``, a dial, a recording.

Serve it with any WSGI server, on the URL you give the platform as your app's IVR URL::

    gunicorn 'ivr_menu:application'            # or waitress-serve, uwsgi, mod_wsgi, ...
    python examples/python/ivr_menu.py --demo   # wsgiref and the sandbox: a caller presses 1, then 2

The platform POSTs ``ivr_start`` (and, when it is the same URL, the ``ivr.*`` events) to the URL,
then GETs each ``<next>`` URL with the results of the action that ran. The same code runs against
the platform and against ``yunhuni.testing.Sandbox``.

    main menu      1 sales             1 orders       1 order status, then goodbye
                                                      2 back to the main menu
                                       2 a sales agent (dial), then goodbye
                   2 support           1 opening hours (the call ends after it)
                                       2 leave a message (record), then thanks
                   anything else: goodbye
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
import wsgiref.util
from typing import Any, Callable, Dict, Iterable, List, Tuple

import yunhuni
from yunhuni.ivr import IvrNext, Response

log = logging.getLogger("ivr_menu")

#: The number a caller reaches with "sales, 2".
SALES_AGENT = "13800000099"

#: The typed events the app received, in order (a real app would store them).
EVENTS: List[Any] = []
_events_lock = threading.Lock()


def main_menu(base: str) -> Response:
    return Response().get(max_keys=1, finish_keys="#").play("main-menu.wav").next(f"{base}/ivr/main")


def goodbye() -> Response:
    return Response().play("goodbye.wav").end_call()


def step(base: str, path: str, nxt: IvrNext) -> Response:
    """The document answering the ``<next>`` request to ``path``: the results of the action that
    just ran are in ``nxt`` (``nxt.keys`` after a ``<get>``)."""
    keys = nxt.keys
    if path == "/ivr/main":
        if keys == "1":
            return Response().get(max_keys=1).play("sales-menu.wav").next(f"{base}/ivr/sales")
        if keys == "2":
            return Response().get(max_keys=1).play("support-menu.wav").next(f"{base}/ivr/support")
        return goodbye()
    if path == "/ivr/sales":
        if keys == "1":
            return Response().get(max_keys=1).play("orders-menu.wav").next(f"{base}/ivr/orders")
        if keys == "2":
            return (
                Response()
                .dial(max_dial_duration=30)
                .number(SALES_AGENT)
                .play("ringing.wav")
                .next(f"{base}/ivr/goodbye")
            )
        return goodbye()
    if path == "/ivr/orders":
        if keys == "1":
            return Response().play("order-status.wav").next(f"{base}/ivr/goodbye")
        if keys == "2":
            return main_menu(base)
        return goodbye()
    if path == "/ivr/support":
        if keys == "1":
            return Response().play("opening-hours.wav").end_call()
        if keys == "2":
            return Response().record(max_duration=60, beeping=True, finish_keys="#").next(f"{base}/ivr/recorded")
        return goodbye()
    if path == "/ivr/recorded":
        log.info("message recorded: %s", nxt.record_id)
        return Response().play("thanks.wav").end_call()
    if path == "/ivr/goodbye":
        return goodbye()
    return Response().hangup()


def on_event(event: Any) -> None:
    """A webhook event (typed: IvrGetEnd, IvrCallEnd, ...)."""
    with _events_lock:
        EVENTS.append(event)
    log.info("event %s %s", type(event).__name__, event.to_dict())


Start = Callable[[str, List[Tuple[str, str]]], Any]


def application(environ: Dict[str, Any], start_response: Start) -> Iterable[bytes]:
    """The WSGI application."""
    base = wsgiref.util.application_uri(environ).rstrip("/")
    method = environ["REQUEST_METHOD"]
    path = environ.get("PATH_INFO") or "/"
    try:
        if method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            if length > 1024 * 1024:
                return reply(start_response, "413 Payload Too Large", b"", "text/plain")
            body = environ["wsgi.input"].read(length)
            event = yunhuni.parse_event(body)
            if isinstance(event, yunhuni.IvrStart):
                log.info("ivr_start %s from %s (%s)", event.call_id, event.from_, event.kind)
                return xml(start_response, main_menu(base))
            on_event(event)
            return reply(start_response, "200 OK", b"", "text/plain")
        if method == "GET" and path.startswith("/ivr/"):
            nxt = yunhuni.parse_ivr_next(environ.get("QUERY_STRING", ""))
            log.info("next %s after %s: keys=%s error=%s", path, nxt.action, nxt.keys, nxt.error)
            return xml(start_response, step(base, path, nxt))
        return reply(start_response, "404 Not Found", b"", "text/plain")
    except yunhuni.DecodeError as e:
        log.warning("not a request of the platform: %s", e)
        return reply(start_response, "400 Bad Request", b"", "text/plain")


def xml(start_response: Start, document: Response) -> Iterable[bytes]:
    text = document.to_xml()
    log.info("reply %s", text)
    return reply(start_response, "200 OK", text.encode("utf-8"), "text/xml; charset=utf-8")


def reply(start_response: Start, status: str, body: bytes, content_type: str) -> Iterable[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


def demo() -> int:
    """Serves the app with wsgiref and walks a caller through it in the sandbox."""
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from yunhuni.testing import Sandbox

    class Quiet(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = make_server("127.0.0.1", 0, application, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        with Sandbox(callback_url=f"{url}/events", ivr_url=f"{url}/ivr", time_scale=50.0) as sb:
            sb.set_behavior("13600000001", keys=["1", "2"])  # sales, then a sales agent
            sb.set_behavior(SALES_AGENT, "after", ms=2000, hangup_after_ms=20000)
            call_id = sb.inbound_call("13600000001", "02088880000")
            end = sb.wait_for_end(call_id, timeout=30)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not any(
                isinstance(e, yunhuni.IvrCallEnd) for e in list(EVENTS)
            ):
                time.sleep(0.02)
            print(f"call {call_id} ended: {end.event if end else None}")
            for e in EVENTS:
                print(f"  {type(e).__name__}: {e.to_dict()}")
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo", action="store_true", help="serve with wsgiref and walk a caller through the sandbox")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.demo:
        sys.exit(demo())
    parser.print_help()
