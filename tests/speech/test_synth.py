"""Speech synthesis measured on the real engines (libespeak-ng direct and pyttsx3) and the fake."""

from __future__ import annotations

import os
import signal
import sys
import wave

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice_coach.basics.errors import EngineError, UsageError
from voice_coach.speech import (
    SAMPLE_RATE,
    SILENCE_THRESHOLD,
    Voice,
    VoiceSettings,
    default_engine_name,
    open_engine,
    resample_to,
    resolve_voice,
    synthesize_all,
    trim_silence,
)
from voice_coach.speech import pyttsx3_engine as pyttsx3_module
from voice_coach.speech.fake import FakeEngine, fake_duration_ms

REAL_ENGINES = ("espeak", "pyttsx3")
PHRASE = "Breathe in slowly and hold it."


pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture(scope="module")
def engines():
    opened = {name: open_engine(name) for name in REAL_ENGINES}
    yield opened
    for engine in opened.values():
        engine.close()


def duration_ms(clip: np.ndarray) -> float:
    return clip.size * 1000 / SAMPLE_RATE


def longest_silence_ms(clip: np.ndarray, threshold: int = SILENCE_THRESHOLD) -> float:
    loud = np.flatnonzero(np.abs(clip.astype(np.int32)) > threshold)
    if loud.size < 2:
        return duration_ms(clip)
    return float(np.diff(loud).max()) * 1000 / SAMPLE_RATE


# -- pure helpers -----------------------------------------------------------------------------


def test_trim_silence_exact():
    samples = np.array([0, 3, -64, 65, 0, -900, 12, 64, 0], dtype=np.int16)
    assert trim_silence(samples).tolist() == [65, 0, -900]
    assert trim_silence(samples, threshold=2).tolist() == [3, -64, 65, 0, -900, 12, 64]
    assert trim_silence(np.zeros(5, dtype=np.int16)).size == 0
    assert samples.tolist() == [0, 3, -64, 65, 0, -900, 12, 64, 0]  # input untouched


def test_trim_silence_handles_int16_minimum():
    samples = np.array([0, -32768, 0], dtype=np.int16)
    assert trim_silence(samples).tolist() == [-32768]


@pytest.mark.parametrize(
    ("from_rate", "freq_hz"), [(44100, 440.0), (16000, 1000.0), (48000, 3000.0)]
)
def test_resample_keeps_length_and_pitch(from_rate, freq_hz):
    t = np.arange(from_rate) / from_rate  # one second
    tone = np.round(10000 * np.sin(2 * np.pi * freq_hz * t)).astype(np.int16)
    out = resample_to(tone, from_rate)
    assert out.dtype == np.int16
    assert out.size == SAMPLE_RATE
    spectrum = np.abs(np.fft.rfft(out.astype(np.float64)))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / out.size
    assert peak_hz == pytest.approx(freq_hz, abs=2)


def test_resample_same_rate_is_a_copy():
    samples = np.array([1, 2, 3], dtype=np.int16)
    out = resample_to(samples, SAMPLE_RATE)
    assert out.tolist() == [1, 2, 3] and out is not samples


