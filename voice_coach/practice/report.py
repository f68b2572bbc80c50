"""What `today` and `stats` say: sets against the goal, the last session, a suggestion, days
active, sets per day, a gentle streak (only when turned on) and the habit strength.

Pure: the day totals, the config and now are passed in; it returns text lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from voice_coach.wording import counted

from .days import habit_strength, mark_days, practice_day, streak, trend_word, week_start
from .records import SessionRecord


@dataclass(frozen=True)
class Totals:
    """Sets and sessions per practice day (only days with a session)."""

    sets: dict[date, int]
    sessions: dict[date, int]

    @classmethod
    def of(cls, rows: list[tuple[date, int, int]]) -> Totals:
        return cls({d: s for d, s, _ in rows}, {d: n for d, _, n in rows})


def _plural(n: int, word: str) -> str:
    return counted(n, "{n} " + word, "{n} " + word + "s")


def _day_words(day: date) -> str:
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B')}"


def today_lines(totals: Totals, last: SessionRecord | None, config, now: datetime,
                flight: bool = False) -> list[str]:
    """The lines of `voice-coach today`."""
    rollover = config["practice.rollover_hour"]
    goal = config["practice.daily_goal"]
    today = practice_day(now, rollover)
    done = totals.sets.get(today, 0)
    lines = [f"Today, {_day_words(today)}: {done} of {_plural(goal, 'set')}"]
    if last is None:
        lines.append("Last session: none recorded yet")
    else:
        when = last.started.strftime("%H:%M")
        last_day = practice_day(last.started, rollover)
        if last_day != today:
            when = ("yesterday " if last_day == today - timedelta(days=1)
                    else last.started.strftime("%Y-%m-%d ")) + when
        lines.append(f"Last session: {last.routine} ({last.title}), {when}, "
                     f"{last.done_sets} of {_plural(last.planned_sets, 'set')}, {last.status}")
    if config["practice.streak"]:
        lines.append(streak_line(totals, today, config))
    lines.append("Next: " + suggestion(done, goal, now, config, flight))
    return lines


def suggestion(done: int, goal: int, now: datetime, config, flight: bool) -> str:
    if flight:
        return ("voice-coach remind flight --every 1h --for 6h  (one short set every hour "
                "you fly; change --for to the flight's length)")
    evening = now.hour >= config["practice.evening_from"] or now.hour < config[
        "practice.rollover_hour"]
    if done >= goal:
        tail = "the goal is met for today. Rest, or one more set whenever you like"
        if evening:
            tail += f": voice-coach play {config['practice.evening_routine']} before sleep"
        return tail + "."
    left = _plural(goal - done, "set")
    if evening:
        return (f"voice-coach play {config['practice.evening_routine']}  (a slow, quiet "
                f"session for the evening; {left} to the goal)")
    return f"voice-coach play {config['practice.routine']}  ({left} to the goal)"


def streak_line(totals: Totals, today: date, config) -> str:
    marks = mark_days(totals.sets, today, config["practice.skip_days"])
    run = streak(marks)
    if run.days == 0:
        return "Streak: starts with your next session"
    text = f"Streak: {_plural(run.days, 'day')}"
    if run.rest_days:
        text += f" (with {_plural(run.rest_days, 'rest day')})"
    if not run.today_done:
        text += "; today still counts"
    return text


def stats_lines(totals: Totals, counts: dict[str, int], first: date | None, today: date,
                weeks: int, config) -> list[str]:
    """The summary above the calendar in `voice-coach stats`."""
    goal = config["practice.daily_goal"]
    start = week_start(today) - timedelta(weeks=weeks - 1)  # as the calendar below
    days = [start + timedelta(days=i) for i in range((today - start).days + 1)]
    if first is not None:
        days = [d for d in days if d >= first] or [today]
    active = [d for d in days if totals.sets.get(d, 0) > 0]
    sets = sum(totals.sets.get(d, 0) for d in days)
    met = sum(1 for d in days if totals.sets.get(d, 0) >= goal)
    lines = [f"Last {_plural(weeks, 'week')}, {start.isoformat()} to {today.isoformat()}"]
    since = f" (since your first session, {first.isoformat()})" if first and first > start \
        else ""
    lines.append(f"  days active     {len(active)} of {len(days)}{since}")
    per_day = f"{sets / len(active):.1f}" if active else "0"
    lines.append(f"  sets a day      {per_day} on active days, {sets / len(days):.1f} over all "
                 f"days; goal {goal}, met on {_plural(met, 'day')}")
    sessions = sum(counts.values())
    lines.append(f"  sessions        {sessions} (" + ", ".join(
        f"{counts.get(s, 0)} {s}" for s in ("completed", "partial", "stopped")) + ")")
    scores = habit_strength(totals.sets, today, goal, config["practice.skip_days"])
    if scores:
        lines.append(f"  habit strength  {scores[-1][1]:.0%}, {trend_word(scores)} "
                     "(rises with each day practised, fades slowly)")
    if config["practice.streak"]:
        lines.append("  " + streak_line(totals, today, config).replace(": ", "          ", 1)
                     .lower())
    if first is not None:
        all_sets = sum(totals.sets.values())
        all_sessions = sum(totals.sessions.values())
        lines.append(f"  all time        {_plural(all_sessions, 'session')}, "
                     f"{_plural(all_sets, 'set')} since {first.isoformat()}")
    return lines
