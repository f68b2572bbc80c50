"""Speech lengths without a voice: an estimate from syllables and pauses, for plans in a language
no installed voice reads. Never used to place a rendered cue: render and check need real speech.
"""

from __future__ import annotations

import re
import unicodedata

PAUSE_MS = 250  # a comma or full stop inside a cue
_VOWELS = re.compile(r"[aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœ]+", re.IGNORECASE)
_PUNCT = re.compile(r"[,.;:!?，。；：！？、](?=.)")


def estimate_speech_ms(text: str, rate_wpm: int) -> int:
    """About how long `text` takes to say at `rate_wpm`: a syllable a CJK character or vowel
    group, 1.5 syllables a word (so 160 wpm is 4 syllables a second), PAUSE_MS a pause."""
    syllables = sum(1 for c in text if unicodedata.east_asian_width(c) == "W"
                    and unicodedata.category(c).startswith("L"))
    syllables += len(_VOWELS.findall(text))
    syllables += len(re.findall(r"\d", text))
    ms_per_syllable = 60_000 / (max(rate_wpm, 1) * 1.5)
    return max(100, round(syllables * ms_per_syllable) + PAUSE_MS * len(_PUNCT.findall(text)))
