"""Routine files: YAML text in, a validated `Routine` out, or every problem at once (file:line:col).

Pure: takes text (and a name for messages), returns values. It never reads files itself
(`files.load_routine` is the one thin edge that does) and never synthesises or renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from voice_coach.basics.errors import Diagnostic, SpecError
from voice_coach.lang import normalize_language
from voice_coach.routine.effects import (
    background_warnings,
    routine_warnings,
    step_warnings,
    written_keys,
)
from voice_coach.routine.fields import (
    BACKGROUND_FIELDS,
    DEFAULT_PHASES,
    PHASE_FIELDS,
    PUMP_DEFAULT_PHASES,
    ROUTINE_FIELDS,
    STEP_KINDS,
    TEXT_VARS,
)
from voice_coach.routine.language import (
    routine_language,
    voice_named,
    voice_settings,
)
from voice_coach.routine.limits import DEFAULT_LIMITS, Limits
from voice_coach.routine.model import (
    Background,
    Breathe,
    Exercise,
    Pause,
    Phase,
    Pos,
    Routine,
    Say,
    Step,
    Text,
)
from voice_coach.routine.plain_values import routine_text, yaml_name
from voice_coach.routine.progress import at_top_of_range, read_progress
from voice_coach.routine.reader import Reader, describe, quoted, suggest
from voice_coach.routine.templates import check_template as _check_template
from voice_coach.routine.timing import maximum_events, minimum_length_ms


def parse_routine(text: str | bytes | Mapping[str, Any], path: str = "<routine>",
                  name: str | None = None, limits: Limits = DEFAULT_LIMITS,
                  language: str | None = None) -> Routine:
    """Validates routine text and returns the Routine, or raises SpecError with every problem.

    Args:
        text: the YAML text (bytes are decoded as UTF-8, with a located error if invalid), or
            a dict of plain values (see routine_from_dict).
        path: the file name used in messages.
        name: the routine's short name (default: the file name's stem).
        limits: upper bounds checked before anything costly.
        language: a shipped language's code that overrides the file's `language:` (None: the
            file's, default en); it also picks the voice when the file names none.
    """
    import yaml

    if isinstance(text, Mapping):  # plain values, as a routine built in code
        name = name or "routine"
        text, path = routine_text(text), yaml_name(name)
    name = name or Path(path).stem
    source = _decode(text, path, limits)
    try:
        root = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise SpecError([_yaml_diag(exc, path)]) from None
    except RecursionError:
        raise SpecError([Diagnostic(path, 1, 1, "the file is nested too deeply")]) from None
    if root is None:
        raise SpecError([Diagnostic(path, 1, 1, "the routine file is empty",
                                    "start from a built-in: "
                                    "voice-coach new my.yaml --from ankle-pumps")])
    reader = Reader(path, limits)
    _check_size(root, reader)
    if reader.diags:
        raise SpecError(reader.diags)
    routine = _routine(root, reader, name, source, language)
    if reader.diags or routine is None:
        raise SpecError(reader.diags)
    top = at_top_of_range(routine)  # the longest session its progress can grow to
    floor_ms = minimum_length_ms(top)
    grown = " at the top of its progress range" if top is not routine else ""
    if floor_ms > limits.max_total_ms:
        raise SpecError([Diagnostic(
            path, 1, 1, f"the session would last at least {floor_ms / 60_000:,.0f} minutes"
            f"{grown}; the limit is {limits.max_total_ms / 60_000:g} minutes",
            "fewer sets or repetitions, or raise the limit with Limits.max_total_ms")])
    n_events = maximum_events(top)
    if n_events > limits.max_events:
        raise SpecError([Diagnostic(
            path, 1, 1, f"the session could hold up to {n_events:,} cues and tones{grown}; the "
            f"limit is {limits.max_events:,}",
            "fewer sets or repetitions, or longer phases (Limits.max_events raises this limit)")])
    return routine


def _decode(text: str | bytes, path: str, limits: Limits) -> str:
    size = len(text)
    if size > limits.max_file_bytes:
        raise SpecError([Diagnostic(path, 0, 0, f"the file is {size:,} bytes; routine files are "
                                    f"limited to {limits.max_file_bytes:,}",
                                    "is this really a routine file?")])
    if isinstance(text, str):
        return text
    try:
        return text.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = text[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise SpecError([Diagnostic(path, line, col, f"the file is not valid UTF-8 (byte "
                                    f"0x{text[exc.start]:02x})", "save it as UTF-8")]) from None


def _yaml_diag(exc: Exception, path: str) -> Diagnostic:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"this is not valid YAML: {problem}" + (f" ({context})" if context else "")
    tab = "\t" in str(problem) or "\\t" in str(problem)
    hint = "indent with spaces, not tabs" if tab else (
        "check the indentation and that every key is followed by ': '")
    if mark is None:
        return Diagnostic(path, 1, 1, message, hint)
    return Diagnostic(path, mark.line + 1, mark.column + 1, message, hint)


def _check_size(root: Any, reader: Reader) -> None:
    """Counts nodes through aliases without expanding them twice: refuses alias bombs early."""
    import yaml

    count = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        tag = node.tag or ""
        if not tag.startswith("tag:yaml.org,2002:") or "python" in tag:
            reader.error(node, f"YAML tags such as '{tag}' are not allowed in routine files",
                         "remove the '!' tag; write plain values")
            return
        if count > reader.limits.max_yaml_nodes:
            reader.error(root, f"the routine has more than {reader.limits.max_yaml_nodes:,} "
                         "values (counting repeats through YAML aliases)",
                         "routine files are small; remove the repeated '*' aliases")
            return
        if depth > reader.limits.max_depth:
            reader.error(node, f"the routine is nested more than {reader.limits.max_depth} deep")
            return
        if isinstance(node, yaml.SequenceNode):
            stack.extend((child, depth + 1) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append((key, depth + 1))
                stack.append((value, depth + 1))


def _routine(root: Any, reader: Reader, name: str, source: str, language: str | None
             ) -> Routine | None:
    values = reader.fields(root, ROUTINE_FIELDS, "the routine")
    if values is None:
        return None
    language = normalize_language(language) if language else routine_language(
        root, values["language"], reader)
    voice = voice_settings(values["voice"], reader, language)
    voice_pos = _voice_pos(values["voice"], reader) or Pos(reader.path, 1, 1)
    title = values["title"] or name
    reader.title = title
    steps = _steps(values["steps"], reader)
    for key in ("intro", "outro"):
        _check_template(values[key], TEXT_VARS["routine"], reader, key)
    background = _background(values["background"], reader)
    routine_warnings(written_keys(root), background, reader)
    return Routine(
        name=name, title=values["title"] or name, about=values["about"],
        description=values["description"], voice=voice, intro=values["intro"],
        outro=values["outro"], steps=tuple(steps), fade_out_ms=values["fade_out"],
        gap_ms=values["gap"], path=reader.path, source=source, voice_pos=voice_pos,
        fade_in_ms=values["fade_in"], loudness_lufs=float(values["loudness"]),
        background=background, language=language, voice_named=voice_named(values["voice"]),
        warnings=tuple(sorted(reader.warnings, key=lambda d: (d.line, d.col))),
    )


def _background(node: Any, reader: Reader) -> Background | None:
    """The background block: a mapping of BACKGROUND_FIELDS, or just the sound ("brown")."""
    import yaml

    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value.lower() in ("", "~", "null", "none", "false", "off"):
            return None
        node = yaml.MappingNode("tag:yaml.org,2002:map", [
            (yaml.ScalarNode("tag:yaml.org,2002:str", "sound", node.start_mark, node.end_mark),
             node)], start_mark=node.start_mark, end_mark=node.end_mark)
    values = reader.fields(node, BACKGROUND_FIELDS, "background")
    if values is None or not values["sound"]:
        return None
    sound_node = next(v for k, v in node.value if getattr(k, "value", None) == "sound")
    sound = values["sound"]
    background = Background(
        sound=sound, level_db=float(values["level"]), duck_db=float(values["duck"]),
        attack_ms=values["attack"], release_ms=values["release"], seed=int(values["seed"]),
        base_dir=_routine_dir(reader.path), pos=reader.pos(sound_node))
    background_warnings(node, background, reader)
    return background


def _routine_dir(path: str) -> str:
    """The folder a routine file is in ("" for a built-in routine or text without a file)."""
    if not path or path.startswith("<"):
        return ""
    return str(Path(path).parent)


def _voice_pos(node: Any, reader: Reader) -> Pos | None:
    """Position of the voice's 'voice' value, else of the voice block."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return reader.pos(node) if node is not None else None
    for key, value in node.value:
        if getattr(key, "value", None) == "voice":
            return reader.pos(value)
    return reader.pos(node)


def _steps(node: Any, reader: Reader) -> list[Step]:
    import yaml

    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        reader.error(node, f"'steps' must be a list (each item starting with '- '), got "
                     f"{describe(node)}")
        return []
    if not node.value:
        reader.error(node, "'steps' is empty", "add an exercise: - exercise: Ankle pumps")
    if len(node.value) > reader.limits.max_steps:
        reader.error(node, f"more than {reader.limits.max_steps} steps")
        return []
    steps: list[Step] = []
    for item in node.value:
        step = _step(item, reader)
        if step is not None:
            steps.append(step)
    return steps


def _step(node: Any, reader: Reader) -> Step | None:
    import yaml

    # A complex key ("? [a, b]") is a list or mapping node: no kind, and unhashable.
    mapping = isinstance(node, yaml.MappingNode)
    keys = [k.value if isinstance(k, yaml.ScalarNode) else None for k, _ in node.value] if mapping \
        else []
    if not keys or keys[0] is None:
        reader.error(node, "each step must be a mapping that starts with one of: "
                     + ", ".join(STEP_KINDS), "e.g. '- exercise: Ankle pumps' or '- pause: 5s'")
        return None
    first = keys[0]
    kinds = [key for key in keys if key in STEP_KINDS and key != "say"]
    # `say` is also a pause's option: a step is a say step when no other kind is named (in any
    # order, as the schema sees it: `{gap: 1s, say: Hello}` is one too)
    kind = kinds[0] if kinds else ("say" if "say" in keys else None)
    if kind is None:
        close = suggest(str(first), STEP_KINDS)
        hint = f"did you mean '{close}'?" if close else "steps start with: " + ", ".join(
            STEP_KINDS)
        reader.error(node.value[0][0], f"unknown kind of step {quoted(first)}", hint)
        return None
    n_before = len(reader.diags)
    values = reader.fields(node, STEP_KINDS[kind], f"the {kind} step")
    if values is None:
        return None
    pos = reader.pos(node)
    step_name = values.get(kind) if kind in ("exercise", "breathe") else None
    for key, value in values.items():
        if isinstance(value, Text):
            _check_template(value, TEXT_VARS[kind], reader, key, step_name)
    if kind == "say" and values["say"] is None:
        if len(reader.diags) == n_before:
            reader.error(node, "'say' must not be empty")
        return None
    step = _make_step(kind, values, node, reader, pos)  # validates nested phases too
    if len(reader.diags) > n_before or step is None:
        return None
    step_warnings(step, node, reader)
    return step


def _make_step(kind: str, values: dict[str, Any], node: Any, reader: Reader, pos: Pos
               ) -> Step | None:
    if kind == "exercise":
        return _exercise(values, node, reader, pos)
    if kind == "breathe":
        return Breathe(name=values["breathe"], inhale_ms=values["inhale"], hold_ms=values["hold"],
                       exhale_ms=values["exhale"], hold_out_ms=values["hold_out"],
                       cycles=int(values["cycles"]), say_in=values["say_in"],
                       say_hold=values["say_hold"], say_out=values["say_out"],
                       voice_fade=int(values["voice_fade"]), pos=pos)
    if kind == "pause":
        return Pause(duration_ms=values["pause"] or 0, say=values["say"], pos=pos)
    return Say(text=values["say"], gap_ms=values["gap"] if values["gap"] is not None else -1,
               pos=pos)


def _exercise(values: dict[str, Any], node: Any, reader: Reader, pos: Pos) -> Exercise:
    phases = _phases(values["phases"], reader, pos, values["exercise"], values["style"])
    reps_node = next((v for k, v in node.value if getattr(k, "value", None) == "reps"), None)
    progress = read_progress(values["progress"], int(values["reps"]), reps_node, reader)
    return Exercise(
        name=values["exercise"], sets=int(values["sets"]), reps=int(values["reps"]),
        rest_ms=values["rest"], style=values["style"], cadence_per_min=int(values["cadence"]),
        get_ready=values["get_ready"], phases=tuple(phases), set_intro=values["set_intro"],
        safety=values["safety"], count_reps=values["count_reps"], halfway=values["halfway"],
        last_reps=int(values["last"]), last_say=values["last_say"],
        remind_every=int(values["remind_every"]), remind=values["remind"],
        voice_fade=int(values["voice_fade"]), rest_say=values["rest_say"], pos=pos,
        progress=progress,
    )


def _phases(node: Any, reader: Reader, pos: Pos, name: str | None, style: str = "hold"
            ) -> list[Phase]:
    import yaml

    if node is None and style == "pump":  # the metronome alone: no words fit half a second
        return [Phase(say=None, hold_ms=p["hold"], tone=p["tone"], count=p["count"], pos=pos)
                for p in PUMP_DEFAULT_PHASES]
    if node is None:
        return [Phase(say=Text(p["say"], pos, default=True), hold_ms=p["hold"], tone=p["tone"],
                      count=p["count"], pos=pos) for p in DEFAULT_PHASES]
    if not isinstance(node, yaml.SequenceNode) or not node.value:
        reader.error(node, "'phases' must be a non-empty list of phases",
                     "e.g. - say: Toes up, and hold.\n          hold: 3s")
        return []
    phases = []
    for item in node.value:
        values = reader.fields(item, PHASE_FIELDS, "a phase")
        if values is None:
            continue
        _check_template(values["say"], TEXT_VARS["exercise"], reader, "say", name)
        phases.append(Phase(say=values["say"], hold_ms=values["hold"], tone=values["tone"],
                            count=values["count"], pos=reader.pos(item)))
    return phases
