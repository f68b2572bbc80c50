"""Where the phone page's "Done" goes, and how many sets today holds.

The seam with the daily practice (voice_coach.practice, built beside this): when that package
imports and has `record_done`, a Done is recorded there, and today's count comes from its
`sets_today` when it has one:

    voice_coach.practice.record_done(routine="ankle-pumps", at=<aware datetime>, sets=3,
        source="phone", title="Ankle pumps, seated", content_hash=<sha256 of the routine
        file>, language="en", voice="en")
    voice_coach.practice.sets_today(now=<aware datetime>) -> int

The page's own marks are kept in the library's done.json either way (the page lists today's);
without the practice package they are the history. Nothing else crosses the seam.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from .library import Entry, Library, write_json_atomic

DONE_FILE = "done.json"
# A day starts at 4:00, as the practice history's days do: a set at 1 a.m. counts for the
# evening before.
DAY_ROLLOVER_HOUR = 4


@dataclass(frozen=True)
class DoneMark:
    key: str
    routine: str
    title: str
    sets: int
    at: str  # ISO 8601 with the local UTC offset
    source: str = "phone"


@dataclass(frozen=True)
class Today:
    """Today's sets, and the sessions marked done from the page today (newest first)."""

    sets: int
    marks: tuple[DoneMark, ...]
    kept_by: str  # "practice" or "library"


def practice_hook() -> Any | None:
    """The practice package if it offers record_done, else None."""
    try:
        from voice_coach import practice  # type: ignore[attr-defined]
    except ImportError:
        return None
    return practice if callable(getattr(practice, "record_done", None)) else None


def record_done(library: Library, entry: Entry, now: datetime | None = None) -> Today:
    """Records `entry` as done now (its planned sets), in the practice history or done.json."""
    now = (now or datetime.now()).astimezone()
    r = entry.rendered
    routine = entry.source if entry.builtin else Path(entry.source).stem
    mark = DoneMark(key=entry.key, routine=routine, title=r.title if r else entry.key,
                    sets=r.sets if r else 1, at=now.isoformat(timespec="seconds"))
    hook = practice_hook()
    if hook is not None:
        hook.record_done(routine=routine, at=now, sets=mark.sets, source="phone",
                         title=mark.title, content_hash=r.source_sha256 if r else "",
                         language=r.language if r else "", voice=r.voice if r else "")
    with library.locked():
        marks = _read(library, repair=True)
        marks.append(mark)
        write_json_atomic(library.root / DONE_FILE,
                          {"version": 1, "done": [asdict(m) for m in marks]})
    return today(library, now)


def today(library: Library, now: datetime | None = None) -> Today:
    """Sets done today: the practice history's count when it keeps one, else the page's marks."""
    now = (now or datetime.now()).astimezone()
    start = day_start(now)
    marks = tuple(sorted((m for m in _read(library) if _after(m.at, start)),
                         key=lambda m: m.at, reverse=True))
    hook = practice_hook()
    counter = getattr(hook, "sets_today", None) if hook is not None else None
    if callable(counter):
        return Today(int(counter(now=now)), marks, "practice")
    return Today(sum(m.sets for m in marks), marks, "library")


def day_start(now: datetime) -> datetime:
    """The start of the day `now` belongs to (local time, rolling over at 4:00)."""
    start = now.replace(hour=DAY_ROLLOVER_HOUR, minute=0, second=0, microsecond=0)
    return start - timedelta(days=1) if now < start else start


def _after(iso: str, start: datetime) -> bool:
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return False
    return (when if when.tzinfo else when.astimezone()) >= start


def _read(library: Library, *, repair: bool = False) -> list[DoneMark]:
    """The marks in done.json (none when it is missing). A damaged file counts as none; with
    repair it is moved aside (done.json.damaged) so the next Done starts a fresh one."""
    path = library.root / DONE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    try:
        return [DoneMark(**m) for m in json.loads(text)["done"]]
    except (ValueError, KeyError, TypeError):
        if repair:
            with contextlib.suppress(OSError):
                path.replace(path.with_name(DONE_FILE + ".damaged"))
        return []
