"""Routines built in code from plain values (dicts, lists, strings, numbers) become the YAML
text of a routine file, so they are validated exactly as a file is (routine/parse.py): the same
keys, defaults, limits and messages. Pure: no files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voice_coach.basics.errors import UsageError


def routine_yaml(data: Any) -> str:
    """The YAML text of a routine given as plain values (dict, list, str, int, float, bool or
    None; tuples as lists), or UsageError when `data` is not a dict or holds anything else."""
    import yaml

    if not isinstance(data, Mapping):
        raise UsageError(f"a routine is a dict of its keys, got {type(data).__name__}",
                         "e.g. {'title': 'Pumps', 'steps': [{'exercise': 'Ankle pumps'}]}")
    try:
        return yaml.safe_dump(_plain(dict(data)), sort_keys=False, allow_unicode=True,
                              width=1000)
    except yaml.YAMLError as exc:
        raise UsageError(f"a routine holds only plain values: {exc}",
                         "use dicts, lists, strings, numbers, booleans and None") from None


def _plain(value: Any) -> Any:
    """Tuples as lists (YAML has sequences only); everything else as given."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
