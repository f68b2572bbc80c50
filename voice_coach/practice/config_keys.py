"""The config file's keys: each one's kind, default, range and help, in one table; the
defaults, and the commented config file `voice-coach config --init` writes from it.

Pure data and text; config.py reads and checks the file against this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Key:
    """One key: its kind, default and help; low and high bound a number."""

    kind: str  # int | bool | number | text | routine
    default: Any
    help: str
    low: float | None = None
    high: float | None = None


KEYS: dict[str, dict[str, Key]] = {
    "practice": {
        "daily_goal": Key("int", 3, "sets a day to aim for", 1, 50),
        "daily_sittings": Key("int", 2, "sittings a day to spread the sets over (sessions 30 "
                                        "minutes or more apart are separate sittings)", 1, 10),
        "streak": Key("bool", False, "show a streak of days in a row (off: not shown at all)"),
        "rollover_hour": Key("int", 4, "a day ends at this hour: a set at 1 a.m. counts for the "
                                       "evening before", 0, 12),
        "skip_days": Key("int", 1, "days a week without a session that keep a streak alive "
                                   "(without adding to it)", 0, 6),
        "routine": Key("routine", "ankle-pumps", "the routine `today` suggests (e.g. the one "
                                                 "your therapist gave you)"),
        "evening_routine": Key("routine", "bedtime", "the routine suggested late in the evening"),
        "evening_from": Key("int", 20, "the hour from which the evening routine is suggested",
                            0, 23),
    },
    "reminders": {
        "window_minutes": Key("int", 60, "a reminder missed by more than this (the computer was "
                                         "off or asleep) is dropped, not shown late", 1, 1440),
        "snooze_minutes": Key("int", 10, "Later shows the reminder again after this long",
                              1, 240),
        "player": Key("text", "terminal", 'where Start plays: "terminal" (a terminal window), '
                                          '"background" (sound only), or your own command to '
                                          'run it in, e.g. "kitty -e"'),
    },
    "voice": {
        "voice": Key("text", "", "the voice for routines that name none, e.g. en-us"),
        "language": Key("text", "", "the language, as --language: the built-in routines in it, "
                                    "and routine files that name no language or voice, e.g. de"),
    },
    "sound": {
        "loudness": Key("number", None, "loudness in LUFS for routines that set none "
                                        "(the routine's default: -16)", -40, -6),
    },
    "coach": {
        "step_back_pain": Key("int", 4, "pain (0-10) after a session that steps a growing "
                                        "routine's dose back one step the next day", 1, 10),
        "stop_pain": Key("int", 7, "pain (0-10) after a session that stops progression: stop "
                                   "and ask a health professional", 1, 10),
    },
}


def defaults() -> dict[str, Any]:
    """Every key's default, by its dotted name ("practice.daily_goal")."""
    return {f"{s}.{k}": key.default for s, keys in KEYS.items() for k, key in keys.items()}


def init_text() -> str:
    """A config file with every key, commented out at its default, to edit."""
    lines = ["# voice-coach config: uncomment a line to change it.", ""]
    for section, keys in KEYS.items():
        lines.append(f"[{section}]")
        for name, key in keys.items():
            lines.append(f"# {key.help}")
            lines.append(f"# {name} = {toml_text(key.default)}")
        lines.append("")
    return "\n".join(lines)


def toml_text(value: Any) -> str:
    """A default as TOML writes it (the loudness default, None, as the routine's -16)."""
    if value is None:
        return "-16"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
