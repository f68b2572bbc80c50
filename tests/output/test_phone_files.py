"""Files phone players treat well, inspected as they will be: ffprobe and mutagen for chapters
and tags, ffmpeg's ebur128 for loudness and true peak, the decoded audio for every cue's level,
and the sidecars against the plan."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from tests.audio_measure import decode
from voice_coach.cli import app
from voice_coach.output.cues import cue_text
from voice_coach.plan.timeline import Chapter, Event, Timeline, ms_to_frames
from voice_coach.sound import loudness as ld
from voice_coach.sound.master import under_speech_lu

pytestmark = pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffmpeg not installed")
runner = CliRunner()
SR = 22050

SHORT = """\
title: Short, for tests
intro: A short test session.
steps:
  - exercise: Ankle pumps
    sets: 2
    reps: 3
    rest: 5s
    get_ready: none
    halfway: false
outro: That's all.
fade_out: 2s
"""


def cli(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def plan_of(routine: str) -> dict:
    return json.loads(cli("plan", routine, "--json"))


def probe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams",
                          "-show_chapters", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a file, measured by ffmpeg."""
    text = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af",
                           "ebur128=peak=true", "-f", "null", "-"],
                          capture_output=True, text=True, check=True).stderr
    return (float(re.findall(r"I:\s+(-?[\d.]+) LUFS", text)[-1]),
            float(re.findall(r"Peak:\s+(-?[\d.]+) dBFS", text)[-1]))


def chapters_in_plan(plan: dict) -> list[tuple[int, int, str]]:
    starts = [c["start_ms"] for c in plan["chapters"]]
    ends = starts[1:] + [plan["duration_ms"]]
    return [(s, e, c["title"]) for s, e, c in zip(starts, ends, plan["chapters"], strict=True)]


def chapters_in_file(path: Path) -> list[tuple[int, int, str]]:
    return [(round(float(c["start_time"]) * 1000), round(float(c["end_time"]) * 1000),
             c["tags"]["title"]) for c in probe(path)["chapters"]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, str]:
    """The README's demo: ankle-pumps.mp3 with its JSON cue sidecar, its plan and what the
    render printed."""
    out = tmp_path_factory.mktemp("phone") / "ankle-pumps.mp3"
    text = cli("render", "ankle-pumps", "-o", str(out), "--cues", "json")
    assert text.splitlines()[1] == f"Wrote {out.with_suffix('.json')}: 61 spoken cues."
    return out, plan_of("ankle-pumps"), text


@pytest.fixture(scope="module")
def short_routine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("routine") / "short.yaml"
    path.write_text(SHORT)
    return path


# --- MP3: chapters, tags, bytes ----------------------------------------------------------


def test_mp3_chapters_are_the_plans(demo) -> None:
    out, plan, _ = demo
    assert chapters_in_file(out) == chapters_in_plan(plan)
    assert [c[2] for c in chapters_in_file(out)] == [
        "Introduction", "Set 1 of 3", "Rest", "Set 2 of 3", "Rest", "Set 3 of 3", "Finish"]


def id3_frames(path: Path) -> list[tuple[str, bytes]]:
    """(frame id, body) of each top-level ID3v2.3 frame, in the order stored in the file."""
    data = path.read_bytes()
    assert data[:5] == b"ID3\x03\x00", "an ID3v2.3 tag first"
    size = sum((b & 0x7F) << (7 * (3 - i)) for i, b in enumerate(data[6:10]))
    frames, pos = [], 10
    while pos + 10 <= 10 + size and data[pos : pos + 4].strip(b"\x00"):
        frame_id = data[pos : pos + 4].decode("ascii")
        length = struct.unpack(">I", data[pos + 4 : pos + 8])[0]
        frames.append((frame_id, data[pos + 10 : pos + 10 + length]))
        pos += 10 + length
    return frames


def test_mp3_chap_frames_are_stored_in_order_under_an_ordered_toc(demo) -> None:
    out, plan, _ = demo
    frames = id3_frames(out)
    chap_ids = [body.split(b"\x00", 1)[0].decode() for fid, body in frames if fid == "CHAP"]
    assert chap_ids == [f"ch{i}" for i in range(len(plan["chapters"]))]
    (toc,) = [body for fid, body in frames if fid == "CTOC"]
    assert toc[:4] == b"toc\x00" and toc[4] == 0x03  # top level, ordered
    assert toc[6:].split(b"\x00")[: toc[5]] == [i.encode() for i in chap_ids]
    assert "TXXX" not in {fid for fid, _ in frames}


