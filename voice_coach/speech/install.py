"""Installing and removing Piper voices from the piper-voices repository (or a mirror of it).

Every file is checked against the repository's own voices.json (size and MD5) while it is
downloaded into a hidden folder beside the voices; only a complete, verified voice is renamed
into place, so a half-downloaded or altered voice is never used. It never loads a model.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from voice_coach.basics.errors import EngineError, UsageError
from voice_coach.speech.voice_files import HIDDEN_PREFIX, installed_piper_voices, voices_dir
from voice_coach.speech.voice_index import (
    CACHED_NAME,
    MAX_CATALOG_BYTES,
    CatalogError,
    CatalogVoice,
    close_names,
    find,
    is_voice_id,
    parse_catalog,
)

ENV_VOICES_URL = "VOICE_COACH_VOICES_URL"
# The official repository, as `python -m piper.download_voices` uses it.
DEFAULT_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
TIMEOUT_S = 30.0
BLOCK = 1 << 16
STALE_S = 3600  # hidden work folders older than this are left-overs of a killed install

Progress = Callable[[int, int], None]  # (bytes done, bytes in all)


@dataclass(frozen=True)
class Installed:
    voice: CatalogVoice
    folder: Path
    source: str  # the repository URL it came from
    already: bool = False  # the same files were installed before: nothing was downloaded


def voices_url(mirror: str | None = None) -> str:
    """The repository to download from: `mirror`, else $VOICE_COACH_VOICES_URL, else the
    official piper-voices repository. UsageError for a URL that is not http(s) or file."""
    url = (mirror or os.environ.get(ENV_VOICES_URL) or DEFAULT_VOICES_URL).strip()
    if urllib.parse.urlsplit(url).scheme not in ("http", "https", "file"):
        raise UsageError(f"the voice mirror {url!r} is not an http(s) or file URL",
                         "e.g. mirror=https://example.org/piper-voices")
    return url.rstrip("/")


def fetch_catalog(base: str) -> tuple[dict[str, CatalogVoice], bytes]:
    """The repository's voices.json, parsed, and its bytes."""
    data = _read_bounded(f"{base}/voices.json", MAX_CATALOG_BYTES,
                         what="the voice catalogue (voices.json)")
    try:
        return parse_catalog(data), data
    except CatalogError as exc:
        raise EngineError(f"{base}/voices.json is not a Piper voice catalogue: {exc}",
                          hint="check the mirror URL") from None


def install(name: str, mirror: str | None = None, progress: Progress | None = None,
            folder: Path | None = None) -> Installed:
    """Downloads voice `name` (its id or an alias) into the voices folder, verified.

    Raises UsageError for a name the catalogue does not have, EngineError when the repository
    cannot be reached (offline), a file does not match the catalogue or the disk refuses."""
    base = voices_url(mirror)
    root = folder if folder is not None else voices_dir()
    catalog, raw = fetch_catalog(base)
    voice = find(catalog, name)
    if voice is None:
        close = close_names(catalog, name)
        raise UsageError(f"there is no Piper voice {name!r} in {base}/voices.json",
                         ("close matches: " + ", ".join(close)) if close else
                         "'voice-coach voices --engine piper' lists the voices there are")
    files = [f for f in voice.files if f.name in (f"{voice.id}.onnx", f"{voice.id}.onnx.json",
                                                   "MODEL_CARD")]
    target = _voice_folder(root, voice.id)
    _save_catalog(root, raw)
    if _matches(target, files):
        return Installed(voice, target, base, already=True)
    _clean_stale(root)
    _make_dir(root)
    work = Path(tempfile.mkdtemp(prefix=f"{HIDDEN_PREFIX}tmp-{voice.id}-", dir=root))
    try:
        total, done = sum(f.size_bytes for f in files), 0
        for f in files:
            done = _download(f"{base}/{urllib.parse.quote(f.path)}", work / f.name,
                             f.size_bytes, f.md5, progress, done, total)
        _replace_dir(work, target)
    except OSError as exc:
        raise EngineError(f"cannot install {voice.id} into {root}: {exc.strerror or exc}",
                          hint="free some disk space or check the folder's permissions") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Installed(voice, target, base)


def remove(name: str, folder: Path | None = None) -> Path:
    """Deletes an installed voice from the voices folder; returns where it was.

    UsageError for a voice that is not installed there (a package's voice says which package)."""
    root = folder if folder is not None else voices_dir()
    wanted = name.strip().lower()
    for voice in installed_piper_voices(root):
        if voice.id.lower() != wanted:
            continue
        if not voice.removable:
            package = voice.source.removeprefix("package ")
            raise UsageError(f"{voice.id} comes with the Python package {package}, not from "
                             "'voices install'", f"remove it with: pip uninstall {package}")
        if voice.model_path.parent != root:  # voices/<id>/: the whole folder
            _delete_dir(voice.model_path.parent, root)
        else:  # dropped straight into voices/: just its two files
            voice.model_path.unlink()
            voice.config_path.unlink(missing_ok=True)
        return voice.model_path.parent
    installed = [v.id for v in installed_piper_voices(root)]
    raise UsageError(f"Piper voice {name!r} is not installed",
                     "installed: " + ", ".join(installed) if installed else
                     "no Piper voice is installed")


# ---------------------------------------------------------------------------------------------


