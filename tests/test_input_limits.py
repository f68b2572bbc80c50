"""Bad input of every size and shape ends in a clear located message and exit 2, never a
traceback: durations of hundreds of digits, format specs in placeholders, names too long for
the file system, files too big to read (checked before reading), backgrounds that render would
refuse, control characters, and the smaller defects of issue 10 (item 14).

All through the real CLI in child processes, as a user runs it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_faults import VOICE_COACH, run, write

REPO = Path(__file__).resolve().parent.parent
HUGE = "9" * 400  # float(HUGE) is inf: once an OverflowError traceback


def assert_clean_refusal(result: subprocess.CompletedProcess[str], first: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(first), result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr) < 600
    assert result.stderr.count("\n") <= 6


# -- 5. durations of any length --------------------------------------------------------------


@pytest.mark.parametrize("key, line", [
    ("pause", "  - pause: {v}s\n"),
    ("hold", "  - exercise: A\n    phases:\n      - hold: {v}s\n"),
    ("rest", "  - exercise: A\n    rest: {v}ms\n"),
    ("gap", "  - say: Hello.\n    gap: {v}h\n"),
])
def test_a_duration_of_400_digits_is_a_located_range_error(tmp_path: Path, key: str,
                                                           line: str) -> None:
    routine = write(tmp_path / "r.yaml", "title: T\nsteps:\n" + line.format(v=HUGE))
    for verb in ("check", "plan"):
        result = run(verb, str(routine))
        assert_clean_refusal(result, f"{routine}:")
        assert re.match(rf"{re.escape(str(routine))}:\d+:\d+: error: '{key}' must be from ",
                        result.stderr)
        assert "(401 characters)" in result.stderr or "(402 characters)" in result.stderr


@pytest.mark.parametrize("args, first", [
    (["render", "flight", "-o", "x.mp3", "--duck-attack", f"{HUGE}ms"],
     "error: --duck-attack must be from 0s to 10s, got '99999"),
    (["render", "flight", "-o", "x.mp3", "--duck-release", f"{HUGE}s"],
     "error: --duck-release must be from 0s to 10s, got '99999"),
    (["render", "flight", "-o", "x.mp3", "--every", f"{HUGE}s", "--for", "1h"],
     "error: --every must be from 1s to 24h, got '99999"),
    (["render", "flight", "-o", "x.mp3", "--every", "1h", "--for", f"{HUGE}h"],
     "error: --for must be from 1s to 168h, got '99999"),
    (["play", "flight", "--start-at", f"{HUGE}s"],
     "error: --start-at must be a duration, got '99999"),
    (["remind", "flight", "--every", f"{HUGE}s"], "error: --every must be a duration, got '999"),
    (["remind", "flight", "--every", "1h", "--for", f"{HUGE}s"],
     "error: --for must be a duration, got '999"),
    (["check", "flight", "--max-minutes", "1e308"],
     "error: --max-minutes must be at most 10,080 (a week), got 1e+308"),
])
def test_huge_option_values_are_refused_cleanly(tmp_path: Path, args: list[str],
                                                first: str) -> None:
    assert_clean_refusal(run(*args, cwd=tmp_path), first)
    assert not (tmp_path / "x.mp3").exists()


# -- 6. format specs in placeholders, and the cue length limit -----------------------------------


NUMBER_FORMAT = ", or a number with :word, :word-m, :word-f or :word-n"
SAY_SET = "write {set}, or {set:word} to say it as a word"


@pytest.mark.parametrize("text, shown, number, hint", [
    ("Exercise {name:d}.", "{name:d}", "", "write {name}"),
    ("Set {set:>999999999999}.", "{set:>999999999999}", NUMBER_FORMAT, SAY_SET),
    ("Set {set:>99999999}.", "{set:>99999999}", NUMBER_FORMAT, SAY_SET),
    ("Set {set!r} of {sets}.", "{set!r}", NUMBER_FORMAT, SAY_SET),
])
def test_placeholders_with_a_format_are_refused(tmp_path: Path, text: str, shown: str,
                                                number: str, hint: str) -> None:
    """Only how a number is spoken ({set:word}, voice_coach.lang) is allowed after a name."""
    routine = write(tmp_path / "r.yaml",
                    f'title: T\nsteps:\n  - exercise: A\n    set_intro: "{text}"\n')
    result = run("check", str(routine))
    assert result.returncode == 2
    assert result.stderr == (f"{routine}:4:16: error: placeholder '{shown}' has a format; "
                             f"placeholders are plain names{number}\n  hint: {hint}\n")


def test_placeholders_cannot_make_a_cue_longer_than_the_limit(tmp_path: Path) -> None:
    routine = write(tmp_path / "r.yaml", f"title: {'T' * 400}\nsteps:\n  - exercise: A\n"
                    "    set_intro: '{title} {title} {title}'\n")
    result = run("check", str(routine))
    assert result.returncode == 2
    assert result.stderr == (f"{routine}:4:16: error: 'set_intro' can be 1,202 characters long "
                             "once its placeholders are filled in; the limit is 1,000\n"
                             "  hint: use fewer placeholders, or a shorter title or name\n")


# -- 7. names too long for the file system -------------------------------------------------------

LONG_NAME = "a" * 300


def test_names_too_long_for_the_file_system(tmp_path: Path) -> None:
    cases = [
        (["check", f"{LONG_NAME}.yaml"], "error: the name 'aaaa"),
        (["render", "flight", "-o", str(tmp_path / f"{LONG_NAME}.mp3")], "error: the name '"),
        (["new", str(tmp_path / f"{LONG_NAME}.yaml")], "error: the name '"),
        (["render", "flight", "-o", str(tmp_path / "x.mp3"), "--background",
          str(tmp_path / f"{LONG_NAME}.ogg")], "error: cannot read background sound '"),
        (["check", "x/" * 2100 + "r.yaml"], "error: the name 'x/x/"),
    ]
    for args, first in cases:
        result = run(*args, cwd=tmp_path)
        assert_clean_refusal(result, first)
        assert "too long" in result.stderr
    assert list(tmp_path.iterdir()) == []


# -- 8. the 1 MB limit before reading --------------------------------------------------------------


def _peak_rss_mb(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the CLI from a small parent that reports its child's peak memory."""
    probe = ("import resource, subprocess, sys\n"
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "sys.stderr.write(p.stderr)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
             "sys.exit(p.returncode)\n")
    result = subprocess.run([sys.executable, "-c", probe, *VOICE_COACH, *args],
                            capture_output=True, text=True, timeout=120)
    return result, int(result.stdout.split()[-1]) / 1024


