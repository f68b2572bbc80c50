"""The sound device: libasound (ctypes) as one continuous stream on Linux, else simpleaudio,
each long buffer started on the monotonic clock. The only module that may import simpleaudio.
It must not decide what plays when (player.py does) nor mix (sound/mix.py does).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shlex
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from voice_coach.basics.errors import DeviceError, EngineError, UsageError
from voice_coach.live.transport import Output
from voice_coach.plan.timeline import SAMPLE_RATE

ENV_BACKEND = "VOICE_COACH_AUDIO"  # alsa | simpleaudio (default: alsa on Linux)
ENV_PLAY_LOG = "VOICE_COACH_PLAY_LOG"  # append JSON lines of transport events here (tests)
LATENCY_US = 500_000  # ALSA buffer: long enough to ride out a stall; pause and skip drop it
PCM16_BYTES = 2


def no_device_error(routine: str, hint: str | None = None) -> EngineError:
    """routine: what the person typed ("say" for a phrase); hint: what to do instead."""
    if hint is not None and routine == "say":
        return EngineError("no sound device found, so nothing can be played here", hint)
    if hint is not None:
        return EngineError("no sound device found, so the session cannot be played here", hint)
    return EngineError("no sound device found, so the session cannot be played here",
                       f"render it to a file instead: voice-coach render {shlex.quote(routine)} "
                       "-o session.mp3")


@contextlib.contextmanager
def stderr_silenced() -> Iterator[None]:
    """fd 2 → /dev/null inside: the C libraries print device noise there (ALSA, PulseAudio)."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


# ---------------------------------------------------------------------------------------------
# ALSA through ctypes: one non-blocking stream that reports how much of it has been heard.

_RUNNING, _XRUN, _PAUSED, _DISCONNECTED = 3, 4, 6, 8
_EPIPE, _EAGAIN, _ESTRPIPE = 32, 11, 86
_ERROR_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                                  ctypes.c_int, ctypes.c_char_p)
_quiet_handler = _ERROR_HANDLER(lambda *args: None)  # kept alive: libasound holds the pointer


def load_libasound() -> Any | None:
    """libasound with the signatures used here and its error printer silenced; None if absent."""
    name = ctypes.util.find_library("asound") or "libasound.so.2"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    p, long_, int_ = ctypes.c_void_p, ctypes.c_long, ctypes.c_int
    for fn, args, res in (
        ("snd_pcm_open", [ctypes.POINTER(p), ctypes.c_char_p, int_, int_], int_),
        ("snd_pcm_set_params", [p, int_, int_, ctypes.c_uint, ctypes.c_uint, int_,
                                ctypes.c_uint], int_),
        ("snd_pcm_writei", [p, ctypes.c_char_p, ctypes.c_ulong], long_),
        ("snd_pcm_avail_update", [p], long_),
        ("snd_pcm_delay", [p, ctypes.POINTER(long_)], int_),
        ("snd_pcm_state", [p], int_),
        ("snd_pcm_pause", [p, int_], int_),
        ("snd_pcm_recover", [p, int_, int_], int_),
        ("snd_pcm_hw_params_malloc", [ctypes.POINTER(p)], int_),
        ("snd_pcm_hw_params_current", [p, p], int_),
        ("snd_pcm_hw_params_can_pause", [p], int_),
        ("snd_pcm_hw_params_free", [p], None),
        ("snd_strerror", [int_], ctypes.c_char_p),
        ("snd_lib_error_set_handler", [_ERROR_HANDLER], int_),
    ) + tuple((f"snd_pcm_{n}", [p], int_) for n in ("drop", "prepare", "start", "close")):
        getattr(lib, fn).argtypes, getattr(lib, fn).restype = args, res
    lib.snd_lib_error_set_handler(_quiet_handler)
    return lib


