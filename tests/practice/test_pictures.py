"""The calendar picture drawn by matplotlib (practice/picture.py): each format decodes, nothing is
clipped, month labels stand over the weeks they head, Chinese renders with a real font, the
same calendar gives the same bytes; and stats -o through the CLI."""

from __future__ import annotations

import io
import re
import subprocess
import warnings
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ok, vc
from voice_coach.practice.heatmap import Calendar
from voice_coach.practice.picture import calendar_picture
from voice_coach.practice.report_words import ReportWords

NS = "{http://www.w3.org/2000/svg}"
TODAY = date(2026, 3, 10)  # a Tuesday; 12 weeks back is Monday 22 December 2025


def calendar(weeks: int = 12, today: date = TODAY) -> Calendar:
    sets = {today - timedelta(days=i): (i * 7) % 5 for i in range(weeks * 7)}
    sets[today] = 12
    return Calendar.ending(today, weeks, sets, 3)


def svg_root(cal: Calendar, code: str = "en") -> ET.Element:
    return ET.fromstring(calendar_picture(cal, "svg", ReportWords(code)))


def texts(root: ET.Element) -> dict[str, list[float]]:
    """Each text's content and its x positions."""
    out: dict[str, list[float]] = {}
    for t in root.iter(f"{NS}text"):
        out.setdefault(t.text or "", []).append(float(t.get("x")))
    return out


def cell_left(root: ET.Element, day: date) -> float:
    group = next(g for g in root.iter(f"{NS}g") if g.get("id") == f"day-{day.isoformat()}")
    path = next(group.iter(f"{NS}path"))
    return float(re.match(r"M\s*([\d.]+)", path.get("d")).group(1))


def test_month_labels_stand_over_the_first_week_that_is_mostly_theirs():
    root = svg_root(calendar())
    labels = texts(root)
    # Monday 23 Feb to Sunday 1 Mar is February's week: "Mar" heads the week of Monday 2 Mar.
    assert labels["Mar"] == [pytest.approx(cell_left(root, date(2026, 3, 2)), abs=0.01)]
    assert labels["Feb"] == [pytest.approx(cell_left(root, date(2026, 2, 2)), abs=0.01)]
    # Thursday 1 Jan 2026: the week of Monday 29 December is January's.
    assert labels["Jan"] == [pytest.approx(cell_left(root, date(2025, 12, 29)), abs=0.01)]
    assert "Dec" not in labels  # one partial week of December: its label would crowd
    assert [d.isoformat() for _, d in calendar().month_starts()] == [
        "2026-01-01", "2026-02-05", "2026-03-05"]


def test_the_svg_has_words_as_text_tooltips_and_every_day_up_to_today():
    root = svg_root(calendar())
    labels = texts(root)
    assert "Sets a day, Dec 22, 2025 to Mar 10, 2026" in labels
    assert {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "none", "goal met (3 sets)",
            "the number in a day is the sets done", "12"} <= set(labels)
    days = [g.get("id") for g in root.iter(f"{NS}g") if (g.get("id") or "").startswith("day-")]
    assert len(days) == 11 * 7 + 2 and days[-1] == "day-2026-03-10"
    tips = {t.text for t in root.iter(f"{NS}title")}
    assert "Mar 10, 2026: 12 sets" in tips


def test_nothing_is_clipped_the_border_of_every_png_is_blank():
    for weeks in (1, 3, 12, 52):
        data = calendar_picture(calendar(weeks), "png")
        with Image.open(io.BytesIO(data)) as picture:
            pixels = np.asarray(picture.convert("L"))
        height, width = pixels.shape
        assert width >= 300 and height >= 300
        ink = np.argwhere(pixels < 250)
        top, left = ink.min(axis=0)
        bottom, right = ink.max(axis=0)
        # a white margin of at least 10 px on every side: the title and legend are whole
        assert top >= 10 and left >= 10 and bottom <= height - 11 and right <= width - 11, \
            (weeks, top, left, bottom, right, width, height)


def test_the_svg_size_holds_its_title_and_legend():
    """The old SVG was 284 px wide with a 400 px legend. The tight box now spans the texts:
    the rendered PNG of the same calendar holds the whole title (checked above), and the SVG's
    size follows it (about twice as wide for a title twice as long)."""
    short = ET.fromstring(calendar_picture(calendar(1), "svg"))
    width_pt = float(short.get("width").removesuffix("pt"))
    assert width_pt > 200  # "Sets a day, Mar 9, 2026 to Mar 10, 2026" at 10 pt fits


def test_chinese_labels_render_with_a_cjk_font_and_no_missing_glyphs():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = calendar_picture(calendar(), "png", ReportWords("zh"))
        root = svg_root(calendar(), "zh")
    assert not [w for w in caught if "missing from" in str(w.message)]
    labels = texts(root)
    assert {"周一", "周日", "1月", "2月", "3月", "无"} <= set(labels)
    assert "每天的组数，2025年12月22日至2026年3月10日" in labels
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.width > 300
    style = next(root.iter(f"{NS}text")).get("style")
    assert "Noto Sans CJK" in style


def test_german_month_and_weekday_names():
    labels = texts(svg_root(calendar(), "de"))
    assert {"Mo.", "So.", "Jan", "Feb", "Mär"} <= set(labels)
    assert "Ziel erreicht (3 Sätze)" in labels


def test_the_pdf_is_one_page_with_the_words_as_text(tmp_path):
    path = tmp_path / "cal.pdf"
    path.write_bytes(calendar_picture(calendar(), "pdf"))
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    assert re.search(r"Pages:\s+1\n", info.stdout)
    words = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "Sets a day, Dec 22, 2025 to Mar 10, 2026" in words and "goal met" in words


def test_same_calendar_same_bytes():
    for fmt in ("png", "svg", "pdf"):
        assert calendar_picture(calendar(), fmt) == calendar_picture(calendar(), fmt)


def test_stats_writes_each_format_and_refuses_others(home, tmp_path):
    ok("done", "ankle-pumps", "--at", "2026-11-30 09:00", "--sets", "2")
    for suffix, magic in ((".png", b"\x89PNG\r\n\x1a\n"), (".svg", b"<?xml"),
                          (".pdf", b"%PDF-")):
        path = tmp_path / f"cal{suffix}"
        assert ok("stats", "--weeks", "4", "-o", str(path)).endswith(f"Wrote {path}.\n")
        assert path.read_bytes().startswith(magic)
    root = ET.parse(tmp_path / "cal.svg").getroot()
    assert "Nov 30, 2026: 2 sets" in {t.text for t in root.iter(f"{NS}title")}
    zh = tmp_path / "zh.svg"
    ok("stats", "-o", str(zh), "--language", "zh")
    assert "周一" in zh.read_text()
    bad = vc("stats", "-o", str(tmp_path / "x.svg"), "--language", "xx")
    assert bad.exit_code == 2 and bad.stderr.startswith(
        "error: unknown or unsupported language 'xx'")
    assert not (tmp_path / "x.svg").exists()


def test_the_terminal_calendar_heads_the_same_weeks():
    from voice_coach.practice.heatmap import terminal

    header = terminal(calendar(), unicode=False)[0]
    # column k's digit is at 5 + 2k: Jan over Mon 29 Dec (k=1), Feb over Mon 2 Feb (k=6),
    # Mar over Mon 2 Mar (k=10), never over the week of Mon 23 Feb (k=9)
    assert {name: header.index(name) for name in ("Jan", "Feb", "Mar")} == {
        "Jan": 5 + 2 * 1, "Feb": 5 + 2 * 6, "Mar": 5 + 2 * 10}
