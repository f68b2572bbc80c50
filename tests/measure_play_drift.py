"""Measure live playback timing over a long session, pauses and skips included.

Plays a generated routine through a private PulseAudio null sink (tests/pulse_fixture.py) with
`voice-coach play` on a pty, presses space and n at set times, records what the sink played and
finds every cue's onset in it by exact sample match. Reports the largest onset error against the
plan (shifted by each pause's length and each skip's jump) and the drift from start to end.

    .venv/bin/python tests/measure_play_drift.py --minutes 30
    .venv/bin/python tests/measure_play_drift.py --minutes 10 --backend simpleaudio
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pulse_fixture import (  # noqa: E402
    SAMPLE_RATE,
    PtyPlayer,
    locate,
    pulse_server,
    read_log,
)
from voice_coach.plan.timeline import ms_to_frames  # noqa: E402
from voice_coach.routine import parse_routine  # noqa: E402
from voice_coach.session.pipeline import prepare, render_to_file  # noqa: E402
from voice_coach.speech.cache import ClipCache  # noqa: E402

SET_SECONDS = 87  # roughly, one set of the generated routine plus its rest
PAUSE_S = 3.0


def long_routine(minutes: float) -> str:
    """A routine of about `minutes`: holds with rising and falling tones and ticked seconds."""
    sets = max(2, round(minutes * 60 / SET_SECONDS))
    return f"""\
title: Drift measurement
intro: Timing measurement.
steps:
  - exercise: Holds
    sets: {sets}
    reps: 10
    rest: 20s
    get_ready: tones
    halfway: Halfway.
    phases:
      - say: Up.
        hold: 3s
        tone: rise
        count: tick
      - say: Down.
        hold: 3s
        tone: fall
        count: tick
outro: Done.
"""


def plan_actions(timeline, pauses: int, skips: int) -> list[tuple[float, str, float]]:
    """(session s, "pause" | "skip", s a skip lands on): pauses mid-set, where cues are dense;
    skips a few seconds into a rest, as a person skipping it would."""
    chapters = list(timeline.chapters)
    sets = [c for c in chapters if c.kind == "set"]
    rests = [(c, chapters[i + 1]) for i, c in enumerate(chapters[:-1]) if c.kind == "rest"]
    actions = [(sets[(i + 1) * len(sets) // (pauses + 1)].start_ms / 1000 + 30, "pause", 0.0)
               for i in range(pauses)]
    actions += [(rest.start_ms / 1000 + 5, "skip", after.start_ms / 1000)
                for rest, after in (rests[(2 * i + 1) * len(rests) // (2 * skips)]
                                    for i in range(skips))]
    return sorted(actions)


def drive(player: PtyPlayer, log_path: Path, actions: list[tuple[float, str, float]]) -> None:
    """Presses space twice for each pause and n for each skip, at the planned session times."""
    while not any(e["event"] == "start" for e in read_log(log_path)):
        time.sleep(0.05)
    t0 = time.monotonic()
    shift_s = 0.0  # wall time minus session time: pauses add to it, skips take from it
    for at_s, what, lands_s in actions:
        time.sleep(max(0.0, t0 + at_s + shift_s - time.monotonic()))
        if player.proc.poll() is not None:
            return
        if what == "pause":
            player.press(" ")
            time.sleep(PAUSE_S)
            player.press(" ")
            shift_s += PAUSE_S
        else:
            player.press("n")
            shift_s -= lands_s - at_s


def runs(events: list[dict]) -> list[tuple[str, int, int, float]]:
    """The boundaries between continuous runs: (kind, session frame it ends the last run at,
    session frame the next run starts at, wall seconds between)."""
    out = []
    pause = None
    for e in events:
        if e["event"] == "pause":
            pause = e
        elif e["event"] == "resume" and pause is not None:
            out.append(("pause", pause["frame"], pause["frame"], e["t"] - pause["t"]))
        elif e["event"] == "seek" and e.get("heard") is not None:
            out.append(("skip", e["heard"], e["frame"], 0.0))
    return out


def measure(recording: np.ndarray, pcm: np.ndarray, onsets: list[int],
            boundaries: list[tuple[str, int, int, float]], window: int = 256,
            skip: int = 128) -> tuple[list[tuple[int, float, int]], list[float], list[int]]:
    """(onset frame, error ms, run number) for every onset found in the recording, each
    skip's restart latency in ms, and where in the recording each onset was found.

    Expected: the first onset's lag, plus each pause's wall-clock length. A skip re-anchors
    the plan at the first onset after it (its latency, the device restarting, is reported).
    """
    out: list[tuple[int, float, int]] = []
    restarts: list[float] = []
    found_at: list[int] = []
    lag = None  # expected recording index minus session frame, for the current run
    run = 0
    for onset in onsets:
        while run < len(boundaries) and onset >= boundaries[run][2]:
            kind, end, start, wall_s = boundaries[run]
            if lag is not None:
                lag += wall_s * SAMPLE_RATE if kind == "pause" else end - start
            run += 1
        if run and boundaries[run - 1][1] <= onset < boundaries[run - 1][2]:
            continue  # skipped over
        win = pcm[onset + skip:onset + skip + window]
        if len(win) < window or np.count_nonzero(win) < window // 2:
            continue
        near = onset + skip + int(round(lag or 0))
        at = locate(recording, win, near, len(recording) if lag is None else SAMPLE_RATE // 2)
        if at is None:
            continue
        if lag is None:
            lag = float(at - onset - skip)
            near = at
        elif out and out[-1][2] != run and boundaries[run - 1][0] == "skip":
            restarts.append((at - near) * 1000 / SAMPLE_RATE - out[-1][1])
            lag += at - near - out[-1][1] * SAMPLE_RATE / 1000
            near = int(round(onset + skip + lag))
        out.append((onset, (at - near) * 1000 / SAMPLE_RATE, run))
        found_at.append(at)
    return out, restarts, found_at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--backend", default="alsa", choices=["alsa", "simpleaudio"])
    parser.add_argument("--pauses", type=int, default=2)
    parser.add_argument("--skips", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="keep the recordings in this directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        print(json.dumps(run(root, args), indent=1))


def run(root: Path, args: argparse.Namespace) -> dict:
    routine_path = root / "long.yaml"
    routine_path.write_text(long_routine(args.minutes))
    cache = root / "cache"
    session = prepare(parse_routine(routine_path.read_text(), str(routine_path)),
                      cache=ClipCache(cache))
    wav = render_to_file(session, root / "long.wav", force=True)
    from tests.audio_measure import read_wav

    pcm, _ = read_wav(wav)
    length_s = len(pcm) / SAMPLE_RATE
    onsets = sorted({ms_to_frames(e.start_ms) for e in session.timeline.events})
    actions = plan_actions(session.timeline, args.pauses, args.skips)
    log_path = root / "play.log"
    log_path.unlink(missing_ok=True)
    with pulse_server(root / "pulse") as server:
        env = server.player_env(root / "captured.raw", truncate=False,
                                VOICE_COACH_CACHE_DIR=str(cache),
                                VOICE_COACH_PLAY_LOG=str(log_path),
                                VOICE_COACH_AUDIO=args.backend)
        with server.record_monitor(root / "heard.raw") as heard_path:
            sizes: list[tuple[float, int]] = []
            sampler = threading.Thread(target=_sample_size, args=(heard_path, sizes), daemon=True)
            sampler.start()
            player = PtyPlayer(["play", str(routine_path)], env)
            try:
                drive(player, log_path, actions)
                rc = player.wait(length_s + 60 * (args.pauses + 1))
            finally:
                player.close()
            time.sleep(0.5)
    events = read_log(log_path)
    errors, restarts, found_at = measure(np.fromfile(heard_path, dtype="<i2"), pcm, onsets,
                                         runs(events))
    out = report(rc, args, length_s, onsets, events, errors, restarts)
    (t0, n0), (t1, n1) = sizes[2], sizes[-2]
    ppm = ((n1 - n0) / 2 / (t1 - t0) / SAMPLE_RATE - 1) * 1e6
    out["sink_clock_vs_monotonic_ppm"] = round(ppm)
    out.update(wall_clock_view(errors, found_at, ppm))
    return out


def wall_clock_view(errors: list[tuple[int, float, int]], found_at: list[int],
                    ppm: float) -> dict:
    """The errors on the monotonic clock instead of the sink's (which runs `ppm` fast)."""
    sink_s = (np.array(found_at) - found_at[0]) / SAMPLE_RATE
    wall = np.array([e for _, e, _ in errors]) - ppm * 1e-6 * sink_s * 1000
    return {"wall_clock_max_abs_onset_error_ms": round(float(np.max(np.abs(wall))), 2),
            "wall_clock_end_drift_ms": round(float(wall[-1] - wall[0]), 2)}


