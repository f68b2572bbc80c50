"""The code keeps the project's rules: ruff clean, including the banned imports that keep pyttsx3
in its adapter and simpleaudio in the player."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_ruff_is_clean() -> None:
    proc = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise",
                           "voice_coach", "tests", "scripts"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_engines_are_imported_only_at_the_edges() -> None:
    for path in (REPO / "voice_coach").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name != "pyttsx3_engine.py":
            assert "import pyttsx3" not in text, path
        if path.name != "devices.py":
            assert "import simpleaudio" not in text, path


def test_dependencies_point_one_way() -> None:
    """import-linter's contracts in pyproject.toml: cli -> session -> stages -> timeline/errors,
    the library never imports the CLI, and the routine format and composer import no numpy."""
    lint_imports = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def test_files_stay_near_400_lines() -> None:
    long = {str(p.relative_to(REPO)): n for p in (REPO / "voice_coach").rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 420}
    assert not long, f"split these by what they do: {long}"


def test_tests_use_no_private_names() -> None:
    """Tests go through the public names (a module's _private ones may change freely)."""
    import ast

    found = []
    for path in sorted((REPO / "tests").rglob("*.py")) + sorted((REPO / "scripts").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ours = set()  # names bound to voice_coach modules and objects in this file
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("voice_coach"):
                found += [f"{path.relative_to(REPO)}: {a.name}" for a in node.names
                          if a.name.startswith("_")]
                ours |= {a.asname or a.name for a in node.names}
            elif isinstance(node, ast.Import):
                ours |= {(a.asname or a.name).split(".")[0] for a in node.names
                         if a.name.startswith("voice_coach")}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                    and not node.attr.startswith("__") and isinstance(node.value, ast.Name) \
                    and node.value.id in ours:
                found.append(f"{path.relative_to(REPO)}: {ast.unparse(node)}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and node.value.startswith("_") and not node.value.startswith("__") \
                    and node.value[1:].isidentifier():
                found.append(f"{path.relative_to(REPO)}: {node.value!r}")
    assert not found, found


FRONT_ENDS = ("cli", "practice", "serve")  # above the session: they may speak in options


def test_the_library_names_no_command_line_option() -> None:
    """Only the front ends word errors with --options; the library's hints name arguments and
    Limits fields (cli.app.CLI_WORDS turns them into options). Shell commands to run are fine."""
    import ast
    import re

    option = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
    allowed = ("apt-get", "espeak-ng --", "voice-coach new", "voice-coach voices")
    found = []
    for path in (REPO / "voice_coach").rglob("*.py"):
        rel = path.relative_to(REPO / "voice_coach")
        if rel.parts[0] in FRONT_ENDS:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                      and isinstance(n.body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docstrings and option.search(node.value) \
                    and not any(a in node.value for a in allowed):
                found.append(f"{rel}:{node.lineno}: {node.value!r}")
    assert not found, found
