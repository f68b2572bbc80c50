"""The benchmark behind scripts/bench: one table, measured in one run, against the physical limit.

Renders generated 10-, 30- and 180-minute sessions to MP3 through the real CLI with a warm speech
cache and compares each with ffmpeg alone encoding the same PCM with the same encoder arguments;
measures peak memory, cold synthesis per engine on all cores and `voice-coach --help` start-up;
then loads `voice-coach serve` with concurrent clients on loopback (bench_serve.py; --serve runs
only that). It measures only: it never asserts (the targets are printed beside the numbers).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SESSION_MINUTES = (10, 30, 180)
SYNTH_PHRASES = {"espeak": 2000, "pyttsx3": 300}
TARGET_RATIO = 1.3
TARGET_SPEEDUP = 100
TARGET_RSS_MB = 200
TARGET_HELP_S = 0.3
TARGET_PLAY_S = 0.5

# The render runs in a child that reports its own peak RSS and its children's (ffmpeg's).
CHILD = """
import atexit, json, resource, sys
report_path = sys.argv[1]
sys.argv = ["voice-coach", *sys.argv[2:]]
def report():
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(report_path, "w") as f:
        json.dump({"self_kb": own, "children_kb": children}, f)
atexit.register(report)
from voice_coach.cli import main
main()
"""

# An ffmpeg stand-in that records the arguments the renderer gives it and runs the real one
# under GNU time for its own peak RSS: the renderer's RUSAGE_CHILDREN would count the pages a
# forked child shares with its parent before it execs ffmpeg.
FFMPEG_SHIM = """#!/bin/sh
here="$(dirname "$0")"
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$here/argv.txt"
exec {runner} "$@"
"""
GNU_TIME = "/usr/bin/time"
LIMIT = ["--max-minutes", "400"]  # generous: a generated session is never refused as too long

WORDS = [
    "Up.",
    "Down.",
    "In.",
    "Out.",
    "Lift.",
    "Lower.",
    "Press.",
    "Point.",
    "Flex.",
    "Reach.",
    "Squeeze.",
    "Relax.",
    "Left.",
    "Right.",
    "Push.",
    "Pull.",
]
NUDGES = ["Good.", "Steady.", "Easy.", "Nice.", "Slowly.", "Breathe.", "Smooth.", "Gently."]
STEP_S = 3 * (7 + 30 * 2.6) + 2 * 10  # one generated exercise step, about 4.6 minutes


def routine_yaml(minutes: float) -> str:
    """A routine of about `minutes`, ~80 cues and tones a minute, like a brisk real session.
    Spoken by espeak-ng (its short clips fit these brisk phases in any language's voice; with a
    warm cache the engine costs nothing, and the figures stay comparable between machines with
    and without Piper)."""
    steps = []
    for i in range(max(1, round(minutes * 60 / STEP_S))):
        first, second = WORDS[i % len(WORDS)], WORDS[(i * 5 + 3) % len(WORDS)]
        steps.append(
            f"  - exercise: Drill {i + 1}\n    sets: 3\n    reps: 30\n    rest: 10s\n"
            f"    halfway: false\n    remind_every: 7\n    remind: {NUDGES[i % len(NUDGES)]}\n"
            f"    phases:\n      - say: {first}\n        hold: 1300ms\n        tone: rise\n"
            f"      - say: {second}\n        hold: 1300ms\n        tone: fall\n"
        )
    return "title: Bench\nvoice: {engine: espeak, rate: 240}\nsteps:\n" + "".join(steps)


def unique_phrases(n: int) -> list[str]:
    """n distinct cue texts of the usual length (2 to 8 words)."""
    verbs = ["Lift", "Lower", "Hold", "Press", "Point", "Flex", "Turn", "Squeeze", "Relax"]
    parts = ["your toes", "the heel", "both feet", "the left ankle", "the right knee"]
    return [f"{verbs[i % 9]} {parts[i // 9 % 5]}, {i // 45 + 1} times." for i in range(n)]


@dataclass
class Run:
    wall_s: float
    self_mb: float
    children_mb: float


def run_cli(args: list[str], env: dict[str, str], tmp: Path) -> Run:
    """`voice-coach ARGS` in a child process: wall time and peak RSS (its own, its children's)."""
    report = tmp / "rss.json"
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", CHILD, str(report), *args],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall_s = time.perf_counter() - began
    rss = json.loads(report.read_text())
    return Run(wall_s, rss["self_kb"] / 1024, rss["children_kb"] / 1024)


def run_ffmpeg(command: list[str]) -> Run:
    """ffmpeg alone: wall time and its peak RSS (wait4 gives the one child's usage)."""
    began = time.perf_counter()
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall_s = time.perf_counter() - began
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"ffmpeg failed: {command}")
    return Run(wall_s, usage.ru_maxrss / 1024, 0.0)


