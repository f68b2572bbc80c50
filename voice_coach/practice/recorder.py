"""Turning a played session into a history record: what was planned, what was heard, how it
ended; and the record `voice-coach done` writes for a session followed elsewhere.

The counting is pure (timeline + heard frame ranges → counts). Recorder is the live player's
observer: it writes the record when the session ends, however it ends, and never stops a
session from playing when the history cannot be written (it says so once, through `warn`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from voice_coach.lang.counted import counted

from .days import Clock, zone_name
from .records import SessionRecord, new_uid, routine_hash, status_for

DONE_SHARE = 0.9  # a repetition (or set) counts as done when this much of it was heard


@dataclass(frozen=True)
class SetSpan:
    """One set in a timeline: its frames, and each repetition's frames."""

    start_frame: int
    end_frame: int
    reps: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Counts:
    planned_sets: int
    done_sets: int
    planned_reps: int
    done_reps: int


def set_spans(timeline: Any) -> list[SetSpan]:
    """The sets of a timeline (chapters of kind "set") with their repetitions' frame ranges.

    A repetition runs from its first event to the next one's first event (the last one to the
    end of the set).
    """
    rate = timeline.sample_rate
    spans = []
    for index, chapter in enumerate(timeline.chapters):
        if chapter.kind != "set":
            continue
        start_ms, end_ms = chapter.start_ms, timeline.chapter_end_ms(index)
        firsts: dict[int, int] = {}
        for event in timeline.events:
            if event.rep and start_ms <= event.start_ms < end_ms:
                firsts[event.rep] = min(firsts.get(event.rep, event.start_ms), event.start_ms)
        starts = sorted(firsts.values())
        bounds = [*starts[1:], end_ms]
        reps = tuple((s * rate // 1000, e * rate // 1000) for s, e in zip(starts, bounds))
        spans.append(SetSpan(start_ms * rate // 1000, end_ms * rate // 1000, reps))
    return spans


def _heard_share(span: tuple[int, int], heard: Sequence[tuple[int, int]]) -> float:
    lo, hi = span
    if hi <= lo:
        return 1.0
    covered, edge = 0, lo
    for a, b in sorted(heard):
        a, b = max(a, edge), min(b, hi)
        if b > a:
            covered += b - a
            edge = b
    return covered / (hi - lo)


def count(spans: Sequence[SetSpan], start_frame: int,
          heard: Sequence[tuple[int, int]]) -> Counts:
    """Planned (from start_frame on) and done (heard to the end) sets and repetitions."""
    planned_sets = done_sets = planned_reps = done_reps = 0
    for span in spans:
        if span.end_frame <= start_frame:
            continue
        planned_sets += 1
        reps = [r for r in span.reps if r[1] > start_frame]
        done = [r for r in reps if _heard_share(r, heard) >= DONE_SHARE]
        planned_reps += len(reps)
        done_reps += len(done)
        whole = (span.start_frame, span.end_frame)
        if (reps and len(done) == len(reps)) or (not reps and _heard_share(whole, heard)
                                                 >= DONE_SHARE):
            done_sets += 1
    return Counts(planned_sets, done_sets, planned_reps, done_reps)


def voice_fields(routine: Any, voice: Any = None) -> tuple[str, str]:
    """(language, voice) for a record: ('en', 'piper:en_US-joe-medium').

    voice: the VoiceSettings that spoke (a prepared Session's); None: the voice the routine
    would be spoken in, chosen as prepare chooses it (the routine's own block when no engine
    here can say which)."""
    from voice_coach.speech import default_engine_name

    if voice is None:
        voice = _voice_for(routine)
    engine = voice.engine
    if engine == "auto":
        engine = default_engine_name()
    return routine.language, f"{engine}:{voice.voice}"


def _voice_for(routine: Any) -> Any:
    """The VoiceSettings prepare would speak the routine in, resolved as synthesis resolves it,
    without speaking; the routine's own block when no engine here can say which."""
    from voice_coach.basics.errors import VoiceCoachError
    from voice_coach.speech import resolve_settings
    from voice_coach.speech.for_language import choose_voice

    try:
        choice = choose_voice(routine.voice, routine.language, routine.voice_named)
        return routine.voice if choice.problem else resolve_settings(choice.settings)
    except (VoiceCoachError, OSError):
        return routine.voice


def _routine_fields(routine: Any, voice: Any = None) -> dict[str, str]:
    language, voice_label = voice_fields(routine, voice)
    return {"routine": routine.name, "title": routine.title,
            "routine_hash": routine_hash(routine.source), "language": language,
            "voice": voice_label}


class Recorder:
    """A live.Observer that writes one record per session (or remind round) when it ends.

    open_store() opens the history for writing (raising StoreError); warn(text) tells the
    person once that the history cannot be kept, and the session plays on.
    """

    def __init__(self, routine: Any, timeline: Any, source: str, clock: Clock,
                 open_store: Callable[[], Any], warn: Callable[[str], None],
                 inform: Callable[[str], None] | None = None) -> None:
        self.routine, self.source = routine, source
        self._inform = inform  # told what was recorded, once the player is done (tell())
        self._told = 0
        self.clock, self.open_store, self._warn = clock, open_store, warn
        self.fields: dict[str, str] | None = None  # known once the voice is: see on()
        self.records: list[SessionRecord] = []
        self.broken = False
        self._started: datetime | None = None
        self._start_frame = 0
        self._checker: threading.Thread | None = None
        self._problem: Exception | None = None
        self._playing = False  # while playing, stderr is hidden: problems wait for tell()
        self._untold: list[str] = []
        self.on(timeline)

    def on(self, timeline: Any, voice: Any = None) -> Recorder:
        """Records sessions of this timeline (known once the speech is made), spoken by
        `voice` (the prepared Session's VoiceSettings; None: the routine's, as prepare would
        choose it). Call it before playing: it says now if the history cannot be written (the
        player hides stderr)."""
        self.timeline = timeline
        if voice is not None:
            self.fields = _routine_fields(self.routine, voice)
        self.spans = set_spans(timeline) if timeline is not None else []
        self._join_check()
        return self

    def _join_check(self) -> None:
        if self._checker is not None:
            self._checker.join(timeout=10)
            self._checker = None
            if self._problem is not None:
                self._fail(self._problem)

    def tell(self) -> None:
        """Says a problem met while playing, and what was recorded (call it once the player
        is done: after q, the end, or Ctrl-C)."""
        for text in self._untold:
            self._warn(text)
        self._untold.clear()
        if self._inform is not None and not self.broken:
            for record in self.records[self._told:]:
                self._inform(recorded_line(record))
        self._told = len(self.records)

    def check(self) -> bool:
        """Opens the history once before playing, so a problem is told before the sound."""
        try:
            self.open_store().close()
        except Exception as exc:  # noqa: BLE001 - any failure: say so, play anyway
            self._fail(exc)
        return not self.broken

    def check_in_background(self) -> None:
        """Opens the history in a thread while the session is prepared; a problem is told
        when the session starts, before the first sound."""
        def check() -> None:
            try:
                self.open_store().close()
            except Exception as exc:  # noqa: BLE001
                self._problem = exc

        self._checker = threading.Thread(target=check, name="history-check", daemon=True)
        self._checker.start()

    def started(self, start_frame: int) -> None:
        self._join_check()
        self._playing = True
        self._started, self._start_frame = self.clock.now(), start_frame

    def ended(self, outcome: Any) -> None:
        ended = self.clock.now()
        started = self._started or ended
        counts = count(self.spans, self._start_frame, outcome.heard)
        interrupted = outcome.reason == "interrupted"
        if self.spans:
            status = status_for(counts.planned_sets, counts.done_sets, interrupted)
        else:  # no sets (breathing or talk only): finished or not
            status = "stopped" if interrupted else (
                "completed" if outcome.reason == "finished" else "partial")
        if self.fields is None:
            self.fields = _routine_fields(self.routine)
        record = SessionRecord(
            uid=new_uid(), **self.fields, started=started, ended=ended,
            time_zone=zone_name(started), planned_sets=counts.planned_sets,
            done_sets=counts.done_sets, planned_reps=counts.planned_reps,
            done_reps=counts.done_reps, status=status, source=self.source)
        self.records.append(record)
        try:
            if not self.broken:
                with self.open_store() as store:
                    store.add(record)
        except Exception as exc:  # noqa: BLE001 - the session has played; only the record is lost
            self._fail(exc)
        finally:
            self._playing = False

    def _fail(self, exc: Exception) -> None:
        if not self.broken:
            self.broken = True
            reason = getattr(exc, "message", None) or str(exc)
            text = f"this session is not kept in your history: {reason}"
            if self._playing:
                self._untold.append(text)
            else:
                self._warn(text)


def recorded_line(record: SessionRecord) -> str:
    """'Recorded ankle-pumps: 1 of 3 sets (10 repetitions), partial.'"""
    sets = counted(record.planned_sets, "{n} set", "{n} sets")
    reps = counted(record.done_reps, "{n} repetition", "{n} repetitions")
    return f"Recorded {record.routine}: {record.done_sets} of {sets} ({reps}), {record.status}."


def done_record(routine: Any, *, sets: int | None, started: datetime | None, now: datetime,
                effort: int | None = None, pain: int | None = None, note: str = "",
                length_ms: int | None = None, uid: str | None = None,
                source: str = "done", legs: str | None = None) -> SessionRecord:
    """The record for a session followed elsewhere (a phone file): `sets` done (default all).

    sets: sets done, 1 or more (ValueError for 0 or less: nothing done is not a session).
    started: when it began, an aware datetime (None: it has just ended, so now less its
    length); ValueError when it is before 1970 or after tomorrow.
    length_ms: the session's length (default: the routine's timed parts alone).
    uid: the session's id (default: a new one); the store keeps one session per id, so a
    caller that names each listening (e.g. the phone page's playback id) records it once.
    """
    from voice_coach.routine import Exercise, minimum_length_ms

    from .days import check_moment, shift

    if sets is not None and sets < 1:
        raise ValueError(f"a session needs at least 1 set done, got {sets}")
    per_set = [ex.reps for ex in routine.steps if isinstance(ex, Exercise) for _ in range(ex.sets)]
    planned_sets, planned_reps = len(per_set), sum(per_set)
    done_sets = planned_sets if sets is None else sets
    extra = max(0, done_sets - planned_sets) * (per_set[-1] if per_set else 0)
    done_reps = sum(per_set[:done_sets]) + extra
    full_ms = length_ms if length_ms is not None else minimum_length_ms(routine)
    share = done_sets / planned_sets if planned_sets else 1.0
    took = timedelta(milliseconds=round(full_ms * share))
    start = started if started is not None else shift(now, -took)  # real time, fold kept
    check_moment(start, now, "the start")
    return SessionRecord(
        uid=uid or new_uid(), **_routine_fields(routine), started=start,
        ended=shift(start, took), time_zone=zone_name(start), planned_sets=planned_sets,
        done_sets=done_sets, planned_reps=planned_reps, done_reps=done_reps,
        status="completed" if done_sets >= planned_sets else "partial", source=source,
        effort=effort, pain=pain, note=note, legs=legs)
