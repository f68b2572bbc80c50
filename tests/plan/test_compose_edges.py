"""The composer's edges that mutation testing found unchecked (docs/mutation-testing.md):
placeholders in every kind of text ({next}, {minutes}), what a crowded moment leaves out and the
note it writes, fit errors' wording, hints and places, tones that touch, and the early bounds
of routine/timing.py. Times are worked out by hand as in test_onsets_by_hand.py."""

from __future__ import annotations

import pytest

import voice_coach as vc
from voice_coach.plan.compose import room_notes
from voice_coach.routine import maximum_events, minimum_length_ms


def routine(text: str) -> vc.Routine:
    return vc.parse_routine(text, path="edge.yaml")


def plan(text: str, lengths_ms: dict[str, int]) -> vc.Timeline:
    return vc.compose(routine(text), lengths_ms.__getitem__)


def said(timeline: vc.Timeline) -> list[tuple[int, str]]:
    return [(e.start_ms, e.text) for e in timeline.speech()]


def fit_error(text: str, lengths_ms: dict[str, int]) -> list[vc.Diagnostic]:
    with pytest.raises(vc.SpecError) as caught:
        plan(text, lengths_ms)
    return caught.value.diagnostics


def test_next_set_and_placeholders_of_every_text() -> None:
    timeline = plan(
        "title: T\nfade_out: 0s\nsteps:\n  - say: 'Hi{minutes}, {title}.'\n    gap: 100ms\n"
        "  - exercise: A\n    sets: 3\n    reps: 1\n    rest: 5s\n    get_ready: none\n"
        "    set_intro: 'Go {next}.'\n    safety: 'Care in {set}.'\n    halfway: false\n"
        "    rest_say: 'Then {next}.'\n    phases: [{hold: 1s}]\n",
        {"Hi, T.": 100, "Go set 2 of 3. Care in 1.": 500, "Go set 3 of 3. Care in 2.": 500,
         "Go . Care in 3.": 500, "Then set 2 of 3.": 300, "Then set 3 of 3.": 300})
    assert said(timeline) == [
        (0, "Hi, T."),                        # {minutes} is "" here; then a 100 ms gap
        (1080, "Go set 2 of 3. Care in 1."),  # 200 + 800 + 80
        (3480, "Then set 2 of 3."),           # 1080 + 500 + 600 + 1000 = 3180, + 300
        (9060, "Go set 3 of 3. Care in 2."),  # 3180 + 5000 + 880
        (11_460, "Then set 3 of 3."),         # 9060 + 500 + 600 + 1000 = 11160, + 300
        (17_040, "Go . Care in 3."),          # 11160 + 5000 + 880: the last set has no next
    ]


def test_no_rest_cue_and_a_session_of_silence() -> None:
    quiet = plan("title: T\nsteps:\n  - exercise: A\n    sets: 2\n    reps: 1\n    rest: 2s\n"
                 "    get_ready: none\n    set_intro: ''\n    rest_say: false\n"
                 "    phases: [{hold: 1s}]\n", {})
    assert [(c.start_ms, c.kind) for c in quiet.chapters] == [(0, "set"), (2480, "rest"),
                                                             (4480, "set")]
    assert [e.start_ms for e in quiet.events] == [0, 4480]  # the chimes only
    silence = plan("title: T\nfade_out: 0s\nsteps:\n  - pause: 2s\n", {})
    assert silence.events == () and silence.duration_ms == 3000  # 2000 + the 1 s minimum
    assert [(c.start_ms, c.kind) for c in silence.chapters] == [(0, "intro")]


CROWD = """\
title: T
fade_out: 0s
steps:
  - exercise: A
    sets: 1
    reps: 4
    get_ready: none
    set_intro: ''
    count_reps: true
    halfway: Half.
    last: 1
    last_say: Last.
    remind_every: 1
    remind: 'Rep {rep}.'
    phases:
      - {say: Up., hold: 2s, tone: rise}
"""


