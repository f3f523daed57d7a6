"""One's own account: replacing one's password (issue 14 §2.1, R-ROLE-4).

A user the LA team gave access to, or whose password it reset, signs in with a one-time password; until they
replace it with their own, the directory does no other work for that session (``Directory._session_of`` refuses
``account.password_change_required``). Any signed-in user may change their password the same way.

- The current password is checked (Argon2id, ``app.passwords``); a wrong one counts as a failed sign-in, and
  enough of them lock the account and end its sessions, as at sign-in (R-ROLE-4).
- The new one is at least ``MIN_CHARS`` characters, not the current one, and does not contain the username.
- Neither is ever stored in clear, logged or audited; only the new hash is kept. Audited as ``password_changed``.
"""
from __future__ import annotations

from ...model import Viewer
from ...passwords import hash_password, verify_password
from ...refusals import AccessRefused
from . import types as t
from .alerts import raise_alert

MIN_CHARS = 12
MAX_CHARS = 1024


def password_problem(new: str, current: str, username: str) -> str | None:
    """The refusal code for a new password that will not do, or None."""
    if len(new) < MIN_CHARS:
        return "password.too_short"
    if new == current:
        return "password.same_as_current"
    if username and username.casefold() in new.casefold():
        return "password.contains_username"
    return None


def change_password(d, viewer: Viewer, req: t.PasswordChange) -> None:
    """The signed-in user's new password, after the current one (R-ROLE-4); the session may then do its work."""
    state = d._session_of(viewer, password_change=True)
    username = viewer.user.username
    current, new = req.current, req.new
    if not isinstance(current, str) or not isinstance(new, str) or len(current) > MAX_CHARS or len(new) > MAX_CHARS:
        raise AccessRefused("password.too_long" if isinstance(new, str) else "input.required", "new",
                            limit=MAX_CHARS)
    row = d.store.accounts.password_of(username)
    if row is None or not verify_password(row[0], current):
        locked = d._count_failure(username)  # as a wrong password at sign-in (R-ROLE-4)
        if locked:  # ... and a lock-out ends the account's sessions at once, as there
            d.audit.record(username, "account_locked_out", las=(row[1],) if row else (),
                           detail={"after": d.limits.failed_signins_before_lock,
                                   "sessions_ended": d.end_sessions(username)})
            if row:
                raise_alert(d, t.AlertKind.ACCOUNT_LOCKED, username, row[1])
        raise AccessRefused("password.wrong_current", "current")
    problem = password_problem(new, current, username)
    if problem:
        raise AccessRefused(problem, "new", min=MIN_CHARS)
    d.store.accounts.set_password(username, hash_password(new))
    d.store.accounts.clear_failures(username)
    was_one_time = state.must_change_password
    state.must_change_password = False
    d.audit.record(username, "password_changed", viewer=viewer, detail={"one_time": was_one_time},
                   las=(viewer.user.la_code,))
