"""The retention store (issue 16 §1): what ``work.retention`` (R-RET-1..3) and ``work.closure`` (R-CLOSE-3..5,
R-AUDIT-3) rely on. The dates due are policy and are not asked here; the store finds, moves and deletes."""
from __future__ import annotations

from datetime import date

TODAY = date(2026, 11, 21).toordinal()
FAR = date(2099, 1, 1).toordinal()


def _one(store, sql: str, args=()):
    return store.conn.execute(sql, args).fetchone()


def _count(store, table: str, child_id: int) -> int:
    return _one(store, f"SELECT count(*) FROM {table} WHERE child_id = ?", (child_id,))[0]


def _household_of_two(store) -> tuple[int, int]:
    """Two live children of one household with no other child in it."""
    hid = _one(store, "SELECT household_id FROM children GROUP BY household_id HAVING count(*) = 2 "
                      "AND count(archived_on) = 0 ORDER BY household_id LIMIT 1")[0]
    a, b = (cid for (cid,) in store.conn.execute("SELECT id FROM children WHERE household_id = ? ORDER BY id",
                                                 (hid,)))
    return a, b


def _only_child(store) -> int:
    return _one(store, "SELECT min(id) FROM children WHERE archived_on IS NULL AND household_id IN ("
                       "SELECT household_id FROM children GROUP BY household_id HAVING count(*) = 1)")[0]


def _live_row(store, child_id: int):
    (row,) = store.retention.live_children([child_id])
    return row


# -- the sweep --------------------------------------------------------------------------------------------
def test_the_last_sweep_day_is_read_back_and_replaced_by_the_next(store):
    """The engine sweeps once a day, in any process (``Directory.retention_if_due``): the day must be kept."""
    with store.write():
        store.retention.mark_swept(date(2026, 11, 20))
    assert store.retention.last_sweep() == date(2026, 11, 20)
    with store.write():
        store.retention.mark_swept(date(2026, 11, 21))
    assert store.retention.last_sweep() == date(2026, 11, 21)


def test_the_sweeps_indexes_may_be_made_at_every_sweep(store):
    store.retention.ensure_indexes()
    store.retention.ensure_indexes()  # each sweep asks again: already there is no error


def test_live_children_gives_the_dates_leaving_depends_on_and_never_an_archived_one(store):
    child = _only_child(store)
    cid, la, dob, stay, died, left = _live_row(store, child)
    assert (cid, stay, died, left) == (child, None, None, None) and la and dob > 0
    assert store.retention.born_and_archived(child) == (dob, None)
    assert store.retention.live_children([]) == []
    with store.write():
        store.retention.record_consent_to_stay(child, 25)
        store.retention.record_death(child, TODAY - 3)
        store.retention.record_left_england(child, TODAY - 2)
    assert _live_row(store, child)[3:] == (25, TODAY - 3, TODAY - 2)
    with store.write():
        store.retention.archive([(child, TODAY, "died", FAR)])
    assert store.retention.live_children([child]) == []
    assert store.retention.born_and_archived(child) == (dob, TODAY)


def test_maybe_leaving_finds_by_birth_death_and_leaving_england_each_on_its_own_bound(store):
    """R-RET-1: the three ranges the sweep reads; a death is due on its bound, leaving England only after it."""
    child = _only_child(store)
    dob = _live_row(store, child)[2]

    def found(born_by, died_by, left_before) -> bool:
        return child in {row[0] for row in store.retention.maybe_leaving(born_by, died_by, left_before)}

    assert found(dob, 0, 0) and not found(dob - 1, 0, 0)
    with store.write():
        store.retention.record_death(child, TODAY - 400)
    assert found(0, TODAY - 400, 0) and not found(0, TODAY - 401, 0)
    with store.write():
        store.retention.record_left_england(child, TODAY - 1200)
    assert found(0, 0, TODAY - 1199) and not found(0, 0, TODAY - 1200)
    with store.write():
        store.retention.archive([(child, TODAY, "left_england", FAR)])
    assert not found(FAR, FAR, FAR)  # an archived record is never leaving again


