#!/usr/bin/env python3
"""Runs the code snippets of the top README against a sandbox, so that what it shows works.

The C, PHP, Python and Node snippets are extracted from README.md and run as a user would run
them, with the YUNHUNI_* variables of a sandbox started here. It uses what the language suites
built before it: target/release/libyunhuni.so (c, and php), py/.venv (python), node/yunhuni.node
(node), and composer (php: scripts/test-php installs it). The PHP snippet runs in a fresh Composer
project that requires yunhuni/yunhuni from a path repository on php/ (no network).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def snippets():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    return re.findall(r"```(\w+)\n(.*?)```", text, re.S)


def start_sandbox():
    exe = os.path.join(ROOT, "target", "debug", "yunhuni-sandbox")
    subprocess.run(["cargo", "build", "--quiet", "-p", "yunhuni-sandbox"], cwd=ROOT, check=True)
    proc = subprocess.Popen([exe, "--listen", "127.0.0.1:0", "--time-scale", "100", "--no-log"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    env = {}
    for line in proc.stdout:
        m = re.match(r"\s*export (YUNHUNI_\w+)=(\S+)", line)
        if m:
            env[m.group(1)] = m.group(2)
        if "YUNHUNI_SECRET_KEY" in env:
            break
    return proc, env


def composer_project(tmp):
    """A Composer project in `tmp` with yunhuni/yunhuni installed from this checkout's php/."""
    app = os.path.join(tmp, "php-app")
    if os.path.isdir(os.path.join(app, "vendor")):
        return app
    os.makedirs(app, exist_ok=True)
    with open(os.path.join(app, "composer.json"), "w") as f:
        json.dump({"name": "readme/app", "repositories": [
            {"packagist.org": False}, {"type": "path", "url": os.path.join(ROOT, "php")}]}, f)
    if shutil.which("composer") is None:
        raise RuntimeError("composer is not installed (scripts/test-php installs it)")
    env = dict(os.environ, COMPOSER_HOME=os.path.join(tmp, "composer-home"), COMPOSER_DISABLE_NETWORK="1",
               COMPOSER_NO_INTERACTION="1")
    out = subprocess.run(["composer", "require", "--working-dir", app, "yunhuni/yunhuni"],
                         env=env, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError("composer require yunhuni/yunhuni failed:\n" + out.stdout + out.stderr)
    return app


def main():
    blocks = [(lang, code) for lang, code in snippets() if lang in ("c", "php", "python", "js")]
    proc, sandbox_env = start_sandbox()
    env = dict(os.environ, **sandbox_env)
    passed = failed = 0
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for i, (lang, code) in enumerate(blocks):
                cwd = ROOT
                if lang == "c":
                    src, exe = os.path.join(tmp, f"s{i}.c"), os.path.join(tmp, f"s{i}")
                    open(src, "w").write(code)
                    subprocess.run(["gcc", src, "-I", "include", "-L", "target/release", "-lyunhuni", "-o", exe],
                                   cwd=ROOT, check=True)
                    cmd = [exe]
                    run_env = dict(env, LD_LIBRARY_PATH=os.path.join(ROOT, "target", "release"))
                elif lang == "php":
                    try:
                        app = composer_project(tmp)
                    except RuntimeError as e:
                        print(f"FAIL README {lang} snippet #{i}: {e}")
                        failed += 1
                        continue
                    src = os.path.join(app, f"s{i}.php")
                    open(src, "w").write(code)
                    cmd, run_env, cwd = ["php", "-d", "ffi.enable=1", src], env, app
                elif lang == "python":
                    src = os.path.join(tmp, f"s{i}.py")
                    open(src, "w").write(code)
                    cmd, run_env = [os.path.join(ROOT, "py", ".venv", "bin", "python"), src], env
                else:
                    # Run from inside the package so that require('yunhuni') finds it.
                    src = os.path.join(ROOT, "node", f".readme-snippet-{i}.js")
                    open(src, "w").write(code)
                    cmd, run_env = ["node", src], env
                try:
                    out = subprocess.run(cmd, cwd=cwd, env=run_env, capture_output=True, text=True, timeout=120)
                finally:
                    if lang == "js":
                        os.remove(src)
                ok = out.returncode == 0 and out.stdout.strip() != ""
                print(f"{'PASS' if ok else 'FAIL'} README {lang} snippet #{i}: {out.stdout.strip().splitlines()[-1:] }")
                if not ok:
                    print(out.stdout, out.stderr, sep="\n")
                passed, failed = passed + ok, failed + (not ok)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