def _sample_size(path: Path, sizes: list[tuple[float, int]]) -> None:
    """(monotonic s, bytes recorded) every 5 s: how fast the sink's clock runs."""
    while True:
        sizes.append((time.monotonic(), path.stat().st_size))
        time.sleep(5)


def report(rc: int, args, length_s: float, onsets: list[int], events: list[dict],
           errors: list[tuple[int, float, int]], restarts: list[float]) -> dict:
    values = np.array([e for _, e, _ in errors])
    runs = np.array([r for _, _, r in errors])
    first_min = values[[f < 60 * SAMPLE_RATE for f, _, _ in errors]]
    last_min = values[[f > (length_s - 60) * SAMPLE_RATE for f, _, _ in errors]]
    t = {e["event"]: e["t"] for e in events}
    pauses = [e for e in events if e["event"] == "pause"]
    resumes = [e for e in events if e["event"] == "resume"]
    paused_s = sum(b["t"] - a["t"] for a, b in zip(pauses, resumes, strict=True))
    skipped_s = sum((e["frame"] - e["heard"]) / SAMPLE_RATE for e in events
                    if e["event"] == "seek" and e.get("heard") is not None)
    return {
        "backend": args.backend, "exit": rc, "session_s": round(length_s, 3),
        "pauses": args.pauses, "skips": args.skips,
        "onsets_planned": len(onsets), "onsets_found": len(errors),
        "max_abs_onset_error_ms": round(float(np.max(np.abs(values))), 2),
        "max_spread_within_a_run_ms": round(max(float(np.ptp(values[runs == r]))
                                                for r in set(runs.tolist())), 2),
        "run_offsets_ms": [round(float(np.mean(values[runs == r])), 2)
                           for r in sorted(set(runs.tolist()))],
        "mean_onset_error_ms": round(float(np.mean(values)), 2),
        "skip_restart_latency_ms": [round(x, 2) for x in restarts],
        "xruns": sum(e["event"] == "xrun" for e in events),
        "end_drift_ms": round(float(np.mean(last_min) - np.mean(first_min)), 2),
        "wall_minus_expected_ms": round(
            ((t["end"] - t["start"]) - (length_s - skipped_s + paused_s)) * 1000, 1),
    }


if __name__ == "__main__":
    main()
