"""The cue tones (rise, fall, tick, tock, chime, bell), synthesised from their specs.

Pure numpy: numbers in, samples out. No files, no clock, no randomness (assets.py ships them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voice_coach.plan.timeline import SAMPLE_RATE, ms_to_frames
from voice_coach.routine.fields import TONE_MS, TONE_NAMES

# Speech from espeak peaks around -3..-6 dBFS; tones sit ~6-9 dB under it so a tone never
# startles and never covers a word, yet stays clear with eyes closed.
TONE_PEAK_DBFS = -12.0


@dataclass(frozen=True)
class ToneSpec:
    """How one tone is made.

    start_hz/end_hz: fundamental at the first and last sample (equal for a steady tone);
    a glide is exponential in frequency (equal musical steps per ms).
    partials: (frequency ratio to the fundamental, relative amplitude, decay time constant in ms
    or 0 for none); the first partial is the loudest and gives the FFT peak.
    attack_ms/release_ms: raised-cosine fade in and out, so the tone starts and ends at 0.
    """

    duration_ms: int
    start_hz: float
    end_hz: float
    partials: tuple[tuple[float, float, float], ...]
    attack_ms: float
    release_ms: float
    description: str


TONE_SPECS: dict[str, ToneSpec] = {
    "rise": ToneSpec(
        duration_ms=TONE_MS["rise"],
        start_hz=440.0,
        end_hz=660.0,
        partials=((1.0, 1.0, 0.0),),
        attack_ms=25.0,
        release_ms=60.0,
        description="soft upward glide (toes up)",
    ),
    "fall": ToneSpec(
        duration_ms=TONE_MS["fall"],
        start_hz=660.0,
        end_hz=440.0,
        partials=((1.0, 1.0, 0.0),),
        attack_ms=25.0,
        release_ms=60.0,
        description="soft downward glide (toes down)",
    ),
    "tick": ToneSpec(
        duration_ms=TONE_MS["tick"],
        start_hz=880.0,
        end_hz=880.0,
        partials=((1.0, 1.0, 15.0),),
        attack_ms=4.0,
        release_ms=20.0,
        description="short soft tick for counts and the metronome's first beat",
    ),
    "tock": ToneSpec(
        duration_ms=TONE_MS["tock"],
        start_hz=587.33,
        end_hz=587.33,
        partials=((1.0, 1.0, 15.0),),
        attack_ms=4.0,
        release_ms=20.0,
        description="lower tick: the metronome's second beat",
    ),
    "chime": ToneSpec(
        duration_ms=TONE_MS["chime"],
        start_hz=523.25,
        end_hz=523.25,
        partials=((1.0, 1.0, 350.0), (1.5, 0.5, 250.0)),
        attack_ms=8.0,
        release_ms=200.0,
        description="two-partial chime (C5 + G5) for set boundaries",
    ),
    "bell": ToneSpec(
        duration_ms=TONE_MS["bell"],
        start_hz=329.63,
        end_hz=329.63,
        partials=((1.0, 1.0, 1100.0), (2.0, 0.3, 700.0), (2.76, 0.25, 450.0)),
        attack_ms=15.0,
        release_ms=600.0,
        description="long soft bell (E4 with inharmonic partials) for meditation and bedtime",
    ),
}

TONE_FREQS_HZ: dict[str, tuple[float, float]] = {
    name: (TONE_SPECS[name].start_hz, TONE_SPECS[name].end_hz) for name in TONE_NAMES
}


def make_tone(name: str, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The tone `name` as float32 samples in [-1, 1], peaking at TONE_PEAK_DBFS.

    Exactly ms_to_frames(TONE_MS[name], sample_rate) frames; first and last samples are 0.
    Raises ValueError for a name not in TONE_NAMES.
    """
    if name not in TONE_SPECS:
        raise ValueError(f"unknown tone {name!r}; known tones: {', '.join(TONE_NAMES)}")
    spec = TONE_SPECS[name]
    n_frames = ms_to_frames(spec.duration_ms, sample_rate)
    t_s = np.arange(n_frames, dtype=np.float64) / sample_rate
    phase = _glide_phase(spec.start_hz, spec.end_hz, spec.duration_ms / 1000, t_s)
    wave = np.zeros(n_frames)
    for ratio, amplitude, decay_ms in spec.partials:
        decay = np.exp(-t_s * 1000 / decay_ms) if decay_ms else 1.0
        wave += amplitude * decay * np.sin(ratio * phase)
    wave *= _envelope(
        n_frames,
        _fade_frames(spec.attack_ms, sample_rate),
        _fade_frames(spec.release_ms, sample_rate),
    )
    peak = np.max(np.abs(wave)) if n_frames else 0.0
    if peak > 0:
        wave *= 10 ** (TONE_PEAK_DBFS / 20) / peak
    return wave.astype(np.float32)


