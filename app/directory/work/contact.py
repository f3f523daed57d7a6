"""Brokered contact (R-SENS-4): a user who needs to reach a practitioner the directory withholds from them asks
the child's LA team, who pass the request on or decline it; the practitioner decides whether to respond.

What a requester may name:
- a withheld sensitive involvement, by the ``involvement_id`` its ``WithheldInvolvement`` carries;
- on a record restricted by a shield (no involvements are sent at all), ``involvement_id=0``: "whoever works
  with this child". Passed on, it reaches every practitioner with a current involvement who is a user.
An involvement the requester can already see is refused (``contact.not_withheld``): they contact it directly.
The child must be one the requester's session found (anti-trawling).

Mediating users may not ask (``contact.mediated_not_allowed``): the reply would go to a colleague with no
access of their own, and the record they were shown carries the LA team's phone and e-mail, which the
colleague can use directly. The LA team sees everything of its own LA's records and never needs to ask.

Passing a request on reaches someone, or is not done: in Signpost (a notice in the practitioner's inbox) when the
practitioner can sign in, else by the LA team itself, by phone or e-mail, which it records (``decide``). The
requester is told which (issue 13 §3.3, issue 14 §1.6).

The requester never learns who the practitioner is: neither their request's state nor the answer notice
carries anything of the involvement. Only the child's LA team sees it (``la_detail``, in its queue).
"""
from __future__ import annotations

from dataclasses import replace
from typing import NoReturn

from ... import records
from ...model import Involvement, Role, ServiceType, Viewer
from ...refusals import AccessRefused
from . import checks
from . import types as t

ANYONE = 0  # involvement_id on a shielded record: whoever works with this child


def _refuse(d, viewer: Viewer, reason, action: str, why: str, code: str, field: str = "") -> NoReturn:
    d.audit_refusal(viewer, reason, action, why)
    exc = AccessRefused(code, field) if field else AccessRefused(code)
    exc.audited = True
    raise exc


def _own(d, viewer: Viewer) -> None:
    """A read of one's own things: a live session on a usable account is enough (no reason is stated)."""
    d._session_of(viewer)
    problem = d.account_problem(viewer.user)
    if problem:
        raise AccessRefused(problem[1], **problem[2])


def _withheld_from(d, viewer: Viewer, child_id: int, involvement_id: int) -> bool:
    """Whether the viewer's view of this child withholds ``involvement_id`` (or, for 0, all involvements)."""
    la = records.la_of(d.store, child_id)
    if viewer.role is Role.LA_MANAGEMENT and viewer.user.la_code == la:
        return False  # the LA team sees it all (R-SENS-3, R-SHIELD-1)
    shielded = records.is_shielded(d.store, child_id)
    if involvement_id == ANYONE:
        return shielded
    if shielded:
        return False  # a restricted view names no involvement: 0 is the only thing it can ask for
    row = d.store.contact.involvement_of(involvement_id, child_id)
    return bool(row and ServiceType(row[0]).sensitive and row[1] != viewer.user.username)


def request(d, viewer: Viewer, req: t.ContactRequest) -> t.ContactRequestState:
    """Ask the child's LA team to pass on a request for contact; waiting until the team decides."""
    state = d.check_request(viewer, req.reason, "contact_request")
    if viewer.role is Role.MEDIATING:
        _refuse(d, viewer, req.reason, "contact_request", "mediating user", "contact.mediated_not_allowed")
    phone = checks.phone(req.phone, "phone")
    email = checks.email(req.email, "email")
    involvement_id = checks.number(req.involvement_id, "involvement_id")
    child_id = records.child_id_for(d.store, req.directory_id)
    if child_id is None or child_id not in state.granted:
        _refuse(d, viewer, req.reason, "contact_request", "not from this session's results",
                "access.not_from_results")
    if not _withheld_from(d, viewer, child_id, involvement_id):
        _refuse(d, viewer, req.reason, "contact_request", "involvement not withheld from the requester",
                "contact.not_withheld")
    la = records.la_of(d.store, child_id)
    waiting = d.store.contact.find(child_id, involvement_id, viewer.user.username, t.ContactStatus.WAITING.value)
    if waiting is not None:  # asked again before the team decided: the same request, with the contact details given now
        request_id = waiting
        d.store.contact.renew(request_id, phone, email)
    else:
        request_id = d.store.contact.add(child_id, involvement_id, viewer.user.username, phone, email, d._stamp(),
                                         t.ContactStatus.WAITING.value, la)
    d.audit.record(viewer.user.username, "contact_requested", viewer=viewer, reason=req.reason.text(),
                   detail={"directory_id": records.directory_id_of(d.store, child_id), "request": request_id,
                           "involvement": involvement_id, "repeated": waiting is not None}, las=(la,))
    return _state(d, request_id)


