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

from typing import TYPE_CHECKING

from voice_coach.basics.lazy import lazy_getattr

__version__ = "0.1.0"

# name -> "module" (the same name there) or "module:name"
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
    "ROUTINE_FIELDS": "voice_coach.routine",
    "NOISE_SOUNDS": "voice_coach.routine",
    "builtin_text": "voice_coach.routine",
    "read_routine_source": "voice_coach.routine",
    "minimum_length_ms": "voice_coach.routine",
    "DURATION_HINT": "voice_coach.routine",
    "parse_duration_ms": "voice_coach.routine",
    "format_duration_ms": "voice_coach.routine",
    "DurationTooLong": "voice_coach.routine.durations",
    "shown_text": "voice_coach.routine.durations:shown",
    # composing
    "compose": "voice_coach.plan.compose",
    "phrases": "voice_coach.plan.compose",
    "Timeline": "voice_coach.plan.timeline",
    "Event": "voice_coach.plan.timeline",
    "Chapter": "voice_coach.plan.timeline",
    "SAMPLE_RATE": "voice_coach.plan.timeline",
    "ms_to_frames": "voice_coach.plan.timeline",
    "format_length_ms": "voice_coach.plan.timeline",
    "timeline_text": "voice_coach.plan.timeline:to_text",
    "room_notes": "voice_coach.plan.compose",
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
    "check_sidecar": "voice_coach.session.pipeline",
    "resolve_background": "voice_coach.session.pipeline",
    # sound: the samples and the person's own sound files
    "from_pcm16": "voice_coach.sound.mix",
    "check_background": "voice_coach.sound.music_file",
    "check_sound": "voice_coach.sound.music_file",
    # output: files written whole or not at all, in the format their name asks for
    "write_audio": "voice_coach.output.export",
    "format_for": "voice_coach.output.export",
    "check_target": "voice_coach.output.targets",
    "lstat_or_none": "voice_coach.output.targets",
    "sidecar_path": "voice_coach.output.cues",
    "write_bytes_atomic": "voice_coach.output.atomic",
    "write_text_atomic": "voice_coach.output.atomic",
    # live: the speaker and the terminal while a session plays
    "open_output": "voice_coach.live.devices",
    "check_output": "voice_coach.live.playback",
    "play_pcm": "voice_coach.live.playback",
    "play_session": "voice_coach.live.playback",
    "remind_session": "voice_coach.live.playback",
    "RemindPlan": "voice_coach.live.remind",
    "ask_on_terminal": "voice_coach.live.checkin",
    # languages and words chosen by number
    "DEFAULT_LANGUAGE": "voice_coach.lang",
    "language_codes": "voice_coach.lang",
    "normalize_language": "voice_coach.lang",
    "words_for": "voice_coach.lang",
    "counted": "voice_coach.lang.counted",
    # basics: the defaults (a module of plain values), text made safe to print
    "defaults": "voice_coach.basics:defaults",
    "escape_controls": "voice_coach.basics.errors",
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
    "ask_on_terminal", "Background", "Breathe", "builtin_names", "builtin_text", "Chapter",
    "check_background", "check_output", "check_sidecar", "check_sound", "check_target",
    "compose", "counted", "DEFAULT_LANGUAGE", "DEFAULT_LIMITS", "defaults", "Diagnostic",
    "DURATION_HINT", "DurationTooLong", "EngineError", "escape_controls", "Event", "Exercise",
    "ExitStatus", "flight_session", "format_duration_ms", "format_for", "format_length_ms",
    "from_pcm16", "json_schema", "language_codes", "Limits", "load_routine", "lstat_or_none",
    "minimum_length_ms", "mix_session", "ms_to_frames", "NOISE_SOUNDS", "normalize_language",
    "open_output", "OutputError", "OutputExistsError", "parse_duration_ms", "parse_routine",
    "Pause", "pcm_source", "Phase", "phrases", "play_pcm", "play_session", "Pos", "prepare",
    "read_routine_source", "remind_session", "RemindPlan", "render_all", "render_session",
    "render_to_file", "Rendered", "resolve_background", "room_notes", "Routine",
    "ROUTINE_FIELDS", "routine_from_dict", "SAMPLE_RATE", "Say", "Session", "shown_text",
    "sidecar_path", "SpecError", "Step", "Text", "Timeline", "timeline_text", "UsageError",
    "VoiceCoachError", "VoiceSettings", "words_for", "write_audio", "write_bytes_atomic",
    "write_text_atomic",
]


__getattr__ = lazy_getattr(__name__, _EXPORTS, cache=globals())


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from voice_coach.basics import defaults
    from voice_coach.basics.errors import (
        Diagnostic,
        EngineError,
        ExitStatus,
        OutputError,
        OutputExistsError,
        SpecError,
        UsageError,
        VoiceCoachError,
        escape_controls,
    )
    from voice_coach.lang import DEFAULT_LANGUAGE, language_codes, normalize_language, words_for
    from voice_coach.lang.counted import counted
    from voice_coach.live.checkin import ask_on_terminal
    from voice_coach.live.devices import open_output
    from voice_coach.live.playback import check_output, play_pcm, play_session, remind_session
    from voice_coach.live.remind import RemindPlan
    from voice_coach.output.atomic import write_bytes_atomic, write_text_atomic
    from voice_coach.output.cues import sidecar_path
    from voice_coach.output.export import format_for, write_audio
    from voice_coach.output.targets import check_target, lstat_or_none
    from voice_coach.plan.compose import compose, phrases, room_notes
    from voice_coach.plan.timeline import (
        SAMPLE_RATE,
        Chapter,
        Event,
        Timeline,
        format_length_ms,
        ms_to_frames,
    )
    from voice_coach.plan.timeline import to_text as timeline_text
    from voice_coach.routine import (
        DEFAULT_LIMITS,
        DURATION_HINT,
        NOISE_SOUNDS,
        ROUTINE_FIELDS,
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
        builtin_text,
        format_duration_ms,
        json_schema,
        load_routine,
        minimum_length_ms,
        parse_duration_ms,
        parse_routine,
        read_routine_source,
        routine_from_dict,
    )
    from voice_coach.routine.durations import DurationTooLong
    from voice_coach.routine.durations import shown as shown_text
    from voice_coach.session.pipeline import (
        Rendered,
        Session,
        check_sidecar,
        mix_session,
        pcm_source,
        prepare,
        render_session,
        render_to_file,
        resolve_background,
    )
    from voice_coach.session.tracks import flight_session, render_all
    from voice_coach.sound.mix import from_pcm16
    from voice_coach.sound.music_file import check_background, check_sound
