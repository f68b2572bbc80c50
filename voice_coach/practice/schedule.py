"""Reminders that reach the person: an iCalendar file (a daily event and an alarm per time) for
phone and desktop calendars, and systemd user timers that run `voice-coach notify` on time (a
desktop notification; only its Start button plays).

The texts are built here (pure); installing writes into the user's unit folder and nothing else,
and removing deletes only units this module wrote (they carry MARKER).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

from voice_coach.basics.errors import UsageError

MARKER = "# Written by voice-coach schedule; `voice-coach schedule --remove` removes it."
PREFIX = "voice-coach-"
AT_HINT = ("times look like 09:00 or 21:30, separated by commas; add =ROUTINE to pick another "
           "routine for one time, e.g. --at 09:00,13:00 --at 21:30=bedtime")
MAX_TIMES = 48


@dataclass(frozen=True)
class Slot:
    """One daily reminder: a time of day and the routine (a name or a file) it is for."""

    at: time
    routine: str


@dataclass(frozen=True)
class RoutineInfo:
    name: str  # what the person typed: a built-in name or a file path
    title: str
    length_ms: int
    summary: str  # "3 sets of 10"


def parse_slots(values: list[str], default_routine: str | None) -> list[Slot]:
    """--at values → slots, in time order; UsageError (exit 2) on a bad or repeated time."""
    slots: dict[time, Slot] = {}
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            text, sep, routine = item.partition("=")
            routine = routine.strip()
            if sep and not routine:
                raise UsageError(f"--at '{item}' names no routine after '='", AT_HINT)
            at = _time_of_day(text.strip(), item)
            if not routine:
                if default_routine is None:
                    raise UsageError(f"--at '{item}' has no routine",
                                     "give a ROUTINE, or write the time as 21:30=bedtime")
                routine = default_routine
            if at in slots:
                raise UsageError(f"--at {at.strftime('%H:%M')} is given twice",
                                 "give each time once")
            slots[at] = Slot(at, routine)
    if not slots:
        raise UsageError("give at least one time with --at", AT_HINT)
    if len(slots) > MAX_TIMES:
        raise UsageError(f"{len(slots)} times a day is too many (at most {MAX_TIMES})")
    return sorted(slots.values(), key=lambda s: s.at)


def _time_of_day(text: str, item: str) -> time:
    found = re.fullmatch(r"(\d{1,2}):(\d{2})", text) or re.fullmatch(r"(\d{1,2})(\d{2})", text)
    if not found:
        raise UsageError(f"--at '{item}' is not a time of day", AT_HINT)
    hour, minute = int(found.group(1)), int(found.group(2))
    if hour > 23 or minute > 59:
        raise UsageError(f"--at '{item}' is not a time of day: hours go from 00 to 23 and "
                         "minutes from 00 to 59", AT_HINT)
    return time(hour, minute)


def slug(routine: str) -> str:
    """A unit-name-safe name for a routine: 'ankle-pumps', 'my-routine' for ./My Routine.yaml."""
    stem = Path(routine).stem if routine.endswith((".yaml", ".yml")) else routine
    text = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")
    return text or "routine"


# ---------------------------------------------------------------------------------------------
# iCalendar


def ics(slots: list[Slot], infos: dict[str, RoutineInfo], first_day: date,
        zone: str | None = None) -> bytes:
    """The calendar: per time, a daily repeating event from first_day with an alarm at its start.

    zone: an IANA time zone name to pin the times to (with its VTIMEZONE); None writes floating
    times, which calendars read as local time wherever the phone is (right for a daily habit).
    """
    from icalendar import Alarm, Calendar, Event

    tzinfo = None
    if zone is not None:
        from zoneinfo import ZoneInfo

        tzinfo = ZoneInfo(zone)
    cal = Calendar()
    cal.add("prodid", "-//voice-coach//schedule//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "voice-coach reminders")
    stamp = datetime.combine(first_day, time(0, 0), tzinfo=timezone.utc)
    for slot in slots:
        info = infos[slot.routine]
        event = Event()
        event.add("uid", f"{slug(slot.routine)}-{slot.at.strftime('%H%M')}@voice-coach")
        event.add("dtstamp", stamp)
        event.add("summary", f"{info.title} (voice-coach)")
        event.add("dtstart", datetime.combine(first_day, slot.at, tzinfo=tzinfo))
        event.add("duration", timedelta(seconds=max(60, -(-info.length_ms // 1000))))
        event.add("rrule", {"freq": "daily"})
        event.add("description", _description(slot, info))
        event.add("categories", ["Exercise"])
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Time for {info.title}")
        alarm.add("trigger", timedelta(0))
        event.add_component(alarm)
        cal.add_component(event)
    if tzinfo is not None:
        cal.add_missing_timezones()
    return cal.to_ical()


def _description(slot: Slot, info: RoutineInfo) -> str:
    """The event's text: what the session is, its length as the event's DURATION has it, and
    the commands with the routine quoted for a shell (a path with spaces stays one word)."""
    import shlex

    seconds = max(60, -(-info.length_ms // 1000))
    minutes, rest = divmod(seconds, 60)
    length = f"{minutes} min" + (f" {rest} s" if rest else "")
    name = shlex.quote(info.name)
    return (f"{info.summary}, {length}. Play it from your phone's file, or on the "
            f"computer: voice-coach play {name}. Afterwards, note it: voice-coach done {name}")


# ---------------------------------------------------------------------------------------------
# systemd user units


def user_unit_dir() -> Path:
    """~/.config/systemd/user ($XDG_CONFIG_HOME/systemd/user)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def _quote(arg: str) -> str:
    """One ExecStart argument, quoted as systemd reads it (%, $ and quotes escaped).

    A control character (a newline above all) would end the line and let the rest be read as
    new unit lines, so it is refused (UsageError) instead of written."""
    _refuse_control(arg)
    text = arg.replace("%", "%%").replace("$", "$$")
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _refuse_control(text: str) -> None:
    bad = next((c for c in text if ord(c) < 32 or ord(c) == 127 or 0x80 <= ord(c) < 0xA0
                or c in "\u2028\u2029"), None)
    if bad is not None:
        raise UsageError(f"{text!r} holds a control character ({bad!r}), which cannot go into "
                         "a systemd unit: it would end the line and start new ones",
                         "rename the file or folder so its path has no line break or control "
                         "character; nothing was written")


