"""The store conformance suite (issue 16 §1): one set of tests, every store.

Each test takes ``store``, a fresh store of each implementation in ``STORES`` over the session's small synthetic
directory; it arranges through the store's own methods where it can and asserts what the policy code above
relies on. A store that joins (PostgreSQL) adds its name to ``STORES`` and a branch to ``_open``.

The sessions kind is the first with a PostgreSQL side: ``sessions_store`` runs its tests on both, PostgreSQL on
a fresh database of the session's shared server (``pg_server``) at the newest migration.
"""
from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from dataclasses import dataclass

import psycopg
import pytest
from psycopg import sql

from app import db
from app.directory.store.postgres import PostgresSessions
from app.directory.store.sessions import Sessions
from app.directory.store.sqlite import SqliteStore
from app.national import database, roles
from tests.national import rows
from tests.national.conftest import pg_server  # noqa: F401 (a fixture: one PostgreSQL server for the run)

STORES = ["sqlite"]
# PostgreSQL's side is a slow test (tests/tiers.py): the fixture is asked for at run time, so it is marked here
SESSION_STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.slow)]


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


@dataclass
class SessionsUnderTest:
    sessions: Sessions
    children: tuple[int, ...]  # three children that are in the directory (a grant names one)
    another_node: Callable[[], Sessions] | None = None  # the same tables through a connection of its own


_databases = itertools.count(1)


@pytest.fixture
def postgres_database(pg_server):  # noqa: F811
    """A fresh national database at the newest migration with three children in it: (cluster, name, ids)."""
    name = f"sessions{next(_databases)}_{os.getpid()}"
    database.prepare(pg_server, name)
    with psycopg.connect(pg_server.dsn(name), autocommit=True) as su, su.transaction():
        children = tuple(rows.a_child(su, 9_000_000_000 + i) for i in range(3))
    yield pg_server, name, children
    with psycopg.connect(pg_server.dsn(), autocommit=True) as su:
        su.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def postgres_nodes(postgres_database):
    """Opens ``PostgresSessions`` as a service node does (the service's role, a connection each): call it once
    per node."""
    cluster, name, children = postgres_database
    opened: list[psycopg.Connection] = []

    def node() -> PostgresSessions:
        conn = psycopg.connect(cluster.dsn(name, user=roles.SERVICE), autocommit=True)
        opened.append(conn)
        return PostgresSessions(conn)

    node.children = children  # type: ignore[attr-defined]
    yield node
    for conn in opened:
        conn.close()


@pytest.fixture(params=SESSION_STORES)
def sessions_store(request) -> SessionsUnderTest:
    if request.param == "sqlite":
        opened, close = _open("sqlite", request.getfixturevalue("directory_copy"))
        request.addfinalizer(close)
        children = tuple(i for (i,) in opened.conn.execute("SELECT id FROM children ORDER BY id LIMIT 3"))
        return SessionsUnderTest(opened.sessions, children)
    node = request.getfixturevalue("postgres_nodes")
    return SessionsUnderTest(node(), node.children, node)
