"""What every request is checked for before its work (R-SEARCH-1, R-ROLE-2/3/4, R-CLOSE-1): a live session of
this user, an account that may be used, a reason, a registered colleague; the limits on searches and children
opened (R-SEARCH-6); and how a refusal is audited (R-AUDIT-1).

Functions of the engine's ``Directory``, bound to it by name in ``app.directory.engine``; each takes
the directory as ``self``."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from ...model import AccessReason, Colleague, Reason, Role, Viewer
from ...refusals import (
    AccessRefused,
    RateLimited,
    SwitchedOff,
)
from .common import (
    MAX_COLLEAGUE_CHARS,
    MAX_USERNAME_CHARS,
    _plain_text,
    _Session,
)

if TYPE_CHECKING:
    from . import Directory


def _session_of(self: Directory, viewer: Viewer, closure: bool = False, password_change: bool = False) -> _Session:
    self._refuse_if_log_broken()
    if self.switched_off() and not (closure and viewer.role is Role.LA_MANAGEMENT):
        raise SwitchedOff("service.closed")  # R-CLOSE-1: the LA team keeps its closure tasks
    held = self.store.sessions.held(viewer.session) if isinstance(viewer.session, str) else None
    if held is None or held.username != viewer.user.username or (
            held.user is not None and held.user != viewer.user):
        raise AccessRefused("access.session_ended")
    if held.locked:
        raise AccessRefused("access.session_locked")
    if held.must_change_password and not password_change:  # la-admin: the one-time password first
        raise AccessRefused("account.password_change_required")
    return _Session(self.store.sessions, viewer.session, held)


def check_request(self: Directory, viewer: Viewer, reason: Reason, action: str, closure: bool = False) -> _Session:
    if not self.store.in_write:  # R-RET-1..3 (retention): once a day, between requests
        self.retention_if_due()
    try:
        state = self.check_session(viewer, closure)
        if not isinstance(reason, Reason) or _plain_text(reason.detail, 1000) is None:
            raise AccessRefused("access.reason_required", "reason")
        if not reason.code.fits(viewer.role):
            raise AccessRefused("access.reason_not_for_role", "reason", reason=reason.code.value)
        problem = reason.problem()
        if problem:  # R-SEARCH-1
            raise AccessRefused(problem, "reason")
    except AccessRefused as exc:
        self.audit_refusal(viewer, reason, action, exc.code)
        exc.audited = True
        raise
    return state


def check_session(self: Directory, viewer: Viewer, closure: bool = False) -> _Session:
    """The checks every request needs whatever it asks, refusing (not auditing) what fails: a live session
    of this user as signed in, an account that may be used, and for a mediating user a registered
    colleague (R-ROLE-2, R-ROLE-4). A repeated change is checked with these (``work.replays``).
    ``closure``: one of the closure tasks, which the LA team keeps after the switch-off (R-CLOSE-1)."""
    state = self._session_of(viewer, closure)
    problem = self.account_problem(viewer.user)
    if problem:
        raise AccessRefused(problem[1], **problem[2])
    if viewer.role.acts_for_colleague:  # R-ROLE-2
        # -- mediated colleagues (issue 8, LA management): chosen from the LA's register by username;
        # the audit records the register's name and organisation (app.audit), never the client's words.
        c = viewer.on_behalf_of
        if c is None:
            raise AccessRefused("access.colleague_required", "colleague")
        if not all(_plain_text(v, MAX_COLLEAGUE_CHARS) is not None for v in (c.name, c.organisation)):
            raise AccessRefused("access.colleague_too_long", "colleague", limit=MAX_COLLEAGUE_CHARS)
        chosen = c.username.strip().lower() if isinstance(c.username, str) else ""
        registered = chosen and len(chosen) <= MAX_USERNAME_CHARS and self.store.register.colleague_registered(
            chosen, viewer.user.la_code)
        if not registered:
            raise AccessRefused("access.colleague_not_registered", "colleague")
        # -- end mediated colleagues
    elif viewer.on_behalf_of is not None:
        raise AccessRefused("access.colleague_not_allowed", "colleague")
    return state


def audit_refusal(self: Directory, viewer: Viewer, reason, action: str, why: str, **extra) -> None:
    text = reason.text() if isinstance(reason, Reason) and _plain_text(reason.detail, 1000) is not None else None
    safe = viewer
    if viewer.on_behalf_of is not None and not all(
            _plain_text(v, MAX_COLLEAGUE_CHARS) is not None for v in (viewer.on_behalf_of.name,
                                                                      viewer.on_behalf_of.organisation)):
        safe = Viewer(viewer.user, Colleague("(unusable name)", "(unusable organisation)"), viewer.session)
    self.audit.record(viewer.user.username, f"{action}_refused", viewer=safe, reason=text,
                 detail={"why": why, **extra})


def la_team_request(self: Directory, viewer: Viewer, action: str, refusal: str, closure: bool = False) -> Reason:
    """An LA-team-only request (R-ROLE-3): the role is checked first, so a practitioner is told what is
    the LA team's alone rather than that the monitoring reason is not theirs. Returns the reason used.
    ``closure``: one of the closure tasks, which the LA team keeps after the switch-off (R-CLOSE-1)."""
    reason = Reason(AccessReason.LA_MONITORING)
    self._session_of(viewer, closure)
    if viewer.role is not Role.LA_MANAGEMENT:
        self.audit_refusal(viewer, reason, action, "not the LA team")
        exc = AccessRefused(refusal)
        exc.audited = True
        raise exc
    self.check_request(viewer, reason, action, closure)
    return reason


def _check_search_rate(self: Directory, viewer: Viewer, reason: Reason) -> None:
    now = self.now()
    with self.store.sessions.searches(viewer.user.username) as searches:  # counted and recorded as one
        for limit, span in ((self.limits.searches_per_minute, 60), (self.limits.searches_per_hour, 3600)):
            count, limit_th = searches.since(now - span, limit)
            if count >= limit and limit_th is not None:  # it may go on once the limit-th newest has aged out
                wait = limit_th + span - now
                self.audit_refusal(viewer, reason, "search", "rate limited", limit=limit, window_s=span)
                raise RateLimited("rate.searches", count=count, window_s=span, wait_s=int(wait + 0.999))
        searches.record(now, forget_up_to=now - 3600)


def _check_open_budget(self: Directory, viewer: Viewer, reason: Reason, child_id: int) -> date:
    day = datetime.fromtimestamp(self.now(), UTC).date()
    if self.store.sessions.opened_on(viewer.user.username, day, child_id):
        return day
    opened = self.store.sessions.opens_on(viewer.user.username, day)
    if opened >= self.limits.children_opened_per_day:
        midnight = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC).timestamp()
        self.audit_refusal(viewer, reason, "view_record", "daily budget reached",
                            limit=self.limits.children_opened_per_day)
        raise RateLimited("rate.children_opened", count=opened, wait_s=int(midnight - self.now() + 0.999))
    return day
