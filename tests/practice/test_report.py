"""voice-coach report: the numbers (adherence, sittings, weeks) from real records, the PDF laid out
by WeasyPrint (one A4 page, its words as text, rendered by pdftoppm), the HTML escaped and
localised, and bad input refused with nothing written."""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ok, vc
from voice_coach.practice.adherence import adherence, sittings, trend
from voice_coach.practice.records import SessionRecord, new_uid

BERLIN = ZoneInfo("Europe/Berlin")


def record(start: str, sets: int, minutes: int = 5, **extra) -> SessionRecord:
    started = datetime.fromisoformat(start).replace(tzinfo=BERLIN)
    return SessionRecord(new_uid(), extra.pop("routine", "ankle-pumps"), "Ankle pumps", "", "en",
                         "", started, started + timedelta(minutes=minutes), "Europe/Berlin",
                         3, sets, 30, sets * 10, "completed", "done", **extra)


def test_sittings_are_sessions_less_than_30_minutes_apart():
    day = [record("2026-11-30 09:00", 2), record("2026-11-30 09:25", 1),  # 20 min after
           record("2026-11-30 10:00", 1), record("2026-11-30 18:00", 1)]  # 30 min: still one
    assert sittings(day) == [4, 1]
    assert sittings([]) == []


def test_adherence_counts_at_most_the_goal_a_day_over_every_day():
    records = [record("2026-11-30 09:00", 5), record("2026-12-01 13:00", 3),
               record("2026-11-10 02:30", 1),  # before the 04:00 rollover: the 9th's
               record("2026-10-20 09:00", 3)]  # before the range
    a = adherence(records, date(2026, 11, 4), date(2026, 12, 1), 3, 4)
    assert len(a.days) == 28 and a.sets == 9 and a.sessions == 3
    assert (a.days_practised, a.days_goal_met) == (3, 2)
    assert a.adherence == pytest.approx(7 / 84)
    assert [(w.first.isoformat(), w.days, w.sets, round(w.adherence, 4)) for w in a.weeks] == [
        ("2026-11-04", 5, 0, 0.0), ("2026-11-09", 7, 1, round(1 / 21, 4)),
        ("2026-11-16", 7, 0, 0.0), ("2026-11-23", 7, 0, 0.0), ("2026-11-30", 2, 8, 1.0)]
    assert [u.routine for u in a.routines] == ["ankle-pumps"]


def test_trend_compares_the_last_ratings_with_those_before():
    assert trend([2, 3, 4]) == "rising" and trend([5, 5, 4]) == "falling"
    assert trend([3]) == "steady" and trend([3, 3, 3, 4]) == "steady"


def record_a_month(home_unused=None):
    ok("done", "ankle-pumps", "--at", "2026-11-30 09:00", "--pain", "2", "--effort", "4")
    ok("done", "ankle-pumps", "--at", "2026-11-30 09:20", "--sets", "1")
    ok("done", "ankle-pumps", "--at", "2026-11-30 18:00", "--sets", "1")
    ok("done", "ankle-pumps", "--at", "2026-12-01 13:05", "--pain", "4", "--note", "ankle sore")
    ok("done", "bedtime", "--at", "2026-11-10 02:30", "--sets", "1", "--note",
       "<b>tired</b> & =SUM(A1)")
    ok("done", "ankle-pumps", "--at", "2026-10-20 09:00")  # before the report's four weeks


