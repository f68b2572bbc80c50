"""A private PulseAudio null sink to play into, and the player run against it as a person would.

Starts pulseaudio with its own XDG_RUNTIME_DIR under a temporary directory, a null sink at
22050 Hz mono s16le and a low-latency silent keepalive stream; the player process gets a
self-contained ALSA config whose `file` plugin records every byte it writes. Every process has a
timeout and everything started is stopped. Plain Python (no pytest) so scripts can use it too.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

PULSEAUDIO = shutil.which("pulseaudio")
PACAT = shutil.which("pacat")
PAREC = shutil.which("parec")
PACTL = shutil.which("pactl")
NO_PULSE = "pulseaudio is not installed (./scripts/setup installs pulseaudio and pulseaudio-utils)"
SAMPLE_RATE = 22050
START_TIMEOUT_S = 10

PA_SCRIPT = """\
load-module module-null-sink sink_name=nullsink rate=22050 channels=1 format=s16le
set-default-sink nullsink
load-module module-native-protocol-unix auth-anonymous=1
"""
FORMAT_ARGS = ["--raw", "--format=s16le", f"--rate={SAMPLE_RATE}", "--channels=1"]


@dataclass
class PulseServer:
    root: Path
    env: dict[str, str]  # what a client needs to reach this server and no other
    procs: list[subprocess.Popen] = field(default_factory=list)

    def player_env(self, capture: Path, *, truncate: bool = True, **extra: str) -> dict[str, str]:
        """Env for a player whose ALSA default device is this sink, recorded into `capture`.

        truncate=False makes each newly opened stream write capture, capture.0001, … in turn.
        """
        conf = capture.with_suffix(".asoundrc")
        conf.write_text(
            f'pcm.!default {{ type file; slave.pcm {{ type pulse }}; file "{capture}"; '
            f'format "raw"; truncate {"true" if truncate else "false"} }}\n'
            "ctl.!default { type pulse }\n")
        return {**self.env, "ALSA_CONFIG_PATH": str(conf), **extra}

    @contextmanager
    def record_monitor(self, path: Path) -> Iterator[Path]:
        """Records what the sink actually plays (its monitor), in real time, into path."""
        with open(path, "wb") as out:
            proc = subprocess.Popen([PAREC, "--device=nullsink.monitor", "--latency-msec=20",
                                     *FORMAT_ARGS], stdout=out, stderr=subprocess.DEVNULL,
                                    env=self.env)
        try:
            time.sleep(0.3)
            yield path
        finally:
            _stop(proc)


def captured_bytes(capture: Path) -> bytes:
    """Everything a player wrote: capture, then capture.0001, capture.0002, … (one per stream)."""
    parts = sorted(capture.parent.glob(capture.name + ".*[0-9]"), key=lambda p: p.suffix)
    return b"".join(p.read_bytes() for p in [capture, *parts] if p.exists())


def base_env(root: Path) -> dict[str, str]:
    """The environment with a private home and runtime dir: no user's or system's sound setup."""
    runtime, home = root / "runtime", root / "home"
    for d in (runtime, home):
        d.mkdir(parents=True, exist_ok=True)
        d.chmod(0o700)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PULSE_", "ALSA_", "VOICE_COACH_"))}
    env.update(XDG_RUNTIME_DIR=str(runtime), HOME=str(home), PULSE_SERVER=
               f"unix:{runtime / 'pulse' / 'native'}", PYTHONUNBUFFERED="1")
    return env


@contextmanager
def pulse_server(root: Path) -> Iterator[PulseServer]:
    """A running null-sink PulseAudio server in root, stopped on exit."""
    root.mkdir(parents=True, exist_ok=True)
    env = base_env(root)
    script = root / "pa.pa"
    script.write_text(PA_SCRIPT)
    server = PulseServer(root, env)
    log = open(root / "pulseaudio.log", "wb")
    try:
        server.procs.append(subprocess.Popen(
            [PULSEAUDIO, "-n", "-F", str(script), "--exit-idle-time=-1", "--daemonize=no",
             "--system=no", "--use-pid-file=no", "--log-target=stderr"],
            stdout=log, stderr=log, env=env))
        _wait_for_socket(Path(env["XDG_RUNTIME_DIR"]) / "pulse" / "native", server.procs[0])
        server.procs.append(subprocess.Popen(  # keeps the sink's latency low (20 ms, not ~1.5 s)
            [PACAT, "--playback", "--latency-msec=20", *FORMAT_ARGS, "/dev/zero"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        _wait_for_low_latency(env)
        yield server
    finally:
        for proc in reversed(server.procs):
            _stop(proc)
        log.close()


def _wait_for_socket(sock: Path, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while not sock.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"pulseaudio did not start (exit {proc.poll()}); see its log")
        time.sleep(0.05)


def _wait_for_low_latency(env: dict[str, str], limit_us: int = 50_000) -> None:
    """A fresh null sink starts ~1.7 s behind and catches up; streams stall until it has."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        out = subprocess.run([PACTL, "list", "sinks"], env=env, capture_output=True, text=True,
                             timeout=5).stdout
        latencies = [int(line.split()[1]) for line in out.splitlines()
                     if line.strip().startswith("Latency:")]
        if latencies and max(latencies) < limit_us:
            return
        time.sleep(0.1)
    raise RuntimeError("the null sink's latency never came down; see pulseaudio.log")


