"""The plans of the built-in and test routines match their reviewed golden text."""

import pytest

from tests.golden_timelines import GOLDEN, plan_json, plan_text, sources


@pytest.mark.parametrize("name", sorted(sources()))
def test_plan_matches_golden(name: str) -> None:
    expected = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    assert plan_text(sources()[name]) == expected, (
        f"plan of {name} changed: run scripts/update-golden and review the diff"
    )


@pytest.mark.parametrize("name", sorted(sources()))
def test_plan_json_matches_golden(name: str) -> None:
    """The whole contract: every event's set, repetition, phase and layer, which the player's
    screen and `plan --json` users read (the text form shows none of them)."""
    expected = (GOLDEN / f"{name}.json").read_text(encoding="utf-8")
    assert plan_json(sources()[name]) == expected, (
        f"plan of {name} changed: run scripts/golden --write and review the diff"
    )


def test_every_golden_file_has_a_source() -> None:
    assert {p.stem for p in GOLDEN.glob("*.txt")} == set(sources())
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(sources())


def test_golden_check_fails_on_any_difference(tmp_path) -> None:
    """`scripts/golden --check` passes on the reviewed files and fails, with a diff, when one
    line of one of them differs or a file is missing."""
    import shutil
    import subprocess

    from tests.golden_timelines import HERE

    script = HERE.parent / "scripts" / "golden"
    ok = subprocess.run([str(script), "--check"], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    copy = tmp_path / "golden"
    shutil.copytree(GOLDEN, copy)
    plan = copy / "ankle-pumps.txt"
    plan.write_text(plan.read_text().replace("0:20.100  tone     200 ms  rise",
                                              "0:20.101  tone     200 ms  rise"))
    (copy / "flight.txt").unlink()
    bad = subprocess.run([str(script), "--check", "--golden-dir", str(copy)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "-0:20.101  tone     200 ms  rise\n+0:20.100  tone     200 ms  rise" in bad.stdout
    assert "2 differ" in bad.stdout  # ankle-pumps.txt, and flight.txt missing


# -- expectations derived by hand, not by the code under test ----------------------------------

FAKE_MS_PER_CHAR = 60  # the fake engine's rule at 160 wpm (speech/fake.py's docstring)


def test_ankle_pumps_set_starts_and_phase_onsets_by_hand() -> None:
    """ankle-pumps with the fake voice, worked out from the routine file and the rules in the
    README: intro, 800 ms gap; per set a chime (800 ms), 80 ms, the header, 600 ms, 3-2-1 a
    second apart, then 10 repetitions of 3 s up and 3 s down; 30 s rests; the outro, 800 ms,
    and the 2 s fade."""
    from voice_coach.plan.compose import compose
    from voice_coach.routine import load_routine

    def ms(text: str) -> int:
        return FAKE_MS_PER_CHAR * len(text)

    intro = ("Ankle pumps. Sit comfortably with your feet flat on the floor and your knees gently "
             "bent. One repetition is toes up, then toes down, each held for three seconds. "
             "Move slowly, and breathe naturally the whole time.")
    outro = ("That's all three sets. Well done. Your calves have just pumped fresh blood back up "
             "towards your heart. Try another round later today, in a spare moment: three to "
             "five rounds a day is a good aim.")
    t = ms(intro) + 800
    set_starts, rests, onsets = [], [], []
    for n in (1, 2, 3):
        set_starts.append(t)
        first_rep = t + 800 + 80 + ms(f"Set {n} of 3. Stop if anything hurts.") + 600 + 3 * 1000
        for rep in range(10):
            onsets += [(first_rep + rep * 6000, "rise"), (first_rep + rep * 6000 + 3000, "fall")]
        t = first_rep + 10 * 6000
        if n < 3:
            rests.append(t)
            t += 30_000
    duration_ms = t + ms(outro) + 800 + 2000
    assert set_starts == [13_520, 110_100, 206_680]  # 0:13.520, 1:50.100, 3:26.680
    assert duration_ms == 287_700

    routine = load_routine("ankle-pumps")
    timeline = compose(routine, lambda text: FAKE_MS_PER_CHAR * len(text))
    chapters = [(c.start_ms, c.title) for c in timeline.chapters]
    assert chapters == [(0, "Introduction"), (set_starts[0], "Set 1 of 3"), (rests[0], "Rest"),
                        (set_starts[1], "Set 2 of 3"), (rests[1], "Rest"),
                        (set_starts[2], "Set 3 of 3"), (t, "Finish")]
    phase_tones = [(e.start_ms, e.tone) for e in timeline.tones() if e.tone in ("rise", "fall")]
    assert phase_tones == onsets
    assert timeline.duration_ms == duration_ms


def test_pump_style_beats_by_hand() -> None:
    """ankle-pumps-pump: 60 pumps a minute, two phases, so a tick every second and a tock half a
    second after it, 30 a set, counted from the set's first beat."""
    from voice_coach.plan.compose import compose
    from voice_coach.routine import load_routine

    routine = load_routine("ankle-pumps-pump")
    timeline = compose(routine, lambda text: 50)
    sets = [c.start_ms for c in timeline.chapters if c.kind == "set"]
    metronome = [(e.start_ms, e.tone) for e in timeline.events if e.layer == "metronome"]
    assert len(metronome) == 3 * 30 * 2
    for n, set_start in enumerate(sets):
        beats = metronome[n * 60:(n + 1) * 60]
        first = beats[0][0]
        # chime 800 + 80 + header 50 + 600 + 3-2-1 (3000): the first beat
        assert first == set_start + 800 + 80 + 50 + 600 + 3000
        assert beats == [(first + k * 500, "tick" if k % 2 == 0 else "tock") for k in range(60)]