def test_mp3_tags_as_mutagen_reads_them(demo) -> None:
    from mutagen.id3 import ID3

    out, plan, _ = demo
    tags = ID3(out)
    assert str(tags["TIT2"]) == "Ankle pumps, seated"
    assert str(tags["TPE1"]) == "voice-coach"
    assert str(tags["TALB"]) == "voice-coach"
    assert str(tags["TRCK"]) == "1/7"
    assert str(tags["TCON"]) == "Fitness"
    (comment,) = tags.getall("COMM")
    assert comment.lang == "eng"
    assert "3 x 10 reps of ankle pumps (holds of 3 s and 3 s, 30 s rests)" in comment.text[0]
    assert " 61 spoken cues, 7 chapters" in comment.text[0]
    assert str(tags["TLEN"]) == str(plan["duration_ms"])
    chapters = sorted(tags.getall("CHAP"), key=lambda c: c.start_time)
    assert [(c.start_time, c.end_time, str(c.sub_frames["TIT2"])) for c in chapters] == \
        chapters_in_plan(plan)


def test_ffprobe_shows_the_tags(demo) -> None:
    out, *_ = demo
    tags = probe(out)["format"]["tags"]
    assert tags["title"] == "Ankle pumps, seated" and tags["artist"] == "voice-coach"
    assert tags["track"] == "1/7" and tags["genre"] == "Fitness"
    assert "3 x 10 reps" in tags["comment"]


def test_same_routine_same_mp3_bytes(demo, tmp_path: Path) -> None:
    out, *_ = demo
    again = tmp_path / "again.mp3"
    cli("render", "ankle-pumps", "-o", str(again))
    assert again.read_bytes() == out.read_bytes()


# --- loudness ------------------------------------------------------------------------------


def test_demo_speech_measures_minus_16_lufs_and_the_file_what_was_reported(demo) -> None:
    from tests.level_table import reported, speech_gated_lufs

    out, plan, text = demo
    speech_lufs, file_lufs = reported(text)
    assert speech_lufs == -16.0
    assert speech_gated_lufs(decode(out) / 32768, plan["events"]) == pytest.approx(-16.0, abs=0.3)
    lufs, peak = ebur128(out)
    assert lufs == pytest.approx(file_lufs, abs=0.3)
    assert peak <= -1.0


def test_every_spoken_cue_as_loud_as_the_others_and_tones_under_them(demo) -> None:
    out, plan, _ = demo
    samples = decode(out) / 32768
    levels = {}
    for e in plan["events"]:
        piece = samples[ms_to_frames(e["start_ms"]) : ms_to_frames(e["start_ms"] +
                                                                  e["duration_ms"])]
        levels.setdefault((e["kind"], e.get("text") or e["tone"]), ld.cue_lufs(piece, SR))
    speech = [v for (kind, _), v in levels.items() if kind == "speech"]
    assert len(speech) == 16 and max(speech) - min(speech) <= 0.4, sorted(speech)
    voice = float(np.median(speech))
    for (kind, name), value in levels.items():
        if kind == "tone":
            assert value == pytest.approx(voice - under_speech_lu(name), abs=0.3), name


def test_loudness_option_sets_another_speech_loudness(short_routine: Path, tmp_path: Path
                                                      ) -> None:
    from tests.level_table import reported, speech_gated_lufs

    out = tmp_path / "quiet.flac"
    text = cli("render", str(short_routine), "-o", str(out), "--loudness", "-23")
    speech_lufs, file_lufs = reported(text)
    assert speech_lufs == -23.0
    plan = plan_of(str(short_routine))
    assert speech_gated_lufs(decode(out) / 32768, plan["events"]) == pytest.approx(-23.0, abs=0.3)
    lufs, peak = ebur128(out)
    assert lufs == pytest.approx(file_lufs, abs=0.3) and peak <= -1.0


# --- other formats -------------------------------------------------------------------------


