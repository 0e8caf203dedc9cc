#!/usr/bin/env python3
"""The webhook load run: the sandbox delivers N events (the end events of N time-scaled calls)
to a gunicorn application using ``yunhuni.webhook``'s WSGI helper with Redis dedup shared by
its workers, while the handler fails its first try for a share of the events (the helper
answers 500, the platform sends again) and is slower than the platform waits for another share
(the platform sends again while the first delivery is being handled). Then it counts, for each
event, how many times the application handled it (recorded in Redis by recorder.py) against
the sandbox's own record of each delivery (delivered, or given up after 4 failed attempts).

    python bench/webhook/run.py --sandbox-bin target/release/yunhuni-sandbox   # 50,000 events, 4 workers
    python bench/webhook/run.py --events 300 --workers 2 --quick               # what the tests run

Each run prints one JSON line of counts; ``--rows`` prints bench/run's rows instead. Runs twice:
as is, and with one worker killed (SIGKILL) and restarted by gunicorn a third of the way in
(``--only plain`` or ``--only kill`` for one). Redis is a real ``redis-server`` on a Unix socket
in a temporary directory; every server this starts is stopped on the way out.

Also importable: the tests use ``RedisServer``, ``AppServer``, ``deliver`` and ``count`` with
the in-process ``yunhuni.testing.Sandbox`` and the Flask, Django and FastAPI examples.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import redis

import yunhuni

HERE = Path(__file__).resolve().parent
TOKEN = "load-run-token-3f9a"
PATH = "/yunhuni/events"


class RedisServer:
    """A ``redis-server`` on a Unix socket in a temporary directory, without persistence."""

    def __init__(self) -> None:
        exe = shutil.which("redis-server")
        if exe is None:
            raise RuntimeError("redis-server is not installed (scripts/lib.sh: need_redis)")
        self.dir = tempfile.mkdtemp(prefix="yunhuni-redis-")
        self.socket = os.path.join(self.dir, "redis.sock")
        self.url = f"unix://{self.socket}"
        self.proc = subprocess.Popen(
            [exe, "--port", "0", "--unixsocket", self.socket, "--unixsocketperm", "700", "--save", "",
             "--appendonly", "no", "--dir", self.dir, "--loglevel", "warning"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.client = redis.Redis(unix_socket_path=self.socket)
        deadline = time.monotonic() + 20
        while True:
            try:
                if self.client.ping():
                    break
            except redis.RedisError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                self.stop()
                raise RuntimeError(f"redis-server did not start: {err[-1000:]}")
            time.sleep(0.02)

    def stop(self) -> None:
        self.client.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "RedisServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _children(pid: int) -> List[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


class AppServer:
    """gunicorn or uvicorn serving ``spec`` with ``workers`` processes on a loopback socket
    bound here (so no port is guessed), in a session of its own, stopped with everything it
    started."""

    def __init__(self, kind: str, spec: str, workers: int, env: Dict[str, str], token: str = TOKEN) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.sock.set_inheritable(True)
        fd = self.sock.fileno()
        port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{port}{PATH}"
        self.url = f"{self.base}?token={token}"
        self.workers = workers
        py = sys.executable
        if kind == "gunicorn":
            cmd = [py, "-m", "gunicorn", "--bind", f"fd://{fd}", "--workers", str(workers),
                   "--log-level", "warning", "--graceful-timeout", "5", "--timeout", "60", spec]
        elif kind == "uvicorn":
            cmd = [py, "-m", "uvicorn", "--fd", str(fd), "--workers", str(workers), "--log-level", "warning",
                   "--timeout-graceful-shutdown", "5", "--factory", spec]
        else:
            raise ValueError(f"unknown server {kind!r}")
        full_env = dict(os.environ, **env, YUNHUNI_WEBHOOK_TOKEN=token)
        full_env["PYTHONPATH"] = os.pathsep.join(
            [str(HERE)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, cwd=HERE, env=full_env, pass_fds=(fd,), start_new_session=True,
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        """Until every worker is up and a GET is answered (405: POST only)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{self.output()}")
            if len(self.worker_pids()) >= self.workers:
                try:
                    urllib.request.urlopen(self.url, timeout=5)
                except urllib.error.HTTPError as e:
                    if e.code == 405:
                        return
                except OSError:
                    pass
            time.sleep(0.1)
        raise RuntimeError(f"the server was not ready within 60 s:\n{self.output()}")

    def worker_pids(self) -> List[int]:
        """The worker processes (children of the master; for uvicorn, of its supervisor)."""
        return [p for p in _children(self.proc.pid) if _cmdline(p) and "resource_tracker" not in _cmdline(p)]

    def kill_worker(self) -> int:
        """SIGKILLs one worker (the server starts another); returns its pid."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        """SIGTERM to the master, then SIGKILL to its whole session if it lingers."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.proc.poll() is None:
            self.proc.wait()
        self.sock.close()
        self.log.close()

    def __enter__(self) -> "AppServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


