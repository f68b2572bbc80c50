"""The library's cover picture for podcast apps: a 1400 x 1400 px PNG (Apple asks for 1400 to
3000 px square), drawn with numpy and written with zlib, the same bytes every time.

Pure: cover_png() returns bytes; writing the file is the caller's.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

SIZE_PX = 1400
TOP_RGB = (18, 88, 104)  # deep teal
BOTTOM_RGB = (16, 32, 58)  # night blue
INK_RGB = (244, 236, 214)  # warm white
ACCENT_RGB = (255, 184, 92)  # amber

# A 5 x 7 pixel font, just the letters the cover spells.
GLYPHS = {
    "V": ["X...X", "X...X", "X...X", "X...X", ".X.X.", ".X.X.", "..X.."],
    "O": [".XXX.", "X...X", "X...X", "X...X", "X...X", "X...X", ".XXX."],
    "I": ["XXXXX", "..X..", "..X..", "..X..", "..X..", "..X..", "XXXXX"],
    "C": [".XXXX", "X....", "X....", "X....", "X....", "X....", ".XXXX"],
    "E": ["XXXXX", "X....", "X....", "XXXX.", "X....", "X....", "XXXXX"],
    "A": [".XXX.", "X...X", "X...X", "XXXXX", "X...X", "X...X", "X...X"],
    "H": ["X...X", "X...X", "X...X", "XXXXX", "X...X", "X...X", "X...X"],
    "-": [".....", ".....", ".....", "XXXXX", ".....", ".....", "....."],
    " ": [".....", ".....", ".....", ".....", ".....", ".....", "....."],
}


def cover_png(size_px: int = SIZE_PX) -> bytes:
    """The cover as PNG bytes: a calm gradient, a speaking dot with its sound waves, a row of
    level bars like a session's cues, and the words VOICE COACH."""
    image = _gradient(size_px)
    y, x = np.mgrid[0:size_px, 0:size_px].astype(np.float32)
    centre_x, centre_y = size_px * 0.34, size_px * 0.32
    distance = np.hypot(x - centre_x, y - centre_y)
    _paint(image, _disc(distance, size_px * 0.075), ACCENT_RGB)
    facing = np.clip((x - centre_x) / np.maximum(distance, 1.0) * 3.0 - 0.8, 0.0, 1.0)
    for i, radius in enumerate((0.14, 0.205, 0.27)):
        ring = _ring(distance, size_px * radius, size_px * 0.026) * facing
        _paint(image, ring * (1.0 - 0.22 * i), INK_RGB)
    _bars(image, x, y, size_px)
    _text(image, "VOICE COACH", size_px)
    return encode_png(image)


def _gradient(size_px: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, size_px, dtype=np.float32)[:, None]
    top, bottom = np.array(TOP_RGB, np.float32), np.array(BOTTOM_RGB, np.float32)
    rows = top + (bottom - top) * t
    return np.repeat(rows[:, None, :], size_px, axis=1).reshape(size_px, size_px, 3)


def _disc(distance: np.ndarray, radius: float) -> np.ndarray:
    return np.clip(radius - distance + 0.5, 0.0, 1.0)


def _ring(distance: np.ndarray, radius: float, width: float) -> np.ndarray:
    return np.clip(width / 2 - np.abs(distance - radius) + 0.5, 0.0, 1.0)


def _bars(image: np.ndarray, x: np.ndarray, y: np.ndarray, size_px: int) -> None:
    """Rounded level bars along the lower third, tall where a cue would speak."""
    heights = (0.30, 0.55, 0.85, 0.45, 1.0, 0.6, 0.35, 0.75, 0.5, 0.25, 0.65, 0.4)
    left, width = size_px * 0.12, size_px * 0.76
    step = width / len(heights)
    base_y, full = size_px * 0.74, size_px * 0.12
    half_w = step * 0.28
    for i, h in enumerate(heights):
        cx = left + step * (i + 0.5)
        top, bottom = base_y - full * h, base_y
        dx = np.abs(x - cx)
        dy = np.maximum(np.maximum(top - y, y - bottom), 0.0)
        # a capsule: distance to the bar's centre line, minus its half width
        d = np.hypot(dx, dy) - half_w
        _paint(image, np.clip(0.5 - d, 0.0, 1.0), ACCENT_RGB if h >= 0.85 else INK_RGB)


def _text(image: np.ndarray, text: str, size_px: int) -> None:
    """`text` in the pixel font, centred, 80% of the width, strokes half a pixel bold."""
    scale = (size_px * 8 // 10) // (6 * len(text) - 1)  # screen pixels per font pixel
    bold = scale // 2
    left = (size_px - scale * (6 * len(text) - 1)) // 2
    top = int(size_px * 0.81)
    for i, char in enumerate(text):
        for row, line in enumerate(GLYPHS[char]):
            for col, bit in enumerate(line):
                if bit == "X":
                    x0, y0 = left + (6 * i + col) * scale, top + row * scale
                    image[y0:y0 + scale, x0:x0 + scale + bold] = INK_RGB


def _paint(image: np.ndarray, alpha: np.ndarray, rgb: tuple[int, int, int]) -> None:
    a = alpha[..., None].astype(np.float32)
    image *= 1.0 - a
    image += a * np.array(rgb, np.float32)


def encode_png(image: np.ndarray) -> bytes:
    """An H x W x 3 array of 0..255 values as an 8-bit RGB PNG (each row "Sub"-filtered)."""
    pixels = np.clip(np.rint(image), 0, 255).astype(np.uint8)
    height, width, _ = pixels.shape
    rows = pixels.reshape(height, width * 3).astype(np.int16)
    filtered = rows.copy()
    filtered[:, 3:] = rows[:, 3:] - rows[:, :-3]
    raw = np.empty((height, width * 3 + 1), np.uint8)
    raw[:, 0] = 1  # filter type Sub
    raw[:, 1:] = (filtered & 0xFF).astype(np.uint8)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw.tobytes(), 9)) + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)
