"""Real `play` and `remind` runs on the PulseAudio null sink land in a real history: finished,
quit with q in set 2, Ctrl-C in set 2, two remind rounds; and a history that cannot be written
is said once while every sample still plays."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.live.player_run import finish_pty, needs_pulse, player_env, run_player
from tests.pulse_fixture import PtyPlayer
from voice_coach.practice.store import Store


def sessions(data: Path):
    with Store.open(data / "history.sqlite3", write=False) as store:
        assert store.integrity() == "ok"
        return store.sessions()


def env_with_history(pulse, tmp_path, cache_dir, data: Path, truncate: bool = True,  # noqa: F811
                     **extra):
    return player_env(pulse, tmp_path, cache_dir, truncate=truncate,
                      VOICE_COACH_DATA_DIR=str(data), XDG_CONFIG_HOME=str(tmp_path / "config"),
                      **extra)


@needs_pulse
def test_a_finished_play_is_recorded_completed(pulse, tiny, cache_dir, tmp_path):  # noqa: F811
    data = tmp_path / "data"
    began = datetime.now(timezone.utc).replace(microsecond=0)
    run = run_player(["play", str(tiny.path)], env_with_history(pulse, tmp_path, cache_dir, data),
                     tmp_path)
    assert run.rc == 0 and run.output == \
        "Recorded tiny2: 2 of 2 sets (2 repetitions), completed.\n"
    assert run.captured == tiny.pcm
    (kept,) = sessions(data)
    assert (kept.routine, kept.title, kept.status, kept.source) == (
        "tiny2", "Tiny test routine", "completed", "play")
    assert (kept.planned_sets, kept.done_sets, kept.planned_reps, kept.done_reps) == (2, 2, 2, 2)
    # the voice that spoke, as `check` names it ("  voice    piper, en_US-joe-medium, 160 wpm")
    checked = subprocess.run([sys.executable, "-m", "voice_coach", "check", str(tiny.path)],
                             capture_output=True, text=True, timeout=300,
                             env=env_with_history(pulse, tmp_path, cache_dir, data))
    engine, voice_id = next(line.split()[1:3] for line in checked.stdout.splitlines()
                            if line.startswith("  voice "))
    assert (kept.language, kept.voice) == ("en", f"{engine.rstrip(',')}:{voice_id.rstrip(',')}")
    assert kept.routine_hash == __import__("hashlib").sha256(
        tiny.path.read_bytes()).hexdigest()[:16]
    assert began <= kept.started <= kept.ended <= datetime.now(timezone.utc)
    assert abs((kept.ended - kept.started).total_seconds() - tiny.length_s) < 1.5


@needs_pulse
@pytest.mark.parametrize("key, rc, status", [("q", 0, "partial"), ("\x03", 130, "stopped")])
def test_leaving_in_set_2_records_what_was_done(pulse, tiny, cache_dir, tmp_path,  # noqa: F811
                                                key, rc, status):
    data = tmp_path / "data"
    player = PtyPlayer(["play", str(tiny.path)],
                       env_with_history(pulse, tmp_path, cache_dir, data))
    try:
        player.wait_for("Set 2 of 2")
        player.press(key)
        run = finish_pty(player, tmp_path)
    finally:
        player.close()
    assert run.rc == rc, run.output
    assert "warning" not in run.output and "Traceback" not in run.output
    # after q (and Ctrl-C) it says what landed in the history, as `done` does (issue 16)
    assert f"Recorded tiny2: 1 of 2 sets (1 repetition), {status}." in run.output
    (kept,) = sessions(data)
    assert (kept.status, kept.planned_sets, kept.done_sets, kept.planned_reps,
            kept.done_reps) == (status, 2, 1, 2, 1)
    assert (kept.ended - kept.started).total_seconds() < tiny.length_s


@needs_pulse
def test_each_remind_round_is_recorded(pulse, tiny1, cache_dir, tmp_path):  # noqa: F811
    data = tmp_path / "data"
    every_s = int(tiny1.length_s) + 2
    run = run_player(["remind", str(tiny1.path), "--every", f"{every_s}s", "--times", "2"],
                     env_with_history(pulse, tmp_path, cache_dir, data, truncate=False),
                     tmp_path)
    assert run.rc == 0, run.output
    rounds = sessions(data)
    assert [(r.source, r.status, r.done_sets, r.planned_sets) for r in rounds] == [
        ("remind", "completed", 1, 1)] * 2
    gap_s = (rounds[1].started - rounds[0].started).total_seconds()
    assert gap_s == pytest.approx(every_s, abs=1.0)


@needs_pulse
def test_a_history_that_cannot_be_written_is_said_once_and_it_plays(  # noqa: F811
        pulse, tiny1, cache_dir, tmp_path):  # noqa: F811
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    data = blocker / "data"  # cannot be made: its parent is a file
    env = env_with_history(pulse, tmp_path, cache_dir, data, truncate=False)
    started = time.monotonic()
    run = run_player(["remind", str(tiny1.path), "--every", f"{int(tiny1.length_s) + 1}s",
                      "--times", "2"], env, tmp_path)
    assert run.rc == 0, run.output
    assert run.captured == tiny1.pcm * 2  # both rounds played every sample
    assert run.output == (f"warning: this session is not kept in your history: cannot create "
                          f"the history folder {data}: Not a directory\n")
    assert time.monotonic() - started > 2 * tiny1.length_s


@needs_pulse
@pytest.mark.parametrize("answer", ["start", "skip"])
def test_a_reminder_plays_and_records_only_after_start(pulse, tiny, cache_dir, tmp_path,  # noqa: F811
                                                       answer):
    """The systemd timer's `notify` on a real session bus: Start plays the whole session on the
    sound server and records it; Skip plays no sample and records nothing (issue 16 item 1)."""
    import shutil

    from tests.practice.test_notify import start_server

    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed (./scripts/setup installs dbus)")
    daemon = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        address = daemon.stdout.readline().strip()
        server = start_server(address, tmp_path / "server.log", "--answers", answer)
        data = tmp_path / "data"
        env = env_with_history(pulse, tmp_path, cache_dir, data,
                               DBUS_SESSION_BUS_ADDRESS=address, TZ="UTC",
                               VOICE_COACH_NOW="2026-12-01 09:01")
        run = run_player(["notify", str(tiny.path), "--due", "09:00", "--player",
                          "background"], env, tmp_path, timeout_s=120)
        server.kill()
        server.wait()
    finally:
        daemon.kill()
        daemon.wait()
    assert run.rc == 0, run.output
    if answer == "start":
        assert run.captured == tiny.pcm  # every sample of the session, once
        (kept,) = sessions(data)
        assert (kept.status, kept.done_sets, kept.source) == ("completed", 2, "play")
    else:
        assert run.captured == b"" and sessions(data) == []
        assert "Skipped the 09:00 reminder" in run.output
