"""What the engine's parts share: its limits on input, the answer to a sign-in, a session as the engine holds it."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from ...dates import anniversary
from ...model import User
from ...passwords import hash_password
from ..store.sessions import Held, Sessions

CHECK_VALID_YEARS = 3
CHALLENGE_TTL_S = 60
MAX_USERNAME_CHARS = 64
MAX_PASSWORD_CHARS = 1024
MAX_COLLEAGUE_CHARS = 100
TOKEN_REFUSALS = frozenset({"wrong_pin", "pin_locked", "pin_length", "removed", "not_enrolled", "wrong_token",
                            "failed"})

SELF_CHECK = "directory (audit self-check)"  # who raises the alert when the log fails the engine's own check

# One answer for any wrong factor (R-ROLE-4): nothing tells which of username,
# password or token was wrong, so a password cannot be confirmed without the token.
WRONG_FACTOR = "sign_in.wrong_factor"


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked against when a username is unknown, so both cases take as long."""
    return hash_password("not a real password")


def check_expiry(checked: date) -> date:
    return anniversary(checked, CHECK_VALID_YEARS)


@dataclass(frozen=True)
class SignedIn:
    user: User
    serial: str
    wrap_public_der: bytes  # to wrap the user's local cache key to their token
    session: str = ""  # the session id a Viewer carries on every request
    audit_seq: int = 0  # the audit entry of this sign-in: the client checks it is still there later (R-AUDIT-2)
    password_change_required: bool = False  # la-admin: a one-time password, to be replaced before any work
    # the directory's own limits on this session, where it has them (the HTTPS service): it ends after this
    # many seconds unused, and this many after sign-in; None: no such limit (issue 15 2.5)
    session_idle_s: float | None = None
    session_max_s: float | None = None


class _Granted:
    """The children a session was given in results (R-SEARCH-2/3), as the sessions store keeps them."""

    def __init__(self, sessions: Sessions, session: str) -> None:
        self._sessions = sessions
        self._session = session

    def __contains__(self, child_id: object) -> bool:
        return isinstance(child_id, int) and self._sessions.granted(self._session, child_id)

    def add(self, child_id: int) -> None:
        self._sessions.grant(self._session, (child_id,))

    def update(self, child_ids: Iterable[int]) -> None:
        self._sessions.grant(self._session, list(child_ids))


class _Session:
    """A live session as policy code sees it (``store.sessions.held``); its grants and its one-time password
    are read and written through the sessions store, so any node sees them."""

    def __init__(self, sessions: Sessions, session: str, held: Held) -> None:
        self._sessions = sessions
        self._session = session
        self.username = held.username
        self.user = held.user  # as signed in: a request naming another role or LA is refused
        self.locked = held.locked
        self._must_change_password = held.must_change_password  # la-admin: a one-time password (R-ROLE-4)
        self.granted = _Granted(sessions, session)  # children this session was given in results

    @property
    def must_change_password(self) -> bool:
        return self._must_change_password

    @must_change_password.setter
    def must_change_password(self, value: bool) -> None:
        if value:
            raise ValueError("a session is given a one-time password only at sign-in")
        self._sessions.password_changed(self._session)
        self._must_change_password = False


def _plain_text(value, limit: int) -> str | None:
    """The text if it is a string within ``limit`` that can be stored, else None."""
    if not isinstance(value, str) or len(value) > limit:
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value
