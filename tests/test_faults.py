"""Faults made to happen for real, through the CLI in a child process: missing ffmpeg or speech
library, unwritable or full disks, a file-size limit, Ctrl-C and SIGTERM mid-render, a damaged,
shared, read-only or missing speech cache. Each ends in a clear message and nothing lost.

Mounts (tmpfs, bind mounts in a private mount namespace) need root or user namespaces; where
they cannot be made the test is skipped, saying why.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.audio_measure import read_wav
from voice_coach.plan.timeline import ms_to_frames
from voice_coach.routine import load_routine
from voice_coach.session.pipeline import prepare
from voice_coach.speech.cache import ENV_CACHE_DIR, ClipCache
from voice_coach.speech.parallel import MIN_MISSES

VOICE_COACH = [sys.executable, "-m", "voice_coach"]
ROOT = os.geteuid() == 0
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")

SHORT = """title: Short
steps:
  - exercise: Pumps
    sets: 2
    reps: 3
    rest: 3s
  - pause: 2s
"""
# Five hours of mostly silence: minutes to encode, so a signal always lands mid-render.
LONG = "title: Long\nsteps:\n  - say: Begin.\n" + "  - pause: 1h\n" * 5 + "  - say: End.\n"


def run(
    *args: str, env: dict[str, str] | None = None, timeout_s: float = 120, **popen: object
) -> subprocess.CompletedProcess[str]:
    """`python -m voice_coach ARGS` with the test run's cache unless env says otherwise."""
    return subprocess.run(
        [*VOICE_COACH, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout_s,
        **popen,
    )


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def plan_frames(routine: Path, env: dict[str, str] | None = None) -> int:
    result = run("plan", "--json", str(routine), env=env)
    assert result.returncode == 0, result.stderr
    return ms_to_frames(json.loads(result.stdout)["duration_ms"])


# -- ffmpeg and the speech library --------------------------------------------------------------


def test_ffmpeg_missing_fails_mp3_with_a_hint_and_wav_still_works(tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    routine = write(tmp_path / "short.yaml", SHORT)
    out = tmp_path / "out"
    out.mkdir()
    mp3 = run("render", str(routine), "-o", str(out / "s.mp3"), env={"PATH": str(empty_bin)})
    assert mp3.returncode == 1
    assert mp3.stderr == (
        "error: ffmpeg not found\n  hint: install it: sudo apt-get install "
        "ffmpeg; or write .wav, which needs no ffmpeg\n"
    )
    assert list(out.iterdir()) == []
    wav = run("render", str(routine), "-o", str(out / "s.wav"), env={"PATH": str(empty_bin)})
    assert wav.returncode == 0, wav.stderr
    assert len(read_wav(out / "s.wav")[0]) == plan_frames(routine)


@contextlib.contextmanager
def hidden_file(target: Path) -> Iterator[list[str]]:
    """A command prefix that runs its command with `target` replaced by an empty file, in a
    private mount namespace (the machine itself is untouched)."""
    unshare = shutil.which("unshare")
    namespace = ["--mount", "--propagation", "private"] if ROOT else ["--map-root-user", "--mount"]
    if not unshare or subprocess.run([unshare, *namespace, "true"]).returncode:
        pytest.skip("cannot make a private mount namespace here (needs root or user namespaces)")
    yield [unshare, *namespace, "sh", "-c", 'mount --bind /dev/null "$0" && exec "$@"', str(target)]


def espeak_library_path() -> Path:
    """The file libespeak-ng is loaded from, as the dynamic linker finds it."""
    import ctypes

    from voice_coach.speech.espeak import LIBRARY_NAMES

    for name in LIBRARY_NAMES:
        with contextlib.suppress(OSError):
            ctypes.CDLL(name)
            break
    maps = Path("/proc/self/maps").read_text()
    found = re.search(r"(/\S*libespeak-ng\S*)", maps)
    if not found:
        pytest.skip("libespeak-ng is not loaded from a file here")
    return Path(found.group(1))


@pytest.mark.parametrize(
    "engine, message, hint",
    [
        (
            "espeak",
            "speech engine library libespeak-ng not found",
            "install it: sudo apt-get install espeak-ng",
        ),
        (
            "pyttsx3",
            "pyttsx3 could not start: RuntimeError: This means you probably do not have "
            "eSpeak or eSpeak-ng installed!",
            "install it: pip install pyttsx3 (on Linux also: sudo apt-get install espeak-ng)",
        ),
    ],
)
def test_missing_speech_library_exits_1_with_what_to_install(
    tmp_path: Path, engine: str, message: str, hint: str
) -> None:
    routine = write(
        tmp_path / "r.yaml", f"title: T\nvoice: {{engine: {engine}}}\nsteps:\n  - say: Hello.\n"
    )
    temp = tmp_path / "temp"
    temp.mkdir()
    with hidden_file(espeak_library_path()) as prefix:
        result = subprocess.run(
            [*prefix, *VOICE_COACH, "render", str(routine), "-o", str(tmp_path / "s.wav")],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "TMPDIR": str(temp)},
        )
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"error: {message}\n  hint: {hint}\n"
    assert list(temp.iterdir()) == []  # the engine's temp dir went with it
    assert not (tmp_path / "s.wav").exists()


# -- disks ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(mount_point: Path, size: str) -> Iterator[Path]:
    """A small tmpfs at mount_point (root only, else the test is skipped)."""
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if mounted.returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=True)