def _plain(text: str) -> str:
    """A title for a Description= line: control characters as spaces, % as %%."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+", " ", text).replace("%", "%%")
    return text.rstrip("\\ ")  # a trailing backslash would join the next line to this one


def units(slots: list[Slot], infos: dict[str, RoutineInfo], command: list[str],
          env: dict[str, str]) -> dict[str, str]:
    """File name → text of a .service and a .timer per routine.

    The timer fires at each of its times; the service runs `voice-coach notify`, which shows a
    desktop notification and plays only when the person presses Start. Persistent=true lets a
    time missed while the computer was off fire once at boot, where notify drops it when it is
    later than the reminder window: nothing is replayed blindly.
    UsageError when a path or setting holds a control character (nothing is returned).
    """
    out: dict[str, str] = {}
    by_routine: dict[str, list[Slot]] = {}
    for slot in slots:
        by_routine.setdefault(slot.routine, []).append(slot)
    for routine, mine in by_routine.items():
        info = infos[routine]
        name = PREFIX + slug(routine)
        times = ",".join(s.at.strftime("%H:%M") for s in mine)
        exec_args = [*command, "notify", info.name, "--due", times]
        environment = [f"Environment={_quote(f'{k}={v}')}" for k, v in sorted(env.items())]
        title = _plain(info.title)
        out[f"{name}.service"] = "\n".join([
            MARKER, "[Unit]", f"Description=voice-coach reminder: {title} ({_plain(info.name)})",
            "", "[Service]", "Type=exec", *environment,
            "ExecStart=" + " ".join(_quote(a) for a in exec_args), ""])
        out[f"{name}.timer"] = "\n".join([
            MARKER, "[Unit]", f"Description=voice-coach reminder: {title} at "
            f"{times.replace(',', ', ')}", "",
            "[Timer]", *[f"OnCalendar=*-*-* {s.at.strftime('%H:%M')}:00" for s in mine],
            "Persistent=true", "AccuracySec=30s", f"Unit={name}.service", "",
            "[Install]", "WantedBy=timers.target", ""])
    return out


def write_units(texts: dict[str, str], folder: Path) -> list[Path]:
    """Writes the unit files into folder (made if missing), each atomically."""
    from voice_coach.output.atomic import write_text_atomic

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in texts.items():
        path = folder / name
        if path.exists() and MARKER not in path.read_text(errors="replace"):
            raise UsageError(f"{path} exists and was not written by voice-coach",
                             "rename or remove it first; nothing was changed")
        write_text_atomic(path, text, force=True)
        written.append(path)
    return written


def enable(timers: list[Path], folder: Path) -> None:
    """What `systemctl --user enable` does: a link in timers.target.wants per timer."""
    wants = folder / "timers.target.wants"
    wants.mkdir(parents=True, exist_ok=True)
    for timer in timers:
        link = wants / timer.name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(timer)


def installed(folder: Path) -> list[Path]:
    """Unit files in folder that voice-coach wrote."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob(PREFIX + "*") if p.suffix in (".timer", ".service")
                  and p.is_file() and MARKER in p.read_text(errors="replace"))


def remove(folder: Path, routine: str | None = None) -> list[Path]:
    """Deletes voice-coach's units (only a routine's, when given) and their links."""
    gone = []
    for path in installed(folder):
        if routine is not None and path.stem != PREFIX + slug(routine):
            continue
        link = folder / "timers.target.wants" / path.name
        if link.is_symlink():
            link.unlink()
        path.unlink()
        gone.append(path)
    return gone


def systemctl(*args: str) -> str | None:
    """Runs `systemctl --user ARGS`; None when it worked, else why not (no systemd here)."""
    exe = shutil.which("systemctl")
    if exe is None:
        return "systemctl is not installed"
    try:
        proc = subprocess.run([exe, "--user", *args], capture_output=True, text=True,
                              timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if proc.returncode != 0:
        return (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
    return None