# --- the sandbox ----------------------------------------------------------------------------

class BinarySandbox:
    """A release ``yunhuni-sandbox`` process posting its events to ``callback_url``."""

    def __init__(self, exe: str, callback_url: str, time_scale: float, webhook_timeout_ms: int) -> None:
        self.proc = subprocess.Popen(
            [exe, "--listen", "127.0.0.1:0", "--no-log", "--time-scale", str(time_scale),
             "--callback-url", callback_url, "--webhook-timeout-ms", str(webhook_timeout_ms)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        found: "queue.Queue[Optional[str]]" = queue.Queue()

        def read() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                m = re.match(r"\s*export YUNHUNI_BASE_URL=(\S+)", line)
                if m:
                    found.put(m.group(1))
            found.put(None)

        threading.Thread(target=read, daemon=True).start()
        try:
            base = found.get(timeout=30)
        except queue.Empty:
            base = None
        if base is None:
            self.close()
            raise RuntimeError("yunhuni-sandbox did not print its base URL")
        self.base_url = base
        with urllib.request.urlopen(f"{base}/sandbox/info", timeout=10) as r:
            info = json.load(r)
        self._client = yunhuni.Client(info["app_id"], info["cert_id"], info["secret_key"], base_url=base)

    def client(self) -> yunhuni.Client:
        return self._client

    def settle(self, call_id: str, timeout: float) -> Tuple[bool, int]:
        """(delivered, attempts) once the call's end event is settled."""
        url = f"{self.base_url}/sandbox/calls/{call_id}/wait?timeout_ms={int(timeout * 1000)}"
        with urllib.request.urlopen(url, timeout=timeout + 10) as r:
            d = json.load(r)
        return bool(d["delivered"]), len(d["attempts"])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class InProcessSandbox:
    """``yunhuni.testing.Sandbox`` behind the same three methods."""

    def __init__(self, callback_url: str, time_scale: float, webhook_timeout_ms: int) -> None:
        from yunhuni.testing import Sandbox

        self.sb = Sandbox(callback_url=callback_url, time_scale=time_scale,
                          webhook_timeout=webhook_timeout_ms / 1000)

    def client(self) -> yunhuni.Client:
        return self.sb.client()

    def settle(self, call_id: str, timeout: float) -> Tuple[bool, int]:
        d = self.sb.wait_for_end(call_id, timeout=timeout)
        return d.delivered, len(d.attempts)

    def close(self) -> None:
        self.sb.close()


# --- one run --------------------------------------------------------------------------------

def user_data_of(i: int, fail_every: int, slow_every: int) -> str:
    """Which share event ``i`` belongs to (recorder.py acts on the prefix)."""
    if fail_every and i % fail_every == 0:
        return f"fail-{i}"
    if slow_every and i % slow_every == 1:
        return f"slow-{i}"
    return f"ok-{i}"


@dataclass
class Counts:
    events: int = 0
    handled_once: int = 0
    handled_twice: int = 0  # twice or more
    lost: int = 0  # delivered (the platform got a 200) but never handled
    gave_up: int = 0  # the platform's own give-ups (4 failed attempts)
    gave_up_handled: int = 0  # of those, handled anyway
    resent: int = 0  # events delivered in more than one attempt
    attempts: int = 0
    unknown_handled: int = 0  # handled ids that no call of this run has
    fail_share: int = 0
    slow_share: int = 0
    seconds: float = 0.0
    server_cpu_s: float = 0.0  # user + system time of the server's processes
    events_per_s: float = 0.0
    workers: int = 0
    workers_used: int = 0
    killed: List[int] = field(default_factory=list)
    restarted: bool = False


def deliver(sandbox: Any, n: int, *, fail_every: int, slow_every: int, threads: int = 32,
            on_progress: Optional[Callable[[int], None]] = None, settle_timeout: float = 120.0
            ) -> Tuple[Dict[str, Tuple[bool, int]], Dict[str, str], float]:
    """Places ``n`` calls (each one end event), waits until each event is settled; returns
    {call id: (delivered, attempts)}, {call id: user_data} and the seconds it took."""
    client = sandbox.client()
    settled: Dict[str, Tuple[bool, int]] = {}
    shares: Dict[str, str] = {}
    lock = threading.Lock()
    done = [0]

    def one(i: int) -> None:
        ud = user_data_of(i, fail_every, slow_every)
        call = client.duo_callback("13800000001", "13800000002", 60, user_data=ud)
        result = sandbox.settle(call.call_id, settle_timeout)
        with lock:
            settled[call.call_id] = result
            shares[call.call_id] = ud
            done[0] += 1
            count = done[0]
        if on_progress:
            on_progress(count)

    start = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(one, i) for i in range(n)]:
            f.result()
    return settled, shares, time.monotonic() - start


def count(r: "redis.Redis", prefix: str, settled: Dict[str, Tuple[bool, int]], shares: Dict[str, str]) -> Counts:
    """What the application recorded against what the sandbox delivered."""
    handled = {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in r.hgetall(prefix + "handled").items()}
    pids = r.hgetall(prefix + "pids")
    c = Counts(events=len(settled), workers_used=len(pids))
    for call_id, (delivered, attempts) in settled.items():
        n = handled.get(call_id, 0)
        c.attempts += attempts
        c.resent += attempts > 1 and delivered
        c.fail_share += shares[call_id].startswith("fail-")
        c.slow_share += shares[call_id].startswith("slow-")
        if not delivered:
            c.gave_up += 1
            c.gave_up_handled += n > 0
        elif n == 0:
            c.lost += 1
        if n == 1:
            c.handled_once += 1
        elif n >= 2:
            c.handled_twice += 1
    c.unknown_handled = len(set(handled) - set(settled))
    return c


def lease_env(webhook_timeout_ms: int) -> Dict[str, str]:
    """The receiver's lease, wait and poll interval for a platform that waits
    ``webhook_timeout_ms`` per attempt (the platform's 5 s, time-scaled): the wait 80 % of an
    attempt (the answer, 200 or 503, must reach the platform within it), the lease two attempts
    (so that a killed worker's key is free again before the platform's 4th attempt has waited,
    and a live worker stalled by the loaded machine for less than two thirds of it keeps its
    key), the poll a thirtieth of an attempt (at most core's 50 ms). Core's defaults for the real
    5 s are a 2 s lease, a 4 s wait and 50 ms."""
    t = webhook_timeout_ms / 1000
    return {"WEBHOOK_LEASE_S": f"{2 * t:.3f}", "WEBHOOK_WAIT_S": f"{0.8 * t:.3f}",
            "WEBHOOK_POLL_S": f"{min(0.05, t / 30):.4f}"}


def run_once(*, sandbox_bin: Optional[str], redis_server: RedisServer, events: int, workers: int,
             kill: bool, fail_every: int, slow_every: int, slow_s: float, webhook_timeout_ms: int,
             time_scale: float, spec: str = "app:app", kind: str = "gunicorn",
             probe: Optional[Callable[[AppServer], None]] = None) -> Counts:
    """One run against a fresh server and a clean Redis; ``probe(server)`` runs once the events
    are settled, before the server stops (what it POSTs must not be handled)."""
    redis_server.client.flushall()
    prefix = "rec:"
    env = {"WEBHOOK_REDIS_URL": redis_server.url, "WEBHOOK_RECORD_PREFIX": prefix, "WEBHOOK_SLOW_S": str(slow_s)}
    env.update(lease_env(webhook_timeout_ms))
    with AppServer(kind, spec, workers, env) as server:
        sandbox: Any = (BinarySandbox(sandbox_bin, server.url, time_scale, webhook_timeout_ms) if sandbox_bin
                        else InProcessSandbox(server.url, time_scale, webhook_timeout_ms))
        killed: List[int] = []
        try:
            kill_at = events // 3 if kill else -1

            def progress(done: int) -> None:
                if done == kill_at:
                    killed.append(server.kill_worker())

            settled, shares, seconds = deliver(sandbox, events, fail_every=fail_every, slow_every=slow_every,
                                               on_progress=progress)
        finally:
            sandbox.close()
        if probe:
            probe(server)
        restarted = False
        if killed:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                now = server.worker_pids()
                if len(now) >= workers and killed[0] not in now:
                    restarted = True
                    break
                time.sleep(0.1)
        # The CPU time of the server's processes (its master and every worker, the killed one
        # too) reaches this process's children's usage once the server has exited.
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        server.stop()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    c = count(redis_server.client, prefix, settled, shares)
    c.seconds = seconds
    c.events_per_s = events / seconds if seconds > 0 else 0.0
    c.workers = workers
    c.server_cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    c.killed = killed
    c.restarted = restarted
    return c


def rows(label: str, key: str, c: Counts, note: str) -> List[Dict[str, Any]]:
    """bench/run's rows for one run."""
    common = dict(baseline=None, ours_spread=0.0, baseline_spread=None, samples=1)
    return [
        dict(name=f"Webhooks {label}: events handled twice", key=f"{key}_handled_twice", ours=c.handled_twice,
             unit="events", target=0, target_kind="max", note=note, **common),
        dict(name=f"Webhooks {label}: events lost (beyond the platform's give-ups)", key=f"{key}_lost",
             ours=c.lost, unit="events", target=0, target_kind="max",
             note=f"the platform gave up on {c.gave_up} (4 failed attempts; {c.gave_up_handled} of them handled anyway)",
             **common),
        dict(name=f"Webhooks {label}: events handled exactly once", key=f"{key}_handled_once",
             ours=c.handled_once, unit="events", target="report",
             note=f"of {c.events}; {c.resent} delivered after a re-send, {c.attempts} POSTs in all", **common),
        dict(name=f"Webhooks {label}: receiving side per worker", key=f"{key}_per_worker_events_per_s",
             ours=c.attempts / c.server_cpu_s if c.server_cpu_s > 0 else None, unit="events/s", target="report",
             note=(f"POSTs answered per CPU-second of the app's processes (gunicorn master and workers, handler and "
                   f"Redis calls included): what one worker takes with a core of its own; wall clock: {c.events} "
                   f"events in {c.seconds:.1f} s ({c.events_per_s:.0f}/s) with {c.workers} workers ({c.workers_used} "
                   "handled some) on the same CPUs as the sandbox, the driver and Redis"), **common),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description="The webhook load run (gunicorn + Redis dedup).")
    parser.add_argument("--sandbox-bin", help="a release yunhuni-sandbox (default: yunhuni.testing.Sandbox)")
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--fail-every", type=int, default=100, help="every Nth event fails its first handling")
    parser.add_argument("--slow-every", type=int, default=200, help="every Nth event is slow on its first handling")
    parser.add_argument("--slow-s", type=float, default=0.6, help="how long a slow handling takes")
    parser.add_argument("--webhook-timeout-ms", type=int, default=300,
                        help="how long the platform waits for each attempt (the platform's 5 s, time-scaled)")
    parser.add_argument("--time-scale", type=float, default=1000)
    parser.add_argument("--only", choices=["plain", "kill"])
    parser.add_argument("--rows", action="store_true", help="print bench/run's rows")
    parser.add_argument("--quick", action="store_true", help="300 events")
    args = parser.parse_args()
    if args.quick:
        args.events = min(args.events, 300)
    runs = [("plain", False), ("kill", True)]
    if args.only:
        runs = [r for r in runs if r[0] == args.only]
    size = f"{args.events // 1000}k" if args.events >= 1000 else str(args.events)
    with RedisServer() as rs:
        for name, kill in runs:
            c = run_once(sandbox_bin=args.sandbox_bin, redis_server=rs, events=args.events, workers=args.workers,
                         kill=kill, fail_every=args.fail_every, slow_every=args.slow_every, slow_s=args.slow_s,
                         webhook_timeout_ms=args.webhook_timeout_ms, time_scale=args.time_scale)
            if args.rows:
                label = f"({args.events:,} events, {args.workers} gunicorn workers, Redis)"
                key = f"webhook_{size}"
                if kill:
                    label = f"({args.events:,} events, a worker SIGKILLed and restarted)"
                    key += "_kill"
                note = (f"{args.workers} gunicorn workers on yunhuni.webhook.WSGIApp with a RedisStore; every "
                        f"{args.fail_every}th event fails its first handling (500, re-sent), every "
                        f"{args.slow_every}th is slower ({args.slow_s} s) than the platform waits "
                        f"({args.webhook_timeout_ms} ms), so it is re-sent while being handled"
                        + ("; one worker SIGKILLed a third of the way in, restarted by gunicorn"
                           + ("" if c.restarted else " (NOT restarted within 30 s)") if kill else ""))
                for row in rows(label, key, c, note):
                    print(json.dumps(row), flush=True)
            else:
                print(json.dumps(dict(run=name, **asdict(c))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
