"""Speech synthesis: the only stage that calls a TTS engine, turning cue texts into trimmed clips.

Clips are int16 mono at SAMPLE_RATE with edge silence removed, cached on disk by content.
It must not place, mix or play anything: that is the composer's and renderer's job.
"""

from __future__ import annotations

import difflib
import re
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from voice_coach.basics.errors import EngineError, UsageError
from voice_coach.plan.timeline import SAMPLE_RATE
from voice_coach.routine.model import VoiceSettings
from voice_coach.speech.resample import resample_to, resampler_version

if TYPE_CHECKING:
    from voice_coach.speech.cache import ClipCache

ENGINE_NAMES = ("piper", "pico", "espeak", "pyttsx3", "fake")
MIN_RATE_WPM = 80
MAX_RATE_WPM = 450
# int16 amplitude below which an edge sample counts as silence (about -54 dBFS).
SILENCE_THRESHOLD = 64


@dataclass(frozen=True)
class Voice:
    id: str
    language: str
    name: str


class SpeechEngine(Protocol):
    name: str
    version: str

    def synthesize(self, text: str, voice: str, rate_wpm: int, volume: float) -> np.ndarray:
        """int16 mono clip at SAMPLE_RATE, edge silence trimmed; empty only for unspeakable text."""
        ...

    def voices(self) -> list[Voice]: ...

    def close(self) -> None: ...


class CacheWarning(UserWarning):
    """The clip cache cannot be used; rendering goes on without it."""


def default_engine_name() -> str:
    """The engine "auto" means: libespeak-ng direct on Linux, pyttsx3 (the portable one) elsewhere.

    On Linux both end in libespeak-ng, but the direct binding passed the stress test with no
    retries at ~0.4 ms a phrase, while pyttsx3 needs a guarded worker process (see stress.py).
    """
    return "espeak" if sys.platform.startswith("linux") else "pyttsx3"


# A Piper voice id: language_REGION-name-quality ("en_US-joe-medium").
PIPER_VOICE_ID = re.compile(r"^[a-z]{2,3}_[A-Za-z]{2,3}-[^-\s]+-(x_low|low|medium|high)$")


def engine_for(settings: VoiceSettings) -> str:
    """The engine a voice block means: its own, or for "auto" Piper when a Piper voice for its
    voice (an id or a language) is installed, or when it names a Piper voice (which then says
    what to install); else Pico when it is installed and speaks the language (or the voice is a
    "pico/..." id); else default_engine_name() (espeak-ng)."""
    if settings.engine != "auto":
        return settings.engine
    from voice_coach.speech import pico, piper
    from voice_coach.speech.voice_files import installed_piper_voices

    if PIPER_VOICE_ID.match(settings.voice.strip()):
        return "piper"
    if piper.available() and piper.choose(settings.voice, installed_piper_voices()) is not None:
        return "piper"
    if pico.speaks(settings.voice) and pico.available():
        return "pico"
    return default_engine_name()


def open_engine(name: str = "auto") -> SpeechEngine:
    """Open a speech engine by name ("auto", "piper", "pico", "espeak", "pyttsx3", "fake").

    "auto" here is the system engine (default_engine_name); engine_for() picks Piper for a voice.
    Raises UsageError for an unknown name, EngineError (with an install hint) for a missing library.
    """
    if name == "auto":
        name = default_engine_name()
    if name == "piper":
        from voice_coach.speech.piper import PiperEngine

        return PiperEngine()
    if name == "pico":
        from voice_coach.speech.pico import PicoEngine

        return PicoEngine()
    if name == "espeak":
        from voice_coach.speech.espeak import EspeakEngine

        return EspeakEngine()
    if name == "pyttsx3":
        from voice_coach.speech.pyttsx3_engine import Pyttsx3Engine

        return Pyttsx3Engine()
    if name == "fake":
        from voice_coach.speech.fake import FakeEngine

        return FakeEngine()
    raise UsageError(
        f"unknown speech engine {name!r}", hint="choose one of: auto, " + ", ".join(ENGINE_NAMES)
    )


def engine_voice(engine: SpeechEngine, query: str) -> str:
    """The canonical voice id `query` names on `engine` (its own resolve() where it has one)."""
    resolve = getattr(engine, "resolve", None)
    if resolve is not None:
        return str(resolve(query))
    return resolve_voice(query, engine.voices())


def resolve_voice(query: str, voices: Iterable[Voice]) -> str:
    """The canonical voice id (plus any "+variant") for `query`, matched case-insensitively
    against each voice's id, the id's last part ("en-US" of "gmw/en-US"), its language and name.

    Raises UsageError listing close matches: engines silently keep the previous voice otherwise.
    """
    base, plus, variant = query.strip().partition("+")
    wanted = base.lower()
    voices = list(voices)
    for key in (
        lambda v: v.id,
        lambda v: v.id.rsplit("/", 1)[-1],
        lambda v: v.language,
        lambda v: v.name,
    ):
        for voice in voices:
            if key(voice).lower() == wanted and wanted:
                return voice.id + (plus + variant if variant else "")
    known = sorted(
        {v.id.rsplit("/", 1)[-1].lower() for v in voices} | {v.language.lower() for v in voices}
    )
    close = difflib.get_close_matches(wanted, known, n=5, cutoff=0.5)
    hint = "close matches: " + ", ".join(close) if close else "no close match"
    if wanted in ("zh", "zh-cn", "cmn-cn"):
        hint = "Mandarin is 'cmn' (sit/cmn); " + hint
    raise UsageError(f"unknown voice {query!r}",
                     hint=hint + "; run 'voice-coach voices' to list them")


