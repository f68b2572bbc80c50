"""Nothing a user sees changed when the house was rearranged (issue 21): every command's --help
and the located errors of the bad routines are byte-identical to what the
program printed before the move (tests/golden/cli/, written by the code of commit 26a42d1).
A change meant to be seen updates these files in the same commit, on purpose."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BEFORE = REPO / "tests" / "golden" / "cli"
HELP = sorted(p.name for p in BEFORE.glob("root*.txt"))


def _run(args: list[str]) -> tuple[str, int]:
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run([sys.executable, "-m", "voice_coach", *args], cwd=REPO, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=120)
    return done.stdout, done.returncode


@pytest.mark.parametrize("name", HELP)
def test_every_help_page_is_as_before(name: str, monkeypatch, capsys) -> None:
    """In this process (a subprocess a page would cost a second each), under the same width
    rule a terminal-less run has: COLUMNS=100, which click caps at 80."""
    from voice_coach.cli import app

    monkeypatch.setenv("COLUMNS", "100")
    words = [w for w in name.removesuffix(".txt").split("-")[1:] if w]
    with pytest.raises(SystemExit) as exited:
        app([*words, "--help"], prog_name="voice-coach")
    assert exited.value.code == 0
    assert capsys.readouterr().out == (BEFORE / name).read_text()


@pytest.mark.parametrize("routine", ["no-effect", "typo"])
def test_a_bad_routine_is_reported_as_before(routine: str) -> None:
    out, code = _run(["check", f"tests/bad-routines/{routine}.yaml"])
    assert f"{out}exit {code}\n" == (BEFORE / f"check-{routine}.txt").read_text()
