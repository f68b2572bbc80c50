"""The coach tests' calendar (practice and serve share it): the first day of a growing routine's
history, and moving the practice clock to the n-th day. The fixture `coach_home` is in
tests/conftest.py."""

from __future__ import annotations

from datetime import date, timedelta

DAY1 = date(2026, 11, 2)


def on_day(monkeypatch, n: int, clock: str = "10:00") -> None:
    """The practice clock ($VOICE_COACH_NOW) at `clock` on day n (day 1 is DAY1)."""
    monkeypatch.setenv("VOICE_COACH_NOW", f"{DAY1 + timedelta(days=n - 1)} {clock}")
