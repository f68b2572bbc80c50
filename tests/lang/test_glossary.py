"""The glossaries in voice_coach/lang/locale/<code>/glossary.yaml: the built-in routines use each
term and none of the translations it replaces, so a new phrase keeps the physiotherapist's
words. Also the lines a fluent reader flagged, and the tag comment's lower-case exercise name."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from voice_coach.output.tags import describe
from voice_coach.plan.compose import compose
from voice_coach.routine import load_routine
from voice_coach.speech.fake import fake_duration_ms

LOCALE = Path(str(resources.files("voice_coach.lang.locale")))
BUILTINS = Path(str(resources.files("voice_coach.routine"))) / "builtins"
GLOSSARY_LANGUAGES = ("de", "es", "fr", "it", "nl", "pt")


def glossary(code: str) -> list[dict]:
    return yaml.safe_load((LOCALE / code / "glossary.yaml").read_text(encoding="utf-8"))["terms"]


def builtin_texts(code: str) -> dict[str, str]:
    """Each built-in's words (its YAML's string values, one a line): what is read or heard."""
    return {p.name: "\n".join(_strings(yaml.safe_load(p.read_text(encoding="utf-8"))))
            for p in sorted((BUILTINS / code).glob("*.yaml"))}


def _strings(value) -> list[str]:
    if isinstance(value, str):  # placeholders ({set:word}) are not words
        return [" ".join(re.sub(r"\{[^}]*\}", "…", value).split())]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def found(term: str, text: str) -> bool:
    """`term` as a whole word or phrase, any case; a term that is a sentence ("Op.") only as a
    sentence, in its own case (so "Op." is not "… voeten op.")."""
    if term.endswith("."):
        return re.search(r"(?:^|(?<=[.!?:] ))" + re.escape(term) + r"(?!\w)", text,
                          re.MULTILINE) is not None
    return re.search(r"(?<!\w)" + re.escape(term) + r"(?!\w)", text, re.IGNORECASE) is not None


@pytest.mark.parametrize("code", GLOSSARY_LANGUAGES)
def test_every_language_has_a_well_formed_glossary(code):
    terms = glossary(code)
    assert len(terms) >= 5
    for entry in terms:
        assert set(entry) == {"concept", "use", "avoid"}, entry
        assert entry["use"].strip() and entry["avoid"], entry
        assert not any(found(a, entry["use"]) for a in entry["avoid"]), entry


@pytest.mark.parametrize("code", GLOSSARY_LANGUAGES)
def test_builtins_use_the_glossary_terms_and_none_they_replace(code):
    texts = builtin_texts(code)
    assert len(texts) == 7
    everything = "\n".join(texts.values())
    for entry in glossary(code):
        assert found(entry["use"], everything), f"{code}: no built-in says {entry['use']!r}"
        for avoided in entry["avoid"]:
            where = [name for name, text in texts.items() if found(avoided, text)]
            assert not where, f"{code}: {avoided!r} in {where} (use {entry['use']!r})"


@pytest.mark.parametrize(("code", "line"), [
    ("fr", "Flexions-extensions des chevilles, en position assise"),
    ("fr", "La moitié. Gardez un rythme lent."),
    ("nl", "Trek uw tenen naar u toe en houd vast."),
    ("nl", "Ontspan uw voeten."),
    ("nl", "Neer."),
    ("es", "Suba."),
    ("es", "Baje."),
    ("it", "Ha completato tutte e tre le serie."),
    ("pt", "Concluiu as três séries."),
    ("pt", "Bombeamento do tornozelo, sentado"),
    ("de", "Fußgelenkpumpen im Sitzen"),
])
def test_the_flagged_lines_read_as_a_native_speaker_says_them(code, line):
    assert found(line, "\n".join(builtin_texts(code).values()))


def test_pt_titles_and_exercises_name_the_exercise_as_the_body_does():
    for path in sorted((BUILTINS / "pt").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        names = [data["title"]] + [s["exercise"] for s in data["steps"] if "exercise" in s]
        assert all(n.lower().startswith("bombeamento") for n in names), names


@pytest.mark.parametrize(("code", "expected"), [
    ("fr", "3 × 10 répétitions de flexions-extensions des chevilles ("),
    ("en", "3 x 10 reps of ankle pumps ("),
    ("de", "3 × 10 Wiederholungen Fußgelenkpumpen ("),  # a German noun keeps its capital
    ("nl", "3 × 10 herhalingen enkelpompen ("),
    ("pt", "3 × 10 repetições de bombeamento do tornozelo ("),
])
def test_tag_comment_names_the_exercise_in_lower_case_mid_sentence(code, expected):
    routine = load_routine("ankle-pumps", language=code)
    timeline = compose(routine, lambda text: fake_duration_ms(text, 160))
    assert expected in describe(routine, timeline)
