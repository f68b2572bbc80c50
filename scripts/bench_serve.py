"""The serve load measurement behind `scripts/bench --serve`: a real `voice-coach serve` on
127.0.0.1 with a library holding a long session, and N concurrent clients on keep-alive
connections that fetch the feed and byte ranges of the long file for a fixed time.

Reports errors, latency percentiles per kind of request, throughput, and the server's memory
over the run (sampled from /proc). Measures only; never asserts. Loopback only, bounded in time.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET_FEED_P99_MS = 50.0
RANGE_BYTES = 256 * 1024
URL_LINE = re.compile(r"On this computer[^:]*: (http://127\.0\.0\.1:(\d+)(/\S*))")


@dataclass
class ServeResult:
    clients: int
    seconds: float
    file_mb: float
    feed_ms: list[float] = field(default_factory=list)
    range_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes_in: int = 0
    rss_mb: list[float] = field(default_factory=list)  # the server's, once a second
    setup_s: float = 0.0
    load_before: float = 0.0  # the machine's 1-minute load average as the load began


def make_library(folder: Path, minutes: int, env: dict[str, str]) -> Path:
    """A library with one generated session of `minutes` (rendered through serve's own code)."""
    from bench import routine_yaml

    routine = folder / "long.yaml"
    routine.write_text(routine_yaml(minutes))
    library = folder / "library"
    voice_coach = [sys.executable, "-m", "voice_coach"]
    subprocess.run([*voice_coach, "library", "add", str(routine), "--library", str(library)],
                   env=env, check=True, capture_output=True)
    from voice_coach.routine import builtin_names

    subprocess.run([*voice_coach, "library", "remove", *builtin_names(), "--library",
                    str(library)], env=env, check=True, capture_output=True)
    return library


def start(library: Path, env: dict[str, str]) -> tuple[subprocess.Popen, int, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "voice_coach", "serve", "--library", str(library), "--port", "0",
         "--lan", "--access-log", str(library.parent / "access.log")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        found = URL_LINE.search(line)
        if found:
            return proc, int(found.group(2)), found.group(3)
    proc.kill()
    raise SystemExit("scripts/bench: voice-coach serve did not start: " + proc.stderr.read())


async def _request(reader, writer, port: int, path: str, extra: str = "") -> tuple[int, bytes]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return status, await reader.readexactly(length)


async def _client(port: int, prefix: str, audio_path: str, data: bytes, stop_at: float,
                  result: ServeResult, seed: int) -> None:
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            status, body = await _request(reader, writer, port, prefix + "feed.xml")
            result.feed_ms.append((time.perf_counter() - started) * 1000)
            if status != 200 or not body.startswith(b"<?xml"):
                result.errors.append(f"feed: {status}")
            start = rng.randrange(0, len(data) - RANGE_BYTES)
            started = time.perf_counter()
            status, body = await _request(reader, writer, port, audio_path,
                                          f"Range: bytes={start}-{start + RANGE_BYTES - 1}\r\n")
            result.range_ms.append((time.perf_counter() - started) * 1000)
            if status != 206 or body != data[start:start + RANGE_BYTES]:
                result.errors.append(f"range {start}: {status}, {len(body)} bytes")
            result.bytes_in += len(body)
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        result.errors.append(f"connection: {exc!r}")
    finally:
        writer.close()


async def _sample_rss(pid: int, stop_at: float, result: ServeResult) -> None:
    while time.monotonic() < stop_at:
        result.rss_mb.append(_rss_mb(pid))
        await asyncio.sleep(1.0)
    result.rss_mb.append(_rss_mb(pid))


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _load(port: int, prefix: str, audio_path: str, data: bytes, pid: int, clients: int,
                seconds: float, result: ServeResult) -> None:
    stop_at = time.monotonic() + seconds
    await asyncio.gather(_sample_rss(pid, stop_at, result),
                         *(_client(port, prefix, audio_path, data, stop_at, result, i)
                           for i in range(clients)))


def bench_serve(clients: int = 50, seconds: float = 30.0, minutes: int = 180) -> ServeResult:
    """Starts serve on a library with a `minutes`-long session and loads it."""
    sys.path.insert(0, str(REPO / "scripts"))
    with tempfile.TemporaryDirectory(prefix="voice-coach-bench-serve-") as tmp_name:
        tmp = Path(tmp_name)
        env = {**os.environ, "VOICE_COACH_DATA_DIR": str(tmp / "data"),
               "VOICE_COACH_CACHE_DIR": str(tmp / "cache"), "PYTHONUNBUFFERED": "1"}
        began = time.perf_counter()
        library = make_library(tmp, minutes, env)
        proc, port, prefix = start(library, env)
        try:
            (audio,) = (library / "media").glob("*.mp3")
            data = audio.read_bytes()
            result = ServeResult(clients, seconds, len(data) / 1e6,
                                 setup_s=time.perf_counter() - began)
            # Warm up (first feed build, imports), then measure from a settled server.
            asyncio.run(_load(port, prefix, f"{prefix}media/{audio.name}", data, proc.pid, 2,
                              2.0, ServeResult(2, 2.0, 0.0)))
            result.load_before = os.getloadavg()[0]
            asyncio.run(_load(port, prefix, f"{prefix}media/{audio.name}", data, proc.pid,
                              clients, seconds, result))
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
    return result


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def serve_table(r: ServeResult) -> str:
    """The serving measurement as README text: a line on how, a table, and verdicts."""
    p99 = percentile(r.feed_ms, 99)
    first, peak, last = r.rss_mb[0], max(r.rss_mb), r.rss_mb[-1]
    flat = peak <= first * 1.10 + 5
    rows = [
        ("concurrent clients (keep-alive), seconds", f"{r.clients}, {r.seconds:.0f}", ""),
        ("long session file (MB)", f"{r.file_mb:.1f}", ""),
        ("requests: feed / 256 KiB ranges", f"{len(r.feed_ms):,} / {len(r.range_ms):,}", ""),
        ("errors (wrong status or bytes, dropped connections)", f"{len(r.errors)}",
         f"0: {'met' if not r.errors else 'MISSED'}"),
        ("feed latency p50 / p99 (ms)",
         f"{percentile(r.feed_ms, 50):.1f} / {p99:.1f}",
         f"p99 < {TARGET_FEED_P99_MS:g}: {'met' if p99 < TARGET_FEED_P99_MS else 'MISSED'}"),
        ("range latency p50 / p99 (ms)",
         f"{percentile(r.range_ms, 50):.1f} / {percentile(r.range_ms, 99):.1f}", ""),
        ("bytes served (MB/s)", f"{r.bytes_in / 1e6 / r.seconds:.0f}", ""),
        ("server memory, start / peak / end of the load (MB)",
         f"{first:.0f} / {peak:.0f} / {last:.0f}",
         f"flat (peak within 10% + 5 MB): {'met' if flat else 'MISSED'}"),
    ]
    lines = ["| measure | value | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    how = (f"`scripts/bench --serve` starts `voice-coach serve --lan` on a library holding one "
           f"generated session ({r.file_mb:.0f} MB MP3), then {r.clients} clients on loopback, "
           f"each on one keep-alive connection, fetch the feed and a random 256 KiB range of "
           f"that file in turn for {r.seconds:.0f} s; every range is compared with the file's "
           f"bytes. Client and server share this machine's 2 cores.")
    notes = [f"- The machine's load average as the run began: {r.load_before:.1f} on 2 cores "
             "(other programs running at the same time slow both client and server)."]
    if r.errors:
        notes.append(f"- First errors: {'; '.join(sorted(set(r.errors))[:3])}.")
    if r.feed_ms:
        notes.append(f"- Mean feed latency {statistics.mean(r.feed_ms):.1f} ms.")
    return "\n".join([how, "", *lines, "", *notes]).rstrip()
