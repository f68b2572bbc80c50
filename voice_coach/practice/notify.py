"""A reminder as a desktop notification: one freedesktop notification (org.freedesktop.
Notifications on the session D-Bus) with Start, Later and Skip buttons, and the person's answer.

Nothing here plays or records: the caller plays only on "start". D-Bus is spoken with jeepney
(pure Python, no libdbus, no GLib main loop), so the answer is read from the server's
ActionInvoked and NotificationClosed signals with a deadline of our own.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from voice_coach.basics.errors import VoiceCoachError

SERVICE = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
ACTIONS = (("start", "Start"), ("later", "Later"), ("skip", "Skip"))
ANSWERS = ("start", "later", "skip", "dismissed", "timeout")
NO_SERVICE_HINT = ("the reminder was not shown and nothing was played; log in to a desktop "
                   "session (GNOME, KDE, Xfce, or a notification daemon such as dunst or mako), "
                   "or use calendar reminders: voice-coach schedule ROUTINE --at 09:00 -o "
                   "reminders.ics")


class NoNotifications(VoiceCoachError):
    """No notification service can show the reminder (no session bus, nobody on it, or one
    that shows no buttons)."""

    exit_code = 1


def session_bus_address(env: dict[str, str] | None = None) -> str:
    """$DBUS_SESSION_BUS_ADDRESS, else the user bus systemd puts in $XDG_RUNTIME_DIR/bus."""
    env = dict(os.environ) if env is None else env
    address = env.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if address:
        return address
    runtime = env.get("XDG_RUNTIME_DIR", "")
    if runtime and Path(runtime, "bus").exists():
        return f"unix:path={Path(runtime, 'bus')}"
    raise NoNotifications("there is no desktop session bus here (DBUS_SESSION_BUS_ADDRESS is "
                          "not set), so no notification can be shown", NO_SERVICE_HINT)


def ask(summary: str, body: str, wait_s: float, *, address: str | None = None,
        on_shown: Callable[[int], None] | None = None) -> str:
    """Shows the notification and waits for the answer, at most wait_s seconds.

    Returns "start", "later" or "skip" (a button), "dismissed" (closed without one) or
    "timeout" (no answer in time: the notification is taken down). Raises NoNotifications when
    no notification service answers on the bus, or when it cannot show buttons.
    """
    from jeepney import DBusAddress, MatchRule, MessageType, message_bus, new_method_call
    from jeepney.io.blocking import Proxy, open_dbus_connection
    from jeepney.wrappers import DBusErrorResponse

    bus_address = address or session_bus_address()
    try:
        conn = open_dbus_connection(bus_address)
    except (OSError, ValueError, KeyError) as exc:
        raise NoNotifications(f"cannot reach the desktop session bus ({bus_address}): {exc}",
                              NO_SERVICE_HINT) from None
    notifications = DBusAddress(OBJECT_PATH, bus_name=SERVICE, interface=SERVICE)
    with conn:
        try:
            bus = Proxy(message_bus, conn, timeout=10)
            owned = bus.NameHasOwner(SERVICE)[0]
            if not owned and SERVICE not in bus.ListActivatableNames()[0]:
                raise NoNotifications("no desktop notification service is running (nobody "
                                      f"owns {SERVICE} on the session bus)", NO_SERVICE_HINT)
            caps = _call(conn, new_method_call(notifications, "GetCapabilities"))[0]
            if "actions" not in caps:
                raise NoNotifications("the desktop's notification service shows no buttons "
                                      "(it lacks the 'actions' capability), so Start, Later "
                                      "and Skip cannot be offered", NO_SERVICE_HINT)
            rule = MatchRule(type=MessageType.signal, interface=SERVICE, path=OBJECT_PATH)
            bus.AddMatch(rule)
            with conn.filter(rule, bufsize=64) as signals:
                flat = [part for action in ACTIONS for part in action]
                hints = {"urgency": ("y", 1), "resident": ("b", True)}  # stays after a click
                notify = new_method_call(notifications, "Notify", "susssasa{sv}i",
                                         ("voice-coach", 0, "", summary, body, flat, hints, 0))
                shown_id = _call(conn, notify)[0]
                if on_shown is not None:
                    on_shown(shown_id)
                try:
                    return _answer(conn, signals, shown_id, notifications, wait_s)
                except BaseException:  # stopped (SIGTERM, Ctrl-C): no orphan on the screen
                    _close(conn, notifications, shown_id)
                    raise
        except DBusErrorResponse as exc:
            raise NoNotifications(f"the desktop's notification service refused the reminder: "
                                  f"{exc.name}: {' '.join(map(str, exc.data))}",
                                  NO_SERVICE_HINT) from None
        except (OSError, TimeoutError) as exc:
            raise NoNotifications(f"the desktop's notification service did not answer: {exc}",
                                  NO_SERVICE_HINT) from None


def _call(conn, message) -> tuple:
    from jeepney.wrappers import unwrap_msg

    return unwrap_msg(conn.send_and_get_reply(message, timeout=10))


def _close(conn, notifications, shown_id: int) -> None:
    from jeepney import new_method_call

    try:
        _call(conn, new_method_call(notifications, "CloseNotification", "u", (shown_id,)))
    except Exception:  # noqa: BLE001 - it may be gone already; nothing more to do
        pass


def problem(address: str | None = None) -> str | None:
    """Why no reminder could be shown here now (no session bus, no notification service), or
    None when one could. For a warning when reminders are installed."""
    from jeepney import message_bus
    from jeepney.io.blocking import Proxy, open_dbus_connection

    try:
        bus_address = address or session_bus_address()
        with open_dbus_connection(bus_address) as conn:
            bus = Proxy(message_bus, conn, timeout=5)
            if bus.NameHasOwner(SERVICE)[0] or SERVICE in bus.ListActivatableNames()[0]:
                return None
            return "no desktop notification service is running"
    except NoNotifications as exc:
        return exc.message
    except Exception as exc:  # noqa: BLE001 - any failure to reach the bus is the answer
        return f"the desktop session bus cannot be reached ({exc})"


def _answer(conn, signals, shown_id: int, notifications, wait_s: float) -> str:
    """The first button pressed on our notification, or how it went away."""
    from jeepney import HeaderFields

    deadline = time.monotonic() + max(0.0, wait_s)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            _close(conn, notifications, shown_id)
            return "timeout"
        try:
            message = conn.recv_until_filtered(signals, timeout=left)
        except TimeoutError:
            continue
        member, body = message.header.fields.get(HeaderFields.member), message.body
        if not body or body[0] != shown_id:
            continue  # another program's notification
        if member == "ActionInvoked" and body[1] in dict(ACTIONS):
            return str(body[1])
        if member == "NotificationClosed":
            return "dismissed"
