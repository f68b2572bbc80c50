"""Fuzzing the routine loader and the CLI: arbitrary text, arbitrary YAML, mutated built-ins,
with hostile values mixed in (durations and numbers of any length, placeholders with format
specs, control characters: tests/fuzz_hostile.py).

The promise under test: never a traceback. parse_routine returns a Routine or raises SpecError
whose every diagnostic is located in the file; a valid routine's every cue is printable and
within the cue length limit; `voice-coach check` exits 0, or 2 with compiler-style lines on
stderr, and prints no control character; duration options are refused with one clear line.
A fast slice runs in the suite; `scripts/fuzz` runs the same properties with >= 10,000
examples (python -m tests.test_fuzz).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from tests.fuzz_hostile import has_control
from tests.fuzz_strategies import OPTION_STRATEGIES, STRATEGIES
from voice_coach.basics.errors import SpecError
from voice_coach.cli import app
from voice_coach.plan.compose import compose, phrases
from voice_coach.routine import (
    DEFAULT_LIMITS,
    maximum_events,
    parse_duration_ms,
    parse_routine,
)
from voice_coach.routine.durations import MAX_DURATION_MS
from voice_coach.speech.fake import fake_duration_ms

FUZZ_PATH = "fuzz.yaml"
# Compose only routines this small, so one example stays in milliseconds.
MAX_COMPOSED_EVENTS = 5_000
FAST_EXAMPLES = {"parse": 150, "cli": 40, "option": 150}  # the slice in the suite, per strategy
# scripts/fuzz, per strategy: 2,500 x 4 parsed, 1,000 x 4 through `check`, 2,500 options
FULL_EXAMPLES = {"parse": 2_500, "cli": 1_000, "option": 2_500}

# stderr of `check` on bad input: located errors (or a file-level one), hints, a count.
ERROR_LINE = re.compile(r"^(?P<path>[^\n]+?)(:[1-9]\d*:[1-9]\d*)?: error: \S")
OTHER_LINE = re.compile(r"^(  hint: |\s+\S|\d+ errors$)")

examples_run: Counter[str] = Counter()
examples_valid: Counter[str] = Counter()  # of which were valid routines

# -- properties -------------------------------------------------------------------------------


def check_parse(text: str | bytes) -> bool:
    """parse_routine gives a Routine (which composes) or a SpecError located in the file.

    Returns whether the text was a valid routine."""
    try:
        routine = parse_routine(text, path=FUZZ_PATH)
    except SpecError as exc:
        assert exc.diagnostics, "a SpecError with nothing in it"
        for diag in exc.diagnostics:
            assert diag.path == FUZZ_PATH and diag.message, diag
            assert_located(diag)
        assert_error_text(exc.format())
        return False
    assert not has_control(routine.title), routine.title
    if maximum_events(routine) <= MAX_COMPOSED_EVENTS:
        for text in phrases(routine):  # what is spoken, printed, tagged: short and printable
            assert len(text) <= DEFAULT_LIMITS.max_text_chars, len(text)
            assert not has_control(text), repr(text)
        try:
            timeline = compose(routine, lambda t: fake_duration_ms(t, routine.voice.rate_wpm))
        except SpecError as exc:
            for diag in exc.diagnostics:
                assert_located(diag)
            assert_error_text(exc.format())
        else:  # the early refusal's estimate is a true ceiling
            assert len(timeline.events) <= maximum_events(routine)
            assert not any(has_control(c.title) for c in timeline.chapters)
    return True


def check_cli(text: str | bytes) -> bool:
    """`voice-coach check FILE` exits 0, or 2 with nothing but compiler-style lines on stderr.

    Returns whether it exited 0."""
    with tempfile.TemporaryDirectory(prefix="voice-coach-fuzz-") as tmp_dir:
        path = Path(tmp_dir) / FUZZ_PATH
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r}"
    )
    assert result.exit_code in (0, 2), (result.exit_code, result.output)
    assert not has_control(result.stdout + result.stderr), repr(result.output)
    if result.exit_code == 0:
        assert result.stdout.splitlines()[0].endswith(": OK"), result.stdout
    else:
        assert_error_text(result.stderr, str(path))
    return result.exit_code == 0


def check_option(text: str) -> bool:
    """A duration option's value: parse_duration_ms gives whole milliseconds in range or a
    ValueError; `render --duck-attack=TEXT` refuses a bad one in one clear line (exit 2) before
    anything else (here the unknown --format comes next, so nothing is ever rendered).

    Returns whether the text was a duration."""
    try:
        ms = parse_duration_ms(text)
    except ValueError as exc:
        assert str(exc) and "\n" not in str(exc)
        ms = None
    else:
        assert isinstance(ms, int) and 0 <= ms <= MAX_DURATION_MS, ms
    with tempfile.TemporaryDirectory(prefix="voice-coach-fuzz-") as tmp_dir:
        result = CliRunner().invoke(app, ["render", "--all", "-o", tmp_dir, "--format", "nope",
                                          f"--duck-attack={text}"])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"uncaught {result.exception!r}"
    )
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= 2 and len(result.stderr) < 400, result.stderr
    assert not has_control(result.stderr), repr(result.stderr)
    if ms is not None and ms <= 10_000:
        assert lines[0] == "error: unknown format 'nope'", lines
    else:
        assert lines[0].startswith("error: --duck-attack must be "), lines
    return ms is not None


def assert_located(diag) -> None:
    """A diagnostic points into the file, line and column counted from 1; only a problem with
    the whole file (its size) has neither. Line 0 is no location."""
    if diag.line == 0 and diag.col == 0:
        assert diag.message.startswith("the file is "), f"an error with no location: {diag}"
    else:
        assert diag.line >= 1 and diag.col >= 1, f"line or column 0 is no location: {diag}"


def assert_error_text(text: str, path: str = FUZZ_PATH) -> None:
    lines = text.rstrip("\n").split("\n")
    first = ERROR_LINE.match(lines[0])
    assert first and first.group("path") == path, f"first line not an error: {lines[0]!r}"
    for line in lines[1:]:
        error = ERROR_LINE.match(line)
        assert (error and error.group("path") == path) or OTHER_LINE.match(line), (
            f"stray line {line!r} in:\n{text}"
        )
    assert "Traceback" not in text


def property_test(name: str, kind: str, n_examples: int) -> Callable[[], None]:
    """The hypothesis test of one strategy against one property, run n_examples times."""
    strategy = OPTION_STRATEGIES[name] if kind == "option" else STRATEGIES[name]
    fuzz_settings = settings(
        max_examples=n_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )

    if kind == "parse":

        @fuzz_settings
        @given(strategy)
        def run(text: str | bytes) -> None:
            examples_run[f"{kind} {name}"] += 1
            examples_valid[f"{kind} {name}"] += check_parse(text)

        return run

    if kind == "option":

        @fuzz_settings
        @given(strategy)
        def run_option(text: str) -> None:
            examples_run[f"{kind} {name}"] += 1
            examples_valid[f"{kind} {name}"] += check_option(text)

        return run_option

    @fuzz_settings
    @given(strategy)
    def run_cli(text: str | bytes) -> None:
        examples_run[f"{kind} {name}"] += 1
        examples_valid[f"{kind} {name}"] += check_cli(text)

    return run_cli


# -- the fast slice in the suite ----------------------------------------------------------------

test_parse_any_text = property_test("text", "parse", FAST_EXAMPLES["parse"])
test_parse_any_yaml = property_test("yaml", "parse", FAST_EXAMPLES["parse"])
test_parse_mutated_builtins = property_test("mutated", "parse", FAST_EXAMPLES["parse"])
test_cli_any_text = property_test("text", "cli", FAST_EXAMPLES["cli"])
test_cli_any_yaml = property_test("yaml", "cli", FAST_EXAMPLES["cli"])
test_cli_mutated_builtins = property_test("mutated", "cli", FAST_EXAMPLES["cli"])
test_parse_hostile_builtins = property_test("hostile", "parse", FAST_EXAMPLES["parse"])
test_cli_hostile_builtins = property_test("hostile", "cli", FAST_EXAMPLES["cli"])
test_duration_options = property_test("duration", "option", FAST_EXAMPLES["option"])


def test_the_hostile_values_that_once_broke_the_program() -> None:
    """Each was a traceback, a 1 GB cue or a terminal escape before issue 10."""
    for value in ("9" * 310 + "s", "{name:d}", "{set:>999999999999}", "{set:>99999999}",
                  "\x1b]0;owned\x07", "\x1b[2J", "1" + "0" * 4_300):
        for key in ("set_intro", "rest", "reps"):
            check_parse("title: T\nsteps:\n  - exercise: A\n"
                        f"    {key}: {json.dumps(value)}\n")
        check_option(value)


def test_complex_yaml_keys_in_a_step_are_located_errors() -> None:
    """Found by this fuzzer: '? [a]' as a step's key raised TypeError (unhashable list)."""
    for text in ("title: T\nsteps:\n  - ? [a]\n    : b\n", "title: T\nsteps:\n  - ? {a: 1}\n"):
        check_parse(text)


