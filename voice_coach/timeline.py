"""The timeline: the contract between the composer and the renderer.

An immutable, ordered sequence of events at integer millisecond positions, plus chapters.
Pure data and pure conversions (to JSON, to readable text); no audio, no engines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SAMPLE_RATE = 22050


def ms_to_frames(ms: int, sample_rate: int = SAMPLE_RATE) -> int:
    """Frame index of a millisecond position (floor), exact integer arithmetic."""
    return ms * sample_rate // 1000


def frames_to_ms(n_frames: int, sample_rate: int = SAMPLE_RATE) -> int:
    """Smallest whole number of milliseconds that holds `n_frames` frames (ceiling)."""
    return -(-n_frames * 1000 // sample_rate)


@dataclass(frozen=True)
class Event:
    """One sound at an exact time.

    kind: "speech" (text is spoken) or "tone" (tone names a tone: rise, fall, tick, chime, ...).
    layer: "cue" for the guiding sounds, which must never overlap each other; "metronome" for
    the beat of a pump-style set, which the routine asked to run under the cues.
    set/rep/phase: where in the routine the event belongs (0 / "" when outside a set).
    """

    start_ms: int
    duration_ms: int
    kind: str
    text: str = ""
    tone: str = ""
    layer: str = "cue"
    set: int = 0
    rep: int = 0
    phase: str = ""

    @property
    def end_ms(self) -> int:
        return self.start_ms + self.duration_ms

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start_ms": self.start_ms,
            "duration_ms": self.duration_ms,
            "kind": self.kind,
        }
        if self.kind == "speech":
            out["text"] = self.text
        else:
            out["tone"] = self.tone
        if self.layer != "cue":
            out["layer"] = self.layer
        if self.set:
            out["set"] = self.set
        if self.rep:
            out["rep"] = self.rep
        if self.phase:
            out["phase"] = self.phase
        return out


@dataclass(frozen=True)
class Chapter:
    """A section people can skip to: the intro, each set, a rest, breathing, the outro."""

    start_ms: int
    title: str
    kind: str = "section"  # intro | set | rest | breathing | pause | outro | section

    def to_json(self) -> dict[str, Any]:
        return {"start_ms": self.start_ms, "title": self.title, "kind": self.kind}


@dataclass(frozen=True)
class Timeline:
    """A whole session: every event placed, its exact length and its chapters."""

    routine: str
    title: str
    duration_ms: int
    events: tuple[Event, ...]
    chapters: tuple[Chapter, ...]
    sample_rate: int = SAMPLE_RATE
    fade_out_ms: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def n_frames(self) -> int:
        return ms_to_frames(self.duration_ms, self.sample_rate)

    def speech(self) -> list[Event]:
        return [e for e in self.events if e.kind == "speech"]

    def tones(self) -> list[Event]:
        return [e for e in self.events if e.kind == "tone"]

    def chapter_end_ms(self, index: int) -> int:
        """End of chapter `index`: the next chapter's start, or the session's end."""
        if index + 1 < len(self.chapters):
            return self.chapters[index + 1].start_ms
        return self.duration_ms

    def chapter_at(self, position_ms: int) -> int:
        """Index of the chapter playing at `position_ms` (0 before the first one starts)."""
        index = 0
        for i, chapter in enumerate(self.chapters):
            if chapter.start_ms <= position_ms:
                index = i
        return index

    def to_json(self) -> dict[str, Any]:
        return {
            "routine": self.routine,
            "title": self.title,
            "sample_rate": self.sample_rate,
            "duration_ms": self.duration_ms,
            "events": [e.to_json() for e in self.events],
            "chapters": [c.to_json() for c in self.chapters],
        }

    def to_json_text(self) -> str:
        return json.dumps(self.to_json(), indent=1, ensure_ascii=False) + "\n"


def format_clock_ms(ms: int) -> str:
    """`ms` as m:ss.mmm (or h:mm:ss.mmm past an hour), for plans and messages."""
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}.{millis:03d}"
    return f"{minutes}:{seconds:02d}.{millis:03d}"


def format_length_ms(ms: int) -> str:
    """A human length: '7 min 12 s', '45 s', '1 h 02 min'."""
    seconds = round(ms / 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {seconds:02d} s"
    return f"{seconds} s"


def to_text(timeline: Timeline) -> str:
    """The plan as readable text: one line per chapter and event, times as m:ss.mmm."""
    lines = [
        f"# {timeline.title} ({timeline.routine})",
        f"# length {format_clock_ms(timeline.duration_ms)} ({timeline.duration_ms} ms), "
        f"{len(timeline.speech())} spoken cues, {len(timeline.tones())} tones",
    ]
    chapters = list(timeline.chapters)
    for event in timeline.events:
        while chapters and chapters[0].start_ms <= event.start_ms:
            chapter = chapters.pop(0)
            lines.append(f"{format_clock_ms(chapter.start_ms)}  == {chapter.title} ==")
        what = f'"{event.text}"' if event.kind == "speech" else event.tone
        layer = "  (metronome)" if event.layer != "cue" else ""
        lines.append(
            f"{format_clock_ms(event.start_ms)}  {event.kind:<6} {event.duration_ms:>5} ms  "
            f"{what}{layer}"
        )
    for chapter in chapters:
        lines.append(f"{format_clock_ms(chapter.start_ms)}  == {chapter.title} ==")
    lines.append(f"{format_clock_ms(timeline.duration_ms)}  end")
    return "\n".join(lines) + "\n"


def overlaps(events: tuple[Event, ...] | list[Event]) -> list[tuple[Event, Event]]:
    """Pairs of cue-layer events that sound at the same time (should be none)."""
    cues = sorted((e for e in events if e.layer == "cue"), key=lambda e: e.start_ms)
    found = []
    for before, after in zip(cues, cues[1:]):
        if after.start_ms < before.end_ms:
            found.append((before, after))
    return found
