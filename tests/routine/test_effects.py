"""Routine semantics people tripped over: the `voice: de` shorthand, options that have no effect
(warnings, located, that never fail), counts aloud that never lose a number, summaries that
show no rest for one set, and counted words in the singular."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import fake_compose, routine_from
from voice_coach.basics.errors import SpecError
from voice_coach.cli import app
from voice_coach.lang.counted import counted
from voice_coach.plan.compose import compose
from voice_coach.routine import builtin_names, load_routine

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args))


# --- voice: de --------------------------------------------------------------------------------


def test_voice_shorthand_is_the_voice_block() -> None:
    short = routine_from("title: T\nvoice: de\nsteps:\n  - pause: 1s\n")
    long = routine_from("title: T\nvoice: {voice: de}\nsteps:\n  - pause: 1s\n")
    assert short.voice == long.voice
    assert short.voice.voice == "de" and short.voice.rate_wpm == 160
    assert (short.voice_pos.line, short.voice_pos.col) == (2, 8)
    assert routine_from("title: T\nvoice: ~\nsteps:\n  - pause: 1s\n").voice.voice == "en"


def test_voice_shorthand_checks_with_a_german_voice(tmp_path: Path) -> None:
    routine = tmp_path / "de.yaml"
    routine.write_text("title: Knöchel\nvoice: de\nsteps:\n  - say: Guten Morgen.\n")
    result = invoke("check", str(routine))
    assert result.exit_code == 0, result.output
    from voice_coach.speech import pico

    german = "pico, pico/de-DE" if pico.available() else "espeak, gmw/de"  # auto: Pico first
    assert f"  voice    {german}, 160 wpm\n" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: T\nvoice: vulcan\nsteps:\n  - say: Hello.\n")
    refused = invoke("check", str(bad))
    assert refused.exit_code == 2
    assert refused.stderr.startswith(f"{bad}:2:8: error: unknown voice 'vulcan'\n")


# --- options that have no effect: warnings --------------------------------------------------

NO_EFFECT = """\
title: T
fade_in: 3s
steps:
  - exercise: A
    sets: 1
    reps: 3
    rest: 20s
    cadence: 50
    last: 10
    halfway: Half.
    remind: Breathe.
    voice_fade: 3
    phases:
      - say: Up.
        hold: 3s
      - hold: 1s
        count: tick
  - exercise: B
    style: pump
    reps: 5
    remind_every: 5
    last_say: Last.
    phases:
      - tone: tick
        hold: 2s
  - breathe: C
    cycles: 2
    voice_fade: 2
    say_hold: Hold.
