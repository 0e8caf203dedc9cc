"""A conference from start to finish: create it, invite three numbers, play a file to everyone,
record, dismiss it, then download the recording.

    python examples/python/conference.py [--out recording.wav]

It runs against the in-process sandbox (the platform simulated on 127.0.0.1, 100 times faster
than real time) and a webhook receiver of its own, a plain ``http.server`` on 127.0.0.1: the
conference's events (``conf.*``) and ``recording.url_generate`` arrive there as the platform
would POST them, and are read with ``yunhuni.parse_event``. Against the real platform, build the
client with ``yunhuni.Client.from_env()`` and point the app's callback URL at your receiver.
"""

from __future__ import annotations

import argparse
import http.server
import queue
import sys
import threading
import time
import urllib.request
from typing import Any, Callable, List, Optional, TypeVar

import yunhuni
from yunhuni.testing import Sandbox

E = TypeVar("E")


class Webhooks:
    """The application's webhook: every event POSTed to it, parsed, in arrival order."""

    def __init__(self) -> None:
        events: "queue.Queue[Any]" = queue.Queue()
        self.events = events

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                events.put(yunhuni.parse_event(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/yunhuni/events" % self.server.server_address[1]
        self.seen: List[Any] = []

    def wait_for(self, kind: "type[E]", match: Callable[[E], bool] = lambda e: True, timeout: float = 30) -> E:
        """The first event of this type (and matching) to arrive, waiting for it."""
        for event in self.seen:
            if isinstance(event, kind) and match(event):
                return event
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {kind.__name__} within {timeout} s")
            event = self.events.get(timeout=left)
            self.seen.append(event)
            print(f"  event {event.event}")
            if isinstance(event, kind) and match(event):
                return event

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def run_conference(client: yunhuni.Client, hooks: Webhooks, numbers: List[str]) -> bytes:
    """Creates a conference, invites `numbers`, plays, records, dismisses it and returns the
    recording's bytes."""
    conf_id = client.conf_create(600, max_parts=len(numbers), user_data="weekly-sync")["confId"]
    print(f"conference {conf_id}")
    hooks.wait_for(yunhuni.ConfCreateSucc, lambda e: e.id == conf_id)

    members = [client.conf_invite_call(conf_id, n, 600).call_id for n in numbers]
    for call_id in members:
        joined = hooks.wait_for(yunhuni.ConfJoined, lambda e: e.call_id == call_id)
        print(f"  {call_id} joined at {joined.join_at}")

    client.conf_start_play(conf_id, ["welcome.wav", "agenda.wav"])
    hooks.wait_for(yunhuni.ConfPlayEnd, lambda e: e.id == conf_id)

    client.conf_start_record(conf_id)
    time.sleep(0.1)  # ten seconds of conference, at the sandbox's speed
    client.conf_dismiss(conf_id)
    record = hooks.wait_for(yunhuni.ConfRecordEnd, lambda e: e.id == conf_id)
    hooks.wait_for(yunhuni.ConfEnd, lambda e: e.id == conf_id)
    for call_id in members:
        hooks.wait_for(yunhuni.ConfQuit, lambda e: e.call_id == call_id)

    # The recording: list it, ask for its URL, and wait for recording.url_generate.
    page = client.recording_list("2000-01-01 00:00:00", "2999-12-31 23:59:59", page_size=100)
    recording = max(page["result"] or [], key=lambda r: r["date"])
    print(f"recording {recording['id']}: {recording['duration']} s, {recording['size']} bytes"
          f" (conference recorded {(record.end_time or 0) - (record.begin_time or 0)} ms)")
    answer = client.recording_url_gen(recording["id"])
    url = answer["url"]
    if answer["state"] == 0:
        ready = hooks.wait_for(yunhuni.RecordingUrlGenerate, lambda e: e.id == recording["id"])
        url = ready.url
    if url is None:
        raise RuntimeError("the platform gave no URL for the recording")
    with urllib.request.urlopen(url, timeout=30) as response:
        data: bytes = response.read()
    print(f"downloaded {len(data)} bytes from {url}")
    return data


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("numbers", nargs="*", default=["13800000001", "13800000002", "13800000003"])
    parser.add_argument("--out", help="where to save the recording")
    args = parser.parse_args(argv)
    hooks = Webhooks()
    try:
        with Sandbox(time_scale=100) as sandbox:
            sandbox.callback_url = hooks.url
            for number in args.numbers:
                sandbox.set_behavior(number, "after", ms=2000)  # answer, never hang up
            data = run_conference(sandbox.client(), hooks, args.numbers)
    except yunhuni.YunhuniError as e:
        print(f"conference failed ({e.kind}): {e}", file=sys.stderr)
        return 1
    finally:
        hooks.close()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        print("the download is not a WAV file", file=sys.stderr)
        return 1
    if args.out:
        with open(args.out, "wb") as f:
            f.write(data)
        print(f"saved {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
