"""The store conformance suite (issue 16 §1): one set of tests, every store.

Each test takes ``store``, a fresh store of each implementation in ``STORES`` over the session's small synthetic
directory; it arranges through the store's own methods where it can and asserts what the policy code above
relies on. A store that joins (PostgreSQL) adds its name to ``STORES`` and a branch to ``_open``.
"""
from __future__ import annotations

import pytest

from app import db
from app.directory.store.sqlite import SqliteStore

STORES = ["sqlite"]


def _open(kind: str, directory_copy):
    if kind == "sqlite":
        path, key = directory_copy
        conn = db.open_encrypted(path, key)
        return SqliteStore(conn), conn.close
    raise AssertionError(kind)


@pytest.fixture(params=STORES)
def store(request, directory_copy):
    opened, close = _open(request.param, directory_copy)
    yield opened
    close()
