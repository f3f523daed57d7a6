"""The register of organisations and the vocabulary of roles: no free text where case notes could go (R-REC-5).

An involvement's organisation, a registered colleague's organisation and a new user's organisation come from the
directory's register of organisations (table ``organisations``: the settings, GP practices, services and LA teams
the directory already knows, seeded by the generator and, for a directory made before the register, by the
schema migration ``la-admin-register``). An involvement's role comes from the vocabulary of its service type
(``ROLE_TITLES``), a registered colleague's from any service type's. Anything else is refused with a code and
words (``register.unknown_organisation``, ``register.unknown_role``), so "Concern: dad violent, bruises seen" or
"Hub - mum drinks, dad violent" can no longer reach every viewer of a record (issue 14 §2.3).

"Other" is only a request: a practitioner asks their LA team to add an organisation, or a
role title for a service type (``ask``); it waits, shown to nobody else, in the LA team's queue (``queue``) until
the team approves or declines it (``decide``). An approved organisation is listed in that LA's register (and so
usable by anyone: an organisation is an organisation); an approved role title is usable by that LA's users, for
that service type. The LA team's own additions are listed at once. Everything here is audited (R-AUDIT-1).

An update of an involvement may keep the organisation and role it already has (recorded before the register);
only a change must come from the register.
"""
from __future__ import annotations

from ...model import Role, ServiceType, Viewer
from ...refusals import AccessRefused
from . import checks
from . import types as t

LISTED, REQUESTED, DECLINED = "listed", "requested", "declined"
WAITING_SHOWN = 500

# The roles each service type's practitioners hold. The generator draws its practitioners' roles from here.
ROLE_TITLES: dict[ServiceType, tuple[str, ...]] = {
    ServiceType.EDUCATION: ("Teacher", "Head teacher", "Deputy head teacher", "Designated safeguarding lead",
                            "Special educational needs co-ordinator", "Teaching assistant", "Pastoral manager",
                            "Early years practitioner", "Nursery manager", "College tutor"),
    ServiceType.GP: ("GP", "Practice nurse", "Practice manager"),
    ServiceType.MIDWIFE: ("Community midwife", "Specialist midwife", "Midwife"),
    ServiceType.HEALTH_VISITOR: ("Health visitor", "Community nursery nurse"),
    ServiceType.SCHOOL_NURSE: ("School nurse", "School nursing assistant"),
    ServiceType.SOCIAL_CARE: ("Social worker", "Senior practitioner", "Family support worker", "Team manager",
                              "Independent reviewing officer", "Leaving care personal adviser"),
    ServiceType.EARLY_HELP: ("Family support worker", "Early help practitioner", "Early help co-ordinator",
                             "Parenting practitioner"),
    ServiceType.YOUTH_JUSTICE: ("Youth justice officer", "Youth justice case manager"),
    ServiceType.EDUCATION_WELFARE: ("Education welfare officer", "Attendance officer"),
    ServiceType.SPEECH_LANGUAGE: ("Speech and language therapist", "Speech and language therapy assistant"),
    ServiceType.PAEDIATRICS: ("Community paediatrician", "Specialist nurse", "Paediatric registrar"),
    ServiceType.YOUTH_SERVICE: ("Youth worker", "Senior youth worker"),
    ServiceType.CONNEXIONS: ("Personal adviser", "Careers adviser"),
    ServiceType.SEXUAL_HEALTH: ("Sexual health nurse", "Outreach worker", "Sexual health doctor"),
    ServiceType.CAMHS: ("Clinical psychologist", "Mental health practitioner", "Psychiatrist",
                        "Consultant psychiatrist", "Child psychotherapist", "Mental health nurse"),
    ServiceType.SUBSTANCE_MISUSE: ("Drug and alcohol worker", "Substance misuse nurse"),
}
ASKING = (Role.PRACTITIONER, Role.CHILD_PROTECTION, Role.LA_MANAGEMENT)  # those who record what the pickers offer


def _same(value: str) -> str:
    return " ".join(value.split()).casefold()


