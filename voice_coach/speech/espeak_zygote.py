"""libespeak-ng in a process of its own that forks a fresh copy of itself for every phrase.

Why: libespeak-ng keeps state from one phrase to the next that no API resets (a pitch-flutter
index that only ever advances, its wave phase, the echo buffer, the noise generator), so a phrase
came out a few samples different depending on what the same process said before ("Two." was 6,643
frames after other phrases, 6,631 alone), and a render after the cache lost one clip gave other
bytes. espeak_Terminate + espeak_Initialize do not reset it (measured). Here the library is
initialised once and then never speaks: each request runs in a forked child that starts from that
same untouched state, answers, and exits. So every phrase sounds exactly as it does alone.

Run as a script (`python -S espeak_zygote.py`), not imported: standard library only, no numpy,
so the process stays small and forks in about a millisecond. Protocol on stdin/stdout: frames of
a 4-byte little-endian length and UTF-8 JSON; a synth answer is followed by its raw PCM bytes
(int16 little endian, 22050 Hz mono, edge silence not yet trimmed). Its stderr is the caller's
private file: libespeak-ng's own messages never reach the user's terminal.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import struct
import sys

LIBRARY_NAMES = ("libespeak-ng.so.1", "libespeak-ng.so", "libespeak-ng.1.dylib", "libespeak-ng.dll")
AUDIO_OUTPUT_SYNCHRONOUS = 2
ESPEAK_INITIALIZE_DONT_EXIT = 0x8000  # without it a missing data dir calls exit() in our process
ESPEAK_CHARS_UTF8 = 1  # and deliberately never espeakSSML (0x10) or espeakPHONEMES (0x100)
POS_CHARACTER = 1
ESPEAK_RATE = 1
ESPEAK_VOLUME = 2
EE_OK = 0
_FRAME = struct.Struct("<I")


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
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


def _load(names: list[str]) -> ctypes.CDLL | None:
    for name in names or LIBRARY_NAMES:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    return None


def _declare(d: ctypes.CDLL) -> None:
    d.espeak_Info.restype = ctypes.c_char_p
    d.espeak_Info.argtypes = [ctypes.c_void_p]
    d.espeak_Initialize.restype = ctypes.c_int
    d.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    d.espeak_SetSynthCallback.restype = None
    d.espeak_SetSynthCallback.argtypes = [_SynthCallback]
    d.espeak_SetParameter.restype = ctypes.c_int
    d.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    d.espeak_SetVoiceByName.restype = ctypes.c_int
    d.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    d.espeak_GetCurrentVoice.restype = ctypes.POINTER(_Voice)
    d.espeak_GetCurrentVoice.argtypes = []
    d.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_Voice))
    d.espeak_ListVoices.argtypes = [ctypes.c_void_p]
    d.espeak_Synth.restype = ctypes.c_int
    d.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                               ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]


def _list_voices(d: ctypes.CDLL, languages: str | None) -> list[list[str]]:
    spec = None
    if languages is not None:
        spec_voice = _Voice()
        spec_voice.languages = languages.encode("utf-8")
        spec = ctypes.byref(spec_voice)
    array = d.espeak_ListVoices(spec)
    out = []
    i = 0
    while array[i]:
        v = array[i].contents
        # languages: (priority byte, name, NUL)... ; the first one is the main language.
        langs = ctypes.string_at(v.languages, 64) if v.languages else b""
        language = langs[1:].split(b"\x00", 1)[0].decode("utf-8", "replace")
        out.append([(v.identifier or b"").decode("utf-8", "replace"), language,
                    (v.name or b"").decode("utf-8", "replace")])
        i += 1
    return out


def _synth(d: ctypes.CDLL, request: dict) -> tuple[dict, bytes]:
    voice_id = str(request["voice"])
    if d.espeak_SetVoiceByName(voice_id.encode("utf-8")) != EE_OK:
        error = f"unknown voice {voice_id!r} for espeak-ng"
        return {"ok": False, "kind": "voice", "error": error}, b""
    current = d.espeak_GetCurrentVoice()
    current_id = (current.contents.identifier or b"").decode() if current else ""
    if current_id.lower() != voice_id.lower():
        # espeak-ng keeps the old voice (or variant) without an error for some names.
        return {"ok": False, "kind": "voice",
                "error": f"espeak-ng did not select voice {voice_id!r} (got {current_id!r})"}, b""
    d.espeak_SetParameter(ESPEAK_RATE, int(request["rate_wpm"]), 0)
    d.espeak_SetParameter(ESPEAK_VOLUME, round(float(request["volume"]) * 100), 0)
    chunks: list[bytes] = []

    def on_samples(wav, n_frames, events):  # type: ignore[no-untyped-def]
        if n_frames > 0 and wav:
            chunks.append(ctypes.string_at(wav, n_frames * 2))
        return 0  # 0 = continue synthesis

    callback = _SynthCallback(on_samples)
    d.espeak_SetSynthCallback(callback)
    data = str(request["text"]).encode("utf-8") + b"\x00"
    status = d.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, ESPEAK_CHARS_UTF8, None, None)
    if status != EE_OK:
        error = f"espeak_Synth failed with status {status}"
        return {"ok": False, "kind": "engine", "error": error}, b""
    pcm = b"".join(chunks)
    return {"ok": True, "n_bytes": len(pcm)}, pcm


def _answer(d: ctypes.CDLL, request: dict) -> tuple[dict, bytes]:
    op = request.get("op")
    if op == "synth":
        return _synth(d, request)
    if op == "voices":
        return {"ok": True, "voices": _list_voices(d, request.get("languages"))}, b""
    return {"ok": False, "kind": "engine", "error": f"unknown request {op!r}"}, b""


def frame(header: dict, payload: bytes = b"") -> bytes:
    body = json.dumps(header).encode("utf-8")
    return _FRAME.pack(len(body)) + body + payload


def _read_exactly(fd: int, n: int) -> bytes | None:
    parts = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        n -= len(chunk)
    return b"".join(parts)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _in_fresh_child(d: ctypes.CDLL, request: dict) -> bytes:
    """The framed answer to `request`, computed in a forked child (the state here never moves)."""
    if not hasattr(os, "fork"):  # Windows: no fork, so phrases do depend on what came before
        return frame(*_answer(d, request))
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer once from the pristine state, then vanish
        code = 0
        try:
            os.close(read_end)
            header, payload = _answer(d, request)
            _write_all(write_end, frame(header, payload))
        except BaseException:  # noqa: BLE001 - any failure is reported by the exit status
            code = 1
        os._exit(code)
    os.close(write_end)
    parts = []
    while True:
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            break
        parts.append(chunk)
    os.close(read_end)
    _, status = os.waitpid(pid, 0)
    answer = b"".join(parts)
    if status != 0 or len(answer) < _FRAME.size:
        reason = (f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
                  else f"exit status {os.waitstatus_to_exitcode(status)}")
        return frame({"ok": False, "kind": "engine",
                      "error": f"the espeak-ng synthesis process failed ({reason})"})
    return answer


def main() -> int:
    # Ctrl-C reaches the whole process group: the parent alone handles it and closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    out = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)  # nothing the library prints can corrupt the protocol
    d = _load(sys.argv[1:])
    if d is None:
        _write_all(out, frame({"ok": False, "kind": "missing", "error": "library not found"}))
        return 1
    _declare(d)
    version = (d.espeak_Info(None) or b"?").decode("ascii", "replace")
    rate = d.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, None, ESPEAK_INITIALIZE_DONT_EXIT)
    if rate != 22050:
        _write_all(out, frame({"ok": False, "kind": "init", "version": version,
                               "error": f"libespeak-ng failed to initialise (returned {rate})"}))
        return 1
    _write_all(out, frame({"ok": True, "version": version, "sample_rate": rate}))
    stdin = sys.stdin.fileno()
    while True:
        head = _read_exactly(stdin, _FRAME.size)
        if head is None:
            return 0  # the parent closed our stdin: done
        body = _read_exactly(stdin, _FRAME.unpack(head)[0])
        if body is None:
            return 0
        try:
            request = json.loads(body)
            if not isinstance(request, dict):
                raise ValueError("not a JSON object")
        except ValueError as exc:
            _write_all(out, frame({"ok": False, "kind": "engine", "error": f"bad request: {exc}"}))
            continue
        _write_all(out, _in_fresh_child(d, request))


if __name__ == "__main__":
    sys.exit(main())
