"""The coach's options, shared by check, plan, render, play, remind and today: --as-of DATE
shows another day's dose, --dose first|today|N pins it. Parsing and printing only: the dose is
decided in voice_coach.practice (dose.py, coach.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from voice_coach import UsageError
from voice_coach.cli.app import err


def open_store(write: bool):
    from voice_coach.practice import Store

    return Store.open(write=write)


def load_config():
    from voice_coach.practice import load_config as load

    return load()


def system_clock():
    from voice_coach.practice import system_clock as clock

    return clock()

AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="DATE", help="The dose of another day: 2026-12-01, yesterday, 7d "
    "(a routine with a progress block; see docs/coach.md).")]
DoseOpt = Annotated[str | None, typer.Option(
    "--dose", metavar="first|today|N", help="Pin the dose of a routine that grows: first, "
    "today (the default, from your history) or N repetitions a set.")]


def practice_day(as_of: str | None) -> tuple[Any, Any]:
    """(the practice day --as-of names, else today's; the config). UsageError for a bad date."""
    from voice_coach.practice import SINCE_HINT, parse_since
    from voice_coach.practice import practice_day as day_of

    config = load_config()
    today = day_of(system_clock().now(), config["practice.rollover_hour"])
    if as_of is None:
        return today, config
    try:
        day = parse_since(as_of, today)
    except ValueError as exc:
        raise UsageError(f"--as-of {as_of!r}: {exc}", SINCE_HINT) from None
    return day, config


def with_dose(routine_obj: Any, as_of: str | None = None, dose: str | None = None
              ) -> tuple[Any, Any]:
    """(the routine at the day's dose, the Dose or None when it does not grow).

    UsageError (exit 2): a bad --as-of or --dose, or --dose N for a routine that does not grow
    or outside its range."""
    from voice_coach.practice import DOSE_HINT, dosed, growing, parse_pin, todays_dose

    try:
        parse_pin(dose)
    except ValueError as exc:
        raise UsageError(f"--dose {dose!r}: {exc}", DOSE_HINT) from None
    day, config = practice_day(as_of)
    if not growing(routine_obj):
        if dose is not None and dose.strip().lower() not in ("today", "first"):
            raise UsageError(f"--dose {dose}: {routine_obj.name} has no progress block, so its "
                             "dose is the repetitions it is written with",
                             "add a progress block to the exercise (see docs/coach.md)")
        return routine_obj, None
    try:
        today_dose = todays_dose(routine_obj, day, config, dose,
                                 warn=lambda text: err(f"warning: {text}"))
    except ValueError as exc:
        raise UsageError(f"--dose {dose}: {exc}", DOSE_HINT) from None
    return dosed(routine_obj, today_dose), today_dose


def dose_line(dose: Any, as_of: str | None = None) -> str:
    """'today 14 pumps a set, up from 12: three days at your goal with no pain'"""
    if as_of == "tomorrow":
        return dose.line()
    when = "today" if as_of is None else f"on {dose.day.isoformat()}"
    return f"{when} {dose.line()}"


def say_dose(dose: Any, as_of: str | None = None, prefix: str = "") -> None:
    """Prints the dose line; the stop message goes to stderr as well, as a warning."""
    if dose is None:
        return
    typer.echo(f"{prefix}{dose_line(dose, as_of)}")
    if dose.stop:
        err("warning: stop, and ask a health professional before you go on (the guide: "
            "\"if you feel any severe pain or a worsening of existing symptoms, stop "
            "immediately and seek professional advice\")")


def check_in_after(recorder: Any, routine: Any) -> None:
    """After a session played to its end: asks how the legs feel and the pain (single keys, on a
    terminal only; Enter or a timeout skips), keeps the answers with the session, and says
    tomorrow's dose when they change it. `routine`: as written (before today's dose)."""
    from voice_coach import ask_on_terminal
    from voice_coach.practice import practice_day

    if recorder.broken or not recorder.records or recorder.records[-1].status != "completed":
        return
    record = recorder.records[-1]
    answer = ask_on_terminal(lambda text: typer.echo(text, nl=False))
    if not answer.given:
        return
    with open_store(write=True) as store:
        store.check_in(record.uid, answer.pain, answer.legs)
    config = load_config()
    today = practice_day(system_clock().now(), config["practice.rollover_hour"])
    next_dose(routine, today, config)


def legs_option(text: str | None) -> str | None:
    """done --legs: lighter, same or heavier (better and worse too); UsageError for others."""
    from voice_coach.practice import legs_value

    try:
        return legs_value(text)
    except ValueError as exc:
        raise UsageError(f"--legs {exc}", "e.g. --legs lighter") from None


def at_dose(routine_obj: Any, day: Any, config: Any) -> Any:
    """The routine at that day's dose (a session done is recorded with the repetitions it had)."""
    from voice_coach.practice import apply_dose, todays_dose

    return apply_dose(routine_obj, todays_dose(routine_obj, day, config, open_store=lambda:
                                               open_store(write=False)))


def next_dose(routine_obj: Any, today: Any, config: Any) -> None:
    """After a check-in: tomorrow's dose when it changes, and the stop message."""
    from datetime import timedelta

    from voice_coach.practice import todays_dose

    dose = todays_dose(routine_obj, today + timedelta(days=1), config,
                       open_store=lambda: open_store(write=False))
    if dose is not None and dose.stop:  # at once, not tomorrow: "stop immediately"
        reason = dose.reason.split(": stop")[0]
        typer.echo(f"Stop, and ask a health professional before you go on ({reason}).")
    elif dose is not None and dose.change in ("up", "back"):
        say_dose(dose, "tomorrow", prefix="Tomorrow: ")


def say_doses(config: Any, routine: str | None, as_of: str | None) -> None:
    """The dose of each routine that grows (--routine's, else the config's), and why."""
    from voice_coach import VoiceCoachError
    from voice_coach.cli.app import load
    from voice_coach.practice import growing

    names = [routine] if routine is not None else list(dict.fromkeys(
        [config["practice.routine"], config["practice.evening_routine"]]))
    for name in names:
        try:
            routine_obj = load(name)
        except (VoiceCoachError, OSError):
            if routine is not None:
                raise
            continue
        if not growing(routine_obj):
            if routine is not None:
                typer.echo(f"{routine_obj.name} has no progress block: the same dose every day "
                           "(see docs/coach.md).")
            continue
        _, dose = with_dose(routine_obj, as_of)
        say_dose(dose, as_of, prefix=f"{routine_obj.name}: ")


def stats_change_lines(store: Any, config: Any, day: Any, weeks: int) -> list[str]:
    """The legs and pain summary, and week by week the dose, legs and pain: when a session has
    the legs checked in or a routine grows (pain alone, as `done --pain` always kept, adds
    nothing to what stats showed before)."""
    from datetime import timedelta

    from voice_coach.practice import (
        RECENT_CHECKINS,
        change_lines,
        dose_series,
        legs_summary,
        pain_summary,
        unit_of,
        week_start,
        weekly_changes,
    )

    rollover = config["practice.rollover_hour"]
    first = week_start(day) - timedelta(weeks=weeks - 1)
    records = store.sessions(since=first, rollover_hour=rollover)
    recent = store.sessions(limit=RECENT_CHECKINS * 4)  # enough to find the last check-ins
    doses, unit = growing_doses(store, config, first, day, dose_series, unit_of)
    if not doses and not any(r.legs for r in recent):
        return []
    lines = [f"{text[0].upper()}{text[1:]}." for text in
             (legs_summary(recent), pain_summary(recent)) if text]
    table = change_lines(weekly_changes(records, day, weeks, rollover, doses), unit)
    if table and (lines or doses):
        lines += ["", *table]
    return lines


def growing_doses(store: Any, config: Any, first: Any, day: Any, dose_series: Any,
                  unit_of: Any) -> tuple[list, str]:
    """The daily dose of the config's first routine that grows, from `first` to `day`."""
    from voice_coach import VoiceCoachError
    from voice_coach.cli.app import load
    from voice_coach.practice import growing, settings_from

    for key in ("practice.routine", "practice.evening_routine"):
        try:
            routine = load(config[key])
        except (VoiceCoachError, OSError):
            continue
        grow = growing(routine)
        if grow:
            records = store.sessions(routine=routine.name, until=day,
                                     rollover_hour=config["practice.rollover_hour"])
            return (dose_series(routine, records, first, day, settings_from(config)),
                    unit_of(grow[0][1]))
    return [], "repetitions"
