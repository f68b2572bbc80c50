"""The whole pipeline in a few calls: the Python API beside the CLI.

load_routine → prepare (synthesise + compose) → render_to_file. Engines and files are passed in
or opened here, at the edge; the stages themselves stay pure. Nothing here prints or exits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from voice_coach.basics.errors import EngineError, SpecError, UsageError
from voice_coach.plan.compose import MIN_FADE_OUT_MS, compose, phrases
from voice_coach.plan.timeline import Timeline, frames_to_ms
from voice_coach.routine import Background, Routine, VoiceSettings

if TYPE_CHECKING:
    import numpy as np

    from voice_coach.output.tags import Tags
    from voice_coach.sound.master import Mastered
    from voice_coach.speech import SpeechEngine
    from voice_coach.speech.cache import ClipCache

Progress = Callable[[int, int], None]  # progress(done, total)
if TYPE_CHECKING:
    # A background choice: a bed, None for none, "routine" for the routine's own (or its
    # absence), or a function of the routine's own bed (how the CLI's --background changes it).
    BackgroundChoice = (Background | None | Literal["routine"]
                        | Callable[[Background | None], Background | None])
    CacheChoice = ClipCache | None | Literal["user"]


@dataclass(frozen=True)
class Session:
    """A composed session: its routine, its timeline and the speech clips it needs (int16 mono
    at the timeline's sample rate, 22050 Hz), keyed by text.

    repeat_note: how a flight track repeats the routine ("Every hour for 6 hours"), else "".
    cache_dir: where prepare's speech cache is (mastered mixes are kept beside the clips, in
    its "mastered" folder), or None for no cache.
    warnings: what to tell the user (a named voice of another language, estimated speech).
    estimated: no voice here reads the routine's language; speech lengths are estimates and
    there are no clips (prepare(estimate=True) only).
    voice: the voice that spoke (the language's own when the routine names none).
    """

    routine: Routine
    timeline: Timeline
    clips: dict[str, np.ndarray]
    repeat_note: str = field(default="", compare=False)
    cache_dir: Path | None = field(default=None, compare=False)
    warnings: tuple[str, ...] = field(default=(), compare=False)
    estimated: bool = False
    voice: VoiceSettings | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Rendered:
    """What render_session wrote and the levels it mastered to (LUFS; see master.Mastered):
    speech_lufs, the speech alone, speech-gated; cue_lufs, each spoken cue; predicted_lufs, the
    whole file's integrated loudness as planned (the encoded file measures within a few tenths
    of it); sidecar: the cue sidecar written beside the audio, if any."""

    path: Path
    speech_lufs: float
    cue_lufs: float
    predicted_lufs: float
    sidecar: Path | None = None


def prepare(routine: Routine, *, engine: SpeechEngine | None = None, cache: CacheChoice = "user",
            progress: Progress | None = None, estimate: bool = False) -> Session:
    """Synthesises (or takes from the cache) every phrase, measures it and composes the timeline.
    The clips are made at full volume (the voice's volume is applied when mastering).

    Args:
        routine: a validated routine (see load_routine, parse_routine).
        engine: a SpeechEngine; None opens the routine's engine (its voice block's `engine`).
        cache: "user" for the user's speech cache ($VOICE_COACH_CACHE_DIR, else the platform's
            cache folder), a ClipCache, or None for no cache.
        progress: called as progress(phrases_done, phrases_total) while synthesising.
        estimate: when no voice here reads the routine's language, compose with estimated
            speech lengths (no clips; Session.estimated) instead of raising EngineError.
    Returns:
        The Session; its timeline's times are whole milliseconds.
    Raises:
        SpecError: a cue does not fit its slot, or the voice is not available.
        EngineError: no speech engine, or no voice that reads the routine's language (the hint
        names one to install).
    """
    import dataclasses

    from voice_coach.speech import synthesize_voice
    from voice_coach.speech.cache import ClipCache
    from voice_coach.speech.for_language import choose_voice

    texts = phrases(routine)
    try:
        choice = choose_voice(routine.voice, routine.language, routine.voice_named, engine)
    except UsageError as exc:  # a voice the engine does not have
        if not routine.voice_pos.path:  # named on the command line, not in the file
            raise
        raise SpecError([routine.voice_pos.diag(exc.message, exc.hint)]) from None
    warnings = (choice.warning,) if choice.warning else ()
    if choice.problem:
        if not estimate:
            raise EngineError(choice.problem, choice.hint)
        return _estimated(routine, texts, warnings + (f"{choice.problem}; {choice.hint}",))
    if cache == "user":
        cache = ClipCache.default()
    # The engine always speaks at full volume: the routine's volume is a level set while
    # mastering (sound.master.voice_level_lufs), so a soft voice is not a quantised one, and
    # every volume shares one cached clip.
    voice = dataclasses.replace(choice.settings, volume=1.0)
    try:
        clips, used = synthesize_voice(texts, voice, engine=engine, cache=cache,
                                       progress=progress)
    except UsageError as exc:  # a voice, rate or volume the engine does not have
        if not routine.voice_pos.path:
            raise
        raise SpecError([routine.voice_pos.diag(exc.message, exc.hint)]) from None
    lengths_ms = {text: frames_to_ms(len(clip)) for text, clip in clips.items()}
    timeline = compose(routine, lengths_ms.__getitem__)
    return Session(routine, timeline, clips, cache_dir=cache.root if cache else None,
                   warnings=warnings,
                   voice=dataclasses.replace(used, volume=routine.voice.volume))


def _estimated(routine: Routine, texts: list[str], warnings: tuple[str, ...]) -> Session:
    from voice_coach.speech.estimate import estimate_speech_ms

    lengths_ms = {t: estimate_speech_ms(t, routine.voice.rate_wpm) for t in texts}
    timeline = compose(routine, lengths_ms.__getitem__)
    return Session(routine, timeline, {}, warnings=warnings, estimated=True)


def render_to_file(session: Session, path: Path | str, *, format: str | None = None,
                   bitrate_kbps: int | None = None, force: bool = False,
                   progress: Progress | None = None, loudness_lufs: float | None = None,
                   background: BackgroundChoice = "routine", cues: str | None = None) -> Path:
    """Mixes the session and writes it to `path` (.mp3, .m4a, .ogg, .flac, .wav) atomically,
    its speech mastered to the routine's loudness, with tags and chapters (all formats but WAV);
    returns the path.

    The arguments are render_session's.
    """
    return render_session(session, Path(path), format=format, bitrate_kbps=bitrate_kbps,
                          force=force, progress=progress, loudness_lufs=loudness_lufs,
                          background=background, cues=cues).path


def render_session(
    session: Session,
    path: Path,
    *,
    format: str | None = None,
    bitrate_kbps: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
    loudness_lufs: float | None = None,
    background: BackgroundChoice = "routine",
    tags: Tags | Literal["routine"] | None = "routine",
    cues: str | None = None,
    on_written: Callable[[Rendered], None] | None = None,
) -> Rendered:
    """Masters, mixes and writes the session; optionally a cue sidecar beside it.

    Args:
        path: the audio file to write; its extension gives the format unless `format` does.
        format: "mp3", "m4a", "ogg", "flac" or "wav" (None: from the extension).
        bitrate_kbps: a fixed bitrate for lossy formats (None: MP3 VBR, M4A 64, Ogg Opus 48).
        force: replace an existing file (else OutputExistsError).
        progress: called as progress(frames_done, frames_total) while writing.
        loudness_lufs: the speech loudness at volume 1.0 in LUFS, speech-gated (None: the
            routine's `loudness`, whose default is defaults.LOUDNESS_LUFS); the voice's volume
            sets it lower, and the file's integrated loudness follows (Rendered.predicted_lufs).
        background: a bed under the cues: "routine" for the routine's own, None for none, a
            Background, or a function of the routine's own.
        tags: the file's tags and chapters ("routine": made from the routine; None: none).
        cues: "vtt", "srt", "lrc" or "json": also write that sidecar (same stem as path).
        on_written: called once both files are in place, before Ctrl-C or SIGTERM can stop
            the program (to say what was written).
    The audio and its sidecar are put in place together or not at all; without force no
    existing file is replaced, even one that appears while rendering (see output.atomic).
    Raises UsageError (a file exists without force, a bad format), SpecError/UsageError (a
    background file that is missing or unreadable), OutputError, EngineError.
    """
    from voice_coach.output.atomic import OutputSet, write_text_file
    from voice_coach.output.cues import cue_text, sidecar_path
    from voice_coach.output.export import encode_audio, format_for

    path = Path(path)
    fmt = format_for(path, format)
    sidecar = sidecar_path(path, cues) if cues else None
    check_sidecar(path, sidecar, fmt)
    timeline = session.timeline
    file_tags = session_tags(session) if tags == "routine" else tags
    mixed: list[Mastered] = []

    def blocks() -> Iterator[np.ndarray]:  # called once the encoder is starting up
        mastered, blocks_from = mix_session(session, loudness_lufs=loudness_lufs,
                                            background=background)
        mixed.append(mastered)
        return blocks_from(0)

    with OutputSet(force=force) as outputs:
        # both targets are checked (and their temps made) before the long encode starts
        audio_tmp = outputs.stage(path)
        sidecar_tmp = outputs.stage(sidecar) if sidecar is not None else None
        encode_audio(audio_tmp, path, blocks, sample_rate=timeline.sample_rate,
                     n_frames=timeline.n_frames, format=fmt, bitrate_kbps=bitrate_kbps,
                     progress=progress, tags=file_tags)  # type: ignore[arg-type]  # not "routine"
        if sidecar is not None and sidecar_tmp is not None and cues is not None:
            write_text_file(sidecar_tmp, cue_text(timeline, cues, audio_name=path.name), sidecar)
        done = mixed[0]
        rendered = Rendered(path, done.speech_lufs, done.cue_lufs, done.predicted_lufs, sidecar)
        # the audio and its sidecar land together or not at all; Ctrl-C waits for both
        outputs.commit(None if on_written is None else lambda: on_written(rendered))
    return rendered


def check_sidecar(audio: Path, sidecar: Path | None, fmt: str) -> None:
    """UsageError when the cue sidecar would be the audio file itself (-o out.vtt --cues vtt):
    one would replace the other."""
    import os

    if sidecar is None:
        return
    if os.path.normcase(os.path.abspath(audio)) == os.path.normcase(os.path.abspath(sidecar)):
        raise UsageError(f"the cue file would be {sidecar}, the audio file itself",
                         hint=f"name the audio file {Path(audio).with_suffix('.' + fmt).name}")


def session_tags(session: Session) -> Tags:
    """The tags render_session writes by default: title, comment, track, album, chapters."""
    from voice_coach.output.tags import tags_for

    return tags_for(session.routine, session.timeline, repeat_note=session.repeat_note,
                    track=default_track(session.routine))




def resolve_background(session_or_routine: Session | Routine,
                       background: BackgroundChoice = "routine") -> Background | None:
    """The bed a background choice gives for this routine (see render_session)."""
    routine = getattr(session_or_routine, "routine", session_or_routine)
    if background == "routine":
        return routine.background
    if callable(background):
        return background(routine.background)
    return background  # type: ignore[return-value]  # a Background or None


def mix_session(session: Session, *, loudness_lufs: float | None = None,
                background: BackgroundChoice = "routine"
                ) -> tuple[Mastered, Callable[[int], Iterator[np.ndarray]]]:
    """The session's mix, shared by render and live playback so both give the same samples.

    Masters the clips and tones (once), opens the background bed, and returns
    (mastered, blocks_from) where blocks_from(frame) yields float32 blocks from that frame on.
    loudness_lufs / background: as in render_session.
    """
    from voice_coach.session.mastered_cache import cached_master
    from voice_coach.sound.assets import load_tone
    from voice_coach.sound.background import open_bed
    from voice_coach.sound.master import MIX_CEILING_DBFS, gate_steps, master, voice_level_lufs
    from voice_coach.sound.mix import render_blocks

    timeline = session.timeline
    rate = timeline.sample_rate
    target = session.routine.loudness_lufs if loudness_lufs is None else loudness_lufs
    bed_spec = resolve_background(session, background)
    bed = None
    if bed_spec is not None:
        bed = open_bed(bed_spec, timeline.events, target_lufs=target, n_frames=timeline.n_frames,
                       sample_rate=rate, fade_in_ms=session.routine.fade_in_ms)
    tones = {e.tone: load_tone(e.tone, rate) for e in timeline.tones()}
    fade_out_ms = closing_fade_ms(timeline)
    folder = session.cache_dir / "mastered" if session.cache_dir is not None else None
    mastered = cached_master(master, folder, timeline, session.clips, tones,
                             bed_powers=bed.step_powers(gate_steps(timeline)) if bed else None,
                             speech_lufs=voice_level_lufs(target, session.routine.voice.volume),
                             fade_out_ms=fade_out_ms)
    ceiling = 10 ** (MIX_CEILING_DBFS / 20)

    def blocks_from(frame: int) -> Iterator[np.ndarray]:
        return render_blocks(timeline, mastered.clips, mastered.tones, levels=mastered.levels,
                             bed=bed, fade_out_ms=fade_out_ms, ceiling=ceiling,
                             start_frame=frame)

    return mastered, blocks_from


def pcm_source(session: Session, *, loudness_lufs: float | None = None,
               background: BackgroundChoice = "routine") -> Callable[[int], Iterator[bytes]]:
    """frame → 16-bit little-endian mono PCM blocks from that frame to the end: the very samples
    render writes, for live playback (mastered once, here, before the first sample)."""
    from voice_coach.sound.mix import to_pcm16

    _, mixed_from = mix_session(session, loudness_lufs=loudness_lufs, background=background)

    def blocks_from(frame: int) -> Iterator[bytes]:
        for block in mixed_from(frame):
            yield to_pcm16(block)

    return blocks_from


def closing_fade_ms(timeline: Timeline) -> int:
    """The fade at the end, in ms: the routine's fade_out, and at least MIN_FADE_OUT_MS of the
    silence after the last cue, so no session ends with a cut (a background would otherwise stop
    dead)."""
    last_end_ms = max((e.end_ms for e in timeline.events), default=0)
    tail_ms = max(0, timeline.duration_ms - last_end_ms)
    return max(timeline.fade_out_ms, min(MIN_FADE_OUT_MS, tail_ms))


def default_track(routine: Routine) -> str:
    """The track number in tags: a built-in routine's place in the list ("3/7"), else "1"."""
    from voice_coach.routine import builtin_names, builtin_path

    names = builtin_names()
    if routine.path == builtin_path(routine.name, routine.language) and routine.name in names:
        return f"{names.index(routine.name) + 1}/{len(names)}"
    return "1"
