"""An independent check of every golden file (tests/golden/NAME.json and .txt, which
`scripts/golden --write` writes from the composer itself): each routine's first events, every
chapter's start and the session's length, worked out here by hand from the routine file and the
placement rules, then compared with both the composer and the golden file.

Speech lengths are the fake engine's documented rule (speech/fake.py): 60 ms a character at
160 wpm, scaled by 160 / rate and rounded, at least 100 ms. At rate 150 that is 64 ms a
character; at 170, 56.47; at 130, 73.85; at 165, 58.18; at 180, 53.33.

Feature -> routine that covers it here: holds with tones and spoken countdown (ankle-pumps,
-lying, flight, morning, minimal), ticked countdown and counted ticks (bedtime, tv-break),
pump beats (ankle-pumps-pump, everything), breathing (bedtime, everything), say and pause steps
and gaps (flight, morning, everything), fade out (bedtime 8 s, everything 3 s, the others 2 s).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import voice_coach as vc

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def fake_rule_ms(text: str, rate_wpm: int) -> int:
    return max(100, round(60 * len(text) * 160 / rate_wpm))


# name -> (routine, the first events, every chapter's start, the length), all in ms
BY_HAND: dict[str, tuple[str, list[tuple[int, str]], list[int], int]] = {
    "ankle-pumps": ("ankle-pumps", [
        (0, "Ankle pumps. Sit comfortably with your feet flat on the floor and your knees "
            "gently bent. One repetition is toes up, then toes down, each held for three "
            "seconds. Move slowly, and breathe naturally the whole time."),  # 212 ch: 12720
        (13_520, "chime"),  # 12720 + gap 800
        (14_400, "Set 1 of 3. Stop if anything hurts."),  # + 880; 35 ch: 2100
        (17_100, "Three!"), (18_100, "Two!"), (19_100, "One!"),  # 14400 + 2100 + 600
        (20_100, "rise"), (20_380, "Toes up, and hold."),  # 17100 + 3000; + 200 + 80
        (23_100, "fall"), (23_380, "Toes down, and hold."),  # + 3 s hold
    ],
        # set 1 ends 20100 + 10 x 6000 = 80100; rest 30 s; set 2 at 110100, its first rep at
        # 110100 + 880 + 2100 + 600 + 3000 = 116680, ends 176680; set 3 at 206680, ends
        # 206680 + 6580 + 60000 = 273260: the finish
        [0, 13_520, 80_100, 110_100, 176_680, 206_680, 273_260],
        287_700),  # 273260 + outro (194 ch: 11640) + 800 + fade 2000
    "ankle-pumps-lying": ("ankle-pumps-lying", [
        (17_696, "chime"),  # intro 264 ch x 64 = 16896, + 800
        (18_576, "Set 1 of 2. If the pain gets worse, stop and rest."),  # 50 ch x 64 = 3200
        (22_376, "Three!"), (23_376, "Two!"), (24_376, "One!"),  # 18576 + 3200 + 600
        (25_376, "rise"), (25_656, "Pull your toes towards you, and hold."),
        (29_376, "fall"), (29_656, "Point your toes away, and hold."),  # 4 s holds
    ],
        # set 1 ends 25376 + 15 x 8000 = 145376; + 40 s rest; set 2's first repetition at
        # 185376 + 880 + 3200 + 600 + 3000 = 193056, its end 313056
        [0, 17_696, 145_376, 185_376, 313_056],
        326_480),  # 313056 + outro 166 ch x 64 = 10624, + 800 + 2000
    "ankle-pumps-pump": ("ankle-pumps-pump", [
        (10_513, "chime"),  # intro 172 ch: 9713; + 800
        (11_393, "Set 1 of 3. Stop if anything hurts."),  # 35 ch: 1976
        (13_969, "Three!"), (14_969, "Two!"), (15_969, "One!"),  # 11393 + 1976 + 600
        (16_969, "Up."), (16_969, "tick"),  # a beat every 60000 // (60 x 2) = 500 ms
        (17_469, "Down."), (17_469, "tock"),
        (17_969, "Up."), (17_969, "tick"), (18_469, "Down."), (18_469, "tock"),
        (18_969, "Up."), (18_969, "tick"), (19_469, "Down."), (19_469, "tock"),
        (19_969, "tick"), (20_469, "tock"),  # voice_fade 3: beats alone from rep 4 on
    ],
        # set 1 ends 16969 + 30 x 1000 = 46969; sets 2 and 3 at 66969 and 123425 (66969 + 880 +
        # 1976 + 600 + 3000 + 30000 + 20000); set 3 ends 123425 + 36456 = 159881
        [0, 10_513, 46_969, 66_969, 103_425, 123_425, 159_881],
        166_577),  # 159881 + outro 69 ch: 3896, + 800 + 2000
    "bedtime": ("bedtime", [
        (10_695, "chime"),  # intro 134 ch: 9895; + 800
        (11_575, "Set 1 of 2. Breathe naturally."),  # 30 ch: 2215
        (14_390, "tick"), (15_390, "tick"), (16_390, "tick"),  # 11575 + 2215 + 600
        (17_390, "rise"), (17_670, "Toes up, slowly."),  # 16 ch: 1182, so it ends at 18852
        # the 1 s count (18390) is left out: it would come before 18852 + 150
        (19_390, "tick"), (20_390, "tick"), (21_390, "tick"),
        (22_390, "fall"),  # 5 s hold
    ],
        # set 1 ends 17390 + 8 x 10000 = 97390; rest 45 s; set 2's first rep at 142390 + 880 +
        # 2215 + 600 + 3000 = 149085, its end 229085: breathing, 6 x 12 s, to 301085
        [0, 10_695, 97_390, 142_390, 229_085, 301_085],
        314_020),  # 301085 + outro 56 ch: 4135, + 800 + fade 8000
    "flight": ("flight", [
        (6211, "chime"),  # intro 93 ch: 5411; + 800
        (7091, "Set 1 of 2. Breathe naturally."),  # 30 ch: 1745
        (9436, "Three!"), (10_436, "Two!"), (11_436, "One!"),  # 7091 + 1745 + 600
        (12_436, "rise"), (12_716, "Toes up. Firmly."),
        (15_436, "fall"), (15_716, "Toes down."),  # a 3 s hold, then 2 s
        (17_436, "rise"),
    ],
        # set 1 ends 12436 + 10 x 5000 = 62436; 15 s rest; set 2's first rep at 77436 + 880 +
        # 1745 + 600 + 3000 = 83661, ends 133661; "Now circle ..." (68 ch: 3956) + 800, then
        # the 20 s pause: 133661 + 4756 + 20000 = 158417
        [0, 6211, 62_436, 77_436, 158_417],
        167_384),  # 158417 + outro 106 ch: 6167, + 800 + 2000
    "morning": ("morning", [
        (4533, "chime"),  # intro 70 ch: 3733; + 800
        (5413, "Set 1. Breathe."),  # 15 ch: 800
        (6813, "Three!"), (7813, "Two!"), (8813, "One!"),  # 5413 + 800 + 600
        (9813, "rise"), (10_093, "Up."), (11_813, "fall"), (12_093, "Down."),  # 2 s holds
    ],
        # set 1 ends 9813 + 15 x 4000 = 69813; 10 s rest; set 2's first rep at 79813 + 880 +
        # 800 + 600 + 3000 = 85093, ends 145093; "Now stretch ..." (73 ch: 3893) + 800 and a
        # 5 s pause: 154786
        [0, 4533, 69_813, 79_813, 154_786],
        160_199),  # 154786 + outro 49 ch: 2613, + 800 + 2000
    "tv-break": ("tv-break", [
        (5261, "chime"),  # intro 79 ch: 4461; + 800
        (6141, "Set 1. Breathe naturally."),  # 25 ch: 1412
        (8153, "tick"), (9153, "tick"), (10_153, "tick"),  # 6141 + 1412 + 600
        (11_153, "rise"), (11_433, "Up."), (14_153, "fall"), (14_433, "Down."),
    ],
        # set 1 ends 11153 + 12 x 6000 = 83153; 15 s rest; set 2's first rep at 98153 + 880 +
        # 1412 + 600 + 3000 = 104045, ends 176045
        [0, 5261, 83_153, 98_153, 176_045],
        181_104),  # 176045 + outro 40 ch: 2259, + 800 + 2000
    "test-everything": ("tests/routines/everything.yaml", [
        (0, "Welcome to Every feature."),  # 25 ch: 1412
        (1912, "First a short pause."),  # + the routine's gap 500; 20 ch: 1129
        (4041, "Relax."),  # + its own gap 1000; the 2 s pause's cue
        (6041, "chime"), (6921, "Set 1 of 2. Stop if it hurts."),  # 29 ch: 1638
        (9159, "tick"), (10_159, "tick"), (11_159, "tick"),  # 6921 + 1638 + 600
        (12_159, "rise"), (12_439, "One. Up."),
    ],
        # heel raises: 6 x 7 s, so set 1 ends 54159, + 10 s rest, set 2's first rep at 64159 +
        # 880 + 1638 + 600 + 3000 = 70277, ends 112277; quick pumps: "Set 1 of 1." (11 ch:
        # 621), no countdown: 16 beats from 112277 + 880 + 621 + 600 = 114378, each
        # 60000 // 90: to 114378 + 10666 = 125044; 3 breaths of 11 s: 158044
        [0, 6041, 54_159, 64_159, 112_277, 125_044, 158_044],
        163_125),  # 158044 + outro 28 ch: 1581, + gap 500 + fade 3000
    "test-minimal": ("tests/routines/minimal.yaml", [
        (0, "chime"), (880, "Set 1 of 3."),  # 11 ch: 660
        (2140, "Three!"), (3140, "Two!"), (4140, "One!"),  # 880 + 660 + 600
        (5140, "rise"), (5420, "Toes up, and hold."), (8140, "fall"),
        (8420, "Toes down, and hold."),  # the default phases: 3 s each
    ],
        # 10 x 6 s: set 1 ends 65140; 30 s rests; sets at 95140 and 190280 (95140 + 880 + 660
        # + 600 + 3000 + 60000 + 30000), the last ending at 255420
        [0, 65_140, 95_140, 160_280, 190_280],
        257_420),  # 255420 + fade 2000, no outro
}


def routine_ref(ref: str) -> str:
    return str(Path(__file__).resolve().parents[2] / ref) if ref.endswith(".yaml") else ref


def first_at(events: list[dict], start_ms: int) -> int:
    """Index of the first event at start_ms (the events before it are the intro)."""
    return next((i for i, e in enumerate(events) if e["start_ms"] >= start_ms), 0)


def starts(events) -> list[tuple[int, str]]:
    return [(e["start_ms"], e.get("text") or e.get("tone")) for e in events]


@pytest.mark.parametrize("name", sorted(BY_HAND))
def test_the_composer_places_what_was_worked_out_by_hand(name: str) -> None:
    ref, first, chapter_starts, length_ms = BY_HAND[name]
    routine = vc.load_routine(routine_ref(ref))
    timeline = vc.compose(routine, lambda text: fake_rule_ms(text, routine.voice.rate_wpm))
    events = [e.to_json() for e in timeline.events]
    offset = first_at(events, first[0][0])
    assert starts(events[offset:offset + len(first)]) == first
    assert [c.start_ms for c in timeline.chapters] == chapter_starts
    assert timeline.duration_ms == length_ms


@pytest.mark.parametrize("name", sorted(BY_HAND))
def test_the_golden_file_holds_what_was_worked_out_by_hand(name: str) -> None:
    _, first, chapter_starts, length_ms = BY_HAND[name]
    golden = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    offset = first_at(golden["events"], first[0][0])
    assert starts(golden["events"][offset:offset + len(first)]) == first
    assert [c["start_ms"] for c in golden["chapters"]] == chapter_starts
    assert golden["duration_ms"] == length_ms
    text = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    assert f"({length_ms} ms)" in text.splitlines()[1]


def test_every_golden_file_is_checked_by_hand() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(BY_HAND)
