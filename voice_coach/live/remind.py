"""Reminders: play a session, count down to the next round (a key cuts it short), play again.

Pure: the round player, the keys, the screen and the clock are passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from voice_coach.live.screen import wait_lines
from voice_coach.live.transport import Controls, Outcome, View


@dataclass(frozen=True)
class RemindPlan:
    """Play every `every_ms`, for `for_ms` in all or `times` times (neither: until quit)."""

    every_ms: int
    for_ms: int | None = None
    times: int | None = None

    def next_start_ms(self, rounds_done: int, last_start_ms: int) -> int | None:
        """When the next round starts, in ms since the first began; None when all are done."""
        if self.times is not None and rounds_done >= self.times:
            return None
        start_ms = last_start_ms + self.every_ms
        if self.for_ms is not None and start_ms >= self.for_ms:
            return None
        return start_ms

    @property
    def rounds(self) -> int | None:
        """How many rounds there will be, if known in advance."""
        if self.times is not None:
            return self.times
        if self.for_ms is not None:
            return max(1, -(-self.for_ms // self.every_ms))
        return None


class Reminder:
    """Runs rounds on a RemindPlan: play_round(n), then a countdown a key can cut short."""

    def __init__(self, plan: RemindPlan, play_round: Callable[[int], Outcome], title: str,
                 controls: Controls, clock: Callable[[], float], view: View | None = None,
                 at_text: Callable[[float], str] = lambda wait_s: "", language: str = "en"
                 ) -> None:
        self.language = language  # the screen's words between rounds are in it
        self.plan = plan
        self.play_round = play_round
        self.title = title
        self.controls = controls
        self.clock = clock
        self.view = view
        self.at_text = at_text

    def run(self) -> str:
        """Returns "finished" after the last round, "quit" when the person quits."""
        first_s = last_s = self.clock()
        done = 0
        while True:
            if self.play_round(done + 1).reason == "quit":
                return "quit"
            done += 1
            next_ms = self.plan.next_start_ms(done, round((last_s - first_s) * 1000))
            if next_ms is None:
                return "finished"
            if self._wait_until(first_s + next_ms / 1000, done + 1) == "quit":
                return "quit"
            last_s = self.clock()

    def _wait_until(self, start_s: float, next_round: int) -> str:
        while (wait_s := start_s - self.clock()) > 0:
            if self.view is not None:
                self.view.show(wait_lines(self.title, wait_s, self.plan.every_ms / 1000,
                                          next_round, self.plan.rounds, self.at_text(wait_s),
                                          self.view.width, self.view.unicode, self.language))
            key = self.controls.read(min(0.25, wait_s))
            if key is None:
                continue
            if key == "\x03":
                raise KeyboardInterrupt
            return "quit" if key.lower() == "q" else "start"
        return "start"