def test_a_sparse_40_gb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    routine = tmp_path / "huge.yaml"
    with open(routine, "wb") as f:
        f.truncate(40_000_000_000)
    result, peak_mb = _peak_rss_mb("check", str(routine))
    assert result.returncode == 2
    assert result.stderr == (f"{routine}: error: the file is 40,000,000,000 bytes; routine files "
                             "are limited to 1,000,000\n  hint: is this really a routine file?\n")
    assert peak_mb < 300  # it once read all of it (4.2 GB for a 4 GB file)


def test_an_endless_device_or_a_silent_fifo_as_routine(tmp_path: Path) -> None:
    result, peak_mb = _peak_rss_mb("check", "/dev/zero")
    assert result.returncode == 2
    assert result.stderr == ("/dev/zero: error: the file is more than 1,000,000 bytes; routine "
                             "files are limited to 1,000,000\n  hint: is this really a routine "
                             "file?\n")
    assert peak_mb < 300
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    result = run("check", str(fifo), timeout_s=60)  # nobody writes: it must not wait forever
    assert result.returncode == 2
    assert result.stderr.startswith(f"{fifo}:1:1: error: the routine file is empty")


# -- 12. check refuses every background render refuses -------------------------------------------


@pytest.fixture
def backgrounds(tmp_path: Path) -> Path:
    (tmp_path / "folder.ogg").mkdir()
    (tmp_path / "notaudio.ogg").write_text("not audio")
    os.mkfifo(tmp_path / "fifo.ogg")
    return tmp_path


@pytest.mark.parametrize("sound, message", [
    ("folder.ogg", "background sound 'folder.ogg' is a folder, not a sound file"),
    ("missing.ogg", "background sound 'missing.ogg' not found"),
    ("notaudio.ogg", "cannot decode background sound 'notaudio.ogg': Invalid data found when "
                     "processing input"),
    ("/dev/zero", "background sound '/dev/zero' is a character device, not a sound file"),
    ("fifo.ogg", "background sound 'fifo.ogg' is a FIFO (named pipe), not a sound file"),
    ("../../../../../../../../etc/passwd", "cannot decode background sound "
     "'../../../../../../../../etc/passwd': Invalid data found when processing input"),
])
def test_check_refuses_the_backgrounds_render_refuses(backgrounds: Path, sound: str,
                                                      message: str) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg not installed")
    write(backgrounds / "r.yaml", f"title: T\nbackground: {sound}\nsteps:\n  - pause: 1s\n")
    for args in (["check", "r.yaml"], ["render", "r.yaml", "-o", "r.mp3"]):
        result = run(*args, cwd=backgrounds, timeout_s=60)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith(f"r.yaml:2:13: error: {message}\n  hint: "), args
    assert not (backgrounds / "r.mp3").exists()


# -- 13. control characters never reach the terminal, tags or sidecars --------------------------


def test_control_characters_in_routine_text_are_refused(tmp_path: Path) -> None:
    routine = write(tmp_path / "r.yaml", 'title: "Pumps \\e]0;owned\\a"\nsteps:\n'
                    '  - say: "Clear \\e[2J now."\n  - say: "A \\u202e reversed cue."\n')
    for verb in ("check", "plan"):
        result = run(verb, str(routine))
        assert result.returncode == 2
        assert "\x1b" not in result.stdout + result.stderr
        assert result.stderr.splitlines() == [
            f"{routine}:1:8: error: 'title' holds a control character (U+001B, escape) at "
            "character 7",
            "  hint: routine text must be printable: remove it (control characters can take over "
            "the terminal that shows them)",
            f"{routine}:3:10: error: 'say' holds a control character (U+001B, escape) at "
            "character 7",
            "  hint: routine text must be printable: remove it (control characters can take over "
            "the terminal that shows them)",
            f"{routine}:4:10: error: 'say' holds a control character (U+202E, right-to-left "
            "override) at character 3",
            "  hint: routine text must be printable: remove it (control characters can take over "
            "the terminal that shows them)",
            "3 errors",
        ]


