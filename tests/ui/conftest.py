"""The real app, on a copy of the session's directory, with the real key store."""
from __future__ import annotations

import shutil
import uuid

import pytest

from app import training
from app.keystore import SecureKeyStore
from app.paths import Paths
from app.settings import Settings
from tests.conftest import TODAY


@pytest.fixture
def key_store():
    store = SecureKeyStore(service=f"signpost-test-{uuid.uuid4().hex[:8]}")
    yield store
    try:
        store.delete_now(training.KEY_ITEM)
    finally:
        store.close()


@pytest.fixture
def make_app(qtbot, tmp_path, built_directory, key_store):
    from ui.app import SignpostApp
    made = []

    def make(store=None):
        src, key = built_directory
        paths = Paths(tmp_path / "data", tmp_path / "config")
        paths.training_directory.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, paths.training_directory)
        s = store or key_store
        if store is None:
            s.put_now(training.KEY_ITEM, key)
        app = SignpostApp(paths, Settings(), s, clock=lambda: TODAY)
        qtbot.addWidget(app.signin)
        app.start()
        qtbot.waitUntil(lambda: app.service is not None)
        made.append(app)
        return app

    yield make
    for app in made:
        if app.main is not None:
            app.sign_out()
        if app.service is not None:
            app.service.close()
