"""Runs examples/python/conference.py as a user would: a conference with three numbers against
the sandbox, ending with the recording downloaded as a WAV file."""

from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

import conference  # noqa: E402


def test_conference_example(tmp_path: pathlib.Path) -> None:
    out = tmp_path / "recording.wav"
    assert conference.main(["--out", str(out)]) == 0
    data = out.read_bytes()
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt "
    # 8 kHz, 16-bit mono: the data chunk holds whole seconds of audio.
    size = int.from_bytes(data[40:44], "little")
    assert size > 0 and size % 16000 == 0 and len(data) == 44 + size
