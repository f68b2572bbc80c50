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

from voice_coach.errors import EngineError
from voice_coach.speech import (
    Voice,
    check_variant,
    resample_to,
    resolve_voice,
    speakable,
    trim_silence,
)
from voice_coach.timeline import SAMPLE_RATE

INSTALL_HINT = "install it: pip install pyttsx3 (on Linux also: sudo apt-get install espeak-ng)"
MAX_ATTEMPTS = 5  # renders of one phrase before giving up (defects hit ~1 in 1,500)
PROPERTY_SETS = 3  # one setProperty('rate') was applied only half the time; three, every time
START_TIMEOUT_S = 30.0
POLL_S = 0.002


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
        self._tmp_dir = Path(tempfile.mkdtemp(prefix="voice-coach-pyttsx3-"))
        self._n_files = 0
        self._voices: list[Voice] | None = None
        self._variants: set[str] | None = None
        # Measured defects, for the stress report: extra renders and what caused them.
        self.stats = {"renders": 0, "retries": 0, "restarts": 0, "rate_resets": 0, "late_files": 0}
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
        threading.Thread(
            target=_pump_lines, args=(self._proc.stdout, self._replies), daemon=True
        ).start()
        hello = self._receive(START_TIMEOUT_S)
        if hello is None or not hello.get("ok"):
            self._kill()
            error = (hello or {}).get("error", "the worker did not start")
            if "No module named 'pyttsx3'" in str(error):
                raise EngineError("speech engine library pyttsx3 not found", hint=INSTALL_HINT)
            raise EngineError(f"pyttsx3 could not start: {error}", hint=INSTALL_HINT)
        return hello

    def _receive(self, timeout_s: float) -> dict[str, Any] | None:
        try:
            line = self._replies.get(timeout=timeout_s)
        except queue.Empty:
            return None
        return None if line is None else json.loads(line)

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


def read_audio_file(path: Path) -> tuple[np.ndarray, int]:
    """(int16 mono samples, sample_rate) of a WAV file (or, via ffmpeg, any other format)."""
    try:
        with wave.open(str(path), "rb") as wav:
            n_channels, sample_width = wav.getnchannels(), wav.getsampwidth()
            sample_rate = wav.getframerate()
            data = wav.readframes(wav.getnframes())
    except wave.Error:
        return _decode_with_ffmpeg(path), SAMPLE_RATE
    if sample_width == 1:
        samples = (np.frombuffer(data, dtype=np.uint8).astype(np.int16) - 128) << 8
    elif sample_width == 2:
        samples = np.frombuffer(data, dtype="<i2").astype(np.int16)
    elif sample_width == 4:
        samples = (np.frombuffer(data, dtype="<i4") >> 16).astype(np.int16)
    else:
        raise wave.Error(f"unsupported sample width {sample_width}")
    if n_channels > 1:
        usable = samples.size - samples.size % n_channels
        samples = samples[:usable].reshape(-1, n_channels).mean(axis=1).astype(np.int16)
    return samples, sample_rate


def _decode_with_ffmpeg(path: Path) -> np.ndarray:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise EngineError("ffmpeg not found to read pyttsx3's output", hint="install ffmpeg")
    command = [ffmpeg, "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1"]
    command += ["-ar", str(SAMPLE_RATE), "-"]
    done = subprocess.run(command, capture_output=True, timeout=60, check=False)
    if done.returncode != 0:
        raise EngineError(f"ffmpeg could not read {path.name}")
    return np.frombuffer(done.stdout, dtype="<i2").astype(np.int16)


# -- the worker process ----------------------------------------------------------------------


def _wav_complete(path: Path) -> bool:
    """True once `path` is a WAV whose header data size matches the bytes on disk."""
    try:
        size = path.stat().st_size
        if size < 44:
            return False
        with wave.open(str(path), "rb") as wav:
            expected = wav.getnframes() * wav.getsampwidth() * wav.getnchannels()
        return size >= expected + 44
    except (OSError, EOFError, wave.Error):
        return False


def _wait_for_file(path: Path, timeout_s: float) -> bool:
    """Wait until the file is complete and its size stays the same for two polls."""
    deadline = time.monotonic() + timeout_s
    last_size = -1
    while time.monotonic() < deadline:
        is_wav = path.suffix == ".wav"
        if path.exists() and (_wav_complete(path) if is_wav else path.stat().st_size > 0):
            size = path.stat().st_size
            if size == last_size:
                return True
            last_size = size
        time.sleep(POLL_S)
    return False


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
        complete = _wait_for_file(path, 2.0 + 0.01 * len(text))
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
        request = json.loads(line)
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
