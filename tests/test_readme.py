"""Every command in the README and in docs/*.md is run here, and its shown output is what it
prints; every routine they show passes `check`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")
DOCS = {path.relative_to(REPO).as_posix(): path.read_text(encoding="utf-8")
        for path in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]}
WITH_COMMANDS = [name for name, text in DOCS.items() if "```console\n" in text]
BIN = Path(sys.executable).parent


# A console block that records sessions is one story: each of its commands runs after the ones
# before it in the block, in a history of its own, at a fixed "now" ($VOICE_COACH_NOW).
STATEFUL = "voice-coach done "
NOW = {"VOICE_COACH_NOW": "2026-12-01 21:40", "TZ": "Europe/Berlin"}


def console_examples(text: str = README) -> list[tuple[str, list[str], list[str]]]:
    """(command, expected output lines, commands to run first) for each `$ ` line in the
    console blocks of a document (the README's by default)."""
    examples: list[tuple[str, list[str], list[str]]] = []
    for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
        before: list[str] = []
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *output = chunk.rstrip("\n").split("\n")
            examples.append((command, output, list(before) if STATEFUL in block else []))
            before.append(command)
    return examples


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Line by line; a line '...' ends the comparison, a line ending in '..."' is a prefix."""
    for i, want in enumerate(expected):
        if want == "...":
            return True
        if i >= len(actual):
            return False
        if want.endswith('..."'):
            if not actual[i].startswith(want[:-4]):
                return False
        elif actual[i] != want:
            return False
    return len(actual) == len(expected)


@pytest.mark.parametrize("document", WITH_COMMANDS)
def test_readme_runs_top_to_bottom(tmp_path: Path, document: str) -> None:
    """Every `$ ` command of a document's console blocks (the README's, then each docs/*.md's),
    in order, in one fresh folder with a fresh speech cache, history and config, as a new user
    copying them would: each prints what the document shows."""
    # The README's examples name files in tests/: a copy of them is there.
    for folder in ("routines", "bad-routines", "configs"):
        shutil.copytree(REPO / "tests" / folder, tmp_path / "tests" / folder)
    # A fresh speech cache, as a new user's first run (each phrase is made from a fresh engine
    # state, so a warm cache gives the same lengths). A fresh history and no config file, too.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "VOICE_COACH_CACHE_DIR": str(tmp_path / "speech-cache"),
           "VOICE_COACH_DATA_DIR": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), **NOW}
    env.pop("VOICE_COACH_CONFIG", None)
    examples = console_examples(DOCS[document])
    assert len(examples) >= (8 if document == "README.md" else 1)
    mismatches = []
    for command, expected, _ in examples:
        proc = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=600)
        actual = (proc.stdout + proc.stderr).splitlines()
        if not _matches(expected, actual):
            mismatches.append("\n".join([f"$ {command}", "README shows:", *expected, "got:",
                                         *actual]))
    assert not mismatches, "\n\n".join(mismatches)


@pytest.mark.parametrize("how", ["file", "stdin", "-c"])
def test_readme_python_example(tmp_path: Path, how: str) -> None:
    """The Python section runs as a plain script would (no `if __name__ == "__main__"`): saved
    as a file, piped to `python -`, and with `python -c`, each with an empty speech cache (so
    the speech is made in worker processes, which must not import the script again); it uses
    only the public API (`import voice_coach`)."""
    code = re.search(r"```python\n(.*?)```", README, flags=re.S).group(1)
    imports = re.findall(r"^\s*(?:import|from)\s+(\S+)", code, flags=re.M)
    assert imports == ["voice_coach"], imports
    env = {**os.environ, "VOICE_COACH_CACHE_DIR": str(tmp_path / "speech-cache")}
    script = tmp_path / "script.py"
    script.write_text(code, encoding="utf-8")
    args, stdin = {"file": ([str(script)], None), "stdin": (["-"], code),
                   "-c": (["-c", code], None)}[how]
    proc = subprocess.run([sys.executable, *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env=env, input=stdin)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert (tmp_path / "ankle.wav").stat().st_size > 1_000_000
    lines = proc.stdout.splitlines()
    assert lines[1] == "Ankle pumps, seated, every hour for 6 hours"
    assert lines[2] == ("mine.yaml:4:11: error: 'reps' must be from 1 to 1000, got 0")
    # The cache was empty: the phrases were made now, by more than one worker.
    assert len(list((tmp_path / "speech-cache").rglob("*.clip"))) >= 4


def test_readme_yaml_examples_are_valid_routines(tmp_path: Path) -> None:
    """Each routine in the README passes `check` with the real voice (every cue fits its slot),
    not only the parser."""
    blocks = [block for text in DOCS.values()
              for block in re.findall(r"```yaml\n(.*?)```", text, flags=re.S)]
    assert len(blocks) >= 3 and "```yaml\n" in README
    env = {**os.environ, "VOICE_COACH_CACHE_DIR": str(tmp_path / "speech-cache")}
    for k, block in enumerate(blocks):
        path = tmp_path / f"readme-{k}.yaml"
        path.write_text(block, encoding="utf-8")
        proc = subprocess.run([str(BIN / "voice-coach"), "check", str(path)], capture_output=True,
                              text=True, timeout=300, env=env)
        assert proc.returncode == 0, f"routine {k + 1} in the docs:\n{block}\n{proc.stderr}"
        assert proc.stdout.startswith(f"readme-{k}: ") and ": OK\n" in proc.stdout


def test_readme_names_every_builtin() -> None:
    from voice_coach.routine import builtin_names

    for name in builtin_names():
        assert name in README


def test_demo_script_renders_the_session(tmp_path: Path) -> None:
    """`./scripts/demo` from the README (its set-up part is already done on this machine)."""
    out = tmp_path / "demo.mp3"
    env = {**os.environ, "VOICE_COACH_BIN_DIR": str(tmp_path / "bin"),
           "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    proc = subprocess.run([str(REPO / "scripts" / "demo"), str(out)], capture_output=True,
                          text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr
    assert f"Wrote {out}:" in proc.stdout
    # Its last word says what to type next, and that command is on the PATH.
    assert proc.stderr.splitlines()[-1] == ("==> voice-coach is ready: run 'voice-coach play "
                                            "ankle-pumps' to follow it live, or 'voice-coach "
                                            "routines'")
    assert (tmp_path / "bin" / "voice-coach").is_symlink()
    assert out.stat().st_size > 100_000


def test_readme_is_a_short_user_document_linking_the_docs() -> None:
    """What people come for first (the two commands, the command on the PATH, the five recipes),
    internals in docs/ under names a developer finds, each linked from the README."""
    assert len(README.splitlines()) <= 400
    head = "\n".join(README.splitlines()[:20])
    assert "./scripts/demo" in head and "~/.local/bin" in head and "pipx install" in head
    recipes = README[README.index("## Recipes"):README.index("## Writing a routine")]
    for goal in ("An ankle MP3 for the phone", "A bedtime session", "A German session",
                 "Hourly reminders on a flight", "Sessions on the phone over Wi-Fi"):
        assert f"### {goal}" in recipes, goal
    for topic in ("timing", "loudness", "reliability", "benchmark", "development",
                  "testing-playback", "history"):
        assert (REPO / "docs" / f"{topic}.md").is_file(), topic
    for name in DOCS:
        if name != "README.md":
            assert f"]({name})" in README, f"{name} is not linked from the README"
    for internal in ("ALSA", "PulseAudio", "mutmut", "drift"):
        assert internal not in README, internal
    # A term is explained where it first appears.
    first_lufs = README.index("LUFS")
    assert "LUFS** (loudness" in README[first_lufs:first_lufs + 1500]
