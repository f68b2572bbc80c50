"""The composer: exact placement, fit errors, announcements, and invariants over random routines."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import fake_compose, routine_from
from voice_coach.basics.errors import SpecError
from voice_coach.plan.compose import FIT_MARGIN_MS, compose, phrases
from voice_coach.plan.timeline import overlaps
from voice_coach.routine import builtin_names, load_routine, minimum_length_ms


def test_tiny_routine_exact_plan() -> None:
    routine = routine_from(
        "title: Tiny\nfade_out: 0s\nsteps:\n  - exercise: Pumps\n    sets: 1\n    reps: 2\n"
        "    get_ready: none\n    set_intro: Go.\n    halfway: false\n    phases:\n"
        "      - {say: Up., hold: 1s, tone: rise}\n      - {say: Down., hold: 1s, tone: fall}\n"
    )
    timeline = compose(routine, {"Go.": 500, "Up.": 300, "Down.": 400}.__getitem__)
    got = [(e.start_ms, e.duration_ms, e.kind, e.text or e.tone) for e in timeline.events]
    assert got == [
        (0, 800, "tone", "chime"),
        (880, 500, "speech", "Go."),
        (1980, 200, "tone", "rise"),
        (2260, 300, "speech", "Up."),
        (2980, 200, "tone", "fall"),
        (3260, 400, "speech", "Down."),
        (3980, 200, "tone", "rise"),
        (4260, 300, "speech", "Up."),
        (4980, 200, "tone", "fall"),
        (5260, 400, "speech", "Down."),
    ]
    assert timeline.duration_ms == 5980 + 1000  # the set ends at 5980, then a 1 s tail
    assert [(c.start_ms, c.title) for c in timeline.chapters] == [(0, "Set 1 of 1")]


def test_speech_that_does_not_fit_names_cue_length_slot_and_fix() -> None:
    routine = routine_from(
        "title: T\nsteps:\n  - exercise: Pumps\n    sets: 2\n    reps: 1\n    rest: 20s\n"
        "    get_ready: none\n    phases:\n"
        "      - say: Pull your toes up towards your nose as far as you comfortably can.\n"
        "        hold: 2s\n        tone: rise\n      - say: Down.\n        hold: 2s\n",
        path="long.yaml",
    )
    with pytest.raises(SpecError) as info:
        fake_compose(routine)
    out = info.value.format()
    assert out.startswith(
        'long.yaml:9:14: error: the cue "Pull your toes up towards your nose '
        'as far as you comfortably can." takes 3960 ms plus a margin of 100 ms but its slot '
        'is 1720 ms'
    )
    assert "and 1 more time" in out  # the same cue in set 2 is reported once
    assert "hint: shorten the text, speak faster (voice: rate: 392)" in out


def test_rest_speech_must_fit_rest() -> None:
    routine = routine_from(
        "title: T\nsteps:\n  - exercise: P\n    sets: 2\n    reps: 1\n    rest: 1s\n"
        "    rest_say: Take a long and well deserved rest now.\n",
        path="r.yaml",
    )
    with pytest.raises(SpecError, match=r'r.yaml:7:15: error: the cue "Take a long'):
        fake_compose(routine)


def test_pump_style_places_beats_exactly_without_drift() -> None:
    routine = routine_from(
        "title: T\nsteps:\n  - exercise: P\n    style: pump\n    cadence: 45\n    sets: 1\n"
        "    reps: 90\n    get_ready: none\n    set_intro: false\n    halfway: false\n"
        "    phases:\n      - tone: tick\n      - tone: tock\n"
    )
    timeline = fake_compose(routine)
    beats = [e.start_ms for e in timeline.events if e.layer == "metronome"]
    first = beats[0]
    assert len(beats) == 180
    # beat k at first + floor(k * 60000 / 90): exact, never accumulated
    assert beats == [first + k * 60_000 // 90 for k in range(180)]
    assert beats[-1] - first == 119_333


def test_voice_fade_then_tones_only_with_announcements() -> None:
    routine = routine_from(
        "title: T\nsteps:\n  - exercise: P\n    sets: 1\n    reps: 6\n    voice_fade: 2\n"
        "    last: 1\n    halfway: Halfway.\n    get_ready: none\n"
    )
    timeline = fake_compose(routine)
    texts = [(e.rep, e.text) for e in timeline.speech() if e.rep]
    assert texts == [
        (1, "Toes up, and hold."),
        (1, "Toes down, and hold."),
        (2, "Toes up, and hold."),
        (2, "Toes down, and hold."),
        (4, "Halfway."),
        (6, "Last 1."),
    ]
    assert len([e for e in timeline.tones() if e.tone in ("rise", "fall")]) == 12


def test_countdown_spoken_or_ticked() -> None:
    base = "title: T\nsteps:\n  - exercise: P\n    sets: 1\n    reps: 1\n    get_ready: {}\n"
    spoken = fake_compose(routine_from(base.format("spoken")))
    assert [e.text for e in spoken.speech() if e.phase == "get ready"] == ["Three!", "Two!", "One!"]
    ticks = fake_compose(routine_from(base.format("tones")))
    starts = [e.start_ms for e in ticks.tones() if e.phase == "get ready"]
    assert [b - starts[0] for b in starts] == [0, 1000, 2000]


def test_chapters_for_intro_sets_rests_breathing_outro() -> None:
    timeline = fake_compose(load_routine("tests/routines/everything.yaml"))
    assert [(c.kind, c.title) for c in timeline.chapters] == [
        ("intro", "Introduction"),
        ("set", "Heel raises: set 1 of 2"),
        ("rest", "Rest"),
        ("set", "Heel raises: set 2 of 2"),
        ("set", "Quick pumps: set 1 of 1"),
        ("breathing", "Calm breathing"),
        ("outro", "Finish"),
    ]


@pytest.mark.parametrize("name", builtin_names())
def test_builtins_have_no_overlaps_and_sorted_events(name: str) -> None:
    timeline = fake_compose(load_routine(name))
    starts = [e.start_ms for e in timeline.events]
    assert starts == sorted(starts)
    assert overlaps(timeline.events) == []
    assert timeline.events[-1].end_ms <= timeline.duration_ms


def test_phrases_cover_every_spoken_text() -> None:
    routine = load_routine("tests/routines/everything.yaml")
    assert {e.text for e in fake_compose(routine).speech()} <= set(phrases(routine))


# --- properties over generated routines ------------------------------------------------------

phase = st.fixed_dictionaries(
    {
        "say": st.sampled_from(["Up.", "Down.", "Hold it.", "And relax."]),
        "hold": st.integers(2, 8).map(lambda s: f"{s}s"),
        "tone": st.sampled_from(["rise", "fall", "tick", "none"]),
        "count": st.sampled_from(["none", "aloud", "tick"]),
    }
)
exercise = st.fixed_dictionaries(
    {
        "exercise": st.just("E"),
        "sets": st.integers(1, 3),
        "reps": st.integers(1, 12),
        "rest": st.integers(5, 20).map(lambda s: f"{s}s"),
        "get_ready": st.sampled_from(["spoken", "tones", "none"]),
        "phases": st.lists(phase, min_size=1, max_size=3),
        "voice_fade": st.integers(0, 4),
        "last": st.integers(0, 3),
        "count_reps": st.booleans(),
        "remind_every": st.integers(0, 4),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(exercise, min_size=1, max_size=2))
def test_composed_timeline_invariants(exercises: list[dict]) -> None:
    import yaml

    routine = routine_from(yaml.safe_dump({"title": "P", "steps": exercises}))
    try:
        timeline = fake_compose(routine)
    except SpecError as exc:
        # A cue that does not fit is a located, explained error: never anything else.
        assert all("takes" in d.message and d.line > 0 for d in exc.diagnostics)
        return
    starts = [e.start_ms for e in timeline.events]
    assert starts == sorted(starts)
    assert overlaps(timeline.events) == []
    for here, after in zip(timeline.events, timeline.events[1:]):
        if here.kind == "speech" and here.layer == "cue" and after.layer == "cue":
            assert here.end_ms + FIT_MARGIN_MS <= after.start_ms
    # The timed parts add up exactly: the timeline is never shorter than them.
    assert timeline.duration_ms >= minimum_length_ms(routine)
    chapter_starts = [c.start_ms for c in timeline.chapters]
    assert chapter_starts == sorted(chapter_starts)
    n_sets = sum(e["sets"] for e in exercises)
    assert len([c for c in timeline.chapters if c.kind == "set"]) == n_sets


def test_the_limit_checks_count_what_the_composer_places() -> None:
    """One cost model: the early ceiling on events and floor on length are the composer's own
    rules, counted here by hand for a routine where every possible event is placed."""
    from voice_coach.routine import maximum_events

    routine = routine_from(
        "title: T\nsteps:\n  - exercise: A\n    sets: 2\n    reps: 3\n    rest: 10s\n"
        "    phases:\n"
        "      - {say: Up., hold: 3s, tone: rise, count: tick}\n"
        "      - {say: Down., hold: 3s, tone: fall}\n"
    )
    # Per set: chime, "Set n of 2.", 3-2-1; per repetition: rise, "Up.", ticks at 1 s and 2 s,
    # fall, "Down."; "Rest for 10 seconds." after set 1 only.
    per_set = 1 + 1 + 3 + 3 * (1 + 1 + 2 + 1 + 1)
    timeline = compose(routine, lambda text: 0)  # silent speech: no count is crowded out
    assert len(timeline.events) == 2 * per_set + 1 == 47
    assert maximum_events(routine) == 48  # the ceiling: a rest announcement for every set
    # 2 sets of 3 x (3 s + 3 s) and one 10 s rest
    assert minimum_length_ms(routine) == 2 * 3 * 6000 + 10_000


FIT_ROUTINE = """\
title: T
steps:
  - exercise: A
    sets: 1
    reps: 1
    get_ready: none
    halfway: false
    phases:
      - {say: Up., hold: 1s, tone: none}
      - {say: Down., hold: 1s, tone: none}