class AlsaOutput:
    """The default ALSA device, fed without blocking; heard frames = written − snd_pcm_delay."""

    name = "alsa"

    def __init__(self, lib: Any, handle: ctypes.c_void_p, sample_rate: int) -> None:
        self._lib, self._pcm, self.sample_rate = lib, handle, sample_rate
        self._written = self._played = 0
        self._held = False  # paused before the stream had started
        self.on_xrun = lambda heard_frames: None  # told of each underrun (a gap in the sound)
        self.can_pause = self._can_pause()

    @classmethod
    def open(cls, lib: Any, sample_rate: int, attempts: int = 3) -> AlsaOutput:
        """Opens the default device (mono, 16 bit); raises OSError when there is none.

        A busy or just-restarting sound server can refuse once, so it tries `attempts` times.
        """
        for attempt in range(attempts):
            try:
                return cls._open_once(lib, sample_rate)
            except OSError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.15)
        raise AssertionError("unreachable")

    @classmethod
    def _open_once(cls, lib: Any, sample_rate: int) -> AlsaOutput:
        handle = ctypes.c_void_p()
        with stderr_silenced():
            err = lib.snd_pcm_open(ctypes.byref(handle), b"default", 0, 1)  # playback, NONBLOCK
            if err >= 0:
                err = lib.snd_pcm_set_params(handle, 2, 3, 1, sample_rate, 1, LATENCY_US)
                if err < 0:
                    lib.snd_pcm_close(handle)
        if err < 0:
            raise OSError(-err, lib.snd_strerror(err).decode(errors="replace"))
        return cls(lib, handle, sample_rate)

    def _can_pause(self) -> bool:
        params = ctypes.c_void_p()
        if self._lib.snd_pcm_hw_params_malloc(ctypes.byref(params)) < 0:
            return False
        try:
            ok = self._lib.snd_pcm_hw_params_current(self._pcm, params) >= 0
            return ok and bool(self._lib.snd_pcm_hw_params_can_pause(params))
        finally:
            self._lib.snd_pcm_hw_params_free(params)

    def _check(self, err: int, what: str) -> int:
        if err < 0 and err not in (-_EAGAIN, -_EPIPE, -_ESTRPIPE):
            reason = self._lib.snd_strerror(err).decode(errors="replace")
            raise DeviceError(f"the sound device failed ({what}: {reason})",
                              "check the sound output, then play again from where it stopped")
        return err

    def _recover(self, err: int) -> None:
        self._played = self._written  # an underrun means everything written was heard
        self.on_xrun(self._played)
        self._check(self._lib.snd_pcm_recover(self._pcm, err, 1), "recover")

    def room_frames(self) -> int:
        avail = self._lib.snd_pcm_avail_update(self._pcm)
        if avail in (-_EPIPE, -_ESTRPIPE):
            self._recover(avail)
            avail = self._lib.snd_pcm_avail_update(self._pcm)
        return max(0, self._check(avail, "avail"))

    def write(self, pcm: bytes | memoryview) -> int:
        frames = len(pcm) // PCM16_BYTES
        n = self._lib.snd_pcm_writei(self._pcm, bytes(pcm), frames)
        if n in (-_EPIPE, -_ESTRPIPE):
            self._recover(n)
            n = self._lib.snd_pcm_writei(self._pcm, bytes(pcm), frames)
        n = max(0, self._check(n, "write"))
        self._written += n
        return n

    def played_frames(self) -> int:
        state = self._lib.snd_pcm_state(self._pcm)
        if state == _DISCONNECTED:
            self._check(-19, "disconnected")
        if state == _XRUN:
            self._played = self._written
        elif state in (_RUNNING, _PAUSED):
            delay = ctypes.c_long()
            if self._lib.snd_pcm_delay(self._pcm, ctypes.byref(delay)) >= 0:
                heard = self._written - max(0, delay.value)
                self._played = max(self._played, min(heard, self._written))
        return self._played

    def pause(self) -> None:
        if self._lib.snd_pcm_state(self._pcm) == _RUNNING:
            self._check(self._lib.snd_pcm_pause(self._pcm, 1), "pause")
        else:
            self._held = True

    def resume(self) -> None:
        self._held = False
        if self._lib.snd_pcm_state(self._pcm) == _PAUSED:
            self._check(self._lib.snd_pcm_pause(self._pcm, 0), "resume")

    def flush(self) -> None:
        self._played = self.played_frames()
        self._lib.snd_pcm_drop(self._pcm)
        self._check(self._lib.snd_pcm_prepare(self._pcm), "prepare")
        self._written = self._played
        self._held = False

    def finish(self) -> None:
        if not self._held and self._written > self.played_frames():
            if self._lib.snd_pcm_state(self._pcm) != _RUNNING:
                self._lib.snd_pcm_start(self._pcm)

    def idle(self) -> bool:
        return self.played_frames() >= self._written

    def wake_s(self) -> float | None:
        return None

    def close(self) -> None:
        with stderr_silenced():
            self._lib.snd_pcm_close(self._pcm)


