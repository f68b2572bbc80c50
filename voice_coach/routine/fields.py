"""The routine format as one table: it drives validation, defaults, the JSON Schema and the docs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from voice_coach.basics import defaults

# The tones a routine (and so a timeline's events) can name, and how long each lasts: the
# composer places them, sound/tones.py makes exactly this many milliseconds of each.
TONE_MS: dict[str, int] = {"rise": 200, "fall": 200, "tick": 50, "tock": 50, "chime": 800,
                           "bell": 2500}
TONE_NAMES = tuple(TONE_MS)

# The format, as one table: it drives validation, defaults, the JSON Schema and the docs.
# kind: text | name | path | int | number | bool | duration | enum:<a|b> | voice | steps | phases
# | background | language | progress | range


@dataclass(frozen=True)
class Field:
    kind: str
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    required: bool = False


VOICE_FIELDS = {
    "engine": Field("enum:auto|piper|pico|espeak|pyttsx3", defaults.ENGINE,
                    "speech engine; auto is Piper when a Piper voice for the voice's language is "
                    "installed, else Pico when installed and it speaks the language (en, de, fr, "
                    "es, it), else espeak-ng (Linux) or pyttsx3"),
    "voice": Field("name", None, "voice id or language code (see `voice-coach voices`); "
                   "default: the routine's language picks it"),
    "rate": Field("int", defaults.RATE_WPM, "speaking rate in words per minute", 80, 450),
    "volume": Field("number", defaults.VOLUME, "speech volume, 0.0 to 1.0: 2 dB softer per 0.1 "
                    "under 1.0 (0.8: 4 dB, 0.5: 10 dB, half as loud)", 0.0, 1.0),
}

ROUTINE_FIELDS = {
    "title": Field("name", None, "the routine's title", required=True),
    "language": Field("language", "en", "the routine's language (en, de, fr, es, it, pt, nl, "
                      "zh, ...): what the program itself says and writes is in it"),
    "about": Field("name", "", "one line on what it is for (shown by `voice-coach routines`)"),
    "description": Field("name", "", "longer description, for people reading the file"),
    "voice": Field("voice", None, "voice settings"),
    "intro": Field("text", None, "spoken at the start"),
    "outro": Field("text", None, "spoken at the end"),
    "steps": Field("steps", None, "what happens, in order", required=True),
    "gap": Field("duration", defaults.GAP_MS, "silence after each free-standing spoken passage",
                 0, 60_000),
    "fade_out": Field("duration", defaults.FADE_OUT_MS, "fade to silence over the last part", 0,
                      60_000),
    "fade_in": Field("duration", defaults.FADE_IN_MS,
                     "the background sound fades in over this long", 0, 60_000),
    "loudness": Field("number", defaults.LOUDNESS_LUFS, "the speech loudness in LUFS "
                      "(speech-gated, at volume 1.0; the file's own follows): "
                      f"{defaults.LOUDNESS_LUFS:g} suits phones and podcasts, -19 to -23 is "
                      "quieter", -40, -6),
    "background": Field("background", None, "a sound under the cues: brown, pink or white "
                        "noise, or a music file"),
}

BACKGROUND_FIELDS = {
    "sound": Field("path", None, "brown, pink or white noise, or a music file's path",
                   required=True),
    "level": Field("number", defaults.BACKGROUND_LEVEL_LUFS, "its loudness in LUFS (on the "
                   f"{defaults.LOUDNESS_LUFS:g} LUFS scale: it moves with 'loudness')", -60, -10),
    "duck": Field("number", defaults.DUCK_DB, "how far it dips under each cue and tone, in dB",
                  -60, 0),
    "attack": Field("duration", defaults.DUCK_ATTACK_MS,
                    "how long it takes to dip (it starts before the cue)", 0, 5000),
    "release": Field("duration", defaults.DUCK_RELEASE_MS,
                     "how long it takes to come back after the cue", 0, 10_000),
    "seed": Field("int", defaults.NOISE_SEED, "the noise's random seed (same seed, same noise)",
                  0, 2**31 - 1),
}

EXERCISE_FIELDS = {
    "exercise": Field("name", None, "the exercise's name", required=True),
    "sets": Field("int", 3, "number of sets", 1, None),
    "reps": Field("int", 10, "repetitions in each set", 1, None),
    "rest": Field("duration", 30_000, "rest between sets", 0, 3_600_000),
    "style": Field("enum:hold|pump", "hold", "hold: timed phases; pump: a steady cadence"),
    "cadence": Field("int", 60, "pump style: repetitions per minute", 10, 120),
    "get_ready": Field("enum:spoken|tones|none", "spoken", "3-2-1 countdown before each set"),
    "phases": Field("phases", None, "the parts of one repetition, in order"),
    "set_intro": Field("text", "Set {set} of {sets}.", "said at the start of each set"),
    "safety": Field("text", None, "safety line said at the start of each set"),
    "count_reps": Field("bool", False, "say the repetition number at the start of each one"),
    "halfway": Field("text", "Halfway.", "said at the start of the middle repetition"),
    "last": Field("int", 0, "announce the last N repetitions", 0, None),
    "last_say": Field("text", "Last {left}.", "said at each of the last N repetitions"),
    "remind_every": Field("int", 0, "say the reminder every N repetitions", 0, None),
    "remind": Field("text", "Keep breathing naturally.", "the reminder"),
    "voice_fade": Field("int", 0, "speak cues for the first N repetitions, then tones only",
                        0, None),
    "rest_say": Field("text", "Rest for {seconds} seconds.", "said at the start of a rest"),
    "progress": Field("progress", None, "how the repetitions grow from day to day within a "
                      "range (docs/coach.md)"),
}

PROGRESS_FIELDS = {
    "reps": Field("range", None, 'the range the repetitions stay in, e.g. "10 to 30"; the '
                  "exercise's reps is the first dose", required=True),
    "step": Field("int", 2, "repetitions added in one step up (and taken back on pain)", 1, 100),
    "after": Field("int", 3, "days at the daily goal, with pain 2 or less, before a step up",
                   1, 60),
}

PHASE_FIELDS = {
    "say": Field("text", None, "the cue spoken at the start of the phase"),
    "hold": Field("duration", 3000, "how long the phase lasts", 100, 600_000),
    "tone": Field("enum:" + "|".join((*TONE_NAMES, "none")), "none", "tone at the phase's start"),
    "count": Field("enum:none|aloud|tick", "none", "count the seconds aloud or tick them"),
}

BREATHE_FIELDS = {
    "breathe": Field("name", None, "the breathing block's name", required=True),
    "inhale": Field("duration", 4000, "breathe in for", 500, 60_000),
    "hold": Field("duration", 0, "hold after breathing in", 0, 60_000),
    "exhale": Field("duration", 6000, "breathe out for", 500, 60_000),
    "hold_out": Field("duration", 0, "hold after breathing out", 0, 60_000),
    "cycles": Field("int", 5, "number of breaths", 1, None),
    "say_in": Field("text", "Breathe in.", "cue for breathing in"),
    "say_hold": Field("text", "Hold.", "cue for holding"),
    "say_out": Field("text", "Breathe out.", "cue for breathing out"),
    "voice_fade": Field("int", 0, "speak cues for the first N breaths, then tones only", 0, None),
}

PAUSE_FIELDS = {
    "pause": Field("duration", None, "silence for this long", 100, 3_600_000, required=True),
    "say": Field("text", None, "spoken at the start of the pause"),
}

SAY_FIELDS = {
    "say": Field("text", None, "spoken, followed by a short gap", required=True),
    "gap": Field("duration", None, "silence after it (default: the routine's gap)", 0, 600_000),
}

STEP_KINDS = {
    "exercise": EXERCISE_FIELDS,
    "breathe": BREATHE_FIELDS,
    "pause": PAUSE_FIELDS,
    "say": SAY_FIELDS,
}

# Placeholders each kind of text may use.
SET_VARS = {"set", "sets", "reps", "name", "title", "seconds", "rest", "next"}
# Placeholders that hold numbers: they may say how to speak them ({sets:word}, {left:word-f}).
NUMBER_VARS = {"set", "sets", "reps", "seconds", "rest", "rep", "left", "done", "cycle", "cycles"}
REP_VARS = SET_VARS | {"rep", "left", "done"}
TEXT_VARS = {
    "routine": {"title", "minutes"},
    "exercise": REP_VARS,
    "breathe": {"cycle", "cycles", "name", "title", "seconds"},
    "pause": {"title", "seconds"},
    "say": {"title", "minutes"},
}

# In pump style (a beat every half second or so) the default phases are the metronome's tick
# (toes up) and tock (toes down), without words.
PUMP_DEFAULT_PHASES = (
    {"hold": 3000, "tone": "tick", "count": "none"},
    {"hold": 3000, "tone": "tock", "count": "none"},
)
DEFAULT_PHASES = (
    {"say": "Toes up, and hold.", "hold": 3000, "tone": "rise", "count": "none"},
    {"say": "Toes down, and hold.", "hold": 3000, "tone": "fall", "count": "none"},
)
