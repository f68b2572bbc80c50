"""`library add ROUTINE --voice VOICE`: the voice asked for is the voice heard, for built-ins and
routine files alike. The served file is compared byte for byte with `render --voice VOICE`."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serve_fixture import MINIMAL, REPO


def _run(data: Path, *args: str) -> str:
    env = {**os.environ, "VOICE_COACH_DATA_DIR": str(data)}
    done = subprocess.run([sys.executable, "-m", "voice_coach", *args], capture_output=True,
                          text=True, env=env, cwd=REPO, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.parametrize("routine", ["morning", str(MINIMAL)])
def test_the_voice_asked_for_is_the_voice_heard(routine: str, tmp_path: Path) -> None:
    from voice_coach.serve.build import render_missing
    from voice_coach.serve.library import Library
    from voice_coach.serve.library_edit import remove

    data = tmp_path / "data"
    library = tmp_path / "library"
    out = _run(data, "library", "add", routine, "--voice", "gmw/en", "--library", str(library))
    assert "voice gmw/en" in out
    lib = Library(library)
    key = "morning" if routine == "morning" else "minimal"
    remove(lib, [e.key for e in lib.read().entries if e.key != key])
    os.environ["VOICE_COACH_DATA_DIR"] = str(data)
    try:
        (outcome,) = render_missing(lib)
    finally:
        os.environ.pop("VOICE_COACH_DATA_DIR", None)
    assert outcome.status == "rendered", outcome.error
    served = library / "media" / outcome.entry.rendered.audio
    rendered = tmp_path / "render.mp3"
    _run(data, "render", routine, "--voice", "gmw/en", "-o", str(rendered))
    default = tmp_path / "default.mp3"
    _run(data, "render", routine, "-o", str(default))
    digest = hashlib.sha256(served.read_bytes()).hexdigest()
    assert digest == hashlib.sha256(rendered.read_bytes()).hexdigest()
    assert digest != hashlib.sha256(default.read_bytes()).hexdigest()  # not the default voice
    listed = _run(data, "library", "list", "--library", str(library))
    assert "gmw/en" in listed
    assert json.loads((library / "library.json").read_text())["entries"][0]["voice"] == "gmw/en"
