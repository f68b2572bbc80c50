"""Rendering the library: each entry's routine in its chosen language and voice, to MP3 with its
chapters (Podcasting 2.0 JSON) and transcript (WebVTT and JSON), only when missing or changed.

Files land in media/ under names that carry a digest of their bytes, so the address follows the
audio: the same bytes keep it, new audio gets a new one (and a new GUID in the feed). Calls the
pipeline through voice_coach.session.pipeline; prints nothing.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voice_coach.basics.errors import UsageError, VoiceCoachError

from .library import MEDIA_NAME, Entry, Index, Library, Rendered, now_iso

RENDER_FORMAT = "mp3"
# Bump when what a render makes changes (file kinds, encoder settings), to re-render old ones.
RENDER_VERSION = 2
LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish",
                  "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "zh": "Chinese",
                  "cmn": "Chinese"}


@dataclass(frozen=True)
class Outcome:
    """What render_missing did with one entry. status: rendered | current | failed."""

    key: str
    status: str
    entry: Entry
    error: VoiceCoachError | None = None


def load_entry_routine(entry: Entry, limits=None):
    """The entry's routine, read from its source now, in its chosen language and voice.

    Returns (routine, source_bytes). Raises UsageError/SpecError as load_routine does.
    """
    from voice_coach.routine import DEFAULT_LIMITS, builtin_names, builtin_text, parse_routine

    limits = limits or DEFAULT_LIMITS
    if entry.builtin and entry.source not in builtin_names():
        raise UsageError(f"the built-in routine '{entry.source}' is no longer shipped",
                         f"take it out: voice-coach library remove {entry.key}")
    if entry.builtin:
        from voice_coach.routine import load_routine

        routine = load_routine(entry.source, limits, language=entry.language)
        text: bytes = builtin_text(entry.source, routine_language(routine)).encode("utf-8")
    else:
        try:
            text = Path(entry.source).read_bytes()
        except FileNotFoundError:
            raise UsageError(f"routine file {entry.source} not found",
                             f"put it back, or take it out: voice-coach library remove "
                             f"{entry.key}") from None
        except OSError as exc:
            raise UsageError(f"cannot read {entry.source}: {exc.strerror or exc}") from None
        routine = parse_routine(text, path=entry.source, name=Path(entry.source).stem,
                                limits=limits, language=entry.language)
    return choose(configured(routine), voice=entry.voice), text


def configured(routine):
    """The routine with the voice and loudness a person set once in the daily-practice config
    (where the routine file sets none), when voice_coach.practice.config is there; as is
    otherwise. A voice chosen with `library add --voice` still wins (see choose)."""
    try:
        from voice_coach.practice.config import (  # type: ignore[import-not-found]
            apply_to_routine,
            load_config,
        )
    except ImportError:
        return routine
    config = load_config()
    return at_todays_dose(apply_to_routine(routine, config), config)


def at_todays_dose(routine, config):
    """A routine that grows at today's dose from the practice history (docs/coach.md), its
    introduction saying so: a changed dose is new audio, so a new render (see render_key)."""
    from voice_coach.practice.coach import dosed, todays_dose
    from voice_coach.practice.days import practice_day, system_clock
    from voice_coach.practice.dose import growing

    if not growing(routine):
        return routine
    day = practice_day(system_clock().now(), config["practice.rollover_hour"])
    return dosed(routine, todays_dose(routine, day, config))


def routine_language(routine) -> str:
    """The routine's language: its own `language` when routines have one, else the language of
    its voice ("en" for "en", "en-us" or "gmw/en-US")."""
    own = getattr(routine, "language", None)
    if own:
        return str(own).lower()
    voice = routine.voice.voice.rsplit("/", 1)[-1]
    return voice.split("+")[0].split("-")[0].split("_")[0].lower() or "en"


def language_name(tag: str) -> str:
    return LANGUAGE_NAMES.get(tag.split("-")[0].lower(), tag)


def choose(routine, *, voice: str | None):
    """`routine` spoken with `voice` (None: as the routine and the config have it), as
    `render --voice` does: the engine follows the voice ("auto": Piper for a Piper voice,
    espeak-ng for an espeak one such as gmw/en), never the routine's engine with a new name."""
    if voice:
        from voice_coach.routine import Pos

        routine = dataclasses.replace(
            routine, voice=dataclasses.replace(routine.voice, voice=voice.strip(),
                                               engine="auto"),
            voice_pos=Pos("--voice"), voice_named=True)
    return routine


