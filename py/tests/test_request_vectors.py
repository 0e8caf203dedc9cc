"""The shared request vectors of tests/vectors/requests.json: the exact body the client sends
for each operation, or the field it refuses before sending anything. Every case goes through a
real `yunhuni.Client` to a loopback stub server that records what it receives."""

from __future__ import annotations

import threading
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest
from conftest import _Quiet, _serve, load_vectors

import yunhuni

REQUESTS = load_vectors("requests.json")

CALL_ID = "0123456789abcdef0123456789abcdef"
CREATED = (
    '{"code":"000000","msg":"请求成功","data":{"callId":"' + CALL_ID + '","user_data":null}}'
).encode("utf-8")
CANCELLED = '{"code":"000000","msg":"请求成功","data":null}'.encode("utf-8")

#: The platform's parameter names that are not valid Python argument names.
PYTHON_NAMES = {"from": "from_"}


class Stub:
    """What the stub server received (`(path, body)` per request) and what it answers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: List[Tuple[str, bytes]] = []
        self.reply = CREATED
        self.url = ""

    def reset(self, reply: bytes) -> None:
        with self.lock:
            self.received.clear()
            self.reply = reply

    def requests(self) -> List[Tuple[str, bytes]]:
        with self.lock:
            return list(self.received)


@pytest.fixture(scope="module")
def stub() -> Iterator[Stub]:
    state = Stub()

    class Handler(_Quiet):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with state.lock:
                state.received.append((self.path, body))
                reply = state.reply
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    for base in _serve(Handler):
        state.url = base
        yield state


@pytest.fixture(scope="module")
def stub_client(stub: Stub) -> yunhuni.Client:
    return yunhuni.Client("app", "cert", "secret", base_url=stub.url, timeout=10.0)


def _kwargs(params: Dict[str, Any]) -> Dict[str, Any]:
    kwargs: Dict[str, Any] = {}
    for name, value in params.items():
        if name == "play_content":
            value = [(content, play_type) for content, play_type in value]
        kwargs[PYTHON_NAMES.get(name, name)] = value
    return kwargs


def _run(client: yunhuni.Client, operation: str, params: Dict[str, Any]) -> Optional[yunhuni.CallCreated]:
    kwargs = _kwargs(params)
    if operation == "duo_callback":
        return client.duo_callback(**kwargs)
    if operation == "cancel_duo_callback":
        client.cancel_duo_callback(**kwargs)
        return None
    if operation == "notify_call":
        return client.notify_call(**kwargs)
    if operation == "verify_call":
        return client.verify_call(**kwargs)
    raise AssertionError(f"unknown operation {operation!r}")


def test_vectors_cover_every_operation() -> None:
    operations = {case["operation"] for case in REQUESTS}
    assert operations == {"duo_callback", "cancel_duo_callback", "notify_call", "verify_call"}
    assert any("body" in case["expect"] for case in REQUESTS)
    assert any("error" in case["expect"] for case in REQUESTS)


@pytest.mark.parametrize("case", REQUESTS, ids=[c["name"] for c in REQUESTS])
def test_request_vector(case: Dict[str, Any], stub: Stub, stub_client: yunhuni.Client) -> None:
    operation = case["operation"]
    expect = case["expect"]
    stub.reset(CANCELLED if operation == "cancel_duo_callback" else CREATED)
    if "body" in expect:
        result = _run(stub_client, operation, case["params"])
        received = stub.requests()
        assert len(received) == 1
        path, body = received[0]
        assert path.startswith("/v1/account/cert/call/")
        assert body.decode("utf-8") == expect["body"]
        if operation == "cancel_duo_callback":
            assert result is None
        else:
            assert result is not None
            assert result.call_id == CALL_ID
    else:
        assert expect["error"] == "validation"
        with pytest.raises(yunhuni.ValidationError) as err:
            _run(stub_client, operation, case["params"])
        assert err.value.kind == "validation"
        assert err.value.field == expect["field"]
        assert stub.requests() == []
