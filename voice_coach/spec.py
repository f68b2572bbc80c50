"""Routine files: YAML text in, a validated `Routine` out, or every problem at once (file:line:col).

Pure: takes text (and a name for messages), returns values. It never reads files itself
(`load_routine` is the one thin edge that does) and never synthesises or renders.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import Diagnostic, SpecError, UsageError
from .synth import VoiceSettings
from .tones import TONE_NAMES

# ---------------------------------------------------------------------------------------------
# Limits: absurd routines are refused before any synthesis or memory is spent.


@dataclass(frozen=True)
class Limits:
    """Upper bounds on a routine; `--max-minutes` etc. raise them for people who mean it."""

    max_file_bytes: int = 1_000_000
    max_yaml_nodes: int = 20_000
    max_depth: int = 32
    max_text_chars: int = 1_000
    max_reps: int = 1_000
    max_sets: int = 100
    max_cycles: int = 1_000
    max_steps: int = 200
    max_total_ms: int = 6 * 3600 * 1000
    max_events: int = 200_000


DEFAULT_LIMITS = Limits()

# ---------------------------------------------------------------------------------------------
# Durations: "3s", "1.5s", "500ms", "1m30s", "1h".

_DURATION_RE = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m(?!s))?"
    r"(?:(?P<s>\d+(?:\.\d+)?)s)?(?:(?P<ms>\d+)ms)?$"
)
DURATION_HINT = 'durations look like "3s", "1.5s", "500ms" or "1m30s"'


def parse_duration_ms(text: str) -> int:
    """Milliseconds in a duration such as "3s", "1.5s", "500ms", "1m30s" or "2h".

    Raises ValueError with a short reason when `text` is not a duration.
    """
    cleaned = text.strip().replace(" ", "")
    match = _DURATION_RE.match(cleaned)
    if not cleaned or not match or not any(match.groupdict().values()):
        if re.fullmatch(r"-\s*\d.*", cleaned):
            raise ValueError("must not be negative")
        if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
            raise ValueError("needs a unit")
        raise ValueError("is not a duration")
    parts = match.groupdict()
    total = 0.0
    for unit, scale in (("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        if parts[unit]:
            total += float(parts[unit]) * scale
    return round(total)


def format_duration_ms(ms: int) -> str:
    """The inverse of parse_duration_ms, in the shortest natural form ("3s", "1m30s", "500ms")."""
    if ms % 1000:
        return f"{ms / 1000:g}s" if ms >= 1000 else f"{ms}ms"
    seconds = ms // 1000
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    out = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return out + (f"{seconds}s" if seconds or not out else "")


# ---------------------------------------------------------------------------------------------
# The validated routine.


@dataclass(frozen=True)
class Pos:
    """Where a value came from: file name and 1-based line/column."""

    path: str
    line: int = 0
    col: int = 0

    def diag(self, message: str, hint: str = "") -> Diagnostic:
        return Diagnostic(self.path, self.line, self.col, message, hint)


@dataclass(frozen=True)
class Text:
    """A piece of text to speak (may hold {placeholders}) and where it was written."""

    value: str
    pos: Pos


@dataclass(frozen=True)
class Phase:
    say: Text | None
    hold_ms: int
    tone: str
    count: str  # "none" | "aloud" | "tick"
    pos: Pos


@dataclass(frozen=True)
class Exercise:
    name: str
    sets: int
    reps: int
    rest_ms: int
    style: str  # "hold" | "pump"
    cadence_per_min: int
    get_ready: str  # "spoken" | "tones" | "none"
    phases: tuple[Phase, ...]
    set_intro: Text | None
    safety: Text | None
    count_reps: bool
    halfway: Text | None
    last_reps: int
    last_say: Text | None
    remind_every: int
    remind: Text | None
    voice_fade: int  # 0 = never fade
    rest_say: Text | None
    pos: Pos


@dataclass(frozen=True)
class Breathe:
    name: str
    inhale_ms: int
    hold_ms: int
    exhale_ms: int
    hold_out_ms: int
    cycles: int
    say_in: Text | None
    say_hold: Text | None
    say_out: Text | None
    voice_fade: int
    pos: Pos


@dataclass(frozen=True)
class Pause:
    duration_ms: int
    say: Text | None
    pos: Pos


@dataclass(frozen=True)
class Say:
    text: Text
    gap_ms: int
    pos: Pos


Step = Exercise | Breathe | Pause | Say

NOISE_SOUNDS = ("brown", "pink", "white")


@dataclass(frozen=True)
class Background:
    """A sound under the whole session: generated noise, or a music file, ducked under the cues.

    sound: "brown", "pink" or "white" (seeded noise), or a music file's path (relative paths are
    relative to `base_dir`, the routine file's folder, or the working folder).
    level_db: the bed's loudness in LUFS when the file is mastered to -16 LUFS (it moves with
    the target, so it always sits the same distance under the voice).
    duck_db: how far (negative dB) the bed dips under each cue and tone; attack_ms: how long it
    takes to dip (it starts that long before the cue); release_ms: how long it takes to return.
    pos: where `sound` was written, for errors about it (line 0 when it came from the CLI).
    """

    sound: str
    level_db: float = -30.0
    duck_db: float = -12.0
    attack_ms: int = 150
    release_ms: int = 600
    seed: int = 1
    base_dir: str = ""
    pos: Pos = Pos("")

    @property
    def is_noise(self) -> bool:
        return self.sound in NOISE_SOUNDS


@dataclass(frozen=True)
class Routine:
    name: str
    title: str
    about: str
    description: str
    voice: VoiceSettings
    intro: Text | None
    outro: Text | None
    steps: tuple[Step, ...]
    fade_out_ms: int
    gap_ms: int
    path: str = ""
    voice_pos: Pos = Pos("")  # where the voice was chosen, for engine errors about it
    source: str = field(default="", compare=False, repr=False)
    fade_in_ms: int = 3000  # the background fades in over this long
    loudness_lufs: float = -16.0  # the file's integrated loudness target
    background: Background | None = None


# ---------------------------------------------------------------------------------------------
# The format, as one table: it drives validation, defaults, the JSON Schema and the docs.
# kind: text | name | path | int | number | bool | duration | enum:<a|b> | voice | steps | phases
# | background


@dataclass(frozen=True)
class Field:
    kind: str
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    required: bool = False


VOICE_FIELDS = {
    "engine": Field("enum:auto|espeak|pyttsx3", "auto", "speech engine; auto picks the best here"),
    "voice": Field("name", "en", "voice id or language code (see `voice-coach voices`)"),
    "rate": Field("int", 160, "speaking rate in words per minute", 80, 450),
    "volume": Field("number", 1.0, "speech volume, 0.0 to 1.0", 0.0, 1.0),
}

ROUTINE_FIELDS = {
    "title": Field("name", None, "the routine's title", required=True),
    "about": Field("name", "", "one line on what it is for (shown by `voice-coach routines`)"),
    "description": Field("name", "", "longer description, for people reading the file"),
    "voice": Field("voice", None, "voice settings"),
    "intro": Field("text", None, "spoken at the start"),
    "outro": Field("text", None, "spoken at the end"),
    "steps": Field("steps", None, "what happens, in order", required=True),
    "gap": Field("duration", 800, "silence after each free-standing spoken passage", 0, 60_000),
    "fade_out": Field("duration", 2000, "fade to silence over the last part", 0, 60_000),
    "fade_in": Field("duration", 3000, "the background sound fades in over this long", 0, 60_000),
    "loudness": Field("number", -16.0, "the file's integrated loudness in LUFS (phones and "
                      "podcasts: -16; quieter: -19 to -23)", -40, -6),
    "background": Field("background", None, "a sound under the cues: brown, pink or white "
                        "noise, or a music file"),
}

BACKGROUND_FIELDS = {
    "sound": Field("path", None, "brown, pink or white noise, or a music file's path",
                   required=True),
    "level": Field("number", -30.0, "its loudness in LUFS (on the -16 LUFS scale: it moves "
                   "with 'loudness')", -60, -10),
    "duck": Field("number", -12.0, "how far it dips under each cue and tone, in dB", -60, 0),
    "attack": Field("duration", 150, "how long it takes to dip (it starts before the cue)", 0,
                    5000),
    "release": Field("duration", 600, "how long it takes to come back after the cue", 0, 10_000),
    "seed": Field("int", 1, "the noise's random seed (same seed, same noise)", 0, 2**31 - 1),
}

EXERCISE_FIELDS = {
    "exercise": Field("name", None, "the exercise's name", required=True),
    "sets": Field("int", 3, "number of sets", 1, None),
    "reps": Field("int", 10, "repetitions in each set", 1, None),
    "rest": Field("duration", 30_000, "rest between sets", 0, 3_600_000),
    "style": Field("enum:hold|pump", "hold", "hold: timed phases; pump: a steady cadence"),
    "cadence": Field("int", 60, "pump style: repetitions per minute", 10, 120),
    "get_ready": Field("enum:spoken|tones|none", "spoken", "3-2-1 countdown before each set"),
    "phases": Field("phases", None, "the parts of one repetition, in order"),
    "set_intro": Field("text", "Set {set} of {sets}.", "said at the start of each set"),
    "safety": Field("text", None, "safety line said at the start of each set"),
    "count_reps": Field("bool", False, "say the repetition number at the start of each one"),
    "halfway": Field("text", "Halfway.", "said at the start of the middle repetition"),
    "last": Field("int", 0, "announce the last N repetitions", 0, None),
    "last_say": Field("text", "Last {left}.", "said at each of the last N repetitions"),
    "remind_every": Field("int", 0, "say the reminder every N repetitions", 0, None),
    "remind": Field("text", "Keep breathing naturally.", "the reminder"),
    "voice_fade": Field("int", 0, "speak cues for the first N repetitions, then tones only",
                        0, None),
    "rest_say": Field("text", "Rest for {seconds} seconds.", "said at the start of a rest"),
}

PHASE_FIELDS = {
    "say": Field("text", None, "the cue spoken at the start of the phase"),
    "hold": Field("duration", 3000, "how long the phase lasts", 100, 600_000),
    "tone": Field("enum:" + "|".join((*TONE_NAMES, "none")), "none", "tone at the phase's start"),
    "count": Field("enum:none|aloud|tick", "none", "count the seconds aloud or tick them"),
}

BREATHE_FIELDS = {
    "breathe": Field("name", None, "the breathing block's name", required=True),
    "inhale": Field("duration", 4000, "breathe in for", 500, 60_000),
    "hold": Field("duration", 0, "hold after breathing in", 0, 60_000),
    "exhale": Field("duration", 6000, "breathe out for", 500, 60_000),
    "hold_out": Field("duration", 0, "hold after breathing out", 0, 60_000),
    "cycles": Field("int", 5, "number of breaths", 1, None),
    "say_in": Field("text", "Breathe in.", "cue for breathing in"),
    "say_hold": Field("text", "Hold.", "cue for holding"),
    "say_out": Field("text", "Breathe out.", "cue for breathing out"),
    "voice_fade": Field("int", 0, "speak cues for the first N breaths, then tones only", 0, None),
}

PAUSE_FIELDS = {
    "pause": Field("duration", None, "silence for this long", 100, 3_600_000, required=True),
    "say": Field("text", None, "spoken at the start of the pause"),
}

SAY_FIELDS = {
    "say": Field("text", None, "spoken, followed by a short gap", required=True),
    "gap": Field("duration", None, "silence after it (default: the routine's gap)", 0, 600_000),
}

STEP_KINDS = {
    "exercise": EXERCISE_FIELDS,
    "breathe": BREATHE_FIELDS,
    "pause": PAUSE_FIELDS,
    "say": SAY_FIELDS,
}

# Placeholders each kind of text may use.
SET_VARS = {"set", "sets", "reps", "name", "title", "seconds", "rest"}
REP_VARS = SET_VARS | {"rep", "left", "done"}
TEXT_VARS = {
    "routine": {"title", "minutes"},
    "exercise": REP_VARS,
    "breathe": {"cycle", "cycles", "name", "title", "seconds"},
    "pause": {"title", "seconds"},
    "say": {"title", "minutes"},
}

DEFAULT_PHASES = (
    {"say": "Toes up, and hold.", "hold": 3000, "tone": "rise", "count": "none"},
    {"say": "Toes down, and hold.", "hold": 3000, "tone": "fall", "count": "none"},
)


# ---------------------------------------------------------------------------------------------
# Reading YAML nodes with positions.


class _Reader:
    """Walks a YAML node tree, collecting every problem instead of stopping at the first."""

    def __init__(self, path: str, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.diags: list[Diagnostic] = []

    def pos(self, node: Any) -> Pos:
        mark = node.start_mark
        return Pos(self.path, mark.line + 1, mark.column + 1)

    def error(self, node: Any, message: str, hint: str = "") -> None:
        self.diags.append(self.pos(node).diag(message, hint))

    def mapping(self, node: Any, fields: dict[str, Field], what: str) -> dict[str, Any] | None:
        import yaml

        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of keys to values, got {_describe(node)}")
            return None
        seen: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.error(key_node, f"{what} keys must be plain names")
                continue
            if key in seen:
                self.error(key_node, f"{_quoted(key)} is given twice in {what}")
                continue
            if key not in fields:
                self.error(key_node, f"unknown key {_quoted(key)} in {what}",
                           _key_hint(key, fields))
                continue
            seen[key] = value_node
        for key, spec in fields.items():
            if spec.required and key not in seen:
                self.error(node, f"{what} needs '{key}' ({spec.doc})")
        return seen

    def value(self, node: Any, key: str, spec: Field) -> Any:
        """Converts one scalar node by its field's kind; on error records it, gives the default."""
        import yaml

        kind = spec.kind
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, f"'{key}' must be {_kind_words(kind)}, got {_describe(node)}")
            return spec.default
        raw = node.value
        plain = node.style is None  # unquoted: YAML would read numbers and booleans
        if kind in ("text", "name", "path"):
            if kind == "text" and plain and raw.lower() in ("", "~", "null", "false", "no", "off"):
                return None  # "halfway: false" or "halfway: ~" turns an announcement off
            if len(raw) > self.limits.max_text_chars:
                self.error(node, f"'{key}' is {len(raw)} characters long; the limit is "
                           f"{self.limits.max_text_chars}", "split it into shorter cues")
                return spec.default
            text = raw if kind == "path" else " ".join(raw.split())  # a path is taken as written
            if kind in ("name", "path") and not text.strip() and spec.required:
                self.error(node, f"'{key}' must not be empty")
            if kind == "text":
                return Text(text, self.pos(node))
            return text
        if kind == "bool":
            lowered = raw.lower()
            if plain and lowered in ("true", "yes", "on"):
                return True
            if plain and lowered in ("false", "no", "off"):
                return False
            self.error(node, f"'{key}' must be true or false, got {raw!r}")
            return spec.default
        if kind in ("int", "number"):
            return self._number(node, key, spec)
        if kind == "duration":
            return self._duration(node, key, spec)
        if kind.startswith("enum:"):
            choices = kind[5:].split("|")
            if raw in choices:
                return raw
            close = difflib.get_close_matches(str(raw), choices, n=1, cutoff=0.5)
            hint = f"did you mean '{close[0]}'?" if close else ""
            self.error(node, f"'{key}' must be one of {', '.join(choices)}; got {raw!r}", hint)
            return spec.default
        raise AssertionError(f"field kind {kind} is not a scalar")  # a bug in the table, not input

    def _number(self, node: Any, key: str, spec: Field) -> Any:
        raw = node.value
        try:
            number: float = int(raw) if spec.kind == "int" else float(raw)
        except ValueError:
            self.error(node, f"'{key}' must be {_kind_words(spec.kind)}, got {raw!r}")
            return spec.default
        high = spec.high
        if high is None:
            high = {"reps": self.limits.max_reps, "sets": self.limits.max_sets,
                    "cycles": self.limits.max_cycles}.get(key, self.limits.max_reps)
        if (spec.low is not None and number < spec.low) or number > high or number != number:
            self.error(node, f"'{key}' must be from {_num(spec.low)} to {_num(high)}, got {raw}",
                       _limit_hint(key, high, self.limits))
            return spec.default
        return number

    def _duration(self, node: Any, key: str, spec: Field) -> int | None:
        raw = node.value
        try:
            ms = parse_duration_ms(str(raw))
        except ValueError as exc:
            self.error(node, f"'{key}' must be a duration, got {raw!r}: it {exc}", DURATION_HINT)
            return spec.default
        low, high = spec.low or 0, spec.high
        if ms < low or (high is not None and ms > high):
            self.error(node, f"'{key}' must be from {format_duration_ms(int(low))} to "
                       f"{format_duration_ms(int(high or 0))}, got {raw!r}", DURATION_HINT)
            return spec.default
        return ms

    def fields(self, node: Any, fields: dict[str, Field], what: str) -> dict[str, Any] | None:
        """Every scalar field of a mapping, converted, with defaults for the missing ones."""
        nodes = self.mapping(node, fields, what)
        if nodes is None:
            return None
        out: dict[str, Any] = {}
        for key, spec in fields.items():
            if spec.kind in ("voice", "steps", "phases", "background"):
                out[key] = nodes.get(key)
            elif key in nodes:
                out[key] = self.value(nodes[key], key, spec)
            elif spec.kind == "text" and isinstance(spec.default, str):
                out[key] = Text(spec.default, self.pos(node))
            else:
                out[key] = spec.default
        return out


