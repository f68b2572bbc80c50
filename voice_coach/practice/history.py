"""The history as a person reads it (a table) and as other programs do (CSV, JSON: exchange.py),
and the import, which accepts exactly what the export writes.

Pure text in and out; the store and files are the CLI's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from .days import DEFAULT_ROLLOVER_HOUR, practice_day
from .exchange import from_csv, from_json, to_csv, to_json
from .records import SessionRecord, clock_text

# The exchange forms live in exchange.py (formula-safe CSV cells, the practice day, JSON import).
__all__ = ["from_csv", "from_json", "table", "to_csv", "to_json"]


def table(records: Sequence[SessionRecord], rollover_hour: int = DEFAULT_ROLLOVER_HOUR,
          viewer: tzinfo | None = None) -> str:
    """One line per session, in the order of the instants they started: the practice day it
    counts for (its wall clock less rollover_hour), the time (with its zone when recorded in
    another than the viewer's), routine, sets, repetitions, status..."""
    head = ["date", "time", "routine", "sets", "reps", "status", "source", "effort", "pain",
            "note"]
    rows = [head]
    for r in records:
        rows.append([
            practice_day(r.started, rollover_hour).isoformat(),
            clock_text(r.started, r.time_zone, viewer), r.routine,
            f"{r.done_sets}/{r.planned_sets}", f"{r.done_reps}/{r.planned_reps}", r.status,
            r.source, "" if r.effort is None else str(r.effort),
            "" if r.pain is None else str(r.pain), r.note.replace("\n", " ")])
    used = [i for i in range(len(head)) if i < 7 or any(row[i] for row in rows[1:])]
    widths = [max(len(row[i]) for row in rows) for i in used]
    lines = []
    for row in rows:
        cells = [row[i].ljust(w) for i, w in zip(used, widths)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)
