"""The `voice-coach` command: verbs over the pipeline, and the one funnel from errors to exit codes.

Library errors become a message on stderr and an exit code here (2 bad input, 1 runtime failure,
130 Ctrl-C); nothing below this module prints or exits.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import tempfile
import warnings
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
MaxSets = Annotated[int, typer.Option("--max-sets", help="Largest sets count accepted.")]


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
        _err(f"warning: {message}")
    else:
        _python_showwarning(message, category, filename, lineno, file, line)


_python_showwarning = warnings.showwarning


def _err(text: str) -> None:
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


def _load(routine: str, max_minutes: float = 360.0, max_reps: int = 1000, max_sets: int = 100):
    from .spec import DEFAULT_LIMITS, Limits, load_routine

    if not (0 < max_minutes < float("inf") and max_reps > 0 and max_sets > 0):
        raise UsageError(
            "--max-minutes, --max-reps and --max-sets must be positive finite numbers")
    # The cap on cues and tones is a density (per 6 hours), so a longer limit raises it too.
    scale = max(1.0, max_minutes * 60_000 / DEFAULT_LIMITS.max_total_ms)
    limits = Limits(**{**DEFAULT_LIMITS.__dict__, "max_total_ms": int(max_minutes * 60_000),
                       "max_reps": max_reps, "max_sets": max_sets,
                       "max_events": int(DEFAULT_LIMITS.max_events * scale)})
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
    max_sets: MaxSets = 100,
) -> None:
    """Validate a routine, synthesise its speech, and print a summary or every error."""
    session = _prepare(_load(routine, max_minutes, max_reps, max_sets))
    typer.echo(_summary(session))


def _summary(session) -> str:
    from .spec import Exercise
    from .synth import default_engine_name
    from .timeline import format_length_ms

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
    max_sets: MaxSets = 100,
) -> None:
    """Print the timeline: when each cue is spoken and each tone plays."""
    from .timeline import to_text

    session = _prepare(_load(routine, max_minutes, max_reps, max_sets))
    if json_:
        typer.echo(session.timeline.to_json_text(), nl=False)
    else:
        typer.echo(to_text(session.timeline), nl=False)


@app.command()
@funnel
def render(
    routine: Annotated[str | None, typer.Argument(
        metavar="[ROUTINE]",
        help="A routine file, or the name of a built-in routine (none with --all).")] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="The file to write (with --all: the folder).")] = None,
    format_: Annotated[str | None, typer.Option(
        "--format", help="Audio format (default: from the extension): mp3, m4a, ogg (Opus), "
        "flac, wav.")] = None,
    bitrate: Annotated[int | None, typer.Option(
        "--bitrate", help="Bitrate in kbps (default: MP3 VBR, M4A 64, Ogg Opus 48).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    cues: Annotated[str | None, typer.Option(
        "--cues", help="Also write every spoken cue beside the audio: vtt, srt, lrc or json.")]
    = None,
    loudness: Annotated[float | None, typer.Option(
        "--loudness", help="Integrated loudness in LUFS (default: the routine's, -16).")] = None,
    background: Annotated[str | None, typer.Option(
        "--background", help="Sound under the cues: brown, pink or white noise, a music file, "
        "or none (default: the routine's).")] = None,
    background_level: Annotated[float | None, typer.Option(
        "--background-level", help="Its loudness in LUFS on the -16 scale (default -30).")]
    = None,
    duck_depth: Annotated[float | None, typer.Option(
        "--duck-depth", help="How far it dips under each cue and tone, in dB (default -12).")]
    = None,
    duck_attack: Annotated[str | None, typer.Option(
        "--duck-attack", help="How long the dip takes, e.g. 150ms (it starts before the cue).")]
    = None,
    duck_release: Annotated[str | None, typer.Option(
        "--duck-release", help="How long it takes to come back, e.g. 600ms.")] = None,
    every: Annotated[str | None, typer.Option(
        "--every", help="Repeat the routine this often in one long file, e.g. 1h (with --for).")]
    = None,
    for_: Annotated[str | None, typer.Option(
        "--for", help="How long that file lasts, e.g. 6h.")] = None,
    all_: Annotated[bool, typer.Option(
        "--all", help="Render every built-in routine into the folder -o, with an M3U playlist.")]
    = False,
    max_minutes: MaxMinutes = 360.0,
    max_reps: MaxReps = 1000,
    max_sets: MaxSets = 100,
) -> None:
    """Render a routine to an audio file (.mp3, .m4a, .ogg, .flac or .wav) with chapters, tags
    and even loudness; or a flight track (--every/--for); or every built-in routine (--all)."""
    if output is None:
        raise UsageError("missing option '-o' / '--output'",
                         "give the file to write, e.g. -o ankle-pumps.mp3")
    if bitrate is not None and not 8 <= bitrate <= 320:
        raise UsageError(f"--bitrate must be from 8 to 320 kbps, got {bitrate}")
    options = _render_options(cues, loudness)
    bed = _background_option(background, background_level, duck_depth, duck_attack,
                             duck_release)
    if all_:
        if routine is not None or every or for_:
            raise UsageError("--all renders every built-in routine; give no ROUTINE, --every "
                             "or --for with it", "e.g. voice-coach render --all -o sessions/")
        _render_all(output, format_, bitrate, force, options, bed, max_minutes, max_reps,
                    max_sets)
        return
    if routine is None:
        raise UsageError("give a ROUTINE to render, or --all",
                         "e.g. voice-coach render ankle-pumps -o ankle-pumps.mp3")
    targets = [output] + ([_sidecar(output, cues)] if cues else [])
    _refuse_existing(targets, force)
    from .export import format_for

    fmt = format_for(output, format_)
    routine_obj = _load(routine, max_minutes, max_reps, max_sets)
    background_obj = _resolve_background(bed, routine_obj)
    session = _prepare(routine_obj)
    tags = ...
    if every or for_:
        session, tags = _flight(session, every, for_, max_minutes)
    _render_one(session, output, fmt, bitrate, force, options, background_obj, tags)


RenderOptions = dict[str, Any]


def _render_options(cues: str | None, loudness: float | None) -> RenderOptions:
    from .cues import CUE_FORMATS

    if cues is not None and cues.lower() not in CUE_FORMATS:
        raise UsageError(f"unknown --cues format {cues!r}", "formats: " + ", ".join(CUE_FORMATS))
    if loudness is not None and not -40 <= loudness <= -6:
        raise UsageError(f"--loudness must be from -40 to -6 LUFS, got {loudness:g}",
                         "-16 suits phones and podcasts; -19 to -23 is quieter")
    return {"cues": cues.lower() if cues else None, "loudness_lufs": loudness}


def _background_option(sound: str | None, level: float | None, depth: float | None,
                       attack: str | None, release: str | None):
    """The --background options as a function of the routine's own background (or ...)."""
    import dataclasses

    from .spec import Background

    if sound is None and level is depth is attack is release is None:
        return ...
    changes: dict[str, Any] = {}
    if level is not None:
        if not -60 <= level <= -10:
            raise UsageError(f"--background-level must be from -60 to -10 LUFS, got {level:g}",
                             "-30 sits well under the voice; -40 is barely there")
        changes["level_db"] = level
    if depth is not None:
        if not -60 <= depth <= 0:
            raise UsageError(f"--duck-depth must be from -60 to 0 dB, got {depth:g}",
                             "-12 dips the background clearly under each cue; 0 never dips")
        changes["duck_db"] = depth
    for name, text, key in (("--duck-attack", attack, "attack_ms"),
                            ("--duck-release", release, "release_ms")):
        if text is not None:
            changes[key] = _duration_option(name, text, 0, 10_000)

    def resolve(routine_background: Background | None) -> Background | None:
        if sound is not None and sound.strip().lower() in ("none", "off"):
            return None
        base = routine_background
        if sound is not None:
            base = Background(sound.strip().lower() if sound.strip().lower() in
                              ("brown", "pink", "white") else sound)
            if routine_background is not None:  # keep the routine's level and ducking
                base = dataclasses.replace(routine_background, sound=base.sound, base_dir="",
                                           pos=base.pos)
        if base is None:
            raise UsageError("--background-level and --duck-* need a background",
                             "add --background brown (or pink, white, a music file)")
        return dataclasses.replace(base, **changes)

    return resolve


