"""PostgreSQL clusters for tests: real Debian PostgreSQL, started in a private folder per test, as the
project's unprivileged account when the tests run as root (CI does)."""
from __future__ import annotations

import itertools
import os
import shutil
from datetime import date

import psycopg
import pytest
from psycopg import sql

from app import db, generator
from app.national import migrate, pgcluster, roles


@pytest.fixture
def pg_root():
    if not pgcluster.available():
        pytest.fail("PostgreSQL is not installed: `make test` installs Debian's postgresql package; "
                    "run `make system` (as root) or apt-get install postgresql.")
    root = pgcluster.make_root()
    clusters: list[pgcluster.Cluster] = []
    yield root, clusters
    for c in clusters:
        c.stop("immediate")
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def primary(pg_root):
    root, clusters = pg_root
    c = pgcluster.Cluster(root, "primary").init().start()
    clusters.append(c)
    return c


@pytest.fixture
def pair(pg_root, primary):
    """A primary and its synchronous (remote_apply) standby."""
    root, clusters = pg_root
    standby = pgcluster.Cluster(root, "standby").standby_of(primary).start()
    clusters.append(standby)
    return primary, standby


@pytest.fixture(scope="session")
def pg_server():
    """One primary for the tests that need only a database of their own (``database``): initdb once a run."""
    if not pgcluster.available():
        pytest.fail("PostgreSQL is not installed: `make test` installs Debian's postgresql package; "
                    "run `make system` (as root) or apt-get install postgresql.")
    root = pgcluster.make_root()
    c = pgcluster.Cluster(root, "shared").init().start()
    yield c
    c.stop("immediate")
    shutil.rmtree(root, ignore_errors=True)


_databases = itertools.count(1)


@pytest.fixture
def empty_database(pg_server):
    """A new, empty database on the shared primary, with the directory's roles, dropped afterwards."""
    name = f"t{next(_databases)}_{os.getpid()}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as su:
        roles.create_database(su, name)
    yield pg_server, name
    with psycopg.connect(pg_server.dsn(), autocommit=True) as su:
        su.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def database(empty_database):
    """A database at the newest version: (cluster, name)."""
    cluster, name = empty_database
    with psycopg.connect(cluster.dsn(name), autocommit=True) as conn:
        migrate.migrate(conn)
    return cluster, name


@pytest.fixture(scope="session")
def small_directory(tmp_path_factory):
    """A training directory of 2,000 children (SQLCipher, as app.generator builds it): (path, key)."""
    key = db.new_key()
    path = tmp_path_factory.mktemp("national-directory") / "directory.db"
    generator.generate(path, key, children=2000, seed=16, today=date(2026, 5, 1))
    return path, key
