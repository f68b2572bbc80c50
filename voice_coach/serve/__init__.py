"""Sessions on the phone without cables: a library of rendered sessions, a private podcast feed,
a phone page and the HTTP server that offers them on the home network (`voice-coach serve`).

This package is serve's public facade: the CLI imports the names below from here, never from the
modules; each is imported on first use (PEP 562). Nothing here prints or exits: the CLI
(cli/serve.py) reports. The web packages (Starlette, uvicorn, feedgen, segno) are imported only by
the modules that serve, never on import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from voice_coach.basics.lazy import lazy_getattr

SERVE_PACKAGES = ("starlette", "uvicorn", "feedgen", "segno")


def missing_packages() -> list[str]:
    """The packages of the `serve` extra that are not installed (empty when all are)."""
    from importlib.util import find_spec

    return [name for name in SERVE_PACKAGES if find_spec(name) is None]


# name -> "module" (the same name there) or "module:name"
_EXPORTS = {
    # the library of rendered sessions
    "Library": "voice_coach.serve.library",
    "default_library_dir": "voice_coach.serve.paths",
    "data_dir": "voice_coach.serve.paths",
    "load_token": "voice_coach.serve.paths",
    "add_to_library": "voice_coach.serve.library_edit:add",
    "remove_from_library": "voice_coach.serve.library_edit:remove",
    "statuses": "voice_coach.serve.library_edit",
    "plan_missing": "voice_coach.serve.build",
    "ensure_cover": "voice_coach.serve.build",
    "RenderProgress": "voice_coach.serve.render_queue",
    "start_rendering": "voice_coach.serve.render_queue",
    # the server on the home network
    "create_app": "voice_coach.serve.app",
    "load_state": "voice_coach.serve.app",
    "LAN_HOST": "voice_coach.serve.server",
    "bind": "voice_coach.serve.server",
    "is_loopback": "voice_coach.serve.server",
    "run": "voice_coach.serve.server",
    "url_host": "voice_coach.serve.server",
    "lan_addresses": "voice_coach.serve.network",
    "ensure_tls": "voice_coach.serve.tls",
    "ca_der": "voice_coach.serve.tls",
    "ca_fingerprint": "voice_coach.serve.tls",
    "Pairing": "voice_coach.serve.pairing",
    "ShortCode": "voice_coach.serve.pairing",
    "terminal_qr": "voice_coach.serve.qr",
}

__all__ = [
    "SERVE_PACKAGES", "missing_packages", "add_to_library", "bind", "ca_der", "ca_fingerprint",
    "create_app", "data_dir", "default_library_dir", "ensure_cover", "ensure_tls",
    "is_loopback", "lan_addresses", "LAN_HOST", "Library", "load_state", "load_token",
    "Pairing", "plan_missing", "remove_from_library", "RenderProgress", "run", "ShortCode",
    "start_rendering", "statuses", "terminal_qr", "url_host",
]
__getattr__ = lazy_getattr(__name__, _EXPORTS)

if TYPE_CHECKING:
    from voice_coach.serve.app import create_app, load_state
    from voice_coach.serve.build import ensure_cover, plan_missing
    from voice_coach.serve.library import Library
    from voice_coach.serve.library_edit import add as add_to_library
    from voice_coach.serve.library_edit import remove as remove_from_library
    from voice_coach.serve.library_edit import statuses
    from voice_coach.serve.network import lan_addresses
    from voice_coach.serve.pairing import Pairing, ShortCode
    from voice_coach.serve.paths import data_dir, default_library_dir, load_token
    from voice_coach.serve.qr import terminal_qr
    from voice_coach.serve.render_queue import RenderProgress, start_rendering
    from voice_coach.serve.server import LAN_HOST, bind, is_loopback, run, url_host
    from voice_coach.serve.tls import ca_der, ca_fingerprint, ensure_tls