# ---------------------------------------------------------------------------------------------
# simpleaudio: long buffers, cut in silence, each started when the clock says (no wait_done).

CHUNK_MIN_FRAMES = 10 * SAMPLE_RATE
CHUNK_MAX_FRAMES = 30 * SAMPLE_RATE
QUIET_RUN_FRAMES = SAMPLE_RATE // 20  # a cut needs 50 ms of silence around it
QUIET_LEVEL = 8  # int16 amplitude that counts as silence


def quiet_cut_frame(pcm: bytes | bytearray, min_frames: int, max_frames: int,
                    run_frames: int = QUIET_RUN_FRAMES) -> int:
    """Where to end a buffer: mid-way through the last silent run in [min, max], else max.

    A new stream's first milliseconds can land a little early or late; in silence that is
    inaudible. Returns a frame count (≤ the frames in pcm).
    """
    total = len(pcm) // PCM16_BYTES
    if total <= max_frames:
        return total
    x = np.frombuffer(pcm, dtype="<i2", count=max_frames)[min_frames:]
    quiet = np.concatenate(([0], (np.abs(x.astype(np.int32)) <= QUIET_LEVEL).astype(np.int8),
                            [0]))
    edges = np.flatnonzero(np.diff(quiet))
    starts, ends = edges[::2], edges[1::2]
    long_runs = np.flatnonzero(ends - starts >= run_frames)
    if not len(long_runs):
        return max_frames
    i = long_runs[-1]
    return min_frames + int((starts[i] + ends[i]) // 2)


@dataclass
class _Chunk:
    play: Any  # simpleaudio PlayObject
    pcm: bytes
    first_frame: int  # stream frame of pcm[0]


class SimpleaudioOutput:
    """simpleaudio buffers scheduled on the clock: buffer k starts at anchor + its frame / rate.

    Start times come from the clock, never from wait_done(), so nothing accumulates; a resume
    re-anchors the schedule at the paused frame. Pause stops within simpleaudio's ~0.1 s buffer.
    """

    name = "simpleaudio"
    can_pause = True
    LOOKAHEAD_FRAMES = 2 * CHUNK_MAX_FRAMES

    def __init__(self, sa: Any, sample_rate: int, clock=time.monotonic) -> None:
        self._sa, self.sample_rate, self._clock = sa, sample_rate, clock
        self._queue = bytearray()  # written, not yet handed to simpleaudio
        self._chunks: list[_Chunk] = []
        self._scheduled = 0  # stream frames handed to simpleaudio
        self._anchor: tuple[float, int] | None = None  # (clock time, stream frame)
        self._paused_at: int | None = None

    @classmethod
    def open(cls, sample_rate: int) -> SimpleaudioOutput:
        """Imports simpleaudio and opens the device once with nothing in it; OSError if none."""
        try:
            import simpleaudio
        except ImportError as exc:
            raise OSError(f"simpleaudio is not installed: {exc}") from None
        with stderr_silenced():
            try:
                simpleaudio.play_buffer(b"", 1, PCM16_BYTES, sample_rate).wait_done()
            except Exception as exc:  # SimpleaudioError has no importable base
                raise OSError(str(exc)) from None
        return cls(simpleaudio, sample_rate)

    def _next_start_s(self) -> float:
        if self._anchor is None:
            self._anchor = (self._clock(), self._scheduled)
        anchor_s, anchor_frame = self._anchor
        return anchor_s + (self._scheduled - anchor_frame) / self.sample_rate

    def _service(self) -> None:
        if self._paused_at is not None or not self._queue:
            return
        if self._clock() < self._next_start_s() - 0.001:
            return
        n = quiet_cut_frame(self._queue, CHUNK_MIN_FRAMES, CHUNK_MAX_FRAMES)
        pcm = bytes(self._queue[:n * PCM16_BYTES])
        del self._queue[:n * PCM16_BYTES]
        play = self._sa.play_buffer(pcm, 1, PCM16_BYTES, self.sample_rate)
        self._chunks = [c for c in self._chunks if c.play.is_playing()] + [
            _Chunk(play, pcm, self._scheduled)]
        self._scheduled += n

    def room_frames(self) -> int:
        return max(0, self.LOOKAHEAD_FRAMES - len(self._queue) // PCM16_BYTES)

    def write(self, pcm: bytes | memoryview) -> int:
        self._queue += pcm  # started by the next look at the position, with the queue full
        return len(pcm) // PCM16_BYTES

    def played_frames(self) -> int:
        self._service()
        if self._paused_at is not None:
            return self._paused_at
        if self._anchor is None:
            return self._scheduled
        anchor_s, anchor_frame = self._anchor
        heard = anchor_frame + int((self._clock() - anchor_s) * self.sample_rate)
        return max(anchor_frame, min(heard, self._scheduled))

    def _stop_all(self) -> int:
        played = self.played_frames()
        for chunk in self._chunks:
            chunk.play.stop()
        return played

    def pause(self) -> None:
        played = self._stop_all()
        unheard = b"".join(c.pcm[max(0, played - c.first_frame) * PCM16_BYTES:]
                           for c in self._chunks if c.first_frame + len(c.pcm) // 2 > played)
        self._queue[:0] = unheard
        self._chunks, self._scheduled, self._paused_at = [], played, played

    def resume(self) -> None:
        self._paused_at, self._anchor = None, None
        self._service()

    def flush(self) -> None:
        played = self._stop_all()
        self._queue.clear()
        self._chunks, self._scheduled, self._paused_at, self._anchor = [], played, None, None

    def finish(self) -> None:
        self._service()

    def idle(self) -> bool:
        if self._queue or self.played_frames() < self._scheduled:
            return False
        return not any(c.play.is_playing() for c in self._chunks)

    def wake_s(self) -> float | None:
        if self._paused_at is not None or not self._queue:
            return None
        return max(0.0, self._next_start_s() - self._clock())

    def close(self) -> None:
        with stderr_silenced():
            self._stop_all()
            for chunk in self._chunks:
                chunk.play.wait_done()


# ---------------------------------------------------------------------------------------------
# Choosing and opening the device.


@contextlib.contextmanager
def open_output(routine: str, sample_rate: int = SAMPLE_RATE,
                hint: str | None = None) -> Iterator[Output]:
    """The sound output, stopped and closed on the way out (Ctrl-C included).

    routine: what the person typed, for the hint (or `hint` itself). Raises EngineError when
    there is no device.
    """
    output = _open_backend(routine, sample_rate, hint)
    try:
        yield output
    finally:
        with stderr_silenced():
            output.flush()
        output.close()


def _open_backend(routine: str, sample_rate: int, hint: str | None = None) -> Any:
    backend = os.environ.get(ENV_BACKEND, "") or "auto"
    if backend not in ("auto", "alsa", "simpleaudio"):
        raise UsageError(f"{ENV_BACKEND}={backend} is not a sound backend",
                         "use alsa or simpleaudio, or leave it unset")
    linux = sys.platform.startswith("linux")
    lib = load_libasound() if backend != "simpleaudio" and linux else None
    try:
        if lib is not None:
            return AlsaOutput.open(lib, sample_rate)
        if backend == "alsa":
            raise OSError("libasound is not available")
        return SimpleaudioOutput.open(sample_rate)
    except OSError as exc:
        raise no_device_error(routine, hint) from exc
