"""Tab completion of values: routine names and files, formats, background sounds, engines.

Each function takes what has been typed of the word and returns the candidates (typer calls
them when the shell asks; see `voice-coach --install-completion`). When one returns nothing,
the shell falls back to completing file names.
"""

from __future__ import annotations

from pathlib import Path

AUDIO_FORMATS = ("mp3", "m4a", "ogg", "opus", "flac", "wav")
ROUTINE_SUFFIXES = (".yaml", ".yml")
SOUND_SUFFIXES = (".mp3", ".m4a", ".ogg", ".opus", ".flac", ".wav", ".aac")


def routine(incomplete: str) -> list[str]:
    """Built-in routine names, then routine files (.yaml) and folders that start so."""
    from voice_coach import builtin_names

    names = [n for n in builtin_names() if n.startswith(incomplete)]
    return names + _files(incomplete, ROUTINE_SUFFIXES)


def builtin(incomplete: str) -> list[str]:
    from voice_coach import builtin_names

    return [n for n in builtin_names() if n.startswith(incomplete)]


def language(incomplete: str) -> list[str]:
    """The shipped languages' codes (en, de, fr, ...)."""
    from voice_coach import language_codes

    return [c for c in language_codes() if c.startswith(incomplete.lower())]


def audio_format(incomplete: str) -> list[str]:
    return [f for f in AUDIO_FORMATS if f.startswith(incomplete.lower())]


def background(incomplete: str) -> list[str]:
    """The generated noises, 'none', then music files that start so."""
    from voice_coach import NOISE_SOUNDS

    sounds = [s for s in (*NOISE_SOUNDS, "none") if s.startswith(incomplete.lower())]
    return sounds + _files(incomplete, SOUND_SUFFIXES)


def engine(incomplete: str) -> list[str]:
    return [e for e in ("auto", "piper", "pico", "espeak", "pyttsx3") if e.startswith(incomplete)]


def voice(incomplete: str) -> list[str]:
    """Installed Piper voices' ids, then espeak-ng's voice ids, that start so."""
    from voice_coach.speech.voices import installed_piper_voices

    ids = [v.id for v in installed_piper_voices()]
    try:
        from voice_coach.speech.voices import EspeakEngine

        ids += [v.id for v in EspeakEngine().voices()]
    except Exception:  # no espeak-ng here: Piper's voices are still offered
        pass
    return [i for i in ids if i.lower().startswith(incomplete.lower())]


def piper_voice(incomplete: str) -> list[str]:
    """Piper voice ids from the catalogue (for `voices install`) that start so."""
    from voice_coach.speech.voices import load_catalog

    return sorted(i for i in load_catalog()[0] if i.lower().startswith(incomplete.lower()))


def _files(incomplete: str, suffixes: tuple[str, ...]) -> list[str]:
    """Files with one of `suffixes`, and folders, whose path starts with `incomplete`."""
    stem = incomplete.rpartition("/")[2]
    prefix = incomplete[: len(incomplete) - len(stem)]  # up to and with the last "/"
    base = Path(prefix or ".")
    try:
        entries = sorted(base.iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        if not entry.name.startswith(stem) or (entry.name.startswith(".") and not stem):
            continue
        shown = prefix + entry.name
        if entry.is_dir():
            found.append(shown + "/")
        elif entry.suffix.lower() in suffixes:
            found.append(shown)
    return found[:200]
