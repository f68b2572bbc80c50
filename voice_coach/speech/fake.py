"""A deterministic stand-in speech engine for composer and mixer tests: fast, no libraries.

A clip's length is a pure function of the text and rate; its content is a quiet tone burst
(not silence, so trimming keeps it). It must never be the engine behind a user's render.
"""

from __future__ import annotations

import zlib

import numpy as np

from voice_coach.plan.timeline import SAMPLE_RATE
from voice_coach.speech.engine_api import Voice
from voice_coach.speech.voice_names import resolve_voice

MS_PER_CHAR_AT_160_WPM = 60
MIN_DURATION_MS = 100
AMPLITUDE = 3000  # a quiet square wave, about -21 dBFS

FAKE_VOICES = (
    Voice(id="fake/en", language="en", name="Fake English"),
    Voice(id="fake/en-US", language="en-us", name="Fake English (America)"),
    Voice(id="fake/de", language="de", name="Fake German"),
    Voice(id="fake/fr", language="fr-fr", name="Fake French"),
    Voice(id="fake/es", language="es", name="Fake Spanish"),
    Voice(id="fake/it", language="it", name="Fake Italian"),
    Voice(id="fake/pt-BR", language="pt-br", name="Fake Portuguese (Brazil)"),
    Voice(id="fake/nl", language="nl", name="Fake Dutch"),
    Voice(id="fake/cmn-Latn-pinyin", language="cmn-latn-pinyin", name="Fake Mandarin"),
)


def fake_duration_ms(text: str, rate_wpm: int) -> int:
    """Fake clip length for `text` at `rate_wpm`: 60 ms a character at 160 wpm, min 100 ms."""
    return max(MIN_DURATION_MS, round(MS_PER_CHAR_AT_160_WPM * len(text) * 160 / rate_wpm))


class FakeEngine:
    name = "fake"
    version = "fake 1"

    def voices(self) -> list[Voice]:
        return list(FAKE_VOICES)

    def synthesize(self, text: str, voice: str, rate_wpm: int, volume: float) -> np.ndarray:
        """A tone burst of fake_duration_ms(text, rate_wpm); pitch depends on text and voice."""
        resolve_voice(voice, FAKE_VOICES)  # same UsageError as the real engines
        if not text.strip():
            return np.zeros(0, dtype=np.int16)
        n_frames = fake_duration_ms(text, rate_wpm) * SAMPLE_RATE // 1000
        freq_hz = 200 + zlib.crc32(f"{voice}\x00{text}".encode()) % 300
        t = np.arange(n_frames) / SAMPLE_RATE
        # A square wave is never near zero, so its first and last frames are loud and trimming
        # (at any volume above 2 %) never shortens the clip.
        wave = np.where(np.cos(2 * np.pi * freq_hz * t) >= 0, 1.0, -1.0)
        return np.round(wave * AMPLITUDE * volume).astype(np.int16)

    def close(self) -> None:
        pass
