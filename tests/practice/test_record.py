"""What the player tells the recorder, and what the recorder counts, with the player's fakes:
finished, quit part-way, skipped sections, started at set 2, Ctrl-C; and a history that cannot
be written (said once, the session plays on)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from tests.live.test_play_unit import N_FRAMES, TIMELINE, captured, frames, make_player, ramp
from voice_coach.practice.days import Clock
from voice_coach.practice.recorder import Counts, Recorder, count, set_spans
from voice_coach.practice.store import Store, StoreError
from voice_coach.routine import parse_routine
from voice_coach.speech import VoiceSettings

ROUTINE = parse_routine("title: Tiny\nsteps:\n  - exercise: Pumps\n    sets: 2\n    reps: 2\n",
                        path="tiny.yaml", name="tiny")


class Observed:
    def __init__(self) -> None:
        self.starts: list[int] = []
        self.outcomes: list = []

    def started(self, start_frame: int) -> None:
        self.starts.append(start_frame)

    def ended(self, outcome) -> None:
        self.outcomes.append(outcome)


def play(keys, **kwargs):
    observer = Observed()
    player, device, _ = make_player(keys, **kwargs)
    player.observer = observer
    try:
        player.run()
    except KeyboardInterrupt:
        pass
    (outcome,) = observer.outcomes
    return outcome, observer, device


def test_set_spans_of_the_literal_timeline():
    spans = set_spans(TIMELINE)
    assert [(s.start_frame, s.end_frame) for s in spans] == [(0, frames(4000)),
                                                             (frames(5000), frames(10000))]
    assert spans[0].reps == ((frames(2000), frames(4000)),)
    assert spans[1].reps == ((frames(6000), frames(8000)), (frames(8000), frames(10000)))


def test_finished_hears_everything():
    outcome, observer, _ = play([])
    assert observer.starts == [0]
    assert outcome.reason == "finished" and outcome.heard == ((0, N_FRAMES),)
    assert count(set_spans(TIMELINE), 0, outcome.heard) == Counts(2, 2, 3, 3)


def test_quit_in_set_2_counts_what_was_heard():
    outcome, _, _ = play([(7.0, "q")])
    assert outcome.reason == "quit"
    (heard,) = outcome.heard
    assert heard[0] == 0 and heard[1] == pytest.approx(frames(7000), abs=frames(60))
    assert count(set_spans(TIMELINE), 0, outcome.heard) == Counts(2, 1, 3, 1)


def test_skipping_a_section_does_not_count_it():
    outcome, _, device = play([(1.0, "n")])  # set 1 cut short at 1 s: on to the rest
    assert outcome.reason == "finished"
    (first, second) = outcome.heard
    assert first[0] == 0 and first[1] == pytest.approx(frames(1000), abs=frames(60))
    assert second == (frames(4000), N_FRAMES)
    assert count(set_spans(TIMELINE), 0, outcome.heard) == Counts(2, 1, 3, 2)
    assert np.array_equal(captured(device)[-(N_FRAMES - frames(4000)):],
                          ramp(frames(4000), N_FRAMES))


def test_going_back_and_playing_on_counts_once():
    outcome, _, _ = play([(3.0, "b")])  # back to set 1's start, then on to the end
    assert len(outcome.heard) == 2 and outcome.heard[1] == (0, N_FRAMES)
    assert count(set_spans(TIMELINE), 0, outcome.heard) == Counts(2, 2, 3, 3)


def test_start_at_set_2_plans_only_what_is_left():
    outcome, observer, _ = play([], start=frames(5000))
    assert observer.starts == [frames(5000)]
    assert count(set_spans(TIMELINE), frames(5000), outcome.heard) == Counts(1, 1, 2, 2)


def test_ctrl_c_tells_the_observer_before_it_unwinds():
    outcome, _, _ = play([(6.5, "\x03")])
    assert outcome.reason == "interrupted"
    assert outcome.heard[0][1] == pytest.approx(frames(6500), abs=frames(60))
    assert count(set_spans(TIMELINE), 0, outcome.heard) == Counts(2, 1, 3, 1)


# ---------------------------------------------------------------------------------------------
# The recorder on a real store.


class Ticking:
    """A clock that moves a minute each time it is read."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 1, 21, 0, tzinfo=ZoneInfo("Europe/Berlin"))

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


