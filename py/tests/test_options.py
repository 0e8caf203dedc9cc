"""Settings of one call (``with_options``) and of the client's proxy."""

from __future__ import annotations

import asyncio
import importlib.util
import pathlib
import socket
import subprocess
import sys
import textwrap
import threading
import time
from typing import Any, Iterator, List

import pytest

import yunhuni
from yunhuni.testing import Sandbox

from conftest import STUB_ROOT, RecordingStub

PROXY_VARIABLES = ["ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"]


@pytest.fixture(autouse=True)
def no_proxy_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


# Per-call timeout


def test_a_view_has_its_own_timeout_and_leaves_the_client_alone(silent_server: str) -> None:
    client = yunhuni.Client("app", "cert", "secret", base_url=silent_server, timeout=0.3)
    longer = client.with_options(timeout=1.5)
    assert isinstance(longer, yunhuni.Client) and longer is not client
    assert "timeout=1.5" in repr(longer) and "timeout" not in repr(client)
    assert (longer.app_id, longer.api_root) == (client.app_id, client.api_root)

    start = time.monotonic()
    with pytest.raises(yunhuni.TimeoutError) as err:
        longer.ext_list()
    assert 1.2 < time.monotonic() - start < 10
    assert "1.5s" in str(err.value)

    start = time.monotonic()
    with pytest.raises(yunhuni.TimeoutError) as err:
        client.ext_list()  # still the client's own 0.3 s
    assert time.monotonic() - start < 1.2
    assert "300ms" in str(err.value)

    shorter = yunhuni.Client("app", "cert", "secret", base_url=silent_server, timeout=60.0)
    start = time.monotonic()
    with pytest.raises(yunhuni.TimeoutError):
        shorter.with_options(timeout=0.2).request("conf_create", max_duration=60)
    assert time.monotonic() - start < 5
    # None goes back to the client's own timeout; a view of a view replaces the first's.
    assert "timeout" not in repr(longer.with_options(timeout=None))
    assert "timeout=0.25" in repr(longer.with_options(timeout=0.25))


