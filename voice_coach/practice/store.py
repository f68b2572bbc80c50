"""The history store: one SQLite file in the user's data folder, written in transactions (WAL).

A crash or a kill at any moment leaves it whole; two processes writing at once both land (WAL,
BEGIN IMMEDIATE, a busy timeout). It has a schema version (PRAGMA user_version) with migrations,
and an application id so a foreign SQLite file is recognised and never changed. The schema, its
migrations and the row form of a session are in store_schema.py.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from voice_coach.basics.errors import VoiceCoachError

from .records import SessionRecord
from .store_schema import (
    APPLICATION_ID,
    COLUMNS,
    MIGRATIONS,
    SCHEMA_VERSION,
    from_db_row,
    statements,
    to_db_row,
)
from .stored import VALID_ROW, BadRow, day_start, good_time

ENV_DATA_DIR = "VOICE_COACH_DATA_DIR"
STORE_NAME = "history.sqlite3"
BUSY_TIMEOUT_MS = 15_000
SQLITE_MAGIC = b"SQLite format 3\x00"


class StoreError(VoiceCoachError):
    """The history cannot be read or written; the file is left as it was."""

    exit_code = 1


def data_dir() -> Path:
    """The folder the history lives in: $VOICE_COACH_DATA_DIR, else the user's data folder."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("voice-coach", appauthor=False))


def store_path() -> Path:
    """The history database file in the data folder."""
    return data_dir() / STORE_NAME


def _moved_aside_hint(path: Path) -> str:
    return (f"nothing was changed; move it aside (mv {path} {path}.old) and voice-coach starts a "
            f"new history, or set {ENV_DATA_DIR} to another folder")


