"""Loudness and peaks as ITU-R BS.1770 measures them: K-weighting, gated loudness, true peak,
and a peak limiter for single clips.

Pure numpy: samples in, numbers (or samples) out. It never reads files or runs ffmpeg, and it
never processes a whole session at once: it works on clips and on per-100-ms power profiles.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
GATE_BLOCK_MS = 400  # BS.1770 gating block
GATE_STEP_MS = 100  # 75 % overlap: a block every 100 ms
LOUDNESS_OFFSET_DB = -0.691  # LUFS = -0.691 + 10 log10(mean square of the K-weighted signal)
CUE_MIN_MS = 3000  # a short cue is measured as if looped to at least this long
CUE_BLOCK_MS = 100  # a cue's loudness is gated on short blocks: measured while the voice sounds
CUE_STEP_MS = 25
TRUE_PEAK_OVERSAMPLING = 4
K_IMPULSE_FRAMES = 4096  # the K-weighting filter's response has decayed below 1e-7 by then
ENERGY_GRID_FRAMES = 64  # an energy profile's resolution: 3 ms at 22.05 kHz, 1/34 of a step
SILENT_LUFS = -math.inf


# ---------------------------------------------------------------------------------------------
# K-weighting: the BS.1770 pre-filter (high shelf) and RLB high-pass, for any sample rate.


def _biquads(sample_rate: int) -> list[tuple[tuple[float, float, float], tuple[float, float]]]:
    """((b0, b1, b2), (a1, a2)) of the two K-weighting stages at sample_rate.

    The analogue prototypes behind BS.1770's 48 kHz coefficients, as libebur128 derives them.
    """
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / sample_rate)
    vh = 10 ** (gain_db / 20)
    vb = vh**0.4996667741545416
    a0 = 1 + k / q + k * k
    shelf = (
        ((vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0),
        (2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0),
    )
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / sample_rate)
    a0 = 1 + k / q + k * k
    highpass = ((1.0, -2.0, 1.0), (2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0))
    return [shelf, highpass]


@functools.cache
def k_impulse(sample_rate: int) -> np.ndarray:
    """The K-weighting filter's impulse response, K_IMPULSE_FRAMES long (float64, read-only)."""
    h = np.zeros(K_IMPULSE_FRAMES)
    h[0] = 1.0
    for (b0, b1, b2), (a1, a2) in _biquads(sample_rate):
        out = np.zeros_like(h)
        x1 = x2 = y1 = y2 = 0.0
        for n, x in enumerate(h.tolist()):
            y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2
            out[n] = y
            x2, x1, y2, y1 = x1, x, y1, y
        h = out
    h.flags.writeable = False
    return h


def k_weight(samples: np.ndarray, sample_rate: int, *, periodic: bool = False) -> np.ndarray:
    """The K-weighted signal (float64).

    periodic=False: linear filtering, len(samples) + K_IMPULSE_FRAMES - 1 frames (with the tail).
    periodic=True: the samples taken as one period of a loop; same length as samples.
    """
    x = np.asarray(samples, dtype=np.float64)
    h = k_impulse(sample_rate)
    if periodic:
        n = len(x)
        if n == 0:
            return x
        wrapped = np.zeros(-(-len(h) // n) * n)
        wrapped[: len(h)] = h
        h_n = wrapped.reshape(-1, n).sum(axis=0)  # the response folded onto one period
        size = fast_len(2 * n - 1)
        linear = np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h_n, size), size)
        out = linear[:n].copy()
        out[: n - 1] += linear[n : 2 * n - 1]
        return out
    n = len(x) + len(h) - 1
    size = fast_len(n)
    return np.fft.irfft(np.fft.rfft(x, size) * np.fft.rfft(h, size), size)[:n]


# ---------------------------------------------------------------------------------------------
# Gated loudness from mean squares.


def step_powers(weighted: np.ndarray, sample_rate: int, step_ms: int = GATE_STEP_MS
                ) -> np.ndarray:
    """Mean square of each whole step_ms step of a K-weighted signal (a partial last step is
    dropped)."""
    step = sample_rate * step_ms // 1000
    n_steps = len(weighted) // step
    x = np.asarray(weighted[: n_steps * step], dtype=np.float64).reshape(n_steps, step)
    return np.einsum("ij,ij->i", x, x) / step


