"""The README's quick start runs as written, in a fresh interpreter, against the sandbox."""

from __future__ import annotations

import importlib.util
import pathlib
import re
import subprocess
import sys

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_quick_start_snippet_places_a_callback() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Quick start", 1)[1]
    snippet = re.search(r"```python\n(.*?)```", section, re.S)
    assert snippet is not None
    result = subprocess.run([sys.executable, "-c", snippet.group(1)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"placed voice callback [0-9a-f]{32}", lines[0]), lines
    assert lines[1] == "connected 5 order-42", lines


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_client_section_example_type_checks(tmp_path: pathlib.Path) -> None:
    """The example of every operation's typed method and of ``request`` is checked with
    ``mypy --strict`` (its calls need a platform that answers them, which the sandbox does not
    simulate yet)."""
    section = README.read_text(encoding="utf-8").split("## The client", 1)[1]
    snippet = re.search(r"```python\n(.*?)```", section, re.S)
    assert snippet is not None and "client.request(" in snippet.group(1)
    path = tmp_path / "example.py"
    path.write_text('import yunhuni\n\nclient = yunhuni.Client("app", "cert", "secret")\n' + snippet.group(1))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / ".cache"), str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_option_error_and_logging_examples_type_check(tmp_path: pathlib.Path) -> None:
    """The examples of the proxy, a call's own timeout, ``maybe_sent`` and logging are checked
    with ``mypy --strict``."""
    text = README.read_text(encoding="utf-8")
    code = [
        "import yunhuni",
        'client = yunhuni.Client("app", "cert", "secret")',
        'to1, to2, order_id = "13800000001", "13800000002", "order-42"',
        "def remember_uncertain(order_id: str) -> None: ...",
    ]
    for heading in ["### Proxy", "### A call's own timeout", "## Errors", "## Logging"]:
        snippet = re.search(r"```python\n(.*?)```", text.split("\n" + heading + "\n", 1)[1], re.S)
        assert snippet is not None, heading
        code.append(snippet.group(1))
    assert "maybe_sent" in code[-2] and "with_options" in code[-3] and "proxy=" in code[-4]
    path = tmp_path / "examples.py"
    path.write_text("\n".join(code))
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / ".cache"), str(path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("readme", [README, README.parents[1] / "README.md"], ids=["py", "top"])
def test_ivr_menu_snippet_shows_each_event_typed(readme: pathlib.Path) -> None:
    """The IVR menu of the README runs as written (a WSGI app under wsgiref, a caller in the
    sandbox pressing 1 then 2) and prints what the README shows it prints."""
    section = readme.read_text(encoding="utf-8").split("### An IVR menu", 1)[1]
    snippet = re.search(r"```python\n(.*?)```", section, re.S)
    shown = re.search(r"```text\n(.*?)```", section, re.S)
    assert snippet is not None and shown is not None
    result = subprocess.run([sys.executable, "-c", snippet.group(1)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert [line.rstrip() for line in result.stdout.splitlines()] == shown.group(1).splitlines()
