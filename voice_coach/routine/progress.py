"""The exercise's `progress` block: how its repetitions grow within a range (docs/coach.md).

Pure: reads YAML nodes through the Reader, reports every problem located (file:line:col).
Which dose a day gets is decided later, from the practice history (practice/dose.py).
"""

from __future__ import annotations

import re
from typing import Any

from voice_coach.routine.durations import shown
from voice_coach.routine.fields import PROGRESS_FIELDS
from voice_coach.routine.model import Exercise, Progress, Routine
from voice_coach.routine.reader import Reader, describe

RANGE_HINT = 'write the range as "10 to 30": the fewest and the most repetitions, fewest first'
# the schema's form of a range (ECMA-262 and Python alike); the parser also takes "10-30"
RANGE_PATTERN = r"^\s*[0-9]{1,6}\s*(to|-|\.\.)\s*[0-9]{1,6}\s*$"
_RANGE = re.compile(r"\s*(\d{1,6})\s*(?:to|-|\.\.)\s*(\d{1,6})\s*")


def read_progress(node: Any, reps: int, reps_node: Any, reader: Reader) -> Progress | None:
    """The Progress of an exercise whose first dose is `reps` (written at `reps_node`, or None
    when the exercise leaves reps at its default), or None with the problems recorded."""
    import yaml

    if node is None or (isinstance(node, yaml.ScalarNode) and node.style is None
                        and node.value.lower() in ("", "~", "null", "false", "off", "no")):
        return None
    n_before = len(reader.diags)
    values = reader.fields(node, PROGRESS_FIELDS, "progress")
    if values is None:
        return None
    range_node = values["reps"]
    if range_node is None:  # missing: Reader.mapping said so
        return None
    bounds = _range(range_node, reader)
    if bounds is None or len(reader.diags) > n_before:
        return None
    low, high = bounds
    if high > reader.limits.max_reps:
        reader.error(range_node, f"the progress range goes up to {high} repetitions; the limit "
                     f"is {reader.limits.max_reps}", "a smaller top, or raise Limits.max_reps")
        return None
    if not low <= reps <= high:
        where = reps_node if reps_node is not None else range_node
        reader.error(where, f"'reps' is {reps}, outside the progress range {low} to {high}: the "
                     "exercise's reps is the first dose, so it must be in the range",
                     f"set reps to a number from {low} to {high} (usually {low}, the bottom)")
        return None
    return Progress(low_reps=low, high_reps=high, step_reps=int(values["step"]),
                    after_days=int(values["after"]), pos=reader.pos(node))


def _range(node: Any, reader: Reader) -> tuple[int, int] | None:
    import yaml

    if not isinstance(node, yaml.ScalarNode):
        reader.error(node, f"progress 'reps' must be a range such as \"10 to 30\", got "
                     f"{describe(node)}", RANGE_HINT)
        return None
    match = _RANGE.fullmatch(node.value)
    if match is None:
        reader.error(node, f"progress 'reps' must be a range such as \"10 to 30\", got "
                     f"{shown(node.value)}", RANGE_HINT)
        return None
    low, high = int(match[1]), int(match[2])
    if low < 1:
        reader.error(node, f"the progress range starts at {low}; a set needs at least 1 "
                     "repetition", RANGE_HINT)
        return None
    if low > high:
        reader.error(node, f"the progress range {low} to {high} is reversed: it goes down",
                     f'write the fewest first: "{high} to {low}"')
        return None
    return low, high


def at_top_of_range(routine: Routine) -> Routine:
    """The routine with each growing exercise at the top of its range (the routine itself when
    none grows): limits are checked against the longest session it can grow to."""
    from dataclasses import replace

    if not any(isinstance(s, Exercise) and s.progress for s in routine.steps):
        return routine
    steps = tuple(replace(s, reps=s.progress.high_reps)
                  if isinstance(s, Exercise) and s.progress else s for s in routine.steps)
    return replace(routine, steps=steps)
