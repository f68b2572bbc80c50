"""The server as podcast apps and browsers meet it, over real HTTP on 127.0.0.1: byte ranges
(start, middle, end, suffix, If-Range, 416), HEAD, validators and 304, the private token, no way
out of the library (`..`, `%2e%2e`, absolute paths, symlinks), several clients at once, the
access log, Done, and a clean stop on Ctrl-C and SIGTERM.

Starlette's FileResponse answers ranges since 0.39 (1.10 installed here): these tests are what
shows that the installed version does it right.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.serve_fixture import Served, start_server


@pytest.fixture(scope="module")
def served(library: Path, tmp_path_factory: pytest.TempPathFactory):
    # the practice clock at midday: a session marked done and today's count share one practice
    # day whenever the test runs (one started just before the 4:00 rollover counts for the eve)
    server = start_server(library, tmp_path_factory.mktemp("http-data"), "--lan",
                          VOICE_COACH_NOW="2026-12-01 12:00")
    yield server
    assert server.stop() == 130


def audio_file(library: Path) -> Path:
    (path,) = (library / "media").glob("*.mp3")
    return path


def test_lan_addresses_carry_a_long_token(served: Served) -> None:
    token = served.prefix.strip("/")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,}", token)
    assert (served.data_dir / "serve-token").read_text().strip() == token
    assert oct((served.data_dir / "serve-token").stat().st_mode & 0o777) == "0o600"
    assert any("unencrypted" in line for line in served.output)
    status, headers, _ = served.request("GET", f"/{token}")
    assert status == 308 and headers["location"] == f"/{token}/"


@pytest.mark.parametrize("path", ["/", "/feed.xml", "/cover.png", "/api/sessions",
                                  "/static/app.js", "/media/", "/x/feed.xml"])
def test_requests_without_the_token_get_the_code_page_and_learn_nothing(served: Served,
                                                                        path: str) -> None:
    """A wrong address gets a page that says what to do (scan the QR code or type the short
    code), never the sessions, the token or a validator."""
    token = served.prefix.strip("/")
    for candidate in (path, f"/{token[:-1]}{path}", f"/{token.upper()}{path}"):
        for method in ("GET", "HEAD", "POST"):
            status, headers, body = served.request(method, candidate)
            expected = 200 if candidate == "/" and method != "POST" else 404
            assert status == expected, (method, candidate)
            assert headers["content-type"] == "text/html; charset=utf-8"
            if method == "HEAD":
                assert body == b""
            else:
                assert b"type the short code" in body and token.encode() not in body
            assert "etag" not in headers and "last-modified" not in headers


def test_the_short_code_opens_the_page_and_wrong_codes_pause(served: Served) -> None:
    from urllib.parse import urlencode

    token = served.prefix.strip("/")
    line = next(x for x in served.output if "enter the code" in x)
    code = line.rsplit(" ", 2)[-2] + line.rsplit(" ", 1)[-1]
    assert re.fullmatch(r"[ACDEFHJKMNPRTWXY3479]{6}", code), line
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    typed = f"{code[:3].lower()}-{code[3:]}"  # as a person may type it
    status, headers, _ = served.request("POST", "/pair", form, urlencode({"code": typed}).encode())
    assert status == 303 and headers["location"] == f"/{token}/"
    wrong = "AAAAAA" if code != "AAAAAA" else "CCCCCC"
    statuses = [served.request("POST", "/pair", form, urlencode({"code": wrong}).encode())[0]
                for _ in range(5)]
    assert statuses == [403] * 5
    status, _, body = served.request("POST", "/pair", form, urlencode({"code": code}).encode())
    assert status == 429 and b"wait a minute" in body  # even the right code, for a minute


def test_whole_file_and_head(served: Served, library: Path) -> None:
    audio = audio_file(library)
    data = audio.read_bytes()
    status, headers, body = served.get(f"media/{audio.name}")
    assert status == 200 and body == data
    assert headers["content-length"] == str(len(data))
    assert headers["content-type"] == "audio/mpeg"
    assert headers["accept-ranges"] == "bytes"
    assert headers["cache-control"].startswith("private, max-age=")
    assert headers["last-modified"].endswith(" GMT")
    assert re.fullmatch(r'"[0-9a-f]{32}"', headers["etag"])
    assert headers["referrer-policy"] == "no-referrer"
    status, head_headers, body = served.request("HEAD", f"{served.prefix}media/{audio.name}")
    assert status == 200 and body == b""
    for name in ("content-length", "etag", "last-modified", "accept-ranges", "content-type"):
        assert head_headers[name] == headers[name]


def test_byte_ranges_start_middle_end_and_suffix(served: Served, library: Path) -> None:
    audio = audio_file(library)
    data = audio.read_bytes()
    size = len(data)
    cases = {
        "bytes=0-0": (0, 1),
        "bytes=0-1023": (0, 1024),
        f"bytes={size // 2}-{size // 2 + 4095}": (size // 2, size // 2 + 4096),
        f"bytes={size - 100}-{size - 1}": (size - 100, size),
        f"bytes={size - 100}-": (size - 100, size),
        f"bytes={size - 10}-{size + 5000}": (size - 10, size),  # past the end: up to the end
        "bytes=-500": (size - 500, size),
        f"bytes=-{size + 10}": (0, size),
    }
    for header, (start, end) in cases.items():
        status, headers, body = served.get(f"media/{audio.name}", {"Range": header})
        assert status == 206, header
        assert headers["content-range"] == f"bytes {start}-{end - 1}/{size}", header
        assert headers["content-length"] == str(end - start)
        assert body == data[start:end], header
    status, headers, body = served.request("HEAD", f"{served.prefix}media/{audio.name}",
                                           {"Range": "bytes=100-199"})
    assert status == 206 and body == b"" and headers["content-range"] == f"bytes 100-199/{size}"


def test_several_ranges_come_as_multipart(served: Served, library: Path) -> None:
    audio = audio_file(library)
    data = audio.read_bytes()
    status, headers, body = served.get(f"media/{audio.name}", {"Range": "bytes=0-9,100-109"})
    assert status == 206
    boundary = headers["content-type"].split("boundary=")[1]
    parts = [p for p in body.split(f"--{boundary}".encode()) if p.strip(b"-\r\n")]
    assert [p.split(b"\r\n\r\n", 1)[1][:-2] for p in parts] == [data[0:10], data[100:110]]


def test_unsatisfiable_ranges_get_416(served: Served, library: Path) -> None:
    audio = audio_file(library)
    size = audio.stat().st_size
    for header in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0"):
        status, headers, _ = served.get(f"media/{audio.name}", {"Range": header})
        assert status == 416, header
        assert headers["content-range"] == f"bytes */{size}"


def test_if_range_and_conditional_requests(served: Served, library: Path) -> None:
    audio = audio_file(library)
    data = audio.read_bytes()
    _, headers, _ = served.get(f"media/{audio.name}")
    etag, modified = headers["etag"], headers["last-modified"]
    for validator in (etag, modified):
        status, _, body = served.get(f"media/{audio.name}",
                                     {"Range": "bytes=10-19", "If-Range": validator})
        assert status == 206 and body == data[10:20]
    # A changed file (another validator) gets the whole new file, not a piece of it.
    status, _, body = served.get(f"media/{audio.name}",
                                 {"Range": "bytes=10-19", "If-Range": '"0123"'})
    assert status == 200 and body == data
    for conditional in ({"If-None-Match": etag}, {"If-None-Match": f'"x", {etag}'},
                        {"If-Modified-Since": modified}):
        status, headers304, body = served.get(f"media/{audio.name}", conditional)
        assert status == 304 and body == b"" and headers304["etag"] == etag
    status, _, body = served.get(f"media/{audio.name}", {"If-None-Match": '"other"'})
    assert status == 200 and body == data


@pytest.mark.parametrize("raw", [
    "media/../library.json", "media/%2e%2e/library.json", "media/%2E%2E%2Flibrary.json",
    "media/..%2f..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "../../../../etc/passwd", "/etc/passwd", "media//etc/passwd", "media/%2fetc%2fpasswd",
    "static/../../cli.py", "static/%2e%2e%2f__init__.py", "static/index.html",
    "media/", "media", "static/", "library.json", "done.json", "media/x.mp3",
])
def test_no_path_outside_the_served_files(served: Served, raw: str) -> None:
    status, _, body = served.request("GET", served.prefix + raw)
    assert status in (404, 405), (raw, status)
    assert b"root:" not in body and b"library_id" not in body and b"import" not in body


def test_symlinks_out_of_the_library_are_not_followed(library: Path, tmp_path: Path) -> None:
    copy = tmp_path / "library"
    shutil.copytree(library, copy)
    server = start_server(copy, tmp_path / "data", "--lan")
    try:
        # Files the index names are swapped for links while it serves.
        secret = tmp_path / "secret.txt"
        secret.write_text("private words\n")
        audio = audio_file(copy)
        audio.unlink()
        audio.symlink_to(secret)
        (copy / "cover.png").unlink()
        (copy / "cover.png").symlink_to(secret)
        (copy / "media" / "link-out.mp3").symlink_to(secret)
        for path in (f"media/{audio.name}", "cover.png", "media/link-out.mp3"):
            status, _, body = server.get(path)
            assert status == 404 and b"private" not in body, path
        chapters = next((copy / "media").glob("*.json"))
        inside_target = copy / "elsewhere.json"
        chapters.rename(inside_target)
        chapters.symlink_to(inside_target)  # a link that stays inside the library is fine
        status, _, body = server.get(f"media/{chapters.name}")
        assert status == 200 and body == inside_target.read_bytes()
    finally:
        server.stop()


def test_several_phones_at_once(served: Served, library: Path) -> None:
    audio = audio_file(library)
    data = audio.read_bytes()

    def fetch(i: int) -> bool:
        if i % 3 == 0:
            status, _, body = served.get("feed.xml")
            return status == 200 and body.startswith(b"<?xml")
        start = (i * 7919) % (len(data) - 5000)
        status, _, body = served.get(f"media/{audio.name}",
                                     {"Range": f"bytes={start}-{start + 4999}"} if i % 2
                                     else None)
        return status in (200, 206) and body == (data[start:start + 5000] if i % 2 else data)

    with ThreadPoolExecutor(max_workers=12) as pool:
        assert all(pool.map(fetch, range(48)))


def test_done_records_the_session(served: Served) -> None:
    path = served.prefix + "api/done"
    json_type = {"Content-Type": "application/json"}
    status, _, _ = served.request("POST", path, {"Content-Type": "text/plain"},
                                  b'{"key": "minimal"}')
    assert status == 415
    status, _, _ = served.request("POST", path, {**json_type, "Origin": "http://evil.example"},
                                  b'{"key": "minimal"}')
    assert status == 403
    status, _, body = served.request("POST", path, json_type, b'{"key": "nope"}')
    assert status == 404 and json.loads(body) == {"error": "no such session"}
    status, _, _ = served.request("POST", path, json_type, b"not json")
    assert status == 400
    status, _, body = served.request("POST", path, json_type, b'{"key": "minimal"}')
    assert status == 200
    reply = json.loads(body)
    assert reply["recorded"] == "minimal" and reply["today"]["sets"] >= 3
    marks = json.loads((served.library / "done.json").read_text())["done"]
    assert marks[-1]["key"] == "minimal" and marks[-1]["sets"] == 3
    status, _, body = served.get("api/today")
    assert status == 200 and json.loads(body)["sets"] == reply["today"]["sets"]


def test_every_request_has_an_access_line_without_the_token(served: Served) -> None:
    served.get("feed.xml")
    served.request("GET", "/no-token-here")
    # the server writes a line once the response is sent, so the client may read the log first
    deadline = time.monotonic() + 10  # a hang guard, not a target
    while "/no-token-here" not in (log := served.log.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = log.splitlines()
    token = served.prefix.strip("/")
    assert all(token not in line for line in lines)
    assert any('"GET /<token>/feed.xml HTTP/1.1" 200 ' in line for line in lines)
    assert any('"GET /no-token-here HTTP/1.1" 404 ' in line for line in lines)
    assert all(re.match(r'^127\.0\.0\.1 - - \[[^]]+\] "[A-Z]+ \S+ HTTP/1\.1" \d{3} \d+ ', line)
               for line in lines)


def test_this_computer_only_needs_no_token(library: Path, tmp_path: Path) -> None:
    server = start_server(library, tmp_path)
    try:
        assert server.prefix == "/"
        assert any("On this computer only (127.0.0.1)" in line for line in server.output)
        assert not any("\u2588" in line for line in server.output)  # no QR code for phones
        status, _, body = server.get("feed.xml")
        assert status == 200 and b"<rss" in body
    finally:
        assert server.stop(signal.SIGTERM) == 143
    assert "terminated" in server.output


def test_new_token_replaces_the_old_one(library: Path, tmp_path: Path) -> None:
    first = start_server(library, tmp_path, "--lan")
    first.stop()
    second = start_server(library, tmp_path, "--lan", "--new-token")
    try:
        assert second.prefix != first.prefix
        assert second.request("GET", first.prefix + "feed.xml")[0] == 404
        assert second.get("feed.xml")[0] == 200
        assert any("New token" in line for line in second.output)
    finally:
        second.stop()


def test_stops_cleanly_on_sigterm_while_a_download_is_open(library: Path, tmp_path: Path) -> None:
    import http.client

    server = start_server(library, tmp_path, "--lan")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", f"{server.prefix}media/{audio_file(library).name}")
    response = conn.getresponse()
    response.read(1000)  # a phone that has started a download and keeps the connection
    assert server.stop(signal.SIGTERM, timeout_s=15) == 143
    conn.close()
    assert os.path.exists(library / "library.json")


def test_a_session_removed_while_serving_leaves_the_feed(library: Path, tmp_path: Path) -> None:
    from voice_coach.serve.library import Library
    from voice_coach.serve.library_edit import remove

    copy = tmp_path / "library"
    shutil.copytree(library, copy)
    server = start_server(copy, tmp_path / "data", "--lan")
    try:
        status, headers, feed = server.get("feed.xml")
        assert status == 200 and feed.count(b"<item>") == 1
        modified = headers["last-modified"]
        assert server.get("feed.xml", {"If-Modified-Since": modified})[0] == 304
        audio = audio_file(copy).name
        remove(Library(copy), ["minimal"])  # `voice-coach library remove` beside the server
        status, _, feed = server.get("feed.xml", {"If-Modified-Since": modified})
        assert status == 200 and b"<item>" not in feed
        assert server.get(f"media/{audio}")[0] == 410  # gone, with a link to the page
        status, _, page = server.get("")
        assert status == 200 and b"No sessions yet" in page
    finally:
        server.stop()


def test_done_records_the_sets_heard_once_per_listening_at_its_start(served: Served) -> None:
    """The page's Done (issue 16, item 2): the sets heard from the played ranges and the set
    chapters, one record per listening id however often it is sent, at the listening's start."""
    from voice_coach.practice.store import Store

    path = served.prefix + "api/done"
    json_type = {"Content-Type": "application/json"}
    rendered = json.loads((served.library / "library.json").read_text())["entries"][0]["rendered"]
    spans = rendered["set_spans_ms"]
    assert len(spans) == 3
    # Set 1 whole and half of set 2: one set heard.
    played = [[0, spans[0][1] / 1000], [spans[1][0] / 1000,
                                        (spans[1][0] + (spans[1][1] - spans[1][0]) / 2) / 1000]]
    body = {"key": "minimal", "listening_id": "one-listening", "played": played,
            "started": "2026-12-01T11:40:00+01:00", "effort": 4, "pain": 1}
    answers = [served.request("POST", path, json_type, json.dumps(body).encode())
               for _ in range(3)]  # a double tap and a retry
    replies = [json.loads(a[2]) for a in answers]
    assert [a[0] for a in answers] == [200, 200, 200]
    assert [(r["sets"], r["planned_sets"], r["repeat"]) for r in replies] == [
        (1, 3, False), (1, 3, True), (1, 3, True)]
    env_data = str(served.data_dir)
    import os

    old = os.environ.get("VOICE_COACH_DATA_DIR")
    os.environ["VOICE_COACH_DATA_DIR"] = env_data
    try:
        with Store.open(write=False) as store:
            mine = [r for r in store.sessions() if r.started.isoformat().startswith(
                "2026-12-01T11:40:00")]
    finally:
        if old is None:
            os.environ.pop("VOICE_COACH_DATA_DIR")
        else:
            os.environ["VOICE_COACH_DATA_DIR"] = old
    assert [(r.done_sets, r.planned_sets, r.effort, r.pain) for r in mine] == [(1, 3, 4, 1)]
    marks = [m for m in json.loads((served.library / "done.json").read_text())["done"]
             if m["listening_id"] == "one-listening"]
    from datetime import datetime

    assert [(m["sets"], datetime.fromisoformat(m["at"])) for m in marks] == [
        (1, datetime.fromisoformat(body["started"]))]  # the same instant, in the server's zone
    # Nothing heard yet: refused, nothing recorded.
    nothing = {**body, "listening_id": "another", "played": [[0, 2.0]]}
    status, _, reply = served.request("POST", path, json_type, json.dumps(nothing).encode())
    assert status == 422 and "no set heard" in json.loads(reply)["error"]
    for bad in ({**body, "pain": 11}, {**body, "started": "2026-12-01T11:40:00"},
                {**body, "played": [["a", 1]]}, {**body, "listening_id": ""}):
        status, _, _ = served.request("POST", path, json_type, json.dumps(bad).encode())
        assert status == 400, bad


