"""The clip cache: roundtrip, corruption detected and re-made, concurrent writers, unusable dirs."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import subprocess
import warnings

import numpy as np
import pytest

from voice_coach.speech import CacheWarning, VoiceSettings, synthesize_all
from voice_coach.speech.cache import ClipCache
from voice_coach.speech.fake import FakeEngine

KEY_ARGS = ("espeak", "libespeak-ng 1.51", "gmw/en", 160, 1.0, "Breathe in.")


pytestmark = pytest.mark.usefixtures("private_cache")


@pytest.fixture
def cache(tmp_path):
    return ClipCache(tmp_path / "cache")


class CountingEngine(FakeEngine):
    def __init__(self) -> None:
        self.calls: list[str] = []

    def synthesize(self, text, voice, rate_wpm, volume):
        self.calls.append(text)
        return super().synthesize(text, voice, rate_wpm, volume)


def test_default_follows_env(tmp_path):
    assert ClipCache.default().root == tmp_path / "cache"


def test_default_without_env_is_user_cache_dir(monkeypatch):
    import platformdirs

    monkeypatch.delenv("VOICE_COACH_CACHE_DIR")
    root = ClipCache.default().root
    assert root.name == "speech"
    assert str(root.parent) == platformdirs.user_cache_dir("voice-coach")


def test_key_is_sha256_and_covers_every_field():
    key = ClipCache.key(*KEY_ARGS)
    assert len(key) == 64 and int(key, 16) >= 0
    assert ClipCache.key(*KEY_ARGS) == key
    for i, other in enumerate(["pyttsx3", "libespeak-ng 1.52", "gmw/de", 161, 0.9, "Breathe out."]):
        changed = list(KEY_ARGS)
        changed[i] = other
        assert ClipCache.key(*changed) != key, f"field {i} not in the key"


def test_roundtrip_and_size(cache):
    samples = np.array([0, 1, -1, 32767, -32768, 1234], dtype=np.int16)
    key = ClipCache.key(*KEY_ARGS)
    assert cache.get(key) is None
    assert cache.size_bytes() == 0
    assert cache.put(key, samples)
    got = cache.get(key)
    assert got is not None and got.dtype == np.int16 and got.tolist() == samples.tolist()
    assert cache.path_for(key).parent.name == key[:2]
    assert cache.size_bytes() == cache.path_for(key).stat().st_size > 12
    other = ClipCache.key(*KEY_ARGS[:-1], "another phrase")
    assert cache.put(other, samples[:3])
    assert cache.size_bytes() == (cache.path_for(key).stat().st_size
                                  + cache.path_for(other).stat().st_size)


def test_empty_clip_roundtrip(cache):
    cache.put("00" * 32, np.zeros(0, dtype=np.int16))
    got = cache.get("00" * 32)
    assert got is not None and got.size == 0


def _damage(path, how):
    blob = bytearray(path.read_bytes())
    if how == "flip-payload":
        blob[-3] ^= 0xFF
    elif how == "truncate":
        blob = blob[:-2]
    elif how == "truncate-header":
        blob = blob[:10]
    elif how == "garbage-header":
        blob[:8] = b"NOTACLIP"
    elif how == "extra-bytes":
        blob += b"\x00\x00"
    elif how == "empty":
        blob = bytearray()
    path.write_bytes(bytes(blob))


@pytest.mark.parametrize(
    "how",
    ["flip-payload", "truncate", "truncate-header", "garbage-header", "extra-bytes", "empty"],
)
def test_damaged_entry_is_detected_and_deleted(cache, how):
    key = ClipCache.key(*KEY_ARGS)
    cache.put(key, np.arange(-500, 500, dtype=np.int16))
    _damage(cache.path_for(key), how)
    assert cache.get(key) is None
    assert not cache.path_for(key).exists()


def test_damaged_entry_is_resynthesised(cache):
    engine = CountingEngine()
    settings = VoiceSettings(engine="fake")
    first = synthesize_all(["Hold it."], settings, engine=engine, cache=cache)
    (entry,) = list(cache.root.glob("*/*.clip"))
    _damage(entry, "truncate")
    again = synthesize_all(["Hold it."], settings, engine=engine, cache=cache)
    assert engine.calls == ["Hold it.", "Hold it."]
    assert np.array_equal(first["Hold it."], again["Hold it."])
    assert cache.get(entry.stem) is not None  # re-made and valid


def _writer(root: str, seed: int, n_rounds: int) -> None:
    cache = ClipCache(root)
    rng = np.random.default_rng(seed)
    for i in range(n_rounds):
        key = ClipCache.key("fake", "1", "en", 160, 1.0, f"text {i % 20}")
        # Same key, same content from both writers (as two renders would produce).
        samples = np.full(2000 + 50 * (i % 20), i % 20 + 1, dtype=np.int16)
        cache.put(key, samples)
        if rng.random() < 0.5:
            got = cache.get(key)
            assert got is None or got.tolist() == samples.tolist()


def test_concurrent_writers_leave_a_consistent_cache(cache):
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_writer, args=(str(cache.root), seed, 400)) for seed in (1, 2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    entries = list(cache.root.glob("*/*"))
    assert len(entries) == 20
    assert not [p for p in entries if p.name.startswith(".tmp-")]
    for i in range(20):
        got = cache.get(ClipCache.key("fake", "1", "en", 160, 1.0, f"text {i}"))
        assert got is not None and got.size == 2000 + 50 * i and set(got.tolist()) == {i + 1}


def test_uncreatable_cache_dir_warns_once_and_works(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache dir should be")
    monkeypatch.setenv("VOICE_COACH_CACHE_DIR", str(blocker / "speech"))
    engine = CountingEngine()
    with pytest.warns(CacheWarning, match="not usable"):
        clips = synthesize_all(["Go.", "Stop."], VoiceSettings(engine="fake"), engine=engine)
    assert all(clip.size > 0 for clip in clips.values())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second render with the same dir does not warn again
        synthesize_all(["Go."], VoiceSettings(engine="fake"), engine=engine)


@contextlib.contextmanager
def read_only_dir(path):
    """`path` made unwritable even for root (chattr +i on ext4), else by mode 555."""
    if os.geteuid() != 0:
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(0o755)
        return
    if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(path)]).returncode:
        pytest.skip("running as root and cannot make a directory immutable")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_cache_dir_warns_and_works(tmp_path, monkeypatch):
    root = tmp_path / "ro"
    root.mkdir()
    monkeypatch.setenv("VOICE_COACH_CACHE_DIR", str(root))
    with read_only_dir(root):
        assert ClipCache(root).check_writable()
        engine = CountingEngine()
        with pytest.warns(CacheWarning, match="not usable"):
            clips = synthesize_all(
                ["Go.", "Go.", "Stop."], VoiceSettings(engine="fake"), engine=engine
            )
        assert [c.size > 0 for c in clips.values()] == [True, True]
        assert engine.calls == ["Go.", "Stop."]
    assert not list(root.iterdir())


def test_write_failure_mid_render_warns_and_goes_on(cache, monkeypatch):
    engine = CountingEngine()
    from voice_coach.speech import cache as cache_module

    def disk_full(samples):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache_module, "encode_clip", disk_full)
    with pytest.warns(CacheWarning, match="No space left"):
        clips = synthesize_all(
            ["A.", "B.", "C."], VoiceSettings(engine="fake"), engine=engine, cache=cache
        )
    assert list(clips) == ["A.", "B.", "C."]
    assert engine.calls == ["A.", "B.", "C."]
    assert not list(cache.root.glob("*/*"))  # no temp file left behind


def test_synthesize_all_does_not_touch_the_user_cache(tmp_path):
    synthesize_all(["Hold."], VoiceSettings(engine="fake"))
    assert list((tmp_path / "cache").glob("*/*.clip"))


def test_a_cache_folder_is_made_with_its_parents(tmp_path):
    deep = ClipCache(tmp_path / "a" / "b" / "speech")
    assert deep.check_writable() == ""
    assert (tmp_path / "a" / "b" / "speech").is_dir()
