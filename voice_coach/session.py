"""The whole pipeline in a few calls: the Python API beside the CLI.

load_routine → prepare (synthesise + compose) → render_to_file. Engines and files are passed in
or opened here, at the edge; the stages themselves stay pure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .compose import compose, phrases
from .errors import SpecError, UsageError
from .spec import Routine
from .timeline import Timeline, frames_to_ms

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Session:
    """A composed session: its timeline and the speech clips (int16, 22050 Hz) it needs."""

    routine: Routine
    timeline: Timeline
    clips: dict[str, np.ndarray]


def prepare(routine: Routine, *, engine=None, cache=..., progress: Progress | None = None
            ) -> Session:
    """Synthesises (or takes from the cache) every phrase, measures it and composes the timeline.

    Args:
        routine: a validated routine (see spec.load_routine).
        engine: a SpeechEngine; None opens the routine's engine (voice.engine).
        cache: a ClipCache, None for no cache, or ... for the user's default cache.
        progress: called as progress(phrases_done, phrases_total) while synthesising.
    Raises:
        SpecError: a cue does not fit its slot. EngineError: no speech engine.
    """
    from .synth import synthesize_all

    texts = phrases(routine)
    options = {} if cache is ... else {"cache": cache}  # ... = the user's default cache
    try:
        clips = synthesize_all(texts, routine.voice, engine=engine, progress=progress, **options)
    except UsageError as exc:  # a voice, rate or volume the engine does not have
        raise SpecError([routine.voice_pos.diag(exc.message, exc.hint)]) from None
    lengths_ms = {text: frames_to_ms(len(clip)) for text, clip in clips.items()}
    timeline = compose(routine, lengths_ms.__getitem__)
    return Session(routine, timeline, clips)


def render_to_file(session: Session, path: Path, *, format: str | None = None,
                   bitrate_kbps: int = 64, force: bool = False,
                   progress: Progress | None = None) -> Path:
    """Mixes the session and writes it to `path` (.mp3, .wav, …) atomically; returns the path."""
    from .assets import load_tone
    from .export import write_audio
    from .render import render_blocks

    timeline = session.timeline
    tones = {e.tone: load_tone(e.tone, timeline.sample_rate) for e in timeline.tones()}
    blocks = render_blocks(timeline, session.clips, tones)
    return write_audio(path, blocks, sample_rate=timeline.sample_rate, n_frames=timeline.n_frames,
                       format=format, bitrate_kbps=bitrate_kbps, force=force, progress=progress)
