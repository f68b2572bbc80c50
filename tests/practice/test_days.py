"""Day rules with an injected clock: midnight, the rollover hour, daylight-saving changes, a
flight across time zones; streaks with rest days; the habit strength; times people type.

The store's own day grouping (SQL over the local start time) is checked against the same rules.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from voice_coach.practice.days import (
    Clock,
    habit_strength,
    mark_days,
    parse_at,
    parse_since,
    practice_day,
    streak,
    zone_name,
)
from voice_coach.practice.records import SessionRecord, new_uid
from voice_coach.practice.status import Totals, today_lines
from voice_coach.practice.store import Store

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def at(zone, *args, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=zone, fold=fold)


def record(started: datetime, sets: int = 3) -> SessionRecord:
    return SessionRecord(new_uid(), "ankle-pumps", "Ankle pumps", "0" * 16, "en", "espeak:en",
                         started, started + timedelta(minutes=5), zone_name(started), 3, sets,
                         30, sets * 10, "completed" if sets >= 3 else "partial", "play")


def store_days(tmp_path, moments: list[datetime], rollover: int = 4) -> dict[date, int]:
    with Store.open(tmp_path / "h.sqlite3") as store:
        store.add_many(record(m, sets=1) for m in moments)
        return {d: s for d, s, _ in store.day_totals(rollover)}


class Config(dict):
    """The config's values as load_config gives them, changed where a test needs."""

    def __init__(self, **changes):
        from voice_coach.practice.config import defaults

        super().__init__({**defaults(), **{k.replace("__", "."): v for k, v in changes.items()}})


# ---------------------------------------------------------------------------------------------
# Which day a session counts for.


@pytest.mark.parametrize("moment, day", [
    (at(BERLIN, 2026, 12, 1, 23, 30), date(2026, 12, 1)),
    (at(BERLIN, 2026, 12, 2, 0, 0), date(2026, 12, 1)),   # past midnight: still the evening
    (at(BERLIN, 2026, 12, 2, 1, 0), date(2026, 12, 1)),
    (at(BERLIN, 2026, 12, 2, 3, 59), date(2026, 12, 1)),
    (at(BERLIN, 2026, 12, 2, 4, 0), date(2026, 12, 2)),   # the rollover hour starts the day
    (at(BERLIN, 2026, 12, 2, 9, 0), date(2026, 12, 2)),
])
def test_a_set_after_midnight_counts_for_the_evening_before(tmp_path, moment, day):
    assert practice_day(moment) == day
    assert store_days(tmp_path, [moment]) == {day: 1}


def test_rollover_hour_zero_is_plain_midnight(tmp_path):
    moment = at(BERLIN, 2026, 12, 2, 0, 30)
    assert practice_day(moment, 0) == date(2026, 12, 2)
    assert store_days(tmp_path, [moment], rollover=0) == {date(2026, 12, 2): 1}


def test_daylight_saving_ends_the_repeated_hour_counts_for_the_night_before(tmp_path):
    # 2026-10-25 in Berlin: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
    first = at(BERLIN, 2026, 10, 25, 2, 30, fold=0)
    second = at(BERLIN, 2026, 10, 25, 2, 30, fold=1)
    after = at(BERLIN, 2026, 10, 25, 3, 30)
    assert second.timestamp() - first.timestamp() == 3600
    assert {practice_day(m) for m in (first, second, after)} == {date(2026, 10, 24)}
    assert practice_day(at(BERLIN, 2026, 10, 25, 4, 0)) == date(2026, 10, 25)
    assert store_days(tmp_path, [first, second, after]) == {date(2026, 10, 24): 3}


def test_daylight_saving_starts_the_wall_clock_decides(tmp_path):
    # 2026-03-29 in Berlin: 02:00 CET jumps to 03:00 CEST; 03:30 is only 2.5 h after midnight.
    before = at(BERLIN, 2026, 3, 29, 1, 50)
    jumped = at(BERLIN, 2026, 3, 29, 3, 30)
    day_start = at(BERLIN, 2026, 3, 29, 4, 0)
    assert practice_day(before) == practice_day(jumped) == date(2026, 3, 28)
    assert practice_day(day_start) == date(2026, 3, 29)
    assert store_days(tmp_path, [before, jumped, day_start]) == {
        date(2026, 3, 28): 2, date(2026, 3, 29): 1}


