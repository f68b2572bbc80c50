"""Export with the real ffmpeg and the real file system: bytes, lengths, onsets, failures."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.audio_measure import decode, onsets, read_wav
from tests.sound.test_render import TONES, fake_clip, long_session, make_timeline, speech, tone
from voice_coach.basics.errors import EngineError, OutputError, UsageError
from voice_coach.output import encoders
from voice_coach.output.export import FORMATS, format_for, write_audio
from voice_coach.plan.timeline import ms_to_frames
from voice_coach.sound.mix import render_array, render_blocks, to_pcm16

SR = 22050
MP3_FRAME = 1152
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


def short_plan():
    clips = {"Toes up": fake_clip(400), "Toes down": fake_clip(350, 260)}
    plan = make_timeline(
        4000,
        speech(100, "Toes up", clips),
        tone(700, "rise"),
        tone(1300, "tick"),
        speech(2000, "Toes down", clips),
        tone(2600, "chime"),
        fade_out_ms=300,
    )
    return plan, clips


def export_plan(path: Path, plan, clips, **kwargs) -> Path:
    return write_audio(
        path,
        render_blocks(plan, clips, TONES, block_frames=10_000),
        sample_rate=plan.sample_rate,
        n_frames=plan.n_frames,
        **kwargs,
    )


def failing_blocks(n_good: int, exc: BaseException):
    for _ in range(n_good):
        yield np.full(10_000, 0.25, dtype=np.float32)
    raise exc


def leftovers(directory: Path, keep: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name != keep)


# --- formats ----------------------------------------------------------------------------


def test_format_from_extension_or_explicit():
    assert FORMATS[:2] == ("wav", "mp3")
    assert format_for(Path("a.wav")) == "wav"
    assert format_for(Path("dir.x/A.MP3")) == "mp3"
    assert format_for(Path("a.opus"), "ogg") == "ogg"
    assert format_for(Path("noext"), "WAV") == "wav"
    assert format_for(Path("podcast.bin"), "mp3") == "mp3"  # a name that says no audio format


def test_a_format_the_file_name_contradicts_is_refused():
    """--format ogg -o x.mp3 once wrote Ogg into x.mp3, which players then refuse."""
    with pytest.raises(UsageError) as info:
        format_for(Path("x.mp3"), "ogg")
    assert info.value.message == (
        "the format ogg does not match the file name 'x.mp3', which says mp3")
    assert info.value.hint == "name the file x.ogg, or leave the format out"


def test_unknown_format_lists_the_known_ones():
    with pytest.raises(UsageError, match="unknown format 'ogx'") as info:
        format_for(Path("a.wav"), "ogx")
    assert info.value.hint == "formats: wav, mp3, m4a, ogg, flac"
    with pytest.raises(UsageError, match="extension '.aiff'") as info:
        format_for(Path("a.aiff"))
    assert "wav, mp3" in info.value.hint
    with pytest.raises(UsageError, match="no extension"):
        format_for(Path("session"))


# --- WAV --------------------------------------------------------------------------------


def test_wav_is_the_mix_byte_for_byte(tmp_path):
    plan, clips = short_plan()
    seen = []
    out = export_plan(tmp_path / "s.wav", plan, clips, progress=lambda d, n: seen.append((d, n)))
    assert out == tmp_path / "s.wav"
    with wave.open(str(out), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, SR)
        assert wav.getnframes() == plan.n_frames
        data = wav.readframes(wav.getnframes())
    assert data == to_pcm16(render_array(plan, clips, TONES))
    assert seen[-1] == (plan.n_frames, plan.n_frames)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) == 9
    assert leftovers(tmp_path, "s.wav") == []


def test_new_file_gets_normal_permissions(tmp_path):
    plan, clips = short_plan()
    out = export_plan(tmp_path / "s.wav", plan, clips)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_existing_file_is_refused_without_force(tmp_path):
    plan, clips = short_plan()
    target = tmp_path / "s.wav"
    target.write_bytes(b"old")
    with pytest.raises(UsageError, match="already exists") as info:
        export_plan(target, plan, clips)
    assert info.value.hint == "pass force=True to overwrite it"  # the CLI says --force
    assert target.read_bytes() == b"old"
    export_plan(target, plan, clips, force=True)
    assert read_wav(target)[0].size == plan.n_frames


@pytest.mark.parametrize("fmt", ["wav", pytest.param("mp3", marks=needs_ffmpeg)])
@pytest.mark.parametrize("exc", [RuntimeError("synth crashed"), KeyboardInterrupt()])
def test_failure_mid_stream_leaves_old_file_and_no_temp(tmp_path, fmt, exc, monkeypatch):
    started = []
    real_popen = subprocess.Popen
    monkeypatch.setattr(
        subprocess, "Popen", lambda *a, **k: started.append(real_popen(*a, **k)) or started[-1]
    )
    target = tmp_path / f"s.{fmt}"
    target.write_bytes(b"precious")
    with pytest.raises(type(exc)):
        write_audio(target, failing_blocks(3, exc), sample_rate=SR, n_frames=100_000, force=True)
    assert target.read_bytes() == b"precious"
    assert leftovers(tmp_path, target.name) == []
    assert all(p.returncode is not None for p in started)  # ffmpeg killed and reaped
    assert len(started) == (1 if fmt == "mp3" else 0)


def test_missing_directory_is_an_output_error(tmp_path):
    plan, clips = short_plan()
    with pytest.raises(OutputError, match="does not exist"):
        export_plan(tmp_path / "nope" / "s.wav", plan, clips)
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a directory"):
        export_plan(tmp_path / "file" / "s.wav", plan, clips)


def test_unwritable_directory_is_an_output_error(tmp_path):
    plan, clips = short_plan()
    if os.geteuid() == 0:
        directory = Path("/sys")  # root ignores mode bits; sysfs refuses new files even to root
    else:
        directory = tmp_path / "ro"
        directory.mkdir()
        directory.chmod(0o555)
    with pytest.raises(OutputError, match=r"cannot write .*(permission denied|read-only)"):
        export_plan(directory / "s.wav", plan, clips)


def test_target_is_a_directory(tmp_path):
    (tmp_path / "d.wav").mkdir()
    with pytest.raises(UsageError, match="is a directory"):
        export_plan(tmp_path / "d.wav", *short_plan(), force=True)


@pytest.fixture
def tiny_fs(tmp_path):
    """A 64 KiB tmpfs (root only): a real full disk."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


