"""Where routines come from: a file path, or a built-in routine shipped in the package.

Built-in routines are in routine/builtins/ (English) and routine/builtins/<code>/ (every other
shipped language), with the same names in every language.
"""

from __future__ import annotations

import difflib
from importlib import resources
from pathlib import Path

from voice_coach.errors import UsageError
from voice_coach.lang import DEFAULT_LANGUAGE, normalize_language
from voice_coach.routine.limits import DEFAULT_LIMITS, Limits
from voice_coach.routine.model import Routine
from voice_coach.routine.parse import parse_routine

BUILTIN_PACKAGE = "voice_coach.routine.builtins"


def builtin_names() -> list[str]:
    """Names of the routines shipped in the package, in their listing order."""
    files = resources.files(BUILTIN_PACKAGE)
    names = [f.name[:-5] for f in files.iterdir() if f.name.endswith(".yaml") and f.is_file()]
    order = ["ankle-pumps", "ankle-pumps-lying", "ankle-pumps-pump", "flight", "tv-break",
             "bedtime", "morning"]
    return sorted(names, key=lambda n: (order.index(n) if n in order else len(order), n))


def builtin_text(name: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The YAML text of built-in routine `name` in `language` (a shipped language's code)."""
    return _builtin_file(name, language).read_text(encoding="utf-8")


def _builtin_file(name: str, language: str):
    folder = resources.files(BUILTIN_PACKAGE)
    if language != DEFAULT_LANGUAGE:
        folder = folder / language
    found = folder / f"{name}.yaml"
    if not found.is_file():
        raise UsageError(f"the built-in routine '{name}' has no {language} version")
    return found


def builtin_path(name: str, language: str = DEFAULT_LANGUAGE) -> str:
    """How a built-in routine is named in messages: <built-in NAME> or <built-in NAME (de)>."""
    return f"<built-in {name}>" if language == DEFAULT_LANGUAGE else \
        f"<built-in {name} ({language})>"


def read_routine_source(routine: str, language: str | None = None
                        ) -> tuple[str | bytes, str, str]:
    """The text, display path and name of ROUTINE: a file path, or a built-in routine's name
    (in `language`, a shipped language's code; None: English).

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
        language = language or DEFAULT_LANGUAGE
        return builtin_text(routine, language), builtin_path(routine, language), routine
    close = difflib.get_close_matches(routine, names, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'?" if close else (
        "built-in routines: " + ", ".join(names) + " (see: voice-coach routines)")
    if routine.endswith((".yaml", ".yml")) or "/" in routine:
        raise UsageError(f"routine file {routine} not found", hint)
    raise UsageError(f"'{routine}' is neither a routine file nor a built-in routine", hint)


def load_routine(routine: str, limits: Limits = DEFAULT_LIMITS, language: str | None = None
                 ) -> Routine:
    """Reads and validates ROUTINE (a path or a built-in name); raises UsageError or SpecError.

    language: a language tag ("de", "pt-BR"): a built-in routine in that language, or a file's
    `language:` overridden (None: the file's own, default en). UsageError if not shipped.
    """
    if language is not None:
        language = normalize_language(language)
    text, path, name = read_routine_source(routine, language)
    return parse_routine(text, path=path, name=name, limits=limits, language=language)
