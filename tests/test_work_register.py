"""No free text where case notes could go (issue 14 §2.3, R-REC-5): organisations come from the directory's
register, roles from their service type's vocabulary, and "other" is only a request the LA team decides."""
from __future__ import annotations

import pytest

from app.directory.work import operations as ops
from app.directory.work import types as t
from app.directory.work.register import ROLE_TITLES
from app.model import AccessReason, Reason, ServiceType
from app.refusals import AccessRefused
from tests.conftest import TODAY, add_child, viewer_for
from tests.test_work_involvements import CSC, found, new

REASON = Reason(AccessReason.PROVIDING_SERVICE)


def refused(directory, op, who, request) -> AccessRefused:
    with pytest.raises(AccessRefused) as caught:
        directory.perform(op, who, request)
    return caught.value


@pytest.fixture
def child(directory):
    return add_child(directory, "Ottilie", "Registerfield", TODAY.replace(year=2015))


def test_case_notes_in_a_role_or_an_organisation_are_refused_and_never_shown(directory, child):
    """The issue's own examples: accepted and shown to every viewer before; refused now, field named."""
    sam = viewer_for(directory, "sam.cp")
    found(directory, sam, child)
    role = refused(directory, ops.RECORD_INVOLVEMENT, sam, new(child, service=ServiceType.SOCIAL_CARE,
                                                               organisation=CSC,
                                                               role="Concern: dad violent, bruises seen"))
    assert (role.code, role.field) == ("register.unknown_role", "role")
    org = refused(directory, ops.RECORD_INVOLVEMENT, sam, new(child, service=ServiceType.SOCIAL_CARE,
                                                              organisation="Hub - mum drinks, dad violent"))
    assert (org.code, org.field) == ("register.unknown_organisation", "organisation")
    assert directory.conn.execute("SELECT count(*) FROM involvements WHERE organisation LIKE '%violent%' "
                                  "OR role LIKE '%violent%'").fetchone()[0] == 0
    # a role of another service type is no role here either; the register's spelling is what is stored
    other = refused(directory, ops.RECORD_INVOLVEMENT, sam, new(child, service=ServiceType.SOCIAL_CARE,
                                                                organisation=CSC, role="Youth worker"))
    assert other.code == "register.unknown_role"
    got = directory.perform(ops.RECORD_INVOLVEMENT, sam, new(child, service=ServiceType.SOCIAL_CARE,
                                                             organisation="northbridge CHILDREN'S social care",
                                                             role="social WORKER")).involvement
    assert (got.organisation, got.role) == (CSC, "Social worker")


def test_an_update_keeps_an_old_free_text_organisation_but_changes_only_to_the_register(directory, child):
    """An involvement recorded before the register keeps its organisation and role on an update of its phone;
    changing either must come from the register."""
    alex = viewer_for(directory, "alex.practitioner")
    found(directory, alex, child)
    inv = directory.perform(ops.RECORD_INVOLVEMENT, alex, new(child)).involvement
    directory.conn.execute("UPDATE involvements SET organisation = 'Old Free Text Org', role = 'Old role' "
                           "WHERE id = ?", (inv.involvement_id,))
    change = t.InvolvementChange(child, inv.involvement_id, inv.version, "Old Free Text Org", "Old role",
                                 "0191 555 0999", "", REASON)
    kept = directory.perform(ops.UPDATE_INVOLVEMENT, alex, change)
    assert (kept.organisation, kept.role, kept.phone) == ("Old Free Text Org", "Old role", "0191 555 0999")
    for field, value, code in (("organisation", "Another Free Text Org", "register.unknown_organisation"),
                               ("role", "Another role", "register.unknown_role")):
        bad = t.InvolvementChange(**{**change.__dict__, "version": kept.version, field: value})
        assert refused(directory, ops.UPDATE_INVOLVEMENT, alex, bad).code == code


