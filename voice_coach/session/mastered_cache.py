"""Mastered sessions kept on disk: mastering (levelling every clip, solving the cue level for the
target) is the costliest step before a session's first sample, and the same plan, clips, tones,
target and bed always master to the same result. So `play` after `render`, a second render in
another format, or a re-run of `render --all` starts mixing at once.

Entries are addressed by a hash of every input, including the source of the mastering code
itself (a changed constant never serves a stale mix), checked on read (an .npz file: each array
carries its zip CRC32; a damaged entry is ignored and made again) and streamed through the one
atomic writer. Only the
newest MAX_ENTRIES are kept.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from voice_coach.plan.timeline import Timeline
from voice_coach.sound.master import Mastered
from voice_coach.sound.mix import MixLevels

FORMAT_VERSION = 1
MAX_ENTRIES = 32
# The modules whose code decides the mastered result.
_CODE = ("sound/master.py", "sound/cue_level.py", "sound/loudness.py", "sound/mix.py",
         "session/mastered_cache.py")


def cached_master(master: Callable[..., Mastered], folder: Path | None, timeline: Timeline,
                  clips: Mapping[str, np.ndarray], tones: Mapping[str, np.ndarray], *,
                  bed_powers: np.ndarray | None, **options: float) -> Mastered:
    """master(timeline, clips, tones, bed_powers=..., **options) from folder if it was made
    before, else made now and stored there (folder None: no cache). bed_powers: the background's
    K-weighted power in each 100 ms step, or None for no background; options: master's numbers
    (speech_lufs, fade_out_ms)."""
    powers = None if bed_powers is None else (lambda n_steps: bed_powers)
    if folder is None:
        return master(timeline, clips, tones, bed_powers=powers, **options)
    key = mastering_key(timeline, clips, tones, bed_powers, **options)
    path = folder / key[:2] / f"{key}.npz"
    found = _read(path, clips, tones)
    if found is not None:
        return found
    done = master(timeline, clips, tones, bed_powers=powers, **options)
    _write(path, done)
    return done


def mastering_key(timeline: Timeline, clips: Mapping[str, np.ndarray],
                  tones: Mapping[str, np.ndarray], bed_powers: np.ndarray | None,
                  **options: float) -> str:
    """sha256 hex of everything the mastered result depends on."""
    h = hashlib.sha256()
    head = [FORMAT_VERSION, _code_digest(), timeline.sample_rate, timeline.n_frames,
            sorted((k, repr(float(v))) for k, v in options.items()), sorted(clips),
            sorted(tones)]
    h.update(json.dumps(head, ensure_ascii=False).encode("utf-8"))
    for e in timeline.events:
        h.update(f"{e.start_ms},{e.duration_ms},{e.kind},{e.layer},{e.tone},{e.text}\n"
                 .encode())
    for name in sorted(clips):
        h.update(hashlib.sha256(np.ascontiguousarray(clips[name]).tobytes()).digest())
    for name in sorted(tones):
        h.update(hashlib.sha256(np.ascontiguousarray(tones[name]).tobytes()).digest())
    h.update(b"bed" if bed_powers is None else np.ascontiguousarray(bed_powers).tobytes())
    return h.hexdigest()


@functools.cache
def _code_digest() -> str:
    here = Path(__file__).resolve().parent.parent  # voice_coach/
    h = hashlib.sha256()
    for name in _CODE:
        h.update((here / name).read_bytes())
    return h.hexdigest()


def _write(path: Path, done: Mastered) -> None:
    """Streams the entry to its file (one array in memory at a time: a session of hundreds of
    phrases must not be held twice); the zip format's CRC32 of each array checks it on read."""
    from voice_coach.basics.errors import VoiceCoachError
    from voice_coach.output.atomic import write_atomic_with

    texts, names = list(done.clips), list(done.tones)
    meta = {"version": FORMAT_VERSION, "texts": texts, "tones": names,
            "levels": dataclasses.asdict(done.levels), "speech_lufs": done.speech_lufs,
            "cue_lufs": done.cue_lufs, "clip_lufs": [done.clip_lufs.get(t) for t in texts],
            "tone_lufs": [done.tone_lufs.get(n) for n in names],
            "predicted_lufs": done.predicted_lufs}
    arrays = {f"c{i}": done.clips[t] for i, t in enumerate(texts)}
    arrays.update({f"t{i}": done.tones[n] for i, n in enumerate(names)})
    meta_array = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic_with(path, lambda out: np.savez(out, meta=meta_array, **arrays), force=True)
        _prune(path.parent.parent)
    except (OSError, VoiceCoachError):
        pass  # a cache that cannot be written costs time, never the render


def _read(path: Path, clips: Mapping[str, np.ndarray],
          tones: Mapping[str, np.ndarray]) -> Mastered | None:
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(data["meta"].tobytes().decode("utf-8"))
            if meta.get("version") != FORMAT_VERSION or sorted(meta["texts"]) != sorted(clips) \
                    or sorted(meta["tones"]) != sorted(tones):
                raise ValueError("another session")
            out_clips = {t: data[f"c{i}"] for i, t in enumerate(meta["texts"])}
            out_tones = {n: data[f"t{i}"] for i, n in enumerate(meta["tones"])}
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile, UnicodeDecodeError):
        try:
            path.unlink()  # damaged (a CRC or the zip's directory does not check out)
        except OSError:
            pass
        return None
    try:
        path.touch()  # recently used: pruned last
    except OSError:
        pass
    return Mastered(clips=out_clips, tones=out_tones, levels=MixLevels(**meta["levels"]),
                    speech_lufs=meta["speech_lufs"], cue_lufs=meta["cue_lufs"],
                    clip_lufs=_present(meta["texts"], meta["clip_lufs"]),
                    tone_lufs=_present(meta["tones"], meta["tone_lufs"]),
                    predicted_lufs=meta["predicted_lufs"])


def _present(names: list[str], values: list[float | None]) -> dict[str, float]:
    return {n: v for n, v in zip(names, values, strict=True) if v is not None}


def _prune(folder: Path) -> None:
    """Keep the MAX_ENTRIES most recently used entries."""
    entries = []
    for entry in folder.glob("*/*.npz"):
        try:
            entries.append((entry.stat().st_mtime, entry))
        except OSError:
            pass
    for _, entry in sorted(entries, reverse=True)[MAX_ENTRIES:]:
        try:
            entry.unlink()
        except OSError:
            pass
