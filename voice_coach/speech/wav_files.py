"""The clips the pyttsx3 worker writes: waiting until a WAV is whole, reading it (any format,
through ffmpeg when it is not WAV), and removing the temp folders of killed runs.
No engine here: files in, samples out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

from voice_coach.basics.errors import EngineError
from voice_coach.plan.timeline import SAMPLE_RATE

POLL_S = 0.002

TEMP_PREFIX = "voice-coach-pyttsx3-"


def sweep_temp_dirs() -> None:
    """Remove the temp folders of engines whose process was killed (SIGKILL leaves them)."""
    root = Path(tempfile.gettempdir())
    try:
        names = [n for n in os.listdir(root) if n.startswith(TEMP_PREFIX)]
    except OSError:
        return
    for name in names:
        pid = name[len(TEMP_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue  # alive (or not ours to ask about): leave it
        except ProcessLookupError:
            shutil.rmtree(root / name, ignore_errors=True)
        except (OSError, OverflowError):
            continue


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


def wav_complete(path: Path) -> bool:
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


def wait_for_file(path: Path, timeout_s: float) -> bool:
    """Wait until the file is complete and its size stays the same for two polls."""
    deadline = time.monotonic() + timeout_s
    last_size = -1
    while time.monotonic() < deadline:
        is_wav = path.suffix == ".wav"
        if path.exists() and (wav_complete(path) if is_wav else path.stat().st_size > 0):
            size = path.stat().st_size
            if size == last_size:
                return True
            last_size = size
        time.sleep(POLL_S)
    return False