def test_other_is_a_request_the_la_team_approves_and_only_then_it_can_be_used(directory, child):
    """R-REC-5: the practitioner asks; it waits in their LA team's queue (not another LA's), not usable until the
    team approves; a declined one never becomes usable; the LA team's own addition is listed at once."""
    alex, la, ash = viewer_for(directory, "alex.practitioner"), viewer_for(directory, "jo.la"), viewer_for(
        directory, "pat.la")
    found(directory, alex, child)
    org = directory.perform(ops.ASK_REGISTER, alex, t.RegisterAsk(t.RegisterKind.ORGANISATION, "Riverside Surgery"))
    title = directory.perform(ops.ASK_REGISTER, alex, t.RegisterAsk(t.RegisterKind.ROLE, "Locum GP", ServiceType.GP))
    assert org.status == title.status == "requested"
    mine = directory.perform(ops.VOCABULARY, alex, t.Nothing())
    assert "Riverside Surgery" not in mine.organisations and {e.name for e in mine.waiting} == {"Riverside Surgery",
                                                                                                "Locum GP"}
    gp = new(child, service=ServiceType.GP, organisation="Riverside Surgery", role="Locum GP")
    assert refused(directory, ops.RECORD_INVOLVEMENT, alex, gp).code == "register.unknown_organisation"
    assert {(e.kind, e.name) for e in directory.perform(ops.REGISTER_QUEUE, la, t.Nothing())} == {
        (t.RegisterKind.ORGANISATION, "Riverside Surgery"), (t.RegisterKind.ROLE, "Locum GP")}
    assert directory.perform(ops.REGISTER_QUEUE, ash, t.Nothing()) == ()
    assert refused(directory, ops.DECIDE_REGISTER, ash, t.RegisterDecision(
        t.RegisterKind.ORGANISATION, org.entry_id, True)).code == "register.not_waiting"
    assert refused(directory, ops.DECIDE_REGISTER, alex, t.RegisterDecision(
        t.RegisterKind.ORGANISATION, org.entry_id, True)).code == "access.la_team_only"
    assert refused(directory, ops.ASK_REGISTER, alex, t.RegisterAsk(
        t.RegisterKind.ORGANISATION, "riverside surgery")).code == "register.already_asked"
    directory.perform(ops.DECIDE_REGISTER, la, t.RegisterDecision(t.RegisterKind.ORGANISATION, org.entry_id, True))
    directory.perform(ops.DECIDE_REGISTER, la, t.RegisterDecision(t.RegisterKind.ROLE, title.entry_id, False))
    assert refused(directory, ops.RECORD_INVOLVEMENT, alex, gp).code == "register.unknown_role"
    got = directory.perform(ops.RECORD_INVOLVEMENT, alex, new(child, service=ServiceType.GP,
                                                              organisation="Riverside Surgery", role="GP"))
    assert got.involvement.organisation == "Riverside Surgery"
    assert "Riverside Surgery" in directory.perform(ops.VOCABULARY, alex, t.Nothing()).organisations
    assert directory.perform(ops.REGISTER_QUEUE, la, t.Nothing()) == ()
    added = directory.perform(ops.ASK_REGISTER, la, t.RegisterAsk(t.RegisterKind.ROLE, "Locum GP", ServiceType.GP))
    assert added.status == "listed"  # the LA team's own addition needs nobody else's approval
    assert "Locum GP" in {r.service: r.titles for r in directory.perform(
        ops.VOCABULARY, alex, t.Nothing()).roles}[ServiceType.GP]
    actions = [a for (a,) in directory.conn.execute("SELECT action FROM audit WHERE action LIKE 'register_%'")]
    assert actions.count("register_asked") == 3 and actions.count("register_decided") == 2


def test_a_registered_colleagues_role_and_organisation_come_from_the_register_too(directory):
    la = viewer_for(directory, "jo.la")
    bad = refused(directory, ops.REGISTER_COLLEAGUE, la, t.NewColleague("Dr Kofi Mensah", "GP",
                                                                       "Surgery - dad drinks"))
    assert bad.code == "register.unknown_organisation"
    assert refused(directory, ops.REGISTER_COLLEAGUE, la, t.NewColleague(
        "Dr Kofi Mensah", "Worried about mum", "Northbridge CAMHS")).code == "register.unknown_role"
    made = directory.perform(ops.REGISTER_COLLEAGUE, la, t.NewColleague("Dr Kofi Mensah", "consultant psychiatrist",
                                                                       "northbridge camhs"))
    assert (made.role, made.organisation) == ("Consultant psychiatrist", "Northbridge CAMHS")


def test_the_generator_seeds_the_register_with_every_organisation_it_uses(directory):
    """Every organisation and role the data set's involvements and users carry is in the register and the
    vocabulary, so nothing the training directory shows would be refused."""
    conn = directory.conn
    missing = conn.execute("SELECT DISTINCT i.organisation FROM involvements i WHERE NOT EXISTS (SELECT 1 FROM "
                           "organisations o WHERE o.name = i.organisation COLLATE NOCASE AND o.status = 'listed')"
                           ).fetchall()
    assert missing == []
    for service, role in conn.execute("SELECT DISTINCT service, role FROM involvements"):
        assert role in ROLE_TITLES[ServiceType(service)], (service, role)
    assert conn.execute("SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM organisations o WHERE "
                        "o.name = u.organisation AND o.la_code = u.la_code)").fetchone()[0] == 0
    settings = conn.execute("SELECT count(*) FROM settings").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM organisations").fetchone()[0] > settings
