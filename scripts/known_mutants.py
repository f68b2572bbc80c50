"""The changes that once went unnoticed (issue 9: five in the core; issue 17: two in serve;
issue 21: a wrong language fallback), each applied alone to a copy of the package: the tests
named for it must fail. The serve and language ones name the test folder of the code they
change (tests/serve/, tests/lang/). A test file named by a path that has moved is found by its
name anywhere under tests/. Prints one line per change; exit 1 if any change survives.

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
     ["tests/serve/", "-k", "sibling"]),
    ("page titles not HTML-escaped", "voice_coach/serve/page.py",
     "    title = escape(r.title)", "    title = r.title",
     ["tests/serve/", "-k", "escaped or hostile_title"]),
    ("a region tag falls back to English (de-AT -> en, not de)", "voice_coach/lang/languages.py",
     "            return parts[0]\n",
     "            return parts[0] if len(parts) == 1 else DEFAULT_LANGUAGE\n",
     ["tests/lang/", "-k", "falls_back or german_to_the_millisecond"]),
]


def run(what: str, file: str, before: str, after: str, tests: list[str]) -> bool:
    """True when the tests fail on the mutant (it is killed); with before == after, the
    unchanged copy (the control: its tests must pass)."""
    with tempfile.TemporaryDirectory(prefix="voice-coach-mutant-") as tmp:
        copy = Path(tmp)
        for name in ("voice_coach", "tests", "scripts", "audio"):
            shutil.copytree(REPO / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(REPO / "docs", copy / "docs")
        for name in ("pyproject.toml", "README.md"):  # some tests read the docs' examples
            shutil.copy(REPO / name, copy / name)
        if before != after:
            target = source(file, before, copy)
            text = target.read_text(encoding="utf-8")
            target.write_text(text.replace(before, after), encoding="utf-8")
        tests = [locate(arg, copy) for arg in tests]
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                               *tests], cwd=copy, capture_output=True, text=True,
                              env={**__import__("os").environ, "PYTHONPATH": str(copy)})
        return proc.returncode == 1


def source(file: str, before: str, root: Path) -> Path:
    """The module to change: `file`, or, when it has moved, the one module of the package that
    holds the text to change exactly once."""
    candidates = [root / file] if (root / file).exists() else sorted(
        (root / "voice_coach").rglob("*.py"))
    found = [p for p in candidates if p.read_text(encoding="utf-8").count(before) == 1]
    if len(found) != 1:
        raise SystemExit(f"{file}: the text to change is not there once: {before!r}")
    return found[0]


def locate(arg: str, root: Path) -> str:
    """A test path as it is under root; a test file that moved (tests/test_x.py ->
    tests/area/test_x.py) by its name, when exactly one file under tests/ has it."""
    if not arg.startswith("tests/") or (root / arg).exists():
        return arg
    found = sorted((root / "tests").rglob(Path(arg).name))
    if len(found) != 1:
        raise SystemExit(f"{arg}: not found, and {len(found)} files under tests/ have its name")
    return str(found[0].relative_to(root))


def main() -> int:
    tests = [arg for *_, t in MUTANTS for arg in t if arg != "-k"]
    files = sorted({t for t in tests if t.startswith("tests/")})
    selection = " or ".join(t for t in tests if not t.startswith("tests/"))
    if run("control", "", "", "", [*files, "-k", selection]):
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
