"""The `voice-coach` command: verbs over the pipeline, and the one funnel from errors to exit codes.

Library errors become a message on stderr and an exit code here (2 bad input, 1 runtime failure,
130 Ctrl-C); nothing below this module prints or exits.
"""

from __future__ import annotations

import functools
import signal
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer

from voice_coach.errors import UsageError, VoiceCoachError

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
MaxSets = Annotated[int, typer.Option("--max-sets", help="Largest sets count accepted.")]
VoiceOpt = Annotated[str | None, typer.Option(
    "--voice", metavar="VOICE",
    help="Speak with this voice instead of the routine's: an id from 'voice-coach voices' "
    "(en_US-joe-medium, gmw/en-US) or a language (en, de).")]
EngineOpt = Annotated[str | None, typer.Option(
    "--engine", metavar="ENGINE",
    help="Speech engine instead of the routine's: auto (Piper when a Piper voice for the "
    "language is installed), piper, espeak or pyttsx3.")]
RateOpt = Annotated[int | None, typer.Option(
    "--rate", metavar="WPM", help="Speaking rate in words per minute (80 to 450), instead of "
    "the routine's.")]
ENGINE_CHOICES = ("auto", "piper", "espeak", "pyttsx3")


class ExitStatus:
    OK = 0
    FAILURE = 1
    BAD_INPUT = 2
    INTERRUPTED = 130
    TERMINATED = 143  # 128 + SIGTERM, as shells report it


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so every cleanup runs as for Ctrl-C."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise Terminated()


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Our own warnings (an unusable speech cache) as one clean line; others as Python does."""
    if category.__module__.startswith("voice_coach"):
        err(f"warning: {message}")
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


_python_showwarning = warnings.showwarning


def err(text: str) -> None:
    typer.echo(text, err=True)


def funnel(fn: F) -> F:
    """Turns library errors into stderr text and an exit code; Ctrl-C into 130."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return fn(*args, **kwargs)
        except VoiceCoachError as exc:
            if _state["traceback"]:
                raise
            err(exc.format())
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            if _state["traceback"]:
                raise
            err("interrupted")
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


def load(routine: str, max_minutes: float = 360.0, max_reps: int = 1000, max_sets: int = 100):
    from voice_coach.routine import DEFAULT_LIMITS, Limits, load_routine

    if not (0 < max_minutes < float("inf") and max_reps > 0 and max_sets > 0):
        raise UsageError(
            "--max-minutes, --max-reps and --max-sets must be positive finite numbers")
    # The cap on cues and tones is a density (per 6 hours), so a longer limit raises it too.
    scale = max(1.0, max_minutes * 60_000 / DEFAULT_LIMITS.max_total_ms)
    limits = Limits(**{**DEFAULT_LIMITS.__dict__, "max_total_ms": int(max_minutes * 60_000),
                       "max_reps": max_reps, "max_sets": max_sets,
                       "max_events": int(DEFAULT_LIMITS.max_events * scale)})
    from voice_coach.practice.config import apply_to_routine, load_config

    return apply_to_routine(load_routine(routine, limits), load_config())  # config.toml


def with_voice(routine_obj, voice: str | None = None, engine: str | None = None,
               rate: int | None = None):
    """The routine with --voice, --engine and --rate in place of its voice block's values.

    Errors about a voice given here are plain usage errors, not located in the routine file."""
    import dataclasses

    from voice_coach.routine import Pos

    if voice is None and engine is None and rate is None:
        return routine_obj
    settings = voice_settings(routine_obj.voice, voice, engine, rate)
    where = Pos("") if voice is not None or engine is not None else routine_obj.voice_pos
    return dataclasses.replace(routine_obj, voice=settings, voice_pos=where)


def voice_settings(base, voice: str | None, engine: str | None, rate: int | None):
    """`base` (VoiceSettings) with the options' values; --voice without --engine lets the voice
    pick its engine (auto). UsageError for an unknown engine or a rate out of range."""
    import dataclasses

    from voice_coach.speech import MAX_RATE_WPM, MIN_RATE_WPM

    changes: dict[str, Any] = {}
    if engine is not None:
        if engine.strip().lower() not in (*ENGINE_CHOICES, "fake"):
            raise UsageError(f"unknown --engine {engine!r}",
                             "choose one of: " + ", ".join(ENGINE_CHOICES))
        changes["engine"] = engine.strip().lower()
    if voice is not None:
        if not voice.strip():
            raise UsageError("--voice is empty", "run 'voice-coach voices' to list the voices")
        changes["voice"] = voice.strip()
        changes.setdefault("engine", "auto")
    if rate is not None:
        if not MIN_RATE_WPM <= rate <= MAX_RATE_WPM:
            raise UsageError(f"--rate must be from {MIN_RATE_WPM} to {MAX_RATE_WPM} words per "
                             f"minute, got {rate}", "160 is a calm pace; 130 is slow")
        changes["rate_wpm"] = rate
    return dataclasses.replace(base, **changes)


def voice_words(session) -> str:
    """How the session's voice is named in messages: "en_US-joe-medium (piper, 160 wpm)"."""
    v = session.voice or session.routine.voice
    return f"{v.voice} ({v.engine}, {v.rate_wpm} wpm)"


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal (stderr); nothing when output is piped."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TimeRemainingColumn,
    )

    columns = [BarColumn(), MofNCompleteColumn() if label.startswith("Preparing") else
               TaskProgressColumn(), TimeRemainingColumn()]
    with Progress("[progress.description]{task.description}", *columns, transient=True,
                  console=_stderr_console()) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


def prepare_session(routine_obj, quiet: bool = False):
    """prepare(), with a progress line on a terminal while speech is made (phrases done/all)."""
    from voice_coach.session import prepare

    with progress_bar("Preparing speech", enabled=not quiet) as progress:
        return prepare(routine_obj, progress=progress)


# ---------------------------------------------------------------------------------------------


def main() -> None:
    """Console entry point: SIGTERM ends the program like Ctrl-C does, exit status 143."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        app()
    except Terminated:
        err("terminated")
        sys.exit(ExitStatus.TERMINATED)
