"""A real `play` on a pseudo-terminal (the PulseAudio null sink) asks the check-in after the
session and keeps it with the session; a remind round and a script without a terminal are
never asked."""

from __future__ import annotations

from pathlib import Path

from tests.live.player_run import finish_pty, needs_pulse, run_player
from tests.live.test_practice_play import env_with_history, sessions
from tests.pulse_fixture import PtyPlayer


@needs_pulse
def test_play_asks_how_the_legs_feel_and_keeps_it(pulse, tiny1, cache_dir,  # noqa: F811
                                                  tmp_path: Path):
    data = tmp_path / "data"
    player = PtyPlayer(["play", str(tiny1.path)],
                       env_with_history(pulse, tmp_path, cache_dir, data))
    try:
        player.wait_for("How do your legs feel?", timeout_s=30)
        player.press("l")
        player.wait_for("Any pain?")
        player.press("2")
        run = finish_pty(player, tmp_path)
    finally:
        player.close()
    assert run.rc == 0, run.output
    assert "Recorded tiny1" in run.output and "Traceback" not in run.output
    (kept,) = sessions(data)
    assert (kept.status, kept.legs, kept.pain) == ("completed", "lighter", 2)


@needs_pulse
def test_enter_skips_and_nothing_is_kept(pulse, tiny1, cache_dir, tmp_path: Path):  # noqa: F811
    data = tmp_path / "data"
    player = PtyPlayer(["play", str(tiny1.path)],
                       env_with_history(pulse, tmp_path, cache_dir, data))
    try:
        player.wait_for("How do your legs feel?", timeout_s=30)
        player.press("\r")
        player.wait_for("Any pain?")
        player.press("\r")
        run = finish_pty(player, tmp_path)
    finally:
        player.close()
    assert run.rc == 0, run.output
    (kept,) = sessions(data)
    assert (kept.legs, kept.pain) == (None, None)


@needs_pulse
def test_no_terminal_no_question(pulse, tiny1, cache_dir, tmp_path: Path):  # noqa: F811
    data = tmp_path / "data"
    run = run_player(["play", str(tiny1.path)],
                     env_with_history(pulse, tmp_path, cache_dir, data, truncate=False),
                     tmp_path)
    assert run.rc == 0 and "legs" not in run.output
    every_s = int(tiny1.length_s) + 2
    run = run_player(["remind", str(tiny1.path), "--every", f"{every_s}s", "--times", "1"],
                     env_with_history(pulse, tmp_path, cache_dir, data, truncate=False),
                     tmp_path)
    assert run.rc == 0 and "legs" not in run.output
