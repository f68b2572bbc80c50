"""Loudness measured two ways (ours and ffmpeg's ebur128), peaks, the limiter, and the mastering
that sets levels while mixing: predicted loudness against the rendered mix."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sound.test_render import TONES, make_timeline, speech, tone
from voice_coach.plan.timeline import ms_to_frames
from voice_coach.sound import loudness as ld
from voice_coach.sound.cue_level import CLIP_CEILING_DBTP, level_clip
from voice_coach.sound.master import MIX_CEILING_DBFS, master, under_speech_lu
from voice_coach.sound.mix import render_array, render_blocks

SR = 22050
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


def ffmpeg_ebur128(samples: np.ndarray, sample_rate: int = SR) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of float samples, as ffmpeg's ebur128 measures them."""
    pcm = np.clip(np.rint(samples * 32767), -32768, 32767).astype("<i2").tobytes()
    text = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-f", "s16le", "-ar", str(sample_rate), "-ac",
         "1", "-i", "pipe:0", "-af", "ebur128=peak=true", "-f", "null", "-"],
        input=pcm, capture_output=True, check=True).stderr.decode()
    lufs = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", text)[-1])
    peak = float(re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", text)[-1])
    return lufs, peak


def speechlike(seconds: float, seed: int, level: float = 0.2) -> np.ndarray:
    """Noise shaped into syllables (bursts of 120-300 ms with pauses): peaky like speech."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(int(seconds * SR)) * level
    envelope = np.zeros(len(x))
    t = 0
    while t < len(x):
        n = int(rng.uniform(0.12, 0.3) * SR)
        envelope[t : t + n] = np.hanning(n)[: len(envelope[t : t + n])] * rng.uniform(0.3, 1.0)
        t += n + int(rng.uniform(0.03, 0.25) * SR)
    return x * envelope


# --- measuring --------------------------------------------------------------------------


@needs_ffmpeg
@pytest.mark.parametrize("make", [
    lambda t: 0.1 * np.sin(2 * np.pi * 997 * t),  # -20 dBFS peak sine: -23.0 LUFS by definition
    lambda t: 0.3 * np.sin(2 * np.pi * 100 * t),
    lambda t: 0.2 * np.sin(2 * np.pi * 8000 * t),
    lambda t: np.random.default_rng(1).normal(0, 0.1, len(t)) * (np.sin(2 * np.pi * 0.3 * t) > 0),
], ids=["997Hz", "100Hz", "8kHz", "bursts"])
def test_integrated_loudness_matches_ffmpeg(make) -> None:
    x = make(np.arange(10 * SR) / SR)
    theirs, _ = ffmpeg_ebur128(x)
    assert ld.integrated_lufs(x, SR) == pytest.approx(theirs, abs=0.1)


def test_full_scale_sine_is_minus_3_lufs() -> None:
    t = np.arange(5 * SR) / SR
    assert ld.integrated_lufs(np.sin(2 * np.pi * 997 * t), SR) == pytest.approx(-3.01, abs=0.05)


@given(st.lists(st.integers(1, 40_000), min_size=1, max_size=8))
@settings(max_examples=25, deadline=None)
def test_streamed_loudness_does_not_depend_on_block_sizes(cuts) -> None:
    x = speechlike(6, seed=3)
    edges = sorted({0, len(x), *(c % len(x) for c in cuts)})
    blocks = [x[a:b] for a, b in zip(edges, edges[1:], strict=False)]
    assert ld.stream_lufs(blocks, SR) == pytest.approx(ld.integrated_lufs(x, SR), abs=1e-9)


def test_a_cue_is_measured_while_it_sounds() -> None:
    """Pauses between the words do not make a cue measure quieter (they do on 400 ms blocks),
    and a steady sound measures what the integrated loudness says."""
    rng = np.random.default_rng(0)
    words = [rng.standard_normal(int(SR * d)) * np.hanning(int(SR * d)) * 0.2
             for d in (0.3, 0.25, 0.4, 0.2)]

    def sentence(pause_s: float) -> np.ndarray:
        return np.concatenate([part for w in words for part in (w, np.zeros(int(pause_s * SR)))])

    cue = [ld.cue_lufs(sentence(pause), SR) for pause in (0.0, 0.1, 0.3, 0.6)]
    assert max(cue) - min(cue) < 0.3, cue
    gated_400ms = [ld.integrated_lufs(np.tile(sentence(p), 5), SR) for p in (0.0, 0.6)]
    assert gated_400ms[0] - gated_400ms[1] > 2.0  # what the short blocks avoid
    steady = 0.1 * np.sin(2 * np.pi * 997 * np.arange(3 * SR) / SR)
    assert ld.cue_lufs(steady, SR) == pytest.approx(ld.integrated_lufs(steady, SR), abs=0.05)


def test_true_peak_finds_the_peak_between_samples() -> None:
    # a quarter-rate sine sampled 45 degrees off its crests: samples at 0.707, true peak 1.0
    x = np.sin(2 * np.pi * (np.arange(4000) / 4 + 1 / 8)) * 0.5
    assert np.max(np.abs(x)) == pytest.approx(0.5 * np.sqrt(0.5), rel=1e-6)
    assert ld.true_peak(x) == pytest.approx(0.5, rel=0.02)  # (the clip's edges ring a little)


@given(st.integers(1, 300), st.integers(0, 60), st.integers(0, 60))
@settings(max_examples=60, deadline=None)
def test_running_min_is_the_window_minimum(n, before, after) -> None:
    x = np.random.default_rng(n).random(n)
    want = [x[max(0, i - before) : i + after + 1].min() for i in range(n)]
    assert np.array_equal(ld.running_min(x, before=before, after=after), want)


def test_limiter_holds_true_peaks_under_the_ceiling_and_leaves_quiet_clips_alone() -> None:
    x = speechlike(4, seed=5, level=0.8)
    ceiling = 10 ** (-3 / 20)
    limited = ld.limit_peaks(x, SR, ceiling)
    assert ld.db(ld.true_peak(limited)) <= -3 + 0.1
    assert ld.db(ld.true_peak(x)) > 0  # it had work to do
    quiet = x * 0.1
    assert np.array_equal(ld.limit_peaks(quiet, SR, ceiling), quiet)


# --- levelling while mixing ---------------------------------------------------------------


def test_clips_of_any_loudness_come_out_at_one_level_under_the_ceiling() -> None:
    clips = [speechlike(2.5, seed=s, level=lv) for s, lv in ((1, 0.02), (2, 0.3), (3, 0.9))]
    clips.append(speechlike(0.25, seed=4, level=0.5))  # a lone short word
    for target in (-20.0, -14.0):
        out = [level_clip(c, SR, target) for c in clips]
        levels = [ld.cue_lufs(c, SR) for c in out]
        assert max(levels) - min(levels) < 0.3, levels
        assert all(abs(v - target) < 0.3 for v in levels), levels
        assert all(ld.db(ld.true_peak(c)) <= CLIP_CEILING_DBTP + 0.1 for c in out)


def session_plan():
    """A minute of cues, tones and silence, with speech-like clips of different loudness."""
    clips = {f"cue {i}": (speechlike(0.4 + 0.3 * (i % 4), seed=i, level=0.05 + 0.1 * (i % 3))
                          * 32767).astype(np.int16) for i in range(6)}
    events = []
    for k in range(18):
        at = 1000 + k * 3300
        events.append(tone(at, "rise" if k % 2 else "fall"))
        text = f"cue {k % 6}"
        events.append(speech(at + 280, text, clips))
    events.append(tone(61_000, "chime"))
    return make_timeline(64_000, *events, fade_out_ms=2000), clips


def joined_speech(mix: np.ndarray, plan) -> np.ndarray:
    """The spoken cues cut from a mix at their planned places, end to end (speech-gated)."""
    return np.concatenate([mix[ms_to_frames(e.start_ms) : ms_to_frames(e.end_ms)]
                           for e in plan.speech()])


@pytest.mark.parametrize("target", [-16.0, -19.0, -23.0])
def test_mastered_speech_measures_its_target_and_the_file_its_prediction(target) -> None:
    plan, clips = session_plan()
    done = master(plan, clips, TONES, speech_lufs=target)
    mix = render_array(plan, done.clips, done.tones, levels=done.levels)
    assert ld.integrated_lufs(joined_speech(mix, plan), SR) == pytest.approx(target, abs=0.1)
    assert done.speech_lufs == pytest.approx(target, abs=0.05)
    assert ld.integrated_lufs(mix, SR) == pytest.approx(done.predicted_lufs, abs=0.1)
    levels = list(done.clip_lufs.values())
    assert max(levels) - min(levels) < 0.1
    for name in ("rise", "fall", "chime"):
        assert done.tone_lufs[name] == pytest.approx(done.cue_lufs - 2.0, abs=0.01)
        assert ld.cue_lufs(done.tones[name], SR) == pytest.approx(done.tone_lufs[name], abs=0.1)


def test_a_sparse_plan_keeps_the_voice_and_lets_the_file_measure_quieter() -> None:
    """The same cues spread over three times the time: the voice stays where it was (it used to
    be pushed up to make the whole file measure its target); the file measures what it is."""
    plan, clips = session_plan()
    sparse = make_timeline(3 * plan.duration_ms, *[
        dataclasses.replace(e, start_ms=3 * e.start_ms) for e in plan.events])
    dense_done = master(plan, clips, TONES)
    sparse_done = master(sparse, clips, TONES)
    assert sparse_done.cue_lufs == pytest.approx(dense_done.cue_lufs, abs=0.05)
    assert sparse_done.speech_lufs == pytest.approx(-16.0, abs=0.05)
    mix = render_array(sparse, sparse_done.clips, sparse_done.tones)
    assert ld.integrated_lufs(mix, SR) == pytest.approx(sparse_done.predicted_lufs, abs=0.1)


def test_a_bed_never_moves_the_voice_and_counts_in_the_prediction() -> None:
    from voice_coach.routine import Background
    from voice_coach.sound.background import open_bed

    plan, clips = session_plan()
    bed = open_bed(Background("brown", level_db=-30), plan.events, target_lufs=-16.0,
                   n_frames=plan.n_frames, sample_rate=SR, fade_in_ms=3000)
    plain = master(plan, clips, TONES, fade_out_ms=2000)
    bedded = master(plan, clips, TONES, bed_powers=bed.step_powers, fade_out_ms=2000)
    assert bedded.cue_lufs == plain.cue_lufs and bedded.speech_lufs == plain.speech_lufs
    assert all(np.array_equal(bedded.clips[t], plain.clips[t]) for t in clips)
    mix = np.concatenate(list(render_blocks(plan, bedded.clips, bedded.tones, bed=bed,
                                            levels=bedded.levels)))
    assert ld.integrated_lufs(mix, SR) == pytest.approx(bedded.predicted_lufs, abs=0.15)
    assert ld.integrated_lufs(joined_speech(mix, plan), SR) == pytest.approx(-16.0, abs=0.3)


def test_beats_sit_well_under_the_voice_and_signals_just_under_it() -> None:
    clips = {"Up.": (speechlike(0.4, seed=9, level=0.3) * 32767).astype(np.int16)}
    events = [speech(1000, "Up.", clips), tone(3000, "rise"), tone(4000, "tick"),
              tone(5000, "rise", layer="metronome"), tone(6000, "tock", layer="metronome")]
    plan = make_timeline(8000, *events)
    done = master(plan, clips, TONES)
    mix = render_array(plan, done.clips, done.tones, levels=done.levels)
    at = {e.start_ms: mix[ms_to_frames(e.start_ms) : ms_to_frames(e.end_ms)] for e in events}
    voice = ld.cue_lufs(at[1000], SR)

    def under(at_ms: int, name: str) -> float:
        return voice - ld.cue_lufs(at[at_ms], SR)

    assert under(3000, "rise") == pytest.approx(2.0, abs=0.15)
    assert under(4000, "tick") == pytest.approx(10.0, abs=0.15)
    assert under(5000, "rise") >= 10.0 - 0.15  # a metronome beat, whatever its tone
    assert under(6000, "tock") >= 10.0 - 0.15
    assert under_speech_lu("tick") == under_speech_lu("rise", "metronome") == 10.0


def test_volume_is_a_clear_offset_in_db() -> None:
    from voice_coach.sound.master import voice_level_lufs

    assert [voice_level_lufs(-16.0, v) for v in (1.0, 0.9, 0.8, 0.5, 0.0)] == \
        pytest.approx([-16.0, -18.0, -20.0, -26.0, -36.0])


@needs_ffmpeg
def test_ffmpeg_agrees_with_the_mastered_mix() -> None:
    plan, clips = session_plan()
    done = master(plan, clips, TONES, speech_lufs=-16.0)
    blocks = render_blocks(plan, done.clips, done.tones, ceiling=10 ** (MIX_CEILING_DBFS / 20),
                           levels=done.levels)
    mix = np.concatenate(list(blocks))
    lufs, peak = ffmpeg_ebur128(mix)
    assert lufs == pytest.approx(done.predicted_lufs, abs=0.2)
    assert ffmpeg_ebur128(joined_speech(mix, plan))[0] == pytest.approx(-16.0, abs=0.2)
    assert peak <= -1.0


def test_soft_ceiling_bends_only_what_overlaps() -> None:
    from voice_coach.sound.mix import soft_ceiling

    ceiling = 10 ** (-2.5 / 20)
    block = np.array([0.0, 0.5, -0.6, 0.74, 0.9, -1.5, 3.0], dtype=np.float32)
    out = block.copy()
    soft_ceiling(out, ceiling)
    knee = ceiling * 10 ** (-0.5 / 20)
    below = np.abs(block) <= knee
    assert np.array_equal(out[below], block[below])
    assert np.all(np.abs(out) <= ceiling) and np.all(np.sign(out) == np.sign(block))
    assert np.all(np.diff(np.abs(out[[3, 4, 5, 6]])) >= 0)  # still in order


def test_a_routines_volume_is_a_mastering_level_not_an_engine_setting() -> None:
    """The engine speaks at full volume (so a soft voice is not a quantised one, and both
    volumes share a cached clip); the volume sets the speech level while mastering."""
    from tests.conftest import routine_from
    from voice_coach.session.pipeline import mix_session, prepare
    from voice_coach.speech.fake import FakeEngine

    class Recording(FakeEngine):
        volumes: list[float] = []

        def synthesize(self, text, voice, rate_wpm, volume):
            self.volumes.append(volume)
            return super().synthesize(text, voice, rate_wpm, volume)

    speech = {}
    for volume in (1.0, 0.5):
        routine = routine_from(f"title: T\nvoice: {{volume: {volume}}}\n"
                               "steps:\n  - say: Breathe in slowly, and out.\n    gap: 2s\n"
                               "  - say: Once more, slowly.\n")
        session = prepare(routine, engine=Recording(), cache=None)
        speech[volume] = mix_session(session)[0].speech_lufs
    assert set(Recording.volumes) == {1.0}
    assert speech[1.0] == pytest.approx(-16.0, abs=0.05)
    assert speech[0.5] == pytest.approx(-26.0, abs=0.05)


def test_a_plan_without_speech_keeps_its_target_as_the_speech_level() -> None:
    plan = make_timeline(4000, tone(500, "rise"), tone(2000, "chime"))
    done = master(plan, {}, TONES, speech_lufs=-19.0)
    assert done.speech_lufs == -19.0 and done.clips == {}
    assert done.tone_lufs["rise"] == pytest.approx(done.cue_lufs - 2.0, abs=0.01)