class Store:
    """An open history. Use as a context manager, or call close()."""

    def __init__(self, path: Path, conn: sqlite3.Connection, readonly: bool) -> None:
        self.path, self._conn, self.readonly = path, conn, readonly

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path | None = None, *, write: bool = True) -> Store:
        """Opens (and with write=True creates and migrates) the history at `path`.

        With write=False a missing file reads as empty and a read-only folder still reads.
        Raises StoreError: not an SQLite file, another program's database, damaged, from a
        newer voice-coach, or a folder that cannot be written.
        """
        path = Path(path) if path is not None else store_path()
        _check_file(path)
        if not write and not path.exists():
            conn = sqlite3.connect(":memory:", isolation_level=None)
            store = cls(path, conn, readonly=True)
            store._migrate()
            return store
        if write:
            _check_folder(path)
        existed = path.exists() and path.stat().st_size > 0
        try:
            conn = _connect(path, readonly=not write)
        except sqlite3.Error as exc:
            raise _error(path, exc) from None
        store = cls(path, conn, readonly=not write)
        try:
            store._check_identity()  # before anything is written to the file
            store._check_version(store._version())
            if write and existed:  # never add to a damaged file: it would hide the damage
                result = conn.execute("PRAGMA quick_check").fetchone()[0]
                if result != "ok":
                    raise StoreError(f"{path} is damaged and cannot be read ({result})",
                                     _moved_aside_hint(path))
            if not write and store._version() < SCHEMA_VERSION:  # older: bring it up to date
                conn.close()
                if not os.access(path.parent, os.W_OK):
                    raise StoreError(f"{path} is from an older voice-coach and its folder "
                                     "cannot be written to bring it up to date",
                                     "make the folder writable once, then run again")
                return cls.open(path, write=True)
            if write:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")  # a committed session survives power
                store._migrate()
        except sqlite3.Error as exc:
            conn.close()
            raise _error(path, exc) from None
        except BaseException:
            conn.close()
            raise
        return store

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def _version(self) -> int:
        return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def _check_identity(self) -> None:
        app_id = int(self._conn.execute("PRAGMA application_id").fetchone()[0])
        if app_id == APPLICATION_ID:
            return
        tables = self._conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if app_id != 0 or tables:
            raise StoreError(f"{self.path} is not a voice-coach history: it is another "
                             "program's SQLite database", _moved_aside_hint(self.path))

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer voice-coach (history version {version}; "
                f"this one knows up to {SCHEMA_VERSION})",
                "upgrade voice-coach (pip install -U voice-coach); the history was not changed")

    def _migrate(self) -> None:
        """Brings the schema to SCHEMA_VERSION, each step in its own transaction."""
        version = self._version()
        self._check_version(version)
        while version < SCHEMA_VERSION:
            with self._transaction():
                version = self._version()  # another process may have migrated meanwhile
                self._check_version(version)
                if version >= SCHEMA_VERSION:
                    break
                if version == 0:
                    self._conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                for statement in statements(MIGRATIONS[version]):
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {version + 1}")
            version += 1

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- writing ------------------------------------------------------------------------------

    def add(self, record: SessionRecord) -> bool:
        """Stores one session; False when a session with its id is already there."""
        return self.add_many([record]) == 1

    def add_many(self, records: Iterable[SessionRecord]) -> int:
        """Stores sessions in one transaction (all or none); returns how many were new."""
        if self.readonly:
            raise StoreError(f"{self.path} is open for reading only")
        try:
            rows = [to_db_row(r) for r in records]
        except OverflowError:
            raise StoreError("a session's time is out of range; nothing was written",
                             "check the dates given") from None
        for row in rows:
            if not all(map(good_time, (row[6], row[7], row[10]))):
                raise StoreError(f"session {row[0]} has a time before 1970 ({row[6]}); "
                                 "nothing was written", "check the dates given")
        marks = ", ".join("?" * len(COLUMNS.split(",")))
        try:
            with self._transaction() as conn:
                before = conn.total_changes
                conn.executemany(f"INSERT OR IGNORE INTO sessions ({COLUMNS}) VALUES ({marks})",
                                 rows)
                return conn.total_changes - before
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None

    def check_in(self, uid: str, pain: int | None, legs: str | None) -> bool:
        """Keeps a check-in (pain 0-10, legs lighter/same/heavier; None leaves it as it is)
        with the session `uid`; False when there is no such session."""
        if self.readonly:
            raise StoreError(f"{self.path} is open for reading only")
        try:
            with self._transaction() as conn:
                before = conn.total_changes
                conn.execute("UPDATE sessions SET pain = coalesce(?, pain), "
                             "legs = coalesce(?, legs) WHERE uid = ?", (pain, legs, uid))
                return conn.total_changes > before
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None

    # -- reading ------------------------------------------------------------------------------

    def sessions(self, since: date | None = None, routine: str | None = None,
                 limit: int | None = None, until: date | None = None,
                 rollover_hour: int = 4) -> list[SessionRecord]:
        """Sessions oldest first (by the instant they started); since/until: the first and last
        practice day (a session's local start less rollover_hour); limit: only the newest N.
        Rows no reader can use are left out (see bad_rows)."""
        where, args = [VALID_ROW], []
        if since is not None:
            where.append("local_start >= ?")
            args.append(day_start(since, rollover_hour))
        if until is not None:
            where.append("local_start < ?")
            args.append(day_start(until + timedelta(days=1), rollover_hour))
        if routine is not None:
            where.append("routine = ?")
            args.append(routine)
        sql = f"SELECT {COLUMNS}, id FROM sessions WHERE " + " AND ".join(where)
        sql += " ORDER BY started_utc DESC, id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        records = []
        for row in reversed(self._query(sql, args)):
            try:
                records.append(from_db_row(row[:-1]))
            except (ValueError, TypeError, OverflowError):  # bad_rows() says which and why
                continue
        return records

    def bad_rows(self) -> list[BadRow]:
        """Rows that every reader skips, with what is wrong with each (at most 100)."""
        rows = self._query(f"SELECT id, uid, started_utc, ended_utc, local_start, "
                           f"utc_offset_min FROM sessions WHERE coalesce({VALID_ROW}, 0) = 0 "
                           "ORDER BY id LIMIT 100", [])
        bad = []
        for row_id, uid, started, ended, local, offset in rows:
            column, value = next(((name, value) for name, value in (
                ("started_utc", started), ("ended_utc", ended), ("local_start", local))
                if not good_time(value)), ("utc_offset_min", offset))
            reason = (f"utc_offset_min is {offset!r}, not minutes within a day"
                      if column == "utc_offset_min" else f"{column} is {value!r}, not a time "
                      "from 1970 on written as 'YYYY-MM-DD HH:MM:SS'")
            bad.append(BadRow(int(row_id), str(uid), column, reason))
        return bad

    def day_totals(self, rollover_hour: int) -> list[tuple[date, int, int]]:
        """(practice day, sets done, sessions) for every day with a session, oldest first.

        A session belongs to the day of its local start time less rollover_hour hours.
        """
        rows = self._query(
            "SELECT date(local_start, ?) AS day, sum(done_sets), count(*) FROM sessions "
            f"WHERE {VALID_ROW} GROUP BY day ORDER BY day", [f"-{int(rollover_hour)} hours"])
        return [(date.fromisoformat(day), int(sets), int(n)) for day, sets, n in rows]

    def starts(self, rollover_hour: int, day: date) -> list[datetime]:
        """The start instants (UTC) of the sessions of one practice day, in order."""
        rows = self._query(
            f"SELECT started_utc FROM sessions WHERE {VALID_ROW} AND local_start >= ? AND "
            "local_start < ? ORDER BY started_utc",
            [day_start(day, rollover_hour),
             day_start(day + timedelta(days=1), rollover_hour)])
        return [datetime.fromisoformat(t).replace(tzinfo=timezone.utc) for (t,) in rows]

    def status_counts(self, rollover_hour: int, since: date) -> dict[str, int]:
        """Sessions by status whose practice day is `since` or later."""
        rows = self._query(
            f"SELECT status, count(*) FROM sessions WHERE {VALID_ROW} AND local_start >= ? "
            "GROUP BY status", [day_start(since, rollover_hour)])
        return {status: int(n) for status, n in rows}

    def count(self) -> int:
        return int(self._query("SELECT count(*) FROM sessions", [])[0][0])

    def integrity(self) -> str:
        return str(self._query("PRAGMA integrity_check", [])[0][0])

    def _query(self, sql: str, args: list) -> list[tuple]:
        try:
            return self._conn.execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None


