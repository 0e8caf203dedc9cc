"""Every operation of the blocking client, against the in-process sandbox."""

from __future__ import annotations

import re

import pytest

import yunhuni
from yunhuni.testing import Sandbox

CALL_ID = re.compile(r"^[0-9a-f]{32}$")


def test_duo_callback_connects_and_reports_its_end(sandbox: Sandbox, client: yunhuni.Client) -> None:
    call = client.duo_callback("13800000001", "13800000002", 60, user_data="order-42")
    assert isinstance(call, yunhuni.CallCreated)
    assert CALL_ID.match(call.call_id)
    assert call.user_data == "order-42"
    end = sandbox.wait_for_end(call.call_id, timeout=10).parse()
    assert isinstance(end, yunhuni.DuoCallbackEnd)
    assert end.id == call.call_id
    assert end.outcome == "connected"
    assert end.talk_seconds == 5  # the default behaviour hangs up 5 s after being connected
    assert end.user_data == "order-42"
    assert end.hangup_by == 2


def test_duo_callback_sends_every_optional_field(sandbox: Sandbox, client: yunhuni.Client) -> None:
    call = client.duo_callback(
        "13800000011",
        "13800000012",
        120,
        from1="02000000001",
        from2="02000000002",
        ring_tone="ring.wav",
        ring_tone_mode=2,
        max_dial_duration=30,
        recording=False,
        record_mode=0,
        user_data="全部字段",
    )
    assert call.user_data == "全部字段"
    info = sandbox.call(call.call_id)
    assert info is not None
    assert info["numbers"] == ["13800000011", "13800000012"]
    assert info["kind"] == "duo_callback"
    assert info["user_data"] == "全部字段"


def test_none_means_not_given(client: yunhuni.Client) -> None:
    call = client.duo_callback("13800000001", "13800000002", 60, from1=None, user_data=None)
    assert call.user_data is None


@pytest.mark.parametrize(
    "to1,outcome",
    [
        ("13900000001", "party1_not_reached"),  # busy
        ("13900000003", "party1_not_reached"),  # unreachable
        ("13900000009", "platform_failure"),  # engine failure
    ],
)
def test_reserved_numbers(sandbox: Sandbox, client: yunhuni.Client, to1: str, outcome: str) -> None:
    call = client.duo_callback(to1, "13800000002", 60)
    end = sandbox.wait_for_end(call.call_id, timeout=10).parse()
    assert isinstance(end, yunhuni.DuoCallbackEnd)
    assert end.outcome == outcome


def test_max_call_duration_reached(sandbox: Sandbox, client: yunhuni.Client) -> None:
    # 13900000005 answers and never hangs up; script party 2 the same way.
    sandbox.set_behavior("13800000005", "after", ms=1000)
    try:
        call = client.duo_callback("13900000005", "13800000005", 30)
        end = sandbox.wait_for_end(call.call_id, timeout=10).parse()
        assert isinstance(end, yunhuni.DuoCallbackEnd)
        assert end.outcome == "max_duration_reached"
        assert end.talk_seconds == 30
    finally:
        sandbox.clear_behavior("13800000005")


def test_cancel_duo_callback(sandbox: Sandbox, client: yunhuni.Client) -> None:
    sandbox.set_behavior("13800000021", "no_answer")
    try:
        call = client.duo_callback("13800000021", "13800000022", 60, max_dial_duration=300)
        client.cancel_duo_callback(call.call_id)
        end = sandbox.wait_for_end(call.call_id, timeout=10).parse()
        assert isinstance(end, yunhuni.DuoCallbackEnd)
        assert end.outcome == "party1_not_reached"
    finally:
        sandbox.clear_behavior("13800000021")


def test_notify_call(sandbox: Sandbox, client: yunhuni.Client) -> None:
    call = client.notify_call(
        "13800000031",
        play_file="welcome.wav",
        play_content=[
            yunhuni.PlayItem("3245.24", yunhuni.PlayItem.AMOUNT),
            ("2020-05-09 14:30", yunhuni.PlayItem.DATE_TIME),
            ("123", 1, ""),
        ],
        from_="02000000001",
        repeat=1,
        max_dial_duration=30,
        user_data="notify-1",
    )
    assert CALL_ID.match(call.call_id)
    assert call.user_data == "notify-1"
    end = sandbox.wait_for_end(call.call_id, timeout=10).parse()
    assert isinstance(end, yunhuni.NotifyCallEnd)
    assert end.id == call.call_id
    assert end.user_data == "notify-1"
    assert end.ended_by in ("user", "platform")


