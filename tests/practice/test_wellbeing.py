"""today and stats show pain and effort when they were recorded: the latest with its note, the
last few and their trend, and a word of care when pain rises; nothing when none was given."""

from __future__ import annotations

from tests.conftest import ok


def test_today_shows_the_pain_and_note_just_recorded(home):
    ok("done", "ankle-pumps", "--at", "2026-12-01 13:05", "--pain", "4", "--note", "ankle sore")
    lines = ok("today").splitlines()
    assert lines[-1] == 'Pain: 4/10 (today 13:05, "ankle sore")'
    assert not any(line.startswith("Effort") for line in lines)


def test_today_and_stats_show_the_latest_and_the_trend(home):
    for at, pain, effort in (("2026-11-27 09:00", "2", "5"), ("2026-11-28 09:00", "2", "6"),
                             ("2026-11-29 09:00", "3", "5"), ("2026-11-30 09:00", "4", "5")):
        ok("done", "ankle-pumps", "--at", at, "--pain", pain, "--effort", effort)
    ok("done", "bedtime", "--at", "2026-12-01 21:30", "--effort", "3",
       "--note", "\x1b]0;PWNED\x07tired")
    lines = ok("today").splitlines()
    assert lines[-3:] == [
        "Pain: 4/10 (yesterday 09:00); last 4: 2 2 3 4, rising",
        'Effort: 3/10 (today 21:30, "\\x1b]0;PWNED\\x07tired"); last 5: 5 6 5 5 3, falling',
        "Pain is rising: go gently; at severe or worsening pain, stop and ask your therapist."]
    stats = ok("stats", "--weeks", "2").splitlines()
    assert "  pain            4/10 (yesterday 09:00); last 4: 2 2 3 4, rising" in stats
    assert any(line.startswith("  effort          3/10 (today 21:30") for line in stats)


def test_nothing_is_said_when_nothing_was_rated(home):
    ok("done", "ankle-pumps", "--at", "2026-12-01 09:00")
    assert "Pain" not in ok("today") and "pain" not in ok("stats")
