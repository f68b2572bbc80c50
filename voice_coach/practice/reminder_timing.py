"""What a timer-started reminder decides before and after it asks: which time it is for, whether
it is too late to show (missed while the computer was off or asleep), and the command that plays
the routine once the person pressed Start.

Pure: now, the times and the environment are passed in; nothing here waits, asks or plays.
"""

from __future__ import annotations

import shlex
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

DEFAULT_WINDOW_MINUTES = 60
DEFAULT_SNOOZE_MINUTES = 10
MAX_SNOOZES = 6  # Later six times (an hour at the default snooze), then the reminder rests
EARLY_TOLERANCE = timedelta(minutes=2)  # a timer that fires a moment early is for this time
# Terminal emulators tried for player = "terminal", each with how it is told to run a command.
TERMINALS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("x-terminal-emulator", ("-e",)), ("gnome-terminal", ("--",)), ("konsole", ("-e",)),
    ("xfce4-terminal", ("-x",)), ("kitty", ()), ("alacritty", ("-e",)), ("foot", ()),
    ("wezterm", ("start", "--")), ("xterm", ("-e",)),
)


@dataclass(frozen=True)
class Due:
    """The reminder time a run is for, and how late the run is (0 or more)."""

    at: datetime
    late: timedelta

    def too_late(self, window: timedelta) -> bool:
        return self.late > window


def latest_due(times: Sequence[time], now: datetime) -> Due:
    """The most recent of the daily `times` at or before `now` (today's or yesterday's), in
    now's time zone. Lateness is measured between instants, so a daylight-saving night does
    not make a reminder look an hour later or earlier than it is."""
    from .days import localise

    candidates = []
    for day_back in (0, 1, 2):
        day = (now.replace(tzinfo=None) - timedelta(days=day_back)).date()
        for at in times:
            moment = localise(datetime.combine(day, at), now.tzinfo)
            if _instant(moment) <= _instant(now) + EARLY_TOLERANCE:
                candidates.append(moment)
    due = max(candidates, key=_instant)
    return Due(due, max(timedelta(0), _instant(now) - _instant(due)))


def _instant(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def late_words(late: timedelta) -> str:
    """'3 h 5 min', '42 min', 'less than a minute'."""
    minutes = int(late.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} days"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def play_command(player: str, base: Sequence[str], routine: str,
                 which: Callable[[str], str | None] = shutil.which,
                 terminal_env: str = "") -> tuple[list[str], str]:
    """The command that plays `routine` after Start, and a few words on where it plays.

    player: "terminal" (a terminal window: $TERMINAL, else the first emulator found, so the
    person sees the session and can pause or stop it), "background" (no window, as a sound
    only), or a command prefix of the person's own, e.g. "kitty -e" or "gnome-terminal --".
    base: how voice-coach itself is run (e.g. [python, -m, voice_coach]).
    """
    play = [*base, "play", routine]
    if player == "background":
        return [*play, "--quiet"], "without a window"
    if player == "terminal":
        if terminal_env:
            prefix = shlex.split(terminal_env)
            if prefix and which(prefix[0]):
                return [*prefix, "-e", *play], f"in {prefix[0]}"
        for name, flags in TERMINALS:
            if which(name):
                return [name, *flags, *play], f"in {name}"
        return [*play, "--quiet"], "without a window (no terminal emulator was found)"
    return [*shlex.split(player), *play], f"with {player}"
