"""What `today` and `stats` say: sets against the goal, the last session, a suggestion, days
active, sets per day, a gentle streak (only when turned on) and the habit strength.

Pure: the day totals, the config and now are passed in; it returns text lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from voice_coach.lang.counted import counted

from .days import habit_strength, mark_days, practice_day, streak, trend_word, week_start
from .records import SessionRecord, clock_text


@dataclass(frozen=True)
class Totals:
    """Sets and sessions per practice day (only days with a session)."""

    sets: dict[date, int]
    sessions: dict[date, int]

    @classmethod
    def of(cls, rows: list[tuple[date, int, int]]) -> Totals:
        return cls({d: s for d, s, _ in rows}, {d: n for d, _, n in rows})


def _day_words(day: date) -> str:
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B')}"


SITTING_GAP = timedelta(minutes=30)  # a session this long after the last one ended: a new sitting
CHECK_WITH_THERAPIST_FACTOR = 3  # more sets than this times the goal: worth a word with them


def count_sittings(spans: Iterable[tuple[datetime, datetime]]) -> int:
    """Sittings in a day's sessions (start, end): a session that starts SITTING_GAP or more
    after the previous one ended begins a new sitting; closer ones are one sitting (the guide's
    "3 to 5 sets a day" in spare moments: sets back to back are one moment)."""
    sittings, last_end = 0, None
    for start, end in sorted(spans, key=lambda span: span[0].timestamp()):
        if last_end is None or start.timestamp() - last_end.timestamp() >= \
                SITTING_GAP.total_seconds():
            sittings += 1
        if last_end is None or end.timestamp() > last_end.timestamp():
            last_end = end
    return sittings


def goal_words(done: int, goal: int, sittings: int | None, sitting_goal: int) -> str | None:
    """A gentle word on today's count, or None: praise over the goal, a nudge to spread the
    sets when the goal is met in fewer sittings than hoped, and past CHECK_WITH_THERAPIST_FACTOR
    times the goal a suggestion to check the amount with the therapist. Never a reproach."""
    if done > CHECK_WITH_THERAPIST_FACTOR * goal:
        return (f"{done} sets is well over your goal of {goal}. Good work; more is not always "
                "better, so check with your therapist that this much suits you")
    if done >= goal and sittings is not None and sittings < sitting_goal:
        spread = "all in one sitting" if sittings <= 1 else "in " + counted(
            sittings, "{n} sitting", "{n} sittings")
        return (f"{done} of " + counted(goal, "{n} set", "{n} sets") + f", {spread}: a few pumps "
                "at your next break spreads them through the day")
    if done > goal:
        return f"{done} sets, more than your goal of {goal}. Well done"
    if done == goal:
        return "the goal for today is met. Well done"
    return None


def today_lines(totals: Totals, last: SessionRecord | None, config, now: datetime,
                flight: bool = False, sittings: int | None = None,
                routine_sets: dict[str, int] | None = None) -> list[str]:
    """The lines of `voice-coach today`.

    sittings: today's sittings (count_sittings), shown when given; routine_sets: the set count
    of the suggested routines, by name, so a suggestion says what playing one leaves to do.
    """
    rollover = config["practice.rollover_hour"]
    goal = config["practice.daily_goal"]
    today = practice_day(now, rollover)
    done = totals.sets.get(today, 0)
    head = f"Today, {_day_words(today)}: {done} of " + counted(goal, "{n} set", "{n} sets")
    if sittings is not None and done:
        head += ", in " + counted(sittings, "{n} sitting", "{n} sittings")
    lines = [head]
    if last is None:
        lines.append("Last session: none recorded yet")
    else:
        when = clock_text(last.started, last.time_zone, now.tzinfo)
        last_day = practice_day(last.started, rollover)
        if last_day != today:
            when = ("yesterday " if last_day == today - timedelta(days=1)
                    else last_day.isoformat() + " ") + when
        lines.append(f"Last session: {last.routine} ({last.title}), {when}, "
                     f"{last.done_sets} of " + counted(last.planned_sets, "{n} set", "{n} sets")
                     + f", {last.status}")
    if config["practice.streak"]:
        lines.append(streak_line(totals, today, config))
    words = goal_words(done, goal, sittings, config["practice.daily_sittings"])
    if words and done > goal:
        lines.append(words[0].upper() + words[1:] + ".")
    lines.append("Next: " + suggestion(done, goal, now, config, flight, sittings,
                                       routine_sets or {}))
    return lines


def suggestion(done: int, goal: int, now: datetime, config, flight: bool,
               sittings: int | None = None, routine_sets: dict[str, int] | None = None) -> str:
    if flight:
        return ("voice-coach remind flight --every 1h --for 6h  (one short set every hour "
                "you fly; change --for to the flight's length)")
    evening = now.hour >= config["practice.evening_from"] or now.hour < config[
        "practice.rollover_hour"]
    evening_routine = config["practice.evening_routine"]
    if done >= goal:
        if sittings is not None and sittings < config["practice.daily_sittings"] \
                and done <= CHECK_WITH_THERAPIST_FACTOR * goal:
            return (goal_words(done, goal, sittings, config["practice.daily_sittings"]) or "") \
                + f" (voice-coach play {config['practice.routine']})."
        tail = "the goal is met for today. Rest, or one more set whenever you like"
        if evening:
            tail += f": voice-coach play {evening_routine} before sleep"
        return tail + "."
    left = goal - done
    routine = evening_routine if evening else config["practice.routine"]
    what = "a slow, quiet session for the evening; " if evening else ""
    sets = (routine_sets or {}).get(routine)
    if sets is None:
        return (f"voice-coach play {routine}  ({what}"
                + counted(left, "{n} set to the goal", "{n} sets to the goal") + ")")
    if sets >= left:
        after = counted(sets, "its {n} set meets the goal", "its {n} sets meet the goal")
    else:
        after = (counted(sets, "its {n} set leaves", "its {n} sets leave") + " "
                 + counted(left - sets, "{n} set to the goal", "{n} sets to the goal"))
    return f"voice-coach play {routine}  ({what}{after})"


def streak_line(totals: Totals, today: date, config) -> str:
    marks = mark_days(totals.sets, today, config["practice.skip_days"])
    run = streak(marks)
    if run.days == 0:
        return "Streak: starts with your next session"
    text = "Streak: " + counted(run.days, "{n} day", "{n} days")
    if run.rest_days:
        text += " (with " + counted(run.rest_days, "{n} rest day", "{n} rest days") + ")"
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
    lines = ["Last " + counted(weeks, "{n} week", "{n} weeks")
             + f", {start.isoformat()} to {today.isoformat()}"]
    since = f" (since your first session, {first.isoformat()})" if first and first > start \
        else ""
    lines.append(f"  days active     {len(active)} of {len(days)}{since}")
    per_day = f"{sets / len(active):.1f}" if active else "0"
    lines.append(f"  sets a day      {per_day} on active days, {sets / len(days):.1f} over all "
                 f"days; goal {goal}, met on " + counted(met, "{n} day", "{n} days"))
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
        lines.append("  all time        " + counted(all_sessions, "{n} session", "{n} sessions")
                     + ", " + counted(all_sets, "{n} set", "{n} sets")
                     + f" since {first.isoformat()}")
    return lines
