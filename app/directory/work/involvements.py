"""A practitioner's own involvements with a child (R-REC-4, R-ROLE-1, R-SENS-2, R-RET-3), and telling the
others already working with the child (issue 8 item 5, via ``notices``).

Who may do what:
- R-ROLE-1 Practitioners (child-protection practitioners too) record, update and end their OWN involvements
  and set their own lead-professional and CAF indicators. Mediating users and the LA team do not (refused,
  audited). The practitioner's name is the signed-in user's display name: nothing is typed for it.
- Recording needs a child this session was given in search results (anti-trawling, R-SEARCH-3). Updating,
  ending and the indicators need the involvement to be the viewer's own (``recorded_by``): that is the link
  to the child, and it lets the offline outbox replay a change after a fresh sign-in without a new search.
  Any involvement that is not the viewer's own (or does not exist, or is another child's) gets the same
  refusal, so nothing can be probed.
- Every change names the ``version`` the client saw; a change made elsewhere since is a conflict
  (``involvement.conflict``), never overwritten; an ended involvement cannot be changed. Every change bumps
  the version.
- R-REC-5: only the service type (fixed list), organisation, role title, phone, e-mail and dates are stored; the
  organisation comes from the directory's register and the role from its service type's vocabulary
  (``register``), never free text.

Sensitive services (R-SENS-2): consent (who, when) or a child-protection override, exactly one. Consent or
override sent with a service that is not sensitive is ignored (not stored, no alert). An override is audited
as such and alerts the child's LA team.

Lead professional: at most one current lead per child. A second claimant is told who holds it
(``involvement.lead_taken``) only if they could see that involvement on the record; if it is withheld from
them (sensitive, R-SENS-3) or the child is shielded and they get the restricted view (R-SHIELD-1: involvements
can reveal whereabouts), they are told only that someone holds it (``involvement.lead_taken_withheld``).
"""
from __future__ import annotations

from datetime import date

from ... import directory_id as ids
from ... import records
from ...dates import anniversary
from ...model import ConsentBy, ConsentOverride, Involvement, Role, ServiceType, Viewer
from ...refusals import AccessRefused
from ..store.involvements import Held
from . import alerts, checks, notices, register
from . import types as t

PRACTITIONER_ROLES = (Role.PRACTITIONER, Role.CHILD_PROTECTION)


# -- shared checks -----------------------------------------------------------------------------------
def _practitioner(d, viewer: Viewer) -> None:
    """R-ROLE-1: only practitioners keep involvements. The session is checked first (so the role is the one
    it signed in with), and the role before the reason or colleague, so a mediating user or the LA team is
    told that this is the practitioner's own act."""
    d._session_of(viewer)
    if viewer.role not in PRACTITIONER_ROLES:
        raise AccessRefused("involvement.practitioners_only")


def _live_child(d, directory_id) -> tuple[int, str, date] | None:
    """(child id, LA, date of birth) of a child still in the live directory, or None."""
    child_id = records.child_id_for(d.store, directory_id)
    if child_id is None:
        return None
    child = d.store.records.child(child_id)
    if child is None or d.store.records.is_archived(child_id):  # R-RET-2: an archived record is not worked on
        return None
    return child_id, child.la_code, date.fromordinal(child.dob)


def _contact(req) -> tuple[str, str, str, str]:
    """Organisation, role, phone, e-mail, bounded (R-REC-5); a phone number or an e-mail address at least."""
    organisation = checks.text(req.organisation, checks.ORGANISATION_CHARS, "organisation")
    role = checks.text(req.role, checks.ROLE_CHARS, "role")
    phone = checks.phone(req.phone, required=False)
    email = checks.email(req.email, required=False)
    if not phone and not email:
        raise AccessRefused("involvement.contact_required", "phone")
    return organisation, role, phone, email


