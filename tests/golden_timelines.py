"""Golden timelines: the readable plan of each built-in and test routine (NAME.txt) and its full
JSON contract with every event's set, repetition, phase and layer (NAME.json), composed with the
fake speech engine (deterministic everywhere). `scripts/golden --write` rewrites them."""

from __future__ import annotations

import sys
from pathlib import Path

from voice_coach.plan.compose import compose
from voice_coach.plan.timeline import to_text
from voice_coach.routine import builtin_names, load_routine
from voice_coach.speech.fake import fake_duration_ms

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"


def sources() -> dict[str, str]:
    """Golden file name → routine (built-in name or test routine path)."""
    out = {name: name for name in builtin_names()}
    for path in sorted((HERE / "routines").glob("*.yaml")):
        out[f"test-{path.stem}"] = str(path)
    return out


def plan_text(routine_ref: str) -> str:
    return to_text(_timeline(routine_ref))


def plan_json(routine_ref: str) -> str:
    return _timeline(routine_ref).to_json_text()


def golden_files(routine_ref: str) -> dict[str, str]:
    """Suffix → the text its golden file must hold."""
    timeline = _timeline(routine_ref)
    return {".txt": to_text(timeline), ".json": timeline.to_json_text()}


def _timeline(routine_ref: str):
    routine = load_routine(routine_ref)
    return compose(routine, lambda t: fake_duration_ms(t, routine.voice.rate_wpm))


def main(argv: list[str]) -> int:
    """--write: rewrite every golden file. --check: compare every plan with its golden file,
    print a unified diff for each difference (and each missing or extra file), exit 1 if any.
    --golden-dir DIR: use DIR instead of tests/golden."""
    import difflib

    golden = Path(argv[argv.index("--golden-dir") + 1]) if "--golden-dir" in argv else GOLDEN
    if "--write" not in argv and "--check" not in argv:
        print("usage: scripts/golden --check | --write [--golden-dir DIR]", file=sys.stderr)
        return 2
    golden.mkdir(exist_ok=True)
    differences = 0
    for name, ref in sources().items():
        for suffix, text in golden_files(ref).items():
            target = golden / f"{name}{suffix}"
            if "--write" in argv:
                target.write_text(text, encoding="utf-8")
                print(f"wrote {target}")
                continue
            old = target.read_text(encoding="utf-8") if target.exists() else ""
            if old != text:
                differences += 1
                sys.stdout.writelines(difflib.unified_diff(
                    old.splitlines(keepends=True), text.splitlines(keepends=True),
                    f"{target} (golden)", f"{target} (composed now)"))
    if "--check" in argv:
        extra = sorted(p.name for p in golden.glob("*.*") if p.stem not in sources())
        for name in extra:
            print(f"{golden / name}: no routine makes this golden file")
        differences += len(extra)
        print(f"{len(sources())} golden timelines, {differences} differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
