"""What the live player's screen shows at an audio position: section, repetition, phase, the cue
being spoken, a progress bar and the times; and the countdown between reminders.

Pure text from a timeline and a position: it never draws (terminal.py does) nor plays.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from voice_coach.plan.timeline import Timeline

CUE_LINGER_MS = 1500  # a spoken cue stays on screen this long after it ends
KEYS_HELP = "space pause · n next · b back · q quit"
KEYS_HELP_PAUSED = "paused · space resume · n next · b back · q quit"


@dataclass(frozen=True)
class Moment:
    """The display state at one audio position."""

    position_ms: int
    duration_ms: int
    section: str = ""  # the chapter's title: "Set 2 of 3", "Rest", "Breathing"…
    rep: int = 0  # repetition (or breath) number in the section, 0 when none
    reps: int = 0  # how many the section has
    rep_word: str = "rep"
    phase: str = ""
    cue: str = ""  # the text being spoken (or just spoken), "" in silence
    cue_progress: float = 0.0  # how far through the cue's clip, 0..1
    language: str = "en"  # the session's language: the screen's own words are in it


class Guide:
    """Fast lookups of the display state at any position of one timeline."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self._events = sorted(timeline.events, key=lambda e: e.start_ms)
        self._event_starts = [e.start_ms for e in self._events]
        self._speech = [e for e in self._events if e.kind == "speech"]
        self._speech_starts = [e.start_ms for e in self._speech]
        self._chapter_starts = [c.start_ms for c in timeline.chapters]
        self._reps = [self._max_rep(c.start_ms, timeline.chapter_end_ms(i))
                      for i, c in enumerate(timeline.chapters)]

    def _max_rep(self, start_ms: int, end_ms: int) -> int:
        lo = bisect.bisect_left(self._event_starts, start_ms)
        hi = bisect.bisect_left(self._event_starts, end_ms)
        return max((e.rep for e in self._events[lo:hi]), default=0)

    def at(self, position_ms: int) -> Moment:
        tl = self.timeline
        position_ms = max(0, min(position_ms, tl.duration_ms))
        moment = Moment(position_ms, tl.duration_ms, language=tl.language)
        index = bisect.bisect_right(self._chapter_starts, position_ms) - 1
        section_start_ms = 0
        if index >= 0:
            chapter = tl.chapters[index]
            section_start_ms = chapter.start_ms
            moment = _replace(moment, section=chapter.title, reps=self._reps[index],
                              rep_word="breath" if chapter.kind == "breathing" else "rep")
        i = bisect.bisect_right(self._event_starts, position_ms) - 1
        if i >= 0 and self._events[i].start_ms >= section_start_ms:
            event = self._events[i]
            moment = _replace(moment, rep=event.rep, phase=event.phase)
        return self._with_cue(moment, position_ms)

    def _with_cue(self, moment: Moment, position_ms: int) -> Moment:
        i = bisect.bisect_right(self._speech_starts, position_ms) - 1
        if i < 0:
            return moment
        speech = self._speech[i]
        if position_ms >= speech.end_ms + CUE_LINGER_MS:
            return moment
        progress = min(1.0, (position_ms - speech.start_ms) / max(speech.duration_ms, 1))
        return _replace(moment, cue=speech.text, cue_progress=progress)


def _replace(moment: Moment, **changes) -> Moment:
    return Moment(**{**moment.__dict__, **changes})


