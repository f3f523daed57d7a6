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
    organisation, me = d.store.notices.newcomer(new_id)
    rows = d.store.notices.others_working(child_id, besides=new_id, organisation=organisation)
    told: list[str] = []
    for row in rows:
        if row.is_user and row.recorded_by != me and row.recorded_by not in told:
            told.append(row.recorded_by)
    at = d._stamp()
    for username in told:
        d.store.notices.add_about_involvement(username, at, t.NoticeKind.ALSO_WORKING.value, child_id, new_id)
    if told:
        d.audit.record(viewer.user.username, "also_working_notices", viewer=viewer, reason=req.reason.text(),
                       detail={"directory_id": ids.shown(req.directory_id), "involvement_id": new_id,
                               "told": told}, las=(la,))
    if d.store.shields.is_shielded(child_id):  # R-SHIELD-1: the newcomer gets the restricted view: no involvement named
        return Told(told_unnamed=len(told))
    shown: list[tuple[str, t.OtherPractitioner]] = [  # R-SENS-3: never a sensitive involvement
        (row.recorded_by, t.OtherPractitioner(row.practitioner, row.role, row.organisation,
                                              "" if row.contact_archived else row.phone,
                                              "" if row.contact_archived else row.email))
        for row in rows if not ServiceType(row.service).sensitive and row.recorded_by != me]
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
    for n in d.store.notices.inbox_of(me.username):
        try:
            kind = t.NoticeKind(n.kind)
        except ValueError:  # a kind this version does not know: not shown rather than shown wrong
            continue
        detail: dict = {}
        protected = me.role is Role.LA_MANAGEMENT and me.la_code == n.la_code
        if kind is t.NoticeKind.ALSO_WORKING and n.involvement_id is not None:
            # R-SHIELD-1, R-SENS-3
            hidden = (n.shielded or ServiceType(n.service).sensitive) and not protected
            if not hidden:
                archived = n.contact_archived
                detail = dict(practitioner=n.practitioner, role=n.role, organisation=n.organisation,
                              phone="" if archived else n.phone, email="" if archived else n.email)  # R-RET-3
        elif kind is t.NoticeKind.CONTACT_REQUEST and n.request_id is not None:
            # R-SENS-4: who asks, and the contact details they chose to pass on; the practitioner decides
            asker = d.store.accounts.account(n.requested_by)
            requester = (asker.display_name, asker.job_title, asker.organisation) if asker else ("", "", "")
            detail = dict(practitioner=requester[0], role=requester[1] or "", organisation=requester[2],
                          phone=n.request_phone, email=n.request_email)
        out.append(t.Notice(n.notice_id, kind, n.at, f"{n.given_names} {n.family_name}", ids.fmt(n.directory_id),
                            read=n.read, **detail))
    d.audit.record(me.username, "inbox_read", viewer=viewer, detail={"notices": len(out)})
    return tuple(out)


def mark_read(d, viewer: Viewer, req: t.NoticeRef) -> None:
    """Mark one of one's own notices read; anyone else's (or none) is refused alike."""
    _signed_in(d, viewer)
    checks.number(req.notice_id, "notice_id")
    row = d.store.notices.own_notice(req.notice_id, viewer.user.username)
    if row is None:
        raise AccessRefused("notice.not_yours")
    d.store.notices.mark_read(req.notice_id)
    d.audit.record(viewer.user.username, "notice_read", viewer=viewer,
                   detail={"notice_id": req.notice_id, "already_read": bool(row[0])}, las=(row[1],))
