"""The public API: `import voice_coach` gives the documented names, lazily, with docstrings and
explicit defaults; the flight track and render-all are library functions."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import voice_coach as vc
from voice_coach.speech.fake import FakeEngine

DOCUMENTED = {"load_routine", "parse_routine", "prepare", "render_to_file", "Session", "Timeline",
              "VoiceCoachError", "UsageError", "SpecError", "EngineError", "OutputError",
              "flight_session", "render_all"}


def test_the_documented_names_are_there() -> None:
    assert DOCUMENTED <= set(vc.__all__)
    assert set(vc.__all__) <= set(dir(vc))
    for name in vc.__all__:
        value = getattr(vc, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert inspect.getdoc(value), f"{name} has no docstring"
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        vc.nothing_here  # noqa: B018


def test_import_is_cheap() -> None:
    """`import voice_coach` loads none of numpy, yaml, typer or the engines: names come lazily."""
    code = ("import sys, voice_coach; heavy = [m for m in ('numpy', 'yaml', 'typer', 'rich', "
            "'voice_coach.session.pipeline') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_public_functions_have_explicit_defaults() -> None:
    """No `...` sentinels: every keyword default says what it means."""
    for name in vc.__all__:
        value = getattr(vc, name)
        if inspect.isfunction(value):
            for param in inspect.signature(value).parameters.values():
                assert param.default is not Ellipsis, f"{name}({param.name}=...)"


def test_the_pipeline_through_the_public_api(tmp_path: Path) -> None:
    routine = vc.parse_routine("title: Tiny\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 2\n",
                               "tiny.yaml")
    session = vc.prepare(routine, engine=FakeEngine(), cache=None)
    assert isinstance(session, vc.Session) and isinstance(session.timeline, vc.Timeline)
    out = vc.render_to_file(session, tmp_path / "tiny.wav")
    assert out == tmp_path / "tiny.wav" and out.stat().st_size > 44
    with pytest.raises(vc.OutputExistsError) as info:
        vc.render_to_file(session, out)
    assert info.value.format() == (f"error: {out} already exists\n"
                                   "  hint: pass force=True to overwrite it")
    assert isinstance(info.value, vc.UsageError) and info.value.exit_code == 2


def test_flight_session_repeats_the_session_with_its_tags() -> None:
    from voice_coach.session.pipeline import session_tags

    routine = vc.parse_routine("title: Tiny\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 2\n",
                               "tiny.yaml")
    session = vc.prepare(routine, engine=FakeEngine(), cache=None)
    length_ms = session.timeline.duration_ms
    flight = vc.flight_session(session, every_ms=60_000, total_ms=180_000)
    assert flight.timeline.duration_ms == 180_000
    assert [c.start_ms for c in flight.timeline.chapters] == [0, 60_000, 120_000]
    assert len(flight.timeline.events) == 3 * len(session.timeline.events)
    assert flight.clips is session.clips
    assert session_tags(flight).comment.startswith("Tiny. Every minute for 3 minutes: ")
    with pytest.raises(vc.UsageError, match="shorter than the routine"):
        vc.flight_session(session, every_ms=length_ms - 1, total_ms=180_000)
    with pytest.raises(vc.UsageError, match="shorter than the routine"):
        vc.flight_session(session, every_ms=60_000, total_ms=length_ms - 1)


def test_m3u_lists_each_file_with_its_length_and_title() -> None:
    from voice_coach.session.tracks import m3u

    a = vc.Timeline("a", "First", 61_400, (), ())
    b = vc.Timeline("b", "Second", 1_500, (), ())
    assert m3u([(a, "a.mp3"), (b, "b.mp3")]) == (
        "#EXTM3U\n#EXTINF:61,voice-coach - First\na.mp3\n#EXTINF:2,voice-coach - Second\nb.mp3\n")


def test_render_all_refuses_before_rendering_anything(tmp_path: Path) -> None:
    (tmp_path / "voice-coach.m3u").write_text("old")
    with pytest.raises(vc.OutputExistsError):
        vc.render_all(tmp_path, format="wav")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["voice-coach.m3u"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(vc.UsageError, match="is not a folder"):
        vc.render_all(tmp_path / "file")


def test_render_all_renders_the_named_routines_and_a_playlist(tmp_path: Path) -> None:
    seen: list[tuple[str, Path]] = []
    playlist = vc.render_all(tmp_path / "out", names=["flight", "tv-break"], format="wav",
                             cues="vtt",
                             on_rendered=lambda s, done: seen.append((s.routine.name, done.path)))
    folder = tmp_path / "out"
    assert playlist == folder / "voice-coach.m3u"
    assert seen == [("flight", folder / "flight.wav"), ("tv-break", folder / "tv-break.wav")]
    assert sorted(p.name for p in folder.iterdir()) == [
        "flight.vtt", "flight.wav", "tv-break.vtt", "tv-break.wav", "voice-coach.m3u"]
    lines = playlist.read_text().splitlines()
    assert lines[0] == "#EXTM3U" and lines[2::2] == ["flight.wav", "tv-break.wav"]
