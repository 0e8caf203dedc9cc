"""yunhuni.webhook: core's Receiver as Python sees it, the stores (in-process and a real
redis-server), and the WSGI and ASGI helpers driven directly (the real servers are in
test_webhook_servers.py)."""

from __future__ import annotations

import asyncio
import importlib.util
import io
import logging
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple, Union

import pytest
import redis

import yunhuni
from yunhuni import ValidationError, ivr, webhook
from yunhuni.webhook import (
    ASGIApp,
    DEFAULT_TTL,
    Delivery,
    MemoryStore,
    REDIS_KEY_PREFIX,
    Receiver,
    RedisStore,
    WSGIApp,
)


def load_run() -> Any:
    """bench/webhook/run.py (the load run's harness: redis-server, gunicorn/uvicorn, sandbox)."""
    name = "yunhuni_webhook_load_run"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[2] / "bench" / "webhook" / "run.py"
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


RedisServer = load_run().RedisServer

CALL_ID = "8a2bc6725b1d2e3f015b1d2f40a10001"
BODY = (
    b'{"end_time":1490930460000,"begin_time":1490930400000,"action":"event_notify","id":"'
    + CALL_ID.encode()
    + b'","answer_time2":1490930420000,"user_data":"order-42","event":"duo_callback.end",'
    b'"answer_time1":1490930410000,"hangup_by":"1"}'
)
IVR_START = (
    b'{"action":"ivr_start","from":"13800000001","user_data":"order-42","type":"ivr_call",'
    b'"call_id":"8a2bc6725b1d2e3f015b1d2f40a10065"}'
)
TOKEN = "s3cret/with+odd chars"
TOKEN_QUERY = "token=s3cret%2Fwith%2Bodd+chars"


@pytest.fixture(scope="module")
def redis_server() -> Iterator[Any]:
    with RedisServer() as server:
        yield server


# --- Receiver --------------------------------------------------------------------------------

def test_receive_types_the_event_and_answers_200() -> None:
    receiver = Receiver()
    d = receiver.receive("", BODY)
    assert isinstance(d, Delivery)
    assert isinstance(d.event, yunhuni.DuoCallbackEnd)
    assert (d.event.id, d.event.user_data, d.event.outcome) == (CALL_ID, "order-42", "connected")
    assert d.key.startswith(f"duo_callback.end:{CALL_ID}:") and len(d.key) == len(f"duo_callback.end:{CALL_ID}:") + 16
    assert (d.status, d.body, d.duplicate) == (200, "ok", False)
    assert "duplicate=False" in repr(d)


def test_a_resend_is_a_duplicate_until_released() -> None:
    receiver = Receiver()
    first = receiver.receive("", BODY)
    again = receiver.receive("", bytearray(BODY))
    assert again.duplicate and again.key == first.key and again.status == 200
    receiver.release(first.key)
    assert not receiver.receive("", memoryview(BODY)).duplicate
    # Another event of the same call (different bytes) is not a duplicate.
    other = BODY.replace(b'"hangup_by":"1"', b'"hangup_by":"2"')
    assert not receiver.receive("", other).duplicate


def test_no_store_reports_every_delivery_as_new() -> None:
    receiver = Receiver(store=None)
    assert receiver.store is None
    assert not receiver.receive("", BODY).duplicate
    assert not receiver.receive("", BODY).duplicate
    receiver.release("anything")  # nothing to forget


def test_events_kept_whole_and_ivr_start() -> None:
    receiver = Receiver()
    other = receiver.receive("", b'{"action":"event_notify","event":"some.new_event","id":"x1","n":3}')
    assert isinstance(other.event, yunhuni.Event) and other.event.get("n") == 3
    assert other.key.startswith("some.new_event:x1:")
    start = receiver.receive("", IVR_START)
    assert isinstance(start.event, yunhuni.IvrStart)
    # ivr_start is never claimed: the answer is the IVR document.
    assert not receiver.receive("", IVR_START).duplicate


