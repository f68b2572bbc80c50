"""Voices' public facade: the engines and their rate limits, which voices there are and which one
speaks a language, installing and removing Piper voices. The CLI imports these names from here,
never from the speech modules; each is imported on first use (PEP 562), so no engine loads
before a command needs one. (The voice files on disk are speech/voice_files.py.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voice_coach.basics.lazy import lazy_getattr

# name -> "module" (the same name there) or "module:name"
_EXPORTS = {
    # engines and synthesis
    "MAX_RATE_WPM": "voice_coach.speech",
    "MIN_RATE_WPM": "voice_coach.speech",
    "default_engine_name": "voice_coach.speech",
    "synthesize_voice": "voice_coach.speech",
    "EspeakEngine": "voice_coach.speech.espeak",
    "PiperEngine": "voice_coach.speech.piper",
    "piper_available": "voice_coach.speech.piper:available",
    "workers_kept": "voice_coach.speech.parallel",
    # which voices there are, and which one speaks a language
    "voice_rows": "voice_coach.speech.listing",
    "load_catalog": "voice_coach.speech.voice_index",
    "installed_piper_voices": "voice_coach.speech.voice_files",
    "choose_phrase_voice": "voice_coach.speech.for_language",
    "natural_voice_missing": "voice_coach.speech.natural",
    # installing and removing Piper voices
    "install_voice": "voice_coach.speech.install:install",
    "remove_voice": "voice_coach.speech.install:remove",
    "voices_url": "voice_coach.speech.install",
}

__all__ = [
    "choose_phrase_voice", "default_engine_name", "EspeakEngine", "install_voice",
    "installed_piper_voices", "load_catalog", "MAX_RATE_WPM", "MIN_RATE_WPM",
    "natural_voice_missing", "piper_available", "PiperEngine", "remove_voice",
    "synthesize_voice", "voice_rows", "voices_url", "workers_kept",
]
__getattr__ = lazy_getattr(__name__, _EXPORTS)

if TYPE_CHECKING:
    from voice_coach.speech import MAX_RATE_WPM, MIN_RATE_WPM, default_engine_name, synthesize_voice
    from voice_coach.speech.espeak import EspeakEngine
    from voice_coach.speech.for_language import choose_phrase_voice
    from voice_coach.speech.install import install as install_voice
    from voice_coach.speech.install import remove as remove_voice
    from voice_coach.speech.install import voices_url
    from voice_coach.speech.listing import voice_rows
    from voice_coach.speech.natural import natural_voice_missing
    from voice_coach.speech.parallel import workers_kept
    from voice_coach.speech.piper import PiperEngine
    from voice_coach.speech.piper import available as piper_available
    from voice_coach.speech.voice_files import installed_piper_voices
    from voice_coach.speech.voice_index import load_catalog
