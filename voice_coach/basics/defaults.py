"""The defaults that more than one part of voice-coach relies on, each written once.

Plain values, no imports: the routine format's table (routine/fields.py), the model's
dataclasses, mastering, the background bed, the encoders and the CLI's help all read them here.
A default that only one stage uses lives with that stage instead.
"""

# The speech loudness every session is mastered to unless its routine or --loudness says
# otherwise: speech-gated BS.1770 loudness of the voice at volume 1.0, in LUFS (the level podcast
# apps and phones expect of speech). A background's level is given on this scale.
LOUDNESS_LUFS = -16.0

# The voice block.
ENGINE = "auto"  # the best engine on this machine
VOICE = "en"  # an engine voice id or a language code
RATE_WPM = 160  # words per minute
VOLUME = 1.0  # 0.0..1.0

# The session's shape.
GAP_MS = 800  # silence after each free-standing spoken passage
FADE_OUT_MS = 2000  # the session fades to silence over its last part
FADE_IN_MS = 3000  # the background fades in over this long

# The background bed.
BACKGROUND_LEVEL_LUFS = -30.0  # on the LOUDNESS_LUFS scale: it moves with the target
DUCK_DB = -12.0  # how far it dips under each cue and tone
DUCK_ATTACK_MS = 150  # how long the dip takes (it starts this long before the cue)
DUCK_RELEASE_MS = 600  # how long it takes to come back
NOISE_SEED = 1

# Lossy encoders at a fixed rate (MP3 is VBR unless a bitrate is given).
M4A_KBPS = 64
OPUS_KBPS = 48

# Limits that guard against typos and runaway files (the CLI's --max-* raise them).
MAX_MINUTES = 360
MAX_REPS = 1000
MAX_SETS = 100
