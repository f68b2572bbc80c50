"""Routines built in code from plain values (dicts, lists, strings, numbers), validated exactly
as a routine file is: the same keys, defaults, limits and messages. Pure: no files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voice_coach.routine.limits import DEFAULT_LIMITS, Limits
from voice_coach.routine.model import Routine
from voice_coach.routine.parse import parse_routine
from voice_coach.routine.plain_values import routine_text, yaml_name


def routine_from_dict(data: Mapping[str, Any], name: str = "routine",
                      limits: Limits = DEFAULT_LIMITS, language: str | None = None) -> Routine:
    """The Routine that `data` describes, with a routine file's keys and values::

        routine_from_dict({"title": "Pumps", "steps": [{"exercise": "Ankle pumps", "reps": 12}]})

    Durations are strings with a unit, as in files ("3s", "1m30s"). Missing keys take the
    defaults a file gets. Raises SpecError with every problem, located in the YAML form of the
    data (`<name>.yaml`, which `routine.source` holds), or UsageError when a value is not a plain
    value (dict, list, str, int, float, bool or None).
    """
    return parse_routine(routine_text(data), path=yaml_name(name), name=name, limits=limits,
                         language=language)
