"""The IVR menu of ``ivr_menu.py`` served by a real WSGI server (the standard library's wsgiref),
walked branch by branch by scripted callers in the sandbox::

    pytest examples/python/test_ivr_menu.py
"""

from __future__ import annotations

import threading
import time
from typing import Any, Iterator, List
from urllib.parse import urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

import ivr_menu
import yunhuni
from yunhuni.testing import Sandbox


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    server: WSGIServer = make_server("127.0.0.1", 0, ivr_menu.application, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def sandbox(served: str) -> Iterator[Sandbox]:
    with Sandbox(callback_url=f"{served}/events", ivr_url=f"{served}/ivr", time_scale=200.0) as sb:
        sb.set_behavior(ivr_menu.SALES_AGENT, "after", ms=2000, hangup_after_ms=20000)
        yield sb


def events_of(call_id: str) -> List[Any]:
    """The typed events the app received for the call, once its ivr.call_end is in."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        mine = [e for e in list(ivr_menu.EVENTS) if e.id == call_id]
        if any(isinstance(e, yunhuni.IvrCallEnd) for e in mine):
            return mine
        time.sleep(0.02)
    raise AssertionError(f"no ivr.call_end for {call_id}: {[type(e).__name__ for e in ivr_menu.EVENTS]}")


# caller's keys -> the <next> paths the platform requests, and the typed events that show the branch
BRANCHES = [
    (["1", "1", "1"], ["/ivr/main", "/ivr/sales", "/ivr/orders", "/ivr/goodbye"], "order-status"),
    (["1", "1", "2", "9"], ["/ivr/main", "/ivr/sales", "/ivr/orders", "/ivr/main"], "back-to-main"),
    (["1", "1", "4"], ["/ivr/main", "/ivr/sales", "/ivr/orders"], "orders-goodbye"),
    (["1", "2"], ["/ivr/main", "/ivr/sales", "/ivr/goodbye"], "sales-agent"),
    (["1", "7"], ["/ivr/main", "/ivr/sales"], "sales-goodbye"),
    (["2", "1"], ["/ivr/main", "/ivr/support"], "opening-hours"),
    (["2", "2"], ["/ivr/main", "/ivr/support", "/ivr/recorded"], "message"),
    (["2", "5"], ["/ivr/main", "/ivr/support"], "support-goodbye"),
    (["3"], ["/ivr/main"], "main-goodbye"),
]


@pytest.mark.parametrize("keys, paths, branch", BRANCHES, ids=[b[2] for b in BRANCHES])
def test_every_branch(sandbox: Sandbox, keys: List[str], paths: List[str], branch: str) -> None:
    caller = "1360000%04d" % BRANCHES.index((keys, paths, branch))
    sandbox.set_behavior(caller, keys=keys)
    call_id = sandbox.inbound_call(caller, "02088880000")
    end = sandbox.wait_for_end(call_id, timeout=30)
    assert end is not None and end.event == "ivr.call_end"

    requests = sandbox.ivr_requests(call_id)
    assert requests[0]["method"] == "POST" and urlsplit(requests[0]["url"]).path == "/ivr"
    assert [urlsplit(r["url"]).path for r in requests[1:]] == paths
    assert all(r["status"] == 200 for r in requests)

    events = events_of(call_id)
    pressed = [e.keys for e in events if isinstance(e, yunhuni.IvrGetEnd)]
    assert pressed == keys
    assert isinstance(events[-1], yunhuni.IvrCallEnd)
    names = {type(e).__name__ for e in events}
    if branch == "sales-agent":
        assert {"IvrConnectBegin", "IvrConnectEnd"} <= names
    if branch == "message":
        assert "IvrRecordEnd" in names
        assert sandbox.recordings(), "the <record> made a recording"
        assert "record_id=" in requests[-1]["url"]
    if branch in ("order-status", "opening-hours", "main-goodbye"):
        assert "IvrPlayEnd" in names


def test_an_outbound_ivr_call_runs_the_same_menu(sandbox: Sandbox) -> None:
    sandbox.set_behavior("13800000001", "after", ms=500, keys=["2", "1"])
    created = sandbox.client().ivr_call("13800000001", 60, user_data="campaign-7")
    end = sandbox.wait_for_end(created.call_id, timeout=30)
    assert end is not None and end.event == "ivr.call_end"
    events = events_of(created.call_id)
    assert isinstance(events[0], yunhuni.IvrDialEnd) and events[0].user_data == "campaign-7"
    assert [e.keys for e in events if isinstance(e, yunhuni.IvrGetEnd)] == ["2", "1"]


def test_bad_requests_are_refused() -> None:
    def call(method: str, path: str, body: bytes = b"", query: str = "") -> str:
        import io

        status: List[str] = []
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "HTTP_HOST": "app.example.com",
            "SERVER_NAME": "app.example.com",
            "SERVER_PORT": "80",
            "SCRIPT_NAME": "",
        }
        b"".join(ivr_menu.application(environ, lambda s, h: status.append(s)))
        return status[0]

    assert call("POST", "/ivr", b"not json").startswith("400")
    assert call("GET", "/ivr/main", query="type=conference").startswith("400")
    assert call("GET", "/elsewhere").startswith("404")
    assert call("GET", "/ivr/main", query="type=get&keys=1").startswith("200")
