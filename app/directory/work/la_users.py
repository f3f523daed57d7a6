"""The LA team manages its own users and registers mediated colleagues (R-ROLE-2, R-ROLE-3, R-ROLE-4).

Everything here is limited to the team's own LA: a user of another LA is never
listed, changed or given a token, and asking is refused with the same code as
asking about nobody (``access.not_your_la``), so the refusal does not reveal
who exists elsewhere. Every change and every read is audited (R-AUDIT-1).

Mediated colleagues (R-ROLE-2) are users of their own kind (``Role.COLLEAGUE``):
registered by the LA team with a name, a role title from the vocabulary and
an organisation from the register (R-REC-5), no password, no token; they never
sign in (``Directory.account_problem``). A mediating user chooses one from
``colleagues`` and the engine checks the choice against this register on every
request (``Directory.check_request``).
"""
from __future__ import annotations

import re
import secrets
from datetime import date
from typing import NoReturn

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ...model import Reason, Role, Viewer
from ...passwords import hash_password
from ...refusals import AccessRefused
from ..store.accounts import Account
from . import checks, register
from . import types as t

USERNAME_CHARS = 64
SERIAL_CHARS = 64
KEY_BYTES = 4096
# la-admin (issue 14 §2.1): the roles the LA team may give (a registered colleague is registered, R-ROLE-2)
GIVES = (Role.PRACTITIONER, Role.CHILD_PROTECTION, Role.MEDIATING, Role.LA_MANAGEMENT)
ONE_TIME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone without doubt
ONE_TIME_GROUPS = 4  # four groups of four: about 80 bits


def _refuse(d, viewer: Viewer, reason: Reason, action: str, code: str, field: str | None, **detail) -> NoReturn:
    """Audit the refusal with what was asked (bounded), then raise it."""
    d.audit_refusal(viewer, reason, action, code, **detail)
    exc = AccessRefused(code, field or "")
    exc.audited = True
    raise exc


def _shown(value) -> str:
    return value[:USERNAME_CHARS] if isinstance(value, str) else "(not text)"


def _managed(d, row: Account | None) -> t.ManagedUser:
    from ..engine import check_expiry
    assert row is not None  # the LA's user just read or changed
    checked = date.fromordinal(row.check_date) if row.check_date else None
    return t.ManagedUser(
        row.username, row.display_name, row.role, row.organisation,
        date.fromordinal(row.trained_on) if row.trained_on else None, checked,
        check_expiry(checked) if checked else None, row.enabled, d._locked_out(row.username), row.token_serial or "",
        row.password_change_required)


def _own_user(d, viewer: Viewer, reason: Reason, action: str, username) -> Account:
    """The users row of ``username`` if it is one of the viewer's LA's users, else refused (R-ROLE-3)."""
    name = username.strip().lower() if isinstance(username, str) and len(username) <= USERNAME_CHARS else None
    found = d.store.accounts.account_and_la(name) if name else None
    if found is None or found[1] != viewer.user.la_code:
        _refuse(d, viewer, reason, action, "access.not_your_la", "username", user=_shown(username))
    return found[0]


def _not_yourself(viewer: Viewer, username: str, field: str) -> None:
    """R-ROLE-3/4: an LA-team member never renews their own check, records their own training, gives themselves a
    token or a password, or disables, enables or unlocks themselves: someone else in the team does."""
    if username == viewer.user.username:
        raise AccessRefused("la_users.not_yourself", field)


def _end_sessions(d, username: str) -> int:
    """A disabled user, or one whose token was replaced, is out at once, not at their next sign-in."""
    return d.end_sessions(username)


# -- the LA's users (R-ROLE-3, R-ROLE-4) ------------------------------------------------------------
def users(d, viewer: Viewer, _: t.Nothing) -> tuple[t.ManagedUser, ...]:
    """The LA's users (registered colleagues too), by name, with check expiry, lock-out and token."""
    reason = d.la_team_request(viewer, "la_users", "access.la_team_only")
    la = viewer.user.la_code
    out = tuple(_managed(d, row) for row in d.store.accounts.accounts_of_la(la))
    d.audit.record(viewer.user.username, "la_users_read", viewer=viewer, reason=reason.text(),
                   detail={"users": len(out)}, las=(la,))
    return out


