"""`voice-coach report`: the practice record of a date range as a page a physiotherapist can read,
as HTML, or as PDF laid out by WeasyPrint (a maintained HTML/CSS-to-PDF library: no browser
process, the same pages every run, CSS paged media for A4). The records are passed in; the PDF
engine is this module's edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from voice_coach.basics.errors import EngineError, UsageError

from .adherence import adherence
from .charts import ratings_chart, sets_chart
from .records import SessionRecord
from .report_html import ReportPage, report_html
from .report_words import ReportWords

DEFAULT_DAYS = 28  # the last four weeks
MAX_DAYS = 366
FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def default_range(today: date) -> tuple[date, date]:
    """The last four weeks, today included."""
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def check_range(first: date, last: date, today: date) -> None:
    """UsageError unless first..last (--since, --until) is a range a report can cover: in
    order, not past today, at most MAX_DAYS."""
    if first > last:
        raise UsageError(f"--since {first.isoformat()} is after --until {last.isoformat()}",
                         "give the earlier day to --since")
    if last > today:
        raise UsageError(f"--until {last.isoformat()} is in the future",
                         "a report ends today at the latest")
    if (last - first).days + 1 > MAX_DAYS:
        raise UsageError(f"{(last - first).days + 1} days is more than one report holds "
                         f"({MAX_DAYS})", "make one report a year, or a shorter range")


def report_format(name: str) -> str:
    """'pdf' or 'html' from a file name's suffix; UsageError otherwise."""
    suffix = name[name.rfind("."):].lower() if "." in name else ""
    if suffix not in FORMATS:
        raise UsageError(f"cannot tell the report's format from {name!r}",
                         "give a file name ending in .pdf or .html")
    return FORMATS[suffix]


def build_html(records: Sequence[SessionRecord], first: date, last: date, goal: int,
               rollover_hour: int, made_on: date, words: ReportWords) -> str:
    """The report of the practice days first..last as one HTML document."""
    adh = adherence(records, first, last, goal, rollover_hour)
    ratings = ratings_chart(adh, words) if adh.ratings else None
    page = ReportPage(adh, sets_chart(adh, words), ratings, made_on, rollover_hour)
    return report_html(page, words)


def html_to_pdf(html: str) -> bytes:
    """The HTML laid out on A4 pages by WeasyPrint; EngineError saying what to install when it
    (or the system's pango it draws text with) is missing."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        raise EngineError(f"cannot make a PDF: WeasyPrint is not usable ({exc})",
                          "install it: pip install 'voice-coach[report]' (and the system's "
                          "pango: apt install libpango-1.0-0 libpangoft2-1.0-0), or write "
                          "the report as .html") from None
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    try:
        return weasyprint.HTML(string=html).write_pdf()
    except OSError as exc:  # fonts or pango that cannot be loaded
        raise EngineError(f"cannot make a PDF: {exc}",
                          "write the report as .html, or reinstall pango and fonts "
                          "(scripts/setup)") from None
