"""Runs examples/python/agent_desk.py as a user would: under gunicorn (one process, threads),
against the sandbox, whose callback URL is the desk's. Agents log in through the desk, callers
dial the app's number and are queued by the desk's ``<enqueue>``; the test watches ``GET /desk``
and checks what the desk did against the sandbox's own state (agent_get, conversation_get)::

    pytest examples/python/test_agent_desk.py
"""

from __future__ import annotations

import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

import yunhuni
from yunhuni.testing import Sandbox

HERE = pathlib.Path(__file__).resolve().parent
TOKEN = "desk-test-token"
APP_NUMBER = "02088880000"
ALICE, BOB = "13800001001", "13800001002"
CALLER_A, CALLER_B, CALLER_C = "13600001001", "13600001002", "13600001003"
#: Simulated time runs 10x: a 60 s queue timeout is 6 s, long enough for every step that must
#: happen before it, whatever the machine's load.
SCALE = 10.0
QUEUE_TIMEOUT, FETCH_TIMEOUT = 60, 60


class Desk:
    """gunicorn serving ``agent_desk:create_app()`` on a socket bound here."""

    def __init__(self, env: Dict[str, str], sock: socket.socket) -> None:
        self.base = "http://127.0.0.1:%d" % sock.getsockname()[1]
        self.log = tempfile.TemporaryFile()
        cmd = [sys.executable, "-m", "gunicorn", "--bind", f"fd://{sock.fileno()}", "--workers", "1",
               "--threads", "8", "--log-level", "warning", "--graceful-timeout", "5", "agent_desk:create_app()"]
        self.proc = subprocess.Popen(cmd, cwd=HERE, env=dict(os.environ, **env), pass_fds=(sock.fileno(),),
                                     start_new_session=True, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def request(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def view(self) -> Dict[str, Any]:
        result: Dict[str, Any] = self.request("GET", "/desk")
        return result

    def until(self, what: str, check: Callable[[Dict[str, Any]], Any]) -> Any:
        """Polls ``GET /desk`` until ``check`` returns something true; returns it."""
        deadline = time.monotonic() + 30
        view: Dict[str, Any] = {}
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the desk exited:\n{self.output()}")
            view = self.view()
            found = check(view)
            if found:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{what}: not seen in 30 s; the desk shows {view}\n{self.output()}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def setup() -> Iterator[tuple[Sandbox, Desk]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    base = "http://127.0.0.1:%d" % sock.getsockname()[1]
    with Sandbox(callback_url=f"{base}/yunhuni/events?token={TOKEN}", time_scale=SCALE) as sb:
        # The agents' phones answer after a second of ringing and stay on until hung up; Bob's
        # rings for as long as the platform lets it.
        sb.set_behavior(ALICE, "after", ms=1000)
        sb.set_behavior(BOB, "no_answer")
        # The callers stay on the line until the platform hangs up; C answers the call back.
        for caller in (CALLER_A, CALLER_B, CALLER_C):
            sb.set_behavior(caller, "after", ms=1000)
        env = {
            "YUNHUNI_BASE_URL": sb.base_url,
            "YUNHUNI_APP_ID": sb.app_id,
            "YUNHUNI_CERT_ID": sb.cert_id,
            "YUNHUNI_SECRET_KEY": sb.secret_key,
            "YUNHUNI_WEBHOOK_TOKEN": TOKEN,
            "DESK_PUBLIC_URL": base,
            "DESK_QUEUE_TIMEOUT": str(QUEUE_TIMEOUT),
            "DESK_FETCH_TIMEOUT": str(FETCH_TIMEOUT),
            "PYTHONPATH": os.pathsep.join([str(HERE)] + [p for p in [os.environ.get("PYTHONPATH")] if p]),
        }
        desk = Desk(env, sock)
        sock.close()
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    desk.view()
                    break
                except OSError:
                    if desk.proc.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(f"the desk did not start:\n{desk.output()}")
                    time.sleep(0.1)
            yield sb, desk
        finally:
            desk.stop()


def agent(view: Dict[str, Any], name: str) -> Dict[str, Any]:
    found: Dict[str, Any] = next(a for a in view["agents"] if a["name"] == name)
    return found


def waiting(view: Dict[str, Any], caller: str) -> Optional[Dict[str, Any]]:
    return next((w for w in view["waiting"] if w["caller"] == caller), None)


def test_the_desk_routes_pauses_and_calls_back(setup: tuple[Sandbox, Desk]) -> None:
    sb, desk = setup
    client = sb.client()

    # Alice logs in; caller A is queued and reaches her.
    desk.request("POST", "/agents", {"name": "alice", "phone": ALICE})
    call_a = sb.inbound_call(CALLER_A, APP_NUMBER)
    conv_a = desk.until("Alice talks to A", lambda v: agent(v, "alice")["customer"] == CALLER_A
                        and agent(v, "alice")["conversation"])
    desk.until("Alice talking", lambda v: agent(v, "alice")["state"] == "talking")
    assert client.agent_get("alice")["state"] == "talking"
    conversation = client.conversation_get(conv_a)
    assert conversation is not None and conversation["type"] == "queue"
    members = conversation["members"] or []
    assert {m["name"] for m in members if m["name"]} == {"alice"}
    assert any(m["call_id"] == call_a for m in members)

    # Caller B waits: nobody is free.
    call_b = sb.inbound_call(CALLER_B, APP_NUMBER)
    first = desk.until("B waiting", lambda v: waiting(v, CALLER_B))
    assert first["try"] == 1 and first["state"] == "waiting"

    # Bob logs in and is offered B at once (he is idle, B waits); he rejects it from his screen.
    desk.request("POST", "/agents", {"name": "bob", "phone": BOB})
    desk.until("Bob's phone rings for B", lambda v: (waiting(v, CALLER_B) or {}).get("agent") == "bob")
    assert desk.request("POST", "/agents/bob/reject", {}) == {"rejected": True}
    # The desk put Bob away (the platform no longer offers him callers) and queued B again.
    retry = desk.until("B queued again", lambda v: (waiting(v, CALLER_B) or {}).get("try") == 2
                       and agent(v, "bob")["state"] == "away" and agent(v, "bob")["missed"] == 1
                       and waiting(v, CALLER_B))
    assert retry["state"] == "waiting"
    assert client.agent_get("bob")["state"] == "away"

    # Alice hangs up on A: the platform gives her B; A's IVR says goodbye.
    assert desk.request("POST", f"/conversations/{conv_a}/hangup", {}) == {"ok": True}
    conv_b = desk.until("Alice talks to B", lambda v: agent(v, "alice")["customer"] == CALLER_B
                        and agent(v, "alice")["conversation"])
    assert conv_b != conv_a
    assert sb.wait_for_end(call_a, timeout=30).event == "ivr.call_end"
    ended = client.conversation_get(conv_a)
    assert ended is not None and ended["end_time"]

    # Caller C waits the whole queue timeout (Alice busy, Bob away): promised a call back.
    call_c = sb.inbound_call(CALLER_C, APP_NUMBER)
    desk.until("C waiting", lambda v: waiting(v, CALLER_C))
    callback = desk.until("a call back for C", lambda v: next(
        (c for c in v["callbacks"] if c["number"] == CALLER_C), None))
    assert callback["state"] == "pending"
    assert sb.wait_for_end(call_c, timeout=30).event == "ivr.call_end"
    requests = sb.ivr_requests(call_c)
    assert "error=timeout" in requests[-1]["url"] and "we-will-call-you-back.wav" in requests[-1]["reply"]

    # Alice hangs up on B: nobody waits, so the desk has her call C back.
    desk.request("POST", f"/conversations/{conv_b}/hangup", {})
    back = desk.until("Alice calls C back", lambda v: next(
        (c for c in v["callbacks"] if c["number"] == CALLER_C and c["state"] == "talking"), None))
    assert back["agent"] == "alice"
    view = desk.until("only the call back goes on", lambda v: [c["kind"] for c in v["conversations"]] == ["call_out"]
                      and v)
    assert agent(view, "alice")["customer"] == CALLER_C
    # The conversation began with Alice; the platform then rings C and adds the call.
    deadline = time.monotonic() + 30
    while True:
        out = client.conversation_get(back["conversation"])
        assert out is not None and out["type"] == "call_out"
        joined = {m["name"] or m["telnumber"] for m in out["members"] or []}
        if joined == {"alice", CALLER_C} or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert joined == {"alice", CALLER_C}
    assert sb.wait_for_end(call_b, timeout=30).event == "ivr.call_end"

    desk.request("POST", f"/conversations/{back['conversation']}/hangup", {})
    done = desk.until("the call back is over", lambda v: v["callbacks"][0]["state"] == "done" and v["handled"] == 3
                      and v)
    assert done["waiting"] == [] and done["conversations"] == []
    assert agent(done, "alice")["answered"] == 2


def test_bad_requests_get_clear_answers(setup: tuple[Sandbox, Desk]) -> None:
    _, desk = setup

    def status(method: str, path: str, body: bytes = b"") -> int:
        req = urllib.request.Request(desk.base + path, data=body if method == "POST" else None, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return int(r.status)
        except urllib.error.HTTPError as e:
            return int(e.code)

    assert status("POST", "/yunhuni/events", b"{}") == 401  # no token
    assert status("POST", "/yunhuni/events?token=guess", b"{}") == 403
    assert status("GET", "/yunhuni/ivr/queued?type=enqueue") == 401
    assert status("POST", "/agents", b"not json") == 400
    assert status("POST", "/agents", b'{"name": "carol"}') == 400  # no phone
    assert status("POST", "/agents/nobody/state", b'{"state": "sleeping"}') == 400  # checked by the SDK
    assert status("POST", "/agents/nobody/state", b'{"state": "idle"}') == 400  # the platform: no such agent
    assert status("GET", "/elsewhere") == 404


def event(name: str, **keys: Any) -> Any:
    """An event as the platform POSTs it, parsed as the receiver does."""
    return yunhuni.parse_event(json.dumps({"action": "event_notify", "event": name, **keys}).encode())


def test_late_events_do_not_move_a_wait_back_and_history_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    import agent_desk

    # No request reaches this client: the events below need no action of the desk.
    desk = agent_desk.Desk(yunhuni.Client("a" * 32, "b" * 32, "c" * 32, base_url="http://127.0.0.1:9"),
                           "http://desk.example.com", "t", "d" * 32)
    document = desk.handle(yunhuni.parse_event(json.dumps(
        {"action": "ivr_start", "from": CALLER_A, "type": "ivr_incoming", "call_id": "c1"}).encode()))
    assert document is not None
    xml = document.to_xml()
    assert 'user_data="q1"' in xml and f"<condition id=\"{'d' * 32}\"" in xml
    assert "http://desk.example.com/yunhuni/ivr/queued?token=t&amp;ticket=q1" in xml
    # The platform's threads deliver success before select, and the conversation's end before
    # its begin: the desk keeps the latest state.
    desk.handle(event("callcenter.queue.success", agent_name="alice", id="task1", user_data="q1", type="ivr"))
    desk.handle(event("callcenter.queue.select", agent_name="bob", id="task1", user_data="q1", type="ivr"))
    assert desk.tickets["q1"].state == "talking" and desk.tickets["q1"].agent == "alice"
    desk.handle(event("callcenter.conversation.end", id="conv1", user_data="q1", type="queue",
                      begin_time=1, end_time=2))
    desk.handle(event("callcenter.conversation.begin", id="conv1", user_data="q1", type="queue", queue_id="task1"))
    assert desk.snapshot()["conversations"] == [] and desk.snapshot()["handled"] == 1
    assert desk.tickets["q1"].state == "over"

    # The platform requests <next> again when the answer is late (no 200 within 5 s): the ticket
    # it names gets the same answer, and the caller is queued once.
    desk.enqueue("c2", CALLER_B, 1)
    nxt = yunhuni.parse_ivr_next("token=t&ticket=q2&call_id=c2&type=enqueue&error=error")
    first = desk.after_queue(nxt)
    assert 'user_data="q3"' in first and desk.tickets["q2"].state == "over"
    assert desk.after_queue(nxt) == first and len(desk.tickets) == 3
    desk.handle(event("callcenter.queue.fail", id="task3", user_data="q3", cause="hangup", type="ivr"))

    monkeypatch.setattr(agent_desk, "HISTORY", 10)
    for i in range(4, 40):
        desk.enqueue(f"c{i}", CALLER_B, 1)
        desk.handle(event("callcenter.queue.fail", id=f"task{i}", user_data=f"q{i}", cause="hangup", type="ivr"))
    assert len(desk.tickets) <= 11
    assert desk.snapshot()["waiting"] == []