def _involvement(d, la_team: Viewer, child_id: int, involvement_id: int) -> Involvement | None:
    """The involvement as the child's LA team sees it on the record, consent included (R-SENS-2, R-SENS-3): built
    where every record view is built, so nothing the team is entitled to is left out."""
    found = records._involvements(d.store, la_team, child_id, records.la_of(d.store, child_id), involvement_id)
    return next((i for i in found if isinstance(i, Involvement)), None)


def _targets(d, child_id: int, involvement_id: int) -> list[tuple[int, str]]:
    """(involvement id, recorded by) of whoever the request is for: the involvement, or on a shielded record
    every current one."""
    if involvement_id == ANYONE:
        return d.store.contact.current_involvements(child_id)
    return d.store.contact.involvement(involvement_id)


def can_be_told(d, username: str) -> bool:
    """Whether ``username`` can be told in Signpost: an account that can sign in and so read its inbox
    (R-ROLE-4). A practitioner who is not a user, or whose account is disabled, not trained or out of check,
    cannot; the LA team then passes the request on by phone or e-mail (R-SENS-4)."""
    account = d.store.accounts.account(username) if username else None
    user = d.user(username) if account is not None and account.enabled else None
    return user is not None and d.account_problem(user) is None


def _told(d, child_id: int, involvement_id: int, requested_by: str) -> list[tuple[int, str]]:
    """Who a passed-on request reaches in Signpost: one notice per practitioner, on their first involvement."""
    out: list[tuple[int, str]] = []
    for iid, by in _targets(d, child_id, involvement_id):
        if by and by != requested_by and by not in {u for _, u in out} and can_be_told(d, by):
            out.append((iid, by))
    return out


def _state(d, request_id: int, la_team: Viewer | None = None) -> t.ContactRequestState:
    """A request as its requester sees it, or, given ``la_team`` (the child's LA team), with whom it is for and
    whether they can be told in Signpost."""
    kept = d.store.contact.request(request_id)
    assert kept is not None, request_id  # only ever asked for a request just found or written
    (rid, child_id, involvement_id, by, phone, email, at, status, decided_at, passed_on_by) = (
        kept.request_id, kept.child_id, kept.involvement_id, kept.requested_by, kept.phone, kept.email,
        kept.requested_at, kept.status, kept.decided_at, kept.passed_on_by)
    account = d.store.accounts.account(by)
    name, org = (account.display_name, account.organisation) if account is not None else (by, "")
    state = t.ContactRequestState(
        rid, records.directory_id_of(d.store, child_id), records.child_name(d.store, child_id),
        t.ContactStatus(status), at, name, org, phone, email, decided_at or "",
        passed_on_by=t.PassedOnBy(passed_on_by) if passed_on_by else None)
    if la_team is None:
        return state
    if involvement_id == ANYONE:
        others = tuple(i for i in (_involvement(d, la_team, child_id, iid) for iid, _ in _targets(d, child_id, ANYONE))
                       if i is not None)
        return replace(state, la_others=others, la_can_tell=bool(_told(d, child_id, ANYONE, by)))
    return replace(state, la_detail=_involvement(d, la_team, child_id, involvement_id),
                   la_can_tell=bool(_told(d, child_id, involvement_id, by)))


