"""The one progress display of the command line: a status line in words on stderr, rewritten in
place with a carriage return, only on a terminal. No colour, no escape sequence, no bar to
read: "Making speech: 12 of 16 phrases", "Rendering: 45%". It is erased before anything else
is printed, so it never mixes with a command's own lines.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

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
