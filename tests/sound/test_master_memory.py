"""Peak memory of a real render with hundreds of distinct phrases: mastering keeps small summaries
per phrase, never several float copies of each (800 phrases once took 3.3 GB)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

N_PHRASES = 800
MAX_RSS_MB = 250

# Each rep says its own number, so every cue is a distinct phrase of about 1.5 to 2 s.
ROUTINE = f"""title: Many phrases
voice: {{engine: espeak, rate: 260}}
steps:
  - exercise: Count
    sets: 1
    reps: {N_PHRASES}
    rest: 10s
    halfway: false
    phases:
      - say: "Rep {{rep}} of {{reps}}, up."
        hold: 3s
"""

# A fresh process runs the render as its only child and reports RUSAGE_CHILDREN's peak: the
# largest of the render and its ffmpeg, with nothing else (the synthesis before it) counted.
MEASURE = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-m", "voice_coach", *sys.argv[1:]], check=True,
               stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_render_memory_stays_flat_with_hundreds_of_distinct_phrases(tmp_path: Path) -> None:
    routine = tmp_path / "many.yaml"
    routine.write_text(ROUTINE)
    env = {**os.environ, "VOICE_COACH_CACHE_DIR": str(tmp_path / "cache")}
    args = [str(routine), "--max-minutes", "400"]
    subprocess.run([sys.executable, "-m", "voice_coach", "plan", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # synthesises (and caches) the phrases first
    out = tmp_path / "many.mp3"
    measured = subprocess.run([sys.executable, "-c", MEASURE, "render", *args, "-o", str(out)],
                              env=env, check=True, capture_output=True, text=True)
    peak_mb = int(measured.stdout.split()[-1]) / 1024
    assert out.stat().st_size > 0
    assert peak_mb <= MAX_RSS_MB, f"the render peaked at {peak_mb:.0f} MB"