def shim_env(env: dict[str, str], tmp: Path) -> dict[str, str]:
    """env with the ffmpeg stand-in first on PATH (see FFMPEG_SHIM)."""
    shim_dir = tmp / "shim"
    shim_dir.mkdir()
    ffmpeg = shutil.which("ffmpeg")
    runner = f'"{ffmpeg}"'
    if os.access(GNU_TIME, os.X_OK):
        runner = f'{GNU_TIME} -f %M -o "$here/rss-kb.txt" "{ffmpeg}"'
    shim = shim_dir / "ffmpeg"
    shim.write_text(FFMPEG_SHIM.format(runner=runner))
    shim.chmod(0o755)
    return {**env, "PATH": f"{shim_dir}{os.pathsep}{env['PATH']}"}


def render_mp3(yaml_path: Path, out: Path, env: dict[str, str], tmp: Path) -> Run:
    """One measured MP3 render, its ffmpeg's own peak RSS in children_mb (0 if unknown)."""
    rss_file = tmp / "shim" / "rss-kb.txt"
    rss_file.unlink(missing_ok=True)
    run = run_cli(["render", str(yaml_path), "-o", str(out), "--force", *LIMIT], env, tmp)
    lines = rss_file.read_text().split() if rss_file.exists() else []
    run.children_mb = int(lines[-1]) / 1024 if lines else 0.0
    return run


def encoder_args(tmp: Path) -> list[str]:
    """The arguments the renderer last gave ffmpeg after its PCM input, minus the output."""
    argv = (tmp / "shim" / "argv.txt").read_text().splitlines()
    return argv[argv.index("pipe:0") + 1 : -1]


@dataclass
class SessionResult:
    nominal_minutes: int
    minutes: float
    n_events: int
    n_phrases: int
    render: list[Run]
    alone: list[Run]
    plan: list[Run]
    unmastered: list[Run]


def bench_session(
    minutes: int, env: dict[str, str], tmp: Path, repeats: int, codec: list[str] | None
) -> tuple[SessionResult, list[str]]:
    yaml_path = tmp / f"session-{minutes}.yaml"
    yaml_path.write_text(routine_yaml(minutes))
    plan = subprocess.run(
        [str(VENV_BIN / "voice-coach"), "plan", "--json", str(yaml_path), *LIMIT],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )  # warms the cache
    timeline = json.loads(plan.stdout)
    wav, mp3, alone_mp3 = tmp / "mix.wav", tmp / "mix.mp3", tmp / "alone.mp3"
    render_mp3(yaml_path, mp3, env, tmp)
    codec = codec or encoder_args(tmp)
    run_cli(["render", str(yaml_path), "-o", str(wav), "--force", *LIMIT], env, tmp)
    ffmpeg = [
        shutil.which("ffmpeg") or "ffmpeg",
        "-hide_banner",
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(wav),
        *codec,
        f"file:{alone_mp3}",
    ]
    renders, alones, plans, unmastered = [], [], [], []
    mastered_dir = Path(env["VOICE_COACH_CACHE_DIR"]) / "mastered"
    for _ in range(repeats):  # interleaved, so a noisy neighbour hurts all alike
        renders.append(render_mp3(yaml_path, mp3, env, tmp))
        alones.append(run_ffmpeg(ffmpeg))
        plans.append(run_cli(["plan", str(yaml_path), *LIMIT], env, tmp))
        shutil.rmtree(mastered_dir, ignore_errors=True)  # speech cached, mix not yet mastered
        unmastered.append(render_mp3(yaml_path, mp3, env, tmp))
    speech = {e["text"] for e in timeline["events"] if e["kind"] == "speech"}
    result = SessionResult(
        minutes,
        timeline["duration_ms"] / 60_000,
        len(timeline["events"]),
        len(speech),
        renders,
        alones,
        plans,
        unmastered,
    )
    return result, codec


