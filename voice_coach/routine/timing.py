"""How a routine's steps lay out in time, in whole milliseconds: where each repetition and phase
of an exercise starts, which seconds of a hold are counted, what a set's lead-in holds, how a
breath divides. The composer (plan/compose.py) places its events by these rules, and the early
limit checks bound a session by the same rules without composing it: one cost model, not two.

Pure arithmetic on the validated model.
"""

from __future__ import annotations

from voice_coach.routine.model import Breathe, Exercise, Pause, Routine

COUNTDOWN_BEATS = 3  # the 3-2-1 before each set
BEAT_MS = 1000  # one beat of the countdown, and one counted second of a hold
# A set's own events besides its repetitions: the chime, the spoken introduction, the countdown
# beats (spoken or ticked) and the rest announcement.
SET_EVENTS = 1 + 1 + COUNTDOWN_BEATS + 1
PHASE_EVENTS = 2  # each phase of a repetition: its tone and its cue (counts come on top)
BREATH_PART_EVENTS = 2  # each part of a breath: its tone and its cue


def phase_offset_ms(ex: Exercise, rep: int, k: int) -> int:
    """Start of phase k (0-based) of repetition rep (1-based), from the first repetition's start.

    Exact for any cadence: pump beats sit at k * 60000 // (cadence * phases), never a running sum.
    phase_offset_ms(ex, reps + 1, 0) is the length of all the repetitions.
    """
    if ex.style == "pump":
        beats = len(ex.phases)
        beat = (rep - 1) * beats + k
        return beat * 60_000 // (ex.cadence_per_min * beats)
    rep_ms = sum(p.hold_ms for p in ex.phases)
    return (rep - 1) * rep_ms + sum(p.hold_ms for p in ex.phases[:k])


def counted_seconds(phase_ms: int) -> range:
    """The whole seconds counted (aloud or ticked) inside a phase phase_ms long: 1, 2, ... each
    at least a beat before the phase ends."""
    return range(1, (phase_ms - 1) // BEAT_MS + 1)


def longest_phase_ms(ex: Exercise, k: int) -> int:
    """The longest phase k ever lasts (pump phases differ by a millisecond from beat to beat)."""
    if ex.style == "pump":
        return -(-60_000 // (ex.cadence_per_min * len(ex.phases)))
    return ex.phases[k].hold_ms


def breath_parts_ms(step: Breathe) -> tuple[int, int, int, int]:
    """A breath's parts in order: inhale, hold, exhale, hold after (0: the part is left out)."""
    return (step.inhale_ms, step.hold_ms, step.exhale_ms, step.hold_out_ms)


def minimum_length_ms(routine: Routine) -> int:
    """A floor on the session's length from its timed parts alone (no speech), so absurd routines
    are refused before anything is composed or synthesised."""
    total = 0
    for step in routine.steps:
        if isinstance(step, Exercise):
            sets_ms = step.sets * phase_offset_ms(step, step.reps + 1, 0)
            total += sets_ms + (step.sets - 1) * step.rest_ms
        elif isinstance(step, Breathe):
            total += step.cycles * sum(breath_parts_ms(step))
        elif isinstance(step, Pause):
            total += step.duration_ms
    return total


def maximum_events(routine: Routine) -> int:
    """A ceiling on the cues and tones the composer places, without composing, so routines that
    would fill memory with events are refused first."""
    total = (routine.intro is not None) + (routine.outro is not None)
    for step in routine.steps:
        if isinstance(step, Exercise):
            rep_events = sum(PHASE_EVENTS + _max_counts(step, k) for k in range(len(step.phases)))
            total += step.sets * (SET_EVENTS + step.reps * rep_events)
        elif isinstance(step, Breathe):
            total += step.cycles * BREATH_PART_EVENTS * len(breath_parts_ms(step))
        else:
            total += 1
    return total


def _max_counts(ex: Exercise, k: int) -> int:
    if ex.phases[k].count == "none":
        return 0
    return len(counted_seconds(longest_phase_ms(ex, k)))
