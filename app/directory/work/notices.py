""""Who else is working with this child", told (issue 8 item 5), and the signed-in user's inbox.

When a practitioner records an involvement with a child who already has current involvements from other
organisations, each of those involvements' recorders (those who are directory users, not the newcomer) gets
one ``also_working`` notice pointing at the new involvement: "<name>, <role> at <organisation>, is now also
working with <child>". The newcomer's answer (``Recorded.others``) lists those other current practitioners
that the newcomer may see on the record. The batch of notices is audited (R-AUDIT-1).

What is never told or listed (decided here, tested in tests/test_work_involvements.py):
- R-SENS-3: a SENSITIVE new involvement tells no one and lists no one: a notice would reveal the service to
  people who only ever see "an unspecified service". Sensitive OTHER involvements are never listed to the
  newcomer (they are withheld on the record); their recorders are still told of a non-sensitive newcomer,
  which reveals nothing about them.
- R-SHIELD-1: involvements can reveal where a shielded child is. For a shielded child the newcomer (who gets
  the restricted view) is listed no one, and a notice about a shielded child carries only the child's name
  and directory id, never the newcomer's name, role, organisation or contact, to anyone but the child's own
  LA team. This is decided when the inbox is read, so a shield requested after the notice was sent hides
  it too (R-SHIELD-2: a shield takes effect at once). The recipient can ask the LA team to broker contact.
- R-RET-3: once the new involvement's contact details are archived, its notice carries no phone or e-mail.
- R-RET-2: notices about a child who has left the live directory are not shown.

The inbox also carries the other kinds other modules write: ``contact_request`` (the LA team passed on a
request to contact you, R-SENS-4: the requester's name, job title, organisation and the phone / e-mail they
gave), ``contact_answered`` (your request was passed on or declined: see "my contact requests" for which) and
``shield_lifted`` (child only).
"""
from __future__ import annotations

from dataclasses import dataclass

from ... import directory_id as ids
from ...model import Role, ServiceType, Viewer
from ...refusals import AccessRefused
from . import checks
from . import types as t


@dataclass(frozen=True)
class Told:
    """What ``tell_others`` did, as the newcomer may be told it (``types.Recorded``)."""

    others: tuple[t.OtherPractitioner, ...] = ()
    told: tuple[t.OtherPractitioner, ...] = ()
    told_unnamed: int = 0


def tell_others(d, viewer: Viewer, req: t.NewInvolvement, child_id: int, la: str, new_id: int) -> Told:
    """Notices to the recorders of the child's other current involvements from other organisations, and what
    the newcomer is told of them: who was notified, named only as the record shows them to the newcomer, and
    whom to contact. Called by ``involvements.record`` inside its transaction."""
    if req.service.sensitive:  # R-SENS-3: never told, never listed
        return Told()
    organisation, me = d.conn.execute("SELECT organisation, recorded_by FROM involvements WHERE id = ?",
                                      (new_id,)).fetchone()
    rows = d.conn.execute(
        "SELECT i.service, i.practitioner, i.role, i.organisation, i.phone, i.email, i.contact_archived, "
        "i.recorded_by, u.username IS NOT NULL FROM involvements i LEFT JOIN users u ON u.username = i.recorded_by "
        "WHERE i.child_id = ? AND i.ended IS NULL AND i.id != ? AND lower(i.organisation) != lower(?) "
        "ORDER BY i.started, i.id", (child_id, new_id, organisation)).fetchall()
    told: list[str] = []
    for *_, by, is_user in rows:
        if is_user and by != me and by not in told:
            told.append(by)
    at = d._stamp()
    for username in told:
        d.conn.execute("INSERT INTO notices (username, at, kind, child_id, about_involvement) VALUES (?,?,?,?,?)",
                       (username, at, t.NoticeKind.ALSO_WORKING.value, child_id, new_id))
    if told:
        d.audit.record(viewer.user.username, "also_working_notices", viewer=viewer, reason=req.reason.text(),
                       detail={"directory_id": ids.shown(req.directory_id), "involvement_id": new_id,
                               "told": told}, las=(la,))
    shielded = d.conn.execute("SELECT shielded_at IS NOT NULL FROM children WHERE id = ?", (child_id,)).fetchone()[0]
    if shielded:  # R-SHIELD-1: the newcomer gets the restricted view, so no involvement is shown or named
        return Told(told_unnamed=len(told))
    shown: list[tuple[str, t.OtherPractitioner]] = [  # R-SENS-3: never a sensitive involvement
        (by, t.OtherPractitioner(who, role, org, "" if archived else phone, "" if archived else email))
        for service, who, role, org, phone, email, archived, by, _ in rows
        if not ServiceType(service).sensitive and by != me]
    first: dict[str, t.OtherPractitioner] = {}
    for by, line in shown:
        first.setdefault(by, line)
    named = tuple(first[u] for u in told if u in first)
    return Told(tuple(line for _, line in shown), named, len(told) - len(named))


