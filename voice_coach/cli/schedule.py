"""The `schedule` command: daily reminders as an iCalendar file, or systemd user timers that
play the routine, installed into and removed from the user's unit folder on request.

The texts and files are made by practice.schedule.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from voice_coach.cli.app import app, funnel
from voice_coach.cli.usage import examples
from voice_coach.errors import OutputError, UsageError


@app.command(epilog=examples(
    "schedule",
    "voice-coach schedule ankle-pumps --at 09:00,13:00,18:00 --at 21:30=bedtime -o reminders.ics",
    "voice-coach schedule ankle-pumps --at 09:00 --systemd --install",
    "voice-coach schedule --remove",
))
@funnel
def schedule(
    routine: Annotated[str | None, typer.Argument(
        metavar="ROUTINE", help="The routine for times given without =ROUTINE.")] = None,
    at: Annotated[list[str] | None, typer.Option(
        "--at", metavar="TIMES", help="Times of day: 09:00,13:00,18:00; 21:30=bedtime picks "
        "another routine for that time. May be given more than once.")] = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="PATH", help="The .ics file to write (with --systemd: the "
        "folder for the unit files).")] = None,
    systemd: Annotated[bool, typer.Option(
        "--systemd", help="Write systemd user timer and service units instead.")] = False,
    install: Annotated[bool, typer.Option(
        "--install", help="With --systemd: install them in your systemd user folder and "
        "enable them.")] = False,
    remove: Annotated[bool, typer.Option(
        "--remove", help="Remove the installed units (only ROUTINE's, when given).")] = False,
    time_zone: Annotated[str | None, typer.Option(
        "--time-zone", metavar="ZONE", help="Pin the calendar's times to a zone, e.g. "
        "Europe/Berlin (default: local time wherever you are).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Daily reminders: a calendar file (.ics) for phones, or systemd timers that play it."""
    from voice_coach.practice import schedule as sched

    folder = sched.user_unit_dir()
    if remove:
        if at or output or install:
            raise UsageError("--remove takes only a ROUTINE (or nothing, for every reminder)")
        gone = sched.remove(folder, routine)
        for path in gone:
            typer.echo(f"Removed {path}")
        if not gone:
            typer.echo(f"No voice-coach reminders installed in {folder}.")
        elif (why := sched.systemctl("daemon-reload")) is not None:
            typer.echo(f"(systemctl --user daemon-reload did not run: {why})")
        return
    if not at:
        raise UsageError("give the times with --at", sched.AT_HINT)
    if install and not systemd:
        raise UsageError("--install goes with --systemd", "e.g. voice-coach schedule "
                         "ankle-pumps --at 09:00 --systemd --install")
    if time_zone is not None:
        _check_zone(time_zone)
    # -o NAME.ics is the calendar file; with --systemd, -o FOLDER is where the units go
    # (beside the .ics when both are wanted), unless --install puts them in the user's folder.
    ics_path = output if output is not None and (
        not systemd or output.suffix.lower() == ".ics") else None
    unit_dir = folder if install else (output if output is not None and ics_path is None
                                       else ics_path.parent if ics_path is not None else None)
    if systemd and unit_dir is None:
        raise UsageError("with --systemd, give -o FOLDER to write the units there, or "
                         "--install to install them", f"--install puts them in {folder}")
    if ics_path is not None and ics_path.exists() and not force:
        raise UsageError(f"{ics_path} already exists", "use --force to overwrite it")
    slots = sched.parse_slots(at, routine)
    infos = {s.routine: _routine_info(s.routine) for s in slots}
    if ics_path is not None or not systemd:
        from datetime import date

        data = sched.ics(slots, infos, date.today(), time_zone)
        if ics_path is None:
            typer.echo(data.decode(), nl=False)
        else:
            from voice_coach.output.atomic import write_bytes_atomic

            write_bytes_atomic(ics_path, data, force=force)
            typer.echo(f"Wrote {ics_path}: {len(slots)} daily reminder"
                       f"{'s' if len(slots) > 1 else ''} (" + ", ".join(
                           f"{s.at.strftime('%H:%M')} {s.routine}" for s in slots)
                       + "). Import it into your phone's or computer's calendar.")
    if systemd and unit_dir is not None:
        _systemd(sched, slots, infos, unit_dir, install)


def _systemd(sched: Any, slots: list, infos: dict, target: Path, install: bool) -> None:
    from voice_coach.practice.config import ENV_CONFIG
    from voice_coach.practice.store import ENV_DATA_DIR

    env = {k: os.environ[k] for k in (ENV_DATA_DIR, ENV_CONFIG) if os.environ.get(k)}
    texts = sched.units(slots, infos, [sys.executable, "-m", "voice_coach"], env)
    try:
        written = sched.write_units(texts, target)
        if install:
            sched.enable([p for p in written if p.suffix == ".timer"], target)
    except OSError as exc:
        raise OutputError(f"cannot write the units in {target}: {exc.strerror}") from None
    for path in written:
        typer.echo(f"Wrote {path}")
    if not install:
        return
    timers = " ".join(p.name for p in written if p.suffix == ".timer")
    why = sched.systemctl("daemon-reload") or sched.systemctl("start", *timers.split())
    if why is None:
        typer.echo(f"Enabled and started {timers}. See them with: systemctl --user list-timers")
    else:
        typer.echo(f"Enabled {timers}; they start with your next login (systemctl --user did "
                   f"not run here: {why}).")


def _check_zone(name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--time-zone {name!r} is not a time zone",
                         "zones look like Europe/Berlin, America/New_York or UTC") from None


def _routine_info(routine: str) -> Any:
    """Title, length and a summary of a routine for its reminder (length measured if it can)."""
    from voice_coach.errors import EngineError
    from voice_coach.practice.schedule import RoutineInfo
    from voice_coach.routine import Exercise, load_routine, minimum_length_ms

    routine_obj = load_routine(routine)
    try:
        from voice_coach.session import prepare

        length_ms = prepare(routine_obj).timeline.duration_ms
    except EngineError:
        length_ms = minimum_length_ms(routine_obj)
    parts = [f"{s.sets} sets of {s.reps} {s.name.lower()}" for s in routine_obj.steps
             if isinstance(s, Exercise)]
    name = str(Path(routine).resolve()) if Path(routine).is_file() else routine
    return RoutineInfo(name, routine_obj.title, length_ms, "; ".join(parts) or
                       routine_obj.title)
