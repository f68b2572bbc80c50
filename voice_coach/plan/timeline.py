"""The timeline: the contract between the composer and the renderer.

An immutable, ordered sequence of events at integer millisecond positions, plus chapters.
Pure data and pure conversions (to JSON, to readable text); no audio, no engines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from voice_coach.lang.counted import counted

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
    kind: str = "section"  # intro | set | rest | breathing | pause | outro | section | repeat

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
    language: str = "en"  # the language of its texts and chapter titles (a routine's code)

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
            "language": self.language,
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


def to_text(timeline: Timeline, counts: dict[str, str] | None = None) -> str:
    """The plan as readable text: one line per chapter and event, times as m:ss.mmm.

    counts: the header's words in the session's language ({"length_label", "cues", "tones"},
    see cli.summary.counts); None for English."""
    if counts is None:
        counts = {"length_label": "length",
                  "cues": counted(len(timeline.speech()), "{n} spoken cue", "{n} spoken cues"),
                  "tones": counted(len(timeline.tones()), "{n} tone", "{n} tones")}
    lines = [
        f"# {timeline.title} ({timeline.routine})",
        f"# {counts['length_label']} {format_clock_ms(timeline.duration_ms)} "
        f"({timeline.duration_ms} ms), {counts['cues']}, {counts['tones']}",
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


def repeat(timeline: Timeline, every_ms: int, total_ms: int, words: Any = None) -> Timeline:
    """The session played at 0, every_ms, 2 * every_ms, … while a start falls before total_ms:
    one file for a long flight, the routine once an hour with silence between.

    Events move by whole milliseconds (exact, no drift); the chapters become one per repetition
    ("Hour 2 — In-flight ankle pumps"); the result lasts total_ms, or until the last repetition
    ends if that is later. Raises ValueError when every_ms is shorter than the session (the
    repetitions would overlap) or total_ms is not positive.
    words: the titles' language, an object with repeat_title(index, start_ms, every_ms, title)
    and repeat_heading(title, every_ms, total_ms) (voice_coach.lang.Words); None: English.
    """
    if every_ms < timeline.duration_ms:
        raise ValueError(f"every_ms {every_ms} is shorter than the session "
                         f"({timeline.duration_ms} ms)")
    if total_ms <= 0:
        raise ValueError(f"total_ms must be positive, got {total_ms}")
    starts = range(0, total_ms, every_ms)
    events = tuple(
        Event(e.start_ms + start, e.duration_ms, e.kind, e.text, e.tone, e.layer, e.set, e.rep,
              e.phase)
        for start in starts for e in timeline.events
    )
    title_of = words.repeat_title if words is not None else repeat_title
    chapters = tuple(Chapter(start, title_of(k, start, every_ms, timeline.title), "repeat")
                     for k, start in enumerate(starts))
    heading = words.repeat_heading(timeline.title, every_ms, total_ms) if words is not None \
        else f"{timeline.title}, every {span_words(every_ms, one=True)} for {span_words(total_ms)}"
    return Timeline(
        routine=timeline.routine, title=heading,
        duration_ms=max(total_ms, starts[-1] + timeline.duration_ms),
        events=events, chapters=chapters, sample_rate=timeline.sample_rate,
        fade_out_ms=timeline.fade_out_ms, language=timeline.language,
    )


def repeat_title(index: int, start_ms: int, every_ms: int, title: str) -> str:
    """A repetition's chapter title: "Hour 3 — title" when repeating on whole hours, else
    "Round 3 (0:20:00) — title"."""
    if every_ms % 3_600_000 == 0:
        return f"Hour {start_ms // 3_600_000 + 1} — {title}"
    seconds = start_ms // 1000
    clock = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return f"Round {index + 1} ({clock}) — {title}"


def span_words(ms: int, *, one: bool = False) -> str:
    """A span in words: "6 hours", "90 minutes", "45 seconds"; one=True says "hour", not
    "1 hour" ("every hour")."""
    for unit_ms, unit in ((3_600_000, "hour"), (60_000, "minute"), (1000, "second")):
        if ms % unit_ms == 0 or (unit == "second" and ms >= 1000):
            count = ms / unit_ms
            text = f"{count:g}"
            if count == 1:
                return unit if one else f"1 {unit}"
            return f"{text} {unit}s"
    return f"{ms} ms"
