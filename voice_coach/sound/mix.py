"""Mix a Timeline's speech clips and tones into float32 samples, block by block.

Pure: numbers in, numbers out. No files, no engines, no clock; memory per block, not per session.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from voice_coach.plan.timeline import Event, Timeline, format_clock_ms, ms_to_frames

BLOCK_FRAMES = 65536
PCM16_FULL_SCALE = 32768  # int16 ↔ float: x / 32768, so every int16 clip survives a round trip


@dataclass(frozen=True)
class MixLevels:
    """Gains in dB applied at mix time (0 = as synthesised).

    metronome_gain_db is added on top of the kind's gain for events on the "metronome" layer,
    so the beat sits under the cues.
    """

    speech_gain_db: float = 0.0
    tone_gain_db: float = 0.0
    metronome_gain_db: float = -6.0


class Bed(Protocol):
    """A background sound under the cues, already levelled, ducked and faded in."""

    def block(self, start_frame: int, n_frames: int) -> np.ndarray:
        """float32 samples of session frames [start_frame, start_frame + n_frames)."""
        ...


@dataclass(frozen=True)
class _Placed:
    """An event's samples at its absolute start frame, with the linear gain to apply."""

    start_frame: int
    samples: np.ndarray
    gain: np.float32

    @property
    def end_frame(self) -> int:
        return self.start_frame + len(self.samples)


def render_blocks(
    timeline: Timeline,
    clips: Mapping[str, np.ndarray],
    tones: Mapping[str, np.ndarray],
    *,
    levels: MixLevels = MixLevels(),
    block_frames: int = BLOCK_FRAMES,
    start_frame: int = 0,
    bed: Bed | None = None,
    fade_out_ms: int | None = None,
    ceiling: float | None = None,
) -> Iterator[np.ndarray]:
    """The mix as float32 mono blocks in [-1, 1] at timeline.sample_rate.

    clips: speech text → int16 samples (or float in [-1, 1]); tones: tone name → float32 samples.
    Each event's whole clip is placed at ms_to_frames(start_ms); audio past the end is cut.
    Blocks are block_frames long (the last one shorter) and together hold exactly
    timeline.n_frames - start_frame frames, beginning at start_frame.
    bed: a background sound added under the cues. fade_out_ms: the closing fade (default
    timeline.fade_out_ms). ceiling: linear peak level the mix bends softly under (see
    soft_ceiling) instead of clipping, where overlapping sounds add up past it.
    Raises ValueError at call time for a missing clip or tone, or a bad block size/start.
    """
    if block_frames <= 0:
        raise ValueError(f"block_frames must be positive, got {block_frames}")
    if not 0 <= start_frame <= timeline.n_frames:
        raise ValueError(f"start_frame {start_frame} is outside 0..{timeline.n_frames}")
    _check_sources(timeline.events, clips, tones)
    fade_ms = timeline.fade_out_ms if fade_out_ms is None else fade_out_ms
    return _blocks(timeline, clips, tones, levels, block_frames, start_frame, bed,
                   ms_to_frames(fade_ms, timeline.sample_rate), ceiling)


def mix_blocks(
    timeline: Timeline,
    clips: Mapping[str, np.ndarray],
    tones: Mapping[str, np.ndarray],
    *,
    levels: MixLevels = MixLevels(),
    block_frames: int = BLOCK_FRAMES,
) -> Iterator[np.ndarray]:
    """The plain sum of the placed clips and tones, block by block: no fade, no clipping
    (for measuring a mix, e.g. of K-weighted clips). Same block layout as render_blocks."""
    if block_frames <= 0:
        raise ValueError(f"block_frames must be positive, got {block_frames}")
    _check_sources(timeline.events, clips, tones)
    for _, block in _sums(timeline, clips, tones, levels, block_frames, 0):
        yield block


def render_array(
    timeline: Timeline,
    clips: Mapping[str, np.ndarray],
    tones: Mapping[str, np.ndarray],
    *,
    levels: MixLevels = MixLevels(),
) -> np.ndarray:
    """The whole mix as one float32 array of timeline.n_frames frames (tests, short sessions)."""
    out = np.zeros(timeline.n_frames, dtype=np.float32)
    pos = 0
    for block in render_blocks(timeline, clips, tones, levels=levels):
        out[pos : pos + len(block)] = block
        pos += len(block)
    return out


def to_pcm16(block: np.ndarray) -> bytes:
    """float samples in [-1, 1] → little-endian int16 bytes (x * 32768, rounded, clipped)."""
    scaled = np.rint(np.asarray(block, dtype=np.float32) * np.float32(PCM16_FULL_SCALE))
    return np.clip(scaled, -32768, 32767).astype("<i2").tobytes()


def from_pcm16(samples: np.ndarray) -> np.ndarray:
    """int16 samples → float32 in [-1, 1) (x / 32768), the inverse of to_pcm16."""
    return np.asarray(samples, dtype=np.float32) / np.float32(PCM16_FULL_SCALE)


