"""The README's quick start runs as written, in a fresh interpreter, against the sandbox."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

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