def _fade_frames(ms: float, sample_rate: int) -> int:
    """A fade length in frames (at least 1)."""
    return max(1, round(ms * sample_rate / 1000))


def _glide_phase(start_hz: float, end_hz: float, duration_s: float, t_s: np.ndarray) -> np.ndarray:
    """Phase in radians of an exponential glide from start_hz to end_hz over duration_s."""
    if start_hz == end_hz:
        return 2 * np.pi * start_hz * t_s
    k = np.log(end_hz / start_hz) / duration_s
    return 2 * np.pi * start_hz * np.expm1(k * t_s) / k


def _envelope(n_frames: int, attack_frames: int, release_frames: int) -> np.ndarray:
    """1 in the middle, raised-cosine ramps from exactly 0 at the first and last frame."""
    env = np.ones(n_frames)
    attack_frames = min(attack_frames, n_frames)
    release_frames = min(release_frames, n_frames)
    env[:attack_frames] *= _raised_cosine(attack_frames)
    env[n_frames - release_frames :] *= _raised_cosine(release_frames)[::-1]
    if n_frames:
        env[-1] = 0.0
    return env


def _raised_cosine(n_frames: int) -> np.ndarray:
    """0 → 1 over n_frames, starting at exactly 0: 0.5 * (1 - cos(pi * k / n))."""
    return 0.5 * (1 - np.cos(np.pi * np.arange(n_frames) / n_frames))


def describe_tones(sample_rate: int = SAMPLE_RATE) -> str:
    """audio/README.md: each tone's sound, frequencies, envelope and length (Markdown)."""
    lines = [
        "# Sound assets",
        "",
        "Made by `scripts/make-audio` from `voice_coach/sound/tones.py` (`make_tone`): do not edit",
        "by hand; change the specs there and run the script. A test checks the files still match.",
        "",
        f"All files: WAV, 16-bit PCM, mono, {sample_rate} Hz.",
        f"Every tone peaks at {TONE_PEAK_DBFS:g} dBFS (espeak speech peaks around -3..-6 dBFS),",
        "and starts and ends at exactly 0 through raised-cosine (Hann) fades, so no tone clicks.",
        "",
        "| file | sound | length | frequency | partials (ratio × amplitude, decay) "
        "| fade in / out |",
        "|---|---|---|---|---|---|",
    ]
    for name in TONE_NAMES:
        lines.append(_describe_row(name, sample_rate))
    return "\n".join(lines) + "\n"


def _describe_row(name: str, sample_rate: int) -> str:
    spec = TONE_SPECS[name]
    if spec.start_hz == spec.end_hz:
        freq = f"{spec.start_hz:g} Hz"
    else:
        freq = f"{spec.start_hz:g} → {spec.end_hz:g} Hz glide"
    partials = ", ".join(
        f"{ratio:g}×{amp:g}" + (f" (τ {decay:g} ms)" if decay else "")
        for ratio, amp, decay in spec.partials
    )
    n_frames = ms_to_frames(spec.duration_ms, sample_rate)
    return (
        f"| {name}.wav | {spec.description} | {spec.duration_ms} ms ({n_frames} frames) "
        f"| {freq} | {partials} | {spec.attack_ms:g} ms / {spec.release_ms:g} ms |"
    )
