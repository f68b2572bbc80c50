"""Voice commands: list every engine's voices, install and remove Piper voices, say a phrase."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from voice_coach import UsageError
from voice_coach.cli import complete
from voice_coach.cli.app import (
    app,
    cli_words,
    err,
    finished,
    funnel,
    out,
    progress_bar,
    voice_settings,
)
from voice_coach.cli.usage import Group, examples

voices_app = typer.Typer(
    cls=Group,
    no_args_is_help=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=examples(
        "voices",
        "voice-coach voices --language en",
        "voice-coach voices --engine piper",
        "voice-coach voices install de_DE-thorsten-medium",
        "voice-coach voices remove de_DE-thorsten-medium",
    ),
)
app.add_typer(voices_app, name="voices")

Mirror = Annotated[str | None, typer.Option(
    "--mirror", metavar="URL", help="Download from this copy of the piper-voices repository "
    "(default: $VOICE_COACH_VOICES_URL, else huggingface.co/rhasspy/piper-voices).")]


@voices_app.callback(invoke_without_command=True)
@funnel
def voices(
    ctx: typer.Context,
    language: Annotated[str | None, typer.Option(
        "--language", metavar="LANG", help="Only voices for this language, e.g. en or en-us.")]
    = None,
    engine: Annotated[str | None, typer.Option(
        "--engine", metavar="ENGINE", autocompletion=complete.engine,
        help="Only this engine's voices: piper, pico, espeak or pyttsx3 (default: Piper, Pico "
        "and this system's engine).")] = None,
) -> None:
    """List the voices of every engine: engine, id, language, quality, licence, installed or
    not. Subcommands install and remove Piper voices."""
    if ctx.invoked_subcommand is not None:
        return
    from voice_coach.speech.voices import voice_rows

    rows = voice_rows(engine.strip().lower() if engine else None, language)
    if not rows:
        raise UsageError(f"no voice for language '{language}'",
                         "run 'voice-coach voices' to list every voice")
    header = ("engine", "id", "language", "quality", "licence", "status")
    table = [header, *((r.engine, r.id, r.language, r.quality or "-", r.licence, r.status)
                       for r in rows)]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for row in table:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        out("  ".join([*cells, row[-1]]))


@voices_app.command("install", epilog=examples(
    "voices install",
    "voice-coach voices install en_US-lessac-medium",
    "voice-coach voices install de_DE-thorsten-medium --mirror https://example.org/piper-voices",
))
@funnel
def install(
    name: Annotated[str, typer.Argument(
        metavar="NAME", autocompletion=complete.piper_voice,
        help="The voice's id, e.g. en_US-lessac-medium (see 'voice-coach voices').")],
    mirror: Mirror = None,
) -> None:
    """Download a Piper voice from the piper-voices repository, checked against its catalogue
    (size and MD5 of every file), and install it for voice-coach."""
    import sys

    from voice_coach.speech.voices import install_voice, voices_url

    base = voices_url(mirror)
    if sys.stderr.isatty():
        err(f"Fetching the voice catalogue from {base}")
    with progress_bar("Downloading") as progress:
        done = install_voice(name, mirror=base, progress=progress)
    where = done.folder
    if done.already:
        out(f"{done.voice.id} is already installed in {where} (files verified).")
        finished()
        return
    out(f"Installed {done.voice.id} ({round(done.voice.size_bytes / 1e6)} MB, every file's "
        f"size and MD5 checked) in {where}.")
    _time_voice(done.voice.id)
    out(f'Try it: voice-coach say "Toes up, and hold." --voice {done.voice.id}')
    finished()


def _time_voice(voice_id: str) -> None:
    """Times a new voice for words per minute now, so the first session does not wait for it."""
    from voice_coach import EngineError
    from voice_coach.speech.voices import PiperEngine, piper_available

    if not piper_available():
        err("warning: Piper (piper-tts) is not installed, so this voice cannot speak yet; "
            "install it with: pip install 'voice-coach[piper]'")
        return
    try:
        engine = PiperEngine()
        engine.length_scale(engine.files(voice_id), 160)
    except EngineError as exc:
        err(f"warning: {exc.message}")


@voices_app.command("remove", epilog=examples(
    "voices remove", "voice-coach voices remove en_US-lessac-medium"))
@funnel
def remove(
    name: Annotated[str, typer.Argument(
        metavar="NAME", autocompletion=complete.voice, help="An installed Piper voice's id.")],
) -> None:
    """Delete a Piper voice installed with 'voices install' (or dropped into the voices
    folder)."""
    from voice_coach.speech.voices import remove_voice as remover

    where = remover(name)
    out(f"Removed {name} from {where}.")
    finished()


SayVoice = Annotated[str | None, typer.Option(
    "--voice", metavar="VOICE", autocompletion=complete.voice,
    help="The voice: an id from 'voice-coach voices' (en_US-joe-medium, gmw/de) or a language "
    "(en, de); default: English, the natural voice when installed.")]
SayEngine = Annotated[str | None, typer.Option(
    "--engine", metavar="ENGINE", autocompletion=complete.engine,
    help="Speech engine: auto (Piper when a Piper voice for it is installed, then Pico, then "
    "espeak-ng), piper, pico, espeak or pyttsx3.")]
SayRate = Annotated[int | None, typer.Option(
    "--rate", metavar="WPM", help="Speaking rate in words per minute (80 to 450; default 160).")]


@app.command(epilog=examples(
    "say",
    'voice-coach say "Toes up, and hold."',
    'voice-coach say "Toes up, and hold." --voice en_US-joe-medium -o toes.wav',
    'voice-coach say "Breathe in slowly." --engine espeak --rate 130',
    'voice-coach say "Zehen hoch und halten." --language de',
))
@funnel
def say(
    text: Annotated[str, typer.Argument(metavar="PHRASE", help="What to say.")],
    voice: SayVoice = None,
    engine: SayEngine = None,
    rate: SayRate = None,
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", metavar="FILE", help="Write it to this audio file (.wav, .mp3, ...) "
        "instead of playing it.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    language: Annotated[str | None, typer.Option(
        "--language", metavar="LANG", autocompletion=complete.language,
        help="The phrase's language (de, fr, zh, ...): picks its "
        "voice when --voice is not given, and checks a named one reads it. Default: the named "
        "voice's language, else zh for Chinese characters, else en.")] = None,
) -> None:
    """Speak one phrase through the speakers, or into a file: a quick way to try a voice."""
    from voice_coach import VoiceSettings
    from voice_coach.speech.voices import synthesize_voice

    if not text.strip():
        raise UsageError("there is nothing to say", 'e.g. voice-coach say "Toes up, and hold."')
    _check_length(text)
    if output is not None:
        from voice_coach import check_target

        check_target(output, force=force)  # before any speech is made
    settings = _checked_voice(text, voice_settings(VoiceSettings(), voice, engine, rate),
                              voice is not None, language)
    clips, used = synthesize_voice([text], settings, workers=1)
    clip = clips[text]
    if output is not None:
        _write(output, clip, force)
        out(f"Wrote {output}: {len(clip) * 1000 // 22050} ms, voice {used.voice} "
            f"({used.engine}, {used.rate_wpm} wpm).")
        finished()
        return
    from voice_coach import open_output, play_pcm

    hint = f"write it to a file instead: voice-coach say {_quote(text)} -o phrase.wav"
    with open_output("say", hint=hint) as device:
        silence = b"\x00\x00" * (device.sample_rate // 5)  # lets the device finish the last word
        play_pcm(clip.astype("<i2").tobytes() + silence, device)
    out(f"Said it with {used.voice} ({used.engine}, {used.rate_wpm} wpm).")


def _check_length(text: str) -> None:
    """A phrase is bounded as a routine's cue is (Limits.max_text_chars), before any speech is
    made: 100 KB of text once became a 98-minute WAV and 2 GB of memory."""
    from voice_coach import DEFAULT_LIMITS

    limit = DEFAULT_LIMITS.max_text_chars
    if len(text) > limit:
        raise UsageError(f"the phrase is {len(text):,} characters long; say speaks at most "
                         f"{limit:,} (about a minute)",
                         "say is for trying a voice: speak a sentence or two, or put longer "
                         "text in a routine's cues")


def _checked_voice(text: str, settings, voice_named: bool, language: str | None):
    """The settings to say `text` with, refused as `check` refuses a routine's voice (a voice
    that reads the language by another's rules, e.g. espeak-ng's cmn reading tone numbers in
    English); a named voice of another language is a warning on stderr."""
    from voice_coach import EngineError, normalize_language
    from voice_coach.speech.voices import choose_phrase_voice

    code = normalize_language(language) if language is not None else None
    choice = choose_phrase_voice(settings, text, voice_named, code)
    if choice.problem:
        raise EngineError(choice.problem, choice.hint)
    if choice.warning:
        err(f"warning: {cli_words(choice.warning)}")
    return choice.settings


def _write(path: Path, clip, force: bool) -> None:
    from voice_coach import SAMPLE_RATE, from_pcm16, write_audio

    write_audio(path, [from_pcm16(clip)], sample_rate=SAMPLE_RATE, n_frames=len(clip),
                force=force)


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)
