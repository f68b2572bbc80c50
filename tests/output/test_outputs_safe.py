"""A user's file is sacred: what render and new may replace, and when, tried for real through the
CLI in child processes (real files, FIFOs, devices and signals, real ffmpeg).

Nothing that exists is replaced without --force, even a file that appears while a render runs;
with --force only the regular file named is replaced, never a device, FIFO or link; an audio
file and its cue sidecar land together or not at all; the program never says "Wrote" for a file
it did not write, and never "interrupted" once it has said "Wrote".
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_faults import SHORT, VOICE_COACH, run, write

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")
# Twenty minutes, mostly silence: a few seconds of encoding, so a file can appear meanwhile.
MEDIUM = "title: Medium\nsteps:\n  - say: Begin.\n  - pause: 20m\n  - say: End.\n"
APPEARED = (
    "error: {target} appeared while this was being written (another render?); it was left as "
    "it is, and nothing was written\n  hint: use --force to overwrite it, or choose another name\n"
)


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def wait_for_part(folder: Path, timeout_s: float = 120) -> None:
    """Until a render's hidden temp file beside its target has bytes: it is encoding."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(p.suffix == ".part" and p.stat().st_size > 0 for p in folder.iterdir()):
            return
        time.sleep(0.01)
    raise AssertionError("the render never started writing")


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*VOICE_COACH, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def medium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    routine = write(tmp_path_factory.mktemp("medium") / "medium.yaml", MEDIUM)
    assert run("check", str(routine)).returncode == 0  # speech cached: renders only encode
    return routine


# -- 1. a file that appears meanwhile; two renders at once ---------------------------------------


