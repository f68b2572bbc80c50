"""How soon `voice-coach play` makes its first sound, with a warm cache: the time from starting
the command to the first samples handed to the sound device, on a private PulseAudio null sink
(tests/pulse_fixture.py). Run by scripts/bench; measures only, asserts nothing.

Usage: .venv/bin/python scripts/bench_play.py [--runs N] [--routine NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.pulse_fixture import player_command, pulse_server, read_log  # noqa: E402


def _cpu_s(pid: int) -> float:
    """CPU time (user + system) the process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_sound_s(env: dict[str, str], log: Path, routine: str) -> tuple[float, float]:
    """One `play ROUTINE --quiet`: seconds from the command's start to the first samples written
    to the device, and the CPU seconds the player used by then (what the wait would be on an
    idle machine, less the device's own start); the player is stopped once it plays."""
    log.unlink(missing_ok=True)
    started_s = time.monotonic()
    proc = subprocess.Popen(player_command("play", routine, "--quiet"), env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = started_s + 60
        while time.monotonic() < deadline and proc.poll() is None:
            events = {e["event"]: e for e in read_log(log)}
            if "start" in events:
                cpu_s = _cpu_s(proc.pid)
                break
            time.sleep(0.005)
        else:
            raise SystemExit(f"play did not start: {proc.stderr.read().decode()}")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    return events["start"]["t"] - started_s, cpu_s


def measure(runs: int = 5, routine: str = "ankle-pumps") -> dict:
    """First sound with speech and the mastered mix cached (after an earlier play): the median
    wall time and CPU time over `runs`, and the wall time with only the speech cached (the first
    play after `check`)."""
    with tempfile.TemporaryDirectory(prefix="voice-coach-play-bench-") as tmp_name:
        tmp = Path(tmp_name)
        with pulse_server(tmp / "pulse") as pulse:
            env = pulse.player_env(tmp / "captured.raw", VOICE_COACH_CACHE_DIR=str(tmp / "cache"),
                                   VOICE_COACH_PLAY_LOG=str(tmp / "play.log"))
            subprocess.run(player_command("check", routine), env=env, check=True,
                           capture_output=True)  # speech cached, mix not yet mastered
            speech_only_s, _ = first_sound_s(env, tmp / "play.log", routine)
            runs_s = [first_sound_s(env, tmp / "play.log", routine) for _ in range(runs)]
    return {"median_s": statistics.median(w for w, _ in runs_s),
            "median_cpu_s": statistics.median(c for _, c in runs_s),
            "runs_s": [round(w, 3) for w, _ in runs_s], "speech_only_s": speech_only_s,
            "load_average": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--routine", default="ankle-pumps")
    options = parser.parse_args()
    print(json.dumps(measure(options.runs, options.routine), indent=2))


if __name__ == "__main__":
    main()
