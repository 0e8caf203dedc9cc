"""yunhuni.testing.Sandbox: scenarios, webhook deliveries to a receiver in this process."""

from __future__ import annotations

import pytest
from conftest import FAST, WebhookReceiver

import yunhuni
from yunhuni.testing import RESERVED_NUMBERS, Delivery, Sandbox, WebhookAttempt


def test_events_are_delivered_to_a_python_receiver(receiver: WebhookReceiver) -> None:
    with Sandbox(callback_url=receiver.url, time_scale=FAST) as sb:
        assert sb.callback_url == receiver.url
        client = sb.client()
        call = client.duo_callback("13800000001", "13800000002", 60, user_data="订单-42")
        delivery = sb.wait_for_end(call.call_id, timeout=10)
        assert isinstance(delivery, Delivery)
        assert delivery.delivered and delivery.url == receiver.url
        assert delivery.event == "duo_callback.end"
        assert not delivery.utf8
        assert len(delivery.attempts) == 1
        attempt = delivery.attempts[0]
        assert isinstance(attempt, WebhookAttempt)
        assert attempt.succeeded and attempt.status == 200 and attempt.attempt == 1
        with receiver.lock:
            (path, headers, body) = receiver.received[0]
        assert path == "/hook"
        assert body == delivery.body == attempt.body
        # The platform sends ISO-8859-1 with '?' for characters outside Latin-1.
        end = yunhuni.parse_event(body)
        assert isinstance(end, yunhuni.DuoCallbackEnd)
        assert end.user_data == "??-42"
        assert end == delivery.parse() == attempt.parse()
        assert sb.webhooks(call.call_id) == [attempt]
        assert attempt in sb.webhooks()


def test_utf8_webhooks(receiver: WebhookReceiver) -> None:
    with Sandbox(callback_url=receiver.url, time_scale=FAST, utf8_webhooks=True) as sb:
        call = sb.client().duo_callback("13800000001", "13800000002", 60, user_data="订单-42")
        delivery = sb.wait_for_end(call.call_id, timeout=10)
        assert delivery.utf8
        end = delivery.parse()
        assert isinstance(end, yunhuni.DuoCallbackEnd) and end.user_data == "订单-42"


def test_failed_deliveries_are_retried_four_times(closed_port: str) -> None:
    with Sandbox(callback_url=closed_port + "/hook", time_scale=FAST, webhook_timeout=1.0) as sb:
        call = sb.client().duo_callback("13800000001", "13800000002", 60)
        delivery = sb.wait_for_end(call.call_id, timeout=20)
        assert not delivery.delivered
        assert [a.attempt for a in delivery.attempts] == [1, 2, 3, 4]
        assert all(a.status is None and a.error for a in delivery.attempts)


def test_callback_url_can_change(receiver: WebhookReceiver) -> None:
    with Sandbox(time_scale=FAST) as sb:
        assert sb.callback_url is None
        call = sb.client().duo_callback("13800000001", "13800000002", 60)
        delivery = sb.wait_for_end(call.call_id, timeout=10)
        assert delivery.url is None and not delivery.delivered and delivery.attempts == ()
        assert isinstance(delivery.parse(), yunhuni.DuoCallbackEnd)
        sb.callback_url = receiver.url
        assert sb.callback_url == receiver.url
        call = sb.client().duo_callback("13800000001", "13800000002", 60)
        assert sb.wait_for_end(call.call_id, timeout=10).delivered
        sb.callback_url = None
        assert sb.callback_url is None


def test_set_behavior_forms(sandbox: Sandbox) -> None:
    n = "13800000099"
    sandbox.set_behavior(n, "busy")
    assert sandbox.behavior(n) == {"answer": "busy", "hangup_after_ms": None}
    sandbox.set_behavior(n, ms=300, hangup_after_ms=1000)
    assert sandbox.behavior(n) == {"answer": "after", "ms": 300, "hangup_after_ms": 1000}
    sandbox.set_behavior(n, {"answer": "no_answer"})
    assert sandbox.behavior(n)["answer"] == "no_answer"
    sandbox.clear_behavior(n)
    assert sandbox.behavior(n) == {"answer": "after", "ms": 2000, "hangup_after_ms": 5000}
    with pytest.raises(ValueError):
        sandbox.set_behavior(n, "sometimes")
    with pytest.raises(ValueError):
        sandbox.set_behavior(n, "after")  # needs ms
    with pytest.raises(TypeError):
        sandbox.set_behavior(n)
    with pytest.raises(TypeError):
        sandbox.set_behavior(n, {"answer": "busy"}, ms=1)
    assert set(RESERVED_NUMBERS) >= {"13900000001", "13900000009"}
    assert sandbox.behavior("13900000001")["answer"] == "busy"


