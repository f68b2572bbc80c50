"""The one atomic writer: every file voice-coach writes goes to a new hidden temp file beside its
target, and the targets of one render (the audio and its cue sidecar) are put in place together
or not at all, so a reader sees the old files or the new ones, never a part or a mix.

A user's file is sacred: without force nothing that exists is replaced, checked again at the very
last step with a no-replace rename (the file may appear while a render runs); with force only a
regular file is replaced, never a folder, device, FIFO, socket or symbolic link. Temp files of a
killed run (their process is gone) are removed the next time a file is written beside them.
An edge (it touches the disk); OSErrors come out as OutputError or UsageError saying what to do
(os_errors.py). The no-replace rename is renameat.py, the temp files and their sweep
temp_files.py, holding Ctrl-C back signals.py.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from voice_coach.basics.errors import OutputExistsError, UsageError
from voice_coach.output.os_errors import output_error
from voice_coach.output.renameat import NO_HARD_LINKS, rename_noreplace
from voice_coach.output.signals import signals_deferred
from voice_coach.output.targets import EXISTS_HINT, check_target, kind_of, lstat_or_none
from voice_coach.output.temp_files import create_temp, remove_quietly, sweep, temp_name

# -- the transaction -------------------------------------------------------------------------


class OutputSet:
    """Files written together: stage() each target (a temp file beside it), fill the temps,
    then commit() puts every one in place, or none of them.

    Use as a context manager: on any exception (Ctrl-C included) the temps are removed and
    nothing that existed is touched.
    """

    def __init__(self, *, force: bool = False) -> None:
        self.force = force
        self._staged: list[tuple[Path, Path]] = []  # (temp, target)

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.discard()

    def stage(self, target: Path) -> Path:
        """A new, empty temp file for `target` (checked with check_target first)."""
        target = Path(target)
        check_target(target, force=self.force)
        sweep(target.parent)
        tmp = create_temp(target)
        self._staged.append((tmp, target))
        return tmp

    def discard(self) -> None:
        for tmp, _ in self._staged:
            remove_quietly(tmp)
        self._staged = []

    def commit(self, on_committed: Callable[[], None] | None = None) -> None:
        """Put every staged file in place, or none: if one cannot be placed, those already
        placed are taken back (an old file they replaced is restored). Ctrl-C and SIGTERM wait
        until this, and on_committed (say what was written), are done.

        Raises UsageError when a target appeared meanwhile (without force) or is not a regular
        file (with force), OutputError when the disk refuses.
        """
        with signals_deferred():
            placed: list[tuple[Path, Path | None]] = []  # (target, backup of the old file)
            try:
                for tmp, target in self._staged:
                    placed.append((target, _place(tmp, target, self.force)))
            except BaseException:
                for target, backup in reversed(placed):
                    _take_back(target, backup)
                raise
            self._staged = []
            for _, backup in placed:
                if backup is not None:
                    remove_quietly(backup)
            if on_committed is not None:
                on_committed()


def _place(tmp: Path, target: Path, force: bool) -> Path | None:
    """Rename tmp onto target; returns a hard link to the old file it replaced (or None)."""
    try:
        rename_noreplace(tmp, target)
        return None
    except FileExistsError:
        if not force:
            raise OutputExistsError(
                target, f"{target} appeared while this was being written (another render?); it "
                "was left as it is, and nothing was written", EXISTS_HINT + ", or choose another "
                "name") from None
    except OSError as exc:
        raise output_error(exc, target) from exc
    info = lstat_or_none(target)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{target} is {kind_of(info.st_mode)}, not a regular file; it is never "
                         "replaced", hint="choose another file name")
    backup = temp_name(target, "old") if info is not None else None
    moved = False  # the old file renamed to backup (where hard links are not supported)
    try:
        if backup is not None:
            try:
                os.link(target, backup)
            except OSError as exc:
                if exc.errno not in NO_HARD_LINKS:
                    raise
                os.rename(target, backup)  # FAT on phones and SD cards: no hard links
                moved = True
        os.replace(tmp, target)
    except OSError as exc:
        if moved and backup is not None:
            _take_back(target, backup)
        elif backup is not None:
            remove_quietly(backup)
        raise output_error(exc, target) from exc
    return backup


def _take_back(target: Path, backup: Path | None) -> None:
    """Undo one _place: the old file back in place, or the new one removed."""
    try:
        if backup is not None:
            os.replace(backup, target)
        else:
            target.unlink()
    except OSError:
        pass


# -- writing ---------------------------------------------------------------------------------


def write_text_atomic(path: Path, text: str, *, force: bool = False) -> Path:
    """Write a small text file (a sidecar, a playlist, a routine) as UTF-8 with \\n line ends,
    through a temp file and a rename. Raises UsageError (a folder, a device, or exists without
    force) or OutputError; an existing file is never left half-written."""
    return write_bytes_atomic(path, text.encode("utf-8"), force=force)


def write_bytes_atomic(path: Path, data: bytes, *, force: bool = False) -> Path:
    """Write `data` to path through a temp file beside it and a rename: readers see the old
    file or the new one, never a part. Raises as write_text_atomic."""
    return write_atomic_with(path, lambda out: out.write(data), force=force)


def write_text_file(tmp: Path, text: str, target: Path) -> None:
    """text into the staged temp file tmp (target names it in errors)."""
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
    except OSError as exc:
        raise output_error(exc, target) from exc


def write_atomic_with(path: Path, write: Callable[[BinaryIO], object], *,
                      force: bool = False) -> Path:
    """Like write_bytes_atomic, for contents too big to hold twice: write(out) streams them
    into the staged temp file (opened binary), which is then put in place."""
    path = Path(path)
    with OutputSet(force=force) as outputs:
        tmp = outputs.stage(path)
        try:
            with open(tmp, "wb") as out:
                write(out)
        except OSError as exc:
            raise output_error(exc, path) from exc
        outputs.commit()
    return path