# -- the checks the other work uses ----------------------------------------------------------------------------
def organisation(d, value: str, field: str = "organisation") -> str:
    """``value`` as the register spells it, if it is a listed organisation; else refused (R-REC-5)."""
    name = d.store.register.organisation_named(" ".join(value.split()), LISTED)
    if name is None:
        raise AccessRefused("register.unknown_organisation", field)
    return name


def role(d, la: str, value: str, service: ServiceType | None, field: str = "role") -> str:
    """``value`` as the vocabulary spells it, if it is a role of ``service`` (of any service type when None),
    from the national list or approved by the LA team of ``la``; else refused (R-REC-5)."""
    wanted = _same(value)
    services = (service,) if service is not None else tuple(ServiceType)
    for s in services:
        for title in ROLE_TITLES.get(s, ()):
            if _same(title) == wanted:
                return title
    found = d.store.register.role_title(" ".join(value.split()), la, LISTED, tuple(s.value for s in services))
    if found is None:
        raise AccessRefused("register.unknown_role", field)
    return found


def titles(d, la: str) -> dict[ServiceType, tuple[str, ...]]:
    """Every role title usable in ``la``, per service type: the national list, then the LA team's additions."""
    extra: dict[ServiceType, list[str]] = {}
    for service, title in d.store.register.role_titles_of(la, LISTED):
        try:
            extra.setdefault(ServiceType(service), []).append(title)
        except ValueError:
            continue
    return {s: ROLE_TITLES[s] + tuple(x for x in extra.get(s, ()) if x not in ROLE_TITLES[s]) for s in ServiceType}


# -- the operations --------------------------------------------------------------------------------------------
def _asking(d, viewer: Viewer) -> None:
    d._session_of(viewer)
    problem = d.account_problem(viewer.user)
    if problem:
        raise AccessRefused(problem[1], **problem[2])
    if viewer.role not in ASKING:
        raise AccessRefused("access.la_team_only")


def vocabulary(d, viewer: Viewer, _: t.Nothing) -> t.Vocabulary:
    """What the pickers offer the signed-in user: their LA's listed organisations, the role titles usable in
    their LA per service type, and their own requests still waiting for the LA team."""
    _asking(d, viewer)
    la = viewer.user.la_code
    organisations = tuple(d.store.register.organisations_of(la, LISTED))
    roles = tuple(t.RoleTitles(s, x) for s, x in titles(d, la).items())
    waiting = tuple(e for e in _entries(d, la, requested_by=viewer.user.username))
    return t.Vocabulary(organisations, roles, waiting)


def ask(d, viewer: Viewer, req: t.RegisterAsk) -> t.RegisterEntry:
    """Ask the LA team to add an organisation or a role title ("Other…"). The LA team's own request is listed
    at once; anyone else's waits for the team's decision, seen by nobody but the team and the asker."""
    _asking(d, viewer)
    if not isinstance(req.kind, t.RegisterKind):
        raise AccessRefused("input.required", "kind")
    la, me = viewer.user.la_code, viewer.user.username
    status = LISTED if viewer.role is Role.LA_MANAGEMENT else REQUESTED
    at = d._stamp()
    if req.kind is t.RegisterKind.ORGANISATION:
        name = checks.text(req.name, checks.ORGANISATION_CHARS, "name")
        if len(name) < 3:
            raise AccessRefused("input.required", "name")
        try:
            organisation(d, name)
        except AccessRefused:
            pass
        else:
            raise AccessRefused("register.already_listed", "name")
        entry_id = _again(d, req.kind, la, name, None, status, me, at)
        if entry_id is None:
            entry_id = d.store.register.add_organisation(name, la, status, me, at)
        service = None
    else:
        if not isinstance(req.service, ServiceType):
            raise AccessRefused("input.required", "service")
        service = req.service
        name = checks.text(req.name, checks.ROLE_CHARS, "name")
        if len(name) < 2:
            raise AccessRefused("input.required", "name")
        try:
            role(d, la, name, service)
        except AccessRefused:
            pass
        else:
            raise AccessRefused("register.already_listed", "name")
        entry_id = _again(d, req.kind, la, name, service, status, me, at)
        if entry_id is None:
            entry_id = d.store.register.add_role_title(service.value, name, la, status, me, at)
    d.audit.record(me, "register_asked", viewer=viewer,
                   detail={"kind": req.kind.value, "entry": entry_id, "listed": status == LISTED,
                           **({"service": service.value} if service else {})}, las=(la,))
    return t.RegisterEntry(entry_id, req.kind, name, service, me, at, status)


