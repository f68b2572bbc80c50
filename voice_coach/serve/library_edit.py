"""`library add`, `list` and `remove` as library functions: what goes in the library, checked
as `voice-coach check` would, before anything is written. Renders nothing; prints nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from voice_coach.basics.errors import VoiceCoachError

from .build import (
    check_voice,
    choose,
    configured,
    is_current,
    load_entry_routine,
    remove_rendered,
    render_key,
    routine_language,
)
from .library import Entry, Index, Library, find_entries, now_iso, slug, unique_key


@dataclass(frozen=True)
class Added:
    """What `add` did: action is "added", "updated" (new voice) or "unchanged"."""

    entry: Entry
    action: str
    title: str


@dataclass(frozen=True)
class Status:
    """An entry as `library list` shows it. state: rendered | changed | new | failed."""

    entry: Entry
    title: str
    language: str
    voice: str
    state: str
    problem: str = ""


def add(library: Library, routine_arg: str, *, language: str | None = None,
        voice: str | None = None, progress=None) -> Added:
    """Adds ROUTINE (a file or a built-in name) in `language` with `voice`, after checking that
    it loads, that the voice exists and that every cue fits its slot (speech is synthesised and
    cached, so `serve` renders it quickly). Adding it again with another voice updates it.

    Raises UsageError/SpecError for a bad routine or choice, EngineError without a speech engine.
    """
    from voice_coach.routine import load_routine
    from voice_coach.session.pipeline import prepare

    own = routine_language(load_routine(routine_arg))
    routine = load_routine(routine_arg, language=language)
    builtin = routine.path.startswith(f"<built-in {routine.name}")
    source = routine.name if builtin else str(Path(routine_arg).resolve())
    chosen = choose(configured(routine), voice=voice)
    if voice:
        check_voice(chosen)
    prepare(chosen, progress=progress)
    language = None if routine_language(routine) == own else routine_language(routine)
    base = slug(routine.name) + (f"-{language}" if language else "")

    def change(index: Index) -> Added:
        for entry in index.entries:
            if entry.source == source and entry.language == language:
                if entry.voice == voice:
                    return Added(entry, "unchanged", routine.title)
                updated = dataclasses.replace(entry, voice=voice)
                index.replace(updated)
                return Added(updated, "updated", routine.title)
        key = unique_key(base, {e.key for e in index.entries})
        entry = Entry(key=key, source=source, builtin=builtin, language=language, voice=voice,
                      added_at=now_iso())
        index.entries.append(entry)
        return Added(entry, "added", routine.title)

    return library.update(change)


def remove(library: Library, names: list[str]) -> list[Entry]:
    """Takes the named entries (keys, built-in names or routine file paths) out of the library
    and deletes their rendered files. Nothing is removed if any name is unknown (UsageError)."""

    def change(index: Index) -> list[Entry]:
        gone = find_entries(index, names)
        keys = {e.key for e in gone}
        index.entries = [e for e in index.entries if e.key not in keys]
        return gone

    gone = library.update(change)
    for entry in gone:
        remove_rendered(library, entry)
    return gone


def statuses(library: Library) -> list[Status]:
    """Every entry with its title and whether `serve` will (re-)render it."""
    out = []
    for entry in library.read().entries:
        try:
            routine, source = load_entry_routine(entry)
        except VoiceCoachError as exc:
            r = entry.rendered
            out.append(Status(entry, r.title if r else entry.key,
                              r.language if r else "?", r.voice if r else entry.voice or "?",
                              "failed", exc.message))
            continue
        if entry.rendered is None:
            state = "new"
        elif is_current(library, entry, render_key(entry, source, routine)):
            state = "rendered"
        else:
            state = "changed"
        out.append(Status(entry, routine.title, routine_language(routine),
                          routine.voice.voice, state))
    return out
