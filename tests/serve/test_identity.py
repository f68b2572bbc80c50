"""Episode identity by content, as gPodder lives it: the same bytes keep the same address and
GUID; a re-render with new audio is a new episode (GUID, pubDate, address) that `gpo update`
finds and `gpo download` fetches intact; the old address redirects; downloads carry readable
names. gpo runs with a private HOME against a real server on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.serve_fixture import MINIMAL, make_library, start_server

GPO = shutil.which("gpo")


def _index(library: Path) -> dict:
    (entry,) = json.loads((library / "library.json").read_text())["entries"]
    return entry


def _episodes(server) -> list[dict]:
    import podcastparser

    status, _, body = server.get("feed.xml")
    assert status == 200
    return podcastparser.parse("x", io.BytesIO(body))["episodes"]


def _gpo(home: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GPODDER", "XDG_"))}
    env.update(HOME=str(home), GPODDER_HOME=str(home / "gpodder"),
               GPODDER_DOWNLOAD_DIR=str(home / "downloads"), LANG="C.UTF-8")
    done = subprocess.run([GPO, *args], capture_output=True, text=True, env=env, timeout=300,
                          cwd=home)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def _downloads(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (home / "downloads").rglob("*.mp3")}


@pytest.fixture()
def mine(tmp_path: Path):
    """A library holding one routine file of our own (so it can be edited), and its folders."""
    from voice_coach.serve.library import Library
    from voice_coach.serve.library_edit import add, remove

    routine = tmp_path / "mine.yaml"
    shutil.copy(MINIMAL, routine)
    data = tmp_path / "data"
    library = make_library(tmp_path / "library", data)
    lib = Library(library)
    remove(lib, ["minimal"])
    os.environ["VOICE_COACH_DATA_DIR"] = str(data)
    try:
        add(lib, str(routine))
    finally:
        os.environ.pop("VOICE_COACH_DATA_DIR", None)
    return routine, library, data


def test_the_same_bytes_keep_the_address_new_audio_gets_a_new_episode(mine) -> None:
    routine, library, data = mine
    server = start_server(library, data)
    try:
        (first,) = _episodes(server)
    finally:
        server.stop()
    entry = _index(library)
    audio = library / "media" / entry["rendered"]["audio"]
    sha = hashlib.sha256(audio.read_bytes()).hexdigest()
    assert audio.name == f"mine.{sha[:12]}.mp3"

    # A render that makes the same bytes (forced here by spoiling the render key): nothing moves.
    index = json.loads((library / "library.json").read_text())
    index["entries"][0]["rendered"]["render_key"] = "0" * 64
    (library / "library.json").write_text(json.dumps(index))
    server = start_server(library, data)
    try:
        assert "Rendering 1 of 1: mine" in server.output or _rendered_in_background(server)
        (same,) = _episodes(server)
    finally:
        server.stop()
    assert (same["guid"], same["published"]) == (first["guid"], first["published"])
    assert same["enclosures"][0]["url"].rsplit("/", 1)[1] == audio.name

    # New audio: a new GUID, a later pubDate, a new address; the old one redirects to it.
    routine.write_text(routine.read_text().replace("- exercise: Ankle pumps",
                                                   "- exercise: Ankle pumps\n    reps: 5"))
    server = start_server(library, data)
    try:
        _rendered_in_background(server)
        (changed,) = _episodes(server)
        new_name = changed["enclosures"][0]["url"].rsplit("/", 1)[1]
        status, headers, _ = server.get(f"media/{audio.name}")
        assert status == 308
        assert headers["location"] == f"{server.prefix}media/{new_name}"
        status, _, body = server.get(f"media/{new_name}")
        assert status == 200 and body == (library / "media" / new_name).read_bytes()
        status, headers, body = server.get("media/gone.0123456789ab.mp3")
        assert status == 410 and b"Open the sessions page" in body
        assert headers["content-type"].startswith("text/html")
    finally:
        server.stop()
    assert changed["guid"] != first["guid"]
    assert changed["published"] > first["published"]
    assert new_name != audio.name and not audio.exists()


def _rendered_in_background(server) -> bool:
    """Waits (by polling the page's progress API, no timed assertion) until serve has rendered
    everything it had to; True once it has."""
    import time

    for _ in range(600):
        status, _, body = server.get("api/progress")
        if status == 200 and not json.loads(body)["pending"]:
            return True
        if status == 404:  # a serve that renders before it answers
            return True
        time.sleep(0.5)
    raise AssertionError("serve never finished rendering")


def test_readable_download_names(mine) -> None:
    from voice_coach.serve.sidecars import content_disposition, download_name

    _, library, data = mine
    server = start_server(library, data)
    try:
        name = _index(library)["rendered"]["audio"]
        status, headers, _ = server.request("HEAD", f"{server.prefix}media/{name}")
        assert status == 200
        assert headers["content-disposition"] == 'attachment; filename="Minimal.mp3"'
        status, headers, _ = server.request("GET", f"{server.prefix}media/{name}",
                                            {"Range": "bytes=0-9"})
        assert status == 206 and "Minimal.mp3" in headers["content-disposition"]
    finally:
        server.stop()
    assert download_name("Ankle pumps, seated") == "Ankle pumps, seated.mp3"
    assert download_name('a/b: "c"?') == "a b c.mp3"
    assert content_disposition("Ankle pumps, seated.mp3") == (
        'attachment; filename="Ankle pumps, seated.mp3"')
    assert content_disposition("Fußpumpen im Sitzen.mp3") == (
        "attachment; filename=\"Fupumpen im Sitzen.mp3\"; "
        "filename*=UTF-8''Fu%C3%9Fpumpen%20im%20Sitzen.mp3")
    assert content_disposition("踝泵.mp3").endswith("filename*=UTF-8''%E8%B8%9D%E6%B3%B5.mp3")


@pytest.mark.skipif(GPO is None, reason="gPodder's gpo is not installed (scripts/setup does)")
def test_gpodder_finds_the_re_rendered_episode_and_downloads_it_intact(mine,
                                                                       tmp_path: Path) -> None:
    routine, library, data = mine
    home = tmp_path / "home"
    home.mkdir()
    server = start_server(library, data)
    try:
        feed = server.url + "feed.xml"
        _gpo(home, "subscribe", feed)
        _gpo(home, "download")
        first = _downloads(home)
        served = (library / "media" / _index(library)["rendered"]["audio"]).read_bytes()
        assert list(first.values()) == [served]
        assert list(first) == ["Minimal.mp3"]
    finally:
        server.stop()

    routine.write_text(routine.read_text().replace("- exercise: Ankle pumps",
                                                   "- exercise: Ankle pumps\n    reps: 5"))
    server = start_server(library, data, "--port", str(server.port))
    try:
        _rendered_in_background(server)
        out = _gpo(home, "update")
        assert "1 new episode" in out, out
        _gpo(home, "download")
        served_now = (library / "media" / _index(library)["rendered"]["audio"]).read_bytes()
        assert served_now != served
        fetched = _downloads(home)
        assert served_now in fetched.values(), sorted(fetched)
    finally:
        server.stop()
