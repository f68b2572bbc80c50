"""Every language, from the first word to the last chapter title: the plans of every built-in
routine in every shipped language (composed with the fake engine's lengths), their chapters,
tags and sidecars, number words, and the language: key itself."""

from __future__ import annotations

import json
import re

import pytest
from num2words import num2words

from tests.conftest import fake_compose, routine_from
from voice_coach.basics.errors import SpecError
from voice_coach.lang import language_codes, words_for
from voice_coach.output.cues import CUE_FORMATS, cue_text
from voice_coach.output.tags import id3v2, tags_for
from voice_coach.routine import builtin_names, load_routine

LANGUAGES = language_codes()
OTHERS = [code for code in LANGUAGES if code != "en"]
# The program's own English phrases (catalogue msgids as they come out when spoken).
ENGLISH_PHRASES = re.compile(r"\b(Set \w+ of|Halfway|Rest for|Last \w+\.|Keep breathing|"
                             r"Breathe (in|out)|Hold\.|Toes (up|down)|seconds?)\b")
NOT_LATIN = {"zh": re.compile(r"[\u4e00-\u9fff]")}


def _plans(code: str):
    for name in builtin_names():
        routine = load_routine(name, language=code)
        yield routine, fake_compose(routine)


def _english_number_words(code: str) -> set[str]:
    english = {num2words(n, lang="en") for n in range(0, 101)}
    own = {words_for(code).number(n) for n in range(0, 101)}
    return english - own


@pytest.mark.parametrize("code", OTHERS)
def test_no_english_program_phrase_is_left(code: str) -> None:
    english_numbers = _english_number_words(code)
    for routine, timeline in _plans(code):
        assert routine.language == code and timeline.language == code
        for event in timeline.speech():
            text = event.text
            assert not ENGLISH_PHRASES.search(text), (routine.name, text)
            words = {w.lower() for w in re.findall(r"[A-Za-z-]+", text)}
            assert not words & english_numbers, (routine.name, text)
            assert not re.search(r"\d", text), f"a number said as digits: {text!r}"
            if code in NOT_LATIN:
                assert NOT_LATIN[code].search(text), text


@pytest.mark.parametrize("code", LANGUAGES)
def test_chapter_titles_are_in_the_language(code: str) -> None:
    words = words_for(code)
    for routine, timeline in _plans(code):
        names = {getattr(step, "name", "") for step in routine.steps}
        for chapter in timeline.chapters:
            title = chapter.title
            if chapter.kind == "set":
                n = int(re.findall(r"\d+", title)[0])
                sets = int(re.findall(r"\d+", title)[1])
                assert title in {words.chapter_set(n, sets),
                                 *(words.chapter_set(n, sets, name) for name in names)}
            else:
                assert title in {words.chapter_intro(), words.chapter_rest(),
                                 words.chapter_finish(), words.chapter_breathing(), *names}
            if code in NOT_LATIN:
                assert NOT_LATIN[code].search(title), title
            elif code != "en":
                assert title not in ("Introduction", "Rest", "Finish") or code == "fr"


def test_chapter_titles_by_hand() -> None:
    titles = {code: [c.title for c in fake_compose(load_routine("ankle-pumps", language=code))
                     .chapters] for code in ("en", "de", "fr", "zh")}
    assert titles["en"] == ["Introduction", "Set 1 of 3", "Rest", "Set 2 of 3", "Rest",
                            "Set 3 of 3", "Finish"]
    assert titles["de"] == ["Einleitung", "Satz 1 von 3", "Pause", "Satz 2 von 3", "Pause",
                            "Satz 3 von 3", "Abschluss"]
    assert titles["fr"][:3] == ["Introduction", "Série 1 sur 3", "Repos"]
    assert titles["zh"] == ["介绍", "第1组（共3组）", "休息", "第2组（共3组）", "休息",
                            "第3组（共3组）", "结束"]


@pytest.mark.parametrize("code", LANGUAGES)
def test_sidecars_are_utf8_in_the_language(code: str) -> None:
    routine = load_routine("bedtime", language=code)
    timeline = fake_compose(routine)
    for fmt in CUE_FORMATS:
        data = cue_text(timeline, fmt, audio_name="bedtime.mp3").encode("utf-8")
        text = data.decode("utf-8")
        assert routine.title in text or fmt in ("vtt", "srt")
        assert timeline.speech()[-1].text in text
        if code in NOT_LATIN:
            assert NOT_LATIN[code].search(text)
    doc = json.loads(cue_text(timeline, "json"))
    assert doc["description"].startswith(words_for(code).format(
        words_for(code).t.pgettext("cues", "Every spoken cue of {title} ({length})."),
        {"title": routine.title, "length": "X"}).split(routine.title)[0])


