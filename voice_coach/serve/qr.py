"""The address as a QR code a phone's camera reads off the terminal, whatever its colours: every
module is drawn with an explicit colour (black on white, as printed codes are), with the quiet
zone of four light modules around it that readers need, two rows of modules per text line.

Pure: text in, text out (segno makes the matrix).
"""

from __future__ import annotations

QUIET_ZONE_MODULES = 4  # ISO/IEC 18004's quiet zone for QR codes
UPPER_HALF = "\u2580"
# SGR colours: foreground for the upper module, background for the lower one.
DARK_FG, LIGHT_FG = "30", "97"
DARK_BG, LIGHT_BG = "40", "107"
RESET = "\x1b[0m"


def qr_matrix(text: str) -> list[list[bool]]:
    """The code's modules (True: dark), quiet zone included."""
    import segno

    code = segno.make(text, error="m", boost_error=False)
    return [[bool(m) for m in row]
            for row in code.matrix_iter(scale=1, border=QUIET_ZONE_MODULES)]


def terminal_qr(text: str) -> str:
    """The QR code of `text` as lines of half blocks with explicit colours, ending in a reset
    on every line (so nothing leaks into what the terminal prints next)."""
    rows = qr_matrix(text)
    if len(rows) % 2:
        rows.append([False] * len(rows[0]))
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2]):
        cells, last = [], ""
        for upper, lower in zip(top, bottom):
            style = f"\x1b[{DARK_FG if upper else LIGHT_FG};{DARK_BG if lower else LIGHT_BG}m"
            cells.append((style if style != last else "") + UPPER_HALF)
            last = style
        lines.append("".join(cells) + RESET)
    return "\n".join(lines) + "\n"
