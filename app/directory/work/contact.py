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

The requester never learns who the practitioner is: neither their request's state nor the answer notice
carries anything of the involvement. Only the child's LA team sees it (``la_detail``, in its queue).
"""
from __future__ import annotations

from ... import records
from ...model import Involvement, Role, ServiceType, Viewer
from ...refusals import AccessRefused
from . import checks
from . import types as t

ANYONE = 0  # involvement_id on a shielded record: whoever works with this child


def _refuse(d, viewer: Viewer, reason, action: str, why: str, code: str, field: str = ""):
    d.audit_refusal(viewer, reason, action, why)
    exc = AccessRefused(code, field) if field else AccessRefused(code)
    exc.audited = True  # type: ignore[attr-defined]
    raise exc


def _own(d, viewer: Viewer) -> None:
    """A read of one's own things: a live session on a usable account is enough (no reason is stated)."""
    d._session_of(viewer)
    problem = d.account_problem(viewer.user)
    if problem:
        raise AccessRefused(problem[1], **problem[2])


def _withheld_from(d, viewer: Viewer, child_id: int, involvement_id: int) -> bool:
    """Whether the viewer's view of this child withholds ``involvement_id`` (or, for 0, all involvements)."""
    la = records.la_of(d.conn, child_id)
    if viewer.role is Role.LA_MANAGEMENT and viewer.user.la_code == la:
        return False  # the LA team sees it all (R-SENS-3, R-SHIELD-1)
    shielded = records.is_shielded(d.conn, child_id)
    if involvement_id == ANYONE:
        return shielded
    if shielded:
        return False  # a restricted view names no involvement: 0 is the only thing it can ask for
    row = d.conn.execute("SELECT service, recorded_by FROM involvements WHERE id = ? AND child_id = ?",
                         (involvement_id, child_id)).fetchone()
    return bool(row and ServiceType(row[0]).sensitive and row[1] != viewer.user.username)


def request(d, viewer: Viewer, req: t.ContactRequest) -> t.ContactRequestState:
    """Ask the child's LA team to pass on a request for contact; waiting until the team decides."""
    state = d.check_request(viewer, req.reason, "contact_request")
    if viewer.role is Role.MEDIATING:
        _refuse(d, viewer, req.reason, "contact_request", "mediating user", "contact.mediated_not_allowed")
    phone = checks.phone(req.phone, "phone")
    email = checks.email(req.email, "email")
    involvement_id = checks.number(req.involvement_id, "involvement_id")
    child_id = records.child_id_for(d.conn, req.directory_id)
    if child_id is None or child_id not in state.granted:
        _refuse(d, viewer, req.reason, "contact_request", "not from this session's results",
                "access.not_from_results")
    if not _withheld_from(d, viewer, child_id, involvement_id):
        _refuse(d, viewer, req.reason, "contact_request", "involvement not withheld from the requester",
                "contact.not_withheld")
    la = records.la_of(d.conn, child_id)
    waiting = d.conn.execute(
        "SELECT id FROM contact_requests WHERE child_id = ? AND involvement_id = ? AND requested_by = ? "
        "AND status = ?", (child_id, involvement_id, viewer.user.username, t.ContactStatus.WAITING.value)).fetchone()
    if waiting:  # asked again before the team decided: the same request, with the contact details given now
        request_id = waiting[0]
        d.conn.execute("UPDATE contact_requests SET phone = ?, email = ? WHERE id = ?", (phone, email, request_id))
    else:
        request_id = int(d.conn.execute(
            "INSERT INTO contact_requests (child_id, involvement_id, requested_by, phone, email, requested_at, "
            "status, la_code) VALUES (?,?,?,?,?,?,?,?)",
            (child_id, involvement_id, viewer.user.username, phone, email, d._stamp(),
             t.ContactStatus.WAITING.value, la)).lastrowid)
    d.audit.record(viewer.user.username, "contact_requested", viewer=viewer, reason=req.reason.text(),
                   detail={"directory_id": records.directory_id_of(d.conn, child_id), "request": request_id,
                           "involvement": involvement_id, "repeated": bool(waiting)}, las=(la,))
    return _state(d, request_id)


def _involvement(d, la_team: Viewer, child_id: int, involvement_id: int) -> Involvement | None:
    """The involvement as the child's LA team sees it on the record, consent included (R-SENS-2, R-SENS-3): built
    where every record view is built, so nothing the team is entitled to is left out."""
    found = records._involvements(d.conn, la_team, child_id, records.la_of(d.conn, child_id), involvement_id)
    return next((i for i in found if isinstance(i, Involvement)), None)


