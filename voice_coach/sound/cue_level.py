"""Levelling one sound at a time: a spoken cue brought to a loudness (band-limited, edges
softened, gently compressed, true peaks held under a ceiling by a smooth limiter), a tone scaled
under its ceiling, each with the energy profile the mix prediction needs.

Pure numpy, clip by clip: never a session, never a file. master.py decides the levels.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from voice_coach.sound import loudness as ld

CLIP_CEILING_DBTP = -3.0  # each clip's true peak: MP3, AAC and Opus added up to 1.3 dB on top
# A compressor evens out the voice's loud syllables (above COMPRESS_ABOVE_LU over the cue's own
# level), so the limiter has little to do; a cue that must be very loud (a loud speech target)
# is compressed harder rather than limited harder.
COMPRESS_RATIOS = (2.5, 4.0, 8.0)
COMPRESS_ABOVE_LU = 2.0
SMOOTH_LIMITER = (3.0, 10.0)  # look-ahead, hold in ms: the gain never flutters at the pitch rate
FAST_LIMITER = (0.5, 0.5)  # for the few short clips the smooth one cannot bring up
MAX_LIMITING_DB = 6.0  # a voice that would need more limiting than this ...
MAX_FAST_LIMITING_DB = 9.0  # ... gets the fast limiter, and beyond this stays quieter
EDGE_FADE_MS = 5
VOICE_TOP_HZ = 7000.0  # wideband-telephone speech keeps everything words need
PREPARED_CACHE_BYTES = 24 << 20  # prepared voices kept between solve rounds (re-made beyond)
REFERENCE_LUFS = -20.0  # prepared sounds wait at this loudness


@dataclass(frozen=True)
class Voice:
    """A speech clip prepared once for levelling at any loudness: compressed and normalised to
    REFERENCE_LUFS (float32), with its oversampled peak envelope and its K-weighted signal
    looped (to measure the cue)."""

    samples: np.ndarray
    envelope: np.ndarray
    weighted: np.ndarray


@dataclass(frozen=True)
class Levelled:
    """A clip at its level: samples (float32), the energy profile of their K-weighted form
    (with the filter's tail; all the mix prediction needs) and the loudness it measures as a
    cue (ld.cue_lufs)."""

    samples: np.ndarray
    energy: ld.EnergyProfile
    lufs: float = -math.inf


@dataclass(frozen=True)
class Tone:
    """A tone at REFERENCE_LUFS and its K-weighted form (with the filter's tail)."""

    samples: np.ndarray
    weighted: np.ndarray
    lufs: float = -math.inf


def level_clip(samples: np.ndarray, sample_rate: int, cue_lufs: float) -> np.ndarray:
    """One speech clip at cue_lufs (ld.cue_lufs), compressed gently and its true peak under
    CLIP_CEILING_DBTP (float64)."""
    voices = Voices(to_float(samples), sample_rate)
    return level_voice(voices, cue_lufs, sample_rate).samples.astype(np.float64)


def to_float(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples)
    if np.issubdtype(x.dtype, np.integer):
        return x.astype(np.float64) / 32768
    return x.astype(np.float64)


def to_pcm16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(samples * np.float32(32768)), -32768, 32767).astype(np.int16)


class Voices:
    """A speech clip prepared for levelling, at each compression ratio (made when first asked)."""

    def __init__(self, x: np.ndarray, rate: int) -> None:
        x = _soft_edges(_band_limit(x, rate), rate)
        self.lufs = ld.cue_lufs(x, rate)  # the same for every ratio: measured once
        self.x = x.astype(np.float32)
        self.rate = rate
        self._prepared: dict[float, Voice] = {}

    def at(self, ratio: float) -> Voice:
        if ratio not in self._prepared:
            self._prepared[ratio] = prepare_voice(self.x, self.lufs, self.rate, ratio)
        return self._prepared[ratio]

    @property
    def n_bytes(self) -> int:
        return self.x.nbytes + sum(v.samples.nbytes * 3 for v in self._prepared.values())


class VoiceCache:
    """Prepared voices by text, kept between solve rounds while they fit in
    PREPARED_CACHE_BYTES (the rest are prepared again: the same result, a little later)."""

    def __init__(self, clips: Mapping[str, np.ndarray], rate: int) -> None:
        self.clips, self.rate = clips, rate
        self._kept: dict[str, Voices] = {}
        self._n_bytes = 0
        self._last: tuple[str, Voices] | None = None

    def get(self, text: str) -> Voices:
        if text in self._kept:
            return self._kept[text]
        if self._last is not None:  # the previous clip is levelled by now: keep it if room
            last_text, last = self._last
            if self._n_bytes + last.n_bytes <= PREPARED_CACHE_BYTES:
                self._kept[last_text] = last
                self._n_bytes += last.n_bytes
        voices = Voices(to_float(self.clips[text]), self.rate)
        self._last = (text, voices)
        return voices


def prepare_voice(x: np.ndarray, lufs: float, rate: int, ratio: float) -> Voice:
    if not math.isfinite(lufs):
        silent = np.zeros(len(x), dtype=np.float32)
        return Voice(x.astype(np.float32), silent, silent)
    x = x.astype(np.float64) * 10 ** ((REFERENCE_LUFS - lufs) / 20)
    x = ld.compress(x, rate, REFERENCE_LUFS + COMPRESS_ABOVE_LU, ratio)
    weighted = ld.k_weight(x, rate, periodic=True)
    scale = 10 ** ((REFERENCE_LUFS - ld.looped_lufs(weighted, rate)) / 20)
    x *= scale
    # float32 from here: ample precision for levels, half the memory
    return Voice(x.astype(np.float32), ld.peak_envelope(x).astype(np.float32),
                  (weighted * scale).astype(np.float32))


def _band_limit(x: np.ndarray, rate: int) -> np.ndarray:
    """The clip without content above VOICE_TOP_HZ (a gentle linear-phase roll-off): a lossy
    codec then has no top band to re-quantise, which is what lifted limited peaks past the
    ceiling by up to 2 dB in MP3 and AAC."""
    n = len(x)
    if n == 0 or VOICE_TOP_HZ >= rate / 2:
        return x
    size = ld.fast_len(n + 256)
    freqs_hz = np.fft.rfftfreq(size, 1 / rate)
    width_hz = VOICE_TOP_HZ * 0.3
    gain = np.clip((VOICE_TOP_HZ + width_hz / 2 - freqs_hz) / width_hz, 0.0, 1.0)
    return np.fft.irfft(np.fft.rfft(x, size) * gain, size)[:n]


def _soft_edges(x: np.ndarray, rate: int) -> np.ndarray:
    """The clip with EDGE_FADE_MS raised-cosine fades at both ends: the engine's trimmed clips
    can start on a loud sample, which clicks, and which lossy codecs smear into a peak."""
    n = min(len(x) // 2, max(1, rate * EDGE_FADE_MS // 1000))
    ramp = 0.5 * (1 - np.cos(np.pi * (np.arange(n) + 0.5) / n))
    out = x.copy()
    out[:n] *= ramp
    out[len(x) - n :] *= ramp[::-1]
    return out


def prepare_tone(x: np.ndarray, rate: int) -> Tone:
    """A tone at REFERENCE_LUFS (peaks limited as a clip would be at that level)."""
    lufs = ld.cue_lufs(x, rate)
    if not math.isfinite(lufs):
        return Tone(x, ld.k_weight(x, rate))
    x = x * 10 ** ((REFERENCE_LUFS - lufs) / 20)
    return Tone(x, ld.k_weight(x, rate), REFERENCE_LUFS)


def scaled(tone: Tone, gain_db: float, rate: int) -> Levelled:
    """The tone `gain_db` louder, its peaks still under the clip ceiling."""
    gain = 10 ** (gain_db / 20)
    x = tone.samples * gain
    curve = ld.peak_gain(ld.peak_envelope(x), 10 ** (CLIP_CEILING_DBTP / 20), rate)
    lufs = tone.lufs + gain_db
    if curve.min() >= 1.0:
        return Levelled(x.astype(np.float32), ld.energy_profile(tone.weighted * gain), lufs)
    weighted = tone.weighted * gain * _extend(curve, len(tone.weighted))
    return Levelled((x * curve).astype(np.float32), ld.energy_profile(weighted), lufs)


def level_voice(voices: Voices, cue_lufs: float, rate: int) -> Levelled:
    """The clip at cue_lufs with peaks limited: gentle compression and a smooth limiter first,
    harder compression while that falls short, and only then a fast limiter (for a lone short
    word such as "Up.", whose every pitch pulse peaks), rather than leaving it quieter than the
    other cues."""
    voice = voices.at(COMPRESS_RATIOS[0])
    if not voice.envelope.any():
        return Levelled(voice.samples, ld.energy_profile(ld.k_weight(voice.samples, rate)))
    for ratio in COMPRESS_RATIOS:
        voice = voices.at(ratio)
        gain_db, curve, got = _fit_gain(voice, cue_lufs, rate, SMOOTH_LIMITER, MAX_LIMITING_DB)
        if abs(got - cue_lufs) <= 0.1:
            break
    else:
        fast = _fit_gain(voice, cue_lufs, rate, FAST_LIMITER, MAX_FAST_LIMITING_DB)
        if abs(fast[2] - cue_lufs) < abs(got - cue_lufs):
            gain_db, curve, got = fast
    samples = voice.samples * (10 ** (gain_db / 20) * curve).astype(np.float32)
    return Levelled(samples, ld.energy_profile(ld.k_weight(samples, rate)), got)


def _fit_gain(voice: Voice, cue_lufs: float, rate: int, limiter: tuple[float, float],
              max_extra_db: float) -> tuple[float, np.ndarray, float]:
    """(gain_db, limiter gain curve, resulting cue loudness) that bring the clip closest to
    cue_lufs. The limiter takes some loudness, so the gain is found by secant steps, measuring
    the K-weighted clip times the gain curve (the gain moves slowly against the filter's short
    response, so the two nearly commute)."""
    ceiling = 10 ** (CLIP_CEILING_DBTP / 20)
    lookahead_ms, hold_ms = limiter
    gain_db = low_db = cue_lufs - REFERENCE_LUFS
    tried: list[tuple[float, np.ndarray, float]] = []
    for _ in range(10):
        scale = 10 ** (gain_db / 20)
        curve = ld.peak_gain(voice.envelope * scale, ceiling, rate, lookahead_ms=lookahead_ms,
                             hold_ms=hold_ms)
        got = ld.looped_lufs(voice.weighted * (scale * curve), rate)
        tried.append((gain_db, curve, got))
        if abs(got - cue_lufs) < 0.02:
            break
        slope = 1.0
        if len(tried) > 1 and tried[-1][0] != tried[-2][0]:
            slope = (tried[-1][2] - tried[-2][2]) / (tried[-1][0] - tried[-2][0])
            slope = min(1.0, max(0.1, slope))
        next_db = min(max(gain_db + (cue_lufs - got) / slope, low_db), low_db + max_extra_db)
        if next_db == gain_db:
            break
        gain_db = next_db
    return min(tried, key=lambda t: abs(t[2] - cue_lufs))


def _extend(curve: np.ndarray, n: int) -> np.ndarray:
    """The gain curve continued with its last value to n frames (over the filter's tail)."""
    if len(curve) >= n:
        return curve[:n]
    return np.concatenate([curve, np.full(n - len(curve), curve[-1] if len(curve) else 1.0)])
