"""The CLI's way in: voice_coach's public API and one facade per area (voice_coach.practice,
voice_coach.serve, voice_coach.speech.voices). Each facade names every public name with the
module behind it, loads nothing until a name is used, and shows type checkers the same names."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FACADES = ["voice_coach", "voice_coach.practice", "voice_coach.serve", "voice_coach.speech.voices"]
HEAVY = ("numpy", "matplotlib", "starlette", "uvicorn", "feedgen", "segno", "yaml", "babel",
         "pydub", "rich")


def _type_checking_names(module_name: str) -> dict[str, str]:
    """name -> "module:attr" as the facade's `if TYPE_CHECKING:` block imports it."""
    path = Path(importlib.import_module(module_name).__file__)
    found: dict[str, str] = {}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom), ast.dump(imp)
                for alias in imp.names:
                    found[alias.asname or alias.name] = f"{imp.module}:{alias.name}"
    return found


@pytest.mark.parametrize("module_name", FACADES)
def test_every_name_resolves_and_is_listed(module_name: str) -> None:
    facade = importlib.import_module(module_name)
    table = facade._EXPORTS
    assert set(table) <= set(facade.__all__)
    for name in facade.__all__:
        value = getattr(facade, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert inspect.getdoc(value), f"{module_name}.{name} has no docstring"
    with pytest.raises(AttributeError, match="has no attribute 'nothing_here'"):
        facade.nothing_here  # noqa: B018


@pytest.mark.parametrize("module_name", FACADES)
def test_type_checkers_see_the_same_names(module_name: str) -> None:
    """The `if TYPE_CHECKING:` imports are the table, name for name (import-linter reads them)."""
    table = importlib.import_module(module_name)._EXPORTS
    seen = _type_checking_names(module_name)
    for name, target in table.items():
        module, _, attr = target.partition(":")
        if name == "defaults":  # a module of plain values, imported as the module
            assert seen[name] == "voice_coach.basics:defaults"
            continue
        assert seen.get(name) == f"{module}:{attr or name}", name
    assert set(seen) == set(table)


def test_a_facade_name_reads_the_module_each_time() -> None:
    """Without a cache in the facade, a monkeypatched module attribute is what the CLI gets."""
    import voice_coach.speech.piper as piper
    import voice_coach.speech.voices as voices

    original = piper.available
    try:
        piper.available = lambda: "patched"
        assert voices.piper_available() == "patched"
    finally:
        piper.available = original
    assert voices.piper_available is original


def test_importing_the_cli_and_the_facades_loads_nothing_heavy() -> None:
    """(voices is left out: the speech package itself loads numpy, and the CLI imports the
    voices facade only inside the commands that speak.)"""
    code = ("import sys, voice_coach.cli, voice_coach.practice, voice_coach.serve; "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


def test_the_cli_imports_only_the_public_api_and_the_facades() -> None:
    """What the import-linter contract enforces, read from the source: the voice_coach modules
    cli/ imports are these four and its own."""
    imported = set()
    for path in sorted((ROOT / "voice_coach" / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("voice_coach"):
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported |= {a.name for a in node.names if a.name.startswith("voice_coach")}
    outside = {m for m in imported if not m.startswith("voice_coach.cli")}
    assert outside == set(FACADES)