def test_read_audio_file_converts_stereo_44k(tmp_path):
    path = tmp_path / "stereo.wav"
    frames = np.array([[100, 300], [-200, -400], [0, 0]], dtype="<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        wav.writeframes(frames.tobytes())
    samples, sample_rate = pyttsx3_module.read_audio_file(path)
    assert sample_rate == 44100
    assert samples.tolist() == [200, -300, 0]


def test_resolve_voice_aliases_and_errors():
    voices = [
        Voice("gmw/en", "en-gb", "English (Great Britain)"),
        Voice("gmw/en-US", "en-us", "English (America)"),
        Voice("gmw/de", "de", "German"),
        Voice("sit/cmn", "cmn", "Chinese (Mandarin)"),
    ]
    assert resolve_voice("en", voices) == "gmw/en"
    assert resolve_voice("EN-us", voices) == "gmw/en-US"
    assert resolve_voice("en-gb", voices) == "gmw/en"
    assert resolve_voice("English (America)", voices) == "gmw/en-US"
    assert resolve_voice("de+f3", voices) == "gmw/de+f3"
    with pytest.raises(UsageError) as caught:
        resolve_voice("en-uss", voices)
    assert "en-us" in caught.value.hint
    with pytest.raises(UsageError) as caught:
        resolve_voice("zh", voices)
    assert "cmn" in caught.value.hint
    with pytest.raises(UsageError):
        resolve_voice("", voices)


# -- engine selection -------------------------------------------------------------------------


def test_default_engine_is_espeak_on_linux():
    if sys.platform.startswith("linux"):
        assert default_engine_name() == "espeak"
        engine = open_engine("auto")
        assert engine.name == "espeak"
        engine.close()


def test_unknown_engine_name():
    with pytest.raises(UsageError) as caught:
        open_engine("festival")
    assert "espeak" in caught.value.hint


def test_missing_espeak_library_gives_install_hint(monkeypatch):
    from voice_coach.speech import espeak

    monkeypatch.setattr(espeak, "LIBRARY_NAMES", ("libespeak-ng-missing.so.9",))
    with pytest.raises(EngineError) as caught:
        espeak.load_library()
    assert caught.value.message == "speech engine library libespeak-ng not found"
    assert "apt-get install espeak-ng" in caught.value.hint
    assert caught.value.exit_code == 1


# -- real engines -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", REAL_ENGINES)
def test_clip_is_int16_nonempty_and_trimmed(engines, name):
    engine = engines[name]
    clip = engine.synthesize(PHRASE, "en", 160, 1.0)
    assert clip.dtype == np.int16 and clip.ndim == 1
    assert 800 < duration_ms(clip) < 4000
    assert abs(int(clip[0])) > SILENCE_THRESHOLD and abs(int(clip[-1])) > SILENCE_THRESHOLD
    # No trailing pause left (espeak-ng adds ~235 ms through pyttsx3): the last 50 ms are loud.
    tail = clip[-SAMPLE_RATE // 20 :].astype(np.int32)
    assert np.abs(tail).max() > 1000


def test_engines_agree_on_sample_rate(engines):
    """Both end in libespeak-ng: equal lengths prove pyttsx3's output is read at 22050 Hz."""
    direct = engines["espeak"].synthesize(PHRASE, "en-us", 160, 1.0)
    via_pyttsx3 = engines["pyttsx3"].synthesize(PHRASE, "en-us", 160, 1.0)
    assert duration_ms(via_pyttsx3) == pytest.approx(duration_ms(direct), rel=0.05)


@pytest.mark.parametrize("name", REAL_ENGINES)
def test_duration_scales_with_inverse_rate(engines, name):
    engine = engines[name]
    ms = {rate: duration_ms(engine.synthesize(PHRASE, "en", rate, 1.0)) for rate in (100, 200, 400)}
    # Measured ratios are 1.9-2.1x per doubling (pauses scale a little less than speech).
    assert ms[100] / ms[200] == pytest.approx(2.0, rel=0.2)
    assert ms[200] / ms[400] == pytest.approx(2.0, rel=0.3)


@pytest.mark.parametrize("name", REAL_ENGINES)
def test_rate_change_applies_on_every_render(engines, name):
    engine = engines[name]
    rates = [100, 250] * 10
    ms = [duration_ms(engine.synthesize("Rest for thirty seconds.", "en", r, 1.0)) for r in rates]
    slow, fast = ms[0::2], ms[1::2]
    assert max(slow) - min(slow) < 25 and max(fast) - min(fast) < 25
    assert min(slow) > 2 * max(fast)


@pytest.mark.parametrize("name", REAL_ENGINES)
def test_voice_changes_apply(engines, name):
    engine = engines[name]
    en = engine.synthesize(PHRASE, "en", 160, 1.0)
    de = engine.synthesize(PHRASE, "de", 160, 1.0)
    en_again = engine.synthesize(PHRASE, "en", 160, 1.0)
    assert abs(duration_ms(en) - duration_ms(en_again)) < 25
    assert en.size != de.size or not np.array_equal(en, de)


@pytest.mark.parametrize("name", REAL_ENGINES)
def test_volume_scales_level(engines, name):
    engine = engines[name]
    loud = engine.synthesize(PHRASE, "en", 160, 1.0).astype(np.float64)
    quiet = engine.synthesize(PHRASE, "en", 160, 0.5).astype(np.float64)
    rms_ratio = np.sqrt(np.mean(quiet**2)) / np.sqrt(np.mean(loud**2))
    assert 0.3 < rms_ratio < 0.7


@pytest.mark.parametrize("name", REAL_ENGINES)
@pytest.mark.parametrize("voice", ["xx-nonesuch", "zh", "en+nosuchvariant"])
def test_unknown_voice_raises_usage_error(engines, name, voice):
    with pytest.raises(UsageError) as caught:
        engines[name].synthesize("hi", voice, 160, 1.0)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("name", REAL_ENGINES)
def test_synthesize_all_unknown_voice_lists_close_matches(engines, name):
    with pytest.raises(UsageError) as caught:
        synthesize_all(["hi"], VoiceSettings(voice="en-uk"), engine=engines[name])
    assert "unknown voice 'en-uk'" in caught.value.message
    assert "en" in caught.value.hint


@pytest.mark.parametrize("name", REAL_ENGINES)
@pytest.mark.parametrize(
    "text",
    ["<break time='5s'/> hi", "<speak>hi</speak>", "[[h@'loU]] hi", "<audio src='x.wav'/> hi"],
)
def test_markup_is_spoken_literally(engines, name, text):
    engine = engines[name]
    clip = engine.synthesize(text, "en", 160, 1.0)
    plain = engine.synthesize("hi", "en", 160, 1.0)
    # Read literally, the markup is words and symbols: much longer than "hi", no 5 s pause.
    assert duration_ms(clip) > 2 * duration_ms(plain)
    assert longest_silence_ms(clip) < 1000
    assert duration_ms(clip) < 5000


@pytest.mark.parametrize("name", REAL_ENGINES)
def test_non_latin_text(engines, name):
    clip = engines[name].synthesize("Atme tief ein – und aus. Schön!", "de", 160, 1.0)
    assert duration_ms(clip) > 500


def test_unspeakable_text_gives_empty_clip(engines):
    assert engines["espeak"].synthesize("...", "en", 160, 1.0).size == 0
    assert synthesize_all(["   "], VoiceSettings(), engine=engines["espeak"])["   "].size == 0


# -- pyttsx3 worker guards --------------------------------------------------------------------


def test_pyttsx3_chatter_never_reaches_stdout(engines, capfd):
    engines["pyttsx3"].synthesize("Good work.", "en", 160, 1.0)
    out, _ = capfd.readouterr()
    assert "Audio saved" not in out


def test_pyttsx3_dead_worker_is_restarted(engines):
    engine = engines["pyttsx3"]
    restarts = engine.stats["restarts"]
    engine.worker.kill()
    engine.worker.wait()
    clip = engine.synthesize("Good work.", "en", 160, 1.0)
    assert clip.size > 0
    assert engine.stats["restarts"] == restarts + 1


def test_pyttsx3_hung_worker_is_killed_and_restarted(monkeypatch):
    monkeypatch.setattr(pyttsx3_module, "reply_timeout_s", lambda text: 1.0)
    engine = pyttsx3_module.Pyttsx3Engine()
    try:
        engine.voices()
        os.kill(engine.worker.pid, signal.SIGSTOP)  # a hang: alive, never answers
        clip = engine.synthesize("Good work.", "en", 160, 1.0)
        assert clip.size > 0
        assert engine.stats["restarts"] >= 1 and engine.stats["retries"] >= 1
    finally:
        engine.close()


def test_pyttsx3_engine_version_names_library(engines):
    assert engines["pyttsx3"].version.startswith("pyttsx3 ")
    assert engines["espeak"].version.startswith("libespeak-ng ")


# -- synthesize_all ---------------------------------------------------------------------------


class CountingEngine(FakeEngine):
    def __init__(self) -> None:
        self.calls: list[str] = []

    def synthesize(self, text, voice, rate_wpm, volume):
        self.calls.append(text)
        return super().synthesize(text, voice, rate_wpm, volume)


def test_synthesize_all_dedupes_reports_progress_and_caches():
    engine = CountingEngine()
    seen = []
    texts = ["Breathe in.", "Hold.", "Breathe in.", "Breathe out."]
    clips = synthesize_all(
        texts,
        VoiceSettings(engine="fake"),
        engine=engine,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert list(clips) == ["Breathe in.", "Hold.", "Breathe out."]
    assert engine.calls == ["Breathe in.", "Hold.", "Breathe out."]
    assert seen == [(1, 3), (2, 3), (3, 3)]
    again = synthesize_all(texts, VoiceSettings(engine="fake"), engine=engine)
    assert engine.calls == ["Breathe in.", "Hold.", "Breathe out."]  # all cache hits
    for text, clip in clips.items():
        assert np.array_equal(again[text], clip)


def test_synthesize_all_cache_key_uses_canonical_voice():
    engine = CountingEngine()
    synthesize_all(["Hold."], VoiceSettings(engine="fake", voice="en-us"), engine=engine)
    synthesize_all(["Hold."], VoiceSettings(engine="fake", voice="EN-US"), engine=engine)
    synthesize_all(["Hold."], VoiceSettings(engine="fake", voice="fake/en-US"), engine=engine)
    assert engine.calls == ["Hold."]


@pytest.mark.parametrize(
    "settings", [VoiceSettings(rate_wpm=79), VoiceSettings(rate_wpm=451), VoiceSettings(volume=1.5)]
)
def test_synthesize_all_rejects_bad_settings(settings):
    with pytest.raises(UsageError):
        synthesize_all(["hi"], settings, engine=FakeEngine())


def test_synthesize_all_opens_and_uses_the_real_default_engine():
    clips = synthesize_all(["Set one.", "Rest."], VoiceSettings(voice="en-us", rate_wpm=180))
    assert all(clip.size > SAMPLE_RATE // 10 for clip in clips.values())


def test_synthesize_all_without_cache(tmp_path):
    clips = synthesize_all(["Go."], VoiceSettings(engine="fake"), cache=None)
    assert clips["Go."].size > 0
    assert not (tmp_path / "cache").exists()


# -- fake engine ------------------------------------------------------------------------------


def test_fake_engine_is_deterministic_and_rate_scaled():
    engine = FakeEngine()
    a = engine.synthesize("Breathe in.", "en", 160, 1.0)
    assert np.array_equal(a, engine.synthesize("Breathe in.", "en", 160, 1.0))
    assert a.size == fake_duration_ms("Breathe in.", 160) * SAMPLE_RATE // 1000
    assert fake_duration_ms("Breathe in.", 160) == 660
    assert fake_duration_ms("Breathe in.", 320) == 330
    assert fake_duration_ms("Go", 320) == 100
    assert np.array_equal(trim_silence(a), a)
    assert 0 < np.abs(a).max() < 8000
    with pytest.raises(UsageError):
        engine.synthesize("x", "xx", 160, 1.0)


def test_fake_engine_satisfies_the_protocol():
    engine = open_engine("fake")
    assert engine.name == "fake" and engine.version
    assert any(v.language == "en" for v in engine.voices())
    engine.close()


# -- properties -------------------------------------------------------------------------------


@given(st.lists(st.integers(-32768, 32767), max_size=50), st.integers(0, 2000))
def test_trim_silence_properties(values, threshold):
    samples = np.array(values, dtype=np.int16)
    out = trim_silence(samples, threshold)
    loud = [i for i, v in enumerate(values) if abs(v) > threshold]
    if not loud:
        assert out.size == 0
    else:
        assert out.tolist() == values[loud[0] : loud[-1] + 1]


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60))
def test_espeak_never_raises_on_any_text(text):
    engine = open_engine("espeak")
    clip = engine.synthesize(text, "en", 250, 1.0)
    assert clip.dtype == np.int16 and clip.ndim == 1
    if clip.size:
        assert abs(int(clip[0])) > SILENCE_THRESHOLD and abs(int(clip[-1])) > SILENCE_THRESHOLD


@pytest.mark.parametrize("text", ["a\x00b", "\udcff hi", "tab\there\nnewline", "\x7f\x85"])
@pytest.mark.parametrize("name", REAL_ENGINES)
def test_awkward_characters_are_spoken_not_fatal(engines, name, text):
    clip = engines[name].synthesize(text, "en", 160, 1.0)
    assert clip.dtype == np.int16


def test_synthesize_all_user_means_default_cache(tmp_path):
    """cache="user" (the default; it was a `...` sentinel) is the user's cache."""
    synthesize_all(["Hold."], VoiceSettings(engine="fake"), cache="user")
    assert list((tmp_path / "cache").glob("*/*.clip"))
    synthesize_all(["Go."], VoiceSettings(engine="fake"))
    assert len(list((tmp_path / "cache").glob("*/*.clip"))) == 2


def test_pyttsx3_first_render_of_a_long_text_is_complete(engines):
    """The first runAndWait in a process can return before a long text's file is written."""
    text = " ".join(["Breathe in for four, hold for seven, and breathe out for eight."] * 6)
    fresh = pyttsx3_module.Pyttsx3Engine()
    try:
        first = fresh.synthesize(text, "en", 160, 1.0)
    finally:
        fresh.close()
    direct = engines["espeak"].synthesize(text, "en", 160, 1.0)
    assert duration_ms(first) > 20_000
    assert duration_ms(first) == pytest.approx(duration_ms(direct), rel=0.03)
