"""What may be written where: checks on an output path before any work is done (a folder, a
device, a FIFO, a link, an existing file without force, a name too long), and the errors that
say so. Looks, never writes.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from voice_coach.basics.errors import OutputExistsError, UsageError

EXISTS_HINT = "pass force=True to overwrite it"  # the CLI says --force (cli.app.CLI_WORDS)


def check_target(path: Path, *, force: bool = False) -> None:
    """Refuse, before any work is done, to write `path` when that could not end well: it is a
    folder, or not a regular file (a device, FIFO, socket or symbolic link: never replaced, even
    with force), or it exists and force is False, or its name is too long for the file system.

    Raises UsageError (exit 2) saying what to do.
    """
    path = Path(path)
    info = lstat_or_none(path)
    if info is None:
        _check_name_fits(path)
        return
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{path} is a directory",
                         hint=f"name a file to write inside it, e.g. {path / 'session.mp3'}")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{path} is {kind_of(info.st_mode)}, not a regular file; it is never "
                         "replaced", hint="choose another file name")
    if not force:
        raise OutputExistsError(path)


def lstat_or_none(path: Path) -> os.stat_result | None:
    """os.lstat(path), or None when nothing is there; UsageError for a name too long."""
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        return None  # a parent is a file: writing says so ("... is not a directory")
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise name_too_long(path) from None
        raise UsageError(f"cannot look at {path}: {exc.strerror or exc}") from None


def kind_of(mode: int) -> str:
    """'a character device', 'a FIFO', … for an lstat mode."""
    for test, words in ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
                        (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                        (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return words
    return "a special file"


def name_too_long(path: Path) -> UsageError:
    """The error for a path the file system refuses as too long (ENAMETOOLONG)."""
    path = Path(path)
    longest = max(path.parts, key=len, default="")
    limit = name_max(path.parent)
    text = str(path)
    shown = text if len(text) <= 60 else f"{text[:40]}…{text[-15:]}"
    if len(longest.encode()) > limit:
        return UsageError(f"the name {shown!r} is too long: {len(longest.encode())} bytes in one "
                          f"name, and this file system allows {limit}",
                          hint="choose a shorter name")
    return UsageError(f"the path {shown!r} is too long ({len(text.encode())} bytes) for this "
                      "file system", hint="choose a shorter path")


def name_max(folder: Path) -> int:
    for candidate in (folder, *folder.parents, Path(".")):
        try:
            return os.pathconf(candidate, "PC_NAME_MAX")
        except (OSError, ValueError, AttributeError):
            continue
    return 255


def _check_name_fits(path: Path) -> None:
    limit = name_max(path.parent)
    if len(path.name.encode()) > limit or len(str(path).encode()) >= 4096:
        raise name_too_long(path)
