"""The way in for a phone without the long address: a short code (6 characters nobody misreads)
that the page at the server's bare address exchanges for the private token, and a page that
says what to do for any address without the token (never a bare "Not Found").

The code is new each time serve starts; after a few wrong tries it waits a minute before it
takes another, so it cannot be guessed over the network. Knows the token only to redirect.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

# No 0/O/Q, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V: what is left reads and types one way.
ALPHABET = "ACDEFHJKMNPRTWXY3479"
CODE_CHARS = 6
TRIES_BEFORE_PAUSE = 5
PAUSE_S = 60.0


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_CHARS))


def normal(typed: str) -> str:
    """What a person typed, as a code: upper case, spaces and dashes dropped."""
    return "".join(c for c in typed.upper() if c not in " -\t")


@dataclass
class ShortCode:
    """The code shown on the computer and its guard against guessing."""

    code: str = field(default_factory=new_code)
    clock: Callable[[], float] = time.monotonic
    wrong: int = 0
    paused_until: float = 0.0

    def check(self, typed: str) -> str:
        """"ok", "wrong" or "wait" (too many wrong tries just now)."""
        now = self.clock()
        if now < self.paused_until:
            return "wait"
        if secrets.compare_digest(normal(typed).encode(), self.code.encode()):
            self.wrong = 0
            return "ok"
        self.wrong += 1
        if self.wrong >= TRIES_BEFORE_PAUSE:
            self.wrong, self.paused_until = 0, now + PAUSE_S
        return "wrong"

    @property
    def shown(self) -> str:
        """The code as the terminal shows it: two groups of three ("K7F 3MX")."""
        return f"{self.code[:3]} {self.code[3:]}"


# referrer same-origin, not the server's no-referrer: this address holds no token, and under
# no-referrer Chromium sends the code form with "Origin: null", which the request guard refuses.
PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin"><meta name="color-scheme" content="light dark">
<title>voice-coach: enter the code</title>
<style>body{{font:1.1rem/1.5 system-ui,sans-serif;max-width:32rem;margin:1rem auto;padding:0 1rem}}
input{{font:inherit;font-size:1.6rem;letter-spacing:.2em;width:9em;text-transform:uppercase}}
button{{font:inherit;padding:.4em 1em}} .problem{{color:#b00020;font-weight:bold}}</style>
</head><body>
<h1>{title}</h1>
{problem}<p>This page needs the private address that <code>voice-coach serve --lan</code> shows on
the computer. Scan its QR code with the phone's camera, or type the short code it shows:</p>
<form method="post" action="{action}">
<p><label for="code">Code from the computer</label><br>
<input id="code" name="code" autocomplete="off" autocapitalize="characters" spellcheck="false"
 inputmode="text" maxlength="12" required autofocus>
<button type="submit">Open the sessions</button></p>
</form>
<p>No code on the computer? Start <code>voice-coach serve --lan</code> there (it shows the code
and the QR code), and keep the phone on the same Wi-Fi.</p>
</body></html>
"""


def help_page(title: str, problem: str = "", root: str = "") -> bytes:
    note = f'<p class="problem" role="alert">{escape(problem)}</p>\n' if problem else ""
    return PAGE.format(title=escape(title), problem=note,
                       action=escape(f"{root}/pair")).encode("utf-8")


class Pairing:
    """The ASGI app for requests without the token: GET / and any other address show the
    code form (404 for other addresses); POST /pair exchanges a right code for the token."""

    def __init__(self, token: str, code: ShortCode, ca_der: bytes | None = None) -> None:
        self.token, self.code, self.ca_der = token, code, ca_der

    async def __call__(self, scope, receive, send) -> None:
        method, path = scope["method"], scope["path"]
        if path == "/ca.crt" and self.ca_der is not None and method in ("GET", "HEAD"):
            # Not a secret: the phone fetches it before it trusts anything here.
            await _send(send, 200, self.ca_der, [
                (b"content-disposition", b'attachment; filename="voice-coach-ca.crt"')],
                kind=b"application/x-x509-ca-cert", head=method == "HEAD")
            return
        if path == "/pair" and method == "POST":
            typed = await _form_code(receive)
            result = self.code.check(typed)
            if result == "ok":
                await _send(send, 303, b"", [(b"location", f"/{self.token}/".encode())])
                return
            problem = ("That code is not the one on the computer; check it and try again."
                       if result == "wrong" else
                       "Too many wrong codes: wait a minute, then type the code again.")
            await _send(send, 403 if result == "wrong" else 429,
                        help_page("Enter the code", problem), html=True, head=False)
            return
        status = 200 if path in ("/", "/pair") and method in ("GET", "HEAD") else 404
        title = "Enter the code" if status == 200 else "This address is not complete"
        await _send(send, status, help_page(title), html=True, head=method == "HEAD")


async def _form_code(receive, limit_bytes: int = 1024) -> str:
    from urllib.parse import parse_qs

    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > limit_bytes or not message.get("more_body"):
            break
    values = parse_qs(body[:limit_bytes].decode("latin-1"))
    return (values.get("code") or [""])[0][:32]


async def _send(send, status: int, body: bytes, extra: list | None = None, *,
                html: bool = False, head: bool = False, kind: bytes = b"") -> None:
    kind = kind or (b"text/html; charset=utf-8" if html else b"text/plain; charset=utf-8")
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
               (b"cache-control", b"no-store"), *(extra or [])]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})
