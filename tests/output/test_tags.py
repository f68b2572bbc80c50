"""Tags as bytes and text, checked against hand-written expectations and parsed back by mutagen
(an independent ID3 reader): fast, no ffmpeg, no audio."""

from __future__ import annotations

import io

import pytest

from tests.conftest import fake_compose, routine_from
from voice_coach.output.tags import (
    ChapterMark,
    Tags,
    describe,
    ffmetadata,
    id3v2,
    tags_for,
    vorbis_chapters,
)

TAGS = Tags(title="Ankle pumps — seated", comment="Two sets; rest=10 s #1",
            chapters=(ChapterMark(0, 1500, "Intro"), ChapterMark(1500, 3_723_456, "Set 1 of 2")),
            duration_ms=3_723_456, track="3/7")


def test_ffmetadata_escapes_and_lists_chapters() -> None:
    assert ffmetadata(TAGS) == (
        ";FFMETADATA1\n"
        "title=Ankle pumps — seated\nartist=voice-coach\nalbum=voice-coach\ntrack=3/7\n"
        "genre=Fitness\ncomment=Two sets\\; rest\\=10 s \\#1\n"
        "\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=Intro\n"
        "\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=1500\nEND=3723456\ntitle=Set 1 of 2\n")


def test_vorbis_chapters_as_comments() -> None:
    assert vorbis_chapters(TAGS) == {
        "CHAPTER000": "00:00:00.000", "CHAPTER000NAME": "Intro",
        "CHAPTER001": "00:00:01.500", "CHAPTER001NAME": "Set 1 of 2"}
    long = Tags("t", "c", (ChapterMark(3_723_456, 3_800_000, "Late"),), 3_800_000)
    assert vorbis_chapters(long)["CHAPTER000"] == "01:02:03.456"
    text = ffmetadata(TAGS, chapter_comments=True)
    assert "CHAPTER001=00:00:01.500\nCHAPTER001NAME=Set 1 of 2\n" in text
    assert "[CHAPTER]" not in text


def test_id3v2_parsed_back_by_mutagen() -> None:
    from mutagen.id3 import ID3

    blob = id3v2(TAGS)
    assert blob[:6] == b"ID3\x03\x00\x00"
    size = blob[6] << 21 | blob[7] << 14 | blob[8] << 7 | blob[9]
    assert size == len(blob) - 10 and all(b < 0x80 for b in blob[6:10])
    tag = ID3(io.BytesIO(blob))
    assert tag.version == (2, 3, 0)
    assert str(tag["TIT2"]) == "Ankle pumps — seated"  # not Latin-1: UTF-16
    assert tag["TIT2"].encoding == 1 and tag["TPE1"].encoding == 0
    assert (str(tag["TPE1"]), str(tag["TALB"]), str(tag["TRCK"]), str(tag["TCON"])) == (
        "voice-coach", "voice-coach", "3/7", "Fitness")
    comments = tag.getall("COMM")
    assert len(comments) == 1 and comments[0].lang == "eng" and comments[0].desc == ""
    assert str(comments[0]) == "Two sets; rest=10 s #1"
    assert str(tag["TLEN"]) == "3723456"
    toc = tag.getall("CTOC")[0]
    assert toc.element_id == "toc" and toc.child_element_ids == ["ch0", "ch1"]
    assert int(toc.flags) == 3  # top level, ordered
    chapters = [(c.element_id, c.start_time, c.end_time, str(c.sub_frames["TIT2"]))
                for c in tag.getall("CHAP")]
    assert sorted(chapters) == [("ch0", 0, 1500, "Intro"), ("ch1", 1500, 3_723_456, "Set 1 of 2")]


def test_id3v2_with_no_chapters_has_no_table_of_contents() -> None:
    from mutagen.id3 import ID3

    tag = ID3(io.BytesIO(id3v2(Tags("Plain", "c", (), 1000))))
    assert tag.getall("CTOC") == [] and tag.getall("CHAP") == []
    comment = tag.getall("COMM")[0]
    assert comment.encoding == 0 and str(comment) == "c"