def _download(url: str, dest: Path, size: int, md5: str, progress: Progress | None,
              done: int, total: int) -> int:
    """Streams url to dest, refusing more bytes than `size`; checks size and MD5 at the end.
    Returns the running byte count for progress."""
    digest = hashlib.md5(usedforsecurity=False)
    got = 0
    with _open(url, what=dest.name) as response, open(dest, "wb") as out:
        while True:
            try:
                block = response.read(BLOCK)
            except (OSError, ValueError, http.client.HTTPException) as exc:  # cut short, reset
                raise _broken(url, exc) from None
            if not block:
                break
            got += len(block)
            if got > size:
                raise EngineError(f"{dest.name} from {url} is larger than the catalogue says "
                                  f"({size} bytes): the voice was not installed",
                                  hint="the mirror may hold another version; try again later")
            digest.update(block)
            out.write(block)
            if progress is not None:
                progress(done + got, total)
    if got != size:
        raise EngineError(f"{dest.name} from {url} is {got} bytes, the catalogue says {size}: "
                          "the download was cut short, and the voice was not installed",
                          hint="try again")
    if digest.hexdigest() != md5:
        raise EngineError(f"{dest.name} from {url} does not match its checksum in the "
                          f"catalogue (MD5 {digest.hexdigest()}, expected {md5}): the voice was "
                          "not installed", hint="the file was damaged or altered; try again, or "
                          "use another mirror")
    return done + got


def _open(url: str, what: str):
    request = urllib.request.Request(url, headers={"User-Agent": "voice-coach"})
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as exc:
        raise EngineError(f"{url} answered {exc.code} {exc.reason}: cannot download {what}",
                          hint="check the voice name and the mirror") from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        raise _offline(url, exc) from None


def _read_bounded(url: str, limit_bytes: int, what: str) -> bytes:
    """The whole body at `url`, read block by block and given up as soon as it passes
    limit_bytes (a Content-Length over it is refused before reading)."""
    def too_large() -> EngineError:
        return EngineError(f"{url} is larger than {limit_bytes // (1024 * 1024)} MB, so it is "
                           f"not {what}; nothing was installed",
                           hint="check the mirror URL (the real voices.json is about 0.5 MB)")

    with _open(url, what) as response:
        declared = (response.headers.get("Content-Length") or "").strip() \
            if getattr(response, "headers", None) is not None else ""
        if declared.isdigit() and int(declared) > limit_bytes:
            raise too_large()
        parts, size = [], 0
        while True:
            try:
                block = response.read(BLOCK)
            except (OSError, ValueError, http.client.HTTPException) as exc:
                raise _broken(url, exc) from None
            if not block:
                return b"".join(parts)
            size += len(block)
            if size > limit_bytes:
                raise too_large()
            parts.append(block)


def _voice_folder(root: Path, voice_id: str) -> Path:
    """root/voice_id, for a voice id as Piper names them only: an install never touches
    anything but that one folder."""
    target = root / voice_id
    if not is_voice_id(voice_id) or target.parent != root:
        raise EngineError(f"the catalogue names a voice {voice_id!r}, which is not a Piper voice "
                          "id (language_REGION-name-quality): nothing was installed",
                          hint="the mirror's voices.json is damaged or hostile; use another")
    return target


def _offline(url: str, exc: Exception) -> EngineError:
    reason = getattr(exc, "reason", exc)
    host = urllib.parse.urlsplit(url).netloc or url
    if isinstance(reason, (socket.gaierror, ConnectionError, TimeoutError, socket.timeout)):
        why = f"no connection to {host} (offline?)"
    else:
        why = f"cannot reach {host} ({reason})"
    return EngineError(f"cannot download Piper voices: {why}; connect to the internet, or name a "
                       f"mirror with mirror=URL or ${ENV_VOICES_URL}")


def _broken(url: str, exc: Exception) -> EngineError:
    return EngineError(f"the download of {url} broke off ({type(exc).__name__}): the voice was "
                       "not installed", hint="try again")


def _matches(folder: Path, files) -> bool:
    """Whether `folder` already holds exactly these files (sizes and MD5s)."""
    for f in files:
        path = folder / f.name
        try:
            if path.stat().st_size != f.size_bytes:
                return False
            digest = hashlib.md5(usedforsecurity=False)
            with open(path, "rb") as src:
                for block in iter(lambda s=src: s.read(1 << 20), b""):
                    digest.update(block)
        except OSError:
            return False
        if digest.hexdigest() != f.md5:
            return False
    return True


def _make_dir(root: Path) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EngineError(f"cannot create the voices folder {root}: {exc.strerror or exc}",
                          hint="set VOICE_COACH_DATA_DIR to a folder you can write") from None


def _replace_dir(work: Path, target: Path) -> None:
    """Renames the verified `work` folder to `target`; an older copy is moved aside first and
    deleted after, so at no moment is a mix of old and new files in place."""
    old = None
    if target.exists():
        old = target.with_name(f"{HIDDEN_PREFIX}old-{target.name}-{os.getpid()}")
        os.rename(target, old)
    os.rename(work, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _delete_dir(folder: Path, root: Path) -> None:
    aside = root / f"{HIDDEN_PREFIX}old-{folder.name}-{os.getpid()}"
    os.rename(folder, aside)  # gone from the list at once, even if deleting takes a while
    shutil.rmtree(aside, ignore_errors=True)


def _save_catalog(root: Path, raw: bytes) -> None:
    """Keeps the fetched voices.json for `voice-coach voices` (best effort)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{HIDDEN_PREFIX}tmp-", dir=root)
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        os.replace(tmp, root / CACHED_NAME)
    except OSError:
        pass


def _clean_stale(root: Path) -> None:
    """Deletes hidden work folders that a killed install or remove left behind."""
    if not root.is_dir():
        return
    now = time.time()
    for entry in root.iterdir():
        if entry.name.startswith((f"{HIDDEN_PREFIX}tmp-", f"{HIDDEN_PREFIX}old-")):
            try:
                if now - entry.stat().st_mtime > STALE_S:
                    if entry.is_dir():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink()
            except OSError:
                pass