def format_clock_s(seconds: int) -> str:
    """m:ss, or h:mm:ss from an hour."""
    minutes, secs = divmod(max(0, seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def status_line(moment: Moment) -> str:
    """'Set 2 of 3 · rep 4 of 10 · Toes up, and hold.' (in the session's language)"""
    from voice_coach.lang import words_for

    parts = [moment.section] if moment.section else []
    if moment.rep:
        words = words_for(moment.language)
        t = words.t
        if moment.rep_word == "breath":
            text = (t.pgettext("display", "breath {rep} of {reps}") if moment.reps >= moment.rep
                    else t.pgettext("display", "breath {rep}"))
        else:
            text = (t.pgettext("display", "rep {rep} of {reps}") if moment.reps >= moment.rep
                    else t.pgettext("display", "rep {rep}"))
        parts.append(words.format(text, {"rep": moment.rep, "reps": moment.reps}))
    phase = _phase_shown(moment.phase, moment.language)
    if phase and phase.lower() not in (moment.section.lower(), "set"):
        parts.append(phase)
    return " · ".join(parts)


def _phase_shown(phase: str, language: str) -> str:
    """A timeline's phase tag as the screen shows it: the plan's own tags ("get ready",
    "breathe in") in the session's language; an exercise phase is already its cue text."""
    from voice_coach.lang import words_for

    t = words_for(language).t
    shown = {"get ready": t.pgettext("display", "get ready"),
             "rest": t.pgettext("display", "rest"),
             "breathe in": t.pgettext("display", "breathe in"),
             "hold": t.pgettext("display", "hold"),
             "breathe out": t.pgettext("display", "breathe out")}
    return shown.get(phase, phase)


def cue_line(moment: Moment, width: int, unicode: bool = True) -> str:
    """The cue, in quotes; a long one shows the part being spoken (by its share of the clip)."""
    if not moment.cue:
        return ""
    room = max(8, width - 4)
    text = moment.cue
    if len(text) > room:
        dots = "…" if unicode else "..."
        centre = int(moment.cue_progress * len(text))
        lo = max(0, min(centre - room // 3, len(text) - room))
        text = text[lo:lo + room]
        text = (dots if lo > 0 else "") + text.strip() + (dots if lo + room < len(moment.cue)
                                                          else "")
    mark = "»" if unicode else ">"
    return f"{mark} {text}"


def progress_bar(fraction: float, width: int, unicode: bool = True) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    full, empty = ("█", "░") if unicode else ("#", "-")
    return full * filled + empty * (width - filled)


def screen_lines(title: str, moment: Moment, paused: bool, width: int,
                 unicode: bool = True) -> list[str]:
    """The five lines shown while playing: title, section, cue, progress, keys."""
    elapsed_s = moment.position_ms // 1000
    total_s = max(elapsed_s, round(moment.duration_ms / 1000))
    times = (f"{format_clock_s(elapsed_s)} / {format_clock_s(total_s)}  "
             f"-{format_clock_s(total_s - elapsed_s)}")
    bar_width = max(10, width - len(times) - 2)
    fraction = moment.position_ms / max(moment.duration_ms, 1)
    lines = [title, status_line(moment), cue_line(moment, width, unicode),
             f"{progress_bar(fraction, bar_width, unicode)}  {times}",
             keys_help(moment.language, paused)]
    return [_fit(line, width) for line in lines]


def keys_help(language: str = "en", paused: bool = False) -> str:
    """The keys line, in the session's language (KEYS_HELP in English)."""
    from voice_coach.lang import words_for

    t = words_for(language).t
    if paused:
        return t.pgettext("display", "paused · space resume · n next · b back · q quit")
    return t.pgettext("display", "space pause · n next · b back · q quit")


def wait_lines(title: str, wait_s: float, every_s: float, next_round: int, rounds: int | None,
               at_text: str, width: int, unicode: bool = True, language: str = "en"
               ) -> list[str]:
    """The lines shown between reminders: the time to the next round and how to start it now."""
    from voice_coach.lang import words_for

    words = words_for(language)
    t = words.t
    values = {"round": next_round, "rounds": rounds or 0, "time": format_clock_s(
        int(-(-wait_s // 1))), "clock": at_text}
    line = (t.pgettext("display", "Next round ({round} of {rounds}) in {time}") if rounds
            else t.pgettext("display", "Next round ({round}) in {time}"))
    if at_text:
        line = words.format(t.pgettext("display", "{line} (at {clock})"), {"line": line,
                                                                            "clock": "{clock}"})
    lines = [title, words.format(line, values), "",
             progress_bar(1 - wait_s / max(every_s, 1e-9), max(10, width - 2), unicode),
             t.pgettext("display", "space start now · q quit")]
    return [_fit(line, width) for line in lines]


def _fit(line: str, width: int) -> str:
    return line if len(line) <= width else line[:max(0, width - 1)] + "…"
