"""Live commands: play a routine through the speakers, or remind (play it again and again)."""

from __future__ import annotations

from typing import Annotated

import typer

from voice_coach import defaults
from voice_coach.cli.app import (
    EngineOpt,
    LanguageOpt,
    MaxMinutes,
    MaxReps,
    MaxSets,
    RateOpt,
    RoutineArg,
    VoiceOpt,
    app,
    funnel,
    load,
    prepare_session,
    with_voice,
)
from voice_coach.cli.coach import AsOfOpt, DoseOpt, say_dose, with_dose
from voice_coach.cli.usage import examples

Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Show nothing while playing.")]


@app.command(epilog=examples(
    "play",
    "voice-coach play ankle-pumps",
    "voice-coach play my-routine.yaml --start-at 1m30s",
    "voice-coach play bedtime --from-set 2 --quiet",
    "voice-coach play bedtime --voice en_US-joe-medium --rate 120",
))
@funnel
def play(
    routine: RoutineArg,
    start_at: Annotated[str | None, typer.Option(
        "--start-at", metavar="DURATION", help="Start part-way, e.g. 1m30s.")] = None,
    from_set: Annotated[int | None, typer.Option(
        "--from-set", metavar="N", help="Start at the beginning of set N.")] = None,
    quiet: Quiet = False,
    language: LanguageOpt = None,
    voice: VoiceOpt = None,
    engine: EngineOpt = None,
    rate: RateOpt = None,
    max_minutes: MaxMinutes = defaults.MAX_MINUTES,
    max_reps: MaxReps = defaults.MAX_REPS,
    max_sets: MaxSets = defaults.MAX_SETS,
    as_of: AsOfOpt = None,
    dose: DoseOpt = None,
) -> None:
    """Play a routine through the speakers. Keys: space pause, n next, b back, q quit."""
    from voice_coach import check_output, open_output, pcm_source, play_session
    from voice_coach.cli.coach import check_in_after
    from voice_coach.cli.options import (
        parse_start_at,
        render_hint,
        silent_timeline,
        start_frame,
    )
    from voice_coach.cli.practice import recorder_for

    start_at_ms = parse_start_at(start_at) if start_at is not None else None
    written = with_voice(load(routine, max_minutes, max_reps, max_sets, language), voice,
                         engine, rate)
    routine_obj, todays = with_dose(written, as_of, dose)
    # Every usage mistake (exit 2) before the sound device (exit 1), and both before any speech
    # is made: --from-set needs only the sets, which silent speech gives.
    # --start-at past the end needs the session's real length: then the speech comes first.
    if from_set is not None:
        start_frame(silent_timeline(routine_obj), start_at_ms, from_set)
    hint = render_hint(routine, language)
    if start_at_ms is None:
        check_output(routine, hint)
    if not quiet:
        say_dose(todays, as_of)
    session = prepare_session(routine_obj, quiet)
    frame = start_frame(session.timeline, start_at_ms, from_set)
    with open_output(routine, hint=hint) as output:
        recorder = recorder_for(routine_obj, "play")  # every session lands in the history
        try:
            play_session(session.timeline, pcm_source(session), output, start_frame=frame,
                         quiet=quiet, observer=recorder.on(session.timeline, session.voice))
        finally:
            recorder.tell()
    if not quiet:
        check_in_after(recorder, written)  # a terminal only: a script is never asked


@app.command(epilog=examples(
    "remind",
    "voice-coach remind flight --every 1h --for 6h     # a long flight: 6 rounds",
    "voice-coach remind tv-break --every 45m --times 4",
))
@funnel
def remind(
    routine: RoutineArg,
    every: Annotated[str, typer.Option(
        "--every", metavar="DURATION", help="Start the routine this often, e.g. 1h.")],
    for_: Annotated[str | None, typer.Option(
        "--for", metavar="DURATION", help="Keep going this long in all, e.g. 6h.")] = None,
    times: Annotated[int | None, typer.Option(
        "--times", metavar="N", help="Play it N times in all.")] = None,
    quiet: Quiet = False,
    language: LanguageOpt = None,
    voice: VoiceOpt = None,
    engine: EngineOpt = None,
    rate: RateOpt = None,
    max_minutes: MaxMinutes = defaults.MAX_MINUTES,
    max_reps: MaxReps = defaults.MAX_REPS,
    max_sets: MaxSets = defaults.MAX_SETS,
    as_of: AsOfOpt = None,
    dose: DoseOpt = None,
) -> None:
    """Play a routine again and again, as every hour of a long flight.

    Between rounds it counts down to the next one; any key but q starts it now.
    """
    from voice_coach import check_output, pcm_source, remind_session
    from voice_coach.cli.options import remind_plan, render_hint, silent_timeline
    from voice_coach.cli.practice import recorder_for

    remind_plan(every, for_, times, session_ms=0)  # bad options before any synthesis
    routine_obj, todays = with_dose(with_voice(load(routine, max_minutes, max_reps, max_sets,
                                                    language), voice, engine, rate),
                                    as_of, dose)
    # --every shorter than the session, as far as it is known without speech: exit 2 before
    # the sound device is looked for (exit 1)
    remind_plan(every, for_, times, session_ms=silent_timeline(routine_obj).duration_ms)
    check_output(routine, render_hint(routine, language, every, for_, times))
    if not quiet:
        say_dose(todays, as_of)
    recorder = recorder_for(routine_obj, "remind")  # every round lands in the history
    session = prepare_session(routine_obj, quiet)
    plan = remind_plan(every, for_, times, session_ms=session.timeline.duration_ms)
    try:
        remind_session(session.timeline, pcm_source(session), plan, routine, quiet,
                       observer=recorder.on(session.timeline, session.voice))
    finally:
        recorder.tell()