def pdf_text(path, layout: bool = True) -> str:
    return subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_the_default_report_is_one_a4_pdf_page_of_the_last_four_weeks(home, tmp_path,
                                                                      monkeypatch):
    record_a_month()
    monkeypatch.chdir(tmp_path)
    assert ok("report") == "Wrote report.pdf (2026-11-04 to 2026-12-01).\n"
    pdf = tmp_path / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Pages:\s+1\n", info) and "595.276 x 841.89 pts (A4)" in info
    text = pdf_text(pdf)
    flat = " ".join(text.split())
    for words in ("Practice report", "Nov 4, 2026 to Dec 1, 2026", "Goal: 3 sets a day",
                  "3 of 28 2 of 28 5 9 8% 1.3 Days practised Days the goal was",
                  "Sessions Sets Adherence Sittings a day", "Week by week", "Nov 30 – Dec 1",
                  "100%",
                  "Pain and effort", "Latest pain: 4/10 on Dec 1, rising.", "ankle sore",
                  "Routines followed", "Bedtime ankle pumps"):
        assert words in flat, words
    assert "Oct 20" not in flat
    tight = "".join(pdf_text(pdf, layout=False).split())  # a wrapped note, whole again
    assert "<b>tired</b>&=SUM(A1)" in tight
    # Looked at as a person would: pdftoppm draws the page; it has ink, and white margins.
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    with Image.open(tmp_path / "page-1.png") as page:
        pixels = np.asarray(page.convert("L"))
    assert pixels.shape == (585, 414)  # A4 at 50 dpi
    ink = np.argwhere(pixels < 200)
    assert len(ink) > 5000
    assert ink[:, 0].min() > 15 and ink[:, 1].min() > 15 and ink[:, 1].max() < 414 - 15


def test_the_html_report_escapes_the_record_and_embeds_its_charts(home, tmp_path):
    record_a_month()
    path = tmp_path / "r.html"
    ok("report", "-o", str(path), "--since", "2026-11-09", "--until", "2026-11-30")
    html = path.read_text()
    assert "&lt;b&gt;tired&lt;/b&gt; &amp; =SUM(A1)" in html and "<b>tired" not in html
    assert html.count("data:image/svg+xml;base64,") == 2  # sets a day; pain and effort

    class Texts(HTMLParser):
        def __init__(self):
            super().__init__()
            self.cells: list[str] = []

        def handle_data(self, data):
            if data.strip():
                self.cells.append(data.strip())

    parser = Texts()
    parser.feed(html)
    cells = parser.cells
    assert cells[cells.index("Adherence", cells.index("Week")) + 1:][:7] == [
        "Nov 9 – Nov 15", "1 of 7", "0 of 7", "1", "1", "1", "5%"]
    assert "Nov 9, 2026 to Nov 30, 2026" in html and "Dec 1" not in " ".join(cells[:40])


def test_the_report_speaks_the_persons_language(home, tmp_path):
    record_a_month()
    zh = tmp_path / "zh.pdf"
    ok("report", "-o", str(zh), "--language", "zh")
    flat = "".join(pdf_text(zh).split())
    assert "练习报告" in flat and "依从率" in flat and "2026年11月4日至2026年12月1日" in flat
    config = home / "config" / "voice-coach" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[voice]\nlanguage = "de"\n')
    de = tmp_path / "de.html"
    ok("report", "-o", str(de))
    html = de.read_text()
    assert '<html lang="de">' in html and "Übungsbericht" in html and "Therapietreue" in html


def test_an_empty_record_still_makes_a_calm_page(home, tmp_path):
    path = tmp_path / "empty.pdf"
    ok("report", "-o", str(path))
    flat = " ".join(pdf_text(path).split())
    assert "No sessions were recorded in this time." in flat
    assert "No pain or effort was recorded in this time." in flat