def check_voice(routine) -> None:
    """Refuses a voice the engine it picks does not have (UsageError with close matches)."""
    from voice_coach.speech import engine_for, open_engine, resolve_voice

    engine = open_engine(engine_for(routine.voice))
    try:
        resolve_voice(routine.voice.voice, engine.voices())
    finally:
        engine.close()


def render_key(entry: Entry, source: bytes, routine) -> str:
    """A digest of everything a render depends on that can change between runs."""
    from voice_coach.sound.background import music_path

    parts = {"source": hashlib.sha256(source).hexdigest(), "language": entry.language,
             "voice": repr(routine.voice), "loudness": routine.loudness_lufs,
             "format": RENDER_FORMAT, "render": RENDER_VERSION, "version": _package_version()}
    if getattr(routine, "dose_note", ""):  # today's dose: a changed dose is new audio
        parts["dose"] = routine.dose_note
    background = routine.background
    if background is not None and not background.is_noise:
        with contextlib.suppress(OSError):
            stat = music_path(background).stat()
            parts["music"] = f"{stat.st_size}:{stat.st_mtime_ns}"
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def is_current(library: Library, entry: Entry, key: str) -> bool:
    r = entry.rendered
    if r is None or r.render_key != key:
        return False
    if not r.transcript_json:  # rendered by an older voice-coach: chapters held the cues
        return False
    for name in r.files():
        path = library.media_path(name)
        if not path.is_file():
            return False
    return library.media_path(r.audio).stat().st_size == r.size_bytes


@dataclass(frozen=True)
class Plan:
    """What render_missing will do: the entries to render (with their routine, render key and
    source digest), and the outcomes already known (current or failed), in index order."""

    to_render: tuple[tuple[Entry, Any, str, str], ...]
    known: tuple[Outcome, ...]
    order: tuple[str, ...]

    @property
    def titles(self) -> list[tuple[Entry, str]]:
        return [(entry, routine.title) for entry, routine, *_ in self.to_render]


def plan_missing(library: Library) -> Plan:
    """Which entries need rendering (files missing, routine changed); quick (no speech, no
    audio). Removes orphaned files first."""
    library.ensure_folders()
    remove_orphans(library)
    index = library.read()
    plans, outcomes = [], []
    for entry in index.entries:
        try:
            routine, source = load_entry_routine(entry)
            key = render_key(entry, source, routine)
        except VoiceCoachError as exc:
            outcomes.append(Outcome(entry.key, "failed", entry, exc))
            continue
        if is_current(library, entry, key):
            outcomes.append(Outcome(entry.key, "current", entry))
        else:
            plans.append((entry, routine, key, hashlib.sha256(source).hexdigest()))
    return Plan(tuple(plans), tuple(outcomes), tuple(e.key for e in index.entries))


def render_missing(library: Library, *, on_start: Callable[[Entry, int, int], None] | None = None,
                   on_done: Callable[[Outcome], None] | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   plan: Plan | None = None) -> list[Outcome]:
    """Renders every entry whose files are missing or whose routine changed since (as `plan`,
    made now when not given, says); leaves the rest. An entry that fails keeps its last render
    (if any) and is reported, not fatal.

    on_start(entry, number, total) is called before each render (number counts from 1), and
    on_done(outcome) after it.
    """
    plan = plan or plan_missing(library)
    outcomes = list(plan.known)
    for number, (entry, routine, key, source_sha256) in enumerate(plan.to_render, 1):
        if on_start is not None:
            on_start(entry, number, len(plan.to_render))
        try:
            done = render_entry(library, entry, routine, key, source_sha256=source_sha256,
                                progress=progress)
        except VoiceCoachError as exc:
            outcomes.append(Outcome(entry.key, "failed", entry, exc))
        else:
            outcomes.append(Outcome(entry.key, "rendered", done))
        if on_done is not None:
            on_done(outcomes[-1])
    order = {k: i for i, k in enumerate(plan.order)}
    return sorted(outcomes, key=lambda o: order.get(o.key, len(order)))


