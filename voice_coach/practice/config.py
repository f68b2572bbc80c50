"""The config file: defaults a person sets once (daily goal, streak, rollover hour, voice,
loudness), read with tomllib, every bad value reported at its line and column; and the routine
with the config's language, voice and loudness applied.

~/.config/voice-coach/config.toml ($XDG_CONFIG_HOME), or $VOICE_COACH_CONFIG. tomllib gives no
positions, so keys are located in the text here. Reads only. The keys, their defaults and
the file --init writes are in config_keys.py.
"""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voice_coach.basics.errors import Diagnostic, SpecError, UsageError

from .config_keys import KEYS, Key, defaults, toml_text
from .config_limits import (
    MAX_CONFIG_DEPTH,
    read_config_bytes,
    routine_file_problem,
    too_deep_at,
)

ENV_CONFIG = "VOICE_COACH_CONFIG"


@dataclass(frozen=True)
class Config:
    """The values in force and where each came from ("default" or "FILE:LINE")."""

    values: dict[str, Any]
    origins: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    found: bool = False
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)  # name → (line, col)

    def pos(self, name: str) -> Any:
        """A routine Pos for a value set in the file (errors about it point here)."""
        from voice_coach.routine import Pos

        line, col = self.positions.get(name, (0, 0))
        return Pos(str(self.path), line, col)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


def config_path() -> Path:
    """The config file: $VOICE_COACH_CONFIG when set, else config.toml in the user's config
    folder."""
    override = os.environ.get(ENV_CONFIG)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("voice-coach", appauthor=False)) / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """Reads the config file (defaults where it is missing).

    Raises SpecError (exit 2) listing every bad value as FILE:LINE:COL, and UsageError when
    $VOICE_COACH_CONFIG names a file that does not exist.
    """
    explicit = path is not None or bool(os.environ.get(ENV_CONFIG))
    path = path or config_path()
    values = defaults()
    origins = {name: "default" for name in values}
    try:
        raw = read_config_bytes(path)  # a regular file of bounded size, else UsageError
    except FileNotFoundError:
        if explicit:
            raise UsageError(f"config file {path} not found",
                             f"create it, or unset {ENV_CONFIG}") from None
        return Config(values, origins, path, found=False)
    except OSError as exc:
        raise UsageError(f"cannot read the config file {path}: {exc.strerror}") from None
    text = _decode(raw, path)
    data = _parse(text, path)
    where = _Locator(text)
    problems: list[Diagnostic] = []
    positions: dict[str, tuple[int, int]] = {}
    for section, table in data.items():
        if section not in KEYS:
            problems.append(_unknown(path, where.find(section, None, at_key=True), section, KEYS,
                                     "section"))
            continue
        if not isinstance(table, dict):
            line, col = where.find(section, None)
            problems.append(Diagnostic(str(path), line, col, f"'{section}' must be a table",
                                       f"write it as [{section}] with keys under it"))
            continue
        for key, value in table.items():
            line, col = where.find(section, key)
            spec = KEYS[section].get(key)
            if spec is None:
                problems.append(_unknown(path, where.find(section, key, at_key=True), key,
                                         KEYS[section], "key", f" in [{section}]"))
                continue
            if spec.kind == "routine" and isinstance(value, str):
                value = _relative_to(path.parent, value)
            checked, problem = _check(spec, key, value)
            if problem:
                problems.append(Diagnostic(str(path), line, col, *problem))
                continue
            values[f"{section}.{key}"] = checked
            origins[f"{section}.{key}"] = f"{path}:{line}"
            positions[f"{section}.{key}"] = (line, col)
    if problems:
        raise SpecError(problems)
    return Config(values, origins, path, found=True, positions=positions)


def _relative_to(folder: Path, routine: str) -> str:
    """A routine file named relative to the config file's folder, as a path from here."""
    candidate = folder / routine
    if not Path(routine).is_absolute() and candidate.is_file():
        return str(candidate)
    return routine