@pytest.mark.parametrize("args, message", [
    (["-o", "r.txt"], "error: cannot tell the report's format from 'r.txt'\n"
                      "  hint: give a file name ending in .pdf or .html\n"),
    (["-o", "r.pdf", "--since", "2026-11-20", "--until", "2026-11-10"],
     "error: --since 2026-11-20 is after --until 2026-11-10\n"
     "  hint: give the earlier day to --since\n"),
    (["-o", "r.pdf", "--until", "2026-12-24"],
     "error: --until 2026-12-24 is in the future\n"
     "  hint: a report ends today at the latest\n"),
    (["-o", "r.pdf", "--since", "2024-01-01"],
     "error: 1066 days is more than one report holds (366)\n"
     "  hint: make one report a year, or a shorter range\n"),
    (["-o", "r.pdf", "--since", "last month"],
     "error: --since 'last month': it is not a date\n"
     '  hint: dates look like 2026-12-01, "today", "yesterday", or a span back: "7d", "4w"\n'),
    (["-o", "r.pdf", "--language", "klingon"],
     "error: unknown or unsupported language 'klingon'\n"),
])
def test_bad_input_exits_2_and_writes_nothing(home, tmp_path, monkeypatch, args,
                                              message):
    monkeypatch.chdir(tmp_path)
    result = vc("report", *args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(message)
    assert list(tmp_path.glob("r.*")) == []


def test_an_existing_report_needs_force_and_a_failed_pdf_leaves_it_whole(home, tmp_path,
                                                                         monkeypatch):
    import weasyprint

    path = tmp_path / "r.pdf"
    path.write_bytes(b"%PDF- the old one")
    result = vc("report", "-o", str(path))
    assert result.exit_code == 2 and result.stderr == (
        f"error: {path} already exists\n  hint: use --force to overwrite it\n")

    def broken(self, *args, **kwargs):
        raise OSError("cannot load font")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    result = vc("report", "-o", str(path), "--force")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: cannot make a PDF: cannot load font\n")
    assert path.read_bytes() == b"%PDF- the old one"
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]  # no temp file left


def blocks(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """id -> (left, right, top, bottom) of each block, and the goal line's."""
    out = {}
    for name, d in re.findall(r'<g id="(sitting-[^"]+|goal)">\s*<path d="([^"]+)"', svg):
        xs = [float(x) for x in re.findall(r"([\d.]+) [\d.]+", d)]
        ys = [float(y) for y in re.findall(r"[\d.]+ ([\d.]+)", d)]
        out[name] = (min(xs), max(xs), min(ys), max(ys))
    return out


def test_the_sets_chart_stacks_a_block_a_sitting_to_scale_under_the_goal_line():
    from voice_coach.practice.charts import sets_chart
    from voice_coach.practice.report_words import ReportWords

    records = [record("2026-11-30 09:00", 3), record("2026-11-30 09:20", 1),
               record("2026-11-30 18:00", 1), record("2026-12-01 13:00", 3)]
    a = adherence(records, date(2026, 11, 25), date(2026, 12, 1), 3, 4)
    found = blocks(sets_chart(a, ReportWords()).decode())
    assert sorted(found) == ["goal", "sitting-2026-11-30-1", "sitting-2026-11-30-2",
                             "sitting-2026-12-01-1"]
    first, second = found["sitting-2026-11-30-1"], found["sitting-2026-11-30-2"]
    one_set = second[3] - second[2]  # SVG y grows downwards
    assert first[3] - first[2] == pytest.approx(4 * one_set, rel=1e-3)  # 3 + 1 sets, one sitting
    assert second[3] == pytest.approx(first[2])  # stacked on it
    today = found["sitting-2026-12-01-1"]
    assert today[3] - today[2] == pytest.approx(3 * one_set, rel=1e-3)
    assert found["goal"][2] == pytest.approx(today[2], abs=0.01)  # 3 sets reach the goal line
    assert today[0] > first[1]  # the next day stands to the right


def test_hostile_and_long_notes_stay_in_their_column_and_show_their_controls(home,
                                                                             tmp_path):
    ok("done", "ankle-pumps", "--at", "2026-12-01 09:00", "--pain", "3",
       "--note", "\x1b]0;PWNED\x07\x1b[2J x \u202eevil")
    ok("done", "ankle-pumps", "--at", "2026-12-01 10:00", "--note", "long" * 400)
    pdf = tmp_path / "r.pdf"
    ok("report", "-o", str(pdf))
    tight = "".join(pdf_text(pdf, layout=False).split())
    assert "\\x1b]0;PWNED\\x07\\x1b[2Jx\\u202eevil" in tight  # shown, not acted on or hidden
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert re.search(r"Pages:\s+1\n", info)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")],
                   check=True)
    with Image.open(tmp_path / "page-1.png") as page:
        pixels = np.asarray(page.convert("L"))
    ink = np.argwhere(pixels < 200)
    assert ink[:, 1].max() < pixels.shape[1] - 15  # nothing runs off the right margin
