"""serve/files.py's answers without a server: media types, the validators (ETag,
Last-Modified) and conditional GETs (RFC 9110 13.1.2 and 13.1.3: If-None-Match wins over
If-Modified-Since), and the 404 for anything not inside the folder."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from voice_coach.serve.files import media_type, not_modified, serve_file

MTIME_S = 1_764_619_200  # 2025-12-01 20:00:00 UTC
HTTP_DATE = "Mon, 01 Dec 2025 20:00:00 GMT"


@pytest.mark.parametrize("name, kind", [
    ("a.mp3", "audio/mpeg"), ("A.MP3", "audio/mpeg"), ("a.json", "application/json; charset=utf-8"),
    ("a.vtt", "text/vtt; charset=utf-8"), ("a.png", "image/png"),
    ("a.css", "text/css; charset=utf-8"), ("a.js", "text/javascript; charset=utf-8"),
    ("a.html", "text/html; charset=utf-8"), ("a.bin", "application/octet-stream"),
    ("noext", "application/octet-stream"),
])
def test_media_types(name: str, kind: str) -> None:
    assert media_type(Path(name)) == kind


def test_if_none_match_wins_and_matches_weak_and_listed_tags() -> None:
    tag = '"abc"'
    assert not_modified({"if-none-match": '"abc"'}, tag, MTIME_S)
    assert not_modified({"if-none-match": 'W/"abc"'}, tag, MTIME_S)
    assert not_modified({"if-none-match": '"x", "abc" '}, tag, MTIME_S)
    assert not_modified({"if-none-match": '"abc","x"'}, tag, MTIME_S)
    assert not_modified({"if-none-match": "*"}, tag, MTIME_S)
    assert not not_modified({"if-none-match": '"abcd"'}, tag, MTIME_S)
    # a non-matching tag wins over a date that would match
    assert not not_modified({"if-none-match": '"x"', "if-modified-since": HTTP_DATE}, tag,
                            MTIME_S)


def test_if_modified_since_compares_whole_seconds() -> None:
    assert not_modified({"if-modified-since": HTTP_DATE}, '"t"', MTIME_S)
    assert not_modified({"if-modified-since": HTTP_DATE}, '"t"', MTIME_S + 0.9)
    assert not not_modified({"if-modified-since": HTTP_DATE}, '"t"', MTIME_S + 1)
    assert not_modified({"if-modified-since": "Mon, 01 Dec 2025 20:00:01 GMT"}, '"t"', MTIME_S)
    for bad in ("yesterday", "", "Mon, 99 Dec 2025 20:00:00 GMT"):
        assert not not_modified({"if-modified-since": bad}, '"t"', MTIME_S)
    assert not not_modified({}, '"t"', MTIME_S)


def request(**headers) -> SimpleNamespace:
    return SimpleNamespace(headers={k.replace("_", "-"): v for k, v in headers.items()})


@pytest.fixture
def served(tmp_path: Path) -> Path:
    (tmp_path / "media").mkdir()
    audio = tmp_path / "media" / "a.mp3"
    audio.write_bytes(b"x" * 300)
    os.utime(audio, (MTIME_S, MTIME_S))
    return audio


def test_a_file_is_served_with_its_validators(served: Path) -> None:
    info = os.stat(served)
    answer = serve_file(request(), served, served.parent.parent, cache_control="no-cache",
                        headers={"x-extra": "1"})
    assert answer.status_code == 200
    tag = f'"12c-{info.st_mtime_ns:x}"'  # 300 bytes = 0x12c
    assert answer.headers["etag"] == tag
    assert answer.headers["last-modified"] == HTTP_DATE
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.headers["x-extra"] == "1"
    assert answer.headers["content-type"] == "audio/mpeg"
    assert answer.headers["content-length"] == "300" and answer.path == served.resolve()
    (served.parent / "c.json").write_text("{}", encoding="utf-8")
    json_answer = serve_file(request(), served.parent / "c.json", served.parent,
                             cache_control="no-cache")
    assert json_answer.headers["content-type"] == "application/json; charset=utf-8"
    strong = serve_file(request(), served, served.parent, cache_control="max-age=60",
                        etag="f00d")
    assert strong.headers["etag"] == '"f00d"' and strong.status_code == 200


def test_a_matching_validator_is_a_304_and_outside_is_a_404(served: Path) -> None:
    again = serve_file(request(if_none_match='"f00d"'), served, served.parent,
                       cache_control="no-cache", etag="f00d")
    assert again.status_code == 304 and again.headers["etag"] == '"f00d"'
    assert again.headers["cache-control"] == "no-cache"
    assert again.headers["last-modified"] == HTTP_DATE
    since = serve_file(request(if_modified_since=HTTP_DATE), served, served.parent,
                       cache_control="no-cache")
    assert since.status_code == 304
    outside = serve_file(request(), served, served.parent / "elsewhere", cache_control="x")
    assert outside.status_code == 404 and outside.body == b"Not Found"
