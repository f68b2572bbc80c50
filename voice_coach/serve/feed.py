"""The podcast feed: RSS 2.0 with the iTunes tags podcast apps require (itunes:owner included),
made by feedgen, plus what feedgen lacks: Podcasting 2.0 `podcast:chapters`,
`podcast:transcript` (WebVTT and JSON), `podcast:guid`, `podcast:locked` with its owner, Podlove
Simple Chapters inline (for gPodder and feedparser), `itunes:explicit` as "false" and the
type of the atom:link to the feed itself.

Pure: episodes and the address they are served under in, XML bytes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote
from uuid import UUID, uuid5

from .library import Entry

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PSC_NS = "http://podlove.org/simple-chapters"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
FEED_TITLE = "voice-coach sessions"
AUTHOR = "voice-coach"
CATEGORY = ("Health & Fitness", "Fitness")
ATOM_NS = "http://www.w3.org/2005/Atom"
CHAPTERS_TYPE = "application/json+chapters"  # as the podcast namespace names it
TRANSCRIPT_JSON_TYPE = "application/json"
EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)
# The Podcasting 2.0 namespace for podcast:guid (UUIDv5 of the feed URL without its scheme).
PODCAST_GUID_NS = UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")


@dataclass(frozen=True)
class Episode:
    """A rendered entry and its chapters (start in ms, title), as the feed and page show it."""

    entry: Entry
    chapters: tuple[tuple[int, str], ...] = ()

    @property
    def key(self) -> str:
        return self.entry.key


def episode_guid(library_id: str, key: str, audio_sha256: str = "") -> str:
    """The episode's GUID: it follows the audio, so a re-render that changes the sound is a
    new episode podcast apps fetch, and one that gives the same bytes is the same episode."""
    name = f"{key}:{audio_sha256}" if audio_sha256 else key
    return f"urn:uuid:{uuid5(UUID(library_id), name)}"


def podcast_guid(feed_url: str) -> str:
    """The channel's podcast:guid (Podcasting 2.0): UUIDv5 of the feed URL with the scheme and
    trailing slashes taken off, in the podcast namespace."""
    bare = feed_url.split("://", 1)[-1].rstrip("/")
    return str(uuid5(PODCAST_GUID_NS, bare))


def owner_email(host_name: str) -> str:
    """Where itunes:owner and podcast:locked point: this computer's voice-coach (a private
    feed has no public address to give)."""
    import re

    host = re.sub(r"[^a-z0-9-]+", "-", host_name.lower()).strip("-")
    return f"voice-coach@{host}.local" if host else "voice-coach@localhost"


def media_url(base_url: str, name: str) -> str:
    return f"{base_url}media/{quote(name)}"


def feed_language(episodes: Sequence[Episode]) -> str:
    """The language most episodes are in ("en" when there are none)."""
    counts: dict[str, int] = {}
    for e in episodes:
        if e.entry.rendered:
            counts[e.entry.rendered.language] = counts.get(e.entry.rendered.language, 0) + 1
    return max(sorted(counts), key=counts.__getitem__) if counts else "en"


def build_feed(episodes: Sequence[Episode], base_url: str, *, library_id: str,
               host_name: str = "") -> bytes:
    """The RSS feed of the rendered `episodes`, every URL under `base_url` (ending in "/").

    Unrendered entries are left out. Same input, same bytes (no clock is read).
    """
    from feedgen.feed import FeedGenerator

    rendered = [e for e in episodes if e.entry.rendered is not None]
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("pc20", _FeedExtension, _EntryExtension)
    fg.pc20.owner = owner_email(host_name)
    fg.pc20.guid = podcast_guid(f"{base_url}feed.xml")
    where = f" on {host_name}" if host_name else ""
    fg.title(FEED_TITLE)
    fg.link(href=f"{base_url}feed.xml", rel="self", type="application/rss+xml")
    fg.link(href=base_url, rel="alternate")  # feedgen takes the last link as RSS <link>
    fg.description(f"Voice-guided exercise sessions made by voice-coach{where}, served on "
                   "your home network: ankle pumps, breathing and the routines you added.")
    fg.language(feed_language(rendered))
    fg.image(url=f"{base_url}cover.png", title=FEED_TITLE, link=base_url)
    fg.generator("voice-coach")
    fg.lastBuildDate(max((_date(e.entry.rendered.rendered_at) for e in rendered  # type: ignore
                          ), default=EPOCH))
    fg.podcast.itunes_author(AUTHOR)
    fg.podcast.itunes_owner(AUTHOR, owner_email(host_name))
    fg.podcast.itunes_category(*CATEGORY)
    fg.podcast.itunes_image(f"{base_url}cover.png")
    fg.podcast.itunes_summary(fg.description())
    fg.podcast.itunes_type("episodic")
    for episode in sorted(rendered, key=lambda e: (e.entry.added_at, e.key)):
        _add_item(fg, episode, base_url, library_id)
    return fg.rss_str(pretty=True, encoding="UTF-8")


def _add_item(fg, episode: Episode, base_url: str, library_id: str) -> None:
    entry = episode.entry
    r = entry.rendered
    if r is None:
        return
    item = fg.add_entry()
    item.title(r.title)
    item.guid(episode_guid(library_id, entry.key, r.sha256), permalink=False)
    item.link(href=f"{base_url}#{quote(entry.key)}")
    item.description(f"{r.about}\n\n{r.description}" if r.about else r.description)
    item.pubDate(_date(r.published_at or entry.added_at))
    item.enclosure(media_url(base_url, r.audio), str(r.size_bytes), "audio/mpeg")
    item.podcast.itunes_duration(_duration(r.duration_ms))
    item.podcast.itunes_summary(r.about or r.title)
    item.podcast.itunes_episode_type("full")
    item.pc20.chapters_url = media_url(base_url, r.chapters)
    item.pc20.transcript_url = media_url(base_url, r.transcript)
    if r.transcript_json:
        item.pc20.transcript_json_url = media_url(base_url, r.transcript_json)
    item.pc20.language = r.language
    item.pc20.chapters = episode.chapters


class _FeedExtension:
    """Channel tags: the podcast and psc namespaces, itunes:explicit, podcast:locked with its
    owner, podcast:guid, and the atom:link's type."""

    def __init__(self) -> None:
        self.owner = ""
        self.guid = ""

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "psc": PSC_NS}

    def extend_rss(self, rss):
        from lxml import etree

        channel = rss[0]
        etree.SubElement(channel, f"{{{ITUNES_NS}}}explicit").text = "false"
        # A private feed: platforms that index feeds must not import it.
        locked = etree.SubElement(channel, f"{{{PODCAST_NS}}}locked")
        locked.text = "yes"
        if self.owner:
            locked.set("owner", self.owner)
        if self.guid:
            etree.SubElement(channel, f"{{{PODCAST_NS}}}guid").text = self.guid
        for link in channel.findall(f"{{{ATOM_NS}}}link"):
            if link.get("rel") == "self":
                link.set("type", "application/rss+xml")
        return rss

    def extend_atom(self, feed):
        return feed


