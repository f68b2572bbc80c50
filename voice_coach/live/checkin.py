"""The check-in after a session: how the legs feel and pain 0-10, one key each on the terminal.

Enter, q or a timeout skips a question; with no terminal nothing is asked (a script or a
reminder is never held up). Reads keys and writes the questions; stores nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

LEGS_KEYS = {"l": "lighter", "s": "same", "h": "heavier"}
QUESTION_TIMEOUT_S = 30.0  # each question waits this long, then skips
TEN_WAIT_S = 1.0  # after a "1", a "0" within this long makes pain 10

Read = Callable[[float], "str | None"]  # read(timeout_s): one key, or None when none came


@dataclass(frozen=True)
class CheckIn:
    legs: str | None = None  # lighter, same or heavier; None: skipped
    pain: int | None = None  # 0 to 10; None: skipped

    @property
    def given(self) -> bool:
        return self.legs is not None or self.pain is not None


def ask(read: Read, write: Callable[[str], None], timeout_s: float = QUESTION_TIMEOUT_S,
        clock: Callable[[], float] = time.monotonic) -> CheckIn:
    """Asks both questions with single keys: l, s or h; then 0-9 (1 then 0 for 10)."""
    write("How do your legs feel? l lighter, s the same, h heavier (Enter skips): ")
    key = _key(read, set(LEGS_KEYS), timeout_s, clock)
    legs = LEGS_KEYS.get(key or "")
    write(f"{legs or 'skipped'}\n")
    write("Any pain? 0 none to 10 the worst (Enter skips): ")
    key = _key(read, set("0123456789"), timeout_s, clock)
    pain = None if key is None else int(key)
    if key == "1" and read(TEN_WAIT_S) == "0":
        pain = 10
    write(f"{'skipped' if pain is None else pain}\n")
    return CheckIn(legs, pain)


def _key(read: Read, wanted: set[str], timeout_s: float, clock: Callable[[], float]
         ) -> str | None:
    """The first wanted key; None on Enter, q, Escape or the timeout (other keys are ignored)."""
    deadline = clock() + timeout_s
    while (left := deadline - clock()) > 0:
        key = read(left)
        if key is None:
            return None
        key = key.lower()
        if key in wanted:
            return key
        if key in ("\n", "\r", "q", "\x1b"):
            return None
    return None


def ask_on_terminal(write: Callable[[str], None], timeout_s: float = QUESTION_TIMEOUT_S
                    ) -> CheckIn:
    """The check-in on this process's terminal; CheckIn() at once when there is none."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return CheckIn()
    from voice_coach.live.terminal import Terminal

    with Terminal(sys.stdin, sys.stdout, screen=False) as term:
        return ask(term.read, write, timeout_s)
