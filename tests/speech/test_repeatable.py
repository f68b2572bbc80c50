"""Same routine, same settings, same bytes, whatever the speech cache holds; a broken cache entry
is moved aside and made again, never blocking the cache; the pyttsx3 worker's pipe survives
lines that are not its protocol. Real engines, real files, the real CLI.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tests.audio_measure import read_wav
from tests.test_faults import SHORT, VOICE_COACH, plan_frames, write
from voice_coach.speech import VoiceSettings, synthesize_all
from voice_coach.speech.cache import ENV_CACHE_DIR, ClipCache
from voice_coach.speech.espeak import EspeakEngine
from voice_coach.speech.pyttsx3_engine import Pyttsx3Engine

PHRASES = ["Three.", "Two.", "One.", "Set 1 of 3. Stop if anything hurts.", "Toes up, and hold.",
           "Toes down, and hold.", "Rest for 30 seconds.", "Halfway.", "Last 1."]


def render(routine: str, out: Path, cache_dir: Path, *args: str) -> bytes:
    result = subprocess.run([*VOICE_COACH, "render", routine, "-o", str(out), "--force", *args],
                            capture_output=True, text=True, timeout=600,
                            env={**os.environ, ENV_CACHE_DIR: str(cache_dir)})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return out.read_bytes()


# -- 11. the same bytes whatever the cache holds ---------------------------------------------------


def test_a_phrase_sounds_the_same_whatever_was_said_before_it() -> None:
    """espeak-ng keeps state between phrases: "Two." was 6,643 frames after other phrases and
    6,631 alone. Each phrase now starts from the same fresh engine state."""
    engine = EspeakEngine()
    alone = engine.synthesize("Two.", "en", 160, 1.0)
    for before in (["Three."], PHRASES, PHRASES[::-1] * 3):
        for text in before:
            engine.synthesize(text, "en", 160, 1.0)
        assert np.array_equal(engine.synthesize("Two.", "en", 160, 1.0), alone)
    fresh = subprocess.run([*VOICE_COACH[:1], "-c", "from voice_coach.speech.espeak import "
                            "EspeakEngine; import sys; sys.stdout.buffer.write(EspeakEngine()"
                            ".synthesize('Two.', 'en', 160, 1.0).tobytes())"],
                           capture_output=True, timeout=120)
    assert fresh.stdout == alone.tobytes()  # and as in a process that said nothing before


def test_clips_do_not_depend_on_order_or_on_how_many_processes_made_them() -> None:
    texts = [f"Cue number {i}, hold it." for i in range(40)] + PHRASES
    settings = VoiceSettings(engine="espeak")
    forward = synthesize_all(texts, settings, cache=None, workers=1)
    backward = synthesize_all(texts[::-1], settings, cache=None, workers=1)
    parallel = synthesize_all(texts, settings, cache=None, workers=2)
    for text in texts:
        assert np.array_equal(forward[text], backward[text]), text
        assert np.array_equal(forward[text], parallel[text]), text


@pytest.mark.parametrize("fmt", ["wav", "mp3"])
def test_full_empty_and_partly_emptied_caches_render_the_same_bytes(tmp_path: Path,
                                                                    fmt: str) -> None:
    cache = tmp_path / "cache"
    first = render("ankle-pumps", tmp_path / f"a.{fmt}", cache)  # an empty cache
    entries = sorted(cache.glob("*/*.clip"))
    assert len(entries) == 18  # 16 phrases said, and the 2 shorter forms a crowded cue may take
    assert render("ankle-pumps", tmp_path / f"b.{fmt}", cache) == first  # full
    entries[5].unlink()  # one clip lost
    assert render("ankle-pumps", tmp_path / f"c.{fmt}", cache) == first
    for entry in entries[::2]:  # half of them lost
        entry.unlink(missing_ok=True)
    assert render("ankle-pumps", tmp_path / f"d.{fmt}", cache) == first
    other = tmp_path / "other-cache"  # a cache filled by other routines first, in other orders
    render("bedtime", tmp_path / f"e.{fmt}", other)
    render("flight", tmp_path / f"f.{fmt}", other)
    assert render("ankle-pumps", tmp_path / f"g.{fmt}", other) == first
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.glob(f"[abcdg].{fmt}")}
    assert len(digests) == 1


# -- 10. a broken cache entry is moved aside and made again ----------------------------------------


def _break(entry: Path, how: str) -> None:
    if how == "shard-is-a-file":
        shard = entry.parent
        for child in shard.iterdir():
            child.unlink()
        shard.rmdir()
        shard.write_text("a file where the entries' folder belongs")
        return
    entry.unlink()
    if how == "directory":
        (entry / "inside").mkdir(parents=True)
    elif how == "fifo":
        os.mkfifo(entry)  # reading it would block for ever
    elif how == "link-to-dev-zero":
        entry.symlink_to("/dev/zero")  # reading it would never end


@pytest.mark.parametrize("how", ["directory", "fifo", "link-to-dev-zero", "shard-is-a-file"])
def test_a_broken_entry_is_moved_aside_made_again_and_said(tmp_path: Path, how: str) -> None:
    routine = write(tmp_path / "short.yaml", SHORT)
    cache = tmp_path / "cache"
    env = {**os.environ, ENV_CACHE_DIR: str(cache)}
    reference = render(str(routine), tmp_path / "ref.wav", cache)
    entries = sorted(cache.glob("*/*.clip"))
    victim = entries[0]
    moved = victim.parent if how == "shard-is-a-file" else victim
    _break(victim, how)
    first = subprocess.run([*VOICE_COACH, "render", str(routine), "-o", str(tmp_path / "a.wav")],
                           capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    (aside,) = (cache / "broken").iterdir()
    what = {"directory": "a folder", "fifo": "a special file", "link-to-dev-zero":
            "a symbolic link", "shard-is-a-file": "a file"}[how]
    expected = "a folder of clips" if how == "shard-is-a-file" else "a clip file"
    assert first.stderr == (f"warning: speech cache entry {moved} was {what}, not {expected}; "
                            f"moved it to {aside} and made it again (delete {cache / 'broken'} "
                            "when you like)\n")
    assert (tmp_path / "a.wav").read_bytes() == reference
    assert sorted(cache.glob("*/*.clip")) == entries  # every entry made again, and valid
    assert all(ClipCache(cache).get(e.stem) is not None for e in entries)
    inodes = {e: e.stat().st_ino for e in entries}
    again = subprocess.run([*VOICE_COACH, "render", str(routine), "-o", str(tmp_path / "b.wav")],
                           capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0 and again.stderr == ""  # the cache works: nothing to say
    assert {e: e.stat().st_ino for e in entries} == inodes  # every clip came from the cache
    assert (tmp_path / "b.wav").read_bytes() == reference


# -- 9. the pyttsx3 worker's pipe --------------------------------------------------------------

NOISY_WORKER = """import sys
if "voice_coach.speech.pyttsx3_engine" in " ".join(getattr(sys, "orig_argv", [])):
    print("this is not JSON")
    print(42)
    print('{"no": "reply"}')
    print("[1, 2")
    sys.stdout.flush()
    if "{exit}" == "yes":
        sys.exit(0)