def suggest(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice to a misspelt word: same letters first (rpes → reps), then difflib."""
    choices = list(choices)
    for choice in choices:
        if sorted(choice) == sorted(word):
            return choice
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def _key_hint(key: str, fields: dict[str, Field]) -> str:
    close = suggest(key, fields)
    if close:
        return f"did you mean '{close}'?"
    if fields is EXERCISE_FIELDS and key in PHASE_FIELDS:
        return f"'{key}' belongs to a phase: put it under 'phases:', e.g. - say: Up\n  {key}: ..."
    return "known keys: " + ", ".join(fields)


def _describe(node: Any) -> str:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return repr(node.value)


def _quoted(text: str) -> str:
    """'text' for a message; escaped like a Python literal when it holds a newline, an escape
    or another unprintable character, so one diagnostic stays one line and no terminal control
    sequence from a file reaches the terminal."""
    return f"'{text}'" if text.isprintable() else repr(text)


def _kind_words(kind: str) -> str:
    return {"int": "a whole number", "number": "a number", "text": "text", "name": "text",
            "path": "a file path",
            "bool": "true or false", "duration": "a duration"}.get(kind, kind)


def _num(value: float | None) -> str:
    return "any" if value is None else f"{value:g}"


def _limit_hint(key: str, high: float, limits: Limits) -> str:
    if key in ("reps", "sets") and high == getattr(limits, f"max_{key}", None):
        return f"the limit of {high:g} guards against typos; raise it with --max-{key}"
    if key == "cycles" and high == limits.max_cycles:
        return f"the limit of {high:g} guards against typos; split it into several breathe steps"
    return ""


# ---------------------------------------------------------------------------------------------
# Building the routine.


def parse_routine(text: str | bytes, path: str = "<routine>", name: str | None = None,
                  limits: Limits = DEFAULT_LIMITS) -> Routine:
    """Validates routine text and returns the Routine, or raises SpecError with every problem.

    Args:
        text: the YAML text (bytes are decoded as UTF-8, with a located error if invalid).
        path: the file name used in messages.
        name: the routine's short name (default: the file name's stem).
        limits: upper bounds checked before anything costly.
    """
    import yaml

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
    reader = _Reader(path, limits)
    _check_size(root, reader)
    if reader.diags:
        raise SpecError(reader.diags)
    routine = _routine(root, reader, name, source)
    if reader.diags or routine is None:
        raise SpecError(reader.diags)
    floor_ms = minimum_length_ms(routine)
    if floor_ms > limits.max_total_ms:
        raise SpecError([Diagnostic(
            path, 1, 1, f"the session would last at least {floor_ms / 60_000:,.0f} minutes; the "
            f"limit is {limits.max_total_ms / 60_000:g} minutes",
            "fewer sets or repetitions, or raise the limit with --max-minutes")])
    n_events = maximum_events(routine)
    if n_events > limits.max_events:
        raise SpecError([Diagnostic(
            path, 1, 1, f"the session could hold up to {n_events:,} cues and tones; the limit "
            f"is {limits.max_events:,}",
            "fewer sets or repetitions, or longer phases (--max-minutes raises this limit too)")])
    return routine


def maximum_events(routine: Routine) -> int:
    """A ceiling on the cues and tones the session places, computed without composing it, so
    routines that would fill memory with events are refused first (see compose._build)."""
    total = (routine.intro is not None) + (routine.outro is not None)
    for step in routine.steps:
        if isinstance(step, Exercise):
            set_events = 6  # chime, header, 3-2-1, rest cue
            rep_events = sum(2 + _max_counts(step, phase) for phase in step.phases)
            total += step.sets * (set_events + step.reps * rep_events)
        elif isinstance(step, Breathe):
            total += step.cycles * 8  # a tone and a cue for each of four parts
        else:
            total += 1
    return total


def _max_counts(step: Exercise, phase: Phase) -> int:
    if phase.count == "none":
        return 0
    if step.style == "pump":
        return 60_000 // (step.cadence_per_min * len(step.phases)) // 1000 + 1
    return phase.hold_ms // 1000 + 1


def minimum_length_ms(routine: Routine) -> int:
    """A floor on the session's length from its timed parts alone (no speech), computed cheaply
    so absurd routines are refused before anything is composed or synthesised."""
    total = 0
    for step in routine.steps:
        if isinstance(step, Exercise):
            if step.style == "pump":
                rep_ms = 60_000 // step.cadence_per_min
            else:
                rep_ms = sum(p.hold_ms for p in step.phases)
            total += step.sets * step.reps * rep_ms + (step.sets - 1) * step.rest_ms
        elif isinstance(step, Breathe):
            total += step.cycles * (step.inhale_ms + step.hold_ms + step.exhale_ms
                                    + step.hold_out_ms)
        elif isinstance(step, Pause):
            total += step.duration_ms
    return total


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


def _check_size(root: Any, reader: _Reader) -> None:
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


def _routine(root: Any, reader: _Reader, name: str, source: str) -> Routine | None:
    values = reader.fields(root, ROUTINE_FIELDS, "the routine")
    if values is None:
        return None
    voice = _voice(values["voice"], reader)
    voice_pos = _voice_pos(values["voice"], reader) or Pos(reader.path, 1, 1)
    steps = _steps(values["steps"], reader)
    for key in ("intro", "outro"):
        _check_template(values[key], TEXT_VARS["routine"], reader)
    return Routine(
        name=name, title=values["title"] or name, about=values["about"],
        description=values["description"], voice=voice, intro=values["intro"],
        outro=values["outro"], steps=tuple(steps), fade_out_ms=values["fade_out"],
        gap_ms=values["gap"], path=reader.path, source=source, voice_pos=voice_pos,
        fade_in_ms=values["fade_in"], loudness_lufs=float(values["loudness"]),
        background=_background(values["background"], reader),
    )


def _background(node: Any, reader: _Reader) -> Background | None:
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
    return Background(
        sound=sound, level_db=float(values["level"]), duck_db=float(values["duck"]),
        attack_ms=values["attack"], release_ms=values["release"], seed=int(values["seed"]),
        base_dir=_routine_dir(reader.path), pos=reader.pos(sound_node))


def _routine_dir(path: str) -> str:
    """The folder a routine file is in ("" for a built-in routine or text without a file)."""
    if not path or path.startswith("<"):
        return ""
    return str(Path(path).parent)


def _voice_pos(node: Any, reader: _Reader) -> Pos | None:
    """Position of the voice's 'voice' value, else of the voice block."""
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return reader.pos(node) if node is not None else None
    for key, value in node.value:
        if getattr(key, "value", None) == "voice":
            return reader.pos(value)
    return reader.pos(node)