@pytest.mark.parametrize("fmt", ["wav", pytest.param("mp3", marks=needs_ffmpeg)])
def test_disk_full_is_an_output_error(tiny_fs, fmt):
    target = tiny_fs / f"s.{fmt}"
    target.write_bytes(b"old")
    blocks = (np.full(65536, 0.1 * (i % 5), dtype=np.float32) for i in range(200))
    with pytest.raises(OutputError, match="disk full") as info:
        write_audio(target, blocks, sample_rate=SR, n_frames=200 * 65536, force=True)
    assert "free some space" in info.value.hint
    assert target.read_bytes() == b"old"
    assert leftovers(tiny_fs, target.name) == []


@pytest.mark.parametrize("fmt", ["wav", pytest.param("mp3", marks=needs_ffmpeg)])
def test_file_size_limit_is_an_output_error(tmp_path, fmt):
    """ulimit -f: the real EFBIG path, for Python's writes and for ffmpeg's."""
    script = """
import resource, sys, numpy as np
from pathlib import Path
from voice_coach.basics.errors import OutputError
from voice_coach.output.export import write_audio
resource.setrlimit(resource.RLIMIT_FSIZE, (50_000, 50_000))
blocks = (np.full(65536, 0.1 * (i % 5), dtype=np.float32) for i in range(40))
try:
    write_audio(Path(sys.argv[1]), blocks, sample_rate=22050, n_frames=40 * 65536)
except OutputError as exc:
    print(exc.format())
"""
    target = tmp_path / f"s.{fmt}"
    result = subprocess.run(
        [sys.executable, "-c", script, str(target)], capture_output=True, text=True, timeout=60
    )
    assert "error: file too large" in result.stdout, result.stderr
    assert list(tmp_path.iterdir()) == []


# --- MP3 --------------------------------------------------------------------------------