def mine(d, viewer: Viewer, _: t.Nothing) -> tuple[t.ContactRequestState, ...]:
    """The signed-in user's own requests, newest first: status only, nothing of the practitioner."""
    _own(d, viewer)
    return tuple(_state(d, rid) for rid in d.store.contact.of_requester(viewer.user.username))


def queue(d, viewer: Viewer, _: t.Nothing) -> tuple[t.ContactRequestState, ...]:
    """The LA team's waiting requests about its own LA's children, oldest first, each with the involvement
    in full (``la_detail``; None for "whoever works with this child" on a shielded record)."""
    reason = d.la_team_request(viewer, "contact_queue", "access.la_team_only")
    out = tuple(_state(d, rid, viewer)
                for rid in d.store.contact.in_la(viewer.user.la_code, t.ContactStatus.WAITING.value))
    d.audit.record(viewer.user.username, "contact_queue_read", viewer=viewer, reason=reason.text(),
                   detail={"requests": [s.request_id for s in out]}, las=(viewer.user.la_code,))
    return out


def decide(d, viewer: Viewer, req: t.ContactDecision) -> t.ContactRequestState:
    """Pass a waiting request on, or decline it (nothing is passed). Either way the requester is told what
    actually happened (issue 14 §1.6).

    Passed on: each practitioner it is for who can be told in Signpost gets a notice with the requester's name,
    organisation, phone and e-mail, and decides whether to respond (``passed_on_by`` SIGNPOST). When nobody can
    be told in Signpost, the LA team has the practitioner's contact details (``la_detail`` / ``la_others``),
    passes the request on itself and says how, PHONE or EMAIL; without that, "passed on" is refused
    (``contact.how_required``), since it would reach nobody (issue 13 §3.3, R-SENS-4)."""
    reason = d.la_team_request(viewer, "contact_decision", "access.la_team_only")
    if req.outcome not in (t.ContactStatus.PASSED_ON, t.ContactStatus.DECLINED):
        _refuse(d, viewer, reason, "contact_decision", "no outcome", "input.required", "outcome")
    request_id = checks.number(req.request_id, "request_id")
    row = d.store.contact.decidable(request_id)
    if row is None or row.la_code != viewer.user.la_code:
        _refuse(d, viewer, reason, "contact_decision", "not this LA's request", "contact.not_found")
    child_id, involvement_id, requested_by, status, la = (row.child_id, row.involvement_id, row.requested_by,
                                                          row.status, row.la_code)
    if status != t.ContactStatus.WAITING.value:
        _refuse(d, viewer, reason, "contact_decision", "already decided", "contact.already_decided")
    told: list[tuple[int, str]] = []
    how: t.PassedOnBy | None = None
    if req.outcome is t.ContactStatus.PASSED_ON:
        told = _told(d, child_id, involvement_id, requested_by)
        if told:
            how = t.PassedOnBy.SIGNPOST
        elif req.how in (t.PassedOnBy.PHONE, t.PassedOnBy.EMAIL):
            how = req.how
        else:  # nobody can be told in Signpost and the team has not said how it passed it on
            _refuse(d, viewer, reason, "contact_decision", "nobody can be told in Signpost; how not given",
                    "contact.how_required", "how")
    now = d._stamp()
    d.store.contact.decide(request_id, req.outcome.value, viewer.user.username, now, how.value if how else None)
    for iid, by in told:
        d.store.notices.add_about_request(by, now, t.NoticeKind.CONTACT_REQUEST.value, child_id, request_id,
                                          involvement_id=iid)
    d.store.notices.add_about_request(requested_by, now, t.NoticeKind.CONTACT_ANSWERED.value, child_id, request_id)
    d.audit.record(viewer.user.username, "contact_decided", viewer=viewer, reason=reason.text(),
                   detail={"request": request_id, "outcome": req.outcome.value,
                           "directory_id": records.directory_id_of(d.store, child_id),
                           "practitioners_told": len(told), **({"passed_on_by": how.value} if how else {})},
                   las=(la,))
    return _state(d, request_id, viewer)
