"""Walks every branch of examples/c/ivr_menu.c: starts the example (its first line names its
port) and the sandbox binary with the example as IVR and callback URL, then, per branch, scripts
a caller's keys (PUT /sandbox/numbers/N), makes it dial in (POST /sandbox/inbound_call), waits for
the end, and checks the <next> paths the sandbox requested (GET /sandbox/calls/ID/ivr) and the
typed events the example printed. Prints PASS/FAIL lines and "# checks: P passed, F failed".

    python3 ivr_menu_walk.py IVR_MENU_EXE SANDBOX_EXE
"""
import json
import re
import subprocess
import sys
import threading
import time
import urllib.request
from urllib.parse import urlsplit

SALES_AGENT = "13800000099"
BRANCHES = [
    (["1", "1", "1"], ["/ivr/main", "/ivr/sales", "/ivr/orders", "/ivr/goodbye"], "ivr.play_end"),
    (["1", "1", "2", "9"], ["/ivr/main", "/ivr/sales", "/ivr/orders", "/ivr/main"], "ivr.get_end"),
    (["1", "1", "4"], ["/ivr/main", "/ivr/sales", "/ivr/orders"], "ivr.play_end"),
    (["1", "2"], ["/ivr/main", "/ivr/sales", "/ivr/goodbye"], "ivr.connect_end"),
    (["1", "7"], ["/ivr/main", "/ivr/sales"], "ivr.play_end"),
    (["2", "1"], ["/ivr/main", "/ivr/support"], "ivr.play_end"),
    (["2", "2"], ["/ivr/main", "/ivr/support", "/ivr/recorded"], "ivr.record_end"),
    (["2", "5"], ["/ivr/main", "/ivr/support"], "ivr.play_end"),
    (["3"], ["/ivr/main"], "ivr.play_end"),
]


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read() or b"null")


def main(menu_exe, sandbox_exe):
    passed = failed = 0
    lines = []
    menu = subprocess.Popen([menu_exe, "0"], stdout=subprocess.PIPE, text=True)
    port = re.match(r"listening on (\d+)", menu.stdout.readline()).group(1)
    threading.Thread(target=lambda: [lines.append(l.rstrip("\n")) for l in menu.stdout], daemon=True).start()
    app = f"http://127.0.0.1:{port}"
    sb = subprocess.Popen([sandbox_exe, "--listen", "127.0.0.1:0", "--time-scale", "200", "--no-log",
                           "--callback-url", f"{app}/events", "--ivr-url", f"{app}/ivr"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = None
    for line in sb.stdout:
        m = re.search(r"listening on (http\S+)", line)
        if m:
            base = m.group(1)
            break
    threading.Thread(target=lambda: [None for _ in sb.stdout], daemon=True).start()
    try:
        call(base, "PUT", f"/sandbox/numbers/{SALES_AGENT}",
             {"answer": "after", "ms": 2000, "hangup_after_ms": 20000})
        for i, (keys, paths, shows) in enumerate(BRANCHES):
            caller = "1360000%04d" % i
            call(base, "PUT", f"/sandbox/numbers/{caller}", {"answer": "after", "ms": 0, "keys": keys})
            call_id = call(base, "POST", "/sandbox/inbound_call", {"from": caller, "to": "02088880000"})["call_id"]
            end = call(base, "GET", f"/sandbox/calls/{call_id}/wait?timeout_ms=30000")
            requested = [urlsplit(r["url"]).path for r in call(base, "GET", f"/sandbox/calls/{call_id}/ivr")][1:]
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and not any(l == f"event ivr.call_end {call_id}" for l in list(lines)):
                time.sleep(0.02)
            events = [l.split()[1:] for l in list(lines) if l.startswith("event ") and f" {call_id}" in l]
            pressed = [e[2][len("keys="):] for e in events if e[0] == "ivr.get_end"]
            names = [e[0] for e in events]
            ok = (end.get("event") == "ivr.call_end" and requested == paths and pressed == keys
                  and shows in names and names[-1:] == ["ivr.call_end"])
            print(f"{'PASS' if ok else 'FAIL'} examples/c/ivr_menu.c keys {' '.join(keys)}: next {' '.join(requested)}; "
                  f"events {', '.join(names)}")
            passed, failed = passed + ok, failed + (not ok)
    finally:
        sb.terminate()
        menu.terminate()
        sb.wait(timeout=10)
        menu.wait(timeout=10)
    print(f"# checks: {passed} passed, {failed} failed")
    return 0 if failed == 0 and passed == len(BRANCHES) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
