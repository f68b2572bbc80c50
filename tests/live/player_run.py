"""Running `voice-coach play` and `remind` against the PulseAudio null sink, for the live tests:
the tiny routine they play, how a run is started and read back, and the tolerances. The
fixtures that start the sink and render the routines are in conftest.py beside this."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tests.audio_measure import read_wav
from tests.pulse_fixture import (
    NO_PULSE,
    PACAT,
    PACTL,
    PAREC,
    PULSEAUDIO,
    PtyPlayer,
    captured_bytes,
    player_command,
    read_log,
)
from voice_coach.plan.timeline import ms_to_frames
from voice_coach.routine import load_routine
from voice_coach.session.pipeline import prepare, render_to_file
from voice_coach.speech.cache import ClipCache

SR = 22050
ONSET_TOLERANCE_MS = 10
WALL_TOLERANCE_S = 0.25

TINY = """\
title: Tiny test routine
steps:
  - exercise: Toe taps
    sets: {sets}
    reps: 1
{rest}
    get_ready: none
    set_intro: false
    halfway: false
    rest_say: false
    phases:
      - say: Up.
        hold: 700ms
        tone: tick
      - say: Down.
        hold: 700ms
        tone: tock
fade_out: 0s
"""

_no_pulse = pytest.mark.skipif(not all((PULSEAUDIO, PACAT, PACTL, PAREC)), reason=NO_PULSE)


def needs_pulse(test):
    """Marks a test that plays into the null sink (skipped, with the reason, without pulse)."""
    return pytest.mark.audio_server(_no_pulse(test))


@dataclass
class Routine:
    path: Path
    pcm: bytes  # what `voice-coach render` writes for it, as int16 bytes
    timeline: object

    @property
    def length_s(self) -> float:
        return len(self.pcm) / 2 / SR

    def samples(self) -> np.ndarray:
        return np.frombuffer(self.pcm, dtype="<i2")


def make_routine(directory: Path, cache_dir: Path, sets: int) -> Routine:
    """Writes the routine, synthesises its speech into the cache the player will use, renders."""
    path = directory / f"tiny{sets}.yaml"
    path.write_text(TINY.format(sets=sets, rest="    rest: 500ms" if sets > 1 else ""))
    session = prepare(load_routine(str(path)), cache=ClipCache(cache_dir))
    wav = render_to_file(session, directory / f"tiny{sets}.wav")
    samples, rate = read_wav(wav)
    assert rate == SR
    return Routine(path, samples.tobytes(), session.timeline)


@dataclass
class Run:
    rc: int
    output: str
    events: list[dict]
    captured: bytes
    started_s: float

    def event(self, name: str) -> dict:
        return next(e for e in self.events if e["event"] == name)

    def played_s(self) -> float:
        return self.event("end")["t"] - self.event("start")["t"]


def player_env(pulse, tmp_path: Path, cache_dir: Path, truncate: bool = True, **extra: str):
    return pulse.player_env(tmp_path / "captured.raw", truncate=truncate,
                            VOICE_COACH_CACHE_DIR=str(cache_dir),
                            VOICE_COACH_PLAY_LOG=str(tmp_path / "play.log"), **extra)


def run_player(args: list[str], env: dict[str, str], tmp_path: Path, timeout_s: float = 40) -> Run:
    started_s = time.monotonic()
    proc = subprocess.run(player_command(*args), env=env, capture_output=True, text=True,
                          timeout=timeout_s, stdin=subprocess.DEVNULL)
    return Run(proc.returncode, proc.stdout + proc.stderr, read_log(tmp_path / "play.log"),
               captured_bytes(tmp_path / "captured.raw"), started_s)


def finish_pty(player: PtyPlayer, tmp_path: Path, timeout_s: float = 40) -> Run:
    rc = player.wait(timeout_s)
    return Run(rc, player.output, read_log(tmp_path / "play.log"),
               captured_bytes(tmp_path / "captured.raw"), player.started_s)


def onset_frames(routine: Routine) -> list[int]:
    return sorted({ms_to_frames(e.start_ms, SR) for e in routine.timeline.events})


def heard(path: Path) -> np.ndarray:
    return np.fromfile(path, dtype="<i2")
