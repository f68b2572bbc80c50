"""The composer: a validated Routine plus measured speech lengths in, an exact Timeline out.

Pure: no engines, no files, no clock. Every event is placed from an absolute integer start;
nothing is accumulated from float durations. Speech that does not fit its slot is an error here,
found when the session is built, not when it is heard. What the program itself says (numbers,
default cues, chapter titles) comes from the routine's language (voice_coach.lang).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from voice_coach.basics.errors import Diagnostic, SpecError
from voice_coach.lang import Words, words_for
from voice_coach.lang.counted import counted
from voice_coach.plan.room import make_room, notes_of, room_until
from voice_coach.plan.timeline import Chapter, Event, Timeline, format_clock_ms
from voice_coach.routine import Breathe, Exercise, Pause, Pos, Routine, Say, Text
from voice_coach.routine.fields import TONE_MS
from voice_coach.routine.timing import (
    BEAT_MS,
    COUNTDOWN_BEATS,
    breath_parts_ms,
    counted_seconds,
    phase_offset_ms,
)

TONE_GAP_MS = 80  # silence between a phase's tone and its spoken cue
FIT_MARGIN_MS = 100  # speech must end this long before the next cue starts
COUNT_GAP_MS = 150  # a counting tick is skipped when it would follow speech closer than this
HEADER_AFTER_MS = 600  # pause after a set's spoken introduction
REST_LEAD_MS = 300  # pause between a set's last phase and the rest announcement
# Every session ends with at least this much silence after its last sound, and the mix fades it
# out (session.closing_fade_ms): even a routine with fade_out: 0s never ends in a cut.
MIN_FADE_OUT_MS = 1000

@dataclass(frozen=True)
class _Placed:
    event: Event
    pos: Pos | None  # where a spoken cue came from, for fit errors
    gap_ms: int | None = None  # the silence a free-standing passage is given after it
    count: bool = False  # a number of `count: aloud`, which must not be crowded out


class _Builder:
    """Collects events and chapters; `speech_ms` measures a phrase (already synthesised)."""

    def __init__(self, routine: Routine, speech_ms: Callable[[str], int]) -> None:
        self.routine = routine
        self.words: Words = words_for(routine.language)
        self.speech_ms = speech_ms
        self.placed: list[_Placed] = []
        self.chapters: list[Chapter] = []
        self.shorter: list[str] = []  # texts a crowded cue may be shortened to (see _make_room)
        self.notes: dict[tuple, list] = {}  # (pos, left out) → [whole text, said, times]
        self.fit_margin_ms = FIT_MARGIN_MS
        self.cursor_ms = 0  # where the last step ended (silence may follow the last event)

    def say(self, start_ms: int, text: str, pos: Pos | None, *, layer: str = "cue",
            set_: int = 0, rep: int = 0, phase: str = "", count: bool = False) -> int:
        """Places speech at start_ms; returns its end (start_ms when there is nothing to say)."""
        if not text:
            return start_ms
        duration_ms = self.speech_ms(text)
        self.placed.append(_Placed(Event(start_ms, duration_ms, "speech", text=text, layer=layer,
                                         set=set_, rep=rep, phase=phase), pos, count=count))
        return start_ms + duration_ms

    def tone(self, start_ms: int, tone: str, *, layer: str = "cue", set_: int = 0, rep: int = 0,
             phase: str = "") -> int:
        if tone == "none":
            return start_ms
        duration_ms = TONE_MS[tone]
        self.placed.append(_Placed(Event(start_ms, duration_ms, "tone", tone=tone, layer=layer,
                                         set=set_, rep=rep, phase=phase), None))
        return start_ms + duration_ms

    def chapter(self, start_ms: int, title: str, kind: str) -> None:
        if self.chapters and self.chapters[-1].start_ms == start_ms:
            self.chapters[-1] = Chapter(start_ms, title, kind)
        else:
            self.chapters.append(Chapter(start_ms, title, kind))


def phrases(routine: Routine) -> list[str]:
    """Every phrase the routine may speak, in order of first use, each once.

    Composes with every phrase taken as silent, which places every possible count too, so the
    result is a superset of what the measured timeline will hold.
    """
    builder = _build(routine, lambda text: 0)
    seen: dict[str, None] = {}
    for placed in builder.placed:
        if placed.event.kind == "speech":
            seen.setdefault(placed.event.text)
    for text in builder.shorter:  # what a crowded cue may be said as instead
        seen.setdefault(text)
    return list(seen)


def compose(routine: Routine, speech_ms: Callable[[str], int]) -> Timeline:
    """The session's timeline, from the routine and each phrase's measured length in ms.

    Args:
        routine: a validated routine.
        speech_ms: length in ms of the trimmed clip of a phrase (every phrase from `phrases`).
    Raises:
        SpecError: a cue does not fit its slot, or two cues overlap; each names the cue, its
            measured length, its slot and what to change.
    """
    builder = _build(routine, speech_ms)
    placed = sorted(builder.placed, key=lambda p: (p.event.start_ms, p.event.layer != "cue"))
    problems = _dedupe(_fit_problems(placed, routine))
    if problems:
        raise SpecError(problems)
    end_ms = max((p.event.end_ms for p in placed), default=0)
    duration_ms = max(end_ms, builder.cursor_ms) + max(routine.fade_out_ms, MIN_FADE_OUT_MS)
    return Timeline(
        routine=routine.name, title=routine.title, duration_ms=duration_ms,
        events=tuple(p.event for p in placed), chapters=tuple(builder.chapters),
        fade_out_ms=routine.fade_out_ms, language=routine.language,
        extra={"notes": notes_of(builder, routine)} if builder.notes else {},
    )


def room_notes(timeline: Timeline) -> list[Diagnostic]:
    """What the composer changed to make room in crowded moments (see _make_room), as notes
    located at the exercise: "said as "Seven. Halfway." (the phase words left out)"."""
    return list(timeline.extra.get("notes", ()))


def _build(routine: Routine, speech_ms: Callable[[str], int]) -> _Builder:
    builder = _Builder(routine, speech_ms)
    t = 0
    exercises = [s for s in routine.steps if isinstance(s, Exercise)]
    if routine.intro is not None or (routine.steps and not isinstance(routine.steps[0], Exercise)):
        builder.chapter(0, builder.words.chapter_intro(), "intro")
    minutes = {"title": routine.title, "minutes": ""}
    if routine.intro is not None:
        t = _say_block(builder, t, routine.intro, minutes, routine.gap_ms)
    for step in routine.steps:
        if isinstance(step, Exercise):
            t = _exercise(builder, t, step, named=len(exercises) > 1)
        elif isinstance(step, Breathe):
            t = _breathe(builder, t, step)
        elif isinstance(step, Pause):
            builder.say(t, builder.words.fill(step.say, {"title": routine.title,
                                                         "seconds": step.duration_ms / 1000}),
                        step.say.pos if step.say else None)
            t += step.duration_ms
        elif isinstance(step, Say):
            gap_ms = step.gap_ms if step.gap_ms >= 0 else routine.gap_ms
            t = _say_block(builder, t, step.text, minutes, gap_ms)
    if routine.outro is not None:
        builder.chapter(t, builder.words.chapter_finish(), "outro")
        t = _say_block(builder, t, routine.outro, minutes, routine.gap_ms)
    builder.cursor_ms = t
    return builder


def _say_block(builder: _Builder, t: int, text: Text, values: dict, gap_ms: int) -> int:
    end = builder.say(t, builder.words.fill(text, values), text.pos)
    if end > t:
        builder.placed[-1] = _Placed(builder.placed[-1].event, text.pos, gap_ms=gap_ms)
    return end + gap_ms


def _exercise(builder: _Builder, t: int, ex: Exercise, named: bool) -> int:
    title = builder.routine.title
    words = builder.words
    for set_no in range(1, ex.sets + 1):
        builder.chapter(t, words.chapter_set(set_no, ex.sets, ex.name if named else ""), "set")
        values = {"set": set_no, "sets": ex.sets, "reps": ex.reps, "name": ex.name,
                  "title": title, "seconds": ex.rest_ms / 1000, "rest": ex.rest_ms / 1000,
                  "next": words.next_set(set_no + 1, ex.sets) if set_no < ex.sets else ""}
        t = _set_header(builder, t, ex, values, set_no)
        t = _reps(builder, t, ex, values, set_no)
        if set_no < ex.sets and ex.rest_ms > 0:
            builder.chapter(t, words.chapter_rest(), "rest")
            builder.say(t + REST_LEAD_MS, words.fill(ex.rest_say, values),
                        ex.rest_say.pos if ex.rest_say else None, set_=set_no, phase="rest")
            t += ex.rest_ms
    return t


def _set_header(builder: _Builder, t: int, ex: Exercise, values: dict, set_no: int) -> int:
    t = builder.tone(t, "chime", set_=set_no, phase="set") + TONE_GAP_MS
    texts = [builder.words.fill(ex.set_intro, values), builder.words.fill(ex.safety, values)]
    pos = (ex.set_intro or ex.safety or ex).pos
    end = builder.say(t, builder.words.join(texts), pos, set_=set_no, phase="set")
    t = end + HEADER_AFTER_MS
    if ex.get_ready == "none":
        return t
    for beat in range(COUNTDOWN_BEATS):
        start = t + beat * BEAT_MS
        if ex.get_ready == "spoken":
            builder.say(start, builder.words.countdown(COUNTDOWN_BEATS - beat), ex.pos,
                        set_=set_no, phase="get ready")
        else:
            builder.tone(start, "tick", set_=set_no, phase="get ready")
    return t + COUNTDOWN_BEATS * BEAT_MS


def _announcements(words: Words, ex: Exercise, values: dict, rep: int
                   ) -> list[tuple[str, Pos, str]]:
    """What is said at the start of repetition `rep`, besides the first phase's own cue:
    (text, where it comes from, kind: "count", "special" or "remind")."""
    out: list[tuple[str, Pos, str]] = []
    if ex.count_reps:
        out.append((words.counted(rep), ex.pos, "count"))
    special = False
    if ex.halfway is not None and ex.reps >= 4 and rep == ex.reps // 2 + 1:
        out.append((words.fill(ex.halfway, values), ex.halfway.pos, "special"))
        special = True
    if ex.last_reps and ex.last_say is not None and rep > ex.reps - ex.last_reps:
        out.append((words.fill(ex.last_say, values), ex.last_say.pos, "special"))
        special = True
    if (ex.remind_every and ex.remind is not None and not special and rep > 1
            and (rep - 1) % ex.remind_every == 0):
        out.append((words.fill(ex.remind, values), ex.remind.pos, "remind"))
    return [item for item in out if item[0]]


def _phase_start(ex: Exercise, t: int, rep: int, k: int) -> int:
    """Absolute start of phase k of repetition rep (1-based), exact for any cadence."""
    return t + phase_offset_ms(ex, rep, k)


def _reps(builder: _Builder, t: int, ex: Exercise, values: dict, set_no: int) -> int:
    pump = ex.style == "pump"
    for rep in range(1, ex.reps + 1):
        rep_values = {**values, "rep": rep, "left": ex.reps - rep + 1, "done": rep - 1}
        faded = ex.voice_fade > 0 and rep > ex.voice_fade
        for k, phase in enumerate(ex.phases):
            start = _phase_start(ex, t, rep, k)
            end = _phase_start(ex, t, rep, k + 1)
            name = builder.words.template(phase.say) if phase.say else f"phase {k + 1}"
            tags = {"set_": set_no, "rep": rep, "phase": name}
            rep_values["seconds"] = (end - start) / 1000
            tone_end = builder.tone(start, phase.tone, layer="metronome" if pump else "cue",
                                    **tags)
            speech_at = start if pump or phase.tone == "none" else tone_end + TONE_GAP_MS
            parts = _announcements(builder.words, ex, rep_values, rep) if k == 0 else []
            said = None
            if phase.say is not None and not faded:
                said = builder.words.fill(phase.say, rep_values)
            limit = room_until(ex, t, rep, k, faded) if pump else (
                start + BEAT_MS if phase.count == "aloud" and not faded else end)
            text, pos = make_room(builder, parts, said, phase.say.pos if phase.say else None,
                                   rep, speech_at, limit)
            spoken_end = builder.say(speech_at, text, pos, **tags)
            _counts(builder, start, end, spoken_end if text else start, phase.count, faded, tags,
                    phase.pos)
    return _phase_start(ex, t, ex.reps + 1, 0)


def _counts(builder: _Builder, start: int, end: int, busy_until: int, count: str, faded: bool,
            tags: dict, pos: Pos | None = None) -> None:
    """Counts the whole seconds of a hold: every number aloud ("Two." one second in, "Three."
    ...), a cue that runs into one being a fit error; or a tick each second, skipped while the
    cue is still speaking. pos: the phase, where a count that does not fit is reported."""
    if count == "none":
        return
    for second in counted_seconds(end - start):
        at = start + second * BEAT_MS
        if count == "aloud" and not faded:
            builder.say(at, builder.words.counted(second + 1), pos, count=True, **tags)
        elif at >= busy_until + COUNT_GAP_MS:
            builder.tone(at, "tick", **tags)


def _breathe(builder: _Builder, t: int, step: Breathe) -> int:
    builder.chapter(t, step.name or builder.words.chapter_breathing(), "breathing")
    cues = ((step.say_in, "rise", "breathe in"), (step.say_hold, "none", "hold"),
            (step.say_out, "fall", "breathe out"), (step.say_hold, "none", "hold"))
    parts = [(ms, *cue) for ms, cue in zip(breath_parts_ms(step), cues, strict=True)]
    for cycle in range(1, step.cycles + 1):
        faded = step.voice_fade > 0 and cycle > step.voice_fade
        values = {"cycle": cycle, "cycles": step.cycles, "name": step.name,
                  "title": builder.routine.title}
        for duration_ms, say, tone, phase in parts:
            if duration_ms == 0:
                continue
            values["seconds"] = duration_ms / 1000
            tone_end = builder.tone(t, tone, rep=cycle, phase=phase)
            speech_at = t if tone == "none" else tone_end + TONE_GAP_MS
            if not faded and say is not None:
                builder.say(speech_at, builder.words.fill(say, values), say.pos, rep=cycle,
                            phase=phase)
            t += duration_ms
    return t


def _fit_problems(placed: list[_Placed], routine: Routine) -> Iterable[Diagnostic]:
    """A diagnostic for every cue that runs into the next cue (metronome beats excepted)."""
    cues = [p for p in placed if p.event.layer == "cue"]
    for here, after in zip(cues, cues[1:]):
        event = here.event
        if event.end_ms + (FIT_MARGIN_MS if event.kind == "speech" else 0) <= after.event.start_ms:
            continue
        pos = here.pos or after.pos or Pos(routine.path, 1, 1)
        slot_ms = after.event.start_ms - event.start_ms
        nxt = f'"{after.event.text}"' if after.event.kind == "speech" else (
            f"the {after.event.tone} tone")
        if event.kind == "speech":
            needed_rate = -(-routine.voice.rate_wpm * event.duration_ms
                            // max(slot_ms - FIT_MARGIN_MS, 1))
            faster = f"speak faster (voice: rate: {min(needed_rate, 450)})"
            if here.gap_ms is not None and here.gap_ms < FIT_MARGIN_MS:
                hint = (f"give it a gap of at least {FIT_MARGIN_MS}ms (gap: {FIT_MARGIN_MS}ms), "
                        "or shorten the text")
            elif not after.count:
                hint = f"shorten the text, {faster}, or lengthen the phase or rest it falls in"
            else:
                hint = (f"count: aloud says the number of every second of the phase, so the cue "
                        f"must end before {nxt}: shorten it, {faster}, or use count: tick (its "
                        f"ticks wait for the cue)")
            yield pos.diag(
                f'the cue "{event.text}" takes {event.duration_ms} ms plus a margin of '
                f"{FIT_MARGIN_MS} ms but its slot is {slot_ms} ms (at "
                f"{format_clock_ms(event.start_ms)}, before {nxt})", hint)
        else:
            at = format_clock_ms(event.start_ms)
            yield pos.diag(f"the {event.tone} tone at {at} runs into {nxt}",
                           "lengthen the phase it starts, or choose a shorter tone (tick)")


def _dedupe(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic per place and problem, noting how often it recurs (e.g. once per set)."""
    counts: dict[tuple, list] = {}
    for diag in diags:
        key = (diag.line, diag.col, diag.message.split(" (at ")[0])
        counts.setdefault(key, [diag, 0])[1] += 1
    out = []
    for diag, n in counts.values():
        if n > 1:
            diag = Diagnostic(diag.path, diag.line, diag.col, f"{diag.message}, and "
                              + counted(n - 1, "{n} more time", "{n} more times"), diag.hint)
        out.append(diag)
    return out
