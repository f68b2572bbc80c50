"""The report's charts, drawn by matplotlib: sets a day against the goal (a bar a day, a block a
sitting, with the sessions and sittings of each day written under it), and pain and effort over
the same days. SVG with the words drawn as outlines, so the chart looks the same in any browser
and in the PDF; blocks, the goal line and the rating lines have ids (sitting-DAY-N, goal, pain,
effort) for tests and styling.
"""

from __future__ import annotations

from .adherence import Adherence
from .plotting import GRID, INK, MUTED, figure, save, style
from .report_words import ReportWords

SITTING_FILLS = ("#2f8f46", "#7bc96f")  # alternate, so neighbouring sittings are told apart
GOAL_INK = "#b35900"
PAIN_INK, EFFORT_INK = "#c0392b", "#2c6fbb"
WIDTH_IN = 7.0


def _day_axis(ax, adh: Adherence, words: ReportWords) -> None:
    """x: one unit a day (0 the range's first); ticks on Mondays with short dates."""
    n = len(adh.days)
    ax.set_xlim(-0.6, n - 0.4)
    step = 1 if n <= 10 else 7 if n <= 70 else 14 if n <= 140 else 28
    ticks = [i for i, d in enumerate(adh.days) if (d.day.weekday() == 0 if step >= 7
                                                   else True)][::max(1, step // 7)]
    ax.set_xticks(ticks, [words.short_day(adh.days[i].day) for i in ticks])
    ax.tick_params(axis="x", length=3, labelsize=7)
    ax.tick_params(axis="y", labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def sets_chart(adh: Adherence, words: ReportWords, fmt: str = "svg") -> bytes:
    """Bars of sets a day, split into sittings, the goal as a line; sessions and sittings a day
    in two rows under the days."""
    from matplotlib.transforms import blended_transform_factory

    n = len(adh.days)
    with style(text_as_paths=True):
        fig = figure(WIDTH_IN, 1.8)
        ax = fig.add_axes((0.1, 0.3, 0.88, 0.62))
        _day_axis(ax, adh, words)
        top = max([adh.goal + 1] + [d.sets + 1 for d in adh.days])
        ax.set_ylim(0, top)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", color=GRID, linewidth=0.5)
        ax.set_axisbelow(True)
        for i, day in enumerate(adh.days):
            bottom = 0
            for k, sets in enumerate(day.sittings):
                ax.bar(i, sets, bottom=bottom, width=0.72, color=SITTING_FILLS[k % 2],
                       edgecolor="white", linewidth=0.6,
                       gid=f"sitting-{day.day.isoformat()}-{k + 1}")
                bottom += sets
            if day.sets and n <= 62:  # beyond two months the numbers would run together
                ax.text(i, day.sets + top * 0.02, str(day.sets), ha="center", va="bottom",
                        fontsize=6 if n <= 31 else 5, color=INK)
        ax.axhline(adh.goal, color=GOAL_INK, linewidth=1.0, linestyle=(0, (4, 2)), gid="goal")
        ax.set_ylabel(words.phrase("sets"), fontsize=8)
        under = blended_transform_factory(ax.transData, ax.transAxes)
        rows = ((words.phrase("sessions"), [d.sessions for d in adh.days]),
                (words.phrase("sittings"), [len(d.sittings) for d in adh.days]))
        if n <= 62:
            for r, (label, values) in enumerate(rows):
                y = -0.24 - r * 0.1
                ax.text(-0.9, y, label, transform=under, ha="right", va="center",
                        fontsize=7, color=MUTED)
                for i, value in enumerate(values):
                    ax.text(i, y, str(value) if value else "·", transform=under,
                            ha="center", va="center", fontsize=6.5 if n <= 31 else 5.5,
                            color=INK if value else MUTED)
        return save(fig, fmt, words.phrase("sets_a_day"))


def ratings_chart(adh: Adherence, words: ReportWords, fmt: str = "svg") -> bytes:
    """Pain and effort (0-10) of every rated session, at its time within the days."""
    with style(text_as_paths=True):
        fig = figure(WIDTH_IN, 1.3)
        ax = fig.add_axes((0.1, 0.18, 0.88, 0.72))
        _day_axis(ax, adh, words)
        ax.set_ylim(-0.5, 10.5)
        ax.set_yticks([0, 5, 10])
        ax.grid(axis="y", color=GRID, linewidth=0.5)
        ax.set_axisbelow(True)
        xs_of = _positions(adh)
        for what, ink, marker in (("pain", PAIN_INK, "o"), ("effort", EFFORT_INK, "s")):
            points = [(x, getattr(r, what)) for r, x in zip(adh.ratings, xs_of)
                      if getattr(r, what) is not None]
            if points:
                xs, ys = zip(*points)
                ax.plot(xs, ys, color=ink, marker=marker, markersize=3.5, linewidth=1.2,
                        label=words.phrase(what), gid=what)
        ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, fontsize=7,
                  frameon=False, handlelength=1.8, borderaxespad=0.2)
        return save(fig, fmt, words.phrase("pain_effort"))


def _positions(adh: Adherence) -> list[float]:
    """x of each rating: its day, the sessions of one day spread across it in order."""
    first = adh.days[0].day
    per_day: dict = {}
    for r in adh.ratings:
        per_day.setdefault(r.day, []).append(r)
    out = []
    for r in adh.ratings:
        same = per_day[r.day]
        k = same.index(r)
        out.append((r.day - first).days + (0.0 if len(same) == 1
                                             else -0.3 + 0.6 * k / (len(same) - 1)))
    return out