class _EntryExtension:
    """Item tags: podcast:chapters, podcast:transcript and psc:chapters."""

    def __init__(self) -> None:
        self.chapters_url = ""
        self.transcript_url = ""
        self.transcript_json_url = ""
        self.language = ""
        self.chapters: tuple[tuple[int, str], ...] = ()

    def extend_ns(self) -> dict[str, str]:
        return {}

    def extend_rss(self, item):
        from lxml import etree

        if self.chapters_url:
            etree.SubElement(item, f"{{{PODCAST_NS}}}chapters", url=self.chapters_url,
                             type=CHAPTERS_TYPE)
        if self.transcript_url:
            attrs = {"url": self.transcript_url, "type": "text/vtt", "rel": "captions"}
            if self.language:
                attrs["language"] = self.language
            etree.SubElement(item, f"{{{PODCAST_NS}}}transcript", **attrs)
        if self.transcript_json_url:
            attrs = {"url": self.transcript_json_url, "type": TRANSCRIPT_JSON_TYPE}
            if self.language:
                attrs["language"] = self.language
            etree.SubElement(item, f"{{{PODCAST_NS}}}transcript", **attrs)
        if self.chapters:
            group = etree.SubElement(item, f"{{{PSC_NS}}}chapters", version="1.2")
            for start_ms, title in self.chapters:
                etree.SubElement(group, f"{{{PSC_NS}}}chapter", start=_npt(start_ms),
                                 title=title)
        return item

    def extend_atom(self, entry):
        return entry


def _date(iso: str) -> datetime:
    try:
        when = datetime.fromisoformat(iso)
    except ValueError:
        return EPOCH
    return when if when.tzinfo else when.replace(tzinfo=timezone.utc)


def _duration(ms: int) -> str:
    seconds = round(ms / 1000)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _npt(ms: int) -> str:
    """Normal Play Time, as Podlove Simple Chapters want it: HH:MM:SS.mmm."""
    seconds, millis = divmod(ms, 1000)
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}.{millis:03d}"
