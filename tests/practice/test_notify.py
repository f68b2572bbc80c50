"""Reminders that ask before they play (issue 16 item 1): `voice-coach notify`, which the systemd
timer runs, against a real session bus (dbus-daemon) and a stand-in notification server
(tests/practice/notification_server.py) that logs what it got and presses the buttons it is told to.
Only Start plays; Later asks again; Skip, a dismissed or unanswered notification, and a reminder
later than its window play nothing; without a notification service it says so and exits 1."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from voice_coach.practice.reminder_timing import late_words, latest_due, play_command

HERE = Path(__file__).parent
SERVER = HERE / "notification_server.py"
DBUS_DAEMON = shutil.which("dbus-daemon")
needs_dbus = pytest.mark.skipif(DBUS_DAEMON is None, reason="dbus-daemon is not installed "
                                "(./scripts/setup installs the Debian package dbus)")
BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
BUTTONS = ["start", "Start", "later", "Later", "skip", "Skip"]


@pytest.fixture()
def bus(tmp_path) -> Iterator[str]:
    """A private session bus: dbus-daemon --session, its address; stopped afterwards."""
    proc = subprocess.Popen([DBUS_DAEMON, "--session", "--nofork", "--print-address=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = proc.stdout.readline().strip()
    assert address.startswith("unix:"), address
    yield address
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)


def start_server(bus: str, log: Path, *extra: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, str(SERVER), bus, str(log), *extra])
    for _ in range(200):
        if log.exists() and log.read_text():
            return proc
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the stand-in notification server did not start")


@pytest.fixture()
def server(bus, tmp_path) -> Iterator:
    procs = []

    def run(*extra: str) -> Path:
        log = tmp_path / f"server{len(procs)}.log"
        procs.append(start_server(bus, log, *extra))
        return log

    yield run
    for proc in procs:
        proc.kill()
        proc.wait()


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()][1:]


def notify(tmp_path: Path, bus: str | None, now: str, *args: str,
           player: str | None = None) -> subprocess.CompletedProcess:
    """`voice-coach notify ankle-pumps --due 09:00,13:00` at `now` (Berlin time)."""
    env = {**os.environ, "TZ": "Europe/Berlin", "VOICE_COACH_NOW": now,
           "VOICE_COACH_DATA_DIR": str(tmp_path / "data"),
           "VOICE_COACH_CONFIG": str(tmp_path / "config.toml"),
           "XDG_RUNTIME_DIR": str(tmp_path)}
    (tmp_path / "config.toml").touch()
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    if bus is not None:
        env["DBUS_SESSION_BUS_ADDRESS"] = bus
    played = tmp_path / "played.txt"
    recorder = player or f"{sys.executable} {HERE / 'record_args.py'} {played}"
    return subprocess.run([sys.executable, "-m", "voice_coach", "notify", "ankle-pumps",
                           "--due", "09:00,13:00", "--player", recorder, *args],
                          capture_output=True, text=True, env=env, timeout=120)


def played(tmp_path: Path) -> list[str] | None:
    path = tmp_path / "played.txt"
    return json.loads(path.read_text()) if path.exists() else None


@needs_dbus
def test_start_plays_and_the_notification_offers_start_later_skip(bus, server, tmp_path):
    log = server("--answers", "start")
    result = notify(tmp_path, bus, "2026-12-01 09:04")
    assert result.returncode == 0, result.stderr
    (shown,) = [c for c in calls(log) if c.get("call") == "Notify"]
    assert shown["actions"] == BUTTONS
    assert shown["summary"] == "Time for Ankle pumps, seated"
    assert shown["app"] == "voice-coach" and shown["timeout"] == 0  # stays until answered
    assert played(tmp_path)[-3:] == ["voice_coach", "play", "ankle-pumps"]
    assert result.stdout.startswith("Start: playing ankle-pumps with ")


@needs_dbus
def test_later_asks_again_after_the_snooze_then_start_plays_once(bus, server, tmp_path):
    log = server("--answers", "later,start")
    result = notify(tmp_path, bus, "2026-12-01 13:00", "--snooze", "1s")
    assert result.returncode == 0, result.stderr
    assert [c.get("click") for c in calls(log) if "click" in c] == ["later", "start"]
    assert len([c for c in calls(log) if c.get("call") == "Notify"]) == 2
    assert result.stdout.splitlines()[0] == "Later: asking again in less than a minute."
    assert played(tmp_path) is not None


@needs_dbus
@pytest.mark.parametrize("answer, said", [
    ("skip", "Skipped the 09:00 reminder for ankle-pumps. Nothing played, nothing recorded."),
    ("dismiss", "Closed without an answer: the 09:00 reminder for ankle-pumps. Nothing played, "
                "nothing recorded."),
])
def test_skip_or_closing_it_plays_and_records_nothing(bus, server, tmp_path, answer, said):
    server("--answers", answer)
    result = notify(tmp_path, bus, "2026-12-01 09:00")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == said
    assert played(tmp_path) is None
    assert not (tmp_path / "data" / "history.sqlite3").exists()


@needs_dbus
def test_an_unanswered_reminder_is_taken_down_at_the_end_of_its_window(bus, server, tmp_path):
    log = server("--answers", "none")
    result = notify(tmp_path, bus, "2026-12-01 09:00", "--window", "2s")
    assert result.returncode == 0, result.stderr
    assert "No answer in time" in result.stdout and played(tmp_path) is None
    assert [c["call"] for c in calls(log)] == ["Notify", "CloseNotification"]


@needs_dbus
def test_a_reminder_missed_by_more_than_the_window_is_dropped_not_shown(bus, server, tmp_path):
    log = server("--answers", "start")
    # the laptop was off at 09:00; the timer's catch-up run comes at 11:05, after boot
    result = notify(tmp_path, bus, "2026-12-01 11:05")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "Dropped the 09:00 reminder for ankle-pumps: it is 2 h 5 min late (the computer was "
        "off or asleep), more than the 1 h a reminder waits. Nothing played.\n")
    assert calls(log) == [] and played(tmp_path) is None
    # the window is configurable, in the config or with --window
    (tmp_path / "config.toml").write_text("[reminders]\nwindow_minutes = 180\n")
    env_result = subprocess.run(
        [sys.executable, "-m", "voice_coach", "config"], capture_output=True, text=True,
        env={**os.environ, "VOICE_COACH_CONFIG": str(tmp_path / "config.toml")})
    assert "reminders.window_minutes  180" in env_result.stdout
    result = notify(tmp_path, bus, "2026-12-01 11:05", "--window", "3h")
    assert result.returncode == 0 and played(tmp_path) is not None


@needs_dbus
def test_no_notification_service_says_so_and_plays_nothing(bus, server, tmp_path):
    result = notify(tmp_path, bus, "2026-12-01 09:00")  # a bus, but nobody shows notifications
    assert result.returncode == 1 and played(tmp_path) is None
    assert result.stderr.startswith(
        "error: no desktop notification service is running (nobody owns "
        "org.freedesktop.Notifications on the session bus)\n  hint: the reminder was not shown "
        "and nothing was played;")
    result = notify(tmp_path, None, "2026-12-01 09:00")  # no session bus at all
    assert result.returncode == 1 and played(tmp_path) is None
    assert "there is no desktop session bus here" in result.stderr
    server("--no-actions")  # one that cannot show buttons cannot offer Start
    result = notify(tmp_path, bus, "2026-12-01 09:00")
    assert result.returncode == 1 and "shows no buttons" in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------------------------------------
# The pure parts: which time a run is for, how late it is, and what Start runs.


def berlin(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=BERLIN, fold=fold)


def test_latest_due_picks_the_time_that_has_come_and_measures_real_lateness():
    times = [clock(9), clock(13), clock(21, 30)]
    due = latest_due(times, berlin(2026, 12, 1, 13, 20))
    assert (due.at, due.late) == (berlin(2026, 12, 1, 13, 0), timedelta(minutes=20))
    due = latest_due(times, berlin(2026, 12, 2, 7, 0))  # the morning after: last night's
    assert due.at == berlin(2026, 12, 1, 21, 30) and due.too_late(timedelta(hours=1))
    due = latest_due(times, berlin(2026, 12, 1, 8, 59, 30))  # the timer fired a moment early
    assert due.at == berlin(2026, 12, 1, 9, 0) and due.late == timedelta(0)


@pytest.mark.parametrize("zone, day, hour", [
    (BERLIN, (2026, 10, 25), 2), (NEW_YORK, (2026, 11, 1), 1),  # the clock goes back
])
def test_latest_due_over_the_repeated_hour_counts_real_time(zone, day, hour):
    # a 00:30 reminder seen at the second pass of the repeated hour's :30 is 3 h late in real
    # time, though the wall clock shows only 2 h (or 1 h) between them
    now = datetime(*day, hour, 30, tzinfo=zone, fold=1)
    due = latest_due([clock(0, 30)], now)
    assert due.at == datetime(*day, 0, 30, tzinfo=zone)
    assert due.late == timedelta(hours=hour + 1)


def test_latest_due_on_the_night_the_clock_goes_forward():
    # 02:30 does not exist in Berlin on 29 March 2026: the reminder comes at 03:30, on time
    due = latest_due([clock(2, 30)], berlin(2026, 3, 29, 3, 31))
    assert due.late == timedelta(minutes=1)


def test_play_command_runs_in_a_terminal_or_the_players_own_command():
    base = ["py", "-m", "voice_coach"]
    found = {"gnome-terminal"}.__contains__
    command, where = play_command("terminal", base, "a b.yaml",
                                  which=lambda n: n if found(n) else None)
    assert command == ["gnome-terminal", "--", *base, "play", "a b.yaml"]
    assert where == "in gnome-terminal"
    command, _ = play_command("terminal", base, "x", which=lambda n: None)
    assert command == [*base, "play", "x", "--quiet"]  # no terminal: plays without a window
    assert play_command("background", base, "x")[0] == [*base, "play", "x", "--quiet"]
    assert play_command("kitty -e", base, "x")[0] == ["kitty", "-e", *base, "play", "x"]
    assert play_command("terminal", base, "x", which=lambda n: n,
                        terminal_env="foot")[0] == ["foot", "-e", *base, "play", "x"]


def test_late_words():
    assert late_words(timedelta(seconds=30)) == "less than a minute"
    assert late_words(timedelta(minutes=61)) == "1 h 1 min"
    assert late_words(timedelta(hours=2)) == "2 h"
    assert late_words(timedelta(days=3)) == "3 days"


@needs_dbus
def test_install_time_check_says_whether_a_reminder_could_be_shown(bus, server, tmp_path):
    from voice_coach.practice.notify import problem

    assert problem(bus) == "no desktop notification service is running"
    server("--answers", "")
    assert problem(bus) is None
    assert "cannot be reached" in problem("unix:path=" + str(tmp_path / "no-such-bus"))