def piper_available() -> bool:
    from voice_coach.speech.piper import available

    return available()


def bench_synthesis(engine: str, n_phrases: int, workers: int) -> tuple[float, float]:
    """Unique phrases a second, cold (no cache): in one process, then on `workers` processes."""
    from voice_coach.speech import VoiceSettings, synthesize_all

    texts = unique_phrases(n_phrases)
    rates = []
    for n_workers in (1, workers):
        began = time.perf_counter()
        synthesize_all(texts, VoiceSettings(engine=engine), cache=None, workers=n_workers)
        rates.append(n_phrases / (time.perf_counter() - began))
    return rates[0], rates[1]


def _burn(n: int) -> float:
    began = time.perf_counter()
    total = 0
    for i in range(n):
        total += i
    return time.perf_counter() - began


def parallel_ceiling(workers: int, n: int = 5_000_000) -> float:
    """How many times one process's throughput `workers` CPU-bound processes get here."""
    import multiprocessing

    one_s = _burn(n)
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        pool.map(_burn, [1000] * workers)  # started before the clock runs
        began = time.perf_counter()
        pool.map(_burn, [n] * workers)
        return workers * one_s / (time.perf_counter() - began)


def bench_help(runs: int = 9) -> float:
    command = [str(VENV_BIN / "voice-coach"), "--help"]
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def machine() -> str:
    from voice_coach.speech.parallel import cpu_count

    cpu = _first_match(Path("/proc/cpuinfo"), r"model name\s*:\s*(.+)") or platform.processor()
    mem_kb = _first_match(Path("/proc/meminfo"), r"MemTotal:\s*(\d+)")
    ram = f"{int(mem_kb) / 1024**2:.1f} GB RAM" if mem_kb else "RAM unknown"
    ffmpeg = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout
    from voice_coach.speech.espeak import EspeakEngine

    system = _first_match(Path("/etc/os-release"), r'PRETTY_NAME="?([^"\n]+)') or platform.system()
    return (
        f"{cpu}, {cpu_count()} cores, {ram}; {system}; "
        f"Python {platform.python_version()}; "
        f"ffmpeg {ffmpeg.split()[2] if ffmpeg else '?'}; {EspeakEngine().version}"
    )


def _first_match(path: Path, pattern: str) -> str | None:
    try:
        found = re.search(pattern, path.read_text())
    except OSError:
        return None
    return found.group(1).strip() if found else None


def _median(runs: list[Run], field: str) -> float:
    return statistics.median(getattr(r, field) for r in runs)


