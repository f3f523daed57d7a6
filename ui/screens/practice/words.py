"""The words of the practitioners' home view: notices and contact-request states (Qt-free, tested)."""
from __future__ import annotations

from datetime import datetime

from app.directory.work import types as t

STATUS_WORDS = {
    t.ContactStatus.WAITING: "Waiting for the LA team",
    t.ContactStatus.PASSED_ON: "Passed on by the LA team (how was not recorded)",
    t.ContactStatus.DECLINED: "Declined by the LA team",
}


def when(iso: str) -> str:
    try:
        return f"{datetime.fromisoformat(iso):%d/%m/%Y %H:%M}"
    except (TypeError, ValueError):
        return iso or ""


def _who(n: t.Notice) -> str:
    role = f"{n.role} at {n.organisation}" if n.role and n.organisation else (n.role or n.organisation)
    return f"{n.practitioner}, {role}" if role else n.practitioner


def _reach(n: t.Notice) -> str:
    how = " · ".join(x for x in (n.phone, n.email) if x)
    return f" ({how})" if how else ""


def notice_words(n: t.Notice) -> str:
    """One line of the inbox, e.g. "Dr Ann Lee, Nurse at Northbridge CAMHS, is now also working with Poppy Smith"."""
    if n.kind is t.NoticeKind.ALSO_WORKING:
        return f"{_who(n)}, is now also working with {n.child_name}{_reach(n)}"
    if n.kind is t.NoticeKind.CONTACT_REQUEST:
        return (f"The LA team passes on a request from {_who(n)} to contact you about {n.child_name}{_reach(n)}. "
                "You decide whether to respond.")
    if n.kind is t.NoticeKind.CONTACT_ANSWERED:
        return f"Your contact request about {n.child_name} has been answered: see My contact requests."
    if n.kind is t.NoticeKind.SHIELD_LIFTED:
        return f"The shield you requested on {n.child_name}'s record was lifted at review."
    return f"A notice about {n.child_name}."


def recorded_words(r: t.Recorded) -> str:
    """After "I am working with this child": exactly whom the directory told, or that nobody was (issue 14 §1.5).
    A sensitive involvement is never announced (R-SENS-3); those told whom the record does not show are counted,
    not named (R-SENS-3, R-SHIELD-1)."""
    if r.involvement.service.sensitive:
        return ("Recorded. Nobody else was told: this is a sensitive service, so only you and the child's LA team "
                "see it in full.")
    if not r.told and not r.told_unnamed:
        return ("Recorded. Nobody else was told: no one else from another organisation working with this child "
                "uses Signpost.")
    named = [f"{o.practitioner} ({', '.join(x for x in (o.role, o.organisation) if x)})" for o in r.told]
    if r.told_unnamed:
        n = r.told_unnamed
        named.append(f"{n} other practitioner{'' if n == 1 else 's'} whom this record does not show you")
    return "Recorded. Told in Signpost that you are working with this child: " + "; ".join(named) + "."


PASSED_ON_WORDS = {  # what actually happened (issue 14 §1.6, R-SENS-4)
    t.PassedOnBy.SIGNPOST: "Passed on in Signpost: the practitioner has your details and decides whether to "
                           "contact you",
    t.PassedOnBy.PHONE: "Passed on by the LA team by phone: the practitioner has your details and decides whether to "
                        "contact you",
    t.PassedOnBy.EMAIL: "Passed on by the LA team by e-mail: the practitioner has your details and decides whether "
                        "to contact you",
}


def status_words(r: t.ContactRequestState) -> str:
    if r.status is t.ContactStatus.PASSED_ON and r.passed_on_by in PASSED_ON_WORDS:
        return PASSED_ON_WORDS[r.passed_on_by]  # type: ignore[index]
    return STATUS_WORDS.get(r.status, str(r.status))


def request_row(r: t.ContactRequestState) -> tuple[str, str, str, str]:
    """(child, asked, status, decided) for the My contact requests table."""
    return (f"{r.child_name} ({r.directory_id})", when(r.requested_at), status_words(r), when(r.decided_at))


def titled(title: str, attention: int) -> str:
    """A tab's title with what needs attention counted: "Home (2)"."""
    return f"{title} ({attention})" if attention else title