@pytest.mark.parametrize("ext", ["m4a", "ogg", "flac"])
def test_other_formats_carry_chapters_tags_and_loudness(short_routine: Path, tmp_path: Path,
                                                       ext: str) -> None:
    from tests.level_table import reported, speech_gated_lufs

    out = tmp_path / f"short.{ext}"
    speech_lufs, file_lufs = reported(cli("render", str(short_routine), "-o", str(out)))
    plan = plan_of(str(short_routine))
    info = probe(out)
    tags = {k.lower(): v for k, v in info["format"].get("tags", {}).items()}
    for stream in info["streams"]:
        tags.update({k.lower(): v for k, v in stream.get("tags", {}).items()})
    assert tags["title"] == "Short, for tests" and tags["artist"] == "voice-coach"
    assert "2 x 3 reps of ankle pumps" in tags.get("comment", tags.get("description", ""))
    got = chapters_in_file(out)
    want = chapters_in_plan(plan)
    assert [(s, t) for s, _, t in got] == [(s, t) for s, _, t in want]
    assert speech_lufs == -16.0
    assert speech_gated_lufs(decode(out) / 32768, plan["events"]) == pytest.approx(-16.0, abs=0.3)
    lufs, peak = ebur128(out)
    codec_lu = 0.5 if ext == "ogg" else 0.3  # Opus decodes 0.1 to 0.3 LU under the mix
    assert lufs == pytest.approx(file_lufs, abs=codec_lu) and peak <= -1.0


def test_flac_has_vorbis_chapter_comments(short_routine: Path, tmp_path: Path) -> None:
    from mutagen.flac import FLAC

    out = tmp_path / "short.flac"
    cli("render", str(short_routine), "-o", str(out))
    comments = FLAC(out).tags
    assert comments["CHAPTER000"] == ["00:00:00.000"]
    assert comments["CHAPTER000NAME"] == ["Introduction"]
    assert comments["CHAPTER001NAME"] == ["Set 1 of 2"]


def test_wav_is_the_plans_length(short_routine: Path, tmp_path: Path) -> None:
    out = tmp_path / "short.wav"
    cli("render", str(short_routine), "-o", str(out), "--format", "wav")
    plan = plan_of(str(short_routine))
    assert len(decode(out)) == ms_to_frames(plan["duration_ms"])


def test_render_all_into_a_folder_with_a_playlist(tmp_path: Path) -> None:
    folder = tmp_path / "sessions"
    text = cli("render", "--all", "-o", str(folder), "--format", "flac")
    names = ["ankle-pumps", "ankle-pumps-lying", "ankle-pumps-pump", "flight", "tv-break",
             "bedtime", "morning"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{n}.flac" for n in names] + ["voice-coach.m3u"])
    assert text.splitlines()[-1] == f"Wrote {folder / 'voice-coach.m3u'}: 7 sessions."
    playlist = (folder / "voice-coach.m3u").read_text().splitlines()
    assert playlist[0] == "#EXTM3U"
    assert playlist[2::2] == [f"{n}.flac" for n in names]
    assert playlist[1].startswith("#EXTINF:290,voice-coach - Ankle pumps, seated")
    from mutagen.flac import FLAC

    assert [FLAC(folder / f"{n}.flac").tags["TRACKNUMBER"][0] for n in names] == [
        f"{i}/7" for i in range(1, 8)]


# --- cue sidecars --------------------------------------------------------------------------


def test_json_sidecar_follows_podcast_chapters_and_the_plan(demo) -> None:
    out, plan, _ = demo
    doc = json.loads(out.with_suffix(".json").read_text())
    assert doc["version"] == "1.2.0" and doc["fileName"] == "ankle-pumps.mp3"
    entries = doc["chapters"]
    assert [e["startTime"] for e in entries] == sorted(e["startTime"] for e in entries)
    toc = [(round(e["startTime"] * 1000), e["title"]) for e in entries if e.get("toc", True)]
    assert toc == [(c["start_ms"], c["title"]) for c in plan["chapters"]]
    cues = [e for e in entries if e.get("toc") is False]
    speech = [e for e in plan["events"] if e["kind"] == "speech"]
    assert [(round(e["startTime"] * 1000), round(e["endTime"] * 1000), e["title"])
            for e in cues] == [(e["start_ms"], e["start_ms"] + e["duration_ms"], e["text"])
                               for e in speech]


def parse_clock_ms(text: str) -> int:
    h, m, rest = re.split(r":", text)
    s, ms = re.split(r"[.,]", rest)
    return ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms)


