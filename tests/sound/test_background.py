"""Background sound: seeded noise of the right colour, music looped without a seam, the dip
under every cue measured in a real file, the fades at both ends, and errors for missing files."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.audio_measure import decode
from tests.sound.test_render import TONES, fake_clip, make_timeline, speech, tone
from voice_coach.cli import app
from voice_coach.plan.timeline import ms_to_frames
from voice_coach.routine import Background, parse_routine
from voice_coach.sound import loudness as ld
from voice_coach.sound.background import Bed, Ducking, music, noise, open_bed
from voice_coach.sound.mix import render_array, render_blocks

SR = 22050
runner = CliRunner()
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")

ROUTINE = """\
title: Background test
fade_in: 3s
fade_out: 3s
steps:
  - pause: 6s
  - say: Ankle pumps, slowly and calmly; this long sentence keeps the background down a while.
    gap: 8s
  - exercise: Ankle pumps
    sets: 1
    reps: 2
    get_ready: none
    halfway: false
outro: Done.
"""


def band_rms_db(x: np.ndarray, low_hz: float, high_hz: float) -> float:
    """RMS in dB of the part of x between low_hz and high_hz."""
    spectrum = np.fft.rfft(x * np.hanning(len(x)))
    freqs = np.fft.rfftfreq(len(x), 1 / SR)
    spectrum[(freqs < low_hz) | (freqs >= high_hz)] = 0
    part = np.fft.irfft(spectrum, len(x))
    return 10 * np.log10(np.mean(part**2) / np.mean(np.hanning(len(x)) ** 2) + 1e-20)


# --- noise --------------------------------------------------------------------------------


def test_noise_is_seeded_and_any_block_size_gives_the_same_samples() -> None:
    a = noise("pink", 7, SR)
    whole = a.samples(1_000_000, 100_000)
    parts = np.concatenate([a.samples(1_000_000 + s, n) for s, n in
                            ((0, 1), (1, 4095), (4096, 65536), (69632, 30368))])
    assert np.array_equal(whole, parts)
    assert np.array_equal(whole, noise("pink", 7, SR).samples(1_000_000, 100_000))
    assert not np.allclose(whole, noise("pink", 8, SR).samples(1_000_000, 100_000))


@pytest.mark.parametrize("kind, slope_db_per_octave", [("white", 0.0), ("pink", -3.0),
                                                       ("brown", -6.0)])
def test_noise_has_its_colour(kind: str, slope_db_per_octave: float) -> None:
    """Power per Hz falls 0 (white), 3 (pink) or 6 (brown) dB an octave, so the power in a whole
    octave band rises 3 dB an octave, stays level, or falls 3 dB."""
    x = noise(kind, 1, SR).samples(0, 10 * SR)
    per_octave = (band_rms_db(x, 2000, 4000) - band_rms_db(x, 250, 500)) / 3
    assert per_octave == pytest.approx(slope_db_per_octave + 3.0, abs=0.7)


def test_noise_bed_measures_its_level() -> None:
    bed = open_bed(Background("brown", level_db=-30), (), target_lufs=-16.0, n_frames=30 * SR,
                   sample_rate=SR, fade_in_ms=0)
    x = np.concatenate([bed.block(s, 65536) for s in range(0, 20 * SR, 65536)])
    assert ld.integrated_lufs(x, SR) == pytest.approx(-30.0, abs=0.3)
    quieter = open_bed(Background("brown", level_db=-30), (), target_lufs=-20.0,
                       n_frames=30 * SR, sample_rate=SR, fade_in_ms=0)
    y = np.concatenate([quieter.block(s, 65536) for s in range(0, 20 * SR, 65536)])
    assert ld.integrated_lufs(y, SR) == pytest.approx(-34.0, abs=0.3)  # follows the target


# --- ducking and fades (pure) ---------------------------------------------------------------


def test_dip_starts_before_the_cue_and_comes_back_after_it() -> None:
    bg = Background("white", duck_db=-12, attack_ms=200, release_ms=500)
    events = [speech(2000, "hi", {"hi": fake_clip(1000)})]
    bed = Bed(noise("white", 1, SR), -30.0, Ducking.under(events, SR, bg), 0, SR)

    def gain_db(ms: int) -> float:
        frame = ms_to_frames(ms)
        return 20 * np.log10(bed.envelope(np.array([frame]))[0]) - (-30.0 + 20.0)

    assert gain_db(1700) == pytest.approx(0.0, abs=1e-9)  # before the attack
    assert gain_db(1900) == pytest.approx(-6.0, abs=0.1)  # half way down the raised cosine
    assert gain_db(2000) == pytest.approx(-12.0, abs=1e-6)  # down when the cue starts
    assert gain_db(2999) == pytest.approx(-12.0, abs=1e-6)
    assert gain_db(3250) == pytest.approx(-6.0, abs=0.1)
    assert gain_db(3500) == pytest.approx(0.0, abs=1e-6)


def test_bed_is_block_size_independent_and_fades_in() -> None:
    clips = {"one": fake_clip(700)}
    plan = make_timeline(9000, speech(3000, "one", clips), tone(5000, "chime"),
                         fade_out_ms=1000)
    bg = Background("brown")
    bed = open_bed(bg, plan.events, target_lufs=-16, n_frames=plan.n_frames, sample_rate=SR,
                   fade_in_ms=2000)
    whole = np.concatenate(list(render_blocks(plan, clips, TONES, bed=bed)))
    for size in (1000, 4410, 65536):
        parts = np.concatenate(list(render_blocks(plan, clips, TONES, bed=bed,
                                                  block_frames=size)))
        assert np.array_equal(parts, whole)
    assert whole[0] == 0.0 and whole[-1] == 0.0
    gain = bed.envelope(np.arange(0, 2 * SR + 1))
    assert gain[0] == 0.0 and np.all(np.diff(gain) >= 0)  # rising over the fade-in
    assert gain[SR] == pytest.approx(gain[-1] / 2, rel=1e-3)  # raised cosine: half way at 1 s
    assert not np.array_equal(whole, render_array(plan, clips, TONES))


def test_music_shorter_than_the_session_loops_without_a_seam() -> None:
    t = np.arange(3 * SR) / SR
    tune = (8000 * np.sin(2 * np.pi * 440 * t) * (1 + 0.3 * np.sin(2 * np.pi * 2 * t)))
    source = music(tune.astype(np.int16), SR, n_frames=60 * SR)
    x = source.samples(0, 20 * SR)
    loop = len(source.loop)
    assert loop < len(tune)
    steps = np.abs(np.diff(x))
    around_seams = np.concatenate([steps[k * loop - 50 : k * loop + 50] for k in (1, 2, 3)])
    assert around_seams.max() < 3 * np.percentile(steps, 99)  # no click where it wraps
    windows = [np.sqrt(np.mean(x[i : i + 2205] ** 2)) for i in range(0, len(x) - 2205, 2205)]
    assert min(windows) > 0.5 * max(windows)  # no gap or dip at the seams


# --- in a real file --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bed_render(tmp_path_factory: pytest.TempPathFactory):
    """The test routine over white noise, as FLAC (lossless, so the bed can be measured above
    the voice, which is rolled off above 7 kHz)."""
    folder = tmp_path_factory.mktemp("bed")
    routine = folder / "bed.yaml"
    routine.write_text(ROUTINE)
    out = folder / "bed.flac"
    result = runner.invoke(app, ["render", str(routine), "-o", str(out), "--background", "white",
                                 "--duck-depth", "-12", "--duck-attack", "150ms",
                                 "--duck-release", "600ms"])
    assert result.exit_code == 0, result.output
    plan = json.loads(runner.invoke(app, ["plan", str(routine), "--json"]).stdout)
    return decode(out) / 32768, plan, out, result.stdout


def bed_level_db(samples: np.ndarray, start_ms: int, end_ms: int) -> float:
    """The background's level: above 8.6 kHz, where the voice (rolled off at 7 kHz) and the
    tones have nothing."""
    return band_rms_db(samples[ms_to_frames(start_ms) : ms_to_frames(end_ms)], 8600, 10500)


@needs_ffmpeg
def test_bed_dips_12_db_under_speech(bed_render) -> None:
    samples, plan, *_ = bed_render
    long_cue = max((e for e in plan["events"] if e["kind"] == "speech"),
                   key=lambda e: e["duration_ms"])
    assert long_cue["duration_ms"] > 3000
    under = bed_level_db(samples, long_cue["start_ms"] + 300,
                         long_cue["start_ms"] + long_cue["duration_ms"] - 300)
    gap_start = long_cue["start_ms"] + long_cue["duration_ms"] + 1500  # the 8 s gap after it
    open_ = bed_level_db(samples, gap_start, gap_start + 4000)
    assert under - open_ == pytest.approx(-12.0, abs=1.0)


@needs_ffmpeg
def test_bed_fades_in_and_the_session_fades_out(bed_render) -> None:
    samples, plan, *_ = bed_render
    level = [bed_level_db(samples, ms, ms + 250) for ms in range(0, 5000, 250)]
    assert level[0] < level[-1] - 15  # silent at first
    assert level[6] == pytest.approx(level[-1] - 6.0, abs=1.5)  # 1.5 s: half way (-6 dB)
    assert all(b > a - 1.0 for a, b in zip(level, level[1:], strict=False))
    end = plan["duration_ms"]
    tail = [bed_level_db(samples, ms, ms + 250) for ms in range(end - 3000, end - 250, 250)]
    assert all(b < a + 0.5 for a, b in zip(tail, tail[1:], strict=False))  # falling
    assert tail[-1] < tail[0] - 20
    assert np.max(np.abs(samples[-ms_to_frames(20) :])) < 1e-3  # no cut at the end


@needs_ffmpeg
def test_a_bed_leaves_the_voice_where_it_was_and_the_file_measures_as_reported(
        bed_render) -> None:
    from tests.level_table import ebur128, reported, speech_gated_lufs

    samples, plan, out, stdout = bed_render
    speech_lufs, file_lufs = reported(stdout)
    assert speech_lufs == -16.0
    assert speech_gated_lufs(samples, plan["events"]) == pytest.approx(-16.0, abs=0.3)
    lufs, peak = ebur128(out)
    assert lufs == pytest.approx(file_lufs, abs=0.3) and peak <= -1.0


@needs_ffmpeg
def test_music_file_as_background(tmp_path: Path) -> None:
    tune = tmp_path / "tune.ogg"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "anoisesrc=duration=4:color=pink:seed=3,bandpass=f=9000:width_type=h:w=300",
                    "-ac", "2", "-c:a", "libopus",
                    str(tune)], check=True)
    routine = tmp_path / "bed.yaml"
    routine.write_text(ROUTINE.replace("fade_out: 3s\n",
                                       "fade_out: 3s\nbackground:\n  sound: tune.ogg\n"))
    out = tmp_path / "music.flac"
    result = runner.invoke(app, ["render", str(routine), "-o", str(out)])
    assert result.exit_code == 0, result.output
    samples = decode(out) / 32768
    plan = json.loads(runner.invoke(app, ["plan", str(routine), "--json"]).stdout)
    said = next(e for e in plan["events"] if e["kind"] == "speech")
    quiet_from = said["start_ms"] + said["duration_ms"] + 1000  # 6 s of the 8 s gap: the
    levels = [bed_level_db(samples, ms, ms + 500)  # 4 s tune loops over it
              for ms in range(quiet_from, quiet_from + 6000, 500)]
    assert max(levels) - min(levels) < 3.0 and min(levels) > -45  # no gap at the seams


def test_missing_music_in_a_routine_is_a_located_error(tmp_path: Path) -> None:
    routine = tmp_path / "r.yaml"
    routine.write_text("title: T\nbackground:\n  sound: rain.mp3\nsteps:\n  - pause: 2s\n")
    result = runner.invoke(app, ["render", str(routine), "-o", str(tmp_path / "x.mp3")])
    assert result.exit_code == 2
    assert result.stderr == (f"{routine}:3:10: error: background sound 'rain.mp3' not found "
                             f"(looked for {tmp_path / 'rain.mp3'})\n"
                             "  hint: give brown, pink or white, or the path of a music file\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.yaml"]


@pytest.mark.parametrize("args, stderr", [
    (["--background", "brwon"], "error: background sound 'brwon' not found\n"
                                "  hint: did you mean 'brown'?\n"),
    (["--background-level", "-20"], "error: --background-level and --duck-* need a background\n"
                                    "  hint: add --background brown (or pink, white, a music "
                                    "file)\n"),
    (["--background", "pink", "--duck-depth", "6"],
     "error: --duck-depth must be from -60 to 0 dB, got 6\n"
     "  hint: -12 dips the background clearly under each cue; 0 never dips\n"),
    (["--background", "pink", "--duck-attack", "fast"],
     "error: --duck-attack must be a duration, got 'fast': it is not a duration\n"
     "  hint: durations look like \"3s\", \"1.5s\", \"500ms\" or \"1m30s\"\n"),
])
def test_bad_background_options(tmp_path: Path, args: list[str], stderr: str) -> None:
    result = runner.invoke(app, ["render", "ankle-pumps", "-o", str(tmp_path / "x.mp3"), *args])
    assert result.exit_code == 2
    assert result.stderr == stderr
    assert list(tmp_path.iterdir()) == []


@needs_ffmpeg
def test_undecodable_music_file(tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp3"
    bad.write_bytes(b"this is not audio" * 100)
    result = runner.invoke(app, ["render", "tv-break", "-o", str(tmp_path / "x.mp3"),
                                 "--background", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot decode background sound '{bad}': ")
    assert "hint: use a music file ffmpeg can read" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.mp3"]


def test_background_block_in_the_routine_file() -> None:
    routine = parse_routine("title: T\nbackground:\n  sound: pink\n  level: -35\n  duck: -9\n"
                            "  attack: 300ms\n  release: 1s\n  seed: 4\nfade_in: 5s\n"
                            "loudness: -19\nsteps:\n  - pause: 2s\n", "dir/r.yaml")
    assert routine.background == Background("pink", -35.0, -9.0, 300, 1000, 4, "dir",
                                            routine.background.pos)
    assert (routine.background.pos.line, routine.background.pos.col) == (3, 10)
    assert routine.fade_in_ms == 5000 and routine.loudness_lufs == -19.0
    assert parse_routine("title: T\nbackground: brown\nsteps:\n  - pause: 2s\n").background.sound \
        == "brown"


def test_a_routine_with_no_fade_out_still_ends_in_a_fade_never_a_cut(tmp_path: Path) -> None:
    """fade_out: 0s with a background: the bed is faded over the last second of silence (the
    minimum closing fade, 1 s) instead of stopping dead at the last sample."""
    from voice_coach import parse_routine as parse
    from voice_coach import prepare, render_to_file
    from voice_coach.session.pipeline import closing_fade_ms
    from voice_coach.speech.fake import FakeEngine

    routine = parse("title: T\nfade_in: 0s\nfade_out: 0s\nbackground: {sound: white, duck: 0}\n"
                    "steps:\n  - say: Hello.\n  - pause: 4s\n", "t.yaml")
    session = prepare(routine, engine=FakeEngine(), cache=None)
    assert session.timeline.fade_out_ms == 0
    assert closing_fade_ms(session.timeline) == 1000
    samples = decode(render_to_file(session, tmp_path / "t.wav")) / 32768
    end = session.timeline.duration_ms
    full = bed_level_db(samples, end - 2000, end - 1000)
    last_second = [bed_level_db(samples, ms, ms + 100) for ms in range(end - 1000, end, 100)]
    assert all(b < a + 0.5 for a, b in zip(last_second, last_second[1:], strict=False))
    assert last_second[0] > full - 3 and last_second[-1] < full - 20
    assert np.max(np.abs(samples[-ms_to_frames(20):])) < 1e-3  # no cut at the end
