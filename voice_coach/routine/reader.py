"""Reading YAML nodes with positions, collecting every problem instead of stopping at the first."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from voice_coach.basics.errors import CONTROL_CHARACTERS, Diagnostic
from voice_coach.routine.durations import (
    DURATION_HINT,
    DurationTooLong,
    format_duration_ms,
    parse_duration_ms,
    shown,
)
from voice_coach.routine.fields import EXERCISE_FIELDS, PHASE_FIELDS, Field
from voice_coach.routine.limits import Limits
from voice_coach.routine.model import Pos, Text


class Reader:
    """Walks a YAML node tree, collecting every problem instead of stopping at the first."""

    def __init__(self, path: str, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.diags: list[Diagnostic] = []
        self.title = ""  # the routine's title, once read: {title} fills in to this
        self.warnings: list[Diagnostic] = []

    def pos(self, node: Any) -> Pos:
        mark = node.start_mark
        return Pos(self.path, mark.line + 1, mark.column + 1)

    def error(self, node: Any, message: str, hint: str = "") -> None:
        self.diags.append(self.pos(node).diag(message, hint))

    def warn(self, node: Any, message: str, hint: str = "") -> None:
        self.warnings.append(self.pos(node).warning(message, hint))

    def mapping(self, node: Any, fields: dict[str, Field], what: str) -> dict[str, Any] | None:
        import yaml

        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of keys to values, got {describe(node)}")
            return None
        seen: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.error(key_node, f"{what} keys must be plain names")
                continue
            if key in seen:
                self.error(key_node, f"{quoted(key)} is given twice in {what}")
                continue
            if key not in fields:
                self.error(key_node, f"unknown key {quoted(key)} in {what}",
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
            self.error(node, f"'{key}' must be {_kind_words(kind)}, got {describe(node)}")
            return spec.default
        raw = node.value
        plain = node.style is None  # unquoted: YAML would read numbers and booleans
        if kind in ("text", "name", "path", "language"):
            lowered = raw.lower() if plain else None
            if kind == "text" and not spec.required and lowered in OFF_WORDS:
                return None  # "halfway: false" or "halfway: ~" turns an announcement off
            if lowered in NOT_TEXT and not (lowered == "" and spec.required):
                # YAML reads these as true/false/null, not text (as the schema does too)
                self.error(node, f"'{key}' must be text, got {raw or 'nothing'}",
                           f"to say the word, quote it: {key}: \"{raw}\"" if raw else
                           ("to turn it off, write false" if kind == "text" else
                            f"write the {key}, or leave the key out"))
                return spec.default
            if len(raw) > self.limits.max_text_chars:
                self.error(node, f"'{key}' is {len(raw)} characters long; the limit is "
                           f"{self.limits.max_text_chars}", "split it into shorter cues")
                return spec.default
            text = raw if kind == "path" else " ".join(raw.split())  # a path is taken as written
            control = CONTROL_CHARACTERS.search(text)
            if control:  # "\e]0;...\a" in a shared file must not drive the reader's terminal
                char = control.group()
                self.error(node, f"'{key}' holds a control character (U+{ord(char):04X}, "
                           f"{_control_name(char)}) at character {control.start() + 1}",
                           "routine text must be printable: remove it (control characters can "
                           "take over the terminal that shows them)")
                return spec.default
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
        digits = re.fullmatch(r"\s*([-+]?)0*(\d+)\s*", raw)
        try:
            if spec.kind == "int" and digits and len(digits[2]) > 18:
                number: float = float("-inf" if digits[1] == "-" else "inf")  # out of any range
            else:
                number = int(raw) if spec.kind == "int" else float(raw)
        except ValueError:
            self.error(node, f"'{key}' must be {_kind_words(spec.kind)}, got {shown(raw)}")
            return spec.default
        high = spec.high
        if high is None:
            high = {"reps": self.limits.max_reps, "sets": self.limits.max_sets,
                    "cycles": self.limits.max_cycles}.get(key, self.limits.max_reps)
        if (spec.low is not None and number < spec.low) or number > high or number != number:
            self.error(node, f"'{key}' must be from {_num(spec.low)} to {_num(high)}, got "
                       f"{shown(raw)[1:-1] if len(raw) <= 40 else shown(raw)}",
                       _limit_hint(key, high, self.limits) if number > high
                       else _low_hint(key, spec.low))
            return spec.default
        return number

    def _duration(self, node: Any, key: str, spec: Field) -> int | None:
        raw = node.value
        low, high = spec.low or 0, spec.high
        try:
            ms = parse_duration_ms(str(raw))
        except DurationTooLong:
            ms = None
        except ValueError as exc:
            self.error(node, f"'{key}' must be a duration, got {shown(raw)}: it {exc}",
                       DURATION_HINT)
            return spec.default
        if ms is None or ms < low or (high is not None and ms > high):
            self.error(node, f"'{key}' must be from {format_duration_ms(int(low))} to "
                       f"{format_duration_ms(int(high or 0))}, got {shown(raw)}", DURATION_HINT)
            return spec.default
        return ms

    def fields(self, node: Any, fields: dict[str, Field], what: str) -> dict[str, Any] | None:
        """Every scalar field of a mapping, converted, with defaults for the missing ones."""
        nodes = self.mapping(node, fields, what)
        if nodes is None:
            return None
        out: dict[str, Any] = {}
        for key, spec in fields.items():
            if spec.kind in ("voice", "steps", "phases", "background", "progress", "range"):
                out[key] = nodes.get(key)
            elif key in nodes:
                out[key] = self.value(nodes[key], key, spec)
            elif spec.kind == "text" and isinstance(spec.default, str):
                out[key] = Text(spec.default, self.pos(node), default=True)
            else:
                out[key] = spec.default
        return out


def _control_name(char: str) -> str:
    import unicodedata

    names = {"\x1b": "escape", "\x07": "bell", "\x08": "backspace", "\x00": "NUL",
             "\x7f": "delete", "\x9b": "CSI"}
    return names.get(char) or unicodedata.name(char, "a control character").lower()


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


def describe(node: Any) -> str:
    import yaml

    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return repr(node.value)


def quoted(text: str) -> str:
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


OFF_WORDS = ("", "~", "null", "false", "no", "off")  # plain YAML for "no text": turns a cue off
NOT_TEXT = (*OFF_WORDS, "true", "yes", "on")  # plain YAML that is not a string


def _low_hint(key: str, low: float | None) -> str:
    """Below the smallest value: what to write instead (the limit above is not the problem)."""
    if key in ("reps", "sets", "cycles") and low == 1:
        return f"at least one: {key}: 1; to leave the step out, delete it"
    if key in ("step", "after"):  # a progress block's
        return ("a step adds at least 1 repetition" if key == "step" else
                "at least 1 day at the goal comes before a step up") + \
            "; to keep the dose fixed, remove the 'progress' block"
    return ""


def _limit_hint(key: str, high: float, limits: Limits) -> str:
    if key in ("reps", "sets") and high == getattr(limits, f"max_{key}", None):
        return f"the limit of {high:g} guards against typos; raise it with Limits.max_{key}"
    if key == "cycles" and high == limits.max_cycles:
        return f"the limit of {high:g} guards against typos; split it into several breathe steps"
    return ""
