"""Onsets worked out by hand, one small routine per feature: the expected times are literal
numbers with their arithmetic beside them, never the composer's own output, so a change of one
millisecond (more than one frame at 22050 Hz) anywhere in the placement rules fails here.

The rules (README and docs/timing.md): a set starts with a chime (800 ms), 80 ms, the header,
600 ms, then the 3-2-1 a second apart; a phase's tone (rise/fall 200 ms, tick/tock 50 ms) then
80 ms, then its cue; a rest cue 300 ms into the rest; free-standing speech is followed by the gap
(default 800 ms); the session ends max(fade_out, 1000 ms) after the last sound or step.

Feature -> test (the golden files' routines are checked in test_golden_onsets_by_hand.py):
  sets, chapters, chime, header, phases with tones, rests -> test_sets_phases_and_rests
  countdown spoken / ticked / none                        -> test_countdown_spoken_and_ticked
  count_reps, halfway, last, remind_every, voice_fade     -> test_announcements_and_voice_fade
  count: tick (waits for the cue) and count: aloud        -> test_counted_seconds_ticked_and_aloud
  breathe (parts, 0 s part left out, voice_fade)          -> test_breathing_cycles
  intro, say steps, gap, pause with a cue, outro          -> test_say_pause_gap_intro_outro
  fade out (and the 1 s minimum; a cue past the end)      -> test_fade_out_and_the_closing_minimum
  pump style, metronome on whole-ms floors                -> test_pump_beats_floor_never_drift
  crowded moments (plan/room.py)                          -> test_crowded_moment_*
  several exercises: named chapters, empty rest cue       -> test_chapters_of_several_exercises
  flight repeat (flight_session)                          -> test_flight_repeat_moves_every_event
  progress / today's dose                                 -> test_todays_dose_sets_the_repetitions
  language, number words, de-AT                           -> tests/lang/test_language_fallback.py
"""

from __future__ import annotations

import pytest

import voice_coach as vc


def plan(yaml_text: str, lengths_ms: dict[str, int]) -> vc.Timeline:
    """Composes with a fixed table of speech lengths: a phrase not in it is a KeyError."""
    return vc.compose(vc.parse_routine(yaml_text, path="hand.yaml"), lengths_ms.__getitem__)


def placed(timeline: vc.Timeline) -> list[tuple[int, str]]:
    return [(e.start_ms, e.text or e.tone) for e in timeline.events]


def chapters(timeline: vc.Timeline) -> list[tuple[int, str, str]]:
    return [(c.start_ms, c.title, c.kind) for c in timeline.chapters]


SETS = """\
title: Sets
fade_out: 0s
steps:
  - exercise: Lift
    sets: 2
    reps: 2
    rest: 5s
    get_ready: none
    set_intro: Go.
    halfway: false
    rest_say: Rest.
    phases:
      - {say: Up., hold: 2s, tone: rise}
      - {say: Down., hold: 3s, tone: fall}
"""


def test_sets_phases_and_rests() -> None:
    timeline = plan(SETS, {"Go.": 400, "Up.": 300, "Down.": 500, "Rest.": 700})
    assert placed(timeline) == [
        (0, "chime"),          # set 1 at 0
        (880, "Go."),          # 0 + chime 800 + 80
        (1880, "rise"),        # 880 + "Go." 400 + 600: repetition 1
        (2160, "Up."),         # 1880 + rise 200 + 80
        (3880, "fall"),        # 1880 + hold 2000
        (4160, "Down."),       # 3880 + 200 + 80
        (6880, "rise"),        # repetition 2: 1880 + 2000 + 3000
        (7160, "Up."),
        (8880, "fall"),        # 6880 + 2000
        (9160, "Down."),
        (12_180, "Rest."),     # the set ends at 6880 + 5000 = 11880; + 300
        (16_880, "chime"),     # set 2 after the 5 s rest: 11880 + 5000
        (17_760, "Go."),       # 16880 + 880
        (18_760, "rise"),      # 17760 + 400 + 600
        (19_040, "Up."),
        (20_760, "fall"),
        (21_040, "Down."),
        (23_760, "rise"),      # 18760 + 5000
        (24_040, "Up."),
        (25_760, "fall"),
        (26_040, "Down."),
    ]
    assert chapters(timeline) == [(0, "Set 1 of 2", "set"), (11_880, "Rest", "rest"),
                                  (16_880, "Set 2 of 2", "set")]
    # the last set ends at 18760 + 2 x 5000 = 28760; no rest after it; 1 s closing minimum
    assert timeline.duration_ms == 29_760
    assert [(e.set, e.rep, e.phase) for e in timeline.events[2:6]] == [
        (1, 1, "Up."), (1, 1, "Up."), (1, 1, "Down."), (1, 1, "Down.")]


