"""Counted words: "1 spoken cue", "2 spoken cues". The one place the program chooses between a
singular and a plural, shaped like gettext's ngettext(singular, plural, n) so a language's
message catalogue can take it over. Imports nothing of the package."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str) -> str:
    """The phrase for `n` things: `singular` when n is 1, else `plural`; {n} in either is
    replaced by the number, e.g. counted(1, "{n} chapter", "{n} chapters") -> "1 chapter"."""
    return (singular if n == 1 else plural).format(n=n)
