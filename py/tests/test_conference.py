"""Conferences and recordings from Python against the sandbox: every case of
tests/cases/conference.json (valid input and at least one broken rule per field, with what the
SDK refuses before sending and what the platform answers), and the conf.* events arriving
typed at a real HTTP receiver."""

from __future__ import annotations

import http.server
import json
import pathlib
import threading
import time
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import yunhuni
from yunhuni.testing import Sandbox

TABLE = json.loads(
    (pathlib.Path(__file__).resolve().parents[2] / "tests" / "cases" / "conference.json").read_text("utf-8")
)
CASES: List[Dict[str, Any]] = TABLE["cases"]
STAYS = "13900000005"


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
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d/events" % self.server.server_address[1]

    def events(self) -> List[Any]:
        return [yunhuni.parse_event(b) for b in list(self.bodies)]

    def wait(self, what: str, pred: Any, timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events():
                if pred(event):
                    return event
            time.sleep(0.01)
        raise AssertionError("no %s among %r" % (what, self.events()))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture(scope="module")
def sandbox(receiver: Receiver) -> Iterator[Sandbox]:
    with Sandbox(time_scale=200.0) as sb:
        sb.callback_url = receiver.url
        sb.set_behavior(TABLE["red_listed"], code="020001")
        yield sb


@pytest.fixture(scope="module")
def client(sandbox: Sandbox) -> yunhuni.Client:
    return sandbox.client(timeout=10.0)


def substitute(value: Any, conf: str, call: str) -> Any:
    if isinstance(value, str):
        return value.replace("$CONF", conf).replace("$CALL", call).replace("$UNKNOWN", TABLE["unknown_id"])
    if isinstance(value, list):
        return [substitute(v, conf, call) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, conf, call) for k, v in value.items()}
    return value


def member(client: yunhuni.Client, receiver: Receiver, conf: str) -> str:
    call_id = client.conf_invite_call(conf, STAYS, 600).call_id
    receiver.wait("conf.joined", lambda e: isinstance(e, yunhuni.ConfJoined) and e.call_id == call_id)
    return call_id


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: Dict[str, Any], client: yunhuni.Client, receiver: Receiver) -> None:
    conf = call = ""
    if case.get("needs") in ("conf", "member"):
        conf = client.conf_create(600)["confId"]
    if case.get("needs") == "member":
        call = member(client, receiver, conf)
    # Python spells the field `from` as `from_`.
    fields = {("from_" if k == "from" else k): v for k, v in substitute(case["fields"], conf, call).items()}
    expected = case["client"]
    if expected["kind"] == "ok":
        data = client.request(case["op"], **fields)
        want = case.get("data")
        if isinstance(data, yunhuni.CallCreated):
            # The operations that place a call answer a CallCreated (the server's `callId`).
            data = {"callId": data.call_id}
        if isinstance(want, dict):
            for key, value in want.items():
                if value == "$ANY":
                    assert isinstance(data[key], str) and data[key], (key, data)
                else:
                    assert data[key] == value, (key, data)
        elif want is not None:
            assert data == want
        return
    with pytest.raises(yunhuni.YunhuniError) as caught:
        client.request(case["op"], **fields)
    error = caught.value
    assert error.kind == expected["kind"], str(error)
    if expected["kind"] == "validation":
        assert isinstance(error, yunhuni.ValidationError)
        assert error.field == ("from_" if expected["field"] == "from" else expected["field"]), str(error)
        assert error.status is None
    else:
        assert isinstance(error, yunhuni.ApiError)
        assert (error.code, error.status) == (expected["code"], 200)


def test_events_arrive_typed_in_order(client: yunhuni.Client, receiver: Receiver) -> None:
    conf = client.conf_create(600, user_data="room-7")["confId"]
    a = member(client, receiver, conf)
    busy = client.conf_invite_call(conf, "13900000001", 600).call_id
    receiver.wait("conf.join.fail", lambda e: isinstance(e, yunhuni.ConfJoinFail) and e.call_id == busy)
    assert client.conf_start_record(conf) is True
    assert client.conf_dismiss(conf) is True
    end = receiver.wait("conf.end", lambda e: isinstance(e, yunhuni.ConfEnd) and e.id == conf)
    mine = [e for e in receiver.events() if getattr(e, "id", None) == conf]
    kinds: List[Tuple[str, Any]] = [(type(e).__name__, getattr(e, "call_id", None)) for e in mine]
    assert kinds[0] == ("ConfCreateSucc", None)
    assert ("ConfJoined", a) in kinds and ("ConfJoinFail", busy) in kinds
    assert ("ConfQuit", a) in kinds and ("ConfRecordEnd", None) in kinds
    assert end.user_data == "room-7"
    assert end.end_time is not None and end.begin_time is not None
    assert end.end_time >= end.begin_time
    quit_event = next(e for e in mine if isinstance(e, yunhuni.ConfQuit))
    assert quit_event.quit_time is not None and quit_event.join_time is not None
    assert quit_event.quit_time % 1000 == 0 and quit_event.user_data is None


def test_readme_snippet_runs() -> None:
    """The root README's conference snippet runs as written, in a fresh interpreter."""
    import re
    import subprocess
    import sys

    readme = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text("utf-8")
    section = readme.split("## Conferences and recordings", 1)[1].split("\n## ", 1)[0]
    snippet = re.search(r"```python\n(.*?)```", section, re.S)
    assert snippet is not None
    result = subprocess.run([sys.executable, "-c", snippet.group(1)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'state': 0, 'url': None}", result.stdout
