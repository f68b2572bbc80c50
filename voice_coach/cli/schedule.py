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

from voice_coach import OutputError, UsageError, counted
from voice_coach.cli.app import RoutineArg, app, funnel
from voice_coach.cli.usage import examples


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
    """Daily reminders: a calendar file (.ics) for phones, or systemd timers that show a
    desktop notification (Start plays, Later snoozes, Skip skips)."""
    from voice_coach.practice import (
        SCHEDULE_AT_HINT,
        parse_slots,
        remove_units,
        schedule_ics,
        systemctl,
        user_unit_dir,
    )

    folder = user_unit_dir()
    if remove:
        if at or output or install:
            raise UsageError("--remove takes only a ROUTINE (or nothing, for every reminder)")
        gone = remove_units(folder, routine)
        for path in gone:
            typer.echo(f"Removed {path}")
        if not gone:
            typer.echo(f"No voice-coach reminders installed in {folder}.")
        elif (why := systemctl("daemon-reload")) is not None:
            typer.echo(f"(systemctl --user daemon-reload did not run: {why})")
        return
    if not at:
        raise UsageError("give the times with --at", SCHEDULE_AT_HINT)
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
    slots = parse_slots(at, routine)
    infos = {s.routine: _routine_info(s.routine) for s in slots}
    texts = _unit_texts(slots, infos) if systemd else {}  # refused before anything
    if ics_path is not None or not systemd:
        from datetime import date

        data = schedule_ics(slots, infos, date.today(), time_zone)
        if ics_path is None:
            typer.echo(data.decode(), nl=False)
        else:
            from voice_coach import write_bytes_atomic

            write_bytes_atomic(ics_path, data, force=force)
            typer.echo(f"Wrote {ics_path}: " + counted(
                len(slots), "{n} daily reminder", "{n} daily reminders") + " (" + ", ".join(
                           f"{s.at.strftime('%H:%M')} {s.routine}" for s in slots)
                       + "). Import it into your phone's or computer's calendar.")
    if systemd and unit_dir is not None:
        _systemd(texts, unit_dir, install)


def _unit_texts(slots: list, infos: dict) -> dict[str, str]:
    from voice_coach.practice import ENV_CONFIG, ENV_DATA_DIR, schedule_units

    env = {k: os.environ[k] for k in (ENV_DATA_DIR, ENV_CONFIG) if os.environ.get(k)}
    return schedule_units(slots, infos, [sys.executable, "-m", "voice_coach"], env)


def _systemd(texts: dict[str, str], target: Path, install: bool) -> None:
    from voice_coach.practice import enable_units, notify_problem, systemctl, write_units

    try:
        written = write_units(texts, target)
        if install:
            enable_units([p for p in written if p.suffix == ".timer"], target)
    except OSError as exc:
        raise OutputError(f"cannot write the units in {target}: {exc.strerror}") from None
    for path in written:
        typer.echo(f"Wrote {path}")
    if not install:
        return
    timers = " ".join(p.name for p in written if p.suffix == ".timer")
    why_not = notify_problem()
    if why_not is not None:  # said now, not first at 09:00 in the journal
        typer.echo(f"note: {why_not} here now, so a reminder could not be shown at this "
                   "moment; it will be once you are logged in to a desktop session.")
    why = systemctl("daemon-reload") or systemctl("start", *timers.split())
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
    from voice_coach import EngineError, Exercise, minimum_length_ms
    from voice_coach.cli.app import load
    from voice_coach.practice import RoutineInfo

    routine_obj = load(routine)
    try:
        from voice_coach import prepare

        length_ms = prepare(routine_obj).timeline.duration_ms
    except EngineError:
        length_ms = minimum_length_ms(routine_obj)
    parts = [f"{s.sets} sets of {s.reps} {s.name.lower()}" for s in routine_obj.steps
             if isinstance(s, Exercise)]
    name = str(Path(routine).resolve()) if Path(routine).is_file() else routine
    return RoutineInfo(name, routine_obj.title, length_ms, "; ".join(parts) or
                       routine_obj.title)


