"""Running the application under uvicorn: binding the socket first (so a busy port is a clear
error and port 0 can be printed), the addresses a phone can use, and a clean stop.

uvicorn stops on Ctrl-C or SIGTERM, finishes or cuts open responses within a few seconds, then
raises the same signal again, so the CLI exits 130 or 143 as for any other command.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable

from voice_coach.basics.errors import UsageError, VoiceCoachError

DEFAULT_PORT = 8765
LAN_HOST = "0.0.0.0"
GRACEFUL_STOP_S = 3


class ServeError(VoiceCoachError):
    """The server could not start (the port is taken, no permission)."""

    exit_code = 1


def is_loopback(host: str) -> bool:
    """Whether `host` is this computer only (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port (port 0: a free one). Raises ServeError/UsageError."""
    if not 0 <= port <= 65535:
        raise UsageError(f"--port must be from 0 to 65535, got {port}",
                         f"the default is {DEFAULT_PORT}; 0 picks a free port")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(f"--host {host!r} is not an address of this computer ({exc})",
                         "use 127.0.0.1 (this computer only) or --lan (the home network)") \
            from None
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno in (98, 48, 10048):  # EADDRINUSE on Linux, macOS, Windows
            raise ServeError(f"port {port} on {host} is already in use",
                             f"another server runs there; choose another: --port {port + 1}, "
                             "or --port 0 for any free one") from None
        if exc.errno in (13, 10013):
            raise ServeError(f"no permission to listen on port {port}",
                             "ports below 1024 need root; use the default "
                             f"{DEFAULT_PORT}") from None
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         "use 127.0.0.1 (this computer only) or --lan (the home "
                         "network)") from None
    sock.setblocking(False)
    return sock


def url_host(host: str) -> str:
    """`host` as it goes in a URL: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host


def run(app, sock: socket.socket, *, on_started: Callable[[], None] | None = None,
        tls: tuple[str, str] | None = None, host_names: Iterable[str] = ()) -> None:
    """Serves `app` on the bound socket until Ctrl-C or SIGTERM (then re-raised by uvicorn).

    tls: (certificate file, key file) to serve https. It answers only to the host names it
    announces (guard.HostNames: the loopback names, the socket's address, with every address
    bound its LAN addresses, and `host_names`, e.g. a name a certificate carries), and a
    request's head is bounded while it arrives (limits.MAX_HEAD_BYTES)."""
    import uvicorn

    from .guard import AnnouncedHosts, HostNames
    from .limits import uvicorn_http_options

    certfile, keyfile = tls or (None, None)
    hosts = HostNames.for_address(str(sock.getsockname()[0]), extra=host_names)
    config = uvicorn.Config(AnnouncedHosts(app, hosts), log_level="warning", access_log=False,
                            lifespan="off", timeout_graceful_shutdown=GRACEFUL_STOP_S,
                            server_header=False, proxy_headers=False, ssl_certfile=certfile,
                            ssl_keyfile=keyfile, **uvicorn_http_options())
    server = _Server(config, on_started)
    server.run(sockets=[sock])


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        def __init__(self, config, on_started) -> None:
            super().__init__(config)
            self._on_started = on_started

        async def startup(self, sockets=None) -> None:
            await super().startup(sockets)
            if self._on_started is not None and self.started:
                self._on_started()

    return Server


def _Server(config, on_started):  # noqa: N802 - builds the subclass when uvicorn is imported
    return _server_class()(config, on_started)
