"""The change over time the guide asks a person to notice: the legs after each session, pain,
and a growing routine's dose, week by week, and a plain-text summary for the terminal.

Pure: records (and the dose series from dose.py) in, data and text out. Pictures of the same
series (a chart in `stats -o` or the report) draw weekly_changes(); nothing here draws.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .days import practice_day, week_start
from .dose import Dose
from .records import SessionRecord

RECENT_SESSIONS = 12  # the summary speaks of this many latest check-ins


@dataclass(frozen=True)
class WeekChange:
    """One week (Monday first) of check-ins and dose.

    sessions: sessions done; lighter/same/heavier: check-ins that said so; pain_mean_0_10 and
    pain_max_0_10: over the check-ins that gave pain (None: none did); dose_first_reps and
    dose_last_reps: a growing routine's dose on the week's first and last day (None: none).
    """

    week: date
    sessions: int
    lighter: int
    same: int
    heavier: int
    pain_mean_0_10: float | None
    pain_max_0_10: int | None
    dose_first_reps: int | None = None
    dose_last_reps: int | None = None


def weekly_changes(records: Iterable[SessionRecord], today: date, weeks: int,
                   rollover_hour: int, doses: Sequence[Dose] = ()) -> list[WeekChange]:
    """The last `weeks` weeks up to today's, oldest first (weeks with nothing included)."""
    first = week_start(today) - timedelta(weeks=weeks - 1)
    by_week: dict[date, list[SessionRecord]] = {}
    for record in records:
        day = practice_day(record.started, rollover_hour)
        if first <= day <= today:
            by_week.setdefault(week_start(day), []).append(record)
    dose_by_day = {d.day: d.reps for d in doses}
    out = []
    for n in range(weeks):
        week = first + timedelta(weeks=n)
        rs = by_week.get(week, [])
        pains = [r.pain for r in rs if r.pain is not None]
        days = [week + timedelta(days=i) for i in range(7) if week + timedelta(days=i) <= today]
        dosed = [dose_by_day[d] for d in days if d in dose_by_day]
        out.append(WeekChange(
            week=week, sessions=len(rs), lighter=sum(r.legs == "lighter" for r in rs),
            same=sum(r.legs == "same" for r in rs), heavier=sum(r.legs == "heavier" for r in rs),
            pain_mean_0_10=round(sum(pains) / len(pains), 1) if pains else None,
            pain_max_0_10=max(pains) if pains else None,
            dose_first_reps=dosed[0] if dosed else None,
            dose_last_reps=dosed[-1] if dosed else None))
    return out


def legs_summary(records: Sequence[SessionRecord], last: int = RECENT_SESSIONS) -> str | None:
    """'legs lighter after 9 of the last 12 sessions' (of those with the legs checked in), or
    None when no session has."""
    checked = [r for r in sorted(records, key=lambda r: r.started) if r.legs][-last:]
    if not checked:
        return None
    n = len(checked)
    if n == 1:
        felt = "the same" if checked[0].legs == "same" else checked[0].legs
        return f"legs {felt} after the last session"
    lighter = sum(r.legs == "lighter" for r in checked)
    heavier = sum(r.legs == "heavier" for r in checked)
    text = f"legs lighter after {lighter} of the last {n} sessions"
    if heavier:
        text += f", heavier after {heavier}"
    return text


def pain_summary(records: Sequence[SessionRecord], last: int = RECENT_SESSIONS) -> str | None:
    """'pain 2 or less after 11 of the last 12 sessions (the most: 3)', or None."""
    rated = [r for r in sorted(records, key=lambda r: r.started) if r.pain is not None][-last:]
    if not rated:
        return None
    if len(rated) == 1:
        return f"pain {rated[0].pain} after the last session"
    low = sum(r.pain <= 2 for r in rated)
    return (f"pain 2 or less after {low} of the last {len(rated)} sessions (the most: "
            f"{max(r.pain for r in rated)})")


def change_lines(weeks: Sequence[WeekChange], unit: str = "repetitions") -> list[str]:
    """A small table: week, sessions, dose, legs (lighter/same/heavier) and pain, for weeks with
    a session or a dose."""
    shown = [w for w in weeks if w.sessions or w.dose_last_reps is not None]
    if not shown:
        return []
    lines = [f"{'week of':<10}  {'sessions':>8}  {'dose':>7}  {'legs +/=/-':>10}  pain (most)"]
    for w in shown:
        if w.dose_first_reps is None:
            dose = "-"
        elif w.dose_first_reps == w.dose_last_reps:
            dose = str(w.dose_last_reps)
        else:
            dose = f"{w.dose_first_reps}-{w.dose_last_reps}"
        legs = f"{w.lighter}/{w.same}/{w.heavier}" if w.lighter + w.same + w.heavier else "-"
        pain = "-" if w.pain_mean_0_10 is None else f"{w.pain_mean_0_10:g} ({w.pain_max_0_10})"
        lines.append(f"{w.week.isoformat():<10}  {w.sessions:>8}  {dose:>7}  {legs:>10}  {pain}")
    if any(w.dose_first_reps is not None for w in shown):
        lines.append(f"(dose: {unit} a set, at the week's start and end; legs: lighter, the "
                     "same, heavier)")
    else:
        lines.append("(legs: lighter, the same, heavier)")
    return lines
