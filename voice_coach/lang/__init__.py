"""Languages: which ones ship, their number words, and the program's own phrases in each
(gettext catalogues in voice_coach/lang/locale/). Adding a language is adding files, not code.

Depends only on errors; the routine, plan, output and CLI stages ask it for their words.
"""

from voice_coach.lang.languages import (
    DEFAULT_LANGUAGE,
    NUMBER_FORMS,
    Language,
    get_language,
    language_codes,
    language_list,
    normalize_language,
)
from voice_coach.lang.numbers import Number, capitalized, check_number_spec, number_words
from voice_coach.lang.words import DEFAULT_PLURALS, Words, words_for

__all__ = [
    "DEFAULT_LANGUAGE", "DEFAULT_PLURALS", "NUMBER_FORMS", "Language", "Number", "Words",
    "capitalized", "check_number_spec", "get_language", "language_codes", "language_list",
    "normalize_language", "number_words", "words_for",
]
