"""A routine given as plain values (dicts, lists, strings, numbers) written as the routine file it
stands for, so it is validated exactly as a file is. Pure: values in, YAML text out; it parses
nothing (parse.py does, for files and for these alike).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from voice_coach.basics.errors import UsageError


def routine_text(data: Mapping[str, Any]) -> str:
    """The YAML text of a routine given as a dict of plain values (keys in their given order).

    Raises UsageError when `data` is not a dict, or holds a value that is not a plain value
    (dict, list, tuple, str, int, float, bool or None).
    """
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


def yaml_name(name: str) -> str:
    """The file name such a routine's messages are located in: `<name.yaml>`."""
    return f"<{name}.yaml>"


def _plain(value: Any) -> Any:
    """Tuples as lists (YAML has sequences only); everything else as given."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
