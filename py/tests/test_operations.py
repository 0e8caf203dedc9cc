"""The typed methods of every family of operations, the generic ``request``, what they answer,
what they refuse before sending anything, and what a type checker makes of them."""

from __future__ import annotations

import asyncio
import collections
import importlib.util
import json
import pathlib
import subprocess
import sys
import textwrap
from typing import Any, Deque, Dict, List, Optional

import pytest
from conftest import STUB_ROOT, Received, RecordingStub

import yunhuni
from yunhuni.testing import Sandbox
from yunhuni.types import ConfCreated, ExtensionPage, PlayItemLike, Quota, Skill

CALL_ID = "0123456789abcdef0123456789abcdef"


def sent(method: str, path: str, query: str = "", body: Optional[Dict[str, Any]] = None) -> Received:
    """A request as the stub records it; ``body`` as compact ASCII JSON (non-ASCII characters
    escaped, as the client sends them), in the given key order."""
    text = None if body is None else json.dumps(body, separators=(",", ":"))
    return Received(method, STUB_ROOT + path, query, None if text is None else text.encode("utf-8"))


@pytest.fixture
def stub(recording_stub: RecordingStub) -> RecordingStub:
    recording_stub.reset()
    return recording_stub


# One or more operations of each family, called the way a user writes them.


