"""The seven changes that once went unnoticed (five in the core, two in serve) each make a test fail
(scripts/known-mutants applies each to a copy of the package and runs the tests meant for it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_each_known_mutant_is_killed() -> None:
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "known_mutants.py")],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("killed") == 7, proc.stdout
