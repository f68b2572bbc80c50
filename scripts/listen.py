"""The listening test behind scripts/listen: how well an offline recogniser hears each spoken cue.

Renders built-in routines as a user gets them (speech, tones, levels, metronome), cuts every
spoken cue out of the mix at its planned position, puts 300 ms of quiet before it and 150 ms
after (the pause a listener hears), and asks pocketsphinx's bundled US English model what was
said. Word recall: the share of the cue's words found in what was heard. Reported per routine,
per engine and per cue length (one word, several). It measures only, never asserts: the
recogniser is a noisy judge of one routine (about ±0.1), a steadier one of many.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import json
import re
import statistics
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

QUIET_BEFORE_MS = 300
QUIET_AFTER_MS = 150
RECOGNISER_RATE = 16000
ENGLISH_BUILTINS = ("ankle-pumps", "ankle-pumps-lying", "ankle-pumps-pump", "bedtime", "flight",
                    "morning", "tv-break")
ENGINES = ("piper", "pico", "espeak")


@dataclass(frozen=True)
class Heard:
    """One cue: what it says, what the recogniser heard, and the share of its words heard."""

    routine: str
    engine: str
    text: str
    heard: str
    recall: float

    @property
    def n_words(self) -> int:
        return len(words(self.text))


def words(text: str) -> list[str]:
    """The words of `text` as the recogniser spells them: lower case, no punctuation, numbers
    as words ("Set 1 of 3" → set one of three)."""
    from num2words import num2words

    spelled = re.sub(r"\d+", lambda m: " " + num2words(int(m.group())) + " ", text.lower())
    return re.findall(r"[a-z]+(?:'[a-z]+)?", spelled.replace("-", " "))


def word_recall(expected: str, heard: str) -> float:
    """Share of `expected`'s words (counted with repeats) that are among `heard`'s words."""
    want = collections.Counter(words(expected))
    if not want:
        return 1.0
    got = collections.Counter(words(heard))
    return sum(min(n, got[w]) for w, n in want.items()) / sum(want.values())


def cue_cuts(mix: np.ndarray, events: Iterable, sample_rate: int
             ) -> Iterator[tuple[str, np.ndarray]]:
    """(text, int16 samples) of each spoken cue, cut from `mix` (float, -1..1) at its planned
    start and length, with QUIET_BEFORE_MS of silence before and QUIET_AFTER_MS after."""
    before = np.zeros(QUIET_BEFORE_MS * sample_rate // 1000, dtype=np.int16)
    after = np.zeros(QUIET_AFTER_MS * sample_rate // 1000, dtype=np.int16)
    for event in events:
        if event.kind != "speech" or not event.text.strip():
            continue
        start = event.start_ms * sample_rate // 1000
        end = event.end_ms * sample_rate // 1000
        cut = np.clip(np.round(mix[start:end] * 32767), -32768, 32767).astype(np.int16)
        yield event.text, np.concatenate([before, cut, after])


class Recogniser:
    """pocketsphinx with its bundled US English acoustic model, dictionary and language model."""

    def __init__(self) -> None:
        try:
            from pocketsphinx import Decoder
        except ImportError:
            sys.exit("error: pocketsphinx is not installed\n"
                     "  hint: scripts/listen installs it (pip install -e '.[listen]')")
        self._decoder = Decoder(samprate=RECOGNISER_RATE, loglevel="FATAL")
        self._memo: dict[bytes, str] = {}

    def hear(self, samples: np.ndarray, sample_rate: int) -> str:
        """What the recogniser makes of int16 mono `samples` at `sample_rate`."""
        from voice_coach.speech import resample_to

        pcm = resample_to(samples, sample_rate, RECOGNISER_RATE).astype("<i2").tobytes()
        if pcm not in self._memo:  # a repeated cue in the same mix is heard the same
            self._decoder.start_utt()
            self._decoder.process_raw(pcm, full_utt=True)
            self._decoder.end_utt()
            hyp = self._decoder.hyp()
            self._memo[pcm] = hyp.hypstr if hyp is not None else ""
        return self._memo[pcm]


def listen_to(name: str, engine: str, recogniser: Recogniser, voice: str = "") -> list[Heard]:
    """Every spoken cue of built-in routine `name`, rendered with `engine` (its English voice,
    or `voice`), as heard."""
    import voice_coach as vc

    routine = vc.load_routine(name)
    settings = dataclasses.replace(routine.voice, engine=engine, voice=voice or "en")
    routine = dataclasses.replace(routine, voice=settings, voice_named=bool(voice))
    session = vc.prepare(routine)
    _, blocks_from = vc.mix_session(session, background=None)
    mix = np.concatenate(list(blocks_from(0)))
    rate = session.timeline.sample_rate
    return [Heard(name, engine, text, heard, word_recall(text, heard))
            for text, cut in cue_cuts(mix, session.timeline.events, rate)
            for heard in [recogniser.hear(cut, rate)]]


def mean(values: Iterable[float]) -> float:
    values = list(values)
    return statistics.fmean(values) if values else float("nan")


def table(results: list[Heard], routines: list[str], engines: list[str]) -> str:
    """The Markdown table: mean recall per cue for each routine and engine, then the mean over
    the routines and the one-word / several-word cues pooled."""
    head = "| routine | " + " | ".join(engines) + " |"
    lines = [head, "|---|" + "---:|" * len(engines)]

    def cell(rows: list[Heard]) -> str:
        return f"{mean(r.recall for r in rows):.2f} ({len(rows)})" if rows else "-"

    for name in routines:
        lines.append(f"| {name} | " + " | ".join(
            cell([r for r in results if r.routine == name and r.engine == e])
            for e in engines) + " |")
    lines.append("| **mean over routines** | " + " | ".join(
        f"**{routine_mean(results, routines, e):.2f}**" for e in engines) + " |")
    lines.append("| one-word cues, pooled | " + " | ".join(
        cell([r for r in results if r.engine == e and r.n_words == 1]) for e in engines) + " |")
    lines.append("| cues of several words, pooled | " + " | ".join(
        cell([r for r in results if r.engine == e and r.n_words > 1]) for e in engines) + " |")
    return "\n".join(lines)


def routine_mean(results: list[Heard], routines: list[str], engine: str) -> float:
    """Mean over the routines of each routine's mean recall per cue (each routine weighs one)."""
    return mean(mean(r.recall for r in results if r.routine == n and r.engine == engine)
                for n in routines if any(r.routine == n and r.engine == engine for r in results))


