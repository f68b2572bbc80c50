"""Routines built in code from plain values (dicts, lists, strings, numbers), validated exactly
as a routine file is: the same keys, defaults, limits and messages. Pure: no files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voice_coach.basics.errors import UsageError
from voice_coach.routine.limits import DEFAULT_LIMITS, Limits
from voice_coach.routine.model import Routine


def routine_from_dict(data: Mapping[str, Any], name: str = "routine",
                      limits: Limits = DEFAULT_LIMITS, language: str | None = None) -> Routine:
    """The Routine that `data` describes, with a routine file's keys and values::

        routine_from_dict({"title": "Pumps", "steps": [{"exercise": "Ankle pumps", "reps": 12}]})

    Durations are strings with a unit, as in files ("3s", "1m30s"). Missing keys take the
    defaults a file gets. Raises SpecError with every problem, located in the YAML form of the
    data (`<name>.yaml`, which `routine.source` holds), or UsageError when a value is not a plain
    value (dict, list, str, int, float, bool or None).
    """
    import yaml

    from voice_coach.routine.parse import parse_routine

    if not isinstance(data, Mapping):
        raise UsageError(f"a routine is a dict of its keys, got {type(data).__name__}",
                         "e.g. {'title': 'Pumps', 'steps': [{'exercise': 'Ankle pumps'}]}")
    try:
        text = yaml.safe_dump(_plain(dict(data)), sort_keys=False, allow_unicode=True,
                              width=1000)
    except yaml.YAMLError as exc:
        raise UsageError(f"a routine holds only plain values: {exc}",
                         "use dicts, lists, strings, numbers, booleans and None") from None
    return parse_routine(text, path=f"<{name}.yaml>", name=name, limits=limits,
                         language=language)


def _plain(value: Any) -> Any:
    """Tuples as lists (YAML has sequences only); everything else as given."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