def test_token_is_required_and_compared() -> None:
    receiver = Receiver(TOKEN)
    assert receiver.has_token and "<set>" in repr(receiver) and TOKEN not in repr(receiver)
    with pytest.raises(yunhuni.AuthError) as e:
        receiver.check_head("", 10)
    assert (e.value.status, e.value.field) == (401, "token")
    queries: List[Union[str, bytes]] = ["token=s3cret", "token=" + TOKEN_QUERY, "a=1&token=", b"token=\xff\xfe"]
    for query in queries:
        with pytest.raises(yunhuni.AuthError) as e:
            receiver.receive(query, BODY)
        assert e.value.status == 403, query
        assert TOKEN not in str(e.value)
    receiver.check_head(TOKEN_QUERY, len(BODY))
    receiver.check_head("x=1&" + TOKEN_QUERY, None)
    assert receiver.receive(TOKEN_QUERY.encode(), BODY).status == 200
    custom = Receiver("k", token_param="key")
    assert custom.receive("key=k", BODY).status == 200
    with pytest.raises(yunhuni.AuthError):
        custom.receive("token=k", BODY)


def test_the_wrong_token_is_refused_before_parsing() -> None:
    with pytest.raises(yunhuni.AuthError):
        Receiver("k").receive("token=no", b"\xff not json at all")


def test_sizes() -> None:
    receiver = Receiver(max_body=len(BODY))
    with pytest.raises(yunhuni.DecodeError) as e:
        receiver.check_head("", 100_000_000)
    assert (e.value.status, e.value.field) == (413, "body")
    assert "100000000" in str(e.value)
    with pytest.raises(yunhuni.DecodeError) as e:
        receiver.receive("", BODY + b" ")
    assert e.value.status == 413
    assert receiver.receive("", BODY).status == 200
    assert Receiver().max_body == 1024 * 1024
    with pytest.raises(yunhuni.ValidationError, match="content_length"):
        receiver.check_head("", -1)
    with pytest.raises(yunhuni.ValidationError, match="content_length"):
        receiver.check_head("", "12")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"\xff\xfe\x00", b"[1,2]", b'{"event":5}', b'{"no":"event"}', "\ud800"],
)
def test_bodies_that_are_not_events_are_refused_with_400(body: Any) -> None:
    with pytest.raises(yunhuni.DecodeError) as e:
        Receiver().receive("", body)
    if isinstance(body, bytes):  # (a str with a lone surrogate fails before core, no status)
        assert e.value.status == 400


def test_bad_arguments_name_what_was_wrong() -> None:
    cases: List[Tuple[Dict[str, Any], str]] = [
        (dict(token=""), "token"),
        (dict(token="x" * 257), "token"),
        (dict(token=5), "token"),
        (dict(token_param=""), "token_param"),
        (dict(token_param="a b"), "token_param"),
        (dict(max_body=0), "max_body"),
        (dict(max_body=-5), "max_body"),
        (dict(max_body=2 * 1024 * 1024), "max_body"),
        (dict(max_body=True), "max_body"),
        (dict(max_body=1.5), "max_body"),
        (dict(store=3), "store"),
        (dict(store="redis"), "store"),
    ]
    for kwargs, field in cases:
        with pytest.raises(yunhuni.ValidationError) as e:
            Receiver(**kwargs)
        assert e.value.field == field, kwargs
    receiver = Receiver()
    with pytest.raises(yunhuni.ValidationError, match="query"):
        receiver.receive(5, BODY)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="body"):
        receiver.receive("", 5)  # type: ignore[arg-type]
    with pytest.raises(yunhuni.ValidationError, match="key"):
        receiver.release(None)  # type: ignore[arg-type]


# --- stores ----------------------------------------------------------------------------------

def test_memory_store_is_bounded() -> None:
    store = MemoryStore(capacity=2, ttl=60)
    assert (store.capacity, store.ttl) == (2, 60.0)
    assert store.claim("a") and store.claim("b") and not store.claim("a")
    assert store.claim("c")  # forgets the oldest, "a"
    assert len(store) == 2
    assert store.claim("a")
    store.release("a")
    assert store.claim("a")
    assert MemoryStore().capacity == 100_000 and MemoryStore().ttl == DEFAULT_TTL == 3600.0
    for kwargs in [dict(capacity=0), dict(capacity=-1), dict(capacity=10**12), dict(ttl=0), dict(ttl=-1),
                   dict(ttl=10**9), dict(ttl="1")]:
        with pytest.raises(yunhuni.ValidationError):
            MemoryStore(**kwargs)  # type: ignore[arg-type]


def test_a_shared_memory_store() -> None:
    store = MemoryStore(capacity=10)
    one, two = Receiver(store=store), Receiver(store=store)
    assert one.store is store
    assert not one.receive("", BODY).duplicate
    assert two.receive("", BODY).duplicate
    assert len(store) == 1


