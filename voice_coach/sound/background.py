"""Background sound under the cues: seeded brown, pink or white noise, or a music file, set to
a loudness, ducked under every cue and tone, and faded in.

Streams: noise is two seeded, seamless loops whose lengths are in the golden ratio, added
together (so the texture does not come round again for hours), and any block of any size is
the same samples; nothing grows with the session.
Music is decoded once by ffmpeg into a bounded buffer (music_file.py) and
looped with a crossfade. The rest is pure.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from voice_coach.basics import defaults
from voice_coach.plan.timeline import Event, ms_to_frames
from voice_coach.routine import NOISE_SOUNDS, Background
from voice_coach.sound import loudness as ld
from voice_coach.sound.music_file import (  # noqa: F401 - check_sound, music_path: re-exported
    MUSIC_MAX_S,
    check_sound,
    decode_music,
    music_path,
)

# 23.8 s and 14.7 s at 22050 Hz. In the golden ratio, the second loop is never back near the
# same offset when the first comes round (not for hours), so their sum does not audibly repeat.
# Both lengths factor into 2, 3, 5 and 7 only, so their FFTs are quick and need little memory.
LOOP_FRAMES = (1 << 19, 324_135)  # 2**19 and 3**3 * 5 * 7**4
NOISE_LOW_HZ = 40.0  # below this the noise rolls off: phone speakers cannot play it anyway
MUSIC_CROSSFADE_MS = 2000
_REFERENCE_LUFS = -20.0
_CHUNK_STEPS = 600


# ---------------------------------------------------------------------------------------------
# Sources: unit-loudness sound, any frames on demand.


@dataclass(frozen=True)
class NoiseSource:
    """Seeded coloured noise at _REFERENCE_LUFS, the sum of two seamless loops."""

    loops: tuple[np.ndarray, np.ndarray]

    def samples(self, start_frame: int, n_frames: int) -> np.ndarray:
        index = np.arange(start_frame, start_frame + n_frames)
        a, b = self.loops
        return a[index % len(a)] + b[index % len(b)]


@dataclass(frozen=True)
class MusicSource:
    """Decoded music (int16) at _REFERENCE_LUFS once scaled by `gain`: `loop` repeats; the
    first time through, its crossfaded start is replaced by `intro`, the music's own start."""

    loop: np.ndarray
    gain: float
    intro: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int16))

    def samples(self, start_frame: int, n_frames: int) -> np.ndarray:
        index = np.arange(start_frame, start_frame + n_frames)
        out = self.loop[index % len(self.loop)]
        first = index < len(self.intro)
        if first.any():
            out[first] = self.intro[index[first]]
        return out.astype(np.float32) * np.float32(self.gain)


Source = NoiseSource | MusicSource


@functools.cache
def noise(kind: str, seed: int, sample_rate: int) -> NoiseSource:
    """Brown (1/f² power), pink (1/f) or white noise from `seed`, at _REFERENCE_LUFS.

    Each loop is shaped in the frequency domain, so it is exactly periodic: no seam.
    """
    if kind not in NOISE_SOUNDS:
        raise ValueError(f"unknown noise {kind!r}; known: {', '.join(NOISE_SOUNDS)}")
    exponent = {"white": 0.0, "pink": 0.5, "brown": 1.0}[kind]
    loops = []
    for i, n_frames in enumerate(LOOP_FRAMES):
        rng = np.random.default_rng([seed, i])
        spectrum = np.fft.rfft(rng.standard_normal(n_frames))
        freqs_hz = np.fft.rfftfreq(n_frames, 1 / sample_rate)
        spectrum *= _shape(freqs_hz, exponent)
        loop = np.fft.irfft(spectrum, n_frames)
        lufs = ld.stream_lufs((loop[j : j + 65536] for j in range(0, n_frames, 65536)),
                              sample_rate)
        loop = (loop * 10 ** ((_REFERENCE_LUFS - lufs) / 20) / math.sqrt(2)).astype(np.float32)
        loop.flags.writeable = False
        loops.append(loop)
    return NoiseSource((loops[0], loops[1]))