COUNTDOWN = """\
title: Countdown
steps:
  - exercise: A
    sets: 1
    reps: 1
    get_ready: {}
    set_intro: Ready.
    halfway: false
    phases:
      - {{say: Go., hold: 2s}}
"""
COUNTDOWN_MS = {"Ready.": 500, "Three!": 360, "Two!": 240, "One!": 240, "Go.": 300}


def test_countdown_spoken_and_ticked() -> None:
    spoken = plan(COUNTDOWN.format("spoken"), COUNTDOWN_MS)
    # chime 0; "Ready." at 880 ends 1380; + 600: the beats at 1980, 2980, 3980; the phase
    # (tone: none, so its cue at its start) at 1980 + 3 x 1000
    assert placed(spoken) == [(0, "chime"), (880, "Ready."), (1980, "Three!"), (2980, "Two!"),
                              (3980, "One!"), (4980, "Go.")]
    assert [e.phase for e in spoken.events[2:5]] == ["get ready"] * 3
    assert spoken.duration_ms == 8980  # the set ends at 4980 + 2000; the default 2 s fade
    ticked = plan(COUNTDOWN.format("tones"), COUNTDOWN_MS)
    assert placed(ticked) == [(0, "chime"), (880, "Ready."), (1980, "tick"), (2980, "tick"),
                              (3980, "tick"), (4980, "Go.")]
    none = plan(COUNTDOWN.format("none"), COUNTDOWN_MS)
    assert placed(none) == [(0, "chime"), (880, "Ready."), (1980, "Go.")]  # 880 + 500 + 600
    assert none.duration_ms == 5980  # 1980 + 2000 + 2000


ANNOUNCEMENTS = """\
title: Talk
fade_out: 0s
steps:
  - exercise: A
    sets: 1
    reps: 6
    get_ready: none
    set_intro: ''
    count_reps: true
    halfway: Half.
    last: 1
    last_say: Last.
    remind_every: 2
    remind: Breathe.
    voice_fade: 2
    phases:
      - {say: Up., hold: 4s, tone: rise}
"""


def test_announcements_and_voice_fade() -> None:
    """Number first, then halfway (repetition 6 // 2 + 1 = 4), the last one (6), the reminder
    at 3 and 5 ((rep - 1) % 2 == 0, not where halfway or last is said); after voice_fade 2 the
    phase's own words are gone but the announcements stay."""
    said = ["One. Up.", "Two. Up.", "Three. Breathe.", "Four. Half.", "Five. Breathe.",
            "Six. Last."]
    timeline = plan(ANNOUNCEMENTS, dict.fromkeys(said, 1000))
    # an empty header: 800 + 80 + 600 = 1480, the first repetition; then every 4000 ms, each
    # cue 200 + 80 after its rise
    want = [(0, "chime")]
    for rep, start in enumerate((1480, 5480, 9480, 13_480, 17_480, 21_480)):
        want += [(start, "rise"), (start + 280, said[rep])]
    assert placed(timeline) == want
    assert want[-1] == (21_760, "Six. Last.")
    assert timeline.duration_ms == 26_480  # 1480 + 6 x 4000, + 1000


COUNTS = """\
title: Count
fade_out: 0s
steps:
  - exercise: A
    sets: 1
    reps: 1
    get_ready: none
    set_intro: ''
    halfway: false
    phases:
      - {say: Hold it., hold: 4s, tone: rise, count: tick}
      - {say: Down., hold: 3s, count: aloud}
"""