"""


@pytest.mark.parametrize("mode", ["noise-then-work", "noise-then-exit"])
def test_lines_that_are_not_the_workers_protocol(tmp_path: Path, mode: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    exits = "yes" if mode == "noise-then-exit" else "no"
    (site / "sitecustomize.py").write_text(NOISY_WORKER.replace("{exit}", exits))
    routine = write(tmp_path / "r.yaml", "title: T\nvoice: {engine: pyttsx3}\nsteps:\n"
                    "  - say: Hello there.\n  - say: Goodbye.\n")
    env = {**os.environ, "PYTHONPATH": str(site), ENV_CACHE_DIR: str(tmp_path / "cache")}
    for _ in range(3):
        result = subprocess.run([*VOICE_COACH, "render", str(routine), "-o",
                                 str(tmp_path / "s.wav"), "--force"],
                                capture_output=True, text=True, env=env, timeout=300)
        assert "Traceback" not in result.stderr and "Fatal Python error" not in result.stderr
        if mode == "noise-then-work":
            assert result.returncode == 0, result.stderr
            assert result.stderr == ""
            assert len(read_wav(tmp_path / "s.wav")[0]) == plan_frames(routine, env)
        else:
            assert result.returncode == 1  # never 134 (an abort at exit)
            assert result.stderr == (
                "error: pyttsx3 could not start: the worker did not start\n  hint: install it: "
                "pip install pyttsx3 (on Linux also: sudo apt-get install espeak-ng)\n")


def test_the_worker_counts_the_lines_it_skipped(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(NOISY_WORKER.replace("{exit}", "no"))
    monkeypatch.setenv("PYTHONPATH", str(site))
    engine = Pyttsx3Engine()
    try:
        assert engine.synthesize("Two.", "en", 160, 1.0).size > 1000
        assert engine.stats["noise_lines"] == 4
    finally:
        engine.close()
