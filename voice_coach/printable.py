"""Making untrusted text safe to print on a terminal or write into a log line: every control
character (C0, DEL, C1, and so ESC, CSI 0x9B and OSC 0x9D) becomes a visible escape such as
`\\x1b`, so no stored or imported text can move the cursor, retitle the window or clear the
screen. Pure: it neither prints nor looks at the terminal.
"""

from __future__ import annotations

import re

# C0 controls, DEL and the C1 range; newline and tab are kept only where they are layout.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROLS_BUT_LAYOUT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Characters that reorder or hide what follows (bidi overrides, "Trojan Source"), and the
# line/paragraph separators some terminals honour.
_INVISIBLE = re.compile(r"[\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str, *, layout: bool = True) -> str:
    """`text` with control characters replaced by visible escapes (ESC -> `\\x1b`).

    layout: keep newlines and tabs (True, for multi-line text such as notes); False escapes
    them too, for one-line fields such as a name, a title or a log line's parts."""
    pattern = _CONTROLS_BUT_LAYOUT if layout else _CONTROLS
    return _INVISIBLE.sub(_escape, pattern.sub(_escape, text))


def printable_line(text: str) -> str:
    """One-line text (a title, a value, a log field) with every control escaped."""
    return printable(text, layout=False)
