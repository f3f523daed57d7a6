"""The audit log nobody can rewrite unnoticed (R-AUDIT-2): each kind of tampering is
caught and the first bad entry named, even when every stored hash is recomputed."""
from __future__ import annotations

from datetime import date

import pytest

from app import admin, audit, merkle, training
from app.directory import Directory, witness_path
from app.search import Criteria
from tests.conftest import TODAY, viewer_for

SIGNING = bytes(range(32))
PUBLIC = training.public_signing_key(SIGNING)
COLS = "seq, at, actor, on_behalf_of, action, reason, detail, las"


@pytest.fixture
def logged(directory_copy):
    """A directory with a dozen real audit entries, then its raw connection with the guards dropped."""
    path, key = directory_copy
    d = Directory.open(path, key, clock=lambda: TODAY, signing_key=SIGNING)
    viewer = viewer_for(d, "alex.practitioner")
    from app.model import AccessReason, Reason
    for day in range(1, 9):
        d.search(viewer, Criteria(family_name="Smith", dob=date(2015, 1, day)), Reason(AccessReason.PROVIDING_SERVICE))
    d.close()
    from app import db
    conn = db.open_encrypted(path, key)
    for table in ("audit", "audit_tree", "audit_checkpoints"):
        for op in ("update", "delete"):
            conn.execute(f"DROP TRIGGER {table}_no_{op}")
    yield conn, witness_path(path)
    conn.close()


def _verdict(conn, witness):
    return audit.verify(conn, PUBLIC, audit.read_witness(witness))


def _rewrite(conn, rows):
    """What a careful tamperer does: every leaf hash and every tree node recomputed."""
    conn.execute("DELETE FROM audit")
    conn.execute("DELETE FROM audit_tree")
    store, size = merkle.MemoryStore(), 0
    for seq, *rest in rows:
        leaf = audit.entry_leaf(seq, *rest)
        conn.execute(f"INSERT INTO audit ({COLS}, leaf) VALUES (?,?,?,?,?,?,?,?,?)", (seq, *rest, leaf))
        size = merkle.append(store, size, leaf)
    conn.executemany("INSERT INTO audit_tree VALUES (?,?,?)", [(lv, i, h) for (lv, i), h in store.nodes.items()])


def _rows(conn):
    return [list(r) for r in conn.execute(f"SELECT {COLS} FROM audit ORDER BY seq")]


def test_an_intact_log_verifies(logged):
    conn, witness = logged
    verdict = _verdict(conn, witness)
    assert verdict.ok and verdict.entries >= 10


def test_an_edited_entry_is_named(logged):
    conn, witness = logged
    conn.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 5")
    assert _verdict(conn, witness).first_bad == 5


def test_an_edit_with_every_hash_recomputed_is_named(logged):
    conn, witness = logged
    rows = _rows(conn)
    rows[4][6] = rows[4][6].replace("Smith", "Smyth")  # seq 5's criteria, quietly changed
    _rewrite(conn, rows)
    verdict = _verdict(conn, witness)
    assert not verdict.ok and verdict.first_bad == 5 and "signed" in verdict.problem


def test_an_entry_deleted_in_the_middle_is_named(logged):
    conn, witness = logged
    conn.execute("DELETE FROM audit WHERE seq = 6")
    verdict = _verdict(conn, witness)
    assert verdict.first_bad == 6 and "missing" in verdict.problem
    rows = list(_rows(conn))
    for i, r in enumerate(rows):  # renumbered and rehashed so there is no gap
        r[0] = i + 1
    _rewrite(conn, rows)
    assert _verdict(conn, witness).first_bad == 6


def test_entries_cut_off_the_end_are_caught(logged):
    conn, witness = logged
    n = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    rows = _rows(conn)[:-2]
    _rewrite(conn, rows)
    conn.execute("DELETE FROM audit_checkpoints WHERE size > ?", (n - 2,))  # and their checkpoints
    verdict = _verdict(conn, witness)  # the witness beside the directory still says n
    assert not verdict.ok and verdict.first_bad == n - 1 and "cut off" in verdict.problem


def test_an_appended_forged_entry_is_named(logged):
    conn, witness = logged
    rows = _rows(conn)
    n = len(rows)
    rows.append([n + 1, rows[-1][1], "jo.la", None, "view_record", "LA data quality or monitoring", "{}", "NBR"])
    _rewrite(conn, rows)
    verdict = _verdict(conn, witness)
    assert verdict.first_bad == n + 1 and "not covered" in verdict.problem


def test_an_entry_inserted_in_the_middle_is_named(logged):
    conn, witness = logged
    rows = _rows(conn)
    forged = list(rows[3])
    forged[2] = "mallory"
    rows.insert(4, forged)
    for i, r in enumerate(rows):
        r[0] = i + 1
    _rewrite(conn, rows)
    assert _verdict(conn, witness).first_bad == 5


def test_reordered_entries_are_named(logged):
    conn, witness = logged
    rows = _rows(conn)
    rows[3][1:], rows[6][1:] = rows[6][1:], rows[3][1:]
    _rewrite(conn, rows)
    assert _verdict(conn, witness).first_bad == 4


def test_dropping_every_checkpoint_does_not_hide_a_rewrite(logged):
    conn, witness = logged
    rows = _rows(conn)
    rows[2][2] = "mallory"
    _rewrite(conn, rows)
    conn.execute("DELETE FROM audit_checkpoints")
    assert not _verdict(conn, witness).ok


def test_a_checkpoint_signed_by_another_key_is_refused(logged):
    conn, witness = logged
    assert not audit.verify(conn, training.public_signing_key(bytes(32)), audit.read_witness(witness)).ok


def test_audit_verify_command(training_home, capsys):
    """``main.py audit verify``: exit 0 when intact; non-zero naming the first bad entry."""
    paths, store, key = training_home
    d = Directory.open(paths.training_directory, key, clock=lambda: TODAY, signing_key=training.signing_key(store))
    for _ in range(3):
        viewer_for(d, "alex.practitioner")
    d.close()
    assert admin.audit_command(["verify"], store=store, paths=paths) == 0
    assert "intact" in capsys.readouterr().out
    from app import db
    conn = db.open_encrypted(paths.training_directory, key)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET action = 'nothing' WHERE seq = 2")
    conn.close()
    assert admin.audit_command(["verify"], store=store, paths=paths) == 1
    assert "first bad entry: 2" in capsys.readouterr().err


def test_two_processes_appending_to_one_log_keep_it_intact(directory_copy):
    """The app and the service may open one training directory at once: appends interleave safely."""
    path, key = directory_copy
    one = Directory.open(path, key, clock=lambda: TODAY, signing_key=SIGNING)
    two = Directory.open(path, key, clock=lambda: TODAY, signing_key=SIGNING)
    try:
        for i in range(6):
            (one if i % 2 else two).report_token_refusal("alex.practitioner", f"S{i}", "wrong_pin", "sign_in")
        assert audit.verify(one.conn, PUBLIC).ok
        assert one.conn.execute("SELECT count(*) FROM audit").fetchone()[0] >= 6
    finally:
        one.close()
        two.close()
