"""SVOX Pico (the optional `py-nanotts` package, Apache-2.0): an offline voice for English,
German, French, Spanish and Italian that sounds more like a person than espeak-ng's formants.

The only module that imports py_nanotts, and only when a phrase is synthesised. Pico reads
memory it never wrote (its 2.5 MB work area comes from malloc), so its samples would depend on
what the process did before: while Pico runs, glibc's malloc hands out zero-filled memory
(M_PERTURB), and the same text gives the same bytes in any process and order. Cue text is
spoken literally: Pico's <markup> is defused.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib.metadata
import importlib.util
import sys
import threading

import numpy as np

from voice_coach.basics.errors import EngineError
from voice_coach.plan.timeline import SAMPLE_RATE
from voice_coach.speech import piper_rate as rate
from voice_coach.speech.engine_api import Voice
from voice_coach.speech.resample import resample_to, resampler_version
from voice_coach.speech.text import speakable
from voice_coach.speech.trim import trim_silence
from voice_coach.speech.voice_names import resolve_voice

INSTALL_HINT = ("install it: pip install 'voice-coach[pico]' (py-nanotts, 5 MB), "
                "or ./scripts/setup in a clone")
PICO_RATE = 16000
PEAK = 0.891  # a clip's peak before volume: -1 dBFS, as Piper's
# Pico's own volume (1.0 = its default) clips loud phonemes at full scale; this keeps them whole
# (the clip is then brought to PEAK).
PICO_VOLUME = 0.5
MIN_SPEED, MAX_SPEED = 0.2, 5.0

PICO_VOICES = (
    Voice(id="pico/en-US", language="en-us", name="Pico English (America)"),
    Voice(id="pico/en-GB", language="en-gb", name="Pico English (Britain)"),
    Voice(id="pico/de-DE", language="de-de", name="Pico German"),
    Voice(id="pico/fr-FR", language="fr-fr", name="Pico French"),
    Voice(id="pico/es-ES", language="es-es", name="Pico Spanish"),
    Voice(id="pico/it-IT", language="it-it", name="Pico Italian"),
)

# Seconds of piper_rate.REFERENCE_PHRASES of each voice's language, each phrase its own trimmed
# clip, at Pico speeds 1/scale for scale in piper_rate.CALIBRATION_SCALES (py-nanotts 0.1.1).
# Regenerate: scripts/measure-rates pico
DURATIONS_S = {
    "pico/en-US": (14.927, 23.546, 40.557),
    "pico/en-GB": (14.391, 22.733, 39.132),
    "pico/de-DE": (16.314, 25.824, 44.396),
    "pico/fr-FR": (14.049, 21.836, 37.578),
    "pico/es-ES": (16.732, 26.422, 45.686),
    "pico/it-IT": (15.743, 24.914, 43.572),
}

_lock = threading.Lock()
_libc = None  # glibc, once zeroed_malloc has been found to work
M_PERTURB = -6  # mallopt: malloc fills with (byte ^ 0xff), free with byte; 0 = off


def available() -> bool:
    """Whether py-nanotts is installed (without importing it)."""
    return importlib.util.find_spec("py_nanotts") is not None


def speaks(voice: str) -> bool:
    """Whether `voice` is one Pico has and "auto" should give it: a "pico/..." id, or a bare
    language tag ("de", "fr-FR") of a Pico voice; never an espeak-ng id or variant."""
    wanted = voice.strip().lower().replace("_", "-")
    if wanted.startswith("pico/"):
        return any(v.id.lower() == wanted for v in PICO_VOICES)
    if "/" in wanted or "+" in wanted:
        return False
    return any(v.language == wanted or v.language.split("-")[0] == wanted for v in PICO_VOICES)


def zeroed_malloc() -> bool:
    """Whether glibc can be made to zero-fill what malloc returns (see zeroed); True on glibc.

    Pinning glibc's mmap threshold (so the work area came from fresh pages) was not enough:
    malloc takes a big enough free chunk of the heap before mapping pages, and a process that
    had freed big blocks before the pin (a test session, a long render) got its own dirty
    memory back, then Pico's leftovers from the phrase before."""
    global _libc
    if _libc is not None:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        works = bool(libc.mallopt(M_PERTURB, 0)) and hasattr(libc, "gnu_get_libc_version")
    except (OSError, AttributeError):  # not glibc
        return False
    if works:
        _libc = libc
    return works


