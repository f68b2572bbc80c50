"""The validated routine: frozen data the later stages read. No parsing, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from voice_coach.basics import defaults
from voice_coach.basics.errors import Diagnostic


@dataclass(frozen=True)
class VoiceSettings:
    """The routine's voice block: which engine and voice speak, how fast, how loud."""

    engine: str = defaults.ENGINE  # "auto" | "piper" | "espeak" | "pyttsx3" | "fake"
    voice: str = defaults.VOICE  # engine voice id or language code, e.g. "en", "en-us", "de"
    rate_wpm: int = defaults.RATE_WPM  # words per minute (80..450)
    volume: float = defaults.VOLUME  # 0.0..1.0


@dataclass(frozen=True)
class Pos:
    """Where a value came from: file name and 1-based line/column."""

    path: str
    line: int = 0
    col: int = 0

    def diag(self, message: str, hint: str = "") -> Diagnostic:
        return Diagnostic(self.path, self.line, self.col, message, hint)

    def warning(self, message: str, hint: str = "") -> Diagnostic:
        return Diagnostic(self.path, self.line, self.col, message, hint, severity="warning")


@dataclass(frozen=True)
class Text:
    """A piece of text to speak (may hold {placeholders}) and where it was written."""

    value: str
    pos: Pos
    default: bool = False  # the field's default: a program phrase, said in the routine's language


@dataclass(frozen=True)
class Phase:
    say: Text | None
    hold_ms: int
    tone: str
    count: str  # "none" | "aloud" | "tick"
    pos: Pos


@dataclass(frozen=True)
class Progress:
    """How an exercise's repetitions grow (the routine's `progress` block; docs/coach.md).

    low_reps..high_reps: the range the dose stays in (the exercise's `reps` is the first dose);
    step_reps: repetitions added (or taken back) in one step; after_days: days at the daily goal
    with little pain before a step up.
    """

    low_reps: int
    high_reps: int
    step_reps: int
    after_days: int
    pos: Pos = Pos("")


@dataclass(frozen=True)
class Exercise:
    name: str
    sets: int
    reps: int
    rest_ms: int
    style: str  # "hold" | "pump"
    cadence_per_min: int
    get_ready: str  # "spoken" | "tones" | "none"
    phases: tuple[Phase, ...]
    set_intro: Text | None
    safety: Text | None
    count_reps: bool
    halfway: Text | None
    last_reps: int
    last_say: Text | None
    remind_every: int
    remind: Text | None
    voice_fade: int  # 0 = never fade
    rest_say: Text | None
    pos: Pos
    progress: Progress | None = None  # None: the same repetitions every day


@dataclass(frozen=True)
class Breathe:
    name: str
    inhale_ms: int
    hold_ms: int
    exhale_ms: int
    hold_out_ms: int
    cycles: int
    say_in: Text | None
    say_hold: Text | None
    say_out: Text | None
    voice_fade: int
    pos: Pos


@dataclass(frozen=True)
class Pause:
    duration_ms: int
    say: Text | None
    pos: Pos


@dataclass(frozen=True)
class Say:
    text: Text
    gap_ms: int
    pos: Pos


Step = Exercise | Breathe | Pause | Say

NOISE_SOUNDS = ("brown", "pink", "white")


@dataclass(frozen=True)
class Background:
    """A sound under the whole session: generated noise, or a music file, ducked under the cues.

    sound: "brown", "pink" or "white" (seeded noise), or a music file's path (relative paths are
    relative to `base_dir`, the routine file's folder, or the working folder).
    level_db: the bed's loudness in LUFS when the speech is mastered to defaults.LOUDNESS_LUFS
    (it moves with the routine's loudness, so it always sits the same distance under the voice).
    duck_db: how far (negative dB) the bed dips under each cue and tone; attack_ms: how long it
    takes to dip (it starts that long before the cue); release_ms: how long it takes to return.
    pos: where `sound` was written, for errors about it (line 0 when it came from the CLI).
    """

    sound: str
    level_db: float = defaults.BACKGROUND_LEVEL_LUFS
    duck_db: float = defaults.DUCK_DB
    attack_ms: int = defaults.DUCK_ATTACK_MS
    release_ms: int = defaults.DUCK_RELEASE_MS
    seed: int = defaults.NOISE_SEED
    base_dir: str = ""
    pos: Pos = Pos("")

    @property
    def is_noise(self) -> bool:
        return self.sound in NOISE_SOUNDS


@dataclass(frozen=True)
class Routine:
    """A validated routine. Build one with routine_from_dict (plain values, validated as a file
    is) or parse_routine; every field has a default, so dataclasses.replace and keyword
    construction work too (Routine(title="T", steps=(...,)))."""

    name: str = "routine"
    title: str = ""
    about: str = ""
    description: str = ""
    voice: VoiceSettings = VoiceSettings()
    intro: Text | None = None
    outro: Text | None = None
    steps: tuple[Step, ...] = ()
    fade_out_ms: int = defaults.FADE_OUT_MS
    gap_ms: int = defaults.GAP_MS
    path: str = ""
    voice_pos: Pos = Pos("")  # where the voice was chosen, for engine errors about it
    source: str = field(default="", compare=False, repr=False)
    fade_in_ms: int = defaults.FADE_IN_MS  # the background fades in over this long
    loudness_lufs: float = defaults.LOUDNESS_LUFS  # the speech loudness (volume 1.0) target
    background: Background | None = None
    language: str = "en"  # a shipped language's code: the program's own phrases are in it
    voice_named: bool = True  # False when the voice was left for the language to choose
    # Things in the file that do not do what they say (an option with no effect): accepted,
    # and shown by check, plan and render as "file:line:col: warning: ...".
    warnings: tuple[Diagnostic, ...] = field(default=(), compare=False, repr=False)
    # Today's dose of a routine that grows, in its language (practice/dose_words.py): a render's
    # comment tag names it; "" for a routine at its written repetitions.
    dose_note: str = ""
