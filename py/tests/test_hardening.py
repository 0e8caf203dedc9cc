"""What hostile settings, bodies and servers do: refused with the SDK's own errors, never a
crash, never a request sent twice; and what a failed request tells about having been sent."""

from __future__ import annotations

import pickle
import re
import socket
import struct
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

import yunhuni
from yunhuni.testing import Sandbox

from conftest import RecordingStub

#: Durations no client can honour: not a number of seconds at all, or not between 1 ns and a
#: day. None of them may end in anything but a ValidationError naming the setting.
UNHONOURABLE: List[Any] = [
    1e19,
    float("inf"),
    float("-inf"),
    float("nan"),
    -1.0,
    -1,
    -0.0,
    0,
    0.0,
    1e300,
    2**70,
    -(2**70),
    86400.5,
    2**64,
]

TIME_KEYS = {
    "duo_callback.end": ["begin_time", "answer_time1", "answer_time2", "end_time"],
    "notify_call.end": ["begin_time", "answer_time", "end_time"],
    "verify_call.end": ["begin_time", "answer_time", "end_time"],
}
#: 9999-12-31T23:59:59.999Z, the last time an event may carry (core's TIME_RANGE_MS).
LAST_MS = 253402300799999


def readable_properties(obj: object) -> Dict[str, Any]:
    """Every property of `obj`'s class, read."""
    return {
        name: getattr(obj, name)
        for name, member in vars(type(obj)).items()
        if not name.startswith("_") and not callable(member)
    }


# 1. Timeouts


@pytest.mark.parametrize("field", ["timeout", "connect_timeout"])
@pytest.mark.parametrize("value", UNHONOURABLE, ids=repr)
def test_a_timeout_that_cannot_be_honoured_is_a_validation_error(
    field: str, value: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(yunhuni.ValidationError) as err:
        yunhuni.Client("app", "cert", "secret", **{field: value})
    assert err.value.field == field
    assert str(err.value).startswith(field + ": ")
    assert len(str(err.value)) < 300
    for name, var in [("APP_ID", "app"), ("CERT_ID", "cert"), ("SECRET_KEY", "secret")]:
        monkeypatch.setenv("YUNHUNI_" + name, var)
    with pytest.raises(yunhuni.ValidationError) as err:
        yunhuni.Client.from_env(**{field: value})
    assert err.value.field == field
    with pytest.raises(yunhuni.ValidationError) as err:
        yunhuni.AsyncClient("app", "cert", "secret", **{field: value})
    assert err.value.field == field


@pytest.mark.parametrize("value", UNHONOURABLE, ids=repr)
def test_a_calls_own_timeout_that_cannot_be_honoured_is_refused_before_sending(
    recording_stub: RecordingStub, stub_client: yunhuni.Client, value: Any
) -> None:
    recording_stub.reset()
    with pytest.raises(yunhuni.ValidationError) as err:
        stub_client.with_options(timeout=value).ext_list()
    assert err.value.field == "timeout"
    assert recording_stub.requests() == []


@pytest.mark.parametrize("field", ["api_delay", "webhook_timeout"])
@pytest.mark.parametrize("value", [1e19, 86401.0, float("inf"), float("nan"), -1.0])
def test_sandbox_durations_that_cannot_be_honoured_are_refused(field: str, value: float) -> None:
    # A webhook_timeout of 1e19 seconds used to be accepted, then panicked the sandbox's
    # webhook worker at its first delivery ("overflow when adding duration to instant").
    settings: Dict[str, Any] = {field: value}
    with pytest.raises(ValueError, match=field):
        Sandbox(**settings)


def test_waiting_for_an_end_takes_any_wait_up_to_forever(sandbox: Sandbox) -> None:
    call = sandbox.client().duo_callback("13800000001", "13800000002", 60)
    for forever in [float("inf"), 1e300, 1e19]:
        assert sandbox.wait_for_end(call.call_id, timeout=forever).call_id == call.call_id
    with pytest.raises(ValueError, match="timeout"):
        sandbox.wait_for_end(call.call_id, timeout=float("nan"))
    with pytest.raises(ValueError, match="timeout"):
        sandbox.wait_for_end(call.call_id, timeout=-1)


# 2. Event times


@pytest.mark.parametrize("event", sorted(TIME_KEYS))
def test_event_times_outside_1970_to_9999_are_decode_errors_naming_the_key(event: str) -> None:
    for key in TIME_KEYS[event]:
        for bad in [LAST_MS + 1, 253402300800000, -1, 2**62, -(2**62)]:
            body = f'{{"event":"{event}","id":"c","{key}":{bad}}}'.encode()
            with pytest.raises(yunhuni.DecodeError) as err:
                yunhuni.parse_event(body)
            assert err.value.field == key, body
            # The same as a string, as the server sends numbers.
            with pytest.raises(yunhuni.DecodeError) as err:
                yunhuni.parse_event(body.replace(b":%d" % bad, b':"%d"' % bad))
            assert err.value.field == key


@pytest.mark.parametrize("event", sorted(TIME_KEYS))
def test_every_datetime_of_a_parsed_event_can_be_read(event: str) -> None:
    utc8 = timezone(timedelta(hours=8))
    for ms in [0, 1, 1589000000123, 253402271999999, 253402272000000, LAST_MS]:
        body = "{" + ",".join([f'"event":"{event}"'] + [f'"{k}":{ms}' for k in TIME_KEYS[event]]) + "}"
        parsed = yunhuni.parse_event(body)
        values = readable_properties(parsed)
        parsed.to_dict()
        repr(parsed)
        at = [v for name, v in values.items() if name.endswith("_at")]
        assert len(at) == len(TIME_KEYS[event])
        expected = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=ms)
        for value in at:
            assert isinstance(value, datetime)
            assert value == expected  # the same instant
            assert value.utcoffset() is not None  # aware
            if ms < 253402272000000:  # shown in UTC+8 while a datetime can hold it
                assert value.tzinfo == utc8 and value.utcoffset() == timedelta(hours=8)
            else:  # the last eight hours of 9999: year 10000 in UTC+8, so in UTC
                assert value.utcoffset() == timedelta(0)


