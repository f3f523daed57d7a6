"""Building one viewer's view of a child record.

Withheld fields are never read into the view at all (R-SHIELD-4): what the
directory does not return, no client can show.
- R-SHIELD-1 a shielded record shows most users names, date of birth, gender
  and directory id only. Former names are withheld too: a former name can
  lead to a birth family.
- R-SENS-3 a sensitive involvement is "an unspecified service" to everyone
  but the practitioner who recorded it and the child's LA management team.
- R-SHIELD-1/2 (issue 13 §3.1) a sibling held by a shield in its household
  (``app.siblings``) shows no address, no carers, and no setting or GP it
  shares with the shielded child, until the LA team decides.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from . import directory_id, search_index, siblings
from .model import (
    Address,
    ConsentBy,
    ConsentOverride,
    Gender,
    GpPractice,
    Involvement,
    LaTeamContact,
    Name,
    ParentCarer,
    RecordView,
    Role,
    ServiceType,
    Setting,
    SettingKind,
    Viewer,
    WithheldInvolvement,
)
from .refusals import NoSuchRecord

if TYPE_CHECKING:
    from .directory.store import Store

T = TypeVar("T")


def child_id_for(store: Store, text: str) -> int | None:
    """The internal row id behind a directory id as typed or shown ("123 456 7890"), or None."""
    value = directory_id.parse(text) if isinstance(text, str) and len(text) <= 16 else None
    if value is None:
        return None
    return store.records.child_id_for(value)


def la_of(store: Store, child_id: int) -> str:
    return store.records.la_of(child_id) or ""


def shield(store: Store, conn, child_id: int, at: str) -> bool:
    """Shield a record now (R-SHIELD-2): from this moment its withheld fields are not sent and
    its withheld names and postcode leave the search index (R-SHIELD-5). False if already shielded.
    ``conn`` is the search index's (``app.search_index`` is not behind the store seam yet)."""
    changed = store.shields.shield(child_id, at)
    if changed:  # R-SHIELD-1/2: a shield set anew holds its siblings again until the LA team decides, even
        # when it is set in the same second as a decision made about an earlier setting of it
        store.shields.forget_decisions(child_id)
        reindex_household(store, conn, child_id)  # its siblings lose the family's postcode too (app.siblings)
    return changed


def unshield(store: Store, conn, child_id: int) -> bool:
    """Lift a shield (R-SHIELD-3, at review): the record is whole again for everyone, and its postcode and
    former names are back in the search index. False if it was not shielded. ``conn`` as for ``shield``."""
    changed = store.shields.unshield(child_id)
    if changed:
        reindex_household(store, conn, child_id)  # siblings it held are findable by postcode again
    return changed


def reindex_household(store: Store, conn, child_id: int) -> None:
    """Re-index a child and the other children of its household (a shield, a lift or a sibling decision)."""
    for cid in (child_id, *siblings.household(store, child_id)):
        search_index.reindex_child(conn, cid)


def is_shielded(store: Store, child_id: int) -> bool:
    return store.shields.is_shielded(child_id)


def child_name(store: Store, child_id: int) -> str:
    """The child's current name as every viewer may see it (R-SHIELD-1 keeps names visible)."""
    name = store.records.name_of(child_id)
    return f"{name[0]} {name[1]}" if name else ""


def directory_id_of(store: Store, child_id: int) -> str:
    did = store.records.directory_id_of(child_id)
    return directory_id.fmt(did) if did is not None else ""


def la_team(store: Store, la_code: str) -> LaTeamContact:
    """How to reach an LA's management team (R-SENS-4), shown on every record, restricted or not."""
    return LaTeamContact(la_code, *(store.records.la_team(la_code) or ("", "", "")))


def is_archived(store: Store, child_id: int) -> bool:  # R-RET-2 (retention)
    return store.records.is_archived(child_id)


def _sees_protected(viewer: Viewer, la_code: str) -> bool:
    return viewer.role is Role.LA_MANAGEMENT and viewer.user.la_code == la_code


