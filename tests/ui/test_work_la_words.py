"""The LA screens' words (Qt-free): every code the directory can send has words, and what is highlighted is
said in words too, never by colour alone."""
from __future__ import annotations

from datetime import date

from app.directory.work import types as t
from app.model import ConsentBy, ConsentOverride, Involvement, ServiceType
from ui.screens.la import words as w

TODAY = date(2026, 11, 21)


def test_every_code_has_words():
    for mapping, enum in ((w.GROUNDS, t.ShieldGround), (w.ALERT_KINDS, t.AlertKind), (w.PATTERNS, t.Pattern),
                          (w.CONTACT_STATUS, t.ContactStatus), (w.USER_ACTIONS, t.UserAction),
                          (w.RETENTION_FACTS, t.RetentionFact), (w.ARCHIVE_GROUNDS, t.ArchiveGround),
                          (w.CONSENT_BY, ConsentBy), (w.CONSENT_OVERRIDE, ConsentOverride)):
        assert set(mapping) == set(enum), enum


def line(due: date, overdue: bool, first: bool = False) -> t.ShieldDue:
    return t.ShieldDue("123 456 7890", "Poppy Smith", t.ShieldGround.DOMESTIC_ABUSE, "Alex Morgan", "", due, first,
                       overdue)


def test_review_status_says_overdue_in_words():
    """R-SHIELD-3."""
    assert w.review_status(line(date(2026, 11, 18), True), TODAY) == "OVERDUE by 3 days"
    assert w.review_status(line(TODAY, False, True), TODAY) == "Due today (first review)"
    assert w.review_status(line(date(2026, 11, 22), False), TODAY) == "Due in 1 day"


def test_an_expired_check_says_so():
    user = t.ManagedUser("sam.cp", "Sam Okoro", "child_protection", "NBR", None, date(2022, 11, 20),
                         date(2025, 11, 20), True, False, "")
    assert w.check_words(user, TODAY) == "EXPIRED 20 Nov 2025"


def test_the_involvement_behind_a_request_is_marked_sensitive_with_its_consent():
    """R-SENS-4, R-SENS-2: the LA team sees it in full, marked sensitive, with who consented."""
    inv = Involvement(7, ServiceType.CAMHS, "Northbridge CAMHS", "Dr Ann Lee", "Psychiatrist", "0191 000", "a@b.org",
                      date(2026, 1, 5), None, False, False, consent_by=ConsentBy.CHILD, consent_on=date(2026, 1, 5))
    text = "\n".join(w.involvement_lines(inv))
    assert text.startswith("SENSITIVE SERVICE: Child and adolescent mental health")
    assert "Dr Ann Lee" in text and "0191 000" in text and "Consent given by the child on 05 Jan 2026" in text
    overridden = Involvement(8, ServiceType.SEXUAL_HEALTH, "Clinic", "Jo", "Nurse", "", "", date(2026, 1, 5), None,
                             False, False, consent_override=ConsentOverride.CHILD_PROTECTION)
    assert "WITHOUT consent, on child-protection grounds" in "\n".join(w.involvement_lines(overridden))
    assert "shielded" in w.involvement_lines(None)[0]
