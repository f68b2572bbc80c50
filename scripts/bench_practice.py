"""The daily-practice part of scripts/bench: `stats` and `today` over ten years of daily records
(15,000 sessions, about four a day), through the real CLI, and the store's share of it.

Measures only; run alone with `.venv/bin/python scripts/bench_practice.py`.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

N_SESSIONS = 15_000
YEARS = 10
TARGET_STATS_S = 0.5


def fill(data: Path, n: int = N_SESSIONS, years: int = YEARS) -> float:
    """Writes n sessions spread over `years` years ending today; returns the seconds it took."""
    from voice_coach.practice.records import SessionRecord, new_uid
    from voice_coach.practice.store import Store

    rng = random.Random(1)
    zone = ZoneInfo("Europe/Berlin")
    end = datetime.now(zone).replace(hour=8, minute=0, second=0, microsecond=0)
    days = years * 365
    records = []
    for i in range(n):
        day = end - timedelta(days=days - 1 - i * days // n)
        start = day + timedelta(minutes=rng.randrange(0, 14 * 60))
        sets = rng.choice((1, 2, 3, 3))
        records.append(SessionRecord(
            new_uid(), "ankle-pumps", "Ankle pumps, seated", "0123456789abcdef", "en",
            "espeak:en", start, start + timedelta(minutes=5), "Europe/Berlin", 3, sets, 30,
            sets * 10, "completed" if sets == 3 else "partial", "play"))
    began = time.perf_counter()
    with Store.open(data / "history.sqlite3") as store:
        store.add_many(records)
    return time.perf_counter() - began


def cli_s(args: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "voice_coach", *args], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def in_process_s(data: Path, runs: int) -> float:
    """The store query and the report alone (no interpreter start-up)."""
    from voice_coach.practice.config import Config, defaults
    from voice_coach.practice.days import practice_day
    from voice_coach.practice.heatmap import Calendar, terminal
    from voice_coach.practice.status import Totals, stats_lines
    from voice_coach.practice.store import Store

    config = Config(defaults())
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        today = practice_day(datetime.now(ZoneInfo("Europe/Berlin")))
        with Store.open(data / "history.sqlite3", write=False) as store:
            totals = Totals.of(store.day_totals(4))
            counts = store.status_counts(4, today - timedelta(weeks=12))
        stats_lines(totals, counts, min(totals.sets), today, 12, config)
        terminal(Calendar.ending(today, 12, totals.sets, 3))
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def measure(runs: int = 5) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="voice-coach-bench-practice-") as tmp_name:
        tmp = Path(tmp_name)
        data = tmp / "data"
        fill_s = fill(data)
        env = {**os.environ, "VOICE_COACH_DATA_DIR": str(data),
               "XDG_CONFIG_HOME": str(tmp / "config"), "TZ": "Europe/Berlin"}
        env.pop("VOICE_COACH_CONFIG", None)
        return {
            "fill_s": fill_s,
            "stats_s": cli_s(["stats"], env, runs),
            "stats_104_s": cli_s(["stats", "--weeks", "104", "-o", str(tmp / "c.png")], env, 1),
            "today_s": cli_s(["today"], env, runs),
            "help_s": cli_s(["--help"], env, runs),
            "in_process_s": in_process_s(data, runs),
        }


def rows(result: dict[str, float]) -> list[tuple[str, str, str]]:
    """(measure, value, target) rows for the benchmark table."""
    met = "met" if result["stats_s"] < TARGET_STATS_S else "MISSED"
    return [
        (f"`stats` over {N_SESSIONS:,} sessions ({YEARS} years), whole command (s)",
         f"{result['stats_s']:.2f}", f"< {TARGET_STATS_S}: {met}"),
        ("of which the store and the report, in process (s)", f"{result['in_process_s']:.3f}",
         ""),
        ("`stats --weeks 104 -o cal.png` over the same (s)", f"{result['stats_104_s']:.2f}", ""),
        ("`today` over the same (s)", f"{result['today_s']:.2f}", ""),
        (f"writing the {N_SESSIONS:,} sessions in one transaction (s)",
         f"{result['fill_s']:.2f}", ""),
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    for label, value, target in rows(measure()):
        print(f"| {label} | {value} | {target} |")