SPOKEN = VoiceSettings(engine="espeak", voice="gmw/en")  # as a prepared Session names it


def recorder(tmp_path, warnings: list[str], open_store=None) -> Recorder:
    path = tmp_path / "history.sqlite3"
    return Recorder(ROUTINE, TIMELINE, "play", Clock(Ticking()),
                    open_store or (lambda: Store.open(path)), warnings.append
                    ).on(TIMELINE, SPOKEN)


@pytest.mark.parametrize("keys, status, sets, reps", [
    ([], "completed", 2, 3), ([(7.0, "q")], "partial", 1, 1), ([(6.5, "\x03")], "stopped", 1, 1),
])
def test_each_ending_is_recorded_with_its_status(tmp_path, keys, status, sets, reps):
    warnings: list[str] = []
    rec = recorder(tmp_path, warnings)
    assert rec.check()
    player, _, _ = make_player(keys)
    player.observer = rec
    try:
        player.run()
    except KeyboardInterrupt:
        pass
    with Store.open(tmp_path / "history.sqlite3", write=False) as store:
        (kept,) = store.sessions()
    assert (kept.status, kept.planned_sets, kept.done_sets, kept.planned_reps, kept.done_reps) \
        == (status, 2, sets, 3, reps)
    assert (kept.routine, kept.title, kept.language, kept.voice, kept.source) == (
        "tiny", "Tiny", "en", "espeak:gmw/en", "play")  # the voice that spoke
    assert kept.started.isoformat() == "2026-12-01T21:01:00+01:00"
    assert kept.ended > kept.started and kept.time_zone == "Europe/Berlin"
    assert warnings == []


def test_an_unwritable_history_is_said_once_and_the_rounds_play_on(tmp_path):
    def broken():
        raise StoreError("cannot write the history in /nowhere: permission denied")

    warnings: list[str] = []
    rec = recorder(tmp_path, warnings, broken)
    assert rec.check() is False
    for _ in range(3):  # three remind rounds
        player, device, _ = make_player([])
        player.observer = rec
        assert player.run().reason == "finished"
        assert np.array_equal(captured(device), ramp(0, N_FRAMES))
    assert warnings == ["this session is not kept in your history: cannot write the history in "
                        "/nowhere: permission denied"]
    assert [r.status for r in rec.records] == ["completed"] * 3


def test_a_failure_at_the_end_is_said_once_too(tmp_path):
    opened = []

    def flaky():
        opened.append(1)
        if len(opened) > 1:
            raise OSError("disk full")
        return Store.open(tmp_path / "history.sqlite3")

    warnings: list[str] = []
    rec = recorder(tmp_path, warnings, flaky)
    assert rec.check()
    for _ in range(2):
        player, _, _ = make_player([])
        player.observer = rec
        player.run()
    assert warnings == []  # the player hides stderr: it is said once the player is done
    rec.tell()
    rec.tell()
    assert warnings == ["this session is not kept in your history: disk full"]


def test_the_background_check_is_said_before_playing(tmp_path):
    def broken():
        raise StoreError("cannot write the history in /nowhere: permission denied")

    warnings: list[str] = []
    rec = Recorder(ROUTINE, None, "play", Clock(Ticking()), broken, warnings.append)
    rec.check_in_background()
    assert rec.on(TIMELINE) is rec
    assert warnings == ["this session is not kept in your history: cannot write the history in "
                        "/nowhere: permission denied"]


def test_sigterm_while_playing_is_recorded_as_stopped(tmp_path):
    warnings: list[str] = []
    rec = recorder(tmp_path, warnings)

    def terminate():
        raise SystemExit(143)  # what play.py's SIGTERM handler raises

    player, _, _ = make_player([(6.5, terminate)])
    player.observer = rec
    with pytest.raises(SystemExit):
        player.run()
    with Store.open(tmp_path / "history.sqlite3", write=False) as store:
        (kept,) = store.sessions()
    assert (kept.status, kept.done_sets, kept.done_reps) == ("stopped", 1, 1)