def build(store: Store, viewer: Viewer, child_id: int, override: bool = False,
          include_archived: bool = False) -> RecordView:
    """``viewer``'s view of a child. ``override`` (R-SHIELD-6, decided by the engine for a child-protection
    user who saw the warning) lifts the shield for this one answer: address, carers, setting, GP and former
    names as the LA team would see them; sensitive involvements stay withheld unless the viewer recorded
    them (R-SENS-3 is not a shield, and the override is about whereabouts)."""
    row = store.records.child(child_id)
    if row is None:
        raise NoSuchRecord("record.gone")
    if not include_archived and is_archived(store, child_id):  # R-RET-2 (retention): only OPEN_ARCHIVED shows it
        raise NoSuchRecord("record.gone")
    did, given, family, dob, gender = row.directory_id, row.given_names, row.family_name, row.dob, row.gender
    household_id, setting_id, gp_id, la_code, shielded_at = (row.household_id, row.setting_id, row.gp_id,
                                                              row.la_code, row.shielded_at)
    shielded = shielded_at is not None
    protected = _sees_protected(viewer, la_code)
    restricted = RecordView(directory_id=directory_id.fmt(did), name=Name(given, family), other_names=(),
                            dob=date.fromordinal(dob), gender=Gender(gender), shielded=shielded, shield_applied=True,
                            la_team=la_team(store, la_code), override=override and shielded)
    if shielded and not override and not protected:
        return restricted
    other = tuple(Name(g, f) for g, f in store.records.other_names(child_id))
    seen = replace(restricted, other_names=other, shield_applied=False,
                   involvements=_involvements(store, viewer, child_id, la_code),
                   leaves_on=_leaves_on(store, child_id))
    holders = [] if protected or shielded else siblings.held_by(store, child_id)
    if holders:  # R-SHIELD-1/2: the family's shared whereabouts, withheld until the LA team decides
        settings, gps = siblings.shared_places(store, child_id, holders)
        same, homes = siblings.withheld_carers(store, child_id, holders)
        carers = () if same else tuple(c for c in _carers(store, household_id)
                                       if c.address is None or (c.address.line1, c.address.postcode) not in homes)
        return replace(seen, household_withheld=True, carers=carers,
                       address=None if same else _household_address(store, household_id),
                       setting=None if setting_id in settings else _setting(store, setting_id),
                       gp=None if gp_id in gps else _gp(store, gp_id))
    return replace(seen, address=_household_address(store, household_id), carers=_carers(store, household_id),
                   setting=_setting(store, setting_id), gp=_gp(store, gp_id))


def _stored(found: T | None, what: str) -> T:
    """A row the child's own row points at: its absence is a broken directory, never a record to show."""
    if found is None:
        raise LookupError(f"the directory has lost a {what} a child's record points at")
    return found


def _leaves_on(store: Store, child_id: int) -> date:
    """R-RET-1: the day the record leaves the live directory, by the sweep's own rule."""
    from .directory.work.retention import leaving_date  # the sweep's module imports this one
    return leaving_date(*_stored(store.records.leaving_facts(child_id), "child"))[0]


def _household_address(store: Store, household_id: int) -> Address:
    return Address(*_stored(store.records.household_address(household_id), "household"))


def _carers(store: Store, household_id: int) -> tuple[ParentCarer, ...]:
    out = []
    for c in store.records.carers(household_id):
        out.append(ParentCarer(Name(c.given_names, c.family_name), c.relationship, c.phone,
                               Address(c.line1, c.line2 or "", c.town or "", c.postcode or "") if c.line1 else None))
    return tuple(out)


def _setting(store: Store, setting_id: int | None) -> Setting | None:
    if setting_id is None:
        return None
    kind, name, l1, l2, town, pc, phone = _stored(store.records.setting(setting_id), "setting")
    return Setting(SettingKind(kind), name, Address(l1, l2, town, pc), phone)


def _gp(store: Store, gp_id: int | None) -> GpPractice | None:
    if gp_id is None:
        return None
    name, l1, l2, town, pc, phone = _stored(store.records.gp(gp_id), "GP practice")
    return GpPractice(name, Address(l1, l2, town, pc), phone)


def _involvements(store: Store, viewer: Viewer, child_id: int, la_code: str, involvement_id: int | None = None):
    """The child's involvements as ``viewer`` may see them (or just ``involvement_id``'s).

    - R-SENS-3: a sensitive involvement is withheld from all but its recorder and the child's LA team.
    - R-SENS-2: who consented (or the override) is shown to those two only.
    - R-ROLE-1: ``yours`` marks the viewer's own involvements, the ones they may update or end.
    - R-RET-3: once an ended involvement's contact details are archived, its phone and e-mail are not sent.
    """
    out: list[Involvement | WithheldInvolvement] = []
    full_sensitive = _sees_protected(viewer, la_code)
    me = viewer.user.username
    for row in store.records.involvements_of(child_id, involvement_id):
        st = ServiceType(row.service)
        yours = row.recorded_by == me
        if st.sensitive and not (full_sensitive or yours):
            out.append(WithheldInvolvement(row.id, current=row.ended is None))  # R-SENS-3
            continue
        consent = full_sensitive or yours  # R-SENS-2: the recorder and the LA team only
        archived = row.contact_archived
        out.append(Involvement(
            row.id, st, row.organisation, row.practitioner, row.role, "" if archived else row.phone,
            "" if archived else row.email, date.fromordinal(row.started),
            date.fromordinal(row.ended) if row.ended else None, row.lead, row.caf,
            version=row.version, yours=yours,
            consent_by=ConsentBy(row.consent_by) if consent and row.consent_by else None,
            consent_on=date.fromordinal(row.consent_on) if consent and row.consent_on else None,
            consent_override=ConsentOverride(row.consent_override) if consent and row.consent_override else None,
            contact_archived=archived))
    return tuple(out)
