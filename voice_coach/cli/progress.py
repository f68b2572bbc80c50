"""The one progress display of the command line: a status line in words on stderr, rewritten in
place with a carriage return, only on a terminal. No colour, no escape sequence, no bar to
read: "Making speech: 12 of 16 phrases", "Rendering: 45%". It is erased before anything else
is printed, so it never mixes with a command's own lines.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# How each kind of work is said: done and total in its units → the words after the label.
Describe = Callable[[int, int], str]


def percent(done: int, total: int) -> str:
    return f"{min(100, done * 100 // total)}%" if total else ""


def phrases(done: int, total: int) -> str:
    return f"{done} of {total} phrases" if total else ""


def megabytes(done: int, total: int) -> str:
    if not total:
        return f"{done / 1e6:.0f} MB"
    return f"{percent(done, total)} ({done / 1e6:.0f} of {total / 1e6:.0f} MB)"


class StatusLine:
    """One line on stderr, rewritten in place; erase() leaves the cursor at the start of a clean
    line (called before the program prints anything else)."""

    active: StatusLine | None = None  # the one being shown, erased by cli.app.out and err

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.shown = ""

    def show(self, text: str) -> None:
        if text == self.shown:
            return
        self.stream.write("\r" + text.ljust(len(self.shown)))
        self.stream.flush()
        self.shown = text
        StatusLine.active = self

    def erase(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * len(self.shown) + "\r")
            self.stream.flush()
            self.shown = ""
        if StatusLine.active is self:
            StatusLine.active = None


def erase_status() -> None:
    """Clears the status line, if one is shown, before other output."""
    if StatusLine.active is not None:
        StatusLine.active.erase()


# What each progress label counts, in words (cli/progress.py).
PROGRESS_WORDS = {"Preparing speech": ("Making speech", "phrases"),
                  "render": ("Rendering", "percent"),
                  "Downloading": ("Downloading", "megabytes")}


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """The progress display (cli/progress.py) on a terminal's stderr: what is being done, in
    words ("Making speech: 12 of 16 phrases", "Rendering: 45%"); nothing when stderr is not a
    terminal. Never colour or escape sequences, with or without NO_COLOR."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    words, unit = PROGRESS_WORDS.get(label, (label, "percent"))
    describe = {"phrases": phrases, "percent": percent, "megabytes": megabytes}[unit]
    line = StatusLine()

    def update(done: int, total: int) -> None:
        said = describe(done, total)
        line.show(f"{words}: {said}" if said else f"{words}...")

    try:
        yield update
    finally:
        line.erase()


@contextmanager
def stage_progress(enabled: bool = True) -> Iterator[Callable[[str, str, int, int], None] | None]:
    """The progress display for work in named stages: update(name, stage, done, total) shows
    "name: stage 45%"; nothing when stderr is not a terminal."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    line = StatusLine()

    def update(name: str, stage: str, done: int, total: int) -> None:
        line.show(f"{name}: {stage} {percent(done, total)}".rstrip())

    try:
        yield update
    finally:
        line.erase()