def test_simple_call(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    stub.reset({"callId": CALL_ID, "user_data": "u"})
    call = stub_client.verify_call("13800000001", "1234", from_="02088880000", user_data="u")
    assert (call.call_id, call.user_data) == (CALL_ID, "u")
    assert stub.only() == sent(
        "POST",
        "call/verify_call",
        body={"to": "13800000001", "from": "02088880000", "verify_code": "1234", "user_data": "u"},
    )
    stub.reset(None)
    stub_client.cancel_duo_callback(CALL_ID)
    assert stub.only() == sent("POST", "call/duo_callback_cancel", body={"callId": CALL_ID})


def test_ivr(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    stub.reset({"callId": CALL_ID, "user_data": None})
    call = stub_client.ivr_call("13800000001", 600, max_dial_duration=30)
    assert call == stub_client.request("ivr_call", to="13800000001", max_call_duration=600, max_dial_duration=30)
    assert call.user_data is None
    assert stub.requests()[0] == sent(
        "POST", "call/ivr_call", body={"to": "13800000001", "max_call_duration": 600, "max_dial_duration": 30}
    )


def test_conference(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    stub.reset({"confId": "c1"})
    created: ConfCreated = stub_client.conf_create(3600, max_parts=5, recording=True)
    assert created == {"confId": "c1"}
    assert stub.only() == sent("POST", "conf/create", body={"max_duration": 3600, "max_parts": 5, "recording": True})
    stub.reset(True)
    assert stub_client.conf_start_play("c1", ("a.wav", "欢迎.wav")) is True
    assert stub.only() == sent("POST", "conf/start_play/c1", body={"files": ["a.wav", "欢迎.wav"]})


def test_callcenter_extension(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    page_data = {
        "pageSize": 50,
        "startIndex": 51,
        "totalCount": 51,
        "totalPageCount": 2,
        "currentPageNo": 2,
        "result": [
            {"id": "e1", "type": "3", "user": None, "password": None, "ipaddr": None, "telnum": "1", "enable": True}
        ],
    }
    stub.reset(page_data)
    page: ExtensionPage = stub_client.ext_list(page_no=2, page_size=50)
    assert page == page_data
    assert page["result"] is not None and page["result"][0]["user"] is None
    assert stub.only() == sent("GET", "callcenter/extension", "pageNo=2&pageSize=50")
    stub.reset(None)
    stub_client.ext_delete("e 1")
    assert stub.only() == sent("DELETE", "callcenter/extension/e%201")


def test_callcenter_agent(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    skills: List[Skill] = [{"name": "sales", "score": 90}, {"name": "support", "enabled": True}]
    stub_client.agent_login("agent01", "ext1", skills=skills)
    assert stub.only() == sent(
        "POST",
        "callcenter/agent",
        body={
            "name": "agent01",
            "extension": "ext1",
            "skills": [{"name": "sales", "score": 90}, {"name": "support", "enabled": True}],
        },
    )
    stub.reset(None)
    stub_client.agent_set_skills("agent01", [{"opt": 0}])
    assert stub.only() == sent("POST", "callcenter/agent/agent01/skills", body={"opts": [{"opt": 0}]})


def test_callcenter_agent_op(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    stub.reset(True)
    assert stub_client.agent_call_out("agent01", "13800000004", from_="02088880000") is True
    assert stub.only() == sent(
        "POST", "callcenter/agent/agent01/call_out", body={"to": "13800000004", "from": "02088880000"}
    )
    stub.reset(None)
    assert stub_client.agent_conversations("agent01") is None
    assert stub.only() == sent("GET", "callcenter/agent/agent01/conversation")


def test_callcenter_condition(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    stub.reset({"conditionId": "q1"})
    assert stub_client.condition_create('has("sales");', 60, priority=2) == {"conditionId": "q1"}
    assert stub.only() == sent(
        "POST", "callcenter/condition", body={"where": 'has("sales");', "priority": 2, "queue_timeout": 60}
    )


def test_callcenter_conversation(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    stub.reset("call-7")
    assert stub_client.conversation_invite_out("conv1", "13800000005", 600) == "call-7"
    # The server reads max_call_duration for what the docs call max_answer_seconds.
    assert stub.only() == sent(
        "POST", "callcenter/conversation/conv1/invite_out", body={"to": "13800000005", "max_call_duration": 600}
    )


def test_management(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    quotas: List[Quota] = [{"type": "CallQuota", "value": 1200}, {"type": "AgentQuota", "value": None}]
    stub.reset(True)
    assert stub_client.subaccount_set_quotas("sub1", quotas) is True
    assert stub.only() == sent(
        "PUT",
        "management/subaccount/sub1/quotas",
        body={"quotas": [{"type": "CallQuota", "value": 1200}, {"type": "AgentQuota"}]},
    )
    stub.reset(True)
    assert stub_client.telnum_unbind("t1", "sub1") is True
    assert stub.only() == sent("DELETE", "management/t1/subaccount", "subaccountId=sub1")


def test_messages(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    stub.reset({"msgKey": "k1", "state": 1})
    assert stub_client.sms_send("13800000001", "10001", temp_args="1234") == {"msgKey": "k1", "state": 1}
    assert stub.only() == sent(
        "POST", "msg/sms/send", body={"mobile": "13800000001", "tempId": "10001", "tempArgs": "1234"}
    )
    stub.reset(None)
    assert stub_client.template_get("10001") is None
    assert stub.only() == sent("GET", "msg/template/10001")


def test_recording(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    stub.reset({"state": 0, "url": None})
    assert stub_client.recording_url_gen("r1") == {"state": 0, "url": None}
    assert stub.only() == sent("GET", "recording/url/gen", "id=r1")


def test_async_client_has_the_same_methods(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    async def run() -> ConfCreated:
        async with yunhuni.AsyncClient.from_client(stub_client) as client:
            return await client.conf_create(60)

    stub.reset({"confId": "c2"})
    assert asyncio.run(run()) == {"confId": "c2"}
    assert stub.only() == sent("POST", "conf/create", body={"max_duration": 60})


# What request() gives back, and what it refuses.


def test_request_answers_plain_python_values(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    data = {"a": [1, -2, 2**40, True, None, "文字", {"b": {}}], "c": 1.5}
    stub.reset(data)
    merge = {"agent_name": "a1", "src_conversation_id": "c1", "dst_conversation_id": "c2"}
    assert stub_client.request("agent_merge", **merge) == data  # its data is not declared
    stub.reset(None)
    assert stub_client.request("agent_keepalive", agent_name="a1") is None


def test_request_takes_play_items_tuples_and_lists(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    stub.reset({"callId": CALL_ID})
    rows = [yunhuni.PlayItem("a.wav", yunhuni.PlayItem.FILE), ("1234", yunhuni.PlayItem.DIGITS), ["5", 2, ""]]
    stub_client.request("notify_call", to="13800000001", play_content=rows)
    expected = '{"to":"13800000001","play_content":[["a.wav",0,""],["1234",1,""],["5",2,""]]}'
    assert stub.only().body == expected.encode("utf-8")
    # Any sequence will do, as the type says.
    stub.reset({"callId": CALL_ID})
    first = yunhuni.PlayItem("a.wav", yunhuni.PlayItem.FILE)
    queue: Deque[PlayItemLike] = collections.deque([first, ("1234", yunhuni.PlayItem.DIGITS)])
    stub_client.notify_call("13800000001", play_content=queue)
    assert stub.only().body == b'{"to":"13800000001","play_content":[["a.wav",0,""],["1234",1,""]]}'


@pytest.mark.parametrize(
    "fields,field",
    [
        ({"max_duration": "60"}, "max_duration"),  # str for int
        ({"max_duration": True}, "max_duration"),  # bool is not an int
        ({"max_duration": 60.0}, "max_duration"),  # float is not an int
        ({"max_duration": 60, "recording": 1}, "recording"),  # int for bool
        ({"max_duration": 60, "bgm_file": b"a.wav"}, "bgm_file"),  # bytes for str
        ({"max_duration": 60, "max_partz": 5}, "max_partz"),  # unknown field
        ({"max_duration": 60, "from": "x"}, "from"),  # not a field of conf_create
        ({"max_parts": 5}, "max_duration"),  # required field missing
        ({"max_duration": None}, "max_duration"),  # None is "not given"
        ({"max_duration": 2**70}, "max_duration"),
    ],
)
def test_request_refuses_before_sending(
    stub: RecordingStub, stub_client: yunhuni.Client, fields: Dict[str, Any], field: str
) -> None:
    with pytest.raises(yunhuni.ValidationError) as err:
        stub_client.request("conf_create", **fields)
    assert err.value.field == field
    assert str(err.value).startswith(field + ": ")
    assert stub.requests() == []


@pytest.mark.parametrize(
    "operation,fields,field",
    [
        ("notify_call", {"to": "1", "from": "2"}, "from"),  # the Python name is from_
        ("agent_login", {"name": "a", "extension": "e", "skills": [{"name": "x", "score": "9"}]}, "skills[0].score"),
        ("agent_login", {"name": "a", "extension": "e", "skills": [{"nmae": "x"}]}, "skills[0].nmae"),
        ("agent_login", {"name": "a", "extension": "e", "skills": [{1: "x"}]}, "skills[0]"),
        ("conf_start_play", {"conf_id": "c", "files": ["a", 2]}, "files[1]"),
        ("conf_start_play", {"conf_id": "c", "files": "a.wav"}, "files"),
        ("conf_start_play", {"conf_id": "c", "files": {"a.wav"}}, "files"),  # a set
    ],
)
def test_request_names_nested_fields(
    stub: RecordingStub, stub_client: yunhuni.Client, operation: str, fields: Dict[str, Any], field: str
) -> None:
    with pytest.raises(yunhuni.ValidationError) as err:
        stub_client.request(operation, **fields)
    assert err.value.field == field
    assert stub.requests() == []


def test_request_refuses_an_unknown_operation(stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    with pytest.raises(yunhuni.ValidationError) as err:
        stub_client.request("conf_craete", max_duration=60)
    assert err.value.field == "operation"
    with pytest.raises(yunhuni.ValidationError):
        stub_client.request(42)  # type: ignore[arg-type]
    assert stub.requests() == []


def test_typed_methods_refuse_unknown_and_missing_arguments(stub_client: yunhuni.Client) -> None:
    with pytest.raises(TypeError, match="max_partz"):
        stub_client.conf_create(60, max_partz=5)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="max_duration"):
        stub_client.conf_create()  # type: ignore[call-arg]
    with pytest.raises(yunhuni.ValidationError) as err:
        stub_client.conf_create("60")  # type: ignore[arg-type]
    assert err.value.field == "max_duration"


def test_platform_message_reaches_the_error() -> None:
    # The recording stub only answers success; an API error comes from the sandbox.
    with Sandbox() as sandbox:
        with pytest.raises(yunhuni.ApiError) as err:
            sandbox.client().cancel_duo_callback(CALL_ID)
    assert err.value.code == "020000"
    assert err.value.platform_message
    assert err.value.platform_message in str(err.value)
    assert "platform_message=" in repr(err.value)


# What a type checker makes of the typed methods.

GOOD = """
    import asyncio
    from typing import List, Optional

    import yunhuni
    from yunhuni.types import Conversation, ExtensionPage, Quota

    client = yunhuni.Client("app", "cert", "secret")
    created = client.conf_create(3600, max_parts=5, recording=True, user_data="x")
    conf_id: str = created["confId"]
    ok: bool = client.conf_start_play(conf_id, ["a.wav"])
    page: ExtensionPage = client.ext_list(page_no=1)
    total: int = page["totalCount"]
    quotas: List[Quota] = [{"type": "CallQuota", "value": 600}, {"type": "SmsQuota"}]
    client.subaccount_create(callback_url="https://example.com/cb", quotas=quotas)
    convs: Optional[List[Conversation]] = client.agent_conversations("agent01")
    call = client.verify_call("13800000001", "1234", from_="02088880000")
    call_id: str = call.call_id
    client.cancel_duo_callback(call_id)
    client.notify_call("13800000001", play_content=[("a.wav", yunhuni.PlayItem.FILE)])

    async def main() -> None:
        async with yunhuni.AsyncClient("app", "cert", "secret") as aclient:
            again = await aclient.conf_create(60)
            print(again["confId"])
            print(await aclient.request("ext_get", extension_id="e1"))

    asyncio.run(main())
"""

BAD = {
    "misspelt field": ("client.conf_create(3600, max_partz=5)", "max_partz"),
    "str for int": ('client.conf_create(max_duration="3600")', "max_duration"),
    "int for bool": ("client.conf_create(3600, recording=1)", "recording"),
    "misspelt record key": ('client.subaccount_create(quotas=[{"typ": "CallQuota"}])', "typ"),
    "wrong answer key": ('print(client.conf_create(60)["callId"])', "callId"),
}


def mypy(tmp_path: pathlib.Path, name: str, code: str) -> "subprocess.CompletedProcess[str]":
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(code), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".cache"), str(path)],
        capture_output=True,
        text=True,
    )


needs_mypy = pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")


@needs_mypy
def test_mypy_accepts_correct_calls(tmp_path: pathlib.Path) -> None:
    result = mypy(tmp_path, "good", GOOD)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_mypy
def test_mypy_refuses_misspelt_fields_and_wrong_types(tmp_path: pathlib.Path) -> None:
    head = 'import yunhuni\nclient = yunhuni.Client("app", "cert", "secret")\n'
    code = head + "\n".join(line for line, _ in BAD.values()) + "\n"
    result = mypy(tmp_path, "bad", code)
    assert result.returncode == 1, result.stdout + result.stderr
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    # One error on each bad line, naming the field at fault.
    for number, (what, (_, field)) in enumerate(BAD.items(), start=3):
        on_line = [e for e in errors if e.startswith(f"{tmp_path / 'bad.py'}:{number}:")]
        assert on_line, (what, result.stdout)
        assert any(f'"{field}"' in e for e in on_line), (what, on_line)