def _voice(node: Any, reader: _Reader) -> VoiceSettings:
    if node is None:
        return VoiceSettings()
    values = reader.fields(node, VOICE_FIELDS, "voice")
    if values is None:
        return VoiceSettings()
    return VoiceSettings(engine=values["engine"], voice=values["voice"] or "en",
                         rate_wpm=int(values["rate"]), volume=float(values["volume"]))


def _steps(node: Any, reader: _Reader) -> list[Step]:
    import yaml

    if node is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        reader.error(node, f"'steps' must be a list (each item starting with '- '), got "
                     f"{_describe(node)}")
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


def _step(node: Any, reader: _Reader) -> Step | None:
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
    kind = kinds[0] if kinds else ("say" if first == "say" else None)
    if kind is None:
        close = suggest(str(first), STEP_KINDS)
        hint = f"did you mean '{close}'?" if close else "steps start with: " + ", ".join(
            STEP_KINDS)
        reader.error(node.value[0][0], f"unknown kind of step {_quoted(first)}", hint)
        return None
    n_before = len(reader.diags)
    values = reader.fields(node, STEP_KINDS[kind], f"the {kind} step")
    if values is None:
        return None
    pos = reader.pos(node)
    for value in values.values():
        if isinstance(value, Text):
            _check_template(value, TEXT_VARS[kind], reader)
    if kind == "say" and values["say"] is None:
        if len(reader.diags) == n_before:
            reader.error(node, "'say' must not be empty")
        return None
    step = _make_step(kind, values, node, reader, pos)  # validates nested phases too
    return None if len(reader.diags) > n_before else step


