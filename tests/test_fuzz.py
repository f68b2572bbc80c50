"""Fuzzing the routine loader and the CLI: arbitrary text, arbitrary YAML, mutated built-ins.

The promise under test: never a traceback. parse_routine returns a Routine or raises SpecError
whose every diagnostic is located in the file; `voice-coach check` exits 0, or 2 with
compiler-style lines on stderr. A fast slice runs in the suite; `scripts/fuzz` runs the same
properties with >= 10,000 examples (python -m tests.test_fuzz).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from voice_coach.cli import app
from voice_coach.errors import SpecError
from voice_coach.plan.compose import compose
from voice_coach.routine import (
    PHASE_FIELDS,
    ROUTINE_FIELDS,
    STEP_KINDS,
    VOICE_FIELDS,
    Field,
    builtin_names,
    builtin_text,
    maximum_events,
    parse_routine,
)
from voice_coach.speech.fake import fake_duration_ms

FUZZ_PATH = "fuzz.yaml"
# Compose only routines this small, so one example stays in milliseconds.
MAX_COMPOSED_EVENTS = 5_000
FAST_EXAMPLES = {"parse": 150, "cli": 40}  # the slice in the suite, per strategy
FULL_EXAMPLES = {"parse": 2_500, "cli": 1_000}  # scripts/fuzz, per strategy: 10,500 in all

# stderr of `check` on bad input: located errors (or a file-level one), hints, a count.
ERROR_LINE = re.compile(r"^(?P<path>[^\n]+?)(:[1-9]\d*:[1-9]\d*)?: error: \S")
OTHER_LINE = re.compile(r"^(  hint: |\s+\S|\d+ errors$)")

examples_run: Counter[str] = Counter()
examples_valid: Counter[str] = Counter()  # of which were valid routines

# -- strategies -------------------------------------------------------------------------------

KNOWN_KEYS = sorted(
    {*ROUTINE_FIELDS, *VOICE_FIELDS, *PHASE_FIELDS}
    | {k for fields in STEP_KINDS.values() for k in fields}
)
DURATIONS = ["3s", "1.5s", "500ms", "1m30s", "2h", "0s", "-3s", "3", "1e9h", "99999999999s", "s"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(DURATIONS),
    st.sampled_from(["rise", "fall", "tick", "none", "aloud", "pump", "hold", "en", "{rep}", "{"]),
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12), st.integers(-5, 5))
yaml_trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6)
    ),
    max_leaves=40,
)
routine_like = st.fixed_dictionaries(
    {"title": scalars, "steps": st.lists(yaml_trees, max_size=4)},
    optional={k: yaml_trees for k in ("voice", "intro", "outro", "gap", "fade_out", "about")},
)


def field_values(field: Field) -> st.SearchStrategy:
    """Values for one routine field: mostly of its kind (valid or out of range), sometimes not."""
    kind = field.kind
    if kind == "duration":
        typed = st.one_of(
            st.sampled_from(DURATIONS), st.integers(0, 90_000).map(lambda n: f"{n}ms")
        )
    elif kind in ("int", "number"):
        typed = st.one_of(st.integers(-3, 40), st.integers(), st.floats())
    elif kind == "bool":
        typed = st.booleans()
    elif kind.startswith("enum:"):
        typed = st.sampled_from([*kind[5:].split("|"), "loud"])
    else:
        typed = st.one_of(
            st.sampled_from(["Up.", "Set {set} of {sets}.", "{left} left", "{x}"]),
            st.text(max_size=40),
        )
    return st.one_of(typed, typed, scalars)


def shaped(fields: dict[str, Field], nested: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """A mapping with some of `fields`, each with a value of roughly its kind."""
    values = {k: nested[k] if k in nested else field_values(f) for k, f in fields.items()}
    return st.fixed_dictionaries(
        {k: v for k, v in values.items() if fields[k].required},
        optional={k: v for k, v in values.items() if not fields[k].required},
    )


phases = st.lists(shaped(PHASE_FIELDS, {}), min_size=1, max_size=3)
steps = st.lists(
    st.one_of(*(shaped(fields, {"phases": phases}) for fields in STEP_KINDS.values())),
    min_size=1,
    max_size=4,
)
shaped_routines = shaped(ROUTINE_FIELDS, {"steps": steps, "voice": shaped(VOICE_FIELDS, {})})
any_yaml = st.one_of(yaml_trees, routine_like, shaped_routines, shaped_routines).map(
    lambda tree: yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)
)
# Any text, including lone surrogates written out as invalid UTF-8 bytes.
any_text = st.one_of(st.text(max_size=300), st.binary(max_size=300))

GARBAGE = [
    "\t",
    ":",
    "- ",
    "&a ",
    "*a",
    "!!python/object/apply:os.system ['true']",
    "{",
    "]",
    "? ",
    "|",
    ">",
    "%YAML 1.1\n",
    "---\n",
    "\x00",
    "\ufeff",
    "\xff",
    "{{",
    "{rep",
    "'",
    '"',
    "#",
    "@",
    "`",
    "${HOME}",
    "\\",
]


@st.composite
def mutated_builtins(draw: st.DrawFn) -> str:
    """A built-in routine with 1-4 edits: lines deleted, duplicated or swapped, numbers changed,
    tabs or garbage inserted, the text truncated."""
    lines = builtin_text(draw(st.sampled_from(builtin_names()))).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        lines = _mutate(draw, lines)
    return "".join(lines)


def _mutate(draw: st.DrawFn, lines: list[str]) -> list[str]:
    if not lines:
        return lines
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(0, len(lines) - 1))
    how = draw(st.sampled_from(["delete", "duplicate", "swap", "number", "insert", "truncate"]))
    if how == "delete":
        return lines[:i] + lines[i + 1 :]
    if how == "duplicate":
        return lines[: i + 1] + [lines[i]] + lines[i + 1 :]
    if how == "swap":
        lines[i], lines[j] = lines[j], lines[i]
        return lines
    if how == "number":
        number = draw(
            st.sampled_from(
                [
                    "0",
                    "-1",
                    "1000000000",
                    "1e400",
                    "nan",
                    "0.5",
                    "10**9",
                    "999999999999999999999",
                    "3s",
                    "",
                ]
            )
        )
        return lines[:i] + [re.sub(r"\d+", number, lines[i], count=1)] + lines[i + 1 :]
    at = draw(st.integers(0, len(lines[i])))
    if how == "insert":
        garbage = draw(st.one_of(st.sampled_from(GARBAGE), st.text(max_size=8)))
        return lines[:i] + [lines[i][:at] + garbage + lines[i][at:]] + lines[i + 1 :]
    return lines[:i] + [lines[i][:at]]  # truncate


STRATEGIES: dict[str, st.SearchStrategy] = {
    "text": any_text,
    "yaml": any_yaml,
    "mutated": mutated_builtins(),
}

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
    if maximum_events(routine) <= MAX_COMPOSED_EVENTS:
        try:
            timeline = compose(routine, lambda t: fake_duration_ms(t, routine.voice.rate_wpm))
        except SpecError as exc:
            for diag in exc.diagnostics:
                assert_located(diag)
            assert_error_text(exc.format())
        else:  # the early refusal's estimate is a true ceiling
            assert len(timeline.events) <= maximum_events(routine)
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
    if result.exit_code == 0:
        assert result.stdout.splitlines()[0].endswith(": OK"), result.stdout
    else:
        assert_error_text(result.stderr, str(path))
    return result.exit_code == 0


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
    strategy = STRATEGIES[name]
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
        failures = [f for kind in ("parse", "cli") for f in _run_all(kind, scale)]
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
    for name in STRATEGIES:
        test = property_test(name, kind, max(1, round(FULL_EXAMPLES[kind] * scale)))
        try:
            test()
        except Exception as exc:  # hypothesis has printed the falsifying example
            failures.append(f"{kind} {name}: {type(exc).__name__}: {exc}")
        key = f"{kind} {name}"
        print(
            f"{kind:>5} {name:<8} {examples_run[key]:>6,} examples "
            f"({examples_valid[key]:,} valid routines)",
            flush=True,
        )
    return failures


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))


def test_line_0_is_not_taken_as_a_location() -> None:
    import pytest

    from voice_coach.errors import Diagnostic

    assert_located(Diagnostic(FUZZ_PATH, 3, 7, "bad"))
    assert_located(Diagnostic(FUZZ_PATH, 0, 0, "the file is 2,000,000 bytes; ..."))
    for line, col in ((0, 5), (0, 0), (4, 0)):
        with pytest.raises(AssertionError):
            assert_located(Diagnostic(FUZZ_PATH, line, col, "the cue does not fit"))
    with pytest.raises(AssertionError):
        assert_error_text(f"{FUZZ_PATH}:0:5: error: bad")
