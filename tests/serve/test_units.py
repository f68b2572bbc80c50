"""The serve package's pure parts, with exact small inputs: the PNG writer and cover, GUIDs and
the feed's repeatability, validators, the library index, and the seam with the daily practice.
"""

from __future__ import annotations

import json
import sys
import types
import uuid
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest

from voice_coach.serve.cover import cover_png, encode_png
from voice_coach.serve.done import day_start, record_done, today
from voice_coach.serve.feed import Episode, build_feed, episode_guid
from voice_coach.serve.files import not_modified
from voice_coach.serve.library import Entry, Library, Rendered, slug, unique_key


def rendered(**changes) -> Rendered:
    fields = dict(audio="a.0123456789ab.mp3", chapters="a.0123456789ab.json",
                  transcript="a.0123456789ab.vtt", render_key="k" * 64, size_bytes=1234,
                  sha256="0" * 64, duration_ms=61_500, title="A & <B>", about="For evenings.",
                  description="Desc.", language="en", voice="en", sets=3,
                  rendered_at="2026-12-01T20:00:00+00:00", source_sha256="f" * 64)
    return Rendered(**{**fields, **changes})


def test_png_writer_exact_pixels() -> None:
    image = np.array([[[255, 0, 0], [0, 255, 0]], [[0, 0, 255], [10, 20, 30]]], np.float32)
    png = encode_png(image)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR" and png[16:24] == b"\x00\x00\x00\x02\x00\x00\x00\x02"
    start = png.index(b"IDAT") + 4
    length = int.from_bytes(png[start - 8:start - 4], "big")
    raw = zlib.decompress(png[start:start + length])
    # Each row: filter type 1 (Sub), then each byte minus the one three to its left.
    assert raw == bytes([1, 255, 0, 0, 1, 255, 0, 1, 0, 0, 255, 10, 20, 31])
    assert png.endswith(b"IEND\xaeB`\x82")


def test_cover_is_the_same_every_time() -> None:
    first = cover_png(200)
    assert first == cover_png(200)
    assert int.from_bytes(first[16:20], "big") == 200


def test_guid_is_stable_and_per_library() -> None:
    library_id = str(uuid.uuid4())
    assert episode_guid(library_id, "minimal") == episode_guid(library_id, "minimal")
    assert episode_guid(library_id, "minimal") != episode_guid(library_id, "bedtime")
    assert episode_guid(library_id, "minimal") != episode_guid(str(uuid.uuid4()), "minimal")
    assert uuid.UUID(episode_guid(library_id, "x").removeprefix("urn:uuid:")).version == 5


def test_feed_is_repeatable_and_leaves_out_what_is_not_rendered() -> None:
    library_id = str(uuid.uuid4())
    episodes = [Episode(Entry("a", "a", True, added_at="2026-12-01T19:00:00+00:00",
                              rendered=rendered()), ((0, "Set 1"), (61_000, "Finish"))),
                Episode(Entry("b", "b", True, added_at="2026-12-01T19:00:01+00:00"))]
    xml = build_feed(episodes, "http://127.0.0.1:1/t/", library_id=library_id)
    assert xml == build_feed(episodes, "http://127.0.0.1:1/t/", library_id=library_id)
    assert xml.count(b"<item>") == 1
    assert b"<title>A &amp; &lt;B&gt;</title>" in xml
    assert b"<itunes:duration>0:01:02</itunes:duration>" in xml
    assert b'<psc:chapter start="00:01:01.000" title="Finish"/>' in xml
    assert b'url="http://127.0.0.1:1/t/media/a.0123456789ab.mp3" length="1234"' in xml


@pytest.mark.parametrize("headers, expected", [
    ({}, False),
    ({"if-none-match": '"abc"'}, True),
    ({"if-none-match": 'W/"abc"'}, True),
    ({"if-none-match": '"x", "abc"'}, True),
    ({"if-none-match": "*"}, True),
    ({"if-none-match": '"x"', "if-modified-since": "Tue, 01 Dec 2099 00:00:00 GMT"}, False),
    ({"if-modified-since": "Tue, 01 Dec 2099 00:00:00 GMT"}, True),
    ({"if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT"}, False),
    ({"if-modified-since": "yesterday"}, False),
])
def test_conditional_requests(headers: dict[str, str], expected: bool) -> None:
    assert not_modified(headers, '"abc"', 1_700_000_000.5) is expected


def test_keys_are_safe_for_urls_and_files() -> None:
    assert slug("Ankle Pumps (Lying)!") == "ankle-pumps-lying"
    assert slug("Ünïcödé") == "n-c-d"
    assert slug("...") == "routine"
    assert len(slug("x" * 500)) == 60
    assert unique_key("minimal", {"minimal", "minimal-2"}) == "minimal-3"


