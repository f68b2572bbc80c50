"""The whole pipeline in a few calls: the Python API beside the CLI.

load_routine → prepare (synthesise + compose) → render_to_file. Engines and files are passed in
or opened here, at the edge; the stages themselves stay pure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import EllipsisType

import numpy as np

from voice_coach.errors import SpecError, UsageError
from voice_coach.output.tags import Tags
from voice_coach.plan.compose import compose, phrases
from voice_coach.routine import Background, Routine, VoiceSettings
from voice_coach.timeline import Timeline, frames_to_ms

Progress = Callable[[int, int], None]
MIN_FADE_OUT_MS = 1000  # even a routine with fade_out: 0s ends in a fade, never a cut


@dataclass(frozen=True)
class Session:
    """A composed session: its timeline and the speech clips (int16, 22050 Hz) it needs."""

    routine: Routine
    timeline: Timeline
    clips: dict[str, np.ndarray]
    voice: VoiceSettings | None = None  # the engine and voice id that spoke (auto resolved)


@dataclass(frozen=True)
class Rendered:
    """What render_session wrote and the levels it mastered to (LUFS; see master.Mastered):
    speech_lufs, the speech alone, speech-gated; cue_lufs, each spoken cue; predicted_lufs, the
    whole file's integrated loudness."""

    path: Path
    speech_lufs: float
    cue_lufs: float
    predicted_lufs: float
    sidecar: Path | None = None


def prepare(routine: Routine, *, engine=None, cache=..., progress: Progress | None = None
            ) -> Session:
    """Synthesises (or takes from the cache) every phrase, measures it and composes the timeline.
    The clips are made at full volume (the voice's volume is applied when mastering).

    Args:
        routine: a validated routine (see spec.load_routine).
        engine: a SpeechEngine; None opens the routine's engine (voice.engine).
        cache: a ClipCache, None for no cache, or ... for the user's default cache.
        progress: called as progress(phrases_done, phrases_total) while synthesising.
    Raises:
        SpecError: a cue does not fit its slot. EngineError: no speech engine.
    """
    import dataclasses

    from voice_coach.speech import synthesize_voice

    texts = phrases(routine)
    options = {} if cache is ... else {"cache": cache}  # ... = the user's default cache
    # The engine always speaks at full volume: the routine's volume is a level set while
    # mastering (sound.master.voice_level_lufs), so a soft voice is not a quantised one, and
    # every volume shares one cached clip.
    voice = dataclasses.replace(routine.voice, volume=1.0)
    try:
        clips, used = synthesize_voice(texts, voice, engine=engine, progress=progress,
                                       **options)
    except UsageError as exc:  # a voice, rate or volume the engine does not have
        if not routine.voice_pos.path:
            raise
        raise SpecError([routine.voice_pos.diag(exc.message, exc.hint)]) from None
    lengths_ms = {text: frames_to_ms(len(clip)) for text, clip in clips.items()}
    timeline = compose(routine, lengths_ms.__getitem__)
    return Session(routine, timeline, clips, dataclasses.replace(used, volume=routine.voice.volume))


def render_to_file(session: Session, path: Path, *, format: str | None = None,
                   bitrate_kbps: int | None = None, force: bool = False,
                   progress: Progress | None = None, **options) -> Path:
    """Mixes the session and writes it to `path` (.mp3, .m4a, .ogg, .flac, .wav) atomically,
    its speech mastered to the routine's loudness, with tags and chapters; returns the path.

    options: those of render_session (loudness_lufs, background, tags, cues).
    """
    return render_session(session, path, format=format, bitrate_kbps=bitrate_kbps, force=force,
                          progress=progress, **options).path