def test_sets_heard_from_played_ranges() -> None:
    from voice_coach.serve.done import sets_heard

    spans = [(0, 10_000), (20_000, 30_000), (40_000, 50_000)]
    assert sets_heard([], spans, 60_000) == 0
    assert sets_heard([(0, 60)], spans, 60_000) == 3
    assert sets_heard([(0, 7.5)], spans, 60_000) == 1  # 75 % of set 1
    assert sets_heard([(0, 7.4)], spans, 60_000) == 0
    assert sets_heard([(0, 4), (3, 8)], spans, 60_000) == 1  # overlapping ranges count once
    assert sets_heard([(0, 4), (4, 4), (4.5, 8.0)], spans, 60_000) == 1
    assert sets_heard([(25, 60)], spans, 60_000) == 1  # a jump past set 2's start
    assert sets_heard([(0, 44.9)], [], 60_000) == 0
    assert sets_heard([(0, 45)], [], 60_000) == 1  # no set chapters: 75 % of the session


def test_installable_web_app_parts(served: Served) -> None:
    import struct

    status, headers, body = served.get("manifest.webmanifest")
    assert status == 200 and headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(body)
    assert manifest["start_url"] == manifest["scope"] == served.prefix
    assert manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        status, headers, png = served.get(icon["src"])
        width, height = struct.unpack(">II", png[16:24])
        assert status == 200 and icon["sizes"] == f"{width}x{height}"
    status, headers, script = served.get("sw.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert headers["service-worker-allowed"] == served.prefix
    assert b'addEventListener("fetch"' in script
    status, _, _ = served.get("ca.crt")
    assert status == 404  # only with --tls
    status, _, page = served.get("")
    assert b'<link rel="manifest" href="manifest.webmanifest">' in page


def test_an_unknown_address_under_the_token_says_where_to_go(served: Served) -> None:
    status, headers, body = served.get("no-such-page")
    assert status == 404 and headers["content-type"] == "text/html; charset=utf-8"
    assert f'<a href="{served.prefix}">Open the sessions page</a>'.encode() in body