@pytest.mark.parametrize("code", LANGUAGES)
def test_tags_are_in_the_language(code: str) -> None:
    from mutagen.id3 import ID3

    routine = load_routine("ankle-pumps", language=code)
    timeline = fake_compose(routine)
    tags = tags_for(routine, timeline)
    id3 = ID3()
    import io

    id3.load(io.BytesIO(id3v2(tags) + b"\x00" * 16), translate=False)
    assert str(id3["TIT2"]) == routine.title
    assert str(id3["TALB"]) == words_for(code).t.pgettext("tags", "voice-coach")
    comment = id3.getall("COMM")[0]
    assert comment.lang == {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "it": "ita",
                            "pt": "por", "nl": "nld", "zh": "zho"}[code]
    assert comment.text[0].startswith(routine.title)
    chapters = [str(frame.sub_frames["TIT2"]) for frame in id3.getall("CHAP")]
    assert chapters == [c.title for c in timeline.chapters]
    if code != "en":
        assert "reps of" not in comment.text[0] and "spoken cues" not in comment.text[0]


def test_tags_by_hand() -> None:
    de = load_routine("ankle-pumps", language="de")
    comment = tags_for(de, fake_compose(de)).comment
    assert comment.startswith("Fußgelenkpumpen im Sitzen. 3 × 10 Wiederholungen Fußgelenkpumpen "
                              "(Halten: 3 s und 3 s, 30 s Pause).")
    zh = load_routine("ankle-pumps", language="zh")
    assert tags_for(zh, fake_compose(zh)).album == "voice-coach 练习"


# Number words as they are spoken --------------------------------------------------------------

COUNTING = """
title: Count
language: {code}
voice: {{rate: 300}}
steps:
  - exercise: Count
    sets: 1
    reps: 30
    count_reps: true
    phases:
      - hold: 61s
        count: aloud
"""


def _library_word(n: int, code: str) -> str:
    if code == "zh":
        import cn2an

        return cn2an.an2cn(n)
    return num2words(n, lang={"pt": "pt_BR"}.get(code, code))


@pytest.mark.parametrize("code", LANGUAGES)
def test_counted_reps_and_seconds_are_the_library_words(code: str) -> None:
    timeline = fake_compose(routine_from(COUNTING.format(code=code)))
    texts = [e.text for e in timeline.speech()]
    stop = "。" if code == "zh" else "."
    said = {t for text in texts for t in text.split(stop) if t.strip()}
    said = {t.strip().lower() for t in said}
    for n in range(1, 61):
        assert _library_word(n, code).lower() in said, (code, n)
    reps = [e.text for e in timeline.speech() if e.phase == "phase 1" and e.rep and
            e.start_ms == min(x.start_ms for x in timeline.speech() if x.rep == e.rep)]
    assert reps[6].lower() == _library_word(7, code).lower() + stop


def test_spoken_numbers_by_hand() -> None:
    de = [e.text for e in fake_compose(load_routine("ankle-pumps", language="de")).speech()]
    assert de[1:5] == ["Satz eins von drei. Hören Sie auf, wenn etwas wehtut.", "Drei.",
                       "Zwei.", "Eins."]
    assert "Noch eine." in de and "Noch drei." in de
    assert "Gut gemacht. Jetzt dreißig Sekunden Pause. Lassen Sie die Füße locker." in de
    defaults = "title: T\nlanguage: {code}\nvoice: {{rate: 450}}\nsteps:\n  - exercise: E\n" \
               "    sets: 2\n    reps: 4\n    last: 2\n    rest: {rest}\n"
    de1 = [e.text for e in fake_compose(routine_from(defaults.format(code="de", rest="1s")))
           .speech()]
    assert "Satz eins von zwei." in de1 and "Pause für eine Sekunde." in de1
    assert "Halbzeit. Noch zwei. Zehen hoch und halten." in de1
    assert "Die letzte. Zehen hoch und halten." in de1
    fr = [e.text for e in fake_compose(routine_from(defaults.format(code="fr", rest="21s")))
          .speech()]
    assert "Série un sur deux." in fr and "Repos pendant vingt et une secondes." in fr
    assert "La dernière. Pointes en haut, et tenez." in fr
    zh = [e.text for e in fake_compose(routine_from(defaults.format(code="zh", rest="2s")))
          .speech()]
    assert "第一组，共两组。" in zh and "休息两秒。" in zh and "第二组，共两组。" in zh
    assert "三。" in zh and "二。" in zh and "一。" in zh
    assert "一半了。还剩两次。勾脚，保持。" in zh and "还剩一次。勾脚，保持。" in zh