def block_powers(steps: np.ndarray, per_block: int = GATE_BLOCK_MS // GATE_STEP_MS
                 ) -> np.ndarray:
    """Mean square of each gating block (400 ms), from the step powers (100 ms; a block a step)."""
    if len(steps) < per_block:
        return np.zeros(0)
    sums = np.convolve(steps, np.ones(per_block), mode="valid")
    return sums / per_block


def gated_lufs(blocks: np.ndarray) -> float:
    """Integrated loudness in LUFS of gating-block mean squares (absolute and relative gates);
    -inf when no block passes the absolute gate."""
    blocks = np.asarray(blocks, dtype=np.float64)
    floor = power_of_lufs(ABSOLUTE_GATE_LUFS)
    loud = blocks[blocks > floor]
    if len(loud) == 0:
        return SILENT_LUFS
    threshold = float(np.mean(loud)) * 10 ** (RELATIVE_GATE_LU / 10)
    kept = loud[loud > threshold]
    return lufs_of_power(float(np.mean(kept)))


def lufs_of_power(mean_square: float) -> float:
    """LUFS of a K-weighted mean square (-inf for 0)."""
    return LOUDNESS_OFFSET_DB + 10 * math.log10(mean_square) if mean_square > 0 else SILENT_LUFS


def power_of_lufs(lufs: float) -> float:
    """The K-weighted mean square that measures `lufs`."""
    return 10 ** ((lufs - LOUDNESS_OFFSET_DB) / 10)


def integrated_lufs(samples: np.ndarray, sample_rate: int) -> float:
    """BS.1770 integrated loudness of a finite signal in LUFS (-inf if silent or under 400 ms)."""
    weighted = k_weight(samples, sample_rate)[: len(samples)]
    return gated_lufs(block_powers(step_powers(weighted, sample_rate)))


@dataclass(frozen=True)
class EnergyProfile:
    """A K-weighted clip's running energy (sum of squares), kept every grid_frames frames: tells
    how much of the clip falls into each 100 ms step wherever it is placed, in a 64th of the
    clip's memory (linear in between)."""

    n_frames: int
    grid_frames: int
    cumulative: np.ndarray  # at frames 0, g, 2g, ... and n_frames

    def up_to(self, frames: np.ndarray) -> np.ndarray:
        """The energy of the clip's frames [0, f) for each f (clipped to 0..n_frames)."""
        points = np.minimum(np.arange(len(self.cumulative)) * self.grid_frames, self.n_frames)
        return np.interp(frames, points, self.cumulative)


def energy_profile(weighted: np.ndarray, grid_frames: int = ENERGY_GRID_FRAMES
                   ) -> EnergyProfile:
    """The EnergyProfile of a K-weighted signal."""
    w = np.asarray(weighted, dtype=np.float64)
    sums = np.add.reduceat(w * w, np.arange(0, len(w), grid_frames)) if len(w) else w
    return EnergyProfile(len(w), grid_frames, np.concatenate([[0.0], np.cumsum(sums)]))


