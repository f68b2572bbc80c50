"""Durations as routine files and options write them: "3s", "1.5s", "500ms", "1m30s", "1h"."""

from __future__ import annotations

import re

_DURATION_RE = re.compile(
    r"^(?:(?P<h>\d+(?:\.\d+)?)h)?(?:(?P<m>\d+(?:\.\d+)?)m(?!s))?"
    r"(?:(?P<s>\d+(?:\.\d+)?)s)?(?:(?P<ms>\d+)ms)?$"
)
DURATION_HINT = 'durations look like "3s", "1.5s", "500ms" or "1m30s"'

# The same durations for the JSON Schema, which editors compile as ECMA-262 (JavaScript) regular
# expressions: no named groups, non-empty, spaces allowed between the parts. Every text it
# matches parse_duration_ms reads (tests/test_schema.py checks both with an ECMA-262 engine).
DURATION_PATTERN = (r"^ *(?=\d)(?:\d+(?:\.\d+)? *h *)?(?:\d+(?:\.\d+)? *m(?!s) *)?"
                    r"(?:\d+(?:\.\d+)? *s *)?(?:\d+ *ms *)?$")


def parse_duration_ms(text: str) -> int:
    """Milliseconds in a duration such as "3s", "1.5s", "500ms", "1m30s" or "2h".

    Raises ValueError with a short reason when `text` is not a duration.
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
    total = 0.0
    for unit, scale in (("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)):
        if parts[unit]:
            total += float(parts[unit]) * scale
    return round(total)


def format_duration_ms(ms: int) -> str:
    """The inverse of parse_duration_ms, in the shortest natural form ("3s", "1m30s", "500ms")."""
    if ms % 1000:
        return f"{ms / 1000:g}s" if ms >= 1000 else f"{ms}ms"
    seconds = ms // 1000
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    out = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return out + (f"{seconds}s" if seconds or not out else "")
