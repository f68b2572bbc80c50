"""The JSON Schema of routine files, as editors use it: every pattern compiles under a real
ECMA-262 (JavaScript) regex engine (regress, the Rust engine behind several JSON Schema
validators), and the schema, checked with that engine, accepts every built-in, test and README
routine and refuses what the program refuses."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import regress
import yaml
from hypothesis import given
from hypothesis import strategies as st

from voice_coach.routine import (
    builtin_names,
    builtin_text,
    format_duration_ms,
    json_schema,
    parse_duration_ms,
)
from voice_coach.routine.durations import DURATION_PATTERN

REPO = Path(__file__).resolve().parents[2]


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern":
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from _patterns(item)


def _ecma_pattern(validator, pattern, instance, schema):
    """The `pattern` keyword as a JavaScript editor applies it (search, ECMA-262 syntax)."""
    if validator.is_type(instance, "string") and regress.Regex(pattern).find(instance) is None:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


EcmaValidator = jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                             {"pattern": _ecma_pattern})


def validate(document: Any) -> None:
    EcmaValidator(json_schema()).validate(document)


def test_every_pattern_compiles_under_ecma262() -> None:
    patterns = list(_patterns(json_schema()))
    assert patterns, "the schema has no patterns to check"
    for pattern in patterns:
        regress.Regex(pattern)  # raises RegressError on Python-only syntax
    assert "(?P<" not in json.dumps(json_schema())
    with pytest.raises(regress.RegressError):  # the engine does refuse Python's named groups
        regress.Regex(r"(?P<s>\d+)s")


def _ecma_accepts(text: str) -> bool:
    return regress.Regex(DURATION_PATTERN).find(text) is not None


def _parses(text: str) -> bool:
    """Whether the parser reads `text` as a duration (one past the 1000-hour maximum is well
    formed: the schema checks the form, the program each field's range)."""
    from voice_coach.routine.durations import DurationTooLong

    try:
        parse_duration_ms(text)
    except DurationTooLong:
        return True
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("text", ["3s", "1.5s", "500ms", "1m30s", "2m", "1h", "1h2m3s", " 4s ",
                                  "0.25s", "1m 30s", "10m", "0s", "90s"])
def test_duration_pattern_accepts_what_the_parser_reads(text: str) -> None:
    assert _parses(text) and _ecma_accepts(text)


@pytest.mark.parametrize("text", ["", "s", "3", "3 sec", "-3s", "3ss", "1.5ms", "ms", "1.s",
                                  "h", "1d", "1h1h"])
def test_duration_pattern_refuses_what_the_parser_refuses(text: str) -> None:
    assert not _parses(text) and not _ecma_accepts(text)


@given(st.text(alphabet="0123456789.hms ", max_size=10))
def test_whatever_the_pattern_accepts_the_parser_reads(text: str) -> None:
    if _ecma_accepts(text):
        assert _parses(text), text
    assert _ecma_accepts(text) == bool(re.search(DURATION_PATTERN, text))  # same in Python


@given(st.integers(1, 24 * 3_600_000))
def test_every_written_duration_matches(ms: int) -> None:
    assert _ecma_accepts(format_duration_ms(ms))


def _routine_texts() -> list[tuple[str, str]]:
    texts = [(f"built-in {name}", builtin_text(name)) for name in builtin_names()]
    texts += [(path.name, path.read_text()) for path in sorted((REPO / "tests" / "routines")
                                                               .glob("*.yaml"))]
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        texts += [(f"{doc.name} block {i}", block) for i, block in
                  enumerate(re.findall(r"```yaml\n(.*?)```", doc.read_text(encoding="utf-8"),
                                       flags=re.S))]
    return texts


@pytest.mark.parametrize("name, text", _routine_texts(), ids=lambda x: x[:30])
def test_schema_validates_every_shipped_routine(name: str, text: str) -> None:
    validate(yaml.safe_load(text))


@pytest.mark.parametrize("text", [
    "title: T\nsteps:\n  - exercise: A\n    halfway: false\n    last_say: ~\n",
    "title: T\nvoice: de\nsteps:\n  - pause: 2s\n",
    "title: T\nvoice: {voice: de, rate: 150}\nsteps:\n  - say: Hallo.\n    gap: 1m 30s\n",
    "title: T\nbackground: brown\nsteps:\n  - breathe: B\n    say_hold: no\n",
])
def test_schema_accepts_what_the_docs_promise(text: str) -> None:
    from voice_coach.routine import parse_routine

    parse_routine(text, "t.yaml")
    validate(yaml.safe_load(text))


@pytest.mark.parametrize("text", [
    "title: T\nsteps:\n  - exercise: A\n    rpes: 10\n",
    "title: T\nsteps:\n  - exercise: A\n    rest: 3\n",
    "title: T\nsteps:\n  - exercise: A\n    rest: 3 sec\n",
    "title: T\nsteps:\n  - exercise: A\n    style: hld\n",
    "title: T\nsteps:\n  - say: false\n",
    "title: T\nsteps: []\n",
    "steps:\n  - pause: 2s\n",
])
def test_schema_refuses_what_the_program_refuses(text: str) -> None:
    from voice_coach.basics.errors import SpecError
    from voice_coach.routine import parse_routine

    with pytest.raises(SpecError):
        parse_routine(text, "t.yaml")
    with pytest.raises(jsonschema.ValidationError):
        validate(yaml.safe_load(text))
