"""The served library follows the dose: an episode is rendered at today's dose (its
introduction says it), a changed dose is new audio while an unchanged one is left alone, the
page shows the dose, and /api/done keeps the check-in (legs, pain) with the session."""

from __future__ import annotations

import json
import os

from tests.coach_days import on_day
from tests.conftest import ok
from tests.serve_fixture import start_server
from voice_coach.practice.store import Store

SMALL = """\
title: Pumps that grow
steps:
  - exercise: Ankle pumps
    sets: 1
    reps: 10
    phases:
      - say: Up.
        hold: 1500ms
      - say: Down.
        hold: 1500ms
    progress:
      reps: 10 to 30
"""


def test_the_library_renders_at_todays_dose_and_the_page_shows_it(
        coach_home, monkeypatch) -> None:
    from voice_coach.routine import builtin_names
    from voice_coach.serve.build import ensure_cover, render_missing
    from voice_coach.serve.library import Library
    from voice_coach.serve.library_edit import add, remove

    routine = coach_home / "pumps.yaml"
    routine.write_text(SMALL)
    config = coach_home / "config" / "voice-coach" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[practice]\ndaily_goal = 1\n")
    for day in (1, 2, 3):
        on_day(monkeypatch, day)
        ok("done", str(routine), "--pain", "0")
    on_day(monkeypatch, 4, "12:00")
    library = Library(coach_home / "library")
    add(library, str(routine))
    remove(library, builtin_names())
    (outcome,) = render_missing(library)
    assert outcome.status == "rendered", outcome
    rendered = outcome.entry.rendered
    assert rendered.dose == "Twelve pumps each set today, two more than last week."
    assert "Twelve pumps each set today" in (coach_home / "library" / "media" /
                                             rendered.transcript).read_text()
    assert [o.status for o in render_missing(library)] == ["current"]  # same dose, same file
    ensure_cover(library)

    server = start_server(coach_home / "library", coach_home / "data", **{
        k: os.environ[k] for k in ("VOICE_COACH_NOW", "XDG_CONFIG_HOME", "TZ")})
    try:
        status, _, page = server.get("")
        assert status == 200
        assert ('<p class="about dose" lang="en">Twelve pumps each set today, two more than last '
                'week.</p>') in page.decode()
        path, json_type = server.prefix + "api/done", {"Content-Type": "application/json"}
        status, _, body = server.request("POST", path, json_type,
                                         b'{"key": "pumps", "legs": "wobbly"}')
        assert status == 400
        assert json.loads(body) == {"error": "'legs' must be lighter, same or heavier"}
        status, _, body = server.request("POST", path, json_type,
                                         b'{"key": "pumps", "pain": 11}')
        assert status == 400
        assert json.loads(body) == {"error": "'pain' must be a whole number from 0 to 10"}
        status, _, body = server.request("POST", path, json_type,
                                         b'{"key": "pumps", "legs": "lighter", "pain": 5}')
        assert status == 200, body
    finally:
        assert server.stop() == 130
    with Store.open(coach_home / "data" / "history.sqlite3", write=False) as store:
        last = store.sessions()[-1]
    assert (last.source, last.legs, last.pain, last.done_reps) == ("done", "lighter", 5, 12)

    # pain 5 today: tomorrow's dose steps back, and the episode is rendered again
    on_day(monkeypatch, 5, "12:00")
    (again,) = render_missing(library)
    assert again.status == "rendered"
    assert again.entry.rendered.dose == ("One step back today, after the pain you noted. Ten "
                                         "pumps each set today, the same as last week.")
    assert again.entry.rendered.sha256 != rendered.sha256
