"""A rename that never replaces: Linux renameat2(RENAME_NOREPLACE) through ctypes, else a hard
link and an unlink, else a check and a rename. An edge (it touches the disk); it raises the
OSError as the system gave it (os_errors.py words it for people).
"""

from __future__ import annotations

import ctypes
import errno
import os
from collections.abc import Callable
from pathlib import Path

# errno of os.link where the file system has no hard links (FAT on phones and SD cards, ...).
NO_HARD_LINKS = (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV,
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
        if exc.errno not in NO_HARD_LINKS:
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
