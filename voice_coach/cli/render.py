"""The render command: one routine, a flight track (--every/--for) or every built-in (--all)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from voice_coach import UsageError, counted, defaults
from voice_coach.cli import complete
from voice_coach.cli.app import (
    EngineOpt,
    LanguageOpt,
    MaxMinutes,
    MaxReps,
    MaxSets,
    RateOpt,
    VoiceOpt,
    app,
    finished,
    funnel,
    hint_natural_voice,
    limits,
    load,
    out,
    prepare_session,
    progress_bar,
    stage_progress,
    voice_settings,
    voice_words,
    with_voice,
)
from voice_coach.cli.coach import AsOfOpt, DoseOpt, with_dose
from voice_coach.cli.usage import examples

CueFormat = Literal["vtt", "srt", "lrc", "json"]


@app.command(epilog=examples(
    "render",
    "voice-coach render ankle-pumps -o ankle-pumps.mp3",
    "voice-coach render bedtime -o bedtime.m4a --background brown --loudness -19",
    "voice-coach render my-routine.yaml -o my-routine.mp3 --cues vtt",
    "voice-coach render flight --every 1h --for 6h -o flight.mp3",
    "voice-coach render --all -o sessions/",
    "voice-coach render bedtime -o bedtime-espeak.mp3 --engine espeak",
))
@funnel
def render(
    routine: Annotated[str | None, typer.Argument(
        metavar="ROUTINE", autocompletion=complete.routine,
        help="A routine file, or the name of a built-in routine (none with --all).")] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE",
        help="The file to write (with --all: the folder).")] = None,
    format_: Annotated[str | None, typer.Option(
        "--format", metavar="FORMAT", autocompletion=complete.audio_format,
        help="Audio format (default: from the extension): mp3, m4a, ogg (Opus), flac, wav.")]
    = None,
    bitrate: Annotated[int | None, typer.Option(
        "--bitrate", metavar="KBPS", help="Bitrate in kbps, 8 to 320 (default: MP3 VBR, "
        f"M4A {defaults.M4A_KBPS}, Ogg Opus {defaults.OPUS_KBPS}).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
    cues: Annotated[CueFormat | None, typer.Option(
        "--cues", metavar="FORMAT", case_sensitive=False,
        help="Also write every spoken cue beside the audio: vtt, srt, lrc or json.")] = None,
    loudness: Annotated[float | None, typer.Option(
        "--loudness", metavar="LUFS", help="Speech loudness in LUFS at volume 1.0, "
        f"speech-gated, -40 to -6 (default: the routine's, {defaults.LOUDNESS_LUFS:g}); the file's "
        "integrated loudness follows.")] = None,
    background: Annotated[str | None, typer.Option(
        "--background", metavar="SOUND", autocompletion=complete.background,
        help="Sound under the cues: brown, pink or white noise, a music file, or none "
        "(default: the routine's).")] = None,
    background_level: Annotated[float | None, typer.Option(
        "--background-level", metavar="LUFS", help="Its loudness in LUFS on the "
        f"{defaults.LOUDNESS_LUFS:g} scale (default {defaults.BACKGROUND_LEVEL_LUFS:g}).")] = None,
    duck_depth: Annotated[float | None, typer.Option(
        "--duck-depth", metavar="DB", help="How far it dips under each cue and tone, in dB "
        f"(default {defaults.DUCK_DB:g}).")] = None,
    duck_attack: Annotated[str | None, typer.Option(
        "--duck-attack", metavar="DURATION",
        help="How long the dip takes, e.g. 150ms (it starts before the cue).")] = None,
    duck_release: Annotated[str | None, typer.Option(
        "--duck-release", metavar="DURATION",
        help="How long it takes to come back, e.g. 600ms.")] = None,
    every: Annotated[str | None, typer.Option(
        "--every", metavar="DURATION",
        help="Repeat the routine this often in one long file, e.g. 1h (with --for).")] = None,
    for_: Annotated[str | None, typer.Option(
        "--for", metavar="DURATION", help="How long that file lasts, e.g. 6h.")] = None,
    all_: Annotated[bool, typer.Option(
        "--all", help="Render every built-in routine into the folder -o, with an M3U playlist.")]
    = False,
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
    """Write a routine as an audio file: MP3, M4A, Ogg, FLAC or WAV.

    MP3, M4A, Ogg and FLAC carry chapters and tags; all are at an even loudness. --every/--for
    make one long flight track; --all renders every built-in routine into a folder.
    """
    if language is not None:
        from voice_coach import normalize_language

        language = normalize_language(language)  # a bad one before any file is touched
    if output is None:
        raise UsageError("missing option --output",
                         "e.g. voice-coach render ankle-pumps -o ankle-pumps.mp3")
    if str(output) == "-":
        raise UsageError("-o - (standard output) is not supported: audio files are finished "
                         "by going back to their start (headers, lengths, tags)",
                         "give a file name, e.g. -o ankle-pumps.mp3")
    if bitrate is not None and not 8 <= bitrate <= 320:
        raise UsageError(f"--bitrate must be from 8 to 320 kbps, got {bitrate}")
    options = _render_options(cues, loudness)
    bed = _background_option(background, background_level, duck_depth, duck_attack,
                             duck_release)
    if all_:
        if routine is not None or every or for_:
            raise UsageError("--all renders every built-in routine; give no ROUTINE, --every "
                             "or --for with it", "e.g. voice-coach render --all -o sessions/")
        from voice_coach import VoiceSettings

        limits(max_minutes, max_reps, max_sets)  # bad limits before anything is rendered
        voice_settings(VoiceSettings(), voice, engine, rate)  # bad voice options, likewise
        _render_all(output, format_, bitrate, force, options, bed,
                    lambda name: with_dose(with_voice(load(name, max_minutes, max_reps,
                                                           max_sets, language),
                                                      voice, engine, rate), as_of, dose)[0])
        return
    if routine is None:
        raise UsageError("give a ROUTINE to render, or --all",
                         "e.g. voice-coach render ankle-pumps -o ankle-pumps.mp3")
    fmt = _check_outputs(output, format_, options["cues"], force)
    flight = _flight_options(every, for_, max_minutes) if every or for_ else None
    routine_obj, _ = with_dose(with_voice(load(routine, max_minutes, max_reps, max_sets,
                                               language), voice, engine, rate), as_of, dose)
    background_obj = _resolve_background(bed, routine_obj)
    session = prepare_session(routine_obj)
    if flight is not None:
        session = _flight(session, *flight)
    _render_one(session, output, fmt, bitrate, force, options, background_obj)


RenderOptions = dict[str, Any]


def _render_options(cues: str | None, loudness: float | None) -> RenderOptions:
    from voice_coach import ROUTINE_FIELDS

    low, high = ROUTINE_FIELDS["loudness"].low, ROUTINE_FIELDS["loudness"].high
    if loudness is not None and not low <= loudness <= high:
        raise UsageError(f"--loudness must be from {low:g} to {high:g} LUFS, got {loudness:g}",
                         f"{defaults.LOUDNESS_LUFS:g} suits phones and podcasts; "
                         "-19 to -23 is quieter")
    return {"cues": cues.lower() if cues else None, "loudness_lufs": loudness}


def _background_option(sound: str | None, level: float | None, depth: float | None,
                       attack: str | None, release: str | None):
    """The --background options as a function of the routine's own background (None: no
    option given, the routine's own)."""
    import dataclasses

    from voice_coach import Background

    if sound is None and level is depth is attack is release is None:
        return None
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
    from voice_coach import check_sound, resolve_background

    background = resolve_background(routine_obj, "routine" if option is None else option)
    check_sound(background)
    return background


