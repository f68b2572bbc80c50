"""The ASGI middleware in front of the application that refuses what no page or podcast app of
ours sends: a Host the server did not announce (DNS rebinding: 421), too many headers (431), a
body over the bound (413, refused from Content-Length before reading, or as it grows), JSON
nested too deep (400), and an unsafe request from a foreign Origin (403).

It changes nothing it lets through, except that it hands the app the whole (bounded) body and
the origins it allows (scope["allowed_origins"], for /api/done's own check).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from .limits import MAX_BODY_BYTES, MAX_HEADERS, MAX_JSON_DEPTH
from .network import lan_addresses

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


class HostNames:
    """The names `serve` answers to: the loopback names, the address it listens on, and (when
    it listens on every address) this computer's LAN addresses, looked up again when a request
    names an address that is not known yet (the Wi-Fi gave a new one)."""

    def __init__(self, names: Iterable[str], *, all_addresses: bool = False) -> None:
        self.names = {n.lower() for n in names} | set(LOOPBACK_NAMES)
        self.all_addresses = all_addresses

    @classmethod
    def for_address(cls, host: str, extra: Iterable[str] = ()) -> HostNames:
        """The names for a server bound to `host` ("0.0.0.0"/"::" for every address), and any
        `extra` names it announces."""
        everywhere = host in ("0.0.0.0", "::", "")
        names = [*extra] if everywhere else [host, *extra]
        if everywhere:
            names += lan_addresses()
        return cls(names, all_addresses=everywhere)

    def allows(self, name: str) -> bool:
        name = name.lower()
        if name in self.names:
            return True
        if self.all_addresses and _is_ip(name):
            self.names |= set(lan_addresses())
            return name in self.names
        return False


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def split_host(value: str, default_port: int) -> tuple[str, int] | None:
    """("name", port) from a Host header value ("[::1]:8765", "localhost"); None if malformed."""
    value = value.strip()
    if value.startswith("["):
        name, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None
        port_text = rest[1:] if rest else ""
    else:
        name, _, port_text = value.partition(":")
    if not name:
        return None
    if not port_text:
        return name, default_port
    if not port_text.isdigit() or len(port_text) > 5:
        return None
    return name, int(port_text)


def json_depth(data: bytes) -> int:
    """How deeply arrays and objects nest in JSON text (strings skipped), without parsing it:
    a recursive parser must never see a body nested deeper than MAX_JSON_DEPTH."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub(b'""', data)):
        if match.group() in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class AnnouncedHosts:
    """The outermost ASGI layer server.run() puts around the app: it tells RequestGuard which
    host names the server announced (scope["served_hosts"])."""

    def __init__(self, app, hosts: HostNames) -> None:
        self.app, self.hosts = app, hosts

    async def __call__(self, scope, receive, send) -> None:
        await self.app({**scope, "served_hosts": self.hosts}, receive, send)


class RequestGuard:
    """ASGI middleware: see the module's docstring. Without AnnouncedHosts around it (the
    in-process tests' "testserver") every Host is let through; every other bound holds."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hosts: HostNames | None = scope.get("served_hosts")
        headers = scope.get("headers") or []
        if len(headers) > MAX_HEADERS:
            await _refuse(send, 431, f"more than {MAX_HEADERS} header lines")
            return
        fields = {name.lower(): value for name, value in headers}
        scheme = scope.get("scheme", "http")
        port = (scope.get("server") or ("", 443 if scheme == "https" else 80))[1]
        host = split_host(fields.get(b"host", b"").decode("latin-1"),
                          443 if scheme == "https" else 80)
        if hosts is not None and (host is None or host[1] != port
                                       or not hosts.allows(host[0])):
            await _refuse(send, 421, "this server does not answer to that host name")
            return
        origins = _origins(scheme, port, hosts, host)
        origin = fields.get(b"origin")
        if scope["method"] not in SAFE_METHODS and origin is not None \
                and origin.decode("latin-1") not in origins:
            await _refuse(send, 403, "not from this page")
            return
        body = await _bounded_body(fields, receive, send)
        if body is None:
            return
        kind = fields.get(b"content-type", b"").split(b";")[0].strip().lower()
        if kind.endswith(b"json") and json_depth(body) > MAX_JSON_DEPTH:
            await _refuse(send, 400, f"JSON nested deeper than {MAX_JSON_DEPTH}")
            return
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app({**scope, "allowed_origins": origins}, replay, send)


def _origins(scheme: str, port: int, hosts: HostNames | None,
             host: tuple[str, int] | None) -> frozenset[str]:
    """The Origin values of pages this server itself served."""
    names = set(hosts.names) if hosts is not None else ({host[0]} if host else set())
    default = 443 if scheme == "https" else 80
    out = set()
    for name in names:
        shown = f"[{name}]" if ":" in name else name
        out.add(f"{scheme}://{shown}" if port == default else f"{scheme}://{shown}:{port}")
    return frozenset(out)


async def _bounded_body(fields: dict[bytes, bytes], receive, send) -> bytes | None:
    """The request body, read as it comes and refused (413, None) once it passes the bound;
    a Content-Length over the bound is refused before anything is read."""
    declared = fields.get(b"content-length", b"").strip()
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        await _refuse(send, 413, f"request bodies are limited to {MAX_BODY_BYTES} bytes")
        return None
    parts, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            await _refuse(send, 413, f"request bodies are limited to {MAX_BODY_BYTES} bytes")
            return None
        parts.append(chunk)
        if not message.get("more_body", False):
            return b"".join(parts)


async def _refuse(send, status: int, message: str) -> None:
    body = (message + "\n").encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
