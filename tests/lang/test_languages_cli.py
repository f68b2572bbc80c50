"""Every language with the real voices: each built-in routine passes `check` with its language's
default espeak-ng voice, renders with chapters and tags in that language and script, and the
commands take --language; a voice that cannot read the language stops check and render."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from voice_coach.cli import app
from voice_coach.lang import language_codes, words_for
from voice_coach.routine import builtin_names, load_routine
from voice_coach.session.pipeline import prepare

runner = CliRunner()
LANGUAGES = language_codes()
LANGUAGE_LIST = ("languages: en (English), de (Deutsch), es (español), fr (français), "
                 "it (italiano), nl (Nederlands), pt (português), zh (简体中文)")


def invoke(*args: str):
    return runner.invoke(app, list(args))


@pytest.mark.parametrize("code", LANGUAGES)
@pytest.mark.parametrize("name", builtin_names())
def test_every_builtin_passes_check_in_every_language(name: str, code: str) -> None:
    """What `voice-coach check NAME --language CODE` does: real speech, every cue in its slot."""
    session = prepare(load_routine(name, language=code))
    assert session.warnings == () and not session.estimated
    assert session.voice is not None
    wanted = {"pt": "pt-br", "zh": "cmn-latn-pinyin"}.get(code, code)
    if session.voice.engine == "pico":  # pico/de-DE: the language's own Pico voice
        assert session.voice.voice.rpartition("/")[2].lower().split("-")[0] == wanted
    elif session.voice.engine != "piper":  # a natural voice installed for it is taken as it is
        assert session.voice.voice.rpartition("/")[2].lower() == wanted  # e.g. roa/it


@pytest.mark.parametrize("code", LANGUAGES)
def test_a_minimal_routine_fits_in_every_language(code: str, tmp_path: Path) -> None:
    """The defaults (phases, set intro, halfway, rest, breathing cues) fit their slots too."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"title: T\nlanguage: {code}\nsteps:\n  - exercise: Ankle pumps\n"
                    "  - breathe: Breathing\n    cycles: 2\n", encoding="utf-8")
    result = invoke("check", str(path))
    assert result.exit_code == 0, result.output


def test_routines_lists_the_language_titles() -> None:
    result = invoke("routines", "--language", "fr")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == builtin_names()
    assert lines[0].startswith("ankle-pumps       ")
    assert "Trois séries de dix flexions-extensions lentes des chevilles" in lines[0]
    assert " min " in lines[0]
    zh = invoke("routines", "--language", "zh-CN")
    assert zh.exit_code == 0 and "分" in zh.stdout and "踝泵" in zh.stdout


@pytest.mark.parametrize("command", [["routines"], ["check", "ankle-pumps"],
                                     ["plan", "ankle-pumps"], ["new", "x.yaml"]])
def test_unknown_language_is_exit_2_with_the_list(command: list[str]) -> None:
    result = invoke(*command, "--language", "tlh")
    assert result.exit_code == 2
    assert result.stderr == ("error: unknown or unsupported language 'tlh'\n"
                             f"  hint: {LANGUAGE_LIST}\n")


def test_render_with_a_bad_language_writes_nothing(tmp_path: Path) -> None:
    result = invoke("render", "--all", "-o", str(tmp_path / "out"), "--language", "xx")
    assert result.exit_code == 2 and "unknown or unsupported language 'xx'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_check_summary_in_german() -> None:
    result = invoke("check", "ankle-pumps", "--language", "de")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "ankle-pumps: Fußgelenkpumpen im Sitzen: OK"
    assert lines[1].startswith("  Länge      4 min ")
    assert lines[2] == "  Sätze      3 × 10 Wiederholungen Fußgelenkpumpen (Halten, Pause 30 s)"
    assert lines[3].startswith("  gesprochen 61 Ansagen (")
    from voice_coach.speech import pico

    german = "pico, pico/de-DE" if pico.available() else "espeak, gmw/de"  # auto: Pico first
    assert lines[-1] == f"  Stimme     {german}, 160 Wörter/min"


