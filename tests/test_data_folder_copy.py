"""A copy of the data folder opens nothing and signs nothing (issue 13 §4.1; R-LOCAL-1, R-AUDIT-2): the training
directory's key and its audit-signing key live in the keyring, which is kept outside the data folder
(``packaging/with-keyring.sh`` refuses one inside it; its password is kept nowhere), never beside the file
and the log they protect. A real directory file, witness, cache file and keyring."""
from __future__ import annotations

import base64
import hashlib
import os
import shutil
import uuid

import pytest

from app import db, training
from app.keystore import SecureKeyStore
from app.localcache import LocalCache
from app.paths import Paths
from tests import tampering
from tests.conftest import TODAY, SoftToken, token_sign_in


def _forms(secret: bytes) -> list[bytes]:
    return [secret, secret.hex().encode(), secret.hex().upper().encode(), base64.b64encode(secret)]


@pytest.fixture
def lived_in(training_home):
    """A desk's data folder after use: the directory with its audit log and witness, and a user's cache."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa
    paths, store, key = training_home
    d = training.open_existing(paths, store, clock=lambda: TODAY)
    try:
        token = SoftToken("COPY-1").enrol(d, "alex.practitioner")
        for _ in range(3):
            token_sign_in(d, "alex.practitioner", token)
    finally:
        d.close()
    wrap_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    oaep = padding.OAEP(padding.MGF1(hashes.SHA1()), hashes.SHA1(), None)  # as the token wraps it
    cache = LocalCache.open(paths.cache_file("alex.practitioner"), "alex.practitioner", store,
                            lambda k: wrap_key.public_key().encrypt(k, oaep), lambda w: wrap_key.decrypt(w, oaep))
    cache.put_record("child", b"{}")
    cache.close()
    yield paths, store, key
    store.delete_now("localcache-key:alex.practitioner")


def test_a_copy_of_the_data_folder_carries_no_key_that_opens_or_signs(lived_in, tmp_path):
    paths, store, key = lived_in
    signing = training.signing_key(store)
    copy = tmp_path / "copied"
    shutil.copytree(paths.data, copy)
    files = [f for f in copy.rglob("*") if f.is_file()]
    assert any(f.name == "directory.db" for f in files) and any(f.name.endswith(".audit-head") for f in files)
    assert not [f for f in files if f.suffix in (".keyring", ".keystore")]  # no keyring travels with it
    for f in files:
        data = f.read_bytes()
        for secret in (key, signing):
            assert not any(form in data for form in _forms(secret)), f"key material in {f}"


def test_the_copy_elsewhere_is_refused_not_rebuilt_and_a_log_re_signed_there_is_caught_back_home(lived_in, tmp_path):
    """On another machine (another keyring) the copy is "key not in this keyring": no new directory over it.
    Whoever also got the directory key still lacks the signing key: a log they rewrite and re-sign under
    their own key fails the desk's own check when it is put back."""
    paths, store, key = lived_in
    copy = Paths(tmp_path / "copied", tmp_path / "config")
    shutil.copytree(paths.data, copy.data)
    before = hashlib.sha256(copy.training_directory.read_bytes()).hexdigest()
    elsewhere = SecureKeyStore(service=f"signpost-test-{uuid.uuid4().hex[:8]}")
    try:
        with pytest.raises(training.DirectoryProblem) as refused:
            training.open_or_build(copy, elsewhere, children=300)
        assert refused.value.code == "key_missing"
        assert elsewhere.get_now(training.KEY_ITEM) is None and elsewhere.get_now(training.SIGNING_ITEM) is None
    finally:
        elsewhere.close()
    assert hashlib.sha256(copy.training_directory.read_bytes()).hexdigest() == before
    with pytest.raises(db.WrongKeyOrCorrupt):  # without the desk's key, the file does not even open
        db.open_encrypted(copy.training_directory, db.new_key())
    tampering.re_sign(copy.training_directory, key, os.urandom(32))  # the forger's own signing key
    for f in (paths.training_directory, paths.data / "training" / "directory.db.audit-head"):
        shutil.copy(copy.data / f.relative_to(paths.data), f)
    home = training.open_existing(paths, store, clock=lambda: TODAY)
    try:
        assert home.audit.broken is not None and home.audit.broken.code == "bad_signature"
    finally:
        home.close()
