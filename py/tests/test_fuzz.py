"""A bounded fuzz run (fixed seed, a few thousand inputs, a few seconds): hostile webhook bodies
and hostile arguments never get anything out of the SDK but its own errors.

A longer run, with the variables of the Rust suite's hostile runs (``bench/hostile``), prints
its counts and the seed::

    YUNHUNI_HOSTILE_SCALE=20 YUNHUNI_HOSTILE_SEED=7 py/.venv/bin/python -m pytest -s py/tests/test_fuzz.py
"""

from __future__ import annotations

import inspect
import json
import os
import random
import time
from typing import Any, Dict, Tuple

import pytest

import yunhuni
from yunhuni._ops import ClientOps

from conftest import RecordingStub

#: The counts are multiplied by YUNHUNI_HOSTILE_SCALE (1 by default).
SCALE = max(1, int(os.environ.get("YUNHUNI_HOSTILE_SCALE") or 1))
SEED = int(os.environ.get("YUNHUNI_HOSTILE_SEED") or 20240512)
EVENTS = 5000 * SCALE
REQUESTS = 3000 * SCALE

EVENT_NAMES = [
    "duo_callback.end",
    "notify_call.end",
    "verify_call.end",
    "ivr.call_end",
    "conf.end",
    "",
    "x" * 300,
    "\x1b[2J",
    "duo_callback.end\x00",
]
EVENT_KEYS = [
    "id",
    "subaccount_id",
    "begin_time",
    "answer_time1",
    "answer_time2",
    "answer_time",
    "end_time",
    "end_tinme",
    "hangup_by",
    "dropped_by",
    "duration",
    "reason",
    "error",
    "user_data",
    "record_file",
    "event",
    "",
    "\u0000",
]

OPERATIONS = sorted(
    name for name, member in vars(ClientOps).items() if not name.startswith("_") and name != "request" and callable(member)
)


def a_value(rng: random.Random, depth: int = 0) -> Any:
    """A JSON-ish value, often at or past a limit."""
    choice = rng.randrange(16)
    if choice == 0:
        return None
    if choice == 1:
        return rng.choice([True, False])
    if choice == 2:
        return rng.choice([0, -1, 1, 2**31, 2**53 + 1, 2**63 - 1, -(2**63), 2**64, 253402300799999, 253402300800000])
    if choice == 3:
        return rng.randrange(-(10**20), 10**20)
    if choice == 4:
        return rng.choice([0.5, -0.0, 1e308, 1e-308, 1.5e15])
    if choice == 5:
        return str(rng.choice([0, -1, 1589000000000, 253402300800000, 10**30]))
    if choice == 6:
        return "".join(chr(rng.randrange(0x20, 0x7F)) for _ in range(rng.randrange(0, 40)))
    if choice == 7:
        return "".join(chr(rng.randrange(0, 0x110000)) for _ in range(rng.randrange(0, 12))).encode(
            "utf-8", "surrogatepass"
        ).decode("utf-8", "replace")
    if choice == 8:
        return rng.choice(["", " ", "\x1b]0;pwned\x07", "usr", "sys", "0", "1", "2", "????", "a" * 5000])
    if choice == 9 and depth < 3:
        return [a_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    if choice == 10 and depth < 3:
        return {a_key(rng): a_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))}
    return rng.choice(["0123456789abcdef0123456789abcdef", 1589000000000, "1589000000000", 3])


def a_key(rng: random.Random) -> str:
    if rng.random() < 0.8:
        return rng.choice(EVENT_KEYS)
    return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(0, 8)))


def an_event_body(rng: random.Random) -> bytes:
    """A webhook body: mostly a JSON object with an event name, sometimes broken on purpose."""
    fields: Dict[str, Any] = {k: a_value(rng) for k in rng.sample(EVENT_KEYS, rng.randrange(0, 8))}
    if rng.random() < 0.9:
        fields["event"] = rng.choice(EVENT_NAMES) if rng.random() < 0.9 else a_value(rng)
    text = json.dumps(fields, ensure_ascii=rng.random() < 0.5)
    body = text.encode("utf-8") if rng.random() < 0.7 else text.encode("latin-1", "replace")
    mutation = rng.randrange(10)
    if mutation == 0 and body:  # truncated
        body = body[: rng.randrange(len(body))]
    elif mutation == 1 and body:  # a byte flipped
        i = rng.randrange(len(body))
        body = body[:i] + bytes([rng.randrange(256)]) + body[i + 1 :]
    elif mutation == 2:  # not JSON, or not an object
        body = rng.choice([b"", b"null", b"[]", b'"event"', b"\xff\xfe", b"{" * 200, bytes(rng.randrange(256) for _ in range(30))])
    elif mutation == 3:  # a duplicate key
        body = body[:-1] + b',"event":"duo_callback.end"}' if body.endswith(b"}") else body
    return body


def read_everything(event: Any) -> None:
    """Reads every property and calls every method of a parsed event."""
    for name in dir(type(event)):
        if name.startswith("_"):
            continue
        value = getattr(event, name)
        if callable(value):
            if name == "get":
                value("id")
                value("end_time", 0)
            else:
                value()
    repr(event)
    str(event)
    assert event == event


