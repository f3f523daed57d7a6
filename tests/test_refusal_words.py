"""Every refusal the directory can send has words a person can act on, from one map (ui/refusals.py)."""
from __future__ import annotations

import re
from pathlib import Path

from app.refusals import AccessRefused, RateLimited, SearchRefused, SignInRefused, from_problem
from app.search import Outcome
from ui import refusals

APP = Path(__file__).resolve().parents[1] / "app"
RAISED = re.compile(r"""(?:SearchRefused|AccessRefused|RateLimited|SignInRefused|NoSuchRecord)"""
                    r"""\(\s*["']([a-z_]+\.[a-z_]+)["']""")


def test_every_code_raised_in_the_engine_has_words():
    codes = {m for f in APP.rglob("*.py") for m in RAISED.findall(f.read_text(encoding="utf-8"))}
    codes |= {c for f in (APP / "directory" / "engine").glob("*.py")
              for c in re.findall(r'"(account\.[a-z_]+)"', f.read_text(encoding="utf-8"))}
    codes |= set(re.findall(r'"(access\.reason_[a-z_]+)"', (APP / "model.py").read_text()))
    assert len(codes) > 30
    missing = sorted(c for c in codes if c not in refusals.WORDS and c != "search.add_detail")
    assert not missing, f"codes with no words: {missing}"


def test_words_fill_in_what_the_person_needs():
    assert refusals.words(RateLimited("rate.searches", count=20, window_s=60, wait_s=42)).endswith("in 42 seconds.")
    assert "2 minutes" in refusals.words(RateLimited("rate.searches", count=200, window_s=3600, wait_s=95))
    assert "expired on 3 March 2026" in refusals.words(SignInRefused("account.check_expired", expired_on="2026-03-03"))
    assert "family name is too long" in refusals.words(SearchRefused("search.too_long", "family_name", limit=60))
    assert "LA data quality" in refusals.words(AccessRefused("access.reason_not_for_role", reason="la_monitoring"))


def test_a_code_from_a_newer_service_still_gets_a_sentence():
    text = refusals.words(from_problem({"kind": "access", "code": "access.something_new", "params": {}}))
    assert text.startswith("The directory refused this request")


def test_notices_say_what_was_searched():
    out = Outcome(notice="no_match", params={"searched": {"family_name": "Smith", "dob": "2015-03-12"},
                                             "hint": "exact_dob"})
    assert refusals.notice_words(out).startswith("No child matches family name Smith, born 12/03/2015")
    refine = Outcome(refine=True, notice="refine", params={"searched": {"family_name": "Smith", "age_from": 5,
                                                                        "age_to": 7, "given_name": "Poppy"}, "cap": 25})
    said = refusals.notice_words(refine)
    assert "More than 25 children match family name Smith, given name Poppy, aged 5 to 7" in said


def test_every_kind_of_failure_has_one_explanation():
    from app.directory.interface import CertificateProblem, DirectoryUnavailable, ServiceError, Unreachable
    from app.token.errors import TokenError, TokenErrorKind
    assert "cannot be reached" in refusals.explain(Unreachable())[0]
    assert "certificate" in refusals.explain(CertificateProblem())[0]
    assert "could not read" in refusals.explain(ServiceError("malformed"))[0]
    assert "disk is full" in refusals.explain(DirectoryUnavailable("disk_full"))[0]
    assert refusals.explain(TokenError(TokenErrorKind.WRONG_PIN, "The PIN is not correct.")) == (
        "The PIN is not correct.", "pin")
    assert refusals.explain(SearchRefused("search.dob_in_future", "dob")) == (
        "The date of birth is in the future: check it.", "dob")
    assert refusals.explain(RuntimeError("boom"))[0].startswith("Something went wrong")


def test_every_audit_alarm_and_finding_is_a_named_security_alert():
    """R-AUDIT-2 (issue 13 §1.2): whatever the client's check or the directory's own check finds reaches the
    person as a security alert in words of its own, never as a code or a generic failure."""
    from app.audit import FINDINGS
    from app.audit_memory import ALARMS, AuditAlarm
    from app.refusals import AuditBroken
    for code in ALARMS:
        said = refusals.words(AuditAlarm(code, kept=9, now=3, entry=4, fingerprint="ab12 cd34 ef56 7890"))
        assert said.startswith("Security alert: ") and "{" not in said, code
    for finding in FINDINGS:
        said = refusals.words(AuditBroken("audit.log_broken", finding=finding, entry=3))
        assert said.startswith("Security alert: the directory's audit log ") and "failed its check" not in said, finding