def change(d, viewer: Viewer, request: t.UserChange) -> t.ManagedUser:
    """Record training, renew the criminal-records check (R-ROLE-4: valid 3 years), disable, enable or
    unlock after lock-out, for one of the LA's own users."""
    reason = d.la_team_request(viewer, "change_user", "access.la_team_only")
    row = _own_user(d, viewer, reason, "change_user", request.username)
    username, role = row.username, row.role
    if not isinstance(request.action, t.UserAction):
        raise AccessRefused("input.required", "action")
    action = request.action
    if role == Role.COLLEAGUE.value and action not in (t.UserAction.DISABLE, t.UserAction.ENABLE):
        raise AccessRefused("la_users.colleague_no_access", "action")
    _not_yourself(viewer, username, "action")
    today = d.clock()
    detail: dict = {"user": username, "action": action.value}
    if action is t.UserAction.RECORD_TRAINING:
        on = checks.day(request.on, "on", not_after=today, not_before=date(2000, 1, 1))
        d.store.accounts.record_training(username, on.toordinal())
        detail["on"] = on.isoformat()
    elif action is t.UserAction.RENEW_CHECK:
        from ..engine import check_expiry
        on = checks.day(request.on, "on", not_after=today, not_before=date(2000, 1, 1))
        if check_expiry(on) <= today:  # R-ROLE-4: a check older than 3 years is no check
            raise AccessRefused("la_users.check_too_old", "on", expired_on=check_expiry(on).isoformat())
        d.store.accounts.renew_check(username, on.toordinal())
        detail["on"] = on.isoformat()
    elif action is t.UserAction.DISABLE:
        d.store.accounts.set_enabled(username, False)
        detail["sessions_ended"] = _end_sessions(d, username)
    elif action is t.UserAction.ENABLE:
        d.store.accounts.set_enabled(username, True)
    elif action is t.UserAction.UNLOCK:
        detail["was_locked"] = d._locked_out(username)
        d.store.accounts.clear_failures(username)
    d.audit.record(viewer.user.username, "user_changed", viewer=viewer, reason=reason.text(), detail=detail,
                   las=(viewer.user.la_code,))
    return _managed(d, d.store.accounts.account(username))


def _public_key(value, field: str, kind: type) -> bytes:
    if not isinstance(value, bytes) or not 0 < len(value) <= KEY_BYTES:
        raise AccessRefused("la_users.bad_key", field)
    try:
        key = serialization.load_der_public_key(value)
    except (ValueError, TypeError):
        raise AccessRefused("la_users.bad_key", field) from None
    if not isinstance(key, kind) or (isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name != "secp256r1"):
        raise AccessRefused("la_users.bad_key", field)
    return value


def enrol_token(d, viewer: Viewer, request: t.TokenEnrolment) -> t.ManagedUser:
    """Enrol or replace one of the LA's users' tokens: the old token stops working at once (its sessions
    end, and sign-in and unlock check the enrolled serial and key)."""
    reason = d.la_team_request(viewer, "enrol_token", "access.la_team_only")
    row = _own_user(d, viewer, reason, "enrol_token", request.username)
    username, role, old_serial = row.username, row.role, row.token_serial
    if role == Role.COLLEAGUE.value:
        raise AccessRefused("la_users.colleague_no_access", "username")
    _not_yourself(viewer, username, "username")
    serial = checks.text(request.serial, SERIAL_CHARS, "serial")
    sign = _public_key(request.sign_public_der, "sign_public_der", ec.EllipticCurvePublicKey)
    wrap = _public_key(request.wrap_public_der, "wrap_public_der", rsa.RSAPublicKey)
    holder = d.store.accounts.token_holder(serial, username)
    if holder is not None:  # one token, one holder (R-CLOSE-3 counts tokens by serial)
        raise AccessRefused("la_users.token_in_use", "serial")
    d.store.accounts.enrol_token(username, serial, sign, wrap)
    ended = _end_sessions(d, username)
    d.audit.record(viewer.user.username, "token_enrolled", viewer=viewer, reason=reason.text(),
                   detail={"user": username, "token": serial, "replaced": old_serial or None,
                           "sessions_ended": ended}, las=(viewer.user.la_code,))
    return _managed(d, d.store.accounts.account(username))


