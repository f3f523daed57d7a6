"""Progress across days and desks (issue 15 §3.9; R-CLOSE-1, R-CLOSE-3, R-AUDIT-1): while the directory
answers the register is the directory's, several LA officers at several workstations work on one, each step
audited with who and where; each workstation keeps an encrypted copy, works on it with no connection, and
sends what it did when the directory answers again -- after a SIGKILL too."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from concurrent.futures import Future
from pathlib import Path

import pytest

from app import audit
from app.closure import steps, sync
from app.closure.store import KEY_ITEM, SIGNING_ITEM, ClosureStore, store_path
from app.directory import Directory, EmbeddedDirectory
from app.directory.interface import Unreachable
from app.keystore import SecureKeyStore
from app.paths import Paths
from tests.conftest import TODAY, viewer_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def service(directory_copy):
    path, key = directory_copy
    client = EmbeddedDirectory(lambda: Directory.open(path, key, clock=lambda: TODAY))
    yield client
    client.close()


@pytest.fixture
def desks(tmp_path):
    """Two workstations: each its own home, keyring service and closure store."""
    made = []

    def desk(name: str) -> ClosureStore:
        ks = SecureKeyStore(service=f"signpost-closure-desk-{uuid.uuid4().hex[:8]}")
        home = Paths(tmp_path / name / "data", tmp_path / name / "config")
        s = ClosureStore.open(home, ks)
        made.append((s, ks))
        return s
    yield desk
    for s, ks in made:
        s.close()
        for item in (KEY_ITEM, SIGNING_ITEM):
            ks.delete_now(item)
        ks.close()


def la(service):
    return service.run_on_engine(lambda d: viewer_for(d, "jo.la")).result(30)


def do(store, kind, where, **args):
    return store.do("jo.la", steps.make(kind, "jo.la", where=where, **args))


def serial_of_user(service, username):
    """``username``'s token, enrolled in the directory (the register takes it from there)."""
    return service.run_on_engine(lambda d: (viewer_for(d, username), d.enrolled_tokens()[username])[1]) \
        .result(30).upper()


class Cut:
    """The directory with its network cut: every call fails as an unreachable service's does."""

    def perform(self, *_args, **_kwargs):
        f: Future = Future()
        f.set_exception(Unreachable(detail="no route to host"))
        return f


def test_two_officers_at_two_desks_work_on_one_register_each_step_audited_with_who_and_where(service, desks):
    alex = serial_of_user(service, "alex.practitioner")
    jo = la(service)
    a, b = desks("desk-a"), desks("desk-b")
    first = sync.join(a, service, jo, "jo.la", TODAY)
    assert first.reached and a.register().la == "Northbridge" and alex in a.register().tokens
    do(a, "set_used", "DESK-A", serial=alex, used=True)
    assert sync.sync(a, service, jo, "jo.la").waiting == 0
    joined = sync.join(b, service, jo, "jo.la", TODAY)  # desk B, another day: the directory's register
    assert joined.reached and b.register().token(alex).used is True
    do(b, "record_reset", "DESK-B", serial=alex, how="la_team")
    sync.sync(b, service, jo, "jo.la")
    seen = sync.sync(a, service, jo, "jo.la", refresh=True)  # desk A sees desk B's step
    assert seen.register.token(alex).reset_how == "la_team" and a.register().token(alex).reset_verified
    assert a.doc("directory")["where"] == "DESK-B"
    entries = service.run_on_engine(lambda d: audit.entries(d.conn)).result(30)
    where = [(e.actor, e.detail.get("kind"), e.detail.get("where")) for e in entries if e.action == "closure_step"]
    assert ("jo.la", "set_used", "DESK-A") in where and ("jo.la", "record_reset", "DESK-B") in where
    for desk in (a, b):  # each workstation's copy is encrypted at rest (R-LOCAL-1)
        assert alex.encode() not in desk.path.read_bytes() and b"SQLite format 3" not in desk.path.read_bytes()


def test_steps_made_with_no_connection_wait_and_a_step_another_desk_made_impossible_is_said(service, desks):
    """R-CLOSE-1: closure works with no network; what was done reaches the directory later. A step another
    desk overtook meanwhile is refused, dropped (not retried for ever) and said; the copy is the directory's."""
    sam = serial_of_user(service, "sam.cp")
    jo = la(service)
    a, b = desks("desk-a"), desks("desk-b")
    sync.join(a, service, jo, "jo.la", TODAY)
    sync.join(b, service, jo, "jo.la", TODAY)
    do(a, "set_state", "DESK-A", serial=sam, state="lost")
    do(a, "mark", "DESK-A", item="brief_helpdesks", status="done", notes="Helpdesk briefing 5 Aug")
    cut = sync.sync(a, Cut(), jo, "jo.la")
    assert not cut.reached and cut.waiting == 2 and isinstance(cut.problem, Unreachable)
    do(b, "record_reset", "DESK-B", serial=sam, how="la_team")  # desk B has the token in hand meanwhile
    sync.sync(b, service, jo, "jo.la")
    do(b, "put_in_envelope", "DESK-B", serial=sam, envelope="NBR-USED-1")
    sync.sync(b, service, jo, "jo.la")
    back = sync.sync(a, service, jo, "jo.la")
    assert back.reached and back.waiting == 0 and len(back.confirmed) == 1
    [(step, refusal)] = back.refused
    assert step["kind"] == "set_state" and refusal.code == "closure.step_refused"
    assert refusal.params["refused"] == "in_envelope"  # the token is in desk B's envelope: not lost
    reg, cl = a.register(), a.checklist()
    assert reg.token(sam).envelope == "NBR-USED-1" and cl.entries["brief_helpdesks"].status == "done"
    assert a.pending() == []


def test_a_step_kept_at_a_desk_killed_before_it_was_sent_reaches_the_directory_after_the_restart(
        directory_copy, tmp_path, keystore):
    """Nothing lost (R-CLOSE-3): a real workstation process journals a step and is SIGKILLed before sending it;
    its store, opened again, sends it exactly once."""
    path, key = directory_copy
    first = EmbeddedDirectory(lambda: Directory.open(path, key, clock=lambda: TODAY))
    try:
        serial = serial_of_user(first, "sam.cp")
    finally:
        first.close()  # the child opens the directory file itself
    home = tmp_path / "killed-desk"
    child = subprocess.Popen([sys.executable, "-m", "tests.closure.sync_child", str(home), keystore.service,
                              str(path), key.hex(), serial], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "KEPT"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == -signal.SIGKILL
    paths = Paths(home / "data", home / "config")
    assert store_path(paths).exists()
    store = ClosureStore.open(paths, keystore)
    again = EmbeddedDirectory(lambda: Directory.open(path, key, clock=lambda: TODAY))
    try:
        assert [s["kind"] for s in store.pending()] == ["set_used"]
        jo = la(again)
        assert sync.sync(store, again, jo, "jo.la").confirmed and store.pending() == []
        sync.sync(store, again, jo, "jo.la")  # nothing sent twice
        entries = again.run_on_engine(lambda d: audit.entries(d.conn)).result(30)
        sent = [e for e in entries if e.action == "closure_step" and e.detail.get("kind") == "set_used"]
        assert len(sent) == 1 and sent[0].detail["where"] == "DESK-KILLED"
        assert store.register().token(serial).used is False
    finally:
        again.close()
        store.close()
