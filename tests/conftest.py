"""Shared by every folder: an isolated speech cache and practice home for the whole run, a
private practice home per test, quick ways to compose, and the CLI run in this process. Each
folder's conftest.py holds what only its tests share (tests/README.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from voice_coach.plan.compose import compose
from voice_coach.routine import parse_routine
from voice_coach.speech.fake import fake_duration_ms

REPO = Path(__file__).resolve().parent.parent
TEST_ROUTINES = Path(__file__).resolve().parent / "routines"


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory):
    """Every test run gets its own speech cache, so the user's is never touched."""
    if "VOICE_COACH_CACHE_DIR" in os.environ and os.environ.get("VOICE_COACH_KEEP_CACHE"):
        yield
        return
    old = os.environ.get("VOICE_COACH_CACHE_DIR")
    os.environ["VOICE_COACH_CACHE_DIR"] = str(tmp_path_factory.mktemp("speech-cache"))
    yield
    if old is None:
        os.environ.pop("VOICE_COACH_CACHE_DIR", None)
    else:
        os.environ["VOICE_COACH_CACHE_DIR"] = old


@pytest.fixture(autouse=True, scope="session")
def _isolated_practice(tmp_path_factory: pytest.TempPathFactory):
    """No test reads the user's config.toml or writes the user's history."""
    names = ("VOICE_COACH_DATA_DIR", "XDG_CONFIG_HOME", "VOICE_COACH_CONFIG", "VOICE_COACH_NOW")
    old = {name: os.environ.get(name) for name in names}
    root = tmp_path_factory.mktemp("practice")
    os.environ["VOICE_COACH_DATA_DIR"] = str(root / "data")
    os.environ["XDG_CONFIG_HOME"] = str(root / "config")
    os.environ.pop("VOICE_COACH_CONFIG", None)
    os.environ.pop("VOICE_COACH_NOW", None)
    yield
    for name, value in old.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture()
def practice_home(tmp_path, monkeypatch) -> Path:
    """tmp_path as the home of a practice history and config (data/, config/, no config file
    named): a test's `done` and `config` touch only these."""
    monkeypatch.setenv("VOICE_COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("VOICE_COACH_CONFIG", raising=False)
    return tmp_path


def vc(*args: str):
    """`voice-coach ARGS` in this process (typer's CliRunner). The CLI is imported here, when a
    test runs it, not when pytest loads this file."""
    from typer.testing import CliRunner

    from voice_coach.cli import app

    return CliRunner().invoke(app, list(args))


def ok(*args: str) -> str:
    """`voice-coach ARGS`, which must exit 0; its standard output."""
    result = vc(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def fake_compose(routine):
    """Composes with the fake engine's deterministic speech lengths."""
    return compose(routine, lambda text: fake_duration_ms(text, routine.voice.rate_wpm))


def routine_from(text: str, path: str = "test.yaml"):
    return parse_routine(text, path=path)


@pytest.fixture()
def coach_home(practice_home, monkeypatch) -> Path:
    """The practice home as the working folder, holding grow.yaml (the issue's growing routine),
    at 10:00 on DAY1 in Berlin: the coach tests' home, in tests/practice/ and tests/serve/."""
    from tests.coach_days import DAY1
    from tests.routine.test_progress import ISSUE_EXAMPLE

    monkeypatch.setenv("TZ", "Europe/Berlin")
    monkeypatch.setenv("VOICE_COACH_NOW", f"{DAY1} 10:00")
    (practice_home / "grow.yaml").write_text(ISSUE_EXAMPLE)
    monkeypatch.chdir(practice_home)
    return practice_home
