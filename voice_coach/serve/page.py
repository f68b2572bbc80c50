"""The phone page: the session list, today's sets and the feed link, filled into the shipped
HTML template (page/index.html) on the server, so it reads without JavaScript too.

Pure apart from reading the template: episodes in, HTML text out; every value is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from html import escape
from importlib import resources
from string import Template
from urllib.parse import quote

from voice_coach.lang.counted import counted
from voice_coach.plan.timeline import format_length_ms

from .build import language_name
from .done import Today
from .feed import Episode
from .sidecars import download_name

PAGE_PACKAGE = "voice_coach.serve"
PAGE_FOLDER = "page"
STATIC_FILES = ("style.css", "app.js", "offline.js")


def page_dir():
    return resources.files(PAGE_PACKAGE) / PAGE_FOLDER


def render_page(episodes: Sequence[Episode], today: Today, *, feed_url: str,
                progress: dict | None = None, certificate: bool = False) -> str:
    """The page; progress: the background renderer's snapshot (what is still being made);
    certificate: offer the local certificate authority (serve --tls)."""
    template = Template((page_dir() / "index.html").read_text(encoding="utf-8"))
    preparing = preparing_text(progress)
    return template.substitute(
        feed_url=escape(feed_url), sessions=_sessions(episodes, preparing),
        today_text=escape(today_text(today)), today_list=_today_list(today),
        preparing_text=escape(preparing), preparing_hidden="" if preparing else " hidden",
        rating_options="".join(f'<option value="{n}">{n}</option>' for n in range(11)),
        certificate=('<p class="certificate">New phone? <a href="ca.crt">Install this '
                     "computer's certificate</a> once, so the page opens without a warning "
                     "and keeps sessions for offline use (steps in docs/phone.md).</p>")
        if certificate else "")


def preparing_text(progress: dict | None) -> str:
    """What the page says while serve renders in the background ("" when it does not)."""
    if not progress or not progress.get("running") or not progress.get("pending"):
        return ""
    current = progress.get("current")
    left = len(progress["pending"])
    text = counted(left, "Preparing {n} more session", "Preparing {n} more sessions")
    if current:
        text += f": now {current['title']} ({round(current['fraction'] * 100)}%)"
    return text + ". Each appears here when ready."


def today_text(today: Today) -> str:
    """Today's sets as `voice-coach today` counts them: against the goal when there is one
    ("Today: 7 of 3 sets")."""
    if today.goal:
        return f"Today: {today.sets} of " + counted(today.goal, "{n} set", "{n} sets")
    if today.sets == 0:
        return "Today: no sets done yet."
    return "Today: " + counted(today.sets, "{n} set done.", "{n} sets done.")


def _sessions(episodes: Sequence[Episode], preparing: str = "") -> str:
    rendered = [e for e in episodes if e.entry.rendered is not None]
    if not rendered and preparing:
        return '<ul class="sessions"></ul>'
    if not rendered:
        return ('<p>No sessions yet. Add one on the computer with '
                '<code>voice-coach library add ROUTINE</code>, then start '
                '<code>voice-coach serve</code> again.</p>')
    items = [_session(e) for e in rendered]
    return '<ul class="sessions">\n' + "\n".join(items) + "\n</ul>"


def _session(episode: Episode) -> str:
    entry, r = episode.entry, episode.entry.rendered
    if r is None:
        return ""
    key = escape(entry.key)
    title = escape(r.title)
    sets = counted(r.sets, "{n} set", "{n} sets")
    meta = " · ".join([format_length_ms(r.duration_ms), language_name(r.language), sets])
    about = f'<p class="about">{escape(r.about)}</p>' if r.about else ""
    if r.dose:  # today's dose of a routine that grows, or the stop message
        about += f'\n  <p class="about dose" lang="{escape(r.language)}">{escape(r.dose)}</p>'
    audio = "media/" + quote(r.audio)
    return (
        f'<li class="session" id="{key}" lang="{escape(r.language)}" data-key="{key}" '
        f'data-title="{title}" data-size="{r.size_bytes}" '
        f'data-audio="{escape(audio)}" data-chapters="media/{escape(quote(r.chapters))}" '
        f'data-transcript="media/{escape(quote(r.transcript))}" '
        f'data-language="{escape(r.language)}">\n'
        f'  <h3 id="{key}-title">{title}</h3>\n'
        f'  <p class="meta" lang="en">{escape(meta)}</p>\n'
        f"  {about}\n"
        f'  <p class="actions" lang="en"><button type="button" class="play" '
        f'aria-describedby="{key}-title">Play</button> '
        f'<a href="{escape(audio)}" download="{escape(download_name(r.title))}" '
        f'aria-describedby="{key}-title">Download</a> '
        f'<button type="button" class="keep" aria-describedby="{key}-title" hidden>'
        f'Keep for offline ({_megabytes(r.size_bytes)})</button></p>\n'
        f'  <p class="kept" lang="en" role="status" aria-live="polite"></p>\n'
        f"</li>")


def _megabytes(size_bytes: int) -> str:
    return f"{size_bytes / 1e6:.1f} MB"


def _today_list(today: Today) -> str:
    if not today.marks:
        return '<ul id="today-list" class="today-list" hidden></ul>'
    items = "".join(f"<li>{escape(m.title)}, " + counted(m.sets, "{n} set", "{n} sets")
                    + f", at {_clock(m.at)}</li>" for m in today.marks)
    return f'<ul id="today-list" class="today-list">{items}</ul>'


def _clock(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).strftime("%H:%M")
    except ValueError:
        return iso