def test_a_flight_west_and_back_east_keeps_each_local_evening(tmp_path):
    moments = [
        at(BERLIN, 2026, 12, 7, 21, 0),    # Monday evening at home
        at(NEW_YORK, 2026, 12, 8, 20, 0),  # Tuesday evening in New York (Wed 02:00 in Berlin)
        at(NEW_YORK, 2026, 12, 9, 23, 30),  # Wednesday late (Thu 05:30 in Berlin)
        at(BERLIN, 2026, 12, 11, 21, 0),   # Friday evening home again, after a night flight
    ]
    days = [practice_day(m) for m in moments]
    assert days == [date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9), date(2026, 12, 11)]
    assert sorted(store_days(tmp_path, moments)) == days
    with Store.open(tmp_path / "h.sqlite3") as store:  # each keeps where it was done
        assert [r.time_zone for r in store.sessions()] == [
            "Europe/Berlin", "America/New_York", "America/New_York", "Europe/Berlin"]
        assert [r.started.hour for r in store.sessions()] == [21, 20, 23, 21]
    # Thursday was the night flight: with one rest day a week the run goes on.
    marks = mark_days(days, date(2026, 12, 11), skip_days=1)
    assert streak(marks).days == 4 and streak(marks).rest_days == 1


def test_today_follows_the_clock_into_another_time_zone():
    totals = Totals({date(2026, 12, 8): 2}, {date(2026, 12, 8): 1})
    config = Config()
    # 08:30 on Wednesday in Berlin is 02:30 in New York: there it is still Tuesday night.
    in_berlin = Clock(lambda: at(BERLIN, 2026, 12, 9, 8, 30))
    in_new_york = Clock(lambda: in_berlin.now().astimezone(NEW_YORK))
    assert today_lines(totals, None, config, in_berlin.now())[0] == \
        "Today, Wednesday 9 December: 0 of 3 sets"
    assert today_lines(totals, None, config, in_new_york.now())[0] == \
        "Today, Tuesday 8 December: 2 of 3 sets"
    late = Clock(lambda: at(NEW_YORK, 2026, 12, 9, 1, 30))  # after midnight, before 4:00
    assert today_lines(totals, None, config, late.now())[0] == \
        "Today, Tuesday 8 December: 2 of 3 sets"


def test_a_flight_over_the_date_line_never_makes_a_gap():
    # Tokyo Monday evening, then a flight to New York landing the "same" Monday.
    days = [practice_day(at(TOKYO, 2026, 12, 7, 20, 0)),
            practice_day(at(NEW_YORK, 2026, 12, 7, 21, 0)),
            practice_day(at(NEW_YORK, 2026, 12, 8, 21, 0))]
    assert days == [date(2026, 12, 7), date(2026, 12, 7), date(2026, 12, 8)]
    assert streak(mark_days(days, date(2026, 12, 8), skip_days=0)).days == 2


# ---------------------------------------------------------------------------------------------
# Streaks: gentle, with rest days; today is never a missed day.


def days_from(first: date, pattern: str) -> list[date]:
    """'x' a day with a session, '.' without, from `first`."""
    return [first + timedelta(days=i) for i, c in enumerate(pattern) if c == "x"]


MON = date(2026, 11, 2)


@pytest.mark.parametrize("pattern, skip_days, today_offset, expected", [
    ("xxxxx", 0, 4, (5, 0, True)),
    ("xxxx.", 0, 4, (4, 0, False)),      # today not done yet: the run is still alive
    ("xxx..", 0, 4, (0, 0, False)),      # yesterday missed, no rest days: starts again
    ("xxx.x", 1, 4, (4, 1, True)),       # one rest day a week keeps it
    ("xx..x", 1, 4, (1, 0, True)),       # two missed in one week: only the last day counts
    ("xxxxxx.x.x", 1, 9, (8, 2, True)),  # Sun and Tue are in different weeks: one each
    ("xxxxxx..", 2, 7, (6, 1, False)),   # Sun a rest day, Mon (today) still open
])
def test_streak_with_rest_days(pattern, skip_days, today_offset, expected):
    today = MON + timedelta(days=today_offset)
    run = streak(mark_days(days_from(MON, pattern), today, skip_days))
    assert (run.days, run.rest_days, run.today_done) == expected


def test_streak_is_not_shown_unless_turned_on():
    totals = Totals({MON: 3, MON + timedelta(days=1): 3}, {})
    now = at(BERLIN, 2026, 11, 3, 12, 0)
    off = today_lines(totals, None, Config(), now)
    on = today_lines(totals, None, Config(practice__streak=True), now)
    assert not any("Streak" in line for line in off)
    assert "Streak: 2 days" in on


# ---------------------------------------------------------------------------------------------
# The habit strength rises and fades slowly.


