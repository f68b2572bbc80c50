"""Routines built in code (issue 19): routine_from_dict and parse_routine on plain values, the
step kinds exported, Routine's fields defaulted, and py.typed shipped."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import voice_coach as vc


def test_routine_from_dict_is_the_routine_the_same_yaml_gives() -> None:
    data = {"title": "Pumps", "language": "de", "steps": [
        {"exercise": "Knöchelpumpen", "sets": 2, "reps": 12, "count_reps": True, "rest": "20s"},
        {"breathe": "Ruhig", "inhale": "4s", "exhale": "6s", "cycles": 3},
        {"pause": "5s"}, {"say": "Gut gemacht."}]}
    built = vc.routine_from_dict(data, name="pumps")
    import yaml

    parsed = vc.parse_routine(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                              "<pumps.yaml>", name="pumps")
    assert built == parsed
    ex = built.steps[0]
    assert isinstance(ex, vc.Exercise) and isinstance(ex.phases[0], vc.Phase)
    assert (ex.sets, ex.reps, ex.rest_ms, ex.count_reps) == (2, 12, 20_000, True)
    assert [type(s) for s in built.steps] == [vc.Exercise, vc.Breathe, vc.Pause, vc.Say]
    assert ex.phases[0].say.default  # the default phases, said in the routine's language
    assert vc.parse_routine(data, name="pumps") == built  # a dict is taken as plain values


def test_routine_from_dict_reports_every_problem_like_a_file() -> None:
    with pytest.raises(vc.SpecError) as caught:
        vc.routine_from_dict({"title": "T", "steps": [{"exercise": "A", "reps": 0,
                                                        "rpes": 3}]})
    text = caught.value.format()
    assert "<routine.yaml>:" in text
    assert "error: 'reps' must be from 1 to 1000, got 0" in text
    assert "error: unknown key 'rpes' in the exercise step" in text
    assert "did you mean 'reps'" in text
    with pytest.raises(vc.UsageError, match="a routine is a dict of its keys, got list"):
        vc.routine_from_dict([("title", "T")])  # type: ignore[arg-type]
    with pytest.raises(vc.UsageError, match="a routine holds only plain values"):
        vc.routine_from_dict({"title": "T", "steps": [{"exercise": object()}]})


def test_a_dict_built_routine_composes_and_renders(tmp_path: Path) -> None:
    routine = vc.routine_from_dict({"title": "Quick", "steps": [
        {"exercise": "Ankle pumps", "sets": 1, "reps": 2}]}, name="quick")
    routine = dataclasses.replace(routine, voice=dataclasses.replace(routine.voice,
                                                                     engine="fake"))
    session = vc.prepare(routine, cache=None)
    assert session.timeline.title == "Quick"
    vc.render_to_file(session, tmp_path / "q.wav")
    assert (tmp_path / "q.wav").stat().st_size > 10_000


def test_routine_fields_have_defaults_and_the_package_is_typed() -> None:
    empty = vc.Routine(title="T")
    assert (empty.name, empty.steps, empty.intro, empty.language) == ("routine", (), None, "en")
    assert empty.voice == vc.VoiceSettings()
    for name in ("routine_from_dict", "Exercise", "Phase", "Breathe", "Pause", "Say", "Step",
                 "Text", "Pos"):
        assert name in vc.__all__ and getattr(vc, name) is not None
    assert (Path(vc.__file__).parent / "py.typed").is_file()
