"""The usage store (issue 16 §1): what ``work.usage`` and ``work.guessing`` rely on for the LA team's usage report,
the entries behind it and the alerts inbox (R-AUDIT-2, R-ROLE-3: the team's own LA only). The audit is arranged
with entries written straight into its table; counting and patterns are policy and are not asked here."""
from __future__ import annotations

import json

import pytest

COLLEAGUE = "colleague"


def _users(store, la: str) -> dict[str, tuple[str, str]]:
    return {u: (n, r) for u, n, r in store.conn.execute(
        "SELECT username, display_name, role FROM users WHERE la_code = ?", (la,))}


def _other_la(store) -> str:
    return store.conn.execute("SELECT la_code FROM users WHERE la_code != 'NBR' LIMIT 1").fetchone()[0]


def _audit(store, *entries) -> None:
    """(seq, at, actor, action, detail, las) written as the audit writes them."""
    with store.write():
        store.conn.executemany("INSERT INTO audit (seq, at, actor, action, detail, las, leaf) VALUES (?,?,?,?,?,?,?)",
                               [(seq, at, actor, action, json.dumps(detail), las, b"\0" * 32)
                                for seq, at, actor, action, detail, las in entries])


def _at(minute: int) -> str:
    return f"2026-11-21T10:{minute:02d}:00.000000+00:00"


@pytest.fixture
def two(store) -> tuple[str, str]:
    """Two of NBR's users who are not colleagues."""
    a, b = sorted(u for u, (_, r) in _users(store, "NBR").items() if r != COLLEAGUE)[:2]
    return a, b


# -- the LA's users ----------------------------------------------------------------------------------------
def test_the_las_users_are_its_own_without_the_role_left_out(store):
    """R-ROLE-3: the report covers the LA's own users; its registered colleagues (no access) are left out."""
    everyone = _users(store, "NBR")
    got = store.usage.users_of("NBR", COLLEAGUE)
    assert got == {u: nr for u, nr in everyone.items() if nr[1] != COLLEAGUE}
    assert any(r == COLLEAGUE for _, r in everyone.values()) and got
    colleague = next(u for u, (_, r) in everyone.items() if r == COLLEAGUE)
    someone = next(iter(got))
    assert store.usage.user_of(someone, "NBR", COLLEAGUE) == got[someone]
    assert store.usage.user_of(colleague, "NBR", COLLEAGUE) is None
    assert store.usage.user_of(someone, _other_la(store), COLLEAGUE) is None  # another LA's team never sees them
    assert store.usage.user_of("nobody.at.all", "NBR", COLLEAGUE) is None


# -- the period's activity (R-AUDIT-2) ------------------------------------------------------------------
def test_activity_is_the_periods_entries_by_the_actors_about_the_la_in_order(store, two):
    a, b = two
    _audit(store,
           (1, _at(0), a, "sign_in", {}, "NBR"),  # before the seq range
           (2, _at(1), a, "sign_in", {}, "NBR"),  # before the period's start
           (3, _at(2), a, "sign_in", {}, "NBR"),
           (4, _at(3), b, "sign_in", {}, "XNBR,ABC"),  # another LA whose code ends like NBR's
           (5, _at(4), b, "sign_in", {}, "ABC,NBR"),  # about NBR among others
           (6, _at(5), "someone.else", "sign_in", {}, "NBR"),  # not one of the actors
           (7, _at(6), b, "sign_in", {}, "NBR"),  # the period's end: out
           (8, _at(7), a, "sign_in", {}, "NBR"))  # past the seq range
    got = list(store.usage.activity(2, 7, _at(2), _at(6), [a, b], "NBR"))
    assert [(row[0], row[2]) for row in got] == [(3, a), (5, b)]
    assert [row[0] for row in store.usage.activity(1, 8, _at(0), _at(9), [a], "NBR")] == [1, 2, 3, 8]


