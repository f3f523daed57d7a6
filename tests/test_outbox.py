"""The offline outbox (R-LOCAL-1): a change made while the directory cannot be reached is kept encrypted,
sent once in order when it answers again, and a conflict waits for the person, never dropped."""
from __future__ import annotations

import json
from concurrent.futures import Future
from dataclasses import replace
from datetime import timedelta

import pytest

from app import db, directory_id
from app.directory.interface import Unreachable
from app.directory.work import operations as ops
from app.directory.work import types as t
from app.executor import SerialExecutor
from app.localcache import LocalCache
from app.model import ServiceType
from app.outbox import NEEDS_YOU, NOT_FOUND_AGAIN, PENDING, Outbox, Queued
from app.refusals import AccessRefused
from tests.conftest import TODAY
from tests.contract.conftest import open_client
from tests.contract.test_directory_contract import REASON, done, find, viewer


class DictKeystore:
    """The key store's three calls, in memory (the cache's key handling has its own tests)."""

    def __init__(self) -> None:
        self.items: dict[str, bytes] = {}

    def get_now(self, name):
        return self.items.get(name)

    def put_now(self, name, value):
        self.items[name] = value

    def delete_now(self, name):
        self.items.pop(name, None)


class Flaky:
    """The directory client, with the network cut (``offline``) or the answer lost after the directory did
    the change (``lose_reply``). Records every key sent."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.offline = False
        self.lose_reply = False
        self.sent: list[tuple[str, str]] = []

    def perform(self, op, viewer, request, key=None) -> Future:
        self.sent.append((op.name, key))
        if self.offline:
            f: Future = Future()
            f.set_exception(Unreachable(detail="cable out"))
            return f
        f = self.inner.perform(op, viewer, request, key=key)
        if self.lose_reply:
            f.exception(timeout=30)
            lost: Future = Future()
            lost.set_exception(Unreachable(detail="reply lost"))
            return lost
        return f

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.fixture
def world(built_directory, tmp_path):
    with open_client("embedded", built_directory, tmp_path / "embedded", None) as (client, facts):
        yield client, facts


@pytest.fixture
def setup(world, tmp_path):
    client, facts = world
    flaky = Flaky(client)
    # R-REC-5: the organisations these tests record are in the register (the LA team adds it, listed at once)
    for surgery in ("Riverside Surgery", "Order Surgery", "Earlier Surgery", "Gone Surgery"):
        done(client.perform(ops.ASK_REGISTER, viewer(client, "jo.la"), t.RegisterAsk(t.RegisterKind.ORGANISATION,
                                                                                     surgery)))
    alex = viewer(client, "alex.practitioner")
    thread = SerialExecutor("cache")
    keystore = DictKeystore()
    cache = thread.call(lambda: LocalCache.open(tmp_path / "cache.db", "alex.practitioner", keystore,
                                                wrap=lambda k: k, unwrap=lambda w: w))
    seen: list[tuple[int, int]] = []
    box = Outbox(flaky, cache, thread, lambda: alex, retry_s=3600, on_change=lambda p, n: seen.append((p, n)),
                 start=False)
    yield client, facts, flaky, alex, box, seen
    box.close()
    thread.call(cache.close)
    thread.shutdown()


def _now(box, op, who, request) -> Future:
    """Make a change and let the outbox send what it can (its worker is not started in these tests)."""
    future = box.submit(op, who, request)
    box.drain()
    return future


def _new(did: str, org: str = "Riverside Surgery") -> t.NewInvolvement:
    return t.NewInvolvement(did, ServiceType.GP, org, "GP", "0191 496 0000", "gp@riverside.nhs.uk", TODAY, REASON)


def _involvements(client, la, did: str, org: str) -> list:
    find(client, la, did, reason=_monitoring())
    view = done(client.view_record(la, did, _monitoring()))
    return [i for i in view.involvements if getattr(i, "organisation", "") == org]


def _monitoring():
    from tests.contract.test_directory_contract import MONITORING
    return MONITORING


def _other_children(client, facts, who, n: int) -> list[str]:
    from app.search import Criteria
    found = done(client.search(who, Criteria(family_name=facts.crowded[0], dob=facts.crowded[1],
                                             dob_to=facts.crowded[1].replace(month=12, day=31)), REASON))
    return [h.directory_id for h in found.hits][:n]


def test_a_change_made_offline_is_kept_then_sent_once_when_the_directory_answers(setup):
    client, facts, flaky, alex, box, seen = setup
    did = facts.plain["did"]
    find(client, alex, did)
    flaky.offline = True
    exc = _now(box, ops.RECORD_INVOLVEMENT, alex, _new(did)).exception(timeout=5)
    assert isinstance(exc, Queued)  # the screen says: saved here, will be sent
    box.drain()
    [item] = box.items()
    assert (item.state, item.op, item.directory_id, item.request.organisation) == (
        PENDING, "record_involvement", did, "Riverside Surgery")
    assert seen[-1] == (1, 0)
    la = viewer(client, "jo.la")
    assert _involvements(client, la, did, "Riverside Surgery") == []
    flaky.offline = False
    assert box.drain() == 1
    assert box.items() == [] and seen[-1] == (0, 0)
    assert len(_involvements(client, la, did, "Riverside Surgery")) == 1
    assert len({k for _, k in flaky.sent}) == 1  # one idempotency key, chosen before the first attempt


def test_a_change_whose_answer_was_lost_is_resent_and_done_once(setup):
    """The directory did it but the reply never arrived: the re-send with the same key is harmless."""
    client, facts, flaky, alex, box, _ = setup
    did = facts.plain["did"]
    find(client, alex, did)
    flaky.lose_reply = True
    assert isinstance(_now(box, ops.RECORD_INVOLVEMENT, alex, _new(did)).exception(timeout=30), Queued)
    flaky.lose_reply = False
    assert box.drain() == 1 and box.items() == []
    assert flaky.sent[0][1] == flaky.sent[1][1]
    assert len(_involvements(client, viewer(client, "jo.la"), did, "Riverside Surgery")) == 1


def test_queued_changes_are_sent_in_the_order_they_were_made(setup):
    client, facts, flaky, alex, box, _ = setup
    dids = _other_children(client, facts, alex, 3)
    assert len(dids) == 3
    flaky.offline = True
    keys = []
    for did in dids:
        _now(box, ops.RECORD_INVOLVEMENT, alex, _new(did, "Order Surgery")).exception(timeout=5)
        keys.append(box.items()[-1].key)
    assert [i.directory_id for i in box.items()] == dids
    flaky.offline = False
    flaky.sent.clear()
    assert box.drain() == 3
    assert [k for _, k in flaky.sent] == keys


def test_a_conflict_waits_for_the_person_who_keeps_theirs_against_the_new_version(setup):
    """A queued change to an involvement changed meanwhile is "needs you", never dropped or overwritten."""
    client, facts, flaky, alex, box, seen = setup
    did = facts.plain["did"]
    find(client, alex, did)
    recorded = done(_now(box, ops.RECORD_INVOLVEMENT, alex, _new(did)))
    inv = recorded.involvement
    change = t.InvolvementChange(did, inv.involvement_id, inv.version, "Riverside Surgery", "GP",
                                 "0191 496 1111", "gp@riverside.nhs.uk", REASON)
    flaky.offline = True
    assert isinstance(_now(box, ops.UPDATE_INVOLVEMENT, alex, change).exception(timeout=5), Queued)
    # meanwhile, from another workstation, the same practitioner changed it
    elsewhere = done(client.perform(ops.UPDATE_INVOLVEMENT, alex, t.InvolvementChange(
        did, inv.involvement_id, inv.version, "Riverside Surgery", "GP", "0191 496 2222", "gp@riverside.nhs.uk",
        REASON)))
    flaky.offline = False
    assert box.drain() == 0
    [item] = box.items()
    assert (item.state, item.refusal, item.conflict) == (NEEDS_YOU, "involvement.conflict", True)
    assert seen[-1] == (0, 1)
    box.resend(item.key, version=elsewhere.version)
    assert box.drain() == 1 and box.items() == []
    mine = list(_involvements(client, viewer(client, "jo.la"), did, "Riverside Surgery"))
    assert [i.phone for i in mine] == ["0191 496 1111"]


def test_a_change_needing_the_person_can_be_discarded(setup):
    client, facts, flaky, alex, box, seen = setup
    did = facts.plain["did"]
    find(client, alex, did)
    inv = done(_now(box, ops.RECORD_INVOLVEMENT, alex, _new(did))).involvement
    stale = t.InvolvementChange(did, inv.involvement_id, inv.version + 7, "Riverside Surgery", "GP",
                                "0191 496 1111", "gp@riverside.nhs.uk", REASON)
    flaky.offline = True
    _now(box, ops.UPDATE_INVOLVEMENT, alex, stale).exception(timeout=5)
    flaky.offline = False
    box.drain()
    [item] = box.items()
    assert item.state == NEEDS_YOU
    assert box.discard(item.key) is True
    assert box.items() == [] and seen[-1] == (0, 0)


def test_a_change_refused_while_the_person_waits_goes_to_them_not_the_outbox(setup):
    client, facts, flaky, alex, box, _ = setup
    did = facts.plain["did"]
    find(client, alex, did)
    tomorrow = replace(_new(did), start=TODAY + timedelta(days=1))  # refused for what it says, at once
    exc = _now(box, ops.RECORD_INVOLVEMENT, alex, tomorrow).exception(timeout=30)
    assert isinstance(exc, AccessRefused) and exc.field == "start"
    box.drain()
    assert box.items() == []


def _audited(client, action: str) -> list:
    return client.run_on_engine(lambda d: [json.loads(detail) for (detail,) in d.conn.execute(
        "SELECT detail FROM audit WHERE action = ? ORDER BY seq", (action,))]).result(timeout=30)


def test_a_change_kept_from_an_earlier_session_is_sent_after_a_search_by_the_childs_id(setup, tmp_path):
    """R-LOCAL-1, R-SEARCH-2: the session that found the child is gone (a new sign-in, as after a service
    or app restart); the outbox searches by the directory id alone with the person's reason, which the
    directory checks and audits as any search, and then the change is taken, once."""
    client, facts, flaky, alex, box, _ = setup
    did = facts.plain["did"]
    box.found.add(find(client, alex, did))  # this session's results held the child
    flaky.offline = True
    assert isinstance(_now(box, ops.RECORD_INVOLVEMENT, alex, _new(did, "Earlier Surgery")).exception(timeout=5),
                      Queued)
    box.close()
    flaky.offline = False
    again = viewer(client, "alex.practitioner")  # a new directory session: it was given nothing
    searches = len(_audited(client, "search"))
    later = Outbox(flaky, box.cache, box._cache_thread, lambda: again, retry_s=3600, start=False)
    try:
        assert later.drain() == 1 and later.items() == []
    finally:
        later.close()
    [search] = _audited(client, "search")[searches:]
    assert search["criteria"] == {"directory_id": did} and search["returned"] == [did]
    assert len(_involvements(client, viewer(client, "jo.la"), did, "Earlier Surgery")) == 1


def test_a_change_for_a_child_the_directory_no_longer_finds_waits_named_for_the_person(setup):
    """The child left the live directory after the change was kept: it needs the person, named with the child
    and the change, and is neither dropped nor sent."""
    client, facts, flaky, alex, box, _ = setup
    did = facts.plain["did"]
    find(client, alex, did)
    flaky.offline = True
    kept = box.submit(ops.RECORD_INVOLVEMENT, alex, _new(did, "Gone Surgery"), child="Jago Quartermaine")
    box.drain()
    assert isinstance(kept.exception(timeout=5), Queued)
    flaky.offline = False
    client.run_on_engine(lambda d: d.conn.execute("UPDATE children SET archived_on = 1 WHERE directory_id = ?",
                                                  (directory_id.parse(did),))).result(timeout=30)
    again = viewer(client, "alex.practitioner")
    later = Outbox(flaky, box.cache, box._cache_thread, lambda: again, retry_s=3600, start=False)
    flaky.sent.clear()
    try:
        assert later.drain() == 0
        [item] = later.items()
    finally:
        later.close()
    assert (item.state, item.refusal, item.child, item.directory_id) == (
        NEEDS_YOU, NOT_FOUND_AGAIN, "Jago Quartermaine", did)
    assert flaky.sent == []  # never sent for a child the directory could not find


def test_the_worker_sends_without_being_asked_when_the_directory_is_back(setup):
    client, facts, flaky, alex, box, seen = setup
    did = facts.plain["did"]
    find(client, alex, did)
    flaky.offline = True
    quick = Outbox(flaky, box.cache, box._cache_thread, lambda: alex, retry_s=0.05)
    try:
        assert isinstance(quick.submit(ops.RECORD_INVOLVEMENT, alex, _new(did)).exception(timeout=5), Queued)
        flaky.offline = False
        import time
        deadline = time.monotonic() + 10
        while quick.items() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert quick.items() == []
    finally:
        quick.close()


def test_a_version_1_cache_gains_the_outbox_without_losing_what_it_held(tmp_path):
    """The cache's schema moved to 2 in place: a version-1 file is not rebuilt (its records stay)."""
    keystore = DictKeystore()
    path = tmp_path / "old.db"
    key = db.new_key()
    keystore.put_now("localcache-key:u", key)
    conn = db.open_encrypted(path, key)
    conn.executescript("CREATE TABLE cached_records (child_key TEXT PRIMARY KEY, payload BLOB NOT NULL, "
                       "fetched_at REAL NOT NULL, expires_at REAL NOT NULL); "
                       "CREATE TABLE kept (name TEXT PRIMARY KEY, value BLOB NOT NULL);")
    conn.execute("INSERT INTO kept VALUES ('audit_checkpoint', x'01')")
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    cache = LocalCache.open(path, "u", keystore, wrap=lambda k: k, unwrap=lambda w: w)
    try:
        assert cache.open_outcome == "opened"
        assert cache.get_value("audit_checkpoint") == b"\x01"
        cache.outbox_add("k" * 32, "record_involvement", "{}", None)
        assert [r["key"] for r in cache.outbox_items()] == ["k" * 32]
    finally:
        cache.close()
    again = LocalCache.open(path, "u", keystore, wrap=lambda k: k, unwrap=lambda w: w)
    try:
        assert again.open_outcome == "opened" and len(again.outbox_items()) == 1
    finally:
        again.close()