def _state(d, request_id: int, la_team: Viewer | None = None) -> t.ContactRequestState:
    """A request as its requester sees it, or, given ``la_team`` (the child's LA team), with the involvement."""
    (rid, child_id, involvement_id, by, phone, email, at, status, decided_at) = d.conn.execute(
        "SELECT id, child_id, involvement_id, requested_by, phone, email, requested_at, status, decided_at "
        "FROM contact_requests WHERE id = ?", (request_id,)).fetchone()
    user = d.conn.execute("SELECT display_name, organisation FROM users WHERE username = ?", (by,)).fetchone()
    name, org = user if user else (by, "")
    return t.ContactRequestState(
        rid, records.directory_id_of(d.conn, child_id), records.child_name(d.conn, child_id),
        t.ContactStatus(status), at, name, org, phone, email, decided_at or "",
        _involvement(d, la_team, child_id, involvement_id) if la_team is not None and involvement_id != ANYONE
        else None)


def mine(d, viewer: Viewer, _: t.Nothing) -> tuple[t.ContactRequestState, ...]:
    """The signed-in user's own requests, newest first: status only, nothing of the practitioner."""
    _own(d, viewer)
    return tuple(_state(d, rid) for (rid,) in d.conn.execute(
        "SELECT id FROM contact_requests WHERE requested_by = ? ORDER BY id DESC", (viewer.user.username,)))


def queue(d, viewer: Viewer, _: t.Nothing) -> tuple[t.ContactRequestState, ...]:
    """The LA team's waiting requests about its own LA's children, oldest first, each with the involvement
    in full (``la_detail``; None for "whoever works with this child" on a shielded record)."""
    reason = d.la_team_request(viewer, "contact_queue", "access.la_team_only")
    out = tuple(_state(d, rid, viewer) for (rid,) in d.conn.execute(
        "SELECT id FROM contact_requests WHERE la_code = ? AND status = ? ORDER BY id",
        (viewer.user.la_code, t.ContactStatus.WAITING.value)))
    d.audit.record(viewer.user.username, "contact_queue_read", viewer=viewer, reason=reason.text(),
                   detail={"requests": [s.request_id for s in out]}, las=(viewer.user.la_code,))
    return out


def decide(d, viewer: Viewer, req: t.ContactDecision) -> t.ContactRequestState:
    """Pass a waiting request on (the practitioner gets a notice with the requester's name, organisation,
    phone and e-mail, and decides whether to respond) or decline it (nothing is passed). Either way the
    requester is told."""
    reason = d.la_team_request(viewer, "contact_decision", "access.la_team_only")
    if req.outcome not in (t.ContactStatus.PASSED_ON, t.ContactStatus.DECLINED):
        _refuse(d, viewer, reason, "contact_decision", "no outcome", "input.required", "outcome")
    request_id = checks.number(req.request_id, "request_id")
    row = d.conn.execute("SELECT child_id, involvement_id, requested_by, status, la_code FROM contact_requests "
                         "WHERE id = ?", (request_id,)).fetchone()
    if row is None or row[4] != viewer.user.la_code:
        _refuse(d, viewer, reason, "contact_decision", "not this LA's request", "contact.not_found")
    child_id, involvement_id, requested_by, status, la = row
    if status != t.ContactStatus.WAITING.value:
        _refuse(d, viewer, reason, "contact_decision", "already decided", "contact.already_decided")
    now = d._stamp()
    d.conn.execute("UPDATE contact_requests SET status = ?, decided_by = ?, decided_at = ? WHERE id = ?",
                   (req.outcome.value, viewer.user.username, now, request_id))
    told: list[str] = []
    if req.outcome is t.ContactStatus.PASSED_ON:
        if involvement_id == ANYONE:
            rows = d.conn.execute("SELECT id, recorded_by FROM involvements WHERE child_id = ? AND ended IS NULL",
                                  (child_id,)).fetchall()
        else:
            rows = d.conn.execute("SELECT id, recorded_by FROM involvements WHERE id = ?",
                                  (involvement_id,)).fetchall()
        for iid, by in rows:
            if by and by != requested_by and by not in told and d.user(by) is not None:
                told.append(by)
                d.conn.execute("INSERT INTO notices (username, at, kind, child_id, about_involvement, about_request) "
                               "VALUES (?,?,?,?,?,?)", (by, now, t.NoticeKind.CONTACT_REQUEST.value, child_id,
                                                        iid, request_id))
    d.conn.execute("INSERT INTO notices (username, at, kind, child_id, about_request) VALUES (?,?,?,?,?)",
                   (requested_by, now, t.NoticeKind.CONTACT_ANSWERED.value, child_id, request_id))
    d.audit.record(viewer.user.username, "contact_decided", viewer=viewer, reason=reason.text(),
                   detail={"request": request_id, "outcome": req.outcome.value,
                           "directory_id": records.directory_id_of(d.conn, child_id),
                           "practitioners_told": len(told)}, las=(la,))
    return _state(d, request_id, viewer)
