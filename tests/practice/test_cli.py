"""done, today, history (table, CSV, JSON, import), stats (terminal calendar, SVG, PNG) and
config through the CLI on real SQLite files, with a fixed clock ($VOICE_COACH_NOW) and zone."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import ok, vc
from tests.practice.conftest import write_config
from voice_coach.practice.records import COLUMNS
from voice_coach.practice.store import Store


def test_done_records_the_routines_language_and_the_voice_check_names(home, tmp_path):
    """A session followed from a phone file is kept with the language and the voice that file
    was spoken in: the voice `check` reports, not the routine's unresolved block."""
    german = tmp_path / "knoechel.yaml"
    german.write_text("title: Knöchel\nlanguage: de\nsteps:\n  - exercise: Pumpen\n"
                      "    sets: 1\n    reps: 2\n")
    for routine, language in (("ankle-pumps", "en"), (str(german), "de")):
        line = ok("check", routine).splitlines()[-1]  # "  voice    piper, en_US-joe-medium, …"
        engine, voice_id = (word.rstrip(",") for word in line.split()[1:3])
        ok("done", routine)
        with Store.open(home / "data" / "history.sqlite3", write=False) as store:
            kept = store.sessions(limit=1)[0]
        assert (kept.language, kept.voice) == (language, f"{engine}:{voice_id}")


def test_done_records_and_today_counts_it(home):
    assert ok("done", "ankle-pumps", "--at", "2026-12-01 09:10").splitlines() == [
        "Recorded ankle-pumps: 3 of 3 sets (30 repetitions), 2026-12-01 09:10.",
        "Today: 3 of 3 sets, all in one sitting: a few pumps at your next break spreads them "
        "through the day."]
    assert ok("done", "bedtime", "--sets", "1", "--at", "yesterday 21:30", "--effort", "3",
              "--pain", "2", "--note", "legs heavy").splitlines() == [
        "Recorded bedtime: 1 of 2 sets (8 repetitions), 2026-11-30 21:30.",
        "2026-11-30: 1 set in all."]
    with Store.open(home / "data" / "history.sqlite3", write=False) as store:
        bedtime, pumps = store.sessions()
    assert (bedtime.status, bedtime.effort, bedtime.pain, bedtime.note, bedtime.source) == (
        "partial", 3, 2, "legs heavy", "done")
    assert (pumps.done_sets, pumps.planned_reps, pumps.status) == (3, 30, "completed")
    assert pumps.time_zone == "Europe/Berlin" and pumps.started.isoformat().endswith("+01:00")
    assert len(pumps.routine_hash) == 16
    assert ok("today").splitlines() == [
        "Today, Tuesday 1 December: 3 of 3 sets, in 1 sitting",
        "Last session: ankle-pumps (Ankle pumps, seated), 09:10, 3 of 3 sets, completed",
        "Next: 3 of 3 sets, all in one sitting: a few pumps at your next break spreads them "
        "through the day (voice-coach play ankle-pumps).",
        'Pain: 2/10 (yesterday 21:30, "legs heavy")',
        "Effort: 3/10 (yesterday 21:30)"]


def test_today_suggests_by_the_hour_and_for_a_flight(home, monkeypatch):
    monkeypatch.setenv("VOICE_COACH_NOW", "2026-12-01 10:00")
    assert ok("today").splitlines()[-1] == \
        "Next: voice-coach play ankle-pumps  (its 3 sets meet the goal)"
    monkeypatch.setenv("VOICE_COACH_NOW", "2026-12-01 21:00")
    # the evening routine has 2 sets: the suggestion says what it leaves (issue 16, smaller)
    assert ok("today").splitlines()[-1] == ("Next: voice-coach play bedtime  (a slow, quiet "
                                            "session for the evening; its 2 sets leave 1 set "
                                            "to the goal)")
    assert ok("today", "--flight").splitlines()[-1].startswith(
        "Next: voice-coach remind flight --every 1h --for 6h")
    assert ok("today").splitlines()[1] == "Last session: none recorded yet"


def test_a_set_after_midnight_counts_for_the_evening_before(home, monkeypatch):
    monkeypatch.setenv("VOICE_COACH_NOW", "2026-12-02 01:30")
    ok("done", "ankle-pumps", "--sets", "1")
    assert ok("today").splitlines()[0] == "Today, Tuesday 1 December: 1 of 3 sets, in 1 sitting"
    monkeypatch.setenv("VOICE_COACH_NOW", "2026-12-02 04:30")
    assert ok("today").splitlines()[0] == "Today, Wednesday 2 December: 0 of 3 sets"
    write_config(home, "[practice]\nrollover_hour = 0\ndaily_goal = 2\n")
    monkeypatch.setenv("VOICE_COACH_NOW", "2026-12-02 01:40")
    assert ok("today").splitlines()[0] == \
        "Today, Wednesday 2 December: 1 of 2 sets, in 1 sitting"


