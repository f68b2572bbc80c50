"""The voice follows the language: which voice speaks a routine, whether it really reads the
routine's language, and what to say when it does not.

A voice left unnamed is the language's first espeak-ng voice that reads it; a named voice is
kept, with a warning when its language is another. Reads no routine files; never synthesises.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass

from voice_coach.lang import Language, get_language
from voice_coach.routine.model import VoiceSettings
from voice_coach.speech import SpeechEngine, Voice, open_engine, resolve_voice

# espeak-ng marks a switch to another language's rules as "(en)" in its phoneme output.
_SWITCH = re.compile(r"\([a-z]{2,3}(?:-[a-z0-9]+)*\)")


@dataclass(frozen=True)
class VoiceChoice:
    """The voice a routine is spoken in, and what is wrong with it, if anything.

    settings: the routine's voice settings with the voice to use.
    voice_language: that voice's language ("de", "cmn-latn-pinyin"; "" when none was found).
    problem / hint: why no voice here reads the routine's language (stop before synthesis).
    warning: a named voice whose language is not the routine's (speak on, but say so).
    """

    settings: VoiceSettings
    voice_language: str = ""
    problem: str = ""
    hint: str = ""
    warning: str = ""


def choose_voice(settings: VoiceSettings, language: str, voice_named: bool,
                 engine: SpeechEngine | None = None, *, subject: str = "routine"
                 ) -> VoiceChoice:
    """The voice for a routine in `language` (a shipped code).

    Raises UsageError for a named voice the engine does not have (as synthesis would).
    """
    lang = get_language(language)
    if engine is None:  # a natural (Piper) voice installed for it is taken as it is
        from voice_coach.speech import engine_for

        probe = settings if voice_named else dataclasses.replace(settings, voice=lang.code)
        if engine_for(probe) == "piper":
            return _piper_choice(probe, lang, voice_named, subject)
    own = engine is None
    if engine is None:
        from voice_coach.speech import engine_for

        engine = open_engine(engine_for(
            settings if voice_named else dataclasses.replace(settings, voice=lang.code)))
    try:
        voices = engine.voices()
        engine_name = engine.name
        own_resolve = getattr(engine, "resolve", None)  # Pico's takes a language too
    finally:
        if own:
            engine.close()

    def lookup(query: str) -> str:
        return own_resolve(query) if own_resolve is not None else resolve_voice(query, voices)

    if voice_named:
        return _named(settings, lang, voices, lookup, engine_name, subject)
    return _unnamed(settings, lang, voices, lookup, engine_name, subject)


def choose_phrase_voice(settings: VoiceSettings, text: str, voice_named: bool,
                        language: str | None = None, engine: SpeechEngine | None = None
                        ) -> VoiceChoice:
    """The voice for one phrase (`voice-coach say`), checked as `check` checks a routine's.

    The phrase's language is `language` when given, else the named voice's own language, else
    Chinese for text in Han characters, else English. A voice of a language not shipped here
    is taken as it is (nothing to check it against). Raises UsageError for an unknown voice.
    """
    if language is None:
        language = _phrase_language(settings, text, voice_named)
        if language is None:
            return VoiceChoice(settings)
    return choose_voice(settings, language, voice_named, engine, subject="phrase")


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _phrase_language(settings: VoiceSettings, text: str, voice_named: bool) -> str | None:
    from voice_coach.basics.errors import UsageError
    from voice_coach.lang import DEFAULT_LANGUAGE, normalize_language

    if not voice_named:
        return "zh" if _HAN.search(text) else DEFAULT_LANGUAGE
    voice_language = named_voice_language(settings)
    try:
        return normalize_language(voice_language) if voice_language else None
    except UsageError:  # a language this program does not ship (ja, ...)
        return None


def named_voice_language(settings: VoiceSettings) -> str:
    """The language of the voice `settings` name ("cmn-latn-pinyin", "de", "en-us"), as the
    engine that would speak it reports it; UsageError for a voice it does not have."""
    from voice_coach.speech import engine_for, engine_voice

    if engine_for(settings) == "piper":
        from voice_coach.speech import piper
        from voice_coach.speech.voice_files import installed_piper_voices

        found = piper.choose(settings.voice, installed_piper_voices())
        return found.tag if found is not None else ""
    engine = open_engine(engine_for(settings))
    try:
        voices = engine.voices()
        return _language_of(engine_voice(engine, settings.voice), voices)
    finally:
        engine.close()


def _piper_choice(settings: VoiceSettings, lang: Language, voice_named: bool, subject: str
                  ) -> VoiceChoice:
    """A Piper voice: trusted to read its own language; a named one of another language warns."""
    from voice_coach.speech import piper
    from voice_coach.speech.voice_files import installed_piper_voices

    found = piper.choose(settings.voice, installed_piper_voices())
    voice_language = found.tag if found is not None else ""
    if voice_named and voice_language and not lang.reads(voice_language):
        return VoiceChoice(settings, voice_language, warning=(
            f"the voice '{settings.voice}' speaks {voice_language}, but the {subject} is in "
            f"{lang.name} ({lang.code}): {_leave_out(subject)} to let the language pick its "
            f"voice, or name a {lang.name} voice (see: voice-coach voices)"))
    return VoiceChoice(settings, voice_language or lang.code)


def _named(settings: VoiceSettings, lang: Language, voices: list[Voice],
           lookup: Callable[[str], str], engine_name: str, subject: str) -> VoiceChoice:
    voice_id = lookup(settings.voice)
    voice_language = _language_of(voice_id, voices)
    if not lang.reads(voice_language):
        return VoiceChoice(settings, voice_language, warning=(
            f"the voice '{settings.voice}' speaks {voice_language or 'another language'}, but "
            f"the {subject} is in {lang.name} ({lang.code}): {_leave_out(subject)} to let the "
            f"language pick its voice, or name a {lang.name} voice (see: voice-coach voices)"))
    if not reads_language(engine_name, voice_id, lang):
        return VoiceChoice(settings, voice_language,
                           *_no_voice(lang, engine_name, voice_id, subject))
    return VoiceChoice(settings, voice_language)


def _unnamed(settings: VoiceSettings, lang: Language, voices: list[Voice],
             lookup: Callable[[str], str], engine_name: str, subject: str) -> VoiceChoice:
    tried = []
    for candidate in dict.fromkeys((*lang.espeak_voices, lang.code)):
        try:
            voice_id = lookup(candidate)
        except Exception:  # noqa: BLE001 - not installed here: try the next
            continue
        tried.append(voice_id)
        if reads_language(engine_name, voice_id, lang):
            return VoiceChoice(dataclasses.replace(settings, voice=candidate),
                               _language_of(voice_id, voices))
    return VoiceChoice(settings, "",
                       *_no_voice(lang, engine_name, tried[0] if tried else "", subject))


def _no_voice(lang: Language, engine_name: str, voice_id: str, subject: str
              ) -> tuple[str, str]:
    install = f"voice-coach voices install {lang.piper_voice}" if lang.piper_voice else ""
    if voice_id:
        spoken = "session" if subject == "routine" else subject
        problem = (f"no voice here reads {lang.name} ({lang.code}): {engine_name}'s voice "
                   f"'{voice_id}' reads its words with another language's rules (for Mandarin, "
                   f"espeak-ng's cmn says the tone numbers in English), so the {spoken} would "
                   f"be nonsense")
    else:
        problem = f"no voice here speaks {lang.name} ({lang.code}) ({engine_name} has none)"
    others = [v for v in lang.espeak_voices if not voice_id.endswith(v)]
    hint = f"install a natural {lang.name} voice: {install}" if install else (
        f"install a {lang.name} voice")
    if others:
        hint += f"; or an espeak-ng with the voice '{others[0]}'"
    return problem, hint


def _leave_out(subject: str) -> str:
    """How to stop naming a voice: the routine's 'voice' key, or a phrase's voice= (the
    command line says --voice)."""
    return "leave 'voice' out" if subject == "routine" else "leave voice= out"


def _language_of(voice_id: str, voices: list[Voice]) -> str:
    base = voice_id.partition("+")[0]
    return next((v.language for v in voices if v.id == base), "")


def reads_language(engine_name: str, voice_id: str, lang: Language) -> bool:
    """Whether the voice reads the language's probe phrase by that language's own rules.

    Only espeak-ng can be asked (pyttsx3 on Linux drives it too); other engines are trusted.
    """
    espeak = engine_name == "espeak" or (engine_name == "pyttsx3"
                                         and sys.platform.startswith("linux"))
    if not espeak or not lang.probe:
        return True
    return not espeak_switches_language(voice_id.partition("+")[0], lang.probe)


@functools.lru_cache(maxsize=64)
def espeak_switches_language(voice_id: str, text: str) -> bool:
    """True when espeak-ng reading `text` with `voice_id` switches to another language's rules
    (`espeak-ng -x` marks it "(en)"). Asked of the espeak-ng program, in its own process, so
    this process's synthesis state is untouched; False when the program is not there."""
    program = shutil.which("espeak-ng")
    if program is None:
        return False
    try:
        proc = subprocess.run([program, "-q", "-x", "-v", voice_id, text], capture_output=True,
                              text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0 and bool(_SWITCH.search(proc.stdout))
