"""The changes that once went unnoticed (issue 9: five in the core; issue 17: two in serve),
each applied alone to a copy of the package: the tests named for it must fail. Prints one
line per change; exit 1 if any change survives.

Usage: scripts/known-mutants
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# (what, file, text before, text after, the tests that must catch it)
MUTANTS = [
    ("default loudness -16 -> -16.8 LUFS", "voice_coach/basics/defaults.py",
     "LOUDNESS_LUFS = -16.0", "LOUDNESS_LUFS = -16.8",
     ["tests/output/test_phone_files.py", "-k", "minus_16_lufs"]),
    ("os.replace swapped for copy-then-unlink", "voice_coach/output/atomic.py",
     "        os.replace(tmp, target)\n",
     "        import shutil\n        shutil.copyfile(tmp, target)\n        os.unlink(tmp)\n",
     ["tests/output/test_export.py", "-k", "atomic"]),
    ("speech-fits check <= -> <", "voice_coach/plan/compose.py",
     "(FIT_MARGIN_MS if event.kind == \"speech\" else 0) <= after.event.start_ms",
     "(FIT_MARGIN_MS if event.kind == \"speech\" else 0) < after.event.start_ms",
     ["tests/plan/test_compose.py", "-k", "exactly_100_ms"]),
    ("tone level under speech 2 -> 6 LU", "voice_coach/sound/master.py",
     "SIGNAL_UNDER_SPEECH_LU = 2.0", "SIGNAL_UNDER_SPEECH_LU = 6.0",
     ["tests/sound/test_loudness.py", "-k", "mastered_speech_measures"]),
    ("minimum closing fade removed", "voice_coach/session/pipeline.py",
     "    return max(timeline.fade_out_ms, min(MIN_FADE_OUT_MS, tail_ms))",
     "    return timeline.fade_out_ms",
     ["tests/sound/test_background.py", "-k", "no_fade_out"]),
    ("serve containment by string prefix", "voice_coach/serve/files.py",
     "        if os.path.commonpath([real, root]) != str(root):",
     "        if not str(real).startswith(str(root)):",
     ["tests/serve/test_mutants.py", "-k", "sibling"]),
    ("page titles not HTML-escaped", "voice_coach/serve/page.py",
     "    title = escape(r.title)", "    title = r.title",
     ["tests/serve/test_mutants.py", "-k", "escaped"]),
]


def run(what: str, file: str, before: str, after: str, tests: list[str]) -> bool:
    """True when the tests fail on the mutant (it is killed); with before == after, the
    unchanged copy (the control: its tests must pass)."""
    with tempfile.TemporaryDirectory(prefix="voice-coach-mutant-") as tmp:
        copy = Path(tmp)
        for name in ("voice_coach", "tests", "audio"):
            shutil.copytree(REPO / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
        target = copy / file
        text = target.read_text(encoding="utf-8")
        if text.count(before) != 1 and before != after:
            raise SystemExit(f"{file}: the text to change is not there once: {before!r}")
        target.write_text(text.replace(before, after), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                               *tests], cwd=copy, capture_output=True, text=True,
                              env={**__import__("os").environ, "PYTHONPATH": str(copy)})
        return proc.returncode == 1


def main() -> int:
    tests = [arg for *_, t in MUTANTS for arg in t if arg != "-k"]
    files = sorted({t for t in tests if t.startswith("tests/")})
    selection = " or ".join(t for t in tests if not t.startswith("tests/"))
    if run("control", "voice_coach/basics/defaults.py", "", "", [*files, "-k", selection]):
        print("the unchanged code fails these tests: fix them first")
        return 1
    survived = 0
    for what, file, before, after, tests in MUTANTS:
        killed = run(what, file, before, after, tests)
        survived += not killed
        print(f"{'killed  ' if killed else 'SURVIVED'}  {what}  ({' '.join(tests)})", flush=True)
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
