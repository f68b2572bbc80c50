"""Which natural (Piper) voice could speak a session that a formant voice speaks now, and the one
line that says how to get it. It only looks (the catalogue, what is installed): never installs.
"""

from __future__ import annotations

FORMANT_ENGINES = ("espeak", "pyttsx3")  # synthesised from rules, not from recordings


def natural_voice_for(language_code: str) -> str | None:
    """The Piper voice to suggest for a language ("de" → "de_DE-thorsten-medium"), or None when
    the catalogue has none."""
    from voice_coach.speech.catalog import for_language, load_catalog

    catalog, _ = load_catalog()
    choices = for_language(catalog, language_code)
    return choices[0].id if choices else None


def natural_voice_hint(engine_name: str, language_code: str, chosen_by_auto: bool) -> str | None:
    """One line for `check` and `render` when the session speaks in a formant voice that
    `engine: auto` chose (no Piper voice for the language installed) and a natural one exists:
    which, and the command that installs it. None when there is nothing to say (a Piper voice,
    an engine the routine or --engine chose on purpose, or no natural voice for the language).
    """
    if not chosen_by_auto or engine_name not in FORMANT_ENGINES:
        return None
    from voice_coach.lang import get_language
    from voice_coach.speech import piper

    voice = natural_voice_for(language_code)
    if voice is None:
        return None
    name = get_language(language_code).name
    get = f"voice-coach voices install {voice}"
    if not piper.available():
        get = f"pip install 'voice-coach[piper]' and {get}"
    return (f"this {name} session speaks in a formant voice; a natural one exists: {get} "
            f"(or ./scripts/setup --voice {voice} in a clone)")