def test_counted_seconds_ticked_and_aloud() -> None:
    """Ticks at 1, 2, 3 s of a 4 s hold, each only 150 ms or more after the cue ended; aloud,
    the number of every whole second but the first ("Two." at 1 s, "Three." at 2 s)."""
    lengths = {"Hold it.": 1100, "Down.": 300, "Two.": 250, "Three.": 350}
    timeline = plan(COUNTS, lengths)
    assert placed(timeline) == [
        (0, "chime"),
        (1480, "rise"),       # 800 + 80 + 600
        (1760, "Hold it."),   # 1480 + 280, ends 2860: a tick needs 3010 or later
        # 2480 (1 s) is skipped: 2480 < 2860 + 150
        (3480, "tick"),       # 2 s
        (4480, "tick"),       # 3 s
        (5480, "Down."),      # 1480 + 4000; tone: none, so the cue at the phase's start
        (6480, "Two."),       # 5480 + 1000
        (7480, "Three."),     # 5480 + 2000 (3 s would be the phase's end)
    ]
    assert timeline.duration_ms == 9480  # 5480 + 3000 + 1000
    # the tick's boundary: a cue ending at 3330 leaves the 2 s tick (3480 = 3330 + 150) in,
    # one ending at 3331 takes it out
    edge = plan(COUNTS, {**lengths, "Hold it.": 1570})
    assert [e.start_ms for e in edge.tones() if e.tone == "tick"] == [3480, 4480]
    past = plan(COUNTS, {**lengths, "Hold it.": 1571})
    assert [e.start_ms for e in past.tones() if e.tone == "tick"] == [4480]


BREATHE = """\
title: Breath
fade_out: 0s
steps:
  - breathe: Calm
    inhale: 3s
    hold: 1s
    exhale: 4s
    hold_out: 0s
    cycles: 2
    voice_fade: 1
"""


def test_breathing_cycles() -> None:
    timeline = plan(BREATHE, {"Breathe in.": 700, "Hold.": 300, "Breathe out.": 800})
    assert placed(timeline) == [
        (0, "rise"), (280, "Breathe in."),     # inhale at 0: its cue 200 + 80 after the rise
        (3000, "Hold."),                       # the hold at 3000, no tone: its cue at once
        (4000, "fall"), (4280, "Breathe out."),  # exhale at 3000 + 1000
        # hold_out 0 s is left out: cycle 2 at 3000 + 1000 + 4000; voice_fade 1: tones only
        (8000, "rise"), (12_000, "fall"),      # 8000 + 3000 + 1000
    ]
    assert [(e.rep, e.phase) for e in timeline.events[-2:]] == [
        (2, "breathe in"), (2, "breathe out")]
    assert chapters(timeline) == [(0, "Calm", "breathing")]
    assert timeline.duration_ms == 17_000  # 2 x 8000, + 1000


SPOKEN = """\
title: Talk
intro: Hello.
gap: 500ms
fade_out: {}
outro: Bye.
steps:
  - say: One line.
  - say: Two lines.
    gap: 2s
  - pause: 3s
    say: Quiet.
  - say: After.
"""
SPOKEN_MS = {"Hello.": 400, "One line.": 600, "Two lines.": 700, "Quiet.": 200, "After.": 500,
             "Bye.": 300}


def test_say_pause_gap_intro_outro() -> None:
    timeline = plan(SPOKEN.format("0s"), SPOKEN_MS)
    assert placed(timeline) == [
        (0, "Hello."),
        (900, "One line."),    # 0 + 400 + the routine's gap 500
        (2000, "Two lines."),  # 900 + 600 + 500
        (4700, "Quiet."),      # 2000 + 700 + its own gap 2000
        (7700, "After."),      # 4700 + the 3 s pause
        (8700, "Bye."),        # 7700 + 500 + 500
    ]
    assert chapters(timeline) == [(0, "Introduction", "intro"), (8700, "Finish", "outro")]
    assert timeline.duration_ms == 10_500  # the outro's gap ends at 8700 + 300 + 500; + 1000


