"""The flight track: the routine repeated at exact offsets in one file, one chapter per
repetition, silence between that costs next to nothing, memory that does not grow.

(The 6-hour track itself is measured by scripts/bench-flight, not here.)"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.audio_measure import decode
from voice_coach.cli import app
from voice_coach.plan.timeline import Chapter, Event, Timeline, ms_to_frames, repeat, span_words

runner = CliRunner()
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffmpeg not installed")


def small() -> Timeline:
    return Timeline("r", "Ankle pumps", 2500, (
        Event(0, 900, "speech", text="Go."), Event(1000, 200, "tone", tone="rise", set=1, rep=1),
    ), (Chapter(0, "Introduction", "intro"), Chapter(1000, "Set 1 of 1", "set")),
        fade_out_ms=500)


def test_repeat_moves_every_event_by_whole_repetitions() -> None:
    out = repeat(small(), 3_600_000, 6 * 3_600_000)
    assert out.duration_ms == 6 * 3_600_000 and out.fade_out_ms == 500
    assert [e.start_ms for e in out.events] == [k * 3_600_000 + s for k in range(6)
                                                for s in (0, 1000)]
    assert out.events[3] == Event(3_601_000, 200, "tone", tone="rise", set=1, rep=1)
    assert [(c.start_ms, c.title, c.kind) for c in out.chapters] == [
        (k * 3_600_000, f"Hour {k + 1} — Ankle pumps", "repeat") for k in range(6)]
    assert out.title == "Ankle pumps, every hour for 6 hours"


def test_repeat_on_other_intervals() -> None:
    out = repeat(small(), 120_000, 300_000)  # starts at 0, 2 and 4 minutes
    assert [c.title for c in out.chapters] == [
        "Round 1 (0:00:00) — Ankle pumps", "Round 2 (0:02:00) — Ankle pumps",
        "Round 3 (0:04:00) — Ankle pumps"]
    assert out.duration_ms == 300_000
    longer = repeat(small(), 3000, 7000)  # the last one, at 6 s, ends after 7 s
    assert longer.duration_ms == 6000 + 2500
    assert span_words(5_400_000) == "90 minutes" and span_words(60_000, one=True) == "minute"


def test_repetitions_must_not_overlap() -> None:
    with pytest.raises(ValueError, match="shorter than the session"):
        repeat(small(), 2000, 10_000)


@pytest.fixture(scope="module")
def flight(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("flight") / "flight.mp3"
    result = runner.invoke(app, ["render", "flight", "--every", "4m", "--for", "12m", "-o",
                                 str(out), "--cues", "srt"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {out}: 12 min 00 s (720000 ms), 90 spoken cues, ")
    assert result.stdout.splitlines()[0].split("; voice ")[0].endswith(", 3 chapters")
    plan = json.loads(runner.invoke(app, ["plan", "flight", "--json"]).stdout)
    return out, plan, result.stdout


@needs_ffmpeg
def test_flight_file_length_and_chapters(flight) -> None:
    from tests.output.test_phone_files import chapters_in_file, probe

    out, *_ = flight
    assert float(probe(out)["format"]["duration"]) == pytest.approx(720.0, abs=0.1)
    assert chapters_in_file(out) == [
        (0, 240_000, "Round 1 (0:00:00) — In-flight ankle pumps"),
        (240_000, 480_000, "Round 2 (0:04:00) — In-flight ankle pumps"),
        (480_000, 720_000, "Round 3 (0:08:00) — In-flight ankle pumps")]
    from mutagen.id3 import ID3

    tags = ID3(out)
    assert str(tags["TIT2"]) == "In-flight ankle pumps, every 4 minutes for 12 minutes"
    assert tags.getall("COMM")[0].text[0].startswith(
        "In-flight ankle pumps. Every 4 minutes for 12 minutes: 2 x 10 reps")


@needs_ffmpeg
def test_each_repetition_is_the_routine_with_silence_between(flight) -> None:
    out, plan, _ = flight
    samples = decode(out).astype(np.int32)
    length = ms_to_frames(plan["duration_ms"])
    first = samples[:length]
    for k in (1, 2):
        again = samples[ms_to_frames(k * 240_000) : ms_to_frames(k * 240_000) + length]
        # the same mix, k * 4 minutes later: compare loudness envelopes (the MP3 is not exact)
        env = [np.abs(x[: len(x) // 2205 * 2205]).reshape(-1, 2205).mean(axis=1)
               for x in (first, again)]
        assert np.corrcoef(env[0], env[1])[0, 1] > 0.99
        gap = samples[ms_to_frames(k * 240_000 - 60_000) : ms_to_frames(k * 240_000 - 1000)]
        assert np.abs(gap).max() <= 2, "silence between repetitions"


@needs_ffmpeg
def test_silence_costs_next_to_nothing(flight) -> None:
    out, plan, _ = flight
    speech_s = 3 * plan["duration_ms"] / 1000
    silence_s = 720 - speech_s
    size = out.stat().st_size
    assert size < speech_s * 48_000 / 8 + silence_s * 10_000 / 8  # VBR: ~8 kbps when silent
    cues = out.with_suffix(".srt").read_text()
    assert cues.count(" --> ") == 90 and "\n00:08:" in cues


@needs_ffmpeg
def test_flight_loudness_is_the_routines(flight) -> None:
    """Each repetition's speech at the routine's speech loudness; the long, mostly silent file
    measures what the render reported."""
    from tests.level_table import ebur128, reported, speech_gated_lufs

    out, plan, stdout = flight
    samples = decode(out) / 32768
    speech_lufs, file_lufs = reported(stdout)
    assert speech_lufs == -16.0
    for k in range(3):
        again = samples[ms_to_frames(k * 240_000) :]
        assert speech_gated_lufs(again, plan["events"]) == pytest.approx(-16.0, abs=0.3)
    lufs, peak = ebur128(out)
    assert lufs == pytest.approx(file_lufs, abs=0.3) and peak <= -1.0


@needs_ffmpeg
def test_memory_does_not_grow_with_the_length(tmp_path: Path) -> None:
    """Peak memory of the whole render (the CLI process and its ffmpeg) for a 10-minute and a
    60-minute track: the same, and far under 200 MB (scripts/bench-flight does 6 hours)."""
    script = ("import resource, subprocess, sys\n"
              "subprocess.run(sys.argv[1:], check=True, capture_output=True)\n"
              "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    peaks = []
    for total in ("10m", "60m"):
        command = [sys.executable, "-m", "voice_coach", "render", "flight", "--every", "5m",
                   "--for", total, "-o", str(tmp_path / f"{total}.mp3")]
        proc = subprocess.run([sys.executable, "-c", script, *command], capture_output=True,
                              text=True, timeout=300, check=True)
        peaks.append(int(proc.stdout) / 1024)
    assert max(peaks) < 200, peaks
    assert peaks[1] < peaks[0] + 10, peaks
