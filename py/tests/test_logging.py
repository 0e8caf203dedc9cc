"""Log records through the standard ``logging`` module (logger ``yunhuni``): one DEBUG record
per request and per parsed event, off by default, never a secret."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import subprocess
import sys
import threading
from typing import Any, Iterator, List

import pytest

import yunhuni

from conftest import RecordingStub

SECRET = "S3cr3t-Never-Shown-7f3a9c"
REQUEST_FIELDS = ["method", "path", "status", "code", "error_kind", "duration", "attempts"]
END = b'{"event":"duo_callback.end","id":"0123456789abcdef0123456789abcdef","end_time":1589000000000}'


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: List[logging.LogRecord] = []
        self.lock_ = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self.lock_:
            self.records.append(record)


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    """The ``yunhuni`` logger as the application left it (NOTSET, no handler), restored after."""
    log = logging.getLogger("yunhuni")
    saved = (log.level, list(log.handlers), log.propagate, logging.root.level)
    log.setLevel(logging.NOTSET)
    logging.root.setLevel(logging.WARNING)
    yield log
    log.setLevel(saved[0])
    log.handlers[:] = saved[1]
    log.propagate = saved[2]
    logging.root.setLevel(saved[3])


@pytest.fixture
def records(logger: logging.Logger) -> Iterator[List[logging.LogRecord]]:
    handler = Collect()
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def test_nothing_is_logged_by_default(
    records: List[logging.LogRecord], recording_stub: RecordingStub, stub_client: yunhuni.Client
) -> None:
    recording_stub.reset({"confId": "c"})
    stub_client.conf_create(60)
    yunhuni.parse_event(END)
    assert records == []


def test_one_record_per_request_with_its_fields(
    logger: logging.Logger, records: List[logging.LogRecord], recording_stub: RecordingStub, stub_client: yunhuni.Client
) -> None:
    logger.setLevel(logging.DEBUG)
    recording_stub.reset({"result": []})
    stub_client.ext_list(page_no=2, page_size=50)
    assert len(records) == 1
    record = records[0]
    assert (record.name, record.levelno) == ("yunhuni", logging.DEBUG)
    values = {name: getattr(record, name) for name in REQUEST_FIELDS}
    duration = values.pop("duration")
    assert values == {
        "method": "GET",
        "path": "callcenter/extension?pageNo=2&pageSize=50",
        "status": 200,
        "code": "000000",
        "error_kind": None,
        "attempts": 1,
    }
    assert isinstance(duration, float) and 0 < duration < 10
    message = record.getMessage()
    assert message.startswith("GET callcenter/extension?pageNo=2&pageSize=50 -> 200 000000 in ")
    assert message.endswith(" ms")

    # A request refused before sending is not a request: no record.
    with pytest.raises(yunhuni.ValidationError):
        stub_client.conf_create(0)
    assert len(records) == 1
    # post() is logged too.
    stub_client.post("conf/create", {"maxDuration": 60})
    assert [r.getMessage().split(" -> ")[0] for r in records] == [
        "GET callcenter/extension?pageNo=2&pageSize=50",
        "POST conf/create",
    ]


def test_failed_requests_are_logged_with_their_error_kind(
    logger: logging.Logger, records: List[logging.LogRecord], closed_port: str, server_500: str
) -> None:
    logger.setLevel(logging.DEBUG)
    with pytest.raises(yunhuni.TransportError):
        yunhuni.Client("app", "cert", "secret", base_url=closed_port, connect_retries=2).conf_create(60)
    with pytest.raises(yunhuni.HttpError):
        yunhuni.Client("app", "cert", "secret", base_url=server_500).conf_create(60)
    transport, http = records
    assert (transport.status, transport.error_kind, transport.attempts) == (None, "transport", 3)  # type: ignore[attr-defined]
    assert "no answer (transport error)" in transport.getMessage()
    assert "after 3 attempts" in transport.getMessage()
    assert (http.status, http.error_kind, http.code) == (500, "http", None)  # type: ignore[attr-defined]


def test_one_record_per_parsed_event(logger: logging.Logger, records: List[logging.LogRecord]) -> None:
    logger.setLevel(logging.DEBUG)
    yunhuni.parse_event(END)
    yunhuni.parse_event(b'{"event":"conf.end"}')
    with pytest.raises(yunhuni.DecodeError):
        yunhuni.parse_event(b"not json")
    # Outside text is escaped in the record as in messages.
    yunhuni.parse_event('{"event":"x\\u001b[2Jy","id":"\\u0007"}')
    assert [r.getMessage() for r in records] == [
        "event duo_callback.end id=0123456789abcdef0123456789abcdef",
        "event conf.end id=-",
        "event x\\u{1b}[2Jy id=\\u{7}",
    ]
    assert [(r.event, r.event_id) for r in records] == [  # type: ignore[attr-defined]
        ("duo_callback.end", "0123456789abcdef0123456789abcdef"),
        ("conf.end", None),
        ("x\\u{1b}[2Jy", "\\u{7}"),
    ]


def test_a_change_of_level_takes_effect_at_the_next_call(
    logger: logging.Logger, records: List[logging.LogRecord], recording_stub: RecordingStub, stub_client: yunhuni.Client
) -> None:
    recording_stub.reset({"confId": "c"})
    logger.setLevel(logging.DEBUG)
    stub_client.conf_create(60)
    logger.setLevel(logging.INFO)
    stub_client.conf_create(60)
    yunhuni.parse_event(END)
    logger.setLevel(logging.NOTSET)
    logging.root.setLevel(logging.DEBUG)  # what logging.basicConfig(level=DEBUG) does
    stub_client.conf_create(60)
    yunhuni.parse_event(END)
    logging.root.setLevel(logging.WARNING)
    logging.disable(logging.DEBUG)
    try:
        stub_client.conf_create(60)
    finally:
        logging.disable(logging.NOTSET)
    assert [r.getMessage().split(" ")[1] for r in records] == ["conf/create", "conf/create", "duo_callback.end"]


def test_requests_on_other_threads_and_async_are_logged(
    logger: logging.Logger, records: List[logging.LogRecord], recording_stub: RecordingStub, stub_client: yunhuni.Client
) -> None:
    logger.setLevel(logging.DEBUG)
    recording_stub.reset({"confId": "c"})
    threads = [threading.Thread(target=lambda: [stub_client.conf_create(60) for _ in range(5)]) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    async def main() -> None:
        async with yunhuni.AsyncClient.from_client(stub_client) as client:
            await asyncio.gather(*(client.with_options(timeout=5).conf_create(60) for _ in range(5)))

    asyncio.run(main())
    assert len(records) == 25
    assert {r.threadName for r in records[20:]} != {threading.current_thread().name}


def test_a_broken_log_filter_does_not_fail_the_request(
    logger: logging.Logger, recording_stub: RecordingStub, stub_client: yunhuni.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    logger.setLevel(logging.DEBUG)

    def refuse(record: logging.LogRecord) -> bool:
        raise RuntimeError("filter broke")

    unraisable: List[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    logger.addFilter(refuse)
    try:
        recording_stub.reset({"confId": "c"})
        assert stub_client.conf_create(60) == {"confId": "c"}
        end = yunhuni.parse_event(END)
        assert isinstance(end, yunhuni.DuoCallbackEnd) and end.id
    finally:
        logger.removeFilter(refuse)
    assert [str(u.exc_value) for u in unraisable] == ["filter broke", "filter broke"]


def test_no_record_shows_the_secret_or_the_signature(logger: logging.Logger, records: List[logging.LogRecord]) -> None:
    logger.setLevel(logging.DEBUG)
    signatures: List[str] = []

    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            signatures.append(self.headers["Signature"])
            body = b'{"code":"030500","msg":"bad","data":null}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        client = yunhuni.Client("app", "cert", SECRET, base_url=f"http://127.0.0.1:{server.server_address[1]}")
        with pytest.raises(yunhuni.ApiError):
            client.duo_callback("13800000001", "13800000002", 60)
    finally:
        server.shutdown()
        server.server_close()
    assert len(records) == 1 and len(signatures) == 1
    assert base64.b64decode(signatures[0])  # a real signature was sent
    texts = [records[0].getMessage(), repr(vars(records[0])), logging.Formatter().format(records[0])]
    for text in texts:
        assert SECRET not in text and SECRET.lower() not in text.lower()
        assert signatures[0] not in text
    assert records[0].code == "030500"  # type: ignore[attr-defined]


def run_python(code: str, **env: str) -> "subprocess.CompletedProcess[str]":
    environment = {k: v for k, v in os.environ.items() if k != "YUNHUNI_LOG"}
    environment.update(env)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=60)


PROGRAM = """
import sys, yunhuni
client = yunhuni.Client("app", "cert", "secret", base_url=sys.argv[1] if len(sys.argv) > 1 else "{url}")
client.conf_create(60)
yunhuni.parse_event({end!r})
print("logging imported:", "logging" in sys.modules)
"""


def test_yunhuni_log_debug_turns_logging_on(recording_stub: RecordingStub) -> None:
    recording_stub.reset({"confId": "c"})
    program = PROGRAM.format(url=recording_stub.url, end=END)
    on = run_python(program, YUNHUNI_LOG="debug")
    assert on.returncode == 0, on.stderr
    lines = on.stderr.splitlines()
    assert len(lines) == 2, on.stderr
    assert lines[0].startswith("[yunhuni DEBUG] POST conf/create -> 200 000000 in ")
    assert lines[1] == "[yunhuni DEBUG] event duo_callback.end id=0123456789abcdef0123456789abcdef"
    for value in ["DEBUG", " Trace "]:
        assert len(run_python(program, YUNHUNI_LOG=value).stderr.splitlines()) == 2, value


def test_without_yunhuni_log_nothing_is_written_and_logging_is_not_imported(recording_stub: RecordingStub) -> None:
    recording_stub.reset({"confId": "c"})
    program = PROGRAM.format(url=recording_stub.url, end=END)
    for env in [{}, {"YUNHUNI_LOG": ""}]:
        off = run_python(program, **env)
        assert off.returncode == 0 and off.stderr == "", off.stderr
        assert "logging imported: False" in off.stdout
    for level in ["off", "info", "warn", "error"]:
        quiet = run_python(program, YUNHUNI_LOG=level)
        assert quiet.returncode == 0 and quiet.stderr == "", (level, quiet.stderr)


def test_yunhuni_log_keeps_the_applications_handler(recording_stub: RecordingStub) -> None:
    recording_stub.reset({"confId": "c"})
    program = (
        "import logging, sys\n"
        "logging.getLogger('yunhuni').addHandler(logging.StreamHandler(sys.stdout))\n"
        + PROGRAM.format(url=recording_stub.url, end=END)
        + "print(len(logging.getLogger('yunhuni').handlers), logging.getLogger('yunhuni').level)\n"
    )
    result = run_python(program, YUNHUNI_LOG="debug")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.splitlines()[-1] == "1 10"
    assert result.stdout.startswith("POST conf/create -> 200 000000 in ")


def test_a_wrong_yunhuni_log_is_named_in_a_warning() -> None:
    result = run_python("import yunhuni", YUNHUNI_LOG="loud\x1b[2J")
    assert result.returncode == 0
    assert "RuntimeWarning: YUNHUNI_LOG='loud\\x1b[2J' is not one of off, error, warn, info, debug, trace" in result.stderr
    assert "\x1b" not in result.stderr