def _signed_in(d, viewer: Viewer) -> None:
    d._session_of(viewer)
    problem = d.account_problem(viewer.user)
    if problem:
        raise AccessRefused(problem[1], **problem[2])


def inbox(d, viewer: Viewer, _: t.Nothing) -> tuple[t.Notice, ...]:
    """The signed-in user's notices, newest first (see the module docstring for what each may carry)."""
    _signed_in(d, viewer)
    me = viewer.user
    out = []
    for (nid, kind, at, read, did, given, family, la, shielded, iid, service, who, role, org, phone, email,
         archived, rid, r_by, r_phone, r_email) in d.conn.execute(
            "SELECT n.id, n.kind, n.at, n.read, c.directory_id, c.given_names, c.family_name, c.la_code, "
            "c.shielded_at IS NOT NULL, i.id, i.service, i.practitioner, i.role, i.organisation, i.phone, i.email, "
            "i.contact_archived, r.id, r.requested_by, r.phone, r.email "
            "FROM notices n JOIN children c ON c.id = n.child_id "
            "LEFT JOIN involvements i ON i.id = n.about_involvement "
            "LEFT JOIN contact_requests r ON r.id = n.about_request "
            "WHERE n.username = ? AND c.archived_on IS NULL ORDER BY n.id DESC", (me.username,)):
        try:
            kind = t.NoticeKind(kind)
        except ValueError:  # a kind this version does not know: not shown rather than shown wrong
            continue
        detail: dict = {}
        protected = me.role is Role.LA_MANAGEMENT and me.la_code == la
        if kind is t.NoticeKind.ALSO_WORKING and iid is not None:
            hidden = (shielded or ServiceType(service).sensitive) and not protected  # R-SHIELD-1, R-SENS-3
            if not hidden:
                detail = dict(practitioner=who, role=role, organisation=org,
                              phone="" if archived else phone, email="" if archived else email)  # R-RET-3
        elif kind is t.NoticeKind.CONTACT_REQUEST and rid is not None:
            # R-SENS-4: who asks, and the contact details they chose to pass on; the practitioner decides
            requester = d.conn.execute("SELECT display_name, job_title, organisation FROM users WHERE username = ?",
                                       (r_by,)).fetchone() or ("", "", "")
            detail = dict(practitioner=requester[0], role=requester[1] or "", organisation=requester[2],
                          phone=r_phone, email=r_email)
        out.append(t.Notice(nid, kind, at, f"{given} {family}", ids.fmt(did), read=bool(read), **detail))
    d.audit.record(me.username, "inbox_read", viewer=viewer, detail={"notices": len(out)})
    return tuple(out)


def mark_read(d, viewer: Viewer, req: t.NoticeRef) -> None:
    """Mark one of one's own notices read; anyone else's (or none) is refused alike."""
    _signed_in(d, viewer)
    checks.number(req.notice_id, "notice_id")
    row = d.conn.execute("SELECT n.read, c.la_code FROM notices n JOIN children c ON c.id = n.child_id "
                         "WHERE n.id = ? AND n.username = ?", (req.notice_id, viewer.user.username)).fetchone()
    if row is None:
        raise AccessRefused("notice.not_yours")
    d.conn.execute("UPDATE notices SET read = 1 WHERE id = ?", (req.notice_id,))
    d.audit.record(viewer.user.username, "notice_read", viewer=viewer,
                   detail={"notice_id": req.notice_id, "already_read": bool(row[0])}, las=(row[1],))
