"""Which shipped language a tag falls back to (voice_coach/lang/languages.py): a region or
script subtag falls back to its language ("de-AT" -> de, never English), a voice language to
the language it reads ("cmn" -> zh), traditional Chinese and unknown tags to an error that lists
the shipped languages. Then the same through a routine: `language: de-AT` is German, word for
word and millisecond for millisecond (onsets worked out by hand).
"""

from __future__ import annotations

import pytest

import voice_coach as vc
from voice_coach.lang import get_language, language_codes, normalize_language, words_for

FALLBACKS = {
    "de-AT": "de", "de-CH": "de", "de_DE": "de", "DE-at": "de", "de-Latn-AT": "de",
    "en-GB": "en", "en-US": "en", "en_AU": "en", "EN-gb": "en",
    "es-MX": "es", "es-419": "es", "fr-CA": "fr", "fr_BE": "fr", "it-CH": "it",
    "nl-BE": "nl", "pt-BR": "pt", "pt_PT": "pt",
    "zh-CN": "zh", "zh-Hans": "zh", "zh-Hans-CN": "zh", "zh-SG": "zh",
    "cmn": "zh", "cmn-Latn-pinyin": "zh", "zh-cmn": "zh",
}


@pytest.mark.parametrize("tag, code", FALLBACKS.items())
def test_a_region_or_script_falls_back_to_its_language(tag: str, code: str) -> None:
    assert normalize_language(tag) == code
    assert get_language(tag).code == code
    assert words_for(tag).code == code


def test_every_shipped_language_is_its_own_fallback() -> None:
    assert language_codes() == ["en", "de", "es", "fr", "it", "nl", "pt", "zh"]
    for code in language_codes():
        assert normalize_language(code) == code
        assert normalize_language(f"{code}-XY") == code  # any region, even one never seen
        assert normalize_language(f" {code.upper()}_XY ") == code


@pytest.mark.parametrize("tag", ["zh-TW", "zh-Hant", "zh-HK", "zh-MO", "zh-Hant-CN", "xx",
                                 "xx-AT", "at", "deu", "", "-", "Deutsch"])
def test_no_fallback_to_english_for_what_is_not_shipped(tag: str) -> None:
    with pytest.raises(vc.UsageError) as caught:
        normalize_language(tag)
    assert caught.value.message == f"unknown or unsupported language {tag!r}"
    assert caught.value.hint.startswith("languages: en (English), de (Deutsch), es (")


def test_a_voice_language_is_read_by_its_language_only() -> None:
    de, en, pt, zh = (get_language(c) for c in ("de", "en", "pt", "zh"))
    assert de.reads("de") and de.reads("de-de") and de.reads("DE_at")
    assert not de.reads("den") and not de.reads("en") and not en.reads("eo")
    assert pt.reads("pt-br") and pt.reads("pt-pt-x") and not pt.reads("ptx")
    assert zh.reads("cmn") and zh.reads("cmn-latn-pinyin") and not zh.reads("yue")


AUSTRIAN = """\
title: Kurz
language: {}
fade_out: 0s
steps:
  - exercise: Pumpen
    sets: 2
    reps: 1
    rest: 5s
    halfway: false
    phases:
      - {{say: Hoch., hold: 2s, tone: rise}}
"""
GERMAN_MS = {"Satz eins von zwei.": 1100, "Drei.": 400, "Zwei.": 400, "Eins.": 400,
             "Hoch.": 300, "Pause für fünf Sekunden.": 1500, "Satz zwei von zwei.": 1100}


@pytest.mark.parametrize("tag", ["de-AT", "de_CH"])
def test_a_routine_in_de_at_is_german_to_the_millisecond(tag: str, tmp_path) -> None:
    routine = vc.parse_routine(AUSTRIAN.format(tag), path="kurz.yaml")
    assert routine.language == "de" and routine.voice.voice == "de"
    timeline = vc.compose(routine, GERMAN_MS.__getitem__)
    assert timeline.language == "de"
    assert [(e.start_ms, e.text or e.tone) for e in timeline.events] == [
        (0, "chime"),
        (880, "Satz eins von zwei."),  # the set's introduction in German number words
        (2580, "Drei."), (3580, "Zwei."), (4580, "Eins."),  # 880 + 1100 + 600
        (5580, "rise"), (5860, "Hoch."),  # 2580 + 3000; + 200 + 80
        (7880, "Pause für fünf Sekunden."),  # the set ends at 7580; + 300
        (12_580, "chime"),  # 7580 + 5000
        (13_460, "Satz zwei von zwei."),
        (15_160, "Drei."), (16_160, "Zwei."), (17_160, "Eins."),  # 13460 + 1100 + 600
        (18_160, "rise"), (18_440, "Hoch."),
    ]
    assert [(c.start_ms, c.title) for c in timeline.chapters] == [
        (0, "Satz 1 von 2"), (7580, "Pause"), (12_580, "Satz 2 von 2")]
    assert timeline.duration_ms == 21_160  # 18160 + 2000, + 1000
    # the same tag given from outside the file (as --language does)
    (tmp_path / "kurz.yaml").write_text(AUSTRIAN.format("en"), encoding="utf-8")
    english = vc.load_routine(str(tmp_path / "kurz.yaml"), language=tag)
    assert english.language == "de"
    assert vc.compose(english, GERMAN_MS.__getitem__) == timeline


def test_a_built_in_routine_in_de_at_is_the_german_one() -> None:
    german = vc.load_routine("ankle-pumps", language="de")
    austrian = vc.load_routine("ankle-pumps", language="de-AT")
    assert austrian.language == "de" and austrian.title == german.title
    assert vc.phrases(austrian) == vc.phrases(german)
    assert vc.phrases(austrian) != vc.phrases(vc.load_routine("ankle-pumps"))


def test_the_facts_of_a_language_as_its_language_yaml_gives_them() -> None:
    """Read from voice_coach/lang/locale/<code>/language.yaml (a fresh process reads them anew)."""
    de, zh = get_language("de"), get_language("zh")
    assert (de.code, de.name, de.native, de.iso639_2, de.numbers) == (
        "de", "German", "Deutsch", "deu", "num2words:de")
    assert de.number_forms["word-f"] == (("(^|und|hundert|tausend)eins$", r"\1eine"),)
    assert set(de.number_forms) == {"word-m", "word-n", "word-f"}
    assert (de.espeak_voices, de.piper_voice, de.voice_languages) == (
        ("de",), "de_DE-thorsten-medium", ("de",))
    assert (de.probe, de.capitalised_nouns) == ("Guten Morgen", True)
    assert zh.voice_languages == ("zh", "cmn", "zh-cmn") and not zh.capitalised_nouns
    assert zh.espeak_voice == zh.espeak_voices[0] == "cmn-latn-pinyin"
    assert get_language("en").number_forms == {}


@pytest.mark.parametrize("tag", ["de-AT", "de_CH", "DE"])
def test_parse_routine_takes_a_region_tag_as_its_language(tag: str) -> None:
    """parse_routine's `language=` is normalised as load_routine's is: the routine is German,
    not a "de-AT" no catalogue knows."""
    text = "title: Kurz\nsteps:\n  - exercise: Fußgelenkpumpen\n    sets: 1\n    reps: 2\n"
    assert vc.parse_routine(text, "kurz.yaml", language=tag).language == "de"


def test_parse_routine_refuses_a_language_it_does_not_ship() -> None:
    with pytest.raises(vc.UsageError, match="unknown or unsupported language 'xx'"):
        vc.parse_routine("title: T\nsteps:\n  - exercise: A\n", "t.yaml", language="xx")
