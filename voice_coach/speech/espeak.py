"""libespeak-ng called directly through ctypes in synchronous mode: the Linux default engine,
because it passed 3,000 alternating renders with no empty clip and no retry at ~1 ms a phrase,
while pyttsx3 (on this same library) needs a guarded worker process and still retries (stress.py).

Text is always plain UTF-8 (never SSML or [[phoneme]] input): cue text is spoken literally.
The library is process-global state, so one locked singleton owns it; nothing runs at import.
"""

from __future__ import annotations

import ctypes
import threading

import numpy as np

from voice_coach.errors import EngineError, UsageError
from voice_coach.speech import (
    Voice,
    check_variant,
    resolve_voice,
    speakable,
    trim_silence,
)
from voice_coach.timeline import SAMPLE_RATE

LIBRARY_NAMES = ("libespeak-ng.so.1", "libespeak-ng.so", "libespeak-ng.1.dylib", "libespeak-ng.dll")
INSTALL_HINT = "install it: sudo apt-get install espeak-ng"

# Constants from espeak-ng's speak_lib.h.
AUDIO_OUTPUT_SYNCHRONOUS = 2
ESPEAK_INITIALIZE_DONT_EXIT = 0x8000  # without it a missing data dir calls exit() in our process
ESPEAK_CHARS_UTF8 = 1  # and deliberately never espeakSSML (0x10) or espeakPHONEMES (0x100)
POS_CHARACTER = 1
ESPEAK_RATE = 1
ESPEAK_VOLUME = 2
EE_OK = 0


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_void_p),
    ]


