"""Sessions on the phone without cables: a library of rendered sessions, a private podcast feed,
a phone page and the HTTP server that offers them on the home network (`voice-coach serve`).

Nothing here prints or exits: the CLI (cli/serve.py) reports. The web packages (Starlette,
uvicorn, feedgen, segno) are imported only by the modules that serve, never on import.
"""

from __future__ import annotations

SERVE_PACKAGES = ("starlette", "uvicorn", "feedgen", "segno")


def missing_packages() -> list[str]:
    """The packages of the `serve` extra that are not installed (empty when all are)."""
    from importlib.util import find_spec

    return [name for name in SERVE_PACKAGES if find_spec(name) is None]
