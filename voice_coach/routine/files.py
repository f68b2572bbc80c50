"""Where routines come from: a file path, or a built-in routine shipped in the package."""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

from voice_coach.errors import UsageError
from voice_coach.routine.limits import DEFAULT_LIMITS, Limits
from voice_coach.routine.model import Routine
from voice_coach.routine.parse import parse_routine

BUILTIN_PACKAGE = "voice_coach.routine.builtins"


def builtin_names() -> list[str]:
    """Names of the routines shipped in the package, in their listing order."""
    files = resources.files(BUILTIN_PACKAGE)
    names = [f.name[:-5] for f in files.iterdir() if f.name.endswith(".yaml")]
    order = ["ankle-pumps", "ankle-pumps-lying", "ankle-pumps-pump", "flight", "tv-break",
             "bedtime", "morning"]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def builtin_text(name: str) -> str:
    return (resources.files(BUILTIN_PACKAGE) / f"{name}.yaml").read_text(encoding="utf-8")


def read_routine_source(routine: str) -> tuple[str | bytes, str, str]:
    """The text, display path and name of ROUTINE: a file path, or a built-in routine's name.

    Raises UsageError when it is neither, suggesting the closest built-in.
    """
    path = Path(routine)
    if path.is_file():
        try:
            return path.read_bytes(), str(routine), path.stem
        except OSError as exc:
            raise UsageError(f"cannot read {routine}: {exc.strerror}") from None
    if path.is_dir():
        raise UsageError(f"{routine} is a directory, not a routine file")
    names = builtin_names()
    if routine in names:
        return builtin_text(routine), f"<built-in {routine}>", routine
    close = difflib.get_close_matches(routine, names, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'?" if close else (
        "built-in routines: " + ", ".join(names) + " (see: voice-coach routines)")
    if routine.endswith((".yaml", ".yml")) or "/" in routine:
        raise UsageError(f"routine file {routine} not found", hint)
    raise UsageError(f"'{routine}' is neither a routine file nor a built-in routine", hint)


def load_routine(routine: str, limits: Limits = DEFAULT_LIMITS) -> Routine:
    """Reads and validates ROUTINE (a path or a built-in name); raises UsageError or SpecError."""
    text, path, name = read_routine_source(routine)
    return parse_routine(text, path=path, name=name, limits=limits)