def test_the_error_pattern_rejects_a_traceback() -> None:
    try:
        assert_error_text("Traceback (most recent call last):\n  File x\n")
    except AssertionError:
        return
    raise AssertionError("assert_error_text accepted a traceback")


# -- scripts/fuzz -------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    """Runs every strategy against both properties at FULL_EXAMPLES (scaled by argv[0] if
    given); prints the count per strategy and any failure; returns the exit status."""
    import os

    scale = float(argv[0]) if argv else 1.0
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="voice-coach-fuzz-cache-") as cache_dir:
        os.environ["VOICE_COACH_CACHE_DIR"] = cache_dir  # never the user's speech cache
        failures = [f for kind in ("parse", "cli", "option") for f in _run_all(kind, scale)]
    total = sum(examples_run.values())
    print(
        f"{total:,} examples in {time.perf_counter() - began:.0f} s, "
        f"{len(failures)} failing propert{'y' if len(failures) == 1 else 'ies'}"
    )
    for failure in failures:
        print("FAILED", failure)
    return 1 if failures else 0


def _run_all(kind: str, scale: float) -> list[str]:
    """Every strategy against one property; prints each count; returns the failures."""
    failures = []
    for name in OPTION_STRATEGIES if kind == "option" else STRATEGIES:
        test = property_test(name, kind, max(1, round(FULL_EXAMPLES[kind] * scale)))
        try:
            test()
        except Exception as exc:  # hypothesis has printed the falsifying example
            failures.append(f"{kind} {name}: {type(exc).__name__}: {exc}")
        key = f"{kind} {name}"
        print(
            f"{kind:>6} {name:<8} {examples_run[key]:>6,} examples "
            f"({examples_valid[key]:,} {'durations' if kind == 'option' else 'valid routines'})",
            flush=True,
        )
    return failures


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def test_line_0_is_not_taken_as_a_location() -> None:
    import pytest

    from voice_coach.basics.errors import Diagnostic

    assert_located(Diagnostic(FUZZ_PATH, 3, 7, "bad"))
    assert_located(Diagnostic(FUZZ_PATH, 0, 0, "the file is 2,000,000 bytes; ..."))
    for line, col in ((0, 5), (0, 0), (4, 0)):
        with pytest.raises(AssertionError):
            assert_located(Diagnostic(FUZZ_PATH, line, col, "the cue does not fit"))
    with pytest.raises(AssertionError):
        assert_error_text(f"{FUZZ_PATH}:0:5: error: bad")
