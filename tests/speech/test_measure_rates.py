"""scripts/measure-rates: the speed tables rendering reads (piper_rate.ESPEAK_WPM) are what the
real engine measures now; the measuring code lives in scripts/, not in the installed package."""

from __future__ import annotations

import pytest

from scripts.measure_rates import ESPEAK_RATES_WPM, espeak_table, main
from voice_coach.speech import piper_rate


def test_shipped_espeak_table_is_what_measuring_gives_now() -> None:
    measured = espeak_table()
    assert [rate for rate, _ in measured] == [rate for rate, _ in piper_rate.ESPEAK_WPM]
    assert tuple(rate for rate, _ in measured) == ESPEAK_RATES_WPM
    for (rate, wpm), (_, shipped) in zip(measured, piper_rate.ESPEAK_WPM, strict=True):
        # measured on libespeak-ng 1.51; a patch release moves a rate by < 0.2 %
        assert wpm == pytest.approx(shipped, rel=0.005), rate


def test_espeak_rows_print_as_the_table_is_written(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["espeak"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == len(piper_rate.ESPEAK_WPM)
    assert rows[0].startswith("    (80, ") and rows[0].endswith("),")


def test_unknown_table_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["piper"]) == 2
    assert capsys.readouterr().err == "usage: scripts/measure-rates espeak|pico\n"