def small_timeline() -> Timeline:
    events = (Event(0, 1500, "speech", text="Sit <comfortably> & relax."),
              Event(1600, 200, "tone", tone="rise"),
              Event(2000, 740, "speech", text="Toes up."),
              Event(3_723_456, 1001, "speech", text="Last one."))
    return Timeline("t", "Test", 3_730_000, events,
                    (Chapter(0, "Introduction", "intro"), Chapter(1600, "Set 1 of 1", "set")))


@pytest.mark.parametrize("fmt", ["vtt", "srt"])
def test_vtt_and_srt_cues_at_exact_times(fmt: str) -> None:
    text = cue_text(small_timeline(), fmt)
    sep = "." if fmt == "vtt" else ","
    times = re.findall(rf"(\d\d:\d\d:\d\d{re.escape(sep)}\d\d\d) --> (\d\d:\d\d:\d\d{sep}\d\d\d)",
                       text)
    assert [(parse_clock_ms(a), parse_clock_ms(b)) for a, b in times] == [
        (0, 1500), (2000, 2740), (3_723_456, 3_724_457)]
    assert text.startswith("WEBVTT\n\n1\n") if fmt == "vtt" else text.startswith("1\n00:00:00")
    if fmt == "vtt":
        assert "Sit &lt;comfortably&gt; &amp; relax." in text
    else:
        assert "Sit <comfortably> & relax." in text


def test_lrc_cues_to_the_hundredth() -> None:
    lines = cue_text(small_timeline(), "lrc").splitlines()
    assert lines[:3] == ["[ti:Test]", "[ar:voice-coach]", "[length:62:10]"]
    assert lines[3:] == ["[00:00.00]Sit <comfortably> & relax.", "[00:02.00]Toes up.",
                         "[62:03.45]Last one."]


def test_vtt_sidecar_beside_the_audio_and_refused_when_it_exists(short_routine: Path,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "s.mp3"
    sidecar = tmp_path / "s.vtt"
    sidecar.write_text("keep")
    result = runner.invoke(app, ["render", str(short_routine), "-o", str(out), "--cues", "vtt"])
    assert result.exit_code == 2
    assert result.stderr == (f"error: {sidecar} already exists\n"
                             "  hint: use --force to overwrite it\n")
    assert not out.exists() and sidecar.read_text() == "keep"
    cli("render", str(short_routine), "-o", str(out), "--cues", "VTT", "--force")
    plan = plan_of(str(short_routine))
    starts = [parse_clock_ms(a) for a in re.findall(r"(\S+) --> ", sidecar.read_text())]
    assert starts == [e["start_ms"] for e in plan["events"] if e["kind"] == "speech"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.mp3", "s.vtt"]  # no temp files


# --- bad options ---------------------------------------------------------------------------


@pytest.mark.parametrize("args, stderr", [
    (["--cues", "doc"], "error: --cues must be one of vtt, srt, lrc, json; got 'doc'\n"
                        "  hint: e.g. --cues vtt\n"),
    (["--loudness", "-50"], "error: --loudness must be from -40 to -6 LUFS, got -50\n"
                            "  hint: -16 suits phones and podcasts; -19 to -23 is quieter\n"),
    (["--format", "aiff"], "error: unknown format 'aiff'\n"
                           "  hint: formats: wav, mp3, m4a, ogg, flac\n"),
    (["--all"], "error: --all renders every built-in routine; give no ROUTINE, --every or --for "
                "with it\n  hint: e.g. voice-coach render --all -o sessions/\n"),
])
def test_bad_render_options_exit_2_with_a_hint(tmp_path: Path, args: list[str],
                                               stderr: str) -> None:
    result = runner.invoke(app, ["render", "ankle-pumps", "-o", str(tmp_path / "x.mp3"), *args])
    assert result.exit_code == 2
    assert result.stderr == stderr
    assert list(tmp_path.iterdir()) == []


def test_render_needs_a_routine_or_all(tmp_path: Path) -> None:
    result = runner.invoke(app, ["render", "-o", str(tmp_path / "x.mp3")])
    assert result.exit_code == 2
    assert result.stderr == ("error: give a ROUTINE to render, or --all\n"
                             "  hint: e.g. voice-coach render ankle-pumps -o ankle-pumps.mp3\n")
