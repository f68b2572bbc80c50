"""libespeak-ng called directly through ctypes in synchronous mode: the Linux default engine,
because it passed 3,000 alternating renders with no empty clip and no retry at ~1 ms a phrase,
while pyttsx3 (on this same library) needs a guarded worker process and still retries
(scripts/speech_stress.py).

Text is always plain UTF-8 (never SSML or [[phoneme]] input): cue text is spoken literally.
The library runs in a small helper process (espeak_zygote.py) that forks a fresh copy of itself
for every phrase, so a phrase's samples never depend on what was said before it; one helper per
process, started on first use and stopped at exit. Nothing runs at import.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from voice_coach.basics.errors import EngineError, UsageError
from voice_coach.speech.engine_api import Voice
from voice_coach.speech.text import speakable
from voice_coach.speech.trim import trim_silence
from voice_coach.speech.voice_names import check_variant, resolve_voice

LIBRARY_NAMES = ("libespeak-ng.so.1", "libespeak-ng.so", "libespeak-ng.1.dylib", "libespeak-ng.dll")
INSTALL_HINT = "install it: sudo apt-get install espeak-ng"
DATA_HINT = "reinstall its data: sudo apt-get install --reinstall espeak-ng-data"
START_TIMEOUT_S = 30.0
ZYGOTE = Path(__file__).with_name("espeak_zygote.py")
_FRAME = struct.Struct("<I")
# Marks clips made from a fresh engine state, so cached clips from the old, history-dependent
# synthesis are never mixed with them (the version is part of the cache key).
FRESH_STATE = "fresh state per phrase"


def reply_timeout_s(text: str) -> float:
    # Generous: a phrase takes a few ms; only a hang (seconds of nothing) should trip it.
    return 20.0 + 0.05 * len(text)


class EspeakLibrary:
    """libespeak-ng in its helper process (espeak_zygote.py): one per process, shared by every
    engine (get()); every request holds `lock`."""

    _instance: EspeakLibrary | None = None
    _instance_lock = threading.Lock()

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: BinaryIO | None = None
        self.version = self._start()

    @classmethod
    def get(cls) -> EspeakLibrary:
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
                atexit.register(cls._instance.stop)
            return cls._instance

    def _start(self) -> str:
        # stderr goes to a private unlinked file: libespeak-ng's own messages (a missing data
        # folder, PulseAudio) never reach the terminal, and are quoted when it fails to start.
        self._stderr = tempfile.TemporaryFile()
        self._proc = subprocess.Popen(
            [sys.executable, "-S", str(ZYGOTE), *LIBRARY_NAMES], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self._stderr, close_fds=True,
        )
        hello = self._read(START_TIMEOUT_S)
        if hello is None or not hello[0].get("ok"):
            header = hello[0] if hello else {}
            noise = self._stderr_tail()
            self.stop()
            if header.get("kind") == "missing":
                raise EngineError("speech engine library libespeak-ng not found", hint=INSTALL_HINT)
            reason = header.get("error") or "its helper process did not start"
            raise EngineError(f"{reason}" + (f": {noise}" if noise else ""), hint=DATA_HINT)
        return str(hello[0].get("version", "?"))

    def _stderr_tail(self) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.seek(0)
            lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        except (OSError, ValueError):
            return ""
        return lines[-1].strip() if lines else ""

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()  # type: ignore[union-attr]
                except OSError:
                    pass
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def request(self, message: dict[str, Any], timeout_s: float) -> tuple[dict[str, Any], bytes]:
        """The helper's answer (header, payload); restarts a dead or hung helper once."""
        with self.lock:
            for _attempt in (1, 2):
                if self._proc is None:
                    self.version = self._start()
                answer = self._exchange(message, timeout_s)
                if answer is not None:
                    return answer
                self.stop()
            raise EngineError("the espeak-ng helper process stopped answering",
                              hint="try again; if it keeps happening, reinstall espeak-ng")

    def _exchange(self, message: dict[str, Any], timeout_s: float
                  ) -> tuple[dict[str, Any], bytes] | None:
        assert self._proc is not None and self._proc.stdin is not None
        body = json.dumps(message).encode("utf-8")
        try:
            self._proc.stdin.write(_FRAME.pack(len(body)) + body)
            self._proc.stdin.flush()
        except OSError:
            return None
        return self._read(timeout_s)

    def _read(self, timeout_s: float) -> tuple[dict[str, Any], bytes] | None:
        """One framed answer, or None if the helper died, hung or sent something else."""
        assert self._proc is not None and self._proc.stdout is not None
        deadline = time.monotonic() + timeout_s
        head = _read_exactly(self._proc.stdout, _FRAME.size, deadline)
        if head is None:
            return None
        body = _read_exactly(self._proc.stdout, _FRAME.unpack(head)[0], deadline)
        try:
            header = json.loads(body) if body is not None else None
        except ValueError:
            header = None
        if not isinstance(header, dict):
            return None
        n_bytes = int(header.get("n_bytes", 0) or 0)
        payload = _read_exactly(self._proc.stdout, n_bytes, deadline) if n_bytes else b""
        if payload is None:
            return None
        return header, payload


