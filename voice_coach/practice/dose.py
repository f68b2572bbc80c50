"""Today's dose: how many repetitions a set a routine's growing exercises get on a practice day.

Pure: the routine's progress, the history records and the practice day in; the dose and the
reason out. No clock, no store, no files: the same history gives the same dose in any process.
The rules a careful physiotherapist accepts (docs/coach.md): a small step up after several days
at the daily goal with pain 2 or less, one step back on pain, stop and ask a professional on
severe pain or legs heavier twice in a row; never beyond the range, never more than a step a day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from voice_coach.lang.counted import counted
from voice_coach.routine import Exercise, Progress, Routine

from .days import DEFAULT_ROLLOVER_HOUR, practice_day
from .records import SessionRecord

GOOD_PAIN = 2  # at most this much pain on a day that counts towards a step up
NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve")


@dataclass(frozen=True)
class CoachSettings:
    """daily_goal: sets a day that make a day at the goal; back_pain: pain (0-10) in a day's
    last check-in that steps back one step; stop_pain: pain that stops progression."""

    daily_goal: int = 3
    back_pain: int = 4
    stop_pain: int = 7
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR


@dataclass(frozen=True)
class Dose:
    """The dose of one practice day, for the routine's first growing exercise.

    change: "first" (no step yet), "same", "up", "back", "top" (held at the range's top),
    "stop" (severe pain or legs heavier twice: stop and ask a professional) or "pinned"
    (--dose). before_reps: the day before's dose; week_ago_reps: the dose seven days before.
    reason: why, in plain English words ("three days at your goal with no pain").
    steps: each growing exercise's repetitions, by its index in routine.steps.
    """

    day: date
    reps: int
    before_reps: int
    week_ago_reps: int
    first_reps: int
    change: str
    reason: str
    unit: str
    steps: tuple[tuple[int, int], ...] = ()

    @property
    def stop(self) -> bool:
        return self.change == "stop"

    def line(self) -> str:
        """'today 14 pumps a set, up from 12: three days at your goal with no pain'"""
        head = f"{self.reps} {self.unit} a set"
        if self.change == "up":
            return f"{head}, up from {self.before_reps}: {self.reason}"
        if self.change == "back":
            down = f", down from {self.before_reps}" if self.reps < self.before_reps else ""
            return f"{head}{down}: {self.reason}"
        return f"{head}: {self.reason}"


@dataclass
class _State:
    reps: int
    run: int = 0  # consecutive days at the goal with little pain since the last step
    run_pain: int = 0  # the most pain on those days
    heavier: int = 0  # check-ins in a row with legs heavier
    stopped: str = ""  # why progression stopped ("" while it goes on)


@dataclass(frozen=True)
class _Day:
    sets: int
    pains: tuple[int, ...]  # the check-ins' pain, in order (sessions without one left out)
    check_ins: tuple[tuple[int | None, str | None], ...]  # (pain, legs) of each session, in order


def growing(routine: Routine) -> list[tuple[int, Exercise, Progress]]:
    """(index in routine.steps, exercise, its progress) for each exercise that grows."""
    return [(i, s, s.progress) for i, s in enumerate(routine.steps)
            if isinstance(s, Exercise) and s.progress is not None]


def unit_of(exercise: Exercise) -> str:
    """What a repetition is called: pumps for a pump exercise, else repetitions."""
    return "pumps" if exercise.style == "pump" or "pump" in exercise.name.lower() \
        else "repetitions"


def dose_series(routine: Routine, records: Iterable[SessionRecord], first_day: date,
                last_day: date, settings: CoachSettings = CoachSettings()) -> list[Dose]:
    """The dose of every day from first_day to last_day (both included), or [] when the routine
    has no `progress`. records: the routine's sessions (any order; those from last_day on are
    not used: a day's dose is settled by the days before it)."""
    grow = growing(routine)
    if not grow or last_day < first_day:
        return []
    days = _days(records, settings.rollover_hour, last_day)
    start = min([first_day, *days]) if days else first_day
    lead_index, lead, _ = grow[0]
    per_exercise = [_walk(ex.reps, pr, days, start, last_day, settings) for _, ex, pr in grow]
    out = []
    n_days = (last_day - start).days + 1
    for offset in range(n_days):
        day = start + timedelta(days=offset)
        if day < first_day:
            continue
        reps, change, reason = per_exercise[0][offset]
        before = per_exercise[0][offset - 1][0] if offset else lead.reps
        week_ago = per_exercise[0][offset - 7][0] if offset >= 7 else lead.reps
        steps = tuple((i, walk[offset][0]) for (i, _, _), walk in zip(grow, per_exercise))
        out.append(Dose(day=day, reps=reps, before_reps=before, week_ago_reps=week_ago,
                        first_reps=lead.reps, change=change, reason=reason,
                        unit=unit_of(lead), steps=steps))
    return out


def dose_for(routine: Routine, records: Iterable[SessionRecord], day: date,
             settings: CoachSettings = CoachSettings()) -> Dose | None:
    """The dose of one practice day (None: the routine does not grow)."""
    series = dose_series(routine, records, day, day, settings)
    return series[-1] if series else None


def pinned_dose(routine: Routine, day: date, reps: int | None) -> Dose | None:
    """A dose fixed by hand (--dose first or --dose N); ValueError when N is outside the first
    growing exercise's range. Other growing exercises move by as many steps, in their range."""
    grow = growing(routine)
    if not grow:
        return None
    _, lead, progress = grow[0]
    target = lead.reps if reps is None else reps
    if not progress.low_reps <= target <= progress.high_reps:
        raise ValueError(f"{target} is outside the range of {lead.name}, "
                         f"{progress.low_reps} to {progress.high_reps}")
    n_steps = round((target - lead.reps) / progress.step_reps)
    steps = tuple((i, target if i == grow[0][0] else _clamp(ex.reps + n_steps * pr.step_reps,
                                                              pr)) for i, ex, pr in grow)
    reason = "the first dose, pinned" if reps is None else "pinned with --dose"
    return Dose(day=day, reps=target, before_reps=target, week_ago_reps=target,
                first_reps=lead.reps, change="pinned", reason=reason, unit=unit_of(lead),
                steps=steps)


def apply_dose(routine: Routine, dose: Dose | None) -> Routine:
    """The routine with each growing exercise at the dose's repetitions (unchanged for None)."""
    if dose is None or not dose.steps:
        return routine
    steps = list(routine.steps)
    for index, reps in dose.steps:
        step = steps[index]
        if isinstance(step, Exercise):
            steps[index] = replace(step, reps=reps)
    return replace(routine, steps=tuple(steps))


def _clamp(reps: int, progress: Progress) -> int:
    return max(progress.low_reps, min(progress.high_reps, reps))


def _days(records: Iterable[SessionRecord], rollover_hour: int, before: date
          ) -> dict[date, _Day]:
    by_day: dict[date, list[SessionRecord]] = {}
    for record in sorted(records, key=lambda r: (r.started, r.uid)):
        day = practice_day(record.started, rollover_hour)
        if day < before:
            by_day.setdefault(day, []).append(record)
    return {day: _Day(sets=sum(r.done_sets for r in rs),
                      pains=tuple(r.pain for r in rs if r.pain is not None),
                      check_ins=tuple((r.pain, r.legs) for r in rs
                                      if r.pain is not None or r.legs))
            for day, rs in by_day.items()}


def _walk(first_reps: int, progress: Progress, days: dict[date, _Day], start: date,
          last_day: date, settings: CoachSettings) -> list[tuple[int, str, str]]:
    """(reps, change, reason) for each day from start to last_day: each day's dose from the
    days before it."""
    state = _State(first_reps)
    out: list[tuple[int, str, str]] = [(first_reps, "first", "the first dose")]
    day = start
    while day < last_day:
        out.append(_next(state, days.get(day), progress, settings))
        day += timedelta(days=1)
    return out


def _next(state: _State, day: _Day | None, progress: Progress, settings: CoachSettings
          ) -> tuple[int, str, str]:
    """Moves the state over one finished day; the next day's (reps, change, reason)."""
    day = day or _Day(0, (), ())
    was_stopped = bool(state.stopped)
    for pain, legs in day.check_ins:
        if legs == "heavier":
            state.heavier += 1
        elif legs:
            state.heavier = 0
        if pain is not None and pain >= settings.stop_pain:
            state.stopped = f"pain {pain} after a session"
        elif state.heavier >= 2:
            state.stopped = "legs heavier after two sessions in a row"
        elif state.stopped and pain is not None and pain <= GOOD_PAIN and legs != "heavier" \
                and was_stopped:
            state.stopped = ""  # practised again, without pain: progression starts over
            state.run = 0
    if state.stopped:
        if not was_stopped:
            state.reps = _clamp(state.reps - progress.step_reps, progress)
            state.run = 0
        return state.reps, "stop", f"{state.stopped}: stop and ask a health professional"
    last_pain = day.pains[-1] if day.pains else None
    if last_pain is not None and last_pain >= settings.back_pain:
        state.run = 0
        before, state.reps = state.reps, _clamp(state.reps - progress.step_reps, progress)
        held = "" if state.reps < before else f", held at the bottom of the range ({before})"
        return state.reps, "back", f"pain {last_pain} after the last session{held}"
    good = day.sets >= settings.daily_goal and max(day.pains, default=0) <= GOOD_PAIN
    state.run_pain = max([state.run_pain if state.run else 0, *day.pains])
    state.run = state.run + 1 if good else 0
    if state.run >= progress.after_days:
        if state.reps >= progress.high_reps:
            return state.reps, "top", f"the top of the range ({progress.high_reps}): held"
        state.reps = _clamp(state.reps + progress.step_reps, progress)
        state.run = 0
        painless = state.run_pain == 0
        return state.reps, "up", (_count(progress.after_days) + " at your goal with "
                                  + ("no pain" if painless else f"pain {GOOD_PAIN} or less"))
    if state.reps >= progress.high_reps:
        return state.reps, "top", f"the top of the range ({progress.high_reps}): held"
    return state.reps, "same", (_count(state.run) + f" of {progress.after_days} at your "
                                "goal with pain 2 or less so far")


def _count(n: int) -> str:
    """'one day', 'three days': the number in words up to NUMBER_WORDS, then in figures."""
    word = NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)
    return counted(n, "{word} day", "{word} days", word=word)
