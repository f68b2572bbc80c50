"""--voice, --engine and --rate on check, plan, render, play and remind; `say`; which voice was
used; every built-in routine in the natural voice. Real engines, real CLI."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voice_coach.cli import app
from voice_coach.routine import builtin_names
from voice_coach.speech import piper as piper_module

JOE = "en_US-joe-medium"
needs_piper = pytest.mark.skipif(not piper_module.available(),
                                 reason="piper-tts is not installed (pip install '.[piper]')")


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def summary(result) -> dict[str, str]:
    return {line.split()[0]: line.split(None, 1)[1] for line in result.stdout.splitlines()[1:]}


@needs_piper
@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_routine_passes_check_in_the_natural_voice(name):
    result = invoke("check", name)
    assert result.exit_code == 0, result.output
    assert summary(result)["voice"] == f"piper, {JOE}, " + summary(result)["voice"].split(", ")[2]


@needs_piper
def test_check_and_render_say_which_voice_they_used(tmp_path):
    espeak = invoke("check", "morning", "--engine", "espeak")
    assert espeak.exit_code == 0 and summary(espeak)["voice"] == "espeak, gmw/en, 180 wpm"
    out = tmp_path / "m.wav"
    result = invoke("render", "morning", "-o", str(out), "--rate", "200")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"Wrote {out}: ")
    assert result.stdout.splitlines()[0].endswith(f"; voice {JOE} (piper, 200 wpm).")


@needs_piper
def test_options_override_the_routine_voice_block():
    plans = {}
    for args in ([], ["--rate", "240"], ["--engine", "espeak"], ["--voice", "en-us"],
                 ["--voice", "gmw/en-US"], ["--engine", "espeak", "--voice", "de"]):
        result = invoke("plan", "tv-break", "--json", *args)
        assert result.exit_code == 0, (args, result.output)
        plans[" ".join(args)] = json.loads(result.stdout)["duration_ms"]
    assert plans["--rate 240"] < plans[""]
    assert len(set(plans.values())) >= 4  # each voice its own lengths


def test_bad_voice_options_are_usage_errors_before_any_speech(tmp_path):
    cases = [
        (["check", "morning", "--rate", "500"],
         "error: --rate must be from 80 to 450 words per minute, got 500"),
        (["plan", "morning", "--engine", "festival"], "error: unknown --engine 'festival'"),
        (["play", "morning", "--rate", "10"],
         "error: --rate must be from 80 to 450 words per minute, got 10"),
        (["remind", "morning", "--every", "1h", "--engine", "sam"],
         "error: unknown --engine 'sam'"),
        (["render", "morning", "-o", str(tmp_path / "x.mp3"), "--voice", " "],
         "error: --voice is empty"),
    ]
    for args, first_line in cases:
        result = invoke(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.splitlines()[0] == first_line
    assert not (tmp_path / "x.mp3").exists()


@needs_piper
def test_unknown_voice_on_the_command_line_is_not_blamed_on_the_routine():
    result = invoke("check", "morning", "--voice", "xx_XX-nobody-low")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: no Piper voice 'xx_XX-nobody-low' is installed (installed: {JOE})",
        "  hint: 'voice-coach voices --engine piper' lists the voices you can install"]
    lessac = invoke("check", "morning", "--voice", "en_US-lessac-medium")
    assert lessac.exit_code == 2
    assert lessac.stderr.splitlines()[1] == (
        "  hint: install one: voice-coach voices install en_US-lessac-medium")
    espeak = invoke("check", "morning", "--voice", "vulcan")
    assert espeak.exit_code == 2 and espeak.stderr.startswith("error: unknown voice 'vulcan'")
    piper = invoke("check", "morning", "--engine", "piper", "--voice", "de")
    assert piper.exit_code == 2
    assert piper.stderr.splitlines() == [
        f"error: no Piper voice 'de' is installed (installed: {JOE})",
        "  hint: install one: voice-coach voices install de_DE-thorsten-medium"]


@needs_piper
def test_say_writes_a_file_in_the_chosen_voice(tmp_path):
    out = tmp_path / "toes.wav"
    result = invoke("say", "Toes up, and hold.", "--voice", JOE, "-o", str(out))
    assert result.exit_code == 0, result.output
    with wave.open(str(out)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (22050, 1, 2)
        frames = w.getnframes()
    assert 15_000 < frames < 60_000
    assert result.stdout == (f"Wrote {out}: {frames * 1000 // 22050} ms, voice {JOE} "
                             "(piper, 160 wpm).\n")
    refused = invoke("say", "Again.", "-o", str(out))
    assert refused.exit_code == 2 and "already exists" in refused.stderr
    slow = tmp_path / "slow.mp3"
    espeak = invoke("say", "Toes up, and hold.", "--engine", "espeak", "--rate", "100", "-o",
                    str(slow))
    assert espeak.exit_code == 0 and "voice gmw/en (espeak, 100 wpm)" in espeak.stdout
    assert slow.stat().st_size > 1000


def test_say_without_a_sound_device_says_to_write_a_file(monkeypatch):
    monkeypatch.setenv("VOICE_COACH_AUDIO", "simpleaudio")
    monkeypatch.setenv("ALSA_CONFIG_PATH", "/nonexistent")  # no device, whatever the machine
    result = invoke("say", "Hello there.", "--engine", "espeak")
    if result.exit_code == 0:
        pytest.skip("this machine has a sound device")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: no sound device found, so nothing can be played here",
        "  hint: write it to a file instead: voice-coach say 'Hello there.' -o phrase.wav"]


def test_say_refuses_empty_text():
    result = invoke("say", "  ")
    assert result.exit_code == 2 and result.stderr.startswith("error: there is nothing to say")


def test_routine_schema_knows_the_piper_engine():
    schema = json.loads(invoke("schema").stdout)
    voice = schema["properties"]["voice"]
    block = next(v for v in voice.get("oneOf", [voice]) if "properties" in v)  # or a shorthand
    engine = block["properties"]["engine"]
    assert "piper" in engine["enum"]


def test_routine_file_may_ask_for_piper(tmp_path: Path):
    routine = tmp_path / "r.yaml"
    routine.write_text("title: T\nvoice: {engine: piper, voice: en-us}\nsteps:\n  - say: Hi.\n")
    result = invoke("check", str(routine))
    if not piper_module.available():
        assert result.exit_code == 1 and "pip install 'voice-coach[piper]'" in result.stderr
        return
    assert result.exit_code == 0 and summary(result)["voice"] == f"piper, {JOE}, 160 wpm"


def test_say_refuses_the_voice_check_refuses(tmp_path):
    """espeak-ng's cmn reads Chinese characters as pinyin with the tone numbers in English:
    `check` refuses it for a Chinese routine, and `say` refuses it the same way (exit 1)."""
    check = invoke("check", "ankle-pumps", "--language", "zh", "--voice", "cmn")
    out = tmp_path / "zh.wav"
    say = invoke("say", "三组全部完成", "--voice", "cmn", "-o", str(out))
    assert check.exit_code == say.exit_code == 1
    assert check.stderr.splitlines()[0] == say.stderr.splitlines()[0].replace("phrase", "session")
    assert "so the phrase would be nonsense" in say.stderr
    assert "cmn-latn-pinyin" in say.stderr.splitlines()[1]
    assert not out.exists()
    # left to itself, say picks the voice check picks for Chinese text
    good = invoke("say", "三组全部完成", "--engine", "espeak", "-o", str(out))
    assert good.exit_code == 0, good.output
    assert "voice sit/cmn-Latn-pinyin (espeak" in good.stdout


def test_say_warns_when_the_voice_speaks_another_language_than_the_phrase(tmp_path):
    out = tmp_path / "fr.wav"
    result = invoke("say", "Restez immobile.", "--voice", "de", "--engine", "espeak",
                    "--language", "fr", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: the voice 'de' speaks de, but the phrase is in French (fr): leave --voice out "
        "to let the language pick its voice, or name a French voice (see: voice-coach voices)"]
    german = invoke("say", "Fersen hoch.", "--language", "de", "--engine", "espeak", "-o",
                    str(tmp_path / "de.wav"))
    assert german.exit_code == 0 and "voice gmw/de (espeak" in german.stdout
    bad = invoke("say", "Hallo.", "--language", "xx")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: unknown or unsupported language")