@needs_ffmpeg
def test_a_file_that_appears_while_rendering_is_kept(tmp_path: Path, medium: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = out / "s.mp3"
    proc = start("render", str(medium), "-o", str(target))
    wait_for_part(out)
    target.write_text("the user's own file")
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 2
    assert stdout == ""  # no "Wrote"
    assert stderr == APPEARED.format(target=target)
    assert target.read_text() == "the user's own file"
    assert temp_files(out) == []


@needs_ffmpeg
def test_two_renders_to_one_path_at_once_one_wins_one_says_so(tmp_path: Path,
                                                              medium: Path) -> None:
    reference = tmp_path / "reference.mp3"
    assert run("render", str(medium), "-o", str(reference)).returncode == 0
    raced = 0
    for round_ in range(3):
        out = tmp_path / f"round{round_}"
        out.mkdir()
        target = out / "s.mp3"
        procs = [start("render", str(medium), "-o", str(target)) for _ in range(2)]
        results = [(proc.communicate(timeout=600), proc.returncode) for proc in procs]
        codes = sorted(code for _, code in results)
        assert codes == [0, 2], results
        (winner_out, _), _ = next(r for r in results if r[1] == 0)
        (_, loser_err), _ = next(r for r in results if r[1] == 2)
        assert winner_out.startswith(f"Wrote {target}: 20 min")
        assert loser_err in (APPEARED.format(target=target),
                             f"error: {target} already exists\n  hint: use --force to "
                             "overwrite it\n")
        raced += loser_err.startswith(f"error: {target} appeared")
        assert target.read_bytes() == reference.read_bytes()
        assert temp_files(out) == []
    assert raced >= 1  # at least once both got past the first check: the last one held


# -- 2. a sidecar that would be the audio file -------------------------------------------------


@pytest.mark.parametrize("name, fmt, cues", [("out.vtt", "mp3", "vtt"),
                                             ("out.json", "wav", "json")])
def test_a_sidecar_named_like_the_audio_is_refused(tmp_path: Path, name: str, fmt: str,
                                                   cues: str) -> None:
    routine = write(tmp_path / "short.yaml", SHORT)
    target = tmp_path / name
    result = run("render", str(routine), "-o", str(target), "--format", fmt, "--cues", cues)
    assert result.returncode == 2
    assert result.stderr == (f"error: the cue file would be {target}, the audio file itself\n"
                             f"  hint: name the audio file out.{fmt}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["short.yaml"]


# -- 3. devices, FIFOs, links and folders are never replaced ------------------------------------


@pytest.mark.parametrize("device", ["/dev/full", "/dev/null"])
def test_force_never_replaces_a_device(tmp_path: Path, device: str) -> None:
    routine = write(tmp_path / "short.yaml", SHORT)
    before = os.lstat(device)
    result = run("render", str(routine), "-o", device, "--format", "wav", "--force")
    assert result.returncode == 2
    assert result.stderr == (f"error: {device} is a character device, not a regular file; it is "
                             "never replaced\n  hint: choose another file name\n")
    after = os.lstat(device)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert not list(Path("/dev").glob(f".{Path(device).name}.*"))  # no temp file beside it


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_force_never_replaces_a_fifo_or_a_link(tmp_path: Path, kind: str) -> None:
    routine = write(tmp_path / "short.yaml", SHORT)
    target = tmp_path / "s.wav"
    victim = tmp_path / "victim.wav"
    victim.write_text("kept")
    if kind == "fifo":
        os.mkfifo(target)
        words = "a FIFO (named pipe)"
    else:
        target.symlink_to(victim)
        words = "a symbolic link"
    for args in ([], ["--force"]):
        result = run("render", str(routine), "-o", str(target), *args)
        assert result.returncode == 2
        assert result.stderr == (f"error: {target} is {words}, not a regular file; it is never "
                                 "replaced\n  hint: choose another file name\n")
    assert stat.S_ISFIFO(os.lstat(target).st_mode) if kind == "fifo" else target.is_symlink()
    assert victim.read_text() == "kept"
    assert temp_files(tmp_path) == []


def test_new_never_replaces_a_device_or_a_folder(tmp_path: Path) -> None:
    result = run("new", "/dev/null", "--force")
    assert result.returncode == 2
    assert result.stderr.startswith("error: /dev/null is a character device, not a regular file")
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)
    (tmp_path / "d.yaml").mkdir()
    result = run("new", str(tmp_path / "d.yaml"), "--force")
    assert result.returncode == 2
    assert result.stderr == (f"error: {tmp_path / 'd.yaml'} is a directory\n  hint: name a file "
                             f"to write inside it, e.g. {tmp_path / 'd.yaml' / 'session.mp3'}\n")


def test_o_naming_a_folder_says_so_and_does_not_suggest_force(tmp_path: Path) -> None:
    routine = write(tmp_path / "short.yaml", SHORT)
    folder = tmp_path / "sessions"
    folder.mkdir()
    for args in ([], ["--force"]):
        result = run("render", str(routine), "-o", str(folder), *args)
        assert result.returncode == 2
        assert result.stderr == (f"error: {folder} is a directory\n  hint: name a file to write "
                                 f"inside it, e.g. {folder / 'session.mp3'}\n")
    assert list(folder.iterdir()) == []


# -- issue 9's output paths ----------------------------------------------------------------------


def test_a_format_the_name_contradicts_is_refused(tmp_path: Path) -> None:
    routine = write(tmp_path / "short.yaml", SHORT)
    result = run("render", str(routine), "--format", "ogg", "-o", str(tmp_path / "x.mp3"))
    assert result.returncode == 2
    assert result.stderr == ("error: the format ogg does not match the file name 'x.mp3', which "
                             "says mp3\n  hint: name the file x.ogg, or leave the format out\n")
    assert not (tmp_path / "x.mp3").exists()


def test_o_dash_is_refused_and_writes_no_file_named_dash(tmp_path: Path) -> None:
    routine = write(tmp_path / "short.yaml", SHORT)
    result = run("render", str(routine), "-o", "-", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("error: -o - (standard output) is not supported")
    assert result.stdout == ""
    assert not (tmp_path / "-").exists()


def test_render_all_into_a_file_name_is_refused(tmp_path: Path) -> None:
    result = run("render", "--all", "-o", str(tmp_path / "all.mp3"))
    assert result.returncode == 2
    assert result.stderr == (f"error: with --all, -o names a folder to fill, and "
                             f"{tmp_path / 'all.mp3'} looks like a file name\n  hint: e.g. -o "
                             f"{tmp_path / 'all'}/ (the folder is made if missing)\n")
    assert list(tmp_path.iterdir()) == []


# -- 4. the audio and its sidecar together, or not at all; signals at the end -------------------


@needs_ffmpeg
def test_a_sidecar_that_cannot_be_placed_takes_the_audio_back(tmp_path: Path,
                                                              medium: Path) -> None:
    audio, cues = tmp_path / "a.mp3", tmp_path / "a.vtt"
    audio.write_text("old audio")
    cues.write_text("old cues")
    proc = start("render", str(medium), "-o", str(audio), "--cues", "vtt", "--force")
    wait_for_part(tmp_path)
    cues.unlink()
    cues.mkdir()  # a folder now stands where the sidecar goes
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 2
    assert stdout == ""
    assert stderr == (f"error: {cues} is a directory, not a regular file; it is never replaced\n"
                      "  hint: choose another file name\n")
    assert audio.read_text() == "old audio"  # put back: nothing half-done
    assert cues.is_dir()
    assert temp_files(tmp_path) == []


@needs_ffmpeg
def test_signals_near_the_end_never_leave_new_audio_beside_an_old_sidecar(
        tmp_path: Path, medium: Path) -> None:
    """SIGINT or SIGTERM at random moments around the end of a render (once 3 runs in 15 left
    the new audio beside the old sidecar): both old or both new, and the exit says which."""
    audio, cues = tmp_path / "s.mp3", tmp_path / "s.vtt"
    reference = tmp_path / "ref"
    reference.mkdir()
    proc = start("render", str(medium), "-o", str(reference / "s.mp3"), "--cues", "vtt")
    wait_for_part(reference)
    began = time.monotonic()
    assert proc.wait(timeout=600) == 0
    encode_s = time.monotonic() - began  # from the first encoded bytes to the exit
    new = ((reference / "s.mp3").read_bytes(), (reference / "s.vtt").read_bytes())
    rng = random.Random(10)
    outcomes = []
    factor = 1.0  # of encode_s: moved after each run towards the moment the files land
    for _ in range(15):
        audio.write_bytes(b"old audio")
        cues.write_bytes(b"old cues")
        proc = start("render", str(medium), "-o", str(audio), "--cues", "vtt", "--force")
        wait_for_part(tmp_path)
        time.sleep(factor * rng.uniform(0.9, 1.1) * encode_s)
        proc.send_signal(rng.choice([signal.SIGINT, signal.SIGTERM]))
        stdout, stderr = proc.communicate(timeout=600)
        now = (audio.read_bytes(), cues.read_bytes())
        if proc.returncode == 0:
            assert now == new and stdout.count("Wrote ") == 2 and stderr == ""
        else:
            assert proc.returncode in (130, 143), stderr
            assert now == (b"old audio", b"old cues")
            assert "Wrote" not in stdout and stderr in ("interrupted\n", "terminated\n")
        assert temp_files(tmp_path) == []
        outcomes.append(proc.returncode)
        factor = factor / 1.25 if proc.returncode == 0 else factor * 1.25
    assert set(outcomes) & {130, 143} and 0 in outcomes, outcomes  # landed on both sides


@needs_ffmpeg
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_after_wrote_is_said_changes_nothing(tmp_path: Path, signum: int) -> None:
    """Once "Wrote" is printed the files are complete: a kill then exits 0, as it said."""
    routine = write(tmp_path / "short.yaml", SHORT)
    audio = tmp_path / "s.mp3"
    proc = start("render", str(routine), "-o", str(audio), "--cues", "vtt")
    assert proc.stdout is not None
    lines = [proc.stdout.readline(), proc.stdout.readline()]
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    assert lines[1].startswith(f"Wrote {tmp_path / 's.vtt'}: ")
    assert proc.returncode == 0, stderr
    assert stderr == ""
    assert audio.stat().st_size > 1000 and (tmp_path / "s.vtt").read_text().startswith("WEBVTT")


# -- what a SIGKILL leaves, and the next run ------------------------------------------------------


@needs_ffmpeg
@pytest.mark.parametrize("fmt", ["mp3", "m4a"])
def test_sigkill_leftovers_are_removed_by_the_next_run(tmp_path: Path, medium: Path,
                                                       fmt: str) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    proc = subprocess.Popen([*VOICE_COACH, "render", str(medium), "-o", str(out / f"a.{fmt}")],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_part(out)
    proc.kill()
    proc.wait()
    left = temp_files(out)
    assert left and all(name.startswith(f".a.{fmt}.{proc.pid}.") for name in left)
    assert list(temp.iterdir()) == []  # chapters went to ffmpeg through an unlinked file
    routine = write(tmp_path / "short.yaml", SHORT)
    result = subprocess.run([*VOICE_COACH, "render", str(routine), "-o", str(out / "b.mp3")],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert temp_files(out) == []
    assert sorted(p.name for p in out.iterdir()) == ["b.mp3"]


def test_a_live_renders_temp_file_is_not_swept(tmp_path: Path) -> None:
    from voice_coach.output.temp_files import sweep

    mine = tmp_path / f".x.mp3.{os.getpid()}.0.part"
    parent = tmp_path / f".y.mp3.{os.getppid()}.3.part"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    gone = tmp_path / f".z.mp3.{dead.pid}.1.part"
    for path in (mine, parent, gone):
        path.write_text("x")
    assert sweep(tmp_path) == [gone]
    assert mine.exists() and parent.exists() and not gone.exists()


def test_without_hard_links_a_failed_commit_still_restores_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """FAT (phones, SD cards) has no hard links: the old file is renamed aside instead."""
    import errno

    from voice_coach.basics.errors import UsageError
    from voice_coach.output.atomic import OutputSet

    def no_links(src: object, dst: object) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    audio, cues = tmp_path / "a.mp3", tmp_path / "a.vtt"
    audio.write_text("old audio")
    cues.write_text("old cues")
    with OutputSet(force=True) as outputs:
        outputs.stage(audio).write_text("new audio")
        outputs.stage(cues).write_text("new cues")
        cues.unlink()
        cues.mkdir()  # the sidecar cannot be placed now
        with pytest.raises(UsageError, match="is a directory, not a regular file"):
            outputs.commit()
    assert audio.read_text() == "old audio"
    assert temp_files(tmp_path) == []
    cues.rmdir()
    with OutputSet(force=True) as outputs:
        outputs.stage(audio).write_text("new audio")
        outputs.commit()
    assert audio.read_text() == "new audio" and temp_files(tmp_path) == []
