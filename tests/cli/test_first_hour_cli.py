"""The smaller things a first hour with the command line runs into (issue 19, item 11): each
one's message, exit status and help, through the real command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
VOICE_COACH = [str(BIN / "voice-coach")]


def run(*args: str, shell_tail: str = "", **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, **env}
    if shell_tail:
        command = " ".join([*VOICE_COACH, *args]) + shell_tail + "; exit ${PIPESTATUS[0]}"
        return subprocess.run(["bash", "-c", command], capture_output=True, text=True,
                              timeout=120, env=full)
    return subprocess.run([*VOICE_COACH, *args], capture_output=True, text=True, timeout=120,
                          env=full)


def test_subcommand_typos_are_answered_in_the_house_style_everywhere() -> None:
    for group, typo, meant in (("library", "ad", "add"), ("voices", "instal", "install")):
        proc = run(group, typo)
        assert proc.returncode == 2
        assert proc.stderr == f"error: unknown command '{typo}'\n  hint: did you mean '{meant}'?\n"


def test_library_list_has_a_header_row() -> None:
    proc = run("library", "list")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].split() == ["key", "title", "length", "language",
                                                   "voice", "source"]


def test_top_level_help_gives_each_command_its_whole_first_sentence() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    commands = proc.stdout[proc.stdout.index("Commands:"):proc.stdout.index("Examples:")]
    assert "..." not in commands
    assert "Sets done today against the goal, the last session, what next, and" in commands
    assert "--version" in proc.stdout


def test_traceback_keeps_the_exit_status() -> None:
    proc = run("--traceback", "check", "no-such-file.yaml")
    assert proc.returncode == 2
    assert "Traceback (most recent call last)" in proc.stderr
    assert proc.stderr.rstrip().endswith("(see: voice-coach routines)")
    assert "error: routine file no-such-file.yaml not found" in proc.stderr


def test_a_closed_pipe_is_not_a_failure() -> None:
    for args in (("voices",), ("routines",), ("--help",)):
        proc = run(*args, shell_tail=" | head -1")
        assert proc.returncode == 0, (args, proc.stderr)
        assert proc.stderr == "" and len(proc.stdout.splitlines()) == 1


def test_say_help_and_language(tmp_path: Path) -> None:
    helped = run("say", "--help").stdout
    assert "routine" not in helped
    assert "--language LANG" in helped
    out = tmp_path / "de.wav"
    proc = run("say", "Zehen hoch und halten.", "--language", "de", "-o", str(out),
               VOICE_COACH_CACHE_DIR=str(tmp_path / "cache"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"Wrote {out}: ")
    assert any(f"voice {v}" in proc.stdout
               for v in ("gmw/de (espeak", "pico/de-DE (pico", "de_DE-"))
    bad = run("say", "x", "--language", "xx", "-o", str(tmp_path / "x.wav"))
    assert bad.returncode == 2 and bad.stderr.startswith("error: unknown or unsupported language")


def test_history_of_a_routine_with_no_sessions_says_so(tmp_path: Path) -> None:
    proc = run("history", "--routine", "nosuch", VOICE_COACH_DATA_DIR=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ("No sessions of nosuch recorded; 'voice-coach history' lists every "
                           "session.\n")


def test_natural_voice_hint_for_a_formant_session(tmp_path: Path) -> None:
    """check and render say in one line which natural voice exists and how to get it; not when
    the engine was chosen on purpose, and not when the voice is already natural."""
    env = {"VOICE_COACH_CACHE_DIR": str(tmp_path / "cache"), "VOICE_COACH_DATA_DIR": str(tmp_path)}
    from voice_coach.speech import pico

    kind = "SVOX Pico's offline voice" if pico.available() else "a formant voice"  # auto's pick
    proc = run("check", "flight", "--language", "de", **env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == (
        f"hint: this German session speaks in {kind}; a natural one exists: voice-coach "
        "voices install de_DE-thorsten-medium (or ./scripts/setup --voice de_DE-thorsten-medium "
        "in a clone)\n")
    chosen = run("check", "flight", "--language", "de", "--engine", "espeak", **env)
    assert chosen.returncode == 0 and chosen.stderr == ""
    natural = run("check", "flight", **env)
    assert natural.returncode == 0 and "hint:" not in natural.stderr


def test_plan_and_render_speak_the_sessions_language(tmp_path: Path) -> None:
    """As check does: plan's header and render's summary in the routine's language."""
    env = {"VOICE_COACH_CACHE_DIR": str(tmp_path / "cache"), "VOICE_COACH_DATA_DIR": str(tmp_path)}
    plan = run("plan", "flight", "--language", "fr", **env)
    assert plan.returncode == 0, plan.stderr
    header = plan.stdout.splitlines()[1]
    assert header.startswith("# durée ") and "consignes parlées, " in header
    assert header.endswith(" sons")
    out = tmp_path / "vol.mp3"
    render = run("render", "flight", "--language", "fr", "-o", str(out), **env)
    assert render.returncode == 0, render.stderr
    assert "consignes parlées, " in render.stdout and " chapitres; voice " in render.stdout
    english = run("plan", "flight", **env).stdout.splitlines()[1]
    assert english.startswith("# length ") and english.endswith(" tones")
