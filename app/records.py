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


def child_id_for(conn, text: str) -> int | None:
    """The internal row id behind a directory id as typed or shown ("123 456 7890"), or None."""
    value = directory_id.parse(text) if isinstance(text, str) and len(text) <= 16 else None
    if value is None:
        return None
    row = conn.execute("SELECT id FROM children WHERE directory_id = ?", (value,)).fetchone()
    return row[0] if row else None


def la_of(conn, child_id: int) -> str:
    row = conn.execute("SELECT la_code FROM children WHERE id = ?", (child_id,)).fetchone()
    return row[0] if row else ""


def shield(conn, child_id: int, at: str) -> bool:
    """Shield a record now (R-SHIELD-2): from this moment its withheld fields are not sent and
    its withheld names and postcode leave the search index (R-SHIELD-5). False if already shielded."""
    changed = conn.execute("UPDATE children SET shielded_at = ? WHERE id = ? AND shielded_at IS NULL",
                           (at, child_id)).rowcount
    if changed:  # R-SHIELD-1/2: a shield set anew holds its siblings again until the LA team decides, even
        # when it is set in the same second as a decision made about an earlier setting of it
        conn.execute("DELETE FROM sibling_decisions WHERE shielded_id = ?", (child_id,))
        reindex_household(conn, child_id)  # its siblings lose the family's postcode too (app.siblings)
    return bool(changed)


def unshield(conn, child_id: int) -> bool:
    """Lift a shield (R-SHIELD-3, at review): the record is whole again for everyone, and its postcode and
    former names are back in the search index. False if it was not shielded."""
    changed = conn.execute("UPDATE children SET shielded_at = NULL WHERE id = ? AND shielded_at IS NOT NULL",
                           (child_id,)).rowcount
    if changed:
        reindex_household(conn, child_id)  # siblings it held are findable by postcode again
    return bool(changed)


def reindex_household(conn, child_id: int) -> None:
    """Re-index a child and the other children of its household (a shield, a lift or a sibling decision)."""
    for cid in (child_id, *siblings.household(conn, child_id)):
        search_index.reindex_child(conn, cid)


def is_shielded(conn, child_id: int) -> bool:
    row = conn.execute("SELECT shielded_at FROM children WHERE id = ?", (child_id,)).fetchone()
    return bool(row and row[0] is not None)


def child_name(conn, child_id: int) -> str:
    """The child's current name as every viewer may see it (R-SHIELD-1 keeps names visible)."""
    row = conn.execute("SELECT given_names, family_name FROM children WHERE id = ?", (child_id,)).fetchone()
    return f"{row[0]} {row[1]}" if row else ""


def directory_id_of(conn, child_id: int) -> str:
    row = conn.execute("SELECT directory_id FROM children WHERE id = ?", (child_id,)).fetchone()
    return directory_id.fmt(row[0]) if row else ""


def la_team(conn, la_code: str) -> LaTeamContact:
    """How to reach an LA's management team (R-SENS-4), shown on every record, restricted or not."""
    row = conn.execute("SELECT name, phone, email FROM las WHERE code = ?", (la_code,)).fetchone()
    return LaTeamContact(la_code, *(row if row else ("", "", "")))


def is_archived(conn, child_id: int) -> bool:  # R-RET-2 (retention)
    row = conn.execute("SELECT archived_on FROM children WHERE id = ?", (child_id,)).fetchone()
    return bool(row and row[0] is not None)


def _sees_protected(viewer: Viewer, la_code: str) -> bool:
    return viewer.role is Role.LA_MANAGEMENT and viewer.user.la_code == la_code


def build(conn, viewer: Viewer, child_id: int, override: bool = False,
          include_archived: bool = False) -> RecordView:
    """``viewer``'s view of a child. ``override`` (R-SHIELD-6, decided by the engine for a child-protection
    user who saw the warning) lifts the shield for this one answer: address, carers, setting, GP and former
    names as the LA team would see them; sensitive involvements stay withheld unless the viewer recorded
    them (R-SENS-3 is not a shield, and the override is about whereabouts)."""
    row = conn.execute(
        "SELECT directory_id, given_names, family_name, dob, gender, household_id, setting_id, gp_id, "
        "la_code, shielded_at FROM children WHERE id = ?", (child_id,)).fetchone()
    if row is None:
        raise NoSuchRecord("record.gone")
    if not include_archived and is_archived(conn, child_id):  # R-RET-2 (retention): only OPEN_ARCHIVED shows it
        raise NoSuchRecord("record.gone")
    did, given, family, dob, gender, household_id, setting_id, gp_id, la_code, shielded_at = row
    shielded = shielded_at is not None
    protected = _sees_protected(viewer, la_code)
    restricted = RecordView(directory_id=directory_id.fmt(did), name=Name(given, family), other_names=(),
                            dob=date.fromordinal(dob), gender=Gender(gender), shielded=shielded, shield_applied=True,
                            la_team=la_team(conn, la_code), override=override and shielded)
    if shielded and not override and not protected:
        return restricted
    other = tuple(Name(g, f) for g, f in conn.execute(
        "SELECT given_names, family_name FROM other_names WHERE child_id = ?", (child_id,)))
    seen = replace(restricted, other_names=other, shield_applied=False,
                   involvements=_involvements(conn, viewer, child_id, la_code),
                   leaves_on=_leaves_on(conn, child_id))
    holders = [] if protected or shielded else siblings.held_by(conn, child_id)
    if holders:  # R-SHIELD-1/2: the family's shared whereabouts, withheld until the LA team decides
        settings, gps = siblings.shared_places(conn, child_id, holders)
        same, homes = siblings.withheld_carers(conn, child_id, holders)
        carers = () if same else tuple(c for c in _carers(conn, household_id)
                                       if c.address is None or (c.address.line1, c.address.postcode) not in homes)
        return replace(seen, household_withheld=True, carers=carers,
                       address=None if same else _household_address(conn, household_id),
                       setting=None if setting_id in settings else _setting(conn, setting_id),
                       gp=None if gp_id in gps else _gp(conn, gp_id))
    return replace(seen, address=_household_address(conn, household_id), carers=_carers(conn, household_id),
                   setting=_setting(conn, setting_id), gp=_gp(conn, gp_id))