def test_views_share_the_clients_connections(recording_stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    recording_stub.reset({"confId": "c1"})
    view = stub_client.with_options(timeout=5)
    assert view.conf_create(60) == {"confId": "c1"}
    assert view.request("conf_create", max_duration=60) == {"confId": "c1"}
    assert [r.path for r in recording_stub.requests()] == [STUB_ROOT + "conf/create"] * 2


def test_a_view_checks_its_timeout_like_the_client(recording_stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    recording_stub.reset()
    for wrong in ["5", True, b"5", [5]]:
        with pytest.raises(yunhuni.ValidationError) as err:
            stub_client.with_options(timeout=wrong)  # type: ignore[arg-type]
        assert err.value.field == "timeout"
    with pytest.raises(TypeError):
        stub_client.with_options(5.0)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        stub_client.with_options(timout=5.0)  # type: ignore[call-arg]
    assert recording_stub.requests() == []


def test_post_on_a_view_with_a_timeout_is_refused(recording_stub: RecordingStub, stub_client: yunhuni.Client) -> None:
    recording_stub.reset({"x": 1})
    with pytest.raises(yunhuni.ValidationError) as err:
        stub_client.with_options(timeout=5.0).post("conf/create", {"maxDuration": 60})
    assert err.value.field == "timeout"
    assert recording_stub.requests() == []
    assert stub_client.with_options().post("conf/create", {"maxDuration": 60}) == {"x": 1}


def test_async_views(silent_server: str, recording_stub: RecordingStub) -> None:
    async def main() -> None:
        async with yunhuni.AsyncClient("app", "cert", "secret", base_url=silent_server, timeout=30.0) as client:
            view = client.with_options(timeout=0.2)
            assert isinstance(view, yunhuni.AsyncClient) and "timeout=0.2" in repr(view)
            start = time.monotonic()
            with pytest.raises(yunhuni.TimeoutError):
                await view.ext_list()
            assert time.monotonic() - start < 5
        recording_stub.reset({"confId": "c2"})
        async with yunhuni.AsyncClient("app", "cert", "secret", base_url=recording_stub.url) as client:
            assert await client.with_options(timeout=5).conf_create(60) == {"confId": "c2"}

    asyncio.run(main())


# Proxy


class ConnectProxy:
    """A proxy that opens every tunnel it is asked for and then plays the platform itself:
    it records each ``CONNECT`` target and answers the request in the tunnel with success."""

    def __init__(self) -> None:
        self.targets: List[str] = []
        self.url = ""


def _read_head(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@pytest.fixture
def proxy() -> Iterator[ConnectProxy]:
    state = ConnectProxy()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.1)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            head = _read_head(conn)
            if not head.startswith(b"CONNECT "):
                return
            state.targets.append(head.split(b" ")[1].decode())
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            request = _read_head(conn)
            if not request:
                return
            body = b'{"code":"000000","msg":"ok","data":{"confId":"via-proxy"}}'
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    try:
        yield state
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_requests_go_through_an_explicit_proxy(proxy: ConnectProxy) -> None:
    # yunhuni.invalid cannot be resolved: only the proxy can reach it.
    client = yunhuni.Client("app", "cert", "secret", base_url="http://yunhuni.invalid", proxy=proxy.url)
    assert client.conf_create(60) == {"confId": "via-proxy"}
    assert proxy.targets == ["yunhuni.invalid:80"]


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy"])
def test_the_proxy_variables_are_the_default(
    proxy: ConnectProxy, monkeypatch: pytest.MonkeyPatch, variable: str, recording_stub: RecordingStub
) -> None:
    monkeypatch.setenv(variable, proxy.url)
    assert yunhuni.Client("app", "cert", "secret", base_url="http://yunhuni.invalid").conf_create(60)
    assert proxy.targets == ["yunhuni.invalid:80"]
    # proxy=False connects straight to the server whatever the variables say.
    recording_stub.reset({"confId": "direct"})
    direct = yunhuni.Client("app", "cert", "secret", base_url=recording_stub.url, proxy=False)
    assert direct.conf_create(60) == {"confId": "direct"}
    assert proxy.targets == ["yunhuni.invalid:80"]
    # NO_PROXY names hosts reached directly.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert yunhuni.Client("app", "cert", "secret", base_url=recording_stub.url).conf_create(60)
    assert proxy.targets == ["yunhuni.invalid:80"]


def test_from_env_takes_a_proxy(proxy: ConnectProxy, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in [("APP_ID", "app"), ("CERT_ID", "cert"), ("SECRET_KEY", "secret")]:
        monkeypatch.setenv("YUNHUNI_" + name, value)
    monkeypatch.setenv("YUNHUNI_BASE_URL", "http://yunhuni.invalid")
    assert yunhuni.Client.from_env(proxy=proxy.url).conf_create(60) == {"confId": "via-proxy"}

    async def main() -> None:
        async with yunhuni.AsyncClient.from_env(proxy=proxy.url) as client:
            assert await client.conf_create(60) == {"confId": "via-proxy"}

    asyncio.run(main())
    assert proxy.targets == ["yunhuni.invalid:80"] * 2


@pytest.mark.parametrize("wrong", [True, 8080, b"http://proxy:8080", "not a url", "http://user:hunter2@"])
def test_a_wrong_proxy_is_a_validation_error(wrong: Any) -> None:
    with pytest.raises(yunhuni.ValidationError) as err:
        yunhuni.Client("app", "cert", "secret", proxy=wrong)
    assert err.value.field == "proxy"
    assert "hunter2" not in str(err.value)


# Types


def mypy(tmp_path: pathlib.Path, code: str) -> "subprocess.CompletedProcess[str]":
    path = tmp_path / "options.py"
    path.write_text(textwrap.dedent(code), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".cache"), str(path)],
        capture_output=True,
        text=True,
    )


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_options_are_typed(tmp_path: pathlib.Path) -> None:
    good = """
        import yunhuni
        from yunhuni.types import ConfCreated

        client = yunhuni.Client("app", "cert", "secret", proxy="http://proxy:8080")
        direct = yunhuni.Client.from_env(proxy=False)
        view: yunhuni.Client = client.with_options(timeout=5.0)
        created: ConfCreated = view.conf_create(60)
        again = client.with_options(timeout=None).with_options(timeout=2)
        aclient = yunhuni.AsyncClient("app", "cert", "secret", proxy=None)
        aview: yunhuni.AsyncClient = aclient.with_options(timeout=1.5)
    """
    result = mypy(tmp_path, good)
    assert result.returncode == 0, result.stdout + result.stderr
    bad = [
        'yunhuni.Client("app", "cert", "secret", proxy=True)',
        'yunhuni.Client("app", "cert", "secret").with_options(timeout="5")',
        'yunhuni.Client("app", "cert", "secret").with_options(timout=5.0)',
        'yunhuni.Client("app", "cert", "secret").with_options(5.0)',
        'yunhuni.AsyncClient.from_env(proxy=8080)',
    ]
    result = mypy(tmp_path, "import yunhuni\n" + "\n".join(bad) + "\n")
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    for number in range(2, 2 + len(bad)):
        assert any(f"options.py:{number}:" in e for e in errors), (bad[number - 2], result.stdout)


# Idle connections kept for reuse


def test_max_idle_connections_is_accepted(recording_stub: RecordingStub) -> None:
    recording_stub.reset({"confId": "c1"})
    for n in [0, 1, 8, 65536]:
        client = yunhuni.Client("app", "cert", "secret", base_url=recording_stub.url, max_idle_connections=n)
        assert client.conf_create(60) == {"confId": "c1"}
        assert client.conf_create(60) == {"confId": "c1"}
    assert len(recording_stub.requests()) == 8

    async def run() -> Any:
        async with yunhuni.AsyncClient(
            "app", "cert", "secret", base_url=recording_stub.url, max_idle_connections=4, max_workers=4
        ) as client:
            return await asyncio.gather(*(client.conf_create(60) for _ in range(8)))

    assert asyncio.run(run()) == [{"confId": "c1"}] * 8


def test_max_idle_connections_refuses_what_is_not_a_count() -> None:
    make: Any
    cases: List[Any] = [-1, 65537, 2**70, "8", True, 1.5, b"8", [8]]
    for wrong in cases:
        for make in (yunhuni.Client, yunhuni.AsyncClient):
            with pytest.raises(yunhuni.ValidationError) as err:
                make("app", "cert", "secret", max_idle_connections=wrong)
            assert err.value.field == "max_idle_connections", wrong
            assert "max_idle_connections" in str(err.value)
    with pytest.raises(yunhuni.ValidationError) as err:
        yunhuni.Client("app", "cert", "secret", max_idle_connections=65537)
    assert "65537 is more than 65536" in str(err.value)
    with pytest.raises(yunhuni.ValidationError) as err:
        yunhuni.Client("app", "cert", "secret", max_idle_connections=-1)
    assert "-1 is not a number of connections" in str(err.value)


def test_the_sandbox_client_takes_max_idle_connections(sandbox: Sandbox) -> None:
    client = sandbox.client(max_idle_connections=1)
    assert len(client.duo_callback("13800000001", "13800000002", 60).call_id) == 32
    with pytest.raises(yunhuni.ValidationError) as err:
        sandbox.client(max_idle_connections=-5)
    assert err.value.field == "max_idle_connections"


def test_from_env_takes_max_idle_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in [("YUNHUNI_APP_ID", "a"), ("YUNHUNI_CERT_ID", "c"), ("YUNHUNI_SECRET_KEY", "s")]:
        monkeypatch.setenv(name, value)
    assert yunhuni.Client.from_env(max_idle_connections=2).cert_id == "c"
    with pytest.raises(yunhuni.ValidationError) as err:
        yunhuni.Client.from_env(max_idle_connections="8")  # type: ignore[arg-type]
    assert err.value.field == "max_idle_connections"
