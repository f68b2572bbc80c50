"""Commands about routines themselves: routines, new, check, plan, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from voice_coach import defaults
from voice_coach.cli import complete
from voice_coach.cli.app import (
    EngineOpt,
    MaxMinutes,
    MaxReps,
    MaxSets,
    RateOpt,
    RoutineArg,
    VoiceOpt,
    app,
    finished,
    funnel,
    load,
    out,
    prepare_session,
    with_voice,
)
from voice_coach.cli.usage import examples
from voice_coach.errors import UsageError
from voice_coach.wording import counted


@app.command(epilog=examples("routines", "voice-coach routines"))
@funnel
def routines() -> None:
    """List the built-in routines: name, length and what each is for."""
    from voice_coach.routine import builtin_names, load_routine
    from voice_coach.speech.parallel import workers_kept
    from voice_coach.timeline import format_length_ms

    names = builtin_names()
    width = max(len(n) for n in names)
    with workers_kept():  # a cold cache: each worker loads a Piper model once, not per routine
        for name in names:
            session = prepare_session(load_routine(name))
            out(f"{name:<{width}}  {format_length_ms(session.timeline.duration_ms):>11}  "
                f"{session.routine.about}")


@app.command(epilog=examples(
    "new",
    "voice-coach new my-routine.yaml                     # a copy of ankle-pumps",
    "voice-coach new bedtime.yaml --from bedtime --force",
))
@funnel
def new(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="Where to write the new routine file.")],
    from_: Annotated[str, typer.Option(
        "--from", metavar="NAME", autocompletion=complete.builtin,
        help="The built-in routine to copy.")] = "ankle-pumps",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a copy of a built-in routine to edit."""
    from voice_coach.output.atomic import write_text_atomic
    from voice_coach.routine import builtin_names, builtin_text, read_routine_source

    if from_ not in builtin_names():
        read_routine_source(from_)  # raises the helpful "did you mean" error
        raise UsageError(f"'{from_}' is not a built-in routine",
                         "built-in routines: " + ", ".join(builtin_names()))
    write_text_atomic(file, builtin_text(from_), force=force)
    out(f"Wrote {file} (a copy of {from_}). Edit it, then: voice-coach check {file}")
    finished()


@app.command(epilog=examples(
    "check",
    "voice-coach check ankle-pumps",
    "voice-coach check bedtime --voice en_US-joe-medium --rate 120",
    "voice-coach check my-routine.yaml --max-reps 50",
))
@funnel
def check(
    routine: RoutineArg,
    voice: VoiceOpt = None,
    engine: EngineOpt = None,
    rate: RateOpt = None,
    max_minutes: MaxMinutes = defaults.MAX_MINUTES,
    max_reps: MaxReps = defaults.MAX_REPS,
    max_sets: MaxSets = defaults.MAX_SETS,
) -> None:
    """Check a routine and its speech: print a summary, or every error.

    Validates the file, makes (or takes from the cache) every spoken cue, and checks that each
    one fits its slot. Warnings (an option that has no effect) do not fail the check.
    """
    from voice_coach.sound.music_file import check_background

    routine_obj = with_voice(load(routine, max_minutes, max_reps, max_sets), voice, engine, rate)
    check_background(routine_obj.background)  # as render would, before any speech is made
    session = prepare_session(routine_obj)
    out(_summary(session))


def _summary(session) -> str:
    from voice_coach.routine import Exercise
    from voice_coach.timeline import format_length_ms

    r, tl = session.routine, session.timeline
    v = session.voice or r.voice  # the engine and voice that spoke ("auto" resolved)
    lines = [f"{r.name}: {r.title}: OK",
             f"  length   {format_length_ms(tl.duration_ms)} ({tl.duration_ms} ms)"]
    for step in r.steps:
        if isinstance(step, Exercise):
            reps = counted(step.reps, "{n} rep", "{n} reps")
            lines.append(f"  sets     {step.sets} x {reps} of {step.name} "
                         f"({step.style}{_rest_words(step)})")
    speech = tl.speech()
    phrases = counted(len({e.text for e in speech}), "{n} distinct phrase",
                      "{n} distinct phrases")
    lines += ["  spoken   " + counted(len(speech), "{n} cue", "{n} cues") + f" ({phrases})",
              f"  tones    {len(tl.tones())}",
              f"  chapters {len(tl.chapters)}",
              f"  voice    {v.engine}, {v.voice}, {v.rate_wpm} wpm"]
    return "\n".join(lines)


def _rest_words(step) -> str:
    """', rest 30 s' between sets; nothing for one set, where no rest happens."""
    if step.sets == 1:
        return ""
    if step.rest_ms == 0:
        return ", no rest"
    return f", rest {step.rest_ms / 1000:g} s"


@app.command(epilog=examples(
    "plan",
    "voice-coach plan ankle-pumps",
    "voice-coach plan my-routine.yaml --json > plan.json",
))
@funnel
def plan(
    routine: RoutineArg,
    json_: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    voice: VoiceOpt = None,
    engine: EngineOpt = None,
    rate: RateOpt = None,
    max_minutes: MaxMinutes = defaults.MAX_MINUTES,
    max_reps: MaxReps = defaults.MAX_REPS,
    max_sets: MaxSets = defaults.MAX_SETS,
) -> None:
    """Print the timeline: when each cue is spoken and each tone plays."""
    from voice_coach.timeline import to_text

    session = prepare_session(with_voice(load(routine, max_minutes, max_reps, max_sets), voice,
                                         engine, rate))
    if json_:
        out(session.timeline.to_json_text(), nl=False)
    else:
        out(to_text(session.timeline), nl=False)


@app.command(epilog=examples("schema", "voice-coach schema > routine.schema.json"))
@funnel
def schema() -> None:
    """Print the JSON Schema of routine files (for editors)."""
    from voice_coach.routine import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
