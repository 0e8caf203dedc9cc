"""yunhuni.testing.Sandbox running an IVR application served by this process (http.server):
ivr_url, inbound_call, ivr_call, scripted keys, the requests and events the app sees."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, Iterator, List, Tuple
from urllib.parse import parse_qs, urlsplit

import pytest

import yunhuni
from yunhuni.testing import Sandbox

FAST = 1000.0

Seen = Tuple[str, str, Dict[str, str], bytes]


class IvrApp:
    """A two-level menu. As on the platform, one URL may take both the events (POSTed with
    ``"action":"event_notify"``) and ``ivr_start``: the body tells them apart."""

    def __init__(self) -> None:
        self.seen: List[Seen] = []
        self.lock = threading.Lock()
        app = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _reply(self, body: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _record(self, body: bytes) -> None:
                with app.lock:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    app.seen.append((self.command, self.path, headers, body))

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                self._record(body)
                if b'"event_notify"' in body:
                    self._reply(b"")
                else:
                    # Absolute: a relative <next> in the first document of an inbound call
                    # cannot be resolved by the platform (the call would stall).
                    self._reply(
                        b'<response><get max_keys="1"><play>menu.wav</play></get>'
                        b"<next>" + app.url("/menu").encode() + b"</next></response>"
                    )

            def do_GET(self) -> None:
                self._record(b"")
                url = urlsplit(self.path)
                keys = parse_qs(url.query).get("keys", [""])[0]
                if url.path == "/menu" and keys == "2":
                    doc = b"<response><play>two.wav</play><next>/bye</next></response>"
                else:
                    doc = b"<response><hangup/></response>"
                self._reply(doc)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def requests(self) -> List[Seen]:
        with self.lock:
            return [s for s in self.seen if b'"event_notify"' not in s[3]]

    def events(self, call_id: str) -> List[Dict[str, object]]:
        with self.lock:
            bodies = [s[3] for s in self.seen if b'"event_notify"' in s[3]]
        events = [json.loads(b.decode("latin-1")) for b in bodies]
        return [e for e in events if e.get("id") == call_id]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def app() -> Iterator[IvrApp]:
    a = IvrApp()
    yield a
    a.close()


def wait_events(app: IvrApp, call_id: str, names: List[str]) -> List[Dict[str, object]]:
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        events = app.events(call_id)
        if sorted(str(e["event"]) for e in events) == sorted(names):
            return events
        time.sleep(0.01)
    raise AssertionError(f"events {app.events(call_id)} are not {names}")


def test_inbound_call_walks_the_menu(app: IvrApp) -> None:
    with Sandbox(
        callback_url=app.url("/events"), ivr_url=app.url("/ivr"), time_scale=FAST
    ) as sb:
        assert sb.ivr_url == app.url("/ivr")
        sb.set_behavior("13600000001", keys=["2"])
        assert sb.behavior("13600000001")["keys"] == ["2"]
        call_id = sb.inbound_call("13600000001", "02088880000")
        delivery = sb.wait_for_end(call_id, timeout=10)
        assert delivery.event == "ivr.call_end" and delivery.delivered
        events = wait_events(
            app, call_id, ["ivr.get_end", "ivr.play_end", "ivr.call_end"]
        )
        get_end = next(e for e in events if e["event"] == "ivr.get_end")
        assert get_end["keys"] == "2"
        requests = app.requests()
        method, path, headers, body = requests[0]
        assert (method, path) == ("POST", "/ivr")
        assert body == (
            '{"action":"ivr_start","from":"13600000001","type":"ivr_incoming",'
            f'"call_id":"{call_id}"}}'
        ).encode()
        assert headers["content-type"] == "application/json;charset=utf-8"
        assert headers["accept"] == "text/plain;charset=utf-8"
        assert [r[1] for r in requests[1:]] == [
            f"/menu?call_id={call_id}&type=get&keys=2",
            f"/bye?call_id={call_id}&type=play",
        ]
        log = sb.ivr_requests(call_id)
        assert [r["method"] for r in log] == ["POST", "GET", "GET"]
        assert "menu.wav" in log[0]["reply"]
        call = sb.call(call_id)
        assert call is not None and call["kind"] == "ivr_incoming"
        assert call["timeline"][0]["state"] == "incoming"


def test_ivr_call_with_the_typed_client(app: IvrApp) -> None:
    with Sandbox(time_scale=FAST) as sb:
        # One URL for events and IVR, as on the platform: ivr_start goes to the callback URL.
        assert sb.ivr_url is None
        sb.callback_url = app.url("/both")
        sb.set_behavior("13800000001", "after", ms=500, keys=["9"], key_interval_ms=300)
        created = sb.client().ivr_call("13800000001", 60, user_data="u-1")
        delivery = sb.wait_for_end(created.call_id, timeout=10)
        assert delivery.event == "ivr.call_end"
        start = app.requests()[0]
        assert (start[0], start[1]) == ("POST", "/both")
        assert json.loads(start[3])["user_data"] == "u-1"
        assert json.loads(start[3])["type"] == "ivr_call"
        # 9 is not on the menu: the app hangs up.
        events = wait_events(app, created.call_id, ["ivr.dial_end", "ivr.get_end", "ivr.call_end"])
        get_end = next(e for e in events if e["event"] == "ivr.get_end")
        assert get_end["keys"] == "9"


def test_recordings_and_bad_input(app: IvrApp) -> None:
    with Sandbox(time_scale=FAST) as sb:
        assert sb.recordings() == []
        with pytest.raises(ValueError, match="from"):
            sb.inbound_call(" ", "02088880000")
        with pytest.raises(yunhuni.ValidationError, match="from_"):
            sb.inbound_call(None, "02088880000")  # type: ignore[arg-type]
        with pytest.raises(KeyError):
            sb.ivr_requests("no-such-call")
        with pytest.raises(ValueError, match="keys"):
            sb.set_behavior("13600000001", keys=["1x"])
        with pytest.raises(TypeError, match="list"):
            sb.set_behavior("13600000001", keys="12")  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="ivr_timeout"):
            Sandbox(ivr_timeout=-1.0)
        sb.set_app_settings({"disabled_services": ["ivr"]})
        with pytest.raises(PermissionError, match="IVR service"):
            sb.inbound_call("13600000001", "02088880000")
        # No IVR URL at all: the four attempts fail and the caller hangs up.
        sb.set_app_settings({})
        sb.set_behavior("13600000002", keys=[], hangup_after_ms=1000)
        call_id = sb.inbound_call("13600000002", "02088880000")
        delivery = sb.wait_for_end(call_id, timeout=10)
        assert delivery.url is None
        attempts = sb.ivr_requests(call_id)
        assert attempts and all(a["error"] == "the app has no IVR URL" for a in attempts)
        sb.ivr_url = app.url("/ivr")
        assert sb.ivr_url == app.url("/ivr")
        sb.ivr_url = None
        assert sb.ivr_url is None

