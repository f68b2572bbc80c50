"""One practised session as data, and its exchange forms: CSV and JSON rows of one shape.

Pure: no clock, no files. The store keeps these; `history --csv/--json/--import` moves them.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, fields, replace
from datetime import datetime, timezone, tzinfo
from typing import Any

from .days import check_moment, offset_name

STATUSES = ("completed", "partial", "stopped")
SOURCES = ("play", "remind", "done", "import")
NOTE_MAX_CHARS = 2000
LEGS = ("lighter", "same", "heavier")  # how the legs feel after a session (the check-in)
LEGS_WORDS = {"lighter": "lighter", "better": "lighter", "same": "same", "the same": "same",
              "heavier": "heavier", "worse": "heavier"}  # what a person may type for each


def legs_value(text: str | None) -> str | None:
    """One of LEGS for what a person typed (None for nothing); ValueError for anything else."""
    if text is None or not text.strip():
        return None
    value = LEGS_WORDS.get(" ".join(text.strip().lower().split()))
    if value is None:
        raise ValueError(f"{text!r} is not how legs feel: say lighter, same or heavier")
    return value

# The CSV/JSON columns, in order, and what each holds (README "History columns" says the same).
COLUMNS: dict[str, str] = {
    "id": "a unique id of the session (imports with a known id are skipped, not doubled)",
    "routine": "the routine's name (a built-in name or a file's stem)",
    "title": "the routine's title",
    "routine_hash": "the first 16 hex digits of the SHA-256 of the routine file's text",
    "language": "the voice's language, e.g. en",
    "voice": "the engine and voice that spoke, e.g. piper:en_US-joe-medium",
    "started": "local start time with its UTC offset, ISO 8601 (2026-12-01T21:30:00+01:00)",
    "ended": "local end time with its UTC offset, ISO 8601",
    "time_zone": "the time zone it was done in (Europe/Berlin, or +01:00 when unnamed)",
    "planned_sets": "sets the session had in it",
    "done_sets": "sets done to the end",
    "planned_reps": "repetitions the session had in it",
    "done_reps": "repetitions done to the end",
    "status": "completed, partial (ended early) or stopped (interrupted: Ctrl-C, shutdown)",
    "source": "play, remind, done (followed elsewhere, e.g. a phone file) or import",
    "effort": "how hard it felt, 0-10 (empty when not given)",
    "pain": "pain felt, 0-10 (empty when not given)",
    "note": "a free note",
    "legs": "how the legs felt after it: lighter, same or heavier (empty when not given)",
}


@dataclass(frozen=True)
class SessionRecord:
    """A session as it was done. Times are aware datetimes in the zone it was done in."""

    uid: str
    routine: str
    title: str
    routine_hash: str
    language: str
    voice: str
    started: datetime
    ended: datetime
    time_zone: str
    planned_sets: int
    done_sets: int
    planned_reps: int
    done_reps: int
    status: str
    source: str
    effort: int | None = None
    pain: int | None = None
    note: str = ""
    legs: str | None = None  # one of LEGS, or None when not asked or skipped

    @property
    def duration_s(self) -> int:
        # instants, not wall clocks: two times in one ZoneInfo zone subtract as wall times
        return max(0, round((self.ended.astimezone(timezone.utc)
                             - self.started.astimezone(timezone.utc)).total_seconds()))

    def to_row(self) -> dict[str, Any]:
        """The record as one CSV/JSON row (COLUMNS, in order)."""
        return {
            "id": self.uid, "routine": self.routine, "title": self.title,
            "routine_hash": self.routine_hash, "language": self.language, "voice": self.voice,
            "started": iso(self.started), "ended": iso(self.ended), "time_zone": self.time_zone,
            "planned_sets": self.planned_sets, "done_sets": self.done_sets,
            "planned_reps": self.planned_reps, "done_reps": self.done_reps,
            "status": self.status, "source": self.source, "effort": self.effort,
            "pain": self.pain, "note": self.note, "legs": self.legs,
        }


def new_uid() -> str:
    return uuid.uuid4().hex


def content_uid(row: dict[str, str]) -> str:
    """A stable id for an imported row that has none: the same row imports once."""
    text = "\x1f".join(str(row.get(k, "")) for k in COLUMNS if k != "id")
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def routine_hash(source: str | bytes) -> str:
    data = source.encode("utf-8") if isinstance(source, str) else source
    return hashlib.sha256(data).hexdigest()[:16]


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def status_for(planned_sets: int, done_sets: int, interrupted: bool) -> str:
    if interrupted:
        return "stopped"
    return "completed" if done_sets >= planned_sets else "partial"


class RowError(ValueError):
    """One bad value in an imported row: the column and what is wrong."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column = column