@needs_ffmpeg
def test_mp3_decodes_to_the_plan_length_and_onsets(tmp_path):
    plan, clips = short_plan()
    out = export_plan(tmp_path / "s.mp3", plan, clips)
    decoded = decode(out, SR)
    assert abs(len(decoded) - plan.n_frames) < MP3_FRAME
    mix = render_array(plan, clips, TONES)
    want = onsets(mix, SR, threshold_dbfs=-30, min_silence_ms=100)
    got = onsets(decoded, SR, threshold_dbfs=-30, min_silence_ms=100)
    assert len(got) == len(want) == len(plan.events)
    assert max(abs(g - w) for g, w in zip(got, want, strict=True)) <= ms_to_frames(3)


@needs_ffmpeg
def test_mp3_same_input_same_bytes(tmp_path):
    plan, clips = short_plan()
    first = export_plan(tmp_path / "a.mp3", plan, clips).read_bytes()
    second = export_plan(tmp_path / "b.mp3", plan, clips).read_bytes()
    assert first == second
    assert b"Lavf5" not in first and b"Lavc5" not in first  # bitexact: no version strings


@needs_ffmpeg
def test_mp3_bitrate(tmp_path):
    plan, clips = short_plan()
    small = export_plan(tmp_path / "a.mp3", plan, clips, bitrate_kbps=32).stat().st_size
    big = export_plan(tmp_path / "b.mp3", plan, clips, bitrate_kbps=128).stat().st_size
    assert big > 3 * small


def test_ffmpeg_failure_reports_the_end_of_its_stderr(tmp_path, monkeypatch):
    """A stand-in ffmpeg that reads a little, complains on stderr and exits 1 mid-stream."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "ffmpeg"
    fake.write_text(
        "#!/bin/sh\nhead -c 1000 >/dev/null\n"
        'for i in 1 2 3 4 5 6 7; do echo "line $i" >&2; done\nexit 1\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    with pytest.raises(EngineError, match="ffmpeg failed") as info:
        write_audio(
            out_dir / "s.mp3",
            failing_blocks(1000, RuntimeError("unreached")),
            sample_rate=SR,
            n_frames=10_000_000,
        )
    assert info.value.message.endswith("line 3\nline 4\nline 5\nline 6\nline 7")
    assert "line 2" not in info.value.message
    assert list(out_dir.iterdir()) == []


def test_bad_numbers_are_programming_errors(tmp_path):
    with pytest.raises(ValueError, match="sample_rate"):
        write_audio(tmp_path / "s.wav", [], sample_rate=0, n_frames=0)
    with pytest.raises(ValueError, match="bitrate_kbps"):
        write_audio(tmp_path / "s.mp3", [], sample_rate=SR, n_frames=0, bitrate_kbps=0)
    assert list(tmp_path.iterdir()) == []


def test_ffmpeg_missing_fails_mp3_but_not_wav(tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    plan, clips = short_plan()
    with pytest.raises(EngineError, match="^ffmpeg not found$") as info:
        export_plan(tmp_path / "s.mp3", plan, clips)
    assert info.value.hint == (
        "install it: sudo apt-get install ffmpeg; or write .wav, which needs no ffmpeg"
    )
    export_plan(tmp_path / "s.wav", plan, clips)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty-bin", "s.wav"]


def test_importing_export_does_not_look_for_ffmpeg():
    result = subprocess.run(
        [sys.executable, "-c", "import voice_coach.output.export, voice_coach.sound.mix"],
        env={**os.environ, "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert encoders.FFMPEG_HINT.startswith("install it")


# --- speed ------------------------------------------------------------------------------


@needs_ffmpeg
@pytest.mark.slow
def test_30_minute_mp3_costs_about_what_ffmpeg_alone_costs(tmp_path):
    plan, clips = long_session()
    began = time.perf_counter()
    out = export_plan(tmp_path / "long.mp3", plan, clips)
    ours_s = time.perf_counter() - began

    wav = write_audio(
        tmp_path / "long.wav",
        render_blocks(plan, clips, TONES),
        sample_rate=SR,
        n_frames=plan.n_frames,
    )
    began = time.perf_counter()
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-nostdin",
            "-i",
            str(wav),
            "-c:a",
            "libmp3lame",
            "-b:a",
            "64k",
            str(tmp_path / "alone.mp3"),
        ],
        check=True,
    )
    alone_s = time.perf_counter() - began

    decoded = decode(out, SR)
    length_error = len(decoded) - plan.n_frames
    print(
        f"\n30-min, {len(plan.events)} events: render+encode {ours_s:.2f} s, "
        f"ffmpeg alone {alone_s:.2f} s, decoded length error {length_error} frames"
    )
    assert abs(length_error) < MP3_FRAME
    assert ours_s < 1.5 * alone_s + 1.0


@needs_ffmpeg
def test_real_ctrl_c_while_encoding_cleans_up(tmp_path):
    """SIGINT to a process mid-MP3: old file intact, no temp file, ffmpeg reaped."""
    script = """
