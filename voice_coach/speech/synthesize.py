"""Synthesis: the clips for a session's cue texts, from the cache where it has them and from the
engine for the rest (in worker processes when that pays). It must not place, mix or play them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Literal

import numpy as np

from voice_coach.basics.errors import UsageError
from voice_coach.routine.model import VoiceSettings
from voice_coach.speech import engines
from voice_coach.speech.engine_api import SpeechEngine
from voice_coach.speech.voice_names import engine_voice

if TYPE_CHECKING:
    from voice_coach.speech.cache import ClipCache

MIN_RATE_WPM = 80
MAX_RATE_WPM = 450


def check_settings(settings: VoiceSettings) -> None:
    """Raise UsageError if the rate or volume is out of range."""
    if not MIN_RATE_WPM <= settings.rate_wpm <= MAX_RATE_WPM:
        raise UsageError(
            f"speech rate {settings.rate_wpm} wpm is out of range",
            hint=f"use {MIN_RATE_WPM}..{MAX_RATE_WPM} words per minute (default 160)",
        )
    if not 0.0 <= settings.volume <= 1.0:
        raise UsageError(
            f"speech volume {settings.volume} is out of range", hint="use 0.0..1.0 (default 1.0)"
        )


def synthesize_all(
    texts: Iterable[str],
    settings: VoiceSettings,
    *,
    engine: SpeechEngine | None = None,
    cache: ClipCache | Literal["user"] | None = "user",
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> dict[str, np.ndarray]:
    """Clips for every distinct text: {text: int16 mono clip at SAMPLE_RATE, trimmed}.

    Only cache misses reach the engine; `progress(done, total)` is called once per distinct text.
    Whitespace-only text gives an empty clip. Raises UsageError for a bad voice, rate or volume.
    cache: "user" for the user's cache (ClipCache.default()), a ClipCache, or None for none.
    workers: processes for the cache misses when the engine is opened here (engine=None):
    None = one per core once there are enough misses to repay starting them, 1 = this process.
    """
    return synthesize_voice(texts, settings, engine=engine, cache=cache, progress=progress,
                            workers=workers)[0]


def synthesize_voice(
    texts: Iterable[str],
    settings: VoiceSettings,
    *,
    engine: SpeechEngine | None = None,
    cache: ClipCache | Literal["user"] | None = "user",
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> tuple[dict[str, np.ndarray], VoiceSettings]:
    """synthesize_all's clips, and the voice that spoke them: the settings with the engine and
    voice id actually used ("auto" and "en" resolved, e.g. piper / en_US-joe-medium)."""
    from voice_coach.speech.cache import VoiceCache, usable_cache

    check_settings(settings)
    unique = list(dict.fromkeys(texts))
    own_engine = engine is None
    if engine is None:
        engine = engines.open_engine(engines.engine_for(settings))
    try:
        used = resolve_settings(settings, engine)
        voice_id = used.voice
        store = VoiceCache(usable_cache(cache), engine, voice_id, settings)
        clips: dict[str, np.ndarray | None] = {}
        done = 0
        for text in unique:
            clips[text] = store.get(text)
            if clips[text] is not None:
                done += 1
                if progress is not None:
                    progress(done, len(unique))
        misses = [text for text, clip in clips.items() if clip is None]
        for text, clip in _synthesize_misses(misses, engine, voice_id, settings, own_engine,
                                             workers):
            clips[text] = store.put(text, clip)
            done += 1
            if progress is not None:
                progress(done, len(unique))
        return clips, used  # type: ignore[return-value]  # every None was replaced
    finally:
        if own_engine:
            engine.close()


def resolve_settings(settings: VoiceSettings, engine: SpeechEngine | None = None
                     ) -> VoiceSettings:
    """settings with the engine and voice id that speak them ("auto" and "en" resolved, e.g.
    piper / en_US-joe-medium), without speaking: on `engine`, or one opened here for them."""
    own = engine is None
    if engine is None:
        engine = engines.open_engine(engines.engine_for(settings))
    try:
        return VoiceSettings(engine=engine.name, voice=engine_voice(engine, settings.voice),
                             rate_wpm=settings.rate_wpm, volume=settings.volume)
    finally:
        if own:
            engine.close()


def _synthesize_misses(
    misses: list[str],
    engine: SpeechEngine,
    voice_id: str,
    settings: VoiceSettings,
    own_engine: bool,
    workers: int | None,
) -> Iterable[tuple[str, np.ndarray]]:
    """(text, clip) for each miss, in order: in worker processes when that pays, else here.

    Only an engine opened here can be opened again in workers (one passed in may be a fake)."""
    if not misses:  # a warm cache: no need to load multiprocessing
        return ()
    from voice_coach.speech import parallel

    if own_engine and parallel.worth_it(engine.name, len(misses), workers):
        return parallel.synthesize_parallel(
            misses, engine.name, voice_id, settings.rate_wpm, settings.volume, workers
        )
    return ((text, _synthesize_one(text, engine, voice_id, settings)) for text in misses)


def _synthesize_one(
    text: str, engine: SpeechEngine, voice_id: str, settings: VoiceSettings
) -> np.ndarray:
    if not text.strip():
        return np.zeros(0, dtype=np.int16)
    return engine.synthesize(text, voice_id, settings.rate_wpm, settings.volume)
