"""Upper bounds on a routine, checked before any synthesis or memory is spent."""

from __future__ import annotations

from dataclasses import dataclass

from voice_coach.basics import defaults


@dataclass(frozen=True)
class Limits:
    """Upper bounds on a routine; larger ones (the CLI's --max-* options) are for people who mean
    it. Errors about a limit name its field in their hint ("raise it with Limits.max_reps")."""

    max_file_bytes: int = 1_000_000
    max_yaml_nodes: int = 20_000
    max_depth: int = 32
    max_text_chars: int = 1_000
    max_reps: int = defaults.MAX_REPS
    max_sets: int = defaults.MAX_SETS
    max_cycles: int = 1_000
    max_steps: int = 200
    max_total_ms: int = defaults.MAX_MINUTES * 60_000
    max_events: int = 200_000


DEFAULT_LIMITS = Limits()