def table(
    sessions: list[SessionResult],
    synth: dict[str, tuple[float, float]],
    workers: int,
    ceiling: float,
    help_s: float,
    practice: dict[str, float] | None = None,
    play: dict | None = None,
) -> str:
    """The one table: a column per session, the target beside each measure."""

    def row(label: str, cells: list[str], target: str = "") -> str:
        return f"| {label} | " + " | ".join(cells) + f" | {target} |"

    from voice_coach.plan.timeline import format_clock_ms

    lengths = [format_clock_ms(round(s.minutes * 60_000)).split(".")[0] for s in sessions]
    ratio = [_median(s.render, "wall_s") / _median(s.alone, "wall_s") for s in sessions]
    speedup = [s.minutes * 60 / _median(s.render, "wall_s") for s in sessions]
    rss = [max(r.self_mb for r in s.render) for s in sessions]
    n = len(sessions)
    lines = [
        "| measure | "
        + " | ".join(f"{s.nominal_minutes}-min session" for s in sessions)
        + " | target |",
        "|---" * (n + 2) + "|",
        row("length (h:mm:ss)", lengths),
        row("distinct phrases", [f"{s.n_phrases}" for s in sessions]),
        row(
            "cues and tones (events per minute)",
            [f"{s.n_events:,} ({s.n_events / s.minutes:.0f})" for s in sessions],
        ),
        row(
            "render to MP3, warm cache: speech and mastered mix (s)",
            [f"{_median(s.render, 'wall_s'):.2f}" for s in sessions],
        ),
        row(
            "render to MP3, speech cached, mix not yet mastered (s)",
            [f"{_median(s.unmastered, 'wall_s'):.2f}" for s in sessions],
        ),
        row(
            "ffmpeg alone, same PCM, same encoder args (s)",
            [f"{_median(s.alone, 'wall_s'):.2f}" for s in sessions],
        ),
        row(
            "of which start-up, parsing, cache and composing: `plan` (s)",
            [f"{_median(s.plan, 'wall_s'):.2f}" for s in sessions],
        ),
        row(
            "ratio render / ffmpeg alone",
            [f"{r:.2f}" for r in ratio],
            _verdict(f"≤ {TARGET_RATIO}", max(ratio) <= TARGET_RATIO),
        ),
        row(
            "speed-up over real time",
            [f"{x:.0f}×" for x in speedup],
            _verdict(f"≥ {TARGET_SPEEDUP}×", min(speedup) >= TARGET_SPEEDUP),
        ),
        row(
            "peak RSS of the render process (MB)",
            [f"{x:.0f}" for x in rss],
            _verdict(
                f"≤ {TARGET_RSS_MB}, flat", rss[-1] <= TARGET_RSS_MB and rss[-1] <= 1.25 * rss[0]
            ),
        ),
        row(
            "peak RSS of its ffmpeg child (MB)",
            [f"{max(r.children_mb for r in s.render):.0f}" for s in sessions],
        ),
        row(
            "peak RSS of ffmpeg alone (MB)",
            [f"{max(r.self_mb for r in s.alone):.0f}" for s in sessions],
        ),
    ]
    for engine, (one, many) in synth.items():
        lines.append(
            row(
                f"cold synthesis, {engine}: unique phrases/s, 1 → {workers} processes",
                [f"{one:.0f} → {many:.0f}"] + [""] * (n - 1),
            )
        )
    lines.append(
        row(
            f"this machine: CPU-bound throughput of {workers} processes, × one",
            [f"{ceiling:.2f}×"] + [""] * (n - 1),
        )
    )
    lines.append(
        row(
            "`voice-coach --help` start-up (s, median of 9)",
            [f"{help_s:.2f}"] + [""] * (n - 1),
            _verdict(f"≤ {TARGET_HELP_S}", help_s <= TARGET_HELP_S),
        )
    )
    if play is not None:
        lines.append(
            row(
                f"`play ankle-pumps`: first sound after the command, warm cache (s, median of "
                f"{len(play['runs_s'])}; CPU s used by then)",
                [f"{play['median_s']:.2f} ({play['median_cpu_s']:.2f} CPU)"] + [""] * (n - 1),
                _verdict(f"≤ {TARGET_PLAY_S}", play["median_s"] <= TARGET_PLAY_S),
            )
        )
        lines.append(
            row(
                "`play ankle-pumps` with only the speech cached (s, the first play after "
                "`check`)",
                [f"{play['speech_only_s']:.2f}"] + [""] * (n - 1),
            )
        )
    if practice is not None:
        from bench_practice import rows as practice_rows

        for label, value, target in practice_rows(practice):
            lines.append(row(label, [value] + [""] * (n - 1), target))
    return "\n".join(lines)


