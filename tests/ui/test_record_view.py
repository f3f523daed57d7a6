"""The record leads with who is working with the child now (issue 14 §3.1): how many services, the lead
professional and their phone, a contact card per practitioner, then those before, then the child's details;
missing universal services stand out (seed 003 §8.1); from 17 the record says when it leaves the directory
(R-RET-1); one's own sensitive involvement says who sees it (R-SENS-3); a shielded view shows none of it
(R-SHIELD-1), since the view only shows what the directory sent."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from app.model import (
    Address,
    Gender,
    GpPractice,
    Involvement,
    Name,
    RecordView,
    ServiceType,
    Setting,
    SettingKind,
    WithheldInvolvement,
)
from tests.conftest import viewer_for
from ui.record_view import RecordPane

TODAY = date(2026, 11, 21)
HOME = Address("1 Low Row", "", "Gateshead", "NE8 1AA")


def involvement(n: int, service=ServiceType.EARLY_HELP, *, lead=False, caf=False, end=None, yours=False):
    return Involvement(n, service, f"Organisation {n}", f"Practitioner {n}", "Support worker", f"0191 555 010{n}",
                       f"p{n}@example.org", date(2026, 1, 5), end, lead, caf, yours=yours)


def view(dob=date(2017, 3, 2), *, involvements=(), gp=None, setting=None, applied=False, leaves_on=None):
    return RecordView("123 456 7890", Name("Poppy", "Smith"), (), dob, Gender.FEMALE, shielded=applied,
                      shield_applied=applied, address=None if applied else HOME, gp=gp, setting=setting,
                      involvements=involvements, leaves_on=leaves_on)


def shown(qtbot, v: RecordView) -> str:
    pane = RecordPane(clock=lambda: TODAY)
    qtbot.addWidget(pane)
    pane.show_record(v)
    return pane.browser.toPlainText()


def test_the_record_opens_with_who_is_working_with_the_child_now(qtbot):
    """Issue 14 §3.1: the count, the lead professional with their phone, a card each, before, then the child."""
    text = shown(qtbot, view(involvements=(involvement(1, lead=True), involvement(2, caf=True),
                                           involvement(3, end=date(2026, 6, 1)), WithheldInvolvement(9))))
    assert "Working with this child now: 3 services" in text
    assert "Lead professional: Practitioner 1 (Organisation 1) · 0191 555 0101 · p1@example.org" in text
    now = text.split("Working with this child now")[1].split("Worked with the child before")[0]
    assert "Practitioner 2, Support worker · Organisation 2 (Early help / family support)" in now
    assert "0191 555 0102 · p2@example.org" in now and "Since 5 January 2026 · CAF completed" in now
    assert "An unspecified service is involved" in now and "Practitioner 3" not in now
    before = text.split("Worked with the child before")[1].split("The child")[0]
    assert "Practitioner 3" in before and "5 January 2026 to 1 June 2026" in before
    assert text.index("Working with this child now") < text.index("Worked with the child before") \
        < text.index("The child") < text.index("Universal services")


def test_missing_universal_services_stand_out_for_a_school_age_child(qtbot):
    """Seed 003 §8.1: "no educational setting recorded" is what would have prompted action."""
    text = shown(qtbot, view())
    assert "No GP recorded. No school or setting recorded." in text.split("Worked with the child before")[0]
    toddler = shown(qtbot, view(dob=date(2024, 5, 1), gp=GpPractice("Low Row Surgery", HOME, "0191 000 1111")))
    assert "No GP recorded" not in toddler and "No school or setting recorded." not in toddler
    at_school = shown(qtbot, view(gp=GpPractice("Low Row Surgery", HOME, "0191 000 1111"),
                                  setting=Setting(SettingKind.PRIMARY, "Low Row Primary", HOME, "0191 000 2222")))
    assert "not recorded" not in at_school and "No GP" not in at_school and "No school" not in at_school


def test_a_shielded_view_shows_no_services_and_calls_nothing_missing(qtbot):
    """R-SHIELD-1: what is withheld is not "missing", and nothing the directory did not send is shown."""
    text = shown(qtbot, view(applied=True))
    assert "No GP recorded" not in text and "No school" not in text and "Working with this child" not in text
    assert "Low Row" not in text


def test_a_sibling_held_by_a_shield_in_the_household_calls_nothing_missing(qtbot):
    """R-SHIELD-1/2: a brother's or sister's record withholds the school or GP shared with the shielded child, so
    an absent one is not "not recorded" (that would send a practitioner looking for what a shield keeps)."""
    text = shown(qtbot, replace(view(), address=None, household_withheld=True))
    assert "No GP recorded" not in text and "No school" not in text
    assert "School or setting: not shown for now" in text and "GP: not shown for now" in text
    assert "Working with this child now" in text


def test_a_seventeen_year_olds_record_says_when_it_leaves_the_directory(qtbot):
    """R-RET-1: from 17, the day the record leaves (the directory's date)."""
    text = shown(qtbot, view(dob=date(2009, 6, 8), leaves_on=date(2027, 6, 8)))
    assert "This record leaves the directory on 8 June 2027." in text
    assert "leaves the directory" not in shown(qtbot, view(dob=date(2012, 6, 8), leaves_on=date(2030, 6, 8)))


def test_your_own_sensitive_involvement_says_only_you_and_the_la_team_see_it(qtbot):
    """R-SENS-3: the recorder sees it in full, and is told who else does."""
    text = shown(qtbot, view(involvements=(involvement(1, ServiceType.CAMHS, yours=True), involvement(2))))
    card = text.split("Practitioner 1")[1].split("Practitioner 2")[0]
    assert "Only you and the LA team see this." in card
    assert text.count("Only you and the LA team see this.") == 1


def test_the_directory_sends_the_leaving_date_on_the_full_view_only(directory, reason):
    """R-RET-1 from the source; R-SHIELD-1: a restricted view carries nothing more than names and dates."""
    from app import records
    from app.directory.work.retention import anniversary
    alex = viewer_for(directory, "alex.practitioner")
    child = directory.conn.execute("SELECT id, dob FROM children WHERE shielded_at IS NULL AND stay_to_age IS NULL "
                                   "AND died_on IS NULL AND left_england_on IS NULL LIMIT 1").fetchone()
    assert records.build(directory.store, alex, child[0]).leaves_on == anniversary(date.fromordinal(child[1]), 18)
    shielded = directory.conn.execute("SELECT id FROM children WHERE shielded_at IS NOT NULL LIMIT 1").fetchone()
    assert records.build(directory.store, alex, shielded[0]).leaves_on is None


def test_a_mediating_user_is_told_how_the_colleague_reaches_the_la_team(qtbot):
    """Issue 14 §3.5, R-ROLE-2, R-SENS-4: no contact request is offered; the record says what the colleague does."""
    from app.model import LaTeamContact, Role
    pane = RecordPane(Role.MEDIATING, clock=lambda: TODAY)
    qtbot.addWidget(pane)
    team = LaTeamContact("NBR", "Northbridge LA team", "0191 000 0000", "la.team@example.org")
    pane.show_record(RecordView("123 456 7890", Name("Poppy", "Smith"), (), date(2015, 6, 8), Gender.FEMALE,
                                shielded=False, shield_applied=False, involvements=(WithheldInvolvement(7),),
                                la_team=team))
    assert pane.la_team.text() == ("To reach a service not shown, your colleague can contact the child's LA team: "
                                   "Northbridge LA team · 0191 000 0000 · la.team@example.org")
    assert not any(b.isVisibleTo(pane) for b in pane.buttons.values())
