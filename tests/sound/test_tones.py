"""Tones and the shipped assets, measured: length, frequency, level, no clicks, no drift."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from tests.audio_measure import (
    band_energy_db,
    edge_step,
    instantaneous_freq_hz,
    peak_dbfs,
    peak_freq_hz,
    read_wav,
)
from voice_coach.plan.timeline import ms_to_frames
from voice_coach.sound import assets
from voice_coach.sound.mix import to_pcm16
from voice_coach.sound.tones import (
    TONE_FREQS_HZ,
    TONE_MS,
    TONE_NAMES,
    TONE_PEAK_DBFS,
    describe_tones,
    make_tone,
)

SR = 22050
# A full-level 880 Hz tone steps up to 0.063 per sample at -12 dBFS; a hard-gated one jumps
# that much in its first sample. Smooth fades keep the first and last millisecond under this.
CLICK_STEP_BOUND = 0.01


def test_names_and_lengths_are_the_documented_ones():
    assert TONE_NAMES == ("rise", "fall", "tick", "tock", "chime", "bell")
    assert TONE_MS == {"rise": 200, "fall": 200, "tick": 50, "tock": 50, "chime": 800, "bell": 2500}
    assert set(TONE_FREQS_HZ) == set(TONE_NAMES)


@pytest.mark.parametrize("name", TONE_NAMES)
@pytest.mark.parametrize("sample_rate", [22050, 44100, 16000])
def test_exact_frame_count_and_dtype(name, sample_rate):
    tone = make_tone(name, sample_rate)
    assert tone.dtype == np.float32
    assert len(tone) == ms_to_frames(TONE_MS[name], sample_rate)


@pytest.mark.parametrize("name", TONE_NAMES)
def test_peak_level(name):
    assert peak_dbfs(make_tone(name)) == pytest.approx(TONE_PEAK_DBFS, abs=0.01)


@pytest.mark.parametrize("name", TONE_NAMES)
def test_no_clicks_at_the_edges(name):
    tone = make_tone(name)
    assert tone[0] == 0.0 and tone[-1] == 0.0
    assert edge_step(tone, SR, edge_ms=1.0) < CLICK_STEP_BOUND


def test_click_bound_catches_a_hard_gated_tone():
    t = np.arange(ms_to_frames(50)) / SR
    gated = (0.25 * np.sin(2 * np.pi * 880 * t + 1.0)).astype(np.float32)
    assert edge_step(gated, SR) > CLICK_STEP_BOUND
    assert band_energy_db(gated, SR, 3000) > -50


@pytest.mark.parametrize("name", TONE_NAMES)
def test_no_broadband_splatter(name):
    # Everything above 3 kHz (the tones live at 300-1200 Hz and partials up to ~910 Hz) is
    # at least 70 dB down; a hard-gated sine measures about -40 dB.
    assert band_energy_db(make_tone(name), SR, 3000) < -70


@pytest.mark.parametrize("name", ["tick", "tock", "chime", "bell"])
def test_fft_peak_at_main_frequency(name):
    main_hz = TONE_FREQS_HZ[name][0]
    assert peak_freq_hz(make_tone(name), SR) == pytest.approx(main_hz, rel=0.01)


@pytest.mark.parametrize("name", TONE_NAMES)
def test_frequencies_stay_low_and_soft(name):
    assert all(300 <= hz <= 1200 for hz in TONE_FREQS_HZ[name])


def test_tock_is_lower_than_tick():
    assert peak_freq_hz(make_tone("tock")) < peak_freq_hz(make_tone("tick")) * 0.8


@pytest.mark.parametrize("name", ["rise", "fall"])
def test_glides_go_from_start_to_end_frequency(name):
    start_hz, end_hz = TONE_FREQS_HZ[name]
    freq = instantaneous_freq_hz(make_tone(name), SR)
    n = len(freq)
    early, late = np.median(freq[n // 10 : n // 5]), np.median(freq[4 * n // 5 : 9 * n // 10])
    # Medians of the 10-20 % and 80-90 % stretches of an exponential glide.
    assert early == pytest.approx(start_hz * (end_hz / start_hz) ** 0.15, rel=0.02)
    assert late == pytest.approx(start_hz * (end_hz / start_hz) ** 0.85, rel=0.02)
    middle = freq[n // 10 : 9 * n // 10]
    steps = np.diff(middle[:: max(1, len(middle) // 20)])
    assert np.all(steps > 0) if end_hz > start_hz else np.all(steps < 0)


def test_chime_has_two_partials():
    chime = make_tone("chime").astype(np.float64)
    main_hz = TONE_FREQS_HZ["chime"][0]
    assert band_energy_db(chime, SR, main_hz * 1.4, main_hz * 1.6) > -15
    assert band_energy_db(chime, SR, main_hz * 0.95, main_hz * 1.05) > -3


def test_tones_are_distinct():
    signatures = {(TONE_MS[n], TONE_FREQS_HZ[n]) for n in TONE_NAMES}
    assert len(signatures) == len(TONE_NAMES)


def test_unknown_tone_names_the_known_ones():
    with pytest.raises(ValueError, match="rise, fall, tick"):
        make_tone("gong")


def test_deterministic():
    assert make_tone("bell").tobytes() == make_tone("bell").tobytes()


# --- shipped assets ---------------------------------------------------------------------


def test_audio_dir_is_the_repo_audio_in_a_checkout():
    assert assets.audio_dir().name == "audio"
    assert (assets.audio_dir() / "README.md").is_file()


@pytest.mark.parametrize("name", TONE_NAMES)
def test_shipped_wav_equals_make_tone(name):
    """audio/<name>.wav cannot drift from tones.py: run scripts/make-audio after a change."""
    path = assets.audio_dir() / f"{name}.wav"
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SR)
    shipped, _ = read_wav(path)
    expected = np.frombuffer(to_pcm16(make_tone(name)), dtype="<i2")
    assert len(shipped) == len(expected)
    assert np.max(np.abs(shipped.astype(int) - expected)) <= 1  # int16 rounding


def test_shipped_readme_is_current():
    readme = (assets.audio_dir() / "README.md").read_text(encoding="utf-8")
    assert readme == describe_tones(SR)
    assert "scripts/make-audio" in readme


def test_make_audio_is_deterministic(tmp_path):
    first = {p.name: p.read_bytes() for p in assets.make_audio(tmp_path / "a")}
    second = {p.name: p.read_bytes() for p in assets.make_audio(tmp_path / "b")}
    assert first == second
    assert sorted(first) == sorted([f"{n}.wav" for n in TONE_NAMES] + ["README.md"])


@pytest.mark.parametrize("name", TONE_NAMES)
def test_load_tone_matches_make_tone_and_is_cached(name):
    tone = assets.load_tone(name)
    assert tone.dtype == np.float32
    assert np.max(np.abs(tone - make_tone(name))) <= 1 / 32768 + 1e-7
    assert assets.load_tone(name) is tone
    assert not tone.flags.writeable


def test_load_tone_at_another_rate():
    tone = assets.load_tone("tick", 44100)
    assert len(tone) == ms_to_frames(TONE_MS["tick"], 44100)


def test_load_tone_missing_asset_says_what_to_do(tmp_path, monkeypatch):
    from voice_coach.basics.errors import EngineError

    monkeypatch.setattr(assets, "audio_dir", lambda: tmp_path)
    assets.clear_tone_cache()
    try:
        with pytest.raises(EngineError, match="cannot read sound asset") as info:
            assets.load_tone("rise")
        assert "make-audio" in info.value.hint
    finally:
        assets.clear_tone_cache()


def test_audio_dir_inside_an_installed_wheel(tmp_path):
    """The wheel force-includes audio/ as voice_coach/audio: the packaged copy wins there."""
    import shutil
    import subprocess
    import sys

    site = tmp_path / "site"
    package = Path(assets.__file__).resolve().parent.parent
    shutil.copytree(package, site / "voice_coach", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(assets.audio_dir(), site / "voice_coach" / "audio")
    code = (
        "from voice_coach.sound import assets; print(assets.audio_dir()); "
        "print(len(assets.load_tone('chime')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={"PYTHONPATH": str(site), "PATH": ""},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [str(site / "voice_coach" / "audio"), "17640"]
