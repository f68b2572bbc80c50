"""The CLI: exit codes and exact error text for bad input, real renders, help for every command."""

from __future__ import annotations

import json
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voice_coach.cli import app

runner = CliRunner()
VOICE_COACH = [sys.executable, "-m", "voice_coach"]


def invoke(*args: str):
    return runner.invoke(app, list(args))


def test_routines_lists_all_builtins() -> None:
    result = invoke("routines")
    assert result.exit_code == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names == ["ankle-pumps", "ankle-pumps-lying", "ankle-pumps-pump", "flight", "tv-break",
                     "bedtime", "morning"]
    assert "min" in result.stdout


def test_new_writes_copy_and_refuses_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    result = invoke("new", str(target), "--from", "flight")
    assert result.exit_code == 0, result.output
    modeline, title = target.read_text().splitlines()[:2]
    assert modeline.startswith("# yaml-language-server: $schema=file:///")
    assert modeline.endswith("/routine.schema.json")
    import json
    from urllib.parse import urlparse

    from voice_coach.routine import json_schema

    saved = Path(urlparse(modeline.split("$schema=", 1)[1]).path)
    assert json.loads(saved.read_text()) == json_schema()  # what the editor reads, offline
    assert title.startswith("title: In-flight ankle pumps")
    target.write_text("precious")
    again = invoke("new", str(target), "--from", "flight")
    assert again.exit_code == 2
    assert again.stderr == f"error: {target} already exists\n  hint: use --force to overwrite it\n"
    assert target.read_text() == "precious"
    assert invoke("new", str(target), "--from", "flight", "--force").exit_code == 0
    assert target.read_text().splitlines()[1].startswith("title: In-flight")


def test_new_unknown_builtin(tmp_path: Path) -> None:
    result = invoke("new", str(tmp_path / "x.yaml"), "--from", "fligth")
    assert result.exit_code == 2
    assert result.stderr == ("error: 'fligth' is neither a routine file nor a built-in routine\n"
                             "  hint: did you mean 'flight'?\n")
    assert not (tmp_path / "x.yaml").exists()


def test_check_prints_summary() -> None:
    result = invoke("check", "ankle-pumps")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "ankle-pumps: Ankle pumps, seated: OK"
    assert "  sets     3 x 10 reps of Ankle pumps (hold, rest 30 s)" in lines
    assert any(line.startswith("  spoken   ") and "cues" in line for line in lines)


BAD_CLI = [
    # (file text, exact stderr)
    ("title: T\nsteps:\n  - exercise: A\n    rpes: 10\n",
     "{f}:4:5: error: unknown key 'rpes' in the exercise step\n  hint: did you mean 'reps'?\n"),
    ("title: T\nsteps:\n  - exercise: A\n    phases:\n      - say: Up\n        hold: 3\n",
     "{f}:6:15: error: 'hold' must be a duration, got '3': it needs a unit\n"
     "  hint: durations look like \"3s\", \"1.5s\", \"500ms\" or \"1m30s\"\n"),
    ("title: [\n", "{f}:2:1: error: this is not valid YAML: expected the node content, but "
                   "found '<stream end>' (while parsing a flow node)\n"
                   "  hint: check the indentation and that every key is followed by ': '\n"),
    ("title: T\nvoice:\n  voice: vulcan\nsteps:\n  - pause: 1s\n", None),
]


