"""The JSON Schema of routine files, from the same field table that drives validation."""

from __future__ import annotations

from typing import Any

from voice_coach.routine.durations import DURATION_PATTERN, format_duration_ms
from voice_coach.routine.fields import (
    BACKGROUND_FIELDS,
    PHASE_FIELDS,
    PROGRESS_FIELDS,
    ROUTINE_FIELDS,
    STEP_KINDS,
    VOICE_FIELDS,
    Field,
)
from voice_coach.routine.progress import RANGE_PATTERN

# Not a zero written any way ("0s", "0m 0s", "0.0ms"): the lower bound of a duration the schema
# can say as a pattern; the rest of its range is checked when the routine is read.
NONZERO = r"^(?! *(?:0+(?:\.0+)? *(?:h|m(?!s)|s|ms) *)+$)"


def _schema_for(spec: Field) -> dict[str, Any]:
    kind = spec.kind
    out: dict[str, Any]
    # Text may be written as a number (title: 2024); YAML's true, yes and on are not text.
    if kind == "text" and not spec.required:
        # "halfway: false" (or ~) turns an announcement off
        out = {"anyOf": [{"type": ["string", "number"]}, {"const": False}, {"type": "null"}]}
    elif kind in ("text", "name") and spec.required:
        out = {"anyOf": [{"type": "string", "pattern": r"\S"}, {"type": "number"}]}
    elif kind in ("text", "name"):
        out = {"type": ["string", "number"]}
    elif kind == "path":
        out = {"type": "string"}
    elif kind == "language":
        from voice_coach.lang import language_codes

        out = {"type": "string", "examples": language_codes()}
    elif kind == "int":
        out = {"type": "integer"}
    elif kind == "number":
        out = {"type": "number"}
    elif kind == "bool":
        out = {"type": "boolean"}
    elif kind == "duration":
        out = {"type": "string", "pattern": DURATION_PATTERN}
        if spec.low:  # a duration that must be longer than nothing refuses every zero form
            out["pattern"] = NONZERO + DURATION_PATTERN.removeprefix("^")
    elif kind.startswith("enum:"):
        out = {"enum": kind[5:].split("|")}
    elif kind == "voice":  # "voice: de" is short for "voice: {voice: de}"
        out = {"oneOf": [{"type": "string", "description": VOICE_FIELDS["voice"].doc},
                         _object_schema(VOICE_FIELDS)]}
    elif kind == "phases":
        out = {"type": "array", "minItems": 1, "items": _object_schema(PHASE_FIELDS)}
    elif kind == "steps":
        out = {"type": "array", "minItems": 1,
               "items": {"oneOf": [_object_schema(f) for f in STEP_KINDS.values()]}}
    elif kind == "progress":
        out = _object_schema(PROGRESS_FIELDS)
    elif kind == "range":  # "10 to 30"; the program checks the order and the limits
        out = {"type": "string", "pattern": RANGE_PATTERN, "examples": ["10 to 30"]}
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
    if spec.default is not None and kind not in ("voice", "steps", "phases", "background",
                                                     "progress"):
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