def _resolve_background(option, routine_obj):
    """The background to render: the routine's, or as the options change it; a missing music
    file is refused here, before any speech is made."""
    from .background import check_sound

    background = routine_obj.background if option is ... else option(routine_obj.background)
    check_sound(background)
    return background


def _duration_option(name: str, text: str, low_ms: int, high_ms: int) -> int:
    from .spec import DURATION_HINT, format_duration_ms, parse_duration_ms

    try:
        ms = parse_duration_ms(text)
    except ValueError as exc:
        raise UsageError(f"{name} must be a duration, got {text!r}: it {exc}",
                         DURATION_HINT) from None
    if not low_ms <= ms <= high_ms:
        raise UsageError(f"{name} must be from {format_duration_ms(low_ms)} to "
                         f"{format_duration_ms(high_ms)}, got {text!r}")
    return ms


def _flight(session, every: str | None, for_: str | None, max_minutes: float):
    """The session repeated --every … --for …, and its tags."""
    import dataclasses

    from .session import default_track
    from .tags import tags_for
    from .timeline import format_length_ms, repeat, span_words

    if not every or not for_:
        raise UsageError("--every and --for go together", "e.g. --every 1h --for 6h")
    every_ms = _duration_option("--every", every, 1000, 24 * 3_600_000)
    total_ms = _duration_option("--for", for_, 1000, 7 * 24 * 3_600_000)
    length_ms = session.timeline.duration_ms
    if every_ms < length_ms:
        raise UsageError(f"--every {every} is shorter than the routine "
                         f"({format_length_ms(length_ms)})",
                         f"repeat it less often, e.g. --every {-(-length_ms // 60_000)}m")
    if total_ms < length_ms:
        raise UsageError(f"--for {for_} is shorter than the routine "
                         f"({format_length_ms(length_ms)})")
    if total_ms > max_minutes * 60_000:
        raise UsageError(f"--for {for_} is longer than the {max_minutes:g}-minute limit",
                         f"raise it with --max-minutes {-(-total_ms // 60_000)}")
    timeline = repeat(session.timeline, every_ms, total_ms)
    note = f"Every {span_words(every_ms, one=True)} for {span_words(total_ms)}"
    tags = tags_for(session.routine, timeline, repeat_note=note,
                    track=default_track(session.routine))
    return dataclasses.replace(session, timeline=timeline), tags


