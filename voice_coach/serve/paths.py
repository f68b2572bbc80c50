"""Where serve keeps its things: the user's data folder, the default library in it, and the
token that makes every address private on the network. Touches only those files.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from voice_coach.basics.errors import OutputError

ENV_DATA_DIR = "VOICE_COACH_DATA_DIR"
TOKEN_FILE = "serve-token"
TOKEN_BYTES = 24  # 32 URL-safe characters: 192 bits, not guessable over a network


def data_dir() -> Path:
    """$VOICE_COACH_DATA_DIR if set, else the user data folder (~/.local/share/voice-coach)."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("voice-coach"))


def default_library_dir() -> Path:
    """The library's folder when --library is not given: in the data folder."""
    return data_dir() / "library"


def load_token(*, renew: bool = False) -> str:
    """The serve token kept in the data folder (made on first use, replaced with renew=True).

    Kept so that phones' subscriptions survive restarts. Written owner-only, atomically.
    Raises OutputError when the data folder cannot be written.
    """
    path = data_dir() / TOKEN_FILE
    if not renew:
        try:
            token = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            token = ""
        if _valid(token):
            return token
    token = secrets.token_urlsafe(TOKEN_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{TOKEN_FILE}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(token + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write the serve token to {path}: {exc.strerror or exc}",
                          hint=f"make {path.parent} writable, or set {ENV_DATA_DIR}") from None
    return token


def _valid(token: str) -> bool:
    allowed = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    return len(token) >= 32 and set(token) <= allowed
