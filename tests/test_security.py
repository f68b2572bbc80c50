"""A routine file is data, never code or commands: cue text reaches no shell and is spoken
literally (no SSML, no [[phonemes]]), YAML cannot build objects, paths are taken as written.

Measured with the real engines and the real CLI; a marker file shows whether anything ran.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from voice_coach.plan.timeline import SAMPLE_RATE
from voice_coach.speech import open_engine
from voice_coach.speech.piper import available as piper_available

VOICE_COACH = [sys.executable, "-m", "voice_coach"]
ENGINES = ["espeak", "pyttsx3"] + (["piper"] if piper_available() else [])


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*VOICE_COACH, *args], capture_output=True, text=True, timeout=120)


def shell_bait(marker: Path) -> list[str]:
    """Cue texts that would create `marker` if any shell, template or engine ran them."""
    return [
        f"Lift $(touch {marker}) now.",
        f"Lift `touch {marker}` now.",
        f"Lift; touch {marker}; now.",
        f"Lift | touch {marker} && echo now.",
        f"Lift %(touch {marker})s now.",
    ]


@pytest.fixture(scope="module", params=ENGINES)
def engine(request):
    eng = open_engine(request.param)
    yield eng
    eng.close()


def clip_ms(engine, text: str) -> float:
    return 1000 * len(engine.synthesize(text, "en", 160, 1.0)) / SAMPLE_RATE


def test_shell_metacharacters_in_cues_are_spoken_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    steps = "".join(f"  - say: {json.dumps(text)}\n" for text in shell_bait(marker))
    for engine in ENGINES:
        routine = tmp_path / f"{engine}.yaml"
        routine.write_text(f"title: T\nvoice: {{engine: {engine}}}\nsteps:\n{steps}")
        result = run("render", str(routine), "-o", str(tmp_path / f"{engine}.wav"))
        assert result.returncode == 0, result.stderr
        plan = json.loads(run("plan", "--json", str(routine)).stdout)
        spoken = [e["text"] for e in plan["events"] if e["kind"] == "speech"]
        assert spoken == shell_bait(marker)  # placed as written, not expanded
        assert all(e["duration_ms"] > 1500 for e in plan["events"])  # the words were spoken
    assert not marker.exists()


def test_ssml_markup_is_read_not_obeyed(engine) -> None:
    """A 20-second <break> obeyed would make the clip 20 s long; read aloud it is a few."""
    for text in (
        'Hold <break time="20s"/> now.',
        '<speak>Hold <break time="20s"/> now.</speak>',
        '<speak><prosody rate="x-slow">Hold now.</prosody></speak>',
    ):
        assert clip_ms(engine, text) < 8000, text


def test_phoneme_brackets_are_read_not_obeyed(engine) -> None:
    """espeak turns [[h@'loU]] into "hello" only when asked to read phonemes; read as text it
    is as long as the same characters without the brackets."""
    literal_ms = clip_ms(engine, "h@'loU")
    bracketed_ms = clip_ms(engine, "[[h@'loU]]")
    hello_ms = clip_ms(engine, "hello")
    assert abs(bracketed_ms - literal_ms) < 150
    assert bracketed_ms > 1.8 * hello_ms


def test_control_characters_are_not_engine_commands(engine) -> None:
    """Control characters are spaces to the engine: NUL does not end the text early, and ESC,
    BEL or backspace change nothing that is heard."""
    full_ms = clip_ms(engine, "Lift your toes. Then lower them slowly.")
    assert clip_ms(engine, "Lift your toes.\x00 Then lower them slowly.") > 0.8 * full_ms
    plain_ms = clip_ms(engine, "Lift now.")
    assert abs(clip_ms(engine, "Lift\x1b\x07\x08 now.") - plain_ms) < 150


@pytest.mark.parametrize(
    "tag",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        "!!python/object/new:subprocess.Popen [[touch, {marker}]]",
        "!!python/name:os.system",
        '!custom "touch {marker}"',
    ],
)
def test_yaml_tags_cannot_run_code(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "ran"
    routine = tmp_path / "evil.yaml"
    routine.write_text(f"title: {tag.format(marker=marker)}\nsteps:\n  - pause: 1s\n")
    for verb in ("check", "plan"):
        result = run(verb, str(routine))
        assert result.returncode == 2
        assert result.stderr.startswith(f"{routine}:1:8: error: YAML tags such as '")
        assert result.stderr.endswith(
            "' are not allowed in routine files\n  hint: remove the '!' tag; write plain values\n"
        )
    assert not marker.exists()


def _background_is_rendered() -> bool:
    import inspect

    from voice_coach.session import pipeline as session

    return "background" in inspect.getsource(session)


def _write_tone_wav(path: Path) -> None:
    import wave

    import numpy as np

    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((3000 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes())


def test_paths_in_a_routine_are_taken_literally(tmp_path: Path) -> None:
    if not _background_is_rendered():
        pytest.skip("routine files name no file that is read yet (background music not rendered)")
    marker = tmp_path / "ran"
    weird = f"$(touch {marker}) *.wav"
    spaced = "tune  (1).wav"  # two spaces: the file is exactly this name
    _write_tone_wav(tmp_path / spaced)
    (tmp_path / "x.wav").write_bytes(b"")  # what a glob "*.wav" would also match
    for sound, status in ((weird, 2), (spaced, 0)):
        routine = tmp_path / "music.yaml"
        routine.write_text(f"title: T\nbackground: {json.dumps(sound)}\nsteps:\n  - pause: 1s\n")
        result = run("render", str(routine), "-o", str(tmp_path / "s.wav"), "--force")
        assert result.returncode == status, result.stderr
        if status:
            # literally, the whole name as written
            assert "not found" in result.stderr and repr(sound)[1:-1] in result.stderr
    assert not marker.exists()


# -- a routine cannot exhaust the machine -------------------------------------------------------

LIMIT_HINT = "  hint: fewer sets or repetitions, or raise the limit with --max-minutes\n"
ALIAS_BOMB = (
    "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}" if i else "x"] * 10) + "]\n" for i in range(10)
    )
    + "title: T\nsteps: [*a9]\n"
)
EVENT_FLOOD = """title: T
steps:
  - exercise: A
    sets: 100
    reps: 1000
    rest: 0s
    phases:
      - {say: a, hold: 100ms, tone: tick}
      - {say: b, hold: 100ms, tone: tock}
"""

ABSURD = [
    # (name, file content, extra options, exact stderr with {f} for the file)
    (
        "billion-reps",
        "title: T\nsteps:\n  - exercise: A\n    reps: 1000000000\n",
        [],
        "{f}:4:11: error: 'reps' must be from 1 to 1000, got 1000000000\n"
        "  hint: the limit of 1000 guards against typos; raise it with --max-reps\n",
    ),
    (
        "billion-reps-allowed",
        "title: T\nsteps:\n  - exercise: A\n    reps: 1000000000\n",
        ["--max-reps", "1000000000"],
        "{f}:1:1: error: the session would last at least 300,000,001 minutes; the limit is 360 "
        "minutes\n" + LIMIT_HINT,
    ),
    (
        "too-many-sets",
        "title: T\nsteps:\n  - exercise: A\n    sets: 101\n",
        [],
        "{f}:4:11: error: 'sets' must be from 1 to 100, got 101\n"
        "  hint: the limit of 100 guards against typos; raise it with --max-sets\n",
    ),
    (
        "100-hours",
        "title: T\nsteps:\n" + "  - pause: 1h\n" * 100,
        [],
        "{f}:1:1: error: the session would last at least 6,000 minutes; the limit is 360 minutes\n"
        + LIMIT_HINT,
    ),
    (
        "megabyte-file",
        "title: T\nsteps:\n  - say: " + "a" * 1_000_000 + "\n",
        [],
        "{f}: error: the file is 1,000,026 bytes; routine files are limited to 1,000,000\n"
        "  hint: is this really a routine file?\n",
    ),
    (
        "long-cue",
        "title: T\nsteps:\n  - say: " + "a" * 5000 + "\n",
        [],
        "{f}:3:10: error: 'say' is 5000 characters long; the limit is 1000\n"
        "  hint: split it into shorter cues\n",
    ),
    (
        "alias-bomb",
        ALIAS_BOMB,
        [],
        "{f}:1:1: error: the routine has more than 20,000 values (counting repeats through YAML "
        "aliases)\n  hint: routine files are small; remove the repeated '*' aliases\n",
    ),
    (
        "nested-40",
        "title: T\nsteps: " + "[" * 40 + "]" * 40 + "\n",
        [],
        "{f}:2:39: error: the routine is nested more than 32 deep\n",
    ),
    (
        "nested-100000",
        "title: T\nsteps: " + "[" * 100_000 + "]" * 100_000 + "\n",
        [],
        "{f}:1:1: error: the file is nested too deeply\n",
    ),
    (
        "invalid-utf8",
        b"title: T\xff\nsteps:\n  - pause: 1s\n",
        [],
        "{f}:1:9: error: the file is not valid UTF-8 (byte 0xff)\n  hint: save it as UTF-8\n",
    ),
    (
        "event-flood",
        EVENT_FLOOD,
        [],
        "{f}:1:1: error: the session could hold up to 400,600 cues and tones; the limit is "
        "200,000\n  hint: fewer sets or repetitions, or longer phases (--max-minutes raises this "
        "limit too)\n",
    ),
]


@pytest.mark.parametrize("name, content, options, expected", ABSURD, ids=[a[0] for a in ABSURD])
def test_absurd_routines_are_refused_before_any_synthesis(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: str | bytes,
    options: list[str],
    expected: str,
) -> None:
    from typer.testing import CliRunner

    from voice_coach import speech as synth
    from voice_coach.cli import app
    from voice_coach.speech import engines

    opened = []
    monkeypatch.setattr(synth, "open_engine", lambda *a: opened.append(a))
    monkeypatch.setattr(engines, "open_engine", lambda *a: opened.append(a))
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("VOICE_COACH_CACHE_DIR", str(cache_dir))
    routine = tmp_path / f"{name}.yaml"
    routine.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = CliRunner().invoke(app, ["check", str(routine), *options])
    assert result.exit_code == 2, result.output
    assert result.stderr == expected.format(f=routine)
    assert opened == [] and not cache_dir.exists()  # refused before any engine or cache


@pytest.mark.parametrize(
    "content, options",
    [
        ("title: T\nsteps:\n" + "  - pause: 1h\n" * 7, ["--max-minutes", "480"]),
        ("title: T\nsteps:\n  - exercise: A\n    sets: 101\n    reps: 1\n", ["--max-sets", "101"]),
        (
            "title: T\nsteps:\n  - exercise: A\n    sets: 1\n    reps: 1001\n",
            ["--max-reps", "1001"],
        ),
    ],
)
def test_limits_are_raised_by_options(tmp_path: Path, content: str, options: list[str]) -> None:
    from typer.testing import CliRunner

    from voice_coach.cli import app

    routine = tmp_path / "big.yaml"
    routine.write_text(content)
    refused = CliRunner().invoke(app, ["check", str(routine)])
    assert refused.exit_code == 2
    allowed = CliRunner().invoke(app, ["check", str(routine), *options])
    assert allowed.exit_code == 0, allowed.output
