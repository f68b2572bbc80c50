"""Where routines come from: a file path, or a built-in routine shipped in the package."""

from __future__ import annotations

import difflib
import errno
import os
import stat
from importlib import resources
from pathlib import Path

from voice_coach.basics.errors import Diagnostic, SpecError, UsageError
from voice_coach.lang import DEFAULT_LANGUAGE, normalize_language
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


def read_routine_source(routine: str, limits: Limits = DEFAULT_LIMITS,
                        language: str | None = None) -> tuple[str | bytes, str, str]:
    """The text, display path and name of ROUTINE: a file path, or a built-in routine's name
    (in `language`, a shipped language's code; None: English).

    A file is read only up to limits.max_file_bytes (its size is checked first, so a huge or
    endless file, /dev/zero, costs nothing). Raises UsageError when it is neither a file nor a
    built-in (suggesting the closest built-in), SpecError when the file is too big.
    """
    path = Path(routine)
    info = _stat(path, routine)
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{routine} is a directory, not a routine file")
        return _read_bounded(path, routine, limits.max_file_bytes), str(routine), path.stem
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


def _stat(path: Path, shown: str) -> os.stat_result | None:
    """os.stat(path) (following links), None when there is nothing; UsageError for a name the
    file system cannot hold or a folder it cannot look in."""
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            short = shown if len(shown) <= 60 else f"{shown[:40]}…{shown[-15:]}"
            raise UsageError(f"the name {short!r} is too long for the file system "
                             f"({len(shown.encode())} bytes)",
                             "no file has a name that long; check the path") from None
        if exc.errno == errno.ELOOP:
            raise UsageError(f"cannot read {shown}: too many levels of symbolic links") from None
        raise UsageError(f"cannot read {shown}: {exc.strerror or exc}") from None


def _read_bounded(path: Path, shown: str, max_bytes: int) -> bytes:
    """At most max_bytes of the file, or SpecError saying it is bigger: its size is checked
    before reading, and reading stops one byte past the limit (a device or pipe never ends)."""
    try:
        # O_NONBLOCK: a FIFO with no writer must not hang the open (reads then see end of file)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UsageError(f"cannot read {shown}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
            raise _too_big(shown, f"{info.st_size:,} bytes", max_bytes)
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        parts = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 16))
            if not chunk:
                break
            parts.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        raise UsageError(f"cannot read {shown}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    data = b"".join(parts)
    if len(data) > max_bytes:
        raise _too_big(shown, f"more than {max_bytes:,} bytes", max_bytes)
    return data


def _too_big(shown: str, size: str, max_bytes: int) -> SpecError:
    return SpecError([Diagnostic(shown, 0, 0, f"the file is {size}; routine files are limited "
                                 f"to {max_bytes:,}", "is this really a routine file?")])


def load_routine(routine: str, limits: Limits = DEFAULT_LIMITS, language: str | None = None
                 ) -> Routine:
    """Reads and validates ROUTINE (a path or a built-in name); raises UsageError or SpecError.

    language: a language tag ("de", "pt-BR"): a built-in routine in that language, or a file's
    `language:` overridden (None: the file's own, default en). UsageError if not shipped.
    """
    if language is not None:
        language = normalize_language(language)
    text, path, name = read_routine_source(routine, limits, language)
    return parse_routine(text, path=path, name=name, limits=limits, language=language)
