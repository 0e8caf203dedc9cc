"""Shared fixtures: an in-process sandbox, and tiny servers that misbehave on purpose."""

from __future__ import annotations

import http.server
import json
import pathlib
import socket
import threading
from typing import Any, Callable, Iterator, List, NamedTuple, Optional, Tuple

import pytest

import yunhuni
from yunhuni.testing import Sandbox

ROOT = pathlib.Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"

#: Fast simulated time: a 5 s call takes 50 ms.
FAST = 100.0


def load_vectors(name: str) -> List[Any]:
    with open(VECTORS / name, encoding="utf-8") as f:
        cases: List[Any] = json.load(f)["cases"]
    return cases


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(time_scale=FAST) as sb:
        yield sb


@pytest.fixture(scope="module")
def client(sandbox: Sandbox) -> yunhuni.Client:
    return sandbox.client(timeout=10.0)


class _Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _serve(handler: type) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def answering(status: int, body: bytes) -> Callable[[], Iterator[str]]:
    """A fixture factory: a server that answers every POST with `status` and `body`."""

    class Handler(_Quiet):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def fixture() -> Iterator[str]:
        yield from _serve(Handler)

    return fixture


server_500 = pytest.fixture(answering(500, b'{"error":"Internal Server Error"}'))
server_junk = pytest.fixture(answering(200, b"<html>this is not the platform</html>"))


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A socket that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: List[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                accepted.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


@pytest.fixture
def closed_port() -> str:
    """A URL on a port where nothing listens."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


class WebhookReceiver:
    """Collects webhook POSTs: `(path, headers, body)` each."""

    def __init__(self) -> None:
        self.received: List[Tuple[str, dict[str, str], bytes]] = []
        self.lock = threading.Lock()
        self.url = ""


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    rec = WebhookReceiver()

    class Handler(_Quiet):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with rec.lock:
                rec.received.append((self.path, dict(self.headers.items()), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

    for base in _serve(Handler):
        rec.url = base + "/hook"
        yield rec


class Received(NamedTuple):
    """One request as the recording stub received it."""

    method: str
    #: The path, as sent (percent-encoded), without the query string.
    path: str
    #: The query string without its ``?``, as sent ("" when none).
    query: str
    #: The body, or ``None`` when the request had none.
    body: Optional[bytes]


class RecordingStub:
    """A loopback server that records every request (any method) and answers each with a
    success envelope around ``data``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: List[Received] = []
        self.data: Any = None
        self.url = ""

    def reset(self, data: Any = None) -> None:
        """Forgets what was received; the next answers carry ``data``."""
        with self.lock:
            self.received.clear()
            self.data = data

    def requests(self) -> List[Received]:
        with self.lock:
            return list(self.received)

    def only(self) -> Received:
        """The one request received since the last ``reset``."""
        received = self.requests()
        assert len(received) == 1, received
        return received[0]


@pytest.fixture(scope="module")
def recording_stub() -> Iterator[RecordingStub]:
    state = RecordingStub()

    class Handler(_Quiet):
        def answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            path, _, query = self.path.partition("?")
            with state.lock:
                state.received.append(Received(self.command, path, query, body))
                envelope = {"code": "000000", "msg": "请求成功", "data": state.data}
            reply = json.dumps(envelope, ensure_ascii=False).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_GET = do_POST = do_PUT = do_DELETE = answer

    for base in _serve(Handler):
        state.url = base
        yield state


@pytest.fixture(scope="module")
def stub_client(recording_stub: RecordingStub) -> yunhuni.Client:
    """A client whose requests go to the recording stub (account id ``cert``)."""
    return yunhuni.Client("app", "cert", "secret", base_url=recording_stub.url, timeout=10.0)


#: Where the stub client's operations go: the path of an operation follows it.
STUB_ROOT = "/v1/account/cert/"
