"""Measures the speed tables the engines' rates are built on (scripts/measure-rates): espeak-ng's
words per minute at each nominal rate (piper_rate.ESPEAK_WPM) and Pico's reference durations
(pico.DURATIONS_S). A developer tool: it prints the table rows to paste; rendering only reads
the tables (voice_coach/speech/piper_rate.py).
"""

from __future__ import annotations

import sys

from voice_coach.speech import piper_rate as rate

ESPEAK_RATES_WPM = (80, 100, 120, 140, 160, 180, 200, 250, 300, 350, 450)


def espeak_table(rates: tuple[int, ...] = ESPEAK_RATES_WPM) -> list[tuple[int, float]]:
    """piper_rate.ESPEAK_WPM measured with the real engine: (nominal rate, measured wpm)."""
    from voice_coach.speech.espeak import EspeakEngine

    engine = EspeakEngine()
    try:
        phrases = rate.REFERENCE_PHRASES["en"]
        table = []
        for rate_wpm in rates:
            n_frames = sum(len(engine.synthesize(p, "en", rate_wpm, 1.0)) for p in phrases)
            table.append((rate_wpm, round(rate.word_count(phrases) * 60
                                          / rate.seconds(n_frames, 22050), 1)))
        return table
    finally:
        engine.close()


def pico_durations() -> dict[str, tuple[float, ...]]:
    """pico.DURATIONS_S measured with the real engine: seconds of each voice's reference
    phrases at Pico speeds 1/scale for scale in piper_rate.CALIBRATION_SCALES."""
    from voice_coach.speech import pico

    table = {}
    for voice in pico.PICO_VOICES:
        phrases = rate.reference_phrases(voice.id.split("/")[-1]) or ()
        table[voice.id] = tuple(
            rate.seconds(sum(len(pico.speak(p, voice.id, round(1 / scale, 2))) for p in phrases),
                         pico.PICO_RATE)
            for scale in rate.CALIBRATION_SCALES)
    return table


def main(argv: list[str]) -> int:
    if argv not in (["espeak"], ["pico"]):
        print("usage: scripts/measure-rates espeak|pico", file=sys.stderr)
        return 2
    if argv == ["espeak"]:
        for rate_wpm, wpm in espeak_table():
            print(f"    ({rate_wpm}, {wpm}),")
    else:
        for voice_id, durations in pico_durations().items():
            print(f'    "{voice_id}": {durations},')
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
