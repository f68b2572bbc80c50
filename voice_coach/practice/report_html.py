"""The therapist's report as one HTML page (A4, printable): the summary, sets a day against the
goal, week by week adherence, pain and effort, notes and the routines followed. Pure: the numbers,
the charts (SVG bytes) and the words in; HTML text out. Every value from the record is escaped.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date
from html import escape as _html

from voice_coach.basics.errors import escape_controls

from .adherence import SITTING_GAP_MIN, Adherence, trend
from .report_words import ReportWords


def escape(text: str) -> str:
    """Text for the page: HTML-escaped, and control characters and bidirectional overrides
    shown as escapes (\\x1b, \\u202e), never acted on or hidden (a note that reorders itself)."""
    return _html(escape_controls(str(text)).replace("\n", " "))


MAX_NOTES = 6  # the newest; with MAX_NOTE_CHARS the page stays one page
MAX_NOTE_CHARS = 160
NUMBER = ' class="n"'

CSS = """
@page { size: A4; margin: 13mm 14mm 12mm 14mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", sans-serif;
       font-size: 8.6pt; color: #24292e; margin: 0; line-height: 1.3; }
main { max-width: 182mm; margin: 0 auto; }
@media screen { main { margin: 10mm auto; } }
header { display: flex; justify-content: space-between; align-items: baseline;
         border-bottom: 2px solid #2f8f46; padding-bottom: 2mm; margin-bottom: 3mm; }
h1 { font-size: 15pt; margin: 0; }
header p { margin: 0; color: #586069; text-align: right; }
h2 { font-size: 10pt; margin: 3mm 0 1mm; color: #1b5e20; }
.tiles { display: flex; gap: 2mm; }
.tile { flex: 1; border: 1px solid #d0d7de; border-radius: 2mm; padding: 1.5mm 2mm; }
.tile b { display: block; font-size: 11.5pt; white-space: nowrap; }
.tile span { color: #586069; font-size: 7.4pt; }
img.chart { width: 100%; display: block; }
.caption { color: #586069; font-size: 7.4pt; margin: 0.5mm 0 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.7mm 1.5mm; border-bottom: 1px solid #e1e4e8;
         vertical-align: top; }
th { font-size: 7.6pt; color: #586069; font-weight: normal; border-bottom-color: #d0d7de; }
td.n, th.n { text-align: right; white-space: nowrap; }
.columns { display: flex; gap: 5mm; }
.columns > section { flex: 1; min-width: 0; }
.muted { color: #586069; }
td.note, td.name { overflow-wrap: anywhere; }
td.nw { white-space: nowrap; }
footer { margin-top: 4mm; border-top: 1px solid #d0d7de; padding-top: 1.5mm; color: #586069;
         font-size: 7pt; }
"""


@dataclass(frozen=True)
class ReportPage:
    adherence: Adherence
    sets_svg: bytes
    ratings_svg: bytes | None  # None when nothing was rated
    made_on: date
    rollover_hour: int


def _img(svg: bytes, alt: str) -> str:
    data = base64.b64encode(svg).decode("ascii")
    return f'<img class="chart" alt="{escape(alt)}" src="data:image/svg+xml;base64,{data}">'


def report_html(page: ReportPage, words: ReportWords) -> str:
    """The whole report as an HTML document (UTF-8, no outside resources)."""
    a, w = page.adherence, words
    span = w.phrase("range", first=w.day(a.first), last=w.day(a.last))
    parts = [
        "<!DOCTYPE html>", f'<html lang="{escape(w.code)}">', "<head>", '<meta charset="utf-8">',
        f"<title>{escape(w.phrase('title'))}: {escape(span)}</title>",
        f"<style>{CSS}</style>", "</head>", "<body><main>",
        f"<header><h1>{escape(w.phrase('title'))}</h1>"
        f"<p>{escape(span)}<br>{escape(w.goal(a.goal))}</p></header>",
        _tiles(a, w),
    ]
    if not a.sessions:
        parts.append(f'<p class="muted">{escape(w.phrase("no_sessions"))}</p>')
    parts += [f"<section><h2>{escape(w.phrase('sets_a_day'))}</h2>",
              _img(page.sets_svg, w.phrase("sets_a_day")),
              f'<p class="caption">{escape(w.phrase("each_block"))}</p></section>',
              _weeks(a, w), _ratings(page, w),
              '<div class="columns">', _notes(a, w), _routines(a, w), "</div>",
              "<footer>" + escape(w.phrase("footer", day=w.day(page.made_on),
                                           gap=SITTING_GAP_MIN, hour=page.rollover_hour))
              + "</footer>", "</main></body>", "</html>"]
    return "\n".join(parts) + "\n"


def _tiles(a: Adherence, w: ReportWords) -> str:
    days = len(a.days)
    tiles = [(w.of(a.days_practised, days), w.phrase("days_practised")),
             (w.of(a.days_goal_met, days), w.phrase("days_goal_met")),
             (str(a.sessions), w.phrase("sessions")), (str(a.sets), w.phrase("sets")),
             (w.percent(a.adherence), w.phrase("adherence")),
             (w.decimal(a.sittings_a_day), w.phrase("sittings_a_day"))]
    cells = "".join(f'<div class="tile"><b>{escape(v)}</b><span>{escape(k)}</span></div>'
                    for v, k in tiles)
    return f'<div class="tiles">{cells}</div>'


def _weeks(a: Adherence, w: ReportWords) -> str:
    head = [w.phrase("week"), w.phrase("days_practised"), w.phrase("goal_met"),
            w.phrase("sessions"), w.phrase("sets"), w.phrase("sittings"), w.phrase("adherence")]
    rows = []
    for wk in a.weeks:
        span = f"{w.short_day(wk.first)} – {w.short_day(wk.last)}"
        cells = [span, w.of(wk.days_practised, wk.days), w.of(wk.days_goal_met, wk.days),
                 str(wk.sessions), str(wk.sets), str(wk.sittings), w.percent(wk.adherence)]
        rows.append("<tr>" + "".join(
            f"<td{NUMBER if i else ''}>{escape(c)}</td>" for i, c in enumerate(cells))
            + "</tr>")
    header = "".join(f"<th{NUMBER if i else ''}>{escape(h)}</th>" for i, h in enumerate(head))
    return (f"<section><h2>{escape(w.phrase('week_by_week'))}</h2><table><thead><tr>{header}"
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></section>")


def _ratings(page: ReportPage, w: ReportWords) -> str:
    a = page.adherence
    out = [f"<section><h2>{escape(w.phrase('pain_effort'))}</h2>"]
    if page.ratings_svg is None:
        out.append(f'<p class="muted">{escape(w.phrase("no_ratings"))}</p></section>')
        return "".join(out)
    lines = []
    for what in ("pain", "effort"):
        values = [(r.day, getattr(r, what)) for r in a.ratings if getattr(r, what) is not None]
        if values:
            day, value = values[-1]
            lines.append(w.phrase("latest", what=w.phrase(what), value=f"{value}/10",
                                  day=w.short_day(day),
                                  trend=w.trend(trend([v for _, v in values][-6:]))))
    out.append(f'<p class="caption">{escape(" ".join(lines))} {escape(w.phrase("scale"))}</p>')
    out.append(_img(page.ratings_svg, w.phrase("pain_effort")))
    out.append("</section>")
    return "".join(out)


def _notes(a: Adherence, w: ReportWords) -> str:
    out = [f"<section><h2>{escape(w.phrase('notes'))}</h2>"]
    if not a.notes:
        out.append(f'<p class="muted">{escape(w.phrase("no_notes"))}</p></section>')
        return "".join(out)
    shown = list(a.notes)[-MAX_NOTES:][::-1]  # the newest first
    rows = "".join(
        f'<tr><td class="nw">{escape(w.short_day(n.started.date()))}</td>'
        f'<td class="name">{escape(n.routine)}</td>'
        f'<td class="n">{"" if n.pain is None else n.pain}</td>'
        f'<td class="note">{escape(_cut(n.text))}</td></tr>' for n in shown)
    out.append(f"<table><thead><tr><th>{escape(w.phrase('date'))}</th>"
               f"<th>{escape(w.phrase('routine'))}</th><th class=\"n\">"
               f"{escape(w.phrase('pain_head'))}</th><th>{escape(w.phrase('note'))}</th></tr>"
               f"</thead><tbody>{rows}</tbody></table>")
    if len(a.notes) > MAX_NOTES:
        out.append(f'<p class="caption">{escape(w.more_notes(len(a.notes) - MAX_NOTES))}</p>')
    out.append("</section>")
    return "".join(out)


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_NOTE_CHARS else text[:MAX_NOTE_CHARS - 1] + "…"


def _routines(a: Adherence, w: ReportWords) -> str:
    out = [f"<section><h2>{escape(w.phrase('routines'))}</h2>"]
    if not a.routines:
        out.append(f'<p class="muted">{escape(w.phrase("no_sessions"))}</p></section>')
        return "".join(out)
    rows = "".join(
        f'<tr><td class="name">{escape(u.title)}<br><span class="muted">{escape(u.routine)}'
        "</span></td>"
        f'<td class="n">{u.sessions}</td><td class="n">{u.sets}</td>'
        f'<td class="n">{escape(w.short_day(u.last))}</td></tr>' for u in a.routines)
    out.append(f"<table><thead><tr><th>{escape(w.phrase('routine'))}</th>"
               f"<th class=\"n\">{escape(w.phrase('sessions'))}</th>"
               f"<th class=\"n\">{escape(w.phrase('sets'))}</th>"
               f"<th class=\"n\">{escape(w.phrase('last_done'))}</th></tr></thead>"
               f"<tbody>{rows}</tbody></table></section>")
    return "".join(out)
