"""parse_event and the event classes: input types, attributes, datetimes, repr, to_dict."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import yunhuni

CONNECTED = (
    b'{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify",'
    b'"id":"8a2bc6725b1d2e3f015b1d2f40a10001","answer_time2":1490930420000,"user_data":"order-42",'
    b'"event":"duo_callback.end","answer_time1":1490930410000,"hangup_by":"1"}'
)
CST = timezone(timedelta(hours=8))


def test_duo_callback_end_attributes() -> None:
    e = yunhuni.parse_event(CONNECTED)
    assert isinstance(e, yunhuni.DuoCallbackEnd)
    assert e.event == "duo_callback.end"
    assert e.id == "8a2bc6725b1d2e3f015b1d2f40a10001"
    assert e.outcome == "connected"
    assert e.outcome_text
    assert e.talk_seconds == 40
    assert e.hangup_by == 1
    assert (e.begin_time, e.answer_time1, e.answer_time2, e.end_time) == (
        1490930400000,
        1490930410000,
        1490930420000,
        1490930460000,
    )
    assert e.subaccount_id is None and e.duration is None and e.error is None
    assert e.raw == CONNECTED.decode()


def test_times_are_aware_datetimes() -> None:
    e = yunhuni.parse_event(CONNECTED)
    assert isinstance(e, yunhuni.DuoCallbackEnd)
    assert e.begin_at == datetime(2017, 3, 31, 11, 20, tzinfo=CST)
    assert e.begin_at is not None and e.begin_at.utcoffset() == timedelta(hours=8)
    assert e.begin_at.timestamp() * 1000 == e.begin_time
    assert e.answer1_at == datetime(2017, 3, 31, 3, 20, 10, tzinfo=timezone.utc)
    assert e.answer2_at == datetime(2017, 3, 31, 11, 20, 20, tzinfo=CST)
    assert e.end_at == datetime(2017, 3, 31, 11, 21, tzinfo=CST)
    odd = yunhuni.parse_event(b'{"event":"notify_call.end","begin_time":1490930400123,"end_tinme":"0"}')
    assert isinstance(odd, yunhuni.NotifyCallEnd)
    assert odd.begin_at == datetime(2017, 3, 31, 11, 20, 0, 123000, tzinfo=CST)
    assert odd.answer_at is None
    assert odd.end_at == datetime(1970, 1, 1, tzinfo=timezone.utc)


def test_input_types() -> None:
    expected = yunhuni.parse_event(CONNECTED)
    assert yunhuni.parse_event(CONNECTED.decode()) == expected
    assert yunhuni.parse_event(bytearray(CONNECTED)) == expected
    assert yunhuni.parse_event(memoryview(CONNECTED)) == expected
    # ISO-8859-1 bytes, as the platform really sends them.
    latin1 = yunhuni.parse_event(b'{"event":"duo_callback.end","user_data":"caf\xe9","error":"????"}')
    assert isinstance(latin1, yunhuni.DuoCallbackEnd)
    assert latin1.user_data == "café"
    assert latin1.outcome == "platform_failure"


def test_reprs_are_readable() -> None:
    assert repr(yunhuni.parse_event(CONNECTED)) == (
        "DuoCallbackEnd(id='8a2bc6725b1d2e3f015b1d2f40a10001', outcome='connected', "
        "talk_seconds=40, user_data='order-42')"
    )
    n = yunhuni.parse_event(b'{"event":"notify_call.end","id":"x","dropped_by":"usr"}')
    assert repr(n) == "NotifyCallEnd(id='x', ended_by='user', error=None, user_data=None)"
    v = yunhuni.parse_event(b'{"event":"verify_call.end","id":"y","error":"????"}')
    assert repr(v) == "VerifyCallEnd(id='y', ended_by=None, error='????', user_data=None)"
    c = yunhuni.parse_event(b'{"event":"conf.end","id":"c1","n":[1,{"a":null}]}')
    assert repr(c) == "ConfEnd(id='c1', user_data=None)"
    o = yunhuni.parse_event(b'{"event":"captcha_call.end","id":"c1","n":[1,{"a":null}]}')
    assert repr(o) == "Event(event='captcha_call.end', id='c1')"


def test_other_events_keep_every_field() -> None:
    o = yunhuni.parse_event(b'{"event":"future.thing_happened","id":"c1","n":[1,2.5,{"a":null}],"ok":true}')
    assert isinstance(o, yunhuni.Event)
    assert o.event == "future.thing_happened"
    assert o.fields == {"event": "future.thing_happened", "id": "c1", "n": [1, 2.5, {"a": None}], "ok": True}
    assert o.get("ok") is True
    assert o.get("missing") is None
    assert o.get("missing", 7) == 7
    assert o.to_dict() == {"type": "event", "event": "future.thing_happened", "fields": o.fields}
    fields = o.fields
    fields["id"] = "changed"
    assert o.id == "c1"  # `fields` is a copy


def test_notify_and_verify_ends() -> None:
    n = yunhuni.parse_event(
        b'{"event":"notify_call.end","id":"n1","begin_time":1,"answer_time":2,"end_time":3000,'
        b'"dropped_by":"sys","user_data":"u"}'
    )
    assert isinstance(n, yunhuni.NotifyCallEnd)
    assert (n.ended_by, n.dropped_by, n.hangup_by, n.user_data) == ("platform", "sys", None, "u")
    assert n.to_dict()["ended_by"] == "platform"
    v = yunhuni.parse_event(b'{"event":"verify_call.end","hangup_by":1}')
    assert isinstance(v, yunhuni.VerifyCallEnd)
    assert (v.hangup_by, v.ended_by) == ("1", "user")


def test_events_are_immutable_values() -> None:
    e = yunhuni.parse_event(CONNECTED)
    with pytest.raises(AttributeError):
        e.id = "other"  # type: ignore[misc,union-attr]
    assert e == yunhuni.parse_event(CONNECTED)
    assert e != yunhuni.parse_event(CONNECTED.replace(b"order-42", b"order-43"))


def test_decode_errors() -> None:
    for body in [b"", b"null", b"[]", b'{"id":"x"}', b'{"event":5}', b"\xff\xfe{", b" " * (1024 * 1024 + 1)]:
        with pytest.raises(yunhuni.DecodeError):
            yunhuni.parse_event(body)


def test_text_with_a_lone_surrogate_is_a_decode_error() -> None:
    with pytest.raises(yunhuni.DecodeError):
        yunhuni.parse_event('{"event":"x","a":"\ud800"}')
