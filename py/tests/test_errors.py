"""Every exception class, raised by a real condition, with its attributes."""

from __future__ import annotations

import builtins
import pickle
import time
from typing import Any, Dict

import pytest

import yunhuni
from yunhuni.testing import Sandbox

KINDS = {
    yunhuni.ValidationError: "validation",
    yunhuni.ApiError: "api",
    yunhuni.AuthError: "auth",
    yunhuni.HttpError: "http",
    yunhuni.TimeoutError: "timeout",
    yunhuni.TransportError: "transport",
    yunhuni.DecodeError: "decode",
}


def test_hierarchy() -> None:
    for cls, kind in KINDS.items():
        assert issubclass(cls, yunhuni.YunhuniError)
        assert cls.kind == kind
        assert cls.__module__ == "yunhuni"
    assert issubclass(yunhuni.ValidationError, ValueError)
    assert issubclass(yunhuni.TimeoutError, builtins.TimeoutError)
    assert yunhuni.TimeoutError is not builtins.TimeoutError


def test_validation_error_from_the_core(client: yunhuni.Client) -> None:
    with pytest.raises(yunhuni.ValidationError) as err:
        client.duo_callback("13800000001", "13800000001", 60)
    e = err.value
    assert (e.kind, e.field, e.code, e.status) == ("validation", "to2", None, None)
    assert str(e).startswith("to2: ")
    assert e.message == str(e)
    with pytest.raises(ValueError):
        client.duo_callback("13800000001", "13800000002", 0)


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"max_call_duration": "60"}, "max_call_duration"),
        ({"max_call_duration": 1.5}, "max_call_duration"),
        ({"max_call_duration": True}, "max_call_duration"),
        ({"max_call_duration": None}, "max_call_duration"),
        ({"max_call_duration": 2**70}, "max_call_duration"),
        ({"to1": 13800000001}, "to1"),
        ({"to2": b"13800000002"}, "to2"),
        ({"user_data": 42}, "user_data"),
        ({"ring_tone_mode": False}, "ring_tone_mode"),
        ({"max_dial_duration": "30"}, "max_dial_duration"),
        ({"recording": 1}, "recording"),
        ({"from1": "\ud800"}, "from1"),
        ({"ring_tone_mode": 1}, "ring_tone_mode"),  # a core rule, not a type
        ({"user_data": "x" * 129}, "user_data"),
    ],
)
def test_wrong_types_are_validation_errors_naming_the_field(
    client: yunhuni.Client, kwargs: Dict[str, Any], field: str
) -> None:
    args: Dict[str, Any] = {"to1": "13800000001", "to2": "13800000002", "max_call_duration": 60}
    args.update(kwargs)
    with pytest.raises(yunhuni.ValidationError) as err:
        client.duo_callback(**args)
    assert err.value.field == field
    assert str(err.value).startswith(field + ": ")


def test_index_types_are_accepted(client: yunhuni.Client) -> None:
    class Sixty:
        def __index__(self) -> int:
            return 60

    assert client.duo_callback("13800000001", "13800000002", Sixty()).call_id  # type: ignore[arg-type]


def test_validation_of_other_operations(client: yunhuni.Client) -> None:
    with pytest.raises(yunhuni.ValidationError) as err:
        client.notify_call("13800000001")
    assert err.value.field == "play_content"
    with pytest.raises(yunhuni.ValidationError) as err:
        client.notify_call("13800000001", play_content=[("12a", yunhuni.PlayItem.DIGITS)])
    assert err.value.field == "play_content[0]"
    with pytest.raises(yunhuni.ValidationError) as err:
        client.notify_call("13800000001", play_content="a.wav")  # type: ignore[arg-type]
    assert err.value.field == "play_content"
    with pytest.raises(yunhuni.ValidationError) as err:
        client.verify_call("13800000001", "12a")
    assert err.value.field == "verify_code"
    with pytest.raises(yunhuni.ValidationError) as err:
        client.verify_call("13800000001", "1", from_="2" * 129)
    assert err.value.field == "from_"  # the field as the caller spells it
    with pytest.raises(yunhuni.ValidationError) as err:
        client.cancel_duo_callback("  ")
    assert err.value.field == "call_id"