def _leaves_on(conn, child_id: int) -> date:
    """R-RET-1: the day the record leaves the live directory, by the sweep's own rule."""
    from .directory.work.retention import leaving_date  # the sweep's module imports this one
    dob, stay, died, left = conn.execute("SELECT dob, stay_to_age, died_on, left_england_on FROM children "
                                         "WHERE id = ?", (child_id,)).fetchone()
    return leaving_date(dob, stay, died, left)[0]


def _household_address(conn, household_id: int) -> Address:
    return Address(*conn.execute("SELECT line1, line2, town, postcode FROM households WHERE id = ?",
                                 (household_id,)).fetchone())


def _carers(conn, household_id: int) -> tuple[ParentCarer, ...]:
    out = []
    for given, family, rel, phone, l1, l2, town, pc in conn.execute(
            "SELECT given_names, family_name, relationship, phone, line1, line2, town, postcode "
            "FROM carers WHERE household_id = ? ORDER BY id", (household_id,)):
        out.append(ParentCarer(Name(given, family), rel, phone, Address(l1, l2 or "", town, pc) if l1 else None))
    return tuple(out)


def _setting(conn, setting_id: int | None) -> Setting | None:
    if setting_id is None:
        return None
    kind, name, l1, l2, town, pc, phone = conn.execute(
        "SELECT kind, name, line1, line2, town, postcode, phone FROM settings WHERE id = ?", (setting_id,)).fetchone()
    return Setting(SettingKind(kind), name, Address(l1, l2, town, pc), phone)


def _gp(conn, gp_id: int | None) -> GpPractice | None:
    if gp_id is None:
        return None
    name, l1, l2, town, pc, phone = conn.execute(
        "SELECT name, line1, line2, town, postcode, phone FROM gp_practices WHERE id = ?", (gp_id,)).fetchone()
    return GpPractice(name, Address(l1, l2, town, pc), phone)


def _involvements(conn, viewer: Viewer, child_id: int, la_code: str, involvement_id: int | None = None):
    """The child's involvements as ``viewer`` may see them (or just ``involvement_id``'s).

    - R-SENS-3: a sensitive involvement is withheld from all but its recorder and the child's LA team.
    - R-SENS-2: who consented (or the override) is shown to those two only.
    - R-ROLE-1: ``yours`` marks the viewer's own involvements, the ones they may update or end.
    - R-RET-3: once an ended involvement's contact details are archived, its phone and e-mail are not sent.
    """
    out: list[Involvement | WithheldInvolvement] = []
    full_sensitive = _sees_protected(viewer, la_code)
    me = viewer.user.username
    only = "" if involvement_id is None else " AND id = ?"
    args = (child_id,) if involvement_id is None else (child_id, involvement_id)
    for (iid, service, org, who, role, phone, email, started, ended, lead, caf, recorded_by, version,
         consent_by, consent_on, consent_override, archived) in conn.execute(
            "SELECT id, service, organisation, practitioner, role, phone, email, started, ended, lead, caf, "
            "recorded_by, version, consent_by, consent_on, consent_override, contact_archived "
            f"FROM involvements WHERE child_id = ?{only} ORDER BY started DESC, id DESC", args):
        st = ServiceType(service)
        yours = recorded_by == me
        if st.sensitive and not (full_sensitive or yours):
            out.append(WithheldInvolvement(iid, current=ended is None))  # R-SENS-3
            continue
        consent = full_sensitive or yours  # R-SENS-2: the recorder and the LA team only
        out.append(Involvement(
            iid, st, org, who, role, "" if archived else phone, "" if archived else email,
            date.fromordinal(started), date.fromordinal(ended) if ended else None, bool(lead), bool(caf),
            version=int(version or 0), yours=yours,
            consent_by=ConsentBy(consent_by) if consent and consent_by else None,
            consent_on=date.fromordinal(consent_on) if consent and consent_on else None,
            consent_override=ConsentOverride(consent_override) if consent and consent_override else None,
            contact_archived=bool(archived)))
    return tuple(out)
