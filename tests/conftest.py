"""Shared fixtures: one small synthetic directory per test session, and a
fresh copy of it for every test that changes it (audit included)."""
from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

pytest_plugins = ["tests.softhsm_fixtures", "tests.leaks", "tests.tiers"]

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import ui.refusals  # noqa: E402,F401  the words a person reads for each refusal code (plain Python, no Qt)
from app import db, generator  # noqa: E402
from app.directory import Directory  # noqa: E402
from app.model import AccessReason, Reason, Viewer  # noqa: E402

TODAY = date(2026, 11, 21)
SEED = 7
CHILDREN = 20_000
PASSWORD = "training-only-2026"


@pytest.fixture(autouse=True)
def qt_objects_freed_here(request):
    """After a test that drove Qt, its windows are deleted and its garbage collected now, at a quiet point,
    not by the cyclic collector in the middle of some later test's event handling (a PySide object
    collected there can take the process down with a segfault)."""
    yield
    if "qtbot" not in request.fixturenames:
        return
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)


@pytest.fixture(scope="session")
def built_directory(tmp_path_factory) -> tuple[Path, bytes]:
    path = tmp_path_factory.mktemp("directory") / "directory.db"
    key = db.new_key()
    generator.generate(path, key, children=CHILDREN, seed=SEED, today=TODAY)
    return path, key


@pytest.fixture
def conn(built_directory):
    """A read-only look at the session's built directory (generator tests)."""
    path, key = built_directory
    c = db.open_encrypted(path, key)
    yield c
    c.close()


def copy_directory(src: Path, dst: Path) -> Path:
    """A copy of a directory file as the engine left it: the file and the audit checkpoint beside it (a copy
    without its witness is a log that lost it, R-AUDIT-2)."""
    from app.directory import witness_path
    shutil.copy(src, dst)
    witness = witness_path(src)
    if witness is not None and witness.exists():
        shutil.copy(witness, witness_path(dst))
    return dst


@pytest.fixture
def directory_copy(built_directory, tmp_path) -> tuple[Path, bytes]:
    src, key = built_directory
    dst = tmp_path / "directory.db"
    shutil.copy(src, dst)
    return dst, key


@pytest.fixture
def directory(directory_copy):
    path, key = directory_copy
    d = Directory.open(path, key, clock=lambda: TODAY)
    yield d
    d.close()


@pytest.fixture
def reason() -> Reason:
    return Reason(AccessReason.PROVIDING_SERVICE)


_TOKENS: dict[str, SoftToken] = {}


def viewer_for(directory: Directory, username: str, colleague=None) -> Viewer:
    """A signed-in viewer: a software token is enrolled and the user signs in for a session."""
    token = _TOKENS.get(username) or _TOKENS.setdefault(username, SoftToken(f"soft-{username}"))
    token.enrol(directory, username)
    signed = token_sign_in(directory, username, token)
    return Viewer(signed.user, colleague, signed.session)


@pytest.fixture
def practitioner(directory) -> Viewer:
    return viewer_for(directory, "alex.practitioner")


@pytest.fixture
def la_team(directory) -> Viewer:
    return viewer_for(directory, "jo.la")


class SoftToken:
    """A software stand-in for a token's two key pairs (engine tests only;
    the session and UI tests use real SoftHSM tokens)."""

    def __init__(self, serial: str) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        self.serial = serial
        self._sign = ec.generate_private_key(ec.SECP256R1())
        self._wrap = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def public(self, which: str) -> bytes:
        from cryptography.hazmat.primitives import serialization
        key = (self._sign if which == "sign" else self._wrap).public_key()
        return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, message: bytes) -> bytes:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        return self._sign.sign(message, ec.ECDSA(hashes.SHA256()))

    def enrol(self, directory, username: str) -> SoftToken:
        directory.enrol_token(username, self.serial, self.public("sign"), self.public("wrap"), by="test")
        return self


def token_sign_in(directory, username: str, token: SoftToken, password: str = PASSWORD, purpose="sign-in"):
    from app.token.signin import signin_message
    challenge = directory.challenge()
    return directory.sign_in(username, password, token.serial, challenge,
                             token.sign(signin_message(purpose, token.serial, challenge)))


def open_child(directory, viewer: Viewer, row_id: int, reason: Reason):
    """Open a child's record the only way the engine allows: from this session's own search result."""
    from app import directory_id
    from app.search import Criteria
    did = directory_id.fmt(directory.conn.execute("SELECT directory_id FROM children WHERE id = ?",
                                                  (row_id,)).fetchone()[0])
    outcome = directory.search(viewer, Criteria(directory_id=did), reason)
    assert [h.directory_id for h in outcome.hits] == [did]
    return directory.view_record(viewer, did, reason)


