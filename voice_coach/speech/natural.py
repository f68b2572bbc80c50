"""Which natural (Piper) voice could speak a session that a formant voice (or Pico's) speaks now,
and the one line that says how to get it. It only looks (the catalogue, what is installed): never
installs.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMANT_ENGINES = ("espeak", "pyttsx3")  # synthesised from rules, not from recordings
# Engines `auto` falls back to when no Piper voice is installed: a natural voice is worth a hint.
NOT_NATURAL_ENGINES = (*FORMANT_ENGINES, "pico")


def natural_voice_for(language_code: str) -> str | None:
    """The Piper voice to suggest for a language ("de" → "de_DE-thorsten-medium"), or None when
    the catalogue has none."""
    from voice_coach.speech.voice_index import for_language, load_catalog

    catalog, _ = load_catalog()
    choices = for_language(catalog, language_code)
    return choices[0].id if choices else None


@dataclass(frozen=True)
class NaturalVoice:
    """A natural voice that could speak a session a formant voice speaks now."""

    voice: str  # the Piper voice id, e.g. "de_DE-thorsten-medium"
    language_name: str  # "German"
    engine_installed: bool  # whether piper-tts is there (else the piper extra is needed first)


def natural_voice_missing(engine_name: str, language_code: str, chosen_by_auto: bool
                          ) -> NaturalVoice | None:
    """The natural voice to suggest when the session speaks in a formant voice (or Pico's) that
    `engine: auto` chose (no Piper voice for the language installed) and one exists; None when
    there is nothing to say (a Piper voice already, an engine chosen on purpose, or no natural
    voice for the language)."""
    if not chosen_by_auto or engine_name not in NOT_NATURAL_ENGINES:
        return None
    from voice_coach.lang import get_language
    from voice_coach.speech import piper

    voice = natural_voice_for(language_code)
    if voice is None:
        return None
    return NaturalVoice(voice, get_language(language_code).name, piper.available())