def check_variant(voice_id: str, variants: Callable[[], set[str]]) -> str:
    """voice_id unchanged if its "+variant" (if any) is one the engine has; else UsageError.

    variants is only asked when there is a variant (listing them can cost an engine call)."""
    _, plus, variant = voice_id.partition("+")
    if plus and variant.lower() not in variants():
        raise UsageError(
            f"unknown voice variant {variant!r}",
            hint="variants look like 'en+f3' or 'en+klatt'; see 'espeak-ng --voices=variant'",
        )
    return voice_id


def speakable(text: str) -> str:
    """`text` safe to hand to a C engine: NUL and other control characters become spaces and
    unencodable code points (lone surrogates) become '?'. Markup is left alone: it is read aloud."""
    cleaned = "".join(" " if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0) else c for c in text)
    return cleaned.encode("utf-8", "replace").decode("utf-8")


def trim_silence(samples: np.ndarray, threshold: int = SILENCE_THRESHOLD) -> np.ndarray:
    """`samples` without the leading and trailing run of samples whose |value| <= threshold.

    All-silent input gives an empty array. Pure: returns a view, never modifies the input.
    """
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > threshold)
    if loud.size == 0:
        return samples[:0]
    return samples[loud[0] : loud[-1] + 1]


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


_warned_roots: set[str] = set()


def _warn_cache(cache: ClipCache, reason: str) -> None:
    root = str(cache.root)
    if root not in _warned_roots:
        _warned_roots.add(root)
        warnings.warn(
            f"speech cache {root} is not usable ({reason}); synthesising without it",
            CacheWarning,
            stacklevel=3,
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
    check_settings(settings)
    unique = list(dict.fromkeys(texts))
    own_engine = engine is None
    if engine is None:
        engine = open_engine(engine_for(settings))
    try:
        used = resolve_settings(settings, engine)
        voice_id = used.voice
        store = _Store(_usable_cache(cache), engine, voice_id, settings)
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
        engine = open_engine(engine_for(settings))
    try:
        return VoiceSettings(engine=engine.name, voice=engine_voice(engine, settings.voice),
                             rate_wpm=settings.rate_wpm, volume=settings.volume)
    finally:
        if own:
            engine.close()


def _usable_cache(cache: ClipCache | Literal["user"] | None) -> ClipCache | None:
    from voice_coach.speech.cache import ClipCache

    if cache == "user":
        cache = ClipCache.default()
    if cache is not None:
        problem = cache.check_writable()
        if problem:
            _warn_cache(cache, problem)
            return None
    return cache


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


class _Store:
    """The cache as synthesize_all uses it: keyed by engine and voice, dropped (with one
    warning) as soon as a write fails, so a full disk slows nothing down."""

    def __init__(
        self, cache: ClipCache | None, engine: SpeechEngine, voice_id: str, settings: VoiceSettings
    ) -> None:
        self.cache = cache
        self.engine_name = engine.name
        checksum = getattr(engine, "model_checksum", None)
        self.model = checksum(voice_id) if checksum is not None else ""
        self.key_fields = (engine.name, engine.version, voice_id, settings.rate_wpm,
                           settings.volume)

    def get(self, text: str) -> np.ndarray | None:
        if not text.strip():
            return np.zeros(0, dtype=np.int16)
        if self.cache is None:
            return None
        clip = self.cache.get(self.cache.key(*self.key_fields, text, model=self.model))
        self._tell_repairs()
        return clip

    def put(self, text: str, clip: np.ndarray) -> np.ndarray:
        if clip.dtype != np.int16:
            raise EngineError(
                f"speech engine {self.engine_name} returned {clip.dtype} samples, not int16"
            )
        if self.cache is not None and text.strip():
            self.cache.put(self.cache.key(*self.key_fields, text, model=self.model), clip)
            self._tell_repairs()
            if self.cache.failed:
                _warn_cache(self.cache, self.cache.failed)
                self.cache = None
        return clip

    def _tell_repairs(self) -> None:
        """One warning for each broken entry the cache moved aside (or could not)."""
        if self.cache is not None:
            for repair in self.cache.repairs:
                warnings.warn(repair, CacheWarning, stacklevel=4)
            self.cache.repairs.clear()


__all__ = [
    "SAMPLE_RATE",
    "CacheWarning",
    "SpeechEngine",
    "Voice",
    "VoiceSettings",
    "default_engine_name",
    "engine_for",
    "engine_voice",
    "open_engine",
    "resample_to",
    "resampler_version",
    "resolve_settings",
    "resolve_voice",
    "speakable",
    "synthesize_all",
    "synthesize_voice",
    "trim_silence",
]
