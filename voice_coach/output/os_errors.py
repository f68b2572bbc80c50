"""An OSError met while writing, worded for people: what happened to which file, and what to do
(free space, choose another folder, write a smaller format). Pure: an error in, an error out.
"""

from __future__ import annotations

import errno
from pathlib import Path

from voice_coach.basics.errors import OutputError, UsageError
from voice_coach.output.targets import name_too_long

_LOSSY_SUFFIXES = (".mp3", ".m4a", ".ogg", ".opus")


def output_error(exc: OSError, path: Path) -> OutputError | UsageError:
    """A clear error for an OSError met while writing path."""
    path = Path(path)
    parent = path.parent
    if exc.errno == errno.ENAMETOOLONG:
        return name_too_long(path)
    full_hint = ("free some space, or write to another disk" if path.suffix.lower() in
                 _LOSSY_SUFFIXES else "free some space, or write a smaller format such as .mp3")
    if path.suffix.lower() in (".vtt", ".srt", ".lrc", ".json", ".m3u", ".yaml"):
        full_hint = "free some space, or write to another disk"
    messages = {
        errno.ENOENT: (
            f"cannot write {path}: directory {parent} does not exist",
            "create it first, or choose another output path",
        ),
        errno.ENOTDIR: (
            f"cannot write {path}: {parent} is not a directory",
            "choose another output path",
        ),
        errno.EISDIR: (f"cannot write {path}: it is a folder", "choose another output path"),
        errno.EACCES: (
            f"cannot write {path}: permission denied",
            f"check the permissions of {parent}, or choose another output path",
        ),
        errno.EPERM: (
            f"cannot write {path}: operation not permitted",
            "choose another output path",
        ),
        errno.EROFS: (f"cannot write {path}: read-only file system", "choose another output path"),
        errno.ENOSPC: (f"disk full while writing {path}", full_hint),
        errno.EDQUOT: (f"disk quota exceeded while writing {path}", full_hint),
        errno.EFBIG: (
            f"file too large while writing {path}",
            "the file system or a size limit refuses files this big; "
            + ("split the session" if path.suffix.lower() in _LOSSY_SUFFIXES
               else "write .mp3, or split the session"),
        ),
    }
    message, hint = messages.get(
        exc.errno or 0, (f"cannot write {path}: {exc.strerror or exc}", "")
    )
    return OutputError(message, hint=hint)
