"""Golden timelines: the readable plan of each built-in and test routine, composed with the fake
speech engine (deterministic everywhere). `scripts/update-golden` rewrites them."""

from __future__ import annotations

import sys
from pathlib import Path

from voice_coach.plan.compose import compose
from voice_coach.routine import builtin_names, load_routine
from voice_coach.speech.fake import fake_duration_ms
from voice_coach.timeline import to_text

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"


def sources() -> dict[str, str]:
    """Golden file name → routine (built-in name or test routine path)."""
    out = {name: name for name in builtin_names()}
    for path in sorted((HERE / "routines").glob("*.yaml")):
        out[f"test-{path.stem}"] = str(path)
    return out


def plan_text(routine_ref: str) -> str:
    routine = load_routine(routine_ref)
    timeline = compose(routine, lambda t: fake_duration_ms(t, routine.voice.rate_wpm))
    return to_text(timeline)


def main(argv: list[str]) -> int:
    GOLDEN.mkdir(exist_ok=True)
    for name, ref in sources().items():
        target = GOLDEN / f"{name}.txt"
        text = plan_text(ref)
        if "--write" in argv:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