def _own(d, viewer: Viewer, req, action: str) -> tuple[int, str, Held]:
    """The viewer's own involvement named by ``req`` as (child id, LA, row), after the session and role checks,
    refusing anything else before any change (R-ROLE-1)."""
    _practitioner(d, viewer)
    d.check_request(viewer, req.reason, action)
    checks.number(req.involvement_id, "involvement_id")
    checks.number(req.version, "version")
    child = _live_child(d, req.directory_id)
    row = None if child is None else d.store.involvements.held(req.involvement_id, child[0])
    if child is None or row is None or row.recorded_by != viewer.user.username:
        raise AccessRefused("involvement.not_yours")
    if row.ended is not None:
        raise AccessRefused("involvement.ended")
    if row.version != req.version:  # changed elsewhere since the client saw it (the offline outbox relies on this)
        raise AccessRefused("involvement.conflict", version=row.version)
    return child[0], child[1], row


def _answer(d, viewer: Viewer, child_id: int, la: str, involvement_id: int) -> Involvement:
    (inv,) = records._involvements(d.store, viewer, child_id, la, involvement_id)
    return inv


def _audit(d, viewer: Viewer, req, action: str, la: str, **detail) -> None:
    d.audit.record(viewer.user.username, action, viewer=viewer, reason=req.reason.text(),
                   detail={"directory_id": ids.shown(req.directory_id), **detail}, las=(la,))


def archive_date(end: date, keep: t.KeepContact) -> date:
    """R-RET-3: the day an ended involvement's contact details are archived, one or five years after the end (the
    one rule the generator and the sweep use too: ``app.dates.anniversary``)."""
    return anniversary(end, 5 if keep is t.KeepContact.FIVE_YEARS else 1)


# -- operations --------------------------------------------------------------------------------------
def record(d, viewer: Viewer, req: t.NewInvolvement) -> t.Recorded:
    """R-ROLE-1, R-REC-4, R-SENS-2: the signed-in practitioner records that they work with a child they found.
    Others working with the child are told (``notices.tell_others``), never for a sensitive service."""
    _practitioner(d, viewer)
    state = d.check_request(viewer, req.reason, "record_involvement")
    child = _live_child(d, req.directory_id)
    if child is None or child[0] not in state.granted:
        raise AccessRefused("access.not_from_results")
    child_id, la, dob = child
    if not isinstance(req.service, ServiceType):
        raise AccessRefused("input.required", "service")
    organisation, role, phone, email = _contact(req)
    organisation = register.organisation(d, organisation)  # rule R-REC-5: from the register, never free text
    role = register.role(d, viewer.user.la_code, role, req.service)
    today = d.clock()
    start = checks.day(req.start, "start", not_after=today, not_before=dob)
    consent_by = consent_on = override = None
    if req.service.sensitive:  # R-SENS-2: consent or an override, exactly one
        if (req.consent is None) == (req.override is None):
            raise AccessRefused("involvement.consent_required", "consent")
        if req.consent is not None:
            if not isinstance(req.consent, t.Consent) or not isinstance(req.consent.by, ConsentBy):
                raise AccessRefused("involvement.consent_required", "consent")
            consent_by = req.consent.by.value
            consent_on = checks.day(req.consent.on, "consent", not_after=today).toordinal()
        else:
            if not isinstance(req.override, ConsentOverride):
                raise AccessRefused("involvement.consent_required", "consent")
            override = req.override.value
    if d.store.involvements.current_by(child_id, viewer.user.username, req.service.value, organisation):
        raise AccessRefused("involvement.already_recorded")
    iid = d.store.involvements.add(child_id, req.service.value, organisation, viewer.user.display_name, role, phone,
                                   email, start.toordinal(), viewer.user.username, consent_by, consent_on, override)
    detail: dict[str, object] = {"involvement_id": iid, "service": req.service.value}
    if req.service.sensitive:
        detail["consent"] = f"override:{override}" if override else consent_by
    _audit(d, viewer, req, "involvement_recorded", la, **detail)
    if override:  # R-SENS-2: recorded without consent -- the LA team is alerted, pointing at that entry
        alerts.raise_alert(d, t.AlertKind.CONSENT_OVERRIDE, viewer.user.username, la, child_id)
    told = notices.tell_others(d, viewer, req, child_id, la, iid)
    return t.Recorded(_answer(d, viewer, child_id, la, iid), told.others, told.told, told.told_unnamed)