# -- mediated colleagues (R-ROLE-2) -----------------------------------------------------------------------
def _colleague(row) -> t.RegisteredColleague:
    username, name, job, org = row
    return t.RegisteredColleague(username, name, job, org)


def colleagues(d, viewer: Viewer, _: t.Nothing) -> tuple[t.RegisteredColleague, ...]:
    """The enabled registered colleagues of the viewer's LA, for a mediating user to choose from (or for the
    LA team to see). A mediating user asks this before choosing anyone, so no colleague is required here."""
    if viewer.role is Role.LA_MANAGEMENT:
        d.la_team_request(viewer, "colleagues", "access.la_team_only")
    else:
        try:
            d._session_of(viewer)
            problem = d.account_problem(viewer.user)
            if problem:
                raise AccessRefused(problem[1], **problem[2])
            if viewer.role is not Role.MEDIATING:
                raise AccessRefused("access.mediating_only")
        except AccessRefused as exc:
            d.audit_refusal(viewer, None, "colleagues", exc.code)
            exc.audited = True
            raise
    la = viewer.user.la_code
    out = tuple(_colleague(row) for row in d.store.register.colleagues_of(la))
    d.audit.record(viewer.user.username, "colleagues_read", detail={"colleagues": len(out)}, las=(la,))
    return out


def _new_username(d, name: str) -> str:
    stem = ".".join(w for w in re.sub(r"[^a-z0-9 ]", "", name.lower()).split() if w not in ("dr", "mr", "mrs",
                                                                                           "ms", "miss", "prof"))
    stem = (stem or "colleague")[:40]
    candidate, n = stem, 1
    while d.store.accounts.username_taken(candidate):
        n += 1
        candidate = f"{stem}.{n}"
    return candidate


def register_colleague(d, viewer: Viewer, request: t.NewColleague) -> t.RegisteredColleague:
    """The LA team registers a colleague without access of their own (R-ROLE-2): name, role title and
    organisation; the colleague gets a username and never a password or token."""
    reason = d.la_team_request(viewer, "register_colleague", "access.la_team_only")
    name = checks.text(request.name, checks.NAME_CHARS, "name")
    if len(name) < 3:
        raise AccessRefused("input.required", "name")
    la = viewer.user.la_code
    # rule R-REC-5: the role title and organisation come from the vocabulary and the register, never free text
    role = register.role(d, la, checks.text(request.role, checks.ROLE_CHARS, "role"), None)
    org = register.organisation(d, checks.text(request.organisation, checks.ORGANISATION_CHARS, "organisation"))
    if d.store.register.colleague_exists(la, name, org):
        raise AccessRefused("la_users.colleague_exists", "name")
    username = _new_username(d, name)
    d.store.register.add_colleague(username, name, la, org, role)
    d.audit.record(viewer.user.username, "colleague_registered", viewer=viewer, reason=reason.text(),
                   detail={"user": username}, las=(la,))
    return t.RegisteredColleague(username, name, role, org)


# -- la-admin: giving access (issue 14 §2.1, R-ROLE-3, R-ROLE-4) -----------------------------------------------
def one_time_password() -> str:
    """A fresh one-time password, e.g. ``K7QM-3XPA-9RTD-WZ4E``: random, easy to read out, never stored in clear."""
    return "-".join("".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(ONE_TIME_GROUPS))


