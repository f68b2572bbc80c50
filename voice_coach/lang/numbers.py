"""Numbers as words of a language: num2words (or cn2an for Chinese) gives the counting word,
the language's number_forms give the form before a noun ("eins" → "ein Satz", "eine Sekunde";
"二" → "两组").

Pure apart from importing the word library on first use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from voice_coach.lang.languages import NUMBER_FORMS, Language


def number_words(value: float, language: Language, form: str = "word") -> str:
    """`value` in words: form "word" is the counting word (German "eins", Chinese "二"),
    "word-m" / "word-f" / "word-n" the word before a masculine / feminine / neuter noun (in
    Chinese, before a measure word: "两"). Whole floats count as integers (30.0 → thirty)."""
    if form not in NUMBER_FORMS:
        raise ValueError(f"unknown number form {form!r}; known: {', '.join(NUMBER_FORMS)}")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    word = _converter(language.numbers)(value)
    for pattern, replacement in language.number_forms.get(form, ()):
        word = re.sub(pattern, replacement, word)
    return word


@functools.cache
def _converter(source: str) -> Callable[[float], str]:
    library, _, code = source.partition(":")
    if library == "num2words":
        from num2words import num2words

        return lambda value: num2words(value, lang=code)
    if library == "cn2an":
        import cn2an

        return lambda value: cn2an.an2cn(value)
    raise ValueError(f"unknown number library {source!r}: use num2words:<code> or cn2an")


def capitalized(word: str) -> str:
    """The word with its first letter in capitals ("drei" → "Drei"; "三" unchanged)."""
    return word[:1].upper() + word[1:]


class Number:
    """A number placed in a text: "{sets}" gives its digits as before ("3", "1.5"); "{sets:word}"
    its word, "{sets:word-f}" its word before a feminine noun; other specs ("{rep:02d}") are
    Python's own."""

    __slots__ = ("value", "language")

    def __init__(self, value: float, language: Language) -> None:
        self.value = value
        self.language = language

    def __format__(self, spec: str) -> str:
        if spec in NUMBER_FORMS:
            return number_words(self.value, self.language, spec)
        if not spec:
            return f"{self.value:g}" if isinstance(self.value, float) else str(self.value)
        return format(self.value, spec)

    def __str__(self) -> str:
        return format(self, "")


def check_number_spec(spec: str) -> str | None:
    """None when `spec` is usable after a number placeholder ("", "word", "02d"), else why not."""
    if spec in NUMBER_FORMS or not spec:
        return None
    try:
        format(1, spec)
    except ValueError:
        return (f"unknown number format ':{spec}'; numbers take :word (counting), :word-m, "
                ":word-f or :word-n (before a masculine, feminine or neuter noun)")
    return None
