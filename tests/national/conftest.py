"""PostgreSQL clusters for tests: real Debian PostgreSQL, started in a private folder per test, as the
project's unprivileged account when the tests run as root (CI does)."""
from __future__ import annotations

import shutil

import pytest

from app.national import pgcluster


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
