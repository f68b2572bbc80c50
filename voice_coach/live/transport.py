"""The live player's core: where playback is in the session, and what pause, skip, start-at and
from-set do to that position.

Pure: the audio output, the keys, the screen and the clock are passed in, so tests drive it with
fakes in milliseconds. It must not open a device or a terminal (play.py does), mix audio, or
decide what the screen says (screen.py does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from voice_coach.live.screen import Guide, Moment, screen_lines
from voice_coach.plan.timeline import Timeline, ms_to_frames

TICK_S = 0.05  # the loop looks at keys, position and the output this often
BACK_GRACE_MS = 2000  # `b` this soon after a section starts goes to the section before
PCM16_BYTES = 2


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
# Where n and b go.


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
