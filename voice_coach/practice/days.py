"""Day rules: which day a session counts for, streaks with rest days, and a habit strength.

Pure: the clock is passed in (Clock), so tests move time across midnight, the rollover hour,
daylight-saving changes and time zones. A session counts for the day of the wall clock where it
was done, less the rollover hour: with the default 4, a set at 1 a.m. counts for the evening
before. Nothing here punishes: a day not over yet is never a missed day.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path

DEFAULT_ROLLOVER_HOUR = 4
HABIT_HALF_LIFE_DAYS = 13.0  # as Loop Habit Tracker's daily habits: fades by half in ~2 weeks


@dataclass(frozen=True)
class Clock:
    """Where and when now is: now() returns an aware datetime in the local time zone."""

    now: Callable[[], datetime]


def local_zone() -> tzinfo:
    """The computer's time zone: $TZ, else /etc/localtime's name, else the current offset."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = os.path.realpath("/etc/localtime")
            if "zoneinfo/" in target:
                name = target.split("zoneinfo/", 1)[1]
        except OSError:
            name = ""
    if name and not Path(name).is_absolute():
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


ENV_NOW = "VOICE_COACH_NOW"  # pretend it is this time: "2026-12-01 21:40" (examples, tests)


def system_clock() -> Clock:
    """The computer's clock in its time zone; a fixed time when $VOICE_COACH_NOW is set."""
    zone = local_zone()
    fixed = os.environ.get(ENV_NOW, "").strip()
    if fixed:
        try:
            moment = datetime.fromisoformat(fixed)
        except ValueError:
            from voice_coach.errors import UsageError

            raise UsageError(f"{ENV_NOW}={fixed!r} is not a time",
                             'write it like "2026-12-01 21:40", or unset it') from None
        moment = _localise(moment, zone) if moment.tzinfo is None else moment.astimezone(zone)
        return Clock(lambda: moment)
    return Clock(lambda: datetime.now(zone))


def zone_name(moment: datetime) -> str:
    """'Europe/Berlin' when the zone has a name, else the offset ('+01:00')."""
    key = getattr(moment.tzinfo, "key", None)
    if key:
        return str(key)
    from .records import offset_name

    return offset_name(moment)


