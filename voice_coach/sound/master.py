"""Mastering while mixing, with the speech level as the anchor: every spoken cue is levelled so
the session's speech, measured alone and speech-gated (as broadcast measures dialogue loudness),
meets its target; tones and beats sit fixed distances under the voice; peaks stay under a
ceiling; the file's integrated loudness follows from all that and is predicted, not solved for.

Pure: clips, tones and the plan in; levelled clips and numbers out. No files, no ffmpeg, no
second pass over encoded audio, and never a whole-session array (the predictions stream).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from voice_coach.basics import defaults
from voice_coach.plan.timeline import Event, Timeline, ms_to_frames
from voice_coach.sound import loudness as ld
from voice_coach.sound.cue_level import (
    REFERENCE_LUFS,
    VoiceCache,
    level_voice,
    prepare_tone,
    scaled,
    to_float,
    to_pcm16,
)
from voice_coach.sound.mix import MixLevels, db_to_gain

MIX_CEILING_DBFS = -2.5  # overlapping sounds bend softly under this (render.soft_ceiling)
# A routine's voice volume is heard: 1.0 is the speech target, every 0.1 under it 2 dB softer
# (0.8: -4 dB; 0.5: -10 dB, which sounds half as loud; 0.0: -20 dB, the quietest).
VOLUME_RANGE_DB = 20.0
SIGNAL_UNDER_SPEECH_LU = 2.0  # rise, fall, chime, bell: clear signals, never covering a word
BEAT_UNDER_SPEECH_LU = 10.0  # counting ticks and every metronome beat: a pulse, not a voice
BEAT_TONES = ("tick", "tock")
# A cue measured alone (ld.cue_lufs: while it sounds) is about this much louder than the same
# speech speech-gated on BS.1770's 400 ms blocks (espeak-ng, 130 to 170 wpm: 0.4 to 0.7 LU):
# the first guess, refined by measuring.
CUE_OVER_SPEECH_LU = 0.6
SOLVE_ROUNDS = 3
SOLVE_TOLERANCE_LU = 0.05
DEFAULT_LEVELS = MixLevels()


def voice_level_lufs(loudness_lufs: float, volume: float) -> float:
    """The speech loudness a routine asks for: its loudness (the speech target at volume 1.0)
    and its voice volume (0.0..1.0; VOLUME_RANGE_DB from 1.0 to 0.0, linear in dB)."""
    return loudness_lufs - VOLUME_RANGE_DB * (1.0 - min(1.0, max(0.0, volume)))


def under_speech_lu(tone: str, layer: str = "cue") -> float:
    """How far (LU) a tone sits under the voice: beats (ticks, tocks, anything on the metronome
    layer) BEAT_UNDER_SPEECH_LU, signals SIGNAL_UNDER_SPEECH_LU."""
    if tone in BEAT_TONES or layer == "metronome":
        return BEAT_UNDER_SPEECH_LU
    return SIGNAL_UNDER_SPEECH_LU


@dataclass(frozen=True)
class Mastered:
    """Levelled sources for render_blocks, and what the levelling planned (LUFS).

    clips: the levelled speech clips (int16: the output is 16-bit anyway, and a session of
    hundreds of distinct phrases holds them all); tones: the levelled tones (float32);
    levels: the MixLevels to mix them with (the metronome's offset set here).
    speech_lufs: the session's speech as planned, measured alone and speech-gated (every spoken
    cue end to end, BS.1770 integrated): the target, unless the voice could not get that loud.
    cue_lufs: the loudness asked of every spoken cue (ld.cue_lufs); clip_lufs: what each one
    measures (the same to a few hundredths, unless its peaks would have needed more than
    MAX_LIMITING_DB). tone_lufs: each tone's loudness where it sounds (its metronome placements
    may sit lower: levels.metronome_gain_db).
    predicted_lufs: the whole file's integrated loudness as planned (cues, tones, background,
    closing fade; the encoded file measures within a few tenths of it).
    """

    clips: dict[str, np.ndarray]
    tones: dict[str, np.ndarray]
    levels: MixLevels
    speech_lufs: float
    cue_lufs: float
    clip_lufs: dict[str, float]
    tone_lufs: dict[str, float]
    predicted_lufs: float


def master(
    timeline: Timeline,
    clips: Mapping[str, np.ndarray],
    tones: Mapping[str, np.ndarray],
    *,
    speech_lufs: float = defaults.LOUDNESS_LUFS,
    levels: MixLevels = DEFAULT_LEVELS,
    bed_powers: Callable[[int], np.ndarray] | None = None,
    fade_out_ms: int = 0,
) -> Mastered:
    """Levels the session's clips so its speech measures speech_lufs (speech-gated), sets the
    tones under the voice, and predicts the file's integrated loudness.

    One clip at a time: only the levelled clips and a small energy profile of each are kept, so
    memory grows with the phrases' own length, not with what levelling them takes.

    Args:
        timeline: the plan (only its events, length and rate are used).
        clips: speech text → int16 (or float) samples, as synthesised.
        tones: tone name → float samples.
        speech_lufs: the speech loudness (see voice_level_lufs), e.g. -16.
        levels: the mix levels the renderer will use (its metronome offset is replaced).
        bed_powers: n_steps → the background's K-weighted mean square in each 100 ms step, as it
            will be mixed (level, ducking and fades included); None for no background.
        fade_out_ms: the closing fade render_blocks will apply (it counts in the prediction).
    Returns the levelled clips (int16) and tones (float32) and the numbers behind them.
    """
    rate = timeline.sample_rate
    step = rate * ld.GATE_STEP_MS // 1000
    n_steps = gate_steps(timeline)
    voices = VoiceCache(clips, rate)
    spoken = [e for e in timeline.events if e.kind == "speech"]
    cue_lufs = speech_lufs + CUE_OVER_SPEECH_LU
    levelled: dict[str, tuple[np.ndarray, float]] = {}
    energies: dict[str, ld.EnergyProfile] = {}
    measured = -math.inf
    for round_no in range(SOLVE_ROUNDS):
        for text in clips:
            clip = level_voice(voices.get(text), cue_lufs, rate)
            levelled[text] = (to_pcm16(clip.samples), clip.lufs)  # replaces the last round's
            energies[text] = clip.energy
        measured = _speech_gated_lufs(spoken, energies, levels.speech_gain_db, step)
        shift = speech_lufs - measured
        if not math.isfinite(shift) or abs(shift) <= SOLVE_TOLERANCE_LU \
                or round_no == SOLVE_ROUNDS - 1:
            break
        cue_lufs += shift
    plain_tones = {name: prepare_tone(to_float(t), rate) for name, t in tones.items()}
    levelled_tones = {name: scaled(t, cue_lufs - under_speech_lu(name) - REFERENCE_LUFS, rate)
                      for name, t in plain_tones.items()}
    levels = dataclasses.replace(levels, metronome_gain_db=_metronome_gain_db(timeline.events))
    mix = _step_powers(timeline, energies, {n: t.energy for n, t in levelled_tones.items()},
                       levels, n_steps)
    if bed_powers is not None:
        mix += bed_powers(n_steps)
    mix *= _fade_powers(n_steps, step, timeline.n_frames, ms_to_frames(fade_out_ms, rate))
    return Mastered(
        clips={t: c for t, (c, _) in levelled.items()},
        tones={n: t.samples for n, t in levelled_tones.items()},
        levels=levels, speech_lufs=measured if spoken else speech_lufs, cue_lufs=cue_lufs,
        clip_lufs={t: lufs for t, (_, lufs) in levelled.items()},
        tone_lufs={n: t.lufs for n, t in levelled_tones.items()},
        predicted_lufs=ld.gated_lufs(ld.block_powers(mix)),
    )


def gate_steps(timeline: Timeline) -> int:
    """How many whole 100 ms loudness steps (BS.1770's gating step) the session holds."""
    return timeline.n_frames // (timeline.sample_rate * ld.GATE_STEP_MS // 1000)


def _step_powers(timeline: Timeline, clips: Mapping[str, ld.EnergyProfile],
                 tones: Mapping[str, ld.EnergyProfile], levels: MixLevels,
                 n_steps: int) -> np.ndarray:
    """K-weighted mean square of the cues' mix in each 100 ms step, from each source's energy
    profile at each of its placements (the filter is linear, so the mix of K-weighted clips is
    the K-weighted mix; overlapping sources count as uncorrelated, as the bed does)."""
    rate = timeline.sample_rate
    step = rate * ld.GATE_STEP_MS // 1000
    placements: dict[tuple[str, str, float], list[int]] = {}
    for event in timeline.events:
        speech = event.kind == "speech"
        gain_db = levels.speech_gain_db if speech else levels.tone_gain_db
        if event.layer == "metronome":
            gain_db += levels.metronome_gain_db
        key = ("speech", event.text, gain_db) if speech else ("tone", event.tone, gain_db)
        placements.setdefault(key, []).append(ms_to_frames(event.start_ms, rate))
    out = np.zeros(n_steps)
    for (kind, name, gain_db), starts in placements.items():
        profile = clips[name] if kind == "speech" else tones[name]
        out += ld.placed_step_powers(profile, np.array(starts), db_to_gain(gain_db), n_steps, step)
    return out


def _speech_gated_lufs(spoken: Sequence[Event], clips: Mapping[str, ld.EnergyProfile],
                       gain_db: float, step: int) -> float:
    """The speech alone, speech-gated: BS.1770 integrated loudness of every spoken cue placed
    end to end (in plan order, the silences between them left out), from the clips' energy
    profiles (each cue's filter tail runs into the next, as it does when the cues are cut from
    the file and joined)."""
    starts: dict[str, list[int]] = {}
    at = 0
    for event in spoken:
        starts.setdefault(event.text, []).append(at)
        at += clips[event.text].n_frames - ld.K_IMPULSE_FRAMES + 1  # without the filter's tail
    n_steps = at // step
    powers = np.zeros(n_steps)
    for text, placed in starts.items():
        powers += ld.placed_step_powers(clips[text], np.array(placed), db_to_gain(gain_db),
                                        n_steps, step)
    return ld.gated_lufs(ld.block_powers(powers))


def _metronome_gain_db(events: Sequence[Event]) -> float:
    """The offset for the metronome layer that puts each of its tones at least
    BEAT_UNDER_SPEECH_LU under the voice (0 for ticks and tocks, already levelled so)."""
    names = {e.tone for e in events if e.kind == "tone" and e.layer == "metronome"}
    return min((under_speech_lu(n) - BEAT_UNDER_SPEECH_LU for n in names), default=0.0)


def _fade_powers(n_steps: int, step: int, n_frames: int, fade_frames: int) -> np.ndarray:
    """The closing fade's mean squared gain in each step (render_blocks' raised cosine)."""
    out = np.ones(n_steps)
    if fade_frames <= 0:
        return out
    fade_start = n_frames - fade_frames
    first = max(0, fade_start // step)
    for i in range(first, n_steps):
        frames = np.arange(i * step, (i + 1) * step)
        j = frames - fade_start
        gain = np.where(j < 0, 1.0, 0.5 * (1 + np.cos(np.pi * (j + 1) / fade_frames)))
        out[i] = float(np.mean(gain * gain))
    return out