def _connect(path: Path, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = _connect_readonly(path)
    else:
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """Reading. Where the file can be written, an ordinary connection (it may have to recover
    the WAL after a crash, which a read-only one cannot); else read-only, and in a folder that
    cannot be written (no room for the WAL index) as immutable."""
    if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK):
        return sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    uri = path.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        if os.access(path.parent, os.W_OK):
            raise
    return sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True, isolation_level=None)


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a voice-coach history",
                         f"set {ENV_DATA_DIR} to the folder that holds {STORE_NAME}")
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except (FileNotFoundError, NotADirectoryError):  # not there yet: the folder check says more
        return
    except OSError as exc:
        raise StoreError(f"cannot read {path}: {exc.strerror}") from None
    if head and head != SQLITE_MAGIC:
        raise StoreError(f"{path} is not a voice-coach history: it is not an SQLite database",
                         _moved_aside_hint(path))


def _check_folder(path: Path) -> None:
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the history folder {folder}: {exc.strerror}",
                         f"set {ENV_DATA_DIR} to a folder you can write") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(f"cannot write the history in {folder}: permission denied",
                         f"set {ENV_DATA_DIR} to a folder you can write, or make this one "
                         "writable")


def _error(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and ("malformed" in text
                                                   or "not a database" in text):
        return StoreError(f"{path} is damaged and cannot be read ({text})",
                          _moved_aside_hint(path))
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreError(f"cannot write the history {path}: {text}",
                          f"set {ENV_DATA_DIR} to a folder you can write")
    if "disk is full" in text or "disk I/O" in text:
        return StoreError(f"cannot write the history {path}: {text}",
                          "free some disk space; the history was not changed")
    return StoreError(f"the history {path} failed: {text}")
