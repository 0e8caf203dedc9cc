"""Messaging against the sandbox from Python, as a new user would: a template audited by a
script of the testing Sandbox, an SMS and a mass task sent through the SDK, and their msg.*
events arriving typed (camelCase keys as the server sends them, integers as integers)."""

from __future__ import annotations

import http.server
import threading
import time
from typing import Any, Iterator, List

import pytest

import yunhuni
from yunhuni.testing import Sandbox


class Receiver:
    """A webhook receiver on 127.0.0.1 keeping every body it gets (answers 200)."""

    def __init__(self) -> None:
        bodies: List[bytes] = []
        self.bodies = bodies

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                bodies.append(self.rfile.read(length))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/events" % self.server.server_address[1]

    def wait(self, what: str, pred: Any, timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in [yunhuni.parse_event(b) for b in list(self.bodies)]:
                if pred(event):
                    return event
            time.sleep(0.01)
        raise AssertionError("no %s among %r" % (what, self.bodies))


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture(scope="module")
def sandbox(receiver: Receiver) -> Iterator[Sandbox]:
    with Sandbox(time_scale=200.0) as sb:
        sb.callback_url = receiver.url
        yield sb


def test_template_audit_by_script(sandbox: Sandbox, receiver: Receiver) -> None:
    client = sandbox.client(timeout=10.0)
    sandbox.template_audit = {"rule": "manual"}
    assert sandbox.template_audit == {"rule": "manual"}
    try:
        t = client.template_create("验证码", "您的验证码是#*#", "登录")
        temp_id = t["tempId"]
        assert t["status"] == 0 and t["checkTime"] is None
        assert sandbox.template(temp_id)["status"] == 0
        sandbox.audit_template(temp_id, False, "签名不符")
        event = receiver.wait(
            "msg.template_complete",
            lambda e: isinstance(e, yunhuni.MsgTemplateComplete) and e.tempId == temp_id,
        )
        assert event.status == -1 and isinstance(event.status, int)
        assert event.reason == "????"  # Latin-1 on the wire, as the platform sends it
        got = client.template_get(temp_id)
        assert got is not None and event.checkTime == got["checkTime"]
        assert repr(event) == "MsgTemplateComplete(tempId=%r, status=-1, reason='????')" % temp_id
        with pytest.raises(ValueError):
            sandbox.audit_template(temp_id, True)
        with pytest.raises(KeyError):
            sandbox.audit_template("424242", True)
        with pytest.raises(ValueError):
            sandbox.template_audit = {"rule": "sometimes"}
        # The same template changed is pending again; a script approves it.
        assert client.template_update(temp_id, "验证码", "#*#", "登录")["status"] == 0
        sandbox.audit_template(temp_id, True)
        got = client.template_get(temp_id)
        assert got is not None and got["status"] == 1
        assert len(sandbox.template(temp_id)["events"]) == 2
    finally:
        sandbox.template_audit = {"rule": "approve", "after_ms": 10000}


def test_sends_and_their_events(sandbox: Sandbox, receiver: Receiver) -> None:
    client = sandbox.client(timeout=10.0)
    sandbox.set_mobile_outcome("13300000009", "undelivered")
    with pytest.raises(ValueError):
        sandbox.set_mobile_outcome("13300000009", "lost")
    sent = client.sms_send("13000000001", "1001", temp_args="1234")
    assert sent["state"] == 1
    key = sent["msgKey"]
    event = receiver.wait(
        "msg.sending_complete",
        lambda e: isinstance(e, yunhuni.MsgSendingComplete) and e.msgKey == key,
    )
    assert (event.state, event.kind, event.failMobiles) == (1, 0, None)
    assert event.to_dict()["kind"] == 0 and event.to_dict()["type"] == "msg.sending_complete"
    assert client.sms_get(key)["state"] == 1
    assert sandbox.msg_request(key)["state"] == 1

    task = client.sms_mass_task("t", "1001", "13000000001,13300000009,13800000003", temp_args="9")
    assert task["invalidMobiles"] == ["13800000003"]
    event = receiver.wait(
        "the mass task's msg.sending_complete",
        lambda e: isinstance(e, yunhuni.MsgSendingComplete) and e.msgKey == task["msgKey"],
    )
    assert (event.state, event.kind, event.failMobiles) == (1, 1, "13300000009")

    # The server's rules, as the SDK reports them.
    with pytest.raises(yunhuni.ApiError) as caught:
        client.ussd_send("13000000001", "1001", temp_args="1234")
    assert caught.value.code == "050108"
    with pytest.raises(yunhuni.ValidationError) as invalid:
        client.sms_send("1300000000", "1001")
    assert invalid.value.field == "mobile"
