"""The message catalogues: up to date with the code, complete in every shipped language, read
straight from the .po files (a fresh clone needs no build step), and the number words."""

from __future__ import annotations

import pytest
from babel.messages.plurals import get_plural
from num2words import num2words

from scripts.catalogue_tools import build_template, new_catalogue, problems
from voice_coach.basics.errors import UsageError
from voice_coach.lang import (
    get_language,
    language_codes,
    normalize_language,
    number_words,
    words_for,
)
from voice_coach.lang.messages import read_catalogue, template_path

LANGUAGES = ["en", "de", "fr", "es", "it", "pt", "nl", "zh"]


def _ids(catalog) -> set:
    return {(m.context, m.id) for m in catalog if m.id}


def test_eight_languages_ship() -> None:
    assert sorted(language_codes()) == sorted(LANGUAGES)
    assert language_codes()[0] == "en"


def test_template_is_up_to_date_with_the_code() -> None:
    """Run scripts/update-catalogues when this fails: a phrase was added or changed."""
    from babel.messages.pofile import read_po

    with template_path().open("rb") as fp:
        shipped = read_po(fp)
    assert _ids(build_template()) == _ids(shipped)
    assert len(_ids(shipped)) >= 60


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_is_translated(code: str) -> None:
    assert problems(code) == []
    catalog = read_catalogue(code)
    assert catalog.num_plurals == get_plural(code).num_plurals
    assert len([m for m in catalog if m.id]) == len(_ids(build_template()))


def test_a_missing_or_untranslated_message_is_found() -> None:
    template = build_template()
    empty = new_catalogue("de", template)
    found = problems("de", catalog=empty, template=template)
    assert any("'Halfway.': not translated" in p for p in found)
    german = read_catalogue("de")
    del german["Halfway."]
    assert "de: 'Halfway.': missing" in problems("de", catalog=german, template=template)


def test_plural_forms_follow_each_language() -> None:
    de, fr, zh = words_for("de"), words_for("fr"), words_for("zh")
    assert de.span(3_600_000) == "1 Stunde" and de.span(7_200_000) == "2 Stunden"
    assert fr.every(3_600_000) == "toutes les heures"
    assert fr.every(7_200_000) == "toutes les 2 heures"
    assert zh.span(7_200_000) == "2小时"
    assert words_for("en").span(5_400_000) == "90 minutes"


# Number words ------------------------------------------------------------------------------


def _library_word(n: int, code: str) -> str:
    """The number word the libraries give (num2words; cn2an for Chinese)."""
    if code == "zh":
        import cn2an

        return cn2an.an2cn(n)
    return num2words(n, lang={"pt": "pt_BR"}.get(code, code))


@pytest.mark.parametrize("code", LANGUAGES)
def test_counting_words_come_from_the_library(code: str) -> None:
    words = words_for(code)
    for n in range(1, 61):
        assert words.number(n) == _library_word(n, code)


def test_numbers_before_a_noun_agree_with_it() -> None:
    de, fr, es, it, pt, zh = (get_language(c) for c in ("de", "fr", "es", "it", "pt", "zh"))
    assert number_words(1, de) == "eins"
    assert number_words(1, de, "word-m") == "ein" and number_words(1, de, "word-f") == "eine"
    assert number_words(21, de, "word-f") == "einundzwanzig"
    assert number_words(101, de, "word-m") == "einhundertein"
    assert number_words(21, fr, "word-f") == "vingt et une"
    assert number_words(81, fr, "word-f") == "quatre-vingt-une"
    assert number_words(21, es, "word-m") == "veintiún" and number_words(1, es, "word-m") == "un"
    assert number_words(21, es, "word-f") == "veintiuna"
    assert number_words(1, it, "word-f") == "una" and number_words(21, it, "word-m") == "ventuno"
    assert number_words(2, pt, "word-f") == "duas" and number_words(22, pt, "word-f") == \
        "vinte e duas"
    assert number_words(2, zh) == "二" and number_words(2, zh, "word-n") == "两"
    assert number_words(20, zh, "word-n") == "二十"
    assert number_words(1.5, de) == "eins Komma fünf"


def test_language_tags_are_normalised() -> None:
    assert normalize_language("de-AT") == "de"
    assert normalize_language("pt_BR") == "pt"
    assert normalize_language("zh-Hans-CN") == "zh"
    assert normalize_language("cmn") == "zh"
    assert normalize_language("EN-gb") == "en"
    for bad in ("xx", "zh-TW", "", "klingon"):
        with pytest.raises(UsageError) as caught:
            normalize_language(bad)
        assert caught.value.hint.startswith("languages: en (English), de (Deutsch)")
        assert "zh (简体中文)" in caught.value.hint
