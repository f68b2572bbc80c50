"""What the program itself says and writes, in the routine's language: counted numbers, default
cue texts, chapter titles, lengths and spans. Every phrase is a gettext message (see
catalogue.py); the English text in the code is its msgid.

Pure apart from reading the catalogue once per language.
"""

from __future__ import annotations

import functools
import string
from typing import Any

from voice_coach.lang.languages import DEFAULT_LANGUAGE, NUMBER_FORMS, Language, get_language
from voice_coach.lang.messages import translations
from voice_coach.lang.numbers import Number, capitalized, number_words

# Default texts (the routine fields' defaults) that depend on a count: the English default is
# the plural msgid; here are its singular msgid and the placeholder that counts.
DEFAULT_PLURALS = {
    "Rest for {seconds} seconds.": ("Rest for {seconds} second.", "seconds"),
    "Last {left}.": ("Last {left}.", "left"),
}


def plural_n(value: Any) -> int:
    """The n a plural rule is given: whole numbers as they are, fractions as "many" (2)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 2
    return int(value) if float(value).is_integer() else 2


class Words:
    """The program's phrases in one language. Build it with words_for(code)."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self.t = translations(language.code)

    @property
    def code(self) -> str:
        return self.language.code

    # Numbers ------------------------------------------------------------------------------

    def number(self, value: float, form: str = "word") -> str:
        return number_words(value, self.language, form)

    def counted(self, n: int) -> str:
        """A number said on its own (the 3-2-1, a repetition's number, a counted second)."""
        return self.t.pgettext("counting", "{number}.").format(
            number=capitalized(self.number(n)))

    def mid_sentence(self, name: str) -> str:
        """An exercise's name as it reads inside a sentence: "… répétitions de flexions-
        extensions des chevilles", "… reps of ankle pumps"; German keeps its capital (a noun),
        and so does a name that starts with a label or an abbreviation ("A", "HIIT sprints")."""
        first = name.split(" ", 1)[0]
        if self.language.capitalised_nouns or len(first) < 2 or first[1].isupper():
            return name  # German, a label ("A"), or an abbreviation
        return name[0].lower() + name[1:]

    def countdown(self, n: int) -> str:
        """A beat of the 3-2-1 before a set: called out, as a coach does ("Three!" in English,
        where scripts/listen heard "One."/"Two." as "why"/"him" and "One!"/"Two!" right)."""
        return self.t.pgettext("countdown", "{number}!").format(
            number=capitalized(self.number(n)))

    def join(self, parts: list[str]) -> str:
        """Cues said one after another as one text: "Four. Halfway." ("四。已经一半了。")."""
        text = ""
        for part in (p for p in parts if p):
            text = self.t.pgettext("join", "{first} {then}").format(first=text, then=part) \
                if text else part
        return text

    # Texts with placeholders ---------------------------------------------------------------

    def template(self, text: Any, values: dict[str, Any] | None = None) -> str:
        """The text's template in this language: a routine's own text as written, a default
        text from the catalogue (its singular or plural form chosen by values' count)."""
        if not getattr(text, "default", False):
            return text.value
        plural = DEFAULT_PLURALS.get(text.value)
        if plural is None:
            return self.t.gettext(text.value)
        singular, key = plural
        count = (values or {}).get(key, 2)
        return self.t.ngettext(singular, text.value, plural_n(count))

    def fill(self, text: Any, values: dict[str, Any]) -> str:
        """The text (a routine Text, or None for "") with its placeholders filled: numbers as
        digits, or as words where the text says {n:word}; no trailing ".0". Any other format
        spec is never applied (routine text is the user's: no {rep:>999999999})."""
        if text is None:
            return ""
        out = []
        for literal, name, spec, _ in string.Formatter().parse(self.template(text, values)):
            out.append(literal)
            if name is not None:
                value = self.wrap(values[name])
                number = isinstance(value, Number) and spec in NUMBER_FORMS
                out.append(format(value, spec if number else ""))
        return "".join(out).strip()

    def format(self, template: str, values: dict[str, Any]) -> str:
        shown = {k: self.wrap(v) for k, v in values.items()}
        return string.Formatter().vformat(template, (), shown)

    def wrap(self, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Number(value, self.language)
        return value

    # Chapters -------------------------------------------------------------------------------

    def chapter_intro(self) -> str:
        return self.t.pgettext("chapter", "Introduction")

    def chapter_set(self, set_no: int, sets: int, name: str = "") -> str:
        values = {"set": set_no, "sets": sets, "name": name}
        if name:
            return self.format(self.t.pgettext("chapter", "{name}: set {set} of {sets}"), values)
        return self.format(self.t.pgettext("chapter", "Set {set} of {sets}"), values)

    def chapter_rest(self) -> str:
        return self.t.pgettext("chapter", "Rest")

    def chapter_finish(self) -> str:
        return self.t.pgettext("chapter", "Finish")

    def chapter_breathing(self) -> str:
        return self.t.pgettext("chapter", "Breathing")

    def next_set(self, set_no: int, sets: int) -> str:
        """What comes next, for the {next} placeholder: "set 2 of 3", as said in a sentence."""
        return self.format(self.t.pgettext("next", "set {set} of {sets}"),
                           {"set": set_no, "sets": sets})

    # Lengths and spans ------------------------------------------------------------------------

    def length(self, ms: int) -> str:
        """A length people read: "7 min 12 s", "45 s", "1 h 02 min" (in this language)."""
        seconds = round(ms / 1000)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        values = {"hours": hours, "minutes": minutes, "seconds": seconds}
        if hours:
            return self.format(self.t.pgettext("length", "{hours} h {minutes:02d} min"), values)
        if minutes:
            return self.format(self.t.pgettext("length", "{minutes} min {seconds:02d} s"),
                               values)
        return self.format(self.t.pgettext("length", "{seconds} s"), values)

    def seconds(self, value_s: float) -> str:
        """A short time in seconds for summaries: "3 s", "1.5 s"."""
        return self.format(self.t.pgettext("length", "{seconds} s"), {"seconds": value_s})

    def span(self, ms: int) -> str:
        """A span in words: "6 hours", "90 minutes", "45 seconds"."""
        unit, count = _unit(ms)
        n = plural_n(count)
        if unit == "hour":
            text = self.t.npgettext("span", "{n} hour", "{n} hours", n)
        elif unit == "minute":
            text = self.t.npgettext("span", "{n} minute", "{n} minutes", n)
        elif unit == "second":
            text = self.t.npgettext("span", "{n} second", "{n} seconds", n)
        else:
            text = self.t.pgettext("span", "{n} ms")
        return self.format(text, {"n": count})

    def every(self, ms: int) -> str:
        """How often: "every hour", "every 5 minutes"."""
        unit, count = _unit(ms)
        n = plural_n(count)
        if unit == "hour":
            text = self.t.npgettext("every", "every hour", "every {n} hours", n)
        elif unit == "minute":
            text = self.t.npgettext("every", "every minute", "every {n} minutes", n)
        elif unit == "second":
            text = self.t.npgettext("every", "every second", "every {n} seconds", n)
        else:
            text = self.t.pgettext("every", "every {n} ms")
        return self.format(text, {"n": count})

    def repeat_heading(self, title: str, every_ms: int, total_ms: int) -> str:
        """The title of a flight track: "In-flight ankle pumps, every hour for 6 hours"."""
        return self.format(self.t.pgettext("repeat", "{title}, {every} for {total}"),
                           {"title": title, "every": self.every(every_ms),
                            "total": self.span(total_ms)})

    def repeat_note(self, every_ms: int, total_ms: int) -> str:
        """How a flight track repeats, for its comment: "Every hour for 6 hours"."""
        return capitalized(self.format(self.t.pgettext("repeat", "{every} for {total}"),
                                       {"every": self.every(every_ms),
                                        "total": self.span(total_ms)}))

    def repeat_title(self, index: int, start_ms: int, every_ms: int, title: str) -> str:
        """A repetition's chapter: "Hour 3 — title" on whole hours, else "Round 3 (0:20:00) —
        title"."""
        if every_ms % 3_600_000 == 0:
            return self.format(self.t.pgettext("repeat", "Hour {hour} — {title}"),
                               {"hour": start_ms // 3_600_000 + 1, "title": title})
        seconds = start_ms // 1000
        clock = f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
        return self.format(self.t.pgettext("repeat", "Round {round} ({clock}) — {title}"),
                           {"round": index + 1, "clock": clock, "title": title})

    def list_text(self, items: list[str]) -> str:
        """Items joined as the language joins a list: "a and b", "a, b und c", "a和b"."""
        from babel.lists import format_list

        return format_list(items, locale=_babel_locale(self.code)) if items else ""


def _unit(ms: int) -> tuple[str, float]:
    for unit_ms, unit in ((3_600_000, "hour"), (60_000, "minute"), (1000, "second")):
        if ms % unit_ms == 0 or (unit == "second" and ms >= 1000):
            count = ms / unit_ms
            return unit, int(count) if count.is_integer() else count
    return "ms", ms


def _babel_locale(code: str) -> str:
    return code.replace("-", "_")


@functools.cache
def words_for(code: str = DEFAULT_LANGUAGE) -> Words:
    """The phrases of language `code` (a shipped language; UsageError if unknown)."""
    return Words(get_language(code))