@app.command(epilog=examples(
    "notify",
    "voice-coach notify ankle-pumps --due 09:00,13:00   # what the systemd timer runs",
    "voice-coach notify bedtime --due 21:30 --player background",
))
@funnel
def notify(
    routine: RoutineArg,
    due: Annotated[str, typer.Option(
        "--due", metavar="TIMES", help="The reminder's times of day, 09:00,13:00: the run is "
        "for the latest one that has come.")],
    window: Annotated[str | None, typer.Option(
        "--window", metavar="DURATION", help="Drop the reminder when it is later than this "
        "(default: reminders.window_minutes, 60 min).")] = None,
    snooze: Annotated[str | None, typer.Option(
        "--snooze", metavar="DURATION", help="How long Later waits before asking again "
        "(default: reminders.snooze_minutes, 10 min).")] = None,
    player: Annotated[str | None, typer.Option(
        "--player", metavar="PLAYER", help='Where Start plays: terminal, background, or a '
        'command such as "kitty -e" (default: reminders.player).')] = None,
) -> None:
    """Show a reminder as a desktop notification: Start plays, Later snoozes, Skip skips.

    Nothing plays unless Start is pressed. A reminder later than the window (the computer was
    off or asleep at its time) is dropped. Without a desktop notification service it says so,
    shows nothing, plays nothing and exits 1.
    """
    import subprocess
    import time as time_module
    from datetime import timedelta

    from voice_coach.cli.app import load
    from voice_coach.cli.options import positive_duration_ms
    from voice_coach.cli.practice import _clock, _config
    from voice_coach.practice import (
        MAX_SNOOZES,
        ask_on_desktop,
        late_words,
        latest_due,
        parse_slots,
        play_command,
    )

    times = [slot.at for slot in parse_slots([due], routine)]
    config = _config()
    window_td = timedelta(milliseconds=positive_duration_ms("--window", window)) if window \
        else timedelta(minutes=config["reminders.window_minutes"])
    snooze_s = positive_duration_ms("--snooze", snooze) / 1000 if snooze \
        else config["reminders.snooze_minutes"] * 60
    chosen = player if player is not None else config["reminders.player"]
    routine_obj = load(routine)  # a routine that cannot be read: said now, exit 2
    now = _clock().now()
    due_at = latest_due(times, now)
    label = f"the {due_at.at.strftime('%H:%M')} reminder for {routine}"
    if due_at.too_late(window_td):
        typer.echo(f"Dropped {label}: it is {late_words(due_at.late)} late (the "
                   "computer was off or asleep), more than the "
                   f"{late_words(window_td)} a reminder waits. Nothing played.")
        return
    shortest = min(60.0, window_td.total_seconds())  # a late reminder still stays a moment
    wait_s = max(shortest, (window_td - due_at.late).total_seconds())
    body = f"{routine_obj.title}: Start plays it now; Later asks again in " \
           f"{late_words(timedelta(seconds=snooze_s))}; Skip lets this one go."
    summary = f"Time for {routine_obj.title}"
    for _ in range(MAX_SNOOZES + 1):
        answer = ask_on_desktop(summary, body, wait_s)
        if answer != "later":
            break
        typer.echo(f"Later: asking again in {late_words(timedelta(seconds=snooze_s))}.")
        sys.stdout.flush()
        time_module.sleep(snooze_s)
        wait_s = window_td.total_seconds()
    else:
        typer.echo(f"Snoozed {MAX_SNOOZES} times: {label} rests until its next "
                   "time. Nothing played.")
        return
    if answer != "start":
        what = {"skip": "Skipped", "dismissed": "Closed without an answer:",
                "timeout": "No answer in time:"}[answer]
        typer.echo(f"{what} {label}. Nothing played, nothing recorded.")
        return
    command, where = play_command(chosen, [sys.executable, "-m", "voice_coach"],
                                            routine, terminal_env=os.environ.get("TERMINAL",
                                                                                  ""))
    typer.echo(f"Start: playing {routine} {where}.")
    sys.stdout.flush()
    try:
        code = subprocess.run(command, stdin=subprocess.DEVNULL if chosen == "background"
                              else None).returncode
    except OSError as exc:
        raise OutputError(f"cannot start the player ({command[0]}): {exc.strerror or exc}",
                          'set reminders.player in the config to "terminal", "background" '
                          "or a command that runs another one") from None
    if code != 0:
        raise typer.Exit(code)
