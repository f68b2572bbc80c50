"""The coach's options, shared by check, plan, render, play, remind and today: --as-of DATE
shows another day's dose, --dose first|today|N pins it. Parsing and printing only: the dose is
decided in voice_coach.practice (dose.py, coach.py)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from voice_coach.cli.app import err
from voice_coach.errors import UsageError

AsOfOpt = Annotated[str | None, typer.Option(
    "--as-of", metavar="DATE", help="The dose of another day: 2026-12-01, yesterday, 7d "
    "(a routine with a progress block; see docs/coach.md).")]
DoseOpt = Annotated[str | None, typer.Option(
    "--dose", metavar="first|today|N", help="Pin the dose of a routine that grows: first, "
    "today (the default, from your history) or N repetitions a set.")]


def practice_day(as_of: str | None) -> tuple[Any, Any]:
    """(the practice day --as-of names, else today's; the config). UsageError for a bad date."""
    from voice_coach.practice.config import load_config
    from voice_coach.practice.days import SINCE_HINT, parse_since, system_clock
    from voice_coach.practice.days import practice_day as day_of

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
    from voice_coach.practice.coach import DOSE_HINT, dosed, parse_pin, todays_dose
    from voice_coach.practice.dose import growing

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