def make_read_only(mount_point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount_point)], check=True)


@contextlib.contextmanager
def unwritable_dir(path: Path) -> Iterator[str]:
    """path (holding a file "s.mp3") made unwritable; yields the message the CLI should give.

    Root ignores permissions, so as root it is a tmpfs remounted read-only."""
    if not ROOT:
        path.mkdir()
        (path / "s.mp3").write_text("old")
        path.chmod(0o555)
        try:
            yield "permission denied\n  hint: check the permissions of {dir}, or choose another"
        finally:
            path.chmod(0o755)
        return
    with tmpfs(path, "1m"):
        (path / "s.mp3").write_text("old")
        make_read_only(path)
        yield "read-only file system\n  hint: choose another"


@needs_ffmpeg
@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_unwritable_output_dir_is_a_clear_error(tmp_path: Path, fmt: str) -> None:
    routine = write(tmp_path / "short.yaml", SHORT)
    out = tmp_path / "out"
    with unwritable_dir(out) as reason:
        target = out / f"s.{fmt}"
        result = run("render", str(routine), "-o", str(target), "--force")
        assert result.returncode == 1
        expected = reason.format(dir=out)
        assert result.stderr == f"error: cannot write {target}: {expected} output path\n"
        assert sorted(p.name for p in out.iterdir()) == ["s.mp3"]
        assert (out / "s.mp3").read_text() == "old"


@needs_ffmpeg
@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_full_disk_keeps_the_old_file_and_leaves_nothing(tmp_path: Path, fmt: str) -> None:
    with tmpfs(tmp_path / "tiny", "96k") as tiny:
        target = tiny / f"s.{fmt}"
        target.write_text("old")
        result = run("render", "flight", "-o", str(target), "--force")
        assert result.returncode == 1
        # writing .mp3 already, the hint does not suggest .mp3 (it once did)
        smaller = "write to another disk" if fmt == "mp3" else "write a smaller format such as .mp3"
        assert result.stderr == (
            f"error: disk full while writing {target}\n  hint: free some space, or {smaller}\n"
        )
        assert [p.name for p in tiny.iterdir()] == [target.name]
        assert target.read_text() == "old"


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


