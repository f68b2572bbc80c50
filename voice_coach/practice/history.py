"""The history as a person reads it (a table) and as other programs do (CSV, JSON), and the
CSV import, which accepts exactly what the export writes.

Pure text in and out; the store and files are the CLI's business.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime, tzinfo

from voice_coach.errors import Diagnostic, SpecError

from .days import DEFAULT_ROLLOVER_HOUR, practice_day
from .records import COLUMNS, RowError, SessionRecord, clock_text, from_row

MAX_IMPORT_ROWS = 1_000_000


def to_csv(records: Sequence[SessionRecord]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: ("" if v is None else v) for k, v in record.to_row().items()})
    return out.getvalue()


def to_json(records: Sequence[SessionRecord]) -> str:
    return json.dumps([r.to_row() for r in records], indent=1, ensure_ascii=False) + "\n"


def from_csv(text: str, path: str, now: datetime | None = None) -> list[SessionRecord]:
    """Records from CSV text of the export's shape; SpecError lists every bad row as
    PATH:LINE:COL (the column's position in the header). now: times must lie from 1970 to a
    day after it (records.from_row)."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    problems: list[Diagnostic] = []
    missing = [c for c in ("routine", "started", "ended", "planned_sets", "done_sets",
                           "planned_reps", "done_reps", "status") if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if not header or missing or unknown:
        what = (f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
                if missing else f"unknown column {', '.join(map(repr, unknown))}"
                if unknown else "there is no header row")
        raise SpecError([Diagnostic(path, 1, 1, f"this is not a voice-coach history CSV: {what}",
                                    "the header is: " + ",".join(COLUMNS) +
                                    " (as `voice-coach history --csv` writes it)")])
    records = []
    for row in reader:
        line = reader.line_num
        if len(records) + len(problems) >= MAX_IMPORT_ROWS:
            problems.append(Diagnostic(path, line, 1, f"more than {MAX_IMPORT_ROWS:,} rows"))
            break
        if None in row:
            problems.append(Diagnostic(path, line, 1, "this row has more values than the "
                                       "header has columns"))
            continue
        try:
            records.append(from_row(row, now))
        except RowError as exc:
            problems.append(Diagnostic(path, line, header.index(exc.column) + 1
                                       if exc.column in header else 1, str(exc)))
    if problems:
        raise SpecError(problems[:50])
    return records


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
