"""The podcast feed as podcast clients read it: parsed by podcastparser (gPodder's parser) and
feedparser from a real server on 127.0.0.1, every enclosure downloaded and compared with its
file, the Podcasting 2.0 chapters and transcript fetched, the cover measured, and GUIDs that
survive a re-render while the enclosure address changes.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import zlib
from pathlib import Path

import pytest

from tests.serve_fixture import MINIMAL, Served, make_library, start_server

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("feed-data")
    library = make_library(tmp_path_factory.mktemp("feed-library"), data)
    server = start_server(library, data, "--lan")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def feed_xml(served: Served) -> bytes:
    status, headers, body = served.get("feed.xml")
    assert status == 200
    assert headers["content-type"] == "application/rss+xml; charset=utf-8"
    return body


def index_entry(library: Path) -> dict:
    (entry,) = json.loads((library / "library.json").read_text())["entries"]
    return entry


def local_get(served: Served, url: str) -> bytes:
    assert url.startswith(served.url), url  # every address points back at this server
    status, _, body = served.request("GET", "/" + url.split("/", 3)[3])
    assert status == 200, url
    return body


def test_podcastparser_reads_it_as_gpodder_does(served: Served, feed_xml: bytes) -> None:
    import podcastparser

    feed = podcastparser.parse(served.url + "feed.xml", io.BytesIO(feed_xml))
    assert feed["title"] == "voice-coach sessions"
    assert feed["link"] == served.url
    assert feed["cover_url"] == served.url + "cover.png"
    entry = index_entry(served.library)
    rendered = entry["rendered"]
    (episode,) = feed["episodes"]
    assert episode["title"] == "Minimal"
    assert episode["guid"].startswith("urn:uuid:")
    assert episode["total_time"] == round(rendered["duration_ms"] / 1000)
    assert episode["published"] > 0
    (enclosure,) = episode["enclosures"]
    assert enclosure["mime_type"] == "audio/mpeg"
    audio = served.library / "media" / rendered["audio"]
    assert enclosure["file_size"] == audio.stat().st_size
    body = local_get(served, enclosure["url"])
    assert len(body) == enclosure["file_size"] and body == audio.read_bytes()
    # Chapters inline as Podlove Simple Chapters, the same as the JSON chapters file's.
    chapters = json.loads((served.library / "media" / rendered["chapters"]).read_text())
    toc = [c for c in chapters["chapters"] if c.get("toc", True)]
    assert [(c["start"], c["title"]) for c in episode["chapters"]] == [
        (int(c["startTime"]), c["title"]) for c in toc]


def test_feedparser_reads_the_itunes_tags(served: Served, feed_xml: bytes) -> None:
    import feedparser

    parsed = feedparser.parse(feed_xml)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    feed = parsed.feed
    assert feed.title == "voice-coach sessions"
    assert feed.language == "en"
    assert feed.image.href == served.url + "cover.png"
    assert feed.author == "voice-coach"
    assert [(t.term, t.scheme) for t in feed.tags][:1] == [("Health & Fitness",
                                                            "http://www.itunes.com/")]
    assert feed.itunes_explicit is None or feed.itunes_explicit is False
    (item,) = parsed.entries
    assert item.id == index_guid(served)
    assert item.itunes_duration.count(":") == 2
    assert item.published_parsed is not None
    (enclosure,) = item.enclosures
    audio = served.library / "media" / index_entry(served.library)["rendered"]["audio"]
    assert int(enclosure.length) == audio.stat().st_size and enclosure.type == "audio/mpeg"
    assert local_get(served, enclosure.href) == audio.read_bytes()


def index_guid(served: Served) -> str:
    from voice_coach.serve.feed import episode_guid

    library_id = json.loads((served.library / "library.json").read_text())["library_id"]
    sha256 = index_entry(served.library)["rendered"]["sha256"]
    return episode_guid(library_id, "minimal", sha256)


def test_podcasting_2_chapters_and_transcript(served: Served, feed_xml: bytes) -> None:
    from lxml import etree

    channel = etree.fromstring(feed_xml).find("channel")
    assert channel.findtext(f"{{{ITUNES_NS}}}explicit") == "false"
    assert channel.find(f"{{{ITUNES_NS}}}image").get("href") == served.url + "cover.png"
    assert channel.find(f"{{{ITUNES_NS}}}category").get("text") == "Health & Fitness"
    assert channel.findtext(f"{{{PODCAST_NS}}}locked") == "yes"
    item = channel.find("item")
    rendered = index_entry(served.library)["rendered"]
    chapters = item.find(f"{{{PODCAST_NS}}}chapters")
    assert chapters.get("type") == "application/json+chapters"
    data = json.loads(local_get(served, chapters.get("url")))
    assert data == json.loads((served.library / "media" / rendered["chapters"]).read_text())
    assert data["version"] == "1.2.0" and data["chapters"][0]["startTime"] == 0
    transcript = item.find(f"{{{PODCAST_NS}}}transcript")
    assert (transcript.get("type"), transcript.get("rel"), transcript.get("language")) == (
        "text/vtt", "captions", "en")
    vtt = local_get(served, transcript.get("url")).decode()
    assert vtt.startswith("WEBVTT\n\n1\n00:00:")
    status, headers, _ = served.request("HEAD", "/" + transcript.get("url").split("/", 3)[3])
    assert status == 200 and headers["content-type"] == "text/vtt; charset=utf-8"


def test_cover_is_a_square_png_of_at_least_1400_px(served: Served, feed_xml: bytes) -> None:
    png = local_get(served, served.url + "cover.png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert width == height >= 1400 and (depth, colour) == (8, 2)
    # Every chunk's CRC is right and the pixels decompress to the size the header promises.
    pos, idat = 8, b""
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos:pos + 4])
        kind, data = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", png[pos + 8 + length:pos + 12 + length])[0] == \
            zlib.crc32(kind + data) & 0xFFFFFFFF
        idat += data if kind == b"IDAT" else b""
        pos += 12 + length
    assert len(zlib.decompress(idat)) == height * (width * 3 + 1)


def test_feed_is_cached_with_a_validator(served: Served, feed_xml: bytes) -> None:
    status, headers, body = served.get("feed.xml")
    assert body == feed_xml and headers["cache-control"] == "no-cache"
    status, _, body = served.get("feed.xml", {"If-None-Match": headers["etag"]})
    assert status == 304 and body == b""


def test_a_re_render_with_new_audio_is_a_new_episode(tmp_path: Path) -> None:
    """Edit a routine in the library: the next serve renders it again under a new address with
    a new GUID (apps fetch it as new), deletes the old file; nothing changed, nothing moves."""
    import podcastparser

    routine = tmp_path / "mine.yaml"
    shutil.copy(MINIMAL, routine)
    data = tmp_path / "data"
    library = make_library(tmp_path / "library", data)
    from voice_coach.serve.library import Library
    from voice_coach.serve.library_edit import add, remove

    lib = Library(library)
    remove(lib, ["minimal"])
    add(lib, str(routine))

    def episode_and_files(*args: str):
        server = start_server(library, data, *args)
        try:
            feed = podcastparser.parse("x", io.BytesIO(server.get("feed.xml")[2]))
            return feed["episodes"], server.output
        finally:
            server.stop()

    (first,), output = episode_and_files()
    assert "Rendering 1 of 1: mine" in output
    (again,), output = episode_and_files()
    assert not any(line.startswith("Rendering") for line in output)  # nothing missing
    assert _file_of(again) == _file_of(first)  # the same file (the port is new each run)
    assert again["guid"] == first["guid"]
    routine.write_text(routine.read_text().replace("- exercise: Ankle pumps",
                                                   "- exercise: Ankle pumps\n    reps: 5"))
    (changed,), output = episode_and_files()
    assert "Rendering 1 of 1: mine" in output
    assert changed["guid"] != first["guid"]
    assert _file_of(changed) != _file_of(first)
    assert changed["total_time"] < first["total_time"]
    assert not (library / "media" / _file_of(first)).exists()
    assert sorted(p.name.split(".", 2)[2] for p in (library / "media").iterdir()) == [
        "chapters.json", "mp3", "transcript.json", "vtt"]


def _file_of(episode: dict) -> str:
    return episode["enclosures"][0]["url"].rsplit("/", 1)[1]


def test_channel_owner_guid_locked_and_self_link_read_by_both_parsers(
        served: Served, feed_xml: bytes) -> None:
    import feedparser
    import podcastparser

    from voice_coach.serve.feed import podcast_guid

    # The Podcasting 2.0 spec's own example: scheme and trailing slash off, UUIDv5.
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml/") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810")
    feed_url = served.url + "feed.xml"
    parsed = feedparser.parse(feed_xml).feed
    assert parsed.podcast_guid == podcast_guid(feed_url)
    owner = parsed.publisher_detail
    assert owner["name"] == "voice-coach" and owner["email"].startswith("voice-coach@")
    assert parsed.podcast_locked == {"owner": owner["email"]}
    assert {"href": feed_url, "rel": "self", "type": "application/rss+xml"} in parsed.links
    channel = podcastparser.parse(feed_url, io.BytesIO(feed_xml))
    assert channel["itunes_owner"] == {"name": "voice-coach", "email": owner["email"]}
    assert channel["type"] == "episodic"
    from lxml import etree

    assert etree.fromstring(feed_xml).find("channel").find(
        f"{{{PODCAST_NS}}}locked").text == "yes"


def test_chapters_hold_the_chapters_and_the_cues_go_to_the_transcripts(
        served: Served, feed_xml: bytes) -> None:
    import podcastparser
    from lxml import etree

    xml_item = etree.fromstring(feed_xml).find("channel").find("item")
    chapters = json.loads(local_get(served, xml_item.find(f"{{{PODCAST_NS}}}chapters")
                                    .get("url")))
    titles = [c["title"] for c in chapters["chapters"]]
    assert titles == ["Set 1 of 3", "Rest", "Set 2 of 3", "Rest", "Set 3 of 3"]
    assert all(set(c) == {"startTime", "title"} for c in chapters["chapters"])
    (episode,) = podcastparser.parse("x", io.BytesIO(feed_xml))["episodes"]
    assert [c["title"] for c in episode["chapters"]] == titles
    transcripts = {t.get("type"): t.get("url")
                   for t in xml_item.findall(f"{{{PODCAST_NS}}}transcript")}
    assert set(transcripts) == {"text/vtt", "application/json"}
    vtt = local_get(served, transcripts["text/vtt"]).decode()
    segments = json.loads(local_get(served, transcripts["application/json"]))["segments"]
    assert vtt.count(" --> ") == len(segments) > len(titles)
    assert all(s["startTime"] < s["endTime"] and s["body"] for s in segments)
    assert [s["body"] for s in segments] == [
        block.split("\n", 2)[2] for block in vtt.strip().split("\n\n")[1:]]