def _render_one(session, output: Path, fmt: str, bitrate: int | None, force: bool,
                options: RenderOptions, background, tags=...) -> None:
    from .session import render_session
    from .timeline import format_length_ms

    with _progress("render") as progress:
        done = render_session(session, output, format=fmt, bitrate_kbps=bitrate, force=force,
                              progress=progress, background=background, tags=tags, **options)
    tl = session.timeline
    typer.echo(f"Wrote {output}: {format_length_ms(tl.duration_ms)} ({tl.duration_ms} ms), "
               f"{len(tl.speech())} spoken cues, {len(tl.tones())} tones, "
               f"{len(tl.chapters)} chapters.")
    if done.sidecar is not None:
        typer.echo(f"Wrote {done.sidecar}: {len(tl.speech())} spoken cues.")


def _render_all(folder: Path, format_: str | None, bitrate: int | None, force: bool,
                options: RenderOptions, bed, max_minutes: float, max_reps: int,
                max_sets: int) -> None:
    """Every built-in routine into `folder` (made if missing), and voice-coach.m3u listing them."""
    from .export import format_for, write_text_atomic
    from .spec import builtin_names

    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is not a folder", "with --all, -o names a folder to fill")
    fmt = format_for(folder / "x.mp3", format_)
    names = builtin_names()
    outputs = [folder / f"{name}.{fmt}" for name in names]
    playlist = folder / "voice-coach.m3u"
    sidecars = [_sidecar(o, options["cues"]) for o in outputs] if options["cues"] else []
    _refuse_existing([*outputs, *sidecars, playlist], force)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from .errors import OutputError

        raise OutputError(f"cannot create {folder}: {exc.strerror}") from None
    entries = []
    for name, output in zip(names, outputs, strict=True):
        routine_obj = _load(name, max_minutes, max_reps, max_sets)
        background = _resolve_background(bed, routine_obj)
        session = _prepare(routine_obj)
        _render_one(session, output, fmt, bitrate, force, options, background)
        entries.append((session.timeline, output.name))
    write_text_atomic(playlist, _m3u(entries), force=True)
    typer.echo(f"Wrote {playlist}: {len(entries)} sessions.")


