"""Speech from an engine's sample rate to the session's (Pico and some Piper voices speak at
16 kHz; sessions are at SAMPLE_RATE), by libsoxr. Pure: samples in, samples out.
"""

from __future__ import annotations

import numpy as np

from voice_coach.plan.timeline import SAMPLE_RATE


def resample_to(samples: np.ndarray, from_rate: int, to_rate: int = SAMPLE_RATE) -> np.ndarray:
    """int16 `samples` at `from_rate` Hz resampled to `to_rate` Hz by libsoxr (python-soxr's
    very high quality band-limited filter: what linear interpolation images or aliases into
    the consonants' band is more than 100 dB down). Same input, same samples in any process.

    Output length is round(len * to_rate / from_rate); float64 through the filter, rounded and
    clipped to int16 here (no dither, so nothing random).
    """
    samples = np.asarray(samples)
    if from_rate == to_rate or samples.size == 0:
        return samples.astype(np.int16, copy=True)
    import soxr

    n_out = max(1, round(samples.size * to_rate / from_rate))
    y = soxr.resample(samples.astype(np.float64), from_rate, to_rate, quality="VHQ")
    if y.size < n_out:
        y = np.concatenate([y, np.zeros(n_out - y.size)])
    return np.clip(np.round(y[:n_out]), -32768, 32767).astype(np.int16)


def resampler_version() -> str:
    """The resampler and its version, for the cache key of engines that resample."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"soxr {version('soxr')}"
    except PackageNotFoundError:
        return "soxr"
