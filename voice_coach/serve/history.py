"""Where the phone page's "Done" goes, and how many sets today holds.

The seam with the daily practice is two calls into voice_coach.practice, made only when that
package imports: a Done becomes a history record as `voice-coach done ROUTINE` makes one
(recorder.done_record, source "done", all the routine's sets), written with store.Store; today's
sets are the history's (Store.day_totals with the config's rollover hour), so sets played with
`play` count too. Without the package, or when the history cannot be written, the page's own
marks in the library's done.json count instead (a day then rolls over at 4:00, as there).

The page's marks are kept in done.json either way: the page lists today's from them.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from voice_coach.errors import VoiceCoachError

from .library import Entry, Library, write_json_atomic

DONE_FILE = "done.json"
DAY_ROLLOVER_HOUR = 4  # the practice config's default: a set at 1 a.m. counts for the evening


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
    """Today's sets, the sessions marked done from the page today (newest first), where the
    count comes from ("practice" or "library"), and why not the practice history, if not."""

    sets: int
    marks: tuple[DoneMark, ...]
    kept_by: str
    problem: str = ""


def practice() -> Any | None:
    """The practice package when it is installed with the history, else None."""
    try:
        from voice_coach.practice import recorder, store  # noqa: F401
    except ImportError:
        return None
    import voice_coach.practice

    return voice_coach.practice


def _now() -> datetime:
    """Now, from the practice clock where it is installed (so $VOICE_COACH_NOW holds here as
    in `today` and `done`), else the computer's."""
    if practice() is not None:
        from voice_coach.practice.days import system_clock

        try:
            return system_clock().now()
        except VoiceCoachError:
            pass  # a bad $VOICE_COACH_NOW is the practice commands' to report
    return datetime.now().astimezone()


def record_done(library: Library, entry: Entry, now: datetime | None = None, *,
                legs: str | None = None, pain: int | None = None) -> Today:
    """Records `entry` as done now (all its sets): in the practice history when there is one,
    and in done.json. A history that cannot be written is reported in Today.problem.
    legs, pain: the check-in after it (lighter/same/heavier, 0-10), kept with the session."""
    now = (now or _now()).astimezone()
    r = entry.rendered
    routine = entry.source if entry.builtin else Path(entry.source).stem
    mark = DoneMark(key=entry.key, routine=routine, title=r.title if r else entry.key,
                    sets=r.sets if r else 1, at=now.isoformat(timespec="seconds"))
    problem = ""
    if practice() is not None:
        try:
            _record_in_history(entry, now, legs, pain)
        except VoiceCoachError as exc:
            problem = exc.message
    with library.locked():
        marks = _read(library, repair=True)
        marks.append(mark)
        write_json_atomic(library.root / DONE_FILE,
                          {"version": 1, "done": [asdict(m) for m in marks]})
    result = today(library, now)
    return Today(result.sets, result.marks, result.kept_by, problem or result.problem)


def today(library: Library, now: datetime | None = None) -> Today:
    """Sets done today: the practice history's count when it can be read, else the page's."""
    now = (now or _now()).astimezone()
    problem = ""
    if practice() is not None:
        try:
            sets, rollover = _history_sets_today(now)
        except VoiceCoachError as exc:
            problem = exc.message
        else:
            return Today(sets, _marks_since(library, day_start(now, rollover)), "practice")
    marks = _marks_since(library, day_start(now))
    return Today(sum(m.sets for m in marks), marks, "library", problem)


def _record_in_history(entry: Entry, now: datetime, legs: str | None = None,
                       pain: int | None = None) -> None:
    from voice_coach.practice.recorder import done_record
    from voice_coach.practice.store import Store

    from .build import load_entry_routine

    routine, _ = load_entry_routine(entry)
    length_ms = entry.rendered.duration_ms if entry.rendered else None
    record = done_record(routine, sets=None, started=None, now=now, length_ms=length_ms,
                         legs=legs, pain=pain)
    with Store.open(write=True) as store:
        store.add(record)


def _history_sets_today(now: datetime) -> tuple[int, int]:
    """(sets today, the rollover hour) from the practice history and config."""
    from voice_coach.practice.config import load_config
    from voice_coach.practice.days import practice_day
    from voice_coach.practice.store import Store

    rollover = int(load_config()["practice.rollover_hour"])
    with Store.open(write=False) as store:
        totals = {day: sets for day, sets, _ in store.day_totals(rollover)}
    return totals.get(practice_day(now, rollover), 0), rollover


def day_start(now: datetime, rollover_hour: int = DAY_ROLLOVER_HOUR) -> datetime:
    """The start of the day `now` belongs to (local time, rolling over at rollover_hour)."""
    start = now.replace(hour=rollover_hour, minute=0, second=0, microsecond=0)
    return start - timedelta(days=1) if now < start else start


def _marks_since(library: Library, start: datetime) -> tuple[DoneMark, ...]:
    return tuple(sorted((m for m in _read(library) if _after(m.at, start)),
                        key=lambda m: m.at, reverse=True))


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
