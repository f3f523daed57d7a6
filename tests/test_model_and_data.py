"""The data model holds no case information (R-REC-5); the training data is
realistic and reproducible."""
from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from typing import Any

import pytest

from app import db, directory_id, generator, model
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.refusals import AccessRefused
from app.search import Criteria
from tests.conftest import TODAY, add_child, viewer_for
from tests.test_work_involvements import HUB, REASON, new, record

# Every column of every table, by name. A new table or column must be added
# here on purpose, after asking: could case information be written in it?
ALLOWED_COLUMNS = {
    # the record (R-REC-1..4)
    "children": {"id", "directory_id", "given_names", "family_name", "dob", "gender", "household_id",
                 "setting_id", "gp_id", "la_code", "shielded_at",
                 # retention dates (R-RET-1/2): codes and dates only
                 "stay_to_age", "died_on", "left_england_on", "archived_on", "archived_why", "destroy_on"},
    "other_names": {"child_id", "given_names", "family_name"},
    "households": {"id", "line1", "line2", "town", "postcode", "la_code"},
    "carers": {"id", "household_id", "given_names", "family_name", "relationship", "phone", "line1", "line2",
               "town", "postcode"},
    "settings": {"id", "kind", "name", "line1", "line2", "town", "postcode", "phone", "la_code"},
    "gp_practices": {"id", "name", "line1", "line2", "town", "postcode", "phone"},
    "involvements": {"id", "child_id", "service", "organisation", "practitioner", "role", "phone", "email",
                     "started", "ended", "lead", "caf", "recorded_by", "consent_by", "consent_on",
                     "consent_override", "version", "keep_contact_years", "contact_archive_on", "contact_archived"},
    "las": {"code", "name", "phone", "email"},
    # the directory at work (issue 8): codes, dates, ids and contact details only
    "shields": {"child_id", "ground", "requested_by", "requested_at", "review_due", "reviews"},
    "shield_reviews": {"id", "child_id", "reviewed_by", "reviewed_at", "decision", "next_due"},
    "contact_requests": {"id", "child_id", "involvement_id", "requested_by", "phone", "email", "requested_at",
                         "status", "decided_by", "decided_at", "la_code",
                         "passed_on_by"},  # shields-contact-passed-on-by: a code
    "notices": {"id", "username", "at", "kind", "child_id", "about_involvement", "about_request", "read"},
    "alerts": {"id", "la_code", "at", "kind", "actor", "child_id", "audit_seq", "acknowledged_by",
               "acknowledged_at"},
    # idempotency: the answer a change already gave (encoded directory objects, no free text), a hash of the
    # request it answered, the child it is about and when it expires (issue 13 §2)
    "done_requests": {"username", "key", "op", "answer", "at", "fingerprint", "child_id", "expires_at"},
    # the search index: normalised names, dates and postcodes only (R-SEARCH-4)
    "search_names": {"family", "given", "dob", "postcode", "child_id", "kind"},
    "name_vocab": {"kind", "name", "metaphone"},
    "name_deletes": {"kind", "del", "name"},
    # users, sign-in and anti-trawling counters (R-ROLE-4, R-SEARCH-6)
    "users": {"username", "display_name", "role", "la_code", "organisation", "password_hash", "nominated",
              "trained", "check_date", "enabled", "token_serial", "sign_public_der", "wrap_public_der",
              "trained_on", "job_title", "phone", "email",
              # la-admin (issue 14 §2.1): nomination, who made the account, a one-time password to replace
              "password_change_required", "nominated_by", "nominated_on", "created_by"},
    "signin_failures": {"username", "failures", "locked_at"},
    "record_opens": {"username", "day", "child_id"},
    # audit (R-AUDIT-1/2): who, when, what was searched or opened; never case information
    "audit": {"seq", "at", "actor", "on_behalf_of", "action", "reason", "detail", "las", "leaf"},
    "audit_tree": {"level", "idx", "hash"},
    "audit_checkpoints": {"size", "root", "at", "signature", "origin"},
    "meta": {"key", "value"},
    "schema_migrations": {"name", "applied_at"},  # which schema changes a directory has had (app/schema.py)
    # closure (R-CLOSE-3..5): the LA's register and checklist as app.closure JSON, who changed them and where
    "closure_records": {"la_code", "register", "checklist", "version", "changed_by", "changed_where", "changed_at"},
    # la-admin: the register of organisations and the LA teams' role titles (R-REC-5): names the LA team decided
    "organisations": {"id", "name", "la_code", "status", "requested_by", "requested_at", "decided_by", "decided_at"},
    "role_titles": {"id", "service", "title", "la_code", "status", "requested_by", "requested_at", "decided_by",
                    "decided_at"},
    # shields-sibling-decisions: ids, a code and who decided when (R-SHIELD-1/2)
    "sibling_decisions": {"sibling_id", "shielded_id", "shield_set_at", "decision", "decided_by", "decided_at"},
}
CASE_WORDS = re.compile(r"note|concern|flag|assess|diagnos|comment|descr|action|outcome|risk|text|summary")


