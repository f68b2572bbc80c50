"""Hostile values for the fuzzer (issue 10): durations and numbers of any length, placeholders
with format specs, and control characters (terminal escape sequences, bidirectional overrides).

Strategies only; tests/test_fuzz.py mixes them into its routines and checks the properties.
"""

from __future__ import annotations

import re

from hypothesis import strategies as st

UNITS = ["h", "m", "s", "ms", "", "H", "sec"]
# Any number of digits: 310 or more made float() infinite (an OverflowError traceback), 4,300
# or more are past Python's int() limit for text.
digit_runs = st.one_of(
    st.integers(1, 25).map(lambda n: "9" * n),
    st.integers(300, 320).map(lambda n: "9" * n),
    st.integers(4_290, 4_310).map(lambda n: "1" + "0" * n),
    st.text("0123456789", min_size=1, max_size=40),
)
durations_any_length = st.builds(
    lambda sign, whole, fraction, unit, more: f"{sign}{whole}{fraction}{unit}{more}",
    st.sampled_from(["", "", "-", "+", " "]),
    digit_runs,
    st.one_of(st.just(""), digit_runs.map(lambda d: "." + d)),
    st.sampled_from(UNITS),
    st.one_of(st.just(""), st.builds(lambda d, u: f"{d}{u}", digit_runs, st.sampled_from(UNITS))),
)
numbers_any_length = st.one_of(
    digit_runs, digit_runs.map(lambda d: "-" + d), st.sampled_from(["1e400", "-1e400", "nan",
                                                                    "inf", "1_000", "0x10"]))

PLACEHOLDERS = ["set", "sets", "rep", "reps", "left", "done", "name", "title", "seconds",
                "cycle", "cycles", "minutes", "x", ""]
FORMAT_SPECS = ["", ":d", ":>99999999", ":>999999999999", ":^1000", ":.3f", ":x", "!r", "!s",
                "!a", ".real", "[0]", ":{set}", ":%", "!r:>9"]
placeholders_with_specs = st.builds(
    lambda name, spec: "{" + name + spec + "}", st.sampled_from(PLACEHOLDERS),
    st.sampled_from(FORMAT_SPECS))

CONTROLS = ["\x1b[2J", "\x1b]0;owned\x07", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
            "\x07", "\x08", "\x00", "\x7f", "\x9b31m", "\u202e", "\u2066", "\x1b[?1049h",
            "\r", "\x0c"]
control_bits = st.sampled_from(CONTROLS)


@st.composite
def hostile_texts(draw: st.DrawFn) -> str:
    """Cue text with placeholders carrying format specs and control characters mixed in."""
    parts = draw(st.lists(st.one_of(st.sampled_from(["Set ", " of ", "Hold ", ".", "Up"]),
                                    placeholders_with_specs, control_bits, st.text(max_size=6)),
                          min_size=1, max_size=6))
    return "".join(parts)


hostile_values = st.one_of(durations_any_length, numbers_any_length, hostile_texts())

# In a quoted YAML scalar these escapes become the control characters themselves.
YAML_ESCAPED = ['"\\e[2J"', '"\\e]0;owned\\a"', '"\\x9b"', '"\\u202e"', '"\\0"', '"\\x7f"',
                '"Set {set:>99999999}."', '"{name:d}"', '"{rep!r}"', "9" * 320 + "s",
                "1" + "0" * 4_300, "9" * 400 + "ms", "0." + "9" * 500 + "h"]

_CONTROL_RE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def has_control(text: str) -> bool:
    """Whether text holds a control character other than newline (what must never be printed
    raw, nor stored in tags and sidecars)."""
    return bool(_CONTROL_RE.search(text))
