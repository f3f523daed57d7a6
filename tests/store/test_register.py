"""The register store (issue 16 §1): the LAs, their registered colleagues (R-ROLE-2) and the register of
organisations and role titles that pickers offer instead of free text (R-REC-5). What ``work.register``,
``work.la_users`` and the engine's colleague check rely on: a colleague counts only while enabled and only in its
own LA; an entry is usable only once listed, found ignoring case and spelt as the register spells it; the queue is
oldest first, bounded, and one asker's when asked."""
from __future__ import annotations

from app.directory.work.register import DECLINED, LISTED, REQUESTED
from app.directory.work.types import RegisterKind
from app.model import ServiceType

USER = "alex.practitioner"
ORG, ROLE = RegisterKind.ORGANISATION.value, RegisterKind.ROLE.value
AT1, AT2, AT3 = "2026-11-21T10:00:00+00:00", "2026-11-21T11:00:00+00:00", "2026-11-21T12:00:00+00:00"


def _las(store) -> tuple[str, str]:
    la = store.accounts.la_of(USER)
    return la, next(code for code in store.register.la_codes() if code != la)


def test_the_las_are_listed_once_each_sorted(store):
    codes = store.register.la_codes()
    assert len(codes) >= 2 and codes == sorted(set(codes))
    assert store.accounts.la_of(USER) in codes


def test_a_colleague_is_registered_only_in_its_la_and_while_enabled(store):  # R-ROLE-2
    la, other = _las(store)
    r = store.register
    r.add_colleague("pat.colleague", "Pat Colleague", la, "Harbour Surgery", "Practice nurse")
    assert r.colleague_registered("pat.colleague", la)
    assert not r.colleague_registered("pat.colleague", other)
    assert not r.colleague_registered(USER, la)  # a user who signs in is not a registered colleague
    assert not r.colleague_registered("nobody.at.all", la)
    assert ("pat.colleague", "Pat Colleague", "Practice nurse", "Harbour Surgery") in r.colleagues_of(la)
    assert "pat.colleague" not in [c[0] for c in r.colleagues_of(other)]
    assert USER not in [c[0] for c in r.colleagues_of(la)]
    store.accounts.set_enabled("pat.colleague", False)
    assert not r.colleague_registered("pat.colleague", la)  # disabled: no longer chosen, nor accepted
    assert "pat.colleague" not in [c[0] for c in r.colleagues_of(la)]


def test_a_registered_colleague_has_no_password_token_or_access(store):  # R-ROLE-2, R-ROLE-4
    la, _ = _las(store)
    store.register.add_colleague("pat.colleague", "Pat Colleague", la, "Harbour Surgery", "Practice nurse")
    user = store.accounts.user("pat.colleague")
    assert user is not None and user.role.value == "colleague" and user.la_code == la
    assert not user.nominated and not user.trained and user.check_date is None
    assert store.accounts.token_of("pat.colleague") == (None, None)
    assert store.accounts.credentials("pat.colleague").password_hash == "!"  # no password verifies against it


def test_colleagues_are_listed_by_name_then_username_and_found_ignoring_case(store):  # R-ROLE-2
    la, other = _las(store)
    r = store.register
    r.add_colleague("sam.lee.2", "Sam Lee", la, "Harbour Surgery", "GP")
    r.add_colleague("sam.lee", "Sam Lee", la, "Harbour Surgery", "GP")
    r.add_colleague("ann.able", "Ann Able", la, "Harbour Surgery", "GP")
    mine = [c[0] for c in r.colleagues_of(la) if c[0] in ("sam.lee.2", "sam.lee", "ann.able")]
    assert mine == ["ann.able", "sam.lee", "sam.lee.2"]
    assert r.colleague_exists(la, "ANN able", "harbour SURGERY")
    assert not r.colleague_exists(other, "Ann Able", "Harbour Surgery")
    assert not r.colleague_exists(la, "Ann Able", "Another Practice")
    assert not r.colleague_exists(la, store.accounts.user(USER).display_name,
                                  store.accounts.user(USER).organisation)  # a user is not a colleague


