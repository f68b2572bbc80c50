"""The history's exchange forms: CSV and JSON out (with each session's practice day), and back in.

CSV cells a spreadsheet would run as a formula are written as text (OWASP's CSV-injection advice:
a leading apostrophe); the import takes the apostrophe off again, so a round trip keeps the
user's text. Pure text in and out: reading the file, with its bounds, is import_file.py's job.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any

from voice_coach.basics.errors import Diagnostic, SpecError
from voice_coach.lang.counted import counted

from .days import DEFAULT_ROLLOVER_HOUR, practice_day
from .records import COLUMNS, RowError, SessionRecord, from_row

MAX_IMPORT_ROWS = 1_000_000
MAX_FIELD_CHARS = 10_000  # the longest column, the note, holds 2,000
MAX_ERRORS_SHOWN = 50

# The export's columns: the store's, and the practice day each session counts for.
EXPORT_COLUMNS: tuple[str, ...] = (*COLUMNS, "practice_day")
DERIVED = {"practice_day"}  # written for people and spreadsheets; recomputed, not imported
REQUIRED = ("routine", "started", "ended", "planned_sets", "done_sets", "planned_reps",
            "done_reps", "status")
# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets
# (OWASP: = + - @, tab and carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_HINT = ("the header is: " + ",".join(EXPORT_COLUMNS) +
               " (as `voice-coach history --csv` writes it; practice_day may be left out)")


def export_row(record: SessionRecord, rollover_hour: int) -> dict[str, Any]:
    """The record as one exported row: its columns and its practice day (YYYY-MM-DD)."""
    row = record.to_row()
    row["practice_day"] = practice_day(record.started, rollover_hour).isoformat()
    return row


def formula_safe(text: str) -> str:
    """text as a spreadsheet shows it and never runs it: "'" before a formula's first character
    (and before an apostrophe that already stands there, so the import can tell them apart)."""
    if text[:1] in FORMULA_STARTS or (text[:1] == "'" and text.lstrip("'")[:1]
                                      in FORMULA_STARTS):
        return "'" + text
    return text


def unformula(text: str) -> str:
    """formula_safe undone: the text the user wrote."""
    if text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_STARTS:
        return text[1:]
    return text


def to_csv(records: Sequence[SessionRecord],
           rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> str:
    """The sessions as CSV (`history --csv`), one row each, the columns of EXPORT_COLUMNS."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    # With "\n" as the line end the csv module leaves a lone "\r" unquoted, and a reader splits
    # the row there: a row with one is written with every cell quoted.
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    writer.writerow(EXPORT_COLUMNS)
    for record in records:
        cells = ["" if v is None else formula_safe(str(v))
                 for v in export_row(record, rollover_hour).values()]
        (quoted if any("\r" in c for c in cells) else writer).writerow(cells)
    return out.getvalue()


def to_json(records: Sequence[SessionRecord],
            rollover_hour: int = DEFAULT_ROLLOVER_HOUR) -> str:
    """The sessions as a JSON list (`history --json`), one object each, as the CSV's rows."""
    rows = [export_row(r, rollover_hour) for r in records]
    return json.dumps(rows, indent=1, ensure_ascii=False) + "\n"


# -- import -----------------------------------------------------------------------------------


def from_text(text: str, path: str, now: datetime | None = None) -> list[SessionRecord]:
    """Records from an export, CSV or JSON (told apart by the first character: '[' or '{' is
    JSON).

    SpecError lists every bad row as PATH:LINE:COL; nothing is returned half.
    now: sessions after it (by more than a day) are refused, as are years before 1970.
    """
    if text.lstrip()[:1] in ("[", "{"):
        return from_json(text, path, now)
    return from_csv(text, path, now)


@contextmanager
def _field_limit(chars: int) -> Iterator[None]:
    old = csv.field_size_limit(chars)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def from_csv(text: str, path: str, now: datetime | None = None) -> list[SessionRecord]:
    """Records from CSV text of the export's shape; SpecError lists every bad row as
    PATH:LINE:COL (the column's position in the header)."""
    problems: list[Diagnostic] = []
    records: list[SessionRecord] = []
    with _field_limit(MAX_FIELD_CHARS):
        reader = csv.DictReader(io.StringIO(text, newline=""))
        try:
            header = reader.fieldnames or []
            _check_header(header, path)
            for row in reader:
                line = reader.line_num
                if len(records) + len(problems) >= MAX_IMPORT_ROWS:
                    problems.append(Diagnostic(path, line, 1,
                                               f"more than {MAX_IMPORT_ROWS:,} rows"))
                    break
                if None in row:
                    problems.append(Diagnostic(path, line, 1, "this row has more values than "
                                               "the header has columns"))
                    continue
                row = {k: unformula(v) if isinstance(v, str) else v for k, v in row.items()}
                _add(row, path, line, lambda c: header.index(c) + 1 if c in header else 1,
                     records, problems, now)
        except csv.Error as exc:
            problems.append(_csv_problem(exc, path, max(1, reader.reader.line_num)))
    if problems:
        raise SpecError(problems[:MAX_ERRORS_SHOWN])
    return records