@pytest.mark.parametrize("text, expected", BAD_CLI)
@pytest.mark.parametrize("verb", ["check", "plan", "render"])
def test_bad_files_exit_2_with_located_message(tmp_path: Path, verb: str, text: str,
                                                expected: str | None) -> None:
    routine = tmp_path / "bad.yaml"
    routine.write_text(text)
    args = [verb, str(routine)] + (["-o", str(tmp_path / "out.mp3")] if verb == "render" else [])
    result = invoke(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    if expected is None:
        assert result.stderr.startswith(f"{routine}:3:10: error: unknown voice 'vulcan'\n"
                                        "  hint: close matches:"), result.stderr
    else:
        assert result.stderr == expected.format(f=routine)
    assert not (tmp_path / "out.mp3").exists()


def test_speech_that_does_not_fit_fails_check(tmp_path: Path) -> None:
    routine = tmp_path / "tight.yaml"
    routine.write_text("title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 2\n"
                       "    phases:\n      - say: Pull your toes up towards you, as far as "
                       "they comfortably go, and hold them there.\n        hold: 2s\n")
    for verb in ("check", "plan"):
        result = invoke(verb, str(routine))
        assert result.exit_code == 2
        first = result.stderr.splitlines()[0]
        assert first.startswith(f'{routine}:7:14: error: the cue "Pull your toes up')
        assert "ms but its slot is 2000 ms" in first
        assert "hint: shorten the text, speak faster (voice: rate:" in result.stderr


def test_missing_routine_and_unknown_option() -> None:
    result = invoke("check", "missing.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: routine file missing.yaml not found\n")
    result = invoke("render", "ankle-pumps", "-o", "x.mp3", "--bitrate", "5")
    assert result.exit_code == 2
    assert result.stderr == "error: --bitrate must be from 8 to 320 kbps, got 5\n"


def test_unknown_format(tmp_path: Path) -> None:
    result = invoke("render", "ankle-pumps", "-o", str(tmp_path / "a.xyz"))
    assert result.exit_code == 2
    assert "a.xyz" in result.stderr and "mp3" in result.stderr and "wav" in result.stderr


def test_plan_json_contract() -> None:
    result = invoke("plan", "ankle-pumps", "--json")
    assert result.exit_code == 0
    plan = json.loads(result.stdout)
    assert plan["routine"] == "ankle-pumps" and plan["sample_rate"] == 22050
    events = plan["events"]
    assert [e["start_ms"] for e in events] == sorted(e["start_ms"] for e in events)
    assert {e["kind"] for e in events} == {"speech", "tone"}
    assert all("text" in e for e in events if e["kind"] == "speech")
    tones = {e["tone"] for e in events if e["kind"] == "tone"}
    assert tones <= {"rise", "fall", "chime", "tick"}
    titles = [c["title"] for c in plan["chapters"]]
    assert titles == ["Introduction", "Set 1 of 3", "Rest", "Set 2 of 3", "Rest", "Set 3 of 3",
                      "Finish"]
    assert plan["duration_ms"] > events[-1]["start_ms"] + events[-1]["duration_ms"]


def test_plan_text() -> None:
    result = invoke("plan", "flight")
    assert result.exit_code == 0
    assert result.stdout.startswith("# In-flight ankle pumps (flight)\n")
    assert '  speech ' in result.stdout and "== Set 1 of 2 ==" in result.stdout


def test_render_wav_matches_plan_exactly(tmp_path: Path) -> None:
    out = tmp_path / "tv.wav"
    result = invoke("render", "tv-break", "-o", str(out))
    assert result.exit_code == 0, result.output
    plan = json.loads(invoke("plan", "tv-break", "--json").stdout)
    with wave.open(str(out)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (22050, 1, 2)
        assert w.getnframes() == plan["duration_ms"] * 22050 // 1000
    assert result.stdout.startswith(f"Wrote {out}: ")


def test_render_refuses_existing_file(tmp_path: Path) -> None:
    out = tmp_path / "a.wav"
    out.write_bytes(b"keep me")
    result = invoke("render", "morning", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr == f"error: {out} already exists\n  hint: use --force to overwrite it\n"
    assert out.read_bytes() == b"keep me"


def test_voices_lists_english() -> None:
    result = invoke("voices", "--language", "en")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) >= 3
    assert all("en" in line for line in result.stdout.splitlines())


def test_schema_is_json() -> None:
    schema = json.loads(invoke("schema").stdout)
    assert schema["required"] == ["title", "steps"]


def commands() -> list[str]:
    from typer.main import get_command

    return sorted(get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", commands())
def test_every_command_has_help_and_is_in_readme(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert len(result.stdout) > 100
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    assert f"voice-coach {command}" in readme


def test_python_m_entry_point_and_no_traceback_on_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "b.yaml"
    bad.write_text("title: T\nsteps: 7\n")
    proc = subprocess.run([*VOICE_COACH, "check", str(bad)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2
    assert proc.stderr == (f"{bad}:2:8: error: 'steps' must be a list (each item starting with "
                           "'- '), got '7'\n")
    assert proc.stdout == ""


def test_traceback_flag_shows_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "b.yaml"
    bad.write_text("title: T\nsteps: 7\n")
    proc = subprocess.run([*VOICE_COACH, "--traceback", "check", str(bad)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode != 0 and "Traceback" in proc.stderr
