"""Change the password of the login keyring of the gnome-keyring on this session bus (packaging/with-keyring.sh,
when it moves a keyring an earlier version kept inside the data folder under a fixed password).

Reads the old password, then the new one, one per line on stdin (never arguments: they would show in the
process list). Uses gnome-keyring's own ChangeWithMasterPassword call over a "plain" Secret Service session
on one connection (the session lives only as long as the connection). Exit 0 when changed.
"""
from __future__ import annotations

import sys

from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection

SECRETS = "org.freedesktop.secrets"
LOGIN = "/org/freedesktop/secrets/collection/login"


def change(old: bytes, new: bytes) -> None:
    service = DBusAddress("/org/freedesktop/secrets", bus_name=SECRETS, interface="org.freedesktop.Secret.Service")
    internal = DBusAddress("/org/freedesktop/secrets", bus_name=SECRETS,
                           interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface")
    with open_dbus_connection("SESSION") as conn:
        reply = conn.send_and_get_reply(new_method_call(service, "OpenSession", "sv", ("plain", ("s", ""))),
                                        timeout=5)
        session = reply.body[1]
        call = new_method_call(internal, "ChangeWithMasterPassword", "o(oayays)(oayays)",
                               (LOGIN, (session, b"", old, "text/plain"), (session, b"", new, "text/plain")))
        answer = conn.send_and_get_reply(call, timeout=5)
        if answer.header.message_type.name == "error":
            raise RuntimeError(f"the keyring refused: {answer.body}")


def main() -> int:
    lines = sys.stdin.read().split("\n")
    if len(lines) < 2 or not lines[1]:
        print("keyring_password: give the old and the new password on two lines of stdin", file=sys.stderr)
        return 2
    try:
        change(lines[0].encode(), lines[1].encode())
    except Exception as exc:  # any failure leaves the old keyring where it was (the caller says so)
        print(f"keyring_password: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