def test_scripted_party2_busy(sandbox: Sandbox, client: yunhuni.Client) -> None:
    sandbox.set_behavior("13800000098", "busy")
    try:
        call = client.duo_callback("13800000001", "13800000098", 60)
        end = sandbox.wait_for_end(call.call_id, timeout=10).parse()
        assert isinstance(end, yunhuni.DuoCallbackEnd) and end.outcome == "party2_not_reached"
    finally:
        sandbox.clear_behavior("13800000098")


def test_calls_and_call(sandbox: Sandbox, client: yunhuni.Client) -> None:
    call = client.duo_callback("13800000001", "13800000002", 60, user_data="inspect")
    info = sandbox.call(call.call_id)
    assert info is not None and info["id"] == call.call_id and info["user_data"] == "inspect"
    assert any(c["id"] == call.call_id for c in sandbox.calls())
    sandbox.wait_for_end(call.call_id, timeout=10)
    info = sandbox.call(call.call_id)
    assert info is not None and info["state"] == "closed"
    assert [step["state"] for step in info["timeline"]][-1] == "closed"
    assert sandbox.call("f" * 32) is None


def test_wait_for_end_errors(sandbox: Sandbox, client: yunhuni.Client) -> None:
    with pytest.raises(KeyError):
        sandbox.wait_for_end("f" * 32, timeout=0.1)
    call = client.duo_callback("13900000002", "13800000002", 60, max_dial_duration=300)  # rings 300 s
    with pytest.raises(TimeoutError):
        sandbox.wait_for_end(call.call_id, timeout=0.1)
    client.cancel_duo_callback(call.call_id)
    assert sandbox.wait_for_end(call.call_id, timeout=10).parse().id == call.call_id


def test_credentials_and_clock(sandbox: Sandbox) -> None:
    assert sandbox.base_url.startswith("http://127.0.0.1:")
    assert sandbox.app_id == "b0a5d1e5a2c64f0e9a7e3c1d5f000001"
    assert sandbox.cert_id == sandbox.account_id == "c3e7a9f1d2b44e8c8a6b1f0e2d000001"
    sub_id, sub_cert, sub_secret = sandbox.sub_account
    assert sub_id and sub_cert and sub_secret
    assert sandbox.sim_now_ms > 1_500_000_000_000
    sub = yunhuni.Client(sandbox.app_id, sub_cert, sub_secret, base_url=sandbox.base_url, account_id=sandbox.cert_id)
    call = sub.duo_callback("13800000001", "13800000002", 60)
    end = sandbox.wait_for_end(call.call_id, timeout=10).parse()
    assert isinstance(end, yunhuni.DuoCallbackEnd) and end.subaccount_id == sub_id


def test_close_is_idempotent_and_bad_settings_fail() -> None:
    sb = Sandbox()
    url = sb.base_url
    sb.close()
    sb.close()
    with pytest.raises(yunhuni.TransportError):
        yunhuni.Client(sb.app_id, sb.cert_id, sb.secret_key, base_url=url).duo_callback("1", "2", 60)
    with pytest.raises(ValueError):
        Sandbox(time_scale=0)
    with pytest.raises(ValueError):
        Sandbox(api_delay=-1)
    with pytest.raises(OSError):
        Sandbox(listen="256.0.0.1:0")


def test_business_errors_can_be_scripted() -> None:
    with Sandbox(
        time_scale=100,
        app_settings={"online": False, "test_numbers": ["13800000001", "13800000002"]},
        confirm_delay=60.0,
    ) as sandbox:
        client = sandbox.client()
        assert sandbox.app_settings()["online"] is False
        # An app that is not online may call only its test numbers.
        with pytest.raises(yunhuni.ApiError) as info:
            client.duo_callback("13800000001", "13900000003", 60)
        assert info.value.code == "020001"
        call = client.duo_callback("13800000001", "13800000002", 60)
        # The switch has not confirmed the call yet: a cancel gets 000004.
        with pytest.raises(yunhuni.ApiError) as info:
            client.cancel_duo_callback(call.call_id)
        assert info.value.code == "000004"
        sandbox.set_app_settings({"balance_exhausted": True})
        with pytest.raises(yunhuni.ApiError) as info:
            client.duo_callback("13800000001", "13800000002", 60)
        assert info.value.code == "010003"
        sandbox.set_app_settings({})
        sandbox.set_behavior("13800000009", code="020002")
        assert sandbox.behavior("13800000009")["code"] == "020002"
        with pytest.raises(yunhuni.ApiError) as info:
            client.duo_callback("13800000001", "13800000009", 60)
        assert info.value.code == "020002"
        with pytest.raises(ValueError):
            sandbox.set_app_settings({"code": "999999"})
        with pytest.raises(ValueError):
            sandbox.set_app_settings({}, app_id="nope")


def test_a_negative_expiry_is_a_value_error_naming_it() -> None:
    with pytest.raises(ValueError, match="expiry_minutes"):
        Sandbox(expiry_minutes=-1)