def db_to_gain(gain_db: float) -> float:
    """Linear amplitude factor of a gain in dB."""
    return float(10 ** (gain_db / 20))


def _check_sources(
    events: tuple[Event, ...], clips: Mapping[str, np.ndarray], tones: Mapping[str, np.ndarray]
) -> None:
    for event in events:
        speech = event.kind == "speech"
        if (event.text not in clips) if speech else (event.tone not in tones):
            what = f"speech clip for {event.text!r}" if speech else f"tone {event.tone!r}"
            raise ValueError(f"no {what} (event at {format_clock_ms(event.start_ms)})")


def _blocks(
    timeline: Timeline,
    clips: Mapping[str, np.ndarray],
    tones: Mapping[str, np.ndarray],
    levels: MixLevels,
    block_frames: int,
    start_frame: int,
    bed: Bed | None,
    fade_frames: int,
    ceiling: float | None,
) -> Iterator[np.ndarray]:
    n_frames = timeline.n_frames
    for block_start, block in _sums(timeline, clips, tones, levels, block_frames, start_frame):
        if bed is not None:
            block += bed.block(block_start, len(block))
        _fade_out(block, block_start, n_frames, fade_frames)
        if ceiling is not None:
            soft_ceiling(block, ceiling)
        np.clip(block, -1.0, 1.0, out=block)
        yield block


def _sums(
    timeline: Timeline,
    clips: Mapping[str, np.ndarray],
    tones: Mapping[str, np.ndarray],
    levels: MixLevels,
    block_frames: int,
    start_frame: int,
) -> Iterator[tuple[int, np.ndarray]]:
    events = sorted(timeline.events, key=lambda e: e.start_ms)
    n_frames = timeline.n_frames
    next_index = 0
    active: list[_Placed] = []
    for block_start in range(start_frame, n_frames, block_frames):
        block_end = min(block_start + block_frames, n_frames)
        while next_index < len(events) and (
            ms_to_frames(events[next_index].start_ms, timeline.sample_rate) < block_end
        ):
            active.append(_place(events[next_index], timeline.sample_rate, clips, tones, levels))
            next_index += 1
        active = [p for p in active if p.end_frame > block_start]
        block = np.zeros(block_end - block_start, dtype=np.float32)
        for placed in active:
            _add(block, block_start, placed)
        yield block_start, block


def soft_ceiling(block: np.ndarray, ceiling: float, knee_db: float = 0.5) -> None:
    """Bends samples above `ceiling` * 10**(-knee_db/20) smoothly towards `ceiling`, in place.

    Stateless (any block size gives the same result) and the identity below the knee, so it
    only touches the rare moments where overlapping sounds add up past the ceiling.
    """
    knee = np.float32(ceiling * 10 ** (-knee_db / 20))
    over = np.abs(block) > knee
    if not over.any():
        return
    room = np.float32(ceiling) - knee
    x = block[over]
    bent = knee + room * np.tanh((np.abs(x) - knee) / room)
    block[over] = np.copysign(bent, x).astype(np.float32)


def _place(
    event: Event,
    sample_rate: int,
    clips: Mapping[str, np.ndarray],
    tones: Mapping[str, np.ndarray],
    levels: MixLevels,
) -> _Placed:
    if event.kind == "speech":
        samples, gain_db = clips[event.text], levels.speech_gain_db
    else:
        samples, gain_db = tones[event.tone], levels.tone_gain_db
    if event.layer == "metronome":
        gain_db += levels.metronome_gain_db
    gain = db_to_gain(gain_db)
    if np.issubdtype(samples.dtype, np.integer):
        gain /= PCM16_FULL_SCALE
    return _Placed(ms_to_frames(event.start_ms, sample_rate), samples, np.float32(gain))


def _add(block: np.ndarray, block_start: int, placed: _Placed) -> None:
    """Add the part of `placed` that falls inside the block starting at block_start."""
    lo = max(block_start, placed.start_frame)
    hi = min(block_start + len(block), placed.end_frame)
    if lo >= hi:
        return
    part = placed.samples[lo - placed.start_frame : hi - placed.start_frame]
    block[lo - block_start : hi - block_start] += part.astype(np.float32) * placed.gain


def _fade_out(block: np.ndarray, block_start: int, n_frames: int, fade_frames: int) -> None:
    """Raised-cosine fade over the last fade_frames of the session, reaching 0 at the last frame.

    Gain at session frame i (j = i - (n_frames - fade_frames)): 0.5 * (1 + cos(pi * (j + 1) / N)).
    """
    if fade_frames <= 0:
        return
    fade_start = n_frames - fade_frames
    lo = max(block_start, fade_start)
    hi = block_start + len(block)
    if lo >= hi:
        return
    j = np.arange(lo - fade_start, hi - fade_start, dtype=np.float64)
    gain = 0.5 * (1 + np.cos(np.pi * (j + 1) / fade_frames))
    block[lo - block_start :] *= gain.astype(np.float32)