class ListStore:
    def __init__(self, claim_result: Any = None, fail: Optional[BaseException] = None) -> None:
        self.seen: List[str] = []
        self.released: List[str] = []
        self.claim_result = claim_result
        self.fail = fail

    def claim(self, key: str) -> Any:
        if self.fail:
            raise self.fail
        if self.claim_result is not None:
            return self.claim_result
        first = key not in self.seen
        self.seen.append(key)
        return first

    def release(self, key: str) -> None:
        if self.fail:
            raise self.fail
        self.released.append(key)


def test_a_store_written_in_python() -> None:
    store = ListStore()
    receiver = Receiver(store=store)
    assert receiver.store is store
    d = receiver.receive("", BODY)
    assert store.seen == [d.key] and receiver.receive("", BODY).duplicate
    receiver.release(d.key)
    assert store.released == [d.key]


@pytest.mark.parametrize(
    "store,message",
    [
        (ListStore(fail=ConnectionError("redis is down")), "store.claim() raised ConnectionError: redis is down"),
        (ListStore(claim_result=1), "store.claim() returned int, not a bool"),
        (ListStore(claim_result="yes"), "store.claim() returned str, not a bool"),
    ],
)
def test_a_failing_store_answers_503(store: ListStore, message: str) -> None:
    with pytest.raises(yunhuni.TransportError) as e:
        Receiver(store=store).receive("", BODY)
    assert e.value.status == 503 and message in str(e.value)


def test_redis_store(redis_server: Any) -> None:
    client = redis.Redis(unix_socket_path=redis_server.socket)
    store = RedisStore(client, ttl=30)
    assert (store.ttl, store.prefix, store.client) == (30.0, REDIS_KEY_PREFIX, client)
    assert REDIS_KEY_PREFIX == "yunhuni:webhook:"
    receiver = Receiver(store=store)
    d = receiver.receive("", BODY)
    assert not d.duplicate
    assert client.get(REDIS_KEY_PREFIX + d.key) == b"1"
    assert 0 < client.pttl(REDIS_KEY_PREFIX + d.key) <= 30_000
    # Another process's receiver on the same Redis sees it too.
    assert Receiver(store=RedisStore.from_url(redis_server.url)).receive("", BODY).duplicate
    receiver.release(d.key)
    assert client.get(REDIS_KEY_PREFIX + d.key) is None
    assert not receiver.receive("", BODY).duplicate
    assert RedisStore(client).ttl == DEFAULT_TTL
    assert "prefix='yunhuni:webhook:'" in repr(store)
    for kwargs in [dict(ttl=0), dict(ttl=-1), dict(ttl=31 * 24 * 3600), dict(ttl="5"), dict(ttl=True), dict(prefix=5)]:
        with pytest.raises(yunhuni.ValidationError):
            RedisStore(client, **kwargs)  # type: ignore[arg-type]
    client.flushall()


def test_redis_down_answers_503() -> None:
    server = RedisServer()
    store = RedisStore.from_url(server.url)
    server.stop()
    with pytest.raises(yunhuni.TransportError) as e:
        Receiver(store=store).receive("", BODY)
    assert e.value.status == 503 and "store.claim() raised" in str(e.value)


# --- the WSGI helper -------------------------------------------------------------------------

class NoRead(io.RawIOBase):
    """A wsgi.input that must not be read."""

    def read(self, n: int = -1) -> bytes:
        raise AssertionError("the body was read")


def environ(body: bytes = BODY, query: str = TOKEN_QUERY, *, length: Optional[str] = "auto",
            method: str = "POST", stream: Any = None) -> Dict[str, Any]:
    env: Dict[str, Any] = {"REQUEST_METHOD": method, "QUERY_STRING": query,
                           "wsgi.input": stream if stream is not None else io.BytesIO(body)}
    if length == "auto":
        env["CONTENT_LENGTH"] = str(len(body))
    elif length is not None:
        env["CONTENT_LENGTH"] = length
    return env


class Recorder:
    def __init__(self, fail_first: bool = False, result: Any = None) -> None:
        self.events: List[Any] = []
        self.calls = 0
        self.fail_first = fail_first
        self.result = result

    def __call__(self, event: Any) -> Any:
        self.calls += 1
        if self.fail_first and self.calls == 1:
            raise RuntimeError("the first handling fails")
        self.events.append(event)
        return self.result