def render_entry(library: Library, entry: Entry, routine, key: str, *, source_sha256: str = "",
                 progress: Callable[[int, int], None] | None = None) -> Entry:
    """Renders one entry into media/ and records it in the index; returns the updated entry.

    Every file is named after its own bytes: audio that comes out the same as before keeps
    its address, GUID and publication date; new audio gets new ones (see feed.episode_guid).
    """
    import os

    from voice_coach.output.atomic import write_text_atomic
    from voice_coach.output.cues import cue_text
    from voice_coach.output.tags import describe
    from voice_coach.session.pipeline import prepare, render_session

    from .sidecars import chapters_json, content_name, name_for_digest, transcript_json

    session = prepare(routine)
    staging = library.media_path(f"{entry.key}.render.{RENDER_FORMAT}")
    render_session(session, staging, format=RENDER_FORMAT, force=True, progress=progress)
    digest = _sha256(staging)
    audio = library.media_path(name_for_digest(entry.key, digest, "audio"))
    timeline = session.timeline
    texts = {"chapters": chapters_json(timeline, audio_name=audio.name),
             "transcript": cue_text(timeline, "vtt"),
             "transcript_json": transcript_json(timeline)}
    names = {kind: content_name(entry.key, text, kind) for kind, text in texts.items()}
    for kind, text in texts.items():
        write_text_atomic(library.media_path(names[kind]), text, force=True)
    os.replace(staging, audio)
    now = now_iso()
    rendered = Rendered(
        audio=audio.name, chapters=names["chapters"], transcript=names["transcript"],
        transcript_json=names["transcript_json"],
        render_key=key, size_bytes=audio.stat().st_size, sha256=digest,
        duration_ms=timeline.duration_ms, title=routine.title, about=routine.about,
        description=describe(routine, timeline), language=routine_language(routine),
        voice=routine.voice.voice, sets=_sets(routine), rendered_at=now,
        source_sha256=source_sha256, published_at=now, set_spans_ms=_set_spans_ms(timeline),
        dose=getattr(routine, "dose_note", ""))

    def record(index: Index) -> tuple[Entry | None, Rendered | None]:
        current = index.find(entry.key)
        if current is None or current.source != entry.source:
            return None, None  # removed while it rendered
        old = current.rendered
        published = (current.added_at or now) if old is None else now
        if old is not None and old.sha256 == digest:  # the same audio: the same episode
            published = old.published_at or current.added_at or old.rendered_at
        index.replace(dataclasses.replace(
            current, rendered=dataclasses.replace(rendered, published_at=published)))
        return index.find(entry.key), old

    updated, old = library.update(record)
    if updated is None:
        _remove_files(library, rendered)
        return dataclasses.replace(entry, rendered=rendered)
    if old is not None:
        _remove_files(library, old, keep=frozenset(rendered.files()))
    return updated


def remove_rendered(library: Library, entry: Entry) -> None:
    if entry.rendered is not None:
        _remove_files(library, entry.rendered)


def remove_orphans(library: Library) -> list[str]:
    """Deletes files in media/ that the library made but no entry refers to any more (left by
    an interrupted render or an edit); returns their names. Other files are never touched."""
    with library.locked():
        index = library.read()
        wanted = {n for e in index.entries if e.rendered for n in e.rendered.files()}
        removed = []
        for path in library.media_dir.iterdir():
            if MEDIA_NAME.match(path.name) and path.name not in wanted and path.is_file():
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path.name)
        return removed


def _remove_files(library: Library, rendered: Rendered, keep: frozenset[str] = frozenset()) -> None:
    for name in rendered.files():
        if name in keep:
            continue
        with contextlib.suppress(OSError):
            library.media_path(name).unlink()


def _set_spans_ms(timeline) -> tuple[tuple[int, int], ...]:
    return tuple((c.start_ms, timeline.chapter_end_ms(i))
                 for i, c in enumerate(timeline.chapters) if c.kind == "set")


def _sets(routine) -> int:
    from voice_coach.routine import Exercise

    return sum(step.sets for step in routine.steps if isinstance(step, Exercise)) or 1


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("voice-coach")
    except PackageNotFoundError:
        return "0"


def ensure_cover(library: Library) -> Path:
    """Writes the library's cover picture (cover.png) unless it is there already."""
    from voice_coach.basics.errors import OutputError

    from .cover import cover_png

    path = library.cover_path
    if path.is_file():
        return path
    library.ensure_folders()
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(cover_png())
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path
