"""Crowded moments: when the announcements at a repetition's start and the phase's own words do
not fit before the next cue, what is left out, in a fixed order, and the notes that say so.
Pure: works on the composer's builder (its words, speech_ms, shorter texts and notes).
"""

from __future__ import annotations

from voice_coach.basics.errors import Diagnostic
from voice_coach.routine import Exercise, Pos, Routine
from voice_coach.routine.timing import phase_offset_ms

# What a crowded cue leaves out first, from the second repetition on and in the first one.
ROOM_ORDER = {True: ("phase", "remind", "special", "count"),
              False: ("remind", "special", "count")}
LEFT_OUT = {"phase": "the phase words left out", "remind": "the reminder left out",
            "special": "the announcement left out", "count": "the repetition number left out"}


def room_until(ex: Exercise, t: int, rep: int, k: int, faded: bool) -> int:
    """In pump style, where the metronome's beats are not cues: when the next cue may come (the
    next phase that speaks, else the next repetition's start)."""
    for j in range(k + 1, len(ex.phases)):
        if ex.phases[j].say is not None and not faded:
            return t + phase_offset_ms(ex, rep, j)
    return t + phase_offset_ms(ex, rep + 1, 0)


def make_room(builder, parts: list[tuple[str, Pos, str]], said: str | None,
              said_pos: Pos | None, rep: int, at_ms: int, limit_ms: int
              ) -> tuple[str, Pos | None]:
    """The text of a phase's cue and where it comes from, made to fit before limit_ms when
    announcements crowd it. Left out in this order until it fits (docs/routine-files.md,
    "Crowded moments"): from the second repetition on, the phase's own words (its tone still
    marks it, and they were heard already), then the reminder, then "Halfway."/"Last ...",
    then the number; in the first repetition the same but the phase's words, which stay. A text
    that still does not fit is said whole, and is a fit error."""
    items = list(parts) + ([(said, said_pos, "phase")] if said else [])
    if not items:
        return "", None
    pos = items[0][1]
    full = builder.words.join([text for text, _, _ in items])
    if not parts:
        return full, pos
    candidates: list[tuple[str, str]] = []
    left = items
    for kind in ROOM_ORDER[rep > 1]:
        fewer = [item for item in left if item[2] != kind]
        if len(fewer) < len(left) and (fewer or rep > 1 or not said):
            left = fewer
            candidates.append((builder.words.join([text for text, _, _ in left]), LEFT_OUT[kind]))
    builder.shorter.extend(text for text, _ in candidates if text)
    if at_ms + builder.speech_ms(full) + builder.fit_margin_ms <= limit_ms:
        return full, pos
    whys: list[str] = []
    for text, why in candidates:
        whys.append(why)
        if not text or at_ms + builder.speech_ms(text) + builder.fit_margin_ms <= limit_ms:
            note = builder.notes.setdefault((pos, ", ".join(whys)), [full, text, 0])
            note[2] += 1
            return text, pos
    return full, pos


def notes_of(builder, routine: Routine) -> tuple[Diagnostic, ...]:
    out = []
    for (pos, why), (full, text, times) in builder.notes.items():
        pos = pos or Pos(routine.path, 0, 0)
        more = f" ({times} times)" if times > 1 else ""
        out.append(Diagnostic(
            pos.path or routine.path, pos.line, pos.col,
            f'"{full}" does not fit its moment: '
            + (f'said as "{text}", {why}{more}' if text else f"nothing said, {why}{more}"),
            "shorten the texts, speak faster (voice: rate), or lengthen the phase, to hear "
            "them all", severity="note"))
    return tuple(out)
