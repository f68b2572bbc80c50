"""The levels of rendered sessions, measured on the files: the table behind the README's loudness
section and the level tests. Renders through the real CLI (real espeak-ng, real ffmpeg), decodes
the file with ffmpeg and measures it against its plan (`plan --json`).

    python -m tests.level_table            (or scripts/levels) prints the table
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.audio_measure import decode_float
from voice_coach.plan.timeline import ms_to_frames
from voice_coach.sound import loudness as ld

SR = 22050
BREATHING = """\
title: Breathing, for level tests
intro: Lie back and let your breathing slow down.
steps:
  - breathe: Slow breathing
    inhale: 4s
    hold: 2s
    exhale: 6s
    cycles: 6
outro: That's all. Breathe as you like.
"""

# (label, routine, extra render options); "bedtime-loud" is bedtime at volume 1.0.
CASES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ankle-pumps (seated)", "ankle-pumps", ()),
    ("ankle-pumps-pump", "ankle-pumps-pump", ()),
    ("bedtime (volume 0.8)", "bedtime", ()),
    ("bedtime --background brown", "bedtime", ("--background", "brown")),
    ("bedtime at volume 1.0", "bedtime-loud", ()),
    ("bedtime at volume 1.0 --background brown", "bedtime-loud", ("--background", "brown")),
    ("breathing", "breathing", ()),
    ("breathing --background brown", "breathing", ("--background", "brown")),
)


@dataclass(frozen=True)
class Levels:
    """What one rendered file measures (LUFS; LU for differences).

    file_lufs: integrated (BS.1770, ffmpeg's ebur128); speech_lufs: speech-gated (every spoken
    cue cut from the file at its planned place, joined end to end, BS.1770 integrated: the
    silences between cues never count); cue_median_lufs: the median cue measured alone
    (loudness.cue_lufs); beats_under_lu: how far the ticks, tocks and metronome sit under the
    voice (median cue over median beat, beats under a spoken cue left out; None when there are
    none); summary: what the render printed.
    """

    file_lufs: float
    speech_lufs: float
    cue_median_lufs: float
    beats_under_lu: float | None
    true_peak_dbtp: float
    summary: str


def cli(*args: str, cwd: Path) -> str:
    """voice-coach's stdout (it must succeed)."""
    proc = subprocess.run([sys.executable, "-m", "voice_coach", *args], cwd=cwd,
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a file, as ffmpeg's ebur128 measures it."""
    text = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af",
                           "ebur128=peak=true", "-f", "null", "-"],
                          capture_output=True, text=True, check=True).stderr
    return (float(re.findall(r"I:\s+(-?[\d.]+) LUFS", text)[-1]),
            float(re.findall(r"Peak:\s+(-?[\d.]+|-inf) dBFS", text)[-1]))


def ebur128_samples(samples: np.ndarray) -> float:
    """Integrated LUFS of float samples at SR, as ffmpeg's ebur128 measures them."""
    pcm = np.clip(np.rint(samples * 32768), -32768, 32767).astype("<i2").tobytes()
    text = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-f", "s16le", "-ar", str(SR),
                           "-ac", "1", "-i", "pipe:0", "-af", "ebur128", "-f", "null", "-"],
                          input=pcm, capture_output=True, check=True).stderr.decode()
    return float(re.findall(r"I:\s+(-?[\d.]+) LUFS", text)[-1])


def reported(summary: str) -> tuple[float, float]:
    """(speech LUFS, file LUFS) as the render reports them (its Loudness line)."""
    found = re.search(r"^Loudness: speech (-?[\d.]+) LUFS, file (-?[\d.]+) LUFS integrated\.$",
                      summary, flags=re.M)
    assert found, f"no loudness in {summary!r}"
    return float(found.group(1)), float(found.group(2))


def pieces(samples: np.ndarray, events: list[dict], want) -> list[np.ndarray]:
    """The frames of each planned event for which want(event) holds."""
    return [samples[ms_to_frames(e["start_ms"]) : ms_to_frames(e["start_ms"] + e["duration_ms"])]
            for e in events if want(e)]


def is_speech(event: dict) -> bool:
    return event["kind"] == "speech"


def is_beat(event: dict) -> bool:
    return event["kind"] == "tone" and (event.get("tone") in ("tick", "tock")
                                        or event.get("layer") == "metronome")


def alone(events: list[dict]):
    """want(event) for pieces: the event overlaps no spoken cue (a metronome beat under "Up."
    would measure the voice)."""
    spans = [(e["start_ms"], e["start_ms"] + e["duration_ms"]) for e in events if is_speech(e)]

    def want(event: dict) -> bool:
        start, end = event["start_ms"], event["start_ms"] + event["duration_ms"]
        return is_beat(event) and not any(s < end and start < e for s, e in spans)

    return want


def speech_gated_lufs(samples: np.ndarray, events: list[dict]) -> float:
    """The speech-gated loudness of a mix: its spoken cues joined end to end, measured by
    ffmpeg's ebur128 (BS.1770 integrated)."""
    return ebur128_samples(np.concatenate(pieces(samples, events, is_speech)))


def measure(path: Path, plan: dict, summary: str = "") -> Levels:
    """The Levels of a rendered file and its plan (`plan --json`)."""
    samples = decode_float(path).astype(np.float64)
    events = plan["events"]
    cues = [ld.cue_lufs(p, SR) for p in pieces(samples, events, is_speech)]
    beats = [ld.cue_lufs(p, SR) for p in pieces(samples, events, alone(events))]
    voice = float(np.median(cues))
    file_lufs, peak = ebur128(path)
    return Levels(file_lufs, speech_gated_lufs(samples, events), voice,
                  voice - float(np.median(beats)) if beats else None, peak, summary)


def render_and_measure(routine: str, options: tuple[str, ...], folder: Path) -> Levels:
    """Renders `routine` (a built-in name, "breathing" for BREATHING, or a file) to MP3 in
    folder and measures it."""
    if routine == "breathing":
        (folder / "breathing.yaml").write_text(BREATHING)
        routine = "breathing.yaml"
    if routine == "bedtime-loud":
        from voice_coach.routine import builtin_text

        text = builtin_text("bedtime")
        assert "  volume: 0.8\n" in text
        (folder / "bedtime-loud.yaml").write_text(text.replace("  volume: 0.8\n", ""))
        routine = "bedtime-loud.yaml"
    out = folder / f"{Path(routine).stem}{'-'.join(('', *options))}.mp3"
    summary = cli("render", routine, "-o", str(out), "--force", *options, cwd=folder)
    plan = json.loads(cli("plan", routine, "--json", cwd=folder))
    return measure(out, plan, summary)


def table(folder: Path) -> str:
    rows = ["| session | file (integrated) | speech (speech-gated) | cue median | beats under "
            "voice | true peak |", "|---|---|---|---|---|---|"]
    for label, routine, options in CASES:
        lv = render_and_measure(routine, options, folder)
        beats = "-" if lv.beats_under_lu is None else f"{lv.beats_under_lu:.1f} LU"
        rows.append(f"| {label} | {lv.file_lufs:.1f} LUFS | {lv.speech_lufs:.1f} LUFS | "
                    f"{lv.cue_median_lufs:.1f} LUFS | {beats} | {lv.true_peak_dbtp:.1f} dBTP |")
    return "\n".join(rows)


if __name__ == "__main__":
    os.environ.setdefault("VOICE_COACH_CACHE_DIR", tempfile.mkdtemp(prefix="levels-cache-"))
    with tempfile.TemporaryDirectory() as tmp:
        print(table(Path(tmp)))
