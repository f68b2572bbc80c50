"""Commands about routines themselves: routines, new, check, plan, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from voice_coach.cli.app import (
    EngineOpt,
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
from voice_coach.errors import UsageError


@app.command()
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
            typer.echo(f"{name:<{width}}  {format_length_ms(session.timeline.duration_ms):>11}  "
                       f"{session.routine.about}")


@app.command()
@funnel
def new(
    file: Annotated[Path, typer.Argument(help="Where to write the new routine file.")],
    from_: Annotated[str, typer.Option("--from", help="The built-in routine to copy.")]
    = "ankle-pumps",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a copy of a built-in routine to edit."""
    from voice_coach.output.export import write_text_atomic
    from voice_coach.routine import builtin_names, builtin_text, read_routine_source

    if from_ not in builtin_names():
        read_routine_source(from_)  # raises the helpful "did you mean" error
        raise UsageError(f"'{from_}' is not a built-in routine",
                         "built-in routines: " + ", ".join(builtin_names()))
    if file.exists() and not force:
        raise UsageError(f"{file} already exists", "use --force to overwrite it")
    write_text_atomic(file, builtin_text(from_), force=True)
    typer.echo(f"Wrote {file} (a copy of {from_}). Edit it, then: voice-coach check {file}")


@app.command()
@funnel
def check(
    routine: RoutineArg,
    voice: VoiceOpt = None,
    engine: EngineOpt = None,
    rate: RateOpt = None,
    max_minutes: MaxMinutes = 360.0,
    max_reps: MaxReps = 1000,
    max_sets: MaxSets = 100,
) -> None:
    """Validate a routine, synthesise its speech, and print a summary or every error."""
    session = prepare_session(with_voice(load(routine, max_minutes, max_reps, max_sets), voice,
                                         engine, rate))
    typer.echo(_summary(session))


def _summary(session) -> str:
    from voice_coach.routine import Exercise
    from voice_coach.timeline import format_length_ms

    r, tl = session.routine, session.timeline
    v = session.voice or r.voice
    lines = [f"{r.name}: {r.title}: OK",
             f"  length   {format_length_ms(tl.duration_ms)} ({tl.duration_ms} ms)"]
    for step in r.steps:
        if isinstance(step, Exercise):
            lines.append(f"  sets     {step.sets} x {step.reps} reps of {step.name} "
                         f"({step.style}, rest {step.rest_ms // 1000} s)")
    speech = tl.speech()
    lines += [f"  spoken   {len(speech)} cues ({len({e.text for e in speech})} distinct phrases)",
              f"  tones    {len(tl.tones())}",
              f"  chapters {len(tl.chapters)}",
              f"  voice    {v.engine}, {v.voice}, {v.rate_wpm} wpm"]
    return "\n".join(lines)


@app.command()
@funnel
def plan(
    routine: RoutineArg,
    json_: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    voice: VoiceOpt = None,
    engine: EngineOpt = None,
    rate: RateOpt = None,
    max_minutes: MaxMinutes = 360.0,
    max_reps: MaxReps = 1000,
    max_sets: MaxSets = 100,
) -> None:
    """Print the timeline: when each cue is spoken and each tone plays."""
    from voice_coach.timeline import to_text

    session = prepare_session(with_voice(load(routine, max_minutes, max_reps, max_sets), voice,
                                         engine, rate))
    if json_:
        typer.echo(session.timeline.to_json_text(), nl=False)
    else:
        typer.echo(to_text(session.timeline), nl=False)


@app.command()
@funnel
def schema() -> None:
    """Print the JSON Schema of routine files (for editors)."""
    from voice_coach.routine import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