def test_new_built_ins_join_an_existing_library(tmp_path: Path) -> None:
    library = Library(tmp_path / "lib")
    index = library.read()
    index.entries = [e for e in index.entries if e.key != "bedtime"]
    index.known_builtins.remove("bedtime")  # as if this version had just added it
    library.write(index)
    again = library.read()
    assert again.find("bedtime") is not None and "bedtime" in again.known_builtins
    index = library.read()
    index.entries = [e for e in index.entries if e.key != "flight"]  # removed by the user
    library.write(index)
    assert library.read().find("flight") is None  # stays removed
    assert library.read().library_id == index.library_id


def test_day_rolls_over_at_four() -> None:
    zone = timezone(timedelta(hours=1))
    assert day_start(datetime(2026, 12, 2, 1, 30, tzinfo=zone)) == datetime(2026, 12, 1, 4,
                                                                              tzinfo=zone)
    assert day_start(datetime(2026, 12, 2, 4, 0, tzinfo=zone)) == datetime(2026, 12, 2, 4,
                                                                            tzinfo=zone)


def test_done_is_kept_in_the_library_without_the_practice_package(tmp_path: Path,
                                                                  monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "voice_coach.practice", None)  # not importable
    library = Library(tmp_path)
    entry = Entry("minimal", "/x/minimal.yaml", False, rendered=rendered(title="Minimal"))
    now = datetime(2026, 12, 1, 21, 30).astimezone()
    result = record_done(library, entry, now)
    assert (result.sets, result.kept_by) == (3, "library")
    record_done(library, entry, now + timedelta(minutes=5))
    assert today(library, now + timedelta(minutes=10)).sets == 6
    assert today(library, now + timedelta(days=1)).sets == 0
    marks = json.loads((tmp_path / "done.json").read_text())["done"]
    assert marks[0] == {"key": "minimal", "routine": "minimal", "title": "Minimal", "sets": 3,
                        "at": now.isoformat(timespec="seconds"), "source": "phone",
                        "listening_id": ""}


def test_a_damaged_done_file_is_moved_aside(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "voice_coach.practice", None)
    (tmp_path / "done.json").write_text("{not json")
    entry = Entry("a", "a", True, rendered=rendered())
    assert record_done(Library(tmp_path), entry).sets == 3
    assert (tmp_path / "done.json.damaged").read_text() == "{not json"