def test_what_a_crowded_moment_leaves_out_in_order_and_the_note() -> None:
    """Room for 2000 - 280 - 100 = 1620 ms. Repetition 2: phase words, then the reminder go;
    3 (halfway): the phase words, then "Half." go; 4 (last): the phase words, then "Last."."""
    lengths = {"One. Up.": 1000, "Two. Rep 2. Up.": 1700, "Two. Rep 2.": 1700, "Two.": 400,
               "Three. Half. Up.": 1700, "Three. Half.": 1700, "Three.": 500,
               "Four. Last. Up.": 1700, "Four. Last.": 1621, "Four.": 400}
    timeline = plan(CROWD, lengths)
    assert said(timeline) == [(1760, "One. Up."), (3760, "Two."), (5760, "Three."),
                              (7760, "Four.")]
    notes = [(d.line, d.col, d.message, d.severity) for d in room_notes(timeline)]
    assert notes == [
        (4, 5, '"Two. Rep 2. Up." does not fit its moment: said as "Two.", the phase words left '
               "out, the reminder left out", "note"),
        # the last repetition's note is the same kind, at the same place: counted in this one
        (4, 5, '"Three. Half. Up." does not fit its moment: said as "Three.", the phase words '
               "left out, the announcement left out (2 times)", "note")]
    assert {"Two.", "Three.", "Four.", "Two. Rep 2.", "Three. Half."} <= set(
        vc.phrases(routine(CROWD)))  # what a crowded cue may be said as is synthesised too
    roomy = plan(CROWD, {**lengths, "Two. Rep 2. Up.": 1620, "Three. Half. Up.": 1620,
                         "Four. Last. Up.": 1620})
    assert room_notes(roomy) == [] and roomy.extra == {}


def test_a_silent_next_phase_and_a_counted_second_bound_the_room() -> None:
    """Hold style: the cue must end before its phase ends (not before the next cue) and, with
    count: aloud, before the first counted second."""
    silent_next = ("title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 2\n"
                   "    get_ready: none\n    set_intro: ''\n    count_reps: true\n"
                   "    halfway: false\n    phases:\n      - {say: Up., hold: 2s}\n"
                   "      - {hold: 2s}\n")
    # repetition 2 has no room for its words before its phase ends (5480 + 1901 + 100 > 7480),
    # though the next cue comes only at 9480
    timeline = plan(silent_next, {"One. Up.": 1900, "Two. Up.": 1901, "Two.": 300})
    assert said(timeline) == [(1480, "One. Up."), (5480, "Two.")]  # 1480 + 4000
    aloud = silent_next.replace("{say: Up., hold: 2s}", "{say: Up., hold: 3s, count: aloud}")
    counted = plan(aloud, {"One. Up.": 900, "Two. Up.": 901, "Two.": 300, "Three.": 300})
    assert said(counted) == [(1480, "One. Up."), (2480, "Two."), (3480, "Three."),
                             (6480, "Two."), (7480, "Two."), (8480, "Three.")]


LONG_LINE = "title: T\nsteps:\n  - say: Long line.\n    gap: 50ms\n  - say: Next.\n"


def test_fit_errors_say_what_runs_into_what_and_how_to_fix_it() -> None:
    (gap,) = fit_error(LONG_LINE, {"Long line.": 1000, "Next.": 100})
    assert (gap.path, gap.line, gap.col) == ("edge.yaml", 3, 10)
    assert gap.message == ('the cue "Long line." takes 1000 ms plus a margin of 100 ms but its '
                           'slot is 1050 ms (at 0:00.000, before "Next.")')
    assert gap.hint == "give it a gap of at least 100ms (gap: 100ms), or shorten the text"
    pause = "title: T\nsteps:\n  - pause: 1s\n    say: Long line.\n  - say: Next.\n"
    (rate,) = fit_error(pause, {"Long line.": 2000, "Next.": 100})
    assert rate.message.endswith('but its slot is 1000 ms (at 0:00.000, before "Next.")')
    assert rate.hint == ("shorten the text, speak faster (voice: rate: 356), or lengthen the "
                         "phase or rest it falls in")  # 160 x 2000 / (1000 - 100), rounded up


def test_a_cue_into_a_counted_second_and_a_count_that_does_not_fit() -> None:
    text = ("title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 1\n    get_ready: none\n"
            "    set_intro: ''\n    halfway: false\n    phases:\n"
            "      - {say: Up., hold: 3s, count: aloud}\n")
    (cue,) = fit_error(text, {"Up.": 950, "Two.": 100, "Three.": 100})
    assert cue.message.endswith('but its slot is 1000 ms (at 0:01.480, before "Two.")')
    assert cue.hint == ('count: aloud says the number of every second of the phase, so the cue '
                        'must end before "Two.": shorten it, speak faster (voice: rate: 169), '
                        'or use count: tick (its ticks wait for the cue)')
    (count,) = fit_error(text, {"Up.": 100, "Two.": 901, "Three.": 100})
    assert (count.line, count.col) == (10, 9)  # the phase that counts
    assert count.message.startswith('the cue "Two." takes 901 ms')


