"""The hidden temp files every write goes through (.NAME.PID.N.KIND beside the target), and the
sweep that removes those a killed run left (only when their process is gone). An edge (it touches
the disk); it never puts a file in place (atomic.py does).
"""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

from voice_coach.basics.errors import OutputError
from voice_coach.output.os_errors import output_error
from voice_coach.output.targets import name_max

_TEMP_RE = re.compile(r"^\..*\.(?P<pid>\d+)\.\d+\.(?:part|old|ffmeta)$")
_temp_counter = itertools.count()
_swept: set[str] = set()


def temp_name(path: Path, kind: str) -> Path:
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
        tmp = temp_name(path, kind)
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
