"""Write mixed blocks to an audio file: WAV with the stdlib; MP3, M4A (AAC), Ogg (Opus) and FLAC
through ffmpeg, with their tags and chapters.

The edge that writes files. Streams (never holds a session in memory), writes to a hidden temp
file beside the target and renames it into place; never leaves a half-written file.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from voice_coach.basics import defaults
from voice_coach.basics.errors import OutputError, UsageError
from voice_coach.output.atomic import OutputSet
from voice_coach.output.encoders import FfmpegSink, Sink, WavSink, find_ffmpeg
from voice_coach.output.os_errors import output_error
from voice_coach.output.tags import Tags, ffmetadata, id3v2
from voice_coach.output.temp_files import create_temp, remove_quietly
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
    return ["-c:a", "aac", "-aac_coder", "fast", "-b:a", f"{bitrate_kbps or defaults.M4A_KBPS}k",
            "-movflags", "+faststart", "-f", "ipod"]


def _ogg_args(bitrate_kbps: int | None) -> list[str]:
    # Opus runs at 48 kHz only; ffmpeg resamples. VBR, but libopus 1.3 went on spending about
    # 20 kbps on the digital silence after a sound: for a flight track, MP3 is far smaller.
    return ["-c:a", "libopus", "-b:a", f"{bitrate_kbps or defaults.OPUS_KBPS}k", "-ar", "48000",
            "-f", "ogg"]


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
            # Ogg in a file named .mp3 plays nowhere that trusts the name: refuse
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
        hint=f"name the file {names}, or give the format ({known})",
    )


def write_audio(
    path: Path,
    blocks: Iterable[np.ndarray] | Callable[[], Iterable[np.ndarray]],
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

    blocks may be a function returning them: it is called once the encoder runs, so ffmpeg
    starts up while the caller is still preparing the first block.

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
    blocks: Iterable[np.ndarray] | Callable[[], Iterable[np.ndarray]],
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
    ffmpeg = find_ffmpeg() if fmt.ffmpeg_args else None
    metadata = None
    try:
        if ffmpeg and fmt.ffmpeg_args:
            if tags is not None and fmt.tags in ("ffmetadata", "vorbis"):
                metadata = _metadata_file(ffmetadata(tags, chapter_comments=fmt.tags == "vorbis"))
            sink: Sink = FfmpegSink(ffmpeg, fmt.ffmpeg_args(bitrate_kbps), tmp, target,
                                    sample_rate, metadata)
        else:
            sink = WavSink(tmp, target, sample_rate, n_frames)
        _stream(sink, blocks() if callable(blocks) else blocks, n_frames, progress)
        if tags is not None and fmt.tags == "id3":
            _prepend(tmp, id3v2(tags), target)
    finally:
        if metadata is not None:
            metadata.close()


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


def _stream(
    sink: Sink,
    blocks: Iterable[np.ndarray] | Callable[[], Iterable[np.ndarray]],
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
