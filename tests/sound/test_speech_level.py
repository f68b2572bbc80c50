"""The speech level is the anchor, measured in rendered files (real espeak-ng, ffmpeg decoding,
BS.1770 by ffmpeg's ebur128 and by ours): the same voice settings give the same speech loudness
in every routine, with or without a background; a routine's voice volume is heard; ticks and the
metronome sit well under the voice; the file's integrated loudness is what the render reports."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.level_table import CASES, Levels, render_and_measure, reported
from voice_coach.basics.defaults import LOUDNESS_LUFS as DEFAULT_LOUDNESS_LUFS
from voice_coach.sound.master import BEAT_UNDER_SPEECH_LU, voice_level_lufs

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")

AT_FULL_VOLUME = ("ankle-pumps (seated)", "ankle-pumps-pump", "bedtime at volume 1.0",
                  "bedtime at volume 1.0 --background brown", "breathing",
                  "breathing --background brown")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Levels]:
    """Every case of the level table rendered to MP3 once and measured."""
    folder = tmp_path_factory.mktemp("levels")
    return {label: render_and_measure(routine, options, folder)
            for label, routine, options in CASES}


def test_same_voice_settings_same_speech_loudness_in_every_routine(rendered) -> None:
    """Seated, metronome, bedtime and breathing sessions, with and without a brown-noise bed:
    their speech measures the routine's loudness (-16), speech-gated, to a few tenths."""
    speech = {label: rendered[label].speech_lufs for label in AT_FULL_VOLUME}
    assert all(v == pytest.approx(DEFAULT_LOUDNESS_LUFS, abs=0.3) for v in speech.values()), speech
    assert max(speech.values()) - min(speech.values()) <= 0.5, speech
    # cue by cue, as the voice was first measured: the median cue of each, within 1 LU
    cues = [rendered[label].cue_median_lufs for label in AT_FULL_VOLUME]
    assert max(cues) - min(cues) <= 0.6, cues


def test_a_background_never_moves_the_voice(rendered) -> None:
    for quiet, bedded in (("breathing", "breathing --background brown"),
                          ("bedtime (volume 0.8)", "bedtime --background brown")):
        assert rendered[bedded].speech_lufs == pytest.approx(rendered[quiet].speech_lufs,
                                                             abs=0.2)
        # ... while the whole file measures quieter: many quiet blocks of bed pass the gate
        assert rendered[bedded].file_lufs < rendered[quiet].file_lufs - 2


def test_bedtime_soft_voice_is_heard(rendered) -> None:
    """volume 0.8 is 4 dB under the routine's speech loudness: bedtime's cues measure at least
    3 LU softer than the seated session's (they were 2.3 dB louder)."""
    seated, bedtime = rendered["ankle-pumps (seated)"], rendered["bedtime (volume 0.8)"]
    offset = voice_level_lufs(DEFAULT_LOUDNESS_LUFS, 0.8) - DEFAULT_LOUDNESS_LUFS
    assert offset == pytest.approx(-4.0)
    assert bedtime.speech_lufs - seated.speech_lufs == pytest.approx(offset, abs=0.3)
    assert seated.cue_median_lufs - bedtime.cue_median_lufs >= 3.0
    assert reported(bedtime.summary)[0] == pytest.approx(-20.0)


@pytest.mark.parametrize("label", ["ankle-pumps-pump", "bedtime (volume 0.8)",
                                   "bedtime --background brown"])
def test_ticks_and_metronome_sit_well_under_the_voice(rendered, label: str) -> None:
    """The metronome (ankle-pumps-pump) and the counting ticks (bedtime) measure 10 LU under the
    voice, each while it sounds (they were 1.5 dB under it in bedtime)."""
    under = rendered[label].beats_under_lu
    assert under is not None and under >= 8.0
    assert under == pytest.approx(BEAT_UNDER_SPEECH_LU, abs=0.6)


@pytest.mark.parametrize("label", [label for label, _, _ in CASES])
def test_reported_loudness_is_what_the_file_measures(rendered, label: str) -> None:
    levels = rendered[label]
    speech_lufs, file_lufs = reported(levels.summary)
    assert levels.file_lufs == pytest.approx(file_lufs, abs=0.3)  # ffmpeg ebur128 on the MP3
    assert levels.speech_lufs == pytest.approx(speech_lufs, abs=0.3)
    assert levels.true_peak_dbtp <= -1.0


def test_level_table_measures_what_ffmpeg_and_our_meter_agree_on(tmp_path: Path) -> None:
    """The speech-gated measure itself: cues joined end to end, measured by ffmpeg's ebur128,
    agree with loudness.integrated_lufs on the same samples."""
    from tests.level_table import ebur128_samples
    from voice_coach.sound import loudness as ld

    rng = np.random.default_rng(4)
    x = rng.standard_normal(22050 * 6) * 0.05 * (np.sin(np.arange(22050 * 6) / 3000) > 0)
    assert ebur128_samples(x) == pytest.approx(ld.integrated_lufs(x, 22050), abs=0.1)
