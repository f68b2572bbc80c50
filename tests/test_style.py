"""The code keeps the project's rules: ruff clean, including the banned imports that keep pyttsx3
in its adapter and simpleaudio in the player."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_ruff_is_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise",
                           "voice_coach", "tests", "scripts"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_engines_are_imported_only_at_the_edges() -> None:
    for path in (REPO / "voice_coach").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "pyttsx3_engine.py":
            assert "import pyttsx3" not in text, path
        if path.name != "devices.py":
            assert "import simpleaudio" not in text, path
