"""What the speech tests share: a private speech cache and a private voices data folder per test
(modules that want one for every test say `pytestmark = pytest.mark.usefixtures(...)`), and a
voice mirror on 127.0.0.1 (tests/speech/voice_mirror.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.speech.voice_mirror import Mirror


@pytest.fixture()
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/cache as the speech cache: this test's clips only, not the run's."""
    monkeypatch.setenv("VOICE_COACH_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/data as the data folder (installed voices) and no mirror named in the
    environment: voices come from the package snapshot or a test's own mirror."""
    monkeypatch.setenv("VOICE_COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("VOICE_COACH_VOICES_URL", raising=False)
    return tmp_path / "data"


@pytest.fixture()
def mirror(tmp_path: Path):
    with Mirror(tmp_path / "mirror") as served:
        yield served
