"""The routine stage: routine files (YAML) in, a validated `Routine` out, or every problem at once.

Pure but for `files`, the one thin edge that reads a routine file or a built-in routine.
"""

from voice_coach.routine.durations import (
    DURATION_HINT,
    format_duration_ms,
    parse_duration_ms,
)
from voice_coach.routine.fields import (
    BACKGROUND_FIELDS,
    EXERCISE_FIELDS,
    PHASE_FIELDS,
    ROUTINE_FIELDS,
    STEP_KINDS,
    VOICE_FIELDS,
    Field,
)
from voice_coach.routine.files import (
    builtin_names,
    builtin_path,
    builtin_text,
    load_routine,
    read_routine_source,
)
from voice_coach.routine.from_dict import routine_from_dict
from voice_coach.routine.limits import DEFAULT_LIMITS, Limits
from voice_coach.routine.model import (
    NOISE_SOUNDS,
    Background,
    Breathe,
    Exercise,
    Pause,
    Phase,
    Pos,
    Progress,
    Routine,
    Say,
    Step,
    Text,
    VoiceSettings,
)
from voice_coach.routine.parse import parse_routine
from voice_coach.routine.schema import json_schema
from voice_coach.routine.templates import fill
from voice_coach.routine.timing import maximum_events, minimum_length_ms

__all__ = [
    "BACKGROUND_FIELDS", "DEFAULT_LIMITS", "DURATION_HINT", "EXERCISE_FIELDS", "NOISE_SOUNDS",
    "PHASE_FIELDS", "ROUTINE_FIELDS", "STEP_KINDS", "VOICE_FIELDS", "Background", "Breathe",
    "Exercise", "Field", "Limits", "Pause", "Phase", "Pos", "Progress", "Routine", "Say", "Step",
    "Text", "VoiceSettings", "builtin_names", "builtin_path", "builtin_text", "fill",
    "format_duration_ms", "json_schema", "load_routine", "maximum_events", "minimum_length_ms",
    "parse_duration_ms", "parse_routine", "read_routine_source", "routine_from_dict",
]
