"""The routine's `progress` block: the issue's example as written, every bad block refused at
its line and column with a hint (exit 2 from the CLI), and the JSON Schema agreeing."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from tests.routine.test_schema import validate
from voice_coach.basics.errors import SpecError
from voice_coach.cli import app
from voice_coach.routine import Progress, json_schema, parse_routine

ISSUE_EXAMPLE = """\
title: Ankle pumps that grow
steps:
  - exercise: Ankle pumps
    sets: 3
    reps: 10
    progress:
      reps: 10 to 30      # the guide's range
      step: 2             # pumps added each time it is ready
      after: 3            # days at the daily goal, with pain 2 or less, before a step up
"""


def _errors(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        parse_routine(text, "grow.yaml")
    return [d.format() for d in caught.value.diagnostics]


def test_the_issue_example_works_as_written() -> None:
    routine = parse_routine(ISSUE_EXAMPLE, "grow.yaml")
    exercise = routine.steps[0]
    assert exercise.reps == 10
    assert exercise.progress == Progress(10, 30, 2, 3, exercise.progress.pos)
    assert (exercise.progress.pos.line, exercise.progress.pos.col) == (7, 7)
    validate(yaml.safe_load(ISSUE_EXAMPLE))


def test_step_and_after_have_careful_defaults() -> None:
    text = ISSUE_EXAMPLE.replace("      step: 2             # pumps added each time it is ready\n",
                                 "").replace("      after: 3", "      # after")
    progress = parse_routine(text, "grow.yaml").steps[0].progress
    assert (progress.step_reps, progress.after_days) == (2, 3)


def test_a_routine_without_progress_is_untouched() -> None:
    text = "title: T\nsteps:\n  - exercise: A\n    reps: 12\n"
    assert parse_routine(text, "t.yaml").steps[0].progress is None


@pytest.mark.parametrize("old, new, expected", [
    ("reps: 10 to 30 ", "reps: 30 to 10 ",
     ['grow.yaml:7:13: error: the progress range 30 to 10 is reversed: it goes down\n'
      '  hint: write the fewest first: "10 to 30"']),
    ("step: 2 ", "step: 0 ",
     ["grow.yaml:8:13: error: 'step' must be from 1 to 100, got 0\n"
      "  hint: a step adds at least 1 repetition; to keep the dose fixed, remove the "
      "'progress' block"]),
    ("    reps: 10\n", "    reps: 8\n",
     ["grow.yaml:5:11: error: 'reps' is 8, outside the progress range 10 to 30: the exercise's "
      "reps is the first dose, so it must be in the range\n"
      "  hint: set reps to a number from 10 to 30 (usually 10, the bottom)"]),
    ("after: 3 ", "aftr: 3 ",
     ["grow.yaml:9:7: error: unknown key 'aftr' in progress\n  hint: did you mean 'after'?"]),
    ("reps: 10 to 30 ", "reps: lots ",
     ["grow.yaml:7:13: error: progress 'reps' must be a range such as \"10 to 30\", got "
      "'lots'\n  hint: write the range as \"10 to 30\": the fewest and the most repetitions, "
      "fewest first"]),
    ("reps: 10 to 30 ", "reps: 10 to 3000 ",
     ["grow.yaml:7:13: error: the progress range goes up to 3000 repetitions; the limit is "
      "1000\n  hint: a smaller top, or raise Limits.max_reps"]),
])
def test_bad_progress_is_located_with_a_hint(old: str, new: str, expected: list[str]) -> None:
    assert old in ISSUE_EXAMPLE
    assert _errors(ISSUE_EXAMPLE.replace(old, new)) == expected


def test_every_problem_at_once() -> None:
    text = ISSUE_EXAMPLE.replace("step: 2 ", "step: 0 ").replace("after: 3", "aftr: 3")
    assert [e.split(": error")[0] for e in _errors(text)] == ["grow.yaml:8:13", "grow.yaml:9:7"]


@pytest.mark.parametrize("old, new", [("reps: 10 to 30 ", "reps: 30 to 10 "),
                                       ("step: 2 ", "step: 0 "),
                                       ("    reps: 10\n", "    reps: 8\n"),
                                       ("after: 3 ", "aftr: 3 ")])
def test_the_cli_exits_2_with_file_line_col(tmp_path: Path, old: str, new: str) -> None:
    path = tmp_path / "grow.yaml"
    path.write_text(ISSUE_EXAMPLE.replace(old, new))
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2, result.output
    assert f"{path}:" in result.output and "hint: " in result.output
    assert "Traceback" not in result.output


def test_schema_describes_progress() -> None:
    exercise = next(s for s in json_schema()["properties"]["steps"]["items"]["oneOf"]
                    if "exercise" in s["properties"])
    progress = exercise["properties"]["progress"]
    assert progress["required"] == ["reps"] and progress["additionalProperties"] is False
    assert progress["properties"]["step"]["minimum"] == 1


@pytest.mark.parametrize("old, new", [("step: 2 ", "step: 0 "), ("after: 3 ", "aftr: 3 "),
                                       ("reps: 10 to 30 ", "reps: lots ")])
def test_schema_refuses_what_the_parser_refuses(old: str, new: str) -> None:
    text = ISSUE_EXAMPLE.replace(old, new)
    with pytest.raises(SpecError):
        parse_routine(text, "grow.yaml")
    with pytest.raises(jsonschema.ValidationError):
        validate(yaml.safe_load(text))


def test_limits_hold_at_the_top_of_the_range() -> None:
    text = ISSUE_EXAMPLE.replace("sets: 3", "sets: 40").replace("10 to 30", "10 to 600")
    errors = _errors(text)
    assert errors[0].startswith("grow.yaml:1:1: error: the session would last at least ")
    assert "minutes at the top of its progress range; the limit is 360 minutes" in errors[0]
    # fine when it cannot grow so far
    parse_routine(text.replace("10 to 600", "10 to 30"), "grow.yaml")