def _duration_option(name: str, text: str, low_ms: int, high_ms: int) -> int:
    from voice_coach import (
        DURATION_HINT,
        DurationTooLong,
        format_duration_ms,
        parse_duration_ms,
        shown_text,
    )

    try:
        ms = parse_duration_ms(text)
    except DurationTooLong:
        ms = None
    except ValueError as exc:
        raise UsageError(f"{name} must be a duration, got {shown_text(text)}: it {exc}",
                         DURATION_HINT) from None
    if ms is None or not low_ms <= ms <= high_ms:
        raise UsageError(f"{name} must be from {format_duration_ms(low_ms)} to "
                         f"{format_duration_ms(high_ms)}, got {shown_text(text)}")
    return ms


def _flight_options(every: str | None, for_: str | None, max_minutes: float
                    ) -> tuple[str, str, int, int]:
    """--every and --for, checked before any speech is made: (every, for, every_ms, for_ms)."""
    if not every or not for_:
        raise UsageError("--every and --for go together", "e.g. --every 1h --for 6h")
    every_ms = _duration_option("--every", every, 1000, 24 * 3_600_000)
    total_ms = _duration_option("--for", for_, 1000, 7 * 24 * 3_600_000)
    if total_ms > max_minutes * 60_000:
        raise UsageError(f"--for {for_} is longer than the {max_minutes:g}-minute limit",
                         f"raise it with --max-minutes {-(-total_ms // 60_000)}")
    return every, for_, every_ms, total_ms


