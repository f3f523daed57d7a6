"""The engine checks its own audit log when it opens, and never carries on silently on a broken one (issue 13
§1.2; R-AUDIT-2): each kind of tampering a file's holder can do without the signing key ends in a named
security alert to whoever signs in and to every LA team, never a raw IntegrityError or LookupError."""
from __future__ import annotations

import pytest

from app import audit
from app.directory import Directory, witness_path
from app.refusals import AuditBroken, Refusal
from tests import tampering
from tests.conftest import TODAY, SoftToken, token_sign_in
from ui import refusals

SIGNING = bytes(range(1, 33))

# what the engine finds, for every kind it can find on its own (re-signing needs a checkpoint held elsewhere)
FOUND = {"edit": "altered", "delete in the middle": "missing", "cut at the end": "cut_off",
         "cut with its checkpoints": "cut_off", "cut with the witness": "witness_missing",
         "insert at the end": "not_covered", "insert in the middle": "altered", "swap": "altered",
         "recompute": "altered"}


@pytest.fixture
def used(directory_copy):
    """A directory file whose log has a dozen real entries (sign-ins, refusals) and its witness."""
    path, key = directory_copy
    d = Directory.open(path, key, clock=lambda: TODAY, signing_key=SIGNING)
    token = SoftToken("SELF-1").enrol(d, "alex.practitioner")
    for _ in range(6):
        token_sign_in(d, "alex.practitioner", token)
        d.report_token_refusal("alex.practitioner", "SELF-1", "wrong_pin")
    d.close()
    return path, key, token


def _reopen(path, key):
    return Directory.open(path, key, clock=lambda: TODAY, signing_key=SIGNING)


def test_an_intact_log_passes_the_check_at_open(used):
    path, key, token = used
    d = _reopen(path, key)
    try:
        assert d.audit.broken is None
        assert token_sign_in(d, "alex.practitioner", token).session
    finally:
        d.close()


@pytest.mark.parametrize("kind", sorted(FOUND))
def test_every_tampering_is_a_named_alert_at_sign_in_and_to_every_la_team(used, kind):
    """Rule R-AUDIT-2: sign-in is refused with a security alert naming what was found; the LA teams' alerts
    inbox has it (pointing at the log as found); nothing is appended on top of the broken log."""
    path, key, token = used
    tampering.KINDS[kind](path, key, SIGNING)
    d = _reopen(path, key)
    try:
        assert d.audit.broken is not None and d.audit.broken.code == FOUND[kind]
        size = d.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
        with pytest.raises(AuditBroken) as refused:
            token_sign_in(d, "alex.practitioner", token)
        assert refused.value.params["finding"] == FOUND[kind]
        said = refusals.words(refused.value)
        assert said.startswith("Security alert: the directory's audit log ") and "failed its check" not in said
        las = {la for (la,) in d.conn.execute("SELECT code FROM las")}
        alerted = {la for (la,) in d.conn.execute("SELECT la_code FROM alerts WHERE kind = 'security_alert' "
                                                  "AND acknowledged_by IS NULL")}
        assert alerted == las
        assert d.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == size  # nothing added on top
    finally:
        d.close()


def test_the_alert_is_raised_once_however_often_the_directory_reopens(used):
    path, key, _ = used
    tampering.cut_at_the_end(path, key, SIGNING)
    for _ in range(3):
        _reopen(path, key).close()
    d = _reopen(path, key)
    try:
        per_la = d.conn.execute("SELECT la_code, count(*) FROM alerts WHERE kind = 'security_alert' "
                                "GROUP BY la_code").fetchall()
        assert per_la and all(n == 1 for _, n in per_la)
    finally:
        d.close()


def test_the_log_cut_while_the_directory_is_open_is_refused_not_a_raw_integrity_error(used):
    """Issue 13 §1.2: rows deleted behind an open directory's back used to make every later append fail with
    a raw IntegrityError (a tree node for the next entry already there)."""
    path, key, token = used
    d = _reopen(path, key)
    try:
        conn = tampering.unguarded(path, key)
        conn.execute("DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)")
        conn.close()
        with pytest.raises(Refusal) as refused:
            token_sign_in(d, "alex.practitioner", token)
        assert isinstance(refused.value, AuditBroken)
        with pytest.raises(AuditBroken):  # and from then on, every request
            token_sign_in(d, "alex.practitioner", token)
    finally:
        d.close()


def test_a_log_opened_with_another_signing_key_is_refused(used):
    """The key that signed the log's first checkpoint is pinned in the directory: a log carried on under
    another key would hide who signed what."""
    path, key, token = used
    d = Directory.open(path, key, clock=lambda: TODAY, signing_key=bytes(32))
    try:
        assert d.audit.broken is not None and d.audit.broken.code == "key_changed"
        with pytest.raises(AuditBroken):
            token_sign_in(d, "alex.practitioner", token)
    finally:
        d.close()


def test_a_consistency_proof_the_tree_cannot_give_is_refused_not_a_lookup_error(used):
    """A client asking for a proof across tree nodes that were deleted gets a coded refusal."""
    path, key, _ = used
    d = _reopen(path, key)
    try:
        d.conn.execute("DROP TRIGGER audit_tree_no_delete")
        d.conn.execute("DELETE FROM audit_tree WHERE level = 0 AND idx = 1")  # a node the proof from 1 needs
        with pytest.raises(AuditBroken):
            d.audit_consistency(1, d.audit.size)
    finally:
        d.close()


def test_a_long_log_is_checked_at_its_tail_at_open(used, monkeypatch):
    """Past FULL_CHECK_ENTRIES the engine reads only the last TAIL_CHECK_ENTRIES at open (``audit verify``
    reads the whole log): an edit in the tail is still found."""
    path, key, _ = used
    monkeypatch.setattr(audit, "FULL_CHECK_ENTRIES", 4)
    monkeypatch.setattr(audit, "TAIL_CHECK_ENTRIES", 3)
    conn = tampering.unguarded(path, key)
    conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = (SELECT max(seq) - 1 FROM audit)")
    conn.close()
    d = _reopen(path, key)
    try:
        assert d.audit.broken is not None and d.audit.broken.code == "altered"
    finally:
        d.close()
    assert witness_path(path).exists()
