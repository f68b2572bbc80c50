"""Which of this computer's addresses a phone on the same Wi-Fi reaches: the one on the interface
of the default route first (where the home router is), then the others, bridges and tunnels
(Docker, VPNs) last. Reads /proc/net/route and the interfaces; sends nothing anywhere.

The choice itself (order_addresses) is pure, so it is tested with made-up interface lists.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROUTE_FILE = Path("/proc/net/route")
# Interfaces a phone on the Wi-Fi does not reach: container bridges, virtual machines, VPNs.
VIRTUAL = re.compile(r"^(docker|br-|veth|virbr|vboxnet|vmnet|lxc|lxd|cni|flannel|podman|tun|"
                     r"tap|wg|ppp|zt|tailscale|utun|ham)")


def default_route_interface(route_table: str) -> str | None:
    """The interface of the default route with the lowest metric in /proc/net/route's text."""
    best: tuple[int, str] | None = None
    for line in route_table.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 8 or fields[1] != "00000000" or fields[7] != "00000000":
            continue
        with contextlib.suppress(ValueError):
            flags, metric = int(fields[3], 16), int(fields[6])
            if flags & 0x1 and (best is None or metric < best[0]):  # RTF_UP
                best = (metric, fields[0])
    return best[1] if best else None


def order_addresses(interfaces: Iterable[tuple[str, str]], default_interface: str | None
                    ) -> list[str]:
    """The IPv4 addresses a phone could use, best first: the default route's interface, then
    other private addresses on real interfaces, then public ones, then bridges and tunnels.
    interfaces: (name, address) pairs. Loopback, link-local and unspecified ones are left out."""
    ranked: dict[str, tuple[int, int]] = {}
    for position, (name, address) in enumerate(interfaces):
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            continue
        if ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.version != 4:
            continue
        if name == default_interface and default_interface is not None:
            rank = 0
        elif VIRTUAL.match(name):
            rank = 3
        else:
            rank = 1 if ip.is_private else 2
        if address not in ranked or ranked[address] > (rank, position):
            ranked[address] = (rank, position)
    return sorted(ranked, key=ranked.__getitem__)


def lan_addresses() -> list[str]:
    """This computer's addresses for phones, best first (see order_addresses)."""
    try:
        table = ROUTE_FILE.read_text(encoding="ascii", errors="replace")
    except OSError:
        table = ""
    pairs = interface_addresses() or [("", a) for a in _hostname_addresses()]
    return order_addresses(pairs, default_route_interface(table))


def interface_addresses() -> list[tuple[str, str]]:
    """(interface name, IPv4 address) of every interface that has one (Linux; else none)."""
    if not sys.platform.startswith("linux"):
        return []
    import fcntl
    import struct

    out = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            with contextlib.suppress(OSError):
                request = struct.pack("256s", name.encode()[:15])
                reply = fcntl.ioctl(probe.fileno(), 0x8915, request)  # SIOCGIFADDR
                out.append((name, socket.inet_ntoa(reply[20:24])))
    return out


def _hostname_addresses() -> Sequence[str]:
    with contextlib.suppress(OSError):
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
        return [str(info[4][0]) for info in infos]
    return []