def update(d, viewer: Viewer, req: t.InvolvementChange) -> Involvement:
    """R-ROLE-1: new contact details for one's own current involvement, at the version the client saw."""
    child_id, la, row = _own(d, viewer, req, "update_involvement")
    organisation, role, phone, email = _contact(req)
    # rule R-REC-5: a changed organisation or role comes from the register; one recorded before it may stay
    held_org, held_role = d.store.involvements.organisation_and_role(req.involvement_id)
    if organisation != held_org:
        organisation = register.organisation(d, organisation)
    if role != held_role:
        role = register.role(d, viewer.user.la_code, role, ServiceType(row.service))
    d.store.involvements.update_contact(req.involvement_id, organisation, role, phone, email)
    _audit(d, viewer, req, "involvement_updated", la, involvement_id=req.involvement_id, version=row.version + 1)
    return _answer(d, viewer, child_id, la, req.involvement_id)


def end(d, viewer: Viewer, req: t.InvolvementEnd) -> Involvement:
    """R-ROLE-1, R-RET-3: end one's own involvement; its contact details are archived one year after the end,
    or five if the practitioner chooses (``retention`` archives them on that date)."""
    child_id, la, row = _own(d, viewer, req, "end_involvement")
    end_day = checks.day(req.end, "end", not_after=d.clock(), not_before=date.fromordinal(row.started))
    if not isinstance(req.keep_contact, t.KeepContact):
        raise AccessRefused("input.required", "keep_contact")
    years = 5 if req.keep_contact is t.KeepContact.FIVE_YEARS else 1
    archive_on = archive_date(end_day, req.keep_contact)
    d.store.involvements.end(req.involvement_id, end_day.toordinal(), years, archive_on.toordinal())
    _audit(d, viewer, req, "involvement_ended", la, involvement_id=req.involvement_id, version=row.version + 1,
           end=end_day.isoformat(), keep_contact_years=years)
    return _answer(d, viewer, child_id, la, req.involvement_id)


def set_indicators(d, viewer: Viewer, req: t.Indicators) -> Involvement:
    """R-REC-4, R-ROLE-1: set or clear lead professional and CAF completed on one's own current involvement.
    At most one current lead professional per child; clearing is always allowed."""
    child_id, la, row = _own(d, viewer, req, "set_indicators")
    if not isinstance(req.lead_professional, bool) or not isinstance(req.caf_completed, bool):
        raise AccessRefused("input.required", "lead_professional")
    if req.lead_professional:
        holder = d.store.involvements.lead_of(child_id, besides=req.involvement_id)
        if holder is not None:
            service, who, org, by = holder.service, holder.practitioner, holder.organisation, holder.recorded_by
            shielded = d.store.shields.is_shielded(child_id)
            # R-SENS-3, R-SHIELD-1: not named where the record would not show it (the LA team never asks)
            hidden = (ServiceType(service).sensitive and by != viewer.user.username) or bool(shielded)
            if hidden:
                raise AccessRefused("involvement.lead_taken_withheld")
            raise AccessRefused("involvement.lead_taken", practitioner=who, organisation=org)
    d.store.involvements.set_indicators(req.involvement_id, req.lead_professional, req.caf_completed)
    _audit(d, viewer, req, "involvement_indicators_set", la, involvement_id=req.involvement_id,
           version=row.version + 1, lead_professional=req.lead_professional, caf_completed=req.caf_completed)
    return _answer(d, viewer, child_id, la, req.involvement_id)

