#!/usr/bin/env python3
"""PHP under php-fpm with 8 workers: requests per second of an application that places one voice
callback per request, with Yunhuni\\Client on the PHP extension against the vendor SDK's way (a
new curl handle per request), 8 FastCGI requests in flight at all times (as a web server in front
of the pool keeps them). Each side runs REPS times, interleaved, after a warm-up. Prints one JSON
row.

    fpm_bench.py --base-url URL --extension /path/to/yunhuni.so [--requests N] [--reps R]
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "php" / "tests"))
from fcgi_gateway import fastcgi  # noqa: E402

WORKERS = 8


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one(fpm, script, query):
    params = {"REQUEST_METHOD": "GET", "SCRIPT_FILENAME": script, "SCRIPT_NAME": "/app", "QUERY_STRING": query,
              "REQUEST_URI": "/app?" + query, "SERVER_PROTOCOL": "HTTP/1.1", "CONTENT_LENGTH": "0",
              "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1"}
    out, err = fastcgi(fpm, params, b"", 60)
    body = out.partition(b"\r\n\r\n")[2]
    if len(body) != 32:
        raise RuntimeError(f"unexpected answer: {out[-300:]!r} {err[-300:]!r}")


def rate(fpm, script, query, n):
    start = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        for f in [pool.submit(one, fpm, script, query) for _ in range(n)]:
            f.result()
    return n / (time.perf_counter() - start)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base-url", required=True)
    p.add_argument("--extension", required=True)
    p.add_argument("--requests", type=int, default=400)
    p.add_argument("--reps", type=int, default=5)
    args = p.parse_args()
    fpm_bin = shutil.which("php-fpm8.2") or next(iter(sorted(Path("/usr/sbin").glob("php-fpm*"))), None)
    if fpm_bin is None:
        sys.exit("php-fpm is not installed")
    tmp = Path(tempfile.mkdtemp(prefix="yunhuni-fpm-bench-"))
    port = free_port()
    (tmp / "ini").mkdir()
    (tmp / "ini" / "99-yunhuni.ini").write_text(f"extension={args.extension}\n")
    user = "user = root\ngroup = root\n" if os.getuid() == 0 else ""
    (tmp / "fpm.conf").write_text(
        f"[global]\npid = {tmp}/fpm.pid\nerror_log = {tmp}/fpm.log\ndaemonize = no\n[bench]\n{user}"
        f"listen = 127.0.0.1:{port}\nlisten.backlog = 511\npm = static\npm.max_children = {WORKERS}\n"
        f"env[YUNHUNI_BASE_URL] = {args.base_url}\n")
    env = dict(os.environ, PHP_INI_SCAN_DIR=f":{tmp}/ini")
    proc = subprocess.Popen([str(fpm_bin), "--nodaemonize", "--allow-to-run-as-root", "--fpm-config", str(tmp / "fpm.conf")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                time.sleep(0.1)
        fpm = f"127.0.0.1:{port}"
        script = str(HERE / "fpm_app.php")
        samples = {"sdk": [], "curl": []}
        for which in samples:
            rate(fpm, script, f"with={which}", max(8, args.requests // 10))
        for _ in range(args.reps):
            for which in samples:
                samples[which].append(rate(fpm, script, f"with={which}", args.requests))
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)

    def stats(xs):
        m = statistics.median(xs)
        return m, (max(xs) - min(xs)) / m if m else 0.0

    (o, os_), (b, bs) = stats(samples["sdk"]), stats(samples["curl"])
    print(json.dumps({
        "name": "php_fpm_8_workers: php-fpm, 8 workers, 8 requests in flight: a voice callback per request "
                "with Yunhuni\\Client on the extension vs curl with a new handle per request",
        "ours": o, "baseline": b, "unit": "requests/s", "target": 2,
        "ours_spread": os_, "baseline_spread": bs, "samples": args.reps,
        "note": f"{args.requests} requests per sample; each PHP request makes its client, which the extension "
                f"hands out from its per-worker cache (connections kept), curl opens a new connection; "
                f"FastCGI straight to the pool",
    }))


if __name__ == "__main__":
    main()
