"""Administration: lock-outs lifted, limits changed, the switch-off time, the daily retention sweep
(R-RET-1..3, R-CLOSE-1).

Functions of the engine's ``Directory``, bound to it by name in ``app.directory.engine``; each takes
the directory as ``self``."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from ...limits import Limits
from ...model import Viewer
from ...refusals import (
    AccessRefused,
)
from .common import (
    MAX_USERNAME_CHARS,
    _plain_text,
)

if TYPE_CHECKING:
    from . import Directory


def admin_unlock(self: Directory, username: str, by: str) -> bool:
    """The directory's administrator lifts a lock-out (the LA team's screen is later work)."""
    done = self.store.accounts.clear_failures(username)
    self.audit.record(by, "account_unlocked", detail={"user": username}, las=self._la_of_user(username))
    return bool(done)


def set_limit(self: Directory, name: str, value: int, by: str) -> None:
    """Change one of the directory's limits (R-SEARCH-6, R-ROLE-4); audited."""
    if name not in Limits.names() or not 0 < value < 10**9:
        raise ValueError(f"unknown limit or bad value; limits are {', '.join(Limits.names())}")
    self.store.settings.set_limit(name, value)
    self.limits = Limits.from_directory(self.store.settings)
    self.audit.record(by, "limit_changed", detail={"limit": name, "value": value})


def unlock_account(self: Directory, viewer: Viewer, username: str) -> None:
    """The LA team lifts a sign-in lock-out for one of its own LA's users (R-ROLE-3, R-ROLE-4)."""
    reason = self.la_team_request(viewer, "account_unlock", "access.unlock_not_allowed")
    target = self.user(username) if _plain_text(username, MAX_USERNAME_CHARS) else None
    if target is None or target.la_code != viewer.user.la_code:
        self.audit_refusal(viewer, reason, "account_unlock", "not this LA team's user")
        raise AccessRefused("access.unlock_not_allowed")
    self.store.accounts.clear_failures(target.username)
    self.audit.record(viewer.user.username, "account_unlocked", viewer=viewer,
                 detail={"user": target.username}, las=(target.la_code,))


def set_switch_off(self: Directory, when: float | None, by: str) -> None:
    """Set (or clear, with None) the directory's switch-off time (admin command); audited."""
    self.store.settings.set_closes_at(
        None if when is None else datetime.fromtimestamp(when, UTC).isoformat(timespec="seconds"))
    self.closes_at = when
    self.audit.record(by, "switch_off_set", detail={"closes_at": when and datetime.fromtimestamp(
        when, UTC).isoformat(timespec="seconds")})


def apply_retention(self: Directory, today: date | None = None) -> dict:
    """Archive the records whose date has come, destroy those six years in the archive, archive ended
    involvements' contact details; one transaction, audited with counts. Returns the counts."""
    from ..work import retention
    today = today or self.clock()
    self.store.retention.ensure_indexes()
    with self.store.write(on_rollback=self.audit.forget_uncommitted):
        counts = retention.sweep(self, today)
    self._retention_day = today
    return counts


def retention_if_due(self: Directory) -> None:
    """The sweep, if none has run today (in this process or, per the directory's meta, any other)."""
    today = self.clock()
    if getattr(self, "_retention_day", None) == today:
        return
    last = self.store.retention.last_sweep()
    if last is not None and last >= today:
        self._retention_day = today
        return
    self.apply_retention(today)
