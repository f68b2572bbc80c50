"""Stress: 1,000 renders per real engine, rate and voice changing every render (AUDIO_STACK.md).

No clip may be empty and every clip's length must fit its rate. ~1 s for espeak, ~15 s for pyttsx3.
"""

from __future__ import annotations

import pytest

from scripts.speech_stress import RATES_WPM, VOICES, format_table, main, measure, plan
from voice_coach.speech import open_engine

N_RENDERS = 1000


pytestmark = pytest.mark.usefixtures("private_cache")


def test_plan_changes_rate_and_voice_every_render():
    renders = plan(N_RENDERS)
    assert len(renders) == N_RENDERS
    for (_, voice_a, rate_a), (_, voice_b, rate_b) in zip(renders, renders[1:], strict=False):
        assert voice_a != voice_b and rate_a != rate_b
    assert {r[1] for r in renders} == set(VOICES) and {r[2] for r in renders} == set(RATES_WPM)
    combos = {(text, voice, rate) for text, voice, rate in renders}
    assert all(renders.count(combo) >= 8 for combo in combos)


@pytest.mark.parametrize("name", ["espeak", "pyttsx3"])
def test_engine_survives_1000_alternating_renders(name):
    engine = open_engine(name)
    try:
        result = measure(engine, N_RENDERS)
    finally:
        engine.close()
    print("\n" + format_table([result]))
    assert result.n_renders == N_RENDERS
    assert result.n_empty == 0
    assert result.problems == []
    assert result.max_spread_ms < 30
    assert result.worst_ratio_error < 0.3
    if name == "espeak":  # each phrase from a fresh engine state: the same samples every time
        assert result.varying == 0 and result.max_spread_ms < 1e-6


def test_stress_entry_point_prints_table(capsys):
    assert main(["--engines", "espeak,fake", "--renders", "48"]) == 0
    out = capsys.readouterr().out
    assert "| espeak | libespeak-ng" in out
    assert "| fake |" in out
    assert "max spread (ms)" in out