"""

NO_EFFECT_WARNINGS = [
    "{f}:2:1: warning: 'fade_in' has no effect without a background: it fades the background "
    "sound in\n  hint: remove it, or add background: brown",
    "{f}:7:5: warning: 'rest' has no effect with one set: rests come between sets\n"
    "  hint: remove it, or do more than one set (sets: 2)",
    "{f}:8:5: warning: 'cadence' has no effect in hold style: the phases' holds set the pace\n"
    "  hint: remove it, or use style: pump for a steady cadence",
    "{f}:9:5: warning: 'last: 10' is more than a set has (3 repetitions): every repetition is "
    "announced as one of the last\n  hint: use last: 3 or fewer",
    "{f}:10:5: warning: 'halfway' has no effect with 3 repetitions: it is said in sets of 4 or "
    "more\n  hint: remove it, or set halfway: false",
    "{f}:11:5: warning: 'remind' has no effect without 'remind_every'\n"
    "  hint: add remind_every: 4 to say it every 4 repetitions",
    "{f}:12:5: warning: 'voice_fade: 3' has no effect: a set has 3 repetitions, so the cues "
    "never give way to tones\n  hint: use a number below 3, or remove it",
    "{f}:17:9: warning: 'count: tick' has no effect on a phase of 1000 ms: counting starts 1 s "
    "into the phase\n  hint: remove it, or hold for 2s or more",
    "{f}:21:5: warning: 'remind_every: 5' has no effect: a set has 5 repetitions, so the "
    "reminder is never said\n  hint: use a number below 5",
    "{f}:22:5: warning: 'last_say' has no effect without 'last'\n"
    "  hint: add last: 3 to announce the last 3 repetitions",
    "{f}:25:9: warning: 'hold' has no effect in pump style: the cadence sets each phase's "
    "length\n  hint: remove it, or use style: hold",
    "{f}:28:5: warning: 'voice_fade: 2' has no effect: there are 2 breaths, so the cues never "
    "give way to tones\n  hint: use a number below 2, or remove it",
    "{f}:29:5: warning: 'say_hold' has no effect without a hold\n"
    "  hint: add hold: 2s (after breathing in) or hold_out: 2s (after breathing out)",
]


def test_options_with_no_effect_are_located_warnings() -> None:
    routine = routine_from(NO_EFFECT, "w.yaml")
    assert [w.format() for w in routine.warnings] == [
        w.format(f="w.yaml") for w in NO_EFFECT_WARNINGS]
    assert all(w.severity == "warning" for w in routine.warnings)
    fake_compose(routine)  # accepted: warnings never fail


@pytest.mark.parametrize("verb", ["check", "plan", "render"])
def test_check_plan_and_render_print_warnings_and_succeed(verb: str, tmp_path: Path) -> None:
    routine = tmp_path / "w.yaml"
    routine.write_text(NO_EFFECT)
    args = [verb, str(routine)] + (["-o", str(tmp_path / "w.wav")] if verb == "render" else [])
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    expected = "".join(w.format(f=routine) + "\n" for w in NO_EFFECT_WARNINGS)
    assert result.stderr == expected
    if verb == "check":
        assert result.stdout.startswith("w: T: OK\n")
    if verb == "render":
        assert (tmp_path / "w.wav").stat().st_size > 1000


def test_errors_come_alone_then_the_warnings(tmp_path: Path) -> None:
    routine = tmp_path / "e.yaml"
    routine.write_text("title: T\nsteps:\n  - exercise: A\n    sets: 1\n    rest: 5s\n"
                       "  - exercise: B\n    rpes: 3\n")
    result = invoke("check", str(routine))
    assert result.exit_code == 2
    assert result.stderr == (f"{routine}:7:5: error: unknown key 'rpes' in the exercise step\n"
                             "  hint: did you mean 'reps'?\n")
    routine.write_text(routine.read_text().replace("rpes", "reps"))
    result = invoke("check", str(routine))
    assert result.exit_code == 0
    assert result.stderr == (
        f"{routine}:5:5: warning: 'rest' has no effect with one set: rests come between sets\n"
        "  hint: remove it, or do more than one set (sets: 2)\n")


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_routines_have_no_warnings(name: str) -> None:
    assert load_routine(name).warnings == ()


def test_options_that_do_something_are_not_warned_about() -> None:
    routine = routine_from(
        "title: T\nbackground: {sound: brown, seed: 3}\nfade_in: 5s\nsteps:\n"
        "  - exercise: A\n    style: pump\n    cadence: 40\n    reps: 12\n    last: 12\n"
        "    remind_every: 4\n    voice_fade: 6\n    halfway: Half.\n    phases:\n"
        "      - {tone: tick, count: tick}\n")
    assert routine.warnings == ()


# --- count: aloud ---------------------------------------------------------------------------


def test_count_aloud_says_every_number() -> None:
    routine = routine_from(
        "title: T\nsteps:\n  - exercise: A\n    sets: 2\n    reps: 3\n    rest: 5s\n"
        "    get_ready: none\n    phases:\n      - {say: Up., hold: 5s, tone: rise, count: aloud}\n"
        "      - {say: Down., hold: 2s, tone: fall}\n")
    timeline = fake_compose(routine)
    for set_no in (1, 2):
        for rep in (1, 2, 3):
            said = [e.text for e in timeline.speech() if e.set == set_no and e.rep == rep]
            assert said == ["Up.", "Two.", "Three.", "Four.", "Five.", "Down."], (set_no, rep)


def test_a_cue_that_crowds_a_count_is_a_located_fit_error() -> None:
    routine = routine_from(
        "title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 2\n    get_ready: none\n"
        "    phases:\n      - say: Pull your toes up, and hold.\n        hold: 4s\n"
        "        count: aloud\n", "c.yaml")
    lengths = {"Pull your toes up, and hold.": 1500, "Two.": 300, "Three.": 300, "Four.": 300,
               "Set 1 of 1.": 900}
    with pytest.raises(SpecError) as info:
        compose(routine, lengths.__getitem__)
    assert info.value.format() == (
        'c.yaml:8:14: error: the cue "Pull your toes up, and hold." takes 1500 ms plus a margin '
        'of 100 ms but its slot is 1000 ms (at 0:02.380, before "Two."), and 1 more time\n'
        "  hint: count: aloud says the number of every second of the phase, so the cue must end "
        'before "Two.": shorten it, speak faster (voice: rate: 267), or use count: tick (its '
        "ticks wait for the cue)")
    ticked = routine_from(routine.source.replace("count: aloud", "count: tick"), "c.yaml")
    timeline = compose(ticked, lengths.__getitem__)  # ticks wait for the cue instead
    assert [e.start_ms - 2380 for e in timeline.tones() if e.tone == "tick"][:2] == [2000, 3000]


# --- summaries and counted words ------------------------------------------------------------


@pytest.mark.parametrize("sets_and_rest, line", [
    ("sets: 1", "  sets     1 x 1 rep of A (hold)"),
    ("sets: 2\n    rest: 0s", "  sets     2 x 1 rep of A (hold, no rest)"),
    ("sets: 2\n    rest: 1.5s\n    rest_say: false",
     "  sets     2 x 1 rep of A (hold, rest 1.5 s)"),
    ("sets: 3", "  sets     3 x 1 rep of A (hold, rest 30 s)"),
])
def test_check_summary_shows_a_rest_only_when_there_is_one(tmp_path: Path, sets_and_rest: str,
                                                           line: str) -> None:
    routine = tmp_path / "s.yaml"
    routine.write_text(f"title: T\nsteps:\n  - exercise: A\n    {sets_and_rest}\n    reps: 1\n"
                       "    get_ready: none\n    set_intro: false\n"
                       "    phases:\n      - {say: Up., hold: 2s}\n")
    result = invoke("check", str(routine))
    assert result.exit_code == 0, result.output
    assert line in result.stdout.splitlines()


def test_one_of_everything_is_said_in_the_singular(tmp_path: Path) -> None:
    routine = tmp_path / "one.yaml"
    routine.write_text("title: One\nsteps:\n  - say: Hello.\n")
    check = invoke("check", str(routine))
    assert check.exit_code == 0, check.output
    assert "  spoken   1 cue (1 distinct phrase)" in check.stdout.splitlines()
    plan = invoke("plan", str(routine))
    assert plan.stdout.splitlines()[1].endswith(" ms), 1 spoken cue, 0 tones")
    out = tmp_path / "one.wav"
    render = invoke("render", str(routine), "-o", str(out), "--cues", "vtt")
    assert render.exit_code == 0, render.output
    first, second = render.stdout.splitlines()[:2]
    assert first.startswith(f"Wrote {out}: ") and (
        " ms), 1 spoken cue, 0 tones, 1 chapter; voice " in first)
    assert second == f"Wrote {tmp_path / 'one.vtt'}: 1 spoken cue."


def test_tags_comment_counts_in_the_singular() -> None:
    from voice_coach.output.tags import describe

    routine = routine_from("title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 1\n"
                           "    get_ready: none\n  - breathe: B\n    cycles: 1\n")
    text = describe(routine, fake_compose(routine))
    assert "1 x 1 rep of A (holds of 3 s and 3 s); 1 breath of B (4-6 s)." in text
    assert "1 chapters" not in text and "1 spoken cues" not in text


def test_counted() -> None:
    assert counted(1, "{n} chapter", "{n} chapters") == "1 chapter"
    assert counted(0, "{n} chapter", "{n} chapters") == "0 chapters"
    assert counted(2, "there is {n} breath", "there are {n} breaths") == "there are 2 breaths"