PREFACE = (
    "`scripts/bench` renders generated sessions of 10, 30 and 180 minutes (about 80 cues and "
    "tones a minute) through the CLI with a warm cache (the speech, and the mastered mix that "
    "any render after the first of a session finds), and once more with only the speech cached; "
    "it times ffmpeg alone encoding "
    "the same mix, from a WAV, with the same encoder arguments: the limit no renderer can beat. "
    "It also times `stats` and `today` over ten years of history (15,000 sessions). "
    "`scripts/bench --readme` rewrites this section from a new run."
)


def notes(
    sessions: list[SessionResult],
    synth: dict[str, tuple[float, float]],
    workers: int,
    ceiling: float,
) -> list[str]:
    """Why a target is missed, and by how much; what limits parallel synthesis here."""
    out = []
    for s in sessions:
        render_s, alone_s = _median(s.render, "wall_s"), _median(s.alone, "wall_s")
        if render_s > TARGET_RATIO * alone_s:
            fixed_s = _median(s.plan, "wall_s")
            out.append(
                f"For the {s.nominal_minutes}-minute session the ratio "
                f"{render_s / alone_s:.2f} misses "
                f"{TARGET_RATIO} by {render_s / alone_s - TARGET_RATIO:.2f}: the fixed start-up "
                f"before the first sample (Python, typer with pydantic, numpy, the routine, the "
                f"cache, composing: {fixed_s:.2f} s, the `plan` row) is {fixed_s / alone_s:.0%} of "
                f"ffmpeg's {alone_s:.2f} s encode; after it, mixing and encoding together take "
                f"{render_s - fixed_s:.2f} s, {(render_s - fixed_s) / alone_s:.2f}× ffmpeg alone."
            )
    first, last = sessions[0], sessions[-1]
    rss = [max(r.self_mb for r in s.render) for s in (first, last)]
    if rss[1] > 1.25 * rss[0] or rss[1] > TARGET_RSS_MB:
        out.append(
            f"Peak memory is not flat: {rss[0]:.0f} MB at {first.nominal_minutes} minutes "
            f"({first.n_phrases} distinct phrases), {rss[1]:.0f} MB at {last.nominal_minutes} "
            f"({last.n_phrases} distinct phrases)."
        )
    from voice_coach.speech.parallel import MIN_MISSES

    for engine, (one, many) in synth.items():
        out.append(
            f"Cold synthesis with {engine} on {workers} processes runs {many / one:.2f}× one "
            f"process, where this machine runs CPU-bound work {ceiling:.2f}× faster on "
            f"{workers}; below {MIN_MISSES['espeak']} (espeak) or {MIN_MISSES['pyttsx3']} "
            "(pyttsx3) unique phrases a render synthesises in one process, as starting workers "
            "would cost more."
        )
    return out


def _verdict(target: str, met: bool) -> str:
    return f"{target}: {'met' if met else 'MISSED'}"


def wrapped(report: str, width: int = 100) -> str:
    """The report with its prose wrapped like the rest of the README (tables untouched)."""
    import textwrap

    out = []
    for line in report.split("\n"):
        if line.startswith("|") or len(line) <= width:
            out.append(line)
        elif line.startswith("- "):
            out.append(textwrap.fill(line, width, subsequent_indent="  "))
        else:
            out.append(textwrap.fill(line, width))
    return "\n".join(out)


BENCHMARK_DOC = REPO / "docs" / "benchmark.md"


def write_readme(text: str, readme: Path = BENCHMARK_DOC) -> None:
    """Replace docs/benchmark.md up to its serving part (kept: `--serve` rewrites it)."""
    body = readme.read_text() if readme.exists() else ""
    section = f"# Benchmark\n\n{text}\n\n"
    found = re.search(rf"^# Benchmark\n.*?(?=^{re.escape(SERVE_HEADING)}\n|\Z)", body,
                      flags=re.S | re.M)
    if found:
        body = body[: found.start()] + section + body[found.end() :]
    else:
        body = section + body
    readme.write_text(body.rstrip("\n") + "\n")


SERVE_HEADING = "## Serving to phones"


def bench_serving(options) -> str:
    """The serve load measurement as a README subsection."""
    from bench_serve import bench_serve, serve_table

    result = bench_serve(options.serve_clients, options.serve_seconds)
    return f"{SERVE_HEADING}\n\n{serve_table(result)}"


