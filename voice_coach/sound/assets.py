"""The shipped sound assets: where they are, loading them, and remaking them (scripts/make-audio).

Reads and writes only audio/*.wav and audio/README.md; the sounds themselves come from tones.py.
"""

from __future__ import annotations

import functools
import wave
from pathlib import Path

import numpy as np

from voice_coach.basics.errors import EngineError
from voice_coach.plan.timeline import SAMPLE_RATE
from voice_coach.sound import tones
from voice_coach.sound.mix import from_pcm16, to_pcm16

ASSET_SAMPLE_RATE = SAMPLE_RATE


def audio_dir() -> Path:
    """voice_coach/audio in an installed wheel, else the repo's top-level audio/ (editable)."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "audio"
    if packaged.is_dir():
        return packaged
    return package.parent / "audio"


def load_tone(name: str, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Tone `name` as read-only float32 samples in [-1, 1], cached per process.

    At 22050 Hz it is read from audio/<name>.wav; at any other rate it is made by
    tones.make_tone at that rate and rounded to 16 bits, like the files.
    Raises ValueError for an unknown name, EngineError when the shipped file is missing or bad.
    """
    if name not in tones.TONE_NAMES:
        raise ValueError(f"unknown tone {name!r}; known tones: {', '.join(tones.TONE_NAMES)}")
    return _load_tone_cached(name, sample_rate)


def clear_tone_cache() -> None:
    """Forget the tones load_tone has read (after the audio folder changed)."""
    _load_tone_cached.cache_clear()


@functools.cache
def _load_tone_cached(name: str, sample_rate: int) -> np.ndarray:
    if sample_rate == ASSET_SAMPLE_RATE:
        samples = read_pcm16_wav(audio_dir() / f"{name}.wav", sample_rate)
    else:
        samples = np.frombuffer(to_pcm16(tones.make_tone(name, sample_rate)), dtype="<i2")
    out = from_pcm16(samples)
    out.flags.writeable = False
    return out


def read_pcm16_wav(path: Path, sample_rate: int) -> np.ndarray:
    """int16 samples of a mono 16-bit WAV at sample_rate; EngineError if missing or different."""
    hint = "reinstall voice-coach, or in a checkout run scripts/make-audio"
    try:
        with wave.open(str(path), "rb") as wav:
            shape = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
            data = wav.readframes(wav.getnframes())
    except (OSError, EOFError, wave.Error) as exc:
        raise EngineError(f"cannot read sound asset {path}: {exc}", hint=hint) from exc
    if shape != (1, 2, sample_rate):
        raise EngineError(
            f"sound asset {path} is {shape[0]} ch, {8 * shape[1]}-bit, {shape[2]} Hz; "
            f"expected mono 16-bit {sample_rate} Hz",
            hint=hint,
        )
    return np.frombuffer(data, dtype="<i2")


def write_pcm16_wav(path: Path, samples: np.ndarray, sample_rate: int) -> None:
    """Write float samples as a mono 16-bit WAV (stdlib wave: same samples, same bytes)."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(to_pcm16(samples))


def make_audio(directory: Path) -> list[Path]:
    """Write <name>.wav for every tone and README.md describing them; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in tones.TONE_NAMES:
        path = directory / f"{name}.wav"
        write_pcm16_wav(path, tones.make_tone(name, ASSET_SAMPLE_RATE), ASSET_SAMPLE_RATE)
        written.append(path)
    readme = directory / "README.md"
    readme.write_text(tones.describe_tones(ASSET_SAMPLE_RATE), encoding="utf-8")
    written.append(readme)
    return written
