"""What the page's Done says about one listening, checked: its id, when it started (corrected
for the phone's clock error), the ranges played and the check-in. Pure apart from the clock.
"""

from __future__ import annotations

import math
import time
from typing import Any

from voice_coach.practice.records import legs_value

from .done import Listening, clock_now


def _aware(text: Any):
    from datetime import datetime

    when = datetime.fromisoformat(str(text))
    if when.tzinfo is None:
        raise ValueError("times need their UTC offset")
    return when


def listening_from_json(data: dict[str, Any], key: Any) -> Listening:
    """The listening a Done is for. Without an id (a client other than the page), Dones for a
    session within ten minutes count as one. Raises ValueError/TypeError for bad values."""
    from datetime import timedelta

    listening_id = data.get("listening_id")
    if listening_id is None:
        listening_id = f"{key}@{int(time.time() // 600)}"
    if not isinstance(listening_id, str) or not 1 <= len(listening_id) <= 100:
        raise ValueError("listening_id")
    started = None
    if data.get("started") is not None:
        started = _aware(data["started"])
        now = clock_now()
        if data.get("sent") is not None:  # the phone's clock when it sent this: its error
            started += now - _aware(data["sent"])  # is taken off (a queued Done too)
        if not now - timedelta(days=60) <= started <= now + timedelta(minutes=10):
            raise ValueError("started is out of range")
    played = None
    if data.get("played") is not None:
        played = tuple((float(a), float(b)) for a, b in data["played"][:1000])
        if not all(math.isfinite(a) and math.isfinite(b) for a, b in played):
            raise ValueError("played")
    ratings = {}
    for name in ("effort", "pain"):
        value = data.get(name)
        if value is not None and (type(value) is not int or not 0 <= value <= 10):
            raise ValueError(f"'{name}' must be a whole number from 0 to 10")
        ratings[name] = value
    legs = data.get("legs")
    try:
        legs = legs_value(legs) if legs is None or isinstance(legs, str) else legs_value("?")
    except ValueError:
        raise ValueError("'legs' must be lighter, same or heavier") from None
    return Listening(listening_id, started, played, legs=legs, **ratings)
