"""Today's dose from the practice history, against tables worked out by hand: the first step on
the right day, no step on a day with pain 3, a step back after pain 5, the stop after pain 8,
legs heavier twice, the top of the range held; the same history gives the same dose anywhere."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from voice_coach.practice.dose import (
    CoachSettings,
    apply_dose,
    dose_for,
    dose_series,
    pinned_dose,
)
from voice_coach.practice.records import SessionRecord
from voice_coach.routine import parse_routine

BERLIN = ZoneInfo("Europe/Berlin")
DAY1 = date(2026, 11, 2)

GROW = """\
title: Ankle pumps that grow
steps:
  - exercise: Ankle pumps
    sets: 3
    reps: 10
    progress:
      reps: {low} to {high}
      step: 2
      after: {after}
"""


def routine(low: int = 10, high: int = 30, after: int = 3):
    return parse_routine(GROW.format(low=low, high=high, after=after), "grow.yaml")


def session(day: int, sets: int = 3, pain: int | None = 0, legs: str | None = None,
            hour: int = 10) -> SessionRecord:
    start = datetime.combine(DAY1 + timedelta(days=day - 1), datetime.min.time(),
                             BERLIN).replace(hour=hour)
    return SessionRecord(f"s{day}-{hour}", "grow", "Ankle pumps that grow", "h", "en",
                         "espeak:en", start, start + timedelta(minutes=4), "Europe/Berlin",
                         3, sets, 30, 30, "completed", "done", None, pain, "", legs)


def doses(records, n_days: int, **kw) -> list[tuple[int, str]]:
    series = dose_series(routine(**kw), records, DAY1, DAY1 + timedelta(days=n_days - 1))
    return [(d.reps, d.change) for d in series]


def test_weeks_of_history_against_a_table_worked_out_by_hand() -> None:
    history = [session(1), session(2, pain=1), session(3),          # three good days
               session(4),                                          # 12 from day 4
               session(5, pain=3),                                  # pain 3: the run starts over
               session(6), session(7), session(8),                  # three good days again
               session(9, pain=5),                                  # 14 on day 9, pain 5 after
               session(10), session(11), session(12),               # 12 again, three good days
               session(13, pain=8)]                                 # 14 on day 13, pain 8
    expected = [
        (10, "first"), (10, "same"), (10, "same"),  # days 1-3
        (12, "up"),                                  # day 4: the first step, on the right day
        (12, "same"), (12, "same"),                  # days 5-6
        (12, "same"),                                # day 7: no step, day 5 had pain 3
        (12, "same"),                                # day 8
        (14, "up"),                                  # day 9: days 6, 7, 8 at the goal
        (12, "back"),                                # day 10: pain 5 after day 9's session
        (12, "same"), (12, "same"),                  # days 11-12
        (14, "up"),                                  # day 13: days 10, 11, 12
        (12, "stop"), (12, "stop"), (12, "stop"),    # days 14-16: pain 8 stops progression
    ]
    assert doses(history, 16) == expected


def test_the_reasons_are_plain_words() -> None:
    history = [session(1), session(2), session(3), session(4, pain=5), session(5, pain=8)]
    series = dose_series(routine(), history, DAY1, DAY1 + timedelta(days=5))
    lines = [d.line() for d in series]
    assert lines[0] == "10 pumps a set: the first dose"
    assert lines[2] == "10 pumps a set: two days of 3 at your goal with pain 2 or less so far"
    assert lines[3] == "12 pumps a set, up from 10: three days at your goal with no pain"
    assert lines[4] == "10 pumps a set, down from 12: pain 5 after the last session"
    assert lines[5] == ("10 pumps a set: pain 8 after a session: stop and ask a health "
                        "professional")
    assert series[5].stop and not series[4].stop


def test_a_day_below_the_goal_or_missed_starts_the_run_over() -> None:
    history = [session(1), session(2, sets=2), session(3), session(4), session(6), session(7),
               session(8)]
    assert [r for r, _ in doses(history, 9)] == [10, 10, 10, 10, 10, 10, 10, 10, 12]


def test_two_sessions_a_day_make_the_goal_together() -> None:
    history = [s for day in (1, 2, 3) for s in (session(day, sets=2, hour=9),
                                                 session(day, sets=1, hour=18))]
    assert doses(history, 4)[-1] == (12, "up")


def test_the_top_of_the_range_is_held_and_never_more_than_a_step_a_day() -> None:
    history = [session(day) for day in range(1, 8)]
    assert doses(history, 8, high=15, after=1) == [
        (10, "first"), (12, "up"), (14, "up"), (15, "up"), (15, "top"), (15, "top"),
        (15, "top"), (15, "top")]


def test_the_bottom_of_the_range_holds_on_pain() -> None:
    assert doses([session(1, pain=6)], 2)[-1] == (10, "back")


def test_legs_heavier_twice_in_a_row_stops_once_does_not() -> None:
    once = [session(1, legs="heavier"), session(2, legs="lighter"), session(3, legs="heavier")]
    assert [c for _, c in doses(once, 4)] == ["first", "same", "same", "up"]
    twice = [session(1, legs="heavier"), session(2, legs="heavier", pain=None)]
    assert doses(twice, 3)[-1] == (10, "stop")
    assert "legs heavier after two sessions in a row" in dose_series(
        routine(), twice, DAY1, DAY1 + timedelta(days=2))[-1].reason


def test_a_painless_session_after_a_stop_starts_progression_over() -> None:
    history = [session(1, pain=7), session(3, pain=0), session(4), session(5)]
    # day 3's painless session at the goal clears the stop and counts: days 3, 4, 5
    assert doses(history, 7)[1:] == [(10, "stop"), (10, "stop"), (10, "same"), (10, "same"),
                                     (12, "up"), (12, "same")]


def test_the_settings_move_the_thresholds() -> None:
    history = [session(1), session(2), session(3), session(4, pain=4)]
    assert dose_for(routine(), history, DAY1 + timedelta(days=4)).change == "back"
    lenient = CoachSettings(back_pain=5, stop_pain=9)
    assert dose_for(routine(), history, DAY1 + timedelta(days=4), lenient).reps == 12
    assert dose_for(routine(), [session(1, pain=8)], DAY1 + timedelta(days=1),
                    lenient).change == "back"


def test_a_days_dose_uses_only_the_days_before_it() -> None:
    history = [session(1), session(2), session(3)]
    today = DAY1 + timedelta(days=3)
    assert dose_for(routine(), history, today).reps == 12
    assert dose_for(routine(), [*history, session(4, pain=9)], today).reps == 12


def test_a_routine_without_progress_is_untouched() -> None:
    plain = parse_routine("title: T\nsteps:\n  - exercise: A\n    reps: 12\n", "t.yaml")
    assert dose_for(plain, [session(1)], DAY1) is None
    assert apply_dose(plain, None) is plain
    assert pinned_dose(plain, DAY1, 20) is None


def test_apply_and_pin() -> None:
    grow = routine()
    dose = dose_for(grow, [session(1), session(2), session(3)], DAY1 + timedelta(days=3))
    assert apply_dose(grow, dose).steps[0].reps == 12
    assert apply_dose(grow, pinned_dose(grow, DAY1, 20)).steps[0].reps == 20
    assert pinned_dose(grow, DAY1, None).reps == 10
    with pytest.raises(ValueError, match="31 is outside the range of Ankle pumps, 10 to 30"):
        pinned_dose(grow, DAY1, 31)


def test_the_same_history_gives_the_same_dose_in_another_process() -> None:
    history = [session(1), session(2), session(3), session(5, pain=5)]
    here = repr(dose_series(routine(), history, DAY1, DAY1 + timedelta(days=9)))
    code = ("import sys; sys.path.insert(0, '.'); from tests.practice.test_coach_dose import *; "
            "print(repr(dose_series(routine(), [session(1), session(2), session(3), "
            "session(5, pain=5)], DAY1, DAY1 + timedelta(days=9))))")
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": "123", "TZ": "Asia/Tokyo"})
    assert there.stdout.strip() == here