def test_a_unicode_comment_is_utf16_with_an_empty_description() -> None:
    from mutagen.id3 import ID3

    tag = ID3(io.BytesIO(id3v2(Tags("T", "Ça va — très bien", (), 1000))))
    comment = tag.getall("COMM")[0]
    assert comment.encoding == 1 and comment.desc == "" and str(comment) == "Ça va — très bien"


@pytest.mark.parametrize("n_chapters, listed", [(255, 255), (300, 255)])
def test_table_of_contents_holds_at_most_255(n_chapters: int, listed: int) -> None:
    from mutagen.id3 import ID3

    marks = tuple(ChapterMark(k * 10, k * 10 + 10, f"c{k}") for k in range(n_chapters))
    tag = ID3(io.BytesIO(id3v2(Tags("T", "c", marks, n_chapters * 10))))
    assert len(tag.getall("CTOC")[0].child_element_ids) == listed
    assert len(tag.getall("CHAP")) == n_chapters


ROUTINE = """\
title: Mixed
steps:
  - exercise: Ankle pumps
    sets: 2
    reps: 5
    rest: 10s
    phases:
      - {say: Up., hold: 3s}
      - {say: Down., hold: 1.5s}
  - exercise: Pumps
    style: pump
    cadence: 30
    sets: 1
    reps: 4
    halfway: false
    phases:
      - {say: Up.}
      - {say: Down.}
  - breathe: Slow breathing
    inhale: 4s
    hold: 2s
    exhale: 6s
    cycles: 3
"""


def test_tags_for_a_routine_say_what_it_does() -> None:
    routine = routine_from(ROUTINE)
    timeline = fake_compose(routine)
    tags = tags_for(routine, timeline, track="2/7")
    assert tags.title == "Mixed" and tags.track == "2/7" and tags.duration_ms == \
        timeline.duration_ms
    assert [m.title for m in tags.chapters] == [c.title for c in timeline.chapters]
    assert all(m.end_ms > m.start_ms for m in tags.chapters)
    assert tags.chapters[-1].end_ms == timeline.duration_ms
    assert [m.end_ms for m in tags.chapters[:-1]] == [m.start_ms for m in tags.chapters[1:]]
    minutes, seconds = divmod(timeline.duration_ms // 1000, 60)
    assert describe(routine, timeline) == (
        "Mixed. 2 x 5 reps of ankle pumps (holds of 3 s and 1.5 s, 10 s rests); "
        "1 x 4 reps of pumps (pumped at 30 a minute); 3 breaths of slow breathing (4-2-6 s). "
        f"{minutes} min {seconds:02d} s, {len(timeline.speech())} spoken cues, "
        f"{len(timeline.chapters)} chapters. Made with voice-coach from the routine 'test'.")
    assert describe(routine, timeline, "Every hour for 6 hours").startswith(
        "Mixed. Every hour for 6 hours: 2 x 5 reps")


def test_ffmetadata_escapes_backslashes_and_newlines() -> None:
    tags = Tags(title="a\\b", comment="line one\nline two", chapters=(), duration_ms=1)
    text = ffmetadata(tags)
    assert "title=a\\\\b\n" in text and "comment=line one\\\nline two\n" in text


def test_a_tag_over_2_mb_has_its_size_in_all_four_synchsafe_bytes() -> None:
    from mutagen.id3 import ID3

    comment = "x" * (2_300_000)
    blob = id3v2(Tags("T", comment, (), 1000))
    size = len(blob) - 10
    assert size > 1 << 21
    assert list(blob[6:10]) == [size >> 21 & 0x7F, size >> 14 & 0x7F, size >> 7 & 0x7F,
                                size & 0x7F]
    assert str(ID3(io.BytesIO(blob)).getall("COMM")[0]) == comment