def practice_day(moment: datetime, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> date:
    """The day a session started at `moment` counts for: its local wall clock less the rollover.

    Wall-clock arithmetic on purpose: on a daylight-saving night "before 4:00" means the clock
    on the wall, however many hours have really passed.
    """
    wall = moment.replace(tzinfo=None)
    return (wall - timedelta(hours=rollover_hour)).date()


def week_start(day: date) -> date:
    """Monday of the day's week."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class DayMarks:
    """Each day from the first practice day to today: active, a rest day, or missed."""

    first: date
    today: date
    active: frozenset[date]
    rest: frozenset[date]  # missed days the weekly skip allowance covers

    def missed(self, day: date) -> bool:
        return day < self.today and day not in self.active and day not in self.rest


def mark_days(active_days: Iterable[date], today: date, skip_days: int) -> DayMarks:
    """Marks rest days: in each week (Monday to Sunday), the first `skip_days` days without a
    session, before today, keep a streak alive without adding to it."""
    active = frozenset(d for d in active_days if d <= today)
    if not active:
        return DayMarks(today, today, active, frozenset())
    first = min(active)
    rest: set[date] = set()
    used: dict[date, int] = {}
    day = first
    while day < today:
        if day not in active:
            week = week_start(day)
            if used.get(week, 0) < skip_days:
                used[week] = used.get(week, 0) + 1
                rest.add(day)
        day += timedelta(days=1)
    return DayMarks(first, today, active, frozenset(rest))


@dataclass(frozen=True)
class Streak:
    days: int  # active days in the run (rest days keep it alive, add nothing)
    rest_days: int  # rest days inside the run
    today_done: bool
    started: date | None


def streak(marks: DayMarks) -> Streak:
    """The run of days up to today with no missed day; today counts once it has a session."""
    day, days, rests, started = marks.today, 0, 0, None
    while day >= marks.first:
        if day in marks.active:
            days += 1
            started = day
        elif day in marks.rest:
            rests += 1
        elif day != marks.today:  # a missed day ends the run (today is not over yet)
            break
        day -= timedelta(days=1)
    if started is not None:  # rest days before the first active day of the run do not count
        rests = sum(1 for d in marks.rest if started <= d <= marks.today)
    return Streak(days, rests, marks.today in marks.active, started)


def habit_strength(sets_by_day: dict[date, int], today: date, daily_goal: int,
                   skip_days: int = 0, half_life_days: float = HABIT_HALF_LIFE_DAYS
                   ) -> list[tuple[date, float]]:
    """A score from 0 to 1 per day that rises with each day practised and fades slowly.

    score = score_before × m + done × (1 − m), where m = 0.5 ** (1 / half_life_days) and done is
    the day's sets over the goal (at most 1). One missed day takes off only ~5 % of the score;
    rest days and today (until it has a session) leave it unchanged.
    """
    marks = mark_days((d for d, n in sets_by_day.items() if n > 0), today, skip_days)
    if not marks.active:
        return []
    keep = 0.5 ** (1 / half_life_days)
    score, out = 0.0, []
    day = marks.first
    while day <= today:
        sets = sets_by_day.get(day, 0)
        if sets > 0 or marks.missed(day):
            score = score * keep + min(1.0, sets / max(1, daily_goal)) * (1 - keep)
        out.append((day, score))
        day += timedelta(days=1)
    return out


def trend_word(scores: list[tuple[date, float]], days: int = 7) -> str:
    """'rising', 'steady' or 'easing' over the last `days` days."""
    if len(scores) < 2:
        return "rising" if scores and scores[-1][1] > 0 else "steady"
    before = scores[max(0, len(scores) - 1 - days)][1]
    change = scores[-1][1] - before
    if change > 0.005:
        return "rising"
    if change < -0.005:
        return "easing"
    return "steady"


# ---------------------------------------------------------------------------------------------
# Times and dates typed by a person.

AT_HINT = 'times look like "2026-12-01 21:30", "21:30" (today) or "yesterday 21:30"'
SINCE_HINT = 'dates look like 2026-12-01, "today", "yesterday", or a span back: "7d", "4w"'


def parse_at(text: str, now: datetime) -> datetime:
    """A local time typed by a person, in now's time zone; ValueError saying what is wrong.

    "2026-12-01 21:30", "2026-12-01T21:30", "21:30" (today), "yesterday 21:30", or ISO 8601
    with an offset. The time may not be in the future.
    """
    raw = text.strip()
    lowered = raw.lower()
    base = now.date()
    if lowered.startswith(("yesterday", "today")):
        word, _, rest = lowered.partition(" ")
        base = base - timedelta(days=1 if word == "yesterday" else 0)
        raw = rest.strip()
        if ":" not in raw:
            raise ValueError("give a time after the day, e.g. 'yesterday 21:30'")
    try:
        if len(raw) <= 5 and ":" in raw:
            clock = datetime.strptime(raw, "%H:%M").time()
            moment = datetime.combine(base, clock)
        else:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("it is not a date and time") from None
    if moment.tzinfo is None:
        moment = _localise(moment, now.tzinfo)
    if moment > now + timedelta(minutes=1):
        raise ValueError("it is in the future")
    return moment


def _localise(wall: datetime, zone: tzinfo | None) -> datetime:
    """A wall-clock time in a zone; a time skipped by a daylight-saving change moves forward."""
    moment = wall.replace(tzinfo=zone)
    from datetime import timezone

    round_trip = moment.astimezone(timezone.utc).astimezone(zone)
    if round_trip.replace(tzinfo=None) != wall:  # in the gap: keep the instant it names
        return round_trip
    return moment


def parse_since(text: str, today: date) -> date:
    """A first day: 2026-12-01, today, yesterday, 7d, 4w; ValueError when it is none."""
    raw = text.strip().lower()
    if raw in ("today", "yesterday"):
        return today - timedelta(days=raw == "yesterday")
    if raw[:-1].isdigit() and raw[-1:] in ("d", "w") and int(raw[:-1]) <= 36_500:
        days = int(raw[:-1]) * (7 if raw.endswith("w") else 1)
        return today - timedelta(days=max(0, days - 1))
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError("it is not a date") from None
