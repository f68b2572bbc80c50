"""The words of the calendar picture and the therapist's report in the person's language: gettext
phrases (voice_coach/lang/locale, context "report") and Babel's dates, weekdays and percentages.

Pure apart from reading the catalogue once per language.
"""

from __future__ import annotations

from datetime import date

from voice_coach.lang import words_for


class ReportWords:
    """The report's and calendar's phrases in one shipped language (UsageError if unknown)."""

    def __init__(self, code: str = "en") -> None:
        self.words = words_for(code)
        self.code = self.words.code
        self.t = self.words.t
        self.locale = self.code.replace("-", "_")

    # -- Babel: dates and numbers -------------------------------------------------------------

    def day(self, day: date) -> str:
        """1 Dec 2026, 01.12.2026, 2026年12月1日."""
        from babel.dates import format_date

        return format_date(day, "medium", locale=self.locale)

    def short_day(self, day: date) -> str:
        """Dec 1, 1. Dez., 12月1日."""
        from babel.dates import format_skeleton

        return format_skeleton("MMMd", day, locale=self.locale)

    def month(self, day: date) -> str:
        """The month's short stand-alone name: Dec, Dez, 12月."""
        from babel.dates import format_date

        return format_date(day, "LLL", locale=self.locale)

    def weekday(self, weekday: int) -> str:
        """0 Monday .. 6 Sunday, abbreviated: Mon, Mo., 周一."""
        from babel.dates import get_day_names

        return str(get_day_names("abbreviated", locale=self.locale)[weekday])

    def percent(self, fraction: float) -> str:
        from babel.numbers import format_percent

        return format_percent(fraction, locale=self.locale)

    def decimal(self, value: float) -> str:
        from babel.numbers import format_decimal

        return format_decimal(round(value, 1), format="#,##0.0", locale=self.locale)

    # -- the calendar ---------------------------------------------------------------------------

    def calendar_title(self, first: date, last: date) -> str:
        return self.t.pgettext("report", "Sets a day, {first} to {last}").format(
            first=self.day(first), last=self.day(last))

    def legend_none(self) -> str:
        return self.t.pgettext("report", "none")

    def legend_goal(self, goal: int) -> str:
        return self.t.npgettext("report", "goal met ({n} set)", "goal met ({n} sets)",
                                goal).format(n=goal)

    def legend_number(self) -> str:
        return self.t.pgettext("report", "the number in a day is the sets done")

    def day_tip(self, day: date, sets: int) -> str:
        return self.t.npgettext("report", "{day}: {n} set", "{day}: {n} sets", sets).format(
            day=self.day(day), n=sets)

    # -- the report -----------------------------------------------------------------------------

    def phrase(self, key: str, **values: object) -> str:
        """One of the report's fixed phrases (PHRASES), with its values filled in."""
        return PHRASES[key](self.t).format(**values)

    def goal(self, n: int) -> str:
        return self.t.npgettext("report", "Goal: {n} set a day", "Goal: {n} sets a day",
                                n).format(n=n)

    def of(self, done: int, total: int) -> str:
        return self.t.pgettext("report", "{done} of {total}").format(done=done, total=total)

    def more_notes(self, n: int) -> str:
        return self.t.npgettext("report", "and {n} more note", "and {n} more notes", n).format(
            n=n)

    def trend(self, word: str) -> str:
        return {"rising": self.t.pgettext("report", "rising"),
                "falling": self.t.pgettext("report", "falling"),
                "steady": self.t.pgettext("report", "steady")}[word]


# Each phrase is written out as a call so the catalogue tooling finds it.
PHRASES = {
    "title": lambda t: t.pgettext("report", "Practice report"),
    "range": lambda t: t.pgettext("report", "{first} to {last}"),
    "days_practised": lambda t: t.pgettext("report", "Days practised"),
    "days_goal_met": lambda t: t.pgettext("report", "Days the goal was met"),
    "sessions": lambda t: t.pgettext("report", "Sessions"),
    "sets": lambda t: t.pgettext("report", "Sets"),
    "adherence": lambda t: t.pgettext("report", "Adherence"),
    "sittings_a_day": lambda t: t.pgettext("report", "Sittings a day"),
    "sets_a_day": lambda t: t.pgettext("report", "Sets a day against the goal"),
    "each_block": lambda t: t.pgettext(
        "report", "Each block is one sitting; the line is the daily goal."),
    "week_by_week": lambda t: t.pgettext("report", "Week by week"),
    "week": lambda t: t.pgettext("report", "Week"),
    "goal_met": lambda t: t.pgettext("report", "Goal met"),
    "sittings": lambda t: t.pgettext("report", "Sittings"),
    "pain_effort": lambda t: t.pgettext("report", "Pain and effort"),
    "pain": lambda t: t.pgettext("report", "pain"),
    "effort": lambda t: t.pgettext("report", "effort"),
    "pain_head": lambda t: t.pgettext("report", "Pain"),
    "scale": lambda t: t.pgettext("report", "0 is none, 10 the most imaginable."),
    "latest": lambda t: t.pgettext("report", "Latest {what}: {value} on {day}, {trend}."),
    "no_ratings": lambda t: t.pgettext(
        "report", "No pain or effort was recorded in this time."),
    "notes": lambda t: t.pgettext("report", "Notes"),
    "no_notes": lambda t: t.pgettext("report", "No notes in this time."),
    "date": lambda t: t.pgettext("report", "Date"),
    "routine": lambda t: t.pgettext("report", "Routine"),
    "note": lambda t: t.pgettext("report", "Note"),
    "routines": lambda t: t.pgettext("report", "Routines followed"),
    "last_done": lambda t: t.pgettext("report", "Last done"),
    "no_sessions": lambda t: t.pgettext("report", "No sessions were recorded in this time."),
    "footer": lambda t: t.pgettext(
        "report", "Made with voice-coach on {day}. Adherence counts the sets done each day, at "
        "most the goal, against the goal on every day. Sessions less than {gap} minutes apart "
        "are one sitting. A day ends at {hour}:00."),
}
