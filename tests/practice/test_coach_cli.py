"""The coach through the command line, with the practice clock ($VOICE_COACH_NOW) moved day by
day: `done --pain --legs` check-ins, `today` and `check` saying the dose and why, plan and render
at it, --as-of and --dose, and the same bytes from the same history in another process."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from tests.coach_days import DAY1, on_day
from tests.conftest import ok, vc


def todays_line(routine: str = "grow.yaml") -> str:
    return ok("today", "--routine", routine).splitlines()[-1]


# day: (the dose line `today` shows that morning, the check-in after the session)
TABLE = {
    1: ("grow: today 10 pumps a set: the first dose", ["--pain", "0", "--legs", "lighter"]),
    2: ("grow: today 10 pumps a set: one day of 3 at your goal with pain 2 or less so far",
        ["--pain", "1"]),
    3: ("grow: today 10 pumps a set: two days of 3 at your goal with pain 2 or less so far",
        ["--pain", "0", "--legs", "same"]),
    4: ("grow: today 12 pumps a set, up from 10: three days at your goal with pain 2 or less",
        ["--pain", "0"]),
    5: ("grow: today 12 pumps a set: one day of 3 at your goal with pain 2 or less so far",
        ["--pain", "3"]),
    6: ("grow: today 12 pumps a set: no days of 3 at your goal with pain 2 or less so far",
        ["--pain", "0"]),
    7: ("grow: today 12 pumps a set: one day of 3 at your goal with pain 2 or less so far",
        ["--pain", "0"]),
    8: ("grow: today 12 pumps a set: two days of 3 at your goal with pain 2 or less so far",
        ["--pain", "0"]),
    9: ("grow: today 14 pumps a set, up from 12: three days at your goal with no pain",
        ["--pain", "5", "--legs", "heavier"]),
    10: ("grow: today 12 pumps a set, down from 14: pain 5 after the last session",
         ["--pain", "0", "--legs", "lighter"]),
    11: ("grow: today 12 pumps a set: one day of 3 at your goal with pain 2 or less so far",
         ["--pain", "0"]),
    12: ("grow: today 12 pumps a set: two days of 3 at your goal with pain 2 or less so far",
         ["--pain", "0"]),
    13: ("grow: today 14 pumps a set, up from 12: three days at your goal with no pain",
         ["--pain", "8"]),
    14: ("grow: today 12 pumps a set: pain 8 after a session: stop and ask a health "
         "professional", None),
}


def test_two_weeks_day_by_day_through_the_practice_clock(coach_home, monkeypatch) -> None:
    for day, (line, check_in) in TABLE.items():
        on_day(monkeypatch, day)
        assert todays_line() == line, f"day {day}"
        if check_in is not None:
            on_day(monkeypatch, day, "18:00")
            ok("done", "grow.yaml", *check_in)
    # what each session was recorded with: the dose of its day
    history = ok("history", "--csv").splitlines()[1:]
    assert [row.split(",")[12] for row in history] == [
        "30", "30", "30", "36", "36", "36", "36", "36", "42", "36", "36", "36", "42"]
    # the legs column comes just before practice_day, the export's last
    assert [row.split(",")[-2] for row in history][:3] == ["lighter", "", "same"]
    # --as-of shows another day's dose, from the same history
    on_day(monkeypatch, 14)
    assert ok("today", "--routine", "grow.yaml", "--as-of", str(DAY1 + timedelta(days=3))
              ).splitlines()[-1] == ("grow: on 2026-11-05 12 pumps a set, up from 10: three "
                                     "days at your goal with pain 2 or less")


def test_severe_pain_stops_on_the_same_day_and_the_session_says_so(coach_home, monkeypatch) -> None:
    result = vc("done", "grow.yaml", "--pain", "8")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == ("Stop, and ask a health professional before you "
                                              "go on (pain 8 after a session).")
    on_day(monkeypatch, 1, "19:00")
    assert todays_line().endswith("stop and ask a health professional")
    plan = ok("plan", "grow.yaml", "--engine", "fake")
    assert ('"You noted severe pain or heavier legs. Stop, and ask a health professional before '
            'you go on."') in plan


def test_check_and_plan_apply_the_dose(coach_home, monkeypatch) -> None:
    said = []
    for day in (1, 2, 3):
        on_day(monkeypatch, day)
        said.append(ok("done", "grow.yaml", "--pain", "0").splitlines()[-1])
    assert said[0].startswith("Today: ") and said[1].startswith("Today: ")
    assert said[2] == ("Tomorrow: 12 pumps a set, up from 10: three days at your goal with no "
                       "pain")
    on_day(monkeypatch, 4)
    check = ok("check", "grow.yaml", "--engine", "fake").splitlines()
    assert "  sets     3 x 12 reps of Ankle pumps (hold, rest 30 s)" in check
    assert check[-1] == ("  dose     today 12 pumps a set, up from 10: three days at your goal "
                         "with no pain")
    plan = ok("plan", "grow.yaml", "--engine", "fake")
    assert '"Twelve pumps each set today, two more than last week."' in plan
    assert '"Well done. Twelve pumps each set today, two more than last week."' in plan
    pinned = ok("plan", "grow.yaml", "--engine", "fake", "--dose", "20")
    assert '"Twenty pumps each set today."' in pinned
    assert ok("plan", "grow.yaml", "--engine", "fake", "--dose", "first").count("Twelve") == 0
    earlier = ok("check", "grow.yaml", "--engine", "fake", "--as-of", "2026-11-03")
    assert "3 x 10 reps" in earlier and "on 2026-11-03 10 pumps a set" in earlier


@pytest.mark.parametrize("args, message", [
    (["--dose", "lots"], "error: --dose 'lots': 'lots' is not a dose"),
    (["--dose", "0"], "error: --dose '0': a dose is at least 1 repetition"),
    (["--dose", "31"], "error: --dose 31: 31 is outside the range of Ankle pumps, 10 to 30"),
    (["--as-of", "someday"], "error: --as-of 'someday': it is not a date"),
])
def test_bad_dose_options_exit_2(coach_home, args: list[str], message: str) -> None:
    for verb in ("check", "plan", "render"):
        extra = ["-o", "x.mp3"] if verb == "render" else []
        result = vc(verb, "grow.yaml", "--engine", "fake", *extra, *args)
        assert result.exit_code == 2, (verb, result.output)
        assert result.stderr.splitlines()[0] == message
        assert result.stderr.splitlines()[1].startswith("  hint: ")
    assert not (coach_home / "x.mp3").exists()


def test_a_routine_without_progress_is_untouched(coach_home, monkeypatch) -> None:
    before = ok("plan", "ankle-pumps", "--engine", "fake")
    for day in (1, 2, 3, 4):
        on_day(monkeypatch, day)
        ok("done", "ankle-pumps", "--pain", "0")
    assert ok("plan", "ankle-pumps", "--engine", "fake") == before
    result = vc("plan", "ankle-pumps", "--dose", "12")
    assert result.exit_code == 2
    assert "ankle-pumps has no progress block" in result.stderr


def test_same_history_same_bytes_in_another_process(coach_home, monkeypatch) -> None:
    for day in (1, 2, 3):
        on_day(monkeypatch, day)
        ok("done", "grow.yaml", "--pain", "0")
    on_day(monkeypatch, 4)
    env = {**os.environ, "PYTHONHASHSEED": "7"}
    files = []
    for name in ("a.mp3", "b.mp3"):
        subprocess.run([sys.executable, "-m", "voice_coach", "render", "grow.yaml", "-o", name,
                        "--engine", "espeak"], env=env, check=True, capture_output=True)
        files.append((coach_home / name).read_bytes())
    assert files[0] == files[1]
    from mutagen.id3 import ID3

    comment = str(ID3(coach_home / "a.mp3").getall("COMM")[0])
    assert comment.startswith("Ankle pumps that grow. Twelve pumps each set today, two more "
                              "than last week: 3 x 12 reps of ankle pumps")
    first = coach_home / "first.mp3"
    subprocess.run([sys.executable, "-m", "voice_coach", "render", "grow.yaml", "-o", str(first),
                    "--engine", "espeak", "--dose", "first"], env=env, check=True,
                   capture_output=True)
    assert first.read_bytes() != files[0]
