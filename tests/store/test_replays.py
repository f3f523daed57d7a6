"""The replays store (issue 13 §2, issue 16 §1): what ``work.replays`` relies on for "done once per user and key"
and for kept answers that expire (R-RET-2)."""
from __future__ import annotations

import pytest

NOW = 1_800_000_000


def _keep(store, username="alex.practitioner", key="key-00000001", answer='{"done": 1}', expires_at=NOW + 3600,
          child_id=None, fingerprint="print-1"):
    with store.write():
        store.replays.keep(username, key, "record_involvement", answer, "2026-12-01T10:00:00+00:00", fingerprint,
                           child_id, expires_at)


def test_a_kept_answer_is_found_again_by_its_user_and_key_only(store):
    _keep(store)
    assert store.replays.kept("alex.practitioner", "key-00000001", NOW) == (
        "record_involvement", "print-1", '{"done": 1}')
    assert store.replays.kept("alex.practitioner", "key-00000002", NOW) is None  # another key
    assert store.replays.kept("sam.practitioner", "key-00000001", NOW) is None  # another user's same key


def test_a_key_is_kept_once_per_user_and_another_user_may_use_the_same_key(store):
    """Done once: a second answer under the same user and key is refused by the store itself (the constraint
    holds whatever the code above does), while another user's identical key is theirs."""
    _keep(store)
    with pytest.raises(Exception):  # noqa: B017 - the driver's integrity error, whichever store
        _keep(store, answer='{"done": 2}')
    _keep(store, username="sam.practitioner", answer='{"done": 3}')
    assert store.replays.kept("alex.practitioner", "key-00000001", NOW)[2] == '{"done": 1}'
    assert store.replays.kept("sam.practitioner", "key-00000001", NOW)[2] == '{"done": 3}'


def test_an_expired_answer_is_never_found_and_forget_removes_it(store):
    """R-RET-2: an answer past its expiry is not an answer; ``forget`` clears the key for a fresh request."""
    _keep(store, expires_at=NOW)
    assert store.replays.kept("alex.practitioner", "key-00000001", NOW) is None  # expires_at = now: gone
    assert store.replays.kept("alex.practitioner", "key-00000001", NOW - 1) is not None
    with store.write():
        store.replays.forget("alex.practitioner", "key-00000001")
    assert store.replays.kept("alex.practitioner", "key-00000001", NOW - 1) is None
    _keep(store)  # the key may be kept again once forgotten
    assert store.replays.kept("alex.practitioner", "key-00000001", NOW) is not None


def test_purge_deletes_the_expired_and_only_them(store):
    _keep(store, key="expired-key-1", expires_at=NOW - 1)
    _keep(store, key="expires-now-2", expires_at=NOW)
    _keep(store, key="still-good-3", expires_at=NOW + 1)
    with store.write():
        assert store.replays.purge(NOW) == 2
    assert store.replays.kept("alex.practitioner", "expired-key-1", 0) is None
    assert store.replays.kept("alex.practitioner", "expires-now-2", 0) is None
    assert store.replays.kept("alex.practitioner", "still-good-3", NOW) is not None
    with store.write():
        assert store.replays.purge(NOW) == 0