def _flight(session, every: str, for_: str, every_ms: int, total_ms: int):
    """The session repeated --every … --for … (tracks.flight_session), in the options' words."""
    from voice_coach import flight_session, format_length_ms

    length_ms = session.timeline.duration_ms
    if every_ms < length_ms:
        raise UsageError(f"--every {every} is shorter than the routine "
                         f"({format_length_ms(length_ms)})",
                         f"repeat it less often, e.g. --every {-(-length_ms // 60_000)}m")
    if total_ms < length_ms:
        raise UsageError(f"--for {for_} is shorter than the routine "
                         f"({format_length_ms(length_ms)})")
    return flight_session(session, every_ms=every_ms, total_ms=total_ms)


def _render_one(session, output: Path, fmt: str, bitrate: int | None, force: bool,
                options: RenderOptions, background) -> None:
    from voice_coach import render_session

    def report(done) -> None:  # runs as the files land, before Ctrl-C can stop the program
        _report(session, done)
        finished()

    with progress_bar("render") as progress:
        render_session(session, output, format=fmt, bitrate_kbps=bitrate, force=force,
                       progress=progress, background=background, on_written=report, **options)


def _report(session, done) -> None:

    from voice_coach.cli.summary import counts

    tl = session.timeline
    said = counts(tl, session.routine.language)  # the session's words in its language
    cues = said["cues"]
    out(f"Wrote {done.path}: {said['length']} ({tl.duration_ms} ms), {cues}, {said['tones']}, "
        f"{said['chapters']}; voice {voice_words(session)}.")
    if done.sidecar is not None:
        out(f"Wrote {done.sidecar}: {cues}.")
    out(f"Loudness: speech {_lufs(done.speech_lufs)}, file {_lufs(done.predicted_lufs)} "
        "integrated.")
    hint_natural_voice(session)


def _lufs(value: float) -> str:
    return f"{value:.1f} LUFS" if value > -100 else "silent"


def _render_all(folder: Path, format_: str | None, bitrate: int | None, force: bool,
                options: RenderOptions, bed, loader) -> None:
    """Every built-in routine into `folder` (tracks.render_all), reporting each file."""
    from voice_coach import builtin_names, lstat_or_none, render_all

    if lstat_or_none(folder) is None and _audio_suffix(folder):
        raise UsageError(f"with --all, -o names a folder to fill, and {folder} looks like a "
                         "file name", f"e.g. -o {folder.with_suffix('')}/ (the folder is made "
                         "if missing)")
    from voice_coach.speech.voices import workers_kept

    with stage_progress() as progress, workers_kept():  # each worker loads a Piper model once
        playlist = render_all(folder, format=format_, bitrate_kbps=bitrate, force=force,
                              background="routine" if bed is None else bed, loader=loader,
                              progress=progress, on_rendered=_report, **options)
    out(f"Wrote {playlist}: " + counted(len(builtin_names()), "{n} session", "{n} sessions")
        + ".")
    finished()


def _sidecar(output: Path, cues: str | None) -> Path:
    from voice_coach import sidecar_path

    return sidecar_path(output, (cues or "").lower())


def _check_outputs(output: Path, format_: str | None, cues: str | None, force: bool) -> str:
    """The audio format, once the output and its sidecar are known to be writable: before any
    speech is made. Refuses a folder, a device or other special file, an existing file without
    --force, a format the name contradicts, and a sidecar that would be the audio itself."""
    from voice_coach import check_sidecar, check_target, format_for

    check_target(output, force=force)
    fmt = format_for(output, format_)
    sidecar = _sidecar(output, cues) if cues else None
    check_sidecar(output, sidecar, fmt)
    if sidecar is not None:
        check_target(sidecar, force=force)
    return fmt


def _audio_suffix(path: Path) -> bool:
    from voice_coach import format_for

    try:
        format_for(path)
    except UsageError:
        return False
    return True
