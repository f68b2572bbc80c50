"""The `voice-coach` command: verbs over the pipeline, and the one funnel from errors to exit codes.

Library errors become a message on stderr and an exit code here (2 bad input, 1 runtime failure,
130 Ctrl-C); nothing below this module prints or exits.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import signal
import sys
import traceback
import warnings
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from voice_coach import ExitStatus, SpecError, UsageError, VoiceCoachError, defaults
from voice_coach.cli import complete
from voice_coach.cli.progress import progress_bar, stage_progress  # noqa: F401 (re-exported)
from voice_coach.cli.usage import Group, examples

app = typer.Typer(
    name="voice-coach",
    cls=Group,
    help="Voice-guided exercise sessions from routine files: check, plan, render, play.",
    epilog=examples(
        "voice-coach",
        "voice-coach routines                         # the built-in routines",
        "voice-coach check ankle-pumps",
        "voice-coach render ankle-pumps -o ankle-pumps.mp3",
        "voice-coach play ankle-pumps",
        "voice-coach COMMAND --help                   # a command's options and examples",
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: no boxes, no colour, readable by screen readers
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])
_state = {"traceback": False, "finished": False}

RoutineArg = Annotated[str, typer.Argument(
    metavar="ROUTINE", autocompletion=complete.routine,
    help="A routine file, or the name of a built-in routine.")]
LONGEST_MAX_MINUTES = 7 * 24 * 60  # as long as the longest flight track (--for)
MaxMinutes = Annotated[float, typer.Option(
    "--max-minutes", metavar="MINUTES",
    help="Refuse sessions longer than this (guards against typos).")]
MaxReps = Annotated[int, typer.Option(
    "--max-reps", metavar="N", help="Largest repetitions count accepted.")]
MaxSets = Annotated[int, typer.Option("--max-sets", metavar="N",
                                      help="Largest sets count accepted.")]
LanguageOpt = Annotated[str | None, typer.Option(
    "--language", metavar="LANG", autocompletion=complete.language,
    help="Language of the session: a built-in routine in it, or a file's language: replaced "
    "(en, de, fr, es, it, pt, nl, zh).")]
VoiceOpt = Annotated[str | None, typer.Option(
    "--voice", metavar="VOICE", autocompletion=complete.voice,
    help="Speak with this voice instead of the routine's: an id from 'voice-coach voices' "
    "(en_US-joe-medium, gmw/en-US) or a language (en, de).")]
EngineOpt = Annotated[str | None, typer.Option(
    "--engine", metavar="ENGINE", autocompletion=complete.engine,
    help="Speech engine instead of the routine's: auto (Piper when a Piper voice for the "
    "language is installed, else Pico for en, de, fr, es, it), piper, pico, espeak or pyttsx3.")]
RateOpt = Annotated[int | None, typer.Option(
    "--rate", metavar="WPM", help="Speaking rate in words per minute (80 to 450), instead of "
    "the routine's.")]
ENGINE_CHOICES = ("auto", "piper", "pico", "espeak", "pyttsx3")


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so every cleanup runs as for Ctrl-C."""


def _on_sigterm(signum: int, frame: Any) -> None:
    if not _state["finished"]:
        raise Terminated()


def _on_sigint(signum: int, frame: Any) -> None:
    if not _state["finished"]:
        raise KeyboardInterrupt()


def finished() -> None:
    """The command's work is done and reported: a Ctrl-C or SIGTERM from now on changes nothing,
    so the program exits 0 as it said, instead of "interrupted" after "Wrote …"."""
    _state["finished"] = True


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Our own warnings (an unusable speech cache) as one clean line; others as Python does."""
    if category.__module__.startswith("voice_coach"):
        err(f"warning: {message}")
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


_python_showwarning = warnings.showwarning


# The library's hints name arguments and Limits fields; the CLI names its options instead.
CLI_WORDS = (
    ("pass force=True to overwrite it", "use --force to overwrite it"),
    ("raise it with Limits.max_reps", "raise it with --max-reps"),
    ("raise it with Limits.max_sets", "raise it with --max-sets"),
    ("raise the limit with Limits.max_total_ms", "raise the limit with --max-minutes"),
    ("(Limits.max_events raises this limit)", "(--max-minutes raises this limit too)"),
    ("then play again from where it stopped", "then play again with --start-at"),
    ("or give the format (", "or pass --format ("),
    ("name a mirror with mirror=URL", "name a mirror with --mirror URL"),
    ("e.g. mirror=https://", "e.g. --mirror https://"),
    ("unknown engine= ", "unknown --engine "),
    ("leave voice= out", "leave --voice out"),
)


def cli_words(text: str) -> str:
    for library, cli in CLI_WORDS:
        text = text.replace(library, cli)
    return text


def _in_cli_words(exc: VoiceCoachError) -> None:
    """The error's hints as the command line says them (--force, --max-reps, ...)."""
    exc.hint = cli_words(exc.hint)
    exc.message = cli_words(exc.message)
    if isinstance(exc, SpecError):
        exc.diagnostics = [dataclasses.replace(d, hint=cli_words(d.hint))
                           for d in exc.diagnostics]


