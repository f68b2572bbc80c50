"""Voice commands: list the speech engines' voices."""

from __future__ import annotations

from typing import Annotated

import typer

from voice_coach.cli import complete
from voice_coach.cli.app import (
    app,
    funnel,
)
from voice_coach.cli.usage import examples
from voice_coach.errors import UsageError


@app.command(epilog=examples(
    "voices",
    "voice-coach voices --language en",
    "voice-coach voices --engine pyttsx3",
))
@funnel
def voices(
    language: Annotated[str | None, typer.Option(
        "--language", metavar="LANG",
        help="Only voices whose language starts with this, e.g. en.")] = None,
    engine: Annotated[str, typer.Option(
        "--engine", metavar="ENGINE", autocompletion=complete.engine,
        help="auto, espeak or pyttsx3.")] = "auto",
) -> None:
    """List the speech engine's voices: id, language, name."""
    from voice_coach.speech import open_engine

    eng = open_engine(engine)
    try:
        found = [v for v in eng.voices() if not language or v.language.startswith(language)
                 or _reads(language, v.language)]
    finally:
        eng.close()
    if not found:
        raise UsageError(f"no voice for language '{language}'",
                         "see every voice with: voice-coach voices")
    width = max(len(v.id) for v in found)
    lang_width = max(len(v.language) for v in found)
    for v in sorted(found, key=lambda v: v.id):
        typer.echo(f"{v.id:<{width}}  {v.language:<{lang_width}}  {v.name}")


def _reads(language: str, voice_language: str) -> bool:
    """Whether a voice reads a shipped language: --language zh finds espeak-ng's cmn voices."""
    from voice_coach.lang import get_language, normalize_language

    try:
        return get_language(normalize_language(language)).reads(voice_language)
    except UsageError:
        return False