def _decode(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise SpecError([Diagnostic(str(path), line, 1, "the config file is not UTF-8 text",
                                    "save it as UTF-8")]) from None


def _parse(text: str, path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    deep = too_deep_at(text)
    if deep is not None:
        raise SpecError([Diagnostic(str(path), *deep, "arrays or inline tables nest deeper than "
                                    f"{MAX_CONFIG_DEPTH} levels here",
                                    'no config value is nested; keys look like: daily_goal = 3, '
                                    'voice = "en-us"')])
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        # "(at end of document)": the place after the last character
        end = (text.count("\n") + 1, len(text) - text.rfind("\n"))
        line, col = (int(found.group(1)), int(found.group(2))) if found else end
        reason = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        raise SpecError([Diagnostic(str(path), line, col, f"this is not valid TOML: {reason}",
                                    'keys look like: daily_goal = 3, streak = true, '
                                    'voice = "en-us"')]) from None


def _unknown(path: Path, at: tuple[int, int], name: str, known: dict, what: str,
             where: str = "") -> Diagnostic:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "known: " + ", ".join(known)
    return Diagnostic(str(path), at[0], at[1], f"unknown {what} '{name}'{where}", hint)


def _check(spec: Key, key: str, value: Any) -> tuple[Any, tuple[str, str] | None]:
    """(value, None) when good, else (None, (message, hint))."""
    shown = _shown(value)
    if spec.kind == "bool":
        if isinstance(value, bool):
            return value, None
        return None, (f"'{key}' must be true or false, got {shown}", "write true or false, "
                      "without quotes")
    if spec.kind in ("int", "number"):
        ok = isinstance(value, int) or (spec.kind == "number" and isinstance(value, float))
        word = "a whole number" if spec.kind == "int" else "a number"
        rng = f" from {_num(spec.low)} to {_num(spec.high)}"
        example = toml_text(spec.default)
        if isinstance(value, bool) or not ok:
            return None, (f"'{key}' must be {word}{rng}, got {shown}",
                          f"{spec.help}; e.g. {key} = {example}")
        if not spec.low <= value <= spec.high:
            return None, (f"'{key}' must be{rng}, got {shown}", spec.help)
        return value, None
    if not isinstance(value, str):
        return None, (f"'{key}' must be text in quotes, got {shown}", f'e.g. {key} = "en"')
    if not value.strip():
        return None, (f"'{key}' is empty", "give a value, or delete the line for the default")
    if key == "language":
        from voice_coach.lang import normalize_language

        try:
            return normalize_language(value), None
        except UsageError as exc:
            return None, (exc.message, exc.hint)
    if key == "player":
        import shlex

        try:
            shlex.split(value)
        except ValueError as exc:
            return None, (f"'player' is not a command I can run: {exc}",
                          'e.g. player = "terminal", "background" or "kitty -e"')
    if spec.kind == "routine":
        problem = _routine_problem(value)
        if problem:
            return None, problem
    return value.strip(), None


def _routine_problem(name: str) -> tuple[str, str] | None:
    from voice_coach.routine import read_routine_source

    problem = routine_file_problem(name)
    if problem:
        return problem
    try:
        read_routine_source(name)
    except UsageError as exc:
        return exc.message, exc.hint
    return None


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (dict, list)):
        return "a table" if isinstance(value, dict) else "a list"
    return str(value)


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


class _Locator:
    """Where a key's value is written: (line, column), 1-based; (0, 0) when not found."""

    _HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_\-\"'. ]+?)\s*\]")
    _PART = r"""(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')"""
    _KEY = re.compile(rf"^\s*({_PART}(?:\s*\.\s*{_PART})*)\s*=\s*")

    def __init__(self, text: str) -> None:
        # (dotted path, line, column of the key, column of the value)
        self.entries: list[tuple[tuple[str, ...], int, int, int]] = []
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header and not line.lstrip().startswith("[["):
                table = _split(header.group(1))
                col = line.index("[") + 1
                self.entries.append((table, number, col, col))
                continue
            key = self._KEY.match(line)
            if key:
                self.entries.append((table + _split(key.group(1)), number, key.start(1) + 1,
                                     key.end() + 1))

    def find(self, section: str, key: str | None, at_key: bool = False) -> tuple[int, int]:
        want = (section,) if key is None else (section, key)
        for path, line, key_col, value_col in self.entries:
            if path == want:
                return line, key_col if at_key else value_col
        for path, line, key_col, _ in self.entries:  # an inline table: point at its section
            if path[:1] == (section,):
                return line, key_col
        return 0, 0


def _split(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_\-]+)', dotted)
    return tuple(next(p for p in part if p) if any(part) else "" for part in parts)


def routine_language(routine: str, config: Config) -> str | None:
    """What `--language` is when not given: the config's [voice] language, for a built-in
    routine and for a routine file that names neither a `language:` nor a `voice:` of its own
    (None otherwise: the file's author chose)."""
    language = config["voice.language"]
    if not language:
        return None
    from voice_coach.routine import read_routine_source

    try:
        text, path, _name = read_routine_source(routine)
    except UsageError:
        return language  # the loader says what is wrong with the name
    if path.startswith("<built-in"):
        return language
    top = _top_keys(text)
    return None if "language" in top or "voice" in top else language


def load_configured(routine: str, limits: Any, language: str | None, config: Config) -> Any:
    """load_routine in `language`, else the config's (routine_language), with the config's
    voice and loudness applied; a problem with a config value is reported at its line."""
    from voice_coach.routine import load_routine

    if language is None:
        language = routine_language(routine, config)
        if language is not None:
            try:
                routine_obj = load_routine(routine, limits, language)
            except UsageError as exc:
                raise SpecError([config.pos("voice.language").diag(
                    f"{exc.message} (language = \"{language}\" in the config)",
                    exc.hint or "remove the line, or pick a language it has")]) from None
            return apply_to_routine(routine_obj, config)
    return apply_to_routine(load_routine(routine, limits, language), config)


def apply_to_routine(routine: Any, config: Config) -> Any:
    """The routine with the config's voice and loudness where the routine file sets none.

    A voice set here is located at the config file's line, so an error about it (an unknown
    voice) points there, not at the routine. The config's language is applied when loading
    (load_configured), as --language is, never as a voice in another language."""
    voice = config["voice.voice"]
    loudness = config["sound.loudness"]
    if not voice and loudness is None:
        return routine
    top = _top_keys(routine.source)
    changes: dict[str, Any] = {}
    if voice and "voice" not in top.get("voice", set()):
        changes["voice"] = dataclasses.replace(routine.voice, voice=voice)
        changes["voice_named"] = True  # the config named it: the routine's language must not
        # replace it (voice_coach.speech.for_language)
        changes["voice_pos"] = config.pos("voice.voice")
    if loudness is not None and "loudness" not in top:
        changes["loudness_lufs"] = float(loudness)
    return dataclasses.replace(routine, **changes) if changes else routine


def _top_keys(source: str | bytes) -> dict[str, set[str]]:
    """The routine file's top-level keys, each with its sub-keys when it is a mapping."""
    import yaml

    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): set(map(str, v)) if isinstance(v, dict) else set() for k, v in data.items()}
