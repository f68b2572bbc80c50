"""The Piper voice catalogue: rhasspy/piper-voices' voices.json, read, never trusted blindly.

voices.json maps each voice key to its language, quality and files ({repository path:
{"size_bytes", "md5_digest"}}). `voices install` fetches it fresh and keeps a copy in the voices
folder; listing reads that copy, or the small snapshot shipped beside this file. It only parses
and looks up: downloading is install.py's job.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from voice_coach.speech.voice_files import QUALITY_RANK, language_tag, voices_dir

SNAPSHOT = Path(__file__).with_name("piper_voices.json")
CACHED_NAME = "voices.json"
_MD5 = re.compile(r"^[0-9a-f]{32}$")
# Piper's voice naming, language_REGION-name-quality ("en_US-lessac-medium",
# "de_DE-thorsten_emotional-medium", "zh_CN-huayan-x_low"): the id becomes a folder name, so
# nothing else ("." , "..", "../x", "a/b", hidden names) may pass.
VOICE_ID = re.compile(r"[a-z]{2,3}_[A-Z]{2}-[a-z0-9]+(?:_[a-z0-9]+)*-(?:x_low|low|medium|high)")
MAX_CATALOG_BYTES = 16 * 1024 * 1024  # the real voices.json is about 0.5 MB
MAX_CATALOG_VOICES = 10_000
# Licences read from model cards we have checked (the catalogue has none); others are read
# from the voice's MODEL_CARD once it is installed.
KNOWN_LICENCES = {"en_US-joe-medium": "dataset CC0, fine-tuned from lessac"}


class CatalogError(ValueError):
    """voices.json is not what the piper-voices repository publishes."""


@dataclass(frozen=True)
class CatalogFile:
    path: str  # relative to the repository root, e.g. "en/en_US/joe/medium/en_US-joe-medium.onnx"
    size_bytes: int
    md5: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class CatalogVoice:
    id: str
    language: str  # "en_US"
    quality: str
    files: tuple[CatalogFile, ...]
    aliases: tuple[str, ...] = ()

    @property
    def tag(self) -> str:
        return language_tag(self.language)

    @property
    def size_bytes(self) -> int:
        return sum(f.size_bytes for f in self.files)

    @property
    def licence(self) -> str:
        return KNOWN_LICENCES.get(self.id, "")


def parse_catalog(text: str | bytes) -> dict[str, CatalogVoice]:
    """{voice id: CatalogVoice} from voices.json text; CatalogError if its shape is wrong.

    Every voice must list a model (.onnx) and its config (.onnx.json), each with a size and an
    MD5 digest, under a plain relative path (no "..", no absolute path)."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise CatalogError("voices.json nests too deeply to be a voice catalogue") from None
    except ValueError as exc:
        raise CatalogError(f"voices.json is not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise CatalogError("voices.json is not a JSON object of voices")
    if len(data) > MAX_CATALOG_VOICES:
        raise CatalogError(f"voices.json lists {len(data)} voices, more than the "
                           f"{MAX_CATALOG_VOICES} a catalogue may have")
    voices = {}
    for key, entry in data.items():
        if not is_voice_id(key):
            raise CatalogError(f"voices.json: {key!r} is not a Piper voice id "
                               "(language_REGION-name-quality, e.g. en_US-lessac-medium)")
        try:
            voices[key] = _voice(key, entry)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CatalogError(f"voices.json: voice {key!r} is malformed ({exc})") from None
    return voices


def is_voice_id(text: object) -> bool:
    """Whether `text` is a voice id as Piper names them (language_REGION-name-quality)."""
    return isinstance(text, str) and VOICE_ID.fullmatch(text) is not None


def _voice(key: str, entry: dict) -> CatalogVoice:
    files = []
    for path, info in entry["files"].items():
        parts = path.split("/")
        if path.startswith("/") or ".." in parts or "\\" in path or not all(parts):
            raise ValueError(f"unsafe file path {path!r}")
        size, md5 = int(info["size_bytes"]), str(info["md5_digest"]).lower()
        if size < 0 or not _MD5.match(md5):
            raise ValueError(f"bad size or md5_digest for {path!r}")
        files.append(CatalogFile(path, size, md5))
    names = {f.name for f in files}
    if f"{key}.onnx" not in names or f"{key}.onnx.json" not in names:
        raise ValueError(f"it lists no {key}.onnx with its {key}.onnx.json")
    return CatalogVoice(id=key, language=str(entry["language"]["code"]),
                        quality=str(entry.get("quality", "")), files=tuple(files),
                        aliases=tuple(str(a) for a in entry.get("aliases") or ()))


def cached_path() -> Path:
    return voices_dir() / CACHED_NAME


def load_catalog() -> tuple[dict[str, CatalogVoice], str]:
    """(voices, where from): the copy kept by the last `voices install`, else the snapshot."""
    for path, label in ((cached_path(), "cached"), (SNAPSHOT, "snapshot")):
        try:
            with open(path, "rb") as src:
                data = src.read(MAX_CATALOG_BYTES + 1)
            if len(data) > MAX_CATALOG_BYTES:
                continue
            return parse_catalog(data), label
        except (OSError, CatalogError):
            continue
    return {}, "none"


def find(catalog: dict[str, CatalogVoice], name: str) -> CatalogVoice | None:
    """The voice `name` names by key or alias, any case."""
    wanted = name.strip().lower()
    for voice in catalog.values():
        if voice.id.lower() == wanted or wanted in (a.lower() for a in voice.aliases):
            return voice
    return None


def for_language(catalog: dict[str, CatalogVoice], query: str) -> list[CatalogVoice]:
    """Catalogue voices for a language ("de", "en-gb"), the usual choice first."""
    tag = language_tag(query.strip())
    same = [v for v in catalog.values()
            if v.tag == tag or ("-" not in tag and v.tag.split("-")[0] == tag)]
    return sorted(same, key=lambda v: (QUALITY_RANK.get(v.quality, 9), v.id.lower()))


def close_names(catalog: dict[str, CatalogVoice], name: str) -> list[str]:
    by_lower = {v.id.lower(): v.id for v in catalog.values()}
    return [by_lower[n] for n in difflib.get_close_matches(name.lower(), list(by_lower), n=4,
                                                           cutoff=0.5)]


def suggest_install(query: str) -> str:
    """A hint for a Piper voice that is not installed: which one to install, if any fits."""
    catalog, _ = load_catalog()
    found = find(catalog, query)
    choices = [found] if found else for_language(catalog, query)
    if choices:
        return f"install one: voice-coach voices install {choices[0].id}"
    close = close_names(catalog, query)
    if close:
        return "close matches: " + ", ".join(close) + "; 'voice-coach voices' lists them all"
    return "'voice-coach voices --engine piper' lists the voices you can install"
