"""The speech engines by name: which engine a voice block means, and opening one.

The engines themselves live in their own modules (piper, pico, espeak, pyttsx3_engine, fake) and
are imported only when opened, so naming one costs nothing. It must not synthesise anything.
"""

from __future__ import annotations

import re
import sys

from voice_coach.basics.errors import UsageError
from voice_coach.routine.model import VoiceSettings
from voice_coach.speech.engine_api import SpeechEngine

ENGINE_NAMES = ("piper", "pico", "espeak", "pyttsx3", "fake")


def default_engine_name() -> str:
    """The engine "auto" means: libespeak-ng direct on Linux, pyttsx3 (the portable one) elsewhere.

    On Linux both end in libespeak-ng, but the direct binding passed the stress test with no
    retries at ~0.4 ms a phrase, while pyttsx3 needs a guarded worker process (see
    scripts/speech_stress.py).
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
