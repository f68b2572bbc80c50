"""Durations as routine files and options write them: "3s", "1.5s", "500ms", "1m30s", "1h"."""

from __future__ import annotations

import re
from fractions import Fraction

_DURATION_RE = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m(?!s))?"
    r"(?:(?P<s>\d+(?:\.\d+)?)s)?(?:(?P<ms>\d+)ms)?$"
)
DURATION_HINT = 'durations look like "3s", "1.5s", "500ms" or "1m30s"'

# The same durations for the JSON Schema, which editors compile as ECMA-262 (JavaScript) regular
# expressions: no named groups, non-empty, spaces allowed between the parts. Every text it
# matches parse_duration_ms reads (tests/routine/test_schema.py checks both with an ECMA-262
# engine).
DURATION_PATTERN = (r"^ *(?=\d)(?:\d+(?:\.\d+)? *h *)?(?:\d+(?:\.\d+)? *m(?!s) *)?"
                    r"(?:\d+(?:\.\d+)? *s *)?(?:\d+ *ms *)?$")


MAX_DURATION_MS = 1000 * 3_600_000  # 1000 hours: far past any limit, far below any overflow


def parse_duration_ms(text: str) -> int:
    """Milliseconds in a duration such as "3s", "1.5s", "500ms", "1m30s" or "2h".

    Exact for any number of digits (no float overflow). Raises ValueError with a short reason
    ("needs a unit", "is too long: ...") when `text` is not a duration of at most 1000 hours.
    """
    cleaned = text.strip().replace(" ", "")
    match = _DURATION_RE.match(cleaned)
    if not cleaned or not match or not any(match.groupdict().values()):
        if re.fullmatch(r"-\s*\d.*", cleaned):
            raise ValueError("must not be negative")
        if re.fullmatch(r"\d+(?:\.\d+)?", cleaned):
            raise ValueError("needs a unit")
        raise ValueError("is not a duration")
    parts = match.groupdict()
    total = Fraction(0)
    for unit, scale in (("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        if parts[unit]:
            whole, _, fraction = parts[unit].partition(".")
            whole = whole.lstrip("0")
            if len(whole) > 10:  # more than 10 digits of any unit is past the maximum anyway
                raise _too_long()
            fraction = fraction[:12]  # beyond a picosecond nothing changes the rounding
            digits = int(whole or "0") * 10 ** len(fraction) + int(fraction or "0")
            total += Fraction(digits * scale, 10 ** len(fraction))
    if total > MAX_DURATION_MS:
        raise _too_long()
    return round(total)


class DurationTooLong(ValueError):
    """A well-formed duration longer than MAX_DURATION_MS (callers give their own range)."""


def _too_long() -> DurationTooLong:
    return DurationTooLong(f"is longer than {MAX_DURATION_MS // 3_600_000} hours")


def shown(text: str, width: int = 40) -> str:
    """text quoted for a message, cut in the middle when long: '99999…9999s' (312 characters)."""
    if len(text) <= width:
        return repr(text)
    return repr(f"{text[: width // 2]}…{text[-8:]}") + f" ({len(text):,} characters)"


def format_duration_ms(ms: int) -> str:
    """The inverse of parse_duration_ms, in the shortest natural form ("3s", "1m30s", "500ms")."""
    if ms % 1000:
        return f"{ms / 1000:g}s" if ms >= 1000 else f"{ms}ms"
    seconds = ms // 1000
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    out = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return out + (f"{seconds}s" if seconds or not out else "")
