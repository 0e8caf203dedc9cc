"""The shared request vectors of tests/vectors/requests.json: for each operation, what the
client sends (method, path, query, body), or the field it refuses before sending anything.

Every case goes through ``Client.request(name, **fields)``, the cases that are sent also
through the typed method of the same name, and all of them through ``AsyncClient``, to a
loopback stub server that records what it receives."""

from __future__ import annotations

import asyncio
import inspect
import keyword
import re
from typing import Any, Dict, List

import pytest
from conftest import STUB_ROOT, RecordingStub, load_vectors

import yunhuni
import yunhuni._ops

REQUESTS: List[Dict[str, Any]] = load_vectors("requests.json")
SENT = [case for case in REQUESTS if "error" not in case["expect"]]
REFUSED = [case for case in REQUESTS if "error" in case["expect"]]

#: The operations that place a call: the platform answers ``{"callId", "user_data"}`` and the
#: client gives a ``CallCreated``.
CALLS = {"duo_callback", "notify_call", "verify_call", "ivr_call", "conf_invite_call"}
CALL_ID = "0123456789abcdef0123456789abcdef"
#: What the stub answers every request with (as its ``data``).
ANSWER = {"callId": CALL_ID, "user_data": "echo", "list": [1, True, None]}


def python_name(name: str) -> str:
    """A field name as Python spells it: keywords get a trailing ``_`` (``from_``)."""
    return name + "_" if keyword.iskeyword(name) else name


def python_path(path: str) -> str:
    """A field path such as ``opts[0].opt`` as Python spells it."""
    return re.sub(r"[A-Za-z_][A-Za-z0-9_]*", lambda m: python_name(m.group(0)), path)


def python_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {python_name(k): python_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [python_value(v) for v in value]
    return value


def kwargs_of(case: Dict[str, Any]) -> Dict[str, Any]:
    return {python_name(k): python_value(v) for k, v in case["params"].items()}


def check_sent(stub: RecordingStub, case: Dict[str, Any]) -> None:
    """The one request the stub received is the vector's."""
    expect = case["expect"]
    received = stub.only()
    if "method" in expect:
        assert received.method == expect["method"]
    if "path" in expect:
        assert received.path == STUB_ROOT + expect["path"]
    if "query" in expect:
        assert received.query == expect["query"]
    body = None if received.body is None else received.body.decode("utf-8")
    assert body == expect["body"]


def check_answer(operation: str, result: Any, typed: bool) -> None:
    if operation in CALLS:
        assert isinstance(result, yunhuni.CallCreated)
        assert (result.call_id, result.user_data) == (CALL_ID, "echo")
    elif typed:
        # Operations whose data is null return None whatever the server sends.
        assert result is None or result == ANSWER
    else:
        assert result == ANSWER


def test_vectors_cover_every_operation_and_method() -> None:
    operations = {case["operation"] for case in REQUESTS}
    methods = {
        name
        for name, _ in inspect.getmembers(yunhuni.Client, inspect.isfunction)
        if name in yunhuni._ops.ClientOps.__dict__ and name != "request"
    }
    assert len(methods) == 74  # 73 operations and one alias
    assert operations == methods
    assert {case["operation"] for case in SENT} == methods


@pytest.mark.parametrize("case", SENT, ids=[c["name"] for c in SENT])
def test_request_sends_the_vector(case: Dict[str, Any], recording_stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    recording_stub.reset(ANSWER)
    result = stub_client.request(case["operation"], **kwargs_of(case))
    check_sent(recording_stub, case)
    check_answer(case["operation"], result, typed=False)


@pytest.mark.parametrize("case", SENT, ids=[c["name"] for c in SENT])
def test_typed_method_sends_the_vector(
    case: Dict[str, Any], recording_stub: RecordingStub, stub_client: yunhuni.Client
) -> None:
    recording_stub.reset(ANSWER)
    result = getattr(stub_client, case["operation"])(**kwargs_of(case))
    check_sent(recording_stub, case)
    check_answer(case["operation"], result, typed=True)


@pytest.mark.parametrize("case", REFUSED, ids=[c["name"] for c in REFUSED])
def test_request_refuses_the_vector(
    case: Dict[str, Any], recording_stub: RecordingStub, stub_client: yunhuni.Client
) -> None:
    recording_stub.reset(ANSWER)
    field = python_path(case["expect"]["field"])
    with pytest.raises(yunhuni.ValidationError) as err:
        stub_client.request(case["operation"], **kwargs_of(case))
    assert err.value.kind == case["expect"]["error"] == "validation"
    assert err.value.field == field
    assert str(err.value).startswith(field + ": ")
    assert recording_stub.requests() == []


def test_async_client_sends_and_refuses_every_vector(
    recording_stub: RecordingStub, stub_client: yunhuni.Client
) -> None:
    async def run() -> None:
        async with yunhuni.AsyncClient.from_client(stub_client, max_workers=2) as client:
            for case in SENT:
                recording_stub.reset(ANSWER)
                result = await getattr(client, case["operation"])(**kwargs_of(case))
                check_sent(recording_stub, case)
                check_answer(case["operation"], result, typed=True)
            for case in REFUSED:
                recording_stub.reset(ANSWER)
                with pytest.raises(yunhuni.ValidationError) as err:
                    await client.request(case["operation"], **kwargs_of(case))
                assert err.value.field == python_path(case["expect"]["field"]), case["name"]
                assert recording_stub.requests() == []

    asyncio.run(run())
