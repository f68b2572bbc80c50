"""The one place that sets matplotlib up for voice-coach's pictures: real fonts (DejaVu Sans, with
Noto Sans CJK for Chinese where the system has it), no pyplot or global state, and files that are
the same bytes for the same picture (no dates or software names in PNG, SVG or PDF metadata).
matplotlib is imported inside the functions: importing the practice package stays cheap.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

FORMATS = ("png", "svg", "pdf")
# Latin, Greek and Cyrillic from DejaVu (bundled with matplotlib); Chinese from Noto Sans CJK
# (Debian's fonts-noto-cjk); matplotlib falls back glyph by glyph along this list.
FONT_FAMILIES = ["DejaVu Sans", "Noto Sans CJK JP", "Noto Sans CJK SC"]
PNG_DPI = 200
INK, MUTED, GRID = "#24292e", "#586069", "#d0d7de"


class PictureError(ValueError):
    """A picture format voice-coach does not write."""


def _families() -> list[str]:
    from matplotlib import font_manager

    known = {f.name for f in font_manager.fontManager.ttflist}
    return [name for name in FONT_FAMILIES if name in known] or ["DejaVu Sans"]


@contextmanager
def style(text_as_paths: bool = False) -> Iterator[None]:
    """matplotlib settings for one picture. text_as_paths: SVG text drawn as outlines (for an
    SVG embedded in the report, which must look the same wherever it is shown); otherwise SVG
    text stays text (searchable, readable by screen readers)."""
    import matplotlib

    rc = {
        "font.family": _families(), "font.size": 9, "text.color": INK,
        "axes.edgecolor": GRID, "axes.labelcolor": INK, "xtick.color": MUTED,
        "ytick.color": MUTED, "axes.titlesize": 10, "axes.titlelocation": "left",
        "svg.fonttype": "path" if text_as_paths else "none", "svg.hashsalt": "voice-coach",
        "pdf.fonttype": 42, "figure.dpi": 100, "axes.unicode_minus": False,
    }
    with matplotlib.rc_context(rc):
        yield


def figure(width_in: float, height_in: float) -> Any:
    """A new Figure, not registered with pyplot (nothing global, nothing to close)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in))


def save(fig: Any, fmt: str, title: str = "") -> bytes:
    """The figure as PNG, SVG or PDF bytes, cropped to what is drawn (nothing clipped) with a
    small margin; no dates or software names, so the same picture is the same bytes. title:
    the file's own title (what a viewer's window or a screen reader names it)."""
    if fmt not in FORMATS:
        raise PictureError(f"cannot write a picture as {fmt!r}")
    metadata: dict[str, Any] = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None},
    }[fmt]
    if title:
        metadata["Title"] = title
    out = io.BytesIO()
    fig.savefig(out, format=fmt, dpi=PNG_DPI, bbox_inches="tight", pad_inches=0.12,
                facecolor="white", metadata=metadata)
    return out.getvalue()
