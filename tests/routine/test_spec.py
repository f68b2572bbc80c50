"""Routine files: durations, defaults, and a catalogue of bad files with their exact messages."""

from __future__ import annotations

import pytest

from voice_coach.basics.errors import SpecError, UsageError
from voice_coach.routine import (
    DEFAULT_LIMITS,
    Breathe,
    Exercise,
    Limits,
    Pause,
    Say,
    builtin_names,
    format_duration_ms,
    json_schema,
    load_routine,
    parse_duration_ms,
    parse_routine,
)


@pytest.mark.parametrize(
    "text, ms",
    [
        ("3s", 3000),
        ("1.5s", 1500),
        ("500ms", 500),
        ("1m30s", 90_000),
        ("2m", 120_000),
        ("1h", 3_600_000),
        ("1h2m3s", 3_723_000),
        (" 4s ", 4000),
        ("0.25s", 250),
        ("1m 30s", 90_000),
    ],
)
def test_parse_duration(text: str, ms: int) -> None:
    assert parse_duration_ms(text) == ms


@pytest.mark.parametrize(
    "text, reason",
    [
        ("3", "needs a unit"),
        ("-3s", "must not be negative"),
        ("3 sec", "is not a duration"),
        ("", "is not a duration"),
        ("s", "is not a duration"),
        ("3ss", "is not a duration"),
    ],
)
def test_parse_duration_rejects(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_duration_ms(text)


@pytest.mark.parametrize("ms", [500, 1500, 3000, 90_000, 3_600_000, 3_723_000])
def test_format_duration_round_trips(ms: int) -> None:
    assert parse_duration_ms(format_duration_ms(ms)) == ms


def test_minimal_routine_gets_domain_defaults() -> None:
    routine = parse_routine("title: T\nsteps:\n  - exercise: Ankle pumps\n", "t.yaml")
    (ex,) = routine.steps
    assert isinstance(ex, Exercise)
    assert (ex.sets, ex.reps, ex.rest_ms, ex.style) == (3, 10, 30_000, "hold")
    assert [(p.hold_ms, p.tone) for p in ex.phases] == [(3000, "rise"), (3000, "fall")]
    assert routine.voice.rate_wpm == 160 and routine.voice.engine == "auto"
    assert routine.name == "t"


def test_all_step_kinds_parse() -> None:
    routine = load_routine("tests/routines/everything.yaml")
    kinds = [type(s) for s in routine.steps]
    assert kinds == [Say, Pause, Exercise, Exercise, Breathe]
    assert routine.voice.volume == 0.9 and routine.gap_ms == 500 and routine.fade_out_ms == 3000


@pytest.mark.parametrize("name", builtin_names())
def test_builtins_parse(name: str) -> None:
    routine = load_routine(name)
    assert routine.title and routine.about


def test_builtin_names_are_the_seven() -> None:
    assert builtin_names() == [
        "ankle-pumps",
        "ankle-pumps-lying",
        "ankle-pumps-pump",
        "flight",
        "tv-break",
        "bedtime",
        "morning",
    ]


def errors_of(text: str | bytes, limits: Limits = DEFAULT_LIMITS) -> str:
    with pytest.raises(SpecError) as info:
        parse_routine(text, "bad.yaml", limits=limits)
    return info.value.format()


BAD_FILES = [
    # (routine text, the exact error output)
    (
        "",
        "bad.yaml:1:1: error: the routine file is empty\n"
        "  hint: start from a built-in: voice-coach new my.yaml --from ankle-pumps",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    hold: -3s\n",
        "bad.yaml:4:5: error: unknown key 'hold' in the exercise step\n"
        "  hint: 'hold' belongs to a phase: put it under 'phases:', e.g. - say: Up\n  hold: ...",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    colour: red\n",
        "bad.yaml:4:5: error: unknown key 'colour' in the exercise step\n"
        "  hint: known keys: exercise, sets, reps, rest, style, cadence, get_ready, phases, "
        "set_intro, safety, count_reps, halfway, last, last_say, remind_every, remind, voice_fade, "
        "rest_say, progress",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    phases:\n      - say: Up\n        hold: -3s\n",
        "bad.yaml:6:15: error: 'hold' must be a duration, got '-3s': it must not be negative\n"
        '  hint: durations look like "3s", "1.5s", "500ms" or "1m30s"',
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    rest: 30\n",
        "bad.yaml:4:11: error: 'rest' must be a duration, got '30': it needs a unit\n"
        '  hint: durations look like "3s", "1.5s", "500ms" or "1m30s"',
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    rpes: 10\n",
        "bad.yaml:4:5: error: unknown key 'rpes' in the exercise step\n"
        "  hint: did you mean 'reps'?",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    reps: ten\n",
        "bad.yaml:4:11: error: 'reps' must be a whole number, got 'ten'",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    reps: 0\n",
        "bad.yaml:4:11: error: 'reps' must be from 1 to 1000, got 0\n"
        "  hint: at least one: reps: 1; to leave the step out, delete it",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    reps: 1000000000\n",
        "bad.yaml:4:11: error: 'reps' must be from 1 to 1000, got 1000000000\n"
        "  hint: the limit of 1000 guards against typos; raise it with Limits.max_reps",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    phases:\n      - say: Up\n        tone: rising\n",
        "bad.yaml:6:15: error: 'tone' must be one of rise, fall, tick, tock, chime, bell, none; "
        "got 'rising'\n  hint: did you mean 'rise'?",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    phases:\n      - say: Up {rpe}\n",
        "bad.yaml:5:14: error: unknown placeholder {rpe}\n  hint: did you mean {rep}?",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    halfway: Half {\n",
        "bad.yaml:4:14: error: bad placeholder in 'Half {': Single '{' encountered in format "
        "string\n  hint: placeholders look like {rep}; write {{ for a brace",
    ),
    (
        "title: T\nsteps:\n  - exrecise: A\n",
        "bad.yaml:3:5: error: unknown kind of step 'exrecise'\n  hint: did you mean 'exercise'?",
    ),
    (
        "title: T\nsteps: 3\n",
        "bad.yaml:2:8: error: 'steps' must be a list (each item starting with '- '), got '3'",
    ),
    (
        "title: T\nsteps: []\n",
        "bad.yaml:2:8: error: 'steps' is empty\n  hint: add an exercise: - exercise: Ankle pumps",
    ),
    (
        "steps:\n  - pause: 1s\n",
        "bad.yaml:1:1: error: the routine needs 'title' (the routine's title)",
    ),
    (
        "- just\n- a list\n",
        "bad.yaml:1:1: error: the routine must be a mapping of keys to values, got a list",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n\tsets: 3\n",
        "bad.yaml:4:1: error: this is not valid YAML: found character '\\t' that cannot start any "
        "token (while scanning for the next token)\n  hint: indent with spaces, not tabs",
    ),
    (
        "title: T\ntitle: U\nsteps:\n  - pause: 1s\n",
        "bad.yaml:2:1: error: 'title' is given twice in the routine",
    ),
    (
        "title: T\nvoice:\n  rate: 1000\n  engine: festival\nsteps:\n  - pause: 1s\n",
        "bad.yaml:3:9: error: 'rate' must be from 80 to 450, got 1000\n"
        "bad.yaml:4:11: error: 'engine' must be one of auto, piper, pico, espeak, pyttsx3; got "
        "'festival'\n"
        "2 errors",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    count_reps: maybe\n",
        "bad.yaml:4:17: error: 'count_reps' must be true or false, got 'maybe'",
    ),
    (
        "title: T\nsteps:\n  - pause: 1s\n  - 42\n",
        "bad.yaml:4:5: error: each step must be a mapping that starts with one of: exercise, "
        "breathe, pause, say\n  hint: e.g. '- exercise: Ankle pumps' or '- pause: 5s'",
    ),
    (
        "title: T\nsteps:\n  - exercise: A\n    phases:\n      - say: [Up]\n",
        "bad.yaml:5:14: error: 'say' must be text, got a list",
    ),
]


@pytest.mark.parametrize("text, expected", BAD_FILES)
def test_bad_file_catalogue(text: str, expected: str) -> None:
    assert errors_of(text) == expected


def test_every_problem_is_reported_at_once() -> None:
    text = (
        "title: T\nsteps:\n  - exercise: A\n    reps: -1\n    sets: x\n    rest: 3\n"
        "  - pause: forever\n"
    )
    out = errors_of(text)
    assert out.count("error:") == 4 and out.endswith("4 errors")
    assert [line.split(": error")[0] for line in out.splitlines() if "error:" in line] == [
        "bad.yaml:4:11",
        "bad.yaml:5:11",
        "bad.yaml:6:11",
        "bad.yaml:7:12",
    ]


def test_invalid_utf8_is_located() -> None:
    assert errors_of(b"title: T\nsteps:\n  - say: caf\xe9\n") == (
        "bad.yaml:3:13: error: the file is not valid UTF-8 (byte 0xe9)\n  hint: save it as UTF-8"
    )


def test_alias_bomb_is_refused_before_expansion() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 10) + "]\n"
    bomb += "title: T\nsteps:\n  - pause: 1s\n"
    assert "more than 20,000 values" in errors_of(bomb)


def test_huge_file_is_refused() -> None:
    assert "limited to 1,000,000" in errors_of("title: " + "x" * 1_000_001)


def test_long_text_is_refused() -> None:
    out = errors_of("title: T\nsteps:\n  - say: " + "word " * 300 + "\n")
    assert out == ("bad.yaml:3:10: error: 'say' is 1499 characters long; the limit is 1000\n"
                   "  hint: split it into shorter cues")


def test_session_length_limit() -> None:
    text = "title: T\nsteps:\n  - exercise: A\n    sets: 100\n    reps: 1000\n"
    out = errors_of(text)
    assert "the session would last at least" in out and "Limits.max_total_ms" in out


def test_yaml_cannot_run_code() -> None:
    out = errors_of("title: !!python/object/apply:os.system ['echo hacked']\nsteps: []\n")
    assert out == (
        "bad.yaml:1:8: error: YAML tags such as "
        "'tag:yaml.org,2002:python/object/apply:os.system' are not allowed in routine "
        "files\n  hint: remove the '!' tag; write plain values"
    )


def test_unknown_routine_name_suggests() -> None:
    with pytest.raises(UsageError) as info:
        load_routine("ankle-pump")
    assert info.value.format() == (
        "error: 'ankle-pump' is neither a routine file nor a built-in "
        "routine\n  hint: did you mean 'ankle-pumps'?"
    )


def test_missing_file() -> None:
    with pytest.raises(UsageError, match="routine file nope/x.yaml not found"):
        load_routine("nope/x.yaml")


def test_schema_accepts_every_builtin() -> None:
    import jsonschema
    import yaml

    from voice_coach.routine import builtin_text

    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for name in builtin_names():
        data = yaml.safe_load(builtin_text(name))
        jsonschema.validate(data, schema)
