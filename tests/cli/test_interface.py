"""The command line as people know it: help with metavars and examples, parser errors in the
same `error:` / `hint:` form (exit 2), shell completion in a real bash, and NO_COLOR."""

from __future__ import annotations

import os
import pty
import re
import select
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from voice_coach.cli import app
from voice_coach.cli.usage import EXAMPLES

runner = CliRunner()
BIN = Path(sys.executable).parent
VOICE_COACH = [sys.executable, "-m", "voice_coach"]
COMMANDS = sorted(get_command(app).commands)  # type: ignore[attr-defined]
IN_ORDER = ", ".join(get_command(app).commands)  # type: ignore[attr-defined]
TYPE_NOISE = re.compile(r"<(?:str|int|float|bool|path|text|integer)>|\b(?:TEXT|INTEGER|FLOAT)\b")


def invoke(*args: str, **kwargs):
    return runner.invoke(app, list(args), **kwargs)


# --- help ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_metavars_and_an_example_without_type_noise(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert not TYPE_NOISE.search(result.stdout), (
        f"give each option of {command} a metavar (metavar='DURATION'):\n{result.stdout}")
    assert "│" not in result.stdout and "\x1b" not in result.stdout
    assert "Examples:" in result.stdout, (
        f"add epilog=examples({command!r}, 'voice-coach {command} ...') to @app.command()")
    assert f"voice-coach {command}" in result.stdout.split("Examples:")[1]


def test_help_rows_name_their_values() -> None:
    render = invoke("render", "--help").stdout
    assert "Usage: voice-coach render [OPTIONS] [ROUTINE]\n" in render
    for row in ("-o, --output FILE", "--format FORMAT", "--bitrate KBPS", "--cues FORMAT",
                "--loudness LUFS", "--background SOUND", "--background-level LUFS",
                "--duck-depth DB", "--duck-attack DURATION", "--every DURATION",
                "--for DURATION", "--max-minutes MINUTES", "--max-reps N", "  --force  ",
                "  --all  "):
        assert row in render, row
    assert "[default: 360]" in render
    play = invoke("play", "--help").stdout
    assert "Usage: voice-coach play [OPTIONS] ROUTINE\n" in play
    assert "--start-at DURATION" in play and "--from-set N" in play
    new = invoke("new", "--help").stdout
    assert "Usage: voice-coach new [OPTIONS] FILE\n" in new and "--from NAME" in new
    top = invoke("--help").stdout
    assert "--install-completion" in top and "--show-completion" in top
    assert "Examples:" in top


@pytest.mark.parametrize("command", COMMANDS)
def test_every_example_in_help_parses(command: str) -> None:
    """Each example line is a command the parser accepts (checked without running it)."""
    group = get_command(app)
    assert EXAMPLES.get(command), f"{command} has no example: add epilog=examples(...)"
    for line in EXAMPLES[command]:
        words = shlex.split(line.split(">")[0])
        assert words[:2] == ["voice-coach", command], line
        group.commands[command].make_context(command, words[2:])  # type: ignore[attr-defined]


# --- parser errors -----------------------------------------------------------------------------

