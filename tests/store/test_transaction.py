"""The transaction belongs to the store (issue 16 §1): what ``Directory.perform`` relies on for R-AUDIT-1 (a
refusal keeps its own audit entry) and for nothing half-done (anything else undoes the whole change)."""
from __future__ import annotations

import pytest

from app.refusals import AccessRefused


def _enabled(store, username: str) -> bool | None:
    got = store.conn.execute("SELECT enabled FROM users WHERE username = ?", (username,)).fetchone()
    return None if got is None else bool(got[0])


def _some_user(store) -> str:
    return store.conn.execute("SELECT username FROM users ORDER BY username LIMIT 1").fetchone()[0]


def test_a_write_that_ends_is_committed(store):
    user = _some_user(store)
    with store.write():
        assert store.in_write
        store.conn.execute("UPDATE users SET enabled = 0 WHERE username = ?", (user,))
    assert not store.in_write
    store.conn.rollback()  # nothing left open to undo it
    assert _enabled(store, user) is False


def test_a_refusal_commits_what_was_written_before_it(store):
    user = _some_user(store)
    with pytest.raises(AccessRefused), store.write(keep_on=(AccessRefused,)):
        store.conn.execute("UPDATE users SET enabled = 0 WHERE username = ?", (user,))  # as a refusal's audit entry
        raise AccessRefused("access.session_ended")
    assert not store.in_write
    assert _enabled(store, user) is False


def test_anything_else_rolls_the_whole_write_back_and_says_so(store):
    user = _some_user(store)
    undone = []
    with pytest.raises(RuntimeError), store.write(keep_on=(AccessRefused,), on_rollback=lambda: undone.append(1)):
        store.conn.execute("UPDATE users SET enabled = 0 WHERE username = ?", (user,))
        raise RuntimeError("disk went away")
    assert not store.in_write
    assert _enabled(store, user) is True
    assert undone == [1]