def add_child(directory, given: str, family: str, dob, postcode: str = "NE1 4XY", la_code: str = "NBR",
              other_names=(), shielded: bool = False) -> str:
    """Put one more child in the directory (indexed as the engine indexes it); returns its directory id."""
    from app import directory_id, search_index
    conn = directory.conn
    hid = conn.execute("SELECT max(id) FROM households").fetchone()[0] + 1
    conn.execute("INSERT INTO households VALUES (?,?,?,?,?,?)", (hid, "1 Test Row", "", "Testbury", postcode, la_code))
    cid = conn.execute("SELECT max(id) FROM children").fetchone()[0] + 1
    stem = 100_000_000 + cid
    while directory_id.from_stem(stem) is None or conn.execute(
            "SELECT 1 FROM children WHERE directory_id = ?", (directory_id.from_stem(stem),)).fetchone():
        stem += 1
    did = directory_id.from_stem(stem)
    conn.execute("INSERT INTO children (id, directory_id, given_names, family_name, dob, gender, household_id, "
                 "la_code, shielded_at) VALUES (?,?,?,?,?,?,?,?,?)",
                 (cid, did, given, family, dob.toordinal(), "F", hid, la_code, "2026-01-01" if shielded else None))
    for g, f in other_names:
        conn.execute("INSERT INTO other_names VALUES (?,?,?)", (cid, g, f))
    search_index.reindex_child(conn, cid)
    return directory_id.fmt(did)


def list_organisations(conn, *names: str, la_code: str = "NBR") -> None:
    """Put organisations in a test directory's register (R-REC-5: an involvement's organisation must be listed
    there), as the LA team's approval would (``app.directory.work.register``)."""
    conn.executemany("INSERT OR IGNORE INTO organisations (name, la_code, status) VALUES (?, ?, 'listed')",
                     [(n, la_code) for n in names])
    if conn.in_transaction:
        conn.commit()


def add_sibling(directory, of: str, given: str, dob, shielded: bool = False) -> str:
    """Put a brother or sister of ``of`` (a directory id) in the directory: same household (address, carers) and
    LA, indexed as the engine indexes it; returns its directory id (R-SHIELD-1/2: siblings)."""
    from app import directory_id, search_index
    conn = directory.conn
    hid, family, la = conn.execute("SELECT household_id, family_name, la_code FROM children WHERE directory_id = ?",
                                   (directory_id.parse(of),)).fetchone()
    cid = conn.execute("SELECT max(id) FROM children").fetchone()[0] + 1
    stem = 100_000_000 + cid
    while directory_id.from_stem(stem) is None or conn.execute(
            "SELECT 1 FROM children WHERE directory_id = ?", (directory_id.from_stem(stem),)).fetchone():
        stem += 1
    did = directory_id.from_stem(stem)
    conn.execute("INSERT INTO children (id, directory_id, given_names, family_name, dob, gender, household_id, "
                 "la_code, shielded_at) VALUES (?,?,?,?,?,?,?,?,?)",
                 (cid, did, given, family, dob.toordinal(), "M", hid, la, "2026-01-01" if shielded else None))
    search_index.reindex_child(conn, cid)
    return directory_id.fmt(did)


@pytest.fixture
def training_home(directory_copy, tmp_path):
    """A data folder holding a copy of the training directory, its key in a real (test) key store:
    what the directory administration commands open. Gives (paths, store, key)."""
    import uuid

    from app import training
    from app.keystore import SecureKeyStore
    from app.paths import Paths
    path, key = directory_copy
    paths = Paths(tmp_path / "data", tmp_path / "config")
    paths.training_directory.parent.mkdir(parents=True)
    shutil.copy(path, paths.training_directory)
    store = SecureKeyStore(service=f"signpost-test-{uuid.uuid4().hex[:8]}")
    store.put_now(training.KEY_ITEM, key)
    yield paths, store, key
    try:
        for item in (training.KEY_ITEM, training.SIGNING_ITEM):
            store.delete_now(item)
    finally:
        store.close()


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session, exitstatus):
    """Keep the run's status as every finishing hook left it (``tests.leaks`` fails a run that left threads)."""
    result = yield
    session.config.signpost_exitstatus = int(session.exitstatus)
    return result


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """End the test process with pytest's own exit status, once every result is reported, without the
    interpreter's teardown: PySide's C++ objects are destroyed then, and a reference-count fault there
    (a known class of PySide teardown crashes; seen once here as "bool_dealloc", exit 134, after every
    test had passed) would turn a green run red. A failing run still exits non-zero."""
    status = getattr(config, "signpost_exitstatus", None)
    if status is None:
        return
    import sys
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