PARSER_ERRORS = [
    (["render", "ankle-pumps", "-o", "x.mp3", "--bitrat", "64"],
     "error: unknown option '--bitrat'\n  hint: did you mean '--bitrate'?\n"),
    (["check"], "error: missing argument ROUTINE\n  hint: e.g. voice-coach check ankle-pumps\n"),
    (["remind", "flight"],
     "error: missing option --every\n  hint: e.g. voice-coach remind flight --every 1h --for 6h\n"),
    (["render", "ankle-pumps", "-o", "x.mp3", "--bitrate", "abc"],
     "error: --bitrate must be a whole number, got 'abc'\n"
     "  hint: --bitrate KBPS: bitrate in kbps, 8 to 320 (default: MP3 VBR, M4A 64, Ogg Opus 48)\n"),
    (["render", "ankle-pumps", "-o", "x.mp3", "--loudness", "loud"],
     "error: --loudness must be a number, got 'loud'\n"
     "  hint: --loudness LUFS: speech loudness in LUFS at volume 1.0, speech-gated, -40 to -6 "
     "(default: the routine's, -16); the file's integrated loudness follows\n"),
    (["play", "ankle-pumps", "--from-set", "two"],
     "error: --from-set must be a whole number, got 'two'\n"
     "  hint: --from-set N: start at the beginning of set N\n"),
    (["render", "ankle-pumps", "-o", "x.mp3", "--cues", "vt"],
     "error: --cues must be one of vtt, srt, lrc, json; got 'vt'\n  hint: did you mean 'vtt'?\n"),
    (["rendr", "ankle-pumps"], "error: unknown command 'rendr'\n  hint: did you mean 'render'?\n"),
    (["practise"], "error: unknown command 'practise'\n"
                   f"  hint: commands: {IN_ORDER} (see voice-coach --help)\n"),
    (["render", "ankle-pumps", "-o"],
     "error: -o needs a value\n  hint: --output FILE: the file to write (with --all: the "
     "folder)\n"),
    (["render", "ankle-pumps", "-o", "x.mp3", "--force=yes"],
     "error: --force takes no value\n  hint: write --force alone\n"),
    (["check", "ankle-pumps", "flight"],
     "error: unexpected argument 'flight'\n  hint: usage: voice-coach check [OPTIONS] ROUTINE\n"),
    (["check", "ankle-pumps", "--traceback"],
     "error: unknown option '--traceback'\n"
     "  hint: --traceback goes before the command: voice-coach --traceback check ...\n"),
    (["--show-completion", "tcsh"],
     "error: unknown shell 'tcsh'\n  hint: shells: bash, zsh, fish, powershell, pwsh\n"),
    (["--traceback"], f"error: missing command\n  hint: commands: {IN_ORDER} (see voice-coach "
                      "--help)\n"),
]


@pytest.mark.parametrize("args, stderr", PARSER_ERRORS, ids=lambda x: " ".join(x)[:40]
                         if isinstance(x, list) else "")
def test_parser_errors_in_error_hint_form(args: list[str], stderr: str, tmp_path: Path) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stderr == stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, stderr", [PARSER_ERRORS[0], PARSER_ERRORS[3], PARSER_ERRORS[7]])
def test_parser_errors_from_the_real_program(args: list[str], stderr: str,
                                             tmp_path: Path) -> None:
    proc = subprocess.run([*VOICE_COACH, *args], capture_output=True, text=True, cwd=tmp_path,
                          timeout=60)
    assert (proc.returncode, proc.stderr, proc.stdout) == (2, stderr, "")
    assert list(tmp_path.iterdir()) == []


# --- shell completion ----------------------------------------------------------------------


def test_show_completion_bash_prints_the_script() -> None:
    result = invoke("--show-completion", "bash")
    assert result.exit_code == 0
    assert "_voice_coach_completion() {" in result.stdout
    assert "_VOICE_COACH_COMPLETE=complete_bash $1" in result.stdout
    assert result.stdout.rstrip().endswith(
        "complete -o default -F _voice_coach_completion voice-coach")
    zsh = invoke("--show-completion", "zsh")
    assert zsh.exit_code == 0 and "compdef _voice_coach_completion voice-coach" in zsh.stdout


def _bash_complete(words: list[str], cwd: Path) -> list[str]:
    """What a real bash offers for `words` (the last one being completed), via the script."""
    script = subprocess.run([str(BIN / "voice-coach"), "--show-completion", "bash"],
                            capture_output=True, text=True, check=True).stdout
    line = " ".join(shlex.quote(w) for w in words)
    program = (f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}\n"
               "_voice_coach_completion voice-coach\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run(["bash", "--norc", "-c", program], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [x for x in proc.stdout.splitlines() if x]


def test_bash_completes_commands_routines_and_values(tmp_path: Path) -> None:
    (tmp_path / "my-ankles.yaml").write_text("title: T\nsteps:\n  - pause: 1s\n")
    (tmp_path / "music.txt").write_text("")
    assert _bash_complete(["voice-coach", "re"], tmp_path) == ["render", "remind", "report"]
    assert _bash_complete(["voice-coach", "render", "ankle-pumps-"], tmp_path) == [
        "ankle-pumps-lying", "ankle-pumps-pump"]
    assert _bash_complete(["voice-coach", "check", "my"], tmp_path) == ["my-ankles.yaml"]
    assert _bash_complete(["voice-coach", "render", "x", "--cues", ""], tmp_path) == [
        "vtt", "srt", "lrc", "json"]
    assert _bash_complete(["voice-coach", "render", "x", "--format", "o"], tmp_path) == [
        "ogg", "opus"]
    assert _bash_complete(["voice-coach", "render", "x", "--background", "b"], tmp_path) == [
        "brown"]
    assert _bash_complete(["voice-coach", "render", "x", "--bit"], tmp_path) == ["--bitrate"]


