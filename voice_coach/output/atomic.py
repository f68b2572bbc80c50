"""The one atomic writer: every file voice-coach writes goes to a new hidden temp file beside its
target and is renamed into place, so a reader sees the old file or the new one, never a part.

An edge (it touches the disk); OSErrors come out as OutputError saying what to do.
"""

from __future__ import annotations

import errno
import itertools
import os
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from voice_coach.errors import OutputError, OutputExistsError, UsageError


def write_text_atomic(path: Path, text: str, *, force: bool = False) -> Path:
    """Write a small text file (a sidecar, a playlist, a routine) as UTF-8 with \\n line ends,
    through a temp file and a rename. Raises UsageError (a folder, or exists without force) or
    OutputError; an existing file is never left half-written."""
    return write_bytes_atomic(path, text.encode("utf-8"), force=force)


def write_bytes_atomic(path: Path, data: bytes, *, force: bool = False) -> Path:
    """Write `data` to path through a temp file beside it and a rename (os.replace): readers see
    the old file or the new one, never a part. Raises as write_text_atomic."""
    return write_atomic_with(path, lambda out: out.write(data), force=force)


def write_atomic_with(path: Path, write: Callable[[BinaryIO], object], *,
                      force: bool = False) -> Path:
    """Like write_bytes_atomic, for contents too big to hold twice: write(out) streams them
    into the temp file (opened binary), which is then renamed into place."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path} is a directory", hint="give a file name to write")
    if path.exists() and not force:
        raise OutputExistsError(path)
    tmp = create_temp(path)
    try:
        with open(tmp, "wb") as out:
            write(out)
        commit(tmp, path)
    except OSError as exc:
        remove_quietly(tmp)
        raise output_error(exc, path) from exc
    except BaseException:
        remove_quietly(tmp)
        raise
    return path


_temp_counter = itertools.count()


def create_temp(path: Path) -> Path:
    """A new hidden file beside path (mode 0666 & ~umask, like any new file)."""
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{next(_temp_counter)}.part")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue
        except OSError as exc:
            raise output_error(exc, path) from exc
    raise OutputError(f"cannot create a temporary file beside {path}")


def commit(tmp: Path, path: Path) -> None:
    try:
        os.replace(tmp, path)
    except OSError as exc:
        raise output_error(exc, path) from exc


def remove_quietly(tmp: Path) -> None:
    try:
        tmp.unlink()
    except OSError:
        pass


def output_error(exc: OSError, path: Path) -> OutputError:
    """A clear OutputError for an OSError met while writing path."""
    parent = path.parent
    messages = {
        errno.ENOENT: (
            f"cannot write {path}: directory {parent} does not exist",
            "create it first, or choose another output path",
        ),
        errno.ENOTDIR: (
            f"cannot write {path}: {parent} is not a directory",
            "choose another output path",
        ),
        errno.EACCES: (
            f"cannot write {path}: permission denied",
            f"check the permissions of {parent}, or choose another output path",
        ),
        errno.EPERM: (
            f"cannot write {path}: operation not permitted",
            "choose another output path",
        ),
        errno.EROFS: (f"cannot write {path}: read-only file system", "choose another output path"),
        errno.ENOSPC: (
            f"disk full while writing {path}",
            "free some space, or write a smaller format such as .mp3",
        ),
        errno.EDQUOT: (
            f"disk quota exceeded while writing {path}",
            "free some space, or write a smaller format such as .mp3",
        ),
        errno.EFBIG: (
            f"file too large while writing {path}",
            "the file system or a size limit refuses files this big; "
            "write .mp3, or split the session",
        ),
    }
    message, hint = messages.get(
        exc.errno or 0, (f"cannot write {path}: {exc.strerror or exc}", "")
    )
    return OutputError(message, hint=hint)
