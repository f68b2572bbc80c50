"""The calendar as a PNG, with no imaging library: the SVG's layout drawn into a numpy array
with a small built-in pixel font, encoded with zlib. Same picture, same bytes.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from .heatmap import CELL, FILLS, GAP, LEFT, TOP, WEEKDAYS, Calendar, symbol

SCALE = 2  # the picture is drawn at twice the SVG's size, for sharp text

# 3×5 glyphs, rows top to bottom; '#' is ink. Upper case only: labels are drawn in capitals.
_FONT = {
    "0": "### #.# #.# #.# ###", "1": ".#. ##. .#. .#. ###", "2": "### ..# ### #.. ###",
    "3": "### ..# ### ..# ###", "4": "#.# #.# ### ..# ..#", "5": "### #.. ### ..# ###",
    "6": "### #.. ### #.# ###", "7": "### ..# .#. .#. .#.", "8": "### #.# ### #.# ###",
    "9": "### #.# ### ..# ###", "+": "... .#. ### .#. ...", "-": "... ... ### ... ...",
    ":": "... .#. ... .#. ...", "(": ".#. #.. #.. #.. .#.", ")": ".#. ..# ..# ..# .#.",
    ",": "... ... ... .#. #..", ".": "... ... ... ... .#.", ";": "... .#. ... .#. #..",
    " ": "... ... ... ... ...", "/": "..# ..# .#. #.. #..", "'": ".#. .#. ... ... ...",
    "A": ".#. #.# ### #.# #.#", "B": "##. #.# ##. #.# ##.", "C": ".## #.. #.. #.. .##",
    "D": "##. #.# #.# #.# ##.", "E": "### #.. ##. #.. ###", "F": "### #.. ##. #.. #..",
    "G": ".## #.. #.# #.# .##", "H": "#.# #.# ### #.# #.#", "I": "### .#. .#. .#. ###",
    "J": "..# ..# ..# #.# .#.", "K": "#.# #.# ##. #.# #.#", "L": "#.. #.. #.. #.. ###",
    "M": "#.# ### ### #.# #.#", "N": "##. #.# #.# #.# #.#", "O": ".#. #.# #.# #.# .#.",
    "P": "##. #.# ##. #.. #..", "Q": ".#. #.# #.# ##. .##", "R": "##. #.# ##. #.# #.#",
    "S": ".## #.. .#. ..# ##.", "T": "### .#. .#. .#. .#.", "U": "#.# #.# #.# #.# ###",
    "V": "#.# #.# #.# #.# .#.", "W": "#.# #.# ### ### #.#", "X": "#.# #.# .#. #.# #.#",
    "Y": "#.# #.# .#. .#. .#.", "Z": "### ..# .#. #.. ###",
}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    value = int(hex_colour.lstrip("#"), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


def _text(img: np.ndarray, x: int, y: int, text: str, colour: str, px: int) -> None:
    """Writes text with its top-left at (x, y); each font pixel is px × px."""
    ink = _rgb(colour)
    for ch in text.upper():
        rows = _FONT.get(ch, _FONT[" "]).split()
        for r, row in enumerate(rows):
            for c, bit in enumerate(row):
                if bit == "#":
                    y0, x0 = y + r * px, x + c * px
                    img[y0:y0 + px, x0:x0 + px] = ink
        x += 4 * px


def _box(img: np.ndarray, x: int, y: int, w: int, h: int, colour: str) -> None:
    img[y:y + h, x:x + w] = _rgb(colour)


def png(cal: Calendar, title: str) -> bytes:
    """The calendar as PNG bytes (RGB, 8 bit)."""
    s = SCALE
    step = (CELL + GAP) * s
    width = (LEFT + cal.weeks * (CELL + GAP) + 16) * s
    legend = f"GOAL MET ({cal.goal} SETS); THE NUMBER IS THE SETS DONE"
    width = max(width, (LEFT + 34 + 5 * (CELL + 4) + 8) * s + len(legend) * 4 * s + 8 * s)
    height = (TOP + 7 * (CELL + GAP) + 56) * s
    img = np.full((height, width, 3), 255, dtype=np.uint8)
    _text(img, LEFT * s, 8 * s, title[:80], "#24292e", s + 1)
    for week, name in cal.month_starts():
        _text(img, LEFT * s + week * step, (TOP - 14) * s, name, "#586069", s)
    for weekday in (0, 2, 4, 6):
        _text(img, 4 * s, TOP * s + weekday * step + 4 * s, WEEKDAYS[weekday], "#586069", s)
    cell = CELL * s
    for week in range(cal.weeks):
        for weekday in range(7):
            day = cal.day(week, weekday)
            if day > cal.today:
                continue
            n, level = cal.sets.get(day, 0), cal.level(day)
            x, y = LEFT * s + week * step, TOP * s + weekday * step
            _box(img, x, y, cell, cell, FILLS[level])
            if n:
                mark = symbol(n)
                ink = "#ffffff" if level >= 3 else "#24292e"
                _text(img, x + (cell - (len(mark) * 4 - 1) * s) // 2, y + (cell - 5 * s) // 2,
                      mark, ink, s)
    y = (TOP + 7 * (CELL + GAP) + 14) * s
    _text(img, LEFT * s, y + 4 * s, "NONE", "#586069", s)
    for level, fill in enumerate(FILLS):
        _box(img, (LEFT + 34 + level * (CELL + 4)) * s, y, cell, cell, fill)
    _text(img, (LEFT + 34 + 5 * (CELL + 4) + 2) * s, y + 4 * s, legend, "#586069", s)
    return encode_png(img)


def encode_png(img: np.ndarray) -> bytes:
    """RGB uint8 array (height, width, 3) → PNG bytes."""
    height, width, _ = img.shape
    raw = b"".join(b"\x00" + img[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