def test_validation_of_client_settings() -> None:
    cases: Dict[str, Dict[str, Any]] = {
        "secret_key": {"secret_key": ""},
        "base_url": {"base_url": "ftp://example.invalid"},
        "timeout": {"timeout": 0},
        "connect_timeout": {"connect_timeout": -1.0},
        "account_id": {"account_id": "a/b"},
        "connect_retries": {"connect_retries": -1},
    }
    for field, override in cases.items():
        args: Dict[str, Any] = {"app_id": "a", "cert_id": "c", "secret_key": "s"}
        args.update(override)
        with pytest.raises(yunhuni.ValidationError) as err:
            yunhuni.Client(**args)
        assert err.value.field == field, override


def test_api_error(client: yunhuni.Client) -> None:
    with pytest.raises(yunhuni.ApiError) as err:
        client.cancel_duo_callback("0123456789abcdef0123456789abcdef")
    e = err.value
    assert (e.kind, e.code, e.status, e.field) == ("api", "020000", 200, None)
    assert "020000" in str(e)


def test_auth_error(sandbox: Sandbox) -> None:
    client = yunhuni.Client(sandbox.app_id, sandbox.cert_id, "not-the-secret", base_url=sandbox.base_url)
    with pytest.raises(yunhuni.AuthError) as err:
        client.duo_callback("13800000001", "13800000002", 60)
    assert (err.value.kind, err.value.status, err.value.code) == ("auth", 401, None)


def test_http_error(server_500: str) -> None:
    client = yunhuni.Client("app", "cert", "secret", base_url=server_500)
    with pytest.raises(yunhuni.HttpError) as err:
        client.duo_callback("13800000001", "13800000002", 60)
    assert (err.value.kind, err.value.status) == ("http", 500)
    assert "500" in str(err.value)


def test_decode_error_from_a_response(server_junk: str) -> None:
    client = yunhuni.Client("app", "cert", "secret", base_url=server_junk)
    with pytest.raises(yunhuni.DecodeError) as err:
        client.duo_callback("13800000001", "13800000002", 60)
    assert (err.value.kind, err.value.status) == ("decode", 200)


def test_decode_error_from_an_event() -> None:
    with pytest.raises(yunhuni.DecodeError) as err:
        yunhuni.parse_event(b'{"event":"duo_callback.end","hangup_by":true}')
    assert (err.value.kind, err.value.field) == ("decode", "hangup_by")


def test_timeout_error(silent_server: str) -> None:
    client = yunhuni.Client("app", "cert", "secret", base_url=silent_server, timeout=0.3)
    start = time.monotonic()
    with pytest.raises(yunhuni.TimeoutError) as err:
        client.duo_callback("13800000001", "13800000002", 60)
    assert time.monotonic() - start < 5
    assert err.value.kind == "timeout"
    with pytest.raises(builtins.TimeoutError):
        client.duo_callback("13800000001", "13800000002", 60)


def test_transport_error(closed_port: str) -> None:
    client = yunhuni.Client("app", "cert", "secret", base_url=closed_port, connect_retries=2)
    with pytest.raises(yunhuni.TransportError) as err:
        client.duo_callback("13800000001", "13800000002", 60)
    assert (err.value.kind, err.value.status, err.value.code) == ("transport", None, None)


def test_errors_can_be_made_caught_and_pickled() -> None:
    e = yunhuni.ApiError("platform returned 020000", code="020000", status=200)
    assert repr(e) == "ApiError('platform returned 020000', code='020000', status=200)"
    back = pickle.loads(pickle.dumps(e))
    assert type(back) is yunhuni.ApiError
    assert (back.message, back.code, back.status) == (e.message, "020000", 200)
    t = pickle.loads(pickle.dumps(yunhuni.TimeoutError("slow", status=None)))
    assert isinstance(t, builtins.TimeoutError) and str(t) == "slow"
    try:
        raise yunhuni.ValidationError("to2: bad", field="to2")
    except ValueError as caught:
        assert isinstance(caught, yunhuni.YunhuniError)


def test_parse_event_rejects_non_bytes_with_type_error() -> None:
    with pytest.raises(TypeError):
        yunhuni.parse_event(123)  # type: ignore[arg-type]
