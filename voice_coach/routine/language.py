"""A routine's language: its `language:` key, and the voice, which follows the language unless
the routine names one. Helpers of parse.py; pure, collecting located problems."""

from __future__ import annotations

from typing import Any

from voice_coach.routine.fields import VOICE_FIELDS
from voice_coach.routine.model import VoiceSettings
from voice_coach.routine.reader import Reader


def routine_language(root: Any, value: str, reader: Reader) -> str:
    """The file's `language:` as a shipped language's code; a located error if not shipped."""
    from voice_coach.basics.errors import UsageError
    from voice_coach.lang import DEFAULT_LANGUAGE, normalize_language

    try:
        return normalize_language(value)
    except UsageError as exc:
        node = next((v for k, v in root.value if getattr(k, "value", None) == "language"), root)
        reader.error(node, exc.message, exc.hint)
        return DEFAULT_LANGUAGE


def voice_named(node: Any) -> bool:
    """Whether the voice block names a voice (else the routine's language picks one)."""
    import yaml

    if isinstance(node, yaml.ScalarNode):  # the shorthand "voice: de"
        return not (node.style is None and node.value.lower() in ("", "~", "null"))
    return isinstance(node, yaml.MappingNode) and any(
        getattr(k, "value", None) == "voice" for k, _ in node.value)


def voice_settings(node: Any, reader: Reader, language: str) -> VoiceSettings:
    """The voice block: a mapping of VOICE_FIELDS, or just the voice ("voice: de"); the voice
    is the language's own when none is named."""
    import yaml

    from voice_coach.lang import get_language

    default = VoiceSettings(voice=get_language(language).espeak_voice)
    if node is None:
        return default
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value.lower() in ("", "~", "null"):
            return default
        node = yaml.MappingNode("tag:yaml.org,2002:map", [
            (yaml.ScalarNode("tag:yaml.org,2002:str", "voice", node.start_mark, node.end_mark),
             node)], start_mark=node.start_mark, end_mark=node.end_mark)
    values = reader.fields(node, VOICE_FIELDS, "voice")
    if values is None:
        return default
    return VoiceSettings(engine=values["engine"], voice=values["voice"] or default.voice,
                         rate_wpm=int(values["rate"]), volume=float(values["volume"]))