import os, sys, time, numpy as np
from pathlib import Path
from voice_coach.output.export import write_audio
def slow_blocks():
    for _ in range(10_000):
        time.sleep(0.01)
        yield np.full(4096, 0.1, dtype=np.float32)
def announce(done, n_frames):
    if done == 4096 * 5:
        print("going", flush=True)
try:
    write_audio(Path(sys.argv[1]), slow_blocks(), sample_rate=22050, n_frames=40_960_000,
                force=True, progress=announce)
except KeyboardInterrupt:
    try:
        os.waitpid(-1, os.WNOHANG)
        print("child left")
    except ChildProcessError:
        print("interrupted, no children")
"""
    target = tmp_path / "s.mp3"
    target.write_bytes(b"precious")
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(target)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline() == "going\n"
        assert len(list(tmp_path.iterdir())) == 2  # the target and the hidden temp file
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert out == "interrupted, no children\n"
    assert target.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["s.mp3"]


def test_replacing_a_file_is_atomic_whoever_reads_it_keeps_the_old_one(tmp_path):
    """A new file renamed into place (os.replace), never the old one rewritten: a reader that
    has the old file open reads it whole, and the path names a new file."""
    from voice_coach.output.atomic import write_text_atomic

    plan, clips = short_plan()
    for name, write in (("s.txt", lambda p: write_text_atomic(p, "new text", force=True)),
                        ("s.wav", lambda p: export_plan(p, plan, clips, force=True))):
        target = tmp_path / name
        target.write_bytes(b"the old contents, whole")
        old_inode = target.stat().st_ino
        with open(target, "rb") as reader:
            write(target)
            assert reader.read() == b"the old contents, whole"
        assert target.stat().st_ino != old_inode
        assert target.read_bytes() != b"the old contents, whole"
        assert not list(tmp_path.glob(".*.part"))


def test_text_is_written_as_utf8_and_an_existing_file_needs_force(tmp_path):
    from voice_coach.basics.errors import OutputExistsError
    from voice_coach.output.atomic import write_text_atomic

    target = tmp_path / "cues.vtt"
    write_text_atomic(target, "Ça va — 1\n")
    assert target.read_bytes() == "Ça va — 1\n".encode()
    with pytest.raises(OutputExistsError):
        write_text_atomic(target, "other")
    assert target.read_bytes() == "Ça va — 1\n".encode()


@pytest.mark.parametrize("code, message, hint", [
    ("ENOENT", "cannot write /o/d/s.mp3: directory /o/d does not exist",
     "create it first, or choose another output path"),
    ("ENOTDIR", "cannot write /o/d/s.mp3: /o/d is not a directory", "choose another output path"),
    ("EACCES", "cannot write /o/d/s.mp3: permission denied",
     "check the permissions of /o/d, or choose another output path"),
    ("EPERM", "cannot write /o/d/s.mp3: operation not permitted", "choose another output path"),
    ("EROFS", "cannot write /o/d/s.mp3: read-only file system", "choose another output path"),
    # writing .mp3 already: no "write .mp3" (it once said so)
    ("ENOSPC", "disk full while writing /o/d/s.mp3", "free some space, or write to another disk"),
    ("EDQUOT", "disk quota exceeded while writing /o/d/s.mp3",
     "free some space, or write to another disk"),
    ("EFBIG", "file too large while writing /o/d/s.mp3",
     "the file system or a size limit refuses files this big; split the session"),
    ("EIO", "cannot write /o/d/s.mp3: Input/output error", ""),
])
def test_os_errors_say_what_happened_and_what_to_do(code: str, message: str, hint: str):
    import errno

    from voice_coach.basics.errors import OutputError
    from voice_coach.output.os_errors import output_error

    number = getattr(errno, code)
    error = output_error(OSError(number, os.strerror(number)), Path("/o/d/s.mp3"))
    assert isinstance(error, OutputError) and error.exit_code == 1
    assert (error.message, error.hint) == (message, hint)