def load_library() -> EspeakLibrary:
    """A new helper process with libespeak-ng loaded (from LIBRARY_NAMES) and initialised.

    Raises EngineError (with what to install) when the library or its data is missing."""
    return EspeakLibrary()


def _read_exactly(stream: BinaryIO, n: int, deadline: float) -> bytes | None:
    """n bytes from the pipe, or None at end of file or past the deadline."""
    parts = []
    fd = stream.fileno()
    while n:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


class EspeakEngine:
    """SpeechEngine on libespeak-ng: native 22050 Hz, a few ms a short phrase, every rate
    applied, and every phrase made from the same fresh engine state (see espeak_zygote.py)."""

    name = "espeak"

    def __init__(self) -> None:
        self._helper = EspeakLibrary.get()
        self.version = f"libespeak-ng {self._helper.version}, {FRESH_STATE}"
        self._voices: list[Voice] | None = None
        self._variants: set[str] | None = None

    def _list(self, languages: str | None = None) -> list[list[str]]:
        header, _ = self._helper.request({"op": "voices", "languages": languages},
                                         START_TIMEOUT_S)
        if not header.get("ok") or not isinstance(header.get("voices"), list):
            raise EngineError(f"espeak-ng did not list its voices: {header.get('error', '?')}",
                              hint=INSTALL_HINT)
        return header["voices"]

    def voices(self) -> list[Voice]:
        """Every usable voice; MBROLA ("mb/") voices are left out: they need extra packages
        and a failed one switches espeak-ng to a voice that renders nothing."""
        if self._voices is None:
            self._voices = [
                Voice(id=ident, language=lang, name=name)
                for ident, lang, name in self._list()
                if not ident.startswith("mb/")
            ]
        return list(self._voices)

    def variants(self) -> set[str]:
        """Lower-case variant names usable after '+' (e.g. "f3", "klatt")."""
        if self._variants is None:
            self._variants = {ident.rsplit("/", 1)[-1].lower() for ident, _, _ in
                              self._list("variant")}
        return set(self._variants)

    def synthesize(self, text: str, voice: str, rate_wpm: int, volume: float) -> np.ndarray:
        """int16 mono clip at 22050 Hz of `text` read literally, edge silence trimmed.

        voice: id, language or name (resolved like synthesize_all does); rate_wpm 80..450;
        volume 0.0..1.0. The same arguments give the same samples, whatever was said before.
        Raises UsageError for an unknown voice or variant, EngineError if the engine fails.
        """
        voice_id = check_variant(resolve_voice(voice, self.voices()), self.variants)
        text = speakable(text)
        if not text.strip():
            return np.zeros(0, dtype=np.int16)
        header, pcm = self._helper.request(
            {"op": "synth", "text": text, "voice": voice_id, "rate_wpm": int(rate_wpm),
             "volume": float(volume)}, reply_timeout_s(text))
        if not header.get("ok"):
            error = str(header.get("error", "unknown failure"))
            if header.get("kind") == "voice":
                raise UsageError(error)
            raise EngineError(f"{error} for {text[:40]!r}", hint=INSTALL_HINT)
        if len(pcm) % 2:
            raise EngineError(f"espeak-ng returned a partial sample for {text[:40]!r}")
        raw = np.frombuffer(pcm, dtype="<i2").astype(np.int16)
        return trim_silence(raw).copy()

    def close(self) -> None:
        """Nothing to free: the helper process serves every engine of this process until exit."""
