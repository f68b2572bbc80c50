"""What every speech engine is: a Voice it offers, and the SpeechEngine protocol each engine
module (piper, pico, espeak, pyttsx3_engine, fake) implements. Imports no engine, so the engines
and the registry that opens them (engines.py) both depend on it and never on each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np


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