def call_wsgi(app: WSGIApp, env: Mapping[str, Any]) -> Tuple[str, Dict[str, str], bytes]:
    got: Dict[str, Any] = {}

    def start_response(status: str, headers: List[Tuple[str, str]]) -> None:
        got["status"], got["headers"] = status, dict(headers)

    body = b"".join(app(env, start_response))
    return got["status"], got["headers"], body


def test_wsgi_handles_each_event_once() -> None:
    handler = Recorder()
    app = WSGIApp(Receiver(TOKEN), handler)
    status, headers, body = call_wsgi(app, environ())
    assert (status, body) == ("200 OK", b"ok") and headers["Content-Length"] == "2"
    assert call_wsgi(app, environ())[0] == "200 OK"  # the re-send
    assert len(handler.events) == 1 and isinstance(handler.events[0], yunhuni.DuoCallbackEnd)


def test_wsgi_refuses_unread() -> None:
    app = WSGIApp(Receiver(TOKEN, max_body=4096), Recorder())
    for query, expected in [("", 401), ("token=nope", 403)]:
        r = app.respond(environ(query=query, stream=NoRead()))
        assert r.status == expected and b"token" in r.body
    r = app.respond(environ(length="100000000", stream=NoRead()))
    assert r.status == 413 and b"100000000" in r.body
    assert app.respond(environ(length="12x", stream=NoRead())).status == 400
    assert app.respond(environ(length="-1", stream=NoRead())).status == 400
    r = app.respond(environ(method="GET", stream=NoRead()))
    assert r.status == 405 and ("Allow", "POST") in r.headers


def test_wsgi_without_content_length_reads_at_most_max_body_plus_one() -> None:
    class Counting(io.BytesIO):
        read_total = 0

        def read(self, n: Optional[int] = -1) -> bytes:
            chunk = super().read(n)
            Counting.read_total += len(chunk)
            return chunk

    stream = Counting(b"x" * 10_000_000)
    r = WSGIApp(Receiver(max_body=1000), Recorder()).respond(environ(length=None, query="", stream=stream))
    assert r.status == 413 and Counting.read_total == 1001
    ok = WSGIApp(Receiver(), Recorder()).respond(environ(length=None, query="", stream=io.BytesIO(BODY)))
    assert ok.status == 200


def test_wsgi_a_failing_handler_gets_the_resend(caplog: pytest.LogCaptureFixture) -> None:
    handler = Recorder(fail_first=True)
    receiver = Receiver()
    app = WSGIApp(receiver, handler)
    r = app.respond(environ(query=""))
    assert r.status == 500
    assert "the first handling fails" in caplog.text  # the traceback is logged
    assert app.respond(environ(query="")).status == 200  # the platform's re-send is handled
    assert app.respond(environ(query="")).status == 200  # and the next one is a duplicate
    assert handler.calls == 2 and len(handler.events) == 1


def test_wsgi_bad_bodies_and_a_broken_store(caplog: pytest.LogCaptureFixture) -> None:
    app = WSGIApp(Receiver(), Recorder())
    r = app.respond(environ(b"\xff\xfe garbage", query=""))
    assert r.status == 400 and r.body.startswith(b"event body")
    broken = WSGIApp(Receiver(store=ListStore(fail=ConnectionError("redis at 10.0.0.5 is down"))), Recorder())
    r = broken.respond(environ(query=""))
    assert r.status == 503 and b"10.0.0.5" not in r.body  # the store's detail goes to the log only
    assert "redis at 10.0.0.5 is down" in caplog.text


def test_wsgi_answers_an_ivr_document() -> None:
    document = ivr.Response().play("welcome.wav").end_call()
    app = WSGIApp(Receiver(), Recorder(result=document))
    r = app.respond(environ(IVR_START, query=""))
    assert r.status == 200 and ("Content-Type", "application/xml; charset=utf-8") in r.headers
    assert r.body == document.to_xml().encode()
    as_text = WSGIApp(Receiver(), Recorder(result="<response/>")).respond(environ(IVR_START, query=""))
    assert as_text.body == b"<response/>"
    bad = WSGIApp(Receiver(), Recorder(result=12))
    assert bad.respond(environ(IVR_START, query="")).status == 500


def test_helpers_check_their_arguments() -> None:
    with pytest.raises(TypeError, match="Receiver"):
        WSGIApp(object(), Recorder())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="callable"):
        ASGIApp(Receiver(), 5)  # type: ignore[arg-type]


