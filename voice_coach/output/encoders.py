"""The encoders write_audio streams PCM into: the stdlib wave module for WAV, an ffmpeg process for
everything else. Each writes the temp file it is given; export.py renames it into place.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import struct
import subprocess
import tempfile
import wave
from pathlib import Path
from typing import BinaryIO, Protocol

from voice_coach.basics.errors import EngineError
from voice_coach.output.os_errors import output_error

FFMPEG_HINT = "install it: sudo apt-get install ffmpeg; or write .wav, which needs no ffmpeg"


class Sink(Protocol):
    def write(self, pcm: bytes) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...


class WavSink:
    """16-bit mono WAV through the stdlib wave module (header patched on close)."""

    def __init__(self, tmp: Path, target: Path, sample_rate: int, n_frames: int) -> None:
        self._target = target
        try:
            self._wav = wave.open(str(tmp), "wb")
            self._wav.setnchannels(1)
            self._wav.setsampwidth(2)
            self._wav.setframerate(sample_rate)
            self._wav.setnframes(n_frames)
        except OSError as exc:
            raise output_error(exc, target) from exc

    def write(self, pcm: bytes) -> None:
        try:
            self._wav.writeframesraw(pcm)
        except OSError as exc:
            raise output_error(exc, self._target) from exc

    def finish(self) -> None:
        try:
            self._wav.close()
        except OSError as exc:
            raise output_error(exc, self._target) from exc

    def abort(self) -> None:
        try:
            self._wav.close()
        except Exception:  # the temp file is removed next; the first error is the one to report
            pass


class FfmpegSink:
    """ffmpeg reading raw s16le mono PCM on stdin and writing the temp file itself."""

    def __init__(
        self, ffmpeg: str, codec_args: list[str], tmp: Path, target: Path, sample_rate: int,
        metadata: BinaryIO | None = None,
    ) -> None:
        self._target = target
        self._stderr: BinaryIO = tempfile.TemporaryFile()  # a file, so ffmpeg can never block
        pass_fds: tuple[int, ...] = ()
        if metadata is None:
            mapping = ["-map_metadata", "-1"]
        else:  # an unlinked file, passed open: nothing to clean up, even after a SIGKILL
            pass_fds = (metadata.fileno(),)
            mapping = ["-f", "ffmetadata", "-i", f"file:/dev/fd/{metadata.fileno()}",
                       "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1"]
        command = [
            ffmpeg,
            "-hide_banner",
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            # with a second input (the metadata file) ffmpeg reads the pipe through a thread
            # queue; its default of 8 packets made a FLAC encode 15 times slower
            "-thread_queue_size",
            "512",
            # a WAV stream rather than raw s16le: the wav demuxer hands on packets twice as
            # large, and the same encode took 12% less time (the encoded bytes are the same);
            # its header gives no length, so ffmpeg reads to the end of the pipe
            "-f",
            "wav",
            "-ignore_length",
            "1",
            "-i",
            "pipe:0",
            *mapping,
            "-fflags",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            *codec_args,
            f"file:{tmp}",
        ]
        try:
            self._proc = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self._stderr,
                pass_fds=pass_fds,
            )
        except OSError as exc:
            self._stderr.close()
            raise EngineError(
                f"cannot run ffmpeg ({ffmpeg}): {exc.strerror}", hint=FFMPEG_HINT
            ) from exc
        self._stdin: BinaryIO = self._proc.stdin  # type: ignore[assignment]  # PIPE: never None
        self.write(wav_stream_header(sample_rate))

    def write(self, pcm: bytes) -> None:
        try:
            self._stdin.write(pcm)
        except BrokenPipeError:
            self._proc.wait()
            raise self._failure() from None

    def finish(self) -> None:
        try:
            self._stdin.close()
        except BrokenPipeError:
            pass
        if self._proc.wait() != 0:
            raise self._failure()
        self._stderr.close()

    def abort(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        try:
            self._stdin.close()
        except OSError:
            pass
        self._stderr.close()

    def _failure(self) -> Exception:
        """The error for a failed ffmpeg: OutputError for a full disk, else EngineError."""
        self._stderr.seek(0)
        lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        tail = "\n".join(lines[-5:]) or f"exit status {self._proc.returncode}"
        text = tail.lower()
        if self._proc.returncode == -signal.SIGXFSZ:  # a file-size limit (ulimit -f) killed it
            text += os.strerror(errno.EFBIG).lower()
        for code in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
            if os.strerror(code).lower() in text:
                return output_error(OSError(code, os.strerror(code)), self._target)
        return EngineError(
            f"ffmpeg failed writing {self._target}:\n{tail}", hint="see ffmpeg's message above"
        )


def wav_stream_header(sample_rate: int) -> bytes:
    """The header of a 16-bit mono WAV stream of unknown length (both sizes at their maximum,
    as a pipe cannot be patched afterwards)."""
    unknown = 0xFFFFFFFF
    return (b"RIFF" + struct.pack("<I", unknown) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, sample_rate, sample_rate * 2, 2, 16)
            + b"data" + struct.pack("<I", unknown))


def find_ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if not found:
        raise EngineError("ffmpeg not found", hint=FFMPEG_HINT)
    return found
