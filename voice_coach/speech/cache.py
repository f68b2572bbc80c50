"""On-disk cache of synthesised clips, addressed by a hash of everything that shapes the sound.

Each entry carries its sample count and a checksum, so a corrupt or truncated file is detected,
deleted and re-made; writes are atomic (temp file + os.replace). It never calls an engine.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import tempfile
from pathlib import Path

import numpy as np

from voice_coach.timeline import SAMPLE_RATE

ENV_CACHE_DIR = "VOICE_COACH_CACHE_DIR"
FORMAT_VERSION = 1
_MAGIC = b"VCCLIP1\x00"
# magic, sample_rate (u32), n_frames (u64), sha256 of the payload (32 bytes); little endian.
_HEADER = struct.Struct("<8sIQ32s")


class ClipCache:
    """Content-addressed clip files: root/ab/abcdef….clip (header + raw int16 little endian)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.failed = ""  # why the last put() could not write, "" if it did

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
        """The cached int16 clip, or None if absent, or corrupt/truncated (then it is deleted)."""
        path = self.path_for(key)
        try:
            blob = path.read_bytes()
        except OSError:
            return None
        samples = _decode(blob)
        if samples is None:
            try:
                path.unlink()
            except OSError:
                pass
        return samples

    def put(self, key: str, samples: np.ndarray) -> bool:
        """Store `samples` atomically; False (and `failed` says why) if the disk refused."""
        path = self.path_for(key)
        tmp_name = ""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=".tmp-", suffix=".clip", dir=path.parent)
            with os.fdopen(fd, "wb") as f:
                f.write(_encode(samples))
            os.replace(tmp_name, path)
            tmp_name = ""
            return True
        except OSError as exc:
            self.failed = f"{type(exc).__name__}: {exc.strerror or exc}"
            return False
        finally:
            if tmp_name:
                try:
                    os.unlink(tmp_name)
                except OSError:
                    pass

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


def _encode(samples: np.ndarray) -> bytes:
    payload = np.ascontiguousarray(samples, dtype="<i2").tobytes()
    digest = hashlib.sha256(payload).digest()
    return _HEADER.pack(_MAGIC, SAMPLE_RATE, len(payload) // 2, digest) + payload


def _decode(blob: bytes) -> np.ndarray | None:
    if len(blob) < _HEADER.size:
        return None
    magic, sample_rate, n_frames, digest = _HEADER.unpack_from(blob)
    payload = blob[_HEADER.size :]
    if magic != _MAGIC or sample_rate != SAMPLE_RATE or len(payload) != 2 * n_frames:
        return None
    if hashlib.sha256(payload).digest() != digest:
        return None
    return np.frombuffer(payload, dtype="<i2").astype(np.int16)