def test_activity_reads_each_kinds_few_detail_fields_and_only_those(store, two):
    """The patterns read what a search returned and the family name searched, the record a view or an override
    opened, and why a refusal or a failure was given; for any other action those are None."""
    a, _ = two
    _audit(store,
           (1, _at(0), a, "search", {"criteria": {"family_name": "Smith"}, "returned": ["NBR-1", "NBR-2"],
                                     "directory_id": "not read", "why": "not read"}, "NBR"),
           (2, _at(1), a, "view_record", {"directory_id": "NBR-1", "why": "not read"}, "NBR"),
           (3, _at(2), a, "open_archived", {"directory_id": "NBR-3"}, "NBR"),
           (4, _at(3), a, "shield_override", {"directory_id": "NBR-4"}, "NBR"),
           (5, _at(4), a, "search_refused", {"why": "rate limited", "directory_id": "not read"}, "NBR"),
           (6, _at(5), a, "sign_in_failed", {"why": "bad password"}, "NBR"),
           (7, _at(6), a, "involvement_recorded", {"directory_id": "NBR-5", "why": "x", "returned": []}, "NBR"),
           (8, _at(7), a, "search_refusedx", {"why": "not a refusal"}, "NBR"))
    rows = {row[0]: row for row in store.usage.activity(1, 8, _at(0), _at(9), [a], "NBR")}
    assert rows[1][3] == "search" and json.loads(rows[1][4]) == ["NBR-1", "NBR-2"] and rows[1][5] == "Smith"
    assert rows[1][6:] == (None, None)
    assert rows[2][4:] == (None, None, "NBR-1", None)
    assert rows[3][6] == "NBR-3" and rows[4][6] == "NBR-4"
    assert rows[5][4:] == (None, None, None, "rate limited")
    assert rows[6][7] == "bad password"
    assert rows[7][4:] == (None, None, None, None)
    assert rows[8][7] is None


def test_family_names_are_current_and_former_for_any_number_of_children(store):
    """R-AUDIT-2 (a record viewed that carries the viewer's family name): former names count too."""
    cid, number, family = store.conn.execute(
        "SELECT c.id, c.directory_id, c.family_name FROM children c ORDER BY c.id LIMIT 1").fetchone()
    store.conn.execute("INSERT INTO other_names (child_id, given_names, family_name) VALUES (?, 'Ann', 'Formerly')",
                       (cid,))
    many = [n for (n,) in store.conn.execute("SELECT directory_id FROM children WHERE id != ? ORDER BY id LIMIT 700",
                                             (cid,))]
    assert len(many) == 700
    got = store.usage.family_names(many[:600] + [number] + many[600:])  # past the first 500 asked
    former = {f for (f,) in store.conn.execute("SELECT family_name FROM other_names WHERE child_id = ?", (cid,))}
    assert {f for n, f in got if n == number} == {family} | former and "Formerly" in former
    assert {n for n, _ in got} == set(many) | {number}
    assert store.usage.family_names([]) == []


# -- the entries behind a pattern or an alert ------------------------------------------------------------
def test_entries_are_those_about_the_la_in_order_decoded(store, two):
    """R-ROLE-3: another LA's entries are never sent, even when asked for by seq."""
    a, _ = two
    _audit(store, *[(seq, _at(seq % 60), a, "search", {"n": seq}, ("ABC", "NBR", "ABC,NBR")[seq % 3])
                    for seq in range(1, 701)])
    got = store.usage.entries(list(range(1, 701)), "NBR")  # more than one statement's worth
    assert [e.seq for e in got] == [s for s in range(1, 701) if s % 3]
    first = got[0]
    assert (first.seq, first.actor, first.action, first.detail, first.las) == (1, a, "search", {"n": 1}, ("NBR",))
    assert got[1].las == ("ABC", "NBR")
    assert store.usage.entries([3, 6], "NBR") == ()