def render_session(
    session: Session,
    path: Path,
    *,
    format: str | None = None,
    bitrate_kbps: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
    loudness_lufs: float | None = None,
    background: Background | None | EllipsisType = ...,
    tags: Tags | None | EllipsisType = ...,
    cues: str | None = None,
) -> Rendered:
    """Masters, mixes and writes the session; optionally a cue sidecar beside it.

    Args:
        loudness_lufs: the speech loudness at volume 1.0, speech-gated (None: the routine's
            `loudness`); the voice's volume sets it lower, and the file's integrated loudness
            follows (Rendered.predicted_lufs).
        background: a bed under the cues (None for none; ... for the routine's own).
        tags: the file's tags and chapters (None for none; ... made from the routine).
        cues: "vtt", "srt", "lrc" or "json": also write that sidecar (same stem as path).
    Raises UsageError (a file exists without force, a bad format), SpecError/UsageError (a
    background file that is missing or unreadable), OutputError, EngineError.
    """
    from voice_coach.output.cues import cue_text, sidecar_path
    from voice_coach.output.export import format_for, write_audio, write_text_atomic
    from voice_coach.output.tags import tags_for

    fmt = format_for(path, format)
    sidecar = sidecar_path(path, cues) if cues else None
    if sidecar is not None and sidecar.exists() and not force:
        raise UsageError(f"{sidecar} already exists", hint="use --force to overwrite")
    timeline = session.timeline
    mastered, blocks_from = mix_session(session, loudness_lufs=loudness_lufs,
                                        background=background)
    file_tags = tags_for(session.routine, timeline, track=default_track(session.routine)) \
        if tags is ... else tags
    write_audio(path, blocks_from(0), sample_rate=timeline.sample_rate,
                n_frames=timeline.n_frames, format=fmt, bitrate_kbps=bitrate_kbps, force=force,
                progress=progress, tags=file_tags)
    if sidecar is not None and cues is not None:
        write_text_atomic(sidecar, cue_text(timeline, cues, audio_name=Path(path).name),
                          force=True)
    return Rendered(Path(path), mastered.speech_lufs, mastered.cue_lufs, mastered.predicted_lufs,
                    sidecar)


def mix_session(session: Session, *, loudness_lufs: float | None = None,
                background: Background | None | EllipsisType = ...):
    """The session's mix, shared by render and live playback so both give the same samples.

    Masters the clips and tones (once), opens the background bed, and returns
    (mastered, blocks_from) where blocks_from(frame) yields float32 blocks from that frame on.
    loudness_lufs / background: as in render_session.
    """
    from voice_coach.sound.assets import load_tone
    from voice_coach.sound.background import open_bed
    from voice_coach.sound.master import MIX_CEILING_DBFS, master, voice_level_lufs
    from voice_coach.sound.mix import render_blocks

    timeline = session.timeline
    rate = timeline.sample_rate
    target = session.routine.loudness_lufs if loudness_lufs is None else loudness_lufs
    bed_spec = session.routine.background if background is ... else background
    bed = None
    if bed_spec is not None:
        bed = open_bed(bed_spec, timeline.events, target_lufs=target, n_frames=timeline.n_frames,
                       sample_rate=rate, fade_in_ms=session.routine.fade_in_ms)
    tones = {e.tone: load_tone(e.tone, rate) for e in timeline.tones()}
    fade_out_ms = closing_fade_ms(timeline)
    mastered = master(timeline, session.clips, tones,
                      speech_lufs=voice_level_lufs(target, session.routine.voice.volume),
                      bed_powers=bed.step_powers if bed else None, fade_out_ms=fade_out_ms)
    ceiling = 10 ** (MIX_CEILING_DBFS / 20)

    def blocks_from(frame: int) -> Iterator[np.ndarray]:
        return render_blocks(timeline, mastered.clips, mastered.tones, levels=mastered.levels,
                             bed=bed, fade_out_ms=fade_out_ms, ceiling=ceiling,
                             start_frame=frame)

    return mastered, blocks_from


def closing_fade_ms(timeline: Timeline) -> int:
    """The fade at the end: the routine's fade_out, and at least MIN_FADE_OUT_MS of the silence
    after the last cue, so no session ends with a cut (a background would otherwise stop dead)."""
    last_end_ms = max((e.end_ms for e in timeline.events), default=0)
    tail_ms = max(0, timeline.duration_ms - last_end_ms)
    return max(timeline.fade_out_ms, min(MIN_FADE_OUT_MS, tail_ms))


def default_track(routine: Routine) -> str:
    """The track number in tags: a built-in routine's place in the list ("3/7"), else "1"."""
    from voice_coach.routine import builtin_names

    names = builtin_names()
    if routine.path == f"<built-in {routine.name}>" and routine.name in names:
        return f"{names.index(routine.name) + 1}/{len(names)}"
    return "1"