def test_done_goes_to_the_practice_history(tmp_path: Path, monkeypatch) -> None:
    """With the practice package, a Done is a history record as `voice-coach done` makes one,
    and today's count is the history's (so sets played with `play` count too)."""
    from voice_coach.practice.store import Store

    monkeypatch.setenv("VOICE_COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("VOICE_COACH_CONFIG", raising=False)
    now = datetime(2026, 12, 1, 9, 15).astimezone()
    entry = Entry("flight", "flight", True,
                  rendered=rendered(title="In-flight ankle pumps", duration_ms=169_000))
    result = record_done(Library(tmp_path / "lib"), entry, now)
    with Store.open(write=False) as store:
        (record,) = store.sessions()
    assert (record.routine, record.source, record.status) == ("flight", "done", "completed")
    assert record.done_sets == record.planned_sets and record.ended == now
    assert (result.sets, result.kept_by, result.problem) == (record.done_sets, "practice", "")
    assert [m.title for m in result.marks] == ["In-flight ankle pumps"]
    assert today(Library(tmp_path / "lib"), now + timedelta(days=1)).sets == 0


def test_done_and_today_follow_the_practice_clock(tmp_path: Path, monkeypatch) -> None:
    """The phone page's Done and today count use the clock `done` and `today` use, so
    $VOICE_COACH_NOW holds for the server too."""
    monkeypatch.setenv("VOICE_COACH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("VOICE_COACH_NOW", "2026-11-30 12:00")
    entry = Entry("flight", "flight", True, rendered=rendered(duration_ms=169_000))
    result = record_done(Library(tmp_path / "lib"), entry)
    from voice_coach.practice.days import system_clock

    # the same instant, whichever zone each side writes it in
    assert [datetime.fromisoformat(m.at) for m in result.marks] == [system_clock().now()]
    assert result.sets >= 1 and today(Library(tmp_path / "lib")).sets == result.sets


def test_a_history_that_cannot_be_written_still_keeps_the_mark(tmp_path: Path,
                                                               monkeypatch) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "history.sqlite3").write_text("not a database")
    monkeypatch.setenv("VOICE_COACH_DATA_DIR", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    entry = Entry("flight", "flight", True, rendered=rendered())
    result = record_done(Library(tmp_path / "lib"), entry)
    assert result.problem and result.kept_by == "library" and result.sets == 3


def test_built_ins_take_the_configured_voice_unless_one_is_chosen(monkeypatch) -> None:
    """With the daily-practice config there, a library entry without its own voice takes the
    configured one (and a changed voice means a new render); `library add --voice` wins."""
    import dataclasses

    from voice_coach.serve.build import load_entry_routine, render_key

    config = types.ModuleType("voice_coach.practice.config")
    config.load_config = lambda: {"voice.voice": "en-gb"}  # type: ignore[attr-defined]
    config.apply_to_routine = lambda routine, cfg: dataclasses.replace(  # type: ignore
        routine, voice=dataclasses.replace(routine.voice, voice=cfg["voice.voice"]))
    monkeypatch.setitem(sys.modules, "voice_coach.practice", types.ModuleType("p"))
    monkeypatch.setitem(sys.modules, "voice_coach.practice.config", config)
    entry = Entry("flight", "flight", True)
    routine, source = load_entry_routine(entry)
    assert routine.voice.voice == "en-gb"
    chosen, _ = load_entry_routine(dataclasses.replace(entry, voice="en-us"))
    assert chosen.voice.voice == "en-us"
    assert render_key(entry, source, routine) != render_key(entry, source, chosen)


def test_each_card_carries_its_language_and_today_shows_the_goal() -> None:
    from voice_coach.serve.done import Today
    from voice_coach.serve.page import render_page, today_text

    german = Episode(Entry("ankle-pumps-de", "ankle-pumps", True, language="de",
                           rendered=rendered(title="Fußpumpen im Sitzen", language="de")))
    english = Episode(Entry("minimal", "minimal", True, rendered=rendered(title="Minimal")))
    html = render_page([german, english], Today(7, (), "practice", goal=3),
                       feed_url="http://h/feed.xml")
    assert '<li class="session" id="ankle-pumps-de" lang="de"' in html
    assert '<li class="session" id="minimal" lang="en"' in html
    assert 'download="Fußpumpen im Sitzen.mp3"' in html
    assert today_text(Today(7, (), "practice", goal=3)) == "Today: 7 of 3 sets"  # as `today`
    assert today_text(Today(0, (), "practice", goal=1)) == "Today: 0 of 1 set"
    assert today_text(Today(2, (), "library")) == "Today: 2 sets done."


def test_the_short_code_is_unambiguous_and_guarded() -> None:
    from voice_coach.serve.pairing import ALPHABET, CODE_CHARS, ShortCode, normal

    assert not set(ALPHABET) & set("0O1IL2Z5S8B6GUVQ")
    now = [0.0]
    code = ShortCode(code="K7F3MX", clock=lambda: now[0])
    assert len(code.code) == CODE_CHARS and code.shown == "K7F 3MX"
    assert normal(" k7f-3mx ") == "K7F3MX" and code.check("k7f 3mx") == "ok"
    assert [code.check("AAAAAA") for _ in range(5)] == ["wrong"] * 5
    assert code.check("K7F3MX") == "wait"
    now[0] = 61.0
    assert code.check("K7F3MX") == "ok"
    assert all(set(ShortCode().code) <= set(ALPHABET) for _ in range(50))


def test_background_rendering_reports_progress_and_survives_a_bug(tmp_path: Path,
                                                                   monkeypatch) -> None:
    import voice_coach.serve.render_queue as background
    from voice_coach.serve.build import Outcome, Plan

    entry = Entry("minimal", "minimal", True)
    plan = Plan(((entry, types.SimpleNamespace(title="Minimal"), "k", "s"),), (), ("minimal",))
    seen: list = []

    def fake_render(library, *, plan, on_start, on_done, progress):
        on_start(entry, 1, 1)
        progress(50, 100)
        seen.append(state.snapshot())
        on_done(Outcome("minimal", "rendered", entry))
        return [Outcome("minimal", "rendered", entry)]

    monkeypatch.setattr(background, "render_missing", fake_render)
    state = background.RenderProgress()
    done: list = []
    background.start_rendering(Library(tmp_path), plan, state,
                               on_finished=done.append).join()
    assert seen[0]["current"] == {"key": "minimal", "title": "Minimal", "fraction": 0.5}
    assert seen[0]["pending"] == [{"key": "minimal", "title": "Minimal"}]
    assert state.snapshot()["running"] is False and state.snapshot()["done"] == 1
    assert [o.status for o in done[0]] == ["rendered"]

    def broken(library, **_):
        raise RuntimeError("boom")

    monkeypatch.setattr(background, "render_missing", broken)
    state, crashes = background.RenderProgress(), []
    background.start_rendering(Library(tmp_path), plan, state, on_finished=done.append,
                               on_crash=crashes.append).join()
    assert [str(c) for c in crashes] == ["boom"] and len(done) == 1
    assert state.snapshot()["failed"] == [{"key": "", "problem": "rendering stopped: boom"}]