def test_tones_may_touch_and_errors_recur_with_a_count() -> None:
    touching = ("title: T\nfade_out: 0s\nsteps:\n  - exercise: A\n    sets: {}\n    reps: 1\n"
                "    rest: 5s\n    get_ready: none\n    set_intro: ''\n    halfway: false\n"
                "    rest_say: ''\n    phases:\n      - {{hold: 200ms, tone: rise}}\n"
                "      - {{hold: 1s, tone: fall}}\n")
    timeline = plan(touching.format(1), {})
    assert [(e.start_ms, e.tone) for e in timeline.events] == [(0, "chime"), (1480, "rise"),
                                                               (1680, "fall")]  # end to end
    (tones,) = fit_error(touching.format(1).replace("200ms, tone: rise", "199ms, tone: rise"), {})
    assert (tones.path, tones.message) == ("edge.yaml", "the rise tone at 0:01.480 runs into the "
                                                        "fall tone")
    long_up = ("title: T\nsteps:\n  - exercise: A\n    sets: {}\n    reps: 1\n    rest: 5s\n"
               "    get_ready: none\n    set_intro: ''\n    halfway: false\n    phases:\n"
               "      - {{say: Up., hold: 1s}}\n      - {{say: Down., hold: 1s}}\n")
    lengths = {"Up.": 950, "Down.": 100, "Rest for 5 seconds.": 100}
    (twice,) = fit_error(long_up.format(2), lengths)
    assert twice.message.endswith('(at 0:01.480, before "Down."), and 1 more time')
    (thrice,) = fit_error(long_up.format(3), lengths)
    assert thrice.message.endswith(", and 2 more times")
    both = fit_error(long_up.format(1), {**lengths, "Down.": 2000})
    assert [d.message.split(" takes")[0] for d in both] == ['the cue "Up."']
    two = fit_error(long_up.format(1) + "  - say: After.\n",  # at 3480, when the set ends
                    {**lengths, "Down.": 2000, "After.": 100})
    assert [d.message.split(" takes")[0] for d in two] == ['the cue "Up."', 'the cue "Down."']


def test_the_early_bounds_count_every_step_and_pump_phases() -> None:
    first_pause = routine("title: T\nsteps:\n  - pause: 3s\n  - exercise: A\n    sets: 2\n"
                          "    reps: 1\n    rest: 5s\n    phases: [{hold: 2s}]\n")
    assert minimum_length_ms(first_pause) == 3000 + 2 * 2000 + 5000
    pump = routine("title: T\nsteps:\n  - exercise: A\n    style: pump\n    cadence: 45\n"
                   "    sets: 1\n    reps: 2\n    phases:\n      - {tone: tick, count: tick}\n"
                   "      - {tone: tock}\n")
    # a beat lasts at most ceil(60000 / 90) = 667 ms: no whole second to count in it
    assert maximum_events(pump) == 1 + 1 + 3 + 1 + 2 * 2 * 2


def test_an_empty_line_and_a_rest_of_a_millisecond() -> None:
    """An empty say step places nothing and leaves the cue before it where it was written; a
    rest of 1 ms is a rest: its cue, 300 ms in, meets the next set's chime."""
    empty = ("title: T\nsteps:\n  - pause: 1s\n    say: Long line.\n  - say: ''\n"
             "  - say: Next.\n")
    (diag,) = fit_error(empty, {"Long line.": 2000, "Next.": 100})
    assert (diag.line, diag.col) == (4, 10)
    rest = ("title: T\nsteps:\n  - exercise: A\n    sets: 2\n    reps: 1\n    rest: 1ms\n"
            "    get_ready: none\n    set_intro: ''\n    phases: [{hold: 1s}]\n")
    (chime,) = fit_error(rest, {"Rest for 0.001 seconds.": 100})
    assert chime.message == 'the chime tone at 0:02.481 runs into "Rest for 0.001 seconds."'


def test_one_place_with_different_problems_reports_each() -> None:
    """"Up {rep}." written once says "Up 1." and "Up 2.": two texts, two messages at one place,
    each reported (the same text again would be counted instead)."""
    text = ("title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 2\n    get_ready: none\n"
            "    set_intro: ''\n    halfway: false\n    phases:\n"
            "      - {say: 'Up {rep}.', hold: 1s}\n      - {say: Down., hold: 1s}\n")
    diags = fit_error(text, {"Up 1.": 950, "Up 2.": 950, "Down.": 100})
    assert [(d.line, d.col, d.message.split(" but")[0]) for d in diags] == [
        (10, 15, 'the cue "Up 1." takes 950 ms plus a margin of 100 ms'),
        (10, 15, 'the cue "Up 2." takes 950 ms plus a margin of 100 ms')]
