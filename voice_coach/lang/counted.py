"""Words chosen by a number: "1 spoken cue", "2 spoken cues". The one place the program picks
between a singular and a plural, by the plural rule of the English catalogue (the Plural-Forms
Babel writes from CLDR's rules): what the CLI, the reports and the phone page say is English.

Each call's two phrases are gettext messages (scripts/catalogue_tools.py extracts
counted(n, singular, plural) as ngettext): no other place picks a word by a number.
"""

from __future__ import annotations

import functools
import gettext
import re
from collections.abc import Callable
from typing import Any

from voice_coach.lang.languages import DEFAULT_LANGUAGE
from voice_coach.lang.messages import catalogue_path


def counted(n: int, singular: str, plural: str, **values: Any) -> str:
    """The phrase for `n` things: `singular` or `plural` as the English plural rule says;
    {n} in it is the number and any other placeholder comes from `values`, e.g.
    counted(1, "{n} chapter", "{n} chapters") -> "1 chapter"."""
    return (singular, plural)[english_plural()(n)].format(n=n, **values)


@functools.cache
def english_plural() -> Callable[[int], int]:
    """The English catalogue's plural rule: n -> the index of the form (0 singular, 1 plural).

    Read from the .po header alone: the English phrases are the msgids themselves, so the rule is
    all a phrase needs, and the catalogue is not compiled for it.
    """
    text = catalogue_path(DEFAULT_LANGUAGE).read_text(encoding="utf-8")
    found = re.search(r'"Plural-Forms: nplurals=2; plural=([^;]+);', text)
    if found is None:
        raise RuntimeError(f"no two-form Plural-Forms header in {DEFAULT_LANGUAGE}'s catalogue")
    return gettext.c2py(found.group(1).strip())