def _stop(proc: subprocess.Popen, timeout_s: float = 5) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout_s)


# ---------------------------------------------------------------------------------------------
# Running the player.


def player_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "voice_coach", *args]


def read_log(path: Path) -> list[dict]:
    """The player's transport events ($VOICE_COACH_PLAY_LOG)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


class PtyPlayer:
    """The player on a pseudo-terminal (its controlling tty): keys in, screen out."""

    def __init__(self, args: list[str], env: dict[str, str], cols: int = 80) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
        self.slave = slave
        self.started_s = time.monotonic()
        self.proc = subprocess.Popen(player_command(*args), stdin=slave, stdout=slave,
                                     stderr=slave, env={**env, "TERM": "xterm"},
                                     preexec_fn=_controlling_tty, close_fds=True)
        self._chunks: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            if not data:
                return
            self._chunks.append(data)

    @property
    def output(self) -> str:
        return b"".join(self._chunks).decode(errors="replace")

    def wait_for(self, text: str, timeout_s: float = 10) -> float:
        """Waits until `text` has been shown; returns the monotonic time it was seen."""
        deadline = time.monotonic() + timeout_s
        while text not in self.output:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never shown; output:\n{self.output[-2000:]}")
            time.sleep(0.01)
        return time.monotonic()

    def press(self, key: str) -> float:
        os.write(self.master, key.encode())
        return time.monotonic()

    def wait(self, timeout_s: float = 30, skip_check_in: bool = True) -> int:
        """Waits for the player to end. skip_check_in: a check-in question left waiting at the
        end of a session (how the legs feel, pain) is skipped with Enter, as a person would."""
        deadline = time.monotonic() + timeout_s
        try:
            while self.proc.poll() is None:
                if time.monotonic() > deadline:
                    return self.proc.wait(0)  # raises TimeoutExpired
                if skip_check_in and self.output.rstrip().endswith("(Enter skips):"):
                    self.press("\r")
                    time.sleep(0.2)
                time.sleep(0.02)
            return self.proc.returncode
        finally:
            _stop(self.proc)
            time.sleep(0.05)

    def tty_attrs(self) -> list:
        return termios.tcgetattr(self.slave)

    def close(self) -> None:
        _stop(self.proc)
        for fd in (self.master, self.slave):
            try:
                os.close(fd)
            except OSError:
                pass


def _controlling_tty() -> None:
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# ---------------------------------------------------------------------------------------------
# Measuring when each sound was heard.


def locate(recording: np.ndarray, window: np.ndarray, near: int, radius: int) -> int | None:
    """Index in recording where `window` recurs exactly, nearest to `near` (±radius); or None."""
    lo, hi = max(0, near - radius), min(len(recording) - len(window), near + radius)
    if hi <= lo:
        return None
    candidates = lo + np.flatnonzero(recording[lo:hi] == window[0])
    found = [int(i) for i in candidates if np.array_equal(recording[i:i + len(window)], window)]
    return min(found, key=lambda i: abs(i - near)) if found else None


def onset_errors_ms(recording: np.ndarray, pcm: np.ndarray, onsets: list[int],
                    window: int = 256, skip: int = 128,
                    radius: int = SAMPLE_RATE) -> list[tuple[int, float]]:
    """(planned frame, error ms) for each onset heard, relative to the first one found.

    Each onset is found by exact sample match of pcm[onset+skip : +window] in the sink's
    recording (a stream's first ~70 frames can be lost at start and after a pause, hence skip),
    within `radius` frames of where the first one says it should be.
    """
    found: list[tuple[int, int]] = []
    offset = None
    for onset in onsets:
        win = pcm[onset + skip:onset + skip + window]
        if len(win) < window or np.count_nonzero(win) < window // 2:
            continue
        guess = onset + skip + (offset if offset is not None else 0)
        at = locate(recording, win, guess, radius if offset is not None else len(recording))
        if at is None:
            continue
        if offset is None:
            offset = at - onset - skip
        found.append((onset, at - onset - skip))
    return [(onset, (lag - offset) * 1000 / SAMPLE_RATE) for onset, lag in found]
