"""The Piper part of scripts/bench: cold synthesis on 1 and N processes, a cold `render
ankle-pumps`, and warm renders against espeak-ng. Measures only (targets printed beside).

Run alone: .venv/bin/python scripts/bench_piper.py [--readme]  (--readme rewrites the
"## The natural voice (Piper)" part of docs/benchmark.md; scripts/bench --readme includes it too).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
PHRASES = 96  # enough work that starting workers and loading the model twice is repaid
TARGET_SPEEDUP = 1.6  # 2 processes against one, on 2 cores
TARGET_COLD_S = 10.0  # `render ankle-pumps` with an empty speech cache
TARGET_WARM_RATIO = 1.1  # warm Piper render against warm espeak-ng render: "as fast"


@dataclass
class PiperBench:
    workers: int
    one_per_s: float  # unique phrases a second, one process
    many_per_s: float  # on `workers` processes
    cold_s: list[float]  # cold `render ankle-pumps` wall times
    warm_piper_s: float  # median warm render, Piper
    warm_espeak_s: float  # median warm render, espeak-ng
    cpu_s_per_speech_s: float  # CPU seconds per second of speech, one process

    @property
    def speedup(self) -> float:
        return self.many_per_s / self.one_per_s


def phrases(n: int) -> list[str]:
    verbs = ["Lift", "Lower", "Hold", "Press", "Point", "Flex", "Turn", "Squeeze", "Relax"]
    parts = ["your toes", "the heel", "both feet", "the left ankle", "the right knee"]
    return [f"{verbs[i % 9]} {parts[i // 9 % 5]}, {i // 45 + 1} times." for i in range(n)]


def synthesis(n_phrases: int, workers: int) -> tuple[float, float, float]:
    """(phrases/s on one process, phrases/s on `workers`, CPU s per speech s on one), cold."""
    from voice_coach.speech import VoiceSettings, synthesize_all

    texts = phrases(n_phrases)
    rates = []
    cpu_ratio = 0.0
    for n_workers in (1, workers):
        began, cpu = time.perf_counter(), time.process_time()
        clips = synthesize_all(texts, VoiceSettings(engine="piper"), cache=None,
                               workers=n_workers)
        rates.append(n_phrases / (time.perf_counter() - began))
        if n_workers == 1:
            speech_s = sum(len(c) for c in clips.values()) / 22050
            cpu_ratio = (time.process_time() - cpu) / speech_s
    return rates[0], rates[1], cpu_ratio


def render_s(args: list[str], cache: Path) -> float:
    env = {**os.environ, "VOICE_COACH_CACHE_DIR": str(cache)}
    began = time.perf_counter()
    subprocess.run([str(VENV_BIN / "voice-coach"), "render", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def measure(tmp: Path, workers: int, repeats: int = 3) -> PiperBench:
    one, many, cpu_ratio = synthesis(PHRASES, workers)
    out = str(tmp / "ankle.mp3")
    cold = [render_s(["ankle-pumps", "-o", out, "--force", "--engine", "piper"],
                     tmp / f"cold-cache-{k}") for k in range(2)]
    warm_cache = tmp / "warm-cache"
    warm = {}
    for engine in ("piper", "espeak"):
        args = ["ankle-pumps", "-o", out, "--force", "--engine", engine]
        render_s(args, warm_cache)  # fills the cache
        warm[engine] = statistics.median(render_s(args, warm_cache) for _ in range(repeats))
    return PiperBench(workers, one, many, cold, warm["piper"], warm["espeak"], cpu_ratio)


def verdict(target: str, met: bool) -> str:
    return f"{target}: {'met' if met else 'MISSED'}"


def table(b: PiperBench, ceiling: float | None = None) -> str:
    cold = max(b.cold_s)
    warm_ratio = b.warm_piper_s / b.warm_espeak_s
    rows = [
        "| Piper (en_US-joe-medium) | measured | target |",
        "|---|---|---|",
        f"| cold synthesis: unique phrases/s, 1 → {b.workers} processes ({PHRASES} phrases) "
        f"| {b.one_per_s:.1f} → {b.many_per_s:.1f} | |",
        f"| {b.workers} processes against one | {b.speedup:.2f}× | "
        f"{verdict(f'≥ {TARGET_SPEEDUP}×', b.speedup >= TARGET_SPEEDUP)} |",
        f"| CPU per second of speech, one process | {b.cpu_s_per_speech_s:.3f} s | |",
        f"| `render ankle-pumps`, empty speech cache (s, each run) | "
        f"{', '.join(f'{s:.1f}' for s in b.cold_s)} | "
        f"{verdict(f'< {TARGET_COLD_S:g} s', cold < TARGET_COLD_S)} |",
        f"| `render ankle-pumps`, warm cache: Piper / espeak-ng (s, median) | "
        f"{b.warm_piper_s:.2f} / {b.warm_espeak_s:.2f} ({warm_ratio:.2f}×) | "
        f"{verdict(f'≤ {TARGET_WARM_RATIO}×', warm_ratio <= TARGET_WARM_RATIO)} |",
    ]
    if ceiling is not None:
        rows.append(f"| this machine: CPU-bound throughput of {b.workers} processes, × one | "
                    f"{ceiling:.2f}× | |")
    return "\n".join(rows)


HEADING = "## The natural voice (Piper)"


def section(b: PiperBench, ceiling: float | None = None) -> str:
    """The README part: what is measured, the table, and what limits it."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    notes = [
        f"Cold synthesis of {PHRASES} distinct phrases with no cache, in one process and then "
        f"on {b.workers} worker processes (each loads the model once); a cold `render "
        "ankle-pumps` with an empty speech cache (16 distinct phrases, two workers); warm "
        "renders of the same session with each engine, its speech cached.",
        f"Load average when it ran: {load:.1f} on {b.workers} cores (the wall times above are "
        "those of a shared machine when this is well above 0).",
    ]
    return (f"{HEADING}\n\n" + " ".join(notes[:1]) + "\n\n" + table(b, ceiling) + "\n\n- "
            + notes[1])


def write_readme(text: str, readme: Path) -> None:
    """Replace (or add at the end) this part of docs/benchmark.md."""
    body = readme.read_text()
    found = re.search(rf"^{re.escape(HEADING)}\n.*?(?=^## |\Z)", body, flags=re.S | re.M)
    if found:
        body = body[: found.start()] + text + "\n\n" + body[found.end():]
    else:
        body = body.rstrip("\n") + f"\n\n{text}\n"
    readme.write_text(body.rstrip("\n") + "\n")


def main() -> None:
    from voice_coach.speech.parallel import cpu_count

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readme", action="store_true",
                        help="write the part into docs/benchmark.md")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="voice-coach-bench-piper-") as tmp:
        text = section(measure(Path(tmp), cpu_count()))
    print(text)
    if options.readme:
        write_readme(text, Path(__file__).resolve().parent.parent / "docs" / "benchmark.md")


if __name__ == "__main__":
    main()