def fuzz_events(rng: random.Random, rounds: int) -> Tuple[int, int]:
    parsed = refused = 0
    for _ in range(rounds):
        body = an_event_body(rng)
        try:
            event = yunhuni.parse_event(body if rng.random() < 0.8 else body.decode("latin-1"))
        except yunhuni.YunhuniError as e:
            assert e.kind == "decode", (body, e)
            refused += 1
            continue
        except Exception as e:  # pragma: no cover - the failure being looked for
            raise AssertionError(f"parse_event({body!r}) raised {e!r}") from e
        try:
            read_everything(event)
        except Exception as e:  # pragma: no cover
            raise AssertionError(f"reading the event of {body!r} raised {e!r}") from e
        parsed += 1
    return parsed, refused


def a_typed_value(rng: random.Random, annotation: str) -> Any:
    """A value of the declared type (as the typed method's annotation spells it), often one
    the platform's rules refuse."""
    if "PlayItem" in annotation:
        return [(rng.choice(["a.wav", "123", "", "x" * 300]), rng.randrange(-1, 7))]
    if annotation.startswith(("List[", "Sequence[", "Optional[List[", "Optional[Sequence[")):
        inner = annotation.split("[", 2)[-1].rstrip("]")
        return [a_typed_value(rng, inner) for _ in range(rng.randrange(0, 3))]
    if "bool" in annotation:
        return rng.choice([True, False])
    if "int" in annotation:
        return rng.choice([0, 1, 5, 60, 600, 3600, -1, 2**31, 10**12])
    if "str" in annotation:
        return rng.choice(["13800000001", "13800000002", "0123456789abcdef0123456789abcdef", "a.wav", "", " ", "x" * 200, "中文"])
    return {rng.choice(["type", "value", "score", "name", "id"]): rng.choice(["CallQuota", 600, "a", 5])}


def some_fields(rng: random.Random, operation: str) -> Dict[str, Any]:
    """Keyword arguments for an operation: its own fields (and now and then a stranger), with
    values of the declared type or of any type."""
    method = getattr(ClientOps, operation, None)
    parameters = list(inspect.signature(method).parameters.values())[1:] if method else []
    fields: Dict[str, Any] = {}
    for p in parameters:
        required = p.default is inspect.Parameter.empty
        if rng.random() < (0.9 if required else 0.3):
            fields[p.name] = a_typed_value(rng, str(p.annotation)) if rng.random() < 0.8 else None
    for name in rng.sample(["from", "bogus", "max_partz", "_", "maxDuration"], rng.randrange(0, 2)):
        fields[name] = a_value(rng)
    for name in rng.sample(sorted(fields), min(len(fields), rng.randrange(0, 3))):
        r = rng.random()
        if r < 0.1:
            fields[name] = object()
        elif r < 0.2:
            fields[name] = b"bytes"
        elif r < 0.3:
            fields[name] = yunhuni.PlayItem("a.wav", yunhuni.PlayItem.FILE)
        elif r < 0.4:
            fields[name] = (a_value(rng), a_value(rng))
        elif r < 0.5:
            fields[name] = {1, 2}
        elif r < 0.6:
            fields[name] = "\ud800"
        else:
            fields[name] = a_value(rng)
    return fields


def fuzz_requests(rng: random.Random, rounds: int, client: yunhuni.Client, stub: RecordingStub) -> Dict[str, int]:
    outcomes: Dict[str, int] = {}
    for _ in range(rounds):
        operation = rng.choice(OPERATIONS) if rng.random() < 0.95 else rng.choice(["", "conf_craete", "\x00", "x" * 500])
        fields = some_fields(rng, operation)
        stub.reset(rng.choice([None, {}, [], "x", {"callId": "0123456789abcdef0123456789abcdef"}, 7]))
        try:
            client.request(operation, **fields)
            outcome = "sent"
        except yunhuni.ValidationError as e:
            assert e.field, e
            assert stub.requests() == [], ("a refused request was sent", operation, fields)
            outcome = "refused"
        except yunhuni.YunhuniError as e:
            assert e.kind in ("decode", "api"), (operation, fields, e)
            outcome = e.kind
        except TypeError:
            outcome = "type"
        except Exception as e:  # pragma: no cover
            raise AssertionError(f"request({operation!r}, **{fields!r}) raised {e!r}") from e
        if outcome != "refused" and outcome != "type":
            assert len(stub.requests()) == 1, (operation, fields)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def test_hostile_event_bodies_give_decode_errors_or_events_that_can_be_read() -> None:
    start = time.monotonic()
    parsed, refused = fuzz_events(random.Random(SEED), EVENTS)
    elapsed = time.monotonic() - start
    print(f"\nhostile python events: {EVENTS} bodies, {parsed} parsed and read, {refused} refused, "
          f"seed {SEED}, {elapsed:.1f} s")
    assert parsed + refused == EVENTS
    assert parsed > EVENTS // 4 and refused > EVENTS // 10, (parsed, refused)  # both paths exercised
    assert elapsed < 30 * SCALE


def test_hostile_arguments_are_refused_before_anything_is_sent(
    recording_stub: RecordingStub, stub_client: yunhuni.Client
) -> None:
    start = time.monotonic()
    outcomes = fuzz_requests(random.Random(SEED), REQUESTS, stub_client, recording_stub)
    elapsed = time.monotonic() - start
    print(f"\nhostile python requests: {REQUESTS} calls, {outcomes}, seed {SEED}, {elapsed:.1f} s")
    assert sum(outcomes.values()) == REQUESTS
    assert outcomes.get("refused", 0) > REQUESTS // 2 and outcomes.get("sent", 0) > 10, outcomes
    assert elapsed < 60 * SCALE
