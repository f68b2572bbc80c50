"""Cue text as the C engines may be given it. Pure: a string in, a string out; it never
rewrites what is said (markup is read aloud, not interpreted).
"""

from __future__ import annotations


def speakable(text: str) -> str:
    """`text` safe to hand to a C engine: NUL and other control characters become spaces and
    unencodable code points (lone surrogates) become '?'. Markup is left alone: it is read aloud."""
    cleaned = "".join(" " if (ord(c) < 32 or 0x7F <= ord(c) < 0xA0) else c for c in text)
    return cleaned.encode("utf-8", "replace").decode("utf-8")
