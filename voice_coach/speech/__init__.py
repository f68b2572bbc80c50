"""Speech synthesis: the only stage that calls a TTS engine, turning cue texts into trimmed clips.

Clips are int16 mono at SAMPLE_RATE with edge silence removed, cached on disk by content.
It must not place, mix or play anything: that is the composer's and renderer's job.
The engines by name are in engines.py, voice names in voice_names.py, the cue text the engines
get in text.py, trimming in trim.py, resampling in resample.py, the cache in cache.py and
synthesis itself in synthesize.py; this module re-exports their public names.
"""

from __future__ import annotations

from voice_coach.plan.timeline import SAMPLE_RATE
from voice_coach.routine.model import VoiceSettings
from voice_coach.speech.cache import CacheWarning
from voice_coach.speech.engine_api import SpeechEngine, Voice
from voice_coach.speech.engines import (
    ENGINE_NAMES,
    PIPER_VOICE_ID,
    default_engine_name,
    engine_for,
    open_engine,
)
from voice_coach.speech.resample import resample_to, resampler_version
from voice_coach.speech.synthesize import (
    MAX_RATE_WPM,
    MIN_RATE_WPM,
    check_settings,
    resolve_settings,
    synthesize_all,
    synthesize_voice,
)
from voice_coach.speech.text import speakable
from voice_coach.speech.trim import SILENCE_THRESHOLD, trim_silence
from voice_coach.speech.voice_names import check_variant, engine_voice, resolve_voice

__all__ = [
    "ENGINE_NAMES",
    "MAX_RATE_WPM",
    "MIN_RATE_WPM",
    "PIPER_VOICE_ID",
    "SAMPLE_RATE",
    "SILENCE_THRESHOLD",
    "CacheWarning",
    "SpeechEngine",
    "Voice",
    "VoiceSettings",
    "check_settings",
    "check_variant",
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
