"""The one atomic writer: every file voice-coach writes goes to a new hidden temp file beside its
target, and the targets of one render (the audio and its cue sidecar) are put in place together
or not at all, so a reader sees the old files or the new ones, never a part or a mix.

A user's file is sacred: without force nothing that exists is replaced, checked again at the very
last step with a no-replace rename (the file may appear while a render runs); with force only a
regular file is replaced, never a folder, device, FIFO, socket or symbolic link. Temp files of a
killed run (their process is gone) are removed the next time a file is written beside them.
An edge (it touches the disk); OSErrors come out as OutputError or UsageError saying what to do.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import itertools
import os
import re
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from voice_coach.basics.errors import OutputError, OutputExistsError, UsageError
from voice_coach.output.targets import (  # noqa: F401 - check_target, lstat_or_none: re-exported
    EXISTS_HINT,
    check_target,
    kind_of,
    lstat_or_none,
    name_max,
    name_too_long,
)

_TEMP_RE = re.compile(r"^\..*\.(?P<pid>\d+)\.\d+\.(?:part|old|ffmeta)$")
_LOSSY_SUFFIXES = (".mp3", ".m4a", ".ogg", ".opus")
_temp_counter = itertools.count()
_swept: set[str] = set()


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
    backup = _temp_name(target, "old") if info is not None else None
    moved = False  # the old file renamed to backup (where hard links are not supported)
    try:
        if backup is not None:
            try:
                os.link(target, backup)
            except OSError as exc:
                if exc.errno not in _NO_LINKS:
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


# -- renames ---------------------------------------------------------------------------------

_NO_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV,
             errno.ENOSYS)
_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
_renameat2: Callable[..., int] | None | bool = False  # False: not looked up yet


def rename_noreplace(src: Path, dst: Path) -> None:
    """Rename src to dst unless dst exists (FileExistsError), atomically where the system can:
    Linux renameat2(RENAME_NOREPLACE), else a hard link (which never replaces) and an unlink,
    else a check and a rename (a small window, on file systems without hard links)."""
    function = _lookup_renameat2()
    if function:
        if function(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst),
                    _RENAME_NOREPLACE) == 0:
            return
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise OSError(code, os.strerror(code), str(dst))
    try:
        os.link(src, dst)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
        if os.path.lexists(dst):
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(dst)) from None
        os.rename(src, dst)
        return
    os.unlink(src)


def _lookup_renameat2() -> Callable[..., int] | None:
    global _renameat2
    if _renameat2 is False:
        _renameat2 = None
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            function = libc.renameat2  # glibc 2.28+
            function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                 ctypes.c_uint]
            function.restype = ctypes.c_int
            _renameat2 = function
        except (OSError, AttributeError, TypeError):
            pass
    return _renameat2 or None


# -- temp files and their leftovers ----------------------------------------------------------


def _temp_name(path: Path, kind: str) -> Path:
    """.NAME.PID.N.KIND beside path; NAME shortened so the whole fits the file system's limit."""
    suffix = f".{os.getpid()}.{next(_temp_counter)}.{kind}"
    room = name_max(path.parent) - len(suffix.encode()) - 2
    name = path.name
    if len(name.encode()) > room:
        name = name.encode()[: max(room, 1)].decode("utf-8", "ignore") + "~"
    return path.with_name(f".{name}{suffix}")


def create_temp(path: Path, kind: str = "part") -> Path:
    """A new hidden file beside path, made exclusively (mode 0666 & ~umask, like any new file)."""
    for _ in range(100):
        tmp = _temp_name(path, kind)
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:
            continue
        except OSError as exc:
            raise output_error(exc, path) from exc
    raise OutputError(f"cannot create a temporary file beside {path}")


def sweep(folder: Path) -> list[Path]:
    """Remove the temp files (.NAME.PID.N.part/.old/.ffmeta) that runs killed with SIGKILL left
    in `folder`: only those whose process no longer exists. Returns what was removed."""
    key = os.path.abspath(folder)
    if key in _swept:
        return []
    _swept.add(key)
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    for entry in entries:
        found = _TEMP_RE.match(entry.name)
        if not found or int(found["pid"]) == os.getpid() or _alive(int(found["pid"])):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process (or a number we cannot ask about): leave it
    return True


def remove_quietly(tmp: Path) -> None:
    try:
        Path(tmp).unlink()
    except OSError:
        pass


# -- signals ---------------------------------------------------------------------------------

_DEFERRED = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done, then take effect as usual (the handler
    in force before runs). Only in the main thread, where Python runs signal handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {signum: signal.getsignal(signum) for signum in _DEFERRED}

    def hold(signum: int, frame: object) -> None:
        caught.append(signum)

    for signum, handler in previous.items():
        if handler is not None:
            signal.signal(signum, hold)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            if handler is not None:
                signal.signal(signum, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)


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
