"""The check-in after a session: single keys (l/s/h, then 0-10), Enter or a timeout skips, no
terminal asks nothing; the answers are kept with the session (a real SQLite history), and a
real `play` on a pseudo-terminal asks and stores them."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from voice_coach.live.checkin import CheckIn, ask, ask_on_terminal
from voice_coach.practice.records import SessionRecord
from voice_coach.practice.store import Store


class Keys:
    """Keys arriving one by one; None (a timeout) once they run out. A fake clock moves by
    the time each read waited."""

    def __init__(self, *keys: str | None) -> None:
        self.keys, self.now, self.waits = list(keys), 0.0, []

    def read(self, timeout_s: float) -> str | None:
        self.waits.append(timeout_s)
        if not self.keys:
            self.now += timeout_s
            return None
        return self.keys.pop(0)

    def clock(self) -> float:
        return self.now


def run(*keys: str | None) -> tuple[CheckIn, str]:
    shown: list[str] = []
    source = Keys(*keys)
    answer = ask(source.read, shown.append, timeout_s=30, clock=source.clock)
    return answer, "".join(shown)


@pytest.mark.parametrize("keys, expected", [
    (("l", "1"), CheckIn("lighter", 1)),
    (("s", "0"), CheckIn("same", 0)),
    (("H", "7"), CheckIn("heavier", 7)),
    (("x", "h", "1", "0"), CheckIn("heavier", 10)),   # other keys ignored; 1 then 0 is ten
    (("\n", "\n"), CheckIn(None, None)),               # Enter skips both
    (("l", "q"), CheckIn("lighter", None)),
    ((), CheckIn(None, None)),                          # nobody there: both time out
])
def test_single_keys(keys, expected) -> None:
    assert run(*keys)[0] == expected


def test_what_it_shows() -> None:
    assert run("l", "2")[1] == (
        "How do your legs feel? l lighter, s the same, h heavier (Enter skips): lighter\n"
        "Any pain? 0 none to 10 the worst (Enter skips): 2\n")
    assert run()[1].count("skipped") == 2


def test_no_terminal_asks_nothing(monkeypatch) -> None:
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    shown: list[str] = []
    assert ask_on_terminal(shown.append) == CheckIn() and shown == []


def test_the_answers_are_kept_with_the_session(tmp_path) -> None:
    start = datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    record = SessionRecord("u1", "grow", "G", "h", "en", "espeak:en", start,
                           start + timedelta(minutes=4), "UTC", 3, 3, 30, 30, "completed", "play")
    path = tmp_path / "history.sqlite3"
    with Store.open(path) as store:
        store.add(record)
        assert store.check_in("u1", 3, "lighter")
        assert not store.check_in("nope", 1, None)
        assert store.check_in("u1", None, "same")  # None keeps what is there
        (kept,) = store.sessions()
    assert (kept.pain, kept.legs) == (3, "same")
    with pytest.raises(sqlite3.IntegrityError):  # the column refuses anything else
        sqlite3.connect(path).execute("UPDATE sessions SET legs = 'wobbly'")


def test_an_older_history_gains_the_legs_column(tmp_path) -> None:
    from voice_coach.practice.store import MIGRATIONS

    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1447251777")
    for script in MIGRATIONS[:2]:
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 2")
    conn.execute("INSERT INTO sessions (uid, routine, title, routine_hash, language, voice, "
                 "started_utc, ended_utc, utc_offset_min, time_zone, local_start, planned_sets,"
                 " done_sets, planned_reps, done_reps, status, source, pain) VALUES ('old', 'r', "
                 "'R', 'h', 'en', 'v', '2026-11-30 10:00:00', '2026-11-30 10:04:00', 0, 'UTC', "
                 "'2026-11-30 10:00:00', 3, 3, 30, 30, 'completed', 'play', 2)")
    conn.commit()
    conn.close()
    with Store.open(path, write=False) as store:
        (old,) = store.sessions()
    assert (old.pain, old.legs) == (2, None)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 3
