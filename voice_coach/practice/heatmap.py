"""The calendar of the last weeks: a grid of days (Monday to Sunday down, weeks across) drawn in
the terminal with the number of sets in each day (readable without colour; colour only adds
shade), and as an SVG picture. Pure: sets per day and today in, text out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape

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

    def month_starts(self) -> list[tuple[int, str]]:
        """(week column, month abbreviation) where a month's first day falls."""
        out = []
        for week in range(self.weeks):
            for weekday in range(7):
                day = self.day(week, weekday)
                if day.day == 1 or (week == 0 and weekday == 0):
                    out.append((week, day.strftime("%b")))
                    break
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
    for week, name in cal.month_starts():
        for i, ch in enumerate(name):
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


CELL, GAP, LEFT, TOP = 16, 3, 40, 48


def svg(cal: Calendar, title: str) -> str:
    """The calendar as an SVG picture: shaded squares with the sets written in them, month and
    weekday labels, a legend, and a tooltip (<title>) for every day."""
    step = CELL + GAP
    width = LEFT + cal.weeks * step + 16
    height = TOP + 7 * step + 56
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="sans-serif" role="img" '
           f'aria-label="{escape(title)}">',
           f"<title>{escape(title)}</title>",
           f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
           f'<text x="{LEFT}" y="18" font-size="14" fill="#24292e">{escape(title)}</text>']
    for week, name in cal.month_starts():
        out.append(f'<text x="{LEFT + week * step}" y="{TOP - 8}" font-size="11" '
                   f'fill="#586069">{name}</text>')
    for weekday in (0, 2, 4, 6):
        y = TOP + weekday * step + CELL - 4
        out.append(f'<text x="4" y="{y}" font-size="10" fill="#586069">'
                   f"{WEEKDAYS[weekday]}</text>")
    for week in range(cal.weeks):
        for weekday in range(7):
            day = cal.day(week, weekday)
            if day > cal.today:
                continue
            n = cal.sets.get(day, 0)
            level = cal.level(day)
            x, y = LEFT + week * step, TOP + weekday * step
            tip = f"{day.isoformat()}: {n} set{'s' if n != 1 else ''}"
            out.append(f'<g><title>{tip}</title><rect x="{x}" y="{y}" width="{CELL}" '
                       f'height="{CELL}" rx="2" fill="{FILLS[level]}"/>')
            if n:
                ink = "#ffffff" if level >= 3 else "#24292e"
                out.append(f'<text x="{x + CELL / 2:g}" y="{y + CELL - 4}" font-size="10" '
                           f'text-anchor="middle" fill="{ink}">{symbol(n)}</text>')
            out.append("</g>")
    y = TOP + 7 * step + 14
    out.append(f'<text x="{LEFT}" y="{y + 12}" font-size="11" fill="#586069">none</text>')
    for level, fill in enumerate(FILLS):
        x = LEFT + 34 + level * (CELL + 4)
        out.append(f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="2" '
                   f'fill="{fill}"/>')
    out.append(f'<text x="{LEFT + 34 + 5 * (CELL + 4) + 2}" y="{y + 12}" font-size="11" '
               f'fill="#586069">goal met ({cal.goal} sets); the number is the sets done</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
