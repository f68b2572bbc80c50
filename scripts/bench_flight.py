"""scripts/bench-flight: time and memory of a long flight track, rendered through the CLI.

Runs `voice-coach render flight --every 1h --for 6h` in a child process, samples the resident
memory of that process and of its ffmpeg child every 20 ms (/proc), and checks the file with
ffprobe (length, chapters) and ffmpeg's ebur128 (loudness, true peak). Measures; changes nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VOICE_COACH = REPO / ".venv" / "bin" / "voice-coach"


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 once it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def render(args: argparse.Namespace, out: Path) -> dict:
    """Run the render, sampling memory; returns the wall time and peaks."""
    command = [str(VOICE_COACH), "render", "flight", "--every", args.every, "--for", args.for_,
               "-o", str(out), "--force"]
    if args.background:
        command += ["--background", args.background]
    began = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak_render = peak_ffmpeg = 0.0
    while proc.poll() is None:
        peak_render = max(peak_render, rss_mb(proc.pid))
        peak_ffmpeg = max([peak_ffmpeg, *(rss_mb(c) for c in children(proc.pid))])
        time.sleep(0.02)
    wall_s = time.perf_counter() - began
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"render failed ({proc.returncode}):\n{stderr}")
    return {"wall_s": wall_s, "peak_render_mb": peak_render, "peak_ffmpeg_mb": peak_ffmpeg,
            "stdout": stdout.strip()}


def inspect(out: Path, measure_loudness: bool) -> dict:
    probe = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_chapters", "-of", "json", str(out)],
        capture_output=True, text=True, check=True).stdout)
    result = {"size_mb": out.stat().st_size / 1e6,
              "duration_s": float(probe["format"]["duration"]),
              "chapters": [(float(c["start_time"]), c["tags"]["title"])
                           for c in probe["chapters"]]}
    if measure_loudness:
        text = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(out), "-af",
                               "ebur128=peak=true", "-f", "null", "-"],
                              capture_output=True, text=True).stderr
        result["lufs"] = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", text)[-1])
        result["true_peak_dbtp"] = float(re.findall(r"Peak:\s+(-?[\d.]+) dBFS", text)[-1])
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--every", default="1h")
    parser.add_argument("--for", dest="for_", default="6h")
    parser.add_argument("--format", default="mp3")
    parser.add_argument("--background", default=None)
    parser.add_argument("--no-loudness", action="store_true",
                        help="skip the ebur128 measurement (about 40 s for 6 hours)")
    args = parser.parse_args(argv)
    if not shutil.which("ffprobe"):
        sys.exit("ffprobe not found: sudo apt-get install ffmpeg")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"flight.{args.format}"
        subprocess.run([str(VOICE_COACH), "check", "flight"], capture_output=True, check=True)
        ran = render(args, out)
        seen = inspect(out, not args.no_loudness)
    bed = f", background {args.background}" if args.background else ""
    print(f"flight track: every {args.every} for {args.for_}, {args.format}{bed}")
    print(f"  {ran['stdout']}")
    print(f"  render wall time     {ran['wall_s']:.1f} s")
    print(f"  peak RSS, render     {ran['peak_render_mb']:.0f} MB (limit 200)")
    print(f"  peak RSS, ffmpeg     {ran['peak_ffmpeg_mb']:.0f} MB")
    print(f"  file size            {seen['size_mb']:.1f} MB")
    print(f"  duration (ffprobe)   {seen['duration_s']:.1f} s")
    print(f"  chapters             {len(seen['chapters'])}: "
          + "; ".join(f"{t:.0f} s {title}" for t, title in seen["chapters"][:3]) + " …")
    if "lufs" in seen:
        print(f"  loudness             {seen['lufs']} LUFS, true peak {seen['true_peak_dbtp']} "
              "dBTP (ebur128)")
    return 0 if ran["peak_render_mb"] <= 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
