"""Command-line option values turned into library values, with errors that name the option.

Only the CLI knows option names; the library below it takes milliseconds, frames and plans.
"""

from __future__ import annotations

from voice_coach import (
    DURATION_HINT,
    RemindPlan,
    Timeline,
    UsageError,
    counted,
    format_duration_ms,
    format_length_ms,
    ms_to_frames,
    parse_duration_ms,
    shown_text,
)

REMIND_DURATION_HINT = 'durations look like "45m", "1h" or "1h30m"'


def parse_start_at(text: str) -> int:
    """--start-at text → milliseconds; UsageError (exit 2) with the duration hint if malformed."""
    try:
        return parse_duration_ms(text)
    except ValueError as exc:
        raise UsageError(f"--start-at must be a duration, got {shown_text(text)}: it {exc}",
                         DURATION_HINT) from None


def start_frame(timeline: Timeline, start_at_ms: int | None = None,
                from_set: int | None = None) -> int:
    """The session frame to start from: --start-at, or the first frame of set `from_set`.

    Raises UsageError when both are given, the time is past the end, or there is no such set.
    """
    if start_at_ms is not None and from_set is not None:
        raise UsageError("use --start-at or --from-set, not both")
    if from_set is not None:
        sets = [c for c in timeline.chapters if c.kind == "set"]
        if not 1 <= from_set <= len(sets):
            raise UsageError(f"--from-set {from_set}: this routine has "
                             + counted(len(sets), "{n} set", "{n} sets"),
                             f"choose a set from 1 to {len(sets)}" if sets else "")
        return ms_to_frames(sets[from_set - 1].start_ms, timeline.sample_rate)
    start_ms = start_at_ms or 0
    if start_ms >= timeline.duration_ms:
        raise UsageError(f"--start-at {format_duration_ms(start_ms)} is past the end of the "
                         f"session ({format_length_ms(timeline.duration_ms)})")
    return ms_to_frames(start_ms, timeline.sample_rate)


def silent_timeline(routine):
    """The routine composed with silent speech: its sets, and a floor on its length, known
    before any speech is made (so options are checked first)."""
    from voice_coach import compose

    return compose(routine, lambda text: 0)


def render_hint(routine: str, language: str | None = None, every: str | None = None,
                for_: str | None = None, times: int | None = None) -> str:
    """What to run instead where nothing can be played: the same session rendered to a file,
    with the options that shape it (--language, a reminder's --every and --for)."""
    import shlex

    words = ["voice-coach", "render", shlex.quote(routine)]
    if language:
        words += ["--language", shlex.quote(language)]
    if every is not None:
        words += ["--every", shlex.quote(every)]
        if for_ is not None:
            words += ["--for", shlex.quote(for_)]
        elif times is not None:
            every_ms = parse_duration_ms(every)
            words += ["--for", format_duration_ms(every_ms * times)]
    return "render it to a file instead: " + " ".join([*words, "-o", "session.mp3"])


def remind_plan(every: str, for_: str | None, times: int | None, session_ms: int) -> RemindPlan:
    """Validates remind's options; UsageError (exit 2) with a hint for each kind of mistake."""
    if for_ is not None and times is not None:
        raise UsageError("use --for or --times, not both")
    if times is not None and times < 1:
        raise UsageError(f"--times must be at least 1, got {times}")
    every_ms = positive_duration_ms("--every", every)
    for_ms = positive_duration_ms("--for", for_) if for_ is not None else None
    if every_ms < session_ms:
        raise UsageError(f"--every {every} is shorter than the session itself "
                         f"({format_length_ms(session_ms)})",
                         "choose a longer --every, or a shorter routine")
    return RemindPlan(every_ms, for_ms, times)


def positive_duration_ms(option: str, text: str) -> int:
    """A duration option that must be longer than zero, in ms."""
    try:
        ms = parse_duration_ms(text)
    except ValueError as exc:
        raise UsageError(f"{option} must be a duration, got {shown_text(text)}: it {exc}",
                         REMIND_DURATION_HINT) from None
    if ms <= 0:
        raise UsageError(f"{option} must be longer than zero, got {shown_text(text)}")
    return ms
