"""The terminal: keys in cbreak mode and a redrawn block of lines, both restored on exit;
and the plain wait used when there is no terminal. It never plays sound."""

from __future__ import annotations

import contextlib
import os
import re
import select
import shutil
import signal
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

# ---------------------------------------------------------------------------------------------
# The terminal: keys in cbreak mode, a redrawn block of lines; both restored on exit.

_ESCAPES = {"\x1b[C": "n", "\x1b[D": "b"}  # → next, ← back; other escape sequences are dropped
_ESCAPE_RE = re.compile(r"\x1b(?:\[[0-9;]*[A-Za-z~]|O[A-Za-z]|.)?")


def plain_terminal() -> bool:
    """NO_COLOR (https://no-color.org) or TERM=dumb: no escape sequences on the terminal."""
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


class Terminal:
    """stdin in cbreak mode (Ctrl-C still interrupts) for keys; stdout redrawn in place.

    plain: one status line rewritten with a carriage return instead of a block of lines moved
    over with cursor escapes (for NO_COLOR and dumb terminals).
    """

    def __init__(self, stdin: Any, stdout: Any, screen: bool = True, plain: bool = False
                 ) -> None:
        self._in, self._out, self._screen, self._plain = stdin, stdout, screen, plain
        self._keys: list[str] = []
        self._drawn: list[str] = []
        self._encoding = getattr(stdout, "encoding", None) or "ascii"
        self.unicode = self._encoding.lower().replace("-", "").startswith("utf")

    @property
    def width(self) -> int:
        return max(20, shutil.get_terminal_size((80, 24)).columns - 1)

    def __enter__(self) -> Terminal:
        import termios
        import tty

        self._fd = self._in.fileno()
        self._saved = termios.tcgetattr(self._fd)
        tty.setcbreak(self._fd)
        termios.tcflush(self._fd, termios.TCIFLUSH)  # keys typed while speech was made
        if self._screen and not self._plain:
            self._write("\x1b[?25l")
        return self

    def __exit__(self, *exc: object) -> None:
        import termios

        termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
        if self._screen and self._plain:
            self._write("\n" if self._drawn else "")
        elif self._screen:
            self._write("\x1b[?25h" + ("\n" if self._drawn else ""))

    def read(self, timeout_s: float) -> str | None:
        if not self._keys:
            ready, _, _ = select.select([self._fd], [], [], timeout_s)
            if not ready:
                return None
            data = os.read(self._fd, 64)
            if not data:  # the terminal went away: wait as if no key came
                time.sleep(timeout_s)
                return None
            text = data.decode(errors="ignore")
            for seq, key in _ESCAPES.items():
                text = text.replace(seq, key)
            self._keys.extend(_ESCAPE_RE.sub("", text))
        return self._keys.pop(0) if self._keys else None

    def show(self, lines: list[str]) -> None:
        if not self.unicode:
            lines = [_plain(line, self._encoding) for line in lines]
        if not self._screen or lines == self._drawn:
            return
        if self._plain:
            self._show_plain(lines)
            return
        up = f"\r\x1b[{len(self._drawn) - 1}A" if len(self._drawn) > 1 else "\r"
        self._write((up if self._drawn else "") + "\n".join(f"\x1b[2K{x}" for x in lines))
        self._drawn = lines

    def _show_plain(self, lines: list[str]) -> None:
        """'Set 1 of 3 · rep 7 of 10 · Toes up, and hold.  1:00 / 4:51  -3:51' on one line."""
        status = lines[1] if len(lines) > 1 else ""
        times = lines[3].partition("  ")[2].strip() if len(lines) > 3 else ""
        paused = "paused · " if len(lines) > 4 and lines[4].startswith("paused") else ""
        line = f"{paused}{status}  {times}".strip()
        line = line if len(line) <= self.width else line[: self.width - 1] + "…"
        if not self.unicode:
            line = _plain(line, self._encoding)
        previous = self._drawn[0] if self._drawn else ""
        if line != previous:
            self._write("\r" + line.ljust(len(previous)))
        self._drawn = [line]

    def _write(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()


def _plain(line: str, encoding: str) -> str:
    """A screen line a non-UTF-8 terminal can show."""
    line = line.replace("·", "-").replace("…", "...").replace("»", ">")
    return line.encode(encoding, errors="replace").decode(encoding)


class Sleeper:
    """Controls with no terminal: no keys, just the wait."""

    def read(self, timeout_s: float) -> str | None:
        time.sleep(timeout_s)
        return None


@contextlib.contextmanager
def interaction(quiet: bool) -> Iterator[tuple[Any, Any]]:
    """(controls, view): keys and screen on a terminal, neither without one; no screen if quiet."""
    with _terminate_cleanly():
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            yield Sleeper(), None
            return
        with Terminal(sys.stdin, sys.stdout, screen=not quiet, plain=plain_terminal()) as term:
            yield term, (None if quiet else term)


@contextlib.contextmanager
def _terminate_cleanly() -> Iterator[None]:
    """SIGTERM unwinds like Ctrl-C does, so the sound stops and the terminal is restored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
