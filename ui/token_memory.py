"""Which token each user last signed in with on this workstation (Qt-free).

A small JSON map username → token serial in the config folder, so the sign-in
window can pre-select the right token when the label does not name the user
(a real smartcard). It holds no secret: a serial is printed on the card. The
file is 0600 in a 0700 folder, written whole and replaced atomically, and
bounded to the most recent users.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from app.private_files import write_private

log = logging.getLogger(__name__)
FILE_NAME = "tokens-last-used.json"
MAX_USERS = 200
_MAX_TEXT = 128


def _key(username: str) -> str:
    return username.strip().casefold()


class TokenMemory:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE_NAME

    def _read(self) -> dict[str, str]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("token memory %s unreadable (%s); starting afresh", self.path, exc)
            return {}
        if not isinstance(raw, dict):
            return {}
        return {k: v for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}

    def serial_for(self, username: str) -> str | None:
        return self._read().get(_key(username)) if username.strip() else None

    def remember(self, username: str, serial: str) -> None:
        """After a successful sign-in. Never raises: a full disk only costs the pre-selection."""
        key = _key(username)
        if not key or len(key) > _MAX_TEXT or len(serial) > _MAX_TEXT:
            return
        known = self._read()
        known.pop(key, None)
        known[key] = serial  # most recent last
        known = dict(list(known.items())[-MAX_USERS:])
        try:
            write_private(self.path, json.dumps(known), own_folder=True)
        except OSError as exc:
            log.warning("could not remember the token used (%s)", exc)
