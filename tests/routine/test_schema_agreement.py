"""The JSON Schema and the parser agree: a generated routine document is accepted by the program
exactly when a JavaScript-compatible validator (draft 2020-12, ECMA-262 patterns) accepts it
against `voice-coach schema` (halfway: true, title: '' and their kin included)."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from voice_coach.basics.errors import SpecError
from voice_coach.routine import STEP_KINDS, Field, parse_routine
from voice_coach.routine.fields import ROUTINE_FIELDS

from .test_schema import EcmaValidator, json_schema

WORDS = st.sampled_from(["Toes up.", "Hold", "Breathe out", "Rest now", "Ankle pumps", "  ",
                         "2024", "yes", "No", "true"])


def value_for(spec: Field) -> st.SearchStrategy[Any]:
    """Values a person might write for a field: good ones and the usual mistakes."""
    odd = st.sampled_from([True, False, None, "", 0, -1, 2.5])
    kind = spec.kind
    if kind in ("text", "name"):
        good: st.SearchStrategy[Any] = WORDS
    elif kind == "int":
        low = int(spec.low if spec.low is not None else 0)
        good = st.integers(low, low + 4)
    elif kind == "number":
        low, high = spec.low if spec.low is not None else -1.0, spec.high or 1.0
        good = st.floats(low, high, allow_nan=False)
    elif kind == "bool":
        good = st.booleans()
    elif kind == "duration":
        good = st.sampled_from(["3s", "500ms", "1.5s", "4s", "0s", "3", "-1s", "1m"])
    elif kind.startswith("enum:"):
        good = st.sampled_from([*kind[5:].split("|"), "bogus"])
    else:
        raise AssertionError(kind)
    return st.one_of(good, good, odd)


SCALAR_KINDS = ("text", "name", "int", "number", "bool", "duration")


def fields_of(fields: dict[str, Field], required: dict[str, Any]) -> st.SearchStrategy[dict]:
    optional = {key: value_for(spec) for key, spec in fields.items()
                if key not in required and (spec.kind in SCALAR_KINDS
                                            or spec.kind.startswith("enum:"))}
    return st.fixed_dictionaries({k: st.just(v) for k, v in required.items()}, optional=optional)


steps = st.one_of(
    fields_of(STEP_KINDS["exercise"], {"exercise": "Ankle pumps"}),
    fields_of(STEP_KINDS["breathe"], {"breathe": "Slow breaths"}),
    fields_of(STEP_KINDS["pause"], {"pause": "5s"}),
    fields_of(STEP_KINDS["say"], {"say": "Well done."}),
)
top = {k: v for k, v in ROUTINE_FIELDS.items() if k not in ("language", "loudness")}
documents = st.builds(lambda head, body: {**head, "steps": body},
                      fields_of(top, {}), st.lists(steps, min_size=1, max_size=2))
titles = st.one_of(st.just("Ankle pumps"), value_for(ROUTINE_FIELDS["title"]))


def program_accepts(document: dict) -> tuple[bool, str]:
    try:
        parse_routine(yaml.safe_dump(document, sort_keys=False), "gen.yaml")
    except SpecError as exc:
        return False, exc.format()
    return True, ""


def schema_accepts(document: dict) -> tuple[bool, str]:
    errors = list(EcmaValidator(json_schema()).iter_errors(document))
    return not errors, "; ".join(e.message for e in errors[:3])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents, title=titles)
@example(document={"steps": [{"exercise": "A", "halfway": True}]}, title="T")
@example(document={"steps": [{"exercise": "A"}]}, title="")
@example(document={"steps": [{"exercise": "A"}]}, title=None)
@example(document={"steps": [{"say": "A", "gap": "3"}]}, title="T")
@example(document={"steps": [{"breathe": "B", "inhale": "0s"}]}, title="T")
@example(document={"steps": [{"breathe": "B", "exhale": "0m 0.0s"}]}, title="T")
def test_schema_and_parser_agree_on_generated_documents(document: dict, title: Any) -> None:
    document = {"title": title, **document}
    program, why_program = program_accepts(document)
    schema, why_schema = schema_accepts(document)
    assert program == schema, (yaml.safe_dump(document, sort_keys=False), why_program,
                               why_schema)