def worst(results: list[Heard], engine: str, n: int = 12) -> str:
    """The most often misheard cue texts for `engine`: what was said, what was heard."""
    by_text: dict[str, list[Heard]] = collections.defaultdict(list)
    for r in results:
        if r.engine == engine:
            by_text[r.text].append(r)
    ranked = sorted(by_text.items(), key=lambda kv: (mean(r.recall for r in kv[1]), kv[0]))
    return "\n".join(f"  {mean(r.recall for r in rows):.2f} x{len(rows):<3} {text!r} -> "
                     f"{collections.Counter(r.heard for r in rows).most_common(1)[0][0]!r}"
                     for text, rows in ranked[:n])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/listen", description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", action="append", choices=ENGINES,
                        help="an engine to hear (repeatable; default: each one installed)")
    parser.add_argument("--routine", action="append", metavar="NAME",
                        help="a built-in English routine (repeatable; default: all seven)")
    parser.add_argument("--json", metavar="FILE", help="also write every cue heard to FILE")
    parser.add_argument("--worst", action="store_true",
                        help="list the most misheard cues per engine")
    args = parser.parse_args(argv)
    engines = args.engine or installed_engines()
    routines = args.routine or list(ENGLISH_BUILTINS)
    recogniser = Recogniser()
    results: list[Heard] = []
    for engine in engines:
        for name in routines:
            print(f"listening: {name} ({engine})", file=sys.stderr)
            results += listen_to(name, engine, recogniser)
    print(table(results, routines, engines))
    print(f"\nWord recall by pocketsphinx's US English model (mean per cue; cues in brackets); "
          f"each cue cut at its planned position, {QUIET_BEFORE_MS} ms of quiet before, "
          f"{QUIET_AFTER_MS} ms after.")
    if args.worst:
        for engine in engines:
            print(f"\nmost misheard ({engine}):\n{worst(results, engine)}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump([dataclasses.asdict(r) for r in results], f, indent=1, ensure_ascii=False)
    return 0


def installed_engines() -> list[str]:
    """The engines this machine can speak English with, best first."""
    import importlib.util

    found = []
    if importlib.util.find_spec("piper") is not None:
        found.append("piper")
    if importlib.util.find_spec("nanotts") is not None:
        found.append("pico")
    return found + ["espeak"]


if __name__ == "__main__":
    sys.exit(main())
