"""Daily-practice commands: done, today, history, stats, config; and the recorder that `play`
and `remind` hand to the player so every session lands in the history.

Errors go through app.funnel like every other command (2 bad input, 1 a history that cannot be
read or written). `schedule` is in schedule.py.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from voice_coach.cli.app import RoutineArg, app, funnel
from voice_coach.cli.usage import examples
from voice_coach.errors import UsageError


def _config():
    from voice_coach.practice.config import load_config

    return load_config()


def _clock():
    from voice_coach.practice.days import system_clock

    return system_clock()


def _open_store(write: bool):
    from voice_coach.practice.store import Store

    return Store.open(write=write)


def recorder_for(routine: Any, source: str) -> Any:
    """The player's observer that records each session (or remind round) in the history;
    give it the timeline with .on(timeline) once the session is prepared.

    The history is opened in the background meanwhile; one that cannot be written is said
    once, on stderr, when the session starts, and the session plays anyway.
    """
    from voice_coach.practice.recorder import Recorder

    recorder = Recorder(routine, None, source, _clock(), lambda: _open_store(write=True),
                        lambda text: typer.echo(f"warning: {text}", err=True))
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
    note: Annotated[str, typer.Option("--note", metavar="NOTE", help="A note to keep with it.")]
    = "",
) -> None:
    """Record a session followed elsewhere, such as from a phone file."""
    from voice_coach.practice.days import AT_HINT, parse_at, practice_day
    from voice_coach.practice.recorder import done_record
    from voice_coach.practice.records import NOTE_MAX_CHARS
    from voice_coach.practice.report import Totals, _plural
    from voice_coach.routine import load_routine

    config, now = _config(), _clock().now()
    started = None
    if at is not None:
        try:
            started = parse_at(at, now)
        except ValueError as exc:
            raise UsageError(f"--at {at!r} is not a time I can use: {exc}", AT_HINT) from None
    if sets is not None and not 0 <= sets <= 100:
        raise UsageError(f"--sets must be from 0 to 100, got {sets}")
    _rating("--effort", effort)
    _rating("--pain", pain)
    if len(note) > NOTE_MAX_CHARS:
        raise UsageError(f"--note is longer than {NOTE_MAX_CHARS} characters")
    routine_obj = load_routine(routine)
    record = done_record(routine_obj, sets=sets, started=started, now=now, effort=effort,
                         pain=pain, note=note)
    with _open_store(write=True) as store:
        store.add(record)
        totals = Totals.of(store.day_totals(config["practice.rollover_hour"]))
    rollover, goal = config["practice.rollover_hour"], config["practice.daily_goal"]
    typer.echo(f"Recorded {record.routine}: {record.done_sets} of "
               f"{_plural(record.planned_sets, 'set')} ({record.done_reps} repetitions), "
               f"{record.started.strftime('%Y-%m-%d %H:%M')}.")
    day, today = practice_day(record.started, rollover), practice_day(now, rollover)
    n = totals.sets.get(day, 0)
    if day == today:
        met = " The goal for today is met." if n >= goal else ""
        typer.echo(f"Today: {n} of {_plural(goal, 'set')}.{met}")
    else:
        typer.echo(f"{day.isoformat()}: {_plural(n, 'set')} in all.")


@app.command(epilog=examples(
    "today",
    "voice-coach today",
    "voice-coach today --flight",
))
@funnel
def today(
    flight: Annotated[bool, typer.Option(
        "--flight", help="Suggest what to do on a flight (a set every hour).")] = False,
) -> None:
    """Sets done today against the daily goal, the last session, and what to do next."""
    from voice_coach.practice.report import Totals, today_lines

    config, now = _config(), _clock().now()
    with _open_store(write=False) as store:
        totals = Totals.of(store.day_totals(config["practice.rollover_hour"]))
        last = store.sessions(limit=1)
    for line in today_lines(totals, last[0] if last else None, config, now, flight):
        typer.echo(line)


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
    routine: Annotated[str | None, typer.Option(
        "--routine", metavar="NAME", help="Only this routine's sessions.")] = None,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON (one object a session).")]
    = False,
    csv_: Annotated[bool, typer.Option("--csv", help="Print CSV (one row a session).")] = False,
    import_: Annotated[Path | None, typer.Option(
        "--import", metavar="FILE", help="Add the sessions of a CSV written by --csv.")] = None,
) -> None:
    """The sessions done, as a table; --csv and --json to export, --import to bring back."""
    from voice_coach.practice import history as views
    from voice_coach.practice.days import SINCE_HINT, parse_since, practice_day

    if json_ and csv_:
        raise UsageError("use --json or --csv, not both")
    if import_ is not None:
        _import(import_)
        return
    first = None
    if since is not None:
        try:
            first = parse_since(since, practice_day(_clock().now()))
        except ValueError as exc:
            raise UsageError(f"--since {since!r}: {exc}", SINCE_HINT) from None
    with _open_store(write=False) as store:
        records = store.sessions(since=first, routine=routine)
    if json_:
        typer.echo(views.to_json(records), nl=False)
    elif csv_:
        typer.echo(views.to_csv(records), nl=False)
    elif not records and routine:
        typer.echo(f"No sessions of {routine} recorded" + (
            " in that time." if first else "; 'voice-coach history' lists every session."))
    elif not records:
        typer.echo("No sessions recorded" + (" in that time." if first else
                                             " yet. Play one: voice-coach play ankle-pumps"))
    else:
        typer.echo(views.table(records))


def _import(path: Path) -> None:
    from voice_coach.practice.history import from_csv

    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") \
            from None
    records = from_csv(text, str(path))
    with _open_store(write=True) as store:
        added = store.add_many(records)
    skipped = len(records) - added
    typer.echo(f"Imported {added} session{'s' if added != 1 else ''} from {path}"
               + (f" ({skipped} already there)." if skipped else "."))


@app.command(epilog=examples(
    "stats",
    "voice-coach stats",
    "voice-coach stats --weeks 26 -o calendar.svg",
))
@funnel
def stats(
    weeks: Annotated[int, typer.Option(
        "--weeks", metavar="N", help="How many weeks the calendar shows (1 to 104).")] = 12,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE", help="Also write the calendar as .svg or .png.")]
    = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the picture.")] = False,
) -> None:
    """Days active, sets a day, habit strength, and a calendar of the last weeks."""
    from datetime import timedelta

    from voice_coach.output.atomic import write_bytes_atomic
    from voice_coach.practice.days import practice_day, week_start
    from voice_coach.practice.heatmap import Calendar, svg, terminal
    from voice_coach.practice.report import Totals, stats_lines

    if not 1 <= weeks <= 104:
        raise UsageError(f"--weeks must be from 1 to 104, got {weeks}")
    if output is not None and output.suffix.lower() not in (".svg", ".png"):
        raise UsageError(f"cannot tell the picture's format from {output.name!r}",
                         "give a file name ending in .svg or .png")
    if output is not None and output.exists() and not force:
        raise UsageError(f"{output} already exists", "use --force to overwrite it")
    config, now = _config(), _clock().now()
    rollover, goal = config["practice.rollover_hour"], config["practice.daily_goal"]
    day = practice_day(now, rollover)
    with _open_store(write=False) as store:
        totals = Totals.of(store.day_totals(rollover))
        counts = store.status_counts(rollover, week_start(day) - timedelta(weeks=weeks - 1))
    first = min(totals.sets) if totals.sets else None
    for line in stats_lines(totals, counts, first, day, weeks, config):
        typer.echo(line)
    typer.echo("")
    cal = Calendar.ending(day, weeks, totals.sets, goal)
    unicode = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "") == "utf8"
    color = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    for line in terminal(cal, unicode=unicode, color=color):
        typer.echo(line)
    if output is not None:
        title = f"voice-coach: sets a day, {cal.first.isoformat()} to {day.isoformat()}"
        if output.suffix.lower() == ".svg":
            data = svg(cal, title).encode()
        else:
            from voice_coach.practice.picture import png

            data = png(cal, title)
        write_bytes_atomic(output, data, force=force)
        typer.echo(f"Wrote {output}.")


@app.command(epilog=examples(
    "config",
    "voice-coach config",
    "voice-coach config --init              # a config.toml to edit",
))
@funnel
def config(
    init: Annotated[bool, typer.Option(
        "--init", help="Write a config file with every setting, commented out, to edit.")]
    = False,
    force: Annotated[bool, typer.Option("--force", help="With --init: overwrite it.")] = False,
) -> None:
    """Show the settings in force and where each came from (config.toml or the default)."""
    from voice_coach.output.atomic import write_bytes_atomic
    from voice_coach.practice.config import KEYS, config_path, init_text
    from voice_coach.practice.store import ENV_DATA_DIR, store_path

    if init:
        path = config_path()
        if path.exists() and not force:
            raise UsageError(f"{path} already exists", "use --force to overwrite it")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(path, init_text().encode(), force=True)
        typer.echo(f"Wrote {path}. Edit it, then check it with: voice-coach config")
        return
    cfg = _config()
    width = max(len(f"{s}.{k}") for s, keys in KEYS.items() for k in keys)
    shown = {name: _shown(value) for name, value in cfg.values.items()}
    value_width = max(map(len, shown.values()))
    for name, text in shown.items():
        typer.echo(f"{name:<{width}}  {text:<{value_width}}  {cfg.origins[name]}")
    state = "" if cfg.found else " (not there: every setting is the default)"
    typer.echo(f"config file  {cfg.path}{state}")
    data_from = ENV_DATA_DIR if os.environ.get(ENV_DATA_DIR) else "default"
    typer.echo(f"history      {store_path()} ({data_from})")


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if value is None or value == "":
        return "(the routine's)"
    return str(value)
