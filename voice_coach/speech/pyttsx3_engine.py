"""pyttsx3, the portable speech engine, run in a guarded worker process; the only pyttsx3 importer.

On Linux pyttsx3 2.99 drops rate changes, returns before its file is written, now and then writes
0 frames and hangs forever on a second init (AUDIO_STACK.md). The worker makes every clip right
despite that; a hung or dead worker is killed and restarted. Its stdout never reaches ours.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

from voice_coach.basics.errors import EngineError
from voice_coach.speech.engine_api import Voice
from voice_coach.speech.resample import resample_to
from voice_coach.speech.text import speakable
from voice_coach.speech.trim import trim_silence
from voice_coach.speech.voice_names import check_variant, resolve_voice
from voice_coach.speech.wav_files import (  # noqa: F401 - read_audio_file: re-exported
    TEMP_PREFIX,
    read_audio_file,
    sweep_temp_dirs,
    wait_for_file,
)

INSTALL_HINT = "install it: pip install pyttsx3 (on Linux also: sudo apt-get install espeak-ng)"
MAX_ATTEMPTS = 5  # renders of one phrase before giving up (defects hit ~1 in 1,500)
PROPERTY_SETS = 3  # one setProperty('rate') was applied only half the time; three, every time
START_TIMEOUT_S = 30.0


def reply_timeout_s(text: str) -> float:
    # Generous: a phrase takes ~10 ms; only a hang (seconds of nothing) should trip it.
    return 10.0 + 0.05 * len(text) * MAX_ATTEMPTS


class Pyttsx3Engine:
    """SpeechEngine on pyttsx3 in a worker subprocess speaking a JSON-lines protocol."""

    name = "pyttsx3"

    def __init__(self) -> None:
        self._proc: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[str | None] = queue.Queue()
        self._lock = threading.Lock()
        sweep_temp_dirs()
        self._tmp_dir = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
        self._n_files = 0
        self._voices: list[Voice] | None = None
        self._variants: set[str] | None = None
        # Measured defects, for the stress report: extra renders and what caused them.
        self.stats = {"renders": 0, "retries": 0, "restarts": 0, "rate_resets": 0, "late_files": 0,
                      "noise_lines": 0}
        try:
            hello = self._start()
        except BaseException:  # no engine, so no close(): remove the temp dir here
            shutil.rmtree(self._tmp_dir, ignore_errors=True)
            raise
        self.version = str(hello["version"])

    # -- worker management -------------------------------------------------------------------

    @property
    def worker(self) -> subprocess.Popen | None:
        """The worker process speaking for this engine (None between a crash and its restart)."""
        return self._proc

    def _start(self) -> dict[str, Any]:
        root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
        env["PYTHONIOENCODING"] = "utf-8"
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "voice_coach.speech.pyttsx3_engine"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=str(self._tmp_dir),
        )
        self._replies = queue.Queue()
        self._reader = threading.Thread(
            target=_pump_lines, args=(self._proc.stdout, self._replies), daemon=True
        )
        self._reader.start()
        hello = self._receive(START_TIMEOUT_S)
        if hello is None or not hello.get("ok"):
            self._kill()
            error = (hello or {}).get("error", "the worker did not start")
            if "No module named 'pyttsx3'" in str(error):
                raise EngineError("speech engine library pyttsx3 not found", hint=INSTALL_HINT)
            raise EngineError(f"pyttsx3 could not start: {error}", hint=INSTALL_HINT)
        return hello

    def _receive(self, timeout_s: float) -> dict[str, Any] | None:
        """The worker's next reply; None if it died or hung. Lines that are not replies (a
        library or a sitecustomize printing to the worker's stdout before our protocol took it
        over) are skipped and counted, never parsed as one."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                line = self._replies.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if line is None:
                return None
            try:
                reply = json.loads(line)
            except ValueError:
                reply = None
            if isinstance(reply, dict) and "ok" in reply:
                return reply
            self.stats["noise_lines"] += 1

    def _request(self, message: dict[str, Any], timeout_s: float) -> dict[str, Any] | None:
        """Send one request; None if the worker died or hung (it is then killed)."""
        if self._proc is None or self._proc.poll() is not None:
            self.stats["restarts"] += 1
            self._start()
        assert self._proc is not None and self._proc.stdin is not None
        try:
            self._proc.stdin.write(json.dumps(message) + "\n")
            self._proc.stdin.flush()
        except OSError:
            self._kill()
            return None
        reply = self._receive(timeout_s)
        if reply is None:
            self._kill()
        return reply

    def _kill(self) -> None:
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait()
            # The dead worker's pipe ends: the reader thread sees end of file and stops. Wait
            # for it before closing the pipe, so no thread is ever left inside a read (at exit
            # that was a fatal "could not acquire lock" abort, exit status 134).
            reader = getattr(self, "_reader", None)
            if reader is not None and reader is not threading.current_thread():
                reader.join(timeout=5)
            for stream in (self._proc.stdin, self._proc.stdout):
                if stream is not None:
                    try:
                        stream.close()
                    except OSError:
                        pass
            self._proc = None

    # -- SpeechEngine ------------------------------------------------------------------------

    def voices(self) -> list[Voice]:
        if self._voices is None:
            with self._lock:
                reply = self._request({"op": "voices"}, START_TIMEOUT_S)
            if reply is None or not reply.get("ok"):
                raise EngineError("pyttsx3 did not list its voices", hint=INSTALL_HINT)
            self._voices = [Voice(*v) for v in reply["voices"] if not v[0].startswith("mb/")]
        return list(self._voices)

    def variants(self) -> set[str]:
        """Lower-case variant names usable after '+' (espeak-ng driver only, else none)."""
        if self._variants is None:
            with self._lock:
                reply = self._request({"op": "variants"}, START_TIMEOUT_S)
            if reply is None or not reply.get("ok"):
                raise EngineError("pyttsx3 did not list its voice variants", hint=INSTALL_HINT)
            self._variants = {str(v).lower() for v in reply["variants"]}
        return set(self._variants)

    def synthesize(self, text: str, voice: str, rate_wpm: int, volume: float) -> np.ndarray:
        """int16 mono clip at 22050 Hz, edge silence trimmed; retried until the render is right.

        voice: id, language or name; rate_wpm 80..450; volume 0.0..1.0.
        Raises UsageError for an unknown voice, EngineError if no attempt succeeds.
        """
        voice_id = check_variant(resolve_voice(voice, self.voices()), self.variants)
        text = speakable(text)
        if not text.strip():
            return np.zeros(0, dtype=np.int16)  # pyttsx3 asserts on empty text
        with self._lock:
            for attempt in range(1, MAX_ATTEMPTS + 1):
                self._n_files += 1
                suffix = ".aiff" if sys.platform == "darwin" else ".wav"
                path = self._tmp_dir / f"clip-{self._n_files}{suffix}"
                request = {
                    "op": "synth",
                    "text": text,
                    "voice": voice_id,
                    "rate_wpm": int(rate_wpm),
                    "volume": float(volume),
                    "path": str(path),
                }
                reply = self._request(request, reply_timeout_s(text))
                self.stats["renders"] += 1
                if attempt > 1:
                    self.stats["retries"] += 1
                if reply is None:
                    continue  # hung or died: killed, restarted by the next request
                self.stats["rate_resets"] += int(reply.get("rate_resets", 0))
                self.stats["late_files"] += int(reply.get("late", 0))
                samples = self._read_clip(reply, path)
                if samples is not None:
                    return samples
            raise EngineError(
                f"pyttsx3 failed {MAX_ATTEMPTS} times to render {text[:40]!r}",
                hint="try the espeak engine (voice: {engine: espeak}), or reinstall espeak-ng",
            )

    def _read_clip(self, reply: dict[str, Any], path: Path) -> np.ndarray | None:
        try:
            if not reply.get("ok"):
                return None
            samples, sample_rate = read_audio_file(path)
        except (OSError, EOFError, wave.Error, EngineError):
            return None
        finally:
            try:
                path.unlink()
            except OSError:
                pass
        if samples.size == 0:
            return None  # the 0-frame defect; a silent but non-empty render is genuine
        return trim_silence(resample_to(samples, sample_rate)).copy()

    def close(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                try:
                    self._proc.stdin.close()  # type: ignore[union-attr]
                    self._proc.wait(timeout=2)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            self._kill()
            shutil.rmtree(self._tmp_dir, ignore_errors=True)

    def __del__(self) -> None:
        if getattr(self, "_proc", None) is not None:
            self.close()


def _pump_lines(stream: Any, replies: queue.Queue[str | None]) -> None:
    try:
        for line in stream:
            replies.put(line)
    except (OSError, ValueError):
        pass
    replies.put(None)


# -- the worker process ----------------------------------------------------------------------


def _worker_synth(engine: Any, request: dict[str, Any]) -> dict[str, Any]:
    text, voice_id = request["text"], request["voice"]
    rate_wpm, volume = request["rate_wpm"], request["volume"]
    path = Path(request["path"])
    rate_resets = 0
    late = 0
    for _ in range(MAX_ATTEMPTS):
        # Properties are queued and applied at runAndWait; one set is often lost: set three
        # times, then check what was in effect for the render and redo it if it was wrong.
        for _ in range(PROPERTY_SETS):
            engine.setProperty("voice", voice_id)
            engine.setProperty("rate", rate_wpm)
            engine.setProperty("volume", volume)
        engine.save_to_file(text, str(path))
        engine.runAndWait()
        started = time.monotonic()
        complete = wait_for_file(path, 2.0 + 0.01 * len(text))
        if time.monotonic() - started > 0.05:
            late += 1
        applied = (
            engine.getProperty("rate") == rate_wpm
            and str(engine.getProperty("voice") or "").lower() == voice_id.lower()
            and abs(float(engine.getProperty("volume")) - volume) < 0.011
        )
        if complete and applied:
            return {"ok": True, "rate_resets": rate_resets, "late": late}
        if not applied:
            rate_resets += 1
        try:
            path.unlink()
        except OSError:
            pass
    return {"ok": False, "error": "render incomplete", "rate_resets": rate_resets, "late": late}


def _worker_voices(engine: Any) -> dict[str, Any]:
    voices = []
    for v in engine.getProperty("voices"):
        languages = getattr(v, "languages", None) or [""]
        language = languages[0]
        if isinstance(language, bytes):
            language = language.decode("utf-8", "replace")
        voices.append([str(v.id), str(language).lstrip("\x00\x01\x02\x03\x04\x05"), str(v.name)])
    return {"ok": True, "voices": voices}


def _worker_variants(engine: Any) -> dict[str, Any]:
    if type(engine.proxy._driver).__module__.rsplit(".", 1)[-1] != "espeak":
        return {"ok": True, "variants": []}
    import ctypes

    from pyttsx3.drivers import _espeak

    spec = _espeak.VOICE()
    spec.languages = b"variant"
    found = _espeak.ListVoices(ctypes.pointer(spec))
    return {"ok": True, "variants": [v.identifier.decode().rsplit("/", 1)[-1] for v in found]}


def _worker_main() -> None:
    # Our protocol gets a private copy of stdout; fd 1 itself (pyttsx3 prints "Audio saved to
    # ..." on every save) goes to /dev/null, so nothing reaches the parent's terminal.
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115

    def send(message: dict[str, Any]) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    try:
        from importlib.metadata import version

        import pyttsx3

        engine = pyttsx3.init()  # once per process: a second init hangs the first engine
        driver = type(engine.proxy._driver).__module__.rsplit(".", 1)[-1]
        library = ""
        if driver == "espeak":
            from pyttsx3.drivers import _espeak

            library = " / libespeak-ng " + (_espeak.Info() or b"?").decode("ascii", "replace")
        send({"ok": True, "version": f"pyttsx3 {version('pyttsx3')} {driver}{library}"})
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises EngineError
        send({"ok": False, "error": f"{type(exc).__name__}: {exc}"})
        return
    for line in sys.stdin:
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            send({"ok": False, "error": f"bad request: {exc}"})
            continue
        try:
            if request["op"] == "voices":
                send(_worker_voices(engine))
            elif request["op"] == "variants":
                send(_worker_variants(engine))
            else:
                send(_worker_synth(engine, request))
        except Exception as exc:  # noqa: BLE001
            send({"ok": False, "error": f"{type(exc).__name__}: {exc}"})


if __name__ == "__main__":
    _worker_main()