# --- the ASGI helper -------------------------------------------------------------------------

def scope(query: bytes = TOKEN_QUERY.encode(), length: Optional[int] = len(BODY), method: str = "POST") -> Dict[str, Any]:
    headers = [(b"content-type", b"application/json;charset=utf-8")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {"type": "http", "method": method, "query_string": query, "headers": headers, "path": "/"}


def receiver_of(chunks: List[bytes], *, forbid: bool = False) -> Any:
    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1} for i, c in enumerate(chunks)]

    async def receive() -> Mapping[str, Any]:
        if forbid:
            raise AssertionError("the body was read")
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    return receive


def run_asgi(app: ASGIApp, s: Dict[str, Any], receive: Any) -> Tuple[int, Dict[bytes, bytes], bytes]:
    sent: List[Mapping[str, Any]] = []

    async def send(message: Mapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(s, receive, send))
    return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]


def test_asgi_handles_each_event_once_with_a_coroutine_handler() -> None:
    events: List[Any] = []

    async def handle(event: Any) -> None:
        events.append(event)

    app = ASGIApp(Receiver(TOKEN), handle)
    assert run_asgi(app, scope(), receiver_of([BODY[:10], BODY[10:]]))[0] == 200
    status, headers, body = run_asgi(app, scope(), receiver_of([BODY]))
    assert (status, body, headers[b"content-length"]) == (200, b"ok", b"2")
    assert len(events) == 1 and isinstance(events[0], yunhuni.DuoCallbackEnd)


def test_asgi_refuses_unread_and_a_plain_handler_failing_first(redis_server: Any) -> None:
    handler = Recorder(fail_first=True)
    app = ASGIApp(Receiver(TOKEN, store=RedisStore.from_url(redis_server.url)), handler)
    assert run_asgi(app, scope(query=b""), receiver_of([], forbid=True))[0] == 401
    assert run_asgi(app, scope(query=b"token=x"), receiver_of([], forbid=True))[0] == 403
    assert run_asgi(app, scope(length=100_000_000), receiver_of([], forbid=True))[0] == 413
    assert run_asgi(app, scope(method="GET"), receiver_of([], forbid=True))[0] == 405
    assert run_asgi(app, scope(), receiver_of([BODY]))[0] == 500
    assert run_asgi(app, scope(), receiver_of([BODY]))[0] == 200
    assert run_asgi(app, scope(), receiver_of([BODY]))[0] == 200
    assert handler.calls == 2 and len(handler.events) == 1
    # A client that goes away before its body: nothing handled.
    assert run_asgi(app, scope(length=500), receiver_of([]))[0] == 400
    # Undeclared length: at most max_body + 1 bytes are taken.
    small = ASGIApp(Receiver(max_body=100), handler)
    assert run_asgi(small, scope(query=b"", length=None), receiver_of([b"x" * 80, b"y" * 80, b"z" * 80]))[0] == 413
    redis_server.client.flushall()