def test_a_file_name_with_escapes_is_shown_escaped_everywhere(tmp_path: Path) -> None:
    if shutil.which("ffprobe") is None:
        pytest.skip("ffmpeg not installed")
    routine = write(tmp_path / "evil\x1b]0;owned\x07.yaml", "title: T\nsteps:\n  - say: Hi.\n")
    plan = run("plan", str(routine))
    assert plan.returncode == 0 and "\x1b" not in plan.stdout
    assert "(evil\\x1b]0;owned\\x07)" in plan.stdout.splitlines()[0]
    out = tmp_path / "s.mp3"
    rendered = run("render", str(routine), "-o", str(out), "--cues", "json")
    assert rendered.returncode == 0, rendered.stderr
    tags = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of",
                           "json", str(out)], capture_output=True, timeout=60).stdout
    assert b"\x1b" not in tags and b"\\\\x1b]0;owned" in tags
    bad = write(tmp_path / "bad\x1b[2J.yaml", "title: [\n")
    result = run("check", str(bad))
    assert result.returncode == 2 and "\x1b" not in result.stderr
    assert result.stderr.startswith(f"{tmp_path}/bad\\x1b[2J.yaml:")


# -- 14. the smaller ones ------------------------------------------------------------------------


def test_counted_seconds_that_do_not_fit_are_located(tmp_path: Path) -> None:
    routine = write(tmp_path / "c.yaml", "title: T\nvoice: {rate: 80}\nsteps:\n  - exercise: A\n"
                    "    sets: 1\n    reps: 1\n    rest: 0s\n    phases:\n      - say: Up.\n"
                    "        hold: 21s\n        count: aloud\n")
    result = run("check", str(routine))
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert errors and all(line.startswith(f"{routine}:9:9: error: the cue ") for line in errors)


def test_a_zero_gap_says_what_made_the_cue_not_fit(tmp_path: Path) -> None:
    routine = write(tmp_path / "g.yaml", "title: T\nsteps:\n  - say: Hello there.\n    gap: 0s\n"
                    "  - say: Next.\n")
    result = run("check", str(routine))
    assert result.returncode == 2
    first, hint = result.stderr.splitlines()
    # "takes 359 ms but its slot is 359 ms" once left out what made it fail
    assert re.search(r'the cue "Hello there\." takes (\d+) ms plus a margin of 100 ms but its slot '
                     r'is \1 ms \(at 0:00\.000, before "Next\."\)$', first), first
    assert hint == "  hint: give it a gap of at least 100ms (gap: 100ms), or shorten the text"


@pytest.mark.parametrize("args, message", [
    (["--start-at", "10m"], "error: --start-at 10m is past the end of the session (2 min 49 s)\n"),
    (["--from-set", "99"], "error: --from-set 99: this routine has 2 sets\n  hint: choose a set "
                           "from 1 to 2\n"),
])
def test_play_checks_its_options_before_looking_for_a_sound_device(args: list[str],
                                                                   message: str) -> None:
    result = run("play", "flight", *args)  # the same with a sound device or without
    assert result.returncode == 2
    assert result.stderr == message


def test_readme_lists_every_exit_status() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    codes = readme[readme.index("Exit codes:"):][:700]
    for code in ("0 success", "2 bad input", "1 a runtime failure", "130 interrupted",
                 "143 terminated"):
        assert code in codes, code


def test_no_stray_library_noise_with_home_unset(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HOME"}
    env["VOICE_COACH_CACHE_DIR"] = str(tmp_path / "cache")
    result = subprocess.run([*VOICE_COACH, "check", "flight"], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0
    assert result.stderr == ""


def test_missing_espeak_data_is_one_clear_error(tmp_path: Path) -> None:
    """libespeak-ng prints "Error processing file ..." itself; it now reaches only our message."""
    data = Path("/usr/lib/x86_64-linux-gnu/espeak-ng-data")
    unshare = shutil.which("unshare")
    if not data.is_dir() or not unshare or os.geteuid() != 0:
        pytest.skip("needs root, unshare and Debian's espeak-ng-data folder")
    script = f'mount -t tmpfs tmpfs "{data}" && exec "$@"'
    result = subprocess.run(
        [unshare, "--mount", "--propagation", "private", "sh", "-c", script, "sh", *VOICE_COACH,
         "check", "flight", "--engine", "espeak"], capture_output=True, text=True, timeout=120,
        env={**os.environ, "VOICE_COACH_CACHE_DIR": str(tmp_path / "cache")})
    assert result.returncode == 1
    assert result.stderr == (
        f"error: libespeak-ng failed to initialise (returned 0): Error processing file "
        f"'{data}/phontab': No such file or directory.\n"
        "  hint: reinstall its data: sudo apt-get install --reinstall espeak-ng-data\n")