class _Voice(ctypes.Structure):
    _fields_ = [
        ("name", ctypes.c_char_p),
        ("languages", ctypes.c_char_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


_SynthCallback = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class EspeakLibrary:
    """The one initialised libespeak-ng of this process; every call holds `lock`."""

    _instance: EspeakLibrary | None = None
    _instance_lock = threading.Lock()

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.dll = load_library()
        self._chunks: list[bytes] = []
        self._declare()
        self.version = (self.dll.espeak_Info(None) or b"?").decode("ascii", "replace")
        sample_rate = self.dll.espeak_Initialize(
            AUDIO_OUTPUT_SYNCHRONOUS, 0, None, ESPEAK_INITIALIZE_DONT_EXIT
        )
        if sample_rate != SAMPLE_RATE:
            raise EngineError(
                f"libespeak-ng failed to initialise (returned {sample_rate})",
                hint="reinstall its data: sudo apt-get install --reinstall espeak-ng-data",
            )
        # ctypes frees the trampoline with this object: it must live as long as the library.
        self._callback = _SynthCallback(self._on_samples)
        self.dll.espeak_SetSynthCallback(self._callback)

    @classmethod
    def get(cls) -> EspeakLibrary:
        with cls._instance_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def _declare(self) -> None:
        d = self.dll
        d.espeak_Info.restype = ctypes.c_char_p
        d.espeak_Info.argtypes = [ctypes.c_void_p]
        d.espeak_Initialize.restype = ctypes.c_int
        d.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        d.espeak_SetSynthCallback.restype = None
        d.espeak_SetSynthCallback.argtypes = [_SynthCallback]
        d.espeak_SetParameter.restype = ctypes.c_int
        d.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        d.espeak_GetParameter.restype = ctypes.c_int
        d.espeak_GetParameter.argtypes = [ctypes.c_int, ctypes.c_int]
        d.espeak_SetVoiceByName.restype = ctypes.c_int
        d.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        d.espeak_GetCurrentVoice.restype = ctypes.POINTER(_Voice)
        d.espeak_GetCurrentVoice.argtypes = []
        d.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
        d.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        d.espeak_Synth.restype = ctypes.c_int
        d.espeak_Synth.argtypes = [
            ctypes.c_char_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]

    def _on_samples(self, wav, n_frames, events) -> int:  # type: ignore[no-untyped-def]
        if n_frames > 0 and wav:
            self._chunks.append(ctypes.string_at(wav, n_frames * 2))
        return 0  # 0 = continue synthesis

    def list_voices(self, languages: bytes | None = None) -> list[tuple[str, str, str]]:
        """(identifier, first language, name) of every voice matching `languages` (None = all)."""
        with self.lock:
            spec = None
            if languages is not None:
                spec_voice = _Voice()
                spec_voice.languages = languages
                spec = ctypes.byref(spec_voice)
            array = self.dll.espeak_ListVoices(spec)
            out = []
            i = 0
            while array[i]:
                v = array[i].contents
                # languages: (priority byte, name, NUL)... ; the first one is the main language.
                langs = ctypes.string_at(v.languages, 64) if v.languages else b""
                language = langs[1:].split(b"\x00", 1)[0].decode("utf-8", "replace")
                out.append(
                    ((v.identifier or b"").decode(), language, (v.name or b"").decode("utf-8"))
                )
                i += 1
            return out

    def synthesize(self, text: str, voice_id: str, rate_wpm: int, volume: float) -> np.ndarray:
        with self.lock:
            if self.dll.espeak_SetVoiceByName(voice_id.encode("utf-8")) != EE_OK:
                raise UsageError(f"unknown voice {voice_id!r} for espeak-ng")
            current = self.dll.espeak_GetCurrentVoice()
            current_id = (current.contents.identifier or b"").decode() if current else ""
            if current_id.lower() != voice_id.lower():
                # espeak-ng keeps the old voice (or variant) without an error for some names.
                raise UsageError(
                    f"espeak-ng did not select voice {voice_id!r} (got {current_id!r})"
                )
            # Set before every synth: parameters are global and any other user may change them.
            self.dll.espeak_SetParameter(ESPEAK_RATE, int(rate_wpm), 0)
            self.dll.espeak_SetParameter(ESPEAK_VOLUME, round(volume * 100), 0)
            data = text.encode("utf-8") + b"\x00"
            self._chunks = []
            status = self.dll.espeak_Synth(
                data, len(data), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None
            )
            chunks, self._chunks = self._chunks, []
        if status != EE_OK:
            raise EngineError(f"espeak_Synth failed with status {status} for {text[:40]!r}")
        return np.frombuffer(b"".join(chunks), dtype=np.int16).copy()


def load_library() -> ctypes.CDLL:
    for name in LIBRARY_NAMES:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    raise EngineError("speech engine library libespeak-ng not found", hint=INSTALL_HINT)


class EspeakEngine:
    """SpeechEngine on libespeak-ng: native 22050 Hz, ~0.4 ms a short phrase, every rate applied."""

    name = "espeak"

    def __init__(self) -> None:
        self._lib = EspeakLibrary.get()
        self.version = f"libespeak-ng {self._lib.version}"
        self._voices: list[Voice] | None = None
        self._variants: set[str] | None = None

    def voices(self) -> list[Voice]:
        """Every usable voice; MBROLA ("mb/") voices are left out: they need extra packages
        and a failed one switches espeak-ng to a voice that renders nothing."""
        if self._voices is None:
            self._voices = [
                Voice(id=ident, language=lang, name=name)
                for ident, lang, name in self._lib.list_voices()
                if not ident.startswith("mb/")
            ]
        return list(self._voices)

    def variants(self) -> set[str]:
        """Lower-case variant names usable after '+' (e.g. "f3", "klatt")."""
        if self._variants is None:
            self._variants = {
                ident.rsplit("/", 1)[-1].lower()
                for ident, _, _ in self._lib.list_voices(b"variant")
            }
        return set(self._variants)

    def synthesize(self, text: str, voice: str, rate_wpm: int, volume: float) -> np.ndarray:
        """int16 mono clip at 22050 Hz of `text` read literally, edge silence trimmed.

        voice: id, language or name (resolved like synthesize_all does); rate_wpm 80..450;
        volume 0.0..1.0. Raises UsageError for an unknown voice or variant.
        """
        voice_id = check_variant(resolve_voice(voice, self.voices()), self.variants)
        text = speakable(text)
        if not text.strip():
            return np.zeros(0, dtype=np.int16)
        raw = self._lib.synthesize(text, voice_id, rate_wpm, volume)
        return trim_silence(raw).copy()

    def close(self) -> None:
        """Nothing to free: the library stays initialised for the life of the process."""