def from_row(row: dict[str, Any], now: datetime | None = None) -> SessionRecord:
    """A CSV/JSON row back to a record; RowError names the first bad column.

    now: when given, times are checked as every time entering the history is
    (days.check_moment: from 1970 to a day after now)."""
    def text(key: str, required: bool = True, max_chars: int = 200) -> str:
        value = row.get(key)
        value = "" if value is None else str(value).strip()
        if required and not value:
            raise RowError(key, f"'{key}' is empty")
        if len(value) > max_chars:
            raise RowError(key, f"'{key}' is longer than {max_chars} characters")
        return value

    def count(key: str) -> int:
        value = text(key)
        try:
            number = int(value)
        except ValueError:
            raise RowError(key, f"'{key}' must be a whole number, got {value!r}") from None
        if not 0 <= number <= 100_000:
            raise RowError(key, f"'{key}' must be from 0 to 100000, got {number}")
        return number

    def rating(key: str) -> int | None:
        value = text(key, required=False)
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            raise RowError(key, f"'{key}' must be a whole number from 0 to 10, got {value!r}") \
                from None
        if not 0 <= number <= 10:
            raise RowError(key, f"'{key}' must be from 0 to 10, got {number}")
        return number

    def moment(key: str) -> datetime:
        value = text(key)
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise RowError(key, f"'{key}' must be a time like 2026-12-01T21:30:00+01:00, "
                                f"got {value!r}") from None
        if parsed.tzinfo is None:
            raise RowError(key, f"'{key}' needs its UTC offset, e.g. "
                                f"{value}+01:00, got {value!r}")
        if now is not None:
            try:
                check_moment(parsed, now, f"'{key}'")
            except ValueError as exc:
                raise RowError(key, str(exc)) from None
        return parsed

    status = text("status")
    if status not in STATUSES:
        raise RowError("status", f"'status' must be one of {', '.join(STATUSES)}, got {status!r}")
    source = text("source", required=False) or "import"
    if source not in SOURCES:
        raise RowError("source", f"'source' must be one of {', '.join(SOURCES)}, got {source!r}")
    legs = text("legs", required=False).lower() or None
    if legs is not None and legs not in LEGS:
        raise RowError("legs", f"'legs' must be one of {', '.join(LEGS)} or empty, got {legs!r}")
    started, ended = moment("started"), moment("ended")
    if ended < started:
        raise RowError("ended", "'ended' is before 'started'")
    record = SessionRecord(
        uid=text("id", required=False, max_chars=64), routine=text("routine"),
        title=text("title", required=False) or text("routine"),
        routine_hash=text("routine_hash", required=False, max_chars=64),
        language=text("language", required=False), voice=text("voice", required=False),
        started=started, ended=ended,
        time_zone=text("time_zone", required=False) or offset_name(started),
        planned_sets=count("planned_sets"), done_sets=count("done_sets"),
        planned_reps=count("planned_reps"), done_reps=count("done_reps"),
        status=status, source=source, effort=rating("effort"), pain=rating("pain"),
        note=text("note", required=False, max_chars=NOTE_MAX_CHARS), legs=legs)
    if not record.uid:
        record = replace(record, uid=content_uid({k: row.get(k, "") for k in COLUMNS}))
    return record


FIELD_NAMES = tuple(f.name for f in fields(SessionRecord))


def zone_label(moment: datetime, time_zone: str) -> str:
    """The zone's short name at that moment ('CET', 'EDT'), else its offset ('+05:30')."""
    if time_zone and not time_zone.startswith(("+", "-")):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            there = moment.astimezone(ZoneInfo(time_zone))
            name = there.tzname() or ""
            if there.utcoffset() == moment.utcoffset() and name and name[0].isalpha():
                return name
        except (ZoneInfoNotFoundError, ValueError, OverflowError):
            pass
    return offset_name(moment)


def clock_text(moment: datetime, time_zone: str, viewer: tzinfo | None) -> str:
    """'16:00' when the time was recorded in the zone the viewer is in (the same offset then),
    else '16:00 CET': the wall clock where it was done, with that zone's name."""
    text = moment.strftime("%H:%M")
    try:
        same = viewer is not None and moment.astimezone(viewer).utcoffset() == \
            moment.utcoffset()
    except (OverflowError, ValueError):
        same = False
    return text if same else f"{text} {zone_label(moment, time_zone)}"
