"""Daily-practice commands: done, today, history, stats; and the recorder that `play` and
`remind` hand to the player so every session lands in the history.

Errors go through app.funnel like every other command (2 bad input, 1 a history that cannot be
read or written). `config` is in config.py, `schedule` in schedule.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from voice_coach import UsageError, escape_controls
from voice_coach.cli.app import RoutineArg, app, funnel, out
from voice_coach.cli.coach import (
    AsOfOpt,
    at_dose,
    legs_option,
    next_dose,
    say_doses,
    stats_change_lines,
)
from voice_coach.cli.usage import examples


def _config():
    from voice_coach.practice import load_config

    return load_config()


def _clock():
    from voice_coach.practice import system_clock

    return system_clock()


def _open_store(write: bool):
    from voice_coach.practice import Store

    return Store.open(write=write)


def recorder_for(routine: Any, source: str) -> Any:
    """The player's observer that records each session (or remind round) in the history;
    give it the timeline with .on(timeline) once the session is prepared.

    The history is opened in the background meanwhile; one that cannot be written is said
    once, on stderr, when the session starts, and the session plays anyway.
    """
    from voice_coach.practice import Recorder

    recorder = Recorder(routine, None, source, _clock(), lambda: _open_store(write=True),
                        lambda text: typer.echo(f"warning: {text}", err=True),
                        inform=typer.echo)  # after q too: what landed in the history
    recorder.check_in_background()
    return recorder


def _rating(name: str, value: int | None) -> int | None:
    if value is not None and not 0 <= value <= 10:
        raise UsageError(f"{name} must be from 0 to 10, got {value}",
                         "0 is none at all, 10 the most you can imagine")
    return value


# ---------------------------------------------------------------------------------------------


@app.command(epilog=examples(
    "done",
    "voice-coach done ankle-pumps                 # just followed it from a phone file",
    'voice-coach done flight --sets 2 --at "yesterday 21:30" --effort 4 --pain 1',
))
@funnel
def done(
    routine: RoutineArg,
    sets: Annotated[int | None, typer.Option(
        "--sets", metavar="N", help="Sets done (default: all of the routine's).")] = None,
    at: Annotated[str | None, typer.Option(
        "--at", metavar="TIME", help='When it started: "2026-12-01 21:30", "21:30" or '
        '"yesterday 21:30" (default: it has just ended).')] = None,
    effort: Annotated[int | None, typer.Option(
        "--effort", metavar="0-10", help="How hard it felt, 0 to 10.")] = None,
    pain: Annotated[int | None, typer.Option(
        "--pain", metavar="0-10", help="Pain felt, 0 to 10.")] = None,
    legs: Annotated[str | None, typer.Option(
        "--legs", metavar="lighter|same|heavier", help="How the legs feel after it.")] = None,
    note: Annotated[str, typer.Option("--note", metavar="NOTE", help="A note to keep with it.")]
    = "",
) -> None:
    """Record a session followed elsewhere, such as from a phone file."""
    from voice_coach import counted
    from voice_coach.cli.app import load
    from voice_coach.practice import (
        AT_HINT,
        DATE_HINT,
        NOTE_MAX_CHARS,
        Totals,
        clock_text,
        done_record,
        goal_words,
        parse_at,
        practice_day,
    )

    config, now = _config(), _clock().now()
    rollover, goal = config["practice.rollover_hour"], config["practice.daily_goal"]
    started = None
    if sets is not None and not 1 <= sets <= 100:
        raise UsageError(f"--sets must be from 1 to 100, got {sets}",
                         "a session with no set done is not recorded; count the sets you "
                         "finished" if sets < 1 else "")
    if at is not None:
        try:
            started = parse_at(at, now, rollover)
        except ValueError as exc:
            hint = DATE_HINT if "year" in str(exc) or "range" in str(exc) else AT_HINT
            raise UsageError(f"--at {at!r} is not a time I can use: {exc}", hint) from None
    _rating("--effort", effort)
    _rating("--pain", pain)
    legs_felt = legs_option(legs)
    if len(note) > NOTE_MAX_CHARS:
        raise UsageError(f"--note is longer than {NOTE_MAX_CHARS} characters")
    written = load(routine)  # with the config's language, as play would speak it
    routine_obj = at_dose(written, practice_day(started or now, rollover), config)
    try:
        record = done_record(routine_obj, sets=sets, started=started, now=now, effort=effort,
                             pain=pain, note=note, legs=legs_felt)
    except ValueError as exc:
        raise UsageError(f"cannot record it: {exc}", AT_HINT) from None
    day, today = practice_day(record.started, rollover), practice_day(now, rollover)
    with _open_store(write=True) as store:
        store.add(record)
        totals = Totals.of(store.day_totals(rollover))
        sittings = _sittings(store, rollover, day)
    when = f"{record.started.strftime('%Y-%m-%d')} " + clock_text(
        record.started, record.time_zone, now.tzinfo)
    out(f"Recorded {record.routine}: {record.done_sets} of "
        + counted(record.planned_sets, "{n} set", "{n} sets")
        + f" ({record.done_reps} repetitions), {when}.")
    n = totals.sets.get(day, 0)
    if day == today:
        words = goal_words(n, goal, sittings, config["practice.daily_sittings"])
        if words and words.startswith(f"{n} of "):  # met in fewer sittings than hoped
            typer.echo(f"Today: {words}.")
        else:
            typer.echo(f"Today: {n} of " + counted(goal, "{n} set", "{n} sets") + ", in "
                       + counted(sittings, "{n} sitting", "{n} sittings") + "."
                       + (f" {words[0].upper()}{words[1:]}." if words else ""))
    else:
        typer.echo(f"{day.isoformat()}: " + counted(n, "{n} set in all.", "{n} sets in all."))
    next_dose(written, today, config)


def _sittings(store: Any, rollover: int, day: Any) -> int:
    from voice_coach.practice import count_sittings

    records = store.sessions(since=day, until=day, rollover_hour=rollover)
    return count_sittings((r.started, r.ended) for r in records)


def _routine_sets(config: Any) -> dict[str, int]:
    """Sets in each routine `today` may suggest (left out when one cannot be read)."""
    from voice_coach import Exercise, VoiceCoachError, load_routine

    sets = {}
    for key in ("practice.routine", "practice.evening_routine"):
        try:
            routine = load_routine(config[key])
        except (VoiceCoachError, OSError):
            continue
        sets[config[key]] = sum(s.sets for s in routine.steps if isinstance(s, Exercise))
    return sets


def _report_bad_rows(store: Any) -> None:
    """Says on stderr which rows every reader skips, and how to repair them."""
    bad = store.bad_rows()
    if not bad:
        return
    for row in bad[:5]:
        typer.echo(f"warning: {store.path}: session row {row.row_id} (id {row.uid}) is "
                   f"skipped: {row.reason}", err=True)
    if len(bad) > 5:
        typer.echo(f"warning: and {len(bad) - 5} more such rows", err=True)
    first = bad[0]
    value = "0" if first.column == "utc_offset_min" else "'YYYY-MM-DD HH:MM:SS'"
    typer.echo(f"hint: the rest of the history is fine. Put the right time in with: sqlite3 "
               f"{store.path} \"UPDATE sessions SET {first.column} = {value} WHERE id = "
               f"{first.row_id}\" (times in UTC), or delete the row: sqlite3 {store.path} "
               f"\"DELETE FROM sessions WHERE id = {first.row_id}\"", err=True)


@app.command(epilog=examples(
    "today",
    "voice-coach today",
    "voice-coach today --flight",
    "voice-coach today --routine grow.yaml --as-of yesterday   # a growing routine's dose",
))
@funnel
def today(
    flight: Annotated[bool, typer.Option(
        "--flight", help="Suggest what to do on a flight (a set every hour).")] = False,
    routine: Annotated[str | None, typer.Option(
        "--routine", metavar="NAME", help="Say this routine's dose (default: the config's "
        "routines that grow).")] = None,
    as_of: AsOfOpt = None,
) -> None:
    """Sets done today against the goal, the last session, what next, and today's dose."""
    from voice_coach.practice import (
        RECENT_SESSIONS,
        Totals,
        practice_day,
        today_lines,
        wellbeing_lines,
    )

    config, now = _config(), _clock().now()
    rollover = config["practice.rollover_hour"]
    with _open_store(write=False) as store:
        _report_bad_rows(store)
        totals = Totals.of(store.day_totals(rollover))
        last = store.sessions(limit=RECENT_SESSIONS)
        sittings = _sittings(store, rollover, practice_day(now, rollover))
    for line in today_lines(totals, last[-1] if last else None, config, now, flight,
                            sittings=sittings, routine_sets=_routine_sets(config)):
        out(escape_controls(line, one_line=True))  # history text: never a command or a line
    for line in wellbeing_lines(last, now.date()):
        out(escape_controls(line, one_line=True))
    say_doses(config, routine, as_of)


