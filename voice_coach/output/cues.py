"""Read-along sidecars: every spoken cue at its exact time, as WebVTT, SubRip, LRC or JSON
(Podcasting 2.0 JSON chapters: the chapters, then the cues as entries kept out of the table of
contents).

Pure: a timeline in, text out; cues come from the plan, never from the audio. Writes no files.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from voice_coach.basics.errors import escape_controls
from voice_coach.lang import words_for
from voice_coach.plan.timeline import Event, Timeline

CUE_FORMATS = ("vtt", "srt", "lrc", "json")
JSON_CHAPTERS_VERSION = "1.2.0"


def sidecar_path(audio_path: Path, fmt: str) -> Path:
    """The sidecar beside the audio file: same folder, same stem, the format as extension."""
    return Path(audio_path).with_suffix(f".{fmt}")


def cue_text(timeline: Timeline, fmt: str, *, audio_name: str = "") -> str:
    """The timeline's spoken cues as a sidecar in `fmt` (one of CUE_FORMATS); any control
    character is written as an escape (\\x1b), never as itself."""
    timeline = dataclasses.replace(
        timeline, title=escape_controls(timeline.title),
        chapters=tuple(dataclasses.replace(c, title=escape_controls(c.title))
                       for c in timeline.chapters))
    speech = sorted((dataclasses.replace(e, text=escape_controls(e.text))
                     for e in timeline.speech()), key=lambda e: e.start_ms)
    audio_name = escape_controls(audio_name)
    if fmt == "vtt":
        return to_vtt(speech)
    if fmt == "srt":
        return to_srt(speech)
    if fmt == "lrc":
        return to_lrc(speech, timeline)
    if fmt == "json":
        return to_json(speech, timeline, audio_name)
    raise ValueError(f"unknown cue format {fmt!r}; known: {', '.join(CUE_FORMATS)}")


def to_vtt(speech: list[Event]) -> str:
    blocks = ["WEBVTT"]
    for i, e in enumerate(speech, 1):
        text = e.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{i}\n{_clock(e.start_ms, '.')} --> {_clock(e.end_ms, '.')}\n{text}")
    return "\n\n".join(blocks) + "\n"


def to_srt(speech: list[Event]) -> str:
    blocks = [f"{i}\n{_clock(e.start_ms, ',')} --> {_clock(e.end_ms, ',')}\n{e.text}"
              for i, e in enumerate(speech, 1)]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def to_lrc(speech: list[Event], timeline: Timeline) -> str:
    """LRC: [mm:ss.xx] lines (LRC counts hundredths, so times are cut to 10 ms)."""
    length_s = timeline.duration_ms // 1000
    lines = [f"[ti:{timeline.title}]", "[ar:voice-coach]",
             f"[length:{length_s // 60:02d}:{length_s % 60:02d}]"]
    lines += [f"[{_lrc_time(e.start_ms)}]{e.text}" for e in speech]
    return "\n".join(lines) + "\n"


def to_json(speech: list[Event], timeline: Timeline, audio_name: str = "") -> str:
    """Podcasting 2.0 JSON chapters: each chapter (in the table of contents), then every cue as
    an entry with "toc": false and its end time, all in order of start time."""
    entries = [(c.start_ms, 0, {"startTime": c.start_ms / 1000, "title": c.title})
               for c in timeline.chapters]
    entries += [(e.start_ms, 1, {"startTime": e.start_ms / 1000, "endTime": e.end_ms / 1000,
                                 "title": e.text, "toc": False}) for e in speech]
    doc: dict = {"version": JSON_CHAPTERS_VERSION, "title": timeline.title,
                 "author": "voice-coach"}
    if audio_name:
        doc["fileName"] = audio_name
    words = words_for(timeline.language)
    doc["description"] = words.format(
        words.t.pgettext("cues", "Every spoken cue of {title} ({length})."),
        {"title": timeline.title, "length": words.length(timeline.duration_ms)})
    doc["chapters"] = [entry for _, _, entry in sorted(entries, key=lambda t: (t[0], t[1]))]
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _clock(ms: int, separator: str) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"


def _lrc_time(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes:02d}:{seconds:02d}.{millis // 10:02d}"