def test_streak_appears_only_when_turned_on(home, monkeypatch):
    for day in ("2026-11-28 10:00", "2026-11-29 10:00", "2026-11-30 10:00"):
        ok("done", "ankle-pumps", "--at", day)
    assert "Streak" not in ok("today") + ok("stats")
    write_config(home, "[practice]\nstreak = true\n")
    assert "Streak: 3 days; today still counts" in ok("today").splitlines()
    ok("done", "flight")
    assert "Streak: 4 days" in ok("today").splitlines()
    assert "  streak          4 days" in ok("stats").splitlines()


@pytest.mark.parametrize("args, message", [
    (["done", "ankle-pumps", "--at", "2026-12-24 09:00"],
     "error: --at '2026-12-24 09:00' is not a time I can use: it is in the future\n"
     '  hint: times look like "2026-12-01 21:30", "21:30" (today) or "yesterday 21:30"\n'),
    (["done", "ankle-pumps", "--at", "half past nine"],
     "error: --at 'half past nine' is not a time I can use: it is not a date and time\n"
     '  hint: times look like "2026-12-01 21:30", "21:30" (today) or "yesterday 21:30"\n'),
    (["done", "ankle-pumps", "--effort", "11"],
     "error: --effort must be from 0 to 10, got 11\n"
     "  hint: 0 is none at all, 10 the most you can imagine\n"),
    (["done", "ankle-pumps", "--sets", "-1"], "error: --sets must be from 1 to 100, got -1\n"
     "  hint: a session with no set done is not recorded; count the sets you finished\n"),
    (["done", "ankle-pumps", "--sets", "0"], "error: --sets must be from 1 to 100, got 0\n"
     "  hint: a session with no set done is not recorded; count the sets you finished\n"),
    (["done", "ankel-pumps"],
     "error: 'ankel-pumps' is neither a routine file nor a built-in routine\n"
     "  hint: did you mean 'ankle-pumps'?\n"),
    (["history", "--since", "last week"],
     "error: --since 'last week': it is not a date\n"
     '  hint: dates look like 2026-12-01, "today", "yesterday", or a span back: "7d", "4w"\n'),
    (["stats", "-o", "cal.gif"],
     "error: cannot tell the picture's format from 'cal.gif'\n"
     "  hint: give a file name ending in .png, .svg or .pdf\n"),
    (["stats", "--weeks", "0"], "error: --weeks must be from 1 to 104, got 0\n"),
])
def test_bad_input_exits_2_and_records_nothing(home, args, message):
    result = vc(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr == message
    with Store.open(home / "data" / "history.sqlite3", write=False) as store:
        assert store.count() == 0


def test_history_table_filters_and_exports(home):
    ok("done", "ankle-pumps", "--at", "2026-11-20 09:00")
    ok("done", "bedtime", "--at", "2026-11-30 21:30", "--sets", "1", "--note", "tired")
    ok("done", "ankle-pumps", "--at", "2026-12-01 13:05", "--effort", "5")
    assert ok("history").splitlines() == [
        "date        time   routine      sets  reps   status     source  effort  note",
        "2026-11-20  09:00  ankle-pumps  3/3   30/30  completed  done",
        "2026-11-30  21:30  bedtime      1/2   8/16   partial    done            tired",
        "2026-12-01  13:05  ankle-pumps  3/3   30/30  completed  done    5"]
    assert len(ok("history", "--since", "7d").splitlines()) == 3
    assert len(ok("history", "--routine", "bedtime").splitlines()) == 2
    rows = list(csv.DictReader(io.StringIO(ok("history", "--csv"))))
    assert list(rows[0]) == [*COLUMNS, "practice_day"]
    assert [r["started"] for r in rows] == ["2026-11-20T09:00:00+01:00",
                                           "2026-11-30T21:30:00+01:00",
                                           "2026-12-01T13:05:00+01:00"]
    assert rows[1]["note"] == "tired" and rows[2]["effort"] == "5" and rows[0]["effort"] == ""
    data = json.loads(ok("history", "--json"))
    assert [d["routine"] for d in data] == ["ankle-pumps", "bedtime", "ankle-pumps"]
    assert data[2]["effort"] == 5 and data[0]["pain"] is None
    assert set(data[0]) == {*COLUMNS, "practice_day"}


def test_csv_export_imports_into_a_new_history_once(home, monkeypatch, tmp_path):
    ok("done", "ankle-pumps", "--at", "2026-11-20 09:00", "--note", 'said "well done", twice')
    ok("done", "flight", "--at", "2026-11-21 07:00", "--sets", "1")
    exported = tmp_path / "history.csv"
    exported.write_text(ok("history", "--csv"))
    monkeypatch.setenv("VOICE_COACH_DATA_DIR", str(tmp_path / "other"))
    assert ok("history", "--import", str(exported)) == f"Imported 2 sessions from {exported}.\n"
    assert ok("history", "--import", str(exported)) == (
        f"Imported 0 sessions from {exported} (2 already there).\n")
    assert ok("history", "--csv") == exported.read_text()


def test_a_bad_import_names_each_row_and_imports_nothing(home, tmp_path):
    ok("done", "ankle-pumps", "--at", "2026-11-20 09:00")
    (good,) = csv.DictReader(io.StringIO(ok("history", "--csv")))
    bad_sets = {**good, "done_sets": "three"}
    bad_time = {**good, "started": "yesterday", "id": "other-id"}
    path = tmp_path / "in.csv"
    with open(path, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(good))
        writer.writeheader()
        writer.writerows([bad_sets, bad_time])
    result = vc("history", "--import", str(path))
    assert result.exit_code == 2
    assert result.stderr == (
        f"{path}:2:11: error: 'done_sets' must be a whole number, got 'three'\n"
        f"{path}:3:7: error: 'started' must be a time like 2026-12-01T21:30:00+01:00, got "
        "'yesterday'\n2 errors\n")
    path.write_text("date,what\n2026-11-20,pumps\n")
    result = vc("history", "--import", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:1:1: error: this is not a voice-coach history CSV: "
                                    "missing columns routine, started")
    assert len(ok("history", "--csv").splitlines()) == 2  # still the one session


def test_stats_summary_calendar_and_pictures(home, tmp_path):
    for at, sets in (("2026-11-30 09:00", "3"), ("2026-11-30 13:00", "2"),
                     ("2026-12-01 09:00", "1"), ("2026-11-16 09:00", "3")):
        ok("done", "ankle-pumps", "--at", at, "--sets", sets)
    out = ok("stats", "--weeks", "3", "-o", str(tmp_path / "cal.svg"))
    lines = out.splitlines()
    assert lines[:6] == [
        "Last 3 weeks, 2026-11-16 to 2026-12-01",
        "  days active     3 of 16",
        "  sets a day      3.0 on active days, 0.6 over all days; goal 3, met on 2 days",
        "  sessions        4 (2 completed, 2 partial, 0 stopped)",
        lines[4],
        "  all time        4 sessions, 9 sets since 2026-11-16"]
    assert lines[4].startswith("  habit strength  ") and "%" in lines[4]
    assert lines[7:16] == [
        "     Nov Dec",
        "Mon  3 · 5",
        "Tue  · · 1",
        "Wed  · ·",
        "Thu  · ·",
        "Fri  · ·",
        "Sat  · ·",
        "Sun  · ·",
        "Each day: · no session, a digit the sets done (+ for 10 or more); goal 3 a day."]
    assert lines[-1] == f"Wrote {tmp_path / 'cal.svg'}."
    svg = ET.parse(tmp_path / "cal.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    tips = [t.text for t in svg.iter(f"{ns}title")]
    assert "Nov 30, 2026: 5 sets" in tips and "Dec 1, 2026: 1 set" in tips
    assert "Nov 17, 2026: 0 sets" in tips and not any("Dec 2," in t for t in tips if t)
    png = tmp_path / "cal.png"
    ok("stats", "--weeks", "3", "-o", str(png))
    from PIL import Image

    with Image.open(png) as picture:
        picture.load()
        assert picture.format == "PNG" and picture.width > 300 and picture.height > 300
    again = vc("stats", "-o", str(png))
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_stats_with_no_history_is_calm(home):
    lines = ok("stats", "--weeks", "1").splitlines()
    assert lines[1] == "  days active     0 of 2"  # Monday and today, Tuesday
    assert "habit strength" not in "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The config file.


def test_config_shows_values_and_where_each_came_from(home):
    path = write_config(home, "# mine\n[practice]\ndaily_goal = 5\nstreak = true\n\n"
                              "[sound]\nloudness = -19\n")
    lines = ok("config").splitlines()
    assert lines[-2] == f"config file  {path}"
    assert lines[-1] == f"history      {home / 'data' / 'history.sqlite3'} (VOICE_COACH_DATA_DIR)"
    assert "practice.daily_goal       5                " + f"{path}:3" in lines
    assert "practice.streak           on               " + f"{path}:4" in lines
    assert "practice.rollover_hour    4                default" in lines
    assert "voice.voice               (the routine's)  default" in lines
    assert "sound.loudness            -19              " + f"{path}:7" in lines


def test_bad_config_values_are_located_and_exit_2(home):
    path = write_config(home, '[practice]\ndaily_goal = "three"\nstreak = "yes"\n'
                              "rolover_hour = 5\n[sound]\nloudness = 3\n")
    for command in (["config"], ["today"], ["done", "ankle-pumps"], ["check", "flight"]):
        result = vc(*command)
        assert result.exit_code == 2, result.output
        assert result.stderr == (
            f"{path}:2:14: error: 'daily_goal' must be a whole number from 1 to 50, got "
            '"three"\n  hint: sets a day to aim for; e.g. daily_goal = 3\n'
            f'{path}:3:10: error: \'streak\' must be true or false, got "yes"\n'
            "  hint: write true or false, without quotes\n"
            f"{path}:4:1: error: unknown key 'rolover_hour' in [practice]\n"
            "  hint: did you mean 'rollover_hour'?\n"
            f"{path}:6:12: error: 'loudness' must be from -40 to -6, got 3\n"
            "  hint: loudness in LUFS for routines that set none (the routine's default: -16)\n"
            "4 errors\n")


def test_config_that_is_not_toml(home):
    path = write_config(home, "[practice]\ndaily_goal = \n")
    result = vc("config")
    assert result.exit_code == 2
    assert result.stderr == (f"{path}:2:14: error: this is not valid TOML: Invalid value\n"
                             '  hint: keys look like: daily_goal = 3, streak = true, '
                             'voice = "en-us"\n')


def test_voice_coach_config_names_the_file(home, monkeypatch, tmp_path):
    other = tmp_path / "elsewhere.toml"
    other.write_text("[practice]\ndaily_goal = 4\n")
    monkeypatch.setenv("VOICE_COACH_CONFIG", str(other))
    assert "Today, Tuesday 1 December: 0 of 4 sets" in ok("today")
    monkeypatch.setenv("VOICE_COACH_CONFIG", str(tmp_path / "missing.toml"))
    result = vc("today")
    assert result.exit_code == 2
    assert result.stderr == (f"error: config file {tmp_path / 'missing.toml'} not found\n"
                             "  hint: create it, or unset VOICE_COACH_CONFIG\n")


def test_config_init_writes_a_file_that_reads_as_the_defaults(home):
    out = ok("config", "--init")
    path = home / "config" / "voice-coach" / "config.toml"
    assert out == f"Wrote {path}. Edit it, then check it with: voice-coach config\n"
    assert all(line.endswith("default") for line in ok("config").splitlines()[:-2])
    assert vc("config", "--init").exit_code == 2


def test_config_voice_and_loudness_apply_where_the_routine_sets_none(home, tmp_path):
    write_config(home, '[voice]\nlanguage = "de"\n[sound]\nloudness = -20\n')
    # the config's language means --language: the German built-in, spoken in German
    from voice_coach.speech import pico

    german, british = (("pico, pico/de-DE", "pico, pico/en-GB") if pico.available()  # auto
                       else ("espeak, gmw/de", "espeak, gmw/en"))
    assert f"  Stimme     {german}, 160 Wörter/min" in ok("check", "ankle-pumps").splitlines()
    own = tmp_path / "own.yaml"
    own.write_text("title: Mine\nvoice: {voice: en-gb}\nloudness: -18\nsteps:\n"
                   "  - exercise: Pumps\n    sets: 1\n    reps: 2\n")
    # en-gb is Pico's en-GB, or espeak-ng's gmw/en voice (British English)
    assert f"  voice    {british}, 160 wpm" in ok("check", str(own)).splitlines()
    from voice_coach.cli.app import load

    assert load("ankle-pumps").loudness_lufs == -20
    assert load(str(own)).loudness_lufs == -18


def test_the_readme_config_example_is_a_valid_config(tmp_path):
    import re

    from voice_coach.practice.config import load_config

    readme = (Path(__file__).resolve().parents[2] / "docs" / "config.md").read_text()
    (block,) = re.findall(r"```toml\n(.*?)```", readme, flags=re.S)
    path = tmp_path / "config.toml"
    path.write_text(block)
    config = load_config(path)
    assert (config["practice.daily_goal"], config["practice.streak"],
            config["practice.rollover_hour"], config["sound.loudness"]) == (4, True, 3, -19)
    assert all(origin.startswith(str(path)) for name, origin in config.origins.items()
               if name != "voice.voice")
