"""The mixer, measured: exact samples, onsets on the plan, silence, gains, fades, streaming."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.audio_measure import onsets, peak_dbfs, peak_freq_hz
from voice_coach.plan.timeline import Event, Timeline, ms_to_frames
from voice_coach.sound.assets import load_tone
from voice_coach.sound.mix import (
    BLOCK_FRAMES,
    MixLevels,
    render_array,
    render_blocks,
    to_pcm16,
)
from voice_coach.sound.tones import TONE_FREQS_HZ, TONE_MS, TONE_NAMES

SR = 22050
TONES = {name: load_tone(name) for name in TONE_NAMES}


def make_timeline(duration_ms: int, *events: Event, fade_out_ms: int = 0) -> Timeline:
    return Timeline(
        routine="test",
        title="test",
        duration_ms=duration_ms,
        events=tuple(sorted(events, key=lambda e: e.start_ms)),
        chapters=(),
        fade_out_ms=fade_out_ms,
    )


def speech(start_ms: int, text: str, clips: dict[str, np.ndarray]) -> Event:
    return Event(
        start_ms=start_ms, duration_ms=len(clips[text]) * 1000 // SR, kind="speech", text=text
    )


def tone(start_ms: int, name: str, layer: str = "cue") -> Event:
    return Event(start_ms=start_ms, duration_ms=TONE_MS[name], kind="tone", tone=name, layer=layer)


def fake_clip(duration_ms: int, freq_hz: float = 220.0, level: float = 0.5) -> np.ndarray:
    """A speech stand-in: int16 cosine that is loud from its very first sample."""
    t = np.arange(ms_to_frames(duration_ms)) / SR
    return np.rint(level * 32767 * np.cos(2 * np.pi * freq_hz * t)).astype(np.int16)


def pcm(samples: np.ndarray) -> np.ndarray:
    return np.frombuffer(to_pcm16(samples), dtype="<i2")


# --- exact fixtures ---------------------------------------------------------------------


def test_five_frame_clip_lands_on_exact_samples():
    clips = {"hi": np.array([1000, -2000, 3000, -4000, 5000], dtype=np.int16)}
    plan = make_timeline(3, Event(start_ms=1, duration_ms=1, kind="speech", text="hi"))
    out = pcm(render_array(plan, clips, {}))
    assert len(out) == 66  # 3 ms at 22050 Hz
    assert out[22:27].tolist() == [1000, -2000, 3000, -4000, 5000]  # 1 ms = frame 22
    assert not out[:22].any() and not out[27:].any()


def test_overlapping_clips_add_and_clip_to_full_scale():
    clips = {
        "a": np.array([20000, 20000, -20000], dtype=np.int16),
        "b": np.array([100, 20000, -20000], dtype=np.int16),
    }
    plan = make_timeline(1, Event(0, 1, "speech", text="a"), Event(0, 1, "speech", text="b"))
    out = render_array(plan, clips, {})
    assert pcm(out[:3]).tolist() == [20100, 32767, -32768]
    assert out.max() == 1.0 and out.min() == -1.0


def test_to_pcm16_rounds_and_clips():
    block = np.array([0, 0.5, -0.5, 1.0, -1.0, 1.5, -1.5, 1 / 32768, 0.6 / 32768], dtype=np.float32)
    assert pcm(block).tolist() == [0, 16384, -16384, 32767, -32768, 32767, -32768, 1, 1]
    assert to_pcm16(np.array([0.25], dtype=np.float32)) == b"\x00\x20"  # little-endian


# --- lengths and placement --------------------------------------------------------------


@pytest.mark.parametrize("duration_ms", [0, 1, 999, 1001, 60_000])
def test_exact_length_in_frames(duration_ms):
    plan = make_timeline(duration_ms)
    assert len(render_array(plan, {}, {})) == ms_to_frames(duration_ms)
    blocks = list(render_blocks(plan, {}, {}, block_frames=4096))
    assert sum(len(b) for b in blocks) == ms_to_frames(duration_ms)
    assert all(b.dtype == np.float32 for b in blocks)


def test_onsets_on_the_plan_and_silence_elsewhere():
    clips = {"Toes up": fake_clip(400), "Toes down": fake_clip(350, 260)}
    plan = make_timeline(
        6000,
        speech(100, "Toes up", clips),
        tone(700, "rise"),
        tone(1300, "tick"),
        speech(2000, "Toes down", clips),
        tone(2600, "fall"),
        tone(3100, "chime"),
        tone(4200, "tock"),
    )
    out = render_array(plan, clips, TONES)
    found = onsets(out, SR, threshold_dbfs=-90, min_silence_ms=20)
    planned = [ms_to_frames(e.start_ms) for e in plan.events]
    assert len(found) == len(planned)
    tolerance = ms_to_frames(1)
    for got, want in zip(found, planned, strict=True):
        assert want <= got <= want + tolerance
    sounding = np.zeros(len(out), dtype=bool)
    for e in plan.events:
        n = len(clips[e.text]) if e.kind == "speech" else len(TONES[e.tone])
        sounding[ms_to_frames(e.start_ms) : ms_to_frames(e.start_ms) + n] = True
    assert not out[~sounding].any()  # exact zeros where the plan has nothing


def test_events_placed_from_absolute_start_never_drift():
    clips = {"go": fake_clip(50)}
    starts_ms = [i * 333 + (i % 7) for i in range(1800)]  # 10 minutes, awkward spacings
    plan = make_timeline(starts_ms[-1] + 500, *(speech(ms, "go", clips) for ms in starts_ms))
    out = render_array(plan, clips, {})
    assert onsets(out, SR, threshold_dbfs=-90) == [ms_to_frames(ms) for ms in starts_ms]


@pytest.mark.parametrize("name", ["tick", "tock", "chime", "bell"])
def test_rendered_tone_has_its_frequency(name):
    plan = make_timeline(3000, tone(200, name))
    out = render_array(plan, {}, TONES)
    start = ms_to_frames(200)
    assert peak_freq_hz(out[start : start + len(TONES[name])], SR) == pytest.approx(
        TONE_FREQS_HZ[name][0], rel=0.01
    )


def test_clip_running_past_the_end_is_cut():
    clips = {"long": fake_clip(500)}
    plan = make_timeline(300, speech(100, "long", clips))
    out = render_array(plan, clips, {})
    assert len(out) == ms_to_frames(300)
    assert np.array_equal(
        pcm(out[ms_to_frames(100) :]), clips["long"][: ms_to_frames(300) - ms_to_frames(100)]
    )


# --- levels -----------------------------------------------------------------------------


def test_tone_level_in_the_mix_is_the_assets_level():
    out = render_array(make_timeline(1000, tone(0, "chime")), {}, TONES)
    assert peak_dbfs(out) == pytest.approx(-12.0, abs=0.01)


def test_metronome_layer_gets_its_gain():
    plan = make_timeline(500, tone(0, "tick", layer="metronome"), tone(200, "tick"))
    out = render_array(plan, {}, TONES)
    start = ms_to_frames(200)
    beat, cue = out[: len(TONES["tick"])], out[start : start + len(TONES["tick"])]
    np.testing.assert_allclose(beat, TONES["tick"] * 10 ** (-6 / 20), rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(cue, TONES["tick"])
    assert peak_dbfs(beat) - peak_dbfs(cue) == pytest.approx(-6.0, abs=0.01)


def test_speech_and_tone_gains():
    clips = {"hi": fake_clip(100)}
    plan = make_timeline(1000, speech(0, "hi", clips), tone(500, "tock"))
    levels = MixLevels(speech_gain_db=-3.0, tone_gain_db=+4.0)
    out = render_array(plan, clips, TONES, levels=levels)
    assert peak_dbfs(out[: ms_to_frames(400)]) == pytest.approx(
        peak_dbfs(clips["hi"]) - 3.0, abs=0.01
    )
    assert peak_dbfs(out[ms_to_frames(500) :]) == pytest.approx(-12.0 + 4.0, abs=0.01)


def test_fade_out_is_a_raised_cosine_to_zero():
    clips = {"hum": np.full(ms_to_frames(1000), 16384, dtype=np.int16)}  # 0.5 everywhere
    plan = make_timeline(1000, speech(0, "hum", clips), fade_out_ms=200)
    out = render_array(plan, clips, {})
    n_fade = ms_to_frames(200)
    assert np.all(out[:-n_fade] == 0.5)
    j = np.arange(n_fade)
    expected = 0.5 * 0.5 * (1 + np.cos(np.pi * (j + 1) / n_fade))
    np.testing.assert_allclose(out[-n_fade:], expected, atol=1e-6)
    assert out[-1] == 0.0
    assert np.all(np.diff(out[-n_fade:]) <= 0)
    assert out[-n_fade // 2] == pytest.approx(0.25, abs=0.001)  # -6 dB halfway


# --- blocks, streaming ------------------------------------------------------------------


def _busy_plan() -> tuple[Timeline, dict[str, np.ndarray]]:
    clips = {"one": fake_clip(700), "two": fake_clip(300, 330)}
    plan = make_timeline(
        9000,
        speech(0, "one", clips),
        tone(650, "bell"),
        tone(1000, "tick", "metronome"),
        speech(1500, "two", clips),
        tone(2000, "chime"),
        tone(3000, "rise"),
        tone(2990, "tock", "metronome"),
        speech(8800, "one", clips),
        fade_out_ms=1500,
    )
    return plan, clips


@pytest.mark.parametrize("block_frames", [1, 7, 1000, 4410, 65536])
def test_any_block_size_gives_the_same_mix(block_frames):
    plan, clips = _busy_plan()
    whole = render_array(plan, clips, TONES)
    joined = np.concatenate(list(render_blocks(plan, clips, TONES, block_frames=block_frames)))
    assert np.array_equal(joined, whole)  # the bell (2.5 s) spans many blocks


@pytest.mark.parametrize("start_ms", [0, 700, 1000, 2995, 8999, 9000])
def test_start_part_way(start_ms):
    plan, clips = _busy_plan()
    whole = render_array(plan, clips, TONES)
    start = ms_to_frames(start_ms)
    blocks = list(render_blocks(plan, clips, TONES, block_frames=3000, start_frame=start))
    tail = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
    assert np.array_equal(tail, whole[start:])


@settings(max_examples=60, deadline=None)
@given(
    starts_ms=st.lists(st.integers(0, 2000), max_size=12),
    names=st.lists(st.sampled_from(["rise", "tick", "tock", "chime"]), min_size=12, max_size=12),
    block_frames=st.integers(1, 30000),
    start_frame=st.integers(0, ms_to_frames(2500)),
    fade_out_ms=st.integers(0, 2500),
)
def test_blocks_always_join_to_the_whole(starts_ms, names, block_frames, start_frame, fade_out_ms):
    events = [
        tone(ms, name, "metronome" if i % 3 == 0 else "cue")
        for i, (ms, name) in enumerate(zip(starts_ms, names, strict=False))
    ]
    plan = make_timeline(2500, *events, fade_out_ms=fade_out_ms)
    whole = render_array(plan, {}, TONES)
    blocks = list(
        render_blocks(plan, {}, TONES, block_frames=block_frames, start_frame=start_frame)
    )
    assert all(0 < len(b) <= block_frames for b in blocks)
    tail = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
    assert np.array_equal(tail, whole[start_frame:])
    assert np.all(np.abs(whole) <= 1.0)


def test_missing_clip_or_tone_fails_before_any_block():
    plan = make_timeline(1000, Event(0, 100, "speech", text="nope"))
    with pytest.raises(ValueError, match="no speech clip for 'nope'"):
        render_blocks(plan, {}, TONES)
    plan = make_timeline(1000, Event(500, 100, "tone", tone="gong"))
    with pytest.raises(ValueError, match=r"no tone 'gong' \(event at 0:00.500\)"):
        render_blocks(plan, {}, TONES)


def test_bad_block_size_or_start():
    plan = make_timeline(1000)
    with pytest.raises(ValueError):
        render_blocks(plan, {}, {}, block_frames=0)
    with pytest.raises(ValueError):
        render_blocks(plan, {}, {}, start_frame=plan.n_frames + 1)


def long_session(minutes: int = 30, n_events: int = 2400) -> tuple[Timeline, dict]:
    """A pump-style session: cue speech, rise/fall, metronome ticks, chimes at set ends."""
    texts = [f"cue {i}" for i in range(40)]
    clips = {text: fake_clip(350 + 10 * i, 180 + 5 * i, 0.6) for i, text in enumerate(texts)}
    duration_ms = minutes * 60_000
    step_ms = duration_ms // n_events
    events = []
    for i in range(n_events):
        ms = i * step_ms
        kind = i % 6
        if kind == 0:
            events.append(speech(ms, texts[i % len(texts)], clips))
        elif kind in (1, 2):
            events.append(tone(ms, "rise" if kind == 1 else "fall"))
        elif kind in (3, 4):
            events.append(tone(ms, "tick" if kind == 3 else "tock", "metronome"))
        else:
            events.append(tone(ms, "chime" if i % 60 else "bell"))
    return make_timeline(duration_ms, *events, fade_out_ms=10_000), clips


def test_streaming_a_30_minute_session_stays_small():
    plan, clips = long_session()
    full_bytes = plan.n_frames * 4
    tracemalloc.start()
    try:
        began = time.perf_counter()
        n = 0
        for block in render_blocks(plan, clips, TONES):
            n += len(block)
        elapsed_s = time.perf_counter() - began
        _, peak_bytes = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert n == plan.n_frames
    assert len(plan.events) == 2400 and full_bytes > 150_000_000
    assert peak_bytes < 4 * BLOCK_FRAMES * 4 * 4, (peak_bytes, full_bytes)  # ~4 MB vs 159 MB
    print(
        f"30-min mix: {elapsed_s:.2f} s, tracemalloc peak {peak_bytes / 1e6:.2f} MB "
        f"(full array {full_bytes / 1e6:.0f} MB)"
    )