def test_a_change_waiting_is_worded_with_its_child_its_change_and_what_to_do():
    """R-LOCAL-1: Home names the child and the change, and why it needs the person; no codes."""
    from app.outbox import OutboxItem
    from ui.screens.outbox_words import item_words
    did = "900 000 0025"
    new = OutboxItem("k" * 32, "record_involvement", "", did, "Jago Quartermaine", PENDING, "", {}, False, 0.0, 1,
                     _new(did, "Riverside Surgery"))
    assert item_words(new) == ("Waiting to be sent: You are working with Jago Quartermaine (900 000 0025): "
                               "GP practice, Riverside Surgery.")
    gone = replace(new, state=NEEDS_YOU, refusal=NOT_FOUND_AGAIN)
    assert item_words(gone).startswith("Needs you: You are working with Jago Quartermaine (900 000 0025)")
    assert "no longer finds this child" in item_words(gone) and "outbox." not in item_words(gone)
    conflict = replace(new, op="update_involvement", state=NEEDS_YOU, refusal="involvement.conflict",
                       refusal_params={"version": 3}, conflict=True, child="")
    assert item_words(conflict).startswith("Needs you: New contact details for your involvement with the child "
                                           "with directory id 900 000 0025.")
    assert item_words(conflict).endswith("Send again saves yours over the change made elsewhere.")


