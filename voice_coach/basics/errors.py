"""Errors people can act on: compiler-style diagnostics for bad input, clear failures for the rest,
and the one table of exit codes they map to.

Library code raises these; only `cli/` turns them into stderr text and exit codes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum


class ExitStatus(IntEnum):
    """The program's exit codes, the one table (as shells and httpie's `ExitStatus` count them)."""

    OK = 0
    FAILURE = 1  # a runtime failure: a missing engine or ffmpeg, a full disk
    BAD_INPUT = 2  # bad input or usage: a routine error, an unknown option, an existing file
    INTERRUPTED = 130  # 128 + SIGINT (Ctrl-C)
    TERMINATED = 143  # 128 + SIGTERM

# C0 and C1 control characters (but newline) and the Unicode bidirectional overrides and
# isolates, which reorder what a terminal shows ("Trojan source").
CONTROL_CHARACTERS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str, *, one_line: bool = False) -> str:
    """text with every control character but newline shown as an escape (ESC as \\x1b,
    CSI 0x9B as \\x9b, U+202E as \\u202e): safe to print on a terminal, to write into a log
    or to store in a tag. The one sanitiser for text from outside (files, the history, requests).

    one_line: escape newlines too (\\n), for a field that must stay on its line (a log's)."""
    escaped = CONTROL_CHARACTERS.sub(lambda m: repr(m.group())[1:-1] if ord(m.group()) < 0x100
                                     else f"\\u{ord(m.group()):04x}", text)
    return escaped.replace("\n", "\\n") if one_line else escaped


@dataclass(frozen=True)
class Diagnostic:
    """One problem in an input file, located like a compiler does (1-based line and column).

    severity: "error" (the input is refused) or "warning" (it is accepted, but something in it
    does not do what it says, e.g. an option that has no effect).
    """

    path: str
    line: int
    col: int
    message: str
    hint: str = ""
    severity: str = "error"

    def format(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        text = f"{where}: {self.severity}: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class VoiceCoachError(Exception):
    """Base of every error the CLI reports without a traceback."""

    exit_code: int = ExitStatus.FAILURE

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def format(self) -> str:
        text = f"error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(VoiceCoachError):
    """Bad option, missing file, unknown routine name: the user must change what they typed."""

    exit_code = ExitStatus.BAD_INPUT


class OutputExistsError(UsageError):
    """The file to write is there already and overwriting was not asked for (force=True)."""

    def __init__(self, path: object, message: str = "",
                 hint: str = "pass force=True to overwrite it") -> None:
        super().__init__(message or f"{path} already exists", hint=hint)
        self.path = path


class SpecError(VoiceCoachError):
    """One or more problems in a routine file, every one of them reported at once."""

    exit_code = ExitStatus.BAD_INPUT

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.path, d.line, d.col))
        super().__init__(self.format())

    def format(self) -> str:
        lines = [d.format() for d in self.diagnostics]
        n = len(self.diagnostics)
        if n > 1:
            lines.append(f"{n} errors")
        return "\n".join(lines)


class EngineError(VoiceCoachError):
    """A speech engine, ffmpeg or the sound device is missing or failed: say what to do."""

    exit_code = ExitStatus.FAILURE


class DeviceError(EngineError):
    """The sound device failed while playing: what was heard so far stays heard."""


class OutputError(VoiceCoachError):
    """The output could not be written (permissions, full disk); nothing half-written is left."""

    exit_code = ExitStatus.FAILURE