@needs_ffmpeg
@pytest.mark.parametrize("fmt", ["mp3", "wav"])
def test_file_size_limit_keeps_the_old_file_and_leaves_nothing(tmp_path: Path, fmt: str) -> None:
    assert run("check", "flight").returncode == 0  # the speech cache is warm: no other writes
    target = tmp_path / f"s.{fmt}"
    target.write_text("old")
    result = run("render", "flight", "-o", str(target), "--force", preexec_fn=_limit_file_size)
    assert result.returncode == 1
    # libespeak-ng's PulseAudio client may add "ftruncate() failed: File too large" before it.
    ours = result.stderr[result.stderr.index("error: ") :]
    remedy = "split the session" if fmt == "mp3" else "write .mp3, or split the session"
    assert ours == (
        f"error: file too large while writing {target}\n  hint: the file system or "
        f"a size limit refuses files this big; {remedy}\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    assert target.read_text() == "old"


# -- signals -------------------------------------------------------------------------------------


def _wait_for_output(directory: Path, timeout_s: float = 60) -> None:
    """Until the hidden temp file beside the target has bytes in it: the render is writing."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(p.suffix == ".part" and p.stat().st_size > 0 for p in directory.iterdir()):
            return
        time.sleep(0.02)
    raise AssertionError("the render never started writing")


def _processes_mentioning(text: str) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if text.encode() in cmdline.read_bytes():
                found.append(cmdline.parent.name)
    return found


@needs_ffmpeg
@pytest.mark.parametrize(
    "signum, to_group, status, said",
    [
        (signal.SIGINT, True, 130, "interrupted"),  # Ctrl-C: the terminal signals the whole group
        (signal.SIGTERM, False, 143, "terminated"),  # kill PID
    ],
)
def test_signal_mid_render_leaves_the_old_file_and_no_child(
    tmp_path: Path, signum: int, to_group: bool, status: int, said: str
) -> None:
    routine = write(tmp_path / "long.yaml", LONG)
    assert run("check", str(routine)).returncode == 0
    out = tmp_path / "out"
    out.mkdir()
    target = out / "s.mp3"
    target.write_text("old")
    proc = subprocess.Popen(
        [*VOICE_COACH, "render", str(routine), "-o", str(target), "--force"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for_output(out)
        if to_group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == status
    assert stderr == f"{said}\n"
    assert [p.name for p in out.iterdir()] == ["s.mp3"]
    assert target.read_text() == "old"
    assert _processes_mentioning(str(out)) == []  # ffmpeg (its output was in out/) is gone


# -- the speech cache ----------------------------------------------------------------------------


def _damage(entry: Path, how: str) -> None:
    blob = bytearray(entry.read_bytes())
    if how == "truncate":
        entry.write_bytes(blob[: len(blob) // 2])
    else:
        blob[-10] ^= 0xFF
        entry.write_bytes(bytes(blob))


def _render_from_cache(routine: Path, cache_dir: Path, out: Path) -> bytes:
    """The WAV this process renders from the (verified) clips in cache_dir."""
    from voice_coach.session.pipeline import render_to_file

    session = prepare(load_routine(str(routine)), cache=ClipCache(cache_dir))
    return render_to_file(session, out, force=True).read_bytes()


@pytest.mark.parametrize("damaged", ["two entries", "every entry"])
def test_damaged_cache_entries_are_made_again_and_the_render_is_right(tmp_path: Path,
                                                                      damaged: str) -> None:
    cache_dir = tmp_path / "cache"
    env = {ENV_CACHE_DIR: str(cache_dir)}
    routine = write(tmp_path / "short.yaml", SHORT)
    # a.wav: rendered from an empty cache, before any damage: independent of what is healed
    assert run("render", str(routine), "-o", str(tmp_path / "a.wav"), env=env).returncode == 0
    entries = sorted(cache_dir.glob("*/*.clip"))
    targets = entries[:2] if damaged == "two entries" else entries
    for k, entry in enumerate(targets):
        _damage(entry, "truncate" if k % 2 == 0 else "flip")
    result = run("render", str(routine), "-o", str(tmp_path / "b.wav"), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    cache = ClipCache(cache_dir)
    assert sorted(cache_dir.glob("*/*.clip")) == entries
    assert all(cache.get(entry.stem) is not None for entry in entries)  # re-made and valid
    expected = _render_from_cache(routine, cache_dir, tmp_path / "expected.wav")
    assert (tmp_path / "b.wav").read_bytes() == expected
    # every phrase is made from a fresh engine state: re-made clips are the very same samples,
    # so the healed render is the first one, byte for byte, however much was damaged
    assert (tmp_path / "b.wav").read_bytes() == (tmp_path / "a.wav").read_bytes()


N_COUNTS = MIN_MISSES["espeak"] + 50
MANY = f"""title: Many
voice: {{engine: espeak, rate: 200}}
steps:
  - exercise: Count
    sets: 1
    reps: {N_COUNTS}
    count_reps: true
    halfway: false
    get_ready: none
    phases:
      - hold: 3s
  - pause: 2s
"""  # N_COUNTS + 1 distinct phrases: each render synthesises them on every core (espeak-ng: over
# its threshold for worker processes, and fast enough for 3 cold renders)


def test_two_renders_sharing_a_cold_cache_are_both_right(tmp_path: Path) -> None:
    routine = write(tmp_path / "many.yaml", MANY)
    shared = {ENV_CACHE_DIR: str(tmp_path / "shared")}
    env = {**os.environ, **shared}
    procs = [
        subprocess.Popen(
            [*VOICE_COACH, "render", str(routine), "-o", str(tmp_path / f"{name}.wav")],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("a", "b")
    ]
    errors = [proc.communicate(timeout=900)[1] for proc in procs]  # a hang guard, not a target
    assert [proc.returncode for proc in procs] == [0, 0], errors
    fresh = {ENV_CACHE_DIR: str(tmp_path / "fresh")}
    assert run("render", str(routine), "-o", str(tmp_path / "fresh.wav"), env=fresh,
               timeout_s=600).returncode == 0
    reference = (tmp_path / "fresh.wav").read_bytes()
    for name in ("a", "b"):
        # every phrase is made from the same engine state, whichever process made it
        assert (tmp_path / f"{name}.wav").read_bytes() == reference, name
    root = tmp_path / "shared"
    entries = list(root.glob("??/*"))  # the clips' two-letter shards (mastered/ holds mixes)
    assert not [p for p in entries if not p.name.endswith(".clip")]  # no temp files left
    assert len(entries) == N_COUNTS + 1  # the counts and "Set 1 of 1."
    assert all(ClipCache(root).get(p.stem) is not None for p in entries)
    mixes = list((root / "mastered").glob("*/*"))
    assert mixes and all(p.name.endswith(".npz") for p in mixes)  # no temp files left there
    assert sorted(p.name for p in root.iterdir() if len(p.name) != 2) == ["mastered"]


@pytest.mark.parametrize("how", ["read-only", "uncreatable"])
def test_unusable_cache_dir_warns_in_one_line_and_works(tmp_path: Path, how: str) -> None:
    routine = write(tmp_path / "short.yaml", SHORT)
    if how == "read-only":
        stack = contextlib.ExitStack()
        cache_dir = stack.enter_context(tmpfs(tmp_path / "ro", "1m"))
        make_read_only(cache_dir)
        reason = "OSError: Read-only file system"
    else:
        stack = contextlib.ExitStack()
        (tmp_path / "file").write_text("a file where the cache's parent should be")
        cache_dir = tmp_path / "file" / "speech"
        reason = "NotADirectoryError: Not a directory"
    with stack:
        result = run(
            "render",
            str(routine),
            "-o",
            str(tmp_path / "s.wav"),
            env={ENV_CACHE_DIR: str(cache_dir)},
        )
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        f"warning: speech cache {cache_dir} is not usable ({reason}); synthesising without it\n"
    )
    assert len(read_wav(tmp_path / "s.wav")[0]) == plan_frames(routine)


# -- parallel synthesis ------------------------------------------------------------------------


def test_parallel_synthesis_gives_what_one_process_gives() -> None:
    from voice_coach.speech import VoiceSettings, synthesize_all

    texts = [f"Cue number {i}." for i in range(40)] + ["   ", "Cue number 3."]
    settings = VoiceSettings(engine="fake")
    seen: list[tuple[int, int]] = []
    parallel = synthesize_all(
        texts,
        settings,
        cache=None,
        workers=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    serial = synthesize_all(texts, settings, cache=None, workers=1)
    assert list(parallel) == list(serial) == list(dict.fromkeys(texts))
    assert all(np.array_equal(parallel[t], serial[t]) for t in serial)
    assert seen == [(i, 41) for i in range(1, 42)]


def test_a_killed_speech_worker_is_an_engine_error_not_a_hang() -> None:
    from voice_coach.basics.errors import EngineError
    from voice_coach.speech.parallel import running_workers, synthesize_parallel

    texts = [f"Cue number {i}. " + "Hold it there. " * 13 for i in range(300)]  # ~3 ms each
    made = synthesize_parallel(texts, "fake", "fake/en", 160, 1.0, workers=2)
    next(made)  # the workers are up
    assert len(running_workers()) == 2
    for pid in running_workers():
        os.kill(pid, signal.SIGKILL)
    with pytest.raises(EngineError, match="speech worker process died"):
        list(made)
    assert running_workers() == []


def test_kept_workers_serve_many_calls_then_stop() -> None:
    """Inside workers_kept() (routines, render --all) the same worker processes, with whatever
    model they loaded, serve every call, whatever its voice and rate; on leaving, none is left."""
    from voice_coach.speech import VoiceSettings, synthesize_all
    from voice_coach.speech.parallel import running_workers, workers_kept

    texts = [f"Cue number {i}." for i in range(30)]
    with workers_kept():
        first = synthesize_all(texts, VoiceSettings(engine="fake"), cache=None, workers=2)
        crew = running_workers()
        second = synthesize_all(texts, VoiceSettings(engine="fake", voice="de", rate_wpm=220),
                                cache=None, workers=2)
        assert running_workers() == crew
        assert len(crew) == 2
    assert running_workers() == []
    assert all(np.array_equal(first[t], c) for t, c in
               synthesize_all(texts, VoiceSettings(engine="fake"), cache=None, workers=1).items())
    serial = synthesize_all(texts, VoiceSettings(engine="fake", voice="de", rate_wpm=220),
                            cache=None, workers=1)
    assert all(np.array_equal(second[t], serial[t]) for t in texts)