def test_a_version_2_cache_keeps_its_waiting_changes_and_gains_their_names(tmp_path):
    """R-LOCAL-1: the cache's schema moved to 3 in place; a change kept by the previous version is still
    there (nothing lost to a rebuild), with no child name, and a new one keeps its child's name."""
    keystore = DictKeystore()
    path = tmp_path / "v2.db"
    key = db.new_key()
    keystore.put_now("localcache-key:u", key)
    conn = db.open_encrypted(path, key)
    conn.executescript("CREATE TABLE cached_records (child_key TEXT PRIMARY KEY, payload BLOB NOT NULL, "
                       "fetched_at REAL NOT NULL, expires_at REAL NOT NULL); "
                       "CREATE TABLE kept (name TEXT PRIMARY KEY, value BLOB NOT NULL); "
                       "CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL UNIQUE, "
                       "op TEXT NOT NULL, request TEXT NOT NULL, colleague TEXT, state TEXT NOT NULL, refusal TEXT, "
                       "created_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);")
    conn.execute("INSERT INTO outbox (key, op, request, state, created_at) VALUES (?, 'mark_read', '{}', "
                 "'needs_you', 1.0)", ("o" * 32,))
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    cache = LocalCache.open(path, "u", keystore, wrap=lambda k: k, unwrap=lambda w: w)
    try:
        assert cache.open_outcome == "opened"
        [old] = cache.outbox_items()
        assert (old["key"], old["state"], old["child"], old["refusal_params"]) == ("o" * 32, NEEDS_YOU, None, None)
        cache.outbox_add("n" * 32, "record_involvement", "{}", None, child="Jago Quartermaine")
        assert [r["child"] for r in cache.outbox_items()] == [None, "Jago Quartermaine"]
    finally:
        cache.close()
