"""What a phone player shows: title, artist, album, track, genre, a comment summarising the
routine, and the chapters, as ffmpeg metadata text, ID3v2.3 bytes and Vorbis chapter comments.

Pure: a routine and its timeline in, text and bytes out. Nothing that changes from run to run
(no dates, no versions), so the same routine gives the same bytes. Writes no files. The album and
the comment are in the routine's language (voice_coach.lang), like its title and chapters.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from voice_coach.basics.errors import escape_controls
from voice_coach.lang import Words, get_language, words_for
from voice_coach.plan.timeline import Timeline
from voice_coach.routine import Breathe, Exercise, Routine

ARTIST = "voice-coach"
ALBUM = "voice-coach"
GENRE = "Fitness"
MAX_TOC_ENTRIES = 255  # an ID3 CTOC frame counts its entries in one byte


@dataclass(frozen=True)
class ChapterMark:
    start_ms: int
    end_ms: int
    title: str


@dataclass(frozen=True)
class Tags:
    """The metadata of one audio file. track: "3" or "3/7"."""

    title: str
    comment: str
    chapters: tuple[ChapterMark, ...]
    duration_ms: int
    track: str = "1"
    album: str = ALBUM
    artist: str = ARTIST
    genre: str = GENRE
    language: str = "eng"  # ISO 639-2 code of the comment's language (ID3 COMM)


def tags_for(routine: Routine, timeline: Timeline, *, track: str = "1", album: str | None = None,
             repeat_note: str = "") -> Tags:
    """The tags of a rendered session: its title, chapters and a one-paragraph comment, in the
    routine's language.

    album: None for the language's own ("voice-coach" in English).
    repeat_note: how the routine repeats in a flight track ("Every hour for 6 hours"), or "".
    """
    words = words_for(routine.language)
    marks = tuple(
        ChapterMark(c.start_ms, timeline.chapter_end_ms(i), escape_controls(c.title))
        for i, c in enumerate(timeline.chapters)
        if timeline.chapter_end_ms(i) > c.start_ms
    )
    # Routine text is checked to be printable; the routine's name comes from its file's name.
    return Tags(title=escape_controls(timeline.title),
                comment=escape_controls(describe(routine, timeline, repeat_note)),
                chapters=marks, duration_ms=timeline.duration_ms, track=track,
                album=album if album is not None else words.t.pgettext("tags", "voice-coach"),
                language=get_language(routine.language).iso639_2)


def describe(routine: Routine, timeline: Timeline, repeat_note: str = "") -> str:
    """A comment for the file: what the routine does, how long it lasts, what it holds."""
    words = words_for(routine.language)
    t = words.t
    parts = [_describe_step(words, step) for step in routine.steps]
    body = "; ".join(p for p in parts if p)
    if repeat_note:
        body = words.format(t.pgettext("comment", "{note}: {steps}"),
                            {"note": repeat_note, "steps": body})
    n_cues, n_chapters = len(timeline.speech()), len(timeline.chapters)
    if routine.dose_note:
        body = words.format(t.pgettext("comment", "{note}: {steps}"),
                            {"note": routine.dose_note.rstrip(". "), "steps": body})
    return words.format(t.pgettext(
        "comment", "{title}. {steps}. {length}, {cues}, {chapters}. Made with voice-coach from "
        "the routine '{name}'."), {
        "title": routine.title, "steps": body, "length": words.length(timeline.duration_ms),
        "cues": words.format(t.npgettext("comment", "{n} spoken cue", "{n} spoken cues",
                                         n_cues), {"n": n_cues}),
        "chapters": words.format(t.npgettext("comment", "{n} chapter", "{n} chapters",
                                             n_chapters), {"n": n_chapters}),
        "name": routine.name})


def _describe_step(words: Words, step: object) -> str:
    t = words.t
    if isinstance(step, Exercise):
        if step.style == "pump":
            how = words.format(t.pgettext("comment", "pumped at {cadence} a minute"),
                               {"cadence": step.cadence_per_min})
        else:
            holds = words.list_text([words.seconds(p.hold_ms / 1000) for p in step.phases])
            how = words.format(t.pgettext("comment", "holds of {holds}"), {"holds": holds})
        if step.rest_ms and step.sets > 1:
            how = words.format(t.pgettext("comment", "{how}, {rest} rests"),
                               {"how": how, "rest": words.seconds(step.rest_ms / 1000)})
        return words.format(t.npgettext("comment", "{sets} x {reps} rep of {name} ({how})",
                                        "{sets} x {reps} reps of {name} ({how})", step.reps),
                            {"sets": step.sets, "reps": step.reps,
                             "name": words.mid_sentence(step.name), "how": how})
    if isinstance(step, Breathe):
        counts = [step.inhale_ms, step.hold_ms, step.exhale_ms, step.hold_out_ms]
        pattern = "-".join(f"{ms / 1000:g}" for ms in counts if ms)
        return words.format(t.npgettext("comment", "{cycles} breath of {name} ({pattern} s)",
                                        "{cycles} breaths of {name} ({pattern} s)",
                                        step.cycles),
                            {"cycles": step.cycles, "name": words.mid_sentence(step.name),
                             "pattern": pattern})
    return ""


# ---------------------------------------------------------------------------------------------
# ffmpeg's metadata file (M4A, Ogg, FLAC).


def ffmetadata(tags: Tags, *, chapter_comments: bool = False) -> str:
    """The tags as an ffmpeg FFMETADATA1 file: chapters as [CHAPTER] sections, or with
    chapter_comments as Vorbis CHAPTERxxx comments instead (Ogg and FLAC: ffmpeg 5.1's FLAC
    muxer drops [CHAPTER]s, and its Ogg muxer rounds their seconds, so 22.549 s became 23.549)."""
    fields = {
        "title": tags.title, "artist": tags.artist, "album": tags.album, "track": tags.track,
        "genre": tags.genre, "comment": tags.comment,
    }
    if chapter_comments:
        fields.update(vorbis_chapters(tags))
    lines = [";FFMETADATA1"] + [f"{key}={_escape(value)}" for key, value in fields.items()]
    for mark in () if chapter_comments else tags.chapters:
        lines += ["", "[CHAPTER]", "TIMEBASE=1/1000", f"START={mark.start_ms}",
                  f"END={mark.end_ms}", f"title={_escape(mark.title)}"]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    out = text
    for char in ("\\", "=", ";", "#", "\n"):
        out = out.replace(char, "\\" + char)
    return out


def vorbis_chapters(tags: Tags) -> dict[str, str]:
    """The Vorbis comment chapter extension: CHAPTER000=0:00:00.000, CHAPTER000NAME=title, …
    (numbered from 000, as ffmpeg writes them for Ogg)."""
    out = {}
    for i, mark in enumerate(tags.chapters[:1000]):
        out[f"CHAPTER{i:03d}"] = _vorbis_time(mark.start_ms)
        out[f"CHAPTER{i:03d}NAME"] = mark.title
    return out


def _vorbis_time(ms: int) -> str:
    seconds, millis = divmod(ms, 1000)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}"


# ---------------------------------------------------------------------------------------------
# ID3v2.3 (MP3): written here, because ffmpeg puts a comment in TXXX, not COMM.


def id3v2(tags: Tags) -> bytes:
    """An ID3v2.3 tag: TIT2, TPE1, TALB, TRCK, TCON, COMM, TLEN, then a CTOC (top level,
    ordered) and one CHAP per chapter, in order, each with its TIT2."""
    frames = [
        _text_frame("TIT2", tags.title),
        _text_frame("TPE1", tags.artist),
        _text_frame("TALB", tags.album),
        _text_frame("TRCK", tags.track),
        _text_frame("TCON", tags.genre),
        _comment_frame(tags.comment, tags.language),
        _text_frame("TLEN", str(tags.duration_ms)),
    ]
    if tags.chapters:
        ids = [f"ch{i}" for i in range(len(tags.chapters))]
        toc = (b"toc\x00" + bytes([0x03, min(len(ids), MAX_TOC_ENTRIES)])
               + b"".join(i.encode("ascii") + b"\x00" for i in ids[:MAX_TOC_ENTRIES]))
        frames.append(_frame("CTOC", toc))
        for element_id, mark in zip(ids, tags.chapters, strict=True):
            body = (element_id.encode("ascii") + b"\x00"
                    + struct.pack(">IIII", mark.start_ms, mark.end_ms, 0xFFFFFFFF, 0xFFFFFFFF)
                    + _text_frame("TIT2", mark.title))
            frames.append(_frame("CHAP", body))
    payload = b"".join(frames)
    return b"ID3\x03\x00\x00" + _synchsafe(len(payload)) + payload


def _frame(frame_id: str, body: bytes) -> bytes:
    return frame_id.encode("ascii") + struct.pack(">I", len(body)) + b"\x00\x00" + body


def _text_frame(frame_id: str, text: str) -> bytes:
    encoding, data = _encode(text)
    return _frame(frame_id, bytes([encoding]) + data)


def _comment_frame(text: str, language: str = "eng") -> bytes:
    encoding, data = _encode(text)
    description = b"\x00" if encoding == 0 else b"\xff\xfe\x00\x00"
    code = language.encode("ascii") if len(language) == 3 and language.isascii() else b"eng"
    return _frame("COMM", bytes([encoding]) + code + description + data)


def _encode(text: str) -> tuple[int, bytes]:
    """(ID3 encoding byte, bytes): ISO-8859-1 when it can hold the text, else UTF-16 with BOM."""
    try:
        return 0, text.encode("latin-1")
    except UnicodeEncodeError:
        return 1, b"\xff\xfe" + text.encode("utf-16-le")


def _synchsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])