def test_no_table_has_a_column_for_case_information(directory):
    """R-REC-5: every table and column is on the allow-list, and none is named for case information."""
    tables = {r[0] for r in directory.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    assert tables == set(ALLOWED_COLUMNS), f"tables changed: {tables ^ set(ALLOWED_COLUMNS)}"
    for table, allowed in ALLOWED_COLUMNS.items():
        cols = {r[1] for r in directory.conn.execute(f"PRAGMA table_info({table})")}
        assert cols == allowed, f"{table} columns changed: {cols ^ allowed}"
        if table != "audit":  # audit's action and detail say what a user did (R-AUDIT-1)
            assert not any(CASE_WORDS.search(c) for c in cols), table


CASE_NOTES = ("Concern: dad violent, bruises seen", "bruises seen")  # the short one fits a phone's length


def found(directory, who, did, reason) -> None:
    assert [h.directory_id for h in directory.search(who, Criteria(directory_id=did), reason).hits] == [did]


def _strings(value):
    """Every text value inside a record view, however deep (dataclasses, tuples, enums' values)."""
    if isinstance(value, str):
        yield value
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            yield from _strings(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)


def test_record_types_have_no_field_for_case_information(directory):
    """R-REC-5, by what the engine does and not only by field names: a case note written into each text an
    involvement takes (organisation, role, phone, e-mail; recorded or updated) is refused, and no value of the
    child's record, as the recorder, a colleague or the LA team sees it, carries it; the two indicators are flags
    of their own (lead professional, CAF), never text."""
    for cls in (model.RecordView, model.Involvement, model.ParentCarer, model.Setting, model.GpPractice,
                model.SearchHit):
        for f in dataclasses.fields(cls):
            assert not CASE_WORDS.search(f.name), f"{cls.__name__}.{f.name}"
    assert {f.name for f in dataclasses.fields(model.Involvement)} >= {"lead_professional", "caf_completed"}
    did = add_child(directory, "Ottilie", "Brackenbury", date(2015, 6, 8))
    alex, sam, la = (viewer_for(directory, u) for u in ("alex.practitioner", "sam.cp", "jo.la"))
    monitoring = model.Reason(model.AccessReason.LA_MONITORING)
    for who, why in ((alex, REASON), (sam, REASON), (la, monitoring)):
        found(directory, who, did, why)
    for field in ("organisation", "role", "phone", "email"):
        for note in CASE_NOTES:
            with pytest.raises(AccessRefused) as refused:
                record(directory, alex, new(did, **{"organisation": HUB, field: note}))
            assert refused.value.field == field, field
    recorded = record(directory, alex, new(did, organisation=HUB)).involvement
    assert (recorded.lead_professional, recorded.caf_completed) == (False, False)
    change: dict[str, Any] = dict(directory_id=did, involvement_id=recorded.involvement_id, version=recorded.version,
                  organisation=HUB, role=recorded.role, phone=recorded.phone, email=recorded.email, reason=REASON)
    for field in ("organisation", "role", "phone", "email"):
        for note in CASE_NOTES:
            with pytest.raises(AccessRefused) as refused:
                directory.perform(ops.UPDATE_INVOLVEMENT, alex, t.InvolvementChange(**{**change, field: note}))
            assert refused.value.field == field, field
    words = re.compile(r"concern|violent|bruise", re.I)
    for who, why in ((alex, REASON), (sam, REASON), (la, monitoring)):
        view = directory.view_record(who, did, why)
        assert any(isinstance(i, model.Involvement) for i in view.involvements)
        assert not [v for v in _strings(view) if words.search(v)]
        for inv in view.involvements:
            assert isinstance(inv.lead_professional, bool) and isinstance(inv.caf_completed, bool)


def test_sensitive_service_types_are_the_ones_the_rules_name(directory):
    """R-SENS-1..3, by behaviour rather than by restating the constant: of every service type, exactly sexual
    health, CAMHS and substance misuse cannot be recorded without consent and are withheld from a colleague (an
    unspecified service, nothing else); every other type is recorded without consent and shown in full; the LA
    team sees them all."""
    named_by_the_rules = {"sexual_health", "camhs", "substance_misuse"}
    did = add_child(directory, "Ottilie", "Brackenbury", date(2015, 6, 8))
    alex, sam, la = (viewer_for(directory, u) for u in ("alex.practitioner", "sam.cp", "jo.la"))
    monitoring = model.Reason(model.AccessReason.LA_MONITORING)
    for who, why in ((alex, REASON), (sam, REASON), (la, monitoring)):
        found(directory, who, did, why)
    needed_consent = set()
    for service in model.ServiceType:
        try:
            record(directory, alex, new(did, service=service, organisation=HUB))
        except AccessRefused as exc:
            assert exc.code == "involvement.consent_required", service
            needed_consent.add(service.value)
            record(directory, alex, new(did, service=service, organisation=HUB,
                                        consent=t.Consent(model.ConsentBy.CHILD, TODAY)))
    assert needed_consent == named_by_the_rules
    colleague = directory.view_record(sam, did, REASON).involvements
    shown = {i.service.value for i in colleague if isinstance(i, model.Involvement)}
    withheld = [i for i in colleague if isinstance(i, model.WithheldInvolvement)]
    assert shown == {s.value for s in model.ServiceType} - named_by_the_rules and len(withheld) == 3
    assert not [v for v in _strings(withheld) if v]  # no organisation, practitioner, type or contact
    everything = directory.view_record(la, did, monitoring).involvements
    assert {i.service.value for i in everything if isinstance(i, model.Involvement)} == {
        s.value for s in model.ServiceType}


def _sample(path, key):
    conn = db.open_encrypted(path, key)
    try:
        return conn.execute("SELECT directory_id, given_names, family_name, dob FROM children "
                            "ORDER BY id LIMIT 50").fetchall()
    finally:
        conn.close()


def test_same_seed_gives_the_same_directory(tmp_path):
    key = db.new_key()
    generator.generate(tmp_path / "a.db", key, children=300, seed=11, today=TODAY)
    generator.generate(tmp_path / "b.db", key, children=300, seed=11, today=TODAY)
    generator.generate(tmp_path / "c.db", key, children=300, seed=12, today=TODAY)
    assert _sample(tmp_path / "a.db", key) == _sample(tmp_path / "b.db", key)
    assert _sample(tmp_path / "a.db", key) != _sample(tmp_path / "c.db", key)


def test_training_data_looks_like_real_english_records(directory):
    q = lambda sql: directory.conn.execute(sql).fetchone()[0]  # noqa: E731
    n = q("SELECT count(*) FROM children")
    assert q("SELECT count(*) FROM children WHERE family_name LIKE '%-%'") > 0
    assert q("SELECT count(*) FROM children WHERE family_name LIKE '%''%'") > 0
    assert q("SELECT count(*) FROM (SELECT household_id, dob FROM children GROUP BY household_id, dob "
             "HAVING count(*) > 1)") > 0, "twins"
    assert q("SELECT count(*) FROM (SELECT household_id FROM children GROUP BY household_id "
             "HAVING count(*) > 1)") > 0, "siblings"
    assert 0.005 < q("SELECT count(*) FROM children WHERE shielded_at IS NOT NULL") / n < 0.05
    assert q("SELECT count(*) FROM involvements WHERE service IN ('sexual_health','camhs','substance_misuse')") > 0
    assert q("SELECT count(*) FROM involvements WHERE ended IS NOT NULL") > 0
    near_18 = date(TODAY.year - 18, TODAY.month, TODAY.day).toordinal() + 60
    assert q(f"SELECT count(*) FROM children WHERE dob < {near_18}") > 0
    assert q("SELECT count(*) FROM other_names") > 0
    postcodes = [r[0] for r in directory.conn.execute("SELECT postcode FROM households LIMIT 500")]
    assert all(re.fullmatch(r"[A-Z]{1,2}\d{1,2} \d[ABD-HJLNP-UW-Z]{2}", p) for p in postcodes)
    phones = [r[0] for r in directory.conn.execute("SELECT phone FROM carers LIMIT 500")]
    assert all(p.startswith("07700 900") for p in phones), "Ofcom drama numbers only"


def test_sensitive_involvements_carry_consent(directory):
    """R-SENS-2, on the engine rather than on what the generator wrote: a sensitive involvement is recorded only
    with who consented and when, or a child-protection override; refused otherwise, with nothing stored; and every
    sensitive involvement in the directory, as the LA team opens it, shows its consent or its override."""
    did = add_child(directory, "Ottilie", "Brackenbury", date(2015, 6, 8))
    alex, sam, la = (viewer_for(directory, u) for u in ("alex.practitioner", "sam.cp", "jo.la"))
    monitoring = model.Reason(model.AccessReason.LA_MONITORING)
    for who, why in ((alex, REASON), (sam, REASON), (la, monitoring)):
        found(directory, who, did, why)
    stored = "SELECT count(*) FROM involvements WHERE service IN ('sexual_health','camhs','substance_misuse')"
    before = directory.conn.execute(stored).fetchone()[0]
    for service in sorted(model.SENSITIVE_SERVICES):
        # no choice made (by anyone), both (which is it?), and a "child" that is not a choice offered
        for who, consent, override in ((alex, None, None), (sam, None, None),
                                       (alex, t.Consent(model.ConsentBy.CHILD, TODAY),
                                        model.ConsentOverride.CHILD_PROTECTION),
                                       (alex, t.Consent("the child", TODAY), None)):  # type: ignore[arg-type]
            with pytest.raises(AccessRefused) as refused:
                record(directory, who, new(did, service=service, organisation=HUB, consent=consent,
                                           override=override))
            assert (refused.value.code, refused.value.field) == ("involvement.consent_required", "consent")
    assert directory.conn.execute(stored).fetchone()[0] == before
    with_consent = record(directory, alex, new(did, service=model.ServiceType.CAMHS, organisation=HUB,
                                               consent=t.Consent(model.ConsentBy.PARENT_CARER, TODAY))).involvement
    assert (with_consent.consent_by, with_consent.consent_on) == (model.ConsentBy.PARENT_CARER, TODAY)
    overridden = record(directory, sam, new(did, service=model.ServiceType.SEXUAL_HEALTH, organisation=HUB,
                                            override=model.ConsentOverride.CHILD_PROTECTION)).involvement
    assert overridden.consent_override is model.ConsentOverride.CHILD_PROTECTION and overridden.consent_by is None
    # what the directory already holds, read through the engine as the LA team reads it
    children = [directory_id.fmt(r[0]) for r in directory.conn.execute(
        "SELECT DISTINCT c.directory_id FROM involvements i JOIN children c ON c.id = i.child_id "
        "WHERE i.service IN ('sexual_health','camhs','substance_misuse') AND c.la_code = 'NBR' "
        "AND c.archived_on IS NULL ORDER BY c.id LIMIT 8")] + [did]
    seen = 0
    for child in children:
        found(directory, la, child, monitoring)
        for inv in directory.view_record(la, child, monitoring).involvements:
            if isinstance(inv, model.Involvement) and inv.service.sensitive:
                seen += 1
                assert (inv.consent_by is not None and inv.consent_on is not None) or inv.consent_override, inv
    assert seen >= len(children) + 1


def test_cancelled_build_leaves_no_file(tmp_path):
    with pytest.raises(generator.Cancelled):
        generator.generate(tmp_path / "d.db", db.new_key(), children=50_000, today=TODAY, cancelled=lambda: True)
    assert list(tmp_path.iterdir()) == []


def test_services_fit_the_childs_age(directory):
    """No careers adviser for a five-year-old: services have minimum ages in the recipe."""
    young = directory.conn.execute(
        "SELECT count(*) FROM involvements i JOIN children c ON c.id = i.child_id "
        "WHERE i.service = 'connexions' AND c.dob > ?", ((TODAY - timedelta(days=13 * 365 + 4)).toordinal(),)
    ).fetchone()[0]
    assert young == 0
