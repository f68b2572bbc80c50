"""What a therapist reads in a practice record: per day the sets and sessions against the daily
goal and the sittings they came in, per week the adherence, pain and effort over time, the notes
and the routines followed. Pure: records, the goal and the range in; numbers out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .days import practice_day, week_start
from .records import SessionRecord

# Sessions that start within this long of the previous one's end are one sitting: a pause to
# drink water is not a second sitting, an hour later is.
SITTING_GAP_MIN = 30


@dataclass(frozen=True)
class Day:
    day: date
    sets: int
    sessions: int
    sittings: tuple[int, ...]  # sets done in each sitting, in order


@dataclass(frozen=True)
class Week:
    first: date  # Monday, or the range's first day
    last: date  # Sunday, or the range's last day
    days: int  # days of the week inside the range
    days_practised: int
    days_goal_met: int
    sessions: int
    sets: int
    sittings: int
    adherence: float  # 0..1: sets done, at most the goal a day, over the goal times the days


@dataclass(frozen=True)
class Rating:
    """One session's pain and effort (each 0-10, or None when not given)."""

    started: datetime
    day: date
    pain: int | None
    effort: int | None


@dataclass(frozen=True)
class Note:
    started: datetime
    routine: str
    text: str
    pain: int | None


@dataclass(frozen=True)
class RoutineUse:
    routine: str
    title: str
    sessions: int
    sets: int
    last: date


@dataclass(frozen=True)
class Adherence:
    first: date
    last: date
    goal: int
    days: tuple[Day, ...]  # every day of the range, oldest first
    weeks: tuple[Week, ...]
    ratings: tuple[Rating, ...]
    notes: tuple[Note, ...]
    routines: tuple[RoutineUse, ...]

    @property
    def sets(self) -> int:
        return sum(d.sets for d in self.days)

    @property
    def sessions(self) -> int:
        return sum(d.sessions for d in self.days)

    @property
    def days_practised(self) -> int:
        return sum(1 for d in self.days if d.sessions)

    @property
    def days_goal_met(self) -> int:
        return sum(1 for d in self.days if d.sets >= self.goal)

    @property
    def adherence(self) -> float:
        return _adherence(self.days, self.goal)

    @property
    def sittings_a_day(self) -> float:
        practised = [d for d in self.days if d.sessions]
        return sum(len(d.sittings) for d in practised) / len(practised) if practised else 0.0


def in_range(records: Sequence[SessionRecord], first: date, last: date,
             rollover_hour: int) -> list[SessionRecord]:
    """The records whose practice day is from first to last (both included), oldest first."""
    out = [r for r in records if first <= practice_day(r.started, rollover_hour) <= last]
    return sorted(out, key=lambda r: r.started)


def sittings(records: Sequence[SessionRecord], gap_min: int = SITTING_GAP_MIN) -> list[int]:
    """Sets done in each sitting of one day's records (oldest first): a session starting more
    than gap_min after the previous one ended begins a new sitting."""
    out: list[int] = []
    end: datetime | None = None
    for r in sorted(records, key=lambda r: r.started):
        if end is None or (r.started - end).total_seconds() > gap_min * 60:
            out.append(0)
        out[-1] += r.done_sets
        end = r.ended if end is None else max(end, r.ended)
    return out


def adherence(records: Sequence[SessionRecord], first: date, last: date, goal: int,
              rollover_hour: int) -> Adherence:
    """The report's numbers for the practice days first..last (records may hold others)."""
    chosen = in_range(records, first, last, rollover_hour)
    by_day: dict[date, list[SessionRecord]] = {}
    for r in chosen:
        by_day.setdefault(practice_day(r.started, rollover_hour), []).append(r)
    days = []
    day = first
    while day <= last:
        rs = by_day.get(day, [])
        days.append(Day(day, sum(r.done_sets for r in rs), len(rs), tuple(sittings(rs))))
        day += timedelta(days=1)
    ratings = tuple(Rating(r.started, practice_day(r.started, rollover_hour), r.pain, r.effort)
                    for r in chosen if r.pain is not None or r.effort is not None)
    notes = tuple(Note(r.started, r.routine, r.note.strip(), r.pain) for r in chosen
                  if r.note.strip())
    return Adherence(first, last, goal, tuple(days), tuple(_weeks(days, goal)), ratings, notes,
                     tuple(_routines(chosen, rollover_hour)))


def _adherence(days: Sequence[Day], goal: int) -> float:
    if not days:
        return 0.0
    return sum(min(d.sets, goal) for d in days) / (goal * len(days))


def _weeks(days: Sequence[Day], goal: int) -> list[Week]:
    groups: dict[date, list[Day]] = {}
    for d in days:
        groups.setdefault(week_start(d.day), []).append(d)
    return [Week(ds[0].day, ds[-1].day, len(ds), sum(1 for d in ds if d.sessions),
                 sum(1 for d in ds if d.sets >= goal), sum(d.sessions for d in ds),
                 sum(d.sets for d in ds), sum(len(d.sittings) for d in ds),
                 _adherence(ds, goal)) for ds in groups.values()]


def _routines(records: Sequence[SessionRecord], rollover_hour: int) -> list[RoutineUse]:
    uses: dict[str, RoutineUse] = {}
    for r in records:
        day = practice_day(r.started, rollover_hour)
        old = uses.get(r.routine)
        uses[r.routine] = RoutineUse(r.routine, r.title, (old.sessions if old else 0) + 1,
                                     (old.sets if old else 0) + r.done_sets, day)
    return sorted(uses.values(), key=lambda u: (-u.sessions, u.routine))


def trend(values: Sequence[int], window: int = 3) -> str:
    """'rising', 'falling' or 'steady': the mean of the last `window` values against the
    window before (at least 2 values; a change under 1 point on the 0-10 scale is steady)."""
    if len(values) < 2:
        return "steady"
    n = min(window, len(values) // 2)
    recent, before = values[-n:], values[-2 * n:-n]
    change = sum(recent) / len(recent) - sum(before) / len(before)
    return "rising" if change >= 1 else "falling" if change <= -1 else "steady"
