"""Bounds on the config file before tomllib sees it: a regular file (not /dev/stdin, a FIFO or a
device), at most MAX_CONFIG_BYTES, arrays and inline tables nested at most MAX_CONFIG_DEPTH
deep (tomllib recurses, and 5,000 levels ended in a RecursionError), and routine files named in
it that are regular files. Reads only; reports by raising UsageError or returning a place.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from voice_coach.basics.errors import UsageError

MAX_CONFIG_BYTES = 256 * 1024  # the full config with every key and comment is about 2 KB
MAX_CONFIG_DEPTH = 32

_KINDS = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISDIR, "a folder"))


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words ("a character device"); "" for a regular file."""
    return next((words for test, words in _KINDS if test(mode)), "" if stat.S_ISREG(mode)
                else "not a regular file")


def read_config_bytes(path: Path) -> bytes:
    """The config file's bytes. FileNotFoundError passes through (the caller knows whether a
    missing file is fine); UsageError for anything that is not a regular file, too large, or
    unreadable."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise UsageError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    kind = file_kind(info.st_mode)
    if kind:
        raise UsageError(f"the config file {path} is {kind}, not a regular file",
                         "name a TOML file, e.g. ~/.config/voice-coach/config.toml")
    if info.st_size > MAX_CONFIG_BYTES:
        raise UsageError(f"the config file {path} is {info.st_size:,} bytes; config files are "
                         f"limited to {MAX_CONFIG_BYTES:,}",
                         "is this really the config file? 'voice-coach config --init' "
                         "shows every key")
    try:
        with open(path, "rb") as src:
            data = src.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise UsageError(f"the config file {path} grew past {MAX_CONFIG_BYTES:,} bytes while "
                         "it was read", "is something writing to it?")
    return data


def too_deep_at(text: str) -> tuple[int, int] | None:
    """(line, column), both from 1, where arrays or inline tables first nest deeper than
    MAX_CONFIG_DEPTH; None when they never do. Strings and comments are skipped."""
    depth = 0
    line, col = 1, 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        col += 1
        if c == "\n":
            line, col = line + 1, 0
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            col = 0
            line += 1 if end >= 0 else 0
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if (text[j] == "\\" and c == '"') else 1
            skipped = text[i:j + len(quote)]
            newlines = skipped.count("\n")
            line += newlines
            col = (len(skipped) - skipped.rfind("\n") - 1) if newlines else col + len(skipped) - 1
            i = j + len(quote) - 1
        elif c in "[{":
            depth += 1
            if depth > MAX_CONFIG_DEPTH:
                return line, col
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return None


def routine_file_problem(value: str) -> tuple[str, str] | None:
    """(message, hint) when a routine named in the config is a path to something that is not
    a regular file (reading /dev/stdin would wait on the keyboard); None otherwise."""
    try:
        info = os.stat(value)
    except (OSError, ValueError):
        return None  # not a path: a built-in name, or a missing file reported elsewhere
    kind = file_kind(info.st_mode)
    if kind and kind != "a folder":
        return (f"'{value}' is {kind}, not a routine file",
                "name a routine file (.yaml) or a built-in routine, e.g. ankle-pumps")
    return None
