"""A row in each table a loaded training directory leaves empty: what a directory at work also holds (shields,
requests, notices, answers kept, sessions, the audit...), for tests that must see every table survive."""
from __future__ import annotations

import hashlib

from app import audit


def append_audit(conn, actor: str, action: str, detail: str = "{}") -> tuple[int, bytes]:
    """One audit entry at the next number (migration 0004), in the caller's transaction: (seq, leaf)."""
    seq = conn.execute("SELECT audit_sequence_next()").fetchone()[0]
    at = f"2026-05-01T10:00:00.{seq % 1_000_000:06d}+00:00"
    leaf = audit.entry_leaf(seq, at, actor, None, action, None, detail, "NBR")
    conn.execute("INSERT INTO audit (seq, at, actor, on_behalf_of, action, reason, detail, las, leaf) "
                 "VALUES (%s, %s, %s, NULL, %s, NULL, %s, 'NBR', %s)", (seq, at, actor, action, detail, leaf))
    return seq, leaf


def one_of_each(conn) -> None:
    """Rows about the first child and the first user, in ``conn``'s transaction."""
    child, la = conn.execute("SELECT id, la_code FROM children ORDER BY id LIMIT 1").fetchone()
    involvement = conn.execute("SELECT id FROM involvements WHERE child_id = %s LIMIT 1", (child,)).fetchone()
    if involvement is None:
        involvement = conn.execute(
            "INSERT INTO involvements (child_id, service, organisation, practitioner, role, phone, email, started, "
            "recorded_by) VALUES (%s, 'school_nurse', 'Org', 'A Person', 'Nurse', '0', 'a@b.example', "
            "'2026-01-01', 'x') RETURNING id", (child,)).fetchone()
    user = conn.execute("SELECT username FROM users ORDER BY added LIMIT 1").fetchone()[0]
    token = hashlib.sha256(b"a session").digest()
    stamp = "2026-05-01T10:00:00+00:00"
    conn.execute("INSERT INTO shields VALUES (%s, 'risk', %s, %s, '2026-05-08', 0)", (child, user, stamp))
    conn.execute("INSERT INTO shield_reviews (child_id, reviewed_by, reviewed_at, decision, next_due) "
                 "VALUES (%s, %s, %s, 'keep', '2026-11-01')", (child, user, stamp))
    request = conn.execute(
        "INSERT INTO contact_requests (child_id, involvement_id, requested_by, phone, email, requested_at, status, "
        "la_code) VALUES (%s, %s, %s, '0', 'a@b.example', %s, 'waiting', %s) RETURNING id",
        (child, involvement[0], user, stamp, la)).fetchone()[0]
    conn.execute("INSERT INTO notices (username, at, kind, child_id, about_request) VALUES (%s, %s, 'k', %s, %s)",
                 (user, stamp, child, request))
    seq, _ = append_audit(conn, user, "shield_requested")
    conn.execute("INSERT INTO alerts (la_code, at, kind, actor, child_id, audit_seq) VALUES (%s, %s, 'k', %s, %s, %s)",
                 (la, stamp, user, child, seq))
    conn.execute("INSERT INTO audit_tree VALUES (0, %s, %s)", (seq - 1, b"\x00" * 32))
    conn.execute("INSERT INTO audit_checkpoints VALUES (%s, %s, %s, %s)", (seq, b"\x01" * 32, stamp, b"\x02" * 64))
    conn.execute("INSERT INTO done_requests VALUES (%s, 'key-00000001', 'end_involvement', '{}', %s, 'f', %s, %s)",
                 (user, stamp, child, "2026-05-02T10:00:00+00:00"))
    conn.execute("INSERT INTO closure_records VALUES (%s, '{}', '{}', 1, %s, 'desk', %s)", (la, user, stamp))
    conn.execute("INSERT INTO signin_failures VALUES (%s, 2, NULL)", (user,))
    conn.execute("INSERT INTO record_opens VALUES (%s, '2026-05-01', %s)", (user, child))
    conn.execute("INSERT INTO sessions (token_hash, username, signed_in, serial, created_at, last_used_at) "
                 "VALUES (%s, %s, '{}', 'serial-1', %s, %s)", (token, user, stamp, stamp))
    conn.execute("INSERT INTO session_grants VALUES (%s, %s)", (token, child))
    conn.execute("INSERT INTO challenges VALUES (%s, %s)", (b"\x03" * 32, stamp))
    conn.execute("INSERT INTO search_events VALUES (%s, %s)", (user, stamp))
    conn.execute("INSERT INTO address_calls VALUES ('127.0.0.1', %s)", (stamp,))
    if conn.execute("SELECT to_regclass('public.role_titles') IS NOT NULL").fetchone()[0]:  # from migration 0006
        conn.execute("INSERT INTO role_titles (service, title, la_code, status, requested_by, requested_at) "
                     "VALUES ('school_nurse', 'Nurse lead', %s, 'requested', %s, %s)", (la, user, stamp))
    if conn.execute("SELECT to_regclass('public.sibling_decisions') IS NOT NULL").fetchone()[0]:  # from 0007
        sibling = conn.execute("SELECT id FROM children WHERE id <> %s ORDER BY id LIMIT 1", (child,)).fetchone()[0]
        conn.execute("UPDATE children SET shielded_at = %s WHERE id = %s", (stamp, child))
        conn.execute("INSERT INTO sibling_decisions VALUES (%s, %s, %s, 'not_needed', %s, %s)",
                     (sibling, child, stamp, user, stamp))
        conn.execute("UPDATE contact_requests SET status = 'passed_on', passed_on_by = 'phone' WHERE id = %s",
                     (request,))


def a_child(conn, directory_id: int = 9_000_000_017) -> int:
    """A household and a child in it (no involvements), in ``conn``'s transaction: the child's id."""
    household = conn.execute("INSERT INTO households (line1, line2, town, postcode, la_code) "
                             "VALUES ('1 High Street', '', 'Northbridge', 'NB1 1AA', 'NBR') RETURNING id").fetchone()[0]
    return conn.execute("INSERT INTO children (directory_id, given_names, family_name, dob, gender, household_id, "
                        "la_code) VALUES (%s, 'Lowenna', 'Trevaskis', '2014-09-02', 'F', %s, 'NBR') RETURNING id",
                        (directory_id, household)).fetchone()[0]


def an_involvement(conn, child: int, practitioner: str = "A Person") -> int:
    return conn.execute(
        "INSERT INTO involvements (child_id, service, organisation, practitioner, role, phone, email, started, "
        "recorded_by) VALUES (%s, 'school_nurse', 'Org', %s, 'Nurse', '0', 'a@b.example', '2026-01-01', 'x') "
        "RETURNING id", (child, practitioner)).fetchone()[0]


def a_user(conn, username: str) -> None:
    conn.execute("INSERT INTO users (username, display_name, role, la_code, organisation, password_hash, nominated, "
                 "trained) VALUES (%s, %s, 'practitioner', 'NBR', 'Org', '!', true, true)", (username, username))
