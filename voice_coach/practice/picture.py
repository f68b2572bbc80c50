"""The calendar as a picture (PNG, SVG or PDF) drawn by matplotlib: a square a day, shaded by the
sets done and with the number written in it, month names over the columns they head, weekday
names, a title and a legend, all in the person's language. Same calendar, same bytes.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from .heatmap import FILLS, Calendar
from .plotting import INK, MUTED, figure, save, style
from .report_words import ReportWords

SUFFIXES = (".png", ".svg", ".pdf")

CELL = 0.86  # a day's square, in columns (the rest is the gap)


def calendar_picture(cal: Calendar, fmt: str, words: ReportWords | None = None) -> bytes:
    """The calendar as PNG, SVG or PDF bytes (fmt: 'png', 'svg' or 'pdf').

    In SVG every day is a group with id "day-YYYY-MM-DD" and a <title> tooltip ("1 Dec 2026:
    3 sets"), and the words are text, not outlines.
    """
    words = words or ReportWords()
    with style():
        fig = figure(1.1 + cal.weeks * 0.24, 2.55)
        ax = fig.add_axes((0.08, 0.1, 0.9, 0.72))
        _draw(ax, cal, words)
        data = save(fig, fmt, words.calendar_title(cal.first, cal.today))
    if fmt == "svg":
        data = _with_tooltips(data.decode("utf-8"), cal, words).encode("utf-8")
    return data


def _draw(ax, cal: Calendar, words: ReportWords) -> None:
    from matplotlib.patches import Rectangle

    ax.set_xlim(-0.5, cal.weeks - 0.5)
    ax.set_ylim(6.5, -0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    half = CELL / 2
    for week in range(cal.weeks):
        for weekday in range(7):
            day = cal.day(week, weekday)
            if day > cal.today:
                continue
            n, level = cal.sets.get(day, 0), cal.level(day)
            ax.add_patch(Rectangle((week - half, weekday - half), CELL, CELL,
                                   facecolor=FILLS[level], edgecolor="none",
                                   gid=f"day-{day.isoformat()}"))
            if n:
                ax.text(week, weekday, str(n), ha="center", va="center_baseline",
                        fontsize=7 if n < 10 else 6,
                        color="#ffffff" if level >= 3 else INK)
    for week, day in cal.month_starts():
        ax.text(week - half, -0.75, words.month(day), ha="left", va="bottom", fontsize=8,
                color=MUTED)
    for weekday in range(7):
        ax.text(-0.75, weekday, words.weekday(weekday), ha="right", va="center_baseline",
                fontsize=7, color=MUTED)
    ax.text(-0.75, -1.75, words.calendar_title(cal.first, cal.today), ha="left",
            va="bottom", fontsize=10, color=INK)
    _legend(ax, cal, words)


def _legend(ax, cal: Calendar, words: ReportWords) -> None:
    from matplotlib.patches import Rectangle

    y = 7.6
    ax.text(-0.75, y, words.legend_none(), ha="right", va="center_baseline", fontsize=7,
            color=MUTED)
    for level, fill in enumerate(FILLS):
        ax.add_patch(Rectangle((level - 0.5, y - 0.4), 0.8, 0.8, facecolor=fill,
                               edgecolor="none", clip_on=False))
    ax.text(len(FILLS) - 0.5, y, words.legend_goal(cal.goal), ha="left",
            va="center_baseline", fontsize=7, color=MUTED)
    ax.text(-0.5, y + 1.1, words.legend_number(), ha="left", va="center_baseline",
            fontsize=7, color=MUTED)


def _with_tooltips(svg: str, cal: Calendar, words: ReportWords) -> str:
    """A <title> in each day's group: hovering a day says its date and sets."""
    def tip(match: re.Match) -> str:
        from datetime import date

        day = date.fromisoformat(match.group(1))
        return f"{match.group(0)}\n   <title>{escape(words.day_tip(day, cal.sets.get(day, 0)))}" \
               "</title>"

    return re.sub(r'<g id="day-(\d{4}-\d{2}-\d{2})">', tip, svg)


def person_language(config) -> str:
    """The language the person reads: the config's [voice] language, else English."""
    from voice_coach.basics.errors import UsageError
    from voice_coach.lang import normalize_language

    try:
        return normalize_language(config["voice.language"] or "en")
    except UsageError:
        return "en"