def test_plan_json_has_the_language() -> None:
    result = invoke("plan", "tv-break", "--language", "it", "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert plan["language"] == "it"
    assert list(plan)[:3] == ["routine", "title", "language"]
    assert plan["title"] == "Pompa della caviglia durante la pubblicità"
    assert json.loads(invoke("plan", "tv-break", "--json").stdout)["language"] == "en"


def test_new_writes_the_language_copy(tmp_path: Path) -> None:
    target = tmp_path / "mine.yaml"
    result = invoke("new", str(target), "--from", "ankle-pumps", "--language", "zh")
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    assert "title: 坐姿踝泵运动" in text and "language: zh" in text
    assert invoke("check", str(target)).exit_code == 0


def test_a_voice_of_another_language_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text("title: Knöchel\nlanguage: de\nvoice: {engine: espeak, voice: en}\nsteps:\n"
                    "  - exercise: Knöchelpumpen\n", encoding="utf-8")
    result = invoke("check", str(path))
    assert result.exit_code == 0, result.output
    assert result.stderr == ("warning: the voice 'en' speaks en-gb, but the routine is in "
                             "German (de): leave 'voice' out to let the language pick its "
                             "voice, or name a German voice (see: voice-coach voices)"
                             "\n")
    assert "  Sätze      3 × 10 Wiederholungen Knöchelpumpen" in result.stdout


def test_espeaks_broken_mandarin_stops_check_and_render(tmp_path: Path) -> None:
    """espeak-ng 1.51's cmn voice says the tone numbers in English: refuse to make that."""
    path = tmp_path / "zh.yaml"
    path.write_text("title: 踝泵\nlanguage: zh\nvoice: {voice: cmn}\nsteps:\n"
                    "  - exercise: 踝泵\n", encoding="utf-8")
    for command in (["check", str(path)],
                    ["render", str(path), "-o", str(tmp_path / "zh.mp3")]):
        result = invoke(*command)
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("error: no voice here reads Chinese (Mandarin, "
                                        "simplified) (zh): espeak's voice 'sit/cmn' reads")
        assert ("hint: install a natural Chinese (Mandarin, simplified) voice: voice-coach "
                "voices install zh_CN-huayan-medium") in result.stderr
    assert not (tmp_path / "zh.mp3").exists()
    plan = invoke("plan", str(path))
    assert plan.exit_code == 0, plan.output
    assert plan.stderr.startswith("warning: no voice here reads Chinese")
    assert "== 第1组（共3组） ==" in plan.stdout and "第一组，共三组。" in plan.stdout


@pytest.mark.parametrize("code", LANGUAGES)
def test_render_in_every_language(code: str, tmp_path: Path) -> None:
    """A real render: chapters, title and album in the language and script, a UTF-8 sidecar."""
    from mutagen.id3 import ID3

    out = tmp_path / "morning.mp3"
    result = invoke("render", "morning", "--language", code, "-o", str(out), "--cues", "json")
    assert result.exit_code == 0, result.output
    routine = load_routine("morning", language=code)
    words = words_for(code)
    tags = ID3(out)
    assert str(tags["TIT2"]) == routine.title
    assert str(tags["TALB"]) == words.t.pgettext("tags", "voice-coach")
    chapters = [str(f.sub_frames["TIT2"]) for f in tags.getall("CHAP")]
    assert chapters == [words.chapter_intro(), words.chapter_set(1, 2), words.chapter_rest(),
                        words.chapter_set(2, 2), words.chapter_finish()]
    probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "chapter_tags=title",
                            "-of", "csv=p=0", str(out)], capture_output=True, text=True,
                           check=True)
    assert probe.stdout.splitlines() == chapters
    sidecar = json.loads(out.with_suffix(".json").read_bytes().decode("utf-8"))
    assert sidecar["title"] == routine.title
    assert [c["title"] for c in sidecar["chapters"] if c.get("toc", True)] == chapters
    spoken = [c["title"] for c in sidecar["chapters"] if c.get("toc") is False]
    assert spoken[2:5] == [words.countdown(3), words.countdown(2), words.countdown(1)]
    assert code != "en" or spoken[2:5] == ["Three!", "Two!", "One!"]


def test_voices_for_a_language_include_the_ones_that_read_it() -> None:
    result = invoke("voices", "--language", "zh")
    assert result.exit_code == 0, result.output
    ids = [line.split()[1] for line in result.stdout.splitlines()[1:]]
    assert {"sit/cmn", "sit/cmn-Latn-pinyin"} <= set(ids)