def test_habit_strength_rises_and_one_missed_day_takes_little():
    start = date(2026, 1, 1)
    sets = {start + timedelta(days=i): 3 for i in range(30)}
    scores = dict(habit_strength(sets, start + timedelta(days=32), 3, skip_days=0))
    day30, day31, day32 = (scores[start + timedelta(days=i)] for i in (29, 30, 31))
    assert 0.75 < day30 < 0.85
    assert day31 == pytest.approx(day30 * 0.5 ** (1 / 13))  # one missed day: about -5 %
    assert day32 < day31 and day32 > 0.6 * day30  # never a fall to zero
    assert scores[start] < scores[start + timedelta(days=1)] < scores[start + timedelta(days=2)]


def test_habit_strength_counts_part_of_the_goal_and_keeps_rest_days():
    start = date(2026, 1, 5)  # a Monday
    full = habit_strength({start: 3, start + timedelta(days=1): 3}, start + timedelta(days=2), 3)
    half = habit_strength({start: 1, start + timedelta(days=1): 1}, start + timedelta(days=2), 3)
    assert half[1][1] == pytest.approx(full[1][1] / 3)
    with_rest = habit_strength({start: 3, start + timedelta(days=2): 3}, start + timedelta(days=2),
                               3, skip_days=1)
    assert with_rest[1][1] == with_rest[0][1]  # a rest day leaves it as it was


def test_habit_strength_fades_over_weeks_not_days():
    start = date(2026, 1, 1)
    sets = {start + timedelta(days=i): 3 for i in range(60)}
    scores = habit_strength(sets, start + timedelta(days=60 + 26), 3, skip_days=0)
    peak = scores[59][1]
    assert scores[-1][1] == pytest.approx(peak * 0.25, rel=0.01)  # two half-lives later


# ---------------------------------------------------------------------------------------------
# Times and dates people type.

NOW = at(BERLIN, 2026, 12, 1, 22, 0)


@pytest.mark.parametrize("text, expected", [
    ("2026-12-01 21:30", at(BERLIN, 2026, 12, 1, 21, 30)),
    ("2026-12-01T21:30", at(BERLIN, 2026, 12, 1, 21, 30)),
    ("21:30", at(BERLIN, 2026, 12, 1, 21, 30)),
    ("yesterday 21:30", at(BERLIN, 2026, 11, 30, 21, 30)),
    ("2026-11-30T20:30:00+01:00", at(BERLIN, 2026, 11, 30, 20, 30)),
    ("2026-03-29 02:30", at(BERLIN, 2026, 3, 29, 3, 30)),  # skipped by the clock change
])
def test_parse_at(text, expected):
    got = parse_at(text, NOW)
    assert got == expected and got.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize("text, reason", [
    ("2026-12-02 09:00", "it is in the future"),
    ("23:00", "it is in the future"),
    ("25:00", "it is not a date and time"),
    ("tomorrow", "it is not a date and time"),
    ("yesterday", "give a time after the day, e.g. 'yesterday 21:30'"),
])
def test_parse_at_refuses(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_at(text, NOW)


def test_parse_since():
    today = date(2026, 12, 1)
    assert parse_since("7d", today) == date(2026, 11, 25)
    assert parse_since("1w", today) == date(2026, 11, 25)
    assert parse_since("yesterday", today) == date(2026, 11, 30)
    assert parse_since("2026-11-01", today) == date(2026, 11, 1)
    with pytest.raises(ValueError):
        parse_since("last tuesday", today)


def test_check_moment_is_the_one_check_for_every_date_entering_the_history():
    from voice_coach.practice.days import check_moment

    now = at(BERLIN, 2026, 12, 1, 12, 0)
    check_moment(at(BERLIN, 1970, 1, 1, 12, 0), now, "it")
    check_moment(now + timedelta(hours=23), now, "it")  # a day ahead: clocks disagree a little
    for moment, words in [(at(BERLIN, 202, 12, 1, 21, 30), "in the year 202, before 1970"),
                          (at(BERLIN, 9999, 12, 31, 0, 0), "after tomorrow"),
                          (now + timedelta(days=2), "after tomorrow"),
                          (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))), "year 1,")]:
        with pytest.raises(ValueError, match=words):
            check_moment(moment, now, "it")
    with pytest.raises(ValueError, match="no UTC offset"):
        check_moment(datetime(2026, 1, 1), now, "it")


def test_parse_at_reads_a_bare_time_on_the_practice_day():
    one_am = at(BERLIN, 2026, 4, 15, 1, 0)
    assert parse_at("21:30", one_am) == at(BERLIN, 2026, 4, 14, 21, 30)
    assert parse_at("00:30", one_am) == at(BERLIN, 2026, 4, 15, 0, 30)
    assert parse_at("yesterday 21:30", one_am) == at(BERLIN, 2026, 4, 13, 21, 30)
    with pytest.raises(ValueError, match="in the future"):
        parse_at("21:30", one_am, rollover_hour=0)
