"""The calendar of the last weeks: a grid of days (Monday to Sunday down, weeks across) drawn in
the terminal with the number of sets in each day (readable without colour; colour only adds
shade). Pure: sets per day and today in, text out. picture.py draws it as a picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .days import week_start

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Shades from no session to the goal met (GitHub-like greens, also distinct in greyscale).
FILLS = ("#ebedf0", "#c6e48b", "#7bc96f", "#239a3b", "#196127")
ANSI = (None, 150, 113, 34, 22)  # 256-colour backgrounds for the same levels


@dataclass(frozen=True)
class Calendar:
    """weeks × 7 days ending with today's week; `sets` per day (missing: none)."""

    first: date  # the Monday of the first column
    weeks: int
    today: date
    sets: dict[date, int]
    goal: int

    @classmethod
    def ending(cls, today: date, weeks: int, sets: dict[date, int], goal: int) -> Calendar:
        first = week_start(today) - timedelta(weeks=weeks - 1)
        return cls(first, weeks, today, sets, goal)

    def day(self, week: int, weekday: int) -> date:
        return self.first + timedelta(days=week * 7 + weekday)

    def level(self, day: date) -> int:
        """0 none, 1-3 part of the goal, 4 the goal met."""
        n = self.sets.get(day, 0)
        if n <= 0:
            return 0
        if n >= self.goal:
            return 4
        return 1 + min(2, (n - 1) * 3 // self.goal)

    def month_starts(self) -> list[tuple[int, date]]:
        """(week column, a day of its month) for each column that starts a month's label.

        A column is labelled with the month that holds most of its days (its Thursday's, as
        ISO 8601 numbers weeks), so a label never stands over another month's week: the week of
        Mon 23 February to Sun 1 March is February's.
        """
        out: list[tuple[int, date]] = []
        for week in range(self.weeks):
            thursday = self.day(week, 3)
            if not out or (thursday.year, thursday.month) != (out[-1][1].year,
                                                              out[-1][1].month):
                out.append((week, thursday))
        if len(out) > 1 and out[1][0] - out[0][0] < 2:  # a partial first month's label crowds
            out.pop(0)
        return out


def symbol(n: int, unicode: bool = True) -> str:
    if n <= 0:
        return "·" if unicode else "."
    return str(n) if n < 10 else "+"


def terminal(cal: Calendar, *, unicode: bool = True, color: bool = False) -> list[str]:
    """The grid as text: each day a digit (sets done), '·' for none, '+' for 10 or more."""
    header = [" "] * (cal.weeks * 2 + 3)
    for week, day in cal.month_starts():
        for i, ch in enumerate(day.strftime("%b")):
            header[week * 2 + i] = ch
    lines = ["     " + "".join(header).rstrip()]
    for weekday in range(7):
        cells = []
        for week in range(cal.weeks):
            day = cal.day(week, weekday)
            if day > cal.today:
                cells.append("  ")
                continue
            text = symbol(cal.sets.get(day, 0), unicode)
            level = cal.level(day)
            if color and ANSI[level] is not None:
                fg = 15 if level >= 3 else 16
                text = f"\x1b[48;5;{ANSI[level]}m\x1b[38;5;{fg}m{text}\x1b[0m"
            cells.append(text + " ")
        lines.append(f"{WEEKDAYS[weekday]}  " + "".join(cells).rstrip())
    dot = symbol(0, unicode)
    lines.append(f"Each day: {dot} no session, a digit the sets done (+ for 10 or more); "
                 f"goal {cal.goal} a day.")
    return lines