def test_an_actors_entries_around_one_within_the_bounds(store, two):
    """The quarter of an hour before an alert's entry (the last ones) and the minute after (the first 20)."""
    a, b = two
    _audit(store, *[(seq, _at(seq), a if seq != 12 else b, "sign_in_failed", {}, "NBR") for seq in range(1, 60)])
    assert store.usage.entry_time(10) == _at(10) and store.usage.entry_time(999) is None
    assert store.usage.actor_before(10, a, _at(4), 100) == [4, 5, 6, 7, 8, 9]  # since inclusive, in order
    assert store.usage.actor_before(10, a, _at(0), 3) == [7, 8, 9]  # the nearest ones
    assert store.usage.actor_after(10, a, _at(14)) == [11, 13, 14]  # not b's, until inclusive
    assert store.usage.actor_after(10, a, _at(59)) == [s for s in range(11, 33) if s != 12][:20]


def test_unknown_sign_ins_are_the_refused_sign_ins_naming_no_la(store, two):
    a, _ = two
    _audit(store,
           (1, _at(0), "typed.name", "sign_in_failed", {"why": "unknown"}, ""),
           (2, _at(1), "(address)", "sign_in_failed", {"count": 4}, ""),
           (3, _at(2), a, "sign_in_failed", {}, "NBR"),  # a known user's: the LA's own report
           (4, _at(3), "typed.name", "search_refused", {}, ""),
           (5, _at(4), "typed.name", "sign_in_failed", {}, ""))
    assert list(store.usage.unknown_sign_ins(1, 5, _at(0), _at(9))) == [(1, _at(0), 1), (2, _at(1), 4),
                                                                        (5, _at(4), 1)]
    assert [s for s, *_ in store.usage.unknown_sign_ins(2, 5, _at(0), _at(4))] == [2]


# -- the alerts inbox (R-SHIELD-6, R-AUDIT-2) --------------------------------------------------------------
def _alert(store, la: str, actor: str, child_id, seq: int) -> int:
    return store.conn.execute("INSERT INTO alerts (la_code, at, kind, actor, child_id, audit_seq) VALUES "
                              "(?, ?, 'shield_override', ?, ?, ?)", (la, _at(seq), actor, child_id, seq)).lastrowid


def test_the_las_alerts_newest_first_with_names_and_acknowledged_once_marked(store, two):
    a, b = two
    cid, number, given, family = store.conn.execute(
        "SELECT id, directory_id, given_names, family_name FROM children ORDER BY id LIMIT 1").fetchone()
    older = _alert(store, "NBR", a, cid, 1)
    _alert(store, _other_la(store), a, cid, 2)
    newer = _alert(store, "NBR", a, None, 3)
    got = store.usage.alerts("NBR", 10)
    assert [r[0] for r in got] == [newer, older]
    assert got[1][1:6] == ("shield_override", _at(1), a, number, 1) and got[1][9:] == (given, family)
    assert got[1][7] == _users(store, "NBR")[a][0] and got[1][6] is None and got[1][8] is None
    assert got[0][4] is None and got[0][9:] == (None, None)  # an alert about no child
    assert [r[0] for r in store.usage.alerts("NBR", 1)] == [newer]
    assert store.usage.alert_about(older) == ("NBR", a, 1) and store.usage.alert_about(99_999) is None
    assert store.usage.alert_acknowledged(older) == ("NBR", None)
    assert store.usage.alert_acknowledged(99_999) is None
    with store.write():
        store.usage.acknowledge(older, b, "2026-11-21T11:00:00+00:00")
    assert store.usage.alert_acknowledged(older) == ("NBR", b)
    assert store.usage.alert_acknowledged(newer) == ("NBR", None)  # that one only
    shown = {r[0]: r for r in store.usage.alerts("NBR", 10)}
    assert shown[older][6] == b and shown[older][8] == _users(store, "NBR")[b][0]