def test_fade_out_and_the_closing_minimum() -> None:
    """The session lasts fade_out after the later of the last sound's end and the last step's
    end, and never less than 1000 ms after it."""
    assert plan(SPOKEN.format("5s"), SPOKEN_MS).duration_ms == 14_500  # 9500 + 5000
    assert plan(SPOKEN.format("1500ms"), SPOKEN_MS).duration_ms == 11_000  # 9500 + 1500
    faded = plan(SPOKEN.format("999ms"), SPOKEN_MS)
    assert (faded.duration_ms, faded.fade_out_ms) == (10_500, 999)  # 9500 + the 1000 minimum
    # a pause's cue longer than the pause, last: the sound ends at 2500, after the step (1000)
    past = plan("title: T\nfade_out: 2s\nsteps:\n  - pause: 1s\n    say: Long.\n",
                {"Long.": 2500})
    assert placed(past) == [(0, "Long.")] and past.duration_ms == 4500  # 2500 + 2000


PUMP = """\
title: Pump
fade_out: 0s
steps:
  - exercise: P
    style: pump
    cadence: 45
    sets: 1
    reps: 3
    get_ready: none
    set_intro: ''
    halfway: false
    phases:
      - {say: Up., tone: tick}
      - {say: Down., tone: tock}
"""


def test_pump_beats_floor_never_drift() -> None:
    """45 a minute, two beats each: beat k at 1480 + k * 60000 // 90 (floor, from the set's
    first beat, never a running sum of 666.67 ms); the cue with its beat, the beat a
    metronome event placed after a cue at the same moment."""
    timeline = plan(PUMP, {"Up.": 300, "Down.": 400})
    beats = [1480, 2146, 2813, 3480, 4146, 4813]  # + 0, 666, 1333, 2000, 2666, 3333
    want = [(0, "chime")]
    for k, start in enumerate(beats):
        want += [(start, "Up." if k % 2 == 0 else "Down."), (start, "tick" if k % 2 == 0
                                                              else "tock")]
    assert placed(timeline) == want
    assert [e.layer for e in timeline.tones()] == ["cue"] + ["metronome"] * 6  # the chime: a cue
    assert [e.duration_ms for e in timeline.tones()] == [800] + [50] * 6  # chime, tick, tock
    assert timeline.duration_ms == 6480  # 1480 + 6 x 60000 // 90 = 5480, + 1000


CROWDED = """\
title: Crowd
fade_out: 0s
steps:
  - exercise: A
    sets: 1
    reps: 4
    get_ready: none
    set_intro: ''
    count_reps: true
    halfway: Halfway.
    phases:
      - {say: Toes up., hold: 2s, tone: rise}
"""
CROWDED_MS = {"One. Toes up.": 1000, "Two. Toes up.": 1000, "Three. Halfway. Toes up.": 1800,
              "Three. Halfway.": 1200, "Four. Toes up.": 1000}


def test_crowded_moment_leaves_the_phase_words_out_after_the_first_repetition() -> None:
    """A cue at start + 280 must end 100 ms before start + 2000: 1620 ms. "Three. Halfway.
    Toes up." (1800 ms) does not fit, so the phase's words go first (they were heard)."""
    timeline = plan(CROWDED, CROWDED_MS)
    assert placed(timeline) == [(0, "chime"), (1480, "rise"), (1760, "One. Toes up."),
                                (3480, "rise"), (3760, "Two. Toes up."),
                                (5480, "rise"), (5760, "Three. Halfway."),
                                (7480, "rise"), (7760, "Four. Toes up.")]
    # exactly the room: 1620 ms fits in full
    full = plan(CROWDED, {**CROWDED_MS, "Three. Halfway. Toes up.": 1620})
    assert (5760, "Three. Halfway. Toes up.") in placed(full)


def test_crowded_moment_in_the_first_repetition_keeps_the_phase_words() -> None:
    """In repetition 1 the number goes and "Toes up." stays: 1700 ms + 280 + 100 > 2000."""
    timeline = plan(CROWDED, {**CROWDED_MS, "One. Toes up.": 1700, "Toes up.": 500})
    assert placed(timeline)[:3] == [(0, "chime"), (1480, "rise"), (1760, "Toes up.")]


SEVERAL = """\
title: Two
intro: Hi.
outro: Bye.
fade_out: 0s
steps:
  - exercise: A
    sets: 1
    reps: 1
    get_ready: none
    set_intro: ''
    phases: [{hold: 1s}]
  - exercise: B
    sets: 2
    reps: 1
    rest: 2s
    get_ready: none
    set_intro: ''
    rest_say: ''
    phases: [{hold: 1s}]
"""


