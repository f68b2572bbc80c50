"""How a session's times are stored, and which stored rows every reader can trust.

Pure: text forms and an SQL condition; the store (store.py) runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

# A row every reader can trust: times in the one fixed-width form ('YYYY-MM-DD HH:MM:SS') that
# SQLite reads back unchanged, from 1970 on, an offset within a day. Rows that are not (written
# by hand, or by an older voice-coach that let a typo such as year 0202 in) are skipped by every
# reader and listed by bad_rows(), so one bad row never costs the rest of the history.
VALID_ROW = " AND ".join(
    [f"length({c}) = 19 AND datetime({c}) IS {c} AND {c} >= '1970-01-01'"
     for c in ("started_utc", "ended_utc", "local_start")]
    + ["typeof(utc_offset_min) = 'integer' AND abs(utc_offset_min) <= 1440",
       "typeof(done_sets) = 'integer' AND typeof(planned_sets) = 'integer'"])


@dataclass(frozen=True)
class BadRow:
    """A row of the sessions table no reader can use, and why."""

    row_id: int
    uid: str
    column: str  # the first bad column
    reason: str



def day_start(day: date, rollover_hour: int) -> str:
    return f"{day.isoformat()} {int(rollover_hour):02d}:00:00"


def good_time(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 19 or value < "1970-01-01":
        return False
    try:
        return time_text(datetime.fromisoformat(value)) == value
    except ValueError:
        return False


def time_text(moment: datetime) -> str:
    """The one stored form: 'YYYY-MM-DD HH:MM:SS', the year always four digits (strftime's %Y
    writes the year 202 as '202', which no reader takes back)."""
    return moment.replace(tzinfo=None, microsecond=0).isoformat(sep=" ")


def utc_text(moment: datetime) -> str:
    return time_text(moment.astimezone(timezone.utc))
