"""scripts/listen: word recall, cutting cues at their planned positions with the quiet around
them, the table; and the real recogniser on real speech where pocketsphinx is installed."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from voice_coach.plan.timeline import Event

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "listen.py"
_spec = importlib.util.spec_from_file_location("listen_script", SCRIPT)
listen = importlib.util.module_from_spec(_spec)
sys.modules["listen_script"] = listen  # dataclasses look their module up there
_spec.loader.exec_module(listen)

needs_pocketsphinx = pytest.mark.skipif(importlib.util.find_spec("pocketsphinx") is None,
                                        reason="the listen extra is not installed")


def test_words_spell_numbers_and_drop_punctuation():
    assert listen.words("Set 1 of 3. Rest for 30 seconds!") == [
        "set", "one", "of", "three", "rest", "for", "thirty", "seconds"]
    assert listen.words("That's all, twenty-five.") == ["that's", "all", "twenty", "five"]


@pytest.mark.parametrize(("expected", "heard", "recall"), [
    ("Toes up, and hold.", "goes up and hold", 0.75),
    ("One.", "why", 0.0),
    ("Three. Two. One.", "three one one", 2 / 3),
    ("Two. Two.", "two", 0.5),  # each spoken word must be heard once
    ("Last 1.", "last one", 1.0),
])
def test_word_recall(expected, heard, recall):
    assert listen.word_recall(expected, heard) == pytest.approx(recall)


def test_cues_are_cut_at_their_planned_positions_with_quiet_around():
    rate = 1000  # one frame a millisecond keeps the arithmetic visible
    mix = np.zeros(100)
    mix[10:20] = 0.5
    mix[40:45] = -0.25
    events = [Event(10, 10, "speech", text="Up."), Event(30, 5, "tone", tone="tick"),
              Event(40, 5, "speech", text="Down.")]
    cuts = list(listen.cue_cuts(mix, events, rate))
    assert [text for text, _ in cuts] == ["Up.", "Down."]
    up = cuts[0][1]
    assert up.dtype == np.int16 and up.size == 300 + 10 + 150
    assert not up[:300].any() and not up[310:].any()
    assert (up[300:310] == 16384).all()  # 0.5 of full scale, rounded
    assert (cuts[1][1][300:305] == -8192).all()


def test_table_gives_each_routine_the_mean_per_cue_and_pools_by_length():
    heard = [listen.Heard("a", "piper", "One.", "one", 1.0),
             listen.Heard("a", "piper", "Toes up, and hold.", "goes up and hold", 0.75),
             listen.Heard("b", "piper", "Two.", "im", 0.0)]
    lines = listen.table(heard, ["a", "b"], ["piper"]).splitlines()
    assert lines[2:] == ["| a | 0.88 (2) |", "| b | 0.00 (1) |",
                         "| **mean over routines** | **0.44** |",
                         "| one-word cues, pooled | 0.50 (2) |",
                         "| cues of several words, pooled | 0.75 (1) |"]


@needs_pocketsphinx
def test_the_recogniser_hears_a_clear_phrase():
    from voice_coach.speech import open_engine, pico, piper

    if not (piper.available() or pico.available()):
        pytest.skip("needs a natural voice (espeak-ng's is heard poorly: that is the point)")
    engine = open_engine("piper" if piper.available() else "pico")
    clip = engine.synthesize("Well done. Rest for thirty seconds.", "en", 160, 1.0)
    engine.close()
    recogniser = listen.Recogniser()
    padded = np.concatenate([np.zeros(6615, np.int16), clip, np.zeros(3307, np.int16)])
    heard = recogniser.hear(padded, 22050)
    assert listen.word_recall("Well done. Rest for 30 seconds.", heard) >= 0.8, heard


@needs_pocketsphinx
def test_the_script_prints_the_table_for_one_routine_and_engine():
    result = subprocess.run([sys.executable, str(SCRIPT), "--engine", "espeak", "--routine",
                             "tv-break"], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "| routine | espeak |"
    assert lines[2].startswith("| tv-break | 0.") or lines[2].startswith("| tv-break | 1.")
    assert "300 ms of quiet before, 150 ms after" in result.stdout
