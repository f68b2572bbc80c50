"""Write mixed blocks to an audio file: WAV with the stdlib; MP3, M4A (AAC), Ogg (Opus) and FLAC
through ffmpeg, with their tags and chapters.

The edge that writes files. Streams (never holds a session in memory), writes to a hidden temp
file beside the target and renames it into place; never leaves a half-written file.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import tempfile
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np

from voice_coach.errors import EngineError, OutputError, UsageError
from voice_coach.output import atomic
from voice_coach.output.atomic import (
    OutputSet,
    create_temp,
    output_error,
    remove_quietly,
)
from voice_coach.output.tags import Tags, ffmetadata, id3v2
from voice_coach.sound.mix import to_pcm16

MP3_VBR_QUALITY = 2  # LAME -V2: ~36 kbps for this speech at 22 kHz; silence costs next to nothing


@dataclass(frozen=True)
class AudioFormat:
    """An output format: its file extensions and, unless written natively, ffmpeg's codec args.

    tags: how its metadata is written: "id3" (our ID3v2.3 tag in front of ffmpeg's stream),
    "ffmetadata" (an ffmpeg metadata file with [CHAPTER]s), "vorbis" (the same, the chapters as
    CHAPTERxxx comments) or "" (none).
    """

    name: str
    extensions: tuple[str, ...]
    ffmpeg_args: Callable[[int | None], list[str]] | None = None  # bitrate_kbps → options
    tags: str = ""


def _mp3_args(bitrate_kbps: int | None) -> list[str]:
    # The Xing/LAME header records encoder delay and padding, so decoders give back the exact
    # length; ffmpeg can only write it because it writes to a (seekable) file, not a pipe.
    # VBR by default: a flight track's silent hours cost a few bytes a second, not 64 kbps.
    rate = ["-q:a", str(MP3_VBR_QUALITY)] if bitrate_kbps is None else ["-b:a", f"{bitrate_kbps}k"]
    return ["-c:a", "libmp3lame", *rate, "-write_xing", "1", "-id3v2_version", "0", "-f", "mp3"]


def _m4a_args(bitrate_kbps: int | None) -> list[str]:
    # ffmpeg's default AAC coder ("twoloop") took 4x longer and, at 64 kbps, lifted limited
    # speech peaks 3 dB past the ceiling; "fast" stayed under it
    return ["-c:a", "aac", "-aac_coder", "fast", "-b:a", f"{bitrate_kbps or 64}k",
            "-movflags", "+faststart", "-f", "ipod"]


def _ogg_args(bitrate_kbps: int | None) -> list[str]:
    # Opus runs at 48 kHz only; ffmpeg resamples. VBR, but libopus 1.3 went on spending about
    # 20 kbps on the digital silence after a sound: for a flight track, MP3 is far smaller.
    return ["-c:a", "libopus", "-b:a", f"{bitrate_kbps or 48}k", "-ar", "48000", "-f", "ogg"]


def _flac_args(bitrate_kbps: int | None) -> list[str]:
    return ["-c:a", "flac", "-f", "flac"]


_FORMATS = {
    f.name: f
    for f in (
        AudioFormat("wav", (".wav",)),
        AudioFormat("mp3", (".mp3",), _mp3_args, "id3"),
        AudioFormat("m4a", (".m4a",), _m4a_args, "ffmetadata"),
        AudioFormat("ogg", (".ogg", ".opus"), _ogg_args, "vorbis"),
        AudioFormat("flac", (".flac",), _flac_args, "vorbis"),
    )
}
FORMATS = tuple(_FORMATS)
_ALIASES = {"opus": "ogg", "aac": "m4a"}

FFMPEG_HINT = "install it: sudo apt-get install ffmpeg; or write .wav, which needs no ffmpeg"


def format_for(path: Path, explicit: str | None = None) -> str:
    """The output format: `explicit` (a --format value) if given, else from path's extension.

    Raises UsageError naming the known formats when neither gives one.
    """
    known = ", ".join(FORMATS)
    suffix = Path(path).suffix.lower()
    by_suffix = next((f.name for f in _FORMATS.values() if suffix in f.extensions), None)
    if explicit is not None:
        name = explicit.strip().lower().lstrip(".")
        name = _ALIASES.get(name, name)
        if name not in _FORMATS:
            raise UsageError(f"unknown format {explicit!r}", hint=f"formats: {known}")
        if by_suffix is not None and by_suffix != name:
            # Ogg in a file called .mp3 plays nowhere that trusts the name: say so, write nothing
            raise UsageError(
                f"the format {name} does not match the file name {Path(path).name!r}, which "
                f"says {by_suffix}",
                hint=f"name the file {Path(path).with_suffix(_FORMATS[name].extensions[0]).name}"
                f", or leave the format out",
            )
        return name
    if by_suffix is not None:
        return by_suffix
    what = f"extension {suffix!r}" if suffix else "no extension"
    names = ", ".join(f".{f}" for f in FORMATS[:-1]) + f" or .{FORMATS[-1]}"
    raise UsageError(
        f"cannot tell the audio format of {Path(path).name!r}: {what}",
        hint=f"name the file {names}, or pass --format ({known})",
    )


def write_audio(
    path: Path,
    blocks: Iterable[np.ndarray],
    *,
    sample_rate: int,
    n_frames: int,
    format: str | None = None,
    bitrate_kbps: int | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    tags: Tags | None = None,
) -> Path:
    """Stream float32 mono `blocks` (in [-1, 1]) into the audio file `path`; returns path.

    n_frames: the expected total, for the WAV header and progress(frames_done, n_frames),
    which is called after each block. bitrate_kbps applies to lossy formats (None: MP3 is VBR,
    M4A 64 kbps, Ogg Opus 48 kbps). tags: title, comment, chapters… for every format but WAV.
    Raises UsageError (exists without force, unknown format), OutputError (cannot write:
    missing or unwritable directory, disk full, file too large), EngineError (ffmpeg missing or
    failed). On any failure, or KeyboardInterrupt, an existing file at path is left untouched.
    """
    if sample_rate <= 0 or (bitrate_kbps is not None and bitrate_kbps <= 0):
        raise ValueError(
            f"sample_rate and bitrate_kbps must be positive, got {sample_rate} Hz, "
            f"{bitrate_kbps} kbps"
        )
    path = Path(path)
    fmt = format_for(path, format)
    with OutputSet(force=force) as outputs:
        tmp = outputs.stage(path)
        encode_audio(tmp, path, blocks, sample_rate=sample_rate, n_frames=n_frames, format=fmt,
                     bitrate_kbps=bitrate_kbps, progress=progress, tags=tags)
        outputs.commit()
    return path


def encode_audio(
    tmp: Path,
    target: Path,
    blocks: Iterable[np.ndarray],
    *,
    sample_rate: int,
    n_frames: int,
    format: str,
    bitrate_kbps: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    tags: Tags | None = None,
) -> None:
    """Stream `blocks` into the staged temp file `tmp` (see atomic.OutputSet) as `format`;
    `target` is the file it will become (named in errors). Arguments as for write_audio."""
    if sample_rate <= 0 or (bitrate_kbps is not None and bitrate_kbps <= 0):
        raise ValueError(
            f"sample_rate and bitrate_kbps must be positive, got {sample_rate} Hz, "
            f"{bitrate_kbps} kbps"
        )
    fmt = _FORMATS[format]
    ffmpeg = _find_ffmpeg() if fmt.ffmpeg_args else None
    metadata = None
    try:
        if ffmpeg and fmt.ffmpeg_args:
            if tags is not None and fmt.tags in ("ffmetadata", "vorbis"):
                metadata = _metadata_file(ffmetadata(tags, chapter_comments=fmt.tags == "vorbis"))
            sink: _Sink = _FfmpegSink(ffmpeg, fmt.ffmpeg_args(bitrate_kbps), tmp, target,
                                      sample_rate, metadata)
        else:
            sink = _WavSink(tmp, target, sample_rate, n_frames)
        _stream(sink, blocks, n_frames, progress)
        if tags is not None and fmt.tags == "id3":
            _prepend(tmp, id3v2(tags), target)
    finally:
        if metadata is not None:
            metadata.close()


def write_text_atomic(path: Path, text: str, *, force: bool = False) -> Path:
    """Write a small text file (a sidecar, a playlist) through a temp file and a rename."""
    return atomic.write_text_atomic(path, text, force=force)


def _metadata_file(text: str) -> BinaryIO:
    """ffmpeg reads metadata from a file: an unlinked temp file, passed as an open descriptor,
    so nothing is left behind even if the process is killed."""
    try:
        handle = tempfile.TemporaryFile()
        handle.write(text.encode("utf-8"))
        handle.flush()
        handle.seek(0)
    except OSError as exc:
        raise OutputError(f"cannot write a temporary metadata file: {exc.strerror or exc}",
                          hint="check that the temporary folder ($TMPDIR) is writable") from exc
    return handle


def _prepend(tmp: Path, prefix: bytes, target: Path) -> None:
    """Put `prefix` (an ID3 tag) in front of the encoded file tmp."""
    joined = create_temp(target)
    try:
        with open(joined, "wb") as out, open(tmp, "rb") as encoded:
            out.write(prefix)
            shutil.copyfileobj(encoded, out, 1 << 20)
        os.replace(joined, tmp)
    except OSError as exc:
        remove_quietly(joined)
        raise output_error(exc, target) from exc
    except BaseException:
        remove_quietly(joined)
        raise


class _Sink(Protocol):
    def write(self, pcm: bytes) -> None: ...
    def finish(self) -> None: ...
    def abort(self) -> None: ...


def _stream(
    sink: _Sink,
    blocks: Iterable[np.ndarray],
    n_frames: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    done = 0
    try:
        for block in blocks:
            sink.write(to_pcm16(block))
            done += len(block)
            if progress:
                progress(done, n_frames)
        sink.finish()
    except BaseException:
        sink.abort()
        raise


class _WavSink:
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


class _FfmpegSink:
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
        else:
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
            "-f",
            "s16le",
            "-ar",
            str(sample_rate),
            "-ac",
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


def _find_ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if not found:
        raise EngineError("ffmpeg not found", hint=FFMPEG_HINT)
    return found


