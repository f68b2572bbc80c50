"""Inputs bounded before any work (issue 17, item 6), through the real CLI in child processes:
`say` with 100 KB of text (exit 2 before any synthesis), a config file nested 5,000 deep (a
located error, no RecursionError), a config naming /dev/stdin or a FIFO as its routine (refused,
never waiting on the keyboard), and a config file that is itself not a regular file."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.test_faults import VOICE_COACH
from voice_coach.practice.config_limits import MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH, too_deep_at


def run(*args: str, env: dict[str, str], timeout_s: float = 60) -> subprocess.CompletedProcess:
    # stdin is a pipe nobody writes to and nobody closes: reading it would wait for ever
    with subprocess.Popen([*VOICE_COACH, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True,
                          env={**os.environ, **env}) as proc:
        try:
            out, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise AssertionError(f"{args} waited on its input") from None
        return subprocess.CompletedProcess(args, proc.returncode, out, err)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"VOICE_COACH_DATA_DIR": str(tmp_path / "data"),
            "VOICE_COACH_CONFIG": str(tmp_path / "config.toml"),
            "VOICE_COACH_NOW": "2026-12-01 12:00"}


def test_say_refuses_100_kb_of_text_before_any_synthesis(env, tmp_path: Path) -> None:
    out = tmp_path / "long.wav"
    (tmp_path / "config.toml").write_text("")
    result = run("say", "Toes up. " * 11_000, "-o", str(out), env=env)
    assert result.returncode == 2
    assert result.stderr == ("error: the phrase is 99,000 characters long; say speaks at most "
                             "1,000 (about a minute)\n  hint: say is for trying a voice: speak a "
                             "sentence or two, or put longer text in a routine's cues\n")
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "config.toml"]


def test_say_takes_a_phrase_at_the_bound(env, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("")
    out = tmp_path / "ok.wav"
    phrase = ("Breathe in. " * 90)[:1000]
    result = run("say", phrase, "-o", str(out), "--engine", "espeak", env=env, timeout_s=300)
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 44


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a = ", "}")])
def test_a_config_nested_5000_deep_is_a_located_error(env, tmp_path: Path, opening: str,
                                                      closing: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text("# deep\n[practice]\ndaily_goal = " + opening * 5000 + "1"
                    + closing * 5000 + "\n")
    for command in (["config"], ["today"]):
        result = run(*command, env=env)
        assert result.returncode == 2, result.stderr
        column = 14 + MAX_CONFIG_DEPTH * len(opening)
        assert result.stderr.startswith(
            f"{path}:3:{column}: error: arrays or inline tables nest deeper than "
            f"{MAX_CONFIG_DEPTH} levels here\n  hint: no config value is nested"), result.stderr
        assert "RecursionError" not in result.stderr and "Traceback" not in result.stderr


def test_the_depth_scan_skips_strings_and_comments() -> None:
    assert too_deep_at('a = "' + "[" * 100 + '"\n# ' + "{" * 100 + "\nb = '''\n" + "[" * 99
                       + "\n'''\n") is None
    assert too_deep_at("a = " + "[" * MAX_CONFIG_DEPTH + "]" * MAX_CONFIG_DEPTH) is None
    assert too_deep_at("x = 1\na = " + "[" * (MAX_CONFIG_DEPTH + 1)) == (2, 5 + MAX_CONFIG_DEPTH)


@pytest.mark.parametrize("key", ["routine", "evening_routine"])
def test_a_config_routine_that_is_stdin_is_refused_without_waiting(env, tmp_path: Path,
                                                                   key: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[practice]\n{key} = "/dev/stdin"\n')
    for command in (["today"], ["config"]):
        result = run(*command, env=env)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"{path}:2:") and (
            "error: '/dev/stdin' is a FIFO (named pipe), not a routine file\n"
            "  hint: name a routine file (.yaml) or a built-in routine, e.g. ankle-pumps\n"
            in result.stderr), result.stderr


def test_a_config_routine_that_is_a_device_or_fifo_is_refused(env, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    path = tmp_path / "config.toml"
    path.write_text(f'[practice]\nroutine = "{fifo}"\nevening_routine = "/dev/zero"\n')
    result = run("today", env=env)
    assert result.returncode == 2
    assert f"error: '{fifo}' is a FIFO (named pipe), not a routine file" in result.stderr
    assert "error: '/dev/zero' is a character device, not a routine file" in result.stderr


@pytest.mark.parametrize("name, words", [("/dev/stdin", "a FIFO (named pipe)"),
                                         ("/dev/zero", "a character device")])
def test_a_config_file_that_is_not_a_regular_file_is_refused(env, name: str,
                                                             words: str) -> None:
    result = run("today", env={**env, "VOICE_COACH_CONFIG": name})
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: the config file {name} is {words}, not a regular "
                                    "file\n"), result.stderr


def test_a_huge_config_file_is_refused_before_reading(env, tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    with open(path, "wb") as out:
        out.truncate(MAX_CONFIG_BYTES + 1)
    result = run("config", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: the config file {path} is {MAX_CONFIG_BYTES + 1:,} "
                                    f"bytes; config files are limited to {MAX_CONFIG_BYTES:,}")


def test_a_toml_error_at_the_end_of_the_file_is_located_there(env, tmp_path: Path) -> None:
    """Found by the fuzzer (tests/test_fuzz_surfaces.py): tomllib says "at end of document"
    and the error was reported at line 0, column 0."""
    path = tmp_path / "config.toml"
    path.write_text("[practice]\n0")
    result = run("config", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:2:2: error: this is not valid TOML: Expected '=' "
                                    "after a key in a key/value pair\n"), result.stderr