def test_archiving_moves_a_record_out_of_the_search_index_with_its_kept_answers(store):
    """R-RET-2: archived with its dates and why, out of the search index at once, its answers for repeats gone;
    another child's are left alone."""
    child, sibling = _household_of_two(store)
    did = store.retention.directory_number(child)
    assert _count(store, "search_names", child) > 0
    with store.write():
        for cid, key in ((child, "child-key-01"), (sibling, "sibling-key-2")):
            store.replays.keep("alex.practitioner", key, "record_involvement", "{}", "2026-11-21T10:00:00+00:00",
                               "print", cid, 2_000_000_000)
        store.retention.archive([(child, TODAY, "age", TODAY + 2192)])
    assert store.retention.archived(child) == (TODAY, "age", TODAY + 2192, did)
    assert store.retention.archived(sibling)[:3] == (None, None, None)
    assert _count(store, "search_names", child) == 0 and _count(store, "search_names", sibling) > 0
    assert store.replays.kept("alex.practitioner", "child-key-01", 0) is None
    assert store.replays.kept("alex.practitioner", "sibling-key-2", 0) is not None


def test_destruction_is_due_on_the_destroy_date_and_not_before(store):
    child = _only_child(store)
    la = _live_row(store, child)[1]
    with store.write():
        store.retention.archive([(child, TODAY, "age", TODAY + 10)])
    assert (child, la) in store.retention.due_for_destruction(TODAY + 10)
    assert (child, la) not in store.retention.due_for_destruction(TODAY + 9)


def test_destroying_removes_every_row_about_the_child_and_says_which_siblings_are_left(store):
    """R-RET-2: nothing about a destroyed child is left; its household stays while a sibling lives in it, and the
    live sibling is named for its search names to be made again (its shield's sibling is no longer held)."""
    child, sibling = _household_of_two(store)
    hid = _one(store, "SELECT household_id FROM children WHERE id = ?", (child,))[0]
    store.conn.execute("INSERT INTO alerts (la_code, at, kind, actor, child_id, audit_seq) "
                       "VALUES ('NBR', '2026-11-21T10:00:00+00:00', 'shield_override', 'sam', ?, 1)", (child,))
    with store.write():
        store.retention.archive([(child, TODAY, "age", TODAY)])
        store.replays.keep("alex.practitioner", "kept-key-03", "record_involvement", "{}",  # kept past the archive
                           "2026-11-21T10:00:00+00:00", "print", child, 2_000_000_000)  # by an earlier version
        store.conn.execute("INSERT INTO notices (username, at, kind, child_id) VALUES ('sam', '2026-11-21', 'x', ?)",
                           (child,))
        store.conn.execute("INSERT INTO record_opens VALUES ('sam', ?, ?)", (TODAY, child))
        assert store.retention.destroy([child]) == [sibling]
    assert _one(store, "SELECT count(*) FROM children WHERE id = ?", (child,))[0] == 0
    for table in ("other_names", "involvements", "search_names", "shields", "record_opens", "done_requests",
                  "notices"):
        assert _count(store, table, child) == 0, table
    assert _count(store, "alerts", child) == 0
    assert _one(store, "SELECT count(*) FROM alerts WHERE child_id IS NULL AND actor = 'sam'")[0] == 1  # kept
    assert store.retention.live_children([sibling]) != []
    assert _one(store, "SELECT count(*) FROM households WHERE id = ?", (hid,))[0] == 1


def test_the_last_child_of_a_household_takes_the_household_and_its_carers_with_it(store):
    child = _only_child(store)
    hid = _one(store, "SELECT household_id FROM children WHERE id = ?", (child,))[0]
    assert _one(store, "SELECT count(*) FROM carers WHERE household_id = ?", (hid,))[0] > 0
    with store.write():
        store.retention.archive([(child, TODAY, "age", TODAY)])
        assert store.retention.destroy([child]) == []
    assert _one(store, "SELECT count(*) FROM households WHERE id = ?", (hid,))[0] == 0
    assert _one(store, "SELECT count(*) FROM carers WHERE household_id = ?", (hid,))[0] == 0


def test_an_archived_sibling_is_not_named_as_left_live_and_keeps_the_household(store):
    child, sibling = _household_of_two(store)
    hid = _one(store, "SELECT household_id FROM children WHERE id = ?", (child,))[0]
    with store.write():
        store.retention.archive([(child, TODAY, "age", TODAY), (sibling, TODAY, "age", FAR)])
        assert store.retention.destroy([child]) == []
    assert store.retention.archived(sibling)[:3] == (TODAY, "age", FAR)
    assert _one(store, "SELECT count(*) FROM households WHERE id = ?", (hid,))[0] == 1