def create(d, viewer: Viewer, req: t.NewUser) -> t.OneTimePassword:
    """R-ROLE-3, R-ROLE-4: the LA team gives a person access in its own LA: nominated (by whom, when), an eligible
    role, an organisation from the register (R-REC-5), training (or none yet: they cannot sign in until it is
    recorded) and a criminal-records check under three years old. The answer carries a one-time password, shown
    once: only its Argon2id hash is stored, it is never audited, and the user must replace it at their first
    sign-in before any other work. A token is enrolled next (``enrol_token``)."""
    from ..engine import check_expiry
    reason = d.la_team_request(viewer, "create_user", "access.la_team_only")
    la, today = viewer.user.la_code, d.clock()
    name = checks.text(req.display_name, checks.NAME_CHARS, "display_name")
    if len(name) < 3:
        raise AccessRefused("input.required", "display_name")
    if not isinstance(req.role, Role) or req.role not in GIVES:
        raise AccessRefused("la_users.role_not_given", "role")
    organisation = register.organisation(d, checks.text(req.organisation, checks.ORGANISATION_CHARS,
                                                        "organisation"))
    nominated_by = checks.text(req.nominated_by, checks.NAME_CHARS, "nominated_by")
    if len(nominated_by) < 3:
        raise AccessRefused("input.required", "nominated_by")
    nominated_on = checks.day(req.nominated_on, "nominated_on", not_after=today, not_before=date(2000, 1, 1))
    trained_on = None if req.trained_on is None else checks.day(req.trained_on, "trained_on", not_after=today,
                                                                 not_before=date(2000, 1, 1))
    checked = checks.day(req.check_date, "check_date", not_after=today, not_before=date(2000, 1, 1))
    if check_expiry(checked) <= today:  # R-ROLE-4: a check older than 3 years is no check
        raise AccessRefused("la_users.check_too_old", "check_date", expired_on=check_expiry(checked).isoformat())
    if d.store.accounts.user_exists(la, name, organisation):
        raise AccessRefused("la_users.user_exists", "display_name")
    username = _new_username(d, name)
    password = one_time_password()
    d.store.accounts.create_user(username, name, req.role.value, la, organisation, hash_password(password),
                                 trained_on.toordinal() if trained_on else None, checked.toordinal(), nominated_by,
                                 nominated_on.toordinal(), viewer.user.username)
    d.audit.record(viewer.user.username, "user_created", viewer=viewer, reason=reason.text(),
                   detail={"user": username, "role": req.role.value, "nominated_on": nominated_on.isoformat(),
                           "check_date": checked.isoformat(), "trained": trained_on is not None}, las=(la,))
    return t.OneTimePassword(_managed(d, _row(d, username)), password)


def reset_password(d, viewer: Viewer, req: t.UserRef) -> t.OneTimePassword:
    """R-ROLE-4: a new one-time password for one of the LA's users (forgotten, or the first one lost): the old
    password stops working, their sessions end, a lock-out is lifted, and they choose their own at sign-in."""
    reason = d.la_team_request(viewer, "reset_password", "access.la_team_only")
    row = _own_user(d, viewer, reason, "reset_password", req.username)
    username, role = row.username, row.role
    if role == Role.COLLEAGUE.value:
        raise AccessRefused("la_users.colleague_no_access", "username")
    _not_yourself(viewer, username, "username")
    password = one_time_password()
    was_locked = d._locked_out(username)
    d.store.accounts.set_one_time_password(username, hash_password(password))
    d.store.accounts.clear_failures(username)
    d.audit.record(viewer.user.username, "password_reset", viewer=viewer, reason=reason.text(),
                   detail={"user": username, "sessions_ended": _end_sessions(d, username), "was_locked": was_locked},
                   las=(viewer.user.la_code,))
    return t.OneTimePassword(_managed(d, _row(d, username)), password)


def _row(d, username: str) -> Account | None:
    return d.store.accounts.account(username)