def _m3u(entries) -> str:
    lines = ["#EXTM3U"]
    for timeline, file_name in entries:
        lines += [f"#EXTINF:{round(timeline.duration_ms / 1000)},voice-coach - {timeline.title}",
                  file_name]
    return "\n".join(lines) + "\n"


def _sidecar(output: Path, cues: str | None) -> Path:
    from .cues import sidecar_path

    return sidecar_path(output, (cues or "").lower())


def _refuse_existing(paths: list[Path], force: bool) -> None:
    for path in paths:
        if path.exists() and not force:
            raise UsageError(f"{path} already exists", "use --force to overwrite it")


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


Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="Show nothing while playing.")]


@app.command()
@funnel
def play(
    routine: RoutineArg,
    start_at: Annotated[str | None, typer.Option(
        "--start-at", metavar="DURATION", help="Start part-way, e.g. 1m30s.")] = None,
    from_set: Annotated[int | None, typer.Option(
        "--from-set", metavar="N", help="Start at the beginning of set N.")] = None,
    quiet: Quiet = False,
    max_minutes: MaxMinutes = 360.0,
    max_reps: MaxReps = 1000,
    max_sets: MaxSets = 100,
) -> None:
    """Play a routine through the speakers. Keys: space pause, n next, b back, q quit."""
    from .live import parse_start_at, start_frame
    from .play import open_output, play_session

    start_at_ms = parse_start_at(start_at) if start_at is not None else None
    routine_obj = _load(routine, max_minutes, max_reps, max_sets)
    with open_output(routine) as output:
        session = _prepare(routine_obj, quiet)
        frame = start_frame(session.timeline, start_at_ms, from_set)
        play_session(session, output, start_frame=frame, quiet=quiet)


@app.command()
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
    max_minutes: MaxMinutes = 360.0,
    max_reps: MaxReps = 1000,
    max_sets: MaxSets = 100,
) -> None:
    """Play a routine again and again, e.g. every hour of a flight; a key starts it early."""
    from .live import remind_plan
    from .play import check_output, remind_session

    remind_plan(every, for_, times, session_ms=0)  # bad options before any synthesis
    routine_obj = _load(routine, max_minutes, max_reps, max_sets)
    check_output(routine)
    session = _prepare(routine_obj, quiet)
    plan = remind_plan(every, for_, times, session_ms=session.timeline.duration_ms)
    remind_session(session, plan, routine, quiet)


from .cli_serve import register as _register_serve  # noqa: E402 - needs funnel defined above

_register_serve(app)


def main() -> None:
    """Console entry point: SIGTERM ends the program like Ctrl-C does, exit status 143."""
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        app()
    except Terminated:
        _err("terminated")
        sys.exit(ExitStatus.TERMINATED)


if __name__ == "__main__":
    main()
