"""The coach's edge: today's dose of a routine from the history in the store and the config.

The decisions are in dose.py (pure); this reads the history once and hands it over. A history
that cannot be read gives the first dose and says why: a session is never lost to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from voice_coach.routine import Routine

from .dose import CoachSettings, Dose, apply_dose, dose_for, growing, pinned_dose
from .dose_words import dose_note, spoken_closing, spoken_intro
from .store import Store, StoreError

DOSE_HINT = 'give "first", "today" or a number of repetitions in the range, e.g. --dose 14'


def settings_from(config: Any) -> CoachSettings:
    """The coach's settings from a practice Config (or a dict of its dotted names)."""
    return CoachSettings(daily_goal=int(config["practice.daily_goal"]),
                         back_pain=int(config["coach.step_back_pain"]),
                         stop_pain=int(config["coach.stop_pain"]),
                         rollover_hour=int(config["practice.rollover_hour"]))


def history_dose(routine: Routine, day: date, settings: CoachSettings, store: Store
                 ) -> Dose | None:
    """The routine's dose on `day` from the sessions of it in `store` (None: it does not grow)."""
    if not growing(routine):
        return None
    records = store.sessions(routine=routine.name, until=day,
                             rollover_hour=settings.rollover_hour)
    dose = dose_for(routine, records, day, settings)
    # Severe pain or legs heavier twice today stops at once, not from tomorrow: the guide says
    # "stop immediately". Steps up and back wait for the day to end.
    later = dose_for(routine, records, day + timedelta(days=1), settings)
    if dose is not None and later is not None and later.stop and not dose.stop:
        return replace(dose, change="stop", reason=later.reason)
    return dose


def todays_dose(routine: Routine, day: date, config: Any, pin: str | None = None,
                open_store: Callable[[], Store] | None = None,
                warn: Callable[[str], None] | None = None) -> Dose | None:
    """The routine's dose on `day`: from the history, or pinned (pin "first", "today" or a
    number; ValueError with the reason for any other, or a number outside the range).

    open_store: opens the history for reading (default: the user's); when it fails, warn(text)
    is told and the first dose is used.
    """
    pinned = parse_pin(pin)
    if pinned is not None:
        return pinned_dose(routine, day, None if pinned == "first" else int(pinned))
    if not growing(routine):
        return None
    try:
        with (open_store or (lambda: Store.open(write=False)))() as store:
            return history_dose(routine, day, settings_from(config), store)
    except StoreError as exc:
        if warn is not None:
            warn(f"the history cannot be read ({exc.message}): the first dose is used")
        return pinned_dose(routine, day, None)


def parse_pin(text: str | None) -> str | None:
    """None for today's dose ("today" or nothing), "first", or a number's digits; ValueError
    for anything else."""
    if text is None or text.strip().lower() == "today":
        return None
    raw = text.strip().lower()
    if raw == "first":
        return "first"
    if not raw.isdigit() or len(raw) > 6:
        raise ValueError(f"{text!r} is not a dose")
    if int(raw) < 1:
        raise ValueError("a dose is at least 1 repetition")
    return str(int(raw))


def dosed(routine: Routine, dose: Dose | None) -> Routine:
    """The routine at the dose, its introduction and closing saying it in its language and its
    tags naming it (unchanged for None)."""
    if dose is None:
        return routine
    out = apply_dose(routine, dose)
    return replace(out, intro=spoken_intro(out, dose), outro=spoken_closing(out, dose),
                   dose_note=dose_note(out.language, dose))


__all__ = ["DOSE_HINT", "Dose", "dosed", "history_dose", "parse_pin", "settings_from",
           "todays_dose"]
