"""On-disk cache of synthesised clips, addressed by a hash of everything that shapes the sound.

Each entry carries its sample count and a checksum, so a corrupt or truncated file is detected,
deleted and re-made; anything else found where an entry belongs (a folder, a link, a FIFO) is
moved aside into root/broken/ and the entry re-made, so one broken entry never blocks the
cache; `repairs` says what was moved. Writes go through the one atomic writer (output.atomic),
which also removes the temp files of a killed run. VoiceCache is the cache as synthesis uses it
(one voice's keys, a warning instead of an error when the disk fails). It never calls an engine.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
import tempfile
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from voice_coach.basics.errors import EngineError, OutputError, UsageError
from voice_coach.plan.timeline import SAMPLE_RATE
from voice_coach.routine.model import VoiceSettings

if TYPE_CHECKING:
    from voice_coach.speech.engine_api import SpeechEngine

ENV_CACHE_DIR = "VOICE_COACH_CACHE_DIR"
FORMAT_VERSION = 1
_MAGIC = b"VCCLIP1\x00"
# magic, sample_rate (u32), n_frames (u64), sha256 of the payload (32 bytes); little endian.
_HEADER = struct.Struct("<8sIQ32s")
MAX_CLIP_FRAMES = 60 * 60 * SAMPLE_RATE  # an hour of speech: far past any 1,000-character cue


class ClipCache:
    """Content-addressed clip files: root/ab/abcdef….clip (header + raw int16 little endian)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.failed = ""  # why the last put() could not write, "" if it did
        self.repairs: list[str] = []  # what was moved aside, for the caller to tell the user

    @classmethod
    def default(cls) -> ClipCache:
        """$VOICE_COACH_CACHE_DIR if set, else the user cache dir (XDG on Linux) / "speech"."""
        override = os.environ.get(ENV_CACHE_DIR)
        if override:
            return cls(Path(override))
        import platformdirs

        return cls(Path(platformdirs.user_cache_dir("voice-coach")) / "speech")

    @staticmethod
    def key(
        engine_name: str,
        engine_version: str,
        voice: str,
        rate_wpm: int,
        volume: float,
        text: str,
        model: str = "",
    ) -> str:
        """sha256 hex of every input that changes the clip (and the cache format version).

        model: a checksum of the voice model file (Piper), so a changed model never serves the
        old model's clips; "" for engines whose voices are part of their version."""
        fields = [FORMAT_VERSION, SAMPLE_RATE, engine_name, engine_version, voice.lower()]
        fields += [int(rate_wpm), round(float(volume), 4), text, model]
        blob = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def path_for(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.clip"

    def get(self, key: str) -> np.ndarray | None:
        """The cached int16 clip, or None if absent, or corrupt/truncated (then it is deleted),
        or not a file at all (then it is moved aside, see `repairs`)."""
        path = self.path_for(key)
        try:
            info = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            try:
                self._move_aside(path, info.st_mode)
            except OSError:
                pass  # said in `repairs`; this entry is simply not cached
            return None
        blob = _read_entry(path)
        samples = decode_clip(blob) if blob is not None else None
        if samples is None:
            try:
                path.unlink()
            except OSError:
                pass
        return samples

    def put(self, key: str, samples: np.ndarray) -> bool:
        """Store `samples` atomically; False (and `failed` says why) if the disk refused.

        Something other than an entry in its way (a folder where the entry or its shard folder
        belongs) is moved aside first, and said so in `repairs`; if it cannot be, only this
        entry goes uncached (`failed` stays empty: the cache goes on)."""
        from voice_coach.output.atomic import write_bytes_atomic

        path = self.path_for(key)
        try:
            self._make_shard(path.parent)
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                info = None
            if info is not None and not stat.S_ISREG(info.st_mode):
                try:
                    self._move_aside(path, info.st_mode)
                except OSError:
                    return False
            write_bytes_atomic(path, encode_clip(samples), force=True)
            self.failed = ""
            return True
        except (OSError, OutputError, UsageError) as exc:
            cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
            self.failed = f"{type(cause).__name__}: {getattr(cause, 'strerror', None) or cause}"
            return False

    def _make_shard(self, shard: Path) -> None:
        try:
            shard.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            info = os.lstat(shard)  # a file (or link) where the shard folder belongs
            if stat.S_ISDIR(info.st_mode) or shard.parent != self.root:
                raise
            self._move_aside(shard, info.st_mode)
            shard.mkdir(parents=True, exist_ok=True)

    def _move_aside(self, path: Path, mode: int) -> None:
        """Move path into root/broken/ so the entry can be made again; say so in `repairs`."""
        what = ("a folder" if stat.S_ISDIR(mode) else "a symbolic link" if stat.S_ISLNK(mode)
                else "a special file" if not stat.S_ISREG(mode) else "a file")
        expected = "a clip file" if path.suffix == ".clip" else "a folder of clips"
        broken = self.root / "broken"
        target = broken / f"{path.name}.{time.time_ns()}"
        try:
            broken.mkdir(parents=True, exist_ok=True)
            os.rename(path, target)
        except OSError as exc:
            self.repairs.append(f"speech cache entry {path} is {what}, not {expected}, and could "
                                f"not be moved aside ({exc.strerror or exc}); remove it: "
                                f"rm -r '{path}'")
            raise
        self.repairs.append(f"speech cache entry {path} was {what}, not {expected}; moved it "
                            f"to {target} and made it again (delete {broken} when you like)")

    def check_writable(self) -> str:
        """The reason entries cannot be written under root (read-only, not a dir...), or ""."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=".probe-", dir=self.root)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            return f"{type(exc).__name__}: {exc.strerror or exc}"
        return ""

    def size_bytes(self) -> int:
        """Total size of the cache's entry files in bytes (0 if the cache does not exist)."""
        if not self.root.is_dir():
            return 0
        total = 0
        for path in self.root.glob("*/*.clip"):
            try:
                total += path.stat().st_size
            except OSError:
                pass
        return total


def _read_entry(path: Path) -> bytes | None:
    """The entry's bytes, read no further than its header says (plus one byte, to see extra)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                     | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as f:
            head = f.read(_HEADER.size)
            if len(head) < _HEADER.size:
                return head
            n_frames = _HEADER.unpack_from(head)[2]
            if n_frames > MAX_CLIP_FRAMES:
                return None
            return head + f.read(2 * n_frames + 1)
    except OSError:
        return None


def encode_clip(samples: np.ndarray) -> bytes:
    payload = np.ascontiguousarray(samples, dtype="<i2").tobytes()
    digest = hashlib.sha256(payload).digest()
    return _HEADER.pack(_MAGIC, SAMPLE_RATE, len(payload) // 2, digest) + payload


def decode_clip(blob: bytes) -> np.ndarray | None:
    if len(blob) < _HEADER.size:
        return None
    magic, sample_rate, n_frames, digest = _HEADER.unpack_from(blob)
    payload = blob[_HEADER.size :]
    if magic != _MAGIC or sample_rate != SAMPLE_RATE or len(payload) != 2 * n_frames:
        return None
    if hashlib.sha256(payload).digest() != digest:
        return None
    return np.frombuffer(payload, dtype="<i2").astype(np.int16)


class CacheWarning(UserWarning):
    """The clip cache cannot be used; rendering goes on without it."""


_warned_roots: set[str] = set()


def _warn_cache(cache: ClipCache, reason: str) -> None:
    root = str(cache.root)
    if root not in _warned_roots:
        _warned_roots.add(root)
        warnings.warn(
            f"speech cache {root} is not usable ({reason}); synthesising without it",
            CacheWarning,
            stacklevel=3,
        )


def usable_cache(cache: ClipCache | Literal["user"] | None) -> ClipCache | None:
    """The cache synthesis asked for ("user": ClipCache.default()), or None (with one
    CacheWarning per root) when nothing can be written there."""
    if cache == "user":
        cache = ClipCache.default()
    if cache is not None:
        problem = cache.check_writable()
        if problem:
            _warn_cache(cache, problem)
            return None
    return cache


class VoiceCache:
    """The cache as synthesis uses it: keyed by engine and voice, dropped (with one
    warning) as soon as a write fails, so a full disk slows nothing down."""

    def __init__(
        self, cache: ClipCache | None, engine: SpeechEngine, voice_id: str, settings: VoiceSettings
    ) -> None:
        self.cache = cache
        self.engine_name = engine.name
        checksum = getattr(engine, "model_checksum", None)
        self.model = checksum(voice_id) if checksum is not None else ""
        self.key_fields = (engine.name, engine.version, voice_id, settings.rate_wpm,
                           settings.volume)

    def get(self, text: str) -> np.ndarray | None:
        if not text.strip():
            return np.zeros(0, dtype=np.int16)
        if self.cache is None:
            return None
        clip = self.cache.get(self.cache.key(*self.key_fields, text, model=self.model))
        self._tell_repairs()
        return clip

    def put(self, text: str, clip: np.ndarray) -> np.ndarray:
        if clip.dtype != np.int16:
            raise EngineError(
                f"speech engine {self.engine_name} returned {clip.dtype} samples, not int16"
            )
        if self.cache is not None and text.strip():
            self.cache.put(self.cache.key(*self.key_fields, text, model=self.model), clip)
            self._tell_repairs()
            if self.cache.failed:
                _warn_cache(self.cache, self.cache.failed)
                self.cache = None
        return clip

    def _tell_repairs(self) -> None:
        """One warning for each broken entry the cache moved aside (or could not)."""
        if self.cache is not None:
            for repair in self.cache.repairs:
                warnings.warn(repair, CacheWarning, stacklevel=4)
            self.cache.repairs.clear()
