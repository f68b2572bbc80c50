"""The library: a folder of rendered sessions and its index file (library.json), with the routines
it holds (the built-ins and every routine added), what was rendered for each, and stable GUIDs.

Reads and writes only inside the library folder, under a lock, atomically; renders nothing
(build.py does) and prints nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TypeVar

from voice_coach.basics.errors import OutputError, UsageError, VoiceCoachError

INDEX_FILE = "library.json"
INDEX_VERSION = 1
MEDIA_DIR = "media"
COVER_FILE = "cover.png"
LOCK_FILE = ".library.lock"
MAX_KEY_CHARS = 60
# Files the library makes in media/: KEY.HASH.EXT (HASH: 12 hex digits of the file's SHA-256,
# so the address follows the bytes), and KEY.render.mp3 while one renders.
MEDIA_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*\.([0-9a-f]{12}(\.chapters|\.transcript)?"
                        r"\.(mp3|json|vtt)|render\.mp3)$")

T = TypeVar("T")


class LibraryError(VoiceCoachError):
    """The library's index is damaged or from a newer voice-coach: say what to do."""

    exit_code = 1


@dataclass(frozen=True)
class Rendered:
    """What was rendered for an entry: file names in media/ and what the feed and page show."""

    audio: str
    chapters: str
    transcript: str
    render_key: str
    size_bytes: int
    sha256: str
    duration_ms: int
    title: str
    about: str
    description: str
    language: str
    voice: str
    sets: int
    rendered_at: str  # ISO 8601, UTC
    source_sha256: str = ""  # the routine text's, for the practice history
    transcript_json: str = ""  # the cues as a Podcasting 2.0 JSON transcript
    published_at: str = ""  # ISO 8601 UTC: when these audio bytes first appeared (pubDate)
    set_spans_ms: tuple[tuple[int, int], ...] = ()  # each set's (start, end): the sets heard

    dose: str = ""  # a growing routine's dose it was rendered at, in its language (or "")
    def files(self) -> tuple[str, ...]:
        return tuple(n for n in (self.audio, self.chapters, self.transcript,
                                 self.transcript_json) if n)


@dataclass(frozen=True)
class Entry:
    """One routine in the library.

    source: a built-in routine's name, or the absolute path of a routine file.
    language / voice: chosen with `library add` (None: the routine's own).
    added_at: ISO 8601 UTC; the episode's publication date in the feed.
    """

    key: str
    source: str
    builtin: bool
    language: str | None = None
    voice: str | None = None
    added_at: str = ""
    rendered: Rendered | None = None


@dataclass
class Index:
    library_id: str
    entries: list[Entry] = field(default_factory=list)
    known_builtins: list[str] = field(default_factory=list)

    def find(self, key: str) -> Entry | None:
        return next((e for e in self.entries if e.key == key), None)

    def replace(self, entry: Entry) -> None:
        self.entries = [entry if e.key == entry.key else e for e in self.entries]


