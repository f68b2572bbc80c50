"""A background music file: found, checked and decoded by ffmpeg, the one edge of the
background. Every refusal render would make (missing, a folder, a device, a FIFO, unreadable,
not audio) is made here, before any speech, for `check` and `render` alike.
"""

from __future__ import annotations

import difflib
import errno
import os
import shutil
import stat
import subprocess
from pathlib import Path

import numpy as np

from voice_coach.basics.errors import EngineError, SpecError, UsageError
from voice_coach.plan.timeline import SAMPLE_RATE
from voice_coach.routine import NOISE_SOUNDS, Background

MUSIC_MAX_S = 600  # a longer music file is used up to here, then looped (background.py)
PROBE_S = 1  # check and render decode this much of a music file before any speech is made


def check_sound(background: Background | None) -> None:
    """Refuse, before any speech is made, every background that render would refuse: a music
    file that is missing, a folder, not a regular file (a device such as /dev/zero, a FIFO),
    unreadable, or not audio ffmpeg can decode (it decodes the first second). Noise and None
    pass. Raises SpecError located at the routine's `sound:` (UsageError for one given on the
    command line), EngineError when ffmpeg is missing."""
    if background is None or background.is_noise:
        return
    fd = _open_music(background)
    try:
        _decode(background, fd, SAMPLE_RATE, PROBE_S)
    finally:
        os.close(fd)


check_background = check_sound


def decode_music(background: Background, sample_rate: int) -> np.ndarray:
    """The music file as mono int16 at sample_rate, at most MUSIC_MAX_S long (ffmpeg).

    Raises SpecError located at the routine's `sound:` (or UsageError when it came from the
    command line) for a missing, special or undecodable file, EngineError when ffmpeg is missing.
    """
    fd = _open_music(background)
    try:
        return _decode(background, fd, sample_rate, MUSIC_MAX_S)
    finally:
        os.close(fd)


def _open_music(background: Background) -> int:
    """An open descriptor of the music file, known to be a regular file: what ffmpeg reads is
    what was checked (a FIFO would block it, /dev/zero would never end)."""
    path = music_path(background)
    shown = _short(background.sound)
    looked = f" (looked for {_short(str(path))})" if str(path) != background.sound else ""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise _sound_error(background, f"background sound '{shown}' not found" + looked,
                           _sound_hint(background.sound)) from None
    except IsADirectoryError:
        raise _sound_error(background, f"background sound '{shown}' is a folder, not a sound "
                           "file", "give a music file (mp3, m4a, ogg, flac, wav…), or brown, "
                           "pink or white noise") from None
    except OSError as exc:
        reason = ("the name is too long for the file system" if exc.errno == errno.ENAMETOOLONG
                  else exc.strerror or str(exc))
        raise _sound_error(background, f"cannot read background sound '{shown}': {reason}"
                           + looked, "give a music file you can read, or brown, pink or white "
                           "noise") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        what = "a folder" if stat.S_ISDIR(mode) else (
            "a character device" if stat.S_ISCHR(mode) else "a block device" if
            stat.S_ISBLK(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else
            "a special file")
        raise _sound_error(background, f"background sound '{shown}' is {what}, not a sound "
                           "file" + looked, "give a music file (mp3, m4a, ogg, flac, wav…), or "
                           "brown, pink or white noise")
    return fd


def _decode(background: Background, fd: int, sample_rate: int, max_s: int) -> np.ndarray:
    """Decode the open music file fd with ffmpeg: mono int16 at sample_rate, at most max_s."""
    ffmpeg = shutil.which("ffmpeg")
    if not ffmpeg:
        raise EngineError("ffmpeg not found (it decodes the background music)",
                          hint="install it: sudo apt-get install ffmpeg; or use brown, pink or "
                               "white noise")
    max_frames = max_s * sample_rate
    os.lseek(fd, 0, os.SEEK_SET)
    proc = subprocess.Popen(
        [ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-i", f"file:/dev/fd/{fd}", "-vn",
         "-t", str(max_s), "-ac", "1", "-ar", str(sample_rate), "-f", "s16le",
         "-acodec", "pcm_s16le", "pipe:1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(fd,))
    buffer = bytearray(max_frames * 2)
    view = memoryview(buffer)
    got = 0
    assert proc.stdout is not None and proc.stderr is not None  # both are PIPE
    while got < len(buffer):
        n = proc.stdout.readinto(view[got:])
        if not n:
            break
        got += n
    stderr = proc.stderr.read()
    proc.wait()
    if proc.returncode != 0 or got < 2:
        tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no audio"]
        reason = tail[0].replace(f"file:/dev/fd/{fd}: ", "").replace(f"/dev/fd/{fd}: ", "")
        raise _sound_error(background, "cannot decode background sound "
                           f"'{_short(background.sound)}': {reason}", "use a music file ffmpeg "
                           "can read (mp3, m4a, ogg, flac, wav…), or brown, pink or white noise")
    return np.frombuffer(buffer, dtype="<i2", count=got // 2)


def _short(text: str) -> str:
    """A path as shown in a message: whole up to 240 characters (real music paths are long),
    cut in the middle beyond that (a name of thousands of characters is not repeated)."""
    return text if len(text) <= 240 else f"{text[:160]}…{text[-60:]}"


def music_path(background: Background) -> Path:
    path = Path(background.sound).expanduser()
    if not path.is_absolute() and background.base_dir:
        path = Path(background.base_dir) / path
    return path


def _sound_hint(sound: str) -> str:
    close = difflib.get_close_matches(sound, NOISE_SOUNDS, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return "give brown, pink or white, or the path of a music file"


def _sound_error(background: Background, message: str, hint: str) -> Exception:
    if background.pos.line:
        return SpecError([background.pos.diag(message, hint)])
    return UsageError(message, hint=hint)
