"""Stress measurement of the speech engines (scripts/speech-stress): many renders, alternating
rate and voice every time. A developer tool, not part of the installed package.

Checks no clip is empty or cut short and each clip's length fits its rate; for deterministic
engines (Piper) that repeats are bit-identical, also across processes and orders
(--reverse, --digests). scripts/speech-stress --engines piper --renders 1000
It measures engines directly (no cache) and never changes which engine is the default.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from voice_coach.plan.timeline import SAMPLE_RATE
from voice_coach.speech import SpeechEngine, open_engine

PHRASES = (
    "Breathe in.",
    "Hold it.",
    "Three more reps, keep going!",
    "Rest for thirty seconds.",
    "Next: slow squats. Ready?",
    "Lower your shoulders and relax your jaw.",
    "Good work.",
    "Set two of four.",
)
VOICES = ("en", "en-us", "de", "fr")
RATES_WPM = (100, 160, 250)  # 3 and 4 voices are coprime: rate and voice change on every render
SPREAD_TOLERANCE_MS = 25.0  # same text, voice and rate: engines vary by up to ~18 ms
SPREAD_TOLERANCE_FRACTION = 0.02
RATIO_TOLERANCE = 0.30  # measured length ratio vs the inverse rate ratio (pauses do not scale)
# A clip shorter than this share of its words at its rate was cut short (engines measure
# 0.9-1.5x words x 60 / rate on these phrases).
MIN_SHARE_OF_NOMINAL = 0.4
# Same text and settings must give the same bytes (espeak: each phrase from a fresh engine state).
DETERMINISTIC = {"piper", "pico", "espeak", "fake"}


@dataclass
class StressResult:
    engine: str
    version: str
    n_renders: int = 0
    n_empty: int = 0
    retries: int = 0  # extra renders: wrong rate/voice in effect, 0-frame or unreadable file
    restarts: int = 0  # worker processes killed (hung) or found dead and started again
    late_files: int = 0  # renders whose file was still being written when runAndWait returned
    max_spread_ms: float = 0.0  # worst |length - mean| over renders of one (text, voice, rate)
    varying: int = 0  # (text, voice, rate) whose renders were not all the same samples
    worst_ratio_error: float = 0.0  # worst |(len_a/len_b) / (rate_b/rate_a) - 1|
    n_short: int = 0  # clips shorter than MIN_SHARE_OF_NOMINAL of their words at their rate
    digests: dict[str, str] = field(default_factory=dict)  # "text|voice|rate" → sha256
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def ms_per_render(self) -> float:
        return 1000 * self.seconds / max(1, self.n_renders)


def plan(n_renders: int, voices: tuple[str, ...] = VOICES) -> list[tuple[str, str, int]]:
    """(text, voice, rate_wpm) for each render, cycling all combinations; rate and voice
    differ from the previous render every time (with 2 or 4 voices; 3 rates)."""
    n_mix = len(voices) * len(RATES_WPM)
    return [
        (
            PHRASES[(i // n_mix) % len(PHRASES)],
            voices[i % len(voices)],
            RATES_WPM[i % len(RATES_WPM)],
        )
        for i in range(n_renders)
    ]


def measure(engine: SpeechEngine, n_renders: int = 1000, voices: tuple[str, ...] = VOICES,
            reverse: bool = False) -> StressResult:
    """Render `n_renders` clips on `engine` and check them; see StressResult.

    reverse: render the plan backwards (another order, for comparing digests across runs)."""
    result = StressResult(engine=engine.name, version=engine.version)
    stats_before = dict(getattr(engine, "stats", {}))
    lengths: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    variants: dict[tuple[str, str, int], set[str]] = defaultdict(set)
    renders = plan(n_renders, voices)
    started = time.perf_counter()
    for text, voice, rate_wpm in reversed(renders) if reverse else renders:
        clip = engine.synthesize(text, voice, rate_wpm, 1.0)
        result.n_renders += 1
        if clip.size == 0:
            result.n_empty += 1
            result.problems.append(f"empty clip: {text!r} {voice} {rate_wpm} wpm")
        elif clip.size < MIN_SHARE_OF_NOMINAL * len(text.split()) * 60 * SAMPLE_RATE / rate_wpm:
            result.n_short += 1
            result.problems.append(f"clip cut short: {text!r} {voice} {rate_wpm} wpm, "
                                   f"{clip.size * 1000 // SAMPLE_RATE} ms")
        lengths[(text, voice, rate_wpm)].append(clip.size)
        variants[(text, voice, rate_wpm)].add(hashlib.sha256(clip.tobytes()).hexdigest())
    result.seconds = time.perf_counter() - started
    for (text, voice, rate_wpm), found in variants.items():
        result.digests[f"{text}|{voice}|{rate_wpm}"] = min(found)
        if len(found) > 1:
            result.varying += 1
            if engine.name in DETERMINISTIC:
                result.problems.append(f"not bit-identical: {text!r} {voice} {rate_wpm} wpm "
                                       f"gave {len(found)} different clips")
    stats = getattr(engine, "stats", {})

    def delta(name: str) -> int:
        return int(stats.get(name, 0)) - int(stats_before.get(name, 0))

    result.retries = delta("retries") + delta("rate_resets")
    result.restarts = delta("restarts")
    result.late_files = delta("late_files")
    _check_lengths(result, lengths)
    return result


def _check_lengths(result: StressResult, lengths: dict[tuple[str, str, int], list[int]]) -> None:
    means_ms: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for (text, voice, rate_wpm), n_frames in lengths.items():
        ms = np.array(n_frames) * 1000 / SAMPLE_RATE
        mean_ms = float(ms.mean())
        spread_ms = float(np.abs(ms - mean_ms).max())
        result.max_spread_ms = max(result.max_spread_ms, spread_ms)
        if spread_ms > SPREAD_TOLERANCE_MS + SPREAD_TOLERANCE_FRACTION * mean_ms:
            result.problems.append(
                f"length varies by {spread_ms:.0f} ms: {text!r} {voice} {rate_wpm} wpm"
            )
        means_ms[(text, voice)][rate_wpm] = mean_ms
    for (text, voice), by_rate in means_ms.items():
        rates = sorted(by_rate)
        for slow, fast in zip(rates, rates[1:], strict=False):
            if by_rate[fast] <= 0:
                continue
            error = (by_rate[slow] / by_rate[fast]) / (fast / slow) - 1
            result.worst_ratio_error = max(result.worst_ratio_error, abs(error))
            if abs(error) > RATIO_TOLERANCE:
                result.problems.append(
                    f"{text!r} {voice}: {slow}->{fast} wpm length ratio off by {error:+.0%}"
                )


def format_table(results: list[StressResult]) -> str:
    """A Markdown table of the results, for the README."""
    lines = [
        "| engine | version | renders | empty | cut short | retries | restarts | late files "
        "| max spread (ms) | phrases not bit-identical | worst rate-ratio error | ms/render "
        "| result |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        verdict = "pass" if r.ok else f"FAIL ({len(r.problems)} problems)"
        lines.append(
            f"| {r.engine} | {r.version} | {r.n_renders} | {r.n_empty} | {r.n_short} "
            f"| {r.retries} | {r.restarts} | {r.late_files} | {r.max_spread_ms:.1f} "
            f"| {r.varying} | {r.worst_ratio_error:.1%} | {r.ms_per_render:.2f} | {verdict} |"
        )
    return "\n".join(lines)


def piper_stress_engine(work_dir: Path) -> tuple[SpeechEngine, tuple[str, ...]]:
    """A Piper engine and two voices to alternate between: the installed voices, and with only
    one installed, that model again under a second id (a hard link or copy in work_dir), so the
    two are separately loaded models."""
    import dataclasses
    import os
    import shutil

    from voice_coach.speech.piper import PiperEngine
    from voice_coach.speech.voice_files import installed_piper_voices

    voices = installed_piper_voices()
    if len(voices) == 1:
        first = voices[0]
        twin_id = first.id.replace("-", "-twin", 1) if first.id.count("-") == 2 else first.id + "2"
        work_dir.mkdir(parents=True, exist_ok=True)
        twin_model = work_dir / f"{twin_id}.onnx"
        if not twin_model.exists():
            try:
                os.link(first.model_path, twin_model)
            except OSError:
                shutil.copyfile(first.model_path, twin_model)
        voices.append(dataclasses.replace(first, id=twin_id, model_path=twin_model))
    engine = PiperEngine(voices=voices)
    return engine, tuple(v.id for v in voices[:4])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engines", default="espeak,pyttsx3", help="comma-separated names")
    parser.add_argument("--renders", type=int, default=1000, help="renders per engine")
    parser.add_argument("--reverse", action="store_true", help="render the plan backwards")
    parser.add_argument("--digests", type=Path, help="write each clip's SHA-256 here (JSON)")
    args = parser.parse_args(argv)
    results = []
    import tempfile

    with tempfile.TemporaryDirectory(prefix="voice-coach-stress-") as work:
        for name in args.engines.split(","):
            voices = VOICES
            if name.strip() == "piper":
                engine, voices = piper_stress_engine(Path(work))
            else:
                engine = open_engine(name.strip())
            try:
                results.append(measure(engine, args.renders, voices, reverse=args.reverse))
            finally:
                engine.close()
            print(f"{name.strip()}: {args.renders} renders; phrases x voices {','.join(voices)} "
                  f"x rates {'/'.join(map(str, RATES_WPM))} wpm, rate and voice changing on "
                  "every render" + (", in reverse order" if args.reverse else ""))
    if args.digests is not None:
        args.digests.write_text(json.dumps({r.engine: r.digests for r in results}, indent=1))
    print(format_table(results))
    for r in results:
        for problem in r.problems[:10]:
            print(f"{r.engine}: {problem}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
