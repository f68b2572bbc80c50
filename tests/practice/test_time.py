"""When a session happened, read one way everywhere (issue 16 items 3-6 and 10, issue 17 items 1,
5 and 7): the practice day with the config's rollover in every command, daylight-saving nights in
Berlin and New York (the issue's own reproductions), times from another zone shown with it, dates
checked where they enter, one bad row that never costs the rest, the config's language, and
sittings. Real SQLite files through the CLI, with a fixed clock ($VOICE_COACH_NOW) and zone."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import ok, vc
from tests.practice.conftest import write_config
from voice_coach.practice.store import Store


def at(monkeypatch, now: str, zone: str | None = None) -> None:
    monkeypatch.setenv("VOICE_COACH_NOW", now)
    if zone:
        monkeypatch.setenv("TZ", zone)


def rows(home: Path) -> list[tuple]:
    with sqlite3.connect(home / "data" / "history.sqlite3") as conn:
        return conn.execute("SELECT started_utc, local_start, utc_offset_min, time_zone "
                            "FROM sessions ORDER BY id").fetchall()


# ---------------------------------------------------------------------------------------------
# Issue 16 item 4: one practice day everywhere.


def test_done_at_2130_at_one_in_the_morning_is_yesterday_evening(home, monkeypatch):
    at(monkeypatch, "2026-04-15 01:00")
    assert ok("today").splitlines()[0] == "Today, Tuesday 14 April: 0 of 3 sets"
    assert ok("done", "ankle-pumps", "--at", "21:30").splitlines() == [
        "Recorded ankle-pumps: 3 of 3 sets (30 repetitions), 2026-04-14 21:30.",
        "Today: 3 of 3 sets, all in one sitting: a few pumps at your next break spreads them "
        "through the day."]
    ok("done", "tv-break", "--at", "00:30")  # after midnight, still the same practice day
    assert rows(home)[1][1] == "2026-04-15 00:30:00"
    assert ok("today").splitlines()[0] == "Today, Tuesday 14 April: 5 of 3 sets, in 2 sittings"
    # with the rollover at midnight, 21:30 today has not come yet
    write_config(home, "[practice]\nrollover_hour = 0\n")
    result = vc("done", "ankle-pumps", "--at", "21:30")
    assert result.exit_code == 2 and "it is in the future" in result.stderr


def test_history_dates_and_since_until_use_the_configs_rollover(home, monkeypatch):
    write_config(home, "[practice]\nrollover_hour = 5\n")
    at(monkeypatch, "2026-12-03 12:00")
    ok("done", "ankle-pumps", "--at", "2026-12-01 09:00")
    ok("done", "bedtime", "--at", "2026-12-02 04:40")  # before 5:00: counts for 1 December
    ok("done", "tv-break", "--at", "2026-12-02 19:00")
    table = ok("history").splitlines()
    assert [line.split()[:3] for line in table[1:]] == [
        ["2026-12-01", "09:00", "ankle-pumps"], ["2026-12-01", "04:40", "bedtime"],
        ["2026-12-02", "19:00", "tv-break"]]
    assert [line.split()[2] for line in ok("history", "--until", "2026-12-01").splitlines()[1:]
            ] == ["ankle-pumps", "bedtime"]
    assert [line.split()[2] for line in ok("history", "--since", "2026-12-02").splitlines()[1:]
            ] == ["tv-break"]
    assert [line.split()[2] for line in ok("history", "--since", "yesterday", "--until",
                                           "yesterday").splitlines()[1:]] == ["tv-break"]
    assert ok("history", "--since", "today") == "No sessions recorded in that time.\n"
    result = vc("history", "--since", "2026-12-02", "--until", "2026-12-01")
    assert result.exit_code == 2 and "is before --since" in result.stderr
    result = vc("history", "--until", "1969-12-31")
    assert result.exit_code == 2 and "before 1970" in result.stderr
    # `today` and `stats` count the same days
    at(monkeypatch, "2026-12-02 04:50")
    assert ok("today").splitlines()[0] == "Today, Tuesday 1 December: 5 of 3 sets, in 2 sittings"


# ---------------------------------------------------------------------------------------------
# Issue 16 item 5: daylight saving, the reproductions and both changes in both zones.


@pytest.mark.parametrize("zone, now, typed, utc, offset", [
    # the clock goes back: the repeated hour's second pass
    ("Europe/Berlin", "2026-10-25T02:50+01:00", "2026-10-25T02:30+01:00",
     "2026-10-25 01:30:00", 60),
    ("America/New_York", "2026-11-01T01:50-05:00", "2026-11-01T01:30-05:00",
     "2026-11-01 06:30:00", -300),
])
def test_the_repeated_hour_keeps_its_offset(home, monkeypatch, zone, now, typed, utc, offset):
    at(monkeypatch, now, zone)
    ok("done", "morning")  # "stored an hour early" before the fix
    started, local, minutes, name = rows(home)[0]
    assert minutes == offset and name == zone
    assert started < utc.replace(":30:", ":50:") and started > utc.replace(":30:", ":40:")
    ok("done", "morning", "--at", typed)  # "refused as future" before the fix
    assert rows(home)[1][:3] == (utc, typed[:16].replace("T", " ") + ":00", offset)
    # a wall time typed without offset: the later of the two, since it is not in the future
    ok("done", "morning", "--at", typed[11:16])
    assert rows(home)[2][:3] == (utc, typed[:16].replace("T", " ") + ":00", offset)


@pytest.mark.parametrize("zone, now, first_pass_utc", [
    ("Europe/Berlin", "2026-10-25T02:50+02:00", "2026-10-25 00:30:00"),
    ("America/New_York", "2026-11-01T01:50-04:00", "2026-11-01 05:30:00"),
])
def test_the_first_pass_of_the_repeated_hour_is_not_pushed_into_the_second(
        home, monkeypatch, zone, now, first_pass_utc):
    at(monkeypatch, now, zone)
    ok("done", "morning", "--at", now[11:13] + ":30")
    assert rows(home)[0][0] == first_pass_utc


@pytest.mark.parametrize("zone, day, utc, offset", [
    ("Europe/Berlin", "2026-03-29", "2026-03-29 01:30:00", 120),
    ("America/New_York", "2026-03-08", "2026-03-08 07:30:00", -240),
])
def test_a_time_the_clock_skipped_is_the_instant_it_names(home, monkeypatch, zone, day, utc,
                                                         offset):
    at(monkeypatch, f"{day} 12:00", zone)
    ok("done", "morning", "--at", f"{day} 02:30")  # 02:30 never showed: it is 03:30
    assert rows(home)[0][:3] == (utc, f"{day} 03:30:00", offset)
    # and a session just after the change, recorded as it ends, lasts its real length
    at(monkeypatch, f"{day}T03:01", zone)
    ok("done", "morning")
    with Store.open(home / "data" / "history.sqlite3", write=False) as store:
        last = store.sessions()[0]  # started before the change, in the old offset
    assert last.started.utcoffset().total_seconds() == (offset - 60) * 60
    assert 100 <= last.duration_s <= 200  # its real length, not an hour more or less


# ---------------------------------------------------------------------------------------------
# Issue 16 item 6: a time recorded in another zone shows it; order is by the instant.


def test_times_from_another_zone_show_it_and_sort_by_the_instant(home, monkeypatch):
    at(monkeypatch, "2026-12-01 16:05", "Europe/Berlin")
    ok("done", "ankle-pumps", "--at", "16:00")
    at(monkeypatch, "2026-12-01 10:20", "America/New_York")  # 16:20 in Berlin
    assert "Last session: ankle-pumps (Ankle pumps, seated), 16:00 CET, 3 of 3 sets" in ok(
        "today")
    at(monkeypatch, "2026-12-01 10:35", "America/New_York")
    ok("done", "tv-break", "--at", "10:30")
    table = ok("history").splitlines()
    assert [line.split()[:4] for line in table[1:]] == [
        ["2026-12-01", "16:00", "CET", "ankle-pumps"], ["2026-12-01", "10:30", "tv-break", "2/2"]]
    at(monkeypatch, "2026-12-01 16:40", "Europe/Berlin")  # back home: New York's time shows EST
    assert [line.split()[1:3] for line in ok("history").splitlines()[1:]] == [
        ["16:00", "ankle-pumps"], ["10:30", "EST"]]


# ---------------------------------------------------------------------------------------------
# Issue 17 items 1, 5, 7: dates checked where they enter; one bad row never costs the rest.


@pytest.mark.parametrize("args, env_now, message", [
    (["done", "flight", "--at", "0202-12-01 21:30"], None,
     "error: --at '0202-12-01 21:30' is not a time I can use: it is in the year 202, before "
     "1970\n  hint: dates run from 1970 to today; write the year with four digits\n"),
    (["done", "flight", "--at", "0001-01-01T00:00:00+14:00"], None, "before 1970"),
    (["done", "flight", "--at", "9999-12-31 23:00"], None, "it is in the future"),
    (["done", "flight", "--at", "21:30"], "9999-12-31 23:59", "VOICE_COACH_NOW='9999-12-31 "
                                                             "23:59' is not a time I can use"),
    (["today"], "0001-01-01T00:00+05:00", "VOICE_COACH_NOW='0001-01-01T00:00+05:00' is not a "
                                          "time I can use"),
    (["history"], "1969-07-20 20:17", "before 1970"),
])
def test_dates_out_of_range_are_refused_with_a_message_not_a_traceback(
        home, monkeypatch, args, env_now, message):
    if env_now:
        at(monkeypatch, env_now)
    result = vc(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr and "Traceback" not in result.output
    assert not (home / "data" / "history.sqlite3").exists() or rows(home) == []


def test_imported_rows_dated_9999_or_0900_are_refused_at_their_line(home, tmp_path):
    ok("done", "ankle-pumps", "--at", "2026-12-01 09:00")
    exported = ok("history", "--csv")
    lines = exported.splitlines()
    future = lines[1].replace("2026-12-01", "9999-12-01").replace(lines[1].split(",")[0], "a1")
    ancient = lines[1].replace("2026-12-01", "0900-12-01").replace(lines[1].split(",")[0], "a2")
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], future, ancient]) + "\n")
    result = vc("history", "--import", str(bad))
    assert result.exit_code == 2
    col = lines[0].split(",").index("started") + 1
    assert f"{bad}:2:{col}: error: 'started' is after tomorrow" in result.stderr
    assert f"{bad}:3:{col}: error: 'started' is in the year 900, before 1970" in result.stderr
    assert len(rows(home)) == 1


@pytest.mark.parametrize("column, value", [
    ("started_utc", "202-12-01 21:30:00"), ("local_start", "202-12-01 21:30:00"),
    ("started_utc", "garbage"), ("ended_utc", "2026-13-45 99:00:00"),
])
def test_one_bad_row_is_skipped_and_reported_and_the_rest_still_works(home, monkeypatch,
                                                                      column, value):
    ok("done", "ankle-pumps", "--at", "2026-12-01 09:00")
    ok("done", "flight", "--at", "2026-12-01 12:00")
    ok("done", "tv-break", "--at", "2026-12-01 19:00")
    with sqlite3.connect(home / "data" / "history.sqlite3") as conn:  # as an older version did
        conn.execute(f"UPDATE sessions SET {column} = ? WHERE routine = 'flight'", (value,))
        (row_id,) = conn.execute("SELECT id FROM sessions WHERE routine = 'flight'").fetchone()
    result = vc("history")
    assert result.exit_code == 0, result.output
    assert [line.split()[2] for line in result.stdout.splitlines()[1:]] == [
        "ankle-pumps", "tv-break"]
    assert f"session row {row_id} " in result.stderr and f"{column} is {value!r}" in result.stderr
    assert f'DELETE FROM sessions WHERE id = {row_id}' in result.stderr
    assert f'UPDATE sessions SET {column} = ' in result.stderr
    assert "Traceback" not in result.output
    csv_out = vc("history", "--csv")
    assert csv_out.exit_code == 0 and len(csv_out.stdout.splitlines()) == 3  # export works
    assert vc("history", "--json").exit_code == 0
    assert "Today, Tuesday 1 December: 5 of 3 sets" in ok("today")
    assert vc("stats").exit_code == 0
    ok("done", "bedtime")  # and later sessions are still recorded
    assert len(rows(home)) == 4


def test_times_are_stored_in_one_fixed_width_form(home):
    ok("done", "ankle-pumps", "--at", "1970-01-02 09:00")
    ok("done", "ankle-pumps", "--at", "2026-12-01 09:00")
    for started, local, _, _ in rows(home):
        assert len(started) == len(local) == 19 and started[4] == "-" and started[10] == " "


# ---------------------------------------------------------------------------------------------
# Issue 16 items 7 and 8: the config's language means --language; its errors point at it.


def test_config_language_gives_the_builtins_in_that_language(home):
    write_config(home, '[voice]\nlanguage = "de"\n')
    assert ok("check", "morning").startswith("morning: Fußgelenkpumpen zum Wachwerden: OK")
    assert "Recorded morning" in ok("done", "morning")
    with Store.open(home / "data" / "history.sqlite3", write=False) as store:
        (kept,) = store.sessions()
    assert (kept.language, kept.title) == ("de", "Fußgelenkpumpen zum Wachwerden")
    own = home / "mine.yaml"  # a file that names its own language keeps it
    own.write_text("title: Mine\nlanguage: fr\nsteps:\n  - exercise: Pompes\n    sets: 1\n"
                   "    reps: 2\n")
    assert "langue" in ok("check", str(own)).lower() or "fr" in ok("check", str(own))


def test_config_language_and_voice_errors_point_at_the_config_file(home):
    path = write_config(home, '[voice]\nlanguage = "ja"\n')
    result = vc("check", "morning")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:2:12: error: unknown or unsupported language 'ja'")
    path = write_config(home, '[voice]\nvoice = "xx-nope"\n')
    result = vc("render", "morning", "-o", str(home / "m.wav"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{path}:2:9: error: unknown voice 'xx-nope'"), result.stderr
    assert "<built-in" not in result.stderr and not (home / "m.wav").exists()


# ---------------------------------------------------------------------------------------------
# Issue 16 item 10: sittings, praise over the goal, a word about a very high count.


def test_sittings_count_and_the_goal_is_praised_never_scolded(home, monkeypatch):
    at(monkeypatch, "2026-12-01 18:00")
    ok("done", "ankle-pumps", "--at", "09:10")
    ok("done", "tv-break", "--sets", "1", "--at", "09:20")  # right after: the same sitting
    today = ok("today").splitlines()
    assert today[0] == "Today, Tuesday 1 December: 4 of 3 sets, in 1 sitting"
    assert today[-1] == ("Next: 4 of 3 sets, all in one sitting: a few pumps at your next break "
                         "spreads them through the day (voice-coach play ankle-pumps).")
    assert ok("done", "tv-break", "--sets", "1", "--at", "13:00").splitlines()[-1] == \
        "Today: 5 of 3 sets, in 2 sittings. 5 sets, more than your goal of 3. Well done."
    today = ok("today").splitlines()
    assert today[0] == "Today, Tuesday 1 December: 5 of 3 sets, in 2 sittings"
    assert "5 sets, more than your goal of 3. Well done." in today
    assert today[-1].startswith("Next: the goal is met for today.")
    for hour in ("14:00", "15:00"):
        ok("done", "ankle-pumps", "--at", hour)
    out = ok("today")
    assert "11 sets is well over your goal of 3. Good work; more is not always better, so " \
           "check with your therapist that this much suits you." in out
    assert not any(word in out.lower() for word in ("too many", "too much", "stop", "warning"))
    write_config(home, "[practice]\ndaily_sittings = 1\n")
    monkeypatch.setenv("VOICE_COACH_NOW", "2026-12-02 18:00")
    ok("done", "ankle-pumps", "--at", "09:10")
    assert ok("today").splitlines()[-1].startswith("Next: the goal is met for today.")
