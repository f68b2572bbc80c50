"""Catalogue upkeep for maintainers and translators (scripts/update-catalogues), with Babel:
extract the program's phrases into voice_coach.pot, merge it into every language's .po, start a
new language's catalogue, and list what is missing. Never used while a session is made.
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "voice_coach"
LOCALE_DIR = PACKAGE_DIR / "lang" / "locale"
TEMPLATE = LOCALE_DIR / "voice_coach.pot"
# counted(n, singular, plural) (voice_coach/lang/counted.py) is read as ngettext: its phrases
# are messages too, English in the English catalogue, whose plural rule chooses between them.
KEYWORDS = {"gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
            "npgettext": ((1, "c"), 2, 3), "counted": (2, 3)}
# Fixed dates: the files change only when the messages do.
STAMP = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)


def build_template():
    """The template Catalog: every phrase in the code, and the routine fields' default texts."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    from voice_coach.lang.words import DEFAULT_PLURALS
    from voice_coach.routine.fields import DEFAULT_PHASES, STEP_KINDS

    catalog = Catalog(project="voice-coach", domain="voice_coach", creation_date=STAMP,
                      revision_date=STAMP, charset="utf-8", fuzzy=False,
                      msgid_bugs_address="", copyright_holder="voice-coach contributors")
    for filename, _lineno, message, comments, context in extract_from_dir(
            str(PACKAGE_DIR), method_map=[("**.py", "python")], keywords=KEYWORDS,
            comment_tags=("Translators:",)):
        catalog.add(message, locations=[(f"voice_coach/{filename}", None)],
                    auto_comments=comments, context=context)
    where = [("voice_coach/routine/fields.py", None)]
    defaults = [spec.default for fields in STEP_KINDS.values() for spec in fields.values()
                if spec.kind == "text" and isinstance(spec.default, str)]
    defaults += [phase["say"] for phase in DEFAULT_PHASES]
    for text in dict.fromkeys(defaults):
        if text in DEFAULT_PLURALS:
            singular, key = DEFAULT_PLURALS[text]
            catalog.add((singular, text), locations=where, auto_comments=[
                f"A routine's default text; the plural form is chosen by {{{key}}}."])
        else:
            catalog.add(text, locations=where, auto_comments=["A routine's default text."])
    return catalog


def po_text(catalog) -> str:
    from babel.messages.pofile import write_po

    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_lineno=False, sort_output=False)
    return buffer.getvalue().decode("utf-8")


def update_all(template=None) -> list[Path]:
    """Writes the template and merges it into every language's catalogue; returns what changed."""
    from babel.messages.pofile import read_po

    template = template or build_template()
    changed = _write(TEMPLATE, po_text(template))
    for facts in sorted(LOCALE_DIR.glob("*/language.yaml")):
        code = facts.parent.name
        path = facts.parent / "LC_MESSAGES" / "voice_coach.po"
        if path.exists():
            with path.open("rb") as fp:
                catalog = read_po(fp, locale=code.replace("-", "_"))
            catalog.update(template, no_fuzzy_matching=True)
            catalog.obsolete.clear()
        else:
            catalog = new_catalogue(code, template)
        if code == "en":
            _english_is_the_source(catalog)
        catalog.revision_date = STAMP
        changed += _write(path, po_text(catalog))
    return changed


def new_catalogue(code: str, template=None):
    """An empty catalogue for language `code`, with the plural rule Babel knows for it."""
    from babel.messages.catalog import Catalog

    template = template or build_template()
    catalog = Catalog(locale=code.replace("-", "_"), domain="voice_coach", project="voice-coach",
                      creation_date=STAMP, revision_date=STAMP, fuzzy=False)
    catalog.update(template, no_fuzzy_matching=True)
    return catalog


def _english_is_the_source(catalog) -> None:
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = (message.id[0], *[message.id[1]] * (catalog.num_plurals - 1))
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")


def problems(code: str, catalog=None, template=None) -> list[str]:
    """What is wrong with a language's catalogue (its shipped .po, or `catalog`) against the
    template (the shipped .pot, or `template`): missing, empty, fuzzy, placeholders changed,
    wrong plural count. An empty list when it is complete."""
    import string

    from babel.messages.plurals import get_plural
    from babel.messages.pofile import read_po

    from voice_coach.lang.messages import read_catalogue, template_path

    if template is None:
        with template_path().open("rb") as fp:
            template = read_po(fp)
    if catalog is None:
        catalog = read_catalogue(code)
    out = []
    expected = get_plural(code.replace("-", "_")).num_plurals
    if catalog.num_plurals != expected:
        out.append(f"{code}: {catalog.num_plurals} plural forms; Babel says {expected}")
    for wanted in template:
        if not wanted.id:
            continue
        got = catalog.get(wanted.id, context=wanted.context)
        label = f"{code}: {wanted.context + ' | ' if wanted.context else ''}{wanted.id!r}"
        if got is None:
            out.append(f"{label}: missing")
            continue
        strings = got.string if isinstance(got.string, tuple) else (got.string,)
        if not all(strings):
            out.append(f"{label}: not translated")
            continue
        if got.fuzzy:
            out.append(f"{label}: fuzzy")
        ids = wanted.id if isinstance(wanted.id, tuple) else (wanted.id,)
        names = {f for text in ids for _, f, _, _ in string.Formatter().parse(text) if f}
        for text in strings:
            used = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            if not used <= names:
                out.append(f"{label}: unknown placeholders {sorted(used - names)} in {text!r}")
    return out


def _write(path: Path, text: str) -> list[Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return []
    path.write_text(text, encoding="utf-8")
    return [path]


def codes() -> list[str]:
    """The languages with a folder in voice_coach/lang/locale/ (language.yaml), sorted."""
    return sorted(p.parent.name for p in LOCALE_DIR.glob("*/language.yaml"))
