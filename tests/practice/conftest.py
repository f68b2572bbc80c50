"""What the practice tests share: `home`, a private practice home with the clock at 22:10 on
1 December 2026 in Berlin, and writing its config file. Modules that need another day or a
working folder define their own `home` on `practice_home` (tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture()
def home(practice_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("VOICE_COACH_NOW", "2026-12-01 22:10")
    return practice_home


def write_config(home: Path, text: str) -> Path:
    path = home / "config" / "voice-coach" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path
