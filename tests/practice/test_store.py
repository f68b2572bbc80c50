"""The history store on real SQLite files: round trips, WAL, migrations, kills at random moments,
writers at once, and every kind of bad file, each with a clear message and nothing changed."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from voice_coach.cli import app
from voice_coach.practice.records import SessionRecord, new_uid
from voice_coach.practice.store import (
    APPLICATION_ID,
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    StoreError,
)

REPO = Path(__file__).resolve().parents[2]
BERLIN = ZoneInfo("Europe/Berlin")
KILLS = 200
WRITERS, SESSIONS_EACH = 8, 50


def record(i: int = 0, **changes) -> SessionRecord:
    started = datetime(2026, 12, 1, 9, 0, tzinfo=BERLIN) + timedelta(hours=i)
    base = dict(uid=new_uid(), routine="ankle-pumps", title="Ankle pumps, seated",
                routine_hash="0123456789abcdef", language="en", voice="espeak:en",
                started=started, ended=started + timedelta(minutes=5), time_zone="Europe/Berlin",
                planned_sets=3, done_sets=2, planned_reps=30, done_reps=24, status="partial",
                source="play", effort=4, pain=1, note=f"note {i}")
    return SessionRecord(**{**base, **changes})


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_record_comes_back_exactly_and_the_file_is_wal_with_a_version(tmp_path):
    path = tmp_path / "data" / "history.sqlite3"
    kept = [record(0), record(1, effort=None, pain=None, note="", status="completed",
                              done_sets=3, done_reps=30, source="done")]
    with Store.open(path) as store:
        assert store.add_many(kept) == 2
        assert store.add(kept[0]) is False  # the same id lands once
        assert store.sessions() == kept
        assert store.integrity() == "ok"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_reading_a_missing_store_is_empty_and_creates_nothing(tmp_path):
    path = tmp_path / "none" / "history.sqlite3"
    with Store.open(path, write=False) as store:
        assert store.sessions() == [] and store.day_totals(4) == []
    assert not path.parent.exists()


def test_a_version_1_store_is_migrated_and_keeps_its_sessions(tmp_path):
    path = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    conn.executescript(MIGRATIONS[0])
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO sessions (uid, routine, title, routine_hash, language, voice, started_utc, "
        "ended_utc, utc_offset_min, time_zone, local_start, planned_sets, done_sets, "
        "planned_reps, done_reps, status, source) VALUES ('old', 'bedtime', 'Bedtime', 'ab', "
        "'en', 'espeak:en', '2026-11-30 20:30:00', '2026-11-30 20:35:00', 60, 'Europe/Berlin',"
        " '2026-11-30 21:30:00', 2, 2, 16, 16, 'completed', 'play')")
    conn.close()
    with Store.open(path) as store:
        (old,) = store.sessions()
        assert (old.uid, old.routine, old.effort, old.note) == ("old", "bedtime", None, "")
        assert old.started == datetime(2026, 11, 30, 21, 30, tzinfo=BERLIN)
        store.add(record())
        assert store.count() == 2
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# ---------------------------------------------------------------------------------------------
# Bad files: a clear message, exit 1 from the CLI, and not one byte changed.


def newer_store(path: Path) -> None:
    with Store.open(path) as store:
        store.add(record())
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()


def foreign_store(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO photos (name) VALUES ('cat.jpg')")
    conn.commit()
    conn.close()


def damaged_store(path: Path) -> None:
    with Store.open(path) as store:
        store.add_many(record(i) for i in range(200))
    data = bytearray(path.read_bytes())
    page = 4096
    data[page:3 * page] = b"\xa5" * (2 * page)  # the table's pages, not the header
    path.write_bytes(bytes(data))


BAD_FILES = [
    ("not sqlite", lambda p: p.write_text("my shopping list\n"),
     "error: {p} is not a voice-coach history: it is not an SQLite database\n"
     "  hint: nothing was changed; move it aside (mv {p} {p}.old) and voice-coach starts a new "
     "history, or set VOICE_COACH_DATA_DIR to another folder\n"),
    ("foreign sqlite", foreign_store,
     "error: {p} is not a voice-coach history: it is another program's SQLite database\n"
     "  hint: nothing was changed; move it aside (mv {p} {p}.old) and voice-coach starts a new "
     "history, or set VOICE_COACH_DATA_DIR to another folder\n"),
    ("newer", newer_store,
     "error: {p} was written by a newer voice-coach (history version 7; this one knows up to "
     f"{SCHEMA_VERSION})\n"
     "  hint: upgrade voice-coach (pip install -U voice-coach); the history was not changed\n"),
    ("damaged", damaged_store, None),
]


@pytest.mark.parametrize("kind, make, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
@pytest.mark.parametrize("command", [["history"], ["today"], ["stats"],
                                     ["done", "ankle-pumps"]])
def test_a_bad_store_file_is_reported_and_left_alone(tmp_path, monkeypatch, kind, make, message,
                                                     command):
    path = tmp_path / "history.sqlite3"
    make(path)
    before = sha(path)
    monkeypatch.setenv("VOICE_COACH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 1, result.output
    if message is None:
        assert result.stderr.startswith(f"error: {path} is damaged and cannot be read (")
        assert "hint: nothing was changed; move it aside" in result.stderr
    else:
        assert result.stderr == message.format(p=path)
    assert "Traceback" not in result.output
    assert sha(path) == before
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0


def test_a_folder_in_place_of_the_store(tmp_path):
    (tmp_path / "history.sqlite3").mkdir()
    with pytest.raises(StoreError, match="is a folder, not a voice-coach history"):
        Store.open(tmp_path / "history.sqlite3")


DROP_DAC = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner",
            "--inh-caps=-dac_override,-dac_read_search,-fowner"]


def run_bound_by_permissions(args: list[str], env: dict[str, str]
                             ) -> subprocess.CompletedProcess:
    """Runs voice-coach so that folder permissions bind it: root may write anywhere, so as
    root it runs without the capabilities that override them."""
    prefix = DROP_DAC if os.geteuid() == 0 else []
    return subprocess.run([*prefix, sys.executable, "-m", "voice_coach", *args], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.skipif(os.geteuid() == 0 and not __import__("shutil").which("setpriv"),
                    reason="as root, needs setpriv (util-linux) to be bound by permissions")
def test_a_read_only_data_folder_refuses_to_write_and_still_reads(tmp_path):
    root = tmp_path
    try:
        data = root / "data"
        with Store.open(data / "history.sqlite3") as store:
            store.add(record(0, started=datetime.now(BERLIN) - timedelta(hours=1),
                             ended=datetime.now(BERLIN)))
        before = sha(data / "history.sqlite3")
        data.chmod(0o555)
        (data / "history.sqlite3").chmod(0o444)
        env = {**os.environ, "VOICE_COACH_DATA_DIR": str(data), "HOME": str(root),
               "XDG_CONFIG_HOME": str(root / "config"), "PYTHONDONTWRITEBYTECODE": "1"}
        done = run_bound_by_permissions(["done", "ankle-pumps"], env)
        assert done.returncode == 1, done.stderr
        assert done.stderr == (
            f"error: cannot write the history in {data}: permission denied\n"
            "  hint: set VOICE_COACH_DATA_DIR to a folder you can write, or make this one "
            "writable\n")
        history = run_bound_by_permissions(["history", "--csv"], env)
        assert history.returncode == 0, history.stderr
        assert len(history.stdout.splitlines()) == 2  # the header and the one session
        assert sha(data / "history.sqlite3") == before
    finally:
        for d in root.rglob("*"):
            d.chmod(0o755)


# ---------------------------------------------------------------------------------------------
# Kills and crowds.


def _writer(path: Path, report_fd: int, start: int) -> None:
    """The child: adds sessions one transaction each, reporting each id once committed (and
    "ready" once the store is open)."""
    with Store.open(path) as store:
        os.write(report_fd, b"ready\n")
        for i in range(start, start + 1000):
            r = record(i)
            store.add(r)
            os.write(report_fd, (r.uid + "\n").encode())


def test_sigkill_at_random_moments_never_corrupts_or_loses_a_committed_session(tmp_path):
    rng = random.Random(12)
    committed: set[str] = set()
    path = tmp_path / "history.sqlite3"
    kills_during_creation = total = rounds_with_commits = 0
    for round_no in range(KILLS):
        if round_no % 40 == 0:  # now and then a fresh file: kill its creation too
            for p in tmp_path.glob("history.sqlite3*"):
                p.unlink()
            committed.clear()
            kills_during_creation += 1
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the writer
            os.close(read_fd)
            try:
                _writer(path, write_fd, round_no * 1000)
            finally:
                os._exit(0)
        os.close(write_fd)
        reported = os.fdopen(read_fd)
        if round_no % 2:  # half the kills land while it writes, half any time from its start
            reported.readline()
            time.sleep(rng.uniform(0.0, 0.03))
        else:
            time.sleep(rng.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        landed = [uid for uid in reported.read().split() if uid != "ready"]
        reported.close()
        committed.update(landed)
        total += len(landed)
        rounds_with_commits += bool(landed)
        with Store.open(path, write=False) as store:
            assert store.integrity() == "ok"
            kept = {r.uid for r in store.sessions()}
        assert committed <= kept, f"round {round_no}: lost {len(committed - kept)}"
    assert kills_during_creation == KILLS // 40
    print(f"{KILLS} kills, {total} sessions committed in {rounds_with_commits} of the rounds, "
          "none lost")
    assert rounds_with_commits >= 10  # kills landed while sessions were being written


WRITER = """
import sys
from voice_coach.practice.store import Store
from tests.practice.test_store import record
path, n, who = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(n):
    with Store.open(path) as store:
        store.add(record(who * 1000 + i, note=f"writer {who}"))
"""


def test_eight_processes_writing_at_once_all_land(tmp_path):
    path = tmp_path / "history.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(SESSIONS_EACH),
                               str(who)], env=env, stderr=subprocess.PIPE, text=True)
             for who in range(WRITERS)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    with Store.open(path, write=False) as store:
        sessions = store.sessions()
        assert store.integrity() == "ok"
    assert len(sessions) == WRITERS * SESSIONS_EACH == 400
    assert len({s.uid for s in sessions}) == 400
    for who in range(WRITERS):
        assert sum(s.note == f"writer {who}" for s in sessions) == SESSIONS_EACH
