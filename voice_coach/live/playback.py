"""Live playback's wiring: a timeline and its samples to sound, screen and keys.

It must not decide what plays when (player.py does), open devices itself (devices.py does)
nor mix audio (the caller passes the samples: session.pcm_source, the very ones render writes).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

from voice_coach.live.devices import ENV_PLAY_LOG, open_output, stderr_silenced
from voice_coach.live.remind import Reminder, RemindPlan
from voice_coach.live.terminal import interaction
from voice_coach.live.transport import Outcome, Player, Source
from voice_coach.plan.timeline import Timeline

# ---------------------------------------------------------------------------------------------
# Wiring: a prepared session → sound, screen and keys.


def play_log():
    """log(event, **fields) appending JSON lines to $VOICE_COACH_PLAY_LOG, or a no-op."""
    path = os.environ.get(ENV_PLAY_LOG)
    if not path:
        return lambda event, **fields: None

    def log(event: str, **fields: Any) -> None:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps({"event": event, "t": time.monotonic(), **fields}) + "\n")

    return log


def play_session(timeline: Timeline, source: Source, output: Any, *, start_frame: int = 0,
                 quiet: bool = False, controls: Any = None, view: Any = None,
                 observer: Any = None) -> Outcome:
    """Plays `timeline`'s samples (source(frame) → int16 PCM blocks from that frame) from
    start_frame on `output`, with screen and keys on a terminal.

    observer: told when it starts and how it ends, however it ends (see player.Observer).
    """
    if controls is None:
        with interaction(quiet) as (controls, view):
            return play_session(timeline, source, output, start_frame=start_frame,
                                controls=controls, view=view, observer=observer)
    log = play_log()
    log("open", backend=output.name, can_pause=output.can_pause, n_frames=timeline.n_frames)
    if hasattr(output, "on_xrun"):
        output.on_xrun = lambda heard_frames: log("xrun", stream_frame=heard_frames)
    player = Player(timeline, source, output, controls, view, start_frame=start_frame, log=log,
                    observer=observer)
    with stderr_silenced():
        return player.run()


def play_pcm(pcm: bytes, output: Any, poll_s: float = 0.02) -> None:
    """Plays int16 mono `pcm` on `output` to its end (a phrase from `say`: no screen, no keys)."""
    view = memoryview(pcm)
    pos = 0
    while pos < len(view):
        room = output.room_frames()
        if room > 0:
            pos += 2 * output.write(view[pos:pos + 2 * room])
        else:
            output.played_frames()  # lets a clock-scheduled backend hand on its queue
            time.sleep(poll_s)
    output.finish()
    while not output.idle():
        wake = output.wake_s()
        time.sleep(poll_s if wake is None else min(poll_s, wake))
        output.finish()


def check_output(routine: str, hint: str | None = None) -> None:
    """Opens and closes the device: EngineError now rather than after synthesis. hint: what to
    do where there is none (default: render the routine to a file)."""
    with open_output(routine, hint=hint):
        pass


def remind_session(timeline: Timeline, source: Source, plan: RemindPlan, routine: str,
                   quiet: bool = False, observer: Any = None) -> str:
    """Plays the session on `plan`, opening the device afresh for each round; the observer
    hears each round start and end."""
    with interaction(quiet) as (controls, view):

        def play_round(round_no: int) -> Outcome:
            play_log()("round", round=round_no)
            with open_output(routine) as output:
                return play_session(timeline, source, output, controls=controls, view=view,
                                    observer=observer)

        return Reminder(plan, play_round, timeline.title, controls, time.monotonic,
                        view, at_text=_at_text, language=timeline.language).run()


def _at_text(wait_s: float) -> str:
    return time.strftime("%H:%M", time.localtime(time.time() + wait_s))
