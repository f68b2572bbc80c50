"""Text from the history, an imported CSV and the config file never drives the terminal
(issue 17, item 10): ESC, BEL, CSI (0x9B), OSC (0x9D) and the other C0/C1 controls come out as
visible escapes in `history`, `today`, `stats` and `config`, also when the output is a pipe,
and `history --json` writes them as \\u escapes (the same data). Real CLI, real SQLite files."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.test_faults import VOICE_COACH

OSC_TITLE = "\x1b]0;PWNED\x07"
CLEAR = "\x1b[2J"
C1 = "\x9b31m\x9d0;x\x9c\x85"
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "config.toml").write_text("")
    return {**os.environ, "VOICE_COACH_DATA_DIR": str(tmp_path / "data"),
            "VOICE_COACH_CONFIG": str(tmp_path / "config.toml"),
            "VOICE_COACH_NOW": "2026-12-01 12:00", "TZ": "UTC"}


def vc(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*VOICE_COACH, *args], capture_output=True, text=True, env=env,
                            timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def assert_no_raw_controls(text: str) -> None:
    assert not RAW_CONTROL.search(text), repr(RAW_CONTROL.search(text))


def test_a_note_with_escape_sequences_is_shown_not_obeyed(env) -> None:
    note = f"{OSC_TITLE}{CLEAR}{C1} sore"
    assert vc(env, "done", "flight", "--at", "10:00", "--note", note).returncode == 0
    shown = vc(env, "history")
    assert shown.returncode == 0
    assert_no_raw_controls(shown.stdout)
    assert "\\x1b]0;PWNED\\x07\\x1b[2J\\x9b31m\\x9d0;x\\x9c\\x85 sore" in shown.stdout
    as_json = vc(env, "history", "--json").stdout
    assert_no_raw_controls(as_json)
    assert json.loads(as_json)[0]["note"] == note  # the same data, written as \u escapes


def test_imported_names_and_titles_are_shown_not_obeyed(env, tmp_path: Path) -> None:
    assert vc(env, "done", "flight", "--at", "10:00").returncode == 0
    exported = vc(env, "history", "--csv").stdout
    header, row = exported.splitlines()[:2]
    cells = row.split(",")
    cells[0] = "0" * 32  # another session's id
    cells[1] = f"evil{OSC_TITLE}\x9b31m\x9d0;x\x9c"
    cells[2] = f"Title{CLEAR}"
    hostile = tmp_path / "hostile.csv"
    hostile.write_text(header + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    imported = vc(env, "history", "--import", str(hostile))
    assert imported.returncode == 0, imported.stderr
    for command in (["history"], ["today"], ["stats"]):
        result = vc(env, *command)
        assert result.returncode == 0, (command, result.stderr)
        assert_no_raw_controls(result.stdout)
    history = vc(env, "history").stdout
    assert "evil\\x1b]0;PWNED\\x07\\x9b31m\\x9d0;x\\x9c " in history


def test_config_values_are_printed_escaped(env, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[voice]\nvoice = "en\\u001b]0;PWNED\\u0007\\u009b2J"\n', encoding="utf-8")
    result = vc(env, "config")
    assert result.returncode == 0, result.stderr
    assert_no_raw_controls(result.stdout)
    line = next(line for line in result.stdout.splitlines() if line.startswith("voice.voice "))
    assert "en\\x1b]0;PWNED\\x07\\x9b2J" in line
