"""The live player's core: where playback is in the session, what the screen shows there, and
what pause, skip, start-at, from-set and remind do to that position.

Pure: the audio output, the keys, the screen and the clock are passed in, so tests drive it with
fakes in milliseconds. It must not open a device or a terminal (play.py does) nor mix audio.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from voice_coach.errors import UsageError
from voice_coach.routine import DURATION_HINT, format_duration_ms, parse_duration_ms
from voice_coach.routine.durations import shown
from voice_coach.timeline import Timeline, format_length_ms, ms_to_frames

TICK_S = 0.05  # the loop looks at keys, position and the output this often
BACK_GRACE_MS = 2000  # `b` this soon after a section starts goes to the section before
CUE_LINGER_MS = 1500  # a spoken cue stays on screen this long after it ends
PCM16_BYTES = 2
KEYS_HELP = "space pause · n next · b back · q quit"
KEYS_HELP_PAUSED = "paused · space resume · n next · b back · q quit"


# ---------------------------------------------------------------------------------------------
# The edges, as the core sees them.


class Output(Protocol):
    """A sound output fed with mono int16 frames; counts in frames of its own stream.

    Stream frames count every frame written, minus the ones flush() dropped unheard.
    """

    sample_rate: int
    can_pause: bool  # pause() holds the queued frames (else the core pauses by flush + seek)

    def room_frames(self) -> int: ...  # frames write() takes now without waiting
    def write(self, pcm: bytes | memoryview) -> int: ...  # frames taken (<= room)
    def played_frames(self) -> int: ...  # stream frames heard so far
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def flush(self) -> None: ...  # drop what is queued, now; also ends a pause
    def finish(self) -> None: ...  # nothing more is coming: play what is queued
    def idle(self) -> bool: ...  # every frame written has been heard
    def wake_s(self) -> float | None: ...  # call back within this many seconds (None: any time)


class Controls(Protocol):
    def read(self, timeout_s: float) -> str | None: ...  # one key, or None after timeout_s


class View(Protocol):
    width: int
    unicode: bool

    def show(self, lines: list[str]) -> None: ...


Source = Callable[[int], Iterator[bytes]]  # session frame → int16 PCM blocks from there to the end
Log = Callable[..., None]  # log(event_name, **fields)


# ---------------------------------------------------------------------------------------------
# Where to start.


def parse_start_at(text: str) -> int:
    """--start-at text → milliseconds; UsageError (exit 2) with the duration hint if malformed."""
    try:
        return parse_duration_ms(text)
    except ValueError as exc:
        raise UsageError(f"--start-at must be a duration, got {shown(text)}: it {exc}",
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
            raise UsageError(f"--from-set {from_set}: this routine has {len(sets)} "
                             f"set{'s' if len(sets) != 1 else ''}",
                             f"choose a set from 1 to {len(sets)}" if sets else "")
        return ms_to_frames(sets[from_set - 1].start_ms, timeline.sample_rate)
    start_ms = start_at_ms or 0
    if start_ms >= timeline.duration_ms:
        raise UsageError(f"--start-at {format_duration_ms(start_ms)} is past the end of the "
                         f"session ({format_length_ms(timeline.duration_ms)})")
    return ms_to_frames(start_ms, timeline.sample_rate)


def next_section_ms(timeline: Timeline, position_ms: int) -> int:
    """Start of the section after the one playing at position_ms (the end after the last)."""
    for chapter in timeline.chapters:
        if chapter.start_ms > position_ms:
            return chapter.start_ms
    return timeline.duration_ms


def back_section_ms(timeline: Timeline, position_ms: int) -> int:
    """Start of the section playing at position_ms, or of the one before within the grace."""
    if not timeline.chapters:
        return 0
    index = timeline.chapter_at(position_ms)
    start_ms = min(timeline.chapters[index].start_ms, position_ms)
    if position_ms - start_ms < BACK_GRACE_MS and index > 0:
        return timeline.chapters[index - 1].start_ms
    return start_ms


# ---------------------------------------------------------------------------------------------
# What the screen shows at a position.


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
        moment = Moment(position_ms, tl.duration_ms)
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
    """'Set 2 of 3 · rep 4 of 10 · Toes up, and hold.'"""
    parts = [moment.section] if moment.section else []
    if moment.rep:
        parts.append(f"{moment.rep_word} {moment.rep}"
                     + (f" of {moment.reps}" if moment.reps >= moment.rep else ""))
    if moment.phase and moment.phase.lower() not in (moment.section.lower(), "set"):
        parts.append(moment.phase)
    return " · ".join(parts)


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
             KEYS_HELP_PAUSED if paused else KEYS_HELP]
    return [_fit(line, width) for line in lines]


def wait_lines(title: str, wait_s: float, every_s: float, next_round: int, rounds: int | None,
               at_text: str, width: int, unicode: bool = True) -> list[str]:
    """The lines shown between reminders: the time to the next round and how to start it now."""
    left_s = int(-(-wait_s // 1))
    of = f" of {rounds}" if rounds else ""
    when = f" (at {at_text})" if at_text else ""
    lines = [title, f"Next round ({next_round}{of}) in {format_clock_s(left_s)}{when}", "",
             progress_bar(1 - wait_s / max(every_s, 1e-9), max(10, width - 2), unicode),
             "space start now · q quit"]
    return [_fit(line, width) for line in lines]


def _fit(line: str, width: int) -> str:
    return line if len(line) <= width else line[:max(0, width - 1)] + "…"


# ---------------------------------------------------------------------------------------------
# Playing: stream frames → session frames, keys → pause, seek and quit.


class Transport:
    """Maps the output's heard stream frames to session frames, across seeks."""

    def __init__(self, start_frame: int) -> None:
        self._splices: list[tuple[int, int]] = [(0, start_frame)]  # (stream, session) frames

    def splice(self, stream_frame: int, session_frame: int) -> None:
        """From stream_frame on, the stream plays the session from session_frame."""
        self._splices = [s for s in self._splices if s[0] < stream_frame]
        self._splices.append((stream_frame, session_frame))

    def session_frame(self, stream_frame: int) -> int:
        for splice_stream, splice_session in reversed(self._splices):
            if splice_stream <= stream_frame:
                return splice_session + stream_frame - splice_stream
        return self._splices[0][1]


