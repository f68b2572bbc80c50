"""Serving one file from inside a folder, as podcast apps and browsers fetch it: no path that
leads outside the folder (through `..` or a symlink), validators (ETag, Last-Modified), answers
to If-None-Match / If-Modified-Since (304), and byte ranges (206, If-Range, 416).

Ranges, HEAD and If-Range are Starlette's FileResponse's (since 0.39; see tests/serve/test_http.py);
it streams in 64 KiB chunks, so nothing is read whole into memory.
"""

from __future__ import annotations

import os
import stat
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path

MEDIA_TYPES = {".mp3": "audio/mpeg", ".json": "application/json", ".vtt": "text/vtt",
               ".png": "image/png", ".css": "text/css", ".js": "text/javascript",
               ".html": "text/html"}


def inside(path: Path, folder: Path) -> Path | None:
    """`path` with every symlink resolved, if it is a regular file inside `folder` (also
    resolved); None otherwise."""
    try:
        real = Path(os.path.realpath(path))
        root = Path(os.path.realpath(folder))
        if os.path.commonpath([real, root]) != str(root):
            return None
        info = os.stat(real)
    except (OSError, ValueError):
        return None
    return real if stat.S_ISREG(info.st_mode) else None


def media_type(path: Path) -> str:
    kind = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind.endswith("json") \
        else kind


def serve_file(request, path: Path, folder: Path, *, cache_control: str, etag: str = "",
               headers: dict[str, str] | None = None):
    """The response for GET/HEAD of `path`, which must be a regular file inside `folder`.

    etag: a strong validator for the content (e.g. its SHA-256); default: size and mtime.
    headers: more response headers (e.g. Content-Disposition).
    Returns a 404 when the file is missing or leads outside the folder.
    """
    from starlette.responses import FileResponse, PlainTextResponse, Response

    real = inside(path, folder)
    if real is None:
        return PlainTextResponse("Not Found", status_code=404)
    info = os.stat(real)
    tag = f'"{etag}"' if etag else f'"{info.st_size:x}-{info.st_mtime_ns:x}"'
    headers = {**(headers or {}), "cache-control": cache_control, "etag": tag,
               "last-modified": formatdate(info.st_mtime, usegmt=True)}
    if not_modified(request.headers, tag, info.st_mtime):
        return Response(status_code=304, headers=headers)
    return FileResponse(real, stat_result=info, headers=headers, media_type=media_type(real))


def not_modified(headers, etag: str, mtime_s: float) -> bool:
    """Whether a conditional GET's validators still match (RFC 9110 13.1.2 and 13.1.3):
    If-None-Match wins over If-Modified-Since."""
    none_match = headers.get("if-none-match")
    if none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in none_match.split(",")]
        return "*" in tags or etag in tags
    since = headers.get("if-modified-since")
    if since:
        try:
            return int(mtime_s) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False
    return False
