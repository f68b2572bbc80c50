"""The Pico engine (py-nanotts): same bytes every time, rate in words per minute, each language
spoken in that language and never silent, `engine: auto`'s order, the cache, `voices`.
Real engines throughout (Pico, espeak-ng, Piper where installed)."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from voice_coach.cli import app
from voice_coach.plan.timeline import SAMPLE_RATE
from voice_coach.routine import VoiceSettings
from voice_coach.speech import engine_for, open_engine, piper_rate, synthesize_all
from voice_coach.speech import pico as pico_module
from voice_coach.speech.cache import ClipCache

pytestmark = pytest.mark.skipif(not pico_module.available(),
                                reason="py-nanotts is not installed (pip install '.[pico]')")
LANGUAGES = ("de", "fr", "es", "it")


@pytest.fixture(scope="module")
def pico():
    engine = open_engine("pico")
    yield engine
    engine.close()


def digest(clip: np.ndarray) -> str:
    return hashlib.sha256(clip.tobytes()).hexdigest()


_IN_A_NEW_PROCESS = """
import ctypes, hashlib, sys
import numpy as np
if sys.argv[1:] == ["dirty"]:
    # as a long test session leaves it: big freed blocks of used memory on malloc's heap
    # (which it hands out before mapping fresh pages), then other voices and rates
    ctypes.CDLL("libc.so.6").mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD: big blocks on the heap
    blocks = [np.full(3 << 20, 0x5A, dtype=np.uint8) for _ in range(6)]
    del blocks[::2]
from voice_coach.speech import open_engine
e = open_engine("pico")
if sys.argv[1:] == ["dirty"]:
    for text, voice, rate in HISTORY:
        e.synthesize(text, voice, rate, 0.5)
for text, voice in (("Toes up, and hold.", "en"), ("Zehen hoch, und halten.", "de")):
    print(hashlib.sha256(e.synthesize(text, voice, 160, 1.0).tobytes()).hexdigest())
