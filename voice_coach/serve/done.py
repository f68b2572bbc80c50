"""Where the phone page's "Done" goes, and how many sets today holds.

The seam with the daily practice is two calls into voice_coach.practice, made only when that
package imports: a Done becomes a history record as `voice-coach done ROUTINE` makes one
(recorder.done_record, source "done", the sets heard, at the time the listening started, with
an id made from the page's listening id so a repeated Done is one record), written with
store.Store; today's
sets are the history's (Store.day_totals with the config's rollover hour), so sets played with
`play` count too. Without the package, or when the history cannot be written, the page's own
marks in the library's done.json count instead (a day then rolls over at 4:00, as there).

The page's marks are kept in done.json either way: the page lists today's from them.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from voice_coach.basics.errors import VoiceCoachError

from .library import Entry, Library, write_json_atomic

DONE_FILE = "done.json"
DAY_ROLLOVER_HOUR = 4  # the practice config's default: a set at 1 a.m. counts for the evening
HEARD_SHARE = 0.75  # a set counts as heard when this share of it was played
LISTENING_NS = uuid.UUID("6f1c2b5e-3d0a-5a8e-9a57-2f4c1e8b7d10")  # history ids from listenings


@dataclass(frozen=True)
class DoneMark:
    key: str
    routine: str
    title: str
    sets: int
    at: str  # ISO 8601 with the local UTC offset: when the listening started
    source: str = "phone"
    listening_id: str = ""


@dataclass(frozen=True)
class Today:
    """Today's sets, the sessions marked done from the page today (newest first), where the
    count comes from ("practice" or "library"), and why not the practice history, if not."""

    sets: int
    marks: tuple[DoneMark, ...]
    kept_by: str
    problem: str = ""
    goal: int | None = None  # the daily goal from the practice config, when there is one
    repeat: bool = False  # the Done was for a listening already recorded


@dataclass(frozen=True)
class Listening:
    """What the page says about one playback: its id, when it started and what was played."""

    listening_id: str
    started: datetime | None = None
    played_s: tuple[tuple[float, float], ...] | None = None  # None: the whole session
    effort: int | None = None
    pain: int | None = None
    legs: str | None = None  # the check-in: lighter, same or heavier


def sets_heard(played_s: Sequence[tuple[float, float]], set_spans_ms: Sequence[Sequence[int]],
               duration_ms: int) -> int:
    """How many sets were heard: those whose span was played for HEARD_SHARE of it or more
    (a session without set chapters counts as one set when that share of it was played)."""
    spans = [(int(a), int(b)) for a, b in set_spans_ms] or [(0, duration_ms)]
    ranges = _merged([(max(0.0, a) * 1000, max(0.0, b) * 1000) for a, b in played_s if b > a])
    heard = 0
    for start, end in spans:
        covered = sum(max(0.0, min(end, b) - max(start, a)) for a, b in ranges)
        if end > start and covered >= HEARD_SHARE * (end - start):
            heard += 1
    return heard


def _merged(ranges: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def practice() -> Any | None:
    """The practice package when it is installed with the history, else None."""
    try:
        from voice_coach.practice import recorder, store  # noqa: F401
    except ImportError:
        return None
    import voice_coach.practice

    return voice_coach.practice


def clock_now() -> datetime:
    """Now, from the practice clock where it is installed (so $VOICE_COACH_NOW holds here as
    in `today` and `done`), else the computer's."""
    if practice() is not None:
        from voice_coach.practice.days import system_clock

        try:
            return system_clock().now()
        except VoiceCoachError:
            pass  # a bad $VOICE_COACH_NOW is the practice commands' to report
    return datetime.now().astimezone()


def record_done(library: Library, entry: Entry, now: datetime | None = None,
                listening: Listening | None = None) -> Today:
    """Records `entry` as done: the sets heard in `listening` (all of them without one), at
    the time the listening started, once per listening id (a repeated Done changes nothing),
    in the practice history when there is one and in done.json. A history that cannot be
    written is reported in Today.problem."""
    now = (now or clock_now()).astimezone()
    r = entry.rendered
    listening = listening or Listening(listening_id="")
    all_sets = r.sets if r else 1
    sets = all_sets if listening.played_s is None or r is None else min(
        all_sets, sets_heard(listening.played_s, r.set_spans_ms, r.duration_ms))
    started = (listening.started or now).astimezone()
    routine = entry.source if entry.builtin else Path(entry.source).stem
    mark = DoneMark(key=entry.key, routine=routine, title=r.title if r else entry.key,
                    sets=sets, at=started.isoformat(timespec="seconds"),
                    listening_id=listening.listening_id)
    problem, repeat = "", False
    with library.locked():
        marks = _read(library, repair=True)
        repeat = bool(listening.listening_id) and any(
            m.listening_id == listening.listening_id for m in marks)
        if not repeat:
            marks.append(mark)
            write_json_atomic(library.root / DONE_FILE,
                              {"version": 1, "done": [asdict(m) for m in marks]})
    if practice() is not None and not repeat:
        try:
            repeat = not _record_in_history(
                entry, now, None if listening.played_s is None else sets, listening)
        except VoiceCoachError as exc:
            problem = exc.message
    result = today(library, now)
    return Today(result.sets, result.marks, result.kept_by, problem or result.problem,
                 result.goal, repeat)


def today(library: Library, now: datetime | None = None) -> Today:
    """Sets done today: the practice history's count when it can be read, else the page's."""
    now = (now or clock_now()).astimezone()
    problem = ""
    if practice() is not None:
        try:
            sets, rollover, goal = _history_sets_today(now)
        except VoiceCoachError as exc:
            problem = exc.message
        else:
            return Today(sets, _marks_since(library, day_start(now, rollover)), "practice",
                         goal=goal)
    marks = _marks_since(library, day_start(now))
    return Today(sum(m.sets for m in marks), marks, "library", problem)


def _record_in_history(entry: Entry, now: datetime, sets: int | None,
                       listening: Listening) -> bool:
    """Adds the record (sets None: all the routine's); False when this listening is recorded
    already (its id is the record's, so the store keeps one whatever the retries)."""
    import dataclasses

    from voice_coach.practice.recorder import done_record
    from voice_coach.practice.store import Store

    from .build import load_entry_routine

    routine, _ = load_entry_routine(entry)
    length_ms = entry.rendered.duration_ms if entry.rendered else None
    record = done_record(routine, sets=sets, started=listening.started, now=now,
                         length_ms=length_ms, effort=listening.effort, pain=listening.pain,
                         legs=listening.legs)
    if listening.listening_id:
        uid = uuid.uuid5(LISTENING_NS, f"{entry.key}\x1f{listening.listening_id}").hex
        record = dataclasses.replace(record, uid=uid)
    with Store.open(write=True) as store:
        return store.add(record)


def _history_sets_today(now: datetime) -> tuple[int, int, int]:
    """(sets today, the rollover hour, the daily goal) from the practice history and config."""
    from voice_coach.practice.config import load_config
    from voice_coach.practice.days import practice_day
    from voice_coach.practice.store import Store

    config = load_config()
    rollover = int(config["practice.rollover_hour"])
    with Store.open(write=False) as store:
        totals = {day: sets for day, sets, _ in store.day_totals(rollover)}
    return (totals.get(practice_day(now, rollover), 0), rollover,
            int(config["practice.daily_goal"]))


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
