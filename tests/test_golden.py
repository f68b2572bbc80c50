"""The plans of the built-in and test routines match their reviewed golden text."""

import pytest

from tests.golden_timelines import GOLDEN, plan_text, sources


@pytest.mark.parametrize("name", sorted(sources()))
def test_plan_matches_golden(name: str) -> None:
    expected = (GOLDEN / f"{name}.txt").read_text(encoding="utf-8")
    assert plan_text(sources()[name]) == expected, (
        f"plan of {name} changed: run scripts/update-golden and review the diff"
    )


def test_every_golden_file_has_a_source() -> None:
    names = {p.stem for p in GOLDEN.glob("*.txt")}
    assert names == set(sources())