def write_serve_readme(text: str, readme: Path = BENCHMARK_DOC) -> None:
    """Replace (or add) the serving part of docs/benchmark.md."""
    body = readme.read_text()
    found = re.search(rf"^{re.escape(SERVE_HEADING)}\n.*?(?=^## |\Z)", body, flags=re.S | re.M)
    if found:
        body = body[: found.start()] + text + "\n\n" + body[found.end() :]
    else:
        body = body.rstrip("\n") + f"\n\n{text}\n\n"
    readme.write_text(body.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--readme", action="store_true",
                        help="write the tables into docs/benchmark.md")
    parser.add_argument("--sessions", type=int, nargs="*", default=list(SESSION_MINUTES))
    parser.add_argument("--serve", action="store_true", help="only the serve load measurement")
    parser.add_argument("--serve-clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--serve-seconds", type=float, default=30.0, help="load duration")
    parser.add_argument("--quick", action="store_true",
                        help="sessions and play start only (no cold synthesis)")
    parser.add_argument("--practice-only", action="store_true",
                        help="measure only `stats` and `today` over ten years of history")
    options = parser.parse_args()
    import bench_piper
    import bench_practice

    if options.practice_only:
        for label, value, target in bench_practice.rows(bench_practice.measure()):
            print(f"| {label} | {value} | {target} |")
        return
    if not shutil.which("ffmpeg"):
        raise SystemExit("scripts/bench needs ffmpeg: sudo apt-get install ffmpeg")
    if options.serve:
        serving = bench_serving(options)
        print(serving)
        if options.readme:
            write_serve_readme(wrapped(serving))
        return
    from voice_coach.speech.parallel import cpu_count

    # Bytecode, as an installed package has it: without it (PYTHONDONTWRITEBYTECODE) every run
    # would compile the package again, about 0.2 s that no user pays.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "voice_coach")],
                   check=True, stdout=subprocess.DEVNULL)
    workers = cpu_count()
    with tempfile.TemporaryDirectory(prefix="voice-coach-bench-") as tmp_name:
        tmp = Path(tmp_name)
        env = shim_env({**os.environ, "VOICE_COACH_CACHE_DIR": str(tmp / "cache")}, tmp)
        started = time.perf_counter()
        help_s = bench_help()
        sessions, codec = [], None
        for minutes in options.sessions:
            result, codec = bench_session(minutes, env, tmp, options.repeats, codec)
            sessions.append(result)
            print(f"  {minutes}-min session measured", file=sys.stderr)
        play = None
        if shutil.which("pulseaudio"):
            from bench_play import measure as measure_play

            play = measure_play()
            print("  play start measured", file=sys.stderr)
        synth = {} if options.quick else {
            e: bench_synthesis(e, n, workers) for e, n in SYNTH_PHRASES.items()}
        ceiling = parallel_ceiling(workers)
        practice = bench_practice.measure()
        piper = bench_piper.measure(tmp, workers) if piper_available() else None
        elapsed_s = time.perf_counter() - started
    load = os.getloadavg()[0]
    note = (
        f"Machine: {machine()}; load average {load:.1f} at the end of the run (the machine is "
        f"shared: wall times grow with the load, CPU times much less).\n"
        f"Measured by `scripts/bench` in one run of {elapsed_s:.0f} s "
        f"(median of {options.repeats} runs each; MP3 at the encoder arguments the renderer "
        f"gives ffmpeg: `{' '.join(codec or [])}`)."
    )
    body = table(sessions, synth, workers, ceiling, help_s, practice, play)
    closing = "\n".join(f"- {line}" for line in notes(sessions, synth, workers, ceiling))
    serving = bench_serving(options)
    report = f"{PREFACE}\n\n{note}\n\n{body}\n\n{closing}\n\n{serving}"
    if piper is not None:
        report += "\n\n" + bench_piper.section(piper, ceiling)
    print(report)
    if options.readme:
        write_readme(wrapped(report))


if __name__ == "__main__":
    main()
