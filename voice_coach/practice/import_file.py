"""Reading a history export to import, within bounds: only a regular file (or standard input
when the name is '-'), at most MAX_IMPORT_BYTES, UTF-8. An edge: it touches the disk; every
failure is a UsageError or SpecError saying what and where, never a traceback or a hang.
"""

from __future__ import annotations

import os
import stat
import sys
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from voice_coach.basics.errors import Diagnostic, SpecError, UsageError

from .exchange import from_text
from .records import SessionRecord

MAX_IMPORT_BYTES = 64 * 1024 * 1024  # ten years of daily practice is about 5 MB
STDIN_NAME = "-"


def read_export(path: Path | str, now: datetime | None = None,
                stdin: BinaryIO | None = None) -> list[SessionRecord]:
    """The sessions of a CSV or JSON export at path ('-': standard input)."""
    name = str(path)
    if name == STDIN_NAME:
        data = _bounded_read(stdin or sys.stdin.buffer, "standard input")
        return from_text(_decode(data, "<stdin>"), "<stdin>", now)
    data = _read_regular(Path(name))
    return from_text(_decode(data, name), name, now)


def _read_regular(path: Path) -> bytes:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise UsageError(f"{path} not found") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    _check_regular(path, info.st_mode)
    if info.st_size > MAX_IMPORT_BYTES:
        raise _too_big(path)
    try:
        # O_NONBLOCK: if the name was swapped for a FIFO since the stat, open does not wait.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        _check_regular(path, os.fstat(fd).st_mode)
        try:
            return _bounded_read(handle, str(path))
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _check_regular(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kind = ("a folder" if stat.S_ISDIR(mode) else "a pipe (FIFO)" if stat.S_ISFIFO(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
    raise UsageError(f"{path} is {kind}, not a file I can import",
                     "give the CSV or JSON file that `voice-coach history --csv` or --json "
                     "wrote; to read standard input, give '-'")


def _bounded_read(handle: BinaryIO, name: str) -> bytes:
    data = handle.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise _too_big(name)
    return data


def _too_big(name: Path | str) -> UsageError:
    return UsageError(f"{name} is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB, more than "
                      "a history export can be",
                      "is this the file you meant? A history of ten years is about 5 MB")


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError([Diagnostic(name, line, col, "this is not UTF-8 text",
                                    "save the file as UTF-8 (as `voice-coach history --csv` "
                                    "writes it)")]) from None
