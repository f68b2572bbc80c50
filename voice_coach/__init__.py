"""voice-coach: voice-guided exercise sessions from routine files, timed to the sample.

The public API, in pipeline order::

    import voice_coach as vc

    routine = vc.load_routine("ankle-pumps")   # a built-in name or a .yaml path
    session = vc.prepare(routine)              # speech synthesised (cached), timeline composed
    vc.render_to_file(session, "ankle.mp3")    # mixed, mastered, tagged, written atomically

Every name below is imported on first use (PEP 562), so `import voice_coach` stays cheap: it
loads no numpy, no speech engine and no ffmpeg until a function that needs one is called.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that defines it
_EXPORTS = {
    # routine files
    "load_routine": "voice_coach.routine",
    "parse_routine": "voice_coach.routine",
    "routine_from_dict": "voice_coach.routine",
    "Exercise": "voice_coach.routine",
    "Phase": "voice_coach.routine",
    "Breathe": "voice_coach.routine",
    "Pause": "voice_coach.routine",
    "Say": "voice_coach.routine",
    "Step": "voice_coach.routine",
    "Text": "voice_coach.routine",
    "Pos": "voice_coach.routine",
    "builtin_names": "voice_coach.routine",
    "json_schema": "voice_coach.routine",
    "Routine": "voice_coach.routine",
    "Background": "voice_coach.routine",
    "VoiceSettings": "voice_coach.routine",
    "Limits": "voice_coach.routine",
    "DEFAULT_LIMITS": "voice_coach.routine",
    # composing
    "compose": "voice_coach.plan.compose",
    "phrases": "voice_coach.plan.compose",
    "Timeline": "voice_coach.plan.timeline",
    "Event": "voice_coach.plan.timeline",
    "Chapter": "voice_coach.plan.timeline",
    # sessions
    "prepare": "voice_coach.session.pipeline",
    "render_to_file": "voice_coach.session.pipeline",
    "render_session": "voice_coach.session.pipeline",
    "mix_session": "voice_coach.session.pipeline",
    "pcm_source": "voice_coach.session.pipeline",
    "Session": "voice_coach.session.pipeline",
    "Rendered": "voice_coach.session.pipeline",
    "flight_session": "voice_coach.session.tracks",
    "render_all": "voice_coach.session.tracks",
    # errors
    "VoiceCoachError": "voice_coach.basics.errors",
    "UsageError": "voice_coach.basics.errors",
    "SpecError": "voice_coach.basics.errors",
    "EngineError": "voice_coach.basics.errors",
    "OutputError": "voice_coach.basics.errors",
    "OutputExistsError": "voice_coach.basics.errors",
    "Diagnostic": "voice_coach.basics.errors",
    "ExitStatus": "voice_coach.basics.errors",
}

__all__ = [
    "Background",
    "Breathe",
    "Exercise",
    "Pause",
    "Phase",
    "Pos",
    "Say",
    "Step",
    "Text",
    "routine_from_dict",
    "Chapter",
    "DEFAULT_LIMITS",
    "Diagnostic",
    "EngineError",
    "Event",
    "ExitStatus",
    "Limits",
    "OutputError",
    "OutputExistsError",
    "Rendered",
    "Routine",
    "Session",
    "SpecError",
    "Timeline",
    "UsageError",
    "VoiceCoachError",
    "VoiceSettings",
    "builtin_names",
    "compose",
    "flight_session",
    "json_schema",
    "load_routine",
    "mix_session",
    "parse_routine",
    "pcm_source",
    "phrases",
    "prepare",
    "render_all",
    "render_session",
    "render_to_file",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'voice_coach' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from voice_coach.basics.errors import (
        Diagnostic,
        EngineError,
        ExitStatus,
        OutputError,
        OutputExistsError,
        SpecError,
        UsageError,
        VoiceCoachError,
    )
    from voice_coach.plan.compose import compose, phrases
    from voice_coach.plan.timeline import Chapter, Event, Timeline
    from voice_coach.routine import (
        DEFAULT_LIMITS,
        Background,
        Breathe,
        Exercise,
        Limits,
        Pause,
        Phase,
        Pos,
        Routine,
        Say,
        Step,
        Text,
        VoiceSettings,
        builtin_names,
        json_schema,
        load_routine,
        parse_routine,
        routine_from_dict,
    )
    from voice_coach.session.pipeline import (
        Rendered,
        Session,
        mix_session,
        pcm_source,
        prepare,
        render_session,
        render_to_file,
    )
    from voice_coach.session.tracks import flight_session, render_all
