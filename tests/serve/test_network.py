"""How the phone finds the server: the address on the default route's interface first (made-up
interface lists: Docker, Wi-Fi, a VPN), and the terminal QR code read back by zxing-cpp from a
light and a dark terminal's rendering of the exact text serve prints."""

from __future__ import annotations

import re

import numpy as np
import pytest

from voice_coach.serve.network import default_route_interface, order_addresses
from voice_coach.serve.qr import terminal_qr

ROUTES = """Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
tun0\t0000080A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0
wlan0\t0001A8C0\t00000000\t0001\t0\t0\t600\t00FFFFFF\t0\t0\t0
"""
INTERFACES = [("lo", "127.0.0.1"), ("docker0", "172.17.0.1"), ("tun0", "10.8.0.2"),
              ("wlan0", "192.168.1.20")]


def test_the_default_routes_interface_comes_first() -> None:
    assert default_route_interface(ROUTES) == "wlan0"
    # Text order would give the VPN (10.8.0.2) first; the Wi-Fi carries the default route.
    assert order_addresses(INTERFACES, "wlan0") == ["192.168.1.20", "172.17.0.1", "10.8.0.2"]


def test_without_a_default_route_real_interfaces_come_before_bridges_and_tunnels() -> None:
    assert default_route_interface(ROUTES.split("wlan0\t00000000")[0]) is None
    assert order_addresses(INTERFACES, None)[0] == "192.168.1.20"
    assert order_addresses([("eth0", "203.0.113.5"), ("docker0", "172.17.0.1")], None) == [
        "203.0.113.5", "172.17.0.1"]


def test_the_lowest_metric_default_route_wins() -> None:
    table = ROUTES + "eth0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    assert default_route_interface(table) == "eth0"
    down = ROUTES.replace("wlan0\t00000000\t0101A8C0\t0003", "wlan0\t00000000\t0101A8C0\t0002")
    assert default_route_interface(down) is None


# Two terminal themes: (default foreground, default background, palette for SGR 30/97/40/107).
LIGHT = {"30": (7, 54, 66), "97": (253, 246, 227), "40": (7, 54, 66), "107": (253, 246, 227),
         "fg": (40, 40, 40), "bg": (250, 250, 250)}
DARK = {"30": (0, 0, 0), "97": (255, 255, 255), "40": (0, 0, 0), "107": (255, 255, 255),
        "fg": (220, 220, 220), "bg": (20, 20, 20)}


def draw(text: str, theme: dict, scale: int = 6) -> np.ndarray:
    """What a terminal shows for `text` (half blocks and SGR colours), one cell 1 x 2 modules,
    with a margin of the terminal's own background around it."""
    rows = []
    for line in text.splitlines():
        fg, bg = theme["fg"], theme["bg"]
        pixels_top, pixels_bottom = [], []
        for match in re.finditer(r"\x1b\[([0-9;]*)m|(.)", line):
            if match.group(1) is not None:
                for code in (match.group(1) or "0").split(";"):
                    if code == "0":
                        fg, bg = theme["fg"], theme["bg"]
                    elif code in ("30", "97"):
                        fg = theme[code]
                    elif code in ("40", "107"):
                        bg = theme[code]
                continue
            char = match.group(2)
            top = fg if char in "\u2580\u2588" else bg
            bottom = fg if char in "\u2584\u2588" else bg
            pixels_top.append(top)
            pixels_bottom.append(bottom)
        rows += [pixels_top, pixels_bottom]
    image = np.array(rows, dtype=np.uint8)
    image = np.pad(image, ((8, 8), (8, 8), (0, 0)), constant_values=0)
    image[:8, :], image[-8:, :], image[:, :8], image[:, -8:] = (theme["bg"],) * 4
    return image.repeat(scale, axis=0).repeat(scale, axis=1)


@pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light terminal", "dark terminal"])
def test_the_terminal_qr_code_reads_on_light_and_dark_terminals(theme: dict) -> None:
    import zxingcpp

    url = "http://192.168.1.20:8765/m2Vf0rYH4kq7sXJ8aZbQe1uNw5tLc9Dp/"
    text = terminal_qr(url)
    image = draw(text, theme)
    results = zxingcpp.read_barcodes(image, try_invert=False)
    assert [r.text for r in results] == [url]
    # Dark modules are dark on both (not an inverted code that only some readers accept),
    # and the quiet zone (4 modules, 2 text lines) is drawn light, not left to the terminal.
    lines = text.splitlines()
    assert all("\x1b[97;107m" in line.split("\u2580")[0] for line in lines[:2])
    assert all(line.endswith("\x1b[0m") for line in lines)


def test_the_old_dark_only_rendering_would_be_inverted_on_a_light_terminal() -> None:
    """The bug this replaces: segno's plain blocks show light modules in the terminal's
    foreground, so on a light terminal the code comes out inverted and unreadable as drawn."""
    import io

    import segno
    import zxingcpp

    url = "http://192.168.1.20:8765/x/"
    out = io.StringIO()
    segno.make(url, error="m", boost_error=False).terminal(out=out, compact=True)
    assert zxingcpp.read_barcodes(draw(out.getvalue(), LIGHT), try_invert=False) == []
    assert [r.text for r in zxingcpp.read_barcodes(draw(terminal_qr(url), LIGHT),
                                                    try_invert=False)] == [url]
