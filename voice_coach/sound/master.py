"""Mastering while mixing: every spoken cue levelled to one loudness, tones set under the speech,
peaks held under a ceiling, and the cue level solved so the whole file meets its loudness target.

Pure: clips, tones and the plan in; levelled clips and numbers out. No files, no ffmpeg, no
second pass over encoded audio, and never a whole-session array (the prediction streams).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from voice_coach import defaults
from voice_coach.sound import loudness as ld
from voice_coach.sound.mix import MixLevels, db_to_gain
from voice_coach.timeline import Timeline, ms_to_frames

CLIP_CEILING_DBTP = -3.0  # each clip's true peak: MP3, AAC and Opus added up to 1.3 dB on top
MIX_CEILING_DBFS = -2.5  # overlapping sounds bend softly under this (render.soft_ceiling)
TONE_UNDER_SPEECH_LU = 2.0  # tones sit this far under the voice: clear, never covering a word
# A compressor evens out the voice's loud syllables (above COMPRESS_ABOVE_LU over the cue's own
# level), so the limiter has little to do; a cue that must be very loud (sparse sessions need
# loud cues to measure -16 LUFS overall) is compressed harder rather than limited harder.
COMPRESS_RATIOS = (2.5, 4.0, 8.0)
COMPRESS_ABOVE_LU = 2.0
SMOOTH_LIMITER = (3.0, 10.0)  # look-ahead, hold in ms: the gain never flutters at the pitch rate
FAST_LIMITER = (0.5, 0.5)  # for the few short clips the smooth one cannot bring up
MAX_LIMITING_DB = 6.0  # a voice that would need more limiting than this ...
MAX_FAST_LIMITING_DB = 9.0  # ... gets the fast limiter, and beyond this stays quieter
MAX_CUE_OVER_TARGET_LU = 6.0  # the voice is never pushed further than this to meet the target
EDGE_FADE_MS = 5
VOICE_TOP_HZ = 7000.0  # wideband-telephone speech keeps everything words need
SOLVE_ROUNDS = 3
SOLVE_TOLERANCE_LU = 0.1
_REFERENCE_LUFS = -20.0
DEFAULT_LEVELS = MixLevels()


PREPARED_CACHE_BYTES = 24 << 20  # prepared voices kept between solve rounds (re-made beyond)


@dataclass(frozen=True)
class Mastered:
    """Levelled sources for render_blocks, and what the levelling planned.

    clips: the levelled speech clips (int16: the output is 16-bit anyway, and a session of
    hundreds of distinct phrases holds them all); tones: the levelled tones (float32).
    cue_lufs: the loudness asked of every spoken cue; clip_lufs: what each one measures (the
    same to a few hundredths, unless its peaks would have needed more than MAX_LIMITING_DB).
    tone_lufs: the tones' loudness (TONE_UNDER_SPEECH_LU under the cues).
    predicted_lufs: the mix's integrated loudness as planned (the encoded file measures within
    a few tenths of it).
    """

    clips: dict[str, np.ndarray]
    tones: dict[str, np.ndarray]
    cue_lufs: float
    clip_lufs: dict[str, float]
    tone_lufs: float
    predicted_lufs: float


@dataclass(frozen=True)
class _Voice:
    """A speech clip prepared once for levelling at any loudness: compressed and normalised to
    _REFERENCE_LUFS (float32), with its oversampled peak envelope and its K-weighted signal
    looped (to measure the cue)."""

    samples: np.ndarray
    envelope: np.ndarray
    weighted: np.ndarray


@dataclass(frozen=True)
class _Levelled:
    """A clip at its level: samples (float32), the energy profile of their K-weighted form
    (with the filter's tail; all the mix prediction needs) and the loudness it measures as a
    cue (ld.cue_lufs)."""

    samples: np.ndarray
    energy: ld.EnergyProfile
    lufs: float = -math.inf


@dataclass(frozen=True)
class _Tone:
    """A tone at _REFERENCE_LUFS and its K-weighted form (with the filter's tail)."""

    samples: np.ndarray
    weighted: np.ndarray
    lufs: float = -math.inf


def master(
    timeline: Timeline,
    clips: Mapping[str, np.ndarray],
    tones: Mapping[str, np.ndarray],
    *,
    target_lufs: float = defaults.LOUDNESS_LUFS,
    levels: MixLevels = DEFAULT_LEVELS,
    bed_powers: Callable[[int], np.ndarray] | None = None,
) -> Mastered:
    """Levels the session's clips and tones so its mix measures target_lufs integrated.

    One clip at a time: only the levelled clips and a small energy profile of each are kept, so
    memory grows with the phrases' own length, not with what levelling them takes.

    Args:
        timeline: the plan (only its events, length and rate are used).
        clips: speech text → int16 (or float) samples, as synthesised.
        tones: tone name → float samples.
        target_lufs: the file's integrated loudness (BS.1770), e.g. -16.
        levels: the mix levels the renderer will use (the metronome's offset counts).
        bed_powers: n_steps → the background's K-weighted mean square in each 100 ms step, as it
            will be mixed (level, ducking and fades included); None for no background.
    Returns the levelled clips (int16) and tones (float32) and the numbers behind them.
    """
    rate = timeline.sample_rate
    n_steps = gate_steps(timeline)
    voices = _VoiceCache(clips, rate)
    plain_tones = {name: _prepare_tone(_to_float(t), rate) for name, t in tones.items()}
    cue_lufs = target_lufs + 1.5  # cues sit a little above the whole file's measure
    bed = None
    levelled: dict[str, tuple[np.ndarray, float]] = {}
    for round_no in range(SOLVE_ROUNDS):
        energies = {}
        for text in clips:
            clip = _level_voice(voices.get(text), cue_lufs, rate)
            levelled[text] = (_to_pcm16(clip.samples), clip.lufs)  # replaces the last round's
            energies[text] = clip.energy
        tone_gain_db = cue_lufs - TONE_UNDER_SPEECH_LU - _REFERENCE_LUFS
        levelled_tones = {name: _scaled(t, tone_gain_db, rate) for name, t in plain_tones.items()}
        speech = _step_powers(timeline, energies, {n: t.energy for n, t in levelled_tones.items()},
                              levels, n_steps)
        if bed is None:
            bed = bed_powers(n_steps) if bed_powers else np.zeros(n_steps)
        shift = _solve_shift(speech, bed, target_lufs)
        shift = min(shift, target_lufs + MAX_CUE_OVER_TARGET_LU - cue_lufs)
        if abs(shift) <= SOLVE_TOLERANCE_LU or round_no == SOLVE_ROUNDS - 1:
            break
        cue_lufs += shift
    predicted = ld.gated_lufs(ld.block_powers(speech + bed))
    return Mastered(
        clips={t: c for t, (c, _) in levelled.items()},
        tones={n: t.samples for n, t in levelled_tones.items()},
        cue_lufs=cue_lufs, clip_lufs={t: lufs for t, (_, lufs) in levelled.items()},
        tone_lufs=cue_lufs - TONE_UNDER_SPEECH_LU, predicted_lufs=predicted,
    )


def gate_steps(timeline: Timeline) -> int:
    """How many whole 100 ms loudness steps (BS.1770's gating step) the session holds."""
    return timeline.n_frames // (timeline.sample_rate * ld.GATE_STEP_MS // 1000)


def level_clip(samples: np.ndarray, sample_rate: int, cue_lufs: float) -> np.ndarray:
    """One speech clip at cue_lufs (ld.cue_lufs), compressed gently and its true peak under
    CLIP_CEILING_DBTP (float64)."""
    voices = _Voices(_to_float(samples), sample_rate)
    return _level_voice(voices, cue_lufs, sample_rate).samples.astype(np.float64)


def _to_float(samples: np.ndarray) -> np.ndarray:
    x = np.asarray(samples)
    if np.issubdtype(x.dtype, np.integer):
        return x.astype(np.float64) / 32768
    return x.astype(np.float64)


def _to_pcm16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(samples * np.float32(32768)), -32768, 32767).astype(np.int16)


class _Voices:
    """A speech clip prepared for levelling, at each compression ratio (made when first asked)."""

    def __init__(self, x: np.ndarray, rate: int) -> None:
        x = _soft_edges(_band_limit(x, rate), rate)
        self.lufs = ld.cue_lufs(x, rate)  # the same for every ratio: measured once
        self.x = x.astype(np.float32)
        self.rate = rate
        self._prepared: dict[float, _Voice] = {}

    def at(self, ratio: float) -> _Voice:
        if ratio not in self._prepared:
            self._prepared[ratio] = _prepare_voice(self.x, self.lufs, self.rate, ratio)
        return self._prepared[ratio]

    @property
    def n_bytes(self) -> int:
        return self.x.nbytes + sum(v.samples.nbytes * 3 for v in self._prepared.values())


class _VoiceCache:
    """Prepared voices by text, kept between solve rounds while they fit in
    PREPARED_CACHE_BYTES (the rest are prepared again: the same result, a little later)."""

    def __init__(self, clips: Mapping[str, np.ndarray], rate: int) -> None:
        self.clips, self.rate = clips, rate
        self._kept: dict[str, _Voices] = {}
        self._n_bytes = 0
        self._last: tuple[str, _Voices] | None = None

    def get(self, text: str) -> _Voices:
        if text in self._kept:
            return self._kept[text]
        if self._last is not None:  # the previous clip is levelled by now: keep it if room
            last_text, last = self._last
            if self._n_bytes + last.n_bytes <= PREPARED_CACHE_BYTES:
                self._kept[last_text] = last
                self._n_bytes += last.n_bytes
        voices = _Voices(_to_float(self.clips[text]), self.rate)
        self._last = (text, voices)
        return voices


def _prepare_voice(x: np.ndarray, lufs: float, rate: int, ratio: float) -> _Voice:
    if not math.isfinite(lufs):
        silent = np.zeros(len(x), dtype=np.float32)
        return _Voice(x.astype(np.float32), silent, silent)
    x = x.astype(np.float64) * 10 ** ((_REFERENCE_LUFS - lufs) / 20)
    x = ld.compress(x, rate, _REFERENCE_LUFS + COMPRESS_ABOVE_LU, ratio)
    weighted = ld.k_weight(x, rate, periodic=True)
    scale = 10 ** ((_REFERENCE_LUFS - ld.looped_lufs(weighted, rate)) / 20)
    x *= scale
    # float32 from here: ample precision for levels, half the memory
    return _Voice(x.astype(np.float32), ld.peak_envelope(x).astype(np.float32),
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


def _prepare_tone(x: np.ndarray, rate: int) -> _Tone:
    """A tone at _REFERENCE_LUFS (peaks limited as a clip would be at that level)."""
    lufs = ld.cue_lufs(x, rate)
    if not math.isfinite(lufs):
        return _Tone(x, ld.k_weight(x, rate))
    x = x * 10 ** ((_REFERENCE_LUFS - lufs) / 20)
    return _Tone(x, ld.k_weight(x, rate), _REFERENCE_LUFS)


def _scaled(tone: _Tone, gain_db: float, rate: int) -> _Levelled:
    """The tone `gain_db` louder, its peaks still under the clip ceiling."""
    gain = 10 ** (gain_db / 20)
    x = tone.samples * gain
    curve = ld.peak_gain(ld.peak_envelope(x), 10 ** (CLIP_CEILING_DBTP / 20), rate)
    lufs = tone.lufs + gain_db
    if curve.min() >= 1.0:
        return _Levelled(x.astype(np.float32), ld.energy_profile(tone.weighted * gain), lufs)
    weighted = tone.weighted * gain * _extend(curve, len(tone.weighted))
    return _Levelled((x * curve).astype(np.float32), ld.energy_profile(weighted), lufs)


def _level_voice(voices: _Voices, cue_lufs: float, rate: int) -> _Levelled:
    """The clip at cue_lufs with peaks limited: gentle compression and a smooth limiter first,
    harder compression while that falls short, and only then a fast limiter (for a lone short
    word such as "Up.", whose every pitch pulse peaks), rather than leaving it quieter than the
    other cues."""
    voice = voices.at(COMPRESS_RATIOS[0])
    if not voice.envelope.any():
        return _Levelled(voice.samples, ld.energy_profile(ld.k_weight(voice.samples, rate)))
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
    return _Levelled(samples, ld.energy_profile(ld.k_weight(samples, rate)), got)


def _fit_gain(voice: _Voice, cue_lufs: float, rate: int, limiter: tuple[float, float],
              max_extra_db: float) -> tuple[float, np.ndarray, float]:
    """(gain_db, limiter gain curve, resulting cue loudness) that bring the clip closest to
    cue_lufs. The limiter takes some loudness, so the gain is found by secant steps, measuring
    the K-weighted clip times the gain curve (the gain moves slowly against the filter's short
    response, so the two nearly commute)."""
    ceiling = 10 ** (CLIP_CEILING_DBTP / 20)
    lookahead_ms, hold_ms = limiter
    gain_db = low_db = cue_lufs - _REFERENCE_LUFS
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


def _step_powers(timeline: Timeline, clips: Mapping[str, ld.EnergyProfile],
                 tones: Mapping[str, ld.EnergyProfile], levels: MixLevels,
                 n_steps: int) -> np.ndarray:
    """K-weighted mean square of the cues' mix in each 100 ms step, from each source's energy
    profile at each of its placements (the filter is linear, so the mix of K-weighted clips is
    the K-weighted mix; overlapping sources count as uncorrelated, as the bed does)."""
    rate = timeline.sample_rate
    step = rate * ld.GATE_STEP_MS // 1000
    placements: dict[tuple[str, str, float], list[int]] = {}
    for event in timeline.events:
        speech = event.kind == "speech"
        gain_db = levels.speech_gain_db if speech else levels.tone_gain_db
        if event.layer == "metronome":
            gain_db += levels.metronome_gain_db
        key = ("speech", event.text, gain_db) if speech else ("tone", event.tone, gain_db)
        placements.setdefault(key, []).append(ms_to_frames(event.start_ms, rate))
    out = np.zeros(n_steps)
    for (kind, name, gain_db), starts in placements.items():
        profile = clips[name] if kind == "speech" else tones[name]
        out += ld.placed_step_powers(profile, np.array(starts), db_to_gain(gain_db), n_steps, step)
    return out


def _solve_shift(speech: np.ndarray, bed: np.ndarray, target_lufs: float) -> float:
    """The gain in dB on the cues (the bed fixed) that makes the mix measure target_lufs.

    The measure rises with the gain, but in steps: as the cues get louder the relative gate
    rises and can drop a whole steady bed at once. So: bisect, then take whichever side of the
    last bracket lands nearer the target.
    """

    def lufs(shift_db: float) -> float:
        return ld.gated_lufs(ld.block_powers(speech * 10 ** (shift_db / 10) + bed))

    if not math.isfinite(lufs(0.0)):
        return 0.0
    low, high = -40.0, 40.0
    for _ in range(40):
        middle = (low + high) / 2
        if lufs(middle) < target_lufs:
            low = middle
        else:
            high = middle
    return min((low, high), key=lambda shift: abs(lufs(shift) - target_lufs))
