"""Which voice a name means: a voice block's "en", "en-US" or "gmw/en-US" matched against an
engine's voices to the canonical id it speaks with, or a UsageError listing close matches.
Pure matching: it lists no files and installs nothing (voice_files, install).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

from voice_coach.basics.errors import UsageError
from voice_coach.speech.engine_api import SpeechEngine, Voice


def engine_voice(engine: SpeechEngine, query: str) -> str:
    """The canonical voice id `query` names on `engine` (its own resolve() where it has one)."""
    resolve = getattr(engine, "resolve", None)
    if resolve is not None:
        return str(resolve(query))
    return resolve_voice(query, engine.voices())


def resolve_voice(query: str, voices: Iterable[Voice]) -> str:
    """The canonical voice id (plus any "+variant") for `query`, matched case-insensitively
    against each voice's id, the id's last part ("en-US" of "gmw/en-US"), its language and name.

    Raises UsageError listing close matches: engines silently keep the previous voice otherwise.
    """
    base, plus, variant = query.strip().partition("+")
    wanted = base.lower()
    voices = list(voices)
    for key in (
        lambda v: v.id,
        lambda v: v.id.rsplit("/", 1)[-1],
        lambda v: v.language,
        lambda v: v.name,
    ):
        for voice in voices:
            if key(voice).lower() == wanted and wanted:
                return voice.id + (plus + variant if variant else "")
    known = sorted(
        {v.id.rsplit("/", 1)[-1].lower() for v in voices} | {v.language.lower() for v in voices}
    )
    close = difflib.get_close_matches(wanted, known, n=5, cutoff=0.5)
    hint = "close matches: " + ", ".join(close) if close else "no close match"
    if wanted in ("zh", "zh-cn", "cmn-cn"):
        hint = "Mandarin is 'cmn' (sit/cmn); " + hint
    raise UsageError(f"unknown voice {query!r}",
                     hint=hint + "; run 'voice-coach voices' to list them")


def check_variant(voice_id: str, variants: Callable[[], set[str]]) -> str:
    """voice_id unchanged if its "+variant" (if any) is one the engine has; else UsageError.

    variants is only asked when there is a variant (listing them can cost an engine call)."""
    _, plus, variant = voice_id.partition("+")
    if plus and variant.lower() not in variants():
        raise UsageError(
            f"unknown voice variant {variant!r}",
            hint="variants look like 'en+f3' or 'en+klatt'; see 'espeak-ng --voices=variant'",
        )
    return voice_id