def _make_step(kind: str, values: dict[str, Any], node: Any, reader: _Reader, pos: Pos
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


def _exercise(values: dict[str, Any], node: Any, reader: _Reader, pos: Pos) -> Exercise:
    phases = _phases(values["phases"], reader, pos)
    return Exercise(
        name=values["exercise"], sets=int(values["sets"]), reps=int(values["reps"]),
        rest_ms=values["rest"], style=values["style"], cadence_per_min=int(values["cadence"]),
        get_ready=values["get_ready"], phases=tuple(phases), set_intro=values["set_intro"],
        safety=values["safety"], count_reps=values["count_reps"], halfway=values["halfway"],
        last_reps=int(values["last"]), last_say=values["last_say"],
        remind_every=int(values["remind_every"]), remind=values["remind"],
        voice_fade=int(values["voice_fade"]), rest_say=values["rest_say"], pos=pos,
    )


def _phases(node: Any, reader: _Reader, pos: Pos) -> list[Phase]:
    import yaml

    if node is None:
        return [Phase(say=Text(p["say"], pos), hold_ms=p["hold"], tone=p["tone"],
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
        _check_template(values["say"], TEXT_VARS["exercise"], reader)
        phases.append(Phase(say=values["say"], hold_ms=values["hold"], tone=values["tone"],
                            count=values["count"], pos=reader.pos(item)))
    return phases


def _check_template(text: Text | None, allowed: set[str], reader: _Reader) -> None:
    if text is None:
        return
    try:
        names = [f for _, f, _, _ in string.Formatter().parse(text.value) if f is not None]
    except ValueError as exc:
        reader.diags.append(text.pos.diag(f"bad placeholder in {text.value!r}: {exc}",
                                          "placeholders look like {rep}; write {{ for a brace"))
        return
    for placeholder in names:
        if placeholder not in allowed:
            close = difflib.get_close_matches(placeholder, allowed, n=1, cutoff=0.5)
            hint = f"did you mean {{{close[0]}}}?" if close else (
                "known here: " + ", ".join("{" + v + "}" for v in sorted(allowed)))
            reader.diags.append(text.pos.diag(f"unknown placeholder {{{placeholder}}}", hint))


def fill(text: Text | None, values: dict[str, Any]) -> str:
    """The text with its placeholders filled in ("" for None); numbers without trailing .0."""
    if text is None:
        return ""
    shown = {k: (f"{v:g}" if isinstance(v, float) else v) for k, v in values.items()}
    return text.value.format_map(shown).strip()


# ---------------------------------------------------------------------------------------------
# Built-in routines and files.

BUILTIN_PACKAGE = "voice_coach.routines"


def builtin_names() -> list[str]:
    """Names of the routines shipped in the package, in their listing order."""
    files = resources.files(BUILTIN_PACKAGE)
    names = [f.name[:-5] for f in files.iterdir() if f.name.endswith(".yaml")]
    order = ["ankle-pumps", "ankle-pumps-lying", "ankle-pumps-pump", "flight", "tv-break",
             "bedtime", "morning"]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def builtin_text(name: str) -> str:
    return (resources.files(BUILTIN_PACKAGE) / f"{name}.yaml").read_text(encoding="utf-8")


def read_routine_source(routine: str) -> tuple[str | bytes, str, str]:
    """The text, display path and name of ROUTINE: a file path, or a built-in routine's name.

    Raises UsageError when it is neither, suggesting the closest built-in.
    """
    path = Path(routine)
    if path.is_file():
        try:
            return path.read_bytes(), str(routine), path.stem
        except OSError as exc:
            raise UsageError(f"cannot read {routine}: {exc.strerror}") from None
    if path.is_dir():
        raise UsageError(f"{routine} is a directory, not a routine file")
    names = builtin_names()
    if routine in names:
        return builtin_text(routine), f"<built-in {routine}>", routine
    close = difflib.get_close_matches(routine, names, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'?" if close else (
        "built-in routines: " + ", ".join(names) + " (see: voice-coach routines)")
    if routine.endswith((".yaml", ".yml")) or "/" in routine:
        raise UsageError(f"routine file {routine} not found", hint)
    raise UsageError(f"'{routine}' is neither a routine file nor a built-in routine", hint)


def load_routine(routine: str, limits: Limits = DEFAULT_LIMITS) -> Routine:
    """Reads and validates ROUTINE (a path or a built-in name); raises UsageError or SpecError."""
    text, path, name = read_routine_source(routine)
    return parse_routine(text, path=path, name=name, limits=limits)


# ---------------------------------------------------------------------------------------------
# JSON Schema, from the same table.


def _schema_for(spec: Field) -> dict[str, Any]:
    kind = spec.kind
    out: dict[str, Any]
    if kind in ("text", "name", "path"):
        out = {"type": "string"}
    elif kind == "int":
        out = {"type": "integer"}
    elif kind == "number":
        out = {"type": "number"}
    elif kind == "bool":
        out = {"type": "boolean"}
    elif kind == "duration":
        out = {"type": "string", "pattern": _DURATION_RE.pattern}
    elif kind.startswith("enum:"):
        out = {"enum": kind[5:].split("|")}
    elif kind == "voice":
        out = _object_schema(VOICE_FIELDS)
    elif kind == "phases":
        out = {"type": "array", "minItems": 1, "items": _object_schema(PHASE_FIELDS)}
    elif kind == "steps":
        out = {"type": "array", "minItems": 1,
               "items": {"oneOf": [_object_schema(f) for f in STEP_KINDS.values()]}}
    elif kind == "background":
        out = {"oneOf": [{"type": "string"}, _object_schema(BACKGROUND_FIELDS)]}
    else:
        raise AssertionError(kind)
    if kind in ("int", "number"):
        if spec.low is not None:
            out["minimum"] = spec.low
        if spec.high is not None:
            out["maximum"] = spec.high
    out["description"] = spec.doc
    if spec.default is not None and kind not in ("voice", "steps", "phases", "background"):
        out["default"] = format_duration_ms(spec.default) if kind == "duration" else spec.default
    return out


def _object_schema(fields: dict[str, Field]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [k for k, f in fields.items() if f.required],
        "properties": {k: _schema_for(f) for k, f in fields.items()},
    }


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of routine files."""
    schema = _object_schema(ROUTINE_FIELDS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://voice-coach.invalid/routine.schema.json",
        "title": "voice-coach routine",
        **schema,
    }
