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
from datetime import date, datetime, timedelta, timezone, tzinfo
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
            moment = localise(moment, zone) if moment.tzinfo is None else \
                moment.astimezone(zone)
            _check_now(moment)
        except (ValueError, OverflowError) as exc:
            from voice_coach.basics.errors import UsageError

            why = "" if "isoformat" in str(exc) or "Invalid" in str(exc) else f" ({exc})"
            raise UsageError(f"{ENV_NOW}={fixed!r} is not a time I can use{why}",
                             'write it like "2026-12-01 21:40" (from 1970 to today), or '
                             'unset it') from None
        return Clock(lambda: moment)
    return Clock(lambda: datetime.now(zone))


def zone_name(moment: datetime) -> str:
    """'Europe/Berlin' when the zone has a name, else the offset ('+01:00')."""
    key = getattr(moment.tzinfo, "key", None)
    if key:
        return str(key)
    return offset_name(moment)


def offset_zone(minutes: int) -> timezone:
    """The fixed zone `minutes` east of UTC."""
    return timezone(timedelta(minutes=minutes))


def offset_name(moment: datetime) -> str:
    """'+01:00' for a moment's UTC offset."""
    minutes = int(moment.utcoffset().total_seconds() // 60) if moment.utcoffset() else 0
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


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
FIRST_YEAR = 1970  # no session is older than this; earlier is a typo ("0202" for 2025)
DATE_HINT = f"dates run from {FIRST_YEAR} to today; write the year with four digits"


def utc(moment: datetime) -> datetime:
    """The same instant in UTC: compare and add there, never on aware local times (a
    timedelta added to a local time forgets which of the two repeated hours it was in)."""
    return moment.astimezone(timezone.utc)


def shift(moment: datetime, delta: timedelta) -> datetime:
    """`moment` moved by `delta` of real time, in moment's own zone (fold kept right)."""
    return (utc(moment) + delta).astimezone(moment.tzinfo)


def check_moment(moment: datetime, now: datetime, what: str) -> None:
    """ValueError unless `moment` lies between FIRST_YEAR and a day after now: the one check
    every time that enters the history goes through (done --at, $VOICE_COACH_NOW, imports)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} has no UTC offset")
    if moment.year < FIRST_YEAR:
        raise ValueError(f"{what} is in the year {moment.year}, before {FIRST_YEAR}")
    try:
        instant = utc(moment)
        last = utc(now) + timedelta(days=1)
    except OverflowError:
        raise ValueError(f"{what} is out of range") from None
    if instant.year < FIRST_YEAR:
        raise ValueError(f"{what} is in the year {moment.year}, before {FIRST_YEAR}")
    if instant > last:
        raise ValueError(f"{what} is after tomorrow ({moment.isoformat(timespec='minutes')})")


def _check_now(moment: datetime) -> None:
    try:
        instant = utc(moment)
    except OverflowError:
        raise ValueError("it is out of range") from None
    if instant.year < FIRST_YEAR or moment.year < FIRST_YEAR:
        raise ValueError(f"its year {moment.year} is before {FIRST_YEAR}")
    if instant > datetime.now(timezone.utc) + timedelta(days=1):  # the real clock's tomorrow
        raise ValueError("it is after tomorrow by the computer's clock")


def parse_at(text: str, now: datetime, rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> datetime:
    """A local time typed by a person, in now's time zone; ValueError saying what is wrong.

    "2026-12-01 21:30", "2026-12-01T21:30", "21:30" (on the current practice day: at 01:00
    with the rollover at 4, "21:30" is yesterday evening), "yesterday 21:30", or ISO 8601
    with an offset. The time may not be in the future nor before FIRST_YEAR. A wall time the
    clock showed twice (the night it goes back) is the later one that is not in the future;
    one it skipped (the night it goes forward) is the instant it names (02:30 → 03:30).
    """
    raw = text.strip()
    lowered = raw.lower()
    base = practice_day(now, rollover_hour)
    if lowered.startswith(("yesterday", "today")):
        word, _, rest = lowered.partition(" ")
        base = base - timedelta(days=1 if word == "yesterday" else 0)
        raw = rest.strip()
        if ":" not in raw:
            raise ValueError("give a time after the day, e.g. 'yesterday 21:30'")
    wall = None
    try:
        if len(raw) <= 5 and ":" in raw:
            clock = datetime.strptime(raw, "%H:%M").time()
            day = base + timedelta(days=1) if clock.hour < rollover_hour else base
            wall = datetime.combine(day, clock)
        else:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("it is not a date and time") from None
    except OverflowError:
        raise ValueError("it is out of range") from None
    if wall is not None:
        return _not_future(_latest_past(wall, now), now)
    if moment.tzinfo is None:
        moment = _latest_past(moment, now)
    else:
        moment = _in_local_zone(moment, now.tzinfo)
    return _not_future(moment, now)


def _not_future(moment: datetime, now: datetime) -> datetime:
    try:
        future = utc(moment) > utc(now) + timedelta(minutes=1)
    except OverflowError:
        future = False  # check_moment says what is wrong
    if future:
        raise ValueError("it is in the future")
    check_moment(moment, now, "it")
    return moment


def _latest_past(wall: datetime, now: datetime) -> datetime:
    """A naive wall time in now's zone; of the two an ambiguous one names, the later one that
    is not after now (else the earlier)."""
    first = localise(wall, now.tzinfo)
    second = localise(wall.replace(fold=1), now.tzinfo)
    repeated = first.utcoffset() != second.utcoffset() and \
        second.replace(tzinfo=None, fold=0) == wall.replace(fold=0) == \
        first.replace(tzinfo=None, fold=0)
    if repeated and utc(second) <= utc(now) + timedelta(minutes=1):
        return second
    return first


def _in_local_zone(moment: datetime, zone: tzinfo | None) -> datetime:
    """A time typed with an offset: in the local zone when that is the local offset then (so it
    keeps the zone's name), else as typed (done in another zone)."""
    try:
        local = moment.astimezone(zone)
    except (OverflowError, ValueError):
        return moment
    return local if local.utcoffset() == moment.utcoffset() else moment


def localise(wall: datetime, zone: tzinfo | None) -> datetime:
    """A wall-clock time in a zone. wall.fold picks which of two repeated times (0: the first);
    a time skipped by a daylight-saving change is the instant it names (02:30 → 03:30)."""
    moment = wall.replace(tzinfo=zone)
    round_trip = utc(moment).astimezone(zone)
    if round_trip.replace(tzinfo=None, fold=0) != wall.replace(fold=0):  # in the gap
        return round_trip
    return round_trip if moment.fold else moment


def parse_since(text: str, today: date) -> date:
    """A first (or last) day: 2026-12-01, today, yesterday, 7d, 4w; ValueError when it is
    none or before FIRST_YEAR."""
    raw = text.strip().lower()
    if raw in ("today", "yesterday"):
        return today - timedelta(days=raw == "yesterday")
    if raw[:-1].isdigit() and raw[-1:] in ("d", "w") and int(raw[:-1]) <= 36_500:
        days = int(raw[:-1]) * (7 if raw.endswith("w") else 1)
        return max(date(FIRST_YEAR, 1, 1), today - timedelta(days=max(0, days - 1)))
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise ValueError("it is not a date") from None
    if day.year < FIRST_YEAR:
        raise ValueError(f"the year {day.year} is before {FIRST_YEAR}")
    return day
