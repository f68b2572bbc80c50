"""Measuring real audio in tests: read and decode files, find onsets, peak frequency and levels.

Shared by every test that listens to output (`from tests.audio_measure import ...`).
Measures; never mocks.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

INT16_FULL_SCALE = 32768


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """(int16 samples, sample_rate) of a mono 16-bit PCM WAV, read with the stdlib wave module."""
    with wave.open(str(path), "rb") as wav:
        assert wav.getsampwidth() == 2, f"{path}: {8 * wav.getsampwidth()}-bit, expected 16"
        assert wav.getnchannels() == 1, f"{path}: {wav.getnchannels()} channels, expected mono"
        data = wav.readframes(wav.getnframes())
        return np.frombuffer(data, dtype="<i2").copy(), wav.getframerate()


def decode(path: Path, sample_rate: int = 22050) -> np.ndarray:
    """Any audio file decoded by ffmpeg to mono int16 at sample_rate (ffmpeg must be installed)."""
    ffmpeg = shutil.which("ffmpeg")
    assert ffmpeg, "ffmpeg is needed to decode audio in tests"
    result = subprocess.run(
        [
            ffmpeg,
            "-v",
            "error",
            "-nostdin",
            "-i",
            str(path),
            "-f",
            "s16le",
            "-acodec",
            "pcm_s16le",
            "-ac",
            "1",
            "-ar",
            str(sample_rate),
            "pipe:1",
        ],
        capture_output=True,
        check=True,
    )
    return np.frombuffer(result.stdout, dtype="<i2").copy()


def decode_float(path: Path, sample_rate: int = 22050) -> np.ndarray:
    """Like decode, as float32 in [-1, 1)."""
    return to_float(decode(path, sample_rate))


def to_float(samples: np.ndarray) -> np.ndarray:
    """int16 → float32 (x / 32768); float input is returned as float32 unchanged."""
    samples = np.asarray(samples)
    if np.issubdtype(samples.dtype, np.integer):
        return samples.astype(np.float32) / INT16_FULL_SCALE
    return samples.astype(np.float32)


def dbfs(amplitude: float) -> float:
    """A linear amplitude (1.0 = full scale) in dBFS; -inf for 0."""
    return float(20 * np.log10(amplitude)) if amplitude > 0 else float("-inf")


def peak_dbfs(samples: np.ndarray) -> float:
    """Sample peak in dBFS (int16 or float input)."""
    x = to_float(samples)
    return dbfs(float(np.max(np.abs(x)))) if len(x) else float("-inf")


def rms_dbfs(samples: np.ndarray) -> float:
    """RMS level in dBFS (a full-scale sine measures -3.01)."""
    x = to_float(samples).astype(np.float64)
    return dbfs(float(np.sqrt(np.mean(x * x)))) if len(x) else float("-inf")


def onsets(
    samples: np.ndarray,
    sample_rate: int = 22050,
    *,
    threshold_dbfs: float = -60.0,
    min_silence_ms: float = 20.0,
) -> list[int]:
    """Frames where sound starts: |x| rises above threshold after at least min_silence_ms below it.

    The first sound in the file always counts. A pure mix has exact zeros between events, so
    any threshold finds its onsets; for decoded lossy audio raise it above the codec's noise.
    """
    x = np.abs(to_float(samples))
    loud = np.flatnonzero(x > 10 ** (threshold_dbfs / 20))
    if len(loud) == 0:
        return []
    gap_frames = min_silence_ms * sample_rate / 1000
    starts = loud[1:][np.diff(loud) > gap_frames]
    return [int(loud[0]), *(int(i) for i in starts)]


def peak_freq_hz(samples: np.ndarray, sample_rate: int = 22050) -> float:
    """Frequency of the strongest FFT bin (Hann window, zero-padded, parabolic interpolation)."""
    x = to_float(samples).astype(np.float64)
    n_fft = max(1 << 16, 1 << int(np.ceil(np.log2(len(x)))))
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)), n_fft))
    k = int(np.argmax(spectrum))
    if 0 < k < len(spectrum) - 1:
        a, b, c = np.log(spectrum[k - 1 : k + 2] + 1e-300)
        k += 0.5 * (a - c) / (a - 2 * b + c)
    return float(k * sample_rate / n_fft)


def band_energy_db(
    samples: np.ndarray, sample_rate: int, low_hz: float, high_hz: float = float("inf")
) -> float:
    """Share of the signal's energy between low_hz and high_hz, in dB (no window: edges count)."""
    x = to_float(samples).astype(np.float64)
    power = np.abs(np.fft.rfft(x, max(1 << 16, len(x)))) ** 2
    freqs = np.fft.rfftfreq(max(1 << 16, len(x)), 1 / sample_rate)
    share = power[(freqs >= low_hz) & (freqs < high_hz)].sum() / power.sum()
    return float(10 * np.log10(share + 1e-30))


def instantaneous_freq_hz(samples: np.ndarray, sample_rate: int = 22050) -> np.ndarray:
    """Frequency at each frame of a single-partial signal (analytic signal's phase slope)."""
    x = to_float(samples).astype(np.float64)
    n = len(x)
    spectrum = np.fft.fft(x)
    weights = np.zeros(n)
    weights[0] = 1
    weights[1 : (n + 1) // 2] = 2
    if n % 2 == 0:
        weights[n // 2] = 1
    phase = np.unwrap(np.angle(np.fft.ifft(spectrum * weights)))
    return np.diff(phase) * sample_rate / (2 * np.pi)


def edge_step(samples: np.ndarray, sample_rate: int = 22050, edge_ms: float = 1.0) -> float:
    """Largest sample-to-sample step within the first and last edge_ms (a click shows here)."""
    x = to_float(samples).astype(np.float64)
    k = max(2, round(edge_ms * sample_rate / 1000))
    steps = np.abs(np.diff(x))
    return float(max(steps[:k].max(), steps[-k:].max()))
