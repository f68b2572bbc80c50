"""The render command: one routine, a flight track (--every/--for) or every built-in (--all)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from voice_coach.cli.app import (
    EngineOpt,
    MaxMinutes,
    MaxReps,
    MaxSets,
    RateOpt,
    VoiceOpt,
    app,
    funnel,
    load,
    prepare_session,
    progress_bar,
    voice_words,
    with_voice,
)
from voice_coach.errors import UsageError


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
        "--loudness", help="Speech loudness in LUFS at volume 1.0, speech-gated (default: the "
        "routine's, -16); the file's integrated loudness follows.")] = None,
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
    voice: VoiceOpt = None,
    engine: EngineOpt = None,
    rate: RateOpt = None,
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
    voice_options = (voice, engine, rate)
    if all_:
        if routine is not None or every or for_:
            raise UsageError("--all renders every built-in routine; give no ROUTINE, --every "
                             "or --for with it", "e.g. voice-coach render --all -o sessions/")
        _render_all(output, format_, bitrate, force, options, bed, voice_options, max_minutes,
                    max_reps, max_sets)
        return
    if routine is None:
        raise UsageError("give a ROUTINE to render, or --all",
                         "e.g. voice-coach render ankle-pumps -o ankle-pumps.mp3")
    targets = [output] + ([_sidecar(output, cues)] if cues else [])
    _refuse_existing(targets, force)
    from voice_coach.output.export import format_for

    fmt = format_for(output, format_)
    routine_obj = with_voice(load(routine, max_minutes, max_reps, max_sets), *voice_options)
    background_obj = _resolve_background(bed, routine_obj)
    session = prepare_session(routine_obj)
    tags = ...
    if every or for_:
        session, tags = _flight(session, every, for_, max_minutes)
    _render_one(session, output, fmt, bitrate, force, options, background_obj, tags)


RenderOptions = dict[str, Any]


def _render_options(cues: str | None, loudness: float | None) -> RenderOptions:
    from voice_coach.output.cues import CUE_FORMATS

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

    from voice_coach.routine import Background

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
    from voice_coach.sound.background import check_sound

    background = routine_obj.background if option is ... else option(routine_obj.background)
    check_sound(background)
    return background


def _duration_option(name: str, text: str, low_ms: int, high_ms: int) -> int:
    from voice_coach.routine import DURATION_HINT, format_duration_ms, parse_duration_ms

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

    from voice_coach.output.tags import tags_for
    from voice_coach.session import default_track
    from voice_coach.timeline import format_length_ms, repeat, span_words

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
    from voice_coach.session import render_session
    from voice_coach.timeline import format_length_ms

    with progress_bar("render") as progress:
        done = render_session(session, output, format=fmt, bitrate_kbps=bitrate, force=force,
                              progress=progress, background=background, tags=tags, **options)
    tl = session.timeline
    typer.echo(f"Wrote {output}: {format_length_ms(tl.duration_ms)} ({tl.duration_ms} ms), "
               f"{len(tl.speech())} spoken cues, {len(tl.tones())} tones, "
               f"{len(tl.chapters)} chapters; voice {voice_words(session)}.")
    if done.sidecar is not None:
        typer.echo(f"Wrote {done.sidecar}: {len(tl.speech())} spoken cues.")
    typer.echo(f"Loudness: speech {_lufs(done.speech_lufs)}, file {_lufs(done.predicted_lufs)} "
               "integrated.")


def _lufs(value: float) -> str:
    return f"{value:.1f} LUFS" if value > -100 else "silent"


def _render_all(folder: Path, format_: str | None, bitrate: int | None, force: bool,
                options: RenderOptions, bed, voice_options: tuple, max_minutes: float,
                max_reps: int, max_sets: int) -> None:
    """Every built-in routine into `folder` (made if missing), and voice-coach.m3u listing them."""
    from voice_coach.output.export import format_for, write_text_atomic
    from voice_coach.routine import builtin_names

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
        from voice_coach.errors import OutputError

        raise OutputError(f"cannot create {folder}: {exc.strerror}") from None
    from voice_coach.speech.parallel import workers_kept

    entries = []
    with workers_kept():  # each speech worker loads a Piper model once, not once per routine
        for name, output in zip(names, outputs, strict=True):
            routine_obj = with_voice(load(name, max_minutes, max_reps, max_sets),
                                     *voice_options)
            background = _resolve_background(bed, routine_obj)
            session = prepare_session(routine_obj)
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
    from voice_coach.output.cues import sidecar_path

    return sidecar_path(output, (cues or "").lower())


def _refuse_existing(paths: list[Path], force: bool) -> None:
    for path in paths:
        if path.exists() and not force:
            raise UsageError(f"{path} already exists", "use --force to overwrite it")
