"""Options a routine sets that have no effect: warnings, located at the key that was written.

A routine that sets `cadence` in hold style, or `last: 10` with `reps: 5`, is accepted, but
the writer meant something that will not happen; `check`, `plan` and `render` say so. Pure:
reads the parsed values and the YAML nodes they came from.
"""

from __future__ import annotations

from typing import Any

from voice_coach.lang.counted import counted
from voice_coach.routine.model import Background, Breathe, Exercise, Step
from voice_coach.routine.reader import Reader


def written_keys(node: Any) -> dict[str, Any]:
    """The keys written in a YAML mapping node: name -> key node (for its position)."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def step_warnings(step: Step, node: Any, reader: Reader) -> None:
    """Warns about each option of a parsed step that changes nothing in the session."""
    keys = written_keys(node)
    if isinstance(step, Exercise):
        _exercise(step, keys, node, reader)
    elif isinstance(step, Breathe):
        _breathe(step, keys, reader)


def routine_warnings(keys: dict[str, Any], background: Background | None,
                     reader: Reader) -> None:
    if "fade_in" in keys and background is None:
        reader.warn(keys["fade_in"], "'fade_in' has no effect without a background: it fades "
                    "the background sound in", "remove it, or add background: brown")


def background_warnings(node: Any, background: Background | None, reader: Reader) -> None:
    keys = written_keys(node)
    if background is not None and not background.is_noise and "seed" in keys:
        reader.warn(keys["seed"], "'seed' has no effect on a music file: it seeds the "
                    "generated noise", "remove it, or use sound: brown, pink or white")


def _exercise(ex: Exercise, keys: dict[str, Any], node: Any, reader: Reader) -> None:
    def warn(key: str, message: str, hint: str) -> None:
        if key in keys:
            reader.warn(keys[key], message, hint)

    if ex.style == "hold":
        warn("cadence", "'cadence' has no effect in hold style: the phases' holds set the "
             "pace", "remove it, or use style: pump for a steady cadence")
    else:
        _pump_holds(node, reader)
    if ex.sets == 1:
        said = ("rest_say",) if ex.rest_say is not None else ()  # "rest_say: false" is harmless
        for key in ("rest", *said):
            warn(key, f"'{key}' has no effect with one set: rests come between sets",
                 "remove it, or do more than one set (sets: 2)")
    if ex.last_reps > ex.reps:
        warn("last", f"'last: {ex.last_reps}' is more than a set has ("
             + counted(ex.reps, "{n} repetition", "{n} repetitions") + "): every repetition "
             "is announced as one of the last",
             f"use last: {ex.reps} or fewer")
    if ex.last_reps == 0:
        warn("last_say", "'last_say' has no effect without 'last'",
             "add last: 3 to announce the last 3 repetitions")
    if ex.reps < 4 and ex.halfway is not None:
        warn("halfway", "'halfway' has no effect with "
             + counted(ex.reps, "{n} repetition", "{n} repetitions")
             + ": it is said in sets of 4 or more", "remove it, or set halfway: false")
    if ex.remind_every == 0:
        warn("remind", "'remind' has no effect without 'remind_every'",
             "add remind_every: 4 to say it every 4 repetitions")
    elif ex.remind_every >= ex.reps:
        warn("remind_every", f"'remind_every: {ex.remind_every}' has no effect: a set has "
             + counted(ex.reps, "{n} repetition", "{n} repetitions")
             + ", so the reminder is never said",
             f"use a number below {ex.reps}")
    if ex.voice_fade >= ex.reps:
        warn("voice_fade", f"'voice_fade: {ex.voice_fade}' has no effect: a set has "
             + counted(ex.reps, "{n} repetition", "{n} repetitions")
             + ", so the cues never give way to tones",
             f"use a number below {ex.reps}, or remove it")
    _short_counts(ex, node, reader)


def _pump_holds(node: Any, reader: Reader) -> None:
    """In pump style the cadence sets every phase's length: a phase's `hold` is unused."""
    for phase_node in _phase_nodes(node):
        keys = written_keys(phase_node)
        if "hold" in keys:
            reader.warn(keys["hold"], "'hold' has no effect in pump style: the cadence sets "
                        "each phase's length", "remove it, or use style: hold")


def _short_counts(ex: Exercise, node: Any, reader: Reader) -> None:
    """Counting starts a second into a phase: a phase of a second or less has no count."""
    for phase, phase_node in zip(ex.phases, _phase_nodes(node)):
        keys = written_keys(phase_node)
        phase_ms = phase.hold_ms if ex.style == "hold" else \
            60_000 // (ex.cadence_per_min * len(ex.phases))
        if "count" in keys and phase.count != "none" and phase_ms <= 1000:
            hint = "remove it, or hold for 2s or more" if ex.style == "hold" else \
                "remove it: at this cadence no phase lasts over a second"
            reader.warn(keys["count"], f"'count: {phase.count}' has no effect on a phase of "
                        f"{phase_ms} ms: counting starts 1 s into the phase", hint)


def _phase_nodes(node: Any) -> list[Any]:
    import yaml

    keys = written_keys(node)
    if "phases" not in keys:
        return []
    value = next(v for k, v in node.value if k is keys["phases"])
    return list(value.value) if isinstance(value, yaml.SequenceNode) else []


def _breathe(step: Breathe, keys: dict[str, Any], reader: Reader) -> None:
    if step.voice_fade >= step.cycles and "voice_fade" in keys:
        reader.warn(keys["voice_fade"], f"'voice_fade: {step.voice_fade}' has no effect: "
                    + counted(step.cycles, "there is {n} breath", "there are {n} breaths")
                    + ", so the cues never give way to tones",
                    f"use a number below {step.cycles}, or remove it")
    if step.hold_ms == 0 and step.hold_out_ms == 0 and "say_hold" in keys:
        reader.warn(keys["say_hold"], "'say_hold' has no effect without a hold",
                    "add hold: 2s (after breathing in) or hold_out: 2s (after breathing out)")
