"""The eight changes that once went unnoticed (five in the core, two in serve, a wrong language
fallback) each make a test fail (scripts/known-mutants applies each to a copy of the package and
runs the tests meant for it); the serve and language ones are killed by the tests in the folder
of the code they change."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_each_known_mutant_is_killed() -> None:
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "known_mutants.py")],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("killed") == 8, proc.stdout


def test_serve_and_language_mutants_are_killed_in_their_own_test_folder() -> None:
    mutants = runpy.run_path(str(REPO / "scripts" / "known_mutants.py"))["MUTANTS"]
    folders = {file.split("/")[1]: tests[0] for _, file, _, _, tests in mutants
               if file.split("/")[1] in ("serve", "lang")}
    assert folders == {"serve": "tests/serve/", "lang": "tests/lang/"}
    assert sum(file.split("/")[1] in ("serve", "lang") for _, file, *_ in mutants) == 3