def test_install_completion_for_a_named_shell(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "NO_COLOR": "1"}
    proc = subprocess.run([*VOICE_COACH, "--install-completion", "bash"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    installed = tmp_path / ".bash_completions" / "voice-coach.sh"
    assert proc.stdout.startswith(f"bash completion installed in {installed}\n")
    assert "\x1b" not in proc.stdout
    assert f"source '{installed}'" in (tmp_path / ".bashrc").read_text()
    assert "complete -o default -F _voice_coach_completion voice-coach" in installed.read_text()


# --- NO_COLOR and terminals ------------------------------------------------------------------


def _run_on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, bytes]:
    """Runs the program with stdin, stdout and stderr on a pseudo-terminal; all it wrote."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([*VOICE_COACH, *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, cwd=cwd, close_fds=True)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the terminal closed: the program ended
                break
            if not data:
                break
            out += data
        elif proc.poll() is not None:
            break
    code = proc.wait(timeout=30)
    os.close(master)
    return code, out


@pytest.fixture
def tight_routine(tmp_path: Path) -> Path:
    path = tmp_path / "short.yaml"
    path.write_text("title: Short\nsteps:\n  - say: A fresh phrase for the progress bar.\n"
                    "  - say: And a second one.\n")
    return path


def test_no_color_means_no_escape_sequences_on_a_terminal(tmp_path: Path,
                                                          tight_routine: Path) -> None:
    base = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    base.pop("NO_COLOR", None)
    # Even without NO_COLOR, a first run's progress display is words on one line, rewritten
    # with a carriage return: no escape sequence, and erased before the summary.
    code, out = _run_on_a_terminal(["check", str(tight_routine)],
                                   {**base, "VOICE_COACH_CACHE_DIR": str(tmp_path / "c1")},
                                   tmp_path)
    assert code == 0 and b"\x1b" not in out, out
    assert b"\rMaking speech: 1 of 2 phrases" in out or b"\rMaking speech: 2 of 2" in out, out
    assert re.search(rb"Making speech: [^\r\n]*\r +\rshort: Short: OK\r\n", out), out
    plain = {**base, "NO_COLOR": "1", "VOICE_COACH_CACHE_DIR": str(tmp_path / "c2")}
    for args in (["check", str(tight_routine)], ["--help"], ["render", "--help"],
                 ["plan", str(tight_routine)], ["rendr"], ["check", "missing.yaml"],
                 ["render", str(tight_routine), "-o", str(tmp_path / "a.wav")],
                 ["--install-completion", "bash"]):
        code, out = _run_on_a_terminal(args, {**plain, "HOME": str(tmp_path)}, tmp_path)
        assert b"\x1b" not in out, (args, out)
        assert b"Traceback" not in out
    assert (tmp_path / "a.wav").stat().st_size > 1000


def test_no_escape_sequences_when_not_a_terminal(tight_routine: Path, tmp_path: Path) -> None:
    env = {**os.environ, "VOICE_COACH_CACHE_DIR": str(tmp_path / "c")}
    env.pop("NO_COLOR", None)
    for args in (["check", str(tight_routine)], ["--help"], ["rendr"], ["render", "-h"]):
        proc = subprocess.run([*VOICE_COACH, *args], capture_output=True, env=env, timeout=120)
        assert b"\x1b" not in proc.stdout + proc.stderr, args


def test_play_display_without_escapes_under_no_color() -> None:
    import io
    import termios

    from voice_coach.live.terminal import Terminal

    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    class Utf8Out(io.StringIO):
        encoding = "utf-8"

    with os.fdopen(slave, "r", closefd=False) as stdin:
        out = Utf8Out()
        with Terminal(stdin, out, plain=True) as term:
            term.show(["Title", "Set 1 of 3 · rep 1 of 10", "» Toes up", "███░░  0:01 / 4:51  "
                       "-4:50", "space pause · n next · b back · q quit"])
            term.show(["Title", "Set 1 of 3 · rep 2 of 10", "", "███░░  0:07 / 4:51  -4:44",
                       "paused · space resume · n next · b back · q quit"])
        assert termios.tcgetattr(slave) == before
    assert out.getvalue() == ("\rSet 1 of 3 · rep 1 of 10  0:01 / 4:51  -4:50"
                              "\rpaused · Set 1 of 3 · rep 2 of 10  0:07 / 4:51  -4:44\n")
    os.close(master)
    os.close(slave)