def placed_step_powers(profile: EnergyProfile, start_frames: np.ndarray, gain: float,
                       n_steps: int, step_frames: int) -> np.ndarray:
    """Mean square per step (step_frames long, n_steps of them) of a K-weighted clip times
    `gain`, placed at each of start_frames (any frame, overlapping or not; the placements are
    taken as uncorrelated, so their powers add)."""
    starts = np.asarray(start_frames, dtype=np.int64)
    if len(starts) == 0 or profile.n_frames == 0:
        return np.zeros(n_steps)
    first = starts // step_frames
    span = -(-profile.n_frames // step_frames) + 1  # steps one placement can touch
    index = first[:, None] + np.arange(span + 1)
    energy = profile.up_to(index * step_frames - starts[:, None])
    per_step = np.diff(energy, axis=1)
    index = index[:, :-1]
    keep = index < n_steps
    return np.bincount(index[keep], weights=per_step[keep] * (gain * gain / step_frames),
                       minlength=n_steps)[:n_steps]


def stream_step_powers(blocks: Iterable[np.ndarray], sample_rate: int) -> Iterator[np.ndarray]:
    """The 100 ms step powers of a long signal given block by block (any block sizes; memory
    per block): the K-weighting filter carries its state across blocks."""
    h_len = K_IMPULSE_FRAMES
    step = sample_rate * GATE_STEP_MS // 1000
    context = np.zeros(h_len - 1)
    carry = np.zeros(0)
    for block in blocks:
        x = np.concatenate([context, np.asarray(block, dtype=np.float64)])
        weighted = k_weight(x, sample_rate)[h_len - 1 : len(x)]
        context = x[len(x) - (h_len - 1) :]
        carry = np.concatenate([carry, weighted])
        n_whole = len(carry) // step * step
        yield step_powers(carry[:n_whole], sample_rate)
        carry = carry[n_whole:]


def stream_lufs(blocks: Iterable[np.ndarray], sample_rate: int) -> float:
    """integrated_lufs of a long signal given block by block."""
    steps = list(stream_step_powers(blocks, sample_rate))
    return gated_lufs(block_powers(np.concatenate([np.zeros(0), *steps])))


def cue_lufs(samples: np.ndarray, sample_rate: int) -> float:
    """The loudness of one spoken cue or tone, as heard while it sounds, in LUFS (-inf: silence).

    BS.1770 gating on 100 ms blocks (25 ms apart) instead of 400 ms, over the clip looped to at
    least CUE_MIN_MS: the relative gate drops the pauses between words and a clip's quiet
    edges, so "Up." (a 130 ms vowel and a soft "p") and a 13 s sentence measure alike, and a
    steady sound measures what integrated_lufs gives it.
    """
    x = np.asarray(samples, dtype=np.float64)
    if len(x) == 0 or not np.any(x):
        return SILENT_LUFS
    return looped_lufs(k_weight(x, sample_rate, periodic=True), sample_rate)


def looped_lufs(weighted: np.ndarray, sample_rate: int) -> float:
    """cue_lufs of a clip already K-weighted as a loop (k_weight(..., periodic=True))."""
    if len(weighted) == 0:
        return SILENT_LUFS
    min_frames = sample_rate * CUE_MIN_MS // 1000
    looped = np.tile(weighted, -(-min_frames // len(weighted)))
    steps = step_powers(looped, sample_rate, CUE_STEP_MS)
    return gated_lufs(block_powers(steps, CUE_BLOCK_MS // CUE_STEP_MS))


# ---------------------------------------------------------------------------------------------
# True peak and a limiter for clips.


def oversample(samples: np.ndarray, factor: int = TRUE_PEAK_OVERSAMPLING) -> np.ndarray:
    """Band-limited interpolation by `factor` (FFT zero-padding, the clip zero-padded at the ends
    so its edges do not wrap round)."""
    x = np.asarray(samples, dtype=np.float64)
    pad = 64
    n = fast_len(len(x) + 2 * pad)
    padded = np.zeros(n)
    padded[pad : pad + len(x)] = x
    up = np.fft.irfft(np.fft.rfft(padded), n * factor) * factor
    return up[pad * factor : (pad + len(x)) * factor]


def fast_len(n: int) -> int:
    """The smallest 2**a * 3**b >= n (FFT sizes numpy transforms quickly)."""
    best = 1 << max(0, (n - 1).bit_length())
    threes = 1
    while threes < best:
        size = threes << max(0, (-(-n // threes) - 1).bit_length())
        best = min(best, size)
        threes *= 3
    return best


def true_peak(samples: np.ndarray) -> float:
    """Linear true peak (the largest |x| of the 4x oversampled signal), as BS.1770 estimates it."""
    if len(samples) == 0:
        return 0.0
    return float(np.max(np.abs(oversample(samples))))


def db(linear: float) -> float:
    """A linear amplitude in dB (-inf for 0)."""
    return 20 * math.log10(linear) if linear > 0 else -math.inf


def limit_peaks(samples: np.ndarray, sample_rate: int, ceiling: float, *,
                lookahead_ms: float = 3.0, hold_ms: float = 10.0) -> np.ndarray:
    """The clip with its true peaks brought down to `ceiling` (linear), untouched elsewhere.

    A look-ahead limiter for whole clips: the gain each oversampled peak needs is held for
    hold_ms after it (so the gain does not flutter at the pitch rate) and reached over
    lookahead_ms before it through a smooth ramp; each peak gets at most the gain it needs.
    Returns float64 samples, same length.
    """
    x = np.asarray(samples, dtype=np.float64)
    return x * peak_gain(peak_envelope(x), ceiling, sample_rate, lookahead_ms=lookahead_ms,
                         hold_ms=hold_ms)


def peak_envelope(samples: np.ndarray, chunk_frames: int = 32768) -> np.ndarray:
    """Per sample, the largest |x| of the 4x oversampled signal from it to the next sample.

    Oversampled a chunk at a time (with 64 frames of context each side), so a long clip costs
    little memory."""
    x = np.asarray(samples, dtype=np.float64)
    factor = TRUE_PEAK_OVERSAMPLING
    context = 64
    out = np.empty(len(x))
    for start in range(0, len(x), chunk_frames):
        lo, hi = max(0, start - context), min(len(x), start + chunk_frames + context)
        up = np.abs(oversample(x[lo:hi], factor)).reshape(hi - lo, factor).max(axis=1)
        n = min(chunk_frames, len(x) - start)
        out[start : start + n] = up[start - lo : start - lo + n]
    return out


def peak_gain(envelope: np.ndarray, ceiling: float, sample_rate: int, *,
              lookahead_ms: float = 3.0, hold_ms: float = 10.0) -> np.ndarray:
    """limit_peaks' gain curve for a peak_envelope (all ones when nothing exceeds ceiling)."""
    need = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    if len(need) == 0 or need.min() >= 1.0:
        return np.ones(len(need))
    return smooth_gain(need, _frames(lookahead_ms, sample_rate), _frames(hold_ms, sample_rate))


def compress(samples: np.ndarray, sample_rate: int, threshold_db: float, ratio: float, *,
             window_ms: float = 10.0, lookahead_ms: float = 10.0, hold_ms: float = 30.0
             ) -> np.ndarray:
    """A look-ahead compressor for whole clips: where the RMS over window_ms rises above
    threshold_db (dBFS), the excess is divided by `ratio`. Gain moves as in limit_peaks.
    Returns float64 samples, same length."""
    x = np.asarray(samples, dtype=np.float64)
    if len(x) == 0 or ratio <= 1:
        return x
    width = _frames(window_ms, sample_rate) | 1
    mean_square = np.maximum(_centred_mean(x * x, width, pad=0.0), 1e-20)
    over_db = np.maximum(0.0, 10 * np.log10(mean_square) - threshold_db)
    need = 10 ** (-over_db * (1 - 1 / ratio) / 20)
    if need.min() >= 1.0:
        return x
    return x * smooth_gain(need, _frames(lookahead_ms, sample_rate), _frames(hold_ms, sample_rate))


def smooth_gain(need: np.ndarray, lookahead_frames: int, hold_frames: int) -> np.ndarray:
    """A smooth gain curve that is nowhere above `need` where need dips: each dip is held for
    hold_frames after it and approached over lookahead_frames before it (S-shaped ramps)."""
    held = running_min(need, before=hold_frames, after=lookahead_frames)
    width = max(1, lookahead_frames // 2) | 1
    return _centred_mean(_centred_mean(held, width), width)


def running_min(x: np.ndarray, *, before: int, after: int) -> np.ndarray:
    """out[i] = min(x[i - before : i + after + 1]) (outside x counts as +inf), in O(n)
    (van Herk / Gil-Werman: prefix and suffix minima over blocks of the window's width)."""
    x = np.asarray(x, dtype=np.float64)
    n, width = len(x), before + after + 1
    if n == 0 or width == 1:
        return x.copy()
    n_blocks = -(-(n + width - 1) // width)
    padded = np.full(n_blocks * width + width, np.inf)
    padded[before : before + n] = x
    blocks = padded[: n_blocks * width].reshape(n_blocks, width)
    prefix = np.minimum.accumulate(blocks, axis=1).ravel()
    suffix = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()
    prefix = np.concatenate([prefix, padded[n_blocks * width :]])
    starts = np.arange(n)
    return np.minimum(suffix[starts], prefix[starts + width - 1])


def _centred_mean(x: np.ndarray, width: int, *, pad: float | None = None) -> np.ndarray:
    """Mean over a centred window of odd `width` (values beyond the edges count as `pad`, or
    as the edge value itself when pad is None)."""
    half = width // 2
    if len(x) == 0:
        return x
    before = np.full(half, x[0] if pad is None else pad)
    after = np.full(half, x[-1] if pad is None else pad)
    padded = np.concatenate([before, x, after])
    cumsum = np.concatenate([[0.0], np.cumsum(padded)])
    return (cumsum[width:] - cumsum[:-width]) / width


def _frames(ms: float, sample_rate: int) -> int:
    return max(1, round(ms * sample_rate / 1000))
