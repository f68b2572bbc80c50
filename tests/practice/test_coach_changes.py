"""The change over time: legs and pain summaries ("legs lighter after 9 of the last 12
sessions"), the weekly series of dose, legs and pain, and `stats` showing them."""

from __future__ import annotations

from datetime import date, timedelta

from tests.coach_days import on_day
from tests.conftest import ok
from tests.practice.test_coach_dose import DAY1, routine, session
from voice_coach.practice.changes import (
    WeekChange,
    change_lines,
    legs_summary,
    pain_summary,
    weekly_changes,
)
from voice_coach.practice.dose import dose_series


def test_legs_lighter_after_9_of_the_last_12() -> None:
    legs = ["heavier"] * 5 + ["lighter"] * 4 + ["same"] + ["lighter"] * 5 + ["heavier", "same"]
    history = [session(day, legs=leg) for day, leg in enumerate(legs, start=1)]
    history.append(session(30, legs=None))  # no check-in: not counted
    # the last 12 check-ins: 9 lighter, 2 the same, 1 heavier; the older 5 heavier left out
    assert legs_summary(history) == "legs lighter after 9 of the last 12 sessions, " \
        "heavier after 1"
    assert legs_summary(history[-9:-3]) == "legs lighter after 5 of the last 6 sessions"
    assert legs_summary([session(1, legs="same")]) == "legs the same after the last session"
    assert legs_summary([session(1)]) is None


def test_pain_summary() -> None:
    history = [session(1, pain=0), session(2, pain=3), session(3, pain=None), session(4, pain=1)]
    assert pain_summary(history) == "pain 2 or less after 2 of the last 3 sessions (the most: 3)"
    assert pain_summary([session(1, pain=None)]) is None
    assert pain_summary([session(1, pain=4)]) == "pain 4 after the last session"


def test_weekly_series_of_dose_legs_and_pain() -> None:
    # DAY1 is a Monday; three good days step the dose up on day 4
    history = [session(1, legs="lighter"), session(2, pain=2, legs="lighter"),
               session(3, legs="same"), session(4, pain=4, legs="heavier"), session(9)]
    today = DAY1 + timedelta(days=9)
    doses = dose_series(routine(), history, DAY1 - timedelta(days=7), today)
    weeks = weekly_changes(history, today, 3, 4, doses)
    assert weeks == [
        WeekChange(date(2026, 10, 26), 0, 0, 0, 0, None, None, 10, 10),
        WeekChange(date(2026, 11, 2), 4, 2, 1, 1, 1.5, 4, 10, 10),
        WeekChange(date(2026, 11, 9), 1, 0, 0, 0, 0.0, 0, 10, 10),
    ]
    assert [d.reps for d in doses][7:] == [10, 10, 10, 12, 10, 10, 10, 10, 10, 10]
    assert change_lines(weeks, "pumps") == [
        "week of     sessions     dose  legs +/=/-  pain (most)",
        "2026-10-26         0       10           -  -",
        "2026-11-02         4       10       2/1/1  1.5 (4)",
        "2026-11-09         1       10           -  0 (0)",
        "(dose: pumps a set, at the week's start and end; legs: lighter, the same, heavier)"]


def test_stats_shows_the_summary_and_the_weeks(coach_home, monkeypatch) -> None:
    config = coach_home / "config" / "voice-coach" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'[practice]\nroutine = "{coach_home / "grow.yaml"}"\n')
    for day, legs in ((1, "lighter"), (2, "lighter"), (3, "same"), (4, "lighter")):
        on_day(monkeypatch, day)
        ok("done", "grow.yaml", "--pain", "0", "--legs", legs)
    on_day(monkeypatch, 5)
    lines = ok("stats", "--weeks", "1").splitlines()
    assert "Legs lighter after 3 of the last 4 sessions." in lines
    assert "Pain 2 or less after 4 of the last 4 sessions (the most: 0)." in lines
    assert "2026-11-02         4    10-12       3/1/0  0 (0)" in lines


def test_stats_without_check_ins_of_the_legs_shows_what_it_did(coach_home, monkeypatch) -> None:
    on_day(monkeypatch, 1)
    ok("done", "ankle-pumps", "--pain", "1")
    out = ok("stats", "--weeks", "1")
    assert "Pain" not in out and "week of" not in out
