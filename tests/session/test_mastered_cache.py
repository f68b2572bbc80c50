"""Mastered mixes kept beside the speech clips: the same session renders the same bytes from the
cache as without it, a damaged entry is made again, and any change of input is a new entry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import voice_coach as vc
from voice_coach.session.mastered_cache import mastering_key
from voice_coach.speech.cache import ClipCache
from voice_coach.speech.fake import FakeEngine

ROUTINE = "title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 3\n"


def session(tmp_path: Path) -> vc.Session:
    routine = vc.parse_routine(ROUTINE, "t.yaml")
    return vc.prepare(routine, engine=FakeEngine(), cache=ClipCache(tmp_path / "cache"))


def test_a_second_render_masters_from_the_cache_to_the_same_bytes(tmp_path: Path) -> None:
    s = session(tmp_path)
    uncached = vc.prepare(s.routine, engine=FakeEngine(), cache=None)
    reference = vc.render_to_file(uncached, tmp_path / "none.wav").read_bytes()
    first = vc.render_to_file(s, tmp_path / "a.wav").read_bytes()
    entries = list((tmp_path / "cache" / "mastered").glob("*/*.npz"))
    assert len(entries) == 1
    second = vc.render_to_file(s, tmp_path / "b.wav").read_bytes()
    assert first == second == reference


@pytest.mark.parametrize("how", ["flip a sample", "truncate"])
def test_a_damaged_entry_is_made_again(tmp_path: Path, how: str) -> None:
    s = session(tmp_path)
    reference = vc.render_to_file(s, tmp_path / "a.wav").read_bytes()
    (entry,) = (tmp_path / "cache" / "mastered").glob("*/*.npz")
    good = entry.read_bytes()
    blob = bytearray(good)
    if how == "truncate":
        del blob[len(blob) // 2:]
    else:
        blob[len(blob) // 2] ^= 0xFF  # inside the levelled clips: their CRC32 no longer checks
    entry.write_bytes(bytes(blob))
    assert vc.render_to_file(s, tmp_path / "b.wav").read_bytes() == reference
    (again,) = (tmp_path / "cache" / "mastered").glob("*/*.npz")
    made = again.read_bytes()
    assert made != bytes(blob) and len(made) == len(good)  # made again, whole


def test_every_input_is_in_the_key(tmp_path: Path) -> None:
    s = session(tmp_path)
    tones = {"rise": np.ones(10, np.float32)}
    key = mastering_key(s.timeline, s.clips, tones, None, speech_lufs=-16.0)
    assert key == mastering_key(s.timeline, s.clips, tones, None, speech_lufs=-16.0)
    changed_clip = dict(s.clips)
    text = next(iter(changed_clip))
    changed_clip[text] = changed_clip[text].copy()
    changed_clip[text][0] ^= 1
    assert len({key, mastering_key(s.timeline, s.clips, tones, None, speech_lufs=-16.5),
                mastering_key(s.timeline, s.clips, tones, None, speech_lufs=-16.0,
                              fade_out_ms=2000),
                mastering_key(s.timeline, changed_clip, tones, None, speech_lufs=-16.0),
                mastering_key(s.timeline, s.clips, {"rise": np.zeros(10, np.float32)}, None,
                              speech_lufs=-16.0),
                mastering_key(s.timeline, s.clips, tones, np.zeros(5), speech_lufs=-16.0),
                mastering_key(vc.flight_session(s, every_ms=60_000, total_ms=120_000).timeline,
                              s.clips, tones, None, speech_lufs=-16.0)}) == 7