# 3. Whether a failed request may have been sent


def serve_raw(handle: Callable[[socket.socket, List[bytes]], None]) -> Iterator[Tuple[str, List[bytes]]]:
    """A loopback server that hands each connection to `handle`, with a list of the request
    bodies read so far."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.1)
    stop = threading.Event()
    bodies: List[bytes] = []

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            conn.settimeout(10)
            threading.Thread(target=handle, args=(conn, bodies), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", bodies
    finally:
        stop.set()
        thread.join()
        listener.close()


def read_request(conn: socket.socket) -> bytes:
    """One HTTP request's body (b"" when the connection closed first)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    match = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    length = int(match.group(1)) if match else 0
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        body += chunk
    return body


def reset(conn: socket.socket) -> None:
    """Closes with a TCP reset rather than a clean close."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


@pytest.fixture
def resetting_server() -> Iterator[Tuple[str, List[bytes]]]:
    """Reads the request, starts an answer, and resets the connection in its middle."""

    def handle(conn: socket.socket, bodies: List[bytes]) -> None:
        bodies.append(read_request(conn))
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 90\r\n\r\n{\"code\"")
        time.sleep(0.05)
        reset(conn)

    yield from serve_raw(handle)


def test_a_reset_in_the_middle_of_the_answer_may_have_been_sent(
    resetting_server: Tuple[str, List[bytes]],
) -> None:
    url, bodies = resetting_server
    client = yunhuni.Client("app", "cert", "secret", base_url=url, connect_retries=3)
    with pytest.raises(yunhuni.TransportError) as err:
        client.duo_callback("13800000001", "13800000002", 60)
    assert err.value.maybe_sent is True
    assert "may have reached the server" in str(err.value)
    assert "maybe_sent=True" in repr(err.value)
    assert len(bodies) == 1  # read once, never sent again (connect_retries notwithstanding)


def test_a_refused_connection_was_not_sent(closed_port: str) -> None:
    client = yunhuni.Client("app", "cert", "secret", base_url=closed_port, connect_retries=1)
    with pytest.raises(yunhuni.TransportError) as err:
        client.duo_callback("13800000001", "13800000002", 60)
    assert err.value.maybe_sent is False
    assert "may have reached" not in str(err.value)
    assert "maybe_sent" not in repr(err.value)


def test_maybe_sent_is_false_where_the_server_answered(sandbox: Sandbox, server_500: str) -> None:
    with pytest.raises(yunhuni.ApiError) as api:
        sandbox.client().cancel_duo_callback("0123456789abcdef0123456789abcdef")
    with pytest.raises(yunhuni.HttpError) as http:
        yunhuni.Client("app", "cert", "secret", base_url=server_500).ext_list()
    with pytest.raises(yunhuni.ValidationError) as validation:
        sandbox.client().duo_callback("1", "1", 60)
    assert [e.value.maybe_sent for e in (api, http, validation)] == [False, False, False]


def test_maybe_sent_survives_pickling_and_construction() -> None:
    e = yunhuni.TransportError("broke", maybe_sent=True)
    back = pickle.loads(pickle.dumps(e))
    assert back.maybe_sent is True and type(back) is yunhuni.TransportError
    assert yunhuni.TimeoutError("slow").maybe_sent is False


# 4. A server that closes every connection after its answer


@pytest.fixture
def closing_server() -> Iterator[Tuple[str, List[bytes]]]:
    """Answers one request per connection, without `Connection: close`, then closes it."""
    answer = b'{"code":"000000","msg":"ok","data":{"callId":"0123456789abcdef0123456789abcdef"}}'
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(answer)
    lock = threading.Lock()

    def handle(conn: socket.socket, bodies: List[bytes]) -> None:
        with conn:
            body = read_request(conn)
            if not body:
                return
            with lock:
                bodies.append(body)
            conn.sendall(head + answer)

    yield from serve_raw(handle)


def tags_of(bodies: List[bytes]) -> List[str]:
    return [m.group(1).decode() for b in bodies for m in [re.search(rb'"user_data":"([^"]+)"', b)] if m]


def test_a_pooled_connection_the_server_has_closed_is_replaced_before_sending(
    closing_server: Tuple[str, List[bytes]],
) -> None:
    # Once the server's close has arrived, the pooled connection is found closed before a byte
    # of the next request is written, and the request goes on a new connection: none fails.
    url, bodies = closing_server
    client = yunhuni.Client("app", "cert", "secret", base_url=url, timeout=10.0)
    for i in range(25):
        time.sleep(0.02)
        client.duo_callback("13800000001", "13800000002", 60, user_data=f"p{i}")
    assert tags_of(bodies) == [f"p{i}" for i in range(25)]


def test_a_server_that_closes_after_each_answer_never_gets_a_request_twice(
    closing_server: Tuple[str, List[bytes]],
) -> None:
    # Back to back, the next request may be written before the server's close arrives: that
    # request fails, marked maybe_sent (nobody can tell whether the server read it), and is
    # never sent again.
    url, bodies = closing_server
    client = yunhuni.Client("app", "cert", "secret", base_url=url, timeout=10.0, connect_retries=2)
    ok: List[str] = []
    failures: List[yunhuni.YunhuniError] = []
    lock = threading.Lock()

    def place(tag: str) -> None:
        try:
            client.duo_callback("13800000001", "13800000002", 60, user_data=tag)
        except yunhuni.YunhuniError as e:
            with lock:
                failures.append(e)
        else:
            with lock:
                ok.append(tag)

    for i in range(100):
        place(f"s{i}")
    def place_many(t: int) -> None:
        for i in range(25):
            place(f"t{t}-{i}")

    threads = [threading.Thread(target=place_many, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    tags = tags_of(bodies)
    assert len(tags) == len(set(tags)), "a request reached the server twice"
    for e in failures:
        assert isinstance(e, yunhuni.TransportError) and e.maybe_sent, repr(e)
    # Every request the server read was answered and succeeded; none was lost in between.
    assert sorted(tags) == sorted(ok)
    assert len(ok) + len(failures) == 300 and ok
