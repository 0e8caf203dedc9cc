"""The shared vectors of tests/vectors: signing and events."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from conftest import load_vectors

import yunhuni

SIGNING = load_vectors("signing.json")
EVENTS = load_vectors("events.json")


@pytest.mark.parametrize("case", SIGNING, ids=[c["name"] for c in SIGNING])
def test_signing_vector(case: Dict[str, Any]) -> None:
    body = bytes.fromhex(case["body_hex"])
    assert body == case["body"].encode("utf-8")
    common = dict(body=body, content_type=case["content_type"])
    text = yunhuni.string_to_sign(case["method"], case["uri"], case["timestamp"], case["app_id"], **common)
    assert text == case["string_to_sign"]
    signature = yunhuni.sign(
        case["method"], case["uri"], case["timestamp"], case["app_id"], case["secret_key"], **common
    )
    assert signature == case["signature"]
    # The body may be given as str too.
    assert yunhuni.sign(
        case["method"],
        case["uri"],
        case["timestamp"],
        case["app_id"],
        case["secret_key"],
        body=case["body"],
        content_type=case["content_type"],
    ) == case["signature"]


def test_signing_defaults() -> None:
    case = next(c for c in SIGNING if c["name"] == "known-answer-post")
    assert case["content_type"] == yunhuni.CONTENT_TYPE
    args = (case["method"], case["uri"], case["timestamp"], case["app_id"])
    assert yunhuni.sign(*args, case["secret_key"], body=case["body"].encode()) == case["signature"]
    get = next(c for c in SIGNING if c["name"] == "known-answer-get")
    assert yunhuni.sign(get["method"], get["uri"], get["timestamp"], get["app_id"], get["secret_key"]) == get["signature"]
    assert yunhuni.string_to_sign(get["method"], get["uri"], get["timestamp"], get["app_id"]) == get["string_to_sign"]


@pytest.mark.parametrize("case", EVENTS, ids=[c["name"] for c in EVENTS])
def test_event_vector(case: Dict[str, Any]) -> None:
    body = bytes.fromhex(case["body_hex"])
    expect = case["expect"]
    if "type" not in expect:
        assert expect["error"] == "decode"
        with pytest.raises(yunhuni.DecodeError) as err:
            yunhuni.parse_event(body)
        assert err.value.kind == "decode"
        return
    event = yunhuni.parse_event(body)
    assert event.to_dict() == expect
    # The class of a typed event is its name in PascalCase (ivr.get_end: IvrGetEnd).
    expected_class = {
        "event": yunhuni.Event,
    }.get(expect["type"]) or getattr(
        yunhuni, "".join(p.capitalize() for p in expect["type"].replace(".", "_").split("_"))
    )
    assert type(event) is expected_class
    assert event.event == expect["event"]
    if isinstance(event, yunhuni.Event):
        assert event.fields == expect["fields"]
        assert event.id == (expect["fields"].get("id") if isinstance(expect["fields"].get("id"), str) else None)
    else:
        # Every key of the canonical view but `type` is an attribute of the same value.
        for key, value in expect.items():
            if key != "type":
                assert getattr(event, key) == value, key
    if "body" in case:
        assert yunhuni.parse_event(case["body"]) == event
