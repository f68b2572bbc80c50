"""Commands about routines themselves: routines, new, check, plan, schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from voice_coach import UsageError, defaults
from voice_coach.cli import complete
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
    finished,
    funnel,
    hint_natural_voice,
    load,
    out,
    prepare_session,
    with_voice,
)
from voice_coach.cli.coach import AsOfOpt, DoseOpt, say_dose, with_dose
from voice_coach.cli.usage import examples


@app.command(epilog=examples("routines", "voice-coach routines",
                            "voice-coach routines --language fr"))
@funnel
def routines(language: LanguageOpt = None) -> None:
    """List the built-in routines: name, length and what each is for."""
    from voice_coach import builtin_names, load_routine, normalize_language, prepare, words_for
    from voice_coach.cli.summary import text_width

    code = normalize_language(language) if language is not None else None
    names = builtin_names()
    width = max(len(n) for n in names)
    for name in names:
        session = prepare(load_routine(name, language=code), estimate=True)
        words = words_for(session.routine.language)
        length = ("~" if session.estimated else "") + words.length(session.timeline.duration_ms)
        pad = " " * max(0, 11 - text_width(length))
        out(f"{name:<{width}}  {pad}{length}  {session.routine.about}")


@app.command(epilog=examples(
    "new",
    "voice-coach new my-routine.yaml                     # a copy of ankle-pumps",
    "voice-coach new bedtime.yaml --from bedtime --force",
    "voice-coach new knoechel.yaml --from ankle-pumps --language de",
))
@funnel
def new(
    file: Annotated[Path, typer.Argument(
        metavar="FILE", help="Where to write the new routine file.")],
    from_: Annotated[str, typer.Option(
        "--from", metavar="NAME", autocompletion=complete.builtin,
        help="The built-in routine to copy.")] = "ankle-pumps",
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    language: LanguageOpt = None,
) -> None:
    """Write a copy of a built-in routine to edit."""
    from voice_coach import (
        DEFAULT_LANGUAGE,
        builtin_names,
        builtin_text,
        normalize_language,
        read_routine_source,
        write_text_atomic,
    )

    code = normalize_language(language) if language is not None else DEFAULT_LANGUAGE
    if from_ not in builtin_names():
        read_routine_source(from_)  # raises the helpful "did you mean" error
        raise UsageError(f"'{from_}' is not a built-in routine",
                         "built-in routines: " + ", ".join(builtin_names()))
    modeline = f"# yaml-language-server: $schema={_schema_file().as_uri()}\n"
    write_text_atomic(file, modeline + builtin_text(from_, code), force=force)
    out(f"Wrote {file} (a copy of {from_}). Edit it, then: voice-coach check {file}")
    finished()


def _schema_file() -> Path:
    """The routine schema saved in the data folder (rewritten when it changed), for the
    `# yaml-language-server: $schema=` line of routines made by `new`: editors with the YAML
    language server check and complete the file from it, offline."""
    from voice_coach import json_schema, write_text_atomic
    from voice_coach.serve import data_dir

    path = (data_dir() / "routine.schema.json").resolve()
    text = json.dumps(json_schema(), indent=2) + "\n"
    try:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(path, text, force=True)
    except OSError:
        pass  # the line still names where it belongs; `voice-coach schema` prints it
    return path


@app.command(epilog=examples(
    "check",
    "voice-coach check ankle-pumps",
    "voice-coach check bedtime --voice en_US-joe-medium --rate 120",
    "voice-coach check my-routine.yaml --max-reps 50",
))
@funnel
def check(
    routine: RoutineArg,
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
    """Check a routine and its speech: print a summary, or every error.

    Validates the file, makes (or takes from the cache) every spoken cue, and checks that each
    one fits its slot. Warnings (an option that has no effect) do not fail the check.
    """
    from voice_coach import check_background
    from voice_coach.cli.summary import summary

    routine_obj, todays = with_dose(with_voice(load(routine, max_minutes, max_reps, max_sets,
                                                    language), voice, engine, rate),
                                    as_of, dose)
    check_background(routine_obj.background)  # as render would, before any speech is made
    session = prepare_session(routine_obj)
    out(summary(session))
    say_dose(todays, as_of, prefix="  dose     ")
    hint_natural_voice(session)


@app.command(epilog=examples(
    "plan",
    "voice-coach plan ankle-pumps",
    "voice-coach plan my-routine.yaml --json > plan.json",
))
@funnel
def plan(
    routine: RoutineArg,
    json_: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
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
    """Print the timeline: when each cue is spoken and each tone plays."""
    from voice_coach import timeline_text

    routine_obj, _ = with_dose(with_voice(load(routine, max_minutes, max_reps, max_sets,
                                               language), voice, engine, rate), as_of, dose)
    session = prepare_session(routine_obj, estimate=True)
    if json_:
        out(session.timeline.to_json_text(), nl=False)
    else:
        from voice_coach.cli.summary import counts

        out(timeline_text(session.timeline, counts(session.timeline, session.routine.language)),
            nl=False)


@app.command(epilog=examples("schema", "voice-coach schema > routine.schema.json"))
@funnel
def schema() -> None:
    """Print the JSON Schema of routine files (for editors).

    Editors with yaml-language-server (the YAML extension of VS Code, Neovim, Helix) check and
    complete a routine file against it: save it beside your routines, as in the example, and
    make this the routine's first line:

      # yaml-language-server: $schema=routine.schema.json

    Files made by 'voice-coach new' carry that line already, naming a copy of the schema in
    the data folder.
    """
    from voice_coach import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
