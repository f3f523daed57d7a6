"""The real app on a copy of the session's directory, with the real key
store and real SoftHSM training tokens (one set made per test session by the
app's own provisioning code, copied for each test so a test may pull one)."""
from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from app import training
from app.audit import derived_signing_key
from app.directory import Directory
from app.keystore import SecureKeyStore
from app.paths import Paths
from app.settings import Settings
from tests.conftest import TODAY, copy_directory
from tests.softhsm_fixtures import SoftHSM

SPARE = "(spare)"  # the key of the unenrolled training token in ``training_tokens``' serials


@pytest.fixture(scope="session")
def training_tokens(softhsm, built_directory, tmp_path_factory):
    """The built directory with every training user's token provisioned and enrolled."""
    src, key = built_directory
    root = tmp_path_factory.mktemp("ui-training")
    db = root / "directory.db"
    shutil.copy(src, db)
    (root / "tokens").mkdir()
    conf = root / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {root / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    d = Directory.open(db, key, clock=lambda: TODAY)
    try:
        training.provision_tokens(d, conf)
        serials = d.enrolled_tokens()
        # la-admin (issue 14 §2.1): one more token, enrolled for nobody, for the LA team to give a new user
        from app.token.provision import provision_softhsm_token, training_label
        spare = provision_softhsm_token(training_label("spare"), training.TRAINING_SO_PIN, training.TRAINING_PIN,
                                        conf=conf, module=training.SOFTHSM_MODULE)
        serials[SPARE] = spare.serial
    finally:
        d.close()
    return db, key, root / "tokens", serials


class TokenDesk(SoftHSM):
    """This test's own copy of the training tokens, to pull and insert by user."""

    serials: dict[str, str] = {}

    def pull_user(self, username: str) -> Path:
        return self.pull(self.serials[username])


@pytest.fixture
def desk(training_tokens, tmp_path, monkeypatch) -> TokenDesk:
    _, _, tokens, serials = training_tokens
    mine = tmp_path / "tokens"
    shutil.copytree(tokens, mine)
    aside = tmp_path / "aside"
    aside.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {mine}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    monkeypatch.setenv("SIGNPOST_PKCS11_MODULE", training.SOFTHSM_MODULE)
    desk = TokenDesk(conf, mine, aside)
    desk.serials = serials
    return desk


@pytest.fixture
def key_store():
    service = f"signpost-test-{uuid.uuid4().hex[:8]}"
    yield SecureKeyStore(service=service)  # the app closes it at shutdown
    cleaner = SecureKeyStore(service=service)
    try:
        cleaner.delete_now(training.KEY_ITEM)
        cleaner.delete_now(training.SIGNING_ITEM)
    finally:
        cleaner.close()


@pytest.fixture
def make_app(qtbot, tmp_path, training_tokens, desk, key_store):
    from ui.app import SignpostApp
    made = []

    def make(store=None, settings=None):
        db, key, _, _ = training_tokens
        paths = Paths(tmp_path / "data", tmp_path / "config")
        paths.training_directory.parent.mkdir(parents=True, exist_ok=True)
        copy_directory(db, paths.training_directory)
        s = store or key_store
        if store is None:
            s.put_now(training.KEY_ITEM, key)
            s.put_now(training.SIGNING_ITEM, derived_signing_key(key))  # what signed the copied log
        app = SignpostApp(paths, settings or Settings(), s, clock=lambda: TODAY)
        qtbot.addWidget(app.signin)
        app.start()
        qtbot.waitUntil(lambda: app.service is not None)
        made.append(app)
        return app

    yield make
    for app in made:
        app.shutdown()


@pytest.fixture
def served(training_tokens, tmp_path):
    """The real HTTPS directory service over a copy of the training directory (``tests.ui.service.Served``)."""
    from tests.ui.service import Served
    service = Served(training_tokens, tmp_path)
    yield service
    service.close()
