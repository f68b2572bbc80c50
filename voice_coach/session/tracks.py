"""Sessions made of sessions: a flight track (one routine repeated, say, every hour in one long
file) and every built-in routine rendered at once with an M3U playlist.

Library functions, the ones `render --every/--for` and `render --all` call; nothing here prints
or names a command-line option.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from voice_coach.basics.errors import OutputError, UsageError
from voice_coach.plan.timeline import Timeline, format_length_ms, repeat
from voice_coach.routine import DEFAULT_LIMITS, Limits, Routine
from voice_coach.session.pipeline import (
    Rendered,
    Session,
    prepare,
    render_session,
    resolve_background,
)

if TYPE_CHECKING:
    from voice_coach.session.pipeline import BackgroundChoice, CacheChoice

PLAYLIST_NAME = "voice-coach.m3u"
# progress(routine_name, stage, done, total): stage "speech" (phrases) or "render" (frames)
AllProgress = Callable[[str, str, int, int], None]


def flight_session(session: Session, *, every_ms: int, total_ms: int) -> Session:
    """The session repeated every `every_ms` milliseconds for `total_ms` in one long session: a
    flight track. Each repetition is a chapter ("Hour 2 — In-flight ankle pumps"); events move by
    whole milliseconds; the tags say how it repeats. The result lasts total_ms (or until the last
    repetition ends, if later).

    Raises UsageError when every_ms or total_ms is shorter than the session itself.
    """
    length_ms = session.timeline.duration_ms
    if every_ms < length_ms:
        raise UsageError(f"repeating every {format_length_ms(every_ms)} is shorter than the "
                         f"routine ({format_length_ms(length_ms)})",
                         "repeat it less often than the routine lasts")
    if total_ms < length_ms:
        raise UsageError(f"a track of {format_length_ms(total_ms)} is shorter than the routine "
                         f"({format_length_ms(length_ms)})")
    from voice_coach.lang import words_for

    words = words_for(session.routine.language)  # chapters and tags in the routine's language
    timeline = repeat(session.timeline, every_ms, total_ms, words)
    note = words.repeat_note(every_ms, total_ms)
    return dataclasses.replace(session, timeline=timeline, repeat_note=note)


def render_all(
    folder: Path | str,
    *,
    names: Sequence[str] | None = None,
    format: str | None = None,
    bitrate_kbps: int | None = None,
    force: bool = False,
    cues: str | None = None,
    loudness_lufs: float | None = None,
    background: BackgroundChoice = "routine",
    limits: Limits = DEFAULT_LIMITS,
    cache: CacheChoice = "user",
    progress: AllProgress | None = None,
    on_rendered: Callable[[Session, Rendered], None] | None = None,
    loader: Callable[[str], Routine] | None = None,
) -> Path:
    """Renders every built-in routine (or those in `names`) into `folder`, made if missing, as
    NAME.FORMAT (with a cue sidecar each when `cues` is given), then writes the playlist
    folder/voice-coach.m3u listing them in order; returns the playlist's path.

    format: as in render_session, default "mp3"; the other arguments are render_session's and
    prepare's, applied to every routine. on_rendered(session, rendered) is called as each file
    lands. loader(name) makes each Routine (default: load_routine(name, limits); the CLI's
    also applies the user's config). Nothing is rendered when any file to write exists and
    force is False (OutputExistsError), or when `folder` is a file (UsageError).
    """
    from voice_coach.output.atomic import write_text_atomic
    from voice_coach.output.cues import sidecar_path
    from voice_coach.output.export import format_for
    from voice_coach.output.targets import check_target
    from voice_coach.routine import builtin_names, load_routine
    from voice_coach.sound.music_file import check_sound

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder} is not a folder", "render every routine into a folder")
    fmt = format_for(Path("session.mp3") if format is None else Path("session"), format)
    names = list(builtin_names() if names is None else names)
    outputs = [folder / f"{name}.{fmt}" for name in names]
    playlist = folder / PLAYLIST_NAME
    sidecars = [sidecar_path(o, cues.lower()) for o in outputs] if cues else []
    for path in (*outputs, *sidecars, playlist):
        check_target(path, force=force)  # exists without force, a device, a link, a folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {folder}: {exc.strerror}") from None
    entries = []
    for name, output in zip(names, outputs, strict=True):
        routine = loader(name) if loader is not None else load_routine(name, limits)
        bed = resolve_background(routine, background)
        check_sound(bed)  # a missing music file is refused before any speech is made
        session = prepare(routine, cache=cache, progress=_stage(progress, name, "speech"))
        told = None if on_rendered is None else (
            lambda done, session=session: on_rendered(session, done))  # as the files land
        render_session(session, output, format=fmt, bitrate_kbps=bitrate_kbps, force=force,
                       progress=_stage(progress, name, "render"), loudness_lufs=loudness_lufs,
                       background=bed, cues=cues.lower() if cues else None, on_written=told)
        entries.append((session.timeline, output.name))
    write_text_atomic(playlist, m3u(entries), force=force)
    return playlist


def m3u(entries: Sequence[tuple[Timeline, str]]) -> str:
    """An extended M3U playlist: for each (timeline, file name) its length in whole seconds and
    title, then the file name (relative, so the folder can move)."""
    lines = ["#EXTM3U"]
    for timeline, file_name in entries:
        lines += [f"#EXTINF:{round(timeline.duration_ms / 1000)},voice-coach - {timeline.title}",
                  file_name]
    return "\n".join(lines) + "\n"


def _stage(progress: AllProgress | None, name: str, stage: str):
    if progress is None:
        return None
    return lambda done, total: progress(name, stage, done, total)