@contextlib.contextmanager
def zeroed():
    """Every malloc in the process returns zero-filled memory (and free fills with 0xff) until
    the block ends: Pico's work area then starts as fresh pages do, wherever it came from."""
    if not zeroed_malloc():
        raise EngineError("the Pico speech engine needs glibc here: without it the same "
                          "phrase does not give the same samples twice",
                          hint="use the espeak or piper engine on this system")
    _libc.mallopt(M_PERTURB, 0xFF)
    try:
        yield
    finally:
        _libc.mallopt(M_PERTURB, 0)


class PicoEngine:
    """SpeechEngine on SVOX Pico: int16 mono at SAMPLE_RATE (from Pico's 16 kHz, by soxr)."""

    name = "pico"

    def __init__(self) -> None:
        if not available():
            raise EngineError("the Pico speech engine (py-nanotts) is not installed",
                              hint=INSTALL_HINT)
        if not zeroed_malloc():
            raise EngineError("the Pico speech engine needs glibc here: without it the same "
                              "phrase does not give the same samples twice",
                              hint="use the espeak or piper engine on this system")
        self.version = (f"py-nanotts {importlib.metadata.version('py-nanotts')}, "
                        f"{resampler_version()}")

    def voices(self) -> list[Voice]:
        return list(PICO_VOICES)

    def resolve(self, query: str) -> str:
        """The voice id `query` names: an id ("pico/de-DE", "de-DE") or a language ("de",
        "en" → en-US). UsageError (listing close matches) for one Pico does not have."""
        wanted = query.strip().lower().replace("_", "-")
        if "+" not in wanted:
            for voice in PICO_VOICES:
                if voice.language.split("-")[0] == wanted:
                    return voice.id
        return resolve_voice(query, PICO_VOICES)

    def synthesize(self, text: str, voice: str, rate_wpm: int, volume: float) -> np.ndarray:
        """int16 mono clip at SAMPLE_RATE of `text` read literally, edge silence trimmed.

        voice: an id or language (see resolve); rate_wpm 80..450; volume 0.0..1.0.
        """
        voice_id = self.resolve(voice)
        text = speakable(text).replace("<", " ").replace(">", " ")
        if not text.strip():
            return np.zeros(0, dtype=np.int16)
        clip = speak(text, voice_id, speed(voice_id, rate_wpm))
        clip = resample_to(clip, PICO_RATE, SAMPLE_RATE)
        if volume != 1.0:
            clip = np.round(clip.astype(np.float64) * volume).astype(np.int16)
        return trim_silence(clip).copy()

    def close(self) -> None:
        """Nothing to free: each phrase has its own Pico engine."""


def speed(voice_id: str, rate_wpm: int) -> float:
    """Pico's speed for `rate_wpm`: where the voice's timed curve meets espeak-ng's time for
    the reference phrases (as Piper's length_scale does), to 2 decimals (Pico takes %)."""
    phrases = rate.reference_phrases(voice_id.split("/")[-1]) or rate.REFERENCE_PHRASES["en"]
    scale = rate.length_scale(rate_wpm, DURATIONS_S[voice_id], rate.word_count(phrases))
    return round(min(MAX_SPEED, max(MIN_SPEED, 1 / scale)), 2)


def speak(text: str, voice_id: str, speed_x: float) -> np.ndarray:
    """int16 clip at PICO_RATE, edge silence trimmed and peak set to PEAK."""
    try:
        import py_nanotts
    except ImportError as exc:
        raise EngineError(f"the Pico speech engine cannot be loaded ({exc})",
                          hint=INSTALL_HINT) from None
    # Pico's markup, opened and never closed: closing tags (as py-nanotts's own speed= and
    # volume= write them) leave a blip half a second after the speech, which no trim removes.
    markup = (f'<speed level="{round(speed_x * 100)}">'
              f'<volume level="{round(PICO_VOLUME * 100)}">')
    with _lock, zeroed():
        try:
            pcm = py_nanotts.NanoTTS().speak(markup + text, voice=voice_id.split("/")[-1])
        except (RuntimeError, ValueError) as exc:
            raise EngineError(f"Pico could not speak {text[:40]!r}: {exc}") from None
    samples = trim_silence(np.frombuffer(pcm, dtype="<i2").astype(np.int16))
    if samples.size == 0:
        return samples.copy()
    peak = int(np.abs(samples.astype(np.int32)).max())
    gain = PEAK * 32767 / peak
    return np.clip(np.round(samples * gain), -32768, 32767).astype(np.int16)