def test_notify_call_accepts_any_sequence(client: yunhuni.Client) -> None:
    call = client.notify_call("13800000031", play_content=(yunhuni.PlayItem("a.wav", yunhuni.PlayItem.FILE),))
    assert CALL_ID.match(call.call_id)


def test_verify_call(sandbox: Sandbox, client: yunhuni.Client) -> None:
    call = client.verify_call("13800000041", "759345", play_file="prompt.wav", repeat=2, user_data="v")
    assert CALL_ID.match(call.call_id)
    assert call.user_data is None  # the platform does not echo it for verify_call
    end = sandbox.wait_for_end(call.call_id, timeout=10).parse()
    # The platform reports the normal end of a verification call as notify_call.end.
    assert isinstance(end, yunhuni.NotifyCallEnd)
    assert end.id == call.call_id
    assert end.ended_by is not None


def test_verify_call_that_cannot_start(sandbox: Sandbox, client: yunhuni.Client) -> None:
    call = client.verify_call("13900000009", verify_code="1234")
    end = sandbox.wait_for_end(call.call_id, timeout=10).parse()
    assert isinstance(end, yunhuni.VerifyCallEnd)
    assert end.event == "verify_call.end"
    assert end.error is not None


def test_post_any_operation(client: yunhuni.Client) -> None:
    data = client.post("call/duo_callback", {"to1": "13800000001", "to2": "13800000002", "max_call_duration": 5})
    assert CALL_ID.match(data["callId"])


def test_client_properties_and_repr(sandbox: Sandbox, client: yunhuni.Client) -> None:
    assert client.app_id == sandbox.app_id
    assert client.cert_id == sandbox.cert_id
    assert client.account_id == sandbox.cert_id
    assert client.api_root == f"{sandbox.base_url}/v1/account/{sandbox.cert_id}/"
    assert repr(client).startswith("Client(app_id=")
    explicit = yunhuni.Client("a", "c", "s", base_url="https://example.invalid/v1/account/acct9/")
    assert explicit.account_id == "acct9"
    assert explicit.api_root == "https://example.invalid/v1/account/acct9/"
    assert yunhuni.Client("a", "c", "s", account_id="x1").api_root == f"{yunhuni.DEFAULT_BASE_URL}/v1/account/x1/"


def test_from_env(monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox) -> None:
    monkeypatch.setenv("YUNHUNI_APP_ID", sandbox.app_id)
    monkeypatch.setenv("YUNHUNI_CERT_ID", sandbox.cert_id)
    monkeypatch.setenv("YUNHUNI_SECRET_KEY", sandbox.secret_key)
    monkeypatch.setenv("YUNHUNI_BASE_URL", sandbox.base_url)
    monkeypatch.delenv("YUNHUNI_ACCOUNT_ID", raising=False)
    client = yunhuni.Client.from_env(timeout=5)
    assert client.duo_callback("13800000001", "13800000002", 60).call_id
    monkeypatch.delenv("YUNHUNI_SECRET_KEY")
    with pytest.raises(yunhuni.ValidationError) as err:
        yunhuni.Client.from_env()
    assert err.value.field == "YUNHUNI_SECRET_KEY"


def test_call_created_value_semantics(client: yunhuni.Client) -> None:
    call = client.duo_callback("13800000001", "13800000002", 60, user_data="x")
    assert call == call
    assert hash(call) == hash(call)
    assert repr(call) == f"CallCreated(call_id={call.call_id!r}, user_data='x')"


def test_play_item() -> None:
    item = yunhuni.PlayItem("123", yunhuni.PlayItem.DIGITS)
    assert (item.content, item.play_type, item.options) == ("123", 1, "")
    assert item == yunhuni.PlayItem("123", 1, "")
    assert repr(item) == "PlayItem(content='123', play_type=1, options='')"
    assert [
        yunhuni.PlayItem.FILE,
        yunhuni.PlayItem.DIGITS,
        yunhuni.PlayItem.NUMBER,
        yunhuni.PlayItem.AMOUNT,
        yunhuni.PlayItem.DATE_TIME,
        yunhuni.PlayItem.DURATION,
    ] == [0, 1, 2, 3, 4, 5]
    with pytest.raises(yunhuni.ValidationError) as err:
        yunhuni.PlayItem("1", "1")  # type: ignore[arg-type]
    assert err.value.field == "play_type"


def test_signing_helpers_match_what_the_client_sends() -> None:
    ts = yunhuni.timestamp_now()
    assert re.match(r"^20\d{12}$", ts)
    assert yunhuni.CONTENT_TYPE == "application/json; charset=utf-8"
