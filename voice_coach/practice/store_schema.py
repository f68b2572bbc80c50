"""The history file's format: the application id, the schema migrations (PRAGMA user_version
counts those applied), the sessions table's columns, and a SessionRecord as a row and back.

Pure: SQL text and conversions; the store (store.py) runs them.
"""

from __future__ import annotations

from datetime import datetime, timezone

from .days import offset_zone
from .records import SessionRecord
from .stored import time_text, utc_text

APPLICATION_ID = 0x56434F41  # "VCOA": marks the file as voice-coach's

# Each entry takes the store from version i to i + 1; never edit one that has shipped.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        uid TEXT NOT NULL UNIQUE,
        routine TEXT NOT NULL,
        title TEXT NOT NULL,
        routine_hash TEXT NOT NULL,
        language TEXT NOT NULL,
        voice TEXT NOT NULL,
        started_utc TEXT NOT NULL,      -- 'YYYY-MM-DD HH:MM:SS' in UTC
        ended_utc TEXT NOT NULL,
        utc_offset_min INTEGER NOT NULL, -- the local offset where it was done
        time_zone TEXT NOT NULL,
        local_start TEXT NOT NULL,      -- started_utc moved by the offset: the wall clock there
        planned_sets INTEGER NOT NULL,
        done_sets INTEGER NOT NULL,
        planned_reps INTEGER NOT NULL,
        done_reps INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('completed', 'partial', 'stopped')),
        source TEXT NOT NULL
    );
    """,
    """
    ALTER TABLE sessions ADD COLUMN effort INTEGER CHECK (effort BETWEEN 0 AND 10);
    ALTER TABLE sessions ADD COLUMN pain INTEGER CHECK (pain BETWEEN 0 AND 10);
    ALTER TABLE sessions ADD COLUMN note TEXT NOT NULL DEFAULT '';
    CREATE INDEX sessions_by_local_start ON sessions (local_start);
    """,
    """
    ALTER TABLE sessions ADD COLUMN legs TEXT CHECK (legs IN ('lighter', 'same', 'heavier'));
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

COLUMNS = ("uid, routine, title, routine_hash, language, voice, started_utc, ended_utc, "
           "utc_offset_min, time_zone, local_start, planned_sets, done_sets, planned_reps, "
           "done_reps, status, source, effort, pain, note, legs")


def statements(script: str) -> list[str]:
    """A migration's SQL statements, one by one."""
    return [s.strip() for s in script.split(";") if s.strip() and not s.strip().startswith("--")]


def to_db_row(r: SessionRecord) -> tuple:
    """The session as a row of the sessions table, in COLUMNS order."""
    offset = r.started.utcoffset()
    offset_min = int(offset.total_seconds() // 60) if offset is not None else 0
    local = time_text(r.started.astimezone(offset_zone(offset_min)))
    return (r.uid, r.routine, r.title, r.routine_hash, r.language, r.voice,
            utc_text(r.started), utc_text(r.ended), offset_min, r.time_zone, local,
            r.planned_sets, r.done_sets, r.planned_reps, r.done_reps, r.status, r.source,
            r.effort, r.pain, r.note, r.legs)


def from_db_row(row: tuple) -> SessionRecord:
    """The session a row (COLUMNS, in order) holds; ValueError, TypeError or OverflowError
    for a row no reader can use."""
    (uid, routine, title, rhash, language, voice, started, ended, offset_min, zone, _local,
     planned_sets, done_sets, planned_reps, done_reps, status, source, effort, pain,
     note, legs) = row
    local = offset_zone(int(offset_min))

    def moment(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).astimezone(local)

    return SessionRecord(uid, routine, title, rhash, language, voice, moment(started),
                         moment(ended), zone, planned_sets, done_sets, planned_reps, done_reps,
                         status, source, effort, pain, note or "", legs)
