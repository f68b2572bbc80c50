"""A stand-in desktop notification server for tests: owns org.freedesktop.Notifications on a
real session bus (dbus-daemon), writes every call it gets to a JSON-lines log, and answers each
notification as told, in order: a button's key (start, later, skip), "dismiss" (closed by the
person without a button) or "none" (left alone).

    python tests/practice/notification_server.py ADDRESS LOG --answers later,start [--no-actions]

It writes {"ready": true} to the log once it owns the name.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from jeepney import (
    DBusAddress,
    HeaderFields,
    MessageType,
    message_bus,
    new_error,
    new_method_return,
    new_signal,
)
from jeepney.io.blocking import Proxy, open_dbus_connection

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


def plain(value: Any) -> Any:
    """A D-Bus value as JSON: variants (signature, value) become their value."""
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        return plain(value[1])
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("address")
    parser.add_argument("log")
    parser.add_argument("--answers", default="")
    parser.add_argument("--no-actions", action="store_true")
    args = parser.parse_args()
    answers = [a for a in args.answers.split(",") if a]
    caps = ["body"] if args.no_actions else ["actions", "body", "persistence"]
    conn = open_dbus_connection(args.address)
    Proxy(message_bus, conn).RequestName(SERVICE, 4)  # 4: do not queue
    emitter = DBusAddress(PATH, interface=SERVICE)
    shown = 0

    def log(entry: dict) -> None:
        with open(args.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry) + "\n")

    log({"ready": True})
    while True:
        msg = conn.receive()
        if msg.header.message_type != MessageType.method_call:
            continue
        member = msg.header.fields.get(HeaderFields.member)
        if member == "GetCapabilities":
            conn.send(new_method_return(msg, "as", (caps,)))
        elif member == "GetServerInformation":
            conn.send(new_method_return(msg, "ssss", ("stand-in", "voice-coach tests", "1",
                                                      "1.2")))
        elif member == "Notify":
            app, replaces, icon, summary, body, actions, hints, timeout = msg.body
            shown += 1
            log({"call": "Notify", "id": shown, "app": app, "summary": summary, "body": body,
                 "actions": list(actions), "hints": plain(hints), "timeout": timeout})
            conn.send(new_method_return(msg, "u", (shown,)))
            answer = answers[shown - 1] if shown <= len(answers) else "none"
            if answer == "dismiss":
                conn.send(new_signal(emitter, "NotificationClosed", "uu", (shown, 2)))
            elif answer != "none":
                log({"click": answer, "id": shown})
                conn.send(new_signal(emitter, "ActionInvoked", "us", (shown, answer)))
                conn.send(new_signal(emitter, "NotificationClosed", "uu", (shown, 2)))
        elif member == "CloseNotification":
            log({"call": "CloseNotification", "id": msg.body[0]})
            conn.send(new_method_return(msg))
            conn.send(new_signal(emitter, "NotificationClosed", "uu", (msg.body[0], 3)))
        else:
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s",
                                (f"no method {member}",)))


if __name__ == "__main__":
    main()
