"""The program's own phrases in each language: gettext catalogues (.po files) read directly at
run time with Babel, so a fresh clone and an installed wheel behave alike with no build step.

Plural forms follow each catalogue's Plural-Forms header (CLDR's rules, as Babel writes them).
Reads package data only; nothing at import time.
"""

from __future__ import annotations

import functools
import gettext
import io
from importlib import resources

from voice_coach.lang.languages import LOCALE_PACKAGE

DOMAIN = "voice_coach"


def catalogue_path(code: str):
    """The .po file of language `code` (a Traversable inside the package)."""
    return resources.files(LOCALE_PACKAGE) / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def template_path():
    """The catalogue template (.pot) every language's catalogue is made from."""
    return resources.files(LOCALE_PACKAGE) / f"{DOMAIN}.pot"


def read_catalogue(code: str):
    """The Babel Catalog of language `code` (raises FileNotFoundError when it has none)."""
    from babel.messages.pofile import read_po

    with catalogue_path(code).open("rb") as fp:
        return read_po(fp, locale=code.replace("-", "_"), domain=DOMAIN)


@functools.cache
def translations(code: str) -> gettext.NullTranslations:
    """gettext translations for language `code`: its catalogue compiled in memory.

    Fuzzy entries are left out, as msgfmt does; a missing catalogue gives the English text.
    """
    from babel.messages.mofile import write_mo

    try:
        catalog = read_catalogue(code)
    except FileNotFoundError:
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