def err(text: str) -> None:
    _erase_status()
    typer.echo(printable(text), err=True)


def _erase_status() -> None:
    """A progress line on the terminal is cleared before any other line is printed."""
    from voice_coach.cli.progress import erase_status

    erase_status()


def out(text: str, nl: bool = True) -> None:
    """Print to stdout with any control character escaped (a routine's titles and cues, file
    names): nothing from a routine file can drive the terminal."""
    _erase_status()
    typer.echo(printable(text), nl=nl)


def printable(text: str) -> str:
    """text with control characters (but newlines) and bidirectional overrides escaped as \\xNN
    or \\uNNNN, so an escape sequence in a file or a file name is shown, never obeyed."""
    from voice_coach import escape_controls

    return escape_controls(text)


def funnel(fn: F) -> F:
    """Turns library errors into stderr text and an exit code; Ctrl-C into 130."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            with warnings.catch_warnings():
                warnings.showwarning = _show_warning
                return fn(*args, **kwargs)
        except VoiceCoachError as exc:
            if _state["traceback"]:  # the whole story, with the exit status it would have had
                traceback.print_exc()
            _in_cli_words(exc)
            err(exc.format())
            raise typer.Exit(int(exc.exit_code)) from None
        except BrokenPipeError:  # `voice-coach voices | head -1`: the reader has what it wanted
            _quiet_stdout()
            raise typer.Exit(0) from None
        except KeyboardInterrupt:
            if _state["traceback"]:
                traceback.print_exc()
            err("interrupted")
            raise typer.Exit(int(ExitStatus.INTERRUPTED)) from None

    return wrapper  # type: ignore[return-value]


@app.callback()
def _main(
    traceback: Annotated[bool, typer.Option(
        "--traceback", help="Show the full Python traceback of an error (for developers).")]
    = False,
    version: Annotated[bool, typer.Option(
        "--version", "-V", is_eager=True, callback=lambda value: _print_version(value),
        help="Print the version of voice-coach and exit.")] = False,
) -> None:
    """Voice-guided exercise sessions from routine files."""
    _state["traceback"] = traceback
    _state["finished"] = False


def _print_version(value: bool) -> None:
    if value:
        from voice_coach import __version__

        typer.echo(f"voice-coach {__version__}")
        raise typer.Exit()


def limits(max_minutes: float = defaults.MAX_MINUTES, max_reps: int = defaults.MAX_REPS,
           max_sets: int = defaults.MAX_SETS):
    """The routine limits --max-minutes, --max-reps and --max-sets ask for."""
    from voice_coach import DEFAULT_LIMITS, Limits

    if not (0 < max_minutes < float("inf") and max_reps > 0 and max_sets > 0):
        raise UsageError(
            "--max-minutes, --max-reps and --max-sets must be positive finite numbers")
    if max_minutes > LONGEST_MAX_MINUTES:
        raise UsageError(f"--max-minutes must be at most {LONGEST_MAX_MINUTES:,} (a week), got "
                         f"{max_minutes:g}", "the longest session voice-coach makes is a week "
                         "(a flight track, --for 168h)")
    # The cap on cues and tones is a density (per 6 hours), so a longer limit raises it too.
    scale = max(1.0, max_minutes * 60_000 / DEFAULT_LIMITS.max_total_ms)
    return Limits(**{**DEFAULT_LIMITS.__dict__, "max_total_ms": int(max_minutes * 60_000),
                     "max_reps": max_reps, "max_sets": max_sets,
                     "max_events": int(DEFAULT_LIMITS.max_events * scale)})


def load(routine: str, max_minutes: float = defaults.MAX_MINUTES,
         max_reps: int = defaults.MAX_REPS, max_sets: int = defaults.MAX_SETS,
         language: str | None = None):
    """The routine with the limits the options ask for and the user's config applied; in
    `language` (--language) when given."""
    from voice_coach.practice import load_config, load_configured

    # config.toml: its [voice] language means what --language means
    return load_configured(routine, limits(max_minutes, max_reps, max_sets), language,
                           load_config())


def with_voice(routine_obj, voice: str | None = None, engine: str | None = None,
               rate: int | None = None):
    """The routine with --voice, --engine and --rate in place of its voice block's values.

    Errors about a voice given here are plain usage errors, not located in the routine file."""
    from voice_coach import Pos

    if voice is None and engine is None and rate is None:
        return routine_obj
    settings = voice_settings(routine_obj.voice, voice, engine, rate)
    where = Pos("") if voice is not None or engine is not None else routine_obj.voice_pos
    named = routine_obj.voice_named or voice is not None  # --voice names it: the language
    return dataclasses.replace(routine_obj, voice=settings, voice_pos=where,  # won't pick
                               voice_named=named)


def voice_settings(base, voice: str | None, engine: str | None, rate: int | None):
    """`base` (VoiceSettings) with the options' values; --voice without --engine lets the voice
    pick its engine (auto). UsageError for an unknown engine or a rate out of range."""
    from voice_coach.speech.voices import MAX_RATE_WPM, MIN_RATE_WPM

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


def hint_natural_voice(session) -> None:
    """On stderr, one line when the session speaks in a formant voice (or Pico's) that `engine:
    auto` chose and a natural (Piper) voice exists for its language: which, and how to get it."""
    from voice_coach.speech.voices import natural_voice_missing

    used = session.voice or session.routine.voice
    found = natural_voice_missing(used.engine, session.routine.language,
                                  session.routine.voice.engine == "auto")
    if found is None:
        return
    get = f"voice-coach voices install {found.voice}"
    if not found.engine_installed:
        get = f"pip install 'voice-coach[piper]' and {get}"
    kind = "SVOX Pico's offline voice" if used.engine == "pico" else "a formant voice"
    err(f"hint: this {found.language_name} session speaks in {kind}; a natural one "
        f"exists: {get} (or ./scripts/setup --voice {found.voice} in a clone)")


def prepare_session(routine_obj, quiet: bool = False, estimate: bool = False):
    """The session (see session.prepare), its warnings printed on stderr."""
    from voice_coach import prepare

    with progress_bar("Preparing speech", enabled=not quiet) as progress:
        session = prepare(routine_obj, progress=progress, estimate=estimate)
    # Once the routine has no error: what it sets that does nothing (errors come alone first).
    for warning in routine_obj.warnings:
        err(warning.format())
    for warning in session.warnings:  # a voice of another language, estimated speech
        err(f"warning: {warning}")
    from voice_coach import room_notes

    for note in room_notes(session.timeline):  # what was left out to make room
        err(note.format())
    return session


# ---------------------------------------------------------------------------------------------


def _quiet_stdout() -> None:
    """stdout to /dev/null, so Python's flush at exit does not fail again on the closed pipe."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main() -> None:
    """Console entry point: SIGTERM ends the program like Ctrl-C does, exit status 143."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        app()
    except BrokenPipeError:  # `voice-coach voices | head -1`: the reader has all it wanted
        _quiet_stdout()
        sys.exit(0)
    except Terminated:
        err("terminated")
        sys.exit(int(ExitStatus.TERMINATED))
    except KeyboardInterrupt:  # outside any command's funnel (while starting or exiting)
        err("interrupted")
        sys.exit(int(ExitStatus.INTERRUPTED))
    finally:
        # The outcome is decided and said. Python puts its own handlers back to the default
        # while it shuts down, and a SIGTERM then killed the process with no word after it had
        # said "Wrote …"; ignored signals stay ignored, so it exits with the status it chose.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