def test_chapters_of_several_exercises() -> None:
    timeline = plan(SEVERAL, {"Hi.": 300, "Bye.": 300})
    assert placed(timeline) == [(0, "Hi."), (1100, "chime"), (3580, "chime"), (8060, "chime"),
                                (10_540, "Bye.")]
    assert chapters(timeline) == [
        (0, "Introduction", "intro"),
        (1100, "A: set 1 of 1", "set"),    # 300 + gap 800
        (3580, "B: set 1 of 2", "set"),    # 1100 + 800 + 80 + 600 + 1000
        (6060, "Rest", "rest"),            # 3580 + 1480 + 1000; an empty rest cue says nothing
        (8060, "B: set 2 of 2", "set"),    # 6060 + 2000
        (10_540, "Finish", "outro"),       # 8060 + 1480 + 1000
    ]
    assert timeline.duration_ms == 12_640  # 10540 + 300 + 800, + 1000


def test_flight_repeat_moves_every_event() -> None:
    """The countdown routine (8980 ms) every 20 s for 50 s: three rounds at 0, 20000 and 40000,
    each event moved by exactly its round's start."""
    routine = vc.parse_routine(COUNTDOWN.format("spoken"), path="hand.yaml")
    timeline = vc.compose(routine, COUNTDOWN_MS.__getitem__)
    flight = vc.flight_session(vc.Session(routine, timeline, {}), every_ms=20_000,
                               total_ms=50_000).timeline
    once = [0, 880, 1980, 2980, 3980, 4980]
    assert [e.start_ms for e in flight.events] == (
        once + [20_000 + t for t in once] + [40_000 + t for t in once])
    assert [e.start_ms for e in flight.events][-6:] == [40_000, 40_880, 41_980, 42_980, 43_980,
                                                        44_980]
    assert chapters(flight) == [(0, "Round 1 (0:00:00) — Countdown", "repeat"),
                                (20_000, "Round 2 (0:00:20) — Countdown", "repeat"),
                                (40_000, "Round 3 (0:00:40) — Countdown", "repeat")]
    assert flight.duration_ms == 50_000
    # a last round that ends after total_ms: 40000 + 8980
    longer = vc.flight_session(vc.Session(routine, timeline, {}), every_ms=20_000,
                               total_ms=45_000).timeline
    assert longer.duration_ms == 48_980


GROWING = """\
title: Grow
fade_out: 0s
steps:
  - exercise: A
    sets: 2
    reps: 4
    rest: 5s
    get_ready: none
    set_intro: ''
    halfway: false
    rest_say: ''
    progress: {reps: 4 to 8}
    phases:
      - {say: Up., hold: 2s, tone: rise}
"""


@pytest.mark.parametrize("reps, set_2_ms, end_ms", [
    # the first dose, 4: set 1 ends at 1480 + 4 x 2000 = 9480, set 2 after the 5 s rest at
    # 14480 and ends at 14480 + 1480 + 8000
    (None, 14_480, 23_960),
    # 7 today: set 1 ends at 1480 + 7 x 2000 = 15480; set 2 at 20480, ends 20480 + 1480 + 14000
    (7, 20_480, 35_960),
])
def test_todays_dose_sets_the_repetitions(reps: int | None, set_2_ms: int, end_ms: int) -> None:
    from datetime import date

    from voice_coach.practice.dose import apply_dose, pinned_dose

    routine = vc.parse_routine(GROWING, path="hand.yaml")
    dosed = apply_dose(routine, pinned_dose(routine, date(2026, 1, 5), reps))
    timeline = vc.compose(dosed, {"Up.": 300}.__getitem__)
    assert chapters(timeline) == [(0, "Set 1 of 2", "set"), (set_2_ms - 5000, "Rest", "rest"),
                                  (set_2_ms, "Set 2 of 2", "set")]
    rises = [e.start_ms for e in timeline.tones() if e.tone == "rise"]
    n = reps or 4
    assert rises[n - 1] == 1480 + (n - 1) * 2000  # the set's last repetition
    assert rises[n] == set_2_ms + 1480
    assert timeline.duration_ms == end_ms + 1000
