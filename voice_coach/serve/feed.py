"""The podcast feed: RSS 2.0 with the iTunes tags podcast apps require, made by feedgen, plus
what feedgen lacks: Podcasting 2.0 `podcast:chapters` and `podcast:transcript`, `podcast:locked`,
Podlove Simple Chapters inline (for gPodder and feedparser), and `itunes:explicit` as "false".

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
CHAPTERS_TYPE = "application/json+chapters"  # as the podcast namespace names it
EPOCH = datetime(2020, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Episode:
    """A rendered entry and its chapters (start in ms, title), as the feed and page show it."""

    entry: Entry
    chapters: tuple[tuple[int, str], ...] = ()

    @property
    def key(self) -> str:
        return self.entry.key


def episode_guid(library_id: str, key: str) -> str:
    """The episode's GUID: the same for a library entry for ever, re-rendered or not."""
    return f"urn:uuid:{uuid5(UUID(library_id), key)}"


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
    where = f" on {host_name}" if host_name else ""
    fg.title(FEED_TITLE)
    fg.link(href=f"{base_url}feed.xml", rel="self")
    fg.link(href=base_url, rel="alternate")  # feedgen takes the last link as RSS <link>
    fg.description(f"Voice-guided exercise sessions made by voice-coach{where}, served on "
                   "your home network: ankle pumps, breathing and the routines you added.")
    fg.language(feed_language(rendered))
    fg.image(url=f"{base_url}cover.png", title=FEED_TITLE, link=base_url)
    fg.generator("voice-coach")
    fg.lastBuildDate(max((_date(e.entry.rendered.rendered_at) for e in rendered  # type: ignore
                          ), default=EPOCH))
    fg.podcast.itunes_author(AUTHOR)
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
    item.guid(episode_guid(library_id, entry.key), permalink=False)
    item.link(href=f"{base_url}#{quote(entry.key)}")
    item.description(f"{r.about}\n\n{r.description}" if r.about else r.description)
    item.pubDate(_date(entry.added_at))
    item.enclosure(media_url(base_url, r.audio), str(r.size_bytes), "audio/mpeg")
    item.podcast.itunes_duration(_duration(r.duration_ms))
    item.podcast.itunes_summary(r.about or r.title)
    item.podcast.itunes_episode_type("full")
    item.pc20.chapters_url = media_url(base_url, r.chapters)
    item.pc20.transcript_url = media_url(base_url, r.transcript)
    item.pc20.language = r.language
    item.pc20.chapters = episode.chapters


class _FeedExtension:
    """Channel tags: the podcast and psc namespaces, itunes:explicit, podcast:locked."""

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "psc": PSC_NS}

    def extend_rss(self, rss):
        from lxml import etree

        channel = rss[0]
        etree.SubElement(channel, f"{{{ITUNES_NS}}}explicit").text = "false"
        # A private feed: platforms that index feeds must not import it.
        etree.SubElement(channel, f"{{{PODCAST_NS}}}locked").text = "yes"
        return rss

    def extend_atom(self, feed):
        return feed


class _EntryExtension:
    """Item tags: podcast:chapters, podcast:transcript and psc:chapters."""

    def __init__(self) -> None:
        self.chapters_url = ""
        self.transcript_url = ""
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