# The language: key --------------------------------------------------------------------------


def test_unknown_language_is_a_located_error() -> None:
    with pytest.raises(SpecError) as caught:
        routine_from("title: T\nlanguage: klingon\nsteps:\n  - exercise: E\n")
    (diag,) = caught.value.diagnostics
    assert (diag.line, diag.col) == (2, 11)
    assert diag.message == "unknown or unsupported language 'klingon'"
    assert diag.hint.startswith("languages: en (English), de (Deutsch), es (español)")


def test_number_formats_are_checked() -> None:
    with pytest.raises(SpecError) as caught:
        routine_from("title: T\nsteps:\n  - exercise: E\n    set_intro: Set {set:wrod}.\n"
                     "    rest_say: '{name:word}'\n")
    first, second = caught.value.diagnostics
    assert first.message == ("placeholder '{set:wrod}' has a format; placeholders are plain "
                             "names, or a number with :word, :word-m, :word-f or :word-n")
    assert first.hint == "write {set}, or {set:word} to say it as a word"
    assert second.message == ("placeholder '{name:word}' has a format; placeholders are plain "
                              "names")


def test_number_words_in_a_users_routine() -> None:
    routine = routine_from("title: T\nsteps:\n  - exercise: E\n    sets: 2\n    reps: 4\n"
                           "    set_intro: Set {set:word} of {sets:word}, {reps} reps.\n")
    assert "Set one of two, 4 reps." in [e.text for e in fake_compose(routine).speech()]


def test_the_language_picks_the_voice() -> None:
    assert routine_from("title: T\nlanguage: de\nsteps:\n  - exercise: E\n").voice.voice == "de"
    zh = routine_from("title: T\nlanguage: zh-CN\nsteps:\n  - exercise: E\n")
    assert zh.language == "zh" and zh.voice.voice == "cmn-latn-pinyin" and not zh.voice_named
    named = routine_from("title: T\nlanguage: de\nvoice: {voice: en}\nsteps:\n  - exercise: E\n")
    assert named.voice.voice == "en" and named.voice_named


def test_language_option_overrides_the_file() -> None:
    from voice_coach.routine import parse_routine

    text = "title: T\nlanguage: de\nvoice: {rate: 250}\nsteps:\n  - exercise: E\n"
    routine = parse_routine(text, "t.yaml", language="fr")
    assert routine.language == "fr" and routine.voice.voice == "fr"
    assert fake_compose(routine).chapters[0].title == "Série 1 sur 3"


def test_builtins_exist_in_every_language_with_the_same_shape() -> None:
    from voice_coach.routine import Exercise

    for name in builtin_names():
        english = load_routine(name)
        for code in OTHERS:
            other = load_routine(name, language=code)
            assert other.path == f"<built-in {name} ({code})>"
            assert [type(s) for s in other.steps] == [type(s) for s in english.steps]
            for mine, theirs in zip(other.steps, english.steps):
                if isinstance(mine, Exercise):
                    assert (mine.sets, mine.reps, mine.style) == (theirs.sets, theirs.reps,
                                                                  theirs.style)
            assert other.title != english.title and other.about != english.about


def test_the_live_screen_speaks_the_language() -> None:
    from voice_coach.live.screen import Guide, screen_lines, status_line, wait_lines

    timeline = fake_compose(load_routine("bedtime", language="de"))
    guide = Guide(timeline)
    in_set = next(e for e in timeline.events if e.rep == 2 and e.set == 1)
    assert status_line(guide.at(in_set.start_ms + 10)) == \
        "Satz 1 von 2 · Wdh. 2 von 8 · Zehen langsam hoch."
    rest = next(c for c in timeline.chapters if c.kind == "rest")
    assert status_line(guide.at(rest.start_ms + 500)) == "Pause"
    breath = next(e for e in timeline.events if e.phase == "breathe out" and e.rep == 2)
    assert status_line(guide.at(breath.start_ms + 10)) == \
        "Ruhiges Atmen · Atemzug 2 von 6 · ausatmen"
    lines = screen_lines(timeline.title, guide.at(0), False, 80)
    assert lines[-1] == "Leertaste Pause · n nächster · b zurück · q beenden"
    countdown = next(e for e in timeline.events if e.phase == "get ready")
    assert "bereit machen" in status_line(guide.at(countdown.start_ms + 10))
    zh = wait_lines("睡前踝泵运动", 65, 3600, 2, 6, "14:05", 60, language="zh")
    assert zh[1] == "下一轮（第2轮，共6轮）：还有1:05（14:05开始）"
    assert zh[-1] == "空格 立即开始 · q 退出"