def test_an_organisation_is_usable_only_once_listed_and_as_the_register_spells_it(store):  # R-REC-5
    la, other = _las(store)
    r = store.register
    entry = r.add_organisation("Quayside Family Hub", la, REQUESTED, "alex.practitioner", AT1)
    assert r.organisation_named("Quayside Family Hub", LISTED) is None  # waiting: not yet in the pickers
    assert "Quayside Family Hub" not in r.organisations_of(la, LISTED)
    assert r.entry(ORG, entry) == ("Quayside Family Hub", None, la, REQUESTED, "alex.practitioner", AT1)
    r.decide(ORG, entry, LISTED, "lee.manager", AT2)
    assert r.entry(ORG, entry)[3] == LISTED
    assert r.organisation_named("quayside FAMILY hub", LISTED) == "Quayside Family Hub"
    assert "Quayside Family Hub" in r.organisations_of(la, LISTED)
    assert "Quayside Family Hub" not in r.organisations_of(other, LISTED)
    assert r.entry_named(ORG, la, "QUAYSIDE family hub") == (entry, LISTED)
    assert r.entry_named(ORG, other, "Quayside Family Hub") is None
    assert r.entry(ORG, entry + 10_000) is None


def test_a_role_title_is_usable_only_in_its_la_for_its_service_once_listed(store):  # R-REC-5
    la, other = _las(store)
    r = store.register
    gp, camhs = ServiceType.GP.value, ServiceType.CAMHS.value
    entry = r.add_role_title(gp, "Care navigator", la, REQUESTED, "alex.practitioner", AT1)
    assert r.role_title("Care navigator", la, LISTED, (gp,)) is None
    assert r.entry(ROLE, entry) == ("Care navigator", gp, la, REQUESTED, "alex.practitioner", AT1)
    assert r.entry_named(ROLE, la, "care NAVIGATOR", gp) == (entry, REQUESTED)
    assert r.entry_named(ROLE, la, "Care navigator", camhs) is None
    r.decide(ROLE, entry, LISTED, "lee.manager", AT2)
    assert r.role_title("CARE navigator", la, LISTED, (gp,)) == "Care navigator"
    assert r.role_title("Care navigator", la, LISTED, (camhs, gp)) == "Care navigator"
    assert r.role_title("Care navigator", la, LISTED, (camhs,)) is None
    assert r.role_title("Care navigator", other, LISTED, (gp,)) is None
    assert (gp, "Care navigator") in r.role_titles_of(la, LISTED)
    assert (gp, "Care navigator") not in r.role_titles_of(other, LISTED)


def test_the_queue_is_oldest_first_bounded_and_one_askers_when_asked(store):
    la, other = _las(store)
    r = store.register
    first = r.add_organisation("Quayside Family Hub", la, REQUESTED, "alex.practitioner", AT1)
    second = r.add_organisation("Harbour Youth Club", la, REQUESTED, "sam.other", AT2)
    listed = r.add_organisation("Pier Nursery", la, LISTED, "lee.manager", AT3)
    waiting = [e for e in r.waiting_organisations(la, REQUESTED, None, 500) if e[0] in (first, second, listed)]
    assert waiting == [(first, "Quayside Family Hub", "alex.practitioner", AT1, REQUESTED),
                       (second, "Harbour Youth Club", "sam.other", AT2, REQUESTED)]
    assert [e[0] for e in r.waiting_organisations(la, REQUESTED, "sam.other", 500)] == [second]
    assert len(r.waiting_organisations(la, REQUESTED, None, 1)) == 1
    assert first not in [e[0] for e in r.waiting_organisations(other, REQUESTED, None, 500)]
    role = r.add_role_title(ServiceType.GP.value, "Care navigator", la, REQUESTED, "sam.other", AT3)
    assert (role, ServiceType.GP.value, "Care navigator", "sam.other", AT3, REQUESTED) in \
        r.waiting_role_titles(la, REQUESTED, "sam.other", 500)
    assert role not in [e[0] for e in r.waiting_role_titles(la, REQUESTED, "alex.practitioner", 500)]


def test_a_declined_entry_asked_for_again_waits_afresh(store):
    la, _ = _las(store)
    r = store.register
    entry = r.add_organisation("Quayside Family Hub", la, REQUESTED, "alex.practitioner", AT1)
    r.decide(ORG, entry, DECLINED, "lee.manager", AT2)
    assert r.entry_named(ORG, la, "Quayside Family Hub") == (entry, DECLINED)
    assert entry not in [e[0] for e in r.waiting_organisations(la, REQUESTED, None, 500)]
    r.ask_again(ORG, entry, REQUESTED, "sam.other", AT3)
    assert r.entry(ORG, entry) == ("Quayside Family Hub", None, la, REQUESTED, "sam.other", AT3)
    assert entry in [e[0] for e in r.waiting_organisations(la, REQUESTED, None, 500)]
    role = r.add_role_title(ServiceType.GP.value, "Care navigator", la, DECLINED, "alex.practitioner", AT1)
    r.ask_again(ROLE, role, LISTED, "lee.manager", AT2)
    assert r.entry(ROLE, role)[3:] == (LISTED, "lee.manager", AT2)
    assert r.entry(ORG, entry)[3] == REQUESTED  # the other table's entry is untouched
