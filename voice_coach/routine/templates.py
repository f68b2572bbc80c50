"""Placeholders in routine text ({set}, {rep}, {title}…): checked when a routine is read, filled
in when it is composed. Only bare names: a format spec ({set:>99999999}) could raise, fill memory
or make a cue far past the length limit, so it is refused, and never applied. The one exception
is how a number is spoken ({sets:word}, {left:word-f}: voice_coach.lang), which is bounded.

Pure: text in, text or diagnostics out.
"""

from __future__ import annotations

import difflib
import string
from typing import Any

from voice_coach.lang.languages import NUMBER_FORMS
from voice_coach.routine.durations import shown
from voice_coach.routine.fields import NUMBER_VARS
from voice_coach.routine.model import Text
from voice_coach.routine.reader import Reader

# The longest a number placeholder ({set}, {seconds}, …) can be once filled in: as digits, and
# as words ("siebenhundertsiebenundsiebzig Komma fünf").
NUMBER_CHARS = 12
NUMBER_WORD_CHARS = 80


def check_template(text: Text | None, allowed: set[str], reader: Reader, key: str = "",
                    name: str | None = None) -> None:
    """Placeholders must be known bare names ({rep}, never {rep:>99} or {rep!r}: a format spec
    could raise, fill memory, or make a cue far past the length limit), and the text filled in
    with the longest values it can get must stay within the cue length limit."""
    if text is None:
        return
    try:
        fields = list(string.Formatter().parse(text.value))
    except ValueError as exc:
        reader.diags.append(text.pos.diag(f"bad placeholder in {shown(text.value)}: {exc}",
                                          "placeholders look like {rep}; write {{ for a brace"))
        return
    longest = 0
    for literal, placeholder, spec, conversion in fields:
        longest += len(literal)
        if placeholder is None:
            continue
        if spec in NUMBER_FORMS and not conversion and placeholder in NUMBER_VARS \
                and placeholder in allowed:
            longest += NUMBER_WORD_CHARS  # {sets:word}: the number said as a word
            continue
        if spec or conversion:
            written = "{" + placeholder + (f"!{conversion}" if conversion else "") + \
                (f":{spec}" if spec else "") + "}"
            number = placeholder in NUMBER_VARS and placeholder in allowed
            reader.diags.append(text.pos.diag(
                f"placeholder {shown(written)} has a format; placeholders are plain names"
                + (", or a number with :word, :word-m, :word-f or :word-n" if number else ""),
                (f"write {{{placeholder}}}, or {{{placeholder}:word}} to say it as a word"
                 if number else f"write {{{placeholder}}}") if placeholder in allowed else
                "placeholders look like {rep}; write {{ for a brace"))
            continue
        if placeholder not in allowed:
            close = difflib.get_close_matches(placeholder, allowed, n=1, cutoff=0.5)
            hint = f"did you mean {{{close[0]}}}?" if close else (
                "known here: " + ", ".join("{" + v + "}" for v in sorted(allowed)))
            written = shown("{" + placeholder + "}")[1:-1]
            reader.diags.append(text.pos.diag(f"unknown placeholder {written}", hint))
            continue
        longest += {"title": len(reader.title),
                    "name": len(name or "")}.get(placeholder, NUMBER_CHARS)
    limit = reader.limits.max_text_chars
    if longest > limit:
        what = f"'{key}'" if key else "this text"
        reader.diags.append(text.pos.diag(
            f"{what} can be {longest:,} characters long once its placeholders are filled in; "
            f"the limit is {limit:,}", "use fewer placeholders, or a shorter title or name"))


def fill(text: Text | None, values: dict[str, Any], language: str = "en") -> str:
    """The text with its placeholders filled in ("" for None); numbers without trailing .0, or
    as words of `language` where the text says {sets:word}; a default text (a program phrase)
    comes from `language`'s catalogue.

    Only bare {name} placeholders and the number word forms are substituted (parse_routine
    refuses any other kind); any other format spec is never applied, so no text can ask for a
    10**12-character padding."""
    from voice_coach.lang import words_for

    return words_for(language).fill(text, values)
