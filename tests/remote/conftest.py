from __future__ import annotations

import pytest

from app.directory import remote
from tests.remote.stubs import make_tls


@pytest.fixture(scope="session")
def tls(tmp_path_factory):
    """The CA a client trusts and a server certificate it signed."""
    return make_tls(tmp_path_factory.mktemp("tls"), "signpost")


@pytest.fixture(scope="session")
def other_tls(tmp_path_factory):
    """A certificate from a CA the client does not trust."""
    return make_tls(tmp_path_factory.mktemp("tls-other"), "stranger")


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(remote, "BACKOFF_S", 0.01)