@app.command(epilog=examples(
    "history",
    "voice-coach history --since 7d",
    "voice-coach history --csv > history.csv",
    "voice-coach history --import history.csv",
))
@funnel
def history(
    since: Annotated[str | None, typer.Option(
        "--since", metavar="DATE", help="From this day: 2026-12-01, yesterday, 7d, 4w.")]
    = None,
    until: Annotated[str | None, typer.Option(
        "--until", metavar="DATE", help="Up to and with this day: 2026-12-31, yesterday.")]
    = None,
    routine: Annotated[str | None, typer.Option(
        "--routine", metavar="NAME", help="Only this routine's sessions.")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON (one object a session).")]
    = False,
    csv_: Annotated[bool, typer.Option("--csv", help="Print CSV (one row a session).")] = False,
    import_: Annotated[Path | None, typer.Option(
        "--import", metavar="FILE", help="Add the sessions of a CSV or JSON written by --csv or "
        "--json ('-': standard input).")] = None,
) -> None:
    """The sessions done, as a table; --csv and --json to export, --import to bring back."""
    from voice_coach.practice import (
        SINCE_HINT,
        history_csv,
        history_json,
        history_table,
        parse_since,
        practice_day,
    )

    if json_ and csv_:
        raise UsageError("use --json or --csv, not both")
    if import_ is not None:
        _import(import_)
        return
    now = _clock().now()
    rollover = _config()["practice.rollover_hour"]
    today = practice_day(now, rollover)
    first = last = None
    for option, text in (("--since", since), ("--until", until)):
        if text is None:
            continue
        try:
            day = parse_since(text, today)
        except ValueError as exc:
            raise UsageError(f"{option} {text!r}: {exc}", SINCE_HINT) from None
        if option == "--since":
            first = day
        else:
            last = day
    if first is not None and last is not None and last < first:
        raise UsageError(f"--until {until!r} is before --since {since!r}",
                         "give the earlier day to --since")
    with _open_store(write=False) as store:
        _report_bad_rows(store)
        records = store.sessions(since=first, until=last, routine=routine,
                                 rollover_hour=rollover)
    if json_:
        _out_json(history_json(records, rollover))
    elif csv_:
        _out_csv(history_csv(records, rollover))
    elif not records and routine:
        typer.echo(f"No sessions of {routine} recorded" + (
            " in that time." if first or last else "; 'voice-coach history' lists every session."))
    elif not records:
        typer.echo("No sessions recorded" + (" in that time." if first or last else
                                             " yet. Play one: voice-coach play ankle-pumps"))
    else:
        out(history_table(records, rollover, now.tzinfo))


def _import(path: Path) -> None:
    from voice_coach import counted
    from voice_coach.practice import read_export

    records = read_export(path, _clock().now())
    with _open_store(write=True) as store:
        added = store.add_many(records)
    skipped = len(records) - added
    out(counted(added, "Imported {n} session", "Imported {n} sessions") + f" from {path}"
        + (f" ({skipped} already there)." if skipped else "."))


@app.command(epilog=examples(
    "stats",
    "voice-coach stats",
    "voice-coach stats --weeks 26 -o calendar.svg",
    "voice-coach stats -o calendar.png --language de",
))
@funnel
def stats(
    weeks: Annotated[int, typer.Option(
        "--weeks", metavar="N", help="How many weeks the calendar shows (1 to 104).")] = 12,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE",
        help="Also write the calendar as a picture: .png, .svg or .pdf.")] = None,
    language: Annotated[str | None, typer.Option(
        "--language", metavar="CODE", help="The picture's language (default: the config's "
        "[voice] language, else en).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the picture.")] = False,
) -> None:
    """Days active, sets a day, habit strength, and a calendar of the last weeks."""
    from datetime import timedelta

    from voice_coach import write_bytes_atomic
    from voice_coach.practice import (
        PICTURE_SUFFIXES,
        RECENT_SESSIONS,
        Calendar,
        ReportWords,
        Totals,
        calendar_picture,
        heatmap_lines,
        person_language,
        practice_day,
        stats_lines,
        week_start,
        wellbeing_lines,
    )

    if not 1 <= weeks <= 104:
        raise UsageError(f"--weeks must be from 1 to 104, got {weeks}")
    if output is not None and output.suffix.lower() not in PICTURE_SUFFIXES:
        raise UsageError(f"cannot tell the picture's format from {output.name!r}",
                         "give a file name ending in .png, .svg or .pdf")
    if output is not None and output.exists() and not force:
        raise UsageError(f"{output} already exists", "use --force to overwrite it")
    config, now = _config(), _clock().now()
    words = ReportWords(language or person_language(config))
    rollover, goal = config["practice.rollover_hour"], config["practice.daily_goal"]
    day = practice_day(now, rollover)
    with _open_store(write=False) as store:
        _report_bad_rows(store)
        totals = Totals.of(store.day_totals(rollover))
        counts = store.status_counts(rollover, week_start(day) - timedelta(weeks=weeks - 1))
        recent = store.sessions(limit=RECENT_SESSIONS)
        change = stats_change_lines(store, config, day, weeks)
    first = min(totals.sets) if totals.sets else None
    for line in stats_lines(totals, counts, first, day, weeks, config):
        out(line)
    for line in change:
        out(line)
    for line in wellbeing_lines(recent, now.date(), indent="  ", width=16):
        out(line)
    typer.echo("")
    cal = Calendar.ending(day, weeks, totals.sets, goal)
    unicode = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "") == "utf8"
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for line in heatmap_lines(cal, unicode=unicode, color=color):
        typer.echo(line)
    if output is not None:
        data = calendar_picture(cal, output.suffix.lower()[1:], words)
        write_bytes_atomic(output, data, force=force)
        typer.echo(f"Wrote {output}.")


def _out_json(text: str) -> None:
    """JSON with C1 controls and bidi overrides written as \\u escapes (the same data; json
    leaves them raw with ensure_ascii=False, and 0x9B is a terminal's CSI)."""
    import re

    typer.echo(re.sub("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]",
                      lambda m: f"\\u{ord(m.group()):04x}", text), nl=False)


def _out_csv(text: str) -> None:
    """CSV as it is into a file or pipe (the data must round-trip), escaped on a terminal."""
    if sys.stdout.isatty():
        text = escape_controls(text.replace("\r\n", "\n"))
    typer.echo(text, nl=False)
