"""The shipped languages, read from voice_coach/lang/locale/<code>/language.yaml: adding a language
is adding files (that folder, its catalogue and the built-in routines), not code.

Reads package data only; nothing at import time. Knows nothing of engines, routines or the CLI.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources

from voice_coach.basics.errors import UsageError

LOCALE_PACKAGE = "voice_coach.lang.locale"
DEFAULT_LANGUAGE = "en"
NUMBER_FORMS = ("word", "word-m", "word-f", "word-n")


@dataclass(frozen=True)
class Language:
    """What the program knows about one language it speaks.

    code: the tag routines use ("de"); name / native: "German" / "Deutsch";
    iso639_2: the three-letter code ID3 comment frames carry ("deu");
    numbers: where number words come from ("num2words:de" or "cn2an");
    number_forms: for word-m / word-f / word-n, (regex, replacement) pairs applied in order to
    the counting word ("eins" → "ein" before a masculine noun);
    espeak_voices: the espeak-ng voices that may read it, best first (the first installed one
    that really reads it is the language's voice); piper_voice: a natural voice to install;
    voice_languages: the voice languages that read it ("cmn" reads zh);
    probe: a short phrase used to check that a voice really reads the language;
    capitalised_nouns: every noun starts with a capital (German), so a name keeps its capital
    inside a sentence.
    """

    code: str
    name: str
    native: str
    iso639_2: str
    numbers: str
    number_forms: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    espeak_voices: tuple[str, ...] = ()
    piper_voice: str = ""
    voice_languages: tuple[str, ...] = ()
    probe: str = ""
    capitalised_nouns: bool = False

    @property
    def espeak_voice(self) -> str:
        """The espeak-ng voice a routine in this language gets when it names none."""
        return self.espeak_voices[0] if self.espeak_voices else self.code

    def reads(self, voice_language: str) -> bool:
        """Whether a voice whose language is `voice_language` ("de-de", "cmn") reads this one."""
        tag = voice_language.lower().replace("_", "-")
        return any(tag == v or tag.startswith(v + "-") for v in self.voice_languages)


def language_codes() -> list[str]:
    """The shipped languages' codes: English first, then in alphabetical order."""
    return list(_all_languages())


def get_language(code: str) -> Language:
    """The shipped language `code` (as normalize_language returns it); UsageError if unknown."""
    languages = _all_languages()
    if code not in languages:
        code = normalize_language(code)
    return languages[code]


def normalize_language(tag: str) -> str:
    """The shipped language a tag names: "de", "de-AT", "de_DE", "pt-BR", "zh-Hans" → its code.

    Raises UsageError, listing the shipped languages, for an unknown or unsupported tag.
    """
    languages = _all_languages()
    cleaned = str(tag).strip().replace("_", "-")
    parts = [p.lower() for p in cleaned.split("-") if p]
    if parts and parts[0] in languages:
        if not _other_script(parts):
            return parts[0]
    elif parts:
        for code, language in languages.items():  # a voice language: "cmn" is Mandarin
            if parts[0] in language.voice_languages:
                return code
    raise UsageError(f"unknown or unsupported language {str(tag)!r}",
                     "languages: " + language_list())


def language_list() -> str:
    """"en (English), de (Deutsch), …" for messages."""
    return ", ".join(f"{code} ({lang.native})" for code, lang in _all_languages().items())


def _other_script(parts: list[str]) -> bool:
    """zh-Hant / zh-TW / zh-HK are traditional characters, which are not shipped."""
    return parts[0] == "zh" and any(p in ("hant", "tw", "hk", "mo") for p in parts[1:])


@functools.lru_cache(maxsize=1)
def _all_languages() -> dict[str, Language]:
    import yaml

    root = resources.files(LOCALE_PACKAGE)
    found: dict[str, Language] = {}
    for folder in root.iterdir():
        facts_file = folder / "language.yaml"
        if not facts_file.is_file():
            continue
        facts = yaml.safe_load(facts_file.read_text(encoding="utf-8"))
        found[facts["code"]] = _language(facts)
    order = sorted(found, key=lambda c: (c != DEFAULT_LANGUAGE, c))
    return {code: found[code] for code in order}


def _language(facts: dict) -> Language:
    forms = {}
    for form, rules in (facts.get("number_forms") or {}).items():
        if form not in NUMBER_FORMS:
            raise ValueError(f"language {facts['code']}: unknown number form {form!r}")
        for pattern, _ in rules:
            re.compile(pattern)
        forms[form] = tuple((pattern, replacement) for pattern, replacement in rules)
    voices = facts.get("voices") or {}
    espeak = voices.get("espeak") or []
    espeak = [espeak] if isinstance(espeak, str) else list(espeak)
    return Language(
        code=facts["code"], name=facts["name"], native=facts["native"],
        iso639_2=facts["iso639_2"], numbers=facts["numbers"], number_forms=forms,
        espeak_voices=tuple(espeak), piper_voice=voices.get("piper", ""),
        voice_languages=tuple(v.lower() for v in facts.get("voice_languages", ())),
        probe=facts.get("probe", ""), capitalised_nouns=bool(facts.get("capitalised_nouns")))