"""


def test_speech_fits_when_it_ends_exactly_100_ms_before_the_next_cue() -> None:
    """"Up." starts with its phase and "Down." a second later: a cue of 900 ms leaves exactly
    the 100 ms margin and fits; 901 ms does not."""
    routine = routine_from(FIT_ROUTINE)

    def lengths(up_ms: int):
        return lambda text: up_ms if text == "Up." else 200

    timeline = compose(routine, lengths(900))
    up, down = [e for e in timeline.speech() if e.text in ("Up.", "Down.")]
    assert down.start_ms - up.start_ms == 1000 and up.end_ms + 100 == down.start_ms
    with pytest.raises(SpecError) as info:
        compose(routine, lengths(901))
    assert ('the cue "Up." takes 901 ms plus a margin of 100 ms but its slot is 1000 ms'
            in info.value.format())


def test_breathing_cues_tones_placeholders_and_voice_fade() -> None:
    """A breath: rise and "in" cue, a silent hold, fall and "out" cue, each part placed from the
    block's start; a part of 0 s is left out (the ones after it still come); {cycle},
    {cycles}, {seconds}, {name} and {title} are filled; after voice_fade cycles only tones."""
    routine = routine_from(
        "title: Calm\nsteps:\n  - breathe: Slow\n    inhale: 4s\n    hold: 0s\n    exhale: 6s\n"
        "    hold_out: 2s\n    cycles: 3\n    voice_fade: 2\n"
        "    say_in: In {cycle} of {cycles}, {seconds} s.\n"
        "    say_out: Out, {name} {title}.\n    say_hold: Hold.\n")
    timeline = compose(routine, lambda text: 100)
    assert [(c.start_ms, c.title, c.kind) for c in timeline.chapters] == [
        (0, "Slow", "breathing")]
    cycle_ms = 4000 + 6000 + 2000
    got = [(e.start_ms, e.kind, e.tone or e.text, e.rep, e.phase) for e in timeline.events]
    want = []
    for cycle in (1, 2, 3):
        t = (cycle - 1) * cycle_ms
        want.append((t, "tone", "rise", cycle, "breathe in"))
        if cycle <= 2:
            want.append((t + 280, "speech", f"In {cycle} of 3, 4 s.", cycle, "breathe in"))
        want.append((t + 4000, "tone", "fall", cycle, "breathe out"))
        if cycle <= 2:
            want.append((t + 4280, "speech", "Out, Slow Calm.", cycle, "breathe out"))
            want.append((t + 10_000, "speech", "Hold.", cycle, "hold"))
    assert got == want
    everyone = compose(routine_from(
        "title: T\nsteps:\n  - breathe: Box\n    cycles: 2\n    say_in: In.\n"), lambda t: 100)
    assert [c.title for c in everyone.chapters] == ["Box"]
    assert [e.text for e in everyone.speech()].count("In.") == 2  # voice_fade 0: every cycle


def test_counts_fall_on_whole_seconds_at_least_a_millisecond_before_the_phase_ends() -> None:
    from voice_coach.routine.timing import counted_seconds

    assert list(counted_seconds(1000)) == [] and list(counted_seconds(1001)) == [1]
    assert list(counted_seconds(3000)) == [1, 2] and list(counted_seconds(3001)) == [1, 2, 3]


def test_pump_counts_are_in_the_ceiling() -> None:
    """At 10 a minute with two phases each beat lasts 3 s, so ticked counts fall at 1 s and 2 s
    of every beat: the ceiling counts them as the composer places them."""
    from voice_coach.routine import maximum_events

    routine = routine_from(
        "title: T\nsteps:\n  - exercise: A\n    style: pump\n    cadence: 10\n    sets: 1\n"
        "    reps: 2\n    get_ready: none\n    halfway: false\n    phases:\n"
        "      - {say: Up., count: tick}\n      - {say: Down., count: tick}\n")
    timeline = compose(routine, lambda text: 0)
    first = next(e.start_ms for e in timeline.speech() if e.text == "Up.")
    assert [e.start_ms - first for e in timeline.tones() if e.tone == "tick"] == [
        1000, 2000, 4000, 5000, 7000, 8000, 10_000, 11_000]
    # chime, header, rest cue; 2 reps x 2 phases x (beat tone, cue, 2 ticks)
    assert maximum_events(routine) == 1 + 1 + 3 + 1 + 2 * 2 * (2 + 2)


def test_breath_holds_voice_fade_of_one_and_a_located_misfit() -> None:
    routine = routine_from(
        "title: T\nsteps:\n  - breathe: B\n    inhale: 1s\n    hold: 1s\n    exhale: 1s\n"
        "    cycles: 2\n    voice_fade: 1\n")
    timeline = compose(routine, lambda text: 100)
    assert [(e.start_ms, e.kind, e.phase) for e in timeline.events if e.rep == 2] == [
        (3000, "tone", "breathe in"), (5000, "tone", "breathe out")]
    assert [e.phase for e in timeline.events if e.rep == 1 and e.kind == "speech"] == [
        "breathe in", "hold", "breathe out"]
    with pytest.raises(SpecError) as info:
        compose(routine, lambda text: 2000 if text == "Breathe in." else 100)
    (diag,) = info.value.diagnostics
    assert (diag.line, diag.col) == (3, 5) and 'the cue "Breathe in."' in diag.message


PLACEHOLDERS = """\
title: Calm
intro: "{title} begins."
steps:
  - exercise: Lift
    sets: 2
    reps: 4
    rest: 10s
    get_ready: none
    set_intro: "{name} set {set} of {sets}, {reps} reps."
    rest_say: "Rest {seconds} s ({rest})."
    halfway: "Half of {reps} in {title}."
    last: 1
    last_say: "Last {left}, done {done}."
    phases:
      - {say: "Rep {rep} of {reps}, {seconds} s.", hold: 2s}
  - pause: 3s
    say: "Pause {seconds} s in {title}."
  - say: Done.
    gap: 150ms
  - say: After.
  - exercise: Still
    sets: 2
    reps: 1
    rest: 0s
    get_ready: none
    halfway: false
    phases:
      - {say: Hold., hold: 2s}