def _again(d, kind: t.RegisterKind, la: str, name: str, service: ServiceType | None, status: str, me: str,
           at: str) -> int | None:
    """The id of the LA's existing entry, asked for again: a declined one is asked for afresh (circumstances
    change); one still waiting is refused; None if there is none."""
    row = d.store.register.entry_named(kind.value, la, name, service.value if service else None)
    if row is None:
        return None
    if row[1] != DECLINED:
        raise AccessRefused("register.already_asked", "name")
    d.store.register.ask_again(kind.value, row[0], status, me, at)
    return row[0]


def _entries(d, la: str, requested_by: str | None = None) -> list[t.RegisterEntry]:
    """The requests waiting in ``la`` (only ``requested_by``'s when given), oldest first."""
    out = [t.RegisterEntry(i, t.RegisterKind.ORGANISATION, name, None, by, at, status)
           for i, name, by, at, status in d.store.register.waiting_organisations(la, REQUESTED, requested_by,
                                                                                 WAITING_SHOWN)]
    for i, service, title, by, at, status in d.store.register.waiting_role_titles(la, REQUESTED, requested_by,
                                                                                  WAITING_SHOWN):
        out.append(t.RegisterEntry(i, t.RegisterKind.ROLE, title, ServiceType(service), by, at, status))
    return sorted(out, key=lambda e: e.requested_at)


def queue(d, viewer: Viewer, _: t.Nothing) -> tuple[t.RegisterEntry, ...]:
    """The LA team's queue of requests to add an organisation or a role title, oldest first (own LA only)."""
    reason = d.la_team_request(viewer, "register_queue", "access.la_team_only")
    la = viewer.user.la_code
    out = tuple(_entries(d, la))
    d.audit.record(viewer.user.username, "register_queue_read", viewer=viewer, reason=reason.text(),
                   detail={"waiting": len(out)}, las=(la,))
    return out


def decide(d, viewer: Viewer, req: t.RegisterDecision) -> t.RegisterEntry:
    """The LA team approves (listed: usable from now on) or declines one of its LA's waiting requests."""
    reason = d.la_team_request(viewer, "decide_register", "access.la_team_only")
    if not isinstance(req.kind, t.RegisterKind) or not isinstance(req.approve, bool):
        raise AccessRefused("input.required", "kind")
    entry_id = checks.number(req.entry_id, "entry_id", 1)
    row = d.store.register.entry(req.kind.value, entry_id)
    la = viewer.user.la_code
    if row is None or row[2] != la or row[3] != REQUESTED:
        d.audit_refusal(viewer, reason, "decide_register", "not a waiting request of this LA", entry=entry_id)
        exc = AccessRefused("register.not_waiting", "entry_id")
        exc.audited = True
        raise exc
    name, service, _, _, by, at = row
    if req.approve and req.kind is t.RegisterKind.ORGANISATION:  # listed meanwhile elsewhere: one entry is enough
        try:
            organisation(d, name)
        except AccessRefused:
            pass
        else:
            raise AccessRefused("register.already_listed", "entry_id")
    status = LISTED if req.approve else DECLINED
    d.store.register.decide(req.kind.value, entry_id, status, viewer.user.username, d._stamp())
    d.audit.record(viewer.user.username, "register_decided", viewer=viewer, reason=reason.text(),
                   detail={"kind": req.kind.value, "entry": entry_id, "approved": req.approve}, las=(la,))
    return t.RegisterEntry(entry_id, req.kind, name, ServiceType(service) if service else None, by, at, status)