@dataclass(frozen=True)
class Outcome:
    reason: str  # "finished" | "quit" | "interrupted" (Ctrl-C, SIGTERM, a device failure)
    position_frame: int
    heard: tuple[tuple[int, int], ...] = ()  # session frame ranges played, in order


class Observer(Protocol):
    """Told when a session starts and how it ended, however it ended (e.g. to record it)."""

    def started(self, start_frame: int) -> None: ...
    def ended(self, outcome: Outcome) -> None: ...


class Player:
    """Plays one session from start_frame through `output`, answering keys, until it ends."""

    def __init__(self, timeline: Timeline, source: Source, output: Output, controls: Controls,
                 view: View | None = None, *, start_frame: int = 0,
                 log: Log | None = None, observer: Observer | None = None) -> None:
        self.timeline = timeline
        self.guide = Guide(timeline)
        self.source = source
        self.output = output
        self.controls = controls
        self.view = view
        self.log = log or (lambda event, **fields: None)
        self.n_frames = timeline.n_frames
        self.paused = False
        self.transport = Transport(start_frame)
        self.observer = observer
        self._ranges: list[tuple[int, int]] = []  # heard ranges closed by a seek
        self._range_start = self._seen = start_frame
        self._start(start_frame)

    def _start(self, frame: int) -> None:
        self._blocks = self.source(frame)
        self._pending = memoryview(b"")
        self._written_frame = frame  # the next session frame to write
        self._exhausted = False

    # -- the loop -----------------------------------------------------------------------------

    def run(self) -> Outcome:
        """Plays to the end or until quit; the observer hears how it ended, even on Ctrl-C."""
        if self.observer is not None:
            self.observer.started(self._written_frame)
        try:
            outcome = self._loop()
        except BaseException:
            self._tell(Outcome("interrupted", self._seen, self.heard(self._seen)))
            raise
        self._tell(outcome)
        return outcome

    def _tell(self, outcome: Outcome) -> None:
        if self.observer is not None:
            self.observer.ended(outcome)

    def heard(self, end_frame: int) -> tuple[tuple[int, int], ...]:
        """The session frame ranges played so far, the current one ending at end_frame."""
        return tuple(r for r in [*self._ranges, (self._range_start, end_frame)] if r[1] > r[0])

    def _loop(self) -> Outcome:
        self.log("start", frame=self._written_frame)
        while True:
            if not self.paused:
                self._feed()
            if self._exhausted and not self.paused and self.output.idle():
                self._show(self.n_frames)
                self.log("end", frame=self.position_frame())
                return Outcome("finished", self.position_frame(), self.heard(self.n_frames))
            frame = self.position_frame()
            self._show(frame)
            key = self.controls.read(self._timeout_s())
            if key is None:
                continue
            frame = self.position_frame()  # the key came later than the last look
            if self.handle_key(key, frame) == "quit":
                self.output.flush()
                self.log("quit", frame=frame)
                return Outcome("quit", frame, self.heard(frame))

    def position_frame(self) -> int:
        """The session frame being heard now, from the output's own count of heard frames."""
        frame = self.transport.session_frame(self.output.played_frames())
        frame = max(0, min(frame, self.n_frames))
        if frame >= self._range_start:
            self._seen = max(self._seen, frame)
        return frame

    def moment(self, frame: int | None = None) -> Moment:
        frame = self.position_frame() if frame is None else frame
        return self.guide.at(frame * 1000 // self.timeline.sample_rate)

    def _show(self, frame: int) -> None:
        if self.view is not None:
            self.view.show(screen_lines(self.timeline.title, self.moment(frame), self.paused,
                                        self.view.width, self.view.unicode))

    def _timeout_s(self) -> float:
        wake_s = self.output.wake_s()
        return TICK_S if wake_s is None else max(0.0, min(TICK_S, wake_s))

    def _feed(self) -> None:
        while True:
            if not len(self._pending):
                block = next(self._blocks, b"")
                if not block:
                    if not self._exhausted:
                        self.output.finish()
                        self._exhausted = True
                    return
                self._pending = memoryview(block)
            room = self.output.room_frames()
            if room <= 0:
                return
            taken = self.output.write(self._pending[:room * PCM16_BYTES])
            self._pending = self._pending[taken * PCM16_BYTES:]
            self._written_frame += taken
            if taken == 0:
                return

    # -- keys ---------------------------------------------------------------------------------

    def handle_key(self, key: str, frame: int) -> str | None:
        """Acts on one key at session frame `frame`; returns "quit" for q."""
        key = key.lower()
        if key == "\x03":
            raise KeyboardInterrupt
        if key == "q":
            return "quit"
        if key == " ":
            self.toggle_pause(frame)
        elif key in ("n", "b"):
            position_ms = frame * 1000 // self.timeline.sample_rate
            target_ms = (next_section_ms if key == "n" else back_section_ms)(self.timeline,
                                                                             position_ms)
            self.seek(ms_to_frames(target_ms, self.timeline.sample_rate), frame)
        return None

    def toggle_pause(self, frame: int) -> None:
        if self.paused:
            self.paused = False
            if self.output.can_pause:
                self.output.resume()
            else:
                self.seek(self._paused_frame, self._paused_frame)
            self.log("resume", frame=frame)
            return
        self.paused = True
        self._paused_frame = frame
        if self.output.can_pause:
            self.output.pause()
        else:
            self.output.flush()
            self.transport.splice(self.output.played_frames(), frame)
        self.log("pause", frame=frame, written_to=self._written_frame)

    def seek(self, target_frame: int, heard_frame: int | None = None) -> None:
        """Drops what is queued and plays on from target_frame (a seek also ends a pause)."""
        written_to = self._written_frame
        heard_to = self._seen if heard_frame is None else heard_frame
        self._ranges.append((self._range_start, max(self._range_start, heard_to)))
        self._range_start = self._seen = target_frame
        self.output.flush()
        self.paused = False
        self.transport.splice(self.output.played_frames(), target_frame)
        self._start(target_frame)
        self.log("seek", frame=target_frame, written_to=written_to, heard=heard_frame)


# ---------------------------------------------------------------------------------------------
# Reminders: play, wait, play again.


@dataclass(frozen=True)
class RemindPlan:
    """Play every `every_ms`, for `for_ms` in all or `times` times (neither: until quit)."""

    every_ms: int
    for_ms: int | None = None
    times: int | None = None

    def next_start_ms(self, rounds_done: int, last_start_ms: int) -> int | None:
        """When the next round starts, in ms since the first began; None when all are done."""
        if self.times is not None and rounds_done >= self.times:
            return None
        start_ms = last_start_ms + self.every_ms
        if self.for_ms is not None and start_ms >= self.for_ms:
            return None
        return start_ms

    @property
    def rounds(self) -> int | None:
        """How many rounds there will be, if known in advance."""
        if self.times is not None:
            return self.times
        if self.for_ms is not None:
            return max(1, -(-self.for_ms // self.every_ms))
        return None


def remind_plan(every: str, for_: str | None, times: int | None, session_ms: int) -> RemindPlan:
    """Validates remind's options; UsageError (exit 2) with a hint for each kind of mistake."""
    if for_ is not None and times is not None:
        raise UsageError("use --for or --times, not both")
    if times is not None and times < 1:
        raise UsageError(f"--times must be at least 1, got {times}")
    every_ms = _option_ms("--every", every)
    for_ms = _option_ms("--for", for_) if for_ is not None else None
    if every_ms < session_ms:
        raise UsageError(f"--every {every} is shorter than the session itself "
                         f"({format_length_ms(session_ms)})",
                         "choose a longer --every, or a shorter routine")
    return RemindPlan(every_ms, for_ms, times)


def _option_ms(option: str, text: str) -> int:
    try:
        ms = parse_duration_ms(text)
    except ValueError as exc:
        raise UsageError(f"{option} must be a duration, got {shown(text)}: it {exc}",
                         'durations look like "45m", "1h" or "1h30m"') from None
    if ms <= 0:
        raise UsageError(f"{option} must be longer than zero, got {shown(text)}")
    return ms


class Reminder:
    """Runs rounds on a RemindPlan: play_round(n), then a countdown a key can cut short."""

    def __init__(self, plan: RemindPlan, play_round: Callable[[int], Outcome], title: str,
                 controls: Controls, clock: Callable[[], float], view: View | None = None,
                 at_text: Callable[[float], str] = lambda wait_s: "") -> None:
        self.plan = plan
        self.play_round = play_round
        self.title = title
        self.controls = controls
        self.clock = clock
        self.view = view
        self.at_text = at_text

    def run(self) -> str:
        """Returns "finished" after the last round, "quit" when the person quits."""
        first_s = last_s = self.clock()
        done = 0
        while True:
            if self.play_round(done + 1).reason == "quit":
                return "quit"
            done += 1
            next_ms = self.plan.next_start_ms(done, round((last_s - first_s) * 1000))
            if next_ms is None:
                return "finished"
            if self._wait_until(first_s + next_ms / 1000, done + 1) == "quit":
                return "quit"
            last_s = self.clock()

    def _wait_until(self, start_s: float, next_round: int) -> str:
        while (wait_s := start_s - self.clock()) > 0:
            if self.view is not None:
                self.view.show(wait_lines(self.title, wait_s, self.plan.every_ms / 1000,
                                          next_round, self.plan.rounds, self.at_text(wait_s),
                                          self.view.width, self.view.unicode))
            key = self.controls.read(min(0.25, wait_s))
            if key is None:
                continue
            if key == "\x03":
                raise KeyboardInterrupt
            return "quit" if key.lower() == "q" else "start"
        return "start"
