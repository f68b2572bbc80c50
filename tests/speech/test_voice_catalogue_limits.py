"""A hostile voice mirror, served for real on 127.0.0.1 (tests/speech/voice_mirror.py): voice ids
that are not Piper's naming ("." renamed the whole voices folder once) are refused with a clear
error and touch nothing; a voices.json that never ends is read only up to its bound."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.speech.voice_mirror import Mirror, md5
from voice_coach.cli import app
from voice_coach.speech.voice_index import (
    MAX_CATALOG_BYTES,
    CatalogError,
    is_voice_id,
    parse_catalog,
)

TINY = "xx_XX-tiny-low"


pytestmark = pytest.mark.usefixtures("data_dir")


def tiny_files() -> dict[str, bytes]:
    config = {"audio": {"sample_rate": 22050, "quality": "low"}, "espeak": {"voice": "en"},
              "language": {"code": "xx_XX"}}
    return {f"{TINY}.onnx": b"not really a model " * 100,
            f"{TINY}.onnx.json": json.dumps(config).encode(),
            "MODEL_CARD": b"# Model card\n\n## Dataset\n\n* License: CC-BY-4.0\n"}


def hostile_entry(key: str, mirror: Mirror, alias: str) -> dict:
    """An entry keyed `key` whose files exist on the mirror and match their checksums."""
    folder = mirror.root / "hostile"
    folder.mkdir(exist_ok=True)
    files = {}
    for name in (f"{key}.onnx", f"{key}.onnx.json"):
        safe = name.replace("/", "_")
        (folder / safe).write_bytes(b"{}")
        files[f"hostile/{safe}" if "/" in name else f"hostile/{name}"] = {
            "size_bytes": 2, "md5_digest": md5(folder / safe)}
    return {"key": key, "name": "x", "language": {"code": "en_US"}, "quality": "medium",
            "files": files, "aliases": [alias]}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "voices.json"}


@pytest.mark.parametrize("key", [".", "..", "../x", "x/../..", "en_US-a/b-low", ".hidden",
                                 "en_US-lessac-medium/..", "EN_us-lessac-medium",
                                 "en_US-lessac-ultra", "en_US--medium", "en_US-lessac-medium\n"])
def test_a_key_that_is_not_a_piper_voice_id_is_refused(key: str) -> None:
    assert not is_voice_id(key)
    with pytest.raises(CatalogError) as caught:
        parse_catalog(json.dumps({key: {"files": {}, "language": {"code": "en_US"}}}))
    assert "is not a Piper voice id (language_REGION-name-quality" in str(caught.value)


@pytest.mark.parametrize("key", ["en_US-lessac-medium", "de_DE-thorsten_emotional-medium",
                                 "zh_CN-huayan-x_low", "en_GB-northern_english_male-medium",
                                 "vi_VN-vais1000-medium", TINY])
def test_piper_voice_ids_are_accepted(key: str) -> None:
    assert is_voice_id(key)


@pytest.mark.parametrize("key", [".", "..", "../escaped"])
def test_an_install_from_a_hostile_catalogue_touches_no_installed_voice(
        mirror: Mirror, data_dir: Path, key: str) -> None:
    mirror.add_voice(TINY, tiny_files())
    first = CliRunner().invoke(app, ["voices", "install", TINY, "--mirror", mirror.url])
    assert first.exit_code == 0, first.output
    voices = data_dir / "voices"
    before = snapshot(voices)
    assert f"{TINY}/{TINY}.onnx" in before
    mirror.add_raw(key, hostile_entry(key, mirror, alias="en_US-lessac-medium"))
    result = CliRunner().invoke(app, ["voices", "install", "en_US-lessac-medium",
                                      "--mirror", mirror.url])
    assert result.exit_code == 1
    assert f"{key!r} is not a Piper voice id (language_REGION-name-quality" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(voices) == before
    assert sorted(p.name for p in voices.iterdir()) == sorted([TINY, "voices.json"])
    assert not (voices.parent / "escaped").exists()


@pytest.mark.parametrize("declared", [None, 6 * 1024 ** 3])
def test_a_catalogue_that_never_ends_is_read_only_to_its_bound(
        mirror: Mirror, data_dir: Path, declared: int | None) -> None:
    mirror.endless.add("voices.json")
    mirror.declared = declared
    result = CliRunner().invoke(app, ["voices", "install", TINY, "--mirror", mirror.url])
    assert result.exit_code == 1
    assert f"{mirror.url}/voices.json is larger than 16 MB, so it is not the voice " \
           "catalogue (voices.json); nothing was installed" in result.stderr
    assert "hint: check the mirror URL" in result.stderr
    # what the mirror managed to write: the bound plus what the sockets' buffers hold
    assert mirror.sent_bytes < MAX_CATALOG_BYTES + 16 * 1024 * 1024
    if declared is not None:
        assert mirror.sent_bytes < 16 * 1024 * 1024  # refused from its Content-Length
    assert not (data_dir / "voices" / TINY).exists()
