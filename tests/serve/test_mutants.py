"""Tests that kill two mutants the suite once let live (issue 17, item 13): the containment
check of serve/files.py replaced by a string-prefix test (a sibling folder `library-old/` beside
`library/` shares the prefix), and the page's titles no longer HTML-escaped (the page promises
"every value is escaped"). A unit check of each, and the same through a real server."""

from __future__ import annotations

import json
import os
import shutil
from html.parser import HTMLParser
from pathlib import Path

from tests.serve_fixture import start_server
from voice_coach.serve.files import inside

HOSTILE_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)> & "quoted" \'single\''
HOSTILE_ABOUT = "</p><script>document.title='owned'</script><p>"


# -- containment: library-old/ is not inside library/ -------------------------------------------


def test_a_sibling_folder_sharing_the_prefix_is_outside(tmp_path: Path) -> None:
    root, sibling = tmp_path / "library", tmp_path / "library-old"
    (root / "media").mkdir(parents=True)
    sibling.mkdir()
    (sibling / "secret.mp3").write_bytes(b"private")
    (root / "media" / "own.mp3").write_bytes(b"public")
    assert inside(root / "media" / "own.mp3", root) == (root / "media" / "own.mp3").resolve()
    assert inside(sibling / "secret.mp3", root) is None
    assert inside(root / ".." / "library-old" / "secret.mp3", root) is None
    (root / "media" / "link.mp3").symlink_to(sibling / "secret.mp3")
    assert inside(root / "media" / "link.mp3", root) is None
    assert inside(root, root) is None  # a folder is not a file to serve


def test_the_server_refuses_a_file_in_a_sibling_folder(library: Path, tmp_path: Path) -> None:
    copy, sibling = tmp_path / "library", tmp_path / "library-old"
    shutil.copytree(library, copy)
    sibling.mkdir()
    secret = sibling / "secret.mp3"
    secret.write_bytes(b"private words from the old library")
    server = start_server(copy, tmp_path / "data")  # renders nothing: the library is current
    try:
        # swapped in while it serves (a render at start would have replaced the file)
        (audio,) = (copy / "media").glob("*.mp3")
        audio.unlink()
        audio.symlink_to(Path("..") / ".." / "library-old" / "secret.mp3")
        (copy / "cover.png").unlink()
        (copy / "cover.png").symlink_to(secret)
        assert os.path.realpath(audio) == str(secret.resolve())
        for path in (f"media/{audio.name}", "cover.png"):
            status, _, body = server.get(path)
            assert status == 404 and b"private" not in body, (path, status, body[:200])
    finally:
        server.stop()


# -- the page escapes every value -----------------------------------------------------------------


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        self.attributes += attrs

    def handle_data(self, data) -> None:
        self.texts.append(data)


def test_titles_on_the_page_are_escaped(library: Path, tmp_path: Path) -> None:
    copy = tmp_path / "library"
    shutil.copytree(library, copy)
    index = json.loads((copy / "library.json").read_text(encoding="utf-8"))
    (entry,) = [e for e in index["entries"] if e.get("rendered")]
    entry["rendered"]["title"] = HOSTILE_TITLE
    entry["rendered"]["about"] = HOSTILE_ABOUT
    (copy / "library.json").write_text(json.dumps(index), encoding="utf-8")
    server = start_server(copy, tmp_path / "data")
    try:
        status, _, body = server.get("")
    finally:
        server.stop()
    assert status == 200
    html = body.decode("utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "<script>document.title" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    page = Elements()
    page.feed(html)
    assert "img" not in page.tags
    # the title comes back whole as text and as the data-title attribute: nothing broke out
    assert ("data-title", HOSTILE_TITLE) in page.attributes
    assert HOSTILE_TITLE in page.texts
    assert any(HOSTILE_ABOUT in text for text in page.texts)
    scripts = page.tags.count("script")
    clean = Elements()
    clean.feed(server_page_without_hostile_values(library, tmp_path))
    assert scripts == clean.tags.count("script")  # no script element was added


def server_page_without_hostile_values(library: Path, tmp_path: Path) -> str:
    server = start_server(library, tmp_path / "data-clean")
    try:
        status, _, body = server.get("")
    finally:
        server.stop()
    assert status == 200
    return body.decode("utf-8")
