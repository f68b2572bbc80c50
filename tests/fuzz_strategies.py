"""The fuzzer's strategies: arbitrary YAML trees, routine-shaped mappings whose values are of
roughly the right kind (valid, out of range, or hostile: tests/fuzz_hostile.py), built-in
routines with lines mutated, and built-ins with values replaced by hostile ones.

Strategies only; tests/test_fuzz.py holds the properties and the runner (scripts/fuzz).
"""

from __future__ import annotations

import json
import re

import yaml
from hypothesis import strategies as st

from tests.fuzz_hostile import (
    YAML_ESCAPED,
    control_bits,
    durations_any_length,
    hostile_texts,
    hostile_values,
    numbers_any_length,
)
from voice_coach.routine import (
    PHASE_FIELDS,
    ROUTINE_FIELDS,
    STEP_KINDS,
    VOICE_FIELDS,
    Field,
    builtin_names,
    builtin_text,
)

# -- strategies -------------------------------------------------------------------------------

KNOWN_KEYS = sorted(
    {*ROUTINE_FIELDS, *VOICE_FIELDS, *PHASE_FIELDS}
    | {k for fields in STEP_KINDS.values() for k in fields}
)
DURATIONS = ["3s", "1.5s", "500ms", "1m30s", "2h", "0s", "-3s", "3", "1e9h", "99999999999s", "s"]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(DURATIONS),
    st.sampled_from(["rise", "fall", "tick", "none", "aloud", "pump", "hold", "en", "{rep}", "{"]),
    hostile_values,
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), st.text(max_size=12), st.integers(-5, 5))
yaml_trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6)
    ),
    max_leaves=40,
)
routine_like = st.fixed_dictionaries(
    {"title": scalars, "steps": st.lists(yaml_trees, max_size=4)},
    optional={k: yaml_trees for k in ("voice", "intro", "outro", "gap", "fade_out", "about")},
)


def field_values(field: Field) -> st.SearchStrategy:
    """Values for one routine field: mostly of its kind (valid or out of range), sometimes not."""
    kind = field.kind
    if kind == "duration":
        typed = st.one_of(
            st.sampled_from(DURATIONS), st.integers(0, 90_000).map(lambda n: f"{n}ms"),
            durations_any_length,
        )
    elif kind in ("int", "number"):
        typed = st.one_of(st.integers(-3, 40), st.integers(), st.floats(), numbers_any_length)
    elif kind == "bool":
        typed = st.booleans()
    elif kind.startswith("enum:"):
        typed = st.sampled_from([*kind[5:].split("|"), "loud"])
    else:
        typed = st.one_of(
            st.sampled_from(["Up.", "Set {set} of {sets}.", "{left} left", "{x}"]),
            st.text(max_size=40),
            hostile_texts(),
            st.builds(lambda a, c, b: a + c + b, st.text(max_size=8), control_bits,
                      st.text(max_size=8)),
        )
    return st.one_of(typed, typed, scalars)


def shaped(fields: dict[str, Field], nested: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """A mapping with some of `fields`, each with a value of roughly its kind."""
    values = {k: nested[k] if k in nested else field_values(f) for k, f in fields.items()}
    return st.fixed_dictionaries(
        {k: v for k, v in values.items() if fields[k].required},
        optional={k: v for k, v in values.items() if not fields[k].required},
    )


phases = st.lists(shaped(PHASE_FIELDS, {}), min_size=1, max_size=3)
steps = st.lists(
    st.one_of(*(shaped(fields, {"phases": phases}) for fields in STEP_KINDS.values())),
    min_size=1,
    max_size=4,
)
shaped_routines = shaped(ROUTINE_FIELDS, {"steps": steps, "voice": shaped(VOICE_FIELDS, {})})
any_yaml = st.one_of(yaml_trees, routine_like, shaped_routines, shaped_routines).map(
    lambda tree: yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)
)
# Any text, including lone surrogates written out as invalid UTF-8 bytes.
any_text = st.one_of(st.text(max_size=300), st.binary(max_size=300))

GARBAGE = [
    "\t",
    ":",
    "- ",
    "&a ",
    "*a",
    "!!python/object/apply:os.system ['true']",
    "{",
    "]",
    "? ",
    "|",
    ">",
    "%YAML 1.1\n",
    "---\n",
    "\x00",
    "\ufeff",
    "\xff",
    "{{",
    "{rep",
    "'",
    '"',
    "#",
    "@",
    "`",
    "${HOME}",
    "\\",
    *YAML_ESCAPED,
]


@st.composite
def mutated_builtins(draw: st.DrawFn) -> str:
    """A built-in routine with 1-4 edits: lines deleted, duplicated or swapped, numbers changed,
    tabs or garbage inserted, the text truncated."""
    lines = builtin_text(draw(st.sampled_from(builtin_names()))).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        lines = _mutate(draw, lines)
    return "".join(lines)


def _mutate(draw: st.DrawFn, lines: list[str]) -> list[str]:
    if not lines:
        return lines
    i = draw(st.integers(0, len(lines) - 1))
    j = draw(st.integers(0, len(lines) - 1))
    how = draw(st.sampled_from(["delete", "duplicate", "swap", "number", "insert", "truncate"]))
    if how == "delete":
        return lines[:i] + lines[i + 1 :]
    if how == "duplicate":
        return lines[: i + 1] + [lines[i]] + lines[i + 1 :]
    if how == "swap":
        lines[i], lines[j] = lines[j], lines[i]
        return lines
    if how == "number":
        number = draw(
            st.sampled_from(
                [
                    "0",
                    "-1",
                    "1000000000",
                    "1e400",
                    "nan",
                    "0.5",
                    "10**9",
                    "999999999999999999999",
                    "3s",
                    "",
                    "9" * 320,
                    "9" * 400 + "s",
                    "1" + "0" * 4_300,
                ]
            )
        )
        return lines[:i] + [re.sub(r"\d+", number, lines[i], count=1)] + lines[i + 1 :]
    at = draw(st.integers(0, len(lines[i])))
    if how == "insert":
        garbage = draw(st.one_of(st.sampled_from(GARBAGE), st.text(max_size=8)))
        return lines[:i] + [lines[i][:at] + garbage + lines[i][at:]] + lines[i + 1 :]
    return lines[:i] + [lines[i][:at]]  # truncate


@st.composite
def hostile_builtins(draw: st.DrawFn) -> str:
    """A built-in routine with 1-3 values replaced by hostile ones, written as JSON strings
    (valid YAML: "\\u001b" in them becomes the escape character itself)."""
    lines = builtin_text(draw(st.sampled_from(builtin_names()))).splitlines(keepends=True)
    candidates = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?[a-z_]+: \S", line)]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.sampled_from(candidates))
        key = lines[i].split(":", 1)[0]
        lines[i] = f"{key}: {json.dumps(draw(hostile_values))}\n"
    return "".join(lines)


STRATEGIES: dict[str, st.SearchStrategy] = {
    "text": any_text,
    "yaml": any_yaml,
    "mutated": mutated_builtins(),
    "hostile": hostile_builtins(),
}
# Values of duration options on the command line.
OPTION_STRATEGIES: dict[str, st.SearchStrategy] = {
    "duration": st.one_of(durations_any_length, st.text(max_size=40), st.sampled_from(DURATIONS)),
}