def test_threads_share_a_receiver() -> None:
    """One receiver, 8 threads delivering the same 50 events at once: each event is new once."""
    receiver = Receiver()
    bodies = [BODY.replace(b"order-42", f"order-{i}".encode()) for i in range(50)]
    new: List[str] = []
    lock = threading.Lock()

    def deliver_all() -> None:
        for body in bodies:
            d = receiver.receive("", body)
            if not d.duplicate:
                with lock:
                    new.append(d.key)

    threads = [threading.Thread(target=deliver_all) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(new) == 50 and len(set(new)) == 50


def test_asgi_app_serves_lifespan_and_ignores_other_scopes() -> None:
    app = ASGIApp(Receiver(), Recorder())
    sent: List[Mapping[str, Any]] = []
    incoming = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

    async def receive() -> Mapping[str, Any]:
        return incoming.pop(0)

    async def send(message: Mapping[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app({"type": "lifespan"}, receive, send))
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    asyncio.run(app({"type": "websocket"}, receive, send))
    assert len(sent) == 2


def test_the_readme_example_runs_and_type_checks(redis_server: Any, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """py/README.md's yunhuni.webhook example, as written (its Redis URL pointed at the test's
    redis-server): mypy --strict accepts it, and the app it builds handles a delivery once."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Receiving webhooks", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None and "WSGIApp(receiver, handle)" in match.group(1)
    code = match.group(1)
    path = tmp_path / "readme_webhook.py"
    path.write_text(code)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--allow-untyped-defs", "--cache-dir", str(tmp_path / ".cache"),
         str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert code.count("redis://127.0.0.1:6379/0") == 1
    namespace: Dict[str, Any] = {}
    exec(compile(code.replace("redis://127.0.0.1:6379/0", redis_server.url), str(path), "exec"), namespace)
    app = namespace["app"]
    query = "token=a-long-random-secret"
    assert call_wsgi(app, environ(query=query))[0] == "200 OK"
    assert call_wsgi(app, environ(query=query))[0] == "200 OK"
    assert call_wsgi(app, environ(query="token=wrong", stream=NoRead()))[0] == "403 Forbidden"
    assert capsys.readouterr().out == f"duo_callback.end {CALL_ID}\n"
    redis_server.client.flushall()


def test_a_handler_interrupted_releases_its_key_and_the_interruption_goes_on() -> None:
    receiver = Receiver()

    def interrupted(event: Any) -> None:
        raise SystemExit(1)  # what a server's worker timeout raises in the worker

    with pytest.raises(SystemExit):
        WSGIApp(receiver, interrupted).respond(environ(query=""))
    handler = Recorder()
    assert WSGIApp(receiver, handler).respond(environ(query="")).status == 200
    assert len(handler.events) == 1  # the re-send was handled: the key had been released


# --- leases: a handler that dies, a handler that is slow -------------------------------------

def key_of(body: bytes = BODY) -> str:
    return Receiver(store=None).receive("", body).key


def lease_stores(redis_server: Any) -> List[Any]:
    redis_server.client.flushall()
    return [MemoryStore(), RedisStore.from_url(redis_server.url)]


def test_lease_settings_and_constants() -> None:
    r = Receiver()
    assert (r.lease, r.wait, r.poll) == (webhook.DEFAULT_LEASE, webhook.DEFAULT_WAIT, webhook.DEFAULT_POLL)
    assert r.renew_every < r.lease and webhook.DEFAULT_WAIT < 5
    assert Receiver(lease=0.5, wait=0, poll=0.01).lease == 0.5
    cases: List[Tuple[Dict[str, Any], str]] = [
        ({"lease": 0.001}, "lease"), ({"wait": 7200}, "wait"), ({"poll": 0}, "poll"),
        ({"lease": "2"}, "lease"), ({"wait": -1}, "wait")]
    for kwargs, field in cases:
        with pytest.raises(ValidationError) as e:
            Receiver(**kwargs)
        assert e.value.field == field, kwargs
    owner = webhook.new_owner()
    assert owner.startswith(webhook.PENDING_PREFIX) and owner != webhook.new_owner()
    for script in (webhook.REDIS_CLAIM_SCRIPT, webhook.REDIS_RENEW_SCRIPT, webhook.REDIS_COMPLETE_SCRIPT,
                   webhook.REDIS_RELEASE_SCRIPT):
        assert "KEYS[1]" in script


def test_lease_states_in_both_stores(redis_server: Any) -> None:
    for store in lease_stores(redis_server):
        a, b = webhook.new_owner(), webhook.new_owner()
        claimed = {"claimed": "claimed", 1: "claimed", 0: "pending", "pending": "pending", 2: "done", "done": "done"}
        assert claimed[store.claim_lease("k", a, 5)] == "claimed"
        assert claimed[store.claim_lease("k", b, 5)] == "pending"
        assert store.renew("k", b, 5) is False and store.release_owned("k", b) is False
        assert store.renew("k", a, 5) is True
        assert store.complete("k", b) is False and store.complete("k", a) is True
        assert claimed[store.claim_lease("k", b, 5)] == "done"
        assert store.claim("old") is True
        assert claimed[store.claim_lease("old", a, 5)] == "done"
        assert claimed[store.claim_lease("r", a, 5)] == "claimed"
        assert store.release_owned("r", a) is True
        assert claimed[store.claim_lease("r", b, 5)] == "claimed"
    redis_server.client.flushall()


def test_a_dead_handlers_delivery_is_handled_once_after_its_lease(redis_server: Any) -> None:
    """The first delivery's handler died without releasing: its key was claimed under a short
    lease that nobody renews. The re-send waits for the lease to run out and is handled, once."""
    for store in lease_stores(redis_server):
        store.claim_lease(key_of(), webhook.new_owner(), 0.2)  # the dead worker's claim
        handler = Recorder()
        app = WSGIApp(Receiver(TOKEN, store=store, lease=0.2, wait=30, poll=0.01), handler)
        assert call_wsgi(app, environ())[0] == "200 OK"
        assert call_wsgi(app, environ())[0] == "200 OK"  # a later re-send: a duplicate
        assert len(handler.events) == 1, store
        # The same with the ASGI helper and a fresh key.
        body = BODY.replace(b"order-42", b"order-43")
        store.claim_lease(key_of(body), webhook.new_owner(), 0.2)
        events: List[Any] = []

        async def handle(event: Any) -> None:
            events.append(event)

        asgi = ASGIApp(Receiver(TOKEN, store=store, lease=0.2, wait=30, poll=0.01), handle)
        assert run_asgi(asgi, scope(length=len(body)), receiver_of([body]))[0] == 200
        assert run_asgi(asgi, scope(length=len(body)), receiver_of([body]))[0] == 200
        assert len(events) == 1, store
    redis_server.client.flushall()


def test_a_slow_live_handlers_resend_waits_then_is_a_duplicate(redis_server: Any) -> None:
    """The first handler is alive but slower than several leases (the helper renews its lease):
    the re-send waits, then is answered 200 as a duplicate, and the event is handled once."""
    for store in lease_stores(redis_server):
        started, release = threading.Event(), threading.Event()
        calls: List[Any] = []

        def slow(event: Any) -> None:
            calls.append(event)
            started.set()
            release.wait(30)

        # A lease of 0.5 s, renewed every 1/6 s; the handler holds it for 2 s.
        app = WSGIApp(Receiver(TOKEN, store=store, lease=0.5, wait=30, poll=0.01), slow)
        first: Dict[str, Any] = {}
        t = threading.Thread(target=lambda: first.update(r=call_wsgi(app, environ())))
        t.start()
        assert started.wait(30)
        resend: Dict[str, Any] = {}
        t2 = threading.Thread(target=lambda: resend.update(r=call_wsgi(app, environ())))
        t2.start()
        time.sleep(2.0)  # several leases: without renewal the re-send would take the key
        assert "r" not in resend  # still waiting for the first handler
        release.set()
        t.join(30)
        t2.join(30)
        assert first["r"][0] == "200 OK" and resend["r"][:1] == ("200 OK",) and resend["r"][2] == b"ok"
        assert len(calls) == 1, store
    redis_server.client.flushall()


def test_a_resend_still_pending_after_the_wait_is_503(caplog: pytest.LogCaptureFixture) -> None:
    store = MemoryStore()
    owner = webhook.new_owner()
    store.claim_lease(key_of(), owner, 60)  # a live handler, elsewhere, holds it
    handler = Recorder()
    app = WSGIApp(Receiver(TOKEN, store=store, wait=0.05), handler)
    with caplog.at_level(logging.WARNING, logger="yunhuni.webhook"):
        status, _, body = call_wsgi(app, environ())
    assert status.startswith("503") and handler.calls == 0 and b"still handling" in body
    assert "still being handled" in caplog.text
    # It finishes: the next re-send is a duplicate.
    assert store.complete(key_of(), owner) is True
    assert call_wsgi(app, environ())[0] == "200 OK" and handler.calls == 0
    # Receiver.begin itself: TimeoutError, status 503.
    other = BODY.replace(b"order-42", b"x")
    store.claim_lease(key_of(other), owner, 60)
    with pytest.raises(yunhuni.YunhuniError) as e:
        Receiver(store=store, wait=0).begin("", other)
    assert e.value.status == 503 and e.value.kind == "timeout"


def test_a_store_without_lease_methods_still_works() -> None:
    """A store written before leases (claim and release only): begin falls back on them."""
    store = ListStore()
    handler = Recorder(fail_first=True)
    app = WSGIApp(Receiver(TOKEN, store=store), handler)
    assert call_wsgi(app, environ())[0].startswith("500")
    assert store.released == [key_of()]  # released through release()
    other = BODY.replace(b"order-42", b"order-44")
    assert call_wsgi(app, environ(other))[0] == "200 OK"
    assert call_wsgi(app, environ(other))[0] == "200 OK"  # claim() said seen: a duplicate
    assert handler.calls == 2 and len(handler.events) == 1 and store.seen == [key_of(), key_of(other), key_of(other)]