outro: Bye.
"""


def test_every_placeholder_and_every_cue_placed_by_hand() -> None:
    """Each cue's words, time, set, repetition and phase, worked out from the rules with 100 ms
    of speech each: intro + 800 ms gap; per set a chime (800 ms), 80 ms, the header, 600 ms;
    2 s repetitions; rest cue 300 ms into a 10 s rest; a 0 s rest is no rest at all."""
    timeline = compose(routine_from(PLACEHOLDERS), lambda text: 100)
    rep = "Rep {rep} of {reps}, {seconds} s."  # a phase is named by its unfilled cue
    want = [(0, "Calm begins.", 0, 0, "")]
    for set_no, start in ((1, 900), (2, 20_480)):
        first = start + 800 + 80 + 100 + 600
        want += [(start + 880, f"Lift set {set_no} of 2, 4 reps.", set_no, 0, "set"),
                 (first, "Rep 1 of 4, 2 s.", set_no, 1, rep),
                 (first + 2000, "Rep 2 of 4, 2 s.", set_no, 2, rep),
                 (first + 4000, "Half of 4 in Calm. Rep 3 of 4, 2 s.", set_no, 3, rep),
                 (first + 6000, "Last 1, done 3. Rep 4 of 4, 2 s.", set_no, 4, rep)]
        if set_no == 1:
            want.append((first + 8000 + 300, "Rest 10 s (10).", 1, 0, "rest"))
    want += [(30_060, "Pause 3 s in Calm.", 0, 0, ""), (33_060, "Done.", 0, 0, ""),
             (33_060 + 100 + 150, "After.", 0, 0, ""),
             (35_090, "Set 1 of 2.", 1, 0, "set"), (35_790, "Hold.", 1, 1, "Hold."),
             (38_670, "Set 2 of 2.", 2, 0, "set"), (39_370, "Hold.", 2, 1, "Hold."),
             (41_370, "Bye.", 0, 0, "")]
    got = [(e.start_ms, e.text, e.set, e.rep, e.phase) for e in timeline.speech()]
    assert got == want
    assert [(c.start_ms, c.title, c.kind) for c in timeline.chapters] == [
        (0, "Introduction", "intro"), (900, "Lift: set 1 of 2", "set"), (10_480, "Rest", "rest"),
        (20_480, "Lift: set 2 of 2", "set"), (34_210, "Still: set 1 of 2", "set"),
        (37_790, "Still: set 2 of 2", "set"), (41_370, "Finish", "outro")]
    chimes = [(e.start_ms, e.set, e.phase) for e in timeline.tones() if e.tone == "chime"]
    assert chimes == [(900, 1, "set"), (20_480, 2, "set"), (34_210, 1, "set"),
                      (37_790, 2, "set")]
    # gap: 0s after a free-standing cue means no gap: "After." would start as "Done." ends
    with pytest.raises(SpecError, match='the cue "Done." takes 100 ms plus a margin of 100 ms '
                                        'but its slot is 100 ms'):
        compose(routine_from(PLACEHOLDERS.replace("gap: 150ms", "gap: 0s")), lambda text: 100)


def test_limits_add_up_every_step() -> None:
    """The early bounds sum every step: intro and outro cues; an exercise (2 sets of 3, 4 s
    repetitions, a 5 s rest); 2 breaths of 4 + 6 s; a 3 s pause with its cue; a spoken line."""
    from voice_coach.routine import maximum_events

    routine = routine_from(
        "title: T\nintro: Hi.\noutro: Bye.\nsteps:\n"
        "  - exercise: A\n    sets: 2\n    reps: 3\n    rest: 5s\n    phases:\n"
        "      - {say: Up., hold: 2s}\n      - {say: Down., hold: 2s}\n"
        "  - breathe: B\n    cycles: 2\n"
        "  - pause: 3s\n    say: Still.\n"
        "  - say: Well done.\n")
    assert minimum_length_ms(routine) == 2 * 3 * 4000 + 5000 + 2 * (4000 + 6000) + 3000
    # intro + outro; per set 6 + 3 x 2 phases x 2; 2 breaths x 4 parts x 2; the pause; the line
    assert maximum_events(routine) == 2 + 2 * (6 + 3 * 2 * 2) + 2 * 4 * 2 + 1 + 1


def test_fit_errors_name_the_tone_and_cap_the_rate_they_suggest() -> None:
    routine = routine_from(
        "title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 1\n    get_ready: none\n"
        "    halfway: false\n    phases:\n      - {say: Up., hold: 1s, tone: rise}\n"
        "      - {say: Down., hold: 1s, tone: fall}\n")
    with pytest.raises(SpecError) as info:
        compose(routine, lambda text: 5000 if text == "Up." else 100)
    text = info.value.format()
    # the slot: after the tone and 80 ms
    assert 'the cue "Up." takes 5000 ms plus a margin of 100 ms but its slot is 720 ms' in text
    assert "before the fall tone)" in text
    assert "speak faster (voice: rate: 450)" in text  # never more than the engines can do
    chime = routine_from(
        "title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 1\n    get_ready: tones\n"
        "    set_intro: ''\n    halfway: false\n    phases:\n      - {say: Up., hold: 1s}\n")
    timeline = compose(chime, lambda text: 100)
    first_tick = next(e.start_ms for e in timeline.tones() if e.tone == "tick")
    assert first_tick - 800 - 80 - 600 == 0  # chime, 80 ms, 600 ms after the (empty) header
    squeezed = routine_from(
        "title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 1\n    get_ready: none\n"
        "    set_intro: ''\n    halfway: false\n    phases:\n"
        "      - {hold: 500ms, tone: chime}\n      - {hold: 1s, tone: fall}\n")
    with pytest.raises(SpecError) as info:
        compose(squeezed, lambda text: 100)
    (diag,) = info.value.diagnostics
    assert diag.message == ("the chime tone at 0:01.480 runs into the fall tone")
    assert diag.hint == "lengthen the phase it starts, or choose a shorter tone (tick)"
    assert (diag.line, diag.col) == (1, 1)


def test_reminders_yield_to_halfway_and_last_and_voice_fade_of_one() -> None:
    """remind_every 2 reminds at repetitions 3, 5, ... unless halfway or last is said there;
    voice_fade 1 speaks the phase cue in the first repetition only; numbers are the language's
    words (num2words)."""
    from voice_coach.lang.languages import get_language
    from voice_coach.lang.numbers import number_words

    routine = routine_from(
        "title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 8\n    get_ready: none\n"
        "    set_intro: ''\n    remind_every: 2\n    remind: Breathe.\n    last: 2\n"
        "    voice_fade: 1\n    phases:\n      - {say: Up., hold: 3s}\n")
    timeline = compose(routine, lambda text: 100)
    said = {e.rep: e.text for e in timeline.speech() if e.rep}
    assert said == {1: "Up.", 3: "Breathe.", 5: "Halfway.", 7: "Last 2.", 8: "Last 1."}
    english = get_language("en")
    assert [number_words(n, english) for n in (0, 1, 20, 21)] == [
        "zero", "one", "twenty", "twenty-one"]


@pytest.mark.parametrize("text, line, col", [
    ("title: T\nsteps:\n  - pause: 1s\n    say: A long pause cue.\n  - say: Next.\n", 4, 10),
    ("title: T\nsteps:\n  - say: A long line.\n    gap: 0s\n  - say: Next.\n", 3, 10),
    ("title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 1\n    halfway: false\n", 3, 5),
])
def test_a_cue_that_does_not_fit_is_located_where_it_was_written(text: str, line: int,
                                                                  col: int) -> None:
    routine = routine_from(text)
    with pytest.raises(SpecError) as info:
        compose(routine, lambda t: 5000 if t in ("A long pause cue.", "A long line.",
                                                 "Three!") else 100)
    diag = info.value.diagnostics[0]
    assert (diag.line, diag.col) == (line, col), diag
