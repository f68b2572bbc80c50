"""What a served episode carries beside its audio: the chapters (Podcasting 2.0 JSON chapters,
the chapters only, for apps' chapter lists) and the transcript of every spoken cue (WebVTT and
Podcasting 2.0 JSON transcript), and the content-named files they are kept in.

Pure: a timeline in, text out; names from bytes. Writes no files (build.py does).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata

from voice_coach.basics.errors import escape_controls
from voice_coach.plan.timeline import Timeline

CHAPTERS_VERSION = "1.2.0"
TRANSCRIPT_VERSION = "1.0.0"
HASH_CHARS = 12
# The kinds of file an episode has in media/, by the name's ending after KEY.HASH.
KINDS = {"audio": ".mp3", "chapters": ".chapters.json", "transcript": ".vtt",
         "transcript_json": ".transcript.json"}
MEDIA_NAME = re.compile(r"^(?P<key>[a-z0-9][a-z0-9-]*)\.(?P<hash>[0-9a-f]{12})"
                        r"(?P<kind>\.mp3|\.chapters\.json|\.vtt|\.transcript\.json|\.json)$")


def content_name(key: str, data: bytes | str, kind: str) -> str:
    """KEY.HASH.EXT: the file's name follows its bytes (the same bytes, the same address)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return f"{key}.{hashlib.sha256(raw).hexdigest()[:HASH_CHARS]}{KINDS[kind]}"


def name_for_digest(key: str, sha256_hex: str, kind: str) -> str:
    return f"{key}.{sha256_hex[:HASH_CHARS]}{KINDS[kind]}"


def kind_of(name: str) -> tuple[str, str] | None:
    """(key, kind) of a name the library makes in media/, None for any other name. The old
    single ".json" (chapters with every cue in them) counts as chapters."""
    match = MEDIA_NAME.match(name)
    if match is None:
        return None
    ending = match["kind"]
    kind = next((k for k, e in KINDS.items() if e == ending), "chapters")
    return match["key"], kind


def chapters_json(timeline: Timeline, *, audio_name: str = "") -> str:
    """Podcasting 2.0 JSON chapters holding the session's chapters only (apps such as
    AntennaPod list every entry, whatever its "toc")."""
    doc: dict = {"version": CHAPTERS_VERSION, "title": escape_controls(timeline.title),
                 "author": "voice-coach"}
    if audio_name:
        doc["fileName"] = audio_name
    doc["chapters"] = [{"startTime": c.start_ms / 1000, "title": escape_controls(c.title)}
                       for c in timeline.chapters]
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def transcript_json(timeline: Timeline) -> str:
    """The spoken cues as a Podcasting 2.0 JSON transcript (segments with start, end, body)."""
    segments = [{"startTime": e.start_ms / 1000, "endTime": e.end_ms / 1000,
                 "body": escape_controls(e.text)}
                for e in sorted(timeline.speech(), key=lambda e: e.start_ms)]
    return json.dumps({"version": TRANSCRIPT_VERSION, "segments": segments}, indent=1,
                      ensure_ascii=False) + "\n"


def download_name(title: str, extension: str = ".mp3") -> str:
    """A file name a person reads: the episode's title ("Ankle pumps, seated.mp3"), without
    characters file systems refuse."""
    text = unicodedata.normalize("NFC", title)
    text = re.sub(r'[\x00-\x1f\x7f/\\:*?"<>|]+', " ", text)
    text = re.sub(r"\s+", " ", text).strip(" .") or "session"
    return text[:120].rstrip(" .") + extension


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """The Content-Disposition header (RFC 6266): an ASCII filename for old clients and
    filename* (RFC 8187, UTF-8) with the real one when it is not plain ASCII."""
    from urllib.parse import quote

    ascii_name = (unicodedata.normalize("NFKD", filename).encode("ascii", "ignore")
                  .decode("ascii").replace("\\", "").replace('"', "")) or "session"
    value = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value