def _csv_problem(exc: csv.Error, path: str, line: int) -> Diagnostic:
    if "field larger than field limit" in str(exc):
        return Diagnostic(path, line, 1, f"a value is longer than {MAX_FIELD_CHARS:,} "
                          "characters", "the longest a history column holds is the note, "
                          "2,000 characters; is this the file you meant?")
    return Diagnostic(path, line, 1, f"this is not readable CSV: {exc}",
                      "export the history again with `voice-coach history --csv`")


def _check_header(header: Sequence[str], path: str) -> None:
    missing = [c for c in REQUIRED if c not in header]
    unknown = [c for c in header if c not in EXPORT_COLUMNS]
    if not header or missing or unknown:
        what = ("the file is empty" if not header else
                counted(len(missing), "missing column {columns}", "missing columns {columns}",
                        columns=", ".join(missing))
                if missing else f"unknown column {', '.join(map(repr, unknown))}")
        raise SpecError([Diagnostic(path, 1, 1, f"this is not a voice-coach history CSV: {what}",
                                    HEADER_HINT)])


def _add(row: dict[str, Any], path: str, line: int, col_of, records: list[SessionRecord],
         problems: list[Diagnostic], now: datetime | None) -> None:
    try:
        record = from_row({k: v for k, v in row.items() if k not in DERIVED}, now)
        note = row.get("note")
        if isinstance(note, str) and note != record.note:  # from_row strips; a note is kept as
            record = replace(record, note=note)             # written ("\t=1+1" round trips)
        records.append(record)
    except RowError as exc:
        problems.append(Diagnostic(path, line, col_of(exc.column), str(exc)))


def from_json(text: str, path: str, now: datetime | None = None) -> list[SessionRecord]:
    """Records from `history --json` text: a list of objects, each located by its line."""
    decoder = json.JSONDecoder()
    problems: list[Diagnostic] = []
    records: list[SessionRecord] = []
    idx, line = _skip_ws(text, 0), 1
    if text[idx:idx + 1] != "[":
        raise SpecError([_json_problem(text, path, idx, "expected a list of sessions, "
                                       "[{...}, {...}]")])
    idx = _skip_ws(text, idx + 1)
    counted_to = 0
    while text[idx:idx + 1] != "]":
        line += text.count("\n", counted_to, idx)
        counted_to = idx
        col = idx - text.rfind("\n", 0, idx)
        if len(records) + len(problems) >= MAX_IMPORT_ROWS:
            problems.append(Diagnostic(path, line, col, f"more than {MAX_IMPORT_ROWS:,} rows"))
            break
        try:
            value, idx = decoder.raw_decode(text, idx)
        except json.JSONDecodeError as exc:
            problems.append(Diagnostic(path, exc.lineno, exc.colno,
                                       f"this is not valid JSON: {exc.msg}", JSON_HINT))
            break
        except RecursionError:
            problems.append(Diagnostic(path, line, col, "this value is nested too deeply",
                                       JSON_HINT))
            break
        _add_object(value, path, line, col, records, problems, now)
        idx = _skip_ws(text, idx)
        if text[idx:idx + 1] == ",":
            idx = _skip_ws(text, idx + 1)
        elif text[idx:idx + 1] != "]":
            problems.append(_json_problem(text, path, idx, "expected ',' or ']'"))
            break
    else:
        if text[_skip_ws(text, idx + 1):].strip():
            problems.append(_json_problem(text, path, _skip_ws(text, idx + 1),
                                          "there is more after the list"))
    if problems:
        raise SpecError(problems[:MAX_ERRORS_SHOWN])
    return records


JSON_HINT = "a history JSON is what `voice-coach history --json` writes: a list of sessions"


def _skip_ws(text: str, idx: int) -> int:
    while idx < len(text) and text[idx] in " \t\r\n":
        idx += 1
    return idx


def _json_problem(text: str, path: str, idx: int, message: str) -> Diagnostic:
    line = text.count("\n", 0, idx) + 1
    return Diagnostic(path, line, idx - text.rfind("\n", 0, idx), message, JSON_HINT)


def _add_object(value: Any, path: str, line: int, col: int, records: list[SessionRecord],
                problems: list[Diagnostic], now: datetime | None) -> None:
    if not isinstance(value, dict):
        problems.append(Diagnostic(path, line, col, "each session must be an object {...}, got "
                                   f"{type(value).__name__}", JSON_HINT))
        return
    unknown = [k for k in value if k not in EXPORT_COLUMNS]
    missing = [k for k in REQUIRED if k not in value]
    bad = [k for k, v in value.items() if not isinstance(v, (str, int, float, type(None)))]
    if unknown or missing or bad:
        what = (f"unknown key {', '.join(map(repr, unknown))}" if unknown else
                f"missing key {', '.join(map(repr, missing))}" if missing else
                f"{bad[0]!r} must be text or a number")
        problems.append(Diagnostic(path, line, col, f"this is not a voice-coach session: {what}",
                                   "the keys are: " + ", ".join(EXPORT_COLUMNS)))
        return
    _add(value, path, line, lambda c: col, records, problems, now)