def test_an_undated_end_is_dated_once_and_its_contact_archived_on_that_day(store):
    """R-RET-3: an ended involvement without an archive date is found, dated, then no longer found; its contact
    is blanked on the date and not the day before."""
    iid, phone = _one(store, "SELECT id, phone FROM involvements WHERE ended IS NULL AND phone != '' "
                             "ORDER BY id LIMIT 1")
    store.conn.execute("UPDATE involvements SET ended = ?, contact_archive_on = NULL WHERE id = ?", (TODAY - 30, iid))
    assert (iid, TODAY - 30) in store.retention.undated_ends()
    with store.write():
        store.retention.date_contact_archive([(TODAY + 5, iid)])
    assert iid not in {i for i, _ in store.retention.undated_ends()}
    assert _one(store, "SELECT contact_archive_on, keep_contact_years FROM involvements WHERE id = ?",
                (iid,)) == (TODAY + 5, 1)
    with store.write():
        store.retention.archive_contacts(TODAY + 4)
    assert _one(store, "SELECT phone, contact_archived FROM involvements WHERE id = ?", (iid,)) == (phone, 0)
    with store.write():
        assert store.retention.archive_contacts(TODAY + 5) >= 1
    assert _one(store, "SELECT phone, email, contact_archived FROM involvements WHERE id = ?", (iid,)) == ("", "", 1)
    with store.write():
        assert store.retention.archive_contacts(TODAY + 5) == 0  # once archived, never again


# -- closure's bookkeeping ---------------------------------------------------------------------------------
def test_an_las_closure_record_is_kept_read_back_and_replaced_by_the_next_step(store):
    """R-CLOSE-3..5: one register and checklist per LA, the last step's version and who made it where."""
    assert store.retention.closure_record("NBR") is None
    with store.write():
        store.retention.keep_closure_record("NBR", '{"r": 1}', '{"c": 1}', 1, "lee.la", "desk 1", "2026-11-21T10:00")
    with store.write():
        store.retention.keep_closure_record("NBR", '{"r": 2}', '{"c": 2}', 2, "kim.la", "desk 2", "2026-11-21T11:00")
    assert store.retention.closure_record("NBR") == ('{"r": 2}', '{"c": 2}', 2, "kim.la", "desk 2",
                                                     "2026-11-21T11:00")
    other = _one(store, "SELECT code FROM las WHERE code != 'NBR' LIMIT 1")[0]
    assert store.retention.closure_record(other) is None  # another LA's is its own


def test_the_las_contact_and_its_users_organisations(store):
    """R-CLOSE-3: the organisations the LA team chooses its partners from: each once, in order, not its own."""
    name, phone, email = store.retention.la_contact("NBR")
    assert name == _one(store, "SELECT name FROM las WHERE code = 'NBR'")[0]
    assert store.retention.la_contact("NOPE") is None
    orgs = store.retention.organisations("NBR")
    expected = sorted({o for (o,) in store.conn.execute(
        "SELECT organisation FROM users WHERE la_code = 'NBR' AND role != 'la_management'")})
    assert list(orgs) == expected and len(orgs) > 1
    team = {o for (o,) in store.conn.execute("SELECT organisation FROM users WHERE la_code = 'NBR' "
                                             "AND role = 'la_management'")} - set(expected)
    assert not team & set(orgs)


def test_the_audit_span_is_its_first_and_last_entry(store):
    """R-AUDIT-3: the whole audit exported at closure runs from the first entry's day to the last's."""
    assert store.retention.audit_span() == (None, None)  # nothing audited yet: the policy uses today
    store.conn.executemany("INSERT INTO audit (seq, at, actor, action, detail, las, leaf) VALUES (?,?,?,?,?,?,?)",
                           [(seq, at, "sam", "sign_in", "{}", "NBR", b"\0" * 32) for seq, at in (
                               (1, "2026-01-02T09:00:00+00:00"), (2, "2026-05-06T09:00:00+00:00"),
                               (3, "2026-11-21T09:00:00+00:00"))])
    assert store.retention.audit_span() == ("2026-01-02T09:00:00+00:00", "2026-11-21T09:00:00+00:00")