def _shape(freqs_hz: np.ndarray, exponent: float) -> np.ndarray:
    """Amplitude of each bin: f**-exponent above NOISE_LOW_HZ, rolling off 12 dB/octave below."""
    f = np.maximum(freqs_hz, 1e-9)
    amplitude = np.maximum(f, NOISE_LOW_HZ) ** -exponent
    amplitude *= np.minimum(1.0, (f / NOISE_LOW_HZ) ** 2)
    amplitude[0] = 0.0
    return amplitude


def music(samples: np.ndarray, sample_rate: int, n_frames: int) -> MusicSource:
    """Decoded music (int16) as a source at _REFERENCE_LUFS: used as it is when it lasts the
    session (n_frames), else looped, its end crossfaded into its start (in place: no copy)."""
    lufs = ld.stream_lufs((samples[i : i + 65536] / 32768
                           for i in range(0, len(samples), 65536)), sample_rate)
    gain = 10 ** ((_REFERENCE_LUFS - lufs) / 20) / 32768 if math.isfinite(lufs) else 0.0
    if len(samples) >= n_frames or len(samples) < 4:
        return MusicSource(samples, gain)
    fade = min(ms_to_frames(MUSIC_CROSSFADE_MS, sample_rate), len(samples) // 4)
    body = samples[: len(samples) - fade]
    if not body.flags.writeable:
        body = body.copy()
    intro = samples[:fade].copy()
    head = intro.astype(np.float64)
    tail = samples[len(samples) - fade :].astype(np.float64)
    fade_in, fade_out = _crossfade(head, tail)
    body[:fade] = np.clip(np.rint(head * fade_in + tail * fade_out), -32768, 32767)
    return MusicSource(body, gain, intro)


def _crossfade(head: np.ndarray, tail: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gains that keep the power steady across the loop's seam: equal-power (sine/cosine) for
    unrelated material, moving towards equal-gain as the two ends are alike (correlation rho:
    a² + b² + 2·rho·a·b = 1)."""
    norm = math.sqrt(float(np.dot(head, head)) * float(np.dot(tail, tail)))
    rho = min(1.0, max(0.0, float(np.dot(head, tail)) / norm)) if norm else 0.0
    t = (np.arange(len(head)) + 0.5) / len(head)
    a = np.sin(t * np.pi / 2)
    b = -rho * a + np.sqrt(np.maximum(0.0, rho * rho * a * a - a * a + 1))
    return a, b


# ---------------------------------------------------------------------------------------------
# Ducking and fading: a gain envelope from the plan.


@dataclass(frozen=True)
class Ducking:
    """Where the bed dips: frame ranges of every cue and tone, and the dip's shape."""

    starts: tuple[int, ...]  # sorted
    ends: tuple[int, ...]
    max_length: int
    depth_db: float
    attack_frames: int
    release_frames: int

    @classmethod
    def under(cls, events: Sequence[Event], sample_rate: int, background: Background
              ) -> Ducking:
        spans = sorted((ms_to_frames(e.start_ms, sample_rate), ms_to_frames(e.end_ms, sample_rate))
                       for e in events)
        return cls(tuple(s for s, _ in spans), tuple(e for _, e in spans),
                   max((e - s for s, e in spans), default=0), background.duck_db,
                   ms_to_frames(background.attack_ms, sample_rate),
                   ms_to_frames(background.release_ms, sample_rate))

    def depth(self, frames: np.ndarray) -> np.ndarray:
        """How far ducked each of `frames` (sorted session frame numbers) is: 0 (not at all)
        to 1 (the full depth), float64."""
        out = np.zeros(len(frames))
        if len(frames) == 0:
            return out
        first, last = int(frames[0]), int(frames[-1])
        lo = bisect.bisect_left(self.starts, first - self.release_frames - self.max_length)
        hi = bisect.bisect_right(self.starts, last + self.attack_frames)
        for i in range(lo, hi):
            _dip(out, frames, self.starts[i], self.ends[i], self.attack_frames,
                 self.release_frames)
        return out


def _dip(out: np.ndarray, frames: np.ndarray, start: int, end: int, attack: int, release: int
         ) -> None:
    """Raise `out` (at `frames`) to a dip: 1 over [start, end), raised-cosine ramps over
    `attack` frames before it and `release` frames after it."""
    a, b = np.searchsorted(frames, [start - attack, end + release])
    if a >= b:
        return
    at = frames[a:b]
    dip = np.ones(b - a)
    if attack:
        before = at < start
        dip[before] = _ramp((at[before] - (start - attack)) / attack)
    if release:
        after = at >= end
        dip[after] = _ramp(1 - (at[after] - end) / release)
    np.maximum(out[a:b], dip, out=out[a:b])


def _ramp(t: np.ndarray) -> np.ndarray:
    """0 → 1 as t goes 0 → 1, raised cosine."""
    return 0.5 * (1 - np.cos(np.pi * t))


# ---------------------------------------------------------------------------------------------
# The bed.


@dataclass(frozen=True)
class Bed:
    """The background as render_blocks mixes it: source × level × ducking × fade-in.

    lufs: its loudness before ducking, as the file will measure it.
    """

    source: Source
    lufs: float
    ducking: Ducking
    fade_in_frames: int
    sample_rate: int

    def block(self, start_frame: int, n_frames: int) -> np.ndarray:
        """float32 samples of session frames [start_frame, start_frame + n_frames)."""
        samples = self.source.samples(start_frame, n_frames)
        frames = np.arange(start_frame, start_frame + n_frames)
        return (samples * self.envelope(frames)).astype(np.float32)

    def envelope(self, frames: np.ndarray) -> np.ndarray:
        """The bed's linear gain at `frames` (sorted): level, ducking and fade-in together."""
        depth = self.ducking.depth(frames)
        level_db = self.lufs - _REFERENCE_LUFS
        if depth.any():
            gain = 10 ** ((level_db + self.ducking.depth_db * depth) / 20)
        else:
            gain = np.full(len(frames), 10 ** (level_db / 20))
        if len(frames) and frames[0] < self.fade_in_frames:
            inside = frames < self.fade_in_frames
            gain[inside] *= _ramp(frames[inside] / self.fade_in_frames)
        return gain

    def step_powers(self, n_steps: int) -> np.ndarray:
        """The bed's K-weighted mean square in each 100 ms step, from its envelope (sampled
        every few ms: it moves no faster than the ducking's ramps): the source's power times
        the mean squared gain (the source is steady on that scale)."""
        step = self.sample_rate * ld.GATE_STEP_MS // 1000
        stride = _divisor_near(step, self.sample_rate // 1000 * 2)
        per_step = step // stride
        reference = ld.power_of_lufs(_REFERENCE_LUFS)
        out = np.zeros(n_steps)
        for first in range(0, n_steps, _CHUNK_STEPS):
            count = min(_CHUNK_STEPS, n_steps - first)
            frames = np.arange(first * step, (first + count) * step, stride)
            gain = self.envelope(frames).reshape(count, per_step)
            out[first : first + count] = reference * np.mean(gain * gain, axis=1)
        return out


def _divisor_near(n: int, target: int) -> int:
    """The divisor of n nearest to target (at least 1)."""
    return min((d for d in range(1, n + 1) if n % d == 0), key=lambda d: abs(d - target))


def open_bed(background: Background, events: Sequence[Event], *, target_lufs: float,
             n_frames: int, sample_rate: int, fade_in_ms: int) -> Bed:
    """The bed for a session: its source opened (music decoded), levelled to the background's
    level on the speech target's scale (target_lufs: the routine's loudness), ducked under
    `events` and faded in over fade_in_ms. The voice is levelled on its own: a bed never moves
    it."""
    if background.is_noise:
        source: Source = noise(background.sound, background.seed, sample_rate)
    else:
        source = music(decode_music(background, sample_rate), sample_rate, n_frames)
    lufs = background.level_db + (target_lufs - defaults.LOUDNESS_LUFS)  # level_db is on its scale
    return Bed(source, lufs, Ducking.under(events, sample_rate, background),
               ms_to_frames(fade_in_ms, sample_rate), sample_rate)

