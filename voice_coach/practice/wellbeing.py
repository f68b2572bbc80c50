"""Pain and effort as `today` and `stats` show them: the latest rating with its note, and how the
last few went (rising, falling, steady). Pure: records in, text lines out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from voice_coach.basics.errors import escape_controls

from .adherence import trend
from .records import SessionRecord

TREND_SESSIONS = 6  # the trend reads the last six ratings: three against the three before
NOTE_SHOWN_CHARS = 60
HIGH_PAIN = 7
RECENT_SESSIONS = 60  # how many of the newest sessions the CLI reads to find ratings


def _series(records: Sequence[SessionRecord], what: str) -> list[tuple[SessionRecord, int]]:
    return [(r, getattr(r, what)) for r in sorted(records, key=lambda r: r.started)
            if getattr(r, what) is not None]


def _when(record: SessionRecord, today: date) -> str:
    """When, by the wall clock where it was done (00:40 on the 1st is "today 00:40" on the 1st,
    though it counts for the 30th's practice)."""
    day = record.started.date()
    clock = record.started.strftime("%H:%M")
    if day == today:
        return f"today {clock}"
    if (today - day).days == 1:
        return f"yesterday {clock}"
    return record.started.strftime("%Y-%m-%d ") + clock


def _note(record: SessionRecord) -> str:
    text = " ".join(record.note.split())
    if not text:
        return ""
    if len(text) > NOTE_SHOWN_CHARS:
        text = text[:NOTE_SHOWN_CHARS - 1] + "…"
    return f', "{escape_controls(text)}"'


def rating_line(records: Sequence[SessionRecord], what: str, today: date,
                skip_note_of: str = "") -> str | None:
    """'4/10 (today 13:05, "ankle sore"); last 4: 2 3 3 4, rising' or None when never rated.

    today: the calendar date now (not the practice day); what: "pain" or "effort";
    skip_note_of: a session id whose note was already shown.
    """
    series = _series(records, what)
    if not series:
        return None
    last, value = series[-1]
    note = "" if last.uid == skip_note_of else _note(last)
    text = f"{value}/10 ({_when(last, today)}{note})"
    recent = [v for _, v in series[-TREND_SESSIONS:]]
    if len(recent) >= 2:
        text += f"; last {len(recent)}: {' '.join(map(str, recent))}, {trend(recent)}"
    return text


def wellbeing_lines(records: Sequence[SessionRecord], today: date, indent: str = "",
                    width: int = 0) -> list[str]:
    """'Pain: …' and 'Effort: …' lines for the ratings recorded (none when there are none),
    and a word of care when pain is high or rising."""
    lines = []
    pain = _series(records, "pain")
    noted = pain[-1][0].uid if pain else ""  # the note is said once, with the pain
    for what, label in (("pain", "Pain"), ("effort", "Effort")):
        line = rating_line(records, what, today, noted if what == "effort" else "")
        if line is not None:
            head = f"{label}:" if not width else label.lower()
            lines.append(f"{indent}{head:<{width}}{' ' if not width else ''}{line}")
    pains = [v for _, v in _series(records, "pain")][-TREND_SESSIONS:]
    if pains and (pains[-1] >= HIGH_PAIN or (len(pains) >= 2 and trend(pains) == "rising")):
        lines.append(f"{indent}Pain is {'high' if pains[-1] >= HIGH_PAIN else 'rising'}: go "
                     "gently; at severe or worsening pain, stop and ask your therapist.")
    return lines