"""
# Other languages and rates said before: each call's Pico got the last one's work area back.
HISTORY = (("Something else entirely, at another rate.", "fr", 250),
           ("Zehen strecken, und halten.", "de", 100), ("Inspire despacio.", "es", 300),
           ("Riposa per 20 secondi.", "it", 140), ("Toes up, and hold.", "en", 450))


def test_same_bytes_whatever_was_said_before_and_in_any_process(pico):
    """Pico reads memory it never wrote: with its work area from fresh pages only when malloc
    had no big free block on its heap, a test session's Pico gave other bytes than a new
    process's, and each phrase's bytes depended on the phrase before."""
    first = [pico.synthesize("Toes up, and hold.", "en", 160, 1.0) for _ in range(3)]
    again = []
    for text, voice, rate_wpm in HISTORY:
        pico.synthesize(text, voice, rate_wpm, 0.5)
        again.append(pico.synthesize("Toes up, and hold.", "en", 160, 1.0))
    assert len({digest(c) for c in [*first, *again]}) == 1
    german = pico.synthesize("Zehen hoch, und halten.", "de", 160, 1.0)
    script = _IN_A_NEW_PROCESS.replace("HISTORY", repr(HISTORY))
    for history in ("clean", "dirty"):
        other = subprocess.run([sys.executable, "-c", script, history], capture_output=True,
                               text=True, check=True).stdout.split()
        assert other == [digest(first[0]), digest(german)], history


@pytest.mark.parametrize("rate_wpm", [100, 160, 250])
@pytest.mark.parametrize("voice", ["en", "de", "fr"])
def test_rate_is_words_per_minute_as_espeak_measures_it(pico, voice, rate_wpm):
    phrases = piper_rate.REFERENCE_PHRASES[voice]
    n_frames = sum(len(pico.synthesize(p, voice, rate_wpm, 1.0)) for p in phrases)
    measured_wpm = piper_rate.word_count(phrases) * 60 / (n_frames / SAMPLE_RATE)
    assert measured_wpm == pytest.approx(piper_rate.espeak_wpm(rate_wpm), rel=0.06)


def test_shipped_timings_are_what_timing_the_voices_gives_now():
    from scripts.measure_rates import pico_durations

    timed = pico_durations()
    assert timed == pico_module.DURATIONS_S


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reference_phrase_is_spoken_loud_and_whole(pico, language):
    for phrase in piper_rate.REFERENCE_PHRASES[language]:
        clip = pico.synthesize(phrase, language, 160, 1.0)
        n_words = len(phrase.split())
        assert clip.size > 0.4 * n_words * 60 / 180 * SAMPLE_RATE, phrase  # not cut short
        rms_dbfs = 20 * np.log10(np.sqrt(np.mean(clip.astype(np.float64) ** 2)) / 32768)
        assert rms_dbfs > -30, phrase
        # peak at -1 dBFS before resampling, which may overshoot it a little
        assert np.abs(clip.astype(np.int32)).max() == pytest.approx(0.891 * 32767, rel=0.03)


def cepstra(clip: np.ndarray, n_fft: int = 512, hop: int = 220, n_mels: int = 26,
            n_ceps: int = 13) -> np.ndarray:
    """Mel-frequency cepstra (13 a 10 ms frame, mean removed): the shape of the sounds."""
    x = clip.astype(np.float64) / 32768
    frames = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop] * np.hanning(n_fft)
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2

    def mel(f):
        return 2595 * np.log10(1 + f / 700)

    edges = 700 * (10 ** (np.linspace(mel(100), mel(8000), n_mels + 2) / 2595) - 1)
    bins = np.fft.rfftfreq(n_fft, 1 / SAMPLE_RATE)
    bank = np.array([np.clip(np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)),
                             0, None) for lo, mid, hi in zip(edges, edges[1:], edges[2:])])
    log_mel = np.log(power @ bank.T + 1e-8)
    k = np.arange(n_mels)
    dct = np.cos(np.pi / n_mels * (k[None, :] + 0.5) * np.arange(1, n_ceps + 1)[:, None])
    c = log_mel @ dct.T
    return c - c.mean(axis=0)


def dtw_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean frame distance along the best time alignment of two cepstra sequences."""
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))
    acc = np.full((d.shape[0] + 1, d.shape[1] + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(1, d.shape[0] + 1):
        for j in range(1, d.shape[1] + 1):
            acc[i, j] = d[i - 1, j - 1] + min(acc[i - 1, j], acc[i, j - 1], acc[i - 1, j - 1])
    return float(acc[-1, -1] / sum(d.shape))


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_voice_speaks_its_language_not_english(pico, language):
    """Pico's German sounds nearer espeak-ng's German than espeak-ng's English reading of the
    same words (measured: 23.9 vs 26.4 for de, 23.5 vs 27.7 for fr, on these six phrases)."""
    espeak = open_engine("espeak")
    same, english = [], []
    for phrase in piper_rate.REFERENCE_PHRASES[language][3:9]:
        ours = cepstra(pico.synthesize(phrase, language, 160, 1.0))
        same.append(dtw_distance(ours, cepstra(espeak.synthesize(phrase, language, 160, 1.0))))
        english.append(dtw_distance(ours, cepstra(espeak.synthesize(phrase, "en", 160, 1.0))))
    espeak.close()
    assert np.mean(same) < np.mean(english) - 1.5
    assert sum(s < e for s, e in zip(same, english)) >= 5


def test_markup_in_cue_text_is_read_not_obeyed(pico):
    plain = pico.synthesize("Go now.", "en", 160, 1.0)
    marked = pico.synthesize('<speed level="400">Go now.', "en", 160, 1.0)
    assert marked.size > 0.9 * plain.size  # not four times as fast


def test_auto_takes_piper_then_pico_then_espeak(monkeypatch):
    from voice_coach.speech import piper

    if piper.available():
        assert engine_for(VoiceSettings(voice="en")) == "piper"  # joe is installed
    for language in LANGUAGES:
        assert engine_for(VoiceSettings(voice=language)) == "pico"
    assert engine_for(VoiceSettings(voice="pico/de-DE")) == "pico"
    for other in ("nl", "pt", "zh", "gmw/de", "de+f3"):
        assert engine_for(VoiceSettings(voice=other)) == "espeak", other
    monkeypatch.setattr(pico_module, "available", lambda: False)
    assert engine_for(VoiceSettings(voice="de")) == "espeak"


def test_clips_are_cached_by_engine_version(tmp_path, pico):
    cache = ClipCache(tmp_path)
    settings = VoiceSettings(engine="pico", voice="fr")
    clips = synthesize_all(["Inspirez lentement."], settings, cache=cache, workers=1)
    assert list(tmp_path.rglob("*.npy")) or list(tmp_path.rglob("*.wav")) or any(
        p.is_file() for p in tmp_path.rglob("*"))
    again = synthesize_all(["Inspirez lentement."], settings, cache=cache, engine=_Refusing(),
                           workers=1)
    assert digest(again["Inspirez lentement."]) == digest(clips["Inspirez lentement."])
    assert "py-nanotts" in pico.version and "soxr" in pico.version


class _Refusing:
    """The Pico engine's name and version, but it must never be asked to speak."""

    name = "pico"
    version = open_engine("pico").version if pico_module.available() else ""

    def resolve(self, query):
        return open_engine("pico").resolve(query)

    def voices(self):
        return list(pico_module.PICO_VOICES)

    def synthesize(self, *args):
        pytest.fail("a cached clip was synthesised again")

    def close(self):
        pass


def test_a_german_session_is_spoken_by_pico_and_voices_lists_it():
    runner = CliRunner()
    check = runner.invoke(app, ["check", "ankle-pumps", "--language", "de"])
    assert check.exit_code == 0, check.output
    assert "pico, pico/de-DE" in check.stdout
    listing = runner.invoke(app, ["voices", "--language", "de"])
    assert ("pico    pico/de-DE             de-de     hmm      Apache-2.0 (SVOX Pico)        "
            "installed (py-nanotts)") in listing.stdout
    espeak = runner.invoke(app, ["check", "ankle-pumps", "--language", "de", "--engine",
                                 "espeak"])
    assert espeak.exit_code == 0 and "espeak, gmw/de" in espeak.stdout