class Library:
    """The library folder `root`: library.json, media/ and cover.png."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def index_path(self) -> Path:
        return self.root / INDEX_FILE

    @property
    def media_dir(self) -> Path:
        return self.root / MEDIA_DIR

    @property
    def cover_path(self) -> Path:
        return self.root / COVER_FILE

    def read(self) -> Index:
        """The index as stored, with built-ins this version ships that it has not seen added.

        A library that has no index yet holds every built-in routine. Writes nothing.
        """
        if self.root.exists() and not self.root.is_dir():
            raise UsageError(f"{self.root} is not a folder",
                             "give --library a folder (it is made if missing)")
        try:
            text = self.index_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return _seed(Index(library_id=str(uuid.uuid4())))
        except (OSError, UnicodeDecodeError) as exc:
            raise LibraryError(f"cannot read {self.index_path}: {_reason(exc)}") from None
        return _seed(_parse_index(text, self.index_path))

    def update(self, change: Callable[[Index], T]) -> T:
        """Reads the index, applies `change` to it and writes it back, all under the lock."""
        with self.locked():
            index = self.read()
            result = change(index)
            self.write(index)
            return result

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Serialises writers (a running serve recording "Done", a `library add` beside it)."""
        self.ensure_folders()
        try:
            import fcntl
        except ImportError:  # not POSIX: one writer at a time is then the user's care
            yield
            return
        with open(self.root / LOCK_FILE, "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def ensure_folders(self) -> None:
        not_folder = UsageError(f"{self.root} is not a folder",
                                "give --library a folder (it is made if missing)")
        if self.root.exists() and not self.root.is_dir():
            raise not_folder
        try:
            self.media_dir.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise not_folder from None
        except OSError as exc:
            raise OutputError(f"cannot create the library folder {self.root}: {_reason(exc)}",
                              "give --library a folder you can write to") from None

    def write(self, index: Index) -> None:
        self.ensure_folders()
        write_json_atomic(self.index_path, index_to_json(index))

    def media_path(self, name: str) -> Path:
        return self.media_dir / name


def write_json_atomic(path: Path, data: Any) -> None:
    """`data` as JSON in `path`, through a temporary file beside it and a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n") as out:
            json.dump(data, out, indent=1, ensure_ascii=False)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None


def index_to_json(index: Index) -> dict[str, Any]:
    return {"version": INDEX_VERSION, "library_id": index.library_id,
            "known_builtins": list(index.known_builtins),
            "entries": [dataclasses.asdict(e) for e in index.entries]}


def _parse_index(text: str, path: Path) -> Index:
    hint = (f"move {path.name} aside and run the command again: the built-in routines come "
            "back by themselves, routines you added need `voice-coach library add` again")
    try:
        data = json.loads(text)
        version = data["version"]
        if not isinstance(version, int):
            raise TypeError("version")
        if version > INDEX_VERSION:
            raise LibraryError(f"{path} was written by a newer voice-coach (format {version})",
                               "upgrade voice-coach, or use another --library folder")
        entries = []
        for item in data["entries"]:
            rendered = item.get("rendered")
            entries.append(Entry(**{**item, "rendered": Rendered(**rendered) if rendered
                                    else None}))
        return Index(library_id=str(uuid.UUID(data["library_id"])), entries=entries,
                     known_builtins=[str(n) for n in data.get("known_builtins", [])])
    except LibraryError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise LibraryError(f"{path} is damaged ({type(exc).__name__}: {exc})", hint) from None


def _seed(index: Index) -> Index:
    """Built-in routines not seen before join the library (the first time: all of them), in
    their listing order, each published a second before the next so apps list them in order."""
    from voice_coach.routine import builtin_names

    new = [n for n in builtin_names() if n not in index.known_builtins]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    taken = {e.key for e in index.entries}
    for i, name in enumerate(new):
        if name not in taken:
            added = now - timedelta(seconds=i)
            index.entries.append(Entry(key=name, source=name, builtin=True,
                                       added_at=added.isoformat()))
        index.known_builtins.append(name)
    return index


def slug(name: str) -> str:
    """A key for URLs and file names: lower-case letters, digits and dashes."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text[:MAX_KEY_CHARS].strip("-") or "routine"


def unique_key(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        key = f"{base[:MAX_KEY_CHARS - 4]}-{n}"
        n += 1
    return key


def find_entries(index: Index, names: list[str]) -> list[Entry]:
    """The entries that `names` name (a key, a built-in name or a routine file's path).

    Raises UsageError for a name that is none of these, with the closest key."""
    found: list[Entry] = []
    for name in names:
        path = Path(name)
        matches = [e for e in index.entries if e.key == name]
        if not matches and path.is_file():
            resolved = str(path.resolve())
            matches = [e for e in index.entries if e.source == resolved]
        if not matches:
            keys = [e.key for e in index.entries]
            close = difflib.get_close_matches(name, keys, n=1, cutoff=0.5)
            hint = (f"did you mean '{close[0]}'?" if close else
                    "see what it holds: voice-coach library list")
            raise UsageError(f"'{name}' is not in the library", hint)
        found += [e for e in matches if e not in found]
    return found


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc)
