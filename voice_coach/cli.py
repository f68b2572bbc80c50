"""The `voice-coach` command: verbs over the pipeline, and the one funnel from errors to exit codes.

Library errors become a message on stderr and an exit code here (2 bad input, 1 runtime failure,
130 Ctrl-C); nothing below this module prints or exits.
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from .errors import UsageError, VoiceCoachError

app = typer.Typer(
    name="voice-coach",
    help="Voice-guided exercise sessions from routine files: check, plan, render, play.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])
_state = {"traceback": False}

RoutineArg = Annotated[str, typer.Argument(
    metavar="ROUTINE", help="A routine file, or the name of a built-in routine.")]
MaxMinutes = Annotated[float, typer.Option(
    "--max-minutes", help="Refuse sessions longer than this (guards against typos).")]
MaxReps = Annotated[int, typer.Option("--max-reps", help="Largest repetitions count accepted.")]


class ExitStatus:
    OK = 0
    FAILURE = 1
    BAD_INPUT = 2
    INTERRUPTED = 130


def _err(text: str) -> None:
    typer.echo(text, err=True)


def funnel(fn: F) -> F:
    """Turns library errors into stderr text and an exit code; Ctrl-C into 130."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except VoiceCoachError as exc:
            if _state["traceback"]:
                raise
            _err(exc.format())
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            if _state["traceback"]:
                raise
            _err("interrupted")
            raise typer.Exit(ExitStatus.INTERRUPTED) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def _main(
    traceback: Annotated[bool, typer.Option(
        "--traceback", help="Show the full Python traceback of an error (for developers).")]
    = False,
) -> None:
    """Voice-guided exercise sessions from routine files."""
    _state["traceback"] = traceback


def _load(routine: str, max_minutes: float = 360.0, max_reps: int = 1000):
    from .spec import DEFAULT_LIMITS, Limits, load_routine

    if max_minutes <= 0 or max_reps <= 0:
        raise UsageError("--max-minutes and --max-reps must be positive")
    limits = Limits(**{**DEFAULT_LIMITS.__dict__, "max_total_ms": int(max_minutes * 60_000),
                       "max_reps": max_reps})
    return load_routine(routine, limits)


@contextmanager
def _progress(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal (stderr); nothing when output is piped."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    with Progress("[progress.description]{task.description}", BarColumn(), TaskProgressColumn(),
                  TimeRemainingColumn(), transient=True, console=_stderr_console()) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def _prepare(routine_obj, quiet: bool = False):
    from .session import prepare

    with _progress("speech", enabled=not quiet) as progress:
        return prepare(routine_obj, progress=progress)


# ---------------------------------------------------------------------------------------------


@app.command()
@funnel
def routines() -> None:
    """List the built-in routines: name, length and what each is for."""
    from .session import prepare
    from .spec import builtin_names, load_routine
    from .timeline import format_length_ms

    names = builtin_names()
    width = max(len(n) for n in names)
    for name in names:
        session = prepare(load_routine(name))
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
    from .spec import builtin_names, builtin_text, read_routine_source

    if from_ not in builtin_names():
        read_routine_source(from_)  # raises the helpful "did you mean" error
        raise UsageError(f"'{from_}' is not a built-in routine",
                         "built-in routines: " + ", ".join(builtin_names()))
    if file.exists() and not force:
        raise UsageError(f"{file} already exists", "use --force to overwrite it")
    _write_text_atomic(file, builtin_text(from_))
    typer.echo(f"Wrote {file} (a copy of {from_}). Edit it, then: voice-coach check {file}")


def _write_text_atomic(path: Path, text: str) -> None:
    from .errors import OutputError

    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"cannot write to {directory}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
@funnel
def check(
    routine: RoutineArg,
    max_minutes: MaxMinutes = 360.0,
    max_reps: MaxReps = 1000,
) -> None:
    """Validate a routine, synthesise its speech, and print a summary or every error."""
    session = _prepare(_load(routine, max_minutes, max_reps))
    typer.echo(_summary(session))


def _summary(session) -> str:
    from .spec import Exercise
    from .timeline import format_length_ms

    from .synth import default_engine_name

    r, tl = session.routine, session.timeline
    engine = default_engine_name() if r.voice.engine == "auto" else r.voice.engine
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
              f"  voice    {engine}, {r.voice.voice}, {r.voice.rate_wpm} wpm"]
    return "\n".join(lines)


@app.command()
@funnel
def plan(
    routine: RoutineArg,
    json_: Annotated[bool, typer.Option("--json", help="Print the timeline as JSON.")] = False,
    max_minutes: MaxMinutes = 360.0,
    max_reps: MaxReps = 1000,
) -> None:
    """Print the timeline: when each cue is spoken and each tone plays."""
    from .timeline import to_text

    session = _prepare(_load(routine, max_minutes, max_reps))
    if json_:
        typer.echo(session.timeline.to_json_text(), nl=False)
    else:
        typer.echo(to_text(session.timeline), nl=False)


@app.command()
@funnel
def render(
    routine: RoutineArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
    format_: Annotated[str | None, typer.Option(
        "--format", help="Audio format (default: from the extension): mp3, wav.")] = None,
    bitrate: Annotated[int, typer.Option("--bitrate", help="MP3 bitrate in kbps.")] = 64,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    max_minutes: MaxMinutes = 360.0,
    max_reps: MaxReps = 1000,
) -> None:
    """Render a routine to an audio file (.mp3 or .wav)."""
    from .export import format_for
    from .session import render_to_file
    from .timeline import format_length_ms

    fmt = format_for(output, format_)
    if output.exists() and not force:
        raise UsageError(f"{output} already exists", "use --force to overwrite it")
    if not 8 <= bitrate <= 320:
        raise UsageError(f"--bitrate must be from 8 to 320 kbps, got {bitrate}")
    session = _prepare(_load(routine, max_minutes, max_reps))
    with _progress("render") as progress:
        render_to_file(session, output, format=fmt, bitrate_kbps=bitrate, force=force,
                       progress=progress)
    tl = session.timeline
    typer.echo(f"Wrote {output}: {format_length_ms(tl.duration_ms)} ({tl.duration_ms} ms), "
               f"{len(tl.speech())} spoken cues, {len(tl.tones())} tones, "
               f"{len(tl.chapters)} chapters.")


@app.command()
@funnel
def voices(
    language: Annotated[str | None, typer.Option(
        "--language", help="Only voices whose language starts with this, e.g. en.")] = None,
    engine: Annotated[str, typer.Option("--engine", help="auto, espeak or pyttsx3.")] = "auto",
) -> None:
    """List the speech engine's voices: id, language, name."""
    from .synth import open_engine

    eng = open_engine(engine)
    try:
        found = [v for v in eng.voices() if not language or v.language.startswith(language)]
    finally:
        eng.close()
    if not found:
        raise UsageError(f"no voice for language '{language}'")
    width = max(len(v.id) for v in found)
    lang_width = max(len(v.language) for v in found)
    for v in sorted(found, key=lambda v: v.id):
        typer.echo(f"{v.id:<{width}}  {v.language:<{lang_width}}  {v.name}")


@app.command()
@funnel
def schema() -> None:
    """Print the JSON Schema of routine files (for editors)."""
    from .spec import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


def main() -> None:
    """Console entry point."""
    app()


if __name__ == "__main__":
    main()
