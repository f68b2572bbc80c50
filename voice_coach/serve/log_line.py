"""One access-log line per request, in the common log format plus the User-Agent and the time
taken. Nothing a client sends reaches the log as a control byte (C0, DEL, C1 such as 0x9B are
written as \\xNN), and the private token is never written, however the request spelt it
(literally, percent-encoded, even encoded twice).
"""

from __future__ import annotations

import time
import urllib.parse

from voice_coach.basics.errors import escape_controls

TOKEN_MASK = "<token>"
_TARGET_SAFE = "/:?&=;,+!$'()*@~-._<>"
_DECODE_ROUNDS = 4


def masked_target(raw: bytes, token: str | None) -> str:
    """The request target as the log shows it: percent-decoded (until nothing changes, a few
    rounds at most), the token masked, then encoded again so it is one printable word."""
    text = raw.decode("latin-1")
    for _ in range(_DECODE_ROUNDS):
        decoded = urllib.parse.unquote(text, encoding="latin-1")
        if decoded == text:
            break
        text = decoded
    if token:
        text = _mask(text, token)
    return urllib.parse.quote(text, safe=_TARGET_SAFE, encoding="latin-1")


def _mask(text: str, token: str) -> str:
    """Masks the token, in any letter case (a case-folded copy is no less a leak)."""
    lowered, wanted = text.lower(), token.lower()
    out, start = [], 0
    while (found := lowered.find(wanted, start)) >= 0:
        out += [text[start:found], TOKEN_MASK]
        start = found + len(token)
    out.append(text[start:])
    return "".join(out)


def printable_line(text: str) -> str:
    return escape_controls(text, one_line=True)


def log_field(value: bytes, token: str | None) -> str:
    """A header value for the log: control bytes escaped, quotes made plain, the token masked."""
    text = printable_line(value.decode("latin-1")).replace('"', "'")
    return _mask(text, token) if token else text


def access_line(scope, status: int, n_bytes: int, elapsed_s: float,
                token: str | None) -> str:
    """The log line for one answered request (status, body bytes sent, time taken in s)."""
    client = scope.get("client") or ("-", 0)
    target = scope.get("raw_path") or scope["path"].encode("utf-8", "replace")
    if scope.get("query_string"):
        target += b"?" + scope["query_string"]
    headers = dict(scope.get("headers") or [])
    agent = log_field(headers.get(b"user-agent", b"-"), token)
    method = printable_line(str(scope.get("method", "-")))
    version = printable_line(str(scope.get("http_version", "1.1")))
    when = time.strftime("%d/%b/%Y:%H:%M:%S %z")
    return (f'{printable_line(str(client[0]))} - - [{when}] "{method} '
            f'{masked_target(target, token)} HTTP/{version}" {status} {n_bytes} "{agent}" '
            f'{elapsed_s * 1000:.1f}ms')
