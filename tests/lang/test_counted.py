"""Words chosen by a number go one way: lang/counted.py, by the English catalogue's plural rule,
with every phrase a catalogue message; no module picks a plural inline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from voice_coach.lang.counted import counted, english_plural
from voice_coach.lang.messages import read_catalogue, translations

ROOT = Path(__file__).resolve().parents[2]

# An inline choice of a word by a number: `'set' if n == 1 else 'sets'`, `'s' if n != 1 ...`,
# `'s' if len(x) > 1 else ''`. The one place that may choose is lang/counted.py, by rule.
INLINE_PLURAL = re.compile(r"""(==|!=)\s*1\s+else\b|['"]s['"]\s+if\b""")


def _inline_plurals(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if INLINE_PLURAL.search(line)]


def test_no_module_chooses_a_plural_inline() -> None:
    found = {str(path.relative_to(ROOT)): lines
             for path in sorted((ROOT / "voice_coach").rglob("*.py"))
             if (lines := _inline_plurals(path.read_text(encoding="utf-8")))}
    assert found == {}, "use voice_coach.lang.counted.counted(n, singular, plural)"


@pytest.mark.parametrize("line", [
    """f"{n} {'set' if n == 1 else 'sets'}\"""",
    """f"session{'s' if added != 1 else ''}\"""",
    """f"missing column{'s' if len(missing) > 1 else ''}\"""",
    """word + ("" if n == 1 else "s")""",
])
def test_the_inline_plural_check_finds_each_shape(line: str) -> None:
    assert _inline_plurals(line) == [line]


def test_a_count_that_is_not_a_plural_choice_passes() -> None:
    assert _inline_plurals("if volume != 1.0:\n    more = f' ({times} times)' if times > 1 "
                           "else ''") == []


@pytest.mark.parametrize(("n", "expected"), [
    (0, "0 sets"), (1, "1 set"), (2, "2 sets"), (21, "21 sets"), (1000000, "1000000 sets")])
def test_counted_follows_the_english_rule(n: int, expected: str) -> None:
    assert counted(n, "{n} set", "{n} sets") == expected


def test_other_placeholders_are_filled_too() -> None:
    assert counted(3, "{word} day", "{word} days", word="three") == "three days"
    assert counted(1, "missing column {columns}", "missing columns {columns}",
                   columns="uid") == "missing column uid"


def test_the_rule_is_the_english_catalogues() -> None:
    """english_plural() is the Plural-Forms header's rule, the one the compiled English
    catalogue uses (0 -> plural, as CLDR says for English)."""
    compiled = translations("en")
    for n in range(0, 30):
        assert english_plural()(n) == compiled.plural(n)


def test_every_counted_phrase_is_a_catalogue_message_and_reads_the_same() -> None:
    """counted()'s phrases are extracted (scripts/catalogue_tools.py KEYWORDS), and the English
    catalogue's ngettext gives what counted() gives, for every one of them."""
    from babel.messages.extract import extract_from_dir

    from scripts.catalogue_tools import KEYWORDS, PACKAGE_DIR

    assert KEYWORDS["counted"] == (2, 3)
    pairs = {message for _, _, message, _, _ in extract_from_dir(
        str(PACKAGE_DIR), method_map=[("**.py", "python")], keywords={"counted": (2, 3)})}
    assert ("{n} set", "{n} sets") in pairs and len(pairs) >= 20
    english, shipped = translations("en"), read_catalogue("en")
    for singular, plural in pairs:
        assert shipped.get(singular) is not None, f"{singular!r}: run scripts/update-catalogues"
        assert shipped.get(singular).string == (singular, plural)
        for n in (0, 1, 2, 7):
            assert english.ngettext(singular, plural, n).format(n=n, word="some", columns="uid") \
                == counted(n, singular, plural, word="some", columns="uid")
